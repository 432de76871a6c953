"""The print agent's bounds, both ends: the server pushes nothing without an agent, a few jobs a round,
and gives up a day's jobs when the day is over; the agent prints from one thread, answers a printer that
hangs, and keeps its journal short. The round trip over Socket.IO is tests/test_agent.py's."""

from __future__ import annotations

import base64
import json
import os
import threading
import time

import pytest
from conftest import login, visitor, write_config

import printers
from kiosk.agent import Agent, Journal
from server.printing import AgentPrintWorker


def issue(client, n: int) -> list[str]:
    labels = []
    for _ in range(n):
        r = client.post("/api/tickets", json=visitor())
        assert r.status_code == 201, r.get_json()
        labels.append(r.get_json()["ticket"]["label"])
    return labels


def agent_worker(app, present: bool = True) -> tuple[AgentPrintWorker, list[dict]]:
    svc = app.extensions["antrian"]
    pushed: list[dict] = []
    here = {"agent": present}
    worker = AgentPrintWorker(
        svc, "kiosk", svc.settings.printers["kiosk"], lambda event, msg, to: pushed.append(msg), lambda: here["agent"]
    )
    worker.here = here
    return worker, pushed


def printer_events(app) -> list[dict]:
    with app.extensions["antrian"].store.read() as tx:
        return tx.rows("SELECT type, data FROM events WHERE type IN ('print_failed', 'printed') ORDER BY seq")


def statuses(app) -> list[tuple[str, str | None]]:
    with app.extensions["antrian"].store.read() as tx:
        return [(r["status"], r["error"]) for r in tx.rows("SELECT status, error FROM print_jobs ORDER BY id")]


def test_nothing_is_read_or_pushed_while_no_agent_is_connected_then_all_of_it(app, client):
    worker, pushed = agent_worker(app, present=False)
    labels = issue(client, 3)
    assert worker.run_once() == 0 and pushed == []
    worker.here["agent"] = True
    worker.resend()  # the agent connects
    assert worker.run_once() == 3
    assert [m["label"] for m in pushed] == labels
    assert base64.b64decode(pushed[0]["data"]).startswith(b"\x1b@")  # real ESC/POS bytes
    assert worker.run_once() == 0  # sent less than RESEND_SECONDS ago: not again


def test_a_round_pushes_at_most_its_share_and_asks_for_the_next_round_at_once(app, client):
    worker, pushed = agent_worker(app)
    worker.PUSH_PER_ROUND = 2
    labels = issue(client, 5)
    assert worker.run_once() == 2 and worker.wake.is_set()
    worker.wake.clear()
    assert worker.run_once() == 2 and worker.wake.is_set()
    worker.wake.clear()
    assert worker.run_once() == 1 and not worker.wake.is_set()
    assert [m["label"] for m in pushed] == labels


def test_an_acknowledged_job_is_not_pushed_again(app, client):
    worker, pushed = agent_worker(app)
    issue(client, 2)
    worker.run_once()
    first, second = (m["job"] for m in pushed)
    assert worker.acknowledge(first, None)
    assert not worker.acknowledge(first, None)  # twice: no longer pending
    worker.resend()  # a reconnect pushes every pending job again: only the one not acknowledged
    pushed.clear()
    assert worker.run_once() == 1 and [m["job"] for m in pushed] == [second]
    assert [s for s, _ in statuses(app)] == ["printed", "queued"]


