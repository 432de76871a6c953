"""The store: the only package that knows table names.

SQLite through sqlite-utils, in WAL mode with auto_vacuum=INCREMENTAL (freed pages go back to the disk:
Tx.free_pages), schema by numbered Migrations. Every change and its event row commit together in one
transaction, opened with BEGIN IMMEDIATE so that read-then-write (numbering, call-next) never races
another writer.

This module holds the connections (Store) and Tx, which combines the queries of each family of tables,
one module each: tickets and forms (tickets), the event log (events), print jobs and mails (outbox),
accounts and sessions (accounts), counters and live settings (office), request answers and free pages
(upkeep), recap, figures and archive (reports), the satisfaction survey and complaints (survey), the counters'
drafts (drafts). The schema is server/migrations.py.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from server import serverlock
from server.errors import Localized
from server.i18n import both
from server.migrations import (
    DURATION_COLUMNS,
    LABEL_PREFIX,
    duration_ms,
    migrations,
    renumber_positions,
    unknown_applied,
)
from server.store.accounts import AccountQueries
from server.store.base import TxBase, _iso
from server.store.drafts import DraftQueries
from server.store.events import EVENT_TYPES, EventQueries
from server.store.office import OfficeQueries
from server.store.outbox import OutboxQueries
from server.store.reports import ReportQueries
from server.store.survey import SurveyQueries
from server.store.tickets import TicketQueries, ticket_from_row, ticket_to_row
from server.store.upkeep import UpkeepQueries
from shared.runtime import on_gevent, python_command

__all__ = [
    "DURATION_COLUMNS",
    "DatabaseMoved",
    "DatabaseOverwritten",
    "DatabaseRescued",
    "EVENT_TYPES",
    "LABEL_PREFIX",
    "PRIVATE",
    "REQUESTS_KEPT",
    "Store",
    "Tx",
    "create_private",
    "duration_ms",
    "make_private",
    "migrations",
    "renumber_positions",
    "ticket_from_row",
    "ticket_to_row",
]

BUSY_SECONDS = 10.0  # how long a transaction waits for another process's write lock
CHECKPOINT_SECONDS = 1.0  # under gevent: how often the WAL is copied into the database, off the loop
WAL_RESTART_FRAMES = 4000  # past this many pages (16 MB) in the WAL, the checkpoint also rewinds it
WAL_LIMIT_BYTES = 32 * 2**20  # a rewound WAL file is cut back to this size (PRAGMA journal_size_limit)
RESTART_WAIT_MS = 250  # how long a rewinding checkpoint waits for readers (writers wait meanwhile)
AUTO_VACUUM_INCREMENTAL = 2  # PRAGMA auto_vacuum's value for INCREMENTAL
# A request_id's stored answer is replayed for as long as a client may retry it (minutes; a kiosk or page
# that lost the network, hours at most); older ones are dropped (QueueService.forget_old_requests).
REQUESTS_KEPT = timedelta(hours=24)
PRIVATE = 0o600  # the database holds visitors' names, phones, problems and the accounts' password hashes

log = logging.getLogger("antrian.store")
KEPT_BEFORE_UPGRADE = 3  # copies of the database kept from before the latest upgrades' schema changes


def create_private(path: str | Path) -> bool:
    """Create `path` empty with mode 0600 unless it exists (True when made). For a file SQLite is about to
    open: SQLite gives the -wal, -shm and -journal files beside it the main file's mode."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    except FileExistsError:
        return False
    return True


def make_private(database: Path) -> None:
    """The database file 0600 before SQLite opens it; an existing one (and its -wal and -shm) readable
    by others is tightened, with a log line."""
    if create_private(database):
        return
    for path in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(st.st_mode) or not st.st_mode & 0o077:
            continue
        try:
            path.chmod(PRIVATE)
        except OSError as err:
            log.warning("%s: readable by others (mode %04o) and cannot be made 0600: %s", path, st.st_mode & 0o777, err)
        else:
            log.warning("%s: was readable by others (mode %04o); now 0600", path, stat.S_IMODE(st.st_mode))


SIDES = ("-wal", "-shm")  # the files SQLite keeps beside a database in WAL mode


def rescued_path(path: Path) -> Path:
    """Where a server writes the data of its database file deleted while it runs (Store.rescue)."""
    return path.with_name(path.name + ".rescued")


