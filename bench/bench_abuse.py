"""Abuse benchmark: the real server under attack while kiosks issue tickets and displays listen.

    python bench/bench_abuse.py [--seconds 10] [--only NAME] [--displays 100] [--quick] [--json]
                                [--kiosk-pace MS]

Starts `python -m server serve` on a free port of 127.0.0.1 (a fresh temporary database and config,
as bench/bench_server.py does) with a soft RLIMIT_NOFILE of 1024, then runs one phase after another:
a quiet baseline, each attack, and a quiet phase again at the end. In every phase 4 kiosks issue
tickets back to back (closed loop, a process of their own; with --kiosk-pace, one every MS ms each), D displays listen over Socket.IO
(WebSocket, this process) and one logged-in officer calls a ticket at a steady pace; the attacker
is a third process. Printed per phase: the kiosks' issue latency and errors, whether every display
received every call, the attacker's achieved rate; at the end the server's open descriptors and RSS
against before the attacks. After each phase the bench waits for the server to idle (restarting it
when it does not within --settle-max, a failure of that phase) and cancels the phase's tickets but
the newest few, so that the queue does not grow from phase to phase. The polling phase lasts longer
(--poll-seconds; by default a session's expiry, ping interval + timeout, and 30 s more), so that
the sessions it abandons expire while the kiosks issue. Every client operation has a
timeout: a server that stalls gives a report of failures, not a hung bench. It never asserts
(exit 0). See docs/performance.md, "Abuse bench".

Addresses: the attacker sends from 127.0.0.1 (the polling attack from --poll-addresses devices,
127.0.60.1 onwards); the officer's PC is 127.0.0.2, each display 127.0.1.N and each kiosk
127.0.20.N (all of 127/8 is loopback), so per-address defences see separate devices, as on an
office network.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

try:
    import aiohttp
except ImportError:  # the `bench` extra, not installed by `make test`
    sys.exit("bench: aiohttp is missing; run `make bench-setup` (requirements-bench.lock)")
from common import (  # noqa: E402
    cpu_pressure,
    cpu_seconds,
    percentile,
    proc_status,
    run_queue_wait_seconds,
    write_bench_config,
)
from live import ROOT, LiveServer  # noqa: E402  (tests/live.py, put on sys.path by common)

PASSWORD = "rahasia-123"
OFFICER = "petugas1"  # calls tickets all through the run
SIDE_OFFICER = "petugas2"  # logs in once per phase, measured (quiet and login phases)
ATTACKER_ADDR = "127.0.0.1"
OFFICER_ADDR = "127.0.0.2"
SERVER_NOFILE = 1024  # the server's soft RLIMIT_NOFILE (`ulimit -n 1024`)
KIOSK_P99_MS = 50.0  # target: kiosk issue p99 during every attack
LEAK_FDS = 5  # tolerance: descriptors more than before all attacks
LEAK_RSS_MB = 20.0  # tolerance: RSS more than before all attacks
POLL_MARGIN_S = 30.0  # the polling phase lasts this much longer than a session's expiry
RSS_CAP_MB = 2048.0  # safety valve: an attack is stopped (and the server restarted) above this
SERVICES = ("A", "B", "C")
FRONT_OFFICE = "depan1"  # cancels the kiosks' tickets after each phase (the queue keeps its length)
KEEP_WAITING = 60  # tickets left waiting after each phase, for the officer
SOLUTION = {"solution": "Kata sandi direset, akun dapat dipakai kembali."}
CHILDREN: set[int] = set()  # pids of processes this bench started (the watchdog kills these)


def display_addr(i: int) -> str:
    return f"127.0.{1 + i // 250}.{1 + i % 250}"


def kiosk_addr(i: int) -> str:
    return f"127.0.20.{1 + i}"


def polling_addr(i: int) -> str:
    """The polling attack's devices: 127.0.60.1 onwards (no display, kiosk or officer among them)."""
    return f"127.0.{60 + i // 250}.{1 + i % 250}"


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


def raise_nofile() -> int:
    """This process's soft RLIMIT_NOFILE raised to its hard limit (3,000 sockets need it); the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = 1_048_576 if hard == resource.RLIM_INFINITY else hard
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def count_fds(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def nofile_limit(pid: int) -> str:
    """'soft/hard' of the process's open-files limit, from /proc/<pid>/limits."""
    try:
        with open(f"/proc/{pid}/limits") as f:
            for line in f:
                if line.startswith("Max open files"):
                    soft, hard = line.split()[3:5]
                    return f"{soft}/{hard}"
    except OSError:
        pass
    return "?"


def _r(value: float | None, nd: int = 1) -> float | None:
    return None if value is None else round(value, nd)


# -- Socket.IO over one aiohttp WebSocket (Engine.IO v4), as bench_server's LeanDisplay ------------------


async def sio_open(url: str, auth: dict, local: str, timeout: float = 10.0):
    """(session, ws, snapshot) of a Socket.IO client connected with `auth` from address `local`."""
    http = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(local_addr=(local, 0), force_close=True),
        timeout=aiohttp.ClientTimeout(total=None, connect=timeout, sock_connect=timeout),
    )
    try:
        ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        ws = await asyncio.wait_for(http.ws_connect(ws_url, autoping=False, max_msg_size=0), timeout)
        opened = await ws.receive_str(timeout=timeout)
        if not opened.startswith("0"):
            raise RuntimeError(f"no Engine.IO open packet: {opened[:80]!r}")
        await ws.send_str("40" + json.dumps(auth))
        deadline = time.monotonic() + timeout
        while True:  # the connect answer ("40{sid}") and the snapshot event, in either order
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no snapshot")
            msg = await ws.receive_str(timeout=left)
            if msg.startswith("44"):
                raise RuntimeError(f"connection refused: {msg[:200]}")
            if msg.startswith("42"):
                name, data = json.loads(msg[2:])[:2]
                if name == "snapshot":
                    return http, ws, data
            elif msg == "2":
                await ws.send_str("3")
    except BaseException:
        await http.close()
        raise


async def ws_close(http, ws) -> None:
    with contextlib.suppress(Exception):
        if ws is not None and not ws.closed:
            await asyncio.wait_for(ws.close(), 2)
    with contextlib.suppress(Exception):
        if http is not None:
            await asyncio.wait_for(http.close(), 2)


async def sign_in(http: aiohttp.ClientSession, url: str, username: str) -> dict:
    """Log in as `username`: the headers (session cookie, CSRF token) its later writes send."""
    async with http.post(url + "/api/login", json={"username": username, "password": PASSWORD}) as r:
        body = await r.json(content_type=None)
        if r.status != 200:
            raise RuntimeError(f"login {username}: HTTP {r.status} {body}")
        cookie = "; ".join(f"{k}={m.value}" for k, m in r.cookies.items())
        return {"Cookie": cookie, "X-CSRFToken": body["csrf_token"]}


def call_key(ticket: dict) -> str:
    """A call's key: its day and label (labels start again at the office's midnight)."""
    return f"{ticket.get('day')}/{ticket.get('label')}"


# -- the attacker process ----------------------------------------------------------------------------


async def run_until(coros: list, seconds: float, at_deadline=None) -> None:
    """Run the coroutines until they end or `seconds` pass (then `at_deadline()`); cancel what is left."""
    tasks = [asyncio.ensure_future(c) for c in coros]
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=max(0.0, seconds))
    if at_deadline is not None:
        at_deadline()
    for t in pending:
        t.cancel()
    if pending:  # bounded: Python 3.11's wait_for can swallow a cancellation (the loops check DEADLINE too)
        await asyncio.wait(pending, timeout=10)


# When the attack (or a drain) must stop: every loop of it checks, as well as being cancelled.
DEADLINE = [float("inf")]


def running() -> bool:
    return time.monotonic() < DEADLINE[0]


def _err(err: BaseException) -> str:
    return type(err).__name__


async def attack_login(url: str, seconds: float, p: dict) -> dict:
    """`concurrency` POST /api/login as 'admin' with wrong passwords, kept in flight for `seconds`."""
    n = p["concurrency"]
    answers: Counter = Counter()
    errors: Counter = Counter()
    in_flight = [0, 0]  # now, at the deadline
    timeout = aiohttp.ClientTimeout(total=None, connect=5, sock_connect=5, sock_read=seconds + 30)
    connector = aiohttp.TCPConnector(limit=n, local_addr=(ATTACKER_ADDR, 0))
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(), timeout=timeout) as http:

        async def worker(i: int) -> None:
            j = 0
            while running():
                j += 1
                in_flight[0] += 1
                try:
                    body = {"username": "admin", "password": f"salah-{i}-{j}"}
                    async with http.post(url + "/api/login", json=body) as r:
                        await r.read()
                        answers[r.status] += 1
                except (aiohttp.ClientError, TimeoutError, OSError) as err:
                    errors[_err(err)] += 1
                    await asyncio.sleep(0.1)
                finally:
                    in_flight[0] -= 1

        t0 = time.perf_counter()
        await run_until([worker(i) for i in range(n)], seconds, lambda: in_flight.__setitem__(1, in_flight[0]))
        wall = time.perf_counter() - t0
    total = sum(answers.values())
    return {
        "concurrency": n,
        "answered": total,
        "answered_per_s": round(total / wall, 1),
        "status": dict(answers),
        "errors": dict(errors),
        "in_flight_at_end": in_flight[1],
    }


def _flood_message(what: str, size: int):
    if what == "snapshot":
        return lambda n: '42["snapshot"]'
    if what == "unknown":
        return lambda n: '42["no-such-event",{"n":' + str(n) + "}]"
    if what == "print_ack":
        return lambda n: "42" + str(n) + '["print_ack",{"job":1,"ok":true}]'
    if what == "large":
        big = '42["no-such-event","' + "x" * size + '"]'
        return lambda n: big
    raise ValueError(what)


