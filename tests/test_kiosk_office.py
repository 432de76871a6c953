"""The office's rules on the kiosk: outside the service hours it says "Layanan tutup" and when it opens
again (in the office's time zone, whatever the browser's); each service button shows how many wait,
the estimated wait and what is left of the daily quota, and a used-up service cannot be chosen; the
server's refusals (409 office_closed) reach the visitor in its own words; a used-up quota is said once, by the
notice (the server's "come back on the next service day" beside it said the opposite of "choose another service").
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from conftest import seconds_to_office_midnight, write_config
from kioskui import (
    LANDSCAPE,
    LONGEST,
    ORIENTATIONS,
    PORTRAIT,
    SMALL,
    assert_actions_visible,
    fill_fast,
    shot,
    shot_name,
)
from live import LiveServer
from pageclock import CALM_NUMBERS, install_clock
from playwright.sync_api import expect

from server.config import WEEKDAYS
from server.hours import when_en, when_id
from server.i18n import t as word
from server.messages import message

WIB = ZoneInfo("Asia/Jakarta")
VISITOR = {
    "name": "Budi Santoso",
    "agency": "CV Maju Bersama",
    "address": "Jl. Sudirman No. 12",
    "phone": "081234567890",
    "problem": "Lupa kata sandi akun penyedia SPSE",
}


def tomorrow_at_eight() -> datetime:
    now = datetime.now(WIB)
    return datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=WIB).replace(hour=8)


@pytest.fixture(scope="module")
def closed(tmp_path_factory):
    """An office closed all of today (in WIB) that opens tomorrow at 08:00."""
    opening = tomorrow_at_eight()
    days = {day: '""' for day in WEEKDAYS}
    days[WEEKDAYS[opening.weekday()]] = '"08:00-16:00"'
    hours = "\n[hours]\n" + "".join(f"{day} = {ranges}\n" for day, ranges in days.items())
    # its kiosks hear no ping (pageclock.CALM_NUMBERS): a kiosk's clock is moved on past its minute's look in one call,
    # its socket's heartbeat a day off (pinged every quarter second and moved in steps of 4 s, each after a ping, the
    # test waited out 17 pings)
    server = LiveServer(write_config(tmp_path_factory.mktemp("closed"), extra=hours), numbers=CALM_NUMBERS).start()
    server.opening = opening
    yield server
    server.stop()


@pytest.fixture(scope="module")
def quota(tmp_path_factory):
    """Always open; service A may give 40 numbers a day, B only 1, C has no quota."""
    config = write_config(
        tmp_path_factory.mktemp("quota"),
        {'prefix = "A"': 'prefix = "A"\ndaily_quota = 40', 'prefix = "B"': 'prefix = "B"\ndaily_quota = 1'},
    )
    server = LiveServer(config).start()
    yield server
    server.stop()


@pytest.fixture
def context(browser):
    """A browser far from the office: New York time, American English. The kiosk must not care."""
    made = []

    def make(viewport=PORTRAIT, **kw):
        ctx = browser.new_context(
            viewport=viewport, has_touch=True, timezone_id="America/New_York", locale="en-US", **kw
        )
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


def service_button(page, code: str):
    return page.locator(f'[data-service="{code}"]')


@pytest.mark.parametrize("name, viewport", ORIENTATIONS)
def test_a_closed_office_says_so_with_the_next_opening_in_the_offices_time_zone(context, closed, name, viewport):
    page = context(viewport).new_page()
    page.goto(f"{closed.url}/kiosk/")

    expect(page.locator("#screen-closed")).to_be_visible()
    expect(page.locator("#screen-welcome")).to_be_hidden()
    expect(page.locator(".closed-title")).to_have_text("Layanan tutup")
    # As the server writes it, in WIB: not the browser's New York evening.
    expect(page.locator("#closed-next")).to_have_text("Buka kembali besok, " + when_id(closed.opening, WIB))
    assert_actions_visible(page, f"closed ({name})", must=("#lang-toggle",))
    shot(page, shot_name("kiosk-closed", name))
    page.click("#lang-toggle")
    expect(page.locator(".closed-title")).to_have_text("Service closed")
    expect(page.locator("#closed-next")).to_have_text("Opens again tomorrow, " + when_en(closed.opening, WIB))

    # The kiosk's request would be refused anyway, naming the same opening.
    r = requests.post(f"{closed.url}/api/tickets", json={**VISITOR, "service": "A"}, timeout=5)
    assert r.status_code == 409 and r.json()["error"] == "office_closed"
    assert when_id(closed.opening, WIB) in r.json()["message"]


def test_the_kiosk_opens_by_itself_when_the_office_does(context, closed):
    """The state is looked at again every minute (and at the opening): here the server's answer says
    open, and a minute passes on the page's clock."""
    page = context().new_page()
    install_clock(page)
    page.goto(f"{closed.url}/kiosk/")
    expect(page.locator("#screen-closed")).to_be_visible()
    state = requests.get(f"{closed.url}/api/state", timeout=5).json()
    assert state["office"]["open"] is False
    state["office"].update({"open": True, "next_opening": None})
    page.route("**/api/state", lambda route: route.fulfill(status=200, json=state))
    # at once, the server never pinging (`closed`): moved past the heartbeat, the live connection dropped, and the
    # reconnect's snapshot (the server's own state: closed) put the closed screen back under the test's tap
    page.clock.fast_forward(65_000)
    expect(page.locator("#screen-welcome")).to_be_visible()
    page.click("#start")
    expect(page.locator("#screen-service")).to_be_visible()


