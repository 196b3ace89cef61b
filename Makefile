# The README's commands. `make demo` sets up, fetches the data, trains and
# samples; `make test` sets up and runs the test suite.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# A local folder holding the corpora; when it lacks them they are downloaded.
MIRROR ?= ../shared/data
EXTRAS ?= test,keras

.PHONY: install data bench-data demo test lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[$(EXTRAS)]'
	touch $@

install: $(VENV)/.installed

data: install
	$(BIN)/dinogen fetch-data --mirror $(MIRROR)

bench-data: install
	$(BIN)/dinogen fetch-data --mirror $(MIRROR) dinos.txt names.txt \
		shakespeare.txt tinyshakespeare.txt

demo: data
	$(BIN)/dinogen train --iters 35000
	$(BIN)/dinogen sample -n 10 --seed 0

test: data
	$(BIN)/python -m pytest

lint: install
	$(BIN)/pip install --quiet ruff
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache

# Held-out scores and training speed of the minibatch trainer (several minutes).
.PHONY: bench
bench: bench-data
	$(BIN)/python bench/heldout.py dinos --course
	$(BIN)/python bench/heldout.py names
	$(BIN)/python bench/throughput.py
