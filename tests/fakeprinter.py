"""Receipt printers for tests that record what they receive and answer DLE EOT status queries:
one on a TCP port of 127.0.0.1, one at the far end of a pseudo-terminal (a serial printer), and a
USB one behind pyusb's backend interface (no USB device can exist here).

Each also keeps, in `held`, what it was sent while not ready (offline or out of paper, as its
`answers` say), status queries left out: what a real ESC/POS printer keeps in its buffer and prints
once the paper is loaded or the cover closed, one copy more for every job sent to it meanwhile.

A status answer of b"" (`online=b""`) is none: the printer reads and prints, but never answers a query,
as many cheap ones. Each fake is a new printer at its address: what a check_status = "auto" job learnt
there of an earlier one (a port, a pseudo-terminal or a USB id used again) is forgotten when it starts."""

from __future__ import annotations

import json
import os
import pty
import select
import socket
import struct
import threading
import time
import tty
from collections.abc import Callable
from types import SimpleNamespace

import usb.backend
import usb.core

from printers import PrinterConfig
from printers.transport import forget_status

DLE, EOT = b"\x10", b"\x04"
STATUS_ONLINE = DLE + EOT + b"\x01"
STATUS_PAPER = DLE + EOT + b"\x04"
# Answers to the paper query (DLE EOT 4; bits 1 and 4 are always set): paper in; the roll nearly used up (the
# near-end sensor, bits 2 and 3: it still prints); out of paper (the roll end sensor, bits 5 and 6: it keeps
# what it is sent). A real printer near its roll's end sets the near-end bits too when it runs out.
PAPER_IN, PAPER_NEAR_END, PAPER_OUT = b"\x12", b"\x1e", b"\x7e"
KIOSK_DUMMY = '[printers.kiosk]\ntype = "dummy"'  # the kiosk's printer in conftest.write_config's config.toml


def ready(answers: dict[bytes, bytes]) -> bool:
    """Whether a printer answering `answers` prints what it receives: online (DLE EOT 1, bit 3 clear) and
    with paper (DLE EOT 4, bits 5 and 6 not both set)."""
    online, paper = answers.get(STATUS_ONLINE) or b"\x12", answers.get(STATUS_PAPER) or b"\x12"
    return not online[0] & 0x08 and paper[0] & 0x60 != 0x60


