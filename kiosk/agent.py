"""The print agent for a kiosk PC whose printer is plugged in there, not on the server.

    python -m kiosk.agent --server http://SERVER:8080 --printer kiosk [--config config.toml]

It reads the printer's settings from `[printers.NAME]` and the name of its token's environment
variable from `[agents] NAME` in the config; takes print jobs over Socket.IO, prints them
through printers/, and acknowledges each. A journal of printed job ids makes a job pushed
again after a reconnect acknowledged, not printed twice; the server pushes every job not yet
acknowledged whenever the agent connects, so none is missed. A slip the roll ended in (its paper
asked again once it had time to come out) is taken out of the journal and reported torn: the
server tries it again, and it prints again.
"""

from __future__ import annotations

import base64
import logging
import os
import queue
import sys
import threading
import time
from pathlib import Path

import socketio

import printers
from printers.transport import PAPER_LOW, PAPER_OUT, printing_seconds, status_asked, torn_slip
from server.argv import Parser, helped, one_line
from server.config import ConfigError, load_settings, printer_ignored
from server.errors import Localized
from server.i18n import both
from shared.logs import LOG_FORMAT, OfficeTimeFormatter

log = logging.getLogger("antrian.agent")

# Refused by the server (its token or printer not the server's, or this PC's wrong tries spent), the agent asks
# again after these seconds, the last one over and over: 9 tries in the server's 5 minutes of 10 wrong ones
# (AGENT_GUESSES in server/realtime.py). It neither stops with a traceback (which a systemd unit restarted every
# 3 s, each start a wrong guess, until this PC's agent was refused unchecked) nor needs a restart once the
# server's token is mended.
REFUSED_WAITS = (2.0, 5.0, 10.0, 20.0, 40.0, 60.0)
# A server out of reach (off, restarting) is asked again sooner: after 1 s, doubling to 30 s.
UNREACHABLE_WAITS = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
REFUSED_SAY_SECONDS = 600.0  # the refusal is said at the first, then at most this often
# A printer that said its paper is nearly out is asked its paper again this often while the agent has nothing to
# print (as the server's own printers: server/printing.py), so that the front office's warning goes after a new roll.
PAPER_RECHECK_SECONDS = 60.0
_UNTOLD = object()  # what the server was told of the paper on this connection: nothing yet


class Journal:
    """Job ids already printed, one per line, flushed to disk before the acknowledgement.

    Bounded: it keeps the newest KEEP ids (job ids grow; the server gives up a job at the end of its
    day, so an id that old is never pushed again) and rewrites itself, atomically, when the file
    holds twice that many lines."""

    KEEP = 10_000

    def __init__(self, path: Path):
        self.path = path
        self.done: set[int] = set()
        self.lines = 0
        if path.exists():
            ids = [int(line) for line in path.read_text().split() if line.isdigit()]
            self.done, self.lines = set(ids), len(ids)
            if self.lines > self.KEEP:
                self.compact()

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
        self.lines += 1
        if self.lines > 2 * self.KEEP:
            self.compact()

    def remove(self, job_ids: list[int]) -> None:
        """Forget printed jobs durably (a slip the roll ended in: torn, to be printed again when pushed again): the
        journal rewritten without them, as compact does."""
        if not self.done.intersection(job_ids):
            return
        self.done.difference_update(job_ids)
        self.compact()

    def compact(self) -> None:
        """Keep the newest KEEP ids: written to a new file, synced, then renamed over the journal."""
        keep = sorted(self.done)[-self.KEEP :]
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w") as f:
            f.write("".join(f"{job_id}\n" for job_id in keep))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        self.done, self.lines = set(keep), len(keep)


