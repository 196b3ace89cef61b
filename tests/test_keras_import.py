"""Importing Keras 2 HDF5 models: a small file written here, and the course's."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from dinogen.checkpoint import load_checkpoint
from dinogen.cli import cli
from dinogen.errors import DinogenError
from dinogen.keras_import import SONNETS_SYMBOLS, import_keras2
from dinogen.lstm import LSTM
from dinogen.models import model_from_checkpoint
from dinogen.numerics import log_softmax
from dinogen.text import read_text
from dinogen.vocab import Vocabulary
from tests.lstm_weights import SHARED_DATA, keras_or_skip, random_lstm_arrays

h5py = pytest.importorskip("h5py")

COURSE_MODEL = SHARED_DATA / "legacy" / "model_shakespeare_kiank_350_epoch.h5"
SYMBOLS = "\nabcde"


def lstm_layer(name, units, gate="hard_sigmoid", sequences=True):
    return {"class_name": "LSTM", "name": name, "config": {
        "name": name, "units": units, "activation": "tanh",
        "recurrent_activation": gate, "use_bias": True,
        "return_sequences": sequences}}


def write_keras2_model(path, arrays, gate="hard_sigmoid", extra_layer=None):
    """An HDF5 file laid out as Keras 2.0 saves a functional model."""
    hidden = arrays["lstm_0_recurrent_kernel"].shape[0]
    vocab_size = arrays["dense_bias"].shape[0]
    layers = [
        {"class_name": "InputLayer", "name": "input_1", "config": {
            "name": "input_1", "batch_input_shape": [None, 40, vocab_size]}},
        lstm_layer("lstm_1", hidden, gate),
        {"class_name": "Dropout", "name": "dropout_1",
         "config": {"name": "dropout_1", "rate": 0.5}},
        lstm_layer("lstm_2", hidden, gate, sequences=False),
        {"class_name": "Dense", "name": "dense_1", "config": {
            "name": "dense_1", "units": vocab_size, "activation": "linear"}},
        {"class_name": "Activation", "name": "activation_1",
         "config": {"name": "activation_1", "activation": "softmax"}},
    ]
    if extra_layer:
        layers.insert(1, extra_layer)
    weights = {
        "lstm_1": [("kernel:0", arrays["lstm_0_kernel"]),
                   ("recurrent_kernel:0", arrays["lstm_0_recurrent_kernel"]),
                   ("bias:0", arrays["lstm_0_bias"])],
        "lstm_2": [("kernel:0", arrays["lstm_1_kernel"]),
                   ("recurrent_kernel:0", arrays["lstm_1_recurrent_kernel"]),
                   ("bias:0", arrays["lstm_1_bias"])],
        "dense_1": [("kernel:0", arrays["dense_kernel"]),
                    ("bias:0", arrays["dense_bias"])],
    }
    with h5py.File(path, "w") as handle:
        handle.attrs["keras_version"] = b"2.0.6"
        handle.attrs["backend"] = b"tensorflow"
        config = {"class_name": "Model", "config": {"name": "m", "layers": layers}}
        handle.attrs["model_config"] = json.dumps(config).encode()
        group = handle.create_group("model_weights")
        names = [layer["name"] for layer in layers]
        group.attrs["layer_names"] = np.array([n.encode() for n in names])
        for name in names:
            layer_group = group.create_group(name)
            pairs = weights.get(name, [])
            layer_group.attrs["weight_names"] = np.array(
                [f"{name}/{w}".encode() for w, _ in pairs]
            )
            for weight, value in pairs:
                layer_group.create_dataset(f"{name}/{weight}", data=value)


@pytest.fixture
def small_model(tmp_path):
    arrays = random_lstm_arrays(len(SYMBOLS), 8, 2, 0, seed=7)
    path = tmp_path / "small.h5"
    write_keras2_model(path, arrays)
    return path, arrays


def test_import_places_every_weight_and_records_the_gates(small_model):
    path, arrays = small_model
    checkpoint = import_keras2(path, Vocabulary(tuple(SYMBOLS)))
    assert sorted(checkpoint.arrays) == sorted(arrays)
    for name, array in arrays.items():
        assert np.array_equal(checkpoint.arrays[name], array), name
    assert checkpoint.hyperparameters["gate_activation"] == "hard_sigmoid"
    assert checkpoint.hyperparameters["seq_length"] == 40


def test_imported_model_runs_hard_sigmoid_gates(small_model, tmp_path):
    """Through the CLI and back: the loaded model uses Keras 2's gate function."""
    path, arrays = small_model
    vocab_file = tmp_path / "vocab.txt"
    vocab_file.write_text("abcde\n")
    out = tmp_path / "small.npz"
    result = CliRunner().invoke(
        cli, ["import-keras", str(path), str(out), "--vocab-from", str(vocab_file)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "2 LSTM layer(s) of 8 units, hard_sigmoid gates, 6 symbols" in result.stderr
    checkpoint = load_checkpoint(out)
    model = model_from_checkpoint(checkpoint, out)
    inputs = np.array([[0, 1, 2, 3, 4, 5, 1]])
    expected, _ = LSTM(arrays, gate_activation="hard_sigmoid").forward(inputs)
    assert np.array_equal(model.forward(inputs)[0], expected)
    sigmoid_logits, _ = LSTM(arrays).forward(inputs)
    assert np.abs(sigmoid_logits - expected).max() > 1e-2


def test_imported_model_agrees_with_keras_given_keras2_gates(small_model):
    keras = keras_or_skip()
    from dinogen.keras_backend import KerasConfig, build_model, load_arrays

    path, _ = small_model
    checkpoint = import_keras2(path, Vocabulary(tuple(SYMBOLS)))
    config = KerasConfig(layers=2, hidden_size=8, embedding_size=0)
    model = build_model(
        keras, len(SYMBOLS), config,
        gate=lambda z: keras.ops.clip(0.2 * z + 0.5, 0.0, 1.0),
    )
    load_arrays(model, keras, checkpoint.arrays)
    inputs = np.array([[0, 3, 1, 4, 1, 5, 2, 2]], dtype=np.int32)
    expected = log_softmax(np.asarray(model.predict_on_batch(inputs), np.float64))
    got = log_softmax(model_from_checkpoint(checkpoint, path).forward(inputs)[0])
    assert np.abs(np.exp(got) - np.exp(expected)).max() < 1e-5


@pytest.mark.parametrize("extra,message", [
    ({"class_name": "GRU", "name": "gru_1", "config": {"name": "gru_1"}},
     "layer 'gru_1' of type GRU is not supported"),
])
def test_unsupported_layers_are_named(tmp_path, extra, message):
    arrays = random_lstm_arrays(len(SYMBOLS), 8, 2, 0)
    path = tmp_path / "odd.h5"
    write_keras2_model(path, arrays, extra_layer=extra)
    with pytest.raises(DinogenError, match=message):
        import_keras2(path, Vocabulary(tuple(SYMBOLS)))


def test_unknown_gate_activation_is_refused(tmp_path):
    path = tmp_path / "relu.h5"
    write_keras2_model(path, random_lstm_arrays(len(SYMBOLS), 8, 2, 0), gate="relu")
    with pytest.raises(DinogenError, match=r"unsupported gate activation.*relu"):
        import_keras2(path, Vocabulary(tuple(SYMBOLS)))


def test_a_vocabulary_of_another_size_is_refused(small_model):
    path, _ = small_model
    with pytest.raises(DinogenError, match="reads 6 .* vocabulary has 38"):
        import_keras2(path, Vocabulary(tuple(SONNETS_SYMBOLS)))


def test_a_file_that_is_not_hdf5_is_one_error_line(tmp_path):
    path = tmp_path / "model.h5"
    path.write_text("not hdf5")
    out = tmp_path / "out.npz"
    result = CliRunner().invoke(cli, ["import-keras", str(path), str(out)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: {path}: not an HDF5 file\n"
    assert not out.exists()


@pytest.mark.skipif(not COURSE_MODEL.is_file(), reason="the course's model is absent")
def test_the_course_model_predicts_the_sonnets_as_documented(tmp_path):
    """About 60 % right on the next character after 40, as the course ran it."""
    checkpoint = import_keras2(COURSE_MODEL, Vocabulary(tuple(SONNETS_SYMBOLS)))
    model = model_from_checkpoint(checkpoint, COURSE_MODEL)
    sonnets = SHARED_DATA / "shakespeare.txt"
    ids = read_text(sonnets, vocab=checkpoint.vocab).ids.astype(np.int64)
    starts = np.arange(0, len(ids) - 41, 97)
    state = model.initial_state(len(starts))
    for t in range(40):
        logits, state = model.step(state, ids[starts + t])
    accuracy = (logits.argmax(axis=-1) == ids[starts + 40]).mean()
    assert 0.55 < accuracy < 0.65
