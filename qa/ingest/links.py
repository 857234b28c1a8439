"""Articles added by link: fetch the page, take the article out of it as the HTML reader does
(trafilatura, then the project's junk rules), and name it after its canonical address.

The id comes from the canonical URL, so the same article added again, by the same link or one
with tracking parameters, a fragment or a redirect in front, is an update and not a second
article. A page's own canonical link is believed only when it is on the page's site: a page
cannot take over another site's article.
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import urldefrag, urlsplit, urlunsplit

from courlan import extract_domain, normalize_url

from qa.articles import MAX_TEXT_CHARACTERS, Article
from qa.errors import FetchError, IngestError
from qa.ingest.fetch import HTML_TYPES, Fetcher
from qa.ingest.readers.html import article_from_html
from qa.ingest.readers.outlets import outlet_name
from qa.ingest.readers.records import id_from_url

_PAGE_SUFFIX = re.compile(r"\.(?:s?html?|php|aspx?)$", re.IGNORECASE)


def normal_url(url: str) -> str:
    """`url` as one article has it: lower-case host, no default port, no tracking parameters
    (utm_*, fbclid...), no fragment."""
    return urldefrag(normalize_url(url.strip()))[0]


def _same_site(first: str, second: str) -> bool:
    one, other = urlsplit(first), urlsplit(second)
    if one.netloc == other.netloc:
        return True
    domain = extract_domain(first, fast=True)  # None for an address such as 127.0.0.1
    return domain is not None and domain == extract_domain(second, fast=True)


def canonical_url(page_url: str, named: str | None) -> str:
    """The address the article is known by: the page's canonical link if it names one on the
    same site, else the address the page was fetched from."""
    if named and urlsplit(named).scheme in ("http", "https") and _same_site(page_url, named):
        try:
            return normal_url(named)
        except ValueError:
            pass  # a malformed canonical link: the page's own address will do
    return normal_url(page_url)


def article_id(url: str) -> str:
    """The id of the article at `url`: host and path as a slug, without a page suffix such as
    .html, and a hash of the query when it has one (`read.php?id=7` and `read.php?id=8` are two
    articles)."""
    parts = urlsplit(url)
    path = _PAGE_SUFFIX.sub("", parts.path)
    suffix = f"-q{hashlib.sha1(parts.query.encode()).hexdigest()[:8]}" if parts.query else ""
    slug = id_from_url(urlunsplit((parts.scheme, parts.netloc, path, "", "")))
    return slug[: 120 - len(suffix)] + suffix


def fetch_article(url: str, fetcher: Fetcher) -> Article:
    """The article at `url`; FetchError or IngestError says why there is none."""
    fetched = fetcher.fetch(url, accept=HTML_TYPES)
    article = article_from_html(fetched.text(), "", url, url=fetched.url)
    canonical = canonical_url(fetched.url, article.url)
    if len(article.text) > MAX_TEXT_CHARACTERS:
        raise IngestError(url, f"the article is over {MAX_TEXT_CHARACTERS:,} characters")
    source = article.source or outlet_name(urlsplit(canonical).hostname or "")
    return replace(article, id=article_id(canonical), url=canonical, source=source, path="")


@dataclass
class Found:
    """The articles found behind some links, and why the others gave none."""

    articles: list[Article] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (link, message)


def fetch_articles(urls: Iterable[str], fetcher: Fetcher) -> Found:
    """Each link's article; a link that fails is reported and the others still fetched."""
    found: dict[str, Article] = {}
    result = Found()
    for url in urls:
        try:
            article = fetch_article(url, fetcher)
        except (FetchError, IngestError) as error:
            result.failed.append((url, error.message))  # the link is shown beside it
            continue
        found[article.id] = article  # two links to one article: one article
    result.articles = list(found.values())
    return result
