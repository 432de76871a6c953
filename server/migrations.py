"""The database's schema, by numbered migrations (sqlite-utils' Migrations, recorded by name in the
table _sqlite_migrations of every database): Store applies those not yet applied when it opens.

A migration's name and place never change once released, and a new one goes last. What a migration
and the queries share (the duration columns and their rounding, the label-prefix expression of the
m011 index, the renumbering of a day's positions) is defined here, so that the two stay alike.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("antrian")


@migrations()
def m001_initial(db: Database) -> None:
    db["tickets"].create(
        {
            "id": int,
            "day": str,
            "service": str,
            "number": int,
            "label": str,
            "token": str,
            "status": str,
            "priority": int,
            "position": float,
            "calls": int,
            "requeues": int,
            "counter_id": int,
            "created_at": str,
            "first_called_at": str,
            "last_called_at": str,
            "started_at": str,
            "finished_at": str,
            "closed_at": str,
            "category": str,
            "priority_class": str,
            "solution": str,
            "officer": str,
            "escalation_note": str,
            "lkpp_ticket": str,
            "lkpp_answer": str,
            "transferred_from": str,
            "version": int,
        },
        pk="id",
        not_null={"day", "service", "number", "label", "token", "status", "created_at"},
        defaults={"calls": 0, "requeues": 0, "priority": 0, "version": 1},
    )
    db["tickets"].create_index(["day", "service", "number"], unique=True)
    db["tickets"].create_index(["token"], unique=True)
    db["tickets"].create_index(["day", "status"])
    db["tickets"].create_index(["counter_id", "status"])
    db["forms"].create(
        {
            "ticket_id": int,
            "name": str,
            "agency": str,
            "address": str,
            "phone": str,
            "problem": str,
        },
        pk="ticket_id",
        foreign_keys=[("ticket_id", "tickets", "id")],
    )
    db["counters"].create(
        {"id": int, "name": str, "services": str, "officer_id": int, "officer_name": str, "claimed_at": str},
        pk="id",
    )
    db["users"].create(
        {
            "id": int,
            "username": str,
            "password_hash": str,
            "role": str,
            "counter_id": int,
            "active": int,
            "created_at": str,
        },
        pk="id",
        not_null={"username", "password_hash", "role"},
        defaults={"active": 1},
    )
    db["users"].create_index(["username"], unique=True)
    db["events"].create(
        {
            "seq": int,
            "at": str,
            "day": str,
            "type": str,
            "ticket_id": int,
            "counter_id": int,
            "actor": str,
            "data": str,
        },
        pk="seq",
    )
    db.execute("CREATE INDEX idx_events_day_type ON events (day, type)")
    db["requests"].create(
        {"key": str, "status": int, "body": str, "at": str},
        pk="key",
    )
    db["print_jobs"].create(
        {
            "id": int,
            "ticket_id": int,
            "printer": str,
            "kind": str,
            "status": str,
            "attempts": int,
            "error": str,
            "next_attempt_at": str,
            "created_at": str,
            "printed_at": str,
        },
        pk="id",
        defaults={"attempts": 0},
    )
    db["print_jobs"].create_index(["status", "next_attempt_at"])


@migrations()
def m002_escalation_mail(db: Database) -> None:
    db["mails"].create(
        {
            "id": int,
            "ticket_id": int,
            "kind": str,
            "status": str,
            "attempts": int,
            "error": str,
            "subject": str,
            "next_attempt_at": str,
            "created_at": str,
            "sent_at": str,
        },
        pk="id",
        defaults={"attempts": 0},
        foreign_keys=[("ticket_id", "tickets", "id")],
    )
    db["mails"].create_index(["status", "next_attempt_at"])
    db["tickets"].create_index(["status"])


@migrations()
def m003_report_indexes(db: Database) -> None:
    # Service-time figures look up each escalated ticket's mail (a full scan per ticket without it).
    db["mails"].create_index(["ticket_id"])


@migrations()
def m004_figures_covering_index(db: Database) -> None:
    # Service-time figures read every ticket of a range: this covering index holds all they read,
    # so years of tickets are summed without touching the wide table rows (docs/reports.md).
    db["tickets"].create_index(
        [
            "day",
            "service",
            "officer",
            "status",
            "requeues",
            "created_at",
            "first_called_at",
            "started_at",
            "finished_at",
        ],
        index_name="idx_tickets_figures",
    )


@migrations()
def m005_settings_overrides(db: Database) -> None:
    db["settings_overrides"].create(
        {"section": str, "value": str, "updated_at": str, "actor": str},
        pk="section",
    )


@migrations()
def m006_queue_order_index(db: Database) -> None:
    # Calling order and positions are read per (day, status, service, priority) by position.
    db["tickets"].create_index(["day", "status", "service", "priority", "position"], index_name="idx_tickets_queue")
    db["tickets"].create_index(["service", "finished_at"], index_name="idx_tickets_service_finished")


@migrations()
def m007_drop_redundant_index(db: Database) -> None:
    # idx_tickets_queue (day, status, service, priority, position) serves every (day, status) lookup;
    # one index fewer to update on each ticket written.
    db.execute("DROP INDEX IF EXISTS idx_tickets_day_status")


# The figures' durations (milliseconds), derived from a ticket's timestamps whenever its row is
# written (ticket_to_row; service_ms plus served_before_ms, the stretches before a transfer) and
# backfilled by m008, then m019 (copy_ms by m023): column -> (start, end) timestamp columns.
DURATION_COLUMNS = {
    "waiting_ms": ("created_at", "first_called_at"),
    "response_ms": ("first_called_at", "first_started_at"),
    "service_ms": ("started_at", "finished_at"),
    "copy_ms": ("finished_at", "copy_printed_at"),  # m023: SOP step 12, the visitor's copy of the form
}
# As m008 derived them, before first_started_at existed (m019).
_M008_DURATIONS = {
    "waiting_ms": ("created_at", "first_called_at"),
    "response_ms": ("first_called_at", "started_at"),
    "service_ms": ("started_at", "finished_at"),
}


def duration_ms(start: str | None, end: str | None) -> int | None:
    """Milliseconds between two stored ISO timestamps (None when either is missing), rounded half to
    even (Python's round), as the tests' pure path of the figures rounds them (tests/figures_oracle.py).
    None too when the end is before the start: the server PC's clock was stepped back between the two (NTP
    correcting a clock that ran fast, an admin's hand). Such a time is not known, and is not measured: never
    shown, nor averaged, as a negative (docs/operations.md, "Jam PC server")."""
    if not start or not end:
        return None
    ms = round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() * 1000)
    return ms if ms >= 0 else None


@migrations()
def m008_ticket_durations(db: Database) -> None:
    # Service-time figures sum these integers instead of parsing four timestamps per ticket with
    # julianday() (docs/reports.md). The backfill calls the same function the write path uses, so
    # old and new rows round alike; the figures' covering index is rebuilt over the integers.
    for column in _M008_DURATIONS:
        db["tickets"].add_column(column, int)
    db.conn.create_function("antrian_duration_ms", 2, duration_ms, deterministic=True)
    db.execute(
        "UPDATE tickets SET "
        + ", ".join(f"{c} = antrian_duration_ms({a}, {b})" for c, (a, b) in _M008_DURATIONS.items())
    )
    db.execute("DROP INDEX IF EXISTS idx_tickets_figures")
    db["tickets"].create_index(
        ["day", "service", "officer", "status", "requeues", *_M008_DURATIONS, "finished_at", "created_at"],
        index_name="idx_tickets_figures",
    )


@migrations()
def m009_position_index(db: Database) -> None:
    # A new ticket goes behind every ticket of its day: MAX(position) read from this index instead of
    # a walk over the whole day's tickets (87 µs per issue at 2,000 tickets a day, growing).
    db["tickets"].create_index(["day", "position"], index_name="idx_tickets_day_position")


@migrations()
def m010_event_indexes(db: Database) -> None:
    # The maintenance loop asks every second for the last settings_changed event, and a record's
    # history for its ticket's events: both walked the whole event log (21 ms and 20 ms at ten
    # years, 380,000 events); with these they read a few index entries.
    db["events"].create_index(["type", "seq"], index_name="idx_events_type_seq")
    db["events"].create_index(["ticket_id", "seq"], index_name="idx_events_ticket_seq")


# A label's prefix with its dash ("A-" of "A-012"): tickets are numbered per prefix and day, by this
# expression and its index (m011); the two must stay written alike for SQLite to use the index.
LABEL_PREFIX = "substr(label, 1, instr(label, '-'))"


@migrations()
def m011_unique_labels(db: Database) -> None:
    # A label is unique per day whatever the admin does (issue 11): numbers were per (day, service),
    # so a prefix moved between services, or a ticket transferred to another service, could give a
    # second ticket a label already on the day (and (day, service, number) refused a transfer into a
    # service that had the same number: a 500). Now numbers are per (day, prefix), read from the
    # index below, and UNIQUE (day, label) is the rule. Labels already doubled by the old numbering
    # are kept on their first ticket; each later one is marked "~<id>" so the index can be made.
    doubled = db.execute(
        "SELECT t.id FROM tickets t JOIN (SELECT day, label, MIN(id) AS first FROM tickets GROUP BY day, label"
        " HAVING COUNT(*) > 1) d ON t.day = d.day AND t.label = d.label AND t.id > d.first"
    ).fetchall()
    for (ticket_id,) in doubled:
        db.execute("UPDATE tickets SET label = label || '~' || id WHERE id = ?", [ticket_id])
    db.execute("DROP INDEX IF EXISTS idx_tickets_day_service_number")
    db.execute("CREATE UNIQUE INDEX idx_tickets_day_label ON tickets (day, label)")
    db.execute(f"CREATE INDEX idx_tickets_day_prefix_number ON tickets (day, {LABEL_PREFIX}, number)")


@migrations()
def m012_session_versions(db: Database) -> None:
    # A login carries its account's session_version; logout, a new password, disabling, enabling or
    # a new role add one, and every session (and staff socket) signed with an older one ends.
    db.execute("ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0")


def renumber_positions(db: Database, day: str) -> None:
    """Give a day's tickets the positions 1, 2, 3 … in their order (position, then id).

    In two passes, first above every position of the day, so that UNIQUE (day, position) holds after
    each row (SQLite checks it row by row)."""
    highest, count = db.execute(
        "SELECT COALESCE(MAX(position), 0), COUNT(*) FROM tickets WHERE day = ? AND position IS NOT NULL", [day]
    ).fetchone()
    offset = max(highest, 0) + count + 1
    ranked = (
        "(SELECT id, ROW_NUMBER() OVER (ORDER BY position, id) AS r FROM tickets"
        " WHERE day = ? AND position IS NOT NULL) AS ranked"
    )
    db.execute(f"UPDATE tickets SET position = ? + ranked.r FROM {ranked} WHERE tickets.id = ranked.id", [offset, day])
    db.execute("UPDATE tickets SET position = position - ? WHERE day = ? AND position IS NOT NULL", [offset, day])


@migrations()
def m013_queue_lanes_unique_positions(db: Database) -> None:
    # A skipped ticket is requeued right behind the ticket next at that moment in the calling order
    # (core.requeue_place): it takes that ticket's lane, so the lane a ticket is called in is a column of
    # its own, apart from the visitor's priority (what the display shows and the records keep); the queue
    # index reads it instead. A transfer starts a new turn: queue_requeues counts the requeues in the
    # current service's line (max_requeues), requeues still every one (the figures).
    # Positions were floats that could tie (a transfer's min - 1.0, a requeue's next + 1.0, a kept place),
    # and a ticket requeued behind one of a tied pair landed behind both: a day with a tie is renumbered
    # in its order, and UNIQUE (day, position) is now the rule.
    db.execute("ALTER TABLE tickets ADD COLUMN priority_lane INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE tickets ADD COLUMN queue_requeues INTEGER NOT NULL DEFAULT 0")
    db.execute("UPDATE tickets SET priority_lane = 1 WHERE priority = 1")
    db.execute("UPDATE tickets SET queue_requeues = requeues WHERE requeues > 0")
    tied = db.execute(
        "SELECT DISTINCT day FROM tickets WHERE position IS NOT NULL GROUP BY day, position HAVING COUNT(*) > 1"
    ).fetchall()
    for (day,) in tied:
        renumber_positions(db, day)
    db.execute("DROP INDEX IF EXISTS idx_tickets_queue")
    db["tickets"].create_index(
        ["day", "status", "service", "priority_lane", "position"], index_name="idx_tickets_queue"
    )
    db.execute("DROP INDEX IF EXISTS idx_tickets_day_position")
    db.execute("CREATE UNIQUE INDEX idx_tickets_day_position ON tickets (day, position)")


@migrations()
def m014_account_names(db: Database) -> None:
    # The officer signs the A4 consultation form (SOP step 12) with their full name and NIP (the civil
    # servant's 18-digit number), not the login name: both optional, NULL when not given.
    db.execute("ALTER TABLE users ADD COLUMN full_name TEXT")
    db.execute("ALTER TABLE users ADD COLUMN nip TEXT")


@migrations()
def m015_counter_pause(db: Database) -> None:
    # A counter can be paused (a break: the TV shows ISTIRAHAT, call-next is refused). The pause is kept
    # across restarts and lasts until it is resumed or the office's day ends (a pause of an earlier day
    # is none). (m014 is the accounts' full name and NIP.)
    db.execute("ALTER TABLE counters ADD COLUMN paused_at TEXT")


@migrations()
def m016_print_jobs_by_ticket(db: Database) -> None:
    # The visitor's ticket status says how its kiosk print went (Tx.ticket_print_status): the ticket's
    # latest ticket or reprint job, read by ticket rather than by a walk through every job of the years.
    db["print_jobs"].create_index(["ticket_id"], index_name="idx_print_jobs_ticket")


@migrations()
def m017_requests_by_time(db: Database) -> None:
    # Stored idempotency answers (~1 KB each, four or more per visitor) are kept only as long as a client
    # may retry: the maintenance loop drops those older than a day, oldest first, read from this index
    # (QueueService.forget_old_requests). The database's own switch to auto_vacuum=INCREMENTAL, which
    # gives their pages back to the disk, is Store.make_incremental: a VACUUM, which a migration cannot
    # retry when it fails (a full disk).
    db["requests"].create_index(["at"], index_name="idx_requests_at")


@migrations()
def m018_survey_responses(db: Database) -> None:
    # The public-satisfaction survey (SKM, PermenPANRB 14/2017; server/skm.py): one response per ticket,
    # its nine scores (1-4) as integer columns, the optional respondent profile and a suggestion or
    # complaint. The ticket's day, service and counter are copied in, so that the index is summed per
    # period, service and counter without the ticket, and retention can cut the link (ticket_id NULL,
    # a UNIQUE column may hold many) while the scores stay. A suggestion with text is a complaint the
    # office answers: answer, answered_by, answered_at.
    scores = ", ".join(f"u{i} INTEGER NOT NULL CHECK (u{i} BETWEEN 1 AND 4)" for i in range(1, 10))
    db.execute(
        "CREATE TABLE survey_responses (id INTEGER PRIMARY KEY, ticket_id INTEGER UNIQUE REFERENCES tickets(id),"
        " day TEXT NOT NULL, service TEXT NOT NULL, counter_id INTEGER, channel TEXT NOT NULL, "
        + scores
        + ", sex TEXT, age INTEGER, education TEXT, occupation TEXT, suggestion TEXT,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, answer TEXT, answered_by TEXT, answered_at TEXT)"
    )
    db.execute("CREATE INDEX idx_survey_day ON survey_responses (day, service, counter_id)")
    # the complaints page: responses with text, open ones first
    db.execute(
        "CREATE INDEX idx_survey_complaints ON survey_responses (answered_at, created_at) WHERE suggestion IS NOT NULL"
    )
    # The questionnaire's wording as an admin changed it (the defaults are in server/i18n): per element,
    # {"question": {"id", "en"}, "choices": [{"id", "en"} x4]}.
    db.execute(
        "CREATE TABLE survey_texts (element TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL,"
        " actor TEXT NOT NULL)"
    )


@migrations()
def m019_service_across_transfers(db: Database) -> None:
    # A transfer started the visitor's service afresh at the new service (started_at again), and the
    # figures lost the stretch served before it and counted it as response time. Each ticket now keeps
    # when its service first started and how long it was served before its transfers; the transferred
    # tickets of older versions get both from their events (each 'started' to the 'transferred' after it).
    db.execute("ALTER TABLE tickets ADD COLUMN first_started_at TEXT")
    db.execute("ALTER TABLE tickets ADD COLUMN served_before_ms INTEGER NOT NULL DEFAULT 0")
    db.execute("UPDATE tickets SET first_started_at = started_at")
    moved = [r[0] for r in db.execute("SELECT id FROM tickets WHERE transferred_from != ''").fetchall()]
    for ticket_id in moved:
        first = start = None
        before = 0
        events = db.execute(
            "SELECT type, at FROM events WHERE ticket_id = ? AND type IN ('started', 'transferred') ORDER BY seq",
            [ticket_id],
        ).fetchall()
        for kind, at in events:
            if kind == "started":
                first, start = first or at, at
            elif start is not None:
                before += duration_ms(start, at) or 0
                start = None
        row = db.execute(
            "SELECT first_called_at, started_at, finished_at FROM tickets WHERE id = ?", [ticket_id]
        ).fetchone()
        first = first or row[1]
        service = duration_ms(row[1], row[2])
        db.execute(
            "UPDATE tickets SET first_started_at = ?, served_before_ms = ?, response_ms = ?, service_ms = ?"
            " WHERE id = ?",
            [first, before, duration_ms(row[0], first), None if service is None else service + before, ticket_id],
        )


@migrations()
def m020_complaint_history(db: Database) -> None:
    # Complaints kept whole (docs/skm.md "Complaints"). A correction of a survey response replaced its
    # text and kept the reply to the earlier one, and a second reply replaced the first, both without a
    # trace; a text needing no reply (praise) stayed open for good. Now: when the current text was
    # written (text_at: a changed text reopens the complaint, and its age counts from it), a complaint
    # closed without a reply (closed_by, closed_at), how many times the response was corrected (a
    # bound per ticket), and every text, reply and close that something later replaced, with who and
    # when (complaint_history). The texts of older versions are dated as their response.
    for column in ("text_at TEXT", "closed_by TEXT", "closed_at TEXT", "corrections INTEGER NOT NULL DEFAULT 0"):
        db.execute(f"ALTER TABLE survey_responses ADD COLUMN {column}")
    db.execute("UPDATE survey_responses SET text_at = created_at WHERE suggestion IS NOT NULL")
    db.execute(
        "CREATE TABLE complaint_history (id INTEGER PRIMARY KEY,"
        " response_id INTEGER NOT NULL REFERENCES survey_responses(id),"
        " kind TEXT NOT NULL CHECK (kind IN ('text', 'answer', 'closed')), text TEXT, actor TEXT,"
        " at TEXT NOT NULL, replaced_at TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX idx_complaint_history ON complaint_history (response_id, id)")
    # the complaints page: open ones (neither answered nor closed) by their text's time, the others by
    # when they were done
    db.execute("DROP INDEX idx_survey_complaints")
    db.execute(
        "CREATE INDEX idx_survey_complaints ON survey_responses (answered_at, closed_at, text_at)"
        " WHERE suggestion IS NOT NULL"
    )


@migrations()
def m021_survey_wordings(db: Database) -> None:
    # Answers tied to the wording they were given under (docs/skm.md "Wordings"). An admin may change a
    # question or its choices at any time, and only the wording of now was kept: a month's report printed
    # today's U4 above answers given under another. Now every wording the office used is kept whole (the
    # nine elements' questions and choices, both languages; `custom`: the elements whose words are not
    # the model questionnaire's; when and by whom), and each response says which it was answered
    # under (`wording`). The first is the wording in use at this upgrade: since the start (set_at NULL)
    # when the survey's wording was never changed, else since its last change, which the responses given
    # or corrected from then on were answered under; those before it were answered under a wording
    # nobody kept (`wording` NULL: "not recorded").
    import json
    from pathlib import Path

    # The model questionnaire's wording as it was when this migration was written, kept beside it: the
    # catalogue's may change in a later release, and a database upgraded then must record what its
    # visitors were shown
    model = json.loads((Path(__file__).parent / "data" / "m021_model_wording.json").read_text(encoding="utf-8"))

    def default_texts(code: str) -> dict:
        return model[code]

    db.execute(
        "CREATE TABLE survey_wordings (id INTEGER PRIMARY KEY, texts TEXT NOT NULL, custom TEXT NOT NULL,"
        " set_at TEXT, actor TEXT)"
    )
    db.execute("ALTER TABLE survey_responses ADD COLUMN wording INTEGER REFERENCES survey_wordings(id)")
    custom = {element: json.loads(value) for element, value in db.execute("SELECT element, value FROM survey_texts")}
    texts = {code: custom.get(code) or default_texts(code) for code in model}  # the elements of m021's release
    last = db.execute(
        "SELECT at, actor FROM (SELECT updated_at AS at, actor FROM survey_texts UNION ALL SELECT at, actor FROM"
        " events WHERE type = 'settings_changed'"
        " AND CASE WHEN json_valid(data) THEN json_extract(data, '$.section') END = 'survey')"
        " ORDER BY at DESC LIMIT 1"
    ).fetchone()
    set_at, actor = last if last else (None, None)
    cur = db.execute(
        "INSERT INTO survey_wordings (texts, custom, set_at, actor) VALUES (?, ?, ?, ?)",
        [
            json.dumps(texts, ensure_ascii=False),
            json.dumps([c for c in model if texts[c] != default_texts(c)]),
            set_at,
            actor,
        ],
    )
    db.execute(
        "UPDATE survey_responses SET wording = ? WHERE ? IS NULL OR updated_at >= ?", [cur.lastrowid, set_at, set_at]
    )


@migrations()
def m022_partly_served(db: Database) -> None:
    # A visitor served, transferred, and never served at the new service (no-show, cancelled, or the day
    # ended) had no service time and was in no recap: the stretches served before the transfer are now
    # their service time (ticket_to_row), and the recap lists them. The statuses as core.UNSERVED_ENDS
    # had them when this was written.
    db.execute(
        "UPDATE tickets SET service_ms = served_before_ms WHERE service_ms IS NULL AND served_before_ms > 0"
        " AND status IN ('no_show', 'cancelled', 'expired')"
    )


# The figures' covering index from m023 on: every column a figure sum reads (Tx.figure_sums).
FIGURES_INDEX = (
    "day",
    "service",
    "officer",
    "status",
    "requeues",
    "waiting_ms",
    "response_ms",
    "service_ms",
    "form_seconds",
    "copy_ms",
    "finished_at",
    "created_at",
)


@migrations()
def m023_form_and_copy_times(db: Database) -> None:
    # The SOP's two standard times left unmeasured (docs/reports.md): the form (steps 2-6), which the kiosk
    # now times from the visitor's first tap to the number and sends with it (form_seconds, whole seconds;
    # NULL for the tickets before, and for those the front office registers), and the visitor's copy of the
    # form (step 12), measured from the end of service to the first print of the copy on a counter printer
    # (copy_printed_at, kept by the print jobs' bookkeeping; copy_ms derived as the other durations are).
    # Older tickets take their copy's time from the form print jobs already printed. The figures' covering
    # index is rebuilt over the two new measures, so the sums still read only the index.
    db.execute("ALTER TABLE tickets ADD COLUMN form_seconds INTEGER")
    db.execute("ALTER TABLE tickets ADD COLUMN copy_printed_at TEXT")
    db.execute("ALTER TABLE tickets ADD COLUMN copy_ms INTEGER")
    db.conn.create_function("antrian_duration_ms", 2, duration_ms, deterministic=True)
    db.execute(
        "UPDATE tickets SET copy_printed_at = p.at, copy_ms = antrian_duration_ms(tickets.finished_at, p.at)"
        " FROM (SELECT ticket_id, MIN(printed_at) AS at FROM print_jobs WHERE kind = 'form' AND status = 'printed'"
        " AND printed_at IS NOT NULL GROUP BY ticket_id) AS p WHERE tickets.id = p.ticket_id"
    )
    db.execute("DROP INDEX IF EXISTS idx_tickets_figures")
    db.execute(f"CREATE INDEX idx_tickets_figures ON tickets ({', '.join(FIGURES_INDEX)})")


@migrations()
def m024_transfer_note(db: Database) -> None:
    # A visitor sent on to another service arrived there with nothing but the service they came from: the
    # first officer's findings stayed in their own draft. A transfer may now carry a note for the officer
    # at the other service (core.transfer); the tickets before have none.
    db.execute("ALTER TABLE tickets ADD COLUMN transfer_note TEXT")


# The figures' days (m025): per past day, the sums Tx.figure_sums makes, per day, officer and service;
# the dashboard adds up these rows for the days they cover instead of every ticket of those days. Named in
# the queries' order. A day's row ("day") also counts its tickets per UTC hour of creation (FIGURE_DAY_HOURS).
FIGURE_DAY_COLUMNS = (
    "tickets",
    "served",
    "no_show",
    "cancelled",
    "expired",
    "in_play",
    "requeued",
    "requeues",
    *(
        f"{m}_{x}"
        for m in ("form", "waiting", "response", "service", "copy")
        for x in (("n", "sum", "max") if m == "response" else ("n", "sum", "max", "within"))
    ),
    "copy_unprinted",
    "escalated",
    "escalation_n",
    "escalation_sum",
    "escalation_max",
    "escalation_within",
    "escalation_no_mail",
)
FIGURE_DAY_HOURS = tuple(f"utc_h{h:02d}" for h in range(24))


@migrations()
def m025_figure_days(db: Database) -> None:
    # The dashboard over ten years summed 100,000 tickets per request (300 ms, and a child process under
    # gevent). A past day's sums are now kept per day, officer and service (figure_days), made by the
    # maintenance loop for every day marked stale (figure_stale), and dropped and marked stale again by
    # the triggers below whenever anything they are made of changes: the day's tickets, an escalation
    # mail, an LKPP number recorded, a form print job. The sums' within counts depend on the standard
    # times, kept with each row (`limits`). Every day with tickets starts stale.
    columns = ", ".join(f"{c} INTEGER" for c in (*FIGURE_DAY_COLUMNS, *FIGURE_DAY_HOURS))
    db.execute(
        "CREATE TABLE figure_days (grp TEXT NOT NULL, day TEXT NOT NULL, key TEXT NOT NULL, limits TEXT NOT NULL,"
        f" {columns}, PRIMARY KEY (grp, day, key)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX idx_figure_days_day ON figure_days (day)")
    db.execute("CREATE TABLE figure_stale (day TEXT PRIMARY KEY) WITHOUT ROWID")
    db.execute("INSERT INTO figure_stale (day) SELECT DISTINCT day FROM tickets")
    of_ticket = "SELECT day FROM tickets WHERE id = {row}.ticket_id"
    triggers = {
        "tickets_insert": ("AFTER INSERT ON tickets", ["SELECT NEW.day AS day"]),
        "tickets_update": (
            "AFTER UPDATE ON tickets",
            ["SELECT NEW.day AS day", "SELECT OLD.day AS day WHERE OLD.day IS NOT NEW.day"],
        ),
        "tickets_delete": ("AFTER DELETE ON tickets", ["SELECT OLD.day AS day"]),
    }
    for table, when in (
        ("mails", "{row}.kind = 'escalation'"),
        ("events", "{row}.type = 'lkpp_ticket'"),
        ("print_jobs", "{row}.kind = 'form'"),
    ):
        for verb, rows in (("INSERT", ["NEW"]), ("UPDATE", ["NEW", "OLD"]), ("DELETE", ["OLD"])):
            cond = " OR ".join(when.format(row=r) for r in rows)
            triggers[f"{table}_{verb.lower()}"] = (
                f"AFTER {verb} ON {table} WHEN {cond}",
                [of_ticket.format(row=r) for r in rows],
            )
    for name, (when, days) in triggers.items():
        body = " ".join(
            f"INSERT OR IGNORE INTO figure_stale (day) SELECT day FROM ({d}) WHERE day IS NOT NULL;"
            f" DELETE FROM figure_days WHERE day IN ({d});"
            for d in days
        )
        db.execute(f"CREATE TRIGGER figure_stale_{name} {when} BEGIN {body} END")


@migrations()
def m026_mail_signer(db: Database) -> None:
    # The escalation mail said the officer's login name ("Pemberi penjelasan: budi"), made when it was
    # sent. It now signs as the A4 form does, with the full name and NIP the account had when the case was
    # escalated, kept with the queued mail (a mail queued before this has none: the account's name now).
    db["mails"].add_column("signer", str)


@migrations()
def m027_ticket_signer(db: Database) -> None:
    # The consultation form is signed by the officer who explained it (the SOP's "pemberi penjelasan"), and
    # its A4 copy, the counter printer's copy and the recap's Petugas read that officer's account as it is
    # now: a name or NIP changed later (a marriage, a new NIP, an account renamed) changed every form and
    # recap of the past, and a month's archive made again differed from the one printed and signed. As the
    # escalation mail keeps its signer (m026), the ticket now keeps who signs it, as their account named them
    # when the service started and again when the outcome was recorded (resolved or escalated): the full
    # name, else the login name (signer_name), and the NIP's digits, "" for none (signer_nip). A correction
    # changes neither. A ticket before this keeps none (NULL): it is read as the account is now, as before.
    db.execute("ALTER TABLE tickets ADD COLUMN signer_name TEXT")
    db.execute("ALTER TABLE tickets ADD COLUMN signer_nip TEXT")


# The name that retention writes over a visitor's name, phone and address (server/archive.py ANONYMISED, as it
# was when m028 was written): such a form is nobody's earlier visit.
_M028_ANONYMISED = "(dianonimkan)"


@migrations()
def m028_earlier_visits(db: Database) -> None:
    # The counter page shows a returning visitor's earlier visits (Tx.earlier_visits): the tickets whose form
    # has the same phone (stored normalised) or the same name at the same agency as server.forms.same_visitor
    # compares them, folded (case, spaces, dots and commas aside: casefold, which SQLite's lower() cannot do).
    # Each form now keeps that folded pair (visitor_key, core.visitor_key; NULL when either is empty, and once
    # retention anonymised it), written with the form. The lookup walks each of the two indexes below backwards
    # from the ticket for its newest few, then reads those tickets by id (EXPLAIN QUERY PLAN: two covering index
    # searches, no scan): 0.06-0.09 ms a lookup on a year of 50,000 visitors (250 days of 200), against 16 ms
    # for a first visit walking every form without them; this backfill took 0.3 s on those 50,000 forms.
    from server.core import visitor_key

    db.execute("ALTER TABLE forms ADD COLUMN visitor_key TEXT")
    db.conn.create_function("antrian_visitor_key", 2, visitor_key, deterministic=True)
    db.execute(
        "UPDATE forms SET visitor_key = antrian_visitor_key(name, agency) WHERE name IS NOT ?", [_M028_ANONYMISED]
    )
    db.execute("CREATE INDEX idx_forms_phone ON forms (phone)")
    db.execute("CREATE INDEX idx_forms_visitor_key ON forms (visitor_key) WHERE visitor_key IS NOT NULL")


@migrations()
def m029_served_before_transfer_per_service(db: Database) -> None:
    # Per service, a visitor served, sent on to another service and never served there (a no-show, cancelled
    # or expired there) now has its service time under the service it was sent on from, which served it, not
    # under the new one (Tx.figure_sums; docs/reports.md, "Transfers"). The days kept before this (m025) hold
    # it under the new service: those days are dropped and made again, summed from their tickets meanwhile.
    days = (
        "SELECT DISTINCT day FROM tickets WHERE status IN ('no_show', 'cancelled', 'expired')"
        " AND service_ms IS NOT NULL AND transferred_from IS NOT NULL AND transferred_from != ''"
    )
    db.execute(f"INSERT OR IGNORE INTO figure_stale (day) {days}")
    db.execute(f"DELETE FROM figure_days WHERE day IN ({days})")


@migrations()
def m030_mail_requeued_with(db: Database) -> None:
    # A mail the mail server refused for good (5xx) was queued again at every start while its case was open: an
    # office that restarts its PC daily sent LKPP the same refused mail daily, with the same alert. It is now
    # queued again at the first start after its refusal, and at a later one only when what it is sent with
    # changed (server/escalation.py sent_with: [escalation], the SMTP password, the mail's subject and text). Each
    # mail keeps the digest of what it was queued again with (requeued_with; NULL: not queued again since it was
    # refused, as every mail before this).
    db.execute("ALTER TABLE mails ADD COLUMN requeued_with TEXT")


@migrations()
def m031_no_negative_durations(db: Database) -> None:
    # A ticket served across a step back of the server PC's clock (NTP correcting a clock that ran fast, an admin
    # setting it by hand) kept a negative duration (its end stamped before its start): the dashboard averaged it
    # (a mean service time of -16 minutes), counted it within the SOP's standard and exported it. Such a time is
    # now not measured (duration_ms: None); those kept before are cleared here (the figure_stale triggers of m025
    # mark their days to be summed again). A service time is its last stretch plus the stretches served before a
    # transfer (served_before_ms, never negative: core.transfer): below those, its last stretch was negative.
    for column in ("waiting_ms", "response_ms", "copy_ms"):
        db.execute(f"UPDATE tickets SET {column} = NULL WHERE {column} < 0")
    db.execute("UPDATE tickets SET service_ms = NULL WHERE service_ms < COALESCE(served_before_ms, 0)")


@migrations()
def m032_counter_drafts(db: Database) -> None:
    # What the officer types for the ticket being served (the answer, the escalation analysis, the kind and the
    # class) was kept only in the counter tab's sessionStorage: a tab closed by mistake, a browser's crash or the
    # counter PC dying lost it while the visitor waited. It is kept here too, one row per ticket being served
    # (Tx.save_draft), until the ticket leaves the counter or stops being served: the triggers drop its row then,
    # whichever way it goes (Selesai, Eskalasi, Alihkan, a cancel, an expiry, its record deleted), and the day's
    # turn drops the rows of earlier days (QueueCommands._new_day).
    db.execute(
        "CREATE TABLE drafts (ticket_id INTEGER PRIMARY KEY, counter_id INTEGER NOT NULL, day TEXT NOT NULL,"
        " officer TEXT NOT NULL, solution TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '',"
        " category TEXT NOT NULL DEFAULT '', priority_class TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TRIGGER drafts_left AFTER UPDATE OF status, counter_id ON tickets"
        " WHEN NEW.status != 'serving' OR NEW.counter_id IS NOT OLD.counter_id"
        " BEGIN DELETE FROM drafts WHERE ticket_id = NEW.id; END"
    )
    db.execute(
        "CREATE TRIGGER drafts_deleted AFTER DELETE ON tickets BEGIN DELETE FROM drafts WHERE ticket_id = OLD.id; END"
    )


@migrations()
def m033_draft_versions(db: Database) -> None:
    # A counter page already open was not told that its counter's draft changed on another PC, and its next save
    # overwrote what was typed there. Each save numbers the draft (Tx.save_draft): a page's save names the version
    # its text is based on, and one based on an older version is refused (409 draft_stale).
    db.execute("ALTER TABLE drafts ADD COLUMN version INTEGER NOT NULL DEFAULT 1")


# The waiting line in calling order (priority lane first, then position) with each ticket's service, for the place
# in line (Tx.line_services, the answer and the slip's `ahead`) and the playout (Tx.waiting_line): m034.
# `status` is a column too so that SQLite (3.40) reads the line from the index alone (its WHERE alone does not).
LINE_INDEX = "idx_tickets_line ON tickets (day, priority_lane DESC, position, service, status) WHERE status = 'waiting'"


@migrations()
def m034_line_index(db: Database) -> None:
    # The place in line read the day's waiting tickets of its services from the queue index (by service), then sorted
    # them into the calling order (a temporary B-tree: at 1,500 waiting most of the statement's 0.7-1.3 ms), for the
    # issue's answer and again for its slip. This index holds the waiting tickets only, in that order: the line is
    # read in order, and no ticket served or gone is in it (written when a ticket joins or leaves the line, not at
    # its start or finish). docs/performance.md, "The line read in order".
    db.execute(f"CREATE INDEX {LINE_INDEX}")


def unknown_applied(db: Database) -> list[str]:
    """The migrations a database records as applied that this code does not know: it was opened by a newer
    version of Antrian, whose schema this one cannot be trusted to write (columns it never fills, rows it
    reads wrong)."""
    known = {name for name, fn in globals().items() if re.fullmatch(r"m\d{3}_\w+", name) and callable(fn)}
    return [m.name for m in migrations.applied(db) if m.name not in known]
