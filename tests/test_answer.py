"""Answering: question types, the sentence choice on hand-built scores, no-answer, ask().

`decide` is tested on hand-made hits with their sentence similarities (no embedding), each
with a model that turns on only the knob under test; `ask` and no-answer run over the shipped
corpus's index.
"""

import math
from dataclasses import replace

import numpy as np
import pytest
from samples import ask_text, search_text

from qa.index.store import StoredPassage
from qa.search.answer import AnswerModel, Confidence, decide
from qa.search.answer_types import offers, question_type
from qa.search.query import Query
from qa.search.retrieval import Hit, Mode

# -- question types ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Kapan pertemuan SLOM ke-17 digelar?", "date"),
        ("When did the SLOM meeting take place?", "date"),
        ("Tahun berapa proposal OSH diajukan?", "date"),
        ("Berapa peserta magang yang berangkat ke Jepang?", "number"),
        ("Jumlah peserta magang ke Jepang", "number"),
        ("How many interns went to Japan?", "number"),
        ("Siapa Sekjen Kemnaker?", "person"),
        ("Who met the ILO director in Geneva?", "person"),
        ("Di mana pertemuan SLOM+3 digelar?", "place"),
        ("status proposal OSH Korea", "status"),
        ("What is the status of Indonesia's OSH proposal to Korea?", "status"),
        ("Bagaimana perkembangan proposal OSH?", "status"),
        ("Kemnaker dan ILO", None),
    ],
)
def test_question_type(question, kind):
    assert question_type(question) == kind


@pytest.mark.parametrize(
    ("sentence", "kind", "expected"),
    [
        ("Proposal diajukan pada akhir tahun 2022.", "date", True),
        ("Pertemuan digelar Jumat (21/7/2023).", "date", True),
        ("Pertemuan digelar pada bulan Juli.", "date", True),
        ("The meeting was held in November.", "date", True),
        ("Pertemuan digelar secara virtual.", "date", False),
        ("Sebanyak 120 peserta berangkat.", "number", True),
        ("Mereka bekerja selama tiga tahun.", "number", True),
        ("Para peserta berangkat bersama.", "number", False),
        ("Hal itu dikatakan oleh Anwar Sanusi.", "person", True),
        ("Hal itu dikatakan oleh sekjen.", "person", False),
        ("Kami belum menerima kejelasan informasi.", "status", True),
        ("Hingga saat ini hasilnya tidak diumumkan.", "status", True),
        ("The proposal has not yet been approved.", "status", True),
        ("Proposal itu disetujui.", "status", False),
        ("Sebanyak 120 peserta berangkat pada 2022.", None, False),
    ],
)
def test_offers(sentence, kind, expected):
    assert offers(sentence, kind) is expected


# -- decide on hand-built scores --------------------------------------------------------------

# Every knob off: the best sentence is the most similar one, alone, and hits keep their order.
PLAIN = AnswerModel(
    lexical_weight=0.0,
    type_bonus=0.0,
    rank_penalty=0.0,
    pair_margin=0.0,
    answer_passages=3,
)


def make_hit(number: int, sentences: list[str], score: float = 0.8, language: str = "id") -> Hit:
    """A one-passage hit whose text is `sentences` joined by spaces."""
    spans, position = [], 0
    for sentence in sentences:
        spans.append((position, position + len(sentence)))
        position += len(sentence) + 1
    text = " ".join(sentences)
    passage = StoredPassage(
        id=number,
        article_id=f"article-{number}",
        article_key=number,
        ordinal=0,
        start=0,
        end=len(text),
        text=text,
        sentences=tuple(spans),
        title=f"Title {number}",
        source="Tribunnews.com",
        url=None,
        published="2023-07-21",
        language=language,
    )
    return Hit(passage, score=score, dense=score, lexical=0.0)


