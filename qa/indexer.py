"""Build and update an index from a set of articles, one new generation per call.

An update copies the current generation's store, deletes what left or changed, embeds only
new and changed articles, and publishes the result atomically. Unchanged articles are never
re-embedded: their vectors are carried in the store and the FAISS index.
"""

import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa import lexical, vectors
from qa.articles import Article
from qa.chunking import ChunkSettings, chunk_article, embedding_text
from qa.embedders import DEFAULT_EMBEDDER, Embedder, get_embedder
from qa.errors import IndexMismatch, IndexWriteError
from qa.generations import Layout
from qa.store import Store

STORE_FILE = "store.sqlite"
LEXICAL_FOLDER = "bm25"
FORMAT_VERSION = 2

Progress = Callable[[str, int, int], None]


@dataclass
class UpdateReport:
    """What an update did, by article id."""

    generation: str = ""
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    embedded_chunks: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def _silent(stage: str, done: int, total: int) -> None:
    """Default progress callback."""


def sync_index(
    articles: Mapping[str, Article],
    index_dir: Path,
    rebuild: bool = False,
    embedder_name: str | None = None,
    chunk_settings: ChunkSettings | None = None,
    faiss_factory: str | None = None,
    embedder: Embedder | None = None,
    progress: Progress = _silent,
    wait: bool = True,
) -> UpdateReport:
    """Make the index at `index_dir` hold exactly `articles`; return what changed.

    With rebuild=True (or no index yet) everything is embedded afresh, with the given
    embedder/chunker/factory (defaults otherwise). Else the index's own settings are kept
    and any explicit setting that differs raises IndexMismatch. `embedder`, when given, is
    used instead of loading one by name (benchmarks pass a cached one).
    """

    def plan(stored: Mapping[str, str], report: UpdateReport) -> list[Article]:
        report.removed = sorted(set(stored) - set(articles))
        fresh = [a for i, a in articles.items() if stored.get(i) != a.fingerprint]
        report.updated = sorted(a.id for a in fresh if a.id in stored)
        report.added = [a.id for a in fresh if a.id not in stored]
        report.unchanged = len(articles) - len(fresh)
        return fresh

    settings = {
        "embedder_name": embedder_name,
        "chunk_settings": chunk_settings,
        "faiss_factory": faiss_factory,
    }
    return _update(index_dir, plan, rebuild, settings, embedder, progress, wait)


def apply_changes(
    index_dir: Path,
    upserts: Sequence[Article] = (),
    deletions: Sequence[str] = (),
    embedder: Embedder | None = None,
    progress: Progress = _silent,
    wait: bool = True,
) -> UpdateReport:
    """Add or replace `upserts` and drop `deletions`, leaving every other article as it is.

    Costs nothing per unchanged article, unlike `sync_index`, which needs the whole corpus.
    """

    def plan(stored: Mapping[str, str], report: UpdateReport) -> list[Article]:
        latest = {article.id: article for article in upserts}
        report.removed = sorted({i for i in deletions if i in stored} - set(latest))
        fresh = [a for a in latest.values() if stored.get(a.id) != a.fingerprint]
        report.updated = sorted(a.id for a in fresh if a.id in stored)
        report.added = [a.id for a in fresh if a.id not in stored]
        report.unchanged = len(latest) - len(fresh)
        return fresh

    concerned = {a.id for a in upserts} | set(deletions)
    return _update(index_dir, plan, False, {}, embedder, progress, wait, concerned)


Plan = Callable[[Mapping[str, str], UpdateReport], list[Article]]


def _update(
    index_dir: Path,
    plan: Plan,
    rebuild: bool,
    requested: dict,
    embedder: Embedder | None,
    progress: Progress,
    wait: bool,
    concerned: set[str] | None = None,
) -> UpdateReport:
    """Under the writer lock: plan against the current generation, write and publish the next.

    `plan` sees the stored fingerprints of the `concerned` article ids (all when None).
    """
    started = time.perf_counter()
    layout = Layout(index_dir)
    report = UpdateReport()
    embedder_name = embedder.name if embedder else requested.get("embedder_name")
    with layout.writer(wait=wait):
        layout.sweep()
        previous = None if rebuild or layout.current_name() is None else layout.current()
        if previous is None:
            embedder = embedder or get_embedder(embedder_name or DEFAULT_EMBEDDER)
            settings = _fresh_settings(
                embedder, requested.get("chunk_settings"), requested.get("faiss_factory")
            )
            stored: dict[str, str] = {}
        else:
            with closing(Store(previous / STORE_FILE, readonly=True)) as old:
                settings = old.manifest()
                _check_format(settings, index_dir)
                stored = old.article_fingerprints(concerned)
            _check_same(
                settings,
                embedder_name,
                requested.get("chunk_settings"),
                requested.get("faiss_factory"),
            )
        fresh = plan(stored, report)
        if previous is not None and not report.changed:
            report.generation = previous.name
        else:
            try:
                scratch = layout.scratch()
                if previous is None:
                    store = Store(scratch / STORE_FILE)
                else:
                    with closing(Store(previous / STORE_FILE, readonly=True)) as old:
                        store = old.copy_to(scratch / STORE_FILE)
                with closing(store):
                    embedder = embedder or get_embedder(settings["embedder"])
                    _apply(store, settings, embedder, fresh, report, previous, scratch, progress)
                report.generation = layout.publish(scratch)
            except (OSError, sqlite3.Error) as error:
                raise _write_failed(layout, error) from error
            layout.sweep()
    report.seconds = time.perf_counter() - started
    return report


