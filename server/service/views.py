"""Read views: the snapshot every screen renders from, a visitor's ticket, today's tickets, open
escalations, a ticket's history, and the recap and figures the report pages show."""

from __future__ import annotations

import hashlib
import heapq
import json
import math
from collections import deque
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from server import core
from server.core import Ticket
from server.errors import NotFound
from server.hours import day_over, day_over_at, next_range_end, service_end
from server.hours import when as hours_when
from server.reports import lkpp_answer_text
from server.service.shapes import full_name, full_ticket, iso, next_shape, public_ticket
from server.store import Tx

if TYPE_CHECKING:
    from server.service.unit import UnitOfWork

DEFAULT_SERVICE_SECONDS = 15 * 60  # estimate before any ticket of a service has been served
# The morning (Views.at_posts): until this long after the day's first counter taken (and all along before it), the
# counters officers took on the office's last working day count as at work beside those with an officer now. Officers
# come in one by one: the first one in, five minutes before the others, made every wait four times as long (one
# counter of four), until the others sat down.
MORNING_MINUTES = 30
# The recent service times count with this many tickets of DEFAULT_SERVICE_SECONDS beside them: one
# quick first answer of the day ("± 1 menit" for seven waiting) no longer makes the estimate.
PRIOR_TICKETS = 3
# A print job's status as the visitor's ticket status tells it (Tx.ticket_print_status).
LINE_END = object()  # the playout's last item: (LINE_END, the whole line, 0)
PRINT_STATES = {"queued": "queued", "retrying": "failed", "failed": "failed", "printed": "printed"}
# Ended without being served, its visitor told to come back (the phone's note): the office closed now, the status view
# names when it opens next (`reopens`)
COME_BACK = (core.EXPIRED, core.CANCELLED, core.NO_SHOW)
# A returning visitor's earlier visits on the counter page (Views.earlier_visits): the newest this many, of the
# local days this many days back and after.
EARLIER_VISITS = 5
EARLIER_DAYS = 365
# The limits (sets of counters and services) TVs limited to some (`?counters=2,3`, `?services=B`) have their latest
# calls kept for, per change.
LIMITED_KEPT = 16
# The Eskalasi page's "Baru ditutup": the cases closed in these last days, at most this many (a close made by
# mistake is opened again from there).
CLOSED_SHOWN_DAYS, CLOSED_SHOWN = 7, 30


def printer_names(settings: Any) -> dict[str, dict[str, str]]:
    """How people call each printer inside a sentence ("di printer {name}"), {name: {id, en}}: the kiosk's "kios"
    (its [printers] name, "kiosk", read as English on the Indonesian page), a counter's by its counters' names
    ("Loket 1", not "loket1"), another by its name, as the printer's paper notices name it."""
    from server.i18n import t

    names = {}
    for name in settings.printers:
        counters = ", ".join(c.name for c in settings.counters if c.printer == name)
        if name == settings.kiosk.printer:
            names[name] = {lang: t("printer.name.kiosk", lang) for lang in ("id", "en")}
        else:
            names[name] = {"id": counters or name, "en": counters or name}
    return names


