"""Random LSTM weights and checkpoints for the LSTM, poem and Keras tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dinogen.checkpoint import Checkpoint, save_checkpoint
from dinogen.lstm import lstm_shapes
from dinogen.vocab import Vocabulary

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def random_lstm_arrays(vocab_size, hidden_size, layers, embedding_size, seed=0):
    """Weights of the "lstm" layout, large enough to drive the gates hard."""
    rng = np.random.default_rng(seed)
    shapes = lstm_shapes(vocab_size, hidden_size, layers, embedding_size)
    return {
        name: rng.normal(0.0, 0.6, size=shape).astype(np.float32)
        for name, shape in shapes.items()
    }


def make_text_checkpoint(symbols="\n abcdefghijklmnopqrstuvwxyz", seed=0,
                         gate="sigmoid") -> Checkpoint:
    vocab = Vocabulary(tuple(symbols))
    return Checkpoint(
        kind="lstm", vocab=vocab,
        arrays=random_lstm_arrays(len(vocab), 16, 2, 8, seed),
        metadata={"hyperparameters": {"lowercase": True, "gate_activation": gate}},
    )


def text_checkpoint(path, **options) -> Checkpoint:
    checkpoint = make_text_checkpoint(**options)
    save_checkpoint(path, checkpoint)
    return checkpoint



def keras_or_skip():
    """Keras on its dinogen default backend; skipped without the keras extra.

    Under CI the extra is installed, so a failing import fails the tests
    instead of skipping them.
    """
    import os

    import pytest

    os.environ.setdefault("KERAS_BACKEND", "jax")
    if os.environ.get("CI"):
        import keras

        return keras
    return pytest.importorskip("keras")