def not_printable(chunk: bytes, answers: dict[bytes, bytes]) -> bytes:
    """What of `chunk` a printer in the state `answers` keeps for later: nothing when it is ready, else all
    of it but the status queries (which a printer answers at once, whatever its state)."""
    return b"" if ready(answers) else bytes(chunk).replace(STATUS_ONLINE, b"").replace(STATUS_PAPER, b"")


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
    """A listening socket on 127.0.0.1 that records what it receives (all connections, in `received`) and
    answers each connection's DLE EOT queries from `answers`, which a test may change between jobs
    (`answers[STATUS_PAPER] = b"\\x72"`: out of paper until it is set back; PAPER_NEAR_END: the roll nearly used
    up, printing still)."""

    def __init__(
        self,
        *,
        reads: bool = True,
        online: bytes = b"\x12",
        paper: bytes = b"\x12",
        port: int = 0,
        resets_on_query: bool = False,
        hangs_up_after: int | None = None,
        runs_out_after: float | None = None,
    ) -> None:
        self.reads = reads
        # the roll ends this many seconds after the first job's bytes came (once): a paper query answered later says
        # PAPER_OUT until a test sets another answer; one answered before still said paper in, as a real printer
        # answers as the query arrives, while it is still printing what came before it
        self.runs_out_after = runs_out_after
        self.job_at: float | None = None  # when the last job's bytes came, on any connection
        # when the job the roll ends in came (runs_out_after): the first job's bytes since the printer started, so
        # that the roll ends inside that slip even if more jobs follow at once (a burst)
        self.roll_job_at: float | None = None
        # the first connection that sends a job is reset once the printer has taken this many of its bytes (status
        # queries not counted), the rest left unread: a printer restarted or off the Wi-Fi halfway through a ticket;
        # the next connection is served whole (the printer is back)
        self.hangs_up_after = hangs_up_after
        # a connection sent a status query is reset instead of answered (the client's read fails with
        # ECONNRESET): what it was sent is recorded, and the next connection is served anew
        self.resets_on_query = resets_on_query
        self.answers = {STATUS_ONLINE: online, STATUS_PAPER: paper}
        self.received = bytearray()
        self.held = bytearray()  # sent while not ready: printed late, when the paper is loaded
        self.closed_by_client = threading.Event()
        self.at_job_close = b""  # `received` when the last connection that sent a job was closed (wait_for_close)
        self.closes = 0  # connections the client closed, each read to its end
        self.query_closes: list[float] = []  # when each connection of status queries alone was closed (monotonic)
        self._stop = threading.Event()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # A small receive window so a non-reading printer fills up quickly, as a real one would.
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self._listener.bind(("127.0.0.1", port))
        self._listener.listen(1)
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        forget_status(f"127.0.0.1:{self.port}")
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
        """Record one connection's bytes and answer its queries: only its own (scanning everything ever
        received sent later connections the answers to earlier ones first, so that an out-of-paper printer
        "printed" on a stale answer), each with the state in `answers` when it comes."""
        mine = bytearray()
        scanned = 0
        while not self._stop.is_set():
            try:
                size = 65536
                if self.hangs_up_after is not None:
                    size = self.hangs_up_after - len(bytes(mine).replace(STATUS_ONLINE, b"").replace(STATUS_PAPER, b""))
                    if size <= 0:
                        self.hangs_up_after = None  # once: back for the next connection
                        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        conn.close()  # an RST: what it has not read is thrown away
                        return
                chunk = conn.recv(size)
                if not chunk:
                    break
                self.received += chunk
                self.held += not_printable(chunk, self.answers)
                mine += chunk
                if bytes(chunk).replace(STATUS_ONLINE, b"").replace(STATUS_PAPER, b""):
                    self.job_at = time.monotonic()  # a job's bytes: the printer prints them from now
                    if self.roll_job_at is None:
                        self.roll_job_at = self.job_at
                self._run_out()
                if self.resets_on_query and any(query in mine for query in self.answers):
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    conn.close()  # an RST, not a FIN
                    return
                scanned = answer_queries(mine, scanned, self.answers, conn.sendall)
            except TimeoutError:
                continue
            except OSError:  # the client hung up before reading an answer (a reset, a broken pipe)
                break
        else:
            return  # stopped by the test, not closed by the client
        self.closes += 1
        if bytes(mine).replace(STATUS_ONLINE, b"").replace(STATUS_PAPER, b"") or not mine:  # not queries alone
            self.at_job_close = bytes(self.received)
            self.closed_by_client.set()
        else:
            self.query_closes.append(time.monotonic())

    def config(self, **changes) -> PrinterConfig:
        return PrinterConfig.from_dict(
            "kiosk", {"type": "network", "host": "127.0.0.1", "port": self.port, "profile": "TM-T20II", **changes}
        )

    def table(self, name: str = "kiosk", **options) -> str:
        """config.toml's [printers.NAME] table of this printer, with `options` (timeout=1, check_status=True, ...)."""
        lines = [f"[printers.{name}]", 'type = "network"', 'host = "127.0.0.1"', f"port = {self.port}"]
        return "\n".join(lines + [f"{key} = {json.dumps(value)}" for key, value in options.items()])

    def as_kiosk(self, **options) -> dict[str, str]:
        """conftest.write_config's `replace` that puts the kiosk's printer on this one, with `options`."""
        return {KIOSK_DUMMY: self.table("kiosk", **options)}

    def wait_for_close(self) -> bytes:
        """What the printer had received when a connection that sent more than status queries was closed (a
        job's; a print worker asks the status of a check_status = "auto" printer alone when it starts): not what
        came after it, as the worker's own asking of the paper after a slip (server/printing.py _recheck_slip),
        which a test loaded by the rest of the suite read with the slip."""
        assert self.closed_by_client.wait(15), "the printer connection was never closed"
        return self.at_job_close

    def wait_for_query_after(self, since: float, timeout: float = 15.0) -> None:
        """Wait for a connection of status queries alone closed at `since` (monotonic) or later: a print worker's
        asking of its printer's paper after a slip (server/printing.py _recheck_slip), whenever it comes and
        however long the test took to look."""
        deadline = time.monotonic() + timeout
        while not any(at >= since for at in self.query_closes):
            assert time.monotonic() < deadline, (
                f"no status query came after {since:.2f} (closes at {self.query_closes})"
            )
            time.sleep(0.01)

    def wait_for_closes(self, count: int, timeout: float = 15.0) -> bytes:
        """What the printer has received once `count` connections have been closed by the client (each job
        one), all they sent read."""
        deadline = time.monotonic() + timeout
        while self.closes < count:
            assert time.monotonic() < deadline, f"{self.closes} of {count} connections closed"
            time.sleep(0.01)
        return bytes(self.received)

    def _run_out(self) -> None:
        """runs_out_after: the roll ends that long after the first job's bytes came (roll_job_at), seen by any query
        answered since (the same connection's, or another's: a print worker asking again later, or before its next
        job)."""
        if self.runs_out_after is not None and self.roll_job_at is not None:
            if time.monotonic() - self.roll_job_at >= self.runs_out_after:
                self.runs_out_after = None
                self.answers[STATUS_PAPER] = PAPER_OUT  # the roll ended while the job was printing

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()


