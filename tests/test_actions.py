"""A staff ticket's `actions` (core.actions): for every state a ticket can be in, exactly the counter
actions the rules accept for it, tried through the core and through the API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import login, visitor

from server import core, errors
from server.core import Rules, Ticket
from server.service.shapes import full_ticket

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
RULES = Rules(max_calls=3, max_requeues=1)


def make(status: str, calls: int = 0, queue_requeues: int = 0) -> Ticket:
    return Ticket(
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
        calls=calls,
        queue_requeues=queue_requeues,
        counter_id=1 if status in core.ACTIVE else None,
    )


def accepted_by_core(action: str, t: Ticket) -> bool:
    """Whether the core lets the counter holding `t` do `action` (for a ticket no counter holds: whether a
    free counter serving its service may call it)."""
    held = t.status in core.ACTIVE
    try:
        if action in ("call-next", "call") and held:
            core.check_counter_free(t, RULES)  # the counter may call: its ticket is skipped first
            core.skip(t, RULES, (False, 5.0), NOW)
        elif action == "call-next" or (action != "call" and not held):
            return False  # counter actions on a held ticket address the counter's ticket, never this one
        elif action == "call":
            core.call(t, 1, NOW)
        elif action == "recall":
            core.recall(t, RULES, NOW)
        elif action == "skip":
            core.skip(t, RULES, (False, 5.0), NOW)
        elif action == "start":
            core.start(t, "budi", NOW)
        elif action == "resolve":
            core.resolve(t, "Reset kata sandi", "budi", NOW)
        elif action == "escalate":
            core.escalate(t, "Perlu LKPP", "budi", NOW)
        elif action == "transfer":
            core.transfer(t, "B", 0.0, NOW)
        else:
            raise AssertionError(action)
    except errors.QueueError:
        return False
    return True


STATES = [
    (status, calls, requeues)
    for status in core.STATUSES
    for calls in (range(1, RULES.max_calls + 1) if status == core.CALLED else (0, 1, 3))
    for requeues in (0, 1)
]


@pytest.mark.parametrize("status,calls,requeues", STATES)
def test_actions_are_what_the_core_accepts(status, calls, requeues):
    t = make(status, calls, requeues)
    assert core.actions(t, RULES) == [a for a in core.TICKET_ACTIONS if accepted_by_core(a, t)]


def test_ticket_actions_are_the_api_counter_actions_but_pause():
    from server.api import COUNTER_ACTIONS

    assert set(core.TICKET_ACTIONS) == set(COUNTER_ACTIONS) - {"pause", "resume"}
    assert list(core.TICKET_ACTIONS) == [a for a in COUNTER_ACTIONS if a in core.TICKET_ACTIONS]


# -- through the API: one ticket brought into each state, then every action tried ----------
PAYLOADS = {
    "call": {"ticket": "A-002"},  # out of turn: another waiting ticket (for a held A-001)
    "resolve": {"solution": "Reset kata sandi"},
    "escalate": {"note": "Perlu LKPP"},
    "transfer": {"service": "B"},
}


def bring(app, client, clock, state: str) -> dict[str, str]:
    """Issue A-001 and A-002 and bring A-001 into `state` (counter 1 holds it when called or serving)."""
    for _ in range(2):
        assert client.post("/api/tickets", json=visitor()).status_code == 201
    h = login(app, client, "admin1", "admin")

    def post(action: str, **data) -> None:
        r = client.post(f"/api/counters/1/{action}", json=data, headers=h)
        assert r.status_code == 200, (action, r.get_json())

    if state == "waiting":
        return h
    if state == "cancelled":
        assert client.post("/api/tickets/A-001/cancel", headers=h).status_code == 200
        return h
    if state == "expired":
        clock.advance(days=1)
        assert app.extensions["antrian"].expire_old() == 2
        return h
    post("call-next")
    if state == "called":
        return h
    if state in ("called_all_calls", "no_show"):
        for _ in range(RULES.max_calls - 1):
            post("recall")
        if state == "no_show":  # skipped behind A-002, then called again (A-002 cancelled) and skipped
            post("skip")
            assert client.post("/api/tickets/A-002/cancel", headers=h).status_code == 200
            post("call-next")
            for _ in range(RULES.max_calls - 1):
                post("recall")
            post("skip")
        return h
    post("start")
    if state == "serving":
        return h
    if state == "resolved":
        post("resolve", **PAYLOADS["resolve"])
    else:
        post("escalate", **PAYLOADS["escalate"])
    if state == "closed":
        r = client.post("/api/tickets/A-001/close", headers=h, json={"answer": "Sudah", "lkpp_ticket": "TTS-9"})
        assert r.status_code == 200
    return h


def staff_view(app, label: str = "A-001") -> dict:
    service = app.extensions["antrian"]
    with service.store.read() as tx:
        t = tx.ticket_by_label("2026-11-28", label)
        return full_ticket(service.settings, t, tx.form(t.id))


API_STATES = {
    "waiting": core.WAITING,
    "called": core.CALLED,
    "called_all_calls": core.CALLED,
    "serving": core.SERVING,
    "resolved": core.RESOLVED,
    "escalated": core.ESCALATED,
    "closed": core.CLOSED,
    "cancelled": core.CANCELLED,
    "no_show": core.NO_SHOW,
    "expired": core.EXPIRED,
}
HELD = ("called", "called_all_calls", "serving")
CASES = [(s, a) for s in API_STATES for a in (core.TICKET_ACTIONS if s in HELD else ("call",))]


@pytest.mark.parametrize("state,action", CASES)
def test_actions_are_what_the_api_accepts(app, client, clock, state, action):
    h = bring(app, client, clock, state)
    view = staff_view(app)
    assert view["status"] == API_STATES[state]
    if state in HELD:  # the counter's own actions on the ticket it holds
        r = client.post(f"/api/counters/1/{action}", json=PAYLOADS.get(action, {}), headers=h)
    else:  # no counter holds it: only a call out of turn addresses it (counter 1 is free, it serves A)
        assert not view["actions"] or view["actions"] == ["call"]
        r = client.post("/api/counters/1/call", json={"ticket": view["token"]}, headers=h)
    assert r.status_code in (200, 409), r.get_json()
    assert (action in view["actions"]) == (r.status_code == 200), (view["actions"], r.get_json())


def test_staff_answers_and_lists_carry_actions_and_public_ones_do_not(app, client):
    public = client.post("/api/tickets", json=visitor()).get_json()["ticket"]
    assert "actions" not in public
    h = login(app, client, "admin1", "admin")
    assert [t["actions"] for t in client.get("/api/tickets", headers=h).get_json()["tickets"]] == [["call"]]
    r = client.post("/api/counters/1/call-next", headers=h, json={})
    assert r.get_json()["ticket"]["actions"] == ["recall", "start"]
    staff = client.get("/api/staff/state").get_json()
    assert [t["actions"] for t in staff["tickets"]] == [["recall", "start"]]
    assert staff["counters"][0]["ticket_full"]["actions"] == ["recall", "start"]
    assert "actions" not in staff["counters"][0]["ticket"]
    state = client.get("/api/state").get_json()
    assert "actions" not in state["counters"][0]["ticket"]
    assert "actions" not in client.get(f"/api/tickets/{public['token']}").get_json()["ticket"]
