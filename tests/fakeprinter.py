"""A network receipt printer on 127.0.0.1 that records what it receives (for tests)."""

from __future__ import annotations

import socket
import threading

from printers import PrinterConfig

DLE, EOT = b"\x10", b"\x04"
STATUS_ONLINE = DLE + EOT + b"\x01"
STATUS_PAPER = DLE + EOT + b"\x04"


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
            # Answer each real-time status query once, even if split across reads.
            while True:
                hits = [(self.received.find(q, scanned), q) for q in self.answers]
                hits = [(i, q) for i, q in hits if i >= 0]
                if not hits:
                    scanned = max(scanned, len(self.received) - 2)
                    break
                i, q = min(hits)
                scanned = i + len(q)
                if self.answers[q]:
                    conn.sendall(self.answers[q])

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
