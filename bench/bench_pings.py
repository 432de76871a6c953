"""What Engine.IO's heartbeat costs the server: its CPU while N live pages are connected and idle.

The server pings every connection every ping interval and reads its pong (server/realtime.py PING_INTERVAL_S:
a connection dead without a word is noticed within the interval and the timeout together). This starts the
real server (`python -m server serve`, gevent) on 127.0.0.1, measures its CPU for --seconds with no page
connected, then with --connections WebSocket pages (TVs, `auth={"role": "display"}`, on a minimal Engine.IO
client that answers every ping, as bench_server.py's lean displays) and nothing else happening, and prints the
interval and timeout the server announced, the pings the pages got, and the server's CPU: in all, and more than
with no page, per second and per ping. Run it from an older tree (the same command) to compare two settings.

    .venv/bin/python bench/bench_pings.py [--connections 300] [--seconds 60] [--json]

It reports; it does not assert. The server stops at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

try:
    import aiohttp
except ImportError:  # the `bench` extra, not installed by `make test`
    sys.exit("bench: aiohttp is missing; run `make bench-setup` (requirements-bench.lock)")
from common import cpu_pressure, cpu_seconds, write_bench_config  # noqa: E402
from live import LiveServer  # noqa: E402  (tests/live.py, put on sys.path by common)


class Page:
    """One live page: Engine.IO v4 over an aiohttp WebSocket, its namespace connected, every ping answered."""

    def __init__(self, http: aiohttp.ClientSession):
        self.http = http
        self.pings = 0
        self.opened: dict = {}
        self.closed = False
        self.error: str | None = None  # why the connection ended, when it did

    async def connect(self, url: str) -> None:
        ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = await self.http.ws_connect(ws_url, autoping=False, max_msg_size=0)
        opened = await self.ws.receive_str(timeout=20)
        self.opened = json.loads(opened[1:])
        await self.ws.send_str("40" + json.dumps({"role": "display"}))
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for msg in self.ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    break
                if msg.data == "2":
                    self.pings += 1
                    await self.ws.send_str("3")
        except (aiohttp.ClientError, ConnectionError) as err:  # closed: counted, the first one's error said
            self.error = repr(err)
        finally:
            self.closed = True


async def measure(server: LiveServer, connections: int, seconds: float) -> dict:
    pid = server.proc.pid
    await asyncio.sleep(3)  # the server's start-up work done
    cpu0 = cpu_seconds(pid)
    await asyncio.sleep(seconds)
    idle_cpu = cpu_seconds(pid) - cpu0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        pages = [Page(http) for _ in range(connections)]
        for i in range(0, connections, 50):  # fifty at a time, as TVs and phones come
            await asyncio.gather(*(p.connect(server.url) for p in pages[i : i + 50]))
        await asyncio.sleep(3)  # their snapshots sent
        pings0, cpu0, t0 = sum(p.pings for p in pages), cpu_seconds(pid), time.monotonic()
        await asyncio.sleep(seconds)
        pings, cpu, wall = sum(p.pings for p in pages) - pings0, cpu_seconds(pid) - cpu0, time.monotonic() - t0
        closed = sum(p.closed for p in pages)
        for p in pages:
            await p.ws.close()
    opened = pages[0].opened if pages else {}
    extra = cpu - idle_cpu * wall / seconds
    return {
        "ping_interval_s": opened.get("pingInterval", 0) / 1000,
        "ping_timeout_s": opened.get("pingTimeout", 0) / 1000,
        "connections": connections,
        "closed_meanwhile": closed,
        "first_error": next((p.error for p in pages if p.error), None),
        "seconds": round(wall, 1),
        "pings": pings,
        "pings_per_s": round(pings / wall, 1),
        "server_cpu_idle_pct": round(100 * idle_cpu / seconds, 2),
        "server_cpu_pct": round(100 * cpu / wall, 2),
        "server_cpu_extra_pct": round(100 * extra / wall, 2),
        "cpu_us_per_ping": round(1e6 * extra / pings, 1) if pings else None,
        "cpu_pressure_pct": cpu_pressure(),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--connections", type=int, default=300, help="live pages (default: 200 phones and 100 TVs)")
    p.add_argument("--seconds", type=float, default=60.0, help="each measurement's length")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="antrian-bench-pings-") as tmp:
        server = LiveServer(write_bench_config(Path(tmp), 4)).start()
        try:
            result = asyncio.run(measure(server, args.connections, args.seconds))
        finally:
            server.stop()
    r = result
    print(
        f"ping interval {r['ping_interval_s']:g} s, timeout {r['ping_timeout_s']:g} s; {r['connections']} pages "
        f"({r['closed_meanwhile']} closed meanwhile, first: {r['first_error']}), {r['seconds']} s: {r['pings']} pings ({r['pings_per_s']}/s)\n"
        f"server CPU: {r['server_cpu_idle_pct']} % of a core with no page, {r['server_cpu_pct']} % with them "
        f"({r['server_cpu_extra_pct']} % more: {r['cpu_us_per_ping']} µs a ping); "
        f"machine's CPU pressure {r['cpu_pressure_pct']} %"
    )
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
