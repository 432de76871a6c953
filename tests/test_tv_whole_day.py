"""The waiting-room TV through a whole day, as visitors 4-6 m away see it, on a real server with its clock moved
(tests/live.py ClockedServer) and in Chromium, at 1920x1080 and on a cheap 1366x768 TV:

- an office named with the 200 characters the settings allow: the header cuts it with "…" after its last whole
  word that fits, online and while the red OFFLINE badge takes its room. The browser's own cut (line-clamp) put
  "…" where the letters ran out: offline at 1366x768 the header read "… Pemerintah Kabupat…";
- the morning with nothing called, the first call, calls at three counters within a second, a recall, a skip and
  its requeue, a transfer, a counter on a break while serving, the admin renaming a counter and a service, the
  server restarting, the network gone for two minutes with a call made meanwhile, the evening and the next
  morning: after each, the TV that stayed open shows what a TV opened then shows (tiles, latest calls, waiting
  counts), every tile whole with its number at least twice its texts, each call announced once (the one made
  while the TV was away, once it is back), and the OFFLINE badge while the server or the network is away.
"""

from __future__ import annotations

import re

import pytest
import requests
from conftest import SocketGate, visitor, write_config
from live import ClockedServer
from pageclock import CALM_NUMBERS
from test_display_page import short_wav
from test_display_readability import assert_tiles_whole, caught_up, new_page, open_display, state, tile

OFFICE_WORDS = (
    "Layanan Pengadaan Secara Elektronik Pemerintah Kabupaten Contoh Provinsi Nusa Tenggara Timur "
    "Unit Kerja Pengadaan Barang dan Jasa Sekretariat Daerah Bagian Pembangunan dan Perekonomian "
)
OFFICE = (OFFICE_WORDS * 2)[:199] + "."  # the longest [office] name the settings allow
LONG_COUNTER = "Loket Pelayanan Registrasi dan Verifikasi Akun Penyedia Barang Jasa Pemerintah Kabupaten Contoh Ti 2"
SIZES = [(1920, 1080), (1366, 768)]
FLASH_MS = 5000  # a call's flash (display.js FLASH_MS)
CUT_BEFORE = re.compile(r"[\s,;:.\-\u2013\u2014\u00b7]*\s")  # what may follow a name cut after a whole word

HEADER_NAME = """() => {
  const h = document.getElementById('office-name'), fs = parseFloat(getComputedStyle(h).fontSize);
  const shown = h.querySelector('.cut-shown');
  return {
    text: h.textContent,
    drawn: h.getClientRects().length > 0,
    shown: h.innerText.replace(/\\s+/g, ' ').trim(),  // the words drawn: not the rest, not the "…" after them
    after: shown ? getComputedStyle(shown, '::after').content : '',
    // the browser cuts it (line-clamp, text-overflow): its "…" goes where the letters run out
    clamped: h.scrollWidth > h.clientWidth + 0.5 || h.scrollHeight > h.clientHeight + fs * 0.2,
    px: fs,
    badge: getComputedStyle(document.getElementById('status-badge')).display !== 'none'
      && document.getElementById('status-badge').getClientRects().length > 0,
  };
}"""

SCREEN = """() => ({
  tiles: [...document.querySelectorAll('.counter')].map((c) => c.innerText.replace(/\\s+/g, ' ').trim()),
  recent: [...document.querySelectorAll('#recent li')].map((l) => l.innerText.replace(/\\s+/g, ' ').trim()),
  waiting: [...document.querySelectorAll('#waiting li')].map((l) => l.innerText.replace(/\\s+/g, ' ').trim()),
})"""


# The page's socket.io tries to reconnect (TRYING, installed before a cut), and what the test does next while it is
# away (BACK_NEXT), on the page's clock: "online"; "wait": between two tries, the next one's timer set (socket.io's
# back-off, up to 5 s); "stale": a try begun while the network was gone, refused or left unanswered (its connect
# timeout, 8 s); nothing while a try begun since the network came back (or one that got through) is on its way.
TRYING = """() => {
  window.__trying = null;
  const m = antrianDisplay.socket.io;
  m.on("reconnect_attempt", () => { window.__trying = Date.now(); });
  m.on("reconnect_error", () => { window.__trying = null; });
}"""
BACK_NEXT = """(back) => {
  const engine = antrianDisplay.socket.io.engine;
  if (document.body.classList.contains('online')) return 'online';
  if (window.__trying === null) return 'wait';
  return window.__trying < back && !(engine && engine.readyState === 'open') ? 'stale' : null;
}"""


def back_now(page, gate) -> None:
    """The network back for a page cut off (TRYING installed before the cut, its clock installed): its tries to
    reconnect made at once, not waited for: its clock moved on over socket.io's back-off and over a try left
    unanswered while the network was gone, until it is online."""
    gate.open = True
    back = page.evaluate("Date.now()")
    for _ in range(8):
        step = page.wait_for_function(BACK_NEXT, arg=back, polling=50, timeout=15000).json_value()
        if step == "online":
            return
        page.clock.fast_forward(5000 if step == "wait" else 8000)
    raise AssertionError("the page did not reconnect")


