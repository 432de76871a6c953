"""A waiting-room TV on its side (768x1366, 1080x1920) with ten counters, several named with the longest name a counter
may have (100 characters), and the waiting counts over a hundred each (the latest calls short of room), on a real
server in Chromium, in Indonesian and English: the counter a call sends its visitor to is said whole somewhere on the
screen, at 24 px or more, during the call's flash, after it and a minute on; every tile, its "Loket N" and its number
stay whole, the latest calls keep two whole rows, and no text is under 24 px or drawn over another.

Before, a name of 100 characters read "Loket 5 …" on its tile and "→ Loket 5 – Registrasi &…" (at 1080x1920 "→ Loket 5 –
Registrasi & Verifikasi Akun Penyedia, Non-Penyedia, Pokja Pemilihan dan…") in its row: whole nowhere. A name ending
with its identity ("Layanan … – Loket 8") and one with none ("Pelayanan Registrasi …") likewise. The newest call's
row now has "→ Loket 5" on its line and the rest of the name whole under it (display.css .upright-spelled).
"""

from __future__ import annotations

import re

import pytest
import requests
from conftest import visitor, write_config
from live import LiveServer
from pageclock import CALM_NUMBERS, install_clock, pause_clock
from shots import keep_shot
from test_display_readability import (
    READABLE_PX,
    SETTLED,
    TILE_TEXTS,
    VISITOR_TEXTS,
    caught_up,
    crossing,
    inside,
    new_page,
    open_display,
    state,
    tile,
)

LONGEST = "Registrasi & Verifikasi Akun Penyedia, Non-Penyedia, Pokja Pemilihan dan Pejabat Pengadaan"
NAMES = {
    1: "Loket 1",
    2: f"Loket 2 – {LONGEST}",
    3: "Loket 3",
    4: "Loket 4 – Registrasi & Verifikasi Akun",
    5: f"Loket 5 – {LONGEST}",
    # no short identity ("Loket N") at all: the name is all there is to tell it by
    6: "Pelayanan Registrasi dan Verifikasi Akun Penyedia Barang/Jasa Pemerintah Kabupaten Kepulauan Sangihe",
    7: "Loket 7 – Konsultasi Non-Penyedia (PPK/Pokja/PP)",
    8: "Layanan Konsultasi Pengguna SPSE dan Registrasi Akun Penyedia Barang/Jasa Pemerintah Kota – Loket 8",
    9: "Loket 9 – Registrasi & Verifikasi Akun",
    10: "Loket 10 – Registrasi & Verifikasi Akun",
}
SIZES = [(768, 1366), (1080, 1920)]
DONE = {"solution": "Selesai dijelaskan", "category": "pertanyaan", "priority_class": "P3"}
# No tile too cramped for its texts at 24 px (display.js `cramped`): Loket 6's name of 100 characters with no "Loket N"
# gives way first (display.js nameLine), called too: "Pelayanan…" in condensed letters beside "DIPANGGIL" on a 768x1366
# monitor. Before, its first word with its "…" in its letters had no room there, and its tile's texts were drawn at
# 17 px.
# The counters whose calls each test makes, in turn: a long name's recall (its row on two more lines), a name that ends
# with its identity, a name with none.
CALLED = ((5, True), (8, False), (6, False))

