"""A call's flash on the TV (display.css .flash), as it is drawn: its two steps in the screenshot's pixels, its
rhythm, and what it costs Chromium.

The tile and the latest-calls row of a call blink black on yellow / yellow on navy, ten times in 5 s. It was a CSS
animation (of `background-color` and `color`, then of two layers' `opacity`): a TV PC drawing in software ticked a
running animation at every frame, 60 a second for the 5 s, about 0.35 CPU-s per call (docs/performance.md "The TV's
call flash, stepped by a timer"). Now one timer of the page steps it (display.js stepFlash: `.lit`, the first
quarter second of each half-second blink): no animation runs, and the pixels of both steps are the colours they were.
The page's clock (Playwright's) is held and moved on a quarter second at a time, so each step is read as it is.
"""

from __future__ import annotations

import io
from collections import Counter

import pytest
import requests
from conftest import visitor, write_config
from live import LiveServer
from pageclock import pause_clock
from PIL import Image

YELLOW, BLACK, NAVY = (255, 212, 0), (0, 0, 0), (14, 33, 71)
TILE = '.counter[data-counter="1"]'
# The flash's step of the call's tile and of its row (the newest), and the animations running in the page.
STEPS = """() => {
    const step = (e) => !e || !e.classList.contains('flash') ? 'still' : e.classList.contains('lit') ? 'lit' : 'dark';
    return { tile: step(document.querySelector('.counter[data-counter="1"]')),
             row: step(document.querySelector('#recent li')),
             animations: document.getAnimations().filter((a) => a.playState === 'running').map((a) => a.animationName),
             timer: antrianDisplay.flashTimer !== null };
}"""


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    config = write_config(tmp_path_factory.mktemp("flash"), {"[tts]\nenabled = true": "[tts]\nenabled = false"})
    server = LiveServer(config).start()
    server.add_user("loket1", "officer")
    server.officer = server.session("loket1", "rahasia-123")
    server.add_user("rina", "frontoffice")
    server.front = server.session("rina", "rahasia-123")
    yield server
    server.stop()


def call(live) -> str:
    r = requests.post(f"{live.url}/api/tickets", json=visitor(service="A"), timeout=5)
    assert r.status_code == 201, r.text
    r = live.officer.post(f"{live.url}/api/counters/1/call-next", json={}, timeout=5)
    assert r.status_code == 200, r.text
    return r.json()["ticket"]["label"]


def luminance(c) -> float:
    lin = [v / 255 / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in c]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def drawn(page, selector: str) -> tuple[tuple, tuple]:
    """The background and the text colour of the element's box as the screenshot has them: its most common colour,
    and the most common of those far from it (the glyphs' solid middle, not their anti-aliased edges)."""
    box = page.locator(selector).bounding_box()
    shot = Image.open(io.BytesIO(page.screenshot(clip=box))).convert("RGB")
    counts = Counter(shot.get_flattened_data()).most_common()
    bg = counts[0][0]
    far = [c for c, _ in counts if sum(abs(x - y) for x, y in zip(c, bg, strict=True)) > 200]
    assert far, f"{selector}: no text drawn on {bg}"
    return bg, far[0]


def near(c, want) -> bool:
    return all(abs(x - y) <= 2 for x, y in zip(c, want, strict=True))


def free_counter(live) -> None:
    live.officer.post(f"{live.url}/api/counters/1/start", timeout=5)
    live.officer.post(
        f"{live.url}/api/counters/1/resolve",
        json={"solution": "Selesai dijelaskan", "category": "pertanyaan", "priority_class": "P3"},
        timeout=5,
    )


