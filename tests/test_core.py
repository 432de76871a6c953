"""The queue core: every transition of the ticket's life, allowed and refused."""

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server import core, errors
from server.core import Rules, Ticket

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
RULES = Rules(max_calls=3, max_requeues=1)


def make(status=core.WAITING, **kw) -> Ticket:
    base = dict(
        id=1,
        day="2026-11-28",
        service="A",
        number=1,
        label="A-001",
        token="t1",
        status=status,
        priority=False,
        position=1.0,
        created_at=NOW,
    )
    base.update(kw)
    return Ticket(**base)


def run(action: str, t: Ticket) -> Ticket:
    if action == "call":
        return core.call(t, 1, NOW)
    if action == "recall":
        return core.recall(t, RULES, NOW)
    if action == "skip":
        return core.skip(t, RULES, (False, 5.0), NOW)
    if action == "start":
        return core.start(t, "budi", NOW)
    if action == "resolve":
        return core.resolve(t, "Reset kata sandi", "budi", NOW)
    if action == "escalate":
        return core.escalate(t, "Perlu LKPP", "budi", NOW)
    if action == "close":
        return core.close_escalation(t, "Sudah diperbaiki", "TTS-1", NOW)
    if action == "cancel":
        return core.cancel(t, NOW)
    if action == "transfer":
        return core.transfer(t, "B", 0.0, NOW)
    if action == "expire":
        return core.expire(t, NOW)
    if action == "return":
        return core.return_to_line(t)
    raise AssertionError(action)


EXPECTED_TO = {
    "call": core.CALLED,
    "recall": core.CALLED,
    "skip": core.WAITING,
    "start": core.SERVING,
    "resolve": core.RESOLVED,
    "escalate": core.ESCALATED,
    "close": core.CLOSED,
    "cancel": core.CANCELLED,
    "transfer": core.WAITING,
    "expire": core.EXPIRED,
    "return": core.WAITING,
}
# The calls a ticket must have had for the guarded actions to pass the status check alone.
CALLS_FOR = {"recall": 1, "skip": 3}

TABLE = [(a, s, s in core.ALLOWED_FROM[a]) for a in core.ALLOWED_FROM for s in core.STATUSES]


@pytest.mark.parametrize("action,status,allowed", TABLE, ids=[f"{a}-from-{s}" for a, s, _ in TABLE])
def test_transition_table(action, status, allowed):
    t = make(status, calls=CALLS_FOR.get(action, 1 if status == core.CALLED else 0), counter_id=1)
    if allowed:
        assert run(action, t).status == EXPECTED_TO[action]
    else:
        with pytest.raises(errors.InvalidTransition) as err:
            run(action, t)
        assert err.value.params["status"] == status


def test_allowed_table_matches_design():
    assert core.ALLOWED_FROM["resolve"] == {core.SERVING}
    assert core.ALLOWED_FROM["cancel"] == {core.WAITING, core.CALLED}
    assert core.ALLOWED_FROM["expire"] == {core.WAITING, core.CALLED}


def test_recall_allowed_until_max_calls_then_refused():
    t = core.call(make(), 1, NOW)
    t = core.recall(t, RULES, NOW)
    t = core.recall(t, RULES, NOW)
    assert t.calls == 3
    with pytest.raises(errors.InvalidTransition) as err:
        core.recall(t, RULES, NOW)
    assert err.value.code == "calls_exhausted"


@pytest.mark.parametrize("calls", [1, 2])
def test_skip_refused_before_all_calls(calls):
    with pytest.raises(errors.InvalidTransition) as err:
        core.skip(make(core.CALLED, calls=calls, counter_id=1), RULES, (False, 9.0), NOW)
    assert err.value.code == "calls_remaining"


