"""Upkeep of the database and its disk: old idempotency answers dropped and their pages given back
(auto_vacuum=INCREMENTAL), an older database switched to it at start, and the low-disk warning of the
front office and admin pages ([server] min_free_mb), which never stops tickets being issued."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from conftest import login, mounted_tmpfs, visitor, write_config
from playwright.sync_api import expect
from staffpages import sign_in

from server import store as store_module
from server.config import ConfigError, load_settings
from server.service.upkeep import FORGET_BATCH
from server.store import REQUESTS_KEPT, Store, migrations

HUGE_MB = 10**9  # a petabyte: more than any test machine has free, so the warning shows
ANSWER = {"ticket": {"label": "A-001", "form": {"problem": "x" * 900}}}  # about the size of a real one


def pragma(path: Path, name: str):
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]


def request_keys(path: Path) -> list[str]:
    """The stored answers' keys, oldest first."""
    with closing(sqlite3.connect(path)) as conn:
        return [r[0] for r in conn.execute("SELECT key FROM requests ORDER BY at")]


def remember(store: Store, keys: list[str], at: datetime) -> None:
    with store.write() as tx:
        for key in keys:
            tx.remember_answer(key, 201, ANSWER, at)


def with_min_free(service, mb: int) -> None:
    service.settings = replace(service.settings, server=replace(service.settings.server, min_free_mb=mb))


# -- old answers dropped, recent ones replayed ------------------------------------------------------
def test_a_replay_within_a_day_gets_its_stored_answer_and_older_answers_are_dropped(app, client, clock):
    service = app.extensions["antrian"]
    first = client.post("/api/tickets", json=visitor(request_id="kiosk-old"))
    assert first.status_code == 201
    clock.advance(hours=23)
    recent = client.post("/api/tickets", json=visitor(name="Siti Rahayu", request_id="kiosk-recent"))
    assert recent.status_code == 201
    clock.advance(hours=2)  # kiosk-old is 25 hours old, kiosk-recent 2

    assert service.forget_old_requests() == 1
    assert request_keys(service.store.path) == ["issue:kiosk-recent"]
    again = client.post("/api/tickets", json=visitor(name="Siti Rahayu", request_id="kiosk-recent"))
    assert (again.status_code, again.get_json()) == (201, recent.get_json())  # the same ticket, not a new one
    # Past the window the request_id is unknown: a retry that late is a new visitor.
    late = client.post("/api/tickets", json=visitor(request_id="kiosk-old"))
    assert late.status_code == 201 and late.get_json()["ticket"]["token"] != first.get_json()["ticket"]["token"]
    assert service.forget_old_requests() == 0


def test_thousands_of_old_answers_go_in_short_batches_and_the_file_shrinks(app, clock, monkeypatch):
    service = app.extensions["antrian"]
    path = service.store.path
    remember(service.store, [f"old-{i}" for i in range(3000)], clock.now - REQUESTS_KEPT - timedelta(minutes=1))
    remember(service.store, [f"new-{i}" for i in range(50)], clock.now - REQUESTS_KEPT + timedelta(minutes=1))
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages, size = pragma(path, "page_count"), path.stat().st_size
    batches = []
    forget = store_module.Tx.forget_requests

    def counted(tx, before, limit):
        batches.append(forget(tx, before, limit))
        return batches[-1]

    monkeypatch.setattr(store_module.Tx, "forget_requests", counted)

    assert service.forget_old_requests() == 3000
    assert max(batches) == FORGET_BATCH and len(batches) == 3000 // FORGET_BATCH + 1
    assert sorted(request_keys(path)) == sorted(f"new-{i}" for i in range(50))
    assert pragma(path, "freelist_count") == 0
    freed = pages - pragma(path, "page_count")
    assert freed * 4096 > 3000 * 900  # every old answer's page went back, not onto a free list
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert path.stat().st_size < size - 3000 * 900
    assert pragma(path, "integrity_check") == "ok"


