"""`qa index check`: do the manifest, segments, store and lexical index agree?

Checks the generation being served, under the writer lock (so no update is half-way):
every segment the manifest names is whole and its counts are right, no passage is in two
segments, the live passages are exactly those the store shows at that generation and those
the lexical engine holds, stored vectors match the FAISS rows, and, given the corpus, every
corpus article is indexed once, as it now reads. A writer killed before publishing leaves
changes that the next writer undoes; they are not counted as problems.
"""

from collections import Counter
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path

import numpy as np

from qa.articles import Article
from qa.index.folder import LEXICAL_FOLDER, STORE_FILE, IndexFolder
from qa.index.lexical import LexicalIndex
from qa.index.manifest import Manifest
from qa.index.segments import LiveSegment, Segment, read_deletes
from qa.index.store import Store

SAMPLED_VECTORS = 64  # rows per segment compared with the stored vectors
_EXACT_TYPES = ("Flat", ",Flat")  # factories whose rows give back the stored vectors


def check_index(index_dir: Path, articles: Mapping[str, Article] | None = None) -> list[str]:
    """What is wrong with the index at `index_dir` (nothing: an empty list)."""
    folder = IndexFolder(index_dir)
    with folder.writer():
        manifest = folder.current()
        build = folder.build_folder(manifest.build)
        with closing(Store(build / STORE_FILE, readonly=True)) as store:
            problems, live = _check_segments(folder, manifest, store)
            problems += _check_store(store, manifest, live)
            problems += _check_lexical(LexicalIndex(build / LEXICAL_FOLDER), store, manifest, live)
            if articles is not None:
                problems += _check_corpus(store, manifest, articles)
    return problems


def _check_segments(
    folder: IndexFolder, manifest: Manifest, store: Store
) -> tuple[list[str], np.ndarray]:
    """Problems with the segment files, and the ids of every live passage."""
    problems: list[str] = []
    live_ids = []
    for entry in manifest.segments:
        where = f"segment {entry.name}"
        try:
            segment = Segment.open(folder.segment_folder(manifest.build, entry.name))
            deleted = read_deletes(segment.folder, entry.deletes)
        except (OSError, ValueError, RuntimeError) as error:
            problems.append(f"{where}: cannot be read ({error})")
            continue
        ids = np.asarray(segment.ids)
        if len(ids) != entry.passages or segment.index.ntotal != len(ids):
            problems.append(
                f"{where}: the manifest says {entry.passages} passages, the segment holds "
                f"{len(ids)} ids and {segment.index.ntotal} vectors"
            )
        if len(ids) > 1 and not (np.diff(ids) > 0).all():
            problems.append(f"{where}: passage ids are not strictly ascending")
        if len(deleted) != entry.deleted or not np.isin(deleted, ids).all():
            problems.append(
                f"{where}: the manifest says {entry.deleted} deleted, its deletes file holds "
                f"{len(deleted)} ids, {int((~np.isin(deleted, ids)).sum())} not in the segment"
            )
        live = LiveSegment.of(segment, deleted).live
        live_ids.append(ids[live])
        problems += _check_vectors(where, entry.vectors, segment, store, manifest)
    everything = np.concatenate(live_ids) if live_ids else np.empty(0, dtype=np.int64)
    repeated = len(everything) - len(np.unique(everything))
    if repeated:
        problems.append(f"{repeated} live passages are in more than one segment")
    return problems, np.unique(everything)


def _check_vectors(
    where: str, factory: str, segment: Segment, store: Store, manifest: Manifest
) -> list[str]:
    """Compare a sample of the segment's rows with the vectors in the store."""
    if not len(segment.ids) or not factory.endswith(_EXACT_TYPES):
        return []
    picks = np.unique(np.linspace(0, len(segment.ids) - 1, SAMPLED_VECTORS).astype(np.int64))
    try:
        stored = store.passage_vectors(segment.ids[picks], manifest.settings["dimension"])
    except KeyError:
        return [f"{where}: some passages have no stored vector"]
    rows = segment.index.reconstruct_batch(picks)
    if not np.allclose(rows, stored, atol=1e-5):
        return [f"{where}: its vectors differ from the stored ones"]
    return []


def _check_store(store: Store, manifest: Manifest, live: np.ndarray) -> list[str]:
    problems = []
    visible = store.visible_passage_ids(manifest.generation)
    missing, extra = np.setdiff1d(visible, live), np.setdiff1d(live, visible)
    if len(missing):
        problems.append(f"{len(missing)} passages of the store are in no segment: {missing[:5]}")
    if len(extra):
        problems.append(f"{len(extra)} live passages are not in the store: {extra[:5]}")
    orphans = store.orphan_passages(manifest.generation)
    if orphans:
        problems.append(f"{orphans} passages belong to no live article version")
    return problems


def _check_lexical(
    lexical: LexicalIndex, store: Store, manifest: Manifest, live: np.ndarray
) -> list[str]:
    held = lexical.searcher().all_ids()
    pending_added, pending_removed = store.changed_after(manifest.generation)
    missing = np.setdiff1d(np.setdiff1d(live, held), pending_removed)
    extra = np.setdiff1d(np.setdiff1d(held, live), pending_added)
    problems = []
    if len(missing):
        problems.append(f"{len(missing)} live passages are not in the lexical index: {missing[:5]}")
    if len(extra):
        problems.append(
            f"the lexical index holds {len(extra)} passages that are not live: {extra[:5]}"
        )
    return problems


def _check_corpus(store: Store, manifest: Manifest, articles: Mapping[str, Article]) -> list[str]:
    indexed = store.visible_fingerprints(manifest.generation)
    counts = Counter(article_id for article_id, _ in indexed)
    fingerprints = dict(indexed)
    problems = [f"article {i!r} is indexed {n} times" for i, n in counts.items() if n > 1]
    for article_id, article in articles.items():
        if article_id not in fingerprints:
            problems.append(f"article {article_id!r} of the corpus is not indexed")
        elif fingerprints[article_id] != article.fingerprint:
            problems.append(f"article {article_id!r} is indexed as an older version")
    gone = sorted(set(fingerprints) - set(articles))
    problems += [f"article {article_id!r} is indexed but not in the corpus" for article_id in gone]
    return problems
