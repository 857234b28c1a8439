"""Second-stage ranking: the hybrid's best candidates, scored by a learned model.

The first stage (`qa.search.retrieval.fuse`) is cheap and sees every candidate; this one sees the
`RankingModel.depth` best and what only they can afford: how well each sentence of the
passage matches the question (sentence vectors stored with the index), besides the passage
similarity, BM25 and the share of the question's terms covered. Passage vectors carry the
article title, which the lead repeats: for an English question over Indonesian articles the
lead then wins on topic alone, while the sentence that holds the fact is elsewhere. The
best-sentence similarity is what finds it.

The weights are a logistic model fitted on the benchmarks' training questions
(`python benchmarks/learn.py`) and shipped as `qa/search/models/ranking.json`: `score` is its logit.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from qa.embedders import Embedder
from qa.index.sentence_vectors import sentence_matrix, sentence_texts
from qa.index.store import Store, StoredPassage
from qa.search.answer_types import offers
from qa.search.query import Query

MODELS = Path(__file__).resolve().parent / "models"

# What the model weighs for a candidate passage, in this order. "first": the first stage's
# fused score; "_gap": distance to the best candidate of the same question (questions differ
# in how high similarities run); "cross": the question is in another language than the
# passage. The passage's position in its article is left out: the training questions'
# articles are single passages, so no weight for it can be learned (docs/benchmarks.md).
FEATURES = (
    "first",
    "first_gap",
    "dense",
    "dense_gap",
    "lexical",
    "coverage",
    "sentence",
    "sentence_gap",
    "sentence_second",
    "cross",
    "cross_sentence",
    "cross_lexical",
    "cross_dense",
    "offers",
)


@dataclass(frozen=True)
class RankingModel:
    """A logistic model over FEATURES, applied to the first `depth` candidates."""

    weights: tuple[float, ...]
    intercept: float
    depth: int
    trained_on: str = ""

    @classmethod
    def load(cls, path: Path) -> "RankingModel":
        values = json.loads(path.read_text())
        if tuple(values["features"]) != FEATURES:
            raise ValueError(f"{path} was fitted on other features: refit it")
        return cls(
            tuple(values["weights"]), values["intercept"], values["depth"], values["trained_on"]
        )

    def save(self, path: Path) -> None:
        values = {
            "features": list(FEATURES),
            "weights": [round(w, 6) for w in self.weights],
            "intercept": round(self.intercept, 6),
            "depth": self.depth,
            "trained_on": self.trained_on,
        }
        path.write_text(json.dumps(values, indent=1) + "\n")

    def score(self, features: np.ndarray) -> np.ndarray:
        return features @ np.asarray(self.weights, dtype=np.float32) + self.intercept


@cache
def default_model() -> RankingModel:
    return RankingModel.load(MODELS / "ranking.json")


@dataclass(frozen=True)
class Candidate:
    """What the second stage knows about one candidate passage."""

    passage: StoredPassage
    first: float  # the first stage's fused score
    dense: float
    lexical: float  # BM25
    coverage: float
    cross: bool  # question and passage in different languages


def sentence_similarities(
    store: Store, embedder: Embedder, passages: list[StoredPassage], query_vector: np.ndarray
) -> list[np.ndarray]:
    """Per passage, the similarity of each of its sentences to the question."""
    texts = [s for p in passages for s in sentence_texts(p.text, p.sentences)]
    if not texts:
        return [np.zeros(0, dtype=np.float32) for _ in passages]
    flat = sentence_matrix(store, embedder, texts) @ query_vector
    bounds = np.cumsum([0] + [len(p.sentences) for p in passages])
    return [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def features(
    query: Query, candidates: list[Candidate], similarities: list[np.ndarray]
) -> np.ndarray:
    """The FEATURES matrix of `candidates` (one row each) for `query`."""
    if not candidates:
        return np.zeros((0, len(FEATURES)), dtype=np.float32)
    kind = query.kind
    dense = np.array([c.dense for c in candidates], dtype=np.float32)
    lexical = np.array([c.lexical for c in candidates], dtype=np.float32)
    lexical = lexical / (float(lexical.max()) or 1.0)
    best, second, cue = [], [], []
    for candidate, sims in zip(candidates, similarities, strict=True):
        ordered = np.sort(sims)[::-1] if len(sims) else np.zeros(1, dtype=np.float32)
        best.append(float(ordered[0]))
        second.append(float(ordered[1]) if len(ordered) > 1 else float(ordered[0]))
        spans = candidate.passage.sentences
        top = spans[int(np.argmax(sims))] if len(sims) else (0, 0)
        cue.append(offers(candidate.passage.text[top[0] : top[1]], kind))
    best_array = np.array(best, dtype=np.float32)
    cross = np.array([c.cross for c in candidates], dtype=np.float32)
    first = np.array([c.first for c in candidates], dtype=np.float32)
    columns = {
        "first": first,
        "first_gap": first - first.max(),
        "dense": dense,
        "dense_gap": dense - dense.max(),
        "lexical": lexical,
        "coverage": np.array([c.coverage for c in candidates], dtype=np.float32),
        "sentence": best_array,
        "sentence_gap": best_array - best_array.max(),
        "sentence_second": np.array(second, dtype=np.float32),
        "cross": cross,
        "cross_sentence": cross * best_array,
        "cross_lexical": cross * lexical,
        "cross_dense": cross * dense,
        "offers": np.array(cue, dtype=np.float32),
    }
    return np.stack([columns[name] for name in FEATURES], axis=1)
