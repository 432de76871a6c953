"""Receipt printers for tests that record what they receive and answer DLE EOT status queries:
one on a TCP port of 127.0.0.1, one at the far end of a pseudo-terminal (a serial printer)."""

from __future__ import annotations

import os
import pty
import select
import socket
import threading
import time
import tty
from collections.abc import Callable

from printers import PrinterConfig

DLE, EOT = b"\x10", b"\x04"
STATUS_ONLINE = DLE + EOT + b"\x01"
STATUS_PAPER = DLE + EOT + b"\x04"


def answer_queries(received: bytearray, scanned: int, answers: dict[bytes, bytes], send: Callable) -> int:
    """Answer each real-time status query in `received` after `scanned` once (even if split across
    reads); the new scan position."""
    while True:
        hits = [(received.find(q, scanned), q) for q in answers]
        hits = [(i, q) for i, q in hits if i >= 0]
        if not hits:
            return max(scanned, len(received) - 2)
        i, q = min(hits)
        scanned = i + len(q)
        if answers[q]:
            send(answers[q])


class FakeNetworkPrinter:
    """A listening socket on 127.0.0.1 that records what it receives and answers DLE EOT queries."""

    def __init__(self, *, reads: bool = True, online: bytes = b"\x12", paper: bytes = b"\x12", port: int = 0) -> None:
        self.reads = reads
        self.answers = {STATUS_ONLINE: online, STATUS_PAPER: paper}
        self.received = bytearray()
        self.closed_by_client = threading.Event()
        self._stop = threading.Event()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # A small receive window so a non-reading printer fills up quickly, as a real one would.
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self._listener.bind(("127.0.0.1", port))
        self._listener.listen(1)
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        conns = []
        try:
            while not self._stop.is_set():
                try:
                    conn, _ = self._listener.accept()
                except TimeoutError:
                    continue
                conns.append(conn)
                conn.settimeout(0.05)
                if self.reads:
                    self._read(conn)
        finally:
            for conn in conns:
                conn.close()

    def _read(self, conn: socket.socket) -> None:
        scanned = 0
        while not self._stop.is_set():
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                self.closed_by_client.set()
                return
            self.received += chunk
            scanned = answer_queries(self.received, scanned, self.answers, conn.sendall)

    def config(self, **changes) -> PrinterConfig:
        return PrinterConfig.from_dict(
            "kiosk", {"type": "network", "host": "127.0.0.1", "port": self.port, "profile": "TM-T20II", **changes}
        )

    def wait_for_close(self) -> bytes:
        assert self.closed_by_client.wait(5), "the printer connection was never closed"
        return bytes(self.received)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()


class FakeSerialPrinter:
    """A serial printer behind a pseudo-terminal: pyserial opens `device` as it would /dev/ttyUSB0."""

    def __init__(self, *, online: bytes = b"\x12", paper: bytes = b"\x12") -> None:
        self.answers = {STATUS_ONLINE: online, STATUS_PAPER: paper}
        self.received = bytearray()
        self._master, self._slave = pty.openpty()  # the slave stays open here: the line outlives a close
        tty.setraw(self._master)
        self.device = os.ttyname(self._slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        scanned = 0
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self._master, 65536)
            except OSError:
                return
            self.received += chunk
            scanned = answer_queries(self.received, scanned, self.answers, lambda b: os.write(self._master, b))

    def config(self, **changes) -> PrinterConfig:
        return PrinterConfig.from_dict(
            "kiosk", {"type": "serial", "device": self.device, "baudrate": 19200, "profile": "TM-T20II", **changes}
        )

    def wait_for(self, size: int, timeout: float = 5.0) -> bytes:
        """What the printer has received once it is at least `size` bytes (or the timeout passed)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < size and time.monotonic() < deadline:
            time.sleep(0.02)
        return bytes(self.received)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        os.close(self._master)
        os.close(self._slave)
