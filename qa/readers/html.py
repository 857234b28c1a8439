"""Saved news pages (.html): trafilatura finds the main text and the page's metadata.

trafilatura keeps what looks like article text, which on Indonesian sites still includes the
dateline and "Baca juga:" lines, so its text goes through the same cleaner as scraped pages.
"""

import json
import re
from collections.abc import Iterator
from pathlib import Path

from qa.articles import Article, id_from_path
from qa.errors import IngestError
from qa.readers.base import Result
from qa.readers.dates import parse_date
from qa.readers.junk import is_prose
from qa.readers.outlets import outlet_name
from qa.readers.scraped import parse_page
from qa.readers.text import read_text

_TITLE_TAIL = re.compile(r"\s+[-|–—]\s+(?P<tail>(?:(?!\s[-|–—]\s).)+?)\s*$")
_DOMAIN = re.compile(r"^(?:www\.)?[\w-]+(?:\.[\w-]+)+$")


def without_site_name(title: str, names: list[str]) -> str:
    """The headline without the site's name that <title> adds: "... - Kompas.com",
    "... | Republika Online"; a " - " inside the headline stays."""
    known = {name.strip().lower() for name in names if name}
    while (tail := _TITLE_TAIL.search(title)) and (
        tail["tail"].lower() in known or _DOMAIN.match(tail["tail"])
    ):
        title = title[: tail.start()]
    return title


def read_html(path: Path) -> Iterator[Result]:
    """One article from a saved web page."""
    import trafilatura  # imported here: slow to import, and only needed for HTML

    html, warning = read_text(path)
    if warning:
        yield warning
    extracted = trafilatura.extract(
        html,
        output_format="json",
        with_metadata=True,
        include_comments=False,
        include_tables=False,
    )
    if not extracted:
        raise IngestError(str(path), "no article text found in the HTML page")
    meta = json.loads(extracted)
    names = [meta.get(key) or "" for key in ("source-hostname", "sitename", "hostname")]
    site = next(filter(None, names), "")
    title = without_site_name((meta.get("title") or "").strip(), names)
    text = meta.get("text") or ""
    first, _, rest = text.partition("\n")
    if title and first.strip() == title:
        text = rest  # the headline, which trafilatura puts before the text
    page = parse_page(text)
    if not any(map(is_prose, page.text.split("\n\n"))):  # menus and link lists only
        raise IngestError(str(path), "no article text found in the HTML page")
    try:
        published = parse_date(meta["date"]) if meta.get("date") else page.published
    except ValueError:
        published = page.published
    yield Article(
        id=id_from_path(path),
        title=title or page.title,
        text=page.text,
        source=outlet_name(site) if site else page.source,
        url=meta.get("source") or None,
        published=published,
        path=str(path),
    )
