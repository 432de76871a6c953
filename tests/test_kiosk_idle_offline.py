"""The kiosk's idle reset while the server is out of reach: a visitor who waits, as the red bar asks, keeps the form.

Before, a visitor who had typed a long form on the screen's keys waited without a touch while the server restarted
(or its switch was down), as the kiosk told them to; at `[kiosk] idle_seconds` the idle reset cleared it all, and
once the server was back they typed it again. Now "Masih di sini?" comes as ever and stays over the form (the next
person sees none of it), saying it is kept until the server is back; a touch brings it back; back online, the idle
time starts again from then, counted down on that cover, and only then is the form cleared. A form left
OFFLINE_KEEP_S without a touch is cleared all the same.

A real server process, stopped and started again on its port; the page's clock (Playwright's) paused and moved on
as the test says, within the socket's heartbeat while it is connected (tests/pageclock.py).
"""

from __future__ import annotations

import pytest
from conftest import write_config
from kioskui import PORTRAIT, SMALL, fill_fast, shot, tap
from live import LiveServer
from pageclock import PING_NUMBERS, install_clock, run_clock_for
from playwright.sync_api import expect

IDLE = 30  # ?idle=: "Masih di sini?" 10 s before it (kiosk.js IDLE_WARNING_SECONDS)
WARNING_S = 10
OFFLINE_GRACE_MS = 2_000  # kiosk.js OFFLINE_GRACE_MS: the socket gone this long before the red bar
SOCKETIO_DELAY_MAX_MS = 5_000  # Socket.IO's longest pause between its own tries (reconnectionDelayMax)
OFFLINE_KEEP_S = 15 * 60  # kiosk.js OFFLINE_KEEP_SECONDS
FORM = {
    "name": "Siti Rahmawati",
    "agency": "CV Karya Mandiri Sejahtera",
    "address": "Jl. Ahmad Yani No. 45, RT 03/RW 05, Kel. Sukajadi",
    "phone": "081234567890",
    "problem": "Tidak dapat mengunggah dokumen penawaran pada paket tender jalan lingkungan: "
    "muncul pesan galat setelah unggahan mencapai 100 persen, sudah dicoba tiga kali.",
}
KEPT_ID = "Kios sedang tidak tersambung ke server. Isian Anda disimpan sampai server tersambung kembali."
KEPT_EN = "This kiosk is not connected to the server. What you entered is kept until the server is back."


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The module's own server (stopped and started by the tests), pinging its pages every PING_S."""
    s = LiveServer(write_config(tmp_path_factory.mktemp("idle-offline")), numbers=PING_NUMBERS).start()
    yield s
    s.stop()


@pytest.fixture
def kiosk(browser, server):
    """`open_kiosk(viewport)`: a kiosk page at its welcome screen, live, its clock paused; the server running again
    at the end, whatever the test did to it."""
    pages = []

    def open_kiosk(viewport=PORTRAIT):
        page = browser.new_page(viewport=viewport, has_touch=True)
        pages.append(page)
        install_clock(page)
        page.goto(f"{server.url}/kiosk/?idle={IDLE}")
        expect(page.locator("#screen-welcome")).to_be_visible()
        page.wait_for_function("() => antrianKiosk.live", polling=50)
        page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)
        return page

    try:
        yield open_kiosk
    finally:
        for page in pages:
            page.close()
        if server.proc is None or server.proc.poll() is not None:
            server.start()


def field_values(page) -> dict[str, str]:
    return page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('#visitor-form input, #visitor-form textarea')]"
        ".map(e => [e.name, e.value]))"
    )


def opaque(page) -> bool:
    """The cover's background has no transparency."""
    return page.evaluate("getComputedStyle(document.getElementById('idle-warning')).backgroundColor").startswith("rgb(")


def typed_form(page) -> None:
    tap(page, "#start")
    tap(page, '[data-service="A"]')
    expect(page.locator("#screen-form")).to_be_visible()
    fill_fast(page, FORM)
    tap(page, "#f-problem")  # the visitor's last touch: the idle time runs from here
    assert page.evaluate("antrianKiosk.resetIn") == IDLE