def scores(question: str, hits: list[Hit], *similarities: list[float]) -> tuple[Query, list[Hit]]:
    """The question and its hits, the first ones given their sentences' similarities."""
    scored = [
        replace(hit, sentences=np.array(s, dtype=np.float32))
        for hit, s in zip(hits, similarities, strict=False)
    ]
    return Query.of(question), scored + hits[len(scored) :]


PROPOSAL = "Proposal itu diajukan kepada Pemerintah Korea."
WHEN = "Pengajuan dilakukan pada akhir 2022."
PENDING = "Kementerian belum menerima kejelasan hasil seleksi."


def test_type_bonus_picks_the_sentence_offering_the_asked_for_kind():
    hit = make_hit(1, [PROPOSAL, WHEN, PENDING])
    when = scores("Kapan proposal diajukan?", [hit], [0.80, 0.75, 0.70])
    assert decide(*when, PLAIN).best.text == PROPOSAL
    assert decide(*when, replace(PLAIN, type_bonus=0.1)).best.text == WHEN
    status = scores("Apa status proposal itu?", [hit], [0.80, 0.70, 0.75])
    assert decide(*status, PLAIN).best.text == PROPOSAL
    assert decide(*status, replace(PLAIN, type_bonus=0.1)).best.text == PENDING


def test_lexical_weight_favours_the_sentence_with_the_questions_terms():
    hit = make_hit(1, [WHEN, PENDING])
    asked = scores("hasil seleksi kejelasan", [hit], [0.80, 0.78])
    assert decide(*asked, PLAIN).best.text == WHEN
    assert decide(*asked, replace(PLAIN, lexical_weight=0.1)).best.text == PENDING


@pytest.mark.parametrize(
    ("similarities", "margin", "expected"),
    [
        ([0.70, 0.80, 0.78], 0.03, [WHEN, PENDING]),  # right neighbour within the margin
        ([0.79, 0.80, 0.78], 0.03, [PROPOSAL, WHEN]),  # the better neighbour joins
        ([0.70, 0.80, 0.60], 0.03, [WHEN]),  # neighbours too far below
        ([0.70, 0.80, 0.78], 0.0, [WHEN]),  # no margin, never joined
    ],
)
def test_adjacent_sentence_joins_within_pair_margin(similarities, margin, expected):
    hit = make_hit(1, [PROPOSAL, WHEN, PENDING])
    answering = decide(
        *scores("proposal OSH", [hit], similarities), replace(PLAIN, pair_margin=margin)
    )
    assert answering.best.text == " ".join(expected)
    assert answering.highlights[1] == (answering.best.start, answering.best.end)


def test_rank_penalty_and_answer_passages():
    first = make_hit(1, [PROPOSAL], score=0.9)
    second = make_hit(2, [PENDING], score=0.8)
    sentence_scores = scores("proposal OSH", [first, second], [0.80], [0.85])
    assert decide(*sentence_scores, PLAIN).best.hit.passage.id == 2
    assert decide(*sentence_scores, replace(PLAIN, rank_penalty=0.1)).best.hit.passage.id == 1
    only_first = decide(*sentence_scores, replace(PLAIN, answer_passages=1))
    assert only_first.best.hit.passage.id == 1
    assert set(only_first.highlights) == {1, 2}, "hits past answer_passages are highlighted"


def test_highlights_mark_each_scored_hits_best_sentence():
    hits = [
        make_hit(1, [PROPOSAL, WHEN], score=0.9),
        make_hit(2, [WHEN, PENDING, PROPOSAL], score=0.85),
        make_hit(3, [], score=0.8),  # a passage without sentences
        make_hit(4, [PENDING], score=0.7),  # not scored
    ]
    answering = decide(*scores("proposal OSH", hits, [0.6, 0.7], [0.5, 0.9, 0.4], []), PLAIN)
    text = {hit.passage.id: hit.passage.text for hit in answering.hits}
    spans = answering.highlights
    assert set(spans) == {1, 2}
    assert text[1][slice(*spans[1])] == WHEN
    assert text[2][slice(*spans[2])] == PENDING


