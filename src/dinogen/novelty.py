"""Telling new names from known ones without storing the known names.

A checkpoint keeps, for each distinct name of its corpus file (held-out lines
included), the first 8 bytes of the name's lower-cased UTF-8 BLAKE2b digest as
a sorted ``uint64`` array, ``name_hashes``. The text itself is never stored.
Two different names share a hash with probability about 2**-64 per pair.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

HASHES_ARRAY = "name_hashes"


def name_hash(name: str) -> int:
    digest = hashlib.blake2b(name.lower().encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def name_hashes(names: Iterable[str]) -> np.ndarray:
    return np.unique(np.array([name_hash(n) for n in names], dtype=np.uint64))


def is_known(hashes: np.ndarray, name: str) -> bool:
    key = np.uint64(name_hash(name))
    position = int(np.searchsorted(hashes, key))
    return position < len(hashes) and hashes[position] == key


def draw_novel_names(model, vocab, hashes, count, rng, temperature=1.0,
                     prefix=(), max_length=50, top_k=None, max_draws=10_000):
    """Up to ``count`` distinct names whose hash is not in ``hashes``.

    Draws in batches and stops after ``max_draws`` names in all, so it ends
    even when the model can only repeat its corpus. Returns the names (index
    lists) and the number of names drawn.
    """
    from dinogen.sampling import sample_names

    found, seen, draws = [], set(), 0
    while len(found) < count and draws < max_draws:
        batch = min(max(2 * (count - len(found)), 64), max_draws - draws)
        for indices in sample_names(model, batch, rng, temperature, prefix,
                                    max_length, top_k):
            draws += 1
            name = vocab.decode(indices).lower()
            if name and name not in seen and not is_known(hashes, name):
                seen.add(name)
                found.append(indices)
                if len(found) == count:
                    break
    return found, draws
