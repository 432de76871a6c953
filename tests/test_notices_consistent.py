"""The notices of the counter page and the front office say the same thing of the same fact, however the page learnt
it: live, after a reload, after a socket reconnect; and they are read whole on an office PC's screen.

- An officer's escalation whose mail fails for good: the notice said "gagal dikirim — teruskan lewat TTS/e-mail"
  (blue) when the failure came before the escalate request's answer, "E-mail eskalasi … gagal: …" (red) when it came
  after; once a colleague recorded the case's LKPP number, "tidak dikirim — sudah diteruskan ke LKPP" live but
  "gagal dikirim" again after the page reloaded for an admin's change, and nothing at all after a blip of the
  network (the notice went with the connection).
- The front office's alerts read at the page's start were told apart by their ticket's label: yesterday's A-001,
  its case still open and its mail failed, and today's A-001 were one alert. Its Tutup closed both, and an event of
  yesterday's case (its LKPP number recorded) while the page read its alerts left today's out until the next read.

Real SMTP (tests/smtp.py), a real server process (tests/live.py), real Chromium."""

from __future__ import annotations

import requests
from conftest import visitor
from live import ClockedServer
from playwright.sync_api import expect
from shots import keep_shot
from smtp import mailing_office
from staffpages import PASSWORD, put_settings, sign_in
from test_counter_resync import pump_until
from test_mail import Refusing, cases_when, escalate_live

REFUSED = "550 5.1.1 <helpdesk@lkpp.go.id>: Recipient address rejected: User unknown"
# the officer's line of that refusal's advice (server/advice.py mail_advice, advice.officer), as his counter says it
REFUSED_WORDS = (
    "tidak terkirim: server e-mail menolak pengirim atau penerima. Kantor depan sudah diberi tahu langkahnya"
    " (halaman Eskalasi)."
)
# A mail put off is tried again 4, 8, 16, 32 s later (server/outbox.py mail_backoff_seconds): the tests below move
# their server's clock past the next try (its mail worker looking every quarter of a second) rather than wait for it.
MAIL_RETRY_S = 60


def counter_page(browser, server, size=(1366, 768)):
    page = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="id-ID").new_page()
    sign_in(page, server, "/counter/", "budi")
    page.select_option("#counter-select", "1")
    return page


def serve(page, server, name: str) -> str:
    """A visitor from the kiosk called and served at the page's counter, the escalation note typed: its label."""
    r = requests.post(f"{server.url}/api/tickets", json=visitor(name=name), timeout=5)
    assert r.status_code == 201, r.text
    label = r.json()["ticket"]["label"]
    page.click("#btn-call-next")
    expect(page.locator("#t-label")).to_have_text(label)
    page.click("#btn-start")
    expect(page.locator("#t-status")).to_have_text("dilayani")
    page.fill("#note", "Kunci publik paket rusak; mohon dicek LKPP.")
    return label


def failed(label: str):
    """A cases_when condition: `label`'s mail failed for good."""
    return lambda cs: any(c["label"] == label and c["mail"]["status"] == "failed" for c in cs)


def forwarded_words(label: str) -> str:
    return f"E-mail eskalasi {label} tidak perlu dikirim lagi: kasusnya sudah diteruskan ke LKPP."


def test_a_mail_failed_for_good_reads_the_same_whenever_its_failure_came(browser, tmp_path):
    """The failure came before the escalate request's answer (the mail server refused at once, the answer slow on
    the office's network) or after it: the same words, in red, the mail server's error in them."""
    with mailing_office(tmp_path, Refusing(REFUSED)) as server:
        server.add_user("budi", "officer")
        officer = server.session("budi", PASSWORD)
        page = counter_page(browser, server)
        notice = page.locator("#notice")

        late = serve(page, server, "Dewi Lestari")
        held = []
        page.route("**/api/counters/1/escalate", lambda route: held.append(route))
        page.click("#btn-escalate")
        pump_until(page, lambda: held)
        answer = held[0].fetch()
        cases_when(server, officer, failed(late))  # its mail_failed event is at the page before the answer
        held[0].fulfill(response=answer)
        page.unroute("**/api/counters/1/escalate")
        expect(notice).to_contain_text(f"E-mail eskalasi {late} {REFUSED_WORDS}")
        first = notice.text_content()

        early = serve(page, server, "Rudi Hartono")
        page.click("#btn-escalate")
        cases_when(server, officer, failed(early))
        expect(notice).to_contain_text(f"E-mail eskalasi {early} {REFUSED_WORDS}")
        assert notice.text_content().replace(early, late) == first  # the same mail server, the same refusal
        expect(notice).to_have_attribute("data-kind", "error")
        page.context.close()


