"""The ordered set of symbols a model reads and writes.

Index 0 is always the end-of-example symbol ``"\\n"``; the other symbols follow
in code-point order, so a vocabulary never depends on hash order and the 27
symbols of the dinosaur list get the same indices as in the course notebook.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dinogen.errors import DinogenError

END = "\n"

# The course notebook's vocabulary: end of name, then a-z.
ASSIGNMENT_SYMBOLS = (END,) + tuple(chr(c) for c in range(ord("a"), ord("z") + 1))


@dataclass(frozen=True)
class Vocabulary:
    symbols: tuple[str, ...]

    def __post_init__(self):
        if not self.symbols or self.symbols[0] != END:
            raise DinogenError("a vocabulary must start with the end symbol '\\n'")
        if len(set(self.symbols)) != len(self.symbols):
            raise DinogenError("a vocabulary must not repeat a symbol")
        if any(len(s) != 1 for s in self.symbols):
            raise DinogenError("every vocabulary symbol must be one character")
        index = {s: i for i, s in enumerate(self.symbols)}
        object.__setattr__(self, "_index", index)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Vocabulary:
        seen = set()
        for text in texts:
            seen.update(text)
        seen.discard(END)
        return cls((END, *sorted(seen)))

    def __len__(self) -> int:
        return len(self.symbols)

    def __contains__(self, symbol: str) -> bool:
        return symbol in self._index

    def index(self, symbol: str) -> int:
        return self._index[symbol]

    def unknown(self, text: str) -> list[str]:
        """The distinct characters of ``text`` missing here, in order of appearance."""
        return list(dict.fromkeys(ch for ch in text if ch not in self._index))

    def encode(self, text: str) -> list[int]:
        missing = self.unknown(text)
        if missing:
            raise DinogenError(f"characters not in the vocabulary: {describe(missing)}")
        return [self._index[ch] for ch in text]

    def decode(self, indices: Sequence[int]) -> str:
        return "".join(self.symbols[i] for i in indices)


def describe(chars: Iterable[str]) -> str:
    """Characters as a reader can see them: ``'é' (U+00E9), '\\t' (U+0009)``."""
    return ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in chars)
