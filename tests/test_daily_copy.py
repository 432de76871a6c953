"""The daily copy of the database after a restore (its mark), the backup alert's words in each language and
its one line in the log, and a database damaged inside: refused at the start, said to staff while serving."""

from __future__ import annotations

import dataclasses
import errno
import logging
import resource
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import empty_database, login, mounted_tmpfs, visitor, write_config
from live import ROOT, free_port, server_command

from server import archive
from server.app import create_app
from server.service import Kind
from server.service.upkeep import daily_backups
from server.store import Store


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def tickets_in(path: Path) -> list[str]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return [
            r[0] for r in conn.execute("SELECT f.name FROM tickets t JOIN forms f ON f.ticket_id = t.id ORDER BY 1")
        ]


class Office:
    """One server of an office (its own config, database and backup folder), started and stopped as the
    admin does around a restore."""

    def __init__(self, folder: Path, clock):
        folder.mkdir(exist_ok=True)
        self.config = write_config(folder)
        self.database = folder / "antrian.db"
        self.backups = folder / "backups"
        self.clock = clock
        self.app = None
        empty_database(self.database)

    def start(self):
        self.app = create_app(self.config, workers=False, clock=self.clock, synchronous="OFF")
        return self.app.extensions["antrian"]

    def stop(self) -> None:
        self.app.extensions["antrian"].stop()
        self.app.extensions["antrian"].store.close()
        self.app = None


def issue(service, *names: str) -> None:
    for name in names:
        assert service.issue(visitor(name=name)).kind is Kind.CREATED


def test_after_a_restore_todays_copy_is_made_again_from_the_restored_database(tmp_path, clock):
    """The demo's server made today's copy on the stick; the real office's yesterday copy is restored in its
    place: today's antrian-DAY.db was still the demo's (the newest copy, the one the guide says to restore),
    and the real data had none until tomorrow. It is made again, replacing the demo's; restoring today's own
    copy, or a restart, makes none again."""
    real = Office(tmp_path / "real", clock)
    clock.now = utc(2026, 12, 3, 1)  # 08:00 WIB on 3 December: the real office's last day before its PC died
    service = real.start()
    issue(service, "Rina Asli", "Budi Asli")
    yesterday = service.daily_backup()
    assert yesterday == real.backups / "antrian-2026-12-03.db"
    real.stop()

    demo = Office(tmp_path / "new-pc", clock)  # the new PC, set up on the demo first
    clock.now = utc(2026, 12, 4, 1)
    service = demo.start()
    issue(service, "Demo")
    today = demo.backups / "antrian-2026-12-04.db"
    assert service.daily_backup() == today and tickets_in(today) == ["Demo"]
    demo.stop()

    archive.restore(yesterday, demo.database)  # the server stopped, as `restore` requires
    service = demo.start()
    assert service.daily_backup() == today  # made again: today's file was another database's
    assert tickets_in(today) == ["Budi Asli", "Rina Asli"]
    # the demo's copy kept aside, under a name never pruned nor taken for a daily copy; no .tmp left
    names = sorted(p.name for p in demo.backups.iterdir())
    assert len(names) == 2 and names[0] == "antrian-2026-12-04.db", names
    assert names[1] == "antrian-2026-12-04.replaced-080000.db", names  # at 08:00 WIB, the office's time as its day
    assert tickets_in(demo.backups / names[1]) == ["Demo"]
    assert [p.name for p in daily_backups(demo.backups)] == ["antrian-2026-12-04.db"]
    mark = archive.backup_mark(today)
    demo.stop()

    service = demo.start()  # a restart on the same day: its copy is there
    assert service.daily_backup() is None and archive.backup_mark(today) == mark
    issue(service, "Siang")
    demo.stop()
    archive.restore(today, demo.database)  # today's own copy: the same database, nothing to make again
    service = demo.start()
    assert service.daily_backup() is None and archive.backup_mark(today) == mark
    demo.stop()


