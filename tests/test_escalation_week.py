"""An escalated case followed over a week (SOP step 11, helper-265): the mail server down for an hour, the mail sent
much later, and the case's analysis corrected after LKPP had the mail. A real SMTP server on 127.0.0.1 (aiosmtpd)
receives the mail, as in tests/test_escalation_day.py; the page is a real server process in real Chromium, as in
tests/test_escalations_page.py."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email import policy
from email.utils import parsedate_to_datetime

from aiosmtpd.controller import Controller
from playwright.sync_api import expect
from test_escalation_day import RawInbox, escalate_longest
from test_escalations_page import (  # noqa: F401  (no_open_cases, office, officer, smtp: its live server's fixtures)
    card,
    escalate,
    no_open_cases,
    office,
    officer,
    open_page,
    smtp,
)
from test_mail import mail_app, smtp_port  # noqa: F401  (the fixtures: the app with [escalation] on that port)

from server.mail import MailWorker


def test_a_mail_sent_days_after_the_escalation_is_dated_when_it_went(mail_app, smtp_port, clock):  # noqa: F811
    """helper-265: the mail's Date was the escalation's time, whenever it went: a case whose mail server was down,
    or whose refusal was mended days later (Kirim ulang), reached LKPP dated days back, under LKPP's newer mail, and
    a mail filter counts a Date long before its arrival against it (SpamAssassin's DATE_IN_PAST_96_XX). The Date is
    now when the mail went; the body still says when the case was escalated."""
    escalated_at = clock.now
    escalate_longest(mail_app)  # nothing listens on smtp_port yet: the mail server is down
    worker = MailWorker(mail_app.extensions["antrian"])
    assert worker.run_once() == 1
    clock.advance(days=3, hours=2)  # the week goes on; the mail server is back
    inbox = RawInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        assert worker.run_once() == 1
    finally:
        controller.stop()
    (raw,) = inbox.raw
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert parsedate_to_datetime(msg["Date"]) == clock.now.replace(microsecond=0)
    assert msg["Date"].endswith("+0700")  # the office's zone (WIB), as the body's times
    assert "Tanggal             : Sabtu, 28 November 2026 09.00 WIB" in msg.get_content()
    assert parsedate_to_datetime(msg["Date"]) - escalated_at > timedelta(days=3)


def test_a_case_corrected_after_its_mail_went_says_lkpp_has_the_old_text(browser, office, officer):  # noqa: F811
    """helper-265: an analysis corrected after the mail had gone showed the new analysis beside "Terkirim …" in
    green, as if LKPP had it: LKPP has the text from before. The card now says so, in amber, and to send the
    correction by hand; a correction of what the mail does not carry (none here) or before it went says nothing."""
    case = escalate(office, officer, "Rina Wati", "CV Maju", "Paket tidak bisa diunggah.", "Perlu dicek LKPP.")
    untouched = escalate(office, officer, "Dedi", "CV Jaya", "Akun terkunci.", "Perlu reset LKPP.")
    assert case["mail"]["status"] == "sent"
    page = open_page(browser, office, "rina")  # the front office, where the cases are followed
    mail = card(page, case).locator("dd.mail")
    expect(mail).to_have_text(re.compile(r"^Terkirim "))
    r = officer.post(
        f"{office.url}/api/tickets/{case['id']}/correct",
        json={"escalation_note": "Analisis dikoreksi: sertifikat instansi, bukan paket."},
        timeout=5,
    )
    assert r.status_code == 200, r.text
    expect(card(page, case).locator("dd.note")).to_have_text("Analisis dikoreksi: sertifikat instansi, bukan paket.")
    expect(mail).to_have_text(re.compile(r"^Terkirim .*, tetapi kasus ini dikoreksi sesudahnya \(.+\): LKPP menerima"))
    expect(mail).to_have_attribute("data-state", "corrected")
    expect(card(page, untouched).locator("dd.mail")).to_have_attribute("data-state", "sent")  # not corrected
    case_now = next(
        c
        for c in officer.get(office.url + "/api/escalations", timeout=5).json()["escalations"]
        if c["id"] == case["id"]
    )
    assert case_now["mail"]["corrected_at"]
    # the visitor's phone corrected after the other case's mail went (the number LKPP would call back): the same
    form = {**untouched["form"], "phone": "081399887766"}
    r = officer.post(f"{office.url}/api/tickets/{untouched['label']}/form", json=form, timeout=5)
    assert r.status_code == 200 and r.json()["changed"] == ["phone"], r.text
    expect(card(page, untouched).locator("dd.mail")).to_have_attribute("data-state", "corrected")
    expect(card(page, untouched).locator("dd.phone")).to_have_text("081399887766")
    page.context.close()
