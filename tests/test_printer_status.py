"""check_status = "auto" (the default of a network, serial or usb printer): the printer's status (DLE EOT) is
asked where no visitor waits, by its print worker when it starts (or by its first job, when nothing is known yet);
one that answers is asked before and after every job from then on, as with true, and one that does not (no answer
within its timeout, or a read that fails: a USB stall, a reset connection) is sent its jobs without asking, and
asked again by its idle worker an hour later (STATUS_RELEARN_SECONDS).
Real transports on fake printers (tests/fakeprinter.py): a TCP port of 127.0.0.1, a pseudo-terminal, pyusb."""

from __future__ import annotations

import errno
import logging
import os
from types import SimpleNamespace

import pytest
import usb.core
from conftest import visitor, write_config
from fakeprinter import STATUS_ONLINE, STATUS_PAPER, FakeNetworkPrinter, FakeSerialPrinter, FakeUsbPrinter
from live import server_command

from printers import PrinterConfig, PrinterError, send_bytes, status_answered, ticket_bytes, transport
from printers.config import PrinterConfigError
from printers.transport import STATUS_RELEARN_SECONDS, STATUS_RETRY_SECONDS, learn_status, status_due
from server.advice import failure_kind
from server.config import ConfigError, load_settings

STATUS = STATUS_ONLINE + STATUS_PAPER
READY, PAPER_OUT, COVER_OPEN = b"\x12", b"\x72", b"\x1a"
TICKET = b"\x1b@A-001 ticket\n\x1dV\x00"


@pytest.fixture
def plug(request, monkeypatch):
    """A fake printer of a kind ("network", "serial", "usb"), stopped after the test."""
    from printers import transport

    def start(kind: str, **kwargs):
        if kind == "network":
            printer = FakeNetworkPrinter(**kwargs)
        elif kind == "serial":
            printer = FakeSerialPrinter(**kwargs)
        else:
            printer = FakeUsbPrinter(**kwargs)
            monkeypatch.setattr(transport, "usb_backend", lambda: printer)
            return printer
        request.addfinalizer(printer.stop)
        return printer

    return start


def arrived(printer, jobs: int, expected: bytes) -> bytes:
    """What the printer has received once `jobs` jobs reached it (a network printer: their connections read to
    the end; a serial one: the size of `expected`)."""
    if isinstance(printer, FakeNetworkPrinter):
        return printer.wait_for_closes(jobs)
    if isinstance(printer, FakeSerialPrinter):
        return printer.wait_for(len(expected))
    return bytes(printer.received)  # pyusb's writes are the fake's calls: there when send_bytes returns


# --- the setting -------------------------------------------------------------------------------------------


def test_auto_is_the_default_and_asks_only_a_printer_that_can_answer():
    for kind, table in (
        ("network", {"host": "10.0.0.9"}),
        ("serial", {"device": "/dev/ttyUSB0"}),
        ("usb", {"vendor_id": 0x0416, "product_id": 0x5011}),
    ):
        cfg = PrinterConfig.from_dict("kiosk", {"type": kind, **table})
        assert (cfg.check_status, cfg.status_mode) == ("auto", "auto"), kind
        assert PrinterConfig.from_dict("kiosk", {"type": kind, "check_status": True, **table}).status_mode == "on"
        assert PrinterConfig.from_dict("kiosk", {"type": kind, "check_status": False, **table}).status_mode == "off"
    for kind, table in (("file", {"path": "t.prn"}), ("cups", {}), ("dummy", {})):
        for value in ("auto", False):  # "auto" there is off: nothing to answer through
            cfg = PrinterConfig.from_dict("kiosk", {"type": kind, "check_status": value, **table})
            assert cfg.status_mode == "off", (kind, value)
        assert PrinterConfig.from_dict("kiosk", {"type": kind, **table}).status_mode == "off"
        with pytest.raises(PrinterConfigError) as caught:  # true there stays refused
            PrinterConfig.from_dict("kiosk", {"type": kind, "check_status": True, **table})
        assert (
            str(caught.value) == "printers.kiosk.check_status: only network, usb, serial printers answer a status query"
        )


