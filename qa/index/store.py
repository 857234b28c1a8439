"""The SQLite half of an index: articles, passages and their vectors, never copied.

One database per build, in WAL mode, so that readers never block the writer or each other.
Rows are versioned by generation instead of being changed in place: an update inserts new
article versions and passages with `added_in = g` and marks replaced ones `removed_in = g`.
A reader serving generation g sees exactly the rows with `added_in <= g` and `removed_in`
unset or later than g, whatever a writer is doing meanwhile; rows of a generation that was
never published are rolled back by the next writer (`rollback_after`). Passage ids come from
AUTOINCREMENT and are never reused, not even after a rollback.

Vectors are stored once per distinct embedding text, keyed by its hash: an edited article
reuses the vectors of its unchanged passages, copies of one text share one vector, and a
build that is killed finds the batches it had already embedded (they are committed as they
come).
"""

import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from qa.articles import Article, stored_day
from qa.index import copies
from qa.index.copies import Copy
from qa.text.passages import Passage


def _m001_initial(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE articles (
            key INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL, title TEXT NOT NULL, source TEXT NOT NULL, url TEXT,
            published TEXT, language TEXT NOT NULL, path TEXT NOT NULL,
            fingerprint TEXT NOT NULL, text TEXT NOT NULL,
            added_in INTEGER NOT NULL, removed_in INTEGER
        );
        CREATE INDEX articles_id ON articles(id);
        CREATE INDEX articles_added ON articles(added_in);
        CREATE INDEX articles_removed ON articles(removed_in) WHERE removed_in IS NOT NULL;
        CREATE TABLE passages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            article_key INTEGER NOT NULL REFERENCES articles(key),
            ordinal INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
            text TEXT NOT NULL, sentences TEXT NOT NULL, terms TEXT NOT NULL,
            hash BLOB NOT NULL, segment TEXT NOT NULL,
            added_in INTEGER NOT NULL, removed_in INTEGER
        );
        CREATE INDEX passages_article ON passages(article_key);
        CREATE INDEX passages_hash ON passages(hash);
        CREATE INDEX passages_added ON passages(added_in);
        CREATE INDEX passages_removed ON passages(removed_in) WHERE removed_in IS NOT NULL;
        CREATE TABLE vectors (
            hash BLOB PRIMARY KEY, embedding BLOB NOT NULL, added_in INTEGER NOT NULL
        ) WITHOUT ROWID;
        """,
    )


def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Run `;`-separated statements inside the caller's transaction (executescript commits)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _m002_sentence_vectors(db: sqlite3.Connection) -> None:
    """Vectors of single sentences (float16: they only rank), and the passages whose
    sentences still wait for theirs (all of them, in an index made before)."""
    _run_script(
        db,
        """
        CREATE TABLE sentence_vectors (hash BLOB PRIMARY KEY, embedding BLOB NOT NULL)
            WITHOUT ROWID;
        CREATE TABLE sentences_pending (passage INTEGER PRIMARY KEY);
        INSERT INTO sentences_pending SELECT id FROM passages WHERE removed_in IS NULL;
        """,
    )


def _m003_stories(db: sqlite3.Connection) -> None:
    """Each article version's sketch keys and story (`qa.index.copies`); the articles stored
    before get theirs now, oldest first, as if added."""
    _run_script(
        db,
        """
        CREATE TABLE sketch_keys (
            key INTEGER NOT NULL, article_key INTEGER NOT NULL, PRIMARY KEY (key, article_key)
        ) WITHOUT ROWID;
        CREATE INDEX sketch_keys_article ON sketch_keys(article_key);
        CREATE TABLE stories (article_key INTEGER PRIMARY KEY, story INTEGER NOT NULL);
        CREATE INDEX stories_story ON stories(story);
        """,
    )
    rows = db.execute(
        "SELECT key, id, published, text FROM articles WHERE removed_in IS NULL ORDER BY key"
    ).fetchall()
    for key, article_id, published, text in rows:
        _file_story(db, key, article_id, stored_day(published), text)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _m001_initial,
    _m002_sentence_vectors,
    _m003_stories,
]

# Visible at generation :g: added by then, and not removed by then.
_VISIBLE = "{t}.added_in <= :g AND ({t}.removed_in IS NULL OR {t}.removed_in > :g)"
_ARTICLE_VISIBLE = _VISIBLE.format(t="a")
_PASSAGE_VISIBLE = _VISIBLE.format(t="p")
_MAX_PARAMETERS = 500  # SQLite caps the number of `?` in one statement


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


class Store:
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
            self._migrate()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                migration(self.db)
                self.db.execute(f"PRAGMA user_version = {number}")

    def transaction(self) -> "_Transaction":
        """`with store.transaction():` one atomic write."""
        return _Transaction(self.db)

    def close(self) -> None:
        self.db.close()

    # -- reading at a generation --------------------------------------------------
    def article(self, article_id: str, generation: int) -> Article | None:
        row = self.db.execute(
            f"SELECT * FROM articles a WHERE a.id = :id AND {_ARTICLE_VISIBLE}",
            {"id": article_id, "g": generation},
        ).fetchone()
        return _article(row) if row else None

    def articles(self, generation: int, offset: int = 0, limit: int = 50) -> list[Article]:
        rows = self.db.execute(
            f"SELECT * FROM articles a WHERE {_ARTICLE_VISIBLE} "
            "ORDER BY a.published DESC, a.id LIMIT :limit OFFSET :offset",
            {"g": generation, "limit": limit, "offset": offset},
        )
        return [_article(row) for row in rows]

    def count_articles(self, generation: int) -> int:
        return self.db.execute(
            f"SELECT count(*) FROM articles a WHERE {_ARTICLE_VISIBLE}", {"g": generation}
        ).fetchone()[0]

    def sources(self, generation: int) -> list[tuple[str, int, str | None, str | None]]:
        """Per outlet: its name, number of articles, first and last publication date."""
        rows = self.db.execute(
            "SELECT a.source, count(*), min(a.published), max(a.published) FROM articles a "
            f"WHERE a.source != '' AND {_ARTICLE_VISIBLE} GROUP BY a.source ORDER BY a.source",
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
        clauses, params = [_ARTICLE_VISIBLE], {"g": generation}
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
        found: dict[int, StoredPassage] = {}
        for batch in _batches([int(i) for i in ids]):
            rows = self.db.execute(
                f"SELECT {_PASSAGE_COLUMNS} FROM {_PASSAGES_JOINED} "
                f"WHERE p.id IN ({','.join('?' * len(batch))})",
                batch,
            )
            found.update((row[0], _stored_passage(row)) for row in rows)
        return found

    def passage_by_ordinal(
        self, article_id: str, ordinal: int, generation: int
    ) -> StoredPassage | None:
        row = self.db.execute(
            f"SELECT {_PASSAGE_COLUMNS} FROM {_PASSAGES_JOINED} "
            f"WHERE a.id = :id AND p.ordinal = :ordinal AND {_ARTICLE_VISIBLE} "
            f"AND {_PASSAGE_VISIBLE}",
            {"id": article_id, "ordinal": ordinal, "g": generation},
        ).fetchone()
        return _stored_passage(row) if row else None

    def passage_terms(self, ids: Sequence[int]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        for batch in _batches([int(i) for i in ids]):
            rows = self.db.execute(
                f"SELECT id, terms FROM passages WHERE id IN ({','.join('?' * len(batch))})", batch
            )
            found.update((row[0], row[1].split()) for row in rows)
        return found

    def visible_passage_ids(self, generation: int) -> np.ndarray:
        """Every passage id visible at `generation`, ascending (for `qa index check`)."""
        rows = self.db.execute(
            f"SELECT p.id FROM passages p WHERE {_PASSAGE_VISIBLE} ORDER BY p.id", {"g": generation}
        )
        return np.fromiter((row[0] for row in rows), dtype=np.int64)

    def visible_fingerprints(self, generation: int) -> list[tuple[str, str]]:
        """(article id, fingerprint) of every article version visible at `generation`."""
        rows = self.db.execute(
            f"SELECT a.id, a.fingerprint FROM articles a WHERE {_ARTICLE_VISIBLE}",
            {"g": generation},
        )
        return [tuple(row) for row in rows]

    def orphan_passages(self, generation: int) -> int:
        """Visible passages whose article version is not visible (always 0 in a sound index)."""
        return self.db.execute(
            f"SELECT count(*) FROM {_PASSAGES_JOINED} "
            f"WHERE {_PASSAGE_VISIBLE} AND NOT ({_ARTICLE_VISIBLE})",
            {"g": generation},
        ).fetchone()[0]

    # -- stories: one article carried by several outlets ---------------------------
    def stories(self, keys: Iterable[int]) -> dict[int, int]:
        """The story of each article version in `keys` (the key of its story's first
        article; its own key when it is the first). Versions too short to compare have none."""
        found: dict[int, int] = {}
        for batch in _batches(sorted({int(key) for key in keys})):
            rows = self.db.execute(
                "SELECT article_key, story FROM stories "
                f"WHERE article_key IN ({','.join('?' * len(batch))})",
                batch,
            )
            found.update(rows)
        return found

    def story_articles(self, story: int, generation: int) -> list[tuple[int, Copy]]:
        """(key, citation) of the story's article versions visible at `generation`, oldest
        first, at most copies.COPIES_SHOWN + 1."""
        rows = self.db.execute(
            "SELECT a.key, a.id, a.title, a.source, a.url, a.published "
            "FROM stories s JOIN articles a ON a.key = s.article_key "
            f"WHERE s.story = :story AND {_ARTICLE_VISIBLE} "
            "ORDER BY a.published, a.key LIMIT :limit",
            {"story": story, "g": generation, "limit": copies.COPIES_SHOWN + 1},
        )
        return [(row[0], Copy(*row[1:])) for row in rows]

    # -- vectors ----------------------------------------------------------------
    def known_hashes(self, hashes: Iterable[bytes]) -> set[bytes]:
        """The hashes among `hashes` whose vector is stored."""
        known: set[bytes] = set()
        for batch in _batches(list(dict.fromkeys(hashes))):
            rows = self.db.execute(
                f"SELECT hash FROM vectors WHERE hash IN ({','.join('?' * len(batch))})", batch
            )
            known.update(row[0] for row in rows)
        return known

    def put_vectors(self, hashes: Sequence[bytes], vectors: np.ndarray, generation: int) -> None:
        """Store freshly embedded vectors, committed at once (a later crash keeps them)."""
        with self.transaction():
            self.db.executemany(
                "INSERT OR IGNORE INTO vectors VALUES (?, ?, ?)",
                [
                    (key, np.asarray(vector, dtype=np.float32).tobytes(), generation)
                    for key, vector in zip(hashes, vectors, strict=True)
                ],
            )

    def vectors(self, hashes: Sequence[bytes], dimension: int) -> np.ndarray:
        """The stored vectors of `hashes`, in order (KeyError for one never stored)."""
        found: dict[bytes, bytes] = {}
        for batch in _batches(list(dict.fromkeys(hashes))):
            rows = self.db.execute(
                f"SELECT hash, embedding FROM vectors WHERE hash IN ({','.join('?' * len(batch))})",
                batch,
            )
            found.update(rows)
        blob = b"".join(found[key] for key in hashes)
        return np.frombuffer(blob, dtype=np.float32).reshape(len(hashes), dimension)

    def passage_vectors(self, ids: Sequence[int], dimension: int) -> np.ndarray:
        """The vectors of passages `ids`, in order."""
        hashes: dict[int, bytes] = {}
        for batch in _batches([int(i) for i in ids]):
            rows = self.db.execute(
                f"SELECT id, hash FROM passages WHERE id IN ({','.join('?' * len(batch))})", batch
            )
            hashes.update(rows)
        return self.vectors([hashes[int(i)] for i in ids], dimension)

    # -- writing a generation ---------------------------------------------------
    def fingerprints(self, generation: int, ids: Iterable[str] | None = None) -> dict[str, str]:
        """Article id -> fingerprint of the version visible at `generation` (of `ids`, or all)."""
        if ids is None:
            return dict(self.visible_fingerprints(generation))
        found: dict[str, str] = {}
        for batch in _batches(list(ids)):
            marks = ",".join(f":a{i}" for i in range(len(batch)))
            params = {f"a{i}": value for i, value in enumerate(batch)} | {"g": generation}
            rows = self.db.execute(
                f"SELECT a.id, a.fingerprint FROM articles a WHERE a.id IN ({marks}) "
                f"AND {_ARTICLE_VISIBLE}",
                params,
            )
            found.update(rows)
        return found

    def remove_articles(self, article_ids: Iterable[str], generation: int) -> list[int]:
        """Mark the visible versions of `article_ids` removed as of `generation`; return the
        ids of their passages (call inside a transaction)."""
        removed: list[int] = []
        before = generation - 1
        for article_id in article_ids:
            row = self.db.execute(
                f"SELECT a.key FROM articles a WHERE a.id = :id AND {_ARTICLE_VISIBLE}",
                {"id": article_id, "g": before},
            ).fetchone()
            if row is None:
                continue
            rows = self.db.execute(
                f"SELECT p.id FROM passages p WHERE p.article_key = :key AND {_PASSAGE_VISIBLE}",
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
        _file_story(self.db, key, article.id, article.published, article.text)
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
        _forget_stories(self.db, "added_in > ?", generation)
        self.db.execute("DELETE FROM articles WHERE added_in > ?", (generation,))
        self.db.execute("UPDATE passages SET removed_in = NULL WHERE removed_in > ?", (generation,))
        self.db.execute("UPDATE articles SET removed_in = NULL WHERE removed_in > ?", (generation,))

    def lexical_records(self, ids: Sequence[int]) -> list[tuple]:
        """What the lexical index files for passages `ids`: (id, terms, source, published,
        language), the fields of `qa.index.lexical.LexicalRecord`."""
        records = []
        for batch in _batches([int(i) for i in ids]):
            rows = self.db.execute(
                "SELECT p.id, p.terms, a.source, a.published, a.language "
                f"FROM {_PASSAGES_JOINED} "
                f"WHERE p.id IN ({','.join('?' * len(batch))})",
                batch,
            )
            records += [(row[0], row[1].split(), *row[2:]) for row in rows]
        return records

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
            _forget_stories(self.db, "removed_in <= ?", generation)
            self.db.execute("DELETE FROM articles WHERE removed_in <= ?", (generation,))
            for batch in _batches(hashes):
                self.db.execute(
                    f"DELETE FROM vectors WHERE hash IN ({','.join('?' * len(batch))}) AND NOT "
                    "EXISTS (SELECT 1 FROM passages p WHERE p.hash = vectors.hash)",
                    batch,
                )
        return deleted

    def collect_unused_vectors(self, generation: int) -> int:
        """Delete vectors stored at or before `generation` that no passage uses (embedded by
        updates that never published); a full scan, so merges do it, not every update."""
        with self.transaction():
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
        known: set[bytes] = set()
        for batch in _batches(list(dict.fromkeys(hashes))):
            rows = self.db.execute(
                f"SELECT hash FROM sentence_vectors WHERE hash IN ({','.join('?' * len(batch))})",
                batch,
            )
            known.update(row[0] for row in rows)
        return known

    def put_sentence_vectors(
        self, hashes: Sequence[bytes], vectors: np.ndarray, done: Sequence[int]
    ) -> None:
        """Store sentence vectors and mark the passages `done`, in one transaction."""
        with self.transaction():
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
        found: dict[bytes, np.ndarray] = {}
        for batch in _batches(list(dict.fromkeys(hashes))):
            rows = self.db.execute(
                "SELECT hash, embedding FROM sentence_vectors "
                f"WHERE hash IN ({','.join('?' * len(batch))})",
                batch,
            )
            found.update(
                (key, np.frombuffer(blob, dtype=np.float16).astype(np.float32))
                for key, blob in rows
            )
        return found

    def checkpoint(self) -> None:
        """Fold the write-ahead log back into the database file (after large writes)."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def _file_story(
    db: sqlite3.Connection, key: int, article_id: str, published: date | None, text: str
) -> None:
    """Store the sketch of article version `key` and its story: that of its closest copy
    among the live articles (`qa.index.copies`), else its own. The cost is bounded whatever the
    archive's size: sketch keys are looked up, at most MAX_CANDIDATES texts compared."""
    own = copies.shingles(text)
    sketch = copies.sketch(own)
    if not sketch:
        return
    db.executemany("INSERT OR IGNORE INTO sketch_keys VALUES (?, ?)", [(k, key) for k in sketch])
    shared: Counter[int] = Counter()  # candidate -> how many sketch keys it shares
    for sketch_key in sketch:
        shared.update(
            other
            for (other,) in db.execute(
                "SELECT article_key FROM sketch_keys WHERE key = ? AND article_key != ? "
                "ORDER BY article_key DESC LIMIT ?",
                (sketch_key, key, copies.CANDIDATES_PER_KEY),
            )
        )
    ranked = sorted(shared, key=lambda other: (-shared[other], -other))  # newest among equals
    candidates = ranked[: copies.MAX_CANDIDATES]
    rows = db.execute(
        "SELECT a.key, a.published, a.text, s.story FROM articles a "
        "JOIN stories s ON s.article_key = a.key "
        f"WHERE a.key IN ({','.join('?' * len(candidates))}) AND a.removed_in IS NULL "
        "AND a.id != ?",
        [*candidates, article_id],
    )
    story, closest = key, 0.0
    for _other, other_published, other_text, other_story in rows:
        similarity = copies.is_copy(
            own, published, copies.shingles(other_text), stored_day(other_published)
        )
        if similarity > closest:
            story, closest = other_story, similarity
    db.execute("INSERT INTO stories VALUES (?, ?)", (key, story))


def _forget_stories(db: sqlite3.Connection, articles_where: str, generation: int) -> None:
    """Delete the sketches and story rows of the article versions `articles_where` selects
    (before the articles themselves); their stories' other articles keep theirs."""
    selected = f"(SELECT key FROM articles WHERE {articles_where})"
    db.execute(f"DELETE FROM sketch_keys WHERE article_key IN {selected}", (generation,))
    db.execute(f"DELETE FROM stories WHERE article_key IN {selected}", (generation,))


def _batches(values: list) -> Iterable[list]:
    for start in range(0, len(values), _MAX_PARAMETERS):
        yield values[start : start + _MAX_PARAMETERS]


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
    (
        pid,
        article_id,
        key,
        ordinal,
        start,
        end,
        text,
        sentences,
        title,
        source,
        url,
        published,
        lang,
    ) = row
    return StoredPassage(
        id=pid,
        article_id=article_id,
        article_key=key,
        ordinal=ordinal,
        start=start,
        end=end,
        text=text,
        sentences=tuple(tuple(span) for span in json.loads(sentences)),
        title=title,
        source=source,
        url=url,
        published=published,
        language=lang,
    )
