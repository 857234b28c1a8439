"""The corpus's own format: Markdown with YAML front matter (id, title, source, url, published).

The same front matter may open a scraped .txt file, to give what the page did not say.
"""

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from qa.articles import Article, id_from_path
from qa.errors import IngestError
from qa.ingest.readers.base import Problem, Result, clean_id, title_from_text
from qa.ingest.readers.dates import published_from
from qa.ingest.readers.text import read_text
from qa.text.language import detect_language

_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$")


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so that `published: 2023-02-30` is our error to word."""


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def split_front_matter(text: str, path: str) -> tuple[dict[str, Any], str, int]:
    """(front matter, body, line number where the body starts); no front matter gives {}."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text, 1
    number = next((n for n, line in enumerate(lines[1:], start=2) if _FENCE.match(line)), 0)
    if not number:
        raise IngestError(path, "front matter opened with '---' is never closed by '---'", 1)
    try:
        meta = yaml.load("\n".join(lines[1 : number - 1]), Loader=_Loader)  # a SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(error, "problem", None) or str(error).split("\n", 1)[0]
        raise IngestError(path, f"broken YAML front matter: {reason}", line) from error
    except RecursionError as error:
        raise IngestError(path, "broken YAML front matter: nested too deeply", 2) from error
    except ValueError as error:  # a number over Python's 4300 digits, for one
        reason = str(error).split(";", 1)[0]
        raise IngestError(path, f"broken YAML front matter: {reason}", 2) from error
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise IngestError(path, "front matter must be 'key: value' lines (a YAML mapping)", 2)
    return meta, "\n".join(lines[number:]), number + 1


def front_matter_fields(meta: dict[str, Any], path: str) -> dict[str, Any]:
    """The Article fields given in front matter, checked; an impossible date is an error."""
    fields: dict[str, Any] = {}
    if meta.get("id") is not None:
        fields["id"] = clean_id(meta["id"], path)
    for name in ("title", "source", "url", "language"):
        value = meta.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str | int | float):
            raise IngestError(path, f"{name} must be text, not {type(value).__name__}")
        fields[name] = str(value).strip()
        try:
            fields[name].encode("utf-8")
        except UnicodeEncodeError as error:  # YAML lets "\ud800" through
            raise IngestError(path, f"{name} has an unpaired surrogate escape (\\ud800)") from error
    if "language" in fields and fields["language"] not in ("id", "en"):
        raise IngestError(path, f"language must be 'id' or 'en', not {fields['language']!r}")
    try:
        published = published_from(meta.get("published"))
    except ValueError as error:
        raise IngestError(path, f"published: {error}") from error
    if published is not None:
        fields["published"] = published
    return fields


def front_matter_id(path: Path) -> str:
    """The id of a single-article file without reading the whole of it for an Article."""
    text, _ = read_text(path)
    meta, _, _ = split_front_matter(text, str(path))
    if meta.get("id") is not None:
        return clean_id(meta["id"], str(path))
    return id_from_path(path)


def read_markdown(path: Path) -> Iterator[Result]:
    """One article from a Markdown file; without front matter, the title is its "# heading"."""
    text, warning = read_text(path)
    if warning:
        yield warning
    meta, body, _ = split_front_matter(text, str(path))
    fields = front_matter_fields(meta, str(path))
    body = body.strip()
    heading = _HEADING.match(body.split("\n", 1)[0]) if body else None
    if heading and fields.get("title", heading[1]) == heading[1]:
        fields.setdefault("title", heading[1])
        body = body[heading.end() :].strip()
    if not body:
        raise IngestError(str(path), "no article text after the front matter")
    if not meta:
        yield Problem(str(path), "no front matter: id from the file name", None, "warning")
    fields.setdefault("id", id_from_path(path))
    fields.setdefault("title", title_from_text(body))
    yield Article(text=body, path=str(path), **fields)


def render_markdown(article: Article) -> str:
    """The file text for `article`: front matter, blank line, body. read_markdown reads it back."""
    meta: dict[str, Any] = {"id": article.id, "title": article.title, "source": article.source}
    if article.url:
        meta["url"] = article.url
    if (published := article.published) is not None:
        meta["published"] = date(published.year, published.month, published.day)
    if article.language and article.language != detect_language(f"{article.title}\n{article.text}"):
        meta["language"] = article.language
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
    return f"---\n{header}---\n\n{article.text}\n"
