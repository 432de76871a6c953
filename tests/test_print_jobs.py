"""Print jobs never lose a ticket: real ESC/POS bytes to a TCP printer on 127.0.0.1."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
import time

import pytest
from conftest import login, visitor, write_config
from fakeprinter import STATUS_ONLINE, STATUS_PAPER, FakeNetworkPrinter
from live import closed_port

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
    """Each app's workers stopped and waited for, then its database closed: a worker still finishing a job
    would open a connection of its own after the close (Python 3.13 warns of one left unclosed)."""
    before = set(threading.enumerate())
    yield
    while apps:
        service = apps.pop().extensions["antrian"]
        service.stop()
        for thread in set(threading.enumerate()) - before:
            thread.join(timeout=10)
        service.store.close()


def worker_of(app) -> PrintWorker:
    svc = app.extensions["antrian"]
    return PrintWorker(svc, "kiosk", svc.settings.printers["kiosk"])


def jobs(app):
    with app.extensions["antrian"].store.read() as tx:
        return tx.rows("SELECT * FROM print_jobs ORDER BY id")


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
        status = STATUS_ONLINE + STATUS_PAPER  # asked before and after: check_status's default "auto", answered
        assert data == status + ticket_bytes(slip, profile="TM-T20II", width_mm=80) + status
        assert b"A-001" in data and r.get_json()["ticket"]["token"].encode() in data
        assert b"\x1dV\x00" in data  # the cut
        assert slip.issued_at.tzname() == "WIB"
        assert jobs(app)[0]["status"] == "printed"
    finally:
        printer.stop()


def test_a_stop_waits_for_the_slip_on_its_way_and_records_it_before_the_database_closes(tmp_path, clock):
    """`serve` stopping (Ctrl+C, systemctl stop) while a slip is on its way to a printer slow to answer: the stop
    waits for it (up to cli.STOP_WAIT_SECONDS) and its result is recorded before the database is closed. It
    closed the database at once before: the result came after, on a connection opened anew, or not at all when
    the process ended first, and the next start printed the slip again."""
    from server.cli import stop_service

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    asked = threading.Event()

    def hung_printer():  # takes the bytes and never answers its status query
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=hung_connection, args=(conn,), daemon=True).start()

    def hung_connection(conn):
        with conn:
            if conn.recv(64).startswith(b"\x10\x04\x01"):  # a slip's try (its worker's start asks DLE EOT 4 alone)
                asked.set()
            while conn.recv(4096):
                pass

    threading.Thread(target=hung_printer, daemon=True).start()
    try:
        # its status asked before every slip (check_status = true): the slip's try waits for the answer, its timeout
        # (0.75 s: the worker's start waits it once too; at 1.5 s the two were 3 s of each run)
        app = network_app(
            tmp_path, clock, listener.getsockname()[1], workers=True, extra="\ncheck_status = true", timeout=0.75
        )
        service = app.extensions["antrian"]
        assert app.test_client().post("/api/tickets", json=visitor()).status_code == 201
        assert asked.wait(10), "the print worker did not reach the printer"
        stop_service(service)  # the slip's try is waiting for the printer's answer
        assert [task for task in service.tasks if task.is_alive()] == []
        assert service.store._all == []  # closed, and nothing opened after
        with contextlib.closing(sqlite3.connect(tmp_path / "antrian.db")) as db:
            attempts, error = db.execute("SELECT attempts, error FROM print_jobs").fetchone()
        assert attempts == 1 and error, (attempts, error)  # the try recorded: not made again at the next start
    finally:
        with contextlib.suppress(OSError):  # wakes its accept(), which a close alone leaves blocked: the thread ends
            listener.shutdown(socket.SHUT_RDWR)  # (_stop_workers waits up to 10 s for each thread the test started)
        listener.close()


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
        # each slip whole (the fake printer's small receive buffer takes a job in parts, read by its own thread)
        deadline = time.monotonic() + 15
        while not all(label in printer.received for label in (b"A-001", b"A-002", b"A-003")):
            assert time.monotonic() < deadline, bytes(printer.received)
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
        # Sent once, when the paper was in: a printer keeps what it is sent without paper and prints it later
        # (each try used to send the ticket, then ask: 6 copies of one visitor's ticket)
        assert bytes(printer.received).count(b"\x1b@") == 1 and bytes(printer.held) == b""
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
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and jobs(app)[0]["status"] == "queued":
            time.sleep(0.05)
        # while the worker is stuck on the printer, tickets are still issued at once
        started = time.monotonic()
        for _ in range(5):
            assert client.post("/api/tickets", json=visitor()).status_code == 201
        assert time.monotonic() - started < 1.0
        deadline = time.monotonic() + 15
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
    bytes at last, the job is recorded as printed instead of being printed a second time. The printer's
    timeout is 0.5 s and the server's margin beyond it 0.5 s here, not production's 5
    (printing.HANG_MARGIN_SECONDS), and its print worker looks every 0.1 s: the hang is counted after 1 s (it
    was 2 s, waited out by each run), and the clock is moved past the failed try's backoff to show that its retry
    prints nothing again."""
    import os
    import threading

    import requests
    from live import ClockedServer

    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    config = write_config(tmp_path)
    text = config.read_text(encoding="utf-8")
    text = text.replace(
        '[printers.kiosk]\ntype = "dummy"\n',
        f'[printers.kiosk]\ntype = "file"\npath = "{fifo}"\ntimeout = 0.5\nprofile = "TM-T20II"\n',
    )
    config.write_text(text, encoding="utf-8")
    server = ClockedServer(config, tick=0.1, numbers={"printing.HANG_MARGIN_SECONDS": 0.5}).start(timeout=30)
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
        assert hung["error"] == f"printer kiosk: no answer within 1 s while printing to {fifo}"
        # on the event loop the hung write would stop every answer until the device is read, which it is only after
        # this loop (an answer's 5 s timeout); a busy machine alone (the whole suite on two cores) can make one answer
        # take a few tenths
        assert slowest < 2.0, f"the server stopped answering for {slowest:.2f} s"

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
        # Printed once: nothing else was written to the device after the late print, though the failed
        # try's retry is due (the clock moved past its backoff) and the worker has had rounds since.
        server.advance(backoff_seconds(1) + 1)
        time.sleep(1.0)  # ten rounds of the worker, any of which would open the device to print again
        assert _nobody_writes(fifo)
        assert job()["status"] == "printed"
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
        status = b"\x10\x04\x01\x10\x04\x04"  # DLE EOT 1 and 4: its status asked before the ticket and after
        received = received.removeprefix(b"\x10\x04\x04")  # its paper asked alone at the worker's start, if first
        assert received.startswith(status + b"\x1b@") and label.encode() in received
        # and its paper asked once more if the slip had time to come out first (PrintWorker._recheck_slip)
        assert received.endswith(status) or received.endswith(status + b"\x10\x04\x04"), received[-12:]
    finally:
        server.stop()
        printer.stop()


