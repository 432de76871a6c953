"""The unit of work: every command runs in one write transaction, then its events are published.

The transaction (BEGIN IMMEDIATE) also stores the command's events and, for a request_id, its
outcome; only after the commit are the events handed to `publish`. A command that is the first on another office's
day than the last one committed writes that day's turn first, in its transaction: yesterday's leftovers expired and
`day_changed`, before its own events (UnitOfWork._turn); a turn that fails is rolled back to its savepoint and tried
again later, and the command goes on. Commands answer an `Outcome`
(what happened and its body) or raise a refusal (server.errors); the HTTP layer picks statuses.
In the server (gevent) the commands that are ready in the same turn of the event loop share one
transaction and its COMMIT, each run as it would be alone (_Group: group commit).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from server import core
from server.config import Settings
from server.core import Ticket
from server.errors import Changed, NotFound
from server.forms import parse_id
from server.service.shapes import counter_name, full_ticket, next_shape, public_ticket, rules_of
from server.store import Store, Tx
from server.store.tickets import QueueHead
from shared.runtime import on_gevent

log = logging.getLogger(__name__)
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
REFUSED = 409  # a refusal kept for its request_id (server.errors.Changed), its body Changed.kept()


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
    # The spoken announcement of a call (server.announce), and what starts it (its speech queued), run after
    # the COMMIT: a call rolled back is never said.
    announcer: Callable[[Ticket, int], tuple[dict[str, Any] | None, Callable[[], None] | None]] = (
        lambda ticket, counter_id: (None, None)
    )
    # Disconnects staff sockets whose session ended (server.realtime): called after a logout or an
    # account change, and once a second by the maintenance loop for the command line's.
    check_sessions: Callable[[], None] = lambda: None
    # Sends a message that is no change (no seq) to every staff page (server.realtime): the disk.
    tell_staff: Callable[[str, Any], None] = lambda name, data: None
    # Sends a message that is no change (no seq) to every TV display (server.realtime): the admin's sound
    # check. Returns how many displays are connected to hear it.
    tell_displays: Callable[[str, Any], int] = lambda name, data: 0
    # Sends a message that is no change (no seq) to the counter pages showing one counter (server.realtime): its
    # draft saved (no text).
    tell_counter: Callable[[int, str, Any], None] = lambda counter_id, name, data: None
    # Which counter each open counter page of an officer shows (server.realtime): (user id, counter id,
    # or None when the page named none).
    counters_shown: Callable[[], set[tuple[int, int | None]]] = lambda: set()
    # The staff state's `printers`: each printer whose paper is nearly out, with its warning (server.printing
    # paper_notices, set where the print workers are made: the service imports no device module).
    paper_notices: Callable[[], list[dict[str, Any]]] = lambda: []
    print_workers: dict[str, Any] = field(default_factory=dict)
    mail_worker: Any = None
    stopping: threading.Event = field(default_factory=threading.Event)
    closers: list[Callable[[], None]] = field(default_factory=list)  # run by stop(): child processes, files
    # The background tasks started (server.workers): greenlets under gevent, threads otherwise; stop() asks them
    # to leave their loops, join() waits for them before the database is closed.
    tasks: list[Any] = field(default_factory=list)
    on_settings: list[Callable[[Settings], None]] = field(default_factory=list)  # told when settings change


GROUP_MAX = 32  # commands in one shared transaction at most
# A day's turn that failed (UnitOfWork._turn) is tried again by the first transaction of the unit, a command or the
# maintenance loop's look, at least this long after the failure: TURN_RETRY_FIRST seconds, doubled after each
# failure up to TURN_RETRY_MAX. Not by every command: each try costs its command a savepoint, the expiry's reads
# and a rollback (a traceback in the log, the first time); one a minute at most finds a mended row soon enough.
TURN_RETRY_FIRST = 1.0
TURN_RETRY_MAX = 60.0


@dataclass(frozen=True)
class _TurnFailure:
    """The day's turn that failed last: the office's day it was for, what failed (the error as its type and
    message), the pause before the next try and the monotonic time it ends."""

    day: str
    said: str
    delay: float
    retry_at: float


class _Job:
    """One command waiting for (or in) a shared transaction, and what came of it."""

    __slots__ = (
        "key",
        "fn",
        "replay",
        "alone",
        "seq",
        "wake",
        "lead",
        "outcome",
        "error",
        "events",
        "after",
        "refusal_kept",
    )

    def __init__(
        self,
        key: str | None,
        fn: Callable[[Tx, datetime], Outcome],
        replay: Any,
        alone: bool = False,
        seq: bool = False,
    ):
        self.key, self.fn, self.replay, self.alone, self.seq = key, fn, replay, alone, seq
        self.wake: Any = None
        self.lead = False
        self.outcome: Outcome | None = None
        self.error: BaseException | None = None
        self.events: list[dict[str, Any]] = []
        self.after: list[Callable[[], None]] = []  # what starts once it is committed (its calls' speech)
        # Its refusal was kept for its request_id (a Changed, UnitOfWork._command): the one row written, committed.
        self.refusal_kept = False

    def result(self) -> Outcome:
        if self.error is not None:
            raise self.error
        assert self.outcome is not None
        return self.outcome


class _Spoilt(Exception):
    """A command of a shared transaction failed after writing: the transaction is rolled back."""

    def __init__(self, job: _Job, error: Exception):
        super().__init__(job, error)
        self.job, self.error = job, error


class _Group:
    """Group commit under gevent. The first command to come leads: it lets the event loop take one turn, in
    which the requests that are ready run up to their command and queue it behind; then it runs them all, in
    the order they came, in one transaction (BEGIN IMMEDIATE ... COMMIT), publishes each one's events in that
    order, and wakes them with their outcomes. No transaction stays open across a turn of the loop: readers and
    the other writers see what they saw before.

    Each command runs exactly as it would alone after the ones before it: its own `now`, the state they left,
    its events decorated with the counts after it. A command refused before writing anything (a refusal is
    checked before the change it refuses) is left out and its caller gets the refusal; one that fails after a
    write (total_changes moved) spoils the transaction, which is rolled back: its caller gets its error (it
    failed on the state it would have found alone), and the commands done before it and those not yet run
    each run again alone. So a command may run twice: the commands write only through their transaction,
    what starts outside it (a call's speech) starts after the COMMIT (`Tx.after`), and the commands that change
    the process's own state before their COMMIT (the admin's settings) are run alone (`run(alone=True)`).
    Every answer waits for the COMMIT of its transaction, and events are published in commit order.

    The shared transaction runs in the greenlet of its leader: a kill of the leader (the server stopping)
    fails its whole batch, none of which is then committed."""

    def __init__(self, unit: UnitOfWork):
        import gevent
        from gevent.event import Event
        from gevent.monkey import get_original

        self.unit = unit
        self.sleep = gevent.sleep
        self.event = Event
        self.queue: deque[_Job] = deque()
        self.leading = False
        self.os_thread = get_original("_thread", "get_ident")
        # the OS thread of the event loop (the server's main thread, where the unit is made); a command from
        # another (a native thread of a pool) runs alone under the lock
        self.loop_thread = gevent.get_hub().thread_ident

    def run(self, job: _Job) -> Outcome:
        if self.os_thread() != self.loop_thread:
            with self.unit.lock:
                return self.unit._alone(job)
        job.wake = self.event()
        self.queue.append(job)
        if self.leading:
            try:
                job.wake.wait()
            except BaseException:  # killed while it waited: it neither stays in line nor keeps the lead
                if job in self.queue:
                    self.queue.remove(job)
                    if job.lead:
                        self._hand_on()
                raise
            if not job.lead:
                return job.result()
        self.leading = True
        try:
            self.sleep(1e-6)  # a timer, not sleep(0): the loop polls the sockets, the requests ready now come in
        except BaseException:
            self.queue.remove(job)
            self._hand_on()
            raise
        batch: list[_Job] = []  # in the order they came; a command to run alone is a batch of its own
        while self.queue and len(batch) < GROUP_MAX and not (batch and self.queue[0].alone):
            batch.append(self.queue.popleft())
            if batch[-1].alone:
                break
        try:
            self._commit(batch)
        except BaseException as err:  # the server stops: none of them is done
            for other in batch:
                if other.outcome is None and other.error is None:
                    other.error = err
            raise
        finally:
            for other in batch:
                if other is not job:
                    other.wake.set()
            self._hand_on()
        return job.result()

    def _hand_on(self) -> None:
        """The first command still waiting leads the next transaction (none: the next to come will)."""
        if self.queue:
            self.queue[0].lead = True
            self.queue[0].wake.set()
        else:
            self.leading = False

    def _commit(self, batch: list[_Job]) -> None:
        unit = self.unit
        with unit.lock:
            if batch[0].alone:
                self._again([batch[0]])
                return
            try:
                with unit._write() as tx:
                    for job in batch:
                        self._one(tx, job)
            except _Spoilt as spoilt:
                failed = spoilt.job
                failed.outcome, failed.error, failed.events, failed.after = None, spoilt.error, [], []
                # rolled back: those done before it and those not run yet, each again alone (a refusal stays; one kept
                # for its request_id, its row rolled back too, is run again to be kept)
                self._again([job for job in batch if job is not failed and (job.error is None or job.refusal_kept)])
                return
            except BaseException as err:  # the COMMIT failed (a full disk), or the server stops: none is done
                for job in batch:
                    if job.error is None:  # (one refused keeps its refusal, as alone)
                        job.outcome, job.error = None, err
                    job.events, job.after = [], []
                if not isinstance(err, Exception):
                    raise
                return
            for job in batch:  # committed: each one's speech started and events published, whatever another's did
                unit._started(job.after)
                if job.events:
                    try:
                        unit.hooks.publish(job.events)
                    except Exception:
                        log.exception("publishing the events of a committed command")

    def _again(self, jobs: list[_Job]) -> None:
        """Each of `jobs` in a transaction of its own, in order (under the lock)."""
        for job in jobs:
            job.outcome, job.error, job.events, job.after, job.refusal_kept = None, None, [], [], False
            try:
                job.outcome = self.unit._alone(job)
            except Exception as err:
                job.error = err

    def _one(self, tx: Tx, job: _Job) -> None:
        conn = tx.db.conn
        now, first, before = self.unit.clock(), len(tx.events), len(tx.after)
        try:
            # the office's new day first, once: its events lead this command's. A turn that fails is rolled back to
            # its savepoint inside (_turn): only a transaction SQLite itself ended (a full disk) fails here.
            self.unit._turn(tx, now)
        except Exception as err:
            raise _Spoilt(job, err) from err
        start, started, changes = len(tx.events), len(tx.after), conn.total_changes
        try:
            job.outcome = self.unit._command(tx, now, job)
        except Exception as err:
            if (conn.total_changes != changes and not job.refusal_kept) or not conn.in_transaction:
                raise _Spoilt(job, err) from err
            del tx.events[start:], tx.after[started:]  # (none: an event is a row written; a refusal kept is none)
            job.error = err
            job.events, job.after = tx.events[first:], tx.after[before:]  # the day's turn stands: published
            return
        job.events, job.after = tx.events[first:], tx.after[before:]


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
        self._group = _Group(self) if on_gevent() else None  # the server (gevent): group commit
        # The office's day of the last transaction committed (None: none yet since the start), and of the one being
        # written (_write): a day seen only in a transaction rolled back is not seen. With it, whether that day's turn
        # failed and is still owed (its expiry: the pages were told of the day all the same).
        self._day_seen: str | None = None
        self._day_open: str | None = None
        self._owed_seen = False
        self._owed_open = False
        # The day's turn, written by the first command of another day than the last one (_turn): (tx, now, day,
        # the day before or None for the first transaction after a start, or for the try again of a turn that
        # failed) -> how many tickets it expired. Set by server.service.queue (QueueCommands: the expiries, then
        # `day_changed`), as is `day_changed` alone (tx, now, day, the day before): what the pages are told when
        # the turn failed.
        self.new_day: Callable[[Tx, datetime, str, str | None], int] = lambda tx, now, day, before: 0
        self.day_changed: Callable[[Tx, datetime, str, str], None] = lambda tx, now, day, before: None
        self.turned = 0  # how many tickets the turn of the command now running expired (0: it made none)
        self._failure: _TurnFailure | None = None  # the turn that failed last, while it is owed
        # Told after a transaction when the turn's failure is to be said on the staff pages, or is no more
        # (server.service.upkeep: Upkeep.check_disk, the alert of the front office and admin pages).
        self.turn_alert: Callable[[], None] = lambda: None
        self._alerted: dict[str, str] | None = None  # the failure turn_alert was last told of (turn_trouble)

    def run(
        self,
        request_key: str | None,
        fn: Callable[[Tx, datetime], Outcome],
        replay: Callable[[Tx, datetime, Any], Any] | None = None,
        alone: bool = False,
        seq: bool = False,
    ) -> Outcome:
        """Run one command in a write transaction, start what waits for its commit (`Tx.after`) and publish its
        events after the commit; repeat the outcome stored for a known request key instead (through `replay`
        when the command kept a reference, Outcome.kept, rather than its body).

        Under gevent the commands that are ready in the same turn of the event loop share one transaction and
        so one COMMIT (group commit: its fsync was a quarter to a third of the server's time under load). Each
        still runs alone, one after the other, on the state the earlier ones left, and answers only once the
        transaction is on disk; one refused runs as if it had come alone (_Group). `alone`: a command that
        changes the process's own state before its COMMIT (the settings in force) has a transaction of its own,
        as it could be run again after a shared one was rolled back. `seq`: an answer that is a JSON object says
        the seq of the last change committed with it (`seq`), the one its page's live events are numbered by: a
        page whose events are past it already shows what it says (docs/api.md, "Conventions")."""
        job = _Job(request_key, fn, replay, alone, seq)
        if self._group is not None:
            return self._group.run(job)
        with self.lock:
            return self._alone(job)

    def _alone(self, job: _Job) -> Outcome:
        """`job` in a transaction of its own; what waits for its commit started and its events published after
        the commit (under the lock)."""
        now = self.clock()
        refused: Exception | None = None
        with self._write() as tx:
            self._turn(tx, now)
            conn, start, started = tx.db.conn, len(tx.events), len(tx.after)
            changes = conn.total_changes
            try:
                outcome = self._command(tx, now, job)
            except Exception as err:
                kept = job.refusal_kept
                if not (start or kept) or (conn.total_changes != changes and not kept) or not conn.in_transaction:
                    raise
                # refused before writing anything: the day's turn made before it is committed all the same (as in a
                # shared transaction, _Group._one), and the refusal kept for its request_id
                del tx.events[start:], tx.after[started:]
                refused = err
            events, after = list(tx.events), list(tx.after)
        self._started(after)
        if events:
            self.hooks.publish(events)
        if refused is not None:
            raise refused
        return outcome

    @contextmanager
    def _write(self) -> Iterator[Tx]:
        """A write transaction of the unit (under the lock): the office's day it turned to, and whether that turn is
        owed, are noted once it commits; then the staff pages are told when the turn's failure is to be said."""
        self._day_open, self._owed_open = self._day_seen, self._owed_seen
        try:
            with self.store.write() as tx:
                yield tx
            self._day_seen, self._owed_seen = self._day_open, self._owed_open
            if not self._owed_seen and self._failure is not None:
                log.warning("the office's day turn of %s worked, tried again", self._failure.day)
                self._failure = None
        finally:
            self._tell_turn()

    def _turn(self, tx: Tx, now: datetime) -> None:
        """Before a command in `tx`: on another office's day than the last transaction's, that day's turn (`new_day`:
        yesterday's leftovers expired, `day_changed`), its events decorated as a change of their own. So every
        client hears of the new day before any of its changes, whichever comes first after midnight: a command or
        the maintenance loop's look (expire_old), a second or more later. Once a day: the transactions after it
        (in a shared one, the commands after it) are on that day.

        The turn runs in a savepoint. One that fails (a row of an earlier day it cannot read, a bug in an expiry)
        is rolled back to it, logged with its traceback and said on the staff pages (turn_trouble), and its
        `day_changed` alone is written instead: the command goes on and commits, and every page still hears of the
        new day before its changes. The turn is then owed: tried again (its expiry, `before` None) by the first
        transaction after a back-off (_backing_off: a command or the maintenance loop's look, whichever comes
        first), not by every one."""
        self.turned = 0
        day = self.day(now)
        new = day != self._day_open
        if not new and (not self._owed_open or self._backing_off(day)):
            return
        before = self._day_open if new else None
        self._day_open = day
        start = len(tx.events)
        if self._backing_off(day) or not self._turned(tx, now, day, before):
            self._owed_open = True
            if before is not None:  # the new day is told before its first change all the same
                self.day_changed(tx, now, day, before)
        else:
            self._owed_open = False
        if len(tx.events) > start:
            self.decorate(tx, tx.events[start:])

    def _turned(self, tx: Tx, now: datetime, day: str, before: str | None) -> bool:
        """`new_day` in a savepoint of `tx`; False when it failed (rolled back to the savepoint, its events and
        what waited for its commit dropped, the failure logged and kept: _failed). A failure that ended the
        transaction itself (SQLite rolls back on a full disk) is raised: the command fails as it would anyway."""
        conn = tx.db.conn
        events, after = len(tx.events), len(tx.after)
        conn.execute("SAVEPOINT day_turn")
        try:
            self.turned = self.new_day(tx, now, day, before)
        except Exception as err:
            if not conn.in_transaction:
                raise
            conn.execute("ROLLBACK TO day_turn")
            conn.execute("RELEASE day_turn")
            del tx.events[events:], tx.after[after:]
            self.turned = 0
            self._failed(day, err)
            return False
        conn.execute("RELEASE day_turn")
        return True

    def _failed(self, day: str, err: Exception) -> None:
        """Keep the turn of `day` that failed with `err`, and when it is tried again: TURN_RETRY_FIRST seconds on,
        doubled after each failure of that day, up to TURN_RETRY_MAX. Its traceback is logged once for each
        day and cause (a turn failing all day logs one)."""
        said = f"{type(err).__name__}: {err}"
        last = self._failure
        first = min(TURN_RETRY_FIRST, TURN_RETRY_MAX)
        delay = first if last is None or last.day != day else min(last.delay * 2, TURN_RETRY_MAX)
        if last is None or (last.day, last.said) != (day, said):
            log.error(
                "the office's day turn of %s failed (yesterday's leftovers not expired): the commands go on, it is "
                "tried again after a pause of %g s up to %g s",
                day,
                delay,
                TURN_RETRY_MAX,
                exc_info=err,
            )
        self._failure = _TurnFailure(day, said, delay, time.monotonic() + delay)

    def _backing_off(self, day: str) -> bool:
        """Whether the turn of `day` failed less than its back-off ago (not tried again yet)."""
        failure = self._failure
        return failure is not None and failure.day == day and time.monotonic() < failure.retry_at

    @property
    def expiry_owed(self) -> bool:
        """Whether the day's turn failed and is owed in the transaction now written (its try again, not the
        maintenance loop's expiry of every second, expires yesterday's leftovers: QueueCommands.expire_old)."""
        return self._owed_open

    def turn_trouble(self) -> dict[str, str] | None:
        """The day's turn that failed and is still owed as committed ({day, error}), or None: what the front office
        and admin pages say (Upkeep.check_disk) until a try again works."""
        failure = self._failure
        if not self._owed_seen or failure is None:
            return None
        return {"day": failure.day, "error": failure.said}

    def _tell_turn(self) -> None:
        """After a transaction: `turn_alert` when turn_trouble changed (a failure to say, or one gone)."""
        trouble = self.turn_trouble()
        if trouble == self._alerted:
            return
        self._alerted = trouble
        try:
            self.turn_alert()
        except Exception:
            log.exception("telling the staff pages of the day's turn")

    @staticmethod
    def _started(after: list[Callable[[], None]]) -> None:
        """Start what waited for a commit (a call's speech queued); one that fails is logged, the command done."""
        for start in after:
            try:
                start()
            except Exception:
                log.exception("after a commit")

    def _command(self, tx: Tx, now: datetime, job: _Job) -> Outcome:
        """One command inside `tx`: its outcome, its events (those it added to tx.events) decorated."""
        known = tx.request_answer(job.key)
        if known is not None:
            if known[0] == REFUSED:
                raise Changed.from_kept(known[1])
            body = known[1] if job.replay is None else job.replay(tx, now, known[1])
            return Outcome(body, KINDS[known[0]])
        start, changes = len(tx.events), tx.db.conn.total_changes
        try:
            outcome = job.fn(tx, now)
        except Changed as refusal:
            # refused for good (what the press was made for is gone), before any change: kept, so that a repeat of
            # this request_id is refused too, whatever the counter holds by then
            if job.key and tx.db.conn.total_changes == changes and tx.db.conn.in_transaction:
                tx.remember_answer(job.key, REFUSED, refusal.kept(), now)
                job.refusal_kept = True
            raise
        if len(tx.events) > start:
            self.decorate(tx, tx.events[start:])
        if job.seq and isinstance(outcome.body, dict):  # kept with the answer: a repeat says the seq of then
            outcome.body["seq"] = tx.events[-1]["seq"] if tx.events else tx.last_seq()
        kept = outcome.body if outcome.kept is None else outcome.kept
        tx.remember_answer(job.key, STORED[outcome.kind], kept, now)
        return outcome

    def decorate(self, tx: Tx, events: list[dict[str, Any]]) -> None:
        """Attach the tickets (public and full) and, when the change moved them, the waiting counts, each
        counter's next call (`next`, for the staff) and the numbers left of each service with a daily quota."""
        settings = self.settings
        counts = left = nexts = None
        if any(ev["type"] in WAITING_CHANGES for ev in events):
            day, codes = self.day(), [s.code for s in settings.services]
            counts = tx.waiting_counts(day, codes)  # each service's, in the settings' order
            # Each counter's next call after the change (staff only: the counter page marks it in its line),
            # from each (service, lane)'s first waiting ticket: two index lookups per service, whatever the
            # length of the day. Also what changes the order without changing the counts (a skip's requeue,
            # a transfer, a correction of the service or the lane) is in WAITING_CHANGES.
            heads = tx.queue_head_keys(day, codes)
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
                    if ev["type"] == "cancelled":  # why, for the staff (the public ticket has no such field)
                        ev["ticket_full"]["cancel_reason"] = (ev.get("data") or {}).get("reason")
                    if ev["type"] in ("called", "recalled"):
                        ev["announce"], start = self.hooks.announcer(ticket, ev["counter_id"])
                        if start is not None:
                            tx.after.append(start)

    # -- what every part asks ---------------------------------------------------------
    def next_calls(self, waiting: Sequence[Ticket | QueueHead]) -> dict[int, Ticket | QueueHead | None]:
        """Each counter's next call (by id): the ticket its call-next would take now among `waiting` (today's
        waiting tickets, or at least each (service, lane)'s first: Tx.queue_heads, or their keys: queue_head_keys),
        by the core's calling order
        (core.next_for, as call-next picks); None when none of its services has anyone waiting. A ticket the
        counter holds that had all its calls is skipped first and requeued right behind that ticket
        (core.requeue_place), so it is the same one. Picked once for the counters of the same services (most
        offices: every counter serves every service)."""
        picked: dict[tuple[str, ...], Ticket | QueueHead | None] = {}
        out: dict[int, Ticket | QueueHead | None] = {}
        for c in self.settings.counters:
            if c.services not in picked:
                picked[c.services] = core.next_for(waiting, c.services)
            out[c.id] = picked[c.services]
        return out

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
