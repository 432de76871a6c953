"""What a call's flash on the TV costs Chromium: its CPU per call, and the frames it draws while it blinks.

    cd /work/main && .venv/bin/python bench/bench_tv_flash.py [--rounds 3] [--trace]

One real server, the TV page at 1920x1080 in the tests' headless Chromium (software drawing, as a TV PC without a
GPU; reduced motion, as docs/display.md has such a TV started, so the running text stands still and the flash is
what moves). Three variants of the page's display.css and display.js, served in place of its own (Playwright's
routing), interleaved round by round: `head` (the committed files, `git show HEAD:...`), `work` (the working tree's),
`none` (the committed ones with the flash's animation and its timer's lit step off: the call's other work alone);
`--css NAME=FILE` adds FILE as the CSS with the working tree's JS, `--extra NAME=FILE` the working tree's CSS with
FILE after it. Each: a fresh page,
settled; then one call (POST call-next), Chromium's CPU (every process, /proc) over the call and the 5.2 s after it,
and the page's own counts (CDP Performance.getMetrics: style recalculations, layouts, main-thread task time).
--trace: one more call per variant under a Chromium trace, counting the frames the renderer's main thread ran
(BeginMainThreadFrame), its paints (Paint), the frames its compositor sent (DrawFrame) and those the display
compositor drew (Display::DrawAndSwap) during the 5.2 s (tracing costs CPU: its
counts only). docs/performance.md "The TV's call flash, composited" and "The TV's call flash, stepped by a timer".
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import requests
from common import ROOT
from conftest import CHROMIUM, CHROMIUM_FLAGS, visitor, write_config
from live import LiveServer
from playwright.sync_api import sync_playwright

CSS = "display/static/display.css"
JS = "display/static/display.js"
# The flash off, whichever way it is drawn: no animation, no step of a timer's (.lit) shown.
NO_FLASH = (
    "\n.flash, .flash::before, .flash::after { animation: none !important; }"
    "\n.flash.lit, .flash.lit::before, .flash.lit::after { opacity: 0 !important; }\n"
)


def committed(path: str) -> str:
    return subprocess.run(["git", "show", f"HEAD:{path}"], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def variants() -> dict[str, tuple[str, str]]:
    """name -> (display.css, display.js) served."""
    head = (committed(CSS), committed(JS))
    work = ((ROOT / CSS).read_text(encoding="utf-8"), (ROOT / JS).read_text(encoding="utf-8"))
    return {"head": head, "work": work, "none": (head[0] + NO_FLASH, head[1])}


KINDS = ("renderer", "gpu-process", "utility")


def chromium_cpu(seen: dict) -> dict[str, float]:
    """CPU seconds of every Chromium process under this one by kind (and "all"), ended ones kept at their last
    reading."""
    for p in psutil.Process().children(recursive=True):
        try:
            if "chrom" in p.name():
                t = p.cpu_times()
                key = (p.pid, p.create_time())
                if key not in seen:
                    cmd = " ".join(p.cmdline())
                    seen[key] = [next((k for k in KINDS if f"--type={k}" in cmd), "browser"), 0.0]
                seen[key][1] = max(seen[key][1], t.user + t.system)
        except psutil.Error:
            continue
    out = {"all": sum(v for _, v in seen.values())}
    for kind, v in seen.values():
        out[kind] = out.get(kind, 0.0) + v
    return out


def one_call(browser, server, officer, files: tuple[str, str], seen: dict, trace: Path | None = None) -> dict:
    css, js = files
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, reduced_motion="reduce")
    page = context.new_page()
    page.route("**/display/static/display.css*", lambda route: route.fulfill(body=css, content_type="text/css"))
    page.route("**/display/static/display.js*", lambda route: route.fulfill(body=js, content_type="text/javascript"))
    page.goto(f"{server.url}/display/")
    page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced")
    page.wait_for_function("() => !document.querySelector('.flash, .calling')", timeout=20_000)
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    time.sleep(1.0)  # settled: its load's work done
    requests.post(f"{server.url}/api/tickets", json=visitor(service="A"), timeout=5)
    if trace:
        browser.start_tracing(
            page=page,
            path=str(trace),
            categories=["devtools.timeline", "disabled-by-default-devtools.timeline.frame", "viz", "cc"],
        )
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    cpu = chromium_cpu(seen)
    r = officer.post(f"{server.url}/api/counters/1/call-next", json={}, timeout=5)
    assert r.status_code == 200, r.text
    time.sleep(5.2)
    now = chromium_cpu(seen)
    cpu = {k: now[k] - cpu.get(k, 0.0) for k in now}
    after = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    if trace:
        browser.stop_tracing()
    flashed = page.evaluate("() => !document.querySelector('.counter.flash')")  # over within the 5.2 s
    context.close()
    officer.post(f"{server.url}/api/counters/1/start", timeout=5)
    officer.post(
        f"{server.url}/api/counters/1/resolve",
        json={"solution": "Selesai dijelaskan", "category": "pertanyaan", "priority_class": "P3"},
        timeout=5,
    )
    return {
        "cpu": round(cpu["all"], 3),
        "by": {k: round(v, 2) for k, v in cpu.items() if k != "all"},
        "ended": flashed,
        **{k: round(after[k] - metrics[k], 3) for k in ("RecalcStyleCount", "LayoutCount", "TaskDuration")},
    }


def frames(trace: Path) -> dict:
    events = json.loads(trace.read_text())
    events = events["traceEvents"] if isinstance(events, dict) else events
    out = {}
    for name in ("BeginMainThreadFrame", "Paint", "DrawFrame", "Display::DrawAndSwap"):
        out[name] = sum(1 for e in events if e.get("name") == name and e.get("ph") in ("X", "B", "I", "i", "n"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--trace", action="store_true")
    ap.add_argument("--only", default="", help="comma-separated variants to run (head,work,none)")
    ap.add_argument("--extra", action="append", default=[], help="NAME=FILE: the working tree's CSS and FILE after it")
    ap.add_argument("--css", action="append", default=[], help="NAME=FILE: FILE for the CSS, the working tree's JS")
    args = ap.parse_args()
    files = variants()
    for extra in args.extra:
        name, path = extra.split("=", 1)
        files[name] = (files["work"][0] + Path(path).read_text(encoding="utf-8"), files["work"][1])
    for other in args.css:
        name, path = other.split("=", 1)
        files[name] = (Path(path).read_text(encoding="utf-8"), files["work"][1])
    if args.only:
        files = {k: v for k, v in files.items() if k in args.only.split(",")}
    tmp = Path(tempfile.mkdtemp(prefix="bench-tv-flash-"))
    config = write_config(tmp, {"[tts]\nenabled = true": "[tts]\nenabled = false"})
    server = LiveServer(config).start()
    seen: dict = {}
    rows: dict[str, list[dict]] = {k: [] for k in files}
    try:
        server.add_user("loket1", "officer")
        officer = server.session("loket1", "rahasia-123")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            one_call(browser, server, officer, files["work"], seen)  # warm-up, not counted
            for _ in range(args.rounds):
                for name, served in files.items():
                    rows[name].append(one_call(browser, server, officer, served, seen))
                    print(name, rows[name][-1], file=sys.stderr)
            traced = {}
            if args.trace:
                for name, served in files.items():
                    path = tmp / f"trace-{name}.json"
                    one_call(browser, server, officer, served, seen, trace=path)
                    traced[name] = frames(path)
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)  # its database, WAVs and traces: read above
    for name, runs in rows.items():
        if not runs:
            print(f"{name:5} traced 5.2 s: {traced.get(name)}")
            continue
        cpus = [r["cpu"] for r in runs]
        print(
            f"{name:5} CPU-s per call {' / '.join(f'{c:.2f}' for c in cpus)} (median {statistics.median(cpus):.2f});"
            f" style recalcs {statistics.median(r['RecalcStyleCount'] for r in runs):.0f},"
            f" main-thread tasks {statistics.median(r['TaskDuration'] for r in runs):.2f} s;"
            f" flash over: {all(r['ended'] for r in runs)};"
            f" by process (median) { {k: statistics.median(r['by'].get(k, 0) for r in runs) for k in runs[0]['by']} }"
            + (f"; traced 5.2 s: {traced[name]}" if name in traced else "")
        )


if __name__ == "__main__":
    main()
