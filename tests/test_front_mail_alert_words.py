"""The words of the front office's alert of an escalation mail that is no longer tried (refused for good): a helper
read it end in "(gagal, perlu cetak ulang/tindakan)", words meant for a print a mail does not have. The server's
advice before it says what to do for the mail (forward the case to LKPP by hand, or send it again on the Escalations
page); the end says it is no longer tried. A real SMTP server, a real server process, and real Chromium."""

from __future__ import annotations

from live import ClockedServer
from playwright.sync_api import expect
from smtp import mailing_office
from staffpages import sign_in
from test_front_mail_withdrawn import tried
from test_mail import Refusing, cases_when, escalate_live

from server.i18n import t


def officer_and_front_office(browser, server):
    """budi (an officer) signed in through the API, and rina's front office page in a new browser context, its
    alerts loaded: (budi's session, the context, the page)."""
    server.add_user("budi", "officer")
    server.add_user("rina", "frontoffice")
    officer = server.session("budi", "rahasia-123")
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    page = sign_in(context.new_page(), server, "/counter/front", "rina")
    expect(page.locator("#alerts")).to_have_attribute("data-loaded", "true")
    return officer, context, page


def test_a_given_up_mails_alert_says_what_to_do_for_a_mail_not_for_a_print(browser, tmp_path):
    handler = Refusing("550 5.1.1 <helpdesk@lkpp.go.id>: Recipient address rejected: User unknown")
    with mailing_office(tmp_path, handler) as server:
        officer, context, page = officer_and_front_office(browser, server)
        label = escalate_live(server, officer, "Sari Wulandari")
        cases_when(server, officer, tried("failed", label))
        alert = page.locator("#alerts li[data-type=mail_failed]").filter(has_text=label)

        def says_a_mails_words(lang: str) -> None:
            expect(alert).to_have_count(1)
            text = alert.inner_text()
            assert f"({t('front.alert.gave_up', lang)})" in text, text  # the end: no longer tried
            assert "cetak ulang" not in text.lower() and "reprint" not in text.lower(), text
            assert ("Kirim ulang" if lang == "id" else "Send again") in text, text  # what to do, for a mail

        says_a_mails_words("id")  # live, from the mail's event
        page.reload()  # loaded from the escalations' list
        expect(page.locator("#alerts")).to_have_attribute("data-loaded", "true")
        says_a_mails_words("id")
        page.click("#lang-toggle")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        says_a_mails_words("en")
        context.close()


def test_a_mail_alert_read_after_a_reload_says_when_the_mail_failed_as_it_did_live(browser, tmp_path):
    """The mail server puts the mail off (451) at its first try, at the escalation, and again at a try half an hour
    later: the front office's alert, live, says that try's time. Loaded again (from the open escalations rather than
    the live event) it said the escalation's time, half an hour earlier; it says the failure's, as live."""
    handler = Refusing("451 4.3.0 Mailbox busy, try again later")
    with mailing_office(tmp_path, handler, ClockedServer) as server:
        officer, context, page = officer_and_front_office(browser, server)
        label = escalate_live(server, officer, "Sari Wulandari")
        (case,) = cases_when(server, officer, tried("retrying", label))
        alert = page.locator("#alerts li[data-type=mail_failed]").filter(has_text=label)
        expect(alert).to_contain_text("(percobaan 1, dicoba lagi)")
        escalated_at = alert.locator("strong").inner_text()  # its first try failed at once
        server.advance(1800)
        (case,) = cases_when(server, officer, lambda cs: cs[0]["mail"]["attempts"] == 2)
        assert case["mail"]["status"] == "retrying", case
        expect(alert).to_contain_text("(percobaan 2, dicoba lagi)")
        failed_at = alert.locator("strong").inner_text()
        assert failed_at != escalated_at, (failed_at, escalated_at)  # half an hour later

        page.reload()
        expect(page.locator("#alerts")).to_have_attribute("data-loaded", "true")
        expect(alert).to_contain_text("(percobaan 2, dicoba lagi)")
        expect(alert.locator("strong")).to_have_text(failed_at)  # when it failed, not when it was escalated
        context.close()
