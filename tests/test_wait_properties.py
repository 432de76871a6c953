"""The wait a visitor is told (`ahead`, `estimated_wait_s` of GET /api/tickets/<token>, the kiosk's ticket screen and
the phone), against what a visitor expects of it, with Hypothesis over the queue service on a real SQLite file and a
settable clock (no browser):

- with nothing else changing (no counter back from a break, no new counter, no finished-time history changing), when
  the line moves forward (a visitor called, or cancelled) a waiting ticket's `ahead` never grows, nor its estimate;
- at one moment, a ticket standing behind another in the same service's line is never told fewer ahead, nor a
  shorter wait, than that one;
- `ahead` is what happens: with the counters calling as the estimate assumes (each free counter calls its next
  visitor at once, every visitor taking the service's recent time), the day played out calls before each ticket
  as many as it was told (its own line's before it, and another service's called at an earlier moment by a
  counter that serves it too), at the moment it was told;
- with services whose recent times differ (a history of served visitors: C 25 minutes, A 5), nobody behind a
  visitor is told fewer ahead or a shorter wait than that visitor (in one line for all, whatever their services:
  each ticket ahead counts at its own service's time; before, at the asker's, and the first A visitor behind three
  C visitors was told 3 x 5 minutes, less than the C visitor before them);
- in the morning, an officer taking again the counter they took on the office's last working day changes no waiting
  visitor's `ahead` or estimate (server/service/views.py at_posts; before, the first officer in made every wait that
  of one counter: ~60 minutes told at 08:00 to a visitor told ~15 at 07:55);
- with [hours], at any moment of the day: a visitor is told that nobody will call them today (`no_service`, no
  minutes) exactly when no officer holds a counter and none of the day's service hours is running or still to come
  (so never while the kiosk gives numbers, nor with an officer at a counter, on a break too); their place is told
  all the same. Before, at 17.00 with every officer gone, the estimate counted every counter as working: "segera".
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import Clock, visitor, write_config
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from server import hours
from server.config import load_settings
from server.service import QueueService
from server.store import Store

SERVICES = "ABC"
PER_TICKET = 15 * 60  # no history: the default service time, and each played-out visitor takes exactly that
# The demo office's counters (A, C), (A, B), (B, C); and one line for all, every counter serving every service.
SHARED = {f"services = {s}": 'services = ["A", "B", "C"]' for s in ('["A", "C"]', '["A", "B"]', '["B", "C"]')}
EXAMPLES = int(os.environ.get("WAIT_EXAMPLES", 50))  # more to search (WAIT_EXAMPLES=400: 90 s); derandomized
FAST = settings(
    max_examples=EXAMPLES,
    stateful_step_count=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


class Office:
    """QueueService on a real SQLite file in a temporary folder, its clock settable."""

    def __init__(self, one_line: bool = False, extra: str = ""):
        self.folder = tempfile.TemporaryDirectory(prefix="antrian-wait-")
        path = write_config(Path(self.folder.name), SHARED if one_line else None, extra)
        self.settings = load_settings(path)
        self.counters = {c.id: set(c.services) for c in self.settings.counters}
        self.clock = Clock()
        self.store = Store(self.settings.server.database, synchronous="OFF")
        self.svc = QueueService(self.settings, self.store, self.clock)
        self.tokens: dict[str, str] = {}  # label -> token

    def close(self) -> None:
        self.svc.stop()
        self.store.close()
        self.folder.cleanup()

    def issue(self, service: str, priority: bool = False) -> str:
        ticket = self.svc.issue(visitor(service=service, priority=priority), printed=False).body["ticket"]
        self.tokens[ticket["label"]] = ticket["token"]
        return ticket["label"]

    def act(self, counter: int, action: str, **payload):
        return self.svc.counter_action(counter, action, payload, "budi").body

    def views(self) -> dict[str, dict]:
        """Every ticket's status view, as its phone reads it."""
        return {label: self.svc.ticket_status(token) for label, token in self.tokens.items()}

    def waiting(self) -> dict[str, dict]:
        return {label: v for label, v in self.views().items() if v["status"] == "waiting"}

    def line(self) -> list[str]:
        """The waiting tickets' labels in calling order (the priority lane first, then their places)."""
        with self.store.read() as tx:
            ids = [tid for tid, _ in tx.waiting_line(self.svc.unit.day(), SERVICES)]
            return [tx.ticket(tid).label for tid in ids]

    def holding(self) -> dict[int, str | None]:
        """Each counter's ticket (called or serving), or None."""
        held = {cid: None for cid in self.counters}
        for label, v in self.views().items():
            if v["status"] in ("called", "serving"):
                held[v["counter_id"]] = label
        return held


