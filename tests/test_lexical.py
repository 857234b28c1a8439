"""The BM25 tokenizer on Indonesian news forms, and the tantivy lexical index (real engine)."""

from datetime import date

import numpy as np
import pytest

from qa.filters import Filters
from qa.index.lexical import LexicalIndex, LexicalRecord
from qa.text.terms import tokenize
from qa.text.words import STOPWORDS


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Kemnaker KOREA Selatan", ["kemnaker", "korea", "selatan"]),
        ("Halo, dunia! (ILO) «Jenewa»?", ["halo", "dunia", "ilo", "jenewa"]),
        ("tahun 2024 naik 3 persen", ["tahun", "2024", "naik", "3", "persen"]),
        ("Program Kerja 2021-2025.", ["program", "kerja", "2021-2025", "2021", "2025"]),
        ("pertemuan SLOM+3", ["pertemuan", "slom+3", "slom", "3"]),
        ("gaji Rp14 juta", ["gaji", "rp14", "rp", "14", "juta"]),
        ("pertemuan ke-17", ["pertemuan", "ke-17", "17"]),
        ("ÉCOLE Ünï", ["école", "ünï"]),
        ("", []),
    ],
)
def test_tokenize(text, expected):
    assert tokenize(text) == expected


def test_compound_and_parts_match_each_other():
    assert {"slom+3", "slom"} <= set(tokenize("SLOM+3"))
    assert "slom" in tokenize("ASEAN SLOM")
    assert {"2021-2025", "2021", "2025"} <= set(tokenize("periode 2021-2025"))


def test_stopwords_are_dropped_in_both_languages():
    assert tokenize("yang dan di ke dari untuk the of and is what") == []
    assert tokenize("Apa yang dibahas Menteri di Jenewa?") == ["dibahas", "menteri", "jenewa"]
    assert tokenize("What did the minister discuss in Geneva?") == ["minister", "discuss", "geneva"]
    assert not STOPWORDS & set(tokenize("Siapa Menteri Ketenagakerjaan Indonesia pada 2024?"))


DOCUMENTS = [
    ("Upah minimum provinsi 2024 naik rata-rata 3,6 persen.", "Kompas.com", "2023-11-21", "id"),
    ("Kemnaker dan Korea Selatan memperkuat penempatan pekerja migran.", "Liputan6", None, "id"),
    ("ASEAN SLOM+3 membahas program kerja 2021-2025.", "RMOL", "2021-09-10", "id"),
    ("Pekerja migran Indonesia di Korea mendapat pelatihan.", "Jakarta Post", "2023-11-03", "en"),
]
IDS = np.array([10, 11, 15, 20], dtype=np.int64)


def records(ids=IDS, documents=DOCUMENTS) -> list[LexicalRecord]:
    return [
        LexicalRecord(int(i), tokenize(text), source, published, language)
        for i, (text, source, published, language) in zip(ids, documents, strict=True)
    ]


@pytest.fixture
def lexical(tmp_path) -> LexicalIndex:
    index = LexicalIndex(tmp_path / "lexical")
    with index.writer() as writer:
        writer.add(records())
        writer.commit()
    return index


def test_search_ranks_the_passages_that_contain_the_terms(lexical):
    searcher = lexical.searcher()
    ids, scores = searcher.search(tokenize("upah minimum"), k=10)
    assert ids.tolist() == [10] and scores.dtype == np.float32 and scores[0] > 0

    ids, _ = searcher.search(tokenize("pekerja migran Korea"), k=10)
    assert set(ids.tolist()) == {11, 20}
    assert searcher.search(tokenize("pekerja migran Korea"), k=1)[0].shape == (1,)

    # Compounds and their parts: "SLOM" finds "SLOM+3", "2021" finds "2021-2025".
    assert searcher.search(["slom"], k=10)[0].tolist() == [15]
    assert searcher.search(["2021"], k=10)[0].tolist() == [15]


def test_scores_of_given_passages(lexical):
    searcher = lexical.searcher()
    ids = np.array([20, 10, 11, 99], dtype=np.int64)  # 99: in no document
    scores = searcher.scores(tokenize("pekerja migran Korea"), ids)
    assert scores.dtype == np.float32 and scores.shape == (4,)
    assert scores[0] > 0 and scores[2] > 0 and scores[1] == 0 and scores[3] == 0
    top_ids, top_scores = searcher.search(tokenize("pekerja migran Korea"), k=10)
    np.testing.assert_allclose(
        searcher.scores(tokenize("pekerja migran Korea"), top_ids), top_scores, rtol=1e-6
    )


