"""Readers, chosen by file suffix, that turn one file into articles (and problems).

Every reader is a function `(path) -> Iterator[Article | Problem]`. Whatever goes wrong with the
file as a whole is raised as IngestError; `read_file` turns it into a problem, so that no file
stops a run. Bulk readers report a bad line and go on with the next. An article's `url` that is
not an http(s) link (`javascript:...`) is dropped here, for every reader, with a warning: the
article is kept, the link never reaches the index.
"""

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from qa.articles import MAX_TEXT_CHARACTERS, Article, id_from_path, not_web_address, web_address
from qa.errors import IngestError
from qa.ingest.readers.base import Level, Problem, Result
from qa.ingest.readers.html import read_html
from qa.ingest.readers.markdown import front_matter_id, read_markdown
from qa.ingest.readers.records import read_json, read_jsonl, record_ids
from qa.ingest.readers.removed import reading
from qa.ingest.readers.scraped import read_scraped

Reader = Callable[[Path], Iterator[Result]]

READERS: dict[str, Reader] = {
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".txt": read_scraped,
    ".html": read_html,
    ".htm": read_html,
    ".jsonl": read_jsonl,
    ".json": read_json,
}
BULK_SUFFIXES = frozenset({".jsonl", ".json"})

__all__ = ["BULK_SUFFIXES", "READERS", "Problem", "Result", "file_ids", "read_file", "reader_for"]


def reader_for(path: Path) -> Reader | None:
    """The reader for `path`'s suffix, or None for a file type we do not read."""
    return READERS.get(path.suffix.lower())


def read_file(path: Path) -> Iterator[Result]:
    """Every article in `path`, with the problems met on the way; never raises for bad input."""
    reader = reader_for(path)
    if reader is None:
        known = " ".join(sorted(READERS))
        yield Problem(str(path), f"skipped: not an article file ({known})", None, "note")
        return
    try:
        with reading(str(path)):
            for item in reader(path):
                if isinstance(item, Article) and len(item.text) > MAX_TEXT_CHARACTERS:
                    item = _too_long(path, item)
                elif isinstance(item, Article) and item.url is not None:
                    address = web_address(item.url)
                    if address is None:
                        yield _where(path, item, f"{not_web_address(item.url)}; dropped", "warning")
                    if address != item.url:
                        item = replace(item, url=address)
                yield item
    except IngestError as error:
        yield Problem.from_error(error)
    except OSError as error:
        yield Problem(str(path), f"could not read the file: {error.strerror or error}")


def _too_long(path: Path, article: Article) -> Problem:
    """The error for an article over MAX_TEXT_CHARACTERS, at its line or item of a bulk file."""
    message = (
        f"the text is {len(article.text):,} characters, more than the "
        f"{MAX_TEXT_CHARACTERS:,} an article may have: split it into articles or remove it"
    )
    return _where(path, article, message)


def _where(path: Path, article: Article, message: str, level: Level = "error") -> Problem:
    """A problem with `article`, at its line or item of a bulk file."""
    where = article.path.removeprefix(str(path))  # "", ":12" (JSON Lines) or "#3" (JSON list)
    line = int(where[1:]) if where.startswith(":") else None
    item = f"item {where[1:]}: " if where.startswith("#") else ""
    return Problem(str(path), f"{item}{message}", line, level)


def file_ids(path: Path) -> list[str]:
    """The ids of the articles in `path`, found cheaply (no cleaning, no HTML parsing).

    Unreadable files and records have no ids. Used to find where an id lives before replacing
    or removing it.
    """
    suffix = path.suffix.lower()
    try:
        if suffix in BULK_SUFFIXES:
            return list(record_ids(path))
        if suffix in (".md", ".markdown", ".txt"):
            return [front_matter_id(path)]
        if suffix in READERS:
            return [id_from_path(path)]
    except (IngestError, OSError):
        return []
    return []
