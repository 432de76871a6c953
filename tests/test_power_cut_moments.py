"""The server's PC losing power (SIGKILL of the real server process) at moments tests/test_power_cut.py and
tests/test_group_commit.py do not cover (brief h461): in a burst of kiosk numbers whose slips are still queued for
the TCP printer (tests/fakeprinter.py), killed again while its restart prints that backlog; and while an escalation
mail acknowledged to the officer is half-way through its SMTP conversation (tests/smtp.py, a real SMTP server).

Found to hold, and kept as these checks: every number a kiosk was answered 201 is there after the restarts, once,
numbered 1, 2, 3 … with no gap, and the TV's state counts them all waiting; every one's slip comes out, and twice only
for a slip the printer had taken whole in the instant before a kill, before its print was recorded (one copy more a
kill at most: printed again rather than lost, docs/operations.md, Printers); the escalation mail a kill cut short
in its conversation is sent once the server is back, and reaches LKPP once."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import requests
from conftest import visitor, write_config
from fakeprinter import FakeNetworkPrinter
from live import LiveServer, wait_for
from smtp import Inbox, mailing_office
from test_mail import cases_when, escalate_live

KIOSKS = 4


def rows(database, sql: str) -> list[tuple]:
    """What another program reading the database sees (a report, the next day's recap)."""
    db = sqlite3.connect(database)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_a_burst_of_numbers_with_their_slips_queued_killed_twice_loses_no_number_nor_slip(tmp_path):
    """Four kiosks take numbers as fast as the server answers, the printer's worker behind them; the server is
    killed at the 15th answer (the slips of most of them still queued), started, killed again as its printer worker
    prints that backlog (the restart's recovery), and started once more."""
    printer = FakeNetworkPrinter()
    database = tmp_path / "antrian.db"
    server = LiveServer(write_config(tmp_path, printer.as_kiosk(timeout=1))).start()
    answered: list[str] = []
    lock = threading.Lock()
    cut = threading.Event()
    behind = []  # how many slips the printer had received when the server was killed, of how many numbers
    refused: list[str] = []  # a kiosk's answer other than 201 (asserted here: a thread's assert fails no test)

    def kiosk(i: int) -> None:
        http = requests.Session()
        while not cut.is_set():
            try:
                r = http.post(f"{server.url}/api/tickets", json=visitor(name=f"Kios {i}"), timeout=5)
            except requests.RequestException:
                return  # the power went with this request on its way: no number was given
            if r.status_code != 201:
                refused.append(f"{r.status_code} {r.text}")
                return
            with lock:
                answered.append(r.json()["ticket"]["label"])
                if len(answered) >= 15 and not cut.is_set():
                    server.proc.kill()  # right after an answer: its COMMIT is on disk, its slip queued
                    behind.append((bytes(printer.received).count(b"/t/"), len(answered)))
                    cut.set()

    try:
        kiosks = [threading.Thread(target=kiosk, args=(i,)) for i in range(KIOSKS)]
        for t in kiosks:
            t.start()
        assert cut.wait(20), f"15 numbers not answered: {answered}"
        for t in kiosks:
            t.join(10)
        assert refused == []
        server.kill()  # (reaped)
        slips, numbers = behind[0]
        assert slips < numbers, behind  # the moment wanted: slips still queued at the kill

        mark = len(printer.received)
        server.start()
        # killed again while its start prints the backlog
        assert wait_for(lambda: len(printer.received) > mark), "no slip printed after the restart"
        server.kill()
        server.start()

        tickets = rows(database, "SELECT label, number, token, status FROM tickets ORDER BY number")
        labels = [label for label, *_ in tickets]
        assert len(labels) == len(set(labels))  # no number given twice
        assert set(answered) <= set(labels)  # every number a kiosk was given
        assert [n for _, n, *_ in tickets] == list(range(1, len(tickets) + 1))  # no gap
        state = requests.get(f"{server.url}/api/state", timeout=5).json()
        assert {s["code"]: s["waiting"] for s in state["services"]}["A"] == len(tickets)  # the TV's count
        nxt = requests.post(f"{server.url}/api/tickets", json=visitor(name="Sesudah"), timeout=5).json()["ticket"]
        assert nxt["label"] == f"A-{len(tickets) + 1:03d}"

        def printed() -> bool:
            return {s for (s,) in rows(database, "SELECT status FROM print_jobs")} == {"printed"}

        assert wait_for(printed, 20), rows(database, "SELECT id, status, attempts, error FROM print_jobs")
        got = bytes(printer.received)
        copies = {label: got.count(f"/t/{token}".encode()) for label, _, token, _ in tickets}
        assert all(n >= 1 for n in copies.values()), copies  # no slip lost
        # a copy more only of the slip in flight at a kill, at most one a kill (the same slip at both: its print
        # taken whole by the printer and not recorded yet at the first kill, and again at the second)
        extra = {label: n - 1 for label, n in copies.items() if n > 1}
        assert sum(extra.values()) <= 2, extra
    finally:
        cut.set()
        server.stop()
        printer.stop()


class StallingInbox(Inbox):
    """A mail server that takes the first message whole and never answers it (a slow scanner: the server's
    reply to the message's end waits, server/mail.py DATA_REPLY_SECONDS); later messages it keeps, answered 250."""

    def __init__(self):
        super().__init__()
        self.stalled = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if not self.stalled.is_set():
            self.stalled.set()
            await asyncio.sleep(20)  # the client is gone long before (killed): this message is not delivered
            return "451 4.3.0 Try again later"
        return await super().handle_DATA(server, session, envelope)


def test_an_escalation_mail_cut_short_in_its_smtp_conversation_is_sent_once_the_server_is_back(tmp_path):
    """The officer escalates (200: the mail queued with the case); the server is killed while its mail worker waits
    for the mail server's answer to the message, and started again: the mail is sent, once, and the Eskalasi page
    says it was sent."""
    inbox = StallingInbox()
    with mailing_office(tmp_path, inbox) as server:
        server.add_user("budi", "officer")
        label = escalate_live(server, server.session("budi", "rahasia-123"), "Ma'ruf Amin")
        assert inbox.stalled.wait(10), "the mail never reached the mail server"
        server.kill()
        assert inbox.messages == []
        server.start()
        budi = server.session("budi", "rahasia-123")
        cases = cases_when(server, budi, lambda cs: [c["mail"]["status"] for c in cs] == ["sent"])
        assert [(c["label"], c["mail"]["status"]) for c in cases] == [(label, "sent")], cases
        (message,) = [m for _, _, m in inbox.messages]
        assert label in message["Subject"]