def test_the_counters_notice_of_a_failed_mail_says_it_in_the_officers_words_of_the_front_offices_advice(
    browser, tmp_path
):
    """LKPP's mailbox unknown (550): the front office's alert said the server's advice (what is wrong, what to do)
    with the mail server's raw message small after it; the officer's own counter page said "E-mail eskalasi A-001
    gagal: 127.0.0.1:…: SMTPRecipientsRefused: {…: (550, b'5.1.1 …')}", the raw English alone. It says the officer's
    line of the same advice now (the case, not sent, the problem in a few words, the front office told), in the
    page's language, alone (tests/test_mail_detail_folded.py); the front office's alert says the advice's short words
    (what failed, what to do now), the admin's part folded with the raw message (tests/test_mail_staff_words.py)."""
    with mailing_office(tmp_path, Refusing(REFUSED)) as server:
        server.add_user("budi", "officer")
        server.add_user("rina", "frontoffice")
        officer = server.session("budi", PASSWORD)
        page = counter_page(browser, server)
        front = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID").new_page()
        sign_in(front, server, "/counter/front", "rina")
        expect(front.locator("#alerts")).to_have_attribute("data-loaded", "true")
        notice = page.locator("#notice")
        label = escalated(page, server, officer, "Dewi Lestari")
        (case,) = cases_when(server, officer, failed(label))
        advice, error = case["mail"]["advice"], case["mail"]["error"]
        assert "SMTPRecipientsRefused" in error and "SMTPRecipientsRefused" not in advice["id"], case
        alert = front.locator("#alerts li[data-type=mail_failed]").filter(has_text=label)
        expect(alert).to_contain_text(advice["staff"]["id"])  # the front office's words
        # the admin's part and the mail server's raw message folded behind "rincian untuk admin"
        # (tests/test_front_alert_detail.py)
        expect(alert.locator(".alert-detail")).to_be_hidden()
        expect(alert.locator(".alert-detail")).to_have_text(error)
        expect(alert.locator(".alert-admin")).to_have_text(advice["admin"]["id"])

        assert advice["officer"]["id"] == f"E-mail eskalasi {label} {REFUSED_WORDS}", advice
        assert "config.toml" in advice["id"] and "config.toml" not in advice["officer"]["id"], advice

        expect(notice).to_have_text(advice["officer"]["id"])
        expect(notice).to_have_attribute("data-kind", "error")
        page.click("#lang-toggle")
        expect(notice).to_have_text(advice["officer"]["en"])
        page.context.close()
        front.context.close()


# The notice's box: whether its words (the officer's line, before the small raw error) are cut by its height, their
# lines, and whether the page scrolls.
NOTICE_FIT = """() => { const box = document.getElementById("notice"), range = document.createRange();
  const words = [...box.childNodes].filter((n) => !(n.nodeType === 1 && n.matches("small")));
  range.setStartBefore(words[0]); range.setEndAfter(words[words.length - 1]);
  const b = box.getBoundingClientRect(), w = range.getBoundingClientRect();
  return {words: w.bottom <= b.bottom + 0.5,
          height: [w.height, b.height], page: document.documentElement.scrollHeight > innerHeight,
          lines: Math.round(w.height / parseFloat(getComputedStyle(box).lineHeight))}; }"""


