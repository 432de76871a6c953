"""Shared fixtures: every test builds its own app on its own database file."""

from __future__ import annotations

import logging
import os
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


# A run that starts this close to the office's midnight waits for it first (see below).
MIDNIGHT_MARGIN_SECONDS = 300
# The fake printers print at once: a slip's wait before its paper is asked again (printers/transport.py
# PRINTING_SECONDS, 3 s in production) in this process; tests/forkserver.py sets the same in the test servers.
TEST_PRINTING_SECONDS = 0.02
# How long an expect(...) without a timeout of its own retries (see `browser`)
EXPECT_TIMEOUT_MS = 10_000


class _PlaywrightRouteTaskGone(logging.Filter):
    """asyncio's "Task was destroyed but it is pending!" for a Playwright route handler's task (Page._on_route) left by
    an earlier browser test whose context closed with a request routed, said when the garbage collector meets it:
    inside whatever test runs then, so a test asserting the server's exact log lines (caplog) failed on it
    (test_daily_copy, a CI run at 669fa99). Only that message of Playwright's is dropped; asyncio's others stay."""

    def filter(self, record: logging.LogRecord) -> bool:
        said = record.getMessage()
        return not ("Task was destroyed but it is pending" in said and "playwright" in said)


logging.getLogger("asyncio").addFilter(_PlaywrightRouteTaskGone())


def pytest_sessionstart(session):
    """The tests' servers are forked from tests/forkserver.py (tests/live.py LiveServer.fork). A run
    does not straddle the office's midnight: its real-clock servers would end every session a module
    logged in before it (a session ends with the working day) and expire the tickets it issued."""
    import live

    import printers.transport

    live.LiveServer.fork = True
    printers.transport.PRINTING_SECONDS = TEST_PRINTING_SECONDS
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # the controller (or a serial run), before any worker
        _not_across_the_offices_midnight()


def office_zone():
    """The demo config's office time zone (config.toml [office] timezone), the test servers' zone."""
    import tomllib
    from zoneinfo import ZoneInfo

    with open(ROOT / "config.toml", "rb") as f:
        return ZoneInfo(tomllib.load(f)["office"]["timezone"])


def seconds_to_office_midnight() -> float:
    """How long until the office's next midnight, when a session ends and yesterday's tickets expire."""
    now = datetime.now(office_zone())
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - now).total_seconds()


def _not_across_the_offices_midnight() -> None:
    import time

    left = seconds_to_office_midnight()
    if left < MIDNIGHT_MARGIN_SECONDS:
        print(
            f"\nThe office's midnight ({office_zone().key}) is {left:.0f} s away: the tests start after it.", flush=True
        )
        time.sleep(left + 1)


def _quick_websocket_close() -> None:
    """python-engineio's client closes its WebSocket while its own read loop is reading the same
    socket: the loop takes the server's close frame, and websocket-client's close() then waits its
    whole timeout (3 s) for a frame that already came. Every Socket.IO client a test disconnects
    cost 3 s of waiting; the server's side is the same either way."""
    import websocket

    close = websocket.WebSocket.close

    def quick(self, status=websocket.STATUS_NORMAL, reason=b"", timeout=0.2):
        return close(self, status, reason, timeout)

    websocket.WebSocket.close = quick


_quick_websocket_close()