def told(view: dict) -> tuple[int, int]:
    return view["ahead"], view["estimated_wait_s"]


def grown(before: dict[str, dict], after: dict[str, dict]) -> list[tuple[str, tuple, tuple]]:
    """The tickets waiting before and after whose `ahead` or estimate grew."""
    return [
        (label, told(before[label]), told(after[label]))
        for label in before.keys() & after.keys()
        if after[label]["ahead"] > before[label]["ahead"]
        or after[label]["estimated_wait_s"] > before[label]["estimated_wait_s"]
    ]


# -- the line moving forward never tells anyone a longer wait ----------------------------------------------------------


class LineMovesForward(RuleBasedStateMachine):
    """Visitors take numbers; counters call (call-next, or a chosen ticket of theirs), the front office cancels a
    waiting or a called ticket, a called visitor comes (start). No break, no finish (the history stays), no clock."""

    one_line = False
    services = "A"  # one service's line at counters serving others too: the others' turns are a guess of ties
    only_wait = False

    def __init__(self):
        super().__init__()
        self.office = Office(self.one_line)
        self.at_work = [1, 2, 3]  # the counters that call: those with an officer (all before anyone took one)
        self.paused: set[int] = set()

    @initialize(officers=st.sets(st.sampled_from([1, 2, 3])))
    def officers_take_counters(self, officers):
        """Officers hold these counters all day (none: nobody has taken one yet, every counter may call)."""
        with self.office.store.write() as tx:
            for cid in sorted(officers):
                tx.claim_counter(cid, 1, "admin", self.office.clock())
        self.at_work = sorted(officers) or [1, 2, 3]

    def teardown(self):
        self.office.close()

    def moved(self, move, behind: str | None = None) -> None:
        """`move` tells no waiting ticket a longer wait (`behind`: none standing behind that ticket, called out of
        its turn: the ones before it lost a counter to it, and may truly wait longer)."""
        before = self.office.waiting()
        if behind is not None:
            line = self.office.line()
            before = {label: before[label] for label in line[line.index(behind) + 1 :]}
        move()
        after = self.office.waiting()
        worse = grown(before, after)
        if self.only_wait:
            worse = [(label, b, a) for label, b, a in worse if a[1] > b[1]]
        assert not worse, worse

    @rule(data=st.data(), priority=st.booleans())
    def take_a_number(self, data, priority):
        service = data.draw(st.sampled_from(self.services))
        button = {s["code"]: s["estimated_wait_s"] for s in self.office.svc.snapshot()["services"]}[service]
        label = self.office.issue(service, priority)
        if not priority:  # the kiosk's button said the wait of a number taken now: its ticket says the same
            assert self.office.views()[label]["estimated_wait_s"] == button, (label, button)

    @rule(counter=st.sampled_from([1, 2, 3]), pause=st.booleans())
    def a_break(self, counter, pause):
        """A break begins or ends (the counters at work change: not a move of the line, nothing checked)."""
        self.office.act(counter, "pause" if pause else "resume")
        (self.paused.add if pause else self.paused.discard)(counter)

    @rule(counter=st.sampled_from([1, 2, 3]), minutes=st.sampled_from([1, 5, 40]))
    def finish(self, counter, minutes):
        """A visitor served goes, after some minutes (the history changes: not checked)."""
        label = self.office.holding()[counter]
        if label and self.office.views()[label]["status"] == "serving":
            self.office.clock.advance(minutes=minutes)
            self.office.act(counter, "resolve", solution="Dijelaskan.")

    @rule(counter=st.sampled_from([1, 2, 3]))
    def call_next(self, counter):
        if counter in self.at_work and counter not in self.paused and self.office.holding()[counter] is None:
            self.moved(lambda: self.office.act(counter, "call-next"))

    @rule(counter=st.sampled_from([1, 2, 3]), pick=st.integers(0, 50))
    def call_a_chosen_one(self, counter, pick):
        if counter not in self.at_work or counter in self.paused or self.office.holding()[counter] is not None:
            return
        mine = sorted(lb for lb, v in self.office.waiting().items() if v["service"] in self.office.counters[counter])
        if mine:
            chosen = mine[pick % len(mine)]
            self.moved(lambda: self.office.act(counter, "call", ticket=chosen), behind=chosen)

    @rule(pick=st.integers(0, 50))
    def cancel(self, pick):
        open_ = sorted(lb for lb, v in self.office.views().items() if v["status"] in ("waiting", "called"))
        if open_:
            self.moved(lambda: self.office.svc.cancel(open_[pick % len(open_)], "rina"))

    @rule(counter=st.sampled_from([1, 2, 3]))
    def visitor_comes(self, counter):
        label = self.office.holding()[counter]
        if label and self.office.views()[label]["status"] == "called":
            self.moved(lambda: self.office.act(counter, "start"))

    @invariant()
    def the_front_office_list_says_what_the_phone_says(self):
        phones = self.office.waiting()
        listed = {t["label"]: t["place"] for t in self.office.svc.today_tickets() if t["status"] == "waiting"}
        assert listed == {lb: {k: v[k] for k in ("position", "ahead", "estimated_wait_s")} for lb, v in phones.items()}

    @invariant()
    def behind_is_never_told_less(self):
        check_order(self.office.waiting(), self.office.line(), self.one_line)


