"""The satisfaction survey (SKM) through a visitor's day, in Chromium against a real server: what the phone
page keeps when the visitor's phone reloads it halfway through the questions, what the exit tablet says
to a visitor whose ticket ended without being served (docs/skm.md, "Pages"), a visitor served and sent on who
ended unserved at the other service (he has his survey), and the office's SKM report as printed, in either
language, and kept current while open.
"""

from __future__ import annotations

import time

import pytest
import requests
from conftest import SocketGate, until_on_page, write_config
from kioskui import tap
from live import LiveServer
from pageclock import CALM_NUMBERS, install_clock, reconnect_on_clock, watch_tries
from playwright.sync_api import expect
from test_skm_pages import A4_PORTRAIT, staff_context
from test_survey_pages import PASSWORD, PHONE, SCORES, TABLET_LANDSCAPE, identify_by_pad, issue, serve, survey_of

from server.i18n import t

# The SKM page's timers (counter/static/skm.js), moved on on its clock (Playwright's page.clock) once they are set: at
# most one read per GAP_MS, the offline notice after OFFLINE_MS. The burst's page hears no ping (its server started with
# pageclock.CALM_NUMBERS): its heartbeat a day off, its clock moves GAP_MS in one call (two moves of 5 s between two
# pings 7 s apart could pass the 14 s, and a reconnect's read would be one read too many for the burst's count; pinged
# every quarter second and moved in steps just after a ping, pageclock.run_clock_for, each move waited for pings).
GAP_MS, OFFLINE_MS = 5000, 3000
# socket.io's reconnection tries (its backoff: 1 s doubling to 5 s, each 0.5-1.5 times that) are due on the page's
# clock: once the network is back, the clock is moved on RETRY_STEP_MS at a time, at most RETRY_MAX_MS in all (below the
# manager's 20 s timeout of a try), until the page has connected again (pageclock.reconnect_on_clock), instead of the
# next try being waited for in real time (up to 5 s).
RETRY_STEP_MS, RETRY_MAX_MS = 500, 10_000


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    server = LiveServer(write_config(tmp_path_factory.mktemp("survey-day"))).start()
    server.add_user("petugas", "officer")
    server.add_user("depan", "frontoffice")
    yield server
    server.stop()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def pressed(page, code: str) -> list[str]:
    return page.locator(f'[data-field="answers.{code}"] [aria-pressed="true"]').evaluate_all(
        "bs => bs.map(b => b.dataset.score)"
    )


