"""The place-in-line playout (server.service.views.play_out) against the first way it was written: a scan of
the line for each call, kept here as the oracle. The playout now takes each counter's next call from the
heads of its services' lines and the counters' turns from a heap (a line of 1,000 took 5 ms, twice per number
taken); what it says must not change, for any line, any counters, any moments they are free and any time each
service's ticket takes (each ticket at its own service's time)."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server import core
from server.service.views import LINE_END, OneLineSteps, one_line_turn, place_in_one_line, play_out

SERVICES = "ABC"


def oracle(queue, service, serves, free_at, took):
    queue, free_at = list(queue), dict(free_at)
    taken = same = others_before = others_now = 0
    moment = 0.0
    while free_at:
        cid = min(free_at, key=lambda k: (free_at[k], k))
        pick = next((i for i, (_, code) in enumerate(queue) if code in serves[cid]), None)
        if pick is None:
            del free_at[cid]
            continue
        tid, code = queue.pop(pick)
        if free_at[cid] > moment:
            moment, others_before, others_now = free_at[cid], others_before + others_now, 0
        if code == service:
            yield tid, same + others_before, int(math.ceil(free_at[cid]))
            same += 1
        elif service in serves[cid]:
            others_now += 1
        taken += 1
        free_at[cid] += took[code]
    for tid, code in queue:
        if code == service:
            yield tid, taken, 0
    yield LINE_END, taken, 0


@st.composite
def offices(draw):
    codes = draw(st.lists(st.sampled_from(SERVICES), max_size=60))
    queue = [(i + 1, code) for i, code in enumerate(codes)]
    if draw(st.booleans()):
        queue.append((None, draw(st.sampled_from(SERVICES))))  # a number taken now, at the end
    counters = draw(st.lists(st.sets(st.sampled_from(SERVICES), min_size=1), max_size=6))
    serves = {cid: set(s) for cid, s in enumerate(counters, start=1)}
    took = draw(times())
    busy = draw(st.dictionaries(st.sampled_from(list(serves) or [0]), st.sampled_from(SERVICES)))
    free_at = {cid: took[busy[cid]] / 2 if cid in busy else 0.0 for cid in serves}
    return queue, draw(st.sampled_from(SERVICES)), serves, free_at, took


def times():
    """Each service's time a ticket: all the same (no history yet), or each its own."""
    seconds = st.sampled_from([300.0, 900.0, 612.5, 1500.0, 0.1 + 0.2])
    same = seconds.map(lambda t: dict.fromkeys(SERVICES, t))
    return st.one_of(same, st.fixed_dictionaries({code: seconds for code in SERVICES}))


@settings(max_examples=400, deadline=None)
@given(offices())
def test_the_playout_says_what_the_scan_of_the_line_said(office):
    assert list(play_out(*office)) == list(oracle(*office))


def test_a_long_line_with_counters_sharing_services():
    """The shapes an office has, in a line far longer than its day: two counters for A, one for A and B, one
    for C; some busy."""
    queue = [(i, "ABAC"[i % 4] if i % 7 else "B") for i in range(1, 1201)] + [(None, "B")]
    serves = {1: {"A"}, 2: {"A"}, 3: {"A", "B"}, 4: {"C"}}
    free_at = {1: 0.0, 2: 450.0, 3: 0.0, 4: 450.0}
    took = {"A": 300.0, "B": 900.0, "C": 1500.0}
    for service in "ABC":
        got = list(play_out(queue, service, serves, free_at, took))
        assert got == list(oracle(queue, service, serves, free_at, took))
        assert got[-1][0] is LINE_END and got[-1][1] == len(queue)


# -- one line for all: stepped over the line's services, not played out ------------------------------------------


@st.composite
def one_line_offices(draw):
    """Every counter at work serves every service of the line; counters free at any moments (some together,
    some meeting later: one free at 0, one at a whole ticket's time); each service's ticket its own time, or all
    the same."""
    codes = draw(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=150))
    queue = [(i + 1, code) for i, code in enumerate(codes)]
    per_ticket = draw(st.sampled_from([300.0, 900.0, 612.5, 0.1 + 0.2, 1e-3]))
    took = draw(
        st.one_of(
            st.just(dict.fromkeys(SERVICES, per_ticket)),
            st.fixed_dictionaries(
                {code: st.sampled_from([per_ticket, per_ticket * 5, 1500.0, 0.7]) for code in SERVICES}
            ),
        )
    )
    moments = st.one_of(
        st.sampled_from([0.0, per_ticket / 2, per_ticket, 2 * per_ticket]),
        st.floats(min_value=0, max_value=5 * per_ticket, allow_nan=False),
    )
    free_at = draw(st.dictionaries(st.integers(1, 12), moments, min_size=1, max_size=8))
    serves = {cid: set(SERVICES) for cid in free_at}
    return queue, draw(st.sampled_from(SERVICES)), serves, free_at, took


