"""A roll that runs out in the middle of a ticket. A printer answers its status (DLE EOT) as the query arrives, not
once what came before it is printed: asked right after the slip's bytes it still said paper in, the job counted as
printed, the visitor walked away with half a slip (or none), the kiosk and the front office said "printed", and
nobody knew until the next visitor's ticket failed. Now a printer whose status is asked is asked its paper once
the slip has had time to come out (printers/transport.py PRINTING_SECONDS): out then fails the job, "out of paper
while printing", and the paths of any slip that failed follow (the kiosk's number on the screen, the front office's
alert, the retry that prints it once the paper is in). Real transports on the tests' fake network printer
(tests/fakeprinter.py, its `runs_out_after`: the roll ends while the slip prints), a real server, a real agent."""

from __future__ import annotations

import threading
import time

import pytest
import requests
import socketio
from conftest import write_config
from fakeprinter import PAPER_IN, STATUS_PAPER, FakeNetworkPrinter
from live import ClockedServer
from staffpages import PASSWORD, issue
from test_agent_bounds import Acks, job
from test_printer_paper_low import staff_printers
from test_printer_status import STATUS, TICKET

from printers import PrinterError, send_bytes, transport
from server.advice import failure_kind

# The slip prints for this long before its roll ends; its paper is asked again PRINTING after its bytes.
RUNS_OUT, PRINTING = 0.2, 0.6


@pytest.fixture
def printing(monkeypatch):
    """This process's wait before a slip's paper is asked again: longer than the fake's slip takes to run out."""
    monkeypatch.setattr(transport, "PRINTING_SECONDS", PRINTING)


@pytest.fixture
def printer():
    """A network printer that answers its status, whose roll ends RUNS_OUT seconds into its next job."""
    fake = FakeNetworkPrinter(runs_out_after=RUNS_OUT)
    yield fake
    fake.stop()


# --- the transport ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("check_status", [True, "auto"])
def test_a_roll_that_ends_while_the_slip_prints_fails_the_job_and_the_next_try_waits_for_paper(
    printing, printer, check_status
):
    """The answer right after the bytes still says paper in; the one asked once the slip had time to come out says
    out: the job fails as out of paper (the front office's "kertas habis"), and what the printer said is kept (the
    staff's "paper out" notice). The next try sends nothing while the paper is out; with a new roll it prints."""
    cfg = printer.config(check_status=check_status, timeout=2)
    started = time.monotonic()
    with pytest.raises(PrinterError) as caught:
        send_bytes(cfg, TICKET)
    assert time.monotonic() - started >= PRINTING  # asked once the slip had time to come out, not at once
    error = str(caught.value)
    assert error.startswith(f"printer kiosk: out of paper while printing at {cfg.target}"), error
    assert failure_kind(error) == "paper_out"
    assert transport.paper_state(cfg) == transport.PAPER_OUT
    # online asked at once after the slip, its paper after the wait (no query more than before)
    assert printer.wait_for_closes(1).endswith(STATUS + TICKET + STATUS)
    with pytest.raises(PrinterError, match="printer kiosk: out of paper at"):
        send_bytes(cfg, TICKET)  # the retry while the paper is out: asked first, nothing sent
    assert printer.wait_for_closes(2).count(TICKET) == 1
    printer.answers[STATUS_PAPER] = PAPER_IN  # a new roll
    send_bytes(cfg, TICKET)
    assert printer.wait_for_closes(3).count(TICKET) == 2  # the torn slip, and the whole one
    assert transport.paper_state(cfg) == transport.PAPER_OK


def test_a_printer_whose_status_is_not_asked_is_neither_asked_nor_waited_for(printing, printer):
    """check_status = false: the bytes go, nothing is asked, and the job does not wait for the slip to print."""
    cfg = printer.config(check_status=False, timeout=2)
    started = time.monotonic()
    send_bytes(cfg, TICKET)
    assert time.monotonic() - started < PRINTING
    assert printer.wait_for_closes(1) == TICKET


def test_a_device_print_may_take_the_slips_printing_time_before_it_counts_as_hanging(printing, printer):
    """A device printer's print (from a thread under gevent) is bounded by its timeout and a margin: a printer whose
    status is asked may take PRINTING_SECONDS more, the wait before its paper is asked again; a silent one not."""
    from server.printing import HANG_MARGIN_SECONDS, PrintWorker

    assert transport.PRINTING_SECONDS == PRINTING
    asked = PrintWorker(None, "kiosk", printer.config(check_status=True, timeout=2))
    assert asked.hang_limit() == 2 + PRINTING + HANG_MARGIN_SECONDS
    assert PrintWorker(None, "kiosk", printer.config(check_status=False, timeout=2)).hang_limit() == (
        2 + HANG_MARGIN_SECONDS
    )
    learning = PrintWorker(None, "kiosk", printer.config(timeout=0.5))  # "auto", nothing known: the longer wait
    assert learning.hang_limit() == 0.5 + PRINTING + HANG_MARGIN_SECONDS


# --- the print agent (a kiosk PC's printer) -----------------------------------------------------------------------


def test_the_print_agent_answers_a_slip_whose_roll_ended_as_failed_and_prints_it_once_paper_is_in(
    printing, printer, tmp_path
):
    """The agent prints through the same transport: its answer is the failure (not journaled, so the server's push
    again prints it), and its bound for a print takes the slip's printing time (a margin of 0 and a timeout shorter
    than that wait: the job was answered "no answer within", a hang)."""
    from kiosk.agent import Agent, Journal

    cfg = printer.config(check_status=True, timeout=0.5)
    agent = Agent("http://127.0.0.1:9", cfg, "token", Journal(tmp_path / "journal"))
    agent.HANG_MARGIN_SECONDS = 0.0
    acks = Acks(agent)
    agent.printing.start()
    agent.on_job(job(1, TICKET))
    ((number, error),) = acks.wait(1)
    assert number == 1 and error.startswith("printer kiosk: out of paper while printing"), error
    assert 1 not in agent.journal and transport.paper_state(cfg) == transport.PAPER_OUT
    printer.answers[STATUS_PAPER] = PAPER_IN
    agent.on_job(job(1, TICKET))  # pushed again by the server
    assert acks.wait(2)[1] == (1, None) and 1 in agent.journal
    assert printer.wait_for_closes(2).count(TICKET) == 2


# --- a real server: the kiosk, the front office, the retry --------------------------------------------------------


class Listener:
    """A Socket.IO connection of a page (the kiosk's public room, or the front office's with rina's cookie), keeping
    the events it gets."""

    def __init__(self, live, role: str, session: requests.Session | None = None):
        self.events: list[dict] = []
        self.came = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
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

        printer.answers[STATUS_PAPER] = PAPER_IN  # a new roll
        live.advance(60)  # past the retry's wait (2 s after the first try, 4 after a second while the paper was out)
        assert print_state(live, ticket["token"], "printed") == "printed"
        kiosk.wait(lambda evs: named(evs, label, "printed"))
        job = live.print_job_when(rina, "printed")
        assert job["status"] == "printed" and job["attempts"] >= 2, job
    finally:
        kiosk.close()
        staff.close()
    # the torn slip and the whole one: none sent while the paper was out
    assert bytes(printer.received).count(b"NOMOR ANTRIAN") == 2
