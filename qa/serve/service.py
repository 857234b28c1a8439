"""One corpus and its index as a long-running service: queries, writes, background work.

Queries always run against one fully opened generation (`Index`), which the request keeps
until it ends. Writes go to the corpus folder first (so nothing acknowledged is lost), then a
worker thread applies them to the index one job at a time. Three more threads keep the served
generation current (`qa.serve.upkeep`): one follows what any process publishes, one has
segments merged in a child process, one embeds the sentences of new passages.
"""

import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from qa.articles import Article, stored_day
from qa.cluster import Cluster
from qa.errors import IngestError
from qa.filters import NO_FILTERS, Filters
from qa.index.progress import Progress, silent
from qa.index.reader import Index, IndexReader
from qa.index.store import StoredPassage
from qa.index.writer import UpdateReport, apply_changes, sync_index
from qa.ingest.corpus import remove_article, scan_corpus, write_article
from qa.ingest.feeds import Poller
from qa.ingest.fetch import Fetcher
from qa.ingest.links import Found, fetch_articles
from qa.ingest.readers import read_file
from qa.search.answer import Answering, lexical_highlights
from qa.search.query import Query
from qa.search.retrieval import Hit, Mode, SearchOptions, search
from qa.search.status import Evidence, ask_latest
from qa.search.timeline import timeline
from qa.serve.fetchpool import FetchPool
from qa.serve.upkeep import Upkeep

log = logging.getLogger(__name__)


@dataclass
class Job:
    """A queued index update: explicit changes, or a full sync with the corpus folder."""

    number: int
    upserts: list[Article] = field(default_factory=list)
    deletions: list[str] = field(default_factory=list)
    sync: bool = False


@dataclass(frozen=True)
class Outlet:
    """A news outlet in the corpus: how many articles it has and over which dates."""

    name: str
    articles: int
    first: date | None
    last: date | None


@dataclass
class UpdateState:
    """What the background threads are doing, for `GET /api/index/status`."""

    running: int | None = None
    stage: str = ""
    done: int = 0
    total: int = 0
    queued: int = 0
    completed: int = 0
    last_report: dict | None = None
    last_error: str | None = None
    failed: int = 0  # jobs that failed since start (each is followed by a full resync)
    merging: bool = False
    merge_error: str | None = None
    sentences_running: bool = False
    sentences_done: int = 0
    sentences_total: int = 0
    sentences_error: str | None = None


