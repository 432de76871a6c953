"""The waiting-room TV marks a ticket's last chance: skipped and requeued as often as it may be ([queue]
max_requeues), its next skip makes it a no-show. Many visitors have no phone page open, so the TV says it on
the tile at every call of that ticket ("Kesempatan terakhir", then "Panggilan ke-2 (kesempatan terakhir)", in
the number's yellow) and in its row of the latest calls, from the public ticket's `last_chance`; the marker goes
once the visitor is served. Measured in Chromium with six and ten counters, landscape and on a TV on its side:
every tile whole and legible with the marker (the sizes of test_display_many_counters)."""

from __future__ import annotations

import pytest
import requests
from conftest import visitor, write_config
from live import LiveServer
from pageclock import pause_clock
from shots import keep_shot
from test_display_many_counters import LONG_NAMED, NAMES
from test_display_readability import (
    CUT_SIDEWAYS,
    SETTLED,
    TILE_TEXTS,
    caught_up,
    inside,
    new_page,
    open_display,
    overlap,
    state,
    tile,
)

SERVICE = {1: "A", 2: "A", 3: "B"}  # the demo's counters; 4-10 serve A, B and C
# Each counter's ticket: (skipped before: on its last chance, its calls now, then served).
SETUP = {
    1: (True, 1, False),
    2: (False, 3, False),
    3: (False, 1, False),
    4: (True, 2, False),
    5: (True, 3, False),
    6: (True, 2, True),  # served: no marker any more
    7: (False, 2, False),
    8: (True, 1, False),
    9: (False, 1, False),
    10: (True, 2, False),
}
COUNTS = {6: "?counters=1,2,3,4,5,6", 10: ""}
SIZES = [(1920, 1080), (1366, 768), (1080, 1920), (768, 1366)]
TEXT = {
    "id": {
        "nth": "Panggilan ke-{n}",
        "last": "Panggilan ke-{n} (terakhir)",
        "chance": "Kesempatan terakhir",
        "chance_nth": "Panggilan ke-{n} (kesempatan terakhir)",
    },
    "en": {
        "nth": "Call {n}",
        "last": "Call {n} (last)",
        "chance": "Last chance",
        "chance_nth": "Call {n} (last chance)",
    },
}
YELLOW = "rgb(255, 212, 0)"


def said(lang: str, ticket: dict | None, row: bool = False) -> str:
    """What a tile (a row of the latest calls) says under its number: a recall, and a called ticket's last chance
    (the tile that alone, the row with the recall's count)."""
    if not ticket or ticket["status"] != "called":
        return ""
    n, words = ticket["calls"], TEXT[lang]
    if ticket["last_chance"]:
        return words["chance"] if n < 2 or not row else words["chance_nth"].format(n=n)
    return "" if n < 2 else words["last" if n >= 3 else "nth"].format(n=n)


def act(server, counter_id: int, action: str) -> dict:
    r = server.sessions[counter_id].post(f"{server.url}/api/counters/{counter_id}/{action}", json={}, timeout=5)
    assert r.status_code == 200, (counter_id, action, r.text)
    return r.json()


def to_last_chance(server, counter_id: int) -> None:
    """The counter's only waiting ticket called three times, skipped (requeued: nobody else waits, so in its own
    place) and called again: its last chance."""
    act(server, counter_id, "call-next")
    for _ in range(2):
        act(server, counter_id, "recall")
    act(server, counter_id, "skip")
    act(server, counter_id, "call-next")
    ticket = next(c["ticket"] for c in state(server)["counters"] if c["id"] == counter_id)
    assert ticket["calls"] == 1 and ticket["last_chance"] is True, ticket


