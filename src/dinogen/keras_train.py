"""Reading a corpus for the Keras backend and saving what it trains.

A text corpus holds out its last 10 %; a names corpus holds out lines 10, 20,
30, ... as the NumPy trainer does. With ``init`` the run starts from a
checkpoint's weights and architecture; the vocabulary becomes the union of the
checkpoint's and the corpus' symbols, so a model pre-trained on one text can
be fine-tuned on another that has a few more symbols.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dinogen.checkpoint import load_checkpoint
from dinogen.corpus import read_names, split_held_out
from dinogen.errors import DinogenError
from dinogen.keras_backend import (
    KerasConfig,
    KerasResult,
    NameBatches,
    TextBatches,
    config_of_arrays,
    save_keras_checkpoint,
    train_keras,
)
from dinogen.text import read_text, split_text_held_out
from dinogen.vocab import Vocabulary

FORMATS = ("text", "names")


@dataclass
class PreparedCorpus:
    vocab: Vocabulary
    batches: object
    held_out: object
    description: str
    corpus_info: dict


def _merged(vocab: Vocabulary, init_vocab: Vocabulary | None) -> Vocabulary:
    if init_vocab is None:
        return vocab
    return Vocabulary.from_texts([vocab.symbols, init_vocab.symbols])


def prepare_corpus(path, corpus_format, config, lowercase, init_vocab=None):
    """The corpus as batches for training and arrays for the held-out loss."""
    if corpus_format == "text":
        corpus = read_text(path, lowercase=lowercase)
        vocab = _merged(corpus.vocab, init_vocab)
        remap = np.array([vocab.index(s) for s in corpus.vocab.symbols])
        ids = remap[corpus.ids].astype(corpus.ids.dtype)
        train, held_out = split_text_held_out(ids)
        if len(held_out) < 1:
            raise DinogenError(f"{path}: too short to hold out any text")
        batches = TextBatches(train, config)
        description = (
            f"{path}: {len(ids):,} characters ({len(held_out):,} held out), "
            f"{len(vocab)} symbols"
        )
        return PreparedCorpus(vocab, batches, held_out, description,
                              {"name": Path(path).name, "sha256": corpus.sha256})
    corpus = read_names(path, lowercase=lowercase)
    vocab = _merged(corpus.vocab, init_vocab)
    train, held_out = split_held_out(corpus)
    if not held_out or not train:
        raise DinogenError(f"{path}: needs at least 10 lines to hold some out")
    description = (
        f"{path}: {len(corpus.names)} names ({len(held_out)} held out), "
        f"{len(vocab)} symbols"
    )
    return PreparedCorpus(
        vocab, NameBatches(_encode_names(train, vocab), config),
        _encode_names(held_out, vocab), description,
        {"name": Path(path).name, "sha256": corpus.sha256},
    )


def _encode_names(names: list[str], vocab: Vocabulary) -> list[np.ndarray]:
    return [np.array(vocab.encode(name), dtype=np.int32) for name in names]


def load_init(init_path, config: KerasConfig):
    """The vocabulary and arrays of a Keras-layout checkpoint to start from."""
    checkpoint = load_checkpoint(init_path)
    if checkpoint.kind != "lstm":
        raise DinogenError(
            f"{init_path}: --init needs an lstm checkpoint, not {checkpoint.kind!r}"
        )
    gate = checkpoint.hyperparameters.get("gate_activation", "sigmoid")
    if gate != "sigmoid":
        raise DinogenError(
            f"{init_path}: its gates use {gate}; Keras 3 trains sigmoid gates only"
        )
    return checkpoint, config_of_arrays(checkpoint.arrays, config)


def run_keras_training(
    data_path, corpus_format: str, config: KerasConfig, out_path, lowercase: bool,
    init_path=None, on_note=lambda message: None, on_epoch=lambda report: None,
    should_stop=lambda: False,
) -> KerasResult:
    """Train and save the best weights at ``out_path`` each time they improve."""
    init = None
    if init_path is not None:
        init_checkpoint, config = load_init(init_path, config)
        init = (init_checkpoint.vocab, init_checkpoint.arrays)
        on_note(
            f"{init_path}: starting from its weights ({config.layers} x "
            f"{config.hidden_size} units, embedding {config.embedding_size})"
        )
    init_vocab = None if init is None else init[0]
    prepared = prepare_corpus(data_path, corpus_format, config, lowercase, init_vocab)
    on_note(prepared.description)

    def save_best(arrays, held_out_loss, epoch):
        extra = {
            "held_out_loss": held_out_loss,
            "best_epoch": epoch,
            "iteration": epoch * prepared.batches.per_epoch,
            "smoothed_loss": None,
            "corpus": prepared.corpus_info,
            "corpus_format": corpus_format,
            "init": None if init_path is None else Path(init_path).name,
            "hyperparameters_extra": {"lowercase": lowercase},
        }
        save_keras_checkpoint(out_path, prepared.vocab, arrays, config, extra)

    return train_keras(
        prepared.vocab, prepared.batches, prepared.held_out, config, init=init,
        on_epoch=on_epoch, on_best=save_best, should_stop=should_stop,
    )
