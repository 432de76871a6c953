"""Long texts on the TV read across a room, on a real server in Chromium: whatever the TV cannot show whole where it
belongs ends in "…" there and is whole elsewhere on the screen, and the call keeps its room.

- An office's address of 150 characters ended in "…" at 1920x1080 and 1366x768, and was nowhere else; on a TV on its
  side (1080x1920), whose header has no room for it, it was nowhere at all. It now takes two lines under the name
  (both smaller, inside the header, whose height is the calls'), and one the header cannot hold whole is said in the
  running text; an admin's new address is fitted again, live.
- On a TV on its side a counter's name of 80 characters took its tile's room, the service's name gave way there,
  and the waiting counts name no service (by letter): the ticket's service was nowhere. It is said on the call's row
  of the latest calls, during the call's flash and after it.
"""

from __future__ import annotations

import pytest
import requests
from conftest import visitor, write_config
from live import LiveServer
from pageclock import CALM_NUMBERS, install_clock, pause_clock
from test_display_page import short_chime
from test_display_readability import SETTLED, caught_up, inside, open_display, overlap, state

SIZES = [(1920, 1080), (1366, 768), (1080, 1920)]
ADDRESS = (
    "Jl. Raya Ondong Nomor 123, Kelurahan Bahu, Kecamatan Siau Barat, Kabupaten Kepulauan Siau Tagulandang Biaro, "
    "Provinsi Sulawesi Utara 95861, gedung B1."
)  # 150 characters
MOVED = (
    "Kompleks Perkantoran Pemerintah Kabupaten Kepulauan Siau Tagulandang Biaro, Jl. Pahlawan Nomor 45, Kelurahan "
    "Ondong, Kecamatan Siau Barat, Sulawesi U."
)  # 150 characters
# The module's server never pings its pages (pageclock.CALM_NUMBERS): the call's flash (display.js FLASH_MS) is passed
# on the page's clock in one call (page.clock.run_for), not waited for, the socket's heartbeat far off (pinged every
# quarter second, the clock was moved in steps each just after a ping: pageclock.run_clock_for).
FLASH_MS = 5_000
# The office's own chime ([tts] chime), silent, a tenth of a second: a called tile is outlined (.calling: its border's
# colour and shadow, nothing moved) while its chime sounds, in real time, and SETTLED waits for that to end; the
# built-in chime's 1.05 s was waited out.
CHIME_S = 0.1
COUNTER = "Loket 1 – Layanan Konsultasi Pengadaan Barang dan Jasa untuk Penyedia dan Non-Penyedia"
SERVICE = "Konsultasi Non-Penyedia (PPK/Pokja/PP) dan Pejabat Pengadaan Kabupaten Kepulauan Siau Tagulandang"

# The address: shown in the header (and whole: nothing past its box, inside the header, clear of the clock), the
# running text; the service's and the counter's names where they are shown (whole or not) on the screen.
LOOK = """() => {
  const box = (e) => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top,
    bottom: r.bottom}; };
  const a = document.getElementById('office-address');
  // past its box, or ended in "…" after a whole word (display.js cutAtWord: its text whole in the page, not drawn)
  const cut = (e) => e.scrollWidth > e.clientWidth + 0.5 || e.scrollHeight > e.clientHeight + 0.5
    || !!e.querySelector('.cut-shown');
  const texts = (sel) => [...document.querySelectorAll(sel)].filter((e) => e.getClientRects().length)
    .map((e) => ({text: e.textContent, cut: cut(e), px: parseFloat(getComputedStyle(e).fontSize)}));
  return {
    address: a.getClientRects().length ? {text: a.textContent, cut: cut(a), box: box(a)} : null,
    header: box(document.querySelector('header.top')), clock: box(document.getElementById('clock')),
    date: box(document.getElementById('date')), running: document.getElementById('marquee-text').textContent,
    names: texts('.counter-name, #recent .to'), services: texts('.counter-meta, #recent .svc, #waiting .name'),
    number: parseFloat(getComputedStyle(document.querySelector('.counter[data-counter="1"] .ticket-label')).fontSize),
  };
}"""


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tv-long-texts")
    config = write_config(
        tmp,
        {
            "[tts]\nenabled = true": "[tts]\nenabled = false",
            **short_chime(tmp, CHIME_S),
            'address = "Jl. Merdeka No. 1, Kota Contoh"': f'address = "{ADDRESS}"',
            'name = "Loket 1"\nservices = ["A", "C"]': f'name = "{COUNTER}"\nservices = ["A", "B", "C"]',
            'name = "Konsultasi Non-Penyedia (PPK/Pokja/PP)"': f'name = "{SERVICE}"',
        },
    )
    server = LiveServer(config, numbers=CALM_NUMBERS).start()
    server.add_user("kepala", "admin")
    server.add_user("loket1", "officer")
    yield server
    server.stop()


