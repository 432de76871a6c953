"""A ticket or counter command's answer says the seq of the last change committed with it (docs/api.md,
"Conventions"): the number its page's live events carry, by which the page tells whether the events of
someone else's later change came before the answer (tests/test_crossing_answers.py)."""

from __future__ import annotations

from conftest import login, visitor


def last_event(service) -> dict:
    return service.events[-1]


def test_each_ticket_and_counter_command_answers_the_seq_of_its_own_last_event(app, client, service):
    kiosk = client.post("/api/tickets", json=visitor())
    assert kiosk.status_code == 201, kiosk.get_json()
    issued = kiosk.get_json()
    assert issued["seq"] == last_event(service)["seq"] and last_event(service)["type"] == "issued"
    assert set(issued) == {"ticket", "seq"}

    headers = login(app, client, "budi")
    seqs = []
    for action, body in (
        ("call-next", {}),
        ("recall", {}),
        ("start", {}),
        ("resolve", {"solution": "Reset kata sandi"}),
        ("pause", {}),
        ("resume", {}),
    ):
        r = client.post(f"/api/counters/1/{action}", json=body, headers=headers)
        assert r.status_code == 200, (action, r.get_json())
        answer = r.get_json()
        assert answer["seq"] == last_event(service)["seq"], (action, answer, last_event(service))
        seqs.append(answer["seq"])
    assert seqs == sorted(set(seqs)), seqs  # every one a change of its own, in order

    second = client.post("/api/tickets", json=visitor(name="Citra Lestari")).get_json()
    front = app.test_client()
    front_headers = login(app, front, "rina", role="frontoffice")
    cancelled = front.post(f"/api/tickets/{second['ticket']['token']}/cancel", json={}, headers=front_headers)
    assert cancelled.status_code == 200, cancelled.get_json()
    assert cancelled.get_json()["seq"] == last_event(service)["seq"] > second["seq"]


def test_a_command_that_changes_nothing_says_the_seq_the_office_is_at(app, client, service):
    headers = login(app, client, "budi")
    client.post("/api/tickets", json=visitor())
    assert client.post("/api/counters/1/pause", json={}, headers=headers).status_code == 200
    client.post("/api/tickets", json=visitor(name="Citra Lestari"))  # a later change, of another ticket
    again = client.post("/api/counters/1/pause", json={}, headers=headers)  # paused already: no event
    assert again.status_code == 200
    assert again.get_json()["counter"]["paused"] is True
    assert again.get_json()["seq"] == last_event(service)["seq"]
    assert last_event(service)["type"] == "issued"


def test_a_repeated_request_answers_the_first_answer_and_its_seq(app, client, service):
    headers = login(app, client, "budi")
    client.post("/api/tickets", json=visitor())
    first = client.post("/api/counters/1/call-next", json={"request_id": "call-1"}, headers=headers).get_json()
    called = first["seq"]
    client.post("/api/tickets", json=visitor(name="Citra Lestari"))
    repeat = client.post("/api/counters/1/call-next", json={"request_id": "call-1"}, headers=headers).get_json()
    assert repeat == first  # the first answer, as it was: its page knows from the seq how old it is
    assert last_event(service)["seq"] > called


def test_other_answers_carry_no_seq(app, client):
    """Only ticket and counter commands say it: a settings section or an account is no ticket's state."""
    headers = login(app, client, "admin", role="admin")
    created = client.post(
        "/api/admin/users", json={"username": "sari", "password": "rahasia-123", "role": "officer"}, headers=headers
    )
    assert created.status_code == 201, created.get_json()
    assert "seq" not in created.get_json()


def test_a_release_answers_its_seq(app, client, service):
    """The pages that free a counter (admin, front office, an officer moving to another) take its answer only
    when their events are not past it: the release's `seq` is its `counter_released` event's."""
    headers = login(app, client, "budi")
    assert client.post("/api/counters/1/pause", json={}, headers=headers).status_code == 200  # budi holds Loket 1
    released = client.post("/api/counters/1/release", json={}, headers=headers)
    assert released.status_code == 200, released.get_json()
    assert last_event(service)["type"] == "counter_released"
    assert released.get_json() == {"ok": True, "seq": last_event(service)["seq"]}
