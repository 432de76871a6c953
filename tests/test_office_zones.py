"""An office in Jayapura (WIT, UTC+9) whose server runs with TZ=UTC, its kiosk and TV on PCs whose own
clocks are wrong by hours: a box in UTC whose clock was set by hand to the office's hour (9 h ahead), one
in Asia/Jakarta set the same way (2 h ahead). What they show is the office's time and day on the server's
clock, and the office's midnight (00:00 WIT, 15:00 UTC the day before) is the day's end for all of them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from conftest import until_on_page, visitor, write_config
from live import ClockedServer
from pageclock import CALM_NUMBERS
from playwright.sync_api import expect

from server.hours import when
from shared.dates import day_names, month_names

WIT = ZoneInfo("Asia/Jayapura")
HOURS = "".join(f'{day} = "08:00-16:00"\n' for day in ("monday", "tuesday", "wednesday", "thursday", "friday"))
HOURS += 'saturday = "08:00-16:00"\nsunday = "08:00-16:00"\n'  # every day: the test's day is any weekday
# (the PC's zone, how far its clock is ahead of the real time): set by hand to read the office's hour
PCS = (("UTC", timedelta(hours=9)), ("Asia/Jakarta", timedelta(hours=2)))


@pytest.fixture(scope="module")
def jayapura(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("jayapura")
    config = write_config(
        tmp, {'timezone = "Asia/Jakarta"': 'timezone = "Asia/Jayapura"', "# [hours]": f"[hours]\n{HOURS}#"}
    )
    # 09:00 WIT today on the server's clock, which its answers' Date carries (dated); the process in UTC. Its pages
    # hear no ping (pageclock.CALM_NUMBERS): their clocks are moved on by minutes and hours at once, each move past
    # the socket's heartbeat dropped the connection, and a TV or kiosk reconnected while the test read it
    s = ClockedServer(config, tick=0.1, dated=True, env={"TZ": "UTC"}, numbers=CALM_NUMBERS).start()
    yield s
    s.stop()


def server_now(s) -> datetime:
    return parsedate_to_datetime(requests.get(s.url + "/healthz", timeout=5).headers["Date"])


def long_date(d) -> str:
    """ "Senin, 7 Desember 2026", as the TV writes the office's day."""
    return f"{day_names('id')[d.weekday()]}, {d.day} {month_names('id')[d.month - 1]} {d.year}"


def ticket_status(s, token: str, status: str, timeout: float = 10.0) -> str:
    return s.ticket_when(token, status, timeout)["status"]


# display.js's syncClock as the test sees it: a look at /healthz is counted in __clockLooks when sent, and in
# __clockSyncs once the page's own handler of its answer has run (this reaction is added before the page's; its
# count is a microtask queued after it)
COUNT_SYNCS = """
const fetch0 = window.fetch;
window.__clockLooks = 0;
window.__clockSyncs = 0;
window.fetch = function (...args) {
  const answer = fetch0.apply(this, args);
  if (String(args[0]).endsWith("/healthz")) {
    window.__clockLooks += 1;
    answer.then(() => queueMicrotask(() => (window.__clockSyncs += 1)), () => {});
  }
  return answer;
};
"""
# every look the TV sent so far answered: one answered after its box's clock is moved would set the offset from a
# trip that spans the move (the look on load, or the one a jump fired, coming after the look that follows the move)
LOOKS_ANSWERED = "() => window.__clockSyncs === window.__clockLooks"


