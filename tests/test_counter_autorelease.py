"""A counter freed by the server itself ("dilepas otomatis"), in Chromium, on a clock the test moves.

An officer who calls a ticket and closes the page (or whose laptop sleeps) keeps the counter for
[queue] counter_release_minutes (10); then the server frees it and the called ticket waits again at its
place (QueueService.release_idle_counters). The front office sees it happen, and the officer's page,
opened again or back online, says what happened, once, in Indonesian. The server runs on
tests/clockserver.py: the test moves its time 11 minutes on instead of waiting them.
"""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from conftest import until_on_page, write_config
from live import ClockedServer
from playwright.sync_api import expect
from staffpages import issue, sign_in

PASSWORD = "rahasia-123"
WIB = ZoneInfo("Asia/Jakarta")
MINUTES = 10  # config.toml's [queue] counter_release_minutes, as the demo ships it


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    config = write_config(tmp_path_factory.mktemp("autorelease"))
    assert f"counter_release_minutes = {MINUTES}" in config.read_text()
    server = ClockedServer(config, tick=0.1).start()  # a freed counter seen within 0.1 s, not 1 s
    for name, role in {"budi": "officer", "rina": "frontoffice"}.items():
        server.add_user(name, role)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def empty_line(office):
    """Each test starts with nobody waiting (a ticket sent back by the other waits at the head)."""
    rina = front_office(office)
    for ticket in rina.get(office.url + "/api/staff/state", timeout=5).json()["tickets"]:
        if ticket["status"] == "waiting":
            rina.post(f"{office.url}/api/tickets/{ticket['token']}/cancel", json={}, timeout=5).raise_for_status()


def log_in(context, live, path: str, username: str):
    """Log in; on a counter page, wait for its socket to be on its WebSocket too: a page closed (or
    a socket disconnected) while Engine.IO still upgraded it from polling leaves the server no close
    to see, and the server then drops it only when it misses its pings (up to 45 s, see `freed`).
    The frames the page receives on its WebSocket are kept in `page.frames_in` (see `server_on_websocket`)."""
    page = context.new_page()
    page.frames_in = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: page.frames_in.append(frame)))
    sign_in(page, live, path, username)
    if path == "/counter/":
        page.wait_for_function("() => antrianCounter.live.socket.io.engine.transport.name === 'websocket'", polling=50)
    return page


def server_on_websocket(page) -> None:
    """Until the server has sent the page an event on its WebSocket: the server has then finished the
    upgrade on its side too (before that it sends on the polling transport), so it sees the page's close.
    The page's side alone switches to the WebSocket a moment before the server does."""
    until_on_page(
        page,
        lambda: any(isinstance(f, str) and f.startswith("42") for f in page.frames_in),
        lambda: f"no event on the WebSocket: {page.frames_in}",
    )


def front_office(live):
    """Rina's API session, logged in once per server: `released` asks many times a second, and a login
    each time would cost the server a password check each time."""
    if getattr(live, "rina", None) is None:
        live.rina = live.session("rina", PASSWORD)
    return live.rina


def released(live, counter_id: int) -> dict | None:
    """The counter's last release today, as the staff state gives it to a page that missed the event."""
    state = front_office(live).get(live.url + "/api/staff/state", timeout=5).json()
    return next(c for c in state["counters"] if c["id"] == counter_id)["released"]


