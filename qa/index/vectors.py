"""The FAISS half of an index: one FAISS index per segment, searched as one.

Every segment has its own inner-product index over its passages' vectors, rows in the order
of the segment's passage ids. `VectorIndex` searches the live segments of a generation
together, hiding deleted passages (and, per query, passages outside the filters) with a bitmap
selector (`SearchParameters(sel=...)`), so deleting never rewrites a FAISS file.

The index type follows the segment's size (`factory_for`): exact search (Flat) below
`EXACT_BELOW` passages, where a full scan still costs a few milliseconds; above, an inverted
file (IVF, nlist about 4·sqrt(n), per the FAISS guidelines) searched with `nprobe` lists.
Any factory string can be forced; one that must be trained (IVF) is used only for segments
large enough to train it, smaller ones stay exact. Measured in docs/benchmarks.md.
"""

import math
import re
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from qa import settings

AUTO = "auto"
EXACT_BELOW = 50_000  # passages; see benchmarks/faiss_types.py
TRAINING_PER_LIST = 39  # FAISS warns below 39 training vectors per IVF list
TRAINING_SAMPLE = 64  # vectors per IVF list used for training (FAISS suggests 30 to 256)
# With a filter (or many deletions) leaving at most this many passages in a segment, scoring
# them all exactly is cheap, and avoids approximate indexes returning too few of them.
EXACT_SCAN_LIMIT = 20_000
_IVF = re.compile(r"IVF(\d+)")


def factory_for(count: int, setting: str) -> str:
    """The FAISS factory string for a segment of `count` passages under `setting`."""
    if setting == AUTO:
        if count < EXACT_BELOW:
            return "Flat"
        lists = 2 ** round(math.log2(4 * math.sqrt(count)))
        return f"IVF{lists},Flat"
    match = _IVF.search(setting)
    if match and count < TRAINING_PER_LIST * int(match.group(1)):
        return "Flat"
    return setting


