"""Print jobs never lose a ticket: real ESC/POS bytes to a TCP printer on 127.0.0.1."""

from __future__ import annotations

import socket
import time

import pytest
from conftest import login, visitor, write_config
from fakeprinter import STATUS_PAPER, FakeNetworkPrinter

from printers import ticket_bytes
from server.app import create_app
from server.outbox import PRINT_MAX_ATTEMPTS as MAX_ATTEMPTS
from server.outbox import print_backoff_seconds as backoff_seconds
from server.printing import PrintWorker


def network_app(tmp_path, clock, port: int, workers: bool = False, extra: str = "", timeout: float = 5.0):
    """An app whose kiosk printer is a network one on `port`. The timeout only bounds a printer that hangs:
    at 0.5 s a healthy fake printer's thread, on a machine loaded by the rest of the suite, once missed it."""
    cfg = write_config(
        tmp_path,
        {
            '[printers.kiosk]\ntype = "dummy"': f'[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\nport = {port}\n'
            f'timeout = {timeout}\nprofile = "TM-T20II"{extra}'
        },
    )
    app = create_app(cfg, workers=workers, clock=clock)
    apps.append(app)
    return app


apps: list = []


@pytest.fixture(autouse=True)
def _stop_workers():
    yield
    while apps:
        apps.pop().extensions["antrian"].stop()


def worker_of(app) -> PrintWorker:
    svc = app.extensions["antrian"]
    return PrintWorker(svc, "kiosk", svc.settings.printers["kiosk"])


def jobs(app):
    with app.extensions["antrian"].store.read() as tx:
        return tx.rows("SELECT * FROM print_jobs ORDER BY id")


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_ticket_job_is_written_with_the_ticket_and_printed_exactly(tmp_path, clock):
    printer = FakeNetworkPrinter()
    try:
        app = network_app(tmp_path, clock, printer.port)
        r = app.test_client().post("/api/tickets", json=visitor())
        assert r.status_code == 201
        assert [j["status"] for j in jobs(app)] == ["queued"]  # nothing printed inside the request
        worker = worker_of(app)
        assert worker.run_once() == 1
        data = printer.wait_for_close()
        with app.extensions["antrian"].store.read() as tx:
            slip = worker.slip(tx, jobs(app)[0])
        assert data == ticket_bytes(slip, profile="TM-T20II", width_mm=80)
        assert b"A-001" in data and r.get_json()["ticket"]["token"].encode() in data
        assert b"\x1dV\x00" in data  # the cut
        assert slip.issued_at.tzname() == "WIB"
        assert jobs(app)[0]["status"] == "printed"
    finally:
        printer.stop()


def test_a_slip_that_went_out_is_recorded_before_the_next_so_a_kill_reprints_none_of_them(tmp_path, clock):
    """A backlog printing when the server is killed: each slip's result is committed before the next one
    goes, so the restarted server prints only what had not gone (it reprinted the whole round before)."""
    printer = FakeNetworkPrinter()
    try:
        app = network_app(tmp_path, clock, printer.port)
        client = app.test_client()
        for _ in range(3):
            assert client.post("/api/tickets", json=visitor()).status_code == 201
        worker = worker_of(app)
        real_send, sent = worker.send, []

        def send_then_die(job, slip):
            if len(sent) == 2:
                raise SystemExit("killed")  # the process dies before the third slip
            real_send(job, slip)
            sent.append(job["id"])

        worker.send = send_then_die
        with pytest.raises(SystemExit):
            worker.run_once()
        assert [j["status"] for j in jobs(app)] == ["printed", "printed", "queued"]
        worker.send = real_send  # the server is back: only the third prints
        assert worker.run_once() == 1
        assert [j["status"] for j in jobs(app)] == ["printed"] * 3
        deadline = time.monotonic() + 5
        while bytes(printer.received).count(b"\x1b@") < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        data = bytes(printer.received)
        assert [data.count(label) for label in (b"A-001", b"A-002", b"A-003")] == [1, 1, 1]
    finally:
        printer.stop()


