"""The maintainer's page in a real Chromium against a real server: sign in, add an article by
link from the news site on loopback, watch its job finish, find and read the article, delete
it, sign out. Saves the screenshot the README shows (docs/admin.png)."""

import shutil

import pytest
from server import REPO, LiveServer

SCREENSHOT = REPO / "docs" / "admin.png"
KEY = "browser-admin-key"
TITLE = "Ini 7 Alasan Mengapa Orang Malas Bergerak"

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`qa serve` with a key, over a copy of the shipped corpus (the page writes to it)."""
    tmp = tmp_path_factory.mktemp("admin-browser")
    shutil.copytree(REPO / "corpus", tmp / "corpus")
    env = {"QA_FETCH_ALLOW": "127.0.0.1/32"}
    with LiveServer(tmp / "corpus", tmp / "index", api_key=KEY, env=env) as live:
        yield live.url


def test_sign_in_add_by_link_read_delete_sign_out(server, browser, news):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1100, "height": 900})
    try:
        page.goto(f"{server}/admin")
        page.get_by_label("Kunci API").fill("not-the-key")
        page.get_by_role("button", name="Masuk").click()
        expect(page.get_by_role("alert")).to_have_text("Kunci salah.")
        page.get_by_label("Kunci API").fill(KEY)
        page.get_by_role("button", name="Masuk").click()
        expect(page.get_by_role("heading", name="Tambah lewat tautan")).to_be_visible()

        page.get_by_label("Tautan artikel, satu per baris").fill(news.url("/news/tempo-1.html"))
        page.get_by_role("button", name="Tambah", exact=True).click()
        outcome = page.locator("section.outcome")
        expect(outcome.get_by_role("link", name=TITLE)).to_be_visible(timeout=60_000)
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

        outcome.locator("a.job-link").click()  # the job page reloads itself until it is done
        expect(page.locator(".job-state")).to_contain_text("Selesai.", timeout=120_000)
        page.get_by_role("link", name=f"Baca: {TITLE}").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
        article_url = page.url

        page.goto(f"{server}/?q=alasan+orang+malas+bergerak")
        expect(page.locator(".passage h3 a", has_text=TITLE).first).to_be_visible(timeout=60_000)

        page.goto(f"{server}/admin")
        page.get_by_role("button", name=f"Hapus: {TITLE}").click()
        expect(page.locator("section.outcome")).to_contain_text("Dihapus:")
        page.locator("a.job-link").click()
        expect(page.locator(".job-state")).to_contain_text("Selesai.", timeout=120_000)
        assert page.goto(article_url).status == 404

        page.goto(f"{server}/admin")
        page.get_by_role("button", name="Keluar").click()
        expect(page.get_by_label("Kunci API")).to_be_visible()
    finally:
        page.close()