def test_no_agent_a_few_seconds_after_a_ticket_is_told_once_and_it_prints_when_the_agent_comes(app, client, clock):
    worker, pushed = agent_worker(app, present=False)  # the kiosk PC's agent is not running
    assert worker.run_once() == 0  # the server's first round: no agent since
    r = client.post("/api/tickets", json=visitor())
    token = r.get_json()["ticket"]["token"]
    assert r.get_json()["ticket"]["print"] == "queued"
    clock.advance(seconds=AgentPrintWorker.ABSENT_GRACE_SECONDS - 1)
    assert worker.run_once() == 0 and statuses(app) == [("queued", None)]  # within a reconnect's time
    clock.advance(seconds=2)
    assert worker.run_once() == 0 and pushed == []
    assert statuses(app) == [("retrying", AgentPrintWorker.ABSENT)]
    # the kiosk tells the visitor to note the number; the front office has its alert, with what to do
    assert client.get(f"/api/tickets/{token}").get_json()["ticket"]["print"] == "failed"
    alerts = [json.loads(e["data"]) for e in printer_events(app) if e["type"] == "print_failed"]
    assert len(alerts) == 1 and alerts[0]["advice"]["kind"] == "no_agent"
    assert alerts[0]["advice"]["id"].startswith("Printer kios: agen cetaknya tidak tersambung")
    clock.advance(minutes=30)
    worker.run_once()  # told once, not every round
    assert [s for s, _ in statuses(app)] == ["retrying"]
    assert worker.tell_absent() == 0
    worker.here["agent"] = True  # the agent starts
    worker.resend()
    assert worker.run_once() == 1 and worker.acknowledge(pushed[0]["job"], None)
    assert client.get(f"/api/tickets/{token}").get_json()["ticket"]["print"] == "printed"
    assert [e["type"] for e in printer_events(app)] == ["print_failed", "printed"]


def test_a_slip_that_failed_while_no_agent_was_connected_says_the_printer_is_back_once_another_printed(
    app, client, clock, monkeypatch
):
    """The kiosk PC's agent off: the slips' alerts say to switch the PC on and start its agent. The agent back, a later
    slip printed: the front office is told (`print_back`) and the first slip's advice says the printer prints again,
    not to go and start an agent that runs; the printer failing again, its failure's advice again."""
    svc = app.extensions["antrian"]
    told: list[tuple[str, dict]] = []
    monkeypatch.setattr(svc, "tell_staff", lambda name, data: told.append((name, data)))
    worker, pushed = agent_worker(app, present=False)
    assert worker.run_once() == 0
    labels = issue(client, 2)
    clock.advance(seconds=AgentPrintWorker.ABSENT_GRACE_SECONDS + 1)
    worker.run_once()
    assert [s for s, _ in statuses(app)] == ["retrying", "retrying"]

    def advice(label: str) -> dict:
        return next(j for j in svc.jobs.print_jobs() if j["label"] == label)["advice"]

    assert advice(labels[0])["id"].startswith("Printer kios: agen cetaknya tidak tersambung")
    worker.here["agent"] = True  # the agent starts; the second slip comes out first
    worker.resend()
    clock.advance(seconds=5)  # their next tries are due
    assert worker.run_once() == 2
    job = {m["label"]: m["job"] for m in pushed}
    assert worker.acknowledge(job[labels[1]], None)
    assert told == [("print_back", {"printer": "kiosk"})]
    back = advice(labels[0])
    assert back["kind"] == "no_agent" and back["back"], back
    assert back["id"].startswith("Printer kios sudah mencetak lagi pukul "), back
    assert back["id"].endswith("; slip nomor berikut dicetak lagi otomatis"), back
    clock.advance(seconds=1)
    assert worker.acknowledge(job[labels[0]], "printer kiosk: out of paper")  # it fails again: not back
    assert advice(labels[0])["id"] == "Printer kios: kertas habis — isi kertas; tiket dicetak lagi otomatis"
    assert told == [("print_back", {"printer": "kiosk"})]  # said once


def test_an_agent_that_just_left_has_its_grace_from_when_it_left_not_from_the_jobs_age(app, client, clock):
    """A slip pushed a while ago and not yet acknowledged when the agent's socket drops (a network blip):
    not told as failed at once, only once the agent has been away ABSENT_GRACE_SECONDS."""
    worker, pushed = agent_worker(app)
    issue(client, 1)
    assert worker.run_once() == 1
    clock.advance(seconds=30)
    worker.here["agent"] = False  # the agent's socket drops
    assert worker.run_once() == 0 and statuses(app) == [("queued", None)]
    clock.advance(seconds=AgentPrintWorker.ABSENT_GRACE_SECONDS - 1)
    assert worker.run_once() == 0 and statuses(app) == [("queued", None)]  # back within it, nothing said
    clock.advance(seconds=2)
    worker.run_once()
    assert statuses(app) == [("retrying", AgentPrintWorker.ABSENT)]