def test_the_live_server_prints_again_whole_a_ticket_a_silent_network_printer_hung_up_on_halfway(tmp_path):
    """The live server (gevent, the network printer written on its event loop) and a cheap 58 mm network printer
    that answers no status query (check_status "auto" learns it and prints without asking) and resets the
    connection 4 KB into the first ticket (restarted, off the Wi-Fi): that try fails, with the front office's
    alert, and the retry prints the ticket whole. The try had counted as printed, 4 KB of it on paper.
    The server's clock (ClockedServer, its worker looking every 0.1 s) is moved past the failed try's backoff
    (backoff_seconds(1), 2 s) rather than waited for."""
    import requests
    from live import ClockedServer

    printer = FakeNetworkPrinter(online=b"", paper=b"", hangs_up_after=4096)
    config = write_config(tmp_path, printer.as_kiosk(timeout=1, profile="POS-5890", width_mm=58))
    server = ClockedServer(config, tick=0.1).start(timeout=30)
    try:
        server.add_user("sari", "frontoffice")
        front = server.session("sari", "rahasia-123")
        r = requests.post(f"{server.url}/api/tickets", json=visitor(), timeout=5)
        label = r.json()["ticket"]["label"]
        failed = server.print_job_when(front, "retrying", seconds=20)
        assert (failed["status"], failed["attempts"]) == ("retrying", 1), failed
        server.advance(backoff_seconds(1))
        job = server.print_job_when(front, "printed", seconds=20)
        assert (job["status"], job["attempts"]) == ("printed", 2), job
        printer.wait_for_closes(1)
        received = bytes(printer.received).replace(STATUS_ONLINE, b"")
        first, second = received[:4096], received[4096:]
        assert second.startswith(first) and second.count(b"\x1b@") == 1  # the half, then the whole ticket
        assert label.encode() in second and len(second) > 8192 and second.endswith(b"\x1bd\x06\x1dV\x00")
    finally:
        server.stop()
        printer.stop()
    with contextlib.closing(sqlite3.connect(tmp_path / "antrian.db")) as db:
        alerts = [row[0] for row in db.execute("SELECT data FROM events WHERE type = 'print_failed'")]
    assert len(alerts) == 1 and "connection reset by peer while sending to 127.0.0.1" in alerts[0], alerts


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


