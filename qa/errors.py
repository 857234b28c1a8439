"""Named exceptions whose messages say what to do next; the CLI and API map them in one place."""


class QAError(Exception):
    """Base class for every error this package raises on purpose."""


class IngestError(QAError):
    """A file (or one line of it) could not be turned into an article."""

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class IndexMissing(QAError):
    """No index has been built at the given location."""


class IndexMismatch(QAError):
    """The index on disk was built with another embedder, dimension or chunker."""


class IndexWriteError(QAError):
    """A new generation could not be written (disk full, folder not writable)."""


class IndexLocked(QAError):
    """Another process is writing the index."""


class UnknownArticle(QAError):
    """An article id that is not in the corpus or index."""


class InvalidFilters(QAError):
    """Search filters no article could meet: a date range that ends before it starts."""


class UnknownBackend(QAError):
    """An embedder or index backend name that does not resolve."""


class ClusterUnavailable(QAError):
    """The Dask cluster asked for cannot be used: Dask not installed, scheduler unreachable."""


class ClusterFailed(QAError):
    """The Dask cluster failed during the work (workers lost too often, scheduler gone)."""


class WorkerMismatch(QAError):
    """A Dask worker embeds with another embedder or dimension than the index was built with."""


class FetchError(QAError):
    """A link that could not be fetched: refused, unreachable, an error status, not a page.

    `transient` errors (timeouts, 5xx) are worth trying again later; `status` is the HTTP
    status the server answered, if it answered.
    """

    def __init__(self, url: str, message: str, transient: bool = False, status: int | None = None):
        self.url = url
        self.message = message
        self.transient = transient
        self.status = status
        super().__init__(f"{url}: {message}")


class UnsafeAddress(FetchError):
    """A link to a private, loopback or link-local address (or one that redirects there)."""


class FetchPoolFull(QAError):
    """Every thread that fetches links is busy; `retry_after` seconds is worth waiting."""

    def __init__(self, message: str, retry_after: int):
        self.retry_after = retry_after
        super().__init__(message)


class NoArticleFound(QAError):
    """None of the links sent gave an article; `detail` says why for each."""

    def __init__(self, failed: list[tuple[str, str]]):
        self.detail = [{"url": url, "error": message} for url, message in failed]
        reasons = "; ".join(f"{url}: {message}" for url, message in failed[:3])
        super().__init__(f"No article could be added: {reasons}")


class FeedError(QAError):
    """A feed that cannot be used: not a feed, nothing in it, or unknown."""
