"""The minibatch recipes the benchmarks train, with their `dinogen train` options.

Each recipe is a MinibatchConfig; ``options`` spells the same run on the
command line, so a figure printed by a benchmark can be reproduced with
``dinogen train --data data/FILE OPTIONS``.
"""

from __future__ import annotations

from dataclasses import fields

from dinogen.minibatch import MinibatchConfig

# fastest to 1.60 on the dinosaur names
DINOS_FAST = MinibatchConfig(cell="gru", hidden_size=128, embedding_size=32,
                             dropout=0.2, steps=800, eval_every=50,
                             dtype="float32")
# the shipped model: src/dinogen/pretrained/dinos.npz
DINOS_BEST = MinibatchConfig(cell="lstm", hidden_size=128, embedding_size=32,
                             dropout=0.3, ema=0.99, learning_rate=0.003,
                             steps=1500, eval_every=50, dtype="float32")
NAMES = MinibatchConfig(cell="gru", hidden_size=128, embedding_size=32,
                        batch_size=64, dropout=0.1, ema=0.99, steps=6000,
                        eval_every=500, dtype="float32")

SHARED = {"steps": "--iters", "hidden_size": "--hidden-size",
          "learning_rate": "--learning-rate", "seed": "--seed"}


def options(config: MinibatchConfig) -> str:
    """The `dinogen train` options for ``config`` (those differing from defaults)."""
    defaults = MinibatchConfig()
    words = ["--cell", config.cell]
    for field in fields(config):
        value = getattr(config, field.name)
        if field.name == "cell" or value == getattr(defaults, field.name):
            continue
        flag = SHARED.get(field.name, "--" + field.name.replace("_", "-"))
        words += [flag, str(value)]
    return " ".join(words)
