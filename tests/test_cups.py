"""CUPS printers through CUPS's own commands, against a real cupsd on loopback (tests/cups.py)."""

from __future__ import annotations

import time

import pytest
import requests
from conftest import visitor, write_config
from cupsd import MISSING, Cups
from fakeprinter import FakeNetworkPrinter
from test_printers import make_slip

from printers import PrinterConfig, PrinterError, print_ticket, ticket_bytes
from printers.transport import send_bytes


@pytest.fixture(scope="module")
def cups(tmp_path_factory):
    assert not MISSING, f"CUPS is not installed ({', '.join(MISSING)}): make test installs cups-daemon and cups-client"
    server = Cups(tmp_path_factory.mktemp("cups")).start()
    yield server
    server.stop()


@pytest.fixture
def cups_env(cups, monkeypatch):
    monkeypatch.setenv("CUPS_SERVER", cups.env["CUPS_SERVER"])
    return cups


def cups_config(queue: str, **changes) -> PrinterConfig:
    return PrinterConfig.from_dict(
        "kiosk", {"type": "cups", "cups_printer": queue, "profile": "TM-T20II", "timeout": 10, **changes}
    )


def test_a_ticket_goes_through_cups_to_the_printer_byte_for_byte(cups_env):
    printer = FakeNetworkPrinter()
    try:
        cups_env.add_printer("loket1", printer.port)
        slip = make_slip()
        print_ticket(cups_config("loket1"), slip)  # returns once CUPS has finished the job
        assert printer.wait_for_close() == ticket_bytes(slip, "TM-T20II", 80)
        assert cups_env.pending("loket1") == ""
    finally:
        printer.stop()


def test_an_unknown_queue_is_named_in_the_error(cups_env):
    with pytest.raises(PrinterError, match=r"printer kiosk: CUPS refused the job for tidak-ada: lp: .*does not exist"):
        print_ticket(cups_config("tidak-ada"), make_slip())


def test_a_printer_that_is_off_fails_the_job_cancels_it_and_prints_once_when_back(cups_env):
    printer = FakeNetworkPrinter()
    port = printer.port
    printer.stop()  # switched off: nothing listens on its port
    cups_env.add_printer("mati", port)
    # CUPS keeps retrying (this scheduler's error policy, retry-job): the job fails at the timeout
    with pytest.raises(
        PrinterError,
        match=r"printer kiosk: not printed within 2 s, job mati-\d+ cancelled \(CUPS: .*Connection refused",
    ):
        print_ticket(cups_config("mati", timeout=2), make_slip(label="A-001"))
    assert cups_env.pending("mati") == ""  # cancelled: it cannot come out later as a second copy

    # a queue that stops on errors (printer-error-policy=stop-printer) fails as soon as CUPS stops it
    cups_env.run("lpadmin", "-p", "mati", "-o", "printer-error-policy=stop-printer")
    started = time.monotonic()
    with pytest.raises(PrinterError, match=r"printer kiosk: CUPS stopped it while printing, job mati-\d+ cancelled"):
        print_ticket(cups_config("mati"), make_slip(label="A-001"))
    assert time.monotonic() - started < 8  # not waited out to the 10 s timeout
    assert cups_env.pending("mati") == ""
    with pytest.raises(PrinterError, match=r"CUPS has stopped it \(printer mati disabled.*once fixed: cupsenable mati"):
        print_ticket(cups_config("mati"), make_slip(label="A-001"))

    printer = FakeNetworkPrinter(port=port)  # switched on again
    try:
        cups_env.run("cupsenable", "mati")
        slip = make_slip(label="A-001")
        print_ticket(cups_config("mati"), slip)
        assert printer.wait_for_close() == ticket_bytes(slip, "TM-T20II", 80)  # one copy, not two
    finally:
        printer.stop()


def test_a_job_that_cups_cannot_finish_in_time_is_cancelled(cups_env):
    printer = FakeNetworkPrinter(reads=False)  # accepts, never reads: the backend's write never ends
    try:
        cups_env.add_printer("macet", printer.port)
        data = b"\x1b@" + b"A" * 8_000_000  # more than the kernel's socket buffers hold
        with pytest.raises(PrinterError, match=r"printer kiosk: not printed within 2 s, job macet-\d+ cancelled"):
            send_bytes(cups_config("macet", timeout=2), data)
        deadline = time.monotonic() + 15
        while cups_env.pending("macet") and time.monotonic() < deadline:  # cupsd stops the backend
            time.sleep(0.1)
        assert cups_env.pending("macet") == ""
    finally:
        printer.stop()


def test_without_cups_commands_the_error_says_what_to_install(cups_env, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrinterError, match=r"the lpstat command is missing \(apt-get install cups-client\)"):
        print_ticket(cups_config("loket1"), make_slip())


