"""Held-out loss of a text model, run in NumPy through the model's ``step``.

The held-out text (the last 10 % of the corpus) is cut into consecutive
windows of ``window`` characters. Each window is read as generation reads a
prompt: from the start state, the end symbol (index 0) first, then its
characters, so every held-out character is predicted exactly once with at most
``window - 1`` characters of context. The figure is the mean negative
log-likelihood per predicted character, in nats. All windows run as one batch.
"""

from __future__ import annotations

import numpy as np

from dinogen.numerics import log_softmax
from dinogen.text import held_out_windows


def text_nll(model, ids: np.ndarray, window: int) -> float:
    """Mean NLL per character of ``ids`` read in windows of ``window``."""
    inputs, targets, weights = held_out_windows(ids, window)
    rows = np.arange(len(inputs))
    state = model.initial_state(len(inputs))
    total = 0.0
    for t in range(window):
        logits, state = model.step(state, inputs[:, t])
        log_probs = log_softmax(np.asarray(logits, dtype=np.float64))
        total -= float((log_probs[rows, targets[:, t]] * weights[:, t]).sum())
    return total / float(weights.sum())


def next_character_accuracy(model, ids: np.ndarray, window: int) -> float:
    """How often the most likely next character is the right one."""
    inputs, targets, weights = held_out_windows(ids, window)
    state = model.initial_state(len(inputs))
    right = 0.0
    for t in range(window):
        logits, state = model.step(state, inputs[:, t])
        hits = logits.argmax(axis=-1) == targets[:, t]
        right += float((hits * weights[:, t]).sum())
    return right / float(weights.sum())
