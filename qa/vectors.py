"""The FAISS half of a generation: an id-mapped inner-product index over chunk vectors.

The default factory string "Flat" is exact search, right for the corpus sizes this tool
serves (up to a few hundred thousand passages: ~10 ms a query at 100k on 2 cores). Following
the FAISS guidelines, switch with `--faiss` when a corpus grows past that: "IVF4096,Flat"
(train on >= 30x the list count of vectors; set nprobe) from about 1M vectors, or "HNSW32"
for low latency when memory allows. Ids are the chunk ids of the store.
"""

from pathlib import Path

import faiss
import numpy as np

DEFAULT_FACTORY = "Flat"
FILE_NAME = "vectors.faiss"


def build(dimension: int, factory: str, ids: np.ndarray, vectors: np.ndarray) -> faiss.Index:
    """A new index holding `vectors` under `ids` (trained first when the factory needs it)."""
    index = faiss.IndexIDMap2(faiss.index_factory(dimension, factory, faiss.METRIC_INNER_PRODUCT))
    if not index.is_trained and len(vectors):
        index.train(vectors)
    if len(ids):
        index.add_with_ids(vectors, ids.astype(np.int64))
    return index


def remove(index: faiss.Index, ids: list[int]) -> bool:
    """Remove `ids` in place; False when this index type cannot remove (rebuild instead)."""
    if not ids:
        return True
    try:
        index.remove_ids(np.asarray(ids, dtype=np.int64))
    except RuntimeError:
        return False
    return True


def add(index: faiss.Index, ids: list[int], vectors: np.ndarray) -> None:
    if ids:
        index.add_with_ids(np.asarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))


def save(index: faiss.Index, folder: Path) -> None:
    """Write the index into `folder`; a failed write (disk full) is an OSError, as elsewhere."""
    try:
        faiss.write_index(index, str(folder / FILE_NAME))
    except RuntimeError as error:  # "Error in ... failed: write error in <path>: ... (reason)"
        raise OSError(str(error).rpartition("failed: ")[2]) from error


def load(folder: Path) -> faiss.Index:
    return faiss.read_index(str(folder / FILE_NAME))


def search(
    index: faiss.Index, query: np.ndarray, k: int, allowed: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k (ids, scores) for one query vector, only among `allowed` ids when given."""
    k = min(k, index.ntotal)
    if k <= 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    params = None
    if allowed is not None:
        if not len(allowed):
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed.astype(np.int64)))
    scores, ids = index.search(query.reshape(1, -1).astype(np.float32), k, params=params)
    keep = ids[0] >= 0
    return ids[0][keep], scores[0][keep]