def check_order(waiting: dict[str, dict], order: list[str], one_line: bool = False) -> None:
    """In each service's line (the calling order: priority lane, then its place), whoever stands behind is told at
    least as many ahead and at least as long a wait; in one line for all (every counter serves every service), at
    least as long a wait as anyone before them, whatever the services."""
    if one_line:
        line = [waiting[label] for label in order]
        for front, back in zip(line, line[1:], strict=False):
            assert front["estimated_wait_s"] <= back["estimated_wait_s"], [(v["label"], told(v)) for v in line]
    for service in SERVICES:
        line = [waiting[label] for label in order if waiting[label]["service"] == service]
        for front, back in zip(line, line[1:], strict=False):
            assert front["ahead"] <= back["ahead"] and front["estimated_wait_s"] <= back["estimated_wait_s"], [
                (v["label"], told(v)) for v in line
            ]


def test_the_line_moving_forward_never_tells_a_longer_wait():
    run_state_machine_as_test(LineMovesForward, settings=FAST)


class OneLineOfAllServices(LineMovesForward):
    """One line for all, every service in it, visitors served in 1, 5 or 40 minutes (each service's recent time its
    own): nobody behind is told a shorter wait, and a move of the line tells nobody a longer one (`ahead` may
    grow: another service's visitor called at the same moment as this one may come to be called earlier)."""

    one_line = True
    services = SERVICES
    only_wait = True


def test_one_line_of_services_of_different_times_never_tells_a_longer_wait_behind_or_after_a_move():
    run_state_machine_as_test(OneLineOfAllServices, settings=FAST)


# -- what the visitor is told is what happens --------------------------------------------------------------------------


