"""The course's character-level RNN, written for speed in plain NumPy.

    a<t> = tanh(Wax x<t> + Waa a<t-1> + b)        Wax (n_a, n_x), Waa (n_a, n_a)
    y<t> = softmax(Wya a<t> + by)                 Wya (n_y, n_a), b (n_a, 1)
                                                  by (n_y, 1)

x<t> is a one-hot column, or all zeros for the first step of a name (input
index -1 here). Only the recurrence is sequential; the output layer, the
softmax and every weight gradient are computed for all time steps at once.

The weights are stored as two blocks, ``M = [Waa | b | Wax]`` and
``N = [Wya | by]``, in one flat buffer; the five arrays are views into them.
With ``z<t> = [a<t-1>; 1; x<t>]`` the recurrence is then one matrix-vector
product a step, ``a<t> = tanh(M z<t>)``, the gradients of Waa, b and Wax come
from one matrix product, ``dM = sum_t da_raw<t> z<t>^T``, and clipping and the
update are one NumPy call each.
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


class RNNWeights(FlatParameters):
    """The blocks M = [Waa | b | Wax] and N = [Wya | by], and the notebook's views."""

    def __init__(self, hidden_size: int, vocab_size: int):
        n_a, n_x = hidden_size, vocab_size
        super().__init__({"M": (n_a, n_a + 1 + n_x), "N": (n_x, n_a + 1)})
        self.M, self.N = self.arrays["M"], self.arrays["N"]
        self.arrays = {
            "Wax": self.M[:, n_a + 1 :],
            "Waa": self.M[:, :n_a],
            "Wya": self.N[:, :n_a],
            "b": self.M[:, n_a : n_a + 1],
            "by": self.N[:, n_a:],
        }


@dataclass(frozen=True)
class Sequence:
    """One training sequence, encoded once and reused at every visit."""

    inputs: np.ndarray  # (T + 1, n_a + 1 + n_x): rows [0; 1; x<t>], one spare
    # (the spare row receives the last hidden state)
    targets: np.ndarray  # (T,) indices
    steps: np.ndarray  # arange(T), for picking each step's target


def encode_sequence(inputs, targets, vocab_size: int, hidden_size: int) -> Sequence:
    """Rows z<t> = [a<t-1>; 1; x<t>] with a<t-1> left at 0, to be filled in."""
    inputs, targets = np.asarray(inputs), np.asarray(targets)
    steps = np.arange(len(targets))
    rows = np.zeros((len(inputs) + 1, hidden_size + 1 + vocab_size))
    rows[:, hidden_size] = 1.0
    known = inputs != START
    rows[steps[known], hidden_size + 1 + inputs[known]] = 1.0
    return Sequence(rows, targets, steps)


class RNN:
    kind = "rnn"

    def __init__(self, hidden_size: int, vocab_size: int):
        self.hidden_size = hidden_size
        self.vocab_size = vocab_size
        self.params = RNNWeights(hidden_size, vocab_size)
        self.grads = RNNWeights(hidden_size, vocab_size)
        self._step_buffer = np.empty_like(self.params.flat)

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

    def encode(self, inputs, targets) -> Sequence:
        return encode_sequence(inputs, targets, self.vocab_size, self.hidden_size)

    # -- training ------------------------------------------------------------

    def loss_and_gradients(
        self, example: Sequence, a_prev: np.ndarray
    ) -> tuple[float, np.ndarray]:
        """Cross-entropy of one sequence, summed over steps; fills ``self.grads``.

        a_prev: hidden state before the first step, shape (n_a,).
        Returns the loss and the last hidden state, shape (n_a,).
        """
        M, N = self.params.M, self.params.N
        targets, steps = example.targets, example.steps
        T, n_a = len(targets), self.hidden_size

        # recurrence: z[t] = [a<t-1>; 1; x<t>], and a<t> is written into z[t + 1]
        z = example.inputs.copy()
        z[0, :n_a] = a_prev
        pre = np.empty(n_a)
        for z_in, a_out in zip(z[:-1], z[1:, :n_a]):
            np.dot(M, z_in, out=pre)
            np.tanh(pre, out=a_out)
        hidden_and_one = z[1:, : n_a + 1]  # rows [a<t>; 1]
        hidden = hidden_and_one[:, :n_a]

        # output layer, softmax and loss for all steps at once
        logits = hidden_and_one @ N.T
        logits -= np.maximum.reduce(logits, axis=1, keepdims=True)
        probs = np.exp(logits, out=logits)
        probs /= np.add.reduce(probs, axis=1, keepdims=True)
        loss = -np.add.reduce(np.log(probs[steps, targets]))

        # backward: output layer, then the recurrence from the last step
        dz = probs
        dz[steps, targets] -= 1.0
        np.dot(dz.T, hidden_and_one, out=self.grads.N)
        d_hidden = (dz @ N)[:, :n_a]  # dz Wya, without a strided operand
        tanh_slope = 1.0 - hidden * hidden
        d_pre = np.empty((T, n_a))
        # da_raw M is [da_raw Waa | da_raw b | da_raw Wax]; the first n_a entries
        # carry the gradient back a step (M itself is contiguous, Waa is not)
        through_m = np.zeros(M.shape[1])
        da_next = through_m[:n_a]
        backwards = zip(d_pre[::-1], d_hidden[::-1], tanh_slope[::-1])
        for grad, from_output, slope in backwards:
            np.add(from_output, da_next, out=grad)
            grad *= slope
            np.dot(grad, M, out=through_m)
        np.dot(d_pre.T, z[:-1], out=self.grads.M)
        return float(loss), z[T, :n_a].copy()

    def clip_gradients(self, max_value: float) -> None:
        """Element-wise clipping to [-max_value, max_value], as the course does."""
        flat = self.grads.flat
        np.minimum(flat, max_value, out=flat)
        np.maximum(flat, -max_value, out=flat)

    def apply_gradients(self, learning_rate: float) -> None:
        step = np.multiply(self.grads.flat, learning_rate, out=self._step_buffer)
        self.params.flat -= step

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
