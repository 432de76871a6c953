"""Which ticket each counter's "Panggil berikutnya" takes next, as the server tells the staff pages (the staff
snapshot's counters[].next, and `next` on the staff events that change the line), and the refusal of a call
of a ticket another counter took first. The pages mark it; whether the mark is true is decided here: every
call-next calls the ticket the snapshot named just before, whatever happened in between."""

from __future__ import annotations

import random
from functools import partial

import pytest
from conftest import login, visitor

from server.errors import AntrianError, QueueError
from server.realtime import public_message, staff_message

COUNTER_SERVICES = {1: ("A", "C"), 2: ("A", "B"), 3: ("B", "C")}  # config.toml's counters


def nexts(svc) -> dict[int, str | None]:
    """Each counter's next call in the staff snapshot: its ticket's label, or None."""
    return {c["id"]: c["next"] and c["next"]["label"] for c in svc.snapshot(staff=True)["counters"]}


def issue(svc, name: str, service: str, priority: bool = False) -> str:
    return svc.issue(visitor(name=name, service=service, priority=priority), printed=False).body["ticket"]["label"]


def act(svc, counter: int, action: str, **payload):
    return svc.counter_action(counter, action, payload, "budi").body


# What a counter action needs beside the ticket it acts on (a refusal must be for the rule, not a missing field).
BODIES = {"resolve": {"solution": "Dijelaskan."}, "transfer": {"service": "A"}, "escalate": {"note": "Ke LKPP."}}


def refused_move(rng, svc, counter: int, held: dict | None, tickets: dict) -> tuple[str, partial] | None:
    """A move the rules refuse at `counter` now, and the error docs/api.md gives it (counter actions, cancel,
    form): (code, the move), or None when no such move fits the moment."""
    waiting = [t for t in tickets.values() if t["status"] == "waiting"]
    options = []
    if held is None:  # the counter holds no ticket: nothing to start, recall, skip or finish
        action = rng.choice(["start", "recall", "skip", "resolve", "escalate", "transfer"])
        options.append(("no_ticket", partial(act, svc, counter, action, **BODIES.get(action, {}))))
        taken = [t for t in tickets.values() if t["status"] in ("called", "serving")]  # at another counter
        if taken:
            ticket = rng.choice(taken)["label"]
            options.append(("ticket_not_waiting", partial(act, svc, counter, "call", ticket=ticket)))
        foreign = [t for t in waiting if t["service"] not in COUNTER_SERVICES[counter]]
        if foreign:
            ticket = rng.choice(foreign)["label"]
            options.append(("service_not_at_counter", partial(act, svc, counter, "call", ticket=ticket)))
    elif held["status"] == "called" and "skip" not in held["actions"]:  # calls left: the visitor may still come
        options.append(("counter_calling", partial(act, svc, counter, "call-next")))
        options.append(("calls_remaining", partial(act, svc, counter, "skip")))
        mine = [t for t in waiting if t["service"] in COUNTER_SERVICES[counter]]
        if mine:
            options.append(("counter_calling", partial(act, svc, counter, "call", ticket=rng.choice(mine)["label"])))
    elif held["status"] == "called":  # every call made
        options.append(("calls_exhausted", partial(act, svc, counter, "recall")))
    elif held["status"] == "serving":
        options.append(("counter_serving", partial(act, svc, counter, "call-next")))
        options.append(("transfer_same_service", partial(act, svc, counter, "transfer", service=held["service"])))
        options.append(("invalid_transition", partial(svc.cancel, held["label"], "rina")))  # waiting or called only
    called_once = [t for t in waiting if t["first_called_at"] is not None]  # skipped, or freed by a release
    if called_once:
        t = rng.choice(called_once)
        form = {**t["form"], "service": rng.choice([s for s in "ABC" if s != t["service"]])}
        options.append(("queue_fields_locked", partial(svc.correct_form, t["label"], form, "rina", role="frontoffice")))
    return rng.choice(options) if options else None


def test_each_counter_is_told_its_next_call_by_the_calling_order_of_its_own_services(service):
    assert nexts(service) == {1: None, 2: None, 3: None}
    a1 = issue(service, "Ani", "A")
    b1 = issue(service, "Bayu", "B")
    c1 = issue(service, "Citra", "C")
    # arrival order across a counter's services: counter 1 (A, C) takes A-001, counter 3 (B, C) B-001
    assert nexts(service) == {1: a1, 2: a1, 3: b1}
    c2 = issue(service, "Dewi", "C", priority=True)  # the priority lane first, for every counter serving C
    assert nexts(service) == {1: c2, 2: a1, 3: c2}
    # the events that changed the line say the same (staff only: the public screens get no `next`)
    ev = service.events[-1]
    assert ev["type"] == "issued"
    assert staff_message(ev)["next"] == {
        "1": {"id": ev["ticket_id"], "label": c2, "service": "C"},
        "2": {
            "id": 1,
            "label": a1,
            "service": "A",
        },
        "3": {"id": ev["ticket_id"], "label": c2, "service": "C"},
    }
    assert "next" not in public_message(ev)
    assert act(service, 3, "call-next")["ticket"]["label"] == c2
    assert service.events[-1]["next"]["1"]["label"] == a1 and service.events[-1]["next"]["3"]["label"] == b1
    assert nexts(service) == {1: a1, 2: a1, 3: b1}
    assert c1  # still waiting, behind A-001 for counter 1


