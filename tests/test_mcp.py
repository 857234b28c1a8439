"""The MCP tools driven by the SDK's own client, over the shipped corpus (no mocks).

Over streamable HTTP against a real `qa serve` on loopback (its /mcp), and over stdio against a
real `qa mcp` subprocess: the four read-only tools are listed with descriptions for a model,
each call carries its citation (checked against the corpus files), a question the corpus cannot
answer says so, long texts are cut and marked, and bad input is a tool error, never a crash.
"""

import asyncio
import sys
from datetime import date
from typing import Any

import httpx
import pytest
from mcp import Client, StdioServerParameters, stdio_client
from samples import PASSAGE_KEYS
from server import REPO, LiveServer, wait_idle

from qa.ingest.corpus import scan_corpus

pytestmark = pytest.mark.server

TOOLS = {"ask", "search", "timeline", "get_article", "list_sources"}
QUESTION = "Apa status proposal OSH yang diajukan ke Korea?"
ANSWERED_BY = "tribunnews-2023-07-21-indonesia-korea-osh"
UNANSWERABLE = "Resep rendang daging sapi yang empuk"
ALLOWED_HOST = "qa.example.org"


@pytest.fixture(scope="module")
def live(shipped_site):
    corpus, index = shipped_site
    with LiveServer(corpus, index, env={"QA_ALLOWED_HOSTS": ALLOWED_HOST}) as server:
        wait_idle(server)
        yield server


@pytest.fixture(scope="module")
def articles(shipped_site):
    """The corpus as its files read: what every citation must agree with."""
    return scan_corpus(shipped_site[0]).articles


def call(server: LiveServer, tool: str, arguments: dict[str, Any]) -> Any:
    """One tool call over streamable HTTP, in a session of its own."""

    async def run():
        async with Client(f"{server.url}/mcp") as client:
            return await client.call_tool(tool, arguments)

    return asyncio.run(run())


def result(server: LiveServer, tool: str, **arguments) -> dict:
    """The structured result of a call that must succeed."""
    called = call(server, tool, arguments)
    assert not called.is_error, called.content
    return called.structured_content


def assert_cited(passage: dict, articles: dict) -> None:
    """A passage carries the citation of its article, as the corpus file has it."""
    assert set(passage) == PASSAGE_KEYS | {"truncated", "characters"}
    article = articles[passage["article_id"]]
    assert passage["passage_id"].startswith(article.id + "#")
    assert passage["title"] == article.title and passage["source"] == article.source
    assert passage["url"] == article.url
    assert passage["published"] == (article.published.isoformat() if article.published else None)
    assert len(passage["text"]) <= passage["characters"]
    assert passage["truncated"] == (len(passage["text"]) < passage["characters"])
    for span in passage["highlights"]:
        assert 0 <= span["start"] < span["end"] <= len(passage["text"])
    if not passage["truncated"]:
        assert passage["text"] in article.text


# -- over streamable HTTP -----------------------------------------------------------------------


def test_the_read_only_tools_are_listed_with_descriptions_for_a_model(live):
    async def run():
        async with Client(f"{live.url}/mcp") as client:
            return (await client.list_tools()).tools

    tools = {tool.name: tool for tool in asyncio.run(run())}
    assert set(tools) == TOOLS, "exactly the five read tools: no writes over MCP"
    for tool in tools.values():
        assert tool.annotations.read_only_hint is True
        assert len(tool.description) > 200, tool.name
    for name in ("ask", "search"):
        assert "Indonesian or English" in tools[name].description
    assert "no_answer" in tools["ask"].description and "get_article" not in tools["ask"].name
    ask_schema = tools["ask"].input_schema
    assert set(ask_schema["properties"]) == {
        "question",
        "k",
        "source",
        "since",
        "until",
        "language",
        "max_chars",
    }
    assert ask_schema["required"] == ["question"]
    assert tools["get_article"].input_schema["required"] == ["article_id"]
    assert tools["list_sources"].input_schema["properties"] == {}


