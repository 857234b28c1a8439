"""Dify's External Knowledge API (`POST /retrieval`) against a real `qa serve` on loopback.

Requests are shaped as Dify's documentation shows them and as Dify sends them (JSON body,
`Authorization: Bearer <key>`); answers are checked against the corpus files: records with
content, score, title and metadata (outlet, date, url, article id), and errors in Dify's shape
with its codes (1001, 1002, 2001). The fuzzing of /retrieval is in test_faults.py.
"""

import httpx
import pytest
from fastapi.testclient import TestClient
from server import LiveServer, wait_idle

from qa.ingest.corpus import scan_corpus
from qa.serve.app import create_app
from qa.serve.service import Service

pytestmark = pytest.mark.server

KEY = "dify-key-9012"
LOCAL = "http://localhost"  # TestClient's own Host, testserver, is refused (qa/serve/guard.py)
KNOWLEDGE_ID = "berita-kemnaker"
HEADERS = {"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"}
METADATA_KEYS = {
    "article_id",
    "passage_id",
    "source",
    "published",
    "url",
    "language",
    "sentence",
    "also_in",
    "as_of",
    "standing",
}


def request(query: str = "status proposal OSH Korea", top_k: int = 3, threshold: float = 0.5):
    """A request body as in Dify's documentation ("Example Request")."""
    return {
        "knowledge_id": KNOWLEDGE_ID,
        "query": query,
        "retrieval_setting": {"top_k": top_k, "score_threshold": threshold},
    }


@pytest.fixture(scope="module")
def live(shipped_site):
    corpus, index = shipped_site
    env = {"QA_KNOWLEDGE_ID": KNOWLEDGE_ID}
    with LiveServer(corpus, index, api_key=KEY, env=env) as server:
        wait_idle(server)
        yield server


@pytest.fixture(scope="module")
def articles(shipped_site):
    return scan_corpus(shipped_site[0]).articles


def retrieve(server: LiveServer, body: dict, headers: dict = HEADERS) -> httpx.Response:
    return httpx.post(f"{server.url}/retrieval", json=body, headers=headers, timeout=30)


def records(server: LiveServer, body: dict) -> list[dict]:
    response = retrieve(server, body)
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"records"}
    return response.json()["records"]


