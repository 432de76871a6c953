"""The queue core: a ticket's states, its transitions and the calling order.

Plain Python: no Flask, no SQL, and no clock it did not receive as an argument.
Every function takes a ticket and returns a changed copy (or raises a named
error of server/errors.py); the store persists what it returns.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from server.errors import CounterBusy, FormIncomplete, InvalidTransition, QueueError, too_long

WAITING = "waiting"
CALLED = "called"
SERVING = "serving"
RESOLVED = "resolved"
ESCALATED = "escalated"
CLOSED = "closed"
NO_SHOW = "no_show"
CANCELLED = "cancelled"
EXPIRED = "expired"

STATUSES = (WAITING, CALLED, SERVING, RESOLVED, ESCALATED, CLOSED, NO_SHOW, CANCELLED, EXPIRED)
ACTIVE = (CALLED, SERVING)  # statuses that hold a counter
# Served: the visitor was served and the consultation has an outcome (the recap's rows with the partly
# served below, the records that can be corrected, the figures' `served`). An escalated case is served here although
# it stays open until the LKPP helpdesk answers (closed).
SERVED = (RESOLVED, ESCALATED, CLOSED)
# Escalations: the served tickets sent to the LKPP helpdesk, answered (closed) or not yet (escalated).
ESCALATIONS = (ESCALATED, CLOSED)
# How a ticket ends without being served at its last service: after a transfer its first stretches were a
# consultation all the same (served_before_ms), which the recap lists and the service time measures.
UNSERVED_ENDS = (NO_SHOW, CANCELLED, EXPIRED)
# The recap's outcome filter for those rows: not a status (each ended as one of UNSERVED_ENDS at the new service).
PARTLY_SERVED = "transferred"


def partly_served(status: str, served_before_ms: int) -> bool:
    """Served before a transfer, and never at the service it was sent to."""
    return status in UNSERVED_ENDS and served_before_ms > 0


# The problem categories an officer may give an outcome (their names are the catalogue's
# `staff.category.*`: server/i18n/*.json, read where they are shown, e.g. server.reports.CATEGORY_NAMES).
CATEGORIES = ("pengaduan", "pertanyaan", "konsultasi")
# No office day before this one is real: this version of Antrian did not exist. A server PC whose clock says earlier
# (booted on a dead CMOS battery's date, 2000-01-01 or the BIOS's) is wrong even with no ticket to compare it with,
# as on the day of the install (docs/operations.md, "Jam PC server").
EARLIEST_DAY = "2026-01-01"


# One visitor, as a second registration and the counter's earlier visits tell it (server.forms.same_visitor):
# the same phone, stored normalised, or the same name at the same agency, compared folded.
def folded(text: str) -> str:
    """A name or an agency as compared for the same visitor: case, spaces, dots and commas aside."""
    return " ".join(re.sub(r"[.,]", " ", text).casefold().split())


def visitor_key(name: str | None, agency: str | None) -> str | None:
    """The folded name and agency of a form, kept with it (forms.visitor_key, m028) and looked up by index for
    the counter's earlier visits (Tx.earlier_visits); None when either folds to nothing. A change of `folded`
    needs a migration that computes every form's key again, as m028 did first."""
    name, agency = folded(name or ""), folded(agency or "")
    return f"{name}\n{agency}" if name and agency else None


# Which statuses each action starts from. Guards beyond the status (calls made,
# a solution given) are checked in the functions below.
ALLOWED_FROM: dict[str, frozenset[str]] = {
    "call": frozenset({WAITING}),
    "recall": frozenset({CALLED}),
    "skip": frozenset({CALLED}),
    "start": frozenset({CALLED}),
    "resolve": frozenset({SERVING}),
    "escalate": frozenset({SERVING}),
    "close": frozenset({ESCALATED}),
    "cancel": frozenset({WAITING, CALLED}),
    "transfer": frozenset({SERVING}),
    "expire": frozenset({WAITING, CALLED}),
    "return": frozenset({CALLED}),
}


