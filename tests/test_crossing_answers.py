"""Answers that cross: a page's read (GET /api/state, GET /api/survey) sent before a newer one and answered after
it, one slowed on the office's or the guest Wi-Fi's network. The older answer, taken last, put back what the newer
one had replaced (the office's old name on the visitor's phone, the survey's old wording on the phone and the exit
tablet, "Tiket tidak tercetak" on the kiosk after the slip printed) until the next change. Each test holds the
first read's answer (`route.fetch()`: the server's answer as it was then) and gives it to the page after the
second's. One real server for the module (and one whose kiosk printer
is out of paper for the kiosk's test).

The staff pages' actions crossing someone else's change are here too: the officer's "start" or the front office's
correction answered while another change to the same ticket was on its way, whose event reached the page first. The
answer carries the ticket as it was when the action was done; taken last, it put back the older ticket (the
visitor's old name at the counter, "menunggu" for a visitor being called at the front office) until the next event.
An answer whose `seq` the page's live events are past changes nothing they drew (tests/test_answer_seq.py for the
`seq` itself)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from conftest import hold_first, until_on_page, visitor, write_config
from fakeprinter import STATUS_PAPER, FakeNetworkPrinter
from kioskui import PORTRAIT, fill_fast, tap
from live import ClockedServer, LiveServer
from pageclock import PING_NUMBERS, install_clock, run_clock_for
from playwright.sync_api import expect
from staffpages import empty_queue, issue, open_front, sign_in

PASSWORD = "rahasia-123"
PHONE = {"width": 360, "height": 740}
TABLET = {"width": 800, "height": 1280}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = LiveServer(write_config(tmp_path_factory.mktemp("crossing"))).start()
    server.add_user("petugas", "officer")
    server.add_user("kepala", "admin")
    server.add_user("rina", "frontoffice")
    yield server
    server.stop()


@pytest.fixture
def head(live):
    return live.session("kepala", PASSWORD)


@pytest.fixture
def new_page(browser):
    contexts = []

    def new(**options):
        contexts.append(browser.new_context(**options))
        return contexts[-1].new_page()

    yield new
    for context in contexts:
        context.close()


def serve(live, ticket: dict) -> None:
    """Counter 1 (services A and C) calls, serves and resolves `ticket`, the only one waiting."""
    officer = live.session("petugas", PASSWORD)
    for action, data in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Selesai."})):
        r = officer.post(f"{live.url}/api/counters/1/{action}", json=data, timeout=5)
        assert r.status_code == 200, (action, r.text)
        assert r.json()["ticket"]["label"] == ticket["label"], r.text


def wording(question: str) -> dict:
    return {
        "question": {"id": question, "en": question},
        "choices": [{"id": f"Pilihan {i}", "en": f"Choice {i}"} for i in range(1, 5)],
    }


def set_u2(head, live, question: str | None) -> None:
    value = None if question is None else wording(question)
    r = head.put(f"{live.url}/api/admin/survey", json={"elements": {"U2": value}}, timeout=5)
    assert r.status_code == 200, r.text


def set_office_name(head, live, name: str) -> None:
    r = head.put(f"{live.url}/api/admin/settings/office", json={"value": {"name": name}}, timeout=5)
    assert r.status_code == 200, r.text


# -- the visitor's phone ----------------------------------------------------------------------------------


def test_phone_an_older_look_at_the_state_does_not_put_back_the_offices_old_name(live, head, new_page):
    """An admin saves the office's name twice: each save has the phone read GET /api/state (half a second after
    its event). The first read, slowed, answered after the second: the phone's bar went back to the first name."""
    ticket = issue(live, "Pengunjung", service="C")
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{live.url}/t/{ticket['token']}")
    page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
    name = page.locator("#office-name")
    was = name.text_content()
    held = hold_first(page, "**/api/state")
    try:
        set_office_name(live=live, head=head, name="LPSE Kota Satu")
        until_on_page(page, lambda: held, "the phone did not read the state after the office was saved")
        set_office_name(live=live, head=head, name="LPSE Kota Dua")
        expect(name).to_have_text("LPSE Kota Dua")  # the second read's answer
        page.wait_for_function("() => antrianPhone.looks.state === 1", polling=50)
        route, answer = held[0]
        route.fulfill(response=answer)  # the first read's answer, older, comes last
        page.wait_for_function("() => antrianPhone.looks.state === 2", polling=50)
        expect(name).to_have_text("LPSE Kota Dua")
    finally:
        set_office_name(live=live, head=head, name=was)
        r = head.post(f"{live.url}/api/tickets/{ticket['token']}/cancel", json={}, timeout=5)
        assert r.status_code == 200, r.text