def test_a_restore_of_an_older_copy_keeps_todays_copy_of_the_days_between(tmp_path, clock):
    """The database damaged on the afternoon of 3 December; the admin restores 2 December's copy (an easy
    mix-up by its name) instead of the 3rd's, made at the day's first minute with everything up to the end of
    the 2nd. Today's copy is made again from the restored database, and the one it replaces, the only copy
    of the 2nd's tickets, is kept aside, not overwritten."""
    office = Office(tmp_path / "office", clock)
    clock.now = utc(2026, 12, 1, 1)
    service = office.start()
    issue(service, "Senin")
    monday = service.daily_backup()
    clock.now = utc(2026, 12, 2, 1)
    service.upkeep._backup_day = None
    issue(service, "Selasa")
    clock.now = utc(2026, 12, 2, 17, 1)  # 00:01 WIB on the 3rd: the copy of everything up to the 2nd's end
    tuesday_end = service.daily_backup()
    assert tuesday_end.name == "antrian-2026-12-03.db" and tickets_in(tuesday_end) == ["Selasa", "Senin"]
    office.stop()

    archive.restore(monday, office.database)  # the wrong, older copy
    clock.now = utc(2026, 12, 3, 8)
    service = office.start()
    assert service.daily_backup() == tuesday_end and tickets_in(tuesday_end) == ["Senin"]
    [aside] = [p for p in office.backups.iterdir() if ".replaced-" in p.name]
    assert tickets_in(aside) == ["Selasa", "Senin"]  # the 2nd's tickets still in a copy

    # It ages out as the 3rd's copy does (it holds visitors' data as the daily copies do), not before.
    service.unit.settings = dataclasses.replace(
        service.settings, server=dataclasses.replace(service.settings.server, backup_keep=2)
    )
    kept = []
    for day in (4, 5):
        clock.now = utc(2026, 12, day, 1)
        service.upkeep._backup_day = None
        kept.append(service.daily_backup().name)
        assert aside.exists() == (day == 4), day  # on the 4th the 3rd's copy is still one of the two kept
    assert (
        sorted(p.name for p in office.backups.iterdir()) == kept == ["antrian-2026-12-04.db", "antrian-2026-12-05.db"]
    )
    office.stop()


def test_two_copies_kept_aside_in_the_same_second_are_both_kept_and_age_out_together(tmp_path, clock):
    """Two restores, each making today's copy again, within one second of the office's clock (a clock standing
    still here): the second copy kept aside gets a name of its own, never written over the first (which may be
    the only copy of some days); both age out with their day."""
    office = Office(tmp_path / "office", clock)
    clock.now = utc(2026, 12, 3, 1)
    service = office.start()
    issue(service, "Rabu")
    first = service.daily_backup()
    office.stop()
    kept = {}
    for name in ("Lain", "Lagi"):  # each time another database, whose copy today's file is not
        other = Office(tmp_path / name, clock)
        issue(other.start(), name)
        other.stop()
        archive.restore(other.database, office.database)
        service = office.start()
        assert service.daily_backup() == first and tickets_in(first) == [name]
        office.stop()
        kept = {p.name: tickets_in(p) for p in office.backups.iterdir() if ".replaced-" in p.name}
    assert kept == {
        "antrian-2026-12-03.replaced-080000.db": ["Rabu"],
        "antrian-2026-12-03.replaced-080000-2.db": ["Lain"],
    }
    service = office.start()
    service.unit.settings = dataclasses.replace(
        service.settings, server=dataclasses.replace(service.settings.server, backup_keep=1)
    )
    clock.now = utc(2026, 12, 4, 1)
    assert service.daily_backup().name == "antrian-2026-12-04.db"
    assert sorted(p.name for p in office.backups.iterdir()) == ["antrian-2026-12-04.db"]  # both aged out
    office.stop()


def test_go_live_keeps_the_restores_session_epoch_and_makes_todays_copy_again(tmp_path, clock):
    """`go-live` deletes the trial's events but not the newest `restored` (the session epoch: a cookie
    signed in before the restore stays ended), and resets the daily copy's mark: today's copy, the trial's,
    is made again from the real start."""
    office = Office(tmp_path / "office", clock)
    clock.now = utc(2026, 12, 4, 1)
    service = office.start()
    issue(service, "Uji Coba")
    today = service.daily_backup()
    with service.store.write() as tx:
        tx.add_event("restored", clock.now, "2026-12-04", None, None, "cli", {"epoch": "e-1"})
    assert service.accounts.session_epoch() == "e-1"
    office.stop()
    store = Store(office.database)
    try:
        archive.go_live(store, clock.now, ZoneInfo("Asia/Jakarta"))
    finally:
        store.close()
    service = office.start()
    assert service.accounts.session_epoch() == "e-1"
    assert service.daily_backup() == today and tickets_in(today) == []
    office.stop()


