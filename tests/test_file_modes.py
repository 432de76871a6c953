"""Files holding visitors' personal data or password hashes are readable by their owner only (0600),
whatever the umask: the database with its -wal and -shm, backups, monthly archives, the print file."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import visitor, write_config
from live import server_command

from server import archive
from server.app import create_app
from server.store import Store


@pytest.fixture(autouse=True)
def umask_022():
    """The usual umask, under which a file made without an explicit mode is 0644."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_wal_and_shm_are_0600(tmp_path):
    db = tmp_path / "var" / "antrian.db"
    store = Store(db)
    try:
        with store.write() as tx:
            tx.add_user("budi", "x", "officer", None, None)
        files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: oct(mode(f)) for f in files} == {f.name: "0o600" for f in files}
    finally:
        store.close()


def test_an_existing_database_readable_by_others_is_tightened_at_start(tmp_path, caplog):
    db = tmp_path / "antrian.db"
    files = [db, Path(f"{db}-wal"), Path(f"{db}-shm")]
    older = sqlite3.connect(db)  # an older version's database, open (its -wal and -shm exist), 0644
    older.execute("PRAGMA journal_mode=WAL")
    older.execute("CREATE TABLE t (x)")
    assert [oct(mode(p)) for p in files] == ["0o644"] * 3
    try:
        with caplog.at_level(logging.WARNING, logger="antrian.store"):
            store = Store(db)
        assert [oct(mode(p)) for p in files] == ["0o600"] * 3
        store.close()
    finally:
        older.close()
    assert any(str(db) in r.getMessage() and "0600" in r.getMessage() for r in caplog.records), caplog.text


def cli(*args) -> subprocess.CompletedProcess:
    return server_command(list(args), timeout=60)  # the child inherits the umask of 022


def test_backup_archive_and_restore_are_0600(tmp_path, clock):
    config = write_config(tmp_path)
    app = create_app(config, workers=False, clock=clock)
    assert app.test_client().post("/api/tickets", json=visitor()).status_code == 201
    app.extensions["antrian"].stop()
    app.extensions["antrian"].store.close()

    (tmp_path / "backups").mkdir()  # backup never makes its folder (tests/test_cli.py)
    r = cli("backup", str(tmp_path / "backups" / "antrian-backup.db"), "--config", str(config))
    assert r.returncode == 0, r.stderr
    assert oct(mode(tmp_path / "backups" / "antrian-backup.db")) == "0o600"

    r = cli("archive", "--month", "2026-11", "--unfinished", "--config", str(config))  # its ticket still waits
    assert r.returncode == 0, r.stderr
    assert oct(mode(tmp_path / "data" / "archive" / "arsip-2026-11.zip")) == "0o600"

    restored = tmp_path / "elsewhere" / "restored.db"
    archive.restore(tmp_path / "backups" / "antrian-backup.db", restored)
    assert oct(mode(restored)) == "0o600"


def test_the_print_file_is_0600(tmp_path, clock):
    prn = tmp_path / "data" / "tickets.prn"
    config = write_config(
        tmp_path, {'[printers.kiosk]\ntype = "dummy"': f'[printers.kiosk]\ntype = "file"\npath = "{prn}"'}
    )
    app = create_app(config, workers=False, clock=clock)
    try:
        assert app.test_client().post("/api/tickets", json=visitor()).status_code == 201
        assert app.extensions["antrian"].print_workers["kiosk"].run_once() == 1
        assert prn.stat().st_size > 0
        assert oct(mode(prn)) == "0o600"
    finally:
        app.extensions["antrian"].stop()
        app.extensions["antrian"].store.close()
