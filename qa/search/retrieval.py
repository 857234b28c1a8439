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
from enum import StrEnum
from typing import NamedTuple

import numpy as np

from qa.filters import NO_FILTERS, Filters
from qa.index import copies
from qa.index.copies import Copy
from qa.index.reader import Index
from qa.index.store import StoredPassage
from qa.search import rerank
from qa.search.query import Query
from qa.search.ranking import (
    Candidate,
    RankingModel,
    default_model,
    features,
    sentence_similarities,
)


class Mode(StrEnum):
    hybrid = "hybrid"
    dense = "dense"
    bm25 = "bm25"

    @property
    def embeds(self) -> bool:
        """Whether this mode compares the query's vector with the passages'."""
        return self != Mode.bm25


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


@dataclass(frozen=True)
class SearchOptions:
    """What a search returns (the request's part) and how it ranks (the tuning's part)."""

    k: int = 10
    mode: Mode = Mode.hybrid
    filters: Filters = NO_FILTERS
    per_article: int = 2
    sentences: int = 0  # the first hits to compare sentence by sentence (what the answer reads)
    weights: FusionWeights = DEFAULT_WEIGHTS
    model: RankingModel | None = None  # the second stage's; None: the shipped one
    second_stage: bool = True  # False: hybrid is the fusion alone, for comparisons


DEFAULT_OPTIONS = SearchOptions()


@dataclass(frozen=True)
class Hit:
    """One retrieved passage with the scores that ranked it, built once."""

    passage: StoredPassage
    score: float
    dense: float  # cosine similarity to the query
    lexical: float  # BM25 score
    coverage: float = 0.0  # share of the query's term weight the passage contains
    sentences: np.ndarray | None = None  # each sentence's similarity to the query, if known
    reread: float | None = None  # the bundled cross-encoder's logit, where it re-read the hit
    also_in: tuple[Copy, ...] = ()  # the story's copies in other articles


class _Ranked(NamedTuple):
    """A hit as a ranking found it, before its citations are looked up."""

    passage: StoredPassage
    score: float
    dense: float
    lexical: float
    coverage: float
    sentences: np.ndarray | None = None
    reread: float | None = None


@dataclass
class Candidates:
    """Per-candidate scores gathered from both retrievers, aligned by position."""

    ids: np.ndarray
    article_keys: np.ndarray  # the article version of each candidate
    languages: np.ndarray
    dense: np.ndarray
    bm25: np.ndarray
    coverage: np.ndarray


def search(index: Index, query: Query, options: SearchOptions = DEFAULT_OPTIONS) -> list[Hit]:
    """The best `options.k` passages for `query`, at most `options.per_article` from any one
    article, and from one article per story: copies of a story in other outlets
    (`qa.index.copies`) give way to the best ranked one, whose hits list them in `also_in`.

    Hybrid mode ranks the fused candidates' best `model.depth` again with the learned model
    (`qa.search.ranking`); dense and BM25 stay as their retriever ranks them. Dense and hybrid
    need the query's vector, as does comparing the first `options.sentences` hits' sentences.
    """
    pool = max(options.weights.pool, options.k * options.per_article * 3)
    candidates = gather(index, query, options.mode, pool, options.filters)
    stories = index.store.stories(np.unique(candidates.article_keys).tolist())
    picks = _Picks(options.k, options.per_article, stories)
    if options.mode == Mode.dense:
        ranked = _grouped(index, candidates, candidates.dense, picks)
    elif options.mode == Mode.bm25:
        ranked = _grouped(index, candidates, candidates.bm25, picks)
    else:
        scores = fuse(candidates, query.language, candidates.languages, options.weights)
        if options.second_stage:
            model = options.model or default_model()
            reranker = rerank.current()
            if reranker is not None:  # it reads the best `depth`, then the first k are kept
                picks = _Picks(max(options.k, reranker.depth), options.per_article, stories)
            ranked = _reranked(index, query, candidates, scores, picks, model)
            if reranker is not None:
                ranked = reranker.rerank(query.text, ranked)[: options.k]
        else:
            ranked = _grouped(index, candidates, scores, picks)
    return _hits(index, query, ranked, stories, options.sentences)


def gather(
    index: Index, query: Query, mode: Mode, pool: int, filters: Filters = NO_FILTERS
) -> Candidates:
    """Candidate passages from the retrievers `mode` uses, with both scores for each."""
    found: list[np.ndarray] = []
    if mode.embeds:
        vector = _vector(query, f"{mode} search")
        allowed = index.store.article_keys(index.generation, **vars(filters)) if filters else None
        found.append(index.vectors.search(vector, pool, allowed)[0])
    if mode != Mode.dense:
        found.append(index.lexical.search(query.terms, pool, filters)[0])
    ids = np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
    # The lexical engine may be ahead of this generation: keep only its live passages.
    live, keys, languages = index.segments.owners(ids)
    ids, keys, languages = ids[live], keys[live], languages[live]
    if mode.embeds and len(ids):
        dense = index.vectors.vectors(ids) @ query.vector
    else:
        dense = np.zeros(len(ids), dtype=np.float32)
    bm25 = index.lexical.scores(query.terms, ids)
    coverage = index.lexical.coverage(query.terms, ids)
    return Candidates(ids, keys, languages, dense, bm25, coverage)


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


