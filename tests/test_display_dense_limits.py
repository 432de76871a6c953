"""The waiting-room TV with many counters on a small screen (display.js `body.dense`): three limits the
tests of test_display_many_counters left.

- On an old 1024x768 monitor (ten counters, a narrow side column: `body.dense-narrow`) the newest call at a
  long-named counter ("Loket 8 – Registrasi & Verifikasi Akun") read "→ Loket 8 …" in the latest calls and "Loket 8
  …" on its tile, its recall's "Panggilan ke-2" beside it: its name was whole nowhere on the screen, and a visitor told
  "loket delapan" could not tell which counter that was. Its name is now whole in its row, every word drawn at 24 px
  or more, during the call's flash and after it, every other text as test_display_readability.assert_readable has it.
- On an upright 768x1366 monitor with eight to ten counters, three services of three digits each ("C 106 people")
  took two lines in the waiting counts, some 60 px of the latest calls' room: they are on one line now (on a TV on
  its side at 1080x1920 too), each whole in its panel, the unit 24 px or more.
- The counts side by side (on its side; by letter at 1280x720) were spaced by the flex box's column-gap, which
  Chromium 79-83 (an old TV stick's) ignores: the counts touched there. Today's Chromium cannot stop honouring it, so
  the test takes what such a browser does (the list's gap set to 0) and finds the counts spaced as before, by their
  margins, the gap unused.
- So were the header's logo, office, connection badge and clock, the sound banner's icon and words, the admin's sound
  check's lines and a recall's "Panggilan ke-2" beside its number on a low tile: they touched on those browsers. With
  every flex box's gap taken away, each neighbouring pair there is as far apart as before, nothing moved, and no flex
  box of the page has a gap set.
"""

from __future__ import annotations

import time

import pytest
import requests
from conftest import SocketGate, visitor, write_config
from live import LiveServer
from pageclock import CALM_NUMBERS, install_clock, pause_clock
from shots import keep_shot
from test_display_many_counters import NAMES, assert_recalls_said, in_recalls_states
from test_display_page import AUTOPLAY_BLOCKED, short_chime
from test_display_readability import (
    READABLE_PX,
    SETTLED,
    assert_readable,
    caught_up,
    inside,
    new_page,
    open_display,
    tile,
)

# Every tile and row of the latest calls where a counter's name is drawn whole: its words, in a run, each in a text
# shown (not hidden, not in the part cut off after a "…", not past a box that hides what passes it, nor past the
# screen), READABLE_PX or more. Dashes and the row's arrow aside ("→ Loket 8" over "Registrasi & …" is the name).
NAME_DRAWN = """([name, least]) => {
    const words = (t) => t.replace(/[\\u2192\\u2013\\u2014-]/g, ' ').split(/\\s+/).filter(Boolean);
    const wanted = ' ' + words(name).join(' ') + ' ';
    const places = [];
    for (const place of document.querySelectorAll('.counter, #recent li')) {
        const drawn = [];
        const walker = document.createTreeWalker(place, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const e = n.parentElement, cs = getComputedStyle(e);
            if (!n.textContent.trim() || !e.getClientRects().length || cs.visibility === 'hidden') continue;
            if (e.closest('.cut-rest') || parseFloat(cs.fontSize) < least - 0.05) continue;
            const range = document.createRange();
            range.selectNodeContents(n);
            const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
            const line = parseFloat(cs.lineHeight);
            const shown = rects.length > 0 && rects.every((r) => {
                const trim = line < r.height ? (r.height - line) / 2 : 0, top = r.top + trim, bottom = r.bottom - trim;
                if (r.left < -0.5 || top < -0.5 || r.right > innerWidth + 0.5 || bottom > innerHeight + 0.5) return false;
                for (let a = e; a && a !== document.body; a = a.parentElement) {
                    const s = getComputedStyle(a);
                    if (s.display === 'contents' || s.display === 'inline') continue;
                    if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
                    const b = a.getBoundingClientRect();
                    if (r.left < b.left - 0.5 || r.right > b.right + 0.5 || top < b.top - 0.5 || bottom > b.bottom + 0.5)
                        return false;
                }
                return true;
            });
            if (shown) drawn.push(...words(n.textContent));
        }
        if ((' ' + drawn.join(' ') + ' ').includes(wanted))
            places.push(place.matches('.counter') ? 'tile ' + place.dataset.counter : 'row ' + place.dataset.seq);
    }
    return places;
}"""

