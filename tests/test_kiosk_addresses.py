"""Only the office's kiosks take numbers without a login, when the office names them."""

from __future__ import annotations

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
