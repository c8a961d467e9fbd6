# send-monitor — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
# Python 3.13 for `make test-py313` (pyenv's if it is not on PATH).
PYTHON313 ?= $(shell for p in python3.13 $$HOME/.pyenv/versions/3.13*/bin/python; do \
    $$p -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null && command -v $$p && break; done)
VENV ?= .venv
BIN := $(VENV)/bin
LOCK := requirements.lock
# durable-rules 2.0.28 calls PyEval_CallObject, which Python 3.13 removed: build it from its
# source with the call mapped to PyObject_CallObject (harmless on 3.11 and 3.12). Its setup.py
# overwrites CFLAGS, so the define goes in CPPFLAGS. See README "Supported Pythons".
DURABLE_CPPFLAGS := -DPyEval_CallObject=PyObject_CallObject
DEMO_DB := demo.db
DEMO_AS_OF := 2020-06-30
SITE := site
# The OpenID provider the sign-in tests start (npm's oidc-provider, installed from its lock).
OIDC := tests/oidc
OIDC_INSTALLED := $(OIDC)/node_modules/.package-lock.json
# The engine and CLI tests that run on Python 3.13 as well.
PY313_TESTS := tests/test_check.py tests/test_rules.py tests/cli tests/test_config.py tests/test_migrations.py

.PHONY: setup demo test test-fast test-py313 lint lock lock-check wheel install-check bench clean system-deps

# The dependencies from the lock, each checked against its SHA-256 (durable-rules built from
# source, see above), then the project itself without dependencies (pip refuses hash-checking
# for an editable install).
$(BIN)/send-monitor: pyproject.toml $(LOCK) monitor/__init__.py
	PYTHON=$(PYTHON) scripts/system-deps build
	$(PYTHON) -m venv $(VENV)
	CPPFLAGS="$(DURABLE_CPPFLAGS)" $(BIN)/python -m pip install --quiet --no-cache-dir --require-hashes \
	    --no-binary durable-rules -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

setup: $(BIN)/send-monitor

demo: setup
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm demo.web.db demo.web.db-wal demo.web.db-shm
	$(BIN)/send-monitor --db sqlite:///$(DEMO_DB) import sample_data/demo
	$(BIN)/send-monitor --db sqlite:///$(DEMO_DB) check --as-of $(DEMO_AS_OF)
	$(BIN)/send-monitor --db sqlite:///$(DEMO_DB) publish $(SITE) --as-of $(DEMO_AS_OF)
	@echo
	@echo "Store:      $(CURDIR)/$(DEMO_DB)"
	@echo "Dashboards: file://$(CURDIR)/$(SITE)/index.html"
	@echo "Served:     $(BIN)/send-monitor --db sqlite:///$(DEMO_DB) serve --demo national"
	@echo "            (signed in as national on http://127.0.0.1:8000/; or --demo area:850, or serve --static $(SITE))"
	@echo "Explain:    $(BIN)/send-monitor --db sqlite:///$(DEMO_DB) explain response-5-weeks REC-90012-1"

# Chromium, PostgreSQL's server, poppler and fonts: installed when missing (as root), or the
# command to install them is printed.
system-deps:
	PYTHON=$(PYTHON) scripts/system-deps

$(OIDC_INSTALLED): $(OIDC)/package.json $(OIDC)/package-lock.json
	cd $(OIDC) && npm ci --no-audit --no-fund --silent

# Everything, browser and PostgreSQL tests included.
test: system-deps setup $(OIDC_INSTALLED)
	$(BIN)/python -m pytest -q -p no:cacheprovider

# The quick inner loop: no Chromium, no PostgreSQL server.
test-fast: setup $(OIDC_INSTALLED)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not browser and not postgres"

# The engine and CLI tests on Python 3.13, in their own venv.
test-py313:
	@test -n "$(PYTHON313)" || { echo "test-py313: no Python 3.13 found; set PYTHON313=/path/to/python3.13" >&2; exit 1; }
	$(MAKE) setup PYTHON=$(PYTHON313) VENV=.venv-3.13
	.venv-3.13/bin/python -m pytest -q -p no:cacheprovider $(PY313_TESTS)

lint: setup
	$(BIN)/ruff check monitor tests
	$(BIN)/ruff format --check monitor tests
	$(BIN)/mypy monitor

# Refresh the lock: every dependency of every extra pinned with the SHA-256 of each of its
# files, for Python 3.11 to 3.13 at once; versions already in the lock are kept unless
# pyproject.toml no longer allows them (`make lock UPGRADE=--upgrade` takes the newest).
# Commit requirements.lock afterwards.
LOCK_COMPILE = $(BIN)/uv pip compile pyproject.toml --extra test --extra dev --extra postgres \
	--universal --python-version 3.11 --generate-hashes --quiet --custom-compile-command "make lock"
lock: setup
	$(LOCK_COMPILE) $(UPGRADE) --output-file $(LOCK)

# CI: the lock must be what `make lock` makes from pyproject.toml as it is.
lock-check: setup
	cp $(LOCK) .lock-check.txt
	$(LOCK_COMPILE) --output-file .lock-check.txt
	@diff -u $(LOCK) .lock-check.txt && rm -f .lock-check.txt || { rm -f .lock-check.txt; \
	    echo "requirements.lock does not match pyproject.toml: run \`make lock\` and commit it" >&2; exit 1; }

# The wheel and sdist in dist/.
wheel: setup
	rm -rf dist build/lib
	$(BIN)/python -m build --no-isolation --outdir dist .

# Install the wheel as a council would (a new venv, versions from the lock, from PyPI) and run
# the daily cycle's commands from a folder outside the checkout.
install-check: wheel
	rm -rf .venv-install
	$(PYTHON) -m venv .venv-install
	scripts/lock-constraints $(LOCK) > .venv-install/constraints.txt
	CPPFLAGS="$(DURABLE_CPPFLAGS)" .venv-install/bin/python -m pip install --quiet --no-cache-dir \
	    --no-binary durable_rules -c .venv-install/constraints.txt durable_rules
	.venv-install/bin/python -m pip install --quiet -c .venv-install/constraints.txt dist/send_monitor-*.whl
	cd "$$(mktemp -d)" && S=$(CURDIR)/.venv-install/bin/send-monitor && $$S --version \
	    && $$S --db sqlite:///store.db import $(CURDIR)/sample_data/demo >/dev/null \
	    && $$S --db sqlite:///store.db check --as-of $(DEMO_AS_OF) >/dev/null \
	    && $$S --db sqlite:///store.db publish site --as-of $(DEMO_AS_OF) \
	    && $$S --db sqlite:///store.db alerts --dry-run | tail -1

bench: setup
	$(BIN)/python -m compileall -q monitor benchmarks \
	    "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"  # bytecode, as an install has it
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.check
	$(BIN)/python -m benchmarks.web
	$(BIN)/python -m benchmarks.documents

clean:
	rm -rf $(VENV) .venv-3.13 .venv-install .lock-check.txt $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm demo.web.db* $(SITE) *.egg-info build dist $(OIDC)/node_modules
