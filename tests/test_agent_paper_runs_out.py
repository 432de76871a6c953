"""A roll that runs out in the middle of a slip on a kiosk PC's printer (its print agent's). The agent acknowledged
each job once its bytes were sent, and a printer answers its status as the bytes arrive, not once they are printed:
the slip the roll ended in counted as printed, the kiosk told its visitor to take a ticket he holds half of (or none),
and nobody knew until the next visitor's ticket failed. Now the agent keeps the slips that may still be coming out
(the job's `seconds`, the server's estimate), asks the paper once they have had time to (or before the next job), and
reports each one the roll ended in (`print_ack` with `torn`): taken out of its journal, tried again by the server, as
for the server's own printers (tests/test_paper_runs_out.py). The server takes such a report only for a slip it
recorded as printed moments ago. A real server, a real agent process, the tests' fake network printer whose roll
ends inside the slip (tests/fakeprinter.py `runs_out_after`)."""

from __future__ import annotations

import threading

import pytest
import socketio
from conftest import write_config
from fakeprinter import FakeNetworkPrinter
from live import ClockedServer, wait_for
from staffpages import PASSWORD, issue
from test_agent import TOKEN
from test_agent_bounds import agent_worker, printer_events, statuses
from test_agent_bounds import issue as issue_in_app
from test_agent_paper import agent_launcher
from test_paper_runs_out import both_torn_then_printed_once, one_torn_then_printed_once, print_state

import server.printing

# The roll ends RUNS_OUT seconds into the first slip; a ticket takes PRINTING seconds to come out (the server's
# estimate, sent to the agent with each job).
RUNS_OUT, PRINTING = 0.4, 0.6


def office(tmp_path, printer: FakeNetworkPrinter):
    """The server at 09:00 office time, its kiosk printer on the kiosk PC ([agents] kiosk; check_status = true
    there), a ticket's printing time PRINTING; the front office's rina; and start_agent() for a real agent."""
    config = write_config(
        tmp_path,
        printer.as_kiosk(timeout=2, check_status=True, profile="TM-T20II"),
        extra='kiosk = "ANTRIAN_AGENT_TOKEN"\n',
    )
    numbers = {"printers.transport.PRINTING_SECONDS": PRINTING}
    live = ClockedServer(config, tick=0.1, dated=True, numbers=numbers, env={"ANTRIAN_AGENT_TOKEN": TOKEN}).start()
    live.add_user("rina", "frontoffice")
    start_agent, stop_agents = agent_launcher(live.url, config, tmp_path)

    def stop() -> None:
        stop_agents()
        live.stop()
        printer.stop()

    return live, start_agent, stop


@pytest.fixture
def kiosk_pc(tmp_path):
    printer = FakeNetworkPrinter(runs_out_after=RUNS_OUT)
    live, start_agent, stop = office(tmp_path, printer)

    def start_connected() -> None:
        """A real agent, once it says it is connected: a ticket issued before that waits for it ABSENT_GRACE_SECONDS
        of the server's clock, then is told "not printed yet" (an agent process on a loaded machine once took longer
        to start), and not the torn slip these tests are about."""
        start_agent()
        log = tmp_path / "agent.log"
        said = lambda: log.read_text(errors="replace") if log.exists() else ""  # noqa: E731
        assert wait_for(lambda: "as agent of kiosk" in said(), seconds=60), said()

    yield live, printer, start_connected
    stop()


def test_a_slip_the_roll_ended_in_on_the_kiosk_pcs_printer_is_told_and_printed_again_once(kiosk_pc):
    """The visitor's slip ran out of paper halfway on the kiosk PC's printer: its agent, asking the paper once the
    slip has had time to come out, reports it torn. The ticket's print state is failed, the kiosk's event names it
    (the kiosk shows the number and sends the visitor to the front office), the front office reads "kertas habis …
    tiket dicetak lagi otomatis" and the paper-out notice. With a new roll the job, pushed again, prints whole (the
    agent's journal no longer answers it as printed), once: nothing sent while the paper was out."""
    live, printer, start_agent = kiosk_pc
    start_agent()
    one_torn_then_printed_once(live, printer, log_says="said by its print agent")


def test_a_roll_that_ends_in_a_kiosk_pcs_ticket_followed_at_once_by_another_has_both_printed_again(kiosk_pc):
    """Two visitors take their numbers back to back: the agent sends the second slip while the first is still
    coming out (its paper asked before the second goes says paper in: a printer answers as the query arrives), and
    the roll ends inside the first. Both stay unsure until their time has passed; the paper then says out: both are
    reported torn, both kiosks told, and with a new roll both print whole, once each."""
    live, printer, start_agent = kiosk_pc
    start_agent()
    both_torn_then_printed_once(live, printer)


