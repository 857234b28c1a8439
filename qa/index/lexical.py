"""The lexical half of an index: BM25 over passage terms in tantivy.

Passages and questions come as terms from the tokenizer (`qa.text.terms`), which tantivy
stores in a whitespace-tokenized field, so index and query agree exactly.

Tantivy was chosen over SQLite FTS5 by measurement (docs/benchmarks.md): at a million
passages its top-100 BM25 query takes about 0.5 ms against FTS5's 100 ms, as it skips
documents that cannot reach the top (block-max WAND) while FTS5 scores every match. It adds
and deletes documents in small segments of its own and keeps corpus-wide statistics.
Deleting a passage here is the lexical engine's own delete; the generation's manifest hides
whatever a reader's snapshot of the engine holds beyond its generation.
"""

import contextlib
import math
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import NamedTuple

import numpy as np
import tantivy

from qa.filters import NO_FILTERS, Filters

_EPOCH = date(1970, 1, 1)
Hits = tuple[np.ndarray, np.ndarray]  # (passage ids, scores), best first
WRITER_HEAP = 100_000_000  # bytes of tantivy's indexing buffer


class LexicalRecord(NamedTuple):
    """What the lexical index files for one passage: its terms and its article's filters."""

    id: int
    terms: list[str]
    source: str
    published: str | None  # ISO date
    language: str


