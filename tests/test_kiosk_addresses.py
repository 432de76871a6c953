"""Only the office's kiosks take numbers without a login, when the office names them; a device that is not
one of them is told so at once on the kiosk page (its own address, what the staff must do), and logged."""

from __future__ import annotations

import json
import logging
import re

import pytest
from conftest import login, visitor, write_config

from server.config import ConfigError, load_settings


@pytest.fixture
def config_path(tmp_path):
    """conftest's `app` on a config that names the office's kiosks."""
    return write_config(tmp_path, {"addresses = []": 'addresses = ["192.168.1.20", "10.9.0.0/28"]'})


def _issue(client, address: str, headers: dict | None = None):
    return client.post("/api/tickets", json=visitor(), headers=headers or {}, environ_base={"REMOTE_ADDR": address})


def test_a_named_kiosk_takes_a_number_and_another_device_is_refused(app):
    client = app.test_client()
    assert _issue(client, "192.168.1.20").status_code == 201
    assert _issue(client, "10.9.0.14").status_code == 201
    with app.extensions["antrian"].store.read() as tx:
        seq = tx.last_seq()
    r = _issue(client, "192.168.1.66")
    assert r.status_code == 403 and r.get_json()["error"] == "kiosk_only"
    assert "kios" in r.get_json()["message"]
    with app.extensions["antrian"].store.read() as tx:
        assert tx.last_seq() == seq  # nothing written


def test_the_front_office_registers_from_any_device(app):
    client = app.test_client()
    h = login(app, client, "depan", role="frontoffice")
    assert _issue(client, "192.168.1.66", h).status_code == 201


def test_a_bad_kiosk_address_is_a_config_error(tmp_path):
    config = write_config(tmp_path, {"addresses = []": 'addresses = ["192.168.1.300"]'})
    with pytest.raises(ConfigError, match=r"kiosk.addresses: '192.168.1.300' is not an IP address"):
        load_settings(config)


def test_a_device_may_have_twenty_qr_codes_a_minute_drawn_that_are_not_kept(app, client):
    """A code not kept costs 60 ms of the loop: one device cycling through the tokens it had seen drew 16 a
    second and every screen waited. Past QR_DRAWS_PER_MINUTE a device gets 429 for a new one; a code kept
    is free, and a named kiosk and staff (the A4 form's survey code) are not counted."""
    import kiosk

    kiosk._QR_DRAWN.clear()
    urls = [_issue(client, "192.168.1.20").get_json()["ticket"]["status_url"] for _ in range(11)]
    wanted = [u + extra for u in urls for extra in ("", "?survey=1")][: kiosk.QR_DRAWS_PER_MINUTE + 1]

    def qr(data: str, address: str = "192.168.1.66") -> int:
        return client.get(
            "/kiosk/qr.svg", query_string={"data": data}, environ_base={"REMOTE_ADDR": address}
        ).status_code

    assert [qr(u) for u in wanted] == [200] * kiosk.QR_DRAWS_PER_MINUTE + [429]
    refused = client.get(
        "/kiosk/qr.svg", query_string={"data": wanted[-1]}, environ_base={"REMOTE_ADDR": "192.168.1.66"}
    )
    assert refused.get_json()["error"] == "rate_limited"
    assert qr(wanted[0]) == 200  # kept: free
    assert qr(wanted[-1], "192.168.1.67") == 200  # another device has its own budget
    kiosk._QR_DRAWN.clear()
    assert all(qr(u, "192.168.1.20") == 200 for u in wanted)  # the named kiosk draws its tickets' codes
    kiosk._QR_DRAWN.clear()
    login(app, client, "budi", "frontoffice")
    assert all(qr(u) == 200 for u in wanted)  # staff


# -- a kiosk PC that is not named: told at once, on its own screen ------------------------------------


def _device(page_html: str) -> dict:
    """The kiosk page's bootstrap data about this device (its `kiosk-config` JSON element)."""
    config = re.search(r'<script type="application/json" id="kiosk-config">(.*?)</script>', page_html, re.S)
    return json.loads(config.group(1))["device"]


