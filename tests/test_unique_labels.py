"""A ticket label is unique per day whatever the admin does (issue 11, finding 6): a prefix change that
would put one prefix on two services' tickets of today is refused, numbers run per prefix, and the
database holds UNIQUE (day, label), also on a database made before it (m011)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from conftest import login, visitor, write_config
from live import server_command
from sqlite_utils import Database

from server.app import create_app
from server.core import Ticket
from server.store import Store, migrations

SERVICES = [
    {"code": "A", "name": "Konsultasi Penyedia", "prefix": "A"},
    {"code": "B", "name": "Konsultasi Non-Penyedia (PPK/Pokja/PP)", "prefix": "B"},
    {"code": "C", "name": "Registrasi & Verifikasi Akun", "prefix": "C"},
]


def with_prefixes(**prefixes: str) -> list[dict]:
    return [{**s, "prefix": prefixes.get(s["code"], s["prefix"])} for s in SERVICES]


def put_services(client, h, services):
    return client.put("/api/admin/settings/services", json={"value": services}, headers=h)


def issue(client, service: str) -> str:
    r = client.post("/api/tickets", json=visitor(service=service))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["ticket"]["label"]


def state(app) -> tuple[int, list[tuple[str, str]], list[str]]:
    svc = app.extensions["antrian"]
    with svc.store.read() as tx:
        seq = tx.last_seq()
        overrides = tx.settings_overrides()
    return seq, [(s.code, s.prefix) for s in svc.settings.services], sorted(overrides)


def test_swapping_prefixes_while_tickets_wait_is_refused_and_changes_nothing(app, client):
    assert [issue(client, "A"), issue(client, "B")] == ["A-001", "B-001"]
    h = login(app, client, "boss", "admin")
    before = state(app)
    r = put_services(client, {**h, "Accept-Language": "en"}, with_prefixes(A="B", B="A"))
    assert r.status_code == 409
    body = r.get_json()
    assert body["error"] == "prefix_in_use"
    assert "Prefix B " in body["message"] and "services[0].prefix" in body["fields"]
    assert state(app) == before  # no override, no event, the same prefixes
    assert [issue(client, "A"), issue(client, "B")] == ["A-002", "B-002"]


def test_a_prefix_from_a_removed_service_is_refused_the_same_day(app, client):
    issue(client, "C")
    h = login(app, client, "boss", "admin")
    officer = app.test_client()
    oh = login(app, officer, "siti")
    officer.post("/api/counters/1/call-next", headers=oh)
    officer.post("/api/counters/1/start", headers=oh)
    officer.post("/api/counters/1/resolve", headers=oh, json={"solution": "Akun diverifikasi"})
    counters = [{"id": 1, "name": "Loket 1", "services": ["A"]}, {"id": 2, "name": "Loket 2", "services": ["B"]}]
    assert client.put("/api/admin/settings/counters", json={"value": counters}, headers=h).status_code == 200
    assert put_services(client, h, SERVICES[:2]).status_code == 200  # C is gone (nobody waits)
    r = put_services(client, h, [*SERVICES[:2], {"code": "D", "name": "Pengaduan", "prefix": "C"}])
    assert r.status_code == 409 and r.get_json()["error"] == "prefix_in_use"


def test_a_prefix_waits_for_the_next_day_once_today_s_numbers_carry_it(app, client, clock):
    """One service, one prefix a day: a change would restart its numbers and its daily quota (counted per
    prefix) under the new one. A service with no number yet today may take a new prefix at once."""
    assert [issue(client, "A"), issue(client, "A")] == ["A-001", "A-002"]
    h = login(app, client, "boss", "admin")
    r = put_services(client, h, with_prefixes(A="X"))
    assert r.status_code == 409 and r.get_json()["error"] == "prefix_change_today"
    assert issue(client, "A") == "A-003"
    assert put_services(client, h, with_prefixes(C="Z")).status_code == 200  # no C number today yet
    assert issue(client, "C") == "Z-001"
    clock.advance(days=1)  # the next day A may take X, and numbers start again
    h = login(app, client, "boss2", "admin")
    assert put_services(client, h, with_prefixes(A="X", C="Z")).status_code == 200
    assert [issue(client, "A"), issue(client, "C")] == ["X-001", "Z-001"]


def test_a_transferred_ticket_keeps_its_label_and_no_new_ticket_takes_it(app, client):
    h = login(app, client, "budi")
    assert [issue(client, "A"), issue(client, "B")] == ["A-001", "B-001"]
    assert client.post("/api/counters/1/call-next", headers=h).get_json()["ticket"]["label"] == "A-001"
    client.post("/api/counters/1/start", headers=h)
    r = client.post("/api/counters/1/transfer", headers=h, json={"service": "B"})  # B already has a number 1
    assert r.status_code == 200 and r.get_json()["ticket"]["label"] == "A-001"
    assert issue(client, "A") == "A-002"  # numbering per service gave A-001 a second time
    assert issue(client, "B") == "B-002"
    admin = app.test_client()
    ah = login(app, admin, "boss", "admin")
    r = put_services(admin, ah, with_prefixes(A="X"))  # A-001 waits in B now, A-002 in A: both carry A
    assert r.status_code == 409 and r.get_json()["error"] == "prefix_change_today"


def test_the_command_line_refuses_the_same_swap(tmp_path):
    cfg = write_config(tmp_path)
    app = create_app(cfg, workers=False)  # the real clock: the command line's "today"
    client = app.test_client()
    issue(client, "A")
    issue(client, "B")
    app.extensions["antrian"].stop()
    import json

    r = server_command(
        ["settings", "set", "services", json.dumps(with_prefixes(A="B", B="A"))] + ["--config", str(cfg)], timeout=60
    )
    assert r.returncode == 2 and "Awalan B sudah dipakai" in r.stderr and "Prefix B " in r.stderr, r.stderr
    assert "prefix_in_use" not in r.stderr, r.stderr  # words for a person; a script has the exit status
    with app.extensions["antrian"].store.read() as tx:
        assert tx.settings_overrides() == {}
    app.extensions["antrian"].store.close()


def _ticket(day: str, service: str, number: int, label: str, token: str) -> Ticket:
    now = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    position = float(token.removeprefix("t"))  # unique per day (UNIQUE (day, position)), so the label is refused
    return Ticket(None, day, service, number, label, token, "waiting", False, position, now)


FORM = {"name": "x", "agency": "x", "address": "x", "phone": "081234567890", "problem": "x"}


def test_the_database_refuses_a_second_ticket_with_a_label_of_the_day(tmp_path):
    store = Store(tmp_path / "antrian.db")
    with store.write() as tx:
        tx.insert_ticket(_ticket("2026-11-28", "B", 621, "B-621", "t1"), FORM)
    with pytest.raises(sqlite3.IntegrityError, match=r"UNIQUE .*tickets\.day, tickets\.label"), store.write() as tx:
        tx.insert_ticket(_ticket("2026-11-28", "A", 621, "B-621", "t2"), FORM)
    with store.write() as tx:  # the same label on another day is another ticket
        tx.insert_ticket(_ticket("2026-11-29", "B", 621, "B-621", "t3"), FORM)
    store.close()


def test_the_migration_runs_on_an_existing_database_with_doubled_labels(tmp_path):
    path = tmp_path / "antrian.db"
    db = Database(path)
    migrations.apply(db, stop_before="m011_unique_labels")  # a database of the previous release
    rows = [
        ("2026-11-28", "B", 621, "B-621", "t1"),
        ("2026-11-28", "A", 621, "B-621", "t2"),  # the finding: A had taken B's prefix
        ("2026-11-28", "A", 5, "A-005", "t3"),
        ("2026-11-27", "B", 621, "B-621", "t4"),
    ]
    for day, service, number, label, token in rows:
        db.execute(
            "INSERT INTO tickets (day, service, number, label, token, status, created_at, position)"
            " VALUES (?, ?, ?, ?, ?, 'waiting', '2026-11-28T02:00:00+00:00', ?)",
            [day, service, number, label, token, number],
        )
    db.conn.commit()
    db.close()
    store = Store(path)  # applies m011 (and whatever follows)
    with store.read() as tx:
        labels = [r["label"] for r in tx.rows("SELECT label FROM tickets ORDER BY id")]
        indexes = {r["name"]: r["unique"] for r in tx.rows("SELECT name, \"unique\" FROM pragma_index_list('tickets')")}
        applied = {r["name"] for r in tx.rows("SELECT name FROM _sqlite_migrations")}
    assert labels == ["B-621", "B-621~2", "A-005", "B-621"]  # the first keeps its label
    assert indexes["idx_tickets_day_label"] == 1
    assert "m011_unique_labels" in applied
    with store.write() as tx:
        assert tx.next_number("2026-11-28", "B") == 622
        assert tx.next_number("2026-11-28", "A") == 6
        assert tx.next_number("2026-11-29", "B") == 1
        with pytest.raises(sqlite3.IntegrityError, match=r"UNIQUE .*tickets\.day, tickets\.label"):
            tx.insert_ticket(_ticket("2026-11-28", "C", 5, "A-005", "t5"), FORM)
    store.close()
