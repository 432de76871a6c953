"""A roll that runs out in the middle of a ticket. A printer answers its status (DLE EOT) as the query arrives, not
once what came before it is printed: asked right after the slip's bytes it still said paper in, the job counted as
printed, the visitor walked away with half a slip (or none), the kiosk and the front office said "printed", and
nobody knew until the next visitor's ticket failed. Now the print worker asks a printer whose status is asked its
paper again once the slip has had time to come out (printers/transport.py PRINTING_SECONDS; server/printing.py
PrintWorker._recheck_slip), never holding a slip for it: out then records that try as failed, "out of paper while
printing", and the paths of any slip that failed follow (the kiosk's number on the screen, the front office's alert,
the retry that prints it once the paper is in). A real server, the tests' fake network printer (tests/fakeprinter.py,
its `runs_out_after`: the roll ends while the slip prints)."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from datetime import UTC, datetime

import pytest
import requests
import socketio
from conftest import in_order, write_config
from fakeprinter import PAPER_IN, STATUS_PAPER, FakeNetworkPrinter
from live import ClockedServer
from staffpages import PASSWORD, issue
from test_printer_paper_low import staff_printers

import printers
from printers import transport

# The slip prints for this long before its roll ends; its paper is asked again PRINTING after its bytes.
RUNS_OUT, PRINTING = 0.2, 0.6


@pytest.fixture
def printer():
    """A network printer that answers its status, whose roll ends RUNS_OUT seconds into its next job."""
    fake = FakeNetworkPrinter(runs_out_after=RUNS_OUT)
    yield fake
    fake.stop()


# --- which printers are asked again ------------------------------------------------------------------------------


def test_only_a_printer_whose_status_is_asked_has_its_slip_asked_again(printer):
    """check_status = true, or "auto" once it answered: asked again after each slip; false, or "auto" with no
    answer known, not (a silent printer's slip goes as before)."""
    assert transport.status_asked(printer.config(check_status=True))
    assert not transport.status_asked(printer.config(check_status=False))
    auto = printer.config(check_status="auto", timeout=2)
    assert not transport.status_asked(auto)  # nothing learnt yet
    assert transport.learn_status(auto) is True
    assert transport.status_asked(auto)


def test_a_ticket_takes_a_tickets_printing_time_and_a_long_form_copy_as_much_longer_as_its_paper():
    """A ticket, even a priority reprint, on either paper and whether the printer draws its QR code or is sent a
    picture of it, is PRINTING_SECONDS (an office whose long name and address wrap to more lines, a little more); a
    form copy with a long answer is several times that, more on 58 mm paper (more lines) than on 80 mm."""
    issued = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    office = dict(office_name="LPSE Kabupaten Contoh", office_address="Jl. Merdeka No. 1, Kota Contoh")
    ticket = dict(label="A-123", service_name="Konsultasi SPSE", issued_at=issued, ahead=12, priority=True)
    ticket |= dict(qr_url="http://192.168.1.10:8080/t/" + "x" * 22, footer="Simpan tiket ini.", reprint=True)
    long_office = dict(
        office_name="LPSE Pemerintah Kabupaten Contoh Provinsi Nusa Tenggara Barat",
        office_address="Jl. Jenderal Sudirman No. 123, Kelurahan Contoh, Kecamatan Contoh, Kabupaten Contoh",
    )
    fields = dict(office_name="LPSE", label="A-001", consulted_at=issued, name="Budi", agency="CV", address="Jl")
    fields |= dict(phone="0812", problem="Lupa kata sandi", category="Pertanyaan", officer="budi")
    form = printers.FormCopy(**fields, solution=LONG_SOLUTION, survey_url="http://127.0.0.1:8080/t/abc?survey=1")
    seconds = {}
    for width in (58, 80):
        for profile in ("TM-T20II", "POS-5890"):
            lines = printers.slip_lines(printers.TicketSlip(**office, **ticket), width, profile)
            assert transport.printing_seconds(lines) == transport.PRINTING_SECONDS, (width, profile, lines)
            lines = printers.slip_lines(printers.TicketSlip(**long_office, **ticket), width, profile)
            assert transport.printing_seconds(lines) < 1.5 * transport.PRINTING_SECONDS, (width, profile, lines)
        seconds[width] = transport.printing_seconds(printers.slip_lines(form, width, "TM-T20II"))
    assert seconds[58] > seconds[80] > 3 * transport.PRINTING_SECONDS, seconds


# --- a real server: the kiosk, the front office, the retry --------------------------------------------------------


class Listener:
    """A Socket.IO connection of a page (the kiosk's public room, or the front office's with rina's cookie), keeping
    the events it gets."""

    def __init__(self, live, role: str, session: requests.Session | None = None):
        self.events: list[dict] = []
        self.came = threading.Condition()
        self.sio = in_order(socketio.Client(reconnection=False))
        self.sio.on("event", lambda ev: self._add([ev]))
        self.sio.on("events", self._add)
        self.sio.on("snapshot", lambda snap: self._add([{"type": "snapshot"}]))
        cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items()) if session else ""
        self.sio.connect(live.url, auth={"role": role}, headers={"Cookie": cookie}, transports=["websocket"])
        self.wait(lambda evs: any(ev["type"] == "snapshot" for ev in evs))

    def _add(self, evs):
        with self.came:
            self.events += evs
            self.came.notify_all()

    def wait(self, done, seconds: float = 15.0) -> list[dict]:
        with self.came:
            assert self.came.wait_for(lambda: done(self.events), seconds), self.events
            return list(self.events)

    def close(self) -> None:
        self.sio.disconnect()


