"""The kiosk page on a device that is not one of the office's named kiosks, in Chromium: it says so at
once (its own address, what the staff must do) and takes numbers once the admin names it. Apart from
tests/test_kiosk_addresses.py so that `make test-fast` stays without a browser."""

from __future__ import annotations

import pytest
from conftest import visitor, write_config
from kioskui import PORTRAIT, assert_actions_visible, assert_seen, done, fill_fast, shot
from live import LiveServer
from playwright.sync_api import expect


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory):
    """A live server whose one kiosk is 192.168.1.20: this test's browser, at 127.0.0.1, is not it."""
    config = write_config(
        tmp_path_factory.mktemp("kiosk-elsewhere"), {"addresses = []": 'addresses = ["192.168.1.20"]'}
    )
    server = LiveServer(config).start()
    server.add_user("kepala", "admin")
    yield server
    server.stop()


UNREGISTERED_ID = "Perangkat ini (IP 127.0.0.1) belum terdaftar sebagai kios"
UNREGISTERED_EN = "This device (IP 127.0.0.1) is not registered as a kiosk"


def _set_kiosks(server, addresses: list[str]) -> None:
    """The admin names the kiosks, live (as `settings set kiosk` does): a settings_changed event."""
    admin = server.session("kepala", "rahasia-123")
    r = admin.put(f"{server.url}/api/admin/settings/kiosk", json={"value": {"addresses": addresses}}, timeout=5)
    assert r.status_code == 200, r.text


def test_a_kiosk_pc_not_named_says_so_at_once_and_takes_numbers_once_named(browser, elsewhere):
    page = browser.new_page(viewport=PORTRAIT, has_touch=True)
    try:
        page.goto(f"{elsewhere.url}/kiosk/")
        notice = page.locator("#screen-unregistered")
        expect(notice).to_be_visible()
        expect(page.locator("#unregistered-title")).to_have_text(UNREGISTERED_ID)
        # the way for the staff: the admin page (at once), or config.toml and a restart
        expect(page.locator("#unregistered-add")).to_contain_text("127.0.0.1 di halaman admin (/counter/admin")
        expect(page.locator("#unregistered-add")).to_contain_text("atau ke [kiosk] addresses di config.toml")
        expect(page.locator("#start")).to_be_hidden()  # no visitor is invited to a form that gives no number
        assert_actions_visible(page, "not a kiosk", must=("#lang-toggle",))
        assert_seen(page, "not a kiosk", ("#unregistered-title", "#unregistered-add", ".unregistered-visitor"))
        shot(page, "kiosk-unregistered")
        page.click("#lang-toggle")
        expect(page.locator("#unregistered-title")).to_have_text(UNREGISTERED_EN)
        page.click("#lang-toggle")
        page.touchscreen.tap(540, 1500)  # a visitor touching the screen starts nothing
        expect(notice).to_be_visible()
        expect(page.locator("#screen-service")).to_be_hidden()
        page.reload()
        expect(page.locator("#unregistered-title")).to_have_text(UNREGISTERED_ID)
        assert elsewhere.log().count("kiosk: device 127.0.0.1 opened the kiosk page") == 1  # once, not per load

        # The admin adds its address (live): the kiosk reloads itself into its welcome, and takes numbers.
        page.wait_for_function("() => window.antrianKiosk && antrianKiosk.live", polling=50)
        page.evaluate("window.notNamedPage = true")  # gone with the reload
        _set_kiosks(elsewhere, ["192.168.1.20", "127.0.0.1"])
        expect(page.locator("#screen-welcome")).to_be_visible()
        expect(notice).to_be_hidden()
        # the reloaded page, live (on a busy machine a tap on the page being left was lost with it)
        page.wait_for_function("() => !window.notNamedPage && window.antrianKiosk && antrianKiosk.live", polling=50)
        page.click("#start")
        expect(page.locator("#screen-service")).to_be_visible()
        page.click('[data-service="A"]')
        form = {k: v for k, v in visitor().items() if k not in ("service", "category")}
        fill_fast(page, form)
        page.click("#to-review")
        page.click("#submit")
        expect(page.locator("#screen-ticket")).to_be_visible()
        done(page)

        # Its address leaves the list while a visitor types (DHCP gave the PC another): the form stays until
        # Ambil nomor antrian, refused; then the staff's notice at once, nothing of the visitor left.
        page.wait_for_function("() => window.antrianKiosk && antrianKiosk.live", polling=50)
        page.click("#start")
        page.click('[data-service="A"]')
        fill_fast(page, form)
        _set_kiosks(elsewhere, ["192.168.1.20"])
        page.click("#to-review")
        page.click("#submit")
        expect(page.locator("#unregistered-title")).to_have_text(UNREGISTERED_ID)
        expect(page.locator("#screen-review")).to_be_hidden()
        assert page.input_value("#f-name") == ""
        assert elsewhere.log().count("kiosk: device 127.0.0.1") == 1  # the same hour: no second line
    finally:
        page.close()


def test_a_kiosk_not_named_looks_again_every_minute_by_itself(browser, elsewhere):
    """config.toml edited and the server restarted (no settings_changed reaches the page): the kiosk's own
    look each minute finds the page saying it may, and reloads into its welcome. The server's answer is
    made to say so here, as a restarted server with the address added would."""
    _set_kiosks(elsewhere, ["192.168.1.20"])  # not named, whatever the test before left
    page = browser.new_page(viewport=PORTRAIT, has_touch=True)
    named = []

    def kiosk_page(route):
        answer = route.fetch()
        html = answer.text()
        assert '"allowed": false' in html
        route.fulfill(response=answer, body=html.replace('"allowed": false', '"allowed": true') if named else html)

    try:
        page.clock.install()
        page.route(f"{elsewhere.url}/kiosk/", kiosk_page)
        page.goto(f"{elsewhere.url}/kiosk/")
        expect(page.locator("#screen-unregistered")).to_be_visible()
        # its live connection ended for good (no reconnection, no new snapshot): the minute's look alone
        page.wait_for_function("() => window.antrianKiosk && antrianKiosk.live", polling=50)
        page.evaluate("() => { antrianKiosk.socket.io.reconnection(false); antrianKiosk.socket.disconnect(); }")
        looks = page.evaluate("antrianKiosk.deviceLooks")
        page.clock.fast_forward("01:05")
        # still not named: still said, once the look's answer came and was acted on (read before it, the red screen
        # was the one the page loaded with, whatever the look did)
        page.wait_for_function(f"() => antrianKiosk.deviceLooks > {looks}", polling=50)
        expect(page.locator("#screen-unregistered")).to_be_visible()
        expect(page.locator("#screen-welcome")).to_be_hidden()
        named.append(True)
        page.clock.fast_forward("01:05")
        expect(page.locator("#screen-welcome")).to_be_visible()
        expect(page.locator("#screen-unregistered")).to_be_hidden()
    finally:
        page.close()
