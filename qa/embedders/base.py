"""The embedder contract: queries and passages in, L2-normalised float32 vectors out."""

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

import numpy as np

from qa import settings
from qa.embedders.adapter import QueryAdapter, adapter_for

BatchDone = Callable[[int, int], None]  # (texts embedded so far, texts in all)


class Embedder(ABC):
    """Implement `_encode`; declare `name`, `dimension` and `max_tokens`."""

    name: str
    dimension: int
    max_tokens: int = 512
    batch_size: int = 32
    _query_adapter: QueryAdapter | None | bool = False  # False: not looked up yet

    @abstractmethod
    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        """Embed one batch; rows need not be normalised."""

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Tokens the model would see for a passage (used to size chunks)."""

    def encode_queries(self, texts: Sequence[str], max_tokens: int | None = None) -> np.ndarray:
        """Embed queries, each cut to its first `max_tokens` tokens (QA_QUERY_TOKENS by
        default): a query's cost grows with its tokens, and 1,000 characters of CJK or emoji
        are over 500 tokens (2 s of CPU) where a question has a few dozen."""
        limit = max_tokens if max_tokens is not None else int(settings.get("query_tokens"))
        vectors = self._encode_batches([self.clip(text, limit) for text in texts], is_query=True)
        adapter = self.query_adapter
        return adapter.apply(vectors) if adapter is not None else vectors

    @property
    def query_adapter(self) -> QueryAdapter | None:
        """The trained query adapter applied to this embedder's queries (`qa.embedders.adapter`,
        the `query_adapter` setting, looked up once); passages are never adapted."""
        if self._query_adapter is False:
            self._query_adapter = adapter_for(self.name)
        return self._query_adapter  # type: ignore[return-value]

    @query_adapter.setter
    def query_adapter(self, adapter: QueryAdapter | None) -> None:
        self._query_adapter = adapter

    def clip(self, text: str, max_tokens: int) -> str:
        """The longest start of `text` with at most `max_tokens` tokens (counting is cheap:
        a binary search over its length costs far less than embedding the rest)."""
        if self.count_tokens(text) <= max_tokens:
            return text
        short, long = 0, len(text)  # text[:short] fits, text[:long] does not
        while long - short > 1:
            middle = (short + long) // 2
            if self.count_tokens(text[:middle]) <= max_tokens:
                short = middle
            else:
                long = middle
        return text[:short]

    def encode_passages(
        self, texts: Sequence[str], on_batch: BatchDone | None = None
    ) -> np.ndarray:
        """Embed passages in batches of `batch_size`, calling `on_batch` after each."""
        return self._encode_batches(list(texts), is_query=False, on_batch=on_batch)

    def _encode_batches(
        self, texts: list[str], is_query: bool, on_batch: BatchDone | None = None
    ) -> np.ndarray:
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            out[start : start + len(batch)] = self._encode(batch, is_query)
            if on_batch is not None:
                on_batch(start + len(batch), len(texts))
        return normalize(out)


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Scale rows to unit length so inner product is cosine similarity."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)
