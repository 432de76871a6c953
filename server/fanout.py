"""The fan-out of one event to every screen in a room, framed once and written from one greenlet.

python-engineio gives every WebSocket client a writer greenlet fed by a queue: a broadcast to 110
screens wakes 110 greenlets, each re-encodes the packet, frames it and makes its own system call,
all in one turn of the event loop before it looks at its sockets again. At 100 displays that turn
is what made the slowest kiosk requests wait (docs/performance.md, "Second round").

Here, under gevent, a broadcast builds the Engine.IO packet and its WebSocket frame once and
writes the frame straight to each client's socket without blocking. A client is written directly
only when nothing of its own is waiting or being written (its engineio queue is empty and no send
holds its lock or waits for it), so every client still receives its messages in order; any other
client (long-polling, a send in progress, a full socket buffer) gets the packet through engineio's
queue as before. The rest of a partly written frame is finished by a greenlet of its own that holds the
client's lock, so engineio's writer waits for it.

WebSocket compression (permessage-deflate) is not offered: every client gets the same frame
bytes, and the messages are small JSON on a local network.
"""

from __future__ import annotations

import socket
import struct
import time
from contextlib import suppress
from typing import Any

from engineio import packet as eio_packet
from socketio import packet as sio_packet

from server.limits import Bucket

NAMESPACE = "/"
MAX_MESSAGE_BYTES = 64 * 1024  # the largest WebSocket message a client may send (server.realtime)
# A client with this many messages waiting for it reads nothing (a live screen is a few behind at
# most): it is closed, and a real screen reconnects and resyncs from a snapshot. A WebSocket's, or a
# long-polling session's that sends its pongs but never polls (its queue grew with every broadcast
# and every ping, for as long as it liked: 2,000 calls in a probe, a day's in an office).
MAX_BACKLOG = 500
# How long one write to a client may wait for it to take the bytes (the whole frame, or the rest of one): past it the
# connection is closed (abort) and a real screen reconnects from a snapshot. A backlog is looked at only when a
# broadcast comes: a client that read nothing but sent its pong blindly every 7 s held its writer blocked for good
# and had engineio queue a ping for it every 7 s, with no broadcast all night or weekend to close it (about 1.4 MB a
# day a connection, at a device's 4,096 addresses' sessions). A browser that reads can answer a ping only after the
# frames before it, so one whose write waits longer than the ping timeout (realtime: 7 + 7 s) is closed by engineio
# already. Float: a test sets it.
SEND_SECONDS = 30.0
# What a client may send over its WebSocket, every kind of frame counted (its pings, the pieces of a message:
# BudgetedServer; server.realtime budgets the Socket.IO packets among them more tightly): a screen sends an
# Engine.IO pong every 7 s (realtime.PING_INTERVAL_S), a packet now and then, and no WebSocket ping.
FRAMES_BURST, FRAMES_PER_SECOND = 100, 5.0
# Bytes a client may send (any frame), and the messages it may have waiting to be handled.
BYTES_BURST, BYTES_PER_SECOND = 128 * 1024, 8 * 1024
MAX_UNREAD = 100


def text_frame(text: str) -> bytes:
    """One unmasked, unfragmented WebSocket text frame (RFC 6455 §5.2), as a server sends it."""
    payload = text.encode("utf-8")
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", 0x81, n)
    elif n < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, n)
    else:
        header = struct.pack("!BBQ", 0x81, 127, n)
    return header + payload


def event_packet(packet_class: type, event: str, data: Any) -> str | None:
    """The Socket.IO EVENT packet of `event` with `data` to the namespace "/", as python-socketio's
    `Packet(EVENT, namespace="/", data=[event, data]).encode()` makes it ("2" and the JSON of the list,
    without spaces), or None when the data holds bytes (a binary packet) or anything else JSON cannot
    say: that packet is python-socketio's to make (or to refuse).

    The Packet looked through the whole of the data for bytes before it wrote any of it (`data_is_binary`:
    a list made at each dict and list of it), twice the cost of the JSON itself; the JSON encoder finds
    bytes on its own, as a TypeError. Another packet class (a server made with its own) is asked as before."""
    if packet_class is not sio_packet.Packet:
        encoded = packet_class(sio_packet.EVENT, namespace=NAMESPACE, data=[event, data]).encode()
        return None if isinstance(encoded, list) else encoded
    try:
        return "2" + packet_class.json.dumps([event, data], separators=(",", ":"))
    except TypeError:
        return None


