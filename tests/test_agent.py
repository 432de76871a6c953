"""The print agent end to end: a real server, a real agent process, a TCP printer on loopback."""

from __future__ import annotations

import json
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from conftest import ROOT, visitor, write_config
from fakeprinter import FakeNetworkPrinter
from live import LiveServer, wait_for

TOKEN = "agent-token-0123456789abcdef"
# `python -m kiosk.agent` with some of its module's numbers set first (a JSON object, then the agent's arguments), as
# tests/live.py's LiveServer numbers set a test server's: a wait a test sits through in real time made shorter
AGENT_WITH_NUMBERS = """import json, sys
from kiosk import agent
for name, value in json.loads(sys.argv[1]).items():
    assert name.isupper() and hasattr(agent, name), name  # a typo is an error, not a number nothing reads
    setattr(agent, name, tuple(value) if isinstance(value, list) else value)
sys.exit(agent.main(sys.argv[2:]))
"""


@pytest.fixture
def setup(tmp_path):
    printer = FakeNetworkPrinter()
    cfg = write_config(
        tmp_path,
        {
            '[printers.kiosk]\ntype = "dummy"': f'[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\nport = {printer.port}\n'
            'timeout = 2\nprofile = "TM-T20II"'
        },
        extra='kiosk = "ANTRIAN_AGENT_TOKEN"\n',
    )
    server = LiveServer(cfg, env={"ANTRIAN_AGENT_TOKEN": TOKEN}).start()
    agents: list[subprocess.Popen] = []

    def start_agent(token: str = TOKEN, url: str | None = None, numbers: dict | None = None) -> subprocess.Popen:
        """`python -m kiosk.agent` on the module's printer; with `numbers` ({"REFUSED_WAITS": (1.0, ...)}), the same
        program with those of kiosk.agent's numbers set first (AGENT_WITH_NUMBERS)."""
        program = ["-c", AGENT_WITH_NUMBERS, json.dumps(numbers)] if numbers else ["-m", "kiosk.agent"]
        with open(tmp_path / "agent.log", "ab") as said:  # its log: stderr
            proc = subprocess.Popen(
                [sys.executable, *program, "--server", url or server.url, "--printer", "kiosk", "--config", str(cfg)],
                cwd=ROOT,
                env={**os.environ, "ANTRIAN_AGENT_TOKEN": token, "PYTHONUNBUFFERED": "1"},
                stdout=subprocess.DEVNULL,
                stderr=said,
            )
        agents.append(proc)
        return proc

    yield server, printer, start_agent
    for proc in agents:
        proc.kill()
        proc.wait()
    server.stop()
    printer.stop()


def issue(server) -> str:
    r = requests.post(server.url + "/api/tickets", json=visitor(), timeout=5)
    assert r.status_code == 201
    return r.json()["ticket"]["label"]


def printed(printer, label: str) -> int:
    return bytes(printer.received).count(label.encode())


def job_statuses(server) -> list[str]:
    if getattr(server, "fo", None) is None:  # logged in once: wait_for asks 20 times a second
        server.fo = server.session("fo", "rahasia-123")
    s = server.fo
    return [j["status"] for j in s.get(server.url + "/api/print-jobs").json()["jobs"]]


def test_agent_prints_each_job_once_across_a_disconnect(setup):
    server, printer, start_agent = setup
    server.add_user("fo", "frontoffice")
    first = [issue(server) for _ in range(2)]  # queued before any agent is there: none is missed
    agent = start_agent()
    assert wait_for(lambda: all(printed(printer, label) == 1 for label in first))
    # acknowledged, so journaled (the journal is written between the print and the ack: a kill between the
    # two prints that slip again, by design, rather than lose one: docs/operations.md)
    assert wait_for(lambda: job_statuses(server) == ["printed"] * 2)
    agent.kill()  # the kiosk PC loses power mid-day, between two visitors
    agent.wait()
    during = [issue(server) for _ in range(2)]
    time.sleep(0.5)
    assert all(printed(printer, label) == 0 for label in during)
    start_agent()
    assert wait_for(lambda: all(printed(printer, label) == 1 for label in during))
    assert wait_for(lambda: job_statuses(server) == ["printed"] * 4)
    later = issue(server)
    assert wait_for(lambda: printed(printer, later) == 1)
    time.sleep(0.5)
    assert all(printed(printer, label) == 1 for label in [*first, *during, later])  # none twice


def test_an_agent_refused_says_why_and_prints_by_itself_once_the_servers_token_is_mended(setup, tmp_path):
    server, printer, start_agent = setup
    old = "wrong-token-wrong-token"
    agent = start_agent(token=old)
    log = tmp_path / "agent.log"
    said = lambda: log.read_text(errors="replace")  # noqa: E731
    # refused: it says why, in Indonesian then English, and stays up (it ended in a traceback, and a systemd
    # unit started it again every 3 s, each start a wrong guess)
    assert wait_for(lambda: "refused print agent kiosk" in said()), said()
    assert "menolak agen cetak kiosk: token di ANTRIAN_AGENT_TOKEN" in said()
    label = issue(server)
    assert agent.poll() is None and "Traceback" not in said(), said()
    assert printed(printer, label) == 0
    # the admin gives the server the agent's token (restarted on the same port and database): the agent connects
    # by itself and prints the slip that waited
    server.stop()
    mended = LiveServer(server.config, port=server.port, env={"ANTRIAN_AGENT_TOKEN": old}).start()
    try:
        assert wait_for(lambda: printed(printer, label) == 1, seconds=30), said()
        assert agent.poll() is None and "Traceback" not in said()
    finally:
        mended.stop()


