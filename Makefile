# Antrian: `make run` sets up and starts the demo office; `make test` sets up and runs the tests.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.test-installed
BENCH_STAMP := $(VENV)/.bench-installed
DEB_PACKAGES := espeak-ng sox libusb-1.0-0 alsa-utils python3-venv cups-client
# Only for `make test` (the server needs no browser: the kiosks and TVs are other PCs' browsers): a
# CUPS scheduler the tests start on a loopback port of their own; Chromium, whose fonts the pages are
# measured in; and Chromium's headless shell where the distribution has it (Debian: a third of the full
# browser's CPU for the same pages; without it the tests drive /usr/bin/chromium). Each browser package
# only where the distribution has it: Ubuntu has no `chromium` deb (a snap), and apt-get would refuse
# the whole list for it. poppler-utils: pdftotext, to read the text of each page Chromium prints.
TEST_DEB_PACKAGES := cups-daemon cups-client poppler-utils ?chromium ?chromium-headless-shell
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The distribution's Python when it is new enough (Debian's build is optimised: the server issued
# 15-20 % more tickets per second on it than on a plain source build), else python3 on PATH.
PY_CANDIDATES := /usr/bin/python3 /usr/bin/python3.13 /usr/bin/python3.12 /usr/bin/python3.11
# Where none is (Ubuntu 22.04's python3 is 3.10), `venv` installs the newest pythonX.Y the distribution has
# (Ubuntu 22.04: python3.11 from universe) with its venv module, and stops saying what to do where it has none
# (Debian 11, Ubuntu 20.04). APT_PYTHON_DIR: where apt puts it (a test's stand-in apt-get puts it elsewhere).
APT_PYTHONS := 3.13 3.12 3.11
APT_PYTHON_DIR := /usr/bin

.PHONY: run test test-fast setup test-setup debs base-python venv test-debs bench bench-setup lint clean service lock voice-pack

# The exact versions `make` installs: the runtime's for `make run` (an office PC gets no test tools: no
# Playwright with its Node.js, no Hypothesis), and with the `test` extra's for `make test`, at the same
# versions (tests/test_versions.py): see `make lock` below.
LOCK := requirements.lock
TEST_LOCK := requirements-test.lock

setup: $(STAMP)

# Debian packages: only those missing are installed (apt-get, via sudo when not root). A name written
# ?NAME is installed where the distribution has it and skipped where it has not (the package lists are
# fetched first when this machine has none yet). Where sudo fails (a Debian installed with a root password
# has no sudo, or not for this account: "sudo: command not found", "… is not in the sudoers file") it says
# the one command to run as root (tests/test_install_messages.py).
debs:
	@missing=""; for p in $(PACKAGES); do dpkg -s $${p#\?} >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	[ -z "$$missing" ] && exit 0; \
	noroot() { [ -n "$(SUDO)" ] && [ -n "$$1" ] || exit 1; \
	  echo "Paket Debian ini belum terpasang:$$1; $(SUDO) tidak dapat memasangnya (Debian yang dipasang dengan kata sandi root tidak memberi akun ini sudo). Pasang sekali sebagai root, lalu jalankan make lagi:" >&2; \
	  echo "These Debian packages are missing:$$1; $(SUDO) could not install them (a Debian installed with a root password gives this account no sudo). Install them once as root, then run make again:" >&2; \
	  echo "  su -c 'apt-get update && apt-get install -y$$1'" >&2; exit 1; }; \
	if [[ "$$missing" == *" "[!?]* ]] || ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then \
	  $(SUDO) apt-get update -qq || noroot "$$(for p in $$missing; do [[ $$p == \?* ]] || printf ' %s' $$p; done)"; fi; \
	want=""; for p in $$missing; do case $$p in \
	  \?*) apt-cache show $${p#\?} >/dev/null 2>&1 && want="$$want $${p#\?}";; \
	  *) want="$$want $$p";; esac; done; \
	if [ -n "$$want" ]; then \
	  echo "Memasang paket Debian / installing Debian packages:$$want"; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$want || noroot "$$want"; \
	fi

