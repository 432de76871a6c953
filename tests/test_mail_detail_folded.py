"""A failed escalation mail in the officer's words: his counter page's notice said the officer's short line of the
server's advice, then, small, the mail server's own message ("— 127.0.0.1:…: SMTPRecipientsRefused: {…: (550, b'5.1.1
…')}"), English and SMTP codes he reads neither of; the Eskalasi page (officers and the front office) put it in brackets
in the advice, bold and red (helper-293). The counter says the officer's line alone; the Eskalasi page folds the
message behind "rincian untuk admin", as the front office's alerts do (tests/test_front_alert_detail.py), for the admin.
Real SMTP on 127.0.0.1 refusing LKPP's mailbox (tests/smtp.py), a real server process, real Chromium."""

from __future__ import annotations

from playwright.sync_api import expect
from smtp import mailing_office
from staffpages import PASSWORD, sign_in
from test_mail import Refusing, cases_when
from test_notices_consistent import REFUSED, REFUSED_WORDS, failed, serve

# the mail server's own words, none of which the officer is to read on his pages
RAW = ("SMTPRecipientsRefused", "550", "5.1.1", "127.0.0.1", "User unknown")


def test_a_failed_mail_is_said_in_the_officers_words_and_its_smtp_reply_folded_for_the_admin(browser, tmp_path):
    with mailing_office(tmp_path, Refusing(REFUSED)) as server:
        server.add_user("budi", "officer")
        officer = server.session("budi", PASSWORD)
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
        page = sign_in(context.new_page(), server, "/counter/", "budi")
        page.select_option("#counter-select", "1")
        label = serve(page, server, "Dewi Lestari")
        page.click("#btn-escalate")
        (case,) = cases_when(server, officer, failed(label))
        error, advice = case["mail"]["error"], case["mail"]["advice"]
        assert all(word in error for word in RAW), error  # the API keeps it, for the admin, and the server's log
        assert f"escalation mail {case['mail']['id']} failed, try 1, given up: {error}" in server.log()

        # the counter: the officer's line, nothing after it (it ended "— 127.0.0.1:…: SMTPRecipientsRefused: …")
        notice = page.locator("#notice")
        expect(notice).to_have_text(f"E-mail eskalasi {label} {REFUSED_WORDS}")
        expect(notice).to_have_attribute("data-kind", "error")
        page.click("#lang-toggle")
        expect(notice).to_have_text(advice["officer"]["en"])
        page.click("#lang-toggle")  # back to Indonesian (the browser's choice, for its next page too)
        expect(notice).to_have_text(advice["officer"]["id"])

        # the Eskalasi page: what failed and what to do (the advice's short words), and behind "rincian untuk admin"
        # the admin's part (config.toml's keys, the restart) with the raw reply (tests/test_mail_staff_words.py)
        esc = sign_in(context.new_page(), server, "/counter/escalations", "budi")
        mail = esc.locator(f"#cases li.case[data-id='{case['id']}'] dd.mail")
        expect(mail).to_have_attribute("data-state", "failed")
        expect(mail.locator(".mail-said")).to_contain_text(advice["problem"]["id"])
        expect(mail.locator(".mail-todo")).to_have_text(advice["todo"]["id"])
        detail, toggle = mail.locator(".mail-detail"), mail.locator("button.detail-toggle")
        expect(detail).to_have_text(error)
        expect(mail.locator(".mail-admin")).to_have_text(advice["admin"]["id"])
        expect(mail.locator(".mail-admin")).to_be_hidden()
        expect(detail).to_be_hidden()
        # read in one step of the page: mail.evaluate resolves the element, then reads it in a second step, and a
        # card redrawn between them (its <dl> replaced) left a detached <dd>, whose innerText is its whole textContent,
        # the hidden message included (a clean CI run)
        seen = esc.evaluate(
            "(s) => document.querySelector(s).innerText", f"#cases li.case[data-id='{case['id']}'] dd.mail"
        )
        assert not [word for word in RAW if word in seen], seen  # it was "… (127.0.0.1:…: SMTPRecipientsRefused: …)"
        assert "config.toml" not in seen, seen  # the admin's, folded
        expect(toggle).to_have_text("rincian untuk admin")
        toggle.click()
        expect(detail).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        # opened, the admin's part adds the fix to the line above, not the problem again ("…: server e-mail menolak
        # pengirim atau penerima." then "server e-mail menolak pengirim atau penerima — periksa …")
        seen = esc.evaluate(
            "(s) => document.querySelector(s).innerText", f"#cases li.case[data-id='{case['id']}'] dd.mail"
        )
        assert seen.count(advice["problem"]["id"]) == 1 and "Periksa di config.toml [escalation] to = " in seen, seen
        esc.click("#lang-toggle")  # the card redrawn: the message stays open
        expect(mail.locator(".mail-todo")).to_have_text(advice["todo"]["en"])
        expect(mail.locator(".mail-admin")).to_have_text(advice["admin"]["en"])
        expect(mail.locator("button.detail-toggle")).to_have_text("details for the admin")
        expect(mail.locator(".mail-detail")).to_be_visible()
        mail.locator("button.detail-toggle").click()
        expect(mail.locator(".mail-detail")).to_be_hidden()
        context.close()