# -- a slip whose ticket left the line while the printer was off -----------------------------------------


def _counter_prints_on_the_kiosk_printer(tmp_path, clock, port: int):
    """An app whose kiosk printer (network, with check_status) is also counter 1's, for its form copies."""
    cfg = write_config(
        tmp_path,
        {
            '[printers.kiosk]\ntype = "dummy"': f'[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\nport = {port}\n'
            'timeout = 5\nprofile = "TM-T20II"\ncheck_status = true',
            'services = ["A", "C"]': 'services = ["A", "C"]\nprinter = "kiosk"',
        },
    )
    app = create_app(cfg, workers=False, clock=clock)
    apps.append(app)
    return app


def test_a_slip_whose_ticket_was_cancelled_or_called_while_the_printer_was_off_is_not_printed_when_it_is_back(
    tmp_path, clock
):
    """A review found every slip of the backlog printed when the printer came back, a cancelled ticket's too
    ("0 ahead": its visitor would wait for a call that never comes), and the front office told to hand them
    out. Only the waiting ticket's slip prints now; the others end `skipped` with why, the tickets untouched,
    and the served visitor's form copy (another kind of paper) prints as ever."""
    import json

    port = closed_port()
    app = _counter_prints_on_the_kiosk_printer(tmp_path, clock, port)
    kiosk, front, officer = app.test_client(), app.test_client(), app.test_client()
    tokens = {}
    for _ in range(4):
        ticket = kiosk.post("/api/tickets", json=visitor()).get_json()["ticket"]
        tokens[ticket["label"]] = ticket["token"]
    assert list(tokens) == ["A-001", "A-002", "A-003", "A-004"]
    worker = worker_of(app)
    assert worker.run_once() == 4  # the printer is off: each fails, and is to be retried
    assert [j["status"] for j in jobs(app)] == ["retrying"] * 4
    h_front = login(app, front, "siti", "frontoffice")
    h_officer = login(app, officer, "budi", counter_id=1)
    assert front.post("/api/tickets/A-001/cancel", json={}, headers=h_front).status_code == 200
    for action, data in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Reset kata sandi"})):
        assert officer.post(f"/api/counters/1/{action}", json=data, headers=h_officer).status_code == 200
    r = officer.post(f"/api/tickets/{tokens['A-002']}/print-form", json={"counter_id": 1}, headers=h_officer)
    assert r.status_code == 202  # A-002 served: its copy of the form, on the same printer
    r = officer.post("/api/counters/1/call-next", json={}, headers=h_officer)
    assert r.get_json()["ticket"]["label"] == "A-003"  # called while its slip waits for the printer

    printer = FakeNetworkPrinter(port=port)  # back on
    try:
        clock.advance(seconds=backoff_seconds(1) + 1)
        assert worker.run_once() == 5
        assert [(j["kind"], j["status"], j["error"]) for j in jobs(app)] == [
            ("ticket", "skipped", "skipped: cancelled"),
            ("ticket", "skipped", "skipped: finished"),
            ("ticket", "skipped", "skipped: called"),
            ("ticket", "printed", None),
            ("form", "printed", None),
        ]
        deadline = time.monotonic() + 15
        while bytes(printer.received).count(b"\x1dV\x00") < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        data = bytes(printer.received)
        assert data.count(b"\x1dV\x00") == 2  # two papers cut: A-004's slip and A-002's form copy
        assert b"A-001" not in data and b"A-003" not in data
        assert data.count(b"A-004") == 1 and b"FORMULIR KONSULTASI" in data
        # never tried again, whatever the time: nothing more sent but the asking of the paper once the slips' time
        # to come out has passed (PrintWorker._recheck_slip: in this round or the next, as the machine's pace has it;
        # a busy one's second between the rounds failed the test on that query alone)
        clock.advance(minutes=10)
        assert worker.run_once() == 0
        later = bytes(printer.received)[len(data) :]
        assert bytes(printer.received).startswith(data)
        assert later.replace(STATUS_PAPER, b"").replace(STATUS_ONLINE, b"") == b"", later
    finally:
        printer.stop()

    # The tickets are as they were; their print reads as none (the kiosk says no failure for them).
    states = {label: kiosk.get(f"/api/tickets/{token}").get_json()["ticket"] for label, token in tokens.items()}
    assert [(s["status"], s["print"]) for s in states.values()] == [
        ("cancelled", None),
        ("resolved", None),
        ("called", None),
        ("waiting", "printed"),
    ]
    # The front office is told which slips did not print, and why, in both languages.
    with app.extensions["antrian"].store.read() as tx:
        events = [json.loads(e["data"]) for e in tx.rows("SELECT data FROM events WHERE type = 'print_skipped'")]
    assert [(e["job"], e["kind"], e["attempts"], e["reason"]["kind"]) for e in events] == [
        (1, "ticket", 1, "cancelled"),
        (2, "ticket", 1, "finished"),
        (3, "ticket", 1, "called"),
    ]
    assert events[0]["reason"]["id"] == "tiket sudah dibatalkan"
    assert events[0]["reason"]["en"] == "the ticket was cancelled"
    assert events[2]["reason"]["id"] == "nomornya sudah dipanggil"
    listed = {j["label"]: j for j in front.get("/api/print-jobs").get_json()["jobs"] if j["kind"] == "ticket"}
    assert listed["A-001"]["reason"]["id"] == "tiket sudah dibatalkan" and "advice" not in listed["A-001"]
    assert listed["A-003"]["reason"]["en"] == "its number has been called"
    assert listed["A-004"]["late"] is False  # printed within a minute: its visitor was told at the kiosk


