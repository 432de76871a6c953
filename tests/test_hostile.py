"""One hostile device on the office network, against a real server process: it must not stall,
fool or outlast anyone. Each device is its own loopback address (127.0.0.x), as on a real LAN."""

from __future__ import annotations

import http.client
import json
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import socketio
from conftest import in_order, visitor, write_config
from live import ClockedServer, LiveServer, server_command, wait_for

LIMITS = {
    "connections_per_address = 64": "connections_per_address = 8",
    "requests_per_minute = 1200": "requests_per_minute = 60",
    # the test process itself and the login flood's device have no per-address limits
    "exempt = []": 'exempt = ["127.0.0.1", "127.0.0.9"]\nidle_seconds = 1\nheader_seconds = 1\nbody_seconds = 1',
    "hold_seconds = 10": "hold_seconds = 1",
    "sessions_per_address = 64": "sessions_per_address = 4",
    "proxies = []": 'proxies = ["127.0.0.60"]',  # an HTTPS reverse proxy in front (docs/operations.md)
}
HOLD_SECONDS = 1
# The module's server waits less than production's, in the same places (LiveServer numbers: the forked server's
# module numbers): a request over its device's budget waits TARPIT_SECONDS for its 429 (server/httpserver.py, 1 s in
# production), and a WebSocket whose session ended is shut down CLOSE_GRACE_S after (server/realtime.py, 5 s). The
# tests that time those waits read them here.
TARPIT_SECONDS = 0.25
CLOSE_GRACE_S = 0.5
NUMBERS = {"httpserver.TARPIT_SECONDS": TARPIT_SECONDS, "realtime.CLOSE_GRACE_S": CLOSE_GRACE_S}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(write_config(tmp_path_factory.mktemp("hostile"), LIMITS), numbers=NUMBERS).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def admin(server):
    return server.session("admin", server.first_password)


def _connect(server, device: str) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10, source_address=(device, 0))


def _http(server, device: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20, source_address=(device, 0))
    try:
        payload = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=payload, headers={"Content-Type": "application/json"} if payload else {})
        r = conn.getresponse()
        data = r.read()
        return r.status, dict(r.getheaders()), (json.loads(data) if data[:1] == b"{" else {})
    finally:
        conn.close()


def _closed_within(sock: socket.socket, seconds: float) -> bytes:
    """Everything the server sends until it closes the connection (fails if it keeps it open)."""
    sock.settimeout(seconds)
    got = b""
    while True:
        chunk = sock.recv(4096)  # socket.timeout here: the server kept the connection
        if not chunk:
            return got
        got += chunk


def _fds(server) -> int:
    return len(os.listdir(f"/proc/{server.proc.pid}/fd"))


# -- logins -------------------------------------------------------------------------------------
def test_a_login_flood_is_counted_before_hashing_and_does_not_queue_an_officer(server, admin):
    server.add_user("rina", "officer", "sandi-rina-1")

    def guess(_):
        return _http(server, "127.0.0.9", "POST", "/api/login", {"username": "rina", "password": "tebak-tebak"})[0]

    with ThreadPoolExecutor(100) as pool:
        officer = pool.submit(
            lambda: _http(server, "127.0.0.10", "POST", "/api/login", {"username": "rina", "password": "sandi-rina-1"})
        )
        statuses = list(pool.map(guess, range(200)))
    assert set(statuses) <= {401, 429}
    assert officer.result()[0] == 200
    # one by one afterwards: ten guesses in all were ever checked, then the address waits the window out
    statuses += [guess(i) for i in range(12)]
    assert statuses.count(401) == 10, statuses
    assert statuses[-1] == 429


def _login(server, device: str, username: str, password: str, cookie: str = "") -> tuple[int, dict, list[str]]:
    """POST /api/login from `device`: its status, body and Set-Cookie headers (each of them)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20, source_address=(device, 0))
    try:
        headers = {"Content-Type": "application/json", **({"Cookie": cookie} if cookie else {})}
        conn.request("POST", "/api/login", json.dumps({"username": username, "password": password}), headers)
        r = conn.getresponse()
        return r.status, json.loads(r.read() or b"{}"), [v for k, v in r.getheaders() if k.lower() == "set-cookie"]
    finally:
        conn.close()


def test_guesses_at_one_account_from_many_devices_are_bounded_and_its_own_pc_still_logs_in(server):
    """Each device may guess 10 times at an account (and 30 in all), but a device on the office network can
    claim many addresses (its subnet's): each had 10 more guesses at the same account, and the only bound left
    was the line of password checks, some 3,000 in 5 minutes, 860,000 a day at one officer's password. Now the
    devices the account never logged in from (no device cookie for it) may fail 30 times in all at it in 5
    minutes; past that each of them is refused unchecked (429 login_strangers, its device not held back), a new
    browser with the right password too, and told to log in from a PC the account used before: the officer's own
    PC, whose cookie names the account, logs in."""
    from server.auth import DEVICE_COOKIE, LoginThrottle

    throttle = LoginThrottle()  # the server's counts: `limit` per name and device, `address_limit` strangers in all
    server.add_user("wulan", "officer", "sandi-wulan-1")
    status, _, cookies = _login(server, "127.0.5.1", "wulan", "sandi-wulan-1")  # wulan's own PC, yesterday
    assert status == 200
    cookie = next(c.split(";", 1)[0] for c in cookies if c.startswith(DEVICE_COOKIE + "="))
    devices = [f"127.0.5.{2 + i}" for i in range(throttle.address_limit // throttle.limit)]
    for device in devices:  # each device within its own limit at this name
        for i in range(throttle.limit):
            assert _login(server, device, "wulan", f"tebakan-{i}")[0] == 401
    status, said, _ = _login(server, "127.0.5.10", "wulan", "tebakan-lagi")  # one more device: not checked
    assert (status, said.get("error")) == (429, "login_strangers"), (status, said)
    status, said, _ = _login(server, "127.0.5.11", "wulan", "sandi-wulan-1")  # a new browser, the right password
    assert (status, said.get("error")) == (429, "login_strangers"), (status, said)
    assert "PC" in said["message"], said
    assert _http(server, "127.0.5.10", "GET", "/api/state")[0] == 200  # the refused device is not held back
    assert _login(server, "127.0.5.1", "wulan", "sandi-wulan-1", cookie)[0] == 200  # her own PC logs in
    assert _login(server, "127.0.5.10", "admin", "salah-sekali")[0] == 401  # another account: its own count


# -- sessions and staff sockets -----------------------------------------------------------------
class StaffSocket:
    def __init__(self, server, session: requests.Session):
        self.disconnected = threading.Event()
        self.issued: list[dict] = []
        self.sio = in_order(socketio.Client(reconnection=False))
        self.sio.on("disconnect", lambda *a: self.disconnected.set())
        self.sio.on("event", lambda ev: ev["type"] == "issued" and self.issued.append(ev))
        cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
        self.sio.connect(
            server.url, auth={"role": "counter"}, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=10
        )


@pytest.mark.parametrize("how", ["disable", "password", "logout", "cli-disable"])
def test_a_staff_socket_is_closed_when_its_session_ends(server, admin, how):
    name = f"petugas-{how}"
    r = admin.post(
        f"{server.url}/api/admin/users", json={"username": name, "password": "rahasia-123", "role": "officer"}
    )
    assert r.status_code == 201
    officer = server.session(name, "rahasia-123")
    staff = StaffSocket(server, officer)
    assert not staff.disconnected.is_set()
    if how == "disable":
        r = admin.post(f"{server.url}/api/admin/users/{name}/active", json={"active": False})
    elif how == "password":
        r = admin.post(f"{server.url}/api/admin/users/{name}/password", json={"password": "sandi-baru-9"})
    elif how == "logout":
        r = officer.post(f"{server.url}/api/logout")
    else:
        r = server_command(["users", "disable", name, "--config", str(server.config)])
        r.status_code = 200 if r.returncode == 0 else 500
    assert r.status_code == 200
    assert staff.disconnected.wait(15), "the staff socket kept receiving after its session ended"
    requests.post(f"{server.url}/api/tickets", json=visitor(name="Siti Rahayu"), timeout=5).raise_for_status()
    time.sleep(0)  # the socket is closed: nothing can arrive on it any more
    assert staff.issued == []
    _close(staff.sio)
    # and the old cookie cannot open a new one
    with pytest.raises(socketio.exceptions.ConnectionError):
        StaffSocket(server, officer)


# -- Socket.IO budgets --------------------------------------------------------------------------
def _display(server, raw: socket.socket | None = None) -> tuple[socketio.Client, threading.Event]:
    """A display's socket, over `raw` (connected from a device's own address) or from the test's exempt one."""
    gone = threading.Event()
    sio = socketio.Client(reconnection=False, websocket_extra_options={"socket": raw} if raw else {})
    sio.on("disconnect", lambda *a: gone.set())
    sio.connect(server.url, auth={"role": "display"}, transports=["websocket"], wait_timeout=10)
    return sio, gone


