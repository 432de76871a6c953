"""The broadcast fast path (server/fanout.py) and the request handler that takes turns (server/cli.py).

Both only act under gevent, so each test runs a script in a gevent-patched Python of its own: the
real app and gevent's WSGI server on a loopback port, with raw WebSocket clients written here
(frames parsed by hand, so that what the server writes is checked byte by byte).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from conftest import ROOT
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request, TextMessage

from server.fanout import text_frame


def wsproto_frame(text: str) -> bytes:
    """The frame wsproto (the library simple-websocket uses) writes for `text` on a server connection."""
    client, server = WSConnection(ConnectionType.CLIENT), WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="x", target="/")))
    list(server.events())
    server.send(AcceptConnection())
    return server.send(TextMessage(data=text))


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 200_000])
def test_text_frame_is_the_frame_wsproto_writes(size):
    text = ("Dédé " * (size // 6 + 1))[:size]
    assert text_frame(text) == wsproto_frame(text)


CLIENT = textwrap.dedent(
    '''
    import base64, json, os, socket, struct

    class RawClient:
        """A WebSocket client on a plain socket: the handshake, masked frames out, unmasked frames in."""

        def __init__(self, port, rcvbuf=None, offer_deflate=True):
            self.sock = socket.socket()
            if rcvbuf:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            self.sock.connect(("127.0.0.1", port))
            key = base64.b64encode(os.urandom(16)).decode()
            head = (
                f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\\r\\nHost: 127.0.0.1:{port}\\r\\n"
                f"Upgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: {key}\\r\\n"
                "Sec-WebSocket-Version: 13\\r\\n"
            )
            if offer_deflate:  # as Chromium does
                head += "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\\r\\n"
            self.sock.sendall((head + "\\r\\n").encode())
            self.buf = b""
            while b"\\r\\n\\r\\n" not in self.buf:
                self.buf += self.sock.recv(4096)
            self.response, self.buf = self.buf.split(b"\\r\\n\\r\\n", 1)

        def send(self, text):
            data, mask = text.encode(), os.urandom(4)
            masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            n = len(data)
            head = struct.pack("!BB", 0x81, 0x80 | n) if n < 126 else struct.pack("!BBH", 0x81, 0x80 | 126, n)
            self.sock.sendall(head + mask + masked)

        def _need(self, n):
            while len(self.buf) < n:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("closed")
                self.buf += chunk

        def receive(self):
            """The next text message (answering Engine.IO pings)."""
            while True:
                self._need(2)
                b0, b1 = self.buf[0], self.buf[1]
                assert b0 == 0x81, f"not a final text frame: {b0:#x}"  # also: RSV1 (compression) unset
                assert not b1 & 0x80, "server frames are not masked"
                n, at = b1 & 0x7F, 2
                if n == 126:
                    self._need(4)
                    n, at = struct.unpack("!H", self.buf[2:4])[0], 4
                elif n == 127:
                    self._need(10)
                    n, at = struct.unpack("!Q", self.buf[2:10])[0], 10
                self._need(at + n)
                text, self.buf = self.buf[at : at + n].decode(), self.buf[at + n :]
                if text == "2":
                    self.send("3")
                    continue
                return text

        def event(self):
            """The next Socket.IO event as (name, data)."""
            while True:
                text = self.receive()
                if text.startswith("42"):
                    return tuple(json.loads(text[2:])[:2])

        def join(self, role="display"):
            assert self.receive().startswith("0")  # Engine.IO open
            self.send("40" + json.dumps({"role": role}))
            name, snapshot = self.event()
            assert name == "snapshot", name
            return snapshot
    '''
)


def run_script(tmp_path, body: str, timeout: float = 60) -> dict:
    """Run `body` under gevent with CLIENT's helpers and a live app on `port`; its last line is JSON. Under
    pytest the script is forked from tests/forkserver.py's `serve` process (gevent's patches applied, the
    server imported: tests/live.py Forked), not started in a new interpreter: the same script in a process
    of its own, without 1.5 s of imports each."""
    from conftest import write_config
    from live import Forked, LiveServer

    config = write_config(tmp_path)
    script = textwrap.dedent(
        """
        from gevent import monkey
        monkey.patch_all()
        import json, socket, sys
        import gevent
        from server.app import create_app
        from server.httpserver import serve_forever
        from server.workers import start_workers
        """
    )
    script += CLIENT
    script += textwrap.dedent(
        """
        app = create_app(sys.argv[1], async_mode="gevent")
        start_workers(app)
        service = app.extensions["antrian"]
        fan = app.extensions["antrian.socketio"].antrian_fanout
        probe = socket.socket(); probe.bind(("127.0.0.1", 0)); port = probe.getsockname()[1]; probe.close()
        gevent.spawn(serve_forever, app, "127.0.0.1", port)
        for _ in range(400):  # until it listens: a fixed 0.2 s lost the race on a busy machine
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                gevent.sleep(0.025)

        def visitor(i):
            return {"service": "A", "name": f"Dédé {i}", "agency": "PT Maju", "address": "Jl. Merdeka 1",
                    "phone": "081234567890", "problem": "Tidak bisa login ke SPSE"}
        """
    )
    script += textwrap.dedent(body)
    if not LiveServer.fork:
        out = subprocess.run(
            [sys.executable, "-c", script, str(config)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert out.returncode == 0, out.stderr[-3000:]
        return json.loads(out.stdout.strip().splitlines()[-1])
    path, stdout, stderr = tmp_path / "fanout_script.py", tmp_path / "stdout", tmp_path / "stderr"
    path.write_text(script, encoding="utf-8")
    proc = Forked("serve", [sys.executable, str(path), str(config)], dict(os.environ), stdout, stderr)
    try:
        returncode = proc.wait(timeout)
    finally:
        proc.kill()
    assert returncode == 0, stderr.read_text(encoding="utf-8", errors="replace")[-3000:]
    return json.loads(stdout.read_text(encoding="utf-8").strip().splitlines()[-1])


def test_broadcast_is_written_once_framed_to_every_websocket_in_seq_order(tmp_path):
    result = run_script(
        tmp_path,
        """
        clients = [RawClient(port) for _ in range(5)]
        first = [c.join() for c in clients]
        for i in range(10):
            service.issue(visitor(i), printed=False)
        gevent.sleep(0.3)
        seqs = []
        for c in clients:
            got = []
            while len(got) < 10:
                name, data = c.event()
                got += [e["seq"] for e in (data if name == "events" else [data])]
            seqs.append(got)
        registered = len(fan.clients)
        for c in clients:
            c.sock.close()
        for _ in range(750):  # until engineio notices the closed connections (15 s at most: a busy machine)
            if not fan.clients:
                break
            gevent.sleep(0.02)
        print(json.dumps({
            "snap": [s["seq"] for s in first], "seqs": seqs, "direct": fan.direct, "queued": fan.queued,
            "responses": [c.response.decode("latin-1") for c in clients],
            "registered": registered, "left": len(fan.clients),
        }))
        """,
    )
    snap = result["snap"][0]
    assert all(s == snap for s in result["snap"])
    assert all(seqs == list(range(snap + 1, snap + 11)) for seqs in result["seqs"]), result["seqs"]
    assert result["direct"] >= 5 and result["queued"] == 0, result  # at least one batch, all five direct
    assert (result["registered"], result["left"]) == (5, 0)  # a closed connection leaves the fan-out
    for response in result["responses"]:  # the offer of compression is declined: one frame fits all
        assert response.startswith("HTTP/1.1 101")
        assert "sec-websocket-extensions" not in response.lower()


def test_a_client_with_a_send_in_progress_gets_the_event_through_its_queue_in_order(tmp_path):
    result = run_script(
        tmp_path,
        """
        busy, other = RawClient(port), RawClient(port)
        snap = busy.join()["seq"]
        other.join()
        ws = list(fan.clients.values())[0]  # the busy one's wrapper: registered first, as it connected first
        ws.lock.acquire()  # as if engineio's writer were in the middle of a frame
        service.issue(visitor(1), printed=False)
        gevent.sleep(0.1)
        service.issue(visitor(2), printed=False)  # its queue is not empty now: queued again, behind
        gevent.sleep(0.1)
        queued_while_busy = fan.queued
        ws.lock.release()
        gevent.sleep(0.2)
        got = {}
        for name, c in (("busy", busy), ("other", other)):
            seqs = []
            while len(seqs) < 2:
                n, data = c.event()
                seqs += [e["seq"] for e in (data if n == "events" else [data])]
            got[name] = seqs
        print(json.dumps({"snap": snap, "got": got, "queued": queued_while_busy, "direct": fan.direct}))
        """,
    )
    want = [result["snap"] + 1, result["snap"] + 2]
    assert result["got"] == {"busy": want, "other": want}
    assert result["queued"] == 2  # both events of the busy client, and only those
    assert result["direct"] == 2  # the other client's


def test_a_broadcast_just_after_a_send_releases_its_lock_waits_behind_the_writer_it_woke(tmp_path):
    """The lock of a client's send released (a partly written frame finished, server/fanout.py `_finish`) wakes
    engineio's writer, which waits for it with the client's next message, taken from its queue; gevent runs that
    writer later. A broadcast in between found the lock free and the queue empty and wrote its newer frame first:
    a TV got seq 11 before 10 under load (CI's tests/test_realtime.py). The lock is released here by hand, as
    `_finish` does, and the broadcast made at once, before the writer runs."""
    result = run_script(
        tmp_path,
        """
        client = RawClient(port)
        client.join()
        ws = list(fan.clients.values())[0]
        ws.lock.acquire()  # as if the rest of a partly written frame were being written
        fan.emit("mark", {"i": 1}, "public")  # queued: its writer takes it and waits for the lock
        for _ in range(500):
            if ws.engine.queue.empty():
                break
            gevent.sleep(0.01)
        taken = ws.engine.queue.empty()
        ws.lock.release()  # the writer is woken, not yet run
        fan.emit("mark", {"i": 2}, "public")  # no yield between: the broadcast comes first
        got = [client.event()[1]["i"] for _ in range(2)]
        print(json.dumps({"taken": taken, "got": got}))
        """,
    )
    assert result["taken"], "the writer never took the first message from the queue"
    assert result["got"] == [1, 2]


def test_a_client_that_stops_reading_gets_every_frame_whole_and_in_order_later(tmp_path):
    result = run_script(
        tmp_path,
        """
        slow = RawClient(port, rcvbuf=4096)
        slow.join()
        fast = RawClient(port)
        fast.join()
        for c in fan.clients.values():  # small kernel buffers on the server's side too: they fill soon
            c.ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)
        big = "x" * 60_000
        for i in range(40):  # 2.4 MB to clients that read nothing meanwhile
            fan.emit("bulk", {"i": i, "pad": big}, "public")
            gevent.sleep(0)
        fast_got = [fast.event()[1]["i"] for _ in range(40)]
        gevent.sleep(0.2)
        slow_got = []
        while len(slow_got) < 40:
            name, data = slow.event()
            assert data["pad"] == big
            slow_got.append(data["i"])
        print(json.dumps({"fast": fast_got, "slow": slow_got, "queued": fan.queued}))
        """,
    )
    assert result["fast"] == list(range(40))
    assert result["slow"] == list(range(40))
    assert result["queued"] > 0  # the full buffer sent later frames through engineio's queue


def test_a_client_that_reads_nothing_for_long_is_closed_not_queued_for_ever(tmp_path):
    result = run_script(
        tmp_path,
        """
        slow = RawClient(port, rcvbuf=4096)
        slow.join()
        fast = RawClient(port)
        fast.join()
        for c in fan.clients.values():
            c.ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)
        fan.max_backlog = 5
        big = "x" * 60_000
        reader = gevent.spawn(lambda: [fast.event()[1]["i"] for _ in range(40)])  # a screen that reads
        for i in range(40):
            fan.emit("bulk", {"i": i, "pad": big}, "public")
            gevent.sleep(0.01)
        fast_got = reader.get(timeout=20)
        for _ in range(750):  # engineio notices the closed connection and forgets the client (15 s at most)
            if len(fan.clients) == 1:
                break
            gevent.sleep(0.02)
        slow_got = []
        try:
            while True:
                slow_got.append(slow.event()[1]["i"])
        except (ConnectionError, OSError):
            pass
        print(json.dumps({"fast": fast_got, "slow": slow_got, "dropped": fan.dropped, "clients": len(fan.clients)}))
        """,
    )
    assert result["fast"] == list(range(40))  # the reading client lost nothing
    assert result["dropped"] == 1 and result["clients"] == 1
    assert result["slow"] == list(range(len(result["slow"])))  # what got through was whole and in order
    assert len(result["slow"]) < 40


def test_a_client_that_reads_nothing_but_sends_its_pongs_is_closed_once_a_write_waits_too_long(tmp_path):
    """A client that read nothing but sent its pong blindly every 7 s held engineio's writer blocked in a write for
    good, and engineio queued a ping for it every 7 s: only a broadcast looks at the backlog (MAX_BACKLOG), and with
    none all night or weekend nothing closed it. A write that waits SEND_SECONDS (1 s here) closes the connection;
    the client that reads loses nothing."""
    result = run_script(
        tmp_path,
        """
        import contextlib, time
        import server.fanout
        server.fanout.SEND_SECONDS = 1.0
        slow = RawClient(port, rcvbuf=4096)
        slow.join()
        fast = RawClient(port)
        fast.join()
        for c in fan.clients.values():
            c.ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)
        big = "x" * 60_000
        for i in range(3):  # 180 KB, more than the two kernels' buffers hold for the slow one; then no broadcast
            fan.emit("bulk", {"i": i, "pad": big}, "public")
            gevent.sleep(0)
        fast_got = [fast.event()[1]["i"] for _ in range(3)]
        start, closed = time.monotonic(), None
        while time.monotonic() - start < 8:
            with contextlib.suppress(OSError):  # the server closed it: what this waits for, said by fan.clients
                slow.send("3")  # its pong, as if it had read the ping
            if len(fan.clients) == 1:
                closed = round(time.monotonic() - start, 2)
                break
            gevent.sleep(0.25)
        print(json.dumps({"fast": fast_got, "closed": closed, "dropped": fan.dropped}))
        """,
    )
    assert result["fast"] == [0, 1, 2]  # the reading client lost nothing
    assert result["closed"] is not None, "the client that reads nothing was still open 8 s later"
    assert result["dropped"] == 1


def test_a_keep_alive_connection_takes_turns_with_the_others(tmp_path):
    """Three connections each send one request, a fourth sends two at once (pipelined): its second
    request is served after the other three, not straight after its first."""
    result = run_script(
        tmp_path,
        """
        import time
        order = []

        def app_(environ, start_response):
            order.append(environ["PATH_INFO"])
            t = time.perf_counter()
            while time.perf_counter() - t < 0.002:  # a request's CPU work: the loop is busy meanwhile
                pass
            start_response("200 OK", [("Content-Length", "2")])
            return [b"ok"]

        probe2 = socket.socket(); probe2.bind(("127.0.0.1", 0)); port2 = probe2.getsockname()[1]; probe2.close()
        gevent.spawn(serve_forever, app_, "127.0.0.1", port2)
        for _ in range(400):  # until it listens
            try:
                socket.create_connection(("127.0.0.1", port2), timeout=1).close()
                break
            except OSError:
                gevent.sleep(0.025)
        raw = monkey.get_original("socket", "socket")
        conns = {}
        for name in "bcda":
            s = raw(); s.connect(("127.0.0.1", port2))
            conns[name] = s
        gevent.sleep(0.2)  # every connection accepted, each handler waiting for its first request
        req = lambda path: f"GET /{path} HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n".encode()
        for name in "bcd":
            conns[name].sendall(req(name))
        conns["a"].sendall(req("a1") + req("a2"))
        for _ in range(500):  # until all five are served (10 s at most), and a moment for any more
            if len(order) >= 5:
                break
            gevent.sleep(0.02)
        gevent.sleep(0.05)
        print(json.dumps({"order": order}))
        """,
    )
    order = result["order"]
    assert sorted(order) == ["/a1", "/a2", "/b", "/c", "/d"]
    assert order.index("/a2") > max(order.index(p) for p in ("/b", "/c", "/d")), order
