"""Feeds to follow: RSS and Atom feeds and sitemaps whose new links become articles.

The feeds of a corpus live in `<corpus>/.feeds.json` (hidden, so no reader takes it for an
article): each feed's address, its `--match` pattern, the validators of its last answer (ETag,
Last-Modified, sent back so that an unchanged feed costs one short request) and the links
already seen (never fetched twice). A poll fetches each feed, then each new link through
`qa.ingest.links`, keeps the articles whose title or text matches, and hands them to `save` (the
Service's upsert). A feed that fails is reported in its result; the others are still polled.
robots.txt is honoured for feeds and the links in them.

What a feed links to is read by `qa.ingest.feedreader`.
"""

import fcntl
import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from qa.articles import Article
from qa.errors import FeedError, FetchError, IngestError, QAError
from qa.files import atomic_file
from qa.ingest.feedreader import feed_links, find_feed, web_links
from qa.ingest.fetch import FEED_TYPES, Fetcher, Robots
from qa.ingest.links import fetch_article

log = logging.getLogger(__name__)

FEEDS_FILE = ".feeds.json"
SEEN_KEPT = 5000  # links remembered per feed: far more than any feed or news sitemap lists
NEW_PER_POLL = 100  # links fetched per feed and poll; a long sitemap is worked through in turns
FAILURES_KEPT = 20

_INTERVAL = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[smh]?)\s*$", re.IGNORECASE)
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600}

Save = Callable[[list[Article]], int]  # saves articles, returns the index job's number


def parse_interval(value: str) -> float:
    """Seconds in "900", "45s", "30m" or "2h"; ValueError for anything else."""
    match = _INTERVAL.match(value or "")
    seconds = float(match["number"]) * _SECONDS[match["unit"].lower()] if match else 0.0
    if seconds <= 0:
        raise ValueError(f"{value!r} is not an interval such as 900, 45s, 30m or 2h")
    return seconds


def compile_match(pattern: str | None) -> re.Pattern[str] | None:
    """The `--match` pattern, case-insensitive; FeedError if it is not a regular expression."""
    if not pattern:
        return None
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        raise FeedError(f"--match {pattern!r} is not a regular expression: {error}") from None


@dataclass
class PollResult:
    """What one poll of one feed did."""

    at: str
    status: str = "ok"  # ok | unchanged | error
    links: int = 0  # in the feed
    new: int = 0  # not seen before, fetched now
    added: list[str] = field(default_factory=list)  # article ids saved
    skipped: int = 0  # fetched, but not matching or disallowed by robots.txt
    failed: list[list[str]] = field(default_factory=list)  # [link, message]
    message: str = ""
    job: int | None = None


@dataclass
class Feed:
    """A feed followed, with what the last poll left for the next one."""

    url: str
    match: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    seen: list[str] = field(default_factory=list)
    last_poll: PollResult | None = None

    @classmethod
    def of(cls, record: dict) -> "Feed":
        last = record.get("last_poll")
        return cls(**{**record, "last_poll": PollResult(**last) if last else None})

    def summary(self) -> dict:
        """The feed as status shows it: no validators, no seen links."""
        last = asdict(self.last_poll) if self.last_poll else None
        return {"url": self.url, "match": self.match, "seen": len(self.seen), "last_poll": last}


