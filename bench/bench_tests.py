"""How long `make test`'s pytest takes, and where its CPU goes.

    .venv/bin/python bench/bench_tests.py [-n 3] [--serial] [--by-command N] [--by-module N] [-- PYTEST ARGS...]

Runs pytest as `make test` does (the same workers, order and bytecode cache; `--serial` for one
process, `-n` for another number of workers) and prints the wall time, the CPU the whole machine
spent meanwhile (/proc/stat, so Chromium, the test servers and everything they start are counted;
the hypervisor's stolen time, which is not the suite's work, is shown apart), and that CPU split by
kind of process: the pytest processes, the test servers and commands (`python -m server`,
tests/clockserver.py), Chromium's processes by type, Playwright's driver, speech. The split comes
from sampling every process ten times a second; a process that lived less than a tenth of a second
is missed, and the sampling itself costs a few percent of one core. `--by-command N` also prints the
N costliest command lines (their temporary paths and port numbers left out), `--by-module N` the N
modules whose tests spend the most of the test processes' own CPU (bench/pytest_cpu.py). The target
(issue 13): pytest under 90 s on 2 cores. It reports and never asserts (its exit code is pytest's).
See docs/performance.md, "The test suite".
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 90


def busy_seconds() -> tuple[float, float]:
    """CPU seconds the machine has spent busy since boot (every core; idle and iowait left out), and of
    them the seconds stolen: the hypervisor ran another guest on our cores (the eighth field of
    /proc/stat). On a shared VM the stolen time varies from run to run and is not the suite's work."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    steal = fields[7] if len(fields) > 7 else 0
    return (sum(fields[:8]) - fields[3] - fields[4]) / tick, steal / tick


def reference_loop() -> float:
    """CPU seconds this process takes for a fixed pure-Python loop: how quick the machine is right now.
    The suite's figures are comparable only at about the same speed: on a shared 2-core VM the time of
    such a loop doubled within twenty minutes (docs/performance.md, "Seventh round")."""
    t0, total = time.process_time(), 0
    for i in range(10_000_000):
        total += i
    return time.process_time() - t0


def kind(cmdline: str) -> str:
    if "chromium" in cmdline:
        for t in ("renderer", "gpu-process", "utility", "zygote"):
            if f"--type={t}" in cmdline:
                return f"chromium {t}"
        return "chromium browser"
    if "playwright" in cmdline and "node" in cmdline:
        return "playwright driver"
    if ("-m server" in cmdline or "clockserver" in cmdline or "forkserver" in cmdline) and "-m pytest" not in cmdline:
        return "test servers and commands"
    if "pytest" in cmdline or "exec(eval(sys.stdin" in cmdline:  # the controller and xdist's workers
        return "pytest"
    if "espeak" in cmdline or "sox" in cmdline:
        return "speech (espeak-ng, sox)"
    if "cupsd" in cmdline:
        return "cups"
    return "other"


def command_line(cmdline: str) -> str:
    """`cmdline` with what changes from run to run (temporary paths, port numbers) left out."""
    return re.sub(r"\b\d{4,5}\b", "PORT", re.sub(r"/tmp/\S+", "TMP", cmdline))[:150]


