"""The print agent for a kiosk PC whose printer is plugged in there, not on the server.

    python -m kiosk.agent --server http://SERVER:8080 --printer kiosk [--config config.toml]

It reads the printer's settings from `[printers.NAME]` and the name of its token's environment
variable from `[agents] NAME` in the config; takes print jobs over Socket.IO, prints them
through printers/, and acknowledges each. A journal of printed job ids makes a job pushed
again after a reconnect acknowledged, not printed twice; the server pushes every job not yet
acknowledged whenever the agent connects, so none is missed.
"""

from __future__ import annotations

import argparse
import base64
import logging
import os
import sys
import threading
from pathlib import Path

import socketio

import printers
from server.config import ConfigError, load_settings

log = logging.getLogger("antrian.agent")


class Journal:
    """Job ids already printed, one per line, flushed to disk before the acknowledgement."""

    def __init__(self, path: Path):
        self.path = path
        self.done: set[int] = set()
        if path.exists():
            self.done = {int(line) for line in path.read_text().split() if line.isdigit()}

    def __contains__(self, job_id: int) -> bool:
        return job_id in self.done

    def add(self, job_id: int) -> None:
        """Record a printed job durably."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a") as f:
            f.write(f"{job_id}\n")
            f.flush()
            os.fsync(f.fileno())
        self.done.add(job_id)


class Agent:
    """Connects to the server as the agent of one printer and prints what it is sent."""

    def __init__(self, server: str, printer: printers.PrinterConfig, token: str, journal: Journal):
        self.server = server
        self.printer = printer
        self.token = token
        self.journal = journal
        self.lock = threading.Lock()  # one job at a time on the paper
        self.sio = socketio.Client(
            reconnection=True, reconnection_attempts=0, reconnection_delay=1, reconnection_delay_max=30
        )
        self.sio.on("connect", lambda: log.info("connected to %s as agent of %s", server, printer.name))
        self.sio.on("disconnect", lambda *a: log.warning("disconnected; reconnecting"))
        self.sio.on("print_job", self.on_job)

    def on_job(self, msg: dict) -> None:
        """Print one job unless the journal says it is done; acknowledge either way."""
        job = msg.get("job") if isinstance(msg, dict) else None
        if not isinstance(job, int):
            return
        with self.lock:
            if job in self.journal:
                self.sio.emit("print_ack", {"job": job, "ok": True})
                return
            try:
                printers.send_bytes(self.printer, base64.b64decode(msg.get("data", "")))
            except (printers.PrinterError, ValueError) as err:
                log.error("job %s (%s): %s", job, msg.get("label"), err)
                self.sio.emit("print_ack", {"job": job, "ok": False, "error": str(err)})
                return
            self.journal.add(job)
            if self.printer.echo and msg.get("text"):
                print(msg["text"], flush=True)
            self.sio.emit("print_ack", {"job": job, "ok": True})

    def run(self) -> None:
        """Connect (retrying until the server answers) and serve forever."""
        auth = {"role": "agent", "printer": self.printer.name, "token": self.token}
        self.sio.connect(self.server, auth=auth, transports=["websocket"], retry=True, wait_timeout=10)
        self.sio.wait()


def main(argv: list[str] | None = None) -> int:
    """python -m kiosk.agent --server URL --printer NAME."""
    p = argparse.ArgumentParser(prog="python -m kiosk.agent", description="Antrian print agent")
    p.add_argument("--server", required=True, help="the server's URL, e.g. http://192.168.1.10:8080")
    p.add_argument("--printer", required=True, help="a [printers.NAME] table that [agents] names")
    p.add_argument("--config", default="config.toml")
    p.add_argument("--journal", help="file of printed job ids (default: var/agent-NAME.journal)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        settings = load_settings(args.config)
    except ConfigError as err:
        print(f"config error: {err}", file=sys.stderr)
        return 2
    if args.printer not in settings.agents:
        print(
            f"config error: agents.{args.printer}: missing (which environment variable holds the token?)",
            file=sys.stderr,
        )
        return 2
    token = os.environ.get(settings.agents[args.printer], "")
    if not token:
        print(f"error: set {settings.agents[args.printer]} to this agent's token", file=sys.stderr)
        return 2
    journal = Journal(
        Path(args.journal) if args.journal else settings.server.data_dir / f"agent-{args.printer}.journal"
    )
    Agent(args.server, settings.printers[args.printer], token, journal).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
