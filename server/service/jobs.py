"""Print and mail bookkeeping: queueing print jobs (a reprint, the visitor's copy of the form), waking
their workers, and recording what the printers and the mail server answered."""

from __future__ import annotations

import logging
import math
from datetime import datetime
from typing import TYPE_CHECKING, Any

from server import core
from server.errors import InvalidTransition, QueueError
from server.service.shapes import public_ticket
from server.service.unit import Kind, Outcome
from server.store import Tx

if TYPE_CHECKING:
    from server.service.unit import UnitOfWork


# The tickets whose slip may be printed again: the ones a counter may still call (today's line).
REPRINTABLE = (core.WAITING, core.CALLED)

# A slip (the kiosk's print of a number, `ticket`, or the front office's `reprint`) sends its visitor to wait
# for a call, so it is printed only for a number still waiting for one when its turn at the printer comes
# (a printer that was off prints its backlog when it is back). The kiosk's own slip only while the number
# waits: once called, its visitor is at a counter or being called, and the slip would say "0 ahead" to
# nobody; a reprint as long as the front office may ask for one (REPRINTABLE: a called visitor who asked
# at the desk gets the reprint). Any other is not printed (`skipped`, its reason in `error`); the ticket
# itself is untouched. A form copy (`form`) is a served visitor's paper and always prints.
SLIP_KINDS = ("ticket", "reprint")
SKIPPED = "skipped: "  # a skipped job's `error`: this, then its reason (a key of the catalogue's printer.skipped.*)
# Why a slip is not printed, by its ticket's status at its turn; "past_day": a number of an earlier day.
SKIP_REASONS = {
    core.CALLED: "called",
    core.SERVING: "serving",
    core.RESOLVED: "finished",
    core.ESCALATED: "finished",
    core.CLOSED: "finished",
    core.NO_SHOW: "no_show",
    core.CANCELLED: "cancelled",
    core.EXPIRED: "expired",
}
# A kiosk keeps its ticket screen a minute after telling its visitor that the slip did not print
# (kiosk/static/kiosk.js PRINT_FAILED_SECONDS), follows the print meanwhile and says "Ambil tiket kertas
# Anda" when the slip comes out. The kiosk reports nothing back, so a slip of the kiosk out within this
# long of its number counts as taken by its visitor, who was told there; one out later waits at the
# printer for the front office to hand over ("late"). A visitor who tapped Selesai and left within that
# minute is not told of, but knows the number (the screen said to note it): the slip is then a spare one.
KIOSK_SCREEN_SECONDS = 60


def slip_unwanted(ticket: core.Ticket, kind: str, today: str) -> str | None:
    """Why a print job of `kind` for `ticket` is not to be printed now (a reason of SKIP_REASONS, or
    "past_day"); None when it is to be printed (every form copy)."""
    if kind not in SLIP_KINDS:
        return None
    allowed = REPRINTABLE if kind == "reprint" else (core.WAITING,)
    if ticket.status not in allowed:
        return SKIP_REASONS.get(ticket.status, ticket.status)
    return "past_day" if ticket.day != today else None


def skip_reason(reason: str) -> dict[str, str]:
    """A skipped slip's reason for the pages: {kind, id, en}, e.g. "tiket sudah dibatalkan"."""
    from server.i18n import t

    return {"kind": reason, **{lang: t(f"printer.skipped.{reason}", lang) for lang in ("id", "en")}}


def _skip_slip(tx: Tx, day: str, job: dict[str, Any], reason: str, attempts: int, now: datetime) -> None:
    """Record a slip not printed because its ticket no longer waits for it: the job `skipped` with its reason,
    never tried again, and a `print_skipped` event (every front office page drops its alert of that slip and
    says why). `attempts`: its failed tries."""
    # next_attempt_at: when it was skipped (the front office's line says that time)
    tx.update_print_job(job["id"], status="skipped", attempts=attempts, error=SKIPPED + reason, next_attempt_at=now)
    data = {
        "job": job["id"],
        "printer": job["printer"],
        "kind": job["kind"],
        "attempts": attempts,
        "reason": skip_reason(reason),
    }
    tx.add_event("print_skipped", now, day, job["ticket_id"], None, "printer", data)


