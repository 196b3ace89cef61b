"""Drawing names from a model, character by character.

A model offers ``initial_state(batch)``, ``start_inputs(batch)`` and
``step(state, inputs) -> (logits, state)``, where a state is an array, or a
tuple of arrays, with the batch on the first axis. ``sample_names`` advances
every requested name together and drops each one from the batch as it ends;
``draw_assignment_name`` draws one name exactly as the course notebook does.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dinogen.numerics import softmax
from dinogen.vocab import END

END_INDEX = 0  # the vocabulary keeps the end symbol at index 0


def _scaled(logits: np.ndarray, temperature: float, top_k: int | None):
    if top_k is not None and top_k < logits.shape[-1]:
        kth = np.partition(logits, -top_k, axis=-1)[..., -top_k, None]
        logits = np.where(logits < kth, -np.inf, logits)
    return logits / temperature


def _choose(logits, rng, temperature, top_k):
    """One index per row: by inverse CDF on the softmax, or greedy at temperature 0."""
    if temperature == 0:
        return logits.argmax(axis=-1)
    scaled = _scaled(logits, temperature, top_k)
    cumulative = np.exp(scaled - scaled.max(axis=-1, keepdims=True)).cumsum(axis=-1)
    threshold = rng.random(len(logits))[:, None] * cumulative[:, -1:]
    chosen = (cumulative <= threshold).sum(axis=-1)
    return np.minimum(chosen, logits.shape[-1] - 1)


def _take(state, rows):
    if isinstance(state, tuple):
        return tuple(part[rows] for part in state)
    return state[rows]


def _condition(model, count: int, prefix: Sequence[int]):
    """State after the start input and the prefix, and the next inputs."""
    state = model.initial_state(count)
    inputs = model.start_inputs(count)
    for index in prefix:
        _, state = model.step(state, inputs)
        inputs = np.full(count, index)
    return state, inputs


def sample_names(
    model,
    count: int,
    rng: np.random.Generator,
    temperature: float = 1.0,
    prefix: Sequence[int] = (),
    max_length: int = 50,
    top_k: int | None = None,
) -> list[list[int]]:
    """``count`` independent names as index lists (prefix included, end excluded).

    A name stops at the end symbol or once it is ``max_length`` characters long.
    """
    state, inputs = _condition(model, count, prefix)
    drawn = np.full((count, max(max_length - len(prefix), 0)), END_INDEX)
    lengths = np.full(count, drawn.shape[1])
    alive = np.arange(count)
    for position in range(drawn.shape[1]):
        logits, state = model.step(state, inputs)
        chosen = _choose(logits, rng, temperature, top_k)
        drawn[alive, position] = chosen
        ended = chosen == END_INDEX
        if ended.any():
            lengths[alive[ended]] = position
            going = ~ended
            alive, state, inputs = alive[going], _take(state, going), chosen[going]
            if not len(alive):
                break
        else:
            inputs = chosen
    return [list(prefix) + drawn[i, : lengths[i]].tolist() for i in range(count)]


def draw_assignment_name(
    model,
    seed: int,
    max_length: int = 50,
    temperature: float = 1.0,
    prefix: Sequence[int] = (),
) -> list[int]:
    """One name drawn as the course notebook's ``sample`` draws it.

    The i-th drawn character comes from NumPy's legacy generator seeded
    ``seed + 2 * i`` through ``RandomState.choice``. The result ends with the
    end index; one cut at ``max_length`` characters has it appended.
    """
    state, inputs = _condition(model, 1, prefix)
    indices = list(prefix)
    for position in range(max(max_length - len(prefix), 0)):
        logits, state = model.step(state, inputs)
        if temperature == 0:
            index = int(logits[0].argmax())
        else:
            probs = softmax(logits[0] / temperature)
            legacy = np.random.RandomState(seed + 2 * position)
            index = int(legacy.choice(len(probs), p=probs))
        indices.append(index)
        if index == END_INDEX:
            return indices
        inputs = np.array([index])
    return indices + [END_INDEX]


def as_name(text: str) -> str:
    """A name as the notebook prints it: first character upper-cased."""
    text = text.removesuffix(END)
    return text[:1].upper() + text[1:]
