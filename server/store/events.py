"""The event log: a row per change, appended in the change's own transaction (its seq is its place in
the global order), and the reads of it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from server.store.base import TxBase, _iso

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
        "reopened",
        "cancelled",
        "transferred",
        "expired",
        "lkpp_ticket",
        "print_failed",
        "printed",
        "print_skipped",
        "reprint",
        "form_print",
        "mail_sent",
        "mail_failed",
        "mail_requeued",
        "correction_sent",
        "retention",
        "corrected",
        "form_corrected",
        "queue_corrected",
        "settings_changed",
        "user_changed",
        "office_opened",
        "office_closed",
        "day_changed",
        "counter_paused",
        "counter_resumed",
        "counter_released",
        "counter_claimed",
        "survey_answered",
        "complaint_answered",
        "complaint_closed",
        "complaint_reopened",
        "went_live",
        "restored",
    }
)


class EventQueries(TxBase):
    """Appends to and reads of the event log."""

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

    def recent_calls(
        self,
        day: str,
        limit: int = 10,
        counters: tuple[int, ...] | None = None,
        services: tuple[str, ...] | None = None,
    ) -> list[dict[str, Any]]:
        """The newest call or recall of each of a day's last `limit` tickets called, newest first: what a TV's
        latest calls show (a row per ticket). Before, the last ten events, recalls included: a TV opened after a
        few recalls knew two or three numbers, and showed fewer rows than one that stayed open. With `counters`,
        the calls made at those counters only (a TV limited to them, `?counters=2,3`: it kept the office's last
        ten tickets' rows of its own counters, one or two); with `services`, of tickets of those services (their
        service now, as the rows show it: `?services=B`). The day's calls are read by idx_events_day_type, named:
        with table statistics of a database's first day, SQLite walked every event of the years instead (34-64 ms at
        21 days of 2,000 calls; by the index 1.1-1.6 ms for two counters, 2.0-2.6 ms for the office, a loaded
        machine); a service's calls then look their ticket up by its key, one per call of the day."""
        at = f" AND c.counter_id IN ({', '.join('?' * len(counters))})" if counters else ""
        of = ", ".join("?" * len(services or ()))
        of = f" AND EXISTS (SELECT 1 FROM tickets s WHERE s.id = c.ticket_id AND s.service IN ({of}))" if of else ""
        rows = self.rows(
            "SELECT e.seq, e.at, e.type, e.counter_id, t.label, t.service, e.data FROM events e"
            " JOIN tickets t ON t.id = e.ticket_id WHERE e.seq IN (SELECT MAX(c.seq) FROM events c"
            f" INDEXED BY idx_events_day_type WHERE c.day = ? AND c.type IN ('called', 'recalled'){at}{of}"
            " GROUP BY c.ticket_id ORDER BY 1 DESC LIMIT ?) ORDER BY e.seq DESC",
            [day, *(counters or ()), *(services or ()), limit],
        )
        for r in rows:
            r["calls"] = json.loads(r.pop("data") or "{}").get("calls")
        return rows

    def last_event(self, type_: str) -> dict[str, Any] | None:
        """The newest event of one type (any day), as its row."""
        return self.one("SELECT * FROM events WHERE type = ? ORDER BY seq DESC LIMIT 1", [type_])

    def last_event_of_day(self, type_: str, day: str) -> dict[str, Any] | None:
        """The newest event of one type written on one office day, as its row (the day's index: no scan of the
        history, as last_event's when the type has none)."""
        return self.one("SELECT * FROM events WHERE day = ? AND type = ? ORDER BY seq DESC LIMIT 1", [day, type_])

    def last_ticket_event_at(self, ticket_id: int, type_: str) -> str | None:
        """When one ticket's newest event of one type was written (ISO 8601), None when it has none."""
        row = self.one(
            "SELECT at FROM events WHERE ticket_id = ? AND type = ? ORDER BY seq DESC LIMIT 1", [ticket_id, type_]
        )
        return row["at"] if row else None

    def last_ticket_event(self, ticket_id: int, types: tuple[str, ...]) -> dict[str, Any] | None:
        """One ticket's newest event of these types, as its row with its `data` read, None when it has none."""
        marks = ", ".join("?" * len(types))
        row = self.one(
            f"SELECT * FROM events WHERE ticket_id = ? AND type IN ({marks}) ORDER BY seq DESC LIMIT 1",
            [ticket_id, *types],
        )
        if row is not None:
            row["data"] = json.loads(row["data"] or "{}")
        return row

    def last_settings_change(self, section: str) -> dict[str, Any] | None:
        """The newest `settings_changed` event of one settings section (a save or a reset, from the admin
        page or the command line): {seq, at, actor, data}, None when the log has none. A running server's
        row that publishes the command line's change (`data.applies`) is not another change."""
        return self.one(
            "SELECT seq, at, actor, data FROM events WHERE type = 'settings_changed'"
            " AND json_extract(data, '$.section') = ? AND json_extract(data, '$.applies') IS NULL"
            " ORDER BY seq DESC LIMIT 1",
            [section],
        )

    def settings_changes(self, after: int, upto: int) -> list[dict[str, Any]]:
        """The `settings_changed` events with a seq in (after, upto] (events_between)."""
        return self.events_between(("settings_changed",), after, upto)

    def cli_counter_events(self, after: int, upto: int) -> list[dict[str, Any]]:
        """The command line's `counter_resumed` and `counter_released` events with a seq in (after, upto]
        (events_between)."""
        return self.events_between(("counter_resumed", "counter_released"), after, upto, actor="cli")

    def events_between(
        self, types: tuple[str, ...], after: int, upto: int, actor: str | None = None
    ) -> list[dict[str, Any]]:
        """The events of `types` (by `actor`, when given) with a seq in (after, upto], oldest first: {seq, type,
        ticket_id, counter_id, actor, data} (data parsed), but a running server's rows that publish another's
        (`data.applies`): what a running server sends again of the command line's changes."""
        marks = ", ".join("?" * len(types))
        where = " AND actor = ?" if actor is not None else ""
        rows = self.rows(
            "SELECT seq, type, ticket_id, counter_id, actor, data FROM events"
            f" WHERE seq > ? AND seq <= ? AND type IN ({marks}){where} ORDER BY seq",
            [after, upto, *types, *([actor] if actor is not None else [])],
        )
        for r in rows:
            r["data"] = json.loads(r["data"] or "{}")
        return [r for r in rows if "applies" not in r["data"]]

    def day_events(self, type_: str, day: str, limit: int = 500) -> list[dict[str, Any]]:
        """A day's events of one type, newest first: {seq, at, counter_id, data} (data as stored)."""
        return self.rows(
            "SELECT seq, at, counter_id, data FROM events WHERE type = ? AND day = ? ORDER BY seq DESC LIMIT ?",
            [type_, day, limit],
        )

    def first_event_at(self, type_: str, day: str) -> datetime | None:
        """When a day's first event of one type was logged, or None (the wait estimate's morning: the day's first
        `counter_claimed`)."""
        row = self.one("SELECT at FROM events WHERE day = ? AND type = ? ORDER BY seq LIMIT 1", [day, type_])
        return datetime.fromisoformat(row["at"]) if row else None

    def last_day_counters(self, type_: str, before: str) -> set[int]:
        """The counters of the events of one type on the last day before `before` that has any, the day of the newest
        such event dated before it (`counter_claimed`: the counters officers took on the office's last working day);
        empty when no day has."""
        rows = self.rows(
            "SELECT DISTINCT counter_id FROM events WHERE type = ? AND counter_id IS NOT NULL AND day ="
            " (SELECT day FROM events WHERE type = ? AND day < ? ORDER BY seq DESC LIMIT 1)",
            [type_, type_, before],
        )
        return {r["counter_id"] for r in rows}

    def last_finished_at(self, counter_id: int, day: str) -> dict[str, Any] | None:
        """The ticket a day's last `resolved` or `escalated` event at one counter finished, still served (not
        reopened since): {seq, id, label, token, day}, None when none (the counter page's form copy, SOP step 12)."""
        return self.one(
            "SELECT e.seq, t.id, t.label, t.token, t.day FROM events e JOIN tickets t ON t.id = e.ticket_id"
            " WHERE e.day = ? AND e.type IN ('resolved', 'escalated') AND e.counter_id = ?"
            " AND t.status IN ('resolved', 'escalated', 'closed') ORDER BY e.seq DESC LIMIT 1",
            [day, counter_id],
        )

    def cancel_reasons(self, day: str) -> dict[int, str]:
        """Why the front office cancelled each of a day's cancelled tickets that has a reason (its `cancelled`
        event's data.reason), by ticket id: one statement for the whole list (the day's tickets by their index, each
        one's events by idx_events_ticket_seq)."""
        rows = self.db.execute(
            "SELECT t.id, json_extract(e.data, '$.reason') FROM tickets t CROSS JOIN events e ON e.ticket_id = t.id"
            " WHERE t.day = ? AND t.status = 'cancelled' AND e.type = 'cancelled' ORDER BY e.seq",
            [day],
        ).fetchall()
        return {ticket_id: reason for ticket_id, reason in rows if reason}

    def events_of_ticket(self, ticket_id: int) -> list[dict[str, Any]]:
        """Every event of one ticket, oldest first; not a running server's row that publishes the command line's
        (`data.applies`: a counter freed by `users disable` sent its called ticket back once, not twice)."""
        rows = list(self.db["events"].rows_where("ticket_id = ?", [ticket_id], order_by="seq"))
        for r in rows:
            r["data"] = json.loads(r["data"] or "{}")
        return [r for r in rows if "applies" not in r["data"]]

    def correction_seq(self, ticket_id: int) -> int:
        """The seq of the ticket's latest correction (its record's `corrected`, its form's `form_corrected`), 0 when
        it has none: what a form copy read now was read after (server/printing.py, a copy printed with old text)."""
        row = self.db.execute(
            "SELECT MAX(seq) FROM events WHERE ticket_id = ? AND type IN ('corrected', 'form_corrected')", [ticket_id]
        ).fetchone()
        return row[0] or 0

    def open_escalations_events(self, types: tuple[str, ...]) -> dict[int, list[dict[str, Any]]]:
        """The events of these types of every open escalation (an escalated ticket), by ticket id, each ticket's
        oldest first, as events_of_ticket gives them: one statement for all the Eskalasi page's cases, not one per
        case (GET /api/escalations read 300 cases in 1,771 statements: docs/performance.md). CROSS JOIN: the
        open cases first, each one's events by idx_events_ticket_seq, not every correction of the years by their
        type's index (SQLite's pick otherwise)."""
        marks = ", ".join("?" for _ in types)
        rows = self.rows(
            "SELECT e.* FROM tickets t CROSS JOIN events e ON e.ticket_id = t.id"
            f" WHERE t.status = 'escalated' AND e.type IN ({marks}) ORDER BY e.ticket_id, e.seq",
            list(types),
        )
        out: dict[int, list[dict[str, Any]]] = {}
        for r in rows:
            r["data"] = json.loads(r["data"] or "{}")
            if "applies" not in r["data"]:
                out.setdefault(r["ticket_id"], []).append(r)
        return out
