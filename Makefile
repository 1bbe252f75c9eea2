# tadiao — two commands: `make run` serves the system, `make test` runs every check.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: run test venv lint clean

# Python >= 3.12: python3.13 / python3.12 on PATH, else a pyenv-installed one.
FIND_PYTHON := for p in python3.13 python3.12 python3; do \
    if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then command -v $$p; exit 0; fi; done; \
  if command -v pyenv >/dev/null 2>&1; then for v in $$(pyenv versions --bare 2>/dev/null | sort -rV); do \
    for p in "$$(pyenv root)/versions/$$v/bin/python3"; do \
      if [ -x "$$p" ] && "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then echo "$$p"; exit 0; fi; done; done; fi; exit 1

$(VENV)/.installed: pyproject.toml
	@py="$$( $(FIND_PYTHON) )" || { echo "需要 Python 3.12 或更高版本 (Python >= 3.12 is required)。请安装 python3.12/python3.13（例如 'pyenv install 3.13'），再运行 make。" >&2; exit 1; }; \
	  echo "使用 $$py"; [ -x $(PY) ] || "$$py" -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

venv: $(VENV)/.installed

run: venv
	$(BIN)/tadiao migrate --noinput
	$(BIN)/tadiao collectstatic --noinput -v 0
	$(BIN)/tadiao first_run
	@bash scripts/serve.sh

lint: venv
	$(BIN)/ruff check tadiao tests benchmarks
	$(BIN)/mypy

test: venv
	@bash scripts/run-tests.sh

clean:
	rm -rf $(VENV) var/test-*
