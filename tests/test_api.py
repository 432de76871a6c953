"""The HTTP API of DESIGN.md through Flask's test client, on a real SQLite file."""

from __future__ import annotations

import csv
import io
import json
import threading

import pytest
from conftest import login, visitor

from server.errors import NotFound
from server.realtime import public_message, staff_message


def issue(client, **changes):
    return client.post("/api/tickets", json=visitor(**changes))


def test_issue_numbers_per_service_and_answers_position_and_wait(client):
    a1 = issue(client).get_json()["ticket"]
    a2 = issue(client).get_json()["ticket"]
    b1 = issue(client, service="B").get_json()["ticket"]
    assert [a1["label"], a2["label"], b1["label"]] == ["A-001", "A-002", "B-001"]
    assert a2["position"] == 2 and a2["ahead"] == 1
    # two free counters serve A: are both called at once, a third A waits for one of them
    assert a1["estimated_wait_s"] == a2["estimated_wait_s"] == 0
    assert issue(client).get_json()["ticket"]["estimated_wait_s"] == 900
    assert a1["token"] and a1["token"] != a2["token"]
    assert a1["status_url"].endswith("/t/" + a1["token"])


def test_numbers_reset_at_local_midnight(client, clock):
    issue(client)
    clock.advance(hours=14, minutes=59)  # 23:59 WIB
    assert issue(client).get_json()["ticket"]["label"] == "A-002"
    clock.advance(minutes=1)  # 00:00 WIB next day
    assert issue(client).get_json()["ticket"]["label"] == "A-001"


def test_missing_fields_are_all_named_in_indonesian(client):
    r = client.post("/api/tickets", json={"service": "A", "name": "  "})
    assert r.status_code == 422
    body = r.get_json()
    assert body["error"] == "form_incomplete"
    assert set(body["fields"]) == {"name", "agency", "address", "phone", "problem"}
    assert body["fields"]["name"] == "Wajib diisi."
    assert client.get("/api/state").get_json()["services"][0]["waiting"] == 0


