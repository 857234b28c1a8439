"""`qa corpus add` and `qa feeds add|list|poll|remove` through the CLI runner: real pages from
the news site on loopback, saved to a real corpus folder and indexed into a real index."""

import pytest
from click.testing import CliRunner

from qa.cli import cli
from qa.index.reader import IndexReader


@pytest.fixture(autouse=True)
def loopback_allowed(monkeypatch, news):
    monkeypatch.setenv("QA_FETCH_ALLOW", "127.0.0.1/32")
    news.items = ["detik-1", "tempo-1"]


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def indexed_ids(index) -> set[str]:
    opened = IndexReader(index).open()
    try:
        return {article.id for article in opened.store.articles(opened.generation, 0, 100)}
    finally:
        opened.close()


def test_corpus_add(site, news):
    corpus, index = site
    page = f"127.0.0.1-{news.port}-news-kompas-2"
    result = run(
        "corpus",
        "add",
        news.url("/news/kompas-2.html"),
        news.url("/doc.pdf"),
        "--corpus",
        str(corpus),
        "--index",
        str(index),
    )
    assert result.exit_code == 1  # a link failed; the other was still added
    assert f'added {page}: Menteri Yuddy Ancam PNS yang Rankingnya Terendah Akan "Dipangkas"' in (
        result.output
    )
    assert f"error: {news.url('/doc.pdf')}: not a web page: the server sends application/pdf" in (
        result.stderr
    )
    assert "indexed: generation 2, 1 added, 0 updated" in result.output
    saved = (corpus / f"{page}.md").read_text()
    assert f"url: {news.url('/news/kompas-2.html')}" in saved and "source: Kompas.com" in saved
    assert page in indexed_ids(index)

    again = run("corpus", "add", news.url("/news/kompas-2.html?utm_source=x"), "--corpus")
    assert again.exit_code == 2  # --corpus needs a folder: the usage error says so
    again = run(
        "corpus",
        "add",
        news.url("/news/kompas-2.html?utm_source=x#top"),
        "--corpus",
        str(corpus),
        "--index",
        str(index),
    )
    assert again.exit_code == 0, again.output
    assert "0 added, 0 updated, 1 unchanged" in again.output  # the same article: no second one
    assert len(list(corpus.glob("127.0.0.1-*.md"))) == 1


def test_feeds_commands(site, news):
    corpus, index = site
    folders = ("--corpus", str(corpus))
    assert "no feeds: add one" in run("feeds", "list", *folders).output
    added = run("feeds", "add", news.url("/"), "--match", "stroke", *folders)
    assert added.output == f"following {news.url('/feed.xml')} (2 links now)\n"

    polled = run("feeds", "poll", *folders, "--index", str(index))
    assert polled.exit_code == 0, polled.output
    assert f"{news.url('/feed.xml')}: " in polled.output
    assert "ok: 2 links, 2 new, 1 added, 1 skipped, 0 failed" in polled.output
    assert "indexed: generation 2, 1 added" in polled.output
    assert f"127.0.0.1-{news.port}-news-detik-1" in indexed_ids(index)

    again = run("feeds", "poll", *folders, "--index", str(index))
    assert "unchanged: not modified since the last poll" in again.output
    listed = run("feeds", "list", *folders).output
    assert "match: stroke" in listed and "unchanged" in listed

    failing = run("feeds", "add", news.url("/not-xml.xml"), *folders)
    assert failing.exit_code == 1 and "not an RSS or Atom feed or a sitemap" in failing.output
    assert run("feeds", "remove", news.url("/feed.xml"), *folders).exit_code == 0
    gone = run("feeds", "remove", news.url("/feed.xml"), *folders)
    assert gone.exit_code == 1 and "not a feed followed" in gone.output
