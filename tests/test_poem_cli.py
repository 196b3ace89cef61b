"""``dinogen poem``: exact output, prompts, vocabulary notes, errors."""

import json
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from dinogen.checkpoint import save_checkpoint
from dinogen.cli import cli
from dinogen.lstm import LSTM
from dinogen.poem import continue_text, read_prompt, writing_model
from dinogen.pretrained import PRETRAINED_DIR
from tests.lstm_weights import make_text_checkpoint, text_checkpoint

SHIPPED = PRETRAINED_DIR / "shakespeare.npz"


@pytest.fixture
def checkpoint_path(tmp_path):
    path = tmp_path / "verse.npz"
    text_checkpoint(path)
    return path


def run_poem(*args, input=None):
    return CliRunner().invoke(cli, ["poem", *args], input=input)


def expected_poem(path, prompt, length, seed, temperature=1.0):
    """What the core writes for this prompt, built without the command line."""
    checkpoint = text_checkpoint(path)  # the same seeded weights, rewritten
    reading = read_prompt(prompt, checkpoint.vocab, lowercase=True)
    model = writing_model(LSTM(checkpoint.arrays))
    written = continue_text(model, reading.indices, length,
                            np.random.default_rng(seed), temperature)
    return prompt + checkpoint.vocab.decode(written)


def test_prints_the_prompt_then_the_continuation(checkpoint_path):
    result = run_poem("Forsooth this", "--length", "60", "--seed", "3",
                      "--checkpoint", str(checkpoint_path))
    assert result.exit_code == 0, result.output
    text = expected_poem(checkpoint_path, "Forsooth this", 60, 3)
    assert result.stdout == text + ("" if text.endswith("\n") else "\n")
    assert len(text) == len("Forsooth this") + 60
    assert result.stderr == ""


def test_same_seed_same_bytes_other_seed_other_poem(checkpoint_path):
    args = ["shall i", "--length", "80", "--checkpoint", str(checkpoint_path)]
    first = run_poem(*args, "--seed", "1").stdout
    assert run_poem(*args, "--seed", "1").stdout == first
    assert run_poem(*args, "--seed", "2").stdout != first


def test_the_whole_prompt_conditions_the_model():
    """Every prompt index is fed, in order, after the start input, however many."""

    class Recording:
        """A model with only the batched protocol, noting every input."""

        def __init__(self, model):
            self.model, self.fed = model, []
            self.initial_state = model.initial_state
            self.start_inputs = model.start_inputs

        def step(self, state, inputs):
            self.fed.append(int(inputs[0]))
            return self.model.step(state, inputs)

    checkpoint = make_text_checkpoint()
    model = Recording(LSTM(checkpoint.arrays))
    prompt = list(np.random.default_rng(1).integers(1, 28, size=1000))
    written = continue_text(model, prompt, 5, np.random.default_rng(0))
    assert model.fed == [0, *prompt, *written[:-1]]


def test_unknown_characters_are_named_skipped_and_echoed(checkpoint_path):
    prompt = 'Thy "sweet" love!'
    args = ["--length", "30", "--seed", "5", "--checkpoint", str(checkpoint_path)]
    result = run_poem(prompt, *args)
    assert result.exit_code == 0
    # conditioning skips '"' and '!': the continuation is that of the cleaned prompt
    cleaned = run_poem("thy sweet love", *args)
    assert result.stdout == prompt + cleaned.stdout[len("thy sweet love"):]
    assert result.stderr == (
        "not in the model's vocabulary, skipped: '\"' (U+0022), '!' (U+0021)\n"
    )


def test_prompt_from_stdin_and_empty_prompt(checkpoint_path):
    args = ["--length", "25", "--seed", "4", "--checkpoint", str(checkpoint_path)]
    piped = run_poem(*args, input="shall i\n")
    assert piped.exit_code == 0
    assert piped.stdout == run_poem("shall i", *args).stdout
    empty = run_poem("", *args)
    assert empty.exit_code == 0
    assert empty.stdout.rstrip("\n") == expected_poem(checkpoint_path, "", 25, 4)


@pytest.mark.parametrize("args,message", [
    (["--temperature", "-1"], "must be 0 (greedy) or a positive number"),
    (["--length", "-5"], "-5 is not in the range x>=0"),
])
def test_bad_options_are_usage_errors(checkpoint_path, args, message):
    result = run_poem("x", "--checkpoint", str(checkpoint_path), *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr


def test_a_broken_checkpoint_is_one_error_line(tmp_path):
    path = tmp_path / "broken.npz"
    path.write_bytes(b"PK\x03\x04 truncated")
    result = run_poem("x", "--checkpoint", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: {path}: not a valid .npz checkpoint")
    assert result.stderr.count("\n") == 1


@pytest.mark.skipif(not SHIPPED.is_file(), reason="no shipped Sonnets checkpoint")
def test_poem_runs_from_the_shipped_checkpoint_without_keras(tmp_path):
    """In a fresh interpreter that cannot import keras, jax or h5py."""
    script = (
        "import sys\n"
        "for name in ('keras', 'jax', 'h5py'):\n"
        "    sys.modules[name] = None\n"
        "from dinogen.cli import main\n"
        "sys.argv = ['dinogen', 'poem', 'Forsooth this maketh no sense', "
        "'--seed', '0']\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Forsooth this maketh no sense")
    assert len(result.stdout) == len("Forsooth this maketh no sense") + 400 + 1
    assert "keras" not in result.stderr.lower()


def test_evaluate_scores_a_text_model_on_the_last_tenth(tmp_path):
    """The figure is the NumPy held-out measure of the text's last 10 %."""
    from dinogen.heldout import text_nll

    checkpoint = make_text_checkpoint()
    checkpoint.metadata["corpus_format"] = "text"
    checkpoint.metadata["hyperparameters"]["seq_length"] = 7
    path = tmp_path / "text.npz"
    save_checkpoint(path, checkpoint)
    text = "the quick brown fox jumps over the lazy dog\n" * 5
    data = tmp_path / "verse.txt"
    data.write_text(text)

    result = CliRunner().invoke(
        cli, ["evaluate", "--checkpoint", str(path), "--data", str(data), "--json"]
    )
    assert result.exit_code == 0, result.stderr
    figures = json.loads(result.stdout)
    held_out = np.array(checkpoint.vocab.encode(text[-22:]))
    assert figures["held_out_characters"] == 22
    assert figures["window"] == 7
    expected = text_nll(LSTM(checkpoint.arrays), held_out, 7)
    assert figures["nll_nats"] == pytest.approx(expected, rel=1e-9)
