"""After a case is reopened, and other leftovers of an escalation on the staff pages (helper-269).

A close made by mistake undone (POST /api/tickets/<ref>/reopen) puts the case's mail back as it was: one the close
withdrew is tried again, one that failed for good is still to be forwarded by hand. The officer's own counter page
went on saying his case had reached LKPP, and the front office's alert of its mail, gone with the `closed` event,
came back only at the mail's next failure or the next snapshot. On the Eskalasi page, "Nomor tiket … dicatat." stayed
under the number field for days. A real SMTP server, real server processes and real Chromium.
"""

from __future__ import annotations

import requests
from conftest import visitor
from pageclock import CALM_NUMBERS, pause_clock
from playwright.sync_api import expect
from smtp import mailing_office
from staffpages import sign_in
from test_front_mail_withdrawn import escalated_at_counter, tried
from test_mail import Refusing, cases_when, escalate_live

VIEWPORT = {"width": 1366, "height": 768}
ANSWER = "Sudah dijawab LKPP (dicatat pada kartu yang salah)."


def test_the_officers_notice_follows_his_case_reopened_its_mail_tried_again(browser, tmp_path):
    """budi escalates while the mail server puts the mail off (451): his notice says it failed and is retried. siti
    records LKPP's answer on the wrong card: the mail is withdrawn and his notice says it is not sent any more. She
    reopens the case: the mail is tried again, and his notice said on "tidak perlu dikirim lagi" while it failed."""

    handler = Refusing("451 4.3.0 Mailbox busy, try again later")
    with mailing_office(tmp_path, handler) as server:
        server.add_user("budi", "officer")
        server.add_user("siti", "officer")
        r = requests.post(f"{server.url}/api/tickets", json=visitor(name="Dewi Lestari"), timeout=5)
        assert r.status_code == 201, r.text
        label = r.json()["ticket"]["label"]
        page = escalated_at_counter(browser, server, label)  # its mail put off, retried
        notice = page.locator("#notice")

        siti = server.session("siti", "rahasia-123")
        r = siti.post(f"{server.url}/api/tickets/{label}/close", json={"answer": ANSWER}, timeout=5)
        assert r.status_code == 200, r.text
        gone = f"E-mail eskalasi {label} tidak perlu dikirim lagi: kasusnya sudah diteruskan ke LKPP."
        expect(notice).to_have_text(gone)

        r = siti.post(f"{server.url}/api/tickets/{label}/reopen", json={}, timeout=5)
        assert r.status_code == 200, r.text
        # the mail is back to being tried (and put off again): the notice says so, in red, not that it reached LKPP
        put_off = f"E-mail eskalasi {label} belum terkirim: server e-mail menundanya untuk sementara"
        expect(notice).to_contain_text(put_off)
        expect(notice).to_have_attribute("data-kind", "error")
        (case,) = cases_when(server, siti, lambda cs: any(c["mail"]["attempts"] >= 2 for c in cs))
        assert case["mail"]["status"] == "retrying", case
        expect(notice).to_contain_text(put_off)

        # forwarded by hand after all: said again, as for any case reaching LKPP
        r = siti.post(f"{server.url}/api/tickets/{label}/lkpp-ticket", json={"lkpp_ticket": "TTS-91"}, timeout=5)
        assert r.status_code == 200, r.text
        expect(notice).to_have_text(gone)
        page.context.close()


