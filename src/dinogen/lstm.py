"""A stacked LSTM in NumPy that runs checkpoints in Keras' weight layout.

Checkpoint kind "lstm". For layers k = 0 .. L-1, with H units each:

    lstm_{k}_kernel            (inputs_k, 4H)   inputs_0 = embedding width, or V
    lstm_{k}_recurrent_kernel  (H, 4H)          inputs_k = H for k > 0
    lstm_{k}_bias              (4H,)
    embedding                  (V, E)           optional; without it x is one-hot
    dense_kernel               (H, V)
    dense_bias                 (V,)

The four H-wide blocks of each kernel are the gates i, f, c, o, as in Keras:

    z = x W + h_prev U + b,   i = g(z_i), f = g(z_f), o = g(z_o)
    c = f * c_prev + i * tanh(z_c),   h = o * tanh(c)

where g is the logistic sigmoid, or Keras 2's ``hard_sigmoid``
(``clip(0.2 z + 0.5, 0, 1)``) when the metadata's hyperparameters say
``"gate_activation": "hard_sigmoid"``. A sequence starts from zero states with
the end symbol (index 0) as its first input, so a names model reads
``\\nname\\n`` and a text model starts as if after a line break.
"""

from __future__ import annotations

import numpy as np

from dinogen.checkpoint import Checkpoint, check_shapes
from dinogen.errors import DinogenError

GATE_ACTIVATIONS = ("sigmoid", "hard_sigmoid")


def sigmoid(z: np.ndarray) -> np.ndarray:
    # tanh form: no overflow warning for large negative z
    return 0.5 * (np.tanh(0.5 * z) + 1.0)


def hard_sigmoid_keras2(z: np.ndarray) -> np.ndarray:
    return np.clip(0.2 * z + 0.5, 0.0, 1.0)


def lstm_shapes(vocab_size, hidden_size, layers, embedding_size) -> dict:
    shapes = {}
    if embedding_size:
        shapes["embedding"] = (vocab_size, embedding_size)
    width = embedding_size or vocab_size
    for k in range(layers):
        shapes[f"lstm_{k}_kernel"] = (width, 4 * hidden_size)
        shapes[f"lstm_{k}_recurrent_kernel"] = (hidden_size, 4 * hidden_size)
        shapes[f"lstm_{k}_bias"] = (4 * hidden_size,)
        width = hidden_size
    shapes["dense_kernel"] = (hidden_size, vocab_size)
    shapes["dense_bias"] = (vocab_size,)
    return shapes


