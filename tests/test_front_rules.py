"""The front office's rules on the server: no reprint of a number that will not be called, a second number for
one visitor said before it is issued, a phone as people write it, and a waiting ticket's service and priority
fixed without retyping the visitor."""

from __future__ import annotations

import pytest
from conftest import login, visitor


@pytest.fixture
def front(app, client):
    """The front office's headers (client logged in as siti)."""
    return login(app, client, "siti", "frontoffice")


def issue(client, headers=None, **changes):
    r = client.post("/api/tickets", json=visitor(**changes), headers=headers or {})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["ticket"]


def act(app, counter_id, action, **body):
    """An officer's action at a counter (one officer per counter, logged in at its first action)."""
    officers = app.config.setdefault("test_officers", {})
    if counter_id not in officers:
        officer = app.test_client()
        officers[counter_id] = officer, login(app, officer, f"petugas{counter_id}", "officer")
    officer, headers = officers[counter_id]
    r = officer.post(f"/api/counters/{counter_id}/{action}", json=body, headers=headers)
    assert r.status_code in (200, 204), r.get_json()
    return r.get_json()


def events(app, type_):
    with app.extensions["antrian"].store.read() as tx:
        return tx.rows("SELECT actor, data, ticket_id FROM events WHERE type = ? ORDER BY seq", [type_])


# -- 1. a reprint is a queue number: only of a ticket a counter may still call -------------------------------


def test_a_reprint_of_a_number_that_will_not_be_called_is_refused_in_both_languages(app, client, front):
    waiting = issue(client)
    called = issue(client, name="Citra")
    cancelled = issue(client, name="Dewi")
    served = issue(client, name="Eko", service="C")
    assert client.post(f"/api/tickets/{cancelled['label']}/cancel", headers=front).status_code == 200
    act(app, 1, "call-next")  # A-001 (waiting) is called at counter 1
    called_now = client.get("/api/tickets", headers=front).get_json()["tickets"]
    assert {t["label"]: t["status"] for t in called_now}[waiting["label"]] == "called"
    act(app, 3, "call-next")  # C-001 at counter 3, served and resolved
    act(app, 3, "start")
    act(app, 3, "resolve", solution="Akun diverifikasi", category="pertanyaan")

    for ticket in (waiting, called):  # called and waiting: their slip still has a use
        r = client.post(f"/api/tickets/{ticket['label']}/reprint", headers=front)
        assert r.status_code == 202, r.get_json()
    for ticket, status in ((cancelled, "dibatalkan"), (served, "selesai")):
        r = client.post(f"/api/tickets/{ticket['label']}/reprint", headers=front)
        assert r.status_code == 409
        body = r.get_json()
        assert body["error"] == "reprint_not_in_line"
        assert body["message"].startswith(f"Tiket {ticket['label']} sudah {status}: tidak dicetak ulang")
    en = client.post(f"/api/tickets/{cancelled['label']}/reprint?lang=en", headers=front).get_json()
    assert en["message"].startswith(f"Ticket {cancelled['label']} is cancelled: not reprinted")
    ids = {t["label"]: t["id"] for t in client.get("/api/tickets", headers=front).get_json()["tickets"]}
    assert [e["ticket_id"] for e in events(app, "reprint")] == [ids[waiting["label"]], ids[called["label"]]]


def test_yesterdays_expired_ticket_is_not_reprinted_by_its_token(app, client, clock, front):
    old = issue(client)
    clock.advance(days=1)
    assert app.extensions["antrian"].expire_old() == 1
    r = client.post(f"/api/tickets/{old['token']}/reprint", headers=front)
    assert r.status_code == 409 and r.get_json()["error"] == "not_today"
    assert (
        r.get_json()["message"]
        == f"Tiket {old['label']} dari tanggal 2026-11-28, bukan hari ini: nomornya tidak dipanggil lagi."
    )
    assert events(app, "reprint") == []


# -- 2. the same visitor registered twice ---------------------------------------------------------------------


def test_a_second_number_for_the_same_phone_is_said_before_it_is_issued(app, client, front):
    first = issue(client, front, phone="081311112222")
    again = visitor(phone="0813 1111 2222", check_duplicate=True)
    r = client.post("/api/tickets", json=again, headers=front)
    assert r.status_code == 409
    body = r.get_json()
    assert body["error"] == "duplicate_visitor"
    assert body["message"].startswith(
        f"Pengunjung ini sudah punya nomor {first['label']} hari ini (menunggu; nomor telepon sama)."
    )
    en = client.post("/api/tickets?lang=en", json=again, headers=front).get_json()["message"]
    assert en.startswith(f"This visitor already has number {first['label']} today (waiting; same phone number).")
    assert client.get("/api/state").get_json()["services"][0]["waiting"] == 1  # nothing issued
    # issued anyway: the flag left out
    second = client.post("/api/tickets", json={**again, "check_duplicate": False}, headers=front)
    assert second.status_code == 201 and second.get_json()["ticket"]["label"] == "A-002"
    # the kiosk is never told of another visitor's number: the flag is ignored without a login
    kiosk = app.test_client()
    r = kiosk.post("/api/tickets", json=again)
    assert r.status_code == 201 and "A-001" not in r.get_data(as_text=True)


