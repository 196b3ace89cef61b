"""The NumPy LSTM on its own: carried state, and weights changed in place."""

import numpy as np
import pytest

from dinogen.lstm import LSTM
from tests.lstm_weights import random_lstm_arrays

VOCAB, HIDDEN, STEPS, BATCH = 11, 16, 30, 3


def sequences(seed=0):
    inputs = np.random.default_rng(seed).integers(0, VOCAB, size=(BATCH, STEPS))
    inputs[:, 0] = 0
    return inputs


def test_hard_sigmoid_step_by_hand():
    """One unit, one symbol, zero weights but the biases: the gates are constants.

    With z = b = (i, f, c, o) = (0, 0, 1, 5): hard gates i = f = 0.5,
    o = clip(1.5) = 1; c = 0.5 * 0 + 0.5 * tanh(1); h = tanh(c).
    """
    arrays = {
        "lstm_0_kernel": np.zeros((1, 4)),
        "lstm_0_recurrent_kernel": np.zeros((1, 4)),
        "lstm_0_bias": np.array([0.0, 0.0, 1.0, 5.0]),
        "dense_kernel": np.array([[2.0]]),
        "dense_bias": np.array([0.0]),
    }
    model = LSTM(arrays, gate_activation="hard_sigmoid")
    logits, (h, c) = model.step(model.initial_state(1), np.array([0]))
    assert c[0, 0] == 0.5 * np.tanh(1.0)
    assert h[0, 0] == np.tanh(0.5 * np.tanh(1.0))
    assert logits[0, 0] == 2.0 * h[0, 0]


def test_step_with_carried_state_equals_the_whole_sequence():
    arrays = random_lstm_arrays(VOCAB, HIDDEN, 2, 6, seed=5)
    model = LSTM(arrays)
    inputs = sequences(seed=5)
    whole, _ = model.forward(inputs)
    first, state = model.forward(inputs[:, :12])
    rest, _ = model.forward(inputs[:, 12:], state)
    assert np.array_equal(np.concatenate([first, rest], axis=1), whole)


def test_steps_follow_weights_changed_in_place():
    arrays = random_lstm_arrays(VOCAB, HIDDEN, 2, 6, seed=6)
    model = LSTM(arrays)
    inputs = sequences(seed=6)
    model.forward(inputs)
    model.weights["lstm_1_recurrent_kernel"] *= 2.0
    model.weights["lstm_0_bias"] += 0.5
    model.weights_changed()
    changed = {name: a.copy() for name, a in model.weights.items()}
    assert np.array_equal(model.forward(inputs)[0], LSTM(changed).forward(inputs)[0])


@pytest.mark.parametrize("gate", ["sigmoid", "hard_sigmoid"])
@pytest.mark.parametrize("layers, embedding", [(1, 0), (3, 5)])
def test_single_stream_equals_the_batched_step(gate, layers, embedding):
    model = LSTM(random_lstm_arrays(9, 6, layers, embedding, seed=4), gate)
    stream = model.stream()
    state = model.initial_state(1)
    for index in [0, 3, 8, 1, 1, 5, 2]:
        expected, state = model.step(state, np.array([index]))
        np.testing.assert_allclose(stream.step(index), expected[0], rtol=1e-12)