@pytest.mark.parametrize("bad", ["yes", "Auto", "true", "", 1, 0, None, ["auto"]], ids=repr)
def test_check_status_is_true_false_or_auto_and_anything_else_is_named(bad):
    with pytest.raises(PrinterConfigError) as caught:
        PrinterConfig.from_dict("kiosk", {"type": "network", "host": "10.0.0.9", "check_status": bad})
    err = caught.value
    assert err.key == "printers.kiosk.check_status"
    assert str(err) == 'printers.kiosk.check_status: must be true, false or "auto"'
    assert err.id_text == 'harus true, false atau "auto"'


def test_config_toml_says_a_bad_check_status_naming_its_key(tmp_path):
    path = write_config(
        tmp_path,
        {
            '[printers.kiosk]\ntype = "dummy"': '[printers.kiosk]\ntype = "network"\nhost = "10.0.0.9"\ncheck_status = "on"'
        },
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert caught.value.key == "printers.kiosk.check_status"
    assert str(caught.value) == 'printers.kiosk.check_status: must be true, false or "auto"'
    assert caught.value.problem.id_text == 'harus true, false atau "auto"'
    for value in ("true", "false", '"auto"'):
        path = write_config(
            tmp_path,
            {
                '[printers.kiosk]\ntype = "dummy"': '[printers.kiosk]\ntype = "network"\nhost = "10.0.0.9"\n'
                f"check_status = {value}"
            },
        )
        assert load_settings(path).printers["kiosk"].check_status == {"true": True, "false": False}.get(value, "auto")


# --- a printer that answers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["network", "serial", "usb"])
def test_auto_sends_nothing_to_a_printer_that_says_it_is_out_of_paper_and_prints_once_when_it_has_paper(plug, kind):
    """A cheap printer out of paper keeps what it is sent and prints it all once paper is loaded (five copies
    of one ticket). With the default, its first job asks, hears "out of paper" and sends nothing; so does each
    retry; loaded, the job is printed once, with the status asked before and after it."""
    printer = plug(kind, paper=PAPER_OUT)
    cfg = printer.config(timeout=5)  # answers come at once: the timeout is a bound a loaded machine keeps
    assert cfg.status_mode == "auto"
    for _ in range(3):  # the job's first try and its retries while the paper is out
        with pytest.raises(PrinterError, match="printer kiosk: out of paper at"):
            send_bytes(cfg, TICKET)
    assert status_answered(cfg) is True
    printer.answers[STATUS_PAPER] = READY  # paper loaded
    send_bytes(cfg, TICKET)
    assert arrived(printer, 4, 3 * STATUS + STATUS + TICKET + STATUS) == 3 * STATUS + STATUS + TICKET + STATUS
    assert bytes(printer.held) == b""  # nothing kept to come out later: one copy


def test_auto_refuses_a_printer_with_its_cover_open_too(plug):
    printer = plug("network", online=COVER_OPEN)
    cfg = printer.config(timeout=5)
    with pytest.raises(PrinterError, match="printer kiosk: offline"):
        send_bytes(cfg, TICKET)
    assert arrived(printer, 1, STATUS_ONLINE) == STATUS_ONLINE and status_answered(cfg) is True


@pytest.mark.parametrize("kind", ["network", "serial", "usb"])
def test_a_printer_that_answered_and_then_falls_silent_fails_saying_so(plug, kind):
    """Silence from a printer that answered before is trouble (switched off behind a print server, jammed):
    the job fails as with check_status = true, and not sent, and the error says it answered before."""
    printer = plug(kind)
    # its answers at its first job come within a second on a loaded machine too (the fake answers at once); its
    # silence at the second is waited out, the whole second (it was 5 s: 5 s of each run spent waiting)
    cfg = printer.config(timeout=1)
    send_bytes(cfg, TICKET)
    printer.answers[STATUS_ONLINE] = b""
    with pytest.raises(PrinterError) as caught:
        send_bytes(cfg, TICKET)
    assert str(caught.value) == (
        f"printer kiosk: no status answer from {cfg.target} within 1 s, though it answered status queries"
        ' before (check_status = "auto"): is it switched off, jammed or disconnected?'
    )
    assert failure_kind(str(caught.value)) == "no_answer"  # the front office's "the printer does not answer"
    received = arrived(printer, 2, STATUS + TICKET + STATUS + STATUS_ONLINE)
    assert received == STATUS + TICKET + STATUS + STATUS_ONLINE  # the ticket not sent again
    assert status_answered(cfg) is True  # and the next job is asked again, as ever


# --- a printer that does not answer ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["network", "serial", "usb"])
def test_auto_prints_to_a_printer_that_never_answers_and_asks_it_once(plug, kind, caplog):
    """Many cheap printers ignore DLE EOT: with check_status = true every job failed ("no status answer"). The
    default asks the first job once, waits its timeout for nothing, prints, and asks no later job within the
    hour: one query reached the printer for three jobs, and one line of the log names the printer."""
    printer = plug(kind, online=b"", paper=b"")  # reads and prints, answers nothing
    cfg = printer.config(timeout=0.5)
    with caplog.at_level(logging.WARNING, logger="antrian.printers"):
        for n in range(3):
            send_bytes(cfg, b"job %d\n" % n)
    expected = STATUS_ONLINE + b"job 0\njob 1\njob 2\n"
    assert arrived(printer, 3, expected) == expected  # no query before the later jobs, none after any
    assert status_answered(cfg) is False
    assert [r.getMessage() for r in caplog.records if r.name == "antrian.printers"] == [
        f"printer kiosk ({cfg.target}) gave no status answer within 0.5 s: printing to it without asking its status,"
        ' asked again after 60 min (check_status = "auto"; false never asks)'
    ]


def test_a_usb_printer_without_an_in_endpoint_prints_in_auto_without_asking(plug):
    printer = plug("usb", interfaces=((7, ((0x02, 0x02),)),))  # one bulk OUT endpoint, no IN
    cfg = printer.config()
    send_bytes(cfg, TICKET)
    send_bytes(cfg, TICKET)
    assert printer.writes == [(0x02, TICKET), (0x02, TICKET)] and printer.reads == []
    assert status_answered(cfg) is False


def test_another_address_under_the_same_name_is_asked_anew(plug):
    """What "auto" learnt is the printer's at its address: config.toml naming another one (a reload, a
    replaced printer) asks that one; named back, the first is asked again too."""
    silent = plug("network", online=b"", paper=b"")
    answering = plug("network", paper=PAPER_OUT)
    first = silent.config(timeout=0.5)
    send_bytes(first, TICKET)
    assert status_answered(first) is False
    moved = answering.config(timeout=5)  # the same name, "kiosk", at another port
    assert status_answered(moved) is None
    with pytest.raises(PrinterError, match="out of paper"):
        send_bytes(moved, TICKET)
    assert status_answered(first) is None  # forgotten when the name moved
    send_bytes(first, TICKET)
    assert arrived(silent, 2, 2 * (STATUS_ONLINE + TICKET)) == 2 * (STATUS_ONLINE + TICKET)


# --- a printer whose status read fails ---------------------------------------------------------------------------

PIPE_ERROR = usb.core.USBError("Pipe error", errno=errno.EPIPE)  # libusb's LIBUSB_ERROR_PIPE: the IN endpoint stalls


@pytest.mark.parametrize(
    ("kind", "fault", "said"),
    [
        ("usb", {"read_error": PIPE_ERROR}, "pipe error"),
        ("network", {"resets_on_query": True}, "connection reset by peer"),
    ],
    ids=["usb-stall", "network-reset"],
)
def test_auto_prints_to_a_printer_whose_status_read_fails_as_to_one_that_does_not_answer(
    plug, kind, fault, said, caplog
):
    """A status read that fails otherwise than by a timeout (a USB printer whose IN endpoint stalls, a print
    server that resets the connection) failed every job under "auto", where check_status = false printed. It is
    taken as no answer: the job goes out (on a link opened anew), the log names the error once, and later jobs
    are not asked. check_status = true still fails on it."""
    printer = plug(kind, **fault)
    cfg = printer.config(timeout=5)
    with caplog.at_level(logging.WARNING, logger="antrian.printers"):
        for n in range(3):
            send_bytes(cfg, b"job %d\n" % n)
    expected = STATUS_ONLINE + b"job 0\njob 1\njob 2\n"
    assert arrived(printer, 3, expected) == expected  # one query for three jobs
    assert status_answered(cfg) is False
    assert [r.getMessage() for r in caplog.records if r.name == "antrian.printers"] == [
        f"printer kiosk ({cfg.target}): its status could not be read ({said}): printing to it without asking its"
        ' status, asked again after 60 min (check_status = "auto"; false never asks)'
    ]
    with pytest.raises(PrinterError) as caught:
        send_bytes(printer.config(check_status=True, timeout=5), TICKET)
    assert str(caught.value) == f"printer kiosk: {said} while reading status from {cfg.target}"
    assert bytes(printer.received) == expected + STATUS_ONLINE  # the ticket not sent


class UnpluggedWhileAsked(FakeUsbPrinter):
    """A USB printer whose cable is pulled as its status is read (or a serial adapter's): the read fails with
    ENODEV and the device is gone, until the test plugs it back (`pulls = False`, `plugged = True`)."""

    pulls = True

    def bulk_read(self, dev_handle, ep, intf, buff, timeout):
        if not self.pulls:
            return super().bulk_read(dev_handle, ep, intf, buff, timeout)
        self.reads.append(ep)
        self.plugged = False
        raise usb.core.USBError("No such device (it may have been disconnected)", errno=errno.ENODEV)


def test_a_printer_gone_while_asked_is_not_taken_for_one_that_does_not_answer(monkeypatch, caplog):
    """A failed read taken as no answer is remembered only once the job has gone out without it: a printer
    that took no job either showed nothing about its status. Unplugged while asked, the job fails saying so
    (its link opened anew, as after any failed read), and its next job asks again: plugged back in, out of
    paper, it is checked, and nothing is sent to it."""
    printer = UnpluggedWhileAsked(paper=PAPER_OUT)
    monkeypatch.setattr(transport, "usb_backend", lambda: printer)
    cfg = printer.config(timeout=5)
    with caplog.at_level(logging.WARNING, logger="antrian.printers"):
        with pytest.raises(PrinterError) as caught:
            send_bytes(cfg, TICKET)
    assert str(caught.value) == "printer kiosk: not found (unplugged or switched off?) while opening USB 0416:5011"
    assert status_answered(cfg) is None  # not learnt: asked at the next job
    assert [r for r in caplog.records if r.name == "antrian.printers"] == []
    printer.pulls, printer.plugged = False, True
    with pytest.raises(PrinterError, match="printer kiosk: out of paper at USB 0416:5011"):
        send_bytes(cfg, TICKET)
    assert status_answered(cfg) is True
    assert bytes(printer.received) == STATUS_ONLINE + STATUS and printer.handles_open == 0


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.parametrize(
    ("check_status", "said"),
    [
        # "auto" takes a failed read for no answer and opens the line anew for the job: it is gone
        ("auto", "not found (unplugged or switched off?) while opening"),
        (
            True,
            "device reports readiness to read but returned no data (device disconnected or multiple access on"
            " port?) while reading status from",
        ),
    ],
)
def test_a_serial_line_gone_while_asked_fails_saying_so_and_leaves_no_descriptor_open(plug, check_status, said):
    """A USB serial adapter pulled out as the status is read: the read fails, and python-escpos's close() then
    fails too (pyserial drains the line and gets EIO) before closing anything. The descriptor stayed open for
    the life of the process, one per job, and the reopen after a failed read failed on the same close with
    "(5, 'Input/output error')". The line is closed underneath, and the job fails naming what happened."""
    printer = plug("serial", hang_up_on=STATUS_ONLINE)
    cfg = printer.config(check_status=check_status, timeout=2)
    before = open_descriptors()
    with pytest.raises(PrinterError) as caught:
        send_bytes(cfg, TICKET)
    assert open_descriptors() == before - 1  # the fake's side of the line closed; all the job's own (port, pipes) too
    assert str(caught.value) == f"printer kiosk: {said} {cfg.target}"
    assert TICKET not in bytes(printer.received)


# --- a silent printer asked again -----------------------------------------------------------------------------------


@pytest.fixture
def status_clock(monkeypatch):
    """The clock a printer's learnt silence is stamped and aged by, set by hand: [seconds]."""
    now = [1000.0]
    monkeypatch.setattr(transport, "status_clock", lambda: now[0])
    return now


def test_a_silent_printer_is_asked_again_an_hour_later_by_its_idle_worker_and_checked_from_its_first_answer(
    plug, status_clock, caplog
):
    """A serial printer (or a print server's printer) switched off at the start looks like one that does not
    answer; it was never asked again in the process, so paper running out later went unnoticed. Its worker asks
    again while idle (learn_status) once STATUS_RELEARN_SECONDS have passed since its silence: no ticket waits for
    that asking (the first ticket of every hour did, its timeout, and every slip issued meanwhile behind it); still
    silent, the log says nothing more; an answer makes it checked from then on."""
    printer = plug("usb", online=b"", paper=b"")  # silence costs no wait here: its reads time out at once
    cfg = printer.config(timeout=5)
    with caplog.at_level(logging.INFO, logger="antrian.printers"):
        assert status_due(cfg) and learn_status(cfg) is False  # the worker's start: asked, no answer
        send_bytes(cfg, b"job 0\n")  # not asked
        status_clock[0] += STATUS_RELEARN_SECONDS - 1
        assert not status_due(cfg)
        status_clock[0] += 1
        assert status_due(cfg) and status_answered(cfg) is False  # due for its idle worker
        send_bytes(cfg, b"job 1\n")  # a ticket coming first goes as the hour's others did: unasked, at once
        assert learn_status(cfg) is False  # the worker, idle: still silent
        assert not status_due(cfg)
        printer.answers.update({STATUS_ONLINE: READY, STATUS_PAPER: PAPER_OUT})  # switched on; paper runs out
        send_bytes(cfg, b"job 2\n")  # an hour from the last asking only
        status_clock[0] += STATUS_RELEARN_SECONDS
        assert learn_status(cfg) is True
        assert not status_due(cfg)  # an answer is not asked anew: its silence would be a failure
        for _ in range(2):  # asked before every job from then on
            with pytest.raises(PrinterError, match="printer kiosk: out of paper at USB 0416:5011"):
                send_bytes(cfg, b"job 3\n")
    assert bytes(printer.received) == (
        STATUS_ONLINE + b"job 0\n" + b"job 1\n" + STATUS_ONLINE + b"job 2\n" + STATUS + STATUS + STATUS
    )  # an answer to DLE EOT 1 while idle: its paper asked too (DLE EOT 4), in the same connection
    status_clock[0] += 10 * STATUS_RELEARN_SECONDS
    assert status_answered(cfg) is True and not status_due(cfg)
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "antrian.printers"] == [
        (
            "WARNING",
            "printer kiosk (USB 0416:5011) gave no status answer within 5 s: printing to it without asking its status,"
            ' asked again after 60 min (check_status = "auto"; false never asks)',
        ),
        (
            "INFO",
            "printer kiosk (USB 0416:5011) answered a status query now: its status is asked before and after every"
            ' job from now on (check_status = "auto")',
        ),
    ]