async def attack_socket_flood(url: str, seconds: float, p: dict) -> dict:
    """`sockets` clients connected as displays, each sending `what` as fast as it can (and reading the
    answers); a socket the server closes connects again at once, as an attacker's would."""
    what, k, size = p["what"], p["sockets"], p.get("size", 0)
    make = _flood_message(what, size)
    counts: Counter = Counter()
    open_conns: set = set()

    async def reader(ws) -> None:
        try:
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    break
                text = msg.data
                if text == "2":
                    await ws.send_str("3")
                elif text.startswith('42["snapshot"'):
                    counts["snapshots"] += 1
                elif text.startswith("43"):
                    counts["acks"] += 1
                elif text.startswith("40"):
                    pass  # the namespace's connect answer, after the snapshot
                elif text.startswith('42["event'):
                    counts["broadcasts"] += 1  # joined as a display: the queue's events too
                elif text.startswith("41") or text.startswith("1"):
                    break
                else:
                    counts["other"] += 1
        except (aiohttp.ClientError, ConnectionError, RuntimeError):
            pass

    async def writer(ws) -> None:
        n = 0
        try:
            while not ws.closed and running():
                await ws.send_str(make(n))
                n += 1
                counts["sent"] += 1
                if n % 20 == 0:
                    await asyncio.sleep(0)  # let the readers (and the pong) run
        except (aiohttp.ClientError, ConnectionError, RuntimeError):
            pass

    async def flooder() -> None:
        while running():
            try:
                http, ws, _ = await sio_open(
                    url, {"role": "display"}, ATTACKER_ADDR, timeout=max(1.0, min(10.0, seconds))
                )
            except Exception as err:  # reported; tries again
                counts["connect_failed:" + _err(err)] += 1
                await asyncio.sleep(0.1)
                continue
            counts["connections"] += 1
            open_conns.add((http, ws))
            jobs = [asyncio.create_task(reader(ws)), asyncio.create_task(writer(ws))]
            try:
                await asyncio.wait(jobs, return_when=asyncio.FIRST_COMPLETED)
                if running():
                    counts["closed_by_server"] += 1  # the reader or the writer found the socket closed
            finally:
                for j in jobs:
                    j.cancel()
                open_conns.discard((http, ws))
                await ws_close(http, ws)

    t0 = time.perf_counter()
    await run_until([flooder() for _ in range(k)], seconds)
    wall = time.perf_counter() - t0
    await asyncio.gather(*(ws_close(h, w) for h, w in list(open_conns)))
    out = {
        "what": what,
        "sockets": k,
        "connections": counts.pop("connections", 0),
        "sent": counts.pop("sent", 0),
        "snapshots": counts.pop("snapshots", 0),
        "acks": counts.pop("acks", 0),
        "closed_by_server": counts.pop("closed_by_server", 0),
        "other": dict(counts),
    }
    out["sent_per_s"] = round(out["sent"] / wall, 1)
    out["answers_per_s"] = round((out["snapshots"] + out["acks"]) / wall, 1)
    if what == "large":
        out["mb_per_s"] = round(out["sent"] * size / 1e6 / wall, 1)
    return out


async def attack_snapshot_budget(url: str, seconds: float, p: dict) -> dict:
    """`sockets` display sockets from the attacker's address asking for snapshots as fast as the server's
    budgets allow, never past one (no socket closed, no penalty): each connection takes its connect's
    snapshot and asks for `asks` more at once (a connection's snapshot burst, server/realtime.py
    SNAPSHOTS_BURST), waits for them, closes and connects again (a new connection, a new burst). The
    connections and the asks are paced to the device's request budget (`rate` a second, `burst` at once:
    [limits] requests_per_minute; a WebSocket's handshake and each snapshot past a connection's first cost
    one request each), a little under it."""
    k, asks = p["sockets"], p["asks"]
    rate, burst = p["rate"] * 0.97, p["burst"] * 0.95
    tokens, stamp = [burst], [time.monotonic()]
    c: Counter = Counter()

    async def spend() -> None:  # one request of the device's budget, as the server counts it (a token bucket)
        while True:
            now = time.monotonic()
            tokens[0] = min(burst, tokens[0] + (now - stamp[0]) * rate)
            stamp[0] = now
            if tokens[0] >= 1:
                tokens[0] -= 1
                return
            await asyncio.sleep((1 - tokens[0]) / rate)

    async def one() -> None:
        while running():
            await spend()  # the handshake
            http = ws = None
            try:
                http, ws, _ = await sio_open(
                    url, {"role": "display"}, ATTACKER_ADDR, timeout=max(1.0, min(10.0, seconds))
                )
            except Exception as err:  # reported; tries again
                c["connect_failed:" + _err(err)] += 1
                await asyncio.sleep(0.2)
                continue
            try:
                c["connections"] += 1
                c["snapshots"] += 1
                for _ in range(asks):
                    await spend()
                    await ws.send_str('42["snapshot"]')
                    c["asked"] += 1
                got, deadline = 0, time.monotonic() + 5
                while got < asks and time.monotonic() < deadline:
                    msg = await ws.receive(timeout=max(0.01, deadline - time.monotonic()))
                    if msg.type != aiohttp.WSMsgType.TEXT:
                        c["closed_by_server"] += 1
                        break
                    if msg.data == "2":
                        await ws.send_str("3")
                    elif msg.data.startswith('42["snapshot"'):
                        got += 1
                c["snapshots"] += got
            except (aiohttp.ClientError, ConnectionError, RuntimeError, TimeoutError) as err:
                c["failed:" + _err(err)] += 1
            finally:
                await ws_close(http, ws)

    t0 = time.perf_counter()
    await run_until([one() for _ in range(k)], seconds)
    wall = time.perf_counter() - t0
    out = {
        "sockets": k,
        "connections": c.pop("connections", 0),
        "asked": c.pop("asked", 0),
        "snapshots": c.pop("snapshots", 0),
        "closed_by_server": c.pop("closed_by_server", 0),
        "other": dict(c),
    }
    out["connections_per_s"] = round(out["connections"] / wall, 1)
    out["snapshots_per_s"] = round(out["snapshots"] / wall, 1)
    return out


async def attack_http(url: str, seconds: float, p: dict) -> dict:
    """`workers` keep-alive connections, each GETting the anonymous pages and API in turn as fast as it can."""
    paths: list[str] = p["paths"]
    per_path: dict[str, Counter] = {path: Counter() for path in paths}
    received = [0]

    async def worker(i: int) -> None:
        timeout = aiohttp.ClientTimeout(total=10, connect=5, sock_connect=5)
        connector = aiohttp.TCPConnector(limit=1, local_addr=(ATTACKER_ADDR, 0))
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
            k = i
            while running():
                path = paths[k % len(paths)]
                k += 1
                try:
                    async with http.get(url + path) as r:
                        received[0] += len(await r.read())
                        per_path[path][r.status] += 1
                except (aiohttp.ClientError, TimeoutError, OSError) as err:
                    per_path[path][_err(err)] += 1
                    await asyncio.sleep(0.1)

    t0 = time.perf_counter()
    await run_until([worker(i) for i in range(p["workers"])], seconds)
    wall = time.perf_counter() - t0
    total = sum(v for c in per_path.values() for k, v in c.items() if isinstance(k, int))
    return {
        "workers": p["workers"],
        "answered": total,
        "answered_per_s": round(total / wall, 1),
        "mb_per_s": round(received[0] / 1e6 / wall, 1),
        "per_path": {path: dict(c) for path, c in per_path.items()},
    }


async def attack_polling(url: str, seconds: float, p: dict) -> dict:
    """From each of `addresses` addresses, one request every 1/`rate` s (its budget): an Engine.IO
    long-polling handshake, then the Socket.IO connect as a display (`40{"role":"display"}`, into the
    displays' room), and never a poll again. Each session lives until its ping timeout (`expiry_s`
    after it opened), and every broadcast reaches it; a refused handshake (401: the device holds its
    limit of sessions) is tried again at the same pace, as an attacker's would be."""
    n, rate, expiry = p["addresses"], p["rate"], p["expiry_s"]
    gap = 1.0 / rate
    base = url + "/socket.io/?EIO=4&transport=polling"
    c: Counter = Counter()
    opened_at: list[float] = []
    t0 = time.monotonic()
    first_refused: list[float] = []

    async def device(i: int) -> None:
        http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=1, keepalive_timeout=60, local_addr=(polling_addr(i), 0)),
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=10, connect=5, sock_connect=5),
        )
        next_at = time.monotonic() + gap * i / n  # the devices spread over one interval

        async def paced() -> None:
            nonlocal next_at
            now = time.monotonic()
            if next_at > now:
                await asyncio.sleep(next_at - now)
            next_at = max(next_at, time.monotonic() - 1.0) + gap  # after a stall, no more than 1 s caught up

        try:
            while running():
                await paced()
                c["requests"] += 1
                try:
                    async with http.get(base) as r:
                        body = await r.text()
                        status = r.status
                    if status != 200:
                        if status == 401 and not first_refused:
                            first_refused.append(time.monotonic() - t0)
                        c["refused" if status == 401 else f"handshake HTTP {status}"] += 1
                        continue
                    sid = json.loads(body[1:].split("\x1e")[0])["sid"]
                    c["handshakes"] += 1
                    await paced()
                    c["requests"] += 1
                    async with http.post(f"{base}&sid={sid}", data='40{"role":"display"}') as r:
                        await r.read()
                        status = r.status
                    if status == 200:
                        opened_at.append(time.monotonic())
                    else:
                        c[f"connect HTTP {status}"] += 1
                except (aiohttp.ClientError, TimeoutError, OSError, ValueError, KeyError) as err:
                    c["failed:" + _err(err)] += 1
                    await asyncio.sleep(0.5)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(http.close(), 5)

    await run_until([device(i) for i in range(n)], seconds)
    end = time.monotonic()
    expired = sum(1 for t in opened_at if end - t > expiry)
    return {
        "addresses": n,
        "rate_per_address": rate,
        "expiry_s": expiry,
        "requests_per_s": round(c.pop("requests", 0) / (end - t0), 1),
        "handshakes": c.pop("handshakes", 0),
        "opened": len(opened_at),
        "refused": c.pop("refused", 0),
        "first_refused_after_s": _r(first_refused[0] if first_refused else None),
        "expired_by_end": expired,  # opened more than expiry_s before the end: past their ping timeout
        "other": dict(c),
    }


