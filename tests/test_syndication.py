"""Syndicated copies over real articles (tests/data/syndication, see its SOURCE.md): one story
carried by several outlets is grouped, same-event and same-topic stories are not; search,
ask, the page and the API show one card per story with the others in `also_in`; an outlet
filter still finds each copy; deleting a copy takes it out of `also_in`. No mocks: the real
store, the real index and embedder, a real `qa serve`.
"""

import itertools
import json
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from server import LiveServer, wait_for_job, wait_idle

from qa.articles import Article
from qa.index import copies
from qa.index.store import Store
from qa.ingest.corpus import write_article
from qa.ingest.readers.records import read_jsonl

DATA = Path(__file__).parent / "data" / "syndication"
KEY = "test-key-syndication"
AUTH = {"Authorization": f"Bearer {KEY}"}

STORIES: dict[str, dict] = json.loads((DATA / "stories.json").read_text(encoding="utf-8"))
PELITA = STORIES["pelita-air-laba"]["articles"]  # Liputan6.com, Okezone.com, detik.com
PELITA_KOMPAS = STORIES["pelita-air-laba-written-separately-1"]["articles"][0]
KEMNAKER_BLK = STORIES["kemnaker-kemensos-blk"]["articles"]
# Two other Kemnaker stories of the same weeks, and one that must stay apart from BLK's.
SAME_TOPIC = STORIES["same-topic-08"]["articles"] + STORIES["same-topic-09"]["articles"]
SERVED = [*PELITA, PELITA_KOMPAS, *KEMNAKER_BLK, *SAME_TOPIC]


def read_articles() -> dict[str, Article]:
    found = read_jsonl(DATA / "articles.jsonl")
    return {item.id: item for item in found if isinstance(item, Article)}


def test_the_data_is_what_its_source_says():
    articles = read_articles()
    labelled = [article for story in STORIES.values() for article in story["articles"]]
    assert len(articles) == 62 and sorted(labelled) == sorted(articles)
    kinds = {story["kind"] for story in STORIES.values()}
    assert kinds == {"copy", "same event, written separately", "same topic"}


def test_grouping_keeps_every_copy_story_together_and_nothing_else(tmp_path):
    """The store files each article under its closest copy's story as it is added; every
    labelled story comes out as one group, and no article of another story joins it
    (precision and recall 1.00 on this set; docs/benchmarks.md)."""
    articles = read_articles()
    store = Store(tmp_path / "store.sqlite")
    with store.transaction():
        keys = {
            store.add_article(article, [], "seg", 1)[0]: article.id for article in articles.values()
        }
    labels = store.stories(keys)
    store.close()
    story_of = {article: name for name, story in STORIES.items() for article in story["articles"]}
    wrong, missed = [], []
    for a, b in itertools.combinations(keys, 2):
        same_story = story_of[keys[a]] == story_of[keys[b]]
        together = labels[a] == labels[b]
        if together and not same_story:
            wrong.append((keys[a], keys[b]))
        if same_story and not together:
            missed.append((keys[a], keys[b]))
    assert not wrong, f"grouped but not one story: {wrong}"
    assert not missed, f"one story but not grouped: {missed}"


def test_a_copy_needs_a_date_within_the_window(tmp_path):
    """The same text a year later is a new story (a re-run), not a copy of the old one."""
    first, second = (read_articles()[article_id] for article_id in PELITA[:2])
    second.published = second.published.replace(year=second.published.year + 1)
    store = Store(tmp_path / "store.sqlite")
    with store.transaction():
        keys = [store.add_article(article, [], "seg", 1)[0] for article in (first, second)]
    labels = store.stories(keys)
    assert labels[keys[0]] != labels[keys[1]]
    store.close()


def story_of(store: Store, key: int, generation: int) -> list[int]:
    """The keys of the article versions in `key`'s story visible at `generation`."""
    return [other for other, _ in store.story_articles(store.stories([key])[key], generation)]


def test_gone_versions_leave_their_story_and_old_readers_keep_them(tmp_path):
    first, second, third = (read_articles()[article_id] for article_id in PELITA)
    store = Store(tmp_path / "store.sqlite")
    with store.transaction():
        one = store.add_article(first, [], "seg", 1)[0]
        two = store.add_article(second, [], "seg", 1)[0]
    with store.transaction():  # an update that never published: the next writer undoes it
        store.add_article(third, [], "seg", 2)
        store.rollback_after(1)
    assert story_of(store, one, 1) == [one, two]
    with store.transaction():
        store.remove_articles([second.id], 3)
    assert story_of(store, one, 3) == [one], "deleted at 3"
    assert story_of(store, one, 2) == [one, two], "a reader of 2 still sees it"
    store.collect(3)
    rows = store.db.execute(
        "SELECT count(*) FROM stories UNION ALL SELECT count(*) FROM sketch_keys"
    )
    assert [row[0] for row in rows] == [1, copies.SKETCH_SIZE], "only the first's rows are left"
    store.close()


