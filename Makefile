# The two entry points a new user needs: `make serve` and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test lint train clean

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
	HF_HUB_OFFLINE=1 $(BIN)/ruff check qa tests benchmarks training
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check qa tests benchmarks training

# The query adapter (training/MODEL_CARD.md): vectors, leak check, mining, grid, the .npz.
train: $(STAMP)
	HF_HUB_OFFLINE=1 OMP_NUM_THREADS=2 $(BIN)/python training/train.py

clean:
	rm -rf $(VENV) index
