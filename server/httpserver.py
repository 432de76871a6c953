"""The HTTP server of `serve`: gevent's WSGI server with the limits one hostile device must meet.

Every device on the office network reaches this server without a password: a kiosk, a TV, a
phone on the Wi-Fi, or something that wants the queue to stop. So, per address (one device):

- at most `[limits] connections_per_address` open connections; past it a new one is answered 503
  and closed, so the descriptors stay for the kiosks, counters and displays. The 503 comes after
  `[limits] hold_seconds`, the descriptor held meanwhile with no greenlet and no read (at most
  HELD_PER_CAP times the cap per device, and a quarter of the server's descriptors in all; past
  those, at once): a device that comes back the moment it is refused cannot make the server refuse
  connections as fast as it can open them;
- at most `[limits] requests_per_minute` requests (a token bucket); past it each request waits a
  second and is answered 429, which costs the server a sleeping greenlet, not work;
- a Cookie header of at most MAX_COOKIES cookies, else 431 (Flask reads it whole at every request);
- a body with its Content-Length, never `Transfer-Encoding` (chunked), else 411, unread (_length_required);

and per connection: the request line within `[limits] idle_seconds` of the connection's start or
of the previous answer (an idle keep-alive connection is closed then), the headers within
`header_seconds`, each read of a body within READ_SECONDS and the whole body within
`body_seconds` (else 408, and the connection is closed), and each write of an answer within
READ_SECONDS (else the connection is closed, one log line a minute for all such: Handler.handle_error).
What the application left of a body unread (a 405, a 413, a 429, a route that takes no body) is read
to keep the connection only when it is at most LEFTOVER_BYTES and comes within the body's time; else
the connection is closed (gevent read it all, however long: 20 GB in 12 s from one device, every
kiosk slowed). A WebSocket has none of these once upgraded: Engine.IO's ping closes it when its client is gone.

The process raises its soft limit of open files to its hard limit (systemd's unit sets the hard
limit with LimitNOFILE) and keeps RESERVED_FDS of them for the database, printers and speech.
"""

from __future__ import annotations

import html
import json
import logging
import resource
import signal
import socket
import time
from collections import deque
from contextlib import suppress
from typing import Any

import gevent
from gevent import monkey, pywsgi
from gevent.socket import socket as GeventSocket
from werkzeug.exceptions import RequestTimeout

from server.config import LimitSettings
from server.limits import Buckets, SparseLog, device_key
from server.messages import message

log = logging.getLogger("antrian.http")

READ_SECONDS = 10.0  # each read of a body, each write of an answer
LEFTOVER_BYTES = 64 * 1024  # a body left unread is read (to keep the connection) up to this much (MAX_CONTENT_LENGTH)
TARPIT_SECONDS = 1.0  # how long a request over its address's budget waits for its 429
INVALID_LOG_SECONDS = 60.0  # at most one log line this often for the requests the HTTP parser refused
RESERVED_FDS = 256  # descriptors kept for the database, printers, speech and logs
WANTED_FDS = 65536
REFUSED_PER_TURN = 64  # connections refused in a row before the event loop's other work has its turn
HELD_PER_CAP = 64  # a device may have this many times connections_per_address waiting for their 503
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)  # Ctrl+C, and systemctl stop: the same orderly stop
_plain_socket = monkey.get_original("socket", "socket")  # the refusal never yields to the loop


