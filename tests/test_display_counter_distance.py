"""The called counter, read from the back of the waiting room: the counter's name on its tile is as legible from 6 m as
the number is (a real server, Chromium, a TV of three counters with the usual short names).

A visitor in the back row who did not catch the voice reads WHERE to go from the tile, so the counter's name matters
as much as the number. On a 43" TV at 1920x1080 (0.496 mm a CSS px) the number's letters were 5.5 cm tall but
"Loket 1" beside it 2.1 cm (57.6 px, held to the tile's width), read to about 4.3 m by the rule of thumb of signage
(a letter's height at least its reading distance / 200); 2.2 cm at 1280x720 on the same TV. Measured here in the
page: the capital letters' height of each name (the font's own glyphs, canvas measureText), in CSS px and in mm on
that TV, during the call's flash and minutes after it, the name whole and on one line, the number still at least
twice its size and the largest text of the tile.

Four counters (the common helpdesk) had their names at 45.6 px at 1920x1080 and 30.4 px at 1280x720 (1.6 cm, read to
3.4 m) in tiles a quarter of the height: now read from 5 m at least (capitals of 2.5 cm) at 1920x1080, 1366x768,
1280x720, 1920x1200 and 1280x800, live: during the calls' flash, a recall's, a minute on, a counter on a break, after a
reconnect. And a counter on a break with no visitor ("ISTIRAHAT") no longer takes the far sizes from the other tiles.

A TV on its side (1080x1920, 768x1366) and an old 4:3 monitor (1024x768) kept the sizes of before, held to a twentieth
of the width (54 px, 1.9 cm at 1080x1920; 28 px, 7 mm on a 17" monitor): now as large as their tiles allow, through
the same morning and a standing announcement. The latest calls' short names on one line (at 1920x1200 "→ Meja 3A"
broke in two).
"""

from __future__ import annotations

import math
from itertools import combinations

import pytest
import requests
from conftest import visitor, write_config
from live import LiveServer
from pageclock import CALM_NUMBERS, install_clock, pause_clock
from shots import keep_shot
from staffpages import put_settings
from test_display_last_chance import said
from test_display_page import short_chime
from test_display_readability import SETTLED, TILE_TEXTS, caught_up, inside, new_page, open_display, overlap, state

NAMES = {1: "Loket 1", 2: "Loket 10", 3: "Meja 3A"}  # the usual short names: one digit, two, a letter after
FOUR = {**NAMES, 4: "Loket 4"}  # the server's counters; the TVs of three show 1-3 (?counters=1,2,3)
THREE = "?counters=1,2,3"
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
    """The demo's three counters named "Loket 1", "Loket 10" and "Meja 3A", and a fourth, "Loket 4" (serving every
    service), speech off (the chime alone, a tenth of a second), visitors of each service for every test."""
    tmp = tmp_path_factory.mktemp("distance")
    replace = {"[tts]\nenabled = true": "[tts]\nenabled = false", **short_chime(tmp, 0.1)}
    replace.update({f'name = "Loket {i}"': f'name = "{name}"' for i, name in NAMES.items() if name != f"Loket {i}"})
    extra = '\n[[counters]]\nid = 4\nname = "Loket 4"\nservices = ["A", "B", "C"]\n'
    server = LiveServer(write_config(tmp, replace, extra), numbers=CALM_NUMBERS).start()
    assert [c["name"] for c in state(server)["counters"]] == list(FOUR.values())
    for service in "ABC" * 8:
        assert requests.post(f"{server.url}/api/tickets", json=visitor(service=service), timeout=5).status_code == 201
    server.add_user("kepala-jauh", "admin")
    server.admin = server.session("kepala-jauh", "rahasia-123")
    server.sessions = {}
    for i in FOUR:
        server.add_user(f"jauh{i}", "officer")
        server.sessions[i] = server.session(f"jauh{i}", "rahasia-123")
    yield server
    server.stop()


