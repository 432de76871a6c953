"""The called counter, read from the back of the waiting room: the counter's name on its tile is as legible from 6 m as
the number is (a real server, Chromium, a TV of three counters with the usual short names).

A visitor in the back row who did not catch the voice reads WHERE to go from the tile, so the counter's name matters
as much as the number. On a 43" TV at 1920x1080 (0.496 mm a CSS px) the number's letters were 5.5 cm tall but
"Loket 1" beside it 2.1 cm (57.6 px, held to the tile's width), read to about 4.3 m by the rule of thumb of signage
(a letter's height at least its reading distance / 200); 2.2 cm at 1280x720 on the same TV. Measured here in the
page: the capital letters' height of each name (the font's own glyphs, canvas measureText), in CSS px and in mm on
that TV, during the call's flash and minutes after it, the name whole and on one line, the number still at least
twice its size and the largest text of the tile.
"""

from __future__ import annotations

import math

import pytest
import requests
from conftest import visitor, write_config
from live import LiveServer
from pageclock import CALM_NUMBERS, install_clock, pause_clock
from shots import keep_shot
from staffpages import put_settings
from test_display_page import short_chime
from test_display_readability import SETTLED, caught_up, new_page, open_display, state

NAMES = {1: "Loket 1", 2: "Loket 10", 3: "Meja 3A"}  # the usual short names: one digit, two, a letter after
SIZES = [(1920, 1080), (1280, 720)]
# A 43" TV of 16:9 is 535 mm high: 0.496 mm a CSS px at 1080 px, 0.744 at 720 (the same TV, the same letters in mm).
TV_HEIGHT_MM = 43 * 25.4 * 9 / math.hypot(16, 9)
# The back row of a waiting room, 6 m from the TV; a letter is read from up to 200 times its height: 30 mm.
DISTANCE_MM = 6000
LETTER_MM = DISTANCE_MM / 200
DONE = {"solution": "Selesai dijelaskan", "category": "pertanyaan", "priority_class": "P3"}

# Each tile: its name's text, whether it is drawn whole on one line, the height of its capital letters (the font's own
# glyphs, in the font the page draws it in), and the font sizes of the number and of every other text on the tile.
NAMES_DRAWN = """() => [...document.querySelectorAll('.counter')].map((t) => {
  const name = t.querySelector('.counter-name'), label = t.querySelector('.ticket-label');
  const cs = getComputedStyle(name);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
  const caps = name.textContent.replace(/[^A-Z]/g, '');
  const lines = name.getClientRects().length === 1
    ? Math.round(name.getBoundingClientRect().height / parseFloat(cs.lineHeight)) : -1;
  const px = (e) => parseFloat(getComputedStyle(e).fontSize);
  return {
    id: Number(t.dataset.counter), text: name.textContent, px: px(name), lines,
    cut: name.scrollWidth > name.clientWidth + 0.5 || name.scrollHeight > name.clientHeight + 0.5,
    cap: ctx.measureText(caps).actualBoundingBoxAscent, flash: t.classList.contains('flash'),
    number: label.textContent, numberPx: px(label),
    texts: [...t.querySelectorAll('.counter-head *, .ticket-sub')]
      .filter((e) => e.getClientRects().length && e.textContent.trim() && e !== name).map(px),
  };
})"""


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    """The demo's three counters named "Loket 1", "Loket 10" and "Meja 3A", speech off (the chime alone, a tenth of a
    second), a visitor of each service for each test."""
    tmp = tmp_path_factory.mktemp("distance")
    replace = {"[tts]\nenabled = true": "[tts]\nenabled = false", **short_chime(tmp, 0.1)}
    replace.update({f'name = "Loket {i}"': f'name = "{name}"' for i, name in NAMES.items() if name != f"Loket {i}"})
    server = LiveServer(write_config(tmp, replace), numbers=CALM_NUMBERS).start()
    assert [c["name"] for c in state(server)["counters"]] == list(NAMES.values())
    for service in "ABC" * (len(SIZES) + 1):
        assert requests.post(f"{server.url}/api/tickets", json=visitor(service=service), timeout=5).status_code == 201
    server.add_user("kepala-jauh", "admin")
    server.admin = server.session("kepala-jauh", "rahasia-123")
    server.sessions = {}
    for i in NAMES:
        server.add_user(f"jauh{i}", "officer")
        server.sessions[i] = server.session(f"jauh{i}", "rahasia-123")
    yield server
    server.stop()


def act(server, counter_id: int, action: str, **payload) -> None:
    r = server.sessions[counter_id].post(f"{server.url}/api/counters/{counter_id}/{action}", json=payload, timeout=5)
    assert r.status_code == 200, (counter_id, action, r.text)


def call_all(server) -> None:
    """Each counter's ticket finished, then a call at each, within a second."""
    for i in NAMES:
        ticket = next(c["ticket"] for c in state(server)["counters"] if c["id"] == i)
        if ticket:
            if ticket["status"] == "called":
                act(server, i, "start")
            act(server, i, "resolve", **DONE)
    for i in NAMES:
        act(server, i, "call-next")


