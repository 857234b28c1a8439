"""Train the sentence reader on the bundled cross-encoder's states; ship it as a small .npz.

    python training/sentence_reader.py               # states, leak check, fit, the file
    python training/sentence_reader.py --check-only  # only the leak check of the passages

Examples: every TyDi-QA-id and FacQA train question (never an evaluation question or gold
passage: `training.pairs.Forbidden`), read with the first row of its gold passage in the
benchmark index that holds an answer text, as the product reads a hit (`Reranker.read`:
question and row through the shipped cross-encoder). Each sentence of the row is one example,
labelled by whether it holds an answer text; its features are its mean token states after
layers `qa.search.reader.LAYERS`. Model: scikit-learn's logistic regression on standardised
features, the standardisation folded into the shipped weights (C 0.1: 0.01 and 1.0, and
the last layer alone, did no better on valid; docs/benchmarks.md). Deterministic: no sampling.
How much the answer weighs the reader is chosen on valid (`benchmarks/retrieval.py --tune
--reranker`). The reader names the cross-encoder file it was trained on; retrain it whenever
that changes (`make train-sentence-reader`, ~6 min on 2 cores).
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "benchmarks")]

from common import benchmark_index, cached_embedder  # noqa: E402
from evaldata import Benchmark, Question  # noqa: E402

from qa.index.store import StoredPassage  # noqa: E402
from qa.search import rerank, rerank_model  # noqa: E402
from qa.search.reader import SentenceReader  # noqa: E402
from training.pairs import Forbidden, check_no_leak, pools  # noqa: E402

POOLS = ("tydiqa-id", "facqa-id")
C = 0.1  # inverse L2 strength of the logistic regression


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def holds_answer(question: Question, text: str) -> bool:
    """As the benchmarks judge an answer: the text holds a gold answer, case aside."""
    text = text.lower()
    return any(answer.lower() in text for answer in question.answers if answer)


def examples(bench: Benchmark, forbidden: Forbidden) -> list[tuple[Question, StoredPassage]]:
    """Each allowed train question with the first row of its gold passage holding an answer."""
    index = benchmark_index(bench, cached_embedder())
    ids = np.sort(index.segments.live_ids())
    rows: dict[str, list[StoredPassage]] = {}
    for passage in index.store.passages(ids.tolist()).values():
        rows.setdefault(passage.article_id, []).append(passage)
    found = []
    for question in bench.questions["train"]:
        if forbidden.leaks(question.text, [bench.passages[question.passage_id]]):
            continue
        holding = sorted(
            (row for row in rows.get(question.passage_id, []) if holds_answer(question, row.text)),
            key=lambda row: row.ordinal,
        )
        if holding:
            found.append((question, holding[0]))
    check_no_leak(((q.text, [bench.passages[q.passage_id]]) for q, _ in found), forbidden)
    return found


def features(chosen: list[tuple[Question, StoredPassage]]) -> tuple[np.ndarray, np.ndarray]:
    """Every sentence's states and whether it holds an answer (sentences the model did not
    reach are left out)."""
    model, scoring = rerank.cross_encoder(rerank_model.NAME)  # without a reader: none yet
    reranker = rerank.Reranker(model, rerank_model.NAME, scoring)
    states, labels = [], []
    for question, row in chosen:
        _, (read,) = reranker.read(question.text, [row])
        for (start, end), sentence in zip(row.sentences, read, strict=True):
            if not np.isnan(sentence).any():
                states.append(sentence)
                labels.append(holds_answer(question, row.text[start:end]))
    return np.array(states), np.array(labels)


def fit(states: np.ndarray, labels: np.ndarray) -> SentenceReader:
    """Logistic regression on standardised states, the standardisation folded in."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(states)
    model = LogisticRegression(C=C, max_iter=3000).fit(scaler.transform(states), labels)
    weights = model.coef_[0] / scaler.scale_
    bias = float(model.intercept_[0] - np.sum(model.coef_[0] * scaler.mean_ / scaler.scale_))
    return SentenceReader(weights.astype(np.float32), bias)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check-only", action="store_true")
    args = parser.parse_args()
    began = time.perf_counter()
    forbidden = Forbidden.collect()
    pooled = pools()
    chosen = [example for name in POOLS for example in examples(pooled[name], forbidden)]
    log(f"{len(chosen)} questions with their passages, no evaluation data among them")
    if args.check_only:
        return
    states, labels = features(chosen)
    log(f"{len(labels)} sentences, {labels.mean():.3f} holding an answer")
    reader = fit(states, labels)
    train_accuracy = np.mean((reader.score(states) > 0) == labels)
    reader.save()
    log(f"saved (train accuracy {train_accuracy:.3f}) in {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
