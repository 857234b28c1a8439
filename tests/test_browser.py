"""A real server and a real Chromium: ask the shipped corpus a question, read the answer.

Also saves the full-page screenshot the README shows (docs/screenshot.png).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = REPO / "docs" / "screenshot.png"
STARTUP = 180  # seconds: the first start builds the index over corpus/

pytestmark = [pytest.mark.browser, pytest.mark.server]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`qa serve` over the shipped corpus, with a fresh index; stopped at the end."""
    tmp = tmp_path_factory.mktemp("browser")
    port = free_port()
    command = [sys.executable, "-c", "from qa.cli import cli; cli()", "serve"]
    command += ["--corpus", str(REPO / "corpus"), "--index", str(tmp / "index")]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    log = (tmp / "server.log").open("w")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP
        while True:
            if process.poll() is not None:
                pytest.fail(f"qa serve exited ({process.returncode}):\n{_tail(tmp)}")
            if time.monotonic() > deadline:
                pytest.fail(f"qa serve not healthy after {STARTUP} s:\n{_tail(tmp)}")
            try:
                with urllib.request.urlopen(f"{base}/api/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _tail(folder: Path) -> str:
    return (folder / "server.log").read_text(errors="replace")[-3000:]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        try:
            yield chromium
        finally:
            chromium.close()


def test_ask_and_read_the_cited_answer(server, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1100, "height": 900})
    try:
        page.goto(f"{server}/")
        expect(page.locator("html")).to_have_attribute("lang", "id")
        page.get_by_role("searchbox").fill("status proposal OSH Korea")
        page.get_by_role("button", name="Cari").click()
        page.wait_for_url("**/?q=status+proposal+OSH+Korea*")

        answer = page.locator("section.answer")
        expect(answer).to_be_visible(timeout=60_000)
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

        mark = answer.locator("mark")
        expect(mark).to_be_visible()
        expect(mark).to_contain_text("belum menerima kejelasan")
        citation = answer.locator(".citation")
        expect(citation.locator(".outlet")).to_have_text("Tribunnews.com")
        expect(citation.locator("time")).to_be_visible()
        expect(citation.locator("time")).to_have_attribute("datetime", "2023-07-21")

        # The citation leads to the article, scrolled to the highlighted passage.
        citation.locator(".title a").click()
        cited = page.locator("mark#cited")
        expect(cited).to_be_visible()
        expect(cited).to_be_in_viewport()
        assert page.url.endswith("#cited")
    finally:
        page.close()
