"""Time drawing 10,000 names in one batch against drawing them one at a time.

Both use the same model (the shipped checkpoint unless one is named) and the
same sampler; only the batch size differs.

    .venv/bin/python bench/bench_sample.py [CHECKPOINT]
"""

from __future__ import annotations

import sys
import time

import numpy as np

from dinogen.checkpoint import load_checkpoint
from dinogen.models import model_from_checkpoint
from dinogen.pretrained import PRETRAINED_DIR
from dinogen.sampling import sample_names

COUNT = 10_000


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else str(PRETRAINED_DIR / "dinos.npz")
    model = model_from_checkpoint(load_checkpoint(path), path)

    start = time.perf_counter()
    batched = sample_names(model, COUNT, np.random.default_rng(0))
    batched_seconds = time.perf_counter() - start

    rng = np.random.default_rng(0)
    start = time.perf_counter()
    single = [sample_names(model, 1, rng)[0] for _ in range(COUNT)]
    single_seconds = time.perf_counter() - start

    def mean_length(names):
        return np.mean([len(n) for n in names])

    print(f"checkpoint: {path}")
    print(f"{COUNT} names in one batch:   {batched_seconds:7.3f} s "
          f"(mean length {mean_length(batched):.2f})")
    print(f"{COUNT} names one at a time:  {single_seconds:7.3f} s "
          f"(mean length {mean_length(single):.2f})")
    print(f"speed-up: {single_seconds / batched_seconds:.1f}x")


if __name__ == "__main__":
    main()