# -- an older database -----------------------------------------------------------------------------
def old_database(path: Path) -> None:
    """A database as the version before this one left it: no auto_vacuum, no m017; an account, answers
    of months ago and of the last hour, and free pages (rows deleted) that only a VACUUM gives back."""
    from sqlite_utils import Database

    db = Database(sqlite3.connect(path, isolation_level=None))
    db.execute("PRAGMA journal_mode=WAL")
    migrations.apply(db, stop_before="m017_requests_by_time")
    recent = datetime.now(UTC) - timedelta(hours=1)
    with db.atomic():
        db.execute(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES ('budi', 'h', 'officer', '2026-01-01')"
        )
        for i in range(3000):
            at = recent + timedelta(seconds=i) if i >= 2000 else datetime(2026, 1, 1, tzinfo=UTC)
            db.execute(
                "INSERT INTO requests (key, status, body, at) VALUES (?, 201, ?, ?)",
                [f"k{i}", json.dumps(ANSWER), at.isoformat()],
            )
    db.execute("DELETE FROM requests WHERE rowid BETWEEN 500 AND 1500")
    db.close()


def test_an_older_database_is_switched_to_incremental_vacuum_at_start_and_keeps_its_rows(tmp_path):
    path = tmp_path / "antrian.db"
    old_database(path)
    assert pragma(path, "auto_vacuum") == 0 and pragma(path, "freelist_count") > 0
    with closing(sqlite3.connect(path)) as conn:
        recent = conn.execute("SELECT key, body, at FROM requests WHERE at > '2026-01-02' ORDER BY key").fetchall()
    assert len(recent) == 1000

    store = Store(path)
    assert Path(f"{path}-wal").stat().st_size == 0  # the VACUUM's copy of the file is not left in the WAL
    with store.read() as tx:  # the answers of the last day are kept as they were, older ones are dropped
        assert tx.rows("SELECT key, body, at FROM requests ORDER BY key") == [
            {"key": k, "body": b, "at": a} for k, b, a in recent
        ]
        assert tx.user("budi")["role"] == "officer"
        assert tx.one("SELECT 1 AS x FROM sqlite_master WHERE name = 'idx_requests_at'")
    store.close()
    assert pragma(path, "auto_vacuum") == 2 and pragma(path, "freelist_count") == 0
    assert pragma(path, "journal_mode") == "wal" and pragma(path, "integrity_check") == "ok"
    store = Store(path)
    assert store.make_incremental(store.db) is None  # once is enough
    store.close()


def test_a_vacuum_that_cannot_run_leaves_the_database_working_and_is_tried_at_the_next_start(tmp_path, monkeypatch):
    path = tmp_path / "antrian.db"
    old_database(path)
    from sqlite_utils import Database

    conn = sqlite3.connect(path, isolation_level=None)
    migrations.apply(Database(conn))  # m017 applied: as a start whose VACUUM failed leaves it
    conn.close()
    monkeypatch.setattr(store_module, "BUSY_SECONDS", 0.05)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process writing (e.g. `python -m server retention`)
    store = Store(path)
    assert pragma(path, "auto_vacuum") == 0
    with store.read() as tx:
        assert tx.user("budi") is not None
    store.close()
    other.execute("ROLLBACK")
    other.close()
    Store(path).close()
    assert pragma(path, "auto_vacuum") == 2


# -- [server] min_free_mb -----------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["-1", '"500"', "true", "1.5"])
def test_min_free_mb_must_be_a_whole_number_of_megabytes(tmp_path, value):
    path = write_config(tmp_path, {"min_free_mb = 500": f"min_free_mb = {value}"})
    with pytest.raises(ConfigError, match=r"^server\.min_free_mb: must be"):
        load_settings(path)


def test_min_free_mb_defaults_to_500_and_takes_big_values(tmp_path):
    assert load_settings(write_config(tmp_path, {"min_free_mb = 500": "# min_free_mb = 500"})).server.min_free_mb == 500
    assert load_settings(write_config(tmp_path, {"min_free_mb = 500": f"min_free_mb = {HUGE_MB}"})).server.min_free_mb
    assert load_settings(write_config(tmp_path, {"min_free_mb = 500": "min_free_mb = 0"})).server.min_free_mb == 0


