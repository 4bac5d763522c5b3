# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run empty test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/pingshen migrate
	$(BIN)/pingshen demo --if-empty
	$(BIN)/pingshen serve

# An installation with no data at all (var/empty/): the first administrator is asked for once,
# then everything else is done in the browser (docs/guide-agency.md).
empty: $(STAMP)
	PINGSHEN_DATA_DIR=var/empty $(BIN)/pingshen migrate
	test -f var/empty/.admin-created || (PINGSHEN_DATA_DIR=var/empty $(BIN)/pingshen create-user \
		--username admin --name 系统管理员 --role admin && touch var/empty/.admin-created)
	PINGSHEN_DATA_DIR=var/empty $(BIN)/pingshen serve

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m scoring.bench
	$(BIN)/python -m assignment.bench

clean:
	rm -rf $(VENV) var .pytest_cache