@pytest.mark.parametrize(
    "flood",
    [
        lambda sio: [sio.emit("snapshot") for _ in range(10)],
        lambda sio: [sio.emit("no-such-event", {"x": i}) for i in range(100)],
        lambda sio: [sio.emit("print_ack", {"job": i, "ok": True}) for i in range(100)],
        lambda sio: sio.emit("snapshot", "x" * 100_000),
    ],
    ids=["snapshots", "unknown-events", "print-acks", "huge-message"],
)
def test_a_socket_past_its_budget_is_closed_and_others_keep_their_calls(server, admin, flood):
    before = _fds(server)
    watcher, watcher_gone = _display(server)
    calls = []
    watcher.on("event", lambda ev: calls.append(ev["type"]))
    sio, gone = _display(server)
    try:
        flood(sio)
    except socketio.exceptions.BadNamespaceError:
        pass  # already closed under us
    assert gone.wait(15), "the flooding socket was not closed"
    assert not watcher_gone.is_set()
    # its connection ends with the answer, not idle_seconds later: the descriptors counted below wait for the sockets'
    r = requests.post(f"{server.url}/api/tickets", json=visitor(), headers={"Connection": "close"}, timeout=5)
    assert r.status_code == 201
    assert wait_for(lambda: "issued" in calls, 15)
    watcher.disconnect()
    # the server let go of the flooding connection by itself (its client has not closed its end yet)
    assert wait_for(lambda: _fds(server) <= before, 15), (before, _fds(server))
    _close(sio)


def test_a_device_whose_socket_broke_its_budget_waits_before_it_is_served_again(server):
    """Its connection closed, the flooding device cannot come back at once and flood again: its
    requests get a 429 (after the tarpit's wait, TARPIT_SECONDS) for a while, before any work; other devices are
    served."""
    device = "127.0.0.21"
    raw = _connect(server, device)
    sio, gone = _display(server, raw)
    assert _http(server, device, "GET", "/api/state")[0] == 200  # served as any device, before
    try:
        for i in range(100):
            sio.emit("no-such-event", {"x": i})
    except socketio.exceptions.BadNamespaceError:
        pass
    assert gone.wait(15)
    started = time.monotonic()
    status, headers, body = _http(server, device, "GET", "/api/state")
    assert (status, body["error"]) == (429, "too_many_requests") and headers.get("Retry-After")
    assert time.monotonic() - started >= TARPIT_SECONDS * 0.9  # the tarpit's wait
    assert _http(server, "127.0.0.22", "GET", "/api/state")[0] == 200
    _close(sio)
    raw.close()


def _close(sio: socketio.Client) -> None:
    """The client's own end too, when the server closed the connection under it."""
    sio.disconnect()
    if sio.eio.ws is not None:
        sio.eio.ws.shutdown()  # websocket-client closes nothing once it saw the close


def test_a_few_snapshots_after_gaps_are_answered(server):
    got = []
    sio = socketio.Client(reconnection=False)
    sio.on("snapshot", lambda snap: got.append(snap["seq"]))
    sio.connect(server.url, auth={"role": "display"}, transports=["websocket"], wait_timeout=10)
    for _ in range(3):
        sio.emit("snapshot")
    assert wait_for(lambda: len(got) == 4, 15)  # the one at connect and three asked for
    assert sio.connected
    sio.disconnect()


# -- HTTP budgets and timeouts ------------------------------------------------------------------
def test_a_device_past_its_request_budget_gets_429_and_others_do_not(server):
    answers = []
    while len(answers) < 80 and (not answers or answers[-1][0] != 429):
        answers.append(_http(server, "127.0.0.3", "GET", "/api/state"))
    statuses = [a[0] for a in answers]
    assert statuses[:-1] == [200] * (len(statuses) - 1) and len(statuses) > 50  # a burst of 60 a minute
    status, headers, body = answers[-1]
    assert status == 429 and headers.get("Retry-After") and body["error"] == "too_many_requests"
    assert _http(server, "127.0.0.4", "GET", "/api/state")[0] == 200


