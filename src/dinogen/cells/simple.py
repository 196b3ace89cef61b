"""The course's tanh cell, stackable and batched (checkpoint kind "rnn_stack").

    h<t> = tanh(p<t> + h<t-1> U)     p<t> = x<t> W + b (given), U (H, H)

This is the course's recurrence ``a<t> = tanh(Wax x<t> + Waa a<t-1> + b)``
with row vectors, so ``W = Wax.T`` and ``U = Waa.T``.
"""

from __future__ import annotations

import numpy as np


class TanhCell:
    name = "rnn"
    kind = "rnn_stack"
    gates = 1

    def __init__(self, hidden_size: int):
        self.hidden_size = hidden_size

    def weight_shapes(self, input_size: int) -> dict[str, tuple[int, ...]]:
        H = self.hidden_size
        return {"kernel": (input_size, H), "recurrent_kernel": (H, H), "bias": (H,)}

    def initial_state(self, batch: int, dtype=np.float64) -> tuple[np.ndarray, ...]:
        return (np.zeros((batch, self.hidden_size), dtype=dtype),)

    def step(self, w, projected, state):
        h = np.tanh(projected + state[0] @ w["recurrent_kernel"])
        return h, (h,)

    def forward(self, w, projected, cache):
        T, B, _ = projected.shape
        U = w["recurrent_kernel"]
        # row t + 1 holds h<t>; row 0 is the zero start state
        h = np.zeros((T + 1, B, self.hidden_size), dtype=projected.dtype)
        for t in range(T):
            np.tanh(projected[t] + h[t] @ U, out=h[t + 1])
        cache["h"] = h
        return h[1:]

    def backward(self, w, d_hidden, cache):
        U = w["recurrent_kernel"]
        h = cache["h"]
        T, B, H = d_hidden.shape
        slope = 1.0 - h[1:] * h[1:]
        d_pre = np.empty_like(d_hidden)
        dh = np.zeros((B, H), dtype=d_hidden.dtype)
        U_T = np.ascontiguousarray(U.T)
        for t in range(T - 1, -1, -1):
            dh += d_hidden[t]
            np.multiply(dh, slope[t], out=d_pre[t])
            dh = d_pre[t] @ U_T
        # every step's recurrent weight gradient in one product
        d_U = h[:-1].reshape(-1, H).T @ d_pre.reshape(-1, H)
        return d_pre, {"recurrent_kernel": d_U}