def test_staff_see_a_low_disk_the_public_does_not_and_tickets_are_still_issued(app, client):
    service = app.extensions["antrian"]
    headers = login(app, client, "rina", "frontoffice")
    disk = client.get("/api/staff/state").get_json()["disk"]
    assert disk["low"] is False and disk["message"] is None and disk["min_free_mb"] == 500

    with_min_free(service, HUGE_MB)
    service.check_disk()
    disk = client.get("/api/staff/state").get_json()["disk"]
    folder = str(service.settings.server.database.parent)
    assert disk["low"] is True and disk["path"] == folder and 0 < disk["free_mb"] < HUGE_MB
    assert disk["message"] == {
        "id": f"Ruang disk hampir penuh: tersisa {disk['free_mb']} MB di {folder} — hapus arsip lama atau tambah disk",
        "en": f"Disk space is running low: {disk['free_mb']} MB left on {folder} — delete old archives or add a disk",
    }
    assert "disk" not in client.get("/api/state").get_json()
    assert client.post("/api/tickets", json=visitor()).status_code == 201  # the warning refuses nothing
    assert client.post("/api/tickets", json=visitor(), headers=headers).status_code == 201


def test_staff_pages_are_told_when_the_disk_gets_low_and_when_there_is_room_again(app, client):
    service = app.extensions["antrian"]
    socketio = app.extensions["antrian.socketio"]
    login(app, client, "rina", "frontoffice")
    staff = socketio.test_client(app, flask_test_client=client, auth={"role": "frontoffice"})
    public = socketio.test_client(app, auth={"role": "display"})
    assert staff.is_connected() and public.is_connected()
    staff.get_received(), public.get_received()  # the snapshots

    def told(client_):
        return [m["args"][0] for m in client_.get_received() if m["name"] == "disk"]

    service.check_disk()
    assert told(staff) == []  # plenty of room: nothing to say
    with_min_free(service, HUGE_MB)
    service.check_disk()
    (low,) = told(staff)
    assert low["low"] is True and "Ruang disk hampir penuh" in low["message"]["id"]
    with_min_free(service, 0)
    service.check_disk()
    assert [d["low"] for d in told(staff)] == [False]
    service.check_disk()
    assert told(staff) == [] and told(public) == []
    staff.disconnect()
    public.disconnect()


@pytest.fixture
def tiny_disk(tmp_path):
    """A 16 MB tmpfs (root only; skipped where mounting is not allowed, e.g. an unprivileged container)."""
    yield from mounted_tmpfs(tmp_path / "disk", "16m")


def test_a_nearly_full_small_disk_is_reported_and_tickets_are_issued_while_sqlite_can_write(tmp_path, tiny_disk, clock):
    from server.app import create_app

    config = write_config(tmp_path, {"min_free_mb = 500": "min_free_mb = 8"})
    config.write_text(
        config.read_text()
        .replace(str(tmp_path / "antrian.db"), str(tiny_disk / "antrian.db"))
        .replace(str(tmp_path / "data"), str(tiny_disk / "data"))
    )
    app = create_app(config, workers=False, clock=clock)
    service = app.extensions["antrian"]
    try:
        assert service.check_disk()["low"] is False
        (tiny_disk / "filler").write_bytes(b"\0" * (10 * 2**20))  # 16 MB disk: under 6 MB left
        disk = service.check_disk()
        assert disk["low"] is True and disk["free_mb"] < 8 and disk["path"] == str(tiny_disk)
        client = app.test_client()
        for i in range(20):
            assert client.post("/api/tickets", json=visitor(request_id=f"r{i}")).status_code == 201
    finally:
        service.stop()
        service.store.close()


# -- a real server: the maintenance loop drops old answers; the pages show the warning -------------------
@pytest.fixture(scope="module")
def low_disk_server(tmp_path_factory):
    from live import LiveServer

    tmp = tmp_path_factory.mktemp("upkeep")
    # and the daily backup onto a USB stick that is not plugged in
    usb = {f'backup_dir = "{tmp / "backups"}"': f'backup_dir = "{tmp / "usb" / "antrian"}"'}
    config = write_config(tmp, {"min_free_mb = 500": f"min_free_mb = {HUGE_MB}", **usb})
    store = Store(tmp / "antrian.db")
    now = datetime.now(UTC)
    remember(store, [f"old-{i}" for i in range(500)], now - REQUESTS_KEPT - timedelta(hours=1))
    remember(store, ["recent"], now - timedelta(hours=1))
    store.close()
    server = LiveServer(config).start()
    server.add_user("rina", "frontoffice")
    server.add_user("kepala", "admin")
    yield server
    server.stop()