class LSTM:
    kind = "lstm"

    def __init__(self, arrays: dict[str, np.ndarray], gate_activation="sigmoid",
                 dtype=np.float64):
        if gate_activation not in GATE_ACTIVATIONS:
            raise DinogenError(
                f"unknown gate activation {gate_activation!r} "
                f"(known: {', '.join(GATE_ACTIVATIONS)})"
            )
        self.gate_activation = gate_activation
        self.gate = sigmoid if gate_activation == "sigmoid" else hard_sigmoid_keras2
        self.dtype = np.dtype(dtype)
        self.weights = {
            name: np.asarray(a, dtype=self.dtype) for name, a in arrays.items()
        }
        self.layers = sum(1 for name in arrays if name.endswith("_recurrent_kernel"))
        self.hidden_size = self.weights["lstm_0_recurrent_kernel"].shape[0]
        self.vocab_size = self.weights["dense_bias"].shape[0]
        self.embedding = self.weights.get("embedding")
        self._folded_layers = None  # see _folded; weights_changed() clears it

    def with_dtype(self, dtype) -> LSTM:
        """The same model computing in ``dtype``; float32 steps about 1.5x faster."""
        return LSTM(self.weights, self.gate_activation, dtype=dtype)

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: a.copy() for name, a in self.weights.items()}

    def initial_state(self, batch: int) -> tuple[np.ndarray, ...]:
        """(h_0, c_0, h_1, c_1, ...), each (batch, H)."""
        shape = (batch, self.hidden_size)
        return tuple(np.zeros(shape, self.dtype) for _ in range(2 * self.layers))

    def start_inputs(self, batch: int) -> np.ndarray:
        return np.zeros(batch, dtype=np.int64)

    def weights_changed(self) -> None:
        """Call after changing ``self.weights`` in place, so steps use the new ones."""
        self._folded_layers = None

    def _folded(self) -> list[dict[str, np.ndarray]]:
        """Per layer: weights with each gate's affine map folded in, built once.

        Both gate functions are a function of an affine map of z:
        sigmoid(z) = (tanh(z / 2) + 1) / 2 and Keras 2's hard_sigmoid(z) =
        clip(z / 5 + 1 / 2, 0, 1). Scaling the i, f and o columns (and shifting
        their biases) moves that map into the weights, so a step computes one
        tanh, or one clip, for a layer's four blocks. Layer 0's input part,
        x W + b, becomes a table with one row per symbol, and the kernel of
        each higher layer is stacked over its recurrent kernel so that
        [h below, h_prev] [W; U] is one product.
        """
        if self._folded_layers is not None:
            return self._folded_layers
        H = self.hidden_size
        scale = np.ones(4 * H, dtype=self.dtype)
        shift = np.zeros(4 * H, dtype=self.dtype)
        gate_columns = np.r_[0 : 2 * H, 3 * H : 4 * H]
        if self.gate_activation == "sigmoid":
            scale[gate_columns] = 0.5
        else:
            scale[gate_columns] = 0.2
            shift[gate_columns] = 0.5
        layers = []
        for k in range(self.layers):
            kernel = self.weights[f"lstm_{k}_kernel"] * scale
            recurrent = self.weights[f"lstm_{k}_recurrent_kernel"] * scale
            bias = self.weights[f"lstm_{k}_bias"] * scale + shift
            if k == 0:
                rows = kernel if self.embedding is None else self.embedding @ kernel
                layers.append({"input_rows": rows + bias, "recurrent": recurrent})
            else:
                stacked = np.concatenate([kernel, recurrent])
                layers.append({"stacked": stacked, "bias": bias})
        self._folded_layers = layers
        return layers

    def step(self, state, inputs: np.ndarray):
        """Advance a batch one character; returns next-character logits (B, V)."""
        H = self.hidden_size
        new_state = []
        for k, layer in enumerate(self._folded()):
            h_prev, c_prev = state[2 * k], state[2 * k + 1]
            if k == 0:
                z = h_prev @ layer["recurrent"]
                z += layer["input_rows"][inputs]
            else:
                # the layer below's new output is this layer's input
                below_and_prev = np.concatenate([new_state[-2], h_prev], axis=1)
                z = below_and_prev @ layer["stacked"]
                z += layer["bias"]
            if self.gate_activation == "sigmoid":
                squashed = np.tanh(z)
                gates = squashed * 0.5 + 0.5
                candidate = squashed[:, 2 * H : 3 * H]
            else:
                gates = np.clip(z, 0.0, 1.0)
                candidate = np.tanh(z[:, 2 * H : 3 * H])
            i, f, o = gates[:, :H], gates[:, H : 2 * H], gates[:, 3 * H :]
            c = f * c_prev + i * candidate
            h = o * np.tanh(c)
            new_state += [h, c]
        logits = h @ self.weights["dense_kernel"] + self.weights["dense_bias"]
        return logits, tuple(new_state)

    def stream(self) -> LSTMStream:
        """One sequence at a time, with every buffer kept: for writing text."""
        return LSTMStream(self)

    def forward(self, inputs: np.ndarray, state=None):
        """Logits (B, T, V) for every position of a (B, T) batch, and the last state."""
        inputs = np.atleast_2d(inputs)
        if state is None:
            state = self.initial_state(inputs.shape[0])
        logits = []
        for t in range(inputs.shape[1]):
            step_logits, state = self.step(state, inputs[:, t])
            logits.append(step_logits)
        return np.stack(logits, axis=1), state