def test_connections_per_device_are_capped_and_come_back(server):
    before = _fds(server)
    held = [_connect(server, "127.0.0.5") for _ in range(8)]
    extra = _connect(server, "127.0.0.5")
    answer = _closed_within(extra, 5)
    assert answer.startswith(b"HTTP/1.1 503"), answer[:80]
    # another device is served meanwhile
    assert _http(server, "127.0.0.6", "GET", "/healthz")[0] == 200
    for s in held:  # idle connections are closed by the server (idle_seconds = 1)
        assert _closed_within(s, 5) == b""
        s.close()
    extra.close()
    assert wait_for(lambda: _fds(server) <= before, 15), (before, _fds(server))


def test_a_device_refused_waits_for_its_503_so_it_cannot_cycle_refusals(server):
    """Past its cap (8 here) a device's new connections are held, unread, for `hold_seconds` before
    their 503: one that reconnects the moment it is refused cannot make the server refuse as fast as
    it can open connections. The holding is bounded too: past 64 x 8 held, a 503 comes at once."""
    from server.httpserver import HELD_PER_CAP

    device = "127.0.0.12"
    before = _fds(server)
    held = [_connect(server, device) for _ in range(8)]
    waiting = [_connect(server, device) for _ in range(8 * HELD_PER_CAP)]
    started = time.monotonic()
    over = [_connect(server, device) for _ in range(3)]
    for s in over:  # past what the device may have held: answered at once
        assert _closed_within(s, HOLD_SECONDS / 2).startswith(b"HTTP/1.1 503")
    for s in waiting[-4:]:  # the held ones: nothing yet
        s.settimeout(0.1)
        with pytest.raises(TimeoutError):
            s.recv(1)
    waiting[-1].sendall(b"GET /api/state HTTP/1.1\r\nHost: x\r\n\r\n")  # read by nobody, answered 503 all the same
    # a phone's browser opening its ticket's page (phones behind a guest Wi-Fi's NAT are one address)
    waiting[-2].sendall(b"GET /t/abc HTTP/1.1\r\nHost: x\r\nAccept: text/html,application/xhtml+xml\r\n\r\n")
    answers = [_closed_within(s, HOLD_SECONDS + 5) for s in waiting]
    assert time.monotonic() - started >= HOLD_SECONDS * 0.5
    assert all(a.startswith(b"HTTP/1.1 503") for a in answers), {a[:40] for a in answers}
    assert b"application/json" in answers[-1] and b'"too_many_requests"' in answers[-1]
    page = answers[-2].decode()  # a page in words, not JSON
    assert "Content-Type: text/html" in page and "<h1" in page and "Server sedang sibuk" in page, page
    # asked for again by the browser itself (a TV or a kiosk opening its page, nobody at a keyboard), as it says
    assert '<meta http-equiv="refresh" content="10">' in page and "dimuat ulang sendiri dalam 10 detik" in page, page
    assert _http(server, "127.0.0.13", "GET", "/healthz")[0] == 200  # another device all along
    for s in held + waiting + over:
        s.close()
    assert wait_for(lambda: _fds(server) <= before + 1, 15), (before, _fds(server))


def test_an_idle_keep_alive_connection_is_closed(server):
    s = _connect(server, "127.0.0.7")
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    got = _closed_within(s, 5)  # the answer, then the close after a second of silence
    assert got.startswith(b"HTTP/1.1 200")
    s.close()


def test_headers_sent_slowly_get_408(server):
    s = _connect(server, "127.0.0.8")
    s.sendall(b"GET /healthz HTTP/1.1\r\n")
    got = b""
    for i in range(20):  # one header line every 0.3 s, for longer than header_seconds
        try:
            s.sendall(f"X-Slow-{i}: y\r\n".encode())
        except OSError:
            break
        s.settimeout(0.3)
        try:
            chunk = s.recv(4096)
        except TimeoutError:
            continue
        got += chunk
        break
    got += _closed_within(s, 5)
    assert got.startswith(b"HTTP/1.1 408"), got[:80]
    s.close()


def test_a_body_sent_slowly_gets_408(server):
    s = _connect(server, "127.0.0.11")
    s.sendall(
        b"POST /api/tickets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{"
    )
    got = b""
    for _ in range(40):  # a byte every 0.2 s: each read in time, the whole body not (body_seconds = 1)
        s.settimeout(0.2)
        try:
            got += s.recv(4096)
            break
        except TimeoutError:
            try:
                s.sendall(b" ")
            except OSError:
                break
    got += _closed_within(s, 5)
    assert got.startswith(b"HTTP/1.1 408"), got[:200]
    s.close()


def _refused_until_they_wait(server, device: str, request: bytes, status: bytes, code: bytes) -> int:
    """Send `request` on a new connection each time until its answer (`status`, JSON `code`) waits TARPIT_SECONDS
    (the device's budget spent): how many were sent."""
    sent = 0
    while True:
        s = _connect(server, device)
        started = time.monotonic()
        s.sendall(request)
        answer = _closed_within(s, 5)
        took = time.monotonic() - started
        s.close()
        sent += 1
        assert answer.startswith(b"HTTP/1.1 " + status) and b'"%s"' % code in answer, answer[:200]
        # (a slow answer within the burst: a loaded machine's)
        if (took >= TARPIT_SECONDS * 0.9 and sent > 50) or sent > 70:
            return sent


def test_requests_the_http_parser_refuses_count_in_the_budget_and_log_one_line(server):
    """A request of 101 header lines (or another the HTTP parser refuses) is a 400 with its code, counted
    in its device's budget like any other (60 a minute here): past it, the 400 waits TARPIT_SECONDS, as a 429
    does. The log gets one line for a minute of them, not a traceback each (1.5 KB a request)."""
    bad = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(101)) + b"\r\n"
    log_before = len(server.log())
    sent = _refused_until_they_wait(server, "127.0.0.14", bad, b"400", b"bad_http_request")
    assert 50 < sent <= 70, sent  # the burst of 60 answered at once, then the wait
    assert _http(server, "127.0.0.15", "GET", "/healthz")[0] == 200  # another device meanwhile
    new = server.log()[log_before:]
    assert "Traceback" not in new and new.count("invalid HTTP request") <= 1, new[-2000:]