def test_skip_requeues_with_fresh_calls_then_no_show_after_max_requeues():
    t = make(core.CALLED, calls=3, counter_id=1)
    t = core.skip(t, RULES, (False, 7.5), NOW)
    assert (t.status, t.calls, t.requeues, t.queue_requeues, t.position, t.counter_id) == (
        core.WAITING,
        0,
        1,
        1,
        7.5,
        None,
    )
    t = core.call(t, 2, NOW)
    assert t.calls == 1
    t = core.skip(t.replace(calls=3), RULES, (False, 9.0), NOW)
    assert t.status == core.NO_SHOW


def test_zero_requeues_makes_first_skip_a_no_show():
    t = core.skip(make(core.CALLED, calls=3), Rules(max_calls=3, max_requeues=0), (False, 2.0), NOW)
    assert t.status == core.NO_SHOW


def waiting_line(*specs):
    return [
        make(id=i, label=f"{svc}-{i:03d}", service=svc, position=float(i), priority=prio, token=f"t{i}")
        for i, svc, prio in specs
    ]


def requeued(skipped, line, services, everyone=()):
    """Skip `skipped` as the commands do: behind the next, before the day's next position of any ticket."""
    nxt = core.next_for(line, services)
    positions = [t.position for t in [*line, *everyone, skipped]]
    after = min((p for p in positions if nxt and p > nxt.position), default=None)
    return core.skip(skipped, RULES, core.requeue_place(skipped, nxt, after), NOW)


def test_a_ticket_without_a_lane_is_in_its_priority_lane():
    assert make(priority=True).priority_lane is True
    assert make(priority=False).priority_lane is False
    assert make(priority=True, priority_lane=False).priority_lane is False


def test_next_is_priority_first_then_position_within_counter_services():
    line = waiting_line((1, "A", False), (2, "B", False), (3, "C", True), (4, "A", True))
    assert core.next_for(line, ["A", "C"]).id == 3
    assert core.next_for(line, ["A"]).id == 4
    assert core.next_for(line, ["B"]).id == 2
    assert core.next_for([], ["A"]) is None


def test_requeue_position_is_right_behind_the_next_ticket():
    line = waiting_line((2, "A", False), (3, "A", False), (4, "A", False))
    skipped = make(core.CALLED, id=1, position=1.0, calls=3)
    order = sorted([*line, requeued(skipped, line, ["A"])], key=core.order_key)
    assert [t.id for t in order] == [2, 1, 3, 4]


def test_requeue_behind_next_counts_tickets_of_other_services_in_between():
    line = waiting_line((2, "C", False), (3, "B", False), (4, "A", False))
    skipped = make(core.CALLED, id=1, position=1.0, calls=3)
    assert 2.0 < requeued(skipped, line, ["A", "C"]).position < 3.0


def test_requeue_lands_before_called_and_served_tickets_behind_the_next():
    line = waiting_line((2, "A", False), (4, "A", False))
    called = make(core.CALLED, id=3, position=3.0, calls=1, counter_id=2)  # may come back to the line
    skipped = make(core.CALLED, id=1, position=1.0, calls=3)
    assert 2.0 < requeued(skipped, line, ["A"], [called]).position < 3.0


def test_a_skipped_priority_visitor_follows_a_plain_next_one_in_its_lane():
    # SOP step 8: the helpdesk calls the next number; priority must not call the skipped visitor again.
    line = waiting_line((2, "A", False), (3, "A", False))
    skipped = make(core.CALLED, id=1, position=1.0, calls=3, priority=True)
    back = requeued(skipped, line, ["A"])
    assert (back.priority, back.priority_lane) == (True, False)
    assert [t.id for t in sorted([*line, back], key=core.order_key)] == [2, 1, 3]


def test_a_visitor_skipped_while_a_priority_visitor_is_next_comes_right_after_them():
    line = waiting_line((2, "A", False), (3, "A", True), (4, "A", True))
    skipped = make(core.CALLED, id=1, position=1.0, calls=3)
    back = requeued(skipped, line, ["A"])
    assert (back.priority, back.priority_lane) == (False, True)
    assert [t.id for t in sorted([*line, back], key=core.order_key)] == [3, 1, 4, 2]