def test_a_reprint_asked_for_a_called_visitor_prints_once_and_one_of_a_ticket_cancelled_since_does_not(tmp_path, clock):
    """The front office may reprint a called visitor's slip (it asked, at the desk): the first slip still waiting
    for the printer becomes that reprint, printed once. A slip asked for again of a waiting ticket that is then
    cancelled before the printer gets to it is not printed."""
    port = closed_port()
    app = network_app(tmp_path, clock, port, extra="\ncheck_status = true")
    kiosk, front, officer = app.test_client(), app.test_client(), app.test_client()
    for _ in range(2):
        assert kiosk.post("/api/tickets", json=visitor()).status_code == 201
    worker = worker_of(app)
    assert worker.run_once() == 2
    h_front = login(app, front, "siti", "frontoffice")
    h_officer = login(app, officer, "budi", counter_id=1)
    assert (
        officer.post("/api/counters/1/call-next", json={}, headers=h_officer).get_json()["ticket"]["label"] == "A-001"
    )
    r = front.post("/api/tickets/A-001/reprint", headers=h_front)
    assert r.status_code == 202 and r.get_json()["again"] is True
    r = front.post("/api/tickets/A-002/reprint", headers=h_front)  # waiting: its slip is tried again at once
    assert r.status_code == 202 and r.get_json()["again"] is True
    assert front.post("/api/tickets/A-002/cancel", json={}, headers=h_front).status_code == 200
    printer = FakeNetworkPrinter(port=port)
    try:
        assert worker.run_once() == 2
        assert [(j["kind"], j["status"]) for j in jobs(app)] == [("reprint", "printed"), ("ticket", "skipped")]
        printer.wait_for_close()
        data = bytes(printer.received)
        assert data.count(b"A-001") == 1 and b"A-002" not in data
        listed = front.get("/api/print-jobs").get_json()["jobs"]
        assert listed[-1]["late"] is True  # a reprint after failing: the front office hands it over
    finally:
        printer.stop()


