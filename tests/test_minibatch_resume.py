"""Resuming a minibatch run: exact continuation, and refusals that change nothing."""

import numpy as np
import pytest
from click.testing import CliRunner

from dinogen.checkpoint import load_checkpoint, save_checkpoint
from dinogen.cli import cli
from dinogen.corpus import read_names, split_held_out
from dinogen.evaluate import mean_log_loss
from dinogen.minibatch import (
    MinibatchConfig,
    new_run,
    resume_run,
    run_checkpoint,
    split_and_encode,
    train_minibatch,
)
from dinogen.models import model_from_checkpoint

TINY = ["--cell", "gru", "--hidden-size", "6", "--embedding-size", "3",
        "--batch-size", "4", "--eval-every", "3", "--dropout", "0.2",
        "--ema", "0.5", "-q"]


def write_corpus(path, extra=""):
    rng = np.random.default_rng(0)
    letters = np.array(list("abcdefg"))
    names = ["".join(rng.choice(letters, rng.integers(2, 7))) for _ in range(40)]
    path.write_text("\n".join(names) + extra + "\n", encoding="utf-8")
    return path


def test_a_run_stopped_and_resumed_ends_where_an_uninterrupted_run_ends(tmp_path):
    corpus = read_names(write_corpus(tmp_path / "names.txt"))
    training, held_out = split_and_encode(corpus, corpus.vocab)
    config = MinibatchConfig(hidden_size=6, embedding_size=3, batch_size=4,
                             steps=14, eval_every=4, dropout=0.2, ema=0.5,
                             lr_half_life=5, layers=2)

    straight = new_run(config, corpus.vocab, len(training))
    assert train_minibatch(straight, training, held_out)

    # stopped between two evaluations, saved, loaded and continued
    stopped = new_run(config, corpus.vocab, len(training))
    finished = train_minibatch(stopped, training, held_out,
                               should_stop=lambda: stopped.step == 6)
    assert not finished and stopped.step == 6
    path = tmp_path / "stopped.npz"
    save_checkpoint(path, run_checkpoint(stopped, corpus, True))
    resumed = resume_run(load_checkpoint(path), path, len(training))
    assert train_minibatch(resumed, training, held_out)

    expected = run_checkpoint(straight, corpus, True)
    got = run_checkpoint(resumed, corpus, True)
    assert expected.metadata == got.metadata
    assert expected.arrays.keys() == got.arrays.keys()
    for name, array in expected.arrays.items():
        np.testing.assert_array_equal(got.arrays[name], array, err_msg=name)


@pytest.mark.parametrize("cell,optimizer", [("gru", "adam"), ("lstm", "sgd"),
                                            ("rnn", "adam")])