def _write_failed(layout: Layout, error: Exception) -> IndexWriteError:
    """The error for a generation that could not be written; its scratch folder is removed."""
    layout.sweep()
    reason = error
    if isinstance(error, sqlite3.Error):  # "disk I/O error" says more with its code
        reason = f"{error} ({getattr(error, 'sqlite_errorname', 'sqlite')})"
    current = layout.current_name()
    served = f"{current} is still the one served" if current else "there is no index yet"
    return IndexWriteError(
        f"Could not write the new index generation under {layout.generations}: {reason}; "
        f"{served}. Free some disk space or fix the folder's permissions, then update again"
    )


def _fresh_settings(
    embedder: Embedder, chunk_settings: ChunkSettings | None, faiss_factory: str | None
) -> dict:
    return {
        "format": FORMAT_VERSION,
        "embedder": embedder.name,
        "dimension": embedder.dimension,
        "chunker": (chunk_settings or ChunkSettings()).describe(),
        "faiss_factory": faiss_factory or vectors.DEFAULT_FACTORY,
    }


def _check_format(settings: dict, index_dir: Path) -> None:
    if settings.get("format") != FORMAT_VERSION:
        raise IndexMismatch(
            f"The index at {index_dir} has format {settings.get('format')!r}, this version "
            f"writes {FORMAT_VERSION}: run `qa index build` to rebuild it"
        )


def _check_same(
    settings: dict,
    embedder_name: str | None,
    chunk_settings: ChunkSettings | None,
    faiss_factory: str | None,
) -> None:
    wanted = {
        "embedder": embedder_name and get_embedder(embedder_name).name,
        "chunker": chunk_settings and chunk_settings.describe(),
        "faiss_factory": faiss_factory,
    }
    for key, value in wanted.items():
        if value and value != settings.get(key):
            raise IndexMismatch(
                f"The index was built with {key} {settings.get(key)!r}, not {value!r}: "
                "run `qa index build` to rebuild it with the new setting"
            )


def _apply(
    store: Store,
    settings: dict,
    embedder: Embedder,
    fresh: list[Article],
    report: UpdateReport,
    previous: Path | None,
    scratch: Path,
    progress: Progress,
) -> None:
    """Embed `fresh`, rewrite the store, and write the FAISS and BM25 halves into `scratch`."""
    chunker = ChunkSettings(**settings["chunker"])
    chunked = [
        (article, chunk_article(article, chunker, embedder.count_tokens)) for article in fresh
    ]
    texts = [embedding_text(a.title, chunk.text) for a, chunks in chunked for chunk in chunks]
    progress("embedding", 0, len(texts))
    new_vectors = embedder.encode_passages(
        texts, on_batch=lambda done, total: progress("embedding", done, total)
    )
    report.embedded_chunks = len(texts)

    with store.transaction():
        removed_ids = store.delete_articles(report.removed + report.updated)
        added_ids: list[int] = []
        offset = 0
        for article, chunks in chunked:
            block = new_vectors[offset : offset + len(chunks)]
            tokens = [lexical.tokenize(f"{article.title} {chunk.text}") for chunk in chunks]
            added_ids += store.insert_article(article, chunks, tokens, block)
            offset += len(chunks)
        store.set_manifest({**settings, "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")})

    progress("writing", 0, 1)
    _write_vectors(store, settings, previous, scratch, removed_ids, added_ids, new_vectors)
    ids, token_lists = zip(*store.all_tokens(), strict=True) if store.count_chunks() else ((), ())
    lexical.LexicalIndex.build(token_lists, np.asarray(ids, dtype=np.int64)).save(
        scratch / LEXICAL_FOLDER
    )
    progress("writing", 1, 1)


def _write_vectors(
    store: Store,
    settings: dict,
    previous: Path | None,
    scratch: Path,
    removed_ids: list[int],
    added_ids: list[int],
    new_vectors: np.ndarray,
) -> None:
    """Carry the previous FAISS index forward with the changes, or rebuild it from the store."""
    index = vectors.load(previous) if previous is not None else None
    if index is None or not vectors.remove(index, removed_ids):
        ids, stored_vectors = store.all_vectors(settings["dimension"])
        index = vectors.build(settings["dimension"], settings["faiss_factory"], ids, stored_vectors)
    else:
        vectors.add(index, added_ids, new_vectors)
    vectors.save(index, scratch)
