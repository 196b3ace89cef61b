"""What every dinogen command shares: help flags, notes, errors, Ctrl-C."""

from __future__ import annotations

import math
import signal
from contextlib import contextmanager

import click

from dinogen.errors import DinogenError

CONTEXT = {"help_option_names": ["-h", "--help"]}


def note(message: str) -> None:
    """A side note for the user: stderr, so stdout keeps only results."""
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


def check_temperature(ctx, param, value):
    """Click callback: a temperature is 0 (greedy) or positive, never NaN."""
    if value is not None and (math.isnan(value) or value < 0):
        raise click.BadParameter("must be 0 (greedy) or a positive number")
    return value
