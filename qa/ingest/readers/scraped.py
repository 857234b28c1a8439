"""Plain text as scraped from Indonesian news sites: find the article in the page and its metadata.

A page is header, article, furniture. The header ends at the dateline ("Liputan6.com, Jakarta -",
which also names the outlet) or at a date line ("JUMAT, 10 SEPTEMBER 2021 | 11:43 WIB"); it holds
the title, breadcrumbs and photo captions. In the article, sentences broken over lines are joined
(`qa.ingest.readers.fragments`), furniture inside a line is put on a line of its own
(`qa.ingest.readers.inline`), and the junk lines are removed by the rules in
`qa.ingest.readers.junk`.
Optional front matter (as in .md files) gives what the page does not say.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from qa.articles import Article, id_from_path
from qa.errors import IngestError
from qa.ingest.readers import dates, junk
from qa.ingest.readers.base import Result, title_from_text
from qa.ingest.readers.fragments import join_fragments
from qa.ingest.readers.inline import split_furniture
from qa.ingest.readers.markdown import front_matter_fields, split_front_matter
from qa.ingest.readers.onepage import headline, is_one_line_page, split_page
from qa.ingest.readers.outlets import find_dateline, outlet_from_layout, outlet_named_in
from qa.ingest.readers.removed import held, note
from qa.ingest.readers.text import read_text

HEADER_LINES = 12  # a dateline or date line further down is not the page header's
_SPACE = re.compile(r"[ \t\u00a0]+")
# A photo caption ends with the day it was taken: "... Jumat (15/7/2022)." What follows on the
# same line is the article's teaser.
_CAPTION_DATE = re.compile(r"\(\d{1,2}/\d{1,2}/\d{2,4}\)\.?(?:\s+|$)")


@dataclass
class Page:
    """What a scraped page says about its article."""

    title: str
    text: str
    source: str = ""
    place: str = ""
    published: date | None = None


def _title_candidate(line: str) -> str:
    """The headline or teaser in a header line, or "" for breadcrumbs, captions and dates."""
    line = dates.strip_hint(line)
    if match := _CAPTION_DATE.search(line):
        line = line[match.end() :]  # a caption, maybe followed by the teaser
    line = line.strip().rstrip(".").strip()
    if (
        len(line.split()) < 3
        or len(line) > 250
        or junk.is_caption(line)
        or junk.is_junk(line)
        or dates.is_date_line(line)
    ):
        return ""
    return line


def _published(header: list[str], date_line: str, body: list[str]) -> date | None:
    """The header's full date, else the lead's "(21/7/2023)" (in the scraper's month, if noted)."""
    if found := next(dates.full_dates(date_line), None):
        return found
    hint = dates.month_hint("\n".join(header))
    in_body = list(dates.slash_dates("\n".join(body[:20])))
    if hint is None:
        return in_body[0] if in_body else next(dates.full_dates("\n".join(header)), None)
    for found in in_body:
        if (found.year, found.month) == hint:
            return found
    return date(hint[0], hint[1], 1)  # the day is unknown: the first of the noted month


def parse_page(text: str) -> Page:
    """Split a scraped page into header and article, and read the header."""
    lines = [_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    one_line = split_page(lines[0]) if is_one_line_page(lines) else None
    if one_line:
        lines = [one_line.header] if one_line.header else []
        lines += one_line.lines
    header: list[str] = []
    date_line = ""
    source = place = ""
    body = lines
    opened = False
    for number, line in enumerate(lines[:HEADER_LINES]):
        dateline = find_dateline(line)
        if dateline and (dateline.outlet or not opened):  # "Kupang - Ende" in a list is no dateline
            header = [*lines[:number], line[: dateline.start]]
            source, place = dateline.outlet, dateline.place
            body = [line[dateline.end :], *lines[number + 1 :]]
            break
        if dates.is_date_line(line):
            if not date_line and not opened:
                date_line = line
                header, body = lines[:number], lines[number + 1 :]
        elif junk.is_prose(line) or junk.is_block_header(line):
            opened = True  # a date line after prose or a sidebar is a sidebar timestamp
    if (
        not header
        and not date_line
        and len(lines) > 1
        and not junk.is_prose(lines[0])
        and not junk.is_block_header(lines[0])
    ):
        header, body = lines[:1], lines[1:]  # a title line, then the article
    if not source:
        source = outlet_from_layout(text) or outlet_named_in(text)
    joined = [line for line in body if line]
    if not one_line:  # its lines are sentences, not a scraper's broken lines
        joined = join_fragments(joined)
    pieces = [piece for line in joined for piece in split_furniture(line)]
    with held() as keep:
        paragraphs = junk.clean_lines(pieces)
        if paragraphs:
            keep()
    if not paragraphs:  # headlines glued to the sentences after them took the whole article
        paragraphs = junk.clean_lines(pieces, glued=True)
    titles = [title for title in map(_title_candidate, header) if title]
    if one_line and one_line.header in header:
        titles.append(headline(one_line.header, one_line.address))
    titles = [title for title in titles if title]
    for line in header:
        note("header", line)
    article_text = (" " if one_line else "\n\n").join(paragraphs)  # a one-line page stays one
    return Page(
        title=titles[-1] if titles else title_from_text(article_text),
        text=article_text,
        source=source,
        place=place,
        published=_published(header, date_line, paragraphs) or dates.stamped(text),
    )


def read_scraped(path: Path) -> Iterator[Result]:
    """One article from a scraped .txt page; front matter, when present, overrides what is found."""
    text, warning = read_text(path)
    if warning:
        yield warning
    meta, body, _ = split_front_matter(text, str(path))
    page = parse_page(body)
    if not page.text:
        raise IngestError(str(path), "no article text left once the page furniture is removed")
    fields = {"id": id_from_path(path), "title": page.title, "source": page.source}
    fields["published"] = page.published
    fields.update(front_matter_fields(meta, str(path)))
    yield Article(text=page.text, path=str(path), **fields)