def named(events: list[dict], label: str, kind: str) -> list[dict]:
    """The events `kind` naming the ticket `label`."""
    return [ev for ev in events if ev["type"] == kind and (ev.get("ticket") or {}).get("label") == label]


def print_state(live, token: str, state: str) -> str:
    """The ticket's print state (GET /api/tickets/<token>, as the kiosk follows it) once it is `state`, or as it
    stands after 15 s: the caller asserts on it."""
    deadline = time.monotonic() + 15
    while True:
        said = requests.get(f"{live.url}/api/tickets/{token}", timeout=5).json()["ticket"]["print"]
        if said == state or time.monotonic() > deadline:
            return said
        time.sleep(0.05)


@pytest.fixture
def live(tmp_path, printer):
    """The server at 09:00 office time, its kiosk printer `printer` (check_status = true), its slips' paper asked
    again PRINTING seconds after their bytes; the front office's rina."""
    config = write_config(tmp_path, printer.as_kiosk(timeout=2, check_status=True, profile="TM-T20II"))
    numbers = {"printers.transport.PRINTING_SECONDS": PRINTING}
    server = ClockedServer(config, tick=0.1, dated=True, numbers=numbers).start()
    server.add_user("rina", "frontoffice")
    yield server
    server.stop()


def test_the_kiosk_and_the_front_office_hear_of_a_slip_the_roll_ended_in_and_it_prints_once_paper_is_in(live, printer):
    """The visitor's slip ran out of paper halfway: the ticket's print state is failed (not printed), the kiosk's
    event names its ticket (the kiosk shows the number and sends the visitor to the front office), the front office
    reads "kertas habis … tiket dicetak lagi otomatis" and the paper-out notice. With a new roll the retry prints it
    (the kiosk's `printed`), once: no copy more while the paper was out."""
    one_torn_then_printed_once(live, printer)


def one_torn_then_printed_once(live, printer, log_says: str | None = None) -> None:
    """A ticket whose roll ends inside its slip (the printer's `runs_out_after`): its print state failed, the kiosk's
    event naming it, the front office's "kertas habis … tiket dicetak lagi otomatis" and paper-out notice (and
    `log_says` in the server's log); with a new roll and the clock moved on, it prints whole, once, and the notice
    goes. The server's own printer's and a print agent's (tests/test_agent_paper_runs_out.py) alike."""
    rina = live.session("rina", PASSWORD)
    kiosk, staff = Listener(live, "kiosk"), Listener(live, "frontoffice", rina)
    try:
        ticket = issue(live, "Budi Santoso")
        label = ticket["label"]
        assert print_state(live, ticket["token"], "failed") == "failed"
        kiosk.wait(lambda evs: named(evs, label, "print_failed"))
        assert named(kiosk.events, label, "printed") == []
        (failed,) = named(staff.wait(lambda evs: named(evs, label, "print_failed")), label, "print_failed")
        data = failed["data"]
        assert data["attempts"] == 1 and not data["final"], data
        assert data["error"].startswith("printer kiosk: out of paper while printing at 127.0.0.1:"), data
        assert data["advice"]["kind"] == "paper_out"
        assert data["advice"]["id"] == "Printer kios: kertas habis — isi kertas; tiket dicetak lagi otomatis"
        notices = staff_printers(rina, live, bool)
        assert [(n["printer"], n["paper"]) for n in notices] == [("kiosk", "out")], notices
        if log_says is not None:
            assert log_says in live.log()

        before = len(printer.received)  # the torn slip
        printer.answers[STATUS_PAPER] = PAPER_IN  # a new roll
        live.advance(60)  # past the retry's wait (2 s after the first try, 4 after a second while the paper was out)
        assert print_state(live, ticket["token"], "printed") == "printed"
        kiosk.wait(lambda evs: named(evs, label, "printed"))
        job = live.print_job_when(rina, "printed")
        assert job["status"] == "printed" and job["attempts"] >= 2, job
        assert staff_printers(rina, live, lambda n: n == []) == []  # the new roll's answer came with the print
    finally:
        kiosk.close()
        staff.close()
    # the torn slip, then the whole one: none sent while the paper was out
    assert bytes(printer.received[:before]).count(b"NOMOR ANTRIAN") == 1
    again = bytes(printer.received[before:])
    assert again.count(b"NOMOR ANTRIAN") == 1 and again.count(label.encode()) == 1