# Where a counter's name is drawn: on its tile, and in the newest row of the latest calls (its label and the counter it
# names). For each, the text drawn (not the rest a cut keeps undrawn, nor what the browser's line-clamp or a box hides:
# each character inside every box that clips it and on the screen) and the smallest size of its characters.
DRAWN = """(counter) => {
  const box = (r) => ({ left: r.left, right: r.right, top: r.top, bottom: r.bottom });
  const clipped = (rect, e) => {
    if (rect.left < -0.5 || rect.top < -0.5 || rect.right > innerWidth + 0.5 || rect.bottom > innerHeight + 0.5) return true;
    for (let a = e; a && a !== document.body; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.display === 'contents' || (cs.overflowX === 'visible' && cs.overflowY === 'visible')) continue;
      const b = a.getBoundingClientRect();
      if (rect.left < b.left - 0.5 || rect.right > b.right + 0.5 || rect.top < b.top - 0.5 || rect.bottom > b.bottom + 0.5)
        return true;
    }
    return false;
  };
  const drawn = (root) => {
    let text = '', hidden = '', px = Infinity;
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      let shown = true;
      for (let a = n.parentElement; a; a = a.parentElement) {
        if (getComputedStyle(a).display === 'none') shown = false;
        if (a === root) break;
      }
      if (!shown) continue;
      for (let i = 0; i < n.data.length; i++) {
        const ch = n.data[i];
        if (!ch.trim()) { text += ' '; continue; }
        const range = document.createRange();
        range.setStart(n, i);
        range.setEnd(n, i + 1);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0).map(box);
        if (!rects.length || rects.some((r) => clipped(r, n.parentElement))) { hidden += ch; continue; }
        text += ch;
        px = Math.min(px, parseFloat(getComputedStyle(n.parentElement).fontSize));
      }
    }
    return { text, hidden, px };
  };
  const t = document.querySelector(`.counter[data-counter="${counter}"]`);
  const li = document.querySelector('#recent li');
  // the row's counter, and the rest of its name on a line of its own under it (.spell) when it has one
  const row = li && li.querySelector('.to') && [...li.querySelectorAll('.to, .spell')].map(drawn)
    .reduce((a, b) => ({ text: a.text + ' ' + b.text, hidden: a.hidden + b.hidden, px: Math.min(a.px, b.px) }));
  return {
    tile: drawn(t.querySelector('.counter-name')),
    row: row ? { label: li.querySelector('.label').textContent, ...row } : null,
    tiles: [...document.querySelectorAll('.counter')].map((e) => ({ id: Number(e.dataset.counter),
      ...drawn(e.querySelector('.counter-name')) })),
  };
}"""

# The latest calls' rows: each one's number, and whether it is whole in its panel.
ROWS = """() => {
  const panel = document.getElementById('recent').parentElement.getBoundingClientRect();
  return [...document.querySelectorAll('#recent li:not(.none)')].map((li) => ({
    label: li.querySelector('.label').textContent,
    whole: li.getBoundingClientRect().bottom <= panel.bottom + 0.5 }));
}"""


def words(text: str) -> list[str]:
    """A name as a visitor reads it: its words, in any order (a row may put "Loket 8" first of "Layanan … – Loket 8"),
    without the arrow and the dash between "Loket 5" and the rest (a cut tile or row leaves it out)."""
    return sorted(w for w in re.split(r"[\s\u00a0]+", text.replace("\u2192", "")) if w and w != "\u2013")


@pytest.fixture(scope="module")
def upright(tmp_path_factory):
    """Ten counters named as NAMES (2 and 5 with the longest name a counter may have, 6 too, without "Loket N"), over a
    hundred waiting for each of A, B and C; Loket 2 and 9 on their third and last call, 4 and 8 on their second, 6
    serving, 3 on a break with no ticket, the others called."""
    from server.config import _TEXT_LIMITS

    assert len(NAMES[2]) == len(NAMES[5]) == len(NAMES[6]) == _TEXT_LIMITS["counters.name"] == 100
    extra = "".join(
        f'\n[[counters]]\nid = {i}\nname = "{NAMES[i]}"\nservices = ["A", "B", "C"]\n' for i in range(4, 11)
    )
    config = write_config(
        tmp_path_factory.mktemp("upright-names"),
        {
            "[tts]\nenabled = true": "[tts]\nenabled = false",
            "counter_release_minutes = 10": "counter_release_minutes = 1440",  # no officer's page is open
            "rate_limit_per_minute = 120": "rate_limit_per_minute = 100000",  # 330 tickets from this address
            **{f'name = "Loket {i}"': f'name = "{NAMES[i]}"' for i in (1, 2, 3)},
        },
        extra,
    )
    # its TVs hear no ping (pageclock.CALM_NUMBERS): their clocks are moved on past a flash and a minute in one call
    server = LiveServer(config, numbers=CALM_NUMBERS).start()
    with requests.Session() as s:
        for service in "ABC" * 110:
            r = s.post(f"{server.url}/api/tickets", json=visitor(service=service), timeout=5)
            assert r.status_code == 201, r.text
    server.sessions = {}
    for i in NAMES:
        server.add_user(f"tegak{i}", "officer")
        server.sessions[i] = server.session(f"tegak{i}", "rahasia-123")
    steps = [(i, "call-next") for i in NAMES if i != 3]
    steps += [(2, "recall"), (2, "recall"), (4, "recall"), (8, "recall"), (9, "recall"), (9, "recall")]
    steps += [(6, "start"), (3, "pause")]
    for i, action in steps:
        act(server, i, action)
    assert all(s["waiting"] > 100 for s in state(server)["services"]), state(server)["services"]
    yield server
    server.stop()


