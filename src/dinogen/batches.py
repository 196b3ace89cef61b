"""Names as padded, masked minibatches, visited in a fresh random order each epoch."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dinogen.vocab import Vocabulary

START_INDEX = 0  # a sequence's first input is the end symbol: "\nname" -> "name\n"


def encode_names(vocab: Vocabulary, names: Sequence[str]) -> list[np.ndarray]:
    """Each name as indices ``[c1, ..., cn, end]`` (its targets)."""
    return [np.array(vocab.encode(name) + [0], dtype=np.int64) for name in names]


def pad_batch(sequences: Sequence[np.ndarray], start: int = START_INDEX):
    """Inputs, targets and mask of shape (B, T); inputs are targets shifted right.

    Padding (index 0, masked out) follows each sequence's end.
    """
    width = max(len(s) for s in sequences)
    targets = np.zeros((len(sequences), width), dtype=np.int64)
    mask = np.zeros((len(sequences), width), dtype=bool)
    for row, sequence in enumerate(sequences):
        targets[row, : len(sequence)] = sequence
        mask[row, : len(sequence)] = True
    inputs = np.empty_like(targets)
    inputs[:, 0] = start
    inputs[:, 1:] = targets[:, :-1]
    return inputs, targets, mask


class EpochOrder:
    """Batches of ``batch_size`` examples; each epoch a new permutation from ``rng``.

    The permutation and the position in it are the whole state, so a resumed
    run draws the same batches as an uninterrupted one.
    """

    def __init__(self, count: int, batch_size: int, rng: np.random.Generator):
        self.count = count
        self.batch_size = min(batch_size, count)
        self.rng = rng
        self.order = np.zeros(0, dtype=np.int64)
        self.position = 0

    def next_batch(self) -> np.ndarray:
        if self.position + self.batch_size > len(self.order):
            self.order = self.rng.permutation(self.count)
            self.position = 0
        rows = self.order[self.position : self.position + self.batch_size]
        self.position += self.batch_size
        return rows
