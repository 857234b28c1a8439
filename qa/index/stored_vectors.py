"""The store's vectors: one per distinct passage text, one per distinct sentence.

Vectors are stored once per distinct embedding text, keyed by its hash
(`qa.index.store.text_hash`): an edited article reuses the vectors of its unchanged passages,
copies of one text share one vector, and a build that is killed finds the batches it had
already embedded (they are committed as they come). Sentence vectors (float16: they only
rank) are added after their passages are published, for the passages listed in
`sentences_pending` (`qa.index.sentence_vectors`).
"""

import json
import sqlite3
from collections.abc import Iterable, Sequence

import numpy as np

from qa.index.sql import Transaction, select_in


class StoredVectors:
    """The vector tables of a store (`qa.index.store.Store` has these methods)."""

    db: sqlite3.Connection

    # -- passage vectors ----------------------------------------------------------
    def known_hashes(self, hashes: Iterable[bytes]) -> set[bytes]:
        """The hashes among `hashes` whose vector is stored."""
        rows = select_in(
            self.db, "SELECT hash FROM vectors WHERE hash IN :values", dict.fromkeys(hashes)
        )
        return {row[0] for row in rows}

    def put_vectors(self, hashes: Sequence[bytes], vectors: np.ndarray, generation: int) -> None:
        """Store freshly embedded vectors, committed at once (a later crash keeps them)."""
        with Transaction(self.db):
            self.db.executemany(
                "INSERT OR IGNORE INTO vectors VALUES (?, ?, ?)",
                [
                    (key, np.asarray(vector, dtype=np.float32).tobytes(), generation)
                    for key, vector in zip(hashes, vectors, strict=True)
                ],
            )

    def vectors(self, hashes: Sequence[bytes], dimension: int) -> np.ndarray:
        """The stored vectors of `hashes`, in order (KeyError for one never stored)."""
        found = dict(
            select_in(
                self.db,
                "SELECT hash, embedding FROM vectors WHERE hash IN :values",
                dict.fromkeys(hashes),
            )
        )
        blob = b"".join(found[key] for key in hashes)
        return np.frombuffer(blob, dtype=np.float32).reshape(len(hashes), dimension)

    def passage_vectors(self, ids: Sequence[int], dimension: int) -> np.ndarray:
        """The vectors of passages `ids`, in order."""
        hashes = dict(
            select_in(
                self.db, "SELECT id, hash FROM passages WHERE id IN :values", [int(i) for i in ids]
            )
        )
        return self.vectors([hashes[int(i)] for i in ids], dimension)

    def collect_unused_vectors(self, generation: int) -> int:
        """Delete vectors stored at or before `generation` that no passage uses (embedded by
        updates that never published); a full scan, so merges do it, not every update."""
        with Transaction(self.db):
            return self.db.execute(
                "DELETE FROM vectors WHERE added_in <= ? AND NOT EXISTS "
                "(SELECT 1 FROM passages p WHERE p.hash = vectors.hash)",
                (generation,),
            ).rowcount

    # -- sentence vectors ---------------------------------------------------------
    def pending_sentences(self, limit: int) -> tuple[list[int], list[tuple[str, list]]]:
        """Up to `limit` passages still waiting for sentence vectors: all their ids, and the
        text and sentence spans of those still indexed (the others need nothing)."""
        rows = self.db.execute(
            "SELECT s.passage, p.text, p.sentences, p.removed_in FROM sentences_pending s "
            "LEFT JOIN passages p ON p.id = s.passage ORDER BY s.passage LIMIT ?",
            (limit,),
        ).fetchall()
        texts = [
            (row[1], json.loads(row[2])) for row in rows if row[1] is not None and row[3] is None
        ]
        return [row[0] for row in rows], texts

    def count_pending_sentences(self) -> int:
        return self.db.execute("SELECT count(*) FROM sentences_pending").fetchone()[0]

    def known_sentence_hashes(self, hashes: Iterable[bytes]) -> set[bytes]:
        rows = select_in(
            self.db,
            "SELECT hash FROM sentence_vectors WHERE hash IN :values",
            dict.fromkeys(hashes),
        )
        return {row[0] for row in rows}

    def put_sentence_vectors(
        self, hashes: Sequence[bytes], vectors: np.ndarray, done: Sequence[int]
    ) -> None:
        """Store sentence vectors and mark the passages `done`, in one transaction."""
        with Transaction(self.db):
            self.db.executemany(
                "INSERT OR IGNORE INTO sentence_vectors VALUES (?, ?)",
                [
                    (key, np.asarray(vector, dtype=np.float16).tobytes())
                    for key, vector in zip(hashes, vectors, strict=True)
                ],
            )
            self.db.executemany(
                "DELETE FROM sentences_pending WHERE passage = ?", [(int(i),) for i in done]
            )

    def sentence_vectors(self, hashes: Iterable[bytes]) -> dict[bytes, np.ndarray]:
        """The stored vectors of the sentences `hashes` (as float32), those there are."""
        rows = select_in(
            self.db,
            "SELECT hash, embedding FROM sentence_vectors WHERE hash IN :values",
            dict.fromkeys(hashes),
        )
        return {key: np.frombuffer(blob, dtype=np.float16).astype(np.float32) for key, blob in rows}