async def _open(host: str, port: int, timeout: float = 5.0):
    return await asyncio.wait_for(asyncio.open_connection(host, port, local_addr=(ATTACKER_ADDR, 0)), timeout)


async def attack_slowloris(host: str, port: int, seconds: float, p: dict) -> dict:
    """`connections` half-open requests: a request line and one header, then one more header every
    `interval` s; one the server closes (or answers) is opened again, as slowloris does."""
    n, interval = p["connections"], p["interval"]
    sem = asyncio.Semaphore(256)
    c: Counter = Counter()
    now_open = [0, 0]  # now, at the deadline
    writers = set()

    async def one(i: int) -> None:
        while running():
            async with sem:
                try:
                    reader, writer = await _open(host, port)
                except (OSError, TimeoutError) as err:
                    c["connect_failed:" + _err(err)] += 1
                    await asyncio.sleep(0.5)
                    continue
            writers.add(writer)
            c["connects"] += 1
            now_open[0] += 1
            try:
                writer.write(f"GET /api/state HTTP/1.1\r\nHost: {host}:{port}\r\n".encode())
                c["lines"] += 2
                k = 0
                while running():
                    try:
                        data = await asyncio.wait_for(reader.read(65536), interval)
                    except TimeoutError:
                        k += 1
                        writer.write(f"X-Slow-{k}: {i}\r\n".encode())
                        await asyncio.wait_for(writer.drain(), interval)
                        c["lines"] += 1
                        continue
                    if data:
                        c["answered_by_server"] += 1  # e.g. 408 or 503: the server gave up on it
                    else:
                        c["closed_by_server"] += 1
                        break
            except (OSError, TimeoutError) as err:
                c["closed_by_server" if isinstance(err, ConnectionError) else "failed:" + _err(err)] += 1
            finally:
                now_open[0] -= 1
                writers.discard(writer)
                writer.close()

    await run_until([one(i) for i in range(n)], seconds, lambda: now_open.__setitem__(1, now_open[0]))
    for w in writers:
        w.close()
    return {
        "connections": n,
        "interval_s": interval,
        "open_at_end": now_open[1],
        "connects": c.pop("connects", 0),
        "header_lines_sent": c.pop("lines", 0),
        "closed_by_server": c.pop("closed_by_server", 0),
        "answered_by_server": c.pop("answered_by_server", 0),
        "other": dict(c),
    }


async def attack_idle(host: str, port: int, seconds: float, p: dict) -> dict:
    """`connections` keep-alive connections: one complete GET /healthz each, then silence until the end."""
    n = p["connections"]
    sem = asyncio.Semaphore(256)
    c: Counter = Counter()
    writers = []
    t0 = time.perf_counter()
    opened_at: list[float] = []

    async def one() -> None:
        async with sem:
            try:
                reader, writer = await _open(host, port)
            except (OSError, TimeoutError) as err:
                c["connect_failed:" + _err(err)] += 1
                return
            writers.append(writer)
            try:
                writer.write(f"GET /healthz HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
                length = 0
                for line in head.decode("latin-1").split("\r\n"):
                    if line.lower().startswith("content-length:"):
                        length = int(line.split(":", 1)[1])
                if length:
                    await asyncio.wait_for(reader.readexactly(length), 10)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as err:
                c["request_failed:" + _err(err)] += 1
                return
        c["completed"] += 1
        opened_at.append(time.perf_counter() - t0)
        try:
            data = await reader.read(1)  # silence from us; until the server closes or the phase ends
            c["closed_by_server" if not data else "server_sent_more"] += 1
        except OSError:
            c["closed_by_server"] += 1

    await run_until([one() for _ in range(n)], seconds)
    for w in writers:
        w.close()
    failed = sum(v for k, v in c.items() if k.startswith(("connect_failed", "request_failed")))
    return {
        "connections": n,
        "unfinished": n - c["completed"] - failed,  # connect or answer still awaited when the phase ended
        "completed": c.pop("completed", 0),
        "closed_by_server": c.pop("closed_by_server", 0),
        "all_open_after_s": _r(max(opened_at, default=None), 2),
        "other": dict(c),
    }


async def attack(spec: dict) -> dict:
    """The attack, padded to `seconds` (when every connection of it ended early, the phase still lasts)."""
    t0 = time.monotonic()
    out = await _attack(spec)
    rest = spec["seconds"] - (time.monotonic() - t0)
    if rest > 0:
        await asyncio.sleep(rest)
    return out


async def _attack(spec: dict) -> dict:
    url, seconds, kind, p = spec["url"], spec["seconds"], spec["kind"], spec["params"]
    DEADLINE[0] = time.monotonic() + seconds
    host, port = spec["host"], spec["port"]
    if kind == "login":
        return await attack_login(url, seconds, p)
    if kind in ("snapshot", "events"):
        return await attack_socket_flood(url, seconds, p)
    if kind == "snapshot-budget":
        return await attack_snapshot_budget(url, seconds, p)
    if kind == "http":
        return await attack_http(url, seconds, p)
    if kind == "slowloris":
        return await attack_slowloris(host, port, seconds, p)
    if kind == "idle":
        return await attack_idle(host, port, seconds, p)
    if kind == "polling":
        return await attack_polling(url, seconds, p)
    raise ValueError(kind)


def attack_worker(spec: dict) -> int:
    """Entry of the attacker process: ready, waits for 'go' on stdin, attacks, prints its figures as JSON."""
    raise_nofile()
    if spec.get("nice"):
        os.nice(spec["nice"])
    if spec.get("cpus"):
        os.sched_setaffinity(0, spec["cpus"])  # --pin: a core of its own, as a device of its own has
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return 0
    t0, cpu0 = time.perf_counter(), time.process_time()
    try:
        out = asyncio.run(attack(spec))
    except Exception as err:  # reported to the main process
        out = {"failed": repr(err)}
    wall = time.perf_counter() - t0
    out["wall_s"] = round(wall, 2)
    out["cpu_pct"] = round(100 * (time.process_time() - cpu0) / wall) if wall else None
    print(json.dumps(out), flush=True)
    return 0


# -- the kiosk process -------------------------------------------------------------------------------


async def kiosk_loop(i: int, url: str, sessions: list, state: dict, stop: asyncio.Event, pace: float) -> None:
    """One kiosk on its own keep-alive connection: issue, issue, ... until `stop`; with `pace` (s),
    a ticket every `pace` seconds (the next one at once when one took longer)."""
    next_at = time.perf_counter()
    while not stop.is_set():
        if pace:
            next_at += pace
        n = state["n"]
        state["n"] += 1
        t0 = time.perf_counter()
        try:
            async with sessions[i].post(url + "/api/tickets", json=visitor(n)) as r:
                body = await r.read()
                status = r.status
        except (aiohttp.ClientError, TimeoutError, OSError) as err:
            state["lat"].append(round((time.perf_counter() - t0) * 1000, 2))
            state["errors"][_err(err)] += 1
            if len(state["sample_errors"]) < 3:
                state["sample_errors"].append(repr(err)[:200])
            await asyncio.sleep(0.2)  # a visitor sees the error and taps again
            continue
        state["lat"].append(round((time.perf_counter() - t0) * 1000, 2))
        if pace:
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
        state["status"][status] += 1
        if status == 201:
            now = time.perf_counter()
            state["max_gap_s"] = max(state["max_gap_s"], now - state["last_ok"])
            state["last_ok"] = now
            with contextlib.suppress(ValueError, KeyError, TypeError):
                state["tokens"].append(json.loads(body)["ticket"]["token"])
        else:
            state["errors"][f"HTTP {status}"] += 1
            if len(state["sample_errors"]) < 3:
                state["sample_errors"].append(f"HTTP {status}: {body[:160].decode(errors='replace')}")
            await asyncio.sleep(0.2)  # as after any failure


async def drain(url: str, sessions: list, tokens: list[str], limit: float) -> dict:
    """Cancel these tickets as the front office (signed in afresh: a session ends at the office's
    midnight), one connection per kiosk, within `limit` seconds."""
    out: Counter = Counter()
    todo = list(tokens)
    try:
        headers = await asyncio.wait_for(sign_in(sessions[0], url, FRONT_OFFICE), 30)
    except (aiohttp.ClientError, TimeoutError, OSError, RuntimeError, ValueError) as err:
        return {"reply": "drain", "s": 0, "login_failed": 1, "left": len(todo), "error": repr(err)[:200]}

    async def worker(session) -> None:
        while todo and running():
            token = todo.pop()
            try:
                async with session.post(f"{url}/api/tickets/{token}/cancel", json={}, headers=headers) as r:
                    await r.read()
                    out["cancelled" if r.status == 200 else f"HTTP {r.status}"] += 1
            except (aiohttp.ClientError, TimeoutError, OSError) as err:
                out[_err(err)] += 1

    t0 = time.perf_counter()
    DEADLINE[0] = time.monotonic() + limit
    await run_until([worker(s) for s in sessions], limit)
    return {"reply": "drain", "s": round(time.perf_counter() - t0, 1), **out, "left": len(todo)}


async def kiosks_main(url: str, count: int, pace: float) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    def make(i: int) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            # a kiosk's browser keeps its connection, as Chromium does (minutes)
            connector=aiohttp.TCPConnector(limit=1, keepalive_timeout=600, local_addr=(kiosk_addr(i), 0)),
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=10, connect=5, sock_connect=5),
        )

    sessions = [make(i) for i in range(count)]
    n = 0
    issued: list[str] = []  # tokens of the tickets not yet cancelled
    try:
        while True:
            cmd = (await reader.readline()).decode().strip()
            if cmd in ("", "quit"):
                return
            if cmd == "reset":  # the server was restarted: new connections
                await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
                sessions = [make(i) for i in range(count)]
                print(json.dumps({"reply": "reset"}), flush=True)
            elif cmd == "drain":  # all but the newest KEEP_WAITING of the tickets issued so far
                keep = issued[-KEEP_WAITING:]
                out = await drain(url, sessions, issued[:-KEEP_WAITING], 90)
                issued = keep
                print(json.dumps(out), flush=True)
            elif cmd == "go":
                state = {"n": n, "lat": [], "status": Counter(), "errors": Counter(), "sample_errors": [], "tokens": []}
                stop = asyncio.Event()
                t0, cpu0 = time.perf_counter(), time.process_time()
                state["last_ok"], state["max_gap_s"] = t0, 0.0  # the longest stretch with no ticket issued
                tasks = [asyncio.create_task(kiosk_loop(i, url, sessions, state, stop, pace)) for i in range(count)]
                await reader.readline()  # "stop"
                state["max_gap_s"] = max(state["max_gap_s"], time.perf_counter() - state["last_ok"])
                stop.set()
                _, pending = await asyncio.wait(tasks, timeout=15)
                for t in pending:
                    t.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
                n = state["n"]
                issued += state.pop("tokens")
                state["reply"] = "stop"
                wall = time.perf_counter() - t0
                state["wall_s"] = wall
                state["cpu_pct"] = round(100 * (time.process_time() - cpu0) / wall) if wall else None
                print(json.dumps(state), flush=True)
    finally:
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)


