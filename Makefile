# The two commands of README.md: `make run` and `make test`. Everything else is set-up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export QT_QPA_PLATFORM ?= offscreen

.PHONY: run test lint sandbox screenshots dist icons bench bench-quick clean

$(STAMP): pyproject.toml scripts/bootstrap.sh
	sh scripts/bootstrap.sh "$(PYTHON)" "$(VENV)"
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Qt's system libraries: installed as root with apt where missing, else the apt line is shown.
run: $(STAMP)
	$(BIN)/python -m affilitest_gui.system_libs desktop --install
	QT_QPA_PLATFORM= $(BIN)/affilitest-gui $(ARGS)

test: $(STAMP)
	$(BIN)/python -m affilitest_gui.system_libs offscreen --install
	sh scripts/install-build-tools.sh
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

lint: $(STAMP)
	$(BIN)/ruff check .

# The onedir for this OS, its frozen self-test, bundle checks, size budget, NSIS installer.
dist: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dist]'
	$(BIN)/python -m affilitest_gui.system_libs offscreen --install
	sh scripts/install-build-tools.sh
	$(BIN)/python scripts/build_dist.py

# Figures, not tests: throughput at the limit, GUI stalls, history at 100k rows, start-up.
BENCHES = throughput gui_responsiveness history_scale offers_scale startup
bench: $(STAMP)
	for b in $(BENCHES); do echo "== $$b"; $(BIN)/python bench/$$b.py || exit 1; done

bench-quick: $(STAMP)
	for b in $(BENCHES); do echo "== $$b"; $(BIN)/python bench/$$b.py --quick || exit 1; done

icons: $(STAMP)
	$(BIN)/python -m pip install --quiet pillow
	$(BIN)/python scripts/make_icons.py

screenshots: $(STAMP)
	$(BIN)/python docs/screenshots.py

sandbox: $(STAMP)
	$(BIN)/python -m affilitest_gui.sandbox $(ARGS)

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
