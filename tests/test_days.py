"""A week of office days against one live server, on tests/clockserver.py's clock (moved a day at a time).

Each day: yesterday's leftover ticket has expired, numbering starts again at A-001, two visitors are
served and one is left waiting; at the end the week's recap has every consultation under its own date.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from conftest import visitor, write_config
from live import ClockedServer

PASSWORD = "rahasia-123"
TZ = ZoneInfo("Asia/Jakarta")  # the office of tests/conftest.py's config


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("days")
    # At 09:00 office time today (no midnight inside the test); its maintenance loop looks every 0.1 s
    # instead of every second, so that each new day's expiry is seen at once.
    s = ClockedServer(write_config(tmp), tick=0.1).start()
    s.first_day = datetime.now(TZ).date()
    s.add_user("petugas", "officer", PASSWORD)
    yield s
    s.stop()


def wait_status(s, token: str, status: str, timeout: float = 10.0) -> dict:
    return s.ticket_when(token, status, timeout)


def test_a_week_of_office_days(server):
    officer = server.session("petugas", PASSWORD)
    kiosk = requests.Session()

    def act(action: str, **data):
        r = officer.post(f"{server.url}/api/counters/1/{action}", json=data, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()

    left: str | None = None
    for day in range(7):
        if day:
            server.next_day()
        if left is not None:
            ticket = wait_status(server, left, "expired")
            assert ticket["status"] == "expired", f"day {day}: yesterday's waiting ticket is {ticket['status']}"
        labels, tokens = [], []
        for i in range(3):
            r = kiosk.post(f"{server.url}/api/tickets", json=visitor(name=f"Tamu {day}-{i}"), timeout=10)
            assert r.status_code == 201, r.text
            labels.append(r.json()["ticket"]["label"])
            tokens.append(r.json()["ticket"]["token"])
        assert labels == ["A-001", "A-002", "A-003"], f"day {day}: numbering did not start again: {labels}"
        for i in range(2):
            called = act("call-next")["ticket"]
            assert called["label"] == labels[i], f"day {day}: called {called['label']}, not {labels[i]}"
            act("start")
            act("resolve", solution=f"Hari {day}: akun dibuka kembali.")
        left = tokens[2]
        officer.post(f"{server.url}/api/counters/1/release", json={}, timeout=10)  # the end of the working day

    last = server.first_day + timedelta(days=6)
    r = officer.get(f"{server.url}/api/recap", params={"from": str(server.first_day), "to": str(last)}, timeout=30)
    assert r.status_code == 200, r.text
    rows = r.json()["rows"]
    per_day: dict[str, int] = {}
    for row in rows:
        assert (row["No. Antrian"], row["Petugas"]) in (("A-001", "petugas"), ("A-002", "petugas"))
        per_day[row["Tanggal"]] = per_day.get(row["Tanggal"], 0) + 1
    expected = {str(server.first_day + timedelta(days=d)): 2 for d in range(7)}
    assert per_day == expected