def test_a_reprint_of_a_slip_the_agent_has_not_answered_is_pushed_at_the_next_round(app, client, monkeypatch):
    """Cetak ulang while the agent has the slip unanswered: the same job ("again"), pushed at once rather
    than RESEND_SECONDS after its last push, as the answer says."""
    worker, pushed = agent_worker(app)
    monkeypatch.setitem(app.extensions["antrian"].unit.hooks.print_workers, "kiosk", worker)
    (label,) = issue(client, 1)
    assert worker.run_once() == 1 and worker.run_once() == 0  # pushed, and not again so soon
    r = client.post(f"/api/tickets/{label}/reprint", json={}, headers=login(app, client, "fo", "frontoffice"))
    assert r.status_code == 202 and r.get_json()["again"] is True
    assert worker.wake.is_set() and worker.run_once() == 1
    assert [m["job"] for m in pushed] == [r.get_json()["print_job"]] * 2


def test_jobs_still_waiting_when_their_day_is_over_are_given_up_and_shown(app, client, clock):
    worker, pushed = agent_worker(app, present=False)  # the kiosk PC is off all day
    issue(client, 3)
    worker.run_once()
    assert [s for s, _ in statuses(app)] == ["queued"] * 3
    clock.advance(days=1)
    worker.here["agent"] = True  # it comes back the next morning
    worker.resend()
    assert worker.run_once() == 0 and pushed == []  # yesterday's visitors are long gone
    assert statuses(app) == [("failed", AgentPrintWorker.EXPIRED)] * 3
    today = issue(client, 1)
    assert worker.run_once() == 1 and [m["label"] for m in pushed] == today
    headers = login(app, client, "fo", "frontoffice")
    jobs = client.get("/api/print-jobs", headers=headers).get_json()["jobs"]
    assert [(j["status"], j["today"]) for j in jobs] == [("queued", True)] + [("failed", False)] * 3
    advice = jobs[1]["advice"]  # what the front office reads: why, and no Cetak ulang for a visitor long gone
    assert advice["kind"] == "expired" and "Cetak ulang" not in advice["id"]
    assert advice["id"].startswith("Printer kios: tidak mengambil cetakan pada harinya")


# -- the agent ---------------------------------------------------------------------------------------


def fifo_printer(tmp_path, timeout: float = 0.2) -> tuple[printers.PrinterConfig, str]:
    """A file printer whose file is a FIFO: a write blocks until someone reads, as a device that hangs."""
    path = str(tmp_path / "lp0")
    os.mkfifo(path)
    cfg = write_config(
        tmp_path,
        {'[printers.kiosk]\ntype = "dummy"': f'[printers.kiosk]\ntype = "file"\npath = "{path}"\ntimeout = {timeout}'},
    )
    from server.config import load_settings

    return load_settings(cfg).printers["kiosk"], path


class Acks:
    """The agent's answers, as the server would receive them."""

    def __init__(self, agent: Agent):
        self.got: list[tuple[int, str | None]] = []
        self.changed = threading.Condition()
        agent.ack = self.add

    def add(self, job: int, error: str | None = None) -> None:
        with self.changed:
            self.got.append((job, error))
            self.changed.notify_all()

    def wait(self, n: int) -> list[tuple[int, str | None]]:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.got) >= n, timeout=10), self.got
            return list(self.got)


def job(n: int, data: bytes = b"\x1b@TICKET\n") -> dict:
    return {"job": n, "label": f"A{n}", "data": base64.b64encode(data).decode()}