def test_the_front_offices_mail_alert_comes_back_when_the_case_is_reopened(browser, tmp_path):
    """LKPP's mailbox unknown (550): the mail failed for good, and the front office's alert says to forward the case
    by hand. LKPP's answer recorded on the wrong card took the alert away; the case reopened, the mail is still
    failed and nothing forwarded it: the alert comes back at once (it came back only at a reload). A case reopened
    with its LKPP number (forwarded by hand) brings back none."""
    handler = Refusing("550 5.1.1 <helpdesk@lkpp.go.id>: Recipient address rejected: User unknown")
    with mailing_office(tmp_path, handler) as server:
        server.add_user("budi", "officer")
        server.add_user("rina", "frontoffice")
        officer = server.session("budi", "rahasia-123")
        refused = escalate_live(server, officer, "Sari Wulandari")
        numbered = escalate_live(server, officer, "Rudi Hartono")
        cases_when(server, officer, tried("failed", refused, numbered))
        context = browser.new_context(viewport=VIEWPORT, locale="id-ID")
        page = sign_in(context.new_page(), server, "/counter/front", "rina")
        alerts = page.locator("#alerts li[data-type=mail_failed]")
        for label in (refused, numbered):
            expect(alerts.filter(has_text=f"E-mail eskalasi {label} ")).to_have_count(1)

        r = officer.post(f"{server.url}/api/tickets/{refused}/close", json={"answer": ANSWER}, timeout=5)
        assert r.status_code == 200, r.text
        body = {"answer": ANSWER, "lkpp_ticket": "TTS-78"}
        r = officer.post(f"{server.url}/api/tickets/{numbered}/close", json=body, timeout=5)
        assert r.status_code == 200, r.text
        expect(alerts).to_have_count(0)

        for label in (refused, numbered):
            r = officer.post(f"{server.url}/api/tickets/{label}/reopen", json={}, timeout=5)
            assert r.status_code == 200, r.text
        expect(alerts.filter(has_text=f"E-mail eskalasi {refused} ")).to_have_count(1)
        expect(alerts.filter(has_text=f"E-mail eskalasi {refused} ")).to_contain_text("tidak dicoba lagi")
        # a later event: the page has taken the reopens in, and the forwarded case's alert is not back
        r = requests.post(f"{server.url}/api/tickets", json=visitor(name="Joko Susilo"), timeout=5)
        assert r.status_code == 201, r.text
        expect(page.get_by_text(r.json()["ticket"]["label"], exact=True).first).to_be_visible()
        expect(alerts).to_have_count(1)
        context.close()


def test_the_lkpp_number_saved_line_goes_once_it_is_no_longer_news(browser, tmp_path):
    """The line "Nomor tiket TTS-… dicatat." under the number field stayed as long as the page was open (days, on
    the front desk's PC), also over a number a colleague recorded since. It goes at the card's next action (a copy),
    when the card's number changes, and a minute after the save (the page's clock moved on)."""
    # its pages hear no ping (pageclock.CALM_NUMBERS): 50 s moved on at once passed the socket's heartbeat, and the
    # dropped connection's new snapshot read the list again and redrew it while the test read the note
    with mailing_office(tmp_path, Refusing(), numbers=CALM_NUMBERS) as server:
        server.add_user("budi", "officer")
        server.add_user("siti", "officer")
        officer = server.session("budi", "rahasia-123")
        label = escalate_live(server, officer, "Sari Wulandari")
        (case,) = cases_when(server, officer, tried("sent", label))
        context = browser.new_context(viewport=VIEWPORT, locale="id-ID")
        page = context.new_page()
        page.clock.install()  # the page's timers on Playwright's clock, at the real pace until moved on
        sign_in(page, server, "/counter/escalations", "budi")
        # and stopped once the page is in (a quarter second on), moved only by the test: on a running clock a loaded
        # machine's 10 s between the save and the check after 50 s more took the line's minute, gone before its time
        pause_clock(page, 0.25)
        c = page.locator(f"#cases li.case[data-id='{case['id']}']")
        done = c.locator(".done")

        def save(number: str) -> None:
            c.locator("[name=lkpp_ticket]").fill(number)
            c.locator("button.save-lkpp").click()
            expect(done).to_have_text(f"Nomor tiket {number} dicatat.")

        save("TTS-101")
        page.clock.fast_forward("00:50")
        assert page.evaluate("document.getElementById('live-status').dataset.state") == "on"  # still connected
        expect(done).to_have_text("Nomor tiket TTS-101 dicatat.")  # still news
        page.clock.fast_forward("00:11")
        expect(done).to_have_text("")
        expect(done).to_be_hidden()
        expect(c.locator(".lkpp")).to_have_text("Tiket LKPP: TTS-101")  # the number itself stays

        save("TTS-102")
        c.locator("button.copy-tts").click()  # the card's next action
        expect(done).to_have_text("")

        save("TTS-103")
        siti = server.session("siti", "rahasia-123")
        body = {"lkpp_ticket": "TTS-104", "lkpp_ticket_base": "TTS-103"}
        r = siti.post(f"{server.url}/api/tickets/{label}/lkpp-ticket", json=body, timeout=5)
        assert r.status_code == 200, r.text
        expect(c.locator(".lkpp")).to_have_text("Tiket LKPP: TTS-104")
        expect(done).to_have_text("")  # not "TTS-103 dicatat" over siti's number
        context.close()


