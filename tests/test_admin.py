"""The maintainer's page in process: signing in (signed cookie, CSRF on every form), adding by
link, pasted text and uploads, deleting, feeds and jobs; each bad input a clear error that
costs nothing else."""

import dataclasses
import html
import re
import shutil
import time

import pytest
from fastapi.testclient import TestClient

from qa.ingest.corpus import write_article
from qa.serve.app import create_app
from qa.serve.service import Service

KEY = "admin-key-9876"
LOCAL = "http://localhost"  # TestClient's own Host, testserver, is refused (qa/serve/guard.py)


@pytest.fixture(scope="module")
def service(tmp_path_factory, built_index_dir, small_articles, news):
    news.items = ["detik-1"]
    tmp = tmp_path_factory.mktemp("admin")
    for article in small_articles.values():
        write_article(article, tmp / "corpus")
    shutil.copytree(built_index_dir, tmp / "index")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QA_FETCH_ALLOW", "127.0.0.1/32")
        yield Service(tmp / "corpus", tmp / "index")


@pytest.fixture(scope="module")
def app(service):
    with TestClient(create_app(service, api_key=KEY), base_url=LOCAL) as client:
        service.wait_idle()
        yield client.app


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def failures(page: str) -> list[str]:
    """The failures listed on a page, as text."""
    items = re.findall(r'<li class="error">(.*?)</li>', page)
    return [html.unescape(re.sub(r"<[^>]+>", "", item)) for item in items]


def sign_in(app) -> tuple[TestClient, str]:
    """A client signed in, and its session's CSRF token."""
    client = TestClient(app, base_url=LOCAL)
    form = client.get("/admin")
    signed = client.post("/admin/sign-in", data={"key": KEY, "csrf": csrf(form.text)})
    assert signed.status_code == 200 and "Tambah lewat tautan" in signed.text
    return client, csrf(signed.text)


@pytest.fixture
def admin(app):
    return sign_in(app)


