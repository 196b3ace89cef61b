"""Reading a names corpus: one example per line, as real files hold them.

Line endings ``\\n``, ``\\r\\n`` and a bare ``\\r`` all end a line; a UTF-8
byte-order mark is dropped; blank and whitespace-only lines are skipped and
counted; surrounding whitespace is stripped from each name, as the course
notebook does. Every Unicode code point is one symbol: combining marks are not
joined to the letter before them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from dinogen.errors import DinogenError
from dinogen.vocab import Vocabulary


@dataclass(frozen=True)
class NamesCorpus:
    path: Path
    names: tuple[str, ...]
    line_numbers: tuple[int, ...]  # 1-based line of each name in the file
    vocab: Vocabulary
    sha256: str
    blank_lines: int


def decode_utf8(raw: bytes, path: Path) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DinogenError(
            f"{path}: not UTF-8 text (byte 0x{raw[err.start]:02x} at offset "
            f"{err.start})"
        ) from None
    return text.removeprefix("\ufeff")


def split_lines(text: str) -> list[str]:
    """Lines ended by any of ``\\r\\n``, ``\\r`` or ``\\n`` (and nothing else)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def read_corpus_bytes(path: Path) -> bytes:
    """A corpus file's bytes; a DinogenError names the file when it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise DinogenError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DinogenError(f"{path}: is a directory, not a corpus file") from None
    except OSError as err:
        raise DinogenError(f"{path}: cannot read ({err.strerror})") from None


def read_names(path: str | Path, lowercase: bool = True) -> NamesCorpus:
    path = Path(path)
    raw = read_corpus_bytes(path)
    text = decode_utf8(raw, path)
    if lowercase:
        text = text.lower()

    names, line_numbers, blank = [], [], 0
    for number, line in enumerate(split_lines(text), start=1):
        name = line.strip()
        if name:
            names.append(name)
            line_numbers.append(number)
        else:
            blank += 1
    # A final line ending does not open an extra, blank line.
    if text.endswith(("\n", "\r")):
        blank -= 1
    if not names:
        raise DinogenError(f"{path}: no examples (the file is empty or blank)")
    return NamesCorpus(
        path=path,
        names=tuple(names),
        line_numbers=tuple(line_numbers),
        vocab=Vocabulary.from_texts(names),
        sha256=hashlib.sha256(raw).hexdigest(),
        blank_lines=blank,
    )


HELD_OUT_EVERY = 10


def split_held_out(corpus: NamesCorpus) -> tuple[list[str], list[str]]:
    """Training and held-out names: lines 10, 20, 30, ... of the file are held out.

    The rule counts the file's lines, blank ones included, so it does not
    depend on how many blank lines were skipped before a name.
    """
    train, held_out = [], []
    for name, number in zip(corpus.names, corpus.line_numbers):
        (held_out if number % HELD_OUT_EVERY == 0 else train).append(name)
    return train, held_out
