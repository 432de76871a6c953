"""The office's rules over time in a real server process (python -m server serve, gevent, its own
maintenance loop): opening and closing reach the kiosks live. (A counter freed by itself after
counter_release_minutes is tested in test_office_rules.py with a settable clock: here it would
wait a minute.)"""

from __future__ import annotations

import json
import queue
import time
from datetime import datetime, timedelta

import pytest
import requests
import socketio
from conftest import in_order, office_zone, seconds_to_office_midnight, visitor, write_config
from live import LiveServer, server_command

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Client:
    """A Socket.IO client that keeps its snapshots and events."""

    def __init__(self, url: str, auth: dict, headers: dict | None = None):
        self.sio = in_order(socketio.Client(reconnection=False))
        self.snapshots: queue.Queue = queue.Queue()
        self.events: queue.Queue = queue.Queue()
        self.sio.on("snapshot", self.snapshots.put)
        self.sio.on("event", self.events.put)
        self.sio.on("events", lambda batch: [self.events.put(ev) for ev in batch])
        self.sio.connect(url, auth=auth, headers=headers or {}, transports=["websocket"], wait_timeout=10)

    def event(self, type_: str, timeout: float = 15, **match) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            ev = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            if ev["type"] == type_ and all(ev.get(k) == v for k, v in match.items()):
                return ev


def cookie_header(session: requests.Session) -> dict:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in session.cookies.items())}


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
    office = kiosk.snapshots.get(timeout=15)["office"]
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


def test_a_command_line_change_reaches_every_page_whatever_the_server_committed_before_its_reload(server, clients):
    """`settings set` (another process) commits the change and its settings_changed row; the server applies it at
    its maintenance loop's next look, within a second. A ticket issued in between has a higher seq than that row:
    every page (`/static/live.js` drops a seq at or below the one it shows) dropped the row published as it was,
    and kept the old settings until it reconnected; a snapshot taken in between had the old settings with a seq
    past the change. The server publishes its own event, with a fresh seq and the command line's actor."""
    from server.config import load_settings
    from server.store import Store

    tv = clients(server.url, {"role": "display"})
    front = clients(server.url, {"role": "frontoffice"}, cookie_header(server.session("rina", "rahasia-123")))
    shown = tv.snapshots.get(timeout=15)["seq"]  # the seq the TV is current to (live.js)
    front.snapshots.get(timeout=15)
    for attempt in range(5):  # until the ticket comes before the server's look (it almost always does)
        name = f"LPSE Uji {attempt}"
        r = server_command(["settings", "set", "office", json.dumps({"name": name}), "--config", str(server.config)])
        assert r.returncode == 0, r.stderr
        assert requests.post(server.url + "/api/tickets", json=visitor(), timeout=5).status_code == 201
        snap = requests.get(server.url + "/api/state", timeout=5).json()  # a TV (re)connecting now
        taken = []
        while not taken or taken[-1]["type"] != "settings_changed":
            taken.append(tv.events.get(timeout=15))
        changed = taken[-1]
        assert changed["seq"] > max([shown, *(ev["seq"] for ev in taken[:-1])]), taken  # not dropped
        assert changed["seq"] > snap["seq"] or snap["office"]["name"] == name, (snap, changed)
        shown = changed["seq"]
        assert requests.get(server.url + "/api/state", timeout=5).json()["office"]["name"] == name  # what it re-reads
        staff = front.event("settings_changed")
        assert staff["seq"] == changed["seq"] and staff["actor"] == "cli", staff
        changes = [{"key": "office.name", "old": staff["data"]["changes"][0]["old"], "new": name}]
        assert staff["data"] == {"section": "office", "applies": staff["data"]["applies"], "changes": changes}, staff
        with Store(load_settings(server.config).server.database) as store, store.read() as tx:
            row = tx.last_settings_change("office")  # the admin page's "changed meanwhile by …": the command line's
        assert row["seq"] == staff["data"]["applies"] < changed["seq"] and row["actor"] == "cli", row
        if [ev["type"] for ev in taken[:-1]].count("issued"):  # the ticket came first: the case shown
            break
    else:
        pytest.fail("the server's look came before the ticket five times")
