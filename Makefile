# slanb: `make report` on a fresh machine sets everything up and builds the demo report;
# `make test` runs the whole suite. Both need only python3 (3.11+) and make.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
SLANB  := $(VENV)/bin/slanb
STAMP  := $(VENV)/.slanb-installed
DEMO   := data/demo.duckdb

.PHONY: install browser-deps report demo test lint lab bench clean

install: $(STAMP)

# Reinstall only when the dependency pins or the project metadata change.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	@touch $(STAMP)

# Headless Chromium for the browser test (tests/publish/test_browser.py) and the delivery PDF:
# Debian's package, installed when missing and we are root; otherwise a note, and those tests skip
# saying why. Nothing to do (a `command -v`) once a Chromium is there.
CHROMIUMS := $(SLANB_CHROMIUM) chromium chromium-browser google-chrome google-chrome-stable

browser-deps:
	@found=; for c in $(CHROMIUMS); do command -v "$$c" >/dev/null 2>&1 && found=$$c; done; \
	if [ -n "$$found" ]; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing chromium (Debian's package) for the browser test"; \
	  apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	else \
	  echo "note: Chromium is not installed, so the browser and PDF tests will skip;" \
	       "as root: make browser-deps (or apt-get install chromium)"; \
	fi

$(DEMO): | $(STAMP)
	$(SLANB) demo --db $(DEMO)

demo: $(DEMO)

report: $(STAMP) $(DEMO)
	$(SLANB) report --db $(DEMO)

test: $(STAMP) browser-deps
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check slanb tests notebooks benchmarks
	$(VENV)/bin/ruff format --check slanb tests benchmarks

lab: $(STAMP) $(DEMO)
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

# BENCH_ARGS="--scales 100000,1000000 --repeat 3" to run a part
bench: $(STAMP)
	$(PY) benchmarks/run.py $(BENCH_ARGS)

# Removes the environment only: reports/ holds the delivery log (reports/.deliveries) that keeps a
# month from being e-mailed twice.
clean:
	rm -rf $(VENV)
