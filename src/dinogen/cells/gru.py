"""A gated recurrent unit, batched (checkpoint kind "gru").

Gate order z, r, n in every 3H-wide array, the layout of Keras' GRU with
``reset_after=True`` (also PyTorch's formulation):

    p = x W + b                  given, (B, 3H)
    q = h_prev U + b_rec         U (H, 3H), b_rec (3H,)
    z = sigmoid(p_z + q_z)       update gate
    r = sigmoid(p_r + q_r)       reset gate
    n = tanh(p_n + r * q_n)      candidate
    h = z * h_prev + (1 - z) * n
"""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    # tanh form: no overflow warning for large negative x
    return 0.5 * (np.tanh(0.5 * x) + 1.0)


class GRUCell:
    name = "gru"
    kind = "gru"
    gates = 3

    def __init__(self, hidden_size: int):
        self.hidden_size = hidden_size

    def weight_shapes(self, input_size: int) -> dict[str, tuple[int, ...]]:
        H = self.hidden_size
        return {
            "kernel": (input_size, 3 * H),
            "recurrent_kernel": (H, 3 * H),
            "bias": (3 * H,),
            "recurrent_bias": (3 * H,),
        }

    def initial_state(self, batch: int, dtype=np.float64) -> tuple[np.ndarray, ...]:
        return (np.zeros((batch, self.hidden_size), dtype=dtype),)

    def _advance(self, w, p, h_prev):
        H = self.hidden_size
        q = h_prev @ w["recurrent_kernel"] + w["recurrent_bias"]
        zr = sigmoid(p[:, : 2 * H] + q[:, : 2 * H])
        z, r = zr[:, :H], zr[:, H:]
        n = np.tanh(p[:, 2 * H :] + r * q[:, 2 * H :])
        h = n + z * (h_prev - n)
        return h, z, r, n, q[:, 2 * H :]

    def step(self, w, projected, state):
        h = self._advance(w, projected, state[0])[0]
        return h, (h,)

    def forward(self, w, projected, cache):
        T, B, _ = projected.shape
        H = self.hidden_size
        h = np.zeros((T + 1, B, H), dtype=projected.dtype)
        z, r, n, q_n = (np.empty((T, B, H), dtype=projected.dtype) for _ in range(4))
        for t in range(T):
            h[t + 1], z[t], r[t], n[t], q_n[t] = self._advance(w, projected[t], h[t])
        cache.update(h=h, z=z, r=r, n=n, q_n=q_n)
        return h[1:]

    def backward(self, w, d_hidden, cache):
        U = w["recurrent_kernel"]
        h, z, r, n, q_n = (cache[k] for k in ("h", "z", "r", "n", "q_n"))
        T, B, H = d_hidden.shape
        # d(loss)/d(q) = dh * coef, with coef known before the loop:
        #   q_z: (h_prev - n) z (1 - z);  q_r: (1 - z)(1 - n^2) q_n r (1 - r);
        #   q_n: (1 - z)(1 - n^2) r
        through_n = (1.0 - z) * (1.0 - n * n)
        coef = np.empty((T, B, 3, H), dtype=d_hidden.dtype)
        coef[:, :, 0] = (h[:-1] - n) * z * (1.0 - z)
        coef[:, :, 1] = through_n * q_n * r * (1.0 - r)
        coef[:, :, 2] = through_n * r
        d_q = np.empty((T, B, 3, H), dtype=d_hidden.dtype)
        dh_all = np.empty_like(d_hidden)
        dh = np.zeros((B, H), dtype=d_hidden.dtype)
        U_T = np.ascontiguousarray(U.T)
        for t in range(T - 1, -1, -1):
            dh += d_hidden[t]
            dh_all[t] = dh
            np.multiply(dh[:, None, :], coef[t], out=d_q[t])
            dh *= z[t]
            dh += d_q[t].reshape(B, 3 * H) @ U_T
        d_p = d_q.copy()
        d_p[:, :, 2] = dh_all * through_n
        flat_q = d_q.reshape(-1, 3 * H)
        return d_p.reshape(T, B, 3 * H), {
            "recurrent_kernel": h[:-1].reshape(-1, H).T @ flat_q,
            "recurrent_bias": flat_q.sum(axis=0),
        }
