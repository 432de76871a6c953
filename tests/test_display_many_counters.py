"""The waiting-room TV with six, eight and ten counters, several of them on a recall at once, one on a break
holding its ticket and one on a break with none, three with long names ("Loket 5 – Registrasi & Verifikasi
Akun"), measured in Chromium at 1920x1080, 1366x768, on an old 1024x768 monitor and on a TV on its side (1080x1920,
and a cheap upright monitor at 768x1366), in Indonesian and English, after the calls settle and during a recall's
flash and after it:

- every text of every tile is whole (none wider or taller than its box, none past its tile, none drawn over
  another) and the number is at least twice the size of any other text on its tile;
- no text is under the smallest size legible across the room, the sizes of test_display_readability (a unit:
  the screen's short side / 54, 20 px at 1080): a counter's name 1.4 units (1.2 for a long one), a service, a
  status, a recall's "Panggilan ke-2" and "On break" 1.2, a number 3.5 (2.5 under a long name), "ISTIRAHAT" 2;
- a recall says so on its tile, under its number or beside it ("Panggilan ke-3 (terakhir)"), on a TV
  (1920x1080, 1366x768, and on its side) whatever the number of counters and the length of the name. On the 4:3
  monitor a long-named tile with no room for it leaves it to its row in the latest calls, which keeps that row first;
- the tiles are in two columns, each with its name over its number (on its side too: five rows of tiles for ten
  counters, the panels under them);
- the latest calls fill their panel with whole rows: a row that does not fit leaves its room to an older,
  shorter one, not to nothing; the waiting counts are whole in theirs, above the running text, which is no
  smaller than 1.2 units and inside its band.

And with one to six counters, at the sizes above but 1920x1080 and at 1280x720: every waiting count ("A 1 person",
"B 10 people", "C 100 people", "orang") whole in its panel, every text 24 px or more, whole, over no other.
"""

from __future__ import annotations

import pytest
import requests
from conftest import visitor, write_config
from live import LiveServer
from pageclock import PING_NUMBERS, install_clock, pause_clock, run_clock_for
from shots import keep_shot
from test_display_readability import (
    ADDRESS_REAL,
    CUT_SIDEWAYS,
    MARKERS_SAID,
    MIN_CONTRAST,
    OFFICE_REAL,
    READABLE_PX,
    SERVICE_60,
    SETTLED,
    TILE_TEXTS,
    assert_readable,
    caught_up,
    inside,
    new_page,
    open_display,
    overlap,
    state,
    tile,
)

LONG = "Registrasi & Verifikasi Akun"
LONG_NAMED = (4, 5, 8)
NAMES = {i: f"Loket {i} – {LONG}" if i in LONG_NAMED else f"Loket {i}" for i in range(1, 11)}
# The counters' calls before any page opens: Loket 1, 4 and 9 on their second call, 2, 5 and 8 on their third
# and last (Loket 2 then takes a break, its ticket still there), Loket 3 on a break with no ticket, Loket 6
# serving, 7 and 10 on their first call.
RECALLS = {1: 1, 2: 2, 4: 1, 5: 2, 8: 2, 9: 1}
COUNTS = {6: "?counters=1,2,3,4,5,6", 8: "?counters=1,2,3,4,5,6,7,8", 10: ""}
SIZES = [(1920, 1080), (1366, 768), (1024, 768), (1080, 1920), (768, 1366)]
MARKER = {"id": ("Panggilan ke-{n}", "Panggilan ke-{n} (terakhir)"), "en": ("Call {n}", "Call {n} (last)")}
PAUSED = {"id": ("ISTIRAHAT", "On break"), "en": ("ON BREAK", "Istirahat")}
HEAD = ("name", "status", "meta")
FLASH_STEP_MS = 250  # a flash's step: .lit, then not, each blink (display.js FLASH_STEP_MS)