def test_a_mail_refused_while_a_visitor_is_served_is_said_whole_in_the_counters_notice(browser, tmp_path):
    """budi's escalation's mail, put off at its first try (451), refused for good at its next (550) while he serves
    the next visitor: his notice, two lines at most then (the ticket's form and buttons stay on the screen), said
    the front office's advice for the admin (the config.toml keys, a restart, Kirim ulang: 400 characters), cut
    mid-sentence after two lines. His line is short now and whole at 1024x768, 1280x720 and 1366x768, in both
    languages (the raw message is not on the counter: tests/test_mail_detail_folded.py)."""
    handler = Refusing("451 4.3.0 Mailbox busy, try again later")
    with mailing_office(tmp_path, handler, ClockedServer, tick=0.25) as server:
        server.add_user("budi", "officer")
        officer = server.session("budi", PASSWORD)
        page = counter_page(browser, server, (1024, 768))
        notice = page.locator("#notice")
        label = serve(page, server, "Dewi Lestari")
        page.click("#btn-escalate")
        put_off = f"E-mail eskalasi {label} belum terkirim: server e-mail menundanya untuk sementara; dicoba lagi"
        expect(notice).to_contain_text(put_off)
        serve(page, server, "Rudi Hartono")
        expect(notice).not_to_contain_text("E-mail eskalasi")
        handler.rcpt = REFUSED
        server.advance(MAIL_RETRY_S)  # its next try
        (case,) = cases_when(server, officer, failed(label))
        assert case["mail"]["status"] == "failed", case
        words = case["mail"]["advice"]["officer"]
        expect(notice).to_have_text(f"E-mail eskalasi {label} {REFUSED_WORDS}")
        page.evaluate("document.fonts.ready")
        for lang in ("id", "en"):
            if lang == "en":
                page.click("#lang-toggle")
            expect(notice).to_have_text(words[lang])
            for size in ((1024, 768), (1280, 720), (1366, 768)):
                page.set_viewport_size({"width": size[0], "height": size[1]})
                fit = page.evaluate(NOTICE_FIT)
                assert fit["words"] and not fit["page"], (size, lang, fit)
                assert fit["lines"] <= 2, (size, lang, fit)
        page.context.close()


def escalated(page, server, officer, name: str) -> str:
    """`name` served and escalated at the page's counter, its mail refused for good and said so: its label."""
    label = serve(page, server, name)
    page.click("#btn-escalate")
    cases_when(server, officer, failed(label))
    expect(page.locator("#notice")).to_contain_text(f"E-mail eskalasi {label} {REFUSED_WORDS}")
    return label


def forward(server, session, label: str, number: str) -> None:
    """A colleague records LKPP's ticket number of `label`'s case (forwarded by hand)."""
    r = session.post(f"{server.url}/api/tickets/{label}/lkpp-ticket", json={"lkpp_ticket": number}, timeout=5)
    assert r.status_code == 200, r.text


def test_a_mail_retried_again_and_again_does_not_take_the_officers_notice_at_each_try(browser, tmp_path):
    """A mail server that answers "try again later" (450) for a while: the mail is tried after 4, 8, 16 … s, and each
    try took the officer's notice, the failure in red in the place of what he was told since (the next visitor
    called, a refusal), eight times in 17 minutes while he served the next visitors (helper-243's morning). The
    failure is said when it first comes and when the mail fails for good; the tries between are the front office's
    alert's and the Eskalasi page's to follow."""
    with mailing_office(
        tmp_path, Refusing("450 4.7.1 Greylisted, please try again later"), ClockedServer, tick=0.25
    ) as server:
        server.add_user("budi", "officer")
        officer = server.session("budi", PASSWORD)
        page = counter_page(browser, server)
        notice = page.locator("#notice")
        label = serve(page, server, "Joko Susilo")
        page.click("#btn-escalate")
        put_off = f"E-mail eskalasi {label} belum terkirim: server e-mail menundanya untuk sementara; dicoba lagi"
        expect(notice).to_contain_text(put_off)  # its first try
        after = requests.post(f"{server.url}/api/tickets", json=visitor(name="Ani Wijaya"), timeout=5).json()["ticket"]
        page.click("#btn-call-next")
        expect(page.locator("#t-label")).to_have_text(after["label"])
        expect(notice).not_to_contain_text("E-mail eskalasi")  # the call's words now
        told = notice.text_content()
        server.advance(MAIL_RETRY_S)  # its second try
        cases = cases_when(server, officer, lambda cs: any(c["mail"]["attempts"] >= 2 for c in cs))
        assert [c["mail"]["attempts"] for c in cases] == [2], cases  # its second try failed too
        marker = requests.post(f"{server.url}/api/tickets", json=visitor(name="Rudi"), timeout=5).json()["ticket"]
        expect(page.locator(f"#line li[data-label='{marker['label']}']")).to_be_visible()  # events taken in order
        assert notice.text_content() == told
        page.context.close()


