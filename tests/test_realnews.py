"""The readers on real pages and scrapes from outlets the seeds do not cover (shared/realnews and
shared/realnews2, the two development sets).

Comparisons follow shared/realnews/SOURCE.md: whitespace-insensitive and case-sensitive substring
matching, because scrapers split inline links onto lines of their own or glue them to the next
word. The clean body starts with the first body sentence and ends with the last one (for a
paginated page, the last one on the page), and holds no junk item. Title and date are checked
where the file states them (`meta_in_text`); the outlet where the file names it (every HTML
page, and a scrape whose text holds the outlet's name, in its dateline or its address).

`python tests/test_realnews.py [FOLDER...]` prints the same scores per column.
"""

import json
import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from qa.articles import Article
from qa.ingest.readers import read_file

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SETS = ("realnews", "realnews2")


def squeeze(text: str) -> str:
    """`text` without any whitespace: SOURCE.md's comparison."""
    return re.sub(r"\s+", "", text)


def outlet_label(name: str) -> str:
    """An outlet's name without its domain ending, in letters and digits only: "Antara News"
    and "antaranews.com" meet at "antaranews"; "Detikhealth" contains "detik"."""
    return re.sub(r"[^a-z0-9]", "", name.lower().split(".")[0])


def load_truth(folder: Path) -> dict[str, dict]:
    """The set's truth.json, by file."""
    assert folder.is_dir(), f"real pages not found at {folder} (shared/ beside the repository)"
    entries = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return {entry["file"]: entry for entry in entries}


def names_outlet(folder: Path, name: str, expected: dict) -> bool:
    """Whether the file names its outlet: an HTML page always does (its metadata); a scrape when
    its text holds the outlet's name."""
    if name.startswith("html/"):
        return True
    text = re.sub(r"[^a-z0-9]", "", (folder / name).read_text(encoding="utf-8").lower())
    return outlet_label(expected["outlet"]) in text


@dataclass
class Score:
    """One file's result on each column: True/False, or None where the column does not apply;
    `junk` is (removed, listed)."""

    outlet: bool | None
    date: bool | None
    title: bool | None
    first: bool
    last: bool
    junk: tuple[int, int]


def score(folder: Path, name: str, expected: dict, article: Article) -> Score:
    """How `article` (read from folder/name) meets its truth."""
    body = squeeze(article.text)
    stated = expected["meta_in_text"]
    left = [junk for junk in expected["junk"] if squeeze(junk) in body]
    return Score(
        outlet=(
            outlet_label(expected["outlet"]) in outlet_label(article.source)
            if names_outlet(folder, name, expected)
            else None
        ),
        date=(
            article.published == date.fromisoformat(expected["published"])
            if stated["published"]
            else None
        ),
        title=article.title == expected["title"] if stated["title"] else None,
        first=body.startswith(squeeze(expected["first_sentence"])),
        last=body.endswith(squeeze(expected["last_sentence"])),
        junk=(len(expected["junk"]) - len(left), len(expected["junk"])),
    )


def summary(folder: Path) -> str:
    """One line of scores per column for a set, as the issue reports them."""
    truth = load_truth(folder)
    read, scores = 0, []
    for name, expected in truth.items():
        items = list(read_file(folder / name))
        if [type(item) for item in items] == [Article]:
            read += 1
            scores.append(score(folder, name, expected, items[0]))

    def column(field: str) -> str:
        values = [getattr(s, field) for s in scores if getattr(s, field) is not None]
        return f"{sum(values)}/{len(values)}"

    junk = [sum(s.junk[i] for s in scores) for i in (0, 1)]
    return (
        f"{folder.name}: {read}/{len(truth)} read; outlet {column('outlet')}; date "
        f"{column('date')}; title {column('title')}; first sentence kept {column('first')}; "
        f"last kept {column('last')}; junk removed {junk[0]}/{junk[1]}"
    )


CASES = [
    (folder, name)
    for folder in SETS
    if (SHARED / folder / "truth.json").is_file()
    for name in load_truth(SHARED / folder)
]


@pytest.fixture(scope="module")
def truths() -> dict[str, dict[str, dict]]:
    return {folder: load_truth(SHARED / folder) for folder in SETS}


@pytest.fixture(scope="module")
def articles(truths) -> dict[tuple[str, str], Article]:
    found = {}
    for folder, truth in truths.items():
        for name in truth:
            items = list(read_file(SHARED / folder / name))
            assert [type(item) for item in items] == [Article], items
            found[folder, name] = items[0]
    return found


def test_both_sets_are_there():
    assert {(SHARED / folder).is_dir() for folder in SETS} == {True}
    assert len(CASES) == 13 + 16


@pytest.mark.parametrize(("folder", "name"), CASES)
def test_body_starts_and_ends_with_the_article(articles, truths, folder, name):
    result = score(SHARED / folder, name, truths[folder][name], articles[folder, name])
    text = articles[folder, name].text
    assert result.first, text[:300]
    assert result.last, text[-300:]


@pytest.mark.parametrize(("folder", "name"), CASES)
def test_junk_is_gone(articles, truths, folder, name):
    body = squeeze(articles[folder, name].text)
    left = [junk for junk in truths[folder][name]["junk"] if squeeze(junk) in body]
    assert left == []


@pytest.mark.parametrize(("folder", "name"), CASES)
def test_outlet_where_the_file_names_it(articles, truths, folder, name):
    result = score(SHARED / folder, name, truths[folder][name], articles[folder, name])
    assert result.outlet is not False, articles[folder, name].source


def test_outlet_is_scored_on_most_files(truths):
    named = [names_outlet(SHARED / f, n, e) for f, t in truths.items() for n, e in t.items()]
    assert sum(named) >= 24  # all of realnews; of realnews2 every page and 2 of the 7 scrapes


@pytest.mark.parametrize(("folder", "name"), CASES)
def test_title_and_date_where_the_page_states_them(articles, truths, folder, name):
    article, expected = articles[folder, name], truths[folder][name]
    result = score(SHARED / folder, name, expected, article)
    assert result.title is not False, article.title
    assert result.date is not False, article.published
    stated = expected["meta_in_text"]
    if not (stated["title"] or stated["published"]):  # a scrape holds only the body
        assert article.title.rstrip("…") in article.text


@pytest.mark.parametrize(
    ("folder", "name"),
    [case for case in CASES if case[1].startswith("txt/")],
)
def test_scrape_glued_onto_one_line_keeps_its_article(tmp_path, truths, folder, name):
    """The same scrape with its paragraphs glued onto one line, as scrapers also deliver them."""
    raw = (SHARED / folder / name).read_text(encoding="utf-8")
    path = tmp_path / Path(name).name
    path.write_text(" ".join(line.strip() for line in raw.split("\n") if line.strip()))
    (article,) = read_file(path)
    body, expected = squeeze(article.text), truths[folder][name]
    assert body.startswith(squeeze(expected["first_sentence"]))
    assert body.endswith(squeeze(expected["last_sentence"]))
    if names_outlet(SHARED / folder, name, expected):
        assert outlet_label(expected["outlet"]) in outlet_label(article.source)


if __name__ == "__main__":
    for argument in sys.argv[1:] or [str(SHARED / folder) for folder in SETS]:
        print(summary(Path(argument)))
