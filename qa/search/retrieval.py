"""Dense, BM25 and hybrid retrieval over one loaded index, with filters and per-article grouping.

Hybrid is a weighted sum of normalised scores, not rank fusion: naive reciprocal-rank fusion
lets BM25 drag a good dense ranking down, worst when an English question meets Indonesian
passages and BM25 only matches a few names. Here BM25 counts per passage by how much of the
question's term weight (IDF) the passage actually covers. Words the corpus has never seen
count at full weight, so an English question over Indonesian passages covers little and BM25
adds little; what it does match (names, numbers, acronyms) is worth a slightly higher weight
(tuned per language agreement on the valid splits). See docs/benchmarks.md for the figures.
"""

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from qa.filters import NO_FILTERS, Filters
from qa.index import copies, lexical
from qa.index.copies import Copy
from qa.index.reader import Index
from qa.index.store import StoredPassage
from qa.search import rerank
from qa.search.ranking import (
    Candidate,
    RankingModel,
    default_model,
    features,
    sentence_similarities,
)
from qa.text.language import detect_language


class Mode(StrEnum):
    hybrid = "hybrid"
    dense = "dense"
    bm25 = "bm25"


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

    passage: StoredPassage
    score: float
    dense: float  # cosine similarity to the query
    lexical: float  # BM25 score
    coverage: float = 0.0  # share of the query's term weight the passage contains
    sentences: np.ndarray | None = None  # each sentence's similarity to the query, if known
    also_in: list[Copy] = field(default_factory=list)  # the story's copies in other articles


@dataclass
class Candidates:
    """Per-candidate scores gathered from both retrievers, aligned by position."""

    ids: np.ndarray
    article_keys: np.ndarray  # the article version of each candidate
    languages: np.ndarray
    dense: np.ndarray
    bm25: np.ndarray
    coverage: np.ndarray
    query_vector: np.ndarray | None = None  # None in BM25 mode


def search(
    index: Index,
    query: str,
    k: int = 10,
    mode: Mode = Mode.hybrid,
    filters: Filters = NO_FILTERS,
    per_article: int = 2,
    weights: FusionWeights = DEFAULT_WEIGHTS,
    query_vector: np.ndarray | None = None,
    model: RankingModel | None = None,
    second_stage: bool = True,
) -> list[Hit]:
    """The best `k` passages for `query`, at most `per_article` from any one article, and
    from one article per story: copies of a story in other outlets (`qa.index.copies`) give way
    to the best ranked one, whose hits list them in `also_in`.

    Hybrid mode ranks the fused candidates' best `model.depth` again with the learned model
    (`qa.search.ranking`, the shipped one unless `model` is given; second_stage=False: the fusion
    alone, for comparisons); dense and BM25 stay as their retriever ranks them.
    `query_vector`, when the caller has embedded the query, saves embedding it again.
    """
    pool = max(weights.pool, k * per_article * 3)
    candidates = gather(index, query, mode, pool, filters, query_vector)
    stories = index.store.stories(np.unique(candidates.article_keys).tolist())
    picks = _Picks(k, per_article, stories)
    if mode == Mode.dense:
        scores = candidates.dense
    elif mode == Mode.bm25:
        scores = candidates.bm25
    else:
        language = detect_language(query)
        scores = fuse(candidates, language, candidates.languages, weights)
        if second_stage:
            model = model or default_model()
            reranker = rerank.current()
            if reranker is not None:  # it reads the best DEPTH, then the first k are kept
                picks = _Picks(max(k, rerank.DEPTH), per_article, stories)
            hits = _reranked(index, query, language, candidates, scores, picks, model)
            if reranker is not None:
                hits = reranker.rerank(query, hits)[:k]
            return _cited(index, hits, stories)
    return _cited(index, _grouped(index, candidates, scores, picks), stories)


def gather(
    index: Index,
    query: str,
    mode: Mode,
    pool: int,
    filters: Filters = NO_FILTERS,
    query_vector: np.ndarray | None = None,
) -> Candidates:
    """Candidate passages from the retrievers `mode` uses, with both scores for each."""
    terms = lexical.tokenize(query)
    found: list[np.ndarray] = []
    if mode != Mode.bm25:
        if query_vector is None:
            query_vector = index.embedder.encode_queries([query])[0]
        allowed = index.store.article_keys(index.generation, **vars(filters)) if filters else None
        found.append(index.vectors.search(query_vector, pool, allowed)[0])
    else:
        query_vector = None
    if mode != Mode.dense:
        found.append(index.lexical.search(terms, pool, filters)[0])
    ids = np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
    # The lexical engine may be ahead of this generation: keep only its live passages.
    live, keys, languages = index.segments.owners(ids)
    ids, keys, languages = ids[live], keys[live], languages[live]
    if query_vector is not None and len(ids):
        dense = index.vectors.vectors(ids) @ query_vector
    else:
        dense = np.zeros(len(ids), dtype=np.float32)
    bm25 = index.lexical.scores(terms, ids)
    coverage = index.lexical.coverage(terms, ids)
    return Candidates(ids, keys, languages, dense, bm25, coverage, query_vector)


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


def _cited(index: Index, hits: list[Hit], stories: dict[int, int]) -> list[Hit]:
    """`hits` with the citations of their story's other articles, the earliest first."""
    told = {stories[hit.passage.article_key] for hit in hits if hit.passage.article_key in stories}
    articles = {story: index.store.story_articles(story, index.generation) for story in told}
    for hit in hits:
        key = hit.passage.article_key
        others = articles.get(stories.get(key, key), [])
        hit.also_in = [copy for other, copy in others if other != key][: copies.COPIES_SHOWN]
    return hits


def _grouped(index: Index, candidates: Candidates, scores: np.ndarray, picks: _Picks) -> list[Hit]:
    """Walk the ranking, keeping what `picks` keeps; fetch only those passages."""
    kept = picks.kept(np.argsort(-scores, kind="stable"), candidates.article_keys)
    passages = index.store.passages([int(candidates.ids[p]) for p in kept])
    return [
        Hit(
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
    query: str,
    language: str,
    candidates: Candidates,
    scores: np.ndarray,
    picks: _Picks,
    model: RankingModel,
) -> list[Hit]:
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
        index.store, index.embedder, stored, candidates.query_vector
    )
    second = [
        Candidate(
            passage,
            float(scores[p]),
            float(candidates.dense[p]),
            float(candidates.bm25[p]),
            float(candidates.coverage[p]),
            str(candidates.languages[p]) != language,
        )
        for passage, p in zip(stored, top, strict=True)
    ]
    learned = model.score(features(query, second, similarities))
    kept = picks.kept(np.argsort(-learned, kind="stable"), candidates.article_keys[top])
    return [
        Hit(
            second[n].passage,
            float(learned[n]),
            second[n].dense,
            second[n].lexical,
            second[n].coverage,
            similarities[n],
        )
        for n in kept
    ]
