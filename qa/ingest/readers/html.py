"""Saved news pages (.html): trafilatura finds the main text and the page's metadata.

trafilatura keeps what looks like article text, which on Indonesian sites still includes the
dateline and "Baca juga:" lines, so its text goes through the same cleaner as scraped pages.
"""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html

from qa.articles import Article, id_from_path
from qa.errors import IngestError
from qa.ingest.readers.base import Result
from qa.ingest.readers.dates import parse_date
from qa.ingest.readers.junk import is_prose
from qa.ingest.readers.lead import dropped_lead
from qa.ingest.readers.outlets import outlet_name
from qa.ingest.readers.scraped import Page, parse_page
from qa.ingest.readers.text import read_text

_TITLE_TAIL = re.compile(r"\s+[-|–—]\s+(?P<tail>(?:(?!\s[-|–—]\s).)+?)\s*$")
_TITLE_HEAD = re.compile(r"^(?P<head>[\w.-]+\.[a-z]{2,})\s*:\s+", re.IGNORECASE)
_SECTION_BEFORE = re.compile(r"^\w[\w ]{0,30}\s[-|–—:]\s$")
_DOMAIN = re.compile(r"^(?:www\.)?[\w-]+(?:\.[\w-]+)+$")


def without_site_name(title: str, names: list[str]) -> str:
    """The headline without the site's name that <title> adds: "... - Kompas.com",
    "... - Kompas.com Regional", "... | Republika Online", "KapanLagi.com: ..."; a " - " inside
    the headline stays."""
    known = tuple(name.strip().lower() for name in names if name)

    def is_site(part: str) -> bool:
        return part.lower().startswith(known) or _DOMAIN.match(part) is not None

    while (tail := _TITLE_TAIL.search(title)) and is_site(tail["tail"]):
        title = title[: tail.start()]
    if (head := _TITLE_HEAD.match(title)) and is_site(head["head"]):
        title = title[head.end() :]
    return title


def as_shown(title: str, html: str) -> str:
    """The headline as the page's one <h1> shows it when the meta title adds a section before
    it ("Musik - Bikin Gaduh Kota, ..." for the <h1> "Bikin Gaduh Kota, ...")."""
    try:
        shown = [" ".join(h.text_content().split()) for h in lxml.html.fromstring(html).iter("h1")]
    except (ValueError, lxml.etree.ParserError):
        return title
    shown = [text for text in shown if text]
    if len(shown) == 1 and title != shown[0] and _SECTION_BEFORE.match(title[: -len(shown[0])]):
        return shown[0] if title.endswith(shown[0]) else title
    return title


def _squashed_domain(name: str) -> bool:
    """A site name that is a domain with its dots lost ("VIVAcoid" for viva.co.id)."""
    return "." not in name and name.lower().endswith(("com", "coid", "co", "id", "net"))


def _extract(html: str, precision: bool, url: str | None) -> dict[str, Any]:
    """trafilatura's text and metadata of a page ({} when it finds no text)."""
    import trafilatura  # imported here: slow to import, and only needed for HTML

    extracted = trafilatura.extract(
        html,
        url=url,
        output_format="json",
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=precision,
    )
    return json.loads(extracted) if extracted else {}


def _article(meta: dict[str, Any], title: str, html: str) -> Page | None:
    """The article in trafilatura's text (with the lead it dropped), or None when it holds no
    prose (menus, link lists)."""
    text = meta.get("text") or ""
    lines = [
        line for line in [*dropped_lead(html, text), *text.split("\n")] if line.strip() != title
    ]
    page = parse_page("\n".join(lines))  # without the headline, which pages repeat
    return page if any(map(is_prose, page.text.split("\n\n"))) else None


def read_html(path: Path) -> Iterator[Result]:
    """One article from a saved web page."""
    html, warning = read_text(path)
    if warning:
        yield warning
    yield article_from_html(html, id_from_path(path), str(path))


def article_from_html(html: str, article_id: str, where: str, url: str | None = None) -> Article:
    """The article in a web page, from a file or fetched from `url` (which then resolves
    relative links and fills in the address when the page names none).

    trafilatura is asked first to favour precision: on news pages its default also keeps
    lists of related headlines, and on some takes such a list for the article. When that
    finds no prose, the default extraction is tried.
    """
    for precision in (True, False):
        meta = _extract(html, precision, url)
        names = [meta.get(key) or "" for key in ("source-hostname", "sitename", "hostname")]
        names = [name for name in names if name and "/" not in name]  # no "https://fb.com/..."
        names.sort(key=_squashed_domain)  # "VIVAcoid": a site name with its dots lost
        title = as_shown(without_site_name((meta.get("title") or "").strip(), names), html)
        if page := _article(meta, title, html):
            break
    else:
        raise IngestError(where, "no article text found in the HTML page")
    try:
        published = parse_date(meta["date"]) if meta.get("date") else page.published
    except ValueError:
        published = page.published
    return Article(
        id=article_id,
        title=title or page.title,
        text=page.text,
        source=outlet_name(names[0]) if names else page.source,
        url=meta.get("source") or None,
        published=published,
        path=where,
    )