class Views:
    """What the pages, screens and phones read. `office_view` and `disk_status` come from the parts that
    keep them (server.service.office, server.service.upkeep)."""

    def __init__(self, unit: UnitOfWork, office_view, disk_status):
        self.unit = unit
        self._office_view = office_view
        self._disk_status = disk_status
        self._public_snapshot: tuple[tuple[Any, ...], dict[str, Any]] | None = None
        # a TV limited to some counters or services: (those counters, services) -> (the public snapshot's key, its
        # `recent`)
        self._limited_recent: dict[tuple[Any, ...], tuple[tuple[Any, ...], list[dict[str, Any]]]] = {}
        self._page: tuple[Any, dict[str, Any]] | None = None  # (the settings, their staff page config)
        self._steps = OneLineSteps()  # place_in_one_line's last steps, taken up again by the next answer
        self._times: tuple[int, dict[str, float]] | None = None  # service_times: (the seq they hold at, them)
        # at_posts: (today, the counters taken on the office's last day before it), (today, its first counter taken)
        self._last_staffed: tuple[str, frozenset[int]] | None = None
        self._first_taken: tuple[str, datetime] | None = None

    def page_config(self) -> dict[str, Any]:
        """What the staff pages' scripts take from the settings when they are drawn (no secrets): counters,
        services, priority classes, limits; and its `stamp`, a hash of it. The staff snapshot carries the stamp
        of the settings in force: a page drawn with another (an admin's change whose `settings_changed` it
        never got, its socket late or away, or a server restarted with another config.toml) knows it is out
        of date. Made once per settings. Callers must not change what they get."""
        settings = self.unit.settings
        made = self._page
        if made is not None and made[0] is settings:
            return made[1]
        config: dict[str, Any] = {
            "language": settings.office.language,
            "max_calls": settings.queue.max_calls,
            "service_minutes": settings.sla.service_minutes,
            "services": [{"code": s.code, "name": s.name} for s in settings.services],
            # has_printer: the counter's `printer` (its form copies'); without one the page says so, not P
            "counters": [
                {"id": c.id, "name": c.name, "services": list(c.services), "has_printer": bool(c.printer)}
                for c in settings.counters
            ],
            "priority_classes": [
                {"code": p.code, "name": p.name, "description": p.description, "target_minutes": p.target_minutes}
                for p in settings.priority_classes
            ],
            "categories": list(core.CATEGORIES),
            "printer_names": printer_names(settings),
        }
        text = json.dumps(config, sort_keys=True, ensure_ascii=False)
        config["stamp"] = hashlib.sha256(text.encode()).hexdigest()[:16]
        self._page = (settings, config)
        return config

    def public_ticket(self, t: Ticket) -> dict[str, Any]:
        """What displays and phones may see of a ticket: no name, phone, address or problem."""
        return public_ticket(self.unit.settings, t)

    def full_ticket(self, t: Ticket, form: dict[str, str]) -> dict[str, Any]:
        """Everything about a ticket, for officers."""
        return full_ticket(self.unit.settings, t, form)

    # -- the visitor's ticket ------------------------------------------------------------
    def place_in_line(
        self,
        tx: Tx,
        service: str,
        ticket_id: int | None = None,
        paused: set[int] | None = None,
        busy: dict[int, str] | None = None,
        held: set[int] | None = None,
        ticket: Ticket | None = None,
        took: dict[str, float] | None = None,
    ) -> tuple[int, int]:
        """(ahead, seconds): how many visitors are likely called before a waiting ticket of `service`
        (`ticket_id`; None: a number taken now, at the end of the line), and in how long: its own line's
        ahead of it, and another service's called at an earlier moment by a counter that serves both. The counters'
        calls are played out: each counter at work calls the earliest waiting ticket of its own services
        when it is free (now when free, after half its visitor's time when busy with one), each ticket
        taking the recent service time of its own service (beside PRIOR_TICKETS of the default). So a B visitor
        ahead delays an A one only where a counter serves both, a slow service's visitor ahead delays it by that
        service's time, and a counter busy with someone delays the next call. The counters at work: with an officer
        (at_posts: in the morning those staffed on the office's last working day too; all of them when none of those
        serves it), and of them those not paused (all of them when none of those serves it: they come back).
        `paused`, `busy`, `held`: the paused counters' ids, those calling or serving a ticket (with that
        ticket's service) and those counted as staffed (at_posts), when the caller has read them; `ticket`: the ticket of
        `ticket_id`, when the caller has read it in this transaction; `took`: service_times of the services
        concerned, when the caller has them.

        When every counter at work serves every service of the line (one line for all, the usual office),
        the line before the ticket is read as one string of its services, not as rows, and the counters'
        turns are stepped over it (place_in_one_line), from the last answer's steps where the line begins as
        it did (a number taken, then its slip, then the next number: a few steps, not the line again); what
        the playout says (tests/test_playout.py checks the two agree)."""
        day = self.unit.day()
        sharing, serves, free_at, took = self._at_work(tx, service, paused, busy, held, took)
        one_line = bool(serves) and all(set(sharing) <= s for s in serves.values())
        if one_line and ticket is None and ticket_id is not None:
            ticket = tx.ticket(ticket_id)
        if one_line and (ticket_id is None or self._in_line(ticket, ticket_id, service, day)):
            lane = None if ticket_id is None else int(bool(ticket.priority_lane))
            position = None if ticket_id is None else ticket.position
            # each service a character of the string: its code (A), or one of its own for codes of two or three
            short = all(len(code) == 1 for code in sharing)
            marks = sharing if short else tuple(chr(0x100 + i) for i in range(len(sharing)))
            line, unplaced = tx.line_services(day, sharing, None if short else marks, lane, position)
            if not unplaced:  # (a waiting ticket without a position would stand first in its lane)
                by_mark = {mark: took[code] for code, mark in zip(sharing, marks, strict=True)}
                mark = marks[sharing.index(service)]
                return place_in_one_line(line, mark, by_mark, free_at, self._steps)
        at_work = (sharing, serves, free_at, took)
        for tid, ahead, seconds in self._playout(tx, service, ticket_id is None, paused, busy, held, at_work):
            if tid == ticket_id or tid is LINE_END:
                return ahead, seconds
        raise AssertionError("the playout ends with LINE_END")

    def service_times(self, tx: Tx, codes: set[str]) -> dict[str, float]:
        """service_time of every service of the settings and of `codes`: read once, and kept while the events since
        are TIMES_KEPT (a number taken and its slip, calls: not a ticket finished, which changes them; one
        query of the event log's end instead of twenty tickets of each service). Each look moves the seq they are
        kept at to the last event it saw committed, so the next one reads only the events come since (each look read
        every event since they were read: 0.16 ms a look at 1,250 numbers taken with nobody served yet).
        A transaction that added any other event reads them afresh, and keeps nothing (it may be rolled back); one
        that added only TIMES_KEPT events moves the seq to before them (their seqs are taken again if it is)."""
        codes = codes | {s.code for s in self.unit.settings.services}
        pending = tx.events
        if any(e["type"] not in TIMES_KEPT for e in pending):
            return service_times(tx, codes)
        committed = pending[0]["seq"] - 1 if pending else None  # what was committed before this transaction
        kept = self._times
        if kept is not None and codes <= kept[1].keys():
            seen = tx.only_events_since(kept[0], TIMES_KEPT)
            if seen is not None:
                upto = seen if committed is None else committed
                if upto > kept[0]:
                    self._times = (upto, kept[1])  # (one assignment: a greenlet or a thread reads it once)
                return kept[1]
        took = service_times(tx, codes)
        self._times = (tx.last_seq() if committed is None else committed, took)
        return took

    @staticmethod
    def _in_line(ticket: Ticket | None, ticket_id: int, service: str, day: str) -> bool:
        """Whether `ticket` is the waiting ticket `ticket_id` of `service` in today's line (else the playout
        decides: a ticket not in the line is told the whole line)."""
        return (
            ticket is not None
            and ticket.id == ticket_id
            and ticket.status == core.WAITING
            and ticket.service == service
            and ticket.day == day
            and ticket.position is not None
        )

    def _at_work(
        self,
        tx: Tx,
        service: str,
        paused: set[int] | None = None,
        busy: dict[int, str] | None = None,
        held: set[int] | None = None,
        took: dict[str, float] | None = None,
    ) -> tuple[tuple[str, ...], dict[int, set[str]], dict[int, float], dict[str, float]]:
        """What place_in_line plays out for `service`: the services of its line (Settings.sharing), each
        counter at work's services, when each is free (seconds from now: half its visitor's service time when
        busy), and each service's time a ticket (service_times: those of the line, and of the visitors at the
        counters)."""
        settings = self.unit.settings
        if paused is None or held is None:
            day, claims = self.unit.day(), tx.counter_claims()
            paused = {cid for cid, claim in claims.items() if self.paused(claim, day)}
            held = self.at_posts(tx, claims, day)
        if busy is None:
            busy = tx.busy_counters()
        # every counter that may call before it: those serving its service, and those serving a service
        # one of those also serves (they take visitors off the same line)
        sharing = settings.sharing(service)
        serving = [c for c in settings.counters if set(c.services) & set(sharing)]
        # those with an officer first (none serving it: all may), then those of them not on a break (all of them
        # when none of those serves it: they come back). The other way round, at lunch, with every officer on a
        # break, a counter nobody took was the one counter at work, and one not serving the service left it none:
        # every visitor was told "0 ahead, no wait".
        manned = [c for c in serving if c.id in held]
        if not any(service in c.services for c in manned):
            manned = serving
        staffed = [c for c in manned if c.id not in paused]
        if not any(service in c.services for c in staffed):
            staffed = manned
        codes = {*sharing, *(busy[c.id] for c in staffed if c.id in busy)}
        if took is None or not codes <= took.keys():
            took = self.service_times(tx, codes)
        free_at = {c.id: took[busy[c.id]] / 2 if c.id in busy else 0.0 for c in staffed}
        serves = {c.id: set(c.services) for c in staffed}
        return sharing, serves, free_at, took

    def _playout(
        self,
        tx: Tx,
        service: str,
        new: bool,
        paused: set[int] | None = None,
        busy: dict[int, str] | None = None,
        held: set[int] | None = None,
        at_work: tuple[tuple[str, ...], dict[int, set[str]], dict[int, float], dict[str, float]] | None = None,
        took: dict[str, float] | None = None,
    ):
        """(id, ahead, seconds) of each waiting ticket of `service` (and, when `new`, of a number taken now:
        id None, at the end of the line), in the order the counters at work are likely to call them
        (place_in_line's rules); the ones no counter at work calls last, with the whole line ahead and no
        time; then LINE_END with the whole line. `at_work`: _at_work's answer, when the caller has it."""
        sharing, serves, free_at, took = at_work or self._at_work(tx, service, paused, busy, held, took)
        queue = tx.waiting_line(self.unit.day(), sharing)  # (id, service) in calling order
        if new:
            queue.append((None, service))
        yield from play_out(queue, service, serves, free_at, took)

    def places(self, tx: Tx) -> dict[int, tuple[int, int]]:
        """Each waiting ticket of today: (ahead, seconds), as its visitor's phone says them."""
        settings = self.unit.settings
        day, claims = self.unit.day(), tx.counter_claims()
        paused = {cid for cid, claim in claims.items() if self.paused(claim, day)}
        held = self.at_posts(tx, claims, day)
        busy = tx.busy_counters()
        took = self.service_times(tx, set(busy.values()))
        out: dict[int, tuple[int, int]] = {}
        for s in settings.services:
            for tid, ahead, seconds in self._playout(tx, s.code, False, paused, busy, held, took=took):
                if tid is not LINE_END:
                    out[tid] = (ahead, seconds)
        return out

    def ticket_status_view(self, tx: Tx, ticket: Ticket, now: datetime | None = None) -> dict[str, Any]:
        """The visitor's own view: label, status, position, estimated wait, counter."""
        view = self.public_ticket(ticket)
        service = self.unit.settings.service(ticket.service)
        view["service_name"] = service.name if service else ticket.service
        view["created_at"] = iso(ticket.created_at)
        # How its paper ticket went: "queued" (not yet printed), "printed", "failed" (an attempt failed: no
        # paper now, a retry may still print it), or None (no kiosk print: no printer, the front office).
        printed = tx.ticket_print_status(ticket.id)
        view["print"] = PRINT_STATES.get(printed) if printed else None
        # Its latest call (the phone rings once per call, whatever came in between: a skip and the next
        # call commit together), how often it was passed over, and whether one more is a no-show.
        view["called_at"] = iso(ticket.last_called_at)
        view["requeues"] = ticket.queue_requeues  # in its current line: a transfer starts it again
        # `last_chance` (one more skip is a no-show) is the public ticket's: the TV marks it too
        view["withdrawn"] = self._withdrawn(tx, ticket)
        # A number that will not be called again and whose visitor has to come back (expired, cancelled, a no-show):
        # the office closed now, when it opens next; and whether it is of an earlier day (nobody can bring it back
        # then: the phone says to take a new one, not to ask the front office about it)
        view["reopens"] = self._reopens(now) if ticket.status in COME_BACK else None
        view["past_day"] = ticket.day < self.unit.day(now)
        view["no_service"] = None
        view["service_ends_in_s"] = None
        if ticket.status == core.WAITING:
            ahead, wait = self.place_in_line(tx, ticket.service, ticket.id, ticket=ticket)
            view["position"] = ahead + 1
            view["ahead"] = ahead
            view["estimated_wait_s"] = wait
            # Nobody will call it today: the day's service hours are over (or there are none today) and no officer
            # holds a counter. The estimate counts every counter as working when none is (the rule for the morning
            # before the officers sign in), and at 17.00, everyone gone, it told "segera": no minutes then, but why,
            # and when the office opens again (its number ends with the day: server.service.queue expire_old).
            over = self._no_service(tx, now)
            if over is not None:
                view["no_service"] = over
                view["estimated_wait_s"] = None
                view["reopens"] = self._reopens(now)
            else:
                # The end of the day's service hours sends no event (office_closed is the kiosk's stop, which
                # last_ticket_minutes puts before it): the phone of a visitor whose officers left before it said
                # "segera" all evening. It is told when the hours end, and reads its ticket once then.
                view["service_ends_in_s"] = self._ends_in(now)
        else:
            view["position"] = 0
            view["ahead"] = 0
            view["estimated_wait_s"] = 0
        return view

    def _no_service(self, tx: Tx, now: datetime | None) -> str | None:
        """Whether nobody will call a waiting ticket today: server.hours.day_over's "ended" (today's service hours
        are over) or "closed" (none today: a holiday, a closed weekday) while no counter is held by an officer (one
        on a break comes back: counted as at work); None otherwise, and always without [hours]."""
        settings = self.unit.settings
        over = day_over(settings.hours, now or self.unit.clock(), settings.office.tz)
        if over is None or any(claim.get("officer_id") is not None for claim in tx.counter_claims().values()):
            return None
        return over

    def _ends_in(self, now: datetime | None) -> int | None:
        """Seconds from `now` until the day's service hours end (server.hours.day_over_at: `no_service` may begin
        then), rounded up; None once they have ended, on a day without them, or without [hours]."""
        settings, now = self.unit.settings, now or self.unit.clock()
        return _seconds_until(day_over_at(settings.hours, now, settings.office.tz), now)

    def _reopens(self, now: datetime | None) -> dict[str, Any] | None:
        """An expired, cancelled or no-show ticket's phone names when the office opens next ([hours] set and the
        office closed now): {at, id, en}, the opening and its words as the kiosk's refusal says them
        (server.hours.when). None when it is open now, or has no [hours], or no opening within the look-ahead."""
        at = self._office_view(now or self.unit.clock()).get("next_opening")
        if not at:
            return None
        opening, tz = datetime.fromisoformat(at), self.unit.settings.office.tz
        return {"at": at, "id": hours_when(opening, tz, "id"), "en": hours_when(opening, tz, "en")}

    def _withdrawn(self, tx: Tx, ticket: Ticket) -> dict[str, Any] | None:
        """A waiting ticket whose latest call was withdrawn: its counter was freed while calling it (no counter page
        open for [queue] counter_release_minutes, the front office or an admin freeing it, its officer's session
        ending) and it waits again at its place (core.return_to_line). {counter_id, counter_name, at, reason}: the
        counter that called it, when, and `reason` "idle" (freed by the server), "freed" (by the front office or an
        admin) or "signed_out" (its officer's sign-out or session's end); nothing of who. None otherwise, and once it
        is called again."""
        if ticket.status != core.WAITING or ticket.last_called_at is None:
            return None
        last = tx.last_ticket_event(ticket.id, ("called", "recalled", "counter_released"))
        if last is None or last["type"] != "counter_released" or not last["data"].get("returned"):
            return None
        data = last["data"]
        by = data.get("by")
        reason = "idle" if by == "auto" else "freed" if data.get("role") in ("admin", "frontoffice") else "signed_out"
        cid = last["counter_id"]
        counter = self.unit.settings.counter(cid) if cid is not None else None
        return {"counter_id": cid, "counter_name": counter.name if counter else "", "at": last["at"], "reason": reason}

    def ticket_status(self, token: str) -> dict[str, Any]:
        """Public status of one ticket by its token (the phone page)."""
        with self.unit.store.read() as tx:
            ticket = tx.ticket_by_token(token) if isinstance(token, str) and len(token) <= 64 else None
            if ticket is None:
                raise NotFound("ticket_not_found")
            view = self.ticket_status_view(tx, ticket)
            view["seq"] = tx.last_seq()
            return view

    # -- the state screens render from ---------------------------------------------------
    def snapshot(
        self,
        staff: bool = False,
        for_counters: tuple[int, ...] | None = None,
        for_services: tuple[str, ...] | None = None,
    ) -> dict[str, Any]:
        """The state every client renders from, with the seq it is current to. The public one is made
        once per change (seq, day, settings) and shared: however often screens ask, it costs one
        query. Callers must not change what they get. `for_counters`, `for_services` (a TV limited to some
        counters or services, `?counters=2,3`, `?services=B`): its `recent` holds the last tickets it shows
        called, not the office's (one bounded query, made once per change for each such limit)."""
        unit = self.unit
        settings = unit.settings
        with unit.store.read() as tx:
            now = unit.clock()
            day = unit.day(now)
            seq = tx.last_seq()
            office = self._office_view(now)
            # the office's hours change the state without a seq: the open state and its times are in the key; and
            # so does the end of the morning (at_posts: the estimates count the counters with an officer only)
            key = (seq, day, id(settings), tuple(office.values()), self._morning_over(day, now))
            cached = self._public_snapshot
            if not staff and cached is not None and cached[0] == key:
                return self._limited(tx, day, key, cached[1], for_counters, for_services)
            waiting = tx.waiting_counts(day, [s.code for s in settings.services])
            issued = tx.issued_counts(day)
            claims = tx.counter_claims()
            counters = []
            at_counters = {}  # counter id -> its ticket (for the announcement of its call, below)
            for c in settings.counters:
                t = tx.counter_ticket(c.id)
                at_counters[c.id] = t
                entry = {
                    "id": c.id,
                    "name": c.name,
                    "services": list(c.services),
                    "ticket": self.public_ticket(t) if t else None,
                    "paused": self.paused(claims.get(c.id), day),
                }
                counters.append(entry)
            paused = {entry["id"] for entry in counters if entry["paused"]}
            busy = {cid: t.service for cid, t in at_counters.items() if t is not None}
            held = self.at_posts(tx, claims, day, now)
            recent = self._recent(tx, day, at_counters, None)
            took = self.service_times(tx, set(busy.values()))
            services = []
            for s in settings.services:
                quota = s.daily_quota
                services.append(
                    {
                        "code": s.code,
                        "name": s.name,
                        "prefix": s.prefix,  # its numbers' letters: an open survey tablet notices a change
                        "waiting": waiting.get(s.code, 0),
                        "quota": quota,
                        "left": None if quota is None else max(0, quota - issued.get(s.prefix, 0)),
                        # the numbers given today that the quota counts (not the cancelled): a quota the admin sets
                        # below it is said "reached (3 of 2)" on the admin page
                        "issued": issued.get(s.prefix, 0),
                        # some counter serves it (else no number is given: nobody would call it)
                        "served": settings.served(s.code),
                        # a new (not priority) ticket of the service waits behind every one waiting now
                        # that its counters may call first
                        "estimated_wait_s": self.place_in_line(tx, s.code, None, paused, busy, held, took=took)[1],
                    }
                )
            snap: dict[str, Any] = {
                "seq": seq,
                "day": day,
                # the address and the language too: an admin's change reaches an open TV (its words, its header)
                "office": {
                    "name": settings.office.name,
                    "address": settings.office.address,
                    "language": settings.office.language,
                    **office,
                },
                "max_calls": settings.queue.max_calls,  # a ticket's calls, the recalls included: its last call
                # the office's announcement while it is shown (null: none, or its day over): the TVs' running text
                "announcement": settings.announcement.shown(day),
                "services": services,
                "counters": counters,
                "recent": recent,
            }
            if staff:
                page = self.page_config()
                snap["page"] = page["stamp"]  # the settings the staff pages are drawn with
                # the priority table now: a counter page busy with a visitor (it reloads only after the ticket) offers
                # the admin's classes at once, not a removed one that Selesai then refuses as unknown
                snap["priority_classes"] = page["priority_classes"]
                released = self.last_releases(tx, day)
                for entry in counters:
                    claim = claims.get(entry["id"]) or {}
                    entry["officer"] = claim.get("officer_name")
                    entry["released"] = released.get(entry["id"])
                    t = tx.counter_ticket(entry["id"])
                    entry["ticket_full"] = self.full_ticket(t, tx.form(t.id)) if t else None
                active = tx.tickets_with_status((core.WAITING, core.CALLED, core.SERVING), day)
                active.sort(key=core.order_key)
                # which ticket each counter's call-next would take now (the counter page marks it in its line)
                nexts = unit.next_calls(active)  # its waiting ones: core.next_for
                for entry in counters:
                    entry["next"] = next_shape(nexts.get(entry["id"]))
                # A visitor still being served when the day ended (the officer never pressed Selesai) stays
                # at the counter, which can take no one else: listed first, so that it can be finished
                held = [e["ticket_full"] for e in counters if e["ticket_full"] and e["ticket_full"]["day"] != day]
                snap["tickets"] = held + [self.full_ticket(t, tx.form(t.id)) for t in active]
                snap["disk"] = self._disk_status()
                snap["restored"] = self.restored_today(tx, day)  # the front office's alert: numbers given out again
                snap["printers"] = unit.hooks.paper_notices()  # a printer whose paper is nearly out: its warning
            else:
                self._public_snapshot = (key, snap)
                self._limited_recent = {}
                return self._limited(tx, day, key, snap, for_counters, for_services)
            return snap

    @staticmethod
    def restored_today(tx: Tx, day: str) -> dict[str, Any] | None:
        """A `restore` of today (the newest `restored` event, if its day is `day`): {at, made, labels}, said on the
        front office's page until closed or the day ends. The kiosk gives out again the numbers after `labels` (the
        copy's last of each prefix), or from 1 when it held none of today; visitors hold slips with those numbers.
        None before any restore, or after one of an earlier day (its day started fresh)."""
        row = tx.last_event_of_day("restored", day)  # every staff snapshot: the day's index, no scan of the history
        if row is None:
            return None
        data = json.loads(row["data"] or "{}")
        return {"at": row["at"], "made": data.get("made"), "labels": data.get("labels") or []}

    def _recent(
        self,
        tx: Tx,
        day: str,
        at_counters: dict[int, Any],
        counters: tuple[int, ...] | None,
        services: tuple[str, ...] | None = None,
    ) -> list:
        """The snapshot's `recent`: the newest call of each of the day's last ten tickets called (at `counters`,
        of `services` only, when given). `at_counters`: each counter's ticket (of those counters at least)."""
        unit = self.unit
        names = {c.id: c.name for c in unit.settings.counters}
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
            for r in tx.recent_calls(day, counters=counters, services=services)
        ]
        # A call whose ticket is still called at its counter brings its spoken announcement (as its event's
        # `announce`, nothing made or played again): a TV whose connection died without a word lost the event
        # and learnt of the call from this snapshot, and chimed without saying it.
        for r in recent:
            t = at_counters.get(r["counter_id"])
            if t is not None and t.status == "called" and t.label == r["label"] and t.calls == r["calls"]:
                said, _ = unit.hooks.announcer(t, r["counter_id"])  # its `start` not run
                if said:
                    r["announce"] = said
        return recent

    def _limited(
        self,
        tx: Tx,
        day: str,
        key: tuple,
        snap: dict[str, Any],
        counters: tuple[int, ...] | None,
        services: tuple[str, ...] | None = None,
    ) -> dict:
        """The public snapshot `snap` for a TV limited to `counters` or `services` (neither: `snap` itself): its
        `recent` the last tickets called that it shows. Made once per change for each limit asked for (a few TVs).
        Services are the office's (others are dropped; none left: not limited by service); a TV limited to some
        shows their calls at the counters that serve one of them (display.js counterShown), and so does this."""
        settings = self.unit.settings
        services = tuple(code for code in services or () if settings.service(code)) or None
        if not counters and not services:
            return snap
        named = set(counters or ())
        # the office's counters only: a client may name 100 that are not (each a query, a cache key)
        counters = tuple(c.id for c in settings.counters if c.id in named) if named else None
        if services:
            counters = tuple(
                c.id
                for c in settings.counters
                if (not named or c.id in named) and any(code in services for code in c.services)
            )
        limit = (counters, services)
        kept = self._limited_recent.get(limit)
        if kept is None or kept[0] != key:
            if len(self._limited_recent) >= LIMITED_KEPT:
                self._limited_recent.clear()  # bounded: TVs name a few limits, a client may name any
            at_counters = {cid: tx.counter_ticket(cid) for cid in counters}
            recent = self._recent(tx, day, at_counters, counters, services) if counters else []
            kept = self._limited_recent[limit] = (key, recent)
        return {**snap, "recent": kept[1]}

    def at_posts(self, tx: Tx, claims: dict[int, dict[str, Any]], day: str, now: datetime | None = None) -> set[int]:
        """The counters the wait estimate counts as staffed (place_in_line's `held`): those an officer holds (`claims`:
        tx.counter_claims()); and in the morning, before the day's first counter taken and for MORNING_MINUTES after
        it, those officers took on the office's last working day too (the last day before `day` with a
        `counter_claimed`): a visitor's wait stays as it was while the officers sit down one by one, and a counter
        nobody took that day never counts (it made every wait short until the first officer came). None such (the
        first day): those held only, and all of them before anyone has taken one (_at_work). `now`: the clock's."""
        held = {cid for cid, claim in claims.items() if claim.get("officer_id") is not None}
        last = self._last_staffed
        if last is None or last[0] != day:
            last = self._last_staffed = (day, frozenset(tx.last_day_counters("counter_claimed", day)))
        if not last[1] <= held:
            first = self._first_taken
            if first is None or first[0] != day:
                at = tx.first_event_at("counter_claimed", day)
                first = (day, at) if at is not None else None
                if first is not None and not tx.events:  # kept once committed (this transaction may be rolled back)
                    self._first_taken = first
            if first is None or (now or self.unit.clock()) - first[1] < timedelta(minutes=MORNING_MINUTES):
                held |= last[1]
        return held

    def _morning_over(self, day: str, now: datetime) -> bool:
        """Whether MORNING_MINUTES have passed since the day's first counter taken, as at_posts last read it: the
        public snapshot, made once per change, is made again when they have (no event says it)."""
        first = self._first_taken
        return first is not None and first[0] == day and now - first[1] >= timedelta(minutes=MORNING_MINUTES)

    def paused(self, claim: dict[str, Any] | None, day: str) -> bool:
        """Whether a counter's row says paused today (a pause ends with the office's day)."""
        at = claim.get("paused_at") if claim else None
        return bool(at) and self.unit.day(datetime.fromisoformat(at)) == day

    @staticmethod
    def last_releases(tx: Tx, day: str) -> dict[int, dict[str, Any]]:
        """Each counter's last `counter_released` of the day {seq, at, by, officer, returned, minutes, reason}: a
        counter page opened again (or back from a disconnection) says why its counter is no longer its
        officer's, and by whom, when the event itself was missed."""
        rows = tx.day_events("counter_released", day)
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
                "reason": data.get("reason"),
            }
        return last

    # -- staff lists ---------------------------------------------------------------------
    def today_tickets(self) -> list[dict[str, Any]]:
        """Every ticket of the office's local today, in calling order, with its form; a waiting one with
        its `position`, `ahead` and `estimated_wait_s`, as its visitor's phone says them (null when nobody will call
        it today: the status view's `no_service`); a cancelled one with its `cancel_reason` (null: none given)."""
        return self._today()[1]

    def _today(self, now: datetime | None = None) -> tuple[str | None, list[dict[str, Any]]]:
        """today_tickets, and whether nobody will call a waiting ticket today (_no_service), read together."""
        with self.unit.store.read() as tx:
            tickets = tx.tickets_of_day(self.unit.day())
            tickets.sort(key=core.order_key)
            places = self.places(tx)
            over = self._no_service(tx, now or self.unit.clock())
            reasons = tx.cancel_reasons(self.unit.day()) if any(t.status == core.CANCELLED for t in tickets) else {}
            out = []
            for t in tickets:
                view = self.full_ticket(t, tx.form(t.id))
                if t.status == core.CANCELLED:  # why the front office cancelled it (its event's), staff only
                    view["cancel_reason"] = reasons.get(t.id)
                if t.id in places:
                    ahead, wait = places[t.id]
                    view["place"] = {"position": ahead + 1, "ahead": ahead, "estimated_wait_s": None if over else wait}
                out.append(view)
            return over, out

    def today_list(self) -> dict[str, Any]:
        """The front office's list: today's tickets (today_tickets), the day they are of, the office's hours
        (the snapshot's `office` with `last_ticket_minutes`: the service ends that long after `closes_at`; and
        `service_ends_at`, the end of the hours' range now in, which in its last minutes, the kiosk stopped, is the
        only word of it; `no_service`, the status view's: nobody will call a waiting number today, its waits
        null then; and `service_ends_in_s`, the seconds from this answer until the day's service hours end, when
        `no_service` may begin with no event to say so: the page reads its list again then, as the phone its ticket;
        `range_ends_in_s`, the same until the next end of one of today's ranges, a lunch break's start too, where
        `service_ends_at` goes with no event: the page reads its list then instead) and per service how many wait
        and a new number's estimated wait."""
        snap = self.snapshot()
        settings = self.unit.settings
        hours = settings.hours
        now = self.unit.clock()
        ends = service_end(hours, now, settings.office.tz)
        over, tickets = self._today(now)
        return {
            "day": snap["day"],
            "office": {
                **snap["office"],
                "last_ticket_minutes": hours.last_ticket_minutes if hours.enabled else None,
                "service_ends_at": iso(ends),
                "no_service": over,
                "service_ends_in_s": self._ends_in(now),
                "range_ends_in_s": _seconds_until(next_range_end(hours, now, settings.office.tz), now),
            },
            "services": [
                {
                    "code": s["code"],
                    "waiting": s["waiting"],
                    "estimated_wait_s": None if over else s["estimated_wait_s"],
                }
                for s in snap["services"]
            ],
            "tickets": tickets,
        }

    def history(self, ref: str) -> dict[str, Any]:
        """Every event of one ticket, oldest first: its versions, who and when (`events`); and its `record` as it is
        now, what a correction (POST …/correct) starts from: the recap page's Koreksi form is prefilled with it, for a
        record of any day."""
        with self.unit.store.read() as tx:
            ticket = self.unit.find_ticket(tx, ref, self.unit.clock(), any_day=True)
            record = {k: getattr(ticket, k) for k in ("id", "label", "day", "status", *core.CORRECTABLE)}
            return {"events": tx.events_of_ticket(ticket.id), "record": record}

    def earlier_visits(self, ref: str) -> dict[str, Any]:
        """A ticket's visitor's earlier visits, for the officer who calls or serves them: the tickets whose form
        server.forms.same_visitor takes for the same visitor's (the same phone, or the same name at the same
        agency, folded), taken before this one (earlier today too) on the last EARLIER_DAYS local days, newest
        first, the EARLIER_VISITS newest (`more`: there were more), each with its outcome's texts and how it
        matched. A form retention anonymised is nobody's."""
        now = self.unit.clock()
        with self.unit.store.read() as tx:
            ticket = self.unit.find_ticket(tx, ref, now, any_day=True)
            form = tx.form(ticket.id)
            since = (date.fromisoformat(self.unit.day(now)) - timedelta(days=EARLIER_DAYS)).isoformat()
            phone = form["phone"] if form["phone"].isdigit() else None  # stored normalised: digits, 0 first
            key = core.visitor_key(form["name"], form["agency"])
            rows = tx.earlier_visits(ticket.id, phone, key, since, EARLIER_VISITS + 1)
        services = {s.code: s.name for s in self.unit.settings.services}
        visits = []
        for r in rows[:EARLIER_VISITS]:
            visits.append(
                {
                    "id": r["id"],
                    "token": r["token"],
                    "label": r["label"],
                    "day": r["day"],
                    "created_at": r["created_at"],
                    "service": r["service"],
                    "service_name": services.get(r["service"], r["service"]),  # a service since removed: its code
                    "transferred_from": r["transferred_from"] or "",
                    "status": r["status"],
                    "name": r["name"] or "",
                    "agency": r["agency"] or "",
                    "matched": [m for m, on in (("phone", r["by_phone"]), ("name_agency", r["by_name"])) if on],
                    "problem": r["problem"] or "",
                    "solution": r["solution"] or "",
                    "escalation_note": r["escalation_note"] or "",
                    "lkpp_ticket": r["lkpp_ticket"] or "",
                    "lkpp_answer": r["lkpp_answer"] or "",
                    "officer_name": r["officer_name"] or "",
                }
            )
        return {
            "visits": visits,
            "more": len(rows) > EARLIER_VISITS,
            "limit": EARLIER_VISITS,
            "days": EARLIER_DAYS,
        }

    def escalations(self) -> list[dict[str, Any]]:
        """Open escalations (waiting for LKPP's answer), oldest first: their age against the priority
        class's target time, the mail's state, and the escalation's text to copy for the TTS."""
        from server.advice import mail_advice
        from server.escalation import escalation_text, signer
        from server.store import ticket_from_row

        now = self.unit.clock()
        settings = self.unit.settings
        classes = {p.code: p for p in settings.priority_classes}
        default_target = max((p.target_minutes for p in settings.priority_classes), default=None)
        with self.unit.store.read() as tx:
            rows = tx.open_escalations()
            accounts = {u["username"]: u for u in tx.users()}
            events = tx.open_escalations_events(CORRECTION_EVENTS)
        corrected = {r["id"]: corrected_after(events.get(r["id"], ()), r["mail"]) for r in rows}
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
            # with no class (or one since removed), the longest target of the table: an old case is
            # flagged in the end rather than never
            target = known.target_minutes if known else default_target
            mail = dict(r["mail"]) if r["mail"] else None
            requeued = mail.pop("requeued", False) if mail else False  # sent again at a start, refused again
            if mail and mail["status"] in ("retrying", "failed"):  # in words, with what to do
                failed = mail["status"] == "failed"
                advice = mail_advice(r["label"], mail["error"], failed, settings.escalation, requeued)
                mail = {**mail, "advice": advice}
            last, forwarded = corrected[r["id"]]
            if mail and last and forwarded is None:  # LKPP has the text as it was: the page says to send the correction
                mail["corrected_at"] = last
            elif mail and last:  # an officer said the correction went to LKPP by hand (correction_sent): who, when
                by = forwarded["actor"] or ""
                name = full_name(accounts.get(by)) or by
                mail["correction_sent"] = {"at": forwarded["at"], "by": by, "by_name": name, "corrected_at": last}
            target_s = target * 60 if target else None
            out.append(
                {
                    "label": r["label"],
                    "day": r["day"],
                    "id": r["id"],
                    "service": r["service"],
                    "officer": r["officer"],
                    # who escalated, as the recap and the form name them: the name kept with the ticket when it
                    # was escalated (m027), else (escalated before m027) the account's full name, else its login
                    "officer_name": r["signed_by"],
                    "note": r["escalation_note"],
                    "lkpp_ticket": r["lkpp_ticket"] or "",
                    "escalated_at": r["finished_at"],
                    "age_s": age_s,
                    "priority_class": priority,
                    "target_minutes": target,
                    "overdue": None if target_s is None else age_s > target_s,
                    "mail": mail,
                    "form": form,
                    # signed as its mail is: the name kept with the mail, else the one kept with the ticket when
                    # it was escalated (m027: with the mail off), else the account's now
                    "copy_text": escalation_text(
                        settings,
                        ticket_from_row(r),
                        form,
                        r.get("signer")
                        or signer(
                            {"full_name": r["signer_name"], "nip": r["signer_nip"]}
                            if r.get("signer_name") is not None
                            else accounts.get(r["officer"]),
                            r["officer"],
                        ),
                    ),
                }
            )
        return out

    def closed_escalations(self) -> list[dict[str, Any]]:
        """The cases closed in the last CLOSED_SHOWN_DAYS days (at most CLOSED_SHOWN of them), newest first, for the
        Eskalasi page's "Baru ditutup": one closed by mistake (the answer on the wrong card, the wrong LKPP number)
        is opened again from there (POST /api/tickets/<ref>/reopen). Who closed it, by login and full name."""
        since = self.unit.clock() - timedelta(days=CLOSED_SHOWN_DAYS)
        with self.unit.store.read() as tx:
            rows = tx.closed_escalations(since, CLOSED_SHOWN)
            accounts = {u["username"]: u for u in tx.users()}
        return [
            {
                "id": r["id"],
                "label": r["label"],
                "day": r["day"],
                "closed_at": r["closed_at"],
                "closed_by": r["closed_by"] or "",
                "closed_by_name": full_name(accounts.get(r["closed_by"])) or r["closed_by"] or "",
                "lkpp_ticket": r["lkpp_ticket"] or "",
                "lkpp_answer": r["lkpp_answer"] or "",
                # the phone: the officer who closed it tells the visitor LKPP's answer by phone (staff-only list)
                "form": {"name": r["name"] or "", "agency": r["agency"] or "", "phone": r["phone"] or ""},
            }
            for r in rows
        ]

    def form_copy(self, token: str) -> dict[str, Any] | None:
        """What the A4 Formulir Konsultasi shows for a ticket (by token): form, outcome, officer, date and
        time; None for no such ticket."""
        from server.forms import format_nip
        from shared.dates import format_date_id, format_time_id

        if not isinstance(token, str) or len(token) > 64:
            return None
        with self.unit.store.read() as tx:
            ticket = tx.ticket_by_token(token)
            if ticket is None:
                return None
            form = tx.form(ticket.id)
            signed = tx.signature(ticket.id)
        settings = self.unit.settings
        when = (ticket.started_at or ticket.first_called_at or ticket.created_at).astimezone(settings.office.tz)
        return {
            "office": settings.office,
            "label": ticket.label,
            "status": ticket.status,
            "date": format_date_id(when),
            "time": format_time_id(when),
            "form": form,
            "category": ticket.category,
            "solution": ticket.solution,
            "escalation_note": ticket.escalation_note,
            "lkpp_ticket": ticket.lkpp_ticket,
            "lkpp_answer": lkpp_answer_text(ticket.lkpp_answer) if ticket.lkpp_answer else ticket.lkpp_answer,
            "officer": ticket.officer,
            # the signature: the officer's full name (m014), else the login name, and NIP, as they were when the
            # outcome was recorded (m027; a ticket from before that: as the account is now)
            "officer_name": signed["name"] or ticket.officer,
            "officer_nip": format_nip(signed["nip"]),
            "counter_name": self.unit.counter_name(ticket.counter_id),
        }

    def has_tickets(self) -> bool:
        """Whether the database holds any ticket at all (the demo fills an empty one only)."""
        with self.unit.store.read() as tx:
            return tx.has_tickets()

    # -- reports -------------------------------------------------------------------------
    def recap_page_rows(self, day_from: str, day_to: str, filters: dict[str, Any], limit: int) -> tuple[list, int]:
        """The printable recap page's rows, and 0; or no rows and how many there are, when over `limit`
        (thousands of A4 pages rendered on the event loop: the files instead)."""
        from server import reports

        with self.unit.store.read() as tx:
            count = tx.recap_count(day_from, day_to, **filters)
            if count > limit:
                return [], count
            names = reports.recap_names(self.unit.settings)  # where a transferred visitor came from
            records: list[dict[str, Any]] = []

            def kept(store_rows: Any) -> Any:  # each row's record, for the page's Koreksi (recap.html, recap_fix.js)
                for r in store_rows:
                    records.append({"id": r["id"], "status": r["status"], "day": r["day"], "label": r["label"]})
                    yield r

            rows = reports.iter_recap_rows(kept(tx.recap_iter(day_from, day_to, **filters)), **names)
            page = [reports.page_row(r) for r in rows]
            for row, record in zip(page, records, strict=True):
                row["record"] = {**record, "correctable": record["status"] in core.SERVED}
            return page, 0

    def recap_file(self, day_from: str, day_to: str, filters: dict[str, Any], fmt: str) -> bytes:
        """The recap as JSON, CSV or XLSX bytes (a long one made off the event loop: server.report_job)."""
        from server import reports
        from server.report_job import make_recap_file

        job = {
            "from": day_from,
            "to": day_to,
            "filters": filters,
            "format": fmt,
            "office": self.unit.settings.office.name,
            "filters_label": reports.filter_label(filters, **self.recap_filter_names(filters)),
            **reports.recap_names(self.unit.settings),
        }
        return make_recap_file(self.unit.store, job)

    def guestbook_job(self, day_from: str, day_to: str, fmt: str) -> dict[str, Any]:
        """What the guest book's file is made from (server.report_job.guestbook_file): the settings in force."""
        settings = self.unit.settings
        return {
            "from": day_from,
            "to": day_to,
            "format": fmt,
            "office": settings.office.name,
            "timezone": settings.office.timezone,
            "services": {s.code: s.name for s in settings.services},
        }

    def guestbook_page_rows(self, day_from: str, day_to: str, limit: int) -> tuple[list, int]:
        """The printable guest book page's rows, and 0; or no rows and how many there are, when over `limit`
        (as recap_page_rows)."""
        from server import reports

        job = self.guestbook_job(day_from, day_to, "json")
        with self.unit.store.read() as tx:
            count = tx.guestbook_count(day_from, day_to)
            if count > limit:
                return [], count
            rows = reports.iter_guestbook_rows(
                tx.guestbook_iter(day_from, day_to), self.unit.settings.office.tz, job["services"]
            )
            return [reports.guestbook_page_row(r) for r in rows], 0

    def guestbook_file(self, day_from: str, day_to: str, fmt: str) -> bytes:
        """The guest book (buku tamu) as JSON, CSV or XLSX bytes (a long one made off the event loop)."""
        from server.report_job import make_guestbook_file

        return make_guestbook_file(self.unit.store, self.guestbook_job(day_from, day_to, fmt))

    def recap_filter_names(self, filters: dict[str, Any]) -> dict[str, str | None]:
        """The names a filtered recap says its filters by (reports.filter_label): the service's name, and the
        officer's full name when the text typed is an account's username or full name (as the filter
        matches them, any case), else None (the text as typed)."""
        code, typed = filters.get("service"), (filters.get("officer") or "").strip()
        known = self.unit.settings.service(code) if code else None
        officer = None
        if typed:
            with self.unit.store.read() as tx:
                users = tx.users()
            low = typed.lower()
            by_name = next((u for u in users if u["username"].lower() == low), None)
            by_full = next((u for u in users if (u["full_name"] or "").strip().lower() == low), None)
            account = by_name or by_full
            officer = ((account["full_name"] or "").strip() or account["username"]) if account else None
        return {"service": known.name if known else None, "officer": officer}

    def figures(self, day_from: str, day_to: str, group: str) -> dict[str, Any]:
        """The dashboard's service-time figures (over a year: made off the event loop, server.report_job)."""
        from server.report_job import figures_job, make_figures

        job = figures_job(self.unit.settings, day_from, day_to, group)
        if group == "officer":
            # one row per account (its login name) over the period, named by its full name now, else the login
            # name: not by the name kept with each ticket (m027, as the recap and the forms sign them), which
            # would split an officer whose name changed (a title added) into two rows
            with self.unit.store.read() as tx:
                job["names"] = {
                    u["username"]: u["full_name"].strip() for u in tx.users() if (u["full_name"] or "").strip()
                }
        return make_figures(self.unit.store, job)


