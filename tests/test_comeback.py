"""A page whose HTML came but one of its scripts or stylesheets did not (the server stopped or restarted between
them: an update, a power cut) says, over the page in Indonesian then English, that it waits for the server, and
loads itself again once the server answers (server/templates/comeback.html): it used to stay blank, half drawn,
dead, or called the browser too old, for good. Real servers, real Chromium; a file "not coming" is either the
server really stopped after the page's HTML, or the request aborted by the browser's router."""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest
from conftest import until_on_page, write_config
from live import LiveServer
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parent.parent
TV = {"width": 1280, "height": 720}

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    server = LiveServer(write_config(tmp_path_factory.mktemp("comeback"))).start()
    server.add_user("budi", "officer")
    server.add_user("rina", "frontoffice")
    yield server
    server.stop()


class Gate:
    """Requests for the files matching a pattern fail while `down` (aborted, as a server gone), else go on.
    Counts them by method."""

    def __init__(self, page, pattern: re.Pattern[str], down: bool = True):
        self.down = down
        self.asked: list[str] = []
        self.urls: list[str] = []
        self.lock = threading.Lock()
        page.route(pattern, self.handle)

    def handle(self, route):
        with self.lock:
            self.asked.append(route.request.method)
            self.urls.append(route.request.url)
            down = self.down
        if down:
            route.abort("connectionrefused")
        else:
            route.continue_()


def drawn_again(view):
    """A predicate for wait_for_function: the page reloaded and drawn with its stylesheet, showing `view`. While the
    page reloads there is a moment without a body or a header: that is "not yet", not an error."""
    return (
        "() => { const bar = document.querySelector('header.bar');"
        " return !!(document.body && bar) && !document.querySelector('#comeback')"
        f" && document.body.dataset.view === '{view}' && getComputedStyle(bar).display === 'flex'; }}"
    )


# Each time the page asks the server for the missing file (comeback.html's HEAD), on the page's clock (Date.now()):
# kept in the tab's sessionStorage (ASKED), across the reload that follows an answered ask.
ASKS = """
window.__loadedAt = null;
window.addEventListener("load", () => { window.__loadedAt = window.__loadedAt || Date.now(); });
(function (open) {
  XMLHttpRequest.prototype.open = function (method) {
    if (method === "HEAD") {
      const asks = JSON.parse(sessionStorage.getItem("test.asks") || "[]");
      sessionStorage.setItem("test.asks", JSON.stringify(asks.concat([Date.now()])));
    }
    return open.apply(this, arguments);
  };
})(XMLHttpRequest.prototype.open);
"""
ASKED = "() => JSON.parse(sessionStorage.getItem('test.asks') || '[]')"


def paused_clock(page) -> None:
    """The page's clock (Playwright's, page.clock) installed and stopped before the page loads: comeback.html's
    waits of 2, 4, 8 s between its asks run only as the test moves it (wait_then_ask), to the millisecond, instead
    of being waited out in real time. It stays stopped across the page's own reload (Playwright replays it)."""
    page.add_init_script(ASKS)
    page.clock.install()
    page.clock.pause_at(time.time() + 1)


def wait_then_ask(page, seconds: int) -> list[int]:
    """Moves the paused clock (paused_clock) on to `seconds` after the page's last ask (after its load, for the
    first), checking that it did not ask a millisecond before, then by that millisecond: the page's asks it should
    have made then (ASKED), for the test to check once the page is not reloading (an answered ask reloads it)."""
    asks = page.evaluate(ASKED)
    due = (asks[-1] if asks else page.evaluate("window.__loadedAt")) + seconds * 1000
    page.clock.run_for(due - 1 - page.evaluate("Date.now()"))
    assert page.evaluate(ASKED) == asks, f"asked before its {seconds} s"
    page.clock.run_for(1)
    return asks + [due]


def note_says_it_waits(page, seconds: int) -> None:
    note = page.locator("#comeback")
    expect(note).to_contain_text(f"dicoba lagi dalam {seconds} detik", timeout=15_000)  # the last one said
    expect(note).to_be_visible()
    expect(note).to_contain_text("Menunggu server")
    expect(note).to_contain_text("Waiting for the server")
    expect(note).to_contain_text(f"next try in {seconds} s")