def test_request_lines_over_8_kib_count_in_the_budget(server):
    """A request line past gevent's 8 KiB (a long query string or path) is a 414 with its code, counted in its
    device's budget (60 a minute here) as any request the parser refuses: past it, the 414 waits TARPIT_SECONDS.
    gevent answered it itself, uncounted: one device had 2,400 a second read and answered, the kiosks' tickets
    waiting."""
    long_line = b"GET /api/state?" + b"a=1&" * 2100 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    sent = _refused_until_they_wait(server, "127.0.0.70", long_line, b"414", b"too_large")
    assert 50 < sent <= 70, sent  # the burst of 60 answered at once, then the wait
    assert _http(server, "127.0.0.71", "GET", "/healthz")[0] == 200  # another device meanwhile


def test_headers_over_32_kib_in_all_get_431_before_more_is_read(server):
    """Lines under http.client's 64 KiB each, but 33 KiB of them in all: 431, whatever the request (a
    WebSocket upgrade kept its headers for as long as it was open: 6 MB each, 680 MB for one device);
    a browser's few hundred bytes, or 30 KiB, are served."""
    from server.httpserver import MAX_HEADER_BYTES

    def headers(total: int) -> bytes:
        line = b"X-Pad-%03d: " + b"y" * 2000 + b"\r\n"
        return b"".join(line % i for i in range(-(-total // len(line % 0))))  # at least `total` bytes

    upgrade = b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: eA==\r\n"
    for path, extra in (("/healthz", b""), ("/socket.io/?EIO=4&transport=websocket", upgrade)):
        s = _connect(server, "127.0.0.46")
        s.sendall(
            b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" + extra + headers(MAX_HEADER_BYTES + 1024) + b"\r\n"
        )
        answer = _closed_within(s, 5)
        s.close()
        assert answer.startswith(b"HTTP/1.1 431") and b'"headers_too_large"' in answer, answer[:200]
    s = _connect(server, "127.0.0.46")
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + headers(30 * 1024) + b"\r\n")
    assert _closed_within(s, 5).startswith(b"HTTP/1.1 200")
    s.close()


def test_behind_a_proxy_each_client_has_its_own_budget_and_no_other_device_may_claim_an_address(server):
    """Through the reverse proxy of [limits] proxies, a request is its client's (the last X-Forwarded-For
    entry): one client past its budget leaves the others their own, and the proxy's connections are not
    limited per address. From any other device the header is not believed. (Behind a proxy every device
    was 127.0.0.1: one phone's failed logins locked every officer out.)"""

    def through(device: str, forwarded: str, written: str | None = None) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20, source_address=(device, 0))
        try:
            conn.putrequest("GET", "/healthz")
            if written is not None:  # a line the client wrote, before the one its proxy adds (HAProxy)
                conn.putheader("X-Forwarded-For", written)
            conn.putheader("X-Forwarded-For", forwarded)
            conn.endheaders()
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def refused_after(send) -> None:
        """A budget of 60 a minute (a burst of 60, then one a second): requests are answered until the
        burst and what refilled meanwhile are spent, then refused (429). A busy machine takes more than a
        second for the burst: the budget refills by then, so the refusal comes a request or two later."""
        started, answered = time.monotonic(), 0
        while (status := send(answered)) == 200 and answered < 200:
            answered += 1
        assert status == 429, status
        assert 60 <= answered <= 60 + int(time.monotonic() - started) + 1, answered

    refused_after(lambda i: through("127.0.0.60", "203.0.113.5, 10.20.0.7"))
    assert through("127.0.0.60", "10.20.0.8") == 200  # another client behind the same proxy
    # a client writing its own line before the proxy's cannot claim fresh addresses either
    refused_after(lambda i: through("127.0.0.60", "10.20.3.1", written=f"10.20.4.{i}"))
    # another device cannot claim fresh addresses to escape its budget
    refused_after(lambda i: through("127.0.0.61", f"10.20.1.{i}"))
    # the proxy holds more connections than a device may (8 here), all of them answered
    held = [_connect(server, "127.0.0.60") for _ in range(12)]
    try:
        for i, s in enumerate(held):
            s.sendall(f"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 10.20.2.{i}\r\n\r\n".encode())
        assert all(s.recv(64).startswith(b"HTTP/1.1 200") for s in held)
    finally:
        for s in held:
            s.close()


def test_an_ipv6_client_is_counted_by_its_64_so_a_fresh_address_a_request_gains_nothing(server):
    """An IPv6 device is routed a whole /64 and takes any address in it at will (a phone on mobile data, through the
    HTTPS proxy): counted by its address, it had a fresh request budget and ten fresh guesses at a password with every
    request. Outside the server's own networks it is its /64 (server.limits.device_key); another /64 is another
    device."""

    def through(forwarded: str, path: str = "/healthz", body: dict | None = None) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20, source_address=("127.0.0.60", 0))
        try:
            headers = {"X-Forwarded-For": forwarded}
            if body is not None:
                headers["Content-Type"] = "application/json"
            conn.request("POST" if body is not None else "GET", path, json.dumps(body) if body else None, headers)
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    started, answered = time.monotonic(), 0
    while (status := through(f"2001:db8:60:1::{answered + 1:x}")) == 200 and answered < 200:
        answered += 1
    assert status == 429 and 60 <= answered <= 60 + int(time.monotonic() - started) + 1, (status, answered)
    assert through("2001:db8:60:2::1") == 200  # the next /64: another device
    # a password guessed from a fresh address each time: ten wrong ones for the /64, then 429 unchecked
    server.add_user("sari", "officer", "sandi-sari-1")
    guess = {"username": "sari", "password": "tebak-tebak"}
    statuses = [through(f"2001:db8:60:3:{i + 1:x}::9", "/api/login", guess) for i in range(12)]
    assert statuses == [401] * 10 + [429] * 2, statuses
    assert through("2001:db8:60:4::1", "/api/login", {**guess, "password": "sandi-sari-1"}) == 200