def test_errors_in_english_when_asked(client):
    r = client.post("/api/tickets?lang=en", json={"service": "A"})
    assert r.get_json()["fields"]["name"] == "Required."
    r = client.post("/api/tickets", json={"service": "A"}, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert r.get_json()["fields"]["name"] == "Required."


@pytest.mark.parametrize(
    "changes,field,code_text",
    [
        ({"phone": "12345"}, "phone", "Nomor telepon tidak valid"),
        ({"phone": "+1 555 1234567"}, "phone", "Nomor telepon tidak valid"),
        ({"phone": "08abc"}, "phone", "Nomor telepon tidak valid"),
        ({"service": "Z"}, "service", "Layanan tidak dikenal"),
        ({"service": ["A"]}, "service", "Layanan tidak dikenal"),
        ({"name": 42}, "name", "Harus berupa teks"),
        ({"name": "x" * 101}, "name", "Terlalu panjang: paling banyak 100 karakter; yang diketik 101."),
        ({"problem": "p" * 2001}, "problem", "Terlalu panjang: paling banyak 2000 karakter; yang diketik 2001."),
        ({"name": "Budi\x00"}, "name", "tidak diizinkan"),
        ({"category": "gosip"}, "category", "pengaduan, pertanyaan atau konsultasi"),
        ({"priority": "ya"}, "priority", "ya atau tidak"),
    ],
)
def test_bad_fields_get_422_and_nothing_is_written(client, changes, field, code_text):
    r = issue(client, **changes)
    assert r.status_code == 422
    assert code_text in r.get_json()["fields"][field]
    assert client.get("/api/state").get_json()["seq"] == 0


# -- the kiosk's time over the form (SOP steps 2-6; docs/reports.md) -----------------------------------
@pytest.mark.parametrize("sent,stored", [(95, 95), (0, 0), (86_400, 86_400), (95.0, 95), (None, None), ("-", None)])
def test_the_kiosks_time_over_the_form_is_stored_on_the_ticket(app, client, sent, stored):
    """A whole number of seconds 0..86400 (JSON's 95.0 is 95); null or left out ("-"): not measured."""
    r = issue(client) if sent == "-" else issue(client, form_seconds=sent)
    assert r.status_code == 201, r.get_json()
    with app.extensions["antrian"].store.read() as tx:
        assert tx.ticket_by_token(r.get_json()["ticket"]["token"]).form_seconds == stored
        assert tx.one("SELECT form_seconds FROM tickets")["form_seconds"] == stored
        assert type(tx.one("SELECT form_seconds FROM tickets")["form_seconds"]) is type(stored)


@pytest.mark.parametrize("bad", [-1, 86_401, 12.5, "95", True, False, [95], {"s": 95}, 2**70, 1e300])
def test_a_bad_time_over_the_form_is_a_422_naming_it_and_issues_nothing(client, bad):
    r = issue(client, form_seconds=bad)
    assert r.status_code == 422
    body = r.get_json()
    assert body["error"] == "form_incomplete"
    assert body["fields"] == {"form_seconds": "Lama pengisian formulir harus bilangan bulat detik, 0–86400."}
    english = client.post("/api/tickets?lang=en", json=visitor(form_seconds=bad)).get_json()
    assert english["fields"] == {
        "form_seconds": "The time spent on the form must be a whole number of seconds, 0–86400."
    }
    state = client.get("/api/state").get_json()
    assert state["seq"] == 0 and state["services"][0]["waiting"] == 0


def test_a_bad_time_over_the_form_is_named_beside_the_other_bad_fields(client):
    r = client.post("/api/tickets", json={"service": "A", "name": "Ani", "form_seconds": -5})
    assert r.status_code == 422
    assert set(r.get_json()["fields"]) == {"agency", "address", "phone", "problem", "form_seconds"}


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"', b"null"])
def test_malformed_json_is_a_400(client, raw):
    r = client.post("/api/tickets", data=raw, content_type="application/json")
    assert r.status_code == 400
    assert r.get_json()["error"] == "bad_json"


def test_oversized_body_is_a_413(client):
    r = client.post("/api/tickets", json=visitor(problem="x" * 70000))
    assert r.status_code == 413
    assert r.get_json()["error"] == "too_large"


@pytest.mark.parametrize(
    "phone,stored",
    [
        ("0812-3456-7890", "081234567890"),
        ("+62 812 3456 7890", "081234567890"),
        ("6281234567890", "081234567890"),
        ("(021) 555-1234", "0215551234"),
    ],
)
def test_indonesian_phone_numbers_are_normalised(app, client, phone, stored):
    r = issue(client, phone=phone)
    assert r.status_code == 201
    login_headers = login(app, client, "siti", "frontoffice")
    staff = client.get("/api/staff/state", headers=login_headers).get_json()
    assert staff["tickets"][0]["form"]["phone"] == stored


@pytest.mark.parametrize("name", ["Ma'ruf Amin", "Ni Luh Putu Ayu", "Dédé Suhendar", "<script>alert(1)</script>"])
def test_names_are_stored_as_given(app, client, name):
    assert issue(client, name=name, address="Jl. O'Neil <b>9</b>").status_code == 201
    headers = login(app, client, "siti", "frontoffice")
    form = client.get("/api/staff/state", headers=headers).get_json()["tickets"][0]["form"]
    assert form["name"] == name
    assert form["address"] == "Jl. O'Neil <b>9</b>"


def test_public_state_carries_no_personal_data(client):
    issue(client, name="Rahasia Orang", phone="081299998888", problem="Masalah pribadi")
    text = client.get("/api/state").get_data(as_text=True)
    for secret in ("Rahasia Orang", "081299998888", "Masalah pribadi", "Sudirman"):
        assert secret not in text
    ticket = issue(client).get_json()["ticket"]
    mine = client.get(f"/api/tickets/{ticket['token']}").get_data(as_text=True)
    assert "Budi" not in mine and "A-002" in mine


def test_request_id_repeats_the_first_answer(client):
    first = client.post("/api/tickets", json=visitor(request_id="kiosk1-0001"))
    again = client.post("/api/tickets", json=visitor(request_id="kiosk1-0001"))
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert client.get("/api/state").get_json()["services"][0]["waiting"] == 1


@pytest.mark.parametrize("rid", [123, "", "x" * 101])
def test_bad_request_id_is_refused(client, rid):
    assert client.post("/api/tickets", json=visitor(request_id=rid)).status_code == 400


def test_rate_limit_answers_429(tmp_path, clock):
    from conftest import write_config

    from server.app import create_app

    app = create_app(
        write_config(tmp_path, {"rate_limit_per_minute = 120": "rate_limit_per_minute = 3"}), workers=False, clock=clock
    )
    c = app.test_client()
    codes = [issue(c).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    assert c.post("/api/tickets", json=visitor()).get_json()["error"] == "rate_limited"
    app.extensions["antrian"].store.close()


def test_default_rate_lets_one_address_issue_120_a_minute(client):
    assert all(issue(client).status_code == 201 for _ in range(120))


# -- login, roles, csrf --------------------------------------------------------------


def test_counter_actions_need_login_csrf_and_role(app, client):
    assert client.post("/api/counters/1/call-next").status_code == 401
    login(app, client, "budi")
    r = client.post("/api/counters/1/call-next")
    assert r.status_code == 403 and r.get_json()["error"] == "csrf"
    r = client.post("/api/counters/1/call-next", headers={"X-CSRFToken": "wrong"})
    assert r.status_code == 403


def test_wrong_password_and_front_office_role_refused(app, client):
    headers = login(app, client, "siti", "frontoffice")
    r = client.post("/api/counters/1/call-next", headers=headers)
    assert r.status_code == 403 and r.get_json()["error"] == "forbidden"
    r = client.post("/api/login", json={"username": "siti", "password": "salah-sekali"})
    assert r.status_code == 401 and r.get_json()["error"] == "login_failed"


def test_another_officers_counter_is_refused(app):
    c1, c2 = app.test_client(), app.test_client()
    h1 = login(app, c1, "budi")
    h2 = login(app, c2, "dewi")
    assert c1.post("/api/counters/1/call-next", headers=h1).status_code == 204
    r = c2.post("/api/counters/1/call-next", headers=h2)
    assert r.status_code == 409 and "budi" in r.get_json()["message"]
    assert c1.post("/api/counters/1/release", headers=h1).status_code == 200
    assert c2.post("/api/counters/1/call-next", headers=h2).status_code == 204


def test_officer_bound_to_a_counter_cannot_use_another(app, client):
    headers = login(app, client, "made", counter_id=2)
    assert client.post("/api/counters/1/call-next", headers=headers).status_code == 403
    assert client.post("/api/counters/2/call-next", headers=headers).status_code == 204


def test_unknown_counter_and_action(app, client):
    headers = login(app, client, "budi")
    assert client.post("/api/counters/9/call-next", headers=headers).status_code == 404
    assert client.post("/api/counters/1/dance", headers=headers).status_code == 404


# -- the counter flow ------------------------------------------------------------------


def test_three_calls_then_skip_requeues_right_behind_the_next(app, client):
    for _ in range(3):
        issue(client)
    h = login(app, client, "budi")
    post = lambda action, **data: client.post(f"/api/counters/1/{action}", json=data, headers=h)  # noqa: E731
    r = post("call-next")
    assert r.status_code == 200 and r.get_json()["ticket"]["label"] == "A-001"
    assert r.get_json()["ticket"]["form"]["name"] == "Budi Santoso"
    r = post("skip")
    assert r.status_code == 409 and r.get_json()["error"] == "calls_remaining"
    r = post("call-next")
    assert r.status_code == 409 and r.get_json()["error"] == "counter_calling"
    assert post("recall").get_json()["ticket"]["calls"] == 2
    assert post("recall").get_json()["ticket"]["calls"] == 3
    r = post("recall")
    assert r.status_code == 409 and r.get_json()["error"] == "calls_exhausted"
    # call-next after all calls: skip A-001 behind the next, call A-002
    r = post("call-next")
    assert r.get_json()["ticket"]["label"] == "A-002"
    assert r.get_json()["skipped"]["label"] == "A-001" and r.get_json()["skipped"]["status"] == "waiting"
    post("start")
    post("resolve", solution="Reset kata sandi")
    r = post("call-next")
    assert r.get_json()["ticket"]["label"] == "A-001"
    assert r.get_json()["ticket"]["calls"] == 1
    post("recall")
    post("recall")
    r = post("skip")
    assert r.get_json()["ticket"]["status"] == "no_show"
    assert post("call-next").get_json()["ticket"]["label"] == "A-003"


def test_serving_resolve_escalate_transfer_and_refusals(app, client):
    issue(client)
    issue(client)
    h = login(app, client, "budi")
    post = lambda action, **data: client.post(f"/api/counters/1/{action}", json=data, headers=h)  # noqa: E731
    assert post("resolve", solution="x").status_code == 409  # nothing held
    post("call-next")
    assert post("resolve", solution="x").status_code == 409  # called, not serving
    assert post("start").get_json()["ticket"]["status"] == "serving"
    r = post("call-next")
    assert r.status_code == 409 and r.get_json()["error"] == "counter_serving"
    r = post("resolve", solution="   ")
    assert r.status_code == 422 and "solution" in r.get_json()["fields"]
    r = post("resolve", solution="Reset kata sandi", category="pertanyaan", priority_class="P3")
    t = r.get_json()["ticket"]
    assert (t["status"], t["officer"], t["priority_class"]) == ("resolved", "budi", "P3")
    post("call-next")
    post("start")
    r = post("transfer", service="Q")
    assert r.status_code == 422
    r = post("transfer", service="B")
    assert r.get_json()["ticket"]["status"] == "waiting"
    # Loket 2 serves B: the transferred ticket is first
    h2 = login(app, client, "admin1", "admin")
    r = client.post("/api/counters/2/call-next", headers=h2, json={})
    assert r.get_json()["ticket"]["label"] == "A-002"
    client.post("/api/counters/2/start", headers=h2)
    r = client.post("/api/counters/2/escalate", headers=h2, json={"note": "Perlu LKPP"})
    assert r.status_code == 200
    assert r.get_json()["escalation"]["ticket_label"] == "A-002"
    r = client.post("/api/tickets/A-002/close", headers=h2, json={"answer": "Sudah", "lkpp_ticket": "TTS-9"})
    assert r.get_json()["ticket"]["status"] == "closed"


def test_two_visitors_sent_to_a_service_are_called_there_in_the_order_they_were_sent(app, client):
    """A transfer goes ahead of the other service's line, but behind a visitor sent there before it and still
    waiting: the first one sent over has waited longest. Each went ahead of the other before: the last sent was
    called first."""
    issue(client)
    issue(client)
    issue(client, service="B")  # B-001, waiting in B's line all along
    h = login(app, client, "budi")
    for label in ("A-001", "A-002"):
        called = client.post("/api/counters/1/call-next", headers=h, json={}).get_json()["ticket"]
        assert called["label"] == label
        assert client.post("/api/counters/1/start", headers=h).status_code == 200
        assert client.post("/api/counters/1/transfer", headers=h, json={"service": "B"}).status_code == 200
    h2 = login(app, client, "admin1", "admin")
    order = []
    for _ in range(3):
        called = client.post("/api/counters/2/call-next", headers=h2, json={}).get_json()["ticket"]
        order.append(called["label"])
        assert client.post("/api/counters/2/start", headers=h2).status_code == 200
        assert client.post("/api/counters/2/resolve", headers=h2, json={"solution": "Sudah"}).status_code == 200
    assert order == ["A-001", "A-002", "B-001"]


def test_a_transfer_carries_the_officers_note_to_staff_only(app, client):
    """The officer at the other service reads why the visitor was sent on; the visitor's phone and the
    public state do not show it, and a bad note is refused with nothing changed."""
    token = issue(client).get_json()["ticket"]["token"]
    h = login(app, client, "budi")
    post = lambda action, **data: client.post(f"/api/counters/1/{action}", json=data, headers=h)  # noqa: E731
    post("call-next")
    post("start")
    r = post("transfer", service="B", note="x" * 4001)
    assert (r.status_code, r.get_json()["fields"]) == (
        422,
        {"note": "Terlalu panjang: paling banyak 4000 karakter; yang diketik 4001."},
    )
    r = post("transfer", service="B", note=["a"])
    assert (r.status_code, r.get_json()["fields"]) == (422, {"note": "Harus berupa teks."})
    assert client.get(f"/api/tickets/{token}").get_json()["ticket"]["status"] == "serving"  # nothing moved
    note = "Akun sudah diaktifkan; perlu perbaikan data paket di RUP.\nSudah dicoba: reset sandi."
    r = post("transfer", service="B", note=f"  {note}  ")
    assert r.status_code == 200
    assert r.get_json()["ticket"]["transfer_note"] == note
    h2 = login(app, client, "admin1", "admin")
    called = client.post("/api/counters/2/call-next", headers=h2, json={}).get_json()["ticket"]
    assert (called["transferred_from"], called["transfer_note"]) == ("A", note)
    words = "perbaikan data paket di RUP"  # the note's words, as they stand in JSON text
    assert words in json.dumps(client.get("/api/staff/state", headers=h2).get_json())
    assert words not in json.dumps(client.get("/api/state").get_json())
    assert words not in json.dumps(client.get(f"/api/tickets/{token}").get_json())
    with app.extensions["antrian"].store.read() as tx:
        event = [e for e in tx.events_of_ticket(called["id"]) if e["type"] == "transferred"][-1]
    assert event["data"]["note"] == note
    assert "data" not in public_message(event) and staff_message(event)["data"]["note"] == note
    # Without a note the ticket's is empty, and the next transfer's replaces the last one
    client.post("/api/counters/2/start", headers=h2)
    r = client.post("/api/counters/2/transfer", headers=h2, json={"service": "A"})
    assert r.get_json()["ticket"]["transfer_note"] == ""


def test_call_next_with_request_id_never_calls_two(app, client):
    issue(client)
    issue(client)
    h = login(app, client, "budi")
    a = client.post("/api/counters/1/call-next", json={"request_id": "c1"}, headers=h).get_json()
    b = client.post("/api/counters/1/call-next", json={"request_id": "c1"}, headers=h).get_json()
    assert a == b
    assert client.get("/api/state").get_json()["services"][0]["waiting"] == 1


def test_priority_tickets_first(app, client):
    issue(client)
    issue(client, priority=True)
    h = login(app, client, "budi")
    assert client.post("/api/counters/1/call-next", headers=h).get_json()["ticket"]["label"] == "A-002"


def test_front_office_cancels(app, client):
    issue(client)
    h = login(app, client, "siti", "frontoffice")
    r = client.post("/api/tickets/A-001/cancel", headers=h)
    assert r.get_json()["ticket"]["status"] == "cancelled"
    assert client.post("/api/tickets/A-001/cancel", headers=h).status_code == 409
    assert client.post("/api/tickets/Z-404/cancel", headers=h).status_code == 404


def test_the_front_office_corrects_a_waiting_visitors_form_and_the_ticket_keeps_its_place(app, client):
    """A mistyped phone fixed at the desk: the form sent whole, the ticket where it was in the line, the
    change logged by field name (no personal values in the event log); a cancelled ticket is not."""
    issue(client)
    second = client.post("/api/tickets", json=visitor(name="Rudi Hartono")).get_json()["ticket"]
    h = login(app, client, "siti", "frontoffice")
    form = client.get("/api/tickets", headers=h).get_json()["tickets"][1]["form"]
    fixed = {**form, "phone": "0813 9999 1234", "name": "Rudi Hartono Putra"}
    r = client.post(f"/api/tickets/{second['label']}/form", json=fixed, headers=h)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert sorted(body["changed"]) == ["name", "phone"]
    assert body["ticket"]["form"]["phone"] == "081399991234" and body["ticket"]["form"]["name"] == "Rudi Hartono Putra"
    view = client.get(f"/api/tickets/{second['token']}").get_json()["ticket"]
    assert (view["position"], view["status"]) == (2, "waiting")
    with app.extensions["antrian"].store.read() as tx:
        events = tx.rows("SELECT actor, data FROM events WHERE type = 'form_corrected'")
    # who changed it, by role: the counter page says "by the front office (siti)"
    assert [(e["actor"], json.loads(e["data"])) for e in events] == [
        ("siti", {"fields": ["name", "phone"], "role": "frontoffice"})
    ]
    again = client.post(f"/api/tickets/{second['label']}/form", json=fixed, headers=h)
    assert again.status_code == 200 and again.get_json()["changed"] == []  # nothing changed, nothing written
    bad = client.post(f"/api/tickets/{second['label']}/form", json={**fixed, "phone": "12", "name": ""}, headers=h)
    assert bad.status_code == 422 and set(bad.get_json()["fields"]) == {"phone", "name"}
    assert app.test_client().post(f"/api/tickets/{second['label']}/form", json=fixed).status_code == 401
    client.post(f"/api/tickets/{second['label']}/cancel", headers=h)
    assert client.post(f"/api/tickets/{second['label']}/form", json=fixed, headers=h).status_code == 409


def test_end_of_day_expires_waiting_and_called(app, client, clock):
    issue(client)
    issue(client)
    h = login(app, client, "budi")
    client.post("/api/counters/1/call-next", headers=h)
    clock.advance(days=1)
    assert app.extensions["antrian"].expire_old() == 2
    snap = client.get("/api/state").get_json()
    assert snap["services"][0]["waiting"] == 0 and snap["counters"][0]["ticket"] is None


def test_the_offices_midnight_is_announced_after_that_nights_expiries(app, client, clock):
    """A TV left on overnight learns of the new day at midnight (`day_changed`, after the expiries), not at
    the morning's first call; the first look after a start only notes the day, and the day after is
    announced once. A break taken yesterday is over in the state the pages then take."""
    service = app.extensions["antrian"]
    events: list[dict] = []
    service.publish = lambda batch: events.extend(batch)
    issue(client)
    h = login(app, client, "budi")
    client.post("/api/counters/1/call-next", headers=h)
    assert client.post("/api/counters/1/pause", headers=h).status_code == 200
    assert service.expire_old() == 0 and service.expire_old() == 0  # the first look notes the day
    assert [e["type"] for e in events] == ["issued", "counter_claimed", "called", "counter_paused"]
    events.clear()
    clock.advance(hours=14, minutes=59, seconds=59)  # 23:59:59 WIB
    assert service.expire_old() == 0 and events == []
    clock.advance(seconds=1)  # 00:00 WIB
    assert service.expire_old() == 1
    assert [e["type"] for e in events] == ["expired", "day_changed"]
    changed = events[1]
    assert changed["day"] == "2026-11-29" and changed["data"] == {"day": "2026-11-29", "before": "2026-11-28"}
    assert public_message(changed)["data"] == {"day": "2026-11-29"}
    assert service.expire_old() == 0 and len(events) == 2  # once a day
    snap = client.get("/api/state").get_json()
    assert snap["day"] == "2026-11-29" and snap["recent"] == [] and snap["seq"] == changed["seq"]
    assert snap["counters"][0]["paused"] is False
    clock.advance(days=1)
    service.expire_old()
    assert [e["data"] for e in events[2:]] == [{"day": "2026-11-30", "before": "2026-11-29"}]
    # written by the new day's first command, whatever it is, before its own events; one refused before writing
    # anything leaves it written
    clock.advance(days=1)
    with pytest.raises(NotFound):
        service.cancel("Z-999", "siti")
    assert [e["data"] for e in events[3:]] == [{"day": "2026-12-01", "before": "2026-11-30"}]
    issue(client)
    assert [e["type"] for e in events[3:]] == ["day_changed", "issued"] and service.expire_old() == 0


def test_a_visitor_still_served_when_the_day_ends_stays_listed_for_the_counter_to_finish(app, client, clock):
    """The officer never pressed Selesai: the next morning the counter still holds yesterday's A-001, which
    the staff pages must list (with its day) so that it can be finished; today's A-001 is another ticket."""
    issue(client)
    h = login(app, client, "budi")
    client.post("/api/counters/1/call-next", headers=h)
    assert client.post("/api/counters/1/start", headers=h).status_code == 200
    clock.advance(days=1)
    app.extensions["antrian"].expire_old()
    assert issue(client).get_json()["ticket"]["label"] == "A-001"
    tickets = client.get("/api/staff/state", headers=h).get_json()["tickets"]
    assert [(t["label"], t["day"], t["status"], t["counter_id"]) for t in tickets] == [
        ("A-001", "2026-11-28", "serving", 1),
        ("A-001", "2026-11-29", "waiting", None),
    ]
    r = client.post("/api/counters/1/resolve", json={"solution": "Selesai kemarin."}, headers=h)
    assert r.status_code == 200 and r.get_json()["ticket"]["day"] == "2026-11-28"
    tickets = client.get("/api/staff/state", headers=h).get_json()["tickets"]
    assert [(t["day"], t["status"]) for t in tickets] == [("2026-11-29", "waiting")]
    assert client.post("/api/counters/1/call-next", headers=h).get_json()["ticket"]["day"] == "2026-11-29"


def test_auto_recall_then_skip(tmp_path, clock):
    from conftest import write_config

    from server.app import create_app

    app = create_app(
        write_config(tmp_path, {"auto_recall_seconds = 0": "auto_recall_seconds = 30"}), workers=False, clock=clock
    )
    c = app.test_client()
    issue(c)
    issue(c)
    h = login(app, c, "budi")
    c.post("/api/counters/1/call-next", headers=h)
    svc = app.extensions["antrian"]
    assert svc.auto_recall() == 0
    for calls in (2, 3):
        clock.advance(seconds=30)
        assert svc.auto_recall() == 1
        assert c.get("/api/state").get_json()["counters"][0]["ticket"]["calls"] == calls
    clock.advance(seconds=30)
    svc.auto_recall()
    snap = c.get("/api/state").get_json()
    assert snap["counters"][0]["ticket"] is None and snap["services"][0]["waiting"] == 2
    svc.store.close()


# -- concurrency ------------------------------------------------------------------------


def test_concurrent_kiosks_never_share_a_number(app):
    labels, errors = [], []

    def kiosk():
        c = app.test_client()
        for _ in range(15):
            r = c.post(
                "/api/tickets", json=visitor(), environ_base={"REMOTE_ADDR": f"10.0.0.{threading.get_ident() % 250}"}
            )
            (labels if r.status_code == 201 else errors).append(
                r.get_json()["ticket"]["label"] if r.status_code == 201 else r.status_code
            )

    threads = [threading.Thread(target=kiosk) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(labels) == 90 and len(set(labels)) == 90


def test_concurrent_call_next_never_gives_one_ticket_twice(app):
    c = app.test_client()
    for _ in range(12):
        issue(c, service="A")
    officers = [(app.test_client(), cid) for cid in (1, 2)]
    headers = [login(app, cl, f"officer{cid}") for cl, cid in officers]
    got: list[str] = []
    barrier = threading.Barrier(2)

    def officer(i):
        cl, cid = officers[i]
        for _ in range(6):
            barrier.wait()
            r = cl.post(f"/api/counters/{cid}/call-next", headers=headers[i])
            got.append(r.get_json()["ticket"]["label"])
            cl.post(f"/api/counters/{cid}/start", headers=headers[i])
            cl.post(f"/api/counters/{cid}/resolve", json={"solution": "ok"}, headers=headers[i])

    threads = [threading.Thread(target=officer, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 12 and len(set(got)) == 12


# -- recap -------------------------------------------------------------------------------


def test_recap_json_and_csv_in_the_seed_columns(app, client):
    issue(client, name="Ma'ruf", address="Jl. A", problem="Lupa sandi", category="pertanyaan")
    issue(client, name="Dédé", address="Jl. B", problem="=HYPERLINK()", category="pengaduan")
    h = login(app, client, "budi")
    for action, data in (
        ("call-next", {}),
        ("start", {}),
        ("resolve", {"solution": "Reset"}),
        ("call-next", {}),
        ("start", {}),
        ("escalate", {"note": "Ke LKPP"}),
    ):
        client.post(f"/api/counters/1/{action}", json=data, headers=h)
    client.post("/api/tickets/A-002/close", json={"answer": "Beres", "lkpp_ticket": "TTS-5"}, headers=h)
    r = client.get("/api/recap?from=2026-11-28&to=2026-11-28", headers=h)
    data = r.get_json()
    assert data["columns"] == [
        *("No", "Nama", "Alamat", "Permasalahan", "Solusi", "Keterangan"),  # the SOP's six, in its order
        *("Tanggal", "No. Antrian", "Petugas"),
    ]
    assert data["rows"][0] == {
        "No": 1,
        "Nama": "Ma'ruf",
        "Alamat": "Jl. A",
        "Permasalahan": "Lupa sandi",
        "Solusi": "Reset",
        "Keterangan": "Pertanyaan; Selesai",
        "Tanggal": "2026-11-28",
        "No. Antrian": "A-001",
        "Petugas": "budi",
    }
    assert data["rows"][1]["Keterangan"] == "Pengaduan; Eskalasi LKPP, dijawab; Tiket LKPP TTS-5"
    assert data["rows"][1]["Solusi"] == "Ke LKPP\nJawaban LKPP: Beres"
    r = client.get("/api/recap?from=2026-11-28&to=2026-11-28&format=csv", headers=h)
    raw = r.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == data["columns"]
    assert rows[2][1] == "Dédé" and rows[2][3] == "'=HYPERLINK()"


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-11-28",
        "from=28-11-2026&to=2026-11-28",
        "from=2026-11-29&to=2026-11-28",
        "from=2026-11-28&to=2026-11-28&format=pdf",
    ],
)
def test_recap_bad_range_is_422(app, client, query):
    h = login(app, client, "budi")
    assert client.get(f"/api/recap?{query}", headers=h).status_code == 422


def test_recap_needs_login(client):
    assert client.get("/api/recap?from=2026-11-28&to=2026-11-28").status_code == 401


def test_today_tickets_lists_every_status_for_staff_only(app, client):
    issue(client)
    issue(client)
    h = login(app, client, "siti", "frontoffice")
    client.post("/api/tickets/A-001/cancel", headers=h)
    tickets = client.get("/api/tickets", headers=h).get_json()["tickets"]
    assert [(t["label"], t["status"]) for t in tickets] == [("A-001", "cancelled"), ("A-002", "waiting")]
    assert tickets[1]["form"]["name"] == "Budi Santoso"
    assert app.test_client().get("/api/tickets").status_code == 401


def test_a_finished_record_is_corrected_as_a_new_version_with_history(app, client):
    issue(client)
    h = login(app, client, "budi")
    for action, data in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Reset"})):
        client.post(f"/api/counters/1/{action}", json=data, headers=h)
    r = client.post("/api/tickets/A-001/correct", json={"solution": "Reset lewat admin agency"}, headers=h)
    assert r.status_code == 200
    assert r.get_json()["changes"] == {"solution": {"old": "Reset", "new": "Reset lewat admin agency"}}
    assert (
        client.post("/api/tickets/A-001/correct", json={"solution": "Reset lewat admin agency"}, headers=h).status_code
        == 422
    )
    assert client.post("/api/tickets/A-001/correct", json={"solution": " "}, headers=h).status_code == 422
    events = client.get("/api/tickets/A-001/history", headers=h).get_json()["events"]
    assert [e["type"] for e in events] == ["issued", "called", "started", "resolved", "corrected"]
    assert events[-1]["actor"] == "budi" and events[-1]["data"]["changes"]["solution"]["old"] == "Reset"
    issue(client)
    assert client.post("/api/tickets/A-002/correct", json={"solution": "x"}, headers=h).status_code == 409


def test_a_write_lock_held_too_long_by_another_process_is_a_503_that_saves_nothing(config_path, clock, monkeypatch):
    import sqlite3

    from server import store as store_module
    from server.app import create_app

    monkeypatch.setattr(store_module, "BUSY_SECONDS", 0.2)  # the server's 10 s, shortened for the test
    app = create_app(config_path, workers=False, clock=clock)
    app.config["TESTING"] = True
    try:
        client = app.test_client()
        seq_before = client.get("/api/state").get_json()["seq"]
        other = sqlite3.connect(app.extensions["antrian"].store.path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # a command-line job that keeps the write lock
        try:
            r = client.post("/api/tickets", json=visitor(), headers={"Accept-Language": "en"})
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert r.status_code == 503
        assert r.headers["Retry-After"] == "2"
        assert r.get_json()["error"] == "db_busy"
        assert "nothing was saved" in r.get_json()["message"]
        state = client.get("/api/state").get_json()
        assert [s["waiting"] for s in state["services"]] == [0, 0, 0] and state["seq"] == seq_before
        assert client.post("/api/tickets", json=visitor()).status_code == 201  # the lock is free again
    finally:
        app.extensions["antrian"].stop()
        app.extensions["antrian"].store.close()


def test_a_service_no_counter_serves_gets_no_number_and_no_transfer(app, client):
    """A number nobody would call: refused at issue (kiosk and front office) and as a transfer's target."""
    issue(client)
    h = login(app, client, "boss", "admin")
    counters = [{"id": 1, "name": "Loket 1", "services": ["A"]}, {"id": 2, "name": "Loket 2", "services": ["A", "B"]}]
    r = client.put("/api/admin/settings/counters", json={"value": counters}, headers=h)
    assert r.status_code == 200, r.get_json()
    assert [(s["code"], s["served"]) for s in client.get("/api/state").get_json()["services"]] == [
        ("A", True),
        ("B", True),
        ("C", False),
    ]
    r = client.post("/api/tickets", json=visitor(service="C"))
    assert r.status_code == 409 and r.get_json()["error"] == "service_not_served"
    assert "Registrasi & Verifikasi Akun" in r.get_json()["message"]
    fo = login(app, client, "rina", "frontoffice")
    assert client.post("/api/tickets", json=visitor(service="C"), headers=fo).status_code == 409
    oh = login(app, client, "budi")
    client.post("/api/counters/1/call-next", json={}, headers=oh)
    client.post("/api/counters/1/start", json={}, headers=oh)
    r = client.post("/api/counters/1/transfer", json={"service": "C"}, headers=oh)
    assert r.status_code == 409 and r.get_json()["error"] == "service_not_served"
    r = client.post("/api/counters/1/transfer", json={"service": "B"}, headers=oh)
    assert r.status_code == 200 and r.get_json()["ticket"]["service"] == "B"