def test_a_printer_that_hangs_holds_one_thread_is_answered_and_its_late_print_counted(tmp_path):
    cfg, path = fifo_printer(tmp_path)
    agent = Agent("http://127.0.0.1:9", cfg, "token", Journal(tmp_path / "journal"))
    agent.HANG_MARGIN_SECONDS = 0.0
    acks = Acks(agent)
    agent.printing.start()
    threads = threading.active_count()
    agent.on_job(job(1))
    got = acks.wait(1)
    assert got[0][0] == 1 and "no answer within" in got[0][1]
    for _ in range(50):  # the server pushes it again and again, and others
        agent.on_job(job(1))
        agent.on_job(job(2))
    assert threading.active_count() <= threads + 1  # the one write that hangs, no thread per push
    assert agent.jobs.qsize() == 1  # job 2 once; job 1 not again while it prints
    fd = os.open(path, os.O_RDONLY)  # the printer wakes up
    try:
        acks.wait(2)
        assert acks.got[1] == (1, None) and 1 in agent.journal  # printed late: counted, not printed again
        deadline = time.monotonic() + 10
        received = b""
        while b"TICKET" not in received and time.monotonic() < deadline:
            received += os.read(fd, 4096)
    finally:
        os.close(fd)
    assert b"TICKET" in received


def test_an_agents_first_job_to_a_printer_that_does_not_answer_its_status_is_not_taken_for_a_hang(tmp_path):
    """check_status = "auto": the first job waits the printer's timeout for a status answer that never comes,
    then prints. The agent's hang limit (timeout + margin) took it for a hang and answered it failed; like
    the server's (PrintWorker.hang_limit) it now allows one timeout more for a job that learns."""
    from fakeprinter import FakeNetworkPrinter

    printer = FakeNetworkPrinter(online=b"", paper=b"")  # answers no status query
    try:
        cfg = printer.config(timeout=2.0)
        assert cfg.status_mode == "auto" and printers.status_answered(cfg) is None
        agent = Agent("http://127.0.0.1:9", cfg, "token", Journal(tmp_path / "journal"))
        agent.HANG_MARGIN_SECONDS = 0.0  # the whole limit is the printer's timeout, and the learning's
        acks = Acks(agent)
        agent.printing.start()
        agent.on_job(job(1))
        assert acks.wait(1) == [(1, None)]
        assert printers.status_answered(cfg) is False  # learned: silent
        agent.on_job(job(2))  # known silent now: no wait, the plain limit
        assert acks.wait(2) == [(1, None), (2, None)]
        # both slips at the printer: the second's bytes may still be on their way when its job is answered (its
        # socket written and closed), the fake printer's thread reading them a moment later
        deadline = time.monotonic() + 15
        while printer.received.count(b"TICKET") < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        printer.stop()
    assert printer.received.count(b"TICKET") == 2


def test_the_queue_of_an_agent_is_bounded(tmp_path):
    cfg, _ = fifo_printer(tmp_path, timeout=30)
    agent = Agent("http://127.0.0.1:9", cfg, "token", Journal(tmp_path / "journal"))
    agent.QUEUE_LIMIT = 5
    Acks(agent)  # the printing thread is not started: every job waits
    for n in range(1, 20):
        agent.on_job(job(n))
    assert agent.jobs.qsize() == 5 and agent.pending == {1, 2, 3, 4, 5}


def test_a_job_in_the_journal_is_answered_not_printed(tmp_path):
    cfg, _ = fifo_printer(tmp_path)
    journal = Journal(tmp_path / "journal")
    journal.add(7)
    agent = Agent("http://127.0.0.1:9", cfg, "token", journal)
    acks = Acks(agent)
    agent.on_job(job(7))
    assert acks.got == [(7, None)] and agent.jobs.qsize() == 0


@pytest.mark.parametrize("bad", [{"job": "1"}, {"job": None}, "text", None, {"job": 3, "data": "%%%"}])
def test_a_malformed_job_is_dropped_or_answered_as_failed(tmp_path, bad):
    cfg, _ = fifo_printer(tmp_path)
    agent = Agent("http://127.0.0.1:9", cfg, "token", Journal(tmp_path / "journal"))
    acks = Acks(agent)
    agent.printing.start()
    agent.on_job(bad)
    if isinstance(bad, dict) and isinstance(bad.get("job"), int):
        (answer,) = acks.wait(1)
        assert answer[0] == 3 and answer[1]  # not base64: failed, with the reason
    else:
        assert agent.jobs.qsize() == 0 and acks.got == []


