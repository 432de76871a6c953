"""The officer typed the answer and sat still; its save to the server failed while the page stayed live (the server's
5xx, the request lost on the network, no answer at all), the socket up the whole time. The save went again only at
the next key, when the page was hidden, or at a reconnect that never came: a counter PC dying then lost the text (the
PC beside opened the older draft). Now a failed save goes again on a timer, after 2, 4, 8, 16, then every 30 s, until
one is saved or a newer save goes. A real server process and real SQLite; Chromium's request for the draft failed by
Playwright's page.route (that URL alone: the socket stays up), then let through: the server's stored draft is the
text typed, no key pressed. The page's clock (Playwright's page.clock) is stopped and moved by the test, each wait
of the page's (the 2 s pause, the retries' 2, 4, 8 s, the 15 s give-up) checked to the millisecond on it, not waited
out; its server never pings (pageclock.CALM_NUMBERS), so that no heartbeat ends its connection as its clock jumps."""

from __future__ import annotations

import pytest
from conftest import write_config
from live import LiveServer
from pageclock import CALM_NUMBERS, pause_clock
from playwright.sync_api import expect
from staffpages import PASSWORD, empty_queue, issue, staffed
from test_counter_draft_cue import serving_page
from test_counter_draft_live import draft_url
from test_counter_draft_reconnect import is_save

TYPED = "Akun penyedia dikunci: dibuka lewat menu Pengguna, lalu kata sandi baru dikirim ke e-mail terdaftar."
DRAFT = "**/api/counters/1/draft"
FAILED = '{"error": "unavailable", "message": "Service Unavailable"}'
# counter.js: a draft's save goes this long after typing stops; a failed one goes again after 2, 4, 8 s...; a save not
# answered in 15 s is given up. The page's clock is moved by them (pageclock.pause_clock), not waited out.
DRAFT_SAVE_MS = 2_000
DRAFT_RETRY_MS = (2_000, 4_000, 8_000)
DRAFT_SAVE_TIMEOUT_MS = 15_000
# When each draft save was sent, on the page's clock (Date.now() as counter.js's fetch is called, in the timer's
# callback: to the millisecond, the clock stopped).
SENT = """(() => {
  const fetch = window.fetch;
  window.__draftSent = [];
  window.fetch = function (url, init) {
    const save = String(url).endsWith("/draft") && init && init.method === "POST";
    if (save) window.__draftSent.push(Date.now());
    return fetch.apply(this, arguments);
  };
})();"""


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    # its pages' clocks are moved on by seconds at a time (the saves' waits): a server that never pings them
    config = write_config(tmp_path_factory.mktemp("counter-draft-retry"))
    server = staffed(LiveServer(config, numbers=CALM_NUMBERS).start())
    yield server
    server.stop()


def stopped_page(browser, office):
    """test_counter_draft_cue's page serving a ticket (its clock installed before it loaded), its live connection up
    (staffpages.sign_in waited for it), the draft saves it sends timed on its clock (SENT), and its clock stopped
    (pageclock.pause_clock)."""
    context, page = serving_page(browser, office, SENT)
    pause_clock(page)
    return context, page


def sent(page) -> list[int]:
    return page.evaluate("window.__draftSent")


class Saves:
    """The page's saves of the draft, routed: failed (`fail`: "503" answered by the route, "abort" the request lost on
    the network, "hold" never answered) until `fail` is None, then let through to the server. `count`: how many came."""

    def __init__(self, page, fail: str):
        self.fail: str | None = fail
        self.count = 0
        self.held: list = []
        page.route(DRAFT, self.route)

    def route(self, route) -> None:
        if route.request.method != "POST":
            return route.continue_()
        self.count += 1
        if self.fail == "503":
            route.fulfill(status=503, content_type="application/json", body=FAILED)
        elif self.fail == "abort":
            route.abort("connectionreset")
        elif self.fail == "hold":
            self.held.append(route)  # no answer: the page gives up on it
        else:
            route.continue_()


def stored(budi, office) -> str | None:
    draft = budi.get(draft_url(office), timeout=5).json()["draft"]
    return draft["solution"] if draft else None


def socket_id(page) -> str:
    return page.evaluate("antrianCounter.live.socket.id")


def waiting_to_retry(page) -> None:
    """Until the page took its save's failure and timed its next try (the cue says so): the clock moved on from there."""
    expect(page.locator("#draft-state")).to_have_attribute("data-state", "retry")


