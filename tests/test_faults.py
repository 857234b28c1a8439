"""Faults and bad input: nothing acknowledged is lost and the current generation keeps serving.

- `qa serve` killed with SIGKILL while embedding an API write: the restart serves the old
  generation at once, the corpus still holds every article, and the start-up catch-up indexes
  the posted articles whole (every passage, vector and BM25 entry, or none).
- Two writes at the same moment: both queued, applied one after the other, both searchable.
- A full disk (a file-size limit on the server process) during an update: a clear error in
  /api/index/status, the old generation still answers, the corpus keeps the write, nothing
  half written is made current; the library raises IndexWriteError naming the folder.
- 200 hostile files: one problem per bad file naming it, every good article read and indexed.
- The API (Dify's POST /retrieval included) fuzzed from its OpenAPI schema with
  schemathesis: no 5xx.
"""

import errno
import resource
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from hostile import write_hostile_corpus
from samples import code_word, long_article
from server import LiveServer, wait_for_job, wait_idle

from qa.articles import Article
from qa.cli import cli
from qa.errors import IndexWriteError
from qa.index.check import check_index
from qa.index.folder import STORE_FILE, IndexFolder
from qa.index.reader import Index
from qa.index.store import Store
from qa.index.writer import sync_index
from qa.ingest.corpus import scan_corpus, write_article
from qa.text.passages import PassageSettings, cut_passages

KEY = "fault-key-5678"
AUTH = {"Authorization": f"Bearer {KEY}"}


def scratch_folders(index: Path) -> list[Path]:
    """Segment folders being written (or left by a killed writer, until collected)."""
    return sorted(index.glob("b-*/segments/.*"))


def current_pointer(index: Path) -> str | None:
    return IndexFolder(index).current_pointer()


def search_ids(server: LiveServer, query: str, mode: str = "bm25") -> list[str]:
    params = {"q": query, "mode": mode, "k": 5}
    response = httpx.get(f"{server.url}/api/search", params=params, timeout=30)
    assert response.status_code == 200, response.text
    return [result["article_id"] for result in response.json()["results"]]


def stored_ids(index: Path) -> set[str]:
    """The ids in the index's current generation (read without loading an embedder)."""
    manifest = IndexFolder(index).current()
    store_path = index / manifest.build / STORE_FILE
    with closing(Store(store_path, readonly=True)) as store:
        return set(store.fingerprints(manifest.generation))


def assert_every_article_whole(index_dir: Path) -> None:
    """Every article has exactly its passages, and manifest, segments, store and lexical index
    agree on them."""
    assert check_index(index_dir) == []
    index = Index.load(index_dir)
    try:
        settings = PassageSettings(**index.manifest.settings["passages"])
        for article in index.store.articles(index.generation, limit=10_000):
            expected = cut_passages(article, settings, index.embedder.count_tokens)
            stored = [
                index.store.passage_by_ordinal(article.id, ordinal, index.generation)
                for ordinal in range(len(expected) + 1)
            ]
            assert stored[-1] is None, f"{article.id} has more passages than its text makes"
            assert [p and p.text for p in stored[:-1]] == [p.text for p in expected]
    finally:
        index.close()


# -- a server killed in the middle of an update ------------------------------------------------