def test_the_journal_keeps_the_newest_ids_and_rewrites_itself(tmp_path):
    class Small(Journal):
        KEEP = 5

    path = tmp_path / "journal"
    journal = Small(path)
    for n in range(1, 11):
        journal.add(n)
    assert len(path.read_text().split()) == 10  # not yet twice KEEP
    journal.add(11)
    assert path.read_text().split() == ["7", "8", "9", "10", "11"]
    assert 11 in journal and 6 not in journal
    path.write_text("".join(f"{n}\n" for n in range(1, 31)))  # a journal from before the bound
    again = Small(path)
    assert path.read_text().split() == ["26", "27", "28", "29", "30"] and 30 in again and 25 not in again


def test_an_answer_while_disconnected_is_not_an_error_and_the_print_is_journaled(tmp_path):
    """The agent lost the server while printing: the ack cannot go, the journal keeps the print (the
    server pushes the job again after the reconnect and gets its answer without a second print)."""
    cfg, path = fifo_printer(tmp_path, timeout=5)
    journal = Journal(tmp_path / "journal")
    agent = Agent("http://127.0.0.1:9", cfg, "token", journal)  # never connected: emit raises
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        agent.print_job(5, job(5))  # printed; the real ack fails quietly
        assert 5 in journal and agent.sio.connected is False
    finally:
        os.close(fd)


def test_a_retried_slip_of_a_ticket_cancelled_while_no_agent_is_connected_is_skipped_not_left_alerting(
    app, client, clock
):
    """A review found the kiosk PC's agent off, a slip told as failed ("percobaan 1", its print_failed alert) and its
    ticket then cancelled: the slip stayed `retrying` (no agent, no push, no turn at which to skip it) and its alert
    on every front office page until an agent connected. With no agent for the grace, the worker now skips such a
    slip as its push would (`print_skipped`: the alert goes, and says why); one of a ticket still waiting, or a
    reprint of a called visitor (still printed at the desk), keeps retrying. Read in SQL: a line of waiting slips
    longer than a round's share does not hide the one to skip. With an agent connected nothing is skipped under it."""
    worker, pushed = agent_worker(app, present=False)  # the kiosk PC's agent is not running
    worker.PUSH_PER_ROUND = 2
    assert worker.run_once() == 0
    labels = issue(client, 4)
    clock.advance(seconds=AgentPrintWorker.ABSENT_GRACE_SECONDS + 1)
    for _ in range(2):  # told as failed two a round
        worker.run_once()
    assert statuses(app) == [("retrying", AgentPrintWorker.ABSENT)] * 4
    front = app.test_client()
    h = login(app, front, "fo", "frontoffice")
    officer = app.test_client()
    h_officer = login(app, officer, "budi", counter_id=1)
    r = officer.post("/api/counters/1/call", json={"ticket": labels[2]}, headers=h_officer)
    assert r.status_code == 200, r.get_json()
    assert front.post(f"/api/tickets/{labels[2]}/reprint", json={}, headers=h).get_json()["again"] is True
    assert front.post(f"/api/tickets/{labels[3]}/cancel", json={}, headers=h).status_code == 200
    assert [s for s, _ in statuses(app)] == ["retrying"] * 4  # its printer's worker settles it
    worker.run_once()  # still no agent
    assert [(s, e if s == "skipped" else None) for s, e in statuses(app)] == [
        ("retrying", None),
        ("retrying", None),
        ("retrying", None),  # the reprint of a called visitor (the front office asked for it at the desk)
        ("skipped", "skipped: cancelled"),
    ]
    with app.extensions["antrian"].store.read() as tx:
        skipped = [json.loads(e["data"]) for e in tx.rows("SELECT data FROM events WHERE type = 'print_skipped'")]
    assert [(e["job"], e["attempts"], e["reason"]["kind"]) for e in skipped] == [(4, 1, "cancelled")]
    assert worker.run_once() == 0 and worker.tell_absent() == 0  # once
    listed = {j["id"]: j for j in front.get("/api/print-jobs", headers=h).get_json()["jobs"]}
    assert listed[4]["status"] == "skipped" and listed[4]["reason"]["id"] == "tiket sudah dibatalkan"

    # An agent connected: a slip pushed to it is its own until it answers, whatever happens to its ticket.
    worker.here["agent"] = True
    worker.resend()
    clock.advance(seconds=3)  # their retries are due
    while worker.run_once():
        pass
    assert sorted(m["label"] for m in pushed) == labels[:3]
    assert front.post(f"/api/tickets/{labels[1]}/cancel", json={}, headers=h).status_code == 200
    clock.advance(seconds=AgentPrintWorker.ABSENT_GRACE_SECONDS + 1)
    assert worker.run_once() == 0  # pushed less than RESEND_SECONDS ago: nothing to do
    assert [s for s, _ in statuses(app)] == ["retrying", "retrying", "retrying", "skipped"]
    job = next(m["job"] for m in pushed if m["label"] == labels[1])
    assert worker.acknowledge(job, None)  # it printed while the ticket was being cancelled
    assert [s for s, _ in statuses(app)] == ["retrying", "printed", "retrying", "skipped"]