def test_kiosk_and_tv_on_wrong_clocks_say_the_offices_time_and_day_through_its_midnight(browser, jayapura):
    s = jayapura
    r = requests.post(s.url + "/api/tickets", json=visitor(name="Tamu Pagi"), timeout=10)
    assert r.status_code == 201, r.text
    left = r.json()["ticket"]["token"]  # never called: it ends with the office's day
    s.advance(13.5 * 3600)  # 22:30 WIT (13:30 UTC): closed since 16:00, opens tomorrow 08:00
    now = server_now(s)
    local = now.astimezone(WIT)
    assert local.hour == 22 and local.minute < 35, local
    tomorrow = local.date() + timedelta(days=1)
    opening = datetime.combine(tomorrow, datetime.min.time(), WIT).replace(hour=8)
    assert requests.get(s.url + "/api/state", timeout=5).json()["office"]["open"] is False
    contexts, pages = [], []
    try:
        for zone, ahead in PCS:
            context = browser.new_context(locale="id-ID", timezone_id=zone)
            contexts.append(context)
            context.clock.install(time=now + ahead)  # the PC's clock, that far ahead, running on
            context.clock.resume()
            kiosk, tv = context.new_page(), context.new_page()
            tv.add_init_script(COUNT_SYNCS)
            kiosk.goto(s.url + "/kiosk/")
            tv.goto(s.url + "/display/")
            pages.append((kiosk, tv))
            # tomorrow's opening is tomorrow's, not "today" (the PC's clock is past the office's midnight)
            expect(kiosk.locator("#closed-next")).to_have_text(f"Buka kembali besok, {when(opening, WIT, 'id')}")
            expect(tv.locator("#clock")).to_have_text(re.compile(r"^22\.3\d WIT$"))
            expect(tv.locator("#date")).to_have_text(long_date(local.date()))
        assert ticket_status(s, left, "waiting", timeout=0) == "waiting"  # the office's day is not over

        # 00:00 WIT: the office's midnight, 15:00 UTC; the PCs' clocks run on as the server's does
        s.advance(1.5 * 3600)
        assert ticket_status(s, left, "expired") == "expired", "yesterday's ticket ends at the office's midnight"
        state = requests.get(s.url + "/api/state", timeout=5).json()
        assert state["day"] == tomorrow.isoformat(), state["day"]
        for kiosk, tv in pages:
            kiosk.context.clock.fast_forward(int(1.5 * 3600 * 1000))
            expect(kiosk.locator("#closed-next")).to_have_text(f"Buka kembali hari ini, {when(opening, WIT, 'id')}")
            expect(tv.locator("#clock")).to_have_text(re.compile(r"^00\.0\d WIT$"))
            expect(tv.locator("#date")).to_have_text(long_date(tomorrow))
        # a box's clock set right meanwhile (NTP, or by hand: here 3 h on) is followed within minutes
        for _kiosk, tv in pages:
            tv.wait_for_function(LOOKS_ANSWERED, polling=50)  # the look on load's and the jump's, before the move
            tv.context.clock.set_system_time(server_now(s) + timedelta(hours=3))
            tv.context.clock.fast_forward(5 * 60 * 1000 + 1000)
            assert tv.evaluate("antrianDisplay.state.connected")  # its connection kept
            expect(tv.locator("#clock")).to_have_text(re.compile(r"^00\.0\d WIT$"))
            expect(tv.locator("#date")).to_have_text(long_date(tomorrow))
    finally:
        for context in contexts:
            context.close()