# The waiting counts' rows (letter, count and its "orang"), their panel, the side column, the running text's band
# and text: their boxes, and the text's size.
PANELS = """() => {
    const box = (e) => { const r = e.getBoundingClientRect();
                         return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
    const text = document.getElementById('marquee-text');
    return { waiting: [...document.querySelectorAll('#waiting li')].map((li) => [...li.children]
                 .filter((e) => getComputedStyle(e).display !== 'none').map(box)),
             panel: box(document.getElementById('waiting').parentElement), side: box(document.querySelector('.side')),
             band: box(document.querySelector('.marquee')), text: box(text),
             px: parseFloat(getComputedStyle(text).fontSize) };
}"""

# The latest calls: each row's number and its "Panggilan ke-2" line, and whether it is whole in its panel.
RECENT_ROWS = """() => [...document.querySelectorAll('#recent li:not(.none)')].map((li) => ({
    label: li.querySelector('.label').textContent, nth: (li.querySelector('.nth') || {}).textContent || '',
    whole: li.getBoundingClientRect().bottom <= li.closest('.panel').getBoundingClientRect().bottom }))"""


def in_recalls_states(server, tickets: str, officer: str) -> None:
    """`tickets` (a service letter each) issued, ten officers (`officer`1-10) signed in at their counters, and the
    counters put in RECALLS' states: 1-10 called but 3, recalled as RECALLS says, 6 serving, 2 and 3 on a break."""
    for service in tickets:
        r = requests.post(f"{server.url}/api/tickets", json=visitor(service=service), timeout=5)
        assert r.status_code == 201, r.text
    server.sessions = {}
    for counter_id in range(1, 11):
        server.add_user(f"{officer}{counter_id}", "officer")
        server.sessions[counter_id] = server.session(f"{officer}{counter_id}", "rahasia-123")
    for counter_id, action in (
        *((i, "call-next") for i in range(1, 11) if i != 3),
        *((i, "recall") for i, times in RECALLS.items() for _ in range(times)),
        (6, "start"),
        (2, "pause"),
        (3, "pause"),
    ):
        r = server.sessions[counter_id].post(f"{server.url}/api/counters/{counter_id}/{action}", json={}, timeout=5)
        assert r.status_code == 200, (counter_id, action, r.text)


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    """A server with ten counters (Loket 1-3 the demo's, 4-10 serving A, B and C) in the states of RECALLS."""
    extra = "".join(
        f'\n[[counters]]\nid = {i}\nname = "{NAMES[i]}"\nservices = ["A", "B", "C"]\n' for i in range(4, 11)
    )
    names = {f'name = "Loket {i}"': f'name = "{NAMES[i]}"' for i in (1, 2, 3)}
    config = write_config(
        tmp_path_factory.mktemp("many-counters"),
        {
            "[tts]\nenabled = true": "[tts]\nenabled = false",
            "counter_release_minutes = 10": "counter_release_minutes = 1440",  # no officer's page is open
            **names,
        },
        extra,
    )
    server = LiveServer(config).start()
    in_recalls_states(server, "ABCABCABCABC", "ramai")
    yield server
    server.stop()


def marker(lang: str, calls: int | None, max_calls: int = 3) -> str:
    if not calls or calls < 2:
        return ""
    return MARKER[lang][calls >= max_calls].format(n=calls)


def old_monitor(size) -> bool:
    """The 4:3 monitor (1024x768), not a monitor on its side (768x1366)."""
    return size[1] < size[0] <= 1024


