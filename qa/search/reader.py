"""The sentence reader: which sentence of a passage holds the answer, as the cross-encoder read it.

The bundled cross-encoder (`qa.search.rerank`) reads question and passage together to score
the passage. Its token states also say where in the passage the answer is: a logistic model
over the mean state of each sentence's tokens (after layers `LAYERS`) scores each sentence,
trained on the sentences of TyDi-QA-id and FacQA train passages that hold the answer or not
(training/sentence_reader.py). It costs nothing beyond the pass the reranker makes anyway.
The answer (`qa.search.answer`) adds that score to each sentence's own: on TyDi-QA-id valid,
where e5 sentence similarity picks the answer sentence of the right passage 70% of the time,
with the reader it does 75% (training/MODEL_CARD.md).

The reader belongs to the cross-encoder weights it was trained on: the file names their
digest, and loading it beside other weights is an error (train it again).
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.search.rerank_model import SHIPPED as RERANKER

if TYPE_CHECKING:
    import torch

SHIPPED = Path(__file__).resolve().parent / "models" / "sentence-reader.npz"
LAYERS = (9, 12)  # the hidden states (0: the embeddings) whose sentence means it reads


@dataclass(frozen=True)
class SentenceReader:
    """A logistic model over a sentence's states (`sentence_states`): its logit that the
    sentence holds the answer to the question it was read with."""

    weights: np.ndarray  # [len(LAYERS) * hidden size]
    bias: float

    def score(self, states: np.ndarray) -> np.ndarray:
        """Each sentence's logit; a sentence the cross-encoder did not reach (cut at its
        token limit) gets the lowest logit of the others."""
        logits = states @ self.weights + self.bias
        read = ~np.isnan(logits)
        if not read.any():
            return np.zeros(len(logits), dtype=np.float32)
        return np.where(read, logits, logits[read].min()).astype(np.float32)

    def save(self, path: Path = SHIPPED, reranker: Path = RERANKER) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(
            path,
            weights=self.weights.astype(np.float32),
            bias=np.float32(self.bias),
            layers=np.array(LAYERS),
            reranker=np.array(_digest(reranker)),
        )

    @classmethod
    def load(cls, path: Path = SHIPPED, reranker: Path = RERANKER) -> "SentenceReader":
        """The reader at `path`; ValueError if it was trained on other cross-encoder weights
        or states than these."""
        with np.load(path) as saved:
            if str(saved["reranker"]) != _digest(reranker):
                raise ValueError(
                    f"{path} was trained on other cross-encoder weights than {reranker}: "
                    "train it again (make train-sentence-reader)"
                )
            if tuple(saved["layers"]) != LAYERS:
                raise ValueError(f"{path} reads layers {tuple(saved['layers'])}, not {LAYERS}")
            return cls(saved["weights"].astype(np.float32), float(saved["bias"]))


def sentence_states(
    hidden: Sequence["torch.Tensor"],
    offsets: Sequence[tuple[int, int]],
    sequence_ids: Sequence[int | None],
    spans: Sequence[tuple[int, int]],
) -> np.ndarray:
    """Per sentence (`spans`, character offsets in the passage), the mean state of its
    tokens after each layer of `LAYERS`, side by side; NaN where no token of it was read.
    `hidden`: one pair's hidden states, [tokens, size] each; `offsets` and `sequence_ids`:
    its tokens' (the passage is sequence 1)."""
    layers = [hidden[layer].float().cpu().numpy() for layer in LAYERS]
    middles = np.array([(start + end) / 2 for start, end in offsets])
    in_passage = np.array([sequence == 1 for sequence in sequence_ids])
    states = np.full((len(spans), sum(layer.shape[1] for layer in layers)), np.nan, np.float32)
    for number, (start, end) in enumerate(spans):
        tokens = in_passage & (middles >= start) & (middles < end)
        if tokens.any():
            states[number] = np.concatenate([layer[tokens].mean(axis=0) for layer in layers])
    return states


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
