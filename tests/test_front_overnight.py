"""The sessions' ends around a night, as the front office and an officer on two PCs live them (a real server process
on tests/clockserver.py's clock, sessions of a minute (auth.SESSION_HOURS) counted on that clock, which the test moves
past a session's end, real Chromium):

- A front office page left open overnight ran into its session's end and waited at the login; the counters freed
  when the officers' sessions ended after it (at the office's midnight) were said to nobody: the next morning's
  login said nothing of them (its first snapshot only noted them as known). They are said after the login.
- An officer signed in on two PCs: the session of the first ended while the second's page was offline for a moment
  (a Wi-Fi blip); the server, finding no other page of his open, freed his counter, sent his called visitor back to
  the line and told his second PC, whose session was valid all along, that its session had ended. A valid session
  of the account keeps its counter."""

from __future__ import annotations

import re

import requests
from conftest import SocketGate, until_on_page, write_config
from live import ClockedServer
from playwright.sync_api import expect
from staffpages import PASSWORD, issue, sign_in, staffed

VIEWPORT = {"width": 1366, "height": 768}
TIME = r"\d\d[.:]\d\d"
SESSION_S = 72  # auth.SESSION_HOURS below: a session's seconds on the server's clock (--sessions-on-clock)


def new_page(browser, viewport=VIEWPORT):
    return browser.new_context(viewport=viewport, locale="id-ID").new_page()


def holders(server) -> dict[int, str | None]:
    admin = server.session("kepala", PASSWORD)
    return {c["id"]: c["officer"] for c in admin.get(f"{server.url}/api/staff/state", timeout=5).json()["counters"]}


def test_a_front_page_left_open_overnight_says_after_the_login_the_counters_freed_while_it_waited(tmp_path, browser):
    """rina's session ended in the evening (here SESSION_S after her sign-in) and her page went to the login, where it
    stayed overnight. The next day budi's session ended while he was calling a visitor at Loket 2, as every session
    of the day before ends at the office's midnight: his counter freed, the visitor back in the line. rina signed in
    in the morning and read nothing of it. It is said after her login, once (not again after a reload)."""
    server = ClockedServer(
        write_config(tmp_path), tick=0.1, dated=True, numbers={"auth.SESSION_HOURS": 0.02}, sessions_on_clock=True
    ).start()
    try:
        # The evening before today: the night's step (next_day) brings the server's clock back to today. A step ahead
        # of it put the answers' Date a day and more ahead of the browser's clock (past midnight in the office, the
        # clock starting at 09:00 of that day), and Chromium, which counts a cookie's Expires from the answer's Date,
        # dropped the session cookie of the morning's login (12 h): the test failed from the office's midnight on.
        server.advance(-86400)
        staffed(server)
        rina = sign_in(new_page(browser, {"width": 1024, "height": 768}), server, "/counter/front", "rina")
        server.advance(SESSION_S + 1)  # the evening comes
        expect(rina.locator("#login-form")).to_be_visible(timeout=30_000)  # her session's end: the login
        expect(rina.locator("#login-error")).to_contain_text("Sesi Anda berakhir: sesi berlaku sampai tengah malam")
        server.next_day()  # the night passes, the page at its login

        ticket = issue(server, "Rahmat Hidayat", "B")
        budi = sign_in(new_page(browser), server, "/counter/", "budi")
        budi.select_option("#counter-select", "2")
        budi.click("#btn-call-next")
        expect(budi.locator("#t-label")).to_have_text(ticket["label"])
        server.advance(SESSION_S + 1)
        expect(budi.locator("#login-error")).to_have_text(
            "Sesi Anda berakhir: sesi berlaku sampai tengah malam, paling lama 10 jam setelah masuk. Masuk lagi untuk "
            "melanjutkan.",
            timeout=30_000,
        )
        budi.context.close()
        assert holders(server)[2] is None  # freed by his session's end, the visitor back in the line

        sign_in(rina, server, None, "rina")  # the morning's login, on the page left open
        said = re.compile(
            rf"^Loket 2 dilepas dari budi pukul {TIME}: sesi budi berakhir \(tengah malam, atau 10 jam setelah"
            rf" masuk\)\. Tiket {ticket['label']} yang dipanggil kembali menunggu\.$"
        )
        notice = rina.locator("#counter-notice .notice")
        expect(notice).to_have_count(1)
        expect(notice).to_have_text(said)
        rina.reload()  # said once: a reload does not say it again
        expect(rina.locator("#live-status")).to_have_attribute("data-state", "on")
        expect(rina.locator(f"#tickets tr[data-label='{ticket['label']}']")).to_have_count(1)
        expect(notice).to_have_count(0)
        rina.context.close()
    finally:
        server.stop()


def test_an_officers_other_pc_keeps_its_counter_when_one_session_ends_while_it_is_offline(tmp_path, browser):
    """budi signed in on PC 1 in the morning and on PC 2 at noon (here 30 s later on the server's clock), where he
    calls a visitor at Loket 2. PC 1's session ends (here SESSION_S after its sign-in) while PC 2's Wi-Fi is down for a
    moment: Loket 2 stays his, the visitor stays called, and PC 2, back online, carries on without a word of a
    session's end."""
    server = ClockedServer(
        write_config(tmp_path), tick=0.1, numbers={"auth.SESSION_HOURS": 0.02}, sessions_on_clock=True
    ).start()
    try:
        staffed(server)
        ticket = issue(server, "Wulan Sari", "B")
        first = sign_in(new_page(browser), server, "/counter/", "budi")  # PC 1: its session ends first
        server.advance(30)  # PC 2 signs in 30 s later: its session outlives PC 1's by that much
        second = new_page(browser)
        gate = SocketGate(second, polling=True)  # PC 2's network, for its live connection
        sign_in(second, server, "/counter/", "budi")
        second.select_option("#counter-select", "2")
        second.click("#btn-call-next")
        expect(second.locator("#t-label")).to_have_text(ticket["label"])

        # on its WebSocket: a long-polling request let through before the cut stays out until the server's next ping,
        # and a loaded machine then told "off" after the expectation's 10 s (a clean-clone run)
        until_on_page(second, lambda: gate.sockets, "PC 2's live connection on its WebSocket")
        gate.cut()  # PC 2's Wi-Fi drops
        expect(second.locator("#live-status")).to_have_attribute("data-state", "off")
        server.advance(SESSION_S - 30 + 1)  # past PC 1's end; PC 2's is 29 s on, less the seconds its steps took
        expect(first.locator("#login-error")).to_have_text(
            "Sesi Anda berakhir: sesi berlaku sampai tengah malam, paling lama 10 jam setelah masuk. Masuk lagi untuk "
            "melanjutkan.",
            timeout=30_000,
        )  # PC 1's session ended (the server saw it 2 s before its page did)
        assert holders(server)[2] == "budi"
        now = requests.get(f"{server.url}/api/tickets/{ticket['token']}", timeout=5).json()["ticket"]
        assert (now["status"], now["counter_id"]) == ("called", 2)

        gate.open = True  # back online
        expect(second.locator("#live-status")).to_have_attribute("data-state", "on", timeout=15_000)
        expect(second.locator("#t-label")).to_have_text(ticket["label"])
        expect(second.locator("#counter-select")).to_have_value("2")
        expect(second.locator("#notice")).to_have_text("")
        assert holders(server)[2] == "budi"
        first.context.close()
        second.context.close()
    finally:
        server.stop()
