"""What every reader yields: articles, and problems that name the file (and line) they come from."""

import re
from dataclasses import dataclass
from typing import Literal

from qa.articles import Article, slugify
from qa.errors import IngestError

Level = Literal["error", "warning", "note"]

_SPACE = re.compile(r"\s+")


@dataclass
class Problem:
    """Something wrong with one file or one line of it; the run goes on with every other article.

    `error`: the file (or line) gave no article. `warning`: an article was read (or skipped:
    the same article read twice), but something deserves a look. `note`: a file that is not an
    article.
    """

    path: str
    message: str
    line: int | None = None
    level: Level = "error"

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    def __str__(self) -> str:
        return f"{self.level}: {self.where}: {self.message}"

    @classmethod
    def from_error(cls, error: IngestError) -> "Problem":
        return cls(error.path, error.message, error.line)


Result = Article | Problem


def title_from_text(text: str, limit: int = 100) -> str:
    """A title for an article that has none: its first sentence, cut at a word near `limit`."""
    first = _SPACE.sub(" ", text.strip().split("\n", 1)[0])
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0].rstrip(".")
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:-–")
    return f"{cut}…"


def clean_id(raw: object, path: str, line: int | None = None) -> str:
    """An explicit id, checked: ids name files (`<id>.md`) and appear in URLs."""
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise IngestError(path, f"id must be a string, not {type(raw).__name__}", line)
    value = str(raw).strip()
    if not value:
        raise IngestError(path, "id is empty; give a non-empty id or leave it out", line)
    if slugify(value) != value:
        raise IngestError(
            path,
            f"id {value!r} is not safe in a file name or URL; use letters, digits, '.', '_', '-' "
            f"(for example {slugify(value)!r})",
            line,
        )
    return value