def kiosk_worker(spec: dict) -> int:
    raise_nofile()
    print("ready", flush=True)
    asyncio.run(kiosks_main(spec["url"], spec["count"], spec.get("pace_ms", 0) / 1000))
    return 0


# -- the main process: displays, the officer, the phases ---------------------------------------------


class Child:
    """A worker process of this bench (kiosks or attacker), talked to by lines on stdin/stdout."""

    def __init__(self, proc):
        self.proc = proc

    @classmethod
    async def start(cls, kind: str, spec: dict, timeout: float = 30.0) -> Child:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            kind,
            json.dumps(spec),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=1 << 26,
        )
        CHILDREN.add(proc.pid)
        child = cls(proc)
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), timeout)
        except TimeoutError:
            line = b""
        if line.strip() != b"ready":
            child.kill()
            raise RuntimeError(f"{kind} process did not start: {line[:200]!r}")
        return child

    @property
    def pid(self) -> int:
        return self.proc.pid

    async def send(self, cmd: str) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            self.proc.stdin.write((cmd + "\n").encode())
            await self.proc.stdin.drain()

    async def receive(self, timeout: float, reply: str | None = None) -> dict | None:
        """The next JSON line (with "reply": `reply`, when given: a late answer to an earlier command is
        skipped); None after `timeout` seconds or at the end of the output."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = await asyncio.wait_for(self.proc.stdout.readline(), max(0.0, deadline - time.monotonic()))
                out = json.loads(line) if line.strip() else None
            except (TimeoutError, ValueError):
                return None
            if out is None or reply is None or out.get("reply") == reply:
                return out

    def kill(self) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()

    async def wait(self, timeout: float = 5.0) -> None:
        try:
            await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            self.kill()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.proc.wait(), 5)
        CHILDREN.discard(self.proc.pid)


class Display:
    """A TV display: a lean Socket.IO client from an address of its own; notes when each call arrives."""

    def __init__(self, i: int, ctx: Ctx):
        self.i = i
        self.ctx = ctx
        self.called: dict[str, float] = {}
        self.connected = False
        self.drops = 0
        self.events = 0
        self.http = self.ws = self.task = None

    async def connect(self, url: str, timeout: float = 20.0) -> None:
        self.http, self.ws, _ = await sio_open(url, {"role": "display"}, display_addr(self.i), timeout)
        self.connected = True
        self.task = asyncio.create_task(self._read(self.ws))

    async def _read(self, ws) -> None:
        try:
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    break
                text = msg.data
                if text == "2":  # Engine.IO ping
                    await ws.send_str("3")
                elif text.startswith("42"):
                    self.events += 1
                    if "called" in text:
                        self._calls(text, time.perf_counter())
                elif text.startswith("41") or text.startswith("1"):
                    break
        except (aiohttp.ClientError, ConnectionError, RuntimeError, ValueError):
            pass
        finally:
            if self.connected and ws is self.ws:
                self.connected = False
                if not self.ctx.closing:
                    self.drops += 1

    def _calls(self, text: str, now: float) -> None:
        name, data = json.loads(text[2:])[:2]
        batch = data if name == "events" else [data] if name == "event" else []
        for ev in batch:
            if ev.get("type") == "called":
                ticket = ev.get("ticket") or {}
                if ticket.get("label"):
                    self.called.setdefault(call_key(ticket), now)
                audio = (ev.get("announce") or {}).get("audio")
                if audio and not self.ctx.tts_path:
                    self.ctx.tts_path = audio

    async def close(self) -> None:
        self.connected = False
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(self.task, 2)
        await ws_close(self.http, self.ws)
        self.http = self.ws = self.task = None


class Officer:
    """The officer at counter 1 (PC 127.0.0.2): call-next, start, resolve, once every `pace` seconds."""

    def __init__(self, url: str):
        self.url = url
        self.headers: dict = {}
        self.http: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        if self.http is not None:
            await self.http.close()
        self.http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=1, keepalive_timeout=600, local_addr=(OFFICER_ADDR, 0)),
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=10, connect=5, sock_connect=5),
        )
        self.headers = await sign_in(self.http, self.url, OFFICER)

    async def act(self, action: str, payload: dict | None = None) -> tuple[int, dict | None]:
        for attempt in (1, 2):
            async with self.http.post(
                f"{self.url}/api/counters/1/{action}", json=payload or {}, headers=self.headers
            ) as r:
                body = await r.json(content_type=None) if r.status != 204 else None
                if r.status != 401 or attempt == 2:
                    return r.status, body
            self.headers = await sign_in(self.http, self.url, OFFICER)  # the session ended (midnight)
        raise AssertionError("unreachable")

    async def loop(self, stop: asyncio.Event, pace: float, calls: list, errors: Counter) -> None:
        while not stop.is_set():
            t0 = time.monotonic()
            try:
                sent = time.perf_counter()
                status, body = await self.act("call-next")
                answered = time.perf_counter()
                ticket = (body or {}).get("ticket") if status == 200 else None
                if ticket:
                    calls.append((call_key(ticket), sent, answered - sent))
                    await self.finish(errors)
                elif status == 409:  # a call of an earlier round left open (a timeout): finish it
                    errors["call-next 409"] += 1
                    await self.finish(errors)
                elif status == 204:
                    errors["nobody waiting"] += 1
                else:
                    errors[f"call-next {status}"] += 1
            except (aiohttp.ClientError, TimeoutError, OSError, ValueError, RuntimeError) as err:
                errors[_err(err)] += 1
            rest = pace - (time.monotonic() - t0)
            if rest > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), rest)

    async def finish(self, errors: Counter) -> None:
        """start, resolve: a failure of either is counted (a 409 there: nothing to start or resolve)."""
        for action, payload in (("start", None), ("resolve", SOLUTION)):
            status, _ = await self.act(action, payload)
            if status not in (200, 409):
                errors[f"{action} {status}"] += 1

    async def close(self) -> None:
        if self.http is not None:
            await self.http.close()


async def side_login(url: str, delay: float, timeout: float) -> dict:
    """One real officer login from the officer's PC, `delay` s into the phase: its latency."""
    await asyncio.sleep(delay)
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(local_addr=(OFFICER_ADDR, 0), force_close=True),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=timeout),
    ) as http:
        t0 = time.perf_counter()
        try:
            async with http.post(url + "/api/login", json={"username": SIDE_OFFICER, "password": PASSWORD}) as r:
                await r.read()
                return {"status": r.status, "s": round(time.perf_counter() - t0, 3)}
        except (aiohttp.ClientError, TimeoutError, OSError) as err:
            return {"error": _err(err), "s": round(time.perf_counter() - t0, 3)}


@dataclass
class PhaseSpec:
    name: str
    kind: str  # quiet | login | snapshot | snapshot-budget | events | http | slowloris | idle | polling
    params: dict = field(default_factory=dict)
    about: str = ""


