"""The readers on real pages and scrapes from outlets the seeds do not cover (shared/realnews).

Comparisons follow shared/realnews/SOURCE.md: whitespace-insensitive and case-sensitive substring
matching, because scrapers split inline links onto lines of their own or glue them to the next
word. The clean body starts with the first body sentence and ends with the last one (for a
paginated page, the last one on the page), and holds no junk item. Title and date are checked
where the file states them (`meta_in_text`); the outlet everywhere.
"""

import json
import re
from datetime import date
from pathlib import Path

import pytest

from qa.articles import Article
from qa.readers import read_file

REPO = Path(__file__).resolve().parents[1]
REALNEWS = REPO.parent / "shared" / "realnews"

FILES = [
    "html/antaranews-1.html",
    "html/detik-1.html",
    "html/kompas-1.html",
    "html/kompas-2.html",
    "html/republika-1.html",
    "html/republika-2.html",
    "html/tempo-1.html",
    "html/tribunnews-1.html",
    "txt/detik-1.txt",
    "txt/detik-2.txt",
    "txt/kompas-1.txt",
    "txt/liputan6-1.txt",
    "txt/republika-1.txt",
]


def squeeze(text: str) -> str:
    """`text` without any whitespace: SOURCE.md's comparison."""
    return re.sub(r"\s+", "", text)


def outlet_label(name: str) -> str:
    """An outlet's name without its domain ending, in letters and digits only: "Antara News"
    and "antaranews.com" meet at "antaranews"; "Detikhealth" contains "detik"."""
    return re.sub(r"[^a-z0-9]", "", name.lower().split(".")[0])


@pytest.fixture(scope="module")
def truth() -> dict[str, dict]:
    assert REALNEWS.is_dir(), f"real pages not found at {REALNEWS} (shared/ beside the repository)"
    entries = json.loads((REALNEWS / "truth.json").read_text(encoding="utf-8"))
    return {entry["file"]: entry for entry in entries}


@pytest.fixture(scope="module")
def articles(truth) -> dict[str, Article]:
    found = {}
    for name in truth:
        items = list(read_file(REALNEWS / name))
        assert [type(item) for item in items] == [Article], items
        found[name] = items[0]
    return found


def test_every_file_has_its_truth(truth):
    assert sorted(truth) == sorted(FILES)


@pytest.mark.parametrize("name", FILES)
def test_body_starts_and_ends_with_the_article(articles, truth, name):
    body, expected = squeeze(articles[name].text), truth[name]
    assert body.startswith(squeeze(expected["first_sentence"])), articles[name].text[:300]
    assert body.endswith(squeeze(expected["last_sentence"])), articles[name].text[-300:]


@pytest.mark.parametrize("name", FILES)
def test_junk_is_gone(articles, truth, name):
    body = squeeze(articles[name].text)
    left = [junk for junk in truth[name]["junk"] if squeeze(junk) in body]
    assert left == []


@pytest.mark.parametrize("name", FILES)
def test_outlet(articles, truth, name):
    assert outlet_label(truth[name]["outlet"]) in outlet_label(articles[name].source)


@pytest.mark.parametrize("name", FILES)
def test_title_and_date_where_the_page_states_them(articles, truth, name):
    article, expected = articles[name], truth[name]
    stated = expected["meta_in_text"]
    if stated["title"]:
        assert article.title == expected["title"]
    if stated["published"]:
        assert article.published == date.fromisoformat(expected["published"])
    if not (stated["title"] or stated["published"]):  # a scrape holds only the body
        assert article.title.rstrip("…") in article.text


@pytest.mark.parametrize("name", [name for name in FILES if name.startswith("txt/")])
def test_scrape_glued_onto_one_line_keeps_its_article(tmp_path, truth, name):
    """The same scrape with its paragraphs glued onto one line, as scrapers also deliver them."""
    raw = (REALNEWS / name).read_text(encoding="utf-8")
    path = tmp_path / Path(name).name
    path.write_text(" ".join(line.strip() for line in raw.split("\n") if line.strip()))
    (article,) = read_file(path)
    body, expected = squeeze(article.text), truth[name]
    assert body.startswith(squeeze(expected["first_sentence"]))
    assert body.endswith(squeeze(expected["last_sentence"]))
    assert outlet_label(expected["outlet"]) in outlet_label(article.source)