def start(tmp, names: dict[int, str], extra_counters=range(4, 11)) -> LiveServer:
    extra = "".join(
        f'\n[[counters]]\nid = {i}\nname = "{names[i]}"\nservices = ["A", "B", "C"]\n' for i in extra_counters
    )
    config = write_config(
        tmp,
        {
            "[tts]\nenabled = true": "[tts]\nenabled = false",
            "counter_release_minutes = 10": "counter_release_minutes = 1440",
            **{f'name = "Loket {i}"': f'name = "{names[i]}"' for i in (1, 2, 3)},
        },
        extra,
    )
    server = LiveServer(config).start()
    server.sessions = {}
    for counter_id in (1, 2, 3, *extra_counters):
        server.add_user(f"akhir{counter_id}", "officer")
        server.sessions[counter_id] = server.session(f"akhir{counter_id}", "rahasia-123")
    return server


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    """Ten counters (4, 5 and 8 with long names) in the states of SETUP, one ticket each, set up one at a time."""
    server = start(tmp_path_factory.mktemp("last-chance"), NAMES)
    for counter_id, (skipped, calls, served) in SETUP.items():
        service = SERVICE.get(counter_id, "ABC"[counter_id % 3])
        r = requests.post(f"{server.url}/api/tickets", json=visitor(service=service), timeout=5)
        assert r.status_code == 201, r.text
        if skipped:
            to_last_chance(server, counter_id)
        else:
            act(server, counter_id, "call-next")
        for _ in range(calls - 1):
            act(server, counter_id, "recall")
        if served:
            act(server, counter_id, "start")
    yield server
    server.stop()


def test_the_public_ticket_says_its_last_chance_and_nothing_of_its_visitor(marked):
    tickets = {c["id"]: c["ticket"] for c in state(marked)["counters"]}
    assert {i for i, t in tickets.items() if t["last_chance"]} == {i for i, s in SETUP.items() if s[0]}
    assert set(tickets[1]) == {
        "label",
        "service",
        "status",
        "calls",
        "counter_id",
        "counter_name",
        "priority",
        "day",
        "last_chance",
    }


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("size", SIZES, ids=["1080p", "1366x768", "portrait", "768x1366"])
def test_a_last_chance_is_marked_whole_and_legible_on_its_tile_and_its_row(browser, marked, size, lang):
    unit = min(size) / 54
    tickets = {c["id"]: c["ticket"] for c in state(marked)["counters"]}
    page = new_page(browser, size)
    for count, query in COUNTS.items():
        where = f"{size[0]}x{size[1]}, {count} counters, {lang}"
        open_display(page, marked, f"{query}{'&' if query else '?'}lang={lang}")
        caught_up(page, marked)
        page.wait_for_function(SETTLED, timeout=15_000, polling=50)
        page.evaluate("document.fonts.ready")
        assert page.evaluate(CUT_SIDEWAYS) == [], where
        tiles = page.evaluate(TILE_TEXTS)
        assert sorted(t["id"] for t in tiles) == list(range(1, count + 1)), where
        for t in tiles:
            at, ticket = f"{where}, Loket {t['id']}", tickets[t["id"]]
            parts = {p["part"]: p for p in t["parts"]}
            assert [p for p in t["parts"] if p["cut"]] == [], f"{at}: cut {t['parts']}"
            for p in t["parts"]:
                assert all(inside(r, t["box"]) for r in p["rects"]), f"{at}: {p['part']} past its tile"
            for i, a in enumerate(t["parts"]):
                for b in t["parts"][i + 1 :]:
                    assert max(overlap(r, q) for r in a["rects"] for q in b["rects"]) < 1, (
                        f"{at}: {a['part']}/{b['part']}"
                    )
            sizes = {p["part"]: p["px"] / unit for p in t["parts"]}
            assert sizes["name"] >= (1.2 if t["id"] in LONG_NAMED else 1.4) - 0.01, (at, sizes)
            assert all(sizes.get(part, 2) >= 1.2 - 0.01 for part in ("meta", "status", "sub")), (at, sizes)
            assert sizes["number"] >= (2.5 if t["id"] in LONG_NAMED else 3.5) - 0.01, (at, sizes)
            assert all(p is parts["number"] or parts["number"]["px"] >= 2 * p["px"] - 0.5 for p in t["parts"]), (
                at,
                sizes,
            )
            # the marker on its tile, whole (a last chance never gives way to the row: it is said on the tile)
            assert parts.get("sub", {}).get("text", "") == said(lang, ticket), (at, parts.get("sub"))
            marked_tile = page.locator(tile(t["id"]))
            last = bool(ticket["status"] == "called" and ticket["last_chance"])
            assert ("last-chance" in (marked_tile.get_attribute("class") or "")) == last, at
            if last:
                color = marked_tile.locator(".ticket-sub").evaluate("e => getComputedStyle(e).color")
                assert color == YELLOW, (at, color)
        rows = page.evaluate(
            """() => [...document.querySelectorAll('#recent li:not(.none)')].map((li) => ({
                label: li.querySelector('.label').textContent, nth: (li.querySelector('.nth') || {}).textContent || '',
                last: li.classList.contains('last-chance'),
                whole: li.getBoundingClientRect().bottom <= li.closest('.panel').getBoundingClientRect().bottom }))"""
        )
        # the last ten calls are of Loket 7-10 (the six counters' view shows none of them)
        assert all(r["whole"] for r in rows) and (count == 6 or any(r["last"] for r in rows)), (where, rows)
        by_label = {t["label"]: t for t in tickets.values()}
        for r in rows:
            ticket = by_label[r["label"]]
            assert r["last"] == (ticket["status"] == "called" and ticket["last_chance"]), (where, r)
            if r["last"]:
                assert r["nth"] == said(lang, ticket, row=True), (where, r)
        if size == (1080, 1920) and count == 10 and lang == "id":
            keep_shot(page, "last-chance-portrait.png")
        if size == (1366, 768) and count == 10 and lang == "id":
            keep_shot(page, "last-chance-1366.png")
    page.context.close()