def late_slip(kind: str, attempts: int, created_at: datetime | str | None, printed_at: datetime | str | None) -> bool:
    """A slip that printed after having failed and waits at its printer for the front office to hand it over:
    a reprint (the front office asked for it at the desk), or a kiosk slip out after its kiosk's screen had
    gone back to the start (KIOSK_SCREEN_SECONDS after its number was issued)."""
    if kind not in SLIP_KINDS or (attempts or 0) < 2:
        return False
    if kind == "reprint":
        return True
    if not created_at or not printed_at:
        return True
    issued = datetime.fromisoformat(created_at) if isinstance(created_at, str) else created_at
    printed = datetime.fromisoformat(printed_at) if isinstance(printed_at, str) else printed_at
    return (printed - issued).total_seconds() > KIOSK_SCREEN_SECONDS


def _retry_or_queue(tx: Tx, ticket_id: int, printer: str, kinds: tuple[str, ...], kind: str, now: datetime) -> dict:
    """The ticket's paper of these kinds still waiting for the printer is tried again now ({job, again});
    else a new job of `kind` is queued ({job}): the visitor gets one when the printer is back, not two."""
    waiting = tx.pending_print_job(ticket_id, printer, kinds)
    if waiting is not None:
        tx.update_print_job(waiting["id"], next_attempt_at=now)
        return {"job": waiting["id"], "again": True}
    return {"job": tx.add_print_job(ticket_id, printer, kind, now)}


def _again(job: dict) -> dict:
    return {"again": True} if job.get("again") else {}


def copy_printed(tx: Tx, ticket_id: int | None, now: datetime) -> None:
    """SOP step 12 done, as far as the server can know: the visitor's copy of the form came out of a counter
    printer. The first copy's time is kept on the ticket (copy_printed_at; the store derives copy_ms, the
    figures' copy time, from the end of service to it); a copy printed again later changes nothing."""
    ticket = tx.ticket(ticket_id) if ticket_id is not None else None
    if ticket is not None and ticket.copy_printed_at is None:
        tx.save_ticket(ticket.replace(copy_printed_at=now), ticket)


def copy_outdated(tx: Tx, job: dict[str, Any]) -> bool:
    """A form copy printed from its record as it was before a correction saved while the copy was on its way (read
    for the printer, `read_seq`: server/printing.py; still coming out, or held by a print agent): the paper has the
    old text. Nothing said before: the counter's page said "sudah tercetak", or nothing, and the visitor left with
    the old answer or kind of problem."""
    read = job.get("read_seq")
    return read is not None and job.get("ticket_id") is not None and tx.correction_seq(job["ticket_id"]) > read


def torn_copy(tx: Tx, job: dict[str, Any]) -> None:
    """A form copy counted printed whose roll ended in it (its paper asked again once it had time to come out said
    out: printers.transport.torn_slip): the copy time kept on its ticket from that print (copy_printed_at, the
    figures' copy time) goes, and the whole copy's, printed once a roll is in, is kept instead. A copy printed whole
    before it keeps its time."""
    current = tx.print_job(job["id"])
    if current is None or current.get("status") != "printed" or not current.get("printed_at"):
        return  # not a print that counted (a try that failed as it went)
    ticket = tx.ticket(job["ticket_id"])
    printed = current["printed_at"]
    printed = datetime.fromisoformat(printed) if isinstance(printed, str) else printed
    if ticket is not None and ticket.copy_printed_at == printed:
        tx.save_ticket(ticket.replace(copy_printed_at=None), ticket)


def _when(value: datetime | str | None) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _ends_outage(outage: dict[str, str | None]) -> bool:
    """Whether a print now ends its printer's outage (Store.printer_outage): a failure of it is still open (but the
    printing job's), and the printer was not back before (its latest print earlier than its latest open failure,
    the printing job's own too: a slip that failed again after the printer was said back, then printed)."""
    failed, others, printed = (_when(outage[k]) for k in ("failed_at", "others", "printed_at"))
    return others is not None and failed is not None and (printed is None or printed < failed)


def _was_back(outage: dict[str, str | None]) -> bool:
    """Whether the printer was back (Store.printer_outage): it printed after every failure still open."""
    failed, printed = _when(outage["failed_at"]), _when(outage["printed_at"])
    return printed is not None and (failed is None or printed > failed)