def test_a_save_the_server_failed_goes_again_on_a_growing_timer_and_the_server_gets_the_text(browser, office):
    empty_queue(office)
    issue(office, "Ani")
    budi = office.session("budi", PASSWORD)
    context, page = stopped_page(browser, office)
    try:
        sid = socket_id(page)
        saves = Saves(page, "503")
        failed = lambda r: is_save(r.request) and r.status == 503  # noqa: E731
        page.fill("#solution", TYPED)  # typed, then the officer sits still
        with page.expect_response(failed, timeout=10_000):
            page.clock.run_for(DRAFT_SAVE_MS)
        # no key, no reconnect: the save goes again by itself, later each time (not a moment before its time)
        for wait in DRAFT_RETRY_MS[:2]:
            waiting_to_retry(page)
            before = sent(page)
            page.clock.run_for(wait - 1)
            assert sent(page) == before, (wait, before, sent(page))
            with page.expect_response(failed, timeout=10_000):
                page.clock.run_for(1)
        at = sent(page)
        first, second = at[1] - at[0], at[2] - at[1]
        assert (first, second) == (2_000, 4_000) and second > first, at
        assert stored(budi, office) is None  # nothing reached the server yet
        saves.fail = None  # the server answers again
        waiting_to_retry(page)
        page.clock.run_for(DRAFT_RETRY_MS[2] - 1)
        assert len(sent(page)) == 3, sent(page)
        with page.expect_response(lambda r: is_save(r.request), timeout=10_000) as answer:
            page.clock.run_for(1)
        assert answer.value.status == 200, answer.value.text()
        at = sent(page)
        assert at[3] - at[2] == 8_000, at  # the third wait, 8 s
        assert stored(budi, office) == TYPED
        expect(page.locator("#solution")).to_have_value(TYPED)
        expect(page.locator("#kept-draft")).to_be_hidden()  # its own draft: nothing shown beside it
        assert socket_id(page) == sid, "the socket stayed up: no reconnect sent it"
    finally:
        context.close()


def test_a_save_lost_on_the_network_goes_again_once_and_stops_when_saved(browser, office):
    empty_queue(office)
    issue(office, "Budi Santoso")
    budi = office.session("budi", PASSWORD)
    context, page = stopped_page(browser, office)
    try:
        sid = socket_id(page)
        saves = Saves(page, "abort")
        page.fill("#solution", TYPED)
        with page.expect_event("requestfailed", is_save, timeout=10_000):
            page.clock.run_for(DRAFT_SAVE_MS)
        saves.fail = None
        waiting_to_retry(page)
        with page.expect_response(lambda r: is_save(r.request), timeout=10_000) as answer:
            page.clock.run_for(DRAFT_RETRY_MS[0])
        assert answer.value.status == 200, answer.value.text()
        assert stored(budi, office) == TYPED
        expect(page.locator("#solution")).to_have_value(TYPED)
        page.wait_for_function("() => window.antrianApi.inFlight() === 0")
        # the one that failed, then the one saved: nothing sent twice, nor again in the 10 s after (a try left timed
        # would go within 4 s: its delays start again at 2 s once a save is answered)
        page.clock.run_for(10_000)
        assert saves.count == 2 and len(sent(page)) == 2, (saves.count, sent(page))
        assert socket_id(page) == sid
    finally:
        context.close()


def test_a_save_never_answered_is_given_up_and_sent_again(browser, office):
    empty_queue(office)
    issue(office, "Citra")
    budi = office.session("budi", PASSWORD)
    context, page = stopped_page(browser, office)
    try:
        saves = Saves(page, "hold")
        page.fill("#solution", TYPED)
        with page.expect_request(is_save, timeout=10_000):
            page.clock.run_for(DRAFT_SAVE_MS)
        page.clock.run_for(DRAFT_SAVE_TIMEOUT_MS - 1)
        expect(page.locator("#draft-state")).to_have_attribute("data-state", "saving")  # still waiting for its answer
        with page.expect_event("requestfailed", is_save, timeout=10_000):
            page.clock.run_for(1)  # no answer in 15 s: given up
        assert len(saves.held) == 1
        saves.fail = None
        waiting_to_retry(page)
        with page.expect_response(lambda r: is_save(r.request), timeout=10_000) as answer:
            page.clock.run_for(DRAFT_RETRY_MS[0])
        assert answer.value.status == 200, answer.value.text()
        assert stored(budi, office) == TYPED
    finally:
        context.close()
