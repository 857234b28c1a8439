"""training/: the pairs hold no evaluation data, and the adapter's training is seeded and
resumes from its checkpoints."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from training.fit import Config, Examples, train, weight_of  # noqa: E402
from training.pairs import (  # noqa: E402
    EVALDATA,
    Forbidden,
    LeakError,
    check_no_leak,
    pools,
    training_pairs,
)


@pytest.fixture(scope="module")
def forbidden() -> Forbidden:
    return Forbidden.collect()


def test_training_pairs_hold_no_evaluation_question_or_passage(forbidden):
    pooled = pools()
    pairs, dropped = training_pairs(pooled, forbidden)
    items = [(p.query, [pooled[p.pool].passages[p.passage_id]]) for p in pairs]
    assert check_no_leak(items, forbidden) == len(pairs)
    assert {p.source for p in pairs} == {"tydiqa-id", "idk-mrc", "facqa", "news-en-id"}
    # FacQA's splits share passages: its train questions over a valid or test passage go.
    assert dropped["facqa"] > 500
    test_questions = {q.text for q in pooled["tydiqa-id"].questions["test"]}
    assert not test_questions & {p.query for p in pairs}


def test_the_check_refuses_test_questions_and_the_xquad_passages(forbidden):
    pooled = pools()
    tydi = pooled["tydiqa-id"]
    test = tydi.questions["test"][0]
    with pytest.raises(LeakError):  # a test question, even re-spaced and upper-cased
        check_no_leak([(f"  {test.text.upper()} ", ["some passage"])], forbidden)
    with pytest.raises(LeakError):  # its gold passage, as a hard negative
        check_no_leak(
            [("Siapa presiden pertama?", ["x", tydi.passages[test.passage_id]])], forbidden
        )
    squad = json.loads((EVALDATA / "idk-mrc/dataset/baseline/trans_squad/valid.json").read_text())
    with pytest.raises(LeakError):  # a translated-SQuAD passage the XQuAD benchmark searches
        check_no_leak([("Kapan?", [squad[-1]["context"]])], forbidden)
    train = tydi.questions["train"][0]
    assert check_no_leak([(train.text, [tydi.passages[train.passage_id]])], forbidden) == 1


def synthetic(count: int, seed: int) -> Examples:
    """Queries whose positive is a fixed rotation of them: what a linear W can learn."""
    rng = np.random.default_rng(seed)
    dim = 16
    rotation = np.linalg.qr(rng.normal(size=(dim, dim)))[0].astype(np.float32)
    queries = rng.normal(size=(count, dim)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    positives = queries @ rotation.T
    negatives = rng.normal(size=(count, 2, dim)).astype(np.float32)
    negatives /= np.linalg.norm(negatives, axis=2, keepdims=True)
    groups = np.arange(count)
    return Examples(
        queries, positives, negatives, groups, count + np.arange(2 * count).reshape(count, 2)
    )


def test_training_learns_is_seeded_and_resumes(tmp_path):
    examples = synthetic(256, seed=1)
    valid = synthetic(64, seed=1)  # the same rotation, other queries

    def r1(epoch: int, weight: np.ndarray) -> dict[str, float]:
        adapted = valid.queries + valid.queries @ weight.T
        return {
            "mean": float(np.mean((adapted @ valid.positives.T).argmax(axis=1) == np.arange(64)))
        }

    whole = train(examples, Config(lr=0.05, tau=0.05, epochs=4, batch=32), tmp_path / "a", r1)
    assert whole[-1]["loss"] < whole[0]["loss"] and whole[-1]["mean"] > whole[0]["mean"]

    killed = train(examples, Config(lr=0.05, tau=0.05, epochs=2, batch=32), tmp_path / "b", r1)
    assert len(killed) == 2
    # The checkpoint names its config; the same config with more epochs goes on from epoch 3.
    resumed = train(examples, Config(lr=0.05, tau=0.05, epochs=4, batch=32), tmp_path / "b", r1)
    assert [h["epoch"] for h in resumed] == [1, 2, 3, 4]
    np.testing.assert_allclose(
        weight_of(tmp_path / "b", 4), weight_of(tmp_path / "a", 4), atol=1e-6
    )


def test_the_cross_encoders_extra_data_is_unanswerable_train_questions_only(forbidden):
    from training.pairs import normal
    from training.reranker import unanswerable_pairs

    tydi = pools()["tydiqa-id"]
    pairs = unanswerable_pairs("tydiqa-id", {normal(t): pid for pid, t in tydi.passages.items()})
    assert len(pairs) > 3000  # IDK-MRC train: 4,290 unanswerable questions
    assert {p.source for p in pairs} == {"idk-mrc unanswerable"}
    # Some repeat a TyDi valid or test question, or are over such a passage: training.reranker
    # drops those before mining, as it drops them here.
    kept = [p for p in pairs if not forbidden.leaks(p.query, [tydi.passages[p.passage_id]])]
    valid_and_test = {q.text for split in ("valid", "test") for q in tydi.questions[split]}
    assert valid_and_test & {p.query for p in pairs}
    assert not valid_and_test & {p.query for p in kept}
    assert len(kept) > 2000


def test_the_cross_encoder_is_chosen_by_depth_and_hybrid_weight_on_valid():
    from training.reranker import valid_table

    # Two questions: the model's logit alone gets the first right and the second wrong (its
    # gold is the hybrid's first, the logit prefers the third); a hybrid weight of 4 wins both.
    rows = [
        (["a", "gold", "c"], "gold", np.array([2.0, 1.9, 0.0]), np.array([0.0, 1.0, 0.5])),
        (["gold", "b", "c"], "gold", np.array([3.0, 0.0, -1.0]), np.array([0.0, 0.5, 1.0])),
    ]
    table = valid_table({"set": rows})
    assert table["set"]["hybrid"] == 0.5
    assert table["set"]["depth 5 weight 0.0"] == 0.5
    assert table["set"]["depth 5 weight 4.0"] == 1.0
    assert table["mean"] == table["set"]


def test_a_cross_encoder_step_trains_only_the_shipped_layers():
    import torch

    from qa.search.rerank_model import FROZEN_LAYERS, base_model, trained_parameters
    from training.reranker import Group, batch_loss

    torch.manual_seed(0)
    model, tokenizer = base_model()
    groups = [
        Group("Kapan?", ("Pada 2022.", "Di Jakarta."), ("a", "b"), True, "t"),
        Group("Siapa?", ("Kucing.", "Meja."), ("c", "d"), False, "t"),
    ]
    loss = batch_loss(model, tokenizer, groups, None)
    loss.backward()
    assert torch.isfinite(loss)
    for name, parameter in model.named_parameters():
        layer = int(name.split(".")[3]) if name.startswith("bert.encoder.layer.") else None
        frozen = name.startswith("bert.embeddings.") or (
            layer is not None and layer < FROZEN_LAYERS
        )
        assert (parameter.grad is None) == frozen, name
    trained = {id(p) for p in trained_parameters(model)}
    assert trained == {id(p) for p in model.parameters() if p.grad is not None}