def server_gone(page, server: LiveServer) -> None:
    """The server stopped; the page's socket drops at once and the red bar comes after OFFLINE_GRACE_MS."""
    server.stop()
    page.wait_for_function("() => !antrianKiosk.socket.connected", polling=50)
    page.clock.run_for(OFFLINE_GRACE_MS)
    expect(page.locator("#offline-notice")).to_be_visible()


def server_back(page, server: LiveServer) -> None:
    """The server started again on its port; Socket.IO's next try (at most SOCKETIO_DELAY_MAX_MS away) connects."""
    server.start()
    page.clock.run_for(SOCKETIO_DELAY_MAX_MS)
    page.wait_for_function("() => antrianKiosk.socket.connected && !antrianKiosk.offline", polling=50, timeout=15_000)


def test_a_visitor_waiting_for_the_server_keeps_the_form_past_the_idle_time(kiosk, server):
    page = kiosk()
    typed_form(page)
    warning, count = page.locator("#idle-warning"), page.locator("#idle-count")
    server_gone(page, server)

    # The idle time passes, and three times more, with no touch: the form is kept, covered, the cover says why.
    page.clock.fast_forward(IDLE * 1000)
    expect(page.locator("#screen-form")).to_be_visible()  # before: the welcome screen, every field cleared
    assert field_values(page) == FORM
    assert page.evaluate("[antrianKiosk.kept, antrianKiosk.resetIn]") == [True, OFFLINE_KEEP_S]
    expect(warning).to_be_visible()
    expect(page.locator("#idle-title")).to_have_text("Masih di sini?")
    expect(count).to_have_text(KEPT_ID)
    assert warning.bounding_box() == {"x": 0, "y": 0, **PORTRAIT}  # the whole screen
    assert opaque(page)  # nothing of the form shows through it (the usual warning lets it show at .85)
    page.clock.fast_forward(3 * IDLE * 1000)
    expect(page.locator("#screen-form")).to_be_visible()
    assert field_values(page) == FORM
    expect(warning).to_be_visible()
    expect(count).to_have_text(KEPT_ID)  # no countdown to a clearing that does not come
    shot(page, "kiosk-idle-offline")

    # A touch on the cover brings the form back, as ever; unanswered, the cover comes again at the idle time.
    tap(page, "#idle-title")
    expect(warning).to_be_hidden()
    assert field_values(page) == FORM
    expect(page.locator("#offline-notice")).to_be_visible()
    page.clock.fast_forward(IDLE * 1000)
    expect(warning).to_be_visible()
    expect(count).to_have_text(KEPT_ID)

    # The server back: the cover stays over the form and counts down the whole idle time from then.
    server_back(page, server)
    expect(page.locator("#offline-notice")).to_be_hidden()
    expect(warning).to_be_visible()
    expect(count).to_have_text(f"Isian Anda akan dihapus dalam {IDLE} detik")
    assert page.evaluate("[antrianKiosk.kept, antrianKiosk.resetIn, antrianKiosk.warnIn]") == [False, IDLE, 0]
    assert opaque(page)  # still hiding the form from whoever stands there now
    assert field_values(page) == FORM
    run_clock_for(page, (IDLE - 1) * 1000)
    expect(count).to_have_text("Isian Anda akan dihapus dalam 1 detik")
    expect(page.locator("#screen-form")).to_be_visible()
    assert field_values(page) == FORM
    # Nobody touched it: cleared for the next visitor, as the idle reset always did.
    page.clock.run_for(1000)
    expect(page.locator("#screen-welcome")).to_be_visible()
    expect(warning).to_be_hidden()
    assert field_values(page) == dict.fromkeys(FORM, "")


