"""A stacked recurrent language model with minibatch forward and backward passes.

Layers, each over a padded batch of B sequences of T steps, time-major:

    x0 = embedding[inputs]         (T, B, E)   or one-hot inputs when E = 0
    h_k = cell_k(h_{k-1} W_k + b_k)  (T, B, H)   k = 0 .. L-1, h_{-1} = x0
    logits = h_{L-1} Wd + bd       (T, B, V)

Dropout (inverted: kept values scaled by 1 / (1 - p)) acts on the embedded
inputs and on the output of every recurrent layer. The arrays are named as
the checkpoint stores them: ``{cell}_{k}_kernel``, ``{cell}_{k}_recurrent_kernel``,
``{cell}_{k}_bias`` (and ``gru_{k}_recurrent_bias``), optional ``embedding``,
``dense_kernel``, ``dense_bias``; for the LSTM this is exactly the layout of
``dinogen.lstm``. Every sequence starts from zero states with input index 0.
"""

from __future__ import annotations

import numpy as np

from dinogen.cells import CELLS
from dinogen.checkpoint import Checkpoint, check_shapes
from dinogen.errors import DinogenError
from dinogen.numerics import FlatParameters, log_softmax

KIND_TO_CELL = {cell.kind: name for name, cell in CELLS.items()}


def network_shapes(cell, vocab_size, layers, embedding_size) -> dict[str, tuple]:
    shapes = {}
    if embedding_size:
        shapes["embedding"] = (vocab_size, embedding_size)
    width = embedding_size or vocab_size
    for k in range(layers):
        for part, shape in cell.weight_shapes(width).items():
            shapes[f"{cell.name}_{k}_{part}"] = shape
        width = cell.hidden_size
    shapes["dense_kernel"] = (cell.hidden_size, vocab_size)
    shapes["dense_bias"] = (vocab_size,)
    return shapes