def test_phone_an_older_read_of_the_questionnaire_does_not_put_back_its_old_wording(live, head, new_page):
    """An admin changes a question twice while a served visitor's phone shows the survey: each change has the phone
    read GET /api/survey again. The first read, slowed, answered after the second: the old question came back, and
    the visitor's answers would have gone under the old wording's id."""
    ticket = issue(live, "Pengunjung", service="C")
    serve(live, ticket)
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{live.url}/t/{ticket['token']}?survey=1")
    page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
    question = page.locator('[data-field="answers.U2"] .q-text')
    expect(question).to_be_visible()
    held = hold_first(page, "**/api/survey")
    try:
        set_u2(head, live, "Apakah syaratnya jelas (satu)?")
        until_on_page(page, lambda: held, "the phone did not read the questionnaire after it was changed")
        set_u2(head, live, "Apakah syaratnya jelas (dua)?")
        expect(question).to_have_text("Apakah syaratnya jelas (dua)?")  # the second read's answer
        page.wait_for_function("() => antrianPhone.looks.wording === 1", polling=50)
        route, answer = held[0]
        route.fulfill(response=answer)  # the first read's answer, older, comes last
        page.wait_for_function("() => antrianPhone.looks.wording === 2", polling=50)
        expect(question).to_have_text("Apakah syaratnya jelas (dua)?")
    finally:
        set_u2(head, live, None)


# -- the survey tablet by the exit ------------------------------------------------------------------------


def test_tablet_an_older_read_of_the_questionnaire_does_not_put_back_its_old_wording(live, head, new_page):
    """The tablet reads the questionnaire at each start (after each visitor, a cancel, a tap on it). Two starts close together:
    the first read, slowed, answered after the second, and the next visitor was asked the old question (their
    answers kept under the old wording's id)."""
    page = new_page(viewport=TABLET, has_touch=True)
    now = datetime.now()
    page.clock.install(time=now)  # the page's own timers (its return to the start) stand still
    page.clock.pause_at(now + timedelta(minutes=1))
    held = hold_first(page, "**/api/survey")  # the page's first start's read
    page.goto(f"{live.url}/survey/")
    question = page.locator('[data-field="answers.U2"] .q-text')
    try:
        until_on_page(page, lambda: held, "the tablet did not read the questionnaire at its start")
        set_u2(head, live, "Apakah syaratnya jelas (baru)?")
        tap(page, "#start")  # read again as the visitor starts
        expect(page.locator("#screen-identify")).to_be_visible()
        page.wait_for_function("() => antrianSurvey.wordingLooks === 1", polling=50)
        tap(page, "#screen-identify [data-action=home]")  # back at the start: read again
        page.wait_for_function("() => antrianSurvey.wordingLooks === 2", polling=50)
        expect(page.locator("#screen-start")).to_be_visible()
        expect(question).to_have_text("Apakah syaratnya jelas (baru)?")  # the second read's answer
        route, answer = held[0]
        route.fulfill(response=answer)  # the first read's answer, older, comes last
        page.wait_for_function("() => antrianSurvey.wordingLooks === 3", polling=50)
        expect(question).to_have_text("Apakah syaratnya jelas (baru)?")
    finally:
        set_u2(head, live, None)


# -- the kiosk ----------------------------------------------------------------------------------------------