def printers_back(jobs: list[dict[str, Any]]) -> dict[str, datetime]:
    """The printers that printed today after every failure of theirs still open (a job failed or being retried), by
    name, with that print's time: switched on again, a new roll in, its agent back. Their jobs that failed are still
    to be reprinted, but the printer is fine: the front office is not to be sent to check it (back_advice). A printer
    that fails again is not back (its newest failure is later than its print)."""
    printed: dict[str, datetime] = {}
    failed: dict[str, datetime] = {}
    for job in jobs:
        if not job.get("today"):
            continue
        name = job["printer"]
        if job["status"] == "printed" and job.get("printed_at"):
            at = _when(job["printed_at"])
            printed[name] = max(at, printed.get(name, at))
        elif job["status"] in ("failed", "retrying"):
            at = _when(job.get("failed_at") or job["created_at"])
            failed[name] = max(at, failed.get(name, at))
    return {name: at for name, at in printed.items() if name in failed and at > failed[name]}


# Kirim ulang of one mail at most once in this long: a refusal comes back within a second, and a press every
# second (or a script) sent the mail server a connection each time (1,450 a minute), enough for a relay to block
# the office's address.
RESEND_GAP_SECONDS = 30.0


class Jobs:
    """Print jobs and escalation mails."""

    def __init__(self, unit: UnitOfWork):
        self.unit = unit
        # The printers whose last result recorded here was a print: the next print cannot end an outage (a failure
        # is recorded here only, and takes its printer out), so it does not read the day's jobs of that printer
        # again (Tx.printer_outage: ~0.75 ms a print at 2,000 jobs of a day).
        self._printing: set[str] = set()

    def wake_printer(self, name: str) -> None:
        """Tell a printer's worker that a job is waiting."""
        worker = self.unit.hooks.print_workers.get(name)
        if worker is not None:
            worker.wake.set()

    def wake_mail(self) -> None:
        """Tell the mail worker (when mail is on) that an escalation mail is waiting."""
        if self.unit.hooks.mail_worker is not None:
            self.unit.hooks.mail_worker.wake.set()

    def reprint(self, ref: str, actor: str, request_key: str | None = None) -> Outcome:
        """Front office: print a ticket again (after a paper jam, or when the first print failed). While its
        slip still waits for the printer (queued, or retried after a failure) no second one is queued:
        that one is tried again at once (`again`), so the visitor does not get two slips when the printer
        comes back. Only a number that can still be called (today's, waiting or called): a slip of a
        cancelled, expired, finished or past day's ticket would send its visitor to wait for a call that
        never comes (QueueError reprint_not_in_line, not_today). A finished visitor's paper is the
        form copy (print_form_copy), whose QR code leads to the survey."""
        unit = self.unit
        printer = unit.settings.kiosk.printer
        if not printer:
            raise QueueError("no_printer")

        def run(tx: Tx, now: datetime) -> Outcome:
            ticket = unit.find_ticket(tx, ref, now)
            if ticket.day != unit.day(now):
                raise QueueError("not_today", label=ticket.label, day=ticket.day)
            if ticket.status not in REPRINTABLE:
                raise QueueError("reprint_not_in_line", label=ticket.label, status=ticket.status)
            job = _retry_or_queue(tx, ticket.id, printer, ("ticket", "reprint"), "reprint", now)
            if job.get("again") and ticket.status != core.WAITING:
                # a called visitor's first slip, still waiting for the printer, would not be printed any more
                # (slip_unwanted): it is printed as the reprint asked for
                tx.update_print_job(job["job"], kind="reprint")
            tx.add_event("reprint", now, unit.day(now), ticket.id, None, actor, job)
            return Outcome(
                {"print_job": job["job"], **_again(job), "ticket": public_ticket(unit.settings, ticket)}, Kind.QUEUED
            )

        result = unit.run(request_key, run)
        self.retry_printer(printer, result.body)
        return result

    def retry_printer(self, name: str, body: Any) -> None:
        """After a reprint or a form copy: wake the printer's worker, and a job asked for again is tried
        at once (an agent's worker pushes it now, not when it would have pushed it again anyway)."""
        worker = self.unit.hooks.print_workers.get(name)
        if worker is None:
            return
        if isinstance(body, dict) and body.get("again"):
            worker.retry_now(body["print_job"])
        worker.wake.set()

    def print_form_copy(self, ref: str, counter_id: int | None, actor: str, request_key: str | None = None) -> Outcome:
        """SOP step 12: the visitor's copy of the completed form, on the counter's printer. As with a
        reprint, a copy of the ticket still waiting for that printer is tried again at once (`again`)
        rather than a second one queued: the visitor gets one copy when the printer is back."""
        unit = self.unit
        counter = unit.counter(counter_id) if counter_id is not None else None
        printer = counter.printer if counter else ""
        if not printer:
            raise QueueError("no_printer")

        def run(tx: Tx, now: datetime) -> Outcome:
            ticket = unit.find_ticket(tx, ref, now, any_day=True)
            if ticket.status not in core.SERVED:
                raise InvalidTransition(action="print", status=ticket.status, label=ticket.label)
            job = _retry_or_queue(tx, ticket.id, printer, ("form",), "form", now)
            tx.add_event("form_print", now, unit.day(now), ticket.id, counter_id, actor, job)
            return Outcome({"print_job": job["job"], **_again(job)}, Kind.QUEUED)

        result = unit.run(request_key, run)
        self.retry_printer(printer, result.body)
        return result

    def print_results(self, results: list[tuple[dict[str, Any], str | None]]) -> None:
        """Record a round of print attempts in one commit; a failure raises an alert event for the front office."""
        from server.advice import failure_advice
        from server.outbox import PRINT, result_fields

        unit = self.unit
        back: set[str] = set()  # the printers that printed for the first time since a failure still open

        def run(tx: Tx, now: datetime) -> Outcome:
            back.clear()
            for job, error in results:
                fields, event = result_fields(PRINT, job, error, now)
                if (
                    error is None
                    and job["printer"] not in self._printing
                    and _ends_outage(tx.printer_outage(job["printer"], unit.day(now), job["id"]))
                ):
                    back.add(job["printer"])
                elif (
                    error is not None
                    and event is None
                    and _was_back(tx.printer_outage(job["printer"], unit.day(now), job["id"]))
                ):
                    # a quiet retry that failed on a printer said back: said, as its first failure was (the front
                    # office's lines of that printer say what is wrong again, and when)
                    event = PRINT.failed_event
                reason = None
                if error is not None and job["kind"] in SLIP_KINDS:
                    ticket = tx.ticket(job["ticket_id"])
                    reason = slip_unwanted(ticket, job["kind"], unit.day(now)) if ticket is not None else None
                if reason is not None:
                    # its ticket left the line during the try (cancelled, called): no reprint to ask for, nor
                    # a try again (its turn would skip it), whether it gave up or not; once (a print that hung
                    # and failed after its job was skipped)
                    if (tx.print_job(job["id"]) or {}).get("status") != "skipped":
                        _skip_slip(tx, unit.day(now), job, reason, fields["attempts"], now)
                    continue
                if job["kind"] == "form" and error is not None:
                    torn_copy(tx, job)  # before its row says the try failed
                tx.update_print_job(job["id"], **fields)
                outdated = False
                if job["kind"] == "form" and fields["status"] == PRINT.done_status:
                    copy_printed(tx, job["ticket_id"], now)
                    outdated = copy_outdated(tx, job)
                    if outdated:
                        event = PRINT.recovered_event  # said, also for a copy printed at its first try
                if event == PRINT.recovered_event:  # printed after all: the front office's alerts of it go
                    data = {
                        "job": job["id"],
                        "printer": job["printer"],
                        "kind": job["kind"],
                        "attempts": fields["attempts"],
                        # a slip nobody took: the front office is told to hand it over
                        "late": late_slip(job["kind"], fields["attempts"], job["created_at"], now),
                    }
                    if outdated:  # the counter's page offers the copy again (Cetak ulang)
                        data["outdated"] = True
                    tx.add_event(event, now, unit.day(now), job["ticket_id"], None, "printer", data)
                elif event:
                    final = fields["status"] == "failed"
                    data = {
                        "job": job["id"],
                        "printer": job["printer"],
                        "kind": job["kind"],
                        "error": error,
                        "attempts": fields["attempts"],
                        "final": final,
                        # the front office's sentence: the printer, what is wrong, what to do (id, en)
                        "advice": failure_advice(unit.settings, job["printer"], error, final, job["kind"]),
                    }
                    tx.add_event(event, now, unit.day(now), job["ticket_id"], None, "printer", data)
            return Outcome()

        unit.run(None, run)
        for job, error in results:
            if error is None:
                self._printing.add(job["printer"])
            else:
                self._printing.discard(job["printer"])
        for printer in sorted(back):
            # the front office's lines of that printer's failures say it prints again (print_jobs, back_advice): the
            # print of a slip at its first try logs no event, and the line said "nyalakan printer" all afternoon
            unit.hooks.tell_staff("print_back", {"printer": printer})

    def print_skipped(self, skipped: list[tuple[dict[str, Any], str]]) -> None:
        """Record slips not printed because their tickets no longer wait for a call (slip_unwanted): each job
        `skipped` with its reason, and a `print_skipped` event (the front office's alert of that slip goes,
        and says why). A job printed or given up meanwhile stays as it is."""
        unit = self.unit

        def run(tx: Tx, now: datetime) -> Outcome:
            for job, reason in skipped:
                current = tx.print_job(job["id"])
                if current is None or current["status"] not in ("queued", "retrying"):
                    continue
                # at its turn: the tries that failed before (none made now)
                _skip_slip(tx, unit.day(now), current, reason, current["attempts"] or 0, now)
            return Outcome()

        unit.run(None, run)

    def ticket_moved(self, tx: Tx, ticket: core.Ticket, now: datetime) -> None:
        """In the transaction that changes `ticket`'s status: its latest slip, when it gave up (failed after
        its retries, the front office asked to reprint it), is `skipped` once the ticket no longer waits for
        it (slip_unwanted: cancelled, called, served; a reprint of a called visitor still waits for it), with
        its `print_skipped` event, as its turn at the printer does for a slip still to be tried: every front
        office page, open or opened later, says it is not needed instead of asking for a reprint (refused, or
        a slip for a visitor at a counter or gone). A slip still queued or retried is left to its printer's
        worker, which may be printing it now and skips it at its turn; an earlier slip that failed was settled
        by the later one; an earlier day's ticket (expired at the day's end) has no alert to take back."""
        today = self.unit.day(now)
        if ticket.day != today:
            return
        job = tx.latest_slip_job(ticket.id)
        if job is None or job["status"] != "failed":
            return
        reason = slip_unwanted(ticket, job["kind"], today)
        if reason is not None:
            _skip_slip(tx, today, job, reason, job["attempts"] or 0, now)

    def print_jobs(self, limit: int = 50) -> list[dict[str, Any]]:
        """Recent print jobs with their state, newest first; a failed one with the front office's advice and
        `failed_at` (when it failed, as its print_failed alert said live), a skipped one with its reason, a printed
        one with `late` (a slip to hand over, late_slip); `today`: queued on the office's day. Every job of today's
        tickets is listed, however many came after it: the newest 50 alone left a morning's slip that gave up (its
        visitor still waiting for a reprint) out of the front office's alerts once fifty slips and copies had
        printed since, on a page reloaded or reconnected, or opened on another PC."""
        from server.advice import back_advice, failure_advice

        today, tz = self.unit.day(), self.unit.settings.office.tz
        with self.unit.store.read() as tx:
            jobs = tx.print_jobs(limit=limit, day=today)
        for job in jobs:
            # queued today (the office's day): the front office's alerts are today's failures
            job["today"] = (
                bool(job["created_at"]) and core.local_day(datetime.fromisoformat(job["created_at"]), tz) == today
            )
        back = printers_back(jobs)
        for job in jobs:
            if job["status"] in ("failed", "retrying"):
                final = job["status"] == "failed"
                job["advice"] = failure_advice(self.unit.settings, job["printer"], job["error"], final, job["kind"])
                since = back.get(job["printer"]) if job["today"] else None
                if since is not None and job["advice"]["kind"] != "expired":
                    job["advice"] = back_advice(
                        self.unit.settings, job["printer"], job["advice"]["kind"], final, job["kind"], since
                    )
            elif job["status"] == "skipped":
                job["reason"] = skip_reason((job["error"] or "").removeprefix(SKIPPED))
            elif job["status"] == "printed":
                job["late"] = late_slip(job["kind"], job["attempts"], job["created_at"], job["printed_at"])
        return jobs

    def mail_result(self, mail: dict[str, Any], error: str | None, final: bool = False) -> None:
        """Record one sending attempt of an escalation mail; failures are visible to officers.
        `final`: a failure that trying again cannot mend (failed at once, not retried)."""
        from server.advice import mail_advice
        from server.outbox import MAIL, result_fields

        unit = self.unit

        def run(tx: Tx, now: datetime) -> Outcome:
            current = tx.mail_of_ticket(mail["ticket_id"]) or {}
            if error is not None and current.get("id") == mail["id"] and current["status"] == "withdrawn":
                return Outcome()  # withdrawn during its try (QueueCommands._withdraw_mail): it stays so
            fields, event = result_fields(MAIL, mail, error, now, final)
            tx.update_mail(mail["id"], **fields)
            if event:
                data = {"mail": mail["id"], "status": fields["status"], "attempts": fields["attempts"], "error": error}
                if error is not None:  # the front office's sentence: what is wrong, what to do (id, en)
                    ticket = tx.ticket(mail["ticket_id"])
                    data["advice"] = mail_advice(
                        ticket.label if ticket else "?",
                        error,
                        fields["status"] == "failed",
                        unit.settings.escalation,
                        mail.get("requeued_with") is not None,  # sent again at a start, and refused again
                    )
                tx.add_event(event, now, unit.day(now), mail["ticket_id"], None, "mail", data)
            return Outcome()

        unit.run(None, run)

    def resend_mail(self, ref: str, actor: str, request_key: str | None = None) -> Outcome:
        """The Eskalasi page's Kirim ulang: an escalation mail `failed` (given up after its tries, or refused for
        good) of a case still open whose LKPP number is not recorded is queued again now, and the mail worker
        woken: the mail server's admin mended something on their side (the office's address allowed on the
        relay, LKPP's mailbox made), which no restart is needed for. Its attempts stay counted (a mail given up
        after its 8 tries has one try, then gives up again), its error is cleared, and a `mail_requeued` event
        tells the staff pages. It leaves `requeued_with` as it is: the start's rule (requeue_refused_mails) stays
        the start's. Refused (409) for a mail already sent (`mail_sent_already`), queued or being retried
        (`mail_pending`), a case closed (`mail_case_closed`) or with its LKPP number (`mail_forwarded`: LKPP has
        it), one escalated with mail off (`no_mail`), a ticket not escalated (invalid_transition), while
        `[escalation] enabled = false` (`mail_off`: nothing would send it), and within RESEND_GAP_SECONDS of its
        last Kirim ulang (`mail_just_tried`, with the seconds to wait)."""
        unit = self.unit

        def run(tx: Tx, now: datetime) -> Outcome:
            ticket = unit.find_ticket(tx, ref, now, any_day=True)
            if ticket.status == core.CLOSED:
                raise QueueError("mail_case_closed", label=ticket.label)
            if ticket.status != core.ESCALATED:
                raise InvalidTransition(action="resend", status=ticket.status, label=ticket.label)
            if ticket.lkpp_ticket:
                raise QueueError("mail_forwarded", label=ticket.label, number=ticket.lkpp_ticket)
            mail = tx.mail_of_ticket(ticket.id)
            if mail is None:
                raise QueueError("no_mail", label=ticket.label)
            if mail["status"] == "sent":
                raise QueueError("mail_sent_already", label=ticket.label)
            if not unit.settings.escalation.enabled:  # no worker: a queued or retrying one is not being sent either
                raise QueueError("mail_off", label=ticket.label)
            if mail["status"] != "failed":  # queued, or retrying: the worker sends it, tried again on its own
                raise QueueError("mail_pending", label=ticket.label)
            # the last Kirim ulang of it: a refusal comes back in a second, and presses in a row each sent the mail
            # server one more connection (a relay blocks an office for that); the first after a failure is free
            last = tx.last_ticket_event_at(ticket.id, "mail_requeued")
            since = (now - datetime.fromisoformat(last)).total_seconds() if last else RESEND_GAP_SECONDS
            wait = RESEND_GAP_SECONDS - since if since >= 0 else 0  # (a clock set back meanwhile: not an hour's wait)
            if wait > 0:
                raise QueueError("mail_just_tried", label=ticket.label, seconds=math.ceil(wait))
            tx.update_mail(mail["id"], status="queued", error=None, next_attempt_at=now)
            data = {"mail": mail["id"], "status": "queued", "attempts": mail["attempts"] or 0}
            tx.add_event("mail_requeued", now, unit.day(now), ticket.id, None, actor, data)
            answer = {"mail": {"id": mail["id"], "status": "queued", "attempts": mail["attempts"] or 0}}
            return Outcome({**answer, "label": ticket.label}, Kind.QUEUED)

        result = unit.run(request_key, run, seq=True)
        self.wake_mail()
        return result

    def correction_sent(self, ref: str, actor: str, request_key: str | None = None, role: str | None = None) -> Outcome:
        """The Eskalasi page's "Koreksi sudah dikirim": a case corrected after its escalation mail went (LKPP has the
        text from before the correction: the page said so in amber until the case closed) is said to have had its
        correction sent to LKPP by hand (TTS, a mail written by hand). Not silently: a `correction_sent` event (staff
        only) keeps who said it and when, and the correction it covers (`data.corrected_at`); the list then names them
        in place of the amber line. A correction after it is news again. 409 `no_correction_pending` for a case with
        no correction LKPP lacks (its mail not sent, not corrected since, that correction already said sent, or the
        case not open)."""
        from server.service.views import corrected_after_mail

        unit = self.unit

        def run(tx: Tx, now: datetime) -> Outcome:
            ticket = unit.find_ticket(tx, ref, now, any_day=True)
            mail = tx.mail_of_ticket(ticket.id)
            last, forwarded = corrected_after_mail(tx, ticket.id, mail)
            if ticket.status != core.ESCALATED or mail is None or last is None or forwarded is not None:
                raise QueueError("no_correction_pending", label=ticket.label)
            data: dict[str, Any] = {"mail": mail["id"], "corrected_at": last}
            if role:
                data["role"] = role
            event = tx.add_event("correction_sent", now, unit.day(now), ticket.id, None, actor, data)
            sent = {"at": event["at"], "by": actor, "corrected_at": last}
            return Outcome({"label": ticket.label, "correction_sent": sent})

        return unit.run(request_key, run, seq=True)

    def requeue_refused_mails(self, key: str | bytes) -> int:
        """At the start (with mail on): the escalation mails the mail server refused for good (5xx, not retried:
        server/advice.py permanent_refusal) are queued again. A refusal's alert tells the admin to mend
        config.toml and restart the server: this start may be that one. Once: at the first start after its
        refusal, and at a later one only when what it is sent with changed since the start that last queued it
        again (server/escalation.py sent_with, keyed with `key`, the server's secret key: [escalation], the SMTP
        password, the mail's subject and text): an office that restarts its PC every day does not send LKPP the
        same refused mail every day. Only for a case still open whose LKPP number is not recorded (one
        forwarded by hand is not sent twice); its attempts stay counted. Returns how many."""
        from server.advice import permanent_refusal
        from server.escalation import mail_parts, sent_with

        settings = self.unit.settings

        def run(tx: Tx, now: datetime) -> Outcome:
            again = 0
            for m in tx.failed_mails_of_open_cases():
                if not permanent_refusal(m["error"]):
                    continue
                try:
                    digest = sent_with(settings, key, *mail_parts(tx, m))
                except Exception:  # a record it cannot be built from: the worker fails it saying why, not the start
                    logging.getLogger("antrian.mail").exception("escalation mail %s cannot be built", m["id"])
                    digest = "unbuildable"
                if m["requeued_with"] == digest:  # queued again with the same already, and refused again
                    continue
                tx.update_mail(m["id"], status="queued", error=None, next_attempt_at=now, requeued_with=digest)
                again += 1
            return Outcome(again)

        return self.unit.run(None, run).body
