"""Load benchmark of the real server: ticket issuing, call-to-display, click-to-form, memory.

    python bench/bench_server.py [--displays 100] [--counters 10] [--kiosks 4] [--tickets 2000] [--json]

Starts `python -m server serve` (gevent, SQLite WAL + synchronous=FULL) on a free port of
127.0.0.1 with a bench copy of config.toml, then drives it from this one asyncio process:
D display and N counter Socket.IO clients over real WebSockets, K kiosks on their own HTTP
connections, N officers calling. It reports against the targets; it never asserts (exit 0).
See docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import random
import signal
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

try:
    import aiohttp
except ImportError:  # the `bench` extra, not installed by `make test`
    sys.exit("bench: aiohttp is missing; run `make bench-setup` (requirements-bench.lock)")
import socketio  # noqa: E402
from common import (  # noqa: E402
    cpu_pressure,
    cpu_seconds,
    percentile,
    proc_status,
    run_queue_wait_seconds,
    write_bench_config,
)  # noqa: E402
from live import LiveServer  # noqa: E402  (tests/live.py, put on sys.path by common)

PASSWORD = "rahasia-123"
SERVICES = ("A", "B", "C")
TARGETS = {  # name: (limit, "max" | "min")
    "issue_p99_ms": (25.0, "max"),
    "tickets_per_s": (300.0, "min"),
    "call_to_display_p99_ms": (50.0, "max"),
    "click_to_form_p99_ms": (100.0, "max"),
    "rss_mb": (150.0, "max"),
}


def visitor(i: int) -> dict:
    return {
        "service": SERVICES[i % len(SERVICES)],
        "name": f"Pengunjung {i}",
        "agency": "Dinas PUPR Kabupaten Contoh",
        "address": "Jl. Sudirman No. 12",
        "phone": "081234567890",
        "problem": "Lupa kata sandi akun penyedia SPSE",
        "category": "pertanyaan",
    }


def count_event(client, data: dict, now: float) -> None:
    """Count one event, note a gap in the seqs, and stamp when a 'called' reached this client. A public message names
    the seq of the public message before it (`prev`, server/realtime.py): a staff-only event between them (a print's,
    a user's) is no gap for a display, only a `prev` past what it has seen is."""
    client.events += 1
    seq = data.get("seq")
    before = data.get("prev", seq - 1 if seq is not None else None)
    if client.seq is not None and before is not None and before > client.seq:
        client.gaps += before - client.seq
    if seq is not None:
        client.seq = max(client.seq or 0, seq)
    if data.get("type") == "called" and client.hub.recording:
        label = (data.get("ticket") or {}).get("label")
        if label:
            client.hub.arrived(client.kind, label, now)


class Listener:
    """One Socket.IO client (display or counter) that stamps the arrival of each 'called' event."""

    def __init__(self, hub: Hub, kind: str):
        self.hub = hub
        self.kind = kind
        self.sio = socketio.AsyncClient(reconnection=False)
        self.seq: int | None = None
        self.events = 0
        self.gaps = 0
        self.snapshot = asyncio.Event()
        self.sio.on("snapshot", self._snapshot)
        self.sio.on("event", self._event)
        self.sio.on("events", lambda batch: [self._event(ev) for ev in batch])
        self.sio.on("disconnect", self._disconnect)
        self.dropped: tuple[float, str] | None = None

    def _disconnect(self, reason=None):
        if self.hub.closing:
            return
        self.dropped = (time.perf_counter(), str(reason))
        self.hub.drops.append((time.perf_counter(), self.kind, str(reason)))

    def _snapshot(self, data):
        self.seq = data.get("seq")
        self.snapshot.set()

    def _event(self, data):
        count_event(self, data, time.perf_counter())

    @property
    def connected(self) -> bool:
        return self.sio.connected

    async def disconnect(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()

    async def connect(self, url: str, auth: dict, headers: dict | None = None) -> None:
        await self.sio.connect(url, auth=auth, headers=headers or {}, transports=["websocket"], wait_timeout=20)
        await asyncio.wait_for(self.snapshot.wait(), 20)


class LeanDisplay:
    """A display on a minimal Socket.IO client: Engine.IO v4 over one aiohttp WebSocket, nothing else.

    The same wire protocol as python-socketio's client (open, namespace connect with auth, ping/pong,
    events), at a fraction of its cost per message, so that 100 of them in this one process do not
    take the CPU the server needs on a small machine. `--display-client socketio` uses the library.
    """

    def __init__(self, hub: Hub, kind: str = "display"):
        self.hub = hub
        self.kind = kind
        self.seq: int | None = None
        self.events = 0
        self.gaps = 0
        self.connected = False
        self.http: aiohttp.ClientSession | None = None
        self.ws = None
        self.task: asyncio.Task | None = None

    async def connect(self, url: str, auth: dict, headers: dict | None = None) -> None:
        self.http = aiohttp.ClientSession(headers=headers or {})
        ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = await self.http.ws_connect(ws_url, autoping=False, max_msg_size=0)
        opened = await self.ws.receive_str(timeout=20)
        if not opened.startswith("0"):
            raise RuntimeError(f"no Engine.IO open packet: {opened[:80]!r}")
        await self.ws.send_str("40" + json.dumps(auth))
        snapshot = False
        deadline = time.monotonic() + 20
        while not snapshot:  # the connect answer ("40{sid}") and the snapshot event, in either order
            msg = await self.ws.receive_str(timeout=max(0.1, deadline - time.monotonic()))
            if msg.startswith("44"):
                raise RuntimeError(f"connection refused: {msg[:200]}")
            if msg.startswith("42"):
                name, data = json.loads(msg[2:])[:2]
                if name == "snapshot":
                    self.seq = data.get("seq")
                    snapshot = True
            elif msg == "2":
                await self.ws.send_str("3")
        self.connected = True
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        ws = self.ws
        try:
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    break
                now = time.perf_counter()
                text = msg.data
                if text == "2":  # Engine.IO ping
                    await ws.send_str("3")
                elif text.startswith("42"):
                    self._event(text, now)
                elif text.startswith("1") or text.startswith("41"):
                    break
        except (aiohttp.ClientError, asyncio.CancelledError, ConnectionError):
            pass
        finally:
            was, self.connected = self.connected, False
            if was and not self.hub.closing:
                self.hub.drops.append((time.perf_counter(), self.kind, f"closed ({ws.close_code})"))

    def _event(self, text: str, now: float) -> None:
        name, data = json.loads(text[2:])[:2]
        if name == "events":
            for one in data:
                self._one(one, now)
            return
        if name != "event":
            if name == "snapshot":
                self.seq = data.get("seq")
            return
        self._one(data, now)

    def _one(self, data: dict, now: float) -> None:
        count_event(self, data, now)

    async def disconnect(self) -> None:
        self.connected = False
        if self.ws is not None and not self.ws.closed:
            try:
                await self.ws.send_str("41")
            except Exception:
                pass
            await self.ws.close()
        if self.task is not None:
            self.task.cancel()
        if self.http is not None:
            await self.http.close()


class Hub:
    """Arrival times of 'called' events per ticket label, for the display and the staff rooms."""

    def __init__(self, displays: int, counters: int):
        self.need = {"display": displays, "staff": counters}
        self.times: dict[str, dict[str, list[float]]] = {"display": defaultdict(list), "staff": defaultdict(list)}
        self.done: dict[tuple[str, str], asyncio.Event] = {}
        self.recording = False
        self.closing = False
        self.drops: list[tuple[float, str, str]] = []

    def arrived(self, kind: str, label: str, at: float) -> None:
        times = self.times[kind][label]
        times.append(at)
        if len(times) >= self.need[kind]:
            self._event(kind, label).set()

    def _event(self, kind: str, label: str) -> asyncio.Event:
        return self.done.setdefault((kind, label), asyncio.Event())

    async def wait_all(self, kind: str, label: str, timeout: float) -> float | None:
        """perf_counter of the last of the room's clients to receive `label`'s call; None on timeout."""
        try:
            await asyncio.wait_for(self._event(kind, label).wait(), timeout)
        except TimeoutError:
            return None
        return max(self.times[kind][label][: self.need[kind]])


class Officer:
    """An officer at one counter: a session cookie, the CSRF header, one HTTP connection."""

    def __init__(self, url: str, counter_id: int, cookie: str, csrf: str):
        self.url = url
        self.counter_id = counter_id
        self.headers = {"Cookie": cookie, "X-CSRFToken": csrf}
        self.http: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        self.http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=1),
            cookie_jar=aiohttp.DummyCookieJar(),
            headers=self.headers,
            timeout=aiohttp.ClientTimeout(total=30),
        )

    async def act(self, action: str, payload: dict | None = None) -> tuple[int, dict | None]:
        async with self.http.post(f"{self.url}/api/counters/{self.counter_id}/{action}", json=payload or {}) as r:
            body = await r.json() if r.status != 204 else None
            return r.status, body

    async def serve_one(self, step: float = 0.0) -> str | None:
        """call-next, start, resolve, `step` seconds apart; the label served, or None when nobody was waiting."""
        status, body = await self.act("call-next")
        ticket = (body or {}).get("ticket") if status == 200 else None
        if not ticket:
            return None
        await self.finish(step)
        return ticket["label"]

    async def finish(self, step: float = 0.0) -> None:
        if step:
            await asyncio.sleep(step)
        await self.act("start")
        if step:
            await asyncio.sleep(step)
        await self.act("resolve", {"solution": "Kata sandi direset, akun dapat dipakai kembali."})


