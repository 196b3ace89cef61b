"""Commands for verse: ``poem``, ``import-keras``, and ``train --backend keras``.

Like ``cli.py`` this module parses and prints only; Keras and h5py are
imported by the core modules it calls, and only on the paths that need them,
so ``dinogen poem`` starts without loading either.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dinogen.cli_common import (
    CONTEXT,
    check_temperature,
    fail_cleanly,
    interrupt_flag,
    note,
)

TEXT_DATA = Path("data/shakespeare.txt")
TEXT_CHECKPOINT = Path("checkpoints/shakespeare.npz")
NAMES_DATA = Path("data/dinos.txt")
NAMES_CHECKPOINT = Path("checkpoints/dinos.npz")
BACKENDS = ("numpy", "keras")
# options only the Keras trainer reads; --layers, --embedding-size, --dropout
# and --batch-size are shared with the minibatch trainer (None when not given)
KERAS_ONLY = ("epochs", "seq_length", "steps_per_epoch", "init_path")
KERAS_DEFAULTS = {
    "layers": 2, "embedding_size": 32, "dropout": 0.2, "batch_size": 32,
    "clip_value": 5.0, "seed": 1,
}


def keras_train_options(command):
    """The options ``train`` takes for the Keras backend."""
    options = [
        click.option("--backend", type=click.Choice(BACKENDS), default="numpy",
                     show_default=True,
                     help="numpy: the course's RNN on names; keras: a stacked "
                     "LSTM trained with Keras 3 (pip install 'dinogen[keras]')."),
        click.option("--format", "corpus_format",
                     type=click.Choice(("auto", "text", "names")), default="auto",
                     show_default=True,
                     help="Corpus format; auto is names for numpy, text for keras."),
        click.option("--epochs", type=click.IntRange(min=1), default=30,
                     show_default=True, help="[keras] Passes over the training data."),
        click.option("--seq-length", type=click.IntRange(min=2), default=100,
                     show_default=True,
                     help="[keras] Characters per training window (text)."),
        click.option("--steps-per-epoch", type=click.IntRange(min=0), default=0,
                     show_default=True,
                     help="[keras] Batches per epoch; 0 is one pass over the data."),
        click.option("--init", "init_path",
                     type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     default=None,
                     help="[keras] Start from this lstm checkpoint's weights "
                     "(its architecture wins over --layers and the sizes)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def resolve_format(backend: str, corpus_format: str) -> str:
    if corpus_format == "auto":
        return "names" if backend == "numpy" else "text"
    if backend == "numpy" and corpus_format == "text":
        raise click.UsageError(
            "--format text needs --backend keras (the NumPy RNN trains on names)"
        )
    return corpus_format


def train_with_keras(*, corpus_format, data_path, out_path, hidden_size,
                     learning_rate, clip_value, seed, keep_case, quiet, epochs,
                     layers, embedding_size, dropout, seq_length, batch_size,
                     steps_per_epoch, init_path, **_ignored) -> None:
    """The body of ``train --backend keras``."""
    from dinogen.keras_backend import KerasConfig
    from dinogen.keras_train import run_keras_training

    text = corpus_format == "text"
    data_path = data_path or (TEXT_DATA if text else NAMES_DATA)
    out_path = out_path or (TEXT_CHECKPOINT if text else NAMES_CHECKPOINT)
    if not data_path.exists() and data_path in (TEXT_DATA, NAMES_DATA):
        raise click.ClickException(
            f"{data_path} not found: run `make data` to fetch the corpora, "
            "or pass --data PATH"
        )
    config = KerasConfig(
        epochs=epochs, layers=layers, hidden_size=hidden_size or 128,
        embedding_size=embedding_size, dropout=dropout, seq_length=seq_length,
        batch_size=batch_size, learning_rate=learning_rate or 2e-3,
        clip_norm=clip_value, seed=seed, steps_per_epoch=steps_per_epoch,
    )
    say = (lambda message: None) if quiet else note

    def report(epoch) -> None:
        mark = "  best" if epoch.best else ""
        say(f"epoch {epoch.epoch}/{config.epochs}: train {epoch.train_loss:.4f}, "
            f"held-out {epoch.held_out_loss:.4f}, {epoch.seconds:.1f} s{mark}")

    with fail_cleanly(), interrupt_flag() as should_stop:
        result = run_keras_training(
            data_path, corpus_format, config, out_path, not keep_case,
            init_path=init_path, on_note=say, on_epoch=report,
            should_stop=should_stop,
        )
    if result.best_epoch == 0:
        raise click.ClickException(
            "stopped before the first epoch ended; nothing saved"
        )
    summary = (f"best held-out loss {result.best_held_out:.4f} at epoch "
               f"{result.best_epoch}; saved {out_path}")
    if result.interrupted:
        note(f"interrupted after {result.epochs_done} epoch(s); {summary}")
        sys.exit(130)
    say(summary)


def run_keras_command(corpus_format, **options):
    """``train --backend keras``: options left as None take the Keras defaults."""
    for name, default in KERAS_DEFAULTS.items():
        if options.get(name) is None:
            options[name] = default
    with fail_cleanly():
        return train_with_keras(
            corpus_format=resolve_format("keras", corpus_format), **options
        )


# -- poem ---------------------------------------------------------------------


def _ask_prompt() -> str:
    """The prompt as an argument would give it: typed in a terminal, else stdin."""
    stdin = sys.stdin
    if stdin.isatty():
        return click.prompt(
            "Write the beginning of your poem, the model will complete it.\n"
            "Your input is", default="", show_default=False, err=True,
        )
    text = stdin.read()
    # the line ending that `echo` or a file adds is not part of the prompt
    return text.removesuffix("\n").removesuffix("\r")


@click.command(context_settings=CONTEXT)
@click.argument("prompt", required=False)
@click.option("--length", type=click.IntRange(min=0), default=400, show_default=True,
              help="Characters to write after the prompt.")
@click.option("--temperature", type=float, default=1.0, show_default=True,
              callback=check_temperature,
              help="Sharpen (<1) or flatten (>1); 0 is greedy.")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Seed for a reproducible poem (default: fresh each run).")
@click.option("--checkpoint", "checkpoint_path",
              type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"Text model to write with [default: {TEXT_CHECKPOINT} if it "
              "exists, else the shipped Sonnets model].")
def poem(prompt, length, temperature, seed, checkpoint_path):
    """Continue PROMPT in the style of the Sonnets and print both.

    The whole prompt conditions the model. It is lower-cased as the corpus
    was; characters the model does not know are named on stderr, skipped for
    conditioning and kept in the printed prompt. With no PROMPT it is asked
    for in a terminal, or read from stdin. Runs in NumPy; Keras is not needed.

    \b
    Example:
        dinogen poem "Forsooth this maketh no sense" --seed 0
        echo "Shall I compare thee" | dinogen poem --length 200
    """
    import numpy as np

    from dinogen.checkpoint import load_checkpoint
    from dinogen.models import model_from_checkpoint
    from dinogen.poem import continue_text, read_prompt, writing_model
    from dinogen.pretrained import default_checkpoint
    from dinogen.vocab import describe

    if checkpoint_path is None:
        checkpoint_path = default_checkpoint(TEXT_CHECKPOINT, "shakespeare.npz")
    with fail_cleanly():
        checkpoint = load_checkpoint(checkpoint_path)
        model = model_from_checkpoint(checkpoint, checkpoint_path)
    if prompt is None:
        prompt = _ask_prompt()
    lowercase = checkpoint.hyperparameters.get("lowercase", True)
    reading = read_prompt(prompt, checkpoint.vocab, lowercase)
    if reading.unknown:
        note(f"not in the model's vocabulary, skipped: {describe(reading.unknown)}")
    rng = np.random.default_rng(seed)
    written = continue_text(
        writing_model(model), reading.indices, length, rng, temperature
    )
    poem_text = prompt + checkpoint.vocab.decode(written)
    click.echo(poem_text if poem_text.endswith("\n") else poem_text + "\n", nl=False)


# -- import-keras -------------------------------------------------------------


@click.command("import-keras", context_settings=CONTEXT)
@click.argument("h5_path", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("out_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--vocab-from", "vocab_path",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None,
              help="Text the model was trained on; its lower-cased symbols are "
              "the vocabulary [default: the Sonnets' 38 symbols].")
def import_keras(h5_path, out_path, vocab_path):
    """Convert a Keras 2 HDF5 model of stacked LSTMs into a dinogen checkpoint.

    Reads the weights with h5py (pip install 'dinogen[keras]') and records the
    gate activation, so Keras 2's hard_sigmoid gates run as they were trained.

    \b
    Example:
        dinogen import-keras model_shakespeare_kiank_350_epoch.h5 \\
            checkpoints/course.npz
        dinogen poem --checkpoint checkpoints/course.npz "Forsooth"
    """
    from dinogen.checkpoint import save_checkpoint
    from dinogen.keras_import import SONNETS_SYMBOLS, import_keras2
    from dinogen.text import read_text
    from dinogen.vocab import Vocabulary

    with fail_cleanly():
        if vocab_path is None:
            vocab = Vocabulary(tuple(SONNETS_SYMBOLS))
        else:
            vocab = read_text(vocab_path).vocab
        checkpoint = import_keras2(h5_path, vocab)
        save_checkpoint(out_path, checkpoint)
    hyper = checkpoint.hyperparameters
    note(
        f"{h5_path}: {hyper['layers']} LSTM layer(s) of {hyper['hidden_size']} "
        f"units, {hyper['gate_activation']} gates, {len(vocab)} symbols; "
        f"saved {out_path}"
    )


def register(group: click.Group) -> None:
    """Add ``poem`` and ``import-keras`` to the command group."""
    group.add_command(poem)
    group.add_command(import_keras)
