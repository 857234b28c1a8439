"""Where passage texts are embedded: in this process (the default) or on a Dask cluster.

    qa index build --cluster tcp://scheduler:8786   # the workers of a running Dask scheduler
    qa index build --cluster local:2                # a LocalCluster of 2 worker processes here

The indexer hands an `Embedding` the texts it must embed, by key, and commits each batch of
vectors as it comes back (`qa.indexer`), so progress shows and a killed build resumes; it
never knows where the vectors were computed. `InProcess` runs the embedder here, batch after
batch. `ClusterEmbedding` sends batches of texts to the workers, a bounded number at a time,
and yields each as it finishes, in whatever order; only texts travel out and vectors back
(chunking stays in the indexer: docs/scaling.md). Each worker loads the embedder once and
checks it against the index (`qa.cluster.workers`). A worker lost mid-batch has its batches
run again elsewhere by the scheduler; nothing is committed twice, because nothing is
committed until its batch is back.

Dask (`pip install 'qa[cluster]'`) is imported only when a cluster is asked for.
"""

import contextlib
import itertools
import logging
import math
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping

import numpy as np

from qa.embedders import Embedder
from qa.errors import ClusterFailed, ClusterUnavailable, WorkerMismatch

Batches = Iterator[tuple[list[bytes], np.ndarray]]  # (keys, their vectors), batch by batch

CONNECT_SECONDS = 10  # how long a scheduler that does not answer is waited for
WAVES = 4  # batches per worker thread at least, so that the last ones finish together
IN_FLIGHT = 2  # batches submitted per worker thread: one running, one waiting on the worker


class Embedding(ABC):
    """Embeds passage texts in batches, yielding each batch as it is done."""

    @abstractmethod
    def vectors(self, texts: Mapping[bytes, str], batch: int) -> Batches:
        """The vectors of `texts` (key → text), in batches of at most `batch` texts."""


class InProcess(Embedding):
    """The embedder in this process, one batch after the other, in order."""

    def __init__(self, embedder: Embedder):
        self.embedder = embedder

    def vectors(self, texts: Mapping[bytes, str], batch: int) -> Batches:
        keys = list(texts)
        for start in range(0, len(keys), batch):
            part = keys[start : start + batch]
            yield part, self.embedder.encode_passages([texts[key] for key in part])


class Cluster:
    """A Dask client: connected to a running scheduler, or to a LocalCluster started here.

    `address` is a scheduler address (`tcp://host:8786`), or `local` (one single-threaded
    worker process per core) or `local:N` (N worker processes sharing the cores).
    """

    def __init__(self, address: str):
        try:
            from distributed import Client
        except ImportError:
            raise ClusterUnavailable(
                f"--cluster {address} needs Dask: pip install 'qa[cluster]'"
            ) from None
        self.address = address
        self._local = None
        try:
            if address == "local" or address.startswith("local:"):
                self._local = _local_cluster(address)
                self.client = Client(self._local)
            else:
                self.client = Client(address, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError, ValueError) as error:
            self.close()
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise ClusterUnavailable(
                f"Cannot reach the Dask scheduler at {address} ({reason}): start it "
                "(`dask scheduler`, then `dask worker ADDRESS`) or fix --cluster / "
                "QA_DASK_SCHEDULER"
            ) from None
        self._embeddings: dict[tuple[str, int], ClusterEmbedding] = {}

    def embedding(self, name: str, dimension: int) -> "ClusterEmbedding":
        """Batches embedded on the workers by `name`, which each worker loads once and must
        find to have `dimension` (the index's settings); WorkerMismatch if one does not."""
        key = (name, dimension)
        if key not in self._embeddings:
            self._embeddings[key] = ClusterEmbedding(self, name, dimension)
        return self._embeddings[key]

    def threads(self) -> int:
        """Worker threads in the cluster now (each runs one batch at a time)."""
        return sum(self.client.nthreads().values())

    def close(self) -> None:
        if getattr(self, "client", None) is not None:
            self.client.close()
        if self._local is not None:
            self._local.close()

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


@contextlib.contextmanager
def connect(address: str | None) -> Iterator[Cluster | None]:
    """The cluster at `address` for the duration of the block; None without an address."""
    if not address:
        yield None
        return
    with Cluster(address) as cluster:
        yield cluster


def _local_cluster(address: str):
    """A LocalCluster of the worker processes `local[:N]` asks for, sharing this machine's
    cores: N processes of cores/N threads each (at least one)."""
    from distributed import LocalCluster
    from dask.system import CPU_COUNT

    count = address.removeprefix("local").removeprefix(":")
    if count and not (count.isdigit() and int(count) > 0):
        raise ValueError(f"{address!r} is not local or local:N with N a positive number")
    workers = int(count) if count else CPU_COUNT
    return LocalCluster(
        n_workers=workers,
        threads_per_worker=max(1, CPU_COUNT // workers),
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    )


class ClusterEmbedding(Embedding):
    """Batches of texts embedded on the workers of `cluster`, yielded as each finishes."""

    def __init__(self, cluster: Cluster, name: str, dimension: int):
        from qa.cluster.workers import EmbedderPlugin

        self.cluster = cluster
        self.plugin = EmbedderPlugin(name, dimension)
        try:
            cluster.client.register_plugin(self.plugin, name=self.plugin.key)
        except WorkerMismatch:
            raise
        except Exception as error:  # whatever a worker raised while loading the embedder
            raise ClusterFailed(
                f"The workers of {cluster.address} could not load the embedder {name}: {error}"
            ) from error

    def vectors(self, texts: Mapping[bytes, str], batch: int) -> Batches:
        from distributed import as_completed

        from qa.cluster.workers import embed

        keys = list(texts)
        if not keys:
            return
        threads = max(1, self.cluster.threads())
        size = max(1, min(batch, math.ceil(len(keys) / (WAVES * threads))))
        parts = (keys[start : start + size] for start in range(0, len(keys), size))
        client = self.cluster.client
        running: dict = {}
        finished = as_completed()

        def submit(part: list[bytes]) -> None:
            future = client.submit(embed, self.plugin.key, [texts[k] for k in part], pure=False)
            running[future] = part
            finished.add(future)

        try:
            for part in itertools.islice(parts, IN_FLIGHT * threads):
                submit(part)
            for future in finished:
                vectors = self._result(future)
                for part in itertools.islice(parts, 1):
                    submit(part)
                yield running.pop(future), vectors
        finally:
            client.cancel(list(running))

    def _result(self, future) -> np.ndarray:
        try:
            return future.result()
        except WorkerMismatch:
            raise
        except Exception as error:  # workers lost too often, scheduler gone, a failed batch
            raise ClusterFailed(
                f"Embedding on the Dask cluster at {self.cluster.address} failed "
                f"({type(error).__name__}: {error}); the batches already committed are kept: "
                "run the same command again to go on"
            ) from error
