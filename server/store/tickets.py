"""Tickets and their consultation forms: numbering, queue positions, the calling order, reads by id,
token, label, counter or status. A ticket row is written from a core Ticket and read back into one
(ticket_to_row, ticket_from_row)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from server import core
from server.core import CALLED, WAITING, Ticket
from server.migrations import DURATION_COLUMNS, LABEL_PREFIX, duration_ms, renumber_positions
from server.store.base import SERVED_SQL, TxBase, _dt, _iso

# Tickets still in play (waiting, called, serving) are a handful among years of finished ones. With
# table statistics (ANALYZE) SQLite judged the status index unselective and, to return rows in id
# order, walked the whole table instead: 17 ms at ten years, for the expiry check run every second.
_ACTIVE_INDEX = "INDEXED BY idx_tickets_status"

_TICKET_TIMES = (
    "created_at",
    "first_called_at",
    "last_called_at",
    "started_at",
    "first_started_at",
    "finished_at",
    "closed_at",
    "copy_printed_at",
)
_TICKET_FIELDS = tuple(Ticket.__dataclass_fields__)
_TICKET_FLAGS = ("priority", "priority_lane")
# save_ticket: the fields whose change derives the durations again
_DURATION_INPUTS = {t for pair in DURATION_COLUMNS.values() for t in pair} | {"served_before_ms"}
# Who signs a ticket's consultation form (the SOP's "pemberi penjelasan": the officer who explained it), over
# tickets `t` LEFT JOIN users `u` ON u.username = t.officer: the name and NIP kept on the ticket (m027,
# sign_ticket); for a ticket kept before m027 (signer_name NULL), the account as it is now: its full name,
# else the login name, and its NIP. The A4 copy, the printed copy and the recap's Petugas all read these.
SIGNER_NAME_SQL = "COALESCE(t.signer_name, NULLIF(TRIM(u.full_name), ''), t.officer)"
SIGNER_NIP_SQL = "CASE WHEN t.signer_name IS NULL THEN u.nip ELSE t.signer_nip END"


class QueueHead(NamedTuple):
    """A (service, lane)'s first waiting ticket as core.next_for picks among them and next_shape names it: the
    columns of the calling order and of the name, not the whole row (Tx.queue_head_keys)."""

    id: int
    label: str
    service: str
    status: str
    priority_lane: bool
    position: float


def ticket_from_row(row: dict[str, Any]) -> Ticket:
    """A core Ticket from a tickets row (derived columns such as the durations are ignored)."""
    values = {k: row.get(k) for k in _TICKET_FIELDS}
    for k in _TICKET_TIMES:
        values[k] = _dt(values[k])
    for k in ("category", "priority_class", "solution", "officer", "escalation_note"):
        values[k] = values[k] or ""
    for k in ("lkpp_ticket", "lkpp_answer", "transferred_from", "transfer_note"):
        values[k] = values[k] or ""
    values["priority"] = bool(values["priority"])
    values["priority_lane"] = None if values["priority_lane"] is None else bool(values["priority_lane"])
    values["calls"] = values["calls"] or 0
    values["requeues"] = values["requeues"] or 0
    values["queue_requeues"] = values["queue_requeues"] or 0
    values["served_before_ms"] = values["served_before_ms"] or 0
    return Ticket(**values)


def ticket_to_row(ticket: Ticket) -> dict[str, Any]:
    """A tickets row from a core Ticket, with the durations derived from its timestamps."""
    row = {k: getattr(ticket, k) for k in _TICKET_FIELDS}
    for k in _TICKET_TIMES:
        row[k] = _iso(row[k])
    row["priority"] = int(ticket.priority)
    row["priority_lane"] = int(bool(ticket.priority_lane))
    for column, (start, end) in DURATION_COLUMNS.items():
        row[column] = duration_ms(row[start], row[end])
    if row["service_ms"] is not None:
        row["service_ms"] += ticket.served_before_ms  # the stretches served before its transfers
    elif core.partly_served(ticket.status, ticket.served_before_ms):
        row["service_ms"] = ticket.served_before_ms  # sent on, and never served there: those stretches alone
    if row["id"] is None:
        del row["id"]
    return row


class TicketQueries(TxBase):
    """Reads and writes of tickets and forms."""

    def next_number(self, day: str, prefix: str) -> int:
        """The next ticket number of a label prefix on a day: past every label with this prefix issued
        that day, whichever service it was issued for or is in now (UNIQUE (day, label) guards it)."""
        row = self.one(
            f"SELECT COALESCE(MAX(number), 0) + 1 AS n FROM tickets WHERE day = ? AND {LABEL_PREFIX} = ?",
            [day, f"{prefix}-"],
        )
        return row["n"]

    def prefix_services(self, day: str) -> dict[str, list[tuple[str, str]]]:
        """Per label prefix of the day's tickets ("A"), the distinct (service, transferred_from) pairs of
        those tickets: the service each is in now, and the one it came from ("" when never transferred)."""
        out: dict[str, list[tuple[str, str]]] = {}
        for r in self.rows(
            f"SELECT DISTINCT {LABEL_PREFIX} AS prefix, service, transferred_from FROM tickets WHERE day = ?", [day]
        ):
            out.setdefault(r["prefix"][:-1], []).append((r["service"], r["transferred_from"] or ""))
        return out

    def next_position(self, day: str) -> float:
        """A queue position behind every ticket of the day."""
        row = self.one("SELECT COALESCE(MAX(position), 0) + 1 AS p FROM tickets WHERE day = ?", [day])
        return float(row["p"])

    # Neighbouring positions of a day, over every ticket of it (waiting, called, served or gone: a called
    # or serving ticket can come back to the line, and no two tickets of a day share a position), each
    # read from UNIQUE (day, position) (m013) in one step.
    def position_after(self, day: str, position: float) -> float | None:
        """The day's next position after `position`, or None."""
        row = self.db.execute(
            "SELECT position FROM tickets WHERE day = ? AND position > ? ORDER BY position LIMIT 1", [day, position]
        ).fetchone()
        return row[0] if row else None

    def position_before(self, day: str, position: float) -> float | None:
        """The day's position just before `position`, or None."""
        row = self.db.execute(
            "SELECT position FROM tickets WHERE day = ? AND position < ? ORDER BY position DESC LIMIT 1",
            [day, position],
        ).fetchone()
        return row[0] if row else None

    def transferred_ahead(self, day: str, service: str, lane: bool) -> float | None:
        """The position of the last of the visitors transferred to `service` who wait at the front of its line in
        `lane` (transferred there and not requeued since, with nobody else of that service and lane before them),
        or None: a transfer goes behind them (core.transfer_position)."""
        rows = self.db.execute(
            "SELECT position, transferred_from, queue_requeues FROM tickets WHERE day = ? AND status = 'waiting'"
            " AND service = ? AND priority_lane = ? ORDER BY position, id",
            [day, service, int(lane)],
        )
        last = None
        for position, transferred_from, requeues in rows:
            if not transferred_from or requeues:
                break
            last = position
        return last

    def first_position(self, day: str) -> float | None:
        """The day's first position, or None."""
        row = self.db.execute(
            "SELECT position FROM tickets WHERE day = ? AND position IS NOT NULL ORDER BY position LIMIT 1", [day]
        ).fetchone()
        return row[0] if row else None

    def renumber_positions(self, day: str) -> None:
        """Positions 1, 2, 3 … for the day's tickets, in their order: room again between any two
        (when halving a gap no longer gives a float between them; core.between)."""
        renumber_positions(self.db, day)

    def insert_ticket(self, ticket: Ticket, form: dict[str, str]) -> Ticket:
        """Write a new ticket and its consultation form; the ticket with its id."""
        row = ticket_to_row(ticket)
        cur = self.db.execute(
            "INSERT INTO tickets ({}) VALUES ({})".format(", ".join(row), ", ".join("?" for _ in row)),
            list(row.values()),
        )
        ticket = ticket.replace(id=cur.lastrowid)
        self.db.execute(
            "INSERT INTO forms (ticket_id, name, agency, address, phone, problem, visitor_key)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                ticket.id,
                form["name"],
                form["agency"],
                form["address"],
                form["phone"],
                form["problem"],
                core.visitor_key(form["name"], form["agency"]),
            ],
        )
        return ticket

    def save_ticket(self, ticket: Ticket, old: Ticket | None = None) -> None:
        """Write a changed ticket; given the version it was made from, only the columns that differ
        (SQLite rewrites every index on a column named in SET, changed or not)."""
        if old is None:
            row = ticket_to_row(ticket)
            row.pop("id", None)
        else:
            changed = {k for k in _TICKET_FIELDS if getattr(ticket, k) != getattr(old, k)} - {"id"}
            full = ticket_to_row(ticket) if changed & _DURATION_INPUTS else None
            row = {}
            for k in changed:
                value = getattr(ticket, k)
                row[k] = _iso(value) if k in _TICKET_TIMES else int(value) if k in _TICKET_FLAGS else value
            if full is not None:
                row.update({c: full[c] for c in DURATION_COLUMNS})
        sets = "".join(f"{k} = ?, " for k in row)
        self.db.execute(f"UPDATE tickets SET {sets}version = version + 1 WHERE id = ?", [*row.values(), ticket.id])

    def sign_ticket(self, ticket_id: int) -> None:
        """Keep on the ticket who signs its form (m027): its officer as their account names them now, the full
        name, else the login name, and the NIP's digits ("" for none). A ticket whose officer has no account
        (the demo's) keeps nothing, and is read as an account of that name is when it is read."""
        self.db.execute(
            "UPDATE tickets SET (signer_name, signer_nip) = (SELECT COALESCE(NULLIF(TRIM(u.full_name), ''),"
            " u.username), COALESCE(u.nip, '') FROM users u WHERE u.username = tickets.officer) WHERE id = ?",
            [ticket_id],
        )

    def signature(self, ticket_id: int) -> dict[str, str]:
        """Who signs a ticket's consultation form: {name, nip} as SIGNER_NAME_SQL and SIGNER_NIP_SQL read them
        ("" for none; the NIP's digits as stored)."""
        row = self.one(
            f"SELECT {SIGNER_NAME_SQL} AS name, {SIGNER_NIP_SQL} AS nip FROM tickets t"
            " LEFT JOIN users u ON u.username = t.officer WHERE t.id = ?",
            [ticket_id],
        )
        return {"name": (row or {}).get("name") or "", "nip": (row or {}).get("nip") or ""}

    def ticket(self, ticket_id: int) -> Ticket | None:
        """A ticket by id, or None."""
        row = self.one("SELECT * FROM tickets WHERE id = ?", [ticket_id])
        return ticket_from_row(row) if row else None

    def ticket_by_token(self, token: str) -> Ticket | None:
        """A ticket by its public token, or None."""
        row = self.one("SELECT * FROM tickets WHERE token = ?", [token])
        return ticket_from_row(row) if row else None

    def ticket_by_label(self, day: str, label: str) -> Ticket | None:
        """A ticket by its label on a day, or None."""
        row = self.one("SELECT * FROM tickets WHERE day = ? AND label = ?", [day, label])
        return ticket_from_row(row) if row else None

    def update_form(self, ticket_id: int, fields: dict[str, str]) -> None:
        """Replace some of a ticket's form fields (the visitor's identity, their problem)."""
        allowed = {"name", "agency", "address", "phone", "problem"}
        keys = [k for k in fields if k in allowed]
        if keys:
            sets = ", ".join(f"{k} = ?" for k in keys)
            self.db.execute(f"UPDATE forms SET {sets} WHERE ticket_id = ?", [*(fields[k] for k in keys), ticket_id])
        if {"name", "agency"} & set(keys):  # the visitor's folded name and agency, as insert_ticket keeps them
            row = self.one("SELECT name, agency FROM forms WHERE ticket_id = ?", [ticket_id]) or {}
            self.db.execute(
                "UPDATE forms SET visitor_key = ? WHERE ticket_id = ?",
                [core.visitor_key(row.get("name"), row.get("agency")), ticket_id],
            )

    def form(self, ticket_id: int) -> dict[str, str]:
        """The consultation form of a ticket (empty strings when none)."""
        row = self.one("SELECT name, agency, address, phone, problem FROM forms WHERE ticket_id = ?", [ticket_id])
        return row or {"name": "", "agency": "", "address": "", "phone": "", "problem": ""}

    def earlier_visits(self, ticket_id: int, phone: str | None, key: str | None, since: str, limit: int) -> list[dict]:
        """The same visitor's tickets taken before ticket `ticket_id` (a smaller id: ids are given in the order
        the numbers are taken), of local days from `since` on, newest first, at most `limit`: those whose form
        has `phone` or `key` (core.visitor_key). Each with its form's name, agency and problem, how it matched
        (by_phone, by_name: 1 or 0), its outcome's texts and who signs it (SIGNER_NAME_SQL).

        The newest `limit` of each index (forms by phone, by visitor_key: m028), walked backwards from the ticket
        and no further, then each ticket by its id: a phone on two thousand forms costs no more than one on two
        (a day is never before the day of a smaller id, so the `since` cut keeps the newest)."""
        if not phone and not key:
            return []
        newest = (
            "SELECT ticket_id FROM (SELECT ticket_id FROM forms WHERE {} = ? AND ticket_id < ?"
            " ORDER BY ticket_id DESC LIMIT ?)"
        )
        return self.rows(
            "SELECT t.id, t.token, t.day, t.created_at, t.label, t.service, t.status, t.transferred_from,"
            " t.solution, t.escalation_note, t.lkpp_ticket, t.lkpp_answer,"
            f" {SIGNER_NAME_SQL} AS officer_name, f.name, f.agency, f.problem,"
            " COALESCE(f.phone = ?, 0) AS by_phone, COALESCE(f.visitor_key = ?, 0) AS by_name"
            " FROM tickets t JOIN forms f ON f.ticket_id = t.id LEFT JOIN users u ON u.username = t.officer"
            f" WHERE t.id IN ({newest.format('phone')} UNION {newest.format('visitor_key')}) AND t.day >= ?"
            " ORDER BY t.id DESC LIMIT ?",
            [phone, key, phone, ticket_id, limit, key, ticket_id, limit, since, limit],
        )

    def queue_heads(self, day: str, services: Iterable[str]) -> list[Ticket]:
        """The first waiting ticket of each (service, lane) group: every ticket core.next_for may pick.

        Any calling order that sorts by lane, then position, picks among these, so the core decides
        over a handful of rows instead of the whole waiting line.
        """
        sql, params = self._heads_sql("*", day, services)
        return [ticket_from_row(row) for row in self.rows(sql, params)] if params else []

    def queue_head_keys(self, day: str, services: Iterable[str]) -> list[QueueHead]:
        """queue_heads' tickets with only what core.next_for orders them by and next_shape names (QueueHead):
        each counter's next call in an event's `next` (UnitOfWork.decorate) without six whole rows made Tickets."""
        sql, params = self._heads_sql(", ".join(QueueHead._fields), day, services)
        if not params:
            return []
        return [
            QueueHead(i, label, svc, status, bool(lane), pos)
            for i, label, svc, status, lane, pos in self.db.execute(sql, params).fetchall()
        ]

    @staticmethod
    def _heads_sql(columns: str, day: str, services: Iterable[str]) -> tuple[str, list[Any]]:
        parts, params = [], []
        for service in services:  # one statement: a head per (service, lane), each from the queue index
            for lane in (1, 0):
                parts.append(
                    f"SELECT * FROM (SELECT {columns} FROM tickets WHERE day = ? AND status = 'waiting'"
                    " AND service = ? AND priority_lane = ? ORDER BY position, id LIMIT 1)"
                )
                params += [day, service, lane]
        return " UNION ALL ".join(parts), params

    def ahead_count(self, ticket: Ticket, services: Sequence[str] | None = None) -> int:
        """Waiting tickets of `services` (default: the ticket's own) called before this one (priority lane
        first, then position): with the services its counters also serve (Settings.sharing), the visitors
        who may be called before it.

        Two ranges of the queue index (day, status, service, priority_lane, position) per service, each
        counted inside the index without reading a ticket row (positions are unique per day)."""
        services = list(services or (ticket.service,))
        marks = ", ".join("?" for _ in services)
        queue = f"SELECT COUNT(*) FROM tickets WHERE day = ? AND status = 'waiting' AND service IN ({marks}) AND "
        key = [ticket.day, *services]
        lane = int(bool(ticket.priority_lane))
        row = self.db.execute(
            f"SELECT ({queue} priority_lane > ?) + ({queue} priority_lane = ? AND position < ?)",
            [*key, lane, *key, lane, ticket.position],
        ).fetchone()
        return row[0]

    def waiting_line(self, day: str, services: Sequence[str]) -> list[tuple[int | None, str]]:
        """The day's waiting tickets of `services` in calling order (priority lane first, then position):
        (id, service) each."""
        marks = ", ".join("?" for _ in services)
        rows = self.db.execute(
            f"SELECT id, service FROM tickets WHERE day = ? AND status = 'waiting' AND service IN ({marks})"
            " ORDER BY priority_lane DESC, position",
            [day, *services],
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def line_services(
        self, day: str, services: Sequence[str], marks: Sequence[str] | None, lane: int | None, position: float | None
    ) -> tuple[str, int]:
        """The day's waiting line of `services` before (`lane`, `position`) (None: the whole line), in calling order
        (priority lane first, then position), as one string: each ticket's service written as its mark (`marks[i]`
        for `services[i]`, one character each; None: the services' codes, each one character); and how many
        waiting tickets of `services` have no position. One statement: the services of a line of a thousand as one
        value, not a thousand rows.

        The day's whole line is read from its index (m034) and each ticket's service written as its mark or NULL (a
        service not of `services`), which group_concat leaves out: cheaper than an `IN` looked up at each row. The
        line before a ticket is two ranges of the index, the lanes before its own and its own lane before its
        position, not the whole line tested row by row (docs/performance.md, "The slip's line from its issue")."""
        if not services:
            return "", 0
        in_sql = ", ".join("?" for _ in services)
        column = "CASE service " + " ".join("WHEN ? THEN ?" for _ in services) + " END"
        pairs = [x for code, mark in zip(services, marks or services, strict=True) for x in (code, mark)]
        line = "FROM tickets WHERE day = ? AND status = 'waiting'"

        def part(where: str) -> str:
            inner = f"SELECT {column} AS c {line}{where} ORDER BY priority_lane DESC, position"
            return f"(SELECT group_concat(c, '') FROM ({inner}))"

        if lane is None:
            read, params = part(""), [*pairs, day]
        else:
            earlier, own = part(" AND priority_lane > ?"), part(" AND priority_lane = ? AND position < ?")
            read = f"coalesce({earlier}, '') || coalesce({own}, '')"
            params = [*pairs, day, lane, *pairs, day, lane, position]
        sql = f"SELECT {read}, (SELECT COUNT(*) {line} AND service IN ({in_sql}) AND position IS NULL)"
        row = self.db.execute(sql, [*params, day, *services]).fetchone()
        return row[0] or "", row[1]

    def busy_counters(self) -> dict[int, str]:
        """The counters calling or serving a ticket now: {counter id: that ticket's service}."""
        rows = self.db.execute(
            f"SELECT counter_id, service FROM tickets {_ACTIVE_INDEX}"
            " WHERE status IN ('called', 'serving') AND counter_id IS NOT NULL ORDER BY id"
        ).fetchall()
        return {r[0]: r[1] for r in rows}

    def stale_tickets(self, today: str) -> list[Ticket]:
        """Tickets of earlier days still waiting or called (for the end-of-day expiry)."""
        rows = self.rows(
            f"SELECT * FROM tickets {_ACTIVE_INDEX} WHERE status IN ('waiting', 'called') AND day < ? ORDER BY id",
            [today],
        )
        return [ticket_from_row(r) for r in rows]

    def counter_ticket(self, counter_id: int) -> Ticket | None:
        """The ticket a counter is calling or serving, or None."""
        row = self.one(
            "SELECT * FROM tickets WHERE counter_id = ? AND status IN ('called', 'serving') ORDER BY id DESC LIMIT 1",
            [counter_id],
        )
        return ticket_from_row(row) if row else None

    def tickets_with_status(self, statuses: tuple[str, ...], day: str | None = None) -> list[Ticket]:
        """Tickets in some statuses (of one day, if given), oldest first."""
        marks = ", ".join("?" for _ in statuses)
        sql = f"SELECT * FROM tickets {_ACTIVE_INDEX} WHERE status IN ({marks})"
        params: list[Any] = list(statuses)
        if day is not None:
            sql += " AND day = ?"
            params.append(day)
        return [ticket_from_row(r) for r in self.rows(sql + " ORDER BY id", params)]

    def line_forms(self, day: str) -> list[dict[str, Any]]:
        """The day's tickets still to be served (waiting or called), oldest first, each with its form's
        identity: {label, status, name, agency, phone} (a second registration is looked for among them)."""
        return self.rows(
            f"SELECT t.label, t.status, f.name, f.agency, f.phone FROM tickets t {_ACTIVE_INDEX}"
            " JOIN forms f ON f.ticket_id = t.id WHERE t.status IN (?, ?) AND t.day = ? ORDER BY t.id",
            [WAITING, CALLED, day],
        )

    def tickets_of_day(self, day: str) -> list[Ticket]:
        """Every ticket of a day, oldest first."""
        return [ticket_from_row(r) for r in self.rows("SELECT * FROM tickets WHERE day = ? ORDER BY id", [day])]

    def waiting_counts(self, day: str, services: Sequence[str] | None = None) -> dict[str, int]:
        """How many wait per service on a day: each of `services` (0 for none waiting), or (None) each service with
        any. `services`: a COUNT(*) of each one's range of the queue index, which SQLite counts without reading a
        column (half the time of a GROUP BY over the day's line: every event that moves the line asks,
        UnitOfWork.decorate)."""
        if services is not None:
            if not services:
                return {}
            one = "(SELECT COUNT(*) FROM tickets WHERE day = ? AND status = 'waiting' AND service = ?)"
            row = self.db.execute(
                "SELECT " + ", ".join(one for _ in services), [x for code in services for x in (day, code)]
            ).fetchone()
            return dict(zip(services, row, strict=True))
        return {
            r["service"]: r["n"]
            for r in self.rows(
                "SELECT service, COUNT(*) AS n FROM tickets WHERE day = ? AND status = ? GROUP BY service",
                [day, WAITING],
            )
        }

    def recent_service_seconds(self, service: str, limit: int = 20) -> list[float]:
        """Seconds from first call to the end of service, for the last finished tickets of a service."""
        rows = self.db.execute(  # as tuples, not dicts: read for every place in line (the and the slip's)
            "SELECT first_called_at, finished_at FROM tickets WHERE service = ? AND status IN"
            f" ({SERVED_SQL}) AND first_called_at IS NOT NULL AND finished_at IS NOT NULL"
            " ORDER BY finished_at DESC LIMIT ?",
            [service, limit],
        ).fetchall()
        parse = datetime.fromisoformat
        seconds = ((parse(finished) - parse(called)).total_seconds() for called, finished in rows)
        return [s for s in seconds if s >= 0]  # a negative one: the PC's clock was stepped back in between

    def recent_service_times(self, services: Sequence[str], limit: int = 20) -> dict[str, list[float]]:
        """recent_service_seconds of each of `services`, in one statement."""
        one = (
            "SELECT * FROM (SELECT service, first_called_at, finished_at FROM tickets WHERE service = ? AND status IN"
            f" ({SERVED_SQL}) AND first_called_at IS NOT NULL AND finished_at IS NOT NULL"
            " ORDER BY finished_at DESC LIMIT ?)"
        )
        params = [x for code in services for x in (code, limit)]
        out: dict[str, list[float]] = {code: [] for code in services}
        if not services:
            return out
        parse = datetime.fromisoformat
        for code, called, finished in self.db.execute(" UNION ALL ".join(one for _ in services), params).fetchall():
            seconds = (parse(finished) - parse(called)).total_seconds()
            if seconds >= 0:  # a negative one: the PC's clock was stepped back in between
                out[code].append(seconds)
        return out

    def only_events_since(self, seq: int, types: Iterable[str]) -> int | None:
        """The seq of the last event this transaction sees, when it is `seq` or later and every event after `seq`
        is of `types`; None otherwise (recent_service_times kept while only events that finish no ticket came, and
        the next look from where this one ended: Views.service_times). The events after `seq` from the primary
        key: as many as came since."""
        kinds = sorted(types)
        marks = ", ".join("?" for _ in kinds)
        last, other = self.db.execute(
            "SELECT COALESCE((SELECT MAX(seq) FROM events), 0), EXISTS (SELECT 1 FROM events"
            f" WHERE seq > ? AND type NOT IN ({marks}))",
            [seq, *kinds],
        ).fetchone()
        return last if last >= seq and not other else None

    def newest_day(self) -> str | None:
        """The newest office day with tickets (None: none), from the index's end."""
        return self.one("SELECT MAX(day) AS d FROM tickets")["d"]

    def newest_record(self) -> tuple[str | None, str | None]:
        """The newest office day with tickets and the latest time recorded on it (a ticket issued, called, started
        or finished), ISO (None, None: no tickets): what the server's clock is compared with (Upkeep.clock_behind).
        Two index lookups (MAX(day), then that day's rows), whatever the database's age."""
        day = self.newest_day()
        if day is None:
            return None, None
        at = self.one(
            "SELECT MAX(MAX(created_at, COALESCE(last_called_at, ''), COALESCE(started_at, ''),"
            " COALESCE(finished_at, ''))) AS at"
            " FROM tickets WHERE day = ?",
            [day],
        )["at"]
        return day, at

    def has_tickets(self) -> bool:
        """Whether the database holds any ticket at all."""
        return self.one("SELECT EXISTS (SELECT 1 FROM tickets) AS n")["n"] == 1

    def issued_counts(self, day: str) -> dict[str, int]:
        """Per label prefix ("A"), the day's tickets not cancelled: the numbers a service's daily quota
        counts (a prefix is one service's all day, see admin.check_prefixes), read from the m011 index."""
        return {
            r["prefix"][:-1]: r["n"]
            for r in self.rows(
                f"SELECT {LABEL_PREFIX} AS prefix, COUNT(*) AS n FROM tickets WHERE day = ? AND status != 'cancelled'"
                " GROUP BY prefix",
                [day],
            )
        }
