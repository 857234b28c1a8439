"""The store answers about more ids than one SQL statement may list (`qa.index.sql.select_in`)."""

from contextlib import closing

import numpy as np

from qa.articles import Article
from qa.index.sql import MAX_PARAMETERS
from qa.index.store import NewPassage, Store, text_hash
from qa.text.passages import Passage

COUNT = 2 * MAX_PARAMETERS + 7  # three batches, the last one short
DIMENSION = 4


def _article(n: int) -> Article:
    words = " ".join(f"kata{n}x{i}" for i in range(30))  # long enough to have a sketch
    return Article(id=f"a{n:04d}", title=f"Judul {n}", text=words, source="Uji", language="id")


def test_batched_queries_answer_for_every_id_in_order(tmp_path):
    articles = [_article(n) for n in range(COUNT)]
    hashes = [text_hash(article.text) for article in articles]
    with closing(Store(tmp_path / "store.sqlite")) as store:
        keys, ids = [], []
        with store.transaction():
            for article, key in zip(articles, hashes, strict=True):
                passage = Passage(article.id, 0, 0, len(article.text), article.text, ((0, 9),))
                new = NewPassage(passage, article.text.split()[:3], key)
                article_key, passage_ids = store.add_article(article, [new], "seg-000001", 1)
                keys.append(article_key)
                ids += passage_ids
        vectors = np.arange(COUNT * DIMENSION, dtype=np.float32).reshape(COUNT, DIMENSION)
        store.put_vectors(hashes, vectors, 1)

        assert len(ids) == COUNT
        assert store.fingerprints(1, [a.id for a in articles]) == {
            a.id: a.fingerprint for a in articles
        }
        assert sorted(store.passages(ids)) == sorted(ids)
        assert store.passage_terms(ids)[ids[-1]] == articles[-1].text.split()[:3]
        assert [record[0] for record in sorted(store.lexical_records(ids))] == sorted(ids)
        assert store.known_hashes([*hashes, text_hash("never stored")]) == set(hashes)
        order = list(reversed(range(COUNT)))
        assert np.array_equal(store.vectors([hashes[i] for i in order], DIMENSION), vectors[order])
        assert np.array_equal(store.passage_vectors(ids, DIMENSION), vectors)
        assert store.stories(keys) == {key: key for key in keys}  # no two texts share a run

        with store.transaction():
            store.remove_articles([a.id for a in articles], 2)
        assert store.collect(2) == COUNT
        assert store.known_hashes(hashes) == set()
        assert store.stories(keys) == {}