def test_a_failed_mails_case_forwarded_by_hand_reads_the_same_live_and_after_a_reconnect(browser, tmp_path):
    """A colleague forwards the case by hand and records LKPP's number: the mail, failed for good, is no longer
    needed. Said live; the same when the number was recorded while the page's socket was away (a blip of the
    Wi-Fi), which took the notice away for good."""
    with mailing_office(tmp_path, Refusing(REFUSED)) as server:
        server.add_user("budi", "officer")
        server.add_user("siti", "officer")
        officer, siti = server.session("budi", PASSWORD), server.session("siti", PASSWORD)
        page = counter_page(browser, server)
        notice = page.locator("#notice")

        live = escalated(page, server, officer, "Dewi Lestari")
        forward(server, siti, live, "TTS-101")
        expect(notice).to_have_text(forwarded_words(live))
        expect(notice).to_have_attribute("data-kind", "info")

        away = escalated(page, server, officer, "Rudi Hartono")
        page.evaluate("() => antrianCounter.live.socket.disconnect()")
        expect(page.locator("#live-status")).to_have_attribute("data-state", "off")
        # still so, as far as the page knows
        expect(notice).to_contain_text(f"E-mail eskalasi {away} {REFUSED_WORDS}")
        forward(server, siti, away, "TTS-102")
        page.evaluate("() => antrianCounter.live.socket.connect()")
        expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
        expect(notice).to_have_text(forwarded_words(away))
        page.context.close()


def test_a_failed_mails_case_forwarded_while_the_page_reloaded_reads_as_it_does_live(browser, tmp_path):
    """The number recorded while the page reloaded for an admin's change (its notice carried over the reload, its
    socket not in yet): the page read the open escalations at its snapshot and went on saying the mail failed, of a
    case LKPP had; live it said the mail was not needed any more."""
    with mailing_office(tmp_path, Refusing(REFUSED)) as server:
        for name, role in (("budi", "officer"), ("siti", "officer"), ("kepala", "admin")):
            server.add_user(name, role)
        officer, siti = server.session("budi", PASSWORD), server.session("siti", PASSWORD)
        page = counter_page(browser, server)
        notice = page.locator("#notice")
        label = escalated(page, server, officer, "Joko Susilo")
        admin = server.session("kepala", PASSWORD)
        held = []
        page.route("**/socket.io/**", lambda route: held.append(route))  # the reloaded page's socket waits
        counters = admin.get(f"{server.url}/api/admin/settings", timeout=5).json()["counters"]
        with page.expect_event("load"):  # nothing at the counter: the page reloads at once
            put_settings(server, admin, "counters", [dict(c, name=f"{c['name']} Baru") for c in counters])
        expect(page.locator("#officer-name")).to_have_text("budi")
        expect(notice).to_contain_text(f"E-mail eskalasi {label} {REFUSED_WORDS}")  # carried over the reload
        pump_until(page, lambda: held)
        forward(server, siti, label, "TTS-103")
        page.unroute("**/socket.io/**")
        expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
        expect(notice).to_have_text(forwarded_words(label))
        page.context.close()


def test_yesterdays_alert_of_the_same_number_neither_closes_nor_hides_todays(browser, tmp_path):
    """Yesterday's A-001 and today's A-001, both escalated, both mails refused for good, both cases open: two alerts.
    Tutup on one closed both (closed by "mail_failed A-001"); and yesterday's LKPP number recorded while a page that
    had just opened read its alerts took today's alert out of what it read, until it read them again."""
    handler = Refusing(REFUSED)
    with mailing_office(tmp_path, handler, ClockedServer, dated=True) as server:
        server.add_user("budi", "officer")
        server.add_user("rina", "frontoffice")
        officer = server.session("budi", PASSWORD)
        label = escalate_live(server, officer, "Sari Wulandari")
        old = next(c for c in cases_when(server, officer, failed(label)) if c["label"] == label)
        server.next_day()
        officer = server.session("budi", PASSWORD)
        assert escalate_live(server, officer, "Rudi Hartono") == label
        cases_when(
            server, officer, lambda cs: sum(c["label"] == label and c["mail"]["status"] == "failed" for c in cs) == 2
        )

        def front():
            page = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID").new_page()
            return page, page.locator("#alerts li[data-type=mail_failed]").filter(has_text=f"E-mail eskalasi {label} ")

        page, alerts = front()
        sign_in(page, server, "/counter/front", "rina")
        expect(alerts).to_have_count(2)
        alerts.first.get_by_role("button", name="Tutup").click()  # Tutup on one of them
        expect(alerts).to_have_count(1)
        page.reload()
        expect(page.locator("#alerts")).to_have_attribute("data-loaded", "true")
        expect(alerts).to_have_count(1)  # closed for good: that one alone
        page.context.close()

        page, alerts = front()
        held = []
        page.route("**/api/escalations", lambda route: held.append(route))  # the alerts' reads wait
        sign_in(page, server, "/counter/front", "rina")
        pump_until(page, lambda: held)  # the page's first read, on its way
        r = officer.post(f"{server.url}/api/tickets/{old['id']}/lkpp-ticket", json={"lkpp_ticket": "TTS-80"}, timeout=5)
        assert r.status_code == 200, r.text
        r = requests.post(f"{server.url}/api/tickets", json=visitor(name="Joko Susilo"), timeout=5)
        assert r.status_code == 201, r.text
        expect(page.get_by_text(r.json()["ticket"]["label"], exact=True).first).to_be_visible()  # the events came
        held.pop(0).fulfill(response=page.context.request.get(f"{server.url}/api/escalations"))
        expect(alerts).to_have_count(1)  # today's, read by that first read (the next one is still on its way)
        pump_until(page, lambda: held)
        held.pop(0).fulfill(response=page.context.request.get(f"{server.url}/api/escalations"))
        page.unroute("**/api/escalations")
        expect(alerts).to_have_count(1)
        page.context.close()


