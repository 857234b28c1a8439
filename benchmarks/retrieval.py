"""Retrieval and answer quality on public benchmarks, per mode; tuning of the hybrid.

    python benchmarks/retrieval.py            # report on the test splits
    python benchmarks/retrieval.py --tune     # grid-search fusion and answer weights on valid
    python benchmarks/retrieval.py --tune --reranker  # ... the answer weights, cross-encoder on
    python benchmarks/retrieval.py --fit      # fit the answer confidence on IDK-MRC valid
    python benchmarks/retrieval.py --fit --reranker  # ... the one with the cross-encoder's logit
    python benchmarks/retrieval.py --adapter  # test splits without and with the query adapter
    python benchmarks/retrieval.py --reranker # ... without and with the bundled cross-encoder

Each benchmark's passages are indexed as articles (benchmarks/cache/, embeddings cached, so
re-runs are fast). Recall is counted per article: R@k is the share of questions whose gold
passage is among the first k distinct articles. Modes: dense, bm25, "hybrid first stage" (the
fusion of both) and hybrid (what /api/search, /api/ask and `qa ask` return: the fusion's best
candidates ranked again by the learned second stage, qa/search/ranking.py). Answer accuracy: the
share of questions whose answer sentence contains a gold answer text.
"""

import argparse
import sys
import time
from dataclasses import dataclass, replace

import numpy as np
from common import benchmark_index, cached_embedder
from evaldata import Benchmark, Question, facqa, idk_mrc, tydiqa, xquad_en_id
from sklearn.linear_model import LogisticRegression

from qa import settings
from qa.embedders.adapter import adapter_for
from qa.index.reader import Index
from qa.search import rerank, rerank_model
from qa.search.answer import DEFAULT_MODEL, Answering, AnswerModel, decide
from qa.search.query import Query
from qa.search.retrieval import (
    DEFAULT_WEIGHTS,
    FusionWeights,
    Hit,
    Mode,
    SearchOptions,
    fuse,
    gather,
    search,
)

K = 10
NO_ANSWER_PRECISION = 0.9
MODES = ("dense", "bm25", "hybrid first stage", "hybrid")


@dataclass
class Run:
    """One question's ranking per mode, and the hybrid hits behind its answer."""

    question: Question
    query: Query
    hits: dict[str, list[str]]  # mode -> article ids, best first
    answer_hits: list[Hit]  # hybrid, with their sentences compared to the question


def article_ids(hits) -> list[str]:
    return [hit.passage.article_id for hit in hits]


def collect(index: Index, questions: list[Question], weights: FusionWeights, embedder) -> list[Run]:
    """Each question through every mode (embedded once), as /api/search and /api/ask do."""
    vectors = embedder.encode_queries([q.text for q in questions])
    runs = []
    for question, vector in zip(questions, vectors, strict=True):
        query = replace(Query.of(question.text), vector=vector)
        hits = {}
        for mode in MODES:
            options = SearchOptions(
                k=K,
                mode=Mode(mode.split()[0]),
                per_article=1,
                sentences=DEFAULT_MODEL.answer_passages if mode == "hybrid" else 0,
                weights=weights,
                second_stage=mode == "hybrid",
            )
            hits[mode] = search(index, query, options)
        answer_hits = hits["hybrid"][: DEFAULT_MODEL.answer_passages]
        runs.append(Run(question, query, {m: article_ids(h) for m, h in hits.items()}, answer_hits))
    return runs


def rank(ids: list[str], gold: str | None) -> int:
    return ids.index(gold) + 1 if gold in ids else K + 1


def recall_table(ranks: list[int]) -> dict[str, float]:
    r = np.array(ranks)
    return {
        "R@1": float(np.mean(r <= 1)),
        "R@5": float(np.mean(r <= 5)),
        "R@10": float(np.mean(r <= 10)),
        "MRR@10": float(np.mean(np.where(r <= K, 1.0 / r, 0.0))),
    }


def answered(answering: Answering, question: Question) -> bool:
    best = answering.best
    if best is None:
        return False
    text = best.text.lower()
    return any(answer.lower() in text for answer in question.answers if answer)


def evaluate(runs: list[Run], model: AnswerModel) -> dict[str, dict[str, float]]:
    table = {
        mode: recall_table([rank(run.hits[mode], run.question.passage_id) for run in runs])
        for mode in runs[0].hits
    }
    decisions = [decide(run.query, run.answer_hits, model) for run in runs]
    table["hybrid"]["answer"] = float(
        np.mean([answered(d, r.question) for d, r in zip(decisions, runs, strict=True)])
    )
    return table


BENCHMARKS = {"tydiqa-id": tydiqa, "xquad-en-id": xquad_en_id, "facqa-id": facqa}


def load(name: str, embedder) -> tuple[Benchmark, Index]:
    bench = BENCHMARKS[name]() if name in BENCHMARKS else idk_mrc()
    return bench, benchmark_index(bench, embedder)


