"""The lexical engine, chosen by measurement: tantivy against SQLite FTS5.

    python benchmarks/lexical_engines.py                     # 1M passages, then the benchmarks
    python benchmarks/lexical_engines.py --size 100000 --no-quality

Speed, on the same synthetic passages (benchmarks/synthetic.py: real TyDi-QA-id texts under
unique titles, tokenized as the indexer does): build, size on disk, the three queries a hybrid
search makes (the top 100 by BM25; the BM25 scores of 100 given passages; document
frequencies for term coverage), one-thread p50/p95 over 200 questions, and an update as the
indexer makes one (delete 3 passages, add 3, commit), median of 10.

Quality, on the test splits of TyDi-QA-id, XQuAD en->id and FacQA: R@1 of BM25 alone and of
the hybrid, where each engine gives the lexical candidates, their scores and their coverage,
and the real index gives the dense side; fusion and grouping are qa's own (`qa.search.retrieval`).
tantivy is what qa uses (`qa.index.lexical`); FTS5 is an adapter kept here for the comparison.
"""

import argparse
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from common import benchmark_index, cached_embedder
from evaldata import facqa, tydiqa, xquad_en_id
from latency import mixed_questions
from synthetic import folder_size, source_passages, synthetic_articles

from qa.index.lexical import LexicalIndex, LexicalRecord, idf
from qa.search.retrieval import DEFAULT_WEIGHTS, Candidates, fuse
from qa.text.language import detect_language
from qa.text.terms import tokenize

POOL = 100


class Tantivy:
    """qa's lexical index, driven as the indexer and retrieval drive it."""

    name = "tantivy"

    def __init__(self, folder: Path):
        self.index = LexicalIndex(folder)
        self.searcher = self.index.searcher()

    def update(self, records: Sequence[LexicalRecord], deleted: Sequence[int]) -> None:
        with self.index.writer() as writer:
            writer.delete(deleted)
            writer.add(records)
            writer.commit()
        self.searcher = self.index.searcher()

    def search(self, terms, k):
        return self.searcher.search(terms, k)

    def scores(self, terms, ids):
        return self.searcher.scores(terms, ids)

    def coverage(self, terms, ids):
        return self.searcher.coverage(terms, ids)

    def frequencies(self, terms):
        return [self.searcher.frequency(term) for term in terms]


class FTS5:
    """The same operations on an SQLite FTS5 table (`bm25()` built in; k1 1.2, b 0.75)."""

    name = "SQLite FTS5"

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(folder / "fts.sqlite", isolation_level=None)
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(terms, "
            "tokenize = \"unicode61 tokenchars '+-./,'\", detail = none)"
        )

    def update(self, records: Sequence[LexicalRecord], deleted: Sequence[int]) -> None:
        self.db.execute("BEGIN")
        self.db.executemany("DELETE FROM fts WHERE rowid = ?", [(int(i),) for i in deleted])
        self.db.executemany(
            "INSERT INTO fts(rowid, terms) VALUES (?, ?)",
            [(record.id, " ".join(record.terms)) for record in records],
        )
        self.db.execute("COMMIT")

    @staticmethod
    def _match(terms) -> str:
        return " OR ".join('"' + term.replace('"', '""') + '"' for term in dict.fromkeys(terms))

    def search(self, terms, k):
        if not terms:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        rows = self.db.execute(
            "SELECT rowid, -bm25(fts) FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT ?",
            (self._match(terms), k),
        ).fetchall()
        return np.array([r[0] for r in rows], dtype=np.int64), np.array(
            [r[1] for r in rows], dtype=np.float32
        )

    def _matching(self, terms, ids) -> dict[int, float]:
        if not terms or not len(ids):
            return {}
        marks = ",".join(str(int(i)) for i in ids)
        rows = self.db.execute(
            f"SELECT rowid, -bm25(fts) FROM fts WHERE fts MATCH ? AND rowid IN ({marks})",
            (self._match(terms),),
        )
        return dict(rows.fetchall())

    def scores(self, terms, ids):
        found = self._matching(terms, ids)
        return np.array([found.get(int(i), 0.0) for i in ids], dtype=np.float32)

    def frequencies(self, terms):
        return [
            self.db.execute(
                "SELECT count(*) FROM fts WHERE fts MATCH ?", (self._match([term]),)
            ).fetchone()[0]
            for term in terms
        ]

    def coverage(self, terms, ids):
        unique = list(dict.fromkeys(terms))
        covered = np.zeros(len(ids), dtype=np.float32)
        if not unique or not len(ids):
            return covered
        count = self.db.execute("SELECT count(*) FROM fts").fetchone()[0]
        total = 0.0
        for term, frequency in zip(unique, self.frequencies(unique), strict=True):
            weight = idf(frequency, max(count, 1))
            total += weight
            if frequency:
                holding = self._matching([term], ids)
                covered += weight * np.array([int(i) in holding for i in ids])
        return covered / total