class FakeSerialPrinter:
    """A serial printer behind a pseudo-terminal: pyserial opens `device` as it would /dev/ttyUSB0."""

    def __init__(self, *, online: bytes = b"\x12", paper: bytes = b"\x12", hang_up_on: bytes | None = None) -> None:
        self.answers = {STATUS_ONLINE: online, STATUS_PAPER: paper}
        self.hang_up_on = hang_up_on  # the line goes (the master side closed) once these bytes arrive
        self.received = bytearray()
        self.held = bytearray()  # sent while not ready: printed late, when the paper is loaded
        self._master, self._slave = pty.openpty()  # the slave stays open here: the line outlives a close
        tty.setraw(self._master)
        self.device = os.ttyname(self._slave)
        forget_status(self.device)
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
            if self.hang_up_on is not None and self.hang_up_on in self.received:
                self.hang_up()
                return
            self.held += not_printable(chunk, self.answers)
            scanned = answer_queries(self.received, scanned, self.answers, lambda b: os.write(self._master, b))

    def hang_up(self) -> None:
        """The line gone, as a USB serial adapter pulled out: the slave side reads and drains with EIO."""
        if self._master is not None:
            os.close(self._master)
            self._master = None

    def config(self, **changes) -> PrinterConfig:
        return PrinterConfig.from_dict(
            "kiosk", {"type": "serial", "device": self.device, "baudrate": 19200, "profile": "TM-T20II", **changes}
        )

    def wait_for(self, size: int, timeout: float = 15.0) -> bytes:
        """What the printer has received once it is at least `size` bytes (or the timeout passed)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < size and time.monotonic() < deadline:
            time.sleep(0.02)
        return bytes(self.received)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.hang_up()
        os.close(self._slave)


BULK, INTERRUPT = 0x02, 0x03  # bmAttributes of an endpoint descriptor (its transfer type)


class FakeUsbPrinter(usb.backend.IBackend):
    """A USB printer as pyusb's backend sees one, in place of libusb: pyusb builds its own Device,
    Configuration, Interface and Endpoint objects from these descriptors and writes and reads through
    them, so an endpoint the device does not have fails as on a real one ("Invalid endpoint address").

    By default the common 58 mm POS58 printer, USB 0416:5011, whose one printer-class interface has
    bulk IN 0x81 and bulk OUT 0x03 (not python-escpos's defaults, OUT 0x01 and IN 0x82)."""

    def __init__(
        self,
        *,
        vendor_id: int = 0x0416,
        product_id: int = 0x5011,
        interfaces: tuple[tuple[int, tuple[tuple[int, int], ...]], ...] = ((7, ((0x81, BULK), (0x03, BULK))),),
        online: bytes = b"\x12",
        paper: bytes = b"\x12",
        read_error: usb.core.USBError | None = None,
    ) -> None:
        self.vendor_id, self.product_id = vendor_id, product_id
        self.read_error = read_error  # what each read raises (errno EPIPE, "Pipe error": an IN endpoint that stalls)
        self.plugged = True  # False: not on the bus (pyusb finds no such device)
        self.interfaces = interfaces  # (bInterfaceClass, ((bEndpointAddress, bmAttributes), ...)), ...
        self.answers = {STATUS_ONLINE: online, STATUS_PAPER: paper}
        self.configuration = 0  # unconfigured until set
        self.writes: list[tuple[int, bytes]] = []  # (endpoint, data) of each bulk write
        self.reads: list[int] = []  # the endpoint of each bulk read
        self.received = bytearray()
        self.held = bytearray()  # sent while not ready: printed late, when the paper is loaded
        self._scanned = 0
        self._pending = bytearray()  # status answers not read yet
        self.handles_open = 0
        self.claimed: set[int] = set()  # the interfaces claimed now (released when the printer is closed)
        self.claims: list[int] = []  # every interface ever claimed, in order
        forget_status(f"USB {vendor_id:04x}:{product_id:04x}")

    def config(self, **changes) -> PrinterConfig:
        return PrinterConfig.from_dict(
            "kiosk",
            {
                "type": "usb",
                "vendor_id": self.vendor_id,
                "product_id": self.product_id,
                "profile": "POS-5890",
                "width_mm": 58,
                **changes,
            },
        )

    # --- descriptors --------------------------------------------------------------------------

    def enumerate_devices(self):
        if self.plugged:
            yield "printer"

    def get_device_descriptor(self, dev):
        return SimpleNamespace(
            bLength=18, bDescriptorType=1, bcdUSB=0x200, bDeviceClass=0, bDeviceSubClass=0, bDeviceProtocol=0,
            bMaxPacketSize0=64, idVendor=self.vendor_id, idProduct=self.product_id, bcdDevice=0x200,
            iManufacturer=0, iProduct=0, iSerialNumber=0, bNumConfigurations=1,
            address=5, bus=1, port_number=1, port_numbers=(1,), speed=2,
        )  # fmt: skip

    def get_configuration_descriptor(self, dev, config):
        if config != 0:
            raise IndexError(config)
        return SimpleNamespace(
            bLength=9, bDescriptorType=2, wTotalLength=32, bNumInterfaces=len(self.interfaces),
            bConfigurationValue=1, iConfiguration=0, bmAttributes=0xC0, bMaxPower=50, extra_descriptors=[],
        )  # fmt: skip

    def get_interface_descriptor(self, dev, intf, alt, config):
        if config != 0 or alt != 0 or intf >= len(self.interfaces):
            raise IndexError((intf, alt))
        cls, endpoints = self.interfaces[intf]
        return SimpleNamespace(
            bLength=9, bDescriptorType=4, bInterfaceNumber=intf, bAlternateSetting=0, bNumEndpoints=len(endpoints),
            bInterfaceClass=cls, bInterfaceSubClass=1, bInterfaceProtocol=2, iInterface=0, extra_descriptors=[],
        )  # fmt: skip

    def get_endpoint_descriptor(self, dev, ep, intf, alt, config):
        address, attributes = self.interfaces[intf][1][ep]
        return SimpleNamespace(
            bLength=7, bDescriptorType=5, bEndpointAddress=address, bmAttributes=attributes, wMaxPacketSize=64,
            bInterval=0, bRefresh=0, bSynchAddress=0, extra_descriptors=[],
        )  # fmt: skip

    # --- the device ---------------------------------------------------------------------------

    def open_device(self, dev):
        self.handles_open += 1
        return "handle"

    def close_device(self, dev_handle):
        self.handles_open -= 1

    def set_configuration(self, dev_handle, config_value):
        self.configuration = config_value

    def get_configuration(self, dev_handle):
        return self.configuration

    def set_interface_altsetting(self, dev_handle, intf, altsetting):
        if altsetting != 0:  # the printers modelled here have one setting per interface
            raise usb.core.USBError("no such alternate setting", errno=22)

    def claim_interface(self, dev_handle, intf):
        self.claimed.add(intf)
        self.claims.append(intf)

    def release_interface(self, dev_handle, intf):
        self.claimed.discard(intf)

    def reset_device(self, dev_handle):
        self.claimed.clear()  # as libusb: the interfaces go, the configuration stays set

    def bulk_write(self, dev_handle, ep, intf, data, timeout):
        chunk = bytes(data)
        self.writes.append((ep, chunk))
        self.received += chunk
        self.held += not_printable(chunk, self.answers)
        self._scanned = answer_queries(self.received, self._scanned, self.answers, self._pending.extend)
        return len(chunk)

    def bulk_read(self, dev_handle, ep, intf, buff, timeout):
        self.reads.append(ep)
        if self.read_error is not None:
            raise self.read_error
        if not self._pending:
            raise usb.core.USBError("Operation timed out", errno=110)
        n = min(len(buff), len(self._pending))
        buff[:n] = type(buff)(buff.typecode, self._pending[:n])
        del self._pending[:n]
        return n

    intr_write = bulk_write  # an interrupt endpoint carries the bytes alike
    intr_read = bulk_read
