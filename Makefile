# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test verify fuzz setup clean bench tables browser

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
	$(BIN)/dlmigrate convert corpus/tf1/linear_regression.py --to tf2-compat --no-diff --validate

# Files run in parallel workers (one worker per core); a file's tests stay on one worker so
# module- and session-scoped fixtures (corpus runs, framework pairs) run once. The Keras -> torch tests
# run Keras 3 in-process and get a process of their own: a worker that loaded tf-keras cannot switch back.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -q -p no:cacheprovider
test: $(STAMP) browser
	$(PYTEST) -n $(TEST_WORKERS) --dist loadfile --durations=15 --ignore=tests/test_keras_to_torch.py
	$(PYTEST) tests/test_keras_to_torch.py

# The heavy evidence in full: every corpus program run before and after conversion and validated, the TF <->
# torch corpora validated, the legacy torch corpus run against its modern twins, the Keras corpus, every rule
# example of every rule set executed, and the whole TF <-> torch table proven. `make test` runs a fixed sample of each.
verify: $(STAMP)
	DLMIGRATE_VERIFY=1 $(PYTEST) -n $(TEST_WORKERS) --dist loadfile tests/test_verify_evidence.py \
		tests/test_corpus_runtime.py tests/test_torch_legacy.py tests/test_tf_to_torch_corpus.py tests/test_fix_edits.py \
		tests/test_corpus_oracle.py tests/test_facts_agreement.py tests/test_lint_torch_matches.py \
		tests/test_lint_reverse_matches.py
	$(PYTEST) tests/test_keras_to_torch.py
	$(BIN)/dlmigrate rules verify --ruleset tf_to_torch
	DLMIGRATE_TF2_CORPUS=1 $(PYTEST) -m slow tests/test_tf2_eager.py tests/test_tf2_eager_scopes.py tests/test_tf2_eager_host.py tests/test_tf2_eager_more.py tests/test_tf2_eager_flags.py
	DLMIGRATE_VERIFY=1 $(PYTEST) tests/test_engine_agreement.py -k benchmark_tree

# The engine fuzzer for longer than `make test` gives it (FUZZ_EXAMPLES mutated inputs per seed source).
FUZZ_EXAMPLES ?= 3000
fuzz: $(STAMP)
	DLMIGRATE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_fuzz_engine.py

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