# --- true and false as they were ---------------------------------------------------------------------------------


def test_true_asks_every_job_and_fails_a_silent_printer_each_time_false_never_asks(plug):
    silent = plug("serial", online=b"", paper=b"")
    cfg = silent.config(check_status=True, timeout=0.5)
    for _ in range(2):
        with pytest.raises(PrinterError, match="printer kiosk: no status answer from /dev/pts/"):
            send_bytes(cfg, TICKET)
    assert silent.wait_for(2 * len(STATUS_ONLINE)) == 2 * STATUS_ONLINE and status_answered(cfg) is None
    answering = plug("network", paper=PAPER_OUT)
    cfg = answering.config(check_status=False)
    send_bytes(cfg, TICKET)
    send_bytes(cfg, TICKET)
    assert arrived(answering, 2, 2 * TICKET) == 2 * TICKET and status_answered(cfg) is None


# --- the server's print jobs --------------------------------------------------------------------------------------


def test_the_servers_print_job_waits_for_paper_with_the_default_and_prints_one_copy(tmp_path, clock):
    """config.toml's printer without check_status: a ticket's job to a printer out of paper is retried
    ("out of paper", the front office told), nothing sent; loaded, it prints once."""
    from server.app import create_app
    from server.outbox import print_backoff_seconds
    from server.printing import PrintWorker

    printer = FakeNetworkPrinter(paper=PAPER_OUT)
    app = None
    try:
        path = write_config(
            tmp_path,
            {
                '[printers.kiosk]\ntype = "dummy"': '[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\n'
                f'port = {printer.port}\ntimeout = 5\nprofile = "TM-T20II"'
            },
        )
        app = create_app(path, workers=False, clock=clock)
        service = app.extensions["antrian"]
        assert app.test_client().post("/api/tickets", json=visitor()).status_code == 201
        worker = PrintWorker(service, "kiosk", service.settings.printers["kiosk"])

        def job() -> dict:
            with service.store.read() as tx:
                return tx.rows("SELECT * FROM print_jobs")[0]

        for attempt in (1, 2):
            assert worker.run_once() == 1
            assert (job()["status"], job()["attempts"]) == ("retrying", attempt)
            assert "out of paper" in job()["error"]
            clock.advance(seconds=print_backoff_seconds(attempt) + 1)
        printer.answers[STATUS_PAPER] = READY
        assert worker.run_once() == 1
        assert (job()["status"], job()["error"]) == ("printed", None)
        received = printer.wait_for_closes(3)
        assert received.count(b"\x1b@") == 1 and received.count(b"A-001") == 1 and bytes(printer.held) == b""
    finally:
        if app is not None:
            app.extensions["antrian"].stop()
            app.extensions["antrian"].store.close()
        printer.stop()


