"""Held-out loss on the last 10 % of a text, for dinogen checkpoints.

Mean negative log-likelihood per predicted character, in nats, measured in
NumPy as ``dinogen.heldout.text_nll`` does: the held-out text is cut into
consecutive windows, each read from the start state (the end symbol first).
The window defaults to the checkpoint's training sequence length.

With ``--course-model FILE.h5`` it also imports the course's Keras 2 model
and reports it two ways: the same windows, and the course's own way of
predicting (each held-out character from the 40 characters before it, read
from zero state without the end symbol first), which is how that model was
trained.

    python bench/heldout_loss.py
    python bench/heldout_loss.py --checkpoint checkpoints/shakespeare.npz \\
        --course-model ../shared/data/legacy/model_shakespeare_kiank_350_epoch.h5
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np

from dinogen.checkpoint import load_checkpoint
from dinogen.heldout import next_character_accuracy, text_nll
from dinogen.models import model_from_checkpoint
from dinogen.numerics import log_softmax
from dinogen.pretrained import PRETRAINED_DIR
from dinogen.text import read_text, split_text_held_out

SHIPPED = Path(str(PRETRAINED_DIR / "shakespeare.npz"))


def held_out_ids(text_path: Path, vocab):
    """The last 10 % in ``vocab``'s indices, and the text before it."""
    ids = read_text(text_path, vocab=vocab).ids.astype(np.int64)
    train, held_out = split_text_held_out(ids)
    return train, held_out


def sliding_nll(model, before: np.ndarray, held_out: np.ndarray, context: int):
    """Each character predicted from the ``context`` characters before it."""
    ids = np.concatenate([before[-context:], held_out])
    starts = np.arange(len(held_out))
    state = model.initial_state(len(starts))
    for t in range(context):
        logits, state = model.step(state, ids[starts + t])
    log_probs = log_softmax(logits)
    targets = ids[starts + context]
    nll = -log_probs[starts, targets].mean()
    return float(nll), float((logits.argmax(axis=-1) == targets).mean())


def report(name: str, checkpoint_path: Path, text_path: Path, window: int | None):
    checkpoint = load_checkpoint(checkpoint_path)
    model = model_from_checkpoint(checkpoint, checkpoint_path)
    window = window or checkpoint.hyperparameters.get("seq_length") or 100
    _, held_out = held_out_ids(text_path, checkpoint.vocab)
    started = time.perf_counter()
    nll = text_nll(model, held_out, window)
    accuracy = next_character_accuracy(model, held_out, window)
    print(f"{name}: {nll:.4f} nats/char ({nll / math.log(2):.3f} bits), "
          f"next-character accuracy {accuracy:.1%}, windows of {window}, "
          f"{len(held_out):,} characters, {time.perf_counter() - started:.1f} s")
    recorded = checkpoint.metadata.get("held_out_loss")
    if recorded is not None:
        print(f"  recorded at training time: {recorded:.4f}")
    return checkpoint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, default=None,
                        help="default: the shipped Sonnets checkpoint")
    parser.add_argument("--text", type=Path, default=Path("data/shakespeare.txt"))
    parser.add_argument("--window", type=int, default=None)
    parser.add_argument("--course-model", type=Path, default=None)
    args = parser.parse_args()

    checkpoint_path = args.checkpoint or SHIPPED
    checkpoint = report(str(checkpoint_path), checkpoint_path, args.text,
                        args.window)
    symbols = len(read_text(args.text).vocab)
    print(f"uniform guess over the text's {symbols} symbols: "
          f"{math.log(symbols):.4f} nats/char")

    if args.course_model is not None:
        import tempfile

        from dinogen.checkpoint import save_checkpoint
        from dinogen.keras_import import SONNETS_SYMBOLS, import_keras2
        from dinogen.vocab import Vocabulary

        course = import_keras2(args.course_model, Vocabulary(tuple(SONNETS_SYMBOLS)))
        with tempfile.TemporaryDirectory() as folder:
            course_path = Path(folder) / "course.npz"
            save_checkpoint(course_path, course)
            report("course model", course_path, args.text,
                   args.window or checkpoint.hyperparameters.get("seq_length"))
        model = model_from_checkpoint(course, args.course_model)
        before, held_out = held_out_ids(args.text, course.vocab)
        nll, accuracy = sliding_nll(model, before, held_out, 40)
        print(f"course model, its own way (40 characters before each): "
              f"{nll:.4f} nats/char, next-character accuracy {accuracy:.1%}")


if __name__ == "__main__":
    main()
