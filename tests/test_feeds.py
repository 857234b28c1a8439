"""Feeds against the news site on loopback: finding them, polling with conditional requests,
links seen once, --match, robots.txt, and feeds that fail alone without losing anything.

The articles a poll finds are handed to `save`; here a list keeps them (the Service's upsert
is the real one: tests/test_intake_server.py and tests/test_cli_intake.py).
"""

import pytest
from sites import NewsSite

from qa.articles import Article
from qa.errors import FeedError, IngestError
from qa.ingest.feedreader import find_feed, web_links
from qa.ingest.feeds import FEEDS_FILE, FeedList, Poller, parse_interval
from qa.ingest.fetch import Fetcher


@pytest.fixture
def site(monkeypatch):
    monkeypatch.setenv("QA_FETCH_ALLOW", "127.0.0.1/32")
    monkeypatch.setenv("QA_FETCH_TIMEOUT", "5")
    with NewsSite() as served:
        served.items = ["detik-1", "tempo-1", "kompas-2"]
        yield served


class Saved(list):
    """What the poller saved: one list of articles per call; the job number is its count."""

    def __call__(self, articles: list[Article]) -> int:
        self.append(articles)
        return len(self)

    def ids(self) -> list[str]:
        return [article.id.rsplit("-news-", 1)[1] for batch in self for article in batch]


def poller_for(tmp_path, site, *feeds: tuple[str, str | None]) -> tuple[Poller, Saved]:
    saved = Saved()
    poller = Poller(tmp_path, saved)
    for path, match in feeds:
        poller.feeds.add(site.url(path), match)
    return poller, saved


def article_requests(site) -> int:
    return sum(path.startswith("/news/") for path, _ in site.requests)


def test_find_feed(site):
    with Fetcher.from_settings() as fetcher:
        assert find_feed(site.url("/"), fetcher) == (site.url("/feed.xml"), 3)  # discovered
        assert find_feed(site.url("/feed.xml"), fetcher) == (site.url("/feed.xml"), 3)
        assert find_feed(site.url("/sitemap-index.xml"), fetcher)[1] == 3
        assert find_feed(site.url("/empty-feed.xml"), fetcher)[1] == 0
        with pytest.raises(FeedError, match="not an RSS or Atom feed or a sitemap"):
            find_feed(site.url("/not-xml.xml"), fetcher)
        with pytest.raises(FeedError, match="a web page that links to no feed"):
            find_feed(site.url("/news/tempo-1.html"), fetcher)


def test_poll_twice_the_second_costs_one_conditional_request(tmp_path, site):
    poller, saved = poller_for(tmp_path, site, ("/feed.xml", None))
    (feed,) = poller.poll()
    assert saved.ids() == ["detik-1", "tempo-1", "kompas-2"]
    assert (feed.last_poll.status, feed.last_poll.links, feed.last_poll.new) == ("ok", 3, 3)
    assert feed.last_poll.job == 1
    fetched = article_requests(site)

    (feed,) = poller.poll()
    assert feed.last_poll.status == "unchanged" and len(saved) == 1
    assert article_requests(site) == fetched
    headers = site.requests_to("/feed.xml")[-1]
    assert headers["if-none-match"] and headers["if-modified-since"]

    site.items.append("republika-1")
    (feed,) = poller.poll()
    assert saved.ids()[-1:] == ["republika-1"] and feed.last_poll.new == 1
    assert article_requests(site) == fetched + 1  # only the new link
    assert (tmp_path / FEEDS_FILE).exists()


def test_a_feed_repeating_old_items_fetches_nothing(tmp_path, site):
    """Without ETag or Last-Modified the feed is read again, but links seen are not."""
    poller, saved = poller_for(tmp_path, site, ("/feed-plain.xml", None))
    poller.poll()
    fetched = article_requests(site)
    (feed,) = poller.poll()
    assert feed.last_poll.status == "ok" and feed.last_poll.message == "no new links"
    assert feed.last_poll.new == 0 and len(saved) == 1
    assert article_requests(site) == fetched


def test_match_keeps_only_matching_articles(tmp_path, site):
    poller, saved = poller_for(tmp_path, site, ("/sitemap.xml", "stroke|MALAS"))
    (feed,) = poller.poll()
    assert saved.ids() == ["detik-1", "tempo-1"]  # case-insensitive
    assert (feed.last_poll.skipped, feed.last_poll.added[-1].endswith("tempo-1")) == (1, True)
    with pytest.raises(FeedError, match="not a regular expression"):
        FeedList(tmp_path).add(site.url("/feed.xml"), "(unclosed")