PRINT_RETRY_S = 60  # past the next try of a slip that failed up to five times (2, 4, 8, 16, 32 s)
# past the kiosk's next look at its print after a failure (1, 2, 3, 5… s apart: kiosk.js PRINT_POLLS), and within
# the 7 s its heartbeat has left at least (server/realtime.py: a ping every 7 s, the page's wait for one 7 + 7 s)
KIOSK_LOOK_MS = 5_000


@pytest.fixture
def no_paper(tmp_path):
    """A server whose kiosk printer is a network printer out of paper (the test loads it): each slip fails, and is
    retried by the server 2 s later, then 4 s, 8 s… (server/outbox.py print_backoff_seconds): on a clock the test
    moves past the next try's time, which its print worker looks at every quarter of a second."""
    printer = FakeNetworkPrinter(paper=b"\x72")
    config = write_config(
        tmp_path,
        {
            '[printers.kiosk]\ntype = "dummy"': f'[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\nport = {printer.port}'
        },
    )
    # its pages pinged every quarter second (pageclock.PING_NUMBERS): the kiosk's clock is moved on just after a ping
    server = ClockedServer(config, tick=0.25, numbers=PING_NUMBERS).start()
    try:
        yield server, printer
    finally:
        server.stop()
        printer.stop()


def test_kiosk_an_older_look_at_the_print_does_not_say_not_printed_after_the_slip_printed(no_paper, new_page):
    """The kiosk looks at its ticket's print while the failure is shown, and at once at the `printed` event of the
    server's retry. A look sent before the retry and answered after the event's look put back "Tiket tidak
    tercetak" over "Ambil tiket kertas Anda", and looked no more: the visitor was told so until the screen went."""
    live, printer = no_paper
    page = new_page(viewport=PORTRAIT, has_touch=True)
    install_clock(page)  # the kiosk's timers, on a clock the test moves on to its next look at the print
    page.goto(f"{live.url}/kiosk/")
    page.wait_for_function("() => window.antrianKiosk.live", polling=50)
    page.click("#start")
    page.click('[data-service="A"]')
    fill_fast(page, {k: v for k, v in visitor(service="A").items() if k not in ("service", "category")})
    page.click("#to-review")
    page.click("#submit")
    failed = page.locator("#ticket-print-failed")
    expect(failed).to_be_visible()  # the first try failed: retried
    held = hold_first(page, re.compile(r".*/api/tickets/[^/?]+$"))  # the kiosk's next look, read now: failed
    # within the socket's heartbeat (pageclock): 5 s, up to 7 s after the last of a ping every 7, came within 2 s of
    # its 14, and a connection dropped then could miss the retry's `printed` event this test is about
    run_clock_for(page, KIOSK_LOOK_MS)
    until_on_page(page, lambda: held, "the kiosk did not look at the print again", timeout=15)
    looks = page.evaluate("antrianKiosk.printLooks")
    printer.answers[STATUS_PAPER] = b"\x12"  # paper loaded: the server's retry prints, its event says so
    live.advance(PRINT_RETRY_S)  # the retry's time, without its seconds of real waiting
    expect(page.locator("#ticket-hint")).to_contain_text("Ambil tiket kertas Anda")
    expect(failed).to_be_hidden()
    page.wait_for_function(f"() => antrianKiosk.printLooks > {looks}", polling=50)
    looks = page.evaluate("antrianKiosk.printLooks")
    route, answer = held[0]
    route.fulfill(response=answer)  # the look sent before the retry, answered last
    page.wait_for_function(f"() => antrianKiosk.printLooks > {looks}", polling=50)
    expect(failed).to_be_hidden()
    expect(page.locator("#ticket-hint")).to_contain_text("Ambil tiket kertas Anda")


# -- the staff pages' actions -------------------------------------------------------------------------------
STAFF_VIEWPORT = {"width": 1366, "height": 768}
FORM = {"agency": "CV Maju Bersama", "address": "Jl. Sudirman No. 12", "phone": "081234567890"}


