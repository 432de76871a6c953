"""Upkeep: the stored answers to request_ids (idempotency: a retried request gets the first answer,
kept for as long as a client may retry), and the pages freed in the database given back to the disk."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from server.store.base import TxBase, _iso


class UpkeepQueries(TxBase):
    """Stored request answers, and the database's free pages."""

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