@dataclass(frozen=True)
class Rules:
    """The queue settings the core needs."""

    max_calls: int = 3
    max_requeues: int = 1
    auto_recall_seconds: int = 0


@dataclass(frozen=True)
class Ticket:
    """One queue ticket and its consultation outcome (the form's identity part lives in the store)."""

    id: int | None
    day: str
    service: str
    number: int
    label: str
    token: str
    status: str
    priority: bool
    position: float
    created_at: datetime
    calls: int = 0
    requeues: int = 0  # every requeue of the ticket (the figures count them)
    counter_id: int | None = None
    first_called_at: datetime | None = None
    last_called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    closed_at: datetime | None = None
    category: str = ""
    priority_class: str = ""
    solution: str = ""
    officer: str = ""
    escalation_note: str = ""
    lkpp_ticket: str = ""
    lkpp_answer: str = ""
    transferred_from: str = ""
    # Why the officer sent it on, for the officer at the other service (the latest transfer's; each is in
    # its `transferred` event too): what was tried, what is left.
    transfer_note: str = ""
    # The lane it is called in: the priority lane (called first) or the other. A new ticket's lane is its
    # priority; a requeued one takes the lane of the ticket it follows (requeue_place).
    priority_lane: bool | None = None  # None: the ticket's priority
    queue_requeues: int = 0  # requeues in its current service's line: max_requeues counts these
    # Across a transfer: when its service first started (the response time ends there), and how long it
    # was served before the transfers (the service time is that and the last stretch, started_at on).
    first_started_at: datetime | None = None
    served_before_ms: int = 0
    # SOP steps 2-6 and 12, for the figures: how long the visitor took over the form at the kiosk, from
    # its start to the number (whole seconds, as the kiosk measured them; None: not measured, e.g. a
    # visitor registered by the front office), and when the visitor's copy of the form first printed.
    form_seconds: int | None = None
    copy_printed_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.priority_lane is None:
            object.__setattr__(self, "priority_lane", bool(self.priority))

    def replace(self, **changes: object) -> Ticket:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


def label_for(prefix: str, number: int) -> str:
    """The printed label: 'A-001'. Numbers past 999 keep their digits ('A-1000')."""
    return f"{prefix}-{number:03d}"


