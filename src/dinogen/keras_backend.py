"""Training stacked LSTMs with Keras 3, exported to dinogen's "lstm" checkpoints.

Keras is imported only here, inside the functions that need it, with JAX as
the backend unless ``KERAS_BACKEND`` says otherwise. The model is

    indices -> embedding (V, E) -> LSTM H -> dropout -> ... -> LSTM H -> dropout
            -> dense V (logits)

and its weights map one to one onto the arrays documented in ``lstm.py``;
with an embedding width of 0 the input is one-hot (a frozen identity
embedding here, no ``embedding`` array in the checkpoint).

Every training window is read from the start state, as generation and the
held-out evaluation read text: a text window's inputs are the end symbol
followed by its characters, and a name is read as ``\\nname`` and predicts
``name\\n``. The best held-out loss seen at the end of an epoch keeps its
weights; those are what is saved.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

import numpy as np

from dinogen.checkpoint import Checkpoint, save_checkpoint
from dinogen.errors import DinogenError
from dinogen.numerics import log_softmax
from dinogen.text import held_out_windows, random_windows
from dinogen.vocab import Vocabulary

INSTALL_HINT = "pip install 'dinogen[keras]'"
# Windows per predict call when measuring the held-out loss.
EVAL_BATCH = 256


def import_keras():
    """Keras, on JAX unless KERAS_BACKEND names another backend."""
    chosen = os.environ.get("KERAS_BACKEND")
    os.environ.setdefault("KERAS_BACKEND", "jax")
    try:
        import keras
    except ImportError as err:
        if chosen and chosen != "jax":
            raise DinogenError(
                f"cannot import Keras with KERAS_BACKEND={chosen} ({err}); unset "
                f"it to use JAX, installed by: {INSTALL_HINT}"
            ) from None
        raise DinogenError(
            f"the keras backend needs Keras 3 and JAX ({err}); "
            f"install them with: {INSTALL_HINT}"
        ) from None
    return keras


@dataclass(frozen=True)
class KerasConfig:
    epochs: int = 30
    layers: int = 2
    hidden_size: int = 128
    embedding_size: int = 32
    dropout: float = 0.2
    seq_length: int = 100
    batch_size: int = 32
    learning_rate: float = 2e-3
    clip_norm: float = 5.0
    seed: int = 1
    steps_per_epoch: int = 0  # 0: one pass over the training text per epoch


@dataclass
class EpochReport:
    epoch: int
    train_loss: float
    held_out_loss: float
    best: bool
    seconds: float


@dataclass
class KerasResult:
    arrays: dict[str, np.ndarray]
    best_held_out: float
    best_epoch: int
    epochs_done: int
    interrupted: bool


# -- building and moving weights ----------------------------------------------


def build_model(keras, vocab_size: int, config: KerasConfig, gate=None):
    """The Keras model; ``gate`` replaces the sigmoid of the gates (for tests)."""
    inputs = keras.Input(shape=(None,), dtype="int32")
    if config.embedding_size:
        x = keras.layers.Embedding(vocab_size, config.embedding_size)(inputs)
    else:
        one_hot = keras.layers.Embedding(
            vocab_size, vocab_size, trainable=False,
            embeddings_initializer="identity",
        )
        x = one_hot(inputs)
    for _ in range(config.layers):
        x = keras.layers.LSTM(
            config.hidden_size, return_sequences=True,
            recurrent_activation=gate or "sigmoid",
        )(x)
        if config.dropout:
            x = keras.layers.Dropout(config.dropout)(x)
    logits = keras.layers.Dense(vocab_size)(x)
    return keras.Model(inputs, logits)


def _layers_of(model, keras):
    embedding = [la for la in model.layers if isinstance(la, keras.layers.Embedding)]
    lstms = [la for la in model.layers if isinstance(la, keras.layers.LSTM)]
    dense = [la for la in model.layers if isinstance(la, keras.layers.Dense)]
    return embedding[0], lstms, dense[0]


def _weights(layer) -> list[np.ndarray]:
    # through the backend's arrays: Keras' own get_weights warns under NumPy 2
    return [np.array(variable.value) for variable in layer.weights]


def export_arrays(model, keras, with_embedding: bool) -> dict[str, np.ndarray]:
    """The model's weights under the names of ``lstm.py``."""
    embedding, lstms, dense = _layers_of(model, keras)
    arrays = {}
    if with_embedding:
        arrays["embedding"] = _weights(embedding)[0]
    for k, layer in enumerate(lstms):
        kernel, recurrent, bias = _weights(layer)
        arrays[f"lstm_{k}_kernel"] = kernel
        arrays[f"lstm_{k}_recurrent_kernel"] = recurrent
        arrays[f"lstm_{k}_bias"] = bias
    arrays["dense_kernel"], arrays["dense_bias"] = _weights(dense)
    return arrays


