"""Rough operations: a full disk answers 507 disk_full (not a bare 500), and a database path that cannot
be used stops every command with a config error naming server.database (no traceback)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from contextlib import closing

import pytest
from conftest import visitor, write_config
from live import free_port, server_command


def limit_growth(store, extra_pages: int = 0) -> None:
    """Let no connection of the store grow the file: SQLite then answers SQLITE_FULL for real
    ("database or disk is full"), as it does on a full disk."""
    with store.read() as tx:
        pages = tx.db.execute("PRAGMA page_count").fetchone()[0]
    for db in store._all:
        db.execute(f"PRAGMA max_page_count = {pages + extra_pages}")


def test_a_full_database_answers_507_disk_full_and_saves_nothing(app, client):
    store = app.extensions["antrian"].store
    assert client.post("/api/tickets", json=visitor()).status_code == 201
    limit_growth(store)
    statuses = []
    for i in range(200):  # until a new page is needed
        r = client.post("/api/tickets", json=visitor(problem=f"Masalah nomor {i} " + "x" * 900))
        statuses.append(r.status_code)
        if r.status_code != 201:
            break
    assert statuses[-1] == 507, statuses
    body = r.get_json()
    assert body["error"] == "disk_full", body
    assert "ruang" in body["message"].lower() and "penyimpanan" in body["message"].lower()
    # the same size again (a small form may still fit in the pages there are: m028's indexes moved them)
    r = client.post("/api/tickets?lang=en", json=visitor(problem="Masalah lagi " + "x" * 900))
    assert r.status_code == 507 and "free" in r.get_json()["message"].lower() and "space" in r.get_json()["message"]
    with store.read() as tx:
        issued = tx.one("SELECT COUNT(*) AS n FROM tickets")["n"]
    assert issued == len(statuses)  # the refused ones left nothing behind
    limit_growth(store, extra_pages=1000)  # space freed: it works again
    assert client.post("/api/tickets", json=visitor()).status_code == 201


def test_no_space_left_on_a_file_write_answers_507_disk_full(app, client):
    def write_to_a_full_device():
        with open("/dev/full", "wb") as f:  # the kernel's always-full device: a real ENOSPC
            f.write(b"x" * 4096)
            f.flush()
        return "written"

    app.add_url_rule("/api/test-full-device", view_func=write_to_a_full_device)
    r = client.get("/api/test-full-device")
    assert r.status_code == 507 and r.get_json()["error"] == "disk_full"


def test_another_os_error_is_still_a_500(app, client):
    def missing_file():
        with open("/nonexistent/antrian", "rb"):
            return "never"

    app.add_url_rule("/api/test-missing-file", view_func=missing_file)
    r = client.get("/api/test-missing-file")
    assert r.status_code == 500 and r.get_json()["error"] == "internal"


def cli(*args) -> subprocess.CompletedProcess:
    return server_command(list(args), timeout=60)


def config_with_database(tmp_path, database: str):
    return write_config(tmp_path, {f'database = "{tmp_path / "antrian.db"}"': f'database = "{database}"'})


def assert_config_error(r: subprocess.CompletedProcess, key: str, *words: str) -> None:
    """Exit code 2, or 78 for `serve` (which systemd does not restart: server/cli.py EXIT_CONFIG)."""
    assert r.returncode == (78 if r.args[3] == "serve" else 2), (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr, r.stderr
    lines = r.stderr.splitlines()
    english = next(i for i, line in enumerate(lines) if line.startswith("config error: "))
    assert lines[english].startswith(f"config error: {key}: "), r.stderr
    # a key's problem is said in Indonesian first, on the line before (every caller's error names its key)
    assert english == 1 and lines[0].startswith(f"kesalahan konfigurasi: {key}: "), r.stderr
    for word in words:
        assert word in r.stderr, r.stderr


@pytest.mark.parametrize("command", [["serve"], ["users", "list"], ["backup", "{tmp}/backup.db"]])
def test_a_database_path_that_is_a_folder_is_a_config_error(tmp_path, command):
    folder = tmp_path / "db-folder"
    folder.mkdir()
    command = [arg.format(tmp=tmp_path) for arg in command]
    r = cli(*command, "--config", str(config_with_database(tmp_path, str(folder))))
    assert_config_error(r, "server.database", str(folder), "folder")
    assert f"{folder} adalah folder" in r.stderr.splitlines()[0]  # the office's language first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml", "db-folder"]  # nothing left behind


def test_a_database_under_a_file_is_a_config_error(tmp_path):
    (tmp_path / "not-a-dir").write_text("x")
    r = cli("serve", "--config", str(config_with_database(tmp_path, str(tmp_path / "not-a-dir" / "antrian.db"))))
    assert_config_error(r, "server.database", "not-a-dir")


def test_a_file_that_is_not_a_database_is_a_config_error(tmp_path):
    (tmp_path / "notes.txt").write_text("meeting notes, not SQLite\n" * 200)
    r = cli("serve", "--config", str(config_with_database(tmp_path, str(tmp_path / "notes.txt"))))
    assert_config_error(r, "server.database", "notes.txt", "not a")
    assert f"{tmp_path / 'notes.txt'} bukan database SQLite" in r.stderr.splitlines()[0]


def test_a_damaged_database_stops_serve_with_a_config_error_not_a_restart_every_3_seconds(tmp_path):
    """A database with a damaged page that the start writes (a disk fault, a power cut on a cheap SD card):
    `serve` said it as a traceback and exited 1, which systemd restarts every 3 s for ever. It is a config
    error (exit 78, RestartPreventExitStatus): the path, SQLite's cause and the way back, Indonesian first."""
    from server.store import Store

    cfg = write_config(tmp_path)
    db = tmp_path / "antrian.db"
    Store(db).close()
    with closing(sqlite3.connect(db)) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        (page,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'counters'").fetchone()
    with open(db, "r+b") as f:  # every start writes the counters of config.toml
        f.seek((page - 1) * size)
        f.write(b"\xa5" * size)
    r = cli("serve", "--port", str(free_port()), "--config", str(cfg))
    cause = "database disk image is malformed"
    assert_config_error(
        r, "server.database", f"{db} is damaged ({cause}): salvage it with", "python -m server restore FILE"
    )
    assert (
        f"server.database: {db} rusak ({cause}): selamatkan isinya dengan .venv/bin/python -m server repair"
        in (r.stderr.splitlines()[0])
    )
    assert str(tmp_path / "backups") in r.stderr and r.stdout == ""


def test_a_database_damaged_past_the_pages_a_command_starts_with_is_named_not_a_traceback(tmp_path):
    """`users list` on a database whose accounts' page is damaged (the settings' page, which every command
    reads first, whole): a traceback and exit 1 before; the path, SQLite's cause and the way back, exit 2."""
    from server.store import Store

    cfg = write_config(tmp_path)
    db = tmp_path / "antrian.db"
    Store(db).close()
    with closing(sqlite3.connect(db)) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = [p for (p,) in conn.execute("SELECT rootpage FROM sqlite_master WHERE tbl_name = 'users'")]
    with open(db, "r+b") as f:  # the table's and its indexes' pages
        for page in pages:
            f.seek((page - 1) * size)
            f.write(b"\xa5" * size)
    r = cli("users", "list", "--config", str(cfg))
    cause = "database disk image is malformed"
    assert_config_error(r, "server.database", f"{db} is damaged ({cause})", "python -m server restore FILE")
    assert f"server.database: {db} rusak ({cause})" in r.stderr.splitlines()[0] and r.stdout == ""


def test_systemd_unit_neither_makes_nor_opens_the_database(tmp_path):
    """`systemd-unit` prints text: it made (and upgraded) the database before, as the account that ran it."""
    cfg = write_config(tmp_path)
    r = cli("systemd-unit", "--config", str(cfg))
    assert r.returncode == 0 and "ExecStart=" in r.stdout, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_a_lock_file_that_cannot_be_opened_stops_serve_with_a_config_error(tmp_path):
    """`<database>.lock` that `serve` cannot open (here a folder; or root's, left by a command run with sudo,
    which the server's account may not write) was a traceback and exit 1, restarted every 3 s for ever."""
    lock = tmp_path / "antrian.db.lock"
    lock.mkdir()
    r = cli("serve", "--port", str(free_port()), "--config", str(write_config(tmp_path)))
    assert_config_error(r, "server.database", f"{lock} cannot be opened: Is a directory")
    assert f"{lock} tidak dapat dibuka: Is a directory" in r.stderr.splitlines()[0]


@pytest.mark.skipif(os.geteuid() != 0, reason="making a file of another account takes root")
def test_a_file_of_another_account_is_named_with_its_owner_and_the_fix(tmp_path):
    """A file of the server's that a command run as another account made (sudo): who owns it, and the chown."""
    import pwd

    from server.config import load_settings, storage_error

    server = load_settings(write_config(tmp_path)).server
    key = server.data_dir / "secret_key"
    key.parent.mkdir()
    key.write_text("x")
    os.chown(key, 65534, 65534)
    owner = pwd.getpwuid(65534).pw_name
    err = storage_error(server, PermissionError(13, "Permission denied", str(key)))
    me = pwd.getpwuid(os.geteuid()).pw_name
    assert err.key == "server.data_dir" and str(err) == (
        f"server.data_dir: {key} cannot be opened: Permission denied; it belongs to {owner} and the server runs as"
        f" {me} (made by a command run as another account?): sudo chown {me} {key}"
    )
    assert f"berkas ini milik {owner}, sedangkan server berjalan sebagai {me}" in err.problem.id_text
    # a database another program holds locked is not the config's: the next start tries again
    assert storage_error(server, sqlite3.OperationalError("database is locked")) is None


def test_a_data_dir_that_is_a_file_is_a_config_error(tmp_path):
    path = write_config(tmp_path)
    (tmp_path / "data").write_text("x")
    r = cli("serve", "--config", str(path))
    assert_config_error(r, "server.data_dir", str(tmp_path / "data"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder; the folder cases cover root")
def test_a_read_only_database_folder_is_a_config_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        r = cli("serve", "--config", str(config_with_database(tmp_path, str(folder / "antrian.db"))))
        assert_config_error(r, "server.database", str(folder), "writ")
    finally:
        folder.chmod(0o755)


def test_the_servers_log_has_its_info_lines_with_time_and_level(tmp_path):
    """The server set no log level: its INFO lines ("daily backup: …", a printer not reached at the start, a voice
    pack loaded), which docs/operations.md sends the admin to the log for, went nowhere, and its warnings reached
    stderr bare. Each line now has its time and level."""
    import re

    from live import LiveServer

    server = LiveServer(write_config(tmp_path)).start()
    try:
        backup = re.compile(
            r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} WIB INFO daily backup: .*antrian-\d{4}-\d\d-\d\d\.db$", re.M
        )
        deadline = time.monotonic() + 10
        while not backup.search(server.log()):
            assert time.monotonic() < deadline, server.log()
            time.sleep(0.05)
    finally:
        server.stop()


def test_a_warning_after_a_printed_ticket_is_in_the_servers_log_once(tmp_path):
    """python-escpos says "Closing File connection…" / "Network printer enabled" with logging.info() on the root
    logger, which gave the root logger a handler (logging.basicConfig) at the first ticket printed: every warning of
    the server after it (a printer not reached, a mail refused) came out twice on the admin's terminal and in the
    journal, the second time bare and in English alone ("WARNING:antrian.printing:print job 2 …"). A ticket on a
    file printer (the demo's), a network one and a serial one leave the root logger as it was."""
    import sys

    from fakeprinter import FakeNetworkPrinter, FakeSerialPrinter

    network, serial = FakeNetworkPrinter(), FakeSerialPrinter()
    code = f"""
import logging
from printers.config import PrinterConfig
from printers.transport import send_bytes
from server.cli import log_lines
log_lines()
send_bytes(PrinterConfig("demo", "file", path={str(tmp_path / "tickets.prn")!r}), b"A-001\\n")
send_bytes(PrinterConfig("lan", "network", host="127.0.0.1", port={network.port}), b"A-002\\n")
send_bytes(PrinterConfig("com", "serial", device={serial.device!r}, check_status=False), b"A-003\\n")
logging.getLogger("antrian.printing").warning("print job 9 on printer lan failed, try 1")
"""
    try:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    finally:
        network.stop()
        serial.stop()
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("print job 9 on printer lan failed") == 1, result.stderr