class FanOut:
    """Broadcasts for a Flask-SocketIO server; `emit(event, data, room)` is socketio.emit's equivalent."""

    def __init__(self, socketio: Any):
        self.socketio = socketio
        self.clients: dict[str, Any] = {}  # engineio sid -> its WebSocket wrapper (gevent only)
        self.direct = 0  # frames written straight to a socket
        self.queued = 0  # packets handed to engineio's queue instead
        self.max_backlog = MAX_BACKLOG
        self.dropped = 0  # clients closed because they stopped reading
        self.enabled = socketio.async_mode == "gevent"
        if self.enabled:
            eio = socketio.server.eio
            eio._async = dict(eio._async, websocket=_wrapper_class(self))

    def trust(self, eio_sid: str, rate: float, burst: float) -> None:
        """A larger frame budget for one client (a print agent whose token was checked)."""
        client = self.clients.get(eio_sid)
        if client is not None:
            client.frames = Bucket(rate, burst)

    def emit(self, event: str, data: Any, room: str) -> None:
        server = self.socketio.server
        if not self.enabled or NAMESPACE not in server.manager.rooms:
            self.socketio.emit(event, data, to=room)
            return
        # a list first: a blocked write elsewhere may let a client join or leave meanwhile
        participants = list(server.manager.get_participants(NAMESPACE, room))
        if not participants:  # nobody to tell (a visitor's own room with no phone page open): nothing to encode
            return
        encoded = event_packet(server.packet_class, event, data)
        if encoded is None:  # binary attachments (or a value JSON cannot say): python-socketio's own way
            self.socketio.emit(event, data, to=room)
            return
        pkt = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        frame = None
        for _sid, eio_sid in participants:
            client = self.clients.get(eio_sid)
            if client is not None:
                if frame is None:
                    frame = text_frame(pkt.encode())
                if client.try_send(frame):
                    self.direct += 1
                    continue
            if client is not None and client.backlog() >= self.max_backlog:
                self.dropped += 1
                client.abort()  # it reads nothing: its queue would grow with every call, for weeks
                continue
            if _expired(server.eio, eio_sid):
                continue
            if client is None and _backlogged(server.eio, eio_sid, self.max_backlog):
                self.dropped += 1
                continue
            self.queued += 1
            server._send_eio_packet(eio_sid, pkt)

    def backlogged(self, eio_sid: str) -> bool:
        """True, and the session closed, when a long-polling session has `max_backlog` packets waiting
        (_backlogged): asked at each of its POSTs too (server.realtime), whatever filled its queue."""
        if not _backlogged(self.socketio.server.eio, eio_sid, self.max_backlog):
            return False
        self.dropped += 1
        return True


def _backlogged(eio: Any, eio_sid: str, limit: int) -> bool:
    """True, and the session closed, when a long-polling session has `limit` packets waiting: it polls no
    more (a client that only POSTs its pongs stays within its ping timeout for ever). Its queue goes
    with it; a real page reconnects and starts again from a snapshot. It leaves the sessions at once (this
    broadcast and the next skip it); its close, which runs the disconnect handlers and looks through every
    room (_expired), is a task of its own, not a step of this broadcast's loop over every session."""
    sock = eio.sockets.get(eio_sid)
    if sock is None or sock.queue.qsize() < limit:
        return False
    eio.sockets.pop(eio_sid, None)
    eio.start_background_task(sock.close, wait=False, abort=True)
    return True


def _expired(eio: Any, eio_sid: str) -> bool:
    """A session closed, closing or past its ping timeout (a long-polling client that stopped polling):
    nothing is queued for it. engineio's send would close an expired one there and then, and python-
    socketio's close looks through every session's room: a broadcast reaching thousands of them closed
    them all in one turn of the loop, and the server answered nothing for minutes. engineio's service
    task closes them instead, one at a time with a pause between."""
    sock = eio.sockets.get(eio_sid)
    if sock is None or sock.closed or sock.closing:
        return True
    last = sock.last_ping
    return bool(last) and time.time() - last > eio.ping_timeout


