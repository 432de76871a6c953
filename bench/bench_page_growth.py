"""Pages left open for weeks: what grows per event, per reconnect and per day, in the page and in the server.

    .venv/bin/python bench/bench_page_growth.py [--events 2000] [--every 500] [--kiosk-visitors 100] [--days 3]
                                               [--saves 20] [--drops 100] [--drop-rounds 2] [--restarts 5]
                                               [--sockets 100] [--skip-sockets] [--skip-pages] [--counter-js-rev REV]

Pages: a real server on tests/clockserver.py's clock (tests/live.py ClockedServer) and, in one headless
Chromium, the TV (/display/), the kiosk, a visitor's phone page (/t/<token>), the survey tablet, a counter page
(officer on counter 1), the front office and the admin page. Two officers at counters 1 and 2 issue, call,
recall, skip and serve over the API (one ticket in seven recalled once, one in twenty called three times and
skipped); `--kiosk-visitors` take their number through the kiosk's own screens; the clock moves on a day
`--days` times; an admin saves the office's section `--saves` times (a snapshot for every page; the counter
page reloads); every page's Socket.IO connection is dropped `--drops` times per round (its engine closed from
the page: a network cut, socket.io reconnects by itself); the server is restarted `--restarts` times. After
each step, once the TV and the counter page have taken every event and after two forced garbage collections:
each page's JS heap (Runtime.getHeapUsage), DOM nodes and JS event listeners (Memory.getDOMCounters, which
also counts nodes not swept yet), the listeners on window and on document (DOMDebugger.getEventListeners), the
timers pending (setTimeout/setInterval counted by an init script), object URLs not revoked, Audio elements and
AudioContexts made, and the page's own lists where it shows them (the TV's played calls and log, the counter
page's facts of tickets that left it). `--counter-js-rev REV` serves counter/static/counter.js as of git
revision REV to the counter page (before and after a change).

Playwright drives the pages: its Network domain makes the renderer keep response bodies for DevTools (outside
the JS heap; bench/bench_tv_audio.py measures the TV's process memory without it).

Sockets (`--sockets N`, a gevent process of its own with the real app): N WebSocket connections of each role
(display, kiosk, ticket, counter, front office), each opened and given its snapshot, then dropped without a
word or closed with a Socket.IO disconnect; then N long-polling sessions that stop polling. After each, every
table the server keeps per connection (server/realtime.py, server/fanout.py, python-socketio's and engineio's)
and the Python objects alive; again after engineio's ping interval and twice its timeout. It reports; it does
not assert.
"""

# ruff: noqa: E402
from __future__ import annotations

import shutil
import sys

if __name__ == "__main__" and "--sockets-child" in sys.argv:  # the socket part runs under gevent
    from gevent import monkey

    monkey.patch_all()

import argparse
import base64
import gc
import json
import os
import socket
import struct
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, write_bench_config  # tests/ on sys.path too

PASSWORD = "rahasia-123"

