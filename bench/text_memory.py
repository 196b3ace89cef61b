"""Peak memory of Keras training on a 50 MB text.

Builds a text of about 50 MB by repeating ``data/tinyshakespeare.txt``, then
runs ``dinogen train --backend keras`` on it in a child process for one short
epoch (windows cut per batch; the held-out 5 MB is measured in full) and
prints the child's peak resident memory. The text and checkpoint live in a
temporary folder.

    python bench/text_memory.py
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path,
                        default=Path("data/tinyshakespeare.txt"))
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()

    source = args.source.read_bytes()
    copies = -(-args.megabytes * 1_000_000 // len(source))
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "big.txt"
        with big.open("wb") as out:
            for _ in range(copies):
                out.write(source)
        size = big.stat().st_size
        command = [
            sys.executable, "-m", "dinogen", "train", "--backend", "keras",
            "--data", str(big), "--epochs", "1",
            "--steps-per-epoch", str(args.steps),
            "--out", str(Path(folder) / "big.npz"),
        ]
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(result.stderr)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(result.stderr.strip())
    print(f"text: {size / 1e6:.1f} MB; {args.steps} training steps and the full "
          f"held-out pass in {seconds:.0f} s")
    print(f"peak resident memory of the training process: {peak_kib / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
