"""The live sessions of all devices together are bounded ([limits] sessions_total), fairly.

A device may hold [limits] sessions_per_address, but it may also claim many addresses of its network (every free one
of a /16 LAN): 1,000 addresses holding 35 sessions each took the server to 600 MB (helper-281). At the total, a new
page takes the place of the oldest session of the device holding the most, so that a TV or a phone coming while one
device fills the table gets in, and the filler loses its own; a device that already holds as much as any is refused.
A real server process; each device a loopback address of its own, speaking Engine.IO's long-polling over TCP."""

from __future__ import annotations

import json

import pytest
from conftest import write_config
from live import ClockedServer
from test_hostile import HANDSHAKE, _polling_display, _raw

PER_DEVICE, TOTAL = 8, 16


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    config = write_config(
        tmp_path_factory.mktemp("sessions-total"),
        {
            "sessions_per_address = 64": f"sessions_per_address = {PER_DEVICE}",
            "sessions_total = 4000": f"sessions_total = {TOTAL}",
        },
    )
    srv = ClockedServer(config, numbers={"realtime.SESSION_PENALTY_SECONDS": 0.5}).start()
    yield srv
    srv.stop()


def handshake(server, device: str) -> str:
    status, data = _raw(server, device, "GET", HANDSHAKE)
    assert status == 200, (device, status, data)
    return json.loads(data[1:])["sid"]


def alive(server, device: str, sid: str) -> bool:
    """Whether engineio still has the session: a POST of a pong to it is taken (a closed or unknown one: 400)."""
    return _raw(server, device, "POST", f"{HANDSHAKE}&sid={sid}", b"3")[0] == 200


def test_at_the_total_a_newcomer_takes_the_place_of_the_oldest_session_of_the_device_holding_the_most(server):
    log_before = len(server.log())
    filler = {device: [handshake(server, device) for _ in range(PER_DEVICE)] for device in ("127.0.0.70", "127.0.0.71")}
    assert all(alive(server, d, sid) for d, sids in filler.items() for sid in sids)  # 16: the total, reached

    tv = _polling_display(server, "127.0.0.72")  # a TV comes: it gets in, with its snapshot
    assert tv
    oldest = filler["127.0.0.70"][0]
    assert not alive(server, "127.0.0.70", oldest), "the filler's oldest session was not ended"
    assert all(alive(server, "127.0.0.70", sid) for sid in filler["127.0.0.70"][1:])
    assert all(alive(server, "127.0.0.71", sid) for sid in filler["127.0.0.71"])

    phone = handshake(server, "127.0.0.73")  # a phone: the device holding the most now is .71 (8 against 7)
    assert not alive(server, "127.0.0.71", filler["127.0.0.71"][0])
    assert alive(server, "127.0.0.73", phone)

    # the filler asks again from an address already holding as much as any other: no one holds more, refused
    assert _raw(server, "127.0.0.71", "GET", HANDSHAKE)[0] == 401
    assert alive(server, "127.0.0.73", phone) and all(alive(server, "127.0.0.70", s) for s in filler["127.0.0.70"][1:])
    log = server.log()[log_before:]
    assert log.count("Socket.IO session closed: the server holds its sessions_total") == 1, log  # one line, counted
    assert "the server holds 16 sessions, its total" in log, log
