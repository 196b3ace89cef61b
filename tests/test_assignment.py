"""The course notebook's graded functions, checked against its expected outputs."""

import numpy as np
import pytest

from dinogen.assignment import clip, optimize, sample
from dinogen.vocab import ASSIGNMENT_SYMBOLS

CHAR_TO_IX = {ch: i for i, ch in enumerate(ASSIGNMENT_SYMBOLS)}


def random_parameters(n_a, vocab_size):
    Wax = np.random.randn(n_a, vocab_size)
    Waa = np.random.randn(n_a, n_a)
    Wya = np.random.randn(vocab_size, n_a)
    b, by = np.random.randn(n_a, 1), np.random.randn(vocab_size, 1)
    return {"Wax": Wax, "Waa": Waa, "Wya": Wya, "b": b, "by": by}


def test_clip_matches_the_notebook():
    np.random.seed(3)
    gradients = {
        "dWax": np.random.randn(5, 3) * 10,
        "dWaa": np.random.randn(5, 5) * 10,
        "dWya": np.random.randn(2, 5) * 10,
        "db": np.random.randn(5, 1) * 10,
        "dby": np.random.randn(2, 1) * 10,
    }
    clipped = clip(gradients, 10)
    assert clipped["dWaa"][1][2] == 10.0
    assert clipped["dWax"][3][1] == -10.0
    assert clipped["dWya"][1][2] == pytest.approx(0.29713815361, abs=1e-11)
    assert clipped["db"][4] == pytest.approx([10.0])
    assert clipped["dby"][1] == pytest.approx([8.45833407], abs=1e-8)


def test_optimize_matches_the_notebook():
    np.random.seed(1)
    a_prev = np.random.randn(100, 1)
    parameters = random_parameters(100, 27)
    before = {name: array.copy() for name, array in parameters.items()}
    X = [12, 3, 5, 11, 22, 3]
    Y = [4, 14, 11, 22, 25, 26]

    loss, gradients, a_last = optimize(X, Y, a_prev, parameters, learning_rate=0.01)

    assert loss == pytest.approx(126.503975722, abs=1e-9)
    assert gradients["dWaa"][1][2] == pytest.approx(0.194709315347, abs=1e-12)
    assert np.argmax(gradients["dWax"]) == 93
    assert gradients["dWya"][1][2] == pytest.approx(-0.007773876032, abs=1e-12)
    assert gradients["db"][4] == pytest.approx([-0.06809825], abs=1e-8)
    assert gradients["dby"][1] == pytest.approx([0.01538192], abs=1e-8)
    assert a_last[4] == pytest.approx([-1.0])
    assert a_last.shape == (100, 1)
    # the parameters were updated in place with the clipped gradients
    expected_Waa = before["Waa"] - 0.01 * gradients["dWaa"]
    np.testing.assert_array_equal(parameters["Waa"], expected_Waa)
    assert np.abs(gradients["dWax"]).max() <= 5


def test_sample_matches_the_notebook_first_40_indices():
    np.random.seed(2)
    parameters = random_parameters(100, 27)
    indices = sample(parameters, CHAR_TO_IX, 0)
    expected = [
        12, 17, 24, 14, 13, 9, 10, 22, 24, 6, 13, 11, 12, 6, 21, 15, 21, 14, 3, 2,
        1, 21, 18, 24, 7, 25, 6, 25, 18, 10, 16, 2, 3, 8, 15, 12, 11, 7, 1, 12,
    ]
    assert indices[:40] == expected
    assert indices[-1] == CHAR_TO_IX["\n"]
    assert len(indices) <= 51
