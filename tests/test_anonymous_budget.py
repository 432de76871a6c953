"""One device on the office network, with no password (helper-240's audit of what was added since
tests/test_anonymous_budgets.py): what the public live feed tells of a visitor's form copy, and how much of the
server's event loop one device's requests may take at once, against a real server process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests
from conftest import visitor, write_config
from live import LiveServer, free_port
from playwright.sync_api import expect
from test_realtime import cookie_header, take_like_a_page

PRINTS = ("print_failed", "printed")


def test_a_form_copys_print_failure_is_told_the_staff_alone(tmp_path, clients):
    """A counter's printer that fails the visitor's form copy raised `print_failed` with the ticket's label in the
    public feed: a TV, a kiosk or anyone's phone page (no login) learnt that A-012's form copy was being printed
    at a counter, though `form_print` itself is the staff's alone. The kiosk follows its own visitor's slip with
    `print_failed`, so a slip's stays public; a form copy's goes to the staff alone."""
    dead = free_port()  # nothing listens there: every try fails at once (connection refused)
    printer = f'[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\nport = {dead}\ntimeout = 1\n'
    cfg = write_config(
        tmp_path,
        {
            'services = ["A", "C"]': 'services = ["A", "C"]\nprinter = "kiosk"',  # Loket 1's form copies
            '[printers.kiosk]\ntype = "dummy"\n': printer,
        },
    )
    server = LiveServer(cfg).start()
    try:
        url = server.url
        server.add_user("budi", "officer")
        officer = server.session("budi", "rahasia-123")
        display = clients(url, {"role": "display"})
        kiosk = clients(url, {"role": "kiosk"})
        staff = clients(url, {"role": "counter"}, cookie_header(officer))
        snaps = {"display": display.snapshot(), "kiosk": kiosk.snapshot()}
        staff.snapshot()

        ticket = requests.post(url + "/api/tickets", json=visitor(), timeout=5).json()["ticket"]
        slip = kiosk.event("print_failed", timeout=15)  # the kiosk's own visitor's slip: public, as before
        assert slip["ticket"]["label"] == ticket["label"]
        called = officer.post(url + "/api/counters/1/call-next", json={}, timeout=5).json()["ticket"]
        assert called["label"] == ticket["label"]
        officer.post(url + "/api/counters/1/start", json={}, timeout=5).raise_for_status()
        r = officer.post(url + "/api/counters/1/resolve", json={"solution": "Sudah dijelaskan."}, timeout=5)
        r.raise_for_status()
        r = officer.post(f"{url}/api/tickets/{ticket['label']}/print-form", json={"counter_id": 1}, timeout=5)
        assert r.status_code in (200, 202), r.text
        while (failed := staff.event("print_failed", timeout=15))["data"]["kind"] != "form":
            continue
        assert failed["ticket"]["label"] == ticket["label"]  # the front office's alert, whole
        marker = requests.post(url + "/api/tickets", json=visitor(service="B"), timeout=5).json()["ticket"]

        for name, c in (("display", display), ("kiosk", kiosk)):
            c.until_issued(marker["label"])
            # up to the marker's `issued` (its own slip fails after it)
            end = next(
                e["seq"] for e in c.all_events if e["type"] == "issued" and e["ticket"]["label"] == marker["label"]
            )
            told = [(ev["type"], ev["seq"]) for ev in c.all_events if ev["type"] in PRINTS and ev["seq"] < end]
            assert told == [("print_failed", slip["seq"])], (name, told)  # the slip's, not the form copy's
            assert take_like_a_page(snaps[name], c.all_events) == 0, name  # the seqs jumped over it: no gap
    finally:
        server.stop()


def _cpu_seconds(pid: int) -> float:
    """The CPU time the process has used so far (user and system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_of(server, send, n: int = 100) -> float:
    """The server's CPU seconds for `n` of `send()`, one after the other."""
    before = _cpu_seconds(server.proc.pid)
    for _ in range(n):
        send()
    return _cpu_seconds(server.proc.pid) - before


# What one device with no password may put in a request's headers (within server.httpserver.MAX_HEADER_BYTES):
# each entry a few characters, thousands of them, which the server read whole at every error answer and body.
HOSTILE = {
    "Accept-Language": ("GET", "/api/tickets/no-such-token", {"Accept-Language": "a," * 15000}, 404),
    "Content-Type": ("POST", "/api/survey/lookup", {"Content-Type": "application/json" + ";a=b" * 7000}, 400),
    "Cookie": ("GET", "/api/state", {"Cookie": "a;" * 15000}, 431),  # read to open the session, at every request
    # within the 8 KiB that were once its bound: 4,096 cookies, 3 ms each (helper-242's review)
    "Cookie of 8 KiB": ("GET", "/api/state", {"Cookie": "a;" * 4095}, 431),
    "Cookie quoted": ("GET", "/api/state", {"Cookie": 'a="' + "x" * 30000}, 431),  # read a character at a time
}
PLAIN = {"Accept-Language": "id-ID,id;q=0.9,en-US;q=0.8", "Content-Type": "application/json", "Cookie": "a=b"}


@pytest.mark.parametrize("header", sorted(HOSTILE))
def test_a_long_header_costs_the_server_no_more_than_a_plain_request(live, header):
    """An error answer read the whole Accept-Language (its language: 40-100 ms of the event loop for 30 KB of
    "a,a,a,…", against 1 ms for the whole request), a body its whole Content-Type (5-10 ms for
    "application/json;a=b;a=b;…"), and every request its whole Cookie header (5 ms for "a;a;a;…"): one device at
    its request budget kept every kiosk's ticket waiting, p50 0.4 s and p95 0.9 s where they were 17 and 46 ms
    (measured by helper-240 with tests/live.py's server). Only the first few hundred characters of the first two
    are read now, and a Cookie header of more than 180 cookies, or of more than 8 KiB of quoted values, is refused
    (431): such a request costs what the same request with a browser's headers costs."""
    method, path, headers, status = HOSTILE[header]
    body = b'{"ticket": "A-001", "phone_last4": "1234"}' if method == "POST" else None

    def send(extra, expected):
        def one():
            # each on a connection of its own: a refused one is closed, and the plain one pays for its connection too
            r = requests.request(method, live.url + path, data=body, headers=extra, timeout=10)
            assert r.status_code in expected, r.text

        return one

    plain_status = (404, 429) if method == "POST" else (200, 404)  # no such ticket; the lookups' own budget
    name = header.split(" ")[0]
    hostile, plain = send(headers, (status, *plain_status)), send({name: PLAIN[name]}, plain_status)
    # in turns, 4 x 25 of each: the server's own work meanwhile (its timers) and a loaded machine's slower moments
    # fall on both alike, not on whichever ran while they came (one run under other work failed the bound so)
    hostile_cpu = plain_cpu = 0.0
    for _ in range(4):
        hostile_cpu += _cpu_of(live, hostile, 25)
        plain_cpu += _cpu_of(live, plain, 25)
    assert hostile_cpu < 2 * plain_cpu + 0.05, (hostile_cpu, plain_cpu)


def test_a_browser_with_another_programs_cookies_on_the_same_host_opens_the_pages(browser, live):
    """A browser sends a host's cookies to each of its ports: those of another program on the office's server (a
    router's or a NAS's page, a second web application) come along with Antrian's, up to 180 cookies of up to 4 KB.
    Refused past 8 KiB (helper-240's bound on the header's length), such a browser got every page as a JSON 431,
    "Header permintaan terlalu besar.", with nothing to say what to do (helper-242's review); what costs the server
    is the count of cookies, not their length."""
    context = browser.new_context()
    try:
        other = f"http://127.0.0.1:{free_port()}"  # another program on the same host: its own port
        context.add_cookies([{"name": f"app{i}", "value": "v" * 3000, "url": other} for i in range(3)])
        page = context.new_page()
        assert page.goto(live.url + "/counter/").status == 200
        assert len(page.evaluate("document.cookie")) > 9000  # sent to this port too
        expect(page.locator("#login-form")).to_be_visible()
        assert page.request.get(live.url + "/api/state").status == 200
    finally:
        context.close()


def test_an_ipv4_device_on_a_socket_that_takes_both_is_its_ipv4_address():
    """With `[server] host = "::"` (accepted by the config) Linux gives an IPv4 device's peer as
    "::ffff:192.168.1.20": a kiosk listed in `[kiosk] addresses` as 192.168.1.20 was refused (403 kiosk_only), and
    `[limits] exempt` and `proxies` did not apply (helper-240's review). The peer, the budget's device and
    REMOTE_ADDR are the IPv4 address; an IPv6 device's stays as it is."""
    from server.httpserver import _host

    assert _host(("::ffff:192.168.1.20", 51234, 0, 0)) == "192.168.1.20"
    assert _host(("::FFFF:10.0.0.7", 1, 0, 0)) == "10.0.0.7"
    assert _host(("127.0.0.1", 51234)) == "127.0.0.1"
    assert _host(("fe80::1", 51234, 0, 2)) == "fe80::1"
    assert _host(("::ffff:0:1", 1, 0, 0)) == "::ffff:0:1"  # not an IPv4-mapped address written with dots


def test_a_browser_refused_for_its_cookies_is_told_what_to_do(browser, live):
    """A browser whose cookies for the host cost more than a request (here another program's quoted values, 9 KB) is
    refused 431: its page said only "Header permintaan terlalu besar." as bare JSON (helper-242's review). A page now
    says, in both languages, that it is the site's cookies and to clear them; a program asking JSON gets the same
    words under the same code."""
    context = browser.new_context()
    try:
        other = f"http://127.0.0.1:{free_port()}"
        quoted = '"' + "v" * 3000 + '"'
        context.add_cookies([{"name": f"app{i}", "value": quoted, "url": other} for i in range(3)])
        page = context.new_page()
        assert page.goto(live.url + "/counter/").status == 431
        expect(page.locator("body")).to_contain_text("Hapus cookie situs ini di pengaturan peramban")
        expect(page.locator("p[lang=en]")).to_contain_text("Clear this site's cookies in the browser's settings")
    finally:
        context.close()
    r = requests.get(live.url + "/api/state", headers={"Cookie": "a;" * 200}, timeout=5)
    assert (r.status_code, r.headers["Content-Type"]) == (431, "application/json"), r.text
    assert r.json()["error"] == "headers_too_large"
    assert "Hapus cookie situs ini" in r.json()["message"] and "Clear this site's cookies" in r.json()["message_en"]


class _NotYet:
    """A WebSocket's reader thread that has not run yet: what the server's writer met when it closed the WebSocket
    before the reader's greenlet had its turn to notice the client's reset."""

    def __init__(self, target=None):
        self.name = "reader"

    def start(self) -> None:
        return None


def test_a_websocket_its_client_reset_closes_without_a_traceback(app):
    """engineio's writer closes a WebSocket outside any `try`: a client that reset its connection (RST) before the
    reader noticed made the close raise ConnectionResetError, and gevent printed the greenlet's traceback, 900
    bytes with no bound (a review: 26 in 12 s from one device whose sockets asked past their budget). The server's
    WebSocket driver (the real simple-websocket, on a real TCP connection its client reset) closes quietly."""
    import select
    import socket
    import struct

    import simple_websocket

    driver = app.extensions["antrian.socketio"].server.eio._async["websocket"]
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname(), timeout=5)
        ours, _ = listener.accept()
    environ = {
        "werkzeug.socket": ours,
        "HTTP_HOST": "127.0.0.1",
        "HTTP_CONNECTION": "Upgrade",
        "HTTP_UPGRADE": "websocket",
        "HTTP_SEC_WEBSOCKET_KEY": "dGhlIHNhbXBsZSBub25jZQ==",
        "HTTP_SEC_WEBSOCKET_VERSION": "13",
    }
    try:
        wrapped = driver(None, None)
        wrapped.ws = simple_websocket.Server(environ, thread_class=_NotYet)
        assert client.recv(4096).startswith(b"HTTP/1.1 101")
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()  # a reset, not a close
        assert select.select([ours], [], [], 5)[0], "the reset never came"
        assert wrapped.ws.connected  # the reader has not run: the writer's close comes first
        wrapped.close()  # raised ConnectionResetError, printed by gevent as the writer greenlet's failure
    finally:
        ours.close()
