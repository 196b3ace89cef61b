"""A straightforward NumPy version of the course's training loop, for comparison.

Written the plain way on purpose: parameters and gradients in dictionaries of
column vectors, a one-hot column per input, one ``np.dot`` per product per
step, and the five arrays clipped and updated one by one. It follows the
notebook's equations, initialisation, shuffling and smoothing, so its smoothed
loss can be compared with dinogen's.
"""

from __future__ import annotations

import numpy as np


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum(axis=0)


def initialise(n_a, n_x, n_y):
    np.random.seed(1)
    return {
        "Wax": np.random.randn(n_a, n_x) * 0.01,
        "Waa": np.random.randn(n_a, n_a) * 0.01,
        "Wya": np.random.randn(n_y, n_a) * 0.01,
        "b": np.zeros((n_a, 1)),
        "by": np.zeros((n_y, 1)),
    }


def forward(X, Y, a0, p, vocab_size):
    xs, hs, ps = {}, {-1: np.copy(a0)}, {}
    loss = 0.0
    for t, ix in enumerate(X):
        xs[t] = np.zeros((vocab_size, 1))
        if ix is not None:
            xs[t][ix] = 1
        hs[t] = np.tanh(np.dot(p["Wax"], xs[t]) + np.dot(p["Waa"], hs[t - 1]) + p["b"])
        ps[t] = softmax(np.dot(p["Wya"], hs[t]) + p["by"])
        loss -= np.log(ps[t][Y[t], 0])
    return loss, (xs, hs, ps)


def backward(X, Y, p, cache):
    xs, hs, ps = cache
    g = {"d" + k: np.zeros_like(v) for k, v in p.items()}
    da_next = np.zeros_like(hs[0])
    for t in reversed(range(len(X))):
        dy = np.copy(ps[t])
        dy[Y[t]] -= 1
        g["dWya"] += np.dot(dy, hs[t].T)
        g["dby"] += dy
        da = np.dot(p["Wya"].T, dy) + da_next
        draw = (1 - hs[t] * hs[t]) * da
        g["db"] += draw
        g["dWax"] += np.dot(draw, xs[t].T)
        g["dWaa"] += np.dot(draw, hs[t - 1].T)
        da_next = np.dot(p["Waa"].T, draw)
    return g, hs


def train(names, vocab, iterations=35_000, n_a=50, report_at=34_000):
    """Returns (smoothed loss after step ``report_at``, smoothed loss at the end)."""
    char_to_ix = {ch: i for i, ch in enumerate(vocab)}
    vocab_size = len(vocab)
    p = initialise(n_a, vocab_size, vocab_size)
    smoothed = -np.log(1.0 / vocab_size) * 7
    examples = list(names)
    np.random.seed(0)
    np.random.shuffle(examples)
    a_prev = np.zeros((n_a, 1))
    at_report = None
    for j in range(iterations):
        X = [None] + [char_to_ix[ch] for ch in examples[j % len(examples)]]
        Y = X[1:] + [char_to_ix["\n"]]
        loss, cache = forward(X, Y, a_prev, p, vocab_size)
        g, hs = backward(X, Y, p, cache)
        for name in ("dWax", "dWaa", "dWya", "db", "dby"):
            np.clip(g[name], -5, 5, out=g[name])
        for name in p:
            p[name] += -0.01 * g["d" + name]
        a_prev = hs[len(X) - 1]
        smoothed = smoothed * 0.999 + loss * 0.001
        if j == report_at:
            at_report = smoothed
    return at_report, smoothed
