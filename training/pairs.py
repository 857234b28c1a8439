"""Training pairs for the query adapter, and the check that none of them is evaluation data.

A pair is a question (or an English sentence) and the text that answers it (or translates it),
with the pool of passages it is searched in. Sources (licences in training/MODEL_CARD.md):
TyDi-QA-id train, IDK-MRC train (its answerable questions; nearly all are TyDi's, over TyDi's
passages), FacQA train, and the news-en-id parallel sentences (English sentence as the query,
its Indonesian translation as the passage). Never trained on: any valid or test question of
TyDi-QA-id, IDK-MRC or FacQA, XQuAD, and every question and passage of the translated SQuAD
split that the XQuAD benchmark searches. A training pair whose question or gold passage is one
of those is dropped (FacQA's splits share passages), and `check_no_leak` refuses the final set
if any remains.
"""

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from evaldata import (  # noqa: E402
    EVALDATA,
    Benchmark,
    Question,
    _squad_like,
    facqa,
    idk_mrc,
    news_en_id,
    tydiqa,
    xquad_en_id,
)


class LeakError(ValueError):
    """A training pair holds an evaluation question or gold passage."""


@dataclass(frozen=True)
class Pair:
    """A query and the id of its gold passage in the pool `pool`."""

    query: str
    passage_id: str
    pool: str  # "tydiqa-id", "facqa-id" (benchmark indexes) or "news-en-id"
    source: str  # the data set it comes from


def normal(text: str) -> str:
    """Text compared for leaks: case and spacing do not hide a copy."""
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass(frozen=True)
class Forbidden:
    """Every evaluation question and gold passage, normalised."""

    questions: frozenset[str]
    passages: frozenset[str]

    @classmethod
    def collect(cls) -> "Forbidden":
        questions: set[str] = set()
        passages: set[str] = set()
        for bench in (tydiqa(), facqa(), idk_mrc()):
            for split in ("valid", "test"):
                for question in bench.questions[split]:
                    questions.add(normal(question.text))
                    if question.passage_id is not None:
                        passages.add(normal(bench.passages[question.passage_id]))
        xquad = xquad_en_id()
        questions.update(normal(q.text) for q in xquad.questions["all"])
        # The whole translated-SQuAD split the XQuAD benchmark searches, not only its gold.
        trans = EVALDATA / "idk-mrc/dataset/baseline/trans_squad/valid.json"
        for context, qa in _squad_like(trans):
            questions.add(normal(qa["question"]))
            passages.add(normal(context))
        return cls(frozenset(questions), frozenset(passages))

    def leaks(self, query: str, passages: Iterable[str]) -> bool:
        return normal(query) in self.questions or any(normal(p) in self.passages for p in passages)


def check_no_leak(items: Iterable[tuple[str, list[str]]], forbidden: Forbidden) -> int:
    """Raise LeakError if any (query, passage texts) item holds an evaluation question or gold
    passage; return how many were checked."""
    checked = 0
    for query, passages in items:
        if forbidden.leaks(query, passages):
            raise LeakError(f"evaluation data in training: {query[:80]!r}")
        checked += 1
    return checked


def news() -> Benchmark:
    """Both files of news-en-id (valid and test: neither is an evaluation set here) as one
    pool of Indonesian sentences, the English ones as its "train" questions."""
    pool = Benchmark("news-en-id", {}, {"train": []})
    for split in ("valid", "test"):
        part = news_en_id(split)
        for question in part.questions[split]:
            pid = f"news-{split}-{question.passage_id}"
            pool.passages[pid] = part.passages[question.passage_id]
            pool.questions["train"].append(Question(question.text, pid))
    return pool


def pools() -> dict[str, Benchmark]:
    """The passage pools the pairs point into, by name."""
    return {"tydiqa-id": tydiqa(), "facqa-id": facqa(), "news-en-id": news()}


def training_pairs(
    pooled: dict[str, Benchmark], forbidden: Forbidden
) -> tuple[list[Pair], dict[str, int]]:
    """Every training pair, without evaluation data; and how many each source lost to that."""
    tydi = pooled["tydiqa-id"]
    by_text = {normal(text): pid for pid, text in tydi.passages.items()}
    idk = idk_mrc()
    candidates = [
        Pair(q.text, q.passage_id, "tydiqa-id", "tydiqa-id") for q in tydi.questions["train"]
    ]
    seen = {normal(q.text) for q in tydi.questions["train"]}
    for question in idk.questions["train"]:
        if question.passage_id is None or normal(question.text) in seen:
            continue
        pid = by_text.get(normal(idk.passages[question.passage_id]))
        if pid is not None:  # all but a handful are TyDi passages
            candidates.append(Pair(question.text, pid, "tydiqa-id", "idk-mrc"))
    fac = pooled["facqa-id"]
    candidates += [Pair(q.text, q.passage_id, "facqa-id", "facqa") for q in fac.questions["train"]]
    candidates += [
        Pair(q.text, q.passage_id, "news-en-id", "news-en-id")
        for q in pooled["news-en-id"].questions["train"]
    ]
    pairs, dropped = [], {}
    for pair in candidates:
        if forbidden.leaks(pair.query, [pooled[pair.pool].passages[pair.passage_id]]):
            dropped[pair.source] = dropped.get(pair.source, 0) + 1
        else:
            pairs.append(pair)
    return pairs, dropped


def valid_sets(pooled: dict[str, Benchmark]) -> dict[str, Benchmark]:
    """Where the adapter is chosen: each benchmark's "valid" questions (XQuAD: its valid
    half, never trained on), by pool name."""
    return {
        "tydiqa-id": pooled["tydiqa-id"],
        "facqa-id": pooled["facqa-id"],
        "xquad-en-id": xquad_en_id(),
    }
