"""A whole page dumped on one line, cut into its parts so the line rules can see them.

Some scrapers keep a page's visible text joined with single spaces: "Trending A Trending B
Headline Published on 2026-02-15T13:54:12+07:00 https://... A caption. (AFP/Name) The body ...
Related A Related B ...". Its header ends at the page's own stamp and the address after it; the
rest is cut into sentences (`qa.text.sentences`), a credit in brackets that opens a sentence closing
the one before it (a caption's "(AFP/Nhac Nguyen)"); and a run after the last sentence, too long
for one headline and holding no sentence, is a list of headlines, not the article's.
"""

import re
from dataclasses import dataclass

from qa.ingest.readers.dates import stamp_span
from qa.ingest.readers.headlines import HEADLINE_MAX_WORDS
from qa.ingest.readers.removed import note
from qa.text.sentences import TERMINATORS, split_sentences

ONE_LINE_MIN = 1000  # shorter, a single line is a paragraph, not a page
_ADDRESS = re.compile(r"\s*(https?://\S+)")
_LEADING_CREDIT = re.compile(r"^\([^()]{1,60}\)(?=\s)")
_TERMINATOR = re.compile(rf"[{re.escape(TERMINATORS)}](?!\d)")  # not "1.2b", "8.0"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass
class OneLinePage:
    """A one-line page in parts: what came before its stamp, its address, its sentences."""

    header: str
    address: str
    lines: list[str]


def is_one_line_page(lines: list[str]) -> bool:
    """Whether the page's whole text sits on one long line."""
    return len(lines) == 1 and len(lines[0]) >= ONE_LINE_MIN


def split_page(line: str) -> OneLinePage:
    """The header (up to a "Published on ..." stamp near the top), the address after the stamp,
    and the rest as sentences, without the headline list that closes the page."""
    header, address, rest = "", "", line
    if span := stamp_span(line):
        header, rest = line[: span[0]].strip(), line[span[1] :]
        note("header", line[span[0] : span[1]])
        if match := _ADDRESS.match(rest):
            address, rest = match[1], rest[match.end() :]
            note("header", address)
    pieces: list[str] = []
    for start, end in split_sentences(rest):
        piece = rest[start:end]
        if pieces and (credit := _LEADING_CREDIT.match(piece)):
            pieces[-1] = f"{pieces[-1]} {credit.group()}"
            piece = piece[credit.end() :].strip()
        if piece:
            pieces.append(piece)
    if pieces and _is_headline_run(pieces[-1]):
        note("related", pieces.pop())
    return OneLinePage(header, address, pieces)


def _is_headline_run(piece: str) -> bool:
    """Text after the last sentence that ends no sentence and is longer than one headline."""
    return len(piece.split()) > HEADLINE_MAX_WORDS and not _TERMINATOR.search(piece)


def _slug(text: str) -> str:
    """`text` as an address writes it: "Musk's satellite firm" -> "musks-satellite-firm"."""
    return _NOT_SLUG.sub("-", text.lower().replace("'", "").replace("’", "")).strip("-")


def headline(header: str, address: str) -> str:
    """The article's headline at the end of the header: the words its address spells
    (".../vietnam-licenses-musks-satellite-internet-firm-starlink.html"), else what follows
    a run of trending headlines printed twice (a ticker's loop); "" when neither tells."""
    words = header.split()
    slug = _slug(address.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]) if address else ""
    for count in range(1, min(len(words), HEADLINE_MAX_WORDS) + 1):
        if slug and _slug(" ".join(words[-count:])) == slug:
            return " ".join(words[-count:])
    for size in range(len(words) // 2, 0, -1):
        left = len(words) - 2 * size
        if words[:size] == words[size : 2 * size] and 0 < left <= HEADLINE_MAX_WORDS:
            return " ".join(words[2 * size :])
    return ""