def test_refused_printer_keeps_the_ticket_raises_an_alert_and_a_reprint_arrives(tmp_path, clock):
    port = closed_port()
    app = network_app(tmp_path, clock, port)
    client = app.test_client()
    assert client.post("/api/tickets", json=visitor()).status_code == 201
    worker = worker_of(app)
    worker.run_once()
    job = jobs(app)[0]
    assert job["status"] == "retrying" and "refused" in job["error"] and job["attempts"] == 1
    with app.extensions["antrian"].store.read() as tx:
        alerts = tx.rows("SELECT type, data FROM events WHERE type = 'print_failed'")
    assert len(alerts) == 1 and "refused" in alerts[0]["data"]
    # the ticket is there and waiting
    assert client.get("/api/state").get_json()["services"][0]["waiting"] == 1
    # not retried before its backoff
    assert worker.run_once() == 0
    # the printer comes back on the same port; the front office reprints while the slip is still retried:
    # that slip is tried again at once, and no second one is queued (the visitor would get two)
    printer = FakeNetworkPrinter(port=port)
    try:
        headers = login(app, client, "siti", "frontoffice")
        r = client.post("/api/tickets/A-001/reprint", headers=headers)
        assert r.status_code == 202 and r.get_json()["print_job"] == job["id"] and r.get_json()["again"] is True
        assert worker.run_once() == 1
        data = printer.wait_for_close()
        assert b"A-001" in data
        assert [(j["kind"], j["status"], j["attempts"]) for j in jobs(app)] == [("ticket", "printed", 2)]
        clock.advance(seconds=backoff_seconds(1) + 1)
        assert worker.run_once() == 0
        # printed after all: an event, so that the front office's alert of it goes
        with app.extensions["antrian"].store.read() as tx:
            printed = tx.rows("SELECT ticket_id, data FROM events WHERE type = 'printed'")
        assert len(printed) == 1 and '"attempts": 2' in printed[0]["data"]
        # A reprint of a slip that printed (a paper jam) is a new job, and its print is said too.
        r = client.post("/api/tickets/A-001/reprint", headers=headers)
        assert r.status_code == 202 and "again" not in r.get_json()
        assert worker.run_once() == 1
        printer.wait_for_close()
        assert [(j["kind"], j["status"]) for j in jobs(app)] == [("ticket", "printed"), ("reprint", "printed")]
        with app.extensions["antrian"].store.read() as tx:
            assert len(tx.rows("SELECT 1 FROM events WHERE type = 'printed'")) == 2
    finally:
        printer.stop()


def test_a_printer_out_of_paper_fails_every_try_until_paper_is_loaded_then_prints(tmp_path, clock):
    """Each try is a new connection; the fake printer once answered a later one with earlier answers, so a
    retry to a printer still out of paper came out "printed". It stays out of paper until loaded here."""
    printer = FakeNetworkPrinter(paper=b"\x72")  # DLE EOT 4: paper end
    try:
        app = network_app(tmp_path, clock, printer.port, extra="\ncheck_status = true")
        assert app.test_client().post("/api/tickets", json=visitor()).status_code == 201
        worker = worker_of(app)
        for attempt in range(1, MAX_ATTEMPTS):
            assert worker.run_once() == 1
            job = jobs(app)[0]
            assert (job["status"], job["attempts"]) == ("retrying", attempt), job
            assert "out of paper" in job["error"]
            clock.advance(seconds=backoff_seconds(attempt) + 1)
        printer.answers[STATUS_PAPER] = b"\x12"  # paper loaded: the last try prints
        assert worker.run_once() == 1
        job = jobs(app)[0]
        assert (job["status"], job["attempts"], job["error"]) == ("printed", MAX_ATTEMPTS, None), job
    finally:
        printer.stop()


