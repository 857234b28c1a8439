"""What a request may cost a real `qa serve` on loopback, tried as an attacker would: pages that
trickle in, more add-by-link requests than fetch workers, bodies and fields too large, and
queries made of characters that each cost the embedder a token or more."""

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from server import LiveServer
from sites import TRICKLE_SECONDS, NewsSite

from qa.ingest.corpus import write_article

pytestmark = pytest.mark.server

KEY = "limits-key-3456"
AUTH = {"Authorization": f"Bearer {KEY}"}
FETCH_TIMEOUT = 3
WORKERS = 2
MAX_WRITE = 1_000_000
MAX_UPLOAD = 500_000
MB = 1 << 20


@pytest.fixture(scope="module")
def hostile():
    """A site of its own: its /hold pages trickle until this module releases them."""
    with NewsSite() as site:
        yield site
        site.release.set()


@pytest.fixture(scope="module")
def live(tmp_path_factory, built_index_dir, small_articles):
    tmp = tmp_path_factory.mktemp("limits")
    for article in small_articles.values():
        write_article(article, tmp / "corpus")
    shutil.copytree(built_index_dir, tmp / "index")
    env = {
        "QA_FETCH_ALLOW": "127.0.0.1/32",
        "QA_FETCH_TIMEOUT": str(FETCH_TIMEOUT),
        "QA_FETCH_WORKERS": str(WORKERS),
        "QA_MAX_WRITE_BYTES": str(MAX_WRITE),
        "QA_MAX_UPLOAD_BYTES": str(MAX_UPLOAD),
        "OMP_NUM_THREADS": "1",  # CPU time of a query, not of idle threads spinning
    }
    with LiveServer(tmp / "corpus", tmp / "index", api_key=KEY, env=env) as server:
        yield server


def add_by_link(live: LiveServer, *urls: str, timeout: float = 60) -> httpx.Response:
    return httpx.post(
        f"{live.url}/api/articles/from-url",
        json={"urls": list(urls)},
        headers=AUTH,
        timeout=timeout,
    )


def wait_until(check, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.05)


def test_a_page_that_trickles_in_is_cut_at_the_fetch_deadline(live, hostile):
    started = time.monotonic()
    response = add_by_link(live, hostile.url("/trickle"))
    assert response.status_code == 422, response.text
    assert f"timed out after {FETCH_TIMEOUT} s" in response.json()["detail"][0]["error"]
    assert time.monotonic() - started < TRICKLE_SECONDS / 2  # the page itself lasts 60 s


def test_fetches_have_threads_of_their_own_and_a_full_pool_says_so(live, hostile):
    """Two requests of 20 trickling links each hold both fetch workers for up to 60 s; 40 more
    are refused at once with 503 and Retry-After, and searches, health and the page answer."""
    seen = {path for path, _ in hostile.requests}
    links = {name: [hostile.url(f"/hold/{name}-{n}") for n in range(20)] for name in "ab"}
    with ThreadPoolExecutor(WORKERS + 40) as clients:
        holding = [clients.submit(add_by_link, live, *links[name]) for name in "ab"]
        wait_until(
            lambda: {"/hold/a-0", "/hold/b-0"} <= {p for p, _ in hostile.requests} - seen,
            "both fetch workers are fetching",
        )
        others = [hostile.url(f"/hold/c-{n}") for n in range(40)]
        refused = list(clients.map(lambda url: add_by_link(live, url, timeout=30), others))
        assert {response.status_code for response in refused} == {503}, refused[0].text
        assert refused[0].headers["retry-after"] == str(FETCH_TIMEOUT)
        assert "QA_FETCH_WORKERS" in refused[0].json()["error"]
        assert not any(path.startswith("/hold/c-") for path, _ in hostile.requests)

        for path in ("/api/health", "/api/search?q=upah+minimum", "/"):
            assert httpx.get(f"{live.url}{path}", timeout=10).status_code == 200, path
        assert not any(request.done() for request in holding)  # still fetching meanwhile

        hostile.release.set()
        assert [request.result().status_code for request in holding] == [422, 422]
    hostile.release.clear()
    freed = add_by_link(live, hostile.url("/no-article"))
    assert freed.status_code == 422 and "QA_FETCH_WORKERS" not in freed.text


