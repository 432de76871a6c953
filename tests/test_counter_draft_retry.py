"""The officer typed the answer and sat still; its save to the server failed while the page stayed live (the server's
5xx, the request lost on the network, no answer at all), the socket up the whole time. The save went again only at
the next key, when the page was hidden, or at a reconnect that never came: a counter PC dying then lost the text (the
PC beside opened the older draft). Now a failed save goes again on a timer, after 2, 4, 8, 16, then every 30 s, until
one is saved or a newer save goes. A real server process and real SQLite; Chromium's request for the draft failed by
Playwright's page.route (that URL alone: the socket stays up), then let through: the server's stored draft is the
text typed, no key pressed."""

from __future__ import annotations

import time

import pytest
from conftest import write_config
from live import LiveServer
from playwright.sync_api import expect
from staffpages import PASSWORD, empty_queue, issue, staffed
from test_counter_draft_live import draft_url
from test_counter_draft_reconnect import is_save
from test_counter_draft_reconnect import serving_page as reconnect_serving_page

TYPED = "Akun penyedia dikunci: dibuka lewat menu Pengguna, lalu kata sandi baru dikirim ke e-mail terdaftar."
DRAFT = "**/api/counters/1/draft"
FAILED = '{"error": "unavailable", "message": "Service Unavailable"}'


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    server = staffed(LiveServer(write_config(tmp_path_factory.mktemp("counter-draft-retry"))).start())
    yield server
    server.stop()


def serving_page(browser, office):
    """test_counter_draft_reconnect's page serving a ticket, its live connection up."""
    context, page = reconnect_serving_page(browser, office)
    expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
    return context, page


class Saves:
    """The page's saves of the draft, routed: failed (`fail`: "503" answered by the route, "abort" the request lost on
    the network, "hold" never answered) until `fail` is None, then let through to the server. `at`: when each came."""

    def __init__(self, page, fail: str):
        self.fail: str | None = fail
        self.at: list[float] = []
        self.held: list = []
        page.route(DRAFT, self.route)

    def route(self, route) -> None:
        if route.request.method != "POST":
            return route.continue_()
        self.at.append(time.monotonic())
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


def test_a_save_the_server_failed_goes_again_on_a_growing_timer_and_the_server_gets_the_text(browser, office):
    empty_queue(office)
    issue(office, "Ani")
    budi = office.session("budi", PASSWORD)
    context, page = serving_page(browser, office)
    try:
        sid = socket_id(page)
        saves = Saves(page, "503")
        failed = lambda r: is_save(r.request) and r.status == 503  # noqa: E731
        with page.expect_response(failed, timeout=10_000):
            page.fill("#solution", TYPED)  # typed, then the officer sits still
        # no key, no reconnect: the save goes again by itself, later each time
        with page.expect_response(failed, timeout=10_000):
            pass
        with page.expect_response(failed, timeout=15_000):
            pass
        first, second = saves.at[1] - saves.at[0], saves.at[2] - saves.at[1]
        assert 1.5 <= first < 6 and 3.5 <= second < 10 and second > first, saves.at
        assert stored(budi, office) is None  # nothing reached the server yet
        saves.fail = None  # the server answers again
        with page.expect_response(lambda r: is_save(r.request), timeout=20_000) as answer:
            pass
        assert answer.value.status == 200, answer.value.text()
        assert saves.at[3] - saves.at[2] >= 7.5, saves.at  # the third wait, 8 s
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
    context, page = serving_page(browser, office)
    try:
        sid = socket_id(page)
        saves = Saves(page, "abort")
        with page.expect_event("requestfailed", is_save, timeout=10_000):
            page.fill("#solution", TYPED)
        saves.fail = None
        with page.expect_response(lambda r: is_save(r.request), timeout=10_000) as answer:
            pass
        assert answer.value.status == 200, answer.value.text()
        assert stored(budi, office) == TYPED
        expect(page.locator("#solution")).to_have_value(TYPED)
        page.wait_for_function("() => window.antrianApi.inFlight() === 0")
        assert len(saves.at) == 2, saves.at  # the one that failed, then the one saved: nothing sent twice
        assert socket_id(page) == sid
    finally:
        context.close()


def test_a_save_never_answered_is_given_up_and_sent_again(browser, office):
    empty_queue(office)
    issue(office, "Citra")
    budi = office.session("budi", PASSWORD)
    context, page = serving_page(browser, office)
    try:
        saves = Saves(page, "hold")
        with page.expect_event("requestfailed", is_save, timeout=25_000):
            page.fill("#solution", TYPED)  # no answer in 15 s: given up
        assert len(saves.held) == 1
        saves.fail = None
        with page.expect_response(lambda r: is_save(r.request), timeout=10_000) as answer:
            pass
        assert answer.value.status == 200, answer.value.text()
        assert stored(budi, office) == TYPED
    finally:
        context.close()
