"""Soak bench: many office days against one live server, the TV and a counter page open in Chromium.

    .venv/bin/python bench/bench_soak.py [--days 30] [--visitors 200] [--counters 3] [--cache-mb N]
                                         [--short-voice MS]

The server runs on tests/clockserver.py's clock (09:00 of today), moved forward one day at a time, so
a month passes in one run. Each day the kiosks issue `--visitors` tickets; the officers call them
over the API (one call in seven is recalled once; one in twenty is called three times, then skipped,
and comes back behind the next ticket), and every call waits until the TV has announced it (chime
and speech, espeak-ng at `--rate`) before the officer goes on. The TV is driven over a bare DevTools
connection, as a TV runs (bench/bench_tv_audio.py: Playwright would keep a copy of every response
in the renderer). After each day it prints the TV renderer's private memory (Private_Dirty + Swap),
its JS heap and DOM nodes, the server's RSS and descriptors, the database file and the speech cache;
at the end the database's growth per day, a screenshot of the TV once the last call has settled,
and whether the targets of issue #16 were met (TV within +20 MB of day 1, speech cache within
cache_mb, descriptors flat, every call announced). It reports; it does not fail the run on a miss.

The TV plays every announcement in real time (a 1 s chime and the phrase), about 2.7 s a call with
recalls: ~40 min for 30 days of 25 visitors (docs/performance.md, "Soak bench"), ~4.5 h for 30 x 200.
`--short-voice MS` shortens every announcement instead: the server speaks with the clips engine
(`[tts] engine = "clips"`, issue #15) from a pack of tones MS ms long, one pitch per word, written by
this bench, with a chime of MS ms; every phrase is still its own audio file, fetched, decoded and
played whole by the TV, so a month of 200 visitors a day runs in about an hour.
"""

from __future__ import annotations

import argparse
import base64
import math
import os
import platform
import re
import shutil
import signal
import struct
import sys
import tempfile
import time
import uuid
import wave
from datetime import UTC, datetime
from pathlib import Path

import requests
from bench_tv_audio import CHROMIUM, CdpTab, page_renderer, private
from common import ROOT, proc_status, write_bench_config
from conftest import CHROMIUM_FLAGS
from live import ClockedServer
from playwright.sync_api import sync_playwright

PASSWORD = "rahasia-123"
SERVICES = ("A", "B", "C")
SOLUTION = "Kata sandi direset melalui menu lupa kata sandi; akun dapat dipakai kembali."


def soak_config(tmp: Path, args: argparse.Namespace) -> Path:
    path = write_bench_config(tmp, args.counters)
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^rate = \d+", f"rate = {args.rate}", text)
    if args.cache_mb is not None:
        text = re.sub(r"(?m)^cache_mb = \d+", f"cache_mb = {args.cache_mb}", text)
    path.write_text(text, encoding="utf-8")
    if args.short_voice:
        pack = tone_pack(tmp / "voice", path, args.short_voice)
        tts = (
            f'engine = "clips"\nclips = "{pack}"\nchime = "{pack / "chime.wav"}"\n'
            f"pause_ms = {max(1, args.short_voice // 2)}\n"
        )
        text = re.sub(r"(?m)^(\[tts\]\n)", lambda m: m.group(1) + tts, text)
        path.write_text(text, encoding="utf-8")
    return path


def tone(path: Path, ms: int, hz: float, rate: int = 16000) -> None:
    """A mono 16-bit WAV: `ms` of a sine at `hz`, loud enough that trimming keeps it whole."""
    n = rate * ms // 1000
    samples = (int(12000 * math.sin(2 * math.pi * hz * i / rate)) for i in range(n))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", s) for s in samples))


def tone_pack(folder: Path, config: Path, ms: int) -> Path:
    """A voice pack of short tones, one pitch per clip the office needs (server.voice.office_clips)."""
    from server.config import load_settings
    from server.voice import office_clips

    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(office_clips(load_settings(config), 999)):
        tone(folder / f"{name}.wav", ms, 300 + 7 * i)
    tone(folder / "chime.wav", ms, 880)
    return folder