def load_arrays(model, keras, arrays: dict[str, np.ndarray]) -> None:
    """Put arrays named as in ``lstm.py`` into a model built for them."""
    embedding, lstms, dense = _layers_of(model, keras)
    if "embedding" in arrays:
        embedding.set_weights([arrays["embedding"]])
    for k, layer in enumerate(lstms):
        layer.set_weights([
            arrays[f"lstm_{k}_kernel"],
            arrays[f"lstm_{k}_recurrent_kernel"],
            arrays[f"lstm_{k}_bias"],
        ])
    dense.set_weights([arrays["dense_kernel"], arrays["dense_bias"]])


def config_of_arrays(arrays: dict[str, np.ndarray], config: KerasConfig):
    """``config`` with the architecture that ``arrays`` have."""
    layers = sum(1 for name in arrays if name.endswith("_recurrent_kernel"))
    embedding = arrays.get("embedding")
    return replace(
        config,
        layers=layers,
        hidden_size=int(arrays["lstm_0_recurrent_kernel"].shape[0]),
        embedding_size=0 if embedding is None else int(embedding.shape[1]),
    )


def remap_vocabulary(
    arrays: dict[str, np.ndarray], old: Vocabulary, new: Vocabulary,
    fresh: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Arrays for ``new``: each old symbol keeps its rows, new ones take ``fresh``.

    The per-symbol arrays are the embedding's rows (or the first kernel's rows
    for one-hot input) and the dense layer's columns and biases.
    """
    moved = {name: a.copy() for name, a in arrays.items()}
    keep_new = np.array([new.index(s) for s in old.symbols])
    rows = "embedding" if "embedding" in arrays else "lstm_0_kernel"
    for name, axis in ((rows, 0), ("dense_kernel", 1), ("dense_bias", 0)):
        target = fresh[name].copy()
        source = arrays[name]
        if axis == 0:
            target[keep_new] = source
        else:
            target[:, keep_new] = source
        moved[name] = target
    return moved


# -- batches ------------------------------------------------------------------


def names_batch(examples: list[np.ndarray]):
    """Inputs, targets and weights of names padded to the longest in the batch."""
    width = max(len(e) for e in examples) + 1
    inputs = np.zeros((len(examples), width), dtype=np.int32)
    targets = np.zeros_like(inputs)
    weights = np.zeros(inputs.shape, dtype=np.float32)
    for row, ids in enumerate(examples):
        inputs[row, 1 : len(ids) + 1] = ids
        targets[row, : len(ids)] = ids  # the end symbol, 0, follows the name
        weights[row, : len(ids) + 1] = 1.0
    return inputs, targets, weights


class TextBatches:
    """Random windows of a text, cut per batch."""

    def __init__(self, ids: np.ndarray, config: KerasConfig):
        if len(ids) <= config.seq_length:
            raise DinogenError(
                f"the training text ({len(ids)} characters) must be longer than "
                f"--seq-length {config.seq_length}"
            )
        self.ids, self.config = ids, config
        chars_per_batch = config.batch_size * config.seq_length
        self.per_epoch = config.steps_per_epoch or max(1, len(ids) // chars_per_batch)

    def epoch(self, rng: np.random.Generator):
        last_start = len(self.ids) - self.config.seq_length
        for _ in range(self.per_epoch):
            starts = rng.integers(0, last_start + 1, size=self.config.batch_size)
            inputs, targets = random_windows(self.ids, starts, self.config.seq_length)
            yield inputs, targets, None

    def held_out(self, ids: np.ndarray):
        inputs, targets, weights = held_out_windows(ids, self.config.seq_length)
        for start in range(0, len(inputs), EVAL_BATCH):
            part = slice(start, start + EVAL_BATCH)
            yield inputs[part], targets[part], weights[part]


class NameBatches:
    """Shuffled names, a batch of ``batch_size`` at a time."""

    def __init__(self, names: list[np.ndarray], config: KerasConfig):
        self.names, self.config = names, config
        self.per_epoch = config.steps_per_epoch or -(-len(names) // config.batch_size)

    def epoch(self, rng: np.random.Generator):
        order = rng.permutation(len(self.names))
        size = self.config.batch_size
        for b in range(self.per_epoch):
            chosen = order[(b * size) % len(order) :][:size]
            inputs, targets, weights = names_batch([self.names[i] for i in chosen])
            # Keras averages over every position, padding included: rescaling
            # makes its loss the mean over the real characters
            yield inputs, targets, weights * (weights.size / weights.sum())

    def held_out(self, names: list[np.ndarray]):
        for start in range(0, len(names), EVAL_BATCH):
            yield names_batch(names[start : start + EVAL_BATCH])


# -- training -----------------------------------------------------------------


def mean_nll(model, batches) -> float:
    """Mean NLL per weighted target over ``batches``, computed in float64."""
    total, count = 0.0, 0.0
    for inputs, targets, weights in batches:
        logits = np.asarray(model.predict_on_batch(inputs), dtype=np.float64)
        log_probs = log_softmax(logits)
        picked = np.take_along_axis(log_probs, targets[..., None], axis=-1)[..., 0]
        total -= float((picked * weights).sum())
        count += float(weights.sum())
    return total / count


def train_keras(
    vocab: Vocabulary,
    batches,
    held_out,
    config: KerasConfig,
    init: tuple[Vocabulary, dict[str, np.ndarray]] | None = None,
    on_epoch: Callable[[EpochReport], None] = lambda report: None,
    on_best: Callable[[dict[str, np.ndarray], float, int], None] = lambda *_: None,
    should_stop: Callable[[], bool] = lambda: False,
) -> KerasResult:
    """Train; ``batches`` is a TextBatches or NameBatches, ``held_out`` its data.

    ``init`` (vocabulary, arrays) starts from trained weights instead of random
    ones; its architecture must match ``config``. ``on_best`` gets the arrays
    each time the held-out loss improves, so a caller can save them at once.
    """
    keras = import_keras()
    keras.utils.set_random_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    model = build_model(keras, len(vocab), config)
    with_embedding = config.embedding_size > 0
    if init is not None:
        init_vocab, init_arrays = init
        fresh = export_arrays(model, keras, with_embedding)
        start = remap_vocabulary(init_arrays, init_vocab, vocab, fresh)
        load_arrays(model, keras, start)
    optimizer = keras.optimizers.Adam(
        learning_rate=config.learning_rate, global_clipnorm=config.clip_norm
    )
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )

    best, best_epoch, epochs_done = math.inf, 0, 0
    best_arrays = export_arrays(model, keras, with_embedding)
    for epoch in range(1, config.epochs + 1):
        started = time.perf_counter()

        # one epoch of Adam steps on random windows
        losses = []
        for inputs, targets, weights in batches.epoch(rng):
            if should_stop():
                return KerasResult(best_arrays, best, best_epoch, epochs_done, True)
            loss = model.train_on_batch(inputs, targets, sample_weight=weights)
            losses.append(float(loss))
        train_loss = float(np.mean(losses))
        if not math.isfinite(train_loss):
            raise DinogenError(
                f"the loss became NaN or infinite in epoch {epoch}; try a lower "
                f"learning rate than {config.learning_rate:g}"
            )

        # held-out loss, and keep the best weights
        held_out_loss = mean_nll(model, batches.held_out(held_out))
        improved = held_out_loss < best
        if improved:
            best, best_epoch = held_out_loss, epoch
            best_arrays = export_arrays(model, keras, with_embedding)
            on_best(best_arrays, best, epoch)
        epochs_done = epoch
        on_epoch(EpochReport(
            epoch, train_loss, held_out_loss, improved, time.perf_counter() - started
        ))
    return KerasResult(best_arrays, best, best_epoch, epochs_done, False)


def keras_checkpoint(
    vocab: Vocabulary, arrays: dict, config: KerasConfig, extra: dict
) -> Checkpoint:
    """An "lstm" checkpoint of Keras-trained weights, in float32."""
    extra = dict(extra)
    hyperparameters = asdict(config)
    hyperparameters.update(gate_activation="sigmoid", backend="keras")
    hyperparameters.update(extra.pop("hyperparameters_extra", {}))
    metadata = {"hyperparameters": hyperparameters, **extra}
    return Checkpoint(
        kind="lstm",
        vocab=vocab,
        arrays={name: np.asarray(a, dtype=np.float32) for name, a in arrays.items()},
        metadata=metadata,
    )


def save_keras_checkpoint(path, vocab, arrays, config, extra) -> None:
    save_checkpoint(path, keras_checkpoint(vocab, arrays, config, extra))
