"""Seconds per epoch of Keras training on the Sonnets, with the default model.

Runs ``dinogen train --backend keras`` (2 x 128 units, embedding 32, windows
of 100, batch 32) for a few epochs on ``data/shakespeare.txt`` and prints
each epoch's time as the command reports it (training steps plus the
held-out pass). The first epoch includes compiling.

    python bench/keras_epoch_time.py --epochs 4
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

EPOCH_LINE = re.compile(r"epoch (\d+)/\d+: .* ([\d.]+) s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--data", type=Path, default=Path("data/shakespeare.txt"))
    parser.add_argument("--hidden-size", type=int, default=128)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        command = [
            sys.executable, "-m", "dinogen", "train", "--backend", "keras",
            "--data", str(args.data), "--epochs", str(args.epochs),
            "--hidden-size", str(args.hidden_size),
            "--out", str(Path(folder) / "bench.npz"),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=True)
    seconds = [float(m.group(2)) for m in map(EPOCH_LINE.match,
                                             result.stderr.splitlines()) if m]
    print(f"{os.cpu_count()} CPUs, KERAS_BACKEND="
          f"{os.environ.get('KERAS_BACKEND', 'jax (default)')}")
    for epoch, value in enumerate(seconds, start=1):
        print(f"epoch {epoch}: {value:.1f} s")
    later = seconds[1:] or seconds
    print(f"mean of epochs 2-{len(seconds)}: {sum(later) / len(later):.2f} s per epoch")


if __name__ == "__main__":
    main()