def phase_list(args: argparse.Namespace) -> list[PhaseSpec]:
    attacks = [
        PhaseSpec(
            "login",
            "login",
            {"concurrency": args.login_concurrency},
            f"{args.login_concurrency} concurrent POST /api/login (user admin, wrong passwords) from one address",
        ),
        PhaseSpec("snapshot-1", "snapshot", {"what": "snapshot", "sockets": 1}, "1 display socket emitting `snapshot`"),
        PhaseSpec(
            "snapshot-4", "snapshot", {"what": "snapshot", "sockets": 4}, "4 display sockets emitting `snapshot`"
        ),
        PhaseSpec(
            "snapshot-budget",
            "snapshot-budget",
            {"sockets": args.budget_sockets, "asks": 3},
            f"{args.budget_sockets} display sockets of one address asking for snapshots as fast as every budget "
            "allows (a connection's 3, then a new connection; paced to the device's requests_per_minute)",
        ),
        PhaseSpec(
            "events-unknown",
            "events",
            {"what": "unknown", "sockets": args.event_sockets},
            f"{args.event_sockets} sockets emitting an unknown event",
        ),
        PhaseSpec(
            "events-ack",
            "events",
            {"what": "print_ack", "sockets": args.event_sockets},
            f"{args.event_sockets} display sockets emitting `print_ack` with an ack id",
        ),
        PhaseSpec(
            "events-large",
            "events",
            {"what": "large", "sockets": args.event_sockets, "size": args.large_bytes},
            f"{args.event_sockets} sockets emitting {args.large_bytes // 1000} kB events",
        ),
        PhaseSpec(
            "http",
            "http",
            {"workers": args.http_workers},
            f"{args.http_workers} keep-alive connections GETting /api/state, /api/tickets/<token>, "
            "/api/tts/<key>.wav, /display/, /kiosk/ in turn",
        ),
        PhaseSpec(
            "slowloris",
            "slowloris",
            {"connections": args.slowloris, "interval": args.slowloris_interval},
            f"{args.slowloris} half-open requests, one header line every {args.slowloris_interval:g} s",
        ),
        PhaseSpec(
            "idle",
            "idle",
            {"connections": args.idle},
            f"{args.idle} keep-alive connections, one GET /healthz each, then silent",
        ),
        PhaseSpec(
            "polling",
            "polling",
            {"addresses": args.poll_addresses},
            f"{args.poll_addresses} addresses each opening Engine.IO long-polling sessions as a display "
            '(handshake, `40{"role":"display"}`) at its request budget and never polling them again',
        ),
    ]
    if args.only:
        chosen = [a for a in attacks if args.only in (a.name, a.kind) or a.name.startswith(args.only + "-")]
        if not chosen:
            names = ", ".join([a.name for a in attacks] + ["snapshot", "events"])
            raise SystemExit(f"--only: no attack named {args.only!r} (one of: {names})")
        attacks = chosen
    return [
        PhaseSpec("quiet", "quiet", about="no attack"),
        *attacks,
        PhaseSpec("quiet-end", "quiet", about="no attack, after all attacks"),
    ]


class Ctx:
    """What the phases share: the server, the screens, the kiosks, the officer, the monitor."""

    def __init__(self, args: argparse.Namespace, server: LiveServer):
        self.args = args
        self.server = server
        self.url = server.url
        self.displays: list[Display] = []
        self.officer = Officer(server.url)
        self.kiosks: Child | None = None
        self.attacker: Child | None = None
        self.closing = False
        self.tts_path: str | None = None
        self.token: str | None = None
        self.restarts: list[str] = []
        self.peak_fds = 0
        self.peak_rss_kb = 0
        self.over_cap = False
        self.fresh: dict | None = None  # fds and RSS after a restart and its warm-up

    @property
    def pid(self) -> int:
        return self.server.proc.pid

    def alive(self) -> bool:
        return self.server.proc is not None and self.server.proc.poll() is None

    async def monitor(self) -> None:
        """Every 0.5 s: the server's descriptors and RSS (peaks per phase); the RSS safety valve."""
        while True:
            fds = count_fds(self.pid)
            rss = proc_status(self.pid).get("VmRSS", 0)
            self.peak_fds = max(self.peak_fds, fds or 0)
            self.peak_rss_kb = max(self.peak_rss_kb, rss)
            if rss / 1024 > RSS_CAP_MB and not self.over_cap:
                self.over_cap = True
                if self.attacker is not None:
                    self.attacker.kill()
            await asyncio.sleep(0.5)

    async def connect_displays(self, which: list[Display]) -> int:
        """(Re)connect these displays, 20 at a time; how many failed."""
        failed = 0
        for i in range(0, len(which), 20):
            group = which[i : i + 20]
            for d in group:
                if d.http is not None:
                    await d.close()
            results = await asyncio.gather(*(d.connect(self.url) for d in group), return_exceptions=True)
            failed += sum(1 for r in results if isinstance(r, BaseException))
        return failed

    async def healthy(self, timeout: float = 2.0) -> bool:
        try:
            async with (
                aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(local_addr=(OFFICER_ADDR, 0), force_close=True),
                    timeout=aiohttp.ClientTimeout(total=timeout),
                ) as http,
                http.get(self.url + "/healthz") as r,
            ):
                return r.status == 200
        except (aiohttp.ClientError, TimeoutError, OSError):
            return False

    async def settle(self, limit: float) -> tuple[float, bool]:
        """Wait until the server is idle again (under 15 % of a core for two seconds running, /healthz
        answering): (seconds waited, settled)."""
        t0 = time.monotonic()
        calm = 0
        while time.monotonic() - t0 < limit and self.alive():
            c0 = cpu_seconds(self.pid)
            await asyncio.sleep(1.0)
            busy = cpu_seconds(self.pid) - c0
            if busy < 0.15 and await self.healthy():
                calm += 1
                if calm >= 2:
                    return round(time.monotonic() - t0, 1), True
            else:
                calm = 0
        return round(time.monotonic() - t0, 1), False

    async def restart(self, why: str) -> None:
        """A server that died, did not recover or grew past the cap: start it again, reconnect everything."""
        progress(f"  restarting the server ({why})")
        self.restarts.append(why)
        for d in self.displays:
            d.connected = False  # not a drop: the bench stops the server
        await asyncio.to_thread(self.server.stop)
        await asyncio.to_thread(self.server.start, 30)
        self.over_cap = False
        await self.officer.open()
        if self.kiosks is not None:
            await self.kiosks.send("reset")
            await self.kiosks.receive(30, "reset")
        for d in self.displays:
            await d.close()
        await self.connect_displays(self.displays)
        # warm up as the quiet phase did (database connections, speech, print worker), then count
        stop, calls, errors = asyncio.Event(), [], Counter()
        await self.kiosks.send("go")
        officer = asyncio.create_task(self.officer.loop(stop, self.args.call_ms / 1000, calls, errors))
        await asyncio.sleep(max(2.0, self.args.seconds / 2))
        stop.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(officer, 15)
        await self.kiosks.send("stop")
        await self.kiosks.receive(40, "stop")
        await self.settle(self.args.settle_max)
        self.fresh = {"fds": count_fds(self.pid), "rss_mb": round(proc_status(self.pid).get("VmRSS", 0) / 1024, 1)}


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


async def engineio_timing(url: str, timeout: float = 10.0) -> dict | None:
    """The server's Engine.IO ping interval and timeout (s), from the open packet of a long-polling
    handshake from the officer's PC (its session closed at once); None when it did not answer."""
    base = url + "/socket.io/?EIO=4&transport=polling"
    try:
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(local_addr=(OFFICER_ADDR, 0), force_close=True),
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as http:
            async with http.get(base) as r:
                opened = json.loads((await r.text())[1:].split("\x1e")[0])
            async with http.post(f"{base}&sid={opened['sid']}", data="1") as r:  # Engine.IO close
                await r.read()
        return {"ping_interval_s": opened["pingInterval"] / 1000, "ping_timeout_s": opened["pingTimeout"] / 1000}
    except (aiohttp.ClientError, TimeoutError, OSError, ValueError, KeyError, TypeError):
        return None


def request_budget(config: Path) -> float:
    """The requests a second one device may send ([limits] requests_per_minute / 60; the server's
    default, 1200 a minute, when the config names none)."""
    try:
        with open(config, "rb") as f:
            limits = tomllib.load(f).get("limits") or {}
    except (OSError, tomllib.TOMLDecodeError):
        limits = {}
    return limits.get("requests_per_minute", 1200) / 60.0


async def polling_params(ctx: Ctx, ph: PhaseSpec, res: dict) -> tuple[dict, float]:
    """The polling attack's rate, the sessions' expiry and the phase's length: by default the expiry
    (ping interval + ping timeout, as the server announces them) and POLL_MARGIN_S more, so that the
    sessions of the first POLL_MARGIN_S seconds expire while the kiosks still issue."""
    args = ctx.args
    timing = await engineio_timing(ctx.url)
    res["engineio"] = timing or {"unknown": "no answer to a handshake; engineio's defaults assumed"}
    timing = timing or {"ping_interval_s": 25.0, "ping_timeout_s": 20.0}
    expiry = timing["ping_interval_s"] + timing["ping_timeout_s"]
    seconds = args.poll_seconds or expiry + POLL_MARGIN_S
    rate = args.poll_rate or request_budget(ctx.server.config)
    res["about"] = (
        f"{ph.about}: {rate:g} requests/s each, {seconds:g} s; a session expires {expiry:g} s after it "
        f"opened (ping interval {timing['ping_interval_s']:g} s + timeout {timing['ping_timeout_s']:g} s)"
    )
    return {**ph.params, "rate": rate, "expiry_s": expiry}, seconds


