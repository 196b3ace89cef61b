"""Held-out likelihood and sample statistics of a names model.

The held-out score is the mean negative log-likelihood per predicted symbol:
for each held-out name, every character and its end symbol, each predicted
from the name's start (the model's zero state and start input). It works for
any model offering the ``initial_state`` / ``start_inputs`` / ``step``
protocol of ``dinogen.sampling``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dinogen.batches import encode_names, pad_batch
from dinogen.errors import DinogenError
from dinogen.heldout import text_nll
from dinogen.numerics import log_softmax
from dinogen.sampling import sample_names
from dinogen.text import split_text_held_out
from dinogen.vocab import Vocabulary, describe

CHUNK = 1024  # names scored together; bounds memory on large corpora


def check_vocabulary(vocab: Vocabulary, names: Sequence[str], where) -> None:
    missing = vocab.unknown("".join(names))
    if missing:
        raise DinogenError(
            f"{where}: characters not in the model's vocabulary: {describe(missing)}"
        )


def total_log_loss(model, sequences: Sequence[np.ndarray]) -> tuple[float, int]:
    """Summed negative log-likelihood (nats) of ``sequences`` and their length."""
    total, symbols = 0.0, 0
    for first in range(0, len(sequences), CHUNK):
        chunk = sequences[first : first + CHUNK]
        batch = len(chunk)
        inputs, targets, mask = pad_batch(chunk)
        inputs[:, 0] = model.start_inputs(batch)
        state = model.initial_state(batch)
        for t in range(targets.shape[1]):
            logits, state = model.step(state, inputs[:, t])
            picked = log_softmax(logits)[np.arange(batch), targets[:, t]]
            total -= float(picked[mask[:, t]].sum())
        symbols += int(mask.sum())
    return total, symbols


def mean_log_loss(model, vocab: Vocabulary, names: Sequence[str]) -> float:
    """Mean NLL per predicted symbol, end symbols included, in nats."""
    total, symbols = total_log_loss(model, encode_names(vocab, names))
    return total / symbols


class NatsScore:
    """The same figure in bits and as a perplexity."""

    nll_nats: float

    @property
    def nll_bits(self) -> float:
        return self.nll_nats / math.log(2)

    @property
    def perplexity(self) -> float:
        return math.exp(self.nll_nats)

    def score_lines(self) -> list[str]:
        return [
            f"NLL per character:   {self.nll_nats:.4f} nats",
            f"                     {self.nll_bits:.4f} bits",
            f"perplexity:          {self.perplexity:.3f}",
        ]


@dataclass(frozen=True)
class TextEvaluation(NatsScore):
    held_out_characters: int
    window: int
    nll_nats: float

    def as_dict(self) -> dict:
        return {
            "held_out_characters": self.held_out_characters,
            "window": self.window,
            "nll_nats": self.nll_nats,
            "nll_bits": self.nll_bits,
            "perplexity": self.perplexity,
        }

    def report_lines(self, data_path) -> list[str]:
        return [
            f"held-out text:       {self.held_out_characters} characters "
            f"(the last 10 % of {data_path}),",
            f"                     read in windows of {self.window}",
            *self.score_lines(),
        ]


def evaluate_text_model(model, ids: np.ndarray, window: int) -> TextEvaluation:
    """Score the last 10 % of a text's symbol indices ``ids``."""
    _, held_out = split_text_held_out(ids)
    return TextEvaluation(len(held_out), window, text_nll(model, held_out, window))


@dataclass(frozen=True)
class Evaluation(NatsScore):
    held_out_names: int
    held_out_symbols: int
    nll_nats: float
    samples: int
    seed: int
    share_training: float
    share_held_out: float
    share_new: float
    mean_length_samples: float
    mean_length_data: float

    def as_dict(self) -> dict:
        return {
            "held_out_names": self.held_out_names,
            "held_out_symbols": self.held_out_symbols,
            "nll_nats": self.nll_nats,
            "nll_bits": self.nll_bits,
            "perplexity": self.perplexity,
            "samples": self.samples,
            "seed": self.seed,
            "share_training": self.share_training,
            "share_held_out": self.share_held_out,
            "share_new": self.share_new,
            "mean_length_samples": self.mean_length_samples,
            "mean_length_data": self.mean_length_data,
        }

    def report_lines(self, data_path) -> list[str]:
        return [
            f"held-out names:      {self.held_out_names} (lines 10, 20, 30, ... "
            f"of {data_path})",
            f"predicted symbols:   {self.held_out_symbols}",
            *self.score_lines(),
            f"drawn names:         {self.samples} (seed {self.seed})",
            f"  training names:    {100 * self.share_training:.1f} %",
            f"  held-out names:    {100 * self.share_held_out:.1f} %",
            f"  new names:         {100 * self.share_new:.1f} %",
            f"mean length:         {self.mean_length_samples:.2f} "
            f"(data: {self.mean_length_data:.2f})",
        ]


def evaluate_names_model(
    model,
    vocab: Vocabulary,
    training: Sequence[str],
    held_out: Sequence[str],
    samples: int = 1000,
    seed: int = 0,
    max_length: int = 50,
) -> Evaluation:
    """Score ``held_out`` and compare ``samples`` drawn names with the data.

    Names are compared lower-cased, as the corpus reader stores them.
    """
    if not held_out:
        raise DinogenError("no held-out names (the corpus has fewer than 10 lines)")
    sequences = encode_names(vocab, held_out)
    total, symbols = total_log_loss(model, sequences)

    drawn = [
        vocab.decode(indices).lower()
        for indices in sample_names(
            model, samples, np.random.default_rng(seed), max_length=max_length
        )
    ]
    training_set = {n.lower() for n in training}
    held_out_set = {n.lower() for n in held_out} - training_set
    in_training = sum(name in training_set for name in drawn)
    in_held_out = sum(name in held_out_set for name in drawn)
    every_name = [*training, *held_out]
    return Evaluation(
        held_out_names=len(held_out),
        held_out_symbols=symbols,
        nll_nats=total / symbols,
        samples=samples,
        seed=seed,
        share_training=in_training / samples if samples else 0.0,
        share_held_out=in_held_out / samples if samples else 0.0,
        share_new=(samples - in_training - in_held_out) / samples if samples else 0.0,
        mean_length_samples=float(np.mean([len(n) for n in drawn])) if drawn else 0.0,
        mean_length_data=float(np.mean([len(n) for n in every_name])),
    )
