"""Commands: parse nothing, decide through the core, commit through the store, then publish.

Every command runs in one write transaction (BEGIN IMMEDIATE) that also stores its events
and its request_id answer; only after the commit are the events handed to `publish`.
"""

from __future__ import annotations

import math
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from server import core
from server.config import ServerSettings, Settings
from server.core import FormIncomplete, NotFound, QueueError, Rules, Ticket
from server.forms import clean_texts, parse_id, text_problem, validate_visitor_form
from server.store import REQUESTS_KEPT, Store, Tx

Clock = Callable[[], datetime]
# What officers type into a record, cleaned as the visitor's form is (server/forms.py clean_text):
# field -> may it hold line breaks. Every command that stores one of them cleans its payload first.
OFFICER_TEXTS = {"solution": True, "note": True, "escalation_note": True, "answer": True, "lkpp_ticket": False}
DEFAULT_SERVICE_SECONDS = 15 * 60
TICKET_FIELDS = tuple(f.name for f in fields(Ticket))
# Event types that can change how many wait per service (the others leave the counts as they were).
WAITING_CHANGES = frozenset(
    {"issued", "called", "skipped", "cancelled", "transferred", "expired", "settings_changed", "counter_released"}
)  # estimate before any ticket of a service has been served


# Event types that can change how many numbers a service with a daily quota has left today.
QUOTA_CHANGES = frozenset({"issued", "cancelled", "settings_changed"})
# A print job's status as the visitor's ticket status tells it (Tx.ticket_print_status).
PRINT_STATES = {"queued": "queued", "retrying": "failed", "failed": "failed", "printed": "printed"}
# Stored answers older than REQUESTS_KEPT (server.store) are dropped by the maintenance loop
# (forget_old_requests) in batches of FORGET_BATCH, then their pages are given back to the disk
# FREE_PAGES_STEP at a time: each batch a write transaction of a few milliseconds.
FORGET_BATCH = 200
FREE_PAGES_STEP = 256  # 1 MB of 4 KB pages