def act(server, counter_id: int, action: str, **payload) -> None:
    r = server.sessions[counter_id].post(f"{server.url}/api/counters/{counter_id}/{action}", json=payload, timeout=5)
    assert r.status_code == 200, (counter_id, action, r.text)


def finish(server, counters=FOUR) -> None:
    """Each counter back from a break, its ticket finished."""
    for c in state(server)["counters"]:
        if c["id"] not in counters:
            continue
        if c.get("paused"):
            act(server, c["id"], "resume")
        if c["ticket"]:
            if c["ticket"]["status"] == "called":
                act(server, c["id"], "start")
            act(server, c["id"], "resolve", **DONE)


def call_all(server) -> None:
    """Each counter's ticket finished, then a call at each of the three, within a second."""
    finish(server)
    for i in NAMES:
        act(server, i, "call-next")


def mm_per_px(size) -> float:
    """A CSS px of a 43" screen of this shape (16:9: 0.496 mm at 1080 px, 0.744 at 720; 16:10: 0.482 at 1200)."""
    w, h = size
    return 43 * 25.4 * h / math.hypot(w, h) / h


def assert_far_legible(
    page, size, when: str, names: dict[int, str] = NAMES, letter_mm: float = LETTER_MM, idle=(), mm: float = 0
) -> None:
    """Each counter's name at least `letter_mm` tall in its capitals on a 43" TV (`mm` a CSS px of another screen),
    whole, on one line; the number at least twice its size and larger than every other text of the tile (a counter of
    `idle`: no ticket, "—" or on a break, its name alike)."""
    screen = "on its monitor" if mm else 'on a 43" TV'
    mm = mm or mm_per_px(size)  # a CSS px on the 43" TV
    tiles = page.evaluate(NAMES_DRAWN)
    assert sorted(t["id"] for t in tiles) == sorted(names), tiles
    for t in tiles:
        where = f"{size[0]}x{size[1]}, {when}, {names[t['id']]!r}"
        assert t["text"] == names[t["id"]] and not t["cut"] and t["lines"] == 1, f"{where}: not whole on a line {t}"
        tall = t["cap"] * mm
        assert tall >= letter_mm, (
            f"{where}: its letters {t['cap']:.1f} px = {tall / 10:.2f} cm {screen} (font {t['px']:.1f} px), read to"
            f" {tall * 200 / 1000:.1f} m; {letter_mm / 10:.1f} cm ({letter_mm / mm:.1f} px) needed from"
            f" {letter_mm * 200 / 1000:.1f} m"
        )
        if t["id"] in idle:
            continue
        assert t["number"] != "—", f"{where}: no ticket"
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
    open_display(page, three, THREE)
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
    # Meja 3A's visitor done, its officer on a break: its tile reads ISTIRAHAT, no number, and the other names stay as
    # large (before, that "ISTIRAHAT", smaller than twice a name, took the far sizes from every tile: 2.1 cm).
    finish(three, (3,))
    act(three, 3, "pause")
    caught_up(page, three)
    page.wait_for_function(
        "() => document.querySelector('.counter[data-counter=\"3\"]').matches('.paused.idle')", polling=50
    )
    keep_shot(page, f"break-{size[0]}x{size[1]}.png")
    assert_far_legible(page, size, "Meja 3A on a break", idle=(3,))
    act(three, 3, "resume")
    page.context.close()


