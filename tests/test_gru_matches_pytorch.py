"""The GRU layout matches PyTorch's GRU (skipped when PyTorch is not installed)."""

import numpy as np
import pytest

from dinogen.network import Network

torch = pytest.importorskip("torch")


def test_gru_logits_match_pytorch():
    """PyTorch stacks its gates r, z, n as rows of (3H, in) matrices and keeps
    two biases, like ``reset_after``; ours are z, r, n columns of (in, 3H)."""
    V, E, H = 6, 3, 4
    network = Network("gru", V, H, embedding_size=E)
    network.initialize(np.random.default_rng(0))
    p = network.params

    def torch_order(matrix):  # (.., 3H) z, r, n -> (3H, ..) r, z, n
        z, r, n = np.split(matrix, 3, axis=-1)
        return torch.from_numpy(np.concatenate([r, z, n], axis=-1).T.copy())

    gru = torch.nn.GRU(E, H, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        gru.weight_ih_l0.copy_(torch_order(p["gru_0_kernel"]))
        gru.weight_hh_l0.copy_(torch_order(p["gru_0_recurrent_kernel"]))
        gru.bias_ih_l0.copy_(torch_order(p["gru_0_bias"]))
        gru.bias_hh_l0.copy_(torch_order(p["gru_0_recurrent_bias"]))
        inputs = np.array([[0, 3, 1, 5, 2]])
        hidden, _ = gru(torch.from_numpy(p["embedding"][inputs]))
        expected = hidden.numpy() @ p["dense_kernel"] + p["dense_bias"]

    state = network.initial_state(1)
    for t in range(inputs.shape[1]):
        logits, state = network.step(state, inputs[:, t])
        np.testing.assert_allclose(logits[0], expected[0, t], rtol=1e-10, atol=1e-12)
