"""`repair`: a database damaged inside salvaged into a new file that takes its place (every ticket kept when
only an index is damaged), the damaged one kept beside it; refused while a server runs; exit 2 and the way
back (the newest daily copy) when the damage is past salvage. Real damaged files, real SQLite."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
import requests
from conftest import visitor, write_config
from live import LiveServer, free_port, server_command
from test_daily_copy import damage, tickets_in

from server import archive, serverlock

NAMES = [f"Tamu {n}" for n in range(1, 6)]


def cli(*args: str):
    return server_command(list(args), timeout=60)


def office(folder: Path) -> tuple[Path, Path]:
    """An office's config and its database holding NAMES' tickets, issued at a kiosk (each with its
    request_id: the rows of the index idx_requests_at), the server stopped."""
    folder.mkdir(exist_ok=True)
    cfg = write_config(folder)
    server = LiveServer(cfg).start(timeout=30)
    try:
        for n, name in enumerate(NAMES, 1):
            r = requests.post(
                f"{server.url}/api/tickets", json={**visitor(name=name), "request_id": f"k-{n}"}, timeout=10
            )
            assert r.status_code == 201, r.text
    finally:
        server.stop()
    return cfg, folder / "antrian.db"


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("antrian.db"))


# The index numbering the day's tickets (VACUUM INTO copies its pages and stops at the damaged one: its rows
# are copied table by table, the index built anew), and an index of a table still empty (VACUUM INTO does it).
@pytest.mark.parametrize("index", ["idx_tickets_day_prefix_number", "idx_survey_day"])
def test_an_index_damaged_is_repaired_every_ticket_kept_and_the_server_starts_after(tmp_path, index):
    """Junk over an index's page: `serve` refuses it (exit 78) naming `repair` before `restore`; `repair`
    salvages every ticket into the database's place, keeps the damaged file beside it, and says what it
    holds; the server then starts on it, and the kiosk's numbers go on."""
    cfg, db = office(tmp_path)
    page = damage(db, index)
    r = cli("serve", "--port", str(free_port()), "--config", str(cfg))
    assert r.returncode == 78, (r.returncode, r.stdout, r.stderr)
    indonesian, english = r.stderr.splitlines()
    assert indonesian.index("python -m server repair") < indonesian.index("python -m server restore BERKAS"), indonesian
    assert english.index("python -m server repair") < english.index("python -m server restore FILE"), english

    r = cli("repair", "--config", str(cfg))
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert r.stderr == ""
    lines = r.stdout.splitlines()
    # quick_check's first finding, naming the damaged page in the words of the SQLite at hand: "Page 7: …" in
    # 3.40 (Debian 12), "Tree 7 page 7: …" (a root page is its tree's number) by 3.43 (Ubuntu 24.04, Debian 13)
    found = rf"\((Page {page}|Tree {page} page {page}): btreeInitPage\(\) returns error code 11"
    assert re.match(rf"perbaikan: {re.escape(str(db))} rusak di dalamnya {found}", lines[0]), lines
    assert re.match(rf"repair: {re.escape(str(db))} was damaged inside {found}", lines[1]), lines
    assert "salvaged into a new file (PRAGMA quick_check: ok)" in lines[1]
    [kept] = [p for p in tmp_path.iterdir() if re.fullmatch(r"antrian\.db\.damaged-\d{8}-\d{6}", p.name)]
    assert f"repair: the damaged database is kept in {kept} (with its -wal and -shm, if any)" in lines
    assert any(
        re.fullmatch(r"repair: it holds 5 tickets, (\S+) to \1; the newest one issued \1 \d\d:\d\d", x) for x in lines
    )
    assert any(x.startswith("perbaikan: isinya 5 tiket, ") for x in lines)

    assert archive.database_damage(db) == [] and archive.database_damage(kept) != []  # the damaged one, as it was
    assert tickets_in(db) == NAMES
    assert db.stat().st_mode & 0o777 == 0o600
    assert not [n for n in files(tmp_path) if n.endswith(".tmp") or ".repaired-" in n], files(tmp_path)

    server = LiveServer(cfg).start(timeout=30)
    try:
        again = requests.post(
            f"{server.url}/api/tickets", json={**visitor(name="Tamu 5"), "request_id": "k-5"}, timeout=10
        )
        new = requests.post(
            f"{server.url}/api/tickets", json={**visitor(name="Tamu 6"), "request_id": "k-6"}, timeout=10
        )
    finally:
        server.stop()
    assert again.status_code == 201 and new.status_code == 201, (again.text, new.text)
    assert again.json()["ticket"]["label"].endswith("5")  # the retried request's first answer: no new ticket
    assert new.json()["ticket"]["label"].endswith("6")  # the day's numbers go on
    assert tickets_in(db) == [*NAMES, "Tamu 6"]
    assert archive.database_damage(db) == []