# Every count of counters a TV may show, at the sizes where a marker on two lines ("Panggilan ke-3 / (terakhir)",
# "Kesempatan / terakhir") did not fit under the number of a tile of one column (four counters)
EVERY_COUNT = {3: "?counters=1,2,3", 4: "?counters=1,2,3,4", 6: COUNTS[6], 8: "?counters=1,2,3,4,5,6,7,8", 10: ""}
LOW_SIZES = [(1366, 768), (1280, 720), (1080, 1920), (768, 1366)]


def tiles_inside(page, where: str) -> dict[int, dict]:
    """Every text of every tile whole, inside its tile and over no other: the tiles' texts by counter."""
    tiles = page.evaluate(TILE_TEXTS)
    for t in tiles:
        at = f"{where}, Loket {t['id']}"
        assert [p for p in t["parts"] if p["cut"]] == [], f"{at}: cut {t['parts']}"
        for p in t["parts"]:
            assert all(inside(r, t["box"]) for r in p["rects"]), f"{at}: {p['part']} {p['rects']} past {t['box']}"
        for i, a in enumerate(t["parts"]):
            for b in t["parts"][i + 1 :]:
                assert max(overlap(r, q) for r in a["rects"] for q in b["rects"]) < 1, f"{at}: {a['part']}/{b['part']}"
    return {t["id"]: {p["part"]: p for p in t["parts"]} | {"layout": t["layout"]} for t in tiles}


def same_numbers(tiles: dict[int, dict], where: str) -> None:
    """One column of tiles (four counters or fewer): a tile with its marker has its number at the size of the others
    (a short name's: a long one may take the name over its number), not smaller for the marker, beside its name."""
    short = {i: t for i, t in tiles.items() if i not in LONG_NAMED}
    numbers = {i: round(t["number"]["px"], 1) for i, t in short.items()}
    assert max(numbers.values()) - min(numbers.values()) < 0.5, (where, numbers)
    assert all(t["layout"] == "side" for t in short.values()), (where, {i: t["layout"] for i, t in short.items()})


@pytest.mark.parametrize("size", LOW_SIZES, ids=["1366x768", "1280x720", "portrait", "768x1366"])
def test_a_marker_on_two_lines_stays_inside_a_low_tile_the_number_keeping_its_size(browser, marked, size):
    """Four counters in one column at 1366x768, 1280x720 and on a TV on its side: "Panggilan ke-3 (terakhir)" and
    "Kesempatan terakhir" on two lines under the number pushed it onto the tile's top edge and their second line
    past the bottom one (6 to 11 px); they go on one line under the number, into the name's column, the number at the
    size of the tiles without a marker. Every text inside its tile with 3, 4, 6, 8 and 10 counters."""
    tickets = {c["id"]: c["ticket"] for c in state(marked)["counters"]}
    page = new_page(browser, size)
    for count, query in EVERY_COUNT.items():
        where = f"{size[0]}x{size[1]}, {count} counters"
        open_display(page, marked, query)
        caught_up(page, marked)
        page.wait_for_function(SETTLED, timeout=15_000, polling=50)
        page.evaluate("document.fonts.ready")
        tiles = tiles_inside(page, where)
        assert {i: t.get("sub", {}).get("text", "") for i, t in tiles.items()} == {
            i: said("id", tickets[i]) for i in tiles
        }, where
        if count <= 4:
            same_numbers(tiles, where)
        if count == 4:
            keep_shot(page, f"low-tiles-{size[0]}x{size[1]}.png")
    page.context.close()