@dataclass(frozen=True)
class _Picks:
    """How hits are picked from a ranking: the first `k`, at most `per_article` of any one
    article, and from one article of each story (the first one met)."""

    k: int
    per_article: int
    stories: dict[int, int]  # article key -> its story (qa.index.copies)

    def kept(self, order: np.ndarray, article_keys: np.ndarray) -> list[int]:
        """The positions of `order` picked."""
        taken: dict[int, int] = {}
        lead: dict[int, int] = {}  # story -> the article that stands for it
        kept: list[int] = []
        for position in order:
            article = int(article_keys[position])
            story = self.stories.get(article, article)
            if lead.setdefault(story, article) != article:
                continue
            if taken.get(article, 0) >= self.per_article:
                continue
            taken[article] = taken.get(article, 0) + 1
            kept.append(int(position))
            if len(kept) == self.k:
                break
        return kept


def _grouped(
    index: Index, candidates: Candidates, scores: np.ndarray, picks: _Picks
) -> list[_Ranked]:
    """Walk the ranking, keeping what `picks` keeps; fetch only those passages."""
    kept = picks.kept(np.argsort(-scores, kind="stable"), candidates.article_keys)
    passages = index.store.passages([int(candidates.ids[p]) for p in kept])
    return [
        _Ranked(
            passages[int(candidates.ids[p])],
            float(scores[p]),
            float(candidates.dense[p]),
            float(candidates.bm25[p]),
            float(candidates.coverage[p]),
        )
        for p in kept
        if int(candidates.ids[p]) in passages  # a row collected under a stale reader
    ]


def _reranked(
    index: Index,
    query: Query,
    candidates: Candidates,
    scores: np.ndarray,
    picks: _Picks,
    model: RankingModel,
) -> list[_Ranked]:
    """The first stage's best `model.depth`, and the hits it would return itself, scored by
    the model, then grouped per article (so that k hits come back whenever the first stage
    has them, however few articles its best `depth` come from)."""
    order = np.argsort(-scores, kind="stable")
    chosen = set(order[: model.depth].tolist()) | set(picks.kept(order, candidates.article_keys))
    top = np.array([p for p in order if p in chosen], dtype=np.int64)
    passages = index.store.passages([int(candidates.ids[p]) for p in top])
    top = np.array([p for p in top if int(candidates.ids[p]) in passages], dtype=np.int64)
    stored = [passages[int(candidates.ids[p])] for p in top]
    similarities = sentence_similarities(
        index.store, index.embedder, stored, _vector(query, "the second stage")
    )
    second = [
        Candidate(
            passage,
            float(scores[p]),
            float(candidates.dense[p]),
            float(candidates.bm25[p]),
            float(candidates.coverage[p]),
            str(candidates.languages[p]) != query.language,
        )
        for passage, p in zip(stored, top, strict=True)
    ]
    learned = model.score(features(query, second, similarities))
    kept = picks.kept(np.argsort(-learned, kind="stable"), candidates.article_keys[top])
    return [
        _Ranked(
            second[n].passage,
            float(learned[n]),
            second[n].dense,
            second[n].lexical,
            second[n].coverage,
            similarities[n],
        )
        for n in kept
    ]


def _hits(
    index: Index, query: Query, ranked: list[_Ranked], stories: dict[int, int], sentences: int
) -> list[Hit]:
    """The hits, each built once: the first `sentences` with their sentences compared to the
    query (where the second stage has not done it already), and every one with the citations
    of its story's other articles."""
    missing = [n for n, hit in enumerate(ranked[:sentences]) if hit.sentences is None]
    compared: dict[int, np.ndarray] = {}
    if missing:
        passages = [ranked[n].passage for n in missing]
        vector = _vector(query, "comparing sentences")
        similarities = sentence_similarities(index.store, index.embedder, passages, vector)
        compared = dict(zip(missing, similarities, strict=True))
    cited = _copies(index, [hit.passage.article_key for hit in ranked], stories)
    return [
        Hit(
            *hit._replace(sentences=compared.get(n, hit.sentences)),
            also_in=cited[hit.passage.article_key],
        )
        for n, hit in enumerate(ranked)
    ]


def _copies(index: Index, keys: list[int], stories: dict[int, int]) -> dict[int, tuple[Copy, ...]]:
    """Per article of `keys`, its story's other articles, the earliest first."""
    told = {stories[key] for key in keys if key in stories}
    articles = {story: index.store.story_articles(story, index.generation) for story in told}
    cited: dict[int, tuple[Copy, ...]] = {}
    for key in keys:
        others = articles.get(stories.get(key, key), [])
        cited[key] = tuple(copy for other, copy in others if other != key)[: copies.COPIES_SHOWN]
    return cited


def _vector(query: Query, needed_by: str) -> np.ndarray:
    """The query's vector, which `needed_by` compares with the passages'."""
    if query.vector is None:
        raise ValueError(f"{needed_by} needs the query's vector: Query.of(text, index.embedder)")
    return query.vector