def assert_crowded_tiles(page, server, size, lang: str, where: str) -> list[dict]:
    """Every tile whole, legible from across the room, its recall said on it (or, on the 4:3 monitor under a
    long name, in its row of the latest calls), the panels and the running text whole; returns the tiles
    (test_display_readability.TILE_TEXTS)."""
    unit = min(size) / 54
    monitor = old_monitor(size)
    counters = {c["id"]: c for c in state(server)["counters"]}
    tiles = page.evaluate(TILE_TEXTS)
    rows = page.evaluate(RECENT_ROWS)
    assert page.evaluate(CUT_SIDEWAYS) == [], where
    assert page.evaluate("document.getElementById('counters').dataset.cols") == "2", where
    for t in tiles:
        parts = {p["part"]: p for p in t["parts"]}
        counter, long = counters[t["id"]], t["id"] in LONG_NAMED
        ticket = counter["ticket"]
        at = f"{where}, Loket {t['id']}"
        assert t["layout"] == "stacked", at
        if t["keyed"]:  # 1.2 units under 24 px: a long name's rest gives way to its recall, "Loket N" kept whole
            assert long and 1.2 * unit < READABLE_PX and parts["name"]["text"] == f"Loket {t['id']}", at
        else:
            assert parts["name"]["text"] == NAMES[t["id"]], at
        assert [p for p in t["parts"] if p["cut"]] == [], f"{at}: cut {t['parts']}"
        for p in t["parts"]:
            for rect in p["rects"]:
                assert inside(rect, t["box"]), f"{at}: {p['part']} {rect} past its tile {t['box']}"
                if p["part"] in HEAD:
                    assert inside(rect, t["head"]), f"{at}: {p['part']} {rect} past {t['head']}"
        for a, b in ((a, b) for i, a in enumerate(t["parts"]) for b in t["parts"][i + 1 :]):
            drawn = max(overlap(r, q) for r in a["rects"] for q in b["rects"])
            assert drawn < 1, f"{at}: {a['part']} drawn over {b['part']}"
        sizes = {p["part"]: p["px"] / unit for p in t["parts"]}
        assert sizes["name"] >= (1.2 if long else 1.4) - 0.01, (at, sizes)
        for part in ("meta", "status", "sub"):
            assert sizes.get(part, 2) >= 1.2 - 0.01, (at, part, sizes)
        if not ticket:  # on a break with no ticket: "ISTIRAHAT", "On break" under it
            assert (parts["number"]["text"], parts["sub"]["text"]) == PAUSED[lang], at
            assert sizes["number"] >= 2 - 0.01, (at, sizes)
            continue
        assert parts["number"]["text"] == ticket["label"], at
        if counter["paused"]:  # its visitor is still there; the status says why nobody is called
            assert parts["status"]["text"] == PAUSED[lang][0], at
        # 3.5 units; 2.5 under a long name, and on the 4:3 monitor where the tile says its recall too.
        assert sizes["number"] >= (2.5 if long or (monitor and "sub" in parts) else 3.5) - 0.01, (at, sizes)
        for p in t["parts"]:
            assert p is parts["number"] or parts["number"]["px"] >= 2 * p["px"] - 0.5, (at, p["part"], sizes)
        said = marker(lang, ticket["calls"]) if ticket["status"] == "called" else ""
        if not said:
            assert "sub" not in parts, at
        elif "sub" in parts or not monitor or not long:
            assert parts.get("sub", {}).get("text") == said, f"{at}: the recall is not on its tile ({sizes})"
        else:  # the 4:3 monitor, a long name, no room: its row says it
            assert {"label": ticket["label"], "nth": said, "whole": True} in rows, f"{at}: {said!r} not in {rows}"
    # Whole rows; a long one (a long name on three lines and its recall's) leaves room for a shorter one.
    assert len(rows) >= 2 and all(r["whole"] for r in rows), f"{where}: {rows}"
    # The waiting counts whole in their panel, in the side column, above the running text; that text legible.
    m = page.evaluate(PANELS)
    assert len(m["waiting"]) == 3 and all(len(row) >= 2 for row in m["waiting"]), f"{where}: {m['waiting']}"
    for rect in (r for row in m["waiting"] for r in row):
        assert inside(rect, m["panel"]), f"{where}: waiting {rect} past {m['panel']}"
    assert inside(m["panel"], m["side"]) and m["side"]["bottom"] <= m["band"]["top"], (where, m)
    assert m["band"]["top"] - 0.5 <= m["text"]["top"] and m["text"]["bottom"] <= m["band"]["bottom"] + 0.5, (where, m)
    assert m["px"] >= 1.2 * unit - 0.01, (where, m["px"] / unit)
    return tiles


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("size", SIZES, ids=["1080p", "1366x768", "1024x768", "portrait", "768x1366"])
def test_many_counters_on_a_recall_at_once_show_every_tile_whole_and_each_recall(browser, crowded, size, lang):
    """Six, eight and ten counters (two columns of three, four and five tiles), settled; on a TV on its side the
    tiles over the latest calls and the waiting counts, five rows of them for ten counters."""
    page = new_page(browser, size)
    for count, query in COUNTS.items():
        if count == 6 and size == (1080, 1920):
            continue  # one column of tiles there (test_five_and_six_counters_on_a_tv_on_its_side_read_their_names_…)
        open_display(page, crowded, f"{query}{'&' if query else '?'}lang={lang}")
        caught_up(page, crowded)
        page.wait_for_function(SETTLED, timeout=15_000, polling=50)
        page.evaluate("document.fonts.ready")
        tiles = assert_crowded_tiles(page, crowded, size, lang, f"{size[0]}x{size[1]}, {count} counters, {lang}")
        assert sorted(t["id"] for t in tiles) == list(range(1, count + 1))
        # Several recalls at once (assert_crowded_tiles checks each tile says its own).
        said = [t["id"] for t in tiles if any(p["part"] == "sub" and p["text"] != PAUSED[lang][1] for p in t["parts"])]
        tickets = {c["id"]: c["ticket"] or {} for c in state(crowded)["counters"]}
        recalled = [i for i in range(1, count + 1) if tickets[i].get("status") == "called" and tickets[i]["calls"] >= 2]
        assert said == recalled if not old_monitor(size) else set(said) >= {i for i in recalled if i not in LONG_NAMED}
    page.context.close()


