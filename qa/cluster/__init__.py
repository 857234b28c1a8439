"""Where the embedder's work runs: in this process (the default) or on a Dask cluster.

    qa index build --cluster tcp://scheduler:8786   # the workers of a running Dask scheduler
    qa index build --cluster local:2                # a LocalCluster of 2 worker processes here

An `Embedding` does for the indexer what needs the embedder's model: cutting articles into
passages (which counts tokens with its tokenizer) and embedding passage texts. The indexer
commits each batch of vectors as it comes back (`qa.index.writer`), so progress shows and a
killed build resumes; it never knows where the work ran. `InProcess` runs the embedder here,
batch after batch. `ClusterEmbedding` sends batches to the workers, a bounded number at a
time: articles out and their passages back (cutting is 95% of a build's work besides
embedding, so it would cap a cluster if it stayed here: docs/scaling.md), then passage texts
out and vectors back, each batch yielded as it finishes, in whatever order. Each worker
loads the embedder once and checks it against the index (`qa.cluster.workers`). A worker
lost mid-batch has its batches run again elsewhere by the scheduler; nothing is committed
twice, because nothing is committed until its batch is back.

Dask (`pip install 'qa[cluster]'`) is imported only when a cluster is asked for.
"""

import contextlib
import itertools
import logging
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from qa.articles import Article
from qa.embedders import Embedder, get_embedder
from qa.errors import ClusterFailed, ClusterUnavailable, WorkerMismatch
from qa.index.prepare import new_passages
from qa.index.store import NewPassage
from qa.text.passages import PassageSettings

Batches = Iterator[tuple[list[bytes], np.ndarray]]  # (keys, their vectors), batch by batch

CONNECT_SECONDS = 10  # how long a scheduler that does not answer is waited for
WAVES = 4  # batches per worker thread at least, so that the last ones finish together
PREPARE_BATCH = 64  # articles cut into passages per task at most
IN_FLIGHT = 2  # batches submitted per worker thread: one running, one waiting on the worker


class Embedding(ABC):
    """Cuts articles into passages and embeds passage texts in batches, each as it is done."""

    @abstractmethod
    def passages(
        self, articles: Sequence[Article], settings: PassageSettings
    ) -> list[list[NewPassage]]:
        """Each article's passages, ready to store, in the order of `articles`."""

    @abstractmethod
    def vectors(self, texts: Mapping[bytes, str], batch: int) -> Batches:
        """The vectors of `texts` (key → text), in batches of at most `batch` texts."""


class InProcess(Embedding):
    """The embedder in this process, one batch after the other, in order."""

    def __init__(self, embedder: Embedder):
        self.embedder = embedder

    def passages(
        self, articles: Sequence[Article], settings: PassageSettings
    ) -> list[list[NewPassage]]:
        return [new_passages(article, settings, self.embedder.count_tokens) for article in articles]

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
        workers = _local_workers(address)
        try:
            if workers is not None:
                self._local = _local_cluster(workers)
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


def embedding_for(
    settings: dict, cluster: "Cluster | None", embedder: Embedder | None = None
) -> Embedding:
    """Where the embedder's work for an index built with `settings` runs: on the cluster's
    workers, which must hold the index's embedder, or here (`embedder`, or the index's)."""
    if cluster is not None:
        return cluster.embedding(settings["embedder"], settings["dimension"])
    return InProcess(embedder or get_embedder(settings["embedder"]))


@contextlib.contextmanager
def connect(address: str | None) -> Iterator[Cluster | None]:
    """The cluster at `address` for the duration of the block; None without an address."""
    if not address:
        yield None
        return
    with Cluster(address) as cluster:
        yield cluster


