"""The course notebook's graded functions, with the notebook's inputs and outputs.

``clip``, ``optimize`` and ``sample`` take and return the notebook's
dictionaries of column vectors, so its tests and saved parameters work as they
are; underneath they run dinogen's own RNN and samplers.
"""

from __future__ import annotations

import numpy as np

from dinogen.rnn import RNN, START
from dinogen.sampling import draw_assignment_name

GRADIENT_NAMES = ("dWax", "dWaa", "dWya", "db", "dby")


def clip(gradients: dict, maxValue: float) -> dict:  # noqa: N803 (notebook name)
    """Clip every gradient in place to [-maxValue, maxValue]."""
    for name in GRADIENT_NAMES:
        np.clip(gradients[name], -maxValue, maxValue, out=gradients[name])
    return gradients


def optimize(X, Y, a_prev, parameters, learning_rate=0.01):  # noqa: N803
    """One step of gradient descent on one example, updating ``parameters`` in place.

    X: indices with ``None`` first (the all-zeros input); Y: X shifted left
    and ended by the end symbol. Returns the loss, the clipped gradients and
    the last hidden state, shape (n_a, 1).
    """
    model = RNN.from_arrays(parameters)
    inputs = [START if x is None else x for x in X]
    example = model.encode(inputs, Y)
    a_prev = np.asarray(a_prev, dtype=float).reshape(-1)
    loss, a_last = model.loss_and_gradients(example, a_prev)
    model.clip_gradients(5)
    model.apply_gradients(learning_rate)
    for name, array in model.params.arrays.items():
        parameters[name][...] = array
    gradients = {"d" + name: g.copy() for name, g in model.grads.arrays.items()}
    return loss, gradients, a_last.reshape(-1, 1)


def sample(parameters, char_to_ix, seed):
    """The notebook's sampler: indices of one name, ended by the end symbol.

    The i-th character is drawn with NumPy's legacy generator seeded
    ``seed + 2 * i``; a name reaching 50 characters is cut and ended there.
    """
    return draw_assignment_name(RNN.from_arrays(parameters), seed, max_length=50)
