"""The minibatch trainer's options of ``dinogen train`` and the run they start.

Any of these options switches ``dinogen train`` from the course's recipe to
the minibatch trainer; the shared options (--iters, --hidden-size,
--learning-rate, --clip, --seed) then take the minibatch defaults unless
given.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dinogen.cells import CELLS
from dinogen.checkpoint import load_checkpoint, save_checkpoint
from dinogen.cli_common import fail_cleanly, interrupt_flag, note
from dinogen.corpus import read_names
from dinogen.minibatch import (
    DTYPES,
    MinibatchConfig,
    check_same_vocabulary,
    new_run,
    resume_run,
    run_checkpoint,
    split_and_encode,
    train_minibatch,
)
from dinogen.optim import OPTIMIZERS

DEFAULTS = MinibatchConfig()
MINIBATCH_DEFAULT_STEPS = DEFAULTS.steps

OPTIONS = [
    click.option("--cell", type=click.Choice(sorted(CELLS)), default=None,
                 show_default=DEFAULTS.cell, help="Minibatch trainer: recurrent cell."),
    click.option("--layers", type=click.IntRange(min=1), default=None,
                 show_default=str(DEFAULTS.layers), help="Stacked recurrent layers."),
    click.option("--embedding-size", type=click.IntRange(min=0), default=None,
                 show_default=str(DEFAULTS.embedding_size),
                 help="Width of the input embedding; 0 feeds one-hot inputs."),
    click.option("--batch-size", type=click.IntRange(min=1), default=None,
                 show_default=str(DEFAULTS.batch_size), help="Names per step."),
    click.option("--optimizer", type=click.Choice(OPTIMIZERS), default=None,
                 show_default=DEFAULTS.optimizer, help="Update rule."),
    click.option("--lr-half-life", type=click.IntRange(min=0), default=None,
                 show_default=str(DEFAULTS.lr_half_life),
                 help="Steps per halving of the learning rate; 0 keeps it."),
    click.option("--clip-norm", type=click.FloatRange(min=0), default=None,
                 show_default=str(DEFAULTS.clip_norm),
                 help="Scale gradients to this global L2 norm at most; 0: off."),
    click.option("--dropout", type=click.FloatRange(min=0, max=1, max_open=True),
                 default=None, show_default=str(DEFAULTS.dropout),
                 help="Dropout on the embedding and on every layer's output."),
    click.option("--weight-decay", type=click.FloatRange(min=0), default=None,
                 show_default=str(DEFAULTS.weight_decay),
                 help="Decoupled weight decay per unit of learning rate."),
    click.option("--ema", type=click.FloatRange(min=0, max=1, max_open=True),
                 default=None, show_default=str(DEFAULTS.ema),
                 help="Score and keep a moving average of the weights; 0: off."),
    click.option("--eval-every", type=click.IntRange(min=1), default=None,
                 show_default=str(DEFAULTS.eval_every),
                 help="Score the held-out names every N steps."),
    click.option("--dtype", type=click.Choice(DTYPES), default=None,
                 show_default=DEFAULTS.dtype, help="Floating-point type."),
    click.option("--save-state/--no-save-state", default=None,
                 show_default="save",
                 help="Keep the optimizer state in the checkpoint so --resume "
                 "can continue; without it the file is about 4x smaller."),
    click.option("--resume", "resume_path",
                 type=click.Path(dir_okay=False, path_type=Path), default=None,
                 help="Continue the minibatch run saved in this checkpoint."),
]
NAMES = ("cell", "layers", "embedding_size", "batch_size", "optimizer",
         "lr_half_life", "clip_norm", "dropout", "weight_decay", "ema",
         "eval_every", "dtype", "save_state", "resume_path")
CONFIG_NAMES = NAMES[:-2]


def minibatch_options(command):
    for option in reversed(OPTIONS):
        command = option(command)
    return command


def requested(options: dict) -> bool:
    return any(options[name] is not None for name in NAMES)


def given(ctx: click.Context, name: str) -> bool:
    return ctx.get_parameter_source(name) != click.core.ParameterSource.DEFAULT


def config_from_options(ctx: click.Context, options: dict) -> MinibatchConfig:
    """The configuration the command line asks for, over the minibatch defaults."""
    chosen = {
        name: options[name] for name in CONFIG_NAMES if options[name] is not None
    }
    shared = {"iters": "steps", "hidden_size": "hidden_size",
              "learning_rate": "learning_rate", "clip_value": "clip_value",
              "seed": "seed"}
    for option, field in shared.items():
        if given(ctx, option):
            chosen[field] = ctx.params[option]
    return MinibatchConfig(**chosen)


def run(ctx: click.Context, data_path: Path, out_path: Path, keep_case: bool,
        quiet: bool, options: dict) -> None:

    resume_path = options["resume_path"]
    with_state = options["save_state"] is not False
    if resume_path is not None:
        _check_resume_options(ctx, options)
    with fail_cleanly():
        if resume_path is not None:
            checkpoint = load_checkpoint(resume_path)
            lowercase = checkpoint.hyperparameters.get("lowercase", True)
            corpus = read_names(data_path, lowercase=lowercase)
            check_same_vocabulary(checkpoint.vocab, corpus.vocab, resume_path,
                                  data_path)
            trained_on = checkpoint.metadata.get("corpus", {}).get("sha256")
            if trained_on != corpus.sha256 and not quiet:
                note(f"{data_path}: not the file this run was trained on "
                     "(its sha256 differs); continuing on it")
            training, held_out = split_and_encode(corpus, checkpoint.vocab)
            steps = ctx.params["iters"] if given(ctx, "iters") else None
            run_state = resume_run(checkpoint, resume_path, len(training), steps)
            if not given(ctx, "out_path"):
                out_path = resume_path
        else:
            lowercase = not keep_case
            corpus = read_names(data_path, lowercase=lowercase)
            config = config_from_options(ctx, options)
            training, held_out = split_and_encode(corpus, corpus.vocab)
            run_state = new_run(config, corpus.vocab, len(training))
        if not quiet:
            note(f"{data_path}: {len(training)} training names, {len(held_out)} "
                 f"held out (lines 10, 20, 30, ...), {len(corpus.vocab)} symbols")

        def save(run_now):
            checkpoint = run_checkpoint(run_now, corpus, lowercase, with_state)
            save_checkpoint(out_path, checkpoint)

        def log_and_save(run_now, loss):
            if not quiet and loss == loss:
                best = " (best)" if run_now.best_step == run_now.step else ""
                note(f"step {run_now.step}: held-out {loss:.4f} nats/char{best}")
            save(run_now)

        finished = _train_with_progress(run_state, training, held_out, log_and_save,
                                        quiet, interrupt_flag)
        save(run_state)
    if not finished:
        resume_hint = f" (continue with --resume {out_path})" if with_state else ""
        note(f"interrupted after {run_state.step} steps; saved {out_path}"
             + resume_hint)
        sys.exit(130)
    if not quiet:
        if run_state.history:
            note(f"best held-out {run_state.best_loss:.4f} nats/char at step "
                 f"{run_state.best_step}")
        note(f"saved {out_path}")


def _check_resume_options(ctx: click.Context, options: dict) -> None:
    """A resumed run keeps its settings; refuse options that would be ignored."""
    fixed = [name for name in CONFIG_NAMES if options[name] is not None]
    fixed += [name for name in ("hidden_size", "learning_rate", "clip_value", "seed",
                                "keep_case") if given(ctx, name)]
    if fixed:
        flags = ", ".join("--" + name.replace("_", "-").replace("-value", "")
                          for name in fixed)
        raise click.UsageError(
            f"--resume continues with the checkpoint's settings; {flags} cannot "
            "change them (only --data, --iters, --out and --quiet apply)"
        )


def _train_with_progress(run_state, training, held_out, save, quiet, interrupt_flag):
    from tqdm import tqdm

    config = run_state.config
    with (
        interrupt_flag() as should_stop,
        tqdm(total=config.steps, initial=run_state.step, disable=quiet, unit="step",
             file=sys.stderr, dynamic_ncols=True, mininterval=0.5) as bar,
    ):
        smoothed = {"loss": None}

        def progress(step: int, loss: float) -> None:
            old = smoothed["loss"]
            smoothed["loss"] = loss if old is None else 0.98 * old + 0.02 * loss
            bar.update(step - bar.n)
            bar.set_postfix(loss=f"{smoothed['loss']:.3f}", refresh=False)

        return train_minibatch(run_state, training, held_out, on_evaluation=save,
                               on_progress=progress, should_stop=should_stop)
