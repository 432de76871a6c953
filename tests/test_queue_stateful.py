"""The whole queue against a small model of the SOP's rules, with Hypothesis' stateful testing.

Hypothesis runs random days at the office: visitors take numbers for several services (some of
them priority visitors), three counters with different services call, recall, skip, serve,
resolve, escalate and transfer, the front office cancels, the clock runs (automatic recall) and
passes the office's midnight, and the end-of-day expiry runs. After every step the system must
agree with `Model`, a plain list-based reading of the SOP and the README written for this test
(it shares no code with server/core.py):

- every ticket ever issued is there once, in exactly the state the model says;
- labels are unique per day and numbered 1, 2, 3 … per service, again from 1 after midnight;
- a counter holds at most one ticket, and a ticket at most one counter;
- call-next calls the visitor the model calls: the priority lane first, then queue order;
- a ticket called max_calls times and skipped goes back right behind the ticket that is next for
  that counter at that moment, in calling order (SOP step 8: the helpdesk calls the next number and
  the skipped visitor is "called again at the next turn"): in that ticket's lane, whatever its own
  priority; after max_requeues skips in one service's line it is a no-show instead, and a transfer
  to another service starts a new turn there;
- no two tickets of a day share a queue position;
- a ticket of an earlier day still waiting or called is expired by the end-of-day expiry.

The same machine drives two systems: `CoreDriver` calls server/core.py over tickets kept in a
dict (fast, so many examples), `ServiceDriver` runs QueueService on a real SQLite file with a
settable clock (slower, fewer examples). Both are derandomized so CI always runs the same days.

Short tests at the end replay what earlier runs of these machines found (the SOP's words against
the code), each decided for the SOP.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import Clock, visitor, write_config
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from server import core
from server.config import load_settings
from server.core import Rules, Ticket
from server.errors import AntrianError, NotFound, QueueError
from server.service import Kind, QueueService
from server.store import Store, ticket_from_row

# The demo office of config.toml: three services, three counters with different service sets.
PREFIXES = {"A": "A", "B": "B", "C": "C"}
COUNTERS = {1: ("A", "C"), 2: ("A", "B"), 3: ("B", "C")}
UTC_OFFSET_HOURS = {"Asia/Jakarta": 7, "Asia/Makassar": 8, "Asia/Jayapura": 9}  # WIB, WITA, WIT: no DST
OPENING = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # 09:00 WIB
ACTIVE = ("called", "serving")


# -- the model ------------------------------------------------------------------------------------
@dataclass(eq=False)
class Visitor:
    """One ticket as the model sees it."""

    id: int  # the system's id for it, to compare the two
    day: str
    service: str  # the service it waits for now (a transfer changes it, not its label)
    label: str
    priority: bool  # elderly, disabled, pregnant: what the display shows and the records keep
    placed: int  # when it took its current place in the line
    lane: bool = False  # called in the priority lane: its priority, or the lane of the ticket it was requeued behind
    placed_by_issue: bool = True  # that place was the end of the line, when its number was given
    transferred: bool = False  # that place was a transfer's (not a requeue's since): later transfers go behind it
    status: str = "waiting"
    calls: int = 0
    requeues: int = 0  # every requeue
    queue_requeues: int = 0  # requeues in its current service's line (max_requeues counts these)
    counter: int | None = None
    last_called: datetime | None = None


class Model:
    """The SOP's queue as lists: per day, the waiting visitors in queue order.

    Priority is not a place in the line but a lane: a counter calls the first visitor of its services
    in the line that is in the priority lane, else the first visitor of its services. A visitor is in
    the priority lane when they are a priority visitor, until a skip requeues them: then they are in
    the lane of the visitor they follow (so that they are called right after that one, not before
    and not after others). Two places the documents leave open (where a
    skipped ticket goes when nobody else waits for its counter, and where exactly among the other
    services a transferred ticket goes) are read from the system (`system.behind`), and only the
    documented part is checked: it keeps its place ahead of everyone who took a number later, and a
    transfer goes ahead of the other service's line, behind the visitors transferred there before it who still wait
    at its front in its lane.
    """

    def __init__(self, max_calls: int, max_requeues: int, auto_recall_seconds: int, offset_hours: int):
        self.max_calls = max_calls
        self.max_requeues = max_requeues
        self.auto_recall_seconds = auto_recall_seconds
        self.offset = timedelta(hours=offset_hours)
        self.now = OPENING
        self.visitors: list[Visitor] = []  # in the order their numbers were given
        self.lines: dict[str, list[Visitor]] = {}
        self.numbers: dict[tuple[str, str], int] = {}
        self.placements = itertools.count(1)

    def today(self) -> str:
        return (self.now + self.offset).date().isoformat()

    def next_midnight(self) -> datetime:
        """The next 00:00 at the office, as a UTC instant."""
        local = self.now + self.offset
        midnight = datetime(local.year, local.month, local.day, tzinfo=UTC) + timedelta(days=1)
        return midnight - self.offset

    def at(self, counter: int) -> Visitor | None:
        held = [v for v in self.visitors if v.counter == counter and v.status in ACTIVE]
        assert len(held) <= 1
        return held[0] if held else None

    def next_for(self, counter: int, day: str) -> Visitor | None:
        mine = [v for v in self.lines.get(day, []) if v.service in COUNTERS[counter]]
        return next((v for v in mine if v.lane), mine[0] if mine else None)

    def by_label(self, label: str) -> Visitor | None:
        return next((v for v in self.visitors if v.day == self.today() and v.label == label), None)

    # what the rules refuse, as the code names it
    def refusal(self, action: str, counter: int, to: str | None = None) -> str | None:
        v = self.at(counter)
        if action == "call-next":
            if v is None:
                return None
            if v.status == "serving":
                return "counter_serving"
            return "counter_calling" if v.calls < self.max_calls else None
        if v is None:
            return "no_ticket"
        wanted = "serving" if action in ("resolve", "escalate", "transfer") else "called"
        if v.status != wanted:
            return "invalid_transition"
        if action == "recall" and v.calls >= self.max_calls:
            return "calls_exhausted"
        if action == "skip" and v.calls < self.max_calls:
            return "calls_remaining"
        if action == "transfer" and to == v.service:
            return "transfer_same_service"
        return None

    # the changes
    def issue(self, service: str, priority: bool, id_: int) -> Visitor:
        day = self.today()
        number = self.numbers[day, service] = self.numbers.get((day, service), 0) + 1
        v = Visitor(
            id_, day, service, f"{PREFIXES[service]}-{number:03d}", priority, next(self.placements), lane=priority
        )
        self.visitors.append(v)
        self.lines.setdefault(day, []).append(v)
        return v

    def call(self, v: Visitor, counter: int) -> None:
        self.lines[v.day].remove(v)
        v.status, v.counter, v.calls, v.last_called = "called", counter, 1, self.now

    def call_next(self, counter: int, system) -> tuple[Visitor | None, Visitor | None]:
        skipped = self.at(counter)
        if skipped is not None:  # all its calls made (else refused): skip it first, as the SOP says
            self.skip(skipped, counter, system)
        nxt = self.next_for(counter, self.today())
        if nxt is not None:
            self.call(nxt, counter)
        return nxt, skipped

    def recall(self, v: Visitor) -> None:
        v.calls += 1
        v.last_called = self.now

    def skip(self, v: Visitor, counter: int, system) -> None:
        """SOP step 8: back in the line right behind the ticket next for this counter, in its lane; or a no-show."""
        v.counter = None
        if v.queue_requeues >= self.max_requeues:
            v.status = "no_show"
            event("skip: no-show")
            return
        v.status, v.calls, v.requeues, v.queue_requeues = "waiting", 0, v.requeues + 1, v.queue_requeues + 1
        v.transferred = False
        line = self.lines[v.day]
        nxt = self.next_for(counter, v.day)
        if nxt is not None:
            line.insert(line.index(nxt) + 1, v)
            if v.lane != nxt.lane:
                event(f"skip: {'priority' if v.lane else 'plain'} lane to the next's")
            v.lane = nxt.lane
            v.placed, v.placed_by_issue = next(self.placements), False
            event(f"skip: requeued behind the next ({'priority' if nxt.priority else 'plain'})")
            return
        # Nobody else waits for this counter: the visitor is its next anyway and keeps their place and lane.
        event("skip: requeued, nobody else waiting for the counter")
        self._place(v, system)
        later = [w for w in line if w.placed_by_issue and w.placed > v.placed]
        assert all(line.index(v) < line.index(w) for w in later), f"{v.label} lost its place"

    def transfer(self, v: Visitor, to: str, system) -> None:
        """Serving -> waiting in another service, ahead of that service's line (priority still first), behind
        the visitors transferred there before who still wait at its front in the same lane (in the order sent).

        A new turn there: no calls, no requeues counted against max_requeues, the lane of their priority.
        """
        if v.queue_requeues:
            event("transfer: after a requeue")
        line = self.lines.setdefault(v.day, [])
        ahead = []  # the visitors transferred there before, still at the front of its line in this lane
        for w in (w for w in line if w.service == to and w.lane == v.priority):
            if not w.transferred:
                break
            ahead.append(w)
        if ahead:
            event("transfer: behind an earlier transfer")
        v.status, v.service, v.counter, v.calls = "waiting", to, None, 0
        v.queue_requeues, v.lane = 0, v.priority
        v.placed, v.placed_by_issue, v.transferred = next(self.placements), False, True
        self._place(v, system)
        line = self.lines[v.day]
        assert all(line.index(w) < line.index(v) for w in ahead), f"{v.label} is ahead of an earlier transfer"
        others = [
            w for w in line if w.service == to and w is not v and w not in ahead and (w.lane == v.lane or not ahead)
        ]
        assert all(line.index(v) < line.index(w) for w in others), f"{v.label} is not ahead of service {to}'s line"

    def _place(self, v: Visitor, system) -> None:
        """Put `v` into its day's line where the system put it (before the first of its successors there)."""
        line = self.lines.setdefault(v.day, [])
        after = system.behind(v)
        if after is None:  # called again at once (call-next after a skip): its place no longer matters
            line.insert(0, v)
            return
        before = next((w for i in after for w in line if w.id == i), None)
        line.insert(line.index(before) if before else len(line), v)

    def finish(self, v: Visitor, status: str) -> None:
        if v.status == "waiting":
            self.lines[v.day].remove(v)
        v.status = status
        if status not in ("resolved", "escalated"):  # the record keeps the counter that served it
            v.counter = None

    def stale(self) -> list[Visitor]:
        return [v for v in self.visitors if v.day < self.today() and v.status in ("waiting", "called")]

    def expire(self) -> int:
        """End of the office day: what is still waiting or called from an earlier day expires."""
        stale = self.stale()
        for v in stale:
            self.finish(v, "expired")
        return len(stale)

    def called_for(self, seconds: int) -> list[Visitor]:
        """Called tickets whose last call is at least `seconds` old."""
        return [
            v for v in self.visitors if v.status == "called" and (self.now - v.last_called).total_seconds() >= seconds
        ]

    def auto_recall(self, system) -> int:
        """A called ticket whose last call is auto_recall_seconds old is called again, or skipped."""
        due = self.called_for(self.auto_recall_seconds) if self.auto_recall_seconds > 0 else []
        for v in due:
            if v.calls < self.max_calls:
                self.recall(v)
            else:
                self.skip(v, v.counter, system)
        return len(due)


