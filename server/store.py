"""The store: the only module that knows table names.

SQLite through sqlite-utils, in WAL mode with auto_vacuum=INCREMENTAL (freed pages go back to the disk:
Tx.free_pages), schema by numbered Migrations. Every change and its event row commit together in one
transaction, opened with BEGIN IMMEDIATE so that read-then-write (numbering, call-next) never races
another writer.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from server.core import WAITING, Ticket
from server.runtime import on_gevent

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

migrations = Migrations("antrian")

# Every type of row in the event log; add_event refuses any other (docs/api.md lists them all).
EVENT_TYPES = frozenset(
    {
        "issued",
        "called",
        "recalled",
        "skipped",
        "no_show",
        "started",
        "resolved",
        "escalated",
        "closed",
        "cancelled",
        "transferred",
        "expired",
        "lkpp_ticket",
        "print_failed",
        "reprint",
        "form_print",
        "mail_sent",
        "mail_failed",
        "retention",
        "corrected",
        "settings_changed",
        "user_changed",
        "office_opened",
        "office_closed",
        "counter_paused",
        "counter_resumed",
        "counter_released",
    }
)


@migrations()
def m001_initial(db: Database) -> None:
    db["tickets"].create(
        {
            "id": int,
            "day": str,
            "service": str,
            "number": int,
            "label": str,
            "token": str,
            "status": str,
            "priority": int,
            "position": float,
            "calls": int,
            "requeues": int,
            "counter_id": int,
            "created_at": str,
            "first_called_at": str,
            "last_called_at": str,
            "started_at": str,
            "finished_at": str,
            "closed_at": str,
            "category": str,
            "priority_class": str,
            "solution": str,
            "officer": str,
            "escalation_note": str,
            "lkpp_ticket": str,
            "lkpp_answer": str,
            "transferred_from": str,
            "version": int,
        },
        pk="id",
        not_null={"day", "service", "number", "label", "token", "status", "created_at"},
        defaults={"calls": 0, "requeues": 0, "priority": 0, "version": 1},
    )
    db["tickets"].create_index(["day", "service", "number"], unique=True)
    db["tickets"].create_index(["token"], unique=True)
    db["tickets"].create_index(["day", "status"])
    db["tickets"].create_index(["counter_id", "status"])
    db["forms"].create(
        {
            "ticket_id": int,
            "name": str,
            "agency": str,
            "address": str,
            "phone": str,
            "problem": str,
        },
        pk="ticket_id",
        foreign_keys=[("ticket_id", "tickets", "id")],
    )
    db["counters"].create(
        {"id": int, "name": str, "services": str, "officer_id": int, "officer_name": str, "claimed_at": str},
        pk="id",
    )
    db["users"].create(
        {
            "id": int,
            "username": str,
            "password_hash": str,
            "role": str,
            "counter_id": int,
            "active": int,
            "created_at": str,
        },
        pk="id",
        not_null={"username", "password_hash", "role"},
        defaults={"active": 1},
    )
    db["users"].create_index(["username"], unique=True)
    db["events"].create(
        {
            "seq": int,
            "at": str,
            "day": str,
            "type": str,
            "ticket_id": int,
            "counter_id": int,
            "actor": str,
            "data": str,
        },
        pk="seq",
    )
    db.execute("CREATE INDEX idx_events_day_type ON events (day, type)")
    db["requests"].create(
        {"key": str, "status": int, "body": str, "at": str},
        pk="key",
    )
    db["print_jobs"].create(
        {
            "id": int,
            "ticket_id": int,
            "printer": str,
            "kind": str,
            "status": str,
            "attempts": int,
            "error": str,
            "next_attempt_at": str,
            "created_at": str,
            "printed_at": str,
        },
        pk="id",
        defaults={"attempts": 0},
    )
    db["print_jobs"].create_index(["status", "next_attempt_at"])


@migrations()
def m002_escalation_mail(db: Database) -> None:
    db["mails"].create(
        {
            "id": int,
            "ticket_id": int,
            "kind": str,
            "status": str,
            "attempts": int,
            "error": str,
            "subject": str,
            "next_attempt_at": str,
            "created_at": str,
            "sent_at": str,
        },
        pk="id",
        defaults={"attempts": 0},
        foreign_keys=[("ticket_id", "tickets", "id")],
    )
    db["mails"].create_index(["status", "next_attempt_at"])
    db["tickets"].create_index(["status"])


@migrations()
def m003_report_indexes(db: Database) -> None:
    # Service-time figures look up each escalated ticket's mail (a full scan per ticket without it).
    db["mails"].create_index(["ticket_id"])


@migrations()
def m004_figures_covering_index(db: Database) -> None:
    # Service-time figures read every ticket of a range: this covering index holds all they read,
    # so years of tickets are summed without touching the wide table rows (docs/reports.md).
    db["tickets"].create_index(
        [
            "day",
            "service",
            "officer",
            "status",
            "requeues",
            "created_at",
            "first_called_at",
            "started_at",
            "finished_at",
        ],
        index_name="idx_tickets_figures",
    )


@migrations()
def m005_settings_overrides(db: Database) -> None:
    db["settings_overrides"].create(
        {"section": str, "value": str, "updated_at": str, "actor": str},
        pk="section",
    )


@migrations()
def m006_queue_order_index(db: Database) -> None:
    # Calling order and positions are read per (day, status, service, priority) by position.
    db["tickets"].create_index(["day", "status", "service", "priority", "position"], index_name="idx_tickets_queue")
    db["tickets"].create_index(["service", "finished_at"], index_name="idx_tickets_service_finished")


@migrations()
def m007_drop_redundant_index(db: Database) -> None:
    # idx_tickets_queue (day, status, service, priority, position) serves every (day, status) lookup;
    # one index fewer to update on each ticket written.
    db.execute("DROP INDEX IF EXISTS idx_tickets_day_status")


# The figures' durations (milliseconds), derived from a ticket's timestamps whenever its row is
# written (ticket_to_row) and backfilled by m008: column -> (start, end) timestamp columns.
DURATION_COLUMNS = {
    "waiting_ms": ("created_at", "first_called_at"),
    "response_ms": ("first_called_at", "started_at"),
    "service_ms": ("started_at", "finished_at"),
}


_DURATION_INPUTS = {t for pair in DURATION_COLUMNS.values() for t in pair}


def duration_ms(start: str | None, end: str | None) -> int | None:
    """Milliseconds between two stored ISO timestamps (None when either is missing), rounded as
    figures.ticket_durations rounds them."""
    if not start or not end:
        return None
    return round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() * 1000)


@migrations()
def m008_ticket_durations(db: Database) -> None:
    # Service-time figures sum these integers instead of parsing four timestamps per ticket with
    # julianday() (docs/reports.md). The backfill calls the same function the write path uses, so
    # old and new rows round alike; the figures' covering index is rebuilt over the integers.
    for column in DURATION_COLUMNS:
        db["tickets"].add_column(column, int)
    db.conn.create_function("antrian_duration_ms", 2, duration_ms, deterministic=True)
    db.execute(
        "UPDATE tickets SET "
        + ", ".join(f"{c} = antrian_duration_ms({a}, {b})" for c, (a, b) in DURATION_COLUMNS.items())
    )
    db.execute("DROP INDEX IF EXISTS idx_tickets_figures")
    db["tickets"].create_index(
        ["day", "service", "officer", "status", "requeues", *DURATION_COLUMNS, "finished_at", "created_at"],
        index_name="idx_tickets_figures",
    )


@migrations()
def m009_position_index(db: Database) -> None:
    # A new ticket goes behind every ticket of its day: MAX(position) read from this index instead of
    # a walk over the whole day's tickets (87 µs per issue at 2,000 tickets a day, growing).
    db["tickets"].create_index(["day", "position"], index_name="idx_tickets_day_position")


@migrations()
def m010_event_indexes(db: Database) -> None:
    # The maintenance loop asks every second for the last settings_changed event, and a record's
    # history for its ticket's events: both walked the whole event log (21 ms and 20 ms at ten
    # years, 380,000 events); with these they read a few index entries.
    db["events"].create_index(["type", "seq"], index_name="idx_events_type_seq")
    db["events"].create_index(["ticket_id", "seq"], index_name="idx_events_ticket_seq")


# A label's prefix with its dash ("A-" of "A-012"): tickets are numbered per prefix and day, by this
# expression and its index (m011); the two must stay written alike for SQLite to use the index.
LABEL_PREFIX = "substr(label, 1, instr(label, '-'))"


@migrations()
def m011_unique_labels(db: Database) -> None:
    # A label is unique per day whatever the admin does (issue 11): numbers were per (day, service),
    # so a prefix moved between services, or a ticket transferred to another service, could give a
    # second ticket a label already on the day (and (day, service, number) refused a transfer into a
    # service that had the same number: a 500). Now numbers are per (day, prefix), read from the
    # index below, and UNIQUE (day, label) is the rule. Labels already doubled by the old numbering
    # are kept on their first ticket; each later one is marked "~<id>" so the index can be made.
    doubled = db.execute(
        "SELECT t.id FROM tickets t JOIN (SELECT day, label, MIN(id) AS first FROM tickets GROUP BY day, label"
        " HAVING COUNT(*) > 1) d ON t.day = d.day AND t.label = d.label AND t.id > d.first"
    ).fetchall()
    for (ticket_id,) in doubled:
        db.execute("UPDATE tickets SET label = label || '~' || id WHERE id = ?", [ticket_id])
    db.execute("DROP INDEX IF EXISTS idx_tickets_day_service_number")
    db.execute("CREATE UNIQUE INDEX idx_tickets_day_label ON tickets (day, label)")
    db.execute(f"CREATE INDEX idx_tickets_day_prefix_number ON tickets (day, {LABEL_PREFIX}, number)")


@migrations()
def m012_session_versions(db: Database) -> None:
    # A login carries its account's session_version; logout, a new password, disabling, enabling or
    # a new role add one, and every session (and staff socket) signed with an older one ends.
    db.execute("ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0")


def renumber_positions(db: Database, day: str) -> None:
    """Give a day's tickets the positions 1, 2, 3 … in their order (position, then id).

    In two passes, first above every position of the day, so that UNIQUE (day, position) holds after
    each row (SQLite checks it row by row)."""
    highest, count = db.execute(
        "SELECT COALESCE(MAX(position), 0), COUNT(*) FROM tickets WHERE day = ? AND position IS NOT NULL", [day]
    ).fetchone()
    offset = max(highest, 0) + count + 1
    ranked = (
        "(SELECT id, ROW_NUMBER() OVER (ORDER BY position, id) AS r FROM tickets"
        " WHERE day = ? AND position IS NOT NULL) AS ranked"
    )
    db.execute(f"UPDATE tickets SET position = ? + ranked.r FROM {ranked} WHERE tickets.id = ranked.id", [offset, day])
    db.execute("UPDATE tickets SET position = position - ? WHERE day = ? AND position IS NOT NULL", [offset, day])


@migrations()
def m013_queue_lanes_unique_positions(db: Database) -> None:
    # A skipped ticket is requeued right behind the ticket next at that moment in the calling order
    # (core.requeue_place): it takes that ticket's lane, so the lane a ticket is called in is a column of
    # its own, apart from the visitor's priority (what the display shows and the records keep); the queue
    # index reads it instead. A transfer starts a new turn: queue_requeues counts the requeues in the
    # current service's line (max_requeues), requeues still every one (the figures).
    # Positions were floats that could tie (a transfer's min - 1.0, a requeue's next + 1.0, a kept place),
    # and a ticket requeued behind one of a tied pair landed behind both: a day with a tie is renumbered
    # in its order, and UNIQUE (day, position) is now the rule.
    db.execute("ALTER TABLE tickets ADD COLUMN priority_lane INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE tickets ADD COLUMN queue_requeues INTEGER NOT NULL DEFAULT 0")
    db.execute("UPDATE tickets SET priority_lane = 1 WHERE priority = 1")
    db.execute("UPDATE tickets SET queue_requeues = requeues WHERE requeues > 0")
    tied = db.execute(
        "SELECT DISTINCT day FROM tickets WHERE position IS NOT NULL GROUP BY day, position HAVING COUNT(*) > 1"
    ).fetchall()
    for (day,) in tied:
        renumber_positions(db, day)
    db.execute("DROP INDEX IF EXISTS idx_tickets_queue")
    db["tickets"].create_index(
        ["day", "status", "service", "priority_lane", "position"], index_name="idx_tickets_queue"
    )
    db.execute("DROP INDEX IF EXISTS idx_tickets_day_position")
    db.execute("CREATE UNIQUE INDEX idx_tickets_day_position ON tickets (day, position)")


@migrations()
def m014_account_names(db: Database) -> None:
    # The officer signs the A4 consultation form (SOP step 12) with their full name and NIP (the civil
    # servant's 18-digit number), not the login name: both optional, NULL when not given.
    db.execute("ALTER TABLE users ADD COLUMN full_name TEXT")
    db.execute("ALTER TABLE users ADD COLUMN nip TEXT")


@migrations()
def m015_counter_pause(db: Database) -> None:
    # A counter can be paused (a break: the TV shows ISTIRAHAT, call-next is refused). The pause is kept
    # across restarts and lasts until it is resumed or the office's day ends (a pause of an earlier day
    # is none). (m014 is the accounts' full name and NIP.)
    db.execute("ALTER TABLE counters ADD COLUMN paused_at TEXT")


@migrations()
def m016_print_jobs_by_ticket(db: Database) -> None:
    # The visitor's ticket status says how its kiosk print went (Tx.ticket_print_status): the ticket's
    # latest ticket or reprint job, read by ticket rather than by a walk through every job of the years.
    db["print_jobs"].create_index(["ticket_id"], index_name="idx_print_jobs_ticket")


@migrations()
def m017_requests_by_time(db: Database) -> None:
    # Stored idempotency answers (~1 KB each, four or more per visitor) are kept only as long as a client
    # may retry: the maintenance loop drops those older than a day, oldest first, read from this index
    # (QueueService.forget_old_requests). The database's own switch to auto_vacuum=INCREMENTAL, which
    # gives their pages back to the disk, is Store.make_incremental: a VACUUM, which a migration cannot
    # retry when it fails (a full disk).
    db["requests"].create_index(["at"], index_name="idx_requests_at")


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


# Tickets still in play (waiting, called, serving) are a handful among years of finished ones. With
# table statistics (ANALYZE) SQLite judged the status index unselective and, to return rows in id
# order, walked the whole table instead: 17 ms at ten years, for the expiry check run every second.
_ACTIVE_INDEX = "INDEXED BY idx_tickets_status"


# An escalation reaches LKPP (the figures' escalation time ends) when its e-mail is sent or, with the
# e-mail off or failing, when the officer records the TTS ticket number LKPP gave: whichever is first.
# One look at a ticket's mails answers both questions: NULL when it had no escalation mail (e-mail
# off), '~' (after every timestamp) when it had one never sent, else the first sent_at.
MAIL_SQL = "(SELECT MIN(COALESCE(m.sent_at, '~')) FROM mails m WHERE m.ticket_id = t.id AND m.kind = 'escalation')"
# When a ticket's LKPP number was first recorded. Per ticket (the pure path's rows) ...
LKPP_NUMBER_SQL = "(SELECT MIN(e.at) FROM events e WHERE e.ticket_id = t.id AND e.type = 'lkpp_ticket')"
# ... and for the figures, all of them at once from the event type's index (a few thousand rows in
# ten years) instead of walking every escalated ticket's events: 0.5 ms instead of 3 ms per 2,000.
LKPP_NUMBERS_CTE = (
    "lkpp_numbers AS MATERIALIZED (SELECT ticket_id, MIN(at) AS at FROM events INDEXED BY idx_events_type_seq"
    " WHERE type = 'lkpp_ticket' GROUP BY ticket_id)"
)


def _recap_where(
    day_from: str,
    day_to: str,
    service: str | None = None,
    officer: str | None = None,
    category: str | None = None,
    outcome: str | None = None,
) -> tuple[str, list[Any]]:
    """The recap's WHERE clause over tickets `t`: the days, finished outcomes (or one), the filters."""
    sql = "t.day BETWEEN ? AND ?"
    params: list[Any] = [day_from, day_to]
    if outcome:
        sql += " AND t.status = ?"
        params.append(outcome)
    else:
        sql += " AND t.status IN ('resolved', 'escalated', 'closed')"
    for column, value in (("service", service), ("officer", officer), ("category", category)):
        if value:
            sql += f" AND t.{column} = ?"
            params.append(value)
    return sql, params


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


