"""A running `qa serve` follows the index folder and keeps answering while it changes.

Against a real server on loopback: another process (`qa index update`) publishes an article,
and the server serves it within 5 seconds without a restart; then a bounded query loop runs
while an update (through the API) and a merge (by another process, held at each stage until
the loop has answered queries, so that it surely runs across it) change the index, and every
query must succeed; last, segments piling up from one-article updates get merged by the server
itself.
"""

import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from samples import code_word, long_article
from server import LiveServer, wait_for_job, wait_idle

from qa.articles import Article
from qa.index.check import check_index
from qa.index.folder import IndexFolder
from qa.index.merging import FACTOR as MERGE_FACTOR
from qa.ingest.corpus import scan_corpus, write_article

pytestmark = pytest.mark.server

KEY = "follow-key-9012"
AUTH = {"Authorization": f"Bearer {KEY}"}
FOLLOW_WITHIN = 5.0  # seconds

# A merge of every segment that, at each stage it reports, waits for the test's go-ahead: it
# writes <hook>/<n>.stage and waits (at most HOLD_SECONDS) for <hook>/<n>.go.
HOLD_SECONDS = 120
HELD_MERGE = f"""
import sys, time
from itertools import count
from pathlib import Path
from qa.index.merging import merge_segments

hook, stages = Path(sys.argv[2]), count()

def progress(stage, done, total):
    number = next(stages)
    (hook / f"{{number}}.stage").write_text(stage)
    ends = time.monotonic() + {HOLD_SECONDS}
    while not (hook / f"{{number}}.go").exists() and time.monotonic() < ends:
        time.sleep(0.05)

report = merge_segments(Path(sys.argv[1]), everything=True, progress=progress)
print("merged", report.into, flush=True)
"""


def qa_command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from qa.cli import cli; cli()", *args]


@dataclass
class QueryLoop:
    """Searches and asks in a loop, at most `limit` queries or `seconds`, noting failures."""

    url: str
    limit: int = 6000
    seconds: float = 600
    answered: list[float] = field(default_factory=list)  # when each answer came
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> "QueryLoop":
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        deadline = time.monotonic() + self.seconds
        queries = ["upah minimum Jakarta", "pekerja migran Korea", "ILO vocational training"]
        with httpx.Client(base_url=self.url, timeout=30) as client:
            for number in range(self.limit):
                if self._stop.is_set() or time.monotonic() > deadline:
                    return
                query = queries[number % len(queries)]
                if number % 5 == 4:
                    response = client.post("/api/ask", json={"question": query, "k": 3})
                    ok = response.status_code == 200 and response.json()["passages"]
                else:
                    mode = ("hybrid", "bm25", "dense")[number % 3]
                    response = client.get("/api/search", params={"q": query, "mode": mode})
                    ok = response.status_code == 200 and response.json()["results"]
                if ok:
                    self.answered.append(time.monotonic())
                else:
                    self.failures.append(f"{response.status_code}: {response.text[:300]}")

    def between(self, start: float, end: float) -> int:
        return sum(start <= moment <= end for moment in self.answered)

    def wait_for(self, more: int, timeout: float = HOLD_SECONDS) -> None:
        """Block until `more` queries beyond those answered so far were answered."""
        target = len(self.answered) + more
        deadline = time.monotonic() + timeout
        while len(self.answered) < target:
            assert not self.failures, self.failures
            assert time.monotonic() < deadline, f"{more} queries not answered in {timeout} s"
            time.sleep(0.05)


def held_merge(index: Path, hook: Path, loop: QueryLoop) -> subprocess.CompletedProcess:
    """Merge every segment in another process, holding each stage until `loop` has answered
    three more queries: queries surely run during the merge, however busy the machine."""
    hook.mkdir()
    merge = subprocess.Popen(
        [sys.executable, "-c", HELD_MERGE, str(index), str(hook)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    released = 0
    while merge.poll() is None or (hook / f"{released}.stage").exists():
        if (hook / f"{released}.stage").exists():
            loop.wait_for(3)
            (hook / f"{released}.go").touch()
            released += 1
        else:
            time.sleep(0.05)
    stdout, stderr = merge.communicate(timeout=HOLD_SECONDS)
    assert released > 0, "the merge reported no stage"
    return subprocess.CompletedProcess(merge.args, merge.returncode, stdout, stderr)


def test_server_follows_publications_and_answers_throughout(site, tmp_path):
    corpus, index = site
    newcomer = Article(**{**long_article(500, sentences=2), "published": None})
    with LiveServer(corpus, index, api_key=KEY) as server:
        before = wait_idle(server)

        # Another process publishes: the server serves the new article within 5 s.
        write_article(newcomer, corpus)
        update = subprocess.run(
            qa_command("index", "update", "--corpus", str(corpus), "--index", str(index)),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert update.returncode == 0, update.stderr
        published = time.monotonic()
        while True:
            found = httpx.get(f"{server.url}/api/articles/{newcomer.id}", timeout=10)
            if found.status_code == 200:
                break
            waited = time.monotonic() - published
            assert waited < FOLLOW_WITHIN, f"not served {waited:.1f}s after publication"
            time.sleep(0.1)
        hits = httpx.get(f"{server.url}/api/search", params={"q": code_word(500)}, timeout=10)
        assert hits.json()["results"][0]["article_id"] == newcomer.id
        assert server.status()["generation"] > before["generation"]

        with QueryLoop(server.url) as loop:
            # An update through the API, embedding while the loop runs.
            batch = [long_article(600 + number, sentences=6) for number in range(6)]
            response = httpx.post(f"{server.url}/api/articles", json=batch, headers=AUTH)
            assert response.status_code == 202, response.text
            started = time.monotonic()
            wait_for_job(server, response.json()["job"], timeout=180)
            updated = time.monotonic()

            # A merge by another process, each stage held until queries were answered.
            merge_started = time.monotonic()
            merge = held_merge(index, tmp_path / "merge-hook", loop)
            merged = time.monotonic()
            assert merge.returncode == 0, merge.stderr
            time.sleep(FOLLOW_WITHIN / 2)
        assert loop.failures == []
        assert loop.between(started, updated) >= 3, "no query ran during the update"
        assert loop.between(merge_started, merged) >= 3, "no query ran during the merge"

        status = server.status()
        assert status["segments"]["count"] == 1
        assert status["last_merge"]["into"] == merge.stdout.split()[-1]
        assert status["articles"] == before["articles"] + 1 + len(batch)

        # Segments pile up, one per update: the server has them merged by itself.
        for number in range(MERGE_FACTOR):
            article = long_article(700 + number, sentences=1)
            response = httpx.post(f"{server.url}/api/articles", json=article, headers=AUTH)
            wait_for_job(server, response.json()["job"])
        deadline = time.monotonic() + 120
        while (status := server.status())["segments"]["count"] > MERGE_FACTOR:
            assert time.monotonic() < deadline, f"no merge: {status['segments']} {status['merge']}"
            time.sleep(0.2)
        assert status["merge"]["last_error"] is None
        assert status["last_merge"]["merged"] and status["segments"]["count"] < MERGE_FACTOR
        assert status["articles"] == before["articles"] + 1 + len(batch) + MERGE_FACTOR
    assert check_index(index, scan_corpus(corpus).articles) == []
    assert len(IndexFolder(index).current().segments) < MERGE_FACTOR
