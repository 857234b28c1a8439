"""What the cleaner removed from each file, by junk family, for `qa corpus check` to show.

The cleaner notes each line it drops (`note`); nothing is kept unless a caller is `recording`,
so reading a corpus for the index costs nothing extra. `read_file` names the file being read
(`reading`), so that what is noted lands under that file's path.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Removal:
    """One piece of page furniture taken out of an article: its family and its text."""

    family: str
    text: str


_LOG: ContextVar[dict[str, list[Removal]] | None] = ContextVar("removed_log", default=None)
_FILE: ContextVar[str] = ContextVar("removed_file", default="")


@contextmanager
def recording() -> Iterator[dict[str, list[Removal]]]:
    """Collect, by file path, what the cleaner removes while the block runs."""
    log: dict[str, list[Removal]] = {}
    token = _LOG.set(log)
    try:
        yield log
    finally:
        _LOG.reset(token)


@contextmanager
def reading(path: str) -> Iterator[None]:
    """Note what is removed while the block runs under `path`."""
    token = _FILE.set(path)
    try:
        yield
    finally:
        _FILE.reset(token)


def note(family: str, text: str) -> None:
    """Record that `text` was removed as `family`, when someone is recording."""
    log = _LOG.get()
    if log is not None and text.strip():
        log.setdefault(_FILE.get(), []).append(Removal(family, text.strip()))


@contextmanager
def held() -> Iterator[Callable[[], None]]:
    """Hold back what is noted in the block: it is recorded only if the block calls the function
    it is given (a first try whose result is thrown away leaves no notes)."""
    outer = _LOG.get()
    inner: dict[str, list[Removal]] = {}
    token = _LOG.set(inner if outer is not None else None)
    kept: list[bool] = []
    try:
        yield lambda: kept.append(True)
    finally:
        _LOG.reset(token)
        if outer is not None and kept:
            for path, items in inner.items():
                outer.setdefault(path, []).extend(items)
