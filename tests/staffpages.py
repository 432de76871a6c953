"""What the live staff-page tests share: a ticket from the kiosk's API and a login on a staff page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from playwright.sync_api import expect

PASSWORD = "rahasia-123"
# the staff of the live office modules: two officers, the front office and an admin
ACCOUNTS = {"budi": "officer", "sari": "officer", "rina": "frontoffice", "kepala": "admin"}


def staffed(live):
    """`live` with ACCOUNTS added (a module's one server)."""
    for name, role in ACCOUNTS.items():
        live.add_user(name, role)
    return live


def empty_queue(office) -> None:
    """Today's queue emptied and every counter free and unpaused, by the admin: a test's clean start on a
    server its module shares."""
    admin = office.session("kepala", PASSWORD)
    state = admin.get(office.url + "/api/staff/state", timeout=5).json()
    for ticket in state["tickets"]:
        if ticket["status"] == "serving":
            url = f"{office.url}/api/counters/{ticket['counter_id']}/resolve"
            r = admin.post(url, json={"solution": "Dibersihkan oleh tes."}, timeout=5)
        else:
            r = admin.post(f"{office.url}/api/tickets/{ticket['token']}/cancel", json={}, timeout=5)
        assert r.status_code == 200, r.text
    for counter in state["counters"]:
        if counter.get("paused"):
            admin.post(f"{office.url}/api/counters/{counter['id']}/resume", json={}, timeout=5).raise_for_status()
        admin.post(f"{office.url}/api/counters/{counter['id']}/release", json={}, timeout=5).raise_for_status()


def issue(live, name: str, service: str = "A", priority: bool = False) -> dict:
    """A ticket of `service` for visitor `name` (in the priority lane when `priority`), taken as the kiosk
    takes it; the server's ticket."""
    r = requests.post(
        live.url + "/api/tickets",
        timeout=5,
        json={
            "service": service,
            "name": name,
            "agency": "CV Maju Bersama",
            "address": "Jl. Sudirman No. 12",
            "phone": "081234567890",
            "problem": f"{name}: lupa kata sandi akun penyedia SPSE",
            "priority": priority,
        },
    )
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def counter_actions(live, username: str, counter: int = 1):
    """`username`'s actions at `counter` through the API: act("call-next") -> the ticket of its answer (any action
    refused fails the test; "resolve" is sent with a solution)."""
    session = live.session(username, PASSWORD)

    def act(action: str) -> dict:
        r = session.post(f"{live.url}/api/counters/{counter}/{action}", json={"solution": "Selesai."}, timeout=5)
        assert r.status_code == 200, (action, r.text)
        return r.json()["ticket"]

    return act


COUNTER_VIEWPORT = {"width": 1366, "height": 768}  # the counter PC's screen


@contextmanager
def counter_page(browser, office, username: str = "budi", counter: str = "1", viewport=None, routed=False) -> Iterator:
    """An officer's counter page at 1366x768 (or `viewport`: the smaller laptop's 1024x768...), signed in and at
    `counter`; its context closed at the end. `routed`: its API requests pass through a route from before it loads,
    as paused_counter_page's do, for a test that holds some with page.route."""
    page = open_counter(browser, office, username, counter, viewport, routed)
    try:
        yield page
    finally:
        page.context.close()


@contextmanager
def clocked_counter_page(browser, office) -> Iterator:
    """budi's counter page at Loket 1 (1366x768) with Playwright's clock installed before it loads, running in real
    time: the test moves it on past the page's waits (page.clock.run_for). For a server that never pings
    (pageclock.CALM_NUMBERS), or moves of a few seconds."""
    context = browser.new_context(viewport=COUNTER_VIEWPORT, locale="id-ID")
    try:
        page = context.new_page()
        page.clock.install()
        sign_in(page, office, "/counter/", "budi")
        page.select_option("#counter-select", "1")
        yield page
    finally:
        context.close()


@contextmanager
def paused_counter_page(browser, office) -> Iterator:
    """budi's counter page at Loket 1 (1366x768) on an emptied queue, Playwright's clock installed before it loads
    (pageclock.install_clock) and paused once it is live: its timers fire only as the test moves the clock.

    Its API requests pass through a route of the page from before it loads: every test of these pages holds one with
    page.route, and the page's first route turns Chromium's interception on, and now and then (1 in some 600 pages on a
    loaded machine, each time while the call's question, settleSeen, was on its way) the next request (D's start) went
    unseen and unheld; on from the page's first request, a route added later is in effect at once."""
    from pageclock import install_clock, pause_clock

    empty_queue(office)
    context = browser.new_context(viewport=COUNTER_VIEWPORT, locale="id-ID")
    try:
        page = context.new_page()
        page.route("**/api/**", lambda route: route.fallback())
        install_clock(page)
        sign_in(page, office, "/counter/", "budi")
        page.select_option("#counter-select", "1")
        expect(page.locator("#btn-pause")).to_be_enabled()
        pause_clock(page)
        yield page
    finally:
        context.close()


def open_counter(browser, office, username: str = "budi", counter: str = "1", viewport=None, routed=False):
    """counter_page's page in a new context that the caller closes (page.context), or leaves to the end of the run:
    for a helper that returns the page, or a test that opens and closes its pages in its own order."""
    context = browser.new_context(viewport=viewport or COUNTER_VIEWPORT, locale="id-ID")
    try:
        page = context.new_page()
        if routed:
            page.route("**/api/**", lambda route: route.fallback())
        page = sign_in(page, office, "/counter/", username)
        page.select_option("#counter-select", str(counter))
    except BaseException:
        context.close()
        raise
    return page


def sign_in(page, live, path: str | None, username: str, check_name: bool = True, form: bool = False):
    """Log in and open `path`; by default wait for the name and the live socket.

    Through the page's login form when `form` (or when `path` is None: the page already shows it), as
    an officer does. Else by POST /api/login from the page's browser context, which keeps the session
    cookie as the form's own request would, and then the page opens logged in, as it does when an
    officer comes back to it: without the form's fields and click, and without drawing the page twice
    (its login view, then the app). The form itself is tested where it is the subject (the login's way
    back to the page asked for, the navigation bar, a refused role, the pages under the CSP)."""
    if form or path is None:
        if path is not None:
            page.goto(live.url + path)
        page.fill("#login-form [name=username]", username)
        page.fill("#login-form [name=password]", PASSWORD)
        page.click("#login-form button[type=submit]")
    else:
        answer = page.context.request.post(live.url + "/api/login", data={"username": username, "password": PASSWORD})
        assert answer.ok, answer.text()
        page.goto(live.url + path)
    if check_name:
        expect(page.locator("#officer-name")).to_have_text(username)
        expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
    return page


@contextmanager
def first_snapshot_read(page, path: str = "/api/admin/settings") -> Iterator[None]:
    """Around a staff page's opening (sign_in): back once its live socket is on and the page's second GET of `path`
    has finished, the one its first snapshot asks for (admin.js resync: the settings read at the start, then again
    at the snapshot). Acted on before that read's answer, the page took it after what the test did (a loaded CI run:
    a save's lost answer said Tersimpan. at once). For a page whose start's read is done before its socket starts."""
    reads = []

    def is_read(request) -> bool:
        return request.method == "GET" and request.url.split("?")[0].endswith(path)

    def heard(request) -> None:
        if is_read(request):
            reads.append(request)

    page.on("requestfinished", heard)
    try:
        yield
        expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
        while len(reads) < 2:
            page.wait_for_event("requestfinished", is_read)
    finally:
        page.remove_listener("requestfinished", heard)


def resize(page, size: dict) -> None:
    """The page's window made `size` ({width, height}), back once the page's own resize handlers have run: the
    counter page fits the visitor's details, the ticket's head and the e-mail addresses to the new width then
    (counter.js fitDetails), a standalone staff bar takes the window's width (nav.js). Chromium sends the
    resize event at its next frame, after set_viewport_size is back: a read right after it saw the last width's
    fit 83 times in 100 (the details' classes, the call count's two lines, an address cut for another width),
    and the new one when the machine's frame came first."""
    if page.viewport_size == size:
        return  # no resize event to wait for
    page.evaluate(
        """() => { window.__resizedByTest = false;
            addEventListener('resize', () => { window.__resizedByTest = true; }, { once: true }); }"""
    )  # after the page's own handlers: called after them
    page.set_viewport_size(size)
    page.wait_for_function("() => window.__resizedByTest", polling=20)


# The admin's settings sections, in the order they are put back: counters first (they may name a service a test
# added), then services.
SETTINGS_SECTIONS = ("counters", "services", "office", "queue", "priority_classes", "kiosk", "hours")


@contextmanager
def settings_kept(live, admin) -> Iterator[None]:
    """Put back every settings section changed inside the block, through the admin's API session `admin`: a
    module's tests share one live server."""
    before = admin.get(f"{live.url}/api/admin/settings", timeout=5).json()
    yield
    after = admin.get(f"{live.url}/api/admin/settings", timeout=5).json()
    for section in SETTINGS_SECTIONS:
        if after[section] != before[section]:
            value = before[section]
            if section == "office":
                value = {k: v for k, v in value.items() if k != "timezone"}
            put_settings(live, admin, section, value)


def admin_session(live, admin: str, officer: str):
    """The API session of a new admin `admin` (a module's changes and clean-up), with an officer account
    `officer` beside it."""
    live.add_user(admin, "admin")
    live.add_user(officer, "officer")
    return live.session(admin, PASSWORD)


def put_settings(live, admin, section: str, value) -> None:
    """Save one settings section as the admin page does, through the admin's API session; it must take."""
    r = admin.put(f"{live.url}/api/admin/settings/{section}", json={"value": value}, timeout=5)
    assert r.status_code == 200, r.text


FRONT_VIEWPORT = {"width": 1366, "height": 768}


def open_front(browser, live, viewport=None, username: str = "rina"):
    """The front office's page for `username` in a new browser context, its alerts of before it loaded."""
    page = browser.new_context(viewport=viewport or FRONT_VIEWPORT, locale="id-ID").new_page()
    sign_in(page, live, "/counter/front", username)
    expect(page.locator("#alerts")).to_have_attribute("data-loaded", "true")
    return page


def reload_front(page) -> None:
    """The front office's page reloaded: live again, and its alerts of before it loaded."""
    page.reload()
    expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
    expect(page.locator("#alerts")).to_have_attribute("data-loaded", "true")


# A visitor the front office registers by hand (its form's fields, as #r-<field>)
FRONT_VISITOR = {
    "name": "Teguh Santoso",
    "agency": "Dinas PUPR Kabupaten Contoh",
    "address": "Jl. Ahmad Yani No. 7",
    "phone": "0812-3456-7890",
    "problem": "Tidak bisa membuat paket tender baru.",
}


def second_number_asked(browser, live, viewport):
    """The front office's form for a visitor who already has a number today (the same phone), sent: the page, its
    notice asking whether to issue a second one, and the visitor's first ticket."""
    first = issue(live, FRONT_VISITOR["name"])
    page = open_front(browser, live, viewport)
    fill_front(page, FRONT_VISITOR)
    page.click("#btn-register")
    question = page.locator("#reg-notice")
    expect(page.locator("#duplicate-row")).to_be_visible()
    expect(question).to_contain_text(f"sudah punya nomor {first['label']}")
    return page, question, first


def fill_front(page, values: dict) -> None:
    """Type `values` into the front office's registration form (#r-<field>)."""
    for field, value in values.items():
        page.fill(f"#r-{field}", value)


# The text selected on the page, and whether it lies in the element select_text kept (window.kept), still in the page
SELECTED = """() => { const s = getSelection(); const r = s.rangeCount ? s.getRangeAt(0) : null;
  return { text: s.toString(), inKept: !!r && window.kept.isConnected && window.kept.contains(r.commonAncestorContainer) }; }"""


def select_text(loc) -> None:
    """The text of `loc` selected as by a drag over it (a Range on it, in the page's script), its element kept as
    window.kept: a live redraw that replaces it shows as SELECTED's `inKept` false."""
    loc.evaluate(
        """(e) => { window.kept = e; const r = document.createRange(); r.selectNodeContents(e);
          const s = getSelection(); s.removeAllRanges(); s.addRange(r); }"""
    )