def test_requeue_with_nobody_else_keeps_its_place_and_lane():
    skipped = make(core.CALLED, id=1, position=4.0, calls=3, priority=True)
    assert core.requeue_place(skipped, None, None) == (True, 4.0)
    assert core.requeue_place(skipped.replace(priority_lane=False), None, None) == (False, 4.0)


def test_between_is_strictly_between_or_none_when_floats_run_out():
    assert core.between(2.0, 3.0) == 2.5
    assert core.between(2.0, None) == 3.0
    assert core.between(None, 2.0) == 1.0
    assert core.between(None, None) == 1.0
    low = 1000.0
    assert core.between(low, math.nextafter(low, 2000.0)) is None
    nxt = make(id=2, position=low)
    assert core.requeue_place(make(core.CALLED, calls=3), nxt, math.nextafter(low, 2000.0)) is None


def test_resolve_requires_a_solution():
    t = make(core.SERVING, counter_id=1)
    for bad in (None, "", "   ", 5):
        with pytest.raises(errors.FormIncomplete) as err:
            core.resolve(t, bad, "budi", NOW)
        assert err.value.fields == {"solution": "required"}
    assert core.resolve(t, "  Reset  ", "budi", NOW).solution == "Reset"


def test_resolve_checks_category_and_priority_class():
    t = make(core.SERVING)
    with pytest.raises(errors.FormIncomplete) as err:
        core.resolve(t, "ok", "b", NOW, category="gossip", priority_class="P9", classes=["P1"])
    assert err.value.fields == {"category": "category_invalid", "priority_class": "priority_class_invalid"}
    done = core.resolve(t, "ok", "b", NOW, category="pengaduan", priority_class="P1", classes=["P1"])
    assert (done.category, done.priority_class, done.finished_at) == ("pengaduan", "P1", NOW)


def test_escalate_requires_a_note_and_close_requires_an_answer():
    t = make(core.SERVING)
    with pytest.raises(errors.FormIncomplete):
        core.escalate(t, "", "b", NOW)
    e = core.escalate(t, "Butuh LKPP", "b", NOW)
    with pytest.raises(errors.FormIncomplete):
        core.close_escalation(e, " ", None, NOW)
    c = core.close_escalation(e, "Jawaban", "TTS-77", NOW)
    assert (c.status, c.lkpp_ticket, c.lkpp_answer) == (core.CLOSED, "TTS-77", "Jawaban")
    # too long is said, not cut: a close never keeps part of what the officer typed
    with pytest.raises(errors.FormIncomplete) as err:
        core.close_escalation(e, "x" * 4001, "T" * 101, NOW)
    assert err.value.fields == {"answer": "too_long", "lkpp_ticket": "too_long"}
    assert [v.params for v in err.value.fields.values()] == [{"max": 4000, "n": 4001}, {"max": 100, "n": 101}]
    whole = core.close_escalation(e, " " + "x" * 4000 + " ", " " + "T" * 100 + " ", NOW)
    assert (whole.lkpp_answer, whole.lkpp_ticket) == ("x" * 4000, "T" * 100)


def test_transfer_goes_ahead_of_the_other_service_queue():
    line = waiting_line((2, "B", False), (3, "B", False), (4, "B", True))
    t = make(core.SERVING, counter_id=1, started_at=NOW, position=1.0, priority=True, requeues=1, queue_requeues=1)
    head = min(w.position for w in line)
    moved = core.transfer(t, "B", core.transfer_position(head, 1.0, None), NOW)
    assert 1.0 < moved.position < 2.0
    assert core.next_for([*line, moved], ["B"]).id == t.id
    assert (moved.service, moved.transferred_from, moved.counter_id) == ("B", "A", None)
    # a new turn in the new line: calls and requeues there from 0; the records keep every requeue
    assert (moved.calls, moved.queue_requeues, moved.requeues, moved.priority_lane) == (0, 0, 1, True)
    plain = core.transfer(t.replace(priority=False, priority_lane=True), "B", 1.5, NOW)
    assert plain.priority_lane is False  # the lane of its priority, not of an earlier requeue
    assert [w.id for w in sorted([*line, plain], key=core.order_key)] == [4, 1, 2, 3]  # priority still first
    with pytest.raises(errors.InvalidTransition):
        core.transfer(t, "A", 0.0, NOW)


