# send-monitor — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := demo.db
DEMO_AS_OF := 2020-06-30
SITE := site

.PHONY: setup demo test bench clean

$(BIN)/send-monitor: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/send-monitor

demo: setup
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/send-monitor --db sqlite:///$(DEMO_DB) import sample_data/demo
	$(BIN)/send-monitor --db sqlite:///$(DEMO_DB) check --as-of $(DEMO_AS_OF)
	$(BIN)/send-monitor --db sqlite:///$(DEMO_DB) publish $(SITE) --as-of $(DEMO_AS_OF)
	@echo
	@echo "Store:      $(CURDIR)/$(DEMO_DB)"
	@echo "Dashboards: file://$(CURDIR)/$(SITE)/index.html"
	@echo "            (or: $(BIN)/send-monitor serve $(SITE))"
	@echo "Explain:    $(BIN)/send-monitor --db sqlite:///$(DEMO_DB) explain response-5-weeks REC-90012-1"

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.check

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(SITE) *.egg-info
