"""Converting a Keras 2 HDF5 model of stacked LSTMs into an "lstm" checkpoint.

The file must hold a functional or sequential model whose layers are: an
input of one-hot symbols, one or more LSTMs of equal width (dropout layers
between them are ignored: they do nothing at inference), then a dense layer
of one unit per symbol, optionally followed by a softmax. Only the weights
are read, with h5py; Keras is not needed. The gate activation is taken from
the model's configuration and recorded in the checkpoint, because Keras 2's
default, ``hard_sigmoid``, is ``clip(0.2 z + 0.5, 0, 1)`` and Keras 3 means
something else by that name.

HDF5 files carry no vocabulary: it is given by the caller, by default the 38
symbols of the Sonnets (``sorted(set(text.lower()))`` of ``shakespeare.txt``),
which is what the course's model reads.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from dinogen.checkpoint import Checkpoint
from dinogen.errors import DinogenError
from dinogen.lstm import GATE_ACTIVATIONS
from dinogen.vocab import Vocabulary

SONNETS_SYMBOLS = "\n !'(),-.:;?abcdefghijklmnopqrstuvwxyz"
IGNORED_LAYERS = ("InputLayer", "Dropout", "Masking")


def _import_h5py():
    try:
        import h5py
    except ImportError:
        raise DinogenError(
            "reading HDF5 needs h5py; install it with: pip install 'dinogen[keras]'"
        ) from None
    return h5py


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _layer_configs(path, handle) -> list[dict]:
    if "model_config" not in handle.attrs:
        raise DinogenError(f"{path}: no model_config; not a whole Keras model file")
    try:
        config = json.loads(_text(handle.attrs["model_config"]))
        layers = config["config"]
        # Sequential models of Keras 2 list their layers directly
        return layers if isinstance(layers, list) else layers["layers"]
    except (ValueError, KeyError, TypeError):
        raise DinogenError(f"{path}: its model_config is not a Keras model") from None


def _layer_weights(path, weights_group, name: str) -> list[np.ndarray]:
    if name not in weights_group:
        raise DinogenError(f"{path}: no weights for layer {name!r}")
    group = weights_group[name]
    names = [_text(n) for n in group.attrs.get("weight_names", [])]
    try:
        return [np.asarray(group[n], dtype=np.float32) for n in names]
    except KeyError as err:
        raise DinogenError(f"{path}: layer {name!r} lacks a weight ({err})") from None


def read_keras2_lstm(path: str | Path) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays of ``lstm.py`` and a description of the model in ``path``."""
    h5py = _import_h5py()
    path = Path(path)
    if not path.is_file():
        raise DinogenError(f"{path}: no such file")
    try:
        handle = h5py.File(path, "r")
    except OSError:
        raise DinogenError(f"{path}: not an HDF5 file") from None
    with handle:
        layers = _layer_configs(path, handle)
        weights_group = handle["model_weights"] if "model_weights" in handle else handle
        arrays, gates, widths, window = {}, set(), set(), None
        dense_seen = False
        keras_version = _text(handle.attrs.get("keras_version", "unknown"))
        for layer in layers:
            kind, config = layer.get("class_name"), layer.get("config", {})
            name = config.get("name") or layer.get("name")
            if kind == "InputLayer":
                window = (config.get("batch_input_shape") or [None, None])[1]
            if kind in IGNORED_LAYERS:
                continue
            if kind == "Activation" and dense_seen:
                if config.get("activation") != "softmax":
                    raise DinogenError(
                        f"{path}: layer {name!r}: only a final softmax is supported"
                    )
                continue
            if kind == "LSTM" and not dense_seen:
                if config.get("activation", "tanh") != "tanh":
                    raise DinogenError(
                        f"{path}: layer {name!r}: activation must be tanh"
                    )
                if not config.get("use_bias", True):
                    raise DinogenError(f"{path}: layer {name!r}: must use a bias")
                k = sum(1 for a in arrays if a.endswith("_recurrent_kernel"))
                kernel, recurrent, bias = _layer_weights(path, weights_group, name)
                arrays[f"lstm_{k}_kernel"] = kernel
                arrays[f"lstm_{k}_recurrent_kernel"] = recurrent
                arrays[f"lstm_{k}_bias"] = bias
                gates.add(config.get("recurrent_activation", "hard_sigmoid"))
                widths.add(int(config.get("units", recurrent.shape[0])))
                continue
            if kind == "Dense" and arrays and not dense_seen:
                if config.get("activation", "linear") not in ("linear", "softmax"):
                    raise DinogenError(
                        f"{path}: layer {name!r}: dense activation must be linear "
                        "or softmax"
                    )
                kernel, bias = _layer_weights(path, weights_group, name)
                arrays["dense_kernel"], arrays["dense_bias"] = kernel, bias
                dense_seen = True
                continue
            raise DinogenError(
                f"{path}: layer {name!r} of type {kind} is not supported here "
                "(expected input, LSTM layers, dense, softmax)"
            )
    if not dense_seen:
        raise DinogenError(f"{path}: no LSTM layers followed by a dense layer")
    if len(widths) != 1:
        raise DinogenError(f"{path}: its LSTM layers differ in width {sorted(widths)}")
    if len(gates) != 1 or next(iter(gates)) not in GATE_ACTIVATIONS:
        raise DinogenError(
            f"{path}: unsupported gate activation(s) {sorted(gates)} "
            f"(supported: {', '.join(GATE_ACTIVATIONS)})"
        )
    description = {
        "gate_activation": next(iter(gates)),
        "window": window,
        "keras_version": keras_version,
    }
    return arrays, description


def import_keras2(path: str | Path, vocab: Vocabulary) -> Checkpoint:
    """A checkpoint of the Keras 2 model in ``path`` that reads ``vocab``."""
    path = Path(path)
    arrays, description = read_keras2_lstm(path)
    vocab_size = arrays["dense_bias"].shape[0]
    if vocab_size != len(vocab) or arrays["lstm_0_kernel"].shape[0] != len(vocab):
        raise DinogenError(
            f"{path}: the model reads {arrays['lstm_0_kernel'].shape[0]} and writes "
            f"{vocab_size} symbols, but the vocabulary has {len(vocab)}"
        )
    layers = sum(1 for name in arrays if name.endswith("_recurrent_kernel"))
    hyperparameters = {
        "layers": layers,
        "hidden_size": int(arrays["lstm_0_recurrent_kernel"].shape[0]),
        "embedding_size": 0,
        "gate_activation": description["gate_activation"],
        "seq_length": description["window"],
        "lowercase": True,
        "backend": f"keras {description['keras_version']}",
    }
    metadata = {
        "hyperparameters": hyperparameters,
        "iteration": None,
        "smoothed_loss": None,
        "imported_from": {
            "name": path.name,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        },
        "corpus_format": "text",
    }
    return Checkpoint(kind="lstm", vocab=vocab, arrays=arrays, metadata=metadata)
