"""The JSON API against a real `qa serve` on loopback, over a tiny real index (no mocks).

Every endpoint and its shape, modes, the validation errors of the API alone (filters and the
errors every adapter shares: test_adapters.py), auth on writes, an article added / updated /
deleted through the API, and searches answering during an update.
Tests run in file order: the read-only ones first, then the ones that write.
"""

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import httpx
import pytest
from samples import FOUR_ARTICLES as CORPUS
from samples import PASSAGE_KEYS
from server import LiveServer, wait_for_job, wait_idle

from qa.settings import SETTINGS

pytestmark = pytest.mark.server

KEY = "test-key-1234"
AUTH = {"Authorization": f"Bearer {KEY}"}

WELDING = {
    "id": "kemnaker-koica-las-bitung",
    "title": "Kemnaker dan KOICA luncurkan pusat pelatihan las di Bitung",
    "text": (
        "Kementerian Ketenagakerjaan dan KOICA meluncurkan pusat pelatihan las di Bitung, "
        "Sulawesi Utara. Pusat pelatihan itu akan melatih 300 juru las setiap tahun untuk "
        "galangan kapal."
    ),
    "source": "Antaranews.com",
    "url": "https://www.antaranews.com/berita/las-bitung",
    "published": "2024-06-10",
}


def write_corpus(folder):
    folder.mkdir(parents=True)
    for name, text in CORPUS.items():
        (folder / f"{name}.md").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The server with an API key, and a snapshot of its freshly built index (for reuse)."""
    tmp = tmp_path_factory.mktemp("api")
    write_corpus(tmp / "corpus")
    with LiveServer(tmp / "corpus", tmp / "index", api_key=KEY) as server:
        wait_idle(server)
        shutil.copytree(tmp / "index", tmp / "index-snapshot", symlinks=True)
        server.snapshot = tmp / "index-snapshot"
        yield server


@pytest.fixture(scope="module")
def client(live):
    with httpx.Client(base_url=live.url, timeout=60) as http:
        yield http


def assert_error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "detail"}, body
    assert isinstance(body["error"], str) and body["error"]
    return body


def assert_passage(passage: dict) -> None:
    assert set(passage) == PASSAGE_KEYS
    assert passage["passage_id"].startswith(passage["article_id"])
    assert isinstance(passage["score"], float)
    if passage["published"] is not None:
        date.fromisoformat(passage["published"])
    text = passage["text"]
    for span in passage["highlights"]:
        assert set(span) == {"start", "end"}
        assert 0 <= span["start"] < span["end"] <= len(text), (span, len(text))
        marked = text[span["start"] : span["end"]]
        assert marked.strip() and marked in text


def search(client: httpx.Client, q: str, **params) -> dict:
    response = client.get("/api/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    for passage in body["results"]:
        assert_passage(passage)
    return body


def ask(client: httpx.Client, question: str, **fields) -> dict:
    response = client.post("/api/ask", json={"question": question, **fields})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"question", "answer", "no_answer", "passages", "took_ms", "earlier"}
    for passage in body["passages"]:
        assert_passage(passage)
    return body


# -- reads --------------------------------------------------------------------------------


def test_health(client):
    body = client.get("/api/health").json()
    assert body["status"] == "ok"
    assert isinstance(body["generation"], int) and body["generation"] >= 1


def test_index_status(client):
    body = client.get("/api/index/status").json()
    assert isinstance(body["generation"], int) and body["build"] == "b-000001"
    assert body["articles"] == len(CORPUS)
    assert body["passages"] >= len(CORPUS)
    assert body["embedder"] == SETTINGS["embedder"].default and body["dimension"] > 0
    segments = body["segments"]
    assert segments["count"] == len(segments["list"]) >= 1
    assert segments["passages"] - segments["deleted"] == body["passages"]
    assert 0 <= segments["deleted_share"] < 1
    assert {"name", "passages", "deleted", "vectors"} <= set(segments["list"][0])
    assert "last_merge" in body and body["last_change"]["kind"] in ("update", "merge")
    update = body["update"]
    assert update["running"] is False and update["job"] is None
    assert body["merge"] == {"running": False, "last_error": None}
    assert update["completed_job"] >= 1 and update["last_error"] is None
    assert {"stage", "done", "total", "queued", "last_report"} <= set(update)


def test_search_shape(client):
    body = search(client, "proposal OSH Korea")
    assert body["query"] == "proposal OSH Korea"
    assert body["took_ms"] >= 0
    assert body["results"][0]["article_id"] == "tribun-osh-korea"
    first = body["results"][0]
    assert first["source"] == "Tribunnews.com" and first["published"] == "2023-07-21"
    assert first["url"].startswith("https://www.tribunnews.com/")
    assert first["highlights"], "the best sentence of the top passage is highlighted"
    assert len(body["results"]) <= 10


def test_search_k_limits_results(client):
    assert len(search(client, "Kemnaker", k=1)["results"]) == 1


def test_ask_shape(client):
    body = ask(client, "Apa status proposal OSH yang diajukan ke Korea?")
    assert body["question"] == "Apa status proposal OSH yang diajukan ke Korea?"
    assert body["no_answer"] is False
    answer = body["answer"]
    assert set(answer) == {"text", "article_id", "passage_id", "confidence", "as_of"}
    assert answer["article_id"] == "tribun-osh-korea"
    assert isinstance(answer["confidence"], float)
    cited = [p for p in body["passages"] if p["passage_id"] == answer["passage_id"]]
    assert cited and answer["text"] in cited[0]["text"]
    assert 1 <= len(body["passages"]) <= 5


def test_ask_ranks_the_answering_passage_first(client):
    body = ask(client, "Apa status proposal OSH yang diajukan ke Korea?")
    assert body["answer"]["article_id"] == "tribun-osh-korea"
    assert body["passages"][0]["article_id"] == "tribun-osh-korea"


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_each_mode(client, mode):
    results = search(client, "pelatihan vokasi ILO Geneva", mode=mode)["results"]
    assert results and "jakartapost-ilo-geneva" in [r["article_id"] for r in results[:2]]
    body = ask(client, "Where did Indonesia meet the ILO?", mode=mode, k=3)
    assert body["passages"] and len(body["passages"]) <= 3


def test_list_articles(client):
    body = client.get("/api/articles").json()
    assert body["total"] == len(CORPUS) and body["offset"] == 0 and body["limit"] == 50
    assert sorted(a["id"] for a in body["articles"]) == sorted(CORPUS)
    dates = [a["published"] for a in body["articles"]]
    assert dates == sorted(dates, reverse=True), "newest first"
    for summary in body["articles"]:
        assert set(summary) == {
            "id",
            "title",
            "source",
            "url",
            "published",
            "language",
            "characters",
        }
    english = next(a for a in body["articles"] if a["id"] == "jakartapost-ilo-geneva")
    assert english["language"] == "en" and english["characters"] > 100


def test_list_articles_pages(client):
    first = client.get("/api/articles", params={"limit": 2}).json()
    second = client.get("/api/articles", params={"offset": 2, "limit": 2}).json()
    assert len(first["articles"]) == len(second["articles"]) == 2
    ids = [a["id"] for a in first["articles"] + second["articles"]]
    assert sorted(ids) == sorted(CORPUS)
    assert client.get("/api/articles", params={"offset": 10}).json()["articles"] == []


def test_get_article(client):
    body = client.get("/api/articles/tribun-osh-korea").json()
    assert body["id"] == "tribun-osh-korea"
    assert body["title"] == "Kemnaker belum terima kejelasan proposal OSH dari Korea"
    assert body["source"] == "Tribunnews.com" and body["published"] == "2023-07-21"
    assert body["language"] == "id"
    assert "belum menerima kejelasan" in body["text"]


def test_unknown_article_is_404(client):
    body = assert_error(client.get("/api/articles/no-such-article"), 404)
    assert "no-such-article" in body["error"]


def test_unknown_path_and_method(client):
    assert_error(client.get("/api/nothing-here"), 404)
    assert_error(client.put("/api/ask", json={"question": "x"}), 405)


def test_openapi_and_docs(client):
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/api/ask",
        "/api/search",
        "/api/articles",
        "/api/articles/{article_id}",
        "/api/index/status",
        "/api/health",
    } <= paths
    assert {"get", "post"} <= set(spec["paths"]["/api/articles"])
    assert {"get", "delete"} <= set(spec["paths"]["/api/articles/{article_id}"])
    assert client.get("/docs").status_code == 404  # no Swagger UI: docs/security.md


# -- validation ---------------------------------------------------------------------------
# (empty, blank and too long questions, bad dates and languages: test_adapters.py, as for
# every adapter)

JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("request_args", "mentions"),
    [
        ({"json": {}}, "question"),
        ({"json": {"question": "OSH", "k": 0}}, "k"),
        ({"json": {"question": "OSH", "k": 51}}, "k"),
        ({"json": {"question": "OSH", "k": "many"}}, "k"),
        ({"json": {"question": "OSH", "mode": "x"}}, "mode"),
        ({"content": b'{"question": "OSH", ', "headers": JSON}, "not valid JSON"),
        ({"content": b"", "headers": JSON}, "body"),
        ({"content": b"question=OSH", "headers": {"Content-Type": "text/plain"}}, "body"),
        ({"data": {"question": "OSH"}}, "body"),
    ],
)
def test_ask_validation(client, request_args, mentions):
    body = assert_error(client.post("/api/ask", **request_args), 422)
    assert mentions.lower() in body["error"].lower(), body
    assert isinstance(body["detail"], list) and body["detail"]


def test_ask_accepts_1000_characters(client):
    assert client.post("/api/ask", json={"question": "a" * 1000}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "OSH", "k": 0},
        {"q": "OSH", "k": 51},
        {"q": "OSH", "k": "x"},
        {"q": "OSH", "mode": "x"},
    ],
)
def test_search_validation(client, params):
    body = assert_error(client.get("/api/search", params=params), 422)
    assert body["error"].startswith("Invalid request")


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}])
def test_list_validation(client, params):
    assert_error(client.get("/api/articles", params=params), 422)


@pytest.mark.parametrize(
    "payload",
    [
        {"id": "x", "title": "no text"},
        {"id": "x", "text": "   "},
        {"id": "bad id!", "text": "Teks."},
        {"id": "x", "text": "Teks.", "published": "2024-02-31"},
        [],
        "just a string",
    ],
)
def test_write_validation(client, payload):
    assert_error(client.post("/api/articles", json=payload, headers=AUTH), 422)


# -- auth ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-key"},
        {"Authorization": f"Basic {KEY}"},
        {"Authorization": KEY},
        {"Authorization": "Bearer"},
    ],
)
def test_writes_need_the_key(client, live, headers):
    article = {**WELDING, "id": "should-not-exist"}
    response = client.post("/api/articles", json=article, headers=headers)
    assert_error(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert_error(client.delete("/api/articles/tribun-osh-korea", headers=headers), 401)
    assert not (live.corpus_dir / "should-not-exist.md").exists()
    assert (live.corpus_dir / "tribun-osh-korea.md").exists()


def test_delete_unknown_article_is_404(client):
    assert_error(client.delete("/api/articles/no-such-article", headers=AUTH), 404)


def test_writes_refused_without_a_configured_key(live, tmp_path):
    """A second server with no key over a copy of the built index: reads work, writes 403."""
    write_corpus(tmp_path / "corpus")
    shutil.copytree(live.snapshot, tmp_path / "index", symlinks=True)
    with (
        LiveServer(tmp_path / "corpus", tmp_path / "index") as keyless,
        httpx.Client(base_url=keyless.url, timeout=60) as http,
    ):
        assert search(http, "proposal OSH Korea")["results"]
        for headers in ({}, AUTH, {"Authorization": "Bearer"}):
            assert_error(http.post("/api/articles", json=WELDING, headers=headers), 403)
            assert_error(http.delete("/api/articles/tribun-osh-korea", headers=headers), 403)
    assert sorted(path.stem for path in (tmp_path / "corpus").iterdir()) == sorted(CORPUS)


# -- writes -------------------------------------------------------------------------------


def accepted(response: httpx.Response, ids: list[str]) -> int:
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["accepted"] == ids
    assert isinstance(body["job"], int) and isinstance(body["generation"], int)
    return body["job"]


def test_add_update_delete_article(client, live):
    before = client.get("/api/index/status").json()
    job = accepted(client.post("/api/articles", json=WELDING, headers=AUTH), [WELDING["id"]])
    saved = live.corpus_dir / f"{WELDING['id']}.md"
    assert saved.exists(), "persisted to the corpus before the 202"
    status = wait_for_job(live, job)
    assert status["articles"] == before["articles"] + 1
    assert status["update"]["last_report"]["job"] == job
    assert status["update"]["last_report"]["added"] == [WELDING["id"]]

    # Searchable, first, through both endpoints.
    results = search(client, "pusat pelatihan las KOICA di Bitung")["results"]
    assert results[0]["article_id"] == WELDING["id"]
    assert results[0]["source"] == "Antaranews.com" and results[0]["published"] == "2024-06-10"
    question = "Di mana Kemnaker dan KOICA meluncurkan pusat pelatihan las?"
    body = ask(client, question)
    assert body["answer"]["article_id"] == WELDING["id"]
    assert "Bitung" in body["answer"]["text"]
    assert WELDING["id"] in [p["article_id"] for p in body["passages"][:2]]
    # Hybrid /api/ask puts the corpus's one English passage first: see test_ask_ranks_...
    assert ask(client, question, mode="dense")["passages"][0]["article_id"] == WELDING["id"]
    assert client.get(f"/api/articles/{WELDING['id']}").json()["title"] == WELDING["title"]

    # Same id, new text: an update; the old text is no longer returned.
    updated = {**WELDING, "text": "Kemnaker dan KOICA memindahkan pusat pelatihan las ke Manado."}
    job = accepted(client.post("/api/articles", json=[updated], headers=AUTH), [WELDING["id"]])
    status = wait_for_job(live, job)
    assert status["articles"] == before["articles"] + 1
    assert status["update"]["last_report"]["updated"] == [WELDING["id"]]
    assert [p.name for p in live.corpus_dir.glob(f"{WELDING['id']}*")] == [saved.name]
    assert "Manado" in saved.read_text(encoding="utf-8")
    for mode in ("bm25", "hybrid"):
        results = search(client, "pusat pelatihan las Bitung galangan kapal", mode=mode)["results"]
        assert results[0]["article_id"] == WELDING["id"]
        assert all("Bitung" not in p["text"] for p in results)
        assert all("galangan" not in p["text"] for p in results)
    assert "Manado" in client.get(f"/api/articles/{WELDING['id']}").json()["text"]

    # Deleted: gone from the corpus folder, the index, the search results.
    job = accepted(client.delete(f"/api/articles/{WELDING['id']}", headers=AUTH), [WELDING["id"]])
    assert not saved.exists()
    status = wait_for_job(live, job)
    assert status["articles"] == before["articles"]
    assert status["update"]["last_report"]["removed"] == [WELDING["id"]]
    for q in ("pusat pelatihan las KOICA Manado", "Bitung"):
        for mode in ("bm25", "hybrid"):
            results = search(client, q, mode=mode)["results"]
            assert all(p["article_id"] != WELDING["id"] for p in results)
    passages = ask(client, "Di mana pusat pelatihan las KOICA?")["passages"]
    assert all(p["article_id"] != WELDING["id"] for p in passages)
    assert_error(client.get(f"/api/articles/{WELDING['id']}"), 404)
    assert_error(client.delete(f"/api/articles/{WELDING['id']}", headers=AUTH), 404)


def test_concurrent_writes_index_what_the_corpus_holds(client, live):
    """Same id from several clients at once: the index ends with the corpus file's version."""
    texts = [
        f"Kemnaker menggelar bursa kerja ke-{n} di Kendari bagi lulusan SMK." for n in "123456"
    ]

    def post(text: str) -> int:
        article = {"id": "bursa-kerja-kendari", "text": text}
        with httpx.Client(base_url=live.url, timeout=60) as http:
            return accepted(http.post("/api/articles", json=article, headers=AUTH), [article["id"]])

    with ThreadPoolExecutor(len(texts)) as pool:
        jobs = list(pool.map(post, texts))
    assert len(set(jobs)) == len(jobs)
    wait_for_job(live, max(jobs))
    saved = (live.corpus_dir / "bursa-kerja-kendari.md").read_text(encoding="utf-8")
    indexed = client.get("/api/articles/bursa-kerja-kendari").json()["text"]
    assert indexed in texts and indexed in saved
    job = accepted(
        client.delete("/api/articles/bursa-kerja-kendari", headers=AUTH), ["bursa-kerja-kendari"]
    )
    wait_for_job(live, job)