def test_ask_answers_with_the_sentence_and_its_citation(live, articles):
    body = result(live, "ask", question=QUESTION, k=3)
    assert body["question"] == QUESTION and body["no_answer"] is False
    answer = body["answer"]
    assert answer["article_id"] == ANSWERED_BY and 0 < answer["confidence"] <= 1
    article = articles[ANSWERED_BY]
    assert (answer["title"], answer["source"]) == (article.title, article.source)
    assert answer["published"] == article.published.isoformat() and answer["url"] == article.url
    assert answer["text"] in article.text
    assert 1 <= len(body["passages"]) <= 3
    for passage in body["passages"]:
        assert_cited(passage, articles)
    cited = next(p for p in body["passages"] if p["passage_id"] == answer["passage_id"])
    marked = [cited["text"][h["start"] : h["end"]] for h in cited["highlights"]]
    assert answer["text"] in marked, "the answer sentence is the one highlighted"


def test_an_english_question_finds_the_indonesian_answer(live, articles):
    body = result(live, "ask", question="What did Indonesia agree with ASEAN+3 on migrant workers?")
    assert body["answer"]["article_id"] == "suara-2020-10-27-asean-slom-plus-three"
    assert "pekerja migran" in body["answer"]["text"]


def test_a_question_the_corpus_cannot_answer_says_so(live, articles):
    body = result(live, "ask", question=UNANSWERABLE, k=3)
    assert body["no_answer"] is True and body["answer"] is None
    assert len(body["passages"]) == 3, "the closest passages are still listed"
    for passage in body["passages"]:
        assert_cited(passage, articles)


def test_search_returns_cited_passages(live, articles):
    """(and within its filters: test_adapters.py, for every adapter)"""
    everything = result(live, "search", query="kerja sama ketenagakerjaan ASEAN", k=10)
    assert everything["query"] == "kerja sama ketenagakerjaan ASEAN"
    assert len({p["source"] for p in everything["results"]}) > 1
    for passage in everything["results"]:
        assert_cited(passage, articles)


def test_long_texts_are_cut_to_max_chars_and_say_so(live, articles):
    body = result(live, "ask", question=QUESTION, k=3, max_chars=150)
    for passage in body["passages"]:
        assert_cited(passage, articles)
        assert len(passage["text"]) <= 150
        assert passage["truncated"] is (passage["characters"] > 150)
        assert passage["text"] in articles[passage["article_id"]].text
    cited = next(p for p in body["passages"] if p["passage_id"] == body["answer"]["passage_id"])
    assert cited["truncated"] and cited["highlights"], "the cut keeps the answer in view"
    start, end = cited["highlights"][0]["start"], cited["highlights"][0]["end"]
    assert cited["text"][start:end] in body["answer"]["text"]

    article = articles["rmol-2021-09-10-asean-slom-17"]
    cut = result(live, "get_article", article_id=article.id, max_chars=500)
    assert cut["truncated"] is True and cut["characters"] == len(article.text)
    assert cut["text"] == article.text[:500]


def test_get_article_returns_the_clean_text_and_its_citation(live, articles):
    article = articles["liputan6-2023-11-02-itc-ilo-geneva"]
    body = result(live, "get_article", article_id=article.id)
    assert body == {
        "id": article.id,
        "title": article.title,
        "source": article.source,
        "url": article.url,
        "published": article.published.isoformat(),
        "language": "id",
        "text": article.text,
        "truncated": False,
        "characters": len(article.text),
    }


def test_list_sources_gives_the_outlets_and_dates_of_the_corpus(live, articles):
    body = result(live, "list_sources")
    dates = [a.published for a in articles.values()]
    assert body["articles"] == len(articles)
    assert (body["first"], body["last"]) == (min(dates).isoformat(), max(dates).isoformat())
    expected = {}
    for article in articles.values():
        expected.setdefault(article.source, []).append(article.published)
    assert {o["name"]: o["articles"] for o in body["outlets"]} == {
        name: len(days) for name, days in expected.items()
    }
    for outlet in body["outlets"]:
        days = expected[outlet["name"]]
        assert date.fromisoformat(outlet["first"]) == min(days)
        assert date.fromisoformat(outlet["last"]) == max(days)