def test_a_form_copy_an_agent_had_when_its_record_was_corrected_is_said_printed_with_the_old_text(tmp_path, clock):
    """A counter's printer on a kiosk PC (its print agent): the copy pushed to the agent, the answer corrected before
    the agent said it printed. The paper has the old text (pushed as rendered then); the agent's "printed" was taken
    as any other, and the counter's page said nothing. Now its `printed` event says `outdated` (the page's line
    with Cetak ulang); a copy pushed after the correction is not."""
    from conftest import empty_database

    from server.app import create_app

    cfg = write_config(tmp_path, {'services = ["A", "C"]': 'services = ["A", "C"]\nprinter = "kiosk"'})
    empty_database(cfg.parent / "antrian.db")
    app = create_app(cfg, workers=False, clock=clock, synchronous="OFF")
    try:
        client = app.test_client()
        issue(client, 1)
        h = login(app, client, "budi", counter_id=1)
        for action, data in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Reset lewat admn"})):
            assert client.post(f"/api/counters/1/{action}", json=data, headers=h).status_code == 200
        worker, pushed = agent_worker(app)

        def copy() -> dict:
            r = client.post("/api/tickets/A-001/print-form", json={"counter_id": 1}, headers=h)
            assert r.status_code == 202, r.get_json()
            pushed.clear()
            worker.run_once()  # pushed: the agent has the copy's bytes, and prints the first push it gets
            (msg,) = [m for m in pushed if m["kind"] == "form"]
            return msg

        def correct(solution: str) -> None:
            r = client.post("/api/tickets/A-001/correct", json={"solution": solution}, headers=h)
            assert r.status_code == 200, r.get_json()

        def printed_said(job: int) -> dict | None:
            before = len(printer_events(app))
            assert worker.acknowledge(job, None)
            said = printer_events(app)[before:]
            return json.loads(said[0]["data"]) if said else None

        first = copy()
        assert "lewat admn" in first["text"]
        correct("Reset lewat admin")
        said = printed_said(first["job"])  # the agent printed "lewat admn"
        assert said is not None and said["outdated"] is True and said["kind"] == "form", said
        second = copy()
        assert "lewat admin" in second["text"]
        correct("Reset lewat menu admin")
        worker.resend()  # a reconnect: pushed again with the text of now, but the agent printed the first push
        pushed.clear()
        assert worker.run_once() == 1 and "menu admin" in pushed[0]["text"]
        said = printed_said(second["job"])
        assert said is not None and said["outdated"] is True, said
        third = copy()
        assert "menu admin" in third["text"]
        assert printed_said(third["job"]) is None  # the text of now, at its first try: nothing to say
    finally:
        app.extensions["antrian"].stop()
        app.extensions["antrian"].store.close()
