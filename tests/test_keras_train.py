"""``dinogen train --backend keras`` on tiny corpora: logs, best weights, seeds."""

import re
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from dinogen.checkpoint import load_checkpoint
from dinogen.cli import cli
from dinogen.heldout import text_nll
from dinogen.keras_backend import remap_vocabulary
from dinogen.models import model_from_checkpoint
from dinogen.text import read_text, split_text_held_out
from dinogen.vocab import Vocabulary
from tests.lstm_weights import keras_or_skip, random_lstm_arrays

VERSE = (
    "shall i compare thee to a summer's day?\n"
    "thou art more lovely and more temperate:\n"
    "rough winds do shake the darling buds of may,\n"
)
SMALL = ["--hidden-size", "8", "--embedding-size", "4", "--seq-length", "20",
         "--batch-size", "8", "--steps-per-epoch", "4"]
EPOCH_LINE = re.compile(
    r"epoch (\d+)/(\d+): train ([\d.]+), held-out ([\d.]+), [\d.]+ s( {2}best)?"
)


@pytest.fixture(scope="module")
def keras():
    return keras_or_skip()


@pytest.fixture
def verse(tmp_path):
    path = tmp_path / "verse.txt"
    path.write_text(VERSE * 8)
    return path


def train(*args):
    return CliRunner().invoke(cli, ["train", "--backend", "keras", *args])


def test_text_training_logs_epochs_and_keeps_the_best(keras, verse, tmp_path):
    out = tmp_path / "verse.npz"
    result = train("--data", str(verse), "--out", str(out), "--epochs", "3",
                   "--seed", "0", *SMALL)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    epochs = [EPOCH_LINE.fullmatch(line) for line in result.stderr.splitlines()
              if line.startswith("epoch")]
    assert len(epochs) == 3 and all(epochs)
    held_out = [float(m.group(4)) for m in epochs]
    checkpoint = load_checkpoint(out)
    best = checkpoint.metadata["held_out_loss"]
    assert round(best, 4) == min(held_out)
    assert checkpoint.metadata["best_epoch"] == 1 + held_out.index(min(held_out))
    assert checkpoint.metadata["corpus_format"] == "text"
    assert checkpoint.hyperparameters["seq_length"] == 20
    assert f"saved {out}" in result.stderr.splitlines()[-1]

    # the NumPy model measures the same held-out loss as Keras did
    model = model_from_checkpoint(checkpoint, out)
    ids = read_text(verse, vocab=checkpoint.vocab).ids
    assert text_nll(model, split_text_held_out(ids)[1], 20) == pytest.approx(
        best, abs=1e-4
    )


def test_the_same_seed_gives_the_same_weights(keras, verse, tmp_path):
    runs = []
    for name in ("one", "two"):
        out = tmp_path / f"{name}.npz"
        result = train("--data", str(verse), "--out", str(out), "--epochs", "1",
                       "--seed", "5", "-q", *SMALL)
        assert result.exit_code == 0, result.output
        assert result.stderr == ""
        runs.append(load_checkpoint(out).arrays)
    assert all(np.array_equal(runs[0][k], runs[1][k]) for k in runs[0])


def test_init_continues_from_a_checkpoint_with_new_symbols(keras, verse, tmp_path):
    first = tmp_path / "first.npz"
    assert train("--data", str(verse), "--out", str(first), "--epochs", "1",
                 "-q", *SMALL).exit_code == 0
    more = tmp_path / "more.txt"
    more.write_text(VERSE.replace("?", "!") * 4 + "(and then) " * 20)
    out = tmp_path / "tuned.npz"
    result = train("--data", str(more), "--out", str(out), "--epochs", "1",
                   "--init", str(first), "--hidden-size", "99", *SMALL[2:])
    assert result.exit_code == 0, result.output
    assert f"{first}: starting from its weights (2 x 8 units, embedding 4)" in (
        result.stderr
    )
    tuned = load_checkpoint(out)
    assert set(tuned.vocab.symbols) == set(VERSE) | set("!()")
    assert tuned.arrays["lstm_0_recurrent_kernel"].shape == (8, 32)
    assert tuned.metadata["init"] == "first.npz"


def test_remapping_keeps_each_symbols_rows():
    old = Vocabulary(("\n", "a", "c"))
    new = Vocabulary(("\n", "a", "b", "c"))
    arrays = random_lstm_arrays(3, 4, 1, 2, seed=1)
    fresh = random_lstm_arrays(4, 4, 1, 2, seed=2)
    moved = remap_vocabulary(arrays, old, new, fresh)
    assert np.array_equal(moved["embedding"][[0, 1, 3]], arrays["embedding"])
    assert np.array_equal(moved["embedding"][2], fresh["embedding"][2])
    assert np.array_equal(moved["dense_kernel"][:, [0, 1, 3]], arrays["dense_kernel"])
    assert np.array_equal(moved["dense_bias"][2], fresh["dense_bias"][2])
    assert np.array_equal(moved["lstm_0_kernel"], arrays["lstm_0_kernel"])


def test_names_training_then_sample_uses_the_lstm(keras, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("\n".join(["aurora", "borealis", "cedric", "dora"] * 10))
    out = tmp_path / "names.npz"
    result = train("--data", str(names), "--format", "names", "--out", str(out),
                   "--epochs", "2", "-q", *SMALL)
    assert result.exit_code == 0, result.output
    checkpoint = load_checkpoint(out)
    assert checkpoint.kind == "lstm" and checkpoint.metadata["corpus_format"] == "names"
    sampled = CliRunner().invoke(
        cli, ["sample", "-n", "5", "--seed", "0", "--checkpoint", str(out)]
    )
    assert sampled.exit_code == 0, sampled.output
    lines = sampled.stdout.splitlines()
    assert len(lines) == 5 and all(set(n.lower()) <= set("aurobelisdcn") for n in lines)


def test_without_keras_the_error_says_how_to_install(verse, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "keras", None)
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    out = tmp_path / "never.npz"
    result = train("--data", str(verse), "--out", str(out), "-q")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: the keras backend needs Keras 3 and JAX")
    assert result.stderr.endswith("install them with: pip install 'dinogen[keras]'\n")
    assert not out.exists()


def test_a_chosen_backend_that_fails_is_named(verse, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "keras", None)
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    result = train("--data", str(verse), "--out", str(tmp_path / "x.npz"), "-q")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: cannot import Keras with KERAS_BACKEND=torch"
    )


def test_text_format_needs_the_keras_backend(verse):
    result = CliRunner().invoke(cli, ["train", "--format", "text", "--data",
                                      str(verse)])
    assert result.exit_code == 2
    assert "--format text needs --backend keras" in result.stderr
