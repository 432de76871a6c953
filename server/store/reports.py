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
from server.migrations import FIGURE_DAY_COLUMNS, FIGURE_DAY_HOURS, LABEL_PREFIX
from server.store.base import ESCALATIONS_SQL, SERVED_SQL, TxBase, sql_words
from server.store.tickets import SIGNER_NAME_SQL

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

# What a dashboard group sums over the tickets, and which figure_days rows (m025) and key it adds up.
_KEYS = {
    "day": "t.day",
    "month": "substr(t.day, 1, 7)",
    "officer": "COALESCE(NULLIF(t.officer, ''), '')",
    "service": "t.service",
}
KEPT_GROUPS = ("day", "officer", "service")  # the groups figure_days keeps per day
_KEPT_GROUP = {
    "day": ("day", "key"),
    "month": ("day", "substr(day, 1, 7)"),
    "officer": ("officer", "key"),
    "service": ("service", "key"),
}
_KEPT = ", ".join(FIGURE_DAY_COLUMNS)
_ADDED_UP = ", ".join(f"{'MAX' if c.endswith('_max') else 'SUM'}({c}) AS {c}" for c in FIGURE_DAY_COLUMNS)
_IN_DAYS = "t.day IN (SELECT value FROM json_each(?))"
# Why the front office cancelled a cancelled ticket (its `cancelled` event's data.reason; POST /api/tickets/<ref>/cancel),
# else NULL: the guest book's and the recap's Keterangan say it (events by ticket: m010's idx_events_ticket_seq).
CANCEL_REASON_SQL = (
    "CASE WHEN t.status = 'cancelled' THEN (SELECT json_extract(e.data, '$.reason') FROM events e"
    " WHERE e.ticket_id = t.id AND e.type = 'cancelled' ORDER BY e.seq DESC LIMIT 1) END"
)
_UNSERVED_SQL = sql_words(core.UNSERVED_ENDS)  # how a ticket ends unserved at its last service


def limits_key(limits_ms: dict[str, int]) -> str:
    """The standard times a figure_days row was made for, as kept with it: "copy=600000,form=300000,..."."""
    return ",".join(f"{k}={limits_ms[k]}" for k in sorted(limits_ms))


def add_sums(into: dict[str, Any], other: dict[str, Any]) -> None:
    """Add a group's sums counted from tickets to the same group's kept sums (figure_sums)."""
    for k, v in other.items():
        if v is None or k in ("key", "day"):
            continue
        if k.endswith("_max"):
            if into.get(k) is None or v > into[k]:
                into[k] = v
        else:
            into[k] = into.get(k, 0) + v


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
    # served before a transfer and never at the new service (core.partly_served)
    partly = f"(t.status IN ({sql_words(core.UNSERVED_ENDS)}) AND t.served_before_ms > 0)"
    if outcome == core.PARTLY_SERVED:
        sql += f" AND {partly}"
    elif outcome:
        sql += " AND t.status = ?"
        params.append(outcome)
    else:
        sql += f" AND (t.status IN ({SERVED_SQL}) OR {partly})"
    for column, value in (("service", service), ("category", category)):
        if value:
            sql += f" AND t.{column} = ?"
            params.append(value)
    if officer:  # as the recap names them: the username, the account's full name, or the name it was signed with
        sql += (
            " AND (t.officer = ? COLLATE NOCASE"
            " OR t.officer IN (SELECT username FROM users WHERE TRIM(full_name) = ? COLLATE NOCASE)"
            " OR t.signer_name = ? COLLATE NOCASE)"
        )
        params += [officer.strip()] * 3
    return sql, params


