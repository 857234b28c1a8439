"""Fit the second-stage ranking model (qa/search/ranking.py) on the benchmarks' training questions.

    python benchmarks/learn.py              # fit, choose on valid, report on test, save
    python benchmarks/learn.py --no-save    # the same, leaving qa/search/models/ranking.json alone

Training questions: TyDi-QA-id train, FacQA train, IDK-MRC train (its answerable questions)
and XQuAD's valid half; each over its own benchmark index (benchmarks/common.py). For every
question the hybrid's first stage gathers and fuses candidates exactly as `qa.search.retrieval`
does; the best `depth` of them become rows of `qa.search.ranking.features`, labelled by whether the
passage is the gold one. A logistic regression (scikit-learn) is fitted for each depth and
regularisation strength; the pair with the best mean R@1 over the three valid sets is kept,
refitted on train, and reported on the test splits beside the first stage and its parts.
"""

import argparse
import time
from dataclasses import dataclass, replace

import numpy as np
from common import benchmark_index, cached_embedder
from evaldata import Benchmark, facqa, idk_mrc, tydiqa, xquad_en_id
from sklearn.linear_model import LogisticRegression

from qa.index.reader import Index
from qa.search.query import Query
from qa.search.ranking import (
    FEATURES,
    MODELS,
    Candidate,
    RankingModel,
    features,
    sentence_similarities,
)
from qa.search.retrieval import DEFAULT_WEIGHTS, Mode, fuse, gather

DEPTHS = (5, 10, 20)
STRENGTHS = (0.1, 1.0, 10.0)
TRAIN = {"tydiqa-id": "train", "facqa-id": "train", "idk-mrc": "train", "xquad-en-id": "valid"}
VALID = {"tydiqa-id": "valid", "facqa-id": "valid", "xquad-en-id": "valid"}
TEST = {"tydiqa-id": "test", "facqa-id": "test", "xquad-en-id": "test"}
LOADERS = {"tydiqa-id": tydiqa, "facqa-id": facqa, "idk-mrc": idk_mrc, "xquad-en-id": xquad_en_id}


@dataclass
class Group:
    """One question's candidates, best first by the hybrid's first stage."""

    features: np.ndarray  # (candidates, FEATURES)
    labels: np.ndarray  # 1 where the candidate is the gold passage


def collect(index: Index, bench: Benchmark, split: str, embedder, depth: int) -> list[Group]:
    """Candidate rows for the answerable questions of `split`."""
    questions = [q for q in bench.questions[split] if q.passage_id is not None]
    vectors = embedder.encode_queries([q.text for q in questions])
    groups = []
    for question, vector in zip(questions, vectors, strict=True):
        query = replace(Query.of(question.text), vector=vector)
        found = gather(index, query, Mode.hybrid, DEFAULT_WEIGHTS.pool)
        first = fuse(found, query.language, found.languages, DEFAULT_WEIGHTS)
        top = np.argsort(-first, kind="stable")[:depth]
        passages = index.store.passages([int(found.ids[p]) for p in top])
        stored = [passages[int(found.ids[p])] for p in top]
        candidates = [
            Candidate(
                passage,
                float(first[p]),
                float(found.dense[p]),
                float(found.bm25[p]),
                float(found.coverage[p]),
                str(found.languages[p]) != query.language,
            )
            for passage, p in zip(stored, top, strict=True)
        ]
        sims = sentence_similarities(index.store, index.embedder, stored, vector)
        labels = np.array([p.article_id == question.passage_id for p in stored], dtype=float)
        groups.append(Group(features(query, candidates, sims), labels))
    return groups


def r_at_1(groups: list[Group], scores: list[np.ndarray]) -> float:
    """Share of questions whose best-scored candidate is gold (no gold candidate: a miss)."""
    hits = [
        g.labels[int(np.argmax(s))] if len(s) else 0.0 for g, s in zip(groups, scores, strict=True)
    ]
    return float(np.mean(hits))


def fit(groups: list[Group], strength: float) -> LogisticRegression:
    x = np.concatenate([g.features for g in groups])
    y = np.concatenate([g.labels for g in groups])
    return LogisticRegression(C=strength, max_iter=2000).fit(x, y)


def learned_scores(model: LogisticRegression, groups: list[Group]) -> list[np.ndarray]:
    return [model.decision_function(g.features) if len(g.labels) else g.labels for g in groups]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    embedder = cached_embedder()
    indexes = {name: (LOADERS[name](), None) for name in LOADERS}
    indexes = {
        name: (bench, benchmark_index(bench, embedder)) for name, (bench, _) in indexes.items()
    }
    deepest = max(DEPTHS)
    started = time.perf_counter()
    data = {
        (name, split): collect(indexes[name][1], indexes[name][0], split, embedder, deepest)
        for plan in (TRAIN, VALID, TEST)
        for name, split in plan.items()
    }
    print(f"features collected in {time.perf_counter() - started:.0f}s")

    def cut(groups: list[Group], depth: int) -> list[Group]:
        return [Group(g.features[:depth], g.labels[:depth]) for g in groups]

    best = None
    for depth in DEPTHS:
        train = [g for name, split in TRAIN.items() for g in cut(data[(name, split)], depth)]
        for strength in STRENGTHS:
            model = fit(train, strength)
            valid = {
                name: r_at_1(groups, learned_scores(model, groups))
                for name, split in VALID.items()
                for groups in [cut(data[(name, split)], depth)]
            }
            mean = float(np.mean(list(valid.values())))
            print(f"depth {depth:2d} C {strength:5.1f}: valid R@1 {valid} mean {mean:.3f}")
            if best is None or mean > best[0]:
                best = (mean, depth, strength, model)
    _, depth, strength, model = best
    print(f"\nchosen: depth {depth}, C {strength}")
    print("\n| benchmark | split | questions | R@1 first stage (hybrid) | R@1 learned |")
    print("|---|---|---:|---:|---:|")
    for plan in (VALID, TEST):
        for name, split in plan.items():
            groups = cut(data[(name, split)], depth)
            first = [-np.arange(len(g.labels), dtype=float) for g in groups]
            stages = (
                f"{r_at_1(groups, first):.3f} | {r_at_1(groups, learned_scores(model, groups)):.3f}"
            )
            print(f"| {name} | {split} | {len(groups)} | {stages} |")
    weights = dict(zip(FEATURES, model.coef_[0].round(3), strict=True))
    print("\nweights:", weights, "intercept", round(float(model.intercept_[0]), 3))
    if not args.no_save:
        trained_on = ", ".join(f"{name} {split}" for name, split in TRAIN.items())
        RankingModel(
            tuple(float(w) for w in model.coef_[0]),
            float(model.intercept_[0]),
            depth,
            f"{trained_on}; C={strength}; benchmarks/learn.py",
        ).save(MODELS / "ranking.json")
        print(f"saved {MODELS / 'ranking.json'}")


if __name__ == "__main__":
    main()
