"""An officer's day at the counter, on a real server in real Chromium: what the screens of it showed wrong."""

from __future__ import annotations

import pytest
import requests
from kioskui import LONGEST
from playwright.sync_api import expect
from staffpages import PASSWORD, empty_queue, sign_in, staffed

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
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.evaluate("document.fonts.ready")
        tall = page.evaluate(BOXES)
        assert tall["problemScrolls"]  # the longest problem: its box is full
        assert tall["problem"] >= 7.5 * tall["problemLine"], tall  # eight lines, not four
        assert tall["note"] >= 1.9 * laptop["note"], (laptop["note"], tall["note"])
        assert tall["solution"]["height"] >= 1.6 * laptop["solution"]["height"], (laptop["solution"], tall["solution"])
        assert not tall["pageScrolls"], tall
        controls_on_screen(page, "1920x1080")
        page.set_viewport_size({"width": 1366, "height": 768})
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
        expect(page.locator("#kept-texts")).to_be_visible()
        for size in ({"width": 1366, "height": 768}, {"width": 1920, "height": 1080}):
            page.set_viewport_size(size)
            boxes = page.evaluate(BOXES)
            solution, note = boxes["keptSolution"], boxes["keptNote"]
            assert note["left"] > solution["right"], (size, boxes)  # side by side
            assert abs(note["top"] - solution["top"]) < 1, (size, solution, note)
            assert abs(note["bottom"] - solution["bottom"]) < 1, (size, solution, note)
    finally:
        context.close()
