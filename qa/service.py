"""One corpus and its index as a long-running service: queries, writes, background updates.

Queries always run against a fully loaded generation. Writes go to the corpus folder first
(so nothing acknowledged is lost), then a single worker thread applies them to the index one
job at a time and swaps the new generation in; queries in flight finish on the old one.
"""

import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from qa.answer import Answering, ask, lexical_highlights
from qa.articles import Article
from qa.corpus import remove_article, scan_corpus, write_article
from qa.errors import IngestError
from qa.index import Index
from qa.indexer import Progress, UpdateReport, apply_changes, sync_index
from qa.readers import read_file
from qa.retrieval import NO_FILTERS, Filters, Hit, Mode, search

log = logging.getLogger(__name__)


@dataclass
class Job:
    """A queued index update: explicit changes, or a full sync with the corpus folder."""

    number: int
    upserts: list[Article] = field(default_factory=list)
    deletions: list[str] = field(default_factory=list)
    sync: bool = False


@dataclass
class UpdateState:
    """What the worker is doing, for `GET /api/index/status`."""

    running: int | None = None
    stage: str = ""
    done: int = 0
    total: int = 0
    queued: int = 0
    completed: int = 0
    last_report: dict | None = None
    last_error: str | None = None
    failed: int = 0  # jobs that failed since start (each is followed by a full resync)


class Service:
    """Holds the current index generation and the update worker."""

    def __init__(self, corpus_dir: Path, index_dir: Path, embedder_name: str | None = None):
        self.corpus_dir = Path(corpus_dir)
        self.index_dir = Path(index_dir)
        self.embedder_name = embedder_name
        self.state = UpdateState()
        self._index: Index | None = None
        # The generation swapped out last: requests that started on it may still be running.
        # It is closed at the next swap, so that the files of swept generations are released.
        self._retired: Index | None = None
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._job_numbers = iter(range(1, 1 << 62))
        # Corpus writes, job numbers and the queue change together, so jobs run in the order
        # their writes hit the corpus and `completed_job` only grows.
        self._writes = threading.RLock()
        self._resync = False  # set when an update failed: the next job syncs the whole corpus
        self._worker: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------
    def open(self, progress: Progress | None = None, catch_up: bool = True) -> None:
        """Load the index, building it from the corpus first if there is none.

        With catch_up, a background sync then applies whatever changed in the corpus folder
        while no server was running (including writes a killed server had not indexed).
        """
        from qa.generations import Layout

        if Layout(self.index_dir).current_name() is None:
            scan = scan_corpus(self.corpus_dir)
            sync_index(
                scan.articles,
                self.index_dir,
                embedder_name=self.embedder_name,
                progress=progress or _quiet,
            )
        self._index = Index.load(self.index_dir, embedder_name=self.embedder_name)
        self._worker = threading.Thread(target=self._work, name="qa-index-updates", daemon=True)
        self._worker.start()
        if catch_up:
            self._enqueue(Job(self._next_number(), sync=True))

    def close(self) -> None:
        if self._worker is not None:
            self._jobs.put(None)
            self._worker.join(timeout=60)
        for index in (self._index, self._retired):
            if index is not None:
                index.close()

    @property
    def index(self) -> Index:
        if self._index is None:
            raise RuntimeError("Service.open() has not been called")
        return self._index

    # -- queries --------------------------------------------------------------
    def search(
        self, query: str, k: int = 10, mode: Mode = Mode.hybrid, filters: Filters = NO_FILTERS
    ) -> tuple[list[Hit], dict[int, tuple[int, int]]]:
        """Hits and, per hit, the span of the sentence sharing most terms with the query."""
        hits = search(self.index, query, k=k, mode=mode, filters=filters)
        return hits, lexical_highlights(query, hits)

    def ask(
        self, question: str, k: int = 5, mode: Mode = Mode.hybrid, filters: Filters = NO_FILTERS
    ) -> Answering:
        """Passages and the answer sentence, all from one generation."""
        return ask(self.index, question, k=k, mode=mode, filters=filters)

    # -- writes ---------------------------------------------------------------
    def upsert(self, articles: list[Article]) -> Job:
        """Persist articles into the corpus folder, then queue their indexing."""
        with self._writes:
            saved = [_read_back(write_article(article, self.corpus_dir)) for article in articles]
            return self._enqueue(Job(self._next_number(), upserts=saved))

    def delete(self, article_id: str) -> Job | None:
        """Remove an article from the corpus folder and queue its removal; None if unknown."""
        with self._writes:
            in_corpus = remove_article(article_id, self.corpus_dir)
            if not in_corpus and self.index.store.article(article_id) is None:
                return None
            return self._enqueue(Job(self._next_number(), deletions=[article_id]))

    # -- worker ---------------------------------------------------------------
    def _next_number(self) -> int:
        with self._writes:
            return next(self._job_numbers)

    def _enqueue(self, job: Job) -> Job:
        with self._writes:
            self.state.queued += 1
            self._jobs.put(job)
        return job

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            with self._writes:  # never seen idle between leaving the queue and running
                self.state.running = job.number
                self.state.queued -= 1
            try:
                report = self._run(job)
                self.state.last_report = {"job": job.number, **_summary(report)}
                self.state.last_error = None
            except Exception as error:  # the worker must survive any one bad update
                log.exception("index update %s failed", job.number)
                self.state.last_error = f"job {job.number}: {error}"
                self.state.failed += 1
                self._resync = True  # what that job held is in the corpus, not the index
            finally:
                self.state.completed = job.number
                self.state.stage = ""
                self.state.running = None

    def _run(self, job: Job) -> UpdateReport:
        if job.sync or self._resync:
            articles = scan_corpus(self.corpus_dir).articles
            report = sync_index(articles, self.index_dir, progress=self._progress)
            self._resync = False
        else:
            report = apply_changes(
                self.index_dir, job.upserts, job.deletions, progress=self._progress
            )
        if report.generation != self.index.generation:
            fresh = Index.load(self.index_dir, embedder_name=self.embedder_name)
            if self._retired is not None:
                self._retired.close()
            self._retired, self._index = self._index, fresh
        return report

    def _progress(self, stage: str, done: int, total: int) -> None:
        self.state.stage, self.state.done, self.state.total = stage, done, total

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until no update is queued or running (for tests and the CLI)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.state.queued == 0 and self.state.running is None:
                return True
            time.sleep(0.05)
        return False


def _read_back(path: Path) -> Article:
    """The article as its file reads: what a later sync of the corpus folder will index."""
    for item in read_file(path):
        if isinstance(item, Article):
            return item
        if item.level == "error":
            raise IngestError(str(path), item.message, item.line)
    raise IngestError(str(path), "the saved file holds no article")


def _quiet(stage: str, done: int, total: int) -> None:
    """Progress callback that reports nothing."""


def _summary(report: UpdateReport) -> dict:
    return {
        "generation": report.generation,
        "added": report.added,
        "updated": report.updated,
        "removed": report.removed,
        "unchanged": report.unchanged,
        "embedded_passages": report.embedded_chunks,
        "seconds": round(report.seconds, 3),
    }