@pytest.mark.parametrize(
    ("size", "counter", "said"),
    [((1366, 768), 4, "Panggilan ke-3 (terakhir)"), ((768, 1366), 7, "Panggilan ke-2")],
    ids=["1366x768", "768x1366"],
)
def test_a_recall_among_ten_counters_is_said_on_its_tile_during_its_flash_and_after(
    browser, crowded, size, counter, said
):
    """A recall among ten counters, at a long-named one at 1366x768 (its third call) and on a monitor on its side
    (a second call): its "Panggilan ke-3 (terakhir)" is on its tile during the flash, black on yellow and yellow on
    navy in turn (7:1 at least), and stays once the flash and the chime are over, every tile whole all the while
    and the others as they were."""
    page = new_page(browser, size)
    page.clock.install()  # the flash's end (a timer of the page) is moved on, not waited for
    open_display(page, crowded)
    caught_up(page, crowded)
    page.wait_for_function(SETTLED, timeout=15_000, polling=50)
    page.evaluate("document.fonts.ready")
    pause_clock(page, 0.25)  # from here the flash ends only as the test moves the clock (not a loaded machine's 5 s)
    before = assert_crowded_tiles(page, crowded, size, "id", "before the recall")
    r = crowded.sessions[counter].post(f"{crowded.url}/api/counters/{counter}/recall", json={}, timeout=5)
    assert r.status_code == 200 and marker("id", r.json()["ticket"]["calls"]) == said, r.text
    sub = page.locator(f"{tile(counter)} .ticket-sub")
    page.locator(f"{tile(counter)}.flash").wait_for()
    caught_up(page, crowded)
    during = assert_crowded_tiles(page, crowded, size, "id", "during the flash")
    assert sub.text_content() == said
    for step, background in enumerate(("rgb(255, 212, 0)", "rgb(14, 33, 71)")):  # the flash's two steps
        if step:
            page.clock.run_for(FLASH_STEP_MS)  # the flash's next step (display.js), on the page's stopped clock
        page.wait_for_function(
            f"() => readability.ratio(document.querySelector('{tile(counter)} .ticket-sub')).bg === '{background}'",
            polling="raf",
        )
        measured = sub.evaluate("e => readability.ratio(e)")
        assert measured["ratio"] >= MIN_CONTRAST, measured
    page.clock.fast_forward(6000)
    page.wait_for_function(SETTLED, timeout=10_000, polling=50)
    after = assert_crowded_tiles(page, crowded, size, "id", "after the flash")
    assert after == during
    changed = [t["id"] for t, b in zip(after, before, strict=True) if t != b]
    assert changed in ([counter], []), changed  # only the recalled tile may change (its marker's words)
    page.context.close()


