"""A query adapter: a small trained map applied to query vectors of a frozen embedder.

q' = normalize(q + W q). Trained (`training/train.py`) on vectors the frozen model gave the
benchmarks' training questions and their passages, so that questions land nearer the
passages that answer them. Only queries move: passage and sentence vectors, and so every
index built with the embedder, stay as they are; switching the adapter on or off needs no
rebuild. Shipped as `qa/embedders/models/adapter-*.npz` (W, float16, and the names of the
embedders whose vectors it was trained on: it is applied to those only).
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from qa import settings
from qa.errors import UnknownBackend

MODELS = Path(__file__).resolve().parent / "models"
SHIPPED = MODELS / "adapter-e5-query.npz"


@dataclass(frozen=True)
class QueryAdapter:
    """W of q' = normalize(q + W q), and the embedders whose vectors it was trained on."""

    weight: np.ndarray  # [dimension, dimension], rows: outputs (as torch Linear)
    embedders: tuple[str, ...]
    path: Path

    @classmethod
    def load(cls, path: Path) -> "QueryAdapter":
        try:
            with np.load(path) as data:
                weight = data["weight"].astype(np.float32)
                embedders = tuple(str(name) for name in data["embedders"])
        except (OSError, KeyError, ValueError) as error:
            raise UnknownBackend(f"Query adapter {path} could not be read: {error}") from error
        if weight.ndim != 2 or weight.shape[0] != weight.shape[1]:
            raise UnknownBackend(f"Query adapter {path}: weight is {weight.shape}, not square")
        return cls(weight, embedders, path)

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path, weight=self.weight.astype(np.float16), embedders=np.array(self.embedders)
        )

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        """Adapted, L2-normalised copies of (normalised) query `vectors`."""
        if vectors.shape[1] != self.weight.shape[0]:
            raise UnknownBackend(
                f"Query adapter {self.path} is for {self.weight.shape[0]}-dimensional vectors, "
                f"not {vectors.shape[1]}: set QA_QUERY_ADAPTER=off or another adapter"
            )
        adapted = vectors + vectors @ self.weight.T
        norms = np.linalg.norm(adapted, axis=1, keepdims=True)
        return (adapted / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


@cache
def _load(path: str) -> QueryAdapter:
    return QueryAdapter.load(Path(path))


def adapter_for(embedder_name: str, setting: str | None = None) -> QueryAdapter | None:
    """The adapter the `query_adapter` setting names for queries of `embedder_name`: None when
    it is off, or when the shipped adapter was not trained on this embedder's vectors. A path
    the user names is applied to whatever embedder (its dimension is checked)."""
    value = (setting if setting is not None else str(settings.get("query_adapter"))).strip()
    if value.lower() in ("off", "none", "0", "false", ""):
        return None
    if value.lower() == "on":
        if not SHIPPED.exists():
            return None
        adapter = _load(str(SHIPPED))
        return adapter if embedder_name in adapter.embedders else None
    path = Path(value).expanduser()
    if not path.is_file():
        raise UnknownBackend(f"QA_QUERY_ADAPTER={value!r}: use on, off or the path of an .npz")
    return _load(str(path.resolve()))