def _websocket_closed_when_its_connection_ends() -> None:
    """websocket-client keeps its socket open when the server ends the connection with its close frame (answered,
    the WebSocket is no longer `connected`, so its close() returns at once) or with a reset (a server stopped while
    it wrote): only a clean end of the stream closes it. python-engineio's client closes nothing the server ended
    either (its read loop stops; a connect the server ended half-way is dropped, as when its server stopped while
    a client reconnected). A WebSocket is in a reference cycle (its frame buffer holds its own _recv), so the
    socket stayed open until a garbage collection in some later test, whose ResourceWarning (an error here) failed
    that test, with the port of an earlier test's server. Here the connection's end closes its socket."""
    import websocket

    receive, receive_frame = websocket.WebSocket._recv, websocket.WebSocket.recv_data_frame

    def received(self, bufsize):
        try:
            return receive(self, bufsize)
        except ConnectionError:  # reset by the server
            self.shutdown()
            raise

    def received_frame(self, control_frame=False):
        opcode, frame = receive_frame(self, control_frame)
        if opcode == websocket.ABNF.OPCODE_CLOSE:  # the server's close, answered: the connection is over
            self.shutdown()
        return opcode, frame

    websocket.WebSocket._recv, websocket.WebSocket.recv_data_frame = received, received_frame


_websocket_closed_when_its_connection_ends()


def _url_builders_made_once() -> None:
    """Werkzeug's URL builders made once in a test process, for the some 500 apps the tests make
    (tests/urlbuilders.py; the test servers forked from tests/forkserver.py have the same)."""
    from urlbuilders import made_once

    made_once()


_url_builders_made_once()


def _templates_compiled_once() -> None:
    """Jinja compiles a template (parse, Python source, compile()) the first time an app renders it,
    2-38 ms each, and every app has its own environment: the tests' apps compiled the same pages again
    and again. Jinja's bytecode cache is its own answer to that: a template's compiled code is kept by
    its name and file and used again while its source is the same (a checksum of the source is part of
    the key). Here one cache in memory serves every app a test process makes; each app still runs the
    code in its own environment, as it would after compiling it."""
    import flask
    from jinja2 import BytecodeCache

    class InMemory(BytecodeCache):
        def __init__(self):
            self.code: dict[tuple[str, str], object] = {}

        def load_bytecode(self, bucket):
            bucket.code = self.code.get((bucket.key, bucket.checksum))

        def dump_bytecode(self, bucket):
            self.code[(bucket.key, bucket.checksum)] = bucket.code

    flask.Flask.jinja_options = {**flask.Flask.jinja_options, "bytecode_cache": InMemory()}


_templates_compiled_once()

# The slowest modules first, longest first (by their time, setup and teardown included, in a `make test` run,
# `--durations=0`, 2026-12-04; those of 5 s and more; the rest keep their place after them): `make test`'s `--dist loadfile
# --no-loadscope-reorder` hands modules out in collection order, so a long one left for last would
# keep one worker going alone while the others sit idle. Without --no-loadscope-reorder xdist hands them out by their
# number of tests instead, and this order is lost (a two-test module of 8 s ran last).
SLOW_FIRST = [
    "test_survey_pages.py",
    "test_counter_live.py",
    "test_kiosk_fit.py",
    "test_old_browsers.py",
    "test_front_printer_lines.py",
    "test_counter_page.py",
    "test_kiosk_page.py",
    "test_survey_tablet_small.py",
    "test_admin_page.py",
    "test_hostile.py",
    "test_cli.py",
    "test_front_form.py",
    "test_front_alerts_gone.py",
    "test_display_page.py",
    "test_display_readability.py",
    "test_display_speech.py",
    "test_printer_status.py",
    "test_reports.py",
    "test_phone_page.py",
    "test_kiosk_print.py",
    "test_display_many_counters.py",
    "test_voice_page.py",
    "test_front_list.py",
    "test_fanout.py",
    "test_api_fuzz.py",
    "test_print_jobs.py",
    "test_kiosk_office.py",
    "test_display_last_chance.py",
    "test_skm_pages.py",
    "test_figure_days.py",
    "test_complaints_period.py",
    "test_counter_e2e.py",
    "test_config.py",
    "test_counter_logout.py",
    "test_staff_nav.py",
    "test_escalations_page.py",
    "test_admin_live_pages.py",
    "test_accessibility.py",
    "test_agent.py",
    "test_cups.py",
    "test_next_call.py",
    "test_skm.py",
    "test_tts.py",
    "test_page_growth.py",
    "test_security_headers.py",
    "test_make_python.py",
    "test_voice.py",
    "test_archive.py",
    "test_bad_input.py",
    "test_admin.py",
    "test_hostile_more.py",
    "test_restore.py",
    "test_printers.py",
    "test_api.py",
]


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives the shared headless Chromium (the `browser` fixture)")


