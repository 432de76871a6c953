"""The front office's alert of an escalation mail still being retried (the mail server busy) once the case reached
LKPP by hand: the officer records LKPP's ticket number, or LKPP's answer closes the case, and the mail is
`withdrawn` (never tried again). The alert stayed on the front office, saying the mail was being retried, until
the page was loaded again; it goes with the `lkpp_ticket` and `closed` events, and a page loaded after them does
not bring it back. So for a mail refused for good (`failed`, not withdrawn) whose case was forwarded by hand: LKPP
has it, nothing is left to do. A real SMTP server, a real server process, and real Chromium."""

from __future__ import annotations

import requests
from conftest import visitor
from live import ClockedServer
from playwright.sync_api import expect
from smtp import mailing_office
from staffpages import sign_in
from test_mail import Refusing, cases_when, escalate_live


def tried(status: str, *labels: str):
    """A cases_when condition: each of `labels` has its mail `status` after one try."""
    return lambda cs: all(
        any(c["label"] == label and (c["mail"]["status"], c["mail"]["attempts"]) == (status, 1) for c in cs)
        for label in labels
    )


def test_the_front_offices_mail_alert_goes_once_the_case_reached_lkpp_by_hand(browser, tmp_path):
    handler = Refusing("550 5.1.1 <helpdesk@lkpp.go.id>: Recipient address rejected: User unknown")
    with mailing_office(tmp_path, handler) as server:
        server.add_user("budi", "officer")
        server.add_user("rina", "frontoffice")
        officer = server.session("budi", "rahasia-123")
        refused = escalate_live(server, officer, "Sari Wulandari")
        cases_when(server, officer, tried("failed", refused))
        handler.rcpt = "451 4.3.0 Mailbox busy, try again later"
        numbered = escalate_live(server, officer, "Rudi Hartono")
        answered = escalate_live(server, officer, "Joko Susilo")
        cases_when(server, officer, tried("retrying", numbered, answered))
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
        page = sign_in(context.new_page(), server, "/counter/front", "rina")
        alerts = page.locator("#alerts li[data-type=mail_failed]")
        for label in (refused, numbered, answered):
            expect(alerts.filter(has_text=f"E-mail eskalasi {label} ")).to_have_count(1)

        for label, number in ((refused, "TTS-77"), (numbered, "TTS-78")):
            r = officer.post(f"{server.url}/api/tickets/{label}/lkpp-ticket", json={"lkpp_ticket": number}, timeout=5)
            assert r.status_code == 200, r.text
        body = {"answer": "Sudah dijawab LKPP.", "lkpp_ticket": "TTS-79"}
        r = officer.post(f"{server.url}/api/tickets/{answered}/close", json=body, timeout=5)
        assert r.status_code == 200, r.text
        mails = {c["label"]: c["mail"]["status"] for c in cases_when(server, officer, lambda cs: True)}
        assert mails == {refused: "failed", numbered: "withdrawn"}, mails  # the answered case left the list
        expect(alerts).to_have_count(0)  # live: none said "being retried" of a mail never tried again, nor "forward it"

        page.reload()
        expect(page.locator("#alerts")).to_have_attribute("data-loaded", "true")
        expect(alerts).to_have_count(0)  # nor brought back by a load
        context.close()


def escalated_at_counter(browser, server, label: str):
    """budi's counter page (Loket 1) that called `label`, served it and escalated it from the page, once its notice
    says the mail failed and is retried (a mail server that puts it off)."""
    from test_counter_logout import open_counter

    page = open_counter(browser, server, "budi", 1)
    page.click("#btn-call-next")
    expect(page.locator("#t-label")).to_have_text(label)
    page.click("#btn-start")
    expect(page.locator("#t-status")).to_have_text("dilayani")
    page.fill("#note", "Kunci publik paket rusak; perlu dicek LKPP.")
    page.click("#btn-escalate")
    put_off = f"E-mail eskalasi {label} belum terkirim: server e-mail menundanya"  # the officer's line: retried
    expect(page.locator("#notice")).to_contain_text(put_off, timeout=10_000)
    return page


def test_the_officers_notice_of_his_escalations_mail_says_it_is_no_longer_sent_once_forwarded(browser, tmp_path):
    """budi escalates from his counter page while the mail server puts the mail off (451): his notice says the mail
    failed and is retried. A colleague forwards the case by hand and records LKPP's number: the mail is withdrawn in
    that change, and his notice went on saying it failed until the page was loaded again; it says it is not sent
    any more, the case having reached LKPP."""
    import requests

    handler = Refusing("451 4.3.0 Mailbox busy, try again later")
    with mailing_office(tmp_path, handler) as server:
        server.add_user("budi", "officer")
        server.add_user("siti", "officer")
        r = requests.post(
            f"{server.url}/api/tickets",
            timeout=5,
            json={"service": "A", "name": "Dewi Lestari", "agency": "CV Sentosa", "address": "Jl. Melati No. 3",
                  "phone": "081234567890", "problem": "Dokumen penawaran gagal terenkripsi."},
        )  # fmt: skip
        assert r.status_code == 201, r.text
        label = r.json()["ticket"]["label"]
        page = escalated_at_counter(browser, server, label)
        notice = page.locator("#notice")
        siti = server.session("siti", "rahasia-123")
        r = siti.post(f"{server.url}/api/tickets/{label}/lkpp-ticket", json={"lkpp_ticket": "TTS-90"}, timeout=5)
        assert r.status_code == 200, r.text
        expect(notice).to_have_text(
            f"E-mail eskalasi {label} tidak perlu dikirim lagi: kasusnya sudah diteruskan ke LKPP."
        )
        page.context.close()


def test_an_older_days_case_of_the_same_number_reaching_lkpp_leaves_todays_mail_alert(browser, tmp_path):
    """LKPP answers days later: yesterday's A-001 forwarded by hand took the alert of today's A-001, whose mail is
    still being retried (the alerts are told by their ticket's label; a label comes back each day)."""
    handler = Refusing()
    with mailing_office(tmp_path, handler, ClockedServer, dated=True) as server:
        server.add_user("budi", "officer")
        server.add_user("rina", "frontoffice")
        officer = server.session("budi", "rahasia-123")
        label = escalate_live(server, officer, "Sari Wulandari")
        old = next(c for c in cases_when(server, officer, tried("sent", label)) if c["label"] == label)
        server.next_day()
        officer = server.session("budi", "rahasia-123")
        handler.rcpt = "451 4.3.0 Mailbox busy, try again later"
        assert escalate_live(server, officer, "Rudi Hartono") == label
        cases_when(
            server, officer, lambda cs: any(c["id"] != old["id"] and c["mail"]["status"] == "retrying" for c in cs)
        )
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
        page = sign_in(context.new_page(), server, "/counter/front", "rina")
        alerts = page.locator("#alerts li[data-type=mail_failed]")
        expect(alerts.filter(has_text=f"E-mail eskalasi {label} ")).to_have_count(1)

        r = officer.post(f"{server.url}/api/tickets/{old['id']}/lkpp-ticket", json={"lkpp_ticket": "TTS-80"}, timeout=5)
        assert r.status_code == 200, r.text
        assert r.json()["ticket"]["id"] == old["id"], r.text
        r = requests.post(f"{server.url}/api/tickets", json=visitor(name="Joko Susilo"), timeout=5)
        assert r.status_code == 201, r.text
        expect(page.get_by_text(r.json()["ticket"]["label"], exact=True).first).to_be_visible()  # events came after
        assert alerts.count() == 1  # today's mail is still being retried (at once: its next try says so anew)
        context.close()