# -- every text a visitor reads, 24 px or more, with many counters on a small screen -------------------------------------
# Ten counters on an old 1024x768 monitor and a 1280x720 TV, eight and ten on an upright 768x1366 monitor: a tile too
# cramped for its texts at 24 px had them down to 1.2 units (17 to 19 px: display.js `cramped`), read from 5 m away.
SMALL_SCREENS = [((1024, 768), 10), ((1280, 720), 10), ((768, 1366), 8), ((768, 1366), 10)]


@pytest.fixture(scope="module")
def small_screens(tmp_path_factory):
    """Ten counters (4, 5 and 8 named "Loket N – Registrasi & Verifikasi Akun"), a real office's long name and
    address, service A of 60 characters and B the demo's longest; Loket 1 and 9 on their second call, 2 (then on a
    break, its ticket held), 5 and 8 on their third and last, 3 on a break with none, 6 serving, 7 and 10 called."""
    extra = "".join(
        f'\n[[counters]]\nid = {i}\nname = "{NAMES[i]}"\nservices = ["A", "B", "C"]\n' for i in range(4, 11)
    )
    config = write_config(
        tmp_path_factory.mktemp("small-screens"),
        {
            "[tts]\nenabled = true": "[tts]\nenabled = false",
            "counter_release_minutes = 10": "counter_release_minutes = 1440",
            'name = "LPSE Kabupaten Contoh"': f'name = "{OFFICE_REAL}"',
            'address = "Jl. Merdeka No. 1, Kota Contoh"': f'address = "{ADDRESS_REAL}"',
            'name = "Konsultasi Penyedia"': f'name = "{SERVICE_60}"',
        },
        extra,
    )
    server = LiveServer(config, numbers=PING_NUMBERS).start()  # its pages' clocks moved on a minute (pageclock)
    in_recalls_states(server, "ABC" * 14, "kecil")
    yield server
    server.stop()


def assert_recalls_said(page, server, count: int, lang: str, where: str) -> None:
    """Each shown counter's recall ("Panggilan ke-2", "… (terakhir)") on its tile, else on its row of the latest calls
    (test_display_readability.assert_every_recall_said, for the counters a TV limited to some shows)."""
    m = page.evaluate(MARKERS_SAID)
    tiles = {t["id"]: t["text"] for t in m["tiles"]}
    rows = {r["label"]: r["nth"] for r in m["rows"]}
    recalled = 0
    for c in state(server)["counters"]:
        ticket = c["ticket"]
        if c["id"] > count or not ticket or ticket["status"] != "called" or ticket["calls"] < 2:
            continue
        recalled += 1
        said = marker(lang, ticket["calls"])
        assert said in (tiles.get(c["id"]), rows.get(ticket["label"])), (
            f"{where}: Loket {c['id']}'s {said!r} is said nowhere: its tile {tiles.get(c['id'])!r}, rows {rows}"
        )
    assert recalled >= 3, f"{where}: {recalled} recalls"


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(
    ("size", "count"), SMALL_SCREENS, ids=["1024x768-10", "1280x720-10", "768x1366-8", "768x1366-10"]
)
def test_many_counters_on_a_small_screen_keep_every_text_24_px_whole_during_a_call_after_it_and_idle(
    browser, small_screens, size, count, lang
):
    """Every text a visitor reads at 24 px or more, whole (or a long name's rest after its "Loket N" ended in "…"),
    over no other, the page not scrolled (test_display_readability.assert_readable), with every recall said on its tile
    or its row: settled, during Loket 4's recall (a long name: its tile and its row flash), after it and a minute on."""
    server = small_screens
    page = new_page(browser, size)
    install_clock(page)
    query = "?" + (f"counters={','.join(str(i) for i in range(1, count + 1))}&" if count < 10 else "")
    name = f"{size[0]}x{size[1]}-{count}-{lang}"
    try:
        open_display(page, server, f"{query}lang={lang}")
        caught_up(page, server)
        page.wait_for_function(SETTLED, timeout=15_000, polling=50)
        page.evaluate("document.fonts.ready")
        pause_clock(page, 0.25)  # the flash ends only as the test moves the clock, not in a loaded machine's 5 s
        assert_readable(page, size, f"{count} counters, {lang}, settled")
        done = {"solution": "Selesai dijelaskan", "category": "pertanyaan", "priority_class": "P3"}
        for action in ("start", "resolve", "call-next", "recall"):  # Loket 4's next visitor, called twice
            r = server.sessions[4].post(
                f"{server.url}/api/counters/4/{action}", json=done if action == "resolve" else {}, timeout=5
            )
            assert r.status_code == 200, (action, r.text)
        page.locator(f"{tile(4)}.flash").wait_for()
        caught_up(page, server)
        keep_shot(page, f"small-{name}-during.png")  # before the checks: a failure's too
        texts = assert_readable(page, size, f"{count} counters, {lang}, during a call")
        assert any(t["sel"] == "ticket-sub" for t in texts), "no recall on a tile"
        assert_recalls_said(page, server, count, lang, f"{name}, during a call")
        page.clock.fast_forward(6000)
        page.wait_for_function(SETTLED, timeout=10_000, polling=50)
        assert_readable(page, size, f"{count} counters, {lang}, after the call")
        run_clock_for(page, 60_000)  # idle: what the room sees most of the day
        page.wait_for_function(SETTLED, timeout=10_000, polling=50)
        keep_shot(page, f"small-{name}-idle.png")
        texts = assert_readable(page, size, f"{count} counters, {lang}, a minute on")
        assert_recalls_said(page, server, count, lang, f"{name}, a minute on")
        assert len([t for t in texts if t["sel"] == "label"]) >= 2, "fewer than two latest calls"
    finally:
        page.context.close()