def pytest_collection_modifyitems(config, items):
    """Mark the browser tests (`-m "not browser"` leaves them out) and put SLOW_FIRST's modules first;
    the sort is stable, so each module's tests keep their order and stay together."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(SLOW_FIRST)))


def pytest_collection_finish(session):
    """What a test process holds once its tests are collected (the modules, the items, Playwright,
    Hypothesis: some 200,000 objects) stays to the end: out of the garbage collector's passes, each
    full one of which walked it all in 0.3-0.6 s. The four workers `make test` ran then spent 21 CPU-s collecting garbage
    in a run, 7 after (docs/performance.md, "Fifth round")."""
    import gc

    gc.collect()
    gc.freeze()


def write_config(tmp: Path, replace: dict[str, str] | None = None, extra: str = "") -> Path:
    """A copy of the demo config.toml with its database and data in `tmp`, the kiosk printer a dummy."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace('database = "var/antrian.db"', f'database = "{tmp / "antrian.db"}"')
    text = text.replace('data_dir = "var"', f'data_dir = "{tmp / "data"}"')
    text = text.replace('backup_dir = "var/backups"', f'backup_dir = "{tmp / "backups"}"')
    text = re.sub(r"\[printers\.kiosk\][^\[]*", '[printers.kiosk]\ntype = "dummy"\n\n', text)
    for old, new in (replace or {}).items():
        assert old in text, f"config has no {old!r}"
        text = text.replace(old, new)
    # Every device of a test (several pages, the test's own API calls) is one address, 127.0.0.1: ten
    # times an office device's request budget, and its live pages' too, unless the test set its own
    # (tests/test_hostile.py).
    text = re.sub(r"^requests_per_minute = 1200\b", "requests_per_minute = 12000", text, flags=re.M)
    text = re.sub(r"^sessions_per_address = 64\b", "sessions_per_address = 1000", text, flags=re.M)
    path = tmp / "config.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


class Clock:
    """A settable clock for the app: starts at 09:00 WIB on 2026-11-28."""

    def __init__(self):
        self.now = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def config_path(tmp_path):
    return write_config(tmp_path)


_EMPTY_DATABASE: list[bytes] = []


def mounted_tmpfs(mount: Path, size: str):
    """A fixture's body: a tmpfs of `size` ("2m") mounted at `mount` (made), unmounted after (root only; the
    test is skipped where mounting is not allowed, e.g. an unprivileged container)."""
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def empty_database(path: Path) -> None:
    """Put at `path` (mode 0600, as the store makes it) the file server.store makes for a new database,
    made once in this process: the migrations then find nothing to do, instead of creating every
    table and index again in each of the ~500 tests' apps."""
    if not _EMPTY_DATABASE:
        import shutil
        import tempfile

        from server.store import Store

        folder = Path(tempfile.mkdtemp(prefix="antrian-empty-"))
        try:
            Store(folder / "antrian.db", synchronous="OFF").close()  # the last connection folds the WAL in
            _EMPTY_DATABASE.append((folder / "antrian.db").read_bytes())
        finally:
            shutil.rmtree(folder)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
        f.write(_EMPTY_DATABASE[0])


@pytest.fixture
def app(config_path, clock):
    from server.app import create_app

    os.environ.pop("ANTRIAN_SECRET_KEY", None)
    empty_database(config_path.parent / "antrian.db")  # write_config's database
    # no fsync per commit (the same SQL and transactions): a test's app dies with its test, never in a power cut
    application = create_app(config_path, workers=False, clock=clock, synchronous="OFF")
    application.config["TESTING"] = True
    yield application
    application.extensions["antrian"].stop()
    application.extensions["antrian"].store.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def service(app):
    """The app's QueueService, its published events kept in `service.events` (no Socket.IO here)."""
    svc = app.extensions["antrian"]
    svc.events = []
    svc.publish = svc.events.extend
    return svc


