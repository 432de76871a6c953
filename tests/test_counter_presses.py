"""One press of the officer is one action: a double click, a key held down, Enter on a focused button, a press whose
answer was lost (helper-262).

A person's double click is two clicks a fifth of a second apart, and the server answers the first well within it: the
second click of Panggil ulang was one more call of the visitor, the second of Istirahat the Lanjut that ended the break.
A key held down repeats: a held R spent every call at once. A button pressed from the keyboard went off while its
action was on its way, and the cursor fell to the page's body (the next Enter did nothing, the next Tab began at the
top bar)."""

from __future__ import annotations

import re

import pytest
import requests
from conftest import SocketGate, until_on_page
from kioskui import LONGEST
from playwright.sync_api import expect
from staffpages import PASSWORD, empty_queue, issue, open_counter, sign_in, staffed


@pytest.fixture(scope="module")
def office(live):
    return staffed(live)


@pytest.fixture(autouse=True)
def clean(office):
    empty_queue(office)


def calling(browser, live, *names: str):
    """budi's counter page at Loket 1 calling the first of `names` (each issued a ticket), its call's answer in: a
    key pressed now is taken. The page and that first ticket."""
    first, *_ = [issue(live, name) for name in names]
    page = open_counter(browser, live, "budi", 1)
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(first["label"])
    expect(page.locator("#btn-recall")).to_be_enabled()
    return page, first


def calls(live, ticket: dict) -> int:
    return requests.get(f"{live.url}/api/tickets/{ticket['token']}", timeout=5).json()["ticket"]["calls"]


def paused(live, counter_id: int) -> bool:
    counters = requests.get(live.url + "/api/state", timeout=5).json()["counters"]
    return next(c for c in counters if c["id"] == counter_id)["paused"]


def in_flight(page, selector: str) -> bool:
    """Whether a press sent an action: the page turns its buttons off while one is on its way (counter.js act), at
    once, in the click's or the key's own handler."""
    return page.locator(selector).evaluate("(b) => b.disabled")


def second_click(page, selector: str) -> None:
    """The second half of a person's double click on `selector`, its first half's answer already in: a click whose
    `detail` counts 2, as the browser counts a click that soon after the last one at the same place."""
    box = page.locator(selector).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down(click_count=2)
    page.mouse.up(click_count=2)


def test_a_double_click_on_recall_or_pause_is_one_press(browser, office):
    live = office
    page, first = calling(browser, live, "Putri Ayu", "Bagus Prasetyo")

    page.click("#btn-recall")  # the double click's first half
    expect(page.locator("#t-calls")).to_have_text("panggilan 2 dari 3")
    expect(page.locator("#btn-recall")).to_be_enabled()  # answered: the second half finds the button on
    second_click(page, "#btn-recall")
    assert not in_flight(page, "#btn-recall"), "the double click's second half called the visitor once more"
    assert calls(live, first) == 2

    page.click("#btn-pause")
    expect(page.locator("#t-paused")).to_be_visible()
    expect(page.locator("#btn-pause")).to_be_enabled()  # now Lanjut
    second_click(page, "#btn-pause")
    assert not in_flight(page, "#btn-pause"), "the double click's second half ended the break it began"
    expect(page.locator("#t-paused")).to_be_visible()
    assert paused(live, 1) is True
    page.context.close()


