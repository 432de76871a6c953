"""Queue commands: issue a number, the counters' actions, cancel, correct, close an escalation, and
the time-driven ones (end-of-day expiry, automatic recall). Parse nothing, decide through the core,
commit through the unit of work."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from server import core
from server.core import Ticket
from server.errors import Changed, FormIncomplete, InvalidTransition, Localized, NotFound, QueueError
from server.forms import (
    clean_texts,
    same_visitor,
    text_problem,
    validate_identity,
    validate_queue_fields,
    validate_visitor_form,
)
from server.i18n import both
from server.service.shapes import full_name, full_ticket, iso, public_ticket
from server.service.unit import Kind, Outcome
from server.store import Tx
from server.store.drafts import DRAFT_FIELDS

if TYPE_CHECKING:
    from server.service.jobs import Jobs
    from server.service.office import Office
    from server.service.unit import UnitOfWork
    from server.service.views import Views

# What officers type into a record, cleaned as the visitor's form is (server/forms.py clean_text):
# field -> may it hold line breaks. Every command that stores one of them cleans its payload first.
OFFICER_TEXTS = {"solution": True, "note": True, "escalation_note": True, "answer": True, "lkpp_ticket": False}
# The counter actions on the ticket the counter holds: an optional `ticket_id` names the one pressed for (409
# ticket_changed when the counter holds another now, or none).
HELD_ACTIONS = ("recall", "skip", "start", "resolve", "escalate", "transfer")
# The calls: an optional `holding` names the ticket the counter held when pressed, null none (409 counter_changed
# when it holds another now, or one though it held none: another tab or an admin called meanwhile).
CALLS = ("call-next", "call")


def _long_date(day: str) -> Localized:
    """An office day (YYYY-MM-DD) as a person reads it: "4 Desember 2026" / "4 December 2026"."""
    from shared.dates import long_date

    return Localized(*(long_date(date.fromisoformat(day), lang) for lang in ("id", "en")))


class QueueCommands:
    """The commands that move tickets."""

    def __init__(self, unit: UnitOfWork, views: Views, office: Office, jobs: Jobs):
        self.unit = unit
        self.views = views
        self.office = office
        self.jobs = jobs
        unit.new_day = self._new_day  # written by the first command of each office's day (UnitOfWork._turn)
        unit.day_changed = self._day_changed  # alone, when that turn failed

    def _ticket_answer(self, tx: Tx, t: Ticket, **more: Any) -> Outcome:
        return Outcome({"ticket": full_ticket(self.unit.settings, t, tx.form(t.id)), **more})

    # -- issuing -------------------------------------------------------------------
    def issue(
        self,
        data: Any,
        request_key: str | None = None,
        actor: str = "kiosk",
        printed: bool = True,
        *,
        kiosk: bool = False,
        override_quota: bool = False,
        check_duplicate: bool = False,
        backdated: bool = False,
    ) -> Outcome:
        """SOP steps 4-5: check the form; if complete, give a number (and queue its print job unless told not).

        `kiosk`: a number taken without a login, refused outside the service hours (QueueError
        office_closed); the front office registers at any time. A service's daily quota refuses everyone
        (QueueError quota_reached) unless `override_quota` (the front office, explicitly).

        `check_duplicate` (the front office page asks for it, unless "issue anyway" is ticked): a visitor
        who already has a number of today still waiting or called, by the same phone or the same name and
        agency, is said before a second one is issued (QueueError duplicate_visitor, naming that number).
        Never at the kiosk: it would tell an anonymous user another visitor's number.

        No number is issued while the server's date is before core.EARLIEST_DAY (QueueError clock_wrong), even with no
        ticket to compare it with: the PC's clock is wrong (booted on a dead CMOS battery's date), and such a number
        would be of that wrong day: expired with its visitor still waiting once the clock is set right (the day's
        turn), and the recaps' dates wrong (docs/operations.md, "Jam PC server"). A date behind the newest record but
        after that issues, said on the staff pages only (Upkeep.clock_behind): it cannot be told from records made
        while the clock ran ahead (a date typed wrong, then set right), which would otherwise stop the office until
        that day. `backdated`: the demo's visitors of yesterday, on purpose."""
        unit = self.unit
        settings = unit.settings
        form = validate_visitor_form(data, {s.code for s in settings.services})

        def run(tx: Tx, now: datetime) -> Outcome:
            day = unit.day(now)
            service = settings.service(form.service)
            if not backdated and day < core.EARLIEST_DAY:  # before the hours: "closed" of 2000 is not the reason
                raise QueueError("clock_wrong", day=_long_date(day), earliest=_long_date(core.EARLIEST_DAY))
            if kiosk:
                self.office.check_open(now)
            if not settings.served(service.code):
                raise QueueError("service_not_served", service=service.name)  # a number nobody would call
            if service.daily_quota is not None and not override_quota:
                if tx.issued_counts(day).get(service.prefix, 0) >= service.daily_quota:
                    raise QueueError("quota_reached", service=service.name, quota=service.daily_quota)
            if check_duplicate:
                self._check_duplicate(tx, day, form)
            number = tx.next_number(day, service.prefix)
            ticket = Ticket(
                id=None,
                day=day,
                service=form.service,
                number=number,
                label=core.label_for(service.prefix, number),
                token=secrets.token_urlsafe(12),
                status=core.WAITING,
                priority=form.priority,
                position=tx.next_position(day),
                created_at=now,
                category=form.category,
                form_seconds=form.form_seconds,
            )
            ticket = tx.insert_ticket(
                ticket,
                {
                    "name": form.name,
                    "agency": form.agency,
                    "address": form.address,
                    "phone": form.phone,
                    "problem": form.problem,
                },
            )
            tx.add_event("issued", now, day, ticket.id, actor=actor)
            printer = settings.kiosk.printer if printed else ""
            job_id = tx.add_print_job(ticket.id, printer, "ticket", now) if printer else None
            view = self.views.ticket_status_view(tx, ticket, now)
            view["token"] = ticket.token
            view["print_job"] = job_id
            view["status_url"] = f"{settings.office.public_url}/t/{ticket.token}"
            return Outcome({"ticket": view}, Kind.CREATED)

        result = unit.run(request_key, run, seq=True)
        self.jobs.wake_printer(settings.kiosk.printer)
        return result

    def _check_duplicate(self, tx: Tx, day: str, form: Any) -> None:
        new = {"name": form.name, "agency": form.agency, "phone": form.phone}
        for t in tx.line_forms(day):  # one query, not one per ticket in the line
            why = same_visitor(new, t)
            if why is not None:
                raise QueueError(
                    "duplicate_visitor", label=t["label"], status=t["status"], match=both(f"error.match.{why}")
                )

    # -- front office and records ---------------------------------------------------------
    def cancel(self, label_or_token: str, actor: str, request_key: str | None = None, reason: str = "") -> Outcome:
        """Front office cancels a waiting or called ticket of today. `reason` (optional, "" for none; one line,
        cleaned by the API as every typed text: server.api.cancel_reason) is kept in the `cancelled` event's data, for
        the staff alone: the front office's list, the guest book and the recap say it; no public message carries it."""

        def run(tx: Tx, now: datetime) -> Outcome:
            ticket = self.unit.find_ticket(tx, label_or_token, now)
            data = {"reason": reason} if reason else None
            new = self._change(tx, ticket, core.cancel(ticket, now), "cancelled", now, ticket.counter_id, actor, data)
            out = self._ticket_answer(tx, new)
            out.body["ticket"]["cancel_reason"] = reason or None
            return out

        return self.unit.run(request_key, run, seq=True)

    def close_escalation(
        self, label_or_token: str, payload: dict[str, Any], actor: str, request_key: str | None = None
    ) -> Outcome:
        """Record the LKPP helpdesk's answer (and TTS number): the escalated case is closed."""
        payload = clean_texts(payload, OFFICER_TEXTS)

        def run(tx: Tx, now: datetime) -> Outcome:
            ticket = self.unit.find_ticket(tx, label_or_token, now, any_day=True)
            self._check_not_closed(tx, ticket)
            new = core.close_escalation(ticket, payload.get("answer"), payload.get("lkpp_ticket"), now)
            self._check_lkpp_ticket(tx, ticket, payload)
            data = {"lkpp_ticket": new.lkpp_ticket} if new.lkpp_ticket != ticket.lkpp_ticket else {}
            withdrawn = self._withdraw_mail(tx, new)
            if withdrawn is not None:  # what a reopen puts back (reopen_escalation): it was never sent
                data["mail"], data["mail_withdrawn"] = withdrawn
            new = self._change(tx, ticket, new, "closed", now, None, actor, data)
            return self._ticket_answer(tx, new)

        return self.unit.run(request_key, run, seq=True)

    def reopen_escalation(
        self, ref: str, actor: str, request_key: str | None = None, role: str | None = None
    ) -> Outcome:
        """Undo a close made by mistake (LKPP's answer recorded on the wrong card, or with the wrong LKPP number):
        the case is escalated again, back on the Eskalasi page with its LKPP number, and the visitor's phone page
        says it is with LKPP again (`reopened` goes to its room as `closed` did). The record is never edited
        silently: the `reopened` event keeps the answer it had (`data.changes.lkpp_answer`, old and new, as a
        correction keeps its old version), when it was closed and by whom, and who reopened it (`actor`,
        `data.actor_name`, `data.role`). The escalation mail is as it was before the close, never sent again: a
        mail the close withdrew while still queued or being retried (never sent) is put back to be tried, unless
        the case's LKPP number is recorded (it reached LKPP by hand); a mail sent, failed or withdrawn before stays
        so. 409 case_not_closed for a case that is not closed."""

        def run(tx: Tx, now: datetime) -> Outcome:
            ticket = self.unit.find_ticket(tx, ref, now, any_day=True)
            new = core.reopen_escalation(ticket)
            closing = next((e for e in reversed(tx.events_of_ticket(ticket.id)) if e["type"] == "closed"), None)
            data: dict[str, Any] = {
                "changes": {"lkpp_answer": {"old": ticket.lkpp_answer, "new": ""}},
                "closed_at": iso(ticket.closed_at),
                "closed_by": closing["actor"] if closing else None,
            }
            account = tx.user(actor)
            if account:
                data["actor_name"] = full_name(account) or account["username"]
            if role:
                data["role"] = role
            mail = tx.mail_of_ticket(ticket.id)
            closed = closing["data"] if closing else {}
            before = closed.get("mail_withdrawn")
            if (
                mail is not None
                and mail["status"] == "withdrawn"
                and mail["id"] == closed.get("mail")
                and before in ("queued", "retrying")
                and not new.lkpp_ticket
            ):
                tx.update_mail(mail["id"], status=before, next_attempt_at=now)
                data["mail_restored"] = before
            new = self._change(tx, ticket, new, "reopened", now, None, actor, data)
            return self._ticket_answer(tx, new)

        result = self.unit.run(request_key, run, seq=True)
        self.jobs.wake_mail()
        return result

    def correct(self, ref: str, payload: dict[str, Any], actor: str, request_key: str | None = None) -> Outcome:
        """Correct a finished record: a new version; the old values, who and when go to the event log.

        `base` (optional): the record as the page showed it when the officer typed ({field: value} of
        core.CORRECTABLE). When another correction changed one of those fields since, 409 correction_conflict
        says who changed which and when, and nothing is saved: two officers never overwrite each other unseen.
        Without `base` (an API client of before) the correction is saved as it comes."""
        payload = clean_texts(payload, OFFICER_TEXTS)
        base = core.correction_base(payload.get("base") if isinstance(payload, dict) else None)

        def run(tx: Tx, now: datetime) -> Outcome:
            ticket = self.unit.find_ticket(tx, ref, now, any_day=True)
            self._check_correction_base(tx, ticket, base)
            new, diff = core.correct(ticket, payload, self.unit.classes())
            tx.save_ticket(new, ticket)
            # The form stays signed by the officer who explained it, as named when the outcome was recorded: a
            # correction (theirs or anyone's) changes its text, not its signature (m027). Who corrected it is
            # kept as their account names them at this correction (`actor_name`): the recap's "dikoreksi oleh …".
            data: dict[str, Any] = {"changes": diff}
            account = tx.user(actor)
            if account:
                data["actor_name"] = full_name(account) or account["username"]
            tx.add_event("corrected", now, self.unit.day(now), new.id, None, actor, data)
            return self._ticket_answer(tx, new, changes=diff)

        return self.unit.run(request_key, run, seq=True)

    def _check_correction_base(self, tx: Tx, ticket: Ticket, base: dict[str, str] | None) -> None:
        """Refuse (409 correction_conflict) a correction made on a version of the record another correction
        changed since (core.correction_stale), naming who made the latest of those changes, when, and the fields
        it changed: neither correction is lost, the one saved stays and the page keeps the text typed."""
        stale = core.correction_stale(ticket, base)
        if not stale:
            return
        from server.i18n import t

        setter = next(
            (
                e
                for e in reversed(tx.events_of_ticket(ticket.id))
                if e["type"] == "corrected" and set(e["data"].get("changes") or {}) & set(stale)
            ),
            None,
        )
        names = Localized(*(", ".join(t(f"staff.fix.field.{f}", lang) for f in stale) for lang in ("id", "en")))
        raise QueueError(
            "correction_conflict",
            dict.fromkeys(stale, "stale"),
            label=ticket.label,
            by=self._by_whom(tx, setter),
            fields=names,
        )

    def correct_form(
        self, ref: str, payload: Any, actor: str, request_key: str | None = None, role: str | None = None
    ) -> Outcome:
        """The front office (or an officer) corrects today's visitor's form: name, agency, address, phone,
        problem, sent whole and checked as when the number was taken. The ticket keeps its place. A
        `form_corrected` event names the fields that changed (not their values: the event log and the
        staff room are no copy of visitors' data) and the `role` of the `actor` who changed them (the
        counter page says "by the front office (rina)"); nothing changed, nothing written.

        With `service` and `priority` (each optional; the same as the ticket's, no change): a ticket waiting
        and never called moves to that service or lane keeping its place (core.correct_queue), in a
        `queue_corrected` event with who did it; once called, a change of them is refused (409
        queue_fields_locked), as is a past day's ticket (not_today) or a service no counter serves."""
        settings = self.unit.settings
        moves, bad = validate_queue_fields(payload, {s.code for s in settings.services})
        try:
            form = validate_identity(payload)
        except FormIncomplete as err:
            if not bad or err.fields == {"_": "not_object"}:
                raise
            raise FormIncomplete({**err.fields, **bad}) from None
        if bad:
            raise FormIncomplete(bad)

        def run(tx: Tx, now: datetime) -> Outcome:
            ticket = self.unit.find_ticket(tx, ref, now)
            if ticket.status == core.CANCELLED:
                raise InvalidTransition(action="correct_form", status=ticket.status, label=ticket.label)
            service = moves.get("service", ticket.service)
            priority = moves.get("priority", ticket.priority)
            if (service, priority) != (ticket.service, ticket.priority):
                if ticket.day != self.unit.day(now):
                    raise QueueError("not_today", label=ticket.label, day=ticket.day)
                moved = core.correct_queue(ticket, service, priority)
                if service != ticket.service and not settings.served(service):
                    raise QueueError("service_not_served", service=settings.service(service).name)
                data: dict[str, Any] = {}
                if service != ticket.service:
                    data.update(service_from=ticket.service, service_to=service)
                if priority != ticket.priority:
                    data["priority"] = priority
                if role:
                    data["role"] = role
                ticket = self._change(tx, ticket, moved, "queue_corrected", now, None, actor, data)
            old = tx.form(ticket.id)
            changed = [key for key in form if form[key] != old.get(key)]
            if changed:
                tx.update_form(ticket.id, {key: form[key] for key in changed})
                data: dict[str, Any] = {"fields": changed}
                if role:
                    data["role"] = role
                tx.add_event("form_corrected", now, self.unit.day(now), ticket.id, ticket.counter_id, actor, data)
            return self._ticket_answer(tx, ticket, changed=changed)

        return self.unit.run(request_key, run, seq=True)

    def record_lkpp_ticket(
        self, ref: str, payload: dict[str, Any], actor: str, request_key: str | None = None
    ) -> Outcome:
        """Note the LKPP helpdesk's ticket number (TTS / LPSE Support) on an open escalation."""
        payload = clean_texts(payload, OFFICER_TEXTS)

        def run(tx: Tx, now: datetime) -> Outcome:
            ticket = self.unit.find_ticket(tx, ref, now, any_day=True)
            self._check_not_closed(tx, ticket)
            new = core.record_lkpp_ticket(ticket, payload.get("lkpp_ticket"))
            self._check_lkpp_ticket(tx, ticket, payload)
            new = self._change(tx, ticket, new, "lkpp_ticket", now, None, actor, {"lkpp_ticket": new.lkpp_ticket})
            if new.lkpp_ticket:
                self._withdraw_mail(tx, new)
            return self._ticket_answer(tx, new)

        return self.unit.run(request_key, run, seq=True)

    @staticmethod
    def _withdraw_mail(tx: Tx, ticket: Ticket) -> tuple[int, str] | None:
        """The case reached LKPP another way (its LKPP number recorded: forwarded by hand; or LKPP's answer
        recorded): its escalation mail still queued or being retried is `withdrawn`, not sent (returns its id and the
        status it had; None: nothing withdrawn). It went on being
        tried, and LKPP got the case a second time once the mail server took it. (One on its way to the mail
        server at this moment goes: MailWorker.prepare looks at it again just before.)"""
        mail = tx.mail_of_ticket(ticket.id)
        if mail is not None and mail["status"] in ("queued", "retrying"):
            tx.update_mail(mail["id"], status="withdrawn", next_attempt_at=None)
            return mail["id"], mail["status"]  # what it was: the close keeps it for a reopen (reopen_escalation)
        return None

    def _check_lkpp_ticket(self, tx: Tx, ticket: Ticket, payload: dict[str, Any]) -> None:
        """Refuse (409 lkpp_ticket_conflict) an LKPP number typed over another one recorded meanwhile, unseen
        (core.lkpp_ticket_conflict), naming who recorded which number and when: neither is lost, the one
        recorded stays and the page keeps the one typed."""
        typed = payload.get("lkpp_ticket")
        if not core.lkpp_ticket_conflict(ticket, typed, payload.get("lkpp_ticket_base")):
            return
        # who recorded it: the latest event that set this number (a close carries it since this check came)
        setter = next(
            (
                e
                for e in reversed(tx.events_of_ticket(ticket.id))
                if e["type"] in ("lkpp_ticket", "closed") and e["data"].get("lkpp_ticket") == ticket.lkpp_ticket
            ),
            None,
        )
        raise QueueError(
            "lkpp_ticket_conflict",
            {"lkpp_ticket": "stale"},
            label=ticket.label,
            number=ticket.lkpp_ticket,
            typed=typed.strip(),
            by=self._by_whom(tx, setter),
        )

    def _check_not_closed(self, tx: Tx, ticket: Ticket) -> None:
        """Refuse (409 case_closed) an LKPP number or an answer for a case a colleague closed meanwhile, saying
        who closed it, when, and with which LKPP number (the generic invalid_transition said only its status)."""
        if ticket.status != core.CLOSED:
            return
        from server.i18n import t

        closing = next((e for e in reversed(tx.events_of_ticket(ticket.id)) if e["type"] == "closed"), None)
        number = ticket.lkpp_ticket
        key = "error.case_closed.lkpp" if number else "error.case_closed.no_lkpp"
        lkpp = Localized(*(t(key, lang, number=number) for lang in ("id", "en")))
        by = self._by_whom(tx, closing)
        raise QueueError("case_closed", label=ticket.label, by=by, lkpp=lkpp, number=number or "")

    def _by_whom(self, tx: Tx, event: dict[str, Any] | None) -> Localized:
        """Who made a change and when, from its event, in both languages ("oleh Siti Aminah (siti) pada Sabtu,
        5 Desember 2026 pukul 10.05 WIB"; no event found: "di tempat lain")."""
        from server.hours import when
        from server.i18n import t

        if event is None:
            return Localized(t("admin.meanwhile.unknown", "id"), t("admin.meanwhile.unknown", "en"))
        actor = event["actor"] or "?"
        name = full_name(tx.user(actor))
        who = f"{name} ({actor})" if name and name != actor else actor
        at, tz = datetime.fromisoformat(event["at"]), self.unit.settings.office.tz
        return Localized(*(t("admin.meanwhile.by", lang, actor=who, when=when(at, tz, lang)) for lang in ("id", "en")))

    # -- time-driven ---------------------------------------------------------------------
    def expire_old(self) -> int:
        """End of day: tickets of earlier days still waiting or called expire. Returns how many. The maintenance
        loop's look, once a second: the office's day's turn (`_new_day`) is written by the first command on a new
        day, this one when no other came first (a ticket issued or called at 00:00:00.2 has it in its own
        transaction, before its own events). While the day's turn failed and is owed, its try again after a back-off
        (UnitOfWork._turn, in this transaction or a command's) expires them, not this look: it would fail as the turn
        did, every second, and the loop's other work (recalls, the office's hours) with it."""

        def run(tx: Tx, now: datetime) -> Outcome:
            if self.unit.expiry_owed:
                return Outcome(self.unit.turned)
            return Outcome(self.unit.turned + self._expire(tx, now))

        return self.unit.run(None, run).body

    def _new_day(self, tx: Tx, now: datetime, day: str, before: str | None) -> int:
        """The office's new day, in the transaction of its first command (UnitOfWork._turn): the tickets of earlier
        days still waiting or called expire, then `day_changed`: every open page takes a fresh snapshot, so a TV
        left on overnight drops yesterday's calls and breaks at the office's midnight, and hears of the new day
        before its first number or call. The first transaction after a start only notes the day (a page
        reconnecting to a restarted server gets a snapshot anyway), as does the try again of a turn that failed
        (its `day_changed` was written alone: _day_changed). Returns how many tickets expired."""
        expired = self._expire(tx, now)
        tx.drop_drafts_before(day)  # the drafts of tickets still served when their day ended: purged with it
        if before is not None:
            self._day_changed(tx, now, day, before)
        return expired

    def _day_changed(self, tx: Tx, now: datetime, day: str, before: str) -> None:
        """`day_changed`: the office's day is `day`, after `before`."""
        tx.add_event("day_changed", now, day, None, None, "system", {"day": day, "before": before})

    def _expire(self, tx: Tx, now: datetime) -> int:
        old = tx.stale_tickets(self.unit.day(now))
        for t in old:
            self._change(tx, t, core.expire(t, now), "expired", now, t.counter_id, "system")
        return len(old)

    def auto_recall(self) -> int:
        """Recall, then skip, called tickets whose timer ran out (auto_recall_seconds > 0); no recall at a
        counter on a break (its ticket is recalled once the break is over)."""
        unit = self.unit
        if unit.rules.auto_recall_seconds <= 0:
            return 0

        def run(tx: Tx, now: datetime) -> Outcome:
            done = 0
            for t in tx.tickets_with_status((core.CALLED,)):
                due = core.auto_recall_due(t, unit.rules, now)
                counter = unit.settings.counter(t.counter_id) if t.counter_id else None
                if due == "recall" and not self._paused(tx, t.counter_id, now):  # no call during a break
                    self._change(tx, t, core.recall(t, unit.rules, now), "recalled", now, t.counter_id, "auto")
                    done += 1
                elif due == "skip" and counter is not None:
                    self._skip_ticket(tx, now, counter, t, "auto")
                    done += 1
            return Outcome(done)

        return unit.run(None, run).body

    # -- counter actions -------------------------------------------------------------
    def counter_action(
        self, counter_id: int, action: str, payload: dict[str, Any], officer: str, request_key: str | None = None
    ) -> Outcome:
        """Run one officer action on a counter: call-next, call (a given ticket), recall, skip, start, resolve,
        escalate, transfer, pause, resume. Who holds the counter is said by `counter_claimed` (accounts),
        never by these events: an admin acts at any counter without holding it."""
        counter = self.unit.counter(counter_id)
        handler = {
            "call-next": self._call_next,
            "call": self._call,
            "pause": self._pause,
            "resume": self._resume,
            "recall": self._recall,
            "skip": self._skip,
            "start": self._start,
            "resolve": self._resolve,
            "escalate": self._escalate,
            "transfer": self._transfer,
        }.get(action)
        if handler is None:
            raise NotFound("not_found")
        payload = clean_texts(payload, OFFICER_TEXTS)
        if action == "call" and isinstance(payload.get("ticket"), str) and text_problem(payload["ticket"]):
            raise FormIncomplete({"ticket": text_problem(payload["ticket"])})
        pressed_for = payload.get("ticket_id") if action in HELD_ACTIONS else None
        if action in HELD_ACTIONS and "ticket_id" in payload:
            if not isinstance(pressed_for, int) or isinstance(pressed_for, bool) or not 1 <= pressed_for < 2**63:
                raise FormIncomplete({"ticket_id": "invalid"})
        held_then = action in CALLS and "holding" in payload
        holding = payload.get("holding") if held_then else None
        if holding is not None and (
            not isinstance(holding, int) or isinstance(holding, bool) or not 1 <= holding < 2**63
        ):
            raise FormIncomplete({"holding": "invalid"})

        def run(tx: Tx, now: datetime) -> Outcome:
            # after the request_id's first answer is looked up (Unit._command): a repeat still answers it
            if pressed_for is not None:
                self._check_pressed_for(tx, counter.id, pressed_for)
            if held_then:
                self._check_holding(tx, counter.id, holding)
            return handler(tx, now, counter, payload, officer)

        result = self.unit.run(request_key, run, seq=True)
        if action == "escalate":
            self.jobs.wake_mail()
        return result

    def draft(self, counter_id: int) -> dict[str, Any] | None:
        """The draft kept for the ticket being served at a counter (GET /api/counters/<id>/draft), None when none:
        {ticket_id, label, solution, note, category, priority_class, officer, updated_at}. The caller checked that
        the user may act at the counter (check_counter)."""
        self.unit.counter(counter_id)
        with self.unit.store.read() as tx:
            current = tx.counter_ticket(counter_id)
            if current is None or current.status != core.SERVING:
                return None
            row = tx.draft(current.id)
        if row is None or row["counter_id"] != counter_id or not any(row[k] for k in DRAFT_FIELDS):
            return None
        fields = {k: row[k] for k in DRAFT_FIELDS}
        return {
            "ticket_id": current.id,
            "label": current.label,
            **fields,
            "officer": row["officer"],
            "updated_at": row["updated_at"],
            "version": row["version"],
        }

    def draft_version(self, counter_id: int) -> int:
        """The version of the draft kept for the ticket served at a counter (0: none saved for it); an emptied one
        keeps its version (GET /api/counters/<id>/draft's `version`)."""
        with self.unit.store.read() as tx:
            current = tx.counter_ticket(counter_id)
            row = tx.draft(current.id) if current is not None and current.status == core.SERVING else None
        return row["version"] if row is not None and row["counter_id"] == counter_id else 0

    def save_draft(self, counter_id: int, payload: dict[str, Any], officer: str) -> dict[str, Any]:
        """Keep what the officer typed for the ticket being served at a counter (POST /api/counters/<id>/draft):
        `ticket_id` (the ticket the page shows: a save that comes after the ticket left is refused, 409
        draft_not_served) and the finish's fields, checked as the finish checks them (solution and note: 4000
        characters, cleaned; the kind and the class: known or empty). All of them empty: the draft is emptied.
        `version`: the version of the server's draft the page's text is based on (0: none); another (a save from
        another PC or tab came between) is refused, 409 draft_stale, and the page shows both texts. Without it
        (a page from before m033) the save is kept as it comes."""
        counter = self.unit.counter(counter_id)
        ticket_id = payload.get("ticket_id")
        if not isinstance(ticket_id, int) or isinstance(ticket_id, bool):
            # a number, not text: "not_text" told a client sending "12" that its text had to be text (helper-321)
            raise FormIncomplete({"ticket_id": "required" if ticket_id is None else "invalid"})
        based_on = payload.get("version")
        if based_on is not None and (not isinstance(based_on, int) or isinstance(based_on, bool) or based_on < 0):
            raise FormIncomplete({"version": "invalid"})
        payload = clean_texts(payload, {"solution": True, "note": True})
        bad = core._outcome_fields(payload.get("category"), payload.get("priority_class"), self.unit.classes())
        dropped = []
        if "priority_class" in bad and isinstance(payload.get("priority_class"), str):
            # A class the admin took out of the priority table while the officer's form was open (the page still
            # offers it): the whole save was refused, and the answer typed after it was no longer kept on the server.
            # The rest is kept, without the class (the finish says it is unknown; the answer says it was dropped).
            del bad["priority_class"]
            payload = {**payload, "priority_class": ""}
            dropped.append("priority_class")
        texts = {}
        for key in DRAFT_FIELDS:
            value = payload.get(key)
            if value is not None and not isinstance(value, str):
                bad[key] = "not_text"
            texts[key] = value or ""
        if bad:
            raise FormIncomplete(bad)

        def run(tx: Tx, now: datetime) -> Outcome:
            current = tx.counter_ticket(counter.id)
            if current is None or current.id != ticket_id or current.status != core.SERVING:
                raise QueueError("draft_not_served")
            if based_on is not None:
                row = tx.draft(current.id)
                if based_on != (row["version"] if row is not None and row["counter_id"] == counter.id else 0):
                    raise QueueError("draft_stale")
            version = tx.save_draft(current.id, counter.id, current.day, officer, texts, now)
            body = {"ok": True, "ticket_id": current.id, "saved_at": iso(now), "version": version}
            return Outcome({**body, "dropped": dropped} if dropped else body)

        return self.unit.run(None, run).body

    def _check_pressed_for(self, tx: Tx, counter_id: int, ticket_id: int) -> None:
        """Refuse (409 ticket_changed, nothing changed) an action pressed for ticket `ticket_id` when the counter
        holds another one now, or none: a press sent again, or slow on the network, while another tab, the front
        office or an admin finished that visitor and called the next one would act on the next one.
        The words name the ticket pressed for and what the counter holds now."""
        current = tx.counter_ticket(counter_id)
        if current is not None and current.id == ticket_id:
            return
        pressed = tx.ticket(ticket_id)
        was = pressed.label if pressed is not None else f"#{ticket_id}"
        if current is None:
            now = both("error.ticket_changed.none")
        else:
            now = both(f"error.ticket_changed.{current.status}", label=current.label)
        raise Changed("ticket_changed", was=was, now=now)

    def _check_holding(self, tx: Tx, counter_id: int, holding: int | None) -> None:
        """Refuse (409 counter_changed, nothing changed) a call (call-next, call) pressed while the counter held ticket
        `holding` (None: none) when it holds another now, or one though it held none: another tab of the officer or an
        admin called meanwhile. A call slow on the network, or sent again with its request_id when the page saw a
        visitor called at the counter (counter.js settleSeen), was refused only while that visitor had calls left:
        one that had all its calls (`max_calls` 1) was skipped, and another visitor called, by a press that was not
        meant for it. The words say what the counter holds now."""
        current = tx.counter_ticket(counter_id)
        if (current.id if current is not None else None) == holding:
            return
        if current is None:
            now = both("error.ticket_changed.none")
        else:
            now = both(f"error.ticket_changed.{current.status}", label=current.label)
        raise Changed("counter_changed", now=now)

    def _current(self, tx: Tx, counter_id: int) -> Ticket:
        t = tx.counter_ticket(counter_id)
        if t is None:
            raise QueueError("no_ticket")
        return t

    def _change(
        self,
        tx: Tx,
        old: Ticket,
        new: Ticket,
        type_: str,
        now: datetime,
        counter_id: int | None,
        actor: str,
        data: dict[str, Any] | None = None,
    ) -> Ticket:
        tx.save_ticket(new, old)
        tx.add_event(
            type_,
            now,
            self.unit.day(now),
            new.id,
            counter_id,
            actor,
            {"from": old.status, "to": new.status, "calls": new.calls, **(data or {})},
        )
        if new.status != old.status:  # its slip that gave up is no longer asked for once it left the line
            self.jobs.ticket_moved(tx, new, now)
        return new

    def _placed(self, tx: Tx, day: str, place: Callable[[], Any]) -> tuple[Any, bool]:
        """`place()` (a queue place from the core), and whether the day's positions had to be renumbered
        first: when no float was left between two neighbours (core.between), the day is renumbered in
        its order and `place()` asked again (the counter pages take a fresh snapshot on `renumbered`)."""
        found = place()
        if found is not None:
            return found, False
        tx.renumber_positions(day)
        return place(), True

    def _skip_ticket(self, tx: Tx, now: datetime, counter, current: Ticket, officer: str) -> Ticket:
        day = current.day

        def place() -> tuple[bool, float] | None:
            nxt = core.next_for(tx.queue_heads(day, counter.services), counter.services)
            return core.requeue_place(current, nxt, tx.position_after(day, nxt.position) if nxt else None)

        position, renumbered = self._placed(tx, day, place)
        if renumbered:
            current = tx.ticket(current.id)
        new = core.skip(current, self.unit.rules, position, now)
        type_ = "skipped" if new.status == core.WAITING else "no_show"
        data: dict[str, Any] = {"requeues": new.requeues, **({"renumbered": True} if renumbered else {})}
        return self._change(tx, current, new, type_, now, counter.id, officer, data)

    def _paused(self, tx: Tx, counter_id: int, now: datetime) -> bool:
        """Whether the counter is on a break now (a pause of an earlier day is over)."""
        at = tx.counter_paused_at(counter_id)
        return at is not None and self.unit.day(at) == self.unit.day(now)

    def _check_not_paused(self, tx: Tx, counter, now: datetime) -> None:
        """Refuse a call (call-next, call, recall) during a break: the TV shows the counter as ISTIRAHAT."""
        if self._paused(tx, counter.id, now):
            raise QueueError("counter_paused")

    def _ready_to_call(self, tx: Tx, now: datetime, counter) -> Ticket | None:
        """Refuse a call while paused or holding a ticket with calls left; the counter's ticket that had
        all its calls (to skip before the call, SOP step 8), or None."""
        self._check_not_paused(tx, counter, now)
        current = tx.counter_ticket(counter.id)
        core.check_counter_free(current, self.unit.rules)
        return current

    def _call_next(self, tx: Tx, now: datetime, counter, payload, officer: str) -> Outcome:
        settings = self.unit.settings
        current = self._ready_to_call(tx, now, counter)
        skipped = self._skip_ticket(tx, now, counter, current, officer) if current else None
        # picked among the heads' calling-order keys, then read whole: one row made a Ticket, not six
        head = core.next_for(tx.queue_head_keys(self.unit.day(now), counter.services), counter.services)
        nxt = tx.ticket(head.id) if head else None
        if nxt is None:
            body = {"ticket": None, "skipped": public_ticket(settings, skipped) if skipped else None}
            return Outcome(body, Kind.DONE if skipped else Kind.NOTHING)
        called = self._change(tx, nxt, core.call(nxt, counter.id, now), "called", now, counter.id, officer)
        body = {"ticket": full_ticket(settings, called, tx.form(called.id))}
        if skipped:
            body["skipped"] = public_ticket(settings, skipped)
        return Outcome(body)

    def _call(self, tx: Tx, now: datetime, counter, payload, officer: str) -> Outcome:
        """Call one waiting ticket out of turn (a visitor who was away, one who came back): its first call,
        at this counter, recorded with the officer (the `called` event's data.out_of_turn)."""
        settings = self.unit.settings
        ref = payload.get("ticket")
        if not isinstance(ref, str) or not ref.strip():
            raise FormIncomplete({"ticket": "required"})
        current = self._ready_to_call(tx, now, counter)
        ticket = self.unit.find_ticket(tx, ref.strip(), now)
        core.check_callable(ticket, counter.services, self.unit.day(now), self._held_at(ticket))
        skipped = None
        if current is not None:
            skipped = self._skip_ticket(tx, now, counter, current, officer)
            ticket = tx.ticket(ticket.id)  # a renumbered day may have moved its position
        data = {"out_of_turn": True}
        called = self._change(tx, ticket, core.call(ticket, counter.id, now), "called", now, counter.id, officer, data)
        body = {"ticket": full_ticket(settings, called, tx.form(called.id))}
        if skipped:
            body["skipped"] = public_ticket(settings, skipped)
        return Outcome(body)

    def _held_at(self, ticket: Ticket) -> Any:
        """Where a ticket another counter called or serves is, as a refusal to call it says it ("— sudah
        dipanggil di Loket 2"), in both languages; "" for any other ticket."""
        if ticket.status not in core.ACTIVE or ticket.counter_id is None:
            return ""
        return both(f"error.held_at.{ticket.status}", counter=self.unit.counter_name(ticket.counter_id))

    def _counter_view(self, tx: Tx, counter_id: int, now: datetime) -> dict[str, Any]:
        at = tx.counter_paused_at(counter_id) if self._paused(tx, counter_id, now) else None
        return {"id": counter_id, "paused": at is not None, "paused_at": iso(at)}

    def _counter_event(self, tx: Tx, type_: str, now: datetime, counter, officer: str, payload: Any) -> None:
        """A break's start or end, at the counter (no ticket)."""
        data = {"counter_id": counter.id}
        tx.add_event(type_, now, self.unit.day(now), None, counter.id, officer, data)

    def _pause(self, tx: Tx, now: datetime, counter, payload, officer: str) -> Outcome:
        """A break: call-next, call and recall are refused until resume (the ticket the counter holds can
        still be served and finished, or skipped once it had all its calls: none of that calls anyone).
        Pausing a paused counter changes nothing."""
        view = self._counter_view(tx, counter.id, now)
        if not view["paused"]:
            tx.set_counter_paused(counter.id, now)
            self._counter_event(tx, "counter_paused", now, counter, officer, payload)
            view = self._counter_view(tx, counter.id, now)
        return Outcome({"counter": view})

    def _resume(self, tx: Tx, now: datetime, counter, payload, officer: str) -> Outcome:
        """The break is over. Resuming a counter that is not paused changes nothing."""
        if self._counter_view(tx, counter.id, now)["paused"]:
            self._counter_event(tx, "counter_resumed", now, counter, officer, payload)
        if tx.counter_paused_at(counter.id) is not None:
            tx.set_counter_paused(counter.id, None)
        return Outcome({"counter": self._counter_view(tx, counter.id, now)})

    def _recall(self, tx: Tx, now: datetime, counter, payload, officer: str) -> Outcome:
        current = self._current(tx, counter.id)
        self._check_not_paused(tx, counter, now)  # a recall is a call: chime, voice and the TV's flash
        new = core.recall(current, self.unit.rules, now)
        new = self._change(tx, current, new, "recalled", now, counter.id, officer)
        return self._ticket_answer(tx, new)

    def _skip(self, tx: Tx, now: datetime, counter, payload, officer: str) -> Outcome:
        current = self._current(tx, counter.id)
        new = self._skip_ticket(tx, now, counter, current, officer)
        return self._ticket_answer(tx, new)

    def _start(self, tx: Tx, now: datetime, counter, payload, officer: str) -> Outcome:
        current = self._current(tx, counter.id)
        new = core.start(current, officer, now)
        new = self._change(tx, current, new, "started", now, counter.id, officer)
        tx.sign_ticket(new.id)  # who signs its form, as named now (m027): a visitor transferred on keeps it
        return self._ticket_answer(tx, new)

    def _resolve(self, tx: Tx, now: datetime, counter, payload, officer: str) -> Outcome:
        current = self._current(tx, counter.id)
        new = core.resolve(
            current,
            payload.get("solution"),
            officer,
            now,
            payload.get("category"),
            payload.get("priority_class"),
            self.unit.classes(),
        )
        new = self._change(tx, current, new, "resolved", now, counter.id, officer)
        tx.sign_ticket(new.id)  # its form signed by the officer as named when the outcome was recorded (m027)
        return self._ticket_answer(tx, new)

    def _escalate(self, tx: Tx, now: datetime, counter, payload, officer: str) -> Outcome:
        settings = self.unit.settings
        current = self._current(tx, counter.id)
        new = core.escalate(
            current,
            payload.get("note"),
            officer,
            now,
            payload.get("category"),
            payload.get("priority_class"),
            self.unit.classes(),
        )
        new = self._change(tx, current, new, "escalated", now, counter.id, officer)
        tx.sign_ticket(new.id)  # its form signed by the officer as named when the outcome was recorded (m027)
        escalation: dict[str, Any] = {"ticket_label": new.label, "note": new.escalation_note, "mail": None}
        if settings.escalation.enabled:
            from server.escalation import signer, subject_for

            subject = subject_for(settings, new.label, now)
            # signed with the officer's full name and NIP as they are now, kept with the queued mail
            mail_id = tx.add_mail(new.id, "escalation", subject, now, signer(tx.user(officer), officer))
            escalation["mail"] = {"id": mail_id, "status": "queued", "subject": subject, "to": settings.escalation.to}
        return self._ticket_answer(tx, new, escalation=escalation)

    def _transfer(self, tx: Tx, now: datetime, counter, payload, officer: str) -> Outcome:
        current = self._current(tx, counter.id)
        to = payload.get("service")
        settings = self.unit.settings
        if not isinstance(to, str) or settings.service(to) is None:
            raise FormIncomplete({"service": "unknown_service"})
        if not settings.served(to):
            raise QueueError("service_not_served", service=settings.service(to).name)
        day = current.day

        def place() -> float | None:
            transferred = tx.transferred_ahead(day, to, bool(current.priority))
            if transferred is not None:
                return core.transfer_position(None, None, None, transferred, tx.position_after(day, transferred))
            head = min((t.position for t in tx.queue_heads(day, [to])), default=None)
            if head is None:
                return core.transfer_position(None, None, tx.first_position(day))
            return core.transfer_position(head, tx.position_before(day, head), None)

        position, renumbered = self._placed(tx, day, place)
        if renumbered:
            current = tx.ticket(current.id)
        moved = core.transfer(current, to, position, now, payload.get("note"))
        data: dict[str, Any] = {"service_from": current.service, "service_to": to}
        if moved.transfer_note:
            data["note"] = moved.transfer_note  # staff only (realtime.public_message sends no data)
        if renumbered:
            data["renumbered"] = True
        new = self._change(tx, current, moved, "transferred", now, counter.id, officer, data)
        return self._ticket_answer(tx, new)