def adopt_rescued(path: Path) -> None:
    """With no database file at `path`: a `-wal` or `-shm` left beside it is an earlier file's (SQLite would read
    its pages into the new empty database), moved aside as `.orphan-<time>`; and `<database>.rescued` (Store.rescue:
    the data of a database deleted while the server ran, whose power was cut before it put it back) is put at the
    path. Nothing when the file is there. Only where no server holds the database's lock (server/cli.py, before a
    command opens the store): beside a server running on its deleted file, those are that server's."""
    if path.exists():
        return
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for suffix in SIDES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            aside = side.with_name(f"{side.name}.orphan-{stamp}")
            os.replace(side, aside)
            log.warning("%s: no database file beside it; moved aside as %s", side, aside.name)
    rescued = rescued_path(path)
    if rescued.is_file():
        os.replace(rescued, path)
        log.warning("%s: the database file was deleted while the server ran; its data, rescued then, is back", path)


def _copy_into(conn: sqlite3.Connection, target: Path) -> None:
    """SQLite's backup of `conn`'s database into the file `target` (0600, one file: journal_mode DELETE), written as
    a temporary file beside it (two processes at once each their own) renamed into place: none left on a failure."""
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        create_private(tmp)
        with closing(sqlite3.connect(tmp)) as dst:
            conn.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _identity(path: Path) -> tuple[int, int] | None:
    """A file's (device, inode); None when there is none at `path`."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _look(path: Path) -> tuple[int, int, int, int] | None:
    """A file's (device, inode, size, modification time in ns): one stat; None when there is none at `path`."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


SQLITE_MAGIC = b"SQLite format 3\x00"


def _not_wal(path: Path, fd: int | None = None) -> str | None:
    """What is wrong with the file at `path` as the database a server has open in WAL mode, from its 100-byte header
    alone (one read): not an SQLite database (a copy into it under way, or cut short), or one not in WAL mode (every
    copy Antrian makes, `backup`, the daily copy, is one file in rollback-journal mode; a database a server has
    open is in WAL mode: bytes 18 and 19 are 2). None when it may be (or there is no file: file_state's).

    Read through `fd`, a descriptor of the file kept open, in a process whose SQLite connections have it open: a
    descriptor of it opened and closed drops every lock of the process on the file (POSIX record locks), and
    another process's SQLite took itself for the last one, folded the -wal into the file and deleted the -wal
    and -shm the server was writing to. Opened here only where none is open (a command, before its store's)."""
    try:
        if fd is not None:
            head = os.pread(fd, 100, 0)
        else:
            with open(path, "rb") as f:
                head = f.read(100)
    except OSError:
        return None
    if len(head) < 100 or head[:16] != SQLITE_MAGIC:
        return "it is no longer an SQLite database (something is being copied into it, or was cut short)"
    if head[18] != 2 or head[19] != 2:
        return "another database was copied into it (one not in WAL mode: a backup, a daily copy)"
    return None


