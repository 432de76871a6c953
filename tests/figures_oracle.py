"""The figures' pure path, for the tests: ticket rows with their timestamps summed per group in Python,
the oracle that Tx.figure_sums (the same sums in SQL over the stored durations, server/figures.py) is
checked against. Rounds as migrations.duration_ms does."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from server.config import SlaSettings
from server.core import UNSERVED_ENDS
from server.figures import empty_sums, iso_week, limits_ms
from server.store.reports import MAIL_SQL

SERVED = ("resolved", "escalated", "closed")
ESCALATED = ("escalated", "closed")
# When a ticket's LKPP number was first recorded, per ticket.
LKPP_NUMBER_SQL = "(SELECT MIN(e.at) FROM events e WHERE e.ticket_id = t.id AND e.type = 'lkpp_ticket')"
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
        "SELECT t.id, t.day, t.service, t.officer, t.status, t.requeues, t.created_at, t.first_called_at,"
        f" t.started_at, t.first_started_at, t.served_before_ms, t.finished_at, NULLIF({MAIL_SQL}, '~') AS mail_sent_at,"
        f" {LKPP_NUMBER_SQL} AS lkpp_ticket_at, {MAIL_SQL} IS NOT NULL AS has_mail, t.form_seconds,"
        f" {COPY_PRINTED_SQL} AS copy_printed_at, {COPY_PENDING_SQL} AS copy_pending"
        " FROM tickets t WHERE t.day BETWEEN ? AND ? ORDER BY t.id",
        [day_from, day_to],
    )


def _ms(start: str | None, end: str | None) -> int | None:
    if not start or not end:
        return None
    return round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() * 1000)


def _served(row: dict[str, Any]) -> int | None:
    """The last stretch of service and the ones before its transfers; those alone for a ticket transferred
    and never served at the new service (no-show, cancelled, expired)."""
    last = _ms(row.get("started_at"), row.get("finished_at"))
    before = row.get("served_before_ms") or 0
    if last is None:
        return before if before and row.get("status") in UNSERVED_ENDS else None
    return last + before


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


def add_ticket(sums: dict[str, Any], row: dict[str, Any], limits: dict[str, int]) -> None:
    """Count one ticket row into a group's sums."""
    sums["tickets"] += 1
    sums["served"] += row["status"] in SERVED
    sums["escalated"] += row["status"] in ESCALATED
    sums["no_show"] += row["status"] == "no_show"
    sums["cancelled"] += row["status"] == "cancelled"
    sums["expired"] += row["status"] == "expired"
    sums["in_play"] += row["status"] in ("waiting", "called", "serving")
    requeues = row.get("requeues") or 0
    sums["requeued"] += requeues > 0
    sums["requeues"] += requeues
    durations = ticket_durations(row)
    if row["status"] in ESCALATED and durations["escalation"] is None and not row.get("has_mail"):
        sums["escalation_no_mail"] += 1
    if row["status"] in SERVED and durations["copy"] is None and row.get("copy_pending"):
        sums["copy_unprinted"] += 1
    for m, ms in durations.items():
        if ms is None:
            continue
        sums[f"{m}_n"] += 1
        sums[f"{m}_sum"] += ms
        sums[f"{m}_max"] = ms if sums[f"{m}_max"] is None else max(sums[f"{m}_max"], ms)
        if m in limits:
            sums[f"{m}_within"] += ms <= limits[m]


def group_key(group: str) -> Callable[[dict[str, Any]], str]:
    """How a ticket row is keyed for a group: its local day, ISO week, month, officer or service."""
    return {
        "day": lambda r: r["day"],
        "week": lambda r: iso_week(r["day"]),
        "month": lambda r: r["day"][:7],
        "officer": lambda r: r.get("officer") or "",
        "service": lambda r: r["service"],
    }[group]


def sums_by_group(rows: Iterable[dict[str, Any]], group: str, sla: SlaSettings) -> list[dict[str, Any]]:
    """The pure path: ticket rows (with timestamps and mail_sent_at) summed per group, in key order."""
    limits = limits_ms(sla)
    keyed = group_key(group)
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = keyed(row)
        add_ticket(groups.setdefault(key, empty_sums(key)), row, limits)
    return [groups[k] for k in sorted(groups)]
