"""The Article record: what every reader produces and everything downstream cites."""

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from qa.text.language import detect_language

_UNSAFE_ID = re.compile(r"[^A-Za-z0-9._-]+")
# Browsers drop tabs and newlines inside a link and control characters before it
# ("java\tscript:"), so a link holding any of them, or a space, is not taken as written.
_HIDDEN = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
WEB_SCHEMES = ("http", "https")

# The longest article text taken, from a file or through the API: far beyond any news article,
# it keeps a dump or a log saved under an article's name from stalling the index for an hour.
MAX_TEXT_CHARACTERS = 2_000_000


def content_hash(text: str) -> str:
    """SHA-256 of a text: an article's fingerprint, which tells an unchanged article."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored_day(value: str | None) -> date | None:
    """A publication date stored as ISO text, back as a date (None when there is none)."""
    return date.fromisoformat(value) if value else None


def web_address(url: str) -> str | None:
    """`url` without the spaces around it if it is an http(s) link to a host, else None.

    The one rule for an article's address, wherever it is written (the API, /admin, a corpus
    file): `javascript:`, `data:`, `vbscript:`, a protocol-relative `//host` and links with
    control characters are not addresses a reader may be sent to.
    """
    url = url.strip()
    if _HIDDEN.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[broken"
        return None
    return url if parts.scheme.lower() in WEB_SCHEMES and parts.hostname else None


def not_web_address(url: str) -> str:
    """Why `url` is not kept as an article's address (for a 422 or a corpus problem)."""
    return f"url {url[:80]!r} is not a web link: only http:// or https:// addresses are kept"


def id_from_path(path: str | Path) -> str:
    """A stable article id from a file name (never random, never from position in a folder)."""
    return slugify(Path(path).stem)


def slugify(value: str) -> str:
    """Reduce `value` to characters safe in a file name and a URL.

    A value with none of them ("日本.md") becomes "article-" and a hash of it, so that two such
    file names stay two ids.
    """
    slug = _UNSAFE_ID.sub("-", value.strip()).strip("-.")
    if not slug and value.strip():
        digest = hashlib.sha1(value.strip().encode("utf-8", "surrogatepass")).hexdigest()[:10]
        return f"article-{digest}"
    return slug[:120] or "article"


@dataclass
class Article:
    """One news article with clean body text and citation metadata."""

    id: str
    title: str
    text: str
    source: str = ""
    url: str | None = None
    published: date | None = None
    language: str = ""
    path: str = ""

    @property
    def fingerprint(self) -> str:
        """Hash of everything the index holds for the article: a change to any re-indexes it."""
        published = self.published.isoformat() if self.published else ""
        fields = (self.title, self.source, self.url or "", published, self.language, self.text)
        return content_hash("\0".join(fields))

    def __post_init__(self) -> None:
        self.text = self.text.strip()
        if not self.language:
            self.language = detect_language(f"{self.title}\n{self.text}")