_CHEAP_HASHES: dict[str, str] = {}


def cheap_hash(password: str) -> str:
    """A real werkzeug password hash of `password` at one PBKDF2 round, made once per test process:
    a login checks it as it checks scrypt's (check_password_hash reads the method from the hash), but
    without scrypt's 0.1 s to make it and 0.1 s to check it on every test's login. Tests of the
    hashing itself go through the API, the command line or LiveServer.add_user (scrypt)."""
    if password not in _CHEAP_HASHES:
        from werkzeug.security import generate_password_hash

        _CHEAP_HASHES[password] = generate_password_hash(password, "pbkdf2:sha256:1")
    return _CHEAP_HASHES[password]


def add_user(app, username: str, role: str, password: str = "rahasia-123", counter_id: int | None = None) -> None:
    with app.extensions["antrian"].store.write() as tx:
        tx.add_user(username, cheap_hash(password), role, datetime.now(UTC), counter_id)


def login(app, client, username: str, role: str = "officer", counter_id: int | None = None) -> dict[str, str]:
    """Make the account, log in, and return the headers a write needs (the CSRF token)."""
    add_user(app, username, role, counter_id=counter_id)
    r = client.post("/api/login", json={"username": username, "password": "rahasia-123"})
    assert r.status_code == 200, r.get_json()
    return {"X-CSRFToken": r.get_json()["csrf_token"]}


VISITOR = {
    "service": "A",
    "name": "Budi Santoso",
    "agency": "CV Maju Bersama",
    "address": "Jl. Sudirman No. 12",
    "phone": "081234567890",
    "problem": "Lupa kata sandi akun penyedia SPSE",
    "category": "pertanyaan",
}


def in_order(sio):
    """`sio` (a python-socketio Client), made to handle the messages it receives one after another, in the order
    the server sent them, as a page's socket does. engineio's client runs each message's handler in a thread of its
    own, and two messages close together reached a test's queue in either order on a busy machine (CI: a TV's seq
    11 before 10, tests/test_realtime.py). The handlers here only keep what came; none waits on the server."""
    trigger = sio.eio._trigger_event

    def ordered(event, *args, **kwargs):
        if event == "message":
            kwargs["run_async"] = False
        return trigger(event, *args, **kwargs)

    sio.eio._trigger_event = ordered
    return sio


@pytest.fixture
def clients():
    """make(url, auth, headers=None): a real Socket.IO client over TCP (tests/test_realtime.py Client), closed (its
    reconnecting stopped too) after the test."""
    from test_realtime import Client

    made: list = []

    def make(url, auth, headers=None):
        made.append(Client(url, auth, headers))
        return made[-1]

    yield make
    for c in made:
        c.close()


class SocketGate:
    """A page's Socket.IO connection through Playwright, as its network: let through while `open`; `cut()` closes
    its WebSockets and refuses new ones at once while shut, as a network that is gone; `drop()` closes them and
    lets the page connect again at once (a blip). `polling`: its long-polling requests are refused while shut too
    (a page that starts on polling, then moves to its WebSocket). `sockets`: the WebSockets let through, open."""

    def __init__(self, page, polling: bool = False):
        self.open = True
        self.sockets: list = []
        page.route_web_socket("**/socket.io/**", self._route)
        if polling:
            page.route("**/socket.io/**", lambda route: route.continue_() if self.open else route.abort())

    def _route(self, ws) -> None:
        if not self.open:
            ws.close()
            return
        ws.connect_to_server()
        self.sockets.append(ws)

    def drop(self) -> None:
        for ws in self.sockets:
            ws.close()
        self.sockets.clear()

    def cut(self) -> None:
        self.open = False
        self.drop()