def _wrapper_class(fanout: FanOut) -> type:
    """engineio's gevent WebSocket wrapper, registering each client with `fanout` while it is open."""
    import gevent
    import simple_websocket
    from engineio.async_drivers.gevent import WebSocketWSGI
    from gevent.lock import Semaphore
    from wsproto.events import BytesMessage, TextMessage

    class BudgetedServer(simple_websocket.Server):
        """simple-websocket's server end, with a budget on what the client sends.

        Its reader reads and parses as long as the socket has data: a client that floods never let
        that reader give the loop back, so no budget further on was ever looked at and every screen
        stopped. Here the reader yields after each read, a client may send BYTES_BURST bytes at once
        and BYTES_PER_SECOND after that, each frame it sends (a ping, a pong, a piece of a message)
        takes one of its connection's frame budget (`owner.frames`), and one with more than MAX_UNREAD
        messages waiting to be handled is closed at once (its reader stops, the socket closes, engineio
        cleans up). Counted as engineio read them, the messages alone had a frame budget: 128 KB of empty
        WebSocket pings (6 bytes each, 21,000 a connection, each parsed and answered) on 32 connections
        of one device, opened again as they closed, made a kiosk's ticket take 0.45 s (p50) instead of 7 ms."""

        def __init__(self, environ, owner: Any = None, **kwargs: Any):
            self.owner = owner  # the FanOutWebSocket whose `frames` budget counts this one's frames
            super().__init__(environ, **kwargs)

        def handshake(self):
            super().handshake()
            budget = Bucket(BYTES_PER_SECOND, BYTES_BURST)
            receive, events, owner = self.ws.receive_data, self.ws.events, self.owner

            def counted(data):
                if data and not budget.take(cost=len(data)):
                    raise OSError("over its budget of bytes")  # the reader's own way to stop
                receive(data)

            def budgeted_events():
                for event in events():
                    if owner is not None and not owner.frames.take():
                        raise OSError("over its budget of frames")  # as past its bytes
                    yield event

            self.ws.receive_data = counted
            self.ws.events = budgeted_events

        def _handle_events(self):
            keep_going = super()._handle_events()
            if len(self.input_buffer) > MAX_UNREAD:
                self.connected = False
                self.event.set()
                return False
            if keep_going:  # (not when closing: the reader must set `connected` before the consumer looks)
                gevent.sleep(0)  # the consumer and every other client run between two reads
            return keep_going

    class FanOutWebSocket(WebSocketWSGI):
        def __call__(self, environ, start_response):
            environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)  # no permessage-deflate: one frame for all
            # simple-websocket gathers a message whole before engineio sees its size: cap it there
            self.server_args = {**self.server_args, "max_message_size": MAX_MESSAGE_BYTES}
            self.lock = Semaphore()
            self.senders = 0  # engineio's writer in send(), holding the lock or waiting for it
            self.frames = Bucket(FRAMES_PER_SECOND, FRAMES_BURST)
            self.engine = getattr(self.app, "__self__", None)  # engineio's Socket of this connection
            sid = getattr(self.engine, "sid", None)
            if sid is not None:
                fanout.clients[sid] = self
            try:
                # what SimpleWebSocketWSGI.__call__ does under gevent, with the budgeted server
                self.ws = BudgetedServer(environ, owner=self, **self.server_args)
                return self.app(self)
            except OSError:
                if getattr(self, "ws", None) is None or self.ws.connected:
                    raise
                # The page left during the upgrade (engineio answered its probe on a socket it had
                # closed): a browser navigating, not a server error, so no traceback in the log.
                return []
            finally:
                if sid is not None and fanout.clients.get(sid) is self:
                    del fanout.clients[sid]

        def send(self, message):
            """engineio's writer: simple-websocket's send, with sendall (its socket.send may write
            part of a frame to a client whose buffer is full and drop the rest), under the lock.
            `senders` counts it from before it waits for the lock: a released lock is not yet taken by
            the writer it wakes, and a broadcast in between wrote its newer frame first (seq 11 before 10)."""
            self.senders += 1
            try:
                with self.lock:
                    ws = self.ws
                    if not ws.connected:
                        raise OSError("WebSocket closed")
                    event = BytesMessage(data=message) if isinstance(message, bytes) else TextMessage(data=str(message))
                    self._send_within(ws.ws.send(event))
            finally:
                self.senders -= 1

        def try_send(self, frame: bytes) -> bool:
            """Write `frame` now if nothing else of this client's is pending; False: queue it instead."""
            engine, ws = self.engine, getattr(self, "ws", None)
            if (
                ws is None
                or not ws.connected
                or self.lock.locked()
                or self.senders
                or engine.closing
                or engine.closed
                or not engine.upgraded
                or engine.upgrading
                or not engine.queue.empty()
            ):
                return False
            try:
                sent = ws.sock._sock.send(frame)  # the OS socket (non-blocking under gevent): never waits
            except BlockingIOError:
                return False
            except OSError:
                return True  # the client is gone; its reader notices and engineio cleans up
            if sent < len(frame):
                self.lock.acquire()
                gevent.spawn(self._finish, frame[sent:])
            return True

        def backlog(self) -> int:
            """Messages waiting in engineio's queue for this client."""
            return self.engine.queue.qsize()

        def abort(self) -> None:
            """Close the connection under its reader and writer: both fail at once and engineio
            cleans up (a writer blocked on a client that reads nothing would wait for ever)."""
            with suppress(OSError):
                self.ws.sock.shutdown(socket.SHUT_RDWR)

        def _send_within(self, data: bytes) -> None:
            """sendall, given up after SEND_SECONDS: the connection closed under its reader and writer then (a frame
            half written cannot be taken back), and OSError, as for a client gone."""
            timer = gevent.Timeout(SEND_SECONDS)
            timer.start()
            try:
                self.ws.sock.sendall(data)
            except gevent.Timeout as e:
                if e is not timer:
                    raise
                fanout.dropped += 1
                self.abort()
                raise OSError(f"WebSocket client took nothing for {SEND_SECONDS:g} s") from None
            finally:
                timer.close()

        def _finish(self, rest: bytes) -> None:
            try:
                self._send_within(rest)
            except OSError:  # the client is gone: its reader notices, engineio closes the connection
                with suppress(OSError):
                    self.ws.sock.shutdown(socket.SHUT_RDWR)
            finally:
                self.lock.release()

    return FanOutWebSocket