def test_a_ticket_skipped_after_its_calls_is_requeued_right_behind_the_next_one_as_the_mark_says(service):
    first = issue(service, "Eka", "A")
    second = issue(service, "Fajar", "C")
    third = issue(service, "Gita", "A")
    assert act(service, 1, "call-next")["ticket"]["label"] == first
    act(service, 1, "recall")
    act(service, 1, "recall")
    act(service, 1, "skip")  # three calls, no answer: requeued behind the next one (Fajar), before Gita
    assert service.events[-1]["type"] == "skipped" and service.events[-1]["next"]["1"]["label"] == second
    assert nexts(service) == {1: second, 2: first, 3: second}
    assert act(service, 1, "call-next")["ticket"]["label"] == second
    assert nexts(service)[1] == first  # the skipped one's turn, then Gita's
    act(service, 1, "start")
    act(service, 1, "resolve", solution="Dijelaskan.")
    assert act(service, 1, "call-next")["ticket"]["label"] == first
    assert nexts(service)[1] == third


def test_a_transferred_ticket_is_the_next_call_of_the_counters_of_its_new_service(service):
    waiting = issue(service, "Hadi", "A")
    moved = issue(service, "Intan", "B")
    assert act(service, 3, "call-next")["ticket"]["label"] == moved
    act(service, 3, "start")
    assert nexts(service)[1] == waiting
    act(service, 3, "transfer", service="A", note="Perlu dicek di layanan A.")
    assert service.events[-1]["next"]["1"]["label"] == moved  # ahead of A's whole line
    assert nexts(service) == {1: moved, 2: moved, 3: None}
    assert act(service, 1, "call-next")["ticket"]["label"] == moved


@pytest.mark.parametrize("seed", range(4))
def test_call_next_always_calls_the_ticket_the_staff_snapshot_named_just_before(app, service, seed):
    """Random days of issues, calls (in turn and out of turn), recalls, skips (requeues and no-shows),
    transfers, cancels, corrections of a service or a lane and counters freed by the front office: before
    every call-next the snapshot's next for that counter is read, and the call takes exactly that ticket. The
    events' `next` is always the snapshot's of the moment. A share of the steps tries what the rules refuse at
    that moment (a call at a busy counter, a skip with calls left, a ticket another counter holds, …): each is
    refused with the error the API documents for it, publishes nothing and changes nothing in the staff
    snapshot; every other step is accepted."""
    rng = random.Random(seed)
    svc = service
    frontoffice = {"id": 999, "username": "rina", "role": "frontoffice"}
    names = iter(f"Pengunjung {i}" for i in range(10_000))
    called_next = 0
    refused: list[str] = []

    def staff_state():
        snap = svc.snapshot(staff=True)
        return snap, {t["label"]: t for t in snap["tickets"]}

    snap, tickets = staff_state()
    for _ in range(250):
        told = {c["id"]: c["next"] for c in snap["counters"]}
        counter = rng.choice(list(COUNTER_SERVICES))
        held = next((t for t in tickets.values() if t["counter_id"] == counter and t["status"] != "waiting"), None)
        waiting = [t for t in tickets.values() if t["status"] == "waiting"]
        before = len(svc.events)
        move = rng.random()
        attempt = refused_move(rng, svc, counter, held, tickets) if rng.random() < 0.2 else None
        try:
            free = held is None or "call-next" in held["actions"]  # else call-next is refused: counter busy
            if attempt:
                attempt[1]()
                raise AssertionError(f"accepted what the rules refuse ({attempt[0]} expected): {seed, attempt[1]}")
            elif move < 0.35:
                issue(svc, next(names), rng.choice("ABC"), priority=rng.random() < 0.15)
            elif move < 0.6 and free:
                body = act(svc, counter, "call-next")
                got = body["ticket"]["label"] if body["ticket"] else None
                want = told[counter]["label"] if told[counter] else None
                if want is None and held and "call-next" in held["actions"]:
                    want = held["label"] if body.get("skipped", {}).get("status") == "waiting" else None
                assert got == want, (seed, counter, told[counter], body)
                called_next += 1
            elif held and held["status"] == "called":
                action = "skip" if "skip" in held["actions"] else rng.choice(["recall", "recall", "start"])
                act(svc, counter, action)
                if rng.random() < 0.1:
                    svc.release_counter(counter, frontoffice)  # a called ticket goes back to its place
            elif held and held["status"] == "serving":
                if rng.random() < 0.3:
                    to = rng.choice([s for s in "ABC" if s != held["service"]])
                    act(svc, counter, "transfer", service=to)
                else:
                    act(svc, counter, "resolve", solution="Dijelaskan.")
            elif waiting and move < 0.7:
                svc.cancel(rng.choice(waiting)["label"], "rina")
            elif waiting and move < 0.8:
                t = rng.choice(waiting)
                if t["first_called_at"] is None:
                    form = {**t["form"], "service": rng.choice("ABC"), "priority": rng.random() < 0.3}
                    svc.correct_form(t["label"], form, "rina", role="frontoffice")
            elif waiting:
                mine = [t for t in waiting if t["service"] in COUNTER_SERVICES[counter]]
                if mine and not held:
                    act(svc, counter, "call", ticket=rng.choice(mine)["label"])
        except AntrianError as refusal:  # only the moves tried for it: the walk's others are all allowed
            assert attempt, (seed, refusal)
            assert isinstance(refusal, QueueError) and refusal.code == attempt[0], (seed, refusal, attempt[1])  # 409
            assert len(svc.events) == before, refusal
            assert svc.snapshot(staff=True) == snap, (seed, refusal)  # nothing changed, tickets nor counters
            refused.append(refusal.code)
        published = svc.events[before:]
        snap, tickets = staff_state()  # after the step: the next step starts from it (nothing runs between)
        now = {str(c["id"]): c["next"] for c in snap["counters"]}
        for ev in published:
            if "next" in ev:
                assert ev["next"] == now, (seed, ev["type"])
    assert called_next >= 15
    assert len(refused) >= 30 and len(set(refused)) >= 8, refused  # the refusals' checks ran, of many rules
    kinds = {ev["type"] for ev in svc.events}
    assert {"skipped", "no_show", "transferred", "queue_corrected", "counter_released", "cancelled"} <= kinds