def test_quota_and_waiting_on_the_buttons_and_a_used_up_service_refused_says_one_thing(context, quota):
    page = context(PORTRAIT).new_page()
    page.goto(f"{quota.url}/kiosk/")
    page.click("#start")
    expect(page.locator('[data-quota="A"]')).to_have_text("Sisa kuota hari ini: 40")
    expect(page.locator('[data-quota="B"]')).to_have_text("Sisa kuota hari ini: 1")
    expect(page.locator('[data-quota="C"]')).to_have_text("")  # no quota: nothing said
    expect(page.locator('[data-info="A"]')).to_have_text("Belum ada yang menunggu")

    # Another visitor takes a number: the buttons follow, live.
    assert requests.post(f"{quota.url}/api/tickets", json={**VISITOR, "service": "A"}, timeout=5).status_code == 201
    expect(page.locator('[data-quota="A"]')).to_have_text("Sisa kuota hari ini: 39")
    expect(page.locator('[data-info="A"]')).to_have_text("1 orang menunggu")  # two counters free: called at once
    assert requests.post(f"{quota.url}/api/tickets", json={**VISITOR, "service": "A"}, timeout=5).status_code == 201
    expect(page.locator('[data-info="A"]')).to_have_text("2 orang menunggu\nPerkiraan tunggu ±\u00a015 menit")

    # This visitor chooses B (one number left) and fills the longest form...
    service_button(page, "B").click()
    fill_fast(page, LONGEST)
    page.click("#to-review")
    expect(page.locator("#screen-review")).to_be_visible()
    # ... while someone else takes B's last number.
    assert requests.post(f"{quota.url}/api/tickets", json={**VISITOR, "service": "B"}, timeout=5).status_code == 201
    with page.expect_response("**/api/tickets") as refused:
        page.click("#submit")
    assert refused.value.status == 409 and refused.value.json()["error"] == "quota_reached"
    # The kiosk says it at the top, once: B's numbers are used up, the form is kept, another service can be
    # chosen. The server's own words ("datang kembali pada hari layanan berikutnya") said the opposite beside
    # it, and Ambil nomor antrian, still offered, only got the same refusal again.
    b_name = "Konsultasi Non-Penyedia (PPK/Pokja/PP)"
    expect(page.locator("#office-notice-title")).to_have_text(word("kiosk.notice_full", "id", service=b_name))
    # the way to another service with this screen's buttons: the review has no Kembali (it sent the visitor
    # looking for one), Ubah leads to the form, whose Kembali leads to the services
    notice = page.locator("#office-notice-sub")
    expect(notice).to_have_text(word("kiosk.notice_other_service_review", "id"))
    expect(notice).to_contain_text("“Ubah”")
    expect(page.locator("#submit-error")).to_be_hidden()
    expect(page.locator("#submit")).to_be_disabled()
    assert_actions_visible(page, "review, quota reached", must=("#screen-review [data-action=form]", "#submit"))
    page.click("#lang-toggle")
    expect(page.locator("#office-notice-title")).to_have_text(word("kiosk.notice_full", "en", service=b_name))
    expect(notice).to_have_text(word("kiosk.notice_other_service_review", "en"))
    expect(page.locator("#submit-error")).to_be_hidden()
    page.click("#lang-toggle")
    expect(page.locator("#submit")).to_be_disabled()
    expect(page.locator("#screen-ticket")).to_be_hidden()

    # Back to the services: B is used up, said so, and cannot be chosen.
    page.click("#screen-review [data-action=form]")
    expect(notice).to_have_text(word("kiosk.notice_other_service", "id"))  # the form has its Kembali
    page.click("#screen-form [data-action=service]")
    expect(page.locator('[data-quota="B"]')).to_have_text("Kuota hari ini habis")
    expect(service_button(page, "B")).to_be_disabled()
    expect(page.locator('[data-info="B"]')).to_contain_text("1 orang menunggu")
    assert_actions_visible(page, "services, quota reached", must=("#screen-service [data-action=home]",))
    shot(page, "kiosk-quota")
    page.click("#lang-toggle")
    expect(page.locator('[data-quota="B"]')).to_have_text("Today's quota is used up")
    expect(page.locator('[data-quota="A"]')).to_have_text("Left today: 38")