@pytest.mark.server
def test_server_killed_while_embedding_loses_nothing(site):
    corpus, index = site
    batch = [long_article(number, sentences=14) for number in range(12)]  # ~36 passages
    with LiveServer(corpus, index, api_key=KEY) as server:
        before = wait_idle(server)
        response = httpx.post(f"{server.url}/api/articles", json=batch, headers=AUTH, timeout=120)
        assert response.status_code == 202, response.text
        job = response.json()["job"]
        deadline = time.monotonic() + 120
        while (update := server.status()["update"])["job"] != job or update["stage"] != "embedding":
            assert update["completed_job"] < job, f"job {job} ended before it could be killed"
            assert time.monotonic() < deadline, f"job {job} never started embedding: {update}"
            time.sleep(0.05)
        server.process.kill()
        server.process.wait(timeout=30)
    assert update["done"] < update["total"], "killed after embedding had finished"

    # On disk: the old generation is current; the corpus is whole.
    assert IndexFolder(index).current().generation == before["generation"]
    scan = scan_corpus(corpus)
    assert scan.errors == []
    assert set(scan.articles) == {a["id"] for a in batch} | stored_ids(index)

    with LiveServer(corpus, index, api_key=KEY) as server:
        first = server.status()  # before the catch-up sync is done: the old generation, whole
        assert first["update"]["completed_job"] == 0, "catch-up finished before it was looked at"
        assert (first["generation"], first["articles"]) == (
            before["generation"],
            before["articles"],
        )
        assert search_ids(server, "upah minimum Jakarta")[0] == "upah-minimum-2024"

        after = wait_for_job(server, 1, timeout=240)
        assert after["generation"] > before["generation"]
        assert after["articles"] == before["articles"] + len(batch)
        for number in range(0, len(batch), 3):
            assert search_ids(server, code_word(number))[:1] == [f"laporan-{number:03d}"]
        listed = httpx.get(f"{server.url}/api/articles", params={"limit": 500}, timeout=30)
        assert {a["id"] for a in listed.json()["articles"]} == set(scan.articles)

    assert scratch_folders(index) == []
    assert_every_article_whole(index)


# -- two writes at once ------------------------------------------------------------------------


@pytest.mark.server
def test_two_writes_at_once_are_both_applied_in_turn(site):
    corpus, index = site
    articles = [long_article(100, sentences=8), long_article(101, sentences=8)]
    with LiveServer(corpus, index, api_key=KEY) as server:
        before = wait_idle(server)
        start = threading.Barrier(2)

        def post(article: dict) -> httpx.Response:
            start.wait(timeout=30)
            return httpx.post(f"{server.url}/api/articles", json=article, headers=AUTH, timeout=60)

        with ThreadPoolExecutor(2) as pool:
            responses = list(pool.map(post, articles))
        assert [r.status_code for r in responses] == [202, 202], [r.text for r in responses]
        jobs = sorted(r.json()["job"] for r in responses)
        assert jobs[0] < jobs[1]

        status = wait_for_job(server, jobs[1])
        assert status["update"]["last_report"]["job"] == jobs[1]
        assert status["update"]["last_error"] is None
        # Each job publishes a generation built on the one before (or, should a job fail, the
        # next one resyncs the whole corpus): the newest holds both articles.
        assert status["generation"] > before["generation"]
        assert status["articles"] == before["articles"] + 2
        for number in (100, 101):
            assert search_ids(server, code_word(number))[:1] == [f"laporan-{number:03d}"]
            article = httpx.get(f"{server.url}/api/articles/laporan-{number:03d}", timeout=30)
            assert article.status_code == 200
    assert {"laporan-100", "laporan-101"} <= set(scan_corpus(corpus).articles)
    assert IndexFolder(index).current().generation == status["generation"]
    assert scratch_folders(index) == []


# -- a full disk -------------------------------------------------------------------------------


# Files may grow to this size: the store's write-ahead log of an update of a few articles
# cannot (the log and the corpus files stay far smaller). CPython ignores SIGXFSZ, so a write
# past the limit fails with EFBIG, as on a full disk.
FILE_SIZE_LIMIT = 48 * 1024


@pytest.mark.server
def test_full_disk_during_an_update_keeps_serving(site):
    corpus, index = site
    new = long_article(200, sentences=12)
    with LiveServer(corpus, index, api_key=KEY) as server:
        before = wait_idle(server)
        limit = FILE_SIZE_LIMIT
        resource.prlimit(server.process.pid, resource.RLIMIT_FSIZE, (limit, limit))
        response = httpx.post(f"{server.url}/api/articles", json=new, headers=AUTH, timeout=60)
        assert response.status_code == 202, response.text
        job = response.json()["job"]

        status = wait_idle(server)
        error = status["update"]["last_error"]
        assert status["update"]["completed_job"] == job
        assert error.startswith(
            f"job {job}: Could not write the new index generation under {index}: "
        ), error
        assert "disk I/O error" in error or "full" in error or "too large" in error, error
        assert f"{current_pointer(index)} is still the one served" in error
        assert "Traceback" not in error
        assert (status["generation"], status["articles"]) == (
            before["generation"],
            before["articles"],
        )
        assert search_ids(server, "upah minimum Jakarta", mode="hybrid")[0] == "upah-minimum-2024"
        missing = httpx.get(f"{server.url}/api/articles/{new['id']}", timeout=30)
        assert missing.status_code == 404

    assert new["id"] in scan_corpus(corpus).articles  # the acknowledged write is in the corpus
    assert IndexFolder(index).current().generation == before["generation"]
    assert scratch_folders(index) == []

    # Space freed: the next start undoes the half-written update and catches up.
    with LiveServer(corpus, index, api_key=KEY) as server:
        status = wait_for_job(server, 1)
        assert status["articles"] == before["articles"] + 1
        assert search_ids(server, code_word(200))[:1] == [new["id"]]
    assert_every_article_whole(index)


