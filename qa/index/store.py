"""The SQLite half of an index: articles, passages and their vectors, never copied.

One database per build, in WAL mode, so that readers never block the writer or each other.
Rows are versioned by generation instead of being changed in place: an update inserts new
article versions and passages with `added_in = g` and marks replaced ones `removed_in = g`.
A reader serving generation g sees exactly the rows with `added_in <= g` and `removed_in`
unset or later than g, whatever a writer is doing meanwhile; rows of a generation that was
never published are rolled back by the next writer (`rollback_after`). Passage ids come from
AUTOINCREMENT and are never reused, not even after a rollback.

The schema is in `qa.index.migrations`, the vector tables' methods in `qa.index.stored_vectors`,
and each article version's story in `qa.index.stories`.
"""

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from qa.articles import Article, stored_day
from qa.index.copies import Copy
from qa.index.migrations import migrate
from qa.index.sql import ARTICLE_VISIBLE, PASSAGE_VISIBLE, Transaction, select_in
from qa.index.stored_vectors import StoredVectors
from qa.index.stories import file_story, forget_stories, stories_of, story_articles
from qa.text.passages import Passage


def text_hash(text: str) -> bytes:
    """The key of an embedding text's vector (16 bytes of SHA-256)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:16]


@dataclass(frozen=True)
class StoredPassage:
    """A passage row joined with the citation fields of its article."""

    id: int
    article_id: str
    article_key: int  # the article version (its story is filed under this key)
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


@dataclass(frozen=True)
class NewPassage:
    """A passage ready to be stored: where it sits, its terms and the hash of its vector."""

    passage: Passage
    terms: list[str]
    hash: bytes


_PASSAGE_COLUMNS = """p.id, a.id, a.key, p.ordinal, p.start, p."end", p.text, p.sentences,
    a.title, a.source, a.url, a.published, a.language"""
_PASSAGES_JOINED = "passages p JOIN articles a ON a.key = p.article_key"


class Store(StoredVectors):
    """One build's SQLite database; `generation` arguments say which published state to read."""

    def __init__(self, path: Path, readonly: bool = False):
        self.path = path
        if readonly and not path.exists():
            raise FileNotFoundError(path)
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA busy_timeout = 30000")
        if readonly:
            self.db.execute("PRAGMA query_only = ON")
        else:
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = FULL")
            self.db.execute("PRAGMA foreign_keys = ON")
            migrate(self.db)

    def transaction(self) -> Transaction:
        """`with store.transaction():` one atomic write."""
        return Transaction(self.db)

    def close(self) -> None:
        self.db.close()

    # -- reading at a generation --------------------------------------------------
    def article(self, article_id: str, generation: int) -> Article | None:
        row = self.db.execute(
            f"SELECT * FROM articles a WHERE a.id = :id AND {ARTICLE_VISIBLE}",
            {"id": article_id, "g": generation},
        ).fetchone()
        return _article(row) if row else None

    def articles(self, generation: int, offset: int = 0, limit: int = 50) -> list[Article]:
        rows = self.db.execute(
            f"SELECT * FROM articles a WHERE {ARTICLE_VISIBLE} "
            "ORDER BY a.published DESC, a.id LIMIT :limit OFFSET :offset",
            {"g": generation, "limit": limit, "offset": offset},
        )
        return [_article(row) for row in rows]

    def count_articles(self, generation: int) -> int:
        return self.db.execute(
            f"SELECT count(*) FROM articles a WHERE {ARTICLE_VISIBLE}", {"g": generation}
        ).fetchone()[0]

    def sources(self, generation: int) -> list[tuple[str, int, str | None, str | None]]:
        """Per outlet: its name, number of articles, first and last publication date."""
        rows = self.db.execute(
            "SELECT a.source, count(*), min(a.published), max(a.published) FROM articles a "
            f"WHERE a.source != '' AND {ARTICLE_VISIBLE} GROUP BY a.source ORDER BY a.source",
            {"g": generation},
        )
        return [tuple(row) for row in rows]

    def article_keys(
        self,
        generation: int,
        source: str | None = None,
        since: date | None = None,
        until: date | None = None,
        language: str | None = None,
    ) -> np.ndarray:
        """Keys of the article versions visible at `generation` that pass every given filter."""
        clauses, params = [ARTICLE_VISIBLE], {"g": generation}
        if source:
            clauses.append("lower(a.source) = lower(:source)")
            params["source"] = source
        if since:
            clauses.append("a.published >= :since")
            params["since"] = since.isoformat()
        if until:
            clauses.append("a.published <= :until")
            params["until"] = until.isoformat()
        if language:
            clauses.append("a.language = :language")
            params["language"] = language
        rows = self.db.execute(
            f"SELECT a.key FROM articles a WHERE {' AND '.join(clauses)}", params
        )
        return np.fromiter((row[0] for row in rows), dtype=np.int64)

    def passages(self, ids: Sequence[int]) -> dict[int, StoredPassage]:
        """Passages by id (rows are immutable, so no generation is needed)."""
        rows = select_in(
            self.db,
            f"SELECT {_PASSAGE_COLUMNS} FROM {_PASSAGES_JOINED} WHERE p.id IN :values",
            [int(i) for i in ids],
        )
        return {row[0]: _stored_passage(row) for row in rows}

    def passage_by_ordinal(
        self, article_id: str, ordinal: int, generation: int
    ) -> StoredPassage | None:
        row = self.db.execute(
            f"SELECT {_PASSAGE_COLUMNS} FROM {_PASSAGES_JOINED} "
            f"WHERE a.id = :id AND p.ordinal = :ordinal AND {ARTICLE_VISIBLE} "
            f"AND {PASSAGE_VISIBLE}",
            {"id": article_id, "ordinal": ordinal, "g": generation},
        ).fetchone()
        return _stored_passage(row) if row else None

    def passage_terms(self, ids: Sequence[int]) -> dict[int, list[str]]:
        rows = select_in(
            self.db, "SELECT id, terms FROM passages WHERE id IN :values", [int(i) for i in ids]
        )
        return {row[0]: row[1].split() for row in rows}

    def visible_passage_ids(self, generation: int) -> np.ndarray:
        """Every passage id visible at `generation`, ascending (for `qa index check`)."""
        rows = self.db.execute(
            f"SELECT p.id FROM passages p WHERE {PASSAGE_VISIBLE} ORDER BY p.id", {"g": generation}
        )
        return np.fromiter((row[0] for row in rows), dtype=np.int64)

    def visible_fingerprints(self, generation: int) -> list[tuple[str, str]]:
        """(article id, fingerprint) of every article version visible at `generation`."""
        rows = self.db.execute(
            f"SELECT a.id, a.fingerprint FROM articles a WHERE {ARTICLE_VISIBLE}",
            {"g": generation},
        )
        return [tuple(row) for row in rows]

    def orphan_passages(self, generation: int) -> int:
        """Visible passages whose article version is not visible (always 0 in a sound index)."""
        return self.db.execute(
            f"SELECT count(*) FROM {_PASSAGES_JOINED} "
            f"WHERE {PASSAGE_VISIBLE} AND NOT ({ARTICLE_VISIBLE})",
            {"g": generation},
        ).fetchone()[0]

    # -- stories: one article carried by several outlets ---------------------------
    def stories(self, keys: Iterable[int]) -> dict[int, int]:
        """The story of each article version in `keys` (`qa.index.stories.stories_of`)."""
        return stories_of(self.db, keys)

    def story_articles(self, story: int, generation: int) -> list[tuple[int, Copy]]:
        """The story's article versions visible at `generation` (`qa.index.stories`)."""
        return story_articles(self.db, story, generation)

    # -- writing a generation ---------------------------------------------------
    def fingerprints(self, generation: int, ids: Iterable[str] | None = None) -> dict[str, str]:
        """Article id -> fingerprint of the version visible at `generation` (of `ids`, or all)."""
        if ids is None:
            return dict(self.visible_fingerprints(generation))
        rows = select_in(
            self.db,
            "SELECT a.id, a.fingerprint FROM articles a "
            f"WHERE a.id IN :values AND {ARTICLE_VISIBLE}",
            ids,
            {"g": generation},
        )
        return dict(rows)

    def remove_articles(self, article_ids: Iterable[str], generation: int) -> list[int]:
        """Mark the visible versions of `article_ids` removed as of `generation`; return the
        ids of their passages (call inside a transaction)."""
        removed: list[int] = []
        before = generation - 1
        for article_id in article_ids:
            row = self.db.execute(
                f"SELECT a.key FROM articles a WHERE a.id = :id AND {ARTICLE_VISIBLE}",
                {"id": article_id, "g": before},
            ).fetchone()
            if row is None:
                continue
            rows = self.db.execute(
                f"SELECT p.id FROM passages p WHERE p.article_key = :key AND {PASSAGE_VISIBLE}",
                {"key": row[0], "g": before},
            )
            removed.extend(r[0] for r in rows)
            self.db.execute(
                "UPDATE passages SET removed_in = :g "
                "WHERE article_key = :key AND removed_in IS NULL",
                {"g": generation, "key": row[0]},
            )
            self.db.execute(
                "UPDATE articles SET removed_in = :g WHERE key = :key",
                {"g": generation, "key": row[0]},
            )
        return removed

    def add_article(
        self, article: Article, passages: Sequence[NewPassage], segment: str, generation: int
    ) -> tuple[int, list[int]]:
        """Insert a new article version with its passages; return its key and the passage ids
        (call inside a transaction)."""
        key = self.db.execute(
            "INSERT INTO articles (id, title, source, url, published, language, path, "
            "fingerprint, text, added_in) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                generation,
            ),
        ).lastrowid
        ids = []
        for new in passages:
            passage = new.passage
            ids.append(
                self.db.execute(
                    'INSERT INTO passages (article_key, ordinal, start, "end", text, sentences, '
                    "terms, hash, segment, added_in) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        passage.ordinal,
                        passage.start,
                        passage.end,
                        passage.text,
                        json.dumps(passage.sentences),
                        " ".join(new.terms),
                        new.hash,
                        segment,
                        generation,
                    ),
                ).lastrowid
            )
        self.db.executemany("INSERT INTO sentences_pending VALUES (?)", [(i,) for i in ids])
        file_story(self.db, key, article.id, article.published, article.text)
        return key, ids

    def changed_after(self, generation: int) -> tuple[list[int], list[int]]:
        """Passage ids added, and ids removed, by generations after `generation` (never
        published, when `generation` is the one served)."""
        added = self.db.execute("SELECT id FROM passages WHERE added_in > ?", (generation,))
        added_ids = [row[0] for row in added]
        removed = self.db.execute(
            "SELECT id FROM passages WHERE removed_in > ? AND added_in <= ?",
            (generation, generation),
        )
        return added_ids, [row[0] for row in removed]

    def rollback_after(self, generation: int) -> None:
        """Undo every row change of generations after `generation` (inside a transaction)."""
        self.db.execute(
            "DELETE FROM sentences_pending WHERE passage IN "
            "(SELECT id FROM passages WHERE added_in > ?)",
            (generation,),
        )
        self.db.execute("DELETE FROM passages WHERE added_in > ?", (generation,))
        forget_stories(self.db, "added_in > ?", generation)
        self.db.execute("DELETE FROM articles WHERE added_in > ?", (generation,))
        self.db.execute("UPDATE passages SET removed_in = NULL WHERE removed_in > ?", (generation,))
        self.db.execute("UPDATE articles SET removed_in = NULL WHERE removed_in > ?", (generation,))

    def lexical_records(self, ids: Sequence[int]) -> list[tuple]:
        """What the lexical index files for passages `ids`: (id, terms, source, published,
        language), the fields of `qa.index.lexical.LexicalRecord`."""
        rows = select_in(
            self.db,
            "SELECT p.id, p.terms, a.source, a.published, a.language "
            f"FROM {_PASSAGES_JOINED} WHERE p.id IN :values",
            [int(i) for i in ids],
        )
        return [(row[0], row[1].split(), *row[2:]) for row in rows]

    def collect(self, generation: int) -> int:
        """Delete rows removed at or before `generation`, which no kept manifest can see, and
        the vectors only they used; return the number of passages deleted."""
        # Not DISTINCT: SQLite would then scan the hash index instead of the few removed rows.
        rows = self.db.execute("SELECT hash FROM passages WHERE removed_in <= ?", (generation,))
        hashes = list(dict.fromkeys(row[0] for row in rows))
        with self.transaction():
            deleted = self.db.execute(
                "DELETE FROM passages WHERE removed_in <= ?", (generation,)
            ).rowcount
            forget_stories(self.db, "removed_in <= ?", generation)
            self.db.execute("DELETE FROM articles WHERE removed_in <= ?", (generation,))
            select_in(
                self.db,
                "DELETE FROM vectors WHERE hash IN :values AND NOT "
                "EXISTS (SELECT 1 FROM passages p WHERE p.hash = vectors.hash)",
                hashes,
            )
        return deleted

    def checkpoint(self) -> None:
        """Fold the write-ahead log back into the database file (after large writes)."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _article(row: tuple) -> Article:
    _key, article_id, title, source, url, published, language, path, _fp, text = row[:10]
    return Article(
        id=article_id,
        title=title,
        source=source,
        url=url,
        language=language,
        path=path,
        published=stored_day(published),
        text=text,
    )


def _stored_passage(row: tuple) -> StoredPassage:
    """A row of _PASSAGE_COLUMNS, which are StoredPassage's fields in order."""
    *place, sentences, title, source, url, published, language = row
    spans = tuple(tuple(span) for span in json.loads(sentences))
    return StoredPassage(*place, spans, title, source, url, published, language)