# -- the pages ------------------------------------------------------------------------------------
# Before any script of the page: counts the timers pending, object URLs, Audio elements and AudioContexts,
# and keeps the Socket.IO sockets the page makes (window.io wrapped as the vendor script sets it).
COUNTING = r"""
(() => {
  const pending = new Map();
  const st = window.setTimeout, ct = window.clearTimeout, si = window.setInterval, ci = window.clearInterval;
  window.setTimeout = function (fn, ms, ...rest) {
    let id;
    const run = typeof fn === "function" ? function () { pending.delete(id); return fn.apply(this, arguments); } : fn;
    id = st.call(window, run, ms, ...rest);
    pending.set(id, "t");
    return id;
  };
  window.clearTimeout = function (id) { pending.delete(id); return ct.call(window, id); };
  window.setInterval = function (fn, ms, ...rest) { const id = si.call(window, fn, ms, ...rest); pending.set(id, "i"); return id; };
  window.clearInterval = function (id) { pending.delete(id); return ci.call(window, id); };
  let urls = 0, audios = 0, contexts = 0;
  const cu = URL.createObjectURL, ru = URL.revokeObjectURL;
  URL.createObjectURL = function (x) { urls++; return cu.call(URL, x); };
  URL.revokeObjectURL = function (x) { urls--; return ru.call(URL, x); };
  const A = window.Audio;
  if (A) window.Audio = function (...a) { audios++; return new A(...a); };
  for (const name of ["AudioContext", "webkitAudioContext"]) {
    const C = window[name];
    if (C) window[name] = class extends C { constructor(...a) { super(...a); contexts++; } };
  }
  let io;
  window.__sockets = [];
  Object.defineProperty(window, "io", {
    configurable: true,
    get() { return io; },
    set(v) {
      const made = function (...a) { const s = v(...a); window.__sockets.push(s); return s; };
      Object.assign(made, v);
      io = made;
    },
  });
  window.__growth = () => {
    let timeouts = 0, intervals = 0;
    for (const k of pending.values()) k === "t" ? timeouts++ : intervals++;
    return { timeouts, intervals, object_urls: urls, audio: audios, audio_contexts: contexts, sockets: window.__sockets.length };
  };
})();
"""
# Text into a kiosk field as its on-screen keyboard puts it (setRangeText). Playwright's fill() types through
# the browser's editing commands, whose undo steps Chromium keeps (up to 1,000 per page): 6 DOM nodes more per
# visitor that the kiosk's own keyboard never makes.
TYPE = """([key, text]) => {
  const e = document.getElementById("f-" + key);
  e.focus();
  e.setRangeText(text, 0, e.value.length, "end");
  e.dispatchEvent(new Event("input", { bubbles: true }));
}"""
# the page's own lists, where it shows them
OWN = {
    "display": "({ played: antrianDisplay.played.length, log: antrianDisplay.log.length, queue: antrianDisplay.queue.length })",
    "counter": "(window.antrianCounter && antrianCounter.kept ? antrianCounter.kept() : {})",
}
COLUMNS = [
    ("heap_kb", "JS heap KB"),
    ("nodes", "DOM nodes"),
    ("js_listeners", "JS listeners"),
    ("win_listeners", "on window"),
    ("doc_listeners", "on document"),
    ("timeouts", "timeouts"),
    ("intervals", "intervals"),
    ("object_urls", "object URLs"),
    ("audio", "Audio"),
    ("audio_contexts", "AudioContexts"),
    ("own", "page's lists"),
]


class Probe:
    """One page's figures over its own DevTools session."""

    def __init__(self, page):
        self.page = page
        self.cdp = page.context.new_cdp_session(page)

    def _listeners(self, expression: str) -> int:
        obj = self.cdp.send("Runtime.evaluate", {"expression": expression})["result"]["objectId"]
        n = len(self.cdp.send("DOMDebugger.getEventListeners", {"objectId": obj})["listeners"])
        self.cdp.send("Runtime.releaseObject", {"objectId": obj})
        return n

    def measure(self, own: str | None) -> dict:
        for _ in range(2):
            self.cdp.send("HeapProfiler.collectGarbage")
        heap = self.cdp.send("Runtime.getHeapUsage")
        dom = self.cdp.send("Memory.getDOMCounters")
        out = {
            "heap_kb": round(heap["usedSize"] / 1024, 1),
            "nodes": dom["nodes"],
            "js_listeners": dom["jsEventListeners"],
            "win_listeners": self._listeners("window"),
            "doc_listeners": self._listeners("document"),
        }
        out.update(self.page.evaluate("window.__growth ? window.__growth() : {}"))
        if own:
            out["own"] = " ".join(f"{k} {v}" for k, v in self.page.evaluate(own).items())
        return out