# Each ticket number (or LKPP ticket number) in `sel`'s words: on how many lines it is drawn, and whether the browser
# may break it (white-space of the element holding its text).
LABELS = """(sel) => {
  const box = document.querySelector(sel), out = [];
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  for (let n; (n = walker.nextNode());) {
    for (const m of n.data.matchAll(/\\b[A-Z]{1,4}-\\d{1,6}\\b/g)) {
      const r = document.createRange();
      r.setStart(n, m.index);
      r.setEnd(n, m.index + m[0].length);
      const lines = new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top))).size;
      out.push({label: m[0], lines, nowrap: getComputedStyle(n.parentElement).whiteSpace === "nowrap"});
    }
  }
  return out;
}"""


def whole_labels(page, sel: str, least: int = 1) -> None:
    got = page.evaluate(LABELS, sel)
    assert len(got) >= least, got
    assert all(x["lines"] == 1 and x["nowrap"] for x in got), got


def test_a_ticket_number_is_never_broken_in_the_counter_pages_notice(browser, tmp_path):
    """A ticket's number broken at its hyphen, "A-" at a line's end and "001" on the next, at 1024x768 and 1366x768:
    the escalation's notice, its mail's failure, the case forwarded; each number whole, the words the same (what is
    copied and read)."""
    with mailing_office(tmp_path, Refusing(REFUSED)) as server:
        server.add_user("budi", "officer")
        server.add_user("siti", "officer")
        officer, siti = server.session("budi", PASSWORD), server.session("siti", PASSWORD)
        page = counter_page(browser, server, (1024, 768))
        label = escalated(page, server, officer, "Dewi Lestari")
        for width in (1024, 1366):
            page.set_viewport_size({"width": width, "height": 768})
            whole_labels(page, "#notice")
            keep_shot(page, f"counter-mail-failed-{width}.png")
        forward(server, siti, label, "TTS-2026-0101")
        expect(page.locator("#notice")).to_have_text(forwarded_words(label))
        for width in (1024, 1366):
            page.set_viewport_size({"width": width, "height": 768})
            whole_labels(page, "#notice")
        page.context.close()


# The notice's box against the screen and the day's list: the notice whole (nothing cut: it scrolls in its box if
# taller), inside the window, its last line not under the form's sticky issue button; the list's rows wholly in
# sight in its box.
FIT = """(sel) => {
  const box = document.querySelector(sel), b = box.getBoundingClientRect();
  const list = document.getElementById('ticket-box').getBoundingClientRect();
  const rows = [...document.querySelectorAll('#tickets tr[data-label]')].filter((r) => {
    const x = r.getBoundingClientRect();
    return x.height > 0 && x.top >= list.top - 1 && x.bottom <= Math.min(list.bottom, innerHeight) + 1;
  });
  const style = getComputedStyle(box);
  const hit = document.elementFromPoint(b.left + 12, b.bottom - 8);  // its last line: not under the issue button
  return {covered: !box.contains(hit), bottom: b.bottom, right: b.right, height: innerHeight, width: innerWidth,
          rows: rows.length, whole: box.scrollHeight <= box.clientHeight + 1 || style.overflowY === "auto"};
}"""


