"""The NumPy LSTM against Keras 3 on the same weights: next-character probabilities.

Run in CI (the keras extra is installed there); skipped only where Keras is
missing.
"""

import numpy as np
import pytest

from dinogen.keras_backend import KerasConfig, build_model, export_arrays, load_arrays
from dinogen.lstm import LSTM
from dinogen.numerics import softmax
from tests.lstm_weights import keras_or_skip, random_lstm_arrays

keras = keras_or_skip()

VOCAB, HIDDEN, STEPS, BATCH = 11, 16, 30, 3


def keras_probabilities(model, inputs):
    return softmax(np.asarray(model.predict_on_batch(inputs), dtype=np.float64))


def numpy_probabilities(arrays, inputs, gate="sigmoid"):
    logits, _ = LSTM(arrays, gate_activation=gate).forward(inputs)
    return softmax(logits)


def sequences(seed=0):
    """Batches starting with the end symbol, as every dinogen sequence does."""
    inputs = np.random.default_rng(seed).integers(0, VOCAB, size=(BATCH, STEPS))
    inputs[:, 0] = 0
    return inputs.astype(np.int32)


@pytest.mark.parametrize("embedding_size,layers", [(8, 2), (0, 2), (5, 3)])
def test_numpy_and_keras_agree_to_1e_5(embedding_size, layers):
    config = KerasConfig(layers=layers, hidden_size=HIDDEN,
                         embedding_size=embedding_size, dropout=0.3)
    model = build_model(keras, VOCAB, config)
    arrays = random_lstm_arrays(VOCAB, HIDDEN, layers, embedding_size, seed=1)
    load_arrays(model, keras, arrays)
    inputs = sequences()
    expected = keras_probabilities(model, inputs)
    got = numpy_probabilities(arrays, inputs)
    assert np.abs(got - expected).max() < 1e-5
    # the weights are large enough that the probabilities are far from uniform
    assert got.max() > 0.3
    # and the float32 model that writes poems agrees as well
    logits, _ = LSTM(arrays).with_dtype(np.float32).forward(inputs)
    assert logits.dtype == np.float32
    assert np.abs(softmax(logits.astype(np.float64)) - expected).max() < 1e-5


def test_exported_arrays_are_the_keras_weights():
    config = KerasConfig(layers=2, hidden_size=HIDDEN, embedding_size=4)
    model = build_model(keras, VOCAB, config)
    arrays = export_arrays(model, keras, with_embedding=True)
    inputs = sequences(seed=2)
    expected = keras_probabilities(model, inputs)
    assert np.abs(numpy_probabilities(arrays, inputs) - expected).max() < 1e-5


def test_hard_sigmoid_gates_match_keras_with_keras2_gates():
    """Keras 3 given Keras 2's clip(0.2 z + 0.5, 0, 1) as its gate function."""

    def keras2_hard_sigmoid(z):
        return keras.ops.clip(0.2 * z + 0.5, 0.0, 1.0)

    config = KerasConfig(layers=2, hidden_size=HIDDEN, embedding_size=0)
    model = build_model(keras, VOCAB, config, gate=keras2_hard_sigmoid)
    arrays = random_lstm_arrays(VOCAB, HIDDEN, 2, 0, seed=3)
    load_arrays(model, keras, arrays)
    inputs = sequences(seed=3)
    expected = keras_probabilities(model, inputs)
    got = numpy_probabilities(arrays, inputs, gate="hard_sigmoid")
    assert np.abs(got - expected).max() < 1e-5
    # and the sigmoid gates would not have matched
    assert np.abs(numpy_probabilities(arrays, inputs) - expected).max() > 1e-2
