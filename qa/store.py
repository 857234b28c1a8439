"""The SQLite half of a generation: articles, chunks with their spans and vectors, the manifest.

Vectors are kept here too (as float32 blobs) so that any FAISS index type can be rebuilt
from the store without re-embedding.
"""

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from qa.articles import Article
from qa.chunking import Chunk


def _m001_initial(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE articles (
            id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT NOT NULL, url TEXT,
            published TEXT, language TEXT NOT NULL, path TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            text TEXT NOT NULL
        );
        CREATE TABLE chunks (
            id INTEGER PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(id),
            ordinal INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            text TEXT NOT NULL, sentences TEXT NOT NULL, tokens TEXT NOT NULL,
            embedding BLOB NOT NULL
        );
        CREATE INDEX chunks_article ON chunks(article_id);
        CREATE TABLE manifest (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
    )


def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Run `;`-separated statements inside the caller's transaction (executescript commits)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_m001_initial]


@dataclass(frozen=True)
class StoredChunk:
    """A chunk row joined with the citation fields of its article."""

    id: int
    article_id: str
    ordinal: int
    start: int
    end: int
    text: str
    sentences: tuple[tuple[int, int], ...]
    title: str
    source: str
    url: str | None
    published: str | None
    language: str

    @property
    def passage_id(self) -> str:
        return f"{self.article_id}#{self.ordinal}"


_CHUNK_COLUMNS = """c.id, c.article_id, c.ordinal, c.start, c."end", c.text, c.sentences,
    a.title, a.source, a.url, a.published, a.language"""


class Store:
    """One generation's SQLite database."""

    def __init__(self, path: Path, readonly: bool = False):
        self.path = path
        uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
        self.db = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            self._migrate()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                migration(self.db)
                self.db.execute(f"PRAGMA user_version = {number}")

    def transaction(self) -> "sqlite3.Connection":
        """`with store.transaction():` — one atomic write."""
        self.db.execute("BEGIN")
        return _Commit(self.db)

    def close(self) -> None:
        self.db.close()

    def copy_to(self, path: Path) -> "Store":
        """A consistent copy of this database at `path`, opened for writing."""
        target = sqlite3.connect(path)
        with target:
            self.db.backup(target)
        target.close()
        return Store(path)

    # -- manifest -------------------------------------------------------------
    def manifest(self) -> dict:
        return {key: json.loads(value) for key, value in self.db.execute("SELECT * FROM manifest")}

    def set_manifest(self, values: dict) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO manifest VALUES (?, ?)",
            [(key, json.dumps(value)) for key, value in values.items()],
        )

    # -- articles -------------------------------------------------------------
    def article_fingerprints(self, ids: Iterable[str] | None = None) -> dict[str, str]:
        """Article id -> `Article.fingerprint` of what was indexed (of `ids`, or of all)."""
        if ids is None:
            return dict(self.db.execute("SELECT id, fingerprint FROM articles"))
        ids = list(ids)
        found: dict[str, str] = {}
        for start in range(0, len(ids), 500):  # SQLite caps the number of parameters
            batch = ids[start : start + 500]
            marks = ",".join("?" * len(batch))
            rows = self.db.execute(
                f"SELECT id, fingerprint FROM articles WHERE id IN ({marks})", batch
            )
            found.update(rows)
        return found

    def article(self, article_id: str) -> Article | None:
        row = self.db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return _article(row) if row else None

    def articles(self, offset: int = 0, limit: int = 50) -> list[Article]:
        rows = self.db.execute(
            "SELECT * FROM articles ORDER BY published DESC, id LIMIT ? OFFSET ?", (limit, offset)
        )
        return [_article(row) for row in rows]

    def count_articles(self) -> int:
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def count_chunks(self) -> int:
        return self.db.execute("SELECT count(*) FROM chunks").fetchone()[0]

    def sources(self) -> list[str]:
        rows = self.db.execute("SELECT DISTINCT source FROM articles WHERE source != '' ORDER BY 1")
        return [row[0] for row in rows]

    def delete_articles(self, article_ids: Iterable[str]) -> list[int]:
        """Delete articles and their chunks; return the removed chunk ids."""
        removed: list[int] = []
        for article_id in article_ids:
            rows = self.db.execute("SELECT id FROM chunks WHERE article_id = ?", (article_id,))
            removed.extend(row[0] for row in rows)
            self.db.execute("DELETE FROM chunks WHERE article_id = ?", (article_id,))
            self.db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        return removed

    def insert_article(
        self,
        article: Article,
        chunks: Sequence[Chunk],
        tokens: Sequence[list[str]],
        vectors: np.ndarray,
    ) -> list[int]:
        """Insert an article with its chunks; return the new chunk ids (the FAISS ids)."""
        self.db.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article.id,
                article.title,
                article.source,
                article.url,
                article.published.isoformat() if article.published else None,
                article.language,
                article.path,
                article.fingerprint,
                article.text,
            ),
        )
        next_id = self.db.execute("SELECT coalesce(max(id), -1) + 1 FROM chunks").fetchone()[0]
        ids = list(range(next_id, next_id + len(chunks)))
        self.db.executemany(
            "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    chunk_id,
                    article.id,
                    chunk.ordinal,
                    chunk.start,
                    chunk.end,
                    chunk.text,
                    json.dumps(chunk.sentences),
                    " ".join(terms),
                    np.asarray(vector, dtype=np.float32).tobytes(),
                )
                for chunk_id, chunk, terms, vector in zip(ids, chunks, tokens, vectors, strict=True)
            ],
        )
        return ids

    # -- chunks ---------------------------------------------------------------
    def chunks(self, chunk_ids: Sequence[int]) -> dict[int, StoredChunk]:
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self.db.execute(
            f"SELECT {_CHUNK_COLUMNS} FROM chunks c JOIN articles a ON a.id = c.article_id "
            f"WHERE c.id IN ({marks})",
            [int(chunk_id) for chunk_id in chunk_ids],
        )
        return {row[0]: _stored_chunk(row) for row in rows}

    def chunk_by_passage(self, article_id: str, ordinal: int) -> StoredChunk | None:
        row = self.db.execute(
            f"SELECT {_CHUNK_COLUMNS} FROM chunks c JOIN articles a ON a.id = c.article_id "
            "WHERE c.article_id = ? AND c.ordinal = ?",
            (article_id, ordinal),
        ).fetchone()
        return _stored_chunk(row) if row else None

    def chunk_owners(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Chunk ids in order, with the article id and language of each."""
        rows = self.db.execute(
            "SELECT c.id, c.article_id, a.language FROM chunks c "
            "JOIN articles a ON a.id = c.article_id ORDER BY c.id"
        ).fetchall()
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        articles = np.array([row[1] for row in rows], dtype=object)
        languages = np.array([row[2] for row in rows], dtype=object)
        return ids, articles, languages

    def all_tokens(self) -> Iterator[tuple[int, list[str]]]:
        for chunk_id, tokens in self.db.execute("SELECT id, tokens FROM chunks ORDER BY id"):
            yield chunk_id, tokens.split()

    def all_vectors(self, dimension: int) -> tuple[np.ndarray, np.ndarray]:
        rows = self.db.execute("SELECT id, embedding FROM chunks ORDER BY id").fetchall()
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        vectors = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.float32)
        return ids, vectors.reshape(len(rows), dimension)

    def filter_chunk_ids(
        self,
        source: str | None = None,
        since: date | None = None,
        until: date | None = None,
        language: str | None = None,
    ) -> np.ndarray:
        """Ids of the chunks whose article passes every given filter."""
        clauses, params = [], []
        if source:
            clauses.append("lower(a.source) = lower(?)")
            params.append(source)
        if since:
            clauses.append("a.published >= ?")
            params.append(since.isoformat())
        if until:
            clauses.append("a.published <= ?")
            params.append(until.isoformat())
        if language:
            clauses.append("a.language = ?")
            params.append(language)
        where = " AND ".join(clauses) or "1"
        rows = self.db.execute(
            f"SELECT c.id FROM chunks c JOIN articles a ON a.id = c.article_id WHERE {where}",
            params,
        )
        return np.fromiter((row[0] for row in rows), dtype=np.int64)


class _Commit:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, exc_type, exc, tb) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def _article(row: tuple) -> Article:
    article_id, title, source, url, published, language, path, _fingerprint, text = row
    return Article(
        id=article_id,
        title=title,
        source=source,
        url=url,
        language=language,
        path=path,
        published=date.fromisoformat(published) if published else None,
        text=text,
    )


def _stored_chunk(row: tuple) -> StoredChunk:
    (
        chunk_id,
        article_id,
        ordinal,
        start,
        end,
        text,
        sentences,
        title,
        source,
        url,
        published,
        language,
    ) = row
    return StoredChunk(
        id=chunk_id,
        article_id=article_id,
        ordinal=ordinal,
        start=start,
        end=end,
        text=text,
        sentences=tuple(tuple(span) for span in json.loads(sentences)),
        title=title,
        source=source,
        url=url,
        published=published,
        language=language,
    )
