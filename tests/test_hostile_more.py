"""More of one hostile device against a real server (tests/test_hostile.py has the rest): a request body
the application leaves unread, a long-polling session that answers its pings but never polls, and print
agent tokens guessed."""

from __future__ import annotations

import json
import select
import socket
import time

import pytest
import websocket
from conftest import write_config
from live import LiveServer
from test_fanout import run_script

LIMITS = {
    "requests_per_minute = 1200": "requests_per_minute = 600",
    "exempt = []": "exempt = []\nbody_seconds = 1",
}
BODY_SECONDS = 1
AGENT_TOKEN = "token-agen-kiosk-yang-benar"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    config = write_config(tmp_path_factory.mktemp("hostile_more"), LIMITS, extra='kiosk = "ANTRIAN_AGENT_TOKEN"\n')
    srv = LiveServer(config, env={"ANTRIAN_AGENT_TOKEN": AGENT_TOKEN}).start()
    yield srv
    srv.stop()


def _connect(server, device: str) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10, source_address=(device, 0))


def _answer(sock: socket.socket) -> bytes:
    """One whole answer (its headers and its Content-Length of body)."""
    got = b""
    while b"\r\n\r\n" not in got:
        chunk = sock.recv(4096)
        assert chunk, got
        got += chunk
    head, _, rest = got.partition(b"\r\n\r\n")
    length = int(
        next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    )
    while len(rest) < length:
        rest += sock.recv(4096)
    return head + b"\r\n\r\n" + rest


def _closed_while_sending(sock: socket.socket, seconds: float, chunk: bytes, pause: float = 0.0) -> bool:
    """Keep sending `chunk` (every `pause` s) for up to `seconds`: True as soon as the server has closed
    the connection (a reset, a broken pipe, or its end of the stream)."""
    deadline = time.monotonic() + seconds
    sock.setblocking(False)  # a send takes what fits: a server that stops reading never blocks the test
    try:
        while time.monotonic() < deadline:
            # the server's end readable (its close) or our end writable, within the client's pace
            readable, writable, _ = select.select([sock], [sock], [], pause or 0.001)
            if readable and sock.recv(65536) == b"":
                return True
            if writable:
                sock.send(chunk)
            if pause:
                time.sleep(pause)  # a pace for the client (a trickle), not a wait for the server
        return False
    except OSError:  # ECONNRESET, EPIPE: closed with the rest unread
        return True


@pytest.mark.parametrize(
    ("path", "status"),
    [("/healthz", b"405"), ("/api/tickets", b"413"), ("/api/state", b"405")],
    ids=["no-body-route", "too-large", "api-405"],
)
def test_a_huge_body_the_application_leaves_unread_is_not_read_on(server, path, status):
    """A POST announcing 10^12 bytes to a route that reads none (or refuses so many): answered, then the
    connection closed. gevent read every byte of it to keep the connection, with no deadline: 20 GB in
    12 s from 8 connections of one device, the kiosks' tickets taking up to 0.9 s meanwhile."""
    s = _connect(server, "127.0.0.2")
    s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n".encode())
    s.sendall(b"Content-Length: 1000000000000\r\n\r\n{")
    answer = _answer(s)
    assert answer.startswith(b"HTTP/1.1 " + status)
    # said in the answer: a client reusing the connection met the close as a reset on its next request
    assert b"\r\nconnection: close\r\n" in answer.lower().partition(b"\r\n\r\n")[0] + b"\r\n", answer
    assert _closed_while_sending(s, 3, b"x" * 65536), "the server went on reading the body it had answered"
    s.close()