def act(server, counter_id: int, action: str, payload: dict | None = None) -> dict:
    r = server.sessions[counter_id].post(
        f"{server.url}/api/counters/{counter_id}/{action}", json=payload or {}, timeout=5
    )
    assert r.status_code == 200, (counter_id, action, r.text)
    return r.json().get("ticket")


def call_at(server, counter_id: int, recall: bool) -> str:
    """The counter's visitor served and finished, the next one called (and called again): the label called."""
    ticket = next(c for c in state(server)["counters"] if c["id"] == counter_id)["ticket"]
    if ticket:
        if ticket["status"] == "called":
            act(server, counter_id, "start")
        act(server, counter_id, "resolve", DONE)
    label = act(server, counter_id, "call-next")["label"]
    if recall:
        assert act(server, counter_id, "recall")["calls"] == 2
    return label


def assert_said_whole(page, server, size, counter: int, label: str, where: str) -> None:
    """The counter's whole name drawn on its tile or in the newest row (its call's), every character on the screen, at
    24 px or more; every tile's "Loket N" whole and its number whole inside it; two whole rows in the latest calls; every
    text a visitor reads 24 px or more, on the screen, over no other."""
    name = NAMES[counter]
    m = page.evaluate(DRAWN, counter)
    row = m["row"]
    assert row and row["label"] == label, f"{where}: the newest row is not {label}'s: {row}"
    places = {"tile": m["tile"], "row": row}
    whole = [p for p, d in places.items() if words(d["text"]) == words(name) and d["px"] >= READABLE_PX - 0.05]
    assert whole, (
        f"{where}: {name!r} ({len(name)} characters) is whole nowhere: its tile draws {m['tile']['text']!r}, its row "
        f"{row['text']!r} (hidden {row['hidden']!r})"
    )
    # every tile's identity whole (a name with none: at least its first words), with nothing drawn hidden
    for t in m["tiles"]:
        key = f"Loket {t['id']}" if "Loket" in NAMES[t["id"]] else NAMES[t["id"]].split()[0]
        assert key.replace(" ", "") in t["text"].replace(" ", ""), f"{where}: tile {t['id']} draws {t['text']!r}"
        assert t["px"] >= READABLE_PX - 0.05, f"{where}: tile {t['id']}'s name at {t['px']} px"
        if "Loket" in NAMES[t["id"]]:
            assert not t["hidden"], f"{where}: tile {t['id']}'s {t['hidden']!r} drawn past its box"
    tickets = {c["id"]: c["ticket"] for c in state(server)["counters"]}
    tiles = page.evaluate(TILE_TEXTS)
    assert sorted(t["id"] for t in tiles) == list(NAMES), where
    for t in tiles:
        number = next(p for p in t["parts"] if p["part"] == "number")
        if tickets[t["id"]]:
            assert number["text"] == tickets[t["id"]]["label"], (where, t["id"], number)
        assert not number["cut"] and all(inside(r, t["box"]) for r in number["rects"]), (where, t["id"], number)
    rows = page.evaluate(ROWS)
    assert len(rows) >= 2 and all(r["whole"] for r in rows), f"{where}: {rows}"
    texts = page.evaluate(VISITOR_TEXTS)["texts"]
    cramped = page.evaluate(
        "[...document.querySelectorAll('.counter.cramped')].map((t) => [+t.dataset.counter, t.textContent])"
    )
    assert not cramped, f"{where}: cramped tiles {cramped}"
    small = [(t["sel"], t["text"], t["px"]) for t in texts if t["px"] < READABLE_PX - 0.05]
    assert not small, f"{where}: under {READABLE_PX} px: {small}"
    off = [(t["sel"], t["text"]) for t in texts if "past the screen" in t["cut"] and not t["gives"]]
    assert not off, f"{where}: past the screen: {off}"
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            drawn = [(r, q) for r in a["rects"] for q in b["rects"] if crossing(r, q) >= 2]
            assert not drawn, f"{where}: {a['sel']} {a['text']!r} drawn over {b['sel']} {b['text']!r}"


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_long_counter_name_is_said_whole_on_a_tv_on_its_side_during_its_call_after_it_and_a_minute_on(
    browser, upright, size, lang
):
    page = new_page(browser, size)
    install_clock(page)  # the flash's end and the minute after it are moved on, not waited for
    try:
        open_display(page, upright, f"?lang={lang}")
        caught_up(page, upright)
        page.wait_for_function(SETTLED, timeout=15_000, polling=50)
        page.evaluate("document.fonts.ready")
        pause_clock(page, 0.25)  # the flash ends only as the test moves the clock, not in a loaded machine's 5 s
        for counter, recall in CALLED:
            label = call_at(upright, counter, recall)
            caught_up(page, upright)
            page.locator(f"{tile(counter)}.flash").wait_for()
            page.locator("#recent li.flash").wait_for()
            shot = f"{size[0]}x{size[1]}-{lang}-loket{counter}"
            keep_shot(page, f"{shot}-during.png")  # before the checks: a failure's too
            assert_said_whole(page, upright, size, counter, label, f"{shot}, during its call")
            page.clock.fast_forward(6000)
            page.wait_for_function(SETTLED, timeout=10_000, polling=50)
            keep_shot(page, f"{shot}-after.png")
            assert_said_whole(page, upright, size, counter, label, f"{shot}, after it")
            if counter == CALLED[0][0]:
                page.clock.run_for(60_000)  # what the room sees for the minutes after it
                page.wait_for_function(SETTLED, timeout=10_000, polling=50)
                keep_shot(page, f"{shot}-minute.png")
                assert_said_whole(page, upright, size, counter, label, f"{shot}, a minute on")
    finally:
        page.context.close()