def test_sign_in_form_and_its_cookie(app):
    client = TestClient(app, base_url=LOCAL)
    page = client.get("/admin")
    assert page.status_code == 200 and 'type="password" name="key"' in page.text
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("qa_admin_sign_in=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/admin" in cookie

    wrong = client.post("/admin/sign-in", data={"key": "guess", "csrf": csrf(page.text)})
    assert wrong.status_code == 401 and "Kunci salah." in wrong.text
    assert "qa_admin=" not in wrong.headers.get("set-cookie", "")

    right = client.post(
        "/admin/sign-in", data={"key": KEY, "csrf": csrf(wrong.text)}, follow_redirects=False
    )
    assert (right.status_code, right.headers["location"]) == (303, "/admin")
    session = [c for c in right.headers.get_list("set-cookie") if c.startswith("qa_admin=")][0]
    assert "HttpOnly" in session and "SameSite=strict" in session and "Max-Age=43200" in session


@pytest.mark.parametrize("token", ["", "forged-token"])
def test_sign_in_needs_the_forms_csrf_token(app, token):
    client = TestClient(app, base_url=LOCAL)
    client.get("/admin")
    response = client.post("/admin/sign-in", data={"key": KEY, "csrf": token})
    assert response.status_code == 403 and "CSRF" in response.text
    assert "qa_admin=" not in response.headers.get("set-cookie", "")


FORMS = {
    "/admin/links": {"links": "https://example.invalid/x"},
    "/admin/paste": {"title": "Judul", "text": "Teks artikel yang cukup panjang."},
    "/admin/delete": {"article_id": "asean-slom-17"},
    "/admin/feeds": {"url": "https://example.invalid/feed.xml"},
    "/admin/feeds/remove": {"url": "https://example.invalid/feed.xml"},
    "/admin/feeds/poll": {},
    "/admin/sign-out": {},
}


@pytest.mark.parametrize("path", [*FORMS, "/admin/upload"])
@pytest.mark.parametrize("token", ["", "forged-token"])
def test_every_form_refuses_a_missing_or_forged_csrf_token(admin, service, path, token):
    client, _ = admin
    files = {"file": ("a.md", b"# Judul\n\nTeks.")} if path == "/admin/upload" else None
    response = client.post(path, data={**FORMS.get(path, {}), "csrf": token}, files=files)
    assert response.status_code == 403 and "CSRF" in response.text
    assert service.article("asean-slom-17") is not None  # nothing was done


@pytest.mark.parametrize("path", FORMS)
def test_forms_need_a_session(app, path):
    client = TestClient(app, base_url=LOCAL)
    client.cookies.set("qa_admin", "tampered.value.here", path="/admin")
    response = client.post(path, data={**FORMS[path], "csrf": "x"})
    assert response.status_code == 401 and 'name="key"' in response.text
    assert TestClient(app, base_url=LOCAL).get("/admin/jobs/1").text.count('name="key"') == 1


def test_add_by_link(admin, service, news):
    client, token = admin
    links = f"{news.url('/news/detik-1.html')}\n\n{news.url('/missing')}\n"
    response = client.post("/admin/links", data={"links": links, "csrf": token})
    assert response.status_code == 200
    assert "Curhat Wanita Kena Stroke di Umur 26" in response.text
    assert failures(response.text) == [f"{news.url('/missing')}: the server answered 404 Not Found"]
    job = re.search(r'href="(/admin/jobs/\d+\?articles=[^"]+)"', response.text).group(1)
    service.wait_idle()
    page = client.get(job.replace("&amp;", "&"))
    assert "Selesai. 1 ditambah, 0 diubah, 0 dihapus" in page.text
    assert 'http-equiv="refresh"' not in page.text
    assert f'href="/articles/127.0.0.1-{news.port}-news-detik-1"' in page.text

    nothing = client.post("/admin/links", data={"links": news.url("/doc.pdf"), "csrf": token})
    assert nothing.status_code == 422 and "application/pdf" in failures(nothing.text)[0]
    assert "Tidak ada yang disimpan." in nothing.text


def test_status_shows_the_update_running(admin, service):
    """The page draws the Service's state (set here while the Service is idle)."""
    client, _ = admin
    service.wait_idle()
    state = dataclasses.replace(service.state)
    service.state.running, service.state.stage, service.state.done = 7, "embedding", 3
    service.state.total, service.state.queued = 10, 2
    try:
        page = client.get("/admin").text
        job_page = client.get("/admin/jobs/7").text
    finally:
        service.state = state
    assert "Pembaruan #7 berjalan: embedding 3/10" in page and "2 menunggu" in page
    assert '<progress max="10" value="3">' in page
    assert "Berjalan: embedding" in job_page and 'http-equiv="refresh"' in job_page
    assert "Tidak ada pembaruan yang berjalan." in client.get("/admin").text


def test_a_running_job_page_reloads_itself(admin):
    client, _ = admin
    page = client.get("/admin/jobs/999999")
    assert 'http-equiv="refresh" content="1"' in page.text and "Menunggu giliran" in page.text


def test_paste_text(admin, service):
    client, token = admin
    form = {
        "title": "Kemnaker buka pelatihan las di Bitung",
        "source": "Antaranews.com",
        "published": "2024-06-10",
        "url": "",
        "text": "Jakarta (ANTARA) - Kementerian Ketenagakerjaan membuka pelatihan las bagi 300 "
        "pencari kerja di Bitung.\n\nBaca juga: Menaker buka job fair\n\nPelatihan berlangsung "
        "tiga bulan.",
        "csrf": token,
    }
    response = client.post("/admin/paste", data=form)
    assert response.status_code == 200 and "Kemnaker buka pelatihan las di Bitung" in response.text
    service.wait_idle()
    article = service.article("kemnaker-buka-pelatihan-las-di-bitung-2024-06-10")
    assert (article.source, article.published.isoformat()) == ("Antaranews.com", "2024-06-10")
    assert "Baca juga" not in article.text and article.text.startswith("Kementerian")

    bad = client.post("/admin/paste", data={**form, "published": "2024-02-30"})
    assert bad.status_code == 422
    assert failures(bad.text) == [
        "pasted text: published: '2024-02-30' is not a real date; check the day and month"
    ]
    untitled = client.post("/admin/paste", data={**form, "title": " "})
    assert failures(untitled.text) == ["pasted text: give the article's title"]


@pytest.mark.parametrize(
    "name,content,article_id",
    [
        ("upah.txt", "Upah Minimum Naik\nJakarta - Pemerintah menaikkan upah minimum.", "upah"),
        ("magang.md", "---\ntitle: Magang ke Jepang\n---\n\nPeserta magang berangkat.", "magang"),
        ("tempo.html", None, "tempo"),
    ],
)
def test_upload_a_file(admin, service, name, content, article_id):
    client, token = admin
    from sites import REALNEWS

    data = (REALNEWS / "tempo-1.html").read_bytes() if content is None else content.encode()
    response = client.post("/admin/upload", data={"csrf": token}, files={"file": (name, data)})
    assert response.status_code == 200, failures(response.text)
    service.wait_idle()
    assert service.article(article_id) is not None


def test_upload_jsonl_keeps_the_good_lines(admin, service):
    client, token = admin
    lines = [
        '{"id": "bulk-1", "title": "Satu", "text": "Teks pertama tentang pekerja migran."}',
        "not json",
        '{"id": "bulk-2", "title": "Dua", "text": "Teks kedua tentang upah minimum."}',
    ]
    files = {"file": ("bulk.jsonl", "\n".join(lines).encode())}
    response = client.post("/admin/upload", data={"csrf": token}, files=files)
    assert response.status_code == 200
    assert failures(response.text) == ["bulk.jsonl:2: not valid JSON (Expecting value, column 1)"]
    service.wait_idle()
    assert service.article("bulk-1") and service.article("bulk-2")


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("foto.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("latin.md", "# Café\n\nTeks.".encode("latin-1"), "not UTF-8 text (byte 0xe9"),
        ("laporan.pdf", b"%PDF-1.4", "not an article file: send .txt, .md, .html, .jsonl"),
        ("kosong.txt", b"  \n", "empty file"),
    ],
)
def test_bad_uploads_are_refused(admin, service, name, data, message):
    client, token = admin
    before = service.articles()[0]
    response = client.post("/admin/upload", data={"csrf": token}, files={"file": (name, data)})
    assert response.status_code == 422
    (failure,) = failures(response.text)
    assert failure.startswith(f"{name}: ") and message in failure
    assert service.articles()[0] == before


