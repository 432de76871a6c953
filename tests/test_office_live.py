"""The office's rules over time in a real server process (python -m server serve, gevent, its own
maintenance loop): opening and closing reach the kiosks live. (A counter freed by itself after
counter_release_minutes is tested in test_office_rules.py with a settable clock: here it would
wait a minute.)"""

from __future__ import annotations

import queue
import time
from datetime import datetime, timedelta

import pytest
import requests
import socketio
from conftest import office_zone, seconds_to_office_midnight, visitor, write_config
from live import LiveServer

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Client:
    """A Socket.IO client that keeps its snapshots and events."""

    def __init__(self, url: str, auth: dict, headers: dict | None = None):
        self.sio = socketio.Client(reconnection=False)
        self.snapshots: queue.Queue = queue.Queue()
        self.events: queue.Queue = queue.Queue()
        self.sio.on("snapshot", self.snapshots.put)
        self.sio.on("event", self.events.put)
        self.sio.on("events", lambda batch: [self.events.put(ev) for ev in batch])
        self.sio.connect(url, auth=auth, headers=headers or {}, transports=["websocket"], wait_timeout=10)

    def event(self, type_: str, timeout: float = 5, **match) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            ev = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            if ev["type"] == type_ and all(ev.get(k) == v for k, v in match.items()):
                return ev


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(write_config(tmp_path_factory.mktemp("office"))).start()
    for name, role in (("rina", "frontoffice"),):
        live.add_user(name, role)
    yield live
    live.stop()


@pytest.fixture
def clients():
    made: list[Client] = []

    def make(url, auth, headers=None) -> Client:
        made.append(Client(url, auth, headers))
        return made[-1]

    yield make
    for c in made:
        c.sio.disconnect()


def test_closing_and_opening_reach_the_kiosk_live(server, clients):
    kiosk = clients(server.url, {"role": "kiosk"})
    office = kiosk.snapshots.get(timeout=5)["office"]
    assert (office["open"], office["next_opening"], office["closes_at"]) == (True, None, None)
    left = seconds_to_office_midnight()
    if left < 60:  # not across the office's midnight, which also ends sessions (a long run may reach it)
        time.sleep(left + 1)
    today = datetime.now(office_zone())
    admin = server.session("admin", server.first_password)
    hours = {day: "" if i == today.weekday() else "00:00-24:00" for i, day in enumerate(DAYS)}
    r = admin.put(server.url + "/api/admin/settings/hours", json={"value": hours}, timeout=5)
    assert r.status_code == 200, r.text
    closed = kiosk.event("office_closed", timeout=5)  # from the maintenance loop, within a second or two
    tomorrow = (today + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    assert (closed["office"]["open"], closed["office"]["closes_at"]) == (False, None)
    assert datetime.fromisoformat(closed["office"]["next_opening"]) == tomorrow
    r = requests.post(server.url + "/api/tickets", json=visitor(), timeout=5)
    assert r.status_code == 409 and r.json()["error"] == "office_closed"
    assert r.json()["message"].startswith("Layanan tutup. Buka kembali ") and "pukul 00.00 WIB" in r.json()["message"]
    assert requests.get(server.url + "/api/state", timeout=5).json()["office"]["open"] is False
    front = server.session("rina", "rahasia-123")
    assert front.post(server.url + "/api/tickets", json=visitor(), timeout=5).status_code == 201
    r = admin.put(server.url + "/api/admin/settings/hours", json={"value": None}, timeout=5)
    assert r.status_code == 200
    opened = kiosk.event("office_opened", timeout=5)
    assert opened["office"] == {"open": True, "next_opening": None, "closes_at": None}
    assert requests.post(server.url + "/api/tickets", json=visitor(), timeout=5).status_code == 201
