# The two entry points a new user needs: `make serve` and `make test`;
# `make check` is the contributor's fast lane, `make wheel-check` what CI adds to `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test check wheel-check lint train train-reranker clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, pinned: the CPU build; otherwise sentence-transformers pulls a multi-GB CUDA build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev,cluster]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/qa serve

test: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/ruff check qa tests benchmarks training .ci/wheel-check
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

# The contributor's fast lane, on every core: ruff, then the tests that start no server,
# browser or cluster and build no large index (markers in pyproject.toml). CI runs `make test`.
check: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/ruff check qa tests benchmarks training .ci/wheel-check
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q -n auto -m "not server and not browser and not cluster and not slow"

# Builds the wheel, installs it in a fresh venv under /tmp (not this one) and serves from it.
wheel-check:
	python3 .ci/wheel-check

lint: $(STAMP)
	$(BIN)/ruff check qa tests benchmarks training .ci/wheel-check

# The query adapter (training/MODEL_CARD.md): vectors, leak check, mining, grid, the .npz.
train: $(STAMP)
	HF_HUB_OFFLINE=1 OMP_NUM_THREADS=2 $(BIN)/python training/train.py

# The bundled cross-encoder (training/MODEL_CARD.md): groups, leak check, one epoch, valid, the file.
train-reranker: $(STAMP)
	HF_HUB_OFFLINE=1 OMP_NUM_THREADS=2 $(BIN)/python training/reranker.py

clean:
	rm -rf $(VENV) index
