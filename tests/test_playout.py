"""The place-in-line playout (server.service.views.play_out) against the first way it was written: a scan of
the line for each call, kept here as the oracle. The playout now takes each counter's next call from the
heads of its services' lines and the counters' turns from a heap (a line of 1,000 took 5 ms, twice per number
taken); what it says must not change, for any line, any counters and any moments they are free."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from server.service.views import LINE_END, play_out

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