def test_a_job_fails_for_good_after_max_attempts(tmp_path, clock):
    app = network_app(tmp_path, clock, closed_port())
    app.test_client().post("/api/tickets", json=visitor())
    worker = worker_of(app)
    for _ in range(MAX_ATTEMPTS + 2):
        worker.run_once()
        clock.advance(seconds=301)
    job = jobs(app)[0]
    assert (job["status"], job["attempts"]) == ("failed", MAX_ATTEMPTS)
    with app.extensions["antrian"].store.read() as tx:
        finals = tx.rows("SELECT data FROM events WHERE type = 'print_failed' AND data LIKE '%\"final\": true%'")
    assert len(finals) == 1


def test_printer_that_accepts_and_never_reads_fails_without_stalling_issuing(tmp_path, clock):
    printer = FakeNetworkPrinter(reads=False)
    try:
        app = network_app(tmp_path, clock, printer.port, workers=True, extra="\ncheck_status = true", timeout=0.5)
        client = app.test_client()
        assert client.post("/api/tickets", json=visitor()).status_code == 201
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and jobs(app)[0]["status"] == "queued":
            time.sleep(0.05)
        # while the worker is stuck on the printer, tickets are still issued at once
        started = time.monotonic()
        for _ in range(5):
            assert client.post("/api/tickets", json=visitor()).status_code == 201
        assert time.monotonic() - started < 1.0
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and jobs(app)[0]["status"] != "retrying":
            time.sleep(0.05)
        assert jobs(app)[0]["status"] == "retrying"
        assert "no progress" in jobs(app)[0]["error"] or "status" in jobs(app)[0]["error"]
    finally:
        printer.stop()


def test_background_worker_prints_without_being_asked(tmp_path, clock):
    printer = FakeNetworkPrinter()
    try:
        app = network_app(tmp_path, clock, printer.port, workers=True)
        app.test_client().post("/api/tickets", json=visitor())
        data = printer.wait_for_close()
        assert b"A-001" in data
    finally:
        printer.stop()


@pytest.mark.parametrize("attempts,expected", [(1, 2.0), (3, 8.0), (20, 300.0)])
def test_backoff_grows_and_is_capped(attempts, expected):
    assert backoff_seconds(attempts) == expected


# -- a device printer that blocks ----------------------------------------------------------------


def test_a_device_printer_that_blocks_never_stops_the_server_and_prints_late_without_a_duplicate(tmp_path):
    """A printer device that takes a write and never finishes it (a FIFO nobody reads: the open
    blocks, as a write to /dev/usb/lp0 can while the printer is off). On the event loop that would
    freeze the server; from the worker's native thread it only holds that printer's jobs. After the
    printer's timeout the job counts as failed (the front office sees it); when the device takes the
    bytes at last, the job is recorded as printed instead of being printed a second time."""
    import os
    import threading

    import requests
    from live import LiveServer

    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    config = write_config(tmp_path)
    text = config.read_text(encoding="utf-8")
    text = text.replace(
        '[printers.kiosk]\ntype = "dummy"\n',
        f'[printers.kiosk]\ntype = "file"\npath = "{fifo}"\ntimeout = 1\nprofile = "TM-T20II"\n',
    )
    config.write_text(text, encoding="utf-8")
    server = LiveServer(config).start(timeout=30)
    try:
        server.add_user("sari", "frontoffice")
        front = server.session("sari", "rahasia-123")

        def job() -> dict:
            return front.get(f"{server.url}/api/print-jobs", timeout=5).json()["jobs"][0]

        r = requests.post(f"{server.url}/api/tickets", json=visitor(), timeout=5)
        assert r.status_code == 201  # the number is the visitor's at once; printing is not awaited
        label = r.json()["ticket"]["label"]
        slowest, deadline = 0.0, time.monotonic() + 20
        with requests.Session() as http:
            while job()["status"] != "retrying" and time.monotonic() < deadline:
                t0 = time.perf_counter()
                assert http.get(f"{server.url}/api/state", timeout=5).status_code == 200
                slowest = max(slowest, time.perf_counter() - t0)
                time.sleep(0.05)
        hung = job()
        assert hung["status"] == "retrying", hung
        assert hung["error"] == f"printer kiosk: no answer within 6 s while printing to {fifo}"
        # on the event loop the hung write would stop every answer for its 6 s; a busy machine alone
        # (the whole suite on two cores) can make one answer take a few tenths
        assert slowest < 1.0, f"the server stopped answering for {slowest:.2f} s"

        received = bytearray()

        def printer_comes_back() -> None:
            with open(fifo, "rb") as device:  # the blocked open on the server's side returns
                received.extend(device.read())

        reader = threading.Thread(target=printer_comes_back)
        reader.start()
        reader.join(15)
        assert received.startswith(b"\x1b@") and label.encode() in bytes(received)
        deadline = time.monotonic() + 15
        while job()["status"] != "printed" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert job()["status"] == "printed"
        # Printed once: nothing else was written to the device after the late print.
        time.sleep(1.5)
        assert _nobody_writes(fifo)
    finally:
        server.stop()


