"""What a feed links to: RSS and Atom feeds (feedparser), sitemaps, and the feed a homepage
links to (trafilatura).

Sitemaps are read here with lxml rather than by trafilatura, and feeds by feedparser rather
than trafilatura's link extraction, because both of trafilatura's filters (courlan) drop links
whose host is a bare address or another domain, and neither says why a document is not a feed.
"""

import io
import logging
import re

from lxml import etree

from qa.errors import FeedError, FetchError
from qa.ingest.fetch import FEED_TYPES, HTML_TYPES, Fetched, Fetcher
from qa.ingest.links import normal_url

log = logging.getLogger(__name__)

CHILD_SITEMAPS = 3  # of a sitemap index, the most recent sitemaps read

_SITEMAP = re.compile(rb"<(?:[\w.-]+:)?(?:urlset|sitemapindex)\b")


def _xml(fetched: Fetched) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(fetched.body, parser)
    except etree.XMLSyntaxError as error:
        raise FeedError(f"{fetched.url}: not a sitemap: broken XML ({error})") from None
    if root is None:
        raise FeedError(f"{fetched.url}: not a sitemap: empty")
    return root


def _locations(root: etree._Element, kind: str) -> list[tuple[str, str]]:
    """(loc, lastmod) of each <url> or <sitemap> entry, namespaced or not."""
    found = []
    for entry in root.iter(f"{{*}}{kind}", kind):
        loc = entry.findtext("{*}loc") or entry.findtext("loc") or ""
        lastmod = entry.findtext("{*}lastmod") or entry.findtext("lastmod") or ""
        if loc.strip().startswith(("http://", "https://")):
            found.append((loc.strip(), lastmod.strip()))
    return found


def feed_links(fetched: Fetched, fetcher: Fetcher) -> list[str]:
    """The article links of an RSS or Atom feed or a sitemap (reading a sitemap index's most
    recent sitemaps); FeedError when it is none of these."""
    if _SITEMAP.search(fetched.body[:4096]):
        root = _xml(fetched)
        links = [loc for loc, _ in _locations(root, "url")]
        children = sorted(_locations(root, "sitemap"), key=lambda entry: entry[1], reverse=True)
        for loc, _ in children[:CHILD_SITEMAPS]:
            links += [loc for loc, _ in _locations(_xml(fetcher.fetch(loc, FEED_TYPES)), "url")]
        return links
    import feedparser  # only the feeds need it

    # A file object, never the text itself: feedparser would fetch a string that looks like a URL.
    parsed = feedparser.parse(
        io.BytesIO(fetched.body),
        response_headers={"content-type": fetched.media_type, "content-location": fetched.url},
    )
    if not parsed.get("version"):
        reason = parsed.get("bozo_exception") or f"a {fetched.media_type or 'document'}"
        raise FeedError(f"{fetched.url}: not an RSS or Atom feed or a sitemap ({reason})")
    return [entry["link"] for entry in parsed.entries if entry.get("link")]


def web_links(links: list[str]) -> list[str]:
    """The http and https links among `links`, normalised, each once, in order."""
    found: dict[str, None] = {}
    for link in links:
        try:
            url = normal_url(link)
        except ValueError:  # "http://[broken": not a link to fetch
            continue
        if url.startswith(("http://", "https://")):
            found[url] = None
    return list(found)


def find_feed(url: str, fetcher: Fetcher) -> tuple[str, int]:
    """The feed or sitemap at `url`, or the one a homepage at `url` links to, and how many
    links it has now; FeedError when there is none."""
    from trafilatura.feeds import FeedParameters, determine_feed

    fetched = fetcher.fetch(url, FEED_TYPES)
    if fetched.media_type not in HTML_TYPES:
        return fetched.url, len(feed_links(fetched, fetcher))
    parameters = FeedParameters(fetched.url, "", fetched.url)
    for candidate in determine_feed(fetched.text(), parameters)[:3]:
        try:
            found = fetcher.fetch(candidate, FEED_TYPES)
            return found.url, len(feed_links(found, fetcher))
        except (FetchError, FeedError) as error:
            log.info("feed candidate %s: %s", candidate, error)
    hint = "give the address of its feed or sitemap"
    raise FeedError(f"{url}: a web page that links to no feed; {hint}")
