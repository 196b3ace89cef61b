"""Continuing a prompt with a text model, one character at a time.

The model reads the start input, then every usable character of the prompt
(however long it is), then writes ``length`` characters, each drawn from the
softmax of its logits at the given temperature and fed back as the next input.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dinogen.lstm import LSTM
from dinogen.text import normalise_text
from dinogen.vocab import Vocabulary


@dataclass(frozen=True)
class Prompt:
    indices: list[int]  # what conditions the model
    unknown: list[str]  # distinct characters skipped, in order of appearance


def read_prompt(prompt: str, vocab: Vocabulary, lowercase: bool) -> Prompt:
    """Normalise ``prompt`` as the corpus was and drop what the model cannot read."""
    text = normalise_text(prompt, lowercase)
    unknown = vocab.unknown(text)
    indices = [vocab.index(ch) for ch in text if ch in vocab]
    return Prompt(indices, unknown)


def continue_text(
    model,
    prompt: list[int],
    length: int,
    rng: np.random.Generator,
    temperature: float = 1.0,
) -> list[int]:
    """``length`` symbol indices that follow ``prompt``."""
    step = single_sequence(model)
    index = int(model.start_inputs(1)[0])

    # condition on the whole prompt
    for next_index in prompt:
        step(index)
        index = next_index

    # write, feeding each drawn character back in
    written = []
    for _ in range(length):
        index = draw(step(index), rng, temperature)
        written.append(index)
    return written


def single_sequence(model):
    """A function advancing one sequence: input index -> next-symbol logits."""
    if hasattr(model, "stream"):
        return model.stream().step
    state = model.initial_state(1)

    def step(index: int) -> np.ndarray:
        nonlocal state
        logits, state = model.step(state, np.array([index]))
        return logits[0]

    return step


def draw(logits: np.ndarray, rng: np.random.Generator, temperature: float) -> int:
    """One index from the softmax of ``logits / temperature``; argmax at 0.

    Inverse CDF with one uniform number per draw, as ``sampling`` draws names.
    """
    if temperature == 0:
        return int(logits.argmax())
    scaled = logits if temperature == 1 else logits / temperature
    cumulative = np.exp(scaled - np.maximum.reduce(scaled)).cumsum(dtype=np.float64)
    threshold = rng.random() * cumulative[-1]
    return min(int(cumulative.searchsorted(threshold, side="right")),
               len(cumulative) - 1)


def writing_model(model):
    """The model to write with: an LSTM computes in float32, as Keras trained it."""
    return model.with_dtype(np.float32) if isinstance(model, LSTM) else model