def test_a_slip_out_after_the_kiosk_screen_went_back_is_late_one_out_before_is_not(tmp_path, clock):
    """The front office's "late slips" named a slip printed a second after the printer came back, while its
    visitor stood at the kiosk that said "Ambil tiket kertas Anda". Late now: printed after failing and more
    than a minute (the kiosk's screen after a failed print) after its number."""
    import json

    from server.service.jobs import KIOSK_SCREEN_SECONDS

    port = closed_port()
    app = network_app(tmp_path, clock, port, extra="\ncheck_status = true")
    kiosk = app.test_client()
    worker = worker_of(app)
    assert kiosk.post("/api/tickets", json=visitor()).status_code == 201
    assert worker.run_once() == 1
    printer = FakeNetworkPrinter(port=port)
    try:
        clock.advance(seconds=backoff_seconds(1) + 1)
        assert worker.run_once() == 1  # out 3 s after its number: the visitor at the kiosk takes it
        printer.stop()
        assert kiosk.post("/api/tickets", json=visitor()).status_code == 201
        assert worker.run_once() == 1  # the printer is off again
        printer = FakeNetworkPrinter(port=port)
        clock.advance(seconds=KIOSK_SCREEN_SECONDS + 1)
        assert worker.run_once() == 1  # out after the kiosk's screen went back: the front office hands it over
    finally:
        printer.stop()
    assert [(j["status"], j["attempts"]) for j in jobs(app)] == [("printed", 2), ("printed", 2)]
    with app.extensions["antrian"].store.read() as tx:
        printed = [json.loads(e["data"]) for e in tx.rows("SELECT data FROM events WHERE type = 'printed'")]
    assert [e["late"] for e in printed] == [False, True]
    front = app.test_client()
    login(app, front, "siti", "frontoffice")
    assert [j["late"] for j in front.get("/api/print-jobs").get_json()["jobs"]] == [True, False]  # newest first


def test_an_agents_slip_whose_ticket_was_cancelled_is_skipped_not_told_as_failed_nor_pushed(app, client, clock):
    """A print agent's kiosk PC off: a cancelled ticket's slip is not told as failed after the grace (the front
    office would be asked to reprint it), and not pushed when the agent comes; the waiting one's is."""
    import json

    from server.printing import AgentPrintWorker

    svc = app.extensions["antrian"]
    pushed: list[dict] = []
    here = {"agent": False}
    worker = AgentPrintWorker(
        svc, "kiosk", svc.settings.printers["kiosk"], lambda event, msg, to: pushed.append(msg), lambda: here["agent"]
    )
    assert worker.run_once() == 0  # no agent since the server started
    for _ in range(3):
        assert client.post("/api/tickets", json=visitor()).status_code == 201
    front = app.test_client()
    h = login(app, front, "siti", "frontoffice")
    assert front.post("/api/tickets/A-001/cancel", json={}, headers=h).status_code == 200
    clock.advance(seconds=AgentPrintWorker.ABSENT_GRACE_SECONDS + 1)
    worker.run_once()
    assert [(j["status"], j["error"]) for j in jobs(app)] == [
        ("skipped", "skipped: cancelled"),
        ("retrying", AgentPrintWorker.ABSENT),
        ("retrying", AgentPrintWorker.ABSENT),
    ]
    assert front.post("/api/tickets/A-002/cancel", json={}, headers=h).status_code == 200
    here["agent"] = True  # the agent starts, once their retries are due
    clock.advance(seconds=backoff_seconds(1) + 1)
    worker.resend()
    assert worker.run_once() == 1
    assert [m["label"] for m in pushed] == ["A-003"]
    assert [j["status"] for j in jobs(app)] == ["skipped", "skipped", "retrying"]
    with svc.store.read() as tx:
        events = [
            (e["type"], json.loads(e["data"]).get("attempts"))
            for e in tx.rows(
                "SELECT type, data FROM events WHERE type IN ('print_failed', 'print_skipped') ORDER BY seq"
            )
        ]
    assert events == [("print_skipped", 0), ("print_failed", 1), ("print_failed", 1), ("print_skipped", 1)]


def _give_up(app, clock, worker) -> None:
    """Every slip now waiting for the (off) printer tried until it gives up."""
    for _ in range(MAX_ATTEMPTS):
        worker.run_once()
        clock.advance(seconds=301)
    assert {j["status"] for j in jobs(app) if j["status"] not in ("skipped", "printed")} == {"failed"}


def _slip_events(app) -> list[tuple[str, int, str | None, bool | None]]:
    """The print_failed and print_skipped events: (type, job, reason's kind, final)."""
    import json

    with app.extensions["antrian"].store.read() as tx:
        rows = tx.rows("SELECT type, data FROM events WHERE type IN ('print_failed', 'print_skipped') ORDER BY seq")
    out = []
    for r in rows:
        data = json.loads(r["data"])
        out.append((r["type"], data["job"], (data.get("reason") or {}).get("kind"), data.get("final")))
    return out


