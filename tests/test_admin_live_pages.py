"""Pages left open through an admin's change of the settings show the new ones, in Chromium against a real
server: a counter page busy with a visitor (it reloads only after the ticket), the survey's tablet by the
exit (no live connection: it looks between two visitors), the visitor's phone page (live).

The module shares one live server; an autouse fixture puts back every settings section a test changed.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from adminpages import boss as boss  # fixture: the module's admin (tests/adminpages.py)
from adminpages import restore_settings as restore_settings  # autouse fixture: what a test changed put back
from pageclock import PING_NUMBERS, install_clock, run_clock_for
from playwright.sync_api import expect
from staffpages import issue, put_settings, sign_in

PASSWORD = "rahasia-123"
OFFICE = "LPSE Kabupaten Contoh"
# The module's server pings its pages every quarter second (PING_NUMBERS): a test moving a live page's clock on moves it in
# steps within the heartbeat, each just after a ping (pageclock.run_clock_for).


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """conftest's `live`, pinging every quarter second (pageclock.PING_NUMBERS)."""
    from conftest import write_config
    from live import LiveServer

    server = LiveServer(write_config(tmp_path_factory.mktemp("live")), numbers=PING_NUMBERS)
    yield server.start()
    server.stop()


def cancel(live, boss, ticket: dict) -> None:
    boss.post(f"{live.url}/api/tickets/{ticket['token']}/cancel", json={}, timeout=5).raise_for_status()


def test_a_counter_page_serving_a_visitor_takes_the_admins_services_and_counters_at_once(browser, live, boss):
    """Loket 1 (A, C) serves an A visitor, a draft typed, a C ticket waiting; the admin renames A, adds D, takes
    C from Loket 1 and removes Loket 2. The page, which reloads only once the ticket is done, kept the old
    names, "Loket 1 · A, C" in its drop-down, Loket 2 under "Loket lain", Panggil on the C ticket (a service
    Loket 1 no longer serves) and no D, for as long as the visitor sat there."""
    served = issue(live, "Rahmat", "A")
    other = issue(live, "Sari", "C")
    page = sign_in(
        browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID").new_page(),
        live,
        "/counter/",
        "budi",
    )
    page.select_option("#counter-select", "1")
    line = page.locator("#line")
    expect(line.locator(f'section[data-service="C"] button[data-call="{other["label"]}"]')).to_be_enabled()
    page.click("#btn-call-next")
    expect(page.locator("#t-label")).to_have_text(served["label"])
    page.click("#btn-start")
    expect(page.locator("#solution")).to_be_focused()
    page.locator("#solution").fill("Reset kata sandi lewat menu Lupa Password.")
    expect(page.locator("#counters")).to_contain_text("Loket 2")
    page.evaluate("window.drawnBefore = true")

    settings = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()
    services = settings["services"]
    services[0]["name"] = "Konsultasi Penyedia (Vendor)"
    services.append({**services[2], "code": "D", "name": "Pengaduan Layanan", "prefix": "D"})
    put_settings(live, boss, "services", services)
    counters = [c for c in settings["counters"] if c["id"] != 2]
    counters[0]["services"] = ["A"]
    counters[1]["services"] = ["B", "C", "D"]
    put_settings(live, boss, "counters", counters)

    # The drop-down, the other counters and the line as the server has them now.
    expect(page.locator("#counter-select option:checked")).to_have_text("Loket 1 · A")
    expect(page.locator("#counter-select option")).to_have_count(2)
    expect(page.locator("#counters li")).to_have_count(1)
    expect(page.locator("#counters")).to_contain_text("Loket 3")
    expect(line.locator('section[data-service="A"] .name')).to_have_text("A · Konsultasi Penyedia (Vendor)")
    expect(line.locator('section[data-service="D"] .name')).to_have_text("D · Pengaduan Layanan")
    c = line.locator('section[data-service="C"]')
    expect(c).to_have_class("service other")
    expect(c.locator("button.call")).to_have_count(0)  # no longer Loket 1's to call
    expect(page.locator("#t-service")).to_have_text("Konsultasi Penyedia (Vendor)")
    expect(page.locator("#transfer-service option[value=D]")).to_have_count(1)
    # The ticket, its form and the draft stay; the page reloads once the ticket is done.
    expect(page.locator("#t-label")).to_have_text(served["label"])
    expect(page.locator("#solution")).to_have_value("Reset kata sandi lewat menu Lupa Password.")
    expect(page.locator("#notice")).to_contain_text(served["label"])
    expect(page.locator("#btn-resolve")).to_be_enabled()
    assert page.evaluate("window.drawnBefore") is True
    page.click("#btn-resolve")
    page.wait_for_function("() => window.drawnBefore === undefined && window.antrianCounter", polling=50)
    expect(page.locator("#counter-select option:checked")).to_have_text("Loket 1 · A")
    cancel(live, boss, other)
    page.context.close()