def _schema() -> "tantivy.Schema":
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", indexed=True, fast=True)
    builder.add_text_field("terms", tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("source", tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("published", indexed=True, fast=True)  # days since 1970
    builder.add_text_field("language", tokenizer_name="raw", index_option="basic")
    return builder.build()


class LexicalIndex:
    """The tantivy index of one build's passages, in `folder`."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self._index = tantivy.Index(self.schema, path=str(folder))
        self._index.config_reader("Manual")  # a reader moves on only when told to

    @contextlib.contextmanager
    def writer(self) -> Iterator["LexicalWriter"]:
        """Add and delete passages; `commit()` makes them durable. One writer at a time (the
        index lock already guarantees it); uncommitted changes are dropped on exit."""
        writer = self._index.writer(WRITER_HEAP, 1)
        try:
            yield LexicalWriter(writer, self.schema)
        finally:
            writer.wait_merging_threads()

    def searcher(self) -> "LexicalSearcher":
        """A searcher on the last commit, fixed for as long as it is used."""
        self._index.reload()
        return LexicalSearcher(self._index.searcher(), self.schema)


class LexicalWriter:
    def __init__(self, writer: "tantivy.IndexWriter", schema: "tantivy.Schema"):
        self._writer = writer
        self._schema = schema

    def add(self, records: Iterable[LexicalRecord]) -> None:
        for record in records:
            document = tantivy.Document()
            document.add_unsigned("id", record.id)
            document.add_text("terms", " ".join(record.terms))
            document.add_text("source", record.source.lower())
            if record.published:
                days = (date.fromisoformat(record.published) - _EPOCH).days
                document.add_integer("published", days)
            document.add_text("language", record.language)
            self._writer.add_document(document)

    def delete(self, ids: Sequence[int]) -> None:
        if len(ids):
            query = tantivy.Query.term_set_query(self._schema, "id", [int(i) for i in ids])
            self._writer.delete_documents_by_query(query)

    def commit(self) -> None:
        """Make the changes durable; a failed write (disk full) is an OSError, as elsewhere."""
        try:
            self._writer.commit()
        except ValueError as error:  # tantivy reports I/O errors as ValueError
            raise OSError(f"lexical index: {error}") from error


class LexicalSearcher:
    """BM25 queries against one fixed state of the lexical index."""

    def __init__(self, searcher: "tantivy.Searcher", schema: "tantivy.Schema"):
        self._searcher = searcher
        self._schema = schema
        self.count = searcher.num_docs

    def search(self, terms: Sequence[str], k: int, filters: Filters = NO_FILTERS) -> Hits:
        """The `k` passages with the highest BM25 score for `terms` among those the filters
        allow, best first."""
        if not terms or not self.count:
            return _no_hits()
        clauses = [(tantivy.Occur.Should, self._terms(terms))]
        clauses += [(tantivy.Occur.Must, query) for query in self._filters(filters)]
        return self._run(tantivy.Query.boolean_query(clauses), k)

    def scores(self, terms: Sequence[str], ids: np.ndarray) -> np.ndarray:
        """The BM25 score of each passage in `ids` (0 where it has none of the terms)."""
        out = np.zeros(len(ids), dtype=np.float32)
        if not terms or not len(ids) or not self.count:
            return out
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, self._among(ids)), (tantivy.Occur.Should, self._terms(terms))]
        )
        found, scores = self._run(query, len(ids))
        return _aligned(ids, found, scores, out)

    def coverage(self, terms: Sequence[str], ids: np.ndarray) -> np.ndarray:
        """Share of the query's IDF mass that each passage in `ids` contains.

        Terms the index has never seen count with the highest IDF, so a question in another
        language than the corpus, which BM25 can only match on a few names, scores low.
        """
        unique = list(dict.fromkeys(terms))
        covered = np.zeros(len(ids), dtype=np.float32)
        if not unique or not len(ids):
            return covered
        total = 0.0
        among = self._among(ids)
        for term in unique:
            frequency = self.frequency(term)
            weight = idf(frequency, max(self.count, 1))
            total += weight
            if frequency:
                query = tantivy.Query.boolean_query(
                    [(tantivy.Occur.Must, among), (tantivy.Occur.Must, self._term(term))]
                )
                found, _ = self._run(query, len(ids))
                covered += weight * np.isin(ids, found)
        return covered / total

    def frequency(self, term: str) -> int:
        """The number of passages holding `term`."""
        return self._searcher.doc_freq("terms", term) if self.count else 0

    def all_ids(self) -> np.ndarray:
        """Every passage id in this state of the index (for `qa index check`)."""
        found, _ = self._run(tantivy.Query.all_query(), max(self.count, 1))
        return np.sort(found)

    def _run(self, query: "tantivy.Query", k: int) -> Hits:
        hits = self._searcher.search(query, k, count=False).hits
        if not hits:
            return _no_hits()
        ids = self._searcher.fast_field_values("id", [address for _, address in hits])
        scores = [score for score, _ in hits]
        return np.asarray(ids, dtype=np.int64), np.asarray(scores, dtype=np.float32)

    def _term(self, term: str) -> "tantivy.Query":
        return tantivy.Query.term_query(self._schema, "terms", term)

    def _terms(self, terms: Sequence[str]) -> "tantivy.Query":
        unique = dict.fromkeys(terms)
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, self._term(term)) for term in unique]
        )

    def _among(self, ids: np.ndarray) -> "tantivy.Query":
        """Matches the passages `ids`, adding nothing to their score."""
        query = tantivy.Query.term_set_query(self._schema, "id", [int(i) for i in ids])
        return tantivy.Query.const_score_query(query, 0.0)

    def _filters(self, filters: Filters) -> list["tantivy.Query"]:
        queries = []
        if filters.source:
            queries.append(tantivy.Query.term_query(self._schema, "source", filters.source.lower()))
        if filters.since or filters.until:
            queries.append(
                tantivy.Query.range_query(
                    self._schema,
                    "published",
                    tantivy.FieldType.Integer,
                    (filters.since - _EPOCH).days if filters.since else None,
                    (filters.until - _EPOCH).days if filters.until else None,
                )
            )
        if filters.language:
            queries.append(tantivy.Query.term_query(self._schema, "language", filters.language))
        return queries


def _no_hits() -> Hits:
    return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)


def _aligned(ids: np.ndarray, found: np.ndarray, scores: np.ndarray, out: np.ndarray) -> np.ndarray:
    """`scores` of the `found` ids, placed at their positions in `ids`."""
    position = {int(i): n for n, i in enumerate(ids)}
    for passage_id, score in zip(found, scores, strict=True):
        out[position[int(passage_id)]] = score
    return out


def idf(document_frequency: int, total_docs: int) -> float:
    """BM25's inverse document frequency (Lucene's and tantivy's form, never negative)."""
    return math.log(1 + (total_docs - document_frequency + 0.5) / (document_frequency + 0.5))