def rss_kb(live: LiveServer) -> int:
    for line in Path(f"/proc/{live.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def huge_question(size: int) -> bytes:
    return b'{"question": "upah minimum", "source": "' + b"a" * size + b'"}'


@pytest.mark.parametrize("chunked", [False, True])
def test_an_oversize_body_is_refused_before_it_is_read(live, chunked):
    body = huge_question(100_000_000)
    warm = httpx.post(f"{live.url}/api/ask", json={"question": "upah"}, timeout=60)
    assert warm.status_code == 200
    before = rss_kb(live)
    pieces = (body[at : at + MB] for at in range(0, len(body), MB))
    content = pieces if chunked else body
    headers = {"Content-Type": "application/json"}
    response = httpx.post(f"{live.url}/api/ask", content=content, headers=headers, timeout=60)
    assert response.status_code == 413, response.text[:300]
    assert set(response.json()) == {"error", "detail"}
    assert "65,536 bytes" in response.json()["error"]
    assert rss_kb(live) - before < 20_000  # KB: the 100 MB were never held
    assert httpx.get(f"{live.url}/api/health", timeout=10).status_code == 200


def test_article_writes_and_uploads_have_larger_limits_of_their_own(live):
    # over the 64 KiB of a question, under the write limit: read, then judged on its fields
    article = {"id": "-bad id-", "title": "t", "text": "kata " * 40_000}
    response = httpx.post(f"{live.url}/api/articles", json=article, headers=AUTH, timeout=60)
    assert response.status_code == 422, response.text[:300]
    article["text"] = "kata " * (MAX_WRITE // 5)
    response = httpx.post(f"{live.url}/api/articles", json=article, headers=AUTH, timeout=60)
    assert response.status_code == 413 and f"{MAX_WRITE:,} bytes" in response.json()["error"]
    files = {"file": ("big.txt", b"kata " * (MAX_UPLOAD // 4), "text/plain")}
    response = httpx.post(f"{live.url}/admin/upload", files=files, timeout=60)
    assert response.status_code == 413


@pytest.mark.parametrize("field", [{"source": "s" * 201}, {"question": "q" * 1001}])
def test_an_oversize_field_is_a_422(live, field):
    response = httpx.post(f"{live.url}/api/ask", json={"question": "upah", **field}, timeout=30)
    assert response.status_code == 422, response.text
    assert set(response.json()) == {"error", "detail"}


def test_an_oversize_filter_is_a_422(live):
    params = {"q": "upah", "source": "s" * 201}
    assert httpx.get(f"{live.url}/api/search", params=params, timeout=30).status_code == 422


def cpu_seconds(live: LiveServer) -> float:
    fields = Path(f"/proc/{live.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks


def query_cpu(live: LiveServer, query: str) -> float:
    """The server's CPU time for the query: the least of three runs."""
    costs = []
    for _ in range(3):
        before = cpu_seconds(live)
        response = httpx.get(f"{live.url}/api/search", params={"q": query}, timeout=120)
        assert response.status_code == 200, response.text
        costs.append(cpu_seconds(live) - before)
    return min(costs)


def test_a_query_of_a_thousand_emoji_costs_what_a_long_question_does(live):
    """1,000 emoji or CJK characters are 500 to 1,000 tokens: embedded whole they cost the
    server about ten times the CPU of a long question in words (about 150 tokens)."""
    question = "Berapa upah minimum pekerja di Jakarta dan provinsi lain tahun 2024? " * 8
    usual = query_cpu(live, question)
    for expensive in ("😀🎉" * 500, "日本語の文章です" * 125):
        cost = query_cpu(live, expensive)
        assert cost < 2 * max(usual, 0.05), f"{expensive[:4]}: {cost:.2f} s, usual {usual:.2f} s"
