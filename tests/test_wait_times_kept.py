"""The recent service times every estimate counts with (server/service/views.py Views.service_times): read once and
kept while only events that finish no ticket come (TIMES_KEPT). Each look at them reads only the events come since
the look before, not every event since they were read (the morning, 1,000 numbers taken and nobody served: 0.15 ms
a look, two a number); and what is kept is never told after a change of the times: a finish, an escalation closed or
opened again, a transfer, the day's turn, a transaction rolled back after its look, a look on an older snapshot
(docs/performance.md, "The service times looked at from the last look")."""

from __future__ import annotations

import threading

import pytest
from conftest import visitor

from server.service.views import Views, service_time, service_times
from server.store import Tx

CODES = {"A", "B", "C"}


def fresh(service) -> dict[str, float]:
    """Each service's time as read now, nothing kept."""
    with service.store.read() as tx:
        return service_times(tx, CODES)


def kept(service) -> dict[str, float]:
    """Each service's time as the estimates take it (kept, or read afresh)."""
    with service.store.read() as tx:
        return service.views.service_times(tx, set())


def truth(service, token: str) -> int:
    """A waiting ticket's estimate as a server started now says it (nothing kept)."""
    views = Views(service.unit, lambda now: {}, lambda: None)
    with service.store.read() as tx:
        return views.ticket_status_view(tx, tx.ticket_by_token(token))["estimated_wait_s"]


def issue(service, code: str, name: str) -> dict:
    return service.issue(visitor(name=name, service=code), printed=False).body["ticket"]


def serve(service, clock, counter: int, minutes: int, outcome: str = "resolve") -> None:
    payload = {"note": "Ke LKPP"} if outcome == "escalate" else {"solution": "Selesai"}
    service.counter_action(counter, "call-next", {}, "budi")
    service.counter_action(counter, "start", {}, "budi")
    clock.advance(minutes=minutes)
    service.counter_action(counter, outcome, payload, "budi")


