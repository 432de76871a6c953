"""A long office name on the kiosk, at the touchscreen's sizes, on a real server in Chromium.

The welcome screen drew the office's name at 88 px whatever its length: "Layanan Pengadaan Secara Elektronik
Pemerintah Kabupaten Kepulauan Siau Tagulandang Biaro" (89 characters, the name an LPSE may well use; the settings
allow 200) pushed "Sentuh layar untuk mengambil nomor antrian" below a 1366x768 screen, and the longest name cut
the office's own name there too, upright as well. The closed screen ("Layanan tutup") lost its time of opening the
same way. The name is now as large as leaves the rest of the screen whole; the bar at the top keeps it to two
lines, so the screens under it keep their room.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import write_config
from kioskui import LANDSCAPE, PORTRAIT, SMALL, assert_actions_visible, assert_seen, kiosk_pages
from live import LiveServer
from playwright.sync_api import expect

from server.config import WEEKDAYS

LONG = "Layanan Pengadaan Secara Elektronik Pemerintah Kabupaten Kepulauan Siau Tagulandang Biaro"
OFFICE_WORDS = "Layanan Pengadaan Secara Elektronik Pemerintah Kabupaten Contoh Provinsi Sulawesi Tenggara "
LONGEST = (OFFICE_WORDS * 3)[:199] + "."  # the longest [office] name the settings allow
SIZES = [("portrait", PORTRAIT), ("landscape", LANDSCAPE), ("small", SMALL)]
WIB = ZoneInfo("Asia/Jakarta")
WELCOME = (".welcome-hello", ".welcome-office", ".welcome-sub", ".welcome-cta")
CLOSED = (".closed-office", "#closed-title", "#closed-sub", "#closed-next")
# The bar's office name: how many lines it takes
BAR_LINES_JS = """() => { const e = document.querySelector('.bar-office'), range = document.createRange();
  range.selectNodeContents(e); const bar = e.getBoundingClientRect();
  return new Set([...range.getClientRects()].filter((r) => r.top < bar.bottom - 1).map((r) => Math.round(r.top))).size;
}"""


def server_named(tmp, name: str, extra: str = "") -> LiveServer:
    return LiveServer(write_config(tmp, {'name = "LPSE Kabupaten Contoh"': f'name = "{name}"'}, extra)).start()


@pytest.fixture(scope="module", params=[LONG, LONGEST], ids=["89", "200"])
def named(request, tmp_path_factory):
    server = server_named(tmp_path_factory.mktemp("kiosk-office-name"), request.param)
    server.name = request.param
    yield server
    server.stop()


@pytest.fixture(scope="module")
def closed(tmp_path_factory):
    """The longest name, and an office closed all of today (in WIB) that opens tomorrow at 08:00."""
    tomorrow = datetime.now(WIB).date() + timedelta(days=1)
    days = {day: '""' for day in WEEKDAYS}
    days[WEEKDAYS[tomorrow.weekday()]] = '"08:00-16:00"'
    hours = "\n[hours]\n" + "".join(f"{day} = {ranges}\n" for day, ranges in days.items())
    server = server_named(tmp_path_factory.mktemp("kiosk-office-closed"), LONGEST, hours)
    yield server
    server.stop()


@pytest.mark.parametrize("orientation, viewport", SIZES)
def test_a_long_office_name_leaves_the_welcome_screen_whole(browser, named, orientation, viewport):
    with kiosk_pages(browser, named) as open_kiosk:
        page = open_kiosk(viewport)
        page.wait_for_function("() => document.fonts.status === 'loaded'", polling=50)
        where = f"welcome, {orientation}, {len(named.name)} characters"
        expect(page.locator(".welcome-office")).to_have_text(named.name)
        assert_seen(page, where, WELCOME)
        assert_actions_visible(page, where, must=("#start", "#lang-toggle"))
        # English: other words, the same room
        page.click("#lang-toggle")
        expect(page.locator(".welcome-cta")).to_have_text("Touch the screen to take a queue number")
        assert_seen(page, f"{where}, English", WELCOME)
        # the bar keeps the name to two lines on every screen
        assert page.evaluate(BAR_LINES_JS) <= 2, where
        page.click("#start")
        expect(page.locator("#screen-service")).to_be_visible()
        assert_actions_visible(page, f"services, {orientation}, {len(named.name)} characters")


@pytest.mark.parametrize("orientation, viewport", SIZES)
def test_a_long_office_name_leaves_the_closed_screen_whole(browser, closed, orientation, viewport):
    page = browser.new_page(viewport=viewport, has_touch=True)  # no welcome screen: kiosk_pages waits for one
    try:
        page.goto(f"{closed.url}/kiosk/")
        expect(page.locator("#screen-closed")).to_be_visible()
        expect(page.locator("#closed-next")).not_to_be_empty()
        page.wait_for_function("() => document.fonts.status === 'loaded'", polling=50)
        assert_seen(page, f"closed, {orientation}", CLOSED)
    finally:
        page.close()
