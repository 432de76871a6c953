"""A kiosk PC's printer nearly out of paper: its print agent reports what the printer's paper query (DLE EOT 4)
answered, with each job's acknowledgement (`paper`) and on its own (`printer_status`: when it connects, and when
its idle asking finds it changed), and the server tells the front office as for its own printers. An older agent,
which sends no `paper`, changes nothing: nothing known. The server never asks that printer: it is on the kiosk PC.
A real server, a real agent process (or a Socket.IO client speaking the agent's protocol), a printer on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
import requests
import socketio
from conftest import ROOT, visitor, write_config
from fakeprinter import PAPER_IN, PAPER_NEAR_END, PAPER_OUT, STATUS_PAPER, FakeNetworkPrinter
from live import LiveServer, wait_for
from test_agent import TOKEN, printed
from test_agent_bounds import job
from test_printer_paper_low import KIOSK_WARNING, KIOSK_WARNING_EN
from test_printer_status import STATUS

import kiosk.agent
from kiosk.agent import Agent, Journal

PASSWORD = "rahasia-123"


def agent_launcher(url: str, config, tmp_path):
    """(start, stop): start() runs a real print agent process for the kiosk printer against the server at `url`
    (its log in tmp_path/agent.log), stop() kills every one started."""
    agents: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        command = [sys.executable, "-m", "kiosk.agent", "--server", url, "--printer", "kiosk"]
        with open(tmp_path / "agent.log", "ab") as said:
            proc = subprocess.Popen(
                [*command, "--config", str(config)],
                cwd=ROOT,
                env={**os.environ, "ANTRIAN_AGENT_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1"},
                stdout=subprocess.DEVNULL,
                stderr=said,
            )
        agents.append(proc)
        return proc

    def stop() -> None:
        for proc in agents:
            proc.kill()
            proc.wait()

    return start, stop


@pytest.fixture
def office(tmp_path):
    """A server whose kiosk printer is on the kiosk PC ([agents] kiosk; check_status = true there), that printer
    (its roll nearly used up), the front office's API session, and start_agent() for a real agent process."""
    printer = FakeNetworkPrinter(paper=PAPER_NEAR_END)
    cfg = write_config(
        tmp_path,
        printer.as_kiosk(timeout=2, check_status=True, profile="TM-T20II"),
        extra='kiosk = "ANTRIAN_AGENT_TOKEN"\n',
    )
    server = LiveServer(cfg, env={"ANTRIAN_AGENT_TOKEN": TOKEN}).start()
    server.add_user("fo", "frontoffice")
    fo = server.session("fo", PASSWORD)
    start_agent, stop_agents = agent_launcher(server.url, cfg, tmp_path)
    yield server, printer, fo, start_agent
    stop_agents()
    server.stop()
    printer.stop()


def notices(server, fo) -> list[dict]:
    return fo.get(f"{server.url}/api/staff/state", timeout=5).json()["printers"]


def issue(server) -> str:
    r = requests.post(server.url + "/api/tickets", json=visitor(), timeout=5)
    assert r.status_code == 201, r.text
    return r.json()["ticket"]["label"]


def jobs(server, fo) -> dict[str, tuple[str, int]]:
    """Today's print jobs: (status, attempts) by ticket label."""
    return {j["label"]: (j["status"], j["attempts"]) for j in fo.get(f"{server.url}/api/print-jobs").json()["jobs"]}


