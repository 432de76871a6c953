"""Helpers for the benchmarks: a bench config, process figures from /proc, percentiles."""

from __future__ import annotations

import math
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))  # for tests/live.py (LiveServer)
# This tree's packages, not the ones the virtualenv's editable install points to: a bench run from a copy of an older
# commit (docs/performance.md's interleaved pairs) made the accounts with the checkout's code, which migrated the
# older server's database to the checkout's schema under it (2026-12-07: the base ran with the new line index).
if sys.path[0] != str(ROOT):
    sys.path.insert(0, str(ROOT))


def counters_toml(n: int, services: tuple[str, ...] = ("A", "B", "C")) -> str:
    """N counters 'Loket 1'..'Loket N', each serving every service in `services`."""
    svc = ", ".join(f'"{s}"' for s in services)
    return "".join(f'[[counters]]\nid = {i}\nname = "Loket {i}"\nservices = [{svc}]\n\n' for i in range(1, n + 1))


def replace_counters(text: str, block: str) -> str:
    """The config text with every [[counters]] table replaced by `block` (at the first one's place)."""
    out: list[str] = []
    skipping = inserted = False
    for line in text.splitlines(keepends=True):
        head = line.strip()
        if head.startswith("[[counters]]"):
            skipping = True
            if not inserted:
                out.append(block)
                inserted = True
            continue
        if skipping and head.startswith("["):
            skipping = False
        if not skipping:
            out.append(line)
    if not inserted:
        out.append("\n" + block)
    return "".join(out)


def write_bench_config(tmp: Path, counters: int, rate_limit: int = 1_000_000) -> Path:
    """config.toml of the repository with its data in `tmp`, N counters, no rate limits, a dummy kiosk printer."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^database = "[^"]*"', f'database = "{tmp / "antrian.db"}"', text)
    text = re.sub(r'(?m)^data_dir = "[^"]*"', f'data_dir = "{tmp / "data"}"', text)
    text = re.sub(r"(?m)^rate_limit_per_minute = \d+", f"rate_limit_per_minute = {rate_limit}", text)
    text = re.sub(r"\[printers\.kiosk\][^\[]*", '[printers.kiosk]\ntype = "dummy"\n\n', text)
    # every simulated device of these benches is this PC: no per-address limits for it (bench_abuse
    # measures those, with each device on an address of its own)
    text = re.sub(r"(?m)^exempt = \[\]", 'exempt = ["127.0.0.1"]', text)
    # the benches' officers click through the API with no counter page open: keep their counters
    text = re.sub(r"(?m)^counter_release_minutes = \d+", "counter_release_minutes = 1440", text)
    text = replace_counters(text, counters_toml(counters))
    path = tmp / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM (kB) and the like from /proc/<pid>/status; {} when the process is gone."""
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM", "Threads"):
                    out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU seconds used so far by a process (this one by default)."""
    path = f"/proc/{pid or os.getpid()}/stat"
    try:
        with open(path) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14, 15 of stat)


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[k]


def run_queue_wait_seconds(pid: int) -> float:
    """Seconds the process's main thread spent runnable but waiting for a CPU (/proc/<pid>/schedstat)."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def cpu_pressure() -> float | None:
    """The machine's CPU pressure (PSI 'some' avg10, %): how often something waited for a CPU."""
    try:
        with open("/proc/pressure/cpu") as f:
            return float(f.readline().split()[1].split("=")[1])
    except (OSError, IndexError, ValueError):
        return None