# -- a few counters: the waiting counts whole in their panel, whatever their number of digits ----------------------------
# One to six counters (no dense layout), services A (60 characters), B (the demo's longest) and C waiting 1, 10 and 100:
# on a TV on its side the counts were by letter in columns of 9.5rem, and "C 100 people" (or "orang") ran past the panel
# and off a 768x1366 monitor's edge, at 1080x1920 too; on a 1024x768 monitor in English, A's name beside "1 person" needed
# a fifth line at 24 px and was cut with "…".
FEW_SIZES = [(768, 1366), (1080, 1920), (1366, 768), (1280, 720), (1024, 768)]
WAITING = {"A": 1, "B": 10, "C": 100}
PEOPLE = {"id": ("orang", "orang"), "en": ("person", "people")}

# Each waiting count's letter, count (its digits) and unit: their boxes and texts; the panel's box.
WAITING_PARTS = """() => {
    const box = (e) => { const r = e.getBoundingClientRect();
                         return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
    const count = (li) => li.querySelector('.count');
    return { panel: box(document.getElementById('waiting').parentElement),
             rows: [...document.querySelectorAll('#waiting li')].map((li) => ({
                 code: li.querySelector('.code').textContent, number: count(li).firstChild.textContent,
                 unit: li.querySelector('.unit').textContent, px: parseFloat(getComputedStyle(li.querySelector('.unit')).fontSize),
                 li: box(li), boxes: [li.querySelector('.code'), count(li), li.querySelector('.unit')].map(box) })) };
}"""


