"""A visitor's phone page connecting its socket while its ticket changes: what the connect answers (its ticket and
the snapshot) and the events after it leave the page with the ticket as it is. The server read the ticket first
and joined its room and took the snapshot after: a call landing between them was in neither (the snapshot's
seq already past it, its event sent before the socket was in the room), and the phone showed "waiting" for a
visitor being called. In process, with Flask-SocketIO's test client: the order of the server's reads is what
is under test, not the WebSocket."""

from __future__ import annotations

from conftest import login, visitor


def phone_ends_with(received: list[dict], label: str) -> str:
    """The ticket's status as the phone page has it after its connect's snapshot and the events after it (those
    at or below the snapshot's seq dropped, as server/static/live.js does; the ticket's own seq as phone.js)."""
    snapshot = next(m["args"][0] for m in received if m["name"] == "snapshot")
    status, shown = snapshot["ticket"]["status"], snapshot["ticket"]["seq"]
    for m in received:
        ev = m["args"][0] if m["name"] == "event" and m["args"] else None
        if ev and ev.get("seq", 0) > snapshot["seq"] and (ev.get("ticket") or {}).get("label") == label:
            if ev["seq"] >= shown:
                status, shown = ev["ticket"]["status"], ev["seq"]
    return status


def test_a_call_landing_while_the_phone_connects_reaches_it(app, monkeypatch):
    client = app.test_client()
    r = client.post("/api/tickets", json=visitor())
    assert r.status_code == 201, r.get_json()
    ticket = r.get_json()["ticket"]
    officer = app.test_client()
    headers = login(app, officer, "budi", counter_id=1)
    service = app.extensions["antrian"]
    read = service.ticket_status
    calls = []

    def read_then_called(token):
        view = read(token)
        if not calls:  # the officer's call lands right after the phone's ticket was read
            calls.append(officer.post("/api/counters/1/call-next", headers=headers))
        return view

    monkeypatch.setattr(service, "ticket_status", read_then_called)
    phone = app.extensions["socketio"].test_client(app, auth={"role": "ticket", "token": ticket["token"]})
    assert phone.is_connected()
    assert calls and calls[0].status_code == 200, calls and calls[0].get_json()
    assert calls[0].get_json()["ticket"]["label"] == ticket["label"]
    assert phone_ends_with(phone.get_received(), ticket["label"]) == "called"
    phone.disconnect()


def test_an_unknown_token_is_still_refused(app):
    phone = app.extensions["socketio"].test_client(app, auth={"role": "ticket", "token": "x" * 20})
    assert not phone.is_connected()
