"""Turning checkpoints into runnable models and models into checkpoints."""

from __future__ import annotations

from dinogen.checkpoint import Checkpoint, check_shapes
from dinogen.errors import DinogenError
from dinogen.lstm import lstm_from_checkpoint
from dinogen.network import network_from_checkpoint
from dinogen.rnn import RNN, parameter_shapes
from dinogen.vocab import Vocabulary


def _rnn_from_checkpoint(checkpoint: Checkpoint, path) -> RNN:
    arrays = checkpoint.arrays
    if "Waa" not in arrays:
        raise DinogenError(f"{path}: missing array 'Waa'")
    hidden_size = int(arrays["Waa"].shape[0])
    check_shapes(path, arrays, parameter_shapes(hidden_size, len(checkpoint.vocab)))
    return RNN.from_arrays(arrays)


BUILDERS = {"rnn": _rnn_from_checkpoint, "lstm": lstm_from_checkpoint}
# the minibatch trainer's GRU and stacked tanh RNN (see dinogen.network)
BUILDERS.update(gru=network_from_checkpoint, rnn_stack=network_from_checkpoint)


def model_from_checkpoint(checkpoint: Checkpoint, path):
    """The runnable model a checkpoint describes, after checking its arrays."""
    try:
        build = BUILDERS[checkpoint.kind]
    except KeyError:
        raise DinogenError(
            f"{path}: unknown model kind {checkpoint.kind!r} "
            f"(known: {', '.join(sorted(BUILDERS))})"
        ) from None
    return build(checkpoint, path)


def checkpoint_of(model, vocab: Vocabulary, metadata: dict) -> Checkpoint:
    return Checkpoint(
        kind=model.kind, vocab=vocab, arrays=model.arrays(), metadata=metadata
    )