def test_transfer_into_an_empty_line_goes_in_front_of_the_day():
    assert core.transfer_position(None, None, 3.0) == 2.0
    assert core.transfer_position(5.0, None, None) == 4.0
    assert core.transfer_position(5.0, 4.0, None) == 4.5


def test_a_transfer_goes_behind_the_visitors_transferred_before_it():
    """Behind the last of those still waiting at the front of the line (`transferred`), before the day's next
    position after it: head and first no longer decide."""
    assert core.transfer_position(5.0, 4.0, 3.0, transferred=6.0, after=7.0) == 6.5
    assert core.transfer_position(5.0, 4.0, 3.0, transferred=6.0, after=None) == 7.0
    assert core.transfer_position(None, None, None, transferred=6.0, after=math.nextafter(6.0, 7.0)) is None


def test_counter_free_rules():
    core.check_counter_free(None, RULES)
    core.check_counter_free(make(core.CALLED, calls=3), RULES)
    with pytest.raises(errors.CounterBusy) as err:
        core.check_counter_free(make(core.CALLED, calls=2), RULES)
    assert err.value.code == "counter_calling"
    with pytest.raises(errors.CounterBusy) as err:
        core.check_counter_free(make(core.SERVING), RULES)
    assert err.value.code == "counter_serving"


def test_auto_recall_due_from_stored_timestamps():
    rules = Rules(max_calls=3, max_requeues=1, auto_recall_seconds=30)
    t = make(core.CALLED, calls=1, last_called_at=NOW)
    assert core.auto_recall_due(t, rules, NOW + timedelta(seconds=29)) is None
    assert core.auto_recall_due(t, rules, NOW + timedelta(seconds=30)) == "recall"
    assert core.auto_recall_due(t.replace(calls=3), rules, NOW + timedelta(seconds=31)) == "skip"
    assert core.auto_recall_due(t, RULES, NOW + timedelta(hours=1)) is None


def test_auto_recall_due_after_the_clock_was_stepped_back_by_more_than_its_timer():
    """NTP stepped the server's clock back an hour after the call: the timer had waited an hour more. A call ahead of
    the clock by more than the timer runs out now; by less (a step of a few seconds), the timer waits on."""
    rules = Rules(max_calls=3, max_requeues=1, auto_recall_seconds=30)
    t = make(core.CALLED, calls=1, last_called_at=NOW)
    assert core.auto_recall_due(t, rules, NOW - timedelta(seconds=30)) is None
    assert core.auto_recall_due(t, rules, NOW - timedelta(seconds=31)) == "recall"
    assert core.auto_recall_due(t, rules, NOW - timedelta(hours=1)) == "recall"
    assert core.auto_recall_due(t.replace(calls=3), rules, NOW - timedelta(hours=1)) == "skip"


@pytest.mark.parametrize(
    "instant,tz,day",
    [
        (datetime(2026, 11, 27, 16, 59, tzinfo=UTC), "Asia/Jakarta", "2026-11-27"),
        (datetime(2026, 11, 27, 17, 0, tzinfo=UTC), "Asia/Jakarta", "2026-11-28"),
        (datetime(2026, 11, 27, 16, 0, tzinfo=UTC), "Asia/Makassar", "2026-11-28"),
        (datetime(2026, 11, 27, 14, 59, tzinfo=UTC), "Asia/Jayapura", "2026-11-27"),
        (datetime(2026, 11, 27, 15, 0, tzinfo=UTC), "Asia/Jayapura", "2026-11-28"),
    ],
)
def test_local_day_turns_at_the_office_midnight(instant, tz, day):
    assert core.local_day(instant, ZoneInfo(tz)) == day


def test_labels():
    assert core.label_for("A", 7) == "A-007"
    assert core.label_for("B", 1234) == "B-1234"