def test_unknown_terms_score_nothing(lexical):
    searcher = lexical.searcher()
    assert searcher.search(["zzyzx"], k=10)[0].tolist() == []
    assert not searcher.scores(["zzyzx"], IDS).any()
    np.testing.assert_array_equal(
        searcher.scores(["upah", "zzyzx"], IDS), searcher.scores(["upah"], IDS)
    )


def test_filters_restrict_the_search(lexical):
    searcher = lexical.searcher()
    terms = tokenize("pekerja migran Korea ASEAN upah")
    assert set(searcher.search(terms, 10, Filters(source="jakarta post"))[0]) == {20}
    assert set(searcher.search(terms, 10, Filters(language="id"))[0]) == {10, 11, 15}
    since = searcher.search(terms, 10, Filters(since=date(2023, 1, 1)))[0]
    assert set(since) == {10, 20}  # 11 has no date: it passes no date bound
    until = searcher.search(terms, 10, Filters(until=date(2023, 11, 3)))[0]
    assert set(until) == {15, 20}


def test_deletes_and_reopening(lexical, tmp_path):
    with lexical.writer() as writer:
        writer.delete([11, 15])
        writer.add(records([30], [("Upah buruh Bitung naik.", "Antara", "2024-01-02", "id")]))
        writer.commit()
    reopened = LexicalIndex(tmp_path / "lexical").searcher()
    assert reopened.count == 3
    np.testing.assert_array_equal(reopened.all_ids(), [10, 20, 30])
    assert set(reopened.search(["upah"], 10)[0]) == {10, 30}
    assert reopened.search(["slom"], 10)[0].tolist() == []


def test_a_searcher_keeps_its_state_until_replaced(lexical):
    before = lexical.searcher()
    with lexical.writer() as writer:
        writer.delete([10])
        writer.commit()
    assert before.search(["upah"], 10)[0].tolist() == [10]
    assert lexical.searcher().search(["upah"], 10)[0].tolist() == []


def test_uncommitted_changes_are_dropped(lexical):
    with lexical.writer() as writer:
        writer.delete([10])
        writer.add(records([40], [("Upah naik lagi.", "Antara", None, "id")]))
    assert lexical.searcher().all_ids().tolist() == [10, 11, 15, 20]


def test_coverage(lexical):
    searcher = lexical.searcher()
    coverage = searcher.coverage(tokenize("pekerja migran Korea"), IDS)
    np.testing.assert_allclose(coverage[[1, 3]], 1.0, rtol=1e-6)
    np.testing.assert_array_equal(coverage[[0, 2]], 0.0)

    partial = searcher.coverage(["korea", "upah"], IDS)
    assert 0 < partial[0] < 1 and 0 < partial[1] < 1

    # A term the corpus has never seen carries the highest IDF and lowers everyone's coverage.
    with_unknown = searcher.coverage(["pekerja", "migran", "korea", "zzyzx"], IDS)
    assert 0 < with_unknown[1] < coverage[1]
    assert with_unknown[1] < 0.8
    assert not searcher.coverage(["zzyzx"], IDS).any()

    # Repeated terms count once; only the requested passages are scored.
    np.testing.assert_allclose(searcher.coverage(["korea", "korea"], IDS[:2]), [0.0, 1.0])
    assert searcher.coverage([], IDS).tolist() == [0.0] * 4


def test_passage_with_only_stopwords(tmp_path):
    index = LexicalIndex(tmp_path / "lexical")
    with index.writer() as writer:
        writer.add(
            records([0, 1], [("yang dan di", "A", None, "id"), ("upah naik", "A", None, "id")])
        )
        writer.commit()
    assert index.searcher().search(["upah"], 10)[0].tolist() == [1]


def test_empty_index(tmp_path):
    searcher = LexicalIndex(tmp_path / "lexical").searcher()
    assert searcher.count == 0
    assert searcher.search(["upah"], 10)[0].shape == (0,)
    assert searcher.scores(["upah"], np.array([], dtype=np.int64)).shape == (0,)
    assert searcher.coverage(["upah"], np.array([1], dtype=np.int64)).tolist() == [0.0]
    assert searcher.all_ids().shape == (0,)
