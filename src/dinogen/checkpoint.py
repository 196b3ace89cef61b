"""Self-describing ``.npz`` checkpoints, written atomically and read without pickle.

A checkpoint holds the model's arrays under their own names plus one entry,
``metadata``, a JSON string with:

    format_version   this layout's version (1)
    kind             the model, e.g. "rnn"
    vocabulary       the ordered symbols, "\\n" first
    hyperparameters  what the model was built and trained with
    iteration        training steps taken
    smoothed_loss    the training loss at the last step (may be null)
    corpus           {"name": file name, "sha256": of the file's bytes}

plus whatever else a trainer records. A bare ``.npz`` of the course
notebook's five RNN arrays loads too, with the notebook's 27-symbol vocabulary.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dinogen.errors import DinogenError
from dinogen.vocab import ASSIGNMENT_SYMBOLS, Vocabulary

FORMAT_VERSION = 1
METADATA_KEY = "metadata"
BARE_RNN_ARRAYS = ("Wax", "Waa", "Wya", "b", "by")


@dataclass
class Checkpoint:
    kind: str
    vocab: Vocabulary
    arrays: dict[str, np.ndarray]
    metadata: dict = field(default_factory=dict)
    bare: bool = False  # loaded from a notebook's arrays with no metadata

    @property
    def hyperparameters(self) -> dict:
        return self.metadata.get("hyperparameters", {})


def save_checkpoint(path: str | Path, checkpoint: Checkpoint) -> None:
    """Write ``checkpoint`` to ``path`` through a temporary file and a rename.

    A reader never sees a half-written file, and a failed write leaves any
    earlier checkpoint at ``path`` as it was.
    """
    path = Path(path)
    metadata = dict(checkpoint.metadata)
    metadata.update(
        format_version=FORMAT_VERSION,
        kind=checkpoint.kind,
        vocabulary="".join(checkpoint.vocab.symbols),
    )
    entries = {name: np.asarray(a) for name, a in checkpoint.arrays.items()}
    entries[METADATA_KEY] = np.array(json.dumps(metadata, sort_keys=True))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **entries)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_checkpoint(path: str | Path) -> Checkpoint:
    """Read and check a checkpoint; any problem is a DinogenError naming the file."""
    path = Path(path)
    arrays = _read_arrays(path)
    if METADATA_KEY not in arrays:
        return _bare_checkpoint(path, arrays)
    try:
        metadata = json.loads(str(arrays.pop(METADATA_KEY)))
        if not isinstance(metadata, dict):
            raise ValueError
    except ValueError:
        raise DinogenError(f"{path}: its metadata is not a JSON object") from None
    version = metadata.get("format_version")
    if version != FORMAT_VERSION:
        raise DinogenError(
            f"{path}: checkpoint format version {version!r} is not supported "
            f"(this dinogen reads version {FORMAT_VERSION})"
        )
    symbols = metadata.get("vocabulary")
    if not isinstance(symbols, str):
        raise DinogenError(f"{path}: the metadata has no vocabulary")
    try:
        vocab = Vocabulary(tuple(symbols))
    except DinogenError as err:
        raise DinogenError(f"{path}: {err}") from None
    kind = metadata.get("kind")
    if not isinstance(kind, str):
        raise DinogenError(f"{path}: the metadata does not name the model kind")
    _check_finite(path, arrays)
    return Checkpoint(kind=kind, vocab=vocab, arrays=arrays, metadata=metadata)


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise DinogenError(f"{path}: no such checkpoint file")
    try:
        # our own handle: np.load leaks the one it opens when the zip is broken
        with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except ValueError as err:
        if "pickle" in str(err):
            raise DinogenError(
                f"{path}: holds pickled objects, which dinogen never loads"
            ) from None
        raise DinogenError(f"{path}: not a valid .npz checkpoint ({err})") from None
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as err:
        detail = str(err) or type(err).__name__
        raise DinogenError(
            f"{path}: not a valid .npz checkpoint (empty, truncated or not a zip "
            f"archive: {detail})"
        ) from None


def _bare_checkpoint(path: Path, arrays: dict[str, np.ndarray]) -> Checkpoint:
    missing = [name for name in BARE_RNN_ARRAYS if name not in arrays]
    if missing:
        raise DinogenError(
            f"{path}: no metadata and missing array(s) {', '.join(missing)}"
        )
    vocab_size = arrays["by"].shape[0]
    if vocab_size != len(ASSIGNMENT_SYMBOLS):
        raise DinogenError(
            f"{path}: has no vocabulary and n_y is {vocab_size}; only the course's "
            f"{len(ASSIGNMENT_SYMBOLS)}-symbol alphabet can be assumed"
        )
    _check_finite(path, arrays)
    hidden_size = int(arrays["Waa"].shape[0])
    return Checkpoint(
        kind="rnn",
        vocab=Vocabulary(ASSIGNMENT_SYMBOLS),
        arrays={name: arrays[name] for name in BARE_RNN_ARRAYS},
        metadata={"hyperparameters": {"hidden_size": hidden_size}},
        bare=True,
    )


def _check_finite(path: Path, arrays: dict[str, np.ndarray]) -> None:
    for name, array in arrays.items():
        if not np.issubdtype(array.dtype, np.number):
            raise DinogenError(f"{path}: array '{name}' is not numeric")
        if not np.isfinite(array).all():
            raise DinogenError(f"{path}: array '{name}' holds NaN or infinite values")


def check_shapes(path, arrays: dict, expected: dict[str, tuple]) -> None:
    """Fail naming the first array that is missing or shaped otherwise."""
    for name, shape in expected.items():
        if name not in arrays:
            raise DinogenError(f"{path}: missing array '{name}'")
        if tuple(arrays[name].shape) != tuple(shape):
            raise DinogenError(
                f"{path}: array '{name}' has shape {tuple(arrays[name].shape)}, "
                f"expected {tuple(shape)} for this vocabulary and hidden size"
            )