class ReportQueries(TxBase):
    """Recap, figures, arrivals, archive."""

    def recap_iter(self, day_from: str, day_to: str, **filters: str | None) -> Iterator[dict[str, Any]]:
        """Recap rows (the columns the recap needs) one at a time, for exports of any size.
        filters: service, officer, category, outcome (see _recap_where)."""
        where, params = _recap_where(day_from, day_to, **filters)
        # The officer as the recap names them: who signed the form, as they were named then (m027); for a ticket
        # kept before that, the account's full name (m014) when it has one now, else the username.
        officer_name = SIGNER_NAME_SQL
        users = " LEFT JOIN users u ON u.username = t.officer"
        # who corrected it, as their account named them then (the event's data.actor_name); for a correction
        # before that, the account's full name now, else the username
        corrector = (
            "COALESCE(json_extract(e.data, '$.actor_name'),"
            " (SELECT NULLIF(TRIM(c.full_name), '') FROM users c WHERE c.username = e.actor), e.actor)"
        )
        # Who corrected the record after it was finished (its `corrected` events: the officer named in Petugas too,
        # as the signed and archived recap must show every corrected row, not only a colleague's), in the order of
        # their first correction, each named as at that first correction (SQLite takes a bare column of a MIN()
        # group from the row of the minimum) (events by ticket: m010's idx_events_ticket_seq).
        corrected_by = (
            f"(SELECT group_concat(who, ', ') FROM (SELECT {corrector} AS who, MIN(e.seq) AS first FROM events e"
            " WHERE e.ticket_id = t.id AND e.type = 'corrected' GROUP BY e.actor ORDER BY first))"
        )
        # A ticket sent on from another service (the counter's "Alihkan"): its transfers in order as a JSON array of
        # [from, to, counter] (service codes and the counter that sent it, its `transferred` events), else NULL.
        transfers = (
            "CASE WHEN t.transferred_from <> '' THEN (SELECT json_group_array(json_array("
            "json_extract(x.data, '$.service_from'), json_extract(x.data, '$.service_to'), x.counter_id)) FROM"
            " (SELECT e.data, e.counter_id FROM events e WHERE e.ticket_id = t.id AND e.type = 'transferred'"
            " ORDER BY e.seq) x) END"
        )
        sql = (
            "SELECT t.id, t.day, t.service, t.label, t.status, t.category, t.officer, t.solution, t.served_before_ms,"
            " t.escalation_note, t.lkpp_ticket, t.lkpp_answer, t.finished_at, t.transferred_from,"
            f" {officer_name} AS officer_name, {corrected_by} AS corrected_by, {transfers} AS transfers,"
            f" {CANCEL_REASON_SQL} AS cancel_reason,"
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

    def guestbook_iter(self, day_from: str, day_to: str) -> Iterator[dict[str, Any]]:
        """The guest book's rows (buku tamu, SOP step 1): every ticket issued on the local days, whatever
        became of it, with its form as the store keeps it (anonymised by retention too), in the order the
        numbers were taken; one at a time, for exports of any size. `transfers`: for a ticket sent on to
        other services, its transfers in order as a JSON array of [from, to] service codes (its
        `transferred` events), else None."""
        transfers = (
            "CASE WHEN t.transferred_from <> '' THEN (SELECT json_group_array(json_array("
            "json_extract(x.data, '$.service_from'), json_extract(x.data, '$.service_to'))) FROM"
            " (SELECT e.data FROM events e WHERE e.ticket_id = t.id AND e.type = 'transferred' ORDER BY e.seq) x)"
            " END"
        )
        cur = self.db.execute(
            "SELECT t.id, t.day, t.created_at, t.label, t.service, t.status, t.transferred_from,"
            f" {transfers} AS transfers, {CANCEL_REASON_SQL} AS cancel_reason,"
            " f.name, f.agency, f.address, f.phone FROM tickets t"
            " LEFT JOIN forms f ON f.ticket_id = t.id WHERE t.day BETWEEN ? AND ?"
            # by id, the order the numbers were taken, not by the time: a PC's clock stepped back during the day
            # (docs/operations.md, "Jam PC server") put the later visitors first
            " ORDER BY t.day, t.id",
            [day_from, day_to],
        )
        cols = [c[0] for c in cur.description]
        for r in cur:
            yield dict(zip(cols, r, strict=True))

    def guestbook_count(self, day_from: str, day_to: str) -> int:
        """How many rows guestbook_iter would give."""
        return self.db.execute("SELECT COUNT(*) FROM tickets WHERE day BETWEEN ? AND ?", [day_from, day_to]).fetchone()[
            0
        ]

    def figure_sums(self, day_from: str, day_to: str, group: str, limits_ms: dict[str, int]) -> list[dict[str, Any]]:
        """Per group (day, month, officer or service): counts, and per measure n, sum, within, max (ms).

        The days whose sums are kept (figure_days, m025, made for the same standard times) are added up
        from those rows; the others (today, a day changed since, every day before the maintenance loop
        made them) are summed from their tickets (_ticket_sums). Both give the same figures
        (tests/test_figure_days.py)."""
        limits = limits_key(limits_ms)
        kept, missing = self._kept_days(day_from, day_to, limits)
        if not kept:
            return self._ticket_sums("t.day BETWEEN ? AND ?", [day_from, day_to], day_from, group, limits_ms)
        grp, key = _KEPT_GROUP[group]
        # per day: the rows as they are kept; else added up per month, officer or service
        columns, grouped = (_KEPT, "") if group == "day" else (_ADDED_UP, " GROUP BY 1")
        out = {
            r["key"]: r
            for r in self.rows(
                f"SELECT {key} AS key, {columns} FROM figure_days WHERE grp = ? AND limits = ?"
                f" AND day BETWEEN ? AND ?{grouped}",
                [grp, limits, day_from, day_to],
            )
        }
        if missing:
            for r in self._ticket_sums(_IN_DAYS, [json.dumps(missing)], missing[0], group, limits_ms):
                if r["key"] in out:
                    add_sums(out[r["key"]], r)
                else:
                    out[r["key"]] = r
        unmeasured = [f"{m}_within" for m in ("form", "waiting", "service", "copy", "escalation") if m not in limits_ms]
        for r in out.values():
            for k in unmeasured:
                r.pop(k, None)
        return [out[k] for k in sorted(out)]

    def _kept_days(self, day_from: str, day_to: str, limits: str | None) -> tuple[set[str], list[str]]:
        """The days of the range whose figure_days rows are made for these standard times (limits_key; None:
        any), and the days with tickets that have none: those marked stale (figure_stale) and those made for
        other standard times. Every day with tickets has rows or is stale (m025's triggers drop a day's rows
        and mark it stale in one statement; keep_figure_days makes them and unmarks it in one transaction)."""
        kept: set[str] = set()
        other: set[str] = set()
        for d, made_for in self.db.execute(
            "SELECT day, limits FROM figure_days WHERE grp = 'day' AND day BETWEEN ? AND ?", [day_from, day_to]
        ):
            (kept if limits is None or made_for == limits else other).add(d)
        if not kept:
            return kept, []
        stale = self.db.execute("SELECT day FROM figure_stale WHERE day BETWEEN ? AND ?", [day_from, day_to])
        # a day made for these standard times is right whether or not it waits to be made for others
        return kept, sorted(other.union(d for (d,) in stale).difference(kept))

    def _ticket_sums(
        self, where: str, params: list[Any], first: str, group: str, limits_ms: dict[str, int], by_day: bool = False
    ) -> list[dict[str, Any]]:
        """figure_sums from the tickets of the days `where` (over tickets `t`) selects, the first of them
        `first`; by_day: per day and group (each row with its `day`), as figure_days keeps them.

        Form, waiting, response, service and copy sum the integer columns (m008, m023) over the
        figures' covering index; escalation, which needs the mail's sent_at or the time the LKPP ticket
        number was recorded (FORWARDED_SQL), is a second query over the escalated tickets only, and the
        copies asked for that never printed (`copy_unprinted`) a third over the pending print jobs.
        """
        key = _KEYS[group]
        by = "t.day AS day, " if by_day else ""
        grouped = "day, key" if by_day else "key"
        columns = []
        limit_params: list[Any] = []
        measures = dict(STORED_MEASURES)
        if group == "service":  # a visitor sent on and never served there: its service time where it was served
            measures["service"] = (f"CASE WHEN t.status IN ({_UNSERVED_SQL}) THEN NULL ELSE t.service_ms END", 1)
        for name, (c, unit) in measures.items():
            scaled = "" if unit == 1 else f" * {unit}"
            columns.append(
                f"COUNT({c}) AS {name}_n, COALESCE(SUM({c}), 0){scaled} AS {name}_sum, MAX({c}){scaled} AS {name}_max"
            )
            if name in limits_ms:
                columns.append(f"COALESCE(SUM({c} <= ?), 0) AS {name}_within")
                limit_params.append(limits_ms[name] // unit)
        # CASE rather than `status IN (...)`: SQLite probes an ephemeral index per row for an IN list.
        sums = self.rows(
            f"SELECT {by}{key} AS key, COUNT(*) AS tickets,"
            f" SUM(CASE t.status {_SERVED_CASE} ELSE 0 END) AS served, SUM(t.status = 'no_show') AS no_show,"
            " SUM(t.status = 'cancelled') AS cancelled, SUM(t.status = 'expired') AS expired,"
            " SUM(CASE t.status WHEN 'waiting' THEN 1 WHEN 'called' THEN 1 WHEN 'serving' THEN 1 ELSE 0 END) AS in_play,"
            " COALESCE(SUM(t.requeues > 0), 0) AS requeued, COALESCE(SUM(t.requeues), 0) AS requeues, "
            + ", ".join(columns)
            + f" FROM tickets t WHERE {where} GROUP BY {grouped} ORDER BY {grouped}",
            [*limit_params, *params],
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
        inner = "d, k" if by_day else "k"
        escalation = {
            (r["day"] if by_day else None, r["key"]): r
            for r in self.rows(
                f"WITH {LKPP_NUMBERS_CTE}"
                " SELECT d AS day, k AS key, COUNT(*) AS escalated, COUNT(e) AS n, COALESCE(SUM(e), 0) AS total,"
                f" MAX(e) AS max, {within} AS within, COALESCE(SUM(e IS NULL AND NOT has_mail), 0) AS no_mail"
                # NULL (not measured) when negative: the PC's clock was stepped back between the two (migrations
                # duration_ms)
                " FROM (SELECT d, k, has_mail, CASE WHEN e >= 0 THEN e END AS e"
                " FROM (SELECT d, k, mail IS NOT NULL AS has_mail,"
                f" CAST(ROUND((julianday({forwarded}) - julianday(fin)) * 86400000.0) AS INTEGER) AS e"
                f" FROM (SELECT t.day AS d, {key} AS k, t.finished_at AS fin, {MAIL_SQL} AS mail, l.at AS num"
                # the range by its day: ordered by the service, SQLite read every ticket ever through
                # idx_tickets_service_finished to skip a sort (70 ms for a month's figures per service)
                " FROM tickets t INDEXED BY idx_tickets_figures LEFT JOIN lkpp_numbers l ON l.ticket_id = t.id"
                f" WHERE {where} AND t.status IN ({ESCALATIONS_SQL})"
                f" ORDER BY {inner} LIMIT -1) LIMIT -1) LIMIT -1) GROUP BY {inner}",
                [*([limits_ms["escalation"]] if "escalation" in limits_ms else []), *params],
            )
        }
        # Copies asked for on a counter printer that have not come out (the job failed, or waits for the
        # printer): why some served visitors' copy time is not measured. Read from the print jobs' status
        # index (a few rows: the pending and failed ones), each ticket by its key.
        # A job is queued after its ticket was issued (a local day starts at most 14 hours before its UTC
        # date), and its next_attempt_at is never before that: the failed jobs of other years are skipped.
        since = (date.fromisoformat(first) - timedelta(days=1)).isoformat()
        unprinted = {
            (r["day"] if by_day else None, r["key"]): r["n"]
            for r in self.rows(
                f"SELECT {by}{key} AS key, COUNT(DISTINCT t.id) AS n FROM print_jobs p"
                " INDEXED BY idx_print_jobs_status_next_attempt_at JOIN tickets t ON t.id = p.ticket_id"
                " WHERE p.status IN ('queued', 'retrying', 'failed') AND p.next_attempt_at >= ? AND p.kind = 'form'"
                f" AND {where} AND t.copy_ms IS NULL AND t.status IN ({SERVED_SQL}) GROUP BY {grouped}",
                [since, *params],
            )
        }
        if group == "service":
            self._served_before_transfer(sums, where, params, by_day, limits_ms)
        for s in sums:
            at = (s["day"] if by_day else None, s["key"])
            s["copy_unprinted"] = unprinted.get(at, 0)
            e = escalation.get(at)
            s["escalated"] = e["escalated"] if e else 0
            s["escalation_n"] = e["n"] if e else 0
            s["escalation_sum"] = e["total"] if e else 0
            s["escalation_max"] = e["max"] if e else None
            s["escalation_no_mail"] = e["no_mail"] if e else 0
            if "escalation" in limits_ms:
                s["escalation_within"] = e["within"] if e else 0
        return sums

    def _served_before_transfer(
        self, sums: list[dict[str, Any]], where: str, params: list[Any], by_day: bool, limits_ms: dict[str, int]
    ) -> None:
        """Per service, the service times of the visitors served, sent on to another service and never
        served there (core.partly_served: their service_ms is the stretches before the transfer, their
        status one of the unserved ends) added to the service they were sent on from, where they were served
        (transferred_from; the ticket itself, its no-show or cancellation, stays with the service it ended
        at). A handful of rows, read through the figures' index by the day."""
        by = "t.day AS day, " if by_day else ""
        grouped = "day, key" if by_day else "key"
        within = "COALESCE(SUM(t.service_ms <= ?), 0)" if "service" in limits_ms else "0"
        rows = self.rows(
            f"SELECT {by}COALESCE(NULLIF(t.transferred_from, ''), t.service) AS key, COUNT(*) AS n,"
            f" SUM(t.service_ms) AS total, MAX(t.service_ms) AS max, {within} AS within"
            " FROM tickets t INDEXED BY idx_tickets_figures"
            f" WHERE {where} AND t.status IN ({_UNSERVED_SQL}) AND t.service_ms IS NOT NULL GROUP BY {grouped}",
            [*([limits_ms["service"]] if "service" in limits_ms else []), *params],
        )
        if not rows:
            return
        at = {(s["day"] if by_day else None, s["key"]): s for s in sums}
        for r in rows:
            s = at.get((r["day"] if by_day else None, r["key"]))
            if s is None:  # no ticket ended at that service: a group of these service times alone
                s = {k: None if k.endswith("_max") else 0 for k in sums[0]}
                s.update({"key": r["key"], **({"day": r["day"]} if by_day else {})})
                sums.append(s)
                at[(r["day"] if by_day else None, r["key"])] = s
            s["service_n"] += r["n"]
            s["service_sum"] += r["total"]
            s["service_max"] = r["max"] if s["service_max"] is None else max(s["service_max"], r["max"])
            if "service" in limits_ms:
                s["service_within"] += r["within"]
        sums.sort(key=lambda s: (s["day"], s["key"]) if by_day else s["key"])

    def keep_figure_days(self, before: str, limits_ms: dict[str, int], most: int) -> list[str]:
        """Make the figure_days rows of up to `most` stale days before the day `before` (the latest first)
        for these standard times, and mark them no longer stale. Returns the days made."""
        days = [
            d
            for (d,) in self.db.execute(
                "SELECT day FROM figure_stale WHERE day < ? ORDER BY day DESC LIMIT ?", [before, most]
            )
        ]
        if not days:
            return []
        limits, params = limits_key(limits_ms), [json.dumps(days)]
        hours: dict[str, list[int]] = {}
        for day, hour, n in self.db.execute(
            f"SELECT t.day, substr(t.created_at, 12, 2), COUNT(*) FROM tickets t WHERE {_IN_DAYS} GROUP BY 1, 2",
            params,
        ):
            per_hour = hours.setdefault(day, [0] * 24)
            if hour and hour.isdigit() and int(hour) < 24:  # a time another program wrote, not ISO 8601: no hour
                per_hour[int(hour)] = n
        none = [None] * 24
        rows: list[tuple[Any, ...]] = []
        for grp in KEPT_GROUPS:
            for r in self._ticket_sums(_IN_DAYS, params, days[-1], grp, limits_ms, by_day=True):
                per_hour = hours[r["day"]] if grp == "day" else none
                rows.append((grp, r["day"], r["key"], limits, *(r.get(c) for c in FIGURE_DAY_COLUMNS), *per_hour))
        self.db.execute("DELETE FROM figure_days WHERE day IN (SELECT value FROM json_each(?))", params)
        if rows:  # none when the days' tickets are gone
            self.db.conn.executemany(f"INSERT INTO figure_days VALUES ({', '.join('?' * len(rows[0]))})", rows)
        self.db.execute("DELETE FROM figure_stale WHERE day IN (SELECT value FROM json_each(?))", params)
        return days

    def stale_figure_days(self, before: str) -> bool:
        """Whether any day before `before` waits for its figure_days rows."""
        return self.db.execute("SELECT 1 FROM figure_stale WHERE day < ? LIMIT 1", [before]).fetchone() is not None

    def restale_figure_days(self, limits_ms: dict[str, int]) -> int:
        """Mark stale the days kept for other standard times (the [sla] settings changed). Returns how many."""
        return self.db.execute(
            "INSERT OR IGNORE INTO figure_stale (day) SELECT day FROM figure_days WHERE grp = 'day' AND limits != ?",
            [limits_key(limits_ms)],
        ).rowcount

    def arrivals_by_hour(self, day_from: str, day_to: str, utc_offset_minutes: int) -> dict[int, int]:
        """Tickets created per local hour of day (0-23), the local hour at a fixed UTC offset.

        created_at is always written in UTC (`_iso`), so the tickets are counted per UTC hour (or
        minute, for an offset that is not whole hours) read straight from the text, and shifted here;
        cheaper than strftime() on every row. The kept days' counts per UTC hour are in figure_days.
        """
        width = 2 if utc_offset_minutes % 60 == 0 else 5
        kept, missing = self._kept_days(day_from, day_to, None) if width == 2 else (set(), [])
        counted: list[tuple[str, int]] = []
        if kept:
            (per_hour,) = self.db.execute(
                f"SELECT {', '.join(f'SUM({h})' for h in FIGURE_DAY_HOURS)} FROM figure_days"
                " WHERE grp = 'day' AND day BETWEEN ? AND ?",
                [day_from, day_to],
            ).fetchall()
            counted += [(f"{h:02d}", n) for h, n in enumerate(per_hour) if n]
            where, params = _IN_DAYS.replace("t.day", "day"), [json.dumps(missing)]
        else:
            where, params = "day BETWEEN ? AND ?", [day_from, day_to]
        if not kept or missing:
            counted += self.db.execute(
                f"SELECT substr(created_at, 12, {width}) AS hm, COUNT(*) AS n FROM tickets WHERE {where} GROUP BY hm",
                params,
            ).fetchall()
        out: dict[int, int] = {}
        for hm, n in counted:
            minute = int(hm[:2]) * 60 + (int(hm[3:5]) if width == 5 else 0)
            hour = (minute + utc_offset_minutes) % 1440 // 60
            out[hour] = out.get(hour, 0) + n
        return out

    def arrival_hours(self, day_from: str, day_to: str, utc_offset_minutes: int) -> dict[str, int]:
        """The local hours (as arrivals_by_hour shifts them) in which each day of the range with tickets had one or
        more, as a mask (bit h: the hour h.00-h.59); 0 for a day whose tickets have no readable time. From the kept
        days' hours where they are kept (figure_days, per UTC hour: the mask turned by the offset), else from the
        tickets. Ten years of kept days: one integer a day, made in SQL."""
        width = 2 if utc_offset_minutes % 60 == 0 else 5
        kept, missing = self._kept_days(day_from, day_to, None) if width == 2 else (set(), [])
        out: dict[str, int] = {}
        if kept:
            turn = utc_offset_minutes // 60 % 24
            bits = " | ".join(f"(coalesce({h} > 0, 0) << {i})" for i, h in enumerate(FIGURE_DAY_HOURS))
            for day, utc in self.db.execute(
                f"SELECT day, {bits} FROM figure_days WHERE grp = 'day' AND day BETWEEN ? AND ?", [day_from, day_to]
            ):
                out[day] = ((utc << turn) | (utc >> (24 - turn))) & 0xFFFFFF
            where, params = _IN_DAYS.replace("t.day", "day"), [json.dumps(missing)]
        else:
            where, params = "day BETWEEN ? AND ?", [day_from, day_to]
        if not kept or missing:
            for day, hm in self.db.execute(
                f"SELECT day, substr(created_at, 12, {width}) AS hm FROM tickets WHERE {where} GROUP BY day, hm", params
            ):
                out.setdefault(day, 0)
                if hm and hm[:2].isdigit() and (width == 2 or hm[3:5].isdigit()):  # another program's time: no hour
                    minute = int(hm[:2]) * 60 + (int(hm[3:5]) if width == 5 else 0)
                    out[day] |= 1 << ((minute + utc_offset_minutes) % 1440 // 60)
        return out

    def open_days(self, day_from: str, day_to: str) -> int:
        """How many local days of the range had at least one ticket."""
        return self.one("SELECT COUNT(DISTINCT day) AS n FROM tickets WHERE day BETWEEN ? AND ?", [day_from, day_to])[
            "n"
        ]

    # -- what a backup holds (restore) ----------------------------------------------------
    def backup_summary(self, today: str) -> dict[str, Any]:
        """What a backup holds, for `restore` to say before it is put back (on a read-only connection, a
        schema of any version): its tickets (how many, the first and last day, the newest one's time),
        the time of its newest change (event), the office name saved on its admin page (None when it has
        none), the last label of each prefix on `today`, and its escalation mails not sent yet (queued or being
        retried: a restored server sends them, though the PC the copy came from may have sent them since), each as
        its ticket's label and day, oldest first."""
        span = self.one(
            "SELECT COUNT(*) AS n, MIN(day) AS first, MAX(day) AS last, MAX(created_at) AS newest FROM tickets"
        )
        change = self.one("SELECT at FROM events ORDER BY seq DESC LIMIT 1")
        office = None
        if self.db["settings_overrides"].exists():
            row = self.one("SELECT value FROM settings_overrides WHERE section = 'office'")
            saved = json.loads(row["value"]) if row else {}
            office = saved.get("name") if isinstance(saved, dict) else None
        # SQLite takes a bare column from the row of MAX(): each prefix's highest number's label
        last = self.rows(f"SELECT label, MAX(number) AS n FROM tickets WHERE day = ? GROUP BY {LABEL_PREFIX}", [today])
        unsent = []
        if self.db["mails"].exists():
            unsent = self.rows(
                "SELECT t.label, t.day FROM mails m JOIN tickets t ON t.id = m.ticket_id"
                " WHERE m.status IN ('queued', 'retrying') ORDER BY m.id"
            )
        return {
            "tickets": span["n"],
            "first_day": span["first"],
            "last_day": span["last"],
            "newest": span["newest"],
            "last_change": change["at"] if change else None,
            "office": office,
            "today_labels": sorted(r["label"] for r in last),
            "unsent_mails": [(r["label"], r["day"]) for r in unsent],
        }

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
        """Replace name, phone and address on the forms of tickets of days before `day` (and forget their folded
        name and agency: nobody's earlier visits any more); returns how many changed. A case still open with LKPP
        (escalated, not closed) keeps them: its officer calls the visitor back with LKPP's answer, and a mail sent
        again (Kirim ulang) carries them; a run after its close reaches it (open_cases_before)."""
        cur = self.db.execute(
            "UPDATE forms SET name = ?1, phone = ?1, address = ?1, visitor_key = NULL WHERE ticket_id IN"
            " (SELECT id FROM tickets WHERE day < ?2 AND status != ?3)"
            " AND NOT (name IS ?1 AND phone IS ?1 AND address IS ?1 AND visitor_key IS NULL)",
            [placeholder, day, core.ESCALATED],
        )
        return cur.rowcount

    def open_cases_before(self, day: str) -> int:
        """How many tickets of days before `day` are cases still open with LKPP (anonymise_forms_before keeps them)."""
        row = self.db.execute("SELECT count(*) FROM tickets WHERE day < ? AND status = ?", [day, core.ESCALATED])
        return row.fetchone()[0]
