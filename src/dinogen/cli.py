"""The ``dinogen`` command line: parse options, call the core, print results.

Results (names, logs, poems) go to stdout; progress bars, notes and errors go
to stderr. Errors from the core become one ``Error: ...`` line and exit 1.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
import numpy as np

from dinogen import __version__, cli_minibatch
from dinogen import evaluate as evaluation
from dinogen.checkpoint import load_checkpoint, save_checkpoint
from dinogen.cli_common import (
    CONTEXT,
    check_temperature,
    fail_cleanly,
    interrupt_flag,
    note,
)
from dinogen.cli_poem import (
    KERAS_ONLY,
    keras_train_options,
    resolve_format,
    run_keras_command,
)
from dinogen.cli_poem import register as register_poem_commands
from dinogen.corpus import read_names
from dinogen.datasets import CORPORA, DEFAULT_CORPORA, fetch_corpus
from dinogen.models import checkpoint_of, model_from_checkpoint
from dinogen.novelty import HASHES_ARRAY, name_hashes
from dinogen.pretrained import default_checkpoint
from dinogen.sampling import as_name, draw_assignment_name, sample_names
from dinogen.train import TrainConfig, train_rnn, training_metadata
from dinogen.vocab import describe

DEFAULT_DATA = Path("data/dinos.txt")
DEFAULT_CHECKPOINT = Path("checkpoints/dinos.npz")


class DinogenGroup(click.Group):
    """A command group whose errors are one line on stderr, usage included."""

    def main(self, *args, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **extra)
        try:
            returned = super().main(*args, standalone_mode=False, **extra)
        except click.ClickException as err:
            click.echo(f"Error: {err.format_message()}", err=True)
            sys.exit(err.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except BrokenPipeError:
            # stdout's reader went away (`dinogen sample | head`): stop quietly
            sys.stdout = open(os.devnull, "w")
            sys.exit(1)
        sys.exit(returned if isinstance(returned, int) else 0)


@click.group(cls=DinogenGroup, context_settings=CONTEXT)
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
@cli_minibatch.minibatch_options
@keras_train_options
@click.pass_context
def train(ctx, data_path, iters, hidden_size, learning_rate, clip_value, seed,
          shuffle_seed, log_every, log_names, out_path, keep_case, quiet,
          backend, corpus_format, **options):
    """Train a character-level model on names, or an LSTM on text with Keras.

    With the defaults this is the course assignment's training exactly, and
    its log (the loss and 7 sampled names every 2,000 steps) goes to stdout.
    Ctrl-C stops training and saves what has been learnt so far.

    Any of the minibatch options (--cell, --batch-size, --optimizer, ...)
    selects the minibatch trainer instead: GRU, LSTM or tanh cells, Adam or
    gradient descent, dropout. It scores the held-out names (lines 10, 20,
    30, ... of the file) every --eval-every steps, keeps the weights with the
    best score, and saves a checkpoint that --resume continues exactly. There
    --iters counts batches (default 2000), and --hidden-size (128),
    --learning-rate (0.002) and --seed (0) have minibatch defaults; --clip
    clips element-wise only when given.

    With --backend keras (options marked [keras], and --layers,
    --embedding-size, --dropout, --batch-size) a stacked LSTM learns a text
    (--format text, the default there) or names; each epoch reports the
    training and held-out loss on stderr, and the weights with the best
    held-out loss are saved as an lstm checkpoint.

    \b
    Example:
        dinogen train --iters 35000
        dinogen train --data my-names.txt --out checkpoints/mine.npz
        dinogen train --cell gru --iters 2000 --dropout 0.2
        dinogen train --resume checkpoints/dinos.npz --iters 4000
        dinogen train --backend keras --data data/shakespeare.txt
    """
    keras_options = {name: options.pop(name) for name in KERAS_ONLY}
    shared_names = ("layers", "embedding_size", "dropout", "batch_size")
    shared = {name: options[name] for name in shared_names}
    minibatch = options
    if backend == "keras":
        _refuse_options(ctx, [n for n in minibatch if n not in shared_names],
                        "the NumPy minibatch trainer, not --backend keras")
        given = {
            name: value if cli_minibatch.given(ctx, name) else None
            for name, value in (("clip_value", clip_value), ("seed", seed))
        }
        run_keras_command(
            corpus_format, data_path=data_path, out_path=out_path,
            hidden_size=hidden_size, learning_rate=learning_rate,
            keep_case=keep_case, quiet=quiet, **given, **shared, **keras_options,
        )
        return
    _refuse_options(ctx, KERAS_ONLY, "--backend keras")
    resolve_format(backend, corpus_format)
    data_path = data_path or DEFAULT_DATA
    out_path = out_path or DEFAULT_CHECKPOINT
    if not data_path.exists() and data_path == DEFAULT_DATA:
        raise click.ClickException(
            f"{data_path} not found: run `make data` to fetch the corpora, "
            "or pass --data PATH"
        )
    if cli_minibatch.requested(minibatch):
        cli_minibatch.run(ctx, data_path, out_path, keep_case, quiet, minibatch)
        return
    hidden_size = hidden_size or TrainConfig.hidden_size
    learning_rate = learning_rate or TrainConfig.learning_rate
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
        if result.interrupted and result.iterations_done == 0:
            note("interrupted before the first step; nothing was saved")
            sys.exit(130)
        metadata = training_metadata(corpus, config, result, not keep_case)
        checkpoint = checkpoint_of(result.model, corpus.vocab, metadata)
        checkpoint.arrays[HASHES_ARRAY] = name_hashes(corpus.names)
        save_checkpoint(out_path, checkpoint)
    if result.interrupted:
        note(f"interrupted after {result.iterations_done} steps; saved {out_path}")
        sys.exit(130)
    if not quiet:
        note(f"saved {out_path}")


def _refuse_options(ctx, names, owner: str) -> None:
    """A usage error for options given on the command line that ``owner`` owns."""
    flags = [
        "--" + name.removesuffix("_path").replace("_", "-")
        for name in names
        if cli_minibatch.given(ctx, name)
    ]
    if flags:
        verb = "applies" if len(flags) == 1 else "apply"
        raise click.UsageError(f"{', '.join(flags)} only {verb} to {owner}")


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
            corpus, config, on_log=None if quiet else _print_log,
            on_progress=progress, should_stop=should_stop,
        )


def _prefix_indices(prefix: str, vocab, lowercase: bool) -> list[int]:
    text = prefix.lower() if lowercase else prefix
    missing = vocab.unknown(text)
    if missing:
        raise click.BadParameter(
            f"characters not in the model's vocabulary: {describe(missing)}",
            param_hint="'--prefix'",
        )
    return vocab.encode(text)


@cli.command(context_settings=CONTEXT)
@click.option("-n", "--count", type=click.IntRange(min=0), default=10,
              show_default=True, help="How many names to print.")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Seed for reproducible names (default: fresh each run).")
@click.option("--temperature", type=float, default=1.0, show_default=True,
              callback=check_temperature,
              help="Sharpen (<1) or flatten (>1); 0 is greedy.")
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
@click.option("--top-k", type=click.IntRange(min=1), default=None,
              help="Draw each character from the K likeliest only [default: all].")
@click.option("--novel", is_flag=True,
              help="Only distinct names that are not in the training corpus.")
@click.option("--max-draws", type=click.IntRange(min=1), default=10_000,
              show_default=True, help="With --novel, give up after this many names.")
def sample(count, seed, temperature, prefix, max_length, checkpoint_path,
           assignment_seeding, top_k, novel, max_draws):
    """Print new names from a trained model, one per line.

    Names are drawn together in one batch from NumPy's default generator.
    With --assignment-seeding each name is drawn as the course notebook's
    ``sample`` does, so `-n 7 --seed 0` repeats a training log's names.

    \b
    Example:
        dinogen sample -n 10 --seed 0
        dinogen sample --prefix tyr --temperature 0.7
        dinogen sample --novel --top-k 10
    """
    if assignment_seeding and (novel or top_k is not None):
        raise click.UsageError(
            "--assignment-seeding cannot be combined with --novel or --top-k"
        )
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

    if novel:
        _print_novel(model, checkpoint, checkpoint_path, count, seed, temperature,
                     prefix_ids, max_length, top_k, max_draws)
        return
    if assignment_seeding:
        first = 0 if seed is None else seed
        names = [
            draw_assignment_name(model, first + k, max_length, temperature, prefix_ids)
            for k in range(count)
        ]
    else:
        rng = np.random.default_rng(seed)
        names = sample_names(
            model, count, rng, temperature, prefix_ids, max_length, top_k
        )
    for indices in names:
        click.echo(as_name(checkpoint.vocab.decode(indices)))


def _print_novel(model, checkpoint, checkpoint_path, count, seed, temperature,
                 prefix_ids, max_length, top_k, max_draws):
    from dinogen.novelty import draw_novel_names

    hashes = checkpoint.arrays.get(HASHES_ARRAY)
    if hashes is None:
        raise click.ClickException(
            f"{checkpoint_path}: holds no hashes of its training names, so "
            "--novel cannot tell new names; retrain it with this dinogen"
        )
    found, draws = draw_novel_names(
        model, checkpoint.vocab, hashes, count, np.random.default_rng(seed),
        temperature, prefix_ids, max_length, top_k, max_draws,
    )
    for indices in found:
        click.echo(as_name(checkpoint.vocab.decode(indices)))
    if len(found) < count:
        raise click.ClickException(
            f"found only {len(found)} new name(s) of {count} in {draws} draws "
            "(--max-draws); try a higher --temperature or --max-draws"
        )


def _default_evaluation_data(checkpoint) -> Path:
    trained_on = checkpoint.metadata.get("corpus", {}).get("name")
    if isinstance(trained_on, str) and (Path("data") / trained_on).is_file():
        return Path("data") / trained_on
    return DEFAULT_DATA


@cli.command(context_settings=CONTEXT)
@click.option("--checkpoint", "checkpoint_path",
              type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"Model to score [default: {DEFAULT_CHECKPOINT} if it "
              "exists, else the shipped model].")
@click.option("--data", "data_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Names corpus whose lines 10, 20, 30, ... are "
              "scored [default: data/ + the corpus the checkpoint names, else "
              f"{DEFAULT_DATA}].")
@click.option("--samples", type=click.IntRange(min=1), default=1000,
              show_default=True, help="Names drawn to compare with the data.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed for the drawn names.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def evaluate(checkpoint_path, data_path, samples, seed, as_json):
    """Score a model on held-out data and compare its names with the data.

    Prints the mean negative log-likelihood per character of the held-out
    names (lines 10, 20, 30, ... of the file; every character and the end of
    each name, from the name's start) in nats and bits, the perplexity, and
    for a batch of drawn names the shares that are training names, held-out
    names and new names, and their mean length against the data's. A model
    trained on text is scored on the last 10 % of the text instead.

    \b
    Example:
        dinogen evaluate
        dinogen evaluate --checkpoint checkpoints/names.npz --data data/names.txt
    """
    import json

    from dinogen.corpus import split_held_out

    if checkpoint_path is None:
        checkpoint_path = default_checkpoint(DEFAULT_CHECKPOINT, "dinos.npz")
    with fail_cleanly():
        checkpoint = load_checkpoint(checkpoint_path)
        model = model_from_checkpoint(checkpoint, checkpoint_path)
        if data_path is None:
            data_path = _default_evaluation_data(checkpoint)
        lowercase = checkpoint.hyperparameters.get("lowercase", True)
        if checkpoint.metadata.get("corpus_format") == "text":
            from dinogen.text import read_text

            text = read_text(data_path, lowercase, vocab=checkpoint.vocab)
            window = checkpoint.hyperparameters.get("seq_length", 100)
            result = evaluation.evaluate_text_model(model, text.ids, window)
        else:
            corpus = read_names(data_path, lowercase=lowercase)
            training, held_out = split_held_out(corpus)
            evaluation.check_vocabulary(checkpoint.vocab, corpus.names, data_path)
            result = evaluation.evaluate_names_model(
                model, checkpoint.vocab, training, held_out, samples, seed
            )
    note(f"checkpoint: {checkpoint_path}")
    if as_json:
        figures = {"checkpoint": str(checkpoint_path), "data": str(data_path)}
        figures.update(result.as_dict())
        click.echo(json.dumps(figures, indent=2))
        return
    click.echo("\n".join(result.report_lines(data_path)))


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