def test_a_copy_without_a_mark_an_earlier_versions_is_made_again_once(tmp_path, clock):
    office = Office(tmp_path / "office", clock)
    clock.now = utc(2026, 12, 4, 1)
    service = office.start()
    issue(service, "Rina")
    office.backups.mkdir(mode=0o700)
    today = office.backups / "antrian-2026-12-04.db"
    archive.backup(office.database, today)  # as an earlier version made it: no mark in the database or the file
    assert archive.backup_mark(today) == 0
    assert service.daily_backup() == today and archive.backup_mark(today) != 0
    service.upkeep._backup_day = None  # as a restart
    assert service.daily_backup() is None
    office.stop()


@pytest.fixture
def full_files():
    """Files stop growing past `limit` bytes in this process (RLIMIT_FSIZE), as on a full disk; no root."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    xfsz = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    def limit(size: int) -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))

    try:
        yield limit
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, xfsz)


def test_a_backup_disk_that_refuses_writes_is_said_in_each_languages_words_and_logged_once_a_day_per_cause(
    app, client, clock, caplog, full_files, monkeypatch
):
    """The Indonesian alert carried SQLite's English ("Cadangan harian database gagal: …: backup failed
    (database or disk is full)"). Each cause has its words; the log has one line for each cause and day. Here
    the copy's writes past a size are refused (RLIMIT_FSIZE: SQLite's disk I/O error, as a failing stick or
    a file too large for FAT32); a full disk itself: the tmpfs test below (root only)."""
    import time

    service = app.extensions["antrian"]
    folder = service.settings.server.backup_dir
    folder.mkdir(mode=0o700)
    db = service.store.path
    with closing(sqlite3.connect(db)) as conn:  # the WAL folded into the file: the mark's page fits under the limit
        assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    caplog.set_level(logging.INFO, logger="antrian.upkeep")
    clock.now = utc(2026, 12, 4, 1)
    target = folder / "antrian-2026-12-04.db"
    later = [time.monotonic()]
    monkeypatch.setattr(time, "monotonic", lambda: later[0])
    full_files(db.stat().st_size // 2)  # the copy stops at half the database
    for _ in range(3):  # tried again every 10 minutes, said and logged once
        assert service.daily_backup() is None
        later[0] += 600
    disk = client.get("/api/staff/state", headers=login(app, client, "rina", "frontoffice")).get_json()["disk"]
    assert disk["message"] == {
        "id": f"Cadangan harian database gagal: {target}: pencadangan gagal (disk gagal menulis atau membaca"
        " (rusak, atau berkas terlalu besar untuk disk itu?)). Dicoba lagi setiap 10 menit; periksa disk atau USB"
        " cadangan",
        "en": f"The daily backup of the database failed: {target}: backup failed (the disk failed to write or"
        " read (faulty, or the file too large for it?)). Tried again every 10 minutes; check the backup disk or USB"
        " stick",
    }
    assert disk["backup_failed"] == (
        f"{target}: backup failed (the disk failed to write or read (faulty, or the file too large for it?))"
    )
    assert not list(folder.iterdir())  # no half copy left
    # Another cause the same day: its own line; the stick out (the folder's parent gone), then back and full.
    gone = folder.parent / "usb" / "antrian"
    service.unit.settings = dataclasses.replace(
        service.settings, server=dataclasses.replace(service.settings.server, backup_dir=gone)
    )
    assert service.daily_backup() is None
    later[0] += 600
    service.unit.settings = dataclasses.replace(
        service.settings, server=dataclasses.replace(service.settings.server, backup_dir=folder)
    )
    assert service.daily_backup() is None
    clock.now = utc(2026, 12, 5, 1)  # the next day: said again once
    later[0] += 600
    assert service.daily_backup() is None
    later[0] += 600
    assert service.daily_backup() is None
    lines = [(r.levelname, r.getMessage()) for r in caplog.records]
    full = "backup failed (the disk failed to write or read (faulty, or the file too large for it?)) (tried again every 10 min)"
    assert lines == [
        ("WARNING", f"daily backup into {folder} failed: {target}: {full}"),
        (
            "WARNING",
            f"daily backup into {gone} failed: {gone.parent} does not exist (a disk not mounted?) (tried again every 10 min)",
        ),
        ("WARNING", f"daily backup into {folder} failed: {folder / 'antrian-2026-12-05.db'}: {full}"),
    ]
    assert all(r.exc_info is None for r in caplog.records)  # no traceback for an expected condition


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs (root only; skipped where mounting is not allowed)."""
    yield from mounted_tmpfs(tmp_path / "usb", "2m")


