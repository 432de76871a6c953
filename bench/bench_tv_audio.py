"""Memory of the TV page (/display/) over many announcements, each a phrase it has not played before.

A real server (speech on, rate 400) and the TV page in headless Chromium. One officer calls N
tickets one after another (each ticket a new label, so each call a new phrase and a new
/api/tts/<key> file); the bench waits for each announcement (chime, then speech) to play to its
end, then starts and resolves the ticket. Every `--every` calls, after a forced garbage
collection, it prints:

- the private memory (Private_Dirty + Swap, /proc/<pid>/smaps_rollup) of the renderer process that
  runs the page — found as the `--type=renderer` child of the browser whose private memory grows
  by 64 MB while the page fills 64 MB;
- the private memory of Chromium's other processes by kind (the WebUI renderer of the browser's own pages,
  browser, GPU, network service, audio service, the rest) and of all together, so that memory
  moved out of the page's renderer would show too;
- the page's JS heap and DOM nodes (CDP Performance.getMetrics);
- how many parts (chime, speech) played to their end and how many did not.

    .venv/bin/python bench/bench_tv_audio.py [--calls 100] [--every 10] [--rate 400] [--json]
    .venv/bin/python bench/bench_tv_audio.py --display-js-rev a8fe32e   # the page's script of that commit
    .venv/bin/python bench/bench_tv_audio.py --playwright                # driven by Playwright instead

By default Chromium runs as a TV runs it, with nothing watching its network: the bench drives the
page over a bare DevTools connection (Runtime, Performance, HeapProfiler; `Fetch` only for
`--display-js-rev`) and never enables the `Network` domain. Playwright enables it on every page,
and then the renderer keeps a copy of every response it receives for DevTools (up to DevTools'
own cap): each new phrase then costs the renderer its file's size again, whatever plays it.
`--playwright` shows that. `--unmute` drops --mute-audio (sound goes to the machine's output, or
to none). `--display-js-rev REV` serves display/static/display.js as it was at git revision REV
(the page otherwise the same), to compare before and after a change. It reports; it does not assert.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import requests
import websocket

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, write_bench_config  # noqa: E402
from conftest import CHROMIUM_FLAGS, visitor  # noqa: E402  (tests/, put on sys.path by common)
from live import LiveServer  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
MB = 1024 * 1024


# -- Chromium's processes ---------------------------------------------------------------------
def chromium_processes(browser_pid: int) -> list[psutil.Process]:
    root = psutil.Process(browser_pid)
    return [root, *root.children(recursive=True)]


def find_browser_pid(root: psutil.Process) -> int:
    """The browser process among `root` and its descendants: Chromium without a --type."""
    for p in [root, *root.children(recursive=True)]:
        try:
            cmd = p.cmdline()
        except psutil.Error:
            continue
        if cmd and "chromium" in cmd[0] and not any(a.startswith("--type=") for a in cmd):
            return p.pid
    raise RuntimeError("no Chromium browser process found")


def renderers(browser_pid: int) -> list[psutil.Process]:
    out = []
    for p in chromium_processes(browser_pid):
        try:
            if "--type=renderer" in p.cmdline():
                out.append(p)
        except psutil.Error:
            pass
    return out


def private(p: psutil.Process) -> int:
    """Bytes of memory only this process wrote (Private_Dirty + Swap of /proc/<pid>/smaps_rollup): its
    heaps, buffers and stacks. Not USS: that counts too the pages of Chromium's 280 MB program file this
    process alone has read, which go from private to shared (and USS down by 50 MB in the browser
    process) whenever another Chromium on the machine reads them as well."""
    total = 0
    try:
        with open(f"/proc/{p.pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(("Private_Dirty:", "Swap:")):
                    total += int(line.split()[1]) * 1024
    except OSError:
        return 0
    return total


def kind(p: psutil.Process) -> str:
    """What a Chromium process is: browser, renderer, webui (the browser's own pages), gpu, network, audio..."""
    cmd = p.cmdline()
    t = next((a[len("--type=") :] for a in cmd if a.startswith("--type=")), "browser")
    if t == "renderer" and "--top-chrome-webui" in cmd:
        return "webui"
    if t == "utility":
        sub = next((a.split("=", 1)[1] for a in cmd if a.startswith("--utility-sub-type=")), "")
        return {"network.mojom.NetworkService": "network", "audio.mojom.AudioService": "audio"}.get(sub, "utility")
    return {"gpu-process": "gpu"}.get(t, t)


# -- two ways to drive the page ---------------------------------------------------------------
class CdpTab:
    """Chromium started here, its first tab driven over a bare DevTools WebSocket (no Network domain)."""

    def __init__(self, unmute: bool):
        self.profile = tempfile.TemporaryDirectory(prefix="bench-tv-chromium-", ignore_cleanup_errors=True)
        flags = [*CHROMIUM_FLAGS, "--hide-scrollbars", "--window-size=1920,1080"]
        if not unmute:
            flags.append("--mute-audio")  # as Playwright's Chromium (and the tests)
        self.proc = subprocess.Popen(
            [CHROMIUM, *flags, f"--user-data-dir={self.profile.name}", "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("Chromium did not start")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        tabs = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=5).json()
        tab = next(t for t in tabs if t["type"] == "page")
        self.ws = websocket.create_connection(tab["webSocketDebuggerUrl"], suppress_origin=True, timeout=120)
        self.ids = itertools.count(1)
        self.scripts: dict[str, bytes] = {}
        self.browser_pid = find_browser_pid(psutil.Process(self.proc.pid))

    def send(self, method: str, **params):
        i = next(self.ids)
        self.ws.send(json.dumps({"id": i, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == i:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if msg.get("method") == "Fetch.requestPaused":
                self.fulfill(msg["params"])

    def fulfill(self, req: dict) -> None:
        body = next(b for pattern, b in self.scripts.items() if req["request"]["url"].endswith(pattern))
        self.ws.send(
            json.dumps(
                {
                    "id": next(self.ids),
                    "method": "Fetch.fulfillRequest",
                    "params": {
                        "requestId": req["requestId"],
                        "responseCode": 200,
                        "responseHeaders": [{"name": "Content-Type", "value": "application/javascript"}],
                        "body": base64.b64encode(body).decode(),
                    },
                }
            )
        )

    def serve_script(self, path: str, body: bytes) -> None:
        self.scripts[path] = body
        self.send("Fetch.enable", patterns=[{"urlPattern": "*" + p} for p in self.scripts])

    def goto(self, url: str) -> None:
        self.send("Page.navigate", url=url)

    def evaluate(self, js: str, arg=None):
        expr = f"({js})({json.dumps(arg)})"
        r = self.send("Runtime.evaluate", expression=expr, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError(r["exceptionDetails"])
        return r["result"].get("value")

    def wait_for(self, js: str, arg=None, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.evaluate(js, arg):
                    return
            except RuntimeError:
                pass  # the page is still loading
            if time.monotonic() > deadline:
                raise TimeoutError(js)
            time.sleep(0.1)

    def cdp(self, method: str, **params):
        return self.send(method, **params)

    def close(self) -> None:
        procs = chromium_processes(self.browser_pid)
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            for p in procs:
                try:
                    p.terminate()
                except psutil.Error:
                    pass
            _, alive = psutil.wait_procs(procs, timeout=10)
            for p in alive:
                p.kill()
            self.proc.wait(10)
            self.profile.cleanup()


class PlaywrightTab:
    """The page as the tests drive it: Playwright (which enables DevTools' Network domain)."""

    def __init__(self, unmute: bool):
        from playwright.sync_api import sync_playwright

        self.pw = sync_playwright().start()
        self.browser = self.pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS, ignore_default_args=["--mute-audio"] if unmute else None
        )
        self.browser_pid = find_browser_pid(psutil.Process())
        self.page = self.browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
        self.session = self.page.context.new_cdp_session(self.page)

    def serve_script(self, path: str, body: bytes) -> None:
        self.page.route("**" + path, lambda route: route.fulfill(body=body, content_type="application/javascript"))

    def goto(self, url: str) -> None:
        self.page.goto(url)

    def evaluate(self, js: str, arg=None):
        return self.page.evaluate(js, arg)

    def wait_for(self, js: str, arg=None, timeout: float = 60) -> None:
        self.page.wait_for_function(js, arg=arg, timeout=timeout * 1000)

    def cdp(self, method: str, **params):
        return self.session.send(method, params)

    def close(self) -> None:
        try:
            self.browser.close()
        finally:
            self.pw.stop()


# -- measuring --------------------------------------------------------------------------------
def page_renderer(tab) -> psutil.Process:
    """The renderer of the page: the one whose private memory grows by 64 MB while the page holds 64 MB.

    (Not the one with the most memory, nor the busiest while the page spins: headless Chromium has
    a renderer for its own WebUI too, as big, and as busy while a driver talks to the page.)"""
    procs = renderers(tab.browser_pid)
    before = {p.pid: private(p) for p in procs}
    tab.evaluate("() => { window.benchProbe = new Uint8Array(64 << 20).fill(1); }")
    grown = {p.pid: private(p) - before[p.pid] for p in procs}
    tab.evaluate("() => { delete window.benchProbe; }")
    tab.cdp("HeapProfiler.collectGarbage")
    best = max(procs, key=lambda p: grown[p.pid])
    if grown[best.pid] < 48 * MB:
        raise RuntimeError(f"no renderer took the page's 64 MB: {grown}")
    return best


KINDS = ("page", "webui", "browser", "gpu", "network", "audio")


def sample(tab, renderer: psutil.Process, calls: int) -> dict:
    tab.cdp("HeapProfiler.collectGarbage")
    time.sleep(0.3)
    metrics = {m["name"]: m["value"] for m in tab.cdp("Performance.getMetrics")["metrics"]}
    parts = tab.evaluate(
        """() => { const n = {ok: 0, failed: 0}; for (const e of antrianDisplay.log)
                   for (const p of e.parts) n[p.ok ? 'ok' : 'failed']++; return n; }"""
    )
    by_kind: dict[str, int] = {}
    for p in chromium_processes(tab.browser_pid):
        try:
            k = "page" if p.pid == renderer.pid else kind(p)
            by_kind[k] = by_kind.get(k, 0) + private(p)
        except psutil.Error:
            pass
    row: dict = {"calls": calls}
    for k in KINDS:
        row[f"{k}_mb"] = round(by_kind.get(k, 0) / MB, 1)
    row["rest_mb"] = round(sum(v for k, v in by_kind.items() if k not in KINDS) / MB, 1)
    row["chromium_mb"] = round(sum(by_kind.values()) / MB, 1)
    row["js_heap_mb"] = round(metrics["JSHeapUsedSize"] / MB, 2)
    row["dom_nodes"] = int(metrics["Nodes"])
    row["parts"] = f"{parts['ok']} / {parts['failed']}"
    return row


def old_script(rev: str) -> bytes:
    return subprocess.run(
        ["git", "show", f"{rev}:display/static/display.js"], cwd=ROOT, check=True, capture_output=True
    ).stdout


def run(args) -> list[dict]:
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-tv-") as tmp:
        config = write_bench_config(Path(tmp), counters=2)
        text = re.sub(r"(?m)^rate = \d+", f"rate = {args.rate}", config.read_text(encoding="utf-8"), count=1)
        config.write_text(text, encoding="utf-8")
        server = LiveServer(config).start()
        tab = None
        try:
            server.add_user("loket1", "officer", scrypt=True)
            officer = server.session("loket1", "rahasia-123")
            tab = (PlaywrightTab if args.playwright else CdpTab)(args.unmute)
            if args.display_js_rev:
                tab.serve_script("/display/static/display.js", old_script(args.display_js_rev))
            tab.goto(f"{server.url}/display/")
            tab.wait_for("() => window.antrianDisplay && antrianDisplay.state.synced")
            tab.cdp("Performance.enable")
            renderer = page_renderer(tab)
            driver = "Playwright" if args.playwright else "bare CDP"
            print(f"# {driver}; browser pid {tab.browser_pid}, page renderer pid {renderer.pid}", file=sys.stderr)
            rows.append(sample(tab, renderer, 0))
            print_row(rows[-1], header=True)
            started = time.monotonic()
            for i in range(1, args.calls + 1):
                call_one(server, officer, tab)
                if i % args.every == 0 or i == args.calls:
                    rows.append(sample(tab, renderer, i))
                    print_row(rows[-1])
            print(f"# {args.calls} calls in {time.monotonic() - started:.0f} s", file=sys.stderr)
        finally:
            try:
                if tab is not None:
                    tab.close()
            finally:
                server.stop()
    return rows


def call_one(server: LiveServer, officer: requests.Session, tab) -> None:
    r = requests.post(f"{server.url}/api/tickets", json=visitor(service="A"), timeout=10)
    assert r.status_code == 201, r.text
    r = officer.post(f"{server.url}/api/counters/1/call-next", json={}, timeout=10)
    assert r.status_code == 200, r.text
    label = r.json()["ticket"]["label"]
    tab.wait_for("(label) => antrianDisplay.log.some(e => e.label === label && e.end !== null)", label, timeout=60)
    for action, payload in (
        ("start", {}),
        ("resolve", {"solution": "Selesai dijelaskan", "category": "pertanyaan", "priority_class": "P3"}),
    ):
        r = officer.post(f"{server.url}/api/counters/1/{action}", json=payload, timeout=10)
        assert r.status_code == 200, r.text


COLUMNS = [
    ("calls", "calls"),
    ("page_mb", "page renderer"),
    ("webui_mb", "WebUI renderer"),
    ("browser_mb", "browser"),
    ("gpu_mb", "GPU"),
    ("network_mb", "network"),
    ("audio_mb", "audio"),
    ("rest_mb", "rest"),
    ("chromium_mb", "all Chromium"),
    ("js_heap_mb", "JS heap"),
    ("dom_nodes", "DOM nodes"),
    ("parts", "parts ok / failed"),
]


def print_row(row: dict, header: bool = False) -> None:
    if header:
        print("# private memory (Private_Dirty + Swap, MB) of Chromium's processes by kind; JS heap in MB")
        print("| " + " | ".join(title for _, title in COLUMNS) + " |")
        print("|" + "---|" * len(COLUMNS))
    print("| " + " | ".join(str(row[key]) for key, _ in COLUMNS) + " |", flush=True)


def _terminate(signum, frame):
    raise KeyboardInterrupt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=100, help="announcements, each a new phrase (default 100)")
    ap.add_argument("--every", type=int, default=10, help="print a row every this many calls (default 10)")
    ap.add_argument("--rate", type=int, default=400, help="speech rate, 60-400 (default 400: quick)")
    ap.add_argument("--playwright", action="store_true", help="drive the page with Playwright (Network domain on)")
    ap.add_argument("--unmute", action="store_true", help="without --mute-audio")
    ap.add_argument("--display-js-rev", metavar="REV", help="serve display.js as of this git revision")
    ap.add_argument("--json", action="store_true", help="also print the rows as JSON at the end")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, _terminate)  # so that `finally` stops the server
    rows = run(args)
    if args.json:
        print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