def service_time(times: list[float]) -> float:
    """A ticket's service time from a service's recent ones (Tx.recent_service_seconds), counted beside
    PRIOR_TICKETS tickets of DEFAULT_SERVICE_SECONDS."""
    return (sum(times) + PRIOR_TICKETS * DEFAULT_SERVICE_SECONDS) / (len(times) + PRIOR_TICKETS)


def service_times(tx: Tx, codes: Iterable[str]) -> dict[str, float]:
    """service_time of each service of `codes`, its recent times read in one statement."""
    return {code: service_time(times) for code, times in tx.recent_service_times(sorted(codes)).items()}


# The events after which each service's recent times are still those read before (Views.service_times): none of
# them finishes a ticket or changes a served one's times (a number taken, a call, a visitor come, a slip printed).
TIMES_KEPT = frozenset(
    {
        "issued",
        "called",
        "recalled",
        "skipped",
        "started",
        "printed",
        "print_failed",
        "print_skipped",
        "counter_claimed",
        "counter_paused",
        "counter_resumed",
    }
)

# place_in_one_line keeps the counters' moments every this many calls of the line it stepped over.
STEPS_KEPT_EVERY = 64


class OneLineSteps:
    """The last line place_in_one_line stepped over, with the counters' moments every STEPS_KEPT_EVERY calls:
    (the counters' free moments and the services' times it began with, the line, [(calls, the counters' moments,
    the last call's moment, the first call at that moment)]). An answer whose line begins as that one did, with
    the same counters and times, steps on from there. Replaced whole (one assignment): a greenlet or a thread
    reads it once."""

    def __init__(self):
        self.kept: tuple[tuple[Any, ...], str, list[tuple[int, tuple[float, ...], float, int]]] | None = None


