"""The ``dinogen`` command line: parse options, call the core, print results.

Results (names, logs, poems) go to stdout; progress bars, notes and errors go
to stderr. Errors from the core become one ``Error: ...`` line and exit 1.
"""

from __future__ import annotations

import math
import signal
import sys
from contextlib import contextmanager
from pathlib import Path

import click
import numpy as np

from dinogen import __version__
from dinogen.checkpoint import load_checkpoint, save_checkpoint
from dinogen.cli_poem import dispatch_training, keras_train_options
from dinogen.cli_poem import register as register_poem_commands
from dinogen.corpus import read_names
from dinogen.datasets import CORPORA, DEFAULT_CORPORA, fetch_corpus
from dinogen.errors import DinogenError
from dinogen.models import checkpoint_of, model_from_checkpoint
from dinogen.pretrained import default_checkpoint
from dinogen.sampling import as_name, draw_assignment_name, sample_names
from dinogen.train import TrainConfig, train_rnn, training_metadata
from dinogen.vocab import describe

DEFAULT_DATA = Path("data/dinos.txt")
DEFAULT_CHECKPOINT = Path("checkpoints/dinos.npz")
CONTEXT = {"help_option_names": ["-h", "--help"]}


def note(message: str) -> None:
    click.echo(message, err=True)


@contextmanager
def fail_cleanly():
    """Turn the core's DinogenError into click's one-line error and exit 1."""
    try:
        yield
    except DinogenError as err:
        raise click.ClickException(str(err)) from None


@contextmanager
def interrupt_flag():
    """While active, Ctrl-C sets a flag instead of raising KeyboardInterrupt."""
    state = {"stop": False}

    def handler(signum, frame):
        state["stop"] = True

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: state["stop"]
    finally:
        signal.signal(signal.SIGINT, previous)


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="dinogen")
def cli():
    """Train character-level language models and generate names and verse."""


@cli.command(context_settings=CONTEXT)
@click.option(
    "--data", "data_path", type=click.Path(dir_okay=False, path_type=Path),
    default=None, help=f"Corpus [default: {DEFAULT_DATA}; keras text: "
    "data/shakespeare.txt].",
)
@click.option("--iters", type=click.IntRange(min=1), default=35_000,
              show_default=True, help="Training steps (one name each).")
@click.option("--hidden-size", type=click.IntRange(min=1), default=None,
              help="Units in the hidden state [default: 50; keras: 128].")
@click.option("--learning-rate", type=click.FloatRange(min=0, min_open=True),
              default=None,
              help="Step size [default: 0.01 gradient descent; keras: Adam 0.002].")
@click.option("--clip", "clip_value", type=click.FloatRange(min=0, min_open=True),
              default=5.0, show_default=True,
              help="Clip each gradient element to [-clip, clip] (keras: the "
              "gradient's global norm to clip).")
@click.option("--seed", type=click.IntRange(min=0, max=2**32 - 1), default=1,
              show_default=True, help="Legacy NumPy seed for the initial weights.")
@click.option("--shuffle-seed", type=click.IntRange(min=0, max=2**32 - 1),
              default=0, show_default=True,
              help="Legacy NumPy seed for the order of the names.")
@click.option("--log-every", type=click.IntRange(min=1), default=2_000,
              show_default=True, help="Log the loss and names every N steps.")
@click.option("--log-names", type=click.IntRange(min=0), default=7,
              show_default=True, help="Names sampled at each log.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None,
              help=f"Where to write the checkpoint [default: {DEFAULT_CHECKPOINT}; "
              "keras text: checkpoints/shakespeare.npz].")
@click.option("--keep-case", is_flag=True,
              help="Keep upper and lower case apart instead of lower-casing.")
@click.option("-q", "--quiet", is_flag=True,
              help="No log and no progress bar; errors only.")
@keras_train_options
def train(data_path, iters, hidden_size, learning_rate, clip_value, seed,
          shuffle_seed, log_every, log_names, out_path, keep_case, quiet,
          backend, corpus_format, **keras_options):
    """Train the course's character-level RNN on names, or an LSTM with Keras.

    With the defaults this is the course assignment's training exactly, and
    its log (the loss and 7 sampled names every 2,000 steps) goes to stdout.
    Ctrl-C stops training and saves what has been learnt so far.

    With --backend keras (options marked [keras]) a stacked LSTM learns a
    text (--format text, the default there) or names; each epoch reports the
    training and held-out loss on stderr, and the weights with the best
    held-out loss are saved as an lstm checkpoint.

    \b
    Example:
        dinogen train --iters 35000
        dinogen train --data my-names.txt --out checkpoints/mine.npz
        dinogen train --backend keras --data data/shakespeare.txt
    """
    dispatch_training(
        backend, corpus_format,
        lambda: _train_rnn(data_path or DEFAULT_DATA, iters, hidden_size or 50,
                           learning_rate or 0.01, clip_value, seed, shuffle_seed,
                           log_every, log_names, out_path or DEFAULT_CHECKPOINT,
                           keep_case, quiet),
        data_path=data_path, out_path=out_path, hidden_size=hidden_size,
        learning_rate=learning_rate, clip_value=clip_value, seed=seed,
        keep_case=keep_case, quiet=quiet, **keras_options,
    )


