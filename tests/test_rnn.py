import numpy as np
import pytest

from dinogen.numerics import softmax
from dinogen.rnn import RNN, START, parameter_shapes


def tiny_model(seed=0, hidden=4, vocab=5, scale=0.5):
    rng = np.random.default_rng(seed)
    arrays = {
        name: rng.normal(scale=scale, size=shape)
        for name, shape in parameter_shapes(hidden, vocab).items()
    }
    return RNN.from_arrays(arrays)


def test_gradients_match_finite_differences():
    model = tiny_model()
    example = model.encode([START, 1, 3, 2, 4], [1, 3, 2, 4, 0])
    a_prev = np.random.default_rng(1).normal(size=4) * 0.3

    model.loss_and_gradients(example, a_prev)
    analytic = model.grads.flat.copy()

    numeric = np.zeros_like(analytic)
    eps = 1e-6
    for i in range(model.params.flat.size):
        saved = model.params.flat[i]
        model.params.flat[i] = saved + eps
        up, _ = model.loss_and_gradients(example, a_prev)
        model.params.flat[i] = saved - eps
        down, _ = model.loss_and_gradients(example, a_prev)
        model.params.flat[i] = saved
        numeric[i] = (up - down) / (2 * eps)

    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


def test_loss_is_the_cross_entropy_of_the_steps():
    """The summed loss equals -sum(log p(target)) computed one step at a time."""
    model = tiny_model(seed=3)
    inputs = np.array([START, 2, 1])
    targets = np.array([2, 1, 0])
    example = model.encode(inputs, targets)
    loss, last = model.loss_and_gradients(example, np.zeros(4))

    state = model.initial_state(1)
    expected = 0.0
    for x, y in zip(inputs, targets):
        logits, state = model.step(state, np.array([x]))
        expected -= np.log(softmax(logits[0])[y])
    assert loss == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(last, state[0], rtol=1e-12)


def test_clip_and_update_are_elementwise():
    model = tiny_model()
    model.grads.flat[:] = np.linspace(-10, 10, model.grads.flat.size)
    before = model.params.flat.copy()
    model.clip_gradients(5)
    assert model.grads.flat.max() == 5 and model.grads.flat.min() == -5
    model.apply_gradients(0.1)
    np.testing.assert_allclose(model.params.flat, before - 0.1 * model.grads.flat)


def test_initialisation_is_the_courses():
    model = RNN.initialized(3, 4, seed=1)
    draw = np.random.RandomState(1).randn
    np.testing.assert_array_equal(model.params["Wax"], draw(3, 4) * 0.01)
    np.testing.assert_array_equal(model.params["Waa"], draw(3, 3) * 0.01)
    np.testing.assert_array_equal(model.params["Wya"], draw(4, 3) * 0.01)
    assert not model.params["b"].any() and not model.params["by"].any()