# -- the systems under test -----------------------------------------------------------------------
class CoreDriver:
    """server/core.py over tickets in a dict, glued together as the commands glue them."""

    turns = False  # no day's turn: the expiry is a step of its own (QueueMachine.end_of_day_expiry)

    def __init__(self, max_calls: int, max_requeues: int, auto_recall_seconds: int, timezone: str):
        self.rules = Rules(max_calls=max_calls, max_requeues=max_requeues, auto_recall_seconds=auto_recall_seconds)
        self.tz = ZoneInfo(timezone)
        self.now = OPENING
        self.rows: dict[int, Ticket] = {}

    def close(self) -> None:
        pass

    def advance(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)

    def tickets(self) -> list[Ticket]:
        return [self.rows[i] for i in sorted(self.rows)]

    def _day(self) -> str:
        return core.local_day(self.now, self.tz)

    def _save(self, t: Ticket) -> Ticket:
        self.rows[t.id] = t
        return t

    def _waiting(self, day: str) -> list[Ticket]:
        return [t for t in self.rows.values() if t.day == day and t.status == core.WAITING]

    def _current(self, counter: int) -> Ticket:
        held = [t for t in self.rows.values() if t.counter_id == counter and t.status in core.ACTIVE]
        if not held:
            raise QueueError("no_ticket")
        return max(held, key=lambda t: t.id)

    def issue(self, service: str, priority: bool) -> tuple[int, str, str]:
        day = self._day()
        same_day = [t for t in self.rows.values() if t.day == day]
        prefix = f"{PREFIXES[service]}-"
        number = 1 + max((t.number for t in same_day if t.label.startswith(prefix)), default=0)
        t = Ticket(
            id=len(self.rows) + 1,
            day=day,
            service=service,
            number=number,
            label=core.label_for(PREFIXES[service], number),
            token=f"tok{len(self.rows) + 1}",
            status=core.WAITING,
            priority=priority,
            position=1.0 + max((t.position for t in same_day), default=0.0),
            created_at=self.now,
        )
        self._save(t)
        return t.id, t.day, t.label

    def _positions(self, day: str) -> list[float]:
        return sorted(t.position for t in self.rows.values() if t.day == day)

    def _placed(self, day: str, place):
        """As QueueService._placed: when no float is left between two neighbours, renumber the day."""
        found = place()
        if found is None:
            line = sorted((t for t in self.rows.values() if t.day == day), key=lambda t: (t.position, t.id))
            for n, t in enumerate(line, start=1):
                self._save(t.replace(position=float(n)))
            found = place()
        return found

    def _skip(self, t: Ticket, counter: int) -> Ticket:
        def place():
            nxt = core.next_for(self._waiting(t.day), COUNTERS[counter])
            after = min((p for p in self._positions(t.day) if nxt and p > nxt.position), default=None)
            return core.requeue_place(self.rows[t.id], nxt, after)

        position = self._placed(t.day, place)
        return self._save(core.skip(self.rows[t.id], self.rules, position, self.now))

    def call_next(self, counter: int) -> tuple[int | None, int | None]:
        try:
            current = self._current(counter)
        except AntrianError:
            current = None
        core.check_counter_free(current, self.rules)
        skipped = self._skip(current, counter) if current is not None else None
        nxt = core.next_for(self._waiting(self._day()), COUNTERS[counter])
        called = self._save(core.call(nxt, counter, self.now)) if nxt is not None else None
        return (called.id if called else None), (skipped.id if skipped else None)

    def recall(self, counter: int) -> int:
        return self._save(core.recall(self._current(counter), self.rules, self.now)).id

    def skip(self, counter: int) -> int:
        return self._skip(self._current(counter), counter).id

    def start(self, counter: int) -> int:
        return self._save(core.start(self._current(counter), "budi", self.now)).id

    def resolve(self, counter: int) -> int:
        return self._save(core.resolve(self._current(counter), "Reset kata sandi", "budi", self.now)).id

    def escalate(self, counter: int) -> int:
        return self._save(core.escalate(self._current(counter), "Perlu LKPP", "budi", self.now)).id

    def transfer(self, counter: int, to: str) -> int:
        t = self._current(counter)

        def place():
            line = sorted((w for w in self._waiting(t.day) if w.service == to), key=lambda w: (w.position, w.id))
            transferred = None
            for w in (w for w in line if w.priority_lane == t.priority):
                if not w.transferred_from or w.queue_requeues:
                    break
                transferred = w.position
            if transferred is not None:
                after = min((p for p in self._positions(t.day) if p > transferred), default=None)
                return core.transfer_position(None, None, None, transferred, after)
            head = min((w.position for w in self._waiting(t.day) if w.service == to), default=None)
            before = max((p for p in self._positions(t.day) if head is not None and p < head), default=None)
            return core.transfer_position(head, before, self._positions(t.day)[0])

        position = self._placed(t.day, place)
        return self._save(core.transfer(self.rows[t.id], to, position, self.now)).id

    def cancel(self, ticket_id: int, by_label: bool) -> int:
        ref = self.rows[ticket_id]
        if by_label:
            found = [t for t in self.rows.values() if t.day == self._day() and t.label == ref.label]
            if not found:
                raise NotFound("ticket_not_found")
            ref = found[0]
        return self._save(core.cancel(ref, self.now)).id

    def close_escalation(self, ticket_id: int) -> int:
        return self._save(core.close_escalation(self.rows[ticket_id], "Sudah diperbaiki", "TTS-1", self.now)).id

    def expire(self) -> int:
        stale = [t for t in self.tickets() if t.day < self._day() and t.status in core.ALLOWED_FROM["expire"]]
        for t in stale:
            self._save(core.expire(t, self.now))
        return len(stale)

    def auto_recall(self) -> int:
        done = 0
        for t in [t for t in self.tickets() if t.status == core.CALLED]:
            due = core.auto_recall_due(t, self.rules, self.now)
            if due == "recall":
                self._save(core.recall(t, self.rules, self.now))
            elif due == "skip":
                self._skip(t, t.counter_id)
            done += due is not None
        return done