class Agent:
    """Connects to the server as the agent of one printer and prints what it is sent.

    Socket.IO handlers only queue a job: one printing thread takes them in order, so a printer that
    hangs holds one thread, not one more per push. A job already queued or printing is not queued
    again (the server pushes a job again after 30 s without an answer), and at most QUEUE_LIMIT wait.
    A write still going after the printer's timeout (plus a margin) is answered as failed at once (the
    server shows it and retries); when the write returns at last, its real outcome is sent.
    """

    QUEUE_LIMIT = 200
    HANG_MARGIN_SECONDS = 5.0
    IDLE_SECONDS = 1.0  # with no job for this long, the printer's status is asked when that is due

    def __init__(self, server: str, printer: printers.PrinterConfig, token: str, journal: Journal, env: str = ""):
        self.server = server
        self.printer = printer
        self.token = token
        self.env = env  # the environment variable the token came from, named when the server refuses it
        self.said_refused: float | None = None
        self.journal = journal
        self.jobs: queue.Queue[tuple[int, dict]] = queue.Queue()
        self.pending: set[int] = set()  # queued or printing
        self.lock = threading.Lock()  # guards `pending`
        # run() connects again itself: python-socketio's own reconnection retried a refusal as it does a server out
        # of reach (every 30 s, the server's 10 wrong tries in 5 minutes) and never let run() see it.
        self.sio = socketio.Client(reconnection=False)
        self.refused = False  # the last connection attempt was refused by the server (on_connect_error)
        # What the server was told, on this connection, that the printer answered to the paper query (tell_paper)
        # and when the idle agent last asked it (time.monotonic; None: not while it said nearly out).
        self.told_paper: object = _UNTOLD
        self.paper_asked: float | None = None
        self.sio.on("connect", self.on_connect)
        self.sio.on("disconnect", lambda *a: log.warning("disconnected; reconnecting"))
        self.sio.on("print_job", self.on_job)
        self.sio.on("connect_error", self.on_connect_error)
        self.printing = threading.Thread(target=self.print_loop, name="agent-printer", daemon=True)
        self.asking: threading.Thread | None = None  # the printer's status query (learn_status), while it runs
        # The jobs printed on a printer whose status is asked that may still be coming out, in the order sent, each
        # with when it is estimated to be out (monotonic): a printer prints in order, so a slip's end is the later of
        # its sending and the slip before's end (printed_until), plus its own printing time (the job's `seconds`).
        # Its paper is asked again once that end has passed, or before the next job (recheck_slips).
        self.unsure: list[tuple[int, float]] = []
        self.printed_until = 0.0
        self.torn_untold: list[int] = []  # torn jobs the server is still to be told of (tell_torn)

    def on_connect(self) -> None:
        """Connected (again): the server is told the printer's paper anew (tell_paper: it may have restarted)."""
        log.info("connected to %s as agent of %s", self.server, self.printer.name)
        self.told_paper = _UNTOLD

    def on_connect_error(self, data: object = None) -> None:
        """The server refused the agent (a refusal's data is a dict; a server out of reach only gives a reason,
        and is waited for): said in Indonesian, then English, at the first and then every REFUSED_SAY_SECONDS."""
        if not isinstance(data, dict):
            return
        self.refused = True
        now = time.monotonic()
        if self.said_refused is not None and now - self.said_refused < REFUSED_SAY_SECONDS:
            return
        self.said_refused = now
        said = both("cli.agent.refused", server=self.server, printer=self.printer.name, env=self.env or "[agents]")
        log.error("%s", said.id_text)
        log.error("%s", said.en_text)

    def ack(self, job: int, error: str | None = None) -> None:
        """Tell the server how a job went, and what the printer last answered to the paper query (`paper`: "ok",
        "low" nearly out, "out"; null when it was not asked: printers.transport.paper_state). Disconnected
        meanwhile: nothing lost, the server pushes the job again when the agent is back (and the journal answers
        it without a second print)."""
        paper = printers.transport.paper_state(self.printer)
        msg = {"job": job, "ok": True} if error is None else {"job": job, "ok": False, "error": error}
        try:
            self.sio.emit("print_ack", {**msg, "paper": paper})
        except socketio.exceptions.SocketIOError as err:
            log.warning("job %s: answer not sent (%s); the server asks again after the reconnect", job, err)
            return
        if paper is not None:
            self.told_paper = paper

    def tell_paper(self) -> None:
        """Tell the server what the printer last answered to the paper query, when it has not been told that on
        this connection (`printer_status`): once connected, and when the idle asking found it changed (a roll
        nearly used up at the start, a new roll). Nothing while nothing is known (check_status = false, a printer
        that does not answer or was not reached): the server keeps what it was told."""
        paper = printers.transport.paper_state(self.printer)
        if paper is None or paper == self.told_paper or not self.sio.connected:
            return
        try:
            self.sio.emit("printer_status", {"paper": paper})
        except socketio.exceptions.SocketIOError as err:
            log.warning(
                "printer %s: its paper not told to the server (%s); told after the reconnect", self.printer.name, err
            )
            return
        self.told_paper = paper

    def on_job(self, msg: dict) -> None:
        """A job pushed: acknowledged at once when the journal has it, else queued for the printing thread."""
        job = msg.get("job") if isinstance(msg, dict) else None
        if not isinstance(job, int):
            return
        if job in self.journal:
            self.ack(job)
            return
        with self.lock:
            if job in self.pending or len(self.pending) >= self.QUEUE_LIMIT:
                return  # being printed, or too many waiting: the server pushes it again
            self.pending.add(job)
        self.jobs.put((job, msg))

    def print_loop(self) -> None:
        """Forever: print the queued jobs one by one, the paper of the slips still coming out asked again before each
        (recheck_slips); with none to print, ask it once they have had time to come out, the printer's status when
        due, or its paper (ask_paper), and tell the server what its paper query answered when that is news
        (tell_paper), and of the slips the roll ended in (tell_torn)."""
        while True:
            self.recheck_slips()
            if self.jobs.empty():
                self.learn_status()
                self.ask_paper()
            self.tell_torn()
            self.tell_paper()
            wait = self.IDLE_SECONDS
            if self.unsure:  # woken once the first slip still printing has had time to come out
                wait = min(wait, max(self.unsure[0][1] - time.monotonic(), 0.01))
            try:
                job, msg = self.jobs.get(timeout=wait)
            except queue.Empty:
                continue
            try:
                self.recheck_slips(now=True)  # the slips before: their paper asked before this one goes
                self.tell_torn()
                self.print_job(job, msg)
            except Exception:  # a bug must not stop the printing: the job stays unacknowledged, pushed again
                log.exception("job %s", job)
            finally:
                with self.lock:
                    self.pending.discard(job)

    def recheck_slips(self, now: bool = False) -> None:
        """The paper of the slips that may still be coming out asked again once the first of them has had time to
        (`now`: before the next job goes, however soon), as the server's own print worker does (server/printing.py
        _recheck_slip): a printer answers its status as the bytes arrive, not once they are printed, so a roll that
        ended in the middle of a slip had its job acknowledged as printed, its visitor told to take a ticket he holds
        half of, or none. An answer of paper in confirms the slips whose end had passed when it was asked; one of out
        makes every slip not confirmed torn: each taken out of the journal (pushed again, it prints again) and
        reported to the server (tell_torn), which records that try as failed and tries the job again."""
        if not self.unsure or (self.asking is not None and self.asking.is_alive()):
            return
        asked = time.monotonic()
        if not now and asked < self.unsure[0][1]:
            return
        self._ask(printers.transport.check_paper, "paper query")
        if self.paper_asked is not None:
            self.paper_asked = time.monotonic()  # its paper asked: the idle asking a minute after it
        if printers.transport.paper_state(self.printer) != PAPER_OUT:
            self.unsure = [(job, end) for job, end in self.unsure if end > asked]
            return
        torn, self.unsure = [job for job, _ in self.unsure], []
        self.journal.remove(torn)  # before the server hears of it: pushed again, each prints again
        for job in torn:
            log.error("job %s: %s", job, torn_slip(self.printer))
        self.torn_untold = (self.torn_untold + torn)[-self.QUEUE_LIMIT :]
        self.tell_torn()

    def tell_torn(self) -> None:
        """Report each torn slip (recheck_slips) to the server: a failed `print_ack` with `torn` (an older server
        refuses it, as a job not pending: nothing else changes there). Disconnected meanwhile: told after the
        reconnect (the server takes it within a short time of the slip's end only)."""
        while self.torn_untold and self.sio.connected:
            job = self.torn_untold[0]
            paper = printers.transport.paper_state(self.printer)
            msg = {"job": job, "ok": False, "error": torn_slip(self.printer), "torn": True, "paper": paper}
            try:
                self.sio.emit("print_ack", msg)
            except socketio.exceptions.SocketIOError as err:
                log.warning("job %s: its torn slip not told (%s); told after the reconnect", job, err)
                return
            self.torn_untold.pop(0)
            if paper is not None:
                self.told_paper = paper

    def learn_status(self) -> None:
        """Ask the printer whether it answers its status where no visitor waits (check_status = "auto": when the
        agent starts, before any job can come, and an hour after it gave no answer: printers.transport.status_due
        and learn_status), as the server's PrintWorker does. From a thread of its own, waited for at most two
        timeouts and the margin: one still running then answers the jobs meanwhile as failed (print_job)."""
        if (self.asking is not None and self.asking.is_alive()) or not printers.transport.status_due(self.printer):
            return
        self._ask(printers.transport.learn_status, "status query")

    def ask_paper(self) -> None:
        """Ask the printer its paper alone (printers.transport.check_paper) where no visitor waits, as the server's
        own print worker does: nothing read it yet (check_status = true, when the agent starts: a roll already
        nearly used up is told before the first visitor; printers.transport.paper_due), or it said nearly out and
        nothing asked it for PAPER_RECHECK_SECONDS (a new roll is told within a minute, with no ticket; its paper out
        too). From a thread of its own, waited for as learn_status's."""
        if self.asking is not None and self.asking.is_alive():
            return
        now = time.monotonic()
        # nearly out or out: asked again each minute, so that a new roll is told with no ticket
        if printers.transport.paper_state(self.printer) not in (PAPER_LOW, PAPER_OUT):
            self.paper_asked = None
            if not printers.transport.paper_due(self.printer):
                return
        elif self.paper_asked is None:
            self.paper_asked = now  # the answer that said it (a job's, or this asking's): the next in a minute
            return
        elif now - self.paper_asked < PAPER_RECHECK_SECONDS:
            return
        self.paper_asked = now
        self._ask(printers.transport.check_paper, "paper query")

    def _ask(self, fn, what: str) -> None:
        """fn(printer) from a thread of its own, waited for at most two timeouts and the margin: one still running
        then answers the jobs meanwhile as failed (print_job)."""

        def ask() -> None:
            try:
                fn(self.printer)
            except Exception:
                log.exception("printer %s: %s", self.printer.name, what)

        self.asking = threading.Thread(target=ask, name="agent-status", daemon=True)
        self.asking.start()
        limit = 2 * self.printer.timeout + self.HANG_MARGIN_SECONDS
        self.asking.join(limit)
        if self.asking.is_alive():
            log.error("printer %s: its %s has not returned within %g s", self.printer.name, what, limit)

    def print_job(self, job: int, msg: dict) -> None:
        """Print one job, journal it, acknowledge it; a write that hangs is answered as failed meanwhile."""
        if self.asking is not None and self.asking.is_alive():  # the printer hangs: not written to by two threads
            target = self.printer.target
            self.ack(job, f"printer {self.printer.name}: not answering (its status query to {target} has not returned)")
            return
        outcome: list[str | None] = []

        def write() -> None:
            try:
                printers.send_bytes(self.printer, base64.b64decode(msg.get("data", ""), validate=True))
            except (printers.PrinterError, ValueError) as err:
                outcome.append(str(err) or type(err).__name__)
            except Exception as err:
                outcome.append(f"{type(err).__name__}: {err}")
            else:
                outcome.append(None)

        # one timeout more for a job that will learn whether the printer answers status queries (check_status =
        # "auto", nothing known yet: learn_status could not reach it), which waits that long for one that does
        # not (as the server's PrintWorker.hang_limit); read before the job, which may learn it at once
        learning = self.printer.status_mode == "auto" and printers.status_answered(self.printer) is None
        writer = threading.Thread(target=write, name=f"agent-write-{job}", daemon=True)
        writer.start()
        limit = self.printer.timeout * (2 if learning else 1) + self.HANG_MARGIN_SECONDS
        writer.join(limit)
        if writer.is_alive():
            log.error("job %s (%s): the printer has not answered for %g s", job, msg.get("label"), limit)
            self.ack(job, f"printer {self.printer.name}: no answer within {limit:g} s")
            writer.join()
        error = outcome[0]
        if error is not None:
            log.error("job %s (%s): %s", job, msg.get("label"), error)
            self.ack(job, error)
            return
        self.journal.add(job)
        if self.paper_asked is not None:
            self.paper_asked = time.monotonic()  # its status asked with the job: the idle asking a minute after it
        if self.printer.echo and msg.get("text"):
            print(msg["text"], flush=True)
        self.ack(job)
        if status_asked(self.printer):  # its paper asked again once the slip has had time to come out
            self.printed_until = max(time.monotonic(), self.printed_until) + self.printing_time(msg)
            self.unsure.append((job, self.printed_until))

    @staticmethod
    def printing_time(msg: dict) -> float:
        """How long the job's slip takes to come out once the printer has it: the server's estimate (`seconds`), or
        from an older server, one from its text's lines (printers.transport.printing_seconds)."""
        seconds = msg.get("seconds")
        if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and 0 < seconds <= 600:
            return float(seconds)
        return printing_seconds(len(str(msg.get("text") or "").splitlines()))

    def run(self) -> None:
        """Connect (again after each lost connection) and serve forever: a server out of reach is asked again
        after UNREACHABLE_WAITS, one that refused the agent (on_connect_error said why) after REFUSED_WAITS."""
        auth = {"role": "agent", "printer": self.printer.name, "token": self.token}
        self.printing.start()
        refusals = unreachable = 0
        while True:
            self.refused = False
            try:
                self.sio.connect(self.server, auth=auth, transports=["websocket"], wait_timeout=10)
            except socketio.exceptions.ConnectionError:
                if self.refused:
                    time.sleep(REFUSED_WAITS[min(refusals, len(REFUSED_WAITS) - 1)])
                    refusals += 1
                else:
                    time.sleep(UNREACHABLE_WAITS[min(unreachable, len(UNREACHABLE_WAITS) - 1)])
                    unreachable += 1
                continue
            refusals = unreachable = 0
            self.sio.wait()  # until the connection is lost (no reconnection of its own: it returns then)


