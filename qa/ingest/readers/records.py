"""Bulk imports: JSON Lines (one article per line, streamed) and JSON (one object or a list).

Each record has `text` and optionally `id`, `title`, `source`, `url`, `published`, `language`.
A record without an id is named by a slug of its `url` (an http(s) one: no id comes from a
`javascript:` link), else of its `title` (and `published` date), else of the file name and line
number. Line numbers change when lines are added above, so that last one is not stable and
comes with a warning: give such records an id or a url.
Two records without id or url that share title and date are taken for the same article.
"""

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from qa.articles import Article, slugify, web_address
from qa.errors import IngestError
from qa.files import atomic_file
from qa.ingest.readers.base import Problem, Result, clean_id, title_from_text
from qa.ingest.readers.dates import published_from
from qa.ingest.readers.text import SNIFF_BYTES, check_not_binary, decode, read_text

ID_LENGTH = 100


def _slug(value: str) -> str:
    """A lower-case slug of at most ID_LENGTH characters, kept distinct by a hash when cut."""
    slug = slugify(value.lower())
    if len(slug) <= ID_LENGTH:
        return slug
    digest = hashlib.sha1(value.encode("utf-8")).hexdigest()[:10]
    return f"{slug[: ID_LENGTH - 11].rstrip('-.')}-{digest}"


def id_from_url(url: str) -> str:
    """An id from a URL: https://www.suara.com/news/2020/x -> "suara.com-news-2020-x"."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    return _slug(f"{host}{parts.path}".rstrip("/") or url)


def record_id(record: dict[str, Any], path: str, where: str, line: int | None) -> str:
    """The id of a record: explicit, else from url, else title (+ date), else `<stem>-<where>`."""
    if record.get("id") not in (None, ""):
        return clean_id(record["id"], path, line)
    if isinstance(url := record.get("url"), str) and web_address(url):
        return id_from_url(url)
    if isinstance(title := record.get("title"), str) and title.strip():
        published = record.get("published")
        return _slug(f"{title} {published}" if isinstance(published, str) else title)
    return _slug(f"{Path(path).stem}{where}")


def article_from_record(record: Any, path: str, where: str, line: int | None) -> Iterator[Result]:
    """The article in one record, after any warning about it; IngestError when there is none."""
    if not isinstance(record, dict):
        raise IngestError(path, f"expected a JSON object, got {type(record).__name__}", line)
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise IngestError(path, "record has no 'text'", line)
    fields: dict[str, Any] = {}
    for name in ("title", "source", "url", "language"):
        value = record.get(name)
        if value in (None, ""):
            continue
        if not isinstance(value, str):
            raise IngestError(path, f"{name} must be a string, not {type(value).__name__}", line)
        fields[name] = value.strip()
    if fields.get("language", "id") not in ("id", "en"):
        raise IngestError(path, f"language must be 'id' or 'en', not {fields['language']!r}", line)
    try:
        fields["published"] = published_from(record.get("published"))
    except ValueError as error:
        raise IngestError(path, f"published: {error}", line) from error
    article_id = record_id(record, path, where, line)
    if not any(record.get(key) not in (None, "") for key in ("id", "url", "title")):
        message = f"no id, url or title: named {article_id!r} after its position; give it an id"
        yield Problem(path, message, line, "warning")
    fields.setdefault("title", title_from_text(text))
    yield Article(id=article_id, text=text, path=f"{path}{where}", **fields)


def _jsonl_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line) for every line of a JSON Lines file, read as a stream."""
    with path.open("rb") as handle:
        check_not_binary(handle.read(SNIFF_BYTES), str(path))
        handle.seek(0)
        yield from enumerate(handle, start=1)


def _parse_line(raw: bytes, path: str, number: int) -> tuple[Any, Problem | None]:
    """The JSON value on one line (None for a blank line) and any decoding warning."""
    text, warning = decode(raw, path, number)
    if not text.strip():
        return None, warning
    try:
        return _loads(text), warning
    except json.JSONDecodeError as error:
        message = f"not valid JSON ({error.msg}, column {error.colno})"
        raise IngestError(path, message, number) from error
    except (ValueError, RecursionError) as error:
        raise IngestError(path, f"not valid JSON ({_reason(error)})", number) from error