def until_on_page(page, done, what, timeout: float = 10.0) -> None:
    """Until `done()` (a check of what the test's own listeners collected: requests, frames, routes) is
    true, while Playwright delivers the page's events; after `timeout` s an AssertionError saying
    `what` (a string, or a function called then, to tell the state at that moment)."""
    import time

    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"{what() if callable(what) else what}: not within {timeout:g} s"
        page.wait_for_timeout(20)  # events reach the test's listeners during Playwright's calls


def hold_first(page, pattern: str) -> list:
    """The first request of `page` to `pattern` is sent to the server at once, and its answer kept in the returned
    list as (route, answer) for the test to give to the page later (`route.fulfill(response=answer)`): an answer
    slowed on the network, as the server gave it then. The requests after it go through."""
    held: list = []
    taken: list = []  # the first one's, at once: a request coming while its fetch is on its way goes through

    def route(r):
        if taken:
            r.continue_()
        else:
            taken.append(r)
            held.append((r, r.fetch()))

    page.route(pattern, route)
    return held


def visitor(**changes) -> dict:
    return {**VISITOR, **changes}


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]


# Debian's chromium-headless-shell (`make test` installs it where the distribution has it): the same
# Chromium and Blink, without the desktop browser around them, as Playwright itself runs headless. It
# took a third of the full browser's CPU for the same pages (docs/performance.md, "The test suite").
CHROMIUM = next(
    (
        p
        for p in ("/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium", "/snap/bin/chromium")
        if os.access(p, os.X_OK)
    ),
    "/usr/bin/chromium",
)


class ReducedMotion:
    """The browser, whose new contexts and pages are set to reduced motion unless a test asks otherwise:
    as on a kiosk or TV box started with --force-prefers-reduced-motion (docs/kiosk.md,
    docs/display.md), the kiosk's pulsing button and the TV's running text stand still. Each of them
    cost Chromium a sixth and a tenth of a core for as long as its page was open. Playwright sets
    "no-preference" itself when not told (over the command-line switch), hence the wrapper. The tests
    of those animations ask for them: reduced_motion="no-preference". A run that refreshes
    docs/screenshots (ANTRIAN_SCREENSHOTS=1) keeps the motion, so the pictures show a device as it is
    set up by default.

    Its contexts come from tests/pagepool.py's pool: a context a test closes is kept, with its page,
    for the next test asking for the same options, unless the test left something in it that cannot
    be taken back (an init script, a route, a listener, Playwright's clock...)."""

    MOTION = "no-preference" if os.environ.get("ANTRIAN_SCREENSHOTS") else "reduce"

    def __init__(self, browser):
        from pagepool import ContextPool

        self._browser = browser
        self.pool = ContextPool(browser)

    def new_context(self, **options):
        return self.pool.new_context(**{"reduced_motion": self.MOTION, **options})

    def new_page(self, **options):
        return self.pool.new_page(**{"reduced_motion": self.MOTION, **options})

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (CHROMIUM) shared by every browser test, its pages in reduced motion."""
    from playwright.sync_api import expect, sync_playwright

    # expect(...) retries for 10 s, not Playwright's 5: what a page draws after a server's answer or event came later
    # than 5 s on CI's slower, busier machine (a check that holds returns at once all the same)
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        browser = ReducedMotion(b)
        yield browser
        browser.pool.close()
        b.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A real server process for this module (gevent, 127.0.0.1, its own database)."""
    from live import LiveServer

    server = LiveServer(write_config(tmp_path_factory.mktemp("live"))).start()
    yield server
    server.stop()


def speak_queued(announcer) -> int:
    """Make every announcement `announcer` (server.announce.Announcer) has queued, now, in this thread; how many."""
    made = 0
    while announcer.run_once(block=False):
        made += 1
    return made