async def run_phase(ctx: Ctx, ph: PhaseSpec) -> dict:
    args = ctx.args
    res: dict[str, Any] = {"name": ph.name, "kind": ph.kind, "about": ph.about}
    seconds = args.seconds
    params = dict(ph.params)
    if ph.kind == "polling":
        params, seconds = await polling_params(ctx, ph, res)
    if ph.kind == "snapshot-budget":  # the device's request budget, as server/httpserver.py's Guard sets it
        rate = request_budget(ctx.server.config)
        params.update(rate=rate, burst=max(60.0, rate * 15))
    res["seconds"] = seconds
    progress(f"phase {ph.name}: {res['about']} ({seconds:g} s)")
    if ph.kind != "quiet":
        if ph.kind == "http":
            params["paths"] = [
                "/api/state",
                f"/api/tickets/{ctx.token or 'unknown'}",
                ctx.tts_path or "/api/tts/" + "0" * 64 + ".wav",
                "/display/",
                "/kiosk/",
            ]
            res["paths"] = params["paths"]
        spec = {
            "url": ctx.url,
            "host": "127.0.0.1",
            "port": ctx.server.port,
            "seconds": seconds,
            "kind": ph.kind,
            "params": params,
            "nice": args.attacker_nice,
            "cpus": [1] if args.pin else None,
        }
        try:
            ctx.attacker = await Child.start("attack", spec)
        except Exception as err:  # reported
            res["attack_error"] = repr(err)
    connected = [d for d in ctx.displays if d.connected]
    res["displays_at_start"] = len(connected)
    for d in ctx.displays:
        d.drops = 0
    ctx.peak_fds, ctx.peak_rss_kb = 0, 0
    pid = ctx.pid
    kpid = ctx.kiosks.pid
    c_server, c_main = cpu_seconds(pid), cpu_seconds()
    rq_server, rq_kiosk = run_queue_wait_seconds(pid), run_queue_wait_seconds(kpid)
    stop = asyncio.Event()
    calls: list[tuple[str, float, float]] = []
    officer_errors: Counter = Counter()
    t0 = time.perf_counter()
    await ctx.kiosks.send("go")
    officer = asyncio.create_task(ctx.officer.loop(stop, args.call_ms / 1000, calls, officer_errors))
    side = None
    if ph.kind in ("quiet", "login"):
        side = asyncio.create_task(side_login(ctx.url, min(1.0, seconds / 4), args.login_timeout))
    if ctx.attacker is not None:
        await ctx.attacker.send("go")
        out = await ctx.attacker.receive(seconds + 60)
        if out is None:
            res["attack_error"] = "the attacker gave no report" + (" (stopped: server RSS over the cap)" * ctx.over_cap)
        res["attack"] = out
        ctx.attacker.kill()
        await ctx.attacker.wait()
        ctx.attacker = None
    else:
        await asyncio.sleep(seconds)
    wall = time.perf_counter() - t0
    res["wall_s"] = round(wall, 1)
    res["server_cpu_pct"] = round(100 * (cpu_seconds(pid) - c_server) / wall)
    res["server_waited_for_cpu_pct"] = round(100 * (run_queue_wait_seconds(pid) - rq_server) / wall)
    res["kiosk_process_waited_for_cpu_pct"] = round(100 * (run_queue_wait_seconds(kpid) - rq_kiosk) / wall)
    res["main_process_cpu_pct"] = round(100 * (cpu_seconds() - c_main) / wall)
    res["machine_cpu_pressure_pct"] = cpu_pressure()
    stop.set()
    try:
        await asyncio.wait_for(officer, 15)
    except TimeoutError:
        res["officer_stuck"] = True
    await ctx.kiosks.send("stop")
    kout = await ctx.kiosks.receive(40, "stop")
    res["kiosk"] = kiosk_figures(kout)
    if side is not None:
        res["side_login"] = await side
    res["officer_errors"] = dict(officer_errors)

    # -- did every display get every call? (a little grace for the last ones) -------------------------
    deadline = time.monotonic() + 5
    labels = [label for label, _, _ in calls]
    while time.monotonic() < deadline and not all(lb in d.called for d in connected for lb in labels):
        await asyncio.sleep(0.05)
    missed = sum(1 for d in connected for lb in labels if lb not in d.called)
    lat = []
    for label, sent, _ in calls:
        got = [d.called[label] for d in connected if label in d.called]
        if len(got) == len(connected) and got:
            lat.append((max(got) - sent) * 1000)
    res["calls"] = {
        "made": len(calls),
        "missed": missed,  # (display, call) pairs never received
        "displays_missing_some": sum(1 for d in connected if any(lb not in d.called for lb in labels)),
        "to_last_display_p50_ms": _r(percentile(lat, 50)),
        "to_last_display_p99_ms": _r(percentile(lat, 99)),
        "call_next_p99_ms": _r(percentile([r * 1000 for _, _, r in calls], 99)),
    }
    res["display_drops"] = sum(d.drops for d in connected)
    res["peak_fds"] = ctx.peak_fds
    res["peak_rss_mb"] = round(ctx.peak_rss_kb / 1024, 1)

    # -- settle, restart if need be, reconnect the screens that dropped, then count --------------------
    if ph.kind == "polling":  # the last sessions abandoned expire first: the figures after are not theirs
        rest = params["expiry_s"] + 5 - (time.perf_counter() - (t0 + wall))
        res["waited_for_expiry_s"] = round(max(0.0, rest), 1)
        if rest > 0:
            await asyncio.sleep(rest)
    settle_s, settled = await ctx.settle(args.settle_max)
    res["settle_s"], res["settled"] = settle_s, settled
    if not ctx.alive() or not settled or ctx.over_cap:
        why = (
            "server died"
            if not ctx.alive()
            else "RSS over the cap"
            if ctx.over_cap
            else f"still busy after {args.settle_max:g} s"
        )
        res["restarted"] = why
        await ctx.restart(f"after {ph.name}: {why}")
        res["settle_s"], res["settled"] = await ctx.settle(args.settle_max)
    # the tickets of this phase leave the queue (cancelled), but for the newest few: a queue that grew
    # by thousands each phase made every later issue slower (the count of those ahead grows with it)
    await ctx.kiosks.send("drain")
    res["drained"] = await ctx.kiosks.receive(120, "drain")
    dropped = [d for d in ctx.displays if not d.connected]
    res["reconnect_failed"] = await ctx.connect_displays(dropped) if dropped else 0
    await asyncio.sleep(0.5)
    res["fds_after"] = count_fds(ctx.pid)
    res["rss_after_mb"] = round(proc_status(ctx.pid).get("VmRSS", 0) / 1024, 1)
    res["verdict"] = verdict(res)
    return res


def kiosk_figures(kout: dict | None) -> dict:
    if kout is None:
        return {"failed": "the kiosk process gave no report"}
    lat = kout["lat"]
    errors = sum(kout["errors"].values())
    return {
        "requests": len(lat),
        "issued": kout["status"].get("201", 0),
        "errors": errors,
        "error_kinds": kout["errors"],
        "sample_errors": kout["sample_errors"],
        "p50_ms": _r(percentile(lat, 50)),
        "p95_ms": _r(percentile(lat, 95)),
        "p99_ms": _r(percentile(lat, 99)),
        "max_ms": _r(max(lat, default=None)),
        "per_s": round(kout["status"].get("201", 0) / kout["wall_s"], 1) if kout["wall_s"] else None,
        "cpu_pct": kout["cpu_pct"],
        "longest_without_ticket_s": _r(kout.get("max_gap_s"), 2),
    }


def verdict(res: dict) -> list[str]:
    """What missed its target in this phase (empty: every target met)."""
    out = []
    k = res["kiosk"]
    if k.get("p99_ms") is None or k["p99_ms"] > KIOSK_P99_MS:
        out.append("p99")
    if k.get("errors", 1):
        out.append("errors")
    if res["calls"]["made"] == 0:
        out.append("no calls")
    elif res["calls"]["missed"]:
        out.append("calls")
    if any(k not in ("nobody waiting", "call-next 409") for k in res["officer_errors"]):
        out.append("officer")  # the counter's requests failed (a 409 only follows one of those)
    if res.get("restarted"):
        out.append("restart")
    return out


async def run(args: argparse.Namespace, server: LiveServer) -> dict:
    ctx = Ctx(args, server)
    result: dict[str, Any] = {"phases": []}
    monitor = None
    try:
        ctx.kiosks = await Child.start("kiosks", {"url": server.url, "count": args.kiosks, "pace_ms": args.kiosk_pace})
        ctx.displays = [Display(i, ctx) for i in range(args.displays)]
        t0 = time.perf_counter()
        failed = await ctx.connect_displays(ctx.displays)
        result["connect_s"] = round(time.perf_counter() - t0, 1)
        result["connect_failed"] = failed
        await ctx.officer.open()
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:  # a few waiting
            for i in range(5):
                async with http.post(server.url + "/api/tickets", json=visitor(i)) as r:
                    ctx.token = ctx.token or (await r.json())["ticket"]["token"]
        monitor = asyncio.create_task(ctx.monitor())
        before = None
        phases = phase_list(args)
        for n, ph in enumerate(phases):
            try:
                res = await run_phase(ctx, ph)
            except Exception as err:  # e.g. the server would not start again: report what there is
                result["aborted"] = f"in phase {ph.name}: {err!r}"
                progress(f"  aborted: {err!r}")
                break
            result["phases"].append(res)
            k = res["kiosk"]
            progress(
                f"  kiosk p50/p99/max {k.get('p50_ms')}/{k.get('p99_ms')}/{k.get('max_ms')} ms, errors "
                f"{k.get('errors')}; calls {res['calls']['made']}, missed {res['calls']['missed']}; settle "
                f"{res['settle_s']} s; fds {res['fds_after']}, RSS {res['rss_after_mb']} MB"
            )
            if n == len(phases) - 2:  # the last attack
                after = {"fds": res["fds_after"], "rss_mb": res["rss_after_mb"]}
                result["leak"] = leak(before, after, res.get("restarted"))
            if ph.name == "quiet":
                before = {"after": ph.name, "fds": res["fds_after"], "rss_mb": res["rss_after_mb"]}
            elif res.get("restarted") and ctx.fresh:
                before = {"after": f"the restart after {ph.name} and a warm-up", **ctx.fresh}
    finally:
        ctx.closing = True
        if monitor is not None:
            monitor.cancel()
        if ctx.attacker is not None:
            ctx.attacker.kill()
        if ctx.kiosks is not None:
            await ctx.kiosks.send("quit")
            await ctx.kiosks.wait(20)
        await ctx.officer.close()
        await asyncio.gather(*(d.close() for d in ctx.displays), return_exceptions=True)
    result["restarts"] = ctx.restarts
    return result


