"""Loaders for the public QA benchmarks in ../shared/evaldata, as passages and questions.

Each benchmark is a pool of passages (indexed as articles) and questions with the id of the
passage that answers them, split into the splits the data comes with.
"""

import ast
import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

EVALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "evaldata"


@dataclass(frozen=True)
class Question:
    text: str
    passage_id: str | None  # None: unanswerable
    answers: tuple[str, ...] = ()


@dataclass
class Benchmark:
    name: str
    passages: dict[str, str]
    questions: dict[str, list[Question]] = field(default_factory=dict)


def _passage_id(prefix: str, text: str, ids: dict[str, str]) -> str:
    """One id per distinct passage text, numbered in first-seen order."""
    if text not in ids:
        ids[text] = f"{prefix}-{len(ids):05d}"
    return ids[text]


def _squad_like(path: Path) -> Iterator[tuple[str, dict]]:
    for item in json.loads(path.read_text()):
        for qa in item["qas"]:
            yield item["context"], qa


def tydiqa() -> Benchmark:
    """TyDi-QA-id (IDK-MRC's answerable baseline): 4,650 passages, train/valid/test questions."""
    ids: dict[str, str] = {}
    bench = Benchmark("tydiqa-id", {})
    for split in ("train", "valid", "test"):
        questions = bench.questions.setdefault(split, [])
        for context, qa in _squad_like(
            EVALDATA / "idk-mrc/dataset/baseline/tydiqa" / f"{split}.json"
        ):
            pid = _passage_id("tydi", context, ids)
            answers = tuple(a["text"] for a in qa["answers"])
            questions.append(Question(qa["question"], pid, answers))
    bench.passages = {pid: text for text, pid in ids.items()}
    return bench


def xquad_en_id() -> Benchmark:
    """English XQuAD questions over the Indonesian trans-SQuAD passages they were translated to.

    XQuAD has no training split. So that cross-lingual weights are not tuned on the figures
    they are judged by, its 48 Wikipedia articles alternate between "valid" (tuning) and
    "test"; "all" is both, for comparison with the reference figures.
    """
    ids: dict[str, str] = {}
    by_question: dict[str, tuple[str, tuple[str, ...]]] = {}
    trans = EVALDATA / "idk-mrc/dataset/baseline/trans_squad/valid.json"
    for context, qa in _squad_like(trans):
        pid = _passage_id("squad", context, ids)
        squad_id = qa["id"].removeprefix("squad-trans-")
        by_question[squad_id] = (pid, tuple(a["text"] for a in qa["answers"]))
    splits: dict[str, list[Question]] = {"valid": [], "test": []}
    xquad = json.loads((EVALDATA / "xquad-en/xquad.en.json").read_text())["data"]
    for number, article in enumerate(xquad):
        questions = splits["valid" if number % 2 == 0 else "test"]
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                if qa["id"] in by_question:
                    pid, answers = by_question[qa["id"]]
                    questions.append(Question(qa["question"], pid, answers))
    splits["all"] = splits["valid"] + splits["test"]
    return Benchmark("xquad-en-id", {pid: t for t, pid in ids.items()}, splits)


_SPACE_BEFORE = re.compile(r"\s+([,.;:!?%)\]])")
_SPACE_AFTER = re.compile(r"([(\[])\s+")


def _detokenize(tokens: list[str]) -> str:
    text = " ".join(tokens)
    return _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", text))


def facqa() -> Benchmark:
    """FacQA-id: 1,369 short news passages, factoid questions with a BIO-tagged answer span."""
    ids: dict[str, str] = {}
    bench = Benchmark("facqa-id", {})
    for split in ("train", "valid", "test"):
        questions = bench.questions.setdefault(split, [])
        with open(EVALDATA / "facqa" / f"{split}_preprocess.csv", newline="") as handle:
            for row in csv.DictReader(handle):
                tokens = ast.literal_eval(row["passage"])
                labels = ast.literal_eval(row["seq_label"])
                answer = [t for t, label in zip(tokens, labels, strict=True) if label != "O"]
                pid = _passage_id("facqa", _detokenize(tokens), ids)
                question = _detokenize(ast.literal_eval(row["question"]))
                questions.append(Question(question, pid, (_detokenize(answer),)))
    bench.passages = {pid: text for text, pid in ids.items()}
    return bench


def idk_mrc() -> Benchmark:
    """IDK-MRC: answerable and unanswerable Indonesian questions over TyDi-style passages."""
    ids: dict[str, str] = {}
    bench = Benchmark("idk-mrc", {})
    for split in ("train", "valid", "test"):
        questions = bench.questions.setdefault(split, [])
        for context, qa in _squad_like(EVALDATA / "idk-mrc/dataset/idk_mrc" / f"{split}.json"):
            pid = _passage_id("idk", context, ids)
            answers = tuple(a["text"] for a in qa["answers"])
            questions.append(
                Question(qa["question"], None if qa["is_impossible"] else pid, answers)
            )
    bench.passages = {pid: text for text, pid in ids.items()}
    return bench


def news_en_id(split: str = "valid") -> Benchmark:
    """Parallel English/Indonesian news sentences: English query, Indonesian passage.

    Used to tune cross-lingual fusion without touching XQuAD, which is reported as a test set.
    """
    english = (EVALDATA / "news-en-id/news" / f"{split}.en").read_text().splitlines()
    indonesian = (EVALDATA / "news-en-id/news" / f"{split}.id").read_text().splitlines()
    ids: dict[str, str] = {}
    questions = [
        Question(en, _passage_id("news", idn, ids))
        for en, idn in zip(english, indonesian, strict=True)
    ]
    return Benchmark(f"news-en-id-{split}", {pid: t for t, pid in ids.items()}, {split: questions})


BENCHMARKS = {"tydiqa-id": tydiqa, "xquad-en-id": xquad_en_id, "facqa-id": facqa}