class Service:
    """Holds the generation being served and the threads that keep it current."""

    def __init__(
        self,
        corpus_dir: Path,
        index_dir: Path,
        embedder_name: str | None = None,
        poll_seconds: float | None = None,
        cluster: Cluster | None = None,
    ):
        self.corpus_dir = Path(corpus_dir)
        self.index_dir = Path(index_dir)
        self.embedder_name = embedder_name
        self.cluster = cluster  # where builds and updates embed; None: in this process
        self.state = UpdateState()
        self.reader = IndexReader(self.index_dir, embedder_name)
        self._index: Index | None = None
        self._swap = threading.Lock()  # one generation opened at a time
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._job_numbers = iter(range(1, 1 << 62))
        # Corpus writes, job numbers and the queue change together, so jobs run in the order
        # their writes hit the corpus and `completed_job` only grows.
        self._writes = threading.RLock()
        self._resync = False  # set when an update failed: the next job syncs the whole corpus
        self.upkeep = Upkeep(self)
        self._threads: list[threading.Thread] = []
        self.poller = Poller(self.corpus_dir, lambda articles: self.upsert(articles).number)
        self.fetches = FetchPool.from_settings()  # add-by-link requests run here, not on the
        # server's threads; feed polls run on the poller's own thread
        self.poll_seconds = poll_seconds  # None: feeds are polled only when asked

    # -- lifecycle ------------------------------------------------------------
    def open(self, progress: Progress = silent, catch_up: bool = True) -> None:
        """Open the index, building it from the corpus first if there is none.

        With catch_up, a background sync then applies whatever changed in the corpus folder
        while no server was running (including writes a killed server had not indexed).
        """
        if self.reader.current_name() is None:
            scan = scan_corpus(self.corpus_dir)
            sync_index(
                scan.articles,
                self.index_dir,
                embedder_name=self.embedder_name,
                progress=progress,
                cluster=self.cluster,
            )
        self._index = self.reader.open()
        worker = threading.Thread(target=self._work, name="qa-index-updates", daemon=True)
        worker.start()
        self._threads = [worker, *self.upkeep.start()]
        if catch_up:
            self._enqueue(Job(self._next_number(), sync=True))
        self.upkeep.merge_if_due()
        self.poller.start(self.poll_seconds)
        self.upkeep.embed_sentences()

    def close(self) -> None:
        self.poller.stop()
        self.fetches.close()
        self.upkeep.stop()
        if self._threads:
            self._jobs.put(None)
            for thread in self._threads:
                thread.join(timeout=60)
        if self._index is not None:
            self._index.close()

    @property
    def index(self) -> Index:
        """The generation being served; a request keeps the one it got."""
        if self._index is None:
            raise RuntimeError("Service.open() has not been called")
        return self._index

    # -- queries --------------------------------------------------------------
    def search(
        self, query: str, k: int = 10, mode: Mode = Mode.hybrid, filters: Filters = NO_FILTERS
    ) -> tuple[list[Hit], dict[int, tuple[int, int]]]:
        """Hits and, per hit, the span of the sentence sharing most terms with the query."""
        index = self.index
        asked = Query.of(query, index.embedder if mode.embeds else None)
        hits = search(index, asked, SearchOptions(k=k, mode=mode, filters=filters))
        return hits, lexical_highlights(asked, hits)

    def ask(
        self, question: str, k: int = 5, mode: Mode = Mode.hybrid, filters: Filters = NO_FILTERS
    ) -> Answering:
        """Passages and the answer sentence, all from one generation; a status question's
        from the latest evidence, with its standing (qa/search/status.py)."""
        index = self.index
        query = Query.of(question, index.embedder)
        return ask_latest(index, query, SearchOptions(k=k, mode=mode, filters=filters))

    def timeline(
        self, question: str, mode: Mode = Mode.hybrid, filters: Filters = NO_FILTERS
    ) -> list[Evidence]:
        """The stories that answer `question`, one entry each, the oldest first."""
        index = self.index
        query = Query.of(question, index.embedder)
        return timeline(index, query, SearchOptions(mode=mode, filters=filters))

    def article(self, article_id: str) -> Article | None:
        index = self.index
        return index.store.article(article_id, index.generation)

    def articles(self, offset: int = 0, limit: int = 50) -> tuple[int, list[Article]]:
        """The number of articles and one page of them, newest first."""
        index = self.index
        return index.article_count, index.store.articles(index.generation, offset, limit)

    def passage(self, article_id: str, ordinal: int) -> StoredPassage | None:
        index = self.index
        return index.store.passage_by_ordinal(article_id, ordinal, index.generation)

    def sources(self) -> list[str]:
        """The outlets of the articles, by name."""
        return [outlet.name for outlet in self.outlets()]

    def outlets(self) -> list[Outlet]:
        """Each outlet with its number of articles and the dates of its first and last one."""
        index = self.index
        return [
            Outlet(name, count, stored_day(first), stored_day(last))
            for name, count, first, last in index.store.sources(index.generation)
        ]

    def status(self) -> dict:
        """The generation served (segments, counts, settings) and the background work."""
        state = self.state
        return self.index.describe() | {
            "update": {
                "running": state.running is not None,
                "job": state.running,
                "stage": state.stage,
                "done": state.done,
                "total": state.total,
                "queued": state.queued,
                "completed_job": state.completed,
                "last_report": state.last_report,
                "last_error": state.last_error,
                "failed": state.failed,
            },
            "merge": {"running": state.merging, "last_error": state.merge_error},
            "feeds": self.poller.status(),
            "sentences": {
                "running": state.sentences_running,
                "done": state.sentences_done,
                "total": state.sentences_total,
                "last_error": state.sentences_error,
            },
        }

    # -- writes ---------------------------------------------------------------
    def upsert(self, articles: list[Article]) -> Job:
        """Persist articles into the corpus folder, then queue their indexing."""
        with self._writes:
            saved = [_read_back(write_article(article, self.corpus_dir)) for article in articles]
            return self._enqueue(Job(self._next_number(), upserts=saved))

    def add_links(self, urls: list[str]) -> tuple[Job | None, Found]:
        """Fetch the article behind each link and save those found (one job); the links that
        gave none come back with the reason."""
        with Fetcher.from_settings() as fetcher:
            found = fetch_articles(urls, fetcher)
        return (self.upsert(found.articles) if found.articles else None), found

    def delete(self, article_id: str) -> Job | None:
        """Remove an article from the corpus folder and queue its removal; None if unknown."""
        with self._writes:
            in_corpus = remove_article(article_id, self.corpus_dir)
            if not in_corpus and self.article(article_id) is None:
                return None
            return self._enqueue(Job(self._next_number(), deletions=[article_id]))

    # -- background work ------------------------------------------------------
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
            report = sync_index(
                articles, self.index_dir, progress=self._progress, cluster=self.cluster
            )
            self._resync = False
        else:
            report = apply_changes(
                self.index_dir,
                job.upserts,
                job.deletions,
                progress=self._progress,
                cluster=self.cluster,
            )
        self.refresh()
        self.upkeep.embed_sentences()
        return report

    def refresh(self) -> bool:
        """Serve the generation CURRENT names, if it is not the one served; True if swapped."""
        with self._swap:
            if self.reader.current_name() == self.index.name:
                return False
            self._index = self.reader.open()
        self.upkeep.merge_if_due()
        return True

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


def _summary(report: UpdateReport) -> dict:
    return {
        "generation": report.generation,
        "added": report.added,
        "updated": report.updated,
        "removed": report.removed,
        "unchanged": report.unchanged,
        "embedded_passages": report.embedded_passages,
        "reused_passages": report.reused_passages,
        "seconds": round(report.seconds, 3),
    }