def test_an_ipv6_device_on_the_servers_own_link_is_its_address_and_any_other_its_64(tmp_path, monkeypatch):
    """On the office's LAN every device has an address in the same /64 (the server's own): counted by its /64, the
    whole office would be one device. There an IPv6 device is its address, as an IPv4 one; link-local and loopback
    addresses too. The server's own /64s are read from the host's addresses, again when they change."""
    from server import limits

    listed = tmp_path / "if_inet6"
    listed.write_text(
        "fe8000000000000000fc00fffe000001 04 40 20 80     eth0\n"
        "00000000000000000000000000000001 01 80 10 80       lo\n"
        "20010db8000a000b0000000000000002 04 40 00 80     eth0\n"
    )
    monkeypatch.setattr(limits, "IF_INET6", str(listed))
    monkeypatch.setattr(limits, "_own", [float("-inf"), frozenset()])
    monkeypatch.setattr(limits, "_keys", limits.OrderedDict())
    key = limits.device_key
    assert key("192.168.1.20") == "192.168.1.20" and key("::ffff:192.168.1.20") == "::ffff:192.168.1.20"
    assert key("2001:db8:a:b::77") == "2001:db8:a:b::77"  # on the server's link: a LAN device, by its address
    assert key("fe80::1234") == "fe80::1234" and key("::1") == "::1"
    assert key("2001:db8:c:d::1") == key("2001:db8:c:d:ffff:1:2:3") == "2001:db8:c:d::/64"
    assert key("2001:db8:c:e::1") == "2001:db8:c:e::/64"
    # the ISP gave the office another prefix: the old one is counted by /64 from the next read on
    listed.write_text("20010db8000a000f0000000000000002 04 40 00 80     eth0\n")
    monkeypatch.setattr(limits, "_own", [float("-inf"), limits._own[1]])
    assert key("2001:db8:a:b::77") == "2001:db8:a:b::/64" and key("2001:db8:a:f::5") == "2001:db8:a:f::5"


def test_a_connection_is_let_go_under_the_device_it_came_as_when_the_servers_own_networks_change(tmp_path, monkeypatch):
    """A LAN device's IPv6 connection is counted by its address (the server's own /64); when the server's own networks
    change while it is open (its network down a moment, the ISP's new prefix), its device is its /64 by its end. It was
    let go under that new key, its count left under the old one for good: after connections_per_address such ends
    (64 as shipped) the office TV was refused every connection, none of them open, until a restart, and every
    address of an old prefix stayed in the table. A real server's accept and handler, the peer's address given."""
    from server import limits
    from server.config import LimitSettings
    from server.httpserver import Guard, GuardedServer, listen

    listed = tmp_path / "if_inet6"
    monkeypatch.setattr(limits, "IF_INET6", str(listed))
    monkeypatch.setattr(limits, "_own", [float("-inf"), frozenset()])
    monkeypatch.setattr(limits, "_keys", limits.OrderedDict())

    def own(text: str) -> None:  # the host's addresses as read at the next device_key
        listed.write_text(text)
        limits._own[0] = float("-inf")

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    listener = listen("127.0.0.1", 0)
    device = ("2001:db8:a:b::77", 50000, 0, 0)  # on the server's own link

    class Seen:  # the listening socket, its peer's address this LAN device's
        def __init__(self, sock):
            self.sock = sock

        def _accept(self):
            fd, _ = self.sock._accept()
            return fd, device

        def __getattr__(self, name):
            return getattr(self.sock, name)

    guard = Guard(LimitSettings(connections_per_address=8, hold_seconds=0), max_connections=100)
    srv = GuardedServer(listener, app, guard, log=None)
    srv.init_socket()
    srv.socket = Seen(listener)
    try:
        for blip in range(10):
            own("20010db8000a000b0000000000000002 04 40 00 80     eth0\n")  # the server's own /64: 2001:db8:a:b::/64
            client = socket.create_connection(listener.getsockname()[:2], timeout=5)
            client.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
            accepted = srv.do_read()
            assert accepted is not None, f"refused at its connection {blip + 1}, {guard.open}"
            assert guard.open == {"2001:db8:a:b::77": 1}, guard.open  # counted by its address
            own("")  # the server's network down a moment: no address of its own but link-local
            srv.handle(*accepted)  # answered and closed
            assert _closed_within(client, 5).startswith(b"HTTP/1.1 200"), blip
            client.close()
            assert guard.open == {} and guard.total == 0, (blip, guard.open)
    finally:
        listener.close()


def test_the_anonymous_rate_limits_keep_at_most_their_size_of_addresses_however_many_come_within_the_minute():
    """The survey's and the QR code's budgets (auth.RateLimiter) kept every address seen within the minute, and past
    10,000 each new one looked through them all for idle ones: 30,000 addresses in half a minute (one device, its
    subnet's addresses) and every anonymous survey request cost the server 2 ms instead of 0.6, the table growing
    with each. Now the least recently seen goes first: the table holds `size` addresses, the newest with their count."""
    from server.auth import RateLimiter

    limiter = RateLimiter(3)
    for i in range(12_000):
        assert limiter.allow(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}")
    assert len(limiter.hits) == 10_000 and "10.0.0.0" not in limiter.hits  # the first ones, forgotten
    busy = "10.0.46.223"  # among the last: its count is kept, and its limit holds
    assert [limiter.allow(busy) for _ in range(3)] == [True, True, False]


