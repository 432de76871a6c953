"""The unit of work: every command runs in one write transaction, then its events are published.

The transaction (BEGIN IMMEDIATE) also stores the command's events and, for a request_id, its
outcome; only after the commit are the events handed to `publish`. Commands answer an `Outcome`
(what happened and its body) or raise a refusal (server.errors); the HTTP layer picks statuses.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from server import core
from server.config import Settings
from server.core import Ticket
from server.errors import NotFound
from server.forms import parse_id
from server.service.shapes import counter_name, full_ticket, next_shape, public_ticket, rules_of
from server.store import Store, Tx
from server.store.tickets import QueueHead

Clock = Callable[[], datetime]
# Event types that can change how many wait per service (the others leave the counts as they were).
WAITING_CHANGES = frozenset(
    {
        "issued",
        "called",
        "skipped",
        "cancelled",
        "transferred",
        "queue_corrected",
        "expired",
        "settings_changed",
        "counter_released",
    }
)
# Event types that can change how many numbers a service with a daily quota has left today.
QUOTA_CHANGES = frozenset({"issued", "cancelled", "settings_changed"})


def utcnow() -> datetime:
    """The real clock (aware, UTC)."""
    return datetime.now(UTC)


class Kind(Enum):
    """What a command did."""

    DONE = "done"  # the change is made (or there was nothing to change)
    CREATED = "created"  # a new record: a ticket, an account
    QUEUED = "queued"  # work handed to a worker: a print job
    NOTHING = "nothing"  # nothing to act on: no ticket waiting for call-next


# How an outcome is kept in the requests table to be repeated for the same request_id. The codes are
# the ones stored before outcomes existed, so an answer stored then is repeated the same after an upgrade.
STORED = {Kind.DONE: 200, Kind.CREATED: 201, Kind.QUEUED: 202, Kind.NOTHING: 204}
KINDS = {code: kind for kind, code in STORED.items()}


@dataclass(frozen=True)
class Outcome:
    """A command's result: what it did and what it answers."""

    body: Any = None
    kind: Kind = Kind.DONE
    # What is kept for its request_id instead of the body, when not None: a reference that `run`'s
    # `replay` turns back into an answer. The survey keeps its ticket's id, not its 25 KB state.
    kept: Any = None


@dataclass
class Hooks:
    """What the app, the workers and the realtime layer plug into the service from outside."""

    # Hands committed events to Socket.IO (server.realtime), in commit order.
    publish: Callable[[list[dict[str, Any]]], None] = lambda events: None
    # The spoken announcement of a call (server.announce).
    announcer: Callable[[Ticket, int], dict[str, Any] | None] = lambda ticket, counter_id: None
    # Disconnects staff sockets whose session ended (server.realtime): called after a logout or an
    # account change, and once a second by the maintenance loop for the command line's.
    check_sessions: Callable[[], None] = lambda: None
    # Sends a message that is no change (no seq) to every staff page (server.realtime): the disk.
    tell_staff: Callable[[str, Any], None] = lambda name, data: None
    # Sends a message that is no change (no seq) to every TV display (server.realtime): the admin's sound
    # check. Returns how many displays are connected to hear it.
    tell_displays: Callable[[str, Any], int] = lambda name, data: 0
    # Which counter each open counter page of an officer shows (server.realtime): (user id, counter id,
    # or None when the page named none).
    counters_shown: Callable[[], set[tuple[int, int | None]]] = lambda: set()
    print_workers: dict[str, Any] = field(default_factory=dict)
    mail_worker: Any = None
    stopping: threading.Event = field(default_factory=threading.Event)
    closers: list[Callable[[], None]] = field(default_factory=list)  # run by stop(): child processes, files
    on_settings: list[Callable[[Settings], None]] = field(default_factory=list)  # told when settings change


