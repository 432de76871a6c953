"""A real CUPS scheduler (cupsd) for tests: a private instance on a loopback port, stopped after use.

Its one printer queue sends each job to a TCP port of 127.0.0.1 (a FakeNetworkPrinter) through the
backend below: Debian's `socket` backend comes with the full `cups` package (ghostscript, filters),
so tests bring a backend of a dozen lines instead. Everything else is CUPS itself: `lp`, `lpstat`,
`cancel`, `lpadmin` and `cupsenable` talk to this cupsd through CUPS_SERVER.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

BACKEND = '''#!/usr/bin/python3
"""CUPS backend antriantest://HOST:PORT: the job's bytes to a raw TCP printer, exit 1 when it is not there."""
import os, socket, sys
if len(sys.argv) == 1:  # discovery: cupsd asks each backend what it offers
    print('network antriantest "Unknown" "Antrian test printer"')
    sys.exit(0)
host, port = os.environ["DEVICE_URI"].split("://", 1)[1].rsplit(":", 1)
data = open(sys.argv[6], "rb").read() if len(sys.argv) > 6 else sys.stdin.buffer.read()
try:
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(data)
except OSError as err:
    print(f"ERROR: {err}", file=sys.stderr)
    sys.exit(1)  # CUPS_BACKEND_FAILED: the queue's error policy decides (default: stop the printer)
'''

MISSING = [tool for tool in ("cupsd", "lp", "lpstat", "lpadmin", "cancel", "cupsenable") if not shutil.which(tool)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cups:
    """cupsd in `root` on a free port; `env` points CUPS's commands (and a server process) at it."""

    def __init__(self, root: Path):
        self.root = root
        self.port = _free_port()
        self.env = {**os.environ, "CUPS_SERVER": f"127.0.0.1:{self.port}"}
        self.proc: subprocess.Popen | None = None
        self.log = None

    def start(self) -> Cups:
        root = self.root
        for sub in ("bin/backend", "spool", "cache", "state", "log", "tmp"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        for sub in ("daemon", "filter", "notifier", "monitor", "driver", "cgi-bin"):
            if Path("/usr/lib/cups", sub).exists():
                (root / "bin" / sub).symlink_to(Path("/usr/lib/cups", sub))
        backend = root / "bin/backend/antriantest"
        backend.write_text(BACKEND)
        backend.chmod(0o700)  # cupsd runs a backend readable only by its owner as that owner
        user = "lp" if os.geteuid() == 0 else os.environ.get("USER", "nobody")
        (root / "cups-files.conf").write_text(
            f"ServerRoot {root}\nServerBin {root}/bin\nDataDir /usr/share/cups\nRequestRoot {root}/spool\n"
            f"CacheDir {root}/cache\nStateDir {root}/state\nTempDir {root}/tmp\n"
            f"AccessLog {root}/log/access_log\nErrorLog {root}/log/error_log\nPageLog {root}/log/page_log\n"
            f"User {user}\nSystemGroup root\n"
        )
        (root / "cupsd.conf").write_text(
            f"Listen 127.0.0.1:{self.port}\nLogLevel info\nWebInterface No\nBrowsing Off\n"
            "DefaultAuthType None\nJobRetryInterval 1\n"
            "<Location />\n  Order allow,deny\n  Allow from 127.0.0.1\n</Location>\n"
            "<Location /admin>\n  Order allow,deny\n  Allow from 127.0.0.1\n</Location>\n"
            "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
        )
        self.log = open(root / "log/cupsd.txt", "wb")  # noqa: SIM115 - open as long as cupsd runs
        self.proc = subprocess.Popen(
            ["cupsd", "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")],
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"cupsd exited: {(root / 'log/cupsd.txt').read_text(errors='replace')}")
            if self.run("lpstat", "-r", check=False).stdout.strip() == "scheduler is running":
                return self
            time.sleep(0.1)
        raise RuntimeError("cupsd did not start within 10 s")

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(list(args), env=self.env, capture_output=True, text=True, timeout=20, check=check)

    def add_printer(self, name: str, port: int) -> None:
        """A raw queue to the TCP printer on `port`, enabled and accepting."""
        self.run("lpadmin", "-p", name, "-E", "-v", f"antriantest://127.0.0.1:{port}", "-m", "raw")

    def pending(self, name: str) -> str:
        return self.run("lpstat", "-W", "not-completed", "-o", name, check=False).stdout

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self.log is not None:
            self.log.close()
