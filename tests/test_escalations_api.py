"""GET /api/escalations: each open case's priority class with its target time, whether it is overdue,
the visitor's phone, and the text to copy for the LKPP's TTS, word for word the escalation e-mail."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from conftest import login, visitor, write_config
from live import free_port
from smtp import Inbox

from server.mail import MailWorker


def escalate(app, client, h, priority_class: str | None = None, **form) -> dict:
    """One visitor issued, called, served and escalated at counter 1 by budi."""
    r = client.post("/api/tickets", json=visitor(**form))
    assert r.status_code == 201, r.get_json()
    data = {"note": "Kunci publik paket rusak; perlu dicek LKPP", "category": "pengaduan"}
    if priority_class:
        data["priority_class"] = priority_class
    for action, body in (("call-next", {}), ("start", {}), ("escalate", data)):
        r = client.post(f"/api/counters/1/{action}", json=body, headers=h)
        assert r.status_code == 200, r.get_json()
    return r.get_json()["ticket"]


def cases(client, h) -> list[dict]:
    r = client.get("/api/escalations", headers=h)
    assert r.status_code == 200
    return r.get_json()["escalations"]


def test_an_open_case_names_its_priority_class_and_is_overdue_only_past_its_target(app, client, clock):
    h = login(app, client, "budi")
    clock.advance(minutes=3)
    escalate(app, client, h, "P1")  # P1 Tinggi: 60 minutes in the demo's priority table
    case = cases(client, h)[0]
    assert case["priority_class"] == {"code": "P1", "name": "Tinggi", "target_minutes": 60}
    assert case["target_minutes"] == 60 and case["overdue"] is False and case["age_s"] == 0
    assert case["form"]["phone"] == "081234567890"
    clock.advance(minutes=60)
    assert cases(client, h)[0]["overdue"] is False  # exactly the target: still within it
    clock.advance(seconds=1)
    case = cases(client, h)[0]
    assert case["overdue"] is True and case["age_s"] == 3601


def test_a_case_without_a_priority_class_is_held_to_the_longest_target_of_the_table(app, client, clock):
    """Without a class, a case was never late, however old (a review found one unflagged after six days);
    it is held to the longest target of the priority table (P3 Rendah, a day, in the demo's)."""
    h = login(app, client, "budi")
    escalate(app, client, h)
    case = cases(client, h)[0]
    assert case["priority_class"] is None and (case["target_minutes"], case["overdue"]) == (1440, False)
    clock.advance(days=1, seconds=1)
    assert cases(client, h)[0]["overdue"] is True


def test_with_email_off_the_case_has_no_mail_and_a_text_to_forward_by_hand(app, client):
    h = login(app, client, "budi")
    escalate(app, client, h, "P3", name="Siti Aminah", agency="Dinas PUPR", address="Jl. Dua", phone="081211112222")
    case = cases(client, h)[0]
    assert case["mail"] is None
    text = case["copy_text"]
    assert text.startswith("Perihal: [Eskalasi] LPSE Kabupaten Contoh - tiket A-001 - Sabtu, 28 November 2026\n\n")
    for part in (
        "Nomor antrian       : A-001",
        "Tanggal             : Sabtu, 28 November 2026 09.00 WIB",
        "Kelas prioritas     : P3 - Rendah (target penyelesaian 1 hari)",
        "Nama                : Siti Aminah",
        "Instansi/Perusahaan : Dinas PUPR",
        "Alamat              : Jl. Dua",
        "Telepon             : 081211112222",
        "B. PERMASALAHAN\nLupa kata sandi akun penyedia SPSE",
        "C. ANALISIS HELPDESK LPSE\nKunci publik paket rusak; perlu dicek LKPP",
        "Pemberi penjelasan: budi",
        "LPSE Kabupaten Contoh\nJl. Merdeka No. 1, Kota Contoh",
    ):
        assert part in text


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def mail_app(tmp_path, clock, smtp_port):
    from server.app import create_app

    cfg = write_config(
        tmp_path,
        {'enabled = false\nhost = "127.0.0.1"\nport = 25': f'enabled = true\nhost = "127.0.0.1"\nport = {smtp_port}'},
    )
    application = create_app(cfg, workers=False, clock=clock)
    yield application
    application.extensions["antrian"].stop()
    application.extensions["antrian"].store.close()


def test_the_copy_text_is_the_escalation_mail_word_for_word(mail_app, smtp_port, clock):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        client = mail_app.test_client()
        h = login(mail_app, client, "budi")
        clock.advance(minutes=7)
        escalate(mail_app, client, h, "P2", name="Ma'ruf Amin")
        assert MailWorker(mail_app.extensions["antrian"]).run_once() == 1
        _, _, msg = inbox.messages[0]
        case = cases(client, h)[0]
        assert case["mail"]["status"] == "sent"
        body = msg.get_content().replace("\r\n", "\n")  # SMTP's line ends
        assert case["copy_text"] == f"Perihal: {msg['Subject']}\n\n{body}"
        assert "Kelas prioritas     : P2 - Sedang (target penyelesaian 8 jam)" in msg.get_content()
        assert "Tanggal             : Sabtu, 28 November 2026 09.07 WIB" in msg.get_content()
    finally:
        controller.stop()


def test_the_list_reads_as_many_statements_for_six_cases_as_for_two_and_each_case_as_its_own_reads(
    mail_app, smtp_port, clock
):
    """helper-273: GET /api/escalations read each open case's mail, and each sent one's events, case by case: 300
    cases took 1,771 statements (docs/performance.md, "The Eskalasi list with many cases open"). The
    same statements now for six cases (mails sent, corrected after, a correction said sent) as for two; and each
    case says what the reads of that case alone say (its latest mail, its correction since)."""
    from server.service.views import corrected_after_mail

    controller = Controller(Inbox(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        client = mail_app.test_client()
        h = login(mail_app, client, "budi")
        svc = mail_app.extensions["antrian"]

        def listed() -> tuple[int, list[dict]]:
            seen: list[str] = []
            for db in svc.store._all:
                db.conn.set_trace_callback(seen.append)
            try:
                cases = client.get("/api/escalations", headers=h).get_json()["escalations"]
            finally:
                for db in svc.store._all:
                    db.conn.set_trace_callback(None)
            return len(seen), cases

        first = [escalate(mail_app, client, h, "P1", name=f"Pengunjung {i}") for i in range(2)]
        assert MailWorker(svc).run_once() == 2
        few, _ = listed()
        more = [escalate(mail_app, client, h, "P2", name=f"Tamu {i}") for i in range(4)]
        assert MailWorker(svc).run_once() == 4
        clock.advance(minutes=5)
        for case in (first[0], more[0]):  # the analysis corrected after the mail went
            r = client.post(f"/api/tickets/{case['id']}/correct", json={"escalation_note": "Dikoreksi."}, headers=h)
            assert r.status_code == 200, r.get_json()
        form = {
            k: v for k, v in visitor(name="Tamu 1", phone="081399887766").items() if k not in ("service", "category")
        }
        assert client.post(f"/api/tickets/{more[1]['label']}/form", json=form, headers=h).status_code == 200
        assert client.post(f"/api/escalations/{first[0]['id']}/correction-sent", json={}, headers=h).status_code == 200
        many, cases = listed()
        assert (len(cases), many) == (6, few)
        said = {c["label"]: (c["mail"].get("corrected_at"), c["mail"].get("correction_sent")) for c in cases}
        with svc.store.read() as tx:
            for case in cases:
                mail = tx.mail_of_ticket(case["id"])
                assert {k: case["mail"][k] for k in ("id", "status", "attempts", "error", "sent_at")} == {
                    k: mail[k] for k in ("id", "status", "attempts", "error", "sent_at")
                }
                last, forwarded = corrected_after_mail(tx, case["id"], mail)
                corrected_at, sent = said[case["label"]]
                assert (corrected_at, sent and sent["at"]) == (
                    (last, None) if forwarded is None else (None, forwarded["at"])
                ), case["label"]
        assert sum(1 for c in cases if c["mail"].get("corrected_at")) == 2  # more[0]'s note and more[1]'s phone
        assert said[first[0]["label"]][1]["by"] == "budi"
    finally:
        controller.stop()


@pytest.mark.parametrize(
    "minutes,text", [(45, "45 menit"), (60, "1 jam"), (90, "1 jam 30 menit"), (480, "8 jam"), (2880, "2 hari")]
)
def test_target_times_read_as_indonesians_say_them(minutes, text):
    from server.escalation import minutes_id

    assert minutes_id(minutes) == text
