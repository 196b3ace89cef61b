"""`dinogen evaluate`, `sample --novel` and `sample --top-k` on small models."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from dinogen.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from dinogen.cli import cli
from dinogen.corpus import read_names, split_held_out
from dinogen.evaluate import mean_log_loss
from dinogen.models import model_from_checkpoint
from dinogen.novelty import HASHES_ARRAY, name_hashes
from dinogen.rnn import RNN, START
from dinogen.vocab import Vocabulary

VOCAB = Vocabulary(("\n", "a", "b"))
# line 10, "abab", is the only held-out name
LINES = ["a", "b", "ab", "ba", "aa", "bb", "aab", "abb", "bab", "abab"]
REPO = Path(__file__).resolve().parent.parent


def course_rnn_checkpoint(tmp_path, output_bias=(0.0, 0.0, 0.0), hashes=True):
    """A course RNN with zero weights: every step predicts softmax(output_bias)."""
    model = RNN(hidden_size=2, vocab_size=3)
    model.params["by"][:, 0] = output_bias
    arrays = model.arrays()
    if hashes:
        arrays[HASHES_ARRAY] = name_hashes(LINES)
    path = tmp_path / "model.npz"
    metadata = {"hyperparameters": {"hidden_size": 2, "lowercase": True}}
    save_checkpoint(path, Checkpoint("rnn", VOCAB, arrays, metadata))
    return path


def corpus_file(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return path


def sampled(runner, checkpoint, *options):
    result = runner.invoke(cli, ["sample", "--checkpoint", str(checkpoint), *options])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_evaluate_a_uniform_model(tmp_path):
    """Zero weights predict 1/3 for each of the 3 symbols, so the held-out
    score is ln 3 nats = log2 3 bits per symbol and the perplexity is 3. The
    held-out name "abab" has 4 characters and an end: 5 predicted symbols.
    The drawn names are those `dinogen sample -n 1000 --seed 0` prints."""
    checkpoint, data = course_rnn_checkpoint(tmp_path), corpus_file(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["evaluate", "--checkpoint", str(checkpoint),
                                 "--data", str(data)])
    assert result.exit_code == 0, result.output

    drawn = [n.lower() for n in sampled(runner, checkpoint, "-n", "1000",
                                        "--seed", "0")]
    training = sum(n in LINES[:9] for n in drawn) / 10
    held_out = sum(n == "abab" for n in drawn) / 10
    mean_length = sum(map(len, drawn)) / 1000
    assert result.stdout.splitlines() == [
        f"held-out names:      1 (lines 10, 20, 30, ... of {data})",
        "predicted symbols:   5",
        f"NLL per character:   {math.log(3):.4f} nats",
        f"                     {math.log2(3):.4f} bits",
        "perplexity:          3.000",
        "drawn names:         1000 (seed 0)",
        f"  training names:    {training:.1f} %",
        f"  held-out names:    {held_out:.1f} %",
        f"  new names:         {100 - training - held_out:.1f} %",
        f"mean length:         {mean_length:.2f} (data: 2.30)",
    ]
    assert result.stderr == f"checkpoint: {checkpoint}\n"


def test_evaluate_json(tmp_path):
    checkpoint, data = course_rnn_checkpoint(tmp_path), corpus_file(tmp_path)
    result = CliRunner().invoke(cli, ["evaluate", "--checkpoint", str(checkpoint),
                                      "--data", str(data), "--json",
                                      "--samples", "50", "--seed", "4"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["nll_nats"] == pytest.approx(math.log(3), rel=1e-12)
    assert figures["nll_bits"] == pytest.approx(math.log2(3), rel=1e-12)
    assert figures["perplexity"] == pytest.approx(3.0, rel=1e-12)
    assert figures["held_out_symbols"] == 5
    assert figures["samples"] == 50 and figures["seed"] == 4
    shares = (figures["share_training"], figures["share_held_out"],
              figures["share_new"])
    assert sum(shares) == pytest.approx(1.0)
    assert figures["mean_length_data"] == 2.3


def test_evaluate_refuses_data_with_unknown_characters(tmp_path):
    checkpoint = course_rnn_checkpoint(tmp_path)
    data = tmp_path / "other.txt"
    data.write_text("ab\nabc\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", "--checkpoint", str(checkpoint),
                                      "--data", str(data)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {data}: characters not in the model's vocabulary: 'c' (U+0063)\n"
    )


def test_course_rnn_score_matches_its_own_training_loss(tmp_path):
    """Each name starts from a zero state and the all-zeros first input."""
    rng = np.random.default_rng(2)
    model = RNN(hidden_size=4, vocab_size=3)
    model.params.flat[...] = rng.standard_normal(model.params.flat.size)
    total, symbols = 0.0, 0
    for name in LINES:
        ids = VOCAB.encode(name)
        example = model.encode([START, *ids], [*ids, 0])
        loss, _ = model.loss_and_gradients(example, np.zeros(4))
        total, symbols = total + loss, symbols + len(ids) + 1
    assert mean_log_loss(model, VOCAB, LINES) == pytest.approx(total / symbols,
                                                               rel=1e-12)


def test_novel_names_are_the_ones_missing_from_the_corpus(tmp_path):
    """Up to 3 letters over {a, b} there are 14 names; the corpus holds 9 of
    them, so exactly aaa, aba, baa, bba and bbb are new."""
    checkpoint = course_rnn_checkpoint(tmp_path)
    runner = CliRunner()
    names = sampled(runner, checkpoint, "--novel", "-n", "5", "--seed", "1",
                    "--max-length", "3")
    assert sorted(names) == ["Aaa", "Aba", "Baa", "Bba", "Bbb"]


def test_novel_gives_up_after_max_draws(tmp_path):
    checkpoint = course_rnn_checkpoint(tmp_path)
    result = CliRunner().invoke(cli, [
        "sample", "--checkpoint", str(checkpoint), "--novel", "-n", "6",
        "--seed", "1", "--max-length", "3", "--max-draws", "300",
    ])
    assert result.exit_code == 1
    assert sorted(result.stdout.splitlines()) == ["Aaa", "Aba", "Baa", "Bba", "Bbb"]
    assert result.stderr.splitlines()[-1] == (
        "Error: found only 5 new name(s) of 6 in 300 draws (--max-draws); try a "
        "higher --temperature or --max-draws"
    )


def test_novel_needs_the_name_hashes(tmp_path):
    checkpoint = course_rnn_checkpoint(tmp_path, hashes=False)
    result = CliRunner().invoke(cli, ["sample", "--checkpoint", str(checkpoint),
                                      "--novel"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: {checkpoint}: holds no hashes of its training names, so --novel "
        "cannot tell new names; retrain it with this dinogen"
    )


def test_top_k_1_is_greedy(tmp_path):
    checkpoint = course_rnn_checkpoint(tmp_path, output_bias=(0.0, 1.0, 2.0))
    runner = CliRunner()
    top_1 = sampled(runner, checkpoint, "--top-k", "1", "-n", "3", "--seed", "9",
                    "--max-length", "4")
    assert top_1 == ["Bbbb"] * 3
    assert sampled(runner, checkpoint, "--temperature", "0", "-n", "3",
                   "--max-length", "4") == top_1


def test_course_training_stores_name_hashes_for_novel(tmp_path):
    data = corpus_file(tmp_path)
    out = tmp_path / "course.npz"
    runner = CliRunner()
    result = runner.invoke(cli, ["train", "--data", str(data), "--iters", "3",
                                 "--hidden-size", "3", "-q", "--out", str(out)])
    assert result.exit_code == 0, result.output
    hashes = load_checkpoint(out).arrays[HASHES_ARRAY]
    assert hashes.dtype == np.uint64 and len(hashes) == len(LINES)
    names = sampled(runner, out, "--novel", "-n", "4", "--seed", "0")
    assert len(names) == 4 and len(set(names)) == 4
    assert not {n.lower() for n in names} & set(LINES)


def test_minibatch_training_checkpoint_evaluates_and_samples(tmp_path):
    data = corpus_file(tmp_path)
    out = tmp_path / "lstm.npz"
    runner = CliRunner()
    result = runner.invoke(cli, [
        "train", "--data", str(data), "--cell", "lstm", "--layers", "2",
        "--hidden-size", "5", "--embedding-size", "0", "--iters", "4",
        "--batch-size", "3", "--dtype", "float64", "--out", str(out),
    ])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == f"saved {out}"
    checkpoint = load_checkpoint(out)
    assert checkpoint.kind == "lstm"
    model = model_from_checkpoint(checkpoint, out)
    _, held_out = split_held_out(read_names(data))
    assert checkpoint.metadata["best_held_out_nll"] == pytest.approx(
        mean_log_loss(model, VOCAB, held_out), rel=1e-9
    )
    assert len(sampled(runner, out, "-n", "3", "--seed", "0")) == 3


def test_shipped_model_evaluates_and_samples_novel_names(tmp_path, monkeypatch):
    """With no local checkpoint, both commands use the packaged dinos model."""
    data = REPO / "data" / "dinos.txt"
    monkeypatch.chdir(tmp_path)  # no checkpoints/dinos.npz here
    runner = CliRunner()
    result = runner.invoke(cli, ["evaluate", "--data", str(data), "--json",
                                 "--samples", "100"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["nll_nats"] < 1.6
    result = runner.invoke(cli, ["sample", "--novel", "-n", "20", "--seed", "0"])
    assert result.exit_code == 0, result.output
    names = result.stdout.splitlines()
    known = set(read_names(data).names)
    assert len(set(names)) == 20 and not {n.lower() for n in names} & known