def counted(queue, index, service, free_at, took, steps=None):
    """place_in_one_line for queue[index] (or, index = len(queue), a number taken now of `service`), from the
    string of services the store gives it (a service's code is its mark here)."""
    line = "".join(code for _, code in queue[:index])
    return place_in_one_line(line, service, took, free_at, steps)


@settings(max_examples=400, deadline=None)
@given(one_line_offices(), st.booleans())
def test_one_line_for_all_counted_says_what_the_playout_says(office, shared_steps):
    """Also when each answer takes up the steps of the one before (as the server does: the next number's line
    begins as this one's), asked in any order."""
    queue, service, serves, free_at, took = office
    steps = OneLineSteps() if shared_steps else None
    played = {tid: (ahead, seconds) for tid, ahead, seconds in play_out(queue, service, serves, free_at, took)}
    order = list(enumerate(queue))
    if shared_steps:
        order = order[::2] + order[1::2][::-1]
    for index, (tid, code) in order:
        if code == service:
            assert counted(queue, index, service, free_at, took, steps) == played[tid]
    new = [*queue, (None, service)]  # a number taken now
    with_new = {tid: (a, s) for tid, a, s in play_out(new, service, serves, free_at, took)}
    assert counted(queue, len(queue), service, free_at, took, steps) == with_new[None]


def test_each_ticket_ahead_counts_at_its_own_service_s_time():
    """One counter; C takes 25 minutes, A 5: the first A visitor behind three C visitors is called after 3 x 25
    minutes, not 3 x 5 (each ticket ahead was counted at the asker's service's time); and two counters call
    the line in its order, each free again after its own visitor's time: who came first decides, not only how
    many of each."""
    took = {"A": 300.0, "C": 1500.0}
    assert one_line_turn("CCC", took, [0.0]) == (3 * 1500.0, 3)
    assert place_in_one_line("CCC", "A", took, {1: 0.0}) == (3, 3 * 1500)
    assert place_in_one_line("CCCA", "A", took, {1: 0.0}) == (4, 3 * 1500 + 300)
    # two counters free now: C-001 and A-001 at once, A-002 at 5 min, A-003 at 10 min (the other busy with C)
    assert [one_line_turn("CAA"[:n], took, [0.0, 0.0])[0] for n in range(4)] == [0.0, 0.0, 300.0, 600.0]
    # A, A first: both free at 5 min, C-001 then and the next at the same moment (only the two As before it)
    assert one_line_turn("AAC", took, [0.0, 0.0]) == (300.0, 2)
    assert one_line_turn("CAA", took, [0.0, 0.0]) == (600.0, 3)
    assert one_line_turn("AACA", took, [0.0, 0.0]) == (600.0, 4)
    assert one_line_turn("CAAA", took, [0.0, 0.0]) == (900.0, 4)
    # the calls at the same moment as this one's are not before it: at once, then the third
    assert one_line_turn("A", took, [0.0, 0.0]) == (0.0, 0)


def test_the_next_answer_takes_up_the_steps_of_the_last_line():
    """A number taken, its slip, the next number: each steps on from the line before, and says what stepping the
    whole line says; a line that begins otherwise, or other counters or times, starts again."""
    took = {"A": 300.0, "B": 700.0, "C": 1500.0}
    line = "".join("ABCAAB"[i % 6] if i % 11 else "C" for i in range(700))
    steps = OneLineSteps()
    for n in (300, 300, 301, 700, 150, 699, 700):
        assert one_line_turn(line[:n], took, [0.0, 450.0, 0.0], steps) == one_line_turn(
            line[:n], took, [0.0, 450.0, 0.0]
        )
    assert steps.kept is not None and steps.kept[1] == line
    other = "B" + line[1:]
    assert one_line_turn(other, took, [0.0, 450.0, 0.0], steps) == one_line_turn(other, took, [0.0, 450.0, 0.0])
    faster = {**took, "C": 1200.0}
    assert one_line_turn(other, faster, [0.0, 450.0, 0.0], steps) == one_line_turn(other, faster, [0.0, 450.0, 0.0])
    assert one_line_turn(other, faster, [0.0, 0.0], steps) == one_line_turn(other, faster, [0.0, 0.0])