class Network:
    def __init__(
        self,
        cell: str,
        vocab_size: int,
        hidden_size: int,
        layers: int = 1,
        embedding_size: int = 0,
        dtype=np.float64,
    ):
        if cell not in CELLS:
            raise DinogenError(f"unknown cell {cell!r} (known: {', '.join(CELLS)})")
        self.cell = CELLS[cell](hidden_size)
        self.kind = self.cell.kind
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.layers = layers
        self.embedding_size = embedding_size
        self.dtype = np.dtype(dtype)
        shapes = network_shapes(self.cell, vocab_size, layers, embedding_size)
        self.params = FlatParameters(shapes, dtype=self.dtype)
        self.grads = FlatParameters(shapes, dtype=self.dtype)

    # -- set-up ------------------------------------------------------------

    def initialize(self, rng: np.random.Generator) -> None:
        """PyTorch's defaults: every weight and bias uniform in ±1/sqrt(H), the
        embedding standard normal (so its inputs start as large as one-hot's).

        On the dinosaur names this starts training much faster than
        Glorot-uniform kernels and a small embedding.
        """
        limit = 1.0 / np.sqrt(self.hidden_size)
        for name, array in self.params.arrays.items():
            if name == "embedding":
                array[...] = rng.standard_normal(array.shape)
            else:
                array[...] = rng.uniform(-limit, limit, array.shape)

    def decay_mask(self) -> np.ndarray:
        """True for the flat entries that weight decay shrinks: no biases."""
        mask = np.zeros(self.params.flat.shape, dtype=bool)
        offset = 0
        for name, array in self.params.arrays.items():
            if not name.endswith("bias"):
                mask[offset : offset + array.size] = True
            offset += array.size
        return mask

    def arrays(self) -> dict[str, np.ndarray]:
        return self.params.copy_arrays()

    def layer_weights(self, k: int) -> dict[str, np.ndarray]:
        prefix = f"{self.cell.name}_{k}_"
        return {
            name.removeprefix(prefix): array
            for name, array in self.params.arrays.items()
            if name.startswith(prefix)
        }

    # -- training --------------------------------------------------------------

    def loss_and_gradients(
        self,
        inputs: np.ndarray,
        targets: np.ndarray,
        mask: np.ndarray,
        dropout: float = 0.0,
        rng: np.random.Generator | None = None,
    ) -> float:
        """Mean cross-entropy per unmasked target; fills ``self.grads``.

        inputs, targets, mask: (B, T) arrays; padding sits after each
        sequence's end, so it never reaches an unmasked position.
        """
        p, g = self.params, self.grads
        inputs, targets = inputs.T, targets.T  # time-major from here on
        weight = mask.T.astype(self.dtype) / max(int(mask.sum()), 1)
        T, B = inputs.shape
        V, H = self.vocab_size, self.hidden_size
        onehot = np.zeros((T * B, V), dtype=self.dtype)
        onehot[np.arange(T * B), inputs.reshape(-1)] = 1.0

        def dropout_mask(shape):
            if not dropout:
                return None
            keep = rng.random(shape, dtype=self.dtype) >= dropout
            return keep * self.dtype.type(1.0 / (1.0 - dropout))

        # forward: embedding, recurrent layers, dense layer, loss
        input_masks, layer_inputs, caches = [], [], []
        if self.embedding_size:
            x = p["embedding"][inputs]
            input_masks.append(dropout_mask(x.shape))
            if input_masks[-1] is not None:
                x = x * input_masks[-1]
        else:
            x = None  # one-hot: the kernel's rows are the projection
            input_masks.append(None)
        for k in range(self.layers):
            w = self.layer_weights(k)
            projected = project(w, x, inputs)
            cache = {}
            h = self.cell.forward(w, projected, cache)
            layer_inputs.append(x)
            caches.append(cache)
            input_masks.append(dropout_mask(h.shape))
            x = h if input_masks[-1] is None else h * input_masks[-1]
        top = x.reshape(T * B, H)
        log_probs = log_softmax(top @ p["dense_kernel"] + p["dense_bias"])
        picked = log_probs[np.arange(T * B), targets.reshape(-1)]
        loss = -float((picked * weight.reshape(-1)).sum())

        # backward: softmax and dense layer, then each layer from the top
        d_logits = np.exp(log_probs)
        d_logits[np.arange(T * B), targets.reshape(-1)] -= 1.0
        d_logits *= weight.reshape(-1, 1)
        g["dense_kernel"][...] = top.T @ d_logits
        g["dense_bias"][...] = d_logits.sum(axis=0)
        d_x = (d_logits @ p["dense_kernel"].T).reshape(T, B, H)
        for k in range(self.layers - 1, -1, -1):
            if input_masks[k + 1] is not None:
                d_x *= input_masks[k + 1]
            w = self.layer_weights(k)
            d_projected, recurrent = self.cell.backward(w, d_x, caches[k])
            prefix = f"{self.cell.name}_{k}_"
            for part, grad in recurrent.items():
                g[prefix + part][...] = grad
            flat_d = d_projected.reshape(T * B, -1)
            g[prefix + "bias"][...] = flat_d.sum(axis=0)
            x = layer_inputs[k]
            if x is None:
                g[prefix + "kernel"][...] = onehot.T @ flat_d
            else:
                g[prefix + "kernel"][...] = x.reshape(T * B, -1).T @ flat_d
                d_x = d_projected @ w["kernel"].T
        if self.embedding_size:
            if input_masks[0] is not None:
                d_x *= input_masks[0]
            g["embedding"][...] = onehot.T @ d_x.reshape(T * B, -1)
        return loss

    # -- generation (the model protocol of dinogen.sampling) ----------------

    def initial_state(self, batch: int) -> tuple[np.ndarray, ...]:
        parts = []
        for _ in range(self.layers):
            parts += self.cell.initial_state(batch, self.dtype)
        return tuple(parts)

    def start_inputs(self, batch: int) -> np.ndarray:
        return np.zeros(batch, dtype=np.int64)

    def step(self, state, inputs: np.ndarray):
        p = self.params
        per_layer = len(state) // self.layers
        x = p["embedding"][inputs] if self.embedding_size else None
        new_state = []
        for k in range(self.layers):
            w = self.layer_weights(k)
            projected = project(w, x, inputs)
            layer_state = state[k * per_layer : (k + 1) * per_layer]
            x, layer_state = self.cell.step(w, projected, layer_state)
            new_state += layer_state
        logits = x @ p["dense_kernel"] + p["dense_bias"]
        return logits.astype(np.float64), tuple(new_state)


def network_from_arrays(kind: str, vocab_size: int, arrays: dict, path) -> Network:
    """A Network holding a checkpoint's arrays, after checking their shapes."""
    cell_name = KIND_TO_CELL[kind]
    recurrent = f"{cell_name}_0_recurrent_kernel"
    if recurrent not in arrays:
        raise DinogenError(f"{path}: missing array '{recurrent}'")
    layers = sum(
        1
        for name in arrays
        if name.startswith(f"{cell_name}_") and name.endswith("_recurrent_kernel")
    )
    embedding = arrays.get("embedding")
    network = Network(
        cell_name,
        vocab_size,
        hidden_size=int(arrays[recurrent].shape[0]),
        layers=layers,
        embedding_size=0 if embedding is None else int(embedding.shape[1]),
    )
    check_shapes(path, arrays, network.params.shapes())
    network.params.load(arrays)
    return network


def network_from_checkpoint(checkpoint: Checkpoint, path) -> Network:
    return network_from_arrays(
        checkpoint.kind, len(checkpoint.vocab), checkpoint.arrays, path
    )


def project(w: dict, x: np.ndarray | None, inputs: np.ndarray) -> np.ndarray:
    """x W + b for a layer; without x (one-hot input) the kernel's rows."""
    if x is None:
        return w["kernel"][inputs] + w["bias"]
    return x @ w["kernel"] + w["bias"]
