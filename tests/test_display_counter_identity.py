"""Ten counters with names of 100 characters on the TV, read across a room, on a real server in Chromium: each tile
keeps its counter's short identity ("Loket 3") whole and as large as a short name, beside its status, and only the
rest of the name is cut with "…"; the number stays the largest text, whole, over by nothing.

Real offices name their counters "Loket 3 - Layanan Konsultasi Pengguna SPSE dan Registrasi Akun Penyedia". With
ten such names the whole name was cut with "…" on one line in condensed letters at 1.2 units (the smallest a long
name may be), its status on a line of its own; a name that ends with its identity ("Layanan … - Loket 5") lost it
to the "…" altogether, and the tile said nowhere which counter it was. Measured at 1920x1080, 1366x768, 1280x720 and
on a TV on its side (1080x1920), during a call's flash and after it.
"""

from __future__ import annotations

import pytest
import requests
from conftest import visitor, write_config
from live import LiveServer
from pageclock import CALM_NUMBERS, install_clock, pause_clock
from test_display_page import short_chime
from test_display_readability import (
    READABLE_PX,
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

SUBJECTS = {
    1: "Layanan Konsultasi Pengguna SPSE dan Registrasi Akun Penyedia",
    2: "Layanan Verifikasi Berkas Penyedia Barang/Jasa dan Pengaduan",
    3: "Layanan Konsultasi Non-Penyedia (PPK, Pokja Pemilihan dan PP)",
    4: "Layanan Pelatihan E-Purchasing dan Katalog Elektronik Lokal",
    5: "Layanan Helpdesk Aplikasi SiRUP, SPSE dan E-Kontrak Daerah",
    6: "Layanan Pendaftaran dan Aktivasi Akun Agency / Instansi Baru",
    7: "Layanan Konsultasi Tender Cepat dan Seleksi Konsultansi",
    8: "Layanan Pengaduan Masyarakat dan Informasi Pengadaan Umum",
    9: "Layanan Konsultasi Swakelola dan Pengadaan Darurat Bencana",
    10: "Layanan Registrasi Ulang Akun Penyedia dan Reset Password",
}
ENDING = (5, 8)  # named "Layanan … - Loket 5": the identity at the end


def counter_name(i: int) -> str:
    """The counter's name, 100 characters: "Loket 3 - Layanan …" (or "Layanan … - Loket 5")."""
    key = f"Loket {i}"
    filler = f"{SUBJECTS[i]} Kabupaten Contoh Tengah Raya Sulawesi Utara"
    if i in ENDING:
        return filler[: 100 - len(key) - 3].rstrip().ljust(100 - len(key) - 3, ".") + " - " + key
    return (f"{key} - {filler}")[:100].rstrip().ljust(100, ".")


NAMES = {i: counter_name(i) for i in range(1, 11)}
SIZES = [(1920, 1080), (1366, 768), (1280, 720), (1080, 1920)]
# The office's own chime ([tts] chime), silent, a tenth of a second: a called tile is outlined (.calling: its border's
# colour and shadow, nothing moved) while its chime sounds, in real time, and SETTLED waits for that to end; the
# built-in chime's 1.05 s was waited out at each call (three in a test of a last call).
CHIME_S = 0.1
DONE = {"solution": "Selesai dijelaskan", "category": "pertanyaan", "priority_class": "P3"}

# Where the characters of `needle` in a tile's name are drawn, and whether each is on the screen: inside every box
# that clips it (a clamped line's box, the tile), in the size it has. A character cut by "…" or on a line the clamp
# hides is outside its box (or has no box at all).
SHOWN = """([counter, needle]) => {
  const t = document.querySelector(`.counter[data-counter="${counter}"]`);
  const name = t.querySelector('.counter-name');
  const at = name.textContent.indexOf(needle);
  if (at < 0) return {found: false};
  const nodes = [];
  const walk = document.createTreeWalker(name, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(), pos = 0; n; n = walk.nextNode()) { nodes.push([n, pos]); pos += n.data.length; }
  const box = (r) => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom});
  const chars = [];
  for (let i = at; i < at + needle.length; i++) {
    if (!needle[i - at].trim()) continue;
    const [node, pos] = nodes.filter(([, p]) => p <= i).pop();
    const range = document.createRange();
    range.setStart(node, i - pos);
    range.setEnd(node, i - pos + 1);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0).map(box);
    const clips = [];
    for (let e = node.parentElement; e && e !== t.parentElement; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display !== 'contents' && (cs.overflowX !== 'visible' || cs.overflowY !== 'visible')) {
        clips.push(box(e.getBoundingClientRect()));
      }
    }
    const px = parseFloat(getComputedStyle(node.parentElement).fontSize);
    chars.push({ch: needle[i - at], rects, clips, px, hidden: getComputedStyle(node.parentElement).display === 'none'});
  }
  const rect = (sel) => [...t.querySelectorAll(sel)].flatMap((e) => [...e.getClientRects()].map(box));
  const label = t.querySelector('.ticket-label');
  return {
    found: true, chars, tile: box(t.getBoundingClientRect()),
    number: {rects: rect('.ticket-label'), px: parseFloat(getComputedStyle(label).fontSize), text: label.textContent,
             cut: label.scrollWidth > label.clientWidth + 0.5},
    status: rect('.counter-status'),
    texts: [...t.querySelectorAll('.counter-head *, .ticket-sub')]
      .filter((e) => e.getClientRects().length && e.textContent.trim())
      .map((e) => parseFloat(getComputedStyle(e).fontSize)),
  };
}"""


@pytest.fixture(scope="module")
def ten(tmp_path_factory):
    """Ten counters serving A, B and C, each named with 100 characters: Loket 1 to 9 calling a ticket (3 and 4
    serving it), Loket 10 free for a call in each test."""
    assert all(len(n) == 100 for n in NAMES.values()), {i: len(n) for i, n in NAMES.items()}
    counters = "".join(
        f'\n[[counters]]\nid = {i}\nname = "{NAMES[i]}"\nservices = ["A", "B", "C"]\n' for i in range(4, 11)
    )
    tmp = tmp_path_factory.mktemp("tv-identity")
    config = write_config(
        tmp,
        {
            "[tts]\nenabled = true": "[tts]\nenabled = false",
            **short_chime(tmp, CHIME_S),
            "counter_release_minutes = 10": "counter_release_minutes = 1440",  # no officer's page is open
            'name = "Loket 1"': f'name = "{NAMES[1]}"',
            'name = "Loket 2"': f'name = "{NAMES[2]}"',
            'name = "Loket 3"': f'name = "{NAMES[3]}"',
        },
        counters,
    )
    # its TVs hear no ping (pageclock.CALM_NUMBERS): a TV's clock is moved on past a flash (6 s) in one call, its
    # socket's heartbeat far off. Pinged every 7 s, 6 s at once, up to 7 s after the last ping, left under a second of
    # the heartbeat's 14 (two in a row passed it), and a dropped connection's snapshot redraws the TV; pinged every
    # quarter second, moved in steps each just after a ping (pageclock.run_clock_for), each move waited for pings.
    server = LiveServer(config, numbers=CALM_NUMBERS).start()
    assert [c["name"] for c in state(server)["counters"]] == [NAMES[i] for i in range(1, 11)]
    for service in "ABC" * 5:
        assert requests.post(f"{server.url}/api/tickets", json=visitor(service=service), timeout=5).status_code == 201
    server.sessions = {}
    for counter_id in range(1, 11):
        server.add_user(f"id{counter_id}", "officer")
        server.sessions[counter_id] = server.session(f"id{counter_id}", "rahasia-123")
    for counter_id, action in [*((i, "call-next") for i in range(1, 10)), (3, "start"), (4, "start")]:
        r = server.sessions[counter_id].post(f"{server.url}/api/counters/{counter_id}/{action}", json={}, timeout=5)
        assert r.status_code == 200, (counter_id, action, r.text)
    yield server
    server.stop()


def assert_identities(page, size, when: str) -> None:
    """Every tile with a ticket: "Loket N" whole on the screen, at least 1.4 units (a short name's smallest size), by
    nothing drawn over; some of the rest of its name shown; its number whole, inside its tile, at least 3 units and
    twice every other text of the tile."""
    unit = min(size) / 54
    for i in range(1, 11):
        key = f"Loket {i}"
        where = f"{size[0]}x{size[1]}, {when}, {key}"
        m = page.evaluate(SHOWN, [i, key])
        assert m["found"], where
        number = m["number"]
        assert number["text"] != "—", f"{where}: no ticket"
        assert not number["cut"] and all(inside(r, m["tile"]) for r in number["rects"]), f"{where}: {number}"
        assert number["px"] >= 3 * unit - 0.2, f"{where}: the number at {number['px']} px"
        assert all(number["px"] >= 2 * px - 0.5 for px in m["texts"]), f"{where}: {number['px']} px, {m['texts']}"
        for c in m["chars"]:
            assert not c["hidden"] and c["rects"], f"{where}: {c['ch']!r} of {key!r} not drawn"
            for r in c["rects"]:
                assert all(inside(r, clip) for clip in [m["tile"], *c["clips"]]), f"{where}: {c['ch']!r} cut off"
                for other in [*number["rects"], *m["status"]]:
                    assert overlap(r, other) < 1, f"{where}: {c['ch']!r} drawn over"
            assert c["px"] >= 1.4 * unit - 0.2, f"{where}: {key!r} at {c['px']} px ({c['px'] / unit:.2f} units)"
        if 1.2 * unit < READABLE_PX:  # 1366x768, 1280x720: at 24 px the rest may give way ("Loket 3 …"), not "Loket N"
            continue
        rest = NAMES[i].replace(key, "").strip(" -").split()[0]  # the rest's first word: "Layanan"
        shown = page.evaluate(SHOWN, [i, rest])
        assert shown["found"] and all(
            c["rects"] and all(inside(r, clip) for r in c["rects"] for clip in [shown["tile"], *c["clips"]])
            for c in shown["chars"]
        ), f"{where}: the rest of the name is not shown ({rest!r})"


# The latest calls' rows: each row's number, its counter's identity ("Loket N", .name-key) and its time, their boxes
# and sizes, whether each is cut, and the panel's box. A row that does not say the identity apart has no key.
RECENT_KEYS = """() => {
  const box = (e) => { const r = e.getBoundingClientRect();
                       return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  const part = (e) => e && {text: e.textContent, box: box(e), px: parseFloat(getComputedStyle(e).fontSize),
                            cut: e.scrollWidth > e.clientWidth + 0.5 || e.scrollHeight > e.clientHeight + 0.5};
  return {
    panel: box(document.getElementById('recent').parentElement),
    rows: [...document.querySelectorAll('#recent li:not(.none)')].map((li) => ({
      row: box(li), flash: li.classList.contains('flash'), name: li.querySelector('.to').textContent,
      label: part(li.querySelector('.label')), to: part(li.querySelector('.to')),
      key: part(li.querySelector('.to .name-key')), time: part(li.querySelector('.time')),
      nth: (li.querySelector('.nth') || {}).textContent || '' })),
  };
}"""


def assert_latest_calls(page, size, when: str, label: str) -> None:
    """At least three whole rows in the latest calls on a TV on its side (two in landscape), the newest `label`'s recall ("Panggilan ke-2") first; in each
    row its counter's "Loket N" whole, at least 1.6 units, inside its row and its panel, and the number and the time
    whole."""
    unit = min(size) / 54
    where = f"{size[0]}x{size[1]}, {when}"
    m = page.evaluate(RECENT_KEYS)
    rows = m["rows"]
    # the calls the TV knows (the snapshot's newest call of each of the last ten tickets called: after this module's
    # other tests, Loket 10's)
    known = page.evaluate("new Set(antrianDisplay.state.recent.map((r) => r.label)).size")
    assert len(rows) >= min(3 if size[1] > size[0] else 2, known), (
        f"{where}: {len(rows)} row(s) in the latest calls: {[r['label']['text'] for r in rows]}"
    )
    assert (rows[0]["label"]["text"], rows[0]["nth"]) == (label, "Panggilan ke-2"), (where, rows[0])
    for r in rows:
        at = f"{where}, {r['label']['text']}"
        i = next(i for i, name in NAMES.items() if r["name"] == "→\u00a0" + name)
        key = r["key"]
        assert key and key["text"] == f"Loket {i}" and not key["cut"], f"{at}: {key}"
        assert inside(key["box"], r["to"]["box"]) and inside(key["box"], r["row"]), f"{at}: Loket {i} cut off"
        assert key["px"] >= 1.6 * unit - 0.2, f"{at}: Loket {i} at {key['px'] / unit:.2f} units"
        assert inside(r["row"], m["panel"]), f"{at}: the row past its panel"
        assert not r["label"]["cut"] and not r["time"]["cut"], at
        assert r["label"]["box"]["right"] <= key["box"]["left"] and key["box"]["right"] <= r["time"]["box"]["left"], at


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_latest_calls_keep_their_rows_and_each_counters_identity_among_ten_long_names(browser, ten, size):
    """Loket 10 calls a visitor twice: on a TV on its side the latest calls show at least the last three calls, each
    with its counter's "Loket N" whole (the rest of the name cut to its line with "…", as on the tiles), during the
    recall's flash and after it; in landscape two at least, as before. On its side the panel showed one row, the
    recall's four lines ("→ Loket 10 - Layanan …" on three, then "Panggilan ke-2"), and empty space under it, also
    when the calls before it were over (their rows gave way and took the older calls' places with them)."""
    page = new_page(browser, size)
    install_clock(page)  # the flash's end (a timer of the page) is moved on, not waited for
    officer = ten.sessions[10]
    try:
        open_display(page, ten)
        # the page's time stands still from here (a quarter second on), moved only by the test: on a running clock a
        # loaded machine's 5 s between the call's event and the look for its flash ended the flash first
        pause_clock(page, 0.25)
        page.evaluate("document.fonts.ready")
        r = requests.post(f"{ten.url}/api/tickets", json=visitor(service="B"), timeout=5)
        assert r.status_code == 201, r.text
        label = officer.post(f"{ten.url}/api/counters/10/call-next", json={}, timeout=5).json()["ticket"]["label"]
        r = officer.post(f"{ten.url}/api/counters/10/recall", json={}, timeout=5)
        assert r.status_code == 200 and r.json()["ticket"]["calls"] == 2, r.text
        caught_up(page, ten)
        page.locator(f"{tile(10)}.flash").wait_for()
        page.locator("#recent li.flash").wait_for()
        assert_latest_calls(page, size, "during the flash", label)
        page.clock.fast_forward(6000)
        page.wait_for_function(SETTLED, timeout=10_000, polling=50)
        assert_latest_calls(page, size, "after it", label)
    finally:
        page.context.close()
        for action, body in (("start", {}), ("resolve", DONE)):
            officer.post(f"{ten.url}/api/counters/10/{action}", json=body, timeout=5)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_ten_long_counter_names_keep_their_identity_whole_during_a_call_and_after(browser, ten, size):
    page = new_page(browser, size)
    install_clock(page)  # the flash's end (a timer of the page) is moved on, not waited for
    officer = ten.sessions[10]
    try:
        open_display(page, ten)
        pause_clock(page, 0.25)  # as above: the flash ends only as the test moves the clock
        page.evaluate("document.fonts.ready")
        r = officer.post(f"{ten.url}/api/counters/10/call-next", json={}, timeout=5)
        assert r.status_code == 200, r.text
        caught_up(page, ten)
        page.locator(f"{tile(10)}.flash").wait_for()
        assert_identities(page, size, "during the call")
        page.clock.fast_forward(6000)
        page.wait_for_function(SETTLED, timeout=10_000, polling=50)
        assert_identities(page, size, "after the call")
    finally:
        page.context.close()
        for action, body in (("start", {}), ("resolve", DONE)):
            officer.post(f"{ten.url}/api/counters/10/{action}", json=body, timeout=5)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_last_call_among_ten_long_names_is_said_on_its_tile_beside_its_number(browser, ten, size):
    """Loket 10 calls a visitor three times: "Panggilan ke-3 (terakhir)" is on its tile, beside its number, whole and
    at least 1.2 units, drawn over nothing, during the third call's flash and after it; the number keeps the size it
    had at the first call (the rest of the name is what gives way) and every tile keeps its identity (as above).
    The tile had no room for it: it read like every other called tile, and only its row in the latest calls said
    it was the last call."""
    unit = min(size) / 54
    page = new_page(browser, size)
    install_clock(page)  # the flash's end (a timer of the page) is moved on, not waited for
    officer = ten.sessions[10]
    sub = page.locator(f"{tile(10)} .ticket-sub")
    try:
        open_display(page, ten)
        pause_clock(page, 0.25)  # as above: the flash ends only as the test moves the clock
        page.evaluate("document.fonts.ready")
        r = requests.post(f"{ten.url}/api/tickets", json=visitor(service="A"), timeout=5)
        assert r.status_code == 201, r.text
        r = officer.post(f"{ten.url}/api/counters/10/call-next", json={}, timeout=5)
        assert r.status_code == 200, r.text
        caught_up(page, ten)
        page.clock.fast_forward(6000)
        page.wait_for_function(SETTLED, timeout=10_000, polling=50)
        first = page.evaluate(
            f"() => parseFloat(getComputedStyle(document.querySelector('{tile(10)} .ticket-label')).fontSize)"
        )
        for _ in range(2):
            r = officer.post(f"{ten.url}/api/counters/10/recall", json={}, timeout=5)
            assert r.status_code == 200, r.text
        assert r.json()["ticket"]["calls"] == 3
        caught_up(page, ten)
        page.locator(f"{tile(10)}.flash").wait_for()
        for when in ("during the flash", "after it"):
            where = f"{size[0]}x{size[1]}, {when}"
            assert sub.text_content() == "Panggilan ke-3 (terakhir)", where
            assert_identities(page, size, when)
            (t,) = [t for t in page.evaluate(TILE_TEXTS) if t["id"] == 10]
            parts = {p["part"]: p for p in t["parts"]}
            assert "sub" in parts and not parts["sub"]["cut"], f"{where}: the last call is not on its tile ({t})"
            marker, number = parts["sub"], parts["number"]
            assert marker["px"] >= 1.2 * unit - 0.05, f"{where}: {marker['px'] / unit:.2f} units"
            assert number["px"] >= first - 0.5, f"{where}: the number {number['px']} px, {first} px at the first call"
            for r in marker["rects"]:
                assert inside(r, t["box"]), f"{where}: {r} past {t['box']}"
                assert r["left"] >= max(q["right"] for q in number["rects"]) - 0.5, f"{where}: not beside the number"
                for other in (p for p in t["parts"] if p is not marker):
                    drawn = max((overlap(r, q) for q in other["rects"]), default=0)
                    assert drawn < 1, f"{where}: over the {other['part']}"
            page.clock.fast_forward(6000)
            page.wait_for_function(SETTLED, timeout=10_000, polling=50)
    finally:
        page.context.close()
        for action, body in (("start", {}), ("resolve", DONE)):
            officer.post(f"{ten.url}/api/counters/10/{action}", json=body, timeout=5)
