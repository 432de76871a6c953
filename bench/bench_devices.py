"""Benchmark of the devices' paths, against a real server process on 127.0.0.1.

1. Kiosk to paper: from the kiosk's POST /api/tickets to the last byte of that ticket at a
   network (TCP, port on loopback) printer, with 4 kiosks issuing at once. Target p99 <= 300 ms.
   The printer answers the ESC/POS status queries (DLE EOT 1 and 4: online, paper) as the TM-T20II it
   is configured as does, so that the server's check_status = "auto" (the default) learns as the server
   starts that it answers and asks before and after every slip, as in an office with one. With
   --silent-printer it answers none, as many cheap printers: "auto" waits the printer's timeout (2 s
   here) for an answer once, in the print worker as the server starts, and sends every slip without
   asking (docs/operations.md, check_status; asked again an hour later while idle, outside this bench).
   The kiosks start once the printer has been asked (at most 6 s after the server is up), as an office
   opens after its server started: the first slip line says whether it still waits for the asking.
2. Call to voice: from POST call-next (or recall) until the announcement's audio is served by
   /api/tts/<key>.ogg (or .wav, as the announcement names it): a cache miss (a phrase never spoken) p99 <= 500 ms, a hit p99 <= 20 ms.
   A recall says which call it is first ("Panggilan kedua.", the last "Panggilan terakhir."): a file of its own
   (announce.intro) the TV fetches and plays before the call, so a recall is timed to its intro served, and the
   hit to the call's served after it, as the TV asks them. Each ticket is recalled twice (its second and last
   call): an intro's first saying makes it (one per call count a server, then kept), every later one is a
   cache hit; and how long each intro plays (ms of sound before the call is heard, soxi's length of the file).

    .venv/bin/python bench/bench_devices.py [--tickets 200] [--calls 60] [--silent-printer] [--json]

It reports; it does not assert. Every server, printer and client here runs on 127.0.0.1 and stops.
"""

from __future__ import annotations

import argparse
import json
import queue
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import visitor, write_config  # noqa: E402
from fakeprinter import STATUS_ONLINE, STATUS_PAPER, answer_queries  # noqa: E402
from live import LiveServer  # noqa: E402

DEBUG = False
LABEL = re.compile(rb"[A-C]-\d{3,}")
MAGIC = {"ogg": b"OggS", "wav": b"RIFF"}  # what each announcement format's file begins with