def test_a_full_backup_disk_is_said_disk_full_in_each_language(app, client, clock, small_disk):
    service = app.extensions["antrian"]
    folder = small_disk / "antrian"
    service.unit.settings = dataclasses.replace(
        service.settings, server=dataclasses.replace(service.settings.server, backup_dir=folder)
    )
    folder.mkdir()
    (small_disk / "filler").write_bytes(b"\0" * (2 * 2**20 - 64 * 1024))  # 64 KB left, the copy is larger
    clock.now = utc(2026, 12, 4, 1)
    assert service.daily_backup() is None
    message = service.disk_status()["message"]
    assert "pencadangan gagal (disk penuh)" in message["id"] and "disk is full" not in message["id"]
    assert "backup failed (the disk is full)" in message["en"]
    assert not list(folder.iterdir())


@pytest.mark.parametrize(
    ("err", "id_words", "en_words"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "disk penuh", "the disk is full"),
        (OSError(errno.EROFS, "Read-only file system"), "disk hanya dapat dibaca", "the disk is read-only"),
        (OSError(errno.ENOENT, "No such file or directory"), "folder tidak ada", "no such folder"),
        (OSError(errno.EACCES, "Permission denied"), "akun server tidak boleh menulis di situ", "may not write there"),
        (sqlite3.OperationalError("database or disk is full"), "disk penuh", "the disk is full"),
    ],
)
def test_each_cause_of_a_failed_copy_has_its_words_in_each_language(err, id_words, en_words):
    said = archive.cause_words(err)
    assert id_words in said.id_text and en_words in said.en_text
    assert (getattr(err, "strerror", None) or str(err)) not in said.id_text  # no English of the OS or SQLite


def test_a_read_only_backup_disk_is_said_read_only_in_each_language(app, clock, small_disk):
    """A stick the kernel mounted read-only (a damaged FAT is): "[Errno 30] Read-only file system: '…'" in
    the Indonesian alert before, or "not writable by this user" for a folder already there."""
    service = app.extensions["antrian"]

    def backup_into(folder: Path) -> dict[str, str]:
        service.unit.settings = dataclasses.replace(
            service.settings, server=dataclasses.replace(service.settings.server, backup_dir=folder)
        )
        service.upkeep._backup_retry = 0.0
        assert service.daily_backup() is None
        return service.disk_status()["message"]

    (small_disk / "antrian").mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    clock.now = utc(2026, 12, 4, 1)
    said = backup_into(small_disk / "antrian")
    assert f"{small_disk / 'antrian'}: disk-nya hanya dapat dibaca (flashdisk terkunci" in said["id"]
    assert f"{small_disk / 'antrian'}: its disk is read-only (a locked USB stick" in said["en"]
    said = backup_into(small_disk / "baru")  # a folder still to be made
    assert f"{small_disk / 'baru'}: tidak dapat ditulis (disk hanya dapat dibaca). Dicoba" in said["id"]
    assert f"{small_disk / 'baru'}: cannot be written (the disk is read-only). Tried" in said["en"]
    assert "Errno" not in said["id"] + said["en"]