def local_day(now: datetime, tz: tzinfo) -> str:
    """The office's local date (YYYY-MM-DD) at the aware instant `now`."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(tz).date().isoformat()


def order_key(ticket: Ticket) -> tuple[int, float, int]:
    """Calling order: the priority lane (elderly, disabled, pregnant) first, then queue position (then id).

    Positions are unique per day (the store's UNIQUE (day, position)), so the id never decides between
    two tickets of one day.
    """
    return (0 if ticket.priority_lane else 1, ticket.position, ticket.id or 0)


def next_for(waiting: Iterable[Ticket], services: Iterable[str]) -> Ticket | None:
    """The ticket a counter serving `services` calls next, or None."""
    wanted = set(services)
    candidates = [t for t in waiting if t.status == WAITING and t.service in wanted]
    return min(candidates, key=order_key, default=None)


def _refused(ticket: Ticket, action: str, rules: Rules | None = None) -> str | None:
    """Which rule refuses `action` on this ticket: "status", and with `rules` "calls_exhausted" (a recall) or
    "calls_remaining" (a skip); None when none does. Without making the refusal (actions() asks seven times
    for every ticket an event carries to the staff)."""
    if ticket.status not in ALLOWED_FROM[action]:
        return "status"
    if rules is not None and action == "recall" and ticket.calls >= rules.max_calls:
        return "calls_exhausted"
    if rules is not None and action == "skip" and ticket.calls < rules.max_calls:
        return "calls_remaining"
    return None


def _refusal(ticket: Ticket, action: str, rules: Rules | None = None) -> InvalidTransition | None:
    """Why the rules refuse `action` on this ticket (its status, and with `rules` its calls), or None."""
    refused = _refused(ticket, action, rules)
    if refused is None:
        return None
    if refused == "status":
        return InvalidTransition(action=action, status=ticket.status, label=ticket.label)
    assert rules is not None
    if refused == "calls_exhausted":
        return InvalidTransition("calls_exhausted", label=ticket.label, max_calls=rules.max_calls)
    return InvalidTransition("calls_remaining", label=ticket.label, calls=ticket.calls, max_calls=rules.max_calls)


def _check(ticket: Ticket, action: str, rules: Rules | None = None) -> None:
    refusal = _refusal(ticket, action, rules)
    if refusal is not None:
        raise refusal


def call(ticket: Ticket, counter_id: int, now: datetime) -> Ticket:
    """First call of a waiting ticket to a counter."""
    _check(ticket, "call")
    return ticket.replace(
        status=CALLED,
        counter_id=counter_id,
        calls=1,
        first_called_at=ticket.first_called_at or now,
        last_called_at=now,
    )


def check_callable(ticket: Ticket, services: Iterable[str], day: str, where: object = "") -> None:
    """Refuse calling this ticket out of turn at a counter serving `services` on `day`: it must be waiting
    today in one of them. `where`: what the refusal adds after its status (the service names the counter
    that called it first, in both languages)."""
    if ticket.status != WAITING or ticket.day != day:
        raise InvalidTransition("ticket_not_waiting", label=ticket.label, status=ticket.status, where=where)
    if ticket.service not in set(services):
        raise InvalidTransition("service_not_at_counter", label=ticket.label, service=ticket.service)


def return_to_line(ticket: Ticket) -> Ticket:
    """The counter calling this ticket was freed without its officer (released by an admin or the front
    office, or by itself when the officer had no page open): the ticket waits again at its own place and
    in its own lane, as if it had not been called (calls back to 0, so it gets all its calls again; not a
    requeue, so max_requeues is untouched). Its first call time is kept for the figures."""
    _check(ticket, "return")
    return ticket.replace(status=WAITING, counter_id=None, calls=0)


def recall(ticket: Ticket, rules: Rules, now: datetime) -> Ticket:
    """Call the same ticket again; refused once it has had max_calls calls."""
    _check(ticket, "recall", rules)
    return ticket.replace(calls=ticket.calls + 1, last_called_at=now)


def between(low: float | None, high: float | None) -> float | None:
    """A queue position strictly between two neighbouring positions of a day (None: that end is open;
    1.0 beyond an open end). None when no float is left between them: the caller renumbers the day's
    positions (order kept) and asks again."""
    if low is None:
        return 1.0 if high is None else high - 1.0
    if high is None:
        return low + 1.0
    mid = (low + high) / 2.0
    return mid if low < mid < high else None


def requeue_place(skipped: Ticket, nxt: Ticket | None, after: float | None) -> tuple[bool, float] | None:
    """Where a skipped ticket waits again: (priority_lane, position) right behind `nxt`, the ticket that is
    next for the counter at that moment, in the calling order (SOP step 8: the helpdesk calls the next
    number; the skipped visitor is called again at the next turn).

    It follows `nxt` in its lane as well as in the line: a priority visitor requeued behind a plain next
    one waits in the plain lane (else priority would have them called again at once), and a visitor
    skipped while a priority visitor is next comes in the priority lane right after them (not behind the
    plain visitors that were waiting). The position lies between nxt's and `after`, the day's next position
    after nxt's of any ticket (waiting, called, served or gone), so no ticket stands between the two for
    any counter and no two tickets share a position.

    With nobody else waiting for the counter the ticket is its next itself: it keeps its lane and place.
    None: no room left between nxt and `after` (see between).
    """
    if nxt is None:
        return bool(skipped.priority_lane), skipped.position
    position = between(nxt.position, after)
    return None if position is None else (bool(nxt.priority_lane), position)


def skip(ticket: Ticket, rules: Rules, place: tuple[bool, float], now: datetime) -> Ticket:
    """Skip a ticket that had all its calls: requeue it at `place` (requeue_place), or no_show once it was
    requeued max_requeues times in its current service's line."""
    _check(ticket, "skip", rules)
    if ticket.queue_requeues >= rules.max_requeues:
        return ticket.replace(status=NO_SHOW, counter_id=None, finished_at=now)
    lane, position = place
    return ticket.replace(
        status=WAITING,
        counter_id=None,
        calls=0,
        requeues=ticket.requeues + 1,
        queue_requeues=ticket.queue_requeues + 1,
        priority_lane=lane,
        position=position,
    )


def start(ticket: Ticket, officer: str, now: datetime) -> Ticket:
    """The visitor has come to the counter: serving starts (the SOP's 30 minutes run from here)."""
    _check(ticket, "start")
    return ticket.replace(
        status=SERVING, started_at=now, officer=officer, first_started_at=ticket.first_started_at or now
    )


def _text(value: object, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _outcome_fields(category: object, priority_class: object, classes: Iterable[str]) -> dict[str, str]:
    bad: dict[str, str] = {}
    if category not in (None, "") and (not isinstance(category, str) or category not in CATEGORIES):
        bad["category"] = "category_invalid"
    allowed = set(classes)
    if priority_class not in (None, "") and (not isinstance(priority_class, str) or priority_class not in allowed):
        bad["priority_class"] = "priority_class_invalid"
    return bad


def resolve(
    ticket: Ticket,
    solution: object,
    officer: str,
    now: datetime,
    category: object = None,
    priority_class: object = None,
    classes: Iterable[str] = (),
) -> Ticket:
    """SOP step 10: the solution is written down; a solution is required."""
    _check(ticket, "resolve")
    bad = _outcome_fields(category, priority_class, classes)
    if not isinstance(solution, str) or not solution.strip():
        bad["solution"] = "required"
    elif len(solution.strip()) > 4000:
        bad["solution"] = too_long(4000, len(solution.strip()))
    if bad:
        raise FormIncomplete(bad)
    return ticket.replace(
        status=RESOLVED,
        solution=solution.strip(),
        officer=officer or ticket.officer,
        finished_at=now,
        category=category or ticket.category,
        priority_class=priority_class or ticket.priority_class,
    )


def escalate(
    ticket: Ticket,
    note: object,
    officer: str,
    now: datetime,
    category: object = None,
    priority_class: object = None,
    classes: Iterable[str] = (),
) -> Ticket:
    """SOP step 11: no solution here; the case goes to the LKPP helpdesk with the officer's analysis."""
    _check(ticket, "escalate")
    bad = _outcome_fields(category, priority_class, classes)
    if not isinstance(note, str) or not note.strip():
        bad["note"] = "required"
    elif len(note.strip()) > NOTE_MAX:
        bad["note"] = too_long(NOTE_MAX, len(note.strip()))
    if bad:
        raise FormIncomplete(bad)
    return ticket.replace(
        status=ESCALATED,
        escalation_note=note.strip(),
        officer=officer or ticket.officer,
        finished_at=now,
        category=category or ticket.category,
        priority_class=priority_class or ticket.priority_class,
    )


def close_escalation(ticket: Ticket, answer: object, lkpp_ticket: object, now: datetime) -> Ticket:
    """The LKPP helpdesk answered: record the answer (and its TTS ticket number); the case is closed."""
    _check(ticket, "close")
    bad: dict[str, str] = {}
    if not isinstance(answer, str) or not answer.strip():
        bad["answer"] = "required"
    elif len(answer.strip()) > 4000:  # said, not cut: the officer keeps the whole text and shortens it
        bad["answer"] = too_long(4000, len(answer.strip()))
    if lkpp_ticket is not None and not isinstance(lkpp_ticket, str):
        bad["lkpp_ticket"] = "invalid"
    elif lkpp_ticket is not None and len(lkpp_ticket.strip()) > 100:
        bad["lkpp_ticket"] = too_long(100, len(lkpp_ticket.strip()))
    if bad:
        raise FormIncomplete(bad)
    return ticket.replace(
        status=CLOSED,
        lkpp_answer=answer.strip(),
        lkpp_ticket=_text(lkpp_ticket, 100) or ticket.lkpp_ticket,
        closed_at=now,
    )


def reopen_escalation(ticket: Ticket) -> Ticket:
    """A case closed by mistake (LKPP's answer recorded on the wrong card, or with the wrong LKPP number) is open
    again: escalated, waiting for LKPP's answer, as it was before the close. Its LKPP number stays (Simpan nomor
    replaces it); the answer is cleared from the record, and the caller keeps it in the event log (`reopened`,
    who, when, the old answer), as a correction keeps the old version. QueueError case_not_closed for a case
    that is not closed (still open, or not an escalation at all)."""
    if ticket.status != CLOSED:
        raise QueueError("case_not_closed", label=ticket.label, status=ticket.status)
    return ticket.replace(status=ESCALATED, lkpp_answer="", closed_at=None)


def record_lkpp_ticket(ticket: Ticket, number: object) -> Ticket:
    """Note the LKPP helpdesk's ticket number on an escalated case (it stays open until answered)."""
    if ticket.status != ESCALATED:
        raise InvalidTransition(action="lkpp_ticket", status=ticket.status, label=ticket.label)
    if not isinstance(number, str) or not number.strip():
        raise FormIncomplete({"lkpp_ticket": "required"})
    if len(number.strip()) > 100:
        raise FormIncomplete({"lkpp_ticket": too_long(100, len(number.strip()))})
    return ticket.replace(lkpp_ticket=number.strip())


def lkpp_ticket_conflict(ticket: Ticket, typed: object, base: object) -> bool:
    """Would recording the LKPP number `typed` replace, unseen, another one recorded meanwhile (by a colleague,
    from a page that did not show it)? `base` is the number the page showed when the officer typed ("" for
    none; None: not said, an API client). A different number replaces the one recorded only when `base` says
    it was seen; the same number, or a case without one, is never a conflict. FormIncomplete for a `base`
    that is not text of up to 100 characters."""
    if base is not None and (not isinstance(base, str) or len(base.strip()) > 100):
        raise FormIncomplete({"lkpp_ticket_base": "invalid"})
    number = typed.strip() if isinstance(typed, str) else ""
    current = ticket.lkpp_ticket
    if not current or not number or number == current:
        return False
    return base is None or base.strip() != current


CORRECTABLE = ("solution", "escalation_note", "category", "priority_class")


def correction_base(base: object) -> dict[str, str] | None:
    """A correction's `base`, the record as the page showed it when the officer typed: {field: value} of
    CORRECTABLE fields, each text of up to 4,000 characters; None when not said (an API client of before).
    FormIncomplete {"base": "invalid"} for anything else."""
    if base is None:
        return None
    if not isinstance(base, dict) or not all(
        k in CORRECTABLE and isinstance(v, str) and len(v) <= 4000 for k, v in base.items()
    ):
        raise FormIncomplete({"base": "invalid"})
    return {k: v.strip() for k, v in base.items()}


def correction_stale(ticket: Ticket, base: dict[str, str] | None) -> list[str]:
    """The fields of `base` (correction_base) the record no longer has as the page showed them: changed since by
    another correction (a colleague's, another tab's). Empty when `base` is None or the record is as shown."""
    if not base:
        return []
    return [f for f in CORRECTABLE if f in base and base[f] != (getattr(ticket, f) or "")]


def correct(ticket: Ticket, changes: object, classes: Iterable[str] = ()) -> tuple[Ticket, dict[str, dict[str, str]]]:
    """A correction of a finished record: the new version and, per field, the old and new values.

    The record is never edited silently: the caller logs the returned differences (who, when,
    old, new) in the event log, so every earlier version can be read back.
    """
    if ticket.status not in SERVED:
        raise InvalidTransition(action="correct", status=ticket.status, label=ticket.label)
    if not isinstance(changes, dict):
        raise FormIncomplete({"_": "not_object"})
    bad = _outcome_fields(changes.get("category"), changes.get("priority_class"), classes)
    diff: dict[str, dict[str, str]] = {}
    values: dict[str, str] = {}
    for field in CORRECTABLE:
        if field not in changes or field in bad:
            continue
        value = changes[field]
        if not isinstance(value, str):
            bad[field] = "not_text"
            continue
        value = value.strip()
        if field == "solution" and ticket.status == RESOLVED and not value:
            bad[field] = "required"
        elif len(value) > 4000:
            bad[field] = too_long(4000, len(value))
        elif value != getattr(ticket, field):
            diff[field] = {"old": getattr(ticket, field), "new": value}
            values[field] = value
    if bad:
        raise FormIncomplete(bad)
    if not diff:
        raise FormIncomplete({"_": "nothing_changed"})
    return ticket.replace(**values), diff


def cancel(ticket: Ticket, now: datetime) -> Ticket:
    """Front office cancels a ticket that has not been served."""
    _check(ticket, "cancel")
    return ticket.replace(status=CANCELLED, counter_id=None, finished_at=now)


def correct_queue(ticket: Ticket, service: str, priority: bool) -> Ticket:
    """The front office fixes what was chosen wrong when the number was taken: its service (the visitor
    picked another at the kiosk) or the priority tick (elderly, disabled, pregnant, forgotten). Only a
    ticket waiting and never called: once a counter called it, its line is the counter's (a transfer).

    Unlike a transfer (a visitor already served, put ahead of the other line), the ticket keeps its
    position, the day's order of arrival: in the other service's line it stands where it would have had
    it been issued there, behind those who came before it and ahead of those who came after. Its label
    stays (the visitor's slip and phone keep their number, as after a transfer), and its lane is its
    priority, as a new ticket's."""
    if ticket.status != WAITING or ticket.first_called_at is not None:
        raise InvalidTransition("queue_fields_locked", label=ticket.label, status=ticket.status)
    return ticket.replace(service=service, priority=priority, priority_lane=priority)


NOTE_MAX = 4000  # an officer's escalation analysis or transfer note, in characters


def transfer(ticket: Ticket, to_service: str, position: float, now: datetime, note: object = None) -> Ticket:
    """Send a ticket being served to another service, at `position` (transfer_position): a new turn there.

    The visitor came and was served, so the new line starts them afresh: no calls, no requeues counted
    against max_requeues there (the figures' `requeues` keeps every one), the lane of their priority.
    `note`: optional, what the officer tells the one at the other service (None or blank: none).
    """
    _check(ticket, "transfer")
    if to_service == ticket.service:
        raise InvalidTransition("transfer_same_service", label=ticket.label)
    if note is not None and not isinstance(note, str):
        raise FormIncomplete({"note": "not_text"})
    if note is not None and len(note.strip()) > NOTE_MAX:
        raise FormIncomplete({"note": too_long(NOTE_MAX, len(note.strip()))})
    served = round((now - ticket.started_at).total_seconds() * 1000) if ticket.started_at else 0
    return ticket.replace(
        served_before_ms=ticket.served_before_ms + max(0, served),
        status=WAITING,
        service=to_service,
        counter_id=None,
        calls=0,
        queue_requeues=0,
        priority_lane=ticket.priority,
        position=position,
        started_at=None,
        transferred_from=ticket.service,
        transfer_note=(note or "").strip(),
    )


def transfer_position(
    head: float | None,
    before: float | None,
    first: float | None,
    transferred: float | None = None,
    after: float | None = None,
) -> float | None:
    """Where a transferred ticket waits: ahead of the other service's line (priority still first), behind
    the visitors transferred there before it who still wait at its front in the ticket's lane, in the
    order they were sent: the first one sent over has waited longest.

    `transferred`: the last of those visitors' position (Tx.transferred_ahead), `after`: the day's
    position just after it; the ticket goes right behind them. Without any (`transferred` None), `head`:
    the smallest position among that service's waiting tickets (either lane), `before`: the day's
    position just before it; the ticket goes right in front of `head`. With nobody waiting there (`head`
    None) it goes in front of `first`, the day's first position. None: no room (see between).
    """
    if transferred is not None:
        return between(transferred, after)
    if head is None:
        return between(None, first)
    return between(before, head)


def expire(ticket: Ticket, now: datetime) -> Ticket:
    """End of the office day: a ticket still waiting or called expires."""
    _check(ticket, "expire")
    return ticket.replace(status=EXPIRED, counter_id=None, finished_at=now)


def needs_skip(ticket: Ticket | None, rules: Rules) -> bool:
    """True when the counter's ticket has had all its calls (call-next will skip it)."""
    return ticket is not None and ticket.status == CALLED and ticket.calls >= rules.max_calls


def check_counter_free(current: Ticket | None, rules: Rules) -> None:
    """Refuse call-next while the counter holds a ticket that is not ready to be skipped."""
    if current is None or needs_skip(current, rules):
        return
    if current.status == SERVING:
        raise CounterBusy("counter_serving", label=current.label)
    raise CounterBusy("counter_calling", label=current.label, calls=current.calls, max_calls=rules.max_calls)


def auto_recall_due(ticket: Ticket, rules: Rules, now: datetime) -> str | None:
    """With auto_recall_seconds set: 'recall' or 'skip' when a called ticket's timer ran out, else None.

    Derived from the stored last_called_at, so a restart keeps the timers. A call further ahead of `now` than the
    timer itself was made before the server PC's clock was stepped back (NTP correcting a clock that ran fast): its
    timer is taken as run out, and the recall made now starts the next on the clock as it is; it had waited for the
    clock to catch up, an hour's step an hour's wait (docs/operations.md, "Jam PC server").
    """
    if rules.auto_recall_seconds <= 0 or ticket.status != CALLED or ticket.last_called_at is None:
        return None
    elapsed = (now - ticket.last_called_at).total_seconds()
    if -rules.auto_recall_seconds <= elapsed < rules.auto_recall_seconds:
        return None
    return "skip" if ticket.calls >= rules.max_calls else "recall"


# The officer's actions on the ticket their counter holds (the API's counter actions but pause and resume,
# which are the counter's), in the order of the API's COUNTER_ACTIONS.
HELD_ACTIONS = ("recall", "skip", "start", "resolve", "escalate", "transfer")
TICKET_ACTIONS = ("call-next", "call", *HELD_ACTIONS)


def actions(ticket: Ticket, rules: Rules) -> list[str]:
    """The counter actions the rules allow now on this ticket (the staff views' `actions`), so that pages
    need not repeat the rules:

    - a waiting ticket: `call` (out of turn, by a counter serving its service);
    - the ticket a counter holds: what that counter may do with it (recall, skip, start, resolve, escalate,
      transfer), and `call-next` and `call` once it had all its calls (calling skips it first);
    - any other ticket: none.

    Whether the counter is paused (no calls) is the counter's, not the ticket's: it is not part of this.
    Resolve and escalate still need their form (a solution, a note).
    """
    out: list[str] = []
    if ticket.status in ACTIVE:
        if needs_skip(ticket, rules):  # check_counter_free lets the counter call (without raising its refusal)
            out += ["call-next", "call"]
    elif _refused(ticket, "call") is None:
        out.append("call")
    out += [a for a in HELD_ACTIONS if _refused(ticket, a, rules) is None]
    return out