def wait_js(page, expression: str, timeout: float = 90.0) -> None:
    """Until `expression` is true in the page (evaluated over DevTools: the pages' CSP allows no eval)."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while True:
        try:
            if page.evaluate(expression):
                return
        except Error as error:  # a page reloading (the counter page and the kiosk after an admin's save)
            if "context was destroyed" not in str(error) and "is not defined" not in str(error):
                raise
        if time.monotonic() > deadline:
            raise TimeoutError(f"{expression}: not within {timeout:g} s")
        time.sleep(0.1)


class Office:
    """The server, two officers at counters 1 and 2, an admin."""

    def __init__(self, server):
        self.server, self.url = server, server.url
        self.officers = {1: server.session("budi", PASSWORD), 2: server.session("sari", PASSWORD)}
        self.admin = server.session("kepala", PASSWORD)
        self.n = 0
        self.saves = 0

    def seq(self) -> int:
        return requests.get(self.url + "/api/state", timeout=10).json()["seq"]

    def issue(self) -> dict:
        self.n += 1
        r = requests.post(
            self.url + "/api/tickets",
            timeout=30,
            json={
                "service": "ABC"[self.n % 3],
                "name": f"Pengunjung {self.n}",
                "agency": "Dinas Pekerjaan Umum Kabupaten Contoh",
                "address": f"Jl. Jenderal Sudirman No. {self.n}",
                "phone": "081234567890",
                "problem": "Tidak dapat mengunggah dokumen penawaran.",
                "category": "pertanyaan",
                "request_id": str(uuid.uuid4()),
            },
        )
        if r.status_code != 201:
            raise RuntimeError(f"issue: {r.status_code} {r.text[:200]}")
        return r.json()["ticket"]

    def act(self, counter: int, action: str, **data) -> dict:
        r = self.officers[counter].post(
            f"{self.url}/api/counters/{counter}/{action}", json={"request_id": str(uuid.uuid4()), **data}, timeout=30
        )
        if r.status_code not in (200, 204):
            raise RuntimeError(f"{action} at counter {counter}: {r.status_code} {r.text[:200]}")
        return r.json() if r.status_code == 200 else {}

    def drive(self, events: int) -> None:
        """Visitors through counters 1 and 2 until `events` more numbered changes."""
        goal = self.seq() + events
        while self.seq() < goal:
            for c in (1, 2):
                self.issue()
                if not self.act(c, "call-next").get("ticket"):
                    continue
                if self.n % 20 == 0:
                    for action in ("recall", "recall", "skip"):
                        self.act(c, action)
                    continue
                if self.n % 7 == 0:
                    self.act(c, "recall")
                self.act(c, "start")
                self.act(c, "resolve", solution="Kata sandi direset melalui menu lupa kata sandi.")

    def save_office(self) -> None:
        """An admin's save of the office's section (its address, changed): settings_changed to every page."""
        office = self.admin.get(f"{self.url}/api/admin/settings", timeout=10).json()["office"]
        office = {k: v for k, v in office.items() if k != "timezone"}
        self.saves += 1
        office["address"] = f"Jl. Merdeka No. {self.saves}"
        r = self.admin.put(f"{self.url}/api/admin/settings/office", json={"value": office}, timeout=10)
        if r.status_code != 200:
            raise RuntimeError(f"save: {r.status_code} {r.text[:200]}")


def pages_run(args) -> list[tuple[str, dict]]:
    from conftest import CHROMIUM, CHROMIUM_FLAGS
    from live import ClockedServer
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="antrian-growth-"))
    config = write_bench_config(tmp, 3)
    # no speech: the TV's sound and its memory are bench/bench_tv_audio.py's; here every call still has its chime
    config.write_text(config.read_text(encoding="utf-8").replace("[tts]\nenabled = true", "[tts]\nenabled = false"))
    server = ClockedServer(config, tick=0.1, dated=True).start()
    rows: list[tuple[str, dict]] = []
    try:
        for name, role in (("budi", "officer"), ("sari", "officer"), ("rina", "frontoffice"), ("kepala", "admin")):
            server.add_user(name, role, scrypt=True)
        office = Office(server)
        phone = office.issue()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)

            def open_page(path: str, viewport: dict, login: str | None = None):
                context = browser.new_context(viewport=viewport, reduced_motion="reduce", locale="id-ID")
                context.add_init_script(COUNTING)
                if login == "budi" and args.counter_js_rev:  # the counter page's script as of that revision
                    old = subprocess.run(
                        ["git", "show", f"{args.counter_js_rev}:counter/static/counter.js"],
                        cwd=ROOT,
                        capture_output=True,
                        check=True,
                    ).stdout
                    context.route(
                        "**/counter/static/counter.js*",
                        lambda route: route.fulfill(body=old, content_type="text/javascript; charset=utf-8"),
                    )
                if login:
                    answer = context.request.post(
                        server.url + "/api/login", data={"username": login, "password": PASSWORD}
                    )
                    assert answer.ok, answer.text()
                page = context.new_page()
                page.goto(server.url + path)
                return page

            staff = {"width": 1366, "height": 768}
            pages = {
                "display": open_page("/display/", {"width": 1920, "height": 1080}),
                "kiosk": open_page("/kiosk/", {"width": 1080, "height": 1920}),
                "phone": open_page(f"/t/{phone['token']}", {"width": 390, "height": 844}),
                "survey": open_page("/survey/", {"width": 1280, "height": 800}),
                "counter": open_page("/counter/", staff, "budi"),
                "front": open_page("/counter/front", staff, "rina"),
                "admin": open_page("/counter/admin", staff, "kepala"),
            }
            wait_js(pages["counter"], "!!document.querySelector('#counter-select option[value=\"1\"]')")
            pages["counter"].select_option("#counter-select", "1")
            probes = {name: Probe(page) for name, page in pages.items()}
            live_pages = [name for name in pages if name != "survey"]  # the survey tablet has no socket

            def connected() -> None:
                for name in live_pages:
                    wait_js(pages[name], "window.__sockets.length > 0 && window.__sockets.every((s) => s.connected)")

            def settle() -> None:
                connected()
                target = office.seq()
                wait_js(pages["display"], f"antrianDisplay.state.seq >= {target}")
                wait_js(pages["counter"], f"!!window.antrianCounter && antrianCounter.live.seq() >= {target}")
                time.sleep(1.5)  # the kiosk's, the phone's and the front office's debounced fetches

            def record(label: str) -> None:
                settle()
                figures = {name: probe.measure(OWN.get(name)) for name, probe in probes.items()}
                rows.append((label, figures))
                print(f"{label}: " + ", ".join(f"{n} {f['heap_kb']:.0f} KB" for n, f in figures.items()), flush=True)

            office.drive(100)  # the first renders, compiled code, caches
            record("warm-up (100 events)")
            done = 0
            while done < args.events:
                office.drive(args.every)
                done += args.every
                record(f"+{done} events")
            kiosk = pages["kiosk"]
            for i in range(args.kiosk_visitors):  # visitors taking their number at the kiosk itself
                kiosk.click("#start")
                kiosk.click('[data-service="A"]')
                for key, text in (("name", f"Tamu {i}"), ("agency", "CV Maju"), ("address", "Jl. Merdeka 1"),
                                  ("phone", "081234567890"), ("problem", "Lupa kata sandi SPSE")):  # fmt: skip
                    kiosk.evaluate(TYPE, [key, text])
                kiosk.click('[data-category="pertanyaan"]')
                kiosk.click("#to-review")
                kiosk.click("#submit")
                kiosk.locator("#ticket-label").filter(has_text="-").wait_for()
                kiosk.click('section[data-screen="ticket"] [data-action="home"]')
                kiosk.locator("#screen-welcome").wait_for()
                if (i + 1) % max(1, args.kiosk_visitors // 2) == 0:
                    record(f"{i + 1} kiosk visitors")
            for day in range(args.days):
                before = pages["display"].evaluate("antrianDisplay.state.day")
                server.next_day()
                wait_js(pages["display"], f"antrianDisplay.state.day !== {json.dumps(before)}")
                office.drive(50)
                record(f"day {day + 1} (+50 events)")
            for _ in range(args.saves):  # each one: a snapshot for every page, the counter page reloads when idle
                office.save_office()
                settle()
            if args.saves:
                record(f"{args.saves} admin saves")
            for r in range(args.drop_rounds):
                for _ in range(args.drops):
                    for name in live_pages:
                        pages[name].evaluate("window.__sockets.forEach((s) => s.io.engine && s.io.engine.close())")
                    connected()
                record(f"{args.drops * (r + 1)} socket drops")
            for _ in range(args.restarts):
                server.stop()
                server.start()
                connected()
            if args.restarts:
                record(f"{args.restarts} server restarts")
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def print_pages(rows: list[tuple[str, dict]]) -> None:
    for name in rows[0][1]:
        print(f"\n### {name}\n")
        print("| | " + " | ".join(title for _, title in COLUMNS) + " |")
        print("|---" * (len(COLUMNS) + 1) + "|")
        for label, figures in rows:
            f = figures[name]
            print(f"| {label} | " + " | ".join(str(f.get(key, "")) for key, _ in COLUMNS) + " |")


# -- the server's tables per connection --------------------------------------------------------------
class RawSocket:
    """A Socket.IO client over a plain WebSocket (handshake, masked frames out, pings answered)."""

    def __init__(self, port: int, cookie: str = ""):
        self.sock = socket.create_connection(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        head = (
            f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        )
        if cookie:
            head += f"Cookie: {cookie}\r\n"
        self.sock.sendall((head + "\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self.buf += self.sock.recv(4096)
        response, self.buf = self.buf.split(b"\r\n\r\n", 1)
        if not response.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(response.decode("latin-1"))

    def send(self, text: str) -> None:
        data, mask = text.encode(), os.urandom(4)
        n = len(data)
        head = struct.pack("!BB", 0x81, 0x80 | n) if n < 126 else struct.pack("!BBH", 0x81, 0x80 | 126, n)
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _need(self, n: int) -> None:
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk

    def receive(self) -> str:
        while True:
            self._need(2)
            n, at = self.buf[1] & 0x7F, 2
            if n == 126:
                self._need(4)
                n, at = struct.unpack("!H", self.buf[2:4])[0], 4
            elif n == 127:
                self._need(10)
                n, at = struct.unpack("!Q", self.buf[2:10])[0], 10
            self._need(at + n)
            text, self.buf = self.buf[at : at + n].decode(), self.buf[at + n :]
            if text == "2":
                self.send("3")
                continue
            return text

    def join(self, auth: dict) -> None:
        if not self.receive().startswith("0"):
            raise RuntimeError("no Engine.IO open")
        self.send("40" + json.dumps(auth))
        while True:
            text = self.receive()
            if text.startswith("42") and json.loads(text[2:])[0] == "snapshot":
                return
            if text.startswith("44"):
                raise RuntimeError(f"refused: {text}")


def sockets_child(tmp: Path, n: int) -> None:
    """Under gevent (monkey-patched at the top): the real app on a loopback port, N connections per role."""
    import gevent
    from conftest import write_config

    from server.app import create_app
    from server.httpserver import serve_forever
    from server.realtime import _PacketBudgets
    from server.workers import start_workers

    app = create_app(write_config(tmp), async_mode="gevent")
    start_workers(app)
    service = app.extensions["antrian"]
    sio = app.extensions["antrian.socketio"]
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    gevent.spawn(serve_forever, app, "127.0.0.1", port, service.settings.limits)
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            requests.get(url + "/healthz", timeout=1)
            break
        except requests.RequestException:
            gevent.sleep(0.025)
    from live import scrypt_hash

    with service.store.write() as tx:
        from datetime import UTC, datetime

        for name, role in (("budi", "officer"), ("rina", "frontoffice")):
            tx.add_user(name, scrypt_hash(PASSWORD), role, datetime.now(UTC), None)

    def cookie(name: str) -> str:
        s = requests.Session()
        s.post(url + "/api/login", json={"username": name, "password": PASSWORD}, timeout=10).raise_for_status()
        return "; ".join(f"{k}={v}" for k, v in s.cookies.items())

    budi, rina = cookie("budi"), cookie("rina")
    tokens = []
    for i in range(n):
        r = requests.post(
            url + "/api/tickets",
            timeout=10,
            json={"service": "A", "name": f"P {i}", "agency": "PT", "address": "Jl. 1", "phone": "081234567890",
                  "problem": "Lupa kata sandi"},
        )  # fmt: skip
        tokens.append(r.json()["ticket"]["token"])
    budgets = next(o for o in gc.get_objects() if isinstance(o, _PacketBudgets))
    # realtime.register's staff sockets and counter pages: the dicts in check_sessions' closure
    staff_tables = [c.cell_contents for c in service.check_sessions.__closure__ if isinstance(c.cell_contents, dict)]

    def tables() -> dict:
        gc.collect()
        server, cap = sio.server, sio.antrian_sessions
        rooms = server.manager.rooms.get("/", {})
        return {
            "fanout clients": len(sio.antrian_fanout.clients),
            "engineio sockets": len(server.eio.sockets),
            "socketio environ": len(server.environ),
            "rooms": len(rooms),
            "room members": sum(len(v) for v in rooms.values()),
            "sessions per address": len(cap.by_address) + len(cap.address_of),
            "packet budgets": len(budgets.packets) + len(budgets.snapshots),
            "staff sockets, counter pages": sum(len(t) for t in staff_tables),
            "Python objects": len(gc.get_objects()),
        }

    auths = {
        "display": ({"role": "display"}, ""),
        "kiosk": ({"role": "kiosk"}, ""),
        "ticket": (None, ""),
        "counter": ({"role": "counter", "counter_id": 1}, budi),
        "front office": ({"role": "frontoffice"}, rina),
    }
    rows = [("before", tables())]
    for role, (auth, jar) in auths.items():
        for graceful in (False, True):
            for i in range(n):
                client = RawSocket(port, jar)
                client.join(auth or {"role": "ticket", "token": tokens[i]})
                if graceful:
                    client.send("41")
                client.sock.close()
            for _ in range(200):  # until the server has seen every close
                if not sio.server.eio.sockets:
                    break
                gevent.sleep(0.05)
            rows.append((f"{role}: {n} {'disconnected' if graceful else 'dropped'}", tables()))
    # long-polling sessions that stop polling (a phone put away): engineio ends them after its ping timeout
    for i in range(n):
        s = requests.Session()
        body = s.get(f"{url}/socket.io/?EIO=4&transport=polling", timeout=10).text
        sid = json.loads(body[1:])["sid"]
        auth = json.dumps({"role": "ticket", "token": tokens[i]})
        s.post(f"{url}/socket.io/?EIO=4&transport=polling&sid={sid}", data="40" + auth, timeout=10)
        s.get(f"{url}/socket.io/?EIO=4&transport=polling&sid={sid}", timeout=10)  # its connect and snapshot
        s.close()
    rows.append((f"{n} long-polling sessions left", tables()))
    eio = sio.server.eio
    # a ping after ping_interval, the timeout after ping_timeout, and engineio's service task looks at every
    # session once per ping_timeout
    wait = eio.ping_interval + 2 * eio.ping_timeout + 10
    gevent.sleep(wait)
    rows.append((f"{wait:g} s later (engineio's ping interval and twice its timeout)", tables()))
    print(json.dumps(rows))
    sys.stdout.flush()
    os._exit(0)  # the app's workers would keep the process up


def sockets_run(n: int) -> list:
    with tempfile.TemporaryDirectory(prefix="antrian-sockets-") as tmp:
        done = subprocess.run(
            [sys.executable, __file__, "--sockets-child", tmp, str(n)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_sockets(rows: list) -> None:
    keys = list(rows[0][1])
    print("\n### The server's tables per connection\n")
    print("| | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    for label, figures in rows:
        print(f"| {label} | " + " | ".join(str(figures[k]) for k in keys) + " |")


def main() -> None:
    if "--sockets-child" in sys.argv:
        at = sys.argv.index("--sockets-child")
        sockets_child(Path(sys.argv[at + 1]), int(sys.argv[at + 2]))
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--events", type=int, default=2000, help="numbered changes after the warm-up")
    p.add_argument("--every", type=int, default=500, help="a row every N events")
    p.add_argument("--saves", type=int, default=20, help="admin's saves of the office's section")
    p.add_argument("--kiosk-visitors", type=int, default=100, help="numbers taken through the kiosk's screens")
    p.add_argument("--days", type=int, default=3, help="office days the clock moves on")
    p.add_argument("--drops", type=int, default=100, help="socket drops per round, every page at once")
    p.add_argument("--drop-rounds", type=int, default=2)
    p.add_argument("--restarts", type=int, default=5, help="server restarts")
    p.add_argument("--sockets", type=int, default=100, help="connections per role for the server's tables")
    p.add_argument("--counter-js-rev", metavar="REV", help="the counter page's script as of git revision REV")
    p.add_argument("--skip-sockets", action="store_true")
    p.add_argument("--skip-pages", action="store_true")
    args = p.parse_args()
    started = time.monotonic()
    if not args.skip_sockets:
        print_sockets(sockets_run(args.sockets))
    if not args.skip_pages:
        print_pages(pages_run(args))
    print(f"\n{time.monotonic() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
