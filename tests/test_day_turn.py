"""The office's new day reaches every client before any change of that day, on a real server whose maintenance loop
looks late (once a minute; within a second in production, or not at all for as long as its look fails):

- the new day's first number and call, made before that look, are published after the expiry of the day before's
  leftovers and `day_changed`, written in their own transaction (server/service/unit.py UnitOfWork._turn). They came
  first, and `day_changed` up to the look later: each page was left to compare days;
- so the counter page lists only today's waiting visitors once today's first number is taken: it listed yesterday's
  still waiting beside it (their count said 0 or 1, their Panggil button called today's ticket of that label, or
  none) until the look;
- a turn that fails (a row of yesterday written by another program, which the expiry cannot read) stops no one: it
  is rolled back to its savepoint, logged and said on the staff pages, the day's numbers are issued and called
  after `day_changed` all the same (the TV shows and says the first call), and it is tried again after a back-off
  (once the row is mended it expires yesterday's leftovers and the alert goes). It rolled the whole transaction back:
  every kiosk's number and every officer's call of that day failed (500).
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing

import pytest
import requests
from conftest import visitor, write_config
from live import ClockedServer
from playwright.sync_api import expect
from staffpages import PASSWORD, sign_in
from test_display_readability import caught_up, new_page, open_display, tile
from test_office_live import clients  # noqa: F401 (a fixture)
from test_tv_day import NO_SPEECH, late_midnight  # noqa: F401 (a fixture)

from server.config import load_settings

TURN = ("expired", "day_changed", "issued", "called")


def turn_until_called(tv) -> list[dict]:
    """The TV's events of the day's turn (TURN) up to the first `called`."""
    seen = []
    while not seen or seen[-1]["type"] != "called":
        ev = tv.events.get(timeout=15)
        if ev["type"] in TURN:
            seen.append(ev)
    return seen


def days_of(seen: list[dict]) -> list[tuple[str, str | None]]:
    """Each event as (its type, its ticket's day)."""
    return [(ev["type"], (ev.get("ticket") or {}).get("day")) for ev in seen]


def test_the_new_days_first_number_and_call_come_after_its_day_changed(late_midnight, clients):  # noqa: F811
    server = late_midnight
    server.add_user("fajar", "officer")
    server.add_user("hadi", "officer")
    officer = server.session("fajar", PASSWORD)
    for name in ("Kemarin Satu", "Kemarin Dua"):  # one called and left at Loket 2, one still waiting
        assert requests.post(f"{server.url}/api/tickets", json=visitor(name=name), timeout=5).status_code == 201
    assert officer.post(f"{server.url}/api/counters/2/call-next", json={}, timeout=5).status_code == 200
    tv = clients(server.url, {"role": "display"})
    yesterday = tv.snapshots.get(timeout=15)["day"]
    server.next_day()
    r = requests.post(f"{server.url}/api/tickets", json=visitor(name="Pagi"), timeout=5)
    assert r.status_code == 201 and r.json()["ticket"]["label"] == "A-001", r.text
    r = server.session("hadi", PASSWORD).post(f"{server.url}/api/counters/1/call-next", json={}, timeout=5)
    assert r.status_code == 200 and r.json()["ticket"]["label"] == "A-001", r.text
    today = r.json()["ticket"]["day"]
    assert today > yesterday
    seen = turn_until_called(tv)
    assert days_of(seen) == [
        ("expired", yesterday),
        ("expired", yesterday),
        ("day_changed", None),
        ("issued", today),
        ("called", today),
    ]
    assert seen[2]["data"] == {"day": today}
    assert [ev["seq"] for ev in seen] == sorted(ev["seq"] for ev in seen)


def test_the_counter_page_lists_only_todays_visitors_once_todays_first_number_is_taken(
    browser,
    late_midnight,  # noqa: F811
):
    server = late_midnight
    server.add_user("gilang", "officer")
    assert requests.post(f"{server.url}/api/tickets", json=visitor(name="Masih Kemarin"), timeout=5).status_code == 201
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    try:
        page = sign_in(context.new_page(), server, "/counter/", "gilang")
        page.select_option("#counter-select", "1")
        names = page.locator('#line section[data-service="A"] li[data-label] .name')
        expect(names).to_have_text(["Masih Kemarin"])
        server.next_day()
        r = requests.post(f"{server.url}/api/tickets", json=visitor(name="Pagi Ini"), timeout=5)
        assert r.status_code == 201 and r.json()["ticket"]["label"] == "A-001", r.text
        expect(names).to_have_text(["Pagi Ini"])
        expect(page.locator('#line section[data-service="A"] .count')).to_have_text("1")
    finally:
        context.close()


@pytest.fixture(scope="module")
def failing_midnight(tmp_path_factory):
    """The late-midnight server (its maintenance loop looks once a minute: the commands meet the turn first) whose
    failed turn is tried again after a fifth of a second instead of up to a minute (service.unit.TURN_RETRY_MAX)."""
    config = write_config(tmp_path_factory.mktemp("failing-midnight"), NO_SPEECH)
    server = ClockedServer(config, tick=60.0, numbers={"service.unit.TURN_RETRY_MAX": 0.2}).start()
    yield server
    server.stop()


def _another_program(server) -> sqlite3.Connection:
    """The server's database as another program opens it (sqlite3, no Antrian code)."""
    conn = sqlite3.connect(load_settings(server.config).server.database, timeout=10, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def _alert(session, server) -> str | None:
    """What the front office and admin pages say at the top (the staff state's disk message), in Indonesian."""
    disk = session.get(f"{server.url}/api/staff/state", timeout=5).json()["disk"]
    return (disk["message"] or {}).get("id")


def test_a_day_turn_that_fails_stops_no_number_and_no_call(browser, failing_midnight, clients):  # noqa: F811
    server = failing_midnight
    server.add_user("subuh", "officer")
    officer = server.session("subuh", PASSWORD)
    r = requests.post(f"{server.url}/api/tickets", json=visitor(name="Kemarin Satu"), timeout=5)
    assert r.status_code == 201, r.text
    yesterday = r.json()["ticket"]["day"]
    # a visitor of yesterday written by another program (an import from a spreadsheet), still waiting, its time
    # in Unix seconds: a row SQLite holds (kept as the text '1796364000') and the expiry cannot read
    with closing(_another_program(server)) as db:
        bad = db.execute(
            "INSERT INTO tickets (day, service, number, label, token, status, priority, position, created_at)"
            " VALUES (?, 'A', 99, 'A-099', 'dari-program-lain', 'waiting', 0, 99.0, 1796364000)",
            [yesterday],
        ).lastrowid
    tv = clients(server.url, {"role": "display"})
    assert tv.snapshots.get(timeout=15)["day"] == yesterday
    page = new_page(browser, (1366, 768))
    try:
        open_display(page, server)
        server.next_day()
        r = requests.post(f"{server.url}/api/tickets", json=visitor(name="Pagi"), timeout=5)
        assert r.status_code == 201, r.text  # 500 before: the turn's error rolled the number back
        assert r.json()["ticket"]["label"] == "A-001"
        r = officer.post(f"{server.url}/api/counters/1/call-next", json={}, timeout=5)
        assert r.status_code == 200, r.text  # 500 before, all day
        today = r.json()["ticket"]["day"]
        assert r.json()["ticket"]["label"] == "A-001" and today > yesterday
        # nothing of the turn but its day_changed, first: the pages take the new day before its number and call
        assert days_of(turn_until_called(tv)) == [
            ("day_changed", None),
            ("issued", today),
            ("called", today),
        ]
        caught_up(page, server)
        assert page.get_attribute(tile(1), "data-ticket") == "A-001"
        page.wait_for_function(
            "() => antrianDisplay.log.some((e) => e.label === 'A-001' && e.counter_id === 1 && e.end !== null)",
            polling=50,
            timeout=15000,
        )
        alert = _alert(officer, server)
        assert alert is not None and alert.startswith(f"Pergantian hari {today} gagal"), alert
        assert "ValueError: Invalid isoformat string: '1796364000'" in alert
        log = server.log()
        assert f"the office's day turn of {today} failed" in log and "Traceback" in log
        with closing(_another_program(server)) as db:  # the admin mends the row
            db.execute("UPDATE tickets SET created_at = ? WHERE id = ?", [f"{yesterday}T02:00:00+00:00", bad])
        # the next command after the back-off (a kiosk's request sent again: answered as the first time) tries the
        # turn again: yesterday's leftovers expire and the alert goes
        deadline = time.monotonic() + 10
        again = {"X-Request-ID": "kios-1-pagi-dua"}
        while True:
            r = requests.post(f"{server.url}/api/tickets", json=visitor(name="Pagi Dua"), headers=again, timeout=5)
            assert r.status_code == 201 and r.json()["ticket"]["label"] == "A-002", r.text
            if _alert(officer, server) is None or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert _alert(officer, server) is None
        expired = []
        while len(expired) < 2:
            ev = tv.events.get(timeout=15)
            if ev["type"] == "expired":
                expired.append((ev["ticket"]["label"], ev["ticket"]["day"]))
            assert ev["type"] != "day_changed"  # told once
        assert sorted(expired) == [("A-001", yesterday), ("A-099", yesterday)]
        with closing(_another_program(server)) as db:
            left = db.execute("SELECT COUNT(*) FROM tickets WHERE day = ? AND status = 'waiting'", [yesterday])
            assert left.fetchone()[0] == 0
        assert f"the office's day turn of {today} worked, tried again" in server.log()
    finally:
        page.context.close()


# -- the same, in the process (no gevent: each command alone, UnitOfWork._alone) ---------------------------------

BAD_ROW = (
    "INSERT INTO tickets (day, service, number, label, token, status, priority, position, created_at)"
    " VALUES (?, 'A', 99, 'A-099', 'dari-program-lain', 'waiting', 0, 99.0, '1796364000')"
)


def test_a_failed_turn_is_tried_again_after_a_back_off_by_the_first_transaction_not_by_every_one(
    service, clock, monkeypatch, caplog
):
    """The turn that failed is tried again by the first transaction (a command or the maintenance loop's look)
    1 s after, then 2, 4... up to 60 s after each failure (unit.TURN_RETRY_FIRST, TURN_RETRY_MAX); its traceback
    is logged once; the look's own expiry waits for it (it would fail every second, and the loop's other work with
    it); once the row is mended the try expires yesterday's leftovers before its command's change and the staff
    pages' alert goes."""
    from types import SimpleNamespace

    from server.service import unit as unit_module

    ticks = [1000.0]
    monkeypatch.setattr(unit_module, "time", SimpleNamespace(monotonic=lambda: ticks[0]))
    tries: list[str | None] = []
    turn = service.unit.new_day

    def counted(tx, now, day, before):
        tries.append(before)
        return turn(tx, now, day, before)

    service.unit.new_day = counted
    service.issue(visitor(name="Kemarin"), printed=False)
    yesterday = service.day()
    with service.store.write() as tx:
        bad = tx.db.execute(BAD_ROW, [yesterday]).lastrowid
    clock.advance(days=1)
    today = service.day()
    tries.clear()

    def issued(name: str) -> list[str]:
        """A kiosk's number: the types of the events it published."""
        n = len(service.events)
        assert service.issue(visitor(name=name), printed=False).body["ticket"]["day"] == today
        return [ev["type"] for ev in service.events[n:]]

    assert issued("Pagi") == ["day_changed", "issued"]
    changed = next(ev for ev in service.events if ev["type"] == "day_changed")
    assert changed["data"] == {"day": today, "before": yesterday}
    assert tries == [yesterday]
    alert = service.disk_status()["message"]
    assert alert["id"].startswith(f"Pergantian hari {today} gagal") and "1796364000" in alert["id"]
    assert alert["en"].startswith(f"The office's day turn of {today} failed")
    tries.clear()
    for delay in (1, 2, 4, 8, 16, 32, 60, 60):
        ticks[0] += delay - 0.01
        assert issued("Belum") == ["issued"] and service.expire_old() == 0
        assert tries == []  # not tried before its back-off, by a command or the look
        ticks[0] += 0.01
        assert service.expire_old() == 0  # the look tries it (its expiry only), fails, and the loop goes on
        assert tries == [None]
        tries.clear()
    failed = [r for r in caplog.records if "day turn of" in r.getMessage() and "failed" in r.getMessage()]
    assert len(failed) == 1 and failed[0].exc_info is not None  # logged once, with its traceback
    with service.store.write() as tx:  # the admin mends the row
        tx.db.execute("UPDATE tickets SET created_at = ? WHERE id = ?", [f"{yesterday}T02:00:00+00:00", bad])
    ticks[0] += 59.99
    assert issued("Masih") == ["issued"]
    ticks[0] += 0.01
    n = len(service.events)
    assert issued("Sesudah") == ["expired", "expired", "issued"]  # tried by this command, before its change
    assert [ev["ticket"]["day"] for ev in service.events[n : n + 2]] == [yesterday, yesterday]
    assert service.disk_status()["message"] is None
    assert service.unit.turn_trouble() is None
    assert tries == [None]
    assert issued("Lalu") == ["issued"] and tries == [None]


def test_a_failed_turn_with_a_refused_command_still_tells_the_new_day(service, clock, monkeypatch):
    """The day's first command is refused (an empty form) while its turn fails: the `day_changed` written alone is
    committed all the same, as a turn made before a refusal is, and the day is told once."""
    from types import SimpleNamespace

    from server.errors import AntrianError
    from server.service import unit as unit_module

    monkeypatch.setattr(unit_module, "time", SimpleNamespace(monotonic=lambda: 1000.0))
    service.issue(visitor(name="Kemarin"), printed=False)
    with service.store.write() as tx:
        tx.db.execute(BAD_ROW, [service.day()])
    clock.advance(days=1)
    n = len(service.events)
    with pytest.raises(AntrianError):
        service.queue.counter_action(1, "recall", {}, "admin")  # no ticket at the counter: refused
    assert [ev["type"] for ev in service.events[n:]] == ["day_changed"]
    service.issue(visitor(name="Pagi"), printed=False)
    assert [ev["type"] for ev in service.events[n:]] == ["day_changed", "issued"]
    assert service.unit.turn_trouble()["day"] == service.day()