def visitor(day: int, i: int) -> dict:
    return {
        "service": SERVICES[i % len(SERVICES)],
        "name": f"Pengunjung {day}-{i}",
        "agency": "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Contoh",
        "address": f"Jl. Jenderal Sudirman No. {i}, Kelurahan Sukamaju, Kecamatan Sukajadi",
        "phone": f"0812{day:03d}{i:05d}",
        "problem": "Tidak dapat mengunggah dokumen penawaran; muncul pesan kesalahan saat mengirim berkas.",
        "category": "pertanyaan",
        "request_id": str(uuid.uuid4()),
    }


def page_metrics(tv: CdpTab) -> dict[str, float]:
    tv.cdp("HeapProfiler.collectGarbage")
    metrics = {m["name"]: m["value"] for m in tv.cdp("Performance.getMetrics")["metrics"]}
    return {"heap_mb": metrics.get("JSHeapUsedSize", 0) / 2**20, "nodes": int(metrics.get("Nodes", 0))}


def cache_mb(path: Path) -> tuple[float, float]:
    """The speech cache: all its files, and those not used for a call in the last FRESH_SECONDS (the
    cache never removes a phrase used that recently: a TV may not have fetched it yet; it records a
    use as the file's access time)."""
    from server.tts import FRESH_SECONDS

    total = older = 0
    recent = time.time() - FRESH_SECONDS
    for entry in path.glob("*") if path.exists() else []:
        try:
            st = entry.stat()
        except OSError:
            continue
        total += st.st_size
        if max(st.st_atime, st.st_mtime) < recent:
            older += st.st_size
    return total / 2**20, older / 2**20


def db_mb(db: Path) -> float:
    """The database file (its -wal beside it is bounded by SQLite's automatic checkpoints)."""
    return db.stat().st_size / 2**20 if db.exists() else 0.0


class Officers:
    """One logged-in session per counter, acting over the API with request ids as the counter page does."""

    def __init__(self, server: ClockedServer, counters: int):
        self.url = server.url
        self.sessions = {}
        for c in range(1, counters + 1):
            name = f"petugas{c}"
            server.add_user(name, "officer", PASSWORD, scrypt=True)
            self.sessions[c] = server.session(name, PASSWORD)

    def act(self, counter: int, action: str, **data) -> dict:
        r = self.sessions[counter].post(
            f"{self.url}/api/counters/{counter}/{action}", json={"request_id": str(uuid.uuid4()), **data}, timeout=30
        )
        if r.status_code not in (200, 204):
            raise RuntimeError(f"{action} at counter {counter}: {r.status_code} {r.text[:200]}")
        return r.json() if r.status_code == 200 else {}


class TV:
    """The TV page: which calls it has finished announcing, read from its own log."""

    def __init__(self, tab: CdpTab):
        self.tab = tab
        self.last_seq = 0
        self.done: dict[tuple[str, int], int] = {}  # (label, counter) -> announcements ended
        self.failed_parts = 0

    def poll(self) -> None:
        ended = self.tab.evaluate(
            """(after) => window.antrianDisplay.log
                 .filter((e) => e.end !== null && e.seq > after)
                 .map((e) => [e.seq, e.label, e.counter_id, e.parts.filter((p) => !p.ok).length])""",
            self.last_seq,
        )
        for seq, label, counter, failed in ended:
            self.last_seq = max(self.last_seq, seq)
            self.done[(label, counter)] = self.done.get((label, counter), 0) + 1
            self.failed_parts += failed