def test_a_used_up_service_in_landscape(context, quota):
    while requests.post(f"{quota.url}/api/tickets", json={**VISITOR, "service": "B"}, timeout=5).status_code == 201:
        pass  # B used up, whatever ran before
    page = context(LANDSCAPE).new_page()
    page.goto(f"{quota.url}/kiosk/")
    page.click("#start")
    expect(service_button(page, "B")).to_be_disabled()
    expect(page.locator('[data-quota="B"]')).to_have_text("Kuota hari ini habis")
    assert_actions_visible(page, "services in landscape, quota reached", must=("#screen-service [data-action=home]",))
    shot(page, "kiosk-quota-landscape")


def test_an_older_server_without_the_office_fields_leaves_the_buttons_plain(context, quota):
    """A snapshot without office.open, quota, left or estimated_wait_s: nothing of them is shown, the
    kiosk is open and every service can be chosen."""
    page = context().new_page()
    old = {
        "seq": 0,
        "office": {"name": "LPSE Kabupaten Contoh"},
        "services": [{"code": c, "name": n, "waiting": 0} for c, n in (("A", "x"), ("B", "y"), ("C", "z"))],
    }

    def older_page(route):
        html = route.fetch().text()
        found = re.search(r'(<script type="application/json" id="kiosk-config">)(.*?)(</script>)', html, re.S)
        config = json.loads(found.group(2))
        config["state"] = {"office": old["office"], "services": old["services"]}
        html = html[: found.start(2)] + json.dumps(config) + html[found.end(2) :]
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    page.route("**/kiosk/", older_page)
    page.route("**/socket.io/**", lambda route: route.abort())  # no live snapshot from this newer server
    page.route("**/api/state", lambda route: route.fulfill(status=200, json=old))
    page.goto(f"{quota.url}/kiosk/")
    expect(page.locator("#screen-welcome")).to_be_visible()
    page.click("#start")
    for code in "ABC":
        expect(service_button(page, code)).to_be_enabled()
        expect(page.locator(f'[data-quota="{code}"]')).to_have_text("")


def test_a_service_no_counter_serves_cannot_be_chosen_and_is_given_no_number(context, quota):
    """An admin leaves service C to no counter (Loket 3 closed today): a number for it would never be called."""
    quota.add_user("boss", "admin")
    admin = quota.session("boss", "rahasia-123")
    page = context(PORTRAIT).new_page()
    page.goto(f"{quota.url}/kiosk/")
    page.click("#start")
    expect(service_button(page, "C")).to_be_enabled()
    counters = [{"id": 1, "name": "Loket 1", "services": ["A"]}, {"id": 2, "name": "Loket 2", "services": ["A", "B"]}]
    before = admin.get(f"{quota.url}/api/admin/settings", timeout=5).json()["counters"]
    r = admin.put(f"{quota.url}/api/admin/settings/counters", json={"value": counters}, timeout=5)
    assert r.status_code == 200, r.text
    try:
        expect(service_button(page, "C")).to_be_disabled()  # live, on the admin's change
        expect(page.locator('[data-quota="C"]')).to_have_text("Belum dilayani di loket mana pun")
        assert [s["served"] for s in requests.get(f"{quota.url}/api/state", timeout=5).json()["services"]] == [
            True,
            True,
            False,
        ]
        r = requests.post(f"{quota.url}/api/tickets", json={**VISITOR, "service": "C"}, timeout=5)
        assert r.status_code == 409 and r.json()["error"] == "service_not_served"
        assert r.json()["message"] == message("service_not_served", "id").format(service="Registrasi & Verifikasi Akun")
        r = admin.post(f"{quota.url}/api/tickets", json={**VISITOR, "service": "C"}, timeout=5)
        assert r.status_code == 409  # the front office neither: nobody would call it
        shot(page, "kiosk-service-not-served")
    finally:
        r = admin.put(f"{quota.url}/api/admin/settings/counters", json={"value": before}, timeout=5)
        assert r.status_code == 200, r.text
    expect(service_button(page, "C")).to_be_enabled()
    expect(page.locator('[data-quota="C"]')).to_have_text("")


# -- the office's rules reaching a visitor on the way to a number -------------------------------------


@pytest.fixture(scope="module")
def chief(quota):
    """An admin of the `quota` server (its hours and services are changed, and put back, by the tests)."""
    quota.add_user("kepala", "admin")
    return quota.session("kepala", "rahasia-123")


