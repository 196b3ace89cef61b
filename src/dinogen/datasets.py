"""The public corpora dinogen trains and benchmarks on, and how to fetch them.

Each corpus is pinned by its sha256. Fetching copies it from a local mirror
folder when the folder holds it, and otherwise downloads it from its public
source; a file whose digest differs is refused and nothing is written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from dinogen.errors import DinogenError
from dinogen.files import write_atomically

_COURSE = (
    "https://raw.githubusercontent.com/jungsoh/rnn-character-level-language-model/"
    "b359fefb96bb0d18ed7f3a90b442c31510ae1131/"
)
_MAKEMORE = (
    "https://raw.githubusercontent.com/karpathy/makemore/"
    "988aa59e4d8fefa526d06f3b453ad116258398d4/"
)
_CHAR_RNN = (
    "https://raw.githubusercontent.com/karpathy/char-rnn/"
    "6f9487a6fe5b420b7ca9afb0d7c078e37c1d1b4e/"
)


@dataclass(frozen=True)
class CorpusSource:
    filename: str
    size: int
    sha256: str
    url: str
    description: str


CORPORA = {
    c.filename: c
    for c in (
        CorpusSource(
            "dinos.txt",
            19_909,
            "ad6465621cf56c08f71d4fbb40cf7eab763f9df42c54cc460d6c4d86e9c927fb",
            _COURSE + "dinos.txt",
            "1,536 dinosaur names, one per line",
        ),
        CorpusSource(
            "shakespeare.txt",
            94_275,
            "1b454b67b44e6f367c83a17ed295c46c5d4a1173cf5d09161882af4041bae023",
            _COURSE + "shakespeare.txt",
            "Shakespeare's Sonnets (public domain)",
        ),
        CorpusSource(
            "names.txt",
            228_145,
            "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d",
            _MAKEMORE + "names.txt",
            "32,033 first names, one per line (MIT licence)",
        ),
        CorpusSource(
            "tinyshakespeare.txt",
            1_115_394,
            "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
            _CHAR_RNN + "data/tinyshakespeare/input.txt",
            "about 40,000 lines of Shakespeare's plays (public domain)",
        ),
    )
}

DEFAULT_CORPORA = ("dinos.txt", "shakespeare.txt")


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _download(url: str, timeout: float) -> bytes:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read()
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise DinogenError(f"cannot download {url}: {reason}") from None


def fetch_corpus(
    source: CorpusSource,
    dest_dir: str | Path,
    mirror_dir: str | Path | None = None,
    url: str | None = None,
    timeout: float = 60.0,
) -> str:
    """Put ``source`` into ``dest_dir``; returns where it came from.

    ``url`` replaces the public address (tests serve a file on 127.0.0.1).
    """
    dest_dir = Path(dest_dir)
    target = dest_dir / source.filename
    if target.is_file() and sha256_of(target.read_bytes()) == source.sha256:
        return "already present"

    mirrored = Path(mirror_dir) / source.filename if mirror_dir else None
    if mirrored is not None and mirrored.is_file():
        origin = str(mirrored)
        data = mirrored.read_bytes()
    else:
        origin = url or source.url
        data = _download(origin, timeout)

    digest = sha256_of(data)
    if digest != source.sha256:
        raise DinogenError(
            f"{origin}: sha256 {digest} does not match the expected "
            f"{source.sha256} for {source.filename}; nothing was written"
        )
    write_atomically(target, lambda out: out.write(data))
    return origin