class UnitOfWork:
    """The settings in force, the store, the clock, the hooks, and `run`: one command, one transaction."""

    def __init__(self, settings: Settings, store: Store, clock: Clock = utcnow, hooks: Hooks | None = None):
        self.settings = settings
        self.store = store
        self.clock = clock
        self.rules = rules_of(settings)
        self.hooks = hooks or Hooks()
        # Serialises commit-then-publish inside this process so that events leave in seq order.
        self.lock = threading.Lock()

    def run(
        self,
        request_key: str | None,
        fn: Callable[[Tx, datetime], Outcome],
        replay: Callable[[Tx, datetime, Any], Any] | None = None,
    ) -> Outcome:
        """Run one command in a write transaction, publish its events after the commit; repeat the
        outcome stored for a known request key instead (through `replay` when the command kept a
        reference, Outcome.kept, rather than its body)."""
        with self.lock:
            now = self.clock()
            with self.store.write() as tx:
                known = tx.request_answer(request_key)
                if known is not None:
                    body = known[1] if replay is None else replay(tx, now, known[1])
                    return Outcome(body, KINDS[known[0]])
                outcome = fn(tx, now)
                if tx.events:
                    self.decorate(tx, tx.events)
                kept = outcome.body if outcome.kept is None else outcome.kept
                tx.remember_answer(request_key, STORED[outcome.kind], kept, now)
                events = list(tx.events)
            if events:
                self.hooks.publish(events)
            return outcome

    def decorate(self, tx: Tx, events: list[dict[str, Any]]) -> None:
        """Attach the tickets (public and full) and, when the change moved them, the waiting counts, each
        counter's next call (`next`, for the staff) and the numbers left of each service with a daily quota."""
        settings = self.settings
        counts = left = nexts = None
        if any(ev["type"] in WAITING_CHANGES for ev in events):
            day = self.day()
            waiting = tx.waiting_counts(day)
            counts = {s.code: waiting.get(s.code, 0) for s in settings.services}
            # Each counter's next call after the change (staff only: the counter page marks it in its line),
            # from each (service, lane)'s first waiting ticket: two index lookups per service, whatever the
            # length of the day. Also what changes the order without changing the counts (a skip's requeue,
            # a transfer, a correction of the service or the lane) is in WAITING_CHANGES.
            heads = tx.queue_head_keys(day, [s.code for s in settings.services])
            nexts = {str(cid): next_shape(t) for cid, t in self.next_calls(heads).items()}
        quotas = [s for s in settings.services if s.daily_quota is not None]
        if quotas and any(ev["type"] in QUOTA_CHANGES for ev in events):
            issued = tx.issued_counts(self.day())
            left = {s.code: max(0, s.daily_quota - issued.get(s.prefix, 0)) for s in quotas}
        for ev in events:
            ev["waiting"] = counts
            if nexts is not None:
                ev["next"] = nexts
            if left is not None and ev["type"] in QUOTA_CHANGES:
                ev["left"] = left
            if ev["ticket_id"] is not None:
                ticket = tx.ticket(ev["ticket_id"])
                if ticket is not None:
                    ev["ticket"] = public_ticket(settings, ticket)
                    ev["ticket_full"] = full_ticket(settings, ticket, tx.form(ticket.id))
                    if ev["type"] in ("called", "recalled"):
                        ev["announce"] = self.hooks.announcer(ticket, ev["counter_id"])

    # -- what every part asks ---------------------------------------------------------
    def next_calls(self, waiting: Sequence[Ticket | QueueHead]) -> dict[int, Ticket | QueueHead | None]:
        """Each counter's next call (by id): the ticket its call-next would take now among `waiting` (today's
        waiting tickets, or at least each (service, lane)'s first: Tx.queue_heads, or their keys: queue_head_keys),
        by the core's calling order
        (core.next_for, as call-next picks); None when none of its services has anyone waiting. A ticket the
        counter holds that had all its calls is skipped first and requeued right behind that ticket
        (core.requeue_place), so it is the same one."""
        return {c.id: core.next_for(waiting, c.services) for c in self.settings.counters}

    def day(self, now: datetime | None = None) -> str:
        """Today's local date at the office."""
        return core.local_day(now or self.clock(), self.settings.office.tz)

    def counter_name(self, counter_id: int | None) -> str:
        """A counter's name from config ("" for none)."""
        return counter_name(self.settings, counter_id)

    def counter(self, counter_id: int):
        """A counter of the settings; NotFound when there is none with that id."""
        counter = self.settings.counter(counter_id)
        if counter is None:
            raise NotFound("counter_not_found")
        return counter

    def find_ticket(self, tx: Tx, ref: Any, now: datetime, any_day: bool = False) -> Ticket:
        """A ticket by label of today or token (or, `any_day`, id); NotFound when there is none."""
        if not isinstance(ref, str) or not ref or len(ref) > 64:
            raise NotFound("ticket_not_found")
        ticket = tx.ticket_by_label(self.day(now), ref.upper()) or tx.ticket_by_token(ref)
        ticket_id = parse_id(ref) if ticket is None and any_day else None
        if ticket_id is not None:
            ticket = tx.ticket(ticket_id)
        if ticket is None:
            raise NotFound("ticket_not_found")
        return ticket

    def classes(self) -> list[str]:
        """The priority classes' codes."""
        return [p.code for p in self.settings.priority_classes]
