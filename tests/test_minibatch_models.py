"""Minibatch models run through the checkpoint loaders and the samplers."""

import numpy as np
import pytest

from dinogen.checkpoint import load_checkpoint, save_checkpoint
from dinogen.evaluate import mean_log_loss
from dinogen.lstm import LSTM
from dinogen.models import checkpoint_of, model_from_checkpoint
from dinogen.network import Network
from dinogen.sampling import sample_names
from dinogen.vocab import Vocabulary

VOCAB = Vocabulary(("\n", "a", "b", "c", "d"))
NAMES = ["abc", "dab", "b", "cadd"]


def trained_like(cell, layers=2, embedding_size=3, seed=0):
    network = Network(cell, len(VOCAB), hidden_size=4, layers=layers,
                      embedding_size=embedding_size)
    rng = np.random.default_rng(seed)
    network.initialize(rng)
    network.params.flat += rng.standard_normal(network.params.flat.size) * 0.3
    return network


def training_loss(network, names):
    """The trainer's own loss over ``names`` in one padded batch."""
    from dinogen.batches import encode_names, pad_batch

    inputs, targets, mask = pad_batch(encode_names(VOCAB, names))
    return network.loss_and_gradients(inputs, targets, mask)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_step_by_step_scoring_matches_the_training_loss(cell):
    network = trained_like(cell)
    assert mean_log_loss(network, VOCAB, NAMES) == pytest.approx(
        training_loss(network, NAMES), rel=1e-12
    )


@pytest.mark.parametrize("embedding_size", [0, 3])
def test_lstm_checkpoint_runs_through_the_keras_layout_class(tmp_path, embedding_size):
    network = trained_like("lstm", embedding_size=embedding_size)
    path = tmp_path / "lstm.npz"
    save_checkpoint(path, checkpoint_of(network, VOCAB, {}))
    model = model_from_checkpoint(load_checkpoint(path), path)
    assert isinstance(model, LSTM)
    assert mean_log_loss(model, VOCAB, NAMES) == pytest.approx(
        training_loss(network, NAMES), rel=1e-12
    )


@pytest.mark.parametrize("cell,kind", [("gru", "gru"), ("rnn", "rnn_stack")])
def test_checkpoint_round_trip_gives_the_same_names(tmp_path, cell, kind):
    network = trained_like(cell)
    path = tmp_path / "model.npz"
    save_checkpoint(path, checkpoint_of(network, VOCAB, {}))
    checkpoint = load_checkpoint(path)
    assert checkpoint.kind == kind
    loaded = model_from_checkpoint(checkpoint, path)
    names = sample_names(network, 20, np.random.default_rng(5), top_k=3)
    again = sample_names(loaded, 20, np.random.default_rng(5), top_k=3)
    assert names == again
    assert any(names)


def test_a_checkpoint_with_a_wrong_shape_is_refused(tmp_path):
    network = trained_like("gru")
    arrays = network.arrays()
    arrays["gru_1_recurrent_bias"] = np.zeros(5)
    path = tmp_path / "bad.npz"
    from dinogen.checkpoint import Checkpoint
    from dinogen.errors import DinogenError

    save_checkpoint(path, Checkpoint("gru", VOCAB, arrays, {}))
    with pytest.raises(DinogenError, match="'gru_1_recurrent_bias' has shape"):
        model_from_checkpoint(load_checkpoint(path), path)
