"""Nothing an office does while its server runs is taken for a backup copied into the database file (helper h359).

Store.check_file and Store._content_ours (tests/test_database_overwritten.py) refuse every change, until a restart,
once the file the server has open looks written over by another file. Taken so by mistake, they stop a whole
office's queue. Here a real server runs a busy day's every chore that writes or reads the file from another
process, or rewrites it from within: `backup`, `users add` and `users passwd`, `settings set`, `archive`,
`retention`, a refused `restore`, the dashboard's report child, the daily copy after midnight, the night's
maintenance (old answers dropped, freed pages given back: the file cut at a checkpoint), a burst of kiosk tickets
taking the WAL past a RESTART checkpoint while a long read holds an old snapshot, commands writing (and
checkpointing) meanwhile; on the real server (gevent: disk_loop's checkpoints and content looks) and in a plain
process (SQLite's own checkpoints at a commit, the maintenance loop's content look each second). Every change is
served throughout, and the log never says the file was overwritten. The plain process's day was refused mid-morning
in two runs of three before the fix (a checkpoint kept partial by a reader leaves the file alone "malformed"), and
the start after a power cut in a checkpoint was refused every time.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import requests
from conftest import visitor, write_config
from live import FORKED_HASH, ROOT, ClockedServer, Forked, server_command

from server.store import WAL_RESTART_FRAMES

OVERWRITTEN = "was overwritten while the server runs"
# the look at the disk each 0.2 s, the old answers dropped (and the freed pages given back) every second, the daily
# copy asked for every 0.2 s: production's 30 s, 5 min and 1 min
FAST = {"workers.DISK_SECONDS": 0.2, "workers.FORGET_SECONDS": 1.0, "workers.BACKUP_SECONDS": 0.2}

BURST = 480  # kiosk tickets at once, long problems (each ~9 pages of -wal): past WAL_RESTART_FRAMES under a reader
LONG = "Tidak bisa login ke SPSE, " * 76  # a visitor's problem as long as the kiosk takes (2,000 characters)
KIOSK = {"rate_limit_per_minute = 120": "rate_limit_per_minute = 10000"}  # the burst: from one address

# The daily copy asked for every 0.2 s, not every minute (workers.backup_loop's interval), on the real server
# (tests/clockserver.py: gevent, disk_loop's checkpoints and content looks) ...
CLOCKED = textwrap.dedent(
    """
    import functools, sys
    from pathlib import Path
    sys.path.insert(0, str(Path(sys.argv[0]).resolve().parent))
    from server import workers
    workers.backup_loop = functools.partial(workers.backup_loop, interval=0.2)
    import clockserver
    sys.exit(clockserver.main())
    """
)
# ... and in a plain process: threads, no gevent (SQLite's own checkpoints at a commit, Upkeep's content look each
# second), on werkzeug's threaded server and the same movable clock.
PLAIN = textwrap.dedent(
    """
    import argparse, functools, logging, sys
    from pathlib import Path
    sys.path.insert(0, str(Path(sys.argv[0]).resolve().parent))
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    from werkzeug.serving import make_server
    from clockserver import MovedClock, set_module_number
    from server import serverlock, workers
    from server.app import create_app
    from server.config import load_settings

    p = argparse.ArgumentParser()
    for name in ("--config", "--port", "--clock-file", "--tick"):
        p.add_argument(name)
    p.add_argument("--set", action="append", default=[])
    args = p.parse_args()
    for assignment in args.set:
        set_module_number(assignment)
    workers.backup_loop = functools.partial(workers.backup_loop, interval=0.2)
    settings = load_settings(args.config)
    lock = serverlock.hold(settings.server.database)  # as `serve`: a restore is refused meanwhile
    app = create_app(settings, clock=MovedClock(Path(args.clock_file), settings.office.tz))
    serverlock.record_file(lock, app.extensions["antrian"].store.identity)
    make_server("127.0.0.1", int(args.port), app, threaded=True).serve_forever()
    """
)


class Server(ClockedServer):
    """ClockedServer run by `script` (CLOCKED or PLAIN, written beside the test's config); `plain`: forked from the
    command fork server (no gevent's patches)."""

    def __init__(self, config: Path, script: str, plain: bool = False):
        super().__init__(config, numbers=FAST)
        self.script = config.parent / "server_script.py"
        self.script.write_text(script, encoding="utf-8")
        self.plain = plain

    def command(self) -> list[str]:
        return [sys.executable, str(self.script), *super().command()[2:]]

    def _popen(self, log):
        if not self.plain:
            return super()._popen(log)
        env = {**self.env, FORKED_HASH: "pbkdf2:sha256:1"}
        if self.fork:
            return Forked("command", self.command(), env, self.log_path, self.log_path)
        return subprocess.Popen(self.command(), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def issue(server, name: str, problem: str | None = None) -> dict:
    form = visitor(name=name, request_id=str(uuid.uuid4()), **({"problem": problem} if problem else {}))
    r = requests.post(f"{server.url}/api/tickets", json=form, timeout=10)
    assert r.status_code == 201, (r.status_code, r.text, server.log()[-3000:])
    return r.json()["ticket"]


def served(server, what: str) -> None:
    """The next change after `what`: served, and the log silent about an overwritten file."""
    issue(server, f"Sesudah {what}")
    assert OVERWRITTEN not in server.log(), (what, server.log()[-3000:])


def run(server, *args: str, stdin: str | None = None, ok: bool = True):
    r = server_command([*args, "--config", str(server.config)], stdin)
    if ok:
        assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r


def in_file(db: Path) -> int:
    """The newest event in the database file itself, as the server's content look reads it (no -wal); 0 when the
    read was torn by a checkpoint writing meanwhile."""
    try:
        with closing(sqlite3.connect(f"file:{db}?immutable=1", uri=True)) as conn:
            return conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]
    except sqlite3.DatabaseError:
        return 0


def newest(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]


def checkpointed(server, db: Path) -> None:
    """The file brought up to date by a checkpoint: the real server's (disk_loop, each second: its look at the
    file's content comes before it when another process wrote the file), or in a plain process another process's
    (as a command's SQLite makes at its commit past 1,000 pages), then the office busy over two of the maintenance
    loop's content looks (each second); a change served throughout."""
    want = newest(db)
    deadline = time.monotonic() + 20
    while in_file(db) < want:
        # A passive checkpoint stops at the frames a reader of the server still holds (a read under way), and in a
        # plain process nothing else checkpoints: asked again until it has copied them (CI: 1135 of 1137 for 20 s),
        # as the next command's commit would ask
        if server.plain:
            with closing(sqlite3.connect(db)) as conn:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        assert time.monotonic() < deadline, (in_file(db), want, server.log()[-3000:])
        time.sleep(0.05)
    until = time.monotonic() + (2.5 if server.plain else 0)
    served(server, "a checkpoint")
    while time.monotonic() < until:
        served(server, "a checkpoint")


def requests_kept(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT COUNT(*) FROM requests").fetchone()[0]


def free_pages(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("PRAGMA freelist_count").fetchone()[0]


def office_day(server, db: Path, tmp: Path) -> None:
    admin = server.session("admin", server.first_password)
    served(server, "the start")
    run(server, "backup", str(tmp / "copy.db"))
    served(server, "backup")
    run(server, "users", "add", "budi", "--role", "officer", stdin="sandi-budi-1\nsandi-budi-1\n")
    served(server, "users add")
    run(server, "users", "passwd", "budi", stdin="sandi-budi-2\nsandi-budi-2\n")
    served(server, "users passwd")
    run(server, "settings", "set", "queue", '{"max_calls": 2}')
    served(server, "settings set")
    refused = run(server, "restore", str(tmp / "copy.db"), ok=False)
    assert refused.returncode != 0, refused.stdout
    served(server, "a refused restore")
    last_month = (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    run(server, "archive", "--month", last_month, "--out", str(tmp / "arsip"))
    served(server, "archive")
    run(server, "retention", "--months", "12")
    served(server, "retention")
    # a year's recap: the dashboard's report child (server/report_job.py) reads the file from its own process
    today = date.today()
    r = admin.get(f"{server.url}/api/recap", params={"from": f"{today.year - 1}-01-01", "to": str(today)}, timeout=30)
    assert r.status_code == 200, r.text
    served(server, "a year's recap")
    checkpointed(server, db)

    # A burst of kiosk tickets while a long read holds an old snapshot (no checkpoint can finish past it: the WAL
    # grows past WAL_RESTART_FRAMES, RESTART checkpoints wait and give up, the file is left partial), and commands
    # write meanwhile (their SQLite checkpoints into the file at their commit past 1,000 pages: another process's
    # write, before the server's content look).
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM tickets").fetchone()
    stop = threading.Event()

    def commands() -> int:
        n = 0
        while not stop.is_set():
            run(server, "settings", "set", "queue", f'{{"max_calls": {2 + n % 2}}}')
            run(server, "backup", str(tmp / "burst.db"))
            n += 1
        return n

    with ThreadPoolExecutor(9) as pool:
        side = pool.submit(commands)
        try:
            # (tickets committed together under load share pages: more rounds until the WAL is past the mark)
            issued, frames = 0, 0
            while frames <= WAL_RESTART_FRAMES and issued < 3 * BURST:
                list(pool.map(lambda i: issue(server, f"Burst {i}", LONG), range(issued, issued + BURST // 4)))
                issued += BURST // 4
                frames = (Path(f"{db}-wal").stat().st_size - 32) // (4096 + 24)
            assert frames > WAL_RESTART_FRAMES, frames  # the RESTART checkpoint's turn, the reader still in its way
            reader.execute("COMMIT")  # the long read ends: the RESTART checkpoint can rewind the WAL now
        finally:
            stop.set()
        assert side.result() >= 1
    reader.close()
    served(server, "a burst of tickets, a long read and commands")
    checkpointed(server, db)

    # the night: the clock a day on (the day's turn, the daily copy of the new day), then a second day on (the
    # stored answers older than a day dropped and their pages given back: the file cut at the checkpoint)
    backups = tmp / "backups"
    server.next_day()
    deadline = time.monotonic() + 20
    while len(list(backups.glob("antrian-*.db"))) < 2:
        assert time.monotonic() < deadline, (list(backups.iterdir()), server.log()[-3000:])
        time.sleep(0.05)
    served(server, "the daily copy")
    kept = requests_kept(db)
    server.next_day()
    while requests_kept(db) > kept // 2 or free_pages(db):  # old answers dropped, their pages given back
        assert time.monotonic() < deadline + 20, (requests_kept(db), kept, server.log()[-3000:])
        time.sleep(0.05)
    served(server, "the night's maintenance")
    checkpointed(server, db)  # the file cut to its size by the checkpoint


def test_a_busy_day_on_the_real_server_is_never_taken_for_an_overwritten_file(tmp_path):
    busy_day(tmp_path, Server(write_config(tmp_path, KIOSK), CLOCKED))


def test_a_busy_day_in_a_plain_process_is_never_taken_for_an_overwritten_file(tmp_path):
    busy_day(tmp_path, Server(write_config(tmp_path, KIOSK), PLAIN, plain=True))


def busy_day(tmp_path: Path, server: Server) -> None:
    server.start()
    try:
        office_day(server, tmp_path / "antrian.db", tmp_path)
    finally:
        server.stop()
    log = server.log()
    assert OVERWRITTEN not in log and "Traceback" not in log, log[-5000:]


def cut_checkpoint(db: Path, rows: int = 1500) -> int:
    """The disk after a power cut in the middle of a checkpoint: changes in the -wal (the server's, not yet copied),
    and the database file with the first half of their pages copied into it, in page order, as SQLite's checkpoint
    copies them (wal.c walCheckpoint); the rest not. Returns the newest event's seq (in the -wal)."""
    image = db.parent / "image"
    image.mkdir()
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.execute("BEGIN")  # a few hundred pages, as a second of a busy office (a start checkpoints past 1,000)
        for i in range(rows):  # the office's records of the last seconds, in the -wal only
            conn.execute(
                "INSERT INTO events (at, day, type, actor, data) VALUES ('2026-12-06T02:00:00', '2026-12-06',"
                " 'retention', 'cli', ?)",
                [f'{{"pad": "{"x" * 400}", "i": {i}}}'],
            )
        conn.execute("COMMIT")
        newest = conn.execute("SELECT MAX(seq) FROM events").fetchone()[0]
        for suffix in ("", "-wal"):  # as the power cut left them (the connection's close would copy the -wal in)
            shutil.copy(f"{db}{suffix}", image / f"antrian.db{suffix}")
    for suffix in ("", "-wal"):
        os.replace(image / f"antrian.db{suffix}", f"{db}{suffix}")
    Path(f"{db}-shm").unlink(missing_ok=True)
    wal = Path(f"{db}-wal").read_bytes()
    size = struct.unpack(">I", wal[8:12])[0]
    frames = [(struct.unpack(">II", wal[at : at + 8]), at + 24) for at in range(32, len(wal) - size, 24 + size)]
    committed = max(i for i, ((_, commit), _) in enumerate(frames) if commit)
    latest = {page: at for (page, _), at in frames[: committed + 1]}
    pages = sorted(latest)
    with open(db, "r+b") as f:
        for page in pages[: len(pages) // 2]:
            f.seek((page - 1) * size)
            f.write(wal[latest[page] : latest[page] + size])
    assert in_file(db) == 0  # torn: SQLite's immutable read of it fails ("database disk image is malformed")
    return newest


def test_the_start_after_a_power_cut_in_a_checkpoint_serves_and_completes_it(tmp_path):
    """A power cut while the server copied its -wal into the database file (disk_loop: every second in a busy
    office) leaves the file half copied: SQLite reads it whole through the -wal, and the next checkpoint completes
    it. The server's first look at the file's own content (Store._content_ours) read it torn, twice, and took it for
    another database copied into it: after the power came back every change was refused (503
    database_overwritten) until the next restart, which found it the same. Now a read made while a checkpoint is
    under way, cut or run (the -shm's checkpoint record) is not taken for another file: the checkpoint completes."""
    server = ClockedServer(write_config(tmp_path))
    db = tmp_path / "antrian.db"
    server.start()
    try:
        issue(server, "Sebelum listrik padam")
    finally:
        server.stop()
    newest = cut_checkpoint(db)
    server.start()
    try:
        deadline = time.monotonic() + 15
        n = 0
        while in_file(db) < newest:  # until the server's checkpoint completed the file
            n += 1
            issue(server, f"Sesudah listrik padam {n}")  # served throughout: no 503 database_overwritten
            assert time.monotonic() < deadline, server.log()[-3000:]
            time.sleep(0.1)
        served(server, "the completed checkpoint")
    finally:
        server.stop()
    log = server.log()
    assert OVERWRITTEN not in log and "Traceback" not in log, log[-5000:]
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT MAX(seq) FROM events").fetchone()[0] > newest