def config(tmp, chime: bool = False):
    """`chime`: the office's own chime ([tts] chime), a silent one of a tenth of a second, not the built-in 1.3 s: each
    call's announcement is over at once (the TV still asks for it, plays it and logs it), not waited for."""
    if chime:
        (tmp / "chime.wav").write_bytes(short_wav(0.1))
    return write_config(
        tmp,
        {
            "[tts]\nenabled = true": "[tts]\nenabled = false",  # each call is its chime
            'name = "LPSE Kabupaten Contoh"': f'name = "{OFFICE}"',
            'name = "Loket 2"': f'name = "{LONG_COUNTER}"',
            **({"cache_mb = 200 ": 'chime = "chime.wav"\ncache_mb = 200 '} if chime else {}),
        },
    )


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    assert len(OFFICE) == 200 and len(LONG_COUNTER) == 100
    server = ClockedServer(config(tmp_path_factory.mktemp("tv-whole-day")), tick=0.1).start()
    yield server
    server.stop()


def assert_name_cut_after_a_word(page, where: str) -> dict:
    m = page.evaluate(HEADER_NAME)
    assert m["text"] == OFFICE, where  # the page keeps the whole name (what it compares and refits)
    if not m["drawn"]:
        return m
    assert not m["clamped"], f"{where}: the browser cuts the office's name where its letters run out"
    shown = m["shown"]
    assert OFFICE.startswith(shown) and len(shown) > 20, f"{where}: {shown!r}"
    if shown != OFFICE:
        assert CUT_BEFORE.match(OFFICE[len(shown) :]), f"{where}: cut inside a word: {shown[-30:]!r}"
        assert m["after"] == '"…"', f"{where}: no … after {shown[-30:]!r}"
    return m


