"""What a write accepts stays, and only web links are stored (issue 18, points 7, 9, 11).

Through a real `qa serve` on loopback (real HTTP, real cookies on /admin, the MCP SDK's own
client, a real page server for add-by-link) and through the CLI: two articles with the same
body and different ids are two articles, before and after a restart, in `qa index check` and
as one story; a url that is not http(s) is refused at write time and dropped (with a reported
problem) from corpus files; a date range that ends before it starts is a 422 everywhere; a
body that is not JSON is a 422 in the one error shape; a link with spaces around it is not
"redirected".
"""

import asyncio
import re
import shutil

import httpx
import pytest
from click.testing import CliRunner
from mcp import Client
from server import LiveServer, wait_for_job, wait_idle

from qa.cli import cli
from qa.ingest.corpus import write_article

pytestmark = pytest.mark.server

KEY = "writes-key-2468"
AUTH = {"Authorization": f"Bearer {KEY}"}

# Long enough (about 50 words) to be compared as a syndicated copy (qa/index/copies.py).
BODY = (
    "Kementerian Ketenagakerjaan dan Badan Pelindungan Pekerja Migran Indonesia membuka "
    "pendaftaran program magang ke Jepang bagi lulusan sekolah menengah kejuruan. Peserta "
    "yang lolos seleksi akan mengikuti pelatihan bahasa Jepang selama tiga bulan di balai "
    "latihan kerja sebelum berangkat, dan biaya keberangkatan ditanggung oleh perusahaan "
    "penerima di Jepang. Pendaftaran dibuka hingga akhir bulan depan."
)
TWINS = {
    "magang-jepang-antara": ("Kemnaker buka pendaftaran magang ke Jepang", "Antaranews.com"),
    "magang-jepang-republika": ("Lulusan SMK bisa magang ke Jepang", "Republika.co.id"),
}

BAD_URLS = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "\x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/news",
    "https://",
]

# Corpus files written before this change: a url that is not a web link, in front matter and
# in a bulk record that has no id (whose id must not come from that url).
OLD_MD = """---
id: lama-javascript
title: Artikel lama dengan tautan berbahaya
source: Kompas.com
url: javascript:alert(1)
---

Pemerintah menyiapkan pelatihan vokasi bagi pekerja yang terkena pemutusan hubungan kerja.
"""
OLD_JSONL = (
    '{"title": "Rekaman lama", "url": "JaVaScRiPt:alert(2)", '
    '"text": "Balai latihan kerja di Semarang menambah kelas las dan otomotif."}\n'
)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def live(tmp_path_factory, built_index_dir, small_articles):
    """A server over the four small articles (index built) and two old corpus files."""
    tmp = tmp_path_factory.mktemp("writes")
    for article in small_articles.values():
        write_article(article, tmp / "corpus")
    (tmp / "corpus" / "lama-javascript.md").write_text(OLD_MD, encoding="utf-8")
    (tmp / "corpus" / "lama.jsonl").write_text(OLD_JSONL, encoding="utf-8")
    shutil.copytree(built_index_dir, tmp / "index")
    with LiveServer(
        tmp / "corpus", tmp / "index", api_key=KEY, env={"QA_FETCH_ALLOW": "127.0.0.1/32"}
    ) as server:
        wait_idle(server)
        yield server


@pytest.fixture(scope="module")
def client(live):
    with httpx.Client(base_url=live.url, timeout=60) as http:
        yield http


# -- 7: identical bodies under two ids are two articles, one story ------------------------------


def post_twin(server: LiveServer, article_id: str) -> int:
    title, source = TWINS[article_id]
    body = {"id": article_id, "title": title, "text": BODY, "source": source}
    body |= {"published": "2024-03-05", "url": f"https://{source.lower()}/{article_id}"}
    response = httpx.post(f"{server.url}/api/articles", json=body, headers=AUTH, timeout=60)
    assert response.status_code == 202, response.text
    return response.json()["job"]


