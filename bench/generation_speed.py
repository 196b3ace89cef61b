"""Writing 400 characters: the NumPy step against the assignment's Keras way.

The assignment writes each character with a Keras ``predict`` on a one-hot
window of the last 40 characters (zero-padded at first), from zero state each
time, through its network: LSTM 128, dropout, LSTM 128 (last step), dropout,
dense, softmax. dinogen carries
the LSTM state and takes one NumPy step per character. Both run here, side by
side, on the same weights: the course's model imported from its HDF5 file
when it is given, otherwise random weights of its shape (2 x 128 units, 38
symbols, one-hot input). Needs the keras extra. Keras runs on JAX unless
KERAS_BACKEND names another backend; the assignment itself ran Keras on
TensorFlow (``KERAS_BACKEND=tensorflow`` with ``tensorflow-cpu`` installed).

    python bench/generation_speed.py \\
        --course-model ../shared/data/legacy/model_shakespeare_kiank_350_epoch.h5
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from dinogen.keras_backend import import_keras
from dinogen.lstm import LSTM, lstm_shapes
from dinogen.poem import continue_text, writing_model

LENGTH, WINDOW, VOCAB, HIDDEN = 400, 40, 38, 128


def course_arrays(path: Path | None):
    if path is not None:
        from dinogen.keras_import import SONNETS_SYMBOLS, import_keras2
        from dinogen.vocab import Vocabulary

        return import_keras2(path, Vocabulary(tuple(SONNETS_SYMBOLS))).arrays
    rng = np.random.default_rng(0)
    shapes = lstm_shapes(VOCAB, HIDDEN, 2, 0)
    return {n: rng.normal(0, 0.1, s).astype(np.float32) for n, s in shapes.items()}


def assignment_model(keras, arrays):
    """The course's network as its notebook builds it, with Keras 2's gates."""
    def keras2_gate(z):
        return keras.ops.clip(0.2 * z + 0.5, 0.0, 1.0)

    inputs = keras.Input(shape=(WINDOW, VOCAB))
    x = keras.layers.LSTM(HIDDEN, return_sequences=True,
                          recurrent_activation=keras2_gate)(inputs)
    x = keras.layers.Dropout(0.5)(x)
    x = keras.layers.LSTM(HIDDEN, recurrent_activation=keras2_gate)(x)
    x = keras.layers.Dropout(0.5)(x)
    x = keras.layers.Dense(VOCAB)(x)
    model = keras.Model(inputs, keras.layers.Activation("softmax")(x))
    lstms = [la for la in model.layers if isinstance(la, keras.layers.LSTM)]
    for k, layer in enumerate(lstms):
        layer.set_weights([arrays[f"lstm_{k}_{part}"]
                           for part in ("kernel", "recurrent_kernel", "bias")])
    dense = next(la for la in model.layers if isinstance(la, keras.layers.Dense))
    dense.set_weights([arrays["dense_kernel"], arrays["dense_bias"]])
    return model


def assignment_way(model, prompt: list[int], rng) -> list[int]:
    """A ``predict`` on a one-hot window of the last 40 characters, per character."""
    text = list(prompt)
    for _ in range(LENGTH):
        window = np.zeros((1, WINDOW, VOCAB), dtype=np.float32)
        recent = text[-WINDOW:]
        window[0, np.arange(len(recent)), recent] = 1.0
        probs = model.predict(window, verbose=0)[0].astype(np.float64)
        text.append(int(rng.choice(VOCAB, p=probs / probs.sum())))
    return text[len(prompt) :]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course-model", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    keras = import_keras()
    arrays = course_arrays(args.course_model)
    model = assignment_model(keras, arrays)
    numpy_model = writing_model(LSTM(arrays, gate_activation="hard_sigmoid"))
    prompt = [20] * 30

    # both ways compute the same distribution for a full window
    window = np.random.default_rng(1).integers(1, VOCAB, size=WINDOW)
    one_hot = np.eye(VOCAB, dtype=np.float32)[window][None]
    keras_probs = model.predict(one_hot, verbose=0)[0]
    state = numpy_model.initial_state(1)
    for index in window:
        logits, state = numpy_model.step(state, np.array([index]))
    numpy_probs = np.exp(logits[0] - logits[0].max())
    difference = np.abs(numpy_probs / numpy_probs.sum() - keras_probs).max()
    print(f"largest probability difference between the two: {difference:.1e}")
    assignment_way(model, prompt[:1], np.random.default_rng(0))  # compile first

    keras_times, numpy_times = [], []
    for repeat in range(args.repeats):
        started = time.perf_counter()
        assignment_way(model, prompt, np.random.default_rng(repeat))
        keras_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        continue_text(numpy_model, prompt, LENGTH, np.random.default_rng(repeat))
        numpy_times.append(time.perf_counter() - started)

    keras_best, numpy_best = min(keras_times), min(numpy_times)
    print(f"Keras backend: {os.environ['KERAS_BACKEND']}, {args.repeats} repeats, "
          f"best of each")
    print(f"assignment way (Keras predict per character): {keras_best:.3f} s "
          f"for {LENGTH} characters ({keras_best / LENGTH * 1e3:.2f} ms each)")
    print(f"NumPy step with carried state:                {numpy_best:.4f} s "
          f"for {LENGTH} characters ({numpy_best / LENGTH * 1e3:.3f} ms each)")
    print(f"speed-up: {keras_best / numpy_best:.0f}x")


if __name__ == "__main__":
    main()
