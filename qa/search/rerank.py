"""An optional last stage: a cross-encoder that reads question and passage together.

The second stage (`qa.search.ranking`) only combines scores computed apart: the question's
vector, each passage's and sentence's vector, BM25. A cross-encoder reads both texts in one
pass, which ranks better, at a transformer pass per candidate: a model the size of ours reads
30-70 passages/s on this project's 2-core development machine (docs/benchmarks.md), so 20
candidates cost 0.3-0.7 s a question, several times a search, and training one here costs
~4 s a step when the machine is idle (training/step_time.py): none is shipped or on by
default. Users with the hardware name any sentence-transformers `CrossEncoder`, by hub name or
local path (`--reranker`, `QA_RERANKER`); it re-scores the hybrid's best `DEPTH` hits and the
first `k` are returned.
"""

from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from qa import settings
from qa.errors import UnknownBackend

if TYPE_CHECKING:
    from sentence_transformers import CrossEncoder

    from qa.search.retrieval import _Ranked

DEPTH = 20  # hybrid hits the cross-encoder reads per question

_chosen: list[str | None] = []  # set by `use` (the CLI); else the QA_RERANKER setting


def use(name: str | None) -> None:
    """Use cross-encoder `name` (None: none) in this process, whatever QA_RERANKER says."""
    _chosen[:] = [name or None]


def current() -> "Reranker | None":
    """The cross-encoder this process re-scores with, loaded once; None if none is set."""
    name = _chosen[0] if _chosen else settings.get("reranker")
    return load(name) if name else None


class Reranker:
    """A sentence-transformers CrossEncoder and how it re-scores hits."""

    def __init__(self, model: "CrossEncoder", name: str) -> None:
        self.model = model
        self.name = name

    def rerank(self, query: str, hits: list["_Ranked"]) -> list["_Ranked"]:
        """`hits` ordered by the cross-encoder's score of (query, passage), best first; each
        hit's `score` becomes that score."""
        if not hits:
            return hits
        scores = np.asarray(
            self.model.predict(
                [(query, hit.passage.text) for hit in hits],
                batch_size=len(hits),
                show_progress_bar=False,
            ),
            dtype=np.float32,
        ).reshape(len(hits), -1)[:, -1]  # one logit, or the last class's ("relevant")
        order = np.argsort(-scores, kind="stable")
        return [hits[i]._replace(score=float(scores[i])) for i in order]


@cache
def load(name: str) -> Reranker:
    """The CrossEncoder at path or hub name `name`; a clear error if it cannot be loaded."""
    from sentence_transformers import CrossEncoder

    try:
        model = CrossEncoder(name, device=_device())
    except (OSError, ValueError) as error:
        raise UnknownBackend(
            f"Reranker {name!r} could not be loaded as a sentence-transformers CrossEncoder "
            f"(a local folder, or a hub name when the hub can be reached): {error}"
        ) from error
    return Reranker(model, name)


def _device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