def assert_far_legible(page, size, when: str, names: dict[int, str] = NAMES) -> None:
    """Each counter's name at least LETTER_MM tall in its capitals on a 43" TV, whole, on one line; the number at least
    twice its size and larger than every other text of the tile."""
    mm = TV_HEIGHT_MM / size[1]  # a CSS px on the 43" TV
    tiles = page.evaluate(NAMES_DRAWN)
    assert sorted(t["id"] for t in tiles) == sorted(names), tiles
    for t in tiles:
        where = f"{size[0]}x{size[1]}, {when}, {names[t['id']]!r}"
        assert t["text"] == names[t["id"]] and not t["cut"] and t["lines"] == 1, f"{where}: not whole on a line {t}"
        assert t["number"] != "—", f"{where}: no ticket"
        tall = t["cap"] * mm
        assert tall >= LETTER_MM, (
            f'{where}: its letters {t["cap"]:.1f} px = {tall / 10:.2f} cm on a 43" TV (font {t["px"]:.1f} px), read to'
            f" {tall * 200 / 1000:.1f} m; {LETTER_MM / 10:.1f} cm ({LETTER_MM / mm:.1f} px) needed from"
            f" {DISTANCE_MM / 1000:.0f} m"
        )
        assert t["numberPx"] >= 2 * t["px"] - 0.5, f"{where}: number {t['numberPx']} px, name {t['px']} px"
        assert all(t["numberPx"] > px for px in t["texts"]), f"{where}: number {t['numberPx']} px, texts {t['texts']}"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_called_counters_name_is_legible_from_six_metres_during_the_call_and_minutes_after(browser, three, size):
    """A 43" TV in a waiting room, its back row 6 m away: a letter is read from about 200 times its height (the rule of
    thumb of signage, and of the visitor who did not catch the voice), so the counter's name on a called tile needs
    capitals of 30 mm, 60.5 CSS px at 1920x1080 (0.496 mm a px) and 40.3 px at 1280x720 (0.744 mm): a font of some
    83 and 55 px in DejaVu Sans Bold (capitals 0.729 of the font's size). "Loket 1", "Loket 10" and "Meja 3A" were
    57.6 and 38.4 px (capitals 42 and 29 px: 2.1 cm, read to 4.2 m), held to a twentieth of the tiles' width while the
    number had 0.13 of it. Measured while the three calls flash and three minutes later, the tiles as they stay."""
    page = new_page(browser, size)
    install_clock(page)
    open_display(page, three)
    pause_clock(page, 0.25)  # the flash ends only as the test moves the clock
    call_all(three)
    caught_up(page, three)
    page.wait_for_function("() => document.querySelectorAll('.counter.flash').length === 3", polling=50)
    page.evaluate("document.fonts.ready")
    assert all(t["flash"] for t in page.evaluate(NAMES_DRAWN))
    keep_shot(page, f"during-{size[0]}x{size[1]}.png")
    assert_far_legible(page, size, "during the flash")
    page.clock.fast_forward(180_000)
    page.wait_for_function(SETTLED, timeout=10_000, polling=50)
    keep_shot(page, f"after-{size[0]}x{size[1]}.png")
    assert_far_legible(page, size, "three minutes after")
    page.context.close()


LONG = "Loket Konsultasi Penyedia 12"
# The tiles of one TV: each name's size, its lines, whether it is cut, and each number's size.
TILE_SIZES = """() => [...document.querySelectorAll('.counter')].map((t) => {
  const name = t.querySelector('.counter-name'), cs = getComputedStyle(name);
  return {id: Number(t.dataset.counter), text: name.textContent, px: parseFloat(cs.fontSize),
          lines: Math.round(name.getBoundingClientRect().height / parseFloat(cs.lineHeight)),
          cut: name.scrollWidth > name.clientWidth + 0.5 || name.scrollHeight > name.clientHeight + 0.5,
          numberPx: parseFloat(getComputedStyle(t.querySelector('.ticket-label')).fontSize)};
})"""


def rename(server, names: dict[int, str]) -> None:
    counters = server.admin.get(f"{server.url}/api/admin/settings", timeout=5).json()["counters"]
    for c in counters:
        c["name"] = names[c["id"]]
    put_settings(server, server.admin, "counters", counters)


def test_a_long_counter_name_keeps_its_size_and_the_far_sizes_come_back_when_it_goes(browser, three):
    """The admin renames Loket 10 "Loket Konsultasi Penyedia 12" on TVs that stayed open (1920x1080, 1280x720): the
    long name takes two lines and cannot be read from 6 m on any layout, and the far layout's larger number left it a
    narrower column, where it was 44.8 and 29.8 px (2.2 units) where it had been 49.8 and 35.7 (2.5 and 2.7 units). The
    TV keeps the sizes of before on every tile, the numbers alike, the long name whole and at least 2.4 units; renamed
    back, the short names are read from 6 m again."""
    call_all(three)
    pages = {size: open_display(new_page(browser, size), three) for size in SIZES}
    long_names = {**NAMES, 2: LONG}
    rename(three, long_names)
    try:
        for size, page in pages.items():
            caught_up(page, three)
            page.wait_for_function(
                f"() => document.querySelector('.counter[data-counter=\"2\"] .counter-name').textContent === '{LONG}'",
                polling=50,
            )
            page.evaluate("document.fonts.ready")
            keep_shot(page, f"long-{size[0]}x{size[1]}.png")
            tiles = {t["id"]: t for t in page.evaluate(TILE_SIZES)}
            where = f"{size[0]}x{size[1]}, Loket 10 renamed {LONG!r}"
            assert len({t["numberPx"] for t in tiles.values()}) == 1, f"{where}: numbers unlike {tiles}"
            long = tiles[2]
            assert long["text"] == LONG and not long["cut"] and long["lines"] <= 3, f"{where}: {long}"
            unit = min(size) / 54
            assert long["px"] >= 2.4 * unit - 0.2, f"{where}: {long['px']} px, {long['px'] / unit:.2f} units"
            assert all(t["numberPx"] >= 2 * t["px"] - 0.5 for t in tiles.values()), f"{where}: {tiles}"
    finally:
        rename(three, NAMES)
    for size, page in pages.items():
        page.wait_for_function(
            "() => document.querySelector('.counter[data-counter=\"2\"] .counter-name').textContent === 'Loket 10'",
            polling=50,
        )
        assert_far_legible(page, size, "renamed back")
        page.context.close()
