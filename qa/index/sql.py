"""SQL shared by the store's modules: what a generation sees, batched `IN` lists, transactions.

Rows are versioned by generation (`qa.index.store`): a row is visible at generation g when it
was added by then and not removed by then. SQLite caps the number of `?` in one statement, so
a query about many ids or hashes is run in batches (`select_in`).
"""

import sqlite3
from collections.abc import Iterable, Mapping

# Visible at generation :g: added by then, and not removed by then.
_VISIBLE = "{t}.added_in <= :g AND ({t}.removed_in IS NULL OR {t}.removed_in > :g)"
ARTICLE_VISIBLE = _VISIBLE.format(t="a")
PASSAGE_VISIBLE = _VISIBLE.format(t="p")
MAX_PARAMETERS = 500  # values in one `IN (...)` list


def select_in(
    db: sqlite3.Connection, sql: str, values: Iterable, params: Mapping | None = None
) -> list[tuple]:
    """Run `sql`, whose `:values` stands for a parenthesised list of `values`, in batches of at
    most MAX_PARAMETERS values; return the rows of every batch. Other named `params` are
    passed to each batch (none are needed for a statement that returns no rows)."""
    values = list(values)
    rows: list[tuple] = []
    for start in range(0, len(values), MAX_PARAMETERS):
        batch = values[start : start + MAX_PARAMETERS]
        marks = ",".join(f":v{i}" for i in range(len(batch)))
        named = {f"v{i}": value for i, value in enumerate(batch)} | dict(params or {})
        rows += db.execute(sql.replace(":values", f"({marks})"), named).fetchall()
    return rows


def run_script(db: sqlite3.Connection, script: str) -> None:
    """Run `;`-separated statements inside the caller's transaction (executescript commits)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


class Transaction:
    """`with Transaction(db):` one atomic write (BEGIN IMMEDIATE, then COMMIT or ROLLBACK)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