def _local_workers(address: str) -> int | None:
    """The worker processes `local` (one per core) or `local:N` asks for; None for the
    address of a scheduler."""
    if address != "local" and not address.startswith("local:"):
        return None
    from dask.system import CPU_COUNT

    count = address.removeprefix("local").removeprefix(":")
    if count and not (count.isdigit() and int(count) > 0):
        raise ClusterUnavailable(
            f"--cluster {address} is neither local, local:N (N worker processes) nor a "
            "scheduler address such as tcp://host:8786"
        )
    return int(count) if count else CPU_COUNT


def _local_cluster(workers: int):
    """A LocalCluster of `workers` processes sharing this machine's cores: one batch at a
    time each, on cores/workers OpenMP threads (measured in docs/scaling.md: on a quiet
    machine two batches at once in one process run little faster than one, while one batch on
    two OpenMP threads runs nearly twice as fast)."""
    from dask.system import CPU_COUNT
    from distributed import LocalCluster

    from qa.cluster.workers import THREAD_VARIABLES

    threads = str(max(1, CPU_COUNT // workers))
    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
        env={variable: threads for variable in THREAD_VARIABLES},
    )


class ClusterEmbedding(Embedding):
    """Articles cut and passage texts embedded on the workers of `cluster`, in batches."""

    def __init__(self, cluster: Cluster, name: str, dimension: int):
        from qa.cluster.workers import EmbedderPlugin

        self.cluster = cluster
        self.plugin = EmbedderPlugin(name, dimension)
        try:
            cluster.client.register_plugin(self.plugin, name=self.plugin.key)
        except Exception as error:  # whatever a worker raised while loading the embedder
            cluster.client.unregister_worker_plugin(self.plugin.key)  # not for later workers
            if isinstance(error, WorkerMismatch):
                raise
            raise ClusterFailed(
                f"The workers of {cluster.address} could not load the embedder {name}: {error}"
            ) from error

    def passages(
        self, articles: Sequence[Article], settings: PassageSettings
    ) -> list[list[NewPassage]]:
        from qa.cluster.workers import cut

        parts = self._parts(list(articles), PREPARE_BATCH)
        cut_parts: list[list[list[NewPassage]]] = [[] for _ in parts]
        for number, result in self._fan_out(cut, parts, settings):
            cut_parts[number] = result
        return [passages for part in cut_parts for passages in part]

    def vectors(self, texts: Mapping[bytes, str], batch: int) -> Batches:
        from qa.cluster.workers import embed

        parts = self._parts(list(texts), batch)
        batches = [[texts[key] for key in part] for part in parts]
        for number, vectors in self._fan_out(embed, batches):
            yield parts[number], vectors

    def _parts(self, items: list, batch: int) -> list[list]:
        """`items` cut into parts of at most `batch`, and enough of them to keep every worker
        thread busy to the end (WAVES per thread)."""
        if not items:
            return []
        size = max(1, min(batch, math.ceil(len(items) / (WAVES * self._threads()))))
        return [items[start : start + size] for start in range(0, len(items), size)]

    def _fan_out(self, task: Callable, parts: list[list], *args: Any) -> Iterator[tuple[int, Any]]:
        """Run `task(plugin, part, *args)` on the workers for each part, IN_FLIGHT per worker
        thread submitted at a time; yield (part number, result) as each finishes."""
        from distributed import as_completed

        if not parts:
            return
        client = self.cluster.client
        waiting = iter(enumerate(parts))
        running: dict = {}
        finished = as_completed()

        def submit(number: int, part: list) -> None:
            future = client.submit(task, self.plugin.key, part, *args, pure=False)
            running[future] = number
            finished.add(future)

        try:  # with no worker yet, the first part waits on the scheduler for one to join
            for number, part in itertools.islice(waiting, IN_FLIGHT * self._threads()):
                submit(number, part)
            for future in finished:
                result = self._result(future)
                for number, part in itertools.islice(waiting, 1):
                    submit(number, part)
                yield running.pop(future), result
        finally:
            client.cancel(list(running))

    def _threads(self) -> int:
        return max(1, self.cluster.threads())

    def _result(self, future) -> Any:
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
