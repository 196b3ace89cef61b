"""The course's training recipe for names: one example per step, carried state.

With the default configuration this is the notebook's ``model()`` exactly:
legacy seed 1 for the weights, the examples shuffled once with legacy seed 0
and visited in that order, the hidden state carried from one name to the next,
gradient descent at 0.01 with element-wise clipping at 5, the loss smoothed
as ``0.999 * old + 0.001 * new``, and every 2,000 steps a log of 7 names.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from dinogen.corpus import NamesCorpus
from dinogen.errors import DinogenError
from dinogen.rnn import RNN, START, Sequence
from dinogen.sampling import END_INDEX, as_name, draw_assignment_name

# The notebook starts its smoothed loss at the loss of a uniform guess over a
# 7-character name; it does so whatever the number of names it prints.
ASSUMED_NAME_LENGTH = 7


@dataclass(frozen=True)
class TrainConfig:
    iterations: int = 35_000
    hidden_size: int = 50
    learning_rate: float = 0.01
    clip_value: float = 5.0
    init_seed: int = 1
    shuffle_seed: int = 0
    log_every: int = 2_000
    names_per_log: int = 7


@dataclass
class TrainResult:
    model: RNN
    iterations_done: int
    smoothed_loss: float
    interrupted: bool


class TrainingDiverged(DinogenError):
    def __init__(self, iteration: int, learning_rate: float):
        self.iteration = iteration
        super().__init__(
            f"the loss became NaN or infinite at iteration {iteration}; "
            f"try a lower learning rate than {learning_rate:g}"
        )


def shuffled_examples(corpus: NamesCorpus, seed: int) -> list[str]:
    """The names in the notebook's training order: one legacy-seeded shuffle."""
    examples = list(corpus.names)
    np.random.RandomState(seed).shuffle(examples)
    return examples


def encode_example(model: RNN, corpus: NamesCorpus, name: str) -> Sequence:
    """Inputs (start, c1, ..., cn) and targets (c1, ..., cn, end) of one name."""
    ids = corpus.vocab.encode(name)
    return model.encode([START, *ids], [*ids, END_INDEX])


def log_names(model: RNN, corpus: NamesCorpus, count: int) -> list[str]:
    """The names the notebook prints: seeds 0, 1, ... through its sampler."""
    return [
        as_name(corpus.vocab.decode(draw_assignment_name(model, seed)))
        for seed in range(count)
    ]


def train_rnn(
    corpus: NamesCorpus,
    config: TrainConfig,
    on_log: Callable[[int, float, list[str]], None] | None = None,
    on_progress: Callable[[int, float], None] = lambda *_: None,
    should_stop: Callable[[], bool] = lambda: False,
) -> TrainResult:
    """Train the course's RNN; ``on_log`` gets each logged step, loss and names.

    Without ``on_log`` no names are drawn (the weights are still checked).

    Stops early, without error, when ``should_stop()`` turns true. Raises
    TrainingDiverged when the loss or the weights stop being finite.
    """
    vocab_size = len(corpus.vocab)
    model = RNN.initialized(config.hidden_size, vocab_size, seed=config.init_seed)
    examples = [
        encode_example(model, corpus, name)
        for name in shuffled_examples(corpus, config.shuffle_seed)
    ]
    smoothed = math.log(vocab_size) * ASSUMED_NAME_LENGTH
    a_prev = np.zeros(config.hidden_size)
    done = 0

    # a non-finite loss or weight is reported below, not warned about
    with np.errstate(all="ignore"):
        for j in range(config.iterations):
            if should_stop():
                return TrainResult(model, done, smoothed, interrupted=True)

            # take the next example in the shuffled order
            example = examples[j % len(examples)]

            # forward and backward, carrying the hidden state to the next name
            loss, a_prev = model.loss_and_gradients(example, a_prev)
            if not math.isfinite(loss):
                raise TrainingDiverged(j, config.learning_rate)

            # clip, then one step of gradient descent
            model.clip_gradients(config.clip_value)
            model.apply_gradients(config.learning_rate)
            smoothed = smoothed * 0.999 + loss * 0.001
            done = j + 1

            # log and sample
            if j % config.log_every == 0:
                if not model.parameters_finite():
                    raise TrainingDiverged(j, config.learning_rate)
                if on_log is not None:
                    names = log_names(model, corpus, config.names_per_log)
                    on_log(j, smoothed, names)
            if j % 100 == 0:
                on_progress(done, smoothed)

    if not model.parameters_finite():
        raise TrainingDiverged(done - 1, config.learning_rate)
    on_progress(done, smoothed)
    return TrainResult(model, done, smoothed, interrupted=False)


def training_metadata(
    corpus: NamesCorpus, config: TrainConfig, result: TrainResult, lowercase: bool
) -> dict:
    hyperparameters = asdict(config)
    hyperparameters["lowercase"] = lowercase
    return {
        "hyperparameters": hyperparameters,
        "iteration": result.iterations_done,
        "smoothed_loss": result.smoothed_loss,
        "corpus": {"name": corpus.path.name, "sha256": corpus.sha256},
        "corpus_format": "names",
    }