def test_cli_resume_gives_the_bytes_of_an_uninterrupted_run(tmp_path, cell,
                                                             optimizer):
    data = write_corpus(tmp_path / "names.txt")
    runner = CliRunner()
    whole, part = tmp_path / "whole.npz", tmp_path / "part.npz"
    base = ["train", "--data", str(data), *TINY, "--cell", cell, "--optimizer",
            optimizer, "--layers", "2"]

    result = runner.invoke(cli, [*base, "--iters", "12", "--out", str(whole)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, [*base, "--iters", "6", "--out", str(part)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        cli, ["train", "--data", str(data), "--resume", str(part), "--iters", "12",
              "-q"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert part.read_bytes() == whole.read_bytes()


def test_resume_on_a_different_vocabulary_is_refused_and_changes_nothing(tmp_path):
    data = write_corpus(tmp_path / "names.txt")
    other = write_corpus(tmp_path / "other.txt", extra="\nzoé")
    checkpoint = tmp_path / "run.npz"
    runner = CliRunner()
    result = runner.invoke(cli, ["train", "--data", str(data), *TINY, "--iters", "3",
                                 "--out", str(checkpoint)])
    assert result.exit_code == 0, result.output
    before = checkpoint.read_bytes()

    result = runner.invoke(cli, ["train", "--data", str(other), "--resume",
                                 str(checkpoint), "--iters", "6"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: cannot resume {checkpoint} on different data: its vocabulary "
        f"differs (new characters in {other}: 'o' (U+006F), 'z' (U+007A), "
        "'é' (U+00E9))\n"
    )
    assert checkpoint.read_bytes() == before


def test_resuming_a_course_checkpoint_is_refused(tmp_path):
    data = write_corpus(tmp_path / "names.txt")
    checkpoint = tmp_path / "course.npz"
    runner = CliRunner()
    result = runner.invoke(cli, ["train", "--data", str(data), "--iters", "5",
                                 "--hidden-size", "4", "-q", "--out",
                                 str(checkpoint)])
    assert result.exit_code == 0, result.output
    before = checkpoint.read_bytes()
    result = runner.invoke(cli, ["train", "--data", str(data), "--resume",
                                 str(checkpoint)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {checkpoint}: holds no minibatch training state to resume (only "
        "checkpoints of the minibatch trainer can be resumed)\n"
    )
    assert checkpoint.read_bytes() == before


def test_the_checkpoint_holds_the_weights_with_the_best_held_out_loss(tmp_path):
    corpus = read_names(write_corpus(tmp_path / "names.txt"))
    training, held_out = split_and_encode(corpus, corpus.vocab)
    config = MinibatchConfig(hidden_size=6, embedding_size=3, batch_size=4,
                             steps=30, eval_every=2, learning_rate=0.05,
                             dtype="float64")
    run = new_run(config, corpus.vocab, len(training))
    train_minibatch(run, training, held_out)

    losses = [loss for _, loss in run.history]
    assert len(losses) == 15
    assert run.best_loss == min(losses)

    checkpoint = run_checkpoint(run, corpus, True)
    model = model_from_checkpoint(checkpoint, "memory")
    _, held_out_names = split_held_out(corpus)
    assert mean_log_loss(model, corpus.vocab, held_out_names) == pytest.approx(
        run.best_loss, rel=1e-12
    )


def test_resume_refuses_options_it_would_ignore(tmp_path):
    data = write_corpus(tmp_path / "names.txt")
    checkpoint = tmp_path / "run.npz"
    runner = CliRunner()
    result = runner.invoke(cli, ["train", "--data", str(data), *TINY, "--iters", "3",
                                 "--out", str(checkpoint)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["train", "--data", str(data), "--resume",
                                 str(checkpoint), "--dropout", "0.5", "--seed", "3"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: --resume continues with the checkpoint's settings; --dropout, "
        "--seed cannot change them (only --data, --iters, --out and --quiet apply)"
    )


def test_a_checkpoint_saved_without_state_is_smaller_and_not_resumable(tmp_path):
    data = write_corpus(tmp_path / "names.txt")
    runner = CliRunner()
    full, small = tmp_path / "full.npz", tmp_path / "small.npz"
    for path, flag in ((full, "--save-state"), (small, "--no-save-state")):
        result = runner.invoke(cli, ["train", "--data", str(data), *TINY,
                                     "--iters", "3", flag, "--out", str(path)])
        assert result.exit_code == 0, result.output
    full_arrays = load_checkpoint(full).arrays
    small_arrays = load_checkpoint(small).arrays
    assert set(full_arrays) - set(small_arrays) == {
        "state_weights", "state_optimizer_m", "state_optimizer_v", "state_average",
        "state_epoch_order",
    }
    for name, array in small_arrays.items():
        np.testing.assert_array_equal(full_arrays[name], array)
    result = runner.invoke(cli, ["train", "--data", str(data), "--resume",
                                 str(small)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {small}: was saved without its training state (--no-save-state), "
        "so it cannot be resumed\n"
    )


def test_ctrl_c_saves_a_run_that_resumes_to_the_uninterrupted_bytes(
    tmp_path, monkeypatch
):
    """Ctrl-C is simulated: the stop flag turns true before the 8th step."""
    from contextlib import contextmanager

    import dinogen.cli_minibatch

    data = write_corpus(tmp_path / "names.txt")
    whole, stopped = tmp_path / "whole.npz", tmp_path / "stopped.npz"
    runner = CliRunner()
    base = ["train", "--data", str(data), *TINY, "--iters", "12"]
    result = runner.invoke(cli, [*base, "--out", str(whole)])
    assert result.exit_code == 0, result.output

    @contextmanager
    def ctrl_c_before_step_8():
        calls = iter(range(100))
        yield lambda: next(calls) == 7

    monkeypatch.setattr(dinogen.cli_minibatch, "interrupt_flag", ctrl_c_before_step_8)
    result = runner.invoke(cli, [*base, "--out", str(stopped)])
    assert result.exit_code == 130
    assert result.stderr == (
        f"interrupted after 7 steps; saved {stopped} (continue with --resume "
        f"{stopped})\n"
    )
    assert load_checkpoint(stopped).metadata["step"] == 7
    monkeypatch.undo()

    result = runner.invoke(cli, ["train", "--data", str(data), "--resume",
                                 str(stopped), "-q"])
    assert result.exit_code == 0, result.output
    assert stopped.read_bytes() == whole.read_bytes()
