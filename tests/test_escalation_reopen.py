"""A close made by mistake, undone: POST /api/tickets/<ref>/reopen (officers and the front office).

LKPP's answer recorded on the wrong card, or with the wrong LKPP number, was final: the case left the Eskalasi page
for good, the recap said it was answered and the visitor's phone page that LKPP had answered. Reopened, the case is
escalated again with its LKPP number, its mail as before the close (never sent again), the answer kept in the event
log as a correction keeps its old version, and who reopened it and when. The page itself (Batalkan in the notice,
Buka lagi under "Baru ditutup", the phone following live) is tests/test_escalations_page.py's
test_a_close_made_by_mistake_is_undone_from_the_notice_or_reopened_later.
"""

from __future__ import annotations

import pytest
from conftest import login, write_config
from test_escalations_api import cases, escalate

ANSWER = "Kunci paket sudah dibuat ulang oleh LKPP."


def reopen(client, h, ref, request_id: str | None = None, lang: str = "id"):
    body = {"request_id": request_id} if request_id else {}
    return client.post(f"/api/tickets/{ref}/reopen", json=body, headers={**h, "X-Lang": lang})


def events_of(app, ticket_id: int, kind: str) -> list[dict]:
    with app.extensions["antrian"].store.read() as tx:
        return [e for e in tx.events_of_ticket(ticket_id) if e["type"] == kind]


def test_a_case_closed_by_mistake_is_open_again_with_its_lkpp_number_and_the_answer_kept_in_its_history(app, clock):
    officer, front = app.test_client(), app.test_client()
    h = login(app, officer, "budi")
    f = login(app, front, "rina", "frontoffice")
    case = escalate(app, officer, h)
    r = officer.post(
        f"/api/tickets/{case['id']}/close", json={"answer": ANSWER, "lkpp_ticket": "TTS-515083"}, headers=h
    )
    assert r.status_code == 200 and r.get_json()["ticket"]["status"] == "closed"
    listed = officer.get("/api/escalations", headers=h).get_json()
    assert listed["escalations"] == [] and listed["closed_days"] == 7
    (closed,) = listed["closed"]  # "Baru ditutup": where a close made by mistake is reopened later
    assert (closed["label"], closed["closed_by"], closed["lkpp_ticket"], closed["lkpp_answer"]) == (
        case["label"],
        "budi",
        "TTS-515083",
        ANSWER,
    )

    clock.advance(minutes=20)
    r = reopen(front, f, case["id"], "undo-1")  # the front office, as it corrects a record
    assert r.status_code == 200, r.get_json()
    ticket = r.get_json()["ticket"]
    assert (ticket["status"], ticket["lkpp_answer"], ticket["lkpp_ticket"]) == ("escalated", "", "TTS-515083")
    again = reopen(front, f, case["id"], "undo-1")  # the same request again (a lost answer): the same answer
    assert again.status_code == 200 and again.get_json()["ticket"]["status"] == "escalated"
    (event,) = events_of(app, case["id"], "reopened")
    assert event["actor"] == "rina" and event["at"].startswith("2026-11-28T02:20")
    assert event["data"]["changes"] == {"lkpp_answer": {"old": ANSWER, "new": ""}}
    assert (event["data"]["closed_by"], event["data"]["role"], event["data"]["to"]) == (
        "budi",
        "frontoffice",
        "escalated",
    )
    assert event["data"]["closed_at"].startswith("2026-11-28T02:00")

    (open_case,) = cases(officer, h)  # back on the Eskalasi page, with its LKPP number
    assert (open_case["id"], open_case["lkpp_ticket"]) == (case["id"], "TTS-515083")
    assert officer.get("/api/escalations", headers=h).get_json()["closed"] == []
    history = officer.get(f"/api/tickets/{case['id']}/history", headers=h).get_json()["events"]
    assert [e["type"] for e in history][-2:] == ["closed", "reopened"]
    (row,) = officer.get("/api/recap?from=2026-11-28&to=2026-11-28", headers=h).get_json()["rows"]
    assert row["Keterangan"] == "Pengaduan; Eskalasi ke Helpdesk LKPP; Tiket LKPP TTS-515083"  # not "dijawab"
    assert ANSWER not in row["Solusi"]
    answered = officer.get("/api/recap?from=2026-11-28&to=2026-11-28&outcome=closed", headers=h).get_json()["rows"]
    assert answered == []

    # The right answer, on the right card now: closed again, and reopened again if need be.
    r = officer.post(f"/api/tickets/{case['id']}/close", json={"answer": "Jawaban yang benar."}, headers=h)
    assert r.status_code == 200 and r.get_json()["ticket"]["lkpp_ticket"] == "TTS-515083"