def test_back_online_after_a_touch_the_idle_time_runs_again_from_then(kiosk, server):
    """The visitor touched the cover while the server was away (the form shown, no cover): back online, the normal
    idle time from that moment, its warning and countdown, before anything is cleared."""
    page = kiosk()
    typed_form(page)
    server_gone(page, server)
    page.clock.fast_forward(IDLE * 1000)
    tap(page, "#idle-title")
    expect(page.locator("#idle-warning")).to_be_hidden()
    # a while on (the cover comes again 20 s after the touch: server_back moves the clock up to 5 s more)
    page.clock.fast_forward((IDLE - WARNING_S - 1) * 1000 - SOCKETIO_DELAY_MAX_MS)
    server_back(page, server)
    assert page.evaluate("[antrianKiosk.kept, antrianKiosk.resetIn, antrianKiosk.warnIn]") == [
        False,
        IDLE,
        IDLE - WARNING_S,
    ]
    expect(page.locator("#idle-warning")).to_be_hidden()
    run_clock_for(page, (IDLE - WARNING_S) * 1000)
    expect(page.locator("#idle-warning")).to_be_visible()
    expect(page.locator("#idle-count")).to_have_text(f"Isian Anda akan dihapus dalam {WARNING_S} detik")
    assert not opaque(page)  # the usual warning, as ever
    assert field_values(page) == FORM
    run_clock_for(page, WARNING_S * 1000)
    expect(page.locator("#screen-welcome")).to_be_visible()
    assert field_values(page) == dict.fromkeys(FORM, "")


def test_a_form_left_long_while_the_server_is_away_is_cleared_all_the_same(kiosk, server):
    """OFFLINE_KEEP_S without a touch: cleared for the next visitor, server or not (a touch starts it again)."""
    page = kiosk()
    typed_form(page)
    server_gone(page, server)
    page.clock.fast_forward(10 * 60 * 1000)
    expect(page.locator("#idle-warning")).to_be_visible()
    tap(page, "#idle-title")  # ten minutes on, someone is there: fifteen again from this touch
    expect(page.locator("#idle-warning")).to_be_hidden()
    page.clock.fast_forward((OFFLINE_KEEP_S - 1) * 1000)
    expect(page.locator("#idle-warning")).to_be_visible()
    expect(page.locator("#screen-form")).to_be_visible()
    assert field_values(page) == FORM
    page.clock.fast_forward(1000)
    expect(page.locator("#screen-welcome")).to_be_visible()
    expect(page.locator("#idle-warning")).to_be_hidden()
    assert field_values(page) == dict.fromkeys(FORM, "")


def test_the_review_at_1366x768_in_english_kept_and_nothing_typed_goes_back_as_ever(kiosk, server):
    """The review in English on a small landscape kiosk: kept, the cover in English. Only a choice of service, nothing
    typed: the idle reset goes back to the welcome screen as ever, offline or not."""
    page = kiosk(SMALL)
    typed_form(page)
    tap(page, "#to-review")
    expect(page.locator("#screen-review")).to_be_visible()
    tap(page, "#lang-toggle")
    server_gone(page, server)
    page.clock.fast_forward(2 * IDLE * 1000)
    expect(page.locator("#idle-title")).to_have_text("Still there?")
    expect(page.locator("#idle-count")).to_have_text(KEPT_EN)
    assert page.locator("#idle-warning").bounding_box() == {"x": 0, "y": 0, **SMALL}
    shot(page, "kiosk-idle-offline-small")
    tap(page, "#idle-title")
    expect(page.locator("#screen-review")).to_be_visible()
    expect(page.locator("#review")).to_contain_text(FORM["problem"])
    expect(page.locator("#submit")).to_be_disabled()

    tap(page, "#screen-review [data-action=form]")  # Ubah
    tap(page, "#screen-form [data-action=service]")  # Kembali: the form kept
    expect(page.locator("#screen-service")).to_be_visible()
    tap(page, "#screen-service h1")  # (a tap of its own, not a double tap's second)
    tap(page, "#screen-service [data-action=home]")  # Batal, and "Ya, hapus": cleared by the visitor's own choice
    tap(page, "#clear-yes")
    expect(page.locator("#screen-welcome")).to_be_visible()
    tap(page, "#start")
    tap(page, '[data-service="A"]')  # a service, nothing typed
    expect(page.locator("#screen-form")).to_be_visible()
    assert page.evaluate("antrianKiosk.kept") is False
    page.clock.fast_forward(IDLE * 1000)
    expect(page.locator("#screen-welcome")).to_be_visible()