def test_tv_clock_not_stepped_back_by_a_sync_just_past_a_minute_whose_date_is_the_second_before(browser, jayapura):
    """A look at the server sent 0.5 s before a minute M on the TV's clock comes back 1.2 s later (M + 0.7 s)
    with a Date of M - 1 s: the server's clock was within that second during the trip, as the TV's was, so
    the TV's clock is kept. Before, the offset was always taken again from the Date's middle (date + 500 -
    back): the clock went back to M - 0.5 s and the next second's tick showed the minute before M again
    (10.59 after 11.00)."""
    minute = (server_now(jayapura) + timedelta(hours=2)).replace(second=0, microsecond=0)  # M: hours off config.now
    held = []

    def answer(route, date: datetime) -> None:
        route.fulfill(status=200, headers={"Date": format_datetime(date.astimezone(UTC), usegmt=True)}, body="")

    def healthz(route):
        held.append(route)
        if len(held) == 1:  # the look on load, answered at once: the clock set to M - 5 min 0.5 s
            answer(route, minute - timedelta(minutes=5, seconds=1))

    def wit(d: datetime) -> str:
        return f"{d.astimezone(WIT):%H.%M} WIT"

    context = browser.new_context(locale="id-ID", timezone_id="UTC")
    try:
        box = datetime.now(UTC) + timedelta(hours=9)  # the box's own clock (set by hand to the office's hour)
        context.clock.install(time=box)
        context.clock.pause_at(box + timedelta(minutes=1))  # the page's time stands still unless moved (a moment
        # it has not passed yet on a loaded machine: a pause in its past is refused)
        context.add_init_script(COUNT_SYNCS)
        tv = context.new_page()
        tv.route("**/healthz", healthz)
        tv.goto(jayapura.url + "/display/")
        syncs = lambda: tv.evaluate("window.__clockSyncs")  # noqa: E731
        until_on_page(tv, lambda: syncs() == 1, "the look on load answered")
        shown = tv.locator("#clock")
        tv.clock.run_for(5 * 60 * 1000)  # the look every 5 min: sent at M - 0.5 s, its answer held
        assert tv.evaluate("antrianDisplay.state.connected")  # its connection kept
        until_on_page(tv, lambda: len(held) == 2, "the look 5 min on sent")
        expect(shown).to_have_text(wit(minute - timedelta(minutes=1)))
        tv.clock.run_for(1200)  # its trip: back at M + 0.7 s, M shown since M + 0.02 s
        expect(shown).to_have_text(wit(minute))
        answer(held[1], minute - timedelta(seconds=1))  # consistent with the clock as kept
        until_on_page(tv, lambda: syncs() == 2, "the look 5 min on answered")
        tv.clock.run_for(400)  # the next second's tick (the old rule's clock: M - 0.18 s)
        expect(shown).to_have_text(wit(minute))
        assert len(held) == 2
    finally:
        context.close()


def test_kiosks_on_wrong_clocks_stop_taking_numbers_at_the_offices_closing_not_a_minute_on(browser, jayapura):
    """A kiosk whose live connection is down (the server's `office_closed` event does not reach it) looks at
    the server again just after `closes_at`. It counted the wait on its own clock: one hours ahead found the
    moment passed and did not look, one behind would look hours late, and both offered the form until their
    look a minute on. On the server's clock (the page's `now`, then each look's Date) it looks at 16:00."""
    s = jayapura
    now = server_now(s).astimezone(WIT)
    target = now.replace(hour=15, minute=59, second=30, microsecond=0)
    if target <= now:
        target += timedelta(days=1)
    s.advance((target - now).total_seconds())  # 15:59:30 WIT: open, closing at 16:00
    assert requests.get(s.url + "/api/state", timeout=5).json()["office"]["open"] is True
    contexts, kiosks = [], []
    try:
        for zone, ahead in PCS:
            context = browser.new_context(locale="id-ID", timezone_id=zone)
            contexts.append(context)
            box = datetime.now(UTC) + ahead  # the box's own clock
            context.clock.install(time=box)
            context.clock.pause_at(box + timedelta(minutes=1))  # the page's time moves only as the test moves it
            kiosk = context.new_page()
            kiosk.route("**/socket.io/**", lambda route: route.abort())  # no live events: its own looks only
            kiosk.goto(s.url + "/kiosk/")
            expect(kiosk.locator("body")).to_have_attribute("data-current", "welcome")
            kiosks.append(kiosk)
        s.advance(35)  # past 16:00 on the server's clock
        for kiosk in kiosks:
            kiosk.clock.run_for(45_000)  # the look at 16:00:01.5 is in it; the look of every minute is not
            expect(kiosk.locator("body")).to_have_attribute("data-current", "closed")
    finally:
        for context in contexts:
            context.close()