def test_the_same_name_and_agency_with_another_phone_is_said_too_but_not_a_finished_visitor(app, client, front):
    first = issue(client, front, name="Budi  Santoso", agency="CV. Maju Bersama", phone="081234567890")
    other = visitor(name="budi santoso", agency="cv maju bersama", phone="085711112222", check_duplicate=True)
    r = client.post("/api/tickets", json=other, headers=front)
    assert r.status_code == 409
    assert "(menunggu; nama dan instansi sama)" in r.get_json()["message"]
    assert client.post(f"/api/tickets/{first['label']}/cancel", headers=front).status_code == 200
    assert client.post("/api/tickets", json=other, headers=front).status_code == 201  # no number in line any more
    stranger = visitor(name="Budi Santoso", agency="Dinas PUPR", phone="081299990000", check_duplicate=True)
    assert client.post("/api/tickets", json=stranger, headers=front).status_code == 201


# -- 3. a phone as people write it ---------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["+62 (0)812 3456 7890", "+62 0812-3456-7890", "62 (0)812 3456 7890"])
def test_the_trunk_zero_written_after_the_country_code_is_accepted(app, client, front, phone):
    ticket = issue(client, phone=phone)
    tickets = client.get("/api/tickets", headers=front).get_json()["tickets"]
    assert [t["form"]["phone"] for t in tickets if t["label"] == ticket["label"]] == ["081234567890"]


# -- 4. a waiting ticket's service and priority, fixed by the front office -----------------------------------


def identity(ticket_form):
    return {k: ticket_form[k] for k in ("name", "agency", "address", "phone", "problem")}


def test_a_waiting_ticket_moves_to_another_service_keeping_its_arrival_and_label(app, client, front):
    b_before = issue(client, name="Sebelum", service="B")
    moved = issue(client, name="Salah Pilih", service="A")
    b_after = issue(client, name="Sesudah", service="B")
    mine = next(
        t for t in client.get("/api/tickets", headers=front).get_json()["tickets"] if t["label"] == moved["label"]
    )
    r = client.post(
        f"/api/tickets/{moved['token']}/form",
        json={**identity(mine["form"]), "service": "B", "priority": False},
        headers=front,
    )
    assert r.status_code == 200, r.get_json()
    ticket = r.get_json()["ticket"]
    assert (ticket["label"], ticket["service"], ticket["position"]) == ("A-001", "B", mine["position"])
    assert ticket["transferred_from"] == "" and r.get_json()["changed"] == []
    waiting = {s["code"]: s["waiting"] for s in client.get("/api/state").get_json()["services"]}
    assert (waiting["A"], waiting["B"]) == (0, 3)
    [event] = events(app, "queue_corrected")
    assert event["actor"] == "siti" and event["ticket_id"] == mine["id"]
    assert '"service_from": "A"' in event["data"] and '"service_to": "B"' in event["data"]
    assert '"role": "frontoffice"' in event["data"]
    # in B's line it stands where its arrival puts it: after B-001, before B-002
    order = [act(app, 3, "call-next")["ticket"]["label"]]
    for _ in range(2):
        client.post(f"/api/tickets/{order[-1]}/cancel", headers=front)
        order.append(act(app, 3, "call-next")["ticket"]["label"])
    assert order == [b_before["label"], "A-001", b_after["label"]]


def test_a_forgotten_priority_tick_puts_the_waiting_ticket_first_and_is_refused_once_called(app, client, front):
    issue(client, name="Pertama")
    late = issue(client, name="Ibu Hamil")
    form = identity(visitor(name="Ibu Hamil"))
    r = client.post(f"/api/tickets/{late['label']}/form", json={**form, "priority": True}, headers=front)
    assert r.status_code == 200 and r.get_json()["ticket"]["priority"] is True
    assert r.get_json()["ticket"]["priority_lane"] is True
    called = act(app, 1, "call-next")["ticket"]
    assert called["label"] == late["label"]  # called first now
    # the same values again change nothing; a new one once called is refused, in both languages
    same = client.post(
        f"/api/tickets/{late['label']}/form", json={**form, "priority": True, "service": "A"}, headers=front
    )
    assert same.status_code == 200
    r = client.post(f"/api/tickets/{late['label']}/form", json={**form, "service": "C"}, headers=front)
    assert r.status_code == 409 and r.get_json()["error"] == "queue_fields_locked"
    assert r.get_json()["message"].startswith(
        f"Tiket {late['label']} sudah pernah dipanggil (kini dipanggil): layanan dan prioritasnya tidak diubah lagi."
    )
    en = client.post(f"/api/tickets/{late['label']}/form?lang=en", json={**form, "priority": False}, headers=front)
    assert en.get_json()["message"].startswith(f"Ticket {late['label']} has already been called (it is now called)")
    assert len(events(app, "queue_corrected")) == 1


def test_a_bad_service_or_priority_is_named_beside_the_forms_bad_fields(app, client, front):
    t = issue(client)
    r = client.post(
        f"/api/tickets/{t['label']}/form", json={"service": "Z", "priority": "ya", "name": ""}, headers=front
    )
    assert r.status_code == 422
    assert {"service", "priority", "name", "phone"} <= set(r.get_json()["fields"])
