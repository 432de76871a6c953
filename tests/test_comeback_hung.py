"""A page one of whose own files never finished coming (the server accepted the request and hangs: a frozen process,
a half-dead proxy or Wi-Fi) got no error and no `load`: it stayed blank or half drawn, dead, for as long as the
browser waited (a TV left open for weeks: until someone walked to it). server/templates/comeback.html now watches
for the page's `load`: 30 s after the HTML (60 s after such a reload, then 120 s) a script or stylesheet of the page
still coming counts as one that did not come: "Menunggu server…", asks 2, 4, 8 … s apart, a reload once the server
answers, not while something typed is there. Real server, real Chromium; a file "hanging" is a request Playwright's
router holds and never answers; the page's clock is Playwright's (installed before the page loads), moved past the
watch by the test."""

from __future__ import annotations

import io
import re
import threading

import pytest
from conftest import write_config
from live import LiveServer
from pageclock import CALM_NUMBERS, pause_clock
from PIL import Image
from playwright.sync_api import expect

TV = {"width": 1280, "height": 720}
WATCH_MS = 30_000  # server/templates/comeback.html: watchFor(30 << …)
DISPLAY_JS = re.compile(r".*/display/static/display\.js(\?.*)?$")


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    # its pages hear no ping: their clocks moved on by minutes keep their live connection (tests/pageclock.py)
    server = LiveServer(write_config(tmp_path_factory.mktemp("comeback-hung")), numbers=CALM_NUMBERS).start()
    yield server
    server.stop()


class Hold:
    """Requests for the files matching a pattern, of the `methods` given, are held and never answered while `down`
    (the server took them and hangs), else go on. Every one asked is counted by method."""

    def __init__(self, page, pattern: re.Pattern[str], methods: tuple[str, ...] = ("GET", "HEAD")):
        self.down = True
        self.methods = methods
        self.asked: list[str] = []
        self.held: list = []
        self.lock = threading.Lock()
        page.route(pattern, self.handle)

    def handle(self, route):
        with self.lock:
            self.asked.append(route.request.method)
            hold = self.down and route.request.method in self.methods
            if hold:
                self.held.append(route)
        if not hold:
            route.continue_()


def open_hung(context, url: str, pattern: re.Pattern[str] = DISPLAY_JS, **hold):
    """A page of `context` with Playwright's clock, `pattern`'s file held, opened at `url`, parsed: its `load`
    not come. Its main frame's navigations are counted in page.navigations."""
    page = context.new_page()
    page.navigations = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and page.navigations.append(frame.url))
    gate = Hold(page, pattern, **hold)
    page.clock.install()
    page.goto(url, wait_until="commit")
    page.wait_for_function("() => document.readyState === 'interactive'")  # parsed; a file still coming
    assert gate.asked == ["GET"], gate.asked
    # from here on the page's time moves only as the test moves it: on a running clock, a loaded machine's seconds
    # between an ask answered and the checks of the note let the page's next try (4 s on) come first, and the note
    # said 8 s (a CI failure)
    pause_clock(page, 0.25)  # a quarter second on: never in the past of its running clock
    return page, gate


def note_says(page, seconds: int, kept: bool = False) -> None:
    note = page.locator("#comeback")
    expect(note).to_contain_text(f"dicoba lagi dalam {seconds} detik")
    expect(note).to_contain_text("Menunggu server")
    expect(note).to_contain_text("Waiting for the server…")
    expect(note).to_contain_text(f"next try in {seconds} s")
    if kept:
        expect(note).to_contain_text("What you typed is kept")
    else:
        expect(note).not_to_contain_text("What you typed is kept")


def covers_the_screen(page) -> bool:
    return page.evaluate(
        "() => { const e = document.elementFromPoint(innerWidth / 2, innerHeight / 2);"
        " return !!(e && e.closest('#comeback')); }"
    )


