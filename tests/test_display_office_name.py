"""The office's name in the TV's header, read across the room, on a real server in Chromium.

An office's real name is often longer than the demo's "LPSE Kabupaten Contoh": "LPSE Kabupaten Kepulauan Siau
Tagulandang Biaro" (47 characters) ended "LPSE Kabupaten Kepulauan Siau Tagul…" at 1920x1080, and the same at 1366x768
and 1280x720: the header drew it on one line at its full size, cut with "…". It is now made smaller on its line
(down to 2.2 units), then given two lines (down to 1.8 units, its address giving way), whole up to some 120
characters; only a longer one (the settings allow 200) ends in "…" on its second line. On a TV on its side the name
has two lines, made smaller down to the same pixels. An admin's rename reaches it live, refitted, without a reload.
"""

from __future__ import annotations

import pytest
from conftest import write_config
from live import LiveServer
from pageclock import CALM_NUMBERS, install_clock
from test_display_readability import caught_up, open_display, overlap

SIZES = [(1920, 1080), (1366, 768), (1280, 720), (1080, 1920)]
REAL = "LPSE Kabupaten Kepulauan Siau Tagulandang Biaro"  # 47 characters, a real office's
LONGER = "Layanan Pengadaan Secara Elektronik Pemerintah Kabupaten Kepulauan Siau Tagulandang Biaro"  # 89
ADDRESS = "Jl. Raya Ondong, Kelurahan Bahu, Kecamatan Siau Barat, Kabupaten Kepulauan Siau Tagulandang Biaro"
OFFICE_WORDS = "Layanan Pengadaan Secara Elektronik Pemerintah Kabupaten Contoh Provinsi Sulawesi Tenggara "
LONGEST = (OFFICE_WORDS * 3)[:199] + "."  # the longest [office] name the settings allow
# The TV reads the settings again at most once per 10 s (display/static/display.js SETTINGS_RESYNC_MS): the second
# rename's read waits for the rest of them, on the page's clock, which the test moves on (page.clock.run_for).
SETTINGS_RESYNC_MS = 10_000
# The module's server never pings its pages (pageclock.CALM_NUMBERS): the page's clock is moved on by the 10 s in one
# call, the socket's heartbeat far off. A move past a pinged heartbeat would drop the TV's connection, and the
# reconnect's snapshot would bring the new name by another way; pinged every quarter second, the clock was moved in
# steps each just after a ping (pageclock.run_clock_for).

HEADER = """() => {
  const box = (e) => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top,
    bottom: r.bottom}; };
  const name = document.getElementById('office-name'), address = document.getElementById('office-address');
  return {
    text: name.textContent,
    // a line's glyphs reach a pixel or two past its line-height: a cut line would be one more line's height
    cut: name.scrollWidth > name.clientWidth + 0.5
      || name.scrollHeight > name.clientHeight + parseFloat(getComputedStyle(name).fontSize) * 0.2,
    size: parseFloat(getComputedStyle(name).fontSize),
    lines: Math.round(name.getBoundingClientRect().height / parseFloat(getComputedStyle(name).lineHeight)),
    name: box(name), clock: box(document.getElementById('clock')), date: box(document.getElementById('date')),
    header: box(document.querySelector('header.top')),
    address: address.getClientRects().length ? box(address) : null,
  };
}"""


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    config = write_config(
        tmp_path_factory.mktemp("tv-office-name"),
        {
            "[tts]\nenabled = true": "[tts]\nenabled = false",
            'name = "LPSE Kabupaten Contoh"': f'name = "{REAL}"',
            'address = "Jl. Merdeka No. 1, Kota Contoh"': f'address = "{ADDRESS}"',
        },
    )
    server = LiveServer(config, numbers=CALM_NUMBERS).start()
    server.add_user("kepala", "admin")
    yield server
    server.stop()


def header(page) -> dict:
    page.wait_for_function("() => document.fonts.status === 'loaded'", polling=50)
    return page.evaluate(HEADER)


def assert_clear_of_the_clock(m: dict, where: str) -> None:
    for other in ("clock", "date"):
        assert not overlap(m["name"], m[other]), f"{where}: the office's name runs under the {other}"
    assert m["name"]["top"] >= m["header"]["top"] - 0.5 and m["name"]["bottom"] <= m["header"]["bottom"] + 0.5, where


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_long_office_name_is_whole_in_the_header_and_follows_a_rename(browser, office, size):
    width, height = size
    unit = min(size) / 54  # display.js minUnit: a landscape TV's root size, the same pixels on its side
    upright = height > width  # its header gives the name two lines (display.css), the address none
    page = browser.new_page(viewport={"width": width, "height": height})
    admin = office.session("kepala", "rahasia-123")
    try:
        install_clock(page)
        open_display(page, office)
        m = header(page)
        where = f"{width}x{height}, {len(REAL)} characters"
        assert m["text"] == REAL
        assert not m["cut"], f"{where}: the office's name is cut"
        if upright:
            assert m["lines"] <= 2 and m["size"] >= 1.8 * unit - 0.5, f"{where}: {m['lines']} lines at {m['size']} px"
        else:
            assert m["lines"] == 1 and m["size"] >= 2.2 * unit - 0.5, f"{where}: {m['lines']} lines at {m['size']} px"
            assert m["address"] is not None, f"{where}: the address gave way to a name that fits on one line"
        assert_clear_of_the_clock(m, where)

        # renamed on the admin page: the TV refits it, live (no reload)
        page.evaluate("window.notReloaded = true")
        r = admin.put(f"{office.url}/api/admin/settings/office", json={"value": {"name": LONGER}}, timeout=5)
        assert r.status_code == 200, r.text
        caught_up(page, office)
        page.wait_for_function(f"() => document.getElementById('office-name').textContent === {LONGER!r}")
        m = header(page)
        where = f"{width}x{height}, {len(LONGER)} characters"
        assert upright or not m["cut"], f"{where}: the office's name is cut"  # upright: too long for two lines
        assert m["lines"] <= 2 and m["size"] >= 1.8 * unit - 0.5, f"{where}: {m['lines']} lines at {m['size']} px"
        assert_clear_of_the_clock(m, where)
        assert page.evaluate("window.notReloaded === true")

        # the longest the settings allow: two lines at the smallest size, "…" at the end, nothing under the clock
        r = admin.put(f"{office.url}/api/admin/settings/office", json={"value": {"name": LONGEST}}, timeout=5)
        assert r.status_code == 200, r.text
        caught_up(page, office)
        page.clock.run_for(SETTINGS_RESYNC_MS)  # the TV's second read of the settings within 10 s of its first
        page.wait_for_function(f"() => document.getElementById('office-name').textContent === {LONGEST!r}")
        m = header(page)
        where = f"{width}x{height}, {len(LONGEST)} characters"
        assert m["lines"] == 2 and m["size"] >= 1.8 * unit - 0.5, f"{where}: {m['lines']} lines at {m['size']} px"
        assert_clear_of_the_clock(m, where)
    finally:
        r = admin.put(f"{office.url}/api/admin/settings/office", json={"value": {"name": REAL}}, timeout=5)
        assert r.status_code == 200, r.text
        page.close()
