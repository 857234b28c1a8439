"""The store's schema, as numbered migrations: each runs once, in its own transaction.

A store records the number of migrations it has had in SQLite's `user_version`; opening it
for writing runs the ones it lacks, in order (`migrate`). A change of schema is a new function
appended to MIGRATIONS, never an edit of an old one.
"""

import sqlite3
from collections.abc import Callable

from qa.articles import stored_day
from qa.index.sql import Transaction, run_script
from qa.index.stories import file_story


def m001_initial(db: sqlite3.Connection) -> None:
    """Articles (each version a row), their passages, and one vector per passage text."""
    run_script(
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


def m002_sentence_vectors(db: sqlite3.Connection) -> None:
    """Vectors of single sentences (float16: they only rank), and the passages whose
    sentences still wait for theirs (all of them, in an index made before)."""
    run_script(
        db,
        """
        CREATE TABLE sentence_vectors (hash BLOB PRIMARY KEY, embedding BLOB NOT NULL)
            WITHOUT ROWID;
        CREATE TABLE sentences_pending (passage INTEGER PRIMARY KEY);
        INSERT INTO sentences_pending SELECT id FROM passages WHERE removed_in IS NULL;
        """,
    )


def m003_stories(db: sqlite3.Connection) -> None:
    """Each article version's sketch keys and story (`qa.index.copies`); the articles stored
    before get theirs now, oldest first, as if added."""
    run_script(
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
        file_story(db, key, article_id, stored_day(published), text)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    m001_initial,
    m002_sentence_vectors,
    m003_stories,
]


def migrate(db: sqlite3.Connection) -> None:
    """Run the migrations the database at `db` has not had yet, each in one transaction."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
        with Transaction(db):
            migration(db)
            db.execute(f"PRAGMA user_version = {number}")
