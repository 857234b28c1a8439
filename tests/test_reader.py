"""The sentence reader (`qa.search.reader`): which tokens make a sentence's states, how a
sentence the cross-encoder did not reach is scored, and the file naming its cross-encoder."""

import numpy as np
import pytest
import torch

from qa.search import reader
from qa.search.reader import LAYERS, SentenceReader, sentence_states

# Question tokens (sequence 0), then a passage "Aaaa bb. Ccc dd." of two sentences; the last
# passage token was cut off (the third sentence is never reached).
OFFSETS = [(0, 0), (0, 3), (0, 0), (0, 0), (0, 4), (4, 7), (7, 8), (8, 12), (12, 15), (0, 0)]
SEQUENCES = [None, 0, None, None, 1, 1, 1, 1, 1, None]
SPANS = [(0, 8), (9, 15), (16, 30)]


def hidden(size: int = 2) -> list[torch.Tensor]:
    """Hidden states where token t's state after layer l is (t + 100 l) in every dimension."""
    tokens = torch.arange(len(OFFSETS), dtype=torch.float32)[:, None].repeat(1, size)
    return [tokens + 100 * layer for layer in range(13)]


def test_a_sentence_is_the_mean_of_its_passage_tokens_after_each_layer():
    states = sentence_states(hidden(), OFFSETS, SEQUENCES, SPANS)
    assert states.shape == (3, 2 * len(LAYERS))
    # tokens 4-6 (not the question's token 1, though its offsets fall in the same range)
    first = np.concatenate([np.full(2, 5.0 + 100 * layer) for layer in LAYERS])
    second = np.concatenate([np.full(2, 7.5 + 100 * layer) for layer in LAYERS])  # tokens 7-8
    assert states[0] == pytest.approx(first)
    assert states[1] == pytest.approx(second)
    assert np.isnan(states[2]).all()  # cut off: not read


def test_a_sentence_not_read_gets_the_lowest_logit_of_the_others():
    model = SentenceReader(np.array([1.0, 0.0]), bias=0.5)
    logits = model.score(np.array([[2.0, 9.0], [np.nan, np.nan], [-1.0, 3.0]]))
    assert logits.tolist() == [2.5, -0.5, -0.5]
    assert model.score(np.full((2, 2), np.nan)).tolist() == [0.0, 0.0]


def test_the_file_belongs_to_the_cross_encoder_it_was_trained_on(tmp_path):
    weights = tmp_path / "reranker.safetensors"
    weights.write_bytes(b"one set of weights")
    path = tmp_path / "reader.npz"
    SentenceReader(np.arange(4, dtype=np.float32), bias=-1.0).save(path, reranker=weights)
    loaded = SentenceReader.load(path, reranker=weights)
    assert loaded.weights.tolist() == [0.0, 1.0, 2.0, 3.0] and loaded.bias == -1.0
    weights.write_bytes(b"weights trained again")
    with pytest.raises(ValueError, match="train it again"):
        SentenceReader.load(path, reranker=weights)


def test_the_shipped_reader_is_small_and_fits_the_shipped_cross_encoder():
    assert reader.SHIPPED.stat().st_size < 64 * 1024
    shipped = SentenceReader.load()
    assert shipped.weights.shape == (384 * len(LAYERS),)