class RunAtOnce:
    """gevent's thread pool as PrintWorker uses it, each print run at once: `limits`, how long each was waited
    for before it would count as hanging."""

    def __init__(self) -> None:
        self.limits: list[float] = []

    def spawn(self, fn, *args):
        outcome = fn(*args)
        return SimpleNamespace(get=lambda timeout: self.limits.append(timeout) or outcome, ready=lambda: True)


def test_a_device_print_that_learns_the_printers_status_may_take_one_timeout_more(plug, status_clock, monkeypatch):
    """Under gevent a device printer (usb, serial) prints from a thread, counted as hanging after its timeout and
    HANG_MARGIN_SECONDS. A job that learns whether the printer answers waits up to its timeout for an answer
    first: a silent serial printer's first slip at 19200 baud (5 s of waiting, 5 s of bytes) was counted as hung.
    Such a job (nothing known yet: its worker could not ask) may take one timeout more; no other does, also none
    an hour after silence: the worker's own asking then, while idle, is waited for as long (two timeouts)."""
    from test_printers import make_slip

    from server.printing import HANG_MARGIN_SECONDS, PrintWorker

    monkeypatch.setattr("shared.runtime.on_gevent", lambda: True)
    printer = plug("usb", online=b"", paper=b"")
    workers = {
        mode: PrintWorker(None, "kiosk", printer.config(timeout=5, check_status=mode)) for mode in ("auto", False)
    }
    for worker in workers.values():
        worker._pool = RunAtOnce()
    for mode in ("auto", "auto", "later", "auto", "idle", False):
        if mode == "later":
            status_clock[0] += STATUS_RELEARN_SECONDS
        elif mode == "idle":
            workers["auto"]._learn_status()  # its worker, with nothing to print, asks again
        else:
            workers[mode]._print({"id": 1}, make_slip())
    learning, known = 5 + 5 + HANG_MARGIN_SECONDS, 5 + HANG_MARGIN_SECONDS
    assert workers["auto"]._pool.limits == [learning, known, known, learning]
    assert workers[False]._pool.limits == [known]
    assert printer.reads == [0x81, 0x81]  # the first job asked its status, and the idle worker an hour later
    slip = ticket_bytes(make_slip(), "POS-5890", 58)
    assert bytes(printer.received) == STATUS_ONLINE + slip + slip + slip + STATUS_ONLINE + slip