def test_a_story_carried_by_many_outlets_is_one_story_listing_twenty(tmp_path):
    release = read_articles()[PELITA[0]]
    store = Store(tmp_path / "store.sqlite")
    with store.transaction():
        keys = [
            store.add_article(replace(release, id=f"outlet-{n}", source=f"Outlet {n}"), [], "s", 1)[
                0
            ]
            for n in range(30)
        ]
    assert len(set(store.stories(keys).values())) == 1
    assert len(store.story_articles(store.stories(keys[:1])[keys[0]], 1)) == copies.COPIES_SHOWN + 1
    store.close()


def test_an_index_made_before_copies_were_found_gets_them(tmp_path):
    path = tmp_path / "store.sqlite"
    store = Store(path)
    with store.transaction():
        keys = [store.add_article(read_articles()[a], [], "seg", 1)[0] for a in KEMNAKER_BLK]
        store.db.execute("DROP TABLE stories")
        store.db.execute("DROP TABLE sketch_keys")
        store.db.execute("PRAGMA user_version = 2")
    store.close()
    store = Store(path)  # migrates: sketches and links for the stored articles
    assert story_of(store, keys[0], 1) == keys
    store.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """`qa serve` over two copied stories, a separately written one and two others."""
    tmp = tmp_path_factory.mktemp("syndication")
    articles = read_articles()
    for article_id in SERVED:
        write_article(articles[article_id], tmp / "corpus")
    with LiveServer(tmp / "corpus", tmp / "index", api_key=KEY) as server:
        wait_idle(server)
        yield server


@pytest.fixture(scope="module")
def client(live):
    with httpx.Client(base_url=live.url, timeout=60) as http:
        yield http


def search(client: httpx.Client, query: str, **params) -> list[dict]:
    response = client.get("/api/search", params={"q": query, "k": 10, **params})
    assert response.status_code == 200, response.text
    return response.json()["results"]


def cards_of(results: list[dict], story: list[str]) -> list[dict]:
    return [result for result in results if result["article_id"] in story]


@pytest.mark.server
def test_search_shows_one_card_per_story_with_the_other_outlets(client):
    results = search(client, "Pelita Air catat laba dan kinerja positif tahun buku 2024")
    cards = cards_of(results, PELITA)
    assert {card["article_id"] for card in cards} == {cards[0]["article_id"]}, "one article"
    also_in = cards[0]["also_in"]
    assert {copy["article_id"] for copy in also_in} == set(PELITA) - {cards[0]["article_id"]}
    for copy in also_in:
        assert set(copy) == {"article_id", "title", "source", "url", "published"}
        assert copy["url"].startswith("https://") and copy["published"] == "2025-06-19"
    assert {copy["source"] for copy in also_in} < {"Liputan6.com", "Okezone.com", "detik.com"}
    kompas = cards_of(results, [PELITA_KOMPAS])
    assert kompas and kompas[0]["also_in"] == [], "written separately: its own card"


@pytest.mark.server
def test_an_outlet_filter_finds_each_copy(client):
    for article_id in PELITA:
        source = read_articles()[article_id].source
        results = search(client, "laba Pelita Air 2024", source=source)
        assert results and results[0]["article_id"] == article_id, source
        assert {r["source"] for r in results} == {source}
        others = {copy["article_id"] for copy in results[0]["also_in"]}
        assert others == set(PELITA) - {article_id}


@pytest.mark.server
def test_ask_cites_the_story_once(client):
    response = client.post(
        "/api/ask", json={"question": "Berapa laba Pelita Air pada 2024?", "k": 5}
    )
    assert response.status_code == 200, response.text
    passages = response.json()["passages"]
    assert len({p["article_id"] for p in cards_of(passages, PELITA)}) == 1
    first = cards_of(passages, PELITA)[0]
    assert len(first["also_in"]) == 2


@pytest.mark.server
def test_the_page_names_the_other_outlets(client):
    page = client.get("/", params={"q": "Kemnaker Kemensos BLK Sekolah Rakyat", "lang": "en"})
    assert page.status_code == 200
    assert "Also reported by" in page.text
    other = next(  # the BLK story's other copy, linked to its page here
        copy
        for result in search(client, "Kemnaker Kemensos BLK Sekolah Rakyat")
        for copy in result["also_in"]
    )
    assert f"/articles/{other['article_id']}" in page.text


@pytest.mark.server
def test_deleting_a_copy_takes_it_out_of_also_in(live, client):
    gone = PELITA[2]
    response = client.delete(f"/api/articles/{gone}", headers=AUTH)
    assert response.status_code == 202, response.text
    wait_for_job(live, response.json()["job"])
    results = search(client, "Pelita Air catat laba dan kinerja positif tahun buku 2024")
    cards = cards_of(results, PELITA)
    assert gone not in {card["article_id"] for card in cards}
    assert [copy["article_id"] for copy in cards[0]["also_in"]] == [
        article_id for article_id in PELITA[:2] if article_id != cards[0]["article_id"]
    ]
