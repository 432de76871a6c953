"""Commands: parse nothing, decide through the core, commit through the store, then publish.

Every command runs in one write transaction (BEGIN IMMEDIATE) that also stores its events
and its request_id answer; only after the commit are the events handed to `publish`.
"""

from __future__ import annotations

import math
import secrets
import threading
from collections.abc import Callable
from dataclasses import asdict, fields
from datetime import UTC, datetime
from typing import Any

from server import core
from server.config import Settings
from server.core import FormIncomplete, NotFound, QueueError, Rules, Ticket
from server.forms import clean_texts, parse_id, validate_visitor_form
from server.store import Store, Tx

Clock = Callable[[], datetime]
# What officers type into a record, cleaned as the visitor's form is (server/forms.py clean_text):
# field -> may it hold line breaks. Every command that stores one of them cleans its payload first.
OFFICER_TEXTS = {"solution": True, "note": True, "escalation_note": True, "answer": True, "lkpp_ticket": False}
DEFAULT_SERVICE_SECONDS = 15 * 60
TICKET_FIELDS = tuple(f.name for f in fields(Ticket))
# Event types that can change how many wait per service (the others leave the counts as they were).
WAITING_CHANGES = frozenset(
    {"issued", "called", "skipped", "cancelled", "transferred", "expired", "settings_changed"}
)  # estimate before any ticket of a service has been served


def utcnow() -> datetime:
    """The real clock (aware, UTC)."""
    return datetime.now(UTC)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