# The latest calls a TV may list (the RECENT_SHOWN newest tickets of the counters it shows), each with whether its
# ticket still waits at its counter (called there, its visitor not come yet), and the rows the panel shows, each whole
# in it or not.
LISTED = """() => {
  const st = antrianDisplay.state, seen = new Set(), calls = [];
  const shown = new Set([...document.querySelectorAll('.counter')].map((e) => +e.dataset.counter));
  for (const r of st.recent) {
    if (calls.length >= 5) break;
    if (seen.has(r.label) || !shown.has(r.counter_id)) continue;
    seen.add(r.label);
    const c = st.counters.find((x) => x.id === r.counter_id);
    calls.push({ label: r.label, seq: r.seq,
      waiting: !!(c && c.ticket && c.ticket.label === r.label && c.ticket.status === 'called') });
  }
  const panel = document.getElementById('recent').parentElement.getBoundingClientRect();
  const rows = [...document.querySelectorAll('#recent li:not(.none)')].map((li) => ({
    label: li.querySelector('.label').textContent, text: li.textContent,
    whole: li.getBoundingClientRect().bottom <= panel.bottom + 0.5 }));
  return { calls, rows };
}"""
# Four counters of a TV (a second waiting room's, `?counters=`): Loket 1, and three named with some 40 characters
# ("Loket 4 – Registrasi & Verifikasi Akun"), called and recalled in turn.
FOUR = "?counters=1,4,9,10"
TURNS = ((4, True), (9, True), (1, False), (10, True))