def assert_address_whole(m: dict, address: str, where: str) -> None:
    """In the header, whole, inside it and clear of the clock (landscape); in the running text (on its side)."""
    if m["address"] is None or m["address"]["cut"]:
        assert address in m["running"], f"{where}: the address is neither whole in the header nor in the running text"
        return
    assert m["address"]["text"] == address, where
    assert inside(m["address"]["box"], m["header"]), f"{where}: the address is past the header"
    for other in ("clock", "date"):
        assert not overlap(m["address"]["box"], m[other]), f"{where}: the address runs under the {other}"


def assert_names_reachable(m: dict, where: str, small: bool = False) -> None:
    """The counter's name and the ticket's service each whole somewhere on the screen; under 1080 px (`small`, texts at
    24 px) the service of 98 characters is on four lines in the waiting counts, ended in "…" (its letter on the
    visitor's ticket and on the call's row), its tile giving it way to the number."""
    assert any(n["text"].endswith(COUNTER) and not n["cut"] for n in m["names"]), f"{where}: {m['names']}"
    assert any(s["text"] == SERVICE and (small or not s["cut"]) for s in m["services"]), f"{where}: {m['services']}"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_long_address_and_long_names_are_whole_somewhere_during_a_call_after_it_and_a_move(browser, office, size):
    width, height = size
    admin = office.session("kepala", "rahasia-123")
    officer = office.session("loket1", "rahasia-123")
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        install_clock(page)
        open_display(page, office)
        page.wait_for_function("() => document.fonts.status === 'loaded'", polling=50)
        pause_clock(page, 0.25)  # the flash ends only as the test moves the clock, not in a loaded machine's 5 s
        idle = page.evaluate(LOOK)
        assert_address_whole(idle, ADDRESS, f"{width}x{height}")
        if width > height and height >= 1080:  # a 1080p TV shows it whole in its header (two lines)
            assert idle["address"] and not idle["address"]["cut"], f"{width}x{height}: {idle['address']}"
            assert ADDRESS not in idle["running"], "said twice"
        elif width > height:  # 1366x768: 150 characters at 24 px (the least a text is) need a third line there
            assert idle["address"]["cut"] and ADDRESS in idle["running"], f"{width}x{height}: {idle['address']}"

        r = requests.post(f"{office.url}/api/tickets", json=visitor(service="B"), timeout=5)
        assert r.status_code == 201, r.text
        r = officer.post(f"{office.url}/api/counters/1/call-next", json={}, timeout=5)
        assert r.status_code == 200, r.text
        caught_up(page, office)
        page.wait_for_function("() => document.querySelector('.counter[data-counter=\"1\"].flash')", polling=50)
        during = page.evaluate(LOOK)
        assert_names_reachable(during, f"{width}x{height}, during the call", min(size) < 1080)
        assert_address_whole(during, ADDRESS, f"{width}x{height}, during the call")
        page.clock.run_for(FLASH_MS)  # the flash's end
        page.wait_for_function(SETTLED, polling=100, timeout=15_000)
        after = page.evaluate(LOOK)
        assert_names_reachable(after, f"{width}x{height}, after the call", min(size) < 1080)
        assert_address_whole(after, ADDRESS, f"{width}x{height}, after the call")

        # the office moves: an admin's new address, fitted again live; the call keeps its number's size
        r = admin.put(f"{office.url}/api/admin/settings/office", json={"value": {"address": MOVED}}, timeout=5)
        assert r.status_code == 200, r.text
        caught_up(page, office)
        page.wait_for_function(f"() => document.getElementById('office-address').textContent === {MOVED!r}")
        moved = page.evaluate(LOOK)
        assert_address_whole(moved, MOVED, f"{width}x{height}, moved")
        assert ADDRESS not in moved["running"], f"{width}x{height}: the old address still in the running text"
        assert moved["number"] == after["number"], (moved["number"], after["number"])
    finally:
        r = admin.put(f"{office.url}/api/admin/settings/office", json={"value": {"address": ADDRESS}}, timeout=5)
        assert r.status_code == 200, r.text
        ticket = next(c for c in state(office)["counters"] if c["id"] == 1)["ticket"]
        if ticket and ticket["status"] == "called":
            officer.post(f"{office.url}/api/counters/1/start", json={}, timeout=5)
        if ticket:
            done = {"solution": "Selesai dijelaskan", "category": "pertanyaan", "priority_class": "P3"}
            officer.post(f"{office.url}/api/counters/1/resolve", json=done, timeout=5)
        page.close()