@st.composite
def days(draw):
    """A morning's line (service, priority) taken before the first call, and the counters officers hold."""
    line = draw(st.lists(st.tuples(st.sampled_from(SERVICES), st.booleans()), min_size=1, max_size=12))
    return line, draw(st.sets(st.sampled_from([1, 2, 3]))), draw(st.booleans())


def play_the_day(office: Office, at_work: list[int]) -> dict[str, tuple[int, int]]:
    """The counters at work call as the estimate assumes: each free one calls its next visitor at once, in the order
    of their ids, and each visitor takes exactly PER_TICKET (the default time: the recent history stays it).
    {label: (moment of its call in seconds from now, the counter that called it)}."""
    called: dict[str, tuple[int, int]] = {}
    free = dict.fromkeys(at_work, 0)
    start = office.clock.now
    while free:
        moment = min(free.values())
        office.clock.now = start + timedelta(seconds=moment)
        for cid in sorted(c for c, at in free.items() if at == moment):  # those done first, then those free
            if office.holding()[cid] is not None:
                office.act(cid, "resolve", solution="Dijelaskan.")
        for cid in sorted(c for c, at in free.items() if at == moment):
            ticket = office.act(cid, "call-next")["ticket"]
            if ticket is None:
                del free[cid]
                continue
            called[ticket["label"]] = (moment, cid)
            office.act(cid, "start")
            free[cid] = moment + PER_TICKET
    return called


def check_played_out(line, officers, one_line) -> None:
    office = Office(one_line)
    try:
        with office.store.write() as tx:
            for cid in sorted(officers):
                tx.claim_counter(cid, 1, "admin", office.clock())
        for service, priority in line:
            office.issue(service, priority)
        told_now = {label: told(v) for label, v in office.waiting().items()}
        order = office.line()
        called = play_the_day(office, sorted(officers) or [1, 2, 3])
        sequence = sorted(called, key=lambda label: (called[label][0], called[label][1]))
        for label, (ahead, wait) in told_now.items():
            if label not in called:
                continue  # no counter at work serves it
            service = office.views()[label]["service"]
            moment, _ = called[label]
            before = sequence[: sequence.index(label)]
            own = [b for b in before if office.views()[b]["service"] == service]
            others = [
                b
                for b in before
                if office.views()[b]["service"] != service
                and called[b][0] < moment
                and service in office.counters[called[b][1]]
            ]
            assert (ahead, wait) == (len(own) + len(others), moment), (label, order, called, told_now)
    finally:
        office.close()


@FAST
@given(days())
def test_the_day_played_out_calls_before_each_ticket_what_it_was_told(day):
    check_played_out(*day)


# -- services of different recent times ----------------------------------------------------------------------------


@st.composite
def mixed_days(draw):
    """Each service's minutes a visitor took today (the history: a few served of some services), a line taken
    after them (service, priority), the counters officers hold, those left calling someone, one line for all or
    the demo office's counters."""
    minutes = draw(st.fixed_dictionaries({code: st.sampled_from([1, 5, 12, 25, 40]) for code in SERVICES}))
    served = draw(st.lists(st.sampled_from(SERVICES), max_size=8))
    line = draw(st.lists(st.tuples(st.sampled_from(SERVICES), st.booleans()), min_size=1, max_size=12))
    officers = draw(st.sets(st.sampled_from([1, 2, 3])))
    return minutes, served, line, officers, draw(st.sets(st.sampled_from([1, 2, 3]))), draw(st.booleans())