@pytest.fixture(scope="module")
def few(tmp_path_factory):
    """Six counters (Loket 4-6 serving A, B and C), service A of 60 characters and B the demo's longest; 1, 10 and 100
    waiting for A, B and C."""
    extra = "".join(f'\n[[counters]]\nid = {i}\nname = "Loket {i}"\nservices = ["A", "B", "C"]\n' for i in range(4, 7))
    config = write_config(
        tmp_path_factory.mktemp("few-counters"),
        {
            "[tts]\nenabled = true": "[tts]\nenabled = false",
            "rate_limit_per_minute = 120": "rate_limit_per_minute = 100000",  # a hundred tickets from this address
            'name = "Konsultasi Penyedia"': f'name = "{SERVICE_60}"',
        },
        extra,
    )
    server = LiveServer(config).start()
    with requests.Session() as s:
        for service, n in WAITING.items():
            for _ in range(n):
                r = s.post(f"{server.url}/api/tickets", json=visitor(service=service), timeout=5)
                assert r.status_code == 201, r.text
    assert {x["code"]: x["waiting"] for x in state(server)["services"]} == WAITING
    yield server
    server.stop()


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("size", FEW_SIZES, ids=["768x1366", "portrait", "1366x768", "1280x720", "1024x768"])
def test_a_few_counters_keep_each_waiting_count_whole_in_its_panel(browser, few, size, lang):
    """One to six counters: each service's "A 1 person", "B 10 people", "C 100 people" ("orang") whole on its line,
    letter, count and unit inside the waiting panel and on the screen, the unit 24 px or more; every other text as
    test_display_readability.assert_readable has it (24 px or more, whole, over no other)."""
    page = new_page(browser, size)
    try:
        for n in range(1, 7):
            where = f"{size[0]}x{size[1]}, {n} counters, {lang}"
            open_display(page, few, f"?counters={','.join(str(i) for i in range(1, n + 1))}&lang={lang}")
            caught_up(page, few)
            page.wait_for_function(SETTLED, timeout=15_000, polling=50)
            page.evaluate("document.fonts.ready")
            keep_shot(page, f"waiting-{size[0]}x{size[1]}-{n}-{lang}.png")
            m = page.evaluate(WAITING_PARTS)
            assert len(m["rows"]) >= 2, (where, m)
            for row in m["rows"]:
                waiting = WAITING[row["code"]]
                assert (row["number"], row["unit"]) == (str(waiting), PEOPLE[lang][waiting > 1]), (where, row)
                assert row["px"] >= READABLE_PX - 0.05, (where, row)
                code, count, unit = row["boxes"]
                for rect in row["boxes"]:
                    assert inside(rect, m["panel"]) and rect["right"] <= size[0], (
                        f"{where}: {row['code']} {row['number']} {row['unit']}: {rect} past the panel {m['panel']}"
                    )
                # in its row: the letter, then the count, its unit beside it (under it on a 4:3 monitor)
                assert code["right"] <= count["left"] and code["right"] <= unit["left"] < count["right"], (where, row)
                assert row["li"]["top"] - 0.5 <= unit["top"] and unit["bottom"] <= row["li"]["bottom"] + 0.5, (
                    where,
                    row,
                )
            assert_readable(page, size, f"{n} counters, {lang}")
    finally:
        page.context.close()


# -- five and six counters on a TV on its side: the names read from farther ---------------------------------------------
# In two columns of tiles "Loket 1" was 28 px at 1080x1920 (capitals 1 cm on a 43" TV, read to 2 m) and 24 px at
# 768x1366, held to the size of the longest name among them. Five and six counters are now one column of tiles, each
# name beside its number as with four; with names of some 40 characters among them two columns stay on a 768x1366
# monitor only (in one, their tiles had no room for their texts at 24 px). Each: (counters, capitals in mm on a 43" TV
# at 1080x1920 and at 768x1366; measured 19.2 / 16.0 at 1080 and 17.3 / 14.1 mm at 768, 10 and 12 mm before).
TALL = {"?counters=1,2,6,9,10": (5, 18, 16.5), "?counters=1,2,3,6,9,10": (6, 15, 13.5)}
LONG_AMONG = "?counters=1,2,3,4,5,6"  # Loket 4 and 5 named "Loket N – Registrasi & Verifikasi Akun" (38 characters)


