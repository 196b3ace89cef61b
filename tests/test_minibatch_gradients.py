"""Finite-difference checks of the minibatch network's backward pass."""

import numpy as np
import pytest

from dinogen.minibatch import MinibatchConfig
from dinogen.network import Network
from dinogen.optim import SGD, Adam, clip_by_global_norm, clip_by_value


def numerical_gradient(network, inputs, targets, mask, dropout, seed, eps=1e-6):
    flat = network.params.flat
    numeric = np.zeros_like(flat)
    for i in range(flat.size):
        old = flat[i]
        losses = []
        for shifted in (old + eps, old - eps):
            flat[i] = shifted
            losses.append(network.loss_and_gradients(
                inputs, targets, mask, dropout, np.random.default_rng(seed)
            ))
        flat[i] = old
        numeric[i] = (losses[0] - losses[1]) / (2 * eps)
    return numeric


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("layers,embedding_size", [(1, 0), (2, 4)])
def test_backward_matches_finite_differences(cell, layers, embedding_size):
    rng = np.random.default_rng(7)
    network = Network(cell, vocab_size=5, hidden_size=4, layers=layers,
                      embedding_size=embedding_size)
    network.initialize(rng)
    network.params.flat += rng.standard_normal(network.params.flat.size) * 0.2
    inputs = rng.integers(0, 5, (3, 4))
    targets = rng.integers(0, 5, (3, 4))
    mask = np.ones((3, 4), dtype=bool)
    mask[1, 2:] = False  # a shorter sequence, padded
    dropout, seed = 0.25, 11

    network.loss_and_gradients(inputs, targets, mask, dropout,
                               np.random.default_rng(seed))
    analytic = network.grads.flat.copy()
    numeric = numerical_gradient(network, inputs, targets, mask, dropout, seed)

    assert np.abs(analytic).max() > 1e-3  # the check is not vacuous
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


def test_padding_does_not_change_the_loss_or_gradients():
    """Extra masked steps after every sequence's end leave everything unchanged."""
    rng = np.random.default_rng(3)
    network = Network("gru", vocab_size=4, hidden_size=3, embedding_size=2)
    network.initialize(rng)
    inputs = np.array([[0, 1, 2]])
    targets = np.array([[1, 2, 0]])
    loss = network.loss_and_gradients(inputs, targets, np.ones((1, 3), bool))
    grads = network.grads.flat.copy()
    padded_mask = np.array([[True, True, True, False, False]])
    padded = network.loss_and_gradients(
        np.array([[0, 1, 2, 0, 3]]), np.array([[1, 2, 0, 3, 3]]), padded_mask
    )
    assert padded == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(network.grads.flat, grads, rtol=1e-12, atol=1e-15)


def test_clip_by_value_and_by_global_norm():
    grads = np.array([3.0, -4.0, 0.5])
    clip_by_value(grads, 1.0)
    assert grads.tolist() == [1.0, -1.0, 0.5]

    grads = np.array([3.0, -4.0])  # norm 5
    assert clip_by_global_norm(grads, 2.5) == pytest.approx(5.0)
    np.testing.assert_allclose(grads, [1.5, -2.0])
    clip_by_global_norm(grads, 10.0)
    np.testing.assert_allclose(grads, [1.5, -2.0])


def test_adam_first_step_moves_each_weight_by_the_learning_rate():
    """After one step m = 0.1 g, v = 0.001 g^2; the bias corrections give
    m_hat / sqrt(v_hat) = g / |g| = sign(g), so each weight moves by lr
    (up to epsilon)."""
    params = np.array([1.0, 2.0, 3.0])
    adam = Adam(3)
    adam.update(params, np.array([0.5, -2.0, 1e-3]), learning_rate=0.1)
    np.testing.assert_allclose(params, [0.9, 2.1, 2.9], rtol=1e-6)


def test_sgd_with_weight_decay_on_the_masked_entries_only():
    """w <- w (1 - lr * decay) - lr * g where the mask is set, w - lr * g elsewhere."""
    params = np.array([1.0, 2.0])
    sgd = SGD(2, weight_decay=0.5, decay_mask=np.array([True, False]))
    sgd.update(params, np.array([1.0, 1.0]), learning_rate=0.1)
    np.testing.assert_allclose(params, [1.0 * 0.95 - 0.1, 2.0 - 0.1])


def test_learning_rate_halves_every_half_life():
    config = MinibatchConfig(learning_rate=0.004, lr_half_life=100)
    assert config.learning_rate_at(0) == 0.004
    assert config.learning_rate_at(100) == pytest.approx(0.002)
    assert config.learning_rate_at(300) == pytest.approx(0.0005)
    assert MinibatchConfig(lr_half_life=0).learning_rate_at(10**6) == 0.002