def _train_rnn(data_path, iters, hidden_size, learning_rate, clip_value, seed,
               shuffle_seed, log_every, log_names, out_path, keep_case, quiet):
    if not data_path.exists() and data_path == DEFAULT_DATA:
        raise click.ClickException(
            f"{data_path} not found: run `make data` to fetch the corpora, "
            "or pass --data PATH"
        )
    config = TrainConfig(
        iterations=iters, hidden_size=hidden_size, learning_rate=learning_rate,
        clip_value=clip_value, init_seed=seed, shuffle_seed=shuffle_seed,
        log_every=log_every, names_per_log=log_names,
    )
    with fail_cleanly():
        corpus = read_names(data_path, lowercase=not keep_case)
        if corpus.blank_lines and not quiet:
            note(f"{data_path}: skipped {corpus.blank_lines} blank line(s)")
        if not quiet:
            note(
                f"{data_path}: {len(corpus.names)} names, "
                f"{len(corpus.vocab)} symbols"
            )
        result = _run_training(corpus, config, quiet)
        metadata = training_metadata(corpus, config, result, not keep_case)
        save_checkpoint(out_path, checkpoint_of(result.model, corpus.vocab, metadata))
    if result.interrupted:
        note(f"interrupted after {result.iterations_done} steps; saved {out_path}")
        sys.exit(130)
    if not quiet:
        note(f"saved {out_path}")


def _print_log(iteration: int, loss: float, names: list[str]) -> None:
    # The notebook's layout: a blank line after the loss, two after the names.
    lines = [f"Iteration: {iteration}, Loss: {loss:f}", "", *names, "", ""]
    click.echo("\n".join(lines))


def _run_training(corpus, config: TrainConfig, quiet: bool):
    from tqdm import tqdm

    with (
        interrupt_flag() as should_stop,
        tqdm(total=config.iterations, disable=quiet, unit="it", file=sys.stderr,
             dynamic_ncols=True, mininterval=0.5) as bar,
    ):
        def progress(done: int, loss: float) -> None:
            bar.update(done - bar.n)
            bar.set_postfix(loss=f"{loss:.3f}", refresh=False)

        return train_rnn(
            corpus, config, on_log=_ignore if quiet else _print_log,
            on_progress=progress, should_stop=should_stop,
        )


def _ignore(*_args) -> None:
    pass


def _prefix_indices(prefix: str, vocab, lowercase: bool) -> list[int]:
    text = prefix.lower() if lowercase else prefix
    missing = vocab.unknown(text)
    if missing:
        raise click.BadParameter(
            f"characters not in the model's vocabulary: {describe(missing)}",
            param_hint="'--prefix'",
        )
    return vocab.encode(text)


def _temperature(ctx, param, value):
    if value is not None and (math.isnan(value) or value < 0):
        raise click.BadParameter("must be 0 (greedy) or a positive number")
    return value


@cli.command(context_settings=CONTEXT)
@click.option("-n", "--count", type=click.IntRange(min=0), default=10,
              show_default=True, help="How many names to print.")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Seed for reproducible names (default: fresh each run).")
@click.option("--temperature", type=float, default=1.0, show_default=True,
              callback=_temperature, help="Sharpen (<1) or flatten (>1); 0 is greedy.")
@click.option("--prefix", default="", help="Start every name with these letters.")
@click.option("--max-length", type=click.IntRange(min=1), default=50,
              show_default=True, help="Longest name, in characters.")
@click.option("--checkpoint", "checkpoint_path",
              type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"Model to sample from [default: {DEFAULT_CHECKPOINT} if it "
              "exists, else the shipped model].")
@click.option("--assignment-seeding", is_flag=True,
              help="Draw as the course notebook does: name k uses legacy seed "
              "SEED + k, so it matches training's log.")
def sample(count, seed, temperature, prefix, max_length, checkpoint_path,
           assignment_seeding):
    """Print new names from a trained model, one per line.

    Names are drawn together in one batch from NumPy's default generator.
    With --assignment-seeding each name is drawn as the course notebook's
    ``sample`` does, so `-n 7 --seed 0` repeats a training log's names.

    \b
    Example:
        dinogen sample -n 10 --seed 0
        dinogen sample --prefix tyr --temperature 0.7
    """
    if checkpoint_path is None:
        checkpoint_path = default_checkpoint(DEFAULT_CHECKPOINT, "dinos.npz")
    with fail_cleanly():
        checkpoint = load_checkpoint(checkpoint_path)
        model = model_from_checkpoint(checkpoint, checkpoint_path)
    if checkpoint.bare:
        note(f"{checkpoint_path}: no metadata; assuming the course's 27 symbols")
    note(f"checkpoint: {checkpoint_path}")
    lowercase = checkpoint.hyperparameters.get("lowercase", True)
    prefix_ids = _prefix_indices(prefix, checkpoint.vocab, lowercase)
    if len(prefix_ids) >= max_length:
        raise click.UsageError("--prefix must be shorter than --max-length")

    if assignment_seeding:
        first = 0 if seed is None else seed
        names = [
            draw_assignment_name(model, first + k, max_length, temperature, prefix_ids)
            for k in range(count)
        ]
    else:
        rng = np.random.default_rng(seed)
        names = sample_names(
            model, count, rng, temperature, prefix_ids, max_length
        )
    for indices in names:
        click.echo(as_name(checkpoint.vocab.decode(indices)))


@cli.command("fetch-data", context_settings=CONTEXT)
@click.argument("names", nargs=-1, type=click.Choice(sorted(CORPORA)))
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path),
              default=Path("data"), show_default=True, help="Folder to put them in.")
@click.option("--mirror", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Local folder to copy from before downloading.")
def fetch_data(names, dest, mirror):
    """Fetch corpora into data/, checking each file's sha256.

    With no NAMES it fetches the dinosaur names and the Sonnets.

    \b
    Example:
        dinogen fetch-data --mirror ../shared/data
        dinogen fetch-data names.txt tinyshakespeare.txt
    """
    for name in names or DEFAULT_CORPORA:
        with fail_cleanly():
            origin = fetch_corpus(CORPORA[name], dest, mirror)
        note(f"{dest / name}: {origin}")


register_poem_commands(cli)


def main() -> None:
    cli(prog_name="dinogen")