def test_a_tv_whose_module_never_comes_says_it_waits_and_loads_itself_again_once_the_server_answers(browser, office):
    """display.js asked for, the server hanging: the TV stayed with its empty frame, dead, for good. Now, 30 s on,
    it says over the screen it waits for the server; asks for the file 2 s later, an ask that does not end either
    given up after 10 s (4 s more then); once the server answers, the TV loads itself again and is live."""
    context = browser.new_context(viewport=TV)
    try:
        page, gate = open_hung(context, f"{office.url}/display/")
        page.clock.run_for(WATCH_MS - 1_000)
        expect(page.locator("#comeback")).to_have_count(0)  # a slow load is given its time
        page.clock.run_for(1_500)
        note_says(page, 2)
        assert covers_the_screen(page)
        expect(page.locator(".too-old:visible")).to_have_count(0)  # not a browser too old
        with page.expect_request(lambda r: r.method == "HEAD" and "display.js?comeback=" in r.url):
            page.clock.run_for(2_000)
        page.clock.run_for(10_000)  # the ask hangs too: given up
        note_says(page, 4)
        assert gate.asked == ["GET", "HEAD"], gate.asked
        assert page.evaluate("document.readyState") == "interactive" and len(page.navigations) == 1

        gate.down = False  # the server answers again
        with page.expect_navigation():
            page.clock.run_for(4_000)
        page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", timeout=20_000)
        assert gate.asked == ["GET", "HEAD", "HEAD", "GET"], gate.asked  # answered: loaded again, whole
        assert len(page.navigations) == 2, page.navigations
        expect(page.locator("#comeback")).to_have_count(0)
        expect(page.locator(".too-old:visible")).to_have_count(0)
        assert page.evaluate("sessionStorage.getItem('antrian.comeback')") is None  # whole: the count starts again
    finally:
        context.close()