def opened_still(page, server, query: str) -> None:
    """The TV open on `query`, caught up with the server, its fonts in, its clock paused (a call's flash ends only as
    the test moves it on)."""
    open_display(page, server, query)
    caught_up(page, server)
    page.evaluate("document.fonts.ready")
    pause_clock(page, 0.25)


@pytest.mark.parametrize(
    "size", [(1920, 1080), (1366, 768), (1280, 720), (1080, 1920), (768, 1366)], ids=lambda s: f"{s[0]}x{s[1]}"
)
def test_a_call_still_waiting_at_its_counter_keeps_its_row_in_the_latest_calls(browser, upright, size):
    """A row of the latest calls that would take three lines (a counter's name of 40 characters on two, a recall's
    "Panggilan ke-2" under it) gives its name one line ("→ Loket 4 – Registrasi…", its tile names it whole) before its
    call, still waiting for its visitor, leaves the panel: before, it gave way to an older call or a shorter one, or the
    panel kept one row and empty room under it (at 1280x720). At least two whole rows, the newest first, and no call
    still waiting left out with an older call listed under its place (a visitor who finds the list going on past their
    number takes it that they were not called), but for a second row."""
    page = new_page(browser, size)
    install_clock(page)
    try:
        opened_still(page, upright, FOUR)
        for counter, recall in TURNS:
            label = call_at(upright, counter, recall)
            caught_up(page, upright)
            page.clock.fast_forward(6000)  # the flash over, as the room sees it for minutes
            page.wait_for_function(SETTLED, timeout=10_000, polling=50)
            where = f"{size[0]}x{size[1]}, {label} at Loket {counter}"
            keep_shot(page, f"waiting-{size[0]}x{size[1]}-loket{counter}.png")
            m = page.evaluate(LISTED)
            listed = {r["label"] for r in m["rows"]}
            assert len(m["rows"]) >= 2 and all(r["whole"] for r in m["rows"]), f"{where}: {m['rows']}"
            assert m["rows"][0]["label"] == label, f"{where}: {m['rows']}"
            seqs = {c["label"]: c["seq"] for c in m["calls"]}
            for call in (c for c in m["calls"] if c["waiting"] and c["label"] not in listed):
                older = [r["label"] for r in m["rows"] if seqs.get(r["label"], 0) < call["seq"]]
                assert not older or len(m["rows"]) <= 2, (
                    f"{where}: {call['label']}, still waiting at its counter, left out, {older} listed under its place:"
                    f" {m['rows']}"
                )
    finally:
        page.context.close()


# Counters the admin names with no "Loket N" (the admin page allows it): one of 40 characters, and one whose first word
# ("Pelayanan") has no room beside "DIPANGGIL" on one line of a tile 345 px wide (768x1366, ten counters).
MEJA = "Meja Konsultasi Pengadaan Barang dan Jas"
PELAYANAN = "Pelayanan Informasi dan Pengaduan LPSE"