# --- asked by the print worker, where no visitor waits ---------------------------------------------------------------


def network_app(tmp_path, clock, port: int, timeout: float):
    from server.app import create_app

    path = write_config(
        tmp_path,
        {
            '[printers.kiosk]\ntype = "dummy"': '[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\n'
            f'port = {port}\ntimeout = {timeout}\nprofile = "TM-T20II"'
        },
    )
    return create_app(path, workers=False, clock=clock)


@pytest.fixture
def office(tmp_path, clock, request):
    """An app whose kiosk printer is a network one on a port, its print worker, and `issue()`: a ticket's slip
    queued and its job's try (`job()`, the job as it is now)."""
    from server.printing import PrintWorker

    def start(port: int, timeout: float):
        app = network_app(tmp_path, clock, port, timeout)
        request.addfinalizer(app.extensions["antrian"].store.close)  # finalizers run last added first
        request.addfinalizer(app.extensions["antrian"].stop)
        service = app.extensions["antrian"]
        worker = PrintWorker(service, "kiosk", service.settings.printers["kiosk"])

        def issue() -> dict:
            assert app.test_client().post("/api/tickets", json=visitor()).status_code == 201
            assert worker.run_once() == 1
            with service.store.read() as tx:
                return tx.rows("SELECT * FROM print_jobs ORDER BY id DESC")[0]

        return SimpleNamespace(config=service.settings.printers["kiosk"], worker=worker, issue=issue)

    return start