def test_the_live_server_prints_kiosk_tickets_through_cups(cups, tmp_path):
    """Under gevent the print worker runs CUPS's commands as child processes of the event loop."""
    from live import LiveServer

    printer = FakeNetworkPrinter()
    config = write_config(tmp_path)
    text = config.read_text(encoding="utf-8")
    text = text.replace(
        '[printers.kiosk]\ntype = "dummy"\n',
        '[printers.kiosk]\ntype = "cups"\ncups_printer = "kios"\ntimeout = 10\nprofile = "TM-T20II"\n',
    )
    config.write_text(text, encoding="utf-8")
    cups.add_printer("kios", printer.port)
    server = LiveServer(config, env={"CUPS_SERVER": cups.env["CUPS_SERVER"]}).start(timeout=30)
    try:
        r = requests.post(f"{server.url}/api/tickets", json=visitor(), timeout=5)
        assert r.status_code == 201
        label = r.json()["ticket"]["label"]
        received = printer.wait_for_close()
        assert label.encode() in received and received.endswith(b"\x1dV\x00")  # the label, then the cut
        server.add_user("sari", "frontoffice")
        front = server.session("sari", "rahasia-123")
        job = server.print_job_when(front, "printed", seconds=10)
        assert job["status"] == "printed", job
    finally:
        server.stop()
        printer.stop()


RUN_UNDER_GEVENT = """
from gevent import monkey
monkey.patch_all()
import json, os, time
import gevent
from shared.runtime import run_command

# First, as at a server's start (espeak-ng --voices): the first program this process runs ends before
# gevent would have listened for its SIGCHLD (here the loop is held by the original sleep while it
# ends). Its exit must still be seen: gevent's waitpid said "still running" for ever, and the server's
# start hung. The exit code tells it was seen (`sh -c "exit 7"`).
import gevent.os

real_spawn = gevent.os._raw_posix_spawn  # gevent's posix_spawn: this, then it watches the child


def spawn_and_hold(*args, **kwargs):
    pid = real_spawn(*args, **kwargs)
    monkey.get_original("time", "sleep")(0.3)  # the program ends before it is watched
    return pid


gevent.os._raw_posix_spawn = spawn_and_hold
t0 = time.monotonic()
with gevent.Timeout(5, RuntimeError("hung waiting for a program that had ended")):
    first = run_command(["sh", "-c", "exit 7"], timeout=3)
first_after = time.monotonic() - t0
gevent.os._raw_posix_spawn = real_spawn

ticks = []


def tick():
    while True:
        gevent.sleep(0.001)
        ticks.append(1)


ticker = gevent.spawn(tick)
out = {"first": first, "first_after": first_after}
# First, as espeak-ng --voices is at a server's start: the program ends at once but leaves its output
# open in a program it started, so the read waits out the timeout; the program, ended long before, is
# reaped without waiting for its SIGCHLD, which went by before anything in this process listened for one.
t0 = time.monotonic()
try:
    with gevent.Timeout(5, RuntimeError("hung reaping a program that had ended")):
        run_command(["sh", "-c", "sleep 2 & exit 0"], timeout=0.3)
except TimeoutError:
    out["ended_before_timeout_after"] = time.monotonic() - t0
out |= {"cat": run_command(["cat"], b"ESC/POS " * 20000), "fails": run_command(["sh", "-c", "echo oops >&2; exit 3"])}
t0 = time.monotonic()
try:
    run_command(["sleep", "5"], timeout=0.3)
except TimeoutError:
    out["timeout_after"] = time.monotonic() - t0
try:
    run_command(["tidak-ada-program"])
except FileNotFoundError as err:
    out["missing"] = str(err)
out["ticks"] = len(ticks)


def parent(pid):
    try:  # another process of the machine may end between the listing and the read
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[1]  # after the name, which may hold spaces
    except OSError:
        return None


out["children_left"] = [p for p in os.listdir("/proc") if p.isdigit() and parent(p) == str(os.getpid())]
print(json.dumps(out))
"""


def test_commands_run_under_gevent_without_blocking_the_loop():
    """The server's way of running CUPS's commands: posix_spawn, pipes and the wait all cooperative."""
    import json
    import subprocess
    import sys

    from conftest import ROOT

    done = subprocess.run(
        [sys.executable, "-c", RUN_UNDER_GEVENT], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["cat"] == [0, "ESC/POS " * 20000]  # 160 kB through a 64 kB pipe: fed while read
    assert out["fails"] == [3, "oops\n"]
    assert 0.3 <= out["timeout_after"] < 2  # killed, not waited out
    assert 0.3 <= out["ended_before_timeout_after"] < 2  # ended long before: reaped, not waited for
    assert out["first"] == [7, ""] and out["first_after"] < 2  # its exit seen, not a timeout
    assert out["missing"] == "tidak-ada-program"
    assert out["ticks"] > 20  # the loop kept running meanwhile (a blocked loop ticks about once a call)
    assert out["children_left"] == []  # every child reaped, the killed one too