def _existing(folder: Path) -> Path:
    """The folder, or its nearest ancestor that exists (a data folder not made yet is on that disk)."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def disk_view(server: ServerSettings) -> dict[str, Any]:
    """The free space of the disk, among the database's and the data folder's, with the least of it (os.statvfs:
    what this user may still write), and whether it is below min_free_mb, with the alert the front office and
    admin pages show then (Indonesian and English)."""
    least: tuple[int, Path] | None = None
    seen: set[int] = set()
    for folder in (server.database.parent, server.data_dir):
        folder = _existing(folder)
        device = os.stat(folder).st_dev
        if device in seen:  # one disk: named by the database's folder, not by whichever had a byte less
            continue
        seen.add(device)
        st = os.statvfs(folder)
        free = st.f_bavail * st.f_frsize
        if least is None or free < least[0]:
            least = (free, folder)
    free, folder = least
    free_mb = free // 2**20
    low = free_mb < server.min_free_mb
    message = None
    if low:
        message = {
            "id": f"Ruang disk hampir penuh: tersisa {free_mb} MB di {folder} — hapus arsip lama atau tambah disk",
            "en": f"Disk space is running low: {free_mb} MB left on {folder} — delete old archives or add a disk",
        }
    return {"low": low, "free_mb": free_mb, "min_free_mb": server.min_free_mb, "path": str(folder), "message": message}


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
        # Sends a message that is no change (no seq) to every staff page (set by server.realtime): the disk.
        self.tell_staff: Callable[[str, Any], None] = lambda name, data: None
        self._disk: dict[str, Any] | None = None  # the last look at the free disk space (check_disk)
        self._public_snapshot: tuple[tuple[Any, ...], dict[str, Any]] | None = None
        self._overrides_seen: dict[str, Any] | None = None
        # Which counter each open counter page of an officer shows (set by server.realtime): (user id, counter
        # id, or None when the page named none). A counter whose holder has none open for
        # [queue] counter_release_minutes is freed by the maintenance loop (release_idle_counters).
        self.counters_shown: Callable[[], set[tuple[int, int | None]]] = lambda: set()
        self._seen: dict[int, tuple[int, datetime]] = {}  # counter id -> (its holder, last seen on a page)
        self._started = clock()  # after a restart every holder has the whole time to reconnect
        self._office_cache: tuple[Any, datetime, Any] | None = None  # (hours, computed at, status)
        self._office_open: bool | None = None  # the open state last published (check_office)
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
        """Attach the tickets (public and full) and, when the change moved them, the waiting counts and the
        numbers left of each service with a daily quota."""
        counts = left = None
        if any(ev["type"] in WAITING_CHANGES for ev in events):
            waiting = tx.waiting_counts(self.day())
            counts = {s.code: waiting.get(s.code, 0) for s in self.settings.services}
        quotas = [s for s in self.settings.services if s.daily_quota is not None]
        if quotas and any(ev["type"] in QUOTA_CHANGES for ev in events):
            issued = tx.issued_counts(self.day())
            left = {s.code: max(0, s.daily_quota - issued.get(s.prefix, 0)) for s in quotas}
        for ev in events:
            ev["waiting"] = counts
            if left is not None and ev["type"] in QUOTA_CHANGES:
                ev["left"] = left
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
        self,
        data: Any,
        request_key: str | None = None,
        actor: str = "kiosk",
        printed: bool = True,
        *,
        kiosk: bool = False,
        override_quota: bool = False,
    ) -> tuple[int, Any]:
        """SOP steps 4-5: check the form; if complete, give a number (and queue its print job unless told not).

        `kiosk`: a number taken without a login, refused outside the service hours (409 office_closed);
        the front office registers at any time. A service's daily quota refuses everyone (409
        quota_reached) unless `override_quota` (the front office, explicitly)."""
        form = validate_visitor_form(data, {s.code for s in self.settings.services})

        def run(tx: Tx, now: datetime) -> tuple[int, Any]:
            day = self.day(now)
            service = self.settings.service(form.service)
            if kiosk:
                self._check_open(now)
            if service.daily_quota is not None and not override_quota:
                if tx.issued_counts(day).get(service.prefix, 0) >= service.daily_quota:
                    raise QueueError("quota_reached", service=service.name, quota=service.daily_quota)
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

    # -- service hours -------------------------------------------------------------------
    def office_status(self, now: datetime | None = None):
        """Whether numbers are issued now ([hours]), until when, and the next opening (server.hours),
        worked out again only when it can have changed (or the settings did)."""
        from server import hours

        now = now or self.clock()
        cached = self._office_cache
        if cached is not None and cached[0] is self.settings.hours and cached[1] <= now:
            change = cached[2].changes_at()
            if change is None or now < change:
                return cached[2]
        status = hours.status(self.settings.hours, now, self.settings.office.tz)
        self._office_cache = (self.settings.hours, now, status)
        return status

    def _check_open(self, now: datetime) -> None:
        """Refuse a kiosk's number outside the service hours, naming the next opening."""
        from server.hours import when_en, when_id
        from server.messages import Localized

        status = self.office_status(now)
        if status.open:
            return
        at, tz = status.next_opening, self.settings.office.tz
        if at is None:
            opening = Localized(" Belum ada jadwal buka kembali.", " No opening is scheduled.")
        else:
            opening = Localized(f" Buka kembali {when_id(at, tz)}.", f" It opens again on {when_en(at, tz)}.")
        raise QueueError("office_closed", opening=opening)

    def check_office(self) -> bool:
        """Publish `office_opened` / `office_closed` when the office opened or closed since the last look
        (the maintenance loop, every second), so kiosks switch without a reload. The first look after a
        start only notes the state (screens take it from their snapshot). True when an event went out."""
        status = self.office_status()
        seen, self._office_open = self._office_open, status.open
        if seen is None or seen == status.open:
            return False

        def run(tx: Tx, now: datetime) -> tuple[int, Any]:
            kind = "office_opened" if status.open else "office_closed"
            tx.add_event(kind, now, self.day(now), None, None, "system", status.view())
            return 200, None

        self._run(None, run)
        return True

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

    # -- housekeeping (the maintenance loop) ------------------------------------------------
    def forget_old_requests(self) -> int:
        """Drop the stored answers of request_ids older than REQUESTS_KEPT (~1 KB each, several per visitor:
        most of the database otherwise), then give the database's free pages back to the disk. In short
        write transactions with a yield between them: under gevent this runs on the event loop, and a
        first run after an upgrade may have months of answers to drop. Returns how many were dropped."""
        before = self.clock() - REQUESTS_KEPT
        dropped = 0
        while not self.stopping.is_set():
            with self.store.write() as tx:
                n = tx.forget_requests(before, FORGET_BATCH)
            dropped += n
            if n < FORGET_BATCH:
                break
            time.sleep(0)  # gevent: let requests in between two batches
        while not self.stopping.is_set():
            with self.store.write() as tx:
                left = tx.free_pages(FREE_PAGES_STEP)
            if not left:
                break
            time.sleep(0)
        return dropped

    def check_disk(self) -> dict[str, Any]:
        """Look at the free space of the database's and the data folder's disks (the maintenance loop, every
        30 s); staff pages are told when it is or was below [server] min_free_mb. Nothing is refused for
        it: tickets are issued for as long as SQLite can write."""
        view = disk_view(self.settings.server)
        old, self._disk = self._disk, view
        if view != old and (view["low"] or (old is not None and old["low"])):
            self.tell_staff("disk", view)
        return view

    def disk_status(self) -> dict[str, Any]:
        """The last look at the free disk space (one now if none yet): the staff state's `disk`."""
        return self._disk or self.check_disk()

    # -- printing ------------------------------------------------------------------------
    def wake_printer(self, name: str) -> None:
        """Tell a printer's worker that a job is waiting."""
        worker = self.print_workers.get(name)
        if worker is not None:
            worker.wake.set()

    def print_results(self, results: list[tuple[dict[str, Any], str | None]]) -> None:
        """Record a round of print attempts in one commit; a failure raises an alert event for the front office."""
        from server.printing import failure_advice, result_fields

        def run(tx: Tx, now: datetime) -> tuple[int, Any]:
            for job, error in results:
                fields, event = result_fields(job, error, now)
                tx.update_print_job(job["id"], **fields)
                if event:
                    final = fields["status"] == "failed"
                    data = {
                        "job": job["id"],
                        "printer": job["printer"],
                        "kind": job["kind"],
                        "error": error,
                        "attempts": fields["attempts"],
                        "final": final,
                        # the front office's sentence: the printer, what is wrong, what to do (id, en)
                        "advice": failure_advice(self.settings, job["printer"], error, final),
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
        """Open escalations (waiting for LKPP's answer), oldest first: their age against the priority
        class's target time, the mail's state, and the escalation's text to copy for the TTS."""
        from server.mail import escalation_text
        from server.store import ticket_from_row

        now = self.clock()
        settings = self.settings
        classes = {p.code: p for p in settings.priority_classes}
        with self.store.read() as tx:
            rows = tx.open_escalations()
        out = []
        for r in rows:
            finished = datetime.fromisoformat(r["finished_at"]) if r["finished_at"] else now
            age_s = int((now - finished).total_seconds())
            form = {k: r[k] or "" for k in ("name", "agency", "address", "phone", "problem")}
            code = r["priority_class"] or ""
            known = classes.get(code)
            priority = None
            if code:  # a class since removed from the table keeps its code, without a name or target
                priority = {
                    "code": code,
                    "name": known.name if known else None,
                    "target_minutes": known.target_minutes if known else None,
                }
            target_s = known.target_minutes * 60 if known else None
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
                    "age_s": age_s,
                    "priority_class": priority,
                    "overdue": None if target_s is None else age_s > target_s,
                    "mail": r["mail"],
                    "form": form,
                    "copy_text": escalation_text(settings, ticket_from_row(r), form),
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
        """Recent print jobs with their state, newest first; a failed one with the front office's advice."""
        from server.printing import failure_advice

        with self.store.read() as tx:
            jobs = tx.print_jobs(limit=limit)
        for job in jobs:
            if job["status"] in ("failed", "retrying"):
                job["advice"] = failure_advice(self.settings, job["printer"], job["error"], job["status"] == "failed")
        return jobs

    # -- views -----------------------------------------------------------------------
    def estimated_wait(self, tx: Tx, ticket: Ticket, ahead: int) -> int:
        """Seconds until this ticket is likely called: recent service times over the counters serving it."""
        return self.service_wait(tx, ticket.service, ahead)

    def service_wait(self, tx: Tx, service: str, ahead: int) -> int:
        """Seconds until a ticket of `service` with `ahead` tickets before it is likely called."""
        if not ahead:
            return 0
        times = tx.recent_service_seconds(service)
        per_ticket = sum(times) / len(times) if times else DEFAULT_SERVICE_SECONDS
        counters = max(1, sum(1 for c in self.settings.counters if service in c.services))
        return int(math.ceil(ahead / counters) * per_ticket)

    def ticket_status_view(self, tx: Tx, ticket: Ticket, now: datetime | None = None) -> dict[str, Any]:
        """The visitor's own view: label, status, position, estimated wait, counter."""
        view = self.public_ticket(ticket)
        service = self.settings.service(ticket.service)
        view["service_name"] = service.name if service else ticket.service
        view["created_at"] = _iso(ticket.created_at)
        # How its paper ticket went: "queued" (not yet printed), "printed", "failed" (an attempt failed: no
        # paper now, a retry may still print it), or None (no kiosk print: no printer, the front office).
        printed = tx.ticket_print_status(ticket.id)
        view["print"] = PRINT_STATES.get(printed) if printed else None
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
            now = self.clock()
            day = self.day(now)
            seq = tx.last_seq()
            office = self.office_status(now).view()
            # the office's hours change the state without a seq: the open state and its times are in the key
            key = (seq, day, id(self.settings), tuple(office.values()))
            cached = self._public_snapshot
            if not staff and cached is not None and cached[0] == key:
                return cached[1]
            waiting = tx.waiting_counts(day)
            issued = tx.issued_counts(day)
            claims = tx.counter_claims()
            counters = []
            for c in self.settings.counters:
                t = tx.counter_ticket(c.id)
                entry = {
                    "id": c.id,
                    "name": c.name,
                    "services": list(c.services),
                    "ticket": self.public_ticket(t) if t else None,
                    "paused": self._paused(claims.get(c.id), day),
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
            services = []
            for s in self.settings.services:
                quota = s.daily_quota
                services.append(
                    {
                        "code": s.code,
                        "name": s.name,
                        "waiting": waiting.get(s.code, 0),
                        "quota": quota,
                        "left": None if quota is None else max(0, quota - issued.get(s.prefix, 0)),
                        # a new (not priority) ticket of the service waits behind every one waiting now
                        "estimated_wait_s": self.service_wait(tx, s.code, waiting.get(s.code, 0)),
                    }
                )
            snap: dict[str, Any] = {
                "seq": seq,
                "day": day,
                "office": {"name": self.settings.office.name, **office},
                "services": services,
                "counters": counters,
                "recent": recent,
            }
            if staff:
                released = self._last_releases(tx, day)
                for entry in counters:
                    claim = claims.get(entry["id"]) or {}
                    entry["officer"] = claim.get("officer_name")
                    entry["released"] = released.get(entry["id"])
                    t = tx.counter_ticket(entry["id"])
                    entry["ticket_full"] = self.full_ticket(t, tx.form(t.id)) if t else None
                active = tx.tickets_with_status((core.WAITING, core.CALLED, core.SERVING), day)
                active.sort(key=core.order_key)
                snap["tickets"] = [self.full_ticket(t, tx.form(t.id)) for t in active]
                snap["disk"] = self.disk_status()
            else:
                self._public_snapshot = (key, snap)
            return snap

    def today_tickets(self) -> list[dict[str, Any]]:
        """Every ticket of the office's local today, in calling order, with its form."""
        with self.store.read() as tx:
            tickets = tx.tickets_of_day(self.day())
            tickets.sort(key=core.order_key)
            return [self.full_ticket(t, tx.form(t.id)) for t in tickets]

    def _paused(self, claim: dict[str, Any] | None, day: str) -> bool:
        """Whether a counter's row says paused today (a pause ends with the office's day)."""
        at = claim.get("paused_at") if claim else None
        return bool(at) and self.day(datetime.fromisoformat(at)) == day

    # -- counter actions -------------------------------------------------------------
    def _counter(self, counter_id: int):
        counter = self.settings.counter(counter_id)
        if counter is None:
            raise NotFound("counter_not_found")
        return counter

    def counter_action(
        self, counter_id: int, action: str, payload: dict[str, Any], officer: str, request_key: str | None = None
    ) -> tuple[int, Any]:
        """Run one officer action on a counter: call-next, call (a given ticket), recall, skip, start, resolve,
        escalate, transfer, pause, resume."""
        counter = self._counter(counter_id)
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

    def _check_not_paused(self, tx: Tx, counter, now: datetime) -> None:
        at = tx.counter_paused_at(counter.id)
        if at is not None and self.day(at) == self.day(now):
            raise QueueError("counter_paused")

    def _ready_to_call(self, tx: Tx, now: datetime, counter) -> Ticket | None:
        """Refuse a call while paused or holding a ticket with calls left; the counter's ticket that had
        all its calls (to skip before the call, SOP step 8), or None."""
        self._check_not_paused(tx, counter, now)
        current = tx.counter_ticket(counter.id)
        core.check_counter_free(current, self.rules)
        return current

    def _call_next(self, tx: Tx, now: datetime, counter, payload, officer: str) -> tuple[int, Any]:
        current = self._ready_to_call(tx, now, counter)
        skipped = self._skip_ticket(tx, now, counter, current, officer) if current else None
        nxt = core.next_for(tx.queue_heads(self.day(now), counter.services), counter.services)
        if nxt is None:
            body = {"ticket": None, "skipped": self.public_ticket(skipped) if skipped else None}
            return (200 if skipped else 204), body
        called = self._change(tx, nxt, core.call(nxt, counter.id, now), "called", now, counter.id, officer)
        body = {"ticket": self.full_ticket(called, tx.form(called.id))}
        if skipped:
            body["skipped"] = self.public_ticket(skipped)
        return 200, body

    def _call(self, tx: Tx, now: datetime, counter, payload, officer: str) -> tuple[int, Any]:
        """Call one waiting ticket out of turn (a visitor who was away, one who came back): its first call,
        at this counter, recorded with the officer (the `called` event's data.out_of_turn)."""
        ref = payload.get("ticket")
        if not isinstance(ref, str) or not ref.strip():
            raise FormIncomplete({"ticket": "required"})
        current = self._ready_to_call(tx, now, counter)
        ticket = self._find(tx, ref.strip(), now)
        core.check_callable(ticket, counter.services, self.day(now))
        skipped = None
        if current is not None:
            skipped = self._skip_ticket(tx, now, counter, current, officer)
            ticket = tx.ticket(ticket.id)  # a renumbered day may have moved its position
        data = {"out_of_turn": True}
        called = self._change(tx, ticket, core.call(ticket, counter.id, now), "called", now, counter.id, officer, data)
        body = {"ticket": self.full_ticket(called, tx.form(called.id))}
        if skipped:
            body["skipped"] = self.public_ticket(skipped)
        return 200, body

    def _counter_view(self, tx: Tx, counter_id: int, now: datetime) -> dict[str, Any]:
        at = tx.counter_paused_at(counter_id)
        paused = at is not None and self.day(at) == self.day(now)
        return {"id": counter_id, "paused": paused, "paused_at": _iso(at) if paused else None}

    def _pause(self, tx: Tx, now: datetime, counter, payload, officer: str) -> tuple[int, Any]:
        """A break: call-next and call are refused until resume (the ticket the counter holds can still be
        finished). Pausing a paused counter changes nothing."""
        view = self._counter_view(tx, counter.id, now)
        if not view["paused"]:
            tx.set_counter_paused(counter.id, now)
            tx.add_event("counter_paused", now, self.day(now), None, counter.id, officer, {"counter_id": counter.id})
            view = self._counter_view(tx, counter.id, now)
        return 200, {"counter": view}

    def _resume(self, tx: Tx, now: datetime, counter, payload, officer: str) -> tuple[int, Any]:
        """The break is over. Resuming a counter that is not paused changes nothing."""
        if self._counter_view(tx, counter.id, now)["paused"]:
            tx.add_event("counter_resumed", now, self.day(now), None, counter.id, officer, {"counter_id": counter.id})
        if tx.counter_paused_at(counter.id) is not None:
            tx.set_counter_paused(counter.id, None)
        return 200, {"counter": self._counter_view(tx, counter.id, now)}

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
        """Free a counter: its holder, or an admin or the front office whoever holds it. Freed by someone
        else than its holder, the counter's called ticket goes back to the line at its place
        (core.return_to_line); a `counter_released` event tells the holder's page."""
        from server.auth import AuthError

        self._counter(counter_id)

        def run(tx: Tx, now: datetime) -> tuple[int, Any]:
            claim = tx.counter_claim(counter_id) or {}
            holder = claim.get("officer_id")
            if holder not in (None, user["id"]) and user["role"] not in ("admin", "frontoffice"):
                raise AuthError("counter_taken", 409, officer=claim["officer_name"])
            self._release(tx, now, counter_id, claim, user["username"], forced=holder != user["id"])
            return 200, None

        self._run(None, run)

    def _release(self, tx: Tx, now: datetime, counter_id: int, claim: dict[str, Any], by: str, forced: bool) -> None:
        """Free a counter (`claim`: its row) and log `counter_released` {counter_id, officer, by, returned}
        when it had a holder or gave a ticket back. `forced` (not its holder: an admin, the front office,
        "auto"): a called ticket at the counter waits again at its place; a ticket being served stays
        (its visitor is at the counter: whoever takes the counter next finishes it)."""
        returned = None
        if forced:
            current = tx.counter_ticket(counter_id)
            if current is not None and current.status == core.CALLED:
                returned = core.return_to_line(current)
                tx.save_ticket(returned, current)
        officer = claim.get("officer_name")
        if claim.get("officer_id") is not None:
            tx.claim_counter(counter_id, None, None, None)
        elif returned is None:
            return
        data: dict[str, Any] = {"counter_id": counter_id, "officer": officer, "by": by, "returned": None}
        if by == "auto":  # the time without a counter page after which it was freed, for the pages to say
            data["minutes"] = self.settings.queue.counter_release_minutes
        if returned is not None:
            data.update({"returned": returned.label, "from": core.CALLED, "to": returned.status, "calls": 0})
        ticket_id = returned.id if returned is not None else None
        tx.add_event("counter_released", now, self.day(now), ticket_id, counter_id, by, data)
        self._seen.pop(counter_id, None)

    @staticmethod
    def _last_releases(tx: Tx, day: str) -> dict[int, dict[str, Any]]:
        """Each counter's last `counter_released` of the day {seq, at, by, officer, returned, minutes}: a
        counter page opened again (or back from a disconnection) says why its counter is no longer its
        officer's, and by whom, when the event itself was missed."""
        import json

        rows = tx.rows(
            "SELECT seq, at, counter_id, data FROM events WHERE type = 'counter_released' AND day = ?"
            " ORDER BY seq DESC LIMIT 500",
            [day],
        )
        last: dict[int, dict[str, Any]] = {}
        for r in rows:
            if r["counter_id"] in last:
                continue
            data = json.loads(r["data"] or "{}")
            last[r["counter_id"]] = {
                "seq": r["seq"],
                "at": r["at"],
                "by": data.get("by"),
                "officer": data.get("officer"),
                "returned": data.get("returned"),
                "minutes": data.get("minutes"),
            }
        return last

    def held_counters(self, user_id: int) -> list[int]:
        """The counters an officer holds (GET /api/me: a page opened again takes its counter back)."""
        with self.store.read() as tx:
            claims = tx.counter_claims()
        return sorted(cid for cid, c in claims.items() if c["officer_id"] == user_id and self.settings.counter(cid))

    @staticmethod
    def _present(holder: int, counter_id: int, shown: set[tuple[int, int | None]], claims: dict[int, Any]) -> bool:
        """Whether the holder has a counter page open on the counter: one that shows it, or names no counter,
        or shows a counter they do not hold (it switched counters since it connected: it shows theirs)."""
        for uid, cid in shown:
            if uid == holder and (cid in (counter_id, None) or (claims.get(cid) or {}).get("officer_id") != holder):
                return True
        return False

    def release_idle_counters(self) -> int:
        """Free each counter whose holder has had no counter page open on it (counters_shown) for
        [queue] counter_release_minutes, by="auto" (the maintenance loop, every second). Returns how many."""
        now = self.clock()
        shown = self.counters_shown()
        with self.store.read() as tx:
            claims = tx.counter_claims()
        limit = self.settings.queue.counter_release_minutes * 60
        idle = []
        for cid, claim in claims.items():
            holder = claim["officer_id"]
            if holder is None or self.settings.counter(cid) is None:
                self._seen.pop(cid, None)
                continue
            if self._present(holder, cid, shown, claims):
                self._seen[cid] = (holder, now)
                continue
            seen = self._seen.get(cid)
            since = [self._started]
            if seen is not None and seen[0] == holder:
                since.append(seen[1])
            if claim["claimed_at"]:
                since.append(datetime.fromisoformat(claim["claimed_at"]))
            if (now - max(since)).total_seconds() >= limit:
                idle.append((cid, holder))
        if not idle:
            return 0

        def run(tx: Tx, now: datetime) -> tuple[int, Any]:
            done = 0
            for cid, holder in idle:
                claim = tx.counter_claim(cid) or {}
                if claim.get("officer_id") == holder:  # nobody took it meanwhile
                    self._release(tx, now, cid, claim, "auto", forced=True)
                    done += 1
            return 200, done

        return self._run(None, run)[1]

    def end_sessions(self, user_id: int) -> None:
        """End every session of an account (logout) and disconnect its staff sockets now."""
        with self.lock, self.store.write() as tx:
            tx.end_sessions(user_id)
        self.check_sessions()

    def release_counters(self, user: dict[str, Any]) -> None:
        """Free every counter this officer holds (at logout), each with a `counter_released` event. Their
        tickets stay as they are: the next officer at the counter goes on with them."""

        def run(tx: Tx, now: datetime) -> tuple[int, Any]:
            for cid, claim in tx.counter_claims().items():
                if claim["officer_id"] == user["id"]:
                    self._release(tx, now, cid, claim, user["username"], forced=False)
            return 200, None

        self._run(None, run)

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