def test_the_running_server_drops_old_answers_by_itself_and_keeps_recent_ones(low_disk_server):
    path = low_disk_server.config.parent / "antrian.db"
    deadline = time.monotonic() + 20
    while len(request_keys(path)) > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert request_keys(path) == ["recent"]
    r = requests.post(low_disk_server.url + "/api/tickets", json=visitor(request_id="kiosk-1"), timeout=5)
    again = requests.post(low_disk_server.url + "/api/tickets", json=visitor(request_id="kiosk-1"), timeout=5)
    assert r.status_code == again.status_code == 201 and r.json() == again.json()


def open_page(browser, live, path: str, username: str):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    return sign_in(context.new_page(), live, path, username)


def test_the_front_office_and_admin_pages_show_the_low_disk_and_failed_backup_alert(browser, low_disk_server):
    folder = str(low_disk_server.config.parent)
    usb = re.escape(str(low_disk_server.config.parent / "usb"))
    page = open_page(browser, low_disk_server, "/counter/front", "rina")
    alert = page.locator("#alerts li[data-type=disk_low]")
    expect(alert).to_have_text(
        re.compile(
            rf"^Ruang disk hampir penuh: tersisa \d+ MB di {re.escape(folder)} — hapus arsip lama atau tambah disk"
            rf" · Cadangan harian database gagal: {usb} tidak ada \(disk belum terpasang\?\)\. Dicoba lagi"
            r" setiap 10 menit; periksa disk atau USB cadangan$"
        )
    )
    expect(page.locator("#alerts-empty")).to_be_hidden()
    page.click("#lang-toggle")
    expect(alert).to_have_text(re.compile(r"^Disk space is running low: \d+ MB left on .* · The daily backup of the"))
    expect(alert).to_contain_text(f"{low_disk_server.config.parent / 'usb'} does not exist (a disk not mounted?)")
    page.evaluate("window.antrianFront.onDisk({low: false, message: null})")  # as the socket's `disk` says it
    expect(alert).to_have_count(0)
    expect(page.locator("#alerts-empty")).to_be_visible()
    page.context.close()

    page = open_page(browser, low_disk_server, "/counter/admin", "kepala")
    expect(page.locator("#disk-alert")).to_contain_text("Ruang disk hampir penuh: tersisa")
    expect(page.locator("#disk-alert")).to_contain_text("Cadangan harian database gagal")
    page.context.close()


def test_a_message_that_fails_to_publish_does_not_stop_the_later_ones(app, client, monkeypatch):
    from server import realtime

    socketio = app.extensions["antrian.socketio"]
    display = socketio.test_client(app, auth={"role": "display"})
    display.get_received()  # the snapshot
    real = realtime.public_message
    broken = {"left": 1}

    def public_message(ev):
        if broken["left"]:
            broken["left"] -= 1
            raise RuntimeError("a bug in one message")
        return real(ev)

    monkeypatch.setattr(realtime, "public_message", public_message)
    first = client.post("/api/tickets", json=visitor()).get_json()["ticket"]["label"]
    deadline = time.monotonic() + 10
    while broken["left"] and time.monotonic() < deadline:  # the publisher has tried it (and failed)
        time.sleep(0.01)
    second = client.post("/api/tickets", json=visitor()).get_json()["ticket"]["label"]
    seen: list[str] = []
    while second not in seen and time.monotonic() < deadline:
        for m in display.get_received():
            for ev in m["args"][0] if m["name"] == "events" else [m["args"][0]] if m["name"] == "event" else []:
                if ev.get("ticket"):
                    seen.append(ev["ticket"]["label"])
        time.sleep(0.02)
    assert second in seen and first not in seen and broken["left"] == 0
