"""Reports: the recap (finished consultations with their forms, filtered, streamed for exports of any
size), the service-time figures summed in SQL (docs/reports.md), arrivals per hour, and the monthly
archive with the retention of visitors' personal data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from server import core
from server.core import SERVED
from server.store.base import ESCALATIONS_SQL, SERVED_SQL, TxBase, sql_words

_SERVED_CASE = " ".join(f"WHEN {sql_words([word])} THEN 1" for word in SERVED)  # WHEN 'resolved' THEN 1 ...
# The measures summed straight from the ticket rows (the figures' covering index, m023): the column and
# its unit in milliseconds. The stored durations are milliseconds; the form is the kiosk's whole seconds,
# scaled once per sum rather than once per row (and s * 1000 <= L exactly when s <= L // 1000).
STORED_MEASURES = {
    "form": ("t.form_seconds", 1000),
    "waiting": ("t.waiting_ms", 1),
    "response": ("t.response_ms", 1),
    "service": ("t.service_ms", 1),
    "copy": ("t.copy_ms", 1),
}

# An escalation reaches LKPP (the figures' escalation time ends) when its e-mail is sent or, with the
# e-mail off or failing, when the officer records the TTS ticket number LKPP gave: whichever is first.
# One look at a ticket's mails answers both questions: NULL when it had no escalation mail (e-mail
# off), '~' (after every timestamp) when it had one never sent, else the first sent_at.
MAIL_SQL = "(SELECT MIN(COALESCE(m.sent_at, '~')) FROM mails m WHERE m.ticket_id = t.id AND m.kind = 'escalation')"
# When each escalated ticket's LKPP number was first recorded, all of them at once from the event
# type's index (a few thousand rows in ten years) instead of walking every escalated ticket's events:
# 0.5 ms instead of 3 ms per 2,000.
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
    else:  # served, or served before a transfer and never at the new service (core.partly_served)
        sql += (
            f" AND (t.status IN ({SERVED_SQL})"
            f" OR (t.status IN ({sql_words(core.UNSERVED_ENDS)}) AND t.served_before_ms > 0))"
        )
    for column, value in (("service", service), ("category", category)):
        if value:
            sql += f" AND t.{column} = ?"
            params.append(value)
    if officer:  # as the recap names them: the username, or the account's full name (any case)
        sql += (
            " AND (t.officer = ? COLLATE NOCASE"
            " OR t.officer IN (SELECT username FROM users WHERE TRIM(full_name) = ? COLLATE NOCASE))"
        )
        params += [officer.strip(), officer.strip()]
    return sql, params


class ReportQueries(TxBase):
    """Recap, figures, arrivals, archive."""

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
            "SELECT t.id, t.day, t.service, t.label, t.status, t.category, t.officer, t.solution, t.served_before_ms,"
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

        Form, waiting, response, service and copy sum the integer columns (m008, m023) over the
        figures' covering index; escalation, which needs the mail's sent_at or the time the LKPP ticket
        number was recorded (FORWARDED_SQL), is a second query over the escalated tickets only, and the
        copies asked for that never printed (`copy_unprinted`) a third over the pending print jobs.
        """
        key = {
            "day": "t.day",
            "month": "substr(t.day, 1, 7)",
            "officer": "COALESCE(NULLIF(t.officer, ''), '')",
            "service": "t.service",
        }[group]
        columns = []
        params: list[Any] = []
        for name, (c, unit) in STORED_MEASURES.items():
            scaled = "" if unit == 1 else f" * {unit}"
            columns.append(
                f"COUNT({c}) AS {name}_n, COALESCE(SUM({c}), 0){scaled} AS {name}_sum, MAX({c}){scaled} AS {name}_max"
            )
            if name in limits_ms:
                columns.append(f"COALESCE(SUM({c} <= ?), 0) AS {name}_within")
                params.append(limits_ms[name] // unit)
        # CASE rather than `status IN (...)`: SQLite probes an ephemeral index per row for an IN list.
        sums = self.rows(
            f"SELECT {key} AS key, COUNT(*) AS tickets,"
            f" SUM(CASE t.status {_SERVED_CASE} ELSE 0 END) AS served, SUM(t.status = 'no_show') AS no_show,"
            " SUM(t.status = 'cancelled') AS cancelled, SUM(t.status = 'expired') AS expired,"
            " SUM(CASE t.status WHEN 'waiting' THEN 1 WHEN 'called' THEN 1 WHEN 'serving' THEN 1 ELSE 0 END) AS in_play,"
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
                # the range by its day: ordered by the service, SQLite read every ticket ever through
                # idx_tickets_service_finished to skip a sort (70 ms for a month's figures per service)
                " FROM tickets t INDEXED BY idx_tickets_figures LEFT JOIN lkpp_numbers l ON l.ticket_id = t.id"
                f" WHERE t.day BETWEEN ? AND ? AND t.status IN ({ESCALATIONS_SQL})"
                " ORDER BY k LIMIT -1) LIMIT -1) GROUP BY k",
                [*([limits_ms["escalation"]] if "escalation" in limits_ms else []), day_from, day_to],
            )
        }
        # Copies asked for on a counter printer that have not come out (the job failed, or waits for the
        # printer): why some served visitors' copy time is not measured. Read from the print jobs' status
        # index (a few rows: the pending and failed ones), each ticket by its key.
        # A job is queued after its ticket was issued (a local day starts at most 14 hours before its UTC
        # date), and its next_attempt_at is never before that: the failed jobs of other years are skipped.
        since = (date.fromisoformat(day_from) - timedelta(days=1)).isoformat()
        unprinted = {
            r["key"]: r["n"]
            for r in self.rows(
                f"SELECT {key} AS key, COUNT(DISTINCT t.id) AS n FROM print_jobs p"
                " INDEXED BY idx_print_jobs_status_next_attempt_at JOIN tickets t ON t.id = p.ticket_id"
                " WHERE p.status IN ('queued', 'retrying', 'failed') AND p.next_attempt_at >= ? AND p.kind = 'form'"
                f" AND t.day BETWEEN ? AND ? AND t.copy_ms IS NULL AND t.status IN ({SERVED_SQL}) GROUP BY key",
                [since, day_from, day_to],
            )
        }
        for s in sums:
            s["copy_unprinted"] = unprinted.get(s["key"], 0)
            e = escalation.get(s["key"])
            s["escalated"] = e["escalated"] if e else 0
            s["escalation_n"] = e["n"] if e else 0
            s["escalation_sum"] = e["total"] if e else 0
            s["escalation_max"] = e["max"] if e else None
            s["escalation_no_mail"] = e["no_mail"] if e else 0
            if "escalation" in limits_ms:
                s["escalation_within"] = e["within"] if e else 0
        return sums

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

    # -- the monthly archive and retention ---------------------------------------------
    def archive_rows(self, day_from: str, day_to: str) -> dict[str, list[dict[str, Any]]]:
        """The days' tickets (each with its form) and events, for the monthly archive."""
        tickets = self.rows(
            "SELECT t.*, f.name, f.agency, f.address, f.phone, f.problem FROM tickets t"
            " LEFT JOIN forms f ON f.ticket_id = t.id WHERE t.day BETWEEN ? AND ? ORDER BY t.id",
            [day_from, day_to],
        )
        # The days' events, and the later ones of the days' tickets (resolved after midnight on the month's
        # last day, an LKPP number recorded next month): each ticket's whole history as far as it goes
        events = self.rows(
            "SELECT * FROM events WHERE day BETWEEN ?1 AND ?2 UNION SELECT * FROM events WHERE ticket_id IN"
            " (SELECT id FROM tickets WHERE day BETWEEN ?1 AND ?2) ORDER BY seq",
            [day_from, day_to],
        )
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
