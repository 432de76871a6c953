"""The outbox: print jobs (tickets, reprints, form copies, for the printers' workers and print agents)
and escalation mails (for the mail sender), each queued in the transaction of the change that asks
for it and retried until sent or given up."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from server.store.base import TxBase, _iso
from server.store.tickets import SIGNER_NAME_SQL

# Longer than any wait between two tries (server/outbox.py: a print's 5 minutes at most, a mail's 10; a row is
# queued at its time): a next try further ahead was set by a clock since stepped back.
LONGEST_WAIT_SECONDS = 900.0


class OutboxQueries(TxBase):
    """Print jobs and escalation mails.

    The print jobs' queries are written out: each ticket printed adds a job, reads the due ones and,
    from a print agent, reads its job again, and sqlite-utils' Table helpers first look the table up
    in sqlite_master (about 40 µs more per read, 200 µs per insert)."""

    def add_print_job(self, ticket_id: int, printer: str, kind: str, now: datetime) -> int:
        """Queue a print job; its id."""
        cur = self.db.execute(
            "INSERT INTO print_jobs (ticket_id, printer, kind, status, attempts, next_attempt_at, created_at)"
            " VALUES (?, ?, ?, 'queued', 0, ?, ?)",
            [ticket_id, printer, kind, _iso(now), _iso(now)],
        )
        return cur.lastrowid

    # -- both tables: the same columns of an outbox row (status, attempts, error, next_attempt_at) --
    def _due_outbox(
        self, table: str, now: datetime, where: str = "", params: list[Any] | None = None
    ) -> list[dict[str, Any]]:
        """Queued or retrying rows of an outbox table whose time has come (and match `where`), oldest first.

        A row whose next try is further ahead than any wait (LONGEST_WAIT_SECONDS) is due too: the server PC's clock
        was stepped back since it was set (NTP correcting a clock that ran fast, an admin's hand), and an hour's
        step held a ticket's print, or an escalation's mail, an hour more (docs/operations.md, "Jam PC server")."""
        return self.rows(
            f"SELECT * FROM {table} WHERE status IN ('queued', 'retrying')"
            f" AND (next_attempt_at <= ? OR next_attempt_at > ?){where} ORDER BY id",
            [_iso(now), _iso(now + timedelta(seconds=LONGEST_WAIT_SECONDS)), *(params or [])],
        )

    def _update_outbox(self, table: str, row_id: int, fields: dict[str, Any]) -> None:
        """Change an outbox row's columns (times as ISO text)."""
        values = [_iso(v) if isinstance(v, datetime) else v for v in fields.values()]
        sets = ", ".join(f"{k} = ?" for k in fields)
        self.db.execute(f"UPDATE {table} SET {sets} WHERE id = ?", [*values, row_id])

    # -- print jobs ------------------------------------------------------------------------
    def due_print_jobs(self, now: datetime, printers: list[str] | None = None) -> list[dict[str, Any]]:
        """Queued or retrying jobs whose time has come (of some printers)."""
        if printers is None:
            return self._due_outbox("print_jobs", now)
        marks = ", ".join("?" for _ in printers)
        return self._due_outbox("print_jobs", now, f" AND printer IN ({marks})", list(printers))

    def untried_print_jobs(self, printer: str, before: datetime, limit: int) -> list[dict[str, Any]]:
        """The printer's jobs queued before `before` and not tried yet, oldest first, at most `limit`."""
        return self.rows(
            "SELECT * FROM print_jobs WHERE printer = ? AND status = 'queued' AND attempts = 0 AND created_at < ?"
            " ORDER BY id LIMIT ?",
            [printer, _iso(before), limit],
        )

    def retried_slips_out_of_line(self, printer: str, today: str, limit: int) -> list[dict[str, Any]]:
        """The printer's slips being retried whose tickets no longer wait for them, oldest first, at most `limit`:
        a kiosk slip of a ticket not waiting, a reprint of one neither waiting nor called, a slip of a day other
        than `today` (server.service.jobs.slip_unwanted, which says why). Chosen here, not after the limit: a
        line of slips still wanted does not hide one to skip."""
        return self.rows(
            "SELECT p.* FROM print_jobs p JOIN tickets t ON t.id = p.ticket_id WHERE p.printer = ?"
            " AND p.status = 'retrying' AND p.kind IN ('ticket', 'reprint')"
            " AND (t.day != ? OR t.status != 'waiting' AND (p.kind = 'ticket' OR t.status != 'called'))"
            " ORDER BY p.id LIMIT ?",
            [printer, today, limit],
        )

    def expire_print_jobs(self, printer: str, before: datetime, error: str) -> int:
        """Give up the printer's jobs still waiting that were queued before `before`; how many."""
        cur = self.db.execute(
            "UPDATE print_jobs SET status = 'failed', error = ? WHERE printer = ?"
            " AND status IN ('queued', 'retrying') AND created_at < ?",
            [error, printer, _iso(before)],
        )
        return cur.rowcount

    def ticket_print_status(self, ticket_id: int) -> str | None:
        """The status of the ticket's latest kiosk print (its ticket job or a reprint), None without one."""
        row = self.one(
            "SELECT status FROM print_jobs WHERE ticket_id = ? AND kind IN ('ticket', 'reprint') ORDER BY id DESC LIMIT 1",
            [ticket_id],
        )
        return row["status"] if row else None

    def latest_slip_job(self, ticket_id: int) -> dict[str, Any] | None:
        """The ticket's latest slip job (its kiosk print or a reprint), None without one."""
        return self.one(
            "SELECT * FROM print_jobs WHERE ticket_id = ? AND kind IN ('ticket', 'reprint') ORDER BY id DESC LIMIT 1",
            [ticket_id],
        )

    def print_job(self, job_id: int) -> dict[str, Any] | None:
        """A print job by id, or None."""
        return self.one("SELECT * FROM print_jobs WHERE id = ?", [job_id])

    def pending_print_job(
        self, ticket_id: int, printer: str, kinds: tuple[str, ...] = ("ticket", "reprint")
    ) -> dict[str, Any] | None:
        """The ticket's paper of these kinds (its slip; or `("form",)`, its form copy) still waiting for the
        printer (queued or being retried), if any: the oldest."""
        marks = ", ".join("?" for _ in kinds)
        return self.one(
            f"SELECT * FROM print_jobs WHERE ticket_id = ? AND printer = ? AND kind IN ({marks})"
            " AND status IN ('queued', 'retrying') ORDER BY id LIMIT 1",
            [ticket_id, printer, *kinds],
        )

    def update_print_job(self, job_id: int, **fields: Any) -> None:
        """Change a print job's columns."""
        self._update_outbox("print_jobs", job_id, fields)

    # A failed or retrying job's `failed_at`: the time of its latest print_failed event, the failure its front
    # office alert is of (the first failed try while it is retried, the last when it gave up), read from the
    # ticket's few events (m010's idx_events_ticket_seq).
    _PRINT_JOB_LIST = (
        "SELECT p.*, t.label, CASE WHEN p.status IN ('failed', 'retrying') THEN (SELECT e.at FROM events e"
        " WHERE e.ticket_id = p.ticket_id AND e.type = 'print_failed' AND json_extract(e.data, '$.job') = p.id"
        " ORDER BY e.seq DESC LIMIT 1) END AS failed_at FROM print_jobs p JOIN tickets t ON t.id = p.ticket_id"
    )

    def print_jobs(
        self, statuses: tuple[str, ...] | None = None, limit: int = 50, day: str | None = None
    ) -> list[dict[str, Any]]:
        """Recent print jobs with their tickets' labels, newest first; a failed or retrying one with `failed_at`
        (when it failed, as its print_failed alert said; None without one, e.g. given up at the day's end).
        `day`: every job of that day's tickets too, beyond the newest `limit` (at most 5000 in all)."""
        if day is not None and not statuses:
            return self.rows(
                f"{self._PRINT_JOB_LIST} WHERE p.id IN (SELECT j.id FROM tickets d JOIN print_jobs j"
                " ON j.ticket_id = d.id WHERE d.day = ? UNION SELECT id FROM (SELECT id FROM print_jobs"
                " ORDER BY id DESC LIMIT ?)) ORDER BY p.id DESC LIMIT 5000",
                [day, limit],
            )
        if statuses:
            marks = ", ".join("?" for _ in statuses)
            return self.rows(
                f"{self._PRINT_JOB_LIST} WHERE p.status IN ({marks}) ORDER BY p.id DESC LIMIT ?",
                [*statuses, limit],
            )
        return self.rows(f"{self._PRINT_JOB_LIST} ORDER BY p.id DESC LIMIT ?", [limit])

    def printer_outage(self, printer: str, day: str, job: int) -> dict[str, str | None]:
        """The printer's state as job `job` (its try about to be recorded) finds it, among the jobs of that day's
        tickets: `failed_at`, the latest failure of its jobs still failed or being retried (`job`'s too), `others`,
        the same but for `job`, and `printed_at`, its latest print; ISO text or None: a print that ends a failure
        while others are still open says the printer is back, a failure after it that it is not (Jobs.print_results)."""
        failed = (
            "COALESCE((SELECT e.at FROM events e WHERE e.ticket_id = p.ticket_id AND e.type = 'print_failed'"
            " AND json_extract(e.data, '$.job') = p.id ORDER BY e.seq DESC LIMIT 1), p.created_at)"
        )
        row = self.one(
            f"SELECT MAX(CASE WHEN p.status IN ('failed', 'retrying') THEN {failed} END) AS failed_at,"
            f" MAX(CASE WHEN p.status IN ('failed', 'retrying') AND p.id != ? THEN {failed} END) AS others,"
            " MAX(CASE WHEN p.status = 'printed' THEN p.printed_at END) AS printed_at"
            " FROM tickets t JOIN print_jobs p ON p.ticket_id = t.id WHERE t.day = ? AND p.printer = ?",
            [job, day, printer],
        )
        return row or {"failed_at": None, "others": None, "printed_at": None}

    # -- escalation mail -------------------------------------------------------------------
    def add_mail(self, ticket_id: int, kind: str, subject: str, now: datetime, signer: str | None = None) -> int:
        """Queue an escalation mail, with who signs it (the officer's name as it is now); its id."""
        row = {
            "ticket_id": ticket_id,
            "kind": kind,
            "status": "queued",
            "attempts": 0,
            "subject": subject,
            "signer": signer,
            "next_attempt_at": _iso(now),
            "created_at": _iso(now),
        }
        return self.db["mails"].insert(row).last_rowid

    def due_mails(self, now: datetime) -> list[dict[str, Any]]:
        """Queued or retrying mails whose time has come."""
        return self._due_outbox("mails", now)

    def update_mail(self, mail_id: int, **fields: Any) -> None:
        """Change a mail's columns."""
        self._update_outbox("mails", mail_id, fields)

    def closed_escalations(self, since: datetime, limit: int) -> list[dict[str, Any]]:
        """The cases closed (LKPP's answer recorded) at `since` or later, newest first, at most `limit`: {id,
        label, day, closed_at, lkpp_ticket, lkpp_answer, name, agency, phone, closed_by} (the actor of its last
        `closed` event), for the Eskalasi page's "Buka lagi" of a case closed by mistake, and the visitor's phone
        (the answer is told them by phone)."""
        return self.rows(
            "SELECT t.id, t.label, t.day, t.closed_at, t.lkpp_ticket, t.lkpp_answer, f.name, f.agency, f.phone,"
            " (SELECT e.actor FROM events e WHERE e.ticket_id = t.id AND e.type = 'closed'"
            " ORDER BY e.seq DESC LIMIT 1) AS closed_by"
            " FROM tickets t JOIN forms f ON f.ticket_id = t.id"
            " WHERE t.status = 'closed' AND t.closed_at >= ? ORDER BY t.closed_at DESC, t.id DESC LIMIT ?",
            [_iso(since), limit],
        )

    def failed_mails_of_open_cases(self) -> list[dict[str, Any]]:
        """The escalation mails given up (`failed`) of cases still open (escalated) whose LKPP ticket number is
        not recorded (not forwarded by hand): {id, ticket_id, error, attempts, signer, requeued_with}, oldest first."""
        return self.rows(
            "SELECT m.id, m.ticket_id, m.error, m.attempts, m.signer, m.requeued_with FROM mails m"
            " JOIN tickets t ON t.id = m.ticket_id"
            " WHERE m.status = 'failed' AND m.kind = 'escalation' AND t.status = 'escalated'"
            " AND COALESCE(t.lkpp_ticket, '') = '' ORDER BY m.id"
        )

    def mail_of_ticket(self, ticket_id: int) -> dict[str, Any] | None:
        """The latest mail of a ticket, or None."""
        return next(self.db["mails"].rows_where("ticket_id = ?", [ticket_id], order_by="id DESC", limit=1), None)

    def _mails_failed_at(self) -> dict[tuple[int, int], str]:
        """The time of each open case's mails' latest mail_failed event (its latest failed try, every try being told:
        the front office's alert of it), by (ticket id, mail id): one statement for every open case, each ticket's
        few events read by m010's idx_events_ticket_seq (CROSS JOIN: the open cases first, not every mail_failed event
        of the years, which SQLite otherwise picks by their type's index)."""
        rows = self.rows(
            "SELECT e.ticket_id, e.at, json_extract(e.data, '$.mail') AS mail FROM tickets t CROSS JOIN events e"
            " ON e.ticket_id = t.id WHERE t.status = 'escalated' AND e.type = 'mail_failed' ORDER BY e.seq"
        )
        return {(r["ticket_id"], r["mail"]): r["at"] for r in rows}  # the latest of each mail last

    def open_escalations(self) -> list[dict[str, Any]]:
        """Escalated tickets with their forms and mail state, oldest first; `signed_by`: who signs the ticket's
        form, as the recap and the form name them (SIGNER_NAME_SQL). The mail's `requeued`: sent again at a start
        (Jobs.requeue_refused_mails), for its advice, not the API. Three statements however many cases: the cases,
        their latest mails (mail_of_ticket's) all at once, and those mails' failures."""
        rows = self.rows(
            f"SELECT t.*, f.name, f.agency, f.address, f.phone, f.problem, {SIGNER_NAME_SQL} AS signed_by"
            " FROM tickets t JOIN forms f ON f.ticket_id = t.id LEFT JOIN users u ON u.username = t.officer"
            " WHERE t.status = 'escalated' ORDER BY t.finished_at"
        )
        latest = {
            m["ticket_id"]: m
            for m in self.rows(
                "SELECT m.* FROM tickets t JOIN mails m ON m.ticket_id = t.id WHERE t.status = 'escalated'"
                " AND m.id = (SELECT MAX(l.id) FROM mails l WHERE l.ticket_id = t.id)"
            )
        }
        failed_at = self._mails_failed_at()
        for r in rows:
            mail = latest.get(r["id"])
            r["mail"] = {k: mail[k] for k in ("id", "status", "attempts", "error", "sent_at")} if mail else None
            if mail:
                r["mail"]["requeued"] = mail.get("requeued_with") is not None
                if mail["status"] in ("failed", "retrying"):  # when it failed, as its front office alert said live
                    r["mail"]["failed_at"] = failed_at.get((r["id"], mail["id"]))
            r["signer"] = mail.get("signer") if mail else None
        return rows