def nprobe_for(lists: int, setting: str) -> int:
    """IVF lists to search: the setting, or with "auto" a sixteenth of the lists and at least
    128 (measured: the exact top passage is found for 96% of questions at 100k passages, 99.5%
    at 1M, for 2 and 17 ms), never more than there are."""
    wanted = max(128, lists // 16) if setting == AUTO else int(setting)
    return max(1, min(wanted, lists))


def build(vectors: np.ndarray, factory: str) -> faiss.Index:
    """A FAISS index over `vectors` (rows = positions), trained first when it needs it."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    index = faiss.index_factory(vectors.shape[1], factory, faiss.METRIC_INNER_PRODUCT)
    if not index.is_trained:
        index.train(_training_sample(index, vectors))
    index.add(vectors)
    _prepare(index)
    return index


def _training_sample(index: faiss.Index, vectors: np.ndarray) -> np.ndarray:
    """At most TRAINING_SAMPLE vectors per IVF list, picked the same way every time: more
    slow training down (a million vectors: minutes) without better lists."""
    ivf = faiss.try_extract_index_ivf(index)
    wanted = TRAINING_SAMPLE * ivf.nlist if ivf is not None else len(vectors)
    if len(vectors) <= wanted:
        return vectors
    picks = np.random.default_rng(0).choice(len(vectors), wanted, replace=False)
    return vectors[np.sort(picks)]


def save(index: faiss.Index, path: Path) -> None:
    """Write the index to `path`; a failed write (disk full) is an OSError, as elsewhere."""
    try:
        faiss.write_index(index, str(path))
    except RuntimeError as error:  # "Error in ... failed: write error in <path>: ... (reason)"
        raise OSError(str(error).rpartition("failed: ")[2]) from error


def load(path: Path) -> faiss.Index:
    """Read an index, memory-mapped where FAISS can (the page cache then holds it once for
    every process serving the same index)."""
    index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP)
    _prepare(index)
    return index


def _prepare(index: faiss.Index) -> None:
    """Give an IVF index the direct map that `reconstruct` needs."""
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        ivf.make_direct_map()


@dataclass(frozen=True)
class VectorPart:
    """One segment as the vector index sees it at one generation."""

    ids: np.ndarray  # passage ids by position, ascending
    article_keys: np.ndarray  # the article version of each position
    live: np.ndarray  # False where the passage was deleted
    index: faiss.Index

    @property
    def live_count(self) -> int:
        return int(self.live.sum())


Hits = tuple[np.ndarray, np.ndarray]  # (passage ids, scores), best first


class VectorIndex:
    """The vectors of one generation: `search` and `vectors`, whatever the FAISS types."""

    def __init__(self, parts: list[VectorPart], dimension: int):
        self.parts = parts
        self.dimension = dimension
        self.nprobe = settings.get("nprobe")
        self.ef_search = int(settings.get("ef_search"))
        # Per part: the bitmap of live positions, or None when nothing was deleted.
        self._live_bits = [
            None if part.live.all() else np.packbits(part.live, bitorder="little") for part in parts
        ]

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> Hits:
        """The `k` passages most similar to `query`, among the articles `allowed` (keys)."""
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        found_ids, found_scores = [], []
        for part, live_bits in zip(self.parts, self._live_bits, strict=True):
            if allowed is None:
                mask, bits = part.live, live_bits
            else:
                mask = part.live & np.isin(part.article_keys, allowed)
                bits = np.packbits(mask, bitorder="little")
            positions, scores = self._search_part(part, query, k, mask, bits)
            found_ids.append(part.ids[positions])
            found_scores.append(scores)
        return top(np.concatenate(found_ids or [[]]), np.concatenate(found_scores or [[]]), k)

    def _search_part(
        self, part: VectorPart, query: np.ndarray, k: int, mask: np.ndarray, bits: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        count = len(part.ids) if bits is None else int(mask.sum())
        if count == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        if bits is not None and count <= EXACT_SCAN_LIMIT and not _is_flat(part.index):
            positions = np.flatnonzero(mask)
            scores = part.index.reconstruct_batch(positions) @ query[0]
            best = np.argsort(-scores)[:k]
            return positions[best], scores[best]
        params = self._parameters(part.index)
        if bits is not None:
            params.sel = faiss.IDSelectorBitmap(len(part.ids), faiss.swig_ptr(bits))
        scores, positions = part.index.search(query, min(k, len(part.ids)), params=params)
        keep = positions[0] >= 0
        return positions[0][keep], scores[0][keep]

    def _parameters(self, index: faiss.Index) -> faiss.SearchParameters:
        """Search parameters of the index's type: nprobe for IVF, efSearch for HNSW."""
        ivf = faiss.try_extract_index_ivf(index)
        if ivf is not None:
            return faiss.SearchParametersIVF(nprobe=nprobe_for(ivf.nlist, self.nprobe))
        if isinstance(faiss.downcast_index(index), faiss.IndexHNSW):
            return faiss.SearchParametersHNSW(efSearch=self.ef_search)
        return faiss.SearchParameters()

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of passages `ids` (zeros for an id in no live segment)."""
        ids = np.asarray(ids, dtype=np.int64)
        out = np.zeros((len(ids), self.dimension), dtype=np.float32)
        for part in self.parts:
            if not len(part.ids):
                continue
            positions = np.minimum(np.searchsorted(part.ids, ids), len(part.ids) - 1)
            here = part.ids[positions] == ids
            if here.any():
                out[here] = part.index.reconstruct_batch(positions[here])
        return out


def top(ids: np.ndarray, scores: np.ndarray, k: int) -> Hits:
    """The `k` best of (ids, scores), best first."""
    order = np.argsort(-scores, kind="stable")[:k]
    return ids[order].astype(np.int64), scores[order].astype(np.float32)


def _is_flat(index: faiss.Index) -> bool:
    return isinstance(faiss.downcast_index(index), faiss.IndexFlat)
