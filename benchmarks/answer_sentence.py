"""Ways to pick the answer sentence that were tried and not kept, on the valid splits.

    python benchmarks/answer_sentence.py    # ~15 min on 2 cores

With the bundled cross-encoder on (`--reranker bundled`), as `benchmarks/retrieval.py
--tune --reranker` collects its runs, each way adds a term to every sentence's similarity
before `qa.search.answer.decide` picks the answer as the product does, and prints the answer
accuracy (the share of questions whose answer holds a gold text), the mean answer length, and
how often one sentence picked in the first hit holds the answer where that hit is right:

  pair margin     join a neighbour scoring within 0.1 or 1.0 instead of 0.03
  first sentence  a bonus for a passage's first sentence (where most answers are)
  sentence pass   the cross-encoder's logit of (question, sentence), each sentence alone
  leave one out   the drop of its logit for the first hit's passage without the sentence
                  (the first hit only: six more passes a question)

docs/benchmarks.md ("The answer sentence: what was tried") has the figures.
"""

from dataclasses import replace

import numpy as np
from common import cached_embedder
from retrieval import BENCHMARKS, Run, answered, collect, load

from qa.index.sentence_vectors import sentence_texts
from qa.search import rerank, rerank_model
from qa.search.answer import DEFAULT_MODEL, AnswerModel, decide
from qa.search.retrieval import DEFAULT_WEIGHTS, Hit

Term = list[np.ndarray]  # per answer hit (the first ones), one number per sentence


def measure(runs: list[Run], terms: list[Term], weight: float, model: AnswerModel) -> str:
    """Answer accuracy and mean length with `weight` times each run's term added; and, where
    the first hit is the gold passage, how often the one sentence picked in it is right."""
    right, lengths, alone = [], [], []
    one_sentence = replace(model, answer_passages=1, pair_margin=0.0)
    for run, term in zip(runs, terms, strict=True):
        hits = [
            hit if n >= len(term) else replace(hit, sentences=hit.sentences + weight * term[n])
            for n, hit in enumerate(run.answer_hits)
        ]
        answering = decide(run.query, hits[: model.answer_passages], model)
        right.append(answered(answering, run.question))
        lengths.append(len(answering.best.text) if answering.best else 0)
        if hits and hits[0].passage.article_id == run.question.passage_id:
            alone.append(answered(decide(run.query, hits[:1], one_sentence), run.question))
    return (
        f"{np.mean(right):.3f} ({np.mean(lengths):.0f} chars; one sentence in the right "
        f"first passage {np.mean(alone):.3f} of {len(alone)})"
    )


def sentences(hit: Hit) -> list[str]:
    return sentence_texts(hit.passage.text, hit.passage.sentences)


def left_out_drops(question: str, hit: Hit) -> np.ndarray:
    """How much the passage's logit drops without each of its sentences."""
    texts = sentences(hit)
    left_out = [" ".join(texts[:n] + texts[n + 1 :]) for n in range(len(texts))]
    read = rerank.current().logits(question, [" ".join(texts), *left_out])
    return read[0] - read[1:]


def main() -> None:
    embedder = cached_embedder()
    rerank.use(rerank_model.NAME)
    first_hit = replace(DEFAULT_MODEL, answer_passages=1)
    for name in BENCHMARKS:
        bench, index = load(name, embedder)
        runs = collect(index, bench.questions["valid"], DEFAULT_WEIGHTS, embedder)
        none: list[Term] = [[] for _ in runs]
        print(f"{name} valid, {len(runs)} questions: {measure(runs, none, 0, DEFAULT_MODEL)}")
        for margin in (0.1, 1.0):
            figure = measure(runs, none, 0, replace(DEFAULT_MODEL, pair_margin=margin))
            print(f"  pair margin {margin}: {figure}")
        first = [  # 1 for each passage's first sentence, 0 for the others
            [np.eye(1, len(hit.passage.sentences)).ravel() for hit in run.answer_hits]
            for run in runs
        ]
        for weight in (0.02, 0.05, 0.1):
            print(f"  first sentence +{weight}: {measure(runs, first, weight, DEFAULT_MODEL)}")
        reranker = rerank.current()
        alone = [
            [reranker.logits(run.question.text, sentences(hit)) for hit in run.answer_hits]
            for run in runs
        ]
        for weight in (0.005, 0.01, 0.02, 0.05):
            print(f"  sentence pass x{weight}: {measure(runs, alone, weight, DEFAULT_MODEL)}")
        drops = [[left_out_drops(run.question.text, run.answer_hits[0])] for run in runs]
        print(f"  first hit only: {measure(runs, drops, 0, first_hit)}")
        for weight in (0.02, 0.05, 0.1):
            print(f"  leave one out x{weight}: {measure(runs, drops, weight, first_hit)}")


if __name__ == "__main__":
    main()
