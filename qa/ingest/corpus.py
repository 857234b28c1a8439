"""The corpus folder: read it whole into articles, and change it one article at a time.

Reading resolves repeats by id alone: each id is one article, so the same text under another
id is another article (another outlet's copy, which the index files under the same story:
qa/index/copies.py), and the same id read again with anything changed is an update (the later file,
or line, wins). That is the rule the API, /admin, add-by-link, the start-up sync and
`qa index check` all see, since they read the folder through here: nothing a write accepted is
dropped for its text. Writing never loses another article: files are replaced atomically, and
an id that moves (from a .txt page or a bulk .jsonl file into its own .md file) is removed
from where it was, under a lock on the folder.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from qa.articles import Article, slugify
from qa.errors import IngestError
from qa.files import atomic_file
from qa.ingest.readers import BULK_SUFFIXES, Problem, file_ids, read_file
from qa.ingest.readers.markdown import render_markdown
from qa.ingest.readers.records import remove_records

__all__ = [
    "CorpusScan",
    "Problem",
    "corpus_files",
    "remove_article",
    "scan_corpus",
    "write_article",
]

# Files that document a corpus folder rather than being articles in it.
_DOCUMENTATION = frozenset({"readme", "license", "licence", "changelog"})


@dataclass
class CorpusScan:
    """The articles of a corpus by id (in the order first met) and the problems met reading it."""

    articles: dict[str, Article] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Problems that cost an article: a file or a line that could not be read."""
        return [problem for problem in self.problems if problem.level == "error"]

    def add(self, article: Article) -> None:
        """Add `article`; an id read before is replaced by this version if anything differs."""
        path, line = _location(article)
        old = self.articles.get(article.id)
        if old is not None and old.fingerprint == article.fingerprint:
            message = f"skipped {article.id!r}: already read from {old.path}"
            self.problems.append(Problem(path, message, line, "warning"))
            return
        if old is not None:
            message = f"{article.id!r} read again, changed: replaces the one in {old.path}"
            self.problems.append(Problem(path, message, line, "warning"))
        self.articles[article.id] = article


def _location(article: Article) -> tuple[str, int | None]:
    """(file, line) of an article's `path` ("news.jsonl:12" is line 12 of news.jsonl)."""
    head, _, tail = article.path.rpartition(":")
    if head.lower().endswith(".jsonl") and tail.isdigit():
        return head, int(tail)
    return article.path, None


def corpus_files(folder: Path) -> Iterator[Path]:
    """Every file under `folder`, in sorted order, leaving out hidden files and folders."""
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root) / name


def scan_corpus(folder: Path) -> CorpusScan:
    """Read every article file under `folder`; bad files become problems, never exceptions."""
    if not folder.is_dir():
        raise IngestError(str(folder), "corpus folder not found; create it or name another one")
    scan = CorpusScan()
    for path in corpus_files(folder):
        if path.stem.lower() in _DOCUMENTATION:
            scan.problems.append(Problem(str(path), "skipped: documentation", None, "note"))
            continue
        for item in read_file(path):
            if isinstance(item, Problem):
                scan.problems.append(item)
            else:
                scan.add(item)
    return scan


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold the folder's write lock: two writers must not rewrite the same bulk file at once."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # releases the lock


def _homes(folder: Path, article_id: str) -> list[Path]:
    """The files under `folder` that hold an article with `article_id`."""
    return [path for path in corpus_files(folder) if article_id in file_ids(path)]


def _remove_from(path: Path, article_id: str) -> None:
    if path.suffix.lower() in BULK_SUFFIXES:
        remove_records(path, article_id)
    else:
        path.unlink()


def write_article(article: Article, folder: Path) -> Path:
    """Save `article` as a Markdown file in `folder` and return its path.

    An article already in its own .md file is rewritten there; otherwise it goes to
    `<folder>/<id>.md` (or `<id>-2.md` when that name holds another article). Any other copy
    with the same id, in a single-article file or a bulk file, is removed afterwards, so the
    folder holds the new version once.
    """
    if not article.id or slugify(article.id) != article.id:
        hint = f"use letters, digits, '.', '_', '-', for example {slugify(article.id)!r}"
        raise IngestError(article.id or "(no id)", f"not a usable article id; {hint}")
    if not article.text.strip():
        raise IngestError(article.id, "article has no text")
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
        homes = _homes(folder, article.id)
        own = [path for path in homes if path.suffix.lower() == ".md"]
        target = own[0] if own else _free_name(folder, article.id)
        with atomic_file(target) as file:
            file.write(render_markdown(article).encode("utf-8"))
        for path in homes:
            if path != target:
                _remove_from(path, article.id)
    return target


def _free_name(folder: Path, article_id: str) -> Path:
    """`<id>.md`, unless that file holds another article: then `<id>-2.md`, `<id>-3.md`, ..."""
    target = folder / f"{article_id}.md"
    number = 1
    while target.exists() and file_ids(target) not in ([], [article_id]):
        number += 1
        target = folder / f"{article_id}-{number}.md"
    return target


def remove_article(article_id: str, folder: Path) -> bool:
    """Remove the article from the corpus folder; False when no file holds that id.

    A single-article file is deleted; a record in a bulk file is cut out of it and the rest of
    the file kept as it was.
    """
    if not folder.is_dir():
        return False
    with _locked(folder):
        homes = _homes(folder, article_id)
        for path in homes:
            _remove_from(path, article_id)
    return bool(homes)