def report(splits: dict[str, str], compare: str | None = None) -> None:
    """The table of docs/benchmarks.md; compare "adapter" or "reranker": each benchmark
    without and with the shipped query adapter (training/) or the bundled cross-encoder
    (training/reranker.py), from one embedding cache and one index, in one run."""
    embedder = cached_embedder()
    variants = {
        None: {"": (embedder.query_adapter, settings.get("reranker"))},
        "adapter": {"off": (None, None), "on": (adapter_for(embedder.name, "on"), None)},
        "reranker": {"off": (None, None), "on": (None, rerank_model.NAME)},
    }[compare]
    column = f"{compare} | " if compare else ""
    print(f"| benchmark | split | questions | mode | {column}", end="")
    print("R@1 | R@5 | R@10 | MRR@10 | answer |")
    print("|---|---|---|---|" + "---|" * (5 + bool(compare)))
    for name, split in splits.items():
        bench, index = load(name, embedder)
        rows = {}
        for label, (adapter, reranker) in variants.items():
            embedder.query_adapter = adapter
            rerank.use(reranker)
            started = time.perf_counter()
            runs = collect(index, bench.questions[split], DEFAULT_WEIGHTS, embedder)
            rows[label] = evaluate(runs, DEFAULT_MODEL)
            print(f"  ({label or 'run'}: {time.perf_counter() - started:.0f}s)", file=sys.stderr)
        for mode in MODES:
            for label, table in rows.items():
                row = table[mode]
                cells = " | ".join(f"{row[m]:.3f}" for m in ("R@1", "R@5", "R@10", "MRR@10"))
                answer = f"{row['answer']:.3f}" if "answer" in row else ""
                who = f"{label} | " if compare else ""
                print(f"| {name} | {split} | {len(runs)} | {mode} | {who}{cells} | {answer} |")
        sys.stdout.flush()


def fusion_ranks(index: Index, questions: list[Question], grid: list[FusionWeights]):
    """Gold ranks under each weighting, from one candidate gathering per question."""
    ranks: dict[FusionWeights, list[int]] = {weights: [] for weights in grid}
    for question in questions:
        query = Query.of(question.text, index.embedder)
        found = gather(index, query, Mode.hybrid, DEFAULT_WEIGHTS.pool)
        articles = passage_articles(index, found.ids)
        for weights in grid:
            fused = fuse(found, query.language, found.languages, weights)
            order = np.argsort(-fused, kind="stable")
            ranked = list(dict.fromkeys(articles[i] for i in order))[:K]
            ranks[weights].append(rank(ranked, question.passage_id))
    return ranks


def passage_articles(index: Index, ids: np.ndarray) -> list[str]:
    """The article id of each passage in `ids`."""
    found = index.store.passages(ids)
    return [found[int(i)].article_id for i in ids]


def tune(reread: bool = False) -> None:
    """Grid-search on the valid splits: first the fusion weights, then the answer weights;
    `reread`: the answer weights alone, with the bundled cross-encoder on (the fusion it
    re-reads stays as shipped)."""
    embedder = cached_embedder()
    sets = {name: load(name, embedder) for name in BENCHMARKS}
    fusion = DEFAULT_WEIGHTS if reread else tuned_fusion(sets)
    rerank.use(rerank_model.NAME if reread else None)
    runs = {
        name: collect(index, bench.questions["valid"], fusion, embedder)
        for name, (bench, index) in sets.items()
    }
    models = [
        replace(DEFAULT_MODEL, type_bonus=bonus, lexical_weight=lexical, rank_penalty=penalty)
        for bonus in (0.0, 0.02, 0.05, 0.1)
        for lexical in (0.1, 0.2, 0.3, 0.5)
        for penalty in (0.0, 0.05, 0.1, 0.2, 1.0)  # 1.0: in effect the first hit only
    ]
    results = []
    for model in models:
        accuracy = [evaluate(r, model)["hybrid"]["answer"] for r in runs.values()]
        results.append((float(np.mean(accuracy)), model))
    score, model = max(results, key=lambda item: item[0])
    shipped = np.mean([evaluate(r, DEFAULT_MODEL)["hybrid"]["answer"] for r in runs.values()])
    print(f"answer model (mean valid answer accuracy {score:.3f}; shipped {shipped:.3f}):", model)


def tuned_fusion(sets: dict) -> FusionWeights:
    """The fusion weights with the best mean valid R@1 over a grid."""
    grid = [
        FusionWeights(same_language=same, cross_language=cross, coverage_power=power)
        for same in (0.05, 0.08, 0.1, 0.15, 0.2)
        for cross in (0.0, 0.03, 0.05, 0.08)
        for power in (1.0, 2.0)
    ]
    r1: dict[FusionWeights, dict[str, float]] = {weights: {} for weights in grid}
    for name, (bench, index) in sets.items():
        for weights, ranks in fusion_ranks(index, bench.questions["valid"], grid).items():
            r1[weights][name] = recall_table(ranks)["R@1"]
    fusion = max(grid, key=lambda weights: np.mean(list(r1[weights].values())))
    print("fusion:", fusion, {k: round(v, 3) for k, v in r1[fusion].items()}, flush=True)
    return fusion


