"""Small numerical helpers shared by the models and the samplers."""

from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    """Probabilities from logits, shifted by the maximum so ``exp`` cannot overflow."""
    shifted = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def log_softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = logits - logits.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


class FlatParameters:
    """Named arrays that are views into one flat buffer.

    Clipping, updating and checking a model's parameters then costs one NumPy
    call each, whatever the number of arrays: that matters when an update
    follows every short name.
    """

    def __init__(self, shapes: dict[str, tuple[int, ...]], dtype=np.float64):
        sizes = [int(np.prod(shape)) for shape in shapes.values()]
        self.flat = np.zeros(sum(sizes), dtype=dtype)
        self.arrays: dict[str, np.ndarray] = {}
        offset = 0
        for (name, shape), size in zip(shapes.items(), sizes):
            self.arrays[name] = self.flat[offset : offset + size].reshape(shape)
            offset += size

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    def shapes(self) -> dict[str, tuple[int, ...]]:
        return {name: array.shape for name, array in self.arrays.items()}

    def load(self, arrays: dict[str, np.ndarray]) -> None:
        for name, array in self.arrays.items():
            array[...] = arrays[name]

    def copy_arrays(self) -> dict[str, np.ndarray]:
        return {name: array.copy() for name, array in self.arrays.items()}
