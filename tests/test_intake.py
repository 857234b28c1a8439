"""Adding by link: real saved news pages served on loopback become clean articles, named after
their canonical address (shared/realnews/truth.json gives what each page must yield)."""

import json
import re

import pytest
from sites import REALNEWS

from qa.errors import IngestError
from qa.ingest.fetch import Fetcher, allowed_networks
from qa.ingest.links import article_id, canonical_url, fetch_article, fetch_articles, normal_url

PAGES = ["antaranews-1", "detik-1", "kompas-1", "kompas-2", "republika-1", "tempo-1"]


@pytest.fixture(scope="module")
def fetcher():
    with Fetcher(timeout=5.0, allow=allowed_networks("127.0.0.1/32")) as opened:
        yield opened


@pytest.fixture(scope="module")
def truth() -> dict[str, dict]:
    entries = json.loads((REALNEWS.parent / "truth.json").read_text(encoding="utf-8"))
    return {entry["file"]: entry for entry in entries}


def squeeze(text: str) -> str:
    """Without whitespace: how shared/realnews/SOURCE.md compares texts."""
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("name", PAGES)
def test_a_real_page_becomes_a_clean_article(news, fetcher, truth, name):
    expected = truth[f"html/{name}.html"]
    article = fetch_article(news.url(f"/news/{name}.html"), fetcher)
    body = squeeze(article.text)
    assert body.startswith(squeeze(expected["first_sentence"]))
    assert body.endswith(squeeze(expected["last_sentence"]))
    for junk in expected["junk"]:
        assert squeeze(junk) not in body, junk
    assert article.title == expected["title"]
    assert article.published.isoformat() == expected["published"]
    assert expected["outlet"].split(".")[0] in re.sub(r"\W", "", article.source.lower())
    # the page's canonical link names another news (the outlet's): the fetched address is kept
    assert article.url == news.url(f"/news/{name}.html")
    assert article.id == f"127.0.0.1-{news.port}-news-{name}"


def test_the_same_article_by_another_link_has_the_same_id(news, fetcher):
    plain = fetch_article(news.url("/news/tempo-1.html"), fetcher)
    for link in (
        news.url("/news/tempo-1.html?utm_source=wa&utm_medium=share#komentar"),
        news.url("/hop/2"),  # redirected to the page
    ):
        again = fetch_article(link, fetcher)
        assert (again.id, again.url, again.text) == (plain.id, plain.url, plain.text)


def test_page_without_article_text(news, fetcher):
    with pytest.raises(IngestError, match="no article text found in the HTML page"):
        fetch_article(news.url("/no-article"), fetcher)


def test_each_link_fails_alone(news, fetcher):
    links = [
        news.url("/news/detik-1.html"),
        news.url("/missing"),
        news.url("/doc.pdf"),
        news.url("/no-article"),
        news.url("/to-other-loopback"),
        news.url("/news/detik-1.html?fbclid=abc"),  # the same article again: one article
    ]
    found = fetch_articles(links, fetcher)
    assert [article.id for article in found.articles] == [f"127.0.0.1-{news.port}-news-detik-1"]
    failed = dict(found.failed)
    assert list(failed) == links[1:5]
    assert "404" in failed[links[1]] and "application/pdf" in failed[links[2]]
    assert "no article text" in failed[links[3]] and "loopback address" in failed[links[4]]


def test_canonical_link_only_on_the_same_site():
    page = "https://m.detik.com/news/d-1/judul?utm_source=x"
    assert canonical_url(page, "https://news.detik.com/d-1/judul") == (
        "https://news.detik.com/d-1/judul"
    )
    assert canonical_url(page, "https://www.kompas.com/x") == "https://m.detik.com/news/d-1/judul"
    assert canonical_url(page, "javascript:alert(1)") == "https://m.detik.com/news/d-1/judul"
    assert canonical_url(page, None) == "https://m.detik.com/news/d-1/judul"


def test_ids_and_normal_urls():
    assert normal_url("HTTPS://WWW.Kompas.com:443/read/1/x/?utm_campaign=y#top") == (
        "https://www.kompas.com/read/1/x/"
    )
    assert article_id("https://www.kompas.com/read/2023/11/02/x.html") == (
        "kompas.com-read-2023-11-02-x"
    )
    one, other = article_id("https://x.id/read.php?id=7"), article_id("https://x.id/read.php?id=8")
    assert one != other and one.startswith("x.id-read-q")
    assert len(article_id("https://x.id/" + "a" * 300 + "?q=1")) <= 120