def test_a_double_click_on_the_earlier_visits_count_opens_the_list(browser, office):
    """The count of a returning visitor's earlier visits opens and closes their list: a double click opened it and
    closed it again, and nothing seemed to happen."""
    live = office
    first, second = issue(live, "Putri Ayu"), issue(live, "Putri Ayu")  # the same visitor, the same phone
    budi = live.session("budi", PASSWORD)
    for action, body in (("call", {"ticket": first["label"]}), ("start", {}), ("resolve", {"solution": "Selesai."})):
        r = budi.post(f"{live.url}/api/counters/1/{action}", json=body, timeout=5)
        assert r.status_code == 200, r.text
    page = open_counter(browser, live, "budi", 1)
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(second["label"])
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    toggle = page.locator("#visits-toggle")
    expect(toggle).to_have_text(re.compile(r"^Kunjungan sebelumnya: \d+"))  # the module's visitors: one phone
    expect(page.locator("#visits")).to_be_hidden()  # serving: closed, the answer is written
    toggle.click()  # the double click's first half
    expect(page.locator("#visits")).to_be_visible()
    second_click(page, "#visits-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#visits")).to_be_visible()
    page.context.close()


def test_a_key_held_down_is_one_press(browser, office):
    live = office
    page, first = calling(browser, live, "Putri Ayu")

    page.keyboard.down("r")  # pressed...
    expect(page.locator("#t-calls")).to_have_text("panggilan 2 dari 3")
    expect(page.locator("#btn-recall")).to_be_enabled()
    page.keyboard.down("r")  # ... and held: the keyboard repeats its keydown
    assert not in_flight(page, "#btn-recall"), "a held R called the visitor again"
    page.keyboard.up("r")
    assert calls(live, first) == 2

    page.keyboard.down("i")
    expect(page.locator("#t-paused")).to_be_visible()
    expect(page.locator("#btn-pause")).to_be_enabled()
    page.keyboard.down("i")
    assert not in_flight(page, "#btn-pause"), "a held I ended the break"
    page.keyboard.up("i")
    assert paused(live, 1) is True
    page.context.close()


def test_enter_on_a_focused_button_keeps_the_cursor_on_the_counters_buttons(browser, office):
    live = office
    page, first = calling(browser, live, "Putri Ayu", "Bagus Prasetyo")

    page.focus("#btn-recall")  # as Tab brings it there
    page.keyboard.press("Enter")
    expect(page.locator("#t-calls")).to_have_text("panggilan 2 dari 3")
    expect(page.locator("#btn-recall")).to_be_focused()  # on again: the next Enter is the next call
    page.keyboard.press("Enter")
    expect(page.locator("#t-calls")).to_have_text("panggilan 3 dari 3")
    # every call given, Panggil ulang is off: the cursor is on the row of buttons, not on another that would skip
    actions = page.locator(".current .actions")
    expect(actions).to_be_focused()
    page.keyboard.press("Enter")
    assert not in_flight(page, "#btn-call-next")
    page.keyboard.press("Tab")  # the first button of the row that is on
    expect(page.locator("#btn-call-next")).to_be_focused()
    assert calls(live, first) == 3

    page.focus("#btn-pause")
    page.keyboard.press("Enter")
    expect(page.locator("#t-paused")).to_be_visible()
    expect(page.locator("#btn-pause")).to_be_focused()  # Lanjut, where Istirahat was
    page.keyboard.press("Enter")
    expect(page.locator("#t-paused")).to_be_hidden()
    expect(page.locator("#btn-pause")).to_be_focused()
    assert page.locator("#t-label").inner_text() == first["label"]
    page.context.close()


# ---- a press whose answer never came back ----------------------------------------------------------------------
def lose_first_answer(page, pattern: str, then=None) -> list:
    """The first request of `page` to `pattern` reaches the server, which does it, and its answer is lost on the way
    back (`then()` first: the network going with it); the requests after it go through. The list: its answer."""
    lost: list = []
    taken: list = []  # the first one's, at once: a request coming while its fetch is on its way goes through

    def route(r):
        if taken:
            r.continue_()
            return
        taken.append(r)
        lost.append(r.fetch())
        if then:
            then()
        r.abort()

    page.route(pattern, route)
    return lost


