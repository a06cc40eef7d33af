# The course's commands. Each target sets up .venv itself if it is missing or stale.
#   make book   build the HTML book into _build/html and its Russian edition into _build/html/ru (warnings are errors)
#   make test   run every test (units, data, notebooks, nbgrader round trip, book, browser)
#   make lab    open JupyterLab on the course (the student's Lab); make lab-instructor: with nbgrader's tools
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# nbgrader shells out to alembic: the venv's bin must come first on PATH.
export PATH := $(abspath $(BIN)):$(PATH)
export PYDEVD_DISABLE_FILE_VALIDATION := 1
STAMP := $(VENV)/.installed
# axe-core for the accessibility test (tests/test_a11y.py), pinned in tests/package-lock.json.
AXE := tests/node_modules/axe-core/axe.min.js
# deploy/: the hub's proxy and MathJax 2.7.7 for the formgrader offline, pinned in deploy/package-lock.json;
# the Jupyter server serves deploy/node_modules as /static/ (sys-prefix config in the venv).
DEPLOY_NPM := deploy/node_modules/.installed
SERVER_STATIC := $(VENV)/etc/jupyter/jupyter_server_config.json

.PHONY: help setup book test test-fast lab lab-instructor release grade report bench lock clean

help:
	@echo "make book   build the book (HTML in _build/html/index.html)"
	@echo "make test   run every test"
	@echo "make lab    open JupyterLab on the course (the student's Lab)"
	@echo "make lab-instructor   the instructor's Lab: nbgrader's formgrader, course list and create assignment"
	@echo "make bench  run the benchmarks (figures in benchmarks/results/)"
	@echo "make grade A=ch06_visa_bonds   autograde a class (parallel, sandboxed); make report A=..."

setup: $(STAMP) $(AXE) $(DEPLOY_NPM)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || { echo ">> creating $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@echo ">> installing pinned requirements (requirements.txt) and coursekit"
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/coursekit lab-settings
	$(BIN)/coursekit vega-bundle
	@touch $(STAMP)

$(AXE): tests/package.json tests/package-lock.json
	@command -v npm >/dev/null || { echo ">> npm not found: tests/test_a11y.py will skip (in CI it fails)"; exit 0; }; \
	echo ">> installing axe-core for the accessibility test (npm ci, pinned in tests/package-lock.json)"; \
	npm ci --prefix tests --no-audit --no-fund && touch $(AXE)

$(DEPLOY_NPM): deploy/package.json deploy/package-lock.json $(STAMP)
	@command -v npm >/dev/null || { echo ">> npm not found: the hub and formgrader tests will skip (in CI they fail)"; exit 0; }; \
	echo ">> installing the hub proxy and MathJax 2.7.7 (npm ci --prefix deploy, pinned in deploy/package-lock.json)"; \
	npm ci --prefix deploy --no-audit --no-fund && \
	mkdir -p $(dir $(SERVER_STATIC)) && \
	printf '{"ServerApp": {"extra_static_paths": ["%s"]}}\n' "$(abspath deploy/node_modules)" > $(SERVER_STATIC) && \
	touch $(DEPLOY_NPM)

book: $(STAMP)
	@echo ">> writing the student versions of the assignments (assignments/)"
	$(BIN)/coursekit student-versions
	@echo ">> building the book (executes changed notebooks; cached ones are reused)"
	$(BIN)/coursekit book-cache
	$(BIN)/jupyter-book build . -W --keep-going
	@echo ">> building the Russian edition into _build/html/ru (pages with a catalog in locales/ru; reuses the executions)"
	$(BIN)/coursekit translations build
	@echo ">> done: open _build/html/index.html (Russian edition: _build/html/ru/index.html)"

test: $(STAMP) $(AXE) $(DEPLOY_NPM)
	@echo ">> running every test (units, data, notebooks, nbgrader round trip, book build, browser)"
	$(BIN)/python -m pytest -v --durations=10

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser"

# As root (a container, a course VM) JupyterLab refuses to start without --allow-root.
# The two Labs are configured in one place, src/coursekit/labsettings.py (written by coursekit lab-settings
# into .venv/etc/coursekit/<role>; the hub in deploy/ uses the same folders).
ALLOW_ROOT = $(if $(filter 0,$(shell id -u)),--allow-root,)
lab: $(STAMP)
	JUPYTER_CONFIG_PATH=$(abspath $(VENV))/etc/coursekit/student$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH),) \
	  $(BIN)/jupyter lab --notebook-dir=. $(ALLOW_ROOT)

# nbgrader reads exercises/nbgrader_config.py (the course root) from the server's working folder.
lab-instructor: $(STAMP)
	cd exercises && JUPYTER_CONFIG_PATH=$(abspath $(VENV))/etc/coursekit/instructor$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH),) \
	  $(abspath $(BIN))/jupyter lab --notebook-dir=.. $(ALLOW_ROOT)

release: $(STAMP)
	cd exercises && nbgrader generate_assignment --force $(A)

# Grade every submission of assignment A in parallel, sandboxed (root), then its report.
grade: $(STAMP)
	cd exercises && $(abspath $(BIN))/coursekit grade $(A)

report: $(STAMP)
	cd exercises && $(abspath $(BIN))/coursekit report $(A)

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# Re-resolve the pins: fresh venv with the top-level packages, then freeze.
lock:
	rm -rf /tmp/coursekit-lock && $(PYTHON) -m venv /tmp/coursekit-lock
	/tmp/coursekit-lock/bin/pip install --quiet --upgrade pip
	/tmp/coursekit-lock/bin/pip install --quiet -e ".[course]"
	{ head -2 requirements.txt; /tmp/coursekit-lock/bin/pip freeze | grep -vi '^-e\|^coursekit'; } > requirements.txt.new
	mv requirements.txt.new requirements.txt

clean:
	rm -rf _build .pytest_cache exercises/release exercises/autograded exercises/feedback exercises/submitted exercises/grading exercises/gradebook.db