class TimedPrinter:
    """A TCP printer on loopback that notes when each connection's last slip byte arrived (the status queries
    after it left out) and answers each connection's status queries as a ready TM-T20II does: online, paper
    present (tests/fakeprinter.py's answers); `silent`: it answers none."""

    READY = {STATUS_ONLINE: b"\x12", STATUS_PAPER: b"\x12"}

    def __init__(self, silent: bool = False):
        self.answers = {query: b"" for query in self.READY} if silent else dict(self.READY)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.done: dict[bytes, float] = {}
        self.connections = 0  # read to their end
        self.stop = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:  # closed by close()
                return
            threading.Thread(target=self.read, args=(conn,), daemon=True).start()

    def read(self, conn):
        data = bytearray()
        scanned = 0
        last = time.perf_counter()
        with conn:
            while chunk := conn.recv(65536):
                data += chunk
                if chunk.replace(STATUS_ONLINE, b"").replace(STATUS_PAPER, b""):
                    last = time.perf_counter()  # slip bytes, not only the queries asked after them
                scanned = answer_queries(data, scanned, self.answers, conn.sendall)
        self.connections += 1
        m = LABEL.search(bytes(data))
        if m:
            self.done[m.group(0)] = last

    def close(self):
        self.stop.set()
        self.sock.close()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def kiosk_to_paper(tickets: int, kiosks: int = 4, silent: bool = False) -> dict:
    printer = TimedPrinter(silent)
    tmp = Path(tempfile.mkdtemp(prefix="antrian-bench-"))
    cfg = write_config(
        tmp,
        {
            '[printers.kiosk]\ntype = "dummy"': f'[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\n'
            f'port = {printer.port}\ntimeout = 2\nprofile = "TM-T20II"',
            "rate_limit_per_minute = 120": "rate_limit_per_minute = 1000000",
            "exempt = []": 'exempt = ["127.0.0.1"]',
        },
    )
    server = LiveServer(cfg).start()
    # The office opens some time after the server started: its print worker has asked the printer's status
    # by then (a connection of queries alone), or the first slip does. Waited for, at most three timeouts.
    deadline = time.monotonic() + 3 * 2
    while time.monotonic() < deadline and not printer.connections:
        time.sleep(0.05)
    sent: dict[bytes, float] = {}
    lock = threading.Lock()
    try:

        def kiosk(n: int):
            s = requests.Session()
            for _ in range(n):
                t0 = time.perf_counter()
                r = s.post(server.url + "/api/tickets", json=visitor(service="A"), timeout=10)
                with lock:
                    sent[r.json()["ticket"]["label"].encode()] = t0
                time.sleep(0.05)  # a visitor at a kiosk, not a flood

        threads = [threading.Thread(target=kiosk, args=(tickets // kiosks,)) for _ in range(kiosks)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(printer.done) < len(sent):
            time.sleep(0.05)
        lat = [(printer.done[k] - t0) * 1000 for k, t0 in sent.items() if k in printer.done]
        first = min(sent, key=sent.get)  # the first ticket issued after the server started
        return {
            "tickets": len(sent),
            "printed": len(lat),
            "first_ms": round((printer.done[first] - sent[first]) * 1000, 1) if first in printer.done else None,
            "max_ms": round(max(lat), 1),
            "p50_ms": round(statistics.median(lat), 1),
            "p99_ms": round(pct(lat, 99), 1),
        }
    finally:
        server.stop()
        printer.close()
        shutil.rmtree(tmp, ignore_errors=True)


def play_ms(data: bytes, kind: str, folder: Path) -> float:
    """How long the audio `data` (`kind`: ogg or wav) plays, in milliseconds (soxi reads its length)."""
    path = folder / f"played.{kind}"
    path.write_bytes(data)
    return float(subprocess.run(["soxi", "-D", str(path)], capture_output=True, text=True, check=True).stdout) * 1000


def call_to_voice(calls: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="antrian-bench-"))
    cfg = write_config(
        tmp, {"rate_limit_per_minute = 120": "rate_limit_per_minute = 1000000", "exempt = []": 'exempt = ["127.0.0.1"]'}
    )
    server = LiveServer(cfg).start()
    try:
        server.add_user("bench", "officer", scrypt=True)
        s = server.session("bench", "rahasia-123")
        for _ in range(calls):
            requests.post(server.url + "/api/tickets", json=visitor(service="A"), timeout=5).raise_for_status()
        audio = requests.Session()
        announced: queue.Queue = queue.Queue()
        display = socketio.Client()

        def heard(ev):
            if ev.get("announce"):
                announced.put(ev["announce"])

        display.on("event", heard)
        display.on("events", lambda batch: [heard(ev) for ev in batch])
        display.connect(server.url, auth={"role": "display"}, transports=["websocket"])

        def fetched(url: str) -> bytes:
            r = audio.get(server.url + url, timeout=10)
            r.raise_for_status()
            magic = MAGIC[url.rsplit(".", 1)[-1]]
            if r.content[: len(magic)] != magic:
                raise RuntimeError(f"{url}: not {magic!r} audio ({r.headers.get('Content-Type')})")
            return r.content

        def voiced(action: str) -> float:
            """As a display does it: the call's event brings the audio URL, then the audio is fetched; a recall's
            intro first (the TV plays it before the call), timed from the recall to its intro served."""
            t0 = time.perf_counter()
            s.post(f"{server.url}/api/counters/1/{action}", timeout=10).raise_for_status()
            t1 = time.perf_counter()
            announce = announced.get(timeout=10)
            url = announce["audio"]
            t2 = time.perf_counter()
            if action == "recall":
                intro = announce.get("intro")
                if not intro:
                    raise RuntimeError(f"a recall without its intro: {announce}")
                data = fetched(intro)
                (intro_hit if intro in intro_sound else intro_new).append((time.perf_counter() - t0) * 1000)
                intro_sound.setdefault(intro, data)
            fetched(url)
            done = time.perf_counter()
            if DEBUG:
                print(action, *(round(x * 1000, 1) for x in (t1 - t0, t2 - t1, done - t2)), file=sys.stderr)
            return (done - t0) * 1000

        miss, hit = [], []
        intro_new: list[float] = []  # ms from the recall to its intro served, its first saying (made)
        intro_hit: list[float] = []  # the same, cached
        intro_sound: dict[str, bytes] = {}  # intro URL -> its file, as first served
        for _ in range(calls):
            miss.append(voiced("call-next"))
            hit.append(voiced("recall"))  # the second call: "Panggilan kedua." first
            voiced("recall")  # the last: "Panggilan terakhir." first
            s.post(f"{server.url}/api/counters/1/start", timeout=5)
            s.post(f"{server.url}/api/counters/1/resolve", json={"solution": "ok"}, timeout=5)
        display.disconnect()
        return {
            "calls": calls,
            "miss_p50_ms": round(statistics.median(miss), 1),
            "miss_p99_ms": round(pct(miss, 99), 1),
            "hit_p50_ms": round(statistics.median(hit), 1),
            "hit_p99_ms": round(pct(hit, 99), 1),
            "intro_new_ms": [round(v, 1) for v in intro_new],
            "intro_hit_p50_ms": round(statistics.median(intro_hit), 1),
            "intro_hit_p99_ms": round(pct(intro_hit, 99), 1),
            "intro_play_ms": [
                round(play_ms(data, url.rsplit(".", 1)[-1], tmp), 1) for url, data in intro_sound.items()
            ],
        }
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tickets", type=int, default=200)
    p.add_argument("--calls", type=int, default=60)
    p.add_argument(
        "--silent-printer", action="store_true", help="a printer that never answers status queries (cheap ones)"
    )
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    paper = kiosk_to_paper(args.tickets, silent=args.silent_printer)
    voice = call_to_voice(args.calls)
    rows = [
        ("kiosk to last byte at printer, first slip", paper["first_ms"], None),
        ("kiosk to last byte at printer, p50", paper["p50_ms"], None),
        ("kiosk to last byte at printer, p99", paper["p99_ms"], 300),
        ("kiosk to last byte at printer, slowest", paper["max_ms"], None),
        ("call to voice, cache miss, p50", voice["miss_p50_ms"], None),
        ("call to voice, cache miss, p99", voice["miss_p99_ms"], 500),
        ("call to voice, cache hit (recall), p50", voice["hit_p50_ms"], None),
        ("call to voice, cache hit (recall), p99", voice["hit_p99_ms"], 20),
        *((f"recall to its intro, made ({n}. intro)", v, None) for n, v in enumerate(voice["intro_new_ms"], 1)),
        ("recall to its intro, cached, p50", voice["intro_hit_p50_ms"], None),
        ("recall to its intro, cached, p99", voice["intro_hit_p99_ms"], None),
        *((f"intro played before the call ({n}. intro)", v, None) for n, v in enumerate(voice["intro_play_ms"], 1)),
    ]
    kind = "silent (never answers status)" if args.silent_printer else "answering status, as a TM-T20II"
    print(f"kiosk to paper: {paper['printed']}/{paper['tickets']} tickets printed, 4 kiosks at once, printer {kind}")
    print(
        f"call to voice: {voice['calls']} calls and {2 * voice['calls']} recalls (each ticket's second and last call)"
    )
    for name, value, target in rows:
        mark = "" if target is None else ("  ok" if value <= target else "  MISSED") + f" (target <= {target} ms)"
        print(f"  {name:<42} {value:8.1f} ms{mark}")
    if args.json:
        print(json.dumps({"paper": paper, "voice": voice}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