def test_the_next_calls_cost_the_same_lookups_whether_ten_or_two_hundred_wait(service):
    """The events' `next` read each (service, lane)'s first waiting ticket (LIMIT 1 on the queue's index), not
    the day's line: a change costs the same SQL at 10 or 200 waiting."""

    def statements_of_a_call_next() -> list[str]:
        statements: list[str] = []
        store = service.store
        original = store.write

        def traced(*args, **kwargs):
            cm = original(*args, **kwargs)

            class Traced:
                def __enter__(self):
                    tx = cm.__enter__()
                    tx.db.conn.set_trace_callback(statements.append)
                    return tx

                def __exit__(self, *exc):
                    return cm.__exit__(*exc)

            return Traced()

        store.write = traced
        try:
            act(service, 2, "call-next")
        finally:
            store.write = original
        act(service, 2, "start")
        act(service, 2, "resolve", solution="Dijelaskan.")
        return [s for s in statements if s.lstrip().upper().startswith("SELECT")]

    for i in range(10):
        issue(service, f"Pengunjung {i}", "ABC"[i % 3])
    few = statements_of_a_call_next()
    assert service.events[-1]["type"] == "resolved"
    assert any(ev.get("next") for ev in service.events[-3:])  # the call's events carried it
    for i in range(10, 200):
        issue(service, f"Pengunjung {i}", "ABC"[i % 3])
    many = statements_of_a_call_next()
    assert len(many) == len(few), (len(few), len(many))


def test_calling_a_ticket_another_counter_took_first_names_that_counter(app, client):
    h = login(app, client, "budi")
    client.post("/api/tickets", json=visitor(name="Joko"))
    client.post("/api/tickets", json=visitor(name="Kiki", service="B"))
    assert client.post("/api/counters/2/call", headers=h, json={"ticket": "A-001"}).status_code == 200
    r = client.post("/api/counters/1/call", headers=h, json={"ticket": "A-001"})
    assert r.status_code == 409
    assert r.get_json()["error"] == "ticket_not_waiting"  # the code is unchanged
    assert r.get_json()["message"] == (
        "Tiket A-001 tidak sedang menunggu (berstatus dipanggil) — sudah dipanggil di Loket 2; hanya tiket yang"
        " menunggu dapat dipanggil."
    )
    client.post("/api/counters/2/start", headers=h)
    r = client.post("/api/counters/1/call?lang=en", headers=h, json={"ticket": "A-001"})
    assert r.get_json()["message"] == (
        "Ticket A-001 is not waiting (it is being served) — already being served at Loket 2; only a waiting ticket"
        " can be called."
    )
    client.post("/api/counters/2/resolve", headers=h, json={"solution": "Dijelaskan."})
    r = client.post("/api/counters/1/call", headers=h, json={"ticket": "A-001"})
    assert r.get_json() == {
        "error": "ticket_not_waiting",
        "message": "Tiket A-001 tidak sedang menunggu (berstatus selesai); hanya tiket yang menunggu dapat dipanggil.",
        "fields": {},
    }  # no counter holds it any more: its status only, as before