def test_each_look_at_the_kept_times_reads_only_the_events_come_since_the_look_before(service, clock, monkeypatch):
    """Forty numbers taken after the last finish, and a phone's look now and then: every look at the kept times reads
    the events after the look before, not every one since the finish (40 at the 40th number)."""
    issue(service, "A", "First")
    serve(service, clock, 1, 4)
    looks: list[tuple[int, int]] = []  # (the seq the look read the events after, the last seq it saw)
    real = Tx.only_events_since

    def look(tx, seq, types):
        looks.append((seq, tx.last_seq()))
        return real(tx, seq, types)

    monkeypatch.setattr(Tx, "only_events_since", look)
    tokens = []
    for i in range(40):
        tokens.append(issue(service, "ABC"[i % 3], f"V{i}")["token"])
        if i % 10 == 9:
            service.ticket_status(tokens[i // 2])  # a phone's look: nothing new since the number's
    assert len(looks) == 44
    read = [last - seq for seq, last in looks[1:]]  # (the first: every event since the finish's look)
    # the number's own `issued` and the one before's (a look in a command keeps only what was committed before its
    # transaction: its own events may be rolled back); a phone's look, the last number's
    assert max(read) <= 2, read
    assert kept(service) == fresh(service)
    last = issue(service, "B", "Last")
    assert last["estimated_wait_s"] == truth(service, last["token"])


def test_the_kept_times_are_the_times_after_every_change_of_them(service, clock):
    """A day of changes, each followed by the times as the estimates take them and a number's estimate: both what a
    server started afresh would say."""

    def check(code: str = "A") -> None:
        assert kept(service) == fresh(service)
        ticket = issue(service, code, f"Check {code}")
        assert ticket["estimated_wait_s"] == truth(service, ticket["token"])
        clock.advance(seconds=30)

    for i in range(6):
        issue(service, "ABC"[i % 3], f"V{i}")
    check()  # nobody served yet: the default time
    serve(service, clock, 1, 4)  # a finish
    check()
    serve(service, clock, 2, 9, "escalate")  # an escalation: served too
    check("B")
    escalated = [t for t in service.today_list()["tickets"] if t["status"] == "escalated"][0]["label"]
    service.close_escalation(escalated, {"answer": "Dijawab LKPP", "lkpp_ticket": "LKPP-1"}, "admin")
    check()
    service.reopen_escalation(escalated, "admin")
    check()
    service.counter_action(3, "call-next", {}, "budi")
    for action in ("recall", "recall", "skip"):  # its calls had: back in the line
        service.counter_action(3, action, {}, "budi")
    check("C")
    service.counter_action(1, "call-next", {}, "budi")
    service.counter_action(1, "start", {}, "budi")
    clock.advance(minutes=3)
    service.counter_action(1, "transfer", {"service": "B"}, "budi")  # partly served
    check("B")
    waiting = [t for t in service.today_list()["tickets"] if t["status"] == "waiting"]
    service.cancel(waiting[-1]["label"], "rina")
    check()
    service.counter_action(2, "pause", {}, "budi")
    check()
    service.counter_action(2, "resume", {}, "budi")
    serve(service, clock, 2, 6)
    check("A")
    clock.advance(days=1)  # the day's turn (yesterday's leftovers expired) in the next number's transaction
    check("C")
    issue(service, "A", "Today")
    serve(service, clock, 1, 2)
    check()


def test_a_look_in_a_transaction_rolled_back_keeps_nothing_past_what_was_committed(service, clock, monkeypatch):
    """A number's estimate looked at the kept times in its transaction, which was then rolled back (a shared
    transaction whose later command failed, a full disk): the seqs of its events are taken again by the next
    changes, a finish among them. The times kept are those before that transaction: the finish is read."""
    issue(service, "A", "First")
    serve(service, clock, 1, 4)
    issue(service, "A", "Second")
    service.counter_action(1, "call-next", {}, "budi")
    service.counter_action(1, "start", {}, "budi")
    assert kept(service) == fresh(service)
    real = Tx.remember_answer
    failed: list[bool] = []

    def fail_once(tx, *args):
        if not failed:
            failed.append(True)
            raise RuntimeError("disk I/O error")
        return real(tx, *args)

    monkeypatch.setattr(Tx, "remember_answer", fail_once)
    with pytest.raises(RuntimeError):
        issue(service, "B", "Rolled back")  # its `issued` looked at the times, then was rolled back
    with service.store.read() as tx:
        before = tx.last_seq()
    clock.advance(minutes=11)
    service.counter_action(1, "resolve", {"solution": "Selesai"}, "budi")  # the seq the number had
    service.counter_action(2, "pause", {}, "budi")
    with service.store.read() as tx:
        assert tx.last_seq() == before + 2
    assert kept(service) == fresh(service)
    assert kept(service)["A"] == service_time([11 * 60.0, 4 * 60.0])  # the second visitor's eleven minutes counted


def test_a_look_on_an_older_snapshot_says_its_own_times_and_the_next_look_the_new_ones(service, clock):
    """A read transaction opened before a finish (a phone's look while an officer finishes) looks after a newer one
    moved the kept times past the finish: it says the times of its snapshot, and the look after it the new ones."""
    issue(service, "A", "First")
    serve(service, clock, 1, 4)
    issue(service, "A", "Second")
    assert kept(service) == fresh(service)
    opened, go, done = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, dict[str, float]] = {}

    def phone() -> None:
        with service.store.read() as tx:
            tx.last_seq()  # its snapshot: before the finish
            opened.set()
            assert go.wait(10)
            seen["looked"] = service.views.service_times(tx, set())
            seen["fresh"] = service_times(tx, CODES)
        done.set()

    thread = threading.Thread(target=phone)
    thread.start()
    try:
        assert opened.wait(10)
        old = fresh(service)
        serve(service, clock, 1, 10)  # the second visitor's ten minutes
        new = fresh(service)
        assert new != old
        assert kept(service) == new  # the kept times moved past the finish
    finally:
        go.set()
        thread.join(10)
    assert done.is_set()
    assert seen["looked"] == seen["fresh"] == old
    assert kept(service) == new == fresh(service)