def test_a_recall_on_a_low_tile_stays_inside_it_during_its_flash_and_after(browser, marked):
    """Loket 7's third call, made while a TV at 1366x768 shows four counters (Loket 1-3 and 7): its "Panggilan ke-3
    (terakhir)" whole on its tile during the flash, once it is over and a few seconds on, every text inside its tile
    and the number at its size. Its ticket's last call: after the module's other tests of the marked counters."""
    page = new_page(browser, (1366, 768))
    page.clock.install()  # the flash's end (a timer of the page) is moved on, not waited for
    open_display(page, marked, "?counters=1,2,3,7")
    caught_up(page, marked)
    page.wait_for_function(SETTLED, timeout=15_000, polling=50)
    page.evaluate("document.fonts.ready")
    pause_clock(page, 0.25)  # from here the flash ends only as the test moves the clock
    assert tiles_inside(page, "before the recall")[7]["sub"]["text"] == "Panggilan ke-2"
    assert act(marked, 7, "recall")["ticket"]["calls"] == 3
    page.locator(f"{tile(7)}.flash").wait_for()
    caught_up(page, marked)
    for when in ("during the flash", "after the flash", "a few seconds on"):
        if when == "after the flash":
            page.clock.fast_forward(6000)
            page.wait_for_function(SETTLED, timeout=10_000, polling=50)
        elif when == "a few seconds on":
            page.clock.run_for(3000)
        tiles = tiles_inside(page, when)
        assert tiles[7]["sub"]["text"] == "Panggilan ke-3 (terakhir)", (when, tiles[7])
        same_numbers(tiles, when)
        keep_shot(page, f"low-tile-recall-{when.replace(' ', '-')}.png")
    page.context.close()


@pytest.fixture()
def three(tmp_path_factory):
    server = start(tmp_path_factory.mktemp("last-chance-live"), {1: "Loket 1", 2: "Loket 2", 3: "Loket 3"}, ())
    yield server
    server.stop()


def test_the_marker_comes_with_the_call_after_a_skip_and_goes_when_the_visitor_is_served(browser, three):
    page = new_page(browser, (1920, 1080))
    open_display(page, three)
    sub = page.locator(f"{tile(1)} .ticket-sub")
    first_row = page.locator("#recent li").first

    def shows(text: str, last: bool) -> None:
        caught_up(page, three)
        page.wait_for_function(
            f"""() => document.querySelector('{tile(1)} .ticket-sub').textContent === {text!r}
                && document.querySelector('{tile(1)}').classList.contains('last-chance') === {str(last).lower()}""",
            polling=50,
        )

    requests.post(f"{three.url}/api/tickets", json=visitor(service="A"), timeout=5).raise_for_status()
    act(three, 1, "call-next")
    shows("", False)
    act(three, 1, "recall")
    act(three, 1, "recall")
    shows("Panggilan ke-3 (terakhir)", False)  # its first three calls: no last chance yet
    assert set((first_row.get_attribute("class") or "").split()) <= {"flash", "lit"}  # its flash's steps only
    act(three, 1, "skip")
    act(three, 1, "call-next")  # called again after the skip: one more skip is a no-show
    shows("Kesempatan terakhir", True)
    page.wait_for_function(
        "() => { const li = document.querySelector('#recent li');"
        " return li.classList.contains('last-chance') && li.querySelector('.nth').textContent === 'Kesempatan terakhir'; }",
        polling=50,
    )
    act(three, 1, "recall")
    shows("Kesempatan terakhir", True)
    page.wait_for_function(
        "() => document.querySelector('#recent li .nth').textContent === 'Panggilan ke-2 (kesempatan terakhir)'",
        polling=50,
    )
    # a TV opened now takes it from the snapshot
    page.reload()
    page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)
    shows("Kesempatan terakhir", True)
    act(three, 1, "start")  # the visitor came: served, the marker goes from the tile and the row
    shows("", False)
    page.wait_for_function(
        "() => { const li = document.querySelector('#recent li');"
        " return !li.classList.contains('last-chance') && !li.querySelector('.nth'); }",  # no call to count either
        polling=50,
    )
    assert page.locator(f"{tile(1)} .counter-status").text_content() == "Dilayani"
    assert sub.is_hidden()
    page.context.close()
