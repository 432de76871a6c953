"""On a slow network the counter page's GET of the visitor's stored draft (asked at Mulai) can still be on its way
when the first save of what the officer typed (2 s after typing stops) is answered. The page set that answer aside (no
draft of the server's seen yet), and once the GET's answer came (this very text, or the older one asked before the
save: nothing stored) the cue said "Belum tersimpan" while the server held exactly the box's text, until the officer
typed again. Now a save answered before the draft was loaded is the server's draft (the server took it on version 0:
it held none): the cue says saved from its answer on, and a later, older answer of the GET changes nothing: not the
box, not the cue, not the next save.

A real server process (never pinging: CALM_NUMBERS, its page's clock moved by the test, pageclock) and Chromium, its
GET of the draft held by a Playwright route: let through to the server when released (the server's draft then), or
asked of the server at once and its answer given to the page later (the server's draft before the save)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from conftest import write_config
from live import LiveServer
from pageclock import CALM_NUMBERS, install_clock, pause_clock
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import COUNTER_VIEWPORT, PASSWORD, empty_queue, issue, sign_in, staffed
from test_counter_draft_cue import DRAFT, DRAFT_SAVE_MS, FIRST, MORE, SAVED, press, stored
from test_counter_draft_live import draft_url
from test_counter_draft_reconnect import is_save


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    config = write_config(tmp_path_factory.mktemp("counter-draft-early-save"))
    server = staffed(LiveServer(config, numbers=CALM_NUMBERS).start())
    yield server
    server.stop()


class HeldAsk:
    """The page's first GET of the draft held (a route taking its place before it reaches the server); the others
    let through."""

    def __init__(self, page):
        self.held = []
        self.ticket_id = None  # the visitor started (Mulai's answer)
        page.route(DRAFT, self.route)

    def route(self, route) -> None:
        if route.request.method == "GET" and not self.held:
            self.held.append(route)
        else:
            route.continue_()


@contextmanager
def ask_held(browser, office, name: str):
    """Budi's counter page (its clock installed before it loaded) on an emptied queue, the visitor `name` called and
    Mulai pressed, the page's GET of that visitor's draft held, its clock stopped: (page, held); closed at the end."""
    empty_queue(office)
    issue(office, name)
    context = browser.new_context(viewport=COUNTER_VIEWPORT, locale="id-ID")
    try:
        page = context.new_page()
        install_clock(page)
        sign_in(page, office, "/counter/", "budi")
        page.select_option("#counter-select", "1")
        press(page, "#btn-call-next")
        held = HeldAsk(page)
        with page.expect_response(lambda r: r.url.endswith("/api/counters/1/start")) as started:
            press(page, "#btn-start")
        held.ticket_id = started.value.json()["ticket"]["id"]
        page.wait_for_function("() => window.antrianApi.inFlight() === 1", polling=20)  # only the held GET
        expect(page.locator("#solution")).to_be_enabled()
        assert len(held.held) == 1
        pause_clock(page)
        yield page, held
    finally:
        context.close()


def save_now(page, get_held: bool = True) -> None:
    """The save's pause gone by (the page's clock moved on): its answer taken, the GET still held (`get_held`; else
    one may still be on its way, or none)."""
    with page.expect_response(lambda r: is_save(r.request)) as answer:
        page.clock.run_for(DRAFT_SAVE_MS)
    assert answer.value.status == 200, answer.value.text()
    on_its_way = "=== 1" if get_held else "<= 1"
    page.wait_for_function(f"() => window.antrianApi.inFlight() {on_its_way}", polling=20)


def test_a_save_answered_before_the_draft_was_loaded_is_said_saved(browser, office):
    """The GET reaches the server after the save: its answer is this very text. Saved, and said so, from the save's
    answer on; the box keeps the officer's text."""
    budi = office.session("budi", PASSWORD)
    with ask_held(browser, office, "Hana Kusuma") as (page, held):
        state = page.locator("#draft-state")
        page.fill("#solution", FIRST)
        expect(state).to_have_text("Belum tersimpan")
        save_now(page)
        assert stored(budi, office) == FIRST
        expect(state).to_have_text(SAVED)  # the server holds the box's text
        with page.expect_response(lambda r: r.request.method == "GET" and r.url.endswith("/draft")):
            held.held[0].continue_()
        page.wait_for_function("() => window.antrianApi.inFlight() === 0", polling=20)
        expect(state).to_have_text(SAVED)
        expect(page.locator("#solution")).to_have_value(FIRST)
        expect(page.locator("#kept-draft")).to_be_hidden()
        assert stored(budi, office) == FIRST
        keep_shot(page, "early-save-saved.png")
        # typed on: saved on top of it (based on the version the save was given), nothing refused
        page.fill("#solution", MORE)
        save_now(page, get_held=False)
        expect(state).to_have_text(SAVED)
        assert stored(budi, office) == MORE
        expect(page.locator("#kept-draft")).to_be_hidden()


def test_an_older_draft_answered_after_the_save_changes_nothing(browser, office):
    """The GET reached the server before the save (nothing stored then) and its answer comes after the save's: the
    box keeps the officer's text, the cue says saved (the server holds it), and the next save builds on it: nothing
    refused, the officer's own text not shown back in the kept-draft box as another PC's."""
    budi = office.session("budi", PASSWORD)
    with ask_held(browser, office, "Irfan Hakim") as (page, held):
        state = page.locator("#draft-state")
        older = held.held[0].fetch()  # the server's answer before the save: no draft
        assert older.json()["draft"] is None
        page.fill("#solution", FIRST)
        save_now(page)
        assert stored(budi, office) == FIRST
        held.held[0].fulfill(response=older)
        page.wait_for_function("() => window.antrianApi.inFlight() === 0", polling=20)
        expect(page.locator("#solution")).to_have_value(FIRST)
        expect(state).to_have_text(SAVED)
        page.fill("#solution", MORE)
        save_now(page, get_held=False)
        expect(state).to_have_text(SAVED)
        assert stored(budi, office) == MORE
        expect(page.locator("#solution")).to_have_value(MORE)
        expect(page.locator("#kept-draft")).to_be_hidden()


def test_a_draft_from_another_pc_answered_late_never_replaces_the_typing(browser, office):
    """The officer types; meanwhile the PC beside saves its own text (the page, told, fetches it and shows it beside
    the typing); the save of the typing goes on top of it. The first, slow GET's answer (that older draft) comes
    last: the box keeps the typing, the cue says saved, and it is so."""
    budi = office.session("budi", PASSWORD)
    with ask_held(browser, office, "Joko Santoso") as (page, held):
        state = page.locator("#draft-state")
        page.fill("#solution", FIRST)
        other = {"ticket_id": held.ticket_id, "solution": "Dari PC sebelah.", "version": 0}
        assert budi.post(draft_url(office), json=other, timeout=5).status_code == 200
        expect(page.locator("#kept-solution")).to_have_value("Dari PC sebelah.")  # shown beside the typing
        older = held.held[0].fetch()  # the server's answer now: the other PC's draft
        assert older.json()["draft"]["solution"] == "Dari PC sebelah."
        save_now(page, get_held=False)
        assert stored(budi, office) == FIRST
        held.held[0].fulfill(response=older)
        page.wait_for_function("() => window.antrianApi.inFlight() === 0", polling=20)
        expect(page.locator("#solution")).to_have_value(FIRST)
        expect(state).to_have_text(SAVED)
        assert stored(budi, office) == FIRST
        keep_shot(page, "early-save-beside.png")