class ServiceDriver:
    """QueueService on a real SQLite file (the demo config.toml), with a settable clock."""

    # Its first command on a new day expires the day before's leftovers first (UnitOfWork._turn), in the same
    # state as the maintenance loop's look would have left: QueueMachine.day_turn.
    turns = True

    def __init__(self, directory, max_calls: int, max_requeues: int, auto_recall_seconds: int, timezone: str):
        path = write_config(
            directory,
            {
                "max_calls = 3 ": f"max_calls = {max_calls} ",
                "max_requeues = 1 ": f"max_requeues = {max_requeues} ",
                "auto_recall_seconds = 0 ": f"auto_recall_seconds = {auto_recall_seconds} ",
                'timezone = "Asia/Jakarta"': f'timezone = "{timezone}"',
            },
        )
        self.settings = load_settings(path)
        assert {c.id: c.services for c in self.settings.counters} == COUNTERS
        assert {s.code: s.prefix for s in self.settings.services} == PREFIXES
        self.clock = Clock()
        assert self.clock.now == OPENING
        self.store = Store(self.settings.server.database, synchronous="OFF")  # no fsync: speed, same SQL
        self.service = QueueService(self.settings, self.store, self.clock)
        self.tokens: dict[int, str] = {}

    def close(self) -> None:
        self.service.stop()
        self.store.close()

    def advance(self, seconds: int) -> None:
        self.clock.advance(seconds=seconds)

    def tickets(self) -> list[Ticket]:
        with self.store.read() as tx:
            return [ticket_from_row(r) for r in tx.rows("SELECT * FROM tickets ORDER BY id")]

    def _id(self, public: dict) -> int:
        with self.store.read() as tx:
            return tx.ticket_by_label(public["day"], public["label"]).id

    def issue(self, service: str, priority: bool) -> tuple[int, str, str]:
        out = self.service.issue(visitor(service=service, priority=priority))
        assert out.kind is Kind.CREATED
        body = out.body
        with self.store.read() as tx:
            t = tx.ticket_by_token(body["ticket"]["token"])
        self.tokens[t.id] = t.token
        assert (body["ticket"]["label"], body["ticket"]["day"]) == (t.label, t.day)
        return t.id, t.day, t.label

    def _act(self, counter: int, action: str, payload: dict | None = None) -> dict:
        out = self.service.counter_action(counter, action, payload or {}, "budi")
        assert out.kind is Kind.DONE
        return out.body

    def call_next(self, counter: int) -> tuple[int | None, int | None]:
        out = self.service.counter_action(counter, "call-next", {}, "budi")
        body = out.body
        called = body["ticket"]["id"] if body["ticket"] else None
        skipped = self._id(body["skipped"]) if body.get("skipped") else None
        assert out.kind is (Kind.NOTHING if called is None and skipped is None else Kind.DONE)
        return called, skipped

    def recall(self, counter: int) -> int:
        return self._act(counter, "recall")["ticket"]["id"]

    def skip(self, counter: int) -> int:
        return self._act(counter, "skip")["ticket"]["id"]

    def start(self, counter: int) -> int:
        return self._act(counter, "start")["ticket"]["id"]

    def resolve(self, counter: int) -> int:
        payload = {"solution": "Reset kata sandi", "category": "pertanyaan", "priority_class": "P3"}
        return self._act(counter, "resolve", payload)["ticket"]["id"]

    def escalate(self, counter: int) -> int:
        return self._act(counter, "escalate", {"note": "Perlu LKPP"})["ticket"]["id"]

    def transfer(self, counter: int, to: str) -> int:
        return self._act(counter, "transfer", {"service": to})["ticket"]["id"]

    def cancel(self, ticket_id: int, by_label: bool) -> int:
        with self.store.read() as tx:
            ref = tx.ticket(ticket_id).label if by_label else self.tokens[ticket_id]
        return self.service.cancel(ref, "depan").body["ticket"]["id"]

    def close_escalation(self, ticket_id: int) -> int:
        payload = {"answer": "Sudah diperbaiki", "lkpp_ticket": "TTS-1"}
        return self.service.close_escalation(self.tokens[ticket_id], payload, "depan").body["ticket"]["id"]

    def expire(self) -> int:
        return self.service.expire_old()

    def auto_recall(self) -> int:
        return self.service.auto_recall()


