"""A backup copied INTO the database file while the server runs (`cp backup.db antrian.db`), on a real server process
and a real `cp` of a real file (helper h356).

`cp` keeps the file (its inode) and replaces its content: the server, which notices a file deleted or moved over
(tests/test_database_deleted.py), saw nothing. It went on serving what it had cached and in its -wal, acknowledged new
tickets, and copied its own pages into the copied file at its next checkpoint and at its stop: the backup the admin
meant to put back was damaged, and tickets handed out after the copy were in neither. Now every change after the copy
is refused (503 `database_overwritten`, saying to use the restore command), the staff pages and the log say it once,
and the server never writes into the copied file: after its stop the file is the backup, byte for byte, and `restore`
and the next start work.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import requests
from conftest import visitor
from live import server_command
from staffpages import PASSWORD
from test_database_deleted import alert_when, issue, labels, start

OVERWRITTEN = "tertimpa berkas lain yang disalin ke dalamnya selagi server berjalan"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(server, name: str) -> dict:
    """A visitor's number asked for at the kiosk: refused (503), with what the pages show."""
    r = requests.post(f"{server.url}/api/tickets", json=visitor(name=name), timeout=5)
    assert r.status_code == 503, (r.status_code, r.text)
    return r.json()


def cp(source: Path, target: Path) -> None:
    """The admin's `cp backup.db antrian.db`: the same file at the path, its content written over."""
    subprocess.run(["cp", str(source), str(target)], check=True)


def test_a_backup_copied_into_the_open_database_is_refused_at_once_and_left_whole(tmp_path):
    server, db = start(tmp_path)
    backup = tmp_path / "backup.db"
    try:
        front = server.session("rina", PASSWORD)
        kept = [issue(server, f"Dicadangkan {i}") for i in range(3)]
        r = server_command(["backup", str(backup), "--config", str(server.config)])  # the supported copy
        assert r.returncode == 0, r.stderr
        later = [issue(server, f"Sesudah {i}") for i in range(3)]  # not in the backup: the admin's choice
        inode = db.stat().st_ino
        cp(backup, db)
        assert db.stat().st_ino == inode  # the same file: what the server already watched for did not see it
        answer = refused(server, "Setelah cp")  # the very next change: no number handed out that no file holds
        assert answer["error"] == "database_overwritten", answer
        assert "tertimpa salinan" in answer["message"] and "perintah restore" in answer["message"], answer
        disk = alert_when(front, server, OVERWRITTEN)
        assert disk["database_file"]["state"] == "overwritten", disk
        assert "server restore FILE" in disk["message"]["en"], disk
        refused(server, "Lagi")
        # a command meanwhile would read the copied file with the server's -wal: refused, naming the server
        r = server_command(["users", "add", "budi", "--role", "officer", "--config", str(server.config)], "sandi-b-1\n")
        assert r.returncode == 2 and f"(pid {server.proc.pid})" in r.stderr, (r.returncode, r.stderr)
        assert digest(db) == digest(backup)
    finally:
        server.stop()
    log = server.log()
    assert server.proc.returncode == 0, log
    assert "Traceback" not in log, log
    assert log.count(f"the database file {db} was overwritten while the server runs") == 1, log
    # the copied file untouched by the server's -wal, even at its stop; no -wal or -shm of the server's left
    assert digest(db) == digest(backup), log
    assert sorted(p.name for p in db.parent.iterdir()) == ["antrian.db", "antrian.db.lock"]
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert labels(db) == kept, later
    r = server_command(["restore", str(backup), "--config", str(server.config)])  # what the pages said to do
    assert r.returncode == 0, r.stderr
    server.start()
    try:
        assert issue(server, "Pulih")  # the restored backup serves again, numbers go on after its tickets
        front = server.session("rina", PASSWORD)
        disk = front.get(f"{server.url}/api/staff/state", timeout=5).json()["disk"]
        assert disk["database_file"] is None, disk
    finally:
        server.stop()
    assert labels(db)[: len(kept)] == kept


def test_another_pcs_database_copied_into_the_open_one_is_seen_within_seconds(tmp_path):
    """The old server PC's own antrian.db (docs/operations.md, "The server PC died") copied into the running new
    server's file: in WAL mode, as a server leaves it, so its header is as the running server's own; its content is
    looked at (Store.check_content), and its records are not the running server's."""
    for pc in ("old-pc", "new-pc"):
        (tmp_path / pc).mkdir()
    other, other_db = start(tmp_path / "old-pc")
    try:
        theirs = [issue(other, f"PC lama {i}") for i in range(4)]
    finally:
        other.stop()
    server, db = start(tmp_path / "new-pc")
    try:
        front = server.session("rina", PASSWORD)
        [issue(server, f"PC baru {i}") for i in range(3)]
        cp(other_db, db)
        disk = alert_when(front, server, OVERWRITTEN, seconds=15)
        assert disk["database_file"]["state"] == "overwritten", disk
        assert refused(server, "Sesudah")["error"] == "database_overwritten"
        assert digest(db) == digest(other_db)
    finally:
        server.stop()
    assert server.proc.returncode == 0, server.log()
    assert "Traceback" not in server.log(), server.log()
    assert digest(db) == digest(other_db), server.log()  # never a page of the new server's written into it
    assert sorted(p.name for p in db.parent.iterdir()) == ["antrian.db", "antrian.db.lock"]
    assert labels(db) == theirs
