"""An officer's day at the counter, on a real server in real Chromium: what the screens of it showed wrong."""

from __future__ import annotations

import re

import pytest
import requests
from kioskui import LONGEST
from playwright.sync_api import expect
from staffpages import PASSWORD, empty_queue, issue, resize, sign_in, staffed

# what an officer needs while a visitor is served (counter.html)
SERVING_CONTROLS = ["#solution", "#btn-resolve", "#note", "#btn-escalate", "#transfer-service", "#btn-transfer"]

BOXES = """() => {
  const box = (s) => { const r = document.querySelector(s).getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height}; };
  const problem = document.querySelector('#f-problem');
  return {problem: problem.clientHeight, problemLine: parseFloat(getComputedStyle(problem).lineHeight) || 24,
          problemScrolls: problem.scrollHeight > problem.clientHeight,
          note: document.querySelector('#f-transfer-note').clientHeight, solution: box('#solution'),
          keptSolution: box('#kept-solution'), keptNote: box('#kept-note-text'),
          pageScrolls: document.scrollingElement.scrollHeight > innerHeight, height: innerHeight, width: innerWidth};
}"""


@pytest.fixture(scope="module")
def office(live):
    return staffed(live)


@pytest.fixture(autouse=True)
def clean(office):
    empty_queue(office)


def longest_visitor(live, service: str) -> dict:
    r = requests.post(live.url + "/api/tickets", json={"service": service, **LONGEST}, timeout=5)
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def controls_on_screen(page, where: str) -> None:
    for selector in SERVING_CONTROLS:
        r = page.locator(selector).bounding_box()
        size = page.viewport_size
        inside = r and r["y"] >= 0 and r["y"] + r["height"] <= size["height"] and r["x"] + r["width"] <= size["width"]
        assert inside, f"{where}: {selector} off the screen: {r}"


def test_a_1080_monitor_gives_the_problem_the_note_and_the_answer_the_room_it_has(browser, office):
    """At 1920x1080 the visitor's problem (2,000 characters) was read in a four-line box and the answer written
    in one, while a third of the screen stayed empty under Eskalasi and Alihkan. A tall screen now shows twice
    the problem, a transfer note in four lines and an answer box two thirds taller; every control stays on the
    screen with the longest visitor and note, and a laptop's 1366x768 keeps its layout."""
    live = office
    ticket = longest_visitor(live, "B")
    sari = live.session("sari", PASSWORD)
    for action in ("call", "start"):
        r = sari.post(f"{live.url}/api/counters/2/{action}", json={"ticket": ticket["label"]}, timeout=5)
        assert r.status_code == 200, r.text
    note = ("Sudah dicek di sisi PPK; masalahnya di akun penyedia, mohon verifikasi ulang berkasnya. " * 50)[:4000]
    r = sari.post(f"{live.url}/api/counters/2/transfer", json={"service": "A", "note": note}, timeout=5)
    assert r.status_code == 200, r.text

    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    try:
        page = sign_in(context.new_page(), live, "/counter/", "budi")
        page.select_option("#counter-select", "1")  # A and C
        page.keyboard.press("n")
        expect(page.locator("#t-label")).to_have_text(ticket["label"])
        page.keyboard.press("d")
        expect(page.locator("#solution")).to_be_focused()
        laptop = page.evaluate(BOXES)
        controls_on_screen(page, "1366x768")
        resize(page, {"width": 1920, "height": 1080})
        page.evaluate("document.fonts.ready")
        tall = page.evaluate(BOXES)
        assert tall["problemScrolls"]  # the longest problem: its box is full
        assert tall["problem"] >= 7.5 * tall["problemLine"], tall  # eight lines, not four
        assert tall["note"] >= 1.9 * laptop["note"], (laptop["note"], tall["note"])
        assert tall["solution"]["height"] >= 1.6 * laptop["solution"]["height"], (laptop["solution"], tall["solution"])
        assert not tall["pageScrolls"], tall
        controls_on_screen(page, "1920x1080")
        resize(page, {"width": 1366, "height": 768})
        assert page.evaluate(BOXES)["solution"]["height"] == laptop["solution"]["height"]
        controls_on_screen(page, "1366x768 again")
    finally:
        context.close()


