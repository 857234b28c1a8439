"""The BM25 tokenizer on Indonesian news forms, and LexicalIndex build/save/load/scores."""

import numpy as np
import pytest

from qa.lexical import STOPWORDS, LexicalIndex, tokenize


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
    "Upah minimum provinsi 2024 naik rata-rata 3,6 persen.",
    "Kemnaker dan Korea Selatan memperkuat penempatan pekerja migran.",
    "ASEAN SLOM+3 membahas program kerja 2021-2025.",
    "Pekerja migran Indonesia di Korea mendapat pelatihan.",
]
IDS = np.array([10, 11, 15, 20], dtype=np.int64)


@pytest.fixture
def lexical() -> LexicalIndex:
    return LexicalIndex.build([tokenize(text) for text in DOCUMENTS], IDS)


def test_scores_rank_the_documents_that_contain_the_terms(lexical):
    scores = lexical.scores(tokenize("upah minimum"))
    assert scores.dtype == np.float32 and scores.shape == (4,)
    assert scores.argmax() == 0 and scores[0] > 0 and not scores[1:].any()

    scores = lexical.scores(tokenize("pekerja migran Korea"))
    assert set(np.flatnonzero(scores)) == {1, 3}

    # Compounds and their parts: "SLOM" finds "SLOM+3", "2021" finds "2021-2025".
    assert lexical.scores(["slom"]).argmax() == 2
    assert lexical.scores(["2021"]).argmax() == 2


def test_unknown_terms_score_nothing(lexical):
    assert lexical.known_terms(["upah", "zzyzx", "korea"]) == ["upah", "korea"]
    assert not lexical.scores(["zzyzx"]).any()
    np.testing.assert_array_equal(lexical.scores(["upah", "zzyzx"]), lexical.scores(["upah"]))


def test_save_and_load_round_trip(lexical, tmp_path):
    lexical.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25")
    np.testing.assert_array_equal(loaded.chunk_ids, IDS)
    for query in ("upah minimum", "pekerja migran Korea", "SLOM+3 2021-2025"):
        terms = tokenize(query)
        np.testing.assert_allclose(loaded.scores(terms), lexical.scores(terms), rtol=1e-6)
    positions = np.arange(4)
    np.testing.assert_allclose(
        loaded.coverage(["korea", "migran"], positions),
        lexical.coverage(["korea", "migran"], positions),
    )


def test_coverage(lexical):
    positions = np.arange(4)
    coverage = lexical.coverage(tokenize("pekerja migran Korea"), positions)
    np.testing.assert_allclose(coverage[[1, 3]], 1.0, rtol=1e-6)
    np.testing.assert_array_equal(coverage[[0, 2]], 0.0)

    partial = lexical.coverage(["korea", "upah"], positions)
    assert 0 < partial[0] < 1 and 0 < partial[1] < 1

    # A term the corpus has never seen carries the highest IDF and lowers everyone's coverage.
    with_unknown = lexical.coverage(["pekerja", "migran", "korea", "zzyzx"], positions)
    assert 0 < with_unknown[1] < coverage[1]
    assert with_unknown[1] < 0.8
    assert not lexical.coverage(["zzyzx"], positions).any()

    # Repeated terms count once; only the requested positions are scored.
    np.testing.assert_allclose(lexical.coverage(["korea", "korea"], positions[:2]), [0.0, 1.0])
    assert lexical.coverage([], positions).tolist() == [0.0] * 4


def test_document_with_only_stopwords(tmp_path):
    lexical = LexicalIndex.build([tokenize("yang dan di"), tokenize("upah naik")], np.array([0, 1]))
    assert lexical.scores(["upah"]).argmax() == 1
    lexical.save(tmp_path / "bm25")
    assert LexicalIndex.load(tmp_path / "bm25").scores(["upah"]).argmax() == 1


def test_empty_index(tmp_path):
    empty = LexicalIndex.build([], np.array([], dtype=np.int64))
    assert empty.scores(["upah"]).shape == (0,)
    assert empty.known_terms(["upah"]) == []
    assert empty.coverage(["upah"], np.array([], dtype=np.int64)).shape == (0,)

    empty.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25")
    assert len(loaded.chunk_ids) == 0 and loaded.chunk_ids.dtype == np.int64
    assert loaded.scores(["upah"]).shape == (0,)
    assert loaded.known_terms(["upah"]) == []