def run_day(day: int, args, server: ClockedServer, officers: Officers, tv: TV, stats: dict) -> None:
    kiosk = requests.Session()
    for i in range(args.visitors):
        r = kiosk.post(server.url + "/api/tickets", json=visitor(day, i), timeout=30)
        if r.status_code != 201 and r.status_code != 200:
            raise RuntimeError(f"issue {i} on day {day}: {r.status_code} {r.text[:200]}")
    # a counter's state: None (free), or [label, announcements expected, what to do once announced]
    busy: dict[int, list | None] = dict.fromkeys(officers.sessions)
    nobody = set()
    n = 0
    deadline_per_call = 60.0
    since: dict[int, float] = {}
    while len(nobody) < len(busy):
        for c, state in busy.items():
            if c in nobody:
                continue
            if state is None:
                body = officers.act(c, "call-next")
                ticket = body.get("ticket")
                if not ticket:
                    nobody.add(c)
                    continue
                n += 1
                stats["calls"] += 1
                # what the officer does each time the TV has finished the latest announcement: a skip
                # comes only after the third call (SOP), so it takes two recalls first
                plan = ["recall", "recall", "skip"] if n % 20 == 0 else ["recall", "serve"] if n % 7 == 0 else ["serve"]
                label = ticket["label"]
                busy[c] = [label, tv.done.get((label, c), 0) + 1, plan]
                since[c] = time.monotonic()
                continue
            label, expected, plan = state
            if tv.done.get((label, c), 0) < expected:
                if time.monotonic() - since[c] > deadline_per_call:
                    stats["not_announced"] += 1
                    state[1] = tv.done.get((label, c), 0)  # give up waiting on this one, go on
                continue
            step = plan.pop(0)
            if step == "recall":
                officers.act(c, "recall")
                stats["recalls"] += 1
                state[1] += 1
                since[c] = time.monotonic()
            elif step == "skip":
                officers.act(c, "skip")
                stats["skips"] += 1
                busy[c] = None
            else:
                officers.act(c, "start")
                officers.act(c, "resolve", solution=SOLUTION)
                busy[c] = None
        tv.poll()
        if all(s is not None for c, s in busy.items() if c not in nobody):
            time.sleep(0.05)  # the TV is announcing: let it
    for c in officers.sessions:
        if c != 1:  # the officers without a counter page free their counters at the end of the day
            officers.act(c, "release")
    stats["served_days"] += 1


