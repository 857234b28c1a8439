"""Sentence vectors stored with the index: `ask` then embeds only the question, and it still
answers, embedding at query time, for passages whose sentences have no vectors yet."""

import dataclasses
import shutil
from contextlib import closing
from pathlib import Path

from samples import ask_text

from qa.index.folder import STORE_FILE, IndexFolder
from qa.index.reader import Index
from qa.index.sentence_vectors import embed_pending
from qa.index.store import Store
from qa.index.writer import apply_changes


def pending(index_dir: Path) -> int:
    manifest = IndexFolder(index_dir).current()
    with closing(Store(index_dir / manifest.build / STORE_FILE, readonly=True)) as store:
        return store.count_pending_sentences()


def test_ask_embeds_only_the_question_once_sentences_have_vectors(
    built_index_dir, small_articles, counting_embedder, tmp_path
):
    index_dir = Path(shutil.copytree(built_index_dir, tmp_path / "index"))
    question = "Berapa upah minimum Jakarta tahun 2024?"
    assert pending(index_dir) == len(small_articles)  # one passage each, none embedded yet

    with closing(Index.load(index_dir, embedder=counting_embedder)) as index:
        before = ask_text(index, question, k=3)
    assert counting_embedder.seen[0] == question and len(counting_embedder.seen) > 1
    assert "Rp5,06 juta" in before.answer.text

    embedded = embed_pending(index_dir, counting_embedder)
    sentences = sum(article.text.count(". ") + 1 for article in small_articles.values())
    assert embedded == sentences and pending(index_dir) == 0
    assert embed_pending(index_dir, counting_embedder) == 0  # nothing left to do

    counting_embedder.seen.clear()
    with closing(Index.load(index_dir, embedder=counting_embedder)) as index:
        after = ask_text(index, question, k=3)
    assert counting_embedder.seen == [question]
    assert after.answer.text == before.answer.text
    assert abs(after.answer.confidence - before.answer.confidence) < 1e-3

    # A new article: searchable at once, its sentences wait for the next pass.
    new = small_articles["upah-minimum-2024"]
    new = dataclasses.replace(new, id="upah-2025", text=new.text.replace("2024", "2025"))
    apply_changes(index_dir, upserts=[new], embedder=counting_embedder)
    assert pending(index_dir) == 1
    counting_embedder.seen.clear()
    embed_pending(index_dir, counting_embedder)
    assert all("2025" in text for text in counting_embedder.seen)  # shared sentences reused