def correct_name(live, ticket: dict, was: str, name: str) -> None:
    """The front office corrects the name of a visitor `issue` registered as `was`, from another PC (POST
    /api/tickets/<token>/form: the whole form)."""
    front = live.session("rina", PASSWORD)
    body = {"name": name, "problem": f"{was}: lupa kata sandi akun penyedia SPSE", **FORM}
    r = front.post(f"{live.url}/api/tickets/{ticket['token']}/form", json=body, timeout=5)
    assert r.status_code == 200, r.text


def test_the_counter_keeps_a_name_corrected_while_its_start_was_answered(browser, live):
    empty_queue(live)
    ticket = issue(live, "Ani Wijaya")
    officer = live.session("petugas", PASSWORD)
    officer.post(f"{live.url}/api/counters/1/call-next", json={}, timeout=5).raise_for_status()
    page = browser.new_context(viewport=STAFF_VIEWPORT, locale="id-ID").new_page()
    sign_in(page, live, "/counter/", "petugas")
    page.select_option("#counter-select", "1")
    expect(page.locator("#f-name")).to_have_text("Ani Wijaya")
    expect(page.locator("#t-status")).to_have_text("dipanggil")

    held = hold_first(page, "**/api/counters/1/start")
    page.click("#btn-start")
    until_on_page(page, lambda: held, "the page did not start")  # done on the server: the answer says "Ani Wijaya"
    expect(page.locator("#t-status")).to_have_text("dilayani")  # the start's own event
    correct_name(live, ticket, "Ani Wijaya", "Ani Wijaya Kusumawardani")
    expect(page.locator("#f-name")).to_have_text("Ani Wijaya Kusumawardani")  # its event, before the answer

    route, answer = held[0]
    assert answer.json()["ticket"]["form"]["name"] == "Ani Wijaya"  # the ticket as the start left it
    route.fulfill(response=answer)
    expect(page.locator("#solution")).to_be_focused()  # the answer taken: the visitor sits down, the cursor goes
    expect(page.locator("#f-name")).to_have_text("Ani Wijaya Kusumawardani")
    expect(page.locator("#t-status")).to_have_text("dilayani")
    page.context.close()
    empty_queue(live)


def test_the_front_office_keeps_a_call_made_while_its_correction_was_answered(browser, live):
    empty_queue(live)
    ticket = issue(live, "Bayu Pratama")
    page = open_front(browser, live)
    row = page.locator(f"#tickets tr[data-label='{ticket['label']}']")
    expect(row).to_contain_text("menunggu")

    row.locator("[data-act=edit]").click()
    page.fill("#r-name", "Bayu Pratama Nugroho")
    held = hold_first(page, "**/form")
    # the page's reads of the whole list (GET /api/tickets, after each change) kept unanswered until the end: what
    # the page shows of the ticket is what the events and the answer said
    lists = []
    page.route("**/api/tickets", lambda r: lists.append(r) if r.request.method == "GET" else r.fallback())
    page.click("#btn-register")
    until_on_page(page, lambda: held, "the page did not save the correction")
    officer = live.session("petugas", PASSWORD)
    r = officer.post(f"{live.url}/api/counters/1/call-next", json={}, timeout=5)
    assert r.status_code == 200 and r.json()["ticket"]["label"] == ticket["label"], r.text
    expect(row).to_contain_text("dipanggil")  # the call's event, before the correction's answer

    route, answer = held[0]
    assert answer.json()["ticket"]["status"] == "waiting"  # the ticket as the correction left it
    route.fulfill(response=answer)
    expect(page.locator("#reg-notice")).to_contain_text(ticket["label"])  # the answer taken
    expect(page.locator("#btn-register")).to_have_text("Terbitkan nomor antrian")
    expect(row).to_have_attribute("data-status", "called")
    expect(row).to_contain_text("dipanggil")
    expect(row).to_contain_text("Bayu Pratama Nugroho")
    assert lists, "the page read no list after the changes"
    page.unroute("**/api/tickets")  # the reads held let go: they say the same
    expect(row).to_have_attribute("data-status", "called")
    page.context.close()
    empty_queue(live)