def fit_logistic(features: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Logistic regression (scikit-learn, mild L2); returns [intercept, coefs...]."""
    model = LogisticRegression(C=1000.0, max_iter=2000).fit(features, labels)
    return np.concatenate([model.intercept_, model.coef_[0]])


def logistic(w: np.ndarray, features: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(w[0] + features @ w[1:])))


def confidence_data(split: str, reread: bool = False):
    """Features, answer-is-right labels and answerable flags for the confidence model, and
    the number of IDK-MRC questions (they come first); `reread`: with the bundled
    cross-encoder on, its logit among the features.

    IDK-MRC's questions over its own passages (answerable, and unanswerable ones written to
    sound answerable); FacQA's questions over the same passages: questions about things the
    corpus does not cover at all, the other way a question goes unanswered; and the same two
    kinds in English: XQuAD's questions over their Indonesian passages, and over IDK-MRC's.
    """
    embedder = cached_embedder()
    idk, idk_index = load("idk-mrc", embedder)
    xquad, xquad_index = load("xquad-en-id", embedder)

    def off(questions: list[Question]) -> list[Question]:
        return [replace(q, passage_id=None) for q in questions]

    groups = [
        (idk_index, idk.questions[split]),
        (idk_index, off(facqa().questions[split])),
        (xquad_index, xquad.questions[split]),
        (idk_index, off(xquad.questions[split])),
    ]
    rerank.use(rerank_model.NAME if reread else None)
    none = (0.0,) * len(
        DEFAULT_MODEL.reread_confidence.weights if reread else DEFAULT_MODEL.confidence.weights
    )
    features, right, answerable = [], [], []
    for index, questions in groups:
        vectors = embedder.encode_queries([q.text for q in questions])
        for question, vector in zip(questions, vectors, strict=True):
            query = replace(Query.of(question.text), vector=vector)
            hits = search(index, query, SearchOptions(k=K, per_article=1, sentences=K))
            answering = decide(query, hits, DEFAULT_MODEL)
            best = answering.best
            features.append(best.features if best else none)
            right.append(question.passage_id is not None and answered(answering, question))
            answerable.append(question.passage_id is not None)
    arrays = np.array(features), np.array(right, float), np.array(answerable)
    return (*arrays, len(idk.questions[split]))


def no_answer_scores(said_none: np.ndarray, answerable: np.ndarray) -> dict[str, float]:
    truly_none = ~answerable
    precision = float((said_none & truly_none).sum() / max(said_none.sum(), 1))
    recall = float((said_none & truly_none).sum() / max(truly_none.sum(), 1))
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    return {"precision": precision, "recall": recall, "f1": f1}


def fit(reread: bool = False) -> None:
    """Fit the confidence model on IDK-MRC valid, pick the threshold, report on test;
    `reread`: the one for hits the bundled cross-encoder re-read."""
    started = time.perf_counter()
    features, right, answerable, _ = confidence_data("valid", reread)
    w = fit_logistic(features, right)
    probability = logistic(w, features)
    # Say "no answer" only where that was right at least 90% of the time: refusing an
    # answerable question costs the reader more than a weak answer shown with its confidence.
    thresholds = [
        t
        for t in np.linspace(0.005, 0.95, 190)
        if no_answer_scores(probability < t, answerable)["precision"] >= NO_ANSWER_PRECISION
    ]
    best = max(thresholds)
    name = "reread_confidence" if reread else "confidence"
    weights = ", ".join(f"{v:.3f}" for v in w[1:])
    print(f"{name}: Confidence({w[0]:.3f}, ({weights}), {best:.3f})")
    print(f"threshold {best:.3f} on valid:", no_answer_scores(probability < best, answerable))
    features, right, answerable, idk = confidence_data("test", reread)
    probability = logistic(w, features)
    print("test:", no_answer_scores(probability < best, answerable))
    print("test, IDK-MRC only:", no_answer_scores(probability[:idk] < best, answerable[:idk]))
    print(
        f"test: answered {np.mean(probability >= best):.3f}; of those right "
        f"{right[probability >= best].mean():.3f}; mean confidence "
        f"{probability[probability >= best].mean():.3f}"
    )
    print(f"({time.perf_counter() - started:.0f}s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--fit", action="store_true")
    parser.add_argument(
        "--adapter",
        action="store_true",
        help="each test split without and with the shipped query adapter, side by side",
    )
    parser.add_argument(
        "--reranker",
        action="store_true",
        help="each test split without and with the bundled cross-encoder, side by side; with "
        "--fit: fit the confidence of the answers it re-read; with --tune: tune the answer "
        "weights with it on",
    )
    args = parser.parse_args()
    if args.tune:
        tune(reread=args.reranker)
    elif args.fit:
        fit(reread=args.reranker)
    elif args.adapter or args.reranker:  # side by side
        tests = {"facqa-id": "test", "tydiqa-id": "test", "xquad-en-id": "test"}
        report(tests, "adapter" if args.adapter else "reranker")
    else:
        report({"tydiqa-id": "test", "xquad-en-id": "test", "facqa-id": "test"})
        report({"xquad-en-id": "all"})


if __name__ == "__main__":
    main()
