"""One contract, run through every adapter: the JSON API, the reading page, the MCP tools and
`qa ask`. Filters narrow what each one returns, a filter matching nothing gives no passages
and says so, and bad input is refused with a message that names the problem.

One real `qa serve` on loopback over four articles (Indonesian and English, three outlets,
2020-2023); the CLI reads a copy of the index that server built. Dify's `/retrieval` speaks
its own filter and error language and has its own tests (test_dify.py).
"""

import asyncio
import json
import re
import shutil
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from mcp import Client
from samples import FOUR_ARTICLES as CORPUS
from server import LiveServer, wait_idle

from qa.cli import cli

pytestmark = pytest.mark.server

QUESTION = "Kerja sama ketenagakerjaan apa yang dibahas Kemnaker dengan Korea, Jepang dan ILO?"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The server, and a copy of the index it built for the CLI (`live.snapshot`)."""
    tmp = tmp_path_factory.mktemp("adapters")
    (tmp / "corpus").mkdir()
    for name, text in CORPUS.items():
        (tmp / "corpus" / f"{name}.md").write_text(text, encoding="utf-8")
    with LiveServer(tmp / "corpus", tmp / "index") as server:
        wait_idle(server)
        shutil.copytree(tmp / "index", tmp / "index-snapshot", symlinks=True)
        server.snapshot = tmp / "index-snapshot"
        yield server


class Adapter:
    """How one adapter is asked, and what its passages and its refusals look like."""

    name = ""
    filters = {"source", "since", "until", "language"}

    def __init__(self, server: LiveServer):
        self.server = server

    def passages(self, question: str, **filters: str) -> list[list[dict]]:
        """For each way the adapter returns passages (search, ask): the passages, as dicts
        with at least article_id, source and published (ISO date or None)."""
        raise NotImplementedError

    def nothing(self, question: str, **filters: str) -> None:
        """Assert the adapter returns no passage and says there is no answer."""
        raise NotImplementedError

    def refusal(self, question: str, **filters: str) -> str:
        """Assert the input is refused in the adapter's own way; the message."""
        raise NotImplementedError


class Api(Adapter):
    name = "api"

    def get(self, path: str, **params: str) -> httpx.Response:
        return httpx.get(f"{self.server.url}{path}", params=params, timeout=60)

    def post(self, path: str, body: dict) -> httpx.Response:
        return httpx.post(f"{self.server.url}{path}", json=body, timeout=60)

    def passages(self, question: str, **filters: str) -> list[list[dict]]:
        searched = self.get("/api/search", q=question, **filters)
        asked = self.post("/api/ask", {"question": question, **filters})
        assert searched.status_code == asked.status_code == 200, (searched.text, asked.text)
        return [searched.json()["results"], asked.json()["passages"]]

    def nothing(self, question: str, **filters: str) -> None:
        assert self.get("/api/search", q=question, **filters).json()["results"] == []
        body = self.post("/api/ask", {"question": question, **filters}).json()
        assert body["no_answer"] is True and body["answer"] is None and body["passages"] == []

    def refusal(self, question: str, **filters: str) -> str:
        searched = self.get("/api/search", q=question, **filters)
        asked = self.post("/api/ask", {"question": question, **filters})
        for response in (searched, asked):
            assert response.status_code == 422, response.text
            assert response.headers["content-type"].startswith("application/json")
            assert set(response.json()) == {"error", "detail"}
        assert searched.json()["error"].startswith("Invalid request")
        assert isinstance(asked.json()["detail"], list) and asked.json()["detail"]
        return asked.json()["error"]


class Page(Adapter):
    name = "page"
    filters = {"source", "since", "until"}  # the page has no language filter
    CARD = re.compile(
        r'<article class="passage.*?<h3><a href="/articles/([^"?]+)\?.*?'
        r'class="outlet">([^<]*)<(?:/span> · <time datetime="([\d-]+)")?',
        re.S,
    )

    def get(self, question: str, **filters: str) -> httpx.Response:
        params = {"q": question, **filters}
        return httpx.get(f"{self.server.url}/", params=params, timeout=60)

    def passages(self, question: str, **filters: str) -> list[list[dict]]:
        response = self.get(question, **filters)
        assert response.status_code == 200, response.text
        return [
            [
                {"article_id": article_id, "source": source, "published": published or None}
                for article_id, source, published in self.CARD.findall(response.text)
            ]
        ]

    def nothing(self, question: str, **filters: str) -> None:
        html = self.get(question, **filters).text
        assert "Tidak ada jawaban yang pasti" in html and 'class="passages"' not in html

    def refusal(self, question: str, **filters: str) -> str:
        response = self.get(question, **filters)
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("text/html")
        assert '<form class="search"' in response.text  # the form is there to try again
        alert = re.search(r'<p class="error" role="alert">(.*?)</p>', response.text, re.S)
        assert alert, response.text
        return alert.group(1)