def say_error(label: str, said: Localized) -> None:
    """Why the agent does not start, on stderr: Indonesian first, then English, each after the catalogue's
    `cli.<label>` ("kesalahan konfigurasi: …", "config error: …"), as the server's command line says it."""
    prefix = both(f"cli.{label}")
    print(f"{prefix.id_text}: {said.id_text}\n{prefix.en_text}: {said.en_text}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """python -m kiosk.agent --server URL --printer NAME."""
    p = Parser(prog="python -m kiosk.agent", description=one_line(both("cli.help.agent")))
    p.add_argument("--server", required=True, help=helped("agent.server"))
    p.add_argument("--printer", required=True, help=helped("agent.printer"))
    p.add_argument("--config", default="config.toml", help=helped("config"))
    p.add_argument("--journal", help=helped("agent.journal"))
    args = p.parse_args(argv)
    try:
        settings = load_settings(args.config)
    except ConfigError as err:
        say_error("config_error", err.said())
        return 2
    # each line's time the office's, its zone named, as the server's log and the tickets (a kiosk PC left on UTC
    # logged its jobs hours off the server's lines about them)
    handler = logging.StreamHandler()
    handler.setFormatter(OfficeTimeFormatter(LOG_FORMAT, settings.office.tz))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    if args.printer not in settings.agents:
        problem = both("config.agent_missing")
        key = f"agents.{args.printer}"
        say_error("config_error", Localized(f"{key}: {problem.id_text}", f"{key}: {problem.en_text}"))
        return 2
    token = os.environ.get(settings.agents[args.printer], "")
    if not token:
        say_error("error", both("cli.agent.no_token", env=settings.agents[args.printer]))
        return 2
    if settings.printers[args.printer].ignored:  # as the server's start says it of its own printers
        said = printer_ignored(settings.printers[args.printer])
        log.warning("%s", said.id_text)
        log.warning("%s", said.en_text)
    journal = Journal(
        Path(args.journal) if args.journal else settings.server.data_dir / f"agent-{args.printer}.journal"
    )
    Agent(args.server, settings.printers[args.printer], token, journal, env=settings.agents[args.printer]).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
