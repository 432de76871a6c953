"""A call's flash on the TV (display.css .flash), as it is drawn: its two steps in the screenshot's pixels, and
what it costs Chromium.

The tile and the latest-calls row of a call blink black on yellow / yellow on navy, ten times in 5 s. Before, the
blink animated their `background-color` and `color`, which Chromium cannot hand to its compositor: Blink restyled
and repainted the tile and the row in every frame of the 5 s (about 60 a second on a TV PC drawing in software,
docs/performance.md "The TV's call flash, composited"). Now it animates `opacity` alone (two layers over the
tile's and the row's own yellow-on-navy), which the compositor switches without a paint, and the pixels of both
steps are the colours they were.
"""

from __future__ import annotations

import io
from collections import Counter

import pytest
import requests
from conftest import visitor, write_config
from live import LiveServer
from PIL import Image

YELLOW, BLACK, NAVY = (255, 212, 0), (0, 0, 0), (14, 33, 71)
# The flash's animations and their properties: every `flash` animation in the page (on an element or on one of its
# ::before / ::after), with what its keyframes change.
FLASH_ANIMATIONS = """() => document.getAnimations().filter((a) => a.animationName === 'flash').map((a) => ({
    on: a.effect.target.matches('.counter') ? 'tile' : a.effect.target.matches('#recent li') ? 'row' : 'other',
    pseudo: a.effect.pseudoElement || '',
    props: [...new Set(a.effect.getKeyframes().flatMap((k) => Object.keys(k)))]
        .filter((p) => !['offset', 'computedOffset', 'easing', 'composite'].includes(p)).sort(),
}))"""
# Every `flash` animation held at `ms` into its 5 s (a step of its first blink), once drawn. Held at the other step
# first: Chromium does not always draw a compositor's animation paused at the value the page last computed for it
# (the screenshot then had the step the compositor was at when paused).
HOLD = """async (ms) => {
    const flash = document.getAnimations().filter((a) => a.animationName === 'flash');
    for (const t of [ms + 250, ms]) {
        for (const a of flash) { a.pause(); a.currentTime = t; }
        await Promise.all(flash.map((a) => a.ready));
        await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    }
}"""


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    config = write_config(tmp_path_factory.mktemp("flash"), {"[tts]\nenabled = true": "[tts]\nenabled = false"})
    server = LiveServer(config).start()
    server.add_user("loket1", "officer")
    server.officer = server.session("loket1", "rahasia-123")
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


def test_a_call_blinks_its_tile_and_row_in_the_same_colours_without_repainting_them(browser, live):
    """The tile and the row of a call blink with `opacity` alone (the compositor's, no paint per frame), and each
    step is drawn as before: black on yellow, then yellow on navy (the number and the row's number, 7:1 at least),
    and the page settles yellow on navy when it ends. Before, the flash animated colours (a paint every frame)."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    try:
        page.goto(f"{live.url}/display/")
        page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)
        label = call(live)
        tile = '.counter[data-counter="1"]'
        page.locator(f"{tile}.flash").wait_for()
        page.wait_for_function(f"() => document.querySelector('{tile} .ticket-label').textContent === '{label}'")
        page.locator("#recent li.flash").first.wait_for()
        anims = page.evaluate(FLASH_ANIMATIONS)
        assert {a["on"] for a in anims} == {"tile", "row"}, anims
        assert all(a["props"] == ["opacity"] for a in anims), f"the flash animates more than opacity: {anims}"

        page.evaluate(HOLD, 100)  # the first step
        tile_bg, number = drawn(page, f"{tile} .ticket-label")
        row_bg, row_number = drawn(page, "#recent li.flash .label")
        assert near(tile_bg, YELLOW) and near(number, BLACK), (tile_bg, number)
        assert near(row_bg, YELLOW) and near(row_number, BLACK), (row_bg, row_number)
        assert contrast(tile_bg, number) >= 7 and contrast(row_bg, row_number) >= 7

        page.evaluate(HOLD, 350)  # the second step
        tile_bg, number = drawn(page, f"{tile} .ticket-label")
        row_bg, row_number = drawn(page, "#recent li.flash .label")
        assert near(tile_bg, NAVY) and near(number, YELLOW), (tile_bg, number)
        assert near(row_bg, NAVY) and near(row_number, YELLOW), (row_bg, row_number)
        assert contrast(tile_bg, number) >= 7 and contrast(row_bg, row_number) >= 7

        # It ends (the animations run out, the page's timer takes the class off): yellow on navy, settled.
        page.evaluate("() => document.getAnimations().forEach((a) => a.animationName === 'flash' && a.play())")
        page.wait_for_function("() => !document.querySelector('.counter.flash, #recent li.flash')", timeout=10_000)
        page.wait_for_function("() => !document.getAnimations().some((a) => a.animationName === 'flash')")
        tile_bg, number = drawn(page, f"{tile} .ticket-label")
        assert near(tile_bg, NAVY) and near(number, YELLOW), (tile_bg, number)
    finally:
        context.close()
        live.officer.post(f"{live.url}/api/counters/1/start", timeout=5)
        live.officer.post(
            f"{live.url}/api/counters/1/resolve",
            json={"solution": "Selesai dijelaskan", "category": "pertanyaan", "priority_class": "P3"},
            timeout=5,
        )
