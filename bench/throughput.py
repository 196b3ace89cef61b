"""Training throughput of the minibatch NumPy trainer, against PyTorch if present.

Both train the same model (embedding 32, one GRU layer of 128 units, dropout
0.2, a dense layer) with Adam and global-norm clipping on the same padded
batches of dinosaur names, and the figure is unmasked target characters per
second over the timed steps (after a few warm-up steps). PyTorch is not a
dependency of dinogen; without it only the NumPy figures are printed.

    python bench/throughput.py [--steps 300] [--batch-size 32] [--threads 1 2]

Each thread count runs in its own process, with OPENBLAS_NUM_THREADS (which
dinogen sets to 1 unless the environment says otherwise) and PyTorch's
thread count both set to it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from dinogen.batches import pad_batch
from dinogen.corpus import read_names
from dinogen.minibatch import MinibatchConfig, new_run, split_and_encode
from dinogen.optim import clip_by_global_norm

DATA = Path(__file__).resolve().parent.parent / "data" / "dinos.txt"
WARM_UP = 10


def batches(training, batch_size, steps, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        rows = rng.choice(len(training), batch_size, replace=False)
        yield pad_batch([training[i] for i in rows])


def numpy_rate(training, vocab, batch_size, steps, dtype) -> float:
    config = MinibatchConfig(cell="gru", hidden_size=128, embedding_size=32,
                             batch_size=batch_size, dropout=0.2, dtype=dtype)
    run = new_run(config, vocab, len(training))
    network = run.network
    params, grads = network.params.flat, network.grads.flat
    chars, start = 0, None
    for step, (inputs, targets, mask) in enumerate(
        batches(training, batch_size, steps + WARM_UP)
    ):
        if step == WARM_UP:
            chars, start = 0, time.perf_counter()
        network.loss_and_gradients(inputs, targets, mask, config.dropout, run.rng)
        clip_by_global_norm(grads, config.clip_norm)
        run.optimizer.update(params, grads, config.learning_rate)
        chars += int(mask.sum())
    return chars / (time.perf_counter() - start)


def torch_rate(training, vocab_size, batch_size, steps) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    torch.set_num_threads(int(os.environ["OPENBLAS_NUM_THREADS"]))

    class GRUModel(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(vocab_size, 32)
            self.gru = torch.nn.GRU(32, 128, batch_first=True)
            self.drop = torch.nn.Dropout(0.2)
            self.dense = torch.nn.Linear(128, vocab_size)

        def forward(self, inputs):
            hidden, _ = self.gru(self.drop(self.embedding(inputs)))
            return self.dense(self.drop(hidden))

    model = GRUModel()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.002)
    chars, start = 0, None
    for step, (inputs, targets, mask) in enumerate(
        batches(training, batch_size, steps + WARM_UP)
    ):
        if step == WARM_UP:
            chars, start = 0, time.perf_counter()
        logits = model(torch.from_numpy(inputs))
        losses = torch.nn.functional.cross_entropy(
            logits.reshape(-1, vocab_size), torch.from_numpy(targets).reshape(-1),
            reduction="none",
        )
        weight = torch.from_numpy(mask.reshape(-1).astype(np.float32))
        loss = (losses * weight).sum() / weight.sum()
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        chars += int(mask.sum())
    rate = chars / (time.perf_counter() - start)
    return rate, torch.__version__, torch.get_num_threads()


def measure(steps: int, batch_size: int) -> None:
    corpus = read_names(DATA)
    training, _ = split_and_encode(corpus, corpus.vocab)
    threads = os.environ["OPENBLAS_NUM_THREADS"]
    for dtype in ("float32", "float64"):
        rate = numpy_rate(training, corpus.vocab, batch_size, steps, dtype)
        print(f"  numpy {np.__version__} {dtype}, {threads} thread(s): "
              f"{rate:10,.0f} characters/s", flush=True)
    measured = torch_rate(training, len(corpus.vocab), batch_size, steps)
    if measured is None:
        print("  torch: not installed")
    else:
        rate, version, torch_threads = measured
        print(f"  torch {version} float32, {torch_threads} thread(s): "
              f"{rate:10,.0f} characters/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--measure", action="store_true",
                        help="measure in this process (set by the parent run)")
    args = parser.parse_args()
    if args.measure:
        measure(args.steps, args.batch_size)
        return

    print(f"GRU 128, embedding 32, batch {args.batch_size}, {args.steps} timed "
          f"steps on {DATA.name}")
    for threads in args.threads:
        environment = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads))
        subprocess.run(
            [sys.executable, __file__, "--measure", "--steps", str(args.steps),
             "--batch-size", str(args.batch_size)],
            env=environment, check=True,
        )


if __name__ == "__main__":
    main()
