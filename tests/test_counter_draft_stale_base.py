"""A counter page whose draft version is past the server's: the visitor served here was sent to another service and
served here again while the page was away (asleep, offline), so the server dropped the draft (its version back to 0)
and the page, seeing the same ticket served at its counter, kept the version of its last save. Each save it made then
was refused (409 draft_stale), the server's draft asked for, its version 0 taken for an answer older than the page's
own save and ignored, and the save sent again 2 s later, refused again: a POST and a GET every 2 s for as long as the
visitor was served, and nothing the officer typed reached the server (a counter PC dying lost it all). Now a refused
version is not kept: the page takes the server's and the next save is kept. A real server process and real SQLite;
Chromium offline (context.set_offline) with its socket closed under it, the ticket moved by the officer's other
session through the API.

The page's clock is Playwright's (installed before it loads, running): a save's pause after typing (the page's 2 s)
is moved past on it (test_counter_draft_live.after_pause), not waited out, between the page's requests (none left on
its way, so a save's own 15 s timeout is never moved past); the server never pings (pageclock.CALM_NUMBERS), so the page's heartbeat is not due
however far its clock is moved."""

from __future__ import annotations

import time

import pytest
from conftest import write_config
from live import LiveServer
from pageclock import CALM_NUMBERS
from playwright.sync_api import expect
from staffpages import COUNTER_VIEWPORT, PASSWORD, empty_queue, issue, sign_in, staffed
from test_counter_draft_live import after_pause, draft_url
from test_counter_draft_reconnect import come_back, go_offline, is_save

BEFORE = "Akun penyedia dikunci: dibuka lewat menu Pengguna."
AFTER = "Sesudah dialihkan dan kembali: verifikasi berkas selesai, akun diaktifkan lagi."


def serving_page(browser, office):
    """budi's counter page at Loket 1, its clock installed before it loads, serving the next visitor."""
    context = browser.new_context(viewport=COUNTER_VIEWPORT, locale="id-ID")
    try:
        page = context.new_page()
        page.clock.install()  # running in real time: moved on only by the test's run_for
        sign_in(page, office, "/counter/", "budi")
        page.select_option("#counter-select", "1")
        page.click("#btn-call-next")
        expect(page.locator("#btn-start")).to_be_enabled()
        page.click("#btn-start")
        expect(page.locator("#solution")).to_be_enabled()
    except BaseException:
        context.close()
        raise
    return context, page


def saved_online(page, text: str) -> None:
    """`text` typed, and saved at the pause after it (the page's clock moved past it)."""
    with page.expect_response(lambda r: is_save(r.request)) as answer:
        page.fill("#solution", text)
        after_pause(page)
    assert answer.value.status == 200, answer.value.text()


def until_saved(page, session, office, seconds: float = 12.0) -> dict:
    """The server's draft once it holds AFTER, or as it is after `seconds`: polled, the page's clock moved on a quarter
    second at a time between (its saves' pauses, its retries' waits, run on it)."""
    deadline = time.monotonic() + seconds
    while True:
        body = session.get(draft_url(office), timeout=5).json()
        if (body["draft"] and body["draft"]["solution"] == AFTER) or time.monotonic() > deadline:
            return body
        after_pause(page, 250)


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    config = write_config(tmp_path_factory.mktemp("counter-draft-stale-base"))
    server = staffed(LiveServer(config, numbers=CALM_NUMBERS).start())  # never pings: the page's clock moved on
    yield server
    server.stop()


def test_a_draft_version_the_server_no_longer_has_is_dropped_and_the_text_saved(browser, office):
    empty_queue(office)
    ani = issue(office, "Ani")
    budi = office.session("budi", PASSWORD)
    context, page = serving_page(browser, office)
    try:
        saved_online(page, BEFORE)
        saved_online(page, BEFORE + " Lagi.")  # the page's draft at version 2
        assert budi.get(draft_url(office), timeout=5).json()["version"] == 2
        go_offline(page)
        # meanwhile, from the officer's other session: sent to Registrasi (C), called back out of turn, served again
        url = f"{office.url}/api/counters/1"
        for action, body in (("transfer", {"service": "C"}), ("call", {"ticket": ani["token"]}), ("start", {})):
            r = budi.post(f"{url}/{action}", json=body, timeout=5)
            assert r.status_code == 200, (action, r.text)
        assert budi.get(draft_url(office), timeout=5).json() == {"draft": None, "version": 0}
        come_back(page)
        expect(page.locator("#solution")).to_be_enabled()
        answers: list[int] = []
        page.on("response", lambda r: answers.append(r.status) if is_save(r.request) else None)
        page.fill("#solution", AFTER)
        body = until_saved(page, budi, office)
        assert body["draft"] and body["draft"]["solution"] == AFTER, (body, answers)
        # the server may hold the text before the page has its answer: wait for the page's saves to end, and for the
        # last answer's event to reach this side, before counting them
        page.wait_for_function("() => window.antrianApi.inFlight() === 0")
        deadline = time.monotonic() + 15
        while not (answers and answers[-1] == 200) and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        # at most the one save refused that told the page its version was stale, then kept
        assert answers.count(409) <= 1 and answers[-1] == 200, answers
        expect(page.locator("#solution")).to_have_value(AFTER)
    finally:
        context.close()