class QueueService:
    """The office's queue: issues tickets, runs counter actions, and answers views."""

    def __init__(self, settings: Settings, store: Store, clock: Clock = utcnow):
        self.settings = settings
        self.store = store
        self.clock = clock
        self.rules = Rules(
            max_calls=settings.queue.max_calls,
            max_requeues=settings.queue.max_requeues,
            auto_recall_seconds=settings.queue.auto_recall_seconds,
        )
        self.publish: Callable[[list[dict[str, Any]]], None] = lambda events: None
        self.announcer: Callable[[Ticket, int], dict[str, Any] | None] = lambda ticket, counter_id: None
        self.print_workers: dict[str, Any] = {}
        self.stopping = threading.Event()
        self.mail_worker: Any = None
        self.closers: list[Callable[[], None]] = []  # run by stop(): child processes, files
        self.on_settings: list[Callable[[Settings], None]] = []  # told when an admin changes settings
        # Disconnects staff sockets whose session ended (set by server.realtime): called after a logout
        # or an account change here, and once a second by the maintenance loop for the command line's.
        self.check_sessions: Callable[[], None] = lambda: None
        self._public_snapshot: tuple[tuple[Any, ...], dict[str, Any]] | None = None
        self._overrides_seen: dict[str, Any] | None = None
        # Serialises commit-then-publish inside this process so that events leave in seq order.
        self.lock = threading.Lock()
        with store.write() as tx:
            tx.sync_counters([asdict(c) for c in settings.counters])

    # -- helpers -------------------------------------------------------------------
    def day(self, now: datetime | None = None) -> str:
        """Today's local date at the office."""
        return core.local_day(now or self.clock(), self.settings.office.tz)

    def counter_name(self, counter_id: int | None) -> str:
        """A counter's name from config ("" for none)."""
        c = self.settings.counter(counter_id) if counter_id is not None else None
        return c.name if c else ""

    def _run(self, request_key: str | None, fn: Callable[[Tx, datetime], tuple[int, Any]]) -> tuple[int, Any]:
        """Run one command in a write transaction; repeat answers for a known request key."""
        with self.lock:
            now = self.clock()
            with self.store.write() as tx:
                known = tx.request_answer(request_key)
                if known is not None:
                    return known
                status, body = fn(tx, now)
                if tx.events:
                    self._decorate(tx, tx.events)
                tx.remember_answer(request_key, status, body, now)
                events = list(tx.events)
            if events:
                self.publish(events)
            return status, body

    def _decorate(self, tx: Tx, events: list[dict[str, Any]]) -> None:
        """Attach the tickets (public and full) and, when the change moved them, the waiting counts."""
        counts = None
        if any(ev["type"] in WAITING_CHANGES for ev in events):
            waiting = tx.waiting_counts(self.day())
            counts = {s.code: waiting.get(s.code, 0) for s in self.settings.services}
        for ev in events:
            ev["waiting"] = counts
            if ev["ticket_id"] is not None:
                ticket = tx.ticket(ev["ticket_id"])
                if ticket is not None:
                    ev["ticket"] = self.public_ticket(ticket)
                    ev["ticket_full"] = self.full_ticket(ticket, tx.form(ticket.id))
                    if ev["type"] in ("called", "recalled"):
                        ev["announce"] = self.announcer(ticket, ev["counter_id"])

    def public_ticket(self, t: Ticket) -> dict[str, Any]:
        """What displays and phones may see of a ticket: no name, phone, address or problem."""
        return {
            "label": t.label,
            "service": t.service,
            "status": t.status,
            "calls": t.calls,
            "counter_id": t.counter_id,
            "counter_name": self.counter_name(t.counter_id),
            "priority": t.priority,
            "day": t.day,
        }

    def full_ticket(self, t: Ticket, form: dict[str, str]) -> dict[str, Any]:
        """Everything about a ticket, for officers."""
        data = {k: getattr(t, k) for k in TICKET_FIELDS}  # flat fields: no deep copy as asdict() makes
        for k, v in data.items():
            if isinstance(v, datetime):
                data[k] = _iso(v)
        data["counter_name"] = self.counter_name(t.counter_id)
        data["form"] = dict(form)
        return data

    # -- issuing -------------------------------------------------------------------
    def issue(
        self, data: Any, request_key: str | None = None, actor: str = "kiosk", printed: bool = True
    ) -> tuple[int, Any]:
        """SOP steps 4-5: check the form; if complete, give a number (and queue its print job unless told not)."""
        form = validate_visitor_form(data, {s.code for s in self.settings.services})

        def run(tx: Tx, now: datetime) -> tuple[int, Any]:
            day = self.day(now)
            service = self.settings.service(form.service)
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
            printer = self.settings.kiosk.printer if printed else ""
            job_id = tx.add_print_job(ticket.id, printer, "ticket", now) if printer else None
            view = self.ticket_status_view(tx, ticket, now)
            view["token"] = ticket.token
            view["print_job"] = job_id
            view["status_url"] = f"{self.settings.office.public_url}/t/{ticket.token}"
            return 201, {"ticket": view}

        result = self._run(request_key, run)
        self.wake_printer(self.settings.kiosk.printer)
        return result

    def apply_settings(self, settings: Settings) -> None:
        """Swap in changed settings (admin), for this service and whoever subscribed."""
        self.settings = settings
        self.rules = Rules(
            max_calls=settings.queue.max_calls,
            max_requeues=settings.queue.max_requeues,
            auto_recall_seconds=settings.queue.auto_recall_seconds,
        )
        for listener in self.on_settings:
            listener(settings)

    def reload_settings_if_changed(self) -> bool:
        """Apply settings another process (the command line) changed; True when something changed.

        Its `settings_changed` row is broadcast too, so clients re-read the state at once.
        """
        from server.admin import effective_settings

        with self.store.read() as tx:
            overrides = tx.settings_overrides()
            last = tx.one("SELECT * FROM events WHERE type = 'settings_changed' ORDER BY seq DESC LIMIT 1")
        seen, self._overrides_seen = self._overrides_seen, overrides
        if seen is None or overrides == seen:  # the first look, or nothing new
            return False
        new = effective_settings(self.settings, overrides)
        if new == self.settings:
            return False
        self.apply_settings(new)
        if last is not None:
            import json

            last["data"] = json.loads(last["data"] or "{}")
            last["waiting"] = None
            with self.lock:
                self.publish([last])
        return True

    def stop(self) -> None:
        """Ask the background workers to finish (tests, shutdown)."""
        self.stopping.set()
        for worker in [*self.print_workers.values(), self.mail_worker]:
            if worker is not None:
                worker.wake.set()
        for close in self.closers:
            close()

    # -- printing ------------------------------------------------------------------------
    def wake_printer(self, name: str) -> None:
        """Tell a printer's worker that a job is waiting."""
        worker = self.print_workers.get(name)
        if worker is not None:
            worker.wake.set()

    def print_results(self, results: list[tuple[dict[str, Any], str | None]]) -> None:
        """Record a round of print attempts in one commit; a failure raises an alert event for the front office."""
        from server.printing import result_fields

        def run(tx: Tx, now: datetime) -> tuple[int, Any]:
            for job, error in results:
                fields, event = result_fields(job, error, now)
                tx.update_print_job(job["id"], **fields)
                if event:
                    data = {
                        "job": job["id"],
                        "printer": job["printer"],
                        "kind": job["kind"],
                        "error": error,
                        "attempts": fields["attempts"],
                        "final": fields["status"] == "failed",
                    }
                    tx.add_event(event, now, self.day(now), job["ticket_id"], None, "printer", data)
            return 200, None

        self._run(None, run)

    def reprint(self, ref: str, actor: str, request_key: str | None = None) -> tuple[int, Any]:
        """Front office: print a ticket again (after a paper jam, or when the first print failed)."""
        printer = self.settings.kiosk.printer
        if not printer:
            raise QueueError("no_printer")

        def run(tx: Tx, now: datetime) -> tuple[int, Any]:
            ticket = self._find(tx, ref, now)
            job = tx.add_print_job(ticket.id, printer, "reprint", now)
            tx.add_event("reprint", now, self.day(now), ticket.id, None, actor, {"job": job})
            return 202, {"print_job": job, "ticket": self.public_ticket(ticket)}

        result = self._run(request_key, run)
        self.wake_printer(printer)
        return result

    def print_form_copy(
        self, ref: str, counter_id: int | None, actor: str, request_key: str | None = None
    ) -> tuple[int, Any]:
        """SOP step 12: the visitor's copy of the completed form, on the counter's printer."""
        counter = self._counter(counter_id) if counter_id is not None else None
        printer = counter.printer if counter else ""
        if not printer:
            raise QueueError("no_printer")

        def run(tx: Tx, now: datetime) -> tuple[int, Any]:
            ticket = self._find(tx, ref, now, any_day=True)
            if ticket.status not in (core.RESOLVED, core.ESCALATED, core.CLOSED):
                raise core.InvalidTransition(action="print", status=ticket.status, label=ticket.label)
            job = tx.add_print_job(ticket.id, printer, "form", now)
            tx.add_event("form_print", now, self.day(now), ticket.id, counter_id, actor, {"job": job})
            return 202, {"print_job": job}

        result = self._run(request_key, run)
        self.wake_printer(printer)
        return result

    def mail_result(self, mail: dict[str, Any], error: str | None, final: bool = False) -> None:
        """Record one sending attempt of an escalation mail; failures are visible to officers.
        `final`: a failure that trying again cannot mend (failed at once, not retried)."""
        from server.mail import result_fields

        def run(tx: Tx, now: datetime) -> tuple[int, Any]:
            fields, event = result_fields(mail, error, now, final)
            tx.update_mail(mail["id"], **fields)
            if event:
                tx.add_event(
                    event,
                    now,
                    self.day(now),
                    mail["ticket_id"],
                    None,
                    "mail",
                    {"mail": mail["id"], "status": fields["status"], "attempts": fields["attempts"], "error": error},
                )
            return 200, None

        self._run(None, run)

    def escalations(self) -> list[dict[str, Any]]:
        """Open escalations (waiting for LKPP's answer), oldest first, with their age and mail state."""
        now = self.clock()
        with self.store.read() as tx:
            rows = tx.open_escalations()
        out = []
        for r in rows:
            finished = datetime.fromisoformat(r["finished_at"]) if r["finished_at"] else now
            out.append(
                {
                    "label": r["label"],
                    "day": r["day"],
                    "id": r["id"],
                    "service": r["service"],
                    "officer": r["officer"],
                    "note": r["escalation_note"],
                    "lkpp_ticket": r["lkpp_ticket"] or "",
                    "escalated_at": r["finished_at"],
                    "age_s": int((now - finished).total_seconds()),
                    "mail": r["mail"],
                    "form": {k: r[k] for k in ("name", "agency", "address", "phone", "problem")},
                }
            )
        return out

    def correct(self, ref: str, payload: dict[str, Any], actor: str, request_key: str | None = None) -> tuple[int, Any]:
        """Correct a finished record: a new version; the old values, who and when go to the event log."""

        payload = clean_texts(payload, OFFICER_TEXTS)

        def run(tx: Tx, now: datetime) -> tuple[int, Any]:
            ticket = self._find(tx, ref, now, any_day=True)
            new, diff = core.correct(ticket, payload, self._classes())
            tx.save_ticket(new, ticket)
            tx.add_event("corrected", now, self.day(now), new.id, None, actor, {"changes": diff})
            return 200, {"ticket": self.full_ticket(new, tx.form(new.id)), "changes": diff}

        return self._run(request_key, run)

    def history(self, ref: str) -> list[dict[str, Any]]:
        """Every event of one ticket, oldest first: its versions, who and when."""
        with self.store.read() as tx:
            ticket = self._find(tx, ref, self.clock(), any_day=True)
            return tx.events_of_ticket(ticket.id)

    def record_lkpp_ticket(
        self, ref: str, payload: dict[str, Any], actor: str, request_key: str | None = None
    ) -> tuple[int, Any]:
        """Note the LKPP helpdesk's ticket number (TTS / LPSE Support) on an open escalation."""
        payload = clean_texts(payload, OFFICER_TEXTS)

        def run(tx: Tx, now: datetime) -> tuple[int, Any]:
            ticket = self._find(tx, ref, now, any_day=True)
            new = core.record_lkpp_ticket(ticket, payload.get("lkpp_ticket"))
            new = self._change(tx, ticket, new, "lkpp_ticket", now, None, actor, {"lkpp_ticket": new.lkpp_ticket})
            return 200, {"ticket": self.full_ticket(new, tx.form(new.id))}

        return self._run(request_key, run)

    def print_jobs(self, limit: int = 50) -> list[dict[str, Any]]:
        """Recent print jobs with their state, newest first."""
        with self.store.read() as tx:
            return tx.print_jobs(limit=limit)

    # -- views -----------------------------------------------------------------------
    def estimated_wait(self, tx: Tx, ticket: Ticket, ahead: int) -> int:
        """Seconds until this ticket is likely called: recent service times over the counters serving it."""
        times = tx.recent_service_seconds(ticket.service)
        per_ticket = sum(times) / len(times) if times else DEFAULT_SERVICE_SECONDS
        counters = max(1, sum(1 for c in self.settings.counters if ticket.service in c.services))
        return int(math.ceil(ahead / counters) * per_ticket) if ahead else 0

    def ticket_status_view(self, tx: Tx, ticket: Ticket, now: datetime | None = None) -> dict[str, Any]:
        """The visitor's own view: label, status, position, estimated wait, counter."""
        view = self.public_ticket(ticket)
        service = self.settings.service(ticket.service)
        view["service_name"] = service.name if service else ticket.service
        view["created_at"] = _iso(ticket.created_at)
        if ticket.status == core.WAITING:
            ahead = tx.ahead_count(ticket)
            view["position"] = ahead + 1
            view["ahead"] = ahead
            view["estimated_wait_s"] = self.estimated_wait(tx, ticket, ahead)
        else:
            view["position"] = 0
            view["ahead"] = 0
            view["estimated_wait_s"] = 0
        return view

    def ticket_status(self, token: str) -> dict[str, Any]:
        """Public status of one ticket by its token (the phone page)."""
        with self.store.read() as tx:
            ticket = tx.ticket_by_token(token) if isinstance(token, str) and len(token) <= 64 else None
            if ticket is None:
                raise NotFound("ticket_not_found")
            view = self.ticket_status_view(tx, ticket)
            view["seq"] = tx.last_seq()
            return view

    def snapshot(self, staff: bool = False) -> dict[str, Any]:
        """The state every client renders from, with the seq it is current to. The public one is made
        once per change (seq, day, settings) and shared: however often screens ask, it costs one
        query. Callers must not change what they get."""
        with self.store.read() as tx:
            day = self.day()
            seq = tx.last_seq()
            key = (seq, day, id(self.settings))
            cached = self._public_snapshot
            if not staff and cached is not None and cached[0] == key:
                return cached[1]
            waiting = tx.waiting_counts(day)
            counters = []
            for c in self.settings.counters:
                t = tx.counter_ticket(c.id)
                entry = {
                    "id": c.id,
                    "name": c.name,
                    "services": list(c.services),
                    "ticket": self.public_ticket(t) if t else None,
                }
                counters.append(entry)
            names = {c.id: c.name for c in self.settings.counters}
            recent = [
                {
                    "seq": r["seq"],
                    "at": r["at"],
                    "label": r["label"],
                    "service": r["service"],
                    "counter_id": r["counter_id"],
                    "counter_name": names.get(r["counter_id"], ""),
                    "calls": r["calls"],
                }
                for r in tx.recent_calls(day)
            ]
            snap: dict[str, Any] = {
                "seq": seq,
                "day": day,
                "office": {"name": self.settings.office.name},
                "services": [
                    {"code": s.code, "name": s.name, "waiting": waiting.get(s.code, 0)} for s in self.settings.services
                ],
                "counters": counters,
                "recent": recent,
            }
            if staff:
                claims = tx.counter_claims()
                for entry in counters:
                    claim = claims.get(entry["id"]) or {}
                    entry["officer"] = claim.get("officer_name")
                    t = tx.counter_ticket(entry["id"])
                    entry["ticket_full"] = self.full_ticket(t, tx.form(t.id)) if t else None
                active = tx.tickets_with_status((core.WAITING, core.CALLED, core.SERVING), day)
                active.sort(key=core.order_key)
                snap["tickets"] = [self.full_ticket(t, tx.form(t.id)) for t in active]
            else:
                self._public_snapshot = (key, snap)
            return snap

    def today_tickets(self) -> list[dict[str, Any]]:
        """Every ticket of the office's local today, in calling order, with its form."""
        with self.store.read() as tx:
            tickets = tx.tickets_of_day(self.day())
            tickets.sort(key=core.order_key)
            return [self.full_ticket(t, tx.form(t.id)) for t in tickets]

    # -- counter actions -------------------------------------------------------------
    def _counter(self, counter_id: int):
        counter = self.settings.counter(counter_id)
        if counter is None:
            raise NotFound("counter_not_found")
        return counter

    def counter_action(
        self, counter_id: int, action: str, payload: dict[str, Any], officer: str, request_key: str | None = None
    ) -> tuple[int, Any]:
        """Run one officer action on a counter: call-next, recall, skip, start, resolve, escalate, transfer."""
        counter = self._counter(counter_id)
        handler = {
            "call-next": self._call_next,
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

        def run(tx: Tx, now: datetime) -> tuple[int, Any]:
            return handler(tx, now, counter, payload, officer)

        result = self._run(request_key, run)
        if action == "escalate" and self.mail_worker is not None:
            self.mail_worker.wake.set()
        return result

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
            self.day(now),
            new.id,
            counter_id,
            actor,
            {"from": old.status, "to": new.status, "calls": new.calls, **(data or {})},
        )
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
        new = core.skip(current, self.rules, position, now)
        type_ = "skipped" if new.status == core.WAITING else "no_show"
        data: dict[str, Any] = {"requeues": new.requeues, **({"renumbered": True} if renumbered else {})}
        return self._change(tx, current, new, type_, now, counter.id, officer, data)

    def _call_next(self, tx: Tx, now: datetime, counter, payload, officer: str) -> tuple[int, Any]:
        current = tx.counter_ticket(counter.id)
        core.check_counter_free(current, self.rules)
        skipped = None
        if current is not None:  # all calls made: skip it (SOP step 8), then call the next
            skipped = self._skip_ticket(tx, now, counter, current, officer)
        nxt = core.next_for(tx.queue_heads(self.day(now), counter.services), counter.services)
        if nxt is None:
            body = {"ticket": None, "skipped": self.public_ticket(skipped) if skipped else None}
            return (200 if skipped else 204), body
        called = self._change(tx, nxt, core.call(nxt, counter.id, now), "called", now, counter.id, officer)
        body = {"ticket": self.full_ticket(called, tx.form(called.id))}
        if skipped:
            body["skipped"] = self.public_ticket(skipped)
        return 200, body

    def _recall(self, tx: Tx, now: datetime, counter, payload, officer: str) -> tuple[int, Any]:
        current = self._current(tx, counter.id)
        new = self._change(tx, current, core.recall(current, self.rules, now), "recalled", now, counter.id, officer)
        return 200, {"ticket": self.full_ticket(new, tx.form(new.id))}

    def _skip(self, tx: Tx, now: datetime, counter, payload, officer: str) -> tuple[int, Any]:
        current = self._current(tx, counter.id)
        new = self._skip_ticket(tx, now, counter, current, officer)
        return 200, {"ticket": self.full_ticket(new, tx.form(new.id))}

    def _start(self, tx: Tx, now: datetime, counter, payload, officer: str) -> tuple[int, Any]:
        current = self._current(tx, counter.id)
        new = self._change(tx, current, core.start(current, officer, now), "started", now, counter.id, officer)
        return 200, {"ticket": self.full_ticket(new, tx.form(new.id))}

    def _classes(self) -> list[str]:
        return [p.code for p in self.settings.priority_classes]

    def _resolve(self, tx: Tx, now: datetime, counter, payload, officer: str) -> tuple[int, Any]:
        current = self._current(tx, counter.id)
        new = core.resolve(
            current,
            payload.get("solution"),
            officer,
            now,
            payload.get("category"),
            payload.get("priority_class"),
            self._classes(),
        )
        new = self._change(tx, current, new, "resolved", now, counter.id, officer)
        return 200, {"ticket": self.full_ticket(new, tx.form(new.id))}

    def _escalate(self, tx: Tx, now: datetime, counter, payload, officer: str) -> tuple[int, Any]:
        current = self._current(tx, counter.id)
        new = core.escalate(
            current,
            payload.get("note"),
            officer,
            now,
            payload.get("category"),
            payload.get("priority_class"),
            self._classes(),
        )
        new = self._change(tx, current, new, "escalated", now, counter.id, officer)
        escalation: dict[str, Any] = {"ticket_label": new.label, "note": new.escalation_note, "mail": None}
        if self.settings.escalation.enabled:
            from server.mail import subject_for

            subject = subject_for(self.settings, new.label, now)
            mail_id = tx.add_mail(new.id, "escalation", subject, now)
            escalation["mail"] = {
                "id": mail_id,
                "status": "queued",
                "subject": subject,
                "to": self.settings.escalation.to,
            }
        return 200, {"ticket": self.full_ticket(new, tx.form(new.id)), "escalation": escalation}

    def _transfer(self, tx: Tx, now: datetime, counter, payload, officer: str) -> tuple[int, Any]:
        current = self._current(tx, counter.id)
        to = payload.get("service")
        if not isinstance(to, str) or self.settings.service(to) is None:
            raise FormIncomplete({"service": "unknown_service"})
        day = current.day

        def place() -> float | None:
            head = min((t.position for t in tx.queue_heads(day, [to])), default=None)
            if head is None:
                return core.transfer_position(None, None, tx.first_position(day))
            return core.transfer_position(head, tx.position_before(day, head), None)

        position, renumbered = self._placed(tx, day, place)
        if renumbered:
            current = tx.ticket(current.id)
        data: dict[str, Any] = {"service_from": current.service, "service_to": to}
        if renumbered:
            data["renumbered"] = True
        new = self._change(
            tx, current, core.transfer(current, to, position, now), "transferred", now, counter.id, officer, data
        )
        return 200, {"ticket": self.full_ticket(new, tx.form(new.id))}

    # -- who holds a counter ------------------------------------------------------------
    def claim_counter(self, counter_id: int, user: dict[str, Any]) -> None:
        """An officer takes a counter; refused when bound elsewhere or held by another officer."""
        from server.auth import AuthError

        self._counter(counter_id)
        if user["role"] == "admin":
            return
        if user["counter_id"] and user["counter_id"] != counter_id:
            raise AuthError("counter_bound", 403, counter_id=user["counter_id"])
        with self.store.read() as tx:
            claim = tx.counter_claim(counter_id)
        if claim and claim["officer_id"] == user["id"]:
            return
        with self.lock, self.store.write() as tx:
            claim = tx.counter_claim(counter_id)
            if claim and claim["officer_id"] and claim["officer_id"] != user["id"]:
                raise AuthError("counter_taken", 409, officer=claim["officer_name"])
            tx.claim_counter(counter_id, user["id"], user["username"], self.clock())

    def release_counter(self, counter_id: int, user: dict[str, Any]) -> None:
        """The officer (or an admin) frees a counter."""
        from server.auth import AuthError

        self._counter(counter_id)
        with self.lock, self.store.write() as tx:
            claim = tx.counter_claim(counter_id)
            if claim and claim["officer_id"] not in (None, user["id"]) and user["role"] != "admin":
                raise AuthError("counter_taken", 409, officer=claim["officer_name"])
            tx.claim_counter(counter_id, None, None, None)

    def end_sessions(self, user_id: int) -> None:
        """End every session of an account (logout) and disconnect its staff sockets now."""
        with self.lock, self.store.write() as tx:
            tx.end_sessions(user_id)
        self.check_sessions()

    def release_counters(self, user: dict[str, Any]) -> None:
        """Free every counter this officer holds (at logout)."""
        with self.lock, self.store.write() as tx:
            for cid, claim in tx.counter_claims().items():
                if claim["officer_id"] == user["id"]:
                    tx.claim_counter(cid, None, None, None)

    # -- front office ------------------------------------------------------------------
    def cancel(self, label_or_token: str, actor: str, request_key: str | None = None) -> tuple[int, Any]:
        """Front office cancels a waiting or called ticket of today."""

        def run(tx: Tx, now: datetime) -> tuple[int, Any]:
            ticket = self._find(tx, label_or_token, now)
            new = self._change(tx, ticket, core.cancel(ticket, now), "cancelled", now, ticket.counter_id, actor)
            return 200, {"ticket": self.full_ticket(new, tx.form(new.id))}

        return self._run(request_key, run)

    def close_escalation(
        self, label_or_token: str, payload: dict[str, Any], actor: str, request_key: str | None = None
    ) -> tuple[int, Any]:
        """Record the LKPP helpdesk's answer (and TTS number): the escalated case is closed."""
        payload = clean_texts(payload, OFFICER_TEXTS)

        def run(tx: Tx, now: datetime) -> tuple[int, Any]:
            ticket = self._find(tx, label_or_token, now, any_day=True)
            new = core.close_escalation(ticket, payload.get("answer"), payload.get("lkpp_ticket"), now)
            new = self._change(tx, ticket, new, "closed", now, None, actor)
            return 200, {"ticket": self.full_ticket(new, tx.form(new.id))}

        return self._run(request_key, run)

    def _find(self, tx: Tx, ref: Any, now: datetime, any_day: bool = False) -> Ticket:
        if not isinstance(ref, str) or not ref or len(ref) > 64:
            raise NotFound("ticket_not_found")
        ticket = tx.ticket_by_label(self.day(now), ref.upper()) or tx.ticket_by_token(ref)
        ticket_id = parse_id(ref) if ticket is None and any_day else None
        if ticket_id is not None:
            ticket = tx.ticket(ticket_id)
        if ticket is None:
            raise NotFound("ticket_not_found")
        return ticket

    # -- time-driven ---------------------------------------------------------------------
    def expire_old(self) -> int:
        """End of day: tickets of earlier days still waiting or called expire. Returns how many."""

        def run(tx: Tx, now: datetime) -> tuple[int, Any]:
            today = self.day(now)
            old = tx.stale_tickets(today)
            for t in old:
                self._change(tx, t, core.expire(t, now), "expired", now, t.counter_id, "system")
            return 200, len(old)

        return self._run(None, run)[1]

    def auto_recall(self) -> int:
        """Recall, then skip, called tickets whose timer ran out (auto_recall_seconds > 0)."""
        if self.rules.auto_recall_seconds <= 0:
            return 0

        def run(tx: Tx, now: datetime) -> tuple[int, Any]:
            done = 0
            for t in tx.tickets_with_status((core.CALLED,)):
                due = core.auto_recall_due(t, self.rules, now)
                counter = self.settings.counter(t.counter_id) if t.counter_id else None
                if due == "recall":
                    self._change(tx, t, core.recall(t, self.rules, now), "recalled", now, t.counter_id, "auto")
                    done += 1
                elif due == "skip" and counter is not None:
                    self._skip_ticket(tx, now, counter, t, "auto")
                    done += 1
            return 200, done

        return self._run(None, run)[1]