class Mcp(Adapter):
    name = "mcp"

    def call(self, tool: str, arguments: dict[str, Any]) -> Any:
        async def run():
            async with Client(f"{self.server.url}/mcp") as client:
                return await client.call_tool(tool, arguments)

        return asyncio.run(run())

    def result(self, tool: str, arguments: dict[str, Any]) -> dict:
        called = self.call(tool, arguments)
        assert not called.is_error, called.content
        return called.structured_content

    def passages(self, question: str, **filters: str) -> list[list[dict]]:
        searched = self.result("search", {"query": question, "k": 10, **filters})
        asked = self.result("ask", {"question": question, **filters})
        return [searched["results"], asked["passages"]]

    def nothing(self, question: str, **filters: str) -> None:
        assert self.result("search", {"query": question, **filters})["results"] == []
        body = self.result("ask", {"question": question, **filters})
        assert body["no_answer"] is True and body["answer"] is None and body["passages"] == []

    def refusal(self, question: str, **filters: str) -> str:
        called = self.call("ask", {"question": question, **filters})
        assert called.is_error is True
        return called.content[0].text


class Cli(Adapter):
    name = "cli"

    def run(self, question: str, *options: str, **filters: str):
        arguments = ["ask", question, "--index", str(self.server.snapshot), *options]
        for name, value in filters.items():
            arguments += [f"--{name}", value]
        return CliRunner().invoke(cli, arguments)

    def passages(self, question: str, **filters: str) -> list[list[dict]]:
        result = self.run(question, "--json", **filters)
        assert result.exit_code == 0, result.output
        return [json.loads(result.stdout)["passages"]]

    def nothing(self, question: str, **filters: str) -> None:
        result = self.run(question, **filters)
        assert result.exit_code == 0, result.output
        assert result.output.startswith("No answer found in the corpus.")
        assert not re.search(r"^\[\d+\] ", result.output, re.M), "no citation"
        body = json.loads(self.run(question, "--json", **filters).stdout)
        assert body["no_answer"] is True and body["passages"] == []

    def refusal(self, question: str, **filters: str) -> str:
        result = self.run(question, **filters)
        assert result.exit_code == 2, result.output  # click's usage error
        return result.output


ADAPTERS = [Api, Page, Mcp, Cli]


FILTERS = [
    ({"source": "Suara.com"}, lambda p: p["source"] == "Suara.com"),
    ({"source": "suara.com"}, lambda p: p["source"] == "Suara.com"),
    ({"since": "2023-01-01"}, lambda p: p["published"] >= "2023-01-01"),
    ({"until": "2022-12-31"}, lambda p: p["published"] <= "2022-12-31"),
    (
        {"since": "2022-01-01", "until": "2022-12-31"},
        lambda p: p["article_id"] == "kompas-magang-jepang",
    ),
    ({"language": "en"}, lambda p: p["article_id"] == "jakartapost-ilo-geneva"),
    ({"language": "id"}, lambda p: p["article_id"] != "jakartapost-ilo-geneva"),
]


@pytest.mark.parametrize(
    ("kind", "filters", "check"),
    [
        pytest.param(kind, filters, check, id=f"{kind.name}-{json.dumps(filters)}")
        for kind in ADAPTERS
        for filters, check in FILTERS
        if set(filters) <= kind.filters
    ],
)
def test_filters_narrow_the_passages(live, kind, filters, check):
    adapter = kind(live)
    for everything, narrowed in zip(
        adapter.passages(QUESTION), adapter.passages(QUESTION, **filters), strict=True
    ):
        assert narrowed and all(check(p) for p in narrowed), narrowed
        assert not all(check(p) for p in everything), "the filter must leave something out"


@pytest.mark.parametrize("kind", ADAPTERS, ids=lambda kind: kind.name)
def test_a_filter_matching_nothing_gives_no_passages(live, kind):
    kind(live).nothing("Apa status proposal OSH?", source="Nobody.example")


# (question, filters, what the message says, per adapter; None: the adapter has no such input
# or takes it as something else: the page shows its start page for an empty question, and
# `qa ask` has no length limit)
LONG = "x" * 1001
BAD_INPUT = {
    "empty": ("", {}, {"api": "question", "mcp": "question", "cli": "must not be empty"}),
    "blank": ("   ", {}, {"api": "blank", "mcp": "question", "cli": "must not be empty"}),
    "too long": (
        LONG,
        {},
        {"api": "1000", "mcp": "at most 1000 characters", "page": "paling banyak 1000 karakter"},
    ),
    "impossible date": (
        "upah",
        {"since": "2023-13-45"},
        {"api": "since", "mcp": "since", "page": "tidak valid", "cli": "--since"},
    ),
    "not a date": (
        "upah",
        {"until": "yesterday"},
        {"api": "until", "mcp": "until", "page": "tidak valid", "cli": "--until"},
    ),
    "unknown language": (
        "upah",
        {"language": "fr"},
        {"api": "language", "mcp": "language", "cli": "--language"},
    ),
}


@pytest.mark.parametrize(
    ("kind", "case"),
    [
        pytest.param(kind, case, id=f"{kind.name}-{case}")
        for kind in ADAPTERS
        for case, (_, _, says) in BAD_INPUT.items()
        if kind.name in says
    ],
)
def test_bad_input_is_refused_naming_the_problem(live, kind, case):
    question, filters, says = BAD_INPUT[case]
    message = kind(live).refusal(question, **filters)
    assert says[kind.name].lower() in message.lower(), message