LONG = "Loket Konsultasi Penyedia 12"
LONG_SIZES = [*SIZES, (1080, 1920), (1024, 768)]
# The long name's least size in units (the short side / 54) on a TV of three and of four: as large as it was before the
# far sizes (four counters' tiles are lower: 36.7 px at 1920x1080; on its side 46.7 and 34.1 px, on the monitor 28.2 and
# 24.4 px).
LONG_LEAST = {(1920, 1080): (2.4, 1.8), (1280, 720): (2.4, 1.8), (1080, 1920): (2.3, 1.7), (1024, 768): (1.95, 1.7)}
# The tiles of one TV: each name's size, its lines, whether it is cut, and each number's size.
TILE_SIZES = """() => [...document.querySelectorAll('.counter')].map((t) => {
  const name = t.querySelector('.counter-name'), cs = getComputedStyle(name);
  return {id: Number(t.dataset.counter), text: name.textContent, px: parseFloat(cs.fontSize),
          lines: Math.round(name.getBoundingClientRect().height / parseFloat(cs.lineHeight)),
          cut: name.scrollWidth > name.clientWidth + 0.5 || name.scrollHeight > name.clientHeight + 0.5,
          numberPx: parseFloat(getComputedStyle(t.querySelector('.ticket-label')).fontSize),
          idle: t.classList.contains('idle')};
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
    TV keeps the sizes of before on every tile, the numbers alike, the long name whole and at least 2.4 units (1.8 on a
    TV of four counters, as before); renamed back, the short names are read from 6 m again (5 m with four)."""
    call_all(three)
    # a TV of three and one of four at each size
    # and on its side and on the 4:3 monitor, which take the far sizes too (SIDE_AND_SQUARE)
    pages = {(size, q): open_display(new_page(browser, size), three, q) for size in LONG_SIZES for q in (THREE, "")}
    long_names = {**FOUR, 2: LONG}
    rename(three, long_names)
    try:
        for (size, query), page in pages.items():
            caught_up(page, three)
            page.wait_for_function(
                f"() => document.querySelector('.counter[data-counter=\"2\"] .counter-name').textContent === '{LONG}'",
                polling=50,
            )
            page.evaluate("document.fonts.ready")
            keep_shot(page, f"long-{size[0]}x{size[1]}{'-four' if not query else ''}.png")
            tiles = {t["id"]: t for t in page.evaluate(TILE_SIZES)}
            where = f"{size[0]}x{size[1]}{query}, Loket 10 renamed {LONG!r}"
            # (an idle tile's "—": on its side the numbers are made smaller to fit their column, the dash is not)
            numbers = {t["numberPx"] for t in tiles.values() if not t["idle"]}
            assert len(numbers) == 1, f"{where}: numbers unlike {tiles}"
            long = tiles[2]
            assert long["text"] == LONG and not long["cut"] and long["lines"] <= 3, f"{where}: {long}"
            unit = min(size) / 54
            least = LONG_LEAST[size][0 if query else 1]
            assert long["px"] >= least * unit - 0.2, f"{where}: {long['px']} px, {long['px'] / unit:.2f} units"
            assert "far" not in page.evaluate("document.querySelector('.counters').dataset"), f"{where}: far sizes"
            assert all(t["numberPx"] >= 2 * t["px"] - 0.5 for t in tiles.values()), f"{where}: {tiles}"
    finally:
        rename(three, FOUR)
    for (size, query), page in pages.items():
        page.wait_for_function(
            "() => document.querySelector('.counter[data-counter=\"2\"] .counter-name').textContent === 'Loket 10'",
            polling=50,
        )
        side_or_square = SIDE_AND_SQUARE.get(f"{size[0]}x{size[1]}-{3 if query else 4}")
        if side_or_square:
            _, _, names, letter_mm, _, mm = side_or_square
            assert_far_legible(page, size, "renamed back", names, letter_mm, idle=() if query else (4,), mm=mm)
        elif query:
            assert_far_legible(page, size, "renamed back")
        else:
            assert_far_legible(page, size, "renamed back", FOUR, FOUR_LETTER_MM, idle=(4,))
        page.context.close()


FOUR_SIZES = [(1920, 1080), (1366, 768), (1280, 720), (1920, 1200), (1280, 800)]
# Four counters: capitals of 2.5 cm at least (read from 5 m), as large as their tiles, a quarter of the height, allow.
FOUR_LETTER_MM = 25