@pytest.mark.parametrize(
    ("tool", "arguments", "says"),
    [
        ("ask", {}, "question"),
        ("ask", {"question": 42}, "valid string"),
        ("ask", {"question": QUESTION, "k": "five"}, "valid integer"),
        ("ask", {"question": QUESTION, "k": 0}, "greater than or equal to 1"),
        ("search", {"query": QUESTION, "max_chars": -1}, "max_chars"),
        ("search", {"query": ["a", "list"]}, "valid string"),
        ("get_article", {"article_id": "no-such-article"}, "No article with id 'no-such-article'"),
        ("get_article", {"article_id": 7}, "valid string"),
        ("no_such_tool", {}, "no_such_tool"),
    ],
)
def test_bad_input_is_a_tool_error_not_a_crash(live, tool, arguments, says):
    called = call(live, tool, arguments)
    assert called.is_error is True
    assert says in called.content[0].text, called.content[0].text


def test_the_server_still_answers_after_bad_input(live):
    call(live, "ask", {"question": "x" * 10_000})
    assert httpx.get(f"{live.url}/api/health", timeout=10).status_code == 200
    assert result(live, "ask", question=QUESTION)["answer"]["article_id"] == ANSWERED_BY


@pytest.mark.parametrize(
    ("host", "allowed"),
    [("127.0.0.1", True), ("localhost", True), (ALLOWED_HOST, True), ("evil.example", False)],
)
def test_mcp_answers_only_hosts_it_is_told_about(live, host, allowed):
    """DNS-rebinding protection: a Host header that is neither loopback nor QA_ALLOWED_HOSTS
    is refused before anything MCP runs."""
    response = httpx.post(
        f"{live.url}/mcp",
        headers={"Host": f"{host}:{live.port}", "Accept": "application/json, text/event-stream"},
        json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
        timeout=10,
    )
    assert (response.status_code != 421) is allowed, (response.status_code, response.text)


# -- over stdio ---------------------------------------------------------------------------------


def test_stdio_server_serves_the_same_tools(shipped_site, articles, tmp_path):
    """`qa mcp` as a desktop client starts it: a subprocess speaking over stdin and stdout."""
    corpus, index = shipped_site
    command = ["-c", "from qa.cli import cli; cli()", "mcp", "--no-sync"]
    params = StdioServerParameters(
        command=sys.executable,
        args=[*command, "--corpus", str(corpus), "--index", str(index)],
        env={"HF_HUB_OFFLINE": "1"},
        cwd=str(REPO),
    )
    log = tmp_path / "qa-mcp.log"

    async def run() -> dict:
        with log.open("w") as errlog:
            async with Client(stdio_client(params, errlog=errlog)) as client:
                tools = (await client.list_tools()).tools
                calls = {
                    "answered": ("ask", {"question": QUESTION}),
                    "unanswered": ("ask", {"question": UNANSWERABLE, "k": 2}),
                    "search": ("search", {"query": "ILO Geneva", "k": 3}),
                    "article": ("get_article", {"article_id": ANSWERED_BY, "max_chars": 300}),
                    "sources": ("list_sources", {}),
                    "empty": ("ask", {"question": ""}),
                    "unknown": ("get_article", {"article_id": "no-such-article"}),
                }
                results = {key: await client.call_tool(*call) for key, call in calls.items()}
                return {"tools": tools, **results}

    done = asyncio.run(run())
    assert {tool.name for tool in done["tools"]} == TOOLS, log.read_text()
    for key in ("answered", "unanswered", "search", "article", "sources"):
        assert not done[key].is_error, (key, done[key].content)
    answered = done["answered"].structured_content
    assert answered["answer"]["article_id"] == ANSWERED_BY
    assert answered["answer"]["source"] == "Tribunnews.com"
    for passage in answered["passages"] + done["search"].structured_content["results"]:
        assert_cited(passage, articles)
    unanswered = done["unanswered"].structured_content
    assert unanswered["no_answer"] is True and len(unanswered["passages"]) == 2
    article = done["article"].structured_content
    assert article["truncated"] is True and len(article["text"]) == 300
    assert done["sources"].structured_content["articles"] == len(articles)
    assert done["empty"].is_error and done["unknown"].is_error
    assert "No article with id" in done["unknown"].content[0].text