@pytest.mark.parametrize("size", [(1080, 1920), (768, 1366)], ids=["portrait", "768x1366"])
def test_five_and_six_counters_on_a_tv_on_its_side_read_their_names_from_farther(browser, crowded, size):
    """Five and six counters (recalls, a last call, a break with and without a ticket, one serving) on a TV on its side:
    one column of tiles, each name on one line beside its number, capitals of 1.5 to 1.9 cm on a 43" TV at 1080x1920
    (1.35 to 1.7 at 768x1366) where they were 1 and 1.2 cm; every text 24 px or more, whole, over no other; the latest
    calls and the waiting counts there, during a recall's flash and after it. With names of 38 characters among six: at
    1080x1920 one column too, the short names at 1.7 units at least (they were 28 px, 1.4), every name whole; at 768x1366
    two columns, as before (one column's tiles had their status and marker at 17 px there)."""
    from test_display_counter_distance import NAMES_DRAWN, mm_per_px

    page = new_page(browser, size)
    page.clock.install()  # the flash's end (a timer of the page) is moved on, not waited for
    portrait = size[0] == 1080
    try:
        for query, (count, portrait_mm, monitor_mm) in TALL.items():
            where = f"{size[0]}x{size[1]}, {count} counters"
            open_display(page, crowded, query)
            caught_up(page, crowded)
            page.wait_for_function(SETTLED, timeout=15_000, polling=50)
            page.evaluate("document.fonts.ready")
            if count == 6 and portrait:
                pause_clock(page, 0.25)  # the recall's flash ends only as the test moves the clock
                r = crowded.sessions[10].post(f"{crowded.url}/api/counters/10/recall", json={}, timeout=5)
                assert r.status_code == 200, r.text
                page.locator(f"{tile(10)}.flash").wait_for()
                caught_up(page, crowded)
            for when in ("", ", after the flash") if count == 6 and portrait else ("",):
                if when:
                    page.clock.fast_forward(6000)
                    page.wait_for_function(SETTLED, timeout=10_000, polling=50)
                keep_shot(page, f"tall-{size[0]}x{size[1]}-{count}{when.replace(', ', '-').replace(' ', '-')}.png")
                at = where + when
                assert_readable(page, size, at)
                tiles = page.evaluate(NAMES_DRAWN)
                assert len(tiles) == count, at
                least = portrait_mm if portrait else monitor_mm
                for t in tiles:
                    assert t["text"] == NAMES[t["id"]] and not t["cut"] and t["lines"] == 1, f"{at}: {t}"
                    tall = t["cap"] * mm_per_px(size)
                    assert tall >= least, (
                        f"{at}: {t['text']!r} capitals {tall:.1f} mm ({t['px']:.1f} px), {least} needed"
                    )
                    if t["number"] not in ("—", PAUSED["id"][0]):
                        assert t["numberPx"] >= 2 * t["px"] - 0.5, f"{at}: {t}"
                assert page.evaluate("document.getElementById('counters').dataset.cols") == "1", at
                rows = page.evaluate(RECENT_ROWS)
                assert rows and all(r["whole"] for r in rows), f"{at}: {rows}"
                m = page.evaluate(PANELS)
                assert len(m["waiting"]) == 3, f"{at}: {m['waiting']}"
                for rect in (r for row in m["waiting"] for r in row):
                    assert inside(rect, m["panel"]), f"{at}: waiting {rect} past {m['panel']}"
        # names of 38 characters among six: one column at 1080x1920, the others' names larger than in two columns (the
        # long names whole, smaller); two columns on the 768x1366 monitor, where one column's tiles have no room for
        # their texts at 24 px beside them
        open_display(page, crowded, LONG_AMONG)
        caught_up(page, crowded)
        page.wait_for_function(SETTLED, timeout=15_000, polling=50)
        page.evaluate("document.fonts.ready")
        keep_shot(page, f"tall-{size[0]}x{size[1]}-long.png")
        where = f"{size[0]}x{size[1]}, six with long names"
        assert_readable(page, size, where)
        if not portrait:
            assert_crowded_tiles(page, crowded, size, "id", where)
            return
        assert page.evaluate("document.getElementById('counters').dataset.cols") == "1", where
        tiles = page.evaluate(NAMES_DRAWN)
        assert all(t["text"] == NAMES[t["id"]] and not t["cut"] for t in tiles), f"{where}: {tiles}"
        short = [t["px"] for t in tiles if t["id"] not in LONG_NAMED]
        assert min(short) >= 1.7 * min(size) / 54, f"{where}: short names at {short} px"
    finally:
        page.context.close()