def tablet(browser, live):
    page = browser.new_page(viewport={"width": 800, "height": 1280}, has_touch=True)
    page.clock.install(time=datetime.now())
    page.goto(f"{live.url}/survey/")
    expect(page.locator(".bar-office")).to_have_text(OFFICE)
    page.evaluate("window.drawnBefore = true")
    return page


def test_the_survey_tablet_takes_the_admins_office_and_services_back_at_its_start(browser, live, boss):
    """The tablet has no live connection: it kept the office's old name and language, and the pad its old
    service letters, until someone reloaded it by hand."""
    busy = tablet(browser, live)  # a visitor is typing their ticket's number
    idle = tablet(browser, live)  # nobody there all morning
    busy.tap("#start")
    expect(busy.locator("#screen-identify")).to_be_visible()
    expect(busy.locator("[data-prefix]")).to_have_count(3)

    services = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["services"]
    services.append({**services[2], "code": "D", "name": "Pengaduan Layanan", "prefix": "D"})
    put_settings(live, boss, "services", services)
    put_settings(live, boss, "office", {"name": "LPSE Kota Baru", "language": "en"})

    # The tablet waiting at its start looks again within a minute (on the page's clock), and reloads.
    idle.clock.run_for(61_000)
    idle.wait_for_function("() => window.drawnBefore === undefined", polling=50)
    expect(idle.locator(".bar-office")).to_have_text("LPSE Kota Baru")
    expect(idle.locator("html")).to_have_attribute("lang", "en")
    # The visitor on the pad keeps the page they are using; back at the start, it is the new one.
    assert busy.evaluate("window.drawnBefore") is True
    expect(busy.locator(".bar-office")).to_have_text(OFFICE)
    busy.tap('#screen-identify [data-action="home"]')
    busy.wait_for_function("() => window.drawnBefore === undefined", polling=50)
    expect(busy.locator(".bar-office")).to_have_text("LPSE Kota Baru")
    expect(busy.locator("#start")).to_contain_text("Touch the screen")  # English, the office's language now
    busy.tap("#start")
    expect(busy.locator("[data-prefix]")).to_have_text(["A", "B", "C", "D"])
    for page in (busy, idle):
        page.close()


def test_a_tablet_whose_page_still_differs_after_its_reload_does_not_reload_again(browser, live, boss):
    """The guard against a reload loop: a page drawn with other values than GET /api/state says (here: the
    state answered with another office name) reloads once for them, not again and again."""
    page = browser.new_page(viewport={"width": 800, "height": 1280}, has_touch=True)
    page.clock.install(time=datetime.now())
    loads = []
    page.on("load", lambda _: loads.append(1))

    def other_name(route):
        body = route.fetch().json()
        body["office"]["name"] = "LPSE Lain"
        route.fulfill(json=body)

    page.route("**/api/state", other_name)
    page.goto(f"{live.url}/survey/")
    # reloaded once for "LPSE Lain"; its new page, which still differs, stays
    page.wait_for_function("() => window.antrianSurvey && antrianSurvey.checked === 1", polling=50)
    page.clock.run_for(61_000)  # the next check finds the same difference: no reload either
    page.wait_for_function("() => antrianSurvey.checked === 2", polling=50)
    assert page.evaluate("sessionStorage.getItem('antrian-survey-reloaded-for')").startswith('["LPSE Lain"')
    assert len(loads) == 2  # the first page, and its one reload
    expect(page.locator(".bar-office")).to_have_text(OFFICE)
    page.close()


