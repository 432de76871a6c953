"""The database file deleted or replaced while the server runs, on a real server process.

An admin tidying up the data folder (`rm -rf var`, or the old `make clean`), or copying a backup over the file by
hand, while the server ran: the server went on serving from the deleted file (SQLite's open connections keep it),
the staff pages said nothing, the daily copy failed advising a USB stick, and the next start made a new empty
database: every record since the install was gone. A new connection meanwhile made an empty database at the path.
Now the staff pages say it, the data is written out at once and every 10 minutes, put back at its path when the
server stops (or by the next start after a power cut), and a file put there by hand is left as it is.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import requests
from conftest import visitor, write_config
from live import ClockedServer, server_command
from staffpages import PASSWORD

SIDES = ["antrian.db-shm", "antrian.db-wal"]
FAST = {"workers.DISK_SECONDS": 0.2}  # the maintenance loop's look at the disk: every 30 s in production


def start(tmp_path: Path) -> tuple[ClockedServer, Path]:
    """A server whose database is in a folder of its own (var/, as the shipped config.toml has it)."""
    config = write_config(
        tmp_path, {f'database = "{tmp_path / "antrian.db"}"': f'database = "{tmp_path / "var" / "antrian.db"}"'}
    )
    server = ClockedServer(config, numbers=FAST).start()
    server.add_user("rina", "frontoffice")
    return server, tmp_path / "var" / "antrian.db"


def issue(server, name: str) -> str:
    r = requests.post(f"{server.url}/api/tickets", json=visitor(name=name), timeout=5)
    assert r.status_code == 201, r.text
    return r.json()["ticket"]["label"]


def labels(db: Path) -> list[str]:
    with closing(sqlite3.connect(db)) as conn:
        return [row[0] for row in conn.execute("SELECT label FROM tickets ORDER BY id")]


def older_copy(db: Path, copy: Path) -> Path:
    """A copy of the database as it is now (SQLite's backup): the office's older backup."""
    with closing(sqlite3.connect(db)) as src, closing(sqlite3.connect(copy)) as dst:
        src.backup(dst)
    return copy


def move_over(copy: Path, db: Path) -> None:
    """`copy` put at the database's path while the server runs, as `mv` puts it (another file there)."""
    shutil.copy(copy, str(db) + ".new")
    Path(str(db) + ".new").replace(db)


def alert_when(session, server, words: str, seconds: float = 10.0) -> dict:
    """The staff state's disk view once its message says `words` (Indonesian)."""
    deadline = time.monotonic() + seconds
    while True:
        answer = session.get(f"{server.url}/api/staff/state", timeout=5)
        assert answer.status_code == 200, (answer.status_code, answer.text, server.log()[-3000:])
        disk = answer.json()["disk"]
        if words in ((disk.get("message") or {}).get("id") or ""):
            return disk
        assert time.monotonic() < deadline, disk
        time.sleep(0.05)


def test_a_database_deleted_while_serving_is_said_kept_and_back_after_the_stop(tmp_path):
    server, db = start(tmp_path)
    try:
        front = server.session("rina", PASSWORD)
        before = [issue(server, f"Sebelum {i}") for i in range(3)]
        shutil.rmtree(db.parent)  # the database, its -wal and -shm, the folder
        disk = alert_when(front, server, "terhapus selagi server berjalan")
        assert disk["database_file"]["state"] == "missing"
        assert disk["database_file"]["copy"] == str(db) + ".rescued"
        assert disk["message"]["en"].startswith(f"The database file {db} was deleted while the server runs.")
        after = [issue(server, f"Sesudah {i}") for i in range(2)]  # served all the same
        assert not db.exists()  # no new empty database made beside the open one
        assert labels(Path(str(db) + ".rescued"))[: len(before)] == before  # written out at once
    finally:
        server.stop()
    assert server.proc.returncode == 0, server.log()
    assert labels(db) == before + after  # put back whole at the stop
    assert not Path(str(db) + ".rescued").exists()
    assert (
        f"the database file {db} was missing while the server runs; its data is written to {db}.rescued" in server.log()
    )
    server.start()  # the next start finds every visitor
    try:
        front = server.session("rina", PASSWORD)
        today = front.get(f"{server.url}/api/tickets", timeout=5).json()["tickets"]
        assert [t["label"] for t in today] == before + after, today
        disk = front.get(f"{server.url}/api/staff/state", timeout=5).json()["disk"]
        assert disk["database_file"] is None and disk["message"] is None
    finally:
        server.stop()


def test_a_power_cut_after_the_database_was_deleted_loses_only_what_came_after_its_copy(tmp_path):
    server, db = start(tmp_path)
    try:
        front = server.session("rina", PASSWORD)
        before = [issue(server, f"Sebelum {i}") for i in range(2)]
        db.unlink()  # the file alone: its -wal and -shm stay beside the path, still the server's
        alert_when(front, server, "terhapus selagi server berjalan")
    finally:
        server.kill()  # no stop: the power cut
    assert not db.exists()
    server.first_start = True  # no empty database made for it by the tests' harness (LiveServer._make_admin)
    server.start()  # the rescued copy is taken; the deleted file's -wal is not read into it
    try:
        front = server.session("rina", PASSWORD)
        today = front.get(f"{server.url}/api/tickets", timeout=5).json()["tickets"]
        assert [t["label"] for t in today] == before, today
        assert issue(server, "Besok") not in before  # numbering goes on after them
    finally:
        server.stop()
    assert "its data, rescued then, is back" in server.log()
    # the deleted file's -wal and -shm, which the power cut left beside no database: moved aside, not read
    assert sorted(p.name.split(".orphan-")[0] for p in db.parent.glob("*.orphan-*")) == SIDES


def test_a_database_replaced_while_serving_is_left_as_put_and_the_servers_data_kept_beside_it(tmp_path):
    server, db = start(tmp_path)
    try:
        front = server.session("rina", PASSWORD)
        first = issue(server, "Pertama")
        old = older_copy(db, tmp_path / "old.db")  # with one visitor
        second = issue(server, "Kedua")
        move_over(old, db)
        disk = alert_when(front, server, "diganti dengan berkas lain selagi server berjalan")
        assert disk["database_file"]["copy"] == str(db) + ".running"
        third = issue(server, "Ketiga")  # the server goes on with its own data
    finally:
        server.stop()
    assert sorted(p.name for p in db.parent.iterdir()) == ["antrian.db", "antrian.db.lock", "antrian.db.running"], (
        server.log()
    )
    assert labels(db) == [first]  # the file put there is kept as it was
    assert labels(Path(str(db) + ".running")) == [first, second, third]


def test_a_command_while_the_database_is_deleted_is_refused_and_takes_nothing_from_the_server(tmp_path):
    """`users add` in another terminal (or the dashboard's report child) while the server runs on its deleted file:
    it made a new empty database at the path, or took the rescued copy and moved the server's -wal aside, and the
    server then took the path for a file put there: the next start opened the copy, the tickets since it gone and
    their numbers handed out again (helper-268). It is refused until the server stops, saying so."""
    server, db = start(tmp_path)
    try:
        front = server.session("rina", PASSWORD)
        before = [issue(server, f"Sebelum {i}") for i in range(3)]
        db.unlink()
        alert_when(front, server, "terhapus selagi server berjalan")
        between = [issue(server, f"Antara {i}") for i in range(2)]
        r = server_command(
            ["users", "add", "budi", "--role", "officer", "--config", str(server.config)], "sandi-budi-1\n"
        )
        assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
        assert f"server Antrian (pid {server.proc.pid}) berjalan dengan berkas database yang sudah terhapus" in r.stderr
        assert not db.exists()  # no new database made at the path
        today = front.get(f"{server.url}/api/state", timeout=5).json()["day"]
        span = {"from": f"{int(today[:4]) - 2}{today[4:]}", "to": today}  # long: made by the report child
        front.get(f"{server.url}/api/figures", params=span, timeout=60)
        assert not db.exists()
        after = [issue(server, f"Sesudah {i}") for i in range(2)]
    finally:
        server.stop()
    assert labels(db) == before + between + after, server.log()


def test_a_command_on_a_database_replaced_while_serving_is_refused_and_damages_neither(tmp_path):
    """A backup moved over the database while the server serves, then `users add`: the command opened the file put
    there with the server's -wal and -shm (SQLite pairs them by name), "database disk image is malformed" for it and
    sometimes for the server's own data (helper-268). Refused; both files stay whole."""
    server, db = start(tmp_path)
    try:
        front = server.session("rina", PASSWORD)
        first = issue(server, "Pertama")
        old = older_copy(db, tmp_path / "old.db")
        more = [issue(server, f"Kedua {i}") for i in range(20)]
        move_over(old, db)
        alert_when(front, server, "diganti dengan berkas lain selagi server berjalan")
        r = server_command(
            ["users", "add", "budi", "--role", "officer", "--config", str(server.config)], "sandi-budi-1\n"
        )
        assert r.returncode == 2 and "berjalan dengan berkas database yang sudah terhapus atau diganti" in r.stderr
        more += [issue(server, f"Ketiga {i}") for i in range(5)]
    finally:
        server.stop()
    for path, want in ((db, [first]), (Path(str(db) + ".running"), [first, *more])):
        with closing(sqlite3.connect(path)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", path
        assert labels(path) == want, path
