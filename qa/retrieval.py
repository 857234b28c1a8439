"""Dense, BM25 and hybrid retrieval over one loaded index, with filters and per-article grouping.

Hybrid is a weighted sum of normalised scores, not rank fusion: naive reciprocal-rank fusion
lets BM25 drag a good dense ranking down, worst when an English question meets Indonesian
passages and BM25 only matches a few names. Here BM25 counts per passage by how much of the
question's term weight (IDF) the passage actually covers. Words the corpus has never seen
count at full weight, so an English question over Indonesian passages covers little and BM25
adds little; what it does match (names, numbers, acronyms) is worth a slightly higher weight
(tuned per language agreement on the valid splits). See docs/benchmarks.md for the figures.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import numpy as np

from qa import lexical
from qa.index import Index
from qa.language import detect_language
from qa.store import StoredChunk


class Mode(StrEnum):
    hybrid = "hybrid"
    dense = "dense"
    bm25 = "bm25"


@dataclass(frozen=True)
class Filters:
    """Restrict results to articles from one outlet, a date range, a language."""

    source: str | None = None
    since: date | None = None
    until: date | None = None
    language: str | None = None

    def __bool__(self) -> bool:
        return any((self.source, self.since, self.until, self.language))


NO_FILTERS = Filters()


@dataclass(frozen=True)
class FusionWeights:
    """How much BM25 counts next to dense similarity (tuned on the benchmarks' train splits).

    A candidate's hybrid score is its cosine similarity plus
    `weight * coverage ** coverage_power * bm25 / top_bm25`, where weight depends on whether
    the question and the passage share a language.
    """

    same_language: float = 0.05
    cross_language: float = 0.08
    coverage_power: float = 1.0
    pool: int = 100  # candidates taken from each retriever


DEFAULT_WEIGHTS = FusionWeights()


@dataclass
class Hit:
    """One retrieved passage with the scores that ranked it."""

    chunk: StoredChunk
    score: float
    dense: float  # cosine similarity to the query
    lexical: float  # BM25 score
    coverage: float = 0.0  # share of the query's term weight the passage contains


@dataclass
class Candidates:
    """Per-candidate scores gathered from both retrievers, aligned by position."""

    ids: np.ndarray
    positions: np.ndarray  # into the index's per-chunk arrays (`Index.chunk_articles`, ...)
    dense: np.ndarray
    bm25: np.ndarray
    coverage: np.ndarray


def search(
    index: Index,
    query: str,
    k: int = 10,
    mode: Mode = Mode.hybrid,
    filters: Filters = NO_FILTERS,
    per_article: int = 2,
    weights: FusionWeights = DEFAULT_WEIGHTS,
    query_vector: np.ndarray | None = None,
) -> list[Hit]:
    """The best `k` passages for `query`, at most `per_article` from any one article.

    `query_vector`, when the caller has already embedded the query, saves embedding it again.
    """
    allowed = index.store.filter_chunk_ids(**vars(filters)) if filters else None
    pool = max(weights.pool, k * per_article * 3)
    candidates = gather(index, query, mode, pool, allowed, query_vector)
    if mode == Mode.dense:
        scores = candidates.dense
    elif mode == Mode.bm25:
        scores = candidates.bm25
    else:
        languages = index.chunk_languages[candidates.positions]
        scores = fuse(candidates, detect_language(query), languages, weights)
    return _grouped(index, candidates, scores, k, per_article)


def gather(
    index: Index,
    query: str,
    mode: Mode,
    pool: int,
    allowed: np.ndarray | None,
    query_vector: np.ndarray | None = None,
) -> Candidates:
    """Candidate chunk ids from the retrievers `mode` uses, with both scores for each."""
    terms = lexical.tokenize(query)
    bm25_ids, bm25_all = index.bm25(terms)
    if allowed is not None:
        bm25_all = np.where(np.isin(bm25_ids, allowed), bm25_all, 0.0)
    ids: list[np.ndarray] = []
    if mode != Mode.bm25:
        if query_vector is None:
            query_vector = index.embedder.encode_queries([query])[0]
        dense_ids, _ = index.dense(query_vector, pool, allowed)
        ids.append(dense_ids)
    else:
        query_vector = None
    if mode != Mode.dense and len(bm25_all):
        top = np.argpartition(-bm25_all, min(pool, len(bm25_all) - 1))[:pool]
        ids.append(bm25_ids[top[bm25_all[top] > 0]])
    candidate_ids = np.unique(np.concatenate(ids)) if ids else np.empty(0, dtype=np.int64)
    positions = np.searchsorted(bm25_ids, candidate_ids)
    bm25 = bm25_all[positions] if len(candidate_ids) else np.empty(0, dtype=np.float32)
    if query_vector is not None and len(candidate_ids):
        dense = index.vectors.reconstruct_batch(candidate_ids) @ query_vector
    else:
        dense = np.zeros(len(candidate_ids), dtype=np.float32)
    coverage = index.lexical.coverage(terms, positions)
    return Candidates(candidate_ids, positions, dense, bm25, coverage)


def fuse(
    candidates: Candidates,
    query_language: str,
    languages: "np.ndarray | list[str]",
    weights: FusionWeights,
) -> np.ndarray:
    """Dense similarity plus BM25 weighted by term coverage and language agreement."""
    if not len(candidates.ids):
        return candidates.dense
    top_bm25 = float(candidates.bm25.max()) or 1.0
    same = np.asarray(languages) == query_language
    weight = np.where(same, weights.same_language, weights.cross_language)
    lexical_part = candidates.coverage**weights.coverage_power * candidates.bm25 / top_bm25
    return candidates.dense + weight * lexical_part


def _grouped(
    index: Index, candidates: Candidates, scores: np.ndarray, k: int, per_article: int
) -> list[Hit]:
    """Walk the ranking, keeping at most `per_article` passages of each article; fetch only
    the kept passages from the store."""
    articles = index.chunk_articles[candidates.positions]
    taken: dict[str, int] = {}
    kept: list[int] = []
    for position in np.argsort(-scores, kind="stable"):
        article_id = articles[position]
        if taken.get(article_id, 0) >= per_article:
            continue
        taken[article_id] = taken.get(article_id, 0) + 1
        kept.append(int(position))
        if len(kept) == k:
            break
    chunks = index.store.chunks([int(candidates.ids[p]) for p in kept])
    return [
        Hit(
            chunks[int(candidates.ids[p])],
            float(scores[p]),
            float(candidates.dense[p]),
            float(candidates.bm25[p]),
            float(candidates.coverage[p]),
        )
        for p in kept
    ]
