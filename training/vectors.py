"""Frozen vectors of what training needs, embedded once, and hard negatives mined from them.

Passages: the vectors the benchmark indexes store (built through the real indexer by
benchmarks/common.py; every text's vector is kept in benchmarks/cache/, so a re-run embeds
nothing). Queries: the frozen embedder through the same cache, with no adapter applied.
"""

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from common import benchmark_index  # noqa: E402
from evaldata import Benchmark  # noqa: E402

from qa.embedders.cached import CachedEmbedder  # noqa: E402


@dataclass
class Pool:
    """The passage vectors of one pool, the article (benchmark passage) of each, and its text."""

    vectors: np.ndarray  # [passages, dimension]
    articles: np.ndarray  # benchmark passage id of each row
    texts: list[str]  # what each row reads (a cut passage of an index, or a whole text)

    @classmethod
    def of_index(cls, bench: Benchmark, embedder: CachedEmbedder) -> "Pool":
        """The stored vectors of the benchmark's index (one row per passage after cutting)."""
        index = benchmark_index(bench, embedder)
        ids = np.sort(index.segments.live_ids())
        stored = index.store.passages(ids.tolist())
        articles = np.array([stored[int(i)].article_id for i in ids])
        texts = [stored[int(i)].text for i in ids]
        return cls(index.vectors.vectors(ids), articles, texts)

    @classmethod
    def of_texts(cls, bench: Benchmark, embedder: CachedEmbedder) -> "Pool":
        """Each passage embedded whole (short sentences: no index needed)."""
        ids = list(bench.passages)
        texts = [bench.passages[pid] for pid in ids]
        return cls(embedder.encode_passages(texts), np.array(ids), texts)


@dataclass
class Mined:
    """Per query: its gold passage's best row, and the best rows of other articles."""

    positives: np.ndarray  # [queries, dimension]
    negatives: np.ndarray  # [queries, hard, dimension]
    negative_articles: np.ndarray  # [queries, hard]
    positive_rows: np.ndarray  # [queries]: the pool row of each positive
    negative_rows: np.ndarray  # [queries, hard], most similar first


def mine(pool: Pool, queries: np.ndarray, gold: list[str], allowed: np.ndarray, hard: int) -> Mined:
    """For each query: the row of its gold article most similar to it (the positive) and the
    `hard` most similar rows of other articles the frozen model ranks highest (hard
    negatives), among rows `allowed` (evaluation passages are never used)."""
    positives = np.empty_like(queries)
    negatives = np.empty((len(queries), hard, queries.shape[1]), dtype=np.float32)
    negative_articles = np.empty((len(queries), hard), dtype=pool.articles.dtype)
    positive_rows = np.empty(len(queries), dtype=np.int64)
    negative_rows = np.empty((len(queries), hard), dtype=np.int64)
    for start in range(0, len(queries), 512):
        part = slice(start, start + 512)
        sims = queries[part] @ pool.vectors.T
        is_gold = pool.articles[None, :] == np.array(gold[part])[:, None]
        best_gold = np.where(is_gold, sims, -np.inf).argmax(axis=1)
        positives[part] = pool.vectors[best_gold]
        others = np.where(is_gold | ~allowed[None, :], -np.inf, sims)
        top = np.argpartition(-others, hard, axis=1)[:, :hard]
        top = np.take_along_axis(
            top, np.argsort(-np.take_along_axis(others, top, axis=1), axis=1), axis=1
        )
        negatives[part] = pool.vectors[top]
        negative_articles[part] = pool.articles[top]
        positive_rows[part] = best_gold
        negative_rows[part] = top
    return Mined(positives, negatives, negative_articles, positive_rows, negative_rows)


def recall_at_1(pool: Pool, queries: np.ndarray, gold: list[str]) -> float:
    """Share of queries whose most similar row belongs to their gold article (dense R@1)."""
    best = np.concatenate(
        [
            (queries[s : s + 1024] @ pool.vectors.T).argmax(axis=1)
            for s in range(0, len(queries), 1024)
        ]
    )
    return float(np.mean(pool.articles[best] == np.array(gold)))
