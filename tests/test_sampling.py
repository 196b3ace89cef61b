import numpy as np
import pytest

from dinogen.sampling import draw_assignment_name, sample_names


class FixedModel:
    """A model whose next-symbol probabilities never change."""

    kind = "fixed"

    def __init__(self, probabilities):
        self.logits = np.log(np.asarray(probabilities, dtype=float))

    def initial_state(self, batch):
        return np.zeros((batch, 1))

    def start_inputs(self, batch):
        return np.zeros(batch, dtype=int)

    def step(self, state, inputs):
        return np.tile(self.logits, (len(inputs), 1)), state + 1


def test_name_lengths_follow_the_model_probabilities():
    # p(end) = 0.25: lengths are geometric with mean (1 - 0.25) / 0.25 = 3.
    model = FixedModel([0.25, 0.5, 0.25])
    names = sample_names(model, 20_000, np.random.default_rng(0), max_length=1000)
    lengths = np.array([len(n) for n in names])
    assert lengths.mean() == pytest.approx(3.0, rel=0.03)
    symbols = np.concatenate([n for n in names if n])
    assert (symbols == 1).mean() == pytest.approx(2 / 3, abs=0.01)


def test_same_seed_same_names_and_different_seed_different_names():
    model = FixedModel([0.2, 0.4, 0.4])
    first = sample_names(model, 50, np.random.default_rng(7))
    assert first == sample_names(model, 50, np.random.default_rng(7))
    assert first != sample_names(model, 50, np.random.default_rng(8))


def test_greedy_and_top_1_pick_the_most_likely_symbol():
    model = FixedModel([0.1, 0.6, 0.3])
    greedy = sample_names(model, 3, np.random.default_rng(0), 0.0, max_length=4)
    assert greedy == [[1, 1, 1, 1]] * 3
    top1 = sample_names(model, 3, np.random.default_rng(0), top_k=1, max_length=4)
    assert top1 == greedy


def test_prefix_is_kept_and_counts_towards_the_maximum_length():
    model = FixedModel([1e-9, 0.5, 0.5])
    rng = np.random.default_rng(0)
    names = sample_names(model, 4, rng, prefix=[2, 2], max_length=5)
    assert all(n[:2] == [2, 2] and len(n) == 5 for n in names)


def test_low_temperature_sharpens_the_distribution():
    model = FixedModel([0.05, 0.6, 0.35])
    names = sample_names(model, 2000, np.random.default_rng(0), 0.2, max_length=3)
    symbols = np.concatenate(names)
    assert (symbols == 1).mean() > 0.9


def test_assignment_name_ends_with_the_end_index_even_when_cut():
    model = FixedModel([1e-12, 0.5, 0.5])
    indices = draw_assignment_name(model, seed=0, max_length=6)
    assert len(indices) == 7 and indices[-1] == 0