def test_identical_bodies_under_two_ids_survive_a_restart_as_one_story(
    tmp_path, built_index_dir, small_articles
):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    for article in small_articles.values():
        write_article(article, corpus)
    shutil.copytree(built_index_dir, index)
    with LiveServer(corpus, index, api_key=KEY) as server:
        wait_idle(server)
        for article_id in TWINS:
            job = post_twin(server, article_id)
        wait_for_job(server, job)

    checked = run("index", "check", "--corpus", str(corpus), "--index", str(index))
    assert (checked.exit_code, checked.output) == (0, "index is consistent and holds the corpus\n")
    scanned = run("corpus", "check", str(corpus))
    assert scanned.exit_code == 0 and "6 articles, 0 errors, 0 warnings" in scanned.output

    with LiveServer(corpus, index, api_key=KEY) as server:  # the start-up sync runs again
        wait_idle(server)
        with httpx.Client(base_url=server.url, timeout=60) as http:
            for article_id, (title, _) in TWINS.items():
                served = http.get(f"/api/articles/{article_id}")
                assert served.status_code == 200, served.text
                assert (served.json()["title"], served.json()["text"]) == (title, BODY)
            query = {"q": "magang ke Jepang lulusan SMK", "k": 10}
            results = http.get("/api/search", params=query).json()["results"]
            cards = [r for r in results if r["article_id"] in TWINS]
            assert len(cards) == 1, "the two copies are one story, shown once"
            (other,) = set(TWINS) - {cards[0]["article_id"]}
            assert [copy["article_id"] for copy in cards[0]["also_in"]] == [other]
            for article_id, (_, source) in TWINS.items():  # an outlet filter finds each
                found = http.get("/api/search", params=query | {"source": source}).json()
                assert found["results"][0]["article_id"] == article_id
        assert "not in the corpus" not in server.log_tail(100_000)
    checked = run("index", "check", "--corpus", str(corpus), "--index", str(index))
    assert checked.exit_code == 0, checked.output


# -- 9: only http(s) links are stored ------------------------------------------------------------


@pytest.mark.parametrize("url", BAD_URLS)
def test_the_api_refuses_a_url_that_is_not_a_web_link(live, client, url):
    body = {"id": "tautan-buruk", "title": "Judul", "text": "Isi berita singkat.", "url": url}
    response = client.post("/api/articles", json=body, headers=AUTH)
    assert response.status_code == 422, response.text
    assert set(response.json()) == {"error", "detail"}
    assert "http:// or https://" in response.json()["error"]
    assert client.get("/api/articles/tautan-buruk").status_code == 404
    assert not (live.corpus_dir / "tautan-buruk.md").exists()


def test_the_api_keeps_a_web_link(live, client):
    body = {
        "id": "tautan-baik",
        "title": "Judul",
        "text": "Isi berita lain.",
        "url": "HTTPS://x.id/a",
    }
    response = client.post("/api/articles", json=body, headers=AUTH)
    assert response.status_code == 202, response.text
    wait_for_job(live, response.json()["job"])
    assert client.get("/api/articles/tautan-baik").json()["url"] == "HTTPS://x.id/a"


def signed_in(live: LiveServer) -> tuple[httpx.Client, str]:
    """A client holding a real /admin session cookie, and the session's CSRF token."""
    http = httpx.Client(base_url=live.url, timeout=60, follow_redirects=True)
    form = http.get("/admin")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)[1]
    signed = http.post("/admin/sign-in", data={"key": KEY, "csrf": token})
    assert signed.status_code == 200, signed.text
    return http, re.search(r'name="csrf" value="([^"]+)"', signed.text)[1]


@pytest.mark.parametrize("url", ["javascript:alert(1)", " data:text/html,x", "//evil.example"])
def test_admin_paste_refuses_a_url_that_is_not_a_web_link(live, url):
    http, token = signed_in(live)
    try:
        form = {"title": "Tempelan", "text": "Isi tempelan.", "url": url, "csrf": token}
        response = http.post("/admin/paste", data=form)
        assert response.status_code == 422, response.text
        assert "http:// or https://" in response.text
        listed = http.get("/api/articles", params={"limit": 500}).json()["articles"]
        assert not [a for a in listed if a["title"] == "Tempelan" or "alert" in a["id"]]
        assert not any(
            path.name.startswith(("alert", "javascript")) for path in live.corpus_dir.iterdir()
        )
    finally:
        http.close()