# The waiting counts: each one's box (its letter, count and unit), its unit's size, the panel's inner box.
WAITING_LINE = """() => {
    const box = (e) => { const r = e.getBoundingClientRect();
                         return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
    const panel = document.getElementById('waiting').parentElement, cs = getComputedStyle(panel);
    const outer = box(panel), px = (n) => parseFloat(cs[n]);
    return {
        panel: { left: outer.left + px('borderLeftWidth'), right: outer.right - px('borderRightWidth'),
                 top: outer.top + px('borderTopWidth'), bottom: outer.bottom - px('borderBottomWidth') },
        counts: [...document.querySelectorAll('#waiting li')].map((li) => ({
            text: li.querySelector('.code').textContent + ' ' + li.querySelector('.count').firstChild.textContent, li: box(li), unit: parseFloat(getComputedStyle(li.querySelector('.unit')).fontSize),
            parts: [...li.querySelectorAll('.code, .count, .unit')].map(box) })),
    };
}"""

# The waiting counts' places, the list's column-gap and each count's right margin, as drawn.
SPACING = """() => ({
    gap: getComputedStyle(document.getElementById('waiting')).columnGap,
    counts: [...document.querySelectorAll('#waiting li')].map((li) => {
        const r = li.getBoundingClientRect();
        return { left: r.left, right: r.right, top: r.top, margin: parseFloat(getComputedStyle(li).marginRight) };
    }),
})"""
DONE = {"solution": "Selesai dijelaskan", "category": "pertanyaan", "priority_class": "P3"}
MARKER = {"id": "Panggilan ke-2", "en": "Call 2"}


# The module's server: its TVs hear no ping (pageclock.CALM_NUMBERS), so a TV's clock is moved past a call's flash
# (6 s) in one call, its socket's heartbeat far off; and it takes an admin's sound check every 0.1 s, not every 3 s
# (admin_api.TEST_CALL_SECONDS): each of the six tests of the sound check's spacing waited out the 3 s since the
# test before's, asked again on every 429 (sound_check). Not what any test here is about.
NUMBERS = {**CALM_NUMBERS, "admin_api.TEST_CALL_SECONDS": 0.1}
# The office's own chime ([tts] chime), silent, a tenth of a second: a called tile is outlined (.calling: its border's
# colour and shadow, nothing moved) while its chime sounds, in real time, and SETTLED waits for that to end; the
# built-in chime's 1.05 s was waited out for each call and recall.
CHIME_S = 0.1


@pytest.fixture(scope="module")
def hundreds(tmp_path_factory):
    """Ten counters (4, 5 and 8 named "Loket N – Registrasi & Verifikasi Akun"), serving A, B and C, in the states of
    test_display_many_counters.RECALLS; 110 tickets issued for each service, so that over a hundred wait for each."""
    extra = "".join(
        f'\n[[counters]]\nid = {i}\nname = "{NAMES[i]}"\nservices = ["A", "B", "C"]\n' for i in range(4, 11)
    )
    tmp = tmp_path_factory.mktemp("dense-limits")
    config = write_config(
        tmp,
        {
            "[tts]\nenabled = true": "[tts]\nenabled = false",
            **short_chime(tmp, CHIME_S),
            "counter_release_minutes = 10": "counter_release_minutes = 1440",  # no officer's page is open
            "rate_limit_per_minute = 120": "rate_limit_per_minute = 100000",  # 330 tickets from this address
        },
        extra,
    )
    server = LiveServer(config, numbers=NUMBERS).start()
    with requests.Session() as s:
        for service in "ABC" * 110:
            r = s.post(f"{server.url}/api/tickets", json=visitor(service=service), timeout=5)
            assert r.status_code == 201, r.text
    in_recalls_states(server, "", "padat")
    yield server
    server.stop()


def settle(page, server, query: str) -> None:
    open_display(page, server, query)
    caught_up(page, server)
    page.wait_for_function(SETTLED, timeout=15_000, polling=50)
    page.evaluate("document.fonts.ready")