@pytest.mark.parametrize("size", [*SIZES, (1280, 720), (1080, 1920)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_longest_office_name_ends_after_a_whole_word_online_and_offline(browser, office, size):
    page = new_page(browser, size)
    try:
        gate = SocketGate(page)
        page.clock.install()  # its try to reconnect once the network is back made then (back_now), not waited for
        open_display(page, office)
        page.wait_for_function("() => document.fonts.status === 'loaded'", polling=50)
        where = f"{size[0]}x{size[1]}"
        m = assert_name_cut_after_a_word(page, f"{where}, online")
        assert m["drawn"] and m["shown"] != OFFICE, f"{where}: 200 characters whole in the header? {m}"
        page.evaluate(TRYING)
        gate.cut()
        page.wait_for_function("() => !document.body.classList.contains('online')", polling=50)
        page.wait_for_function(f"() => ({HEADER_NAME})().badge", polling=50)
        assert_name_cut_after_a_word(page, f"{where}, offline")
        back_now(page, gate)
        page.wait_for_function("() => document.body.classList.contains('online')", polling=50, timeout=15000)
        assert_name_cut_after_a_word(page, f"{where}, online again")
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    # Its TVs' clocks are moved on over each call's flash (5 s at once): it never pings them (pageclock.CALM_NUMBERS),
    # so no heartbeat of theirs runs out meanwhile; a server stopped or a network cut closes their connections.
    server = ClockedServer(config(tmp_path_factory.mktemp("tv-day-long"), chime=True), tick=0.1, numbers=CALM_NUMBERS)
    server = server.start()
    server.add_user("kepala", "admin")
    for counter_id in (1, 2, 3):
        server.add_user(f"hari{counter_id}", "officer")
    yield server
    server.stop()


def test_a_whole_day_the_open_tv_shows_what_a_fresh_one_shows_and_announces_each_call_once(browser, day):
    server = day
    officers = {}

    def sign_in():
        for counter_id in (1, 2, 3):
            officers[counter_id] = server.session(f"hari{counter_id}", "rahasia-123")

    def act(counter_id, action, **payload):
        r = officers[counter_id].post(f"{server.url}/api/counters/{counter_id}/{action}", json=payload, timeout=5)
        assert r.status_code == 200, (counter_id, action, r.text)
        return r.json().get("ticket")

    sign_in()
    pages = {}
    try:
        for size in SIZES:
            page = new_page(browser, size)
            pages[size] = (page, SocketGate(page))
            page.clock.install()  # each call's flash is moved on (FLASH_MS, a timer of the page), not waited for
            open_display(page, server)

        def settled(when: str, whole: bool = True) -> None:
            # A TV opened now at each size, loading (the two at once) while the open ones are checked: each shows what
            # the open one at its size shows.
            fresh = {size: new_page(browser, size) for size in pages}
            try:
                for page in fresh.values():
                    page.goto(f"{server.url}/display/", wait_until="commit")
                for size, (page, _) in pages.items():
                    where = f"{size[0]}x{size[1]}, {when}"
                    caught_up(page, server)
                    # its announcements over (each its short chime), then its clock moved on past any flash (FLASH_MS)
                    page.wait_for_function(
                        "() => !antrianDisplay.current && !antrianDisplay.queue.length && !document.querySelector('.calling')",
                        polling=50,
                        timeout=20000,
                    )
                    if page.evaluate("antrianDisplay.flashTimer !== null"):
                        page.clock.fast_forward(FLASH_MS)
                    page.wait_for_function(
                        "() => !document.querySelector('.counter.flash, .counter.calling, #recent li.flash')",
                        polling=50,
                        timeout=20000,
                    )
                    assert page.evaluate("document.body.classList.contains('online')"), where
                    if whole:  # the server's tickets at the counters: yesterday's left serving is not today's TV's
                        assert_tiles_whole(page, server, size, long_names=(2,))
                    assert_name_cut_after_a_word(page, where)
                    seqs = page.evaluate("antrianDisplay.log.map((e) => e.seq)")
                    assert len(seqs) == len(set(seqs)), f"{where}: a call announced twice {seqs}"
                for size, page in fresh.items():
                    page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)
                    caught_up(page, server)
                    where = f"{size[0]}x{size[1]}, {when}"
                    assert pages[size][0].evaluate(SCREEN) == page.evaluate(SCREEN), (
                        f"{where}: not what a TV opened now shows"
                    )
            finally:
                for page in fresh.values():
                    page.context.close()

        def announced(seq: int) -> None:
            for page, _ in pages.values():
                page.wait_for_function(
                    f"() => antrianDisplay.log.some((e) => e.seq === {seq} && e.end !== null)", polling=100
                )

        settled("the morning, nothing called")
        for page, _ in pages.values():
            assert page.locator("#recent li.none").count() == 1
        for service in "AABBCCAB":
            assert requests.post(f"{server.url}/api/tickets", json=visitor(service=service), timeout=5).ok
        server.advance(3600)
        act(1, "call-next")
        announced(state(server)["seq"])
        settled("the first call")
        for counter_id in (2, 3):
            act(counter_id, "call-next")
        settled("calls at three counters")
        act(2, "recall")
        settled("a recall")
        act(2, "recall")
        act(2, "skip")
        settled("a skip and its requeue")
        act(1, "start")
        moved = act(1, "transfer", service="B")
        settled("a transfer")
        act(3, "start")
        act(3, "pause")
        settled("a counter on a break while serving")
        admin = server.session("kepala", "rahasia-123")
        settings = admin.get(f"{server.url}/api/admin/settings", timeout=5).json()
        counters, services = settings["counters"], settings["services"]
        counters[0]["name"] = "Meja Informasi dan Pendaftaran"
        services[0]["name"] = "Konsultasi Penyedia Barang/Jasa (Tender, Seleksi, E-Katalog)"
        for section, value in (("counters", counters), ("services", services)):
            r = admin.put(f"{server.url}/api/admin/settings/{section}", json={"value": value}, timeout=5)
            assert r.status_code == 200, r.text
        for page, _ in pages.values():
            page.wait_for_function(
                f"() => document.querySelector('{tile(1)} .counter-name').textContent === 'Meja Informasi dan Pendaftaran'"
            )
        settled("the admin's renames")

        server.stop()
        for page, _ in pages.values():
            page.wait_for_function("() => !document.body.classList.contains('online')", polling=100)
            assert page.evaluate(HEADER_NAME)["badge"]
        server.start()
        sign_in()
        settled("the server restarted")

        for page, gate in pages.values():
            page.evaluate(TRYING)
            gate.cut()
        for page, _ in pages.values():
            page.wait_for_function("() => !document.body.classList.contains('online')", polling=100)
        server.advance(120)
        called = act(2, "call-next")  # the transferred visitor, ahead of B's line
        assert called["label"] == moved["label"], called
        seq = state(server)["seq"]
        for page, _ in pages.values():
            assert page.evaluate(f"antrianDisplay.log.every((e) => e.seq !== {seq})")  # nothing heard while away
        for page, gate in pages.values():
            back_now(page, gate)
        announced(seq)
        settled("the network back after two minutes")

        server.advance(8 * 3600)
        settled("the evening")
        server.advance(14 * 3600)
        for page, _ in pages.values():
            page.wait_for_function(f"() => antrianDisplay.state.day === {state(server)['day']!r}", polling=100)
        settled("the next morning", whole=False)
        for page, _ in pages.values():
            assert page.eval_on_selector_all(".counter[data-ticket]", "es => es.length") == 0
            assert page.locator("#recent li.none").count() == 1
    finally:
        for page, _ in pages.values():
            page.context.close()
