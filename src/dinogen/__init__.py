"""dinogen: character-level language models in NumPy, for names and verse."""

import os

# dinogen's NumPy work is small matrix-vector products, one character at a
# time. Extra BLAS threads only add hand-offs there, and when the cores are
# busy they slow writing a poem down several times. Set before NumPy loads;
# a value the user has set wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