def test_a_slip_that_gave_up_is_skipped_once_its_ticket_left_the_line_and_a_called_visitors_reprint_once_served(
    tmp_path, clock
):
    """A review found a slip that gave up after its retries still alerted ("… lalu tekan Cetak ulang") after its
    ticket was cancelled, called or served: the front office asked to reprint a slip nobody needs (refused for a
    cancelled one). The move of the ticket now ends that slip `skipped` with why, in the same commit, as its turn at
    the printer would have; a waiting ticket's stays failed, and so does a reprint asked for a called visitor
    (the desk may reprint it) until the visitor is being served."""
    app = network_app(tmp_path, clock, closed_port())
    kiosk, front, officer = app.test_client(), app.test_client(), app.test_client()
    for _ in range(3):
        assert kiosk.post("/api/tickets", json=visitor()).status_code == 201
    worker = worker_of(app)
    _give_up(app, clock, worker)
    h_front = login(app, front, "siti", "frontoffice")
    h_officer = login(app, officer, "budi", counter_id=1)
    assert front.post("/api/tickets/A-001/reprint", headers=h_front).status_code == 202  # a new slip: job 4
    _give_up(app, clock, worker)
    before = len(_slip_events(app))

    def slips():
        return [(j["ticket_id"], j["kind"], j["status"], j["status"] == "skipped" and j["error"]) for j in jobs(app)]

    assert front.post("/api/tickets/A-002/cancel", json={}, headers=h_front).status_code == 200
    assert officer.post("/api/counters/1/call", json={"ticket": "A-003"}, headers=h_officer).status_code == 200
    assert slips() == [
        (1, "ticket", "failed", False),  # settled by A-001's reprint
        (2, "ticket", "skipped", "skipped: cancelled"),
        (3, "ticket", "skipped", "skipped: called"),
        (1, "reprint", "failed", False),  # A-001 still waits: reprint it
    ]
    assert officer.post("/api/counters/1/start", json={}, headers=h_officer).status_code == 200
    r = officer.post("/api/counters/1/resolve", json={"solution": "Reset kata sandi"}, headers=h_officer)
    assert r.status_code == 200
    assert (
        officer.post("/api/counters/1/call-next", json={}, headers=h_officer).get_json()["ticket"]["label"] == "A-001"
    )
    assert slips()[3] == (1, "reprint", "failed", False)  # a called visitor's reprint is still printed (at the desk)
    assert officer.post("/api/counters/1/start", json={}, headers=h_officer).status_code == 200
    assert slips()[3] == (1, "reprint", "skipped", "skipped: serving")
    assert [j["attempts"] for j in jobs(app)] == [MAX_ATTEMPTS] * 4  # its tries are kept
    # each said once, with why and its tries, in the commit of the ticket's move; none tried again
    assert _slip_events(app)[before:] == [
        ("print_skipped", 2, "cancelled", None),
        ("print_skipped", 3, "called", None),
        ("print_skipped", 4, "serving", None),
    ]
    clock.advance(minutes=10)
    assert worker.run_once() == 0
    listed = {j["id"]: j for j in front.get("/api/print-jobs").get_json()["jobs"]}
    assert listed[2]["reason"]["id"] == "tiket sudah dibatalkan" and "advice" not in listed[2]
    assert listed[4]["reason"]["en"] == "its visitor is being served at a counter"


def test_a_slip_whose_ticket_left_the_line_during_its_last_try_is_skipped_not_given_up(tmp_path, clock):
    """The ticket is cancelled while the printer is at its slip's last try (the worker read it as due, still
    wanted): the failure of that try is not a slip to reprint either."""
    app = network_app(tmp_path, clock, closed_port())
    client = app.test_client()
    assert client.post("/api/tickets", json=visitor()).status_code == 201
    worker = worker_of(app)
    for _ in range(MAX_ATTEMPTS - 1):
        worker.run_once()
        clock.advance(seconds=301)
    (job,) = jobs(app)
    assert (job["status"], job["attempts"]) == ("retrying", MAX_ATTEMPTS - 1)
    svc = app.extensions["antrian"]
    with svc.store.read() as tx:
        (due,) = tx.due_print_jobs(clock(), ["kiosk"])  # its turn: the worker has it
    headers = login(app, client, "siti", "frontoffice")
    assert client.post("/api/tickets/A-001/cancel", json={}, headers=headers).status_code == 200
    assert jobs(app)[0]["status"] == "retrying"  # being printed: left to the worker
    svc.print_results([(due, "printer kiosk: connection refused at 127.0.0.1")])
    assert [(j["status"], j["error"], j["attempts"]) for j in jobs(app)] == [
        ("skipped", "skipped: cancelled", MAX_ATTEMPTS)
    ]
    assert _slip_events(app)[-1] == ("print_skipped", 1, "cancelled", None)
    assert not any(final for *_, final in _slip_events(app))