def assert_waiting_on_one_line(page, size, where: str) -> None:
    m = page.evaluate(WAITING_LINE)
    counts = m["counts"]
    assert len(counts) == 3 and all(len(c["text"].split()[1]) == 3 for c in counts), (where, counts)  # "A 106…"
    tops = {round(c["li"]["top"]) for c in counts}
    assert len(tops) == 1, f"{where}: the waiting counts on {len(tops)} lines: {[c['text'] for c in counts]}"
    for c in counts:
        assert c["unit"] >= READABLE_PX - 0.05, (where, c)
        for rect in (c["li"], *c["parts"]):
            assert inside(rect, m["panel"]) and rect["right"] <= size[0], f"{where}: {c['text']} {rect} past {m}"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_newest_call_names_its_long_counter_whole_on_an_old_4_3_monitor(browser, hundreds, lang):
    """Ten counters at 1024x768: Loket 8 ("Loket 8 – Registrasi & Verifikasi Akun") calls its next visitor and calls
    again: during the flash and after it, its name is whole on the screen (its row: "→ Loket 8", the rest of the name
    under it, "Panggilan ke-2" under that), every word 24 px or more, every text readable, every recall said."""
    server, size = hundreds, (1024, 768)
    page = new_page(browser, size)
    install_clock(page)  # the flash's end is moved on, not waited for
    try:
        settle(page, server, f"?lang={lang}")
        pause_clock(page, 0.25)  # the flash ends only as the test moves the clock, not in a loaded machine's 5 s
        for action in ("start", "resolve", "call-next", "recall"):
            r = server.sessions[8].post(
                f"{server.url}/api/counters/8/{action}", json=DONE if action == "resolve" else {}, timeout=5
            )
            assert r.status_code == 200, (action, r.text)
        label = r.json()["ticket"]["label"]
        page.locator(f"{tile(8)}.flash").wait_for()
        caught_up(page, server)
        keep_shot(page, f"name-1024x768-{lang}-during.png")
        for when in ("during the flash", "after it"):
            where = f"1024x768, {lang}, {when}"
            newest = page.evaluate(
                "() => { const li = document.querySelector('#recent li'); return [li.querySelector('.label')"
                ".textContent, (li.querySelector('.nth') || {}).textContent, li.dataset.seq]; }"
            )
            assert newest[:2] == [label, MARKER[lang]], (where, newest)
            places = page.evaluate(NAME_DRAWN, [NAMES[8], READABLE_PX])
            assert places, f"{where}: {NAMES[8]!r} is whole nowhere on the screen"
            assert f"row {newest[2]}" in places, (where, places)
            assert_readable(page, size, where)
            assert_recalls_said(page, server, 10, lang, where)
            if when == "during the flash":
                page.clock.fast_forward(6000)
                page.wait_for_function(SETTLED, timeout=10_000, polling=50)
        keep_shot(page, f"name-1024x768-{lang}-after.png")
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(
    ("size", "count"),
    [((768, 1366), 8), ((768, 1366), 9), ((768, 1366), 10), ((1080, 1920), 10)],
    ids=["768x1366-8", "768x1366-9", "768x1366-10", "1080x1920-10"],
)
def test_three_counts_of_three_digits_keep_one_line_on_a_tv_on_its_side(browser, hundreds, size, count, lang):
    """Over a hundred waiting for each of A, B and C, eight to ten counters on an upright monitor (and ten on a TV on
    its side at 1080x1920): "A 106 orang", "B 107 orang", "C 107 orang" on one line, each whole in its panel, the unit
    24 px or more, every text readable (24 px or more, whole, over no other) and the latest calls two whole rows."""
    page = new_page(browser, size)
    where = f"{size[0]}x{size[1]}, {count} counters, {lang}"
    try:
        query = f"counters={','.join(str(i) for i in range(1, count + 1))}&" if count < 10 else ""
        settle(page, hundreds, f"?{query}lang={lang}")
        keep_shot(page, f"waiting-{size[0]}x{size[1]}-{count}-{lang}.png")
        assert_waiting_on_one_line(page, size, where)
        assert_readable(page, size, where)
        rows = page.evaluate(
            "() => { const p = document.getElementById('recent').parentElement.getBoundingClientRect().bottom;"
            " return [...document.querySelectorAll('#recent li')].map((li) => li.getBoundingClientRect().bottom <= p); }"
        )
        assert len(rows) >= 2 and all(rows), (where, rows)
    finally:
        page.context.close()