ENGINES = (Tantivy, FTS5)


def timed(function, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def speed(size: int, root: Path) -> None:
    source = benchmark_index(tydiqa(), cached_embedder())
    texts = source_passages(source)[0]
    source.close()
    articles = synthetic_articles(texts, size)
    records = [
        LexicalRecord(number, tokenize(f"{a.title} {a.text}"), a.source, None, a.language)
        for number, a in enumerate(articles)
    ]
    questions = [tokenize(q) for q in mixed_questions(200)]
    random = np.random.default_rng(0)
    print(f"\n{size:,} passages; times in ms (one thread), update: median of 10\n")
    print(
        "| engine | build s | size MB | top-100 p50 | p95 | scores of 100 p50 | p95 | "
        "frequencies p50 | update p50 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for engine_type in ENGINES:
        folder = root / engine_type.__name__
        engine = engine_type(folder)
        built, _ = timed(engine.update, records, [])
        lat: dict[str, list[float]] = {"top": [], "scores": [], "frequencies": []}
        for terms in questions:
            if not terms:
                continue
            candidates = random.integers(0, size, POOL)
            lat["top"].append(timed(engine.search, terms, POOL)[0])
            lat["scores"].append(timed(engine.scores, terms, candidates)[0])
            lat["frequencies"].append(timed(engine.frequencies, terms)[0])
        updates = []
        for attempt in range(10):
            fresh = [
                LexicalRecord(
                    size + 3 * attempt + n, tokenize(f"pelatihan vokasi {n}"), "", None, "id"
                )
                for n in range(3)
            ]
            updates.append(timed(engine.update, fresh, random.integers(0, size, 3).tolist())[0])
        p = {name: np.percentile(np.asarray(v) * 1000, [50, 95]) for name, v in lat.items()}
        print(
            f"| {engine_type.name} | {built:.1f} | {folder_size(folder) / 1e6:.0f} | "
            f"{p['top'][0]:.2f} | {p['top'][1]:.2f} | {p['scores'][0]:.2f} | "
            f"{p['scores'][1]:.2f} | {p['frequencies'][0]:.2f} | "
            f"{statistics.median(updates) * 1000:.1f} |",
            flush=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def quality(root: Path) -> None:
    embedder = cached_embedder()
    print("\nR@1 on the test splits, lexical side from each engine\n")
    print("| benchmark | questions | engine | BM25 alone | hybrid |")
    print("|---|---:|---|---:|---:|")
    for loader in (tydiqa, xquad_en_id, facqa):
        bench = loader()
        index = benchmark_index(bench, embedder)
        ids = index.segments.live_ids()
        records = [LexicalRecord(*r) for r in index.store.lexical_records(ids)]
        _, keys, languages = index.segments.owners(ids)
        articles = {int(i): p.article_id for i, p in index.store.passages(ids).items()}
        questions = bench.questions["test"]
        vectors = embedder.encode_queries([q.text for q in questions])
        for engine_type in ENGINES:
            engine = engine_type(root / f"{bench.name}-{engine_type.__name__}")
            engine.update(records, [])
            hits = {"bm25": 0, "hybrid": 0}
            for question, vector in zip(questions, vectors, strict=True):
                terms = tokenize(question.text)
                lexical_ids = engine.search(terms, POOL)[0]
                hits["bm25"] += bool(len(lexical_ids)) and (
                    articles[int(lexical_ids[0])] == question.passage_id
                )
                dense_ids = index.vectors.search(vector, POOL)[0]
                found = np.unique(np.concatenate([dense_ids, lexical_ids]))
                positions = np.searchsorted(ids, found)
                candidates = Candidates(
                    found,
                    keys[positions],
                    languages[positions],
                    index.vectors.vectors(found) @ vector,
                    engine.scores(terms, found),
                    engine.coverage(terms, found),
                )
                fused = fuse(
                    candidates,
                    detect_language(question.text),
                    candidates.languages,
                    DEFAULT_WEIGHTS,
                )
                best = int(found[int(np.argmax(fused))])
                hits["hybrid"] += articles[best] == question.passage_id
            print(
                f"| {bench.name} | {len(questions)} | {engine_type.name} | "
                f"{hits['bm25'] / len(questions):.3f} | {hits['hybrid'] / len(questions):.3f} |",
                flush=True,
            )
        index.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="passages for the speed run")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--no-quality", action="store_true")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="qa-lexical-"))
    try:
        if not args.no_speed:
            speed(args.size, root)
        if not args.no_quality:
            quality(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