def test_a_tv_whose_module_did_not_come_waits_for_the_server_with_a_backoff_and_loads_itself_again(browser, office):
    """display.js did not come (the server restarting as the TV booted): fallback.js called the browser too old,
    for good. Now the TV says it waits for the server, asks for the file after 2 s, then 4 s, then 8 s, while it
    does not come, and once it does loads itself again: live, the note gone, no "too old"."""
    context = browser.new_context(viewport=TV)
    try:
        page = context.new_page()
        page.add_init_script(WATCH)
        paused_clock(page)
        gate = Gate(page, re.compile(r".*/display/static/display\.js(\?.*)?$"))
        page.goto(f"{office.url}/display/")
        page.wait_for_load_state("load")
        note_says_it_waits(page, 2)
        expect(page.locator(".too-old:visible")).to_have_count(0)  # not a browser too old
        expect(page.locator("html")).not_to_have_class(re.compile(r"\bno-module\b"))
        asks = wait_then_ask(page, 2)
        note_says_it_waits(page, 4)  # asked once (HEAD), the server still away: twice as long
        assert page.evaluate(ASKED) == asks  # 2 s after its load
        asks = wait_then_ask(page, 4)
        note_says_it_waits(page, 8)
        assert page.evaluate(ASKED) == asks  # 4 s after that
        assert gate.asked.count("HEAD") == 2, gate.asked  # once after 2 s, once after 4 s more
        covered = page.evaluate(
            "() => { const e = document.elementFromPoint(innerWidth / 2, innerHeight / 2);"
            " return !!(e && e.closest('#comeback')); }"
        )
        assert covered  # over the whole screen: the half-drawn page is not what the TV shows
        assert page.evaluate("window.__csp") == []  # the note's script and its style under the strict policy
        gate.down = False
        asks = wait_then_ask(page, 8)
        page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", timeout=20_000)
        assert page.evaluate(ASKED) == asks  # 8 s after that
        assert gate.asked.count("HEAD") == 3 and gate.asked[-1] == "GET", gate.asked  # answered: loaded again
        expect(page.locator("#comeback")).to_have_count(0)
        expect(page.locator(".too-old:visible")).to_have_count(0)
        assert page.evaluate("sessionStorage.getItem('antrian.comeback')") is None  # whole: the count starts again
        assert page.evaluate("window.__csp") == []
    finally:
        context.close()