async def kiosk(url: str, state: dict, total: int, deadline: float) -> None:
    """One kiosk on its own keep-alive connection, issuing tickets back to back until `total` are issued."""
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=1),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=30),
    ) as http:
        while state["sent"] < total and time.monotonic() < deadline:
            i = state["sent"]
            state["sent"] += 1
            t0 = time.perf_counter()
            try:
                async with http.post(url + "/api/tickets", json=visitor(i)) as r:
                    await r.read()
                    status = r.status
            except (aiohttp.ClientError, TimeoutError) as err:
                state["errors"].append(repr(err))
                continue
            dt = time.perf_counter() - t0
            state["status"][status] += 1
            if status == 201:
                state["lat"].append(dt * 1000)


async def kiosks(url: str, total: int, count: int, timeout: float) -> dict:
    """`count` kiosks issuing until `total` tickets are issued: latencies, statuses, errors, wall time."""
    state = {"sent": 0, "lat": [], "status": defaultdict(int), "errors": []}
    deadline = time.monotonic() + timeout
    t0, cpu0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(kiosk(url, state, total, deadline) for _ in range(count)))
    state["wall_s"] = time.perf_counter() - t0
    state["cpu_s"] = time.process_time() - cpu0
    return state


class KioskProcess:
    """The kiosks in a process of their own, as kiosks are machines of their own: their timings are
    not delayed by this process's event loop, busy with the displays' frames. Started (imports done)
    before the phase, told to go when it begins."""

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--kiosk-worker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self.proc.stdout is not None
        ready = await self.proc.stdout.readline()
        if ready.strip() != b"ready":
            raise RuntimeError(f"kiosk process did not start: {ready!r}")

    async def run(self, url: str, total: int, count: int, timeout: float) -> dict:
        job = json.dumps({"url": url, "total": total, "count": count, "timeout": timeout})
        out, _ = await self.proc.communicate((job + "\n").encode())
        state = json.loads(out)
        state["status"] = defaultdict(int, {int(k): v for k, v in state["status"].items()})
        return state