def test_old_corpus_files_lose_such_a_url_and_keep_the_article(live, client):
    article = client.get("/api/articles/lama-javascript").json()
    assert article["url"] is None and article["title"].startswith("Artikel lama")
    listed = client.get("/api/articles", params={"limit": 500}).json()["articles"]
    (record,) = [a for a in listed if a["title"] == "Rekaman lama"]
    assert record["url"] is None and "alert" not in record["id"] and "script" not in record["id"]
    hits = client.get("/api/search", params={"q": "pelatihan vokasi pemutusan hubungan kerja"})
    assert all(
        hit["url"] is None or hit["url"].lower().startswith("http")
        for hit in hits.json()["results"]
    )

    scanned = run("corpus", "check", str(live.corpus_dir))
    assert scanned.exit_code == 0, scanned.output
    problems = [line for line in scanned.output.splitlines() if "only http" in line]
    assert len(problems) == 2, scanned.output
    assert all(line.startswith("warning") for line in problems)


# -- 11: since after until, bodies that are not JSON, spaced links, grammar ----------------------

BACKWARDS = {"since": "2024-01-01", "until": "2023-01-01"}


def test_since_after_until_is_a_422_everywhere(live, client):
    searched = client.get("/api/search", params={"q": "upah minimum", **BACKWARDS})
    asked = client.post("/api/ask", json={"question": "upah minimum", **BACKWARDS})
    for response in (searched, asked):
        assert response.status_code == 422, response.text
        assert set(response.json()) == {"error", "detail"}
        assert "'since' (2024-01-01) is after 'until' (2023-01-01)" in response.json()["error"]

    page = client.get("/", params={"q": "upah minimum", **BACKWARDS, "lang": "en"})
    assert page.status_code == 422 and "The &#39;since&#39; date is after" in page.text

    async def call() -> object:
        async with Client(f"{live.url}/mcp") as mcp:
            return await mcp.call_tool("search", {"query": "upah minimum", **BACKWARDS})

    called = asyncio.run(call())
    assert called.is_error is True and "is after 'until'" in called.content[0].text

    conditions = [
        {"name": "published", "comparison_operator": "≥", "value": "2024-01-01"},
        {"name": "published", "comparison_operator": "≤", "value": "2023-01-01"},
    ]
    dify = client.post(
        "/retrieval",
        headers=AUTH,
        json={
            "knowledge_id": "kemnaker-news",
            "query": "upah minimum",
            "retrieval_setting": {"top_k": 3, "score_threshold": 0},
            "metadata_condition": {"logical_operator": "and", "conditions": conditions},
        },
    )
    assert dify.status_code == 422, dify.text
    assert dify.json()["error_code"] == 422 and "is after 'until'" in dify.json()["error_msg"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"[" * 10_000 + b"]" * 10_000, "nested too deeply"),
        (b'{"question": "upah \xff minimum"}', "not UTF-8"),
    ],
)
def test_a_body_that_is_not_json_is_a_422_in_the_one_shape(client, body, says):
    for path in ("/api/ask", "/api/articles"):
        response = client.post(
            path, content=body, headers={**AUTH, "Content-Type": "application/json"}
        )
        assert response.status_code == 422, response.text
        assert set(response.json()) == {"error", "detail"}
        assert says in response.json()["error"]
    assert client.get("/api/health").status_code == 200


def test_a_link_with_spaces_around_it_is_not_redirected(client, news):
    links = {"urls": ["   " + news.url("/missing"), " \t" + news.url("/news/tempo-1.html")]}
    response = client.post("/api/articles/from-url", json=links, headers=AUTH)
    assert response.status_code == 202, response.text
    (failed,) = response.json()["failed"]
    assert "redirected" not in failed["error"] and "404" in failed["error"]
    assert [a["url"] for a in response.json()["articles"]] == [news.url("/news/tempo-1.html")]


def test_an_unspecified_address_is_named_with_an(client):
    response = client.post("/api/articles/from-url", json={"url": "http://0.0.0.0/"}, headers=AUTH)
    assert response.status_code == 422, response.text
    (failed,) = response.json()["detail"]
    assert "is an unspecified address" in failed["error"]