def counter_through(browser, live, wire):
    """budi's counter page at Loket 1 (1366x768) whose live connection goes through `wire(page)` (SocketGate,
    SlowFrames...), once it is open over WebSocket: the page and its wire."""
    page = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID").new_page()
    through = wire(page)
    sign_in(page, live, "/counter/", "budi")
    page.select_option("#counter-select", "1")
    until_on_page(page, lambda: through.sockets, "the page's socket never went over WebSocket")
    return page, through


def serve(page, live, label: str, answer: str) -> None:
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(label)
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    page.keyboard.type(answer)


def test_selesai_whose_answer_was_lost_is_said_done_with_that_visitors_form_copy(browser, office):
    """Selesai reached the server, which finished the visitor, and its answer was lost (the network, a server
    stopped right after): the page said "Server tidak dapat dihubungi" in red for good while the visitor was gone
    from the counter, and offered the form copy of the visitor before. The same request, asked again with its
    request_id, answers what was done."""
    live = office
    first, second = issue(live, "Putri Ayu"), issue(live, "Bagus Prasetyo")
    page = open_counter(browser, live, "budi", 1)
    serve(page, live, first["label"], "Sudah dijelaskan.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#btn-print-form [data-label]")).to_have_text(first["label"])
    serve(page, live, second["label"], "Kata sandi diatur ulang lewat menu Lupa Kata Sandi.")
    lost = lose_first_answer(page, "**/api/counters/1/resolve")
    page.keyboard.press("Control+Enter")
    # (asked again once the live snapshot shows the visitor gone: seconds on a loaded machine)
    expect(page.locator("#notice")).to_have_text(f"{second['label']} selesai.", timeout=15_000)
    # the page may ask again (the live snapshot shows the visitor gone) and have its answer before this handler has
    # the first one's
    until_on_page(page, lambda: lost, "the lost answer fetched")
    assert lost[0].status == 200
    expect(page.locator("#notice")).not_to_have_attribute("data-kind", "error")
    expect(page.locator("#btn-print-form [data-label]")).to_have_text(second["label"])
    expect(page.locator("#kept-draft")).to_be_hidden()  # the answer is the server's: no draft to keep
    ticket = live.ticket_when(second["token"], "resolved")
    assert ticket["status"] == "resolved"
    page.context.close()


def test_eskalasi_whose_answer_was_lost_with_the_connection_is_said_done_once_it_is_back(browser, office):
    """The same with the live connection gone too (a Wi-Fi drop, a server stopped): once back, the page said that
    the escalation did not reach the server, and kept what was typed as a draft of a visitor who "left while the
    connection was down"."""
    live = office
    first = issue(live, "Putri Ayu")
    page, gate = counter_through(browser, live, SocketGate)
    serve(page, live, first["label"], "")
    page.fill("#note", "Perlu pengecekan data penyedia oleh LKPP.")
    page.focus("#note")
    lose_first_answer(page, "**/api/counters/1/escalate", then=gate.cut)
    page.keyboard.press("Control+Enter")
    expect(page.locator("#offline-bar")).to_be_visible()
    expect(page.locator("#notice")).to_have_attribute("data-kind", "error")  # "Server tidak dapat dihubungi"
    gate.open = True
    expect(page.locator("#notice")).to_contain_text(f"{first['label']} dieskalasi", timeout=20_000)
    expect(page.locator("#offline-bar")).to_be_hidden()
    expect(page.locator("#btn-print-form [data-label]")).to_have_text(first["label"])
    expect(page.locator("#kept-draft")).to_be_hidden()
    assert live.ticket_when(first["token"], "escalated")["status"] == "escalated"
    page.context.close()


# ---- an event that comes after a newer answer --------------------------------------------------------------------
class SlowFrames:
    """The page's live connection on a slow network: while `hold`, the server's frames wait, and `release()` gives
    them to the page in their order (the HTTP answers go on as fast as ever). `sockets`: the WebSockets open."""

    def __init__(self, page):
        self.hold = False
        self.held: list = []
        self.sockets: list = []
        page.route_web_socket("**/socket.io/**", self._route)

    def _route(self, ws) -> None:
        server = ws.connect_to_server()
        server.on_message(lambda message: self.held.append((ws, message)) if self.hold else ws.send(message))
        self.sockets.append(ws)

    def release(self) -> None:
        self.hold = False
        for ws, message in self.held:
            ws.send(message)
        self.held.clear()