NEW_ARTICLE = Article(
    id="blk-bitung-las",
    title="BLK Bitung buka pelatihan las bawah air",
    text="Balai Latihan Kerja Bitung membuka pelatihan las bawah air untuk 30 peserta.",
    source="Fault News",
)


def _fail_store(*args, **kwargs):
    raise sqlite3.OperationalError("database or disk is full")


def _fail_faiss(index, path):
    raise RuntimeError(
        "Error in void faiss::write_index(const Index*, IOWriter*, int) at index_write.cpp:499: "
        f"Error: 'ret == (size * 4)' failed: write error in {path}: 0 != 1536 "
        "(No space left on device)"
    )


def _fail_lexical(self):
    raise OSError(errno.ENOSPC, "No space left on device", "lexical")


@pytest.mark.parametrize(
    ("target", "replacement", "reason"),
    [
        ("qa.index.store.Store.add_article", _fail_store, "database or disk is full"),
        (
            "qa.index.vectors.faiss.write_index",
            _fail_faiss,
            "vectors.faiss: 0 != 1536 (No space left",
        ),
        (
            "qa.index.lexical.LexicalWriter.commit",
            _fail_lexical,
            "[Errno 28] No space left on device",
        ),
    ],
    ids=["store", "faiss", "lexical"],
)
def test_update_that_cannot_write_raises_a_clear_error(
    tmp_path, built_index_dir, small_articles, monkeypatch, target, replacement, reason
):
    index = tmp_path / "index"
    shutil.copytree(built_index_dir, index)
    current = current_pointer(index)
    articles = {**small_articles, NEW_ARTICLE.id: NEW_ARTICLE}
    with monkeypatch.context() as patch:
        patch.setattr(target, replacement)
        with pytest.raises(IndexWriteError) as caught:
            sync_index(articles, index)
    message = str(caught.value)
    assert message.startswith(f"Could not write the new index generation under {index}: ")
    assert reason in message
    assert f"{current} is still the one served" in message
    assert current_pointer(index) == current
    assert scratch_folders(index) == []
    assert stored_ids(index) == set(small_articles)

    report = sync_index(articles, index)  # the disk has room again
    assert report.added == [NEW_ARTICLE.id]
    assert report.generation == 2
    assert check_index(index, articles) == []


def test_cli_update_on_a_full_disk_is_one_clean_line(tmp_path, built_index_dir, small_articles):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    big = Article(**{**long_article(300, sentences=12), "published": None})
    for article in [*small_articles.values(), big]:
        write_article(article, corpus)
    shutil.copytree(built_index_dir, index)
    current = current_pointer(index)

    def full_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))

    command = [sys.executable, "-c", "from qa.cli import cli; cli()", "index", "update"]
    command += ["--corpus", str(corpus), "--index", str(index)]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=120, preexec_fn=full_disk
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    error = result.stderr.strip().splitlines()[-1]  # after any progress bar
    assert error.startswith(f"Error: Could not write the new index generation under {index}: "), (
        result.stderr
    )
    assert f"{current} is still the one served" in error
    assert current_pointer(index) == current
    assert scratch_folders(index) == []


# -- a corpus of hostile files -----------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """200 hostile files (a dozen good ones among them) and the scan of them."""
    corpus = write_hostile_corpus(tmp_path_factory.mktemp("hostile") / "corpus")
    return corpus, scan_corpus(corpus.folder)


