"""The outbox, once: a row queued with the change that asks for it, sent by a background worker, its
result recorded (another command), retried with a growing wait, given up after a number of tries.

Print jobs (server/printing.py) and escalation mails (server/mail.py) are two kinds of it. A kind says
what differs: its retry rules and words (`Schedule`: `PRINT` and `MAIL`, here), and, as an `OutboxWorker`, how to fetch its due
rows, prepare and send one, and record the results. The loop, the wake-up, the one-round-of-tries and
the columns and alert event of a try (`result_fields`) are written here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from server.store import DatabaseOverwritten

log = logging.getLogger("antrian.outbox")

Result = tuple[dict[str, Any], str | None, bool]  # (row, error or None, final: not to be tried again)


@dataclass(frozen=True)
class Schedule:
    """An outbox kind's retry rules and the words of its results."""

    max_attempts: int  # then the row is 'failed' (and waits for people)
    backoff: Callable[[int], float]  # seconds to wait after the n-th failed try
    done_status: str  # 'printed', 'sent'
    done_column: str  # when it was done: 'printed_at', 'sent_at'
    done_event: str | None  # the event of a success (None: quiet)
    failed_event: str  # the alert of a failure
    alert_every_retry: bool  # False: only the first failure and the final one raise the alert
    # with no done_event: the event of a success that follows a failure (a retry that worked, or a
    # reprint), so that the failure's alert can go
    recovered_event: str | None = None


# The two kinds' rules, here beside `Schedule` so that the service records a try without the devices'
# modules (server/printing.py and server/mail.py send, server/service/jobs.py records).
PRINT_MAX_ATTEMPTS = 6  # then the job is 'failed' and waits for a reprint from the front office
# A mail is tried for about a day: 8 tries in its first 17 minutes, then one every 10 minutes (mail_backoff_seconds),
# as a mail server keeps a message it could not pass on. Given up after 8 tries (8.5 minutes), an hour without the
# office's internet left every escalation of that hour "Gagal dikirim" until someone pressed Kirim ulang on each.
MAIL_MAX_ATTEMPTS = 152


def print_backoff_seconds(attempts: int) -> float:
    """Wait before the next try of a print: 2, 4, 8, … seconds, at most 5 minutes."""
    return float(min(300, 2**attempts))


def mail_backoff_seconds(attempts: int) -> float:
    """Wait before the next try of a mail: 4, 8, 16, … seconds, at most 10 minutes (MAIL_MAX_ATTEMPTS: a day)."""
    return float(min(600, 2 ** (attempts + 1)))


# Only failures concern the people in the office: an alert for the first and the last failure, and no event
# for a print but one that ends a failure (`printed`).
PRINT = Schedule(
    PRINT_MAX_ATTEMPTS,
    print_backoff_seconds,
    "printed",
    "printed_at",
    None,
    "print_failed",
    alert_every_retry=False,
    recovered_event="printed",
)
# Every try is told: the escalations page shows each mail's state.
MAIL = Schedule(
    MAIL_MAX_ATTEMPTS, mail_backoff_seconds, "sent", "sent_at", "mail_sent", "mail_failed", alert_every_retry=True
)


def result_fields(
    schedule: Schedule, row: dict[str, Any], error: str | None, now: datetime, final: bool = False
) -> tuple[dict[str, Any], str | None]:
    """The row's new columns after one try, and the event type to log (None for a quiet retry).

    `final`: the failure cannot go away by trying again (failed at once, not retried)."""
    attempts = (row["attempts"] or 0) + 1
    if error is None:
        done = {"status": schedule.done_status, "attempts": attempts, "error": None, schedule.done_column: now}
        recovered = attempts > 1 or row.get("kind") == "reprint"
        return done, schedule.done_event or (schedule.recovered_event if recovered else None)
    if final or attempts >= schedule.max_attempts:
        return {"status": "failed", "attempts": attempts, "error": error}, schedule.failed_event
    fields = {
        "status": "retrying",
        "attempts": attempts,
        "error": error,
        "next_attempt_at": now + timedelta(seconds=schedule.backoff(attempts)),
    }
    alert = schedule.alert_every_retry or attempts == 1
    return fields, (schedule.failed_event if alert else None)


class Unsendable(Exception):
    """A row that cannot even be prepared, the same way every time: failed at once, not retried."""