def test_a_kiosk_pcs_printer_nearly_out_of_paper_is_told_by_its_agent_and_gone_after_a_new_roll(office):
    """The agent asks its printer's paper when it starts (check_status = true), before any job, and says so once
    connected: the front office's warning is there before the first visitor ("Kertas printer kios hampir habis").
    Each job's acknowledgement carries the paper's answer: a new roll takes the warning away at the next ticket, a
    roll nearly used up again brings it back. An agent restarted (the kiosk PC rebooted) says it again: the same
    warning, not a new one (its `since` kept: a Tutup of it stays closed)."""
    server, printer, fo, start_agent = office
    assert notices(server, fo) == []  # no agent: nothing known
    agent = start_agent()
    assert wait_for(lambda: notices(server, fo) != [], seconds=15)  # no ticket yet
    (notice,) = notices(server, fo)
    assert notice["printer"] == "kiosk" and notice["paper"] == "low"
    assert notice["message"] == {"id": KIOSK_WARNING, "en": KIOSK_WARNING_EN}
    assert printer.wait_for_closes(1) == STATUS_PAPER  # asked alone, at the agent's start

    first = issue(server)
    assert wait_for(lambda: jobs(server, fo) == {first: ("printed", 1)})
    assert notices(server, fo) == [notice]  # a calm warning: the ticket printed at its first try

    printer.answers[STATUS_PAPER] = PAPER_IN  # a new roll
    second = issue(server)
    # its acknowledgement says "ok"; the agent's idle asking may say it first (a loaded CI run's): wait for both
    assert wait_for(lambda: jobs(server, fo).get(second) == ("printed", 1)), jobs(server, fo)
    assert wait_for(lambda: notices(server, fo) == [])

    printer.answers[STATUS_PAPER] = PAPER_NEAR_END  # that roll nearly used up in turn
    third = issue(server)
    # its job printed first: the warning may come before it (the agent asks its paper again at a reconnect, a loaded
    # CI run's), never the job after the warning's check
    assert wait_for(lambda: jobs(server, fo).get(third) == ("printed", 1)), jobs(server, fo)
    assert wait_for(lambda: notices(server, fo) != [])
    (again,) = notices(server, fo)
    assert again["message"] == notice["message"] and again["since"] >= notice["since"]

    agent.kill()  # the kiosk PC restarted
    agent.wait()
    start_agent()
    fourth = issue(server)
    assert wait_for(lambda: printed(printer, fourth) == 1, seconds=15)
    assert wait_for(lambda: jobs(server, fo)[fourth] == ("printed", 1))
    assert notices(server, fo) == [again]  # the same warning, since when it first said so
    assert "paper nearly out" in server.log()


def test_the_agents_paper_field_is_taken_as_sent_and_an_older_agents_silence_changes_nothing(office):
    """The protocol as docs/api.md says it, spoken by a Socket.IO client as an agent: an acknowledgement without
    `paper` (an agent older than it) is taken and changes nothing; `printer_status` {paper: "low"} brings the
    warning, an acknowledgement's "ok" takes it away; anything else is refused as invalid and changes nothing; a
    socket that is no agent's is refused."""
    server, _, fo, _ = office
    pushed: list[dict] = []
    came = threading.Condition()

    def on_job(msg):
        with came:
            pushed.append(msg)
            came.notify_all()

    agent = socketio.Client(reconnection=False)
    agent.on("print_job", on_job)
    agent.connect(server.url, auth={"role": "agent", "printer": "kiosk", "token": TOKEN}, transports=["websocket"])
    kiosk_page = socketio.Client(reconnection=False)
    kiosk_page.connect(server.url, auth={"role": "kiosk"}, transports=["websocket"])
    try:

        def next_job(n: int) -> int:
            issue(server)
            with came:
                assert came.wait_for(lambda: len(pushed) >= n, 10), pushed
            return pushed[n - 1]["job"]

        assert agent.call("print_ack", {"job": next_job(1), "ok": True}, timeout=5) == {"ok": True}  # an old agent
        assert notices(server, fo) == []
        assert agent.call("printer_status", {"paper": "low"}, timeout=5) == {"ok": True}
        (notice,) = notices(server, fo)
        assert notice["printer"] == "kiosk" and notice["message"]["id"] == KIOSK_WARNING
        assert agent.call("print_ack", {"job": next_job(2), "ok": True}, timeout=5) == {"ok": True}
        assert notices(server, fo) == [notice]  # no `paper`: nothing known, nothing changed
        for bad in ({"paper": "nearly"}, {"paper": None}, {"paper": ["low"]}, {}, "low", None):
            assert agent.call("printer_status", bad, timeout=5) == {"ok": False, "error": "invalid"}, bad
        assert agent.call("print_ack", {"job": next_job(3), "ok": True, "paper": 7}, timeout=5) == {"ok": True}
        assert notices(server, fo) == [notice]
        assert kiosk_page.call("printer_status", {"paper": "ok"}, timeout=5) == {"ok": False, "error": "not_agent"}
        assert notices(server, fo) == [notice]
        assert agent.call("print_ack", {"job": next_job(4), "ok": True, "paper": "ok"}, timeout=5) == {"ok": True}
        assert notices(server, fo) == []  # a new roll
        assert [status for status, _ in jobs(server, fo).values()] == ["printed"] * 4
    finally:
        agent.disconnect()
        kiosk_page.disconnect()


