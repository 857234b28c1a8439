"""Stories in the store: each article version filed under the story of its closest copy.

`qa.index.copies` says what a copy is; this module keeps the sketch keys and story labels in
the build's SQLite store (tables `sketch_keys` and `stories`), files each article version as
it is added, forgets those rolled back or collected, and reads a story's articles back.
"""

import sqlite3
from collections import Counter
from collections.abc import Iterable
from datetime import date

from qa.articles import stored_day
from qa.index import copies
from qa.index.copies import Copy
from qa.index.sql import ARTICLE_VISIBLE, select_in


def stories_of(db: sqlite3.Connection, keys: Iterable[int]) -> dict[int, int]:
    """The story of each article version in `keys` (the key of its story's first article;
    its own key when it is the first). Versions too short to compare have none."""
    rows = select_in(
        db,
        "SELECT article_key, story FROM stories WHERE article_key IN :values",
        sorted({int(key) for key in keys}),
    )
    return dict(rows)


def story_articles(db: sqlite3.Connection, story: int, generation: int) -> list[tuple[int, Copy]]:
    """(key, citation) of the story's article versions visible at `generation`, oldest
    first, at most copies.COPIES_SHOWN + 1."""
    rows = db.execute(
        "SELECT a.key, a.id, a.title, a.source, a.url, a.published "
        "FROM stories s JOIN articles a ON a.key = s.article_key "
        f"WHERE s.story = :story AND {ARTICLE_VISIBLE} "
        "ORDER BY a.published, a.key LIMIT :limit",
        {"story": story, "g": generation, "limit": copies.COPIES_SHOWN + 1},
    )
    return [(row[0], Copy(*row[1:])) for row in rows]


def file_story(
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
    rows = select_in(
        db,
        "SELECT a.key, a.published, a.text, s.story FROM articles a "
        "JOIN stories s ON s.article_key = a.key "
        "WHERE a.key IN :values AND a.removed_in IS NULL AND a.id != :id",
        ranked[: copies.MAX_CANDIDATES],
        {"id": article_id},
    )
    story, closest = key, 0.0
    for _other, other_published, other_text, other_story in rows:
        similarity = copies.is_copy(
            own, published, copies.shingles(other_text), stored_day(other_published)
        )
        if similarity > closest:
            story, closest = other_story, similarity
    db.execute("INSERT INTO stories VALUES (?, ?)", (key, story))


def forget_stories(db: sqlite3.Connection, articles_where: str, generation: int) -> None:
    """Delete the sketches and story rows of the article versions `articles_where` selects
    (before the articles themselves); their stories' other articles keep theirs."""
    selected = f"(SELECT key FROM articles WHERE {articles_where})"
    db.execute(f"DELETE FROM sketch_keys WHERE article_key IN {selected}", (generation,))
    db.execute(f"DELETE FROM stories WHERE article_key IN {selected}", (generation,))