def raise_fd_limit(wanted: int = WANTED_FDS) -> int:
    """Raise the soft limit of open files towards `wanted`, within the hard limit; the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as err:
            log.warning("could not raise the open-files limit from %d to %d: %s", soft, target, err)
    return soft


def _error_body(code: str) -> bytes:
    return json.dumps(
        {"error": code, "message": message(code, "id"), "message_en": message(code, "en"), "fields": {}},
        ensure_ascii=False,
    ).encode()


def _raw_answer(status: str, code: str, retry_after: int) -> bytes:
    body = _error_body(code)
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
        f"Retry-After: {retry_after}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


class Guard:
    """Per-device connection counts and request budgets, and the server's total of connections. A device is an
    address, an IPv6 one from outside the server's own networks its /64 (limits.device_key): `[limits] exempt` and
    `proxies` name addresses. A connection is counted under the key its device had when it came, and let go
    under that key (`admit` gives it, `release` takes it back): an IPv6 device's key changes with the server's own
    networks (its prefix changed, its network down a moment), and a connection let go under its device's new key
    left its count under the old one for good (nothing else takes from it): after 64 such, an office TV on an IPv6
    LAN was refused every connection, none of them open, until a restart, and each address of the old prefix stayed
    in the table (tests/test_hostile.py)."""

    def __init__(self, limits: LimitSettings, max_connections: int):
        self.limits = limits
        self.per_address = limits.connections_per_address
        # A quarter of the descriptors for the refused connections held until their 503.
        self.held_max = max_connections // 4
        self.max_connections = max_connections - self.held_max
        self.held_per_address = limits.connections_per_address * HELD_PER_CAP
        self.held: deque[tuple[float, int, str]] = deque()  # (when to answer, descriptor, device), oldest first
        self.held_by: dict[str, int] = {}
        self.exempt = frozenset(limits.exempt)
        self.proxies = frozenset(limits.proxies)
        self.requests = Buckets(limits.requests_per_minute / 60.0, max(60.0, limits.requests_per_minute / 4.0))
        self.open: dict[str, int] = {}
        self.total = 0
        self.refused = 0  # connections refused (the bench and the tests read it from the log)
        self.throttled = 0
        self.penalized = 0
        # requests the HTTP parser refused (too many headers, a bad request line...)
        self.invalid = SparseLog(log, "invalid HTTP request", INVALID_LOG_SECONDS)
        # answers the client did not take (Handler.handle_error)
        self.untaken = SparseLog(log, "answer not taken by the client, its connection closed", INVALID_LOG_SECONDS)

    def admit(self, address: str) -> str | None:
        """Count a new connection from `address`: the key it is counted under (for `release`); None (not counted)
        when it is one too many."""
        key = device_key(address)
        n = self.open.get(key, 0)
        if self.total >= self.max_connections or (
            n >= self.per_address and address not in self.exempt and address not in self.proxies
        ):
            self.refused += 1
            return None
        self.open[key] = n + 1
        self.total += 1
        return key

    def hold(self, fd: int, address: str, now: float) -> bool:
        """Keep a refused connection's descriptor until its 503 is due; False when its device (or
        the server) holds as many as it may, and it is to be answered at once."""
        key = device_key(address)
        n = self.held_by.get(key, 0)
        if len(self.held) >= self.held_max or n >= self.held_per_address or not self.limits.hold_seconds:
            return False
        self.held.append((now + self.limits.hold_seconds, fd, key))
        self.held_by[key] = n + 1
        return True

    def due(self, now: float, limit: int) -> list[int]:
        """Up to `limit` held descriptors whose 503 is due, no longer counted."""
        out: list[int] = []
        while self.held and len(out) < limit and self.held[0][0] <= now:
            _, fd, address = self.held.popleft()
            n = self.held_by.pop(address) - 1
            if n:
                self.held_by[address] = n
            out.append(fd)
        return out

    def release(self, key: str) -> None:
        """A connection counted under `key` (what `admit` gave) has ended."""
        n = self.open.get(key, 0) - 1
        if n > 0:
            self.open[key] = n
        else:
            self.open.pop(key, None)
        self.total -= 1

    def penalize(self, address: str, seconds: float) -> None:
        """`address` broke a budget of the application (a socket flooded, a login was refused): its
        next requests within `seconds` wait TARPIT_SECONDS for a 429 in the handler, before any
        work of the application, so that coming back at once costs the server next to nothing."""
        if address not in self.exempt:
            self.requests.hold(device_key(address), seconds)
            self.penalized += 1

    def allow_request(self, address: str) -> bool:
        if address in self.exempt or self.requests.take(device_key(address)):
            return True
        self.throttled += 1
        return False

    def invalid_request(self, address: str, error: BaseException, now: float) -> bool:
        """Count a request the HTTP parser refused and log it sparsely (SparseLog). False when it was
        over its device's request budget: its 400 then waits TARPIT_SECONDS, as a 429 does."""
        self.invalid(address, error, now)
        return self.allow_request(address)