def _kiosk_page(client, address: str) -> str:
    r = client.get("/kiosk/", environ_base={"REMOTE_ADDR": address})
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_the_kiosk_page_tells_a_device_only_whether_it_may_take_numbers_and_its_own_address(app):
    client = app.test_client()
    named = _kiosk_page(client, "192.168.1.20")
    assert _device(named) == {"allowed": True, "address": "192.168.1.20"}
    assert re.search(r'id="screen-unregistered"[^>]* hidden>', named)  # the welcome as ever
    assert _device(_kiosk_page(client, "10.9.0.14")) == {"allowed": True, "address": "10.9.0.14"}

    other = _kiosk_page(client, "192.168.1.66")
    assert _device(other) == {"allowed": False, "address": "192.168.1.66"}
    # Drawn so at once (before its script runs): the staff's notice with the address, no welcome to touch.
    assert re.search(r'id="screen-welcome"[^>]* hidden>', other)
    assert not re.search(r'id="screen-unregistered"[^>]* hidden>', other)
    assert '<span class="unregistered-ip">192.168.1.66</span>' in other
    assert "belum terdaftar sebagai kios" in other
    # Nothing of the list or of another device: not the kiosks' addresses, not their network.
    assert "192.168.1.20" not in other and "10.9.0" not in other

    login(app, client, "depan", role="frontoffice")  # staff take numbers from any device (the API's rule)
    assert _device(_kiosk_page(client, "192.168.1.66")) == {"allowed": True, "address": "192.168.1.66"}


def test_a_refused_device_is_logged_once_an_hour_at_warning(app, caplog):
    caplog.set_level(logging.WARNING, logger="antrian.kiosk")

    def lines(address: str) -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name == "antrian.kiosk" and address in r.getMessage()]

    client = app.test_client()
    for _ in range(3):
        _kiosk_page(client, "192.168.1.66")
        assert _issue(client, "192.168.1.66").status_code == 403
    [line] = lines("192.168.1.66")  # one, not one a request
    assert line.levelno == logging.WARNING
    assert "192.168.1.66 opened the kiosk page but is not in [kiosk] addresses" in line.getMessage()
    _kiosk_page(client, "192.168.1.20")
    assert _issue(client, "192.168.1.20").status_code == 201
    assert not lines("192.168.1.20")  # a named kiosk: nothing
    assert _issue(client, "192.168.1.67").status_code == 403
    assert "192.168.1.67 asked for a queue number" in lines("192.168.1.67")[0].getMessage()

    once = app.extensions["antrian.refused_kiosks"]
    later = once.clock() + 3601  # an hour on: said again
    once.clock = lambda: later
    _kiosk_page(client, "192.168.1.66")
    assert len(lines("192.168.1.66")) == 2


def test_the_refused_addresses_kept_and_logged_are_bounded():
    from server.limits import OncePerKey

    now = [0.0]
    once = OncePerKey(seconds=3600, size=4, lines=6, clock=lambda: now[0])
    assert once.due("a") and not once.due("a")
    assert [once.due(k) for k in "bcde"] == [True] * 4
    assert len(once.told) == 4 and "a" not in once.told  # the least recently logged forgotten
    assert once.due("f") and not once.due("g")  # six lines for all: the seventh address waits
    now[0] = 600.0  # the budget refills (six an hour)
    assert once.due("g") and not once.due("g")
    assert len(once.told) == 4


def test_without_named_kiosks_every_device_may_and_nothing_is_logged(tmp_path, caplog):
    from server.app import create_app

    caplog.set_level(logging.WARNING, logger="antrian.kiosk")
    config = write_config(tmp_path)  # the demo's `addresses = []`: any device is a kiosk
    application = create_app(config, workers=False, synchronous="OFF")
    try:
        page = _kiosk_page(application.test_client(), "192.168.1.66")
        assert _device(page) == {"allowed": True, "address": "192.168.1.66"}
        assert not [r for r in caplog.records if r.name == "antrian.kiosk"]
    finally:
        application.extensions["antrian"].stop()
        application.extensions["antrian"].store.close()
