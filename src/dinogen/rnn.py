"""The course's character-level RNN, written for speed in plain NumPy.

    a<t> = tanh(Wax x<t> + Waa a<t-1> + b)        Wax (n_a, n_x), Waa (n_a, n_a)
    y<t> = softmax(Wya a<t> + by)                 Wya (n_y, n_a), b (n_a, 1)
                                                  by (n_y, 1)

x<t> is a one-hot column, or all zeros for the first step of a name (input
index -1 here). Only the recurrence is sequential: the input layer (a column
lookup), the output layer, the softmax and every weight gradient are computed
for all time steps at once, and the parameters and gradients each live in one
flat buffer so clipping and the update are one NumPy call each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dinogen.numerics import FlatParameters

PARAMETER_NAMES = ("Wax", "Waa", "Wya", "b", "by")
START = -1  # input index of the all-zeros x<1>


def parameter_shapes(hidden_size: int, vocab_size: int) -> dict[str, tuple]:
    n_a, n_x = hidden_size, vocab_size
    return {
        "Wax": (n_a, n_x),
        "Waa": (n_a, n_a),
        "Wya": (n_x, n_a),
        "b": (n_a, 1),
        "by": (n_x, 1),
    }


@dataclass(frozen=True)
class Sequence:
    """One training sequence, encoded once and reused at every visit."""

    onehot: np.ndarray  # (T, n_x); an all-zero row for the START input
    targets: np.ndarray  # (T,) indices
    steps: np.ndarray  # arange(T), for picking each step's target


def encode_sequence(inputs, targets, vocab_size: int) -> Sequence:
    inputs, targets = np.asarray(inputs), np.asarray(targets)
    steps = np.arange(len(targets))
    onehot = np.zeros((len(inputs), vocab_size))
    known = inputs != START
    onehot[steps[known], inputs[known]] = 1.0
    return Sequence(onehot, targets, steps)


class RNN:
    kind = "rnn"

    def __init__(self, hidden_size: int, vocab_size: int):
        shapes = parameter_shapes(hidden_size, vocab_size)
        self.hidden_size = hidden_size
        self.vocab_size = vocab_size
        self.params = FlatParameters(shapes)
        self.grads = FlatParameters(shapes)

    @classmethod
    def initialized(cls, hidden_size: int, vocab_size: int, seed: int = 1) -> RNN:
        """Weights as the course sets them: legacy seed, randn * 0.01, zero biases."""
        model = cls(hidden_size, vocab_size)
        draw = np.random.RandomState(seed).randn
        for name in ("Wax", "Waa", "Wya"):
            model.params[name][...] = draw(*model.params[name].shape) * 0.01
        return model

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> RNN:
        hidden_size, vocab_size = arrays["Wax"].shape
        model = cls(hidden_size, vocab_size)
        model.params.load(arrays)
        return model

    def arrays(self) -> dict[str, np.ndarray]:
        return self.params.copy_arrays()

    # -- training ------------------------------------------------------------

    def loss_and_gradients(
        self, example: Sequence, a_prev: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """Cross-entropy of one sequence, summed over steps; fills ``self.grads``.

        a_prev: hidden state before the first step, shape (n_a,).
        Returns the loss and the last hidden state, shape (n_a,).
        """
        Wax, Waa, Wya = self.params["Wax"], self.params["Waa"], self.params["Wya"]
        b, by = self.params["b"][:, 0], self.params["by"][:, 0]
        grads = self.grads
        onehot, targets, steps = example.onehot, example.targets, example.steps
        T, n_a = len(targets), self.hidden_size

        # input layer: a one-hot x<t> selects a column of Wax; b joins it here
        # rather than inside the loop (one addition per step fewer)
        from_input = onehot @ Wax.T
        from_input += b

        # recurrence, row a[t + 1] = a<t>
        a = np.empty((T + 1, n_a))
        a[0] = a_prev
        pre = np.empty(n_a)
        for x_part, a_in, a_out in zip(from_input, a[:-1], a[1:]):
            np.dot(Waa, a_in, out=pre)
            pre += x_part
            np.tanh(pre, out=a_out)
        hidden = a[1:]

        # output layer, softmax and loss for all steps at once
        logits = hidden @ Wya.T
        logits += by
        logits -= np.maximum.reduce(logits, axis=1, keepdims=True)
        probs = np.exp(logits, out=logits)
        probs /= np.add.reduce(probs, axis=1, keepdims=True)
        loss = -np.add.reduce(np.log(probs[steps, targets]))

        # backward: output layer, then the recurrence from the last step
        dz = probs
        dz[steps, targets] -= 1.0
        np.dot(dz.T, hidden, out=grads["Wya"])
        np.add.reduce(dz, axis=0, out=grads["by"][:, 0])
        d_hidden = dz @ Wya
        tanh_slope = 1.0 - hidden * hidden
        d_pre = np.empty((T, n_a))
        da_next = np.zeros(n_a)
        backwards = zip(d_pre[::-1], d_hidden[::-1], tanh_slope[::-1])
        for grad, from_output, slope in backwards:
            np.add(from_output, da_next, out=grad)
            grad *= slope
            np.dot(grad, Waa, out=da_next)
        np.dot(d_pre.T, onehot, out=grads["Wax"])
        np.dot(d_pre.T, a[:-1], out=grads["Waa"])
        np.add.reduce(d_pre, axis=0, out=grads["b"][:, 0])
        return float(loss), a[T].copy()

    def clip_gradients(self, max_value: float) -> None:
        """Element-wise clipping to [-max_value, max_value], as the course does."""
        flat = self.grads.flat
        np.minimum(flat, max_value, out=flat)
        np.maximum(flat, -max_value, out=flat)

    def apply_gradients(self, learning_rate: float) -> None:
        self.params.flat -= learning_rate * self.grads.flat

    def parameters_finite(self) -> bool:
        return bool(np.isfinite(self.params.flat).all())

    # -- generation ------------------------------------------------------------

    def initial_state(self, batch: int) -> np.ndarray:
        return np.zeros((batch, self.hidden_size))

    def step(self, state: np.ndarray, inputs: np.ndarray):
        """Advance a batch one character: state (B, n_a), inputs (B,) indices.

        Returns the logits (B, n_y) of the next character and the new state.
        """
        p = self.params
        # rows Wax[:, i] + b, then b alone, which index START (-1) picks
        from_input = np.vstack([p["Wax"].T, np.zeros(self.hidden_size)])
        from_input += p["b"][:, 0]
        pre = state @ p["Waa"].T
        pre += from_input[inputs]
        state = np.tanh(pre, out=pre)
        return state @ p["Wya"].T + p["by"][:, 0], state

    def start_inputs(self, batch: int) -> np.ndarray:
        return np.full(batch, START)