TOWNS = "Aceh Medan Padang Jambi Palembang Bengkulu Lampung Serang Bandung Semarang Surabaya "
TOWNS += "Denpasar Mataram Kupang Pontianak"


def test_searches_answer_throughout_an_update(client, live):
    batch = [
        {
            "id": f"blk-{town.lower()}",
            "title": f"BLK {town} buka pelatihan kerja angkatan baru",
            "text": (
                f"Balai Latihan Kerja {town} membuka pendaftaran pelatihan kerja angkatan baru. "
                f"Sebanyak {40 + n} peserta dari {town} akan dilatih selama dua bulan."
            ),
            "source": "Contoh.id",
            "published": f"2024-07-{n + 1:02d}",
        }
        for n, town in enumerate(TOWNS.split())
    ]
    assert len(batch) == 15
    generation = client.get("/api/index/status").json()["generation"]
    ids = [article["id"] for article in batch]
    job = accepted(client.post("/api/articles", json=batch, headers=AUTH), ids)

    answered = during = 0
    deadline = time.monotonic() + 60
    while answered < 200 and time.monotonic() < deadline:
        response = client.get("/api/search", params={"q": "proposal OSH Korea", "k": 3})
        assert response.status_code == 200, f"{response.text}\n{live.log_tail()}"
        assert response.json()["results"], "searches keep finding the old articles"
        answered += 1
        status = client.get("/api/index/status")
        assert status.status_code == 200, status.text
        status = status.json()
        assert status["generation"] >= generation, "generations only advance"
        generation = status["generation"]
        if status["update"]["completed_job"] >= job:
            break
        during += 1
    assert during >= 1, "no search was answered while the update was running"
    status = wait_for_job(live, job, timeout=30)
    assert status["update"]["last_report"]["added"] == ids
    assert status["articles"] == len(CORPUS) + 15
    results = search(client, "pelatihan kerja BLK Kupang")["results"]
    assert results[0]["article_id"] == "blk-kupang"
