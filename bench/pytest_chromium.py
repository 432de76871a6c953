"""A pytest plugin: the CPU of the tests' shared Chromium (tests/conftest.py `browser`), per test and per module.

    cd /work/main && PYTHONPATH=bench .venv/bin/python -m pytest -p no:xdist -p pytest_chromium tests/test_x.py

Run it serially (`-p no:xdist`): it counts the Chromium processes under this pytest process. A thread reads their
/proc figures twenty times a second and keeps each process's last (user + system) CPU, so a renderer that ended
between two tests is still counted, all but its last twentieth of a second; the terminal summary gives the CPU by
module and by kind of process (browser, renderer, GPU process, utility, zygote), and the costliest tests.
ANTRIAN_CHROMIUM_OUT=file.json also writes each test's figures. ANTRIAN_CHROMIUM_TRACE=file.json traces the run in
Chromium itself (`browser.start_tracing`, from the first browser test to the last test's teardown) with the
categories in ANTRIAN_CHROMIUM_CATEGORIES (comma-separated; by default only `blink.animations`, which costs
next to nothing and gives every CSS animation's start and end: the summary then adds the seconds each animation
ran, overlaps counted once per renderer). A trace with `toplevel,devtools.timeline,cc,viz,v8` shows where the
threads' time goes, but costs about as much CPU as the pages themselves: compare its shares, not its totals.
docs/performance.md, "The suite's Chromium CPU, where a page's load goes".
"""

from __future__ import annotations

import collections
import json
import os
import threading
import time

import psutil
import pytest

KINDS = ("renderer", "gpu-process", "utility", "zygote")
_me = psutil.Process()
_seen: dict[tuple[int, float], list] = {}  # (pid, start time) -> [kind, last CPU seconds]
_lock = threading.Lock()
_rows: list[dict] = []
_trace: dict = {}


def chromium_cpu() -> dict[str, float]:
    """CPU seconds by kind of every Chromium process seen under this process so far (ended ones included)."""
    with _lock:
        for p in _me.children(recursive=True):
            try:
                if "chrom" not in p.name():
                    continue
                key = (p.pid, p.create_time())
                times = p.cpu_times()
                if key not in _seen:
                    cmdline = " ".join(p.cmdline())
                    _seen[key] = [next((k for k in KINDS if f"--type={k}" in cmdline), "browser"), 0.0]
                _seen[key][1] = max(_seen[key][1], times.user + times.system)
            except psutil.Error:
                continue
        out: dict[str, float] = collections.Counter()
        for kind, cpu in _seen.values():
            out[kind] += cpu
        return dict(out)


def _sample() -> None:
    while True:
        time.sleep(0.05)
        chromium_cpu()


def pytest_configure(config):
    threading.Thread(target=_sample, name="chromium-cpu", daemon=True).start()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    before, wall = chromium_cpu(), time.perf_counter()
    yield
    after = chromium_cpu()
    cpu = {k: round(after.get(k, 0.0) - before.get(k, 0.0), 3) for k in after}
    _rows.append({"test": item.nodeid, "wall": round(time.perf_counter() - wall, 3), "cpu": cpu})


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    yield
    path = os.environ.get("ANTRIAN_CHROMIUM_TRACE")
    if path and not _trace and "browser" in item.fixturenames:
        browser = item._request.getfixturevalue("browser")
        raw = getattr(browser, "_browser", browser)  # conftest's ReducedMotion wraps Playwright's Browser
        categories = os.environ.get("ANTRIAN_CHROMIUM_CATEGORIES", "blink.animations").split(",")
        raw.start_tracing(path=path, categories=categories)
        _trace["browser"], _trace["path"] = raw, path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    if nextitem is None and _trace.get("browser"):
        _trace.pop("browser").stop_tracing()
    yield


def animation_seconds(path: str) -> dict[str, float]:
    """Seconds each CSS animation (by name) ran in the trace, the overlaps in one renderer counted once."""
    with open(path) as f:
        data = json.load(f)
    events = data["traceEvents"] if isinstance(data, dict) else data
    started, spans = {}, collections.defaultdict(list)
    for e in events:
        if e.get("name") != "Animation" or "id2" not in e:
            continue
        key = (e["pid"], e["id2"].get("local"))
        if e["ph"] == "b":
            started[key] = (e["ts"], (e.get("args", {}).get("data") or {}).get("displayName") or "?")
        elif e["ph"] == "e" and key in started:
            ts, name = started.pop(key)
            spans[(e["pid"], name)].append((ts, e["ts"]))
    seconds: dict[str, float] = collections.Counter()
    for (_, name), pairs in spans.items():
        end = None
        for a, b in sorted(pairs):
            if end is not None and a < end:
                a = end
            if b > a:
                seconds[name] += (b - a) / 1e6
            end = b if end is None else max(end, b)
    return dict(seconds)


def pytest_terminal_summary(terminalreporter):
    if not _rows:
        return
    write = terminalreporter.write_line
    by_module: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for row in _rows:
        by_module[row["test"].split("::")[0]].update(row["cpu"])
    total = collections.Counter()
    for counts in by_module.values():
        total.update(counts)
    if not any(total.values()):
        write("Chromium CPU: no Chromium ran under this pytest (a browser test, serially, -p no:xdist)")
        return
    write(f"Chromium CPU {sum(total.values()):.2f} s: " + ", ".join(f"{k} {v:.2f}" for k, v in total.most_common()))
    for module, counts in sorted(by_module.items(), key=lambda m: -sum(m[1].values())):
        write(f"  {sum(counts.values()):7.2f}  {module}")
    write("costliest tests (Chromium CPU-s, wall s):")
    for row in sorted(_rows, key=lambda r: -sum(r["cpu"].values()))[:10]:
        write(f"  {sum(row['cpu'].values()):6.2f} {row['wall']:6.1f}  {row['test']}")
    if os.environ.get("ANTRIAN_CHROMIUM_OUT"):
        with open(os.environ["ANTRIAN_CHROMIUM_OUT"], "w") as f:
            json.dump(_rows, f)
    if _trace.get("path") and os.path.exists(_trace["path"]):
        try:
            seconds = animation_seconds(_trace["path"])
        except (OSError, ValueError) as e:  # a trace too big to read here, or cut short
            write(f"the trace was not read: {e}")
        else:
            write("CSS animations running (s): " + (", ".join(f"{k} {v:.1f}" for k, v in seconds.items()) or "none"))