@pytest.mark.parametrize(("size", "count"), [((768, 1366), 10), ((1080, 1920), 3), ((1280, 720), 10)])
def test_the_counts_side_by_side_are_spaced_without_the_flex_gap_old_tvs_ignore(browser, hundreds, size, count):
    """On a TV on its side (ten counters, or three) and among ten counters at 1280x720 (by letter, side by side), two
    counts on a line are apart by the first one's right margin; with the list's gap taken away, as Chromium 79-83
    does (it ignores a flex box's column-gap), every count stays where it was: the spacing does not rest on it."""
    page = new_page(browser, size)
    where = f"{size[0]}x{size[1]}, {count} counters"
    try:
        query = f"?counters={','.join(str(i) for i in range(1, count + 1))}" if count < 10 else ""
        settle(page, hundreds, query)
        before = page.evaluate(SPACING)
        counts = before["counts"]
        pairs = [i for i in range(len(counts) - 1) if round(counts[i]["top"]) == round(counts[i + 1]["top"])]
        assert pairs, f"{where}: no two counts side by side: {counts}"
        page.evaluate(  # what Chromium 79-83 draws: no column-gap in a flex box
            "() => { const s = document.getElementById('waiting').style;"
            " for (const p of ['gap', 'column-gap', 'row-gap']) s.setProperty(p, '0px', 'important'); }"
        )
        old = page.evaluate(SPACING)
        assert old["gap"] == "0px", (where, old)
        for i in pairs:
            a, b = old["counts"][i], old["counts"][i + 1]
            apart = b["left"] - a["right"]
            assert apart >= 10, f"{where}: without the flex gap two counts are {apart:.1f} px apart: {a}, {b}"
            assert abs(apart - a["margin"]) < 0.5, (where, a, b)  # by the first one's margin
        assert old["counts"] == counts, f"{where}: the counts moved without the flex gap: {counts} -> {old['counts']}"
        assert before["gap"] in ("normal", "0px"), f"{where}: the counts spaced by the flex box's gap {before['gap']}"
    finally:
        page.context.close()


# Every flex box of the page with a gap set: Chromium 79-83 ignores it there (a grid's it honours).
FLEX_GAPS = """() => [...document.querySelectorAll('*')].filter((e) => {
    const cs = getComputedStyle(e);
    return /flex/.test(cs.display) && [cs.columnGap, cs.rowGap].some((g) => g !== 'normal' && g !== '0px');
}).map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}: ${getComputedStyle(e).gap}`)"""

# What Chromium 79-83 draws: no gap in any flex box of the page (a grid keeps its own); FLEX_GAP_BACK: as before.
NO_FLEX_GAP = """() => { window.__noGap = [];
    for (const e of document.querySelectorAll('*')) {
        if (!/flex/.test(getComputedStyle(e).display)) continue;
        for (const p of ['gap', 'column-gap', 'row-gap']) e.style.setProperty(p, '0px', 'important');
        __noGap.push(e);
    } }"""
FLEX_GAP_BACK = (
    """() => __noGap.forEach((e) => ['gap', 'column-gap', 'row-gap'].forEach((p) => e.style.removeProperty(p)))"""
)

# The neighbours a flex box lines up, each pair with the space meant between them (the flex gaps they had, in rem):
# the header's logo, office, badge (while shown) and clock (a flex box but on a TV on its side, a grid there), the
# sound banner's icon and words, the test call's three lines (top to bottom), a tile's number and the recall's
# "Panggilan ke-2" beside it (.sub-beside).
NEIGHBOURS = """() => {
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
    const box = (e) => { const r = e.getBoundingClientRect();
                         return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
    const shown = (e) => getComputedStyle(e).display !== 'none' && e.getClientRects().length > 0;
    const pairs = [];
    const add = (where, across, items, space) => {
        const s = items.filter(shown);
        for (let i = 0; i + 1 < s.length; i++)
            pairs.push({ where, across, space: space * rem, a: box(s[i]), b: box(s[i + 1]) });
    };
    const top = document.querySelector('.top');
    if (getComputedStyle(top).display === 'flex') add('header', true, [...top.children], 1);
    add('sound banner', true, [...document.getElementById('sound-banner').children], 1);
    add('test call', false, [...document.getElementById('test-call').children], 0.75);
    for (const t of document.querySelectorAll('.counter.sub-beside'))
        add('tile ' + t.dataset.counter, true, [t.querySelector('.ticket-label'), t.querySelector('.ticket-sub')], 0.8);
    return pairs;
}"""