def test_the_phone_page_takes_the_admins_office_name_and_language_keeping_the_visitors_own(browser, live, boss):
    """The phone page kept the office's name it was drawn with, and never followed the office's language."""
    ticket = issue(live, "Rahmat", "B")

    def phone(query: str = ""):
        page = browser.new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
        page.goto(f"{live.url}/t/{ticket['token']}{query}")
        page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
        expect(page.locator("#office-name")).to_have_text(OFFICE)
        expect(page.locator("#status")).to_have_text("menunggu")
        return page

    plain, chose = phone(), phone("?lang=id")  # the second visitor chose Indonesian on the toggle
    put_settings(live, boss, "office", {"name": "LPSE Kota Baru", "language": "en"})
    for page in (plain, chose):
        expect(page.locator("#office-name")).to_have_text("LPSE Kota Baru")
    expect(plain.locator("#status")).to_have_text("waiting")
    expect(plain.locator("html")).to_have_attribute("lang", "en")
    expect(chose.locator("#status")).to_have_text("menunggu")
    expect(chose.locator("html")).to_have_attribute("lang", "id")
    cancel(live, boss, ticket)
    for page in (plain, chose):
        page.close()


def test_an_admin_saving_several_times_in_a_row_does_not_cut_an_open_phone_off(browser, live, boss):
    """The phone asked for a fresh socket snapshot at each save of the office or the queue: a connection may
    ask three, then one per 10 s, so a fourth save within seconds cut the phone off and blocked its address for
    10 s (every phone of a guest Wi-Fi shares one, found reviewing the day's changes, helper-152). It reads
    the public state instead, once for saves close together."""
    ticket = issue(live, "Wulan", "B")
    page = browser.new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    try:
        page.goto(f"{live.url}/t/{ticket['token']}")
        page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
        page.evaluate("window.cuts = 0; antrianPhone.socket.on('disconnect', () => { window.cuts += 1; })")
        for n in range(1, 6):
            put_settings(live, boss, "office", {"name": f"LPSE Kota Baru {n}"})
        expect(page.locator("#office-name")).to_have_text("LPSE Kota Baru 5")
        # the events of the five saves have all reached the page (its seq), and it is still connected
        seq = boss.get(f"{live.url}/api/state", timeout=5).json()["seq"]
        page.wait_for_function("seq => antrianPhone.liveSeq() >= seq", arg=seq, polling=50)
        assert page.evaluate("[window.cuts, antrianPhone.connected()]") == [0, True]
    finally:
        page.close()
        cancel(live, boss, ticket)


def test_an_admin_saving_several_times_in_a_row_does_not_cut_the_tv_off(browser, live, boss):
    """The TV asked for a snapshot at every settings change: the fifth save within seconds was refused, the TV
    cut off ("OFFLINE") and its address blocked for 10 s. The snapshots of saves close together now come as one,
    at most one per 10 s (the page's clock moved on here), the last save's changes in it."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    try:
        install_clock(page)
        page.goto(f"{live.url}/display/")
        page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)
        page.evaluate("window.cuts = 0; antrianDisplay.socket.on('disconnect', () => { window.cuts += 1; })")
        for n in range(1, 6):  # each save taken by the page (and any snapshot it asked for) before the next
            put_settings(live, boss, "office", {"name": f"LPSE Kota Baru {n}"})
            seq = boss.get(f"{live.url}/api/state", timeout=5).json()["seq"]
            page.wait_for_function(
                "seq => antrianDisplay.state.seq >= seq && antrianDisplay.state.synced", arg=seq, polling=50
            )
        # the saves after the first: one snapshot, once 10 s have gone by (each step just after a ping: the page's
        # clock moved on stays within the heartbeat)
        run_clock_for(page, 10_000, fast_forward=True)
        expect(page.locator("#office-name")).to_have_text("LPSE Kota Baru 5")
        assert page.evaluate("[window.cuts, antrianDisplay.state.connected]") == [0, True]
    finally:
        page.close()
