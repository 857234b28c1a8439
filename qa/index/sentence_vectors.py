"""Vectors of single sentences: embedded after their passages are published, used to rank.

Answering compares the question with each sentence of the top passages. Embedding those
sentences at query time made `ask` ten times slower than `search`; storing them makes it cost
one query embedding. They are embedded in a pass of their own after an update has published
its passages (`embed_pending`), so that passages are searchable as fast as they are embedded
(measured in docs/benchmarks.md: embedding sentences in line would cut that rate to 57%); until a
passage's sentences have vectors, `sentence_matrix` embeds them at query time.
Sentences shared by overlapping passages, or by copies of an article, are embedded once.
With a Dask cluster, each batch's sentences are embedded on its workers (`qa.cluster`).
"""

from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

import numpy as np

from qa.cluster import Cluster, embedding_for
from qa.embedders import Embedder
from qa.index.folder import STORE_FILE, IndexFolder
from qa.index.progress import Progress, silent
from qa.index.store import Store, text_hash

PASSAGES_PER_BATCH = 64  # passages whose sentences are embedded, then committed, at a time


def sentence_texts(text: str, spans: Sequence[Sequence[int]]) -> list[str]:
    return [text[start:end] for start, end in spans]


def embed_pending(
    index_dir: Path,
    embedder: Embedder | None = None,
    progress: Progress = silent,
    cluster: Cluster | None = None,
) -> int:
    """Embed the sentences of every published passage that has no sentence vectors yet, in
    committed batches (a killed pass goes on where it stopped); return the number embedded.

    Needs no writer lock: it only adds vectors, which no generation depends on.
    """
    folder = IndexFolder(index_dir)
    manifest = folder.current()
    embedding = embedding_for(manifest.settings, cluster, embedder)
    nothing = np.empty((0, manifest.settings["dimension"]), dtype=np.float32)
    embedded = 0
    with closing(Store(folder.build_folder(manifest.build) / STORE_FILE)) as store:
        total = store.count_pending_sentences()
        done = 0
        while True:
            ids, passages = store.pending_sentences(PASSAGES_PER_BATCH)
            if not ids:
                return embedded
            texts = {
                text_hash(sentence): sentence
                for text, spans in passages
                for sentence in sentence_texts(text, spans)
            }
            known = store.known_sentence_hashes(texts)
            missing = {key: texts[key] for key in texts if key not in known}
            batches = list(embedding.vectors(missing, max(1, len(missing))))  # one, here
            store.put_sentence_vectors(
                [key for keys, _ in batches for key in keys],
                np.concatenate([vectors for _, vectors in batches] or [nothing]),
                ids,
            )
            embedded += len(missing)
            done += len(ids)
            progress("sentences", done, total)


def sentence_matrix(store: Store, embedder: Embedder, sentences: Sequence[str]) -> np.ndarray:
    """Vectors of `sentences`, from the store where it has them, else embedded now."""
    keys = [text_hash(sentence) for sentence in sentences]
    stored = store.sentence_vectors(keys)
    missing = [i for i, key in enumerate(keys) if key not in stored]
    out = np.empty((len(sentences), embedder.dimension), dtype=np.float32)
    if missing:
        out[missing] = embedder.encode_passages([sentences[i] for i in missing])
    for i, key in enumerate(keys):
        if key in stored:
            out[i] = stored[key]
    return out