def test_a_correction_sent_by_hand_is_said_on_the_card_and_kept_in_the_cases_history(browser, tmp_path):
    """The amber "Terkirim …, tetapi kasus ini dikoreksi sesudahnya …" (a case corrected after its mail went: LKPP has
    the old text) stayed until the case closed, however long after the office had sent the correction by hand. The
    card's "Koreksi sudah dikirim" records it in the case's history (who, when) and the line says so, on every open
    Eskalasi page; a later correction brings the amber line back. A second press (a colleague's page not told yet) is
    refused, nothing recorded twice."""
    with mailing_office(tmp_path, Refusing()) as server:
        server.add_user("budi", "officer")
        server.add_user("rina", "frontoffice")
        officer = server.session("budi", "rahasia-123")
        label = escalate_live(server, officer, "Sari Wulandari")
        (case,) = cases_when(server, officer, tried("sent", label))
        r = officer.post(
            f"{server.url}/api/tickets/{case['id']}/correct",
            json={"escalation_note": "Analisis dikoreksi: sertifikat instansi, bukan paket."},
            timeout=5,
        )
        assert r.status_code == 200, r.text
        pages = []
        for username in ("rina", "budi"):
            context = browser.new_context(viewport=VIEWPORT, locale="id-ID")
            pages.append(sign_in(context.new_page(), server, "/counter/escalations", username))
        front, page = pages
        c = page.locator(f"#cases li.case[data-id='{case['id']}']")
        other = front.locator(f"#cases li.case[data-id='{case['id']}']")
        for card in (c, other):
            expect(card.locator("dd.mail")).to_have_attribute("data-state", "corrected")
            expect(card.locator("dd.mail")).to_contain_text("lalu tekan “Koreksi sudah dikirim”.")
            expect(card.locator("button.correction-sent")).to_be_visible()

        c.locator("button.correction-sent").click()
        for card in (c, other):  # the front office's page too, live
            expect(card.locator("dd.mail")).to_have_attribute("data-state", "sent")
            expect(card.locator("dd.mail")).to_contain_text("koreksinya (")
            expect(card.locator("dd.mail")).to_contain_text(
                "sudah dikirim ke LKPP lewat TTS / e-mail — dicatat oleh budi"
            )
            expect(card.locator("button.correction-sent")).to_be_hidden()
        history = officer.get(f"{server.url}/api/tickets/{case['id']}/history", timeout=5).json()["events"]
        (said,) = [e for e in history if e["type"] == "correction_sent"]
        assert said["actor"] == "budi" and said["data"]["corrected_at"], said
        rina = server.session("rina", "rahasia-123")
        r = rina.post(f"{server.url}/api/escalations/{case['id']}/correction-sent", json={}, timeout=5)
        assert (r.status_code, r.json()["error"]) == (409, "no_correction_pending"), r.text

        r = officer.post(
            f"{server.url}/api/tickets/{case['id']}/correct",
            json={"escalation_note": "Analisis dikoreksi lagi: akun PPK, bukan sertifikat."},
            timeout=5,
        )
        assert r.status_code == 200, r.text
        for card in (c, other):  # news again: LKPP lacks this one
            expect(card.locator("dd.mail")).to_have_attribute("data-state", "corrected")
            expect(card.locator("button.correction-sent")).to_be_visible()
        r = rina.post(f"{server.url}/api/escalations/{case['id']}/correction-sent", json={}, timeout=5)
        assert r.status_code == 200, r.text  # the front office too
        expect(c.locator("dd.mail")).to_contain_text("dicatat oleh rina")
        for p in pages:
            p.context.close()