def sure_above(threshold: float) -> AnswerModel:
    return replace(PLAIN, confidence=replace(PLAIN.confidence, threshold=threshold))


def test_answer_is_none_below_the_threshold():
    hit = make_hit(1, [PENDING], score=0.8)
    sentence_scores = scores("status proposal", [hit], [0.85])
    confident = decide(*sentence_scores, sure_above(0.0))
    assert confident.answer is confident.best
    doubtful = decide(*sentence_scores, sure_above(1.0))
    assert doubtful.best is not None and doubtful.answer is None
    assert doubtful.hits == sentence_scores[1]


def test_no_sentence_scores_give_no_answer():
    hit = make_hit(1, [PENDING])
    answering = decide(Query.of("status proposal"), [hit], PLAIN)
    assert answering.best is None and answering.answer is None
    assert answering.hits == [hit] and answering.highlights == {}


# -- over a real index ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "Berapa skor pertandingan Persib melawan Persija?",
        "Resep rendang daging sapi yang empuk",
        "Siapa pemenang Liga Inggris musim lalu?",
    ],
)
def test_question_the_corpus_cannot_answer_gives_no_answer(corpus_index, question):
    answering = ask_text(corpus_index, question, k=3)
    assert answering.answer is None
    assert len(answering.hits) == 3, "the closest passages are still listed"


def test_english_question_over_indonesian_articles_is_answered(corpus_index):
    answering = ask_text(corpus_index, "What did Indonesia agree with ASEAN+3 on migrant workers?")
    assert answering.answer is not None
    assert answering.answer.hit.passage.article_id == "suara-2020-10-27-asean-slom-plus-three"
    assert "pekerja migran" in answering.answer.text


def test_answerable_question_is_answered(corpus_index):
    answering = ask_text(corpus_index, "status proposal OSH Korea", k=3)
    assert answering.answer is not None
    assert "belum menerima kejelasan" in answering.answer.text
    assert answering.answer.hit.passage.article_id == "tribunnews-2023-07-21-indonesia-korea-osh"


@pytest.mark.parametrize("mode", [Mode.dense, Mode.bm25])
def test_ask_in_a_single_retriever_mode_keeps_its_ranking(corpus_index, mode):
    question = "Kapan pertemuan SLOM ke-17?"
    answering = ask_text(corpus_index, question, k=2, mode=mode)
    ranked = search_text(corpus_index, question, k=2, mode=mode)
    assert [hit.passage.passage_id for hit in answering.hits] == [
        hit.passage.passage_id for hit in ranked
    ]
    if mode == Mode.bm25:
        assert all(hit.score == hit.lexical for hit in answering.hits)
    else:
        assert all(hit.score == hit.dense for hit in answering.hits)


@pytest.mark.parametrize("k", [1, 4])
def test_ask_returns_k_hits(corpus_index, k):
    assert len(ask_text(corpus_index, "Kapan pertemuan SLOM ke-17?", k=k).hits) == k


def test_a_hit_the_cross_encoder_reread_is_judged_with_its_logit():
    judge = Confidence(intercept=0.0, weights=(0.0, 0.0, 0.0, 0.0, 1.0), threshold=0.6)
    model = replace(PLAIN, reread_confidence=judge)
    hit = make_hit(1, [PENDING])
    for logit in (-2.0, 2.0):
        answering = decide(*scores("status proposal", [replace(hit, reread=logit)], [0.8]), model)
        assert answering.best.features[-1] == logit
        assert answering.best.confidence == pytest.approx(1 / (1 + math.exp(-logit)))
        assert answering.threshold == 0.6
        assert (answering.answer is not None) is (logit > 0)
    plain = decide(*scores("status proposal", [hit], [0.8]), model)
    assert len(plain.best.features) == 4 and plain.threshold == PLAIN.confidence.threshold