# -- the machine ------------------------------------------------------------------------------------
REFUSED = object()
SERVICES = st.sampled_from(sorted(PREFIXES))
COUNTER_IDS = st.sampled_from(sorted(COUNTERS))
PRIORITY = st.sampled_from([False, False, False, True])  # elderly, disabled, pregnant: a quarter of visitors
COUNTER_ACTIONS = ("recall", "skip", "start", "resolve", "escalate", "transfer")
AUTO_RECALL_SECONDS = 30


class QueueMachine(RuleBasedStateMachine):
    """Random office days: each step runs on the system and on the model, then both must agree."""

    def __init__(self, open_driver):
        super().__init__()
        self.open_driver = open_driver
        self.driver = None
        self.model: Model | None = None
        self._code: dict[int, Ticket] | None = None  # the system's tickets, read when first needed

    @initialize(  # the first of each list is the one Hypothesis tries most: the SOP's office
        max_calls=st.sampled_from([3, 1, 2]),
        max_requeues=st.sampled_from([1, 0, 2]),
        auto_recall=st.booleans(),
        timezone=st.sampled_from(sorted(UTC_OFFSET_HOURS)),
    )
    def open_office(self, max_calls, max_requeues, auto_recall, timezone):
        seconds = AUTO_RECALL_SECONDS if auto_recall else 0
        self.driver = self.open_driver(max_calls, max_requeues, seconds, timezone)
        self.model = Model(max_calls, max_requeues, seconds, UTC_OFFSET_HOURS[timezone])

    def teardown(self):
        if self.driver is not None:
            self.driver.close()

    # what the model reads from the system
    @property
    def code(self) -> dict[int, Ticket]:
        if self._code is None:
            self._code = {t.id: t for t in self.driver.tickets()}
        return self._code

    def _waiting(self, day: str) -> list[Ticket]:
        waiting = [t for t in self.code.values() if t.day == day and t.status == "waiting"]
        return sorted(waiting, key=lambda t: (t.position, t.id))

    def behind(self, v: Visitor) -> list[int] | None:
        """The ids the system has behind `v` in its day's waiting line (None: `v` is not waiting)."""
        order = [t.id for t in self._waiting(v.day)]
        return order[order.index(v.id) + 1 :] if v.id in order else None

    # helpers
    def holding(self, status: str) -> list[int]:
        """The counters whose ticket has this status."""
        if self.model is None:
            return []
        return [c for c in COUNTERS if (v := self.model.at(c)) is not None and v.status == status]

    def act(self, refusal: str | None, action):
        """Run `action` on the system; it must be refused exactly when (and as) the model refuses it."""
        self._code = None
        try:
            out = action()
        except AntrianError as err:
            assert err.code == refusal, f"the system refused ({err.code}); the model says {refusal or 'allowed'}"
            return REFUSED
        assert refusal is None, f"the system allowed it; the model refuses it ({refusal})"
        return out

    def counter_action(self, action: str, counter: int, to: str = "A") -> None:
        refusal = self.model.refusal(action, counter, to)
        v = self.model.at(counter)
        kw = {"to": to} if action == "transfer" else {}
        out = self.act(refusal, lambda: getattr(self.driver, action)(counter, **kw))
        event(f"{action}: {refusal or 'done'}")
        if out is REFUSED:
            return
        assert out == v.id
        if action == "recall":
            self.model.recall(v)
        elif action == "skip":
            self.model.skip(v, counter, self)
        elif action == "start":
            v.status = "serving"
        elif action in ("resolve", "escalate"):
            self.model.finish(v, action + "d")
        else:
            self.model.transfer(v, to, self)

    # the visitors and the counters
    @rule(visitors=st.lists(st.tuples(SERVICES, PRIORITY), min_size=1, max_size=5))
    def issue(self, visitors):
        for service, priority in visitors:
            id_, day, label = self.act(None, lambda s=service, p=priority: self.driver.issue(s, p))
            v = self.model.issue(service, priority, id_)
            assert (day, label) == (v.day, v.label), "numbers are per service and day, from 001"
            if v.day != self.model.visitors[0].day and label.endswith("-001"):
                event("issue: numbers started again after midnight")

    @rule(counter=COUNTER_IDS)
    def call_next(self, counter):
        out = self.act(self.model.refusal("call-next", counter), lambda: self.driver.call_next(counter))
        if out is REFUSED:
            return
        called, skipped = self.model.call_next(counter, self)
        assert out == (called and called.id, skipped and skipped.id), "call-next called another ticket"
        if called is not None and called.priority and any(not w.priority for w in self.model.visitors):
            event("call-next: a priority visitor")
        if skipped is not None:
            event("call-next: skipped, then " + ("called the same again" if called is skipped else "called"))

    @precondition(lambda self: self.holding("called"))
    @rule(data=st.data())
    def recall(self, data):
        self.counter_action("recall", data.draw(st.sampled_from(self.holding("called"))))

    @precondition(lambda self: self.holding("called"))
    @rule(data=st.data())
    def skip(self, data):
        self.counter_action("skip", data.draw(st.sampled_from(self.holding("called"))))

    @precondition(lambda self: self.holding("called"))
    @rule(data=st.data(), then_call_next=st.booleans())
    def nobody_comes(self, data, then_call_next):
        """The officer's usual round for a visitor who does not come: recall up to max_calls, then skip."""
        counter = data.draw(st.sampled_from(self.holding("called")))
        if self.model.at(counter).calls < self.model.max_calls:
            self.call_next(counter)  # too early: refused while calls remain
        while self.model.at(counter).calls < self.model.max_calls:
            self.counter_action("recall", counter)
        self.counter_action("recall", counter)  # one press too many: refused, nothing changes
        if then_call_next:
            self.call_next(counter)
        else:
            self.counter_action("skip", counter)

    @precondition(lambda self: self.holding("called") and self.model.auto_recall_seconds > 0)
    @rule(data=st.data())
    def nobody_comes_and_the_server_recalls(self, data):
        """The same round done by the automatic recall: the clock runs until the ticket leaves the counter."""
        counter = data.draw(st.sampled_from(self.holding("called")))
        v = self.model.at(counter)
        while v.status == "called" and v.counter == counter:
            self.clock_runs(AUTO_RECALL_SECONDS)
            self.automatic_recall()

    @precondition(lambda self: self.holding("called"))
    @rule(data=st.data())
    def start(self, data):
        self.counter_action("start", data.draw(st.sampled_from(self.holding("called"))))

    @precondition(lambda self: self.holding("serving"))
    @rule(data=st.data(), escalated=st.booleans())
    def finish(self, data, escalated):
        self.counter_action("escalate" if escalated else "resolve", data.draw(st.sampled_from(self.holding("serving"))))

    @precondition(lambda self: self.holding("serving"))
    @rule(data=st.data())
    def transfer(self, data):
        counter = data.draw(st.sampled_from(self.holding("serving")))
        v = self.model.at(counter)
        queued = sorted({w.service for w in self.model.lines.get(v.day, []) if w.service != v.service})
        to = data.draw(st.sampled_from(queued or sorted(set(PREFIXES) - {v.service})))  # mostly into a line
        self.counter_action("transfer", counter, to)

    @precondition(lambda self: self.model is not None and (self.holding("called") or self.holding("serving")))
    @rule(counter=COUNTER_IDS, action=st.sampled_from(COUNTER_ACTIONS), to=SERVICES)
    def any_action_at_any_counter(self, counter, action, to):
        """Mostly what the rules refuse: the state must not change."""
        self.counter_action(action, counter, to)

    # the front office
    @precondition(lambda self: self.model is not None and self.model.visitors)
    @rule(data=st.data(), by_label=st.booleans())
    def cancel(self, data, by_label):
        picked = data.draw(st.sampled_from(self.model.visitors), label="ticket")
        v = self.model.by_label(picked.label) if by_label else picked  # a label names today's ticket
        if v is None:
            refusal = "ticket_not_found"
        else:
            refusal = None if v.status in ("waiting", "called") else "invalid_transition"
        out = self.act(refusal, lambda: self.driver.cancel(picked.id, by_label))
        event(f"cancel: {refusal or v.status}")
        if out is not REFUSED:
            assert out == v.id
            self.model.finish(v, "cancelled")

    @precondition(lambda self: self.model is not None and any(v.status == "escalated" for v in self.model.visitors))
    @rule(data=st.data())
    def answer_escalation(self, data):
        v = data.draw(st.sampled_from(self.model.visitors), label="ticket")  # mostly not escalated: refused
        refusal = None if v.status == "escalated" else "invalid_transition"
        if self.act(refusal, lambda: self.driver.close_escalation(v.id)) is not REFUSED:
            v.status = "closed"

    # time
    @rule(seconds=st.sampled_from([AUTO_RECALL_SECONDS, 1, 10, 59]))
    def clock_runs(self, seconds):
        self.model.now += timedelta(seconds=seconds)
        self.driver.advance(seconds)
        self.day_turn()

    def day_turn(self) -> None:
        """Past the office's midnight, the service's first command (whichever it is, refused or not) expires the
        day before's leftovers first, as the maintenance loop's look does when it comes first: the same state
        either way, so the loop looks at once here. (The core has no such turn: its expiry waits for its step.)"""
        if self.driver.turns and self.model.stale():
            assert self.act(None, self.driver.expire) == self.model.expire()
            event("the day's turn")

    @precondition(lambda self: self.model is not None and self.model.called_for(AUTO_RECALL_SECONDS))
    @rule()
    def automatic_recall(self):
        """What the maintenance loop runs every second (nothing when auto_recall_seconds is 0)."""
        done = self.act(None, self.driver.auto_recall)
        assert done == self.model.auto_recall(self)
        event(f"automatic recall: {min(done, 2)}")

    @precondition(lambda self: self.model is not None and len(self.model.lines.get(self.model.today(), [])) >= 3)
    @rule(offset=st.integers(-90, 10 * 3600))
    def midnight(self, offset):
        """The clock to just before the office's midnight (the small steps then cross it), or past it."""
        target = max(self.model.now + timedelta(seconds=1), self.model.next_midnight() + timedelta(seconds=offset))
        seconds = int((target - self.model.now).total_seconds())
        self.model.now += timedelta(seconds=seconds)
        self.driver.advance(seconds)
        self.day_turn()

    @precondition(lambda self: self.model is not None and self.model.stale())
    @rule()
    def end_of_day_expiry(self):
        done = self.act(None, self.driver.expire)
        assert done == self.model.expire()
        event(f"expiry: {min(done, 2)}")
        today = self.model.today()
        left = [t.label for t in self.code.values() if t.day < today and t.status in ("waiting", "called")]
        assert not left, f"left waiting after the end of their day: {left}"

    # what must hold after every step
    @invariant()
    def system_agrees_with_model(self):
        if self.model is None:
            return
        code = list(self.code.values())  # read afresh after every step (dicts keep the id order)
        self.check_every_ticket_once_in_the_model_state(code)
        self.check_labels_unique_and_numbered_from_one_each_day(code)
        self.check_one_ticket_per_counter_and_one_counter_per_ticket(code)
        self.check_waiting_lines_in_the_model_order(code)
        self.check_positions_unique_per_day(code)

    def check_every_ticket_once_in_the_model_state(self, code: list[Ticket]) -> None:
        assert [t.id for t in code] == [v.id for v in self.model.visitors], "a ticket was lost or duplicated"
        for t, v in zip(code, self.model.visitors, strict=True):
            seen = (t.day, t.label, t.service, t.priority, t.status, t.calls, t.requeues)
            want = (v.day, v.label, v.service, v.priority, v.status, v.calls, v.requeues)
            assert seen == want, f"{t.label}: system {seen}, model {want}"
            seen, want = (t.priority_lane, t.queue_requeues), (v.lane, v.queue_requeues)
            assert seen == want, f"{t.label}: system {seen}, model {want}"
            if t.status in ACTIVE or t.status in ("waiting", "cancelled", "expired", "no_show"):
                assert t.counter_id == v.counter, f"{t.label} at counter {t.counter_id}, model {v.counter}"
            if t.status == "no_show":  # only after max_requeues skips in its line, and max_calls calls each time
                assert (t.queue_requeues, t.calls) == (self.model.max_requeues, self.model.max_calls)
                assert t.requeues >= t.queue_requeues

    def check_labels_unique_and_numbered_from_one_each_day(self, code: list[Ticket]) -> None:
        assert len({(t.day, t.label) for t in code}) == len(code), "a label twice on one day"
        numbers: dict[tuple[str, str], list[int]] = {}
        for t in code:
            numbers.setdefault((t.day, t.label.split("-")[0]), []).append(t.number)
        for key, got in numbers.items():
            assert got == list(range(1, len(got) + 1)), f"{key}: numbers {got}"

    def check_one_ticket_per_counter_and_one_counter_per_ticket(self, code: list[Ticket]) -> None:
        holders = Counter(t.counter_id for t in code if t.status in ACTIVE)
        assert None not in holders and all(n == 1 for n in holders.values()), f"counters: {holders}"
        for counter in COUNTERS:
            assert holders.get(counter, 0) == (self.model.at(counter) is not None)

    def check_positions_unique_per_day(self, code: list[Ticket]) -> None:
        places = Counter((t.day, t.position) for t in code)
        assert all(n == 1 for n in places.values()), f"positions shared: {[p for p, n in places.items() if n > 1]}"

    def check_waiting_lines_in_the_model_order(self, code: list[Ticket]) -> None:
        days = {t.day for t in code if t.status == "waiting"} | set(self.model.lines)
        for day in days:
            waiting = sorted(
                (t for t in code if t.day == day and t.status == "waiting"), key=lambda t: (t.position, t.id)
            )
            got = [t.label for t in waiting]
            want = [v.label for v in self.model.lines.get(day, [])]
            assert got == want, f"{day}: waiting line {got}, model {want}"


HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
CORE_RUNS = settings(
    max_examples=120,
    stateful_step_count=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=HEALTH,
)
SERVICE_RUNS = settings(CORE_RUNS, max_examples=16, stateful_step_count=80)


def test_queue_core_keeps_the_sop_rules():
    run_state_machine_as_test(lambda: QueueMachine(CoreDriver), settings=CORE_RUNS)


def test_queue_service_on_sqlite_keeps_the_sop_rules(tmp_path):
    offices = itertools.count(1)

    def open_office(*args):
        directory = tmp_path / f"office{next(offices)}"
        directory.mkdir()
        return ServiceDriver(directory, *args)

    run_state_machine_as_test(lambda: QueueMachine(open_office), settings=SERVICE_RUNS)


# -- what the machines found: the SOP's words against the code, decided for the SOP -------------------
def office(tmp_path, max_requeues: int = 1) -> ServiceDriver:
    return ServiceDriver(
        tmp_path, max_calls=3, max_requeues=max_requeues, auto_recall_seconds=0, timezone="Asia/Jakarta"
    )


def called_three_times(driver: ServiceDriver, counter: int) -> None:
    driver.recall(counter)
    driver.recall(counter)


def labels(driver: ServiceDriver, *ids: int | None) -> list[str | None]:
    by_id = {t.id: t.label for t in driver.tickets()}
    return [by_id.get(i) for i in ids]


