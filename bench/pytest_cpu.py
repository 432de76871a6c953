"""A pytest plugin for bench/bench_tests.py's `--by-module`: each test process's own CPU inside each test.

Loaded with `-p pytest_cpu` (bench/ on PYTHONPATH). Every process (the controller and each xdist worker)
adds up `time.process_time()` around each test by module, and at its end writes them as JSON into the
folder in ANTRIAN_BENCH_CPU_DIR, with the CPU it spent before its first test (imports, collection).
What a test makes Chromium, its driver or a server process do is not in it: only the test's own Python.
"""

from __future__ import annotations

import collections
import json
import os
import time
from pathlib import Path

import pytest

_by_module: collections.defaultdict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0])
_before_tests: list[float] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    if not _before_tests:
        _before_tests.append(time.process_time())
    cpu, wall = time.process_time(), time.perf_counter()
    yield
    module = _by_module[item.nodeid.split("::")[0]]
    module[0] += time.process_time() - cpu
    module[1] += time.perf_counter() - wall
    module[2] += 1


def pytest_unconfigure(config):
    folder = os.environ.get("ANTRIAN_BENCH_CPU_DIR")
    if not folder:
        return
    name = os.environ.get("PYTEST_XDIST_WORKER", "controller")
    figures = {"before_tests": _before_tests[0] if _before_tests else None, "modules": dict(_by_module)}
    (Path(folder) / f"{name}.json").write_text(json.dumps(figures))
