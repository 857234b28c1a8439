"""A real server and a real Chromium: ask the shipped corpus a question, read the answer.

Also saves the full-page screenshot the README shows (docs/screenshot.png).
"""

import pytest
from server import REPO, LiveServer

SCREENSHOT = REPO / "docs" / "screenshot.png"

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`qa serve` over the shipped corpus, with a fresh index; stopped at the end."""
    tmp = tmp_path_factory.mktemp("browser")
    with LiveServer(REPO / "corpus", tmp / "index") as live:
        yield live.url


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
