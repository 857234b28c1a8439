"""Throughput and tail latency under concurrent load: N clients for T seconds against qa serve.

    python benchmarks/load.py                                  # 8 clients, 60 s, 100k passages
    python benchmarks/load.py --size 1000 --seconds 5          # a quick check

`qa serve --no-sync` over a synthetic index (benchmarks/synthetic.py, built once under
benchmarks/cache) on 127.0.0.1. After a few sequential warm-up requests, --clients asyncio
tasks share one httpx.AsyncClient and send `GET /api/search?q=...&k=10` back to back, each
taking the next question of a fixed, seeded mix of TyDi-QA-id (Indonesian) and XQuAD
(English) test questions. The run stops at --seconds or after --max-requests requests,
whichever comes first; a request still in flight at the deadline is waited for (at most
--timeout seconds). An error is a non-200 answer or a failed request. Throughput counts the
answered requests over the whole run; CPU ms/req is the CPU time (all threads) the server
and this load generator used during the run per answered request, which says what the
machine's cores allow whatever else runs on it. Targets: p95 <= 100 ms, no errors.
"""

import argparse
import asyncio
import itertools
import os
import sys
import time

import httpx
from latency import Server, mixed_questions, percentiles
from synthetic import synthetic_index

from qa.index.vectors import AUTO


async def drive(
    url: str, questions: list[str], clients: int, seconds: float, max_requests: int, timeout: float
) -> dict:
    """Run the clients; return the answered requests' latencies, the errors and the run time."""
    numbers = itertools.count()
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as http:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds

        async def client() -> None:
            while loop.time() < deadline and (number := next(numbers)) < max_requests:
                params = {"q": questions[number % len(questions)], "k": 10}
                started = time.perf_counter()
                try:
                    response = await http.get("/api/search", params=params)
                except httpx.HTTPError as error:
                    errors.append(f"{type(error).__name__}: {error}")
                    continue
                if response.status_code == 200:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors.append(f"HTTP {response.status_code}: {response.text[:200]}")

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return {"latencies": latencies, "errors": errors, "elapsed": elapsed}


def load(size: int, args: argparse.Namespace, questions: list[str]) -> dict:
    folder = synthetic_index(size, args.faiss)
    with Server(folder) as server:
        with httpx.Client(base_url=server.url, timeout=args.timeout) as client:
            for question in questions[: args.warmup]:
                client.get("/api/search", params={"q": question, "k": 10}).raise_for_status()
        print(
            f"{size} passages: {args.clients} clients for {args.seconds:g} s ...",
            file=sys.stderr,
            flush=True,
        )
        server_cpu, client_cpu = server.cpu_seconds(), time.process_time()
        result = asyncio.run(
            drive(
                server.url,
                questions,
                args.clients,
                args.seconds,
                args.max_requests,
                args.timeout,
            )
        )
        result["server_cpu"] = server.cpu_seconds() - server_cpu
        result["client_cpu"] = time.process_time() - client_cpu
        result["rss"] = server.peak_rss_mb()
    result["size"] = size
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes", "--size", dest="sizes", type=int, nargs="+", default=[100_000], help="passages"
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the run")
    parser.add_argument(
        "--max-requests", type=int, default=50_000, help="stop after this many requests"
    )
    parser.add_argument("--questions", type=int, default=200, help="distinct questions, cycled")
    parser.add_argument("--warmup", type=int, default=10, help="sequential requests first")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--faiss", default=AUTO, help='FAISS factory, e.g. "HNSW32"')
    args = parser.parse_args()
    questions = mixed_questions(args.questions, args.seed)
    rows = [load(size, args, questions) for size in args.sizes]
    loadavg = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\n{len(questions)} questions (seed {args.seed}), k=10; times in ms; load {loadavg}\n")
    print(
        "| passages | clients | seconds | requests | req/s | p50 | p95 | p99 | errors "
        "| server CPU ms/req | client CPU ms/req | server peak RSS (MB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        answered = len(row["latencies"])
        p50, p95, p99 = percentiles(row["latencies"]) if answered else (float("nan"),) * 3
        cells = [
            f"{row['size']:,}",
            str(args.clients),
            f"{row['elapsed']:.1f}",
            str(answered + len(row["errors"])),
            f"{answered / row['elapsed']:.1f}",
            f"{p50:.1f}",
            f"{p95:.1f}",
            f"{p99:.1f}",
            str(len(row["errors"])),
            f"{row['server_cpu'] * 1000 / max(answered, 1):.1f}",
            f"{row['client_cpu'] * 1000 / max(answered, 1):.1f}",
            f"{row['rss']:.0f}",
        ]
        print("| " + " | ".join(cells) + " |")
        for error in sorted(set(row["errors"]))[:5]:
            print(f"  error: {error}")


if __name__ == "__main__":
    main()
