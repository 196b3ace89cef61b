import json
import zipfile

import numpy as np
import pytest

from dinogen.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from dinogen.errors import DinogenError
from dinogen.models import model_from_checkpoint
from dinogen.rnn import RNN
from dinogen.sampling import sample_names
from dinogen.vocab import Vocabulary

VOCAB = Vocabulary(tuple("\nabc"))


def saved_model(path, hidden=5, **metadata):
    model = RNN.initialized(hidden, len(VOCAB), seed=3)
    model.params.flat[:] = np.random.default_rng(0).normal(size=model.params.flat.size)
    save_checkpoint(path, Checkpoint("rnn", VOCAB, model.arrays(), metadata))
    return model


def test_round_trip_keeps_arrays_metadata_and_samples(tmp_path):
    path = tmp_path / "m.npz"
    model = saved_model(path, iteration=12, smoothed_loss=3.5)
    checkpoint = load_checkpoint(path)
    assert checkpoint.vocab == VOCAB
    assert checkpoint.metadata["iteration"] == 12
    assert checkpoint.metadata["format_version"] == 1
    loaded = model_from_checkpoint(checkpoint, path)
    np.testing.assert_array_equal(loaded.params.flat, model.params.flat)
    draw = [sample_names(m, 30, np.random.default_rng(5)) for m in (model, loaded)]
    assert draw[0] == draw[1]


def test_out_may_name_the_checkpoint_being_read(tmp_path):
    path = tmp_path / "m.npz"
    saved_model(path)
    checkpoint = load_checkpoint(path)
    checkpoint.metadata["iteration"] = 99
    save_checkpoint(path, checkpoint)
    assert load_checkpoint(path).metadata["iteration"] == 99


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "m.npz"
    saved_model(path)
    before = path.read_bytes()
    bad = Checkpoint("rnn", VOCAB, {"Wax": np.array([object()], dtype=object)})
    with pytest.raises(ValueError):
        save_checkpoint(path, bad)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"", "not a valid .npz checkpoint"),
        (b"this is not a zip file at all", "not a valid .npz checkpoint"),
    ],
)
def test_empty_or_non_zip_files_are_refused(tmp_path, content, problem):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(DinogenError, match=f"{path}: {problem}"):
        load_checkpoint(path)


def test_truncated_file_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    saved_model(path)
    path.write_bytes(path.read_bytes()[:700])
    with pytest.raises(DinogenError, match=r"m\.npz: not a valid \.npz checkpoint"):
        load_checkpoint(path)


def test_missing_array_is_named(tmp_path):
    path = tmp_path / "m.npz"
    saved_model(path)
    arrays = dict(np.load(path))
    del arrays["Wya"]
    np.savez(path, **arrays)
    with pytest.raises(DinogenError, match="missing array 'Wya'"):
        model_from_checkpoint(load_checkpoint(path), path)


def test_shapes_that_disagree_with_the_vocabulary_are_named(tmp_path):
    path = tmp_path / "m.npz"
    saved_model(path)
    arrays = dict(np.load(path))
    meta = json.loads(str(arrays["metadata"]))
    meta["vocabulary"] = "\nabcd"
    arrays["metadata"] = np.array(json.dumps(meta))
    np.savez(path, **arrays)
    expected = r"'Wax' has shape \(5, 4\), expected \(5, 5\)"
    with pytest.raises(DinogenError, match=expected):
        model_from_checkpoint(load_checkpoint(path), path)


def test_non_finite_values_are_refused(tmp_path):
    path = tmp_path / "m.npz"
    saved_model(path)
    arrays = dict(np.load(path))
    arrays["b"][2, 0] = np.nan
    np.savez(path, **arrays)
    with pytest.raises(DinogenError, match="array 'b' holds NaN or infinite values"):
        load_checkpoint(path)


def test_pickled_objects_are_never_loaded(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, Wax=np.array([{"x": 1}], dtype=object))
    with pytest.raises(DinogenError, match="pickled objects"):
        load_checkpoint(path)


def test_bare_arrays_need_the_course_vocabulary_size(tmp_path):
    path = tmp_path / "bare.npz"
    np.savez(path, **RNN.initialized(4, 30).arrays())
    with pytest.raises(DinogenError, match="n_y is 30"):
        load_checkpoint(path)


def test_unknown_format_version_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    saved_model(path)
    arrays = dict(np.load(path))
    arrays["metadata"] = np.array(json.dumps({"format_version": 7}))
    np.savez(path, **arrays)
    with pytest.raises(DinogenError, match="format version 7 is not supported"):
        load_checkpoint(path)


def test_the_same_checkpoint_gives_the_same_bytes(tmp_path):
    saved_model(tmp_path / "a.npz", iteration=1)
    saved_model(tmp_path / "b.npz", iteration=1)
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    assert zipfile.is_zipfile(tmp_path / "a.npz")


def test_cli_reports_a_corrupt_checkpoint_in_one_line(run, tmp_path):
    path = tmp_path / "broken.npz"
    path.write_bytes(b"PK\x03\x04 truncated")
    result = run("sample", "--checkpoint", path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"Error: {path}: not a valid .npz checkpoint")