def _common_start(a: str, b: str) -> int:
    """How many characters `a` and `b` begin with in common."""
    lo, hi = 0, min(len(a), len(b))
    if a.startswith(b[:hi]):
        return hi
    while lo < hi:  # a[:lo] == b[:lo], and not a[:hi + 1] == b[:hi + 1]
        mid = (lo + hi + 1) // 2
        if a.startswith(b[:mid]):
            lo = mid
        else:
            hi = mid - 1
    return lo


def one_line_turn(
    line: str, took: dict[str, float], free_at: Iterable[float], steps: OneLineSteps | None = None
) -> tuple[float, int]:
    """When every counter at work serves every service of the line (the counters then call the line in its order,
    each when it is free): the moment of the call after the tickets of `line` (their services, one character each,
    `took[c]` the time a ticket of c takes), the counters free at `free_at` (not empty) and each busy for the
    time of the ticket it called; and how many calls of `line` come at an earlier moment than that one.
    `steps`: the last line stepped over, taken up where this one begins as it did (and kept for the next)."""
    key = (tuple(sorted(free_at)), tuple(sorted(took.items())))
    kept = steps.kept if steps is not None else None
    begin: tuple[int, tuple[float, ...], float, int] = (0, key[0], -math.inf, 0)
    marks: list[tuple[int, tuple[float, ...], float, int]] = [begin]
    if kept is not None and kept[0] == key:
        same = _common_start(kept[1], line)
        marks = kept[2][: same // STEPS_KEPT_EVERY + 1]
        begin = marks[-1]
    done, heap, last, first = begin
    heap = list(heap)  # sorted: a heap
    for j in range(done, len(line)):
        if j % STEPS_KEPT_EVERY == 0 and j > done:
            marks.append((j, tuple(heap), last, first))
        at = heap[0]
        if at > last:  # a later moment: the calls of the earlier ones are all before it
            last, first = at, j
        heapq.heapreplace(heap, at + took[line[j]])
    if steps is not None and (kept is None or kept[0] != key or not kept[1].startswith(line)):
        if len(line) % STEPS_KEPT_EVERY == 0 and len(line) > done:
            marks.append((len(line), tuple(heap), last, first))
        steps.kept = (key, line, marks)
    at = heap[0]
    return at, (len(line) if at > last else first)


def place_in_one_line(
    line: str, mark: str, took: dict[str, float], free_at: dict[int, float], steps: OneLineSteps | None = None
) -> tuple[int, int]:
    """play_out's (ahead, seconds) for a ticket of the service written `mark` when every counter at work serves
    every service of its line (`free_at` not empty): the counters then call the line in its order, so the ticket
    is the call after those of `line` (the services of the tickets before it, one character each, `took` their
    times), at that call's moment (one_line_turn). Ahead of it: its own service's before it, and the others called
    at an earlier moment than its call."""
    moment, earlier = one_line_turn(line, took, free_at.values(), steps)
    others_earlier = earlier - line.count(mark, 0, earlier)
    return line.count(mark) + others_earlier, int(math.ceil(moment))


def _seconds_until(at: datetime | None, now: datetime) -> int | None:
    """Seconds from `now` until `at`, rounded up (an answer's `…_in_s`: a page reading again then is not early);
    None for None."""
    return None if at is None else math.ceil((at - now).total_seconds())


def play_out(
    queue: list[tuple[Any, str]],
    service: str,
    serves: dict[int, set[str]],
    free_at: dict[int, float],
    took: dict[str, float],
):
    """Views._playout's calls played out: `queue` the waiting (id, service) in calling order, `serves` each
    counter at work's services, `free_at` when each is free (seconds from now), `took` each service's time a
    ticket (a counter calling one is free again that long after). Yields (id, ahead, seconds) for each ticket of
    `service` in the order it is likely called, the ones no counter calls after them (the whole line ahead, no
    time), then LINE_END."""
    # Ahead of a ticket: its own service's tickets called before it (its line), and another service's
    # called at an earlier moment by a counter that serves its service too (busy with them first). Not
    # another service's called at the same moment, nor by a counter that never serves it: a B visitor
    # taking a number while two counters called A-001 and A-002 and a third was free for B was told "2
    # people ahead of you", and a C or a later A visitor at a counter without B counted ahead of a B one.
    taken = same = others_before = others_now = 0
    moment = 0.0
    # Each service's tickets, by their place in the calling order: a counter's next call is the earliest
    # head among its services' lines, and the counters take turns by (free moment, id), a heap; each step
    # costs a few operations, not a scan of the line (a line of 1,000 was played out in 5 ms, and each
    # number taken played it out twice: its answer and its slip).
    lines: dict[str, deque[int]] = {}
    for i, (_, code) in enumerate(queue):
        lines.setdefault(code, deque()).append(i)
    turns = [(free_at[cid], cid) for cid in free_at]
    heapq.heapify(turns)
    while turns:
        at, cid = turns[0]
        heads = [line for code in serves[cid] if (line := lines.get(code))]
        if not heads:
            heapq.heappop(turns)  # nothing left it serves: it calls nobody before this ticket
            continue
        tid, code = queue[min(heads, key=lambda line: line[0]).popleft()]
        if at > moment:  # the calls are played out in time order: a later moment begins
            moment, others_before, others_now = at, others_before + others_now, 0
        if code == service:
            yield tid, same + others_before, int(math.ceil(at))
            same += 1
        elif service in serves[cid]:
            others_now += 1
        taken += 1
        heapq.heapreplace(turns, (at + took[code], cid))
    for i in lines.get(service, ()):  # no counter at work serves it: said as the line ahead, no time
        yield queue[i][0], taken, 0
    yield LINE_END, taken, 0


# What an escalation mail says of a case (server/escalation.py escalation_body): a correction of one of these after
# the mail was sent leaves LKPP with the old text.
MAIL_TICKET_FIELDS = frozenset({"escalation_note", "category", "priority_class"})
MAIL_FORM_FIELDS = frozenset({"name", "agency", "address", "phone", "problem"})


# The events corrected_after reads.
CORRECTION_EVENTS = ("corrected", "form_corrected", "correction_sent")


def corrected_after_mail(
    tx: Any, ticket_id: int, mail: dict[str, Any] | None
) -> tuple[str | None, dict[str, Any] | None]:
    """corrected_after of a ticket's mail row ({status, sent_at}), its events read: the command that records the
    correction sent (QueueJobs.correction_sent)."""
    if not mail or mail["status"] != "sent" or not mail["sent_at"]:
        return None, None
    return corrected_after(tx.events_of_ticket(ticket_id), mail)


def corrected_after(
    events: Iterable[dict[str, Any]], mail: dict[str, Any] | None
) -> tuple[str | None, dict[str, Any] | None]:
    """When the case's mail text was last corrected after its mail ({status, sent_at}) was sent (its analysis, kind
    or class, or the visitor's form: what the mail says), None when it was not: the mail LKPP has is then the case as
    it stands; and the `correction_sent` event that said that correction went to LKPP by hand (POST
    /api/escalations/<ref>/correction-sent), None while none did since (a correction after it is news again).
    `events`: the ticket's, oldest first (those of CORRECTION_EVENTS are enough)."""
    if not mail or mail["status"] != "sent" or not mail["sent_at"]:
        return None, None
    sent = datetime.fromisoformat(mail["sent_at"])
    last = None
    forwarded = None
    for e in events:
        if e["type"] == "correction_sent":
            forwarded = e
            continue
        if e["type"] == "corrected":
            touched = set(e["data"].get("changes") or {}) & MAIL_TICKET_FIELDS
        elif e["type"] == "form_corrected":
            touched = set(e["data"].get("fields") or ()) & MAIL_FORM_FIELDS
        else:
            continue
        if touched and datetime.fromisoformat(e["at"]) > sent:
            last = e["at"]
            forwarded = None  # a correction after the one sent: LKPP has not got this one
    return last, forwarded
