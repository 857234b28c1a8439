"""A persistent cache in front of any embedder, keyed by the exact text and its role.

The default embedder manages only ~5-15 passages/s on two cores; benchmarks and repeated
rebuilds of the same texts should pay for each text once.
"""

import hashlib
import sqlite3
from pathlib import Path

import numpy as np

from qa.embedders.base import Embedder


class CachedEmbedder(Embedder):
    """Same name and vectors as `inner`; texts seen before come from the cache file."""

    def __init__(self, inner: Embedder, path: Path):
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.max_tokens = inner.max_tokens
        self.batch_size = 256
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")

    def _key(self, text: str, is_query: bool) -> str:
        role = "q" if is_query else "p"
        return hashlib.sha256(f"{self.name}\0{role}\0{text}".encode()).hexdigest()

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        keys = [self._key(text, is_query) for text in texts]
        found = dict(
            self._db.execute(
                f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(keys))})",
                keys,
            )
        )
        missing = [i for i, key in enumerate(keys) if key not in found]
        if missing:
            fresh = self.inner._encode_batches([texts[i] for i in missing], is_query)
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                    [(keys[i], vector.tobytes()) for i, vector in zip(missing, fresh, strict=True)],
                )
            found.update(
                (keys[i], vector.tobytes()) for i, vector in zip(missing, fresh, strict=True)
            )
        return np.stack([np.frombuffer(found[key], dtype=np.float32) for key in keys])

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)
