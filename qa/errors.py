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


class UnknownBackend(QAError):
    """An embedder or index backend name that does not resolve."""