# The Python .venv is built on (printed): the first of PY_CANDIDATES at 3.11 or newer, else the newest of
# APT_PYTHONS apt-get can install; and its venv module (Debian and Ubuntu ship ensurepip apart, in
# pythonX.Y-venv: without it `python -m venv` leaves a .venv with no pip).
base-python:
	@ok() { "$$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }; \
	py=""; for p in $(PY_CANDIDATES); do ok "$$p" && { py=$$p; break; }; done; \
	if [ -z "$$py" ]; then \
	  for v in $(APT_PYTHONS); do apt-cache show "python$$v-venv" >/dev/null 2>&1 || continue; \
	    echo "Python 3.11+ tidak ada; memasang python$$v / no Python 3.11 or newer: installing python$$v" >&2; \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq "python$$v" "python$$v-venv" >&2 || exit 1; \
	    py=$(APT_PYTHON_DIR)/python$$v; break; done; \
	fi; \
	if [ -z "$$py" ] || ! ok "$$py"; then \
	  found=$$(python3 -V 2>&1 || echo "no python3"); \
	  echo "Antrian memerlukan Python 3.11 atau lebih baru; di sini: $$found. Pakai Debian 12 atau Ubuntu 22.04 ke atas." >&2; \
	  echo "Antrian needs Python 3.11 or newer; this machine has: $$found, and its package lists offer none" >&2; \
	  echo "(Debian 11 and Ubuntu 20.04 have none). Use Debian 12, Ubuntu 22.04 or newer, or put a Python 3.11+" >&2; \
	  echo "at /usr/bin/python3.11 and run make again." >&2; \
	  exit 1; \
	fi; \
	if ! "$$py" -c 'import ensurepip' 2>/dev/null; then \
	  v=$$("$$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	  echo "Memasang python$$v-venv / installing python$$v-venv" >&2; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq "python$$v-venv" >&2 || exit 1; \
	fi; \
	echo "$$py"

# .venv on that Python; one left without pip (a venv module missing when it was made) or on a Python older than
# 3.11 is made again: emptied but for the setup's lock file, which this runs under (venv's --clear would delete
# it, and a second make would take a new lock and set up beside this one).
venv:
	@$(PY) -c 'import sys, pip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && exit 0; \
	py=$$($(MAKE) --no-print-directory -s base-python) || exit 1; \
	if [ -e $(PY) ]; then echo "$(VENV) dibuat ulang / made again"; \
	  find $(VENV) -mindepth 1 -maxdepth 1 ! -name $(notdir $(SETUP_LOCK)) -exec rm -rf {} +; fi; \
	echo "$$py -m venv $(VENV)"; "$$py" -m venv $(VENV)

# One setup at a time. Two `make run`s (or `make run` and `make test`) started together on a fresh
# checkout both made .venv and installed into it, and one failed half-way ("No module named pip"). Each
# step that installs (.venv and the runtime, the test tools, the benches' packages) is made by a make of
# its own (SETUP_LOCKED=1) inside `flock` on .venv/.setup.lock (util-linux: on every Debian and Ubuntu;
# without it, as before, unlocked): a second `make` waits for the first's step, then finds its stamp
# newer than what it installs from and does nothing, or only the step that is left.
SETUP_LOCK := $(VENV)/.setup.lock
LOCKED := $(if $(shell command -v flock),flock $(SETUP_LOCK))

ifndef SETUP_LOCKED
$(STAMP): pyproject.toml $(LOCK)
	@mkdir -p $(VENV) && $(LOCKED) $(MAKE) --no-print-directory SETUP_LOCKED=1 locked-setup
$(TEST_STAMP): $(STAMP) $(TEST_LOCK)
	@$(LOCKED) $(MAKE) --no-print-directory SETUP_LOCKED=1 locked-test-setup
$(BENCH_STAMP): $(TEST_STAMP) requirements-bench.lock
	@$(LOCKED) $(MAKE) --no-print-directory SETUP_LOCKED=1 locked-bench-setup
else
# inside the lock: what is still out of date, by the stamps as they are now
.PHONY: locked-setup locked-test-setup locked-bench-setup
locked-setup: $(STAMP)
	@:
locked-test-setup: $(TEST_STAMP)
	@:
locked-bench-setup: $(BENCH_STAMP)
	@:

$(STAMP): pyproject.toml $(LOCK)
	@$(MAKE) --no-print-directory debs PACKAGES="$(DEB_PACKAGES)"
	@$(MAKE) --no-print-directory venv
	@echo "Memasang paket Python ke $(VENV) (sekali saja, 1-3 menit) / installing Python packages into $(VENV) (once, 1-3 min)"
	$(PY) -m pip install -q --upgrade pip >/dev/null 2>&1 || true
	$(PY) -m pip install -q -r $(LOCK)
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

# The test tools (pytest, Playwright, Hypothesis, Schemathesis, ruff) over the runtime, at their pins.
$(TEST_STAMP): $(STAMP) $(TEST_LOCK)
	@echo "Memasang alat uji (pytest, Playwright, Hypothesis) / installing the test tools"
	$(PY) -m pip install -q -r $(TEST_LOCK)
	touch $(TEST_STAMP)

# The benches' own packages (aiohttp: bench_server.py, bench_abuse.py), at requirements-bench.lock's pins.
$(BENCH_STAMP): $(TEST_STAMP) requirements-bench.lock
	$(PY) -m pip install -q -r requirements-bench.lock
	touch $(BENCH_STAMP)
endif

test-setup: $(TEST_STAMP)

# Regenerate requirements-bench.lock (runtime + `test` + `bench`: `make bench-setup`),
# requirements-test.lock (runtime + `test` extra: what `make` installs) and requirements.lock
# (runtime only; each starts from a copy of the one before, so the versions are the same) from
# pyproject.toml, with pip-tools in a
# throwaway venv (not .venv). Pins that still fit pyproject.toml are kept; `make lock LOCK_ARGS=--upgrade`
# moves every package to its newest release within the bounds (then run `make test`). Resolved on base-python's.
LOCK_ARGS :=
PIP_COMPILE := --quiet --strip-extras --no-emit-index-url --no-emit-find-links
lock:
	tools=$$(mktemp -d) && trap 'rm -rf "$$tools"' EXIT && \
	py=$$($(MAKE) --no-print-directory -s base-python) && "$$py" -m venv "$$tools" && \
	"$$tools/bin/pip" install -q pip-tools && \
	export CUSTOM_COMPILE_COMMAND="make lock" && \
	"$$tools/bin/pip-compile" $(PIP_COMPILE) $(LOCK_ARGS) --extra test --extra bench -o requirements-bench.lock pyproject.toml && \
	cp requirements-bench.lock requirements-test.lock && \
	"$$tools/bin/pip-compile" $(PIP_COMPILE) --extra test -o requirements-test.lock pyproject.toml && \
	cp requirements-test.lock requirements.lock && \
	"$$tools/bin/pip-compile" $(PIP_COMPILE) -o requirements.lock pyproject.toml

# A voice pack spoken by espeak-ng, for trying [tts] engine = "clips" (docs/display.md); the demo keeps espeak.
voice-pack: setup
	$(PY) voices/make_espeak_pack.py voices/espeak-id

run: setup
	$(PY) -m server demo --if-empty
	$(PY) -m server serve

test-debs:  # in the setup's lock too: two apt-gets at once, and the second fails on dpkg's lock
	@mkdir -p $(VENV) && $(LOCKED) $(MAKE) --no-print-directory debs PACKAGES="$(TEST_DEB_PACKAGES)"

# Three workers on two cores, one module each (a module shares its server), handed out in the order
# tests/conftest.py's SLOW_FIRST gives, longest first; xdist's own order (most tests first) left the
# long ones to the end. Three: part of a module's time is waiting (a TV's flash, speech played out,
# idle timers), which a third worker fills; a fourth cost a fifth more CPU for the same work, so that
# on a slow, shared VM four took 143-166 s where three took 137-142 (docs/performance.md, "Seventh round").
PYTEST_XDIST := -n 3 --dist loadfile --no-loadscope-reorder
# Compiled bytecode (and pytest's rewritten test modules) kept in .venv, even where the environment
# sets PYTHONDONTWRITEBYTECODE: without it every test process compiled every module again (5.6 s of
# CPU to collect the tests, 2.2 s with it, in each worker and the controller).
PYTEST_ENV := env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=$(CURDIR)/$(VENV)/pycache

test: test-setup test-debs
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check --quiet .
	$(PYTEST_ENV) $(PY) -m pytest $(PYTEST_XDIST)

# The quick tests (no browser, no live server): the core, store, API, input checks and config.
test-fast: test-setup
	$(PYTEST_ENV) $(PY) -m pytest -q $(PYTEST_XDIST) tests/test_core.py tests/test_store_queue.py tests/test_api.py \
	  tests/test_bad_input.py tests/test_escalations_api.py tests/test_sessions.py tests/test_office_rules.py \
	  tests/test_kiosk_addresses.py tests/test_strict_dates.py tests/test_config.py tests/test_versions.py

# Start the server with the PC and restart it after any exit (systemd; run after `make run` once).
# The unit is made first, then written: a config error stops here, the installed unit untouched (piped
# into tee, it wrote an empty unit over the one there, which systemd takes for masked: no start with the PC).
UNIT_FILE := /etc/systemd/system/antrian.service
service: setup
	unit=$$($(PY) -m server systemd-unit --config config.toml) && printf '%s\n' "$$unit" | $(SUDO) tee $(UNIT_FILE) >/dev/null
	$(SUDO) systemctl daemon-reload
	$(SUDO) systemctl enable --now antrian
	@echo "antrian.service aktif (berjalan sekarang dan setiap PC dinyalakan): systemctl status antrian · journalctl -u antrian"
	@echo "antrian.service enabled (running now and at every boot): systemctl status antrian · journalctl -u antrian"

# The benches' own packages (aiohttp: bench_server.py, bench_abuse.py), at requirements-bench.lock's pins
# (made inside the setup's lock, above).
bench-setup: $(BENCH_STAMP)

bench: bench-setup
	$(PY) bench/bench_server.py

lint: test-setup
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

# What the build and the tests leave (caches): never var/, which holds the office's database, its daily copies,
# archives and secret key in the shipped config.toml.
clean:
	rm -rf .pytest_cache $(VENV)/pycache
	find . -path ./$(VENV) -prune -o -path ./var -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
