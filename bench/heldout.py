"""Held-out NLL per character of the minibatch recipes, and how fast they get there.

    python bench/heldout.py dinos      # bigram baseline, fast and best recipes
    python bench/heldout.py names      # the names.txt recipe (at most 10 minutes)
    python bench/heldout.py dinos --course   # also the course RNN, 35,000 steps

Held out: lines 10, 20, 30, ... of the file; the score is the mean negative
log-likelihood per predicted symbol (each character and each name's end), in
nats. Times are wall-clock seconds of training, held-out scoring included.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import recipes
from dinogen.corpus import read_names, split_held_out
from dinogen.evaluate import mean_log_loss
from dinogen.minibatch import new_run, split_and_encode, train_minibatch

DATA = Path(__file__).resolve().parent.parent / "data"
BUDGET_SECONDS = 600.0


def bigram_nll(corpus) -> float:
    """Add-one smoothed character bigrams, counted on the training names."""
    # imported here so that dinogen, imported first, sets NumPy's thread count
    import numpy as np

    training, held_out = split_held_out(corpus)
    V = len(corpus.vocab)
    counts = np.ones((V, V))
    for name in training:
        ids = [0, *corpus.vocab.encode(name), 0]
        for a, b in zip(ids[:-1], ids[1:], strict=True):
            counts[a, b] += 1
    log_probs = np.log(counts / counts.sum(axis=1, keepdims=True))
    total, symbols = 0.0, 0
    for name in held_out:
        ids = [0, *corpus.vocab.encode(name), 0]
        total -= sum(log_probs[a, b] for a, b in zip(ids[:-1], ids[1:], strict=True))
        symbols += len(ids) - 1
    return total / symbols


def course_nll(corpus) -> tuple[float, float]:
    """The course's RNN, trained with its own recipe on the training lines only."""
    from dinogen.corpus import NamesCorpus
    from dinogen.train import TrainConfig, train_rnn

    training, held_out = split_held_out(corpus)
    train_only = NamesCorpus(corpus.path, tuple(training), tuple(range(len(training))),
                             corpus.vocab, corpus.sha256, 0)
    start = time.perf_counter()
    result = train_rnn(train_only, TrainConfig(iterations=35_000))
    seconds = time.perf_counter() - start
    return mean_log_loss(result.model, corpus.vocab, held_out), seconds


def run_recipe(name, config, corpus, target=None):
    training, held_out = split_and_encode(corpus, corpus.vocab)
    run = new_run(config, corpus.vocab, len(training))
    start = time.perf_counter()
    reached = {}

    def on_evaluation(run_now, loss):
        if target is not None and loss <= target and "step" not in reached:
            reached.update(step=run_now.step, seconds=time.perf_counter() - start)

    train_minibatch(run, training, held_out, on_evaluation=on_evaluation,
                    should_stop=lambda: time.perf_counter() - start > BUDGET_SECONDS)
    seconds = time.perf_counter() - start
    print(f"{name}: dinogen train --data data/{corpus.path.name} "
          f"{recipes.options(config)}")
    print(f"  best held-out {run.best_loss:.4f} nats/char at step {run.best_step}; "
          f"{run.step} steps in {seconds:.1f} s")
    if target is not None:
        if reached:
            print(f"  reached {target:.2f} at step {reached['step']} after "
                  f"{reached['seconds']:.1f} s")
        else:
            print(f"  did not reach {target:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", choices=["dinos", "names"])
    parser.add_argument("--course", action="store_true",
                        help="also train the course RNN for 35,000 steps")
    args = parser.parse_args()

    corpus = read_names(DATA / f"{args.corpus}.txt")
    training, held_out = split_held_out(corpus)
    print(f"{corpus.path.name}: {len(training)} training names, {len(held_out)} "
          "held out (lines 10, 20, 30, ...)")
    print(f"bigram, add-one: {bigram_nll(corpus):.4f} nats/char "
          f"(uniform: {math.log(len(corpus.vocab)):.4f})")
    if args.course:
        nll, seconds = course_nll(corpus)
        print(f"course RNN, 35,000 steps: {nll:.4f} nats/char ({seconds:.1f} s)")
    if args.corpus == "dinos":
        run_recipe("fast", recipes.DINOS_FAST, corpus, target=1.60)
        run_recipe("best", recipes.DINOS_BEST, corpus, target=1.60)
    else:
        run_recipe("names", recipes.NAMES, corpus, target=2.00)


if __name__ == "__main__":
    main()
