"""dinogen: character-level language models in NumPy, for names and verse."""

import os

# dinogen's matrices are small: a second OpenBLAS thread gains little, and on
# a busy machine its spinning threads slowed minibatch training about 40-fold
# (bench/throughput.py). Set before NumPy loads; an explicit setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
