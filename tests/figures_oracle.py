"""The figures' pure path, for the tests: ticket rows with their timestamps summed per group in Python,
the oracle that Tx.figure_sums (the same sums in SQL over the stored durations, server/figures.py) is
checked against. Rounds as migrations.duration_ms does.

Independent of what it checks: it imports nothing from server/. The statuses, the standard times in
milliseconds, the ISO week and a group's empty sums are written out here again, from the SOP and
docs/reports.md, and the rows are read from the tables themselves (tickets, mails, events, print_jobs)
with SQL of its own; a mistake in server.figures, server.core or the store's queries is then on one side
only, and the tests that compare the two fail on it. The only thing it takes from the server is the
standard times configured ([sla], SlaSettings or any object with the five `*_minutes`): data, not a rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

# SOP: "Mutu Baku: Waktu", in minutes, as config.toml ships [sla] (the measures that have a standard)
SOP_MINUTES = {"form": 5, "waiting": 5, "service": 30, "escalation": 5, "copy": 10}
MEASURES = ("form", "waiting", "response", "service", "escalation", "copy")
# a ticket's statuses (docs/reports.md): served (escalated among them), or ended unserved, or in play
SERVED = ("resolved", "escalated", "closed")
ESCALATED = ("escalated", "closed")
ENDED_UNSERVED = ("no_show", "cancelled", "expired")
IN_PLAY = ("waiting", "called", "serving")
COUNTS = ("tickets", "served", "escalated", "no_show", "cancelled", "expired", "in_play", "requeued", "requeues")

# When a ticket's LKPP number was first recorded, per ticket.
LKPP_NUMBER_SQL = "(SELECT MIN(e.at) FROM events e WHERE e.ticket_id = t.id AND e.type = 'lkpp_ticket')"
# Its escalation mail's first sent_at (none while never sent), and whether it had an escalation mail at all.
MAIL_SENT_SQL = "(SELECT MIN(m.sent_at) FROM mails m WHERE m.ticket_id = t.id AND m.kind = 'escalation')"
HAS_MAIL_SQL = "EXISTS (SELECT 1 FROM mails m WHERE m.ticket_id = t.id AND m.kind = 'escalation')"
# When its copy of the form first came out of a counter printer, from the print jobs themselves (not the
# ticket's copy_printed_at, which the store keeps: the two must agree).
COPY_PRINTED_SQL = (
    "(SELECT MIN(p.printed_at) FROM print_jobs p WHERE p.ticket_id = t.id AND p.kind = 'form' AND p.status = 'printed')"
)
# Whether a copy was asked for on a counter printer and has not printed (failed, or waiting for it).
COPY_PENDING_SQL = (
    "EXISTS (SELECT 1 FROM print_jobs p WHERE p.ticket_id = t.id AND p.kind = 'form'"
    " AND p.status IN ('queued', 'retrying', 'failed'))"
)


def ticket_times(tx: Any, day_from: str, day_to: str) -> list[dict[str, Any]]:
    """Every ticket of the days with its timestamps, its escalation mail's sent_at, when its LKPP
    ticket number was first recorded, and whether it had an escalation mail: the pure path's rows."""
    return tx.rows(
        "SELECT t.id, t.day, t.service, t.transferred_from, t.officer, t.status, t.requeues, t.created_at,"
        " t.first_called_at, t.started_at, t.first_started_at, t.served_before_ms, t.finished_at,"
        f" {MAIL_SENT_SQL} AS mail_sent_at, {LKPP_NUMBER_SQL} AS lkpp_ticket_at, {HAS_MAIL_SQL} AS has_mail,"
        f" t.form_seconds, {COPY_PRINTED_SQL} AS copy_printed_at, {COPY_PENDING_SQL} AS copy_pending"
        " FROM tickets t WHERE t.day BETWEEN ? AND ? ORDER BY t.id",
        [day_from, day_to],
    )


def limits(sla: Any = None) -> dict[str, int]:
    """The standard of each measure that has one, in milliseconds: the SOP's minutes, or those configured."""
    minutes = SOP_MINUTES if sla is None else {m: getattr(sla, f"{m}_minutes") for m in SOP_MINUTES}
    return {m: v * 60 * 1000 for m, v in minutes.items()}


def week_of(day: str) -> str:
    """The ISO week of a day, "2026-W48": the week (Monday to Sunday) belongs to the year of its Thursday,
    and is counted from that year's first such week."""
    d = date.fromisoformat(day)
    thursday = d + timedelta(days=3 - d.weekday())
    return f"{thursday.year}-W{(thursday - date(thursday.year, 1, 1)).days // 7 + 1:02d}"


def no_sums(key: str) -> dict[str, Any]:
    """A group's sums before any ticket, key by key as the store's SQL answers them."""
    sums: dict[str, Any] = {"key": key}
    sums.update({c: 0 for c in COUNTS})
    for m in MEASURES:
        sums.update({f"{m}_n": 0, f"{m}_sum": 0, f"{m}_max": None})
        if m in SOP_MINUTES:
            sums[f"{m}_within"] = 0
    sums.update({"escalation_no_mail": 0, "copy_unprinted": 0})
    return sums