@pytest.mark.parametrize(
    ("name", "size", "query"),
    [
        (MEJA, (768, 1366), ""),
        (MEJA, (768, 1366), FOUR),
        (PELAYANAN, (768, 1366), ""),
        (PELAYANAN, (1080, 1920), ""),
        (PELAYANAN, (768, 1366), FOUR),
    ],
    ids=[
        "meja-768x1366-ten",
        "meja-768x1366-four",
        "pelayanan-768x1366-ten",
        "pelayanan-1080x1920-ten",
        "pelayanan-768x1366-four",
    ],
)
def test_a_tile_named_with_no_loket_n_keeps_its_small_words_at_24_px(browser, upright, name, size, query):
    """On a TV on its side with ten counters or four, the tile of a counter named "Meja Konsultasi Pengadaan Barang dan
    Jas" or "Pelayanan Informasi dan Pengaduan LPSE" (through the admin API), called and recalled, the flash over: its
    "DIPANGGIL" and "Panggilan ke-2" at 24 px or more, as every text; the name gives way (cut after a whole word, at 24
    px or more), the number keeps the size of the other tiles' numbers. Before, at 768x1366 the tile took the cramped
    sizes: "DIPANGGIL" and "Panggilan ke-2" at 17 px, the name at 20 px (Meja's, four or ten counters; Pelayanan's, ten
    counters, its first word with its "…" too wide beside "DIPANGGIL" on one line)."""
    if not hasattr(upright, "admin"):
        upright.add_user("kepala", "admin")
        upright.admin = upright.session("kepala", "rahasia-123")

    def rename(name: str) -> None:
        counters = upright.admin.get(f"{upright.url}/api/admin/settings", timeout=5).json()["counters"]
        next(c for c in counters if c["id"] == 10)["name"] = name
        r = upright.admin.put(f"{upright.url}/api/admin/settings/counters", json={"value": counters}, timeout=5)
        assert r.status_code == 200, r.text

    page = new_page(browser, size)
    install_clock(page)
    rename(name)
    try:
        opened_still(page, upright, query)
        label = call_at(upright, 10, True)
        caught_up(page, upright)
        page.locator(f"{tile(10)} .counter-name", has_text=name).wait_for()
        page.clock.fast_forward(6000)  # the flash over
        page.wait_for_function(SETTLED, timeout=10_000, polling=50)
        counters = "four" if query else "ten"
        where = f"{size[0]}x{size[1]}, {counters} counters, {label} recalled at {name!r}"
        keep_shot(page, f"{name.split()[0].lower()}-{size[0]}x{size[1]}-{counters}.png")
        texts = page.evaluate(VISITOR_TEXTS)["texts"]
        # every tile's texts at 24 px, none cramped
        small = [(t["sel"], t["text"], round(t["px"], 1)) for t in texts if t["px"] < READABLE_PX - 0.05]
        assert not small, f"{where}: under {READABLE_PX} px: {small}"
        cramped = page.evaluate(
            "[...document.querySelectorAll('.counter.cramped')].map((t) => [+t.dataset.counter, t.textContent])"
        )
        assert not cramped, f"{where}: cramped tiles {cramped}"
        for i, a in enumerate(texts):
            for b in texts[i + 1 :]:
                over = [(r, q) for r in a["rects"] for q in b["rects"] if crossing(r, q) >= 2]
                assert not over, f"{where}: {a['sel']} {a['text']!r} drawn over {b['sel']} {b['text']!r}"
        marker = page.locator(f"{tile(10)} .ticket-sub")
        assert marker.is_visible() and marker.text_content() == "Panggilan ke-2", where
        # the name: its first words whole, cut after a whole word (or whole), at 24 px or more
        drawn = page.evaluate(DRAWN, 10)["tile"]
        assert drawn["text"].strip() and name.split()[: len(drawn["text"].split())] == drawn["text"].split(), (
            f"{where}: {drawn}"
        )
        assert drawn["px"] >= READABLE_PX - 0.05, f"{where}: {drawn}"
        # the number as large as the other tiles' numbers of its layout (beside its name: Loket 1's; over it: Loket 9's)
        numbers = page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('.counter[data-ticket]:not(.paused):not(.cramped)')].map((t) => [t.dataset.counter,
                 [parseFloat(getComputedStyle(t.querySelector('.ticket-label')).fontSize), t.classList.contains('stacked')]]))"""
        )
        alike = [px for i, (px, stacked) in numbers.items() if i != "10" and stacked == numbers["10"][1]]
        assert alike and numbers["10"][0] >= min(alike) - 0.5, f"{where}: its number at {numbers['10']}, {numbers}"
        tiles = {t["id"]: t for t in page.evaluate(TILE_TEXTS)}
        number = next(p for p in tiles[10]["parts"] if p["part"] == "number")
        assert number["text"] == label and not number["cut"], (where, number)
        assert all(inside(r, tiles[10]["box"]) for r in number["rects"]), (where, number)
    finally:
        page.context.close()
        rename(NAMES[10])