def assert_dify_error(response: httpx.Response, status: int, code: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error_code", "error_msg"} and body["error_code"] == code, body
    assert isinstance(body["error_msg"], str) and body["error_msg"]
    return body["error_msg"]


def test_documented_request_gets_records_with_their_citation(live, articles):
    found = records(live, request(top_k=3, threshold=0.5))
    assert 1 <= len(found) <= 3
    assert found[0]["metadata"]["article_id"] == "tribunnews-2023-07-21-indonesia-korea-osh"
    scores = [record["score"] for record in found]
    assert scores == sorted(scores, reverse=True) and all(0.5 <= s <= 1 for s in scores)
    for record in found:
        assert set(record) == {"content", "score", "title", "metadata"}
        metadata = record["metadata"]
        assert set(metadata) == METADATA_KEYS, "an object of strings, never null"
        assert all(isinstance(value, str) for value in metadata.values())
        article = articles[metadata["article_id"]]
        assert record["title"] == article.title and record["content"] in article.text
        assert metadata["source"] == article.source
        assert metadata["published"] == article.published.isoformat()
        assert metadata["url"] == (article.url or "")
        assert metadata["passage_id"].startswith(article.id + "#")
        assert metadata["sentence"] in record["content"]


def test_top_k_bounds_the_records(live):
    assert len(records(live, request(top_k=5, threshold=0.0))) == 5
    assert len(records(live, request(top_k=1, threshold=0.0))) == 1


def test_top_k_zero_returns_no_records(live):
    assert records(live, request(top_k=0, threshold=0.0)) == []


def test_a_threshold_nothing_passes_returns_no_records(live):
    best = records(live, request(top_k=5, threshold=0.0))[0]["score"]
    assert best < 1
    assert records(live, request(top_k=5, threshold=min(1.0, best + 0.001))) == []
    assert records(live, request(top_k=5, threshold=1.0)) == []


def test_wrong_key_is_1002(live):
    headers = {**HEADERS, "Authorization": "Bearer not-the-key"}
    assert "Authorization failed" in assert_dify_error(
        retrieve(live, request(), headers), 403, 1002
    )


@pytest.mark.parametrize("authorization", [None, "", "Basic dify-key-9012", "Bearer", KEY])
def test_malformed_authorization_header_is_1001(live, authorization):
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    message = assert_dify_error(retrieve(live, request(), headers), 403, 1001)
    assert "Bearer" in message


def test_unknown_knowledge_id_is_2001(live):
    body = {**request(), "knowledge_id": "your-knowledge-id"}
    assert KNOWLEDGE_ID in assert_dify_error(retrieve(live, body), 404, 2001)


@pytest.mark.parametrize(
    "missing", ["knowledge_id", "query", "retrieval_setting", "top_k", "score_threshold"]
)
def test_a_missing_field_is_an_error_in_difys_shape(live, missing):
    body = request()
    if missing in body:
        del body[missing]
    else:
        del body["retrieval_setting"][missing]
    assert missing in assert_dify_error(retrieve(live, body), 422, 422)


@pytest.mark.parametrize(
    "change",
    [
        {"query": "   "},
        {"retrieval_setting": {"top_k": -1, "score_threshold": 0.5}},
        {"retrieval_setting": {"top_k": 3, "score_threshold": 1.5}},
        {"retrieval_setting": {"top_k": "three", "score_threshold": 0.5}},
        {"metadata_condition": {"conditions": [{"name": "source", "comparison_operator": "~"}]}},
    ],
)
def test_invalid_values_are_errors_in_difys_shape(live, change):
    assert_dify_error(retrieve(live, {**request(), **change}), 422, 422)


def test_no_body_with_the_right_key_is_not_an_auth_error(live):
    """What Dify sends when the API is registered: a bare POST with the key."""
    response = httpx.post(f"{live.url}/retrieval", headers=HEADERS, timeout=30)
    assert_dify_error(response, 422, 422)


def condition(name: str, operator: str, value=None) -> dict:
    return {"name": name, "comparison_operator": operator, "value": value}


@pytest.mark.parametrize(
    ("conditions", "logic", "check"),
    [
        ([condition("source", "is", "Suara.com")], "and", lambda m: m["source"] == "Suara.com"),
        (
            [condition("published", "after", "2023-01-01"), condition("source", "is not", "x")],
            "and",
            lambda m: m["published"] > "2023-01-01",
        ),
        (
            [
                condition("published", "before", "2021-01-01"),
                condition("source", "in", ["Rmol.id"]),
            ],
            "or",
            lambda m: m["published"] < "2021-01-01" or m["source"] == "Rmol.id",
        ),
        ([condition("source", "contains", "com")], "and", lambda m: "com" in m["source"].lower()),
        ([condition("url", "empty")], "and", lambda m: m["url"] == ""),
        (
            [condition("article_id", "start with", "rmol-")],
            "and",
            lambda m: m["source"] == "Rmol.id",
        ),
    ],
)
def test_metadata_conditions_filter_the_records(live, conditions, logic, check):
    body = {
        **request("kerja sama ketenagakerjaan", top_k=2, threshold=0.0),
        "metadata_condition": {"logical_operator": logic, "conditions": conditions},
    }
    found = records(live, body)
    assert len(found) == 2, "a narrow condition still fills top_k"
    assert all(check(record["metadata"]) for record in found), found


def test_a_server_without_a_key_refuses_retrieval(shipped_site, monkeypatch):
    """No QA_API_KEY, no retrieval: Dify is told the key is wrong (1002), before any search."""
    monkeypatch.delenv("QA_API_KEY", raising=False)
    app = create_app(Service(*shipped_site), api_key=None, open_service=False)
    response = TestClient(app, base_url=LOCAL).post("/retrieval", json=request(), headers=HEADERS)
    assert response.status_code == 403
    assert response.json()["error_code"] == 1002 and "QA_API_KEY" in response.json()["error_msg"]
