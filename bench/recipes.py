"""The minibatch recipes the benchmarks train, with their `dinogen train` options.

Each recipe is a MinibatchConfig; ``options`` spells the same run on the
command line, so a figure printed by a benchmark can be reproduced with
``dinogen train --data data/FILE OPTIONS``.
"""

from __future__ import annotations

from dataclasses import fields

from dinogen.minibatch import MinibatchConfig

# fastest to 1.60 on the dinosaur names: no weight average, which lags early
DINOS_FAST = MinibatchConfig(cell="gru", hidden_size=128, dropout=0.2, ema=0.0,
                             steps=800, eval_every=50)
# the shipped model: src/dinogen/pretrained/dinos.npz (saved with --no-save-state)
DINOS_BEST = MinibatchConfig(cell="lstm", hidden_size=256, dropout=0.4,
                             learning_rate=0.003, steps=1200, eval_every=50)
NAMES = MinibatchConfig(cell="lstm", hidden_size=256, batch_size=64, dropout=0.2,
                        steps=5000, eval_every=500)

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
