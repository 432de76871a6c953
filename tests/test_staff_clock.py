"""The staff pages' clock (counter/static/common.js): the office's time on the server's clock from the page's
first answer on, never the computer's own time first (a PC whose clock is wrong showed 13.03 for 09.40 for
the first 5 s)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

WIB = ZoneInfo("Asia/Jakarta")  # config.toml's [office] timezone
PC_OFF = timedelta(hours=3, minutes=37)  # this computer's clock, that far ahead of the server's

# Every text the clock shows, from the document's start: a mutation observer's callback runs before the
# browser paints the change, so what a person could have seen is in the list.
RECORD = """
window.clockTexts = [];
new MutationObserver(() => {
  const clock = document.getElementById("clock");
  if (clock && window.clockTexts.at(-1) !== clock.textContent) window.clockTexts.push(clock.textContent);
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


def texts_around(now: datetime, seconds: int = 8) -> set[str]:
    """The clock's text at `now` or in the few seconds before it (its time comes from the Date header,
    read to the second)."""
    return {(now - timedelta(seconds=s)).astimezone(WIB).strftime("%H.%M WIB") for s in range(seconds + 1)}


@pytest.fixture(scope="module")
def office(live):
    live.add_user("rina", "frontoffice")
    return live


@pytest.mark.parametrize("path", ["/counter/front", "/counter/escalations"])
def test_the_clock_shows_nothing_before_the_servers_time_then_at_once_the_servers(browser, office, path):
    live = office
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta")
    try:
        r = context.request.post(live.url + "/api/login", data={"username": "rina", "password": "rahasia-123"})
        assert r.ok, r.text()
        page = context.new_page()
        # The PC's clock, wrong, and stopped there: the page's 5 s redraw never comes, so only its first
        # answer's Date can draw the clock.
        wrong = datetime.now().astimezone() + PC_OFF
        page.clock.install(time=wrong)
        # (paused a minute on: the installed clock runs meanwhile, and a pause at a moment it has passed, on a
        # loaded machine, is refused as going back)
        page.clock.pause_at(wrong + timedelta(minutes=1))
        page.add_init_script(RECORD)
        page.goto(live.url + path)
        expect(page.locator("#clock")).to_have_text(re.compile(r"^\d{2}\.\d{2} WIB$"))
        shown = [t for t in page.evaluate("window.clockTexts") if t]
        assert shown, "the clock was drawn"
        # the server's time from the first text on: never the PC's, not even for the first seconds
        assert set(shown) <= texts_around(datetime.now().astimezone()), shown
    finally:
        context.close()


def test_request_ids_are_random_without_a_secure_context(browser, office):
    """An office's staff pages over plain HTTP on its network are no secure context: `crypto.randomUUID` is not
    there. Their request ids (each command's idempotency key) then come from `crypto.getRandomValues`, not from
    the time and Math.random (a key guessed is answered another request's answer). Here the page runs on
    127.0.0.1, a secure context: randomUUID is taken away as plain HTTP on the network has it."""
    live = office
    context = browser.new_context(locale="id-ID")
    try:
        r = context.request.post(live.url + "/api/login", data={"username": "rina", "password": "rahasia-123"})
        assert r.ok, r.text()
        page = context.new_page()
        page.add_init_script("Object.defineProperty(Crypto.prototype, 'randomUUID', { value: undefined })")
        page.goto(live.url + "/counter/front")
        expect(page.locator("#officer-name")).to_have_text("rina")
        ids = page.evaluate(
            """async () => {
                const { requestId } = await import("/counter/static/common.js");
                Math.random = () => 0.5;  // a fallback on Math.random would repeat itself now
                return [crypto.randomUUID === undefined, requestId(), requestId()];
            }"""
        )
        gone, first, second = ids
        assert gone, "randomUUID still there"
        assert re.fullmatch(r"[0-9a-f]{32}", first) and re.fullmatch(r"[0-9a-f]{32}", second), ids
        assert first != second
    finally:
        context.close()