def test_a_failure_in_the_backup_thread_under_gevent_prints_no_traceback(tmp_path):
    """gevent's ThreadPool.apply printed the thread's exception (a traceback in the server's log every 10
    minutes while the stick was full) before raising it again; it is raised once, unprinted."""
    code = (
        "from gevent import monkey; monkey.patch_all()\n"
        "import sys\n"
        "from pathlib import Path\n"
        "from server import archive\n"
        "from server.service.upkeep import _off_loop\n"
        "try:\n"
        f"    _off_loop(archive.backup, Path({str(tmp_path / 'none.db')!r}), Path({str(tmp_path / 'b.db')!r}))\n"
        "except archive.ArchiveError as err:\n"
        "    print('raised:', err)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout == f"raised: {tmp_path / 'none.db'}: no database\n", r
    assert r.stderr == "", r.stderr


# -- a database damaged inside -----------------------------------------------------------------------
def damage(db: Path, name: str, junk: bytes = b"\x5a\xa5") -> int:
    """Junk over the root page of the index (or table) `name`: a disk fault inside the file, its header intact
    (and every table, for an index). Returns the page."""
    with closing(sqlite3.connect(db)) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        (page,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [name]).fetchone()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with open(db, "r+b") as f:
        f.seek((page - 1) * size)
        f.write(junk * (size // len(junk)))
    return page


def test_a_database_damaged_inside_stops_serve_with_exit_78_naming_the_way_back(tmp_path):
    """Junk over an index's page (not the header): `serve` started, the kiosk got HTTP 500 and the log
    filled with "database disk image is malformed". PRAGMA quick_check at the start refuses it as a damaged
    header is: exit 78 (systemd does not restart it), the path and the restore, Indonesian first."""
    from server.store import Store

    cfg = write_config(tmp_path)
    db = tmp_path / "antrian.db"
    Store(db).close()
    damage(db, "idx_requests_at")
    r = server_command(["serve", "--port", str(free_port()), "--config", str(cfg)], timeout=60)
    assert r.returncode == 78, (r.returncode, r.stdout, r.stderr)
    indonesian, english = r.stderr.splitlines()
    assert indonesian.startswith(f"kesalahan konfigurasi: server.database: {db} rusak (quick_check: ")
    assert "pulihkan salinan yang baik dengan .venv/bin/python -m server restore BERKAS" in indonesian
    assert english.startswith(f"config error: server.database: {db} is damaged (quick_check: ")
    assert str(tmp_path / "backups") in english and "Traceback" not in r.stderr and r.stdout == ""
    # The other commands do not pay for the check: they still open it (a backup, `users list`).
    assert server_command(["users", "list", "--config", str(cfg)]).returncode == 0


def test_a_database_found_damaged_while_serving_alerts_the_staff_and_logs_one_line(tmp_path, clock, caplog):
    """A request that meets a damaged page: HTTP 500 as before, but the front office and admin pages say the
    database is damaged and what to do, and the log says it once, not a traceback for every request."""
    cfg = write_config(tmp_path)
    empty_database(tmp_path / "antrian.db")
    damage(tmp_path / "antrian.db", "idx_requests_at")  # written with every kiosk number (its request_id)
    app = create_app(cfg, workers=False, clock=clock, synchronous="OFF")
    app.config["TESTING"] = True
    client = app.test_client()
    try:
        headers = login(app, client, "rina", "frontoffice")
        caplog.set_level(logging.INFO)
        for n in range(3):
            r = client.post("/api/tickets", json={**visitor(), "request_id": f"kiosk-{n}"})
            assert r.status_code == 500 and r.get_json()["error"] == "internal"
        disk = client.get("/api/staff/state", headers=headers).get_json()["disk"]
        assert disk["message"] == {
            "id": "Database rusak: server tidak dapat membaca sebagian datanya. Hentikan server, lalu jalankan"
            " .venv/bin/python -m server repair; bila tidak berhasil, pulihkan salinan yang baik (panduan admin,"
            " bagian 5)",
            "en": "The database is damaged: the server cannot read part of it. Stop the server, then run"
            " .venv/bin/python -m server repair; if that fails, restore a good copy (admin guide, section 5)",
        }
        said = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert [r.getMessage().split(" (")[0] for r in said] == [f"the database {tmp_path / 'antrian.db'} is damaged"]
        assert all(r.exc_info is None for r in said)
    finally:
        app.extensions["antrian"].stop()
        app.extensions["antrian"].store.close()


def test_a_daily_copy_of_a_database_damaged_inside_says_the_database_is_damaged(app, client, clock, caplog):
    """The copy of a damaged database is damaged too, and was said as "…antrian-DAY.db.tmp: damaged (*** in
    database main *** Page 33: …)", with "check the backup disk": the database itself is named damaged."""
    service = app.extensions["antrian"]
    damage(service.store.path, "idx_requests_at")
    clock.now = utc(2026, 12, 4, 1)
    caplog.set_level(logging.INFO)
    assert service.daily_backup() is None
    message = service.disk_status()["message"]
    target = service.settings.server.backup_dir / "antrian-2026-12-04.db"
    assert message["id"] == (
        "Database rusak: server tidak dapat membaca sebagian datanya. Hentikan server, lalu jalankan"
        " .venv/bin/python -m server repair; bila tidak berhasil, pulihkan salinan yang baik (panduan admin,"
        " bagian 5) · Cadangan harian database gagal: "
        f"{target}: pencadangan gagal (database rusak: pulihkan salinan yang baik). Dicoba lagi setiap 10 menit;"
        " periksa disk atau USB cadangan"
    )
    assert message["en"].startswith("The database is damaged: the server cannot read part of it.")
    assert not target.exists() and not target.with_name(target.name + ".tmp").exists()
    assert [r.levelname for r in caplog.records] == ["ERROR", "WARNING"]
    assert caplog.records[0].getMessage().startswith(f"the database {service.store.path} is damaged (quick_check: ")