class Told:
    """What the agent sends the server (its socket's emits), the agent connected."""

    def __init__(self, agent: Agent):
        self.got: list[tuple[str, dict]] = []
        self.changed = threading.Condition()
        self.connected = True
        agent.sio = self

    def emit(self, event: str, data: dict) -> None:
        with self.changed:
            self.got.append((event, data))
            self.changed.notify_all()

    def wait(self, n: int) -> list[tuple[str, dict]]:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.got) >= n, timeout=10), self.got
            return list(self.got)


def test_an_idle_agent_asks_a_nearly_used_up_roll_again_and_says_when_a_new_one_is_in(tmp_path, monkeypatch):
    """While the printer says its paper is nearly out and no job comes, the agent asks its paper alone every
    PAPER_RECHECK_SECONDS (a minute; shortened here) and tells the server once it changed (`printer_status`), as
    the server's own print worker does: the warning goes after a new roll without waiting for a visitor."""
    monkeypatch.setattr(kiosk.agent, "PAPER_RECHECK_SECONDS", 0.5)
    printer = FakeNetworkPrinter(paper=PAPER_NEAR_END)
    try:
        agent = Agent("http://127.0.0.1:9", printer.config(check_status=True, timeout=1), "t", Journal(tmp_path / "j"))
        told = Told(agent)
        agent.printing.start()
        assert told.wait(1) == [("printer_status", {"paper": "low"})]  # asked at its start
        assert printer.wait_for_closes(3) == STATUS_PAPER * 3  # asked again twice, idle, still nearly out
        assert told.got == [("printer_status", {"paper": "low"})]  # nothing more said
        printer.answers[STATUS_PAPER] = PAPER_IN  # a new roll
        assert told.wait(2)[1] == ("printer_status", {"paper": "ok"})
        closes = printer.closes
        agent.on_job(job(1))
        assert told.wait(3)[2] == ("print_ack", {"job": 1, "ok": True, "paper": "ok"})
        received = printer.wait_for_closes(closes + 1)
        assert received.count(b"TICKET") == 1 and received.endswith(STATUS)  # asked no more once the paper is in
    finally:
        printer.stop()


def test_an_idle_agent_asks_a_roll_run_out_again_and_says_when_a_new_one_is_in(tmp_path, monkeypatch):
    """The roll ran out with no job coming: the agent told "out" and never asked again, so the front office read
    "Kertas printer kios habis" until the next visitor's ticket after a new roll. It asks an empty roll again every
    PAPER_RECHECK_SECONDS too, as a nearly used-up one."""
    monkeypatch.setattr(kiosk.agent, "PAPER_RECHECK_SECONDS", 0.5)
    printer = FakeNetworkPrinter(paper=PAPER_OUT)
    try:
        agent = Agent("http://127.0.0.1:9", printer.config(check_status=True, timeout=1), "t", Journal(tmp_path / "j"))
        told = Told(agent)
        agent.printing.start()
        assert told.wait(1) == [("printer_status", {"paper": "out"})]  # asked at its start
        printer.answers[STATUS_PAPER] = PAPER_IN  # a new roll, and no visitor
        assert told.wait(2)[1] == ("printer_status", {"paper": "ok"})
    finally:
        printer.stop()