def test_a_page_leaving_during_its_socket_upgrade_leaves_no_traceback(server):
    """A browser navigating away while its Engine.IO socket upgrades closes the WebSocket right after
    the "2probe" that engineio answers: that is a page leaving, not a server error (each one logged a
    traceback of 30 lines)."""
    import base64

    def frame(payload: bytes, opcode: int) -> bytes:  # a client's frame: masked
        mask = b"\x01\x02\x03\x04"
        return (
            bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        )

    log_before = len(server.log())
    for _ in range(5):
        r = requests.get(server.url + "/socket.io/?EIO=4&transport=polling", timeout=5)
        sid = json.loads(r.text[1:])["sid"]
        s = _connect(server, "127.0.0.16")
        key = base64.b64encode(os.urandom(16)).decode()
        s.sendall(
            f"GET /socket.io/?EIO=4&transport=websocket&sid={sid} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        assert s.recv(4096).startswith(b"HTTP/1.1 101")
        s.sendall(frame(b"2probe", 1) + frame(b"\x03\xe8", 8))  # the probe, then the close (1000)
        _closed_within(s, 5)
        s.close()
    assert _http(server, "127.0.0.16", "GET", "/healthz")[0] == 200
    new = server.log()[log_before:]
    assert "Traceback" not in new, new[-3000:]


def _raw(server, device: str, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10, source_address=(device, 0))
    try:
        conn.request(method, path, body=body)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def _polling_display(server, device: str) -> str:
    """A display's Socket.IO connection over long-polling from `device`: its polling URL."""
    status, data = _raw(server, device, "GET", "/socket.io/?EIO=4&transport=polling")
    assert status == 200, data
    url = f"/socket.io/?EIO=4&transport=polling&sid={json.loads(data[1:])['sid']}"
    assert _raw(server, device, "POST", url, b'40{"role":"display"}')[0] == 200
    assert _raw(server, device, "GET", url)[0] == 200  # its connect and first snapshot
    return url


HANDSHAKE = "/socket.io/?EIO=4&transport=polling"
SESSION_PENALTY_SECONDS = 0.5


@pytest.fixture
def sessions_server(tmp_path):
    """The module's server with a refused device's wait SESSION_PENALTY_SECONDS instead of production's 5
    (realtime.SESSION_PENALTY_SECONDS, through tests/clockserver.py --set), and the module's tarpit."""
    numbers = {**NUMBERS, "realtime.SESSION_PENALTY_SECONDS": SESSION_PENALTY_SECONDS}
    srv = ClockedServer(write_config(tmp_path, LIMITS), numbers=numbers).start()
    yield srv
    srv.stop()


def test_a_device_holds_at_most_its_limit_of_socket_sessions_and_gets_one_back_when_one_ends(sessions_server):
    """A long-polling session holds no connection: a device that opened thousands and never polled them held
    them until their ping timeout, and their closing froze the server for minutes (the hostile-device
    review). Past [limits] sessions_per_address a handshake is refused, and the device then waits a few
    seconds for a 429 (refused at once, it asked again at once: the server busy refusing); another device
    is not refused; a session that ends gives its place back. One log line."""
    server = sessions_server
    device = "127.0.0.50"
    log_before = len(server.log())
    sids = []
    for _ in range(4):
        status, data = _raw(server, device, "GET", HANDSHAKE)
        assert status == 200, data
        sids.append(json.loads(data[1:])["sid"])
    assert _raw(server, device, "GET", HANDSHAKE)[0] == 401
    assert _raw(server, device, "GET", HANDSHAKE)[0] == 429  # it waits before anything more of it is read
    assert _raw(server, "127.0.0.51", "GET", HANDSHAKE)[0] == 200  # another device
    url = f"{HANDSHAKE}&sid={sids[0]}"
    assert _raw(server, "127.0.0.1", "POST", url, b"1")[0] == 200  # the session's close: it ends
    assert wait_for(lambda: _raw(server, device, "GET", HANDSHAKE)[0] == 200, 15)  # after its wait
    answers = []  # its one place back, taken: no more (once its requests are read again)
    assert wait_for(lambda: answers.append(_raw(server, device, "GET", HANDSHAKE)[0]) or answers[-1] != 429, 15)
    assert answers[-1] == 401, answers
    assert server.log()[log_before:].count("Socket.IO session refused") == 1


UNREADABLE_PACKETS = ["42{", "4x", "49", "4", "4-1", '45-["x"]', '42["snapshot",' + "[" * 25_000 + "]" * 25_000 + "]"]


def test_unreadable_socket_packets_close_their_connection_and_log_one_line(server):
    """A Socket.IO packet the server cannot read (not JSON, an unknown type, nested thousands deep)
    closes its connection, as one past its budget, and a long-polling POST that is not UTF-8 is
    answered: neither may write a traceback each (30 lines; a device could send twenty a minute on
    every connection it opens). One line a minute at most, and one traceback."""
    log_before = len(server.log())
    for i, packet in enumerate(UNREADABLE_PACKETS):
        url = _polling_display(server, f"127.0.0.{30 + i}")
        assert _raw(server, f"127.0.0.{30 + i}", "POST", url, packet.encode())[0] == 200
        assert wait_for(lambda u=url: _raw(server, "127.0.0.1", "GET", u)[0] == 400, 15), packet[:20]  # closed
    url = _polling_display(server, "127.0.0.29")
    for _ in range(3):
        assert _raw(server, "127.0.0.29", "POST", url, '42["\ud800"]'.encode("utf-8", "surrogatepass"))[0] == 200
    assert _http(server, "127.0.0.28", "GET", "/healthz")[0] == 200
    new = server.log()[log_before:]
    assert new.count("Traceback") <= 1 and new.count("Socket.IO packet not handled") <= 1, new[-3000:]


def test_a_binary_event_closes_its_connection_instead_of_keeping_every_message_after_it(server):
    """No page sends binary data. A binary event's header may announce up to 999,999,999 attachments, and
    python-socketio kept each message after it as one, until the count or the connection's end: a TV's socket
    sending 7 KB a second, within every budget, held it all (40 such of one device: 9 MB in 30 s, for hours).
    Such a packet is one the server does not read: its connection is closed and its device waits."""
    import websocket

    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket",
        socket=_connect(server, "127.0.0.80"),  # from the device's own address
        timeout=5,
    )
    try:
        assert ws.recv().startswith("0")
        ws.send('40{"role":"display"}')
        assert sorted(ws.recv()[:2] for _ in range(2)) == ["40", "42"]  # its connect and its snapshot
        ws.send('451000000-["snapshot",{"_placeholder":true,"num":0}]')
        # closed at once, not kept waiting for the attachments: before, an attachment was taken and the read waited
        # for the next message (its 5 s timeout, or a ping's "2")
        with pytest.raises(websocket.WebSocketConnectionClosedException):
            ws.send_binary(b"\0" * 1000)
            ws.recv()
    finally:
        ws.close()
    assert _http(server, "127.0.0.80", "GET", "/api/state")[0] == 429  # the device waits, as past a budget
    assert _http(server, "127.0.0.81", "GET", "/api/state")[0] == 200


