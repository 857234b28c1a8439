"""What runs on the Dask workers: the embedder, loaded once per worker, and the two tasks
that use it: cutting articles into passages, embedding passage texts.

Threads: a worker runs as many batches at once as it has threads, each on the OpenMP
threads its environment gives (OMP_NUM_THREADS, read when the engine loads). Dask's nanny
sets it to 1 by default; `local:N` gives each of its N one-thread workers cores/N OpenMP
threads (measured in docs/scaling.md); a worker started without either gets 1, so that
several batches at once never oversubscribe its cores.
"""

import os

import numpy as np
from distributed import WorkerPlugin, get_worker

from qa.articles import Article
from qa.embedders import Embedder, get_embedder
from qa.errors import WorkerMismatch
from qa.index.prepare import new_passages
from qa.index.store import NewPassage
from qa.text.passages import PassageSettings

THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


class EmbedderPlugin(WorkerPlugin):
    """Loads the embedder `name` on each worker (once, and on every worker that joins later)
    and refuses a worker whose embedder is not the index's (name and dimension)."""

    idempotent = True  # registered by every build: a worker that has it keeps it

    def __init__(self, name: str, dimension: int):
        self.name = name
        self.dimension = dimension
        self.embedder: Embedder | None = None
        self.refusal = ""

    @property
    def key(self) -> str:
        """The plugin's name on the workers: builds with other embedders share a cluster."""
        return f"qa-embedder:{self.name}:{self.dimension}"

    def setup(self, worker) -> None:
        for variable in THREAD_VARIABLES:
            os.environ.setdefault(variable, "1")
        embedder = get_embedder(self.name)
        if (embedder.name, embedder.dimension) != (self.name, self.dimension):
            self.refusal = (
                f"The Dask worker {worker.address} embeds with {embedder.name} "
                f"({embedder.dimension} dimensions), not {self.name} ({self.dimension}) as the "
                "index was built: install the same qa and embedder on every worker"
            )
            raise WorkerMismatch(self.refusal)
        self.embedder = embedder


def cut(plugin: str, articles: list[Article], settings: PassageSettings) -> list[list[NewPassage]]:
    """On a worker: each article's passages, cut by the tokenizer of the plugin's embedder."""
    count_tokens = _embedder(plugin).count_tokens
    return [new_passages(article, settings, count_tokens) for article in articles]


def embed(plugin: str, texts: list[str]) -> np.ndarray:
    """On a worker: the vectors of `texts`, by the embedder its plugin `plugin` loaded."""
    return _embedder(plugin).encode_passages(texts)


def _embedder(plugin: str) -> Embedder:
    loaded: EmbedderPlugin = get_worker().plugins[plugin]
    if loaded.embedder is None:
        raise WorkerMismatch(loaded.refusal or f"The embedder {plugin} did not load here")
    return loaded.embedder
