"""Time `dinogen train --iters 35000 --quiet` against the plain reference loop.

Both run here, one after the other, on data/dinos.txt; the script prints the
seconds of each, the speed-up, and the smoothed loss of each at iteration
34,000 (they differ only by floating-point summation order).

    .venv/bin/python bench/bench_train.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dinogen.checkpoint import load_checkpoint
from dinogen.corpus import read_names
from dinogen.train import TrainConfig, train_rnn
from reference_rnn import train as reference_train

DATA = Path("data/dinos.txt")
ITERATIONS, REPORT_AT = 35_000, 34_000


def main() -> None:
    corpus = read_names(DATA)

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "bench.npz"
        command = [sys.executable, "-m", "dinogen", "train", "--data", str(DATA),
                   "--iters", str(ITERATIONS), "--quiet", "--out", str(out)]
        start = time.perf_counter()
        subprocess.run(command, check=True)
        dinogen_seconds = time.perf_counter() - start
        dinogen_final = load_checkpoint(out).metadata["smoothed_loss"]

    start = time.perf_counter()
    reference_at, reference_final = reference_train(
        corpus.names, corpus.vocab.symbols, ITERATIONS, report_at=REPORT_AT
    )
    reference_seconds = time.perf_counter() - start

    # dinogen's loss at 34,000 comes from its log (an untimed second run)
    logged = {}
    train_rnn(corpus, TrainConfig(iterations=REPORT_AT + 1, names_per_log=0),
              on_log=lambda j, loss, names: logged.__setitem__(j, loss))
    dinogen_at = logged[REPORT_AT]

    print(f"dinogen train --iters {ITERATIONS} --quiet: {dinogen_seconds:6.2f} s")
    print(f"plain reference loop:                {reference_seconds:6.2f} s")
    speed_up = reference_seconds / dinogen_seconds
    print(f"speed-up:                            {speed_up:6.2f}x")
    print(f"smoothed loss at {REPORT_AT}: dinogen {dinogen_at:.6f}, "
          f"reference {reference_at:.6f} "
          f"({100 * abs(dinogen_at - reference_at) / reference_at:.3f} % apart)")
    print(f"smoothed loss at the end: dinogen {dinogen_final:.6f}, "
          f"reference {reference_final:.6f}")


if __name__ == "__main__":
    main()
