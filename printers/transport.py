"""Getting bytes to a printer: the transport picked by config, with failures turned into PrinterError."""

from __future__ import annotations

import errno
import logging
import os
import re
import socket
import stat
import struct
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from printers._escpos import DeviceNotFoundError, Dummy, Escpos, File, Network, Serial, Usb, constants
from printers.config import PrinterConfig, PrinterError
from printers.slips import FormCopy, TicketSlip, form_copy_bytes, form_copy_text, slip_text, ticket_bytes
from shared.runtime import run_command
from shared.words import word

log = logging.getLogger("antrian.printers")


class NetworkPrinter(Network):
    """Raw TCP (port 9100) printer whose connect, send and status read all stop after one timeout."""

    # A printer buffers a few KiB at most; a small send buffer means a printer that
    # stops reading is noticed within the timeout instead of data vanishing into
    # megabytes of kernel buffer.
    SEND_BUFFER = 64 * 1024
    # How often a job no status answer follows looks whether the printer has taken all of it (wait_delivered).
    POLL_SECONDS = 0.005
    # Linux's TCP state (tcpi_state, the first byte of TCP_INFO) of a connection the printer reset. Not its FIN alone
    # (CLOSE_WAIT): a printer may stop sending and still read; one that closed outright resets what comes after.
    ENDED_STATES = (7,)  # TCP_CLOSE
    # A job's connections are reset when closed (discard_unsent) unless the job ended well (keep_unsent): set by
    # send_bytes, kept for a connection opened anew in the job (_reopen).
    jobs_reset = False

    def open(self, raise_not_found: bool = True) -> None:
        """Connect, giving up after the timeout; errors propagate as OSError."""
        if self._device:
            self.close()
        self.device = None
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.SEND_BUFFER)
        # Each small write goes at once (no Nagle): the status query after a slip was otherwise held until
        # the printer acknowledged the slip's bytes, one delayed ACK (40 ms on Linux, up to 200 ms on a
        # printer's own stack) per slip, with check_status asking ("auto" for one that answers, true).
        # A slip is one write, so this sends no more packets than before.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.device = sock
        if self.jobs_reset:
            self.discard_unsent()

    def unacknowledged(self) -> int | None:
        """How many bytes sent on the connection the printer's TCP stack has not acknowledged yet (Linux's
        SIOCOUTQ); None where the system cannot tell."""
        try:
            import fcntl
            import termios

            answer = fcntl.ioctl(self.device.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")  # SIOCOUTQ on a socket
        except (ImportError, AttributeError, OSError):
            return None
        return int.from_bytes(answer, sys.byteorder, signed=True)

    def wait_delivered(self, total: int) -> None:
        """Wait until the printer has acknowledged every byte sent, for a job no status answer follows. sendall()
        returns once the bytes are in this PC's send buffer: a printer that reset the connection halfway through the
        ticket (restarted, off the Wi-Fi) had the rest thrown away, and one that stopped reading (hung, switched off)
        had none of it, and either counted as printed, with no alert. A reset before the printer took them all fails
        (the job is retried whole), and so does no progress within the timeout. A job the printer's own buffer takes
        whole is acknowledged as it arrives: what the printer does with it then only a status answer tells. Where
        the system cannot count what is unacknowledged (not Linux), nothing is waited for, as before."""
        deadline = time.monotonic() + self.timeout
        last = None
        while True:
            left = self.unacknowledged()
            if not left:
                return
            error = self.device.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if error:
                raise OSError(error, os.strerror(error))
            if self._closed_by_printer():
                raise PrinterClosed(
                    f"the printer reset the connection with {left} of the job's {total} bytes not taken"
                )
            if left != last:
                last, deadline = left, time.monotonic() + self.timeout  # the printer is taking them: progress
            elif time.monotonic() >= deadline:
                self.discard_unsent()
                raise TimeoutError(f"{left} of {total} bytes not taken")
            time.sleep(self.POLL_SECONDS)

    def discard_unsent(self) -> None:
        """Make the close a reset (SO_LINGER 0), not a FIN: the bytes the printer has not taken are thrown away here.
        Closed as usual, the kernel kept them and delivered them once the printer read again (its paper in, its
        cover shut), so that each try given up came out on paper beside the retry: three copies of one ticket. What
        the printer already holds it may still print (a torn ticket, the retry whole after it)."""
        with suppress(OSError):
            self.device.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def keep_unsent(self) -> None:
        """Make the close a FIN again (SO_LINGER off), for a job that ended well: whatever is still on its way (the
        FIN itself) goes."""
        with suppress(OSError):
            self.device.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 0, 0))

    def _closed_by_printer(self) -> bool:
        """Whether the printer has reset the connection (its error already taken); no read, which would wait under
        gevent."""
        try:
            state = self.device.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0]
        except (AttributeError, OSError):
            return False
        return state in self.ENDED_STATES


class PrinterClosed(OSError):
    """A network printer reset the connection before it had taken a whole job."""