def check_mixed_day(minutes, served, line, officers, calling, one_line) -> None:
    office = Office(one_line)
    try:
        for code in served:  # each served at a counter of its service, in its service's minutes
            label = office.issue(code)
            counter = min(cid for cid, codes in office.counters.items() if code in codes)
            office.act(counter, "call", ticket=label)
            office.act(counter, "start")
            office.clock.advance(minutes=minutes[code])
            office.act(counter, "resolve", solution="Dijelaskan.")
        with office.store.write() as tx:
            for cid in sorted(officers):
                tx.claim_counter(cid, 1, "admin", office.clock())
        for service, priority in line:
            buttons = {s["code"]: s["estimated_wait_s"] for s in office.svc.snapshot()["services"]}
            label = office.issue(service, priority)
            if not priority:  # the kiosk's button said what the ticket says
                assert office.views()[label]["estimated_wait_s"] == buttons[service], (label, buttons)
        for cid in sorted(calling & (officers or {1, 2, 3})):  # busy with a visitor: free in half its time
            office.act(cid, "call-next")
        waiting = office.waiting()
        check_order(waiting, office.line(), one_line)
        listed = {t["label"]: t["place"] for t in office.svc.today_tickets() if t["status"] == "waiting"}
        assert listed == {lb: {k: v[k] for k in ("position", "ahead", "estimated_wait_s")} for lb, v in waiting.items()}
    finally:
        office.close()


@FAST
@given(mixed_days())
@example(({"A": 5, "B": 5, "C": 25}, [*"CCCAAA"], [("C", False)] * 3 + [("A", False)], {1}, set(), True))
def test_behind_a_slow_service_s_visitor_nobody_is_told_a_shorter_wait(day):
    check_mixed_day(*day)


# -- the morning: officers sitting down one by one -----------------------------------------------------------------


@st.composite
def mornings(draw):
    """The counters officers took on the office's last working day, a line taken before anyone is in this morning
    (service, priority), the order in which those officers take their counters again, and one line for all or the
    demo office's counters."""
    yesterday = draw(st.sets(st.sampled_from([1, 2, 3]), min_size=1))
    line = draw(st.lists(st.tuples(st.sampled_from(SERVICES), st.booleans()), min_size=1, max_size=12))
    return yesterday, line, draw(st.permutations(sorted(yesterday))), draw(st.booleans())


def check_morning(yesterday, line, arrivals, one_line) -> None:
    office = Office(one_line)
    officers = {
        cid: {"id": cid, "username": f"petugas{cid}", "role": "officer", "counter_id": None} for cid in (1, 2, 3)
    }
    try:
        office.clock.advance(days=-1)
        for cid in sorted(yesterday):  # the last working day: they took their counters, and left
            office.svc.claim_counter(cid, officers[cid])
            office.svc.release_counter(cid, officers[cid])
        office.clock.advance(days=1, minutes=-65)  # 07:55 today
        for service, priority in line:
            office.issue(service, priority)
        office.clock.advance(minutes=5)
        for cid in arrivals:  # one every few minutes, well inside the morning
            before = office.waiting()
            office.svc.claim_counter(cid, officers[cid])
            after = office.waiting()
            assert {lb: told(v) for lb, v in after.items()} == {lb: told(v) for lb, v in before.items()}, cid
            office.clock.advance(minutes=4)
    finally:
        office.close()


@FAST
@given(mornings())
def test_an_officer_sitting_down_in_the_morning_changes_no_visitor_s_wait(morning):
    """Each officer who took a counter the last working day takes it again this morning: no waiting visitor is told
    another wait (before, the first one in made every wait that of one counter, the others' arrivals shorter again)."""
    check_morning(*morning)


# -- lunch: every officer on a break, a counter nobody took ----------------------------------------------------------


@pytest.mark.parametrize("one_line", [False, True], ids=["demo", "one-line"])
def test_officers_all_on_a_break_count_not_the_counter_nobody_took(one_line):
    """At lunch every officer paused their counter, and a counter nobody took all day was not paused: the estimate
    counted that empty counter alone (the counters not paused came first, then those with an officer among them, and
    none was left), and the 10th visitor's ~22 minutes became ~82. Officers on a break come back: the estimate counts
    their counters, as it does when every counter is paused."""
    office = Office(one_line)
    try:
        officer = {"id": 1, "username": "budi", "role": "officer", "counter_id": None}
        for cid in (1, 2):
            office.svc.claim_counter(cid, officer)
        for _ in range(8):
            office.issue("A")
        before = {label: told(v) for label, v in office.waiting().items()}
        for cid in (1, 2):
            office.act(cid, "pause")
        assert {label: told(v) for label, v in office.waiting().items()} == before
    finally:
        office.close()


