# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test setup clean bench tables browser

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[validate,dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	@echo "== dlmigrate convert corpus/tf1/linear_regression.py --to tf2-compat"
	-$(BIN)/dlmigrate convert corpus/tf1/linear_regression.py --to tf2-compat
	@echo
	@echo "== dlmigrate rules list (summary)"
	@$(BIN)/dlmigrate rules list | tail -n 1
	@echo
	@echo "== dlmigrate convert corpus/tf1/linear_regression.py --validate (runs original and conversion, compares outputs)"
	$(BIN)/dlmigrate convert corpus/tf1/linear_regression.py --to tf2-compat --no-diff --quiet --validate

test: $(STAMP) browser
	$(BIN)/python -m pytest -q -p no:cacheprovider

# Headless Chromium for the HTML report test (Debian's package). Best effort: where it cannot be
# installed the test skips and says why, and the rest of the suite still runs.
browser:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
		echo "== installing chromium for the HTML report test"; \
		( $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null ) \
			|| echo "note: could not install chromium; the HTML report browser test will skip"; \
	fi

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# Regenerate the bulk TF1->TF2 tables from the installed TensorFlow.
tables: $(STAMP)
	$(BIN)/python scripts/gen_tf_tables.py

clean:
	rm -rf $(VENV) build dist *.egg-info
