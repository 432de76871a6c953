"""Print jobs never lose a ticket: real ESC/POS bytes to a TCP printer on 127.0.0.1."""

from __future__ import annotations

import socket
import time

import pytest
from conftest import login, visitor, write_config
from fakeprinter import FakeNetworkPrinter

from printers import ticket_bytes
from server.app import create_app
from server.printing import MAX_ATTEMPTS, PrintWorker, backoff_seconds


def network_app(tmp_path, clock, port: int, workers: bool = False, extra: str = ""):
    cfg = write_config(
        tmp_path,
        {
            '[printers.kiosk]\ntype = "dummy"': f'[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\nport = {port}\n'
            f'timeout = 0.5\nprofile = "TM-T20II"{extra}'
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
    # the printer comes back on the same port; the front office reprints
    printer = FakeNetworkPrinter(port=port)
    try:
        headers = login(app, client, "siti", "frontoffice")
        r = client.post("/api/tickets/A-001/reprint", headers=headers)
        assert r.status_code == 202
        worker.run_once()
        data = printer.wait_for_close()
        assert b"A-001" in data
        statuses = sorted(j["status"] for j in jobs(app))
        assert statuses == ["printed", "retrying"]
        clock.advance(seconds=backoff_seconds(1) + 1)
        worker.run_once()
        assert [j["status"] for j in jobs(app)] == ["printed", "printed"]
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
        app = network_app(tmp_path, clock, printer.port, workers=True, extra="\ncheck_status = true")
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
