import shutil

import numpy as np
import pytest

from dinogen.checkpoint import Checkpoint, save_checkpoint
from dinogen.pretrained import PRETRAINED_DIR
from dinogen.rnn import RNN
from dinogen.vocab import Vocabulary

SHIPPED = str(PRETRAINED_DIR / "dinos.npz")


def test_fresh_install_samples_from_the_shipped_checkpoint(run):
    result = run("sample", "-n", 10, "--seed", 0)
    assert result.exit_code == 0, result.stderr
    names = result.stdout.splitlines()
    assert len(names) == 10
    assert all(name and name[0].isupper() and name[1:].islower() for name in names)
    assert result.stderr == f"checkpoint: {SHIPPED}\n"
    assert run("sample", "-n", 10, "--seed", 0).stdout == result.stdout
    assert run("sample", "-n", 10, "--seed", 1).stdout != result.stdout


def test_a_local_checkpoint_is_preferred_to_the_shipped_one(run, tmp_path):
    (tmp_path / "checkpoints").mkdir()
    shutil.copy(SHIPPED, tmp_path / "checkpoints" / "dinos.npz")
    result = run("sample", "-n", 3, "--seed", 0)
    assert result.stderr == "checkpoint: checkpoints/dinos.npz\n"
    assert result.stdout == run("sample", "-n", 3, "--seed", 0,
                                "--checkpoint", SHIPPED).stdout


def test_prefix_starts_every_name_and_is_lower_cased_first(run):
    result = run("sample", "-n", 20, "--seed", 4, "--prefix", "TYR")
    assert result.exit_code == 0, result.stderr
    assert all(n.startswith("Tyr") for n in result.stdout.splitlines())


def test_unknown_prefix_characters_are_named(run):
    result = run("sample", "--prefix", "a1é")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.endswith(
        "Error: Invalid value for '--prefix': characters not in the model's "
        "vocabulary: '1' (U+0031), 'é' (U+00E9)\n"
    )


@pytest.mark.parametrize("value", ["-0.5", "nan"])
def test_negative_or_nan_temperature_is_a_usage_error(run, value):
    result = run("sample", "--temperature", value)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Invalid value for '--temperature'" in result.stderr


def test_greedy_sampling_is_one_name_repeated(run):
    result = run("sample", "-n", 3, "--temperature", 0)
    names = result.stdout.splitlines()
    assert len(names) == 3 and len(set(names)) == 1


def test_max_length_bounds_every_name(run):
    result = run("sample", "-n", 200, "--seed", 1, "--max-length", 4,
                 "--temperature", 3)
    names = result.stdout.splitlines()
    assert len(names) == 200
    assert max(len(n) for n in names) == 4


def test_bare_notebook_arrays_load_with_the_course_alphabet(run, tmp_path):
    model = RNN.initialized(6, 27)
    bare = tmp_path / "notebook.npz"
    np.savez(bare, **model.arrays())
    result = run("sample", "-n", 2, "--seed", 0, "--checkpoint", bare)
    assert result.exit_code == 0, result.stderr
    assert "no metadata; assuming the course's 27 symbols" in result.stderr
    letters = set("".join(result.stdout.split()).lower())
    assert letters <= set("abcdefghijklmnopqrstuvwxyz")


def test_batched_and_assignment_samplers_share_one_model(run, tmp_path):
    """Both samplers run the same step: a one-symbol model gives one answer."""
    model = RNN(2, 2)
    model.params["by"][:, 0] = [10.0, -10.0]  # the end symbol, almost surely
    path = tmp_path / "end.npz"
    save_checkpoint(path, Checkpoint("rnn", Vocabulary(("\n", "a")), model.arrays()))
    for extra in ([], ["--assignment-seeding"]):
        result = run("sample", "-n", 2, "--seed", 0, "--checkpoint", path, *extra)
        assert result.stdout == "\n\n"