_TICKET_TIMES = ("created_at", "first_called_at", "last_called_at", "started_at", "finished_at", "closed_at")
_TICKET_FIELDS = tuple(Ticket.__dataclass_fields__)
_TICKET_FLAGS = ("priority", "priority_lane")


def ticket_from_row(row: dict[str, Any]) -> Ticket:
    """A core Ticket from a tickets row (derived columns such as the durations are ignored)."""
    values = {k: row.get(k) for k in _TICKET_FIELDS}
    for k in _TICKET_TIMES:
        values[k] = _dt(values[k])
    for k in ("category", "priority_class", "solution", "officer", "escalation_note"):
        values[k] = values[k] or ""
    for k in ("lkpp_ticket", "lkpp_answer", "transferred_from"):
        values[k] = values[k] or ""
    values["priority"] = bool(values["priority"])
    values["priority_lane"] = None if values["priority_lane"] is None else bool(values["priority_lane"])
    values["calls"] = values["calls"] or 0
    values["requeues"] = values["requeues"] or 0
    values["queue_requeues"] = values["queue_requeues"] or 0
    return Ticket(**values)


def ticket_to_row(ticket: Ticket) -> dict[str, Any]:
    """A tickets row from a core Ticket, with the durations derived from its timestamps."""
    row = {k: getattr(ticket, k) for k in _TICKET_FIELDS}
    for k in _TICKET_TIMES:
        row[k] = _iso(row[k])
    row["priority"] = int(ticket.priority)
    row["priority_lane"] = int(bool(ticket.priority_lane))
    for column, (start, end) in DURATION_COLUMNS.items():
        row[column] = duration_ms(row[start], row[end])
    if row["id"] is None:
        del row["id"]
    return row


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