def test_delete(admin, service):
    client, token = admin
    assert service.article("upah-minimum-2024") is not None
    response = client.post("/admin/delete", data={"article_id": "upah-minimum-2024", "csrf": token})
    assert response.status_code == 200 and "Dihapus: upah-minimum-2024" in response.text
    service.wait_idle()
    assert service.article("upah-minimum-2024") is None
    unknown = client.post("/admin/delete", data={"article_id": "tidak-ada", "csrf": token})
    assert unknown.status_code == 404 and "Tidak ada artikel dengan id" in unknown.text


def test_feeds(admin, service, news):
    client, token = admin
    followed = client.post("/admin/feeds", data={"url": news.url("/"), "csrf": token})
    assert f"Mengikuti {news.url('/feed.xml')} (1 tautan saat ini)." in followed.text
    assert f'<span class="feed-url">{news.url("/feed.xml")}</span>' in followed.text
    bad = client.post("/admin/feeds", data={"url": news.url("/not-xml.xml"), "csrf": token})
    assert bad.status_code == 422 and "not an RSS or Atom feed" in failures(bad.text)[0]

    asked = client.post("/admin/feeds/poll", data={"csrf": token})
    assert "diperiksa di latar belakang" in asked.text
    deadline = time.monotonic() + 30
    while service.status()["feeds"]["feeds"][0]["last_poll"] is None:
        assert time.monotonic() < deadline, "the background poll did not run"
        time.sleep(0.1)
    service.wait_idle()
    page = client.get("/admin").text
    assert "1 tautan, 1 baru, 1 ditambah, 0 dilewati, 0 gagal" in page

    removed = client.post("/admin/feeds/remove", data={"url": news.url("/feed.xml"), "csrf": token})
    assert "Berhenti mengikuti" in removed.text and "Belum ada umpan." in removed.text


def test_english(admin):
    client, token = admin
    page = client.get("/admin?lang=en")
    assert '<html lang="en">' in page.text and "Add by link" in page.text
    assert 'action="/admin/links?lang=en"' in page.text
    assert 'href="/admin"' in page.text  # the switch back to Indonesian


def test_sign_out(app):
    client, token = sign_in(app)
    response = client.post("/admin/sign-out", data={"csrf": token}, follow_redirects=False)
    assert response.status_code == 303
    assert 'name="key"' in client.get("/admin").text


def test_without_an_api_key_the_page_is_off(service):
    with TestClient(create_app(service, api_key="", open_service=False), base_url=LOCAL) as client:
        page = client.get("/admin")
        assert page.status_code == 403 and "QA_API_KEY" in page.text
        assert client.post("/admin/sign-in", data={"key": "", "csrf": ""}).status_code == 403
