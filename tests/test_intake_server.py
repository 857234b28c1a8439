"""Intake against a real `qa serve` on loopback and the news site beside it: adding by link
through the API, and a feed polled in the background (twice, the second time conditionally),
whose new item becomes searchable."""

import time
from collections.abc import Callable

import httpx
import pytest
from server import LiveServer, wait_for_job
from sites import NewsSite

from qa.ingest.corpus import write_article
from qa.ingest.feeds import FeedList

pytestmark = pytest.mark.server

KEY = "intake-key-5678"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def live(tmp_path_factory, news, small_articles):
    """The server, polling the news site's feed (one item) every second."""
    news.items = ["detik-1"]
    tmp = tmp_path_factory.mktemp("intake")
    for article in small_articles.values():
        write_article(article, tmp / "corpus")
    FeedList(tmp / "corpus").add(news.url("/feed.xml"), None)
    with LiveServer(
        tmp / "corpus",
        tmp / "index",
        api_key=KEY,
        env={"QA_FETCH_ALLOW": "127.0.0.1/32"},
        args=("--poll-feeds", "1s"),
    ) as server:
        yield server


def page_id(news: NewsSite, name: str) -> str:
    return f"127.0.0.1-{news.port}-news-{name}"


def wait_until(check: Callable[[], object], what: str, timeout: float = 60) -> object:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.2)
    return found


def search_ids(live: LiveServer, query: str) -> list[str]:
    response = httpx.get(f"{live.url}/api/search", params={"q": query, "k": 5}, timeout=30)
    return [hit["article_id"] for hit in response.json()["results"]]


def test_add_by_link_through_the_api(live, news):
    url = f"{live.url}/api/articles/from-url"
    links = [news.url("/news/tempo-1.html"), news.url("/missing"), news.url("/doc.pdf")]
    assert httpx.post(url, json={"urls": links}).status_code == 401
    response = httpx.post(url, json={"urls": links}, headers=AUTH, timeout=60)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["accepted"] == [page_id(news, "tempo-1")]
    assert body["articles"][0]["title"] == "Ini 7 Alasan Mengapa Orang Malas Bergerak"
    assert body["articles"][0]["url"] == news.url("/news/tempo-1.html")
    assert body["failed"] == [
        {"url": links[1], "error": "the server answered 404 Not Found"},
        {"url": links[2], "error": "not a web page: the server sends application/pdf"},
    ]
    wait_for_job(live, body["job"])
    assert page_id(news, "tempo-1") in search_ids(live, "alasan orang malas bergerak")

    again = httpx.post(
        url, json={"url": news.url("/news/tempo-1.html?utm_source=x")}, headers=AUTH, timeout=60
    )
    assert again.status_code == 202 and again.json()["accepted"] == [page_id(news, "tempo-1")]
    wait_for_job(live, again.json()["job"])
    articles = httpx.get(f"{live.url}/api/articles", params={"limit": 500}).json()["articles"]
    assert [a["url"] for a in articles].count(news.url("/news/tempo-1.html")) == 1  # an update


def test_links_that_give_no_article_are_a_422(live, news):
    url = f"{live.url}/api/articles/from-url"
    links = [news.url("/no-article"), news.url("/to-other-loopback")]
    response = httpx.post(url, json={"urls": links}, headers=AUTH, timeout=60)
    assert response.status_code == 422
    body = response.json()
    assert body["error"].startswith("No article could be added: ")
    assert [item["url"] for item in body["detail"]] == links
    assert "no article text found" in body["detail"][0]["error"]
    assert "127.0.0.2 is a loopback address" in body["detail"][1]["error"]
    for bad in ({}, {"urls": []}, {"url": ""}, {"urls": ["x"] * 21}):
        response = httpx.post(url, json=bad, headers=AUTH)
        assert response.status_code == 422 and response.json()["error"].startswith("Invalid")


def test_feed_polled_in_the_background(live, news):
    def indexed(name: str) -> bool:
        response = httpx.get(f"{live.url}/api/articles/{page_id(news, name)}", timeout=10)
        return response.status_code == 200

    def last_poll() -> dict:
        (feed,) = live.status()["feeds"]["feeds"]
        return feed["last_poll"] or {}

    wait_until(lambda: indexed("detik-1"), "the feed's item is polled and indexed")
    assert page_id(news, "detik-1") in search_ids(live, "wanita kena stroke umur 26")

    # the next polls cost one conditional request each and fetch no article
    wait_until(lambda: last_poll().get("status") == "unchanged", "an unchanged poll")
    headers = news.requests_to("/feed.xml")[-1]
    assert headers["if-none-match"] and headers["if-modified-since"]
    assert len(news.requests_to("/news/detik-1.html")) == 1

    news.items.append("kompas-2")
    wait_until(lambda: indexed("kompas-2"), "the new item is polled and indexed")
    assert page_id(news, "kompas-2") in search_ids(live, "Menteri Yuddy ancam PNS ranking")
    assert len(news.requests_to("/news/detik-1.html")) == 1
    status = live.status()["feeds"]
    assert set(status) >= {"running", "feed", "done", "total", "started", "finished", "feeds"}
    assert status["feeds"][0]["seen"] == 2