@pytest.mark.slow
def test_hostile_files_each_give_one_problem_naming_them(hostile):
    corpus, scan = hostile
    assert len(corpus.files) == 200 and len(corpus.good) == 12
    problems = defaultdict(list)
    for problem in scan.problems:
        problems[Path(problem.path)].append(problem)

    assert set(problems) <= corpus.files, "problems for files that are fine"
    for path, words in corpus.bad.items():
        assert len(problems[path]) == 1, f"{path}: {[str(p) for p in problems[path]]}"
        (problem,) = problems[path]
        assert problem.level in ("error", "note") and words in problem.message, str(problem)
    for path in set(corpus.good.values()) - set(corpus.bad):
        assert [p.level for p in problems[path]] == ["warning"] * (path in corpus.warned), (
            f"{path}: {[str(p) for p in problems[path]]}"
        )
    assert sorted(scan.articles) == sorted(corpus.good)
    for article_id, path in corpus.good.items():
        assert scan.articles[article_id].path.startswith(str(path))


@pytest.mark.slow
def test_hostile_corpus_indexes_exactly_the_good_articles(hostile, tmp_path, counting_embedder):
    corpus, scan = hostile
    report = sync_index(scan.articles, tmp_path / "index", embedder=counting_embedder)

    assert sorted(report.added) == sorted(corpus.good)
    assert len(counting_embedder.seen) == report.embedded_passages == len(corpus.good)
    index = Index.load(tmp_path / "index", embedder=counting_embedder)
    try:
        assert set(index.store.fingerprints(index.generation)) == set(corpus.good)
        texts = " ".join(index.store.article(i, index.generation).text for i in corpus.good)
        assert "SCRIPT" not in texts and "alert(" not in texts
    finally:
        index.close()


@pytest.mark.slow
def test_corpus_check_on_hostile_files_fails_and_lists_them(hostile):
    corpus, scan = hostile
    result = CliRunner().invoke(cli, ["corpus", "check", str(corpus.folder)])
    assert result.exit_code == 1, result.output
    for path in corpus.bad:
        assert str(path) in result.output
    errors = sum(problem.level == "error" for problem in scan.problems)
    warnings = sum(problem.level == "warning" for problem in scan.problems)
    assert result.output.rstrip().endswith(
        f"{len(corpus.good)} articles, {errors} errors, {warnings} warnings"
    )


# -- the API fuzzed from its schema ------------------------------------------------------------


def fuzz(operation, mode, calls: dict[str, int]) -> None:
    """Call `operation` with 25 generated requests (the same each run); fail on any 5xx."""
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import not_a_server_error

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=25,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: bounded time
        suppress_health_check=list(HealthCheck),
    )
    def call(case) -> None:
        response = case.call(headers=AUTH)
        calls[operation.label] = calls.get(operation.label, 0) + 1
        case.validate_response(response, checks=[not_a_server_error], headers=AUTH)

    call()


@pytest.mark.slow
def test_fuzzed_api_never_answers_5xx(site):
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode, openapi

    from qa.serve.app import create_app
    from qa.serve.service import Service

    corpus, index = site
    service = Service(corpus, index)
    service.open()
    job_errors: list[str] = []
    run_job = service._run

    def run_and_record(job):
        try:
            return run_job(job)
        except Exception as error:
            job_errors.append(f"job {job.number}: {error!r}")
            raise

    service._run = run_and_record  # writes are applied too: none of them may fail
    # schemathesis addresses the app as "testserver", a host name it must be told to answer
    app = create_app(service, KEY, open_service=False, allowed_hosts="testserver")
    schema = openapi.from_asgi("/openapi.json", app)
    calls: dict[str, int] = {}
    failures: list[str] = []
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            if operation.path == "/api/articles/from-url":
                continue  # fetches what it is sent: generated links must not leave loopback
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    fuzz(operation, mode, calls)
                except Unsatisfiable:  # nothing invalid to send (no parameters, or any string)
                    continue
                except Exception as error:
                    failures.append(f"{operation.label} ({mode.value}): {error}")
        assert service.wait_idle(timeout=120)
    finally:
        service.close()
    assert failures == []
    assert job_errors == []
    assert len(calls) >= 8 and min(calls.values()) >= 1, calls
    assert calls.get("POST /retrieval", 0) >= 1, calls
