"""A phone on a weak mobile signal whose Socket.IO long-polling POST comes too slowly or is cut off (helper h356).

The HTTP server answers such a body 408 (server/httpserver.py, _Body); python-engineio took it for an error of its
own and logged "post request handler error" with its traceback, one a minute (realtime._SparseTracebacks): over
months a journal full of tracebacks that read as crashes, and each one used up the minute in which a real error of
engineio's is logged whole. Now one plain line a minute for all such POSTs (what happened, the device and its kind of
address), the session closed (the phone reconnects and catches up), and engineio's real errors keep their traceback.

Real server process, raw sockets from 127.0.0.x addresses, as a phone's browser would fail to send."""

from __future__ import annotations

import json
import re
import socket

import pytest
from conftest import write_config
from live import LiveServer, wait_for

LIMITS = {"exempt = []": "exempt = []\nbody_seconds = 1"}
CUT_LINE = "long-polling POST"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(write_config(tmp_path_factory.mktemp("polling_cut"), LIMITS)).start()
    yield srv
    srv.stop()


def _raw(server, device: str, request: bytes) -> bytes:
    """One request on a connection of its own; the whole answer (the server closes, or 5 s)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5, source_address=(device, 0)) as s:
        s.sendall(request)
        got = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return got
            got += chunk
            head, _, body = got.partition(b"\r\n\r\n")
            m = re.search(rb"Content-Length: (\d+)", head, re.I)
            if m and len(body) >= int(m.group(1)):
                return got


def _session(server, device: str) -> str:
    """A long-polling Engine.IO session's sid, as a phone's page opens one."""
    got = _raw(server, device, b"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n")
    assert got.startswith(b"HTTP/1.1 200"), got[:200]
    body = got.partition(b"\r\n\r\n")[2]
    return json.loads(body[1:])["sid"]


def _post_head(sid: str, length: int) -> bytes:
    return (
        f"POST /socket.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: x\r\n"
        f"Content-Type: text/plain;charset=UTF-8\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


def _cut_post(server, device: str) -> None:
    """A POST whose connection is cut after a few bytes of its body (the phone's signal gone)."""
    sid = _session(server, device)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5, source_address=(device, 0)) as s:
        s.sendall(_post_head(sid, 200) + b"3")  # a pong, and then nothing more
        s.shutdown(socket.SHUT_WR)
        s.settimeout(5)
        while s.recv(4096):  # the server's answer (if any), then its close
            pass


def _slow_post(server, device: str) -> bytes:
    """A POST whose body trickles in, each byte in time, the whole not within body_seconds (1 s here)."""
    sid = _session(server, device)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5, source_address=(device, 0)) as s:
        s.sendall(_post_head(sid, 100) + b"4")
        got = b""
        for _ in range(40):
            s.settimeout(0.1)
            try:
                chunk = s.recv(4096)
            except TimeoutError:
                try:
                    s.sendall(b"2")
                except OSError:
                    break
                continue
            if not chunk:
                break
            got += chunk
        return got


def test_a_cut_or_slow_polling_post_is_one_plain_line_and_real_errors_keep_their_traceback(server):
    start = len(server.log())
    for i in range(3):
        _cut_post(server, f"127.0.0.{21 + i}")
    answer = _slow_post(server, "127.0.0.24")
    # its session closed (a 400 to a phone still there: it reconnects and catches up), not a 200 for lost packets
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert wait_for(lambda: CUT_LINE in server.log()[start:]), server.log()[start:]

    # an error of engineio's own right after them (a POST that is not UTF-8): still logged whole, its traceback
    sid = _session(server, "127.0.0.25")
    _raw(server, "127.0.0.25", _post_head(sid, 4) + b"\xff\xfe\xfd\xfc")
    assert wait_for(lambda: "UnicodeDecodeError" in server.log()[start:]), server.log()[start:]

    log = server.log()[start:]
    lines = [line for line in log.splitlines() if CUT_LINE in line]
    assert len(lines) == 1, log  # one line a minute for all of them, whoever sent them
    assert "127.0.0.21" in lines[0] and "this machine" in lines[0], lines[0]
    assert "RequestTimeout" not in log and log.count("post request handler error") == 1, log
    # the one traceback is the real error's, not the cut POSTs'
    assert log.count("Traceback") == 1, log
    tb = log[log.index("Traceback") :]
    assert "UnicodeDecodeError" in tb and "RequestTimeout" not in tb, tb