def _checkpoint(conn: sqlite3.Connection, mode: str) -> tuple[int, int, int]:
    """PRAGMA wal_checkpoint(mode): (1 when it could not finish, pages in the WAL, pages copied)."""
    busy, frames, copied = conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
    return busy, frames, copied


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
        make_private(self.path)
        self.synchronous = synchronous
        self._idle: list[Database] = []
        self._all: list[Database] = []
        self._lock = threading.Lock()
        self._local = threading.local()  # greenlet-local once gevent has patched threading
        self._plain: Database | None = None
        self._cooperative: bool | None = None
        self._autocheckpoint = True  # False while disk_loop does the checkpoints
        with self._connection() as db:
            # A new database is made incremental before its first table (then no VACUUM is needed).
            db.execute("PRAGMA auto_vacuum = INCREMENTAL")
            db.execute("PRAGMA journal_mode=WAL")
            migrations.apply(db)
            self.make_incremental(db)

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
                    _, frames, _ = pool.apply(_checkpoint, (conn, "PASSIVE"))
                    if frames > WAL_RESTART_FRAMES:
                        pool.apply(_checkpoint, (conn, "RESTART"))
                    failures = 0
                except sqlite3.Error:
                    failures += 1
                    if failures == 1:
                        log.exception("WAL checkpoint failed (logged once until it works again)")
        finally:
            self._set_autocheckpoint(True)
            pool.kill()
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

    def close(self) -> None:
        """Close every connection this store opened."""
        with self._lock:
            for db in self._all:
                db.close()
            self._all.clear()
            self._idle.clear()
        self._plain = None

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A write transaction: BEGIN IMMEDIATE, then db.atomic() around the changes and their events."""
        with self._connection() as db:
            self._begin_immediate(db)
            try:
                with db.atomic():
                    tx = Tx(db)
                    yield tx
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


class Tx:
    """Reads and writes inside one transaction."""

    def __init__(self, db: Database):
        self.db = db
        self.events: list[dict[str, Any]] = []

    def rows(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """Every row of a query, as dicts."""
        cur = self.db.execute(sql, params)
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        """The first row of a query, or None."""
        rows = self.rows(sql, params)
        return rows[0] if rows else None

    # -- idempotency ---------------------------------------------------------------
    def request_answer(self, key: str | None) -> tuple[int, Any] | None:
        """The stored answer to a repeated request_id, or None."""
        if not key:
            return None
        row = self.one("SELECT status, body FROM requests WHERE key = ?", [key])
        return (row["status"], json.loads(row["body"])) if row else None

    def remember_answer(self, key: str | None, status: int, body: Any, now: datetime) -> None:
        """Store the answer to a request_id in the same transaction as the change."""
        if key:
            self.db.execute(
                "INSERT INTO requests (key, status, body, at) VALUES (?, ?, ?, ?)",
                [key, status, json.dumps(body), _iso(now)],
            )

    def forget_requests(self, before: datetime, limit: int) -> int:
        """Drop up to `limit` stored answers older than `before`, oldest first (idx_requests_at); how many."""
        return self.db.execute(
            "DELETE FROM requests WHERE rowid IN (SELECT rowid FROM requests WHERE at < ? ORDER BY at LIMIT ?)",
            [_iso(before), limit],
        ).rowcount

    def free_pages(self, pages: int) -> int:
        """Give up to `pages` of the database's free pages back to the disk (auto_vacuum=INCREMENTAL: the
        file shrinks at the next checkpoint); how many free pages are left. One page per statement:
        Python's sqlite3 runs `PRAGMA incremental_vacuum(N)` one step, so one page, per execute."""
        free = self.db.execute("PRAGMA freelist_count").fetchone()[0]
        for _ in range(min(pages, free)):
            self.db.execute("PRAGMA incremental_vacuum(1)")
        return self.db.execute("PRAGMA freelist_count").fetchone()[0]

    # -- tickets -------------------------------------------------------------------
    def next_number(self, day: str, prefix: str) -> int:
        """The next ticket number of a label prefix on a day: past every label with this prefix issued
        that day, whichever service it was issued for or is in now (UNIQUE (day, label) guards it)."""
        row = self.one(
            f"SELECT COALESCE(MAX(number), 0) + 1 AS n FROM tickets WHERE day = ? AND {LABEL_PREFIX} = ?",
            [day, f"{prefix}-"],
        )
        return row["n"]

    def prefix_services(self, day: str) -> dict[str, list[tuple[str, str]]]:
        """Per label prefix of the day's tickets ("A"), the distinct (service, transferred_from) pairs of
        those tickets: the service each is in now, and the one it came from ("" when never transferred)."""
        out: dict[str, list[tuple[str, str]]] = {}
        for r in self.rows(
            f"SELECT DISTINCT {LABEL_PREFIX} AS prefix, service, transferred_from FROM tickets WHERE day = ?", [day]
        ):
            out.setdefault(r["prefix"][:-1], []).append((r["service"], r["transferred_from"] or ""))
        return out

    def next_position(self, day: str) -> float:
        """A queue position behind every ticket of the day."""
        row = self.one("SELECT COALESCE(MAX(position), 0) + 1 AS p FROM tickets WHERE day = ?", [day])
        return float(row["p"])

    # Neighbouring positions of a day, over every ticket of it (waiting, called, served or gone: a called
    # or serving ticket can come back to the line, and no two tickets of a day share a position), each
    # read from UNIQUE (day, position) (m013) in one step.
    def position_after(self, day: str, position: float) -> float | None:
        """The day's next position after `position`, or None."""
        row = self.db.execute(
            "SELECT position FROM tickets WHERE day = ? AND position > ? ORDER BY position LIMIT 1", [day, position]
        ).fetchone()
        return row[0] if row else None

    def position_before(self, day: str, position: float) -> float | None:
        """The day's position just before `position`, or None."""
        row = self.db.execute(
            "SELECT position FROM tickets WHERE day = ? AND position < ? ORDER BY position DESC LIMIT 1",
            [day, position],
        ).fetchone()
        return row[0] if row else None

    def first_position(self, day: str) -> float | None:
        """The day's first position, or None."""
        row = self.db.execute(
            "SELECT position FROM tickets WHERE day = ? AND position IS NOT NULL ORDER BY position LIMIT 1", [day]
        ).fetchone()
        return row[0] if row else None

    def renumber_positions(self, day: str) -> None:
        """Positions 1, 2, 3 … for the day's tickets, in their order: room again between any two
        (when halving a gap no longer gives a float between them; core.between)."""
        renumber_positions(self.db, day)

    def insert_ticket(self, ticket: Ticket, form: dict[str, str]) -> Ticket:
        """Write a new ticket and its consultation form; the ticket with its id."""
        row = ticket_to_row(ticket)
        cur = self.db.execute(
            "INSERT INTO tickets ({}) VALUES ({})".format(", ".join(row), ", ".join("?" for _ in row)),
            list(row.values()),
        )
        ticket = ticket.replace(id=cur.lastrowid)
        self.db.execute(
            "INSERT INTO forms (ticket_id, name, agency, address, phone, problem) VALUES (?, ?, ?, ?, ?, ?)",
            [ticket.id, form["name"], form["agency"], form["address"], form["phone"], form["problem"]],
        )
        return ticket

    def save_ticket(self, ticket: Ticket, old: Ticket | None = None) -> None:
        """Write a changed ticket; given the version it was made from, only the columns that differ
        (SQLite rewrites every index on a column named in SET, changed or not)."""
        if old is None:
            row = ticket_to_row(ticket)
            row.pop("id", None)
        else:
            changed = {k for k in _TICKET_FIELDS if getattr(ticket, k) != getattr(old, k)} - {"id"}
            full = ticket_to_row(ticket) if changed & _DURATION_INPUTS else None
            row = {}
            for k in changed:
                value = getattr(ticket, k)
                row[k] = _iso(value) if k in _TICKET_TIMES else int(value) if k in _TICKET_FLAGS else value
            if full is not None:
                row.update({c: full[c] for c in DURATION_COLUMNS})
        sets = "".join(f"{k} = ?, " for k in row)
        self.db.execute(f"UPDATE tickets SET {sets}version = version + 1 WHERE id = ?", [*row.values(), ticket.id])

    def ticket(self, ticket_id: int) -> Ticket | None:
        """A ticket by id, or None."""
        row = self.one("SELECT * FROM tickets WHERE id = ?", [ticket_id])
        return ticket_from_row(row) if row else None

    def ticket_by_token(self, token: str) -> Ticket | None:
        """A ticket by its public token, or None."""
        row = self.one("SELECT * FROM tickets WHERE token = ?", [token])
        return ticket_from_row(row) if row else None

    def ticket_by_label(self, day: str, label: str) -> Ticket | None:
        """A ticket by its label on a day, or None."""
        row = self.one("SELECT * FROM tickets WHERE day = ? AND label = ?", [day, label])
        return ticket_from_row(row) if row else None

    def form(self, ticket_id: int) -> dict[str, str]:
        """The consultation form of a ticket (empty strings when none)."""
        row = self.one("SELECT name, agency, address, phone, problem FROM forms WHERE ticket_id = ?", [ticket_id])
        return row or {"name": "", "agency": "", "address": "", "phone": "", "problem": ""}

    def queue_heads(self, day: str, services: Iterable[str]) -> list[Ticket]:
        """The first waiting ticket of each (service, lane) group: every ticket core.next_for may pick.

        Any calling order that sorts by lane, then position, picks among these, so the core decides
        over a handful of rows instead of the whole waiting line.
        """
        heads = []
        for service in services:
            for lane in (1, 0):
                row = self.one(
                    "SELECT * FROM tickets WHERE day = ? AND status = 'waiting' AND service = ? AND priority_lane = ?"
                    " ORDER BY position, id LIMIT 1",
                    [day, service, lane],
                )
                if row:
                    heads.append(ticket_from_row(row))
        return heads

    def ahead_count(self, ticket: Ticket) -> int:
        """Waiting tickets of the same service called before this one (priority lane first, then position).

        Two ranges of the queue index (day, status, service, priority_lane, position), each counted
        inside the index without reading a ticket row (positions are unique per day)."""
        queue = "SELECT COUNT(*) FROM tickets WHERE day = ? AND status = 'waiting' AND service = ? AND "
        key = [ticket.day, ticket.service]
        lane = int(bool(ticket.priority_lane))
        row = self.db.execute(
            f"SELECT ({queue} priority_lane > ?) + ({queue} priority_lane = ? AND position < ?)",
            [*key, lane, *key, lane, ticket.position],
        ).fetchone()
        return row[0]

    def stale_tickets(self, today: str) -> list[Ticket]:
        """Tickets of earlier days still waiting or called (for the end-of-day expiry)."""
        rows = self.rows(
            f"SELECT * FROM tickets {_ACTIVE_INDEX} WHERE status IN ('waiting', 'called') AND day < ? ORDER BY id",
            [today],
        )
        return [ticket_from_row(r) for r in rows]

    def counter_ticket(self, counter_id: int) -> Ticket | None:
        """The ticket a counter is calling or serving, or None."""
        row = self.one(
            "SELECT * FROM tickets WHERE counter_id = ? AND status IN ('called', 'serving') ORDER BY id DESC LIMIT 1",
            [counter_id],
        )
        return ticket_from_row(row) if row else None

    def tickets_with_status(self, statuses: tuple[str, ...], day: str | None = None) -> list[Ticket]:
        """Tickets in some statuses (of one day, if given), oldest first."""
        marks = ", ".join("?" for _ in statuses)
        sql = f"SELECT * FROM tickets {_ACTIVE_INDEX} WHERE status IN ({marks})"
        params: list[Any] = list(statuses)
        if day is not None:
            sql += " AND day = ?"
            params.append(day)
        return [ticket_from_row(r) for r in self.rows(sql + " ORDER BY id", params)]

    def tickets_of_day(self, day: str) -> list[Ticket]:
        """Every ticket of a day, oldest first."""
        return [ticket_from_row(r) for r in self.rows("SELECT * FROM tickets WHERE day = ? ORDER BY id", [day])]

    def waiting_counts(self, day: str) -> dict[str, int]:
        """How many wait per service on a day."""
        return {
            r["service"]: r["n"]
            for r in self.rows(
                "SELECT service, COUNT(*) AS n FROM tickets WHERE day = ? AND status = ? GROUP BY service",
                [day, WAITING],
            )
        }

    def recent_service_seconds(self, service: str, limit: int = 20) -> list[float]:
        """Seconds from first call to the end of service, for the last finished tickets of a service."""
        rows = self.rows(
            "SELECT first_called_at, finished_at FROM tickets WHERE service = ? AND status IN"
            " ('resolved', 'escalated', 'closed') AND first_called_at IS NOT NULL AND finished_at IS NOT NULL"
            " ORDER BY finished_at DESC LIMIT ?",
            [service, limit],
        )
        return [
            (datetime.fromisoformat(r["finished_at"]) - datetime.fromisoformat(r["first_called_at"])).total_seconds()
            for r in rows
        ]

    # -- events --------------------------------------------------------------------
    def add_event(
        self,
        type_: str,
        now: datetime,
        day: str,
        ticket_id: int | None = None,
        counter_id: int | None = None,
        actor: str = "",
        data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Append to the event log; the event's seq is its place in the global order."""
        if type_ not in EVENT_TYPES:
            raise ValueError(f"unknown event type {type_!r}")
        cur = self.db.execute(
            "INSERT INTO events (at, day, type, ticket_id, counter_id, actor, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [_iso(now), day, type_, ticket_id, counter_id, actor, json.dumps(data or {}, ensure_ascii=False)],
        )
        event = {
            "seq": cur.lastrowid,
            "at": _iso(now),
            "day": day,
            "type": type_,
            "ticket_id": ticket_id,
            "counter_id": counter_id,
            "actor": actor,
            "data": data or {},
        }
        self.events.append(event)
        return event

    def last_seq(self) -> int:
        """The seq of the last committed change (0 before any)."""
        row = self.one("SELECT COALESCE(MAX(seq), 0) AS s FROM events")
        return row["s"]

    def recent_calls(self, day: str, limit: int = 10) -> list[dict[str, Any]]:
        """A day's last calls and recalls, newest first."""
        rows = self.rows(
            "SELECT e.seq, e.at, e.type, e.counter_id, t.label, t.service, e.data FROM events e"
            " JOIN tickets t ON t.id = e.ticket_id WHERE e.day = ? AND e.type IN ('called', 'recalled')"
            " ORDER BY e.seq DESC LIMIT ?",
            [day, limit],
        )
        for r in rows:
            r["calls"] = json.loads(r.pop("data") or "{}").get("calls")
        return rows

    def events_of_ticket(self, ticket_id: int) -> list[dict[str, Any]]:
        """Every event of one ticket, oldest first."""
        rows = self.rows("SELECT * FROM events WHERE ticket_id = ? ORDER BY seq", [ticket_id])
        for r in rows:
            r["data"] = json.loads(r["data"] or "{}")
        return rows

    # -- counters and users -----------------------------------------------------------
    def sync_counters(self, counters: list[dict[str, Any]]) -> None:
        """Mirror the configured counters into the counters table."""
        for c in counters:
            self.db.execute(
                "INSERT INTO counters (id, name, services) VALUES (?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET name = excluded.name, services = excluded.services",
                [c["id"], c["name"], json.dumps(list(c["services"]))],
            )

    def counter_claim(self, counter_id: int) -> dict[str, Any] | None:
        """Who holds a counter, or None."""
        return self.one("SELECT officer_id, officer_name, claimed_at FROM counters WHERE id = ?", [counter_id])

    def claim_counter(self, counter_id: int, user_id: int | None, name: str | None, now: datetime | None) -> None:
        """Record who holds a counter (None frees it)."""
        self.db.execute(
            "UPDATE counters SET officer_id = ?, officer_name = ?, claimed_at = ? WHERE id = ?",
            [user_id, name, _iso(now), counter_id],
        )

    def counter_claims(self) -> dict[int, dict[str, Any]]:
        """Who holds each counter since when, and since when it is paused (None: not), by counter id."""
        return {
            r["id"]: r for r in self.rows("SELECT id, officer_id, officer_name, claimed_at, paused_at FROM counters")
        }

    def set_counter_paused(self, counter_id: int, at: datetime | None) -> None:
        """Pause a counter from `at` (None resumes it)."""
        self.db.execute("UPDATE counters SET paused_at = ? WHERE id = ?", [_iso(at), counter_id])

    def counter_paused_at(self, counter_id: int) -> datetime | None:
        """Since when a counter is paused, or None."""
        row = self.one("SELECT paused_at FROM counters WHERE id = ?", [counter_id])
        return _dt(row["paused_at"]) if row else None

    def issued_counts(self, day: str) -> dict[str, int]:
        """Per label prefix ("A"), the day's tickets not cancelled: the numbers a service's daily quota
        counts (a prefix is one service's all day, see admin.check_prefixes), read from the m011 index."""
        return {
            r["prefix"][:-1]: r["n"]
            for r in self.rows(
                f"SELECT {LABEL_PREFIX} AS prefix, COUNT(*) AS n FROM tickets WHERE day = ? AND status != 'cancelled'"
                " GROUP BY prefix",
                [day],
            )
        }

    def add_user(
        self,
        username: str,
        password_hash: str,
        role: str,
        now: datetime,
        counter_id: int | None,
        full_name: str | None = None,
        nip: str | None = None,
    ) -> int:
        """Add an account (full name and NIP optional: None or ""); its id."""
        cur = self.db.execute(
            "INSERT INTO users (username, password_hash, role, counter_id, active, created_at, full_name, nip)"
            " VALUES (?, ?, ?, ?, 1, ?, ?, ?)",
            [username, password_hash, role, counter_id, _iso(now), full_name or None, nip or None],
        )
        return cur.lastrowid

    def user(self, username: str) -> dict[str, Any] | None:
        """An account by username, or None."""
        return self.one("SELECT * FROM users WHERE username = ?", [username])

    def user_by_id(self, user_id: int) -> dict[str, Any] | None:
        """An account by id, or None."""
        return self.one("SELECT * FROM users WHERE id = ?", [user_id])

    def user_count(self) -> int:
        """How many accounts exist."""
        return self.one("SELECT COUNT(*) AS n FROM users")["n"]

    # -- print jobs ------------------------------------------------------------------
    def add_print_job(self, ticket_id: int, printer: str, kind: str, now: datetime) -> int:
        """Queue a print job; its id."""
        cur = self.db.execute(
            "INSERT INTO print_jobs (ticket_id, printer, kind, status, attempts, next_attempt_at, created_at)"
            " VALUES (?, ?, ?, 'queued', 0, ?, ?)",
            [ticket_id, printer, kind, _iso(now), _iso(now)],
        )
        return cur.lastrowid

    def due_print_jobs(self, now: datetime, printers: list[str] | None = None) -> list[dict[str, Any]]:
        """Queued or retrying jobs whose time has come (of some printers)."""
        rows = self.rows(
            "SELECT * FROM print_jobs WHERE status IN ('queued', 'retrying') AND next_attempt_at <= ? ORDER BY id",
            [_iso(now)],
        )
        return [r for r in rows if printers is None or r["printer"] in printers]

    def ticket_print_status(self, ticket_id: int) -> str | None:
        """The status of the ticket's latest kiosk print (its ticket job or a reprint), None without one."""
        row = self.one(
            "SELECT status FROM print_jobs WHERE ticket_id = ? AND kind IN ('ticket', 'reprint') ORDER BY id DESC LIMIT 1",
            [ticket_id],
        )
        return row["status"] if row else None

    def print_job(self, job_id: int) -> dict[str, Any] | None:
        """A print job by id, or None."""
        return self.one("SELECT * FROM print_jobs WHERE id = ?", [job_id])

    def update_print_job(self, job_id: int, **fields: Any) -> None:
        """Change a print job's columns."""
        for k in ("next_attempt_at", "printed_at"):
            if isinstance(fields.get(k), datetime):
                fields[k] = _iso(fields[k])
        sets = ", ".join(f"{k} = ?" for k in fields)
        self.db.execute(f"UPDATE print_jobs SET {sets} WHERE id = ?", [*fields.values(), job_id])

    def print_jobs(self, statuses: tuple[str, ...] | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Recent print jobs with their tickets' labels, newest first."""
        if statuses:
            marks = ", ".join("?" for _ in statuses)
            return self.rows(
                f"SELECT p.*, t.label FROM print_jobs p JOIN tickets t ON t.id = p.ticket_id"
                f" WHERE p.status IN ({marks}) ORDER BY p.id DESC LIMIT ?",
                [*statuses, limit],
            )
        return self.rows(
            "SELECT p.*, t.label FROM print_jobs p JOIN tickets t ON t.id = p.ticket_id ORDER BY p.id DESC LIMIT ?",
            [limit],
        )

    # -- escalation mail -------------------------------------------------------------------
    def add_mail(self, ticket_id: int, kind: str, subject: str, now: datetime) -> int:
        """Queue an escalation mail; its id."""
        cur = self.db.execute(
            "INSERT INTO mails (ticket_id, kind, status, attempts, subject, next_attempt_at, created_at)"
            " VALUES (?, ?, 'queued', 0, ?, ?, ?)",
            [ticket_id, kind, subject, _iso(now), _iso(now)],
        )
        return cur.lastrowid

    def due_mails(self, now: datetime) -> list[dict[str, Any]]:
        """Queued or retrying mails whose time has come."""
        return self.rows(
            "SELECT * FROM mails WHERE status IN ('queued', 'retrying') AND next_attempt_at <= ? ORDER BY id",
            [_iso(now)],
        )

    def update_mail(self, mail_id: int, **fields: Any) -> None:
        """Change a mail's columns."""
        for k in ("next_attempt_at", "sent_at"):
            if isinstance(fields.get(k), datetime):
                fields[k] = _iso(fields[k])
        sets = ", ".join(f"{k} = ?" for k in fields)
        self.db.execute(f"UPDATE mails SET {sets} WHERE id = ?", [*fields.values(), mail_id])

    def mail_of_ticket(self, ticket_id: int) -> dict[str, Any] | None:
        """The latest mail of a ticket, or None."""
        return self.one("SELECT * FROM mails WHERE ticket_id = ? ORDER BY id DESC LIMIT 1", [ticket_id])

    def open_escalations(self) -> list[dict[str, Any]]:
        """Escalated tickets with their forms and mail state, oldest first."""
        rows = self.rows(
            "SELECT t.*, f.name, f.agency, f.address, f.phone, f.problem FROM tickets t"
            " JOIN forms f ON f.ticket_id = t.id WHERE t.status = 'escalated' ORDER BY t.finished_at"
        )
        for r in rows:
            mail = self.mail_of_ticket(r["id"])
            r["mail"] = {k: mail[k] for k in ("id", "status", "attempts", "error", "sent_at")} if mail else None
        return rows

    # -- admin: settings changed live, accounts --------------------------------------------
    def settings_overrides(self) -> dict[str, Any]:
        """Sections of config.toml an admin replaced, by section name."""
        return {
            r["section"]: json.loads(r["value"]) for r in self.rows("SELECT section, value FROM settings_overrides")
        }

    def set_settings_override(self, section: str, value: Any, actor: str, now: datetime) -> None:
        """Store an admin's new value for one section of config.toml."""
        self.db.execute(
            "INSERT INTO settings_overrides (section, value, updated_at, actor) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(section) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,"
            " actor = excluded.actor",
            [section, json.dumps(value, ensure_ascii=False), _iso(now), actor],
        )

    def users(self) -> list[dict[str, Any]]:
        """Every account (no password hashes)."""
        return self.rows(
            "SELECT id, username, role, counter_id, active, created_at, full_name, nip FROM users ORDER BY username"
        )

    def update_user(self, username: str, **fields: Any) -> None:
        """Change an account's password hash, active flag, role, counter, full name or NIP. A new password,
        role or active flag ends the account's existing sessions (its session_version goes up)."""
        allowed = {"password_hash", "active", "role", "counter_id", "full_name", "nip"}
        if not set(fields) <= allowed:
            raise ValueError(f"cannot change {sorted(set(fields) - allowed)}")
        sets = ", ".join(f"{k} = ?" for k in fields)
        if set(fields) & {"password_hash", "active", "role"}:
            sets += ", session_version = session_version + 1"
        self.db.execute(f"UPDATE users SET {sets} WHERE username = ?", [*fields.values(), username])

    def end_sessions(self, user_id: int) -> None:
        """End every session of an account (logout): cookies and sockets signed before stop working."""
        self.db.execute("UPDATE users SET session_version = session_version + 1 WHERE id = ?", [user_id])

    def session_states(self) -> dict[int, tuple[int, bool]]:
        """Each account's (session_version, active), by id: what a staff socket is checked against."""
        return {
            r["id"]: (r["session_version"], bool(r["active"]))
            for r in self.rows("SELECT id, session_version, active FROM users")
        }

    # -- reports -----------------------------------------------------------------------
    def recap_rows(self, day_from: str, day_to: str) -> list[dict[str, Any]]:
        """Finished consultations of a range of days with their forms, in order."""
        return self.rows(
            "SELECT t.*, f.name, f.agency, f.address, f.phone, f.problem FROM tickets t"
            " JOIN forms f ON f.ticket_id = t.id WHERE t.day BETWEEN ? AND ?"
            " AND t.status IN ('resolved', 'escalated', 'closed') ORDER BY t.day, t.finished_at, t.id",
            [day_from, day_to],
        )

    # -- recap filters, figures, archive (reports) ------------------------------------------
    def recap_iter(self, day_from: str, day_to: str, **filters: str | None) -> Iterator[dict[str, Any]]:
        """Recap rows (the columns the recap needs) one at a time, for exports of any size.
        filters: service, officer, category, outcome (see _recap_where)."""
        where, params = _recap_where(day_from, day_to, **filters)
        # The officer as the recap names them: the account's full name (m014) when it has one.
        officer_name, users = "t.officer", ""
        if self.one("SELECT 1 AS x FROM pragma_table_info('users') WHERE name = 'full_name'"):
            officer_name = "COALESCE(NULLIF(TRIM(u.full_name), ''), t.officer)"
            users = " LEFT JOIN users u ON u.username = t.officer"
        sql = (
            "SELECT t.id, t.day, t.service, t.label, t.status, t.category, t.officer, t.solution,"
            " t.escalation_note, t.lkpp_ticket, t.lkpp_answer, t.finished_at,"
            f" {officer_name} AS officer_name,"
            " f.name, f.agency, f.address, f.phone, f.problem FROM tickets t"
            " JOIN forms f ON f.ticket_id = t.id" + users + " WHERE " + where
        )
        cur = self.db.execute(sql + " ORDER BY t.day, t.finished_at, t.id", params)
        cols = [c[0] for c in cur.description]
        for r in cur:
            yield dict(zip(cols, r, strict=True))

    def recap_count(self, day_from: str, day_to: str, **filters: str | None) -> int:
        """How many rows recap_iter would give."""
        where, params = _recap_where(day_from, day_to, **filters)
        return self.db.execute("SELECT COUNT(*) FROM tickets t WHERE " + where, params).fetchone()[0]

    def figure_sums(self, day_from: str, day_to: str, group: str, limits_ms: dict[str, int]) -> list[dict[str, Any]]:
        """Per group (day, month, officer or service): counts, and per measure n, sum, within, max (ms).

        Waiting, response and service sum the integer duration columns (m008) over the figures'
        covering index; escalation, which needs the mail's sent_at or the time the LKPP ticket
        number was recorded (FORWARDED_SQL), is a second query over the escalated tickets only.
        """
        key = {
            "day": "t.day",
            "month": "substr(t.day, 1, 7)",
            "officer": "COALESCE(NULLIF(t.officer, ''), '')",
            "service": "t.service",
        }[group]
        columns = []
        params: list[Any] = []
        for name in ("waiting", "response", "service"):
            c = f"t.{name}_ms"
            columns.append(f"COUNT({c}) AS {name}_n, COALESCE(SUM({c}), 0) AS {name}_sum, MAX({c}) AS {name}_max")
            if name in limits_ms:
                columns.append(f"COALESCE(SUM({c} <= ?), 0) AS {name}_within")
                params.append(limits_ms[name])
        # CASE rather than `status IN (...)`: SQLite probes an ephemeral index per row for an IN list.
        sums = self.rows(
            f"SELECT {key} AS key, COUNT(*) AS tickets,"
            " SUM(CASE t.status WHEN 'resolved' THEN 1 WHEN 'escalated' THEN 1 WHEN 'closed' THEN 1 ELSE 0 END)"
            " AS served, SUM(t.status = 'no_show') AS no_show,"
            " COALESCE(SUM(t.requeues > 0), 0) AS requeued, COALESCE(SUM(t.requeues), 0) AS requeues, "
            + ", ".join(columns)
            + " FROM tickets t WHERE t.day BETWEEN ? AND ? GROUP BY key ORDER BY key",
            [*params, day_from, day_to],
        )
        within = "COALESCE(SUM(e <= ?), 0)" if "escalation" in limits_ms else "0"
        # Escalated tickets are counted here too, and those not measured that never had a mail (the
        # escalation e-mail was off). Both inner queries are co-routines (LIMIT -1 keeps SQLite from
        # flattening them), so each mail is looked up once and each duration computed once, not once
        # per aggregate. The earlier of the mail's sent_at and the LKPP number's recording is chosen
        # on the text: both are written by _iso (UTC, isoformat), whose order is the time's.
        forwarded = (
            "CASE WHEN num IS NULL THEN NULLIF(mail, '~') WHEN mail IS NULL OR mail = '~' THEN num"
            " WHEN mail <= num THEN mail ELSE num END"
        )
        escalation = {
            r["key"]: r
            for r in self.rows(
                f"WITH {LKPP_NUMBERS_CTE}"
                " SELECT k AS key, COUNT(*) AS escalated, COUNT(e) AS n, COALESCE(SUM(e), 0) AS total,"
                f" MAX(e) AS max, {within} AS within, COALESCE(SUM(e IS NULL AND NOT has_mail), 0) AS no_mail"
                " FROM (SELECT k, mail IS NOT NULL AS has_mail,"
                f" CAST(ROUND((julianday({forwarded}) - julianday(fin)) * 86400000.0) AS INTEGER) AS e"
                f" FROM (SELECT {key} AS k, t.finished_at AS fin, {MAIL_SQL} AS mail, l.at AS num"
                " FROM tickets t LEFT JOIN lkpp_numbers l ON l.ticket_id = t.id"
                " WHERE t.day BETWEEN ? AND ? AND t.status IN ('escalated', 'closed')"
                " ORDER BY k LIMIT -1) LIMIT -1) GROUP BY k",
                [*([limits_ms["escalation"]] if "escalation" in limits_ms else []), day_from, day_to],
            )
        }
        for s in sums:
            e = escalation.get(s["key"])
            s["escalated"] = e["escalated"] if e else 0
            s["escalation_n"] = e["n"] if e else 0
            s["escalation_sum"] = e["total"] if e else 0
            s["escalation_max"] = e["max"] if e else None
            s["escalation_no_mail"] = e["no_mail"] if e else 0
            if "escalation" in limits_ms:
                s["escalation_within"] = e["within"] if e else 0
        return sums

    def ticket_times(self, day_from: str, day_to: str) -> list[dict[str, Any]]:
        """Every ticket of the days with its timestamps, its escalation mail's sent_at, when its LKPP
        ticket number was first recorded, and whether it had an escalation mail (for figures)."""
        return self.rows(
            "SELECT t.id, t.day, t.service, t.officer, t.status, t.requeues, t.created_at, t.first_called_at,"
            f" t.started_at, t.finished_at, NULLIF({MAIL_SQL}, '~') AS mail_sent_at,"
            f" {LKPP_NUMBER_SQL} AS lkpp_ticket_at, {MAIL_SQL} IS NOT NULL AS has_mail"
            " FROM tickets t WHERE t.day BETWEEN ? AND ? ORDER BY t.id",
            [day_from, day_to],
        )

    def arrivals_by_hour(self, day_from: str, day_to: str, utc_offset_minutes: int) -> dict[int, int]:
        """Tickets created per local hour of day (0-23), the local hour at a fixed UTC offset.

        created_at is always written in UTC (`_iso`), so the tickets are counted per UTC hour (or
        minute, for an offset that is not whole hours) read straight from the text, and shifted here;
        cheaper than strftime() on every row.
        """
        width = 2 if utc_offset_minutes % 60 == 0 else 5
        rows = self.rows(
            f"SELECT substr(created_at, 12, {width}) AS hm, COUNT(*) AS n FROM tickets"
            " WHERE day BETWEEN ? AND ? GROUP BY hm",
            [day_from, day_to],
        )
        out: dict[int, int] = {}
        for r in rows:
            minute = int(r["hm"][:2]) * 60 + (int(r["hm"][3:5]) if width == 5 else 0)
            hour = (minute + utc_offset_minutes) % 1440 // 60
            out[hour] = out.get(hour, 0) + r["n"]
        return out

    def open_days(self, day_from: str, day_to: str) -> int:
        """How many local days of the range had at least one ticket."""
        return self.one("SELECT COUNT(DISTINCT day) AS n FROM tickets WHERE day BETWEEN ? AND ?", [day_from, day_to])[
            "n"
        ]

    def archive_rows(self, day_from: str, day_to: str) -> dict[str, list[dict[str, Any]]]:
        """The days' tickets (each with its form) and events, for the monthly archive."""
        tickets = self.rows(
            "SELECT t.*, f.name, f.agency, f.address, f.phone, f.problem FROM tickets t"
            " LEFT JOIN forms f ON f.ticket_id = t.id WHERE t.day BETWEEN ? AND ? ORDER BY t.id",
            [day_from, day_to],
        )
        events = self.rows("SELECT * FROM events WHERE day BETWEEN ? AND ? ORDER BY seq", [day_from, day_to])
        for e in events:
            e["data"] = json.loads(e["data"] or "{}")
        return {"tickets": tickets, "events": events}

    def anonymise_forms_before(self, day: str, placeholder: str) -> int:
        """Replace name, phone and address on the forms of tickets of days before `day`; returns how many changed."""
        cur = self.db.execute(
            "UPDATE forms SET name = ?1, phone = ?1, address = ?1 WHERE ticket_id IN"
            " (SELECT id FROM tickets WHERE day < ?2)"
            " AND NOT (name IS ?1 AND phone IS ?1 AND address IS ?1)",
            [placeholder, day],
        )
        return cur.rowcount

    def forget_requests_before(self, at: datetime) -> int:
        """Drop stored idempotency answers older than `at` (they repeat full tickets, forms included)."""
        return self.db.execute("DELETE FROM requests WHERE at < ?", [_iso(at)]).rowcount