def test_the_calls_event_after_serving_began_leaves_the_cursor_in_the_answer(browser, office):
    """On a slow network the answer to Panggil berikutnya, then the one to Pengunjung datang, came before the call's
    live event: the event put the ticket back to "dipanggil" (the answer off, the cursor out of it), and serving's
    own event turned the answer on again without the cursor: the officer's next letters were shortcuts."""
    live = office
    first = issue(live, "Putri Ayu")
    page, frames = counter_through(browser, live, SlowFrames)
    frames.hold = True
    page.keyboard.press("n")
    expect(page.locator("#btn-start")).to_be_enabled()  # the call's answer; its event waits on the network
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    now = live.session("kepala", PASSWORD).get(live.url + "/api/staff/state", timeout=5).json()["seq"]
    frames.release()
    page.wait_for_function("(seq) => window.antrianCounter.live.seq() >= seq", arg=now, polling=20)
    expect(page.locator("#t-status")).to_have_attribute("data-status", "serving")
    expect(page.locator("#solution")).to_be_focused()
    page.keyboard.type("Jawaban")
    expect(page.locator("#solution")).to_have_value("Jawaban")
    assert page.locator("#t-label").inner_text() == first["label"]
    page.context.close()


class SlowEvents(SlowFrames):
    """SlowFrames holding the events alone (Socket.IO's "42" frames): Engine.IO's pings pass, so that a hold longer
    than the heartbeat on a busy machine does not end the connection (and its reconnect's snapshot the test)."""

    def _route(self, ws) -> None:
        server = ws.connect_to_server()
        held = lambda message: self.hold and isinstance(message, str) and message.startswith("42")  # noqa: E731
        server.on_message(lambda message: self.held.append((ws, message)) if held(message) else ws.send(message))
        self.sockets.append(ws)


def test_the_visitor_befores_finish_coming_late_leaves_the_form_copy_naming_the_last_one(browser, office):
    """On a busy network the first visitor's finish came over the live connection after the answer that finished the
    second: the form copy's button went back to the first visitor (a finish made by another tab is taken from its
    event, tests/test_counter_two_tabs.py), and P printed the copy of the visitor before."""
    live = office
    first, second = issue(live, "Putri Ayu"), issue(live, "Bagus Prasetyo")
    page, frames = counter_through(browser, live, SlowEvents)
    frames.hold = True  # every event from here on waits on the network; the answers come at once
    serve(page, live, first["label"], "Sudah dijelaskan.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#btn-print-form [data-label]")).to_have_text(first["label"])
    serve(page, live, second["label"], "Kata sandi diatur ulang.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#btn-print-form [data-label]")).to_have_text(second["label"])
    # the first's call, start and finish, then the second's: late, in their order, one by one, the button looked at
    # after each (the second's own finish, last, named the second again: only the moments before it were wrong)
    held, frames.hold = list(frames.held), False
    frames.held.clear()
    named = []
    for ws, message in held:
        ws.send(message)
        seq = re.search(r'"seq":\s*(\d+)', message) if isinstance(message, str) else None
        if seq:
            page.wait_for_function("(s) => window.antrianCounter.live.seq() >= s", arg=int(seq.group(1)), polling=20)
            named.append(page.locator("#btn-print-form [data-label]").inner_text())
    assert len(named) >= 4 and set(named) == {second["label"]}, named
    page.context.close()


# ---- a 1280x720 laptop -------------------------------------------------------------------------------------------
SERVING_CONTROLS = [
    "#btn-call-next",
    "#btn-pause",
    "#solution",
    "#btn-resolve",
    "#note",
    "#btn-escalate",
    "#btn-transfer",
]