def leak(before: dict | None, after: dict, restarted: str | None) -> dict:
    if restarted or before is None or before["fds"] is None or after["fds"] is None:
        void = "the server was restarted after the last attack" if restarted else "no figures"
        return {"before": before, "after": after, "fds_ok": False, "rss_ok": False, "void": void}
    dfd = after["fds"] - before["fds"]
    drss = round(after["rss_mb"] - before["rss_mb"], 1)
    return {
        "before": before,
        "after": after,
        "fds_delta": dfd,
        "rss_delta_mb": drss,
        "fds_ok": dfd <= LEAK_FDS,
        "rss_ok": drss <= LEAK_RSS_MB,
    }


# -- the report --------------------------------------------------------------------------------------


def _n(value) -> str:
    return "-" if value is None else f"{value:,}" if isinstance(value, int) else f"{value:g}"


def _counts(d: dict) -> str:
    return ", ".join(f"{k}: {v:,}" for k, v in sorted(d.items(), key=lambda kv: -kv[1])) or "none"


def attack_line(res: dict, quiet_login: float | None) -> str:
    a = res.get("attack")
    if a is None:
        return res.get("attack_error", "no attack")
    if "failed" in a:
        return f"attack failed: {a['failed']}"
    kind = res["kind"]
    cpu = f"attacker CPU {a.get('cpu_pct')} %"
    if kind == "login":
        side = res.get("side_login") or {}
        side_txt = (
            f"{side['s']} s (HTTP {side['status']})"
            if "status" in side
            else f"no answer ({side.get('error')}) after {side.get('s')} s"
        )
        return (
            f"{a['answered_per_s']:,} answers/s ({_counts(a['status'])}), errors {_counts(a['errors'])}, "
            f"{a['in_flight_at_end']} unanswered at the end; officer's login {side_txt}"
            + (f" (quiet: {quiet_login} s)" if quiet_login is not None else "")
            + f"; {cpu}"
        )
    if kind in ("snapshot", "events"):
        extra = f", {a['mb_per_s']} MB/s" if "mb_per_s" in a else ""
        answers = f", {a['answers_per_s']:,} answers/s" if a["snapshots"] or a["acks"] else ", no answers"
        return (
            f"{a['sockets']} sockets ({a['connections']} connections, closed by the server "
            f"{a['closed_by_server']} times), sent {a['sent_per_s']:,}/s{extra}{answers}; {_counts(a['other'])}; {cpu}"
        )
    if kind == "snapshot-budget":
        return (
            f"{a['sockets']} sockets: {a['connections']:,} connections ({a['connections_per_s']:,}/s), "
            f"{a['asked']:,} snapshots asked, {a['snapshots']:,} received ({a['snapshots_per_s']:,}/s, the "
            f"connects' included), closed by the server {a['closed_by_server']} times; {_counts(a['other'])}; {cpu}"
        )
    if kind == "http":
        per = "; ".join(f"{p.split('/')[-1][:12] or p}: {_counts(c)}" for p, c in a["per_path"].items())
        return f"{a['answered_per_s']:,} answers/s, {a['mb_per_s']} MB/s ({per}); {cpu}"
    if kind == "slowloris":
        return (
            f"{a['open_at_end']:,}/{a['connections']:,} open at the end ({a['connects']:,} connects), "
            f"{a['header_lines_sent']:,} header lines sent, "
            f"closed by server {a['closed_by_server']:,}, answered by server {a['answered_by_server']:,}; "
            f"{_counts(a['other'])}; {cpu}"
        )
    if kind == "polling":
        refused = a["refused"]
        first = f" (the first {a['first_refused_after_s']} s in)" if refused else ""
        return (
            f"sessions opened {a['opened']:,} (handshakes {a['handshakes']:,}), refused {refused:,}{first}; "
            f"{a['expired_by_end']:,} of them past their ping timeout before the phase ended; "
            f"{a['requests_per_s']:,} requests/s from {a['addresses']} addresses; {_counts(a['other'])}; {cpu}"
        )
    if kind == "idle":
        return (
            f"{a['completed']:,}/{a['connections']:,} requests completed and held open (the last after "
            f"{a['all_open_after_s']} s; {a['unfinished']:,} unfinished at the end), closed by server {a['closed_by_server']:,}; {_counts(a['other'])}; {cpu}"
        )
    return json.dumps(a)


def table(args: argparse.Namespace, result: dict) -> str:
    rows = [
        (
            "phase",
            "p50 ms",
            "p99 ms",
            "max ms",
            "issued",
            "errors",
            "calls",
            "missed",
            "drops",
            "settle s",
            "fds",
            "RSS MB",
            "verdict",
        )
    ]
    for res in result["phases"]:
        k = res["kiosk"]
        c = res["calls"]
        rows.append(
            (
                res["name"],
                _n(k.get("p50_ms")),
                _n(k.get("p99_ms")),
                _n(k.get("max_ms")),
                _n(k.get("issued")),
                _n(k.get("errors")),
                _n(c["made"]),
                _n(c["missed"]),
                _n(res["display_drops"]),
                _n(res["settle_s"]) + ("" if res["settled"] else "!"),
                _n(res["fds_after"]),
                _n(res["rss_after_mb"]),
                "ok" if not res["verdict"] else "MISSED " + ",".join(res["verdict"]),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for j, r in enumerate(rows):
        cells = [r[0].ljust(widths[0])] + [r[i].rjust(widths[i]) for i in range(1, len(r) - 1)] + [r[-1]]
        lines.append("  ".join(cells))
        if j == 0:
            lines.append("-" * len(lines[0]))
    lines.append(
        f"(kiosk latency over every attempt of {args.kiosks} kiosks, a failed one counted until it failed; target "
        f"p99 <= {KIOSK_P99_MS:g} ms and no errors; missed = (display, call) pairs never received, target 0; "
        "settle = seconds until the server idled after the phase, ! = did not; fds and RSS after the settle; "
        "officer = the officer's requests failed; restart = the server had to be restarted)"
    )
    quiet_login = next(
        (
            r["side_login"]["s"]
            for r in result["phases"]
            if r["name"] == "quiet" and "status" in r.get("side_login", {})
        ),
        None,
    )
    lines.append("")
    for res in result["phases"]:
        c = res["calls"]
        lines.append(f"{res['name']}: {res['about']}")
        if res["kind"] != "quiet":
            lines.append(f"    attack: {attack_line(res, quiet_login)}")
        elif res.get("side_login"):
            side = res["side_login"]
            lines.append(f"    officer's login: {side.get('s')} s ({side.get('status') or side.get('error')})")
        k = res["kiosk"]
        notes = [
            f"{k.get('per_s')} tickets/s",
            f"kiosk p95 {_n(k.get('p95_ms'))} ms",
            f"longest stretch with no ticket issued {_n(k.get('longest_without_ticket_s'))} s",
            f"call to last display p50/p99 {_n(c['to_last_display_p50_ms'])}/{_n(c['to_last_display_p99_ms'])} ms",
            f"server CPU {res['server_cpu_pct']} % (waited for a CPU {res['server_waited_for_cpu_pct']} %)",
            f"kiosk process CPU {k.get('cpu_pct')} % (waited {res['kiosk_process_waited_for_cpu_pct']} %)",
            f"displays process CPU {res['main_process_cpu_pct']} %",
            f"PSI {res['machine_cpu_pressure_pct']} %",
            f"peak fds {res['peak_fds']}, peak RSS {res['peak_rss_mb']} MB",
        ]
        dr = res.get("drained") or {}
        drained = {k: v for k, v in dr.items() if k not in ("reply", "s")}
        notes.append(
            f"then cancelled ({_counts(drained)}) in {dr.get('s')} s" if dr else "then no answer to the cancels"
        )
        lines.append("    " + "; ".join(notes))
        trouble = []
        if k.get("errors"):
            trouble.append(f"kiosk errors: {_counts(k['error_kinds'])} e.g. {k['sample_errors'][:1]}")
        if k.get("failed"):
            trouble.append(k["failed"])
        if res["officer_errors"]:
            trouble.append(f"officer: {_counts(res['officer_errors'])}")
        if c["missed"]:
            trouble.append(f"{c['displays_missing_some']} of {res['displays_at_start']} displays missed some calls")
        if res.get("reconnect_failed"):
            trouble.append(f"{res['reconnect_failed']} displays could not reconnect")
        if res.get("restarted"):
            trouble.append(f"server restarted: {res['restarted']}")
        if res.get("attack_error"):
            trouble.append(res["attack_error"])
        if res.get("waited_for_expiry_s"):
            lines.append(f"    then waited {res['waited_for_expiry_s']} s for the last abandoned sessions to expire")
        if trouble:
            lines.append("    " + "; ".join(trouble))
    lk = result.get("leak")
    lines.append("")
    if lk and lk.get("void"):
        lines.append(f"descriptors and memory left behind: not measured ({lk['void']}) -> MISSED")
    elif lk:
        b, a = lk["before"], lk["after"]
        lines.append(
            f"server before the attacks (after {b['after']}): {b['fds']} fds, RSS {b['rss_mb']} MB; after all "
            f"attacks: {a['fds']} fds ({lk.get('fds_delta', 0):+d}), RSS {a['rss_mb']} MB "
            f"({lk.get('rss_delta_mb', 0):+.1f} MB) -> descriptors {'ok' if lk['fds_ok'] else 'MISSED'} "
            f"(<= +{LEAK_FDS}), memory {'ok' if lk['rss_ok'] else 'MISSED'} (<= +{LEAK_RSS_MB:g} MB)"
        )
    if result.get("restarts"):
        lines.append(f"server restarts: {'; '.join(result['restarts'])}")
    if result.get("aborted"):
        lines.append(f"bench aborted {result['aborted']}")
    return "\n".join(lines)


# -- the command -------------------------------------------------------------------------------------


def abuse_config(tmp: Path, kiosks: int) -> Path:
    """bench_server's config (one counter) and, when the server has per-address limits ([limits]), the
    kiosks' addresses exempt from them: 4 kiosks back to back stand for a whole office's tickets, far
    above what one real kiosk asks; the attacker's address is limited as any device's."""
    path = write_bench_config(tmp, 1)
    text = path.read_text(encoding="utf-8")
    head = re.search(r"(?m)^\[limits\][^\n]*\n", text)
    if head:
        addresses = "exempt = [" + ", ".join(f'"{kiosk_addr(i)}"' for i in range(kiosks)) + "]"
        end = re.search(r"(?m)^\[", text[head.end() :])
        body = text[head.end() : head.end() + end.start()] if end else text[head.end() :]
        if re.search(r"(?m)^exempt\s*=", body):
            body = re.sub(r"(?m)^exempt\s*=.*$", addresses, body, count=1)
        else:
            body = addresses + "\n" + body
        text = text[: head.end()] + body + (text[head.end() + end.start() :] if end else "")
        path.write_text(text, encoding="utf-8")
    return path


class LimitedServer(LiveServer):
    """LiveServer whose process starts with a soft RLIMIT_NOFILE of `nofile` (the hard limit kept)."""

    def __init__(self, config: Path, nofile: int, hard_too: bool = False):
        super().__init__(config)
        self.nofile = nofile
        self.hard_too = hard_too

    def _popen(self, log) -> subprocess.Popen:
        nofile, hard_too = self.nofile, self.hard_too

        def limit() -> None:
            _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            soft = nofile if hard == resource.RLIM_INFINITY else min(nofile, hard)
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, soft if hard_too else hard))

        proc = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=limit,  # only setrlimit, before exec
        )
        CHILDREN.add(proc.pid)
        return proc