def test_a_failed_slip_says_when_it_failed_as_its_alert_did_not_when_it_was_queued(tmp_path, clock):
    """A review found a front office page reloaded to show a slip's failure at its job's creation (09.00) where the
    same alert had come live at the time of the failure (09.01): /api/print-jobs had no time of the failure. Its
    `failed_at` is now the time of the alert's print_failed event: the first failed try while the slip is retried
    (the tries between raise no alert), the last once it gave up; none for a slip that printed."""
    import json

    app = network_app(tmp_path, clock, closed_port())
    client = app.test_client()
    assert client.post("/api/tickets", json=visitor()).status_code == 201
    worker = worker_of(app)
    clock.advance(minutes=2)  # the printer's worker gets to it a while after the number was taken
    worker.run_once()
    headers = login(app, client, "siti", "frontoffice")

    def listed() -> dict:
        (job,) = client.get("/api/print-jobs", headers=headers).get_json()["jobs"]
        return job

    def alerts() -> list[tuple[int, str]]:
        with app.extensions["antrian"].store.read() as tx:
            rows = tx.rows("SELECT at, data FROM events WHERE type = 'print_failed' ORDER BY seq")
        return [(json.loads(r["data"])["job"], r["at"]) for r in rows]

    ((job_id, first),) = alerts()
    job = listed()
    assert (job["id"], job["status"], job["failed_at"]) == (job_id, "retrying", first)
    assert job["failed_at"] > job["created_at"]
    for _ in range(2):
        clock.advance(seconds=301)
        worker.run_once()
    assert (listed()["attempts"], listed()["failed_at"]) == (3, first)  # no alert of these tries: still its first's
    for _ in range(MAX_ATTEMPTS - 3):
        clock.advance(seconds=301)
        worker.run_once()
    (_, first_again), (_, last) = alerts()
    job = listed()
    assert (job["status"], job["failed_at"]) == ("failed", last) and last > first == first_again
    assert client.post("/api/tickets", json=visitor()).status_code == 201
    jobs_now = client.get("/api/print-jobs", headers=headers).get_json()["jobs"]
    assert [(j["status"], j["failed_at"]) for j in jobs_now] == [("queued", None), ("failed", last)]


def test_a_printer_given_to_a_counter_on_the_admin_page_prints_without_a_restart(tmp_path, clock):
    """A printer in config.toml that no counter used when the server started, given to counter 1 on the admin
    page: the visitor's form copy comes out of it (it had no worker until a restart: queued, never tried)."""
    printer = FakeNetworkPrinter()
    try:
        cfg = write_config(
            tmp_path,
            extra=f'\n[printers.loket]\ntype = "network"\nhost = "127.0.0.1"\nport = {printer.port}\n'
            'timeout = 5\nprofile = "TM-T20II"\n',
        )
        app = create_app(cfg, workers=True, clock=clock)
        apps.append(app)
        client = app.test_client()
        h = login(app, client, "boss", "admin")
        loaded = client.get("/api/admin/settings", headers=h).get_json()
        assert all(not c.get("printer") for c in loaded["counters"])  # nobody uses it at the start
        counters = [{**c, "printer": "loket"} if c["id"] == 1 else c for c in loaded["counters"]]
        base = loaded["versions"]["counters"]
        r = client.put("/api/admin/settings/counters", json={"value": counters, "base": base}, headers=h)
        assert r.status_code == 200, r.get_json()
        token = client.post("/api/tickets", json=visitor(name="Ani Lestari")).get_json()["ticket"]["token"]
        officer = app.test_client()
        ho = login(app, officer, "budi")
        for action, data in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Reset kata sandi"})):
            assert officer.post(f"/api/counters/1/{action}", json=data, headers=ho).status_code == 200
        assert officer.post(f"/api/tickets/{token}/print-form", json={"counter_id": 1}, headers=ho).status_code == 202
        data = printer.wait_for_close()
        assert b"FORMULIR KONSULTASI" in data and b"Ani Lestari" in data
    finally:
        printer.stop()