def test_the_print_worker_asks_a_silent_printer_at_its_start_so_no_ticket_waits_for_the_answer(
    plug, office, status_clock, caplog
):
    """A printer that ignores DLE EOT (many cheap ones): its first ticket after each start, and its first of every
    hour, waited the printer's timeout for an answer before it went (5 s at the default), and every slip issued
    meanwhile waited behind it, the visitor at the kiosk waiting for paper. The worker asks when it starts, with
    nothing to print, and an hour later again while idle; every ticket goes at once, none asks."""
    printer = plug("network", online=b"", paper=b"")
    app = office(printer.port, timeout=0.5)
    with caplog.at_level(logging.INFO, logger="antrian.printers"):
        assert app.worker.run_once() == 0  # the worker's first round: nothing to print, the printer asked
        assert printer.wait_for_closes(1) == STATUS_ONLINE and status_answered(app.config) is False
        assert app.worker.run_once() == 0  # asked once
        for n in (1, 2):
            assert app.issue()["status"] == "printed"
            received = printer.wait_for_closes(1 + n)
            assert received.count(STATUS_ONLINE) == 1, received  # the slips not asked: sent at once
        assert received.count(b"\x1b@") == 2
        status_clock[0] += STATUS_RELEARN_SECONDS
        assert app.issue()["status"] == "printed"  # the hour's first ticket: not asked either
        assert printer.wait_for_closes(4).count(STATUS_ONLINE) == 1
        assert app.worker.run_once() == 0  # idle: asked again
        assert printer.wait_for_closes(5).endswith(STATUS_ONLINE) and status_answered(app.config) is False
    assert [r.getMessage() for r in caplog.records if r.name == "antrian.printers"] == [
        f"printer kiosk ({app.config.target}) gave no status answer within 0.5 s: printing to it without asking its"
        ' status, asked again after 60 min (check_status = "auto"; false never asks)'
    ]


