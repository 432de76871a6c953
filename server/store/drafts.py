"""The draft of the ticket being served at a counter (m032, its version m033): what its officer typed, kept on the server while
typing, so that a closed tab, a crashed browser or a dead counter PC loses nothing. One row per ticket being
served; the schema's triggers drop it when the ticket leaves the counter or stops being served."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.store.base import TxBase, _iso

DRAFT_FIELDS = ("solution", "note", "category", "priority_class")


class DraftQueries(TxBase):
    def draft(self, ticket_id: int) -> dict[str, Any] | None:
        """A ticket's draft: {ticket_id, counter_id, day, officer, solution, note, category, priority_class,
        updated_at, version}, or None. Its fields may all be empty (emptied: kept for its version)."""
        return self.one("SELECT * FROM drafts WHERE ticket_id = ?", [ticket_id])

    def save_draft(
        self, ticket_id: int, counter_id: int, day: str, officer: str, texts: dict[str, str], now: datetime
    ) -> int:
        """Keep a ticket's draft (`texts`: DRAFT_FIELDS, all of them empty: emptied); its new version (m033), one
        more at each save. An emptied draft keeps its row, so that its version never goes back to one a page
        already saw (a page's save based on it would overwrite the text typed after it)."""
        self.db.execute(
            "INSERT INTO drafts (ticket_id, counter_id, day, officer, solution, note, category, priority_class,"
            " updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (ticket_id) DO UPDATE SET"
            " counter_id = excluded.counter_id, day = excluded.day, officer = excluded.officer,"
            " solution = excluded.solution, note = excluded.note, category = excluded.category,"
            " priority_class = excluded.priority_class, updated_at = excluded.updated_at,"
            " version = drafts.version + 1",
            [ticket_id, counter_id, day, officer, *(texts.get(k) or "" for k in DRAFT_FIELDS), _iso(now)],
        )
        return self.db.execute("SELECT version FROM drafts WHERE ticket_id = ?", [ticket_id]).fetchone()[0]

    def drop_drafts_before(self, day: str) -> int:
        """The day's turn: the drafts of earlier days go. Returns how many."""
        return self.db.execute("DELETE FROM drafts WHERE day < ?", [day]).rowcount