def test_the_office_closing_mid_form_is_said_at_once_and_the_typed_form_stays(context, quota, chief):
    """The office stops issuing (an admin closes today) while a visitor types, at the small 1366x768
    screen: a notice at the top at once, what was typed stays, and Ambil nomor is still the server's to
    refuse, in either language; opened again, the notice goes."""
    left = seconds_to_office_midnight()
    if left < 60:  # today's hours must still be today's when the refusal is read
        time.sleep(left + 1)
    page = context(SMALL).new_page()
    page.goto(f"{quota.url}/kiosk/")
    page.click("#start")
    service_button(page, "A").click()
    typed = {k: v for k, v in VISITOR.items() if k != "problem"}
    fill_fast(page, typed)
    expect(page.locator("#office-notice")).to_be_hidden()
    today = datetime.now(WIB).weekday()
    hours = {day: "" if i == today else "00:00-24:00" for i, day in enumerate(WEEKDAYS)}
    assert chief.put(f"{quota.url}/api/admin/settings/hours", json={"value": hours}, timeout=5).status_code == 200
    try:
        notice = page.locator("#office-notice")
        expect(notice).to_be_visible()  # live: the server's office_closed event (or settings_changed)
        opening = datetime.fromisoformat(
            requests.get(f"{quota.url}/api/state", timeout=5).json()["office"]["next_opening"]
        )
        reopens = word("hours.reopens", "id", when=when_id(opening, WIB))
        expect(page.locator("#office-notice-title")).to_have_text(word("kiosk.notice_closed", "id"))
        expect(page.locator("#office-notice-sub")).to_have_text(f"{reopens} {word('kiosk.notice_kept', 'id')}")
        expect(page.locator("#screen-form")).to_be_visible()
        assert {k: page.input_value(f"#f-{k}") for k in typed} == typed
        assert_actions_visible(
            page, "form, office closed (small)", must=("#to-review", "#screen-form [data-action=service]")
        )
        shot(page, "kiosk-form-office-closed-small")

        page.fill("#f-problem", VISITOR["problem"])
        page.click("#to-review")
        expect(page.locator("#office-notice")).to_be_visible()
        page.click("#submit")  # the kiosk may be behind: the server decides, and says why
        closed_id = message("office_closed", "id", opening=" " + reopens)
        expect(page.locator("#submit-error")).to_have_text(closed_id)
        assert_actions_visible(page, "review, office closed (small)", must=("#submit",))
        page.click("#lang-toggle")  # the refusal and the notice follow the language
        reopens_en = word("hours.reopens", "en", when=when_en(opening, WIB))
        expect(page.locator("#submit-error")).to_have_text(message("office_closed", "en", opening=" " + reopens_en))
        expect(page.locator("#office-notice-title")).to_have_text(word("kiosk.notice_closed", "en"))
        page.click("#lang-toggle")
        expect(page.locator("#submit-error")).to_have_text(closed_id)
    finally:
        assert chief.put(f"{quota.url}/api/admin/settings/hours", json={"value": None}, timeout=5).status_code == 200
    expect(page.locator("#office-notice")).to_be_hidden()
    expect(page.locator("#screen-review")).to_be_visible()


def test_with_every_services_numbers_taken_the_welcome_says_so_until_a_quota_frees(context, quota, chief):
    services = chief.get(f"{quota.url}/api/admin/settings", timeout=5).json()["services"]
    page = context(PORTRAIT).new_page()
    page.goto(f"{quota.url}/kiosk/")
    expect(page.locator("#screen-welcome")).to_be_visible()
    one_each = [{**s, "daily_quota": 1} for s in services]
    r = chief.put(f"{quota.url}/api/admin/settings/services", json={"value": one_each}, timeout=5)
    assert r.status_code == 200, r.text
    try:
        for code in "ABC":  # each service's one number of the day, whatever ran before
            requests.post(f"{quota.url}/api/tickets", json={**VISITOR, "service": code}, timeout=5)
        # Live (the admin's change reloads the idle kiosk, the numbers taken come as events): no invitation.
        expect(page.locator("#screen-closed")).to_be_visible()
        expect(page.locator("#screen-welcome")).to_be_hidden()
        expect(page.locator("#closed-title")).to_have_text("Nomor antrian hari ini sudah habis")
        expect(page.locator("#closed-sub")).to_have_text(word("kiosk.soldout_sub", "id"))
        assert_actions_visible(page, "sold out", must=("#lang-toggle",))
        shot(page, "kiosk-sold-out")
        page.click("#lang-toggle")
        expect(page.locator("#closed-title")).to_have_text("Today's queue numbers are all taken")
    finally:
        r = chief.put(f"{quota.url}/api/admin/settings/services", json={"value": services}, timeout=5)
        assert r.status_code == 200, r.text
    # The quotas back (C has none): the welcome invites again.
    expect(page.locator("#screen-welcome")).to_be_visible()
    expect(page.locator("#screen-closed")).to_be_hidden()