def row(day, tv_private, heap, nodes, rss, fds, db, cache, cache_older, elapsed) -> str:
    return (
        f"| {day:>3} | {tv_private:7.1f} | {heap:6.2f} | {nodes:6d} | {rss:7.1f} | {fds:4d} | {db:7.2f} | {cache:7.1f} |"
        f" {cache_older:7.1f} | {elapsed:6.0f} |"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--visitors", type=int, default=200, help="tickets a day")
    p.add_argument("--counters", type=int, default=3)
    p.add_argument("--rate", type=int, default=400, help="espeak-ng words per minute (60-400)")
    p.add_argument("--cache-mb", type=int, default=None, help="[tts] cache_mb (default: the config's)")
    p.add_argument("--short-voice", type=int, default=0, metavar="MS", help="speak with a pack of MS ms tones")
    p.add_argument("--screenshot", default=str(ROOT / "docs" / "screenshots" / "display-soak-end.png"))
    p.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = p.parse_args(argv)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    tmp = Path(tempfile.mkdtemp(prefix="antrian-soak-"))
    server = ClockedServer(soak_config(tmp, args))
    stats = {"calls": 0, "recalls": 0, "skips": 0, "not_announced": 0, "served_days": 0}
    rows: list[tuple] = []
    ok = False
    print(
        f"Antrian soak bench — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} cores; "
        f"{args.days} days x {args.visitors} visitors, {args.counters} counters, "
        + (f"a pack of {args.short_voice} ms tones\n" if args.short_voice else f"speech rate {args.rate}\n")
    )
    print(
        "| day | TV private MB | heap MB | DOM nodes | server RSS MB | fds | DB MB | speech MB | not used 5 min | s |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    try:
        server.start(timeout=30)
        officers = Officers(server, args.counters)
        # The TV as a TV runs it: Chromium driven over a bare DevTools connection, no Network domain
        # (Playwright's keeps a copy of every response in the renderer: bench/bench_tv_audio.py).
        tv_tab = CdpTab(unmute=False)
        try:
            tv_tab.goto(server.url + "/display/")
            tv_tab.wait_for("() => window.antrianDisplay && window.antrianDisplay.socket.connected")
            tv_tab.cdp("Performance.enable")
            renderer = page_renderer(tv_tab)
            tv = TV(tv_tab)
            with sync_playwright() as pw:
                staff_browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                counter_page = staff_browser.new_page(viewport={"width": 1366, "height": 768})
                counter_page.goto(server.url + "/counter/")
                counter_page.fill("#login-form [name=username]", "petugas1")
                counter_page.fill("#login-form [name=password]", PASSWORD)
                counter_page.click("#login-form button[type=submit]")
                counter_page.wait_for_selector("#counter-select")
                counter_page.select_option("#counter-select", "1")
                db = tmp / "antrian.db"
                cache = tmp / "data" / "speech"
                t0 = time.monotonic()
                for day in range(args.days):
                    if day:
                        server.next_day()
                    run_day(day, args, server, officers, tv, stats)
                    metrics = page_metrics(tv_tab)
                    status = proc_status(server.proc.pid)
                    figures = (
                        day + 1,
                        private(renderer) / 2**20,
                        metrics["heap_mb"],
                        metrics["nodes"],
                        status.get("VmRSS", 0) / 1024,
                        len(os.listdir(f"/proc/{server.proc.pid}/fd")),
                        db_mb(db),
                        *cache_mb(cache),
                        time.monotonic() - t0,
                    )
                    rows.append(figures)
                    print(row(*figures), flush=True)
                staff_browser.close()
            # as the room sees it for minutes: after the last call's highlight has settled
            tv_tab.wait_for("() => !document.querySelector('.flash, .calling')", timeout=30)
            last = tv_tab.evaluate("() => document.body.innerText")
            shot = tv_tab.cdp("Page.captureScreenshot", format="png")["data"]
            Path(args.screenshot).write_bytes(base64.b64decode(shot))
            ok = True
        finally:
            tv_tab.close()
    except Exception as err:  # report, do not hide: the server log says what went wrong
        print(f"soak failed: {err!r}\n--- server log (tail) ---\n{server.log()[-3000:]}", file=sys.stderr)
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept: {tmp}")
    if not ok or not rows:
        return 1
    print(
        f"\n{stats['calls']} calls, {stats['recalls']} recalls, {stats['skips']} skips; "
        f"calls the TV did not finish announcing within 60 s: {stats['not_announced']}; "
        f"failed sound parts: {tv.failed_parts}"
    )
    first, end = rows[0], rows[-1]
    cache_limit = args.cache_mb or 200
    checks = {
        "TV renderer within +20 MB of day 1": end[1] - first[1] <= 20,
        # a phrase used in the last 5 minutes is kept over the limit (server/tts.py FRESH_SECONDS)
        f"speech cache <= {cache_limit} MB, but for what the last 5 minutes used": max(r[8] for r in rows)
        <= cache_limit,
        "server fds flat (+5 at most)": end[5] - first[5] <= 5,
        "every call announced": stats["not_announced"] == 0,
    }
    growth = [b[6] - a[6] for a, b in zip(rows, rows[1:], strict=False)]
    if growth:
        print(f"database growth per day: first {growth[0]:.2f} MB, last {growth[-1]:.2f} MB")
    print(f"TV shows at the end: {' '.join(last.split())[:300]}")
    print(f"screenshot: {args.screenshot}")
    for name, passed in checks.items():
        print(f"  {'ok  ' if passed else 'MISS'} {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
