import numpy as np
import pytest

from dinogen import text as text_module
from dinogen.errors import DinogenError
from dinogen.heldout import text_nll
from dinogen.lstm import LSTM
from dinogen.text import (
    held_out_windows,
    random_windows,
    read_text,
    split_text_held_out,
)
from dinogen.vocab import Vocabulary
from tests.lstm_weights import random_lstm_arrays


def test_read_text_normalises_line_endings_case_and_bom(tmp_path):
    path = tmp_path / "verse.txt"
    path.write_bytes("\ufeffShall I\r\ncompare\rThee".encode())
    corpus = read_text(path)
    assert corpus.vocab.symbols == ("\n", " ", "a", "c", "e", "h", "i", "l", "m",
                                    "o", "p", "r", "s", "t")
    assert corpus.vocab.decode(corpus.ids) == "shall i\ncompare\nthee"
    assert corpus.ids.dtype == np.uint8


def test_read_text_keeps_case_when_asked(tmp_path):
    path = tmp_path / "verse.txt"
    path.write_text("Ab")
    assert read_text(path, lowercase=False).vocab.symbols == ("\n", "A", "b")


def test_encoding_in_slices_gives_the_same_indices(tmp_path, monkeypatch):
    path = tmp_path / "verse.txt"
    path.write_text("to be or not to be, that is the question\n" * 5)
    whole = read_text(path).ids
    monkeypatch.setattr(text_module, "_ENCODE_SLICE", 7)
    assert np.array_equal(read_text(path).ids, whole)


def test_a_fixed_vocabulary_names_a_missing_character(tmp_path):
    path = tmp_path / "verse.txt"
    path.write_text("ab\u00e9")
    with pytest.raises(DinogenError, match=r"verse.txt: .*'é' \(U\+00E9\)"):
        read_text(path, vocab=Vocabulary(("\n", "a", "b")))


@pytest.mark.parametrize("content", [b"", b"a", b"\xff\xfe"])
def test_unusable_files_are_refused(tmp_path, content):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(DinogenError, match="bad.txt"):
        read_text(path)


def test_held_out_is_the_last_tenth():
    ids = np.arange(95)
    train, held_out = split_text_held_out(ids)
    assert len(held_out) == 10 and held_out[0] == 85 and len(train) == 85


def test_random_windows_start_with_the_end_symbol():
    ids = np.arange(1, 21)
    inputs, targets = random_windows(ids, np.array([0, 5]), 4)
    assert targets.tolist() == [[1, 2, 3, 4], [6, 7, 8, 9]]
    assert inputs.tolist() == [[0, 1, 2, 3], [0, 6, 7, 8]]


def test_held_out_windows_predict_every_character_once():
    ids = np.arange(1, 11)
    inputs, targets, weights = held_out_windows(ids, 4)
    assert targets.tolist() == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 0, 0]]
    assert inputs.tolist() == [[0, 1, 2, 3], [0, 5, 6, 7], [0, 9, 10, 0]]
    assert weights.sum() == 10 and weights[2].tolist() == [1, 1, 0, 0]


def test_text_nll_matches_a_loop_over_each_window():
    """The batched figure equals per-window forward passes added up by hand."""
    model = LSTM(random_lstm_arrays(5, 6, 2, 3, seed=4))
    ids = np.random.default_rng(0).integers(0, 5, size=23)
    total = 0.0
    for start in range(0, 23, 10):
        piece = ids[start : start + 10]
        inputs = np.concatenate([[0], piece[:-1]])
        logits, _ = model.forward(inputs[None, :])
        log_probs = logits[0] - np.log(np.exp(logits[0]).sum(axis=-1, keepdims=True))
        total -= log_probs[np.arange(len(piece)), piece].sum()
    assert text_nll(model, ids, 10) == pytest.approx(total / 23, rel=1e-12)