def kiosk_worker() -> int:
    """Entry of the kiosk process: says it is ready, reads its job from stdin, prints the outcome as JSON."""
    print("ready", flush=True)
    job = json.loads(sys.stdin.readline())
    state = asyncio.run(kiosks(job["url"], job["total"], job["count"], job["timeout"]))
    print(json.dumps(state))
    return 0


async def officer_loop(
    officer: Officer, pace: float, stop: asyncio.Event, served: list, offset: float = 0.0, lockstep: bool = False
) -> None:
    """Phase A: one call-start-resolve cycle every `pace` seconds (or a pause when nobody waits).

    As ten people would: each officer starts `offset` seconds into the first cycle and spreads the
    three clicks over it (a third of the pace apart). `lockstep`: every officer clicks at the same
    moment, the three clicks back to back (the pattern of earlier rounds, a burst of ten requests).
    """
    if offset and not lockstep:
        await asyncio.sleep(offset)
    while not stop.is_set():
        t0 = time.monotonic()
        try:
            label = await officer.serve_one(0.0 if lockstep else pace / 3)
            if label:
                served.append(label)
        except (aiohttp.ClientError, TimeoutError):
            pass
        rest = pace - (time.monotonic() - t0)
        if rest > 0:
            try:
                await asyncio.wait_for(stop.wait(), rest)
            except TimeoutError:
                pass