class Forwarder:
    """A loopback port passed on to the server's: when each connection through it reached the server, or found it
    down (one per connection attempt of the agent, whose only transport is the websocket)."""

    def __init__(self, port: int):
        self.port, self.reached, self.missed = port, [], []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.sockets: list[socket.socket] = [self.listener]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        while True:
            try:
                near, _ = self.listener.accept()
            except OSError:
                return  # closed
            self.sockets.append(near)
            try:
                far = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            except OSError:  # the server is down: so is this connection
                self.missed.append(time.monotonic())
                near.close()
                continue
            far.settimeout(None)
            self.sockets.append(far)
            self.reached.append(time.monotonic())
            for a, b in ((near, far), (far, near)):
                threading.Thread(target=self.pump, args=(a, b), daemon=True).start()

    @staticmethod
    def pump(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        for s in self.sockets:
            s.close()


def test_an_agent_refused_after_a_lost_connection_asks_again_at_its_own_pace(setup):
    """The server back with another token (a new one set, the agent's not yet): python-socketio's own reconnection
    asked again after 1, 2, 4, 8, 16 s, then every 30 s (the server's 10 wrong tries in 5 minutes: this PC's agent
    refused unchecked), the agent's REFUSED_WAITS (2, 5, 10, 20, 40 s, then every minute) never used once it had
    connected, nor when it started before the server.

    The agent's waits are shortened here (its UNREACHABLE_WAITS of 1 and 2 s, then 4, and its first REFUSED_WAITS
    of 2 s were 7 s of each run): a server down is asked again every 0.25 s (under the refusal's wait and its slack,
    as python-socketio's 4 and 8 s were over production's), a refusal after 1 s."""
    waits = {"UNREACHABLE_WAITS": (0.25,) * 6, "REFUSED_WAITS": (1.0, 2.5, 5.0, 10.0, 20.0, 30.0)}
    REFUSED_WAITS = waits["REFUSED_WAITS"]  # noqa: N806 (the agent's name)

    server, printer, start_agent = setup
    forwarder = Forwarder(server.port)
    try:
        start_agent(url=forwarder.url, numbers=waits)
        label = issue(server)
        assert wait_for(lambda: printed(printer, label) == 1)
        server.stop()
        assert wait_for(lambda: len(forwarder.missed) >= 2)  # the server down: tried again, and again
        tries = len(forwarder.reached)  # the attempts from here on reach the server back (one may while it starts)
        other = LiveServer(server.config, port=server.port, env={"ANTRIAN_AGENT_TOKEN": "another-token-0123456789"})
        other.start()
        try:
            assert wait_for(lambda: len(forwarder.reached) >= tries + 2, seconds=15), forwarder.reached
            # refused, then asked again after REFUSED_WAITS[0]: before, 8 s (python-socketio's 4 s and 8 s after
            # the two 1 s and 2 s while the server was down)
            gap = forwarder.reached[tries + 1] - forwarder.reached[tries]
            assert REFUSED_WAITS[0] - 0.5 < gap < REFUSED_WAITS[0] + 1, gap
        finally:
            other.stop()
    finally:
        forwarder.close()


def agent_command(cfg, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`python -m kiosk.agent` on `cfg` for the printer kiosk, a server that is never reached."""
    command = [sys.executable, "-m", "kiosk.agent", "--server", "http://127.0.0.1:9", "--printer", "kiosk"]
    return subprocess.run(
        [*command, "--config", str(cfg)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_an_agent_its_config_names_no_token_for_says_so_in_indonesian_then_english(tmp_path):
    """[agents] without the printer, and the token's variable unset: both were said in English alone."""
    env = {k: v for k, v in os.environ.items() if k != "ANTRIAN_AGENT_TOKEN"}
    r = agent_command(write_config(tmp_path), env)
    assert r.returncode == 2 and r.stderr.splitlines() == [
        "kesalahan konfigurasi: agents.kiosk: wajib diisi (variabel lingkungan mana yang menyimpan token agen ini?)",
        "config error: agents.kiosk: missing (which environment variable holds the token?)",
    ], (r.returncode, r.stderr)
    r = agent_command(write_config(tmp_path, extra='kiosk = "ANTRIAN_AGENT_TOKEN"\n'), env)
    assert r.returncode == 2 and r.stderr.splitlines() == [
        "kesalahan: isi variabel lingkungan ANTRIAN_AGENT_TOKEN dengan token agen ini",
        "error: set ANTRIAN_AGENT_TOKEN to this agent's token",
    ], (r.returncode, r.stderr)


def test_an_agent_says_the_keys_its_printer_ignores_and_logs_in_the_offices_time(tmp_path):
    """A kiosk PC's agent whose [printers.kiosk] keeps a key its type does not read (a network printer with the
    demo's path) said nothing of it, where the server's start and `printer test` say it; and its lines carried the
    PC's own time without a zone (a PC left on UTC: hours off the server's lines about the same jobs)."""
    cfg = write_config(
        tmp_path,
        {
            '[printers.kiosk]\ntype = "dummy"': '[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\nport = 9\n'
            'path = "var/tickets.prn"',
            'timezone = "Asia/Jakarta"': 'timezone = "Asia/Makassar"',
        },
        extra='kiosk = "ANTRIAN_AGENT_TOKEN"\n',
    )
    env = {**os.environ, "ANTRIAN_AGENT_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1", "TZ": "UTC"}
    command = [sys.executable, "-m", "kiosk.agent", "--server", "http://127.0.0.1:9", "--printer", "kiosk"]
    agent = subprocess.Popen(
        [*command, "--config", str(cfg)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    said = b""
    try:  # its first two lines, or what it said in 30 s (it runs on, trying to reach its server)
        deadline = time.monotonic() + 30
        while said.count(b"\n") < 2 and time.monotonic() < deadline:
            if select.select([agent.stderr], [], [], 0.5)[0]:
                said += os.read(agent.stderr.fileno(), 65536)
    finally:
        agent.kill()
        agent.wait()
        agent.stderr.close()
    lines = said.decode().splitlines()[:2]
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} WITA WARNING "
    assert re.fullmatch(
        stamp + r"Printer 'kiosk' \(type = \"network\"\) tidak memakai path di \[printers\.kiosk\]: kunci itu"
        r" diabaikan; .*\(file\)[^()]*",
        lines[0],
    ), lines
    assert re.fullmatch(
        stamp + r"Printer 'kiosk' \(type = \"network\"\) does not use path in \[printers\.kiosk\]: that key is"
        r" ignored; .*\(file\)[^()]*",
        lines[1],
    ), lines
    logged = datetime.strptime(lines[0][:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=ZoneInfo("Asia/Makassar"))
    assert abs((logged - datetime.now(UTC)).total_seconds()) < 60, lines  # the office's time, not the PC's UTC


@pytest.mark.parametrize("token", [None, "short"])
def test_the_server_warns_of_an_agent_token_unset_or_too_short_in_indonesian_then_english(
    tmp_path, monkeypatch, caplog, token
):
    from server.app import agent_tokens
    from server.config import load_settings

    settings = load_settings(write_config(tmp_path, extra='kiosk = "ANTRIAN_AGENT_TOKEN"\n'))
    monkeypatch.delenv("ANTRIAN_AGENT_TOKEN", raising=False)
    if token is not None:
        monkeypatch.setenv("ANTRIAN_AGENT_TOKEN", token)
    with caplog.at_level("WARNING", logger="antrian"):
        assert agent_tokens(settings) == {}
    assert [r.getMessage().splitlines() for r in caplog.records] == [
        [
            "agen cetak kiosk: isi ANTRIAN_AGENT_TOKEN dengan token 16 karakter atau lebih; agennya tidak dapat"
            " tersambung",
            "print agent kiosk: set ANTRIAN_AGENT_TOKEN to a token of 16+ characters; its agent cannot connect",
        ]
    ]
    monkeypatch.setenv("ANTRIAN_AGENT_TOKEN", TOKEN)
    caplog.clear()
    assert agent_tokens(settings) == {"kiosk": TOKEN} and caplog.records == []


def test_the_agents_help_and_refusal_say_indonesian_then_english():
    """`python -m kiosk.agent --help` (a kiosk PC's admin reads it when setting the agent up) says each
    option in Indonesian, then English, as `python -m server`'s help does; a bad command line says
    "kesalahan: …", then "error: …", and where the help is, exit code 2."""
    agent = [sys.executable, "-m", "kiosk.agent"]
    r = subprocess.run([*agent, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    text = " ".join(r.stdout.split())
    assert text.startswith("pemakaian / usage: python -m kiosk.agent [-h] --server SERVER --printer PRINTER"), text
    assert "opsi / options:" in text
    for said in (
        "Agen cetak Antrian: mencetak slip antrian kios ini di printernya sendiri / Antrian print agent: prints"
        " this kiosk's queue slips on its own printer",
        "--server SERVER alamat server, mis. http://192.168.1.10:8080 / the server's URL, e.g.",
        "--printer PRINTER NAME dari tabel [printers.NAME] yang disebut di [agents] / NAME of a [printers.NAME]",
        "--config CONFIG berkas konfigurasi (bawaan: config.toml) / config file (default: config.toml)",
        "--journal JOURNAL berkas nomor pekerjaan yang sudah dicetak",
    ):
        assert said in text, text
    r = subprocess.run([*agent, "--printer", "kios"], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and r.stdout == "", r.stdout
    assert r.stderr.splitlines()[-3:] == [
        "kesalahan: argumen ini wajib diberikan: --server",
        "error: the following arguments are required: --server",
        "lihat / see: python -m kiosk.agent --help",
    ], r.stderr
