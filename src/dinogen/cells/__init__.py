"""Recurrent cells for minibatch training: forward and backward over a batch.

Every cell works on time-major arrays. ``forward(weights, projected, cache)``
receives the input projection of all time steps at once, ``projected`` of
shape (T, B, G) (the layer's input times its kernel plus its bias), runs the
recurrence one matrix product per step and returns the hidden states
(T, B, H). ``backward(weights, d_hidden, cache, grads)`` takes the loss
gradient with respect to those hidden states, adds the recurrent weights'
gradients into ``grads`` and returns the gradient with respect to
``projected``. Sequences start from zero states.

``step(weights, projected, state)`` advances one time step for generation.
"""

from __future__ import annotations

from dinogen.cells.gru import GRUCell
from dinogen.cells.lstm import LSTMCell
from dinogen.cells.simple import TanhCell

CELLS = {cell.name: cell for cell in (TanhCell, GRUCell, LSTMCell)}

__all__ = ["CELLS", "GRUCell", "LSTMCell", "TanhCell"]