def test_a_printer_the_worker_learns_answering_is_asked_before_its_first_ticket_and_keeps_a_paperless_slip(
    plug, office
):
    """Asked at the worker's start, a printer that answers is checked before and after every ticket from its first
    on: out of paper then, the slip is not sent (it would come out once per try when paper is loaded), and once
    loaded it prints once."""
    printer = plug("network", paper=PAPER_OUT)
    app = office(printer.port, timeout=5)
    assert app.worker.run_once() == 0
    assert printer.wait_for_closes(1) == STATUS and status_answered(app.config) is True  # its paper asked too
    job = app.issue()
    assert (job["status"], job["attempts"]) == ("retrying", 1) and "out of paper" in job["error"]
    assert printer.wait_for_closes(2) == STATUS + STATUS and bytes(printer.held) == b""


def test_a_printer_off_at_the_workers_start_is_asked_by_its_first_ticket_or_by_its_idle_worker_later(
    plug, office, status_clock, caplog
):
    """A printer the worker cannot reach at its start (switched off, a print server refusing the connection)
    teaches nothing: the log says so once, and the worker tries again STATUS_RETRY_SECONDS later while idle. A
    ticket coming first asks the printer itself, before its bytes, as every first ticket did: switched on out of
    paper, its slip is not sent (sending it unasked would print it once per try when paper is loaded)."""
    from live import closed_port

    port = closed_port()
    app = office(port, timeout=5)
    with caplog.at_level(logging.INFO, logger="antrian.printers"):
        for _ in range(3):  # its first round tries; the next ones wait STATUS_RETRY_SECONDS
            assert app.worker.run_once() == 0
        assert status_answered(app.config) is None and not status_due(app.config)
        status_clock[0] += STATUS_RETRY_SECONDS
        assert status_due(app.config)
        assert app.worker.run_once() == 0  # tried again, still off: the log says nothing more
        printer = plug("network", port=port, paper=PAPER_OUT)  # switched on, without paper
        job = app.issue()  # before the worker's next try: the job asks
    assert "out of paper" in job["error"] and status_answered(app.config) is True
    assert printer.wait_for_closes(1) == STATUS and bytes(printer.held) == b""
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "antrian.printers"] == [
        (
            "INFO",
            f"printer kiosk: connection refused at 127.0.0.1:{port}; its status is asked at its next ticket, or when"
            ' reached (check_status = "auto": tried again after 30 s while it has nothing to print)',
        )
    ]
    printer.stop()
    silent = plug("network", port=port, online=b"", paper=b"")  # another printer there, switched on late
    app.worker.config = silent.config(timeout=0.5)
    assert status_due(app.worker.config)
    assert app.worker.run_once() == 0  # idle: asked, and learnt silent before any ticket of it
    assert silent.wait_for_closes(1) == STATUS_ONLINE and status_answered(app.worker.config) is False