def assert_four_whole(
    page, server, size, when: str, letter_mm: float = FOUR_LETTER_MM, names: dict[int, str] = FOUR, mm: float = 0
) -> None:
    """Every tile of four (of `names`): its texts whole (nothing cut, past its tile or over another text), none under
    24 px, the number at least twice each of them; a recall's marker on its tile (a service may give way: its letter
    and the waiting counts say it); each name read from 5 m on a 43" TV (`letter_mm` tall, `mm` a CSS px); the latest
    calls' counters on one line each (names of a few letters)."""
    counters = {c["id"]: c for c in state(server)["counters"] if c["id"] in names}
    tiles = page.evaluate(TILE_TEXTS)
    assert sorted(t["id"] for t in tiles) == sorted(names), tiles
    for tile in tiles:
        where = f"{size[0]}x{size[1]}, {when}, {names[tile['id']]!r}"
        parts = {p["part"]: p for p in tile["parts"]}
        assert tile["layout"] == "side" and [p for p in tile["parts"] if p["cut"]] == [], f"{where}: {tile}"
        for p in tile["parts"]:
            assert p["px"] >= 24 - 0.05, f"{where}: {p['part']} {p['text']!r} at {p['px']} px"
            for rect in p["rects"]:
                assert inside(rect, tile["box"]), f"{where}: {p['part']} {rect} past the tile {tile['box']}"
        for a, b in combinations(tile["parts"], 2):
            drawn = max(overlap(r, q) for r in a["rects"] for q in b["rects"])
            assert drawn < 1, f"{where}: {a['part']} drawn over {b['part']}"
        ticket = counters[tile["id"]]["ticket"]
        if ticket:
            assert parts["number"]["text"] == ticket["label"], where
            texts = [p["px"] for p in tile["parts"] if p["part"] != "number"]
            assert all(parts["number"]["px"] >= 2 * px - 0.5 for px in texts), f"{where}: {tile['parts']}"
            assert parts.get("sub", {}).get("text", "") == said("id", ticket), f"{where}: its recall's marker"
    idle = tuple(i for i, c in counters.items() if not c["ticket"])
    assert_far_legible(page, size, when, names, letter_mm, idle, mm)
    assert_recent_on_a_line(page, size, when)


# Each row of the latest calls: its counter's text, its font size and the lines it takes.
RECENT_TO = """() => [...document.querySelectorAll('.recent li .to')].map((to) => {
  const px = parseFloat(getComputedStyle(to).fontSize);
  return {text: to.textContent, px, lines: Math.round(to.getBoundingClientRect().height / (px * 1.2)),
          cut: to.scrollWidth > to.clientWidth + 0.5 || to.scrollHeight > to.clientHeight + 0.5};
})"""


def assert_recent_on_a_line(page, size, when: str) -> None:
    """The latest calls' counters, short names ("→ Meja 3A"), each whole on one line: at 1920x1200 the newest row's
    "→ Meja 3A" (56.7 px, 323 px wide in a column of 268) broke into "→ Meja" over "3A", by the recall's marker."""
    rows = page.evaluate(RECENT_TO)
    assert rows, f"{size[0]}x{size[1]}, {when}: no latest calls"
    for row in rows:
        assert row["lines"] == 1 and not row["cut"], f"{size[0]}x{size[1]}, {when}: latest calls' {row}"
        assert row["px"] >= min(size) / 54 * 1.6 - 0.2, f"{size[0]}x{size[1]}, {when}: latest calls' {row}"


def test_four_counters_names_are_read_from_five_metres_through_calls_recalls_a_break_and_a_reconnect(browser, three):
    """Four counters, the common LPSE helpdesk: the names were 45.6 px at 1920x1080 and 30.4 px at 1280x720 (capitals
    of 1.6 cm on a 43" TV, read to 3.4 m), their tiles "too low for a name, its service and its status". Now the tiles
    lie closer, the service gives way where it does not fit, and the number takes the tile's height less a marker's
    line: the names' capitals 2.5 cm and more at every landscape size, one TV of each open through a morning: three
    calls' flash (Loket 4 idle, "—"), a recall and a last call flashing, a minute on, Loket 4 on a break, and a recall
    made while the TVs were away, seen after their reconnect. The latest calls' counters on one line each (at 1920x1200
    the newest row's "→ Meja 3A" broke into "→ Meja" over "3A")."""
    morning(browser, three, {f"{w}x{h}": ((w, h), "", FOUR, FOUR_LETTER_MM, 20, 0) for w, h in FOUR_SIZES})