# --- the protocol, and its bounds --------------------------------------------------------------------------------


@pytest.fixture
def agent_socket(tmp_path):
    """The office of kiosk_pc with no agent process: a Socket.IO client speaking the agent's protocol, and the
    jobs pushed to it."""
    printer = FakeNetworkPrinter()
    live, _, stop = office(tmp_path, printer)
    pushed: list[dict] = []
    came = threading.Condition()

    def on_job(msg):
        with came:
            pushed.append(msg)
            came.notify_all()

    agent = socketio.Client(reconnection=False)
    agent.on("print_job", on_job)
    agent.connect(live.url, auth={"role": "agent", "printer": "kiosk", "token": TOKEN}, transports=["websocket"])

    def next_job() -> dict:
        n = len(pushed) + 1
        ticket = issue(live, f"Pengunjung {n}")
        with came:
            assert came.wait_for(lambda: len(pushed) >= n, 10), pushed
        return {**pushed[n - 1], "token": ticket["token"]}

    yield live, agent, next_job
    agent.disconnect()
    stop()


def test_a_torn_report_is_taken_once_for_a_slip_just_printed_and_refused_for_any_other(agent_socket):
    """Each job carries `seconds`, its slip's printing time (the server's estimate, PRINTING for a ticket). A
    `print_ack` with `torn` for a slip acknowledged printed moments ago puts it back to retrying (out of paper while
    printing); the same report again, one for a job never pushed or still pending, `torn` with `ok` true or not a
    boolean, are refused. An acknowledgement without `torn` (an older agent) is
    taken as before."""
    live, agent, next_job = agent_socket
    first = next_job()
    assert first["seconds"] == PRINTING and first["kind"] == "ticket"
    assert agent.call("print_ack", {"job": first["job"], "ok": True}, timeout=5) == {"ok": True}  # an older agent
    assert print_state(live, first["token"], "printed") == "printed"
    torn = {"job": first["job"], "ok": False, "error": "anything", "torn": True, "paper": "out"}
    for bad in ({**torn, "ok": True}, {**torn, "torn": "yes"}, {**torn, "torn": 1}):
        assert agent.call("print_ack", bad, timeout=5) == {"ok": False, "error": "invalid"}, bad
    assert print_state(live, first["token"], "printed") == "printed"
    assert agent.call("print_ack", torn, timeout=5) == {"ok": True}
    assert print_state(live, first["token"], "failed") == "failed"
    rina = live.session("rina", PASSWORD)
    job = live.print_job_when(rina, "retrying")
    assert job["attempts"] == 1 and job["error"].startswith("printer kiosk: out of paper while printing"), job
    assert agent.call("print_ack", torn, timeout=5) == {"ok": False}  # told already: retrying, not printed
    assert agent.call("print_ack", {**torn, "job": first["job"] + 1000}, timeout=5) == {"ok": False}

    second = next_job()  # pending, never said printed: pushed again anyway
    assert agent.call("print_ack", {**torn, "job": second["job"]}, timeout=5) == {"ok": False}
    assert print_state(live, second["token"], "queued") == "queued"


class Clock:
    """server.printing.agent_clock, moved by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_torn_report_is_refused_for_a_slip_printed_earlier_or_another_printers(app, client, monkeypatch):
    """An agent's token cannot have the day's tickets printed again: a torn report is taken only for a slip
    acknowledged printed within its estimated end and AGENT_TORN_SECONDS (two of the printer's timeouts and the
    margin more), by the worker of that slip's printer; the others stay printed, no alert, nothing queued again."""
    clock = Clock()
    monkeypatch.setattr(server.printing, "agent_clock", clock)
    worker, pushed = agent_worker(app)
    issue_in_app(client, 3)
    worker.run_once()
    first, second, third = (m["job"] for m in pushed)
    for job in (first, second, third):
        assert worker.acknowledge(job, None)
    # the three slips' ends follow each other: the third is out last
    grace = server.printing.AGENT_TORN_SECONDS + 2 * worker.config.timeout + server.printing.HANG_MARGIN_SECONDS
    clock.now += 3 * pushed[0]["seconds"] + grace - 0.01
    other, _ = agent_worker(app)
    other.name = "loket"
    assert not other.acknowledge(third, "torn", torn=True)  # another printer's worker: not its job
    assert worker.acknowledge(third, "torn", torn=True)  # still within its time
    clock.now += 1.0
    assert not worker.acknowledge(second, "torn", torn=True)  # past it
    assert not worker.acknowledge(first, "torn", torn=True)
    assert [status for status, _ in statuses(app)] == ["printed", "printed", "retrying"]
    assert [e["type"] for e in printer_events(app)] == ["print_failed"]
