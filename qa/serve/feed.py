"""Following a question: an Atom feed (RFC 4287) of the passages that answer it, newest first.

A feed reader polls `GET /api/feed?q=...` and is told of each new story that answers the
question as feeds and writes bring its articles in. Entry ids are tag URIs (RFC 4151) made
of the article id and the passage's ordinal, so a poll that finds the same passage gives the
same id, whatever else changed; `updated` is the article's publication date (the date the
reader sorts by), and the feed's own `updated` the newest entry's, so an unchanged answer
gives an unchanged feed. Built with ElementTree: every text is escaped by the serializer.
"""

import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from xml.etree import ElementTree

from qa.search.status import Evidence

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"
TAG_AUTHORITY = "qa-news,2025"  # fixed: ids must not change with the host a reader polls
EPOCH = date(1970, 1, 1)  # the `updated` of an undated article or an empty feed

# What XML 1.0 cannot hold, even escaped: control characters (but tab, newline, return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

ElementTree.register_namespace("", ATOM)


def entry_id(article_id: str, ordinal: int) -> str:
    """The stable id of one passage's entry."""
    return f"tag:{TAG_AUTHORITY}:passage/{article_id}/{ordinal}"


def feed_id(query_string: str) -> str:
    """The feed's own id: the question and its filters, as the reader asked for them."""
    return f"tag:{TAG_AUTHORITY}:question?{query_string}"


def atom(
    title: str,
    query_string: str,
    found: Sequence[Evidence],
    self_url: str,
    page_url: str,
    article_url: Callable[[str, int], str],
) -> bytes:
    """The feed document. `found` newest first; `article_url(article_id, ordinal)` is the
    absolute address of the cited passage on this server's page."""
    feed = _element("feed")
    _child(feed, "id", feed_id(query_string))
    _child(feed, "title", title)
    newest = max((e.published for e in found if e.published), default=EPOCH)
    _child(feed, "updated", _timestamp(newest))
    _child(feed, "link", rel="self", type=MEDIA_TYPE, href=self_url)
    _child(feed, "link", rel="alternate", type="text/html", href=page_url)
    author = _child(feed, "author")
    _child(author, "name", "qa")
    for evidence in found:
        feed.append(_entry(evidence, article_url))
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry(evidence: Evidence, article_url: Callable[[str, int], str]) -> ElementTree.Element:
    passage = evidence.hit.passage
    ordinal = int(passage.passage_id.rsplit("#", 1)[1])
    entry = _element("entry")
    _child(entry, "id", entry_id(passage.article_id, ordinal))
    _child(entry, "title", passage.title or passage.article_id)
    _child(entry, "updated", _timestamp(evidence.published or EPOCH))
    if evidence.published:
        _child(entry, "published", _timestamp(evidence.published))
    href = article_url(passage.article_id, ordinal)
    _child(entry, "link", rel="alternate", type="text/html", href=href)
    if passage.url:
        _child(entry, "link", rel="related", type="text/html", href=passage.url)
    if passage.source:
        author = _child(entry, "author")
        _child(author, "name", passage.source)
    _child(entry, "summary", evidence.text)
    _child(entry, "content", passage.text, type="text")
    for copy in evidence.hit.also_in:
        if copy.url:
            _child(entry, "link", rel="via", type="text/html", href=copy.url, title=copy.source)
    return entry


def _timestamp(day: date) -> str:
    return datetime.combine(day, time(0, 0), tzinfo=UTC).isoformat()


def _element(name: str) -> ElementTree.Element:
    return ElementTree.Element(f"{{{ATOM}}}{name}")


def _child(parent: ElementTree.Element, name: str, text: str | None = None, **attributes: str):
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element
