"""Upkeep: the stored answers to request_ids (idempotency: a retried request gets the first answer,
kept for as long as a client may retry), the pages freed in the database given back to the disk, and
the trial queue cleared before the office goes live."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from server.store.base import TxBase, _iso

# The trial queue, children first: what `go-live` deletes (server/archive.py go_live).
QUEUE_TABLES = ("complaint_history", "survey_responses", "print_jobs", "mails", "forms", "requests", "tickets")
# the admin's work before going live, and the newest restore's session epoch (Accounts.session_epoch)
KEPT_EVENTS = ("settings_changed", "user_changed", "restored")


class DamagedDatabase(sqlite3.DatabaseError):
    """PRAGMA quick_check found the database damaged inside (a page or an index), past the header a start
    reads: said as SQLite's own SQLITE_CORRUPT is (server.config.storage_error: restore a good copy)."""

    sqlite_errorname = "SQLITE_CORRUPT"

    def __init__(self, found: list[str]):
        more = f" (+{len(found) - 1})" if len(found) > 1 else ""
        super().__init__(f"quick_check: {found[0] if found else '?'}{more}")
        self.found = found


class UpkeepQueries(TxBase):
    """Stored request answers, the database's free pages, the trial queue."""

    def go_live_counts(self) -> dict[str, Any]:
        """What go-live would delete and keep, and the earlier go-live's event (None: not yet)."""
        span = self.one("SELECT COUNT(*) AS n, MIN(day) AS first, MAX(day) AS last FROM tickets")
        went = self.one("SELECT day, at, actor FROM events WHERE type = 'went_live' ORDER BY seq DESC LIMIT 1")
        return {
            "tickets": span["n"],
            "first_day": span["first"],
            "last_day": span["last"],
            "survey": self.one("SELECT COUNT(*) AS n FROM survey_responses")["n"],
            "accounts": self.one("SELECT COUNT(*) AS n FROM users")["n"],
            "settings": [r["section"] for r in self.rows("SELECT section FROM settings_overrides ORDER BY section")],
            "went_live": went,
        }

    def clear_queue(self, now: datetime, day: str, actor: str) -> dict[str, int]:
        """Delete the trial queue (QUEUE_TABLES, every event but KEPT_EVENTS, the counters' holders and
        pauses), then log `went_live` with a seq after every earlier one, and reset the daily copy's mark:
        how many rows of each went."""
        last = self.one("SELECT COALESCE(MAX(seq), 0) AS s FROM events")["s"]
        last_job = self.one("SELECT MAX(id) AS j FROM print_jobs")["j"]
        gone = {table: self.db.execute(f"DELETE FROM {table}").rowcount for table in QUEUE_TABLES}
        if last_job is not None:
            # The print jobs' ids go on from the trial's: a kiosk's print agent keeps a journal of the ids it
            # printed, and would take a new job with an old id for done (no slip for a real visitor). A
            # row with the last id, of no ticket, holds the numbering.
            self.db.execute(
                "INSERT INTO print_jobs (id, ticket_id, printer, kind, status, attempts, created_at)"
                " VALUES (?, NULL, '', 'went_live', 'printed', 0, ?)",
                [last_job, _iso(now)],
            )
        marks = ", ".join("?" for _ in KEPT_EVENTS)
        gone["events"] = self.db.execute(f"DELETE FROM events WHERE type NOT IN ({marks})", KEPT_EVENTS).rowcount
        self.db.execute(
            "UPDATE counters SET officer_id = NULL, officer_name = NULL, claimed_at = NULL, paused_at = NULL"
        )
        self.db.execute(
            "INSERT INTO events (seq, at, day, type, actor, data) VALUES (?, ?, ?, 'went_live', ?, ?)",
            [last + 1, _iso(now), day, actor, json.dumps(gone)],
        )
        self.set_backup_mark(0)  # today's daily copy, the trial's, is made again (Upkeep.daily_backup)
        return gone

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
                [key, status, json.dumps(body, ensure_ascii=False), _iso(now)],  # an emoji 4 bytes, not 12
            )

    def forget_requests(self, before: datetime, limit: int) -> int:
        """Drop up to `limit` stored answers older than `before`, oldest first (idx_requests_at); how many."""
        return self.db.execute(
            "DELETE FROM requests WHERE rowid IN (SELECT rowid FROM requests WHERE at < ? ORDER BY at LIMIT ?)",
            [_iso(before), limit],
        ).rowcount

    def forget_requests_before(self, at: datetime) -> int:
        """Drop stored idempotency answers older than `at` (they repeat full tickets, forms included)."""
        return self.db.execute("DELETE FROM requests WHERE at < ?", [_iso(at)]).rowcount

    # -- the disk ------------------------------------------------------------------------
    def free_pages(self, pages: int) -> int:
        """Give up to `pages` of the database's free pages back to the disk (auto_vacuum=INCREMENTAL: the
        file shrinks at the next checkpoint); how many free pages are left. One page per statement:
        Python's sqlite3 runs `PRAGMA incremental_vacuum(N)` one step, so one page, per execute."""
        free = self.db.execute("PRAGMA freelist_count").fetchone()[0]
        for _ in range(min(pages, free)):
            self.db.execute("PRAGMA incremental_vacuum(1)")
        return self.db.execute("PRAGMA freelist_count").fetchone()[0]

    # -- the daily copy and the database's health ------------------------------------------
    def backup_mark(self) -> int:
        """The mark of the database's last daily copy (0: none yet): PRAGMA user_version, a number in the
        file's header that nothing else uses, so that every copy of the database carries it."""
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def set_backup_mark(self, mark: int) -> None:
        """Write the mark of the daily copy about to be made (in this transaction, before the copy)."""
        self.db.execute(f"PRAGMA user_version = {int(mark)}")  # a PRAGMA takes no bound parameter

    def check_intact(self) -> None:
        """DamagedDatabase when PRAGMA quick_check finds the database damaged (self.damage())."""
        found = self.damage()
        if found:
            raise DamagedDatabase(found)

    def damage(self) -> list[str]:
        """What SQLite's PRAGMA quick_check finds wrong in the database's pages and indexes (empty: none).
        It reads every page once (docs/performance.md: its cost at a start); a page too damaged to be read
        at all raises sqlite3.DatabaseError (SQLITE_CORRUPT) instead."""
        found = [r[0] for r in self.db.execute("PRAGMA quick_check").fetchall()]
        if found == ["ok"]:
            return []
        lines = (line.strip() for text in found for line in str(text).splitlines())
        return [line for line in lines if line and not line.startswith("*** in database")]