def served(driver: ServiceDriver, counter: int) -> None:
    driver.start(counter)
    driver.resolve(counter)


def skipped_then_next(driver: ServiceDriver, counter: int, explicit: bool) -> tuple[int | None, int | None]:
    """After the third call: call-next (skip and call in one), or skip, then call-next."""
    if not explicit:
        return driver.call_next(counter)
    skipped = driver.skip(counter)
    called, again = driver.call_next(counter)
    assert again is None
    return called, skipped


def positions_unique(driver: ServiceDriver) -> bool:
    tickets = driver.tickets()
    return len({(t.day, t.position) for t in tickets}) == len(tickets)


@pytest.mark.parametrize("explicit", [False, True], ids=["call-next", "skip-then-call-next"])
def test_call_next_after_a_priority_visitor_had_all_calls_calls_the_next_visitor(tmp_path, explicit):
    # SOP step 8: after 3 unanswered calls the helpdesk calls the NEXT number; the skipped priority
    # visitor follows it in its (plain) lane, so priority does not call them again at once.
    driver = office(tmp_path)
    try:
        driver.issue("A", True)  # A-001, priority
        driver.issue("A", False)
        driver.issue("A", False)
        driver.call_next(1)
        called_three_times(driver, 1)
        called, skipped = skipped_then_next(driver, 1, explicit)
        assert labels(driver, skipped, called) == ["A-001", "A-002"]
        served(driver, 1)
        called, _ = driver.call_next(1)
        assert labels(driver, called) == ["A-001"]  # called again at the next turn, before A-003
        t = {t.label: t for t in driver.tickets()}["A-001"]
        assert (t.priority, t.priority_lane, t.requeues) == (True, False, 1)  # still a priority visitor
    finally:
        driver.close()