# -- after the hours: nobody left to call ------------------------------------------------------------------------------

WIB = ZoneInfo("Asia/Jakarta")
DAY = datetime(2026, 11, 28, tzinfo=WIB)  # conftest Clock's day (a Saturday)


@st.composite
def hours_days(draw):
    """The Clock's day's service ranges (none: a closed day), whether it is a holiday, the kiosk's last_ticket_minutes,
    the moment looked at (minutes after midnight), the counters an officer holds then (and of them those on a break),
    and a line of visitors."""
    cuts = sorted(draw(st.sets(st.integers(1, 47), max_size=4)))  # half hours
    ranges = [(cuts[i] * 30, cuts[i + 1] * 30) for i in range(0, len(cuts) - 1, 2)]
    held = draw(st.sets(st.sampled_from([1, 2, 3])))
    paused = draw(st.sets(st.sampled_from(sorted(held)))) if held else set()
    line = draw(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=6))
    moment = draw(st.integers(1, 24 * 60 - 1))
    return ranges, draw(st.booleans()), draw(st.sampled_from([0, 15])), moment, held, paused, line


@FAST
@given(hours_days())
@example(([(480, 960)], False, 15, 17 * 60, set(), set(), ["A", "A"]))  # 17.00, everyone gone: it said "segera"
def test_nobody_to_call_today_is_told_exactly_when_no_officer_is_in_and_the_day_s_hours_are_over(day):
    ranges, holiday, last_ticket, moment, held, paused, line = day
    hhmm = lambda m: f"{m // 60:02d}:{m % 60:02d}"  # noqa: E731
    saturday = ", ".join(f"{hhmm(a)}-{hhmm(b)}" for a, b in ranges)
    days = "".join(f'{d} = "08:00-16:00"\n' for d in ("monday", "tuesday", "wednesday", "thursday", "friday"))
    extra = f'\n[hours]\n{days}saturday = "{saturday}"\nsunday = ""\nlast_ticket_minutes = {last_ticket}\n'
    extra += 'holidays = ["2026-11-28"]\n' if holiday else ""
    office = Office(extra=extra)
    try:
        office.clock.now = DAY  # the day's first moment: the front office registers the line (at any hour)
        for service in line:
            office.issue(service)
        places = {label: view["ahead"] for label, view in office.waiting().items()}
        office.clock.now = DAY + timedelta(minutes=moment)
        officer = {"id": 1, "username": "budi", "role": "officer", "counter_id": None}
        for cid in sorted(held):
            office.svc.claim_counter(cid, officer)
        for cid in sorted(paused):
            office.act(cid, "pause")
        now = office.clock()
        to_come = not holiday and any(moment < end for _, end in ranges)
        kiosk_open = hours.status(office.settings.hours, now, WIB).open
        assert not kiosk_open or to_come
        nobody = not held and not to_come
        for label, view in office.waiting().items():
            assert view["position"] == view["ahead"] + 1
            if not held:  # the same counters as at the day's first moment: the same place, told whatever the hour
                assert view["ahead"] == places[label], (label, view)
            if nobody:
                assert view["no_service"] == ("closed" if holiday or not ranges else "ended"), (label, view)
                assert view["estimated_wait_s"] is None
                opening = hours.status(office.settings.hours, now, WIB).next_opening
                assert (view["reopens"] or {}).get("at") == (opening.astimezone(UTC).isoformat() if opening else None)
            else:
                assert view["no_service"] is None and isinstance(view["estimated_wait_s"], int), (label, view)
    finally:
        office.close()