def test_the_two_kept_drafts_stand_level_side_by_side(browser, office):
    """After Alihkan with an answer and an escalation analysis typed, the box that keeps them showed the
    analysis' box lower and shorter than the answer's beside it (its label's line took the extra height): the
    two boxes now start and end level, at 1366 and 1920 px."""
    live = office
    requests.post(live.url + "/api/tickets", json={"service": "A", **LONGEST}, timeout=5).raise_for_status()
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    try:
        page = sign_in(context.new_page(), live, "/counter/", "budi")
        page.select_option("#counter-select", "1")
        page.keyboard.press("n")
        expect(page.locator("#t-status")).to_have_attribute("data-status", "called")
        page.keyboard.press("d")
        expect(page.locator("#solution")).to_be_focused()
        page.fill("#solution", "Langkah penyelesaian: buka menu Lupa Kata Sandi, masukkan e-mail terdaftar. " * 3)
        page.fill("#note", "Analisis: data NPWP di SIKaP berbeda dengan AHU Online. " * 3)
        page.select_option("#transfer-service", "B")
        page.click("#btn-transfer")
        page.click("#kept-open")  # the idle counter shows the box as one line: opened
        expect(page.locator("#kept-texts")).to_be_visible()
        for size in ({"width": 1366, "height": 768}, {"width": 1920, "height": 1080}):
            resize(page, size)
            boxes = page.evaluate(BOXES)
            solution, note = boxes["keptSolution"], boxes["keptNote"]
            assert note["left"] > solution["right"], (size, boxes)  # side by side
            assert abs(note["top"] - solution["top"]) < 1, (size, solution, note)
            assert abs(note["bottom"] - solution["bottom"]) < 1, (size, solution, note)
    finally:
        context.close()


# ---- the break (Istirahat) -----------------------------------------------------------------------------------
PAUSED_TILE = re.compile(r"\bpaused\b")


def open_counter(browser, live, username: str, counter_id: int):
    page = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID").new_page()
    sign_in(page, live, "/counter/", username)
    page.select_option("#counter-select", str(counter_id))
    return page


def counter_state(live, counter_id: int) -> dict:
    return next(c for c in requests.get(live.url + "/api/state", timeout=5).json()["counters"] if c["id"] == counter_id)


def test_a_break_calls_nobody_not_even_a_recall(browser, office):
    """helper-208: on a break with a visitor called, Panggil ulang stayed on and the server took the recall: the
    TV showed Loket 1 as ISTIRAHAT and chimed its number again. A break now calls nobody, recall included, and
    the server refuses it whatever the page does; the called visitor can still come (D), or be skipped once every
    call was given, and the hint says so."""
    live = office
    first, second = issue(live, "Putri Ayu"), issue(live, "Bagus Prasetyo")
    page = open_counter(browser, live, "budi", 1)
    budi = live.session("budi", PASSWORD)
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(first["label"])
    expect(page.locator("#btn-recall")).to_be_enabled()
    page.keyboard.press("i")
    expect(page.locator("#t-paused")).to_be_visible()
    expect(page.locator("#btn-start")).to_be_enabled()  # the visitor may still come (the page is not busy)
    expect(page.locator("#btn-recall")).to_be_disabled()
    expect(page.locator("#btn-call-next")).to_be_disabled()
    expect(page.locator("#hint")).to_contain_text("untuk memanggilnya lagi, Lanjut (I) dulu")
    r = budi.post(f"{live.url}/api/counters/1/recall", json={}, timeout=5)
    assert (r.status_code, r.json().get("error")) == (409, "counter_paused"), r.text
    assert requests.get(f"{live.url}/api/tickets/{first['token']}", timeout=5).json()["ticket"]["calls"] == 1

    page.keyboard.press("i")  # Lanjut: the calls the SOP gives, then a break with all of them given
    expect(page.locator("#t-paused")).to_be_hidden()
    for calls in (2, 3):
        expect(page.locator("#btn-recall")).to_be_enabled()  # the answer is in: a key pressed now is taken
        page.keyboard.press("r")
        expect(page.locator("#t-calls")).to_contain_text(f"panggilan {calls} dari 3")
    expect(page.locator("#btn-pause")).to_be_enabled()
    page.keyboard.press("i")
    expect(page.locator("#t-paused")).to_be_visible()
    expect(page.locator("#hint")).to_contain_text("semua panggilan sudah diberikan")
    expect(page.locator("#btn-skip")).to_be_enabled()
    expect(page.locator("#btn-recall")).to_be_disabled()
    expect(page.locator("#btn-call-next")).to_be_disabled()  # N would skip and call the next: a call
    page.keyboard.press("s")  # a skip calls nobody: the visitor goes back to the line for the other counters
    expect(page.locator("#t-label")).to_have_text("—")
    assert live.ticket_when(first["token"], "waiting")["status"] == "waiting"
    assert live.ticket_when(second["token"], "waiting")["status"] == "waiting"  # nobody called meanwhile
    expect(page.locator("#hint")).to_have_text(re.compile("^Loket sedang istirahat: tidak ada panggilan, TV"))
    page.context.close()