def _ms(start: str | None, end: str | None) -> int | None:
    if not start or not end:
        return None
    return round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() * 1000)


def partly_served(row: dict[str, Any]) -> bool:
    """Served before a transfer and never at the service it was sent to (no-show, cancelled, expired)."""
    return row.get("status") in ENDED_UNSERVED and (row.get("served_before_ms") or 0) > 0


def _served(row: dict[str, Any]) -> int | None:
    """The last stretch of service and the ones before its transfers; those alone for a ticket transferred
    and never served at the new service (no-show, cancelled, expired)."""
    last = _ms(row.get("started_at"), row.get("finished_at"))
    if last is None:
        return row["served_before_ms"] if partly_served(row) else None
    return last + (row.get("served_before_ms") or 0)


def forwarded_at(row: dict[str, Any]) -> str | None:
    """When an escalation reached LKPP: the mail's sent_at or the LKPP ticket number's recording, the earlier."""
    times = [t for t in (row.get("mail_sent_at"), row.get("lkpp_ticket_at")) if t]
    return min(times, key=datetime.fromisoformat) if times else None


def ticket_durations(row: dict[str, Any]) -> dict[str, int | None]:
    """A ticket row's six measures in milliseconds (None where a timestamp is missing)."""
    form = row.get("form_seconds")
    return {
        "form": None if form is None else form * 1000,
        "waiting": _ms(row.get("created_at"), row.get("first_called_at")),
        "response": _ms(row.get("first_called_at"), row.get("first_started_at") or row.get("started_at")),
        "service": _served(row),
        "escalation": _ms(row.get("finished_at"), forwarded_at(row)) if row.get("status") in ESCALATED else None,
        "copy": _ms(row.get("finished_at"), row.get("copy_printed_at")) if row.get("status") in SERVED else None,
    }


def add_ticket(sums: dict[str, Any], row: dict[str, Any], limits_ms: dict[str, int], count: bool = True) -> None:
    """Count one ticket row into a group's sums; without `count`, its service time alone."""
    durations = ticket_durations(row)
    if count:
        status = row["status"]
        sums["tickets"] += 1
        sums["served"] += status in SERVED
        sums["escalated"] += status in ESCALATED
        sums["no_show"] += status == "no_show"
        sums["cancelled"] += status == "cancelled"
        sums["expired"] += status == "expired"
        sums["in_play"] += status in IN_PLAY
        requeues = row.get("requeues") or 0
        sums["requeued"] += requeues > 0
        sums["requeues"] += requeues
        if status in ESCALATED and durations["escalation"] is None and not row.get("has_mail"):
            sums["escalation_no_mail"] += 1
        if status in SERVED and durations["copy"] is None and row.get("copy_pending"):
            sums["copy_unprinted"] += 1
    else:
        durations = {"service": durations["service"]}
    for m, ms in durations.items():
        if ms is None:
            continue
        sums[f"{m}_n"] += 1
        sums[f"{m}_sum"] += ms
        sums[f"{m}_max"] = ms if sums[f"{m}_max"] is None else max(sums[f"{m}_max"], ms)
        if m in limits_ms:
            sums[f"{m}_within"] += ms <= limits_ms[m]


def group_key(group: str) -> Callable[[dict[str, Any]], str]:
    """How a ticket row is keyed for a group: its local day, ISO week, month, officer or service."""
    return {
        "day": lambda r: r["day"],
        "week": lambda r: week_of(r["day"]),
        "month": lambda r: r["day"][:7],
        "officer": lambda r: r.get("officer") or "",
        "service": lambda r: r["service"],
    }[group]


def service_time_key(group: str, row: dict[str, Any]) -> str | None:
    """Per service, where a visitor transferred and never served at the new service has its service time:
    at the service it was served at, the one it was sent on from (docs/reports.md); None: with its ticket."""
    if group == "service" and partly_served(row) and row.get("transferred_from"):
        return row["transferred_from"]
    return None


def sums_by_group(rows: Iterable[dict[str, Any]], group: str, sla: Any = None) -> list[dict[str, Any]]:
    """The pure path: ticket rows (with timestamps and mail_sent_at) summed per group, in key order.
    `sla`: the configured standard times (None: the SOP's)."""
    limits_ms = limits(sla)
    keyed = group_key(group)
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = keyed(row)
        elsewhere = service_time_key(group, row)
        if elsewhere is None:
            add_ticket(groups.setdefault(key, no_sums(key)), row, limits_ms)
        else:
            add_ticket(groups.setdefault(key, no_sums(key)), {**row, "served_before_ms": 0}, limits_ms)
            add_ticket(groups.setdefault(elsewhere, no_sums(elsewhere)), row, limits_ms, count=False)
    return [groups[k] for k in sorted(groups)]