def read_jsonl(path: Path) -> Iterator[Result]:
    """The articles of a JSON Lines file, one line at a time: a bad line costs only itself."""
    empty, warned = True, False
    for number, raw in _jsonl_lines(path):
        try:
            record, warning = _parse_line(raw, str(path), number)
            if warning and not warned:  # once: the other lines are likely the same
                warned = True
                yield warning
            if record is None:
                continue
            empty = False
            yield from article_from_record(record, str(path), f":{number}", number)
        except IngestError as error:
            empty = False
            yield Problem.from_error(error)
    if empty:
        raise IngestError(str(path), "empty file; add one JSON object per line or remove it")


def _load_json(path: Path) -> tuple[Any, Problem | None]:
    text, warning = read_text(path)
    try:
        return _loads(text), warning
    except json.JSONDecodeError as error:
        raise IngestError(str(path), f"not valid JSON ({error.msg})", error.lineno) from error
    except (ValueError, RecursionError) as error:
        raise IngestError(str(path), f"not valid JSON ({_reason(error)})") from error


def _loads(text: str) -> Any:
    """json.loads, refusing also unpaired surrogate escapes ("\\ud800"): no text can hold them."""
    value = json.loads(text)
    json.dumps(value, ensure_ascii=False).encode("utf-8")
    return value


def _reason(error: ValueError | RecursionError) -> str:
    """Why json.loads (or _loads) refused a text that is not a JSONDecodeError."""
    if isinstance(error, RecursionError):
        return "nested too deeply"
    if isinstance(error, UnicodeEncodeError):
        return "an unpaired surrogate escape such as \\ud800, which is not text"
    return str(error).split(";", 1)[0]  # "Exceeds the limit (4300 digits) for integer ..."


def read_json(path: Path) -> Iterator[Result]:
    """The article of a JSON object, or the articles of a JSON list ("file.json#3" is the third)."""
    data, warning = _load_json(path)
    if warning:
        yield warning
    if isinstance(data, dict):
        yield from article_from_record(data, str(path), "", None)
        return
    if not isinstance(data, list):
        raise IngestError(str(path), "expected a JSON object or a list of objects")
    for index, record in enumerate(data, start=1):
        try:
            yield from article_from_record(record, str(path), f"#{index}", None)
        except IngestError as error:
            yield Problem(str(path), f"item {index}: {error.message}")


def record_ids(path: Path) -> Iterator[str]:
    """The id of every record in a bulk file, without building articles (no language detection)."""
    for _, record_id_ in _records(path):
        yield record_id_


def _is_article(record: Any) -> bool:
    return (
        isinstance(record, dict)
        and isinstance(record.get("text"), str)
        and record["text"].strip() != ""
    )


def _records(path: Path) -> Iterator[tuple[int, str]]:
    """(line number or item index, id) of every record with a text; the others are skipped."""
    if path.suffix.lower() == ".jsonl":
        for number, raw in _jsonl_lines(path):
            try:
                record, _ = _parse_line(raw, str(path), number)
                if _is_article(record):
                    yield number, record_id(record, str(path), f":{number}", number)
            except IngestError:
                continue
        return
    data, _ = _load_json(path)
    if _is_article(data):
        yield 0, record_id(data, str(path), "", None)
    elif isinstance(data, list):
        for index, record in enumerate(data, start=1):
            if _is_article(record):
                try:
                    yield index, record_id(record, str(path), f"#{index}", None)
                except IngestError:
                    continue


def remove_records(path: Path, article_id: str) -> int:
    """Remove the records with `article_id` from a bulk file; every other line stays byte for byte.

    The file is rewritten beside itself and swapped in (see `atomic_file`), so a crash leaves the
    old file or the new one; a file left with no records is deleted. Returns how many went.
    """
    doomed = {position for position, found in _records(path) if found == article_id}
    if not doomed:
        return 0
    if path.suffix.lower() == ".jsonl":
        left = 0
        with path.open("rb") as source, atomic_file(path) as target:
            for number, raw in enumerate(source, start=1):
                if number not in doomed:
                    target.write(raw)
                    left += bool(raw.strip())
    else:
        data, _ = _load_json(path)
        rest = (
            []
            if isinstance(data, dict)
            else [record for index, record in enumerate(data, start=1) if index not in doomed]
        )
        left = len(rest)
        if rest:
            with atomic_file(path) as target:
                target.write(json.dumps(rest, ensure_ascii=False, indent=2).encode("utf-8"))
                target.write(b"\n")
    if not left:
        path.unlink()
    return len(doomed)