def test_istirahat_shows_its_key_only_while_the_key_pauses(browser, office):
    """While a visitor is served a letter goes into the answer: Istirahat still showed its I there (Lanjut too, on a
    break), and the I pressed went into the visitor's answer ("Sedang dicek.i"), not a break. Its key is shown when it
    pauses, the button is pressed by a click while serving."""
    live = office
    first = issue(live, "Putri Ayu")
    page = open_counter(browser, live, "budi", 1)
    key = page.locator("#btn-pause kbd")
    expect(key).to_be_visible()  # no ticket: I pauses
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(first["label"])
    expect(key).to_be_visible()  # called: I pauses still
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    page.keyboard.type("Sedang dicek.")
    page.keyboard.press("Escape")
    expect(key).to_be_hidden()
    page.keyboard.press("i")  # what it does while serving: a letter of the answer
    expect(page.locator("#solution")).to_have_value("Sedang dicek.i")
    expect(page.locator("#t-paused")).to_be_hidden()
    page.click("#btn-pause")  # a break with the visitor served: by its click, and Lanjut shows no key either
    expect(page.locator("#t-paused")).to_be_visible()
    expect(page.locator("#btn-pause")).to_contain_text("Lanjut")
    expect(key).to_be_hidden()
    page.click("#btn-pause")
    expect(page.locator("#t-paused")).to_be_hidden()
    page.context.close()


def test_a_break_ends_when_its_officer_leaves_the_counter(browser, office):
    """helper-208: an officer who logged out on a break left the counter on it: the TV showed Loket 1 as
    ISTIRAHAT with nobody there, and the next officer found it paused. A break now ends with the officer's hold
    of the counter: Keluar, and Lepas by the front office (a visitor being served stays at the counter)."""
    live = office
    tv = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    tv.goto(f"{live.url}/display/")
    tv.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)
    tile = tv.locator('.counter[data-counter="1"]')
    sari = open_counter(browser, live, "sari", 2)
    row = sari.locator("#counters li").filter(has_text="Loket 1")
    budi = open_counter(browser, live, "budi", 1)
    budi.keyboard.press("i")
    expect(budi.locator("#t-paused")).to_be_visible()
    expect(tile).to_have_class(PAUSED_TILE)
    expect(row).to_have_text("Loket 1 Istirahat — budi")
    budi.click("#logout")  # no ticket at the counter: out at once
    expect(tile).not_to_have_class(PAUSED_TILE)  # live: the break's end, then the release
    expect(row).to_have_text("Loket 1 kosong")
    assert budi.context.request.get(live.url + "/api/me").status == 401
    assert counter_state(live, 1)["paused"] is False
    budi.context.close()

    # a visitor being served, a break, and the officer gone without logging out: the front office's Lepas
    ticket = issue(live, "Putri Ayu")
    api = live.session("budi", PASSWORD)
    for action in ("call-next", "start", "pause"):
        api.post(f"{live.url}/api/counters/1/{action}", json={}, timeout=5).raise_for_status()
    expect(tile).to_have_class(PAUSED_TILE)
    expect(row).to_have_text(f"Loket 1 {ticket['label']} · dilayani Istirahat — budi")
    live.session("rina", PASSWORD).post(f"{live.url}/api/counters/1/release", json={}, timeout=5).raise_for_status()
    expect(tile).not_to_have_class(PAUSED_TILE)
    expect(tile.locator(".ticket-label")).to_have_text(ticket["label"])  # the visitor is still at the counter
    expect(row).to_have_text(f"Loket 1 {ticket['label']} · dilayani")
    tv.reload()  # and so says a snapshot
    tv.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)
    expect(tile).not_to_have_class(PAUSED_TILE)
    state = counter_state(live, 1)
    assert state["paused"] is False and state["ticket"]["status"] == "serving", state
    for page in (tv, sari):
        page.context.close()


def test_no_recall_on_a_break_by_the_server_itself_and_its_release_ends_the_break(tmp_path, clock):
    """helper-208: with `auto_recall_seconds` the server recalled a called visitor at a counter on a break (the
    same call the officer may not make there); and its release of a counter whose officer closed the page
    (`counter_release_minutes`) left the break on. The maintenance loop's two steps, on the app's clock."""
    from conftest import login, visitor, write_config

    from server.app import create_app

    app = create_app(
        write_config(tmp_path, {"auto_recall_seconds = 0": "auto_recall_seconds = 30"}), workers=False, clock=clock
    )
    service = app.extensions["antrian"]
    try:
        client = app.test_client()
        for _ in range(2):
            assert client.post("/api/tickets", json=visitor()).status_code == 201
        h = login(app, client, "budi")
        assert client.post("/api/counters/1/call-next", headers=h).status_code == 200
        assert client.post("/api/counters/1/pause", headers=h).status_code == 200
        events: list[dict] = []
        service.publish = lambda batch: events.extend(batch)

        def ticket() -> dict:
            return client.get("/api/state").get_json()["counters"][0]["ticket"]

        clock.advance(seconds=31)
        assert service.auto_recall() == 0 and ticket()["calls"] == 1 and events == []
        assert client.post("/api/counters/1/resume", headers=h).status_code == 200
        assert service.auto_recall() == 1 and ticket()["calls"] == 2  # its timer ran out during the break
        assert client.post("/api/counters/1/pause", headers=h).status_code == 200
        events.clear()
        clock.advance(minutes=10)  # [queue] counter_release_minutes, no counter page of budi's open
        assert service.auto_recall() == 0 and service.release_idle_counters() == 1
        assert [(e["type"], e["actor"]) for e in events] == [("counter_resumed", "auto"), ("counter_released", "auto")]
        counter = client.get("/api/state").get_json()["counters"][0]
        assert counter["paused"] is False and counter["ticket"] is None  # the called visitor back in the line
    finally:
        service.store.close()


