"""An escalation's day (SOP step 11, helper-205): the e-mail as the LKPP helpdesk's mail server and its plain mail
client get it, from the longest texts an office may type, and a mail server slow to accept it; two officers answering
the same case on the escalations page. A real SMTP server on 127.0.0.1 (aiosmtpd) receives the mail, as in
tests/test_mail.py; the page is a real server process in real Chromium, as in tests/test_escalations_page.py."""

from __future__ import annotations

import asyncio
import email
import re
from email import policy

from aiosmtpd.controller import Controller
from conftest import login, visitor
from playwright.sync_api import expect
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

from server.mail import MailWorker, build_message, send

# The longest texts the forms take (server/forms.py LIMITS), Indonesian with its dashes, quotes and accents.
LONGEST = visitor(
    name=("Ni Luh Putu Ayu Kusumawardhani Dewi Sékar " * 3)[:100],
    agency=("PT Sinar Jaya Abadi Konstruksi Nusantara Tbk. " * 4)[:150],
    address=("Jl. Raya Denpasar–Gilimanuk No. 17, Kel. Dauh Puri, Kec. Denpasar Barat, " * 5)[:300],
    phone="+62 812-3456-7890",
    problem=("Dokumen penawaran tidak dapat diunggah; muncul “Gagal enkripsi” — dicoba di Chrome & Firefox. " * 25)[
        :2000
    ],
)
ANALYSIS = ("Sertifikat paket kedaluwarsa; kunci publik cocok, tetapi SPSE menolak unggahan (kode E-417). " * 50)[:4000]


class RawInbox:
    """aiosmtpd handler that keeps each message's bytes as they came over the wire; `delay`: seconds it takes
    before it says 250, having the message already (a server that scans it first)."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.raw: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.raw.append(envelope.original_content or envelope.content)
        await asyncio.sleep(self.delay)
        return "250 OK"


def escalate_longest(app):
    client = app.test_client()
    assert client.post("/api/tickets", json=LONGEST).status_code == 201
    h = login(app, client, "budi")
    client.post("/api/counters/1/call-next", headers=h)
    client.post("/api/counters/1/start", headers=h)
    r = client.post("/api/counters/1/escalate", headers=h, json={"note": ANALYSIS, "category": "pengaduan"})
    assert r.status_code == 200, r.get_json()
    return client, h


def test_the_longest_escalation_reaches_lkpp_in_lines_a_mail_server_and_a_plain_client_take(
    mail_app,  # noqa: F811
    smtp_port,  # noqa: F811
):
    """helper-205: the mail was quoted-printable in lines of up to 998 characters (the message's policy was
    cloned to 998 so that the Subject would not fold, and the body's encoding took that length too): RFC 2045
    allows 76, and mail filters mark longer ones (SpamAssassin's MIME_QP_LONG_LINE). helper-326: it was then 78 (SMTP's
    policy, RFC 5322's line), still past RFC 2045's 76. Every line is now at most 76 octets in the body, and a plain
    mail client reads back the very text the escalations page copies."""
    inbox = RawInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        client, h = escalate_longest(mail_app)
        assert MailWorker(mail_app.extensions["antrian"]).run_once() == 1
    finally:
        controller.stop()
    (raw,) = inbox.raw
    head, _, body = raw.partition(b"\r\n\r\n")
    too_long = [(len(line), line[:40]) for line in body.split(b"\r\n") if len(line) > 76]  # RFC 2045 6.7
    assert not too_long, too_long
    assert max(len(line) for line in head.split(b"\r\n")) <= 998  # the Subject unfolded (RFC 5322's limit)
    assert raw.isascii()  # no 8bit body for a server without 8BITMIME
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Content-Transfer-Encoding"] == "quoted-printable"
    assert msg.get_content_charset() == "utf-8"
    text = msg.get_content().replace("\r\n", "\n")
    assert LONGEST["problem"] in text and ANALYSIS in text and LONGEST["address"] in text
    esc = client.get("/api/escalations", headers=h).get_json()["escalations"][0]
    assert esc["copy_text"].endswith(text)
    assert msg["Subject"] == "[Eskalasi] LPSE Kabupaten Contoh - tiket A-001 - Sabtu, 28 November 2026"


def test_a_mail_server_slow_to_accept_the_message_gets_it_once(mail_app, smtp_port):  # noqa: F811
    """helper-205: a mail server that takes longer than the 10 s command timeout to answer the message's end
    (it scans the message first, and has it) made the send fail on a timeout: the mail was tried again four
    seconds later, and LKPP had the case twice. The reply to the message is now waited for as RFC 5321 asks
    (10 minutes); the test's command timeout is 0.5 s, the server answers after 1.5 s."""
    inbox = RawInbox(delay=1.5)
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        escalate_longest(mail_app)
        service = mail_app.extensions["antrian"]
        with service.store.read() as tx:
            (row,) = tx.rows("SELECT id, ticket_id FROM mails")
            ticket, form = tx.ticket(row["ticket_id"]), tx.form(row["ticket_id"])
        msg = build_message(service.settings, ticket, form, row["id"])
        send(service.settings.escalation, msg, timeout=0.5)  # no MailError: it went
    finally:
        controller.stop()
    assert len(inbox.raw) == 1


def test_a_case_a_colleague_closes_while_the_answer_is_being_typed_says_so(browser, office, officer):  # noqa: F811
    """helper-205: while budi typed LKPP's answer, sari recorded it on her page: budi's card went, with what he had
    typed, and his page said nothing (the case seemed lost). His page now says who closed it and that his text was
    not saved, on the card, which stays with his text (helper-221: it went, a page notice said so); hers says she
    closed it, and a page where nothing was typed in that card stays quiet."""
    case = escalate(office, officer, "Rina Wati", "CV Maju", "Paket tidak bisa diunggah.", "Perlu dicek LKPP.")
    office.add_user("sari", "officer")
    mine = open_page(browser, office, "budi")
    theirs = open_page(browser, office, "sari")
    front = open_page(browser, office, "rina")  # the front office: the cases, no forms
    typed = "Jawaban LKPP: silakan unggah ulang dengan Apendo terbaru."
    card(mine, case).locator("[name=answer]").fill(typed)
    card(theirs, case).locator("[name=answer]").fill("Jawaban LKPP lewat telepon: unggah ulang.")
    card(theirs, case).locator("button.close-case").click()

    expect(card(theirs, case)).to_have_count(0)
    expect(theirs.locator("#page-notice")).to_have_text(re.compile(rf"^{case['label']} \(.+\) ditutup: jawaban LKPP"))
    expect(card(mine, case).locator(".closed-note .said")).to_have_text(
        re.compile(
            rf"^Kasus {case['label']} sudah ditutup oleh sari pada .*, tanpa nomor tiket LKPP: .* tidak disimpan\.$"
        )
    )
    expect(card(mine, case).locator("[name=answer]")).to_have_value(typed)
    expect(mine.locator("#case-count")).to_have_text("0")
    expect(card(front, case)).to_have_count(0)
    expect(front.locator("#page-notice")).to_have_text("")
    for page in (mine, theirs, front):
        page.context.close()
