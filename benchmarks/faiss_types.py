"""Which FAISS index type for which segment size: exact search against IVF and HNSW.

    python benchmarks/faiss_types.py                          # 10k .. 1M vectors
    python benchmarks/faiss_types.py --sizes 50000 100000

Vectors: the real TyDi-QA-id passage vectors (cached), resampled to N with small noise as in
benchmarks/synthetic.py; queries: 200 real question vectors (Indonesian and English). For
each size and type: build seconds, one-thread search p50 for the 100 candidates a hybrid
query takes (k=100), and agreement with exact search: recall@10 (ids), and top-1 agreement
counting near-copies of one passage as the same answer (the resampling makes such copies).
What `qa.index.vectors.factory_for` does with "auto" (EXACT_BELOW, nlist) and the nprobe default
come from this table.
"""

import argparse
import time

import faiss
import numpy as np
from common import benchmark_index, cached_embedder
from evaldata import tydiqa
from latency import mixed_questions
from synthetic import source_passages

from qa.embedders.base import normalize
from qa.index import vectors
from qa.index.vectors import factory_for

NOISE = 0.02
K = 100


def resample(base: np.ndarray, size: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`size` noisy copies of rows of `base`, and which row each copies."""
    random = np.random.default_rng(seed)
    picks = random.integers(0, len(base), size)
    noisy = base[picks] + random.normal(0.0, NOISE, (size, base.shape[1])).astype(np.float32)
    return normalize(noisy), picks


def timed_search(index: faiss.Index, queries: np.ndarray, params=None) -> tuple[float, np.ndarray]:
    faiss.omp_set_num_threads(1)  # as `qa serve` runs it
    seconds, found = [], []
    for query in queries:
        started = time.perf_counter()
        _, ids = index.search(query[None], K, params=params)
        seconds.append(time.perf_counter() - started)
        found.append(ids[0])
    faiss.omp_set_num_threads(0)
    return float(np.median(seconds) * 1000), np.asarray(found)


def agreement(found: np.ndarray, exact: np.ndarray, picks: np.ndarray) -> tuple[float, float]:
    recall = np.mean(
        [len(set(f[:10]) & set(e[:10])) / 10 for f, e in zip(found, exact, strict=True)]
    )
    top1 = np.mean(picks[found[:, 0]] == picks[exact[:, 0]])
    return float(recall), float(top1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[10_000, 30_000, 50_000, 100_000, 300_000, 1_000_000],
    )
    args = parser.parse_args()
    embedder = cached_embedder()
    base = source_passages(benchmark_index(tydiqa(), embedder))[1]
    queries = embedder.encode_queries(mixed_questions(200))
    print(
        "| vectors | type | search setting | build s | search p50 ms | recall@10 | top-1 agrees |"
    )
    print("|---:|---|---|---:|---:|---:|---:|")
    for size in args.sizes:
        data, picks = resample(base, size)
        started = time.perf_counter()
        flat = vectors.build(data, "Flat")
        built = time.perf_counter() - started
        flat_ms, exact = timed_search(flat, queries)
        print(f"| {size:,} | Flat | exact | {built:.1f} | {flat_ms:.2f} | 1.000 | 1.000 |")
        ivf_factory = factory_for(max(size, vectors.EXACT_BELOW), "auto")
        for factory, setting, values in (
            (ivf_factory, "nprobe", (8, 16, 32, 64, 128, 256)),
            ("HNSW32", "efSearch", (64, 128, 256)),
        ):
            if factory.startswith("IVF") and size < vectors.TRAINING_PER_LIST * int(
                factory[3:].split(",")[0]
            ):
                continue
            started = time.perf_counter()
            index = vectors.build(data, factory)
            built = time.perf_counter() - started
            for value in values:
                if setting == "nprobe":
                    params = faiss.SearchParametersIVF(nprobe=value)
                else:
                    params = faiss.SearchParametersHNSW(efSearch=value)
                ms, found = timed_search(index, queries, params)
                recall, top1 = agreement(found, exact, picks)
                print(
                    f"| {size:,} | {factory} | {setting} {value} | {built:.1f} | {ms:.2f} | "
                    f"{recall:.3f} | {top1:.3f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