def watchdog(seconds: float, server: LiveServer) -> threading.Timer:
    """A last resort: past `seconds` the bench kills what it started and exits (exit code 3)."""

    def fire() -> None:
        print(f"\nbench_abuse: watchdog: still running after {seconds:.0f} s; stopping", file=sys.stderr, flush=True)
        for pid in list(CHILDREN):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        os._exit(3)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    return timer


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seconds", type=float, help="per phase (default 10; --quick 2)")
    p.add_argument(
        "--only",
        metavar="NAME",
        help="one attack: login, snapshot[-1|-4|-budget], events[-unknown|-ack|-large], http, slowloris, idle, polling",
    )
    p.add_argument("--displays", type=int, help="default 100 (--quick 20)")
    p.add_argument("--quick", action="store_true", help="smoke run: 2 s per attack, 20 displays, fewer connections")
    p.add_argument("--json", action="store_true", help="also print every figure as JSON")
    p.add_argument("--kiosks", type=int, default=4)
    p.add_argument(
        "--kiosk-pace",
        type=float,
        default=0,
        metavar="MS",
        help="each kiosk issues a ticket every MS ms (default 0: back to back, the server saturated)",
    )
    p.add_argument("--call-ms", type=int, default=500, help="the officer's pace: one call-start-resolve every ...")
    p.add_argument("--login-concurrency", type=int, help="default 400 (--quick 50)")
    p.add_argument("--login-timeout", type=float, help="the measured officer login gives up after (default 30 s)")
    p.add_argument("--event-sockets", type=int, default=2, help="sockets of each events-* attack")
    p.add_argument("--large-bytes", type=int, default=900_000, help="size of the events-large payload")
    p.add_argument("--budget-sockets", type=int, default=32, help="sockets of the snapshot-budget attack (default 32)")
    p.add_argument("--http-workers", type=int, default=8)
    p.add_argument("--slowloris", type=int, help="half-open connections (default 3000; --quick 300)")
    p.add_argument("--slowloris-interval", type=float, default=10.0)
    p.add_argument("--idle", type=int, help="idle keep-alive connections (default 1000; --quick 100)")
    p.add_argument("--poll-addresses", type=int, default=50, help="addresses of the polling attack (default 50)")
    p.add_argument(
        "--poll-rate",
        type=float,
        help="requests/s of each polling address (default: its budget, [limits] requests_per_minute / 60)",
    )
    p.add_argument(
        "--poll-seconds",
        type=float,
        help=f"length of the polling phase (default: a session's expiry, ping interval + timeout, + {POLL_MARGIN_S:g} s)",
    )
    p.add_argument(
        "--settle-max", type=float, help="seconds to wait for the server to idle after a phase (60; --quick 15)"
    )
    p.add_argument(
        "--server-hard-nofile",
        action="store_true",
        help=f"start the server with its hard open-files limit at {SERVER_NOFILE} too (it cannot raise it)",
    )
    p.add_argument("--attacker-nice", type=int, default=0, help="nice value of the attacker process")
    p.add_argument(
        "--pin",
        action="store_true",
        help="the attacker on CPU 1 only, everything else (server, kiosks, displays) on CPU 0: the attacker's "
        "own work does not take the server's CPU, as on a device of its own (needs 2+ cores)",
    )
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (database, server log)")
    args = p.parse_args(argv)
    quick = args.quick
    defaults = {
        "seconds": (10.0, 2.0),
        "displays": (100, 20),
        "login_concurrency": (400, 50),
        "login_timeout": (30.0, 10.0),
        "slowloris": (3000, 300),
        "idle": (1000, 100),
        "settle_max": (60.0, 15.0),
    }
    for key, (full, small) in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, small if quick else full)
    phases = phase_list(args)  # checks --only before anything starts

    own_nofile = raise_nofile()
    if args.pin:
        os.sched_setaffinity(0, {0})  # inherited by the server and the kiosks started below
    signal.signal(signal.SIGTERM, _terminate)  # so that `finally` stops the server
    tmp = Path(tempfile.mkdtemp(prefix="antrian-abuse-"))
    server = LimitedServer(abuse_config(tmp, args.kiosks), SERVER_NOFILE, args.server_hard_nofile)
    budget = 300 + len(phases) * (args.seconds + 120 + 2 * args.settle_max + 60 + 2 * args.login_timeout)
    if any(ph.kind == "polling" for ph in phases):  # a longer phase, and sessions that expire after it
        budget += (args.poll_seconds or 120) + 2 * args.settle_max
    timer = watchdog(budget, server)
    result: dict | None = None
    started = time.monotonic()
    limits = "?"
    try:
        server.start(timeout=30)
        limits = nofile_limit(server.proc.pid)  # as the server runs (it may raise its soft limit itself)
        server.add_user(OFFICER, "officer", PASSWORD, scrypt=True)
        server.add_user(SIDE_OFFICER, "officer", PASSWORD, scrypt=True)
        server.add_user(FRONT_OFFICE, "frontoffice", PASSWORD, scrypt=True)
        result = asyncio.run(run(args, server))
    except Exception as err:  # report, do not hide: the server log says what went wrong
        print(f"benchmark failed: {err!r}\n--- server log (tail) ---\n{server.log()[-3000:]}", file=sys.stderr)
    finally:
        server.stop()
        timer.cancel()
        if not args.keep:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    if result is None:
        return 0
    result["total_s"] = round(time.monotonic() - started, 1)
    print(
        f"Antrian abuse bench — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
        + ("; pinned: the attacker on CPU 1, server, kiosks and displays on CPU 0" if args.pin else "")
    )
    print(
        f"{args.displays} displays ({result['connect_failed']} failed to connect), {args.kiosks} kiosks "
        + (f"each issuing every {args.kiosk_pace:g} ms, " if args.kiosk_pace else "back to back, ")
        + f"1 officer calling every {args.call_ms} ms; {args.seconds:g} s per phase; server started with a soft "
        f"open-files limit of {SERVER_NOFILE}{' (hard too)' if args.server_hard_nofile else ''} and runs with "
        f"{limits} (soft/hard); bench {own_nofile}; run took {result['total_s']} s\n"
    )
    print(table(args, result))
    if args.json:
        params = {k: v for k, v in vars(args).items() if k not in ("json", "keep")}
        print(json.dumps({"params": params, "server_nofile": limits, **result}, indent=2))
    if args.keep:
        print(f"\nkept: {tmp}")
    return 0


def _terminate(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        spec = json.loads(sys.argv[3])
        sys.exit(attack_worker(spec) if sys.argv[2] == "attack" else kiosk_worker(spec))
    sys.exit(main())
