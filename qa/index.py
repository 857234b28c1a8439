"""The read side of an index: one loaded generation (store, FAISS, BM25) and its embedder."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa import lexical, vectors
from qa.embedders import Embedder, get_embedder
from qa.errors import IndexMismatch
from qa.generations import Layout
from qa.indexer import FORMAT_VERSION, LEXICAL_FOLDER, STORE_FILE
from qa.store import Store


@dataclass
class Index:
    """Everything a query needs from one generation. Immutable once loaded."""

    generation: str
    manifest: dict
    store: Store
    vectors: "vectors.faiss.Index"
    lexical: lexical.LexicalIndex
    embedder: Embedder
    # Per chunk, aligned with `lexical.chunk_ids`: what ranking needs without a store query.
    chunk_articles: np.ndarray
    chunk_languages: np.ndarray

    @classmethod
    def load(
        cls, index_dir: Path, embedder_name: str | None = None, embedder: Embedder | None = None
    ) -> "Index":
        """Load the current generation; fail clearly if it was built with another embedder."""
        folder = Layout(index_dir).current()
        store = Store(folder / STORE_FILE, readonly=True)
        manifest = store.manifest()
        if manifest.get("format") != FORMAT_VERSION:
            raise IndexMismatch(
                f"The index at {index_dir} has format {manifest.get('format')!r}, this version "
                f"reads {FORMAT_VERSION}: run `qa index build` to rebuild it"
            )
        embedder = embedder or get_embedder(embedder_name or manifest["embedder"])
        if embedder.name != manifest["embedder"] or embedder.dimension != manifest["dimension"]:
            raise IndexMismatch(
                f"The index at {index_dir} was built with {manifest['embedder']} "
                f"({manifest['dimension']} dimensions), not {embedder.name} "
                f"({embedder.dimension}): run `qa index build --embedder {embedder.name}` "
                "to rebuild it"
            )
        lexical_index = lexical.LexicalIndex.load(folder / LEXICAL_FOLDER)
        ids, articles, languages = store.chunk_owners()
        if not np.array_equal(ids, lexical_index.chunk_ids):
            raise IndexMismatch(
                f"The index at {index_dir} is inconsistent (store and BM25 disagree): "
                "run `qa index build` to rebuild it"
            )
        return cls(
            generation=folder.name,
            manifest=manifest,
            store=store,
            vectors=vectors.load(folder),
            lexical=lexical_index,
            embedder=embedder,
            chunk_articles=articles,
            chunk_languages=languages,
        )

    def close(self) -> None:
        self.store.close()

    def dense(
        self, query_vector: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k chunk ids and cosine scores."""
        return vectors.search(self.vectors, query_vector, k, allowed)

    def bm25(self, terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """BM25 score of every chunk (ids aligned with scores)."""
        return self.lexical.chunk_ids, self.lexical.scores(terms)