def _nobody_writes(fifo) -> bool:
    """True when no writer is waiting on the FIFO (a second print would be)."""
    import os

    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        time.sleep(0.3)
        try:
            return os.read(fd, 65536) == b""
        except BlockingIOError:
            return True
    finally:
        os.close(fd)


def test_the_server_prints_on_a_serial_printer_from_its_native_thread(tmp_path):
    """The live server (gevent) writes a serial printer through pyserial from the worker's native
    thread; the exact bytes arrive at the far end of the pseudo-terminal and the job is printed."""
    import requests
    from fakeprinter import FakeSerialPrinter
    from live import LiveServer

    printer = FakeSerialPrinter()
    config = write_config(tmp_path)
    text = config.read_text(encoding="utf-8").replace(
        '[printers.kiosk]\ntype = "dummy"\n',
        f'[printers.kiosk]\ntype = "serial"\ndevice = "{printer.device}"\nbaudrate = 19200\n'
        'profile = "TM-T20II"\ncheck_status = true\n',
    )
    config.write_text(text, encoding="utf-8")
    server = LiveServer(config).start(timeout=30)
    try:
        server.add_user("sari", "frontoffice")
        front = server.session("sari", "rahasia-123")
        r = requests.post(f"{server.url}/api/tickets", json=visitor(), timeout=5)
        label = r.json()["ticket"]["label"]
        job = server.print_job_when(front, "printed")
        assert job["status"] == "printed", job
        received = printer.wait_for(300)
        assert received.startswith(b"\x1b@") and label.encode() in received
        assert received.endswith(b"\x10\x04\x01\x10\x04\x04")  # then its status was asked (DLE EOT)
    finally:
        server.stop()
        printer.stop()


def test_a_device_printer_that_fails_is_one_line_in_the_log_not_a_traceback(tmp_path):
    """An unplugged USB or device printer fails each try in the print thread: the server's log says so in a
    line, as for a network printer, not with gevent's 30-line traceback of the thread's exception."""
    import requests
    from live import LiveServer

    config = write_config(tmp_path)
    missing = tmp_path / "unplugged" / "lp0"  # as /dev/usb/lp0 with the printer's cable out
    text = config.read_text(encoding="utf-8").replace(
        '[printers.kiosk]\ntype = "dummy"\n', f'[printers.kiosk]\ntype = "file"\npath = "{missing}"\n'
    )
    config.write_text(text, encoding="utf-8")
    server = LiveServer(config).start()
    try:
        server.add_user("sari", "frontoffice")
        front = server.session("sari", "rahasia-123")
        assert requests.post(f"{server.url}/api/tickets", json=visitor(), timeout=5).status_code == 201
        job = server.print_job_when(front, "retrying")
        assert job["status"] == "retrying" and "printer kiosk: not found" in job["error"], job
        assert "Traceback" not in server.log() and "PrinterError" not in server.log(), server.log()[-3000:]
    finally:
        server.stop()
