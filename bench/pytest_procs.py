"""A pytest plugin: the CPU of a serial test run split by process, per module and per test.

    cd /work/main && PYTHONPATH=bench .venv/bin/python -m pytest -p no:xdist -p pytest_procs tests/test_x.py

Run it serially (`-p no:xdist`). A thread reads, twenty times a second, the CPU (user + system) of this pytest
process and of every process under it, keeping each process's last figure (so one that ended between two samples
is still counted, all but its last twentieth of a second), by kind, told by its command line: `pytest` (this
process: the tests' own Python, Playwright's client side, this plugin's thread), `chromium` (the shared browser,
its renderers, GPU process and utilities), `driver` (Playwright's node driver), `servers` (the test servers:
forked or started Python processes, the speech worker) and `other` (sox, espeak-ng, lp...). The terminal summary
gives the run's CPU by kind, the names under `other`, each module's CPU and the costliest tests'.
docs/performance.md, "The browser tests' CPU outside Chromium's frames".
"""

from __future__ import annotations

import collections
import threading
import time

import psutil
import pytest

_me = psutil.Process()
_seen: dict[tuple[int, float], list] = {}  # (pid, start time) -> [kind, last CPU seconds, name]
_lock = threading.Lock()
_by_module: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
_by_test: list[tuple[str, dict[str, float]]] = []


def _kind(p: psutil.Process) -> str:
    # by the command line, read at a process's first sight: Playwright's node driver is named "node-MainThread", and
    # a Chromium process just forked from its zygote is still named "exe" (/proc/self/exe --type=renderer ...)
    cmdline = " ".join(p.cmdline())
    if "playwright/driver" in cmdline or p.name().startswith("node"):
        return "driver"
    if "chrom" in p.name() or "headless_shell" in cmdline or "--type=" in cmdline:
        return "chromium"
    if p.name().startswith(("python", "pytest")):
        return "servers"
    return "other"


def cpu_by_kind() -> dict[str, float]:
    """CPU seconds by kind of this process and every process seen under it so far (ended ones included)."""
    with _lock:
        mine = _me.cpu_times()
        for p in _me.children(recursive=True):
            try:
                key = (p.pid, p.create_time())
                times = p.cpu_times()
                if key not in _seen:
                    _seen[key] = [_kind(p), 0.0, p.name()]
                _seen[key][1] = max(_seen[key][1], times.user + times.system)
            except psutil.Error:
                continue
        out: dict[str, float] = collections.Counter({"pytest": mine.user + mine.system})
        for kind, cpu, _ in _seen.values():
            out[kind] += cpu
        return dict(out)


def _sample() -> None:
    while True:
        time.sleep(0.05)
        cpu_by_kind()


def pytest_configure(config):
    threading.Thread(target=_sample, name="procs-cpu", daemon=True).start()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    before = cpu_by_kind()
    yield
    after = cpu_by_kind()
    cpu = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in after}
    _by_test.append((item.nodeid, cpu))
    module = _by_module[item.nodeid.split("::")[0]]
    module.update(cpu)
    module["tests"] += 1


def pytest_terminal_summary(terminalreporter):
    write = terminalreporter.write_line
    total = cpu_by_kind()
    write(
        f"PROCS CPU {sum(total.values()):.1f} s (whole run): "
        + ", ".join(f"{k} {v:.1f}" for k, v in sorted(total.items(), key=lambda kv: -kv[1]))
    )
    others: collections.Counter = collections.Counter()
    counts: collections.Counter = collections.Counter()
    for kind, cpu, name in list(_seen.values()):
        if kind == "other":
            others[name] += cpu
            counts[name] += 1
    if others:
        write("PROCS other: " + ", ".join(f"{n} {c:.1f} s ({counts[n]} processes)" for n, c in others.most_common()))
    for module, c in _by_module.items():
        inside = sum(v for k, v in c.items() if k != "tests")
        parts = ", ".join(f"{k} {c[k]:.1f}" for k in ("pytest", "chromium", "driver", "servers", "other"))
        write(f"PROCS {module}: {inside:.1f} s in {c['tests']} tests ({parts})")
    write("PROCS costliest tests (CPU-s: all, pytest, chromium, driver, servers):")
    for nodeid, cpu in sorted(_by_test, key=lambda t: -sum(t[1].values()))[:12]:
        figures = " ".join(f"{cpu.get(k, 0.0):5.2f}" for k in ("pytest", "chromium", "driver", "servers"))
        write(f"PROCS   {sum(cpu.values()):5.2f} {figures}  {nodeid}")