async def waiting_count(url: str) -> int:
    async with aiohttp.ClientSession() as http, http.get(url + "/api/state") as r:
        snap = await r.json()
    return sum(s["waiting"] for s in snap["services"])


async def run(args: argparse.Namespace, server: LiveServer, logins: list[tuple[str, str]]) -> dict:
    url = server.url
    pid = server.proc.pid
    hub = Hub(args.displays, args.counters)
    display_class = LeanDisplay if args.display_client == "lean" else Listener
    displays = [display_class(hub, "display") for _ in range(args.displays)]
    staff = [Listener(hub, "staff") for _ in range(args.counters)]
    officers = [Officer(url, i + 1, cookie, csrf) for i, (cookie, csrf) in enumerate(logins)]
    result: dict = {}
    try:
        # -- connect every screen (in small batches, as offices switch on) ------------------
        t0 = time.perf_counter()
        for i in range(0, len(displays), 20):
            await asyncio.gather(*(d.connect(url, {"role": "display"}) for d in displays[i : i + 20]))
        for listener, (cookie, _) in zip(staff, logins, strict=True):
            await listener.connect(url, {"role": "counter"}, {"Cookie": cookie})
        for o in officers:
            await o.open()
        result["connect_s"] = round(time.perf_counter() - t0, 2)
        result["rss_connected_mb"] = round(proc_status(pid).get("VmRSS", 0) / 1024, 1)

        # -- phase A: kiosks issue as fast as they can while the counters work ------------------
        stop = asyncio.Event()
        served: list[str] = []
        elsewhere = None if args.kiosks_here else KioskProcess()
        if elsewhere:
            await elsewhere.start()
        spy = start_profiler(args.profile, pid)
        cpu_server0, cpu_client0, rq0 = cpu_seconds(pid), cpu_seconds(), run_queue_wait_seconds(pid)
        pace = args.pace_ms / 1000
        draw = random.Random(2026)  # a fixed draw of when each officer starts: runs compare
        workers = [
            asyncio.create_task(officer_loop(o, pace, stop, served, draw.uniform(0, pace), args.lockstep))
            for o in officers
        ]
        t0 = phase_a_start = time.perf_counter()
        issue = elsewhere.run if elsewhere else kiosks
        state = await issue(url, args.tickets, args.kiosks, args.phase_timeout)
        wall = time.perf_counter() - t0
        cpu_server, cpu_client = cpu_seconds(pid) - cpu_server0, cpu_seconds() - cpu_client0
        rq = run_queue_wait_seconds(pid) - rq0
        psi = cpu_pressure()
        stop_profiler(spy)
        stop.set()
        await asyncio.gather(*workers)
        ok = state["status"].get(201, 0)
        result["issue"] = {
            "tickets": ok,
            "wall_s": round(wall, 2),
            "tickets_per_s": round(ok / wall, 1) if wall else 0.0,
            "p50_ms": _r(percentile(state["lat"], 50)),
            "p99_ms": _r(percentile(state["lat"], 99)),
            "max_ms": _r(max(state["lat"], default=None)),
            "status": dict(state["status"]),
            "errors": len(state["errors"]),
            "served_meanwhile": len(served),
            "server_cpu_pct": round(100 * cpu_server / wall, 0) if wall else None,
            # the steadier figure on a shared machine: the server's CPU (user + system) per ticket issued, the
            # counters' work in the same seconds included
            "server_cpu_ms_per_ticket": round(1000 * cpu_server / ok, 3) if ok else None,
            "client_cpu_pct": round(100 * cpu_client / wall, 0) if wall else None,
            "kiosk_process_cpu_pct": round(100 * state["cpu_s"] / wall, 0) if wall and elsewhere else None,
            "server_runqueue_wait_pct": round(100 * rq / wall, 0) if wall else None,
            "machine_cpu_pressure_pct": psi,
        }

        # -- top up the queue so that phase B has a ticket for every sample --------------------
        waiting = await waiting_count(url)
        if waiting < args.samples + len(officers):
            await kiosks(url, args.samples + len(officers) - waiting, args.kiosks, 120)
        await asyncio.sleep(1.0)  # let the print worker and the sockets settle

        # -- screens that dropped during phase A come back (as a browser page would), so phase B measures all
        drops_in_a = len(hub.drops)
        for group, make in ((displays, lambda: display_class(hub, "display")), (staff, lambda: Listener(hub, "staff"))):
            for i, client in enumerate(group):
                if not client.connected:
                    await client.disconnect()
                    group[i] = make()
                    headers = {"Cookie": logins[i][0]} if client.kind == "staff" else None
                    auth = {"role": "counter" if client.kind == "staff" else "display"}
                    await group[i].connect(url, auth, headers)

        # -- phase B: one call at a time; until the last display and the last counter have it ---
        hub.recording = True
        display_ms, staff_ms, response_ms, missed = [], [], [], 0
        phase_b_deadline = time.monotonic() + args.phase_timeout
        for i in range(args.samples):
            if time.monotonic() > phase_b_deadline or (displays and not any(d.connected for d in displays)):
                break
            officer = officers[i % len(officers)]
            t0 = time.perf_counter()
            status, body = await officer.act("call-next")
            t_resp = time.perf_counter()
            ticket = (body or {}).get("ticket") if status == 200 else None
            if not ticket:
                missed += 1
                continue
            label = ticket["label"]
            response_ms.append((t_resp - t0) * 1000)
            t_staff = await hub.wait_all("staff", label, 5.0) if any(c.connected for c in staff) else None
            t_disp = await hub.wait_all("display", label, 5.0) if any(d.connected for d in displays) else None
            if (staff and t_staff is None) or (displays and t_disp is None):
                missed += 1
            if t_staff is not None:
                staff_ms.append((t_staff - t0) * 1000)
            if t_disp is not None:
                display_ms.append((t_disp - t0) * 1000)
            await officer.finish()
            await asyncio.sleep(args.gap_ms / 1000)
        hub.recording = False
        result["call"] = {
            "samples": len(display_ms),
            "missed": missed,
            "display_p50_ms": _r(percentile(display_ms, 50)),
            "display_p99_ms": _r(percentile(display_ms, 99)),
            "display_max_ms": _r(max(display_ms, default=None)),
            "staff_p50_ms": _r(percentile(staff_ms, 50)),
            "staff_p99_ms": _r(percentile(staff_ms, 99)),
            "response_p50_ms": _r(percentile(response_ms, 50)),
            "response_p99_ms": _r(percentile(response_ms, 99)),
        }
        result["sockets"] = {
            "events_per_display": round(sum(d.events for d in displays) / max(1, len(displays)), 1),
            "seq_gaps": sum(c.gaps for c in displays + staff),
            "still_connected": sum(1 for c in displays + staff if c.connected),
            "dropped": len(hub.drops),
            "dropped_in_phase_a": drops_in_a,
            "first_drop": None
            if not hub.drops
            else {
                "after_phase_a_start_s": round(hub.drops[0][0] - phase_a_start, 1),
                "kind": hub.drops[0][1],
                "reason": hub.drops[0][2],
            },
        }
        mem = proc_status(pid)
        result["rss_mb"] = round(mem.get("VmRSS", 0) / 1024, 1)
        result["rss_peak_mb"] = round(mem.get("VmHWM", 0) / 1024, 1)
        result["server_threads"] = mem.get("Threads")
    finally:
        hub.closing = True
        for o in officers:
            if o.http is not None:
                await o.http.close()
        await asyncio.gather(*(c.disconnect() for c in displays + staff), return_exceptions=True)
    return result


