"""tests/fakeprinter.py itself: the fake network printer answers each connection's own status queries,
with the state the test set, however many connections came before."""

from __future__ import annotations

import socket
import struct

import pytest
from fakeprinter import STATUS_ONLINE, STATUS_PAPER, FakeNetworkPrinter

from printers import PrinterError, send_bytes

READY, PAPER_OUT = b"\x12", b"\x72"  # DLE EOT 1 "online"; DLE EOT 4 bits 5 and 6: "paper end"


@pytest.fixture
def printer():
    started = []

    def start(**kwargs) -> FakeNetworkPrinter:
        started.append(FakeNetworkPrinter(**kwargs))
        return started[-1]

    yield start
    for p in started:
        p.stop()


def ask(printer: FakeNetworkPrinter, *queries: bytes) -> bytes:
    """One connection: each query sent, then the one byte that comes back read, in turn."""
    answers = b""
    with socket.create_connection(("127.0.0.1", printer.port), timeout=3) as conn:
        for query in queries:
            conn.sendall(query)
            answers += conn.recv(1)
    return answers


def test_each_connection_gets_the_answers_to_its_own_queries_only(printer):
    """The fake scanned everything ever received on every connection, so a later connection was sent the
    answers to earlier connections' queries first: its first query read an old answer."""
    fake = printer(paper=PAPER_OUT)
    assert ask(fake, STATUS_PAPER) == PAPER_OUT
    assert ask(fake, STATUS_ONLINE) == READY  # was PAPER_OUT, the first connection's answer again
    for _ in range(3):
        assert (
            ask(fake, STATUS_ONLINE, STATUS_PAPER, STATUS_PAPER, STATUS_ONLINE) == READY + PAPER_OUT + PAPER_OUT + READY
        )
    assert bytes(fake.received) == STATUS_PAPER + STATUS_ONLINE + 3 * (STATUS_ONLINE + STATUS_PAPER * 2 + STATUS_ONLINE)


def test_a_printer_out_of_paper_stays_out_of_paper_until_the_test_loads_some(printer):
    """A review's script: the fifth job to an out-of-paper fake "printed", on stale answers."""
    fake = printer(paper=PAPER_OUT)
    cfg = fake.config(check_status=True, timeout=2)
    for attempt in range(8):
        with pytest.raises(PrinterError, match="out of paper"):
            send_bytes(cfg, b"job %d" % attempt)
    fake.answers[STATUS_PAPER] = READY  # paper loaded
    send_bytes(cfg, b"job 8")
    send_bytes(cfg, b"job 9")
    fake.answers[STATUS_PAPER] = PAPER_OUT  # and used up again
    with pytest.raises(PrinterError, match="out of paper"):
        send_bytes(cfg, b"job 10")


def test_a_client_that_hangs_up_before_its_answer_does_not_stop_the_printer(printer):
    """The fake's thread died of a broken pipe or a reset, and every later connection waited for nothing."""
    fake = printer()
    with socket.create_connection(("127.0.0.1", fake.port), timeout=3) as conn:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a reset
        conn.sendall(STATUS_ONLINE + STATUS_PAPER)
    assert ask(fake, STATUS_ONLINE) == READY
