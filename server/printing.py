"""Print jobs: an outbox written with the ticket, printed in the background, retried, never lost.

One worker per printer, so a printer that hangs (accepts, never reads) stalls only its own jobs.
Under gevent a device printer (usb, serial, file) is written from a native thread: a write
to /dev/usb/lp0 or a serial port can block for as long as the printer is off, and on the event
loop that would stop the whole server. The worker waits for it at most the printer's timeout (plus
a margin, and one timeout more for a job that learns whether the printer answers its status); a print
still hanging then counts as failed, and its outcome is taken when it returns.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import printers
from server import core
from server.forms import format_nip
from server.i18n import LANGS, t
from server.outbox import PRINT_MAX_ATTEMPTS, OutboxWorker, Result, Withdrawn
from server.reports import category_name, lkpp_answer_text
from server.service.jobs import slip_unwanted

log = logging.getLogger("antrian.printing")
HANG_MARGIN_SECONDS = 5.0  # beyond the printer's own timeout, before a device print counts as hanging
# A printer that says its paper is nearly out is asked its paper again this often (the service's clock) while its
# worker has nothing to print, so that the front office's warning goes soon after a new roll, not at the next ticket.
PAPER_RECHECK_SECONDS = 60.0
# A slip a print agent said printed may still be coming out of its printer (a printer answers its status as the bytes
# arrive): the agent asks the paper again once it has had time to, and reports a roll that ended in it (`torn`:
# AgentPrintWorker.torn). Taken only for a slip this server recorded as printed, until this long after its estimated
# end, and two of the printer's timeouts and the margin more (the agent's paper query): an agent's token cannot have
# earlier tickets printed again.
AGENT_TORN_SECONDS = 20.0
agent_clock = time.monotonic  # the clock of those ends (tests put one of theirs here)
# Never block gevent's event loop: its sockets, CUPS's commands as child processes, or nothing.
SOCKET_TYPES = ("network", "cups", "dummy")


class PrintWorker(OutboxWorker):
    """Prints the queued jobs of one printer, in order, with retries; each result committed as it comes
    (a round's results kept for one commit were lost at a kill, and every slip of the round printed again)."""

    errors = (printers.PrinterError,)
    unexpected = "print job %s failed unexpectedly"  # a bug in layout must not kill the worker
    log = log

    def __init__(self, service: Any, printer_name: str, config: printers.PrinterConfig):
        super().__init__(service)
        self.name = printer_name
        self.config = config
        self._pool: Any = None  # one native thread for a device printer's I/O (under gevent)
        self._hanging: tuple[dict[str, Any], Any] | None = None  # (job, its unfinished print)
        self._asking: Any = None  # a device printer's status query (learn_status) still running in the thread
        # Since when the printer says its paper is nearly out (the service's clock; None: it does not, or nothing is
        # known), as the front office was told (paper_notices), and when its idle worker last asked it (check_paper).
        self.paper_low_since: Any = None
        self.paper_shown: str | None = None  # "low" or "out" as the staff pages were told, None: nothing said
        self._paper_asked: Any = None  # when it was last asked (the service's clock)
        # The slips printed on a printer whose status is asked that may still be coming out, in the order sent: each
        # job as it was before that try, and when it is estimated to be out (monotonic). A printer prints in order:
        # a slip's end is the later of its sending and the slip before's end (_printed_until), plus its own printing
        # time (printers.transport.printing_seconds, longer for a long form copy). Its paper is asked again once that
        # end has passed (_recheck_slip).
        self._unsure: list[tuple[dict[str, Any], float]] = []
        self._printed_until = 0.0

    def unwanted(self, tx, job: dict[str, Any], ticket: Any = None) -> str | None:
        """Why this job's slip is not to be printed now (its ticket was cancelled or called while the printer
        was off: server.service.jobs.slip_unwanted), None when it is; read at its turn, as the slip is (`ticket`:
        its ticket when the caller has just read it in `tx`)."""
        if ticket is None:
            ticket = tx.ticket(job["ticket_id"])
        return slip_unwanted(ticket, job["kind"], self.service.unit.day()) if ticket is not None else None

    def slip(self, tx, job: dict[str, Any], ticket: Any = None) -> printers.TicketSlip | printers.FormCopy:
        """What goes on the paper for a job, read from the database now (`ticket`: its ticket when the caller has
        just read it in `tx`)."""
        settings = self.service.settings
        if ticket is None:
            ticket = tx.ticket(job["ticket_id"])
        tz = settings.office.tz
        if job["kind"] == "form":
            form = tx.form(ticket.id)
            # signed as the A4 copy is (ViewService.form_copy): the officer's full name, else the login name, and
            # NIP, as they were when the outcome was recorded (m027; a ticket from before: the account's now)
            signed = tx.signature(ticket.id)
            return printers.FormCopy(
                office_name=settings.office.name,
                label=ticket.label,
                # the day and time of the consultation, as the A4 copy has them
                consulted_at=(ticket.started_at or ticket.first_called_at or ticket.created_at).astimezone(tz),
                name=form["name"],
                agency=form["agency"],
                address=form["address"],
                phone=form["phone"],
                problem=form["problem"],
                # the kind of problem by its name, as the recap's Keterangan says it ("Pertanyaan")
                category=category_name(ticket.category),
                solution=ticket.solution,
                escalation_note=ticket.escalation_note,
                lkpp_ticket=ticket.lkpp_ticket,
                lkpp_answer=lkpp_answer_text(ticket.lkpp_answer or ""),  # "Jawaban LKPP:" said once
                officer=signed["name"] or ticket.officer or "",
                officer_nip=format_nip(signed["nip"]),
                counter_name=self.service.counter_name(ticket.counter_id) or "",
                # the survey's QR code while it can still be answered (the day of the visit), as on the A4 copy
                survey_url=f"{settings.office.public_url}/t/{ticket.token}?survey=1"
                if ticket.day == self.service.unit.day()
                else "",
            )
        service = settings.service(ticket.service)
        ahead = 0
        if ticket.status == core.WAITING:
            ahead = self.service.views.place_in_line(tx, ticket.service, ticket.id, ticket=ticket)[0]
        return printers.TicketSlip(
            office_name=settings.office.name,
            office_address=settings.office.address,
            label=ticket.label,
            service_name=service.name if service else ticket.service,
            issued_at=ticket.created_at.astimezone(tz),
            ahead=ahead,
            qr_url=f"{settings.office.public_url}/t/{ticket.token}",
            footer=settings.kiosk.footer,
            priority=ticket.priority,
            reprint=job["kind"] == "reprint",
        )

    @property
    def title(self) -> str:
        return f"print worker {self.name}"

    def due(self, tx, now) -> list[tuple[dict[str, Any], Any]]:
        return [(job, None) for job in tx.due_print_jobs(now, [self.name])]

    def run_once(self) -> int:
        """One round of tries; a round with nothing to print asks the printer's status when that is due, so that
        no ticket waits for it (check_status = "auto": the worker's first round, and an hour after the printer
        gave no answer; printers.transport.status_due and learn_status, which asks the paper too), or its paper
        (check_paper): nothing read it yet (check_status = true: the worker's first round, so that a roll already
        nearly used up is told before the first visitor; printers.transport.paper_due), or it said nearly out and
        nothing asked it for PAPER_RECHECK_SECONDS. Then the staff pages are told when its paper turned to or from
        nearly out (_tell_paper)."""
        tried = super().run_once()
        self._recheck_slip()
        if not tried and printers.transport.status_due(self.config):
            self._learn_status()
        elif not tried and (printers.transport.paper_due(self.config) or self._paper_recheck_due()):
            self._in_thread(printers.transport.check_paper)
        elif tried and self.paper_shown is not None:
            self._paper_asked = self.service.clock()  # its tickets asked it
        self._tell_paper()
        return tried

    def _paper_recheck_due(self) -> bool:
        """Whether the idle worker asks the printer's paper now: it said nearly out (or out), and the last asking (a
        ticket's, or this worker's) is PAPER_RECHECK_SECONDS old, or ahead of the clock (a step back of the PC's
        clock had held a new roll's news as long as the step)."""
        if self.paper_shown is None:
            return False
        now = self.service.clock()
        if self._paper_asked is not None and 0 <= (now - self._paper_asked).total_seconds() < PAPER_RECHECK_SECONDS:
            return False
        self._paper_asked = now
        return True

    def paper(self) -> str | None:
        """What the printer last answered to its paper query (printers.transport.paper_state: "ok", "low", "out";
        None when nothing is known)."""
        return printers.transport.paper_state(self.config)

    def _tell_paper(self) -> None:
        """After each round: when what the printer last answered to its paper query (a ticket's status query, or
        check_paper; an agent's printer: what its agent reported) turned to or from nearly out (paper), tell the
        staff pages (`printers`, no seq: the front office's calm warning, until a new roll is in). Nothing for a
        print: no ticket waits for it, and none fails for it."""
        state = self.paper()
        shown = state if state in (printers.transport.PAPER_LOW, printers.transport.PAPER_OUT) else None
        if shown == self.paper_shown:
            return
        # Out is said too, not taken for a new roll: run out with no ticket waiting, the warning went and the next
        # morning's first visitor had no ticket. Only an answer of paper in ("ok") ends it.
        was, self.paper_shown = self.paper_shown, shown
        if shown is None:
            self.paper_low_since = self._paper_asked = None
        elif was is None:
            self.paper_low_since = self._paper_asked = self.service.clock()
        if shown == printers.transport.PAPER_OUT:
            log.warning("printer %s (%s): paper out, said to the front office", self.name, self.config.target)
        elif shown is not None:
            log.warning(
                "printer %s (%s): paper nearly out (its near-end sensor): the front office is told to have a new"
                " roll ready; tickets still print",
                self.name,
                self.config.target,
            )
        else:  # a roll that had run out is in again, not "no longer nearly out"
            again = "paper in again" if was == printers.transport.PAPER_OUT else "paper no longer nearly out"
            log.info("printer %s (%s): %s", self.name, self.config.target, again)
        try:
            self.service.tell_staff("printers", paper_notices(self.service.settings, self.service.print_workers))
        except Exception:
            log.exception("printer %s: telling the staff pages about its paper", self.name)

    def _in_thread(self, fn: Any) -> None:
        """fn(config) for a status query where no job waits: a device printer's from the native thread under gevent
        (as its prints), waited for at most two timeouts and the margin; nothing while that thread is busy."""
        from shared.runtime import on_gevent

        if self.config.type in SOCKET_TYPES or not on_gevent():
            fn(self.config)
            return
        import gevent
        from gevent.threadpool import ThreadPool

        if self._hanging is not None or (self._asking is not None and not self._asking.ready()):
            return  # the thread is still busy with the printer
        if self._pool is None:
            self._pool = ThreadPool(1)
        self._asking = self._pool.spawn(fn, self.config)
        limit = 2 * self.config.timeout + HANG_MARGIN_SECONDS
        try:
            self._asking.get(timeout=limit)
        except gevent.Timeout:
            log.warning("printer %s: its status query has not returned within %g s", self.name, limit)

    def _learn_status(self) -> None:
        """printers.transport.learn_status; a device printer's from the native thread under gevent, as its prints,
        waited for at most two timeouts (connecting, the answer) and the margin. One still running then is left
        there: the next print waits behind it in that thread, counted as hanging if it must wait too long."""
        self._in_thread(printers.transport.learn_status)

    def retry_now(self, job_id: int) -> None:
        """A job asked for again: its next try is due now (the caller set it), so the round starts."""
        self.wake.set()

    def prepare(self, job: dict[str, Any], read: Any) -> Any:
        with self.service.store.read() as tx:  # read each slip just before its print: "ahead" is current
            ticket = tx.ticket(job["ticket_id"])  # read once for both
            reason = self.unwanted(tx, job, ticket)
            if reason is not None:
                raise Withdrawn(reason)  # not printed: its ticket no longer waits for a call
            if job["kind"] == "form":  # the corrections this copy's text has (one saved while it prints: old text)
                job["read_seq"] = tx.correction_seq(ticket.id)
            return self.slip(tx, job, ticket)

    def withdraw(self, job: dict[str, Any], reason: str) -> None:
        log.info("print job %s not printed: its ticket is no longer waiting (%s)", job["id"], reason)
        self.service.jobs.print_skipped([(job, reason)])

    def send(self, job: dict[str, Any], slip: Any) -> None:
        self._recheck_slip(now=True)  # the slips before: their paper asked before this one goes
        self._print(job, slip)
        if printers.transport.status_asked(self.config):
            cfg = self.config
            seconds = printers.transport.printing_seconds(printers.slip_lines(slip, cfg.width_mm, cfg.profile))
            self._printed_until = max(time.monotonic(), self._printed_until) + seconds
            self._unsure.append((dict(job), self._printed_until))

    def _recheck_slip(self, now: bool = False) -> None:
        """The paper of the slips that may still be coming out asked again once the first of them has had time to
        (its estimated end: _unsure; `now`: before the next slip goes, however soon). A printer answers its status as
        the bytes arrive, not once they are printed: asked right after them it said paper in, and a roll that ended
        in the middle of a slip had its job counted as printed, the kiosk telling its visitor to take a paper ticket,
        nobody knowing until the next visitor's failed. An answer of paper in confirms only the slips whose end had
        passed when it was asked: one asked before the next slip goes, while the one before is still printing (a
        burst of slips), confirmed that one too, and the roll that ended inside it was seen at the next slip only.
        An answer of out records the try of every slip not confirmed as failed, "out of paper while printing"
        (printers.transport.torn_slip): each kiosk that follows its slip tells its visitor to note the number, the
        front office is alerted, and each job is tried again, printed once a roll is in (a slip the roll ended just
        after is printed twice: the price of not knowing where it ended). No slip waits for it: the asking is the
        idle worker's, or the next slip's own."""
        if not self._unsure:
            return
        asked = time.monotonic()
        if not now and asked < self._unsure[0][1]:
            return
        self._in_thread(printers.transport.check_paper)
        if self.paper() != printers.transport.PAPER_OUT:
            self._unsure = [(job, end) for job, end in self._unsure if end > asked]
            return
        torn, self._unsure = self._unsure, []
        error = printers.transport.torn_slip(self.config)
        for job, _ in torn:
            log.warning("print job %s: %s", job["id"], error)
        self.record([(job, error, False) for job, _ in torn])

    def record(self, results: list[Result]) -> None:
        for job, error, final in results:
            # The printer's own words, for the admin: the front office reads the advice (server/advice.py), this
            # message folded behind "rincian untuk admin". Logged when her alert is raised (a job's first failed try)
            # and when it gives up, not at each retry of a printer off for the morning.
            tries = (job.get("attempts") or 0) + 1
            if error is not None and (tries == 1 or final or tries >= PRINT_MAX_ATTEMPTS):
                given_up = final or tries >= PRINT_MAX_ATTEMPTS
                log.warning(
                    "print job %s (%s) on printer %s failed, try %d%s: %s",
                    job.get("id"),
                    job.get("kind"),
                    self.name,
                    tries,
                    ", given up" if given_up else "",
                    error,
                )
        self.service.print_results([(job, error) for job, error, _ in results])

    def pending_results(self) -> list[Result]:
        return self._hung_print_outcome()

    def _print(self, job: dict[str, Any], slip: Any) -> None:
        """Print one slip; a device printer from a native thread under gevent, waited for a bounded time."""
        from shared.runtime import on_gevent

        fn = printers.print_form_copy if isinstance(slip, printers.FormCopy) else printers.print_ticket
        if self.config.type in SOCKET_TYPES or not on_gevent():
            fn(self.config, slip)
            return
        import gevent
        from gevent.threadpool import ThreadPool

        if self._hanging is not None:
            raise printers.PrinterError(
                f"printer {self.name}: not answering (an earlier print to {self.config.target} has not returned)"
            )
        if self._pool is None:
            self._pool = ThreadPool(1)
        limit = self.hang_limit()  # before the print starts: it may learn the printer's status at once
        attempt = self._pool.spawn(_returning_printer_errors, fn, self.config, slip)
        try:
            failed = attempt.get(timeout=limit)
        except gevent.Timeout:
            self._hanging = (job, attempt)
            raise printers.PrinterError(
                f"printer {self.name}: no answer within {limit:g} s while printing to {self.config.target}"
            ) from None
        if failed is not None:
            raise failed

    def hang_limit(self) -> float:
        """How long a device print may take before it counts as hanging: the printer's timeout and a margin,
        and one timeout more for a job that asks the printer's status to learn whether it answers (check_status
        = "auto", nothing known yet: its worker could not ask it, printers.transport.status_answered), which
        waits that long for a printer that does not (a silent serial printer's slip: the wait, then 5 s of bytes)."""
        cfg = self.config
        learning = cfg.status_mode == "auto" and printers.status_answered(cfg) is None
        return cfg.timeout * (2 if learning else 1) + HANG_MARGIN_SECONDS

    def _hung_print_outcome(self) -> list[Result]:
        """The outcome of a print that hung and has returned since (printed late, or failed)."""
        if self._hanging is None or not self._hanging[1].ready():
            return []
        job, attempt = self._hanging
        self._hanging = None
        if attempt.successful() and attempt.value is None:
            log.info("print job %s printed late, after its printer hung", job["id"])
            return [(job, None, False)]
        err = attempt.value if attempt.successful() else attempt.exception
        return [(job, str(err) if isinstance(err, printers.PrinterError) else f"{type(err).__name__}: {err}", False)]


def _returning_printer_errors(fn: Any, *args: Any) -> printers.PrinterError | None:
    """fn(*args) in the print thread, a PrinterError returned instead of raised: gevent's thread pool writes
    the whole traceback of whatever a task raises (some 30 lines for each failed try of an unplugged
    printer), while a printer's failure is expected and the outbox logs it in one line."""
    try:
        fn(*args)
    except printers.PrinterError as err:
        return err
    return None


class AgentPrintWorker(PrintWorker):
    """Jobs of a printer on a kiosk PC: pushed to its print agent, done when the agent acknowledges.

    A job stays queued until acknowledged; it is pushed again when the agent (re)connects or
    after RESEND_SECONDS without an answer. The agent keeps a journal of what it printed, so a
    job pushed twice is acknowledged, not printed, the second time.

    No agent connected for ABSENT_GRACE_SECONDS after a job was queued (the kiosk PC is off, or its agent is
    not running): the job's first try is recorded as failed, once, so that the visitor at the kiosk is told
    to note the number and the front office is alerted; it still prints when the agent connects. A slip whose
    ticket leaves the line meanwhile (cancelled, called) is skipped then (tell_absent), as its push would skip it,
    not kept until an agent connects: its alert would stay on the front office's pages as long.

    Bounded whatever the agent does: nothing is pushed while no agent is connected (one small read a
    round, of the jobs not yet told as failed and the retried slips no longer wanted); at most
    PUSH_PER_ROUND jobs a round (the next round at once while more are due), each read in its own
    short transaction, the loop yielding between them; and a job still waiting when its day is over
    is given up (failed, with its advice for the front office): a kiosk PC that comes back after a
    week off does not print a week of tickets for visitors long gone.
    """

    RESEND_SECONDS = 30.0
    PUSH_PER_ROUND = 20
    EXPIRED = "not printed: its print agent did not take it on the day it was queued"
    ABSENT = "not printed yet: its print agent is not connected"
    ABSENT_GRACE_SECONDS = 8.0  # an agent reconnecting after a network blip is back within it

    def __init__(
        self,
        service: Any,
        printer_name: str,
        config: printers.PrinterConfig,
        emit: Any,
        present: Any = lambda: True,
    ):
        super().__init__(service, printer_name, config)
        self.emit = emit
        self.present = present  # () -> bool: an agent of this printer is connected
        self.sent: dict[int, float] = {}
        self._expired_up_to: str | None = None  # the day whose earlier jobs were given up
        self._absent_since: Any = None  # when no agent was first seen connected (the service's clock)
        # What the agent last reported its printer answered to the paper query ("ok", "low", "out"; None: nothing
        # reported, as from an agent older than the report): paper_reported.
        self.agent_paper: str | None = None
        # The seconds each pushed slip takes to come out (its message's `seconds`), by job id, and the slips the agent
        # said printed that it may still report torn: each job as it was before that try, and until when (monotonic;
        # the slips' estimated ends follow each other, as a printer prints in order: _printed_until).
        self.lengths: dict[int, float] = {}
        # A form copy's latest correction when it was first pushed (PrintWorker.prepare's read_seq), by job id: the
        # agent prints the first push it gets (its journal), so a correction saved after it is not on the paper.
        self.read_seqs: dict[int, int] = {}
        self.printed_recently: dict[int, tuple[dict[str, Any], float]] = {}

    def payload(self, tx, job: dict[str, Any]) -> dict[str, Any]:
        """The message an agent prints from: the ESC/POS bytes (base64), a text preview and `seconds`, how long the
        slip takes to come out once the printer has it (printers.transport.printing_seconds: the agent asks its
        paper again after that)."""
        import base64

        slip = self.slip(tx, job)
        cfg = self.config
        if isinstance(slip, printers.FormCopy):
            data, text = (
                printers.form_copy_bytes(slip, cfg.profile, cfg.width_mm),
                printers.form_copy_text(slip, cfg.width_mm, cfg.profile),
            )
        else:
            data, text = (
                printers.ticket_bytes(slip, cfg.profile, cfg.width_mm),
                printers.slip_text(slip, cfg.width_mm, cfg.profile),
            )
        return {
            "job": job["id"],
            "kind": job["kind"],
            "label": slip.label,
            "data": base64.b64encode(data).decode("ascii"),
            "text": text,
            "seconds": printers.transport.printing_seconds(printers.slip_lines(slip, cfg.width_mm, cfg.profile)),
        }

    def expire_stale(self) -> int:
        """Once a day: give up the jobs queued before today (the office's day); how many."""
        today = self.service.unit.day()
        if self._expired_up_to == today:
            return 0
        from datetime import datetime, time

        tz = self.service.settings.office.tz
        start = datetime.combine(datetime.fromisoformat(today).date(), time(0), tzinfo=tz)

        def run(tx, now):
            from server.service.unit import Outcome

            return Outcome(tx.expire_print_jobs(self.name, start, self.EXPIRED))

        expired = self.service.unit.run(None, run).body
        self._expired_up_to = today
        if expired:
            log.warning(
                "printer %s: %d job(s) of earlier days given up (its agent never took them)", self.name, expired
            )
        return expired

    def run_once(self) -> int:
        """Push the due jobs that the agent has not been sent recently (a bounded number a round)."""
        import time

        self.expire_stale()
        if not self.present():
            self.tell_absent()
            return 0  # pushed when an agent connects (resend)
        self._absent_since = None
        now = self.service.clock()
        mono = time.monotonic()
        with self.service.store.read() as tx:
            jobs = [
                j
                for j in tx.due_print_jobs(now, [self.name])
                if mono - self.sent.get(j["id"], -1e9) >= self.RESEND_SECONDS
            ][: self.PUSH_PER_ROUND]
        pushed = 0
        for job in jobs:
            with self.service.store.read() as tx:  # one job's slip per transaction, the loop yields between
                current = tx.print_job(job["id"])
                if current is None or current["status"] not in ("queued", "retrying"):
                    continue  # acknowledged (or given up) meanwhile
                reason = self.unwanted(tx, current)
                msg = self.payload(tx, current) if reason is None else None
                if msg is not None and current["kind"] == "form" and current["id"] not in self.read_seqs:
                    self.read_seqs[current["id"]] = tx.correction_seq(current["ticket_id"])
            if msg is None:  # its ticket no longer waits for a call: not pushed, skipped
                self.sent.pop(current["id"], None)
                self.withdraw(current, reason)
                continue
            self.emit("print_job", msg, to=f"agent:{self.name}")
            self.sent[msg["job"]] = mono
            self.lengths[msg["job"]] = msg["seconds"]
            pushed += 1
            time.sleep(0)
        for job_id in [j for j, at in self.sent.items() if mono - at > 10 * self.RESEND_SECONDS]:
            del self.sent[job_id]  # acknowledged or given up long ago: `sent` stays the size of what is pending
        if len(self.lengths) > len(self.sent):  # and `lengths` (a job pushed again after a reconnect has it anew)
            self.lengths = {job_id: seconds for job_id, seconds in self.lengths.items() if job_id in self.sent}
        if len(self.read_seqs) > len(self.sent):
            self.read_seqs = {job_id: seq for job_id, seq in self.read_seqs.items() if job_id in self.sent}
        if len(jobs) == self.PUSH_PER_ROUND:
            self.wake.set()  # more are due: the next round at once
        return pushed

    def tell_absent(self) -> int:
        """No agent for ABSENT_GRACE_SECONDS (since it left, or since this server started): record a failed
        first try of each job queued more than that ago and not tried yet (its print_failed alert, and the
        kiosk's "not printed"), and skip the slips being retried whose tickets have left the line since (no
        push comes to skip them: their alerts go, as ticket_moved's of a slip that gave up); how many.

        Only while no agent is connected: a slip pushed to a connected agent is its own until it answers (printed,
        even if its ticket left the line meanwhile). One pushed to an agent gone for the grace is not waited for:
        pushed again when an agent comes, it would be skipped then (run_once), its alert kept until that time."""
        from datetime import timedelta

        now = self.service.clock()
        if self._absent_since is None:
            self._absent_since = now
        grace = timedelta(seconds=self.ABSENT_GRACE_SECONDS)
        if now - self._absent_since < grace:
            return 0  # an agent reconnecting (a network blip, this server restarted) is back by then
        cutoff = now - grace
        with self.service.store.read() as tx:
            jobs = tx.untried_print_jobs(self.name, cutoff, self.PUSH_PER_ROUND)
            # a slip whose ticket no longer waits (cancelled, called meanwhile) is skipped, not told as failed
            unwanted = [(job, reason) for job in jobs if (reason := self.unwanted(tx, job)) is not None]
            # one told as failed, its ticket gone from the line since: its "percobaan 1" alert goes now
            retried = tx.retried_slips_out_of_line(self.name, self.service.unit.day(now), self.PUSH_PER_ROUND)
            gone = [(job, reason) for job in retried if (reason := self.unwanted(tx, job)) is not None]
        skipped = {job["id"] for job, _ in unwanted}
        if unwanted or gone:
            self.service.jobs.print_skipped(unwanted + gone)
        failed = [(job, self.ABSENT) for job in jobs if job["id"] not in skipped]
        if failed:
            self.service.print_results(failed)
        if self.PUSH_PER_ROUND in (len(jobs), len(gone)):
            self.wake.set()  # more may be waiting: the next round at once
        return len(jobs) + len(gone)

    def retry_now(self, job_id: int) -> None:
        """A job asked for again (a reprint, a form copy pressed again): pushed at the next round, not
        RESEND_SECONDS after its last push."""
        self.sent.pop(job_id, None)
        self.wake.set()

    def resend(self) -> None:
        """The agent (re)connected: push every pending job again."""
        self.sent.clear()
        self.wake.set()

    def paper(self) -> str | None:
        """What the agent reported its printer answered to the paper query: the printer is on the kiosk PC, and
        this process never asks it."""
        return self.agent_paper

    def paper_reported(self, paper: Any) -> None:
        """The agent says what its printer answered to the paper query (with a job's acknowledgement, or on its
        own: when it connects, and when its idle asking found it changed): "ok", "low" or "out"; anything else
        (None: not known there, or not sent by an older agent) changes nothing. The staff pages are told as for
        the server's own printers when it turned to or from nearly out (_tell_paper)."""
        if paper not in printers.transport.PAPER_STATES:
            return
        self.agent_paper = paper
        self._tell_paper()

    def acknowledge(self, job_id: int, error: str | None, paper: Any = None, torn: bool = False) -> bool:
        """Record the agent's answer for one job (and what its printer answered to the paper query then:
        paper_reported); False when the job is not pending on this printer. `torn`: the agent asked its printer's
        paper once the slip had time to come out and the roll had ended, in a slip it said printed moments ago
        (torn); False for any other (a job still pending is pushed again anyway: the agent no longer has it in its
        journal)."""
        self.paper_reported(paper)
        with self.service.store.read() as tx:
            job = tx.print_job(job_id)
        if torn:
            return job is not None and job["printer"] == self.name and job["status"] == "printed" and self.torn(job)
        if job is None or job["printer"] != self.name or job["status"] not in ("queued", "retrying"):
            return False
        self.sent.pop(job_id, None)
        seconds = self.lengths.pop(job_id, None)
        read_seq = self.read_seqs.pop(job_id, None)
        if read_seq is not None:
            job["read_seq"] = read_seq
        self.service.print_results([(job, error)])
        if error is None:
            self._printed_recently(job, seconds)
        return True

    def _printed_recently(self, job: dict[str, Any], seconds: Any) -> None:
        """A slip the agent said printed: kept for a torn report until its estimated end (after the slips before it,
        as a printer prints in order) and AGENT_TORN_SECONDS, two of the printer's timeouts and the margin; the
        ones past that forgotten."""
        now = agent_clock()
        if not isinstance(seconds, (int, float)) or seconds <= 0:
            seconds = printers.transport.PRINTING_SECONDS
        self._printed_until = max(now, self._printed_until) + seconds
        grace = AGENT_TORN_SECONDS + 2 * self.config.timeout + HANG_MARGIN_SECONDS
        self.printed_recently = {j: kept for j, kept in self.printed_recently.items() if kept[1] >= now}
        self.printed_recently[job["id"]] = (dict(job), self._printed_until + grace)

    def torn(self, job: dict[str, Any]) -> bool:
        """The agent says the roll ended in a slip it said printed: that try recorded as failed, "out of paper while
        printing" (printers.transport.torn_slip), as for the server's own printers (_recheck_slip): the kiosk that
        follows the ticket tells its visitor to note the number, the front office is alerted, and the job is tried
        again, pushed once more (the agent took it out of its journal). Only for a slip it said printed within
        printed_recently's time, once: False for any other (not this worker's, earlier, told already, printed again
        since)."""
        job_id = job["id"]
        kept = self.printed_recently.pop(job_id, None)
        if kept is None or kept[1] < agent_clock():
            return False
        before = kept[0]
        if job["attempts"] != (before["attempts"] or 0) + 1:
            return False  # not the try it said printed
        error = printers.transport.torn_slip(self.config)
        log.warning("print job %s: %s (said by its print agent)", job_id, error)
        self.sent.pop(job_id, None)
        self.read_seqs.pop(job_id, None)  # printed again from a push of then
        self.record([(before, error, False)])
        return True


def paper_low_message(settings: Any, name: str, paper: str = "low") -> dict[str, str]:
    """The front office's warning for a printer whose paper is nearly out, in each language: the kiosk's ("Kertas
    printer kios hampir habis: siapkan gulungan baru."), else the counters whose form copies it prints, else its
    name in config.toml. `paper` "out": the roll used up ("Kertas printer kios habis: …")."""
    params: dict[str, str] = {}
    if name == settings.kiosk.printer:
        key = f"printer.paper_{paper}.kiosk"
    elif counters := [c.name for c in settings.counters if c.printer == name]:
        key, params = f"printer.paper_{paper}.counters", {"counters": ", ".join(counters)}
    else:
        key, params = f"printer.paper_{paper}.named", {"name": name}
    return {lang: t(key, lang, **params) for lang in LANGS}


def paper_notices(settings: Any, workers: dict[str, Any]) -> list[dict[str, Any]]:
    """The staff state's `printers` (and the `printers` message to the staff pages when it changes): one entry per
    printer whose last status answer said its paper is nearly out (`paper` "low"), by name, with since when (ISO
    8601, UTC), the ids of the counters whose form copies it prints (`counters`: their pages show it by the form
    copy's button) and the warning in each language; [] when none does. Not in the public state."""
    notices = []
    for name, worker in sorted(workers.items()):
        since, paper = getattr(worker, "paper_low_since", None), getattr(worker, "paper_shown", None)
        if since is not None and paper is not None:
            notices.append(
                {
                    "printer": name,
                    "paper": paper,
                    "since": since.isoformat(),
                    "counters": [c.id for c in settings.counters if c.printer == name],
                    "message": paper_low_message(settings, name, paper),
                }
            )
    return notices


def make_print_workers(socketio, service) -> dict[str, PrintWorker]:
    """One worker per printer of config.toml, local or an agent's when [agents] names it: every one a job can go
    to, also one no counter uses at the start (the admin page gives a counter any of them, live; an idle worker
    reads its due jobs once a second)."""
    settings = service.settings
    names = set(settings.printers) | {settings.kiosk.printer} | {c.printer for c in settings.counters}
    names |= set(settings.agents)
    workers: dict[str, PrintWorker] = {}
    for name in sorted(n for n in names if n):
        if name in settings.agents:
            room = f"agent:{name}"
            workers[name] = AgentPrintWorker(
                service,
                name,
                settings.printers[name],
                socketio.emit,
                present=lambda room=room: next(socketio.server.manager.get_participants("/", room), None) is not None,
            )
        else:
            workers[name] = PrintWorker(service, name, settings.printers[name])
    return workers


def start_print_workers(socketio, service) -> dict[str, PrintWorker]:
    """Start one background task per printer (see make_print_workers)."""
    workers = service.print_workers or make_print_workers(socketio, service)
    for worker in workers.values():
        service.tasks.append(socketio.start_background_task(worker.loop))
    return workers
