"""The embedder contract: queries and passages in, L2-normalised float32 vectors out."""

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np
from tqdm import tqdm


class Embedder(ABC):
    """Implement `_encode`; declare `name`, `dimension` and `max_tokens`."""

    name: str
    dimension: int
    max_tokens: int = 512
    batch_size: int = 32

    @abstractmethod
    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        """Embed one batch; rows need not be normalised."""

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Tokens the model would see for a passage (used to size chunks)."""

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode_batches(list(texts), is_query=True, progress=False)

    def encode_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        return self._encode_batches(list(texts), is_query=False, progress=progress)

    def _encode_batches(self, texts: list[str], is_query: bool, progress: bool) -> np.ndarray:
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        bar = tqdm(total=len(texts), unit="passage", desc="embedding", disable=not progress)
        with bar:
            for start in range(0, len(texts), self.batch_size):
                batch = texts[start : start + self.batch_size]
                out[start : start + len(batch)] = self._encode(batch, is_query)
                bar.update(len(batch))
        return normalize(out)


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Scale rows to unit length so inner product is cosine similarity."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)
