"""Gradient clipping and the optimizers of the minibatch trainer.

Both optimizers update one flat parameter vector from one flat gradient
vector in place, and keep their state in flat arrays, so a checkpoint can
store the state and a resumed run continue exactly.
"""

from __future__ import annotations

import numpy as np

from dinogen.errors import DinogenError

OPTIMIZERS = ("sgd", "adam")


def clip_by_value(grads: np.ndarray, limit: float) -> None:
    """Element-wise clipping to [-limit, limit], in place."""
    np.clip(grads, -limit, limit, out=grads)


def clip_by_global_norm(grads: np.ndarray, max_norm: float) -> float:
    """Scale all gradients together so their joint L2 norm is at most ``max_norm``.

    Returns the norm before clipping.
    """
    norm = float(np.sqrt(np.dot(grads, grads)))
    if norm > max_norm:
        grads *= max_norm / norm
    return norm


class SGD:
    """Plain gradient descent, with decoupled weight decay."""

    name = "sgd"

    def __init__(self, size: int, dtype=np.float64, weight_decay: float = 0.0,
                 decay_mask: np.ndarray | None = None):
        self.weight_decay = weight_decay
        self.decay_mask = decay_mask
        self.steps = 0

    def state(self) -> dict[str, np.ndarray]:
        return {}

    def load_state(self, arrays: dict[str, np.ndarray], steps: int) -> None:
        self.steps = steps

    def update(self, params: np.ndarray, grads: np.ndarray, learning_rate: float):
        self.steps += 1
        _decay(params, learning_rate * self.weight_decay, self.decay_mask)
        params -= learning_rate * grads


class Adam:
    """Adam (Kingma and Ba, 2015) with bias correction and decoupled weight decay."""

    name = "adam"

    def __init__(self, size: int, dtype=np.float64, weight_decay: float = 0.0,
                 decay_mask: np.ndarray | None = None,
                 beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8):
        self.beta1, self.beta2, self.epsilon = beta1, beta2, epsilon
        self.weight_decay = weight_decay
        self.decay_mask = decay_mask
        self.m = np.zeros(size, dtype=dtype)
        self.v = np.zeros(size, dtype=dtype)
        self.steps = 0

    def state(self) -> dict[str, np.ndarray]:
        return {"m": self.m.copy(), "v": self.v.copy()}

    def load_state(self, arrays: dict[str, np.ndarray], steps: int) -> None:
        self.m[...] = arrays["m"]
        self.v[...] = arrays["v"]
        self.steps = steps

    def update(self, params: np.ndarray, grads: np.ndarray, learning_rate: float):
        self.steps += 1
        self.m *= self.beta1
        self.m += (1.0 - self.beta1) * grads
        self.v *= self.beta2
        self.v += (1.0 - self.beta2) * grads * grads
        # bias-corrected moments; epsilon added to sqrt(v_hat), as PyTorch does
        m_hat = self.m / (1.0 - self.beta1**self.steps)
        v_hat = self.v / (1.0 - self.beta2**self.steps)
        _decay(params, learning_rate * self.weight_decay, self.decay_mask)
        params -= learning_rate * m_hat / (np.sqrt(v_hat) + self.epsilon)


def _decay(params: np.ndarray, amount: float, mask: np.ndarray | None) -> None:
    if not amount:
        return
    if mask is None:
        params *= 1.0 - amount
    else:
        params[mask] *= 1.0 - amount


def make_optimizer(name: str, size: int, dtype, weight_decay: float, decay_mask):
    classes = {"sgd": SGD, "adam": Adam}
    if name not in classes:
        raise DinogenError(
            f"unknown optimizer {name!r} (known: {', '.join(OPTIMIZERS)})"
        )
    return classes[name](size, dtype, weight_decay=weight_decay, decay_mask=decay_mask)