def test_a_skip_on_a_break_with_nobody_else_waiting_says_he_is_called_after_the_break(browser, office):
    """helper-216: a visitor who had all his calls, skipped on a break with nobody else waiting, was said to be
    called again by Panggil berikutnya (N): N is off until Lanjut. The notice says so, and it is true."""
    live = office
    ticket = issue(live, "Putri Ayu")
    budi = live.session("budi", PASSWORD)
    for action in ("call-next", "recall", "recall", "pause"):  # every call given ([queue] max_calls = 3)
        budi.post(f"{live.url}/api/counters/1/{action}", json={}, timeout=5).raise_for_status()
    page = open_counter(browser, live, "budi", 1)
    expect(page.locator("#t-paused")).to_be_visible()
    expect(page.locator("#btn-skip")).to_be_enabled()
    page.keyboard.press("s")
    expect(page.locator("#notice")).to_have_text(
        f"{ticket['label']} dilewati; tidak ada pengunjung lain yang menunggu. Loket sedang istirahat: setelah"
        " Lanjut (I), Panggil berikutnya (N) memanggilnya lagi."
    )
    expect(page.locator("#btn-call-next")).to_be_disabled()
    page.keyboard.press("i")  # Lanjut, then N: the visitor is called again, as the notice said
    expect(page.locator("#btn-call-next")).to_be_enabled()
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(ticket["label"])
    page.context.close()


def test_a_counter_chosen_in_the_drop_down_leaves_the_letter_keys_to_the_page(browser, office):
    """helper-283: a counter chosen in the top bar's drop-down (a click on it, or its arrow keys) kept the cursor
    there, and N, which the hint then asked for ("Tekan N untuk memanggil…"), called nobody; an L typed there picked
    another counter. Its letters are the page's shortcuts; while serving they go into the answer. And signed in with
    no counter yet ("Pilih loket Anda."), the cursor was on nothing, the drop-down nine Tabs away: it is on it."""
    live = office
    live.add_user("eko", "officer")
    first, second = issue(live, "Putri Ayu"), issue(live, "Bagus Prasetyo")
    page = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID").new_page()
    sign_in(page, live, "/counter/", "eko", form=True)  # an officer holding no counter, through the login form
    expect(page.locator("#hint")).to_have_text("Pilih loket Anda.")
    expect(page.locator("#counter-select")).to_be_focused()
    # The waiting line said of every service "tidak dilayani loket ini" (not served here) before any
    # counter was chosen, its two visitors of A unseen: a newcomer read that nothing was theirs to serve
    services = page.locator("#line section.service p.muted")
    expect(services).to_have_text(["pilih loket Anda dulu"] * 3)
    page.keyboard.press("ArrowDown")  # the first counter, from the keyboard: Loket 1 (A, C)
    expect(page.locator("#counter-select")).to_have_value("1")
    expect(page.locator("#line section.service[data-service=B] p.muted")).to_have_text("tidak dilayani loket ini")
    expect(page.locator("#hint")).to_have_text("Tekan N untuk memanggil pengunjung berikutnya.")
    expect(page.locator("#counter-select")).to_be_focused()
    page.keyboard.press("l")  # no type-to-find: still Loket 1
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(first["label"])
    expect(page.locator("#counter-select")).to_have_value("1")
    expect(page.locator("#btn-recall")).to_be_enabled()
    page.focus("#counter-select")
    page.keyboard.press("r")
    expect(page.locator("#t-calls")).to_contain_text("panggilan 2 dari 3")
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    page.focus("#counter-select")  # serving: a letter is the answer's, never a button
    page.keyboard.type("ok")
    expect(page.locator("#solution")).to_have_value("ok")
    expect(page.locator("#counter-select")).to_have_value("1")
    assert live.ticket_when(second["token"], "waiting")["status"] == "waiting"
    page.context.close()