def _forwarded_for(value: str) -> str | None:
    """The last address of an X-Forwarded-For header, checked and written alike; None without one."""
    import ipaddress

    last = value.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return None


class _HeaderTimeout(Exception):
    """The request line or headers came too slowly."""


# A request's Cookie header: a browser sends this server its session and language cookies (a few hundred bytes),
# and those of any other program on the same host (a port's cookies are the host's): up to 180 of them, each up to
# 4 KB (Chromium's and Firefox's caps per site). Flask reads the whole header at every request, to open its session,
# and what that costs is its count of cookies and the length of its quoted values ("…", read a character at a time),
# not the header's length: 30 KB of "a;a;a;…" cost 7.5 ms of the event loop, five to ten times a whole request, on
# every page, script and API call of one device with no password (8 KiB of it 3 ms; 30 KB of one quoted value 1-3 ms),
# and a browser's three cookies of 3,000 characters 0.02 ms. Refused, 431: more than MAX_COOKIES cookies, or quoted
# values of more than MAX_QUOTED_COOKIE_BYTES in all (_too_many_cookies). A bound of 8 KiB on the header's length
# locked a browser with such cookies out of every page; its length is MAX_HEADER_BYTES's.
MAX_COOKIES = 180
MAX_QUOTED_COOKIE_BYTES = 8 * 1024
# The request's headers in all (no browser of the office sends a tenth of it). http.client alone allows 100
# lines of 64 KiB: a WebSocket kept its request's 6 MB of headers for as long as it stayed open, and one
# device's 64 connections held 680 MB of the server's memory.
MAX_HEADER_BYTES = 32 * 1024


class _HeadersTooLarge(ValueError):
    """The request's headers are longer than MAX_HEADER_BYTES (a ValueError: gevent's client error)."""


class _CappedLines:
    """The connection's reader as the header parser sees it: lines until MAX_HEADER_BYTES in all, then
    _HeadersTooLarge before more is read."""

    def __init__(self, fp: Any, budget: int = MAX_HEADER_BYTES):
        self.fp, self.left = fp, budget

    def readline(self, limit: int = -1) -> bytes:
        line = self.fp.readline(self.left + 1 if limit < 0 else min(limit, self.left + 1))
        self.left -= len(line)
        if self.left < 0:
            raise _HeadersTooLarge(f"request headers over {MAX_HEADER_BYTES} bytes")
        return line


_TIMEOUT_ANSWER = ("408", _raw_answer("408 Request Timeout", "request_timeout", 1))
_INVALID_ANSWER = ("400", _raw_answer("400 Bad Request", "bad_http_request", 1))
_TOO_LARGE_ANSWER = ("431", _raw_answer("431 Request Header Fields Too Large", "headers_too_large", 1))
_LINE_TOO_LONG_ANSWER = ("414", _raw_answer("414 URI Too Long", "too_large", 1))
_BUSY = _raw_answer("503 Service Unavailable", "too_many_requests", 5)
BUSY_PAGE_REFRESH_S = 10  # the busy page loads itself again after this (error.busy_text says it)