def open_held(browser, live):
    """The TV at 1920x1080 (reduced motion, as a TV PC drawing in software is set up), its clock held: the page's
    timers fire only as the test moves it on."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, reduced_motion="reduce")
    page = context.new_page()
    page.clock.install()
    page.goto(f"{live.url}/display/")
    page.wait_for_function(
        "() => window.antrianDisplay && antrianDisplay.state.synced && antrianDisplay.state.connected", polling=50
    )
    page.wait_for_function("() => !document.querySelector('.flash')", polling=50)
    pause_clock(page, 0.01)  # 10 ms on, however long a loaded machine takes to pass the command on
    return page


def test_a_call_blinks_its_tile_and_row_by_a_timer_in_the_same_colours(browser, live):
    """The tile and the row of a call blink together, ten half-second blinks (a quarter second black on yellow, a
    quarter second yellow on navy, the number and the row's number 7:1 at least), stepped by the page's timer with no
    animation running; then both settle yellow on navy and the timer is gone. Before, a CSS animation blinked them,
    which Chromium ticked at every frame of the 5 s."""
    page = open_held(browser, live)
    try:
        label = call(live)
        page.wait_for_function(
            f"() => document.querySelector('{TILE} .ticket-label').textContent === '{label}'", polling=50
        )
        page.wait_for_function("() => document.querySelector('#recent li.flash')", polling=50)
        assert page.locator("#recent li .label").first.text_content() == label

        # Its first step, held: black on yellow, the tile and the row.
        steps = [page.evaluate(STEPS)]
        assert steps[0] == {"tile": "lit", "row": "lit", "animations": [], "timer": True}, steps
        tile_bg, number = drawn(page, f"{TILE} .ticket-label")
        row_bg, row_number = drawn(page, "#recent li.flash .label")
        assert near(tile_bg, YELLOW) and near(number, BLACK), (tile_bg, number)
        assert near(row_bg, YELLOW) and near(row_number, BLACK), (row_bg, row_number)
        assert contrast(tile_bg, number) >= 7 and contrast(row_bg, row_number) >= 7

        # A quarter second on, its second step: yellow on navy.
        page.clock.run_for(250)
        steps.append(page.evaluate(STEPS))
        tile_bg, number = drawn(page, f"{TILE} .ticket-label")
        row_bg, row_number = drawn(page, "#recent li.flash .label")
        assert near(tile_bg, NAVY) and near(number, YELLOW), (tile_bg, number)
        assert near(row_bg, NAVY) and near(row_number, YELLOW), (row_bg, row_number)
        assert contrast(tile_bg, number) >= 7 and contrast(row_bg, row_number) >= 7

        # Every quarter second to the flash's end: ten blinks, the tile and the row in step, no animation running.
        for _ in range(18):
            page.clock.run_for(250)
            steps.append(page.evaluate(STEPS))
        assert [s["tile"] for s in steps] == ["lit", "dark"] * 10, steps
        assert [s["row"] for s in steps] == ["lit", "dark"] * 10, steps
        assert all(s["animations"] == [] and s["timer"] for s in steps), steps

        # 5 s after the call it ends: both settled yellow on navy, no timer left for it.
        page.clock.run_for(250)
        assert page.evaluate(STEPS) == {"tile": "still", "row": "still", "animations": [], "timer": False}
        tile_bg, number = drawn(page, f"{TILE} .ticket-label")
        assert near(tile_bg, NAVY) and near(number, YELLOW), (tile_bg, number)
        row_bg, row_number = drawn(page, "#recent li .label")
        assert near(row_number, YELLOW) and not near(row_bg, YELLOW), (row_bg, row_number)
    finally:
        page.context.close()
        free_counter(live)


def test_a_recall_during_the_flash_starts_its_flash_again_and_it_still_ends(browser, live):
    """A recall 2 s into a call's flash blinks the tile again from its first step, for a whole 5 s from the recall
    (its new row with it, the call's row still), and then nothing flashes and no timer is left."""
    page = open_held(browser, live)
    try:
        label = call(live)
        page.wait_for_function(
            f"() => document.querySelector('{TILE} .ticket-label').textContent === '{label}'", polling=50
        )
        page.clock.run_for(2100)  # the call's ninth step: black on yellow until 2250
        assert page.evaluate(STEPS)["tile"] == "lit"
        page.clock.run_for(200)  # 2300: yellow on navy
        assert page.evaluate(STEPS)["tile"] == "dark"
        before = page.locator("#recent li").first.get_attribute("data-seq")
        r = live.officer.post(f"{live.url}/api/counters/1/recall", json={}, timeout=5)
        assert r.status_code == 200, r.text
        page.wait_for_function(
            "(before) => document.querySelector('#recent li').dataset.seq !== before", arg=before, polling=50
        )
        at_recall = page.evaluate(STEPS)
        assert at_recall["tile"] == "lit" and at_recall["row"] == "lit", at_recall
        page.clock.run_for(4900)  # 2.7 s past the call's own end: the recall's flash goes on
        assert page.evaluate(STEPS)["tile"] == "dark"
        page.clock.run_for(200)
        assert page.evaluate(STEPS) == {"tile": "still", "row": "still", "animations": [], "timer": False}
    finally:
        page.context.close()
        free_counter(live)


def test_a_call_cancelled_during_its_flash_stops_blinking_at_once(browser, live):
    """The front office cancels a visitor 1 s into their call's flash: the tile, now "—", and the call's row (a call
    that calls nobody any more) stop blinking at once and stay still, the tile navy with its light dash, no timer
    left. Before, the tile blinked black on yellow around its dash for the rest of the 5 s, the row with it."""
    page = open_held(browser, live)
    try:
        label = call(live)
        page.wait_for_function(
            f"() => document.querySelector('{TILE} .ticket-label').textContent === '{label}'", polling=50
        )
        page.clock.run_for(1000)  # its fifth step: black on yellow
        assert page.evaluate(STEPS)["tile"] == "lit"
        r = live.front.post(f"{live.url}/api/tickets/{label}/cancel", json={}, timeout=5)
        assert r.status_code == 200, r.text
        page.wait_for_function(f"() => !document.querySelector('{TILE}').dataset.ticket", polling=50)
        assert page.locator(f"{TILE} .ticket-label").text_content() == "\u2014"
        assert page.evaluate(STEPS) == {"tile": "still", "row": "still", "animations": [], "timer": False}
        tile_bg, dash = drawn(page, f"{TILE} .ticket-label")
        assert near(tile_bg, NAVY) and not near(dash, BLACK), (tile_bg, dash)
        page.clock.run_for(1250)  # where the flash went on, black on yellow again: nothing
        assert page.evaluate(STEPS) == {"tile": "still", "row": "still", "animations": [], "timer": False}
        assert page.locator("#recent li .label").first.text_content() == label  # the call stays among the latest
    finally:
        page.context.close()
