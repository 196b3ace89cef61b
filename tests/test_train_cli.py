import os
import signal
import subprocess
import sys
import time

import numpy as np

from dinogen.checkpoint import load_checkpoint

LOG_AT_2000 = """\
Iteration: 2000, Loss: 27.884160

Liusskeomnolxeros
Hmdaairus
Hytroligoraurus
Lecalosapaus
Xusicikoraurus
Abalpsamantisaurus
Tpraneronxeros


"""


def test_default_training_reproduces_the_course_log(run, dinos_path, tmp_path):
    out = tmp_path / "dinos.npz"
    result = run("train", "--data", dinos_path, "--iters", 2001, "--out", out)

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Iteration: 0, Loss: 23.087336\n\n")
    first_block, second_block = result.stdout.split("\n\n\n")[:2]
    assert len(first_block.split("\n")) == 2 + 7
    assert second_block + "\n\n\n" == LOG_AT_2000
    assert result.stdout.endswith(LOG_AT_2000)
    assert "1536 names, 27 symbols" in result.stderr
    assert f"saved {out}" in result.stderr

    checkpoint = load_checkpoint(out)
    assert checkpoint.kind == "rnn"
    assert checkpoint.metadata["iteration"] == 2001
    assert checkpoint.metadata["corpus"]["name"] == "dinos.txt"
    assert checkpoint.metadata["corpus"]["sha256"].startswith("ad6465621cf5")
    assert checkpoint.metadata["hyperparameters"]["hidden_size"] == 50
    assert checkpoint.arrays["Wax"].shape == (50, 27)


def test_assignment_seeding_repeats_the_names_of_the_log(run, dinos_path, tmp_path):
    out = tmp_path / "dinos.npz"
    run("train", "--data", dinos_path, "--iters", 2001, "--out", out, "--quiet")
    result = run("sample", "-n", 7, "--seed", 0, "--assignment-seeding",
                 "--checkpoint", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "".join(LOG_AT_2000.split("\n\n")[1]) + "\n"


def test_quiet_prints_nothing_and_still_saves(run, dinos_path, tmp_path):
    out = tmp_path / "q.npz"
    result = run("train", "--data", dinos_path, "--iters", 50, "--out", out, "-q")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert load_checkpoint(out).metadata["iteration"] == 50


def test_missing_default_corpus_says_how_to_get_it(run):
    result = run("train", "--iters", 10)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: data/dinos.txt not found: run `make data` to fetch the corpora, "
        "or pass --data PATH\n"
    )


def test_a_corpus_with_no_names_fails_before_training(run, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n \n")
    result = run("train", "--data", empty, "--out", tmp_path / "x.npz")
    assert result.exit_code == 1
    expected = f"Error: {empty}: no examples (the file is empty or blank)\n"
    assert result.stderr == expected
    assert not (tmp_path / "x.npz").exists()


def test_divergence_names_the_iteration_and_keeps_the_old_checkpoint(
    run, dinos_path, tmp_path
):
    out = tmp_path / "keep.npz"
    run("train", "--data", dinos_path, "--iters", 20, "--out", out, "-q")
    before = out.read_bytes()
    result = run("train", "--data", dinos_path, "--iters", 100, "--out", out,
                 "--learning-rate", "1e300", "-q")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the loss became NaN or infinite at ")
    assert "try a lower learning rate than 1e+300" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert out.read_bytes() == before


def test_ctrl_c_saves_a_checkpoint_and_exits_cleanly(dinos_path, tmp_path):
    out = tmp_path / "interrupted.npz"
    process = subprocess.Popen(
        [sys.executable, "-m", "dinogen", "train", "--data", str(dinos_path),
         "--iters", "100000000", "--out", str(out), "--log-names", "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
    )
    while "%" not in process.stderr.read(1):
        pass  # the progress bar is up; let training take some steps
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130
    assert "Traceback" not in stderr
    assert f"saved {out}" in stderr
    done = load_checkpoint(out).metadata["iteration"]
    assert 0 <= done < 100_000_000
    assert f"interrupted after {done} steps" in stderr


def test_same_command_gives_the_same_bytes_whatever_the_hash_seed(
    dinos_path, tmp_path
):
    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"run{hash_seed}.npz"
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        train = subprocess.run(
            [sys.executable, "-m", "dinogen", "train", "--data", str(dinos_path),
             "--iters", "1001", "--log-every", "500", "--out", str(out)],
            capture_output=True, env=env, check=True, cwd=tmp_path,
        )
        sample = subprocess.run(
            [sys.executable, "-m", "dinogen", "sample", "-n", "20", "--seed", "3",
             "--checkpoint", str(out)],
            capture_output=True, env=env, check=True, cwd=tmp_path,
        )
        outputs.append((train.stdout, out.read_bytes(), sample.stdout))
    assert outputs[0] == outputs[1]
    assert len(outputs[0][2].splitlines()) == 20


def test_hidden_size_and_case_options_shape_the_model(run, tmp_path):
    corpus = tmp_path / "mixed.txt"
    corpus.write_text("Ab\naB\n")
    out = tmp_path / "m.npz"
    result = run("train", "--data", corpus, "--iters", 5, "--hidden-size", 7,
                 "--keep-case", "--out", out, "-q")
    assert result.exit_code == 0, result.stderr
    checkpoint = load_checkpoint(out)
    assert checkpoint.vocab.symbols == ("\n", "A", "B", "a", "b")
    assert checkpoint.arrays["Waa"].shape == (7, 7)
    assert checkpoint.hyperparameters["lowercase"] is False
    assert np.isfinite(checkpoint.arrays["Wya"]).all()