def test_one_failing_feed_does_not_stop_the_others(tmp_path, site):
    poller, saved = poller_for(
        tmp_path,
        site,
        ("/not-xml.xml", None),
        ("/missing.xml", None),
        ("/empty-feed.xml", None),
        ("/private/feed.xml", None),  # robots.txt says no
        ("/feed.xml", None),
    )
    results = {feed.url.split(str(site.port))[1]: feed.last_poll for feed in poller.poll()}
    assert results["/not-xml.xml"].status == "error"
    assert "not an RSS or Atom feed or a sitemap" in results["/not-xml.xml"].message
    assert "404" in results["/missing.xml"].message
    assert "robots.txt does not allow fetching it" in results["/private/feed.xml"].message
    assert (results["/empty-feed.xml"].status, results["/empty-feed.xml"].message) == (
        "ok",
        "the feed lists no articles",
    )
    assert saved.ids() == ["detik-1", "tempo-1", "kompas-2"]
    status = poller.status()
    assert [feed["last_poll"]["status"] for feed in status["feeds"]] == [
        "error",
        "error",
        "ok",
        "error",
        "ok",
    ]
    assert not status["running"] and status["done"] == status["total"] == 5


def test_links_robots_txt_disallows_are_skipped(tmp_path, site):
    site.items = ["detik-1"]
    site.robots = "User-agent: *\nDisallow: /news/detik\n"
    poller, saved = poller_for(tmp_path, site, ("/feed.xml", None))
    (feed,) = poller.poll()
    assert saved == [] and feed.last_poll.skipped == 1
    assert article_requests(site) == 0


def test_bad_links_in_a_feed_are_reported(tmp_path, site):
    site.items = ["detik-1", "missing", "no-article"]  # /news/missing.html is a 404
    poller, saved = poller_for(tmp_path, site, ("/feed.xml", None))
    (feed,) = poller.poll()
    assert saved.ids() == ["detik-1"]
    assert [message for _, message in feed.last_poll.failed] == [
        "the server answered 404 Not Found",
        "the server answered 404 Not Found",
    ]


def test_nothing_is_lost_when_saving_fails(tmp_path, site):
    """Articles that could not be saved are found again by the next poll."""

    def broken(articles: list[Article]) -> int:
        raise IngestError("corpus", "disk full")

    poller = Poller(tmp_path, broken)
    poller.feeds.add(site.url("/feed.xml"), None)
    (feed,) = poller.poll()
    assert (feed.last_poll.status, feed.last_poll.message) == ("error", "corpus: disk full")
    (stored,) = FeedList(tmp_path).load()
    assert (stored.seen, stored.etag, stored.last_poll.status) == ([], None, "error")

    poller.save = Saved()
    (feed,) = poller.poll()
    assert poller.save.ids() == ["detik-1", "tempo-1", "kompas-2"]


def test_feeds_file(tmp_path, site):
    feeds = FeedList(tmp_path)
    feeds.add(site.url("/feed.xml"), None)
    feeds.add(site.url("/feed.xml"), "Kemnaker")  # again: a new pattern, still one feed
    assert [(feed.url, feed.match) for feed in feeds.load()] == [
        (site.url("/feed.xml"), "Kemnaker")
    ]
    assert feeds.remove(site.url("/feed.xml")) and not feeds.remove(site.url("/feed.xml"))
    (tmp_path / FEEDS_FILE).write_text("{not json")
    with pytest.raises(FeedError, match="not a feeds file"):
        feeds.load()
    assert "not a feeds file" in Poller(tmp_path, Saved()).status()["error"]


@pytest.mark.parametrize(
    "text,seconds", [("900", 900), ("45s", 45), ("30m", 1800), ("2h", 7200), ("1.5", 1.5)]
)
def test_intervals(text, seconds):
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "0", "soon", "-5", "10d"])
def test_bad_intervals(text):
    with pytest.raises(ValueError, match="not an interval"):
        parse_interval(text)


def test_only_web_links_are_followed():
    links = [
        "https://www.antaranews.com/berita/1?utm_source=rss",
        "javascript:alert(1)",
        "http://[broken/x",
        "mailto:redaksi@example.id",
        "/relative/without/base",
        "https://www.antaranews.com/berita/1",
    ]
    assert web_links(links) == ["https://www.antaranews.com/berita/1"]