def test_a_small_body_left_unread_but_trickled_is_cut_off_at_the_bodys_time(server):
    """1,000 bytes announced, a byte every 0.1 s: the connection goes when the body's time is spent
    ([limits] body_seconds, 1 s here), not after the 100 s the body would take."""
    s = _connect(server, "127.0.0.3")
    s.sendall(b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
    started = time.monotonic()
    assert _answer(s).startswith(b"HTTP/1.1 405")
    assert _closed_while_sending(s, BODY_SECONDS + 4, b" ", pause=0.1), "the trickled body kept its connection"
    assert time.monotonic() - started < BODY_SECONDS + 4
    s.close()


def test_a_short_body_left_unread_keeps_its_connection_for_the_next_request(server):
    """What a browser may send (a few hundred bytes to a route that takes none): read, and the connection
    serves the next request."""
    s = _connect(server, "127.0.0.4")
    body = b"x" * 500
    s.sendall(b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    answer = _answer(s)
    assert answer.startswith(b"HTTP/1.1 405") and b"connection: close" not in answer.lower(), answer
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert _answer(s).startswith(b"HTTP/1.1 200")
    s.close()


@pytest.mark.parametrize(
    "piece",
    [b"1;" + b"e" * 8000 + b"\r\nx\r\n", b"1\r\nx\r\n" * 1000, b"0\r\nX-T: " + b"t" * 8000 + b"\r\n"],
    ids=["chunk-extensions", "one-byte-chunks", "trailers"],
)
def test_a_body_without_its_length_is_refused_unread(server, piece):
    """A chunked body (Transfer-Encoding, no Content-Length) is answered 411 at once and its connection closed,
    unread. gevent parsed it in Python a byte at a time, its chunks' extensions and trailers past any limit of the
    body's length, without giving the event loop a turn while the bytes came: one request of 400 MB of extensions
    held every kiosk and TV for 55 s (docs/performance.md, "A fifth review")."""
    s = _connect(server, "127.0.0.7")
    s.sendall(b"POST /api/survey/lookup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n")
    s.sendall(b"Transfer-Encoding: chunked\r\n\r\n" + piece)
    answer = _answer(s)  # before the rest of the body, which never comes
    assert answer.startswith(b"HTTP/1.1 411") and b'"bad_http_request"' in answer, answer[:200]
    assert _closed_while_sending(s, 3, piece * 8), "the server went on reading the chunked body"
    s.close()


def test_a_long_polling_session_that_never_polls_is_closed_once_its_backlog_is_full(tmp_path):
    """A display's long-polling session that POSTs its pongs but never GETs stays within Engine.IO's ping
    timeout for ever, and its queue grew with every broadcast (2,000 calls held for it in a probe). Past
    the fan-out's backlog (5 here) it is closed, as a WebSocket that reads nothing is; a session that
    polls is not."""
    result = run_script(
        tmp_path,
        """
        import http.client

        def ask(method, path, body=None):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request(method, path, body=body)
            r = conn.getresponse()
            data = r.read()
            conn.close()
            return r.status, data

        def display():
            status, data = ask("GET", "/socket.io/?EIO=4&transport=polling")
            sid = json.loads(data[1:])["sid"]
            url = f"/socket.io/?EIO=4&transport=polling&sid={sid}"
            assert ask("POST", url, b'40{"role":"display"}')[0] == 200
            assert ask("GET", url)[0] == 200  # its connect and snapshot
            return sid, url

        eio = app.extensions["antrian.socketio"].server.eio
        idle_sid, idle = display()
        busy_sid, busy = display()
        fan.max_backlog = 5
        polled = []
        for i in range(10):
            fan.emit("bulk", {"i": i}, "public")
            status, data = ask("GET", busy)  # this one polls after each
            polled.append(data.count(b'"bulk"'))
            if i == 3:  # its pong, as a client that reads nothing may send it blindly
                assert ask("POST", idle, b"3")[0] == 200
        print(json.dumps({
            "idle_open": idle_sid in eio.sockets,
            "idle_poll": ask("GET", idle)[0],
            "busy_open": busy_sid in eio.sockets,
            "polled": polled,
            "dropped": fan.dropped,
        }))
        """,
    )
    assert result["idle_open"] is False and result["idle_poll"] == 400
    assert result["dropped"] == 1
    assert result["busy_open"] is True and result["polled"] == [1] * 10  # every event, to the one that polls


def _agent_socket(server, device: str) -> websocket.WebSocket:
    """An Engine.IO WebSocket from `device`, its open packet read."""
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket",
        socket=_connect(server, device),
        timeout=10,
    )
    assert ws.recv().startswith("0")
    return ws


def _as_agent(ws: websocket.WebSocket, token: str, printer: str = "kiosk") -> str:
    """Connect as the print agent of `printer`: "40..." (in) or "44..." (refused)."""
    ws.send("40" + json.dumps({"role": "agent", "printer": printer, "token": token}))
    while True:
        answer = ws.recv()
        if answer.startswith(("40", "44")):
            return answer


def test_print_agent_tokens_cannot_be_guessed_at_speed(server):
    """A guessed agent token takes its printer's jobs (a counter's are its visitors' forms). One device had
    900 guesses a second (19 a session, under its packet budget, then another session); now, as at the
    login, ten wrong tokens (or printers) in five minutes, then even the right one is refused unchecked. The
    device's other requests are not held (a kiosk page beside an agent with an old token would have waited
    for 429s), nor is another device, the real agent's PC."""
    from server.realtime import AGENT_GUESSES

    device = "127.0.0.5"

    def guess(token: str, printer: str = "kiosk") -> str:
        # each on a connection of its own, as a refused agent tries again (socket.io closes a connection whose
        # connect was refused); one connection's later connects take its snapshots (test_anonymous_budgets.py)
        ws = _agent_socket(server, device)
        try:
            return _as_agent(ws, token, printer)
        finally:
            ws.close()

    for i in range(AGENT_GUESSES - 1):
        assert guess(f"tebakan-token-{i:04d}").startswith("44")
    assert guess(AGENT_TOKEN, printer="no-such-printer").startswith("44")  # counted too
    assert guess(AGENT_TOKEN).startswith("44"), "the right token was checked after ten wrong ones"
    http = _connect(server, device)
    http.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert _answer(http).startswith(b"HTTP/1.1 200")  # the kiosk page on that PC goes on
    http.close()
    other = _agent_socket(server, "127.0.0.6")
    assert _as_agent(other, AGENT_TOKEN).startswith("40")  # the agent's own PC
    other.close()
    assert server.log().count("print agent refused") <= 1
