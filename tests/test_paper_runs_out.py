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

import threading
import time

import pytest
import requests
import socketio
from conftest import write_config
from fakeprinter import PAPER_IN, STATUS_PAPER, FakeNetworkPrinter
from live import ClockedServer
from staffpages import PASSWORD, issue
from test_printer_paper_low import staff_printers

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
