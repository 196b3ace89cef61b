"""Minibatch training of stacked RNN, GRU and LSTM language models on names.

Each step takes a batch of training names (padded and masked), runs the
forward and backward passes, clips the gradients (by global norm, or by value),
and updates with Adam or plain gradient descent. Every ``eval_every`` steps
the held-out names (lines 10, 20, 30, ... of the file) are scored, and the
weights with the best held-out loss are the ones the checkpoint holds.

A checkpoint also holds the run's state: the current weights, the optimizer's
moments, their exponential average, the step, the epoch order and the
random generator's state. Resuming from it continues the run exactly where it
stopped, so an interrupted and resumed run ends where an uninterrupted one
does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields

import numpy as np

from dinogen.batches import EpochOrder, encode_names, pad_batch
from dinogen.checkpoint import Checkpoint
from dinogen.corpus import NamesCorpus, split_held_out
from dinogen.errors import DinogenError
from dinogen.evaluate import total_log_loss
from dinogen.network import Network
from dinogen.novelty import HASHES_ARRAY, name_hashes
from dinogen.optim import clip_by_global_norm, clip_by_value, make_optimizer
from dinogen.vocab import Vocabulary, describe

TRAINER = "minibatch"
STATE_PREFIX = "state_"  # arrays of the run's state, not of the model
DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class MinibatchConfig:
    cell: str = "gru"
    hidden_size: int = 128
    layers: int = 1
    embedding_size: int = 32
    batch_size: int = 32
    optimizer: str = "adam"
    learning_rate: float = 0.002
    lr_half_life: int = 0  # steps per halving of the learning rate; 0: constant
    clip_norm: float = 5.0  # 0: no global-norm clipping
    clip_value: float = 0.0  # 0: no element-wise clipping
    dropout: float = 0.2
    weight_decay: float = 0.0
    ema: float = 0.99  # decay of the weights' moving average; 0: none
    steps: int = 2000
    eval_every: int = 100
    seed: int = 0
    dtype: str = "float32"  # about twice as fast as float64 here

    def __post_init__(self):
        if self.dtype not in DTYPES:
            raise DinogenError(f"dtype must be one of {', '.join(DTYPES)}")
        if not 0.0 <= self.dropout < 1.0:
            raise DinogenError(f"dropout must be in [0, 1), not {self.dropout}")
        if not 0.0 <= self.ema < 1.0:
            raise DinogenError(f"ema must be in [0, 1), not {self.ema}")

    def learning_rate_at(self, step: int) -> float:
        if not self.lr_half_life:
            return self.learning_rate
        return self.learning_rate * 0.5 ** (step / self.lr_half_life)


@dataclass
class TrainingRun:
    """Everything a checkpoint needs to hold a model and to continue its training."""

    config: MinibatchConfig
    vocab: Vocabulary
    network: Network
    optimizer: object
    average: np.ndarray | None  # moving average of the flat weights
    batches: EpochOrder
    rng: np.random.Generator
    step: int = 0
    best_loss: float = math.inf
    best_step: int = 0
    best_weights: np.ndarray | None = None
    history: list = field(default_factory=list)  # (step, held-out loss) pairs

    def evaluated_weights(self) -> np.ndarray:
        return self.network.params.flat if self.average is None else self.average


class TrainingDiverged(DinogenError):
    pass


def new_run(config: MinibatchConfig, vocab: Vocabulary, training_count: int):
    rng = np.random.default_rng(config.seed)
    network = Network(
        config.cell, len(vocab), config.hidden_size, config.layers,
        config.embedding_size, dtype=np.dtype(config.dtype),
    )
    network.initialize(rng)
    size = network.params.flat.size
    optimizer = make_optimizer(
        config.optimizer, size, network.dtype, config.weight_decay,
        network.decay_mask(),
    )
    average = network.params.flat.copy() if config.ema else None
    batches = EpochOrder(training_count, config.batch_size, rng)
    return TrainingRun(config, vocab, network, optimizer, average, batches, rng)


def _weights_view(network: Network, flat: np.ndarray) -> Network:
    """A copy of ``network`` whose weights are ``flat`` (for scoring averages)."""
    view = Network(
        network.cell.name, network.vocab_size, network.hidden_size,
        network.layers, network.embedding_size, dtype=network.dtype,
    )
    view.params.flat[...] = flat
    return view


def held_out_loss(run: TrainingRun, held_out: list[np.ndarray]) -> float:
    total, symbols = total_log_loss(
        _weights_view(run.network, run.evaluated_weights()), held_out
    )
    return total / symbols


def train_minibatch(
    run: TrainingRun,
    training: list[np.ndarray],
    held_out: list[np.ndarray],
    on_evaluation: Callable[[TrainingRun, float], None] = lambda *_: None,
    on_progress: Callable[[int, float], None] = lambda *_: None,
    should_stop: Callable[[], bool] = lambda: False,
) -> bool:
    """Train ``run`` up to ``run.config.steps``; returns False if stopped early.

    ``on_evaluation`` gets the run and its held-out loss after each
    evaluation (the time to save a checkpoint).
    """
    config, network = run.config, run.network
    params, grads = network.params.flat, network.grads.flat
    while run.step < config.steps:
        if should_stop():
            return False

        # take the next batch of names
        rows = run.batches.next_batch()
        inputs, targets, mask = pad_batch([training[i] for i in rows])

        # forward and backward
        loss = network.loss_and_gradients(
            inputs, targets, mask, config.dropout, run.rng
        )
        if not math.isfinite(loss):
            raise TrainingDiverged(
                f"the loss became NaN or infinite at step {run.step}; "
                f"try a lower learning rate than {config.learning_rate:g}"
            )

        # clip, then update, then average
        if config.clip_value:
            clip_by_value(grads, config.clip_value)
        if config.clip_norm:
            clip_by_global_norm(grads, config.clip_norm)
        run.optimizer.update(params, grads, config.learning_rate_at(run.step))
        if run.average is not None:
            run.average *= config.ema
            run.average += (1.0 - config.ema) * params
        run.step += 1
        on_progress(run.step, loss)

        # score the held-out names and keep the best weights
        if run.step % config.eval_every == 0 or run.step == config.steps:
            evaluate_and_keep_best(run, held_out)
            on_evaluation(run, run.history[-1][1] if run.history else math.nan)
    return True


def evaluate_and_keep_best(run: TrainingRun, held_out: list[np.ndarray]) -> None:
    if not np.isfinite(run.network.params.flat).all():
        raise TrainingDiverged(f"the weights became NaN or infinite by step {run.step}")
    if not held_out:
        run.best_weights = run.evaluated_weights().copy()
        run.best_step = run.step
        return
    loss = held_out_loss(run, held_out)
    run.history.append((run.step, loss))
    if loss < run.best_loss:
        run.best_loss, run.best_step = loss, run.step
        run.best_weights = run.evaluated_weights().copy()


# -- checkpoints ----------------------------------------------------------------


def run_checkpoint(run: TrainingRun, corpus: NamesCorpus, lowercase: bool,
                   with_state: bool = True):
    """The best weights as a model, plus (``with_state``) the state to resume."""
    network = run.network
    best = run.best_weights if run.best_weights is not None else network.params.flat
    arrays = _weights_view(network, best).arrays()
    arrays[HASHES_ARRAY] = name_hashes(corpus.names)
    if with_state:
        arrays.update(_state_arrays(run))
    hyperparameters = asdict(run.config)
    hyperparameters["lowercase"] = lowercase
    metadata = {
        "trainer": TRAINER,
        "hyperparameters": hyperparameters,
        "step": run.step,
        "best_step": run.best_step,
        "best_held_out_nll": None if math.isinf(run.best_loss) else run.best_loss,
        "held_out_history": run.history,
        "epoch_position": run.batches.position,
        "random_state": run.rng.bit_generator.state,
        "corpus": {"name": corpus.path.name, "sha256": corpus.sha256},
        "corpus_format": "names",
    }
    if not with_state:
        del metadata["random_state"], metadata["epoch_position"]
    return Checkpoint(kind=network.kind, vocab=run.vocab, arrays=arrays,
                      metadata=metadata)


def _state_arrays(run: TrainingRun) -> dict[str, np.ndarray]:
    arrays = {STATE_PREFIX + "weights": run.network.params.flat.copy()}
    for name, array in run.optimizer.state().items():
        arrays[STATE_PREFIX + "optimizer_" + name] = array
    if run.average is not None:
        arrays[STATE_PREFIX + "average"] = run.average.copy()
    arrays[STATE_PREFIX + "epoch_order"] = run.batches.order.copy()
    return arrays


def check_same_vocabulary(checkpoint_vocab: Vocabulary, data_vocab: Vocabulary,
                          checkpoint_path, data_path) -> None:
    new = [s for s in data_vocab.symbols if s not in checkpoint_vocab]
    gone = [s for s in checkpoint_vocab.symbols if s not in data_vocab]
    if new or gone:
        parts = []
        if new:
            parts.append(f"new characters in {data_path}: {describe(new)}")
        if gone:
            parts.append(f"characters missing from {data_path}: {describe(gone)}")
        raise DinogenError(
            f"cannot resume {checkpoint_path} on different data: its vocabulary "
            f"differs ({'; '.join(parts)})"
        )


def resume_run(checkpoint: Checkpoint, path, training_count: int,
               steps: int | None = None) -> TrainingRun:
    """Rebuild a run from ``checkpoint``; ``steps`` replaces its final step."""
    metadata = checkpoint.metadata
    if metadata.get("trainer") == TRAINER and "random_state" not in metadata:
        raise DinogenError(
            f"{path}: was saved without its training state (--no-save-state), "
            "so it cannot be resumed"
        )
    if metadata.get("trainer") != TRAINER:
        raise DinogenError(
            f"{path}: holds no minibatch training state to resume "
            f"(only checkpoints of the minibatch trainer can be resumed)"
        )
    known = {f.name for f in fields(MinibatchConfig)}
    saved = {k: v for k, v in metadata["hyperparameters"].items() if k in known}
    if steps is not None:
        saved["steps"] = steps
    config = MinibatchConfig(**saved)
    run = new_run(config, checkpoint.vocab, training_count)
    arrays = checkpoint.arrays
    try:
        run.network.params.flat[...] = arrays[STATE_PREFIX + "weights"]
        run.optimizer.load_state(
            {
                name.removeprefix(STATE_PREFIX + "optimizer_"): array
                for name, array in arrays.items()
                if name.startswith(STATE_PREFIX + "optimizer_")
            },
            metadata["step"],
        )
        if run.average is not None:
            run.average[...] = arrays[STATE_PREFIX + "average"]
        best = _flat_of(run.network, arrays)
    except (KeyError, ValueError) as err:
        raise DinogenError(
            f"{path}: its training state is incomplete ({err})"
        ) from None
    run.batches.order = arrays[STATE_PREFIX + "epoch_order"].astype(np.int64)
    run.batches.position = int(metadata["epoch_position"])
    run.rng.bit_generator.state = metadata["random_state"]
    run.step = int(metadata["step"])
    run.best_step = int(metadata["best_step"])
    best_loss = metadata.get("best_held_out_nll")
    run.best_loss = math.inf if best_loss is None else float(best_loss)
    run.best_weights = best
    run.history = [tuple(entry) for entry in metadata.get("held_out_history", [])]
    return run


def _flat_of(network: Network, arrays: dict) -> np.ndarray:
    view = _weights_view(network, network.params.flat)
    view.params.load(arrays)
    return view.params.flat.copy()


def split_and_encode(corpus: NamesCorpus, vocab: Vocabulary):
    training, held_out = split_held_out(corpus)
    if not training:
        raise DinogenError(f"{corpus.path}: no training names after the held-out split")
    return encode_names(vocab, training), encode_names(vocab, held_out)
