"""What answers and events carry of a ticket: the public part (displays, phones) and the full one (officers)."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from server.config import Settings
from server.core import Rules, Ticket, actions

TICKET_FIELDS = tuple(f.name for f in fields(Ticket))


def iso(value: datetime | None) -> str | None:
    """An aware time as ISO 8601 in UTC (None stays None)."""
    return value.astimezone(UTC).isoformat() if value else None


def counter_name(settings: Settings, counter_id: int | None) -> str:
    """A counter's name from config ("" for none)."""
    c = settings.counter(counter_id) if counter_id is not None else None
    return c.name if c else ""


def full_name(account: dict[str, Any] | None) -> str | None:
    """An account's full name as a person reads who did something ("Budi Santoso, S.Kom."), None when it has
    none (the caller shows the login name then)."""
    return ((account or {}).get("full_name") or "").strip() or None


def names_of(users: list[dict[str, Any]]) -> dict[str, str]:
    """Login name -> full name, for the accounts that have one."""
    return {u["username"]: name for u in users if (name := full_name(u))}


def rules_of(settings: Settings) -> Rules:
    """The queue rules the core needs, from the settings."""
    return Rules(
        max_calls=settings.queue.max_calls,
        max_requeues=settings.queue.max_requeues,
        auto_recall_seconds=settings.queue.auto_recall_seconds,
    )


def public_ticket(settings: Settings, t: Ticket) -> dict[str, Any]:
    """What displays and phones may see of a ticket: no name, phone, address or problem."""
    return {
        "label": t.label,
        "service": t.service,
        "status": t.status,
        "calls": t.calls,
        "counter_id": t.counter_id,
        "counter_name": counter_name(settings, t.counter_id),
        "priority": t.priority,
        "day": t.day,
        "last_chance": last_chance(settings, t),
    }


def last_chance(settings: Settings, t: Ticket) -> bool:
    """Skipped and requeued as often as it may be (its current line): one more skip is a no-show. The TV marks its
    calls "Kesempatan terakhir" and says it before them (server.tts.recall_words), the phone says it
    (docs/display.md, docs/kiosk.md)."""
    return t.queue_requeues >= settings.queue.max_requeues


def full_ticket(settings: Settings, t: Ticket, form: dict[str, str]) -> dict[str, Any]:
    """Everything about a ticket, for officers, and the counter actions the core allows on it now."""
    data = {k: getattr(t, k) for k in TICKET_FIELDS}  # flat fields: no deep copy as asdict() makes
    for k, v in data.items():
        if isinstance(v, datetime):
            data[k] = iso(v)
    data["counter_name"] = counter_name(settings, t.counter_id)
    data["form"] = dict(form)
    rules = rules_of(settings)
    data["actions"] = actions(t, rules)
    data["skip_final"] = t.queue_requeues >= rules.max_requeues  # its next skip is a no-show, not a requeue
    return data


def next_shape(t: Ticket | None) -> dict[str, Any] | None:
    """A counter's next call as the staff snapshot and events name it (Unit.next_calls): which ticket."""
    return {"id": t.id, "label": t.label, "service": t.service} if t else None