class Withdrawn(Exception):
    """A row no longer wanted when its turn comes (a slip whose ticket was cancelled or called meanwhile): not
    sent, and recorded by the kind's `withdraw` with its reason (the message); never tried again."""


class OutboxWorker:
    """Sends the due rows of one outbox kind, in order, with retries; a subclass is the kind.

    The kind supplies: `due` (its due rows, each with what was read along with it), `prepare` (what
    to send, outside any transaction; raises Unsendable, or Withdrawn for a row not to be sent any more,
    which `withdraw` records), `send` (raises one of `errors`, told by its
    message; `final` tells one that trying again cannot mend), `record` (results, in one command; called for
    each row as soon as it was tried, so that a kill never forgets a row that went), `unexpected` (None: any
    other exception ends the round; else the log line of a try that failed so, a failed try), `log` and
    `title` (its log lines)."""

    errors: tuple[type[Exception], ...] = ()
    unexpected: str | None = None
    # How long an idle worker sleeps between two rounds unless woken (a new row wakes it; a retry's due time
    # does not): a retry goes within this after its wait. tests/clockserver.py --tick makes it shorter.
    IDLE_SECONDS = 1.0
    log = log
    title = "outbox worker"

    def __init__(self, service: Any):
        self.service = service
        self.wake = threading.Event()

    def due(self, tx, now: datetime) -> list[tuple[dict[str, Any], Any]]:
        raise NotImplementedError

    def prepare(self, row: dict[str, Any], read: Any) -> Any:
        raise NotImplementedError

    def send(self, row: dict[str, Any], message: Any) -> None:
        raise NotImplementedError

    def record(self, results: list[Result]) -> None:
        raise NotImplementedError

    def withdraw(self, row: dict[str, Any], reason: str) -> None:
        """Record a row that `prepare` withdrew (Withdrawn): it is not sent, and not tried again."""
        raise NotImplementedError

    def pending_results(self) -> list[Result]:
        """Results known before the round starts (a print that hung and has returned since), recorded
        first; their rows are not tried again in the round."""
        return []

    def run_once(self) -> int:
        """Try every due row once; returns how many were tried (or recorded)."""
        if self._unrecordable():
            return 0
        results = self.pending_results()
        if results:
            self.record(results)
        with self.service.store.read() as tx:
            rows = self.due(tx, self.service.clock())
        tried = len(results)
        for row, read in rows:
            if self.service.stopping.is_set():
                break  # the server stops: the rest wait for its next start (the row on its way was recorded)
            if any(done["id"] == row["id"] for done, _, _ in results):
                continue  # its outcome has just come in
            if self._unrecordable():
                break
            try:
                message = self.prepare(row, read)
            except Unsendable as err:
                result: Result = (row, str(err), True)
            except Withdrawn as err:
                tried += 1
                self.withdraw(row, str(err))
                time.sleep(0)
                continue
            else:
                error = self.attempt(row, message)
                result = (row, error, error is not None and self.final(error))
            tried += 1
            self.record([result])
            time.sleep(0)  # under gevent: let requests run between two tries of a long round
        return tried

    def _unrecordable(self) -> bool:
        """True once the database file was written over while the server runs (Store.check_file: a backup copied
        into it): no outcome can be recorded, and a row sent would be sent again at every round (a slip printed
        every second)."""
        return self.service.store.written_over()

    def final(self, error: str) -> bool:
        """Whether a try's error is one that trying again cannot mend (the row fails at once, not retried)."""
        return False

    def attempt(self, row: dict[str, Any], message: Any) -> str | None:
        """Send one row; the error to record, None when it went."""
        try:
            self.send(row, message)
        except self.errors as err:
            return str(err)
        except Exception as err:
            if self.unexpected is None:
                raise
            self.log.exception(self.unexpected, row["id"])
            return f"{type(err).__name__}: {err}"
        return None

    def loop(self) -> None:
        """Forever: send what is due, then sleep until woken or IDLE_SECONDS (a second) passed."""
        while not self.service.stopping.is_set():
            try:
                self.run_once()
            except DatabaseOverwritten:
                pass  # (copied into while a row went: said once by the store; no more are sent, _unrecordable)
            except Exception:
                self.log.exception("%s", self.title)
            self.wake.wait(self.IDLE_SECONDS)
            self.wake.clear()