def test_a_phone_survey_half_answered_survives_the_phone_reloading_its_page(office, phone_page):
    # A phone reloads a tab left in the background (the visitor copies an error message from another app into
    # the complaint): the page came back with its invitation, the answers and the half-typed complaint gone.
    ticket = issue(office, phone="081255554444")
    serve(office, ticket)
    page = phone_page
    page.goto(f"{office.url}/t/{ticket['token']}")
    tap(page, "#survey-start")
    first = dict(list(SCORES.items())[:5])
    for code, score in first.items():
        tap(page, f'[data-field="answers.{code}"] [data-score="{score}"]')
    tap(page, '[data-field="profile.sex"] [data-code="P"]')
    page.fill("#survey-age", "41")
    text = "AC di ruang tunggu mati 🥵\nMohon diperbaiki."
    page.fill("#survey-suggestion", text)

    page.reload()

    expect(page.locator("#survey-form")).to_be_visible()
    expect(page.locator("#survey-invite")).to_be_hidden()
    for code, score in first.items():
        assert pressed(page, code) == [str(score)], code
    assert pressed(page, "U6") == []
    expect(page.locator('[data-field="profile.sex"] [data-code="P"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#survey-age")).to_have_value("41")
    expect(page.locator("#survey-suggestion")).to_have_value(text)
    for code, score in list(SCORES.items())[5:]:
        tap(page, f'[data-field="answers.{code}"] [data-score="{score}"]')
    tap(page, "#survey-submit")
    expect(page.locator("#survey-done")).to_be_visible()
    response = survey_of(office, ticket["token"])["response"]
    assert response["answers"] == SCORES and response["suggestion"] == text
    assert response["profile"]["sex"] == "P" and response["profile"]["age"] == 41

    # Sent: nothing is kept any more, a reload shows the thanks.
    assert page.evaluate("() => sessionStorage.length") == 0
    page.reload()
    expect(page.locator("#survey-done")).to_be_visible()

    # A correction under way comes back as a correction ("Batal" keeps the answers given), and its cancel
    # leaves the answers as they were.
    tap(page, "#survey-edit")
    tap(page, '[data-field="answers.U1"] [data-score="1"]')
    page.reload()
    expect(page.locator("#survey-form")).to_be_visible()
    assert pressed(page, "U1") == ["1"]
    expect(page.locator("#survey-not-now")).to_have_text(t("phone.survey_cancel_edit", "id"))
    tap(page, "#survey-not-now")
    expect(page.locator("#survey-done")).to_be_visible()
    page.reload()
    expect(page.locator("#survey-done")).to_be_visible()
    assert survey_of(office, ticket["token"])["response"]["answers"] == SCORES


def test_the_tablet_tells_a_cancelled_ticket_it_has_no_survey_rather_than_to_come_back_once_served(office, browser):
    waiting = issue(office, phone="081200002222")
    cancelled = issue(office, phone="081200001111")
    front = office.session("depan", PASSWORD)
    r = front.post(f"{office.url}/api/tickets/{cancelled['token']}/cancel", json={}, timeout=5)
    assert r.status_code == 200, r.text
    page = browser.new_page(viewport=TABLET_LANDSCAPE, has_touch=True)
    try:
        error = page.locator("#identify-error")
        page.goto(f"{office.url}/survey/")
        tap(page, "#start")
        identify_by_pad(page, cancelled["label"], "1111")
        expect(error).to_have_text(t("survey.not_served_ended", "id", label=cancelled["label"]))
        tap(page, "#lang-toggle")
        expect(error).to_have_text(t("survey.not_served_ended", "en", label=cancelled["label"]))
        tap(page, "#lang-toggle")

        # A ticket still in line is asked to come back once served, as before.
        tap(page, "#screen-identify [data-action=home]")
        tap(page, "#start")
        identify_by_pad(page, waiting["label"], "2222")
        expect(error).to_have_text(t("survey.not_served", "id"))
    finally:
        page.close()
    assert requests.get(f"{office.url}/api/survey/{cancelled['token']}", timeout=5).json()["survey"]["open"] is False


def test_the_skm_reports_headings_and_figures_are_never_cut_off_in_either_language_on_screen_or_a4(office, browser):
    # "Element" ran over into "Description" and "Respondents" was cut at the IKM per service and per counter
    # tables in English: the column was measured for "Unsur".
    ticket = issue(office, phone="081200003333")
    serve(office, ticket)
    r = requests.post(f"{office.url}/api/survey", json={"token": ticket["token"], "answers": SCORES}, timeout=5)
    assert r.status_code == 201, r.text
    context = staff_context(browser, office, "petugas", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        for lang in ("id", "en"):
            page.goto(f"{office.url}/counter/skm?lang={lang}")
            expect(page.locator("table.elements")).to_be_visible()
            for media, viewport in (("screen", {"width": 1366, "height": 768}), ("print", A4_PORTRAIT)):
                page.set_viewport_size(viewport)
                page.emulate_media(media=media)
                cut = page.evaluate(
                    "() => [...document.querySelectorAll('table.skm th, table.skm td')]"
                    ".filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent.trim().slice(0, 40))"
                )
                assert cut == [], (lang, media, cut)
    finally:
        context.close()


def send_on(server, ticket: dict, to: str = "B") -> None:
    """An officer at counter 1 calls and serves tickets (resolving the others) until `ticket`, which he starts
    serving and sends on to the service `to` (its served_before_ms: the time between the two requests)."""
    officer = server.session("petugas", PASSWORD)
    for _ in range(30):
        r = officer.post(f"{server.url}/api/counters/1/call-next", json={}, timeout=5)
        assert r.status_code == 200, r.text
        label = r.json()["ticket"]["label"]
        officer.post(f"{server.url}/api/counters/1/start", json={}, timeout=5).raise_for_status()
        if label == ticket["label"]:
            r = officer.post(
                f"{server.url}/api/counters/1/transfer", json={"service": to, "note": "Perlu verifikasi."}, timeout=5
            )
            assert r.status_code == 200 and r.json()["ticket"]["status"] == "waiting", r.text
            return
        officer.post(
            f"{server.url}/api/counters/1/resolve", json={"solution": "Selesai."}, timeout=5
        ).raise_for_status()
    raise AssertionError(f"{ticket['label']} was never called")


def skm_groups(server, day: str) -> dict:
    """Respondents and population of the day per service and per counter (GET /api/skm)."""
    officer = server.session("petugas", PASSWORD)
    body = officer.get(f"{server.url}/api/skm", params={"from": day, "to": day}, timeout=5).json()
    return {
        **{("service", g["service"]): (g["respondents"], g["population"]) for g in body["by_service"]},
        **{("counter", g["counter_id"]): (g["respondents"], g["population"]) for g in body["by_counter"]},
        "all": (body["respondents"], body["population"]),
    }


def test_a_visitor_served_then_sent_on_and_cancelled_there_answers_the_survey_once(office, phone_page, browser):
    # Served at service A, sent on to B, and cancelled there before anyone called it (the visitor had what he
    # needed, or left): he was served all the same, and the recap lists his consultation, but the survey
    # refused him ("survey_not_served") and the phone page never offered it.
    ticket = issue(office, phone="081200004444")
    send_on(office, ticket)
    day = survey_of(office, ticket["token"])["ticket"]["day"]
    before = skm_groups(office, day)
    page = phone_page
    page.goto(f"{office.url}/t/{ticket['token']}")
    expect(page.locator("#status")).to_have_text(t("phone.waiting", "id"))
    expect(page.locator("#survey")).to_be_hidden()

    front = office.session("depan", PASSWORD)
    r = front.post(f"{office.url}/api/tickets/{ticket['token']}/cancel", json={}, timeout=5)
    assert r.status_code == 200 and r.json()["ticket"]["status"] == "cancelled", r.text

    expect(page.locator("#survey-invite")).to_be_visible()  # live, from the cancellation's event
    tap(page, "#survey-start")
    for code, score in SCORES.items():
        tap(page, f'[data-field="answers.{code}"] [data-score="{score}"]')
    tap(page, "#survey-submit")
    expect(page.locator("#survey-done")).to_be_visible()
    state = survey_of(office, ticket["token"])
    assert (state["open"], state["answered"], state["response"]["answers"]) == (True, True, SCORES)

    # Once: a second answer is a correction of the first (200), not a second response.
    again = {"token": ticket["token"], "answers": {**SCORES, "U1": 3}}
    r = requests.post(f"{office.url}/api/survey", json=again, timeout=5)
    assert r.status_code == 200 and r.json()["survey"]["corrections_left"] == 4, r.text

    # Counted where he was served (service A, counter 1), in the population there as among the respondents:
    # never a respondent outside the population, nor one under the service that never served him.
    after = skm_groups(office, day)
    for group in ("all", ("service", "A"), ("counter", 1)):
        was = before.get(group, (0, 0))
        assert after[group] == (was[0] + 1, was[1] + 1), group
    assert after.get(("service", "B"), (0, 0)) == before.get(("service", "B"), (0, 0))

    # The exit tablet takes him too (his answers given on the phone are replaced by new ones)...
    tablet = browser.new_page(viewport=TABLET_LANDSCAPE, has_touch=True)
    try:
        tablet.goto(f"{office.url}/survey/")
        tap(tablet, "#start")
        identify_by_pad(tablet, ticket["label"], "4444")
        expect(tablet.locator("#screen-question")).to_be_visible()
        expect(tablet.locator("#identify-error")).to_be_hidden()
    finally:
        tablet.close()

    # ... while a visitor cancelled before anyone served him still has none, and is told so in those words.
    never = issue(office, phone="081200006666")
    r = front.post(f"{office.url}/api/tickets/{never['token']}/cancel", json={}, timeout=5)
    assert r.status_code == 200, r.text
    r = requests.post(f"{office.url}/api/survey", json={"token": never["token"], "answers": SCORES}, timeout=5)
    assert r.status_code == 409 and r.json()["error"] == "survey_not_served", r.text
    assert survey_of(office, never["token"])["reason"] == "not_served"


def test_the_skm_page_follows_the_answers_live_and_reads_itself_once_for_a_burst_of_them(browser, tmp_path):
    # A head of office leaving the SKM page open saw the figures of the moment it was opened: nothing on it
    # followed the answers given since. It follows the staff feed now, and a burst of fifty answers (anyone
    # holding a ticket's token may send them) is one or two reads of the page, not fifty.
    server = LiveServer(write_config(tmp_path), numbers=CALM_NUMBERS).start()  # never pings: GAP_MS in one call
    context = None
    try:
        server.add_user("petugas", "officer")
        officer = server.session("petugas", PASSWORD)
        tickets = [issue(server, phone=f"0812000070{i:02d}") for i in range(51)]
        for _ in tickets:
            for action, body in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Selesai."})):
                r = officer.post(f"{server.url}/api/counters/1/{action}", json=body, timeout=5)
                assert r.status_code == 200, r.text
        context = staff_context(browser, server, "petugas", viewport={"width": 1366, "height": 768})
        page = context.new_page()
        reads = []
        page.on("request", lambda req: reads.append(req.url) if "/counter/skm" in req.url else None)
        install_clock(page)
        page.goto(f"{server.url}/counter/skm")
        settled = "() => window.antrianSkm && window.antrianSkm.reads() >= 1 && !window.antrianSkm.busy()"
        page.wait_for_function(settled)  # its first snapshot's read: what changed before the socket was in
        expect(page.locator("#respondents")).to_have_text("0")
        expect(page.locator("#population")).to_have_text("51")
        page.fill("input[name=from]", "2026-01-02")  # a date being typed in the toolbar is left alone

        def answer(ticket: dict, scores: dict[str, int]) -> None:
            r = requests.post(f"{server.url}/api/survey", json={"token": ticket["token"], "answers": scores}, timeout=5)
            assert r.status_code == 201, r.text

        answer(tickets[0], SCORES)
        page.wait_for_function("() => window.antrianSkm.busy()", polling=20)  # its read, due GAP_MS after the first
        page.clock.run_for(GAP_MS)
        expect(page.locator("#respondents")).to_have_text("1", timeout=15_000)
        expect(page.locator("#ikm")).to_have_text("86,11")  # (4+3+4+2+3+4+4+3+4) / 9 × 25
        page.wait_for_function("() => !window.antrianSkm.busy()")
        read_before = len(reads)
        started = time.monotonic()
        for ticket in tickets[1:]:
            answer(ticket, {code: 1 for code in SCORES})
        burst = time.monotonic() - started
        page.clock.run_for(GAP_MS)  # the burst's last read, due GAP_MS after the one before
        expect(page.locator("#respondents")).to_have_text("51", timeout=20_000)
        page.wait_for_function("() => !window.antrianSkm.busy()")
        # one read as the burst starts, then at most one every 5 s (skm.js GAP_MS) while it lasts, and the last
        most = 2 + int(burst // 5)
        assert len(reads) - read_before <= most, (burst, reads[read_before:])
        expect(page.locator("#mutu")).to_have_text("D")
        expect(page.locator("#elements tr[data-code=U1] td.num").nth(1)).to_have_text("51")
        expect(page.locator("input[name=from]")).to_have_value("2026-01-02")
        # the feed gone (the server stopped): the page says its figures are those of its last read
        expect(page.locator("#skm-offline")).to_be_hidden()
        server.stop()
        expect(page.locator("body")).to_have_attribute("data-connected", "off", timeout=15_000)
        page.clock.run_for(OFFLINE_MS)
        expect(page.locator("#skm-offline")).to_be_visible(timeout=15_000)
        expect(page.locator("#skm-offline")).to_contain_text("Tidak tersambung ke server")
        expect(page.locator("#respondents")).to_have_text("51")
    finally:
        if context is not None:
            context.close()
        server.stop()


def test_the_skm_pages_offline_notice_stays_until_a_read_after_the_reconnect_is_answered(office, browser):
    """The SKM page's notice that its figures are those of its last read (the feed away) went at the socket's
    reconnect, before the page's read of what changed meanwhile was answered: for that moment its old figures
    looked current (helper-221). It goes once a read begun after the reconnect is answered, and a read that fails
    leaves it there."""
    context = staff_context(browser, office, "petugas", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    gate = SocketGate(page, polling=True)  # the network, its WebSocket and its polling
    install_clock(page)  # its socket.io managers seen (pageclock.MANAGERS): their reconnection tries are followed
    page.goto(f"{office.url}/counter/skm")
    page.wait_for_function("() => window.antrianSkm && window.antrianSkm.reads() >= 1 && !window.antrianSkm.busy()")
    until_on_page(page, lambda: gate.sockets, "the SKM page's socket never went over WebSocket")
    notice = page.locator("#skm-offline")
    expect(notice).to_be_hidden()

    watch_tries(page)  # its reconnection tries flagged from now
    gate.cut()
    expect(page.locator("body")).to_have_attribute("data-connected", "off")
    page.clock.run_for(OFFLINE_MS)
    expect(notice).to_be_visible(timeout=10_000)
    held: list = []
    page.route("**/counter/skm", lambda route: held.append(route))  # the page's reads, kept on their way
    gate.open = True  # the network is back: socket.io connects again by itself, and the snapshot has the page read
    reconnect_on_clock(
        page, lambda: held, RETRY_MAX_MS, RETRY_STEP_MS, what="the page did not read itself after the reconnect"
    )
    expect(page.locator("body")).to_have_attribute("data-connected", "on")
    expect(notice).to_be_visible()  # its figures are still the old ones
    held[0].abort()  # that read fails: still old, still said; the page reads again after its gap (skm.js GAP_MS)
    for _ in range(GAP_MS // 500):  # its clock moved on by half seconds (the failure reaches the page when it does)
        if len(held) > 1:
            break
        page.clock.run_for(500)
    until_on_page(page, lambda: len(held) > 1, "the page did not read itself again after a failed read")
    expect(notice).to_be_visible()
    held[1].continue_()
    expect(notice).to_be_hidden()
    context.close()


def test_the_skm_pages_offline_notice_stays_in_sight_while_the_report_is_read_lower_down(office, browser):
    """The feed away, the notice that the figures are those of the last read stood above the toolbar only: the
    head of office reading the table of the nine elements or the comments, scrolled down, saw old figures and no
    notice. It stays at the top of the window while the page is scrolled (not on paper)."""
    context = staff_context(browser, office, "petugas", viewport={"width": 1024, "height": 768})
    page = context.new_page()
    gate = SocketGate(page, polling=True)  # the network, its WebSocket and its polling
    page.clock.install()
    page.goto(f"{office.url}/counter/skm")
    page.wait_for_function("() => window.antrianSkm && window.antrianSkm.reads() >= 1 && !window.antrianSkm.busy()")
    until_on_page(page, lambda: gate.sockets, "the SKM page's socket never went over WebSocket")
    gate.cut()
    expect(page.locator("body")).to_have_attribute("data-connected", "off")
    page.clock.run_for(OFFLINE_MS)
    notice = page.locator("#skm-offline")
    expect(notice).to_be_visible(timeout=10_000)
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function("() => window.scrollY > 300")  # the report is longer than the window: scrolled down
    expect(notice).to_be_in_viewport(ratio=1)
    page.emulate_media(media="print")
    expect(notice).to_be_hidden()  # on paper, as before
    context.close()


def test_a_complaint_pasted_longer_than_the_box_takes_says_that_its_end_was_cut(office, phone_page):
    # A visitor pastes a complaint written in another app: the box (2000 characters) took its beginning and
    # dropped its end (the officer's name and the date) without a word, the counter saying only 2000/2000.
    ticket = issue(office, phone="081277778888")
    serve(office, ticket)
    page = phone_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=office.url)
    page.goto(f"{office.url}/t/{ticket['token']}")
    tap(page, "#survey-start")
    text = "Petugas meminta biaya di luar ketentuan. " * 50 + "Nama petugas: Budi, 12 Desember."
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.focus("#survey-suggestion")
    page.keyboard.press("Control+V")

    expect(page.locator("#survey-suggestion")).to_have_value(text[:2000])
    expect(page.locator("#survey-suggestion-error")).to_have_text(
        t("survey.paste_cut", "id", max=2000, cut=len(text) - 2000)
    )
    page.keyboard.press("Backspace")  # the visitor shortens it: the note goes
    expect(page.locator("#survey-suggestion-error")).to_have_text("")