def test_a_counter_page_whose_server_died_after_its_html_loads_itself_again_when_the_server_is_back(browser, office):
    """The known one: the counter page was dead for good when the server died before socket.io's script (and
    everything after the HTML). The server really stops right after the page's HTML here; the page says it waits,
    and once the server is started again it loads itself again: the login form, live."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    stopped = threading.Event()
    try:
        page = context.new_page()
        page.add_init_script(WATCH)
        paused_clock(page)

        def html_then_stop(route):
            answer = route.fetch()
            office.stop()  # the server gone between the page's HTML and its files
            stopped.set()
            route.fulfill(response=answer)

        page.route(re.compile(r".*/counter/$"), html_then_stop)
        page.goto(f"{office.url}/counter/")
        page.wait_for_load_state("load")
        assert stopped.is_set()
        page.unroute(re.compile(r".*/counter/$"))
        note_says_it_waits(page, 2)
        expect(page.locator("body")).to_have_attribute("data-view", "loading")  # counter.js never ran
        asks = wait_then_ask(page, 2)
        note_says_it_waits(page, 4)  # the server still away: asked once, refused
        assert page.evaluate(ASKED) == asks
        office.start()
        asks = wait_then_ask(page, 4)
        page.wait_for_function("() => document.body && document.body.dataset.view === 'login'", timeout=20_000)
        assert page.evaluate(ASKED) == asks
        expect(page.locator("#comeback")).to_have_count(0)
        expect(page.locator("#login-form")).to_be_visible()
        assert page.evaluate("window.__csp") == []
    finally:
        context.close()
        if office.proc is None or office.proc.poll() is not None:
            office.start()


def test_a_kiosk_whose_socket_script_did_not_come_cannot_be_typed_on_and_loads_itself_again(browser, office):
    """The kiosk: socket.io's script did not come, kiosk.js stopped at it, the welcome screen drawn but dead. Now
    the note covers the screen (a visitor cannot start a form in the half-loaded page: nothing typed to lose), and
    the kiosk loads itself again once the server answers."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True)
    try:
        page = context.new_page()
        paused_clock(page)  # the note's 2 s last as long as the test takes to read it, then moved on
        gate = Gate(page, re.compile(r".*/static/vendor/socket\.io\.min\.js(\?.*)?$"))
        page.goto(f"{office.url}/kiosk/")
        page.wait_for_load_state("load")
        note_says_it_waits(page, 2)
        expect(page.locator(".too-old:visible")).to_have_count(0)
        box = page.locator("#start").bounding_box()
        top = page.evaluate(
            "([x, y]) => { const e = document.elementFromPoint(x, y); return e && e.closest('#comeback') ? 'note' : e && e.id; }",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
        assert top == "note"  # the welcome button is under the note: no form is opened
        expect(page.locator("#screen-form")).to_be_hidden()
        gate.down = False
        wait_then_ask(page, 2)  # asked, answered: loaded again
        page.wait_for_function("() => window.antrianKiosk && typeof window.io === 'function'", timeout=20_000)
        expect(page.locator("#comeback")).to_have_count(0)
        expect(page.locator("#screen-welcome")).to_be_visible()
    finally:
        context.close()


def test_a_page_where_something_was_typed_is_not_reloaded_until_the_fields_are_as_drawn(browser, office):
    """The counter page's stylesheet did not come, and the officer typed a username into the plain form while its
    script was still coming: the page says it waits, keeps the text (a bar at the top, the form under it) and does
    not load itself again while the field holds it, even with the server answering; emptied, it loads again."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    held = []
    try:
        page = context.new_page()
        paused_clock(page)  # each wait of the note's as long as the test takes to read it, then moved on
        css = Gate(page, re.compile(r".*/counter/static/counter\.css(\?.*)?$"))

        def hold_first(route):
            if held:
                route.continue_()
            else:
                held.append(route)

        page.route(re.compile(r".*/counter/static/counter\.js$"), hold_first)
        page.goto(f"{office.url}/counter/", wait_until="commit")
        field = page.locator("#login-form input[name=username]")
        expect(field).to_be_visible()  # the plain form, drawn without its stylesheet
        page.wait_for_function("() => document.readyState !== 'loading'")
        field.fill("budi")
        css.down = False  # the server answers again
        held[0].continue_()  # the page's script comes: it runs, the page loads
        page.wait_for_load_state("load")
        note = page.locator("#comeback")
        expect(note).to_contain_text("Menunggu server", timeout=15_000)
        expect(note).to_contain_text("What you typed is kept")
        expect(note).to_contain_text("dicoba lagi dalam 2 detik")
        # asked after 2 s, answered, the field holds text: not reloaded, asked again after 4 s
        page.clock.run_for(2000)
        expect(note).to_contain_text("dicoba lagi dalam 4 detik", timeout=15_000)
        assert "HEAD" in css.asked
        expect(field).to_have_value("budi")
        field.fill("")
        page.clock.run_for(500)  # emptied: asked at the note's next look at the fields (every half second)
        page.wait_for_function(
            drawn_again("login"),
            timeout=20_000,
        )
    finally:
        context.close()


def waits_in_its_loop(pid: int, timeout: float = 15.0) -> None:
    """Until the autostart entry's shell (`pid`) sleeps in its loop (a `sleep` child): it looked for the server and
    found none. An AssertionError if the shell became the browser instead (its `exec`) before that."""
    deadline = time.monotonic() + timeout
    ours = Path("/proc/self/comm").read_text().strip()  # the process's name until it runs the shell (its exec)
    while True:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
        assert comm in ("sh", ours), f"the browser ({comm}) opened before the loop looked for the server"
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            try:
                name = Path(f"/proc/{child}/comm").read_text().strip()
            except OSError:  # ended meanwhile
                continue
            if name == "sleep":
                return
        assert time.monotonic() < deadline, "the autostart entry's loop never waited"
        time.sleep(0.02)  # a look at the shell's children every 20 ms


def test_the_tvs_autostart_entry_opens_the_page_once_the_server_answers(tmp_path):
    """After a power cut the TV's PC is up before the server's: the autostart entry in docs/display.md waits for the
    server's /healthz, then opens the page (Chromium's own error page would retry only after 1 s, 5 s, 30 s, 1, 5,
    10, then every 30 minutes). Run as the docs write it, the server started after it, Chromium headless in place of
    the TV's window (its --dump-dom: the page as drawn once loaded), and the loop's look every 5 s made every fifth
    of a second (what is tested is that it waits, then opens the page: not the 5 s it waits out in real time)."""
    from conftest import CHROMIUM
    from live import free_port

    entry = re.search(r"^Exec=sh -c '(.*)'$", (ROOT / "docs" / "display.md").read_text("utf-8"), re.M)
    assert entry, "docs/display.md: no autostart Exec= line"
    server = LiveServer(write_config(tmp_path), port=free_port())
    command = entry.group(1).replace("http://SERVER:8080", server.url)
    browser = f"{CHROMIUM} --headless --no-sandbox --disable-gpu --user-data-dir={tmp_path / 'profile'} --dump-dom"
    assert command.count("exec chromium ") == 1, command
    command = command.replace("exec chromium ", f"exec {browser} ")
    assert command.count("; do sleep 5; done;") == 1, command
    command = command.replace("; do sleep 5; done;", "; do sleep 0.2; done;")
    tv = subprocess.Popen(["sh", "-c", command], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        waits_in_its_loop(tv.pid)  # it looked, found no server, and waits: the browser not opened yet
        assert tv.poll() is None  # waiting: no server yet
        server.start()
        page, _ = tv.communicate(timeout=60)
        assert 'id="status-badge"' in page and "/display/static/display.js" in page, page[:500]
    finally:
        if tv.poll() is None:
            tv.kill()
            tv.wait()
        server.stop()


FOREIGN = """
window.__foreign = [];
document.addEventListener("DOMContentLoaded", () => {
  // what a browser extension (a password manager, a translator, an ad blocker) puts in the page: a script and a
  // stylesheet of its own, not of this server, that do not load (refused by the page's CSP, or gone)
  const s = document.createElement("script");
  s.src = "http://127.0.0.1:9/extension/inject.js";
  s.addEventListener("error", () => window.__foreign.push("script"));
  const l = document.createElement("link");
  l.rel = "stylesheet";
  l.href = "http://127.0.0.1:9/extension/theme.css";
  l.addEventListener("error", () => window.__foreign.push("link"));
  document.head.appendChild(s);
  document.head.appendChild(l);
});
"""


def test_a_file_of_another_origin_that_fails_does_not_cover_a_tv_whose_server_is_fine(browser, office):
    """A script or stylesheet of another origin (put in the page by a browser extension on the TV's or the officer's
    PC) that failed to load covered the page with "Menunggu server…" though every file of the server came, and asked
    that other address for it, refused by the page's CSP, every 2, 4, ... 60 s for good: the TV dead, the counter
    page unusable. Only a file of this server counts now: the page runs, no note."""
    context = browser.new_context(viewport=TV)
    try:
        page = context.new_page()
        page.add_init_script(FOREIGN)
        page.goto(f"{office.url}/display/")
        page.wait_for_load_state("load")
        page.wait_for_function("() => window.__foreign.length === 2")  # both failed, before the page's load
        assert page.evaluate("window.antrianWaitsForServer") is None
        expect(page.locator("#comeback")).to_have_count(0)  # (the note is drawn in the page's `load` handler)
        page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", timeout=20_000)
        expect(page.locator("#comeback")).to_have_count(0)
    finally:
        context.close()


def test_every_page_with_the_script_is_allowed_to_run_it_as_served(office):
    """The script is allowed by the hash of its text in server/templates/comeback.html: any change of that text on
    its way to the page (Jinja's whitespace or newlines, a page including it in another way) and the browser would
    refuse it silently, the page back to blank for good when a file did not come. Each page that has it, as served,
    hashes to the policy's source."""
    import base64
    import hashlib

    import requests
    from staffpages import issue

    ticket = issue(office, "Rina Wulandari")
    pages = ["/display/", "/kiosk/", f"/survey/?t={ticket['token']}", f"/t/{ticket['token']}", "/counter/"]
    pages += ["/counter/front", "/counter/admin", "/counter/dashboard", "/counter/recap"]
    for path in pages:
        r = requests.get(office.url + path, timeout=5)
        assert r.status_code == 200, (path, r.status_code)
        scripts = re.findall(r'<script id="comeback-script"[^>]*>(.*?)</script>', r.text, re.S)
        assert len(scripts) == 1, (path, len(scripts))
        digest = base64.b64encode(hashlib.sha256(scripts[0].encode("utf-8")).digest()).decode("ascii")
        assert f"'sha256-{digest}'" in r.headers["Content-Security-Policy"].split(";")[1].split(), path


def test_without_session_storage_a_file_answered_404_is_asked_for_less_and_less_often(browser, office):
    """A browser where the page cannot have sessionStorage (cookies blocked, an Android WebView without DOM storage):
    a file of the page answered 404 for good (the server there) had the page asked for it and loaded again every 2 s,
    for good, its count of reloads lost at each. The count is kept in the tab's name then: 2 s, then 4 s after the
    first reload, as with sessionStorage."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True)
    try:
        page = context.new_page()
        page.add_init_script(
            "Object.defineProperty(window, 'sessionStorage', { get() { throw new DOMException('no', 'SecurityError'); } });"
        )
        asked: list[str] = []
        page.route(
            re.compile(r".*/static/fallback\.js(\?.*)?$"),
            lambda route: (asked.append(route.request.method), route.fulfill(status=404, body="Not Found")),
        )
        # the note's waits as long as the test takes to read it, then moved on (paused_clock's record of the asks would
        # need the sessionStorage this page cannot have; the clock's own `performance` has no navigation entries)
        page.clock.install()
        page.clock.pause_at(time.time() + 1)
        loads: list[str] = []
        page.on("load", lambda _: loads.append("load"))
        page.goto(f"{office.url}/kiosk/")
        note_says_it_waits(page, 2)
        page.clock.run_for(2000)
        until_on_page(page, lambda: len(loads) == 2, lambda: f"the page's reload (loads {loads}, asked {asked})")
        page.wait_for_load_state("load")
        assert asked == ["GET", "HEAD", "GET"], asked  # asked after 2 s, answered (404): loaded again
        note_says_it_waits(page, 4)  # the count kept across the reload: twice as long
        assert page.evaluate("window.name") == "antrian.comeback=1"
    finally:
        context.close()


def test_a_drop_down_chosen_on_a_half_loaded_page_is_kept_but_not_the_pages_own_choice(browser, office):
    """The front office's stylesheet did not come and its script came late: the officer chose the visitor's service
    in the plain form meanwhile. A changed drop-down did not count as typed: the page loaded itself again once the
    server answered and the choice was lost. Now it is kept like typed text (the bar, no reload while it holds), and
    the page loads again once it is back as drawn. A drop-down the page's own script sets (front.js putting back the
    service of the number just issued) and one left on the first option the browser picks are not the person's:
    such a page loads itself again as soon as the server answers."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    held = []
    try:
        page = context.new_page()
        answer = page.context.request.post(
            office.url + "/api/login", data={"username": "rina", "password": "rahasia-123"}
        )
        assert answer.ok, answer.text()
        paused_clock(page)  # each wait of the note's as long as the test takes to read it, then moved on
        css = Gate(page, re.compile(r".*/counter/static/counter\.css(\?.*)?$"))

        def hold_first(route):
            if held:
                route.continue_()
            else:
                held.append(route)

        page.route(re.compile(r".*/counter/static/front\.js$"), hold_first)
        page.goto(f"{office.url}/counter/front", wait_until="commit")
        service = page.locator("#r-service")
        expect(service).to_be_visible()  # the plain form, drawn without its stylesheet
        drawn = service.input_value()  # no option marked selected: the browser's pick, the first
        options = service.locator("option").evaluate_all("os => os.map(o => o.value)")
        assert len(options) > 1 and drawn == options[0], options
        page.wait_for_function("() => document.readyState !== 'loading'")
        service.select_option(options[1])
        css.down = False  # the server answers again
        held[0].continue_()
        page.wait_for_load_state("load")
        note = page.locator("#comeback")
        expect(note).to_contain_text("Menunggu server", timeout=15_000)
        expect(note).to_contain_text("What you typed is kept")
        expect(note).to_contain_text("dicoba lagi dalam 2 detik")
        # asked after 2 s, answered, the choice is there: not reloaded, asked again after 4 s
        page.clock.run_for(2000)
        expect(note).to_contain_text("dicoba lagi dalam 4 detik", timeout=15_000)
        assert "HEAD" in css.asked
        expect(service).to_have_value(options[1])
        service.select_option(options[0])  # back as drawn: nothing of the person's to lose
        page.clock.run_for(500)  # asked at the note's next look at the fields (every half second)
        page.wait_for_function(
            drawn_again("app"),
            timeout=20_000,
        )

        # The page's own choice: front.js puts back the service of the number just issued (after a reload it made
        # itself), with no one touching the form; the stylesheet did not come
        page.evaluate(
            "s => sessionStorage.setItem('antrian.front.said', JSON.stringify({key: 'reg.done', params: {label: 'A-001', position: 1}, service: s}))",
            options[1],
        )
        css.down = True
        css.asked.clear()
        page.reload()
        note_says_it_waits(page, 2)
        expect(service).to_have_value(options[1], timeout=15_000)  # set by front.js, no change event
        css.down = False
        page.clock.run_for(2000)
        page.wait_for_function(
            drawn_again("app"),
            timeout=20_000,
        )
        assert css.asked.count("HEAD") == 1, css.asked  # answered at the first ask: loaded again, not held
    finally:
        context.close()


