"""Segments: immutable folders of passages, the unit an update writes and a merge rewrites.

    seg-000040/ids.npy              passage ids, ascending (the FAISS rows are in this order)
    seg-000040/articles.npy         the article version (store key) of each passage
    seg-000040/languages.npy        the language of each passage's article
    seg-000040/vectors.faiss        the passages' vectors (`qa.index.vectors`)
    seg-000040/deleted-000042.npy   ids deleted from the segment as of generation 42

A segment's files never change once written; deleting passages writes a new `deleted-*` file
(cumulative, so one file per generation says it all) that the generation's manifest names,
as Lucene's commit points name `.liv` files. Arrays are memory-mapped: a server following an
index shares the page cache with every other process reading it.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.files import fsync_tree
from qa.index import vectors
from qa.index.manifest import SegmentEntry

IDS, ARTICLES, LANGUAGES, VECTORS = "ids.npy", "articles.npy", "languages.npy", "vectors.faiss"
LANGUAGE_DTYPE = "<U8"


def deletes_file(generation: int) -> str:
    return f"deleted-{generation:06d}.npy"


def write(
    folder: Path,
    ids: np.ndarray,
    article_keys: np.ndarray,
    languages: np.ndarray,
    passage_vectors: np.ndarray,
    factory: str,
) -> None:
    """Write a segment into `folder` (which must not exist yet: segments are immutable) and
    flush it to disk, ready to be placed (`IndexFolder.place_segment`)."""
    order = np.argsort(ids, kind="stable")
    folder.mkdir(parents=True)
    np.save(folder / IDS, np.asarray(ids, dtype=np.int64)[order])
    np.save(folder / ARTICLES, np.asarray(article_keys, dtype=np.int64)[order])
    np.save(folder / LANGUAGES, np.asarray(languages, dtype=LANGUAGE_DTYPE)[order])
    vectors.save(vectors.build(np.asarray(passage_vectors)[order], factory), folder / VECTORS)
    fsync_tree(folder)


def held(ids: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of `wanted`: whether the ascending `ids` hold it, and its position there."""
    if not len(ids):
        return np.zeros(len(wanted), dtype=bool), np.zeros(len(wanted), dtype=np.int64)
    positions = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
    return ids[positions] == wanted, positions


def with_deletions(
    folder: Path, entry: SegmentEntry, removed: np.ndarray, generation: int
) -> SegmentEntry | None:
    """`entry`, the segment in `folder`, with those of the ids `removed` it holds recorded in
    a new deletes file as of `generation`: itself when it holds none of them, None when none
    of its passages is left live (it leaves the manifest)."""
    if not len(removed):
        return entry
    here = removed[held(np.load(folder / IDS, mmap_mode="r"), removed)[0]]
    if not len(here):
        return entry
    deleted = np.union1d(read_deletes(folder, entry.deletes), here)
    if len(deleted) == entry.passages:
        return None
    name = write_deletes(folder, generation, deleted)
    return SegmentEntry(entry.name, entry.passages, len(deleted), name, entry.vectors)


def read_deletes(folder: Path, deletes: str | None) -> np.ndarray:
    """The ids in the deletes file `deletes` of the segment in `folder` (none when None)."""
    if deletes is None:
        return np.empty(0, dtype=np.int64)
    return np.load(folder / deletes)


def write_deletes(folder: Path, generation: int, deleted_ids: np.ndarray) -> str:
    """Record `deleted_ids` (all of the segment's deleted passages) as of `generation`."""
    name = deletes_file(generation)
    np.save(folder / name, np.unique(np.asarray(deleted_ids, dtype=np.int64)))
    return name


@dataclass(frozen=True)
class Segment:
    """A segment's files, opened once and shared by every generation that lists it."""

    name: str
    folder: Path
    ids: np.ndarray
    article_keys: np.ndarray
    languages: np.ndarray
    index: "vectors.faiss.Index"

    @classmethod
    def open(cls, folder: Path) -> "Segment":
        return cls(
            name=folder.name,
            folder=folder,
            ids=np.load(folder / IDS, mmap_mode="r"),
            article_keys=np.load(folder / ARTICLES, mmap_mode="r"),
            languages=np.load(folder / LANGUAGES, mmap_mode="r"),
            index=vectors.load(folder / VECTORS),
        )

    def positions(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each of `ids`: whether this segment holds it, and its position here."""
        return held(self.ids, ids)


@dataclass(frozen=True)
class LiveSegment:
    """A segment at one generation: which of its passages are still live."""

    segment: Segment
    live: np.ndarray  # by position

    @classmethod
    def of(cls, segment: Segment, deleted: np.ndarray) -> "LiveSegment":
        live = np.ones(len(segment.ids), dtype=bool)
        if len(deleted):
            held, positions = segment.positions(deleted)
            live[positions[held]] = False
        return cls(segment, live)


class Segments:
    """The live segments of one generation: where a passage is, whose it is, whether live."""

    def __init__(self, parts: list[LiveSegment]):
        self.parts = parts

    def vector_index(self, dimension: int) -> vectors.VectorIndex:
        return vectors.VectorIndex(
            [
                vectors.VectorPart(p.segment.ids, p.segment.article_keys, p.live, p.segment.index)
                for p in self.parts
            ],
            dimension,
        )

    def owners(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each of `ids`: whether it is live here, its article key and its language."""
        ids = np.asarray(ids, dtype=np.int64)
        live = np.zeros(len(ids), dtype=bool)
        keys = np.full(len(ids), -1, dtype=np.int64)
        languages = np.full(len(ids), "", dtype=LANGUAGE_DTYPE)
        for part in self.parts:
            held, positions = part.segment.positions(ids)
            held &= part.live[positions]
            live |= held
            keys[held] = part.segment.article_keys[positions[held]]
            languages[held] = part.segment.languages[positions[held]]
        return live, keys, languages

    def live_ids(self) -> np.ndarray:
        """Every live passage id, ascending."""
        pieces = [p.segment.ids[p.live] for p in self.parts]
        return np.sort(np.concatenate(pieces)) if pieces else np.empty(0, dtype=np.int64)

    @property
    def live_count(self) -> int:
        return sum(int(p.live.sum()) for p in self.parts)