def sound_check(server) -> None:
    """The admin's sound check (POST /api/admin/voice/test-call): one every admin_api.TEST_CALL_SECONDS on a server
    (this module's: 0.1 s, NUMBERS), so asked again until the server takes it (the module's previous one, a test
    before, less than that ago)."""
    admin = getattr(server, "admin", None)
    if admin is None:
        server.add_user("kepala-gap", "admin")
        admin = server.admin = server.session("kepala-gap", "rahasia-123")
    deadline = time.monotonic() + 10
    while True:
        r = admin.post(f"{server.url}/api/admin/voice/test-call", json={"label": "B-7", "counter_id": 2}, timeout=5)
        if r.status_code != 429 or time.monotonic() > deadline:
            break
        time.sleep(0.1)  # until the server's wait is past: it says when (429), not a wait of the page's
    assert r.status_code == 200, r.text


def assert_spaced(pairs, where: str) -> None:
    """Each neighbouring pair as far apart as meant (its space, less half a pixel): every pair that is not, told."""
    close = []
    for p in pairs:
        a, b = p["a"], p["b"]
        apart = b["left"] - a["right"] if p["across"] else b["top"] - a["bottom"]
        if apart < p["space"] - 0.5:
            close.append(f"{p['where']}: {apart:.1f} px apart ({p['space']:.1f} meant): {a}, {b}")
    assert not close, f"{where}: neighbours touching, over each other or closer than meant: " + "; ".join(close)


@pytest.mark.parametrize(
    ("size", "count"),
    [((1920, 1080), 3), ((1366, 768), 10), ((1024, 768), 10), ((1280, 720), 10), ((768, 1366), 10), ((1080, 1920), 3)],
    ids=["1920x1080-3", "1366x768-10", "1024x768-10", "1280x720-10", "768x1366-10", "1080x1920-3"],
)
def test_the_header_banner_sound_check_and_recall_marker_keep_their_spacing_without_the_flex_gap(
    browser, hundreds, size, count
):
    """Chromium 79-83 (an old TV stick's) ignores the gap of a flex box: the header's logo, office, connection badge
    and clock, the sound banner's icon and words, the admin's sound check's lines and a recall's "Panggilan ke-2"
    beside its number on a low tile were spaced by it and touched there. With every flex box's gap taken away, as those
    browsers do (the sound check shown, the sound waiting for a tap: its banner shown; then offline: the badge shown),
    each neighbouring pair is as far apart as meant, nothing over another, nothing moved; no flex box has a gap."""
    page = new_page(browser, size)
    page.add_init_script(AUTOPLAY_BLOCKED)  # the sound waits for a tap: the banner stays
    gate = SocketGate(page)
    where = f"{size[0]}x{size[1]}, {count} counters"
    try:
        query = f"?counters={','.join(str(i) for i in range(1, count + 1))}" if count < 10 else ""
        settle(page, hundreds, query)
        sound_check(hundreds)
        page.locator("#test-call").wait_for()
        page.locator("#sound-banner").wait_for()
        for state in ("online", "offline"):
            if state == "offline":
                gate.cut()
                page.wait_for_function("() => document.body.classList.contains('offline')", polling=50)
                page.locator("#status-badge").wait_for()
            at = f"{where}, {state}"
            before = page.evaluate(NEIGHBOURS)
            kinds = {p["where"].split()[0] for p in before}
            header = 3 if state == "offline" else 2  # logo | office | (badge |) clock
            assert {"sound", "test"} <= kinds and len([p for p in before if p["where"] == "test call"]) == 2, (
                at,
                before,
            )
            assert len([p for p in before if p["where"] == "header"]) == (header if size[0] > size[1] else 0), (
                at,
                kinds,
            )
            if count == 10:  # low tiles: the recalls' markers beside their numbers
                assert "tile" in kinds, f"{at}: no recall's marker beside its number: {before}"
            gaps = page.evaluate(FLEX_GAPS)
            page.evaluate(NO_FLEX_GAP)
            after = page.evaluate(NEIGHBOURS)
            assert_spaced(after, f"{at}, without the flex gap")
            assert after == before, f"{at}: moved without the flex gap: {before} -> {after}"
            assert gaps == [], f"{at}: flex boxes spaced by their gap, which Chromium 79-83 ignores: {gaps}"
            page.evaluate(FLEX_GAP_BACK)
        keep_shot(page, f"no-flex-gap-{size[0]}x{size[1]}-{count}.png")
    finally:
        page.context.close()