PHONE = {"width": 360, "height": 640}


def test_the_phones_lite_page_whose_stylesheets_did_not_come_reads_whole_without_them(browser, office):
    """The phone's page without its scripts (`?lite=1`: a browser too old for the module, or one whose module once
    failed) has no note "Menunggu server…": it has no script to miss, its words are all in its HTML, and it loads
    itself again while its ticket may change (docs/kiosk.md, "Browsers"). But when its stylesheets did not come (the
    server restarting as it reloaded itself) it showed two buttons that did nothing there ("English" beside its
    link, "Aktifkan suara panggilan") and a note promising a beep above the one saying there is none: nolive.css
    hid them. The lite page no longer draws them: without its stylesheets it is plain, but all true."""
    from staffpages import issue

    ticket = issue(office, "Dewi Lestari")
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        css = Gate(page, re.compile(r".*/kiosk/static/(phone|nolive)\.css(\?.*)?$"))
        page.goto(f"{office.url}/t/{ticket['token']}?lite=1")
        page.wait_for_load_state("load")
        assert sorted(css.asked) == ["GET", "GET"], css.asked  # both refused
        expect(page.locator("#label")).to_have_text(ticket["label"])
        expect(page.locator("#status")).to_have_text("menunggu")
        expect(page.locator("#position")).to_contain_text("Posisi Anda: ke-")
        expect(page.locator("#no-live")).to_contain_text("dimuat ulang sendiri setiap 20 detik")
        expect(page.locator("#lang-link")).to_be_visible()
        expect(page.locator("button:visible")).to_have_count(0)  # nothing to press that does nothing
        expect(page.locator("#note")).to_be_hidden()  # "ponsel berbunyi dan bergetar": not this browser
        expect(page.locator('head meta[http-equiv="refresh"]')).to_have_count(1)  # whole again at its reload
        expect(page.locator("#comeback")).to_have_count(0)
        assert page.locator("script").count() == 0
        assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")  # nothing sideways
        if os.environ.get("ANTRIAN_SHOTS"):  # a folder to keep the screenshots in (a run by hand)
            page.screenshot(path=os.path.join(os.environ["ANTRIAN_SHOTS"], "phone-lite-plain.png"))
        css.down = False
        page.reload()
        expect(page.locator("header.bar")).to_have_css("display", "flex")  # phone.css
        expect(page.locator("#lang-link")).to_have_css("line-height", "32px")  # nolive.css
        expect(page.locator("#no-live")).to_be_visible()
        if os.environ.get("ANTRIAN_SHOTS"):
            page.screenshot(path=os.path.join(os.environ["ANTRIAN_SHOTS"], "phone-lite-whole.png"))
    finally:
        context.close()