def _websocket(server, device: str, sid: str | None = None) -> tuple[socket.socket, bytes]:
    """A WebSocket opened by hand from `device` (of the long-polling session `sid`, an upgrade): its socket and
    what the server answered to the handshake."""
    s = _connect(server, device)
    query = f"EIO=4&transport=websocket&sid={sid}" if sid else "EIO=4&transport=websocket"
    s.sendall(
        f"GET /socket.io/?{query} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    got = b""
    while b"\r\n\r\n" not in got:
        chunk = s.recv(4096)
        if not chunk:
            break
        got += chunk
    return s, got


def _client_frame(text: bytes) -> bytes:
    """A client's (masked) WebSocket text frame of fewer than 126 bytes."""
    mask = b"\x01\x02\x03\x04"
    return bytes([0x81, 0x80 | len(text)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(text))


def test_a_websocket_whose_session_ended_is_closed_though_its_client_says_nothing_more(server):
    """engineio's reader waited for a client's next frame with no timeout, after the session had ended (here its
    client's close packet "1"; its ping timeout, or its session taken back, the same): a client that sent nothing
    more held the connection for ever, out of every session cap. One device's 258 such on 5 addresses took every
    connection of a server of 600 descriptors: the kiosks waited for a 503 as long as it liked (helper-312)."""
    before = _fds(server)
    s, answer = _websocket(server, "127.0.0.84")
    assert answer.startswith(b"HTTP/1.1 101"), answer
    s.sendall(_client_frame(b"1"))  # its session's close; then nothing, not even the WebSocket's close frame
    _closed_within(s, CLOSE_GRACE_S + 5)  # socket.timeout: the server kept it
    s.close()
    assert wait_for(lambda: _fds(server) <= before, 15), (before, _fds(server))


def test_a_second_websocket_upgrade_of_a_session_is_refused(server):
    """engineio took up every WebSocket upgrade of a session still upgrading (it refuses one only once upgraded):
    each a connection of its own, reading the session's packets, and all but the last left open for ever when the
    session ended. The second is a 400, its connection closed; the first goes on (helper-312)."""
    status, data = _raw(server, "127.0.0.85", "GET", HANDSHAKE)
    assert status == 200, data
    sid = json.loads(data[1:])["sid"]
    first, answer = _websocket(server, "127.0.0.85", sid)
    assert answer.startswith(b"HTTP/1.1 101"), answer
    second, answer = _websocket(server, "127.0.0.85", sid)
    assert answer.startswith(b"HTTP/1.1 400"), answer
    _closed_within(second, 5)
    second.close()
    first.sendall(_client_frame(b"2probe"))  # the first's upgrade goes on
    first.settimeout(5)
    assert b"3probe" in first.recv(4096)
    first.close()


def test_a_long_polling_post_of_more_packets_than_engineio_reads_closes_its_session(server):
    """engineio reads at most 16 packets of a long-polling POST: one with more (32,000 pongs in 64 KB) was answered
    200 with none of them read, the session kept and engineio's traceback logged, as often as the device liked. Now
    it is a packet the server does not read: a 400, the session closed, its device waiting, one log line."""
    log_before = len(server.log())
    url = _polling_display(server, "127.0.0.86")
    status, _ = _raw(server, "127.0.0.86", "POST", url, "\x1e".join(["3"] * 32_000).encode())
    assert status == 400, status
    assert _raw(server, "127.0.0.1", "GET", url)[0] == 400  # the session is gone
    assert _http(server, "127.0.0.86", "GET", "/api/state")[0] == 429  # the device waits, as past a budget
    new = server.log()[log_before:]
    assert "Traceback" not in new and new.count("Socket.IO packet not handled") <= 1, new[-3000:]


def test_a_refused_websocket_upgrade_is_a_400_and_one_log_line(server):
    """An upgrade without Sec-WebSocket-Key, or of another version, was a 500 and 50 lines of log
    (gevent's traceback and the request's environ) each: 6 GB a day from one device at its budget."""
    url = _polling_display(server, "127.0.0.40")
    log_before = len(server.log())
    for headers in (
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 99",
    ) * 3:
        s = _connect(server, "127.0.0.41")
        s.sendall(
            f"GET {url.replace('polling', 'websocket')} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\n{headers}\r\n\r\n".encode()
        )
        assert _closed_within(s, 5).startswith(b"HTTP/1.1 400"), headers
        s.close()
    new = server.log()[log_before:]
    assert "Traceback" not in new and new.count("invalid HTTP request") <= 1, new[-3000:]


@pytest.mark.parametrize("body", [b"2", b"6", b"9", b"4" + b"x" * 70_000], ids=["ping", "upgrade", "type-9", "too-big"])
def test_a_long_polling_post_engineio_refuses_is_answered_and_lets_its_connection_go(server, body):
    """engineio closed the session of such a POST and waited for the client to read what was queued:
    the POST was never answered and its connection stayed open until a restart (a device could hold
    its cap of them, and each of its addresses another)."""
    device = {b"2": "127.0.0.42", b"6": "127.0.0.43", b"9": "127.0.0.44"}.get(body, "127.0.0.45")
    before = _fds(server)
    url = _polling_display(server, device)
    status, _ = _raw(server, device, "POST", url, body)  # within _raw's 10 s, or TimeoutError
    assert status in (400, 413), status
    assert _raw(server, "127.0.0.1", "GET", url)[0] == 400  # the session is gone
    assert wait_for(lambda: _fds(server) <= before, 15), (before, _fds(server))


@pytest.mark.parametrize("closed_by", ["its-close-packet", "its-budget"])
def test_a_post_to_a_session_just_closed_is_a_400_and_no_traceback(server, closed_by):
    """A closed long-polling session stays in engineio's table until its service task passes (seconds), and a
    POST to it there was a 500 with gevent's traceback and the request's environ (30 lines): a device at its
    request budget (a handshake, the close packet "1", a POST again) wrote 5,700 lines, 390 KB, in 20 s."""
    log_before = len(server.log())
    for i in range(3):
        device = f"127.0.0.{46 + i}" if closed_by == "its-close-packet" else f"127.0.0.{49 + i}"
        url = _polling_display(server, device)
        if closed_by == "its-close-packet":
            assert _raw(server, device, "POST", url, b"1")[0] == 200
        else:  # 32 packets, past the connection's 20 (realtime.PACKETS_BURST): closed, the device kept waiting
            for _ in range(2):
                assert _raw(server, device, "POST", url, "\x1e".join(['42["nothing"]'] * 16).encode())[0] == 200
        # the next POST on it (from the test's own address: the device itself may be waiting for a 429)
        status, data = _raw(server, "127.0.0.1", "POST", url, b"1")
        assert status == 400, (status, data[:200])
    new = server.log()[log_before:]
    assert "Traceback" not in new and "KeyError" not in new, new[-3000:]


def test_a_long_polling_session_filling_its_own_queue_is_closed_at_the_backlog(server):
    """Each Engine.IO UPGRADE packet ("5") a long-polling POST carries queues a NOOP for the session's next
    GET, and is in no budget: a session that never GETs, its pong in each POST, grew the server by 2.7 MB a
    minute for as long as it liked (15 a POST, at a device's request budget). Closed once fanout.MAX_BACKLOG
    packets wait for it, as a session that stopped reading broadcasts is."""
    from server.fanout import MAX_BACKLOG

    status, data = _raw(server, "127.0.0.1", "GET", HANDSHAKE)  # the test's own address: no request budget
    url = f"{HANDSHAKE}&sid={json.loads(data[1:])['sid']}"
    body = "\x1e".join(["3"] + ["5"] * 15).encode()  # its pong, and 15 NOOPs queued
    posts = []
    for _ in range(2 * MAX_BACKLOG // 15):
        posts.append(_raw(server, "127.0.0.1", "POST", url, body)[0])
        if posts[-1] != 200:
            break
    assert posts[-1] == 400 and len(posts) <= MAX_BACKLOG // 15 + 2, posts  # closed once the backlog was full
    assert _raw(server, "127.0.0.1", "GET", url)[0] == 400  # gone, with its queue


def test_websocket_pings_count_in_the_connections_frame_budget(server):
    """Each frame a WebSocket client sends takes one of its connection's frame budget (fanout.FRAMES_BURST at once):
    its messages did, its pings and the pieces of a message did not. 128 KB of empty pings (6 bytes each, 21,000 a
    connection, each parsed and answered) on 32 connections of one device made a kiosk's ticket take 0.45 s (p50)
    instead of 7 ms. A few pings are answered; past the budget the connection is closed."""
    from server.fanout import FRAMES_BURST

    s = _connect(server, "127.0.0.56")
    s.sendall(
        b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    got = b""
    while b"\r\n\r\n" not in got:
        got += s.recv(4096)
    assert got.startswith(b"HTTP/1.1 101"), got
    ping, pong = b"\x89\x80\0\0\0\0", b"\x8a\x00"  # empty, masked (a client's); the server's empty answer
    s.sendall(ping * 10)
    while got.count(pong) < 10:  # answered, the connection open
        chunk = s.recv(4096)
        assert chunk, got
        got += chunk
    s.sendall(ping * 2 * FRAMES_BURST)
    rest = _closed_within(s, 5)  # socket.timeout: the server kept it open
    assert rest.count(pong) < 2 * FRAMES_BURST, rest.count(pong)
    s.close()
    assert _http(server, "127.0.0.56", "GET", "/healthz")[0] == 200


def test_answers_a_client_never_reads_close_its_connections_with_one_log_line(tmp_path):
    """A write that waited READ_SECONDS (0.3 s here) for a client reading nothing (or gone) was gevent's
    traceback and the request's environ in the log (37 lines), then a 500 tried on the same connection: one
    device asking for answers it never read wrote 14,000 lines a minute. Closed, one line a minute for all."""
    server = ClockedServer(write_config(tmp_path, LIMITS), numbers={"httpserver.READ_SECONDS": 0.3}).start()
    clients = []
    try:
        log_before = len(server.log())
        for i in range(3):
            s = socket.socket()
            clients.append(s)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # it takes next to nothing
            s.bind((f"127.0.0.{52 + i}", 0))
            s.connect(("127.0.0.1", server.port))
            s.sendall(b"GET /api/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n" * 40)  # 12 MB of answers asked for

        def closed_by_the_server(s: socket.socket) -> bool:
            """The server's end of `s` no longer ESTABLISHED ("01" in /proc/net/tcp; its FIN waits behind the
            answers the client never took, so the client's end cannot tell)."""
            ends = (f":{server.port:04X}", f":{s.getsockname()[1]:04X}")
            rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
            return all(state != "01" for _, here, there, state, *_ in rows if (here[-5:], there[-5:]) == ends)

        assert wait_for(lambda: all(map(closed_by_the_server, clients)), 20)
        new = server.log()[log_before:]
        assert "Traceback" not in new and "failed with" not in new, new[-3000:]
        assert new.count("answer not taken") == 1, new
        assert _http(server, "127.0.0.52", "GET", "/healthz")[0] == 200  # the device is served again
    finally:
        for s in clients:
            s.close()
        server.stop()


def test_the_server_raises_its_open_files_limit(server):
    limits = Path(f"/proc/{server.proc.pid}/limits").read_text()
    line = next(x for x in limits.splitlines() if x.startswith("Max open files"))
    soft, hard = line.split()[3:5]
    assert int(soft) == min(int(hard), 65536)


def test_a_sparse_log_writes_one_line_a_minute_with_how_many_came_between():
    """limits.SparseLog, on its own clock: the first at once, then nothing for a minute, then one line
    that says how many were left out."""
    import logging

    from server.limits import SparseLog

    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    logger = logging.getLogger("antrian.test.sparse")
    logger.addHandler(Collect())
    sparse = SparseLog(logger, "odd request", 60.0)
    for second in (0, 1, 30, 59.9):
        sparse("127.0.0.9", ValueError("bad line"), now=1000 + second)
    sparse("127.0.0.9", ValueError("bad line"), now=1060)
    assert lines == [
        "odd request from 127.0.0.9: ValueError: bad line",
        "odd request from 127.0.0.9: ValueError: bad line (3 more since the last such line)",
    ]
    assert sparse.count == 5 and sparse.due(now=1061) is None and sparse.due(now=1120) == 1


def test_a_server_asked_what_it_is_doing_writes_its_threads_and_greenlets_to_its_log_and_goes_on(server):
    """`kill -USR1` (faulthandler: every thread's stack) and `kill -USR2` (gevent: every greenlet's, the
    requests and tasks the threads' stacks show only as the loop): what an admin sends a server that
    stops answering, for the report. The server answers after both."""
    import signal

    before = len(server.log())
    os.kill(server.proc.pid, signal.SIGUSR1)
    os.kill(server.proc.pid, signal.SIGUSR2)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "serve_forever" not in server.log()[before:]:
        time.sleep(0.05)
    dump = server.log()[before:]
    assert "Current thread" in dump and "gevent/hub.py" in dump  # the threads, the main one in gevent's loop
    assert "Greenlet" in dump and "serve_forever" in dump  # the greenlets: the server's accept loop spawned there
    assert requests.get(server.url + "/healthz", timeout=5).ok