def start_profiler(path: str | None, pid: int):
    """py-spy (pip install py-spy) sampling the server during phase A, wall time (--idle), raw stacks; without
    stopping the server for each sample (--nonblocking): under CPU pressure a server stopped 200 times a second waited
    each time for py-spy's own turn on a CPU (3.7 tickets/s profiled, 64 not; docs/performance.md, "Notes on method")."""
    if not path:
        return None
    import shutil
    import subprocess

    exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return subprocess.Popen(
        [exe, "record", "--idle", "--nonblocking", "-r", "200", "-f", "raw", "-o", path, "-p", str(pid)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_profiler(proc) -> None:
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        try:
            proc.wait(20)
        except Exception:
            proc.kill()


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def figures(result: dict) -> dict:
    """The headline figures, flat, as compared with the targets."""
    return {
        "issue_p50_ms": result["issue"]["p50_ms"],
        "issue_p99_ms": result["issue"]["p99_ms"],
        "tickets_per_s": result["issue"]["tickets_per_s"],
        "call_to_display_p50_ms": result["call"]["display_p50_ms"],
        "call_to_display_p99_ms": result["call"]["display_p99_ms"],
        "click_to_form_p50_ms": result["call"]["staff_p50_ms"],
        "click_to_form_p99_ms": result["call"]["staff_p99_ms"],
        "rss_mb": result["rss_mb"],
        "rss_peak_mb": result["rss_peak_mb"],
    }


def verdicts(fig: dict) -> dict[str, bool]:
    out = {}
    for name, (limit, kind) in TARGETS.items():
        value = fig.get(name)
        out[name] = value is not None and (value <= limit if kind == "max" else value >= limit)
    return out


def table(args: argparse.Namespace, result: dict) -> str:
    fig = figures(result)
    ok = verdicts(fig)
    mark = {True: "ok", False: "MISSED"}
    rows = [
        ("issue latency p50", f"{fig['issue_p50_ms']} ms", "", ""),
        ("issue latency p99", f"{fig['issue_p99_ms']} ms", "<= 25 ms", mark[ok["issue_p99_ms"]]),
        ("tickets issued / s", f"{fig['tickets_per_s']}", ">= 300", mark[ok["tickets_per_s"]]),
        (f"call-to-display p50 ({args.displays} displays)", f"{fig['call_to_display_p50_ms']} ms", "", ""),
        (
            f"call-to-display p99 ({args.displays} displays)",
            f"{fig['call_to_display_p99_ms']} ms",
            "<= 50 ms",
            mark[ok["call_to_display_p99_ms"]],
        ),
        ("click-to-form p50", f"{fig['click_to_form_p50_ms']} ms", "", ""),
        ("click-to-form p99", f"{fig['click_to_form_p99_ms']} ms", "<= 100 ms", mark[ok["click_to_form_p99_ms"]]),
        ("server RSS at end", f"{fig['rss_mb']} MB", "<= 150 MB", mark[ok["rss_mb"]]),
        ("server RSS peak (VmHWM)", f"{fig['rss_peak_mb']} MB", "", ""),
    ]
    w = max(len(r[0]) for r in rows)
    lines = [f"{'measure':<{w}}  {'measured':>12}  {'target':>10}  verdict", "-" * (w + 36)]
    lines += [f"{a:<{w}}  {b:>12}  {c:>10}  {d}" for a, b, c, d in rows]
    iss, call, sk = result["issue"], result["call"], result["sockets"]
    lines += [
        "",
        f"phase A: {iss['tickets']} tickets (201) in {iss['wall_s']} s by {args.kiosks} kiosks; statuses "
        f"{iss['status']}, errors {iss['errors']}; max {iss['max_ms']} ms; {iss['served_meanwhile']} served "
        f"meanwhile by {args.counters} counters; CPU server {iss['server_cpu_pct']}% "
        f"({iss['server_cpu_ms_per_ticket']} ms a ticket), bench client "
        f"{iss['client_cpu_pct']}%, kiosk process {iss['kiosk_process_cpu_pct'] or '-'}% (of one core); "
        f"kiosks {'in the bench process' if args.kiosks_here else 'in a process of their own'}; server waited for a CPU {iss['server_runqueue_wait_pct']}% "
        f"of the time; machine CPU pressure (PSI some avg10) {iss['machine_cpu_pressure_pct']}%",
        f"phase B: {call['samples']} calls, {call['missed']} missed; call-next response p50 "
        f"{call['response_p50_ms']} ms / p99 {call['response_p99_ms']} ms; call-to-display max "
        f"{call['display_max_ms']} ms",
        f"sockets: {sk['still_connected']}/{args.displays + args.counters} connected at the end, "
        f"{sk['dropped_in_phase_a']} dropped in phase A and reconnected for B, {sk['dropped']} in all "
        f"(first: {sk['first_drop']}), "
        f"{sk['events_per_display']} events per display, {sk['seq_gaps']} seq gaps; connect {result['connect_s']} s; "
        f"RSS after connecting {result['rss_connected_mb']} MB; server threads {result['server_threads']}",
    ]
    return "\n".join(lines)


def login(server: LiveServer, name: str) -> tuple[str, str]:
    s = server.session(name, PASSWORD)
    cookie = "; ".join(f"{k}={v}" for k, v in s.cookies.items())
    return cookie, s.headers["X-CSRFToken"]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--displays", type=int, default=100)
    p.add_argument("--counters", type=int, default=10)
    p.add_argument("--kiosks", type=int, default=4)
    p.add_argument("--tickets", type=int, default=2000)
    p.add_argument("--samples", type=int, default=200, help="calls measured in phase B")
    p.add_argument("--pace-ms", type=int, default=200, help="phase A: one call-start-resolve per counter per ...")
    p.add_argument("--gap-ms", type=int, default=20, help="phase B: pause between two measured calls")
    p.add_argument("--phase-timeout", type=float, default=180.0, help="seconds; each phase stops after this")
    p.add_argument(
        "--display-client",
        choices=["lean", "socketio"],
        default="lean",
        help="displays on a minimal Engine.IO client (default) or on python-socketio's AsyncClient",
    )
    p.add_argument(
        "--kiosks-here",
        action="store_true",
        help="run the kiosks in this process (shared with the displays) instead of a process of their own",
    )
    p.add_argument(
        "--lockstep",
        action="store_true",
        help="phase A: every officer clicks at the same moment, three clicks back to back (earlier rounds' load)",
    )
    p.add_argument("--profile", metavar="PATH", help="record the server with py-spy during phase A (raw stacks)")
    p.add_argument("--json", action="store_true", help="also print the figures as JSON")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (database, server log)")
    args = p.parse_args(argv)
    args.counters = max(1, args.counters)

    signal.signal(signal.SIGTERM, _terminate)  # so that `finally` stops the server
    tmp = Path(tempfile.mkdtemp(prefix="antrian-bench-"))
    server = LiveServer(write_bench_config(tmp, args.counters))
    result: dict | None = None
    try:
        server.start(timeout=30)
        names = [f"petugas{i}" for i in range(1, args.counters + 1)]
        for name in names:
            server.add_user(name, "officer", PASSWORD, scrypt=True)
        logins = [login(server, name) for name in names]
        result = asyncio.run(run(args, server, logins))
    except Exception as err:  # report, do not hide: the server log says what went wrong
        print(f"benchmark failed: {err!r}\n--- server log (tail) ---\n{server.log()[-3000:]}", file=sys.stderr)
    finally:
        server.stop()
        if not args.keep:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    if result is None:
        return 0
    print(
        f"Antrian server benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
        f"{_cores()} cores, Python {platform.python_version()}"
    )
    print(
        f"{args.displays} displays, {args.counters} counters, {args.kiosks} kiosks, {args.tickets} tickets, "
        f"{args.samples} measured calls; SQLite WAL synchronous=FULL; loopback\n"
    )
    print(table(args, result))
    if args.json:
        fig = figures(result)
        print(
            json.dumps(
                {
                    "figures": fig,
                    "ok": verdicts(fig),
                    "detail": result,
                    "params": {k: v for k, v in vars(args).items() if k not in ("json", "keep")},
                },
                indent=2,
            )
        )
    if args.keep:
        print(f"\nkept: {tmp}")
    return 0


def _terminate(signum, frame):
    raise KeyboardInterrupt


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    if sys.argv[1:] == ["--kiosk-worker"]:
        sys.exit(kiosk_worker())
    sys.exit(main())