class LSTMStream:
    """Advances one sequence of an LSTM a character at a time, in place.

    ``LSTM.step`` is batched and returns new arrays; writing a poem advances a
    single sequence hundreds of times, where the cost of each NumPy call, not
    arithmetic, dominates. This keeps its buffers, orders each layer's gate
    columns i, f, o, c so the three gates are one block, and keeps the layers'
    outputs side by side in one vector, so that layer k reads
    ``[h_{k-1}, h_k]`` as one slice: ten NumPy calls a layer.
    """

    def __init__(self, model: LSTM):
        H, L = model.hidden_size, model.layers
        order = np.r_[0 : 2 * H, 3 * H : 4 * H, 2 * H : 3 * H]  # i, f, o, c
        folded = model._folded()
        self.hard = model.gate_activation == "hard_sigmoid"
        self.input_rows = folded[0]["input_rows"][:, order]
        self.weights = [folded[0]["recurrent"][:, order]]
        self.biases = [None]
        for layer in folded[1:]:
            self.weights.append(np.ascontiguousarray(layer["stacked"][:, order]))
            self.biases.append(layer["bias"][order])
        self.dense_kernel = model.weights["dense_kernel"]
        self.dense_bias = model.weights["dense_bias"]
        self.hidden = np.zeros(L * H, model.dtype)  # [h_0, h_1, ...]
        self.cells = np.zeros((L, H), model.dtype)
        self.z = np.empty(4 * H, model.dtype)
        self.logits = np.empty(model.vocab_size, model.dtype)
        # per layer: what it reads, its weights and bias, its cell and output
        hidden = self.hidden
        self.plan = [
            (
                hidden[max(k - 1, 0) * H : (k + 1) * H],
                self.weights[k],
                self.biases[k],
                self.cells[k],
                hidden[k * H : (k + 1) * H],
            )
            for k in range(L)
        ]
        self.H = H

    def reset(self) -> None:
        self.hidden[:] = 0
        self.cells[:] = 0

    def step(self, index: int) -> np.ndarray:
        """Logits of the next character after ``index``; the array is reused."""
        H, z = self.H, self.z
        gates, candidate = z[: 3 * H], z[3 * H :]
        i, f, o = z[:H], z[H : 2 * H], z[2 * H : 3 * H]
        for reads, weights, bias, c, h in self.plan:
            np.dot(reads, weights, out=z)
            # layer 0 reads only its own h; x W + b is a row of a table
            z += self.input_rows[index] if bias is None else bias
            if self.hard:  # the affine part is folded in: clip to [0, 1]
                np.maximum(gates, 0.0, out=gates)
                np.minimum(gates, 1.0, out=gates)
                np.tanh(candidate, out=candidate)
            else:  # sigmoid(x) = (tanh(x / 2) + 1) / 2, x / 2 folded in
                np.tanh(z, out=z)
                gates *= 0.5
                gates += 0.5
            c *= f
            candidate *= i
            c += candidate
            np.tanh(c, out=h)
            h *= o
        np.dot(h, self.dense_kernel, out=self.logits)
        self.logits += self.dense_bias
        return self.logits


def lstm_from_checkpoint(checkpoint: Checkpoint, path) -> LSTM:
    arrays = checkpoint.arrays
    layers = sum(1 for name in arrays if name.endswith("_recurrent_kernel"))
    if layers == 0 or "lstm_0_recurrent_kernel" not in arrays:
        raise DinogenError(f"{path}: missing array 'lstm_0_recurrent_kernel'")
    hidden_size = arrays["lstm_0_recurrent_kernel"].shape[0]
    embedding = arrays.get("embedding")
    embedding_size = 0 if embedding is None else embedding.shape[1]
    shapes = lstm_shapes(len(checkpoint.vocab), hidden_size, layers, embedding_size)
    check_shapes(path, arrays, shapes)
    gate = checkpoint.hyperparameters.get("gate_activation", "sigmoid")
    try:
        return LSTM(arrays, gate_activation=gate)
    except DinogenError as err:
        raise DinogenError(f"{path}: {err}") from None