def test_the_changes_still_in_the_wal_are_salvaged_and_the_wal_kept_with_the_damaged_file(tmp_path):
    """A power cut leaves the last changes in antrian.db-wal, not yet copied into the file: `repair` reads
    them (a -wal moved aside first, or left beside the new file, would lose them or be replayed into it)."""
    cfg, db = office(tmp_path / "office")
    damage(db, "idx_requests_at")
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.execute("UPDATE forms SET name = 'Dari WAL' WHERE name = 'Tamu 1'")
        crashed = tmp_path / "crashed"
        crashed.mkdir()
        for suffix in ("", "-wal"):  # as the power cut left them
            shutil.copyfile(f"{db}{suffix}", crashed / f"antrian.db{suffix}")
    finally:
        conn.close()
    assert (crashed / "antrian.db-wal").stat().st_size > 0
    cfg = write_config(crashed)
    r = cli("repair", "--config", str(cfg))
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert tickets_in(crashed / "antrian.db") == ["Dari WAL", *NAMES[1:]]
    assert "antrian.db-wal" not in files(crashed)
    [wal] = [n for n in files(crashed) if n.endswith("-wal")]
    assert re.fullmatch(r"antrian\.db\.damaged-\d{8}-\d{6}-wal", wal)


def test_repair_is_refused_while_a_server_runs_and_changes_nothing(tmp_path):
    cfg, db = office(tmp_path)
    damage(db, "idx_requests_at")
    before = db.read_bytes()
    lock = serverlock.hold(db)  # as `serve` holds it
    try:
        r = cli("repair", "--config", str(cfg))
    finally:
        lock.close()
    assert r.returncode == 2, (r.stdout, r.stderr)
    indonesian, english = r.stderr.splitlines()
    assert indonesian.startswith("kesalahan: server Antrian (pid ") and "hentikan dulu" in indonesian
    assert english.startswith("error: an Antrian server (pid ") and "stop it first" in english
    assert db.read_bytes() == before and not [n for n in files(tmp_path) if ".damaged-" in n or ".repaired-" in n]


def test_damage_past_salvage_exits_2_naming_the_newest_daily_copy_and_changes_nothing(tmp_path):
    """Junk over the tickets table's own page: its rows cannot be read, VACUUM INTO stops, and there is no
    other simple way in Python's sqlite3. Exit 2, the database left as it was, the way back said."""
    cfg, db = office(tmp_path)
    damage(db, "tickets", junk=b"\xa5")  # the table's own root page: its rows cannot be read any more
    before, names = db.read_bytes(), files(tmp_path)
    r = cli("repair", "--config", str(cfg))
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stdout == "" and "Traceback" not in r.stderr
    indonesian, english = r.stderr.splitlines()
    cause = "(database disk image is malformed)"  # SQLite's words: the database's damage, not a faulty copy's
    assert indonesian.startswith(f"kesalahan: perbaikan: {db} tidak dapat diselamatkan {cause}; ")
    assert (
        "tidak ada yang diubah; pulihkan salinan harian terbaru dengan .venv/bin/python -m server restore" in indonesian
    )
    assert english.startswith(f"error: repair: {db} could not be salvaged {cause}; ")
    assert english.endswith(
        "nothing was changed; restore the newest daily copy with .venv/bin/python -m server restore FILE, e.g. the"
        f" newest in {tmp_path / 'backups'} (docs/operations.md, Backup)"
    )
    assert db.read_bytes() == before and files(tmp_path) == names  # no salvage left behind, nothing kept aside


def test_an_intact_database_is_left_as_it_is(tmp_path):
    cfg, db = office(tmp_path)
    before, names = db.read_bytes(), files(tmp_path)
    r = cli("repair", "--config", str(cfg))
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert r.stdout.splitlines() == [
        f"perbaikan: {db} tidak rusak (PRAGMA quick_check: ok); tidak ada yang diubah",
        f"repair: {db} is not damaged (PRAGMA quick_check: ok); nothing was changed",
    ]
    assert db.read_bytes() == before and [n for n in files(tmp_path) if n != "antrian.db.lock"] == [
        n for n in names if n != "antrian.db.lock"
    ]