# --- a burst of slips, and a long form copy: each slip may still be printing when the next is asked -------------

# The roll ends BURST_RUNS_OUT seconds into the first of two tickets issued back to back (its paper asked before the
# second goes says paper in: it is still printing), its ticket PRINTING long.
BURST_RUNS_OUT = 0.4


@pytest.fixture
def burst(tmp_path):
    """The server at 09:00 office time, its kiosk printer a network one that answers its status and whose roll ends
    BURST_RUNS_OUT seconds into its first slip; a ticket's paper asked again PRINTING after it; the front office's
    rina."""
    fake = FakeNetworkPrinter(runs_out_after=BURST_RUNS_OUT)
    config = write_config(tmp_path, fake.as_kiosk(timeout=2, check_status=True, profile="TM-T20II"))
    server = ClockedServer(config, tick=0.1, dated=True, numbers={"printers.transport.PRINTING_SECONDS": PRINTING})
    server.start()
    server.add_user("rina", "frontoffice")
    yield server, fake
    server.stop()
    fake.stop()


def test_a_roll_that_ends_in_a_ticket_followed_at_once_by_another_has_both_printed_again(burst):
    """Two visitors take their numbers back to back: the second slip is sent while the first is still coming out,
    and the roll ends inside the first. Its paper asked before the second went said paper in (a printer answers as
    the query arrives), which counted the first as printed: its visitor was told to take a slip he has half of, or
    none. Now every slip still printing stays unsure until its paper is asked once it has had time to come out: both
    tries are failed ("out of paper while printing"), both kiosks told, and with a new roll both print whole, once
    each."""
    live, printer = burst
    both_torn_then_printed_once(live, printer)


def both_torn_then_printed_once(live, printer) -> None:
    """Two tickets issued back to back, the roll ending inside the first (the printer's `runs_out_after`): both fail
    as torn ("out of paper", each kiosk and the front office told), neither counted printed; with a new roll and
    the clock moved on, each prints whole, once. The server's own printer's and a print agent's
    (tests/test_agent_paper_runs_out.py) alike."""
    rina = live.session("rina", PASSWORD)
    kiosk, staff = Listener(live, "kiosk"), Listener(live, "frontoffice", rina)
    try:
        first, second = issue(live, "Budi Santoso"), issue(live, "Sari Dewi")
        for ticket in (first, second):
            label = ticket["label"]
            assert print_state(live, ticket["token"], "failed") == "failed", label
            kiosk.wait(lambda evs, label=label: named(evs, label, "print_failed"))
            (failed,) = named(
                staff.wait(lambda evs, label=label: named(evs, label, "print_failed")), label, "print_failed"
            )
            assert failed["data"]["error"].startswith("printer kiosk: out of paper"), failed
            assert failed["data"]["advice"]["kind"] == "paper_out", failed
        assert named(kiosk.events, first["label"], "printed") == []

        before = len(printer.received)  # the torn slip, and the second if it went while the first printed
        printer.answers[STATUS_PAPER] = PAPER_IN  # a new roll
        live.advance(60)
        for ticket in (first, second):
            label = ticket["label"]
            assert print_state(live, ticket["token"], "printed") == "printed", label
            kiosk.wait(lambda evs, label=label: named(evs, label, "printed"))
    finally:
        kiosk.close()
        staff.close()
    # each whole once the roll is in: nothing sent while the paper was out
    printed = bytes(printer.received[before:])
    assert printed.count(b"NOMOR ANTRIAN") == 2
    assert printed.count(first["label"].encode()) == 1 and printed.count(second["label"].encode()) == 1