def test_a_case_not_closed_is_refused_in_both_languages(app):
    client = app.test_client()
    h = login(app, client, "budi")
    case = escalate(app, client, h)
    r = reopen(client, h, case["id"])
    assert r.status_code == 409
    body = r.get_json()
    assert body["error"] == "case_not_closed"
    assert body["message"].startswith(f"Kasus {case['label']} tidak sedang ditutup (statusnya dieskalasi")
    en = reopen(client, h, case["id"], lang="en").get_json()["message"]
    assert en.startswith(f"Case {case['label']} is not closed (it is escalated")
    resolved = client.post(
        "/api/tickets",
        json={"service": "A", "name": "A", "agency": "B", "address": "C", "phone": "081234567891", "problem": "D"},
    )
    assert resolved.status_code == 201
    for action, data in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Selesai di sini."})):
        assert client.post(f"/api/counters/1/{action}", json=data, headers=h).status_code == 200
    r = reopen(client, h, resolved.get_json()["ticket"]["label"])
    assert (r.status_code, r.get_json()["error"]) == (409, "case_not_closed")
    assert events_of(app, case["id"], "reopened") == []


@pytest.fixture
def mail_app(tmp_path, clock):
    from server.app import create_app

    cfg = write_config(tmp_path, {"enabled = false\n": "enabled = true\n"})
    application = create_app(cfg, workers=False, clock=clock)
    yield application
    application.extensions["antrian"].stop()
    application.extensions["antrian"].store.close()


def mail_of(app, ticket_id: int) -> dict:
    with app.extensions["antrian"].store.read() as tx:
        return tx.mail_of_ticket(ticket_id)


def test_the_mail_is_as_before_the_close_and_never_sent_again(mail_app, clock):
    """A mail the close withdrew, never sent, is tried again once reopened; one sent stays sent; one withdrawn
    because the LKPP number was recorded (forwarded by hand) stays withdrawn."""
    service = mail_app.extensions["antrian"]
    client = mail_app.test_client()
    h = login(mail_app, client, "budi")
    waiting = escalate(mail_app, client, h)  # its mail still queued (no worker here)
    assert mail_of(mail_app, waiting["id"])["status"] == "queued"
    assert client.post(f"/api/tickets/{waiting['id']}/close", json={"answer": ANSWER}, headers=h).status_code == 200
    assert mail_of(mail_app, waiting["id"])["status"] == "withdrawn"
    clock.advance(minutes=2)
    assert reopen(client, h, waiting["id"]).status_code == 200
    mail = mail_of(mail_app, waiting["id"])
    assert (mail["status"], mail["next_attempt_at"][:16]) == ("queued", "2026-11-28T02:02")
    assert events_of(mail_app, waiting["id"], "reopened")[0]["data"]["mail_restored"] == "queued"

    sent = escalate(mail_app, client, h)
    service.mail_result(mail_of(mail_app, sent["id"]), None)  # the mail server took it
    assert client.post(f"/api/tickets/{sent['id']}/close", json={"answer": ANSWER}, headers=h).status_code == 200
    assert reopen(client, h, sent["id"]).status_code == 200
    assert mail_of(mail_app, sent["id"])["status"] == "sent"
    assert "mail_restored" not in events_of(mail_app, sent["id"], "reopened")[0]["data"]

    by_hand = escalate(mail_app, client, h)
    r = client.post(f"/api/tickets/{by_hand['id']}/close", json={"answer": ANSWER, "lkpp_ticket": "TTS-9"}, headers=h)
    assert r.status_code == 200
    assert reopen(client, h, by_hand["id"]).status_code == 200
    assert mail_of(mail_app, by_hand["id"])["status"] == "withdrawn"  # it reached LKPP by hand: not sent
    (listed,) = [c for c in cases(client, h) if c["id"] == by_hand["id"]]
    assert (listed["mail"]["status"], listed["lkpp_ticket"]) == ("withdrawn", "TTS-9")