def test_a_tv_whose_stylesheet_never_comes_shows_the_note_and_loads_itself_again_once_the_server_answers(
    browser, office
):
    """display.css hangs: the browser draws nothing (the stylesheet holds the page's drawing and its scripts), the
    TV stayed blank for good. Then the note was put in the page 30 s on, yet not drawn either: the TV stayed blank
    until the server answered. Now the hung stylesheet is taken out of the page: the note is seen over the screen,
    the file asked for, and the TV loads itself again once the server answers, whole."""
    context = browser.new_context(viewport=TV)
    try:
        page = context.new_page()
        gate = Hold(page, re.compile(r".*/display/static/display\.css(\?.*)?$"))
        page.clock.install()
        page.goto(f"{office.url}/display/", wait_until="commit")
        page.wait_for_function("() => !!document.getElementById('comeback-script')")
        assert page.evaluate("document.readyState") == "loading"  # its scripts held by the stylesheet
        # the page's time moves only as the test moves it (open_hung): on a running clock, a loaded machine's
        # seconds taking the screenshot below let the page's ask 2 s on come while the file still hung, and a second
        # one came after it (CI: GET, HEAD, HEAD, GET)
        pause_clock(page, 0.25)
        page.clock.run_for(WATCH_MS + 500)
        expect(page.locator("#comeback")).to_contain_text("dicoba lagi dalam 2 detik")
        # what the TV shows: the note's colour below its words, its title at the top (a screenshot waits for a
        # drawn frame; held by the stylesheet, none came)
        shot = Image.open(io.BytesIO(page.screenshot(timeout=10_000))).convert("RGB")
        assert shot.getpixel((TV["width"] // 2, TV["height"] - 20)) == (0x12, 0x3A, 0x5C), "the note is not seen"
        assert "Menunggu server" in page.evaluate("document.elementFromPoint(innerWidth / 2, 120).textContent")
        gate.down = False
        with page.expect_navigation():
            page.clock.run_for(2_000)
        page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", timeout=20_000)
        assert gate.asked == ["GET", "HEAD", "GET"], gate.asked
        expect(page.locator("#comeback")).to_have_count(0)
        expect(page.locator("header.top")).to_have_css("display", "flex")  # display.css came this time
    finally:
        context.close()


def test_a_file_that_hangs_again_after_the_reload_is_waited_for_longer(browser, office):
    """A half-dead proxy: the file's asks (HEAD) are answered but the file itself hangs each time. The TV loads
    itself again once, then waits 60 s (not 30) before the note, and asks 4 s after it: not a reload every 32 s."""
    context = browser.new_context(viewport=TV)
    try:
        page, gate = open_hung(context, f"{office.url}/display/", methods=("GET",))
        page.clock.run_for(WATCH_MS + 500)
        note_says(page, 2)
        with page.expect_navigation(wait_until="commit"):
            page.clock.run_for(2_000)  # the ask answered: loaded again
        page.wait_for_function("() => document.readyState === 'interactive'")
        assert gate.asked == ["GET", "HEAD", "GET"], gate.asked
        assert page.evaluate("sessionStorage.getItem('antrian.comeback')") == "1"
        page.clock.run_for(2 * WATCH_MS - 1_000)
        expect(page.locator("#comeback")).to_have_count(0)
        page.clock.run_for(1_500)
        note_says(page, 4)
        assert len(page.navigations) == 2, page.navigations
    finally:
        context.close()


def test_files_that_come_late_after_the_note_leave_the_page_whole_and_not_loaded_again(browser, office):
    """The server was slow, not gone: display.js comes 40 s on, after the note and before any ask was answered.
    The note goes, the TV runs, it is not loaded again."""
    context = browser.new_context(viewport=TV)
    try:
        page, gate = open_hung(context, f"{office.url}/display/")
        page.clock.run_for(WATCH_MS + 500)
        note_says(page, 2)
        gate.held[0].continue_()  # the file comes at last; the asks would still hang
        page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", timeout=20_000)
        expect(page.locator("#comeback")).to_have_count(0)
        page.clock.run_for(120_000)
        expect(page.locator("#comeback")).to_have_count(0)
        assert gate.asked == ["GET"], gate.asked  # never asked
        assert len(page.navigations) == 1, page.navigations
        assert page.evaluate("sessionStorage.getItem('antrian.comeback')") is None
    finally:
        context.close()


def test_a_tv_that_loaded_is_never_loaded_again_by_the_watch(browser, office):
    """The watch ends at the page's `load`: a TV that loaded whole and then ran for hours is not covered nor loaded
    again, whatever its clock (and a logo that never comes, an image, does not count: the page is drawn and runs)."""
    context = browser.new_context(viewport=TV)
    try:
        page = context.new_page()
        navigations = []
        page.on("framenavigated", lambda frame: frame == page.main_frame and navigations.append(frame.url))
        page.clock.install()
        page.goto(f"{office.url}/display/")
        page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", timeout=20_000)
        page.evaluate("window.__same = true")
        for _ in range(12):
            page.clock.run_for(10 * 60_000)
        expect(page.locator("#comeback")).to_have_count(0)
        assert page.evaluate("window.__same") is True
        assert len(navigations) == 1, navigations
    finally:
        context.close()


def test_a_kiosk_with_typed_text_whose_last_script_hangs_keeps_it_and_loads_again_once_emptied(browser, office):
    """The kiosk's kiosk.js ran but its last script (fallback.js) hangs: the kiosk works, a visitor types. 30 s on,
    the page says it waits for the server in a bar, the form under it, and while the field holds text it is not
    loaded again, even with the server answering; emptied, it loads again."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True)
    try:
        page, gate = open_hung(context, f"{office.url}/kiosk/?idle=600", re.compile(r".*/static/fallback\.js(\?.*)?$"))
        page.wait_for_function("() => window.antrianKiosk && antrianKiosk.live", timeout=20_000)
        page.tap("#start")
        page.tap('[data-service="A"]')
        field = page.locator("#f-name")
        expect(field).to_be_visible()
        field.fill("Rina Wulandari")
        page.clock.run_for(WATCH_MS + 500)
        note_says(page, 2, kept=True)
        assert not covers_the_screen(page)  # a bar above the page: the form under it as it is
        gate.down = False  # the server answers
        with page.expect_request(lambda r: r.method == "HEAD" and "fallback.js?comeback=" in r.url):
            page.clock.run_for(2_000)
        note_says(page, 4, kept=True)  # answered, the text there: not loaded again
        expect(field).to_have_value("Rina Wulandari")
        assert len(page.navigations) == 1, page.navigations
        with page.expect_navigation():
            field.fill("")
            page.clock.run_for(1_000)
        expect(page.locator("#screen-welcome")).to_be_visible()
        expect(page.locator("#comeback")).to_have_count(0)
        assert gate.asked == ["GET", "HEAD", "HEAD", "GET"], gate.asked
    finally:
        context.close()