# The form copy's roll ends FORM_RUNS_OUT seconds after its bytes: past a ticket's PRINTING, before the copy is out.
FORM_RUNS_OUT = 1.5
LONG_SOLUTION = "Kata sandi akun penyedia direset, lalu pengguna masuk kembali dan mengganti kata sandinya. " * 40


def copy_printed_at(live, token: str) -> str | None:
    """The ticket's copy_printed_at (the figures' copy time) as the server's database has it, read beside it."""
    with contextlib.closing(sqlite3.connect(f"file:{live.config.parent / 'antrian.db'}?mode=ro", uri=True)) as db:
        (at,) = db.execute("SELECT copy_printed_at FROM tickets WHERE token = ?", [token]).fetchone()
    return at


@pytest.fixture
def counter_printer(tmp_path):
    """The server at 09:00 office time, Loket 1's form copies on a network printer that answers its status, whose
    roll ends FORM_RUNS_OUT seconds into its first slip; a ticket's paper asked again PRINTING after it; the officer
    budi and the front office's rina."""
    fake = FakeNetworkPrinter(runs_out_after=FORM_RUNS_OUT)
    counter = {'services = ["A", "C"]': 'services = ["A", "C"]\nprinter = "loket1"'}
    extra = "\n" + fake.table("loket1", timeout=2, check_status=True, profile="TM-T20II") + "\n"
    config = write_config(tmp_path, counter, extra=extra)
    server = ClockedServer(config, tick=0.1, dated=True, numbers={"printers.transport.PRINTING_SECONDS": PRINTING})
    server.start()
    server.add_user("budi", "officer")
    server.add_user("rina", "frontoffice")
    yield server, fake
    server.stop()
    fake.stop()


def test_a_long_form_copy_whose_roll_ends_near_its_end_is_printed_again(counter_printer):
    """A form copy with a long answer is several times a ticket's paper: its paper asked a ticket's time after its
    bytes said paper in while it was still printing, and a roll that ended near its end counted it as printed (the
    visitor's copy missing its answer and signature). Its printing time grows with its lines: asked once it has had
    time to come out, the paper says out, the try fails ("out of paper while printing", the front office told of the
    form copy), and with a new roll it prints whole, once."""
    live, printer = counter_printer
    budi, rina = live.session("budi", PASSWORD), live.session("rina", PASSWORD)
    staff = Listener(live, "frontoffice", rina)
    try:
        ticket = issue(live, "Budi Santoso")
        for action, body in (("call-next", {}), ("start", {}), ("resolve", {"solution": LONG_SOLUTION})):
            r = budi.post(f"{live.url}/api/counters/1/{action}", json=body, timeout=5)
            assert r.status_code == 200, (action, r.text)
        r = budi.post(f"{live.url}/api/tickets/{ticket['token']}/print-form", json={"counter_id": 1}, timeout=5)
        assert r.status_code == 202, r.text

        job = live.print_job_when(rina, "retrying")
        assert job["kind"] == "form" and job["status"] == "retrying", job
        assert "out of paper while printing" in job["error"], job
        # the figures' copy time is not the torn copy's (it was kept from the print that counted)
        assert copy_printed_at(live, ticket["token"]) is None
        label = ticket["label"]
        (failed,) = named(staff.wait(lambda evs: named(evs, label, "print_failed")), label, "print_failed")
        assert failed["data"]["kind"] == "form" and failed["data"]["advice"]["kind"] == "paper_out", failed

        before = len(printer.received)
        printer.answers[STATUS_PAPER] = PAPER_IN  # a new roll
        live.advance(60)
        job = live.print_job_when(rina, "printed")
        assert job["status"] == "printed" and job["attempts"] >= 2, job
        assert copy_printed_at(live, ticket["token"]) == job["printed_at"]  # the whole copy's
    finally:
        staff.close()
    printed = bytes(printer.received[before:])
    assert printed.count(b"FORMULIR KONSULTASI") == 1 and printed.count(b"budi") >= 1