@pytest.mark.parametrize("explicit", [False, True], ids=["call-next", "skip-then-call-next"])
def test_a_visitor_skipped_while_a_priority_visitor_is_next_comes_right_after_them(tmp_path, explicit):
    # Right behind the next in calling order: after the priority A-003, before the plain A-002 that
    # was waiting and before the priority A-004 behind A-003.
    driver = office(tmp_path)
    try:
        driver.issue("A", False)
        driver.call_next(1)
        driver.issue("A", False)
        driver.issue("A", True)  # A-003, priority: the next
        driver.issue("A", True)  # A-004, priority
        called_three_times(driver, 1)
        called, skipped = skipped_then_next(driver, 1, explicit)
        assert labels(driver, skipped, called) == ["A-001", "A-003"]
        served(driver, 1)
        order = []
        for _ in range(3):
            called, _ = driver.call_next(1)
            order += labels(driver, called)
            served(driver, 1)
        assert order == ["A-001", "A-004", "A-002"]
    finally:
        driver.close()


def test_a_requeued_ticket_is_right_behind_the_next_and_positions_never_tie(tmp_path):
    # Found with positions that tied: a transfer went to the other line's min - 1.0, the position of a
    # ticket of a third service (C-001), and a ticket requeued behind one of the pair landed behind both.
    driver = office(tmp_path)
    try:
        for service in "BACB":  # B-001, A-001, C-001, B-002
            driver.issue(service, False)
        driver.call_next(3)  # B-001 at Loket 3 (B, C)
        driver.call_next(1)  # A-001 at Loket 1 (A, C)
        driver.start(1)
        driver.transfer(1, "B")  # A-001 right in front of B's line (B-002), behind C-001
        assert positions_unique(driver)
        called_three_times(driver, 3)
        called, skipped = driver.call_next(3)  # B-001 requeued right behind C-001, which is called
        assert labels(driver, skipped, called) == ["B-001", "C-001"]
        assert positions_unique(driver)
        served(driver, 3)
        called, _ = driver.call_next(3)
        assert labels(driver, called) == ["B-001"]
        served(driver, 3)
        called, _ = driver.call_next(3)
        assert labels(driver, called) == ["A-001"]  # the transfer, ahead of B's line
    finally:
        driver.close()


