"""Time drawing 10,000 names in one batch against drawing them one at a time.

Both use the same model and the same sampler; only the batch size differs.
With no argument the model is the course's RNN, trained here with
`dinogen train`'s defaults on data/dinos.txt; a checkpoint may be named
instead (the shipped LSTM, for instance).

    .venv/bin/python bench/bench_sample.py [CHECKPOINT]
"""

from __future__ import annotations

import sys
import time

import numpy as np

from dinogen.checkpoint import load_checkpoint
from dinogen.corpus import read_names
from dinogen.models import model_from_checkpoint
from dinogen.sampling import sample_names
from dinogen.train import TrainConfig, train_rnn

COUNT = 10_000


def main() -> None:
    if len(sys.argv) > 1:
        path = sys.argv[1]
        model = model_from_checkpoint(load_checkpoint(path), path)
    else:
        path = "course RNN, dinogen train defaults on data/dinos.txt"
        corpus = read_names("data/dinos.txt")
        model = train_rnn(corpus, TrainConfig(names_per_log=0)).model

    start = time.perf_counter()
    batched = sample_names(model, COUNT, np.random.default_rng(0))
    batched_seconds = time.perf_counter() - start

    rng = np.random.default_rng(0)
    start = time.perf_counter()
    single = [sample_names(model, 1, rng)[0] for _ in range(COUNT)]
    single_seconds = time.perf_counter() - start

    def mean_length(names):
        return np.mean([len(n) for n in names])

    print(f"model: {path}")
    print(f"{COUNT} names in one batch:   {batched_seconds:7.3f} s "
          f"(mean length {mean_length(batched):.2f})")
    print(f"{COUNT} names one at a time:  {single_seconds:7.3f} s "
          f"(mean length {mean_length(single):.2f})")
    print(f"speed-up: {single_seconds / batched_seconds:.1f}x")


if __name__ == "__main__":
    main()