# A 17" monitor of 4:3 at 1024x768 (an old office PC's, used as the TV): 0.337 mm a CSS px.
MONITOR_MM = 17 * 25.4 / math.hypot(1024, 768)
ONE = {1: NAMES[1]}
# A TV on its side (43": 0.496 mm a px at 1080x1920, 0.697 at 768x1366) and the 4:3 monitor, with one, three and four
# counters: (size, query, names, capitals in mm, the same under a standing announcement, mm a px: 0 for a 43" TV).
SIDE_AND_SQUARE = {
    f"{w}x{h}-{len(names)}": ((w, h), query, names, letter, announced, mm)
    for w, h, mm, far, four, announced in [
        (1080, 1920, 0, 28, 23, (20, 17)),
        (768, 1366, 0, 28, 21, (20, 17)),
        (1024, 768, MONITOR_MM, 10, 10, (9.5, 9.5)),
    ]
    for query, names, letter, announced in [
        ("?counters=1", ONE, far, announced[0]),
        (THREE, NAMES, far, announced[0]),
        ("", FOUR, four, announced[1]),
    ]
    if len(names) > 1 or w == 1080  # one counter: as wide as three, its tile higher (on its side at 1080 px only)
}


# The TVs whose latest calls list every call still waiting at its counter, through the morning (not under a standing
# announcement, whose seven lines leave the panel room for two): three counters on a TV on its side at 1080x1920. Before, a recall's "Panggilan ke-2" at 43 px under two rows left the third call, still
# waiting for its visitor, 3 px short of the panel (at 1.2 units, 24 px, they leave it room): not listed, and its
# counter's service (its tile leaving it out beside the larger number) said nowhere but by its letter.
LISTED_ALL = {"1080x1920-3"}
# The calls a TV shows at its counters that are still waiting there (called, the visitor not come), and the latest
# calls' rows, each with whether it is whole in its panel.
WAITING_ROWS = """() => {
  const waiting = [...document.querySelectorAll('.counter')].map((t) => +t.dataset.counter)
    .map((id) => antrianDisplay.state.counters.find((c) => c.id === id))
    .filter((c) => c && c.ticket && c.ticket.status === 'called').map((c) => c.ticket.label);
  const panel = document.getElementById('recent').parentElement.getBoundingClientRect();
  const rows = [...document.querySelectorAll('#recent li:not(.none)')].map((li) => ({
    label: li.querySelector('.label').textContent, whole: li.getBoundingClientRect().bottom <= panel.bottom + 0.5 }));
  return { waiting, rows };
}"""


def assert_waiting_listed(page, server, where: str) -> None:
    """Every call still waiting at a counter of the TV has its row, whole, in the latest calls."""
    m = page.evaluate(WAITING_ROWS)
    listed = {r["label"] for r in m["rows"] if r["whole"]}
    missing = [label for label in m["waiting"] if label not in listed]
    assert not missing, f"{where}: {missing} still waiting at their counters, not in the latest calls {m['rows']}"


def test_on_its_side_and_on_a_4_3_monitor_the_names_read_as_far_as_their_tiles_allow(browser, three):
    """A 43" TV hung on its side in a corridor (1080x1920, and a 1366x768 one: 768x1366) drew "Loket 1" at 54 and 38.4 px
    with one to three counters (capitals 1.9 cm, read to 3.9 m) and 39.4 and 32.4 px with four (1.4 and 1.6 cm), held
    to a twentieth of the screen's width while the tile had the room; an old office monitor of 4:3 used as the TV (17",
    1024x768) drew them at 28 px (capitals 7 mm, read to 1.4 m). Now the far sizes of the landscape TV there too: 81
    and 58 px on its side (2.9 cm, read from 5.9 m), 66 and 44 px with four (2.4 and 2.2 cm, 4.5 m), 42 px on the
    monitor (1 cm, 2 m), the service giving way where it does not fit (on its side it is said under its row in the
    latest calls). Through the same morning as the landscape TVs, a standing announcement too."""
    morning(browser, three, SIDE_AND_SQUARE)