def hhmm(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(WIB).strftime("%H.%M")


def freed(office, counter_id: int) -> dict:
    """The counter's automatic release: looked for over a second (ten of the server's maintenance
    rounds), then again after moving the server's clock on ten minutes, until it comes.

    The server frees a counter ten minutes (on its clock) after the last round that saw a counter page of
    its officer on it. A closed tab's (or a socket's) end reaches the server some milliseconds after the
    browser says it is closed; a round that fell in between, after the test moved the clock on, saw the
    page there at the new time, and the counter is free only ten minutes after that: the next move. A
    socket whose close did not reach the server at all (a busy machine: the page disconnected while its
    transport was being upgraded) is only dropped when it misses Engine.IO's ping (7 s and 7 s more:
    server/realtime.py PING_INTERVAL_S, PING_TIMEOUT_S), so the moves go on for up to ninety seconds of real time."""
    deadline = time.monotonic() + 90
    while True:
        until = time.monotonic() + 1
        while time.monotonic() < until:
            release = released(office, counter_id)
            if release is not None:
                return release
            time.sleep(0.1)
        if time.monotonic() > deadline:
            raise AssertionError(f"counter {counter_id} was not freed")
        office.advance(MINUTES * 60)


def ticket_status(live, token: str) -> str:
    return requests.get(f"{live.url}/api/tickets/{token}", timeout=5).json()["ticket"]["status"]


def test_a_counter_left_with_no_page_is_freed_and_the_officer_and_front_office_are_told(browser, office):
    budi_browser = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    front = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    dewi = issue(office, "Dewi Lestari")
    budi = log_in(budi_browser, office, "/counter/", "budi")
    budi.select_option("#counter-select", "2")
    budi.click("#btn-call-next")
    expect(budi.locator("#t-label")).to_have_text(dewi["label"])
    rina = log_in(front, office, "/counter/front", "rina")
    row = rina.locator("#counter-rows tr[data-counter='2']")
    expect(row).to_contain_text("budi")

    server_on_websocket(budi)  # the call's events came on the WebSocket
    budi.close()  # the tab closed: the browser keeps its cookie and its storage, the server its claim
    # nine minutes, and the server's loop looked at them (a look that came only after the next move said nothing)
    office.advance((MINUTES - 1) * 60, looked=True)
    expect(row).to_contain_text(f"{dewi['label']} · dipanggil")  # still budi's
    assert released(office, 2) is None
    office.advance(2 * 60)  # eleven: freed by the maintenance loop within a second
    release = freed(office, 2)
    expect(row).not_to_contain_text("budi")
    assert release["by"] == "auto" and release["officer"] == "budi" and release["returned"] == dewi["label"]
    assert release["minutes"] == MINUTES
    at = hhmm(release["at"])
    notice = rina.locator("#counter-notice")
    expect(notice).to_have_text(
        f"Loket 2 dilepas otomatis dari budi pukul {at}: tidak ada halaman loket budi yang terbuka selama "
        f"{MINUTES} menit. Tiket {dewi['label']} yang dipanggil kembali menunggu."
    )
    expect(notice).to_have_attribute("data-kind", "warn")
    expect(rina.locator(f"#tickets tr[data-label='{dewi['label']}'] .status")).to_have_text("menunggu")
    assert ticket_status(office, dewi["token"]) == "waiting"

    # budi opens the counter page again (same browser: still logged in, Loket 2 remembered).
    again = budi_browser.new_page()
    again.goto(office.url + "/counter/")
    expect(again.locator("#officer-name")).to_have_text("budi")
    expect(again.locator("#notice")).to_have_text(
        f"Loket 2 dilepas otomatis pukul {at}: tidak ada halaman loket Anda yang terbuka selama {MINUTES} menit. "
        f"Tiket {dewi['label']} yang dipanggil kembali menunggu di antrian. Pilih loket Anda untuk melanjutkan."
    )
    expect(again.locator("#notice")).to_have_attribute("data-kind", "warn")
    expect(again.locator("#counter-select")).to_have_value("")
    expect(again.locator("#t-label")).to_have_text("—")
    expect(again.locator(f"#line li[data-label='{dewi['label']}']")).to_have_count(0)  # no counter: no line

    # Said once: the page opened again after that has nothing to tell.
    again.reload()
    expect(again.locator("#officer-name")).to_have_text("budi")
    expect(again.locator("#live-status")).to_have_attribute("data-state", "on")
    expect(again.locator("#notice")).not_to_contain_text("dilepas")
    budi_browser.close()
    front.close()


def test_a_counter_freed_while_the_laptop_slept_is_said_when_it_is_back(browser, office):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")  # the officer's phone
    eka = issue(office, "Eka Putri")
    budi = log_in(context, office, "/counter/", "budi")
    budi.select_option("#counter-select", "1")
    budi.click("#btn-call-next")
    expect(budi.locator("#t-label")).to_have_text(eka["label"])
    server_on_websocket(budi)  # else the disconnect can go on a transport the server is leaving
    budi.evaluate("() => antrianCounter.live.socket.disconnect()")  # asleep, offline
    expect(budi.locator("#live-status")).to_have_attribute("data-state", "off")

    front = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    rina = log_in(front, office, "/counter/front", "rina")
    expect(rina.locator("#counter-rows tr[data-counter='1']")).to_contain_text("budi")
    office.advance((MINUTES + 1) * 60)
    release = freed(office, 1)
    expect(rina.locator("#counter-rows tr[data-counter='1']")).not_to_contain_text("budi")
    assert release["by"] == "auto" and release["returned"] == eka["label"], release

    budi.evaluate("() => antrianCounter.live.socket.connect()")  # the event is missed; the snapshot tells
    expect(budi.locator("#notice")).to_have_text(
        f"Loket 1 dilepas otomatis pukul {hhmm(release['at'])}: tidak ada halaman loket Anda yang terbuka selama "
        f"{MINUTES} menit. Tiket {eka['label']} yang dipanggil kembali menunggu di antrian. "
        "Pilih loket Anda untuk melanjutkan."
    )
    expect(budi.locator("#counter-select")).to_have_value("")
    box = budi.locator("#notice").evaluate("e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; }")
    assert 0 <= box[0] and box[1] <= 360, box  # the whole notice on the phone's screen
    assert budi.evaluate("document.documentElement.scrollWidth") <= 360
    assert ticket_status(office, eka["token"]) == "waiting"
    context.close()
    front.close()