def test_the_front_offices_notices_are_whole_in_their_box_and_leave_the_list_its_rows(browser, tmp_path):
    """The registration's notice (a visitor who has a number already: long, and longer in English) and the list's
    (a cancel armed), on a busy day at 1024x768 and 1366x768, in Indonesian and English: wrapped whole, each ticket
    number on one line, inside the window, and the day's list keeps rows in sight beside them."""
    from conftest import write_config
    from live import LiveServer
    from staffpages import FRONT_VISITOR, fill_front, staffed

    server = staffed(LiveServer(write_config(tmp_path)).start())
    try:
        for i in range(20):
            r = requests.post(
                f"{server.url}/api/tickets",
                json=visitor(name=f"Siti Nurhaliza {i + 1}", phone=f"0813{i:08d}"),
                timeout=5,
            )
            assert r.status_code == 201, r.text
        twice = requests.post(f"{server.url}/api/tickets", json=visitor(**FRONT_VISITOR), timeout=5)
        assert twice.status_code == 201, twice.text
        for lang in ("id", "en"):
            for width in (1024, 1366):
                context = browser.new_context(viewport={"width": width, "height": 768}, locale="id-ID")
                page = sign_in(context.new_page(), server, "/counter/front", "rina")
                if lang == "en":
                    page.click("#lang-toggle")
                    expect(page.locator("html")).to_have_attribute("lang", "en")
                expect(page.locator("#tickets tr[data-label]")).to_have_count(21)
                fill_front(page, FRONT_VISITOR)  # the same visitor again: said before a second number is issued
                page.click("#btn-register")
                expect(page.locator("#reg-notice")).to_contain_text(twice.json()["ticket"]["label"])
                row = page.locator("#tickets tr[data-label]").first
                row.locator("button[data-act=cancel]").click()  # armed: the list's notice names the ticket
                expect(page.locator("#list-notice")).to_contain_text(row.get_attribute("data-label"))
                page.mouse.move(0, 0)
                keep_shot(page, f"front-notices-{lang}-{width}.png")
                for sel in ("#reg-notice", "#list-notice"):
                    whole_labels(page, sel)
                    fit = page.evaluate(FIT, sel)
                    assert fit["whole"] and fit["bottom"] <= fit["height"] and fit["right"] <= fit["width"], (sel, fit)
                    assert not fit["covered"], (sel, fit)
                    assert fit["rows"] >= 2, (sel, fit)  # 1024x768: a ticket is a block of three lines there
                context.close()
    finally:
        server.stop()


def test_a_kirim_ulang_refused_again_is_said_on_the_officers_counter_again(browser, tmp_path):
    """budi's mail refused for good was said on his counter ("tidak terkirim … Kantor depan sudah diberi tahu"), and
    he went on to the next visitor. The front office sent it again (Kirim ulang, once LKPP's mailbox was said to be
    made) and the mail server refused it again: his counter said nothing, since it had said that mail's failure for
    good once, and he believed the front office's try had gone. The new try's refusal is said as the first was, in his
    line of the server's advice (advice.officer), once."""
    with mailing_office(tmp_path, Refusing(REFUSED)) as server:
        server.add_user("budi", "officer")
        server.add_user("rina", "frontoffice")
        officer, front = server.session("budi", PASSWORD), server.session("rina", PASSWORD)
        page = counter_page(browser, server)
        notice = page.locator("#notice")
        label = escalated(page, server, officer, "Dewi Lestari")
        after = requests.post(f"{server.url}/api/tickets", json=visitor(name="Ani Wijaya"), timeout=5).json()["ticket"]
        page.click("#btn-call-next")
        expect(page.locator("#t-label")).to_have_text(after["label"])
        expect(notice).not_to_contain_text("E-mail eskalasi")  # the call's words now
        (case,) = cases_when(server, officer, failed(label))
        r = front.post(f"{server.url}/api/escalations/{label}/resend", json={}, timeout=5)
        assert r.status_code == 202, r.text
        (case,) = cases_when(server, officer, lambda cs: cs[0]["mail"]["attempts"] > case["mail"]["attempts"])
        assert case["mail"]["status"] == "failed", case  # refused again
        expect(notice).to_have_text(f"E-mail eskalasi {label} {REFUSED_WORDS}")
        expect(notice).to_have_attribute("data-kind", "error")
        page.context.close()
