"""Reading a continuous-text corpus, such as the Sonnets, as an integer array.

The text is decoded as UTF-8 (a byte-order mark is dropped), line endings
``\\r\\n`` and a bare ``\\r`` become ``\\n``, and it is lower-cased unless asked
not to be. Every Unicode code point is one symbol. The text is held only as
one small-integer array of symbol indices: training cuts its windows from it
batch by batch, so memory grows with the text's length, not with
length x vocabulary.

The held-out part is the last 10 % of the characters.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dinogen.corpus import decode_utf8, read_corpus_bytes
from dinogen.errors import DinogenError
from dinogen.vocab import Vocabulary, describe

HELD_OUT_FRACTION = 0.1
# Characters converted to indices per slice, so no full-length temporary exists.
_ENCODE_SLICE = 1 << 20


@dataclass(frozen=True)
class TextCorpus:
    path: Path
    ids: np.ndarray  # symbol index of every character, in order
    vocab: Vocabulary
    sha256: str

    def __len__(self) -> int:
        return len(self.ids)


def normalise_text(text: str, lowercase: bool = True) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.lower() if lowercase else text


def index_dtype(vocab_size: int):
    return np.uint8 if vocab_size <= 256 else np.uint32


def encode_text(text: str, vocab: Vocabulary) -> np.ndarray:
    """Symbol indices of ``text``; a DinogenError names characters not in ``vocab``."""
    # a lookup table from code point to index: one NumPy gather per slice
    codes = np.array([ord(s) for s in vocab.symbols])
    table = np.full(int(codes.max()) + 1, -1, dtype=np.int64)
    table[codes] = np.arange(len(codes))
    ids = np.empty(len(text), dtype=index_dtype(len(vocab)))
    for start in range(0, len(text), _ENCODE_SLICE):
        piece = text[start : start + _ENCODE_SLICE]
        points = np.frombuffer(piece.encode("utf-32-le"), dtype=np.uint32)
        inside = points < len(table)
        found = np.where(inside, table[np.minimum(points, len(table) - 1)], -1)
        if (found < 0).any():
            raise DinogenError(
                f"characters not in the vocabulary: {describe(vocab.unknown(piece))}"
            )
        ids[start : start + len(piece)] = found
    return ids


def read_text(
    path: str | Path, lowercase: bool = True, vocab: Vocabulary | None = None
) -> TextCorpus:
    """Read a text corpus; ``vocab`` fixes the symbols (else the text's own)."""
    path = Path(path)
    raw = read_corpus_bytes(path)
    sha256 = hashlib.sha256(raw).hexdigest()
    text = normalise_text(decode_utf8(raw, path), lowercase)
    del raw
    if len(text) < 2:
        raise DinogenError(f"{path}: too short to learn from ({len(text)} characters)")
    if vocab is None:
        vocab = Vocabulary.from_texts([text])
    try:
        ids = encode_text(text, vocab)
    except DinogenError as err:
        raise DinogenError(f"{path}: {err}") from None
    return TextCorpus(path=path, ids=ids, vocab=vocab, sha256=sha256)


def split_text_held_out(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first 90 % of the characters for training, the last 10 % held out."""
    cut = len(ids) - max(1, int(round(len(ids) * HELD_OUT_FRACTION)))
    return ids[:cut], ids[cut:]


def random_windows(
    ids: np.ndarray, starts: np.ndarray, length: int
) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets of windows of ``length`` characters at ``starts``.

    Each window is read from the start state: its inputs are the end symbol
    (index 0) followed by its first ``length - 1`` characters, and its targets
    are its ``length`` characters. Returns two int32 arrays (B, length).
    """
    offsets = starts[:, None] + np.arange(length)
    targets = ids[offsets].astype(np.int32)
    inputs = np.zeros_like(targets)
    inputs[:, 1:] = targets[:, :-1]
    return inputs, targets


def held_out_windows(ids: np.ndarray, length: int):
    """The held-out text cut into consecutive windows, each from the start state.

    Returns inputs, targets (W, length) and a 0/1 weight array masking the
    padding of the last, shorter window; every character is a target once.
    """
    count = -(-len(ids) // length)
    padded = np.zeros(count * length, dtype=np.int32)
    padded[: len(ids)] = ids
    targets = padded.reshape(count, length)
    inputs = np.zeros_like(targets)
    inputs[:, 1:] = targets[:, :-1]
    weights = np.zeros(count * length, dtype=np.float32)
    weights[: len(ids)] = 1.0
    return inputs, targets, weights.reshape(count, length)