def print_modules(folder: Path, top: int) -> None:
    """The `top` modules by the test processes' own CPU inside their tests (bench/pytest_cpu.py's files)."""
    modules: dict[str, list[float]] = {}
    starts = []
    for path in sorted(folder.glob("*.json")):
        figures = json.loads(path.read_text())
        modules.update(figures["modules"])  # a module runs whole in one process (--dist loadfile)
        if figures["before_tests"] is not None:
            starts.append(figures["before_tests"])
    total = sum(cpu for cpu, _, _ in modules.values())
    print(f"\ntest processes' own CPU inside tests: {total:.1f} CPU-s in {len(modules)} modules", end="")
    print(f"; before their first test (imports, collection): {', '.join(f'{s:.1f}' for s in starts)} CPU-s")
    ranked = sorted(modules.items(), key=lambda kv: -kv[1][0])
    for module, (cpu, wall, tests) in ranked[:top]:
        print(f"  {cpu:6.1f} CPU-s {wall:6.1f} s wall {tests:5d} tests  {module}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", default="3", help="pytest-xdist workers (make test: 3)")
    parser.add_argument("--serial", action="store_true", help="one process, no xdist")
    parser.add_argument("--by-command", type=int, default=0, metavar="N", help="print the N costliest command lines")
    parser.add_argument("--by-module", type=int, default=0, metavar="N", help="print the N costliest modules")
    parser.add_argument("pytest_args", nargs="*", help="after --: further pytest arguments")
    args = parser.parse_args()
    xdist = ["-p", "no:xdist"] if args.serial else ["-n", args.n, "--dist", "loadfile", "--no-loadscope-reorder"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as make test
    env["PYTHONPYCACHEPREFIX"] = str(ROOT / ".venv" / "pycache")
    plugin: list[str] = []
    cpu_dir = Path(tempfile.mkdtemp(prefix="bench-tests-"))
    if args.by_module:
        plugin = ["-p", "pytest_cpu"]
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "bench"), env.get("PYTHONPATH")]))
        env["ANTRIAN_BENCH_CPU_DIR"] = str(cpu_dir)
    command = [sys.executable, "-m", "pytest", "-q", *xdist, *plugin, *args.pytest_args]

    def sample() -> dict[tuple[int, float], tuple[str, float, str]]:
        found = {}
        for p in psutil.process_iter(["pid", "create_time", "cmdline", "cpu_times"]):
            info = p.info
            if info["pid"] != os.getpid() and info["cmdline"] and info["cpu_times"] is not None:
                cpu = info["cpu_times"].user + info["cpu_times"].system
                cmdline = " ".join(info["cmdline"])
                found[(info["pid"], info["create_time"])] = (kind(cmdline), cpu, cmdline)
        return found

    speed_before = reference_loop()
    before = sample()  # processes already running: only what they spend from now on is counted
    (busy0, steal0), t0 = busy_seconds(), time.monotonic()
    proc = subprocess.Popen(command, cwd=ROOT, env=env)
    seen: dict[tuple[int, float], tuple[str, float, str]] = {}
    while proc.poll() is None:
        seen.update(sample())
        time.sleep(0.1)
    wall, (busy1, steal1) = time.monotonic() - t0, busy_seconds()
    busy, steal = busy1 - busy0, steal1 - steal0

    speed_after = reference_loop()
    by_kind: collections.Counter[str] = collections.Counter()
    started: collections.Counter[str] = collections.Counter()
    by_command: collections.Counter[str] = collections.Counter()
    commands_started: collections.Counter[str] = collections.Counter()
    for key, (name, cpu, cmdline) in seen.items():
        spent = cpu - before.get(key, (name, 0.0, cmdline))[1]
        by_kind[name] += spent
        started[name] += key not in before
        by_command[command_line(cmdline)] += spent
        commands_started[command_line(cmdline)] += key not in before
    cores = os.cpu_count() or 1
    print(f"\npytest exit code {proc.returncode}; {' '.join(command[1:])}")
    print(f"wall {wall:.1f} s (target < {TARGET_SECONDS} s); machine busy {busy:.0f} CPU-s on {cores} cores", end="")
    print(f" ({100 * busy / (wall * cores):.0f} % of them), of which stolen {steal:.0f} (another guest on our cores)")
    print(
        f"reference loop (the machine's speed; less is quicker): {speed_before:.2f} s before, {speed_after:.2f} s after"
    )
    for name, cpu in by_kind.most_common():
        print(f"  {name:28s} {cpu:7.1f} CPU-s  ({started[name]} processes seen started)")
    print(f"  {'sampled, all kinds':28s} {sum(by_kind.values()):7.1f} CPU-s")
    if args.by_command:
        print(f"\nthe {args.by_command} costliest command lines (CPU-s, processes seen started):")
        for cmdline, cpu in by_command.most_common(args.by_command):
            print(f"  {cpu:7.1f} {commands_started[cmdline]:4d}  {cmdline}")
    if args.by_module:
        print_modules(cpu_dir, args.by_module)
    for path in cpu_dir.glob("*.json"):
        path.unlink()
    cpu_dir.rmdir()
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
