"""A long short-term memory cell, batched, in Keras' layout (checkpoint kind "lstm").

Gate order i, f, c, o in every 4H-wide array, as ``dinogen.lstm`` reads it:

    z = p + h_prev U             p = x W + b given, U (H, 4H)
    i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o);   g = tanh(z_c)
    c = f * c_prev + i * g,      h = o * tanh(c)

Only the logistic sigmoid is trained here; ``hard_sigmoid`` exists for
running old Keras models.
"""

from __future__ import annotations

import numpy as np

from dinogen.cells.gru import sigmoid


class LSTMCell:
    name = "lstm"
    kind = "lstm"
    gates = 4

    def __init__(self, hidden_size: int):
        self.hidden_size = hidden_size

    def weight_shapes(self, input_size: int) -> dict[str, tuple[int, ...]]:
        H = self.hidden_size
        return {
            "kernel": (input_size, 4 * H),
            "recurrent_kernel": (H, 4 * H),
            "bias": (4 * H,),
        }

    def initial_state(self, batch: int, dtype=np.float64) -> tuple[np.ndarray, ...]:
        zeros = np.zeros((batch, self.hidden_size), dtype=dtype)
        return (zeros, zeros.copy())

    def _activations(self, z):
        """Gate values (B, 4H) in place of z: sigmoids for i, f, o, tanh for c."""
        H = self.hidden_size
        a = sigmoid(z)
        a[:, 2 * H : 3 * H] = np.tanh(z[:, 2 * H : 3 * H])
        return a

    def step(self, w, projected, state):
        H = self.hidden_size
        h_prev, c_prev = state
        a = self._activations(projected + h_prev @ w["recurrent_kernel"])
        c = a[:, H : 2 * H] * c_prev + a[:, :H] * a[:, 2 * H : 3 * H]
        h = a[:, 3 * H :] * np.tanh(c)
        return h, (h, c)

    def forward(self, w, projected, cache):
        T, B, _ = projected.shape
        H = self.hidden_size
        U = w["recurrent_kernel"]
        h = np.zeros((T + 1, B, H), dtype=projected.dtype)
        c = np.zeros((T + 1, B, H), dtype=projected.dtype)
        gates = np.empty((T, B, 4 * H), dtype=projected.dtype)
        for t in range(T):
            a = gates[t] = self._activations(projected[t] + h[t] @ U)
            c[t + 1] = a[:, H : 2 * H] * c[t] + a[:, :H] * a[:, 2 * H : 3 * H]
            h[t + 1] = a[:, 3 * H :] * np.tanh(c[t + 1])
        cache.update(h=h, c=c, gates=gates, tanh_c=np.tanh(c[1:]))
        return h[1:]

    def backward(self, w, d_hidden, cache):
        U = w["recurrent_kernel"]
        h, c, gates, tanh_c = (cache[k] for k in ("h", "c", "gates", "tanh_c"))
        T, B, H = d_hidden.shape
        i, f = gates[:, :, :H], gates[:, :, H : 2 * H]
        g, o = gates[:, :, 2 * H : 3 * H], gates[:, :, 3 * H :]
        # factors known before the loop: dc gets dh * to_c, and
        # d(loss)/d(z) is dc * coef for i, f, c and dh * coef for o
        to_c = o * (1.0 - tanh_c * tanh_c)
        coef = np.empty((T, B, 4, H), dtype=d_hidden.dtype)
        coef[:, :, 0] = g * i * (1.0 - i)
        coef[:, :, 1] = c[:-1] * f * (1.0 - f)
        coef[:, :, 2] = i * (1.0 - g * g)
        coef[:, :, 3] = tanh_c * o * (1.0 - o)
        d_z = np.empty((T, B, 4, H), dtype=d_hidden.dtype)
        dh = np.zeros((B, H), dtype=d_hidden.dtype)
        dc = np.zeros((B, H), dtype=d_hidden.dtype)
        U_T = np.ascontiguousarray(U.T)
        for t in range(T - 1, -1, -1):
            dh += d_hidden[t]
            dc += dh * to_c[t]
            np.multiply(dc[:, None, :], coef[t, :, :3], out=d_z[t, :, :3])
            np.multiply(dh, coef[t, :, 3], out=d_z[t, :, 3])
            dc *= f[t]
            dh = d_z[t].reshape(B, 4 * H) @ U_T
        flat_z = d_z.reshape(-1, 4 * H)
        d_U = h[:-1].reshape(-1, H).T @ flat_z
        return flat_z.reshape(T, B, 4 * H), {"recurrent_kernel": d_U}