def morning(browser, server, tvs: dict) -> None:
    """TVs (name: (size, query, names, capitals in mm, the same under an announcement, mm a px or 0)) open through a
    morning, each tile whole and its name read from as far as asked (assert_four_whole)."""
    finish(server)
    pages = {}
    for key, (size, query, *_) in tvs.items():
        page = new_page(browser, size)
        install_clock(page)
        pages[key] = open_display(page, server, query)
        pause_clock(page, 0.25)  # the flash ends only as the test moves the clock

    def look(when: str, ready, shot: str, announced: bool = False) -> None:
        for key, page in pages.items():
            size, _, names, letter_mm, under, mm = tvs[key]
            caught_up(page, server)
            page.wait_for_function(ready(names), polling=50)
            keep_shot(page, f"{shot}-{key}.png")
            assert_four_whole(page, server, size, when, under if announced else letter_mm, names, mm)
            if key in LISTED_ALL and not announced:
                assert_waiting_listed(page, server, f"{key}, {when}")

    def flashing(*ids):
        """The page's check that those of `ids` it shows flash (none shown: at once)."""

        def ready(names) -> str:
            shown = [i for i in ids if i in names]
            tiles = ", ".join(f'.counter[data-counter="{i}"].flash' for i in shown)
            return f"() => document.querySelectorAll('{tiles}').length === {len(shown)}" if shown else "() => true"

        return ready

    for i in NAMES:
        act(server, i, "call-next")
    look("during the calls' flash", flashing(1, 2, 3), "flash")
    act(server, 2, "recall")
    act(server, 3, "recall")
    act(server, 3, "recall")
    last = "document.querySelector('.counter[data-counter=\"3\"] .ticket-sub').textContent.includes('(terakhir)')"
    look(
        "during a recall's flash",
        lambda names: f"() => ({flashing(2, 3)(names)})() && {last if 3 in names else 'true'}",
        "recall",
    )
    for page in pages.values():
        page.clock.fast_forward(60_000)
    look("a minute on", lambda names: SETTLED, "after")
    act(server, 4, "pause")
    on_break = "() => document.querySelector('.counter[data-counter=\"4\"].paused.idle')"
    look("Loket 4 on a break", lambda names: on_break if 4 in names else "() => true", "break")
    for page in pages.values():
        page.evaluate("antrianDisplay.socket.disconnect()")
    act(server, 1, "recall")  # made while the TVs were away
    for page in pages.values():
        page.evaluate("antrianDisplay.socket.connect()")
    marker = "() => document.querySelector('.counter[data-counter=\"1\"] .ticket-sub').textContent"
    look("after a reconnect", lambda names: marker, "back")
    # An announcement of 300 characters standing still (these TVs in reduced motion) on four lines of the running text
    # (seven on a TV on its side): the tiles, lower, are fitted again from their new height (display.js --far-h),
    # whole, their names smaller but read from 4 m at least on a landscape TV (before, 3.4 m without it), and as large
    # as before once it is gone.
    for page in pages.values():
        page.clock.resume()  # the TV asks for the snapshot that brings the announcement on a timer
    told = ("SPSE sedang gangguan nasional sejak 09.00 WIB; laporan tetap kami terima dan ditindaklanjuti. " * 4)[:300]
    r = server.admin.put(f"{server.url}/api/announcement", json={"text": told}, headers={"X-Lang": "id"}, timeout=5)
    assert r.status_code == 200, r.text
    try:
        announcing = "() => document.body.classList.contains('announcing')"
        look("under an announcement", lambda names: announcing, "announcement", announced=True)
    finally:
        r = server.admin.put(f"{server.url}/api/announcement", json={"text": ""}, headers={"X-Lang": "id"}, timeout=5)
        assert r.status_code == 200, r.text
    look("the announcement gone", lambda names: "() => !document.body.classList.contains('announcing')", "unannounced")
    for page in pages.values():
        page.context.close()
    finish(server)