class FeedList:
    """The feeds file of a corpus folder; changes are made under a lock on it."""

    def __init__(self, corpus_dir: Path):
        self.path = Path(corpus_dir) / FEEDS_FILE
        self._cache: tuple[tuple[int, int], list[Feed]] | None = None

    def load(self) -> list[Feed]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return []
        key = (stat.st_mtime_ns, stat.st_size)
        if self._cache is None or self._cache[0] != key:
            try:
                records = json.loads(self.path.read_text(encoding="utf-8"))["feeds"]
                self._cache = (key, [Feed.of(record) for record in records])
            except (ValueError, KeyError, TypeError) as error:
                message = f"{self.path}: not a feeds file ({error}); fix or remove it"
                raise FeedError(message) from None
        return [Feed.of(asdict(feed)) for feed in self._cache[1]]  # copies: callers change them

    @contextmanager
    def editing(self) -> Iterator[list[Feed]]:
        """The feeds, to change in place; written back when the block ends without error."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(FEEDS_FILE + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            feeds = self.load()
            yield feeds
            records = {"feeds": [asdict(feed) for feed in feeds]}
            with atomic_file(self.path) as file:
                file.write(json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8"))

    def follow(self, url: str, match: str | None) -> tuple[str, int]:
        """Find the feed at `url` (or the one a homepage there links to) and follow it; its
        address and how many links it has now."""
        compile_match(match)  # a bad pattern is refused before anything is fetched
        with Fetcher.from_settings() as fetcher:
            found, links = find_feed(url, fetcher)
        self.add(found, match)
        return found, links

    def add(self, url: str, match: str | None) -> Feed:
        """Follow `url` (a feed or sitemap address), or change the pattern of one followed."""
        compile_match(match)
        with self.editing() as feeds:
            for feed in feeds:
                if feed.url == url:
                    feed.match = match or None
                    return feed
            feeds.append(Feed(url, match or None))
            return feeds[-1]

    def remove(self, url: str) -> bool:
        with self.editing() as feeds:
            kept = [feed for feed in feeds if feed.url != url]
            found = len(kept) < len(feeds)
            feeds[:] = kept
        return found

    def record(self, polled: Feed, advanced: bool) -> None:
        """Store a polled feed's result and, if `advanced` (its articles were saved), its
        validators and seen links, so the next poll starts after them."""
        with self.editing() as feeds:
            for feed in feeds:
                if feed.url == polled.url:  # still followed
                    feed.last_poll = polled.last_poll
                    if advanced:
                        feed.etag, feed.last_modified = polled.etag, polled.last_modified
                        feed.seen = polled.seen[-SEEN_KEPT:]


def poll_feed(feed: Feed, fetcher: Fetcher, robots: Robots) -> list[Article]:
    """The new matching articles of one feed; `feed` is updated and holds the result."""
    result = feed.last_poll = PollResult(at=_now())
    if not robots.allowed(feed.url):
        raise FeedError(f"{feed.url}: robots.txt does not allow fetching it")
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    fetched = fetcher.fetch(feed.url, FEED_TYPES, headers)
    if fetched.not_modified:
        result.status, result.message = "unchanged", "not modified since the last poll"
        return []
    links = web_links(feed_links(fetched, fetcher))
    feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
    seen = set(feed.seen)
    new = [link for link in links if link not in seen][:NEW_PER_POLL]
    result.links, result.new = len(links), len(new)
    if not links:
        result.message = "the feed lists no articles"
    match = compile_match(feed.match)
    articles = []
    for link in new:
        if not robots.allowed(link):
            result.skipped += 1
            feed.seen.append(link)
            continue
        try:
            article = fetch_article(link, fetcher)
        except (FetchError, IngestError) as error:
            result.failed.append([link, error.message])
            if not (isinstance(error, FetchError) and error.transient):
                feed.seen.append(link)  # a timeout or a 5xx is tried again next time
            continue
        feed.seen.append(link)
        if match and not match.search(f"{article.title}\n{article.text}"):
            result.skipped += 1
            continue
        articles.append(article)
    del result.failed[FAILURES_KEPT:]
    if not new and links:
        result.message = "no new links"
    return articles


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class PollProgress:
    """The poll running now, for status: which feed, and how far."""

    running: bool = False
    feed: str = ""
    done: int = 0
    total: int = 0
    started: str | None = None
    finished: str | None = None


class Poller:
    """Polls the feeds of a corpus folder, now (`poll`) or in a background thread (`start`)."""

    def __init__(self, corpus_dir: Path, save: Save):
        self.feeds = FeedList(corpus_dir)
        self.save = save
        self.progress = PollProgress()
        self._one_at_a_time = threading.Lock()
        self._wanted = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll(self) -> list[Feed]:
        """Poll every feed once; each polled feed with its result. One feed failing is
        recorded in its result and the others are still polled."""
        with self._one_at_a_time, Fetcher.from_settings() as fetcher:
            robots = Robots(fetcher)
            feeds = self.feeds.load()
            self.progress = PollProgress(running=True, total=len(feeds), started=_now())
            for number, feed in enumerate(feeds):
                self.progress.feed, self.progress.done = feed.url, number
                self._poll_one(feed, fetcher, robots)
            self.progress.running, self.progress.finished = False, _now()
            self.progress.done, self.progress.feed = len(feeds), ""
            return feeds

    def _poll_one(self, feed: Feed, fetcher: Fetcher, robots: Robots) -> None:
        try:
            articles = poll_feed(feed, fetcher, robots)
            if articles:
                feed.last_poll.job = self.save(articles)
                feed.last_poll.added = [article.id for article in articles]
        except Exception as error:  # whatever goes wrong with one feed, the others are polled
            if not isinstance(error, QAError):
                log.exception("polling %s failed", feed.url)
            result = feed.last_poll or PollResult(at=_now())
            result.status, result.message, result.added = "error", str(error), []
            self.feeds.record(feed, advanced=False)  # nothing saved: the same links next time
            return
        self.feeds.record(feed, advanced=True)

    def start(self, interval: float | None) -> None:
        """Poll in a thread every `interval` seconds (None: only when `poll_soon` asks)."""

        def loop() -> None:
            while not self._stop.is_set():
                self._wanted.wait(interval)
                self._wanted.clear()
                if self._stop.is_set():
                    return
                try:
                    self.poll()
                except Exception:  # the thread must survive a broken feeds file
                    log.exception("polling the feeds failed")

        self._thread = threading.Thread(target=loop, name="qa-feeds", daemon=True)
        self._thread.start()

    def poll_soon(self) -> None:
        """Have the background thread poll now."""
        self._wanted.set()

    def stop(self) -> None:
        self._stop.set()
        self._wanted.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def status(self) -> dict:
        """The poll running now (if any) and every feed's last result."""
        try:
            feeds = [feed.summary() for feed in self.feeds.load()]
        except FeedError as error:
            return asdict(self.progress) | {"feeds": [], "error": str(error)}
        return asdict(self.progress) | {"feeds": feeds}
