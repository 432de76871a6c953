# Antrian: `make run` sets up and starts the demo office; `make test` sets up and runs the tests.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEB_PACKAGES := espeak-ng chromium sox libusb-1.0-0 alsa-utils python3-venv cups-client
# Only for `make test`: a CUPS scheduler the tests start on a loopback port of their own.
TEST_DEB_PACKAGES := cups-daemon cups-client
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The distribution's Python when it is new enough (Debian's build is optimised: the server issued
# 15-20 % more tickets per second on it than on a plain source build), else python3 on PATH.
BASE_PY := $(shell for p in /usr/bin/python3 /usr/bin/python3.13 /usr/bin/python3.12 /usr/bin/python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; exit; }; done; echo python3)

.PHONY: run test setup debs test-debs bench lint clean service

setup: $(STAMP)

# Debian packages: only those missing are installed (apt-get, via sudo when not root).
debs:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory debs PACKAGES="$(DEB_PACKAGES)"
	test -x $(PY) || $(BASE_PY) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip >/dev/null 2>&1 || true
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

run: setup
	$(PY) -m server demo --if-empty
	$(PY) -m server serve

test-debs:
	@$(MAKE) --no-print-directory debs PACKAGES="$(TEST_DEB_PACKAGES)"

test: setup test-debs
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check --quiet .
	$(PY) -m pytest -n 2 --dist loadfile  # two workers, one file each: a module shares its server

# Start the server with the PC and restart it after any exit (systemd; run after `make run` once).
service: setup
	$(PY) -m server systemd-unit --config config.toml | $(SUDO) tee /etc/systemd/system/antrian.service >/dev/null
	$(SUDO) systemctl daemon-reload
	$(SUDO) systemctl enable --now antrian
	@echo "antrian.service enabled: systemctl status antrian · journalctl -u antrian"

bench: setup
	$(PY) bench/bench_server.py

lint: setup
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

clean:
	rm -rf var .pytest_cache