def test_a_requeue_with_nobody_behind_does_not_take_a_called_tickets_position(tmp_path):
    # The next + 1.0 of a requeue with nobody waiting behind the next was the position of a ticket
    # called out of turn (a priority visitor), which keeps it when it is skipped in its turn.
    driver = office(tmp_path)
    try:
        driver.issue("B", False)  # B-001: 1
        driver.issue("A", False)  # 2
        driver.issue("A", True)  # A-002, priority: 3
        driver.call_next(1)  # A-002 at Loket 1 (A, C)
        driver.call_next(2)  # B-001 at Loket 2 (A, B)
        called_three_times(driver, 2)
        called, skipped = driver.call_next(2)  # B-001 behind A-001, before A-002's 3
        assert labels(driver, skipped, called) == ["B-001", "A-001"]
        assert positions_unique(driver)
    finally:
        driver.close()


def test_a_transfer_is_a_new_turn_in_the_other_line(tmp_path):
    # Skipped once at A and served, then transferred to B: at B the visitor is called max_calls times
    # and requeued once more before being a no-show (max_requeues per line); the records keep both skips.
    driver = office(tmp_path)
    try:
        driver.issue("A", False)
        driver.issue("A", False)
        driver.call_next(1)
        called_three_times(driver, 1)
        driver.call_next(1)  # A-001 skipped, A-002 called
        served(driver, 1)
        called, _ = driver.call_next(1)
        assert labels(driver, called) == ["A-001"]
        driver.start(1)
        driver.transfer(1, "B")
        called, _ = driver.call_next(2)  # Loket 2 (A, B)
        assert labels(driver, called) == ["A-001"]
        called_three_times(driver, 2)
        driver.skip(2)
        t = {t.label: t for t in driver.tickets()}["A-001"]
        assert (t.status, t.requeues, t.queue_requeues) == ("waiting", 2, 1)
        driver.call_next(2)
        called_three_times(driver, 2)
        driver.skip(2)
        t = {t.label: t for t in driver.tickets()}["A-001"]
        assert (t.status, t.requeues, t.queue_requeues) == ("no_show", 2, 1)
    finally:
        driver.close()


def test_positions_are_renumbered_when_no_float_is_left_between_two(tmp_path):
    # Requeues halve the gap behind the next ticket; when nothing is left between two positions the
    # day is renumbered in its order (and the counter pages told so), and the requeue is still exact.
    driver = office(tmp_path, max_requeues=10)
    try:
        for _ in range(4):
            driver.issue("A", False)  # A-001 … A-004
        with driver.store.write() as tx:  # A-003 right after A-002: no float between them
            tx.db.execute("UPDATE tickets SET position = ? WHERE label = 'A-003'", [math.nextafter(2.0, 3.0)])
        driver.call_next(1)
        called_three_times(driver, 1)
        out = driver.service.counter_action(1, "skip", {}, "budi")
        assert (out.kind, out.body["ticket"]["status"]) == (Kind.DONE, "waiting")
        with driver.store.read() as tx:
            last = tx.one("SELECT data FROM events WHERE type = 'skipped' ORDER BY seq DESC LIMIT 1")
        assert '"renumbered": true' in last["data"]
        line = sorted((t for t in driver.tickets() if t.status == "waiting"), key=core.order_key)
        assert [t.label for t in line] == ["A-002", "A-001", "A-003", "A-004"]
        assert positions_unique(driver)
    finally:
        driver.close()