def test_a_print_agent_asks_a_silent_printer_when_it_starts_so_its_first_job_goes_at_once(plug, tmp_path):
    """The print agent of a kiosk PC (kiosk/agent.py) asks as the server's worker does: when it starts, before any
    job can come, and an hour after silence while idle; its first job is not asked."""
    from test_agent_bounds import Acks, job

    from kiosk.agent import Agent, Journal

    printer = plug("network", online=b"", paper=b"")
    cfg = printer.config(timeout=0.5)
    agent = Agent("http://127.0.0.1:9", cfg, "token", Journal(tmp_path / "journal"))
    acks = Acks(agent)
    agent.printing.start()
    assert printer.wait_for_closes(1) == STATUS_ONLINE  # no job yet: asked
    agent.on_job(job(1))
    assert acks.wait(1) == [(1, None)]
    assert printer.wait_for_closes(2) == STATUS_ONLINE + b"\x1b@TICKET\n"  # the job not asked
    assert status_answered(cfg) is False


# --- printer test --------------------------------------------------------------------------------------------------


def test_printer_test_says_whether_the_printer_answered_its_status(tmp_path):
    """`printer test` is where the admin learns which kind of printer it is: it says whether the printer
    answered the status query, in both languages, and the log's English line is not said twice."""
    answering = FakeNetworkPrinter()
    silent = FakeNetworkPrinter(online=b"", paper=b"")
    try:
        said = {}
        for name, printer, extra in (
            ("auto", answering, "\ntimeout = 5"),  # an answer within it on a loaded machine too
            ("silent", silent, "\ntimeout = 1"),  # waited for once
            ("true", answering, "\ntimeout = 5\ncheck_status = true"),
            ("false", answering, "\ntimeout = 5\ncheck_status = false"),
        ):
            folder = tmp_path / name
            folder.mkdir()
            path = write_config(
                folder,
                {
                    '[printers.kiosk]\ntype = "dummy"': '[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\n'
                    f"port = {printer.port}{extra}"
                },
            )
            r = server_command(["printer", "test", "kiosk", "--config", str(path)])
            assert r.returncode == 0 and r.stderr == "", (name, r.stderr)
            lines = r.stdout.splitlines()
            assert lines[0].startswith(f"printer kiosk: slip tes terkirim ke 127.0.0.1:{printer.port};"), lines
            said[name] = lines[2:]
        assert said["auto"] == [
            'printer kiosk menjawab permintaan status (check_status = "auto"): printer ditanya sebelum dan sesudah'
            " setiap tiket, dan tiket tidak dikirim selama printer tidak siap (penutup terbuka, galat) atau kehabisan kertas",
            'printer kiosk answered the status query (check_status = "auto"): it is asked before and after every'
            " ticket, and one that is offline or out of paper is not sent it",
        ]
        assert said["true"] == [line.replace('"auto"', "true") for line in said["auto"]]
        assert said["silent"] == [
            'printer kiosk tidak menjawab permintaan status dalam 1 detik (check_status = "auto"): tiket dikirim'
            " tanpa bertanya, sehingga kertas habis tidak terdeteksi; check_status = false menghindarkan satu kali"
            " menunggu jawaban setiap kali server dimulai dan sekali sejam",
            'printer kiosk gave no status answer within 1 s (check_status = "auto"): tickets go to it without'
            " asking, so paper running out is not noticed; check_status = false spares the one wait for an answer"
            " after each start and once an hour",
        ]
        assert said["false"] == [
            'printer kiosk: statusnya tidak ditanyakan (check_status = false); dengan "auto" printer ditanya, dan'
            " jawabannya dipakai bila ada",
            'printer kiosk: its status was not asked (check_status = false); with "auto" it is asked, and its answer'
            " used when it gives one",
        ]
        assert silent.wait_for_closes(1).startswith(STATUS_ONLINE + b"\x1b@")  # asked once, then the slip
    finally:
        answering.stop()
        silent.stop()
