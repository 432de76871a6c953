"""The place-in-line playout (server.service.views.play_out) against the first way it was written: a scan of
the line for each call, kept here as the oracle. The playout now takes each counter's next call from the
heads of its services' lines and the counters' turns from a heap (a line of 1,000 took 5 ms, twice per number
taken); what it says must not change, for any line, any counters and any moments they are free."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server import core
from server.service.views import LINE_END, place_in_one_line, play_out, turn_of

SERVICES = "ABC"


def oracle(queue, service, serves, free_at, per_ticket):
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
        free_at[cid] += per_ticket
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
    per_ticket = draw(st.sampled_from([300.0, 900.0, 612.5]))
    busy = draw(st.sets(st.sampled_from(list(serves) or [0])))
    free_at = {cid: per_ticket / 2 if cid in busy else 0.0 for cid in serves}
    return queue, draw(st.sampled_from(SERVICES)), serves, free_at, per_ticket


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
    for service in "ABC":
        got = list(play_out(queue, service, serves, free_at, 900.0))
        assert got == list(oracle(queue, service, serves, free_at, 900.0))
        assert got[-1][0] is LINE_END and got[-1][1] == len(queue)


# -- one line for all: counted, not played out ---------------------------------------------------------------


@st.composite
def one_line_offices(draw):
    """Every counter at work serves every service of the line; counters free at any moments (some together,
    some meeting later: one free at 0, one at a whole ticket's time)."""
    codes = draw(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=80))
    queue = [(i + 1, code) for i, code in enumerate(codes)]
    per_ticket = draw(st.sampled_from([300.0, 900.0, 612.5, 0.1 + 0.2, 1e-3]))
    moments = st.one_of(
        st.sampled_from([0.0, per_ticket / 2, per_ticket, 2 * per_ticket]),
        st.floats(min_value=0, max_value=5 * per_ticket, allow_nan=False),
    )
    free_at = draw(st.dictionaries(st.integers(1, 12), moments, min_size=1, max_size=8))
    serves = {cid: set(SERVICES) for cid in free_at}
    return queue, draw(st.sampled_from(SERVICES)), serves, free_at, per_ticket


def counted(queue, index, service, free_at, per_ticket):
    """place_in_one_line for queue[index] (or, index = len(queue), a number taken now of `service`), from the
    counts the store gives it."""
    before = queue[:index]
    same = sum(1 for _, code in before if code == service)

    def last(n):
        assert 0 < n <= len(free_at), "at most one ticket per counter is called at its moment before it"
        return [code for _, code in before[len(before) - n :]]

    return place_in_one_line(index, same, last, service, free_at, per_ticket)


@settings(max_examples=400, deadline=None)
@given(one_line_offices())
def test_one_line_for_all_counted_says_what_the_playout_says(office):
    queue, service, serves, free_at, per_ticket = office
    played = {tid: (ahead, seconds) for tid, ahead, seconds in play_out(queue, service, serves, free_at, per_ticket)}
    for index, (tid, code) in enumerate(queue):
        if code == service:
            assert counted(queue, index, service, free_at, per_ticket) == played[tid]
    new = [*queue, (None, service)]  # a number taken now
    with_new = {tid: (a, s) for tid, a, s in play_out(new, service, serves, free_at, per_ticket)}
    assert counted(queue, len(queue), service, free_at, per_ticket) == with_new[None]


def test_turn_of_steps_counters_free_together_as_one():
    # two counters free now, one in 450 s; a ticket takes 900 s: calls at 0, 0, 450, 900, 900, 1350, ...
    free_at = {1: 0.0, 2: 0.0, 3: 450.0}
    assert [turn_of(i, free_at, 900.0) for i in range(7)] == [
        (0.0, 0),
        (0.0, 0),
        (450.0, 2),
        (900.0, 3),
        (900.0, 3),
        (1350.0, 5),
        (1800.0, 6),
    ]
    # one free at 0 and one at 900: they meet at 900 and call together from then on
    assert [turn_of(i, {1: 0.0, 2: 900.0}, 900.0) for i in range(5)] == [
        (0.0, 0),
        (900.0, 1),
        (900.0, 1),
        (1800.0, 3),
        (1800.0, 3),
    ]


def test_the_store_counts_the_line_as_the_playout_reads_it(tmp_path, monkeypatch):
    """Views.place_in_line on a real day where every counter serves A, B and C: priority lanes, a skipped
    visitor back in the line between two others, a transfer to the front of another line, a paused counter,
    busy ones, officers holding some: for every waiting ticket and a number taken now of each service, the
    answer counted from the queue index is the playout's, and the line itself is never read."""
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
    svc.counter_action(2, "call-next", {}, "budi")  # busy: free in half a ticket's time

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
