"""What one device with no password can make the server do, per loop it can drive (the guide: "every loop an
anonymous client can drive needs a budget"), against a real server process; each device is its own loopback
address (127.0.0.x), as on a real LAN. The budgets themselves: docs/operations.md, "Security"; the loops
tests/test_hostile.py and tests/test_hostile_more.py do not cover are here (an audit of every anonymous route
and event, helper-194)."""

from __future__ import annotations

import http.client
import json
import socket
import time

import pytest
import requests
import websocket
from conftest import visitor, write_config
from live import LiveServer

from server import realtime

REQUESTS_PER_MINUTE = 60  # a burst of 60 (server.httpserver.Guard: max(60, a quarter of the minute's)), then 1 a second
LIMITS = {
    "requests_per_minute = 1200": f"requests_per_minute = {REQUESTS_PER_MINUTE}",
    # the test process itself (the ticket it takes) has no per-address limits
    "exempt = []": 'exempt = ["127.0.0.1"]',
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(write_config(tmp_path_factory.mktemp("anonymous"), LIMITS)).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def ticket(server):
    """A visitor's ticket, with its token: what the phone that scanned its QR code holds."""
    r = requests.post(f"{server.url}/api/tickets", json=visitor(), timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def _status(server, device: str, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20, source_address=(device, 0))
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def _socket(server, device: str) -> websocket.WebSocket:
    """A raw Engine.IO connection over WebSocket from `device`, its open packet read."""
    raw = socket.create_connection(("127.0.0.1", server.port), timeout=10, source_address=(device, 0))
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket", socket=raw, timeout=10
    )
    assert ws.recv().startswith("0{")  # Engine.IO's open
    return ws


def _connect_once(ws: websocket.WebSocket, auth: dict) -> bool:
    """One Socket.IO connect to "/" on this connection and its answer: True when its snapshot came, False
    when the server closed the connection instead (a refusal, "44…", fails the test)."""
    try:
        ws.send("40" + json.dumps(auth))
        while True:
            message = ws.recv()
            if message == "":  # websocket-client's read of a close frame
                return False
            if message == "2":  # Engine.IO's ping
                ws.send("3")
                continue
            assert not message.startswith("44"), message[:200]
            if message.startswith('42["snapshot"'):
                return True
    except (websocket.WebSocketConnectionClosedException, ConnectionError):
        return False


@pytest.mark.parametrize("role", ["display", "ticket"])
def test_connecting_again_on_one_connection_is_within_its_snapshot_budget(server, ticket, role):
    """A connection may ask for SNAPSHOTS_BURST snapshots at once (then one every 10 s) and is closed past
    them. Every connect is answered with a snapshot too (a phone's with its ticket's place in line, read
    twice: the line played out), and a client could leave the namespace ("41") and connect again ("40") on
    the same connection: 2 packets of its 20 at once and 1 a second, so ten snapshots at once and one every
    two seconds, per connection, 64 connections per device (640 at once: 3.7 s of the server's CPU at 1,000
    visitors waiting, another device's /api/state up to 0.3 s late). No page does that: socket.io closes its
    connection when its last namespace goes, and connects on a new one. Now a connect after a connection's
    first takes one of its snapshots; past them the connection is closed and its device waits, as past
    its snapshot budget."""
    device = {"display": "127.0.0.31", "ticket": "127.0.0.32"}[role]
    auth = {"role": role, "token": ticket["token"]} if role == "ticket" else {"role": role}
    ws = _socket(server, device)
    try:
        answered = 0
        for _ in range(8):  # 16 packets: within the packet budget (realtime.PACKETS_BURST, 20)
            if not _connect_once(ws, auth):
                break
            answered += 1
            ws.send("41")  # leave the namespace; the connection stays
        # the first connect, then one for each snapshot of the budget; the next one closes the connection
        assert answered == 1 + realtime.SNAPSHOTS_BURST, answered
    finally:
        ws.close()
    assert _status(server, device, "/api/state") == 429  # and its device waits before it is served again
    assert _status(server, "127.0.0.33", "/api/state") == 200  # another device is served


def test_a_devices_snapshots_come_out_of_its_request_budget(server, ticket):
    """A request answers one ticket's view (GET /api/tickets/<token>, the phone page): [limits]
    requests_per_minute of them a minute. A WebSocket's upgrade is one request too, and its connection then
    had three snapshots of its own (each with the ticket's view), then was closed politely and another opened:
    four views a request, 150 a second from one device at 1,000 visitors waiting (up to two thirds of a core),
    every budget kept. Now a snapshot past a connection's first (asked for, or answering a connect
    again) costs one request of its device's budget: a device spends its minute's requests on its views
    whichever way it asks for them, and past them its requests wait for a 429 as any are."""
    device = "127.0.0.35"
    started = time.monotonic()
    upgrades = asked = 0
    refused = None  # how the device was refused once its budget was spent
    while refused is None and upgrades < 4 * REQUESTS_PER_MINUTE:  # bounded however the server answers
        try:
            ws = _socket(server, device)
        except websocket.WebSocketBadStatusException as err:  # the upgrade past the budget
            refused = err.status_code
            break
        upgrades += 1
        try:
            assert _connect_once(ws, {"role": "ticket", "token": ticket["token"]})
            for _ in range(realtime.SNAPSHOTS_BURST):  # within the connection's own snapshot budget
                ws.send('42["snapshot"]')
                if not _snapshot_or_closed(ws):
                    refused = "closed"
                    break
                asked += 1
        finally:
            ws.close()
    refilled = (time.monotonic() - started) * REQUESTS_PER_MINUTE / 60
    # each upgrade a request and each snapshot asked a request: the budget's 60, and what came back meanwhile
    assert upgrades + asked <= REQUESTS_PER_MINUTE + refilled + 1, (upgrades, asked, refilled)
    assert asked >= realtime.SNAPSHOTS_BURST  # a page's own: its connection's snapshots answered, each a request
    assert refused in (429, "closed"), refused  # past them, its upgrade waited for a 429 or its snapshot closed it
    assert _status(server, "127.0.0.36", "/api/state") == 200  # another device's budget is its own


def _snapshot_or_closed(ws: websocket.WebSocket) -> bool:
    """The next snapshot: True when it came, False when the server closed the connection instead."""
    try:
        while True:
            message = ws.recv()
            if message == "":
                return False
            if message == "2":
                ws.send("3")
            elif message.startswith('42["snapshot"'):
                return True
    except (websocket.WebSocketConnectionClosedException, ConnectionError):
        return False