def _newest_event(path: Path) -> tuple[int, str] | None:
    """The newest event (seq, at) in the database file at `path` as it is on disk: read in SQLite's immutable mode,
    without its -wal and without a lock (Store._content_ours). sqlite3.Error when it cannot be read."""
    from urllib.parse import quote

    with closing(sqlite3.connect(f"file:{quote(str(path))}?immutable=1", uri=True, check_same_thread=False)) as raw:
        if raw.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").fetchone() is None:
            return None  # a new database none of whose pages is in the file yet (all in its -wal)
        row = raw.execute("SELECT seq, at FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row is not None else None


def _newest_event_or_error(path: Path) -> tuple[tuple[int, str] | None, sqlite3.Error | None]:
    """_newest_event, its sqlite3.Error returned rather than raised (run in a thread pool: gevent prints what a task
    raises, though its caller handles it)."""
    try:
        return _newest_event(path), None
    except sqlite3.Error as e:
        return None, e


# The descriptors check_file reads database files' headers through, one per file (device, inode) for the process with
# how many stores use it: closed when the last of them closes, after its connections (_not_wal: a descriptor of the
# file closed drops every lock the process's SQLite connections hold on it, another store's too).
_header_fds: dict[tuple[int, int], list[int]] = {}
_header_fds_lock = threading.Lock()


def _hold_header_fd(key: tuple[int, int], path: Path) -> int:
    """The process's descriptor of the file `key` (device, inode) at `path`, opened once (never a second one: its
    close would drop the locks); one more store counted on it."""
    with _header_fds_lock:
        held = _header_fds.get(key)
        if held is None:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            st = os.fstat(fd)
            if (st.st_dev, st.st_ino) != key:  # replaced meanwhile: not that file's
                os.close(fd)
                raise FileNotFoundError(path)
            held = _header_fds[key] = [fd, 0]
        held[1] += 1
        return held[0]


def _let_go_header_fd(key: tuple[int, int]) -> None:
    with _header_fds_lock:
        held = _header_fds.get(key)
        if held is None:
            return
        held[1] -= 1
        if held[1] > 0:
            return
        del _header_fds[key]
    os.close(held[0])


def _checkpoint_mark(fd: int | None) -> bytes | None:
    """The WAL's checkpoint record in its -shm, read through `fd` (kept open: _hold_header_fd): the WAL's salt (new
    at each rewind), how far its frames were copied into the database file (nBackfill) and were to be (set before a
    checkpoint writes a page: wal.c walCheckpoint; the two differ while one runs, and after one was cut). Any
    checkpoint that writes into the file, of any process, changes it; a file written by something else (`cp`) leaves
    it as it was. None when it cannot be read."""
    if fd is None:
        return None
    try:
        shm = os.pread(fd, 136, 0)
    except OSError:
        return None
    return shm[32:40] + shm[96:100] + shm[128:132] if len(shm) == 136 else None


def _checkpoint(conn: sqlite3.Connection, mode: str) -> tuple[int, int, int]:
    """PRAGMA wal_checkpoint(mode): (1 when it could not finish, pages in the WAL, pages copied)."""
    busy, frames, copied = conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
    return busy, frames, copied


def _said(key: str, /, **params: object) -> Localized:
    """The catalogue's `cli.<key>` in Indonesian and English: what the command line says of a database it
    will not open (server/cli.py prints both, the start's log the English)."""
    return both(f"cli.{key}", **params)


class NewerDatabase(sqlite3.DatabaseError):
    """The database was last opened by a newer version of Antrian (an upgrade gone back): this version
    does not know its latest schema changes, and refuses it rather than write it wrong."""

    def __init__(self, path: Path, names: list[str]):
        # the way back is a command, typed with the Python the rest of the command line names
        self.said = _said("newer_database", path=path, names=", ".join(names), python=python_command())
        super().__init__(self.said.en_text)
        self.names = names


class UpgradeCopyFailed(sqlite3.DatabaseError):
    """The copy kept before an upgrade's schema changes could not be written (most often a full disk):
    the database is left as it was, and the version does not start on it."""

    def __init__(self, path: Path, target: Path, err: Exception):
        size = max(1, round(path.stat().st_size / 1e6)) if path.exists() else 1
        self.said = _said("upgrade_copy_failed", path=path, target=target.name, cause=err, size=size)
        super().__init__(self.said.en_text)


class DatabaseRescued(sqlite3.DatabaseError):
    """No database file at the path, and `<database>.rescued` beside it: the file was deleted while a server ran,
    which wrote its data there (Store.rescue). Opening the path would make a new empty database, which the running
    server takes for a file put there and the next start opens: the data is taken back by a start of the server
    once none runs (adopt_rescued), or put back by the running server when it stops."""

    def __init__(self, path: Path):
        self.said = _said("database_rescued", path=path, copy=rescued_path(path))
        super().__init__(self.said.en_text)


class DatabaseMoved(sqlite3.DatabaseError):
    """The server holding the database's lock runs on a file that is no longer the one at the path: deleted (an
    admin tidying up its folder) or replaced (a backup copied over it by hand) while it runs. Opened here, the path
    would be a new empty database, or the file put there read with the server's -wal (SQLite pairs them by name):
    refused until that server stops (it writes its data out: Store.rescue)."""

    def __init__(self, path: Path, pid: int):
        self.said = _said("database_moved", path=path, pid=pid or "?")
        super().__init__(self.said.en_text)


class DatabaseOverwritten(sqlite3.OperationalError):
    """The database file the server has open was written over while it runs, the same file (`cp backup.db
    antrian.db`; Store.check_file): every change is refused from then on, so that no ticket is acknowledged that
    is not in the file the next start opens, and nothing of this server's is written into the copied file."""

    def __init__(self, path: Path):
        super().__init__(
            f"{path}: the database file was overwritten (a file copied into it) while the server runs: no change is"
            " saved; stop the server, then put the backup back with the restore command"
        )


class Store:
    """The database: WAL, a busy timeout, and a connection per transaction from a small pool.

    Each read or write block takes a connection of its own for as long as it lasts: one thread of
    execution at a time, an OS thread or, under gevent, a greenlet. A block inside another block of
    the same thread of execution uses the outer block's connection. So a greenlet that yields inside
    a block (a socket, a name lookup) never lets another greenlet into its transaction.
    """

    def __init__(self, path: str | Path, synchronous: str = "FULL"):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        server = serverlock.server_file(self.path)
        if server is not None and server[0] != os.getpid() and server[1] is not None:
            if _identity(self.path) != server[1]:  # the server's file deleted or replaced under it
                raise DatabaseMoved(self.path, server[0])
            if _not_wal(self.path) is not None:  # or a backup copied into it: read with the server's -wal, damaged
                raise DatabaseMoved(self.path, server[0])
        if not self.path.exists() and rescued_path(self.path).is_file():
            raise DatabaseRescued(self.path)
        make_private(self.path)
        self.synchronous = synchronous
        self._idle: list[Database] = []
        self._all: list[Database] = []
        self._lock = threading.Lock()
        self._local = threading.local()  # greenlet-local once gevent has patched threading
        self._plain: Database | None = None
        self._cooperative: bool | None = None
        self._autocheckpoint = True  # False while disk_loop does the checkpoints
        # The file opened (device, inode), and the copy rescue() last wrote at its path: file_state.
        self._identity: tuple[int, int] | None = None
        self._sides: dict[str, tuple[int, int] | None] = {}  # its -wal and -shm as opened (_drop_sides)
        # A file copied into the one opened (same inode: check_file): why, once seen (None: never), the file as its
        # header last found it this store's (_look), and for the look at its content (_content_ours): the newest
        # event the file itself holds (seq, at), the file as this store last wrote or looked at it, and as a look
        # found it foreign (once: to be found so again before it counts).
        self._overwritten: str | None = None
        self._seen: tuple[int, int, int, int] | None = None
        self._newest_in_file: tuple[int, str] | None = None
        self._written: tuple[int, int, int, int] | None = None
        self._suspect: tuple[int, int, int, int] | None = None
        self._checkpointing = threading.Lock()  # held by disk_loop around a checkpoint, which writes the file
        self._fd: int | None = None  # the file opened, read by check_file (_hold_header_fd: shared in the process)
        self._shm: tuple[tuple[int, int], int] | None = None  # its -shm's (device, inode) and descriptor
        self._marked: bytes | None = None  # the -shm's checkpoint record when _written was taken (_checkpoint_mark)
        try:
            with self._connection() as db:
                # A new database is made incremental before its first table (then no VACUUM is needed).
                db.execute("PRAGMA auto_vacuum = INCREMENTAL")
                db.execute("PRAGMA journal_mode=WAL")
                newer = unknown_applied(db)
                if newer:
                    raise NewerDatabase(self.path, newer)
                pending = migrations.pending(db)
                if pending and migrations.applied(db):  # an upgrade: the database as it was, kept first
                    self._keep_before_upgrade(db, pending[0].name)
                migrations.apply(db)
                self.make_incremental(db)
            self._identity = _identity(self.path)
            self._sides = {suffix: _identity(self._side(suffix)) for suffix in SIDES}
            self._seen = _look(self.path)
            if self._identity is not None:
                with suppress(OSError):  # gone meanwhile: nothing to read (file_state's)
                    self._fd = _hold_header_fd(self._identity, self.path)
            shm = self._sides.get("-shm")
            if shm is not None:
                with suppress(OSError):
                    self._shm = shm, _hold_header_fd(shm, self._side("-shm"))
            # the file as opened is this database (its content is looked at when it changes: _content_ours)
            self._marked, self._written = self._checkpoint_mark(), self._seen
        except BaseException:
            self.close()  # refused or failed: no connection (nor its -wal and -shm files) left open
            raise

    def _keep_before_upgrade(self, db: Database, first: str) -> Path:
        """Copy the database, before the new version's migrations change its schema, to
        `<database>.before-<first pending migration>` beside it (0600; SQLite's backup, so the WAL's
        changes are in it). The way back from an upgrade gone wrong: stop, go back to the old version,
        `restore` this copy. The newest KEPT_BEFORE_UPGRADE such copies stay."""
        target = self.path.with_name(f"{self.path.name}.before-{first}")
        try:
            _copy_into(db.conn, target)
        except (OSError, sqlite3.Error) as err:  # a full disk: no half copy left, the database untouched
            raise UpgradeCopyFailed(self.path, target, err) from err
        log.warning(
            "%s: schema changes of this version (%s on); the database as it was is kept in %s", self.path, first, target
        )
        copy = re.compile(re.escape(self.path.name) + r"\.before-m\d{3}_\w+")
        kept = sorted(p for p in self.path.parent.iterdir() if copy.fullmatch(p.name))
        for old in kept[:-KEPT_BEFORE_UPGRADE]:
            old.unlink(missing_ok=True)
        return target

    def make_incremental(self, db: Database) -> float | None:
        """Switch a database made before auto_vacuum=INCREMENTAL to it: one VACUUM, which rewrites the
        file (docs/operations.md "Database size"), then the WAL it filled is emptied. The stored answers
        older than REQUESTS_KEPT go first (most of such a database; the maintenance loop would drop them
        anyway), so the VACUUM copies only the rest. Pages freed afterwards go back to the disk
        (Tx.free_pages). Seconds taken, or None when nothing was needed or it failed: a VACUUM needs
        about twice the remaining data free (a copy in the temporary folder, then the WAL), and another
        process may hold the database; the server works as before and the next start tries again."""
        if db.execute("PRAGMA auto_vacuum").fetchone()[0] == AUTO_VACUUM_INCREMENTAL:
            return None
        size = self.path.stat().st_size
        log.info("%s: switching to auto_vacuum=INCREMENTAL (one VACUUM, %d MB now)", self.path, size // 2**20)
        started = time.monotonic()
        try:
            db.execute("DELETE FROM requests WHERE at < ?", [_iso(datetime.now(UTC) - REQUESTS_KEPT)])
            db.execute("PRAGMA auto_vacuum = INCREMENTAL")
            db.execute("VACUUM")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError as err:
            log.warning("%s: VACUUM failed, tried again at the next start: %s", self.path, err)
            return None
        seconds = time.monotonic() - started
        log.info("%s: VACUUM took %.1f s", self.path, seconds)
        return seconds

    def _connect(self) -> Database:
        if self._identity is not None and _identity(self.path) != self._identity:
            # Deleted or replaced while open: SQLite would make a new empty database there (or open the other
            # file), and this connection's writes would go where none of the others' are (file_state).
            raise sqlite3.OperationalError(f"{self.path}: the database file was deleted or replaced while open")
        conn = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
        conn.row_factory = None
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
        conn.execute(f"PRAGMA synchronous = {self.synchronous}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT_BYTES}")
        if not self._autocheckpoint:
            conn.execute("PRAGMA wal_autocheckpoint = 0")
        db = Database(conn)
        with self._lock:
            self._all.append(db)
        return db

    @contextmanager
    def _connection(self) -> Iterator[Database]:
        db = getattr(self._local, "db", None)
        if db is not None:  # a block inside a block: the same connection, the same transaction
            yield db
            return
        with self._lock:
            db = self._idle.pop() if self._idle else None
        if db is None:
            db = self._connect()
        self._local.db = db
        try:
            yield db
        finally:
            self._local.db = None
            with self._lock:
                self._idle.append(db)

    def disk_loop(self, stopping: threading.Event, interval: float = CHECKPOINT_SECONDS) -> None:
        """Under gevent: copy the WAL into the database every `interval` s in a native thread, until
        `stopping`.

        SQLite otherwise checkpoints inside the COMMIT that takes the WAL past 1,000 pages, on the
        event loop: it copies those pages into the database file and syncs it, and every screen of
        the office waited meanwhile (100 ms and more on a busy disk: docs/performance.md, "Stalls of
        the event loop"). Here the server's connections never checkpoint (wal_autocheckpoint = 0)
        while this loop runs; a PASSIVE checkpoint runs in a thread on a connection of its own,
        blocking no reader and no writer, with the GIL free while SQLite works. Under constant
        writes a PASSIVE checkpoint never finds the WAL idle, so the file is never rewound (180 MB
        after a minute of the abuse bench): past WAL_RESTART_FRAMES a RESTART checkpoint follows,
        which holds new writers (they wait cooperatively, _begin_immediate) for at most
        RESTART_WAIT_MS while the readers of older pages finish, then copies the few pages left.
        The sync of each COMMIT (synchronous=FULL, about 0.2 ms) stays where it is: moved to a
        thread, with a group commit, it cost more than it saved (the same section).

        Not under gevent: nothing to do (each OS thread waits on its own)."""
        if not on_gevent():
            return
        from gevent.threadpool import ThreadPool

        conn = sqlite3.connect(self.path, timeout=RESTART_WAIT_MS / 1000, isolation_level=None, check_same_thread=False)
        pool = ThreadPool(1)
        self._set_autocheckpoint(False)
        failures = 0
        try:
            while not stopping.wait(interval):
                try:
                    self.check_file()  # a backup copied into the file: never a page of this server's written into it
                    with self._checkpointing:
                        if _look(self.path) != self._written and not self._content_ours():
                            continue  # written by another process since this loop's last checkpoint: foreign
                        _, frames, copied = pool.apply(_checkpoint, (conn, "PASSIVE"))
                        if frames > WAL_RESTART_FRAMES:
                            pool.apply(_checkpoint, (conn, "RESTART"))
                        if copied:  # what the file holds now, for the next look (_content_ours: an older copy)
                            # a read torn by a checkpoint: the last one kept (its error returned, not raised in the
                            # pool's thread, where gevent printed its traceback to the log though it was handled)
                            newest, torn = pool.apply(_newest_event_or_error, (self.path,))
                            if torn is None:
                                self._newest_in_file = newest
                        self._marked = self._checkpoint_mark()  # first: another process's checkpoint then is seen
                        self._written = _look(self.path)
                    failures = 0
                except DatabaseOverwritten:
                    continue
                except sqlite3.Error:
                    failures += 1
                    if failures == 1:
                        log.exception("WAL checkpoint failed (logged once until it works again)")
        finally:
            self._set_autocheckpoint(True)
            pool.kill()
            self._disarm_wal()
            conn.close()

    def _set_autocheckpoint(self, on: bool) -> None:
        self._autocheckpoint = on
        with self._lock:
            for db in self._all:
                db.execute(f"PRAGMA wal_autocheckpoint = {1000 if on else 0}")

    @property
    def db(self) -> Database:
        """A connection outside the pool, for scripts' bulk work (not for the server's transactions)."""
        if self._plain is None:
            self._plain = self._connect()
        return self._plain

    @property
    def identity(self) -> tuple[int, int] | None:
        """The database file this store opened, (device, inode); None once closed."""
        return self._identity

    def file_state(self) -> str | None:
        """Whether the file at the database's path is still the one this store opened: None when it is;
        "missing" when it was deleted (an admin tidying up the folder: the open connections keep its data, which
        the next start would not find); "replaced" when another file was put there (a backup copied over it by
        hand while the server ran)."""
        if self._identity is None:
            return None
        now = _identity(self.path)
        if now == self._identity:
            return "overwritten" if self._overwritten is not None else None
        return "missing" if now is None else "replaced"

    @property
    def overwritten(self) -> str | None:
        """Why the file opened is taken for written over (check_file, check_content); None while it is not."""
        return self._overwritten

    def check_file(self) -> None:
        """At each write transaction, and before each checkpoint: DatabaseOverwritten once the file opened was seen
        written over by another process while open (a backup copied into it: `cp backup.db antrian.db` keeps the
        file, its inode, and replaces its content; SQLite pairs the server's -wal with it, reads a mixture and
        writes its pages into it). One stat when the file is as last seen (the usual case); its header read (_not_wal)
        when it changed (a checkpoint of this server's, or a copy into it): 4-8 µs a write. A file deleted or replaced
        (another inode) is file_state's."""
        if self._overwritten is not None:
            raise DatabaseOverwritten(self.path)
        if self._fd is None:
            return
        st = os.fstat(self._fd)  # the file opened, wherever it is now (one moved over it: file_state's)
        now = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        if now == self._seen:
            return
        problem = _not_wal(self.path, self._fd)
        if problem is not None:
            self._mark_overwritten(problem)
            raise DatabaseOverwritten(self.path)
        self._seen = now

    def written_over(self) -> bool:
        """Whether the file opened was written over while open (check_file): a failure then is that."""
        try:
            self.check_file()
        except DatabaseOverwritten:
            return True
        return False

    def check_content(self) -> None:
        """The maintenance loop's look (each second) for what check_file's header cannot tell, when no disk_loop
        runs (not under gevent: SQLite checkpoints at a commit); disk_loop looks before each of its checkpoints
        (_content_ours). When the file changed since the last look."""
        if self._overwritten is not None or self._identity is None or not self._autocheckpoint:
            return
        if _look(self.path) == self._written or not self._checkpointing.acquire(blocking=False):
            return
        try:
            self._content_ours()
        finally:
            self._checkpointing.release()

    def _checkpoint_mark(self) -> bytes | None:
        return _checkpoint_mark(self._shm[1] if self._shm is not None else None)

    def _content_ours(self) -> bool:
        """Whether the file's content is still this store's database, for what check_file's header cannot tell: a
        database in WAL mode copied into it (another PC's, or an older copy of this one made with `cp` and its
        -wal). The file read as it is on disk (SQLite's immutable mode: neither this store's -wal nor a lock), its
        newest event (seq, at): one this store does not hold, or older than the file held at the last look, is
        another file's content. Found so twice in a row, the file unchanged meanwhile (a read torn by another
        process's checkpoint is not taken for it), it counts as check_file's (_mark_overwritten); the first time,
        False all the same (no checkpoint into it meanwhile). Its caller holds _checkpointing.

        Read only when the file changed while no checkpoint wrote into it (the -wal's checkpoint record as it was,
        _checkpoint_mark: written by something else than SQLite, a `cp`): a checkpoint (another process's too) writes
        this database's own pages, and leaves the file alone inconsistent while it runs, once cut (a power cut), and
        after a partial one (a reader kept it from the newest pages: wal.c copies a page only when its newest frame
        is within reach) until a whole one; read so, it was "malformed" or older, twice in a row, and the office's
        every change refused (at the start after a power cut in a checkpoint; in a plain process, whose own
        checkpoints came at a commit, at any moment of a busy day). One that began during the read: not counted."""
        mark = self._checkpoint_mark()
        now = _look(self.path)
        if now is None or now[:2] != self._identity:
            return True  # deleted or replaced: file_state's
        if mark != self._marked or (mark is not None and mark[8:12] != mark[12:16]):  # a checkpoint wrote it since,
            # or one is under way or was cut (nBackfill short of what it was to copy): SQLite's own pages, not read
            self._written, self._marked, self._suspect = now, mark, None
            return True
        problem, newest = self._foreign_content()
        if problem is None:
            self._newest_in_file, self._written, self._suspect = newest, now, None
            return True
        if self._checkpoint_mark() != mark:  # a checkpoint began meanwhile: the file read torn, not another's
            return True
        if self._suspect != now:
            self._suspect = now
        else:
            self._mark_overwritten(problem)
        return False

    def _foreign_content(self) -> tuple[str | None, tuple[int, str] | None]:
        """(what is wrong with the file's own content, None when it is this store's; its newest event)."""
        try:
            newest = _newest_event(self.path)
        except sqlite3.Error as err:
            return f"its content cannot be read as this database ({err})", None
        before = self._newest_in_file
        if before is not None and (newest is None or newest[0] < before[0]):
            return "an older copy of the database was copied into it (its newest record is older)", newest
        if newest is not None:
            with self.read() as tx:
                mine = tx.db.execute("SELECT at FROM events WHERE seq = ?", [newest[0]]).fetchone()
                last = tx.db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]
            # (a seq this store lacks below its newest: an event deleted since, going live deletes the trial's)
            if (mine is None and newest[0] > last) or (mine is not None and mine[0] != newest[1]):
                return "another database was copied into it (its records are not this one's)", newest
        return None, newest

    def _mark_overwritten(self, problem: str) -> None:
        if self._overwritten is not None:
            return
        self._overwritten = problem
        log.error(
            "the database file %s was overwritten while the server runs: %s. Every change is refused from now on"
            " and nothing more is written into it; to put a backup back, stop the server, then run `%s -m server"
            " restore FILE`",
            self.path,
            problem,
            python_command(),
        )

    def _disarm_wal(self) -> None:
        """Before a connection of a store whose file was written over (check_file) is closed: its -wal emptied, so
        that SQLite's checkpoint at the last connection's close, which would copy this store's pages into the file
        copied there, finds nothing to copy (it fails, reading past the -wal's end, and leaves the file as copied)."""
        if self._overwritten is None:
            return
        side = self._side("-wal")
        if _identity(side) == self._sides.get("-wal"):
            with suppress(OSError):
                os.truncate(side, 0)

    def rescue_path(self, state: str) -> Path:
        """Where rescue() writes the data of a database file that is `state` (file_state)."""
        return rescued_path(self.path) if state == "missing" else self.path.with_name(self.path.name + ".running")

    def rescue(self) -> Path | None:
        """Write the open database's data to a file of its own when the file at its path is no longer the one
        opened (file_state): `<database>.rescued` when it was deleted (put back at the path when this store
        closes, or by the next start: adopt_rescued), `<database>.running` beside another file put there (that
        one is kept: the next start opens it). Never at the path while open: the -wal beside it is this store's,
        and a file there would be read with it. SQLite's backup from an open connection, which still reads the
        deleted file; a temporary file renamed into place, 0600. The path written, or None when nothing is to be
        done. On the caller's thread (the server's event loop: a copy of an 89 MB database, about a year's, stalls
        the screens for 0.6-1.9 s, every 10 minutes while the file is missing; made in a native thread beside the loop's
        connections and the checkpoint's, it met "disk I/O error"s). Raises OSError or sqlite3.Error."""
        state = self.file_state()
        if state is None:
            return None
        target = self.rescue_path(state)
        target.parent.mkdir(parents=True, exist_ok=True)  # its folder deleted with it
        with self._lock:  # an idle connection (no new one can be opened: _connect), taken out of the pool meanwhile
            source = self._idle.pop() if self._idle else None
        if source is None:
            raise sqlite3.OperationalError(f"{self.path}: no idle connection to copy the database from")
        try:
            _copy_into(source.conn, target)
        finally:
            with self._lock:
                self._idle.append(source)
        return target

    def _side(self, suffix: str) -> Path:
        return self.path.with_name(self.path.name + suffix)

    def _drop_sides(self) -> None:
        """Once closed, this store's -wal and -shm left beside a path whose file was deleted or replaced (SQLite
        removes them at its last connection's close, when it can): every page of them is in the copy rescue()
        wrote, and SQLite would read them into whatever file is opened at that path next."""
        for suffix, opened in self._sides.items():
            side = self._side(suffix)
            if opened is not None and _identity(side) == opened:
                side.unlink(missing_ok=True)
        self._sides = {}

    def close(self) -> None:
        """Close every connection this store opened. A database file deleted while open has its data written
        out first (rescue) and put back at its path once closed; one replaced keeps it as `<database>.running`."""
        if self._identity is not None:  # a backup copied in just before the stop: not folded into (its header)
            with suppress(DatabaseOverwritten):
                self.check_file()
        state = self.file_state()
        rescued = None
        if state == "overwritten":
            self._disarm_wal()  # the copied file stays as copied: the next start opens it
        elif state is not None:
            try:
                rescued = self.rescue()
            except (OSError, sqlite3.Error) as err:
                log.error("%s was %s while open, and its data could not be written out: %s", self.path, state, err)
        with self._lock:
            for db in self._all:
                db.close()
            self._all.clear()
            self._idle.clear()
        self._plain = None
        if self._fd is not None and self._identity is not None:  # after the connections: else it dropped their locks
            _let_go_header_fd(self._identity)
        if self._shm is not None:
            _let_go_header_fd(self._shm[0])
        self._fd = self._shm = None
        self._identity = None  # closed: nothing left to rescue
        if rescued is not None or state == "overwritten":
            self._drop_sides()
        if rescued is not None and state == "missing":
            if self.path.exists():  # another process made a new database there meanwhile: not overwritten
                log.error(
                    "%s was deleted while open and a new file is there now: its data is kept in %s", self.path, rescued
                )
            adopt_rescued(self.path)
        elif rescued is not None:
            log.warning("%s was replaced while open: the data this process had open is kept in %s", self.path, rescued)
        elif state == "overwritten":
            log.warning("%s was overwritten while open: left as copied, with none of this process's changes", self.path)

    def __enter__(self) -> Store:
        """`with Store(path) as store:` for a command's or a script's store: closed (close) at the end of
        the block, however it ends. Python 3.13 warns (ResourceWarning) of a connection left to the garbage
        collector, and an open one holds the database's -wal and -shm files until the process ends."""
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A write transaction: BEGIN IMMEDIATE, the changes and their events, COMMIT (ROLLBACK on any exception).
        No savepoint around them: the whole transaction is rolled back anyway, and a savepoint made SQLite copy
        every page the command changed into a statement journal, a temporary file past 64 KiB."""
        self.check_file()  # a backup copied into the file: refused, not acknowledged and lost
        with self._connection() as db:
            self._begin_immediate(db)
            try:
                yield Tx(db)
                db.execute("COMMIT")
            except BaseException:
                if db.conn.in_transaction:
                    db.execute("ROLLBACK")
                raise

    def _begin_immediate(self, db: Database) -> None:
        """Take SQLite's write lock. Under gevent, wait for it without blocking the event loop.

        SQLite's own busy handler sleeps inside the C call: while a command-line job (`users add`,
        `retention`) held the lock, every screen of the server stopped as long. Under gevent the
        attempt is made with no busy timeout and repeated after cooperative sleeps instead, for
        up to the same 10 seconds.
        """
        if self._cooperative is None:
            self._cooperative = on_gevent()  # fixed for the process once gevent has patched it, or not
        if not self._cooperative:
            db.execute("BEGIN IMMEDIATE")
            return
        import gevent

        db.execute("PRAGMA busy_timeout = 0")
        try:
            pause, deadline = 0.001, time.monotonic() + BUSY_SECONDS
            while True:
                try:
                    db.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as err:
                    if "locked" not in str(err) or time.monotonic() >= deadline:
                        raise
                gevent.sleep(pause)
                pause = min(pause * 2, 0.05)
        finally:
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A read transaction: one consistent view of the database (inside another block, that block's)."""
        with self._connection() as db:
            if db.conn.in_transaction:
                yield Tx(db)
                return
            db.execute("BEGIN")
            try:
                yield Tx(db)
            finally:
                if db.conn.in_transaction:
                    db.execute("COMMIT")


class Tx(
    TicketQueries,
    EventQueries,
    OutboxQueries,
    AccountQueries,
    OfficeQueries,
    UpkeepQueries,
    ReportQueries,
    SurveyQueries,
    DraftQueries,
    TxBase,
):
    """Reads and writes inside one transaction: every family's queries over one connection."""