def test_a_1280x720_laptop_shows_the_longest_visitor_without_scrolling(browser, office):
    """At 1280x720 (48 px less than the 768 the page was fitted to, and in Indonesian Cetak salinan formulir on a row
    of its own) the ticket's box of a called visitor with the longest form ran 13 px under the screen's edge, with a
    scroll bar: the problem is a line shorter there (it scrolls), and nothing else moves."""
    live = office
    r = requests.post(live.url + "/api/tickets", json={"service": "A", **LONGEST}, timeout=5)
    assert r.status_code == 201, r.text
    serve_at_1280x720(browser, live)


def test_a_1280x720_laptop_shows_a_transferred_visitors_note_without_scrolling(browser, office):
    """The same visitor sent on from another service with the longest note: the note's label ("Dialihkan dari
    Konsultasi Non-Penyedia (PPK/Pokja/PP) — catatan petugas sebelumnya", two lines of its half of the row) over the
    note's two lines had the page scroll 28 px while the visitor was called, Eskalasi and Alihkan under the screen's
    edge. The label takes one line there, over the note's two in a box that scrolls (test_counter_transfer_note.py)."""
    live = office
    r = requests.post(live.url + "/api/tickets", json={"service": "B", **LONGEST}, timeout=5)
    assert r.status_code == 201, r.text
    ticket = r.json()["ticket"]
    note = ("Sudah dicek di sisi PPK; masalahnya di akun penyedia, mohon verifikasi ulang berkasnya. " * 50)[:4000]
    sari = live.session("sari", PASSWORD)  # Loket 2 (A and B) sends it on to A, Loket 1's
    for action in ("call", "start"):
        r = sari.post(f"{live.url}/api/counters/2/{action}", json={"ticket": ticket["label"]}, timeout=5)
        assert r.status_code == 200, r.text
    r = sari.post(f"{live.url}/api/counters/2/transfer", json={"service": "A", "note": note}, timeout=5)
    assert r.status_code == 200, r.text
    page = serve_at_1280x720(browser, live, keep=True)
    box = page.locator("#f-transfer-box")
    expect(box).to_contain_text("Dialihkan dari")
    # its label and the note's first words on screen, the rest of the note in its box (it scrolls)
    got = box.evaluate("(b) => ({ top: b.getBoundingClientRect().top, bottom: b.getBoundingClientRect().bottom,"
                       " scrolls: b.lastChild.scrollHeight > b.lastChild.clientHeight })")  # fmt: skip
    assert 0 <= got["top"] and got["bottom"] <= 720 and got["scrolls"], got
    page.context.close()


def serve_at_1280x720(browser, live, keep: bool = False):
    """budi's counter page at 1280x720 calls the next visitor (Loket 1), then serves them: in both states the page
    does not scroll, every control of the ticket is on the screen, and the longest problem scrolls in its box."""
    page = open_counter(browser, live, viewport={"width": 1280, "height": 720})
    page.keyboard.press("n")
    expect(page.locator("#t-status")).to_have_attribute("data-status", "called")
    for state in ("called", "serving"):
        if state == "serving":
            page.keyboard.press("d")
            expect(page.locator("#solution")).to_be_focused()
        page.evaluate("document.fonts.ready")
        over = page.evaluate("document.scrollingElement.scrollHeight - innerHeight")
        assert over <= 0, f"{state}: the page scrolls by {over} px"
        for selector in SERVING_CONTROLS:
            box = page.locator(selector).bounding_box()
            assert box and 0 <= box["y"] and box["y"] + box["height"] <= 720, (
                f"{state}: {selector} off the screen: {box}"
            )
        assert page.evaluate(
            "(() => { const p = document.getElementById('f-problem'); return p.scrollHeight > p.clientHeight; })()"
        )
    if keep:
        return page
    page.context.close()
    return None