def test_the_store_counts_the_line_as_the_playout_reads_it(tmp_path, monkeypatch):
    """Views.place_in_line on a real day where every counter serves A, B and C: priority lanes, a skipped
    visitor back in the line between two others, a transfer to the front of another line, a paused counter,
    busy ones, officers holding some, each service's recent time its own: for every waiting ticket and a number
    taken now of each service, the answer stepped over the line's services (one string from the queue index) is
    the playout's, and the line's rows are never read."""
    from conftest import Clock, visitor, write_config

    from server.config import load_settings
    from server.service import QueueService
    from server.store import Store, Tx

    every = '["A", "B", "C"]'
    cfg = write_config(
        tmp_path,
        replace={'services = ["A", "C"]': f"services = {every}", 'services = ["B", "C"]': f"services = {every}"},
    )
    cfg.write_text(cfg.read_text().replace('services = ["A", "B"]', f"services = {every}"))
    settings_ = load_settings(cfg)
    assert all(set(c.services) == set(SERVICES) for c in settings_.counters)
    clock = Clock()
    store = Store(settings_.server.database)
    svc = QueueService(settings_, store, clock=clock)
    rng = random.Random(13)
    for i in range(60):
        svc.issue(visitor(name=f"V{i}", service=rng.choice(SERVICES), priority=rng.random() < 0.35), printed=False)
        clock.advance(seconds=rng.randint(5, 60))
        if i % 9 == 8:  # a counter calls, serves and finishes one: service times for the estimate
            cid = rng.randint(1, 3)
            for action, payload in (("call-next", {}), ("start", {}), ("resolve", {"solution": "ok"})):
                svc.counter_action(cid, action, payload, "budi")
                clock.advance(seconds=rng.randint(60, 900))
    svc.counter_action(1, "call-next", {}, "budi")
    for action in ("recall", "recall", "skip"):  # its calls had, back in the line behind the next one
        svc.counter_action(1, action, {}, "budi")
    svc.counter_action(1, "call-next", {}, "budi")
    svc.counter_action(1, "start", {}, "budi")
    svc.counter_action(1, "transfer", {"service": "B"}, "budi")  # to the front of B's line
    svc.counter_action(2, "call-next", {}, "budi")  # busy: free in half its visitor's time
    with store.read() as tx:
        took = svc.views.service_times(tx, set())
    assert len({took[code] for code in SERVICES}) == 3, took  # each service's time its own
    with store.read() as tx:  # services of two or three letters are written as a character each
        plain = tx.line_services(svc.unit.day(), SERVICES, None, None, None)
        marked = tx.line_services(svc.unit.day(), SERVICES, ("\u0100", "\u0101", "\u0102"), None, None)
    assert marked == (plain[0].translate(str.maketrans("ABC", "\u0100\u0101\u0102")), 0) and len(plain[0]) > 30

    def answers():
        with store.read() as tx:
            waiting = tx.tickets_with_status((core.WAITING,))
            played = {}
            for code in SERVICES:
                for tid, ahead, seconds in svc.views._playout(tx, code, True):
                    played[(code, tid)] = (ahead, seconds)
            want = {(t.service, t.id): played[(t.service, t.id)] for t in waiting}
            want.update({(code, None): played[(code, None)] for code in SERVICES})
            with monkeypatch.context() as m:
                m.setattr(Tx, "waiting_line", lambda *a: pytest.fail("the line was read"), raising=False)
                got = {(code, tid): svc.views.place_in_line(tx, code, tid) for code, tid in want}
        return got, want

    for step in ("all free to call", "officers hold two", "one paused"):
        if step == "officers hold two":
            with store.write() as tx:
                tx.claim_counter(1, 1, "admin", clock())
                tx.claim_counter(3, 1, "admin", clock())
        if step == "one paused":
            svc.counter_action(3, "pause", {}, "budi")
        got, want = answers()
        assert len(want) > 30
        assert got == want, step
    store.close()