class AppendFile(File):
    """A device file (/dev/usb/lp0) written as is, or a plain file appended to so tickets accumulate."""

    def open(self, raise_not_found: bool = True) -> None:
        """Open the device, or the plain file in append mode; errors propagate as OSError."""
        if self._device:
            self.close()
        self.device = None
        try:
            is_device = not stat.S_ISREG(os.stat(self.devfile).st_mode)
        except FileNotFoundError:
            if self.devfile.startswith("/dev/"):
                raise  # an unplugged printer, not a file to create
            is_device = False
        if is_device:
            self.device = open(self.devfile, "wb")
            return
        # A plain file collects every ticket (names of services, QR links to each visitor's status):
        # readable by its owner only, as the database is.
        fd = os.open(self.devfile, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        if os.fstat(fd).st_mode & 0o077:
            with suppress(OSError):
                os.fchmod(fd, 0o600)
        self.device = os.fdopen(fd, "ab")


class SerialPrinter(Serial):
    """python-escpos's serial printer, taking a status answer as soon as it comes: its own `_read`
    asks pyserial for 16 bytes, which waits out the whole timeout for the one byte a printer sends."""

    def _read(self) -> bytes:
        answer = self.device.read(1)  # up to the timeout for the first byte
        waiting = self.device.in_waiting if answer else 0
        return answer + self.device.read(waiting) if waiting else answer


class UsbPrinter(Usb):
    """python-escpos's USB printer, writing to the endpoints the printer itself declares.

    python-escpos writes to OUT endpoint 0x01 and reads from IN 0x82 unless told otherwise, and many
    printers have others: the common 58 mm POS58 printers (USB 0416:5011) OUT 0x03 and IN 0x81, where
    every write failed with "Invalid endpoint address 0x1". So each open reads the active
    configuration's interface descriptors and takes the printer interface's (USB class 7, else the
    first with one) bulk OUT and IN endpoints. `out_ep` / `in_ep` of the config are taken as given,
    once checked against the same descriptors; a wrong one is named with the endpoints there are.
    """

    PRINTER_CLASS = 7

    def __init__(self, cfg: PrinterConfig, backend, **kwargs) -> None:
        super().__init__(
            cfg.vendor_id, cfg.product_id, usb_args={"backend": backend}, timeout=int(cfg.timeout * 1000), **kwargs
        )
        self.cfg = cfg

    def open(self, raise_not_found: bool = True) -> None:
        """Find, configure and claim as python-escpos does, then take the endpoints of the device."""
        super().open(raise_not_found)
        if not self.device:
            return
        try:
            self.out_ep, self.in_ep = self._endpoints()
        except BaseException:
            with suppress(Exception):
                self.close()  # the device's handle, not left to the garbage collector
            raise

    def _endpoints(self) -> tuple[int, int | None]:
        import usb.core
        import usb.util

        try:
            configuration = self.device.get_active_configuration()
        except usb.core.USBError:  # none set: the first, which python-escpos's open has just asked for
            configuration = self.device[0]
        # (interface, its OUT endpoints, its IN endpoints), bulk ones first; alternate setting 0, as pyusb writes
        found: list[tuple[object, list[int], list[int]]] = []
        for interface in configuration:
            if interface.bAlternateSetting != 0:
                continue
            endpoints = sorted(
                interface, key=lambda ep: usb.util.endpoint_type(ep.bmAttributes) != usb.util.ENDPOINT_TYPE_BULK
            )
            addresses = [ep.bEndpointAddress for ep in endpoints]
            outs = [a for a in addresses if usb.util.endpoint_direction(a) == usb.util.ENDPOINT_OUT]
            found.append((interface, outs, [a for a in addresses if a not in outs]))
        all_outs = [a for _, outs, _ in found for a in outs]
        all_ins = [a for _, _, ins in found for a in ins]
        declared = ", ".join([f"OUT 0x{a:02x}" for a in all_outs] + [f"IN 0x{a:02x}" for a in all_ins]) or "none"
        cfg = self.cfg
        for key, given, there in (("out_ep", cfg.out_ep, all_outs), ("in_ep", cfg.in_ep, all_ins)):
            if given is not None and given not in there:
                fix = f"set {key} = 0x{there[0]:02x}" if there else f"remove {key}"
                raise PrinterError(
                    f"printer {cfg.name}: invalid endpoint: {key} = 0x{given:02x} is not one of {cfg.target}'s"
                    f" endpoints ({declared}); {fix} in [printers.{cfg.name}], or leave it out"
                )
        # the printer's interface: USB class 7, else the first that can be written to
        usable = sorted((f for f in found if f[1]), key=lambda f: f[0].bInterfaceClass != self.PRINTER_CLASS)
        if cfg.out_ep is None and not usable:
            raise PrinterError(
                f"printer {cfg.name}: invalid endpoint: {cfg.target} has no OUT endpoint to print through"
                f" (its endpoints: {declared}); is it the printer? (lsusb lists the devices)"
            )
        out_ep = cfg.out_ep if cfg.out_ep is not None else usable[0][1][0]
        if cfg.in_ep is not None:
            return out_ep, cfg.in_ep
        # the IN endpoint of the interface written to, else any
        beside = next((ins for _, outs, ins in found if out_ep in outs and ins), all_ins)
        if not beside and cfg.status_mode == "on":
            raise PrinterError(
                f"printer {cfg.name}: {cfg.target} has no IN endpoint to answer a status query;"
                f" set check_status = false in [printers.{cfg.name}]"
            )
        return out_ep, beside[0] if beside else None


class CupsPrinter(Escpos):
    """A printer set up in CUPS, sent a raw job through CUPS's own `lp` command (cups-client).

    The job counts as printed once CUPS has finished it. One still waiting after the printer's
    timeout (the printer is off, unplugged or out of paper) is cancelled, so that a later try never
    prints it twice, and fails with what CUPS says about the printer. A queue CUPS has stopped after
    an error fails at once, naming the command that starts it again.
    """

    POLL_SECONDS = 0.1

    def __init__(self, cfg: PrinterConfig, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cfg = cfg

    def _run(self, *args: str, data: bytes = b"") -> tuple[int, str]:
        try:
            return run_command(list(args), data, timeout=max(self.cfg.timeout, 5.0))
        except FileNotFoundError:
            raise PrinterError(
                f"printer {self.cfg.name}: the {args[0]} command is missing (apt-get install cups-client)"
            ) from None
        except TimeoutError:
            raise PrinterError(f"printer {self.cfg.name}: CUPS did not answer {args[0]} within the timeout") from None

    def _destination(self) -> str:
        """The CUPS queue: `cups_printer`, or CUPS's default printer when that is empty."""
        if self.cfg.cups_printer:
            return self.cfg.cups_printer
        found = re.search(r"system default destination: (\S+)", self._run("lpstat", "-d")[1])
        if not found:
            raise PrinterError(f"printer {self.cfg.name}: CUPS has no default printer; name one in cups_printer")
        return found.group(1)

    def _state(self, name: str) -> str:
        """What `lpstat -p` says about the printer: its state and the reason, on one line."""
        text = self._run("lpstat", "-p", name)[1].strip()
        return " ".join(" ".join(text.splitlines()[:2]).split())

    def open(self, raise_not_found: bool = True) -> None:
        """Fail early when `lp` is missing, the queue unknown, or CUPS has stopped the queue."""
        self.device = None
        self.name = self._destination()
        state = self._state(self.name)
        if " disabled" in state:
            raise PrinterError(
                f"printer {self.cfg.name}: CUPS has stopped it ({state}); once fixed: cupsenable {self.name}"
            )

    def _raw(self, msg: bytes) -> None:
        """One raw job with all of `msg`, waited for until CUPS has printed it."""
        code, text = self._run("lp", "-d", self.name, "-o", "raw", "-t", "Antrian", data=bytes(msg))
        text = text.strip()
        found = re.search(r"request id is (\S+)", text)
        if code != 0 or not found:
            raise PrinterError(f"printer {self.cfg.name}: CUPS refused the job for {self.name}: {text or code}")
        job = found.group(1)
        deadline = time.monotonic() + self.cfg.timeout
        while True:
            # The printer's state and its unfinished jobs in one call.
            report = self._run("lpstat", "-p", self.name, "-W", "not-completed", "-o", self.name)[1]
            if job not in report.split():
                return
            stopped = " disabled" in report
            if stopped or time.monotonic() >= deadline:
                break
            time.sleep(self.POLL_SECONDS)
        self._run("cancel", job)
        state = self._state(self.name) or "no state"
        if stopped:
            raise PrinterError(
                f"printer {self.cfg.name}: CUPS stopped it while printing, job {job} cancelled ({state});"
                f" once fixed: cupsenable {self.name}"
            )
        raise PrinterError(
            f"printer {self.cfg.name}: not printed within {self.cfg.timeout:g} s, job {job} cancelled (CUPS: {state})"
        )


def _reason_code(err: BaseException) -> str | None:
    """The catalogue's `printer.reason.<code>` of a failure whose words it has, else None."""
    if isinstance(err, ConnectionRefusedError):
        return "refused"
    if isinstance(err, TimeoutError):
        return "no_progress"
    if isinstance(err, socket.gaierror):
        return "unknown_host"
    if isinstance(err, FileNotFoundError):
        return "not_found"
    if isinstance(err, PermissionError):
        return "permission"
    if isinstance(err, OSError) and err.strerror:
        return None  # the system's own words (English)
    if isinstance(err, DeviceNotFoundError):  # python-escpos wraps whatever kept the device closed
        cause = err.__cause__ or err.__context__
        if getattr(cause, "errno", None) in (errno.EACCES, errno.EPERM):
            return "permission"  # a serial printer needs the dialout group; USB a udev rule
        return "unplugged"
    return None


# What _boundary's callers are doing, and the catalogue's `printer.while.<code>` that says it.
_DOING = {
    "opening": "opening",
    "connecting to": "connecting",
    "reading status from": "reading_status",
    "sending to": "sending",
    "closing": "closing",
}


def _said(err: BaseException, cfg: PrinterConfig, doing: str) -> tuple[str, str] | None:
    """The failure in Indonesian and English from the catalogue (the English as the message says it), or None
    where the catalogue has no words for it (the device library's or the system's own)."""
    code, while_code = _reason_code(err), _DOING.get(doing)
    if code is None or while_code is None:
        return None
    seconds = f"{cfg.timeout:g}"
    if code == "refused":
        return tuple(word("printer.refused_at", lang).format(target=cfg.target) for lang in ("id", "en"))  # type: ignore[return-value]
    return tuple(  # type: ignore[return-value]
        word(f"printer.while.{while_code}", lang).format(
            reason=word(f"printer.reason.{code}", lang).format(seconds=seconds), target=cfg.target
        )
        for lang in ("id", "en")
    )


def _reason(err: BaseException, cfg: PrinterConfig) -> str:
    code = _reason_code(err)
    if code is not None:
        return word(f"printer.reason.{code}", "en").format(seconds=f"{cfg.timeout:g}")
    if isinstance(err, OSError) and err.strerror:
        return err.strerror.lower()
    text = str(err).strip().splitlines()
    if cfg.type == "usb" and "invalid endpoint" in str(err).lower():  # from pyusb: a write to an endpoint not there
        return (
            f"{text[0]} (check out_ep and in_ep in [printers.{cfg.name}], or leave them out;"
            f" lsusb -v -d {cfg.vendor_id:04x}:{cfg.product_id:04x} lists bEndpointAddress)"
        )
    return text[0] if text else type(err).__name__


@contextmanager
def _boundary(cfg: PrinterConfig, doing: str) -> Iterator[None]:
    """Translate whatever a transport raises into PrinterError with a short message."""
    try:
        yield
    except PrinterError:
        raise
    except Exception as err:  # device libraries raise a zoo of types; all mean "did not print"
        if isinstance(err, ConnectionRefusedError):
            message = f"printer {cfg.name}: connection refused at {cfg.target}"
        else:
            message = f"printer {cfg.name}: {_reason(err, cfg)} while {doing} {cfg.target}"
        raise PrinterError(message, _said(err, cfg, doing)) from err


def _require(cfg: PrinterConfig, transport: type[Escpos], package: str) -> None:
    """Fail clearly before building a transport whose optional library is missing."""
    # Building one anyway would also leave an object whose __del__ raises.
    if not transport.is_usable():
        raise PrinterError(f"printer {cfg.name}: a {cfg.type} printer needs {package} (pip install {package})")


# libusb-1.0 by its soname, opened directly: pyusb otherwise finds it with ctypes.util.find_library,
# which runs ldconfig. The server prints from gevent's thread pool, where starting a program fails
# ("child watchers are only available on the default loop"): pyusb then had no backend and every USB
# printer failed with "No backend available", however it was plugged in.
LIBUSB_NAMES = ("libusb-1.0.so.0", "libusb-1.0.so", "libusb-1.0.dylib")


def _find_libusb(candidate: str) -> str | None:
    import ctypes
    import ctypes.util

    for name in LIBUSB_NAMES:
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return name
    return ctypes.util.find_library(candidate)  # another system: its own way (not from a thread under gevent)


def usb_backend():
    """pyusb's libusb-1.0 backend (loaded once, then kept by pyusb); None where libusb-1.0 is missing."""
    import usb.backend.libusb1

    return usb.backend.libusb1.get_backend(find_library=_find_libusb)


def _make(cfg: PrinterConfig) -> Escpos:
    profile = {"profile": cfg.profile}
    match cfg.type:
        case "network":
            return NetworkPrinter(host=cfg.host, port=cfg.port, timeout=cfg.timeout, **profile)
        case "usb":
            _require(cfg, Usb, "pyusb")
            backend = usb_backend()
            if backend is None:
                raise PrinterError(
                    f"printer {cfg.name}: a usb printer needs libusb-1.0 (sudo apt-get install libusb-1.0-0)"
                )
            return UsbPrinter(cfg, backend, **profile)
        case "serial":
            _require(cfg, Serial, "pyserial")
            return SerialPrinter(devfile=cfg.device, baudrate=cfg.baudrate, timeout=cfg.timeout, **profile)
        case "file":
            return AppendFile(devfile=cfg.path, **profile)
        case "cups":
            return CupsPrinter(cfg, **profile)
        case "dummy":
            return Dummy(**profile)
    raise PrinterError(f"printer {cfg.name}: unknown printer type {cfg.type!r}")


def _opening(cfg: PrinterConfig) -> str:
    return "connecting to" if cfg.type == "network" else "opening"


def open_printer(cfg: PrinterConfig) -> Escpos:
    """The python-escpos printer for cfg, already connected; the caller must close() it."""
    with _boundary(cfg, _opening(cfg)):
        printer = _make(cfg)
        printer.open()
    return printer


def _close_quietly(printer: Escpos) -> None:
    """Close the printer's link whatever state it is in. python-escpos's own close() can fail before it
    closes anything (a serial line gone: pyserial's flush drains it and raises termios.error), which would
    leave the descriptor open for as long as the process runs and the next open() failing on the same
    close; the handle underneath is then closed directly and the printer marked closed."""
    try:
        printer.close()
    except Exception:
        device = printer._device  # not .device: that property opens a closed printer
        if device:
            with suppress(Exception):
                device.close()
        printer._device = False


def _reopen(cfg: PrinterConfig, printer: Escpos) -> None:
    """Close and open the printer again: a link a failed read may have broken (a reset connection, a serial
    line gone) is not the one a job is sent through; a printer gone meanwhile fails here, saying so."""
    _close_quietly(printer)
    with _boundary(cfg, _opening(cfg)):
        printer.open()


# check_status = "auto": what each printer showed when its status was last asked to learn it, by its name: where
# it was reached then (_link), whether it answered the status query, and when (status_clock). The name given
# another address, device, USB id, baud rate, endpoint or timeout (its [printers.NAME] read anew) is asked anew.
# Its print worker asks (learn_status) where no visitor waits: when it starts, and while it has nothing to print.
_ANSWERED: dict[str, tuple[tuple[object, ...], bool, float]] = {}

# A printer that gave no answer is asked again by its worker this long after, while it has nothing to print: a
# serial printer or a print server's printer switched off at the start looks silent, and once on it answers (and
# runs out of paper). Its tickets meanwhile go without asking, as before; no ticket waits for the asking.
STATUS_RELEARN_SECONDS = 3600.0
# A printer its worker could not reach to ask (switched off at the start, a print server refusing the connection)
# is tried again this long after, while the worker has nothing to print; a ticket meanwhile asks it itself.
STATUS_RETRY_SECONDS = 30.0
# How long a slip takes to come out once the printer has its bytes: a printer answers its status as the bytes arrive,
# not once they are printed, so a roll that ends in the middle of a slip is seen only by asking again after this
# (server/printing.py PrintWorker: its paper asked again while the worker has nothing else to print, or before the
# next slip). A ticket is some 100 mm of paper (11 lines, its QR code, the feed before the cut): 1-2 s on a 58 mm
# printer (50-90 mm/s), under one on an 80 mm one (150-250 mm/s); 3 s leaves room for a slow one.
PRINTING_SECONDS = 3.0
# A slip longer than a ticket takes as much longer at the same pace: PRINTING_SECONDS for every TICKET_LINES lines of
# it (printers.slips.slip_lines: a line of text is some 4.2 mm, a printer's default line spacing of 1/6 inch; a
# priority reprint with its QR code, its number four lines high and the feed before the cut counts 30, 126 mm, and an
# office whose long name and address wrap to more lines a few more). That pace, 42 mm/s, is under the slowest 58 mm
# printer's 50 mm/s (an 80 mm one prints 150-250 mm/s): a form copy with a long answer (120 lines, 500 mm: 6-10 s on a
# 58 mm printer, 2-3 s on an 80 mm one) is asked again after 12 s, not 3.
TICKET_LINES = 30
status_clock = time.monotonic  # when a printer's silence was learnt (tests put a clock of theirs here)
# Where and when each printer's worker last failed to reach it to ask (status_clock), by its name.
_UNREACHED: dict[str, tuple[tuple[object, ...], float]] = {}


def _link(cfg: PrinterConfig) -> tuple[object, ...]:
    return (cfg.type, cfg.target, cfg.baudrate, cfg.out_ep, cfg.in_ep, cfg.timeout)


def status_answered(cfg: PrinterConfig) -> bool | None:
    """Whether the printer of cfg answered its status query when this process last asked it (check_status =
    "auto"): True, or False for no answer (its jobs go without asking until its worker hears one: status_due);
    None when nothing is known, and its next job asks: none asked it yet (its worker could not reach it), or the
    name was another printer's then."""
    link, answered, _ = _ANSWERED.get(cfg.name, (None, None, 0.0))
    return answered if link == _link(cfg) else None


def status_due(cfg: PrinterConfig) -> bool:
    """Whether the print worker of cfg is to ask the printer now, while it has nothing to print (learn_status):
    check_status = "auto" and nothing known yet (the worker's start), or no answer STATUS_RELEARN_SECONDS ago or
    more; not within STATUS_RETRY_SECONDS of a try that could not reach the printer."""
    if cfg.status_mode != "auto":
        return False
    now = status_clock()
    where, tried = _UNREACHED.get(cfg.name, (None, 0.0))
    if where == _link(cfg) and now - tried < STATUS_RETRY_SECONDS:
        return False
    link, answered, learnt = _ANSWERED.get(cfg.name, (None, None, 0.0))
    return link != _link(cfg) or (answered is False and now - learnt >= STATUS_RELEARN_SECONDS)


def _known_silent(cfg: PrinterConfig) -> bool:
    """Whether the printer of cfg was found not to answer before (however long ago): its asking again is a
    re-ask, whose outcome the log says only when it changes."""
    link, answered, _ = _ANSWERED.get(cfg.name, (None, None, 0.0))
    return link == _link(cfg) and answered is False


def forget_status(target: str | None = None) -> None:
    """Forget what the printers at `target` (all: None) showed, so that their next job asks again (a new printer
    at an address used before: tests/fakeprinter.py's, on a port, pseudo-terminal or USB id used again)."""
    for known in (_ANSWERED, _UNREACHED, _PAPER, _PAPER_ASKED):
        for name, (link, *_) in list(known.items()):
            if target is None or link[1] == target:
                known.pop(name, None)


def _status_answer(printer: Escpos, query: bytes) -> bytes:
    """The printer's answer to one DLE EOT query; b"" when none came within its timeout (a network printer's
    socket timed out, a usb one's read did, a serial one read nothing), as from a printer that does not answer
    such queries at all. Any other failure raises."""
    try:
        return printer.query_status(query)
    except OSError as err:  # socket.timeout is TimeoutError; pyusb's USBTimeoutError an OSError of ETIMEDOUT
        if isinstance(err, TimeoutError) or err.errno == errno.ETIMEDOUT:
            return b""
        raise


def _check_status(cfg: PrinterConfig, printer: Escpos, *, answered_before: bool = False) -> None:
    """Ask DLE EOT 1 and 4 and fail unless the printer answers online and with paper. `answered_before`: a
    printer of check_status = "auto" that answered at its first job, whose silence now is a failure said so."""
    if answered_before:
        ask = _status_answer
        silent = (
            f"printer {cfg.name}: no status answer from {cfg.target} within {cfg.timeout:g} s, though it answered"
            ' status queries before (check_status = "auto"): is it switched off, jammed or disconnected?'
        )
    else:
        ask = Escpos.query_status
        silent = f"printer {cfg.name}: no status answer from {cfg.target}"
    with _boundary(cfg, "reading status from"):
        online = ask(printer, constants.RT_STATUS_ONLINE)
        if not online:
            raise PrinterError(silent)
        _judge_online(cfg, online)
        paper = ask(printer, constants.RT_STATUS_PAPER)
        if not paper:
            raise PrinterError(silent)
        _judge_paper(cfg, paper)


def _judge_online(cfg: PrinterConfig, online: bytes) -> None:
    if cfg.type == "network" and len(online) > 1 and online[0] & 0x93 != 0x12:
        # An ESC/POS printer answers DLE EOT with one byte whose bits 1 and 4 are set, 0 and 7 clear. Several bytes
        # of another kind ("HTTP/1.1 400 …") are another device's: a web page's port (80), another machine's
        # address. Read as a status byte they said "offline (cover open, paper out or error)", and the admin
        # checked a printer that was fine.
        raise PrinterError(
            f"printer {cfg.name}: not an ESC/POS printer at {cfg.target}: its answer to the status query was"
            f" {online[:16]!r}",
            _status_said("not_escpos", cfg, answer=repr(online[:16])),
        )
    if online[0] & constants.RT_MASK_ONLINE:
        raise PrinterError(
            f"printer {cfg.name}: offline (cover open, paper out or error) at {cfg.target}",
            _status_said("offline", cfg),
        )


def _status_said(code: str, cfg: PrinterConfig, **params: str) -> tuple[str, str]:
    """A status answer's failure in Indonesian and English (PrinterError.said): `printer test` wrote the English
    in brackets in its Indonesian line too (*"kertas habis (out of paper at 192.168.1.50:9100)"*)."""
    return tuple(word(f"printer.status.{code}", lang).format(target=cfg.target, **params) for lang in ("id", "en"))  # type: ignore[return-value]


# What each printer's latest answer to the paper query (DLE EOT 4) said, by its name: where it was reached then
# (_link) and PAPER_OK, PAPER_LOW (the near-end sensor: the roll nearly used up, tickets still print) or PAPER_OUT.
# Read by its print worker after each round (paper_state): the front office is told while it is PAPER_LOW.
PAPER_OK, PAPER_LOW, PAPER_OUT = "ok", "low", "out"
PAPER_STATES = (PAPER_OK, PAPER_LOW, PAPER_OUT)
_PAPER: dict[str, tuple[tuple[object, ...], str]] = {}
# Where and when each printer's paper was last asked alone (check_paper; status_clock), by its name: paper_due.
_PAPER_ASKED: dict[str, tuple[tuple[object, ...], float]] = {}


def _judge_paper(cfg: PrinterConfig, paper: bytes) -> None:
    """Fail a printer out of paper (DLE EOT 4, bits 5 and 6: the roll end sensor); remember what the answer said,
    the near-end sensor too (bits 2 and 3: python-escpos's RT_MASK_LOWPAPER), which fails nothing."""
    if paper[0] & constants.RT_MASK_NOPAPER == constants.RT_MASK_NOPAPER:
        _PAPER[cfg.name] = (_link(cfg), PAPER_OUT)
        raise PrinterError(f"printer {cfg.name}: out of paper at {cfg.target}", _status_said("paper_out", cfg))
    low = paper[0] & constants.RT_MASK_LOWPAPER == constants.RT_MASK_LOWPAPER
    _PAPER[cfg.name] = (_link(cfg), PAPER_LOW if low else PAPER_OK)


def paper_state(cfg: PrinterConfig) -> str | None:
    """What the printer of cfg last answered to the paper query in this process: PAPER_OK, PAPER_LOW (nearly out:
    a new roll is wanted soon) or PAPER_OUT; None when it was never asked (check_status = false, a printer that
    does not answer, one not reached yet) or the name was another printer's then."""
    link, state = _PAPER.get(cfg.name, (None, None))
    return state if link == _link(cfg) else None


def _paper_asked(cfg: PrinterConfig) -> bool:
    """Whether the printer of cfg is asked its status, so its paper: check_status = true, or "auto" and it
    answered (a printer that does not answer is never asked its paper alone)."""
    return cfg.status_mode == "on" or (cfg.status_mode == "auto" and bool(status_answered(cfg)))


def paper_due(cfg: PrinterConfig) -> bool:
    """Whether the print worker (or print agent) of cfg is to ask the printer its paper alone now, while it has
    nothing to print (check_paper): a printer whose status is asked and whose paper nothing has read yet in this
    process (check_status = true at the worker's start, before the first visitor: a roll already nearly used up in
    the morning is told before the office opens; "auto" asks it with learn_status), not within
    STATUS_RETRY_SECONDS of a try that read nothing (off, unplugged: asked again once on)."""
    if not _paper_asked(cfg) or paper_state(cfg) is not None:
        return False
    where, tried = _PAPER_ASKED.get(cfg.name, (None, 0.0))
    return where != _link(cfg) or status_clock() - tried >= STATUS_RETRY_SECONDS


def printing_seconds(lines: int) -> float:
    """How long a slip of `lines` lines (printers.slips.slip_lines) takes to come out once the printer has its bytes:
    a ticket's PRINTING_SECONDS, or more in proportion for one longer than a ticket's TICKET_LINES (a long form
    copy)."""
    return PRINTING_SECONDS * max(1.0, lines / TICKET_LINES)


def torn_slip(cfg: PrinterConfig) -> str:
    """The failure of a slip whose roll ended while it printed: its paper said out when asked again once the slip
    had time to come out (PRINTING_SECONDS). Said "out of paper" (the front office's "kertas habis")."""
    return f"printer {cfg.name}: out of paper while printing at {cfg.target}: the slip is torn or not out"


def status_asked(cfg: PrinterConfig) -> bool:
    """Whether a job to the printer of cfg asks its status before and after its bytes (check_status = true, or
    "auto" and it answered): the printers whose slip can be asked again once printed."""
    return cfg.status_mode == "on" or (cfg.status_mode == "auto" and status_answered(cfg) is True)


def check_paper(cfg: PrinterConfig) -> str | None:
    """Ask the printer of cfg its paper (DLE EOT 4) alone, with no job: its print worker does, while the printer
    says it is nearly out and it has nothing to print, so that a new roll is seen without waiting for a ticket,
    and when nothing read its paper yet (paper_due). Only a printer whose status is asked (check_status = true,
    or "auto" and it answered); what it said, as paper_state; None for no answer or a printer not reached (never
    raises PrinterError: the next ticket asks)."""
    if not _paper_asked(cfg):
        return None
    _PAPER_ASKED[cfg.name] = (_link(cfg), status_clock())
    try:
        printer = open_printer(cfg)
        try:
            with _boundary(cfg, "reading status from"):
                paper = _status_answer(printer, constants.RT_STATUS_PAPER)
        finally:
            _close_quietly(printer)
    except PrinterError as err:
        log.debug("%s (asking its paper while it has nothing to print)", err)
        return None
    if not paper:
        return None
    with suppress(PrinterError):  # out of paper: remembered; its next ticket fails and says so
        _judge_paper(cfg, paper)
    return paper_state(cfg)


def _ask_online(cfg: PrinterConfig, printer: Escpos) -> tuple[bytes, str | None]:
    """Ask DLE EOT 1 once: the answer (b"": none within the timeout, or nothing to answer through: a USB printer
    without an IN endpoint) and why the read failed, if it did (a USB endpoint that stalls, a connection reset,
    a serial I/O error: taken as no answer, the printer opened anew; one gone meanwhile fails there, saying so)."""
    if isinstance(printer, UsbPrinter) and printer.in_ep is None:
        return b"", None
    failure: OSError | None = None
    with _boundary(cfg, "reading status from"):
        try:
            online = _status_answer(printer, constants.RT_STATUS_ONLINE)
        except OSError as err:  # socket, pyserial and pyusb errors alike (SerialException, USBError)
            failure = err
    if failure is not None:
        _reopen(cfg, printer)
        return b"", _reason(failure, cfg)
    return online, None


def _learnt_answering(cfg: PrinterConfig) -> None:
    """Remember that the printer of cfg answered its status query: asked before and after every job from now on.
    The log says so when it gave no answer before."""
    if _known_silent(cfg):
        log.info(
            "printer %s (%s) answered a status query now: its status is asked before and after every job"
            ' from now on (check_status = "auto")',
            cfg.name,
            cfg.target,
        )
    _ANSWERED[cfg.name] = (_link(cfg), True, status_clock())
    _UNREACHED.pop(cfg.name, None)


def learn_status(cfg: PrinterConfig) -> bool | None:
    """check_status = "auto": ask the printer of cfg whether it answers its status (DLE EOT 1), with no job, as its
    print worker does where no visitor waits: when it starts, and while it has nothing to print (status_due).
    Remembered as send_bytes's asking is: one that answers is checked before and after every job; one that gives
    no answer within its timeout, or whose read fails otherwise and that is reached again after it (_ask_online),
    is sent its jobs without asking, and asked again STATUS_RELEARN_SECONDS later. One that cannot be reached
    (off, unplugged, refusing the connection) teaches nothing: its next job asks itself, as every job did before,
    and its worker tries again STATUS_RETRY_SECONDS later. Returns what was learnt (None: nothing); never raises
    PrinterError, which the log says (once until the printer is reached). One that answers is asked its paper
    too (DLE EOT 4, in the same connection): a roll already nearly used up when the server or agent starts is
    told before the first visitor (paper_state), not at the first ticket."""
    try:
        printer = open_printer(cfg)
        try:
            online, failure = _ask_online(cfg, printer)
            paper = _idle_paper_answer(cfg, printer) if online else b""
        finally:
            _close_quietly(printer)
    except PrinterError as err:
        again = _UNREACHED.get(cfg.name, (None, 0.0))[0] == _link(cfg)
        _UNREACHED[cfg.name] = (_link(cfg), status_clock())
        (log.debug if again else log.info)(
            '%s; its status is asked at its next ticket, or when reached (check_status = "auto": tried again'
            " after %g s while it has nothing to print)",
            err,
            STATUS_RETRY_SECONDS,
        )
        return None
    if not online:
        _learnt_silent(cfg, failure)
        return False
    _learnt_answering(cfg)
    if paper:
        with suppress(PrinterError):  # out of paper: remembered; its next ticket fails and says so
            _judge_paper(cfg, paper)
    return True


def _idle_paper_answer(cfg: PrinterConfig, printer: Escpos) -> bytes:
    """The answer to DLE EOT 4 of a printer that has just answered DLE EOT 1 while nothing is printed (learn_status);
    b"" for none, or a read that failed (said in the debug log only: what was learnt of DLE EOT 1 stands)."""
    try:
        with _boundary(cfg, "reading status from"):
            return _status_answer(printer, constants.RT_STATUS_PAPER)
    except PrinterError as err:
        log.debug("printer %s: its paper could not be read while it has nothing to print (%s)", cfg.name, err)
        return b""


def _learn_status(cfg: PrinterConfig, printer: Escpos) -> tuple[bool, str | None]:
    """check_status = "auto", a job that learns whether the printer answers, for nothing is known yet (its worker
    could not reach the printer to ask it: learn_status; or no worker, as `printer test`): ask DLE EOT 1 once,
    and wait for the answer, as the job must. Asking before the bytes is what spares a printer out of paper
    (one that keeps what it is sent, and prints a copy for every try) the ticket; sending it unasked, or failing
    it for a silence, would be the wrong guess about one kind of printer or the other. One that answers is
    remembered as answering and checked as with check_status = true, this job and every later one. One that
    does not answer within its timeout, or whose read fails otherwise (_ask_online: with check_status = false
    such a printer printed, so under "auto" it must too; it is then opened anew for the job), is remembered as
    silent by _learnt_silent only once the job has gone out: a printer that neither answered nor took the job
    showed nothing, and its next job asks again.
    Returns whether it answered (its status is then asked after the job too) and why its read failed, if it did."""
    online, failure = _ask_online(cfg, printer)
    if not online:
        return False, failure
    _learnt_answering(cfg)
    _judge_online(cfg, online)
    with _boundary(cfg, "reading status from"):
        paper = _status_answer(printer, constants.RT_STATUS_PAPER)
    if not paper:
        raise PrinterError(f"printer {cfg.name}: no status answer from {cfg.target} to its paper query")
    _judge_paper(cfg, paper)
    return True, None


def _learnt_silent(cfg: PrinterConfig, failure: str | None) -> None:
    """Remember that the printer of cfg gave no status answer (`failure`: why its read failed, None: none came
    within its timeout): its jobs go without asking, and its worker asks again STATUS_RELEARN_SECONDS later. The
    log says so once, when it is learnt; a re-ask finding it still silent says nothing more."""
    again = _known_silent(cfg)
    _ANSWERED[cfg.name] = (_link(cfg), False, status_clock())
    _UNREACHED.pop(cfg.name, None)
    if again:
        log.debug("printer %s (%s) still gives no status answer", cfg.name, cfg.target)
        return
    later = f'asked again after {STATUS_RELEARN_SECONDS / 60:g} min (check_status = "auto"; false never asks)'
    if failure is None:
        log.warning(
            "printer %s (%s) gave no status answer within %g s: printing to it without asking its status, %s",
            cfg.name,
            cfg.target,
            cfg.timeout,
            later,
        )
    else:
        log.warning(
            "printer %s (%s): its status could not be read (%s): printing to it without asking its status, %s",
            cfg.name,
            cfg.target,
            failure,
            later,
        )


def send_bytes(cfg: PrinterConfig, data: bytes) -> None:
    """Send ready ESC/POS bytes to the printer of cfg in one write, always close. A printer whose status is
    asked (cfg.status_mode: "on", or "auto" for one that answered when asked) is asked before the write and
    after it, and the bytes go only to a printer that is ready. Under "auto" a printer of which nothing is known
    (status_answered None: its worker could not ask it yet) is asked once to learn it (_learn_status).

    A network printer's connection is reset, not closed, unless the job ended well (NetworkPrinter.discard_unsent
    from the start, keep_unsent at the end): a try that failed (no status answer after the slip from a printer that
    stopped reading in the middle of it), and the server killed while the slip was on its way, had their connection
    closed as usual, by this process or by the kernel for the dead one, and the kernel delivered the rest of the slip
    once the printer read again: that try came out whole, and its retry (or the next start's) too."""
    printer = open_printer(cfg)
    if isinstance(printer, NetworkPrinter):
        printer.jobs_reset = True
        printer.discard_unsent()
    try:
        mode = cfg.status_mode
        answered = status_answered(cfg) if mode == "auto" else None
        learning = mode == "auto" and answered is None
        failure = None
        if mode == "on" or answered:
            # Before the bytes: a printer out of paper or with its cover open keeps what it is sent and
            # prints it all once it is fixed, so every retry of a job sent anyway came out as one more
            # copy (four of one ticket after 16 s without paper). Not sent, it is sent once, when ready.
            _check_status(cfg, printer, answered_before=bool(answered))
            ask_after = True
        elif learning:
            ask_after, failure = _learn_status(cfg, printer)
        else:
            ask_after = False
        # One write: the timeout then bounds the whole job, not each of many small commands.
        with _boundary(cfg, "sending to"):
            printer._raw(data)
            if isinstance(printer, NetworkPrinter):
                # No status answer to say that the printer has it all; or one whose query must not be waited for
                # from the moment the job is in this PC's buffer: a printer slower than its timeout at taking a
                # slip failed every try while taking it (and printed each), until it is taken, as long as it is.
                printer.wait_delivered(len(data))
        if learning and not ask_after:
            _learnt_silent(cfg, failure)
        if ask_after:
            # After: the answer comes after the bytes, so the printer has received them all, and it is still
            # ready (DLE EOT is answered at once, as it arrives: not after the slip is printed, so paper that
            # runs out while it prints is not seen here but at the next slip's asking).
            _check_status(cfg, printer, answered_before=mode == "auto")
    except BaseException:
        _close_quietly(printer)
        raise
    if isinstance(printer, NetworkPrinter):
        printer.keep_unsent()  # the job ended well: a FIN
    try:
        with _boundary(cfg, "closing"):
            printer.close()
    except BaseException:
        _close_quietly(printer)
        raise


def _echo(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def print_ticket(cfg: PrinterConfig, slip: TicketSlip) -> None:
    """Print a queue ticket on the printer of cfg; raise PrinterError if it did not go out."""
    send_bytes(cfg, ticket_bytes(slip, cfg.profile, cfg.width_mm))
    if cfg.echo:
        _echo(slip_text(slip, cfg.width_mm, cfg.profile))


def print_form_copy(cfg: PrinterConfig, form: FormCopy) -> None:
    """Print the consultation-form copy on the printer of cfg; raise PrinterError if it did not go out."""
    send_bytes(cfg, form_copy_bytes(form, cfg.profile, cfg.width_mm))
    if cfg.echo:
        _echo(form_copy_text(form, cfg.width_mm, cfg.profile))