def _busy_page() -> bytes:
    """The 503 as a page, for a browser opening one (a visitor's phone behind a guest Wi-Fi's NAT, a TV or a
    kiosk opening its page): a few words in both languages, not JSON, and the page asked for again in
    BUSY_PAGE_REFRESH_S by the browser itself: a browser does not retry an HTTP error page, and a TV or a
    kiosk, with nobody at a keyboard, stayed on it."""
    from html import escape

    title, text = (escape(message(key, "id")) for key in ("busy_title", "busy_text"))
    en = escape(message("busy_text", "en"))
    body = (
        '<!doctype html><html lang="id"><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="refresh" content="{BUSY_PAGE_REFRESH_S}">'
        f"<title>{title}</title>"
        '<body style="font:20px/1.45 sans-serif;margin:2em 1.2em;text-align:center;color:#1b2233">'
        f'<h1 style="font-size:1.4em">{title}</h1><p>{text}</p><p lang="en" style="color:#5b6475">{en}</p>'
    ).encode()
    head = (
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nRetry-After: 5\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


_BUSY_PAGE = _busy_page()


def _busy_answer(request: bytes) -> bytes:
    """The 503 for what the refused client sent: a page for a browser asking one, JSON otherwise."""
    line, _, headers = request.partition(b"\r\n")
    wants_page = line.startswith(b"GET /") and not line.startswith((b"GET /api/", b"GET /socket.io"))
    return _BUSY_PAGE if wants_page and b"text/html" in headers.lower() else _BUSY


class _Body:
    """A request body read within READ_SECONDS per read and `seconds` in all; slower is a 408."""

    def __init__(self, raw: Any, handler: Any, seconds: float):
        self.raw = raw
        self.rfile = getattr(raw, "rfile", None)
        self.handler = handler
        self.deadline = time.monotonic() + seconds

    def _timed(self, fn, *args):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self.handler.close_connection = True
            raise RequestTimeout()
        try:
            with gevent.Timeout(remaining, TimeoutError("body")):
                return fn(*args)
        except OSError as err:  # a read past READ_SECONDS, or the whole body past its deadline
            self.handler.close_connection = True
            raise RequestTimeout() from err

    def read(self, *args):
        return self._timed(self.raw.read, *args)

    def readline(self, *args):
        return self._timed(self.raw.readline, *args)

    def readlines(self, *args):
        return self._timed(self.raw.readlines, *args)

    def __iter__(self):
        while True:
            line = self.readline()
            if not line:
                return
            yield line


class _Leftover:
    """The request's body as gevent's handler sees it once the application has answered (it calls
    `_discard` then, to reuse the connection): what the application left unread is read only when it
    is at most LEFTOVER_BYTES and comes before `deadline`; else the connection is closed. gevent read
    every byte a Content-Length or a chunked body announced, with no deadline: a POST of 10^12 bytes
    to a route that reads no body was read at 1.6 GB/s on 8 connections (the kiosks' tickets took up
    to 0.9 s meanwhile), or kept its connection for ever at a byte every few seconds."""

    __slots__ = ("deadline", "handler", "raw")

    def __init__(self, raw: Any, handler: Any, deadline: float):
        self.raw, self.handler, self.deadline = raw, handler, deadline

    def closes(self) -> bool:
        """Whether what is left unread now closes the connection once the answer is written (_discard: past
        LEFTOVER_BYTES, or a chunked body refused unread)."""
        raw = self.raw
        if raw is None or raw.chunked_input:
            return raw is not None
        return (raw.content_length or 0) - raw.position > LEFTOVER_BYTES

    def _discard(self) -> None:
        raw = self.raw
        if raw is None or raw._chunked_input_error:
            return  # gevent closes the connection after a broken chunked body
        if raw.chunked_input:  # refused unread (Handler, 411): never parsed, the connection goes with it
            self.handler.close_connection = True
            return
        left = (raw.content_length or 0) - raw.position
        if left <= 0 and not raw.chunked_input:
            return  # read whole: the connection may serve the next request
        remaining = self.deadline - time.monotonic()
        if left <= LEFTOVER_BYTES and remaining > 0:
            raw.send_100_continue_enabled = False  # (as gevent's own discard: no "100 Continue" for it)
            with suppress(OSError), gevent.Timeout(remaining, TimeoutError("leftover body")):
                read = 0
                while read <= LEFTOVER_BYTES:
                    chunk = raw.read(16384)
                    if not chunk:
                        return  # the rest came, in time: the connection is kept
                    read += len(chunk)
        self.handler.close_connection = True  # the rest is not read: the connection goes with it


def _too_many(environ, start_response):
    gevent.sleep(TARPIT_SECONDS)
    body = _error_body("too_many_requests")
    start_response(
        "429 Too Many Requests",
        [("Content-Type", "application/json"), ("Retry-After", "5"), ("Connection", "close")],
    )
    return [body]


def _too_many_cookies(cookie: str) -> bool:
    """More than MAX_COOKIES cookies (gevent joins several Cookie lines with "; "), or quoted values (what is
    between a quote and the next, or the end) of more than MAX_QUOTED_COOKIE_BYTES: what Flask's reading of the
    header would cost more than a request. Counted at C speed: str.count, and a split of at most 2 quotes a cookie."""
    if cookie.count(";") >= MAX_COOKIES:
        return True
    if '"' not in cookie:
        return False
    parts = cookie.split('"', 2 * MAX_COOKIES + 1)
    return len(parts) > 2 * MAX_COOKIES + 1 or sum(map(len, parts[1::2])) > MAX_QUOTED_COOKIE_BYTES


def _cookie_too_large(environ, start_response):
    """431 for too many cookies (_too_many_cookies): the code `headers_too_large` with words that say what to do (a
    browser carries them for the host, perhaps another program's on the same server): a page in both languages for
    a browser's navigation, JSON for the pages' requests and other programs."""
    said = (message("cookies_too_many", "id"), message("cookies_too_many", "en"))
    if "text/html" in environ.get("HTTP_ACCEPT", ""):
        body = (
            '<!doctype html><html lang="id"><meta charset="utf-8"><title>431</title>'
            f'<p>{html.escape(said[0])}</p><p lang="en">{html.escape(said[1])}</p></html>'
        ).encode()
        kind = "text/html; charset=utf-8"
    else:
        fields = {"error": "headers_too_large", "message": said[0], "message_en": said[1], "fields": {}}
        body, kind = json.dumps(fields, ensure_ascii=False).encode(), "application/json"
    start_response("431 Request Header Fields Too Large", [("Content-Type", kind), ("Connection", "close")])
    return [body]


def _upgrade_problem(environ: dict[str, Any]) -> str | None:
    """Why a WebSocket upgrade would be refused by wsproto's handshake, or None. Checked before the
    application: refused there, it was a 500 and gevent logged its traceback and the request's environ
    (50 lines) for each; a device could send twenty a second."""
    if environ.get("HTTP_UPGRADE", "").lower() != "websocket" and "transport=websocket" not in environ.get(
        "QUERY_STRING", ""
    ):
        return None  # not a WebSocket (an HTTP/2 upgrade is simply not taken up)
    if environ.get("HTTP_UPGRADE", "").lower() != "websocket":
        return "no 'Upgrade: websocket'"
    if "upgrade" not in (t.strip().lower() for t in environ.get("HTTP_CONNECTION", "").split(",")):
        return "no 'Connection: Upgrade'"
    if environ.get("HTTP_SEC_WEBSOCKET_VERSION", "").strip() != "13":
        return "not WebSocket version 13"
    if not environ.get("HTTP_SEC_WEBSOCKET_KEY", "").strip() or not environ.get("HTTP_HOST"):
        return "no Sec-WebSocket-Key or Host"
    return None


def _bad_upgrade(environ, start_response):
    start_response("400 Bad Request", [("Content-Type", "application/json"), ("Connection", "close")])
    return [_error_body("bad_http_request")]


def _length_required(environ, start_response):
    """A body sent without its length (`Transfer-Encoding`, chunked): refused unread, 411. gevent parsed a chunked
    body in Python a byte at a time, its chunks' extensions and its trailers, which count in no limit of the body's
    length, and never gave the event loop a turn while the bytes kept coming: one request of 400 MB of extensions
    (1-byte chunks, 8,000 bytes of extension each) held every kiosk and TV for 55 s, and a 64 KiB body of 1-byte
    chunks cost 59 ms. No browser, phone or print agent sends one (their bodies carry a Content-Length)."""
    start_response("411 Length Required", [("Content-Type", "application/json"), ("Connection", "close")])
    return [_error_body("bad_http_request")]


def handler_class(guard: Guard):
    """gevent's request handler with the limits above, taking turns between connections: a
    keep-alive connection's next request waits for the loop's next turn, so one busy client cannot
    keep the loop to itself (docs/performance.md, "Third round")."""

    class Handler(pywsgi.WSGIHandler):
        served = False

        def peer(self) -> str:
            return _host(self.client_address)

        def address(self) -> str:
            """The device asking: the connection's peer, or, through a proxy of [limits] proxies, the last
            address that proxy put in X-Forwarded-For (the one it saw; any before it the client may have
            written). A header from any other peer is not believed."""
            peer = self.peer()
            headers = getattr(self, "headers", None)
            if peer not in guard.proxies or headers is None:
                return peer
            # the proxy's own entry is the last of the last line: a proxy may add a line of its own (HAProxy)
            # after one the client wrote
            lines = headers.get_all("X-Forwarded-For") or [""]
            return _forwarded_for(lines[-1]) or peer

        def get_environ(self):
            env = super().get_environ()
            env["REMOTE_ADDR"] = self.address()  # what the application's budgets and kiosk list see
            return env

        def read_requestline(self):
            if self.served:
                gevent.sleep(1e-6)  # a timer, not sleep(0): the loop polls every socket before this one goes on
            self.served = True
            self.socket.settimeout(guard.limits.idle_seconds)
            with gevent.Timeout(guard.limits.idle_seconds, TimeoutError("request line")):  # also when it trickles in
                return super().read_requestline()

        def handle_one_request(self):
            """gevent's, with the request line over its 8 KiB (a long query string, a long path) counted in its
            device's budget as any request the parser refuses (_handle_client_error): gevent answered it 414 itself,
            uncounted, so one device had 2,400 a second read and answered (8 KiB each, a new connection each),
            every kiosk's ticket waiting for them."""
            result = super().handle_one_request()
            if isinstance(result, tuple) and result[0] == "414":
                if not guard.invalid_request(self.peer(), ValueError("request line over 8 KiB"), time.monotonic()):
                    gevent.sleep(TARPIT_SECONDS)
                return _LINE_TOO_LONG_ANSWER
            return result

        def read_request(self, raw_requestline):
            with gevent.Timeout(guard.limits.header_seconds, _HeaderTimeout()):
                return super().read_request(raw_requestline)

        def MessageClass(self, fp, *args):  # noqa: N802 (gevent's name)
            return super().MessageClass(_CappedLines(fp), *args)

        def _handle_client_error(self, ex):
            """A request the HTTP parser refused: 400 and the connection closed, counted in its device's
            budget, logged in one line at most a minute (gevent printed a traceback for each)."""
            if isinstance(ex, _HeaderTimeout):
                return _TIMEOUT_ANSWER
            # the peer's: these headers may be the previous request's on a kept-alive proxy connection
            if not guard.invalid_request(self.peer(), ex, time.monotonic()):
                gevent.sleep(TARPIT_SECONDS)
            return _TOO_LARGE_ANSWER if isinstance(ex, _HeadersTooLarge) else _INVALID_ANSWER

        def handle_error(self, t, v, tb):
            """An answer the client did not take: a write that waited READ_SECONDS (it reads nothing, or its
            network went) or failed otherwise. The connection is closed, and one line a minute logged for all
            such: gevent wrote its traceback and the request's environ (37 lines) for each, then tried a 500 on
            the same connection: a device asking for answers it never read, on its 64 connections, up to 14,000
            lines a minute (37 each per connection every 10 s; 3 connections wrote 111 lines in 10 s). Any other error is gevent's, as before (a 500, its traceback)."""
            if issubclass(t, OSError) and str(self.status or "").startswith("socket error"):  # from _sendall
                guard.untaken(self.peer(), v)
                self.close_connection = True
                return
            super().handle_error(t, v, tb)

        def start_response(self, status, headers, exc_info=None):
            # An answer after which the connection is closed says so (gevent adds `Connection: close` for HTTP/1.0
            # only): a 413 to a body past LEFTOVER_BYTES, left unread, kept the connection's promise open, and the
            # client's next request on it (requests, urllib3: a POST is not sent again) met the close, a reset.
            closing = self.close_connection or (isinstance(self.wsgi_input, _Leftover) and self.wsgi_input.closes())
            if closing and not any(name.lower() == "connection" for name, _ in headers):
                headers = [*headers, ("Connection", "close")]
            return super().start_response(status, headers, exc_info)

        def handle_one_response(self):
            # what the application leaves of the body: read within the body's time and LEFTOVER_BYTES, or
            # the connection is closed (_Leftover)
            self.wsgi_input = _Leftover(self.wsgi_input, self, time.monotonic() + guard.limits.body_seconds)
            if not guard.allow_request(self.address()):
                self.application = _too_many
                self.close_connection = True
            elif _too_many_cookies(self.environ.get("HTTP_COOKIE", "")):
                guard.invalid(self.address(), ValueError("Cookie header: too many cookies, or long and quoted"))
                self.application = _cookie_too_large
                self.close_connection = True
            elif "HTTP_TRANSFER_ENCODING" in self.environ:
                guard.invalid(self.address(), ValueError("a body without its length (Transfer-Encoding)"))
                self.application = _length_required
                self.close_connection = True
            elif (problem := _upgrade_problem(self.environ)) is not None:
                guard.invalid(self.address(), ValueError(f"WebSocket upgrade: {problem}"))
                self.application = _bad_upgrade
                self.close_connection = True
            elif self._connection_upgrade_requested():
                self.socket.settimeout(None)  # a WebSocket: Engine.IO's ping/pong decides when it is gone
                try:
                    return super().handle_one_response()
                finally:
                    self.close_connection = True  # once it ends, so does the connection (no wait for a request line)
            else:
                self.socket.settimeout(READ_SECONDS)
                self.environ["wsgi.input"] = _Body(self.environ["wsgi.input"], self, guard.limits.body_seconds)
            return super().handle_one_response()

    return Handler


class GuardedServer(pywsgi.WSGIServer):
    """gevent's WSGI server that refuses a connection past its address's or the server's cap.

    The refusal is made as the connection is accepted, before any greenlet or socket object exists
    for it: one device opening connections as fast as it can (1,200 a second in the abuse bench's
    `login` phase) costs the event loop an accept, a count and a send each, and the loop takes
    turns with everyone else every REFUSED_PER_TURN refusals.
    """

    def __init__(self, listener, application, guard: Guard, **kwargs):
        super().__init__(listener, application, handler_class=handler_class(guard), **kwargs)
        self.guard = guard
        self._answering = None

    def start(self):
        super().start()
        self._answering = gevent.spawn(self._answer_held)

    def stop(self, timeout=None):
        if self._answering is not None:
            self._answering.kill()
        super().stop(timeout)

    def do_read(self):
        for _ in range(REFUSED_PER_TURN):
            try:
                fd, address = self.socket._accept()
            except BlockingIOError:
                return None
            host = _host(address)
            key = self.guard.admit(host)
            if key is not None:  # handed on to `handle`, which lets it go under the same key
                return GeventSocket(self.socket.family, self.socket.type, self.socket.proto, fileno=fd), address, key
            if not self.guard.hold(fd, host, time.monotonic()):
                _refuse(fd, self.socket.family, self.socket.type)
        return None  # the rest waits for the loop's next turn

    def _answer_held(self) -> None:
        """Give the held connections their 503 when it is due, REFUSED_PER_TURN at a time."""
        while True:
            fds = self.guard.due(time.monotonic(), REFUSED_PER_TURN)
            for fd in fds:
                _refuse(fd, self.socket.family, self.socket.type)
            gevent.sleep(1e-6 if len(fds) == REFUSED_PER_TURN else 0.1)

    def handle(self, sock, address, key=None):
        try:
            super().handle(sock, address)
        finally:
            self.guard.release(key if key is not None else device_key(_host(address)))


def _host(address: Any) -> str:
    """The device of a socket's peer address: its IP address as written, an IPv4 device's as IPv4 on a socket that
    takes both (`[server] host = "::"`: Linux gives "::ffff:192.168.1.20"), so that its budget, its connections
    and `[kiosk] addresses`, `[limits] exempt` and `proxies` are of the address the admin writes."""
    host = address[0] if isinstance(address, tuple) else str(address)
    if host[:7].lower() == "::ffff:" and "." in host:
        return host[7:]
    return host


def _refuse(fd: int, family: int, kind: int) -> None:
    """Answer 503 on an accepted descriptor and close it, never waiting: a client that does not
    read, or is gone, gets nothing (a new connection's send buffer always holds the short answer).
    What the client sent meanwhile is read first (as much as has come), so that the close is a
    FIN after the answer rather than a reset that may destroy it."""
    raw = _plain_socket(family, kind, fileno=fd)
    try:
        request = b""
        with suppress(OSError):
            request = raw.recv(65536, socket.MSG_DONTWAIT)
        with suppress(OSError):
            raw.send(_busy_answer(request), socket.MSG_DONTWAIT)
    finally:
        raw.close()


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port` with TCP_NODELAY (accepted sockets inherit it: without it a
    response written in two pieces waits for the client's delayed ACK, about 40 ms on Linux). OSError
    when it cannot be had: a port in use, a host name unknown or an address not of this machine."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        listener.bind(address)
        listener.listen(1024)
    except BaseException:
        listener.close()
        raise
    return listener


def serve_forever(app, host: str, port: int, limits: LimitSettings | None = None, listener=None) -> None:
    """Serve `app` (HTTP and WebSockets through simple-websocket) on `listener`, or on a new one
    on `host`:`port` (listen)."""
    files = raise_fd_limit()
    guard = Guard(limits or LimitSettings(), max_connections=max(64, files - RESERVED_FDS))
    if hasattr(app, "extensions"):
        app.extensions["antrian.guard"] = guard
    if listener is None:
        listener = listen(host, port)
    log.info("open files: %d (at most %d connections, %d per address)", files, guard.max_connections, guard.per_address)
    server = GuardedServer(listener, app, guard, log=None)
    # Ctrl+C (SIGINT) and `systemctl stop` (SIGTERM) ask gevent's loop to stop serving: Python's own
    # SIGINT handler raised KeyboardInterrupt in whichever greenlet ran at that instant, often a
    # connection's, and gevent wrote its traceback; SIGTERM's default ended the process at once, with no
    # word and no orderly stop. The handler only schedules the stop on the loop. A second signal raises
    # KeyboardInterrupt at once, for a loop that does not come back (a long job, a bug).
    asked: list[int] = []

    def interrupted(signum: int, frame: Any) -> None:
        asked.append(signum)
        if len(asked) > 1:
            raise KeyboardInterrupt
        gevent.get_hub().loop.run_callback(server.close)

    previous = {signum: signal.signal(signum, interrupted) for signum in STOP_SIGNALS}
    try:
        server.serve_forever()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
