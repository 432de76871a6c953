"""What the busiest requests of the office cost (issuing, the slip, the counters' clicks), kept from growing back:
docs/performance.md, "A savepoint less and a COMMIT shared". Each cost test fails on the code before the cut it
names; beside it, an oracle shows that the cut changed no answer."""

from __future__ import annotations

import dataclasses
import random
import textwrap
import unicodedata
from contextlib import closing
from datetime import UTC, datetime

import pytest
from conftest import visitor
from hypothesis import given, settings
from hypothesis import strategies as st
from test_store_queue import DAY, make_line

import printers
from printers import slips
from server import core, forms
from server.core import Rules, Ticket
from server.errors import AntrianError, CounterBusy
from server.store import Store, Tx


def statements_of(service, command) -> list[str]:
    """Every SQL statement the write transactions of `command()` ran (trigger steps as SQLite reports them)."""
    statements: list[str] = []
    store, original = service.store, service.store.write

    def traced(*args, **kwargs):
        cm = original(*args, **kwargs)

        class Traced:
            def __enter__(self):
                self.tx = cm.__enter__()
                self.tx.db.conn.set_trace_callback(statements.append)
                return self.tx

            def __exit__(self, *exc):
                try:
                    return cm.__exit__(*exc)
                finally:
                    self.tx.db.conn.set_trace_callback(None)

        return Traced()

    store.write = traced
    try:
        command()
    finally:
        store.write = original
    return statements


def test_a_command_commits_without_a_savepoint_and_a_refusal_still_leaves_nothing(service):
    """A command's transaction is BEGIN IMMEDIATE, its statements, COMMIT: no savepoint inside it. A savepoint made
    SQLite copy every page the command changed into a statement journal, a temporary file past 64 KiB (an issue
    made one in five times): a quarter of an issue's CPU, and a file created and deleted on the disk the commits
    wait for. What a savepoint was for, a command refused halfway leaving nothing, holds: the transaction is
    rolled back whole. (The day's turn, in the first transaction of a day, has a savepoint of its own, once a day:
    UnitOfWork._turned; not the commands after it.)"""
    first = statements_of(service, lambda: service.issue(visitor(name="Budi"), printed=True))
    assert [s for s in first if s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))] == [
        "SAVEPOINT day_turn",
        "RELEASE day_turn",
    ]
    statements = statements_of(service, lambda: service.issue(visitor(name="Ani"), printed=True))
    assert statements[-1] == "COMMIT"
    assert not [s for s in statements if s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))]
    before = service.snapshot(staff=True)["seq"]
    with pytest.raises(RuntimeError), service.store.write() as tx:
        tx.add_event("issued", datetime.now(UTC), DAY, None, None, "test", {})
        raise RuntimeError("refused after a write")
    assert service.snapshot(staff=True)["seq"] == before


def _reference_text_problem(value: str, multiline: bool = False) -> str | None:
    """text_problem before its shortcut: every character's category looked up."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "invalid_unicode"
    allowed = "\n\t" if multiline else ""
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
        return "control_chars"
    return None


def test_a_visitors_printable_form_is_checked_without_looking_up_each_character(monkeypatch):
    """A form of printable text (every kiosk's) is told clean by str.isprintable, at C speed: 32 -> 8 us an issue."""
    looked_up = []
    real = unicodedata.category
    monkeypatch.setattr(unicodedata, "category", lambda ch: looked_up.append(ch) or real(ch))
    form = forms.validate_visitor_form(visitor(name="Dédé Kurniawan", problem="Lupa\nkata sandi"), {"A", "B", "C"})
    assert form.name == "Dédé Kurniawan"
    assert looked_up == []


@settings(max_examples=400, deadline=None)
@given(st.text(), st.booleans())
def test_the_text_check_says_what_the_character_by_character_check_said(value, multiline):
    assert forms.text_problem(value, multiline) == _reference_text_problem(value, multiline)


def test_no_control_character_is_printable():
    """The shortcut's premise, over every code point of this Python's Unicode tables."""
    import sys

    assert not [c for c in range(sys.maxunicode + 1) if chr(c).isprintable() and unicodedata.category(chr(c)) == "Cc"]


def test_each_counters_next_call_is_read_from_the_heads_keys_not_their_whole_rows(service):
    """The `next` on the events that move the line, and call-next's own pick, read each (service, lane)'s first
    waiting ticket by the columns of the calling order (Tx.queue_head_keys): six whole rows made Tickets cost 80 us
    an event, the keys 40."""
    for i in range(6):
        service.issue(visitor(name=f"V{i}", service="ABC"[i % 3]), printed=False)

    def call_next():
        service.counter_action(1, "call-next", {}, "budi")

    statements = statements_of(service, call_next)
    whole_heads = [s for s in statements if "SELECT * FROM (SELECT * FROM tickets WHERE day" in s]
    assert whole_heads == []
    assert [s for s in statements if "SELECT * FROM (SELECT id, label, service, status, priority_lane" in s]
    called = service.events[-1]
    assert called["type"] == "called" and called["next"]
    assert called["next"] == {str(c["id"]): c["next"] for c in service.snapshot(staff=True)["counters"]}


@pytest.mark.parametrize("seed", range(12))
def test_the_heads_keys_pick_the_ticket_the_whole_heads_pick(tmp_path, seed):
    rng = random.Random(seed)
    store = Store(tmp_path / "q.db")
    make_line(store, rng, rng.randint(0, 60))
    with store.read() as tx:
        for services in (["A"], ["A", "C"], ["B", "C"], ["A", "B", "C"]):
            whole = core.next_for(tx.queue_heads(DAY, services), services)
            keys = core.next_for(tx.queue_head_keys(DAY, services), services)
            assert (keys and (keys.id, keys.label, keys.service)) == (whole and (whole.id, whole.label, whole.service))
    store.close()


def test_an_events_waiting_counts_are_counted_per_service_inside_the_queue_index(service):
    """The waiting counts on every event that moves the line (UnitOfWork.decorate): a COUNT(*) of each service's range
    of the queue index, not a GROUP BY over the day's line (57 against 103 us at 1,250 waiting: SQLite counts a range
    without reading its columns). The same counts, a service nobody waits for at 0."""
    for i in range(7):
        service.issue(visitor(name=f"V{i}", service="AB"[i % 2]), printed=False)
    statements = statements_of(service, lambda: service.issue(visitor(name="W", service="A"), printed=False))
    assert not [s for s in statements if "GROUP BY service" in s]
    counted = [s for s in statements if s.startswith("SELECT (SELECT COUNT(*) FROM tickets WHERE day =")]
    assert len(counted) == 1, statements
    issued = service.events[-1]
    assert issued["type"] == "issued" and issued["waiting"] == {"A": 5, "B": 3, "C": 0}
    day = service.unit.day()
    with service.store.read() as tx:
        plan = [r[-1] for r in tx.db.execute(f"EXPLAIN QUERY PLAN {counted[0]}")]
        assert [p for p in plan if p.startswith("SEARCH")] == [
            "SEARCH tickets USING COVERING INDEX idx_tickets_queue (day=? AND status=? AND service=?)"
        ] * 3, plan
        assert tx.waiting_counts(day) == {"A": 5, "B": 3}  # each service with any (the stranded check's)
        assert tx.waiting_counts(day, ["C", "A"]) == {"C": 0, "A": 5} and tx.waiting_counts(day, []) == {}
    assert [s["waiting"] for s in service.snapshot()["services"]] == [5, 3, 0]


def test_counters_of_the_same_services_have_their_next_call_picked_once(service, monkeypatch):
    """Each counter's next call on an event (UnitOfWork.next_calls): picked once for the counters of the same
    services (every counter serving every service: once, not once per counter), the same ticket for each."""
    for i in range(5):
        service.issue(visitor(name=f"V{i}", service="ABC"[i % 3], priority=i == 4), printed=False)
    with service.store.read() as tx:
        heads = tx.queue_head_keys(service.unit.day(), ["A", "B", "C"])
    picks: list[tuple[str, ...]] = []
    real = core.next_for
    monkeypatch.setattr(core, "next_for", lambda waiting, services: picks.append(services) or real(waiting, services))
    settings_ = service.unit.settings
    assert service.unit.next_calls(heads) == {c.id: real(heads, c.services) for c in settings_.counters}
    assert len(picks) == len({c.services for c in settings_.counters}) == 3
    every = tuple(dataclasses.replace(c, services=("A", "B", "C")) for c in settings_.counters)
    monkeypatch.setattr(service.unit, "settings", dataclasses.replace(settings_, counters=every))
    picks.clear()
    nexts = service.unit.next_calls(heads)
    assert picks == [("A", "B", "C")]
    assert nexts == {c.id: real(heads, ("A", "B", "C")) for c in every} and nexts[1] is not None


def test_a_printers_outage_is_read_at_its_first_print_after_a_failure_not_at_every_print(service, clock, monkeypatch):
    """Whether a print ends its printer's outage (Tx.printer_outage: every job of the day's tickets on that printer,
    ~0.75 ms at 2,000) is read at the printer's first print after a failure recorded, and the failures it is after
    are all recorded there (Jobs.print_results): a run of slips printed reads it once, a failure makes the next print
    read it again, and that print still says the printer is back."""
    tokens = [service.issue(visitor(name=f"V{i}", service="A"), printed=True).body["ticket"] for i in range(7)]
    reads: list[str] = []
    real = Tx.printer_outage
    monkeypatch.setattr(Tx, "printer_outage", lambda tx, *a: reads.append(a[0]) or real(tx, *a))
    told: list[tuple[str, dict]] = []
    monkeypatch.setattr(service, "tell_staff", lambda name, data: told.append((name, data)))

    def result(ticket: dict, error: str | None) -> None:
        clock.advance(seconds=5)
        with service.store.read() as tx:
            job = tx.print_job(ticket["print_job"])
        service.jobs.print_results([(job, error)])

    for ticket in tokens[:3]:
        result(ticket, None)
    assert reads == ["kiosk"]  # the first print since the server started: once
    result(tokens[3], "printer kiosk: out of paper")
    for ticket in tokens[4:]:
        result(ticket, None)
    assert reads == ["kiosk", "kiosk"] and told == [("print_back", {"printer": "kiosk"})]


SLIP = printers.TicketSlip(
    office_name="LPSE Kabupaten Contoh",
    office_address="Jl. Jenderal Sudirman No. 1, Kabupaten Contoh",
    label="A-123",
    service_name="Konsultasi Pengadaan",
    issued_at=datetime(2026, 12, 4, 2, 0, tzinfo=UTC),
    ahead=12,
    qr_url="http://192.168.1.10:8080/t/abc",
    footer="Terima kasih telah menunggu. Simpan tiket ini sampai dipanggil.",
    priority=True,
    reprint=False,
)


def test_a_slips_fixed_lines_are_wrapped_once_and_the_bytes_stay_the_same(monkeypatch):
    """The office's name and address, the service, the printed words and the footer are the same on every slip:
    wrapped once (a third of a slip's rendering), the number, the time and the count ahead each time."""
    slips._wrapped.cache_clear()
    wrapped: list[str] = []
    real = textwrap.wrap
    monkeypatch.setattr(textwrap, "wrap", lambda text, *a, **k: wrapped.append(text) or real(text, *a, **k))
    first = slips.ticket_bytes(SLIP)
    first_wraps = list(wrapped)
    wrapped.clear()
    second = slips.ticket_bytes(dataclasses.replace(SLIP, label="A-124", ahead=13))
    assert SLIP.office_name in first_wraps and SLIP.footer in first_wraps
    assert SLIP.office_name not in wrapped and SLIP.footer not in wrapped and SLIP.service_name not in wrapped
    assert "A-124" in wrapped
    assert len(wrapped) <= len(first_wraps) - 5
    slips._wrapped.cache_clear()
    monkeypatch.setattr(slips, "_wrapped", lambda text, columns, indent: tuple(slips.wrap(text, columns, indent)))
    assert slips.ticket_bytes(SLIP) == first  # as every line wrapped afresh
    assert b"A-124" in second


def _counter_free(ticket: Ticket, rules: Rules) -> bool:
    """The old way to ask whether the counter holding `ticket` may call: check_counter_free raises CounterBusy."""
    try:
        core.check_counter_free(ticket, rules)
    except CounterBusy:
        return False
    return True


def _reference_actions(ticket: Ticket, rules: Rules) -> list[str]:
    """core.actions before its shortcut: the refusals made and thrown away."""
    out: list[str] = []
    if ticket.status in core.ACTIVE:
        if _counter_free(ticket, rules):
            out += ["call-next", "call"]
    elif core._refusal(ticket, "call") is None:
        out.append("call")
    out += [a for a in core.HELD_ACTIONS if core._refusal(ticket, a, rules) is None]
    return out


STATUSES = (core.WAITING, core.CALLED, core.SERVING, core.RESOLVED, core.ESCALATED, core.CLOSED, core.CANCELLED)


def test_the_allowed_actions_are_told_without_making_a_refusal_each(monkeypatch):
    """Every ticket an event carries to the staff says what its counter may do with it (core.actions, seven rules):
    answered without making seven refusals (6.5 -> 0.7 us a ticket), and the same answer for every status, every
    number of calls and every rule."""
    made = []
    real = AntrianError.__init__
    monkeypatch.setattr(AntrianError, "__init__", lambda self, *a, **k: made.append(a) or real(self, *a, **k))
    now = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
    for status in STATUSES:
        core.actions(Ticket(1, DAY, "A", 1, "A-001", "t", status, False, 1.0, now, calls=1), Rules())
    assert made == []
    monkeypatch.setattr(AntrianError, "__init__", real)
    for status in STATUSES:
        for calls in range(5):
            for max_calls in (1, 2, 3, 4):
                for max_requeues in (0, 1, 2):
                    for queue_requeues in (0, 1, 2):
                        t = Ticket(1, DAY, "A", 1, "A-001", "t", status, False, 1.0, now, calls=calls)
                        t = t.replace(queue_requeues=queue_requeues)
                        rules = Rules(max_calls=max_calls, max_requeues=max_requeues)
                        assert core.actions(t, rules) == _reference_actions(t, rules), (status, calls, rules)


def _reference_security_headers(response):
    """server.security's hook before its one pass: setdefault a header at a time (three reads of the names each)."""
    from server.security import HEADERS

    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@pytest.mark.parametrize(
    "own",
    [
        [],
        [("Cache-Control", "max-age=3600")],  # a static file's, a speech's
        [("cache-control", "private"), ("content-security-policy", "default-src 'none'")],  # another case
        [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("X-Frame-Options", "SAMEORIGIN")],
        [("Referrer-Policy", "origin"), ("X-Content-Type-Options", "nosniff"), ("Vary", "Cookie")],
    ],
)
def test_the_security_headers_are_added_in_one_pass_and_say_what_they_said(app, monkeypatch, own):
    """Every response of the server gets the security headers it has not set itself: the names read once, not
    three times a header (setdefault: 11 -> 3 us a response), and the same headers in the same order."""
    from flask import Response
    from werkzeug.datastructures import Headers

    hook = next(f for f in app.after_request_funcs[None] if f.__name__ == "_security_headers")

    def response():
        r = Response("{}", mimetype="application/json")
        for name, value in own:
            r.headers.add(name, value)
        return r

    expected = list(_reference_security_headers(response()).headers.items())
    looked_up = []
    real = Headers._get_key
    monkeypatch.setattr(Headers, "_get_key", lambda self, key: looked_up.append(key) or real(self, key))
    assert list(hook(response()).headers.items()) == expected
    assert looked_up == []
    with app.test_client() as client:  # and through the app, as every answer gets them
        answer = client.get("/api/state")
        assert answer.headers["Cache-Control"] == "no-store" and answer.headers["X-Frame-Options"] == "DENY"


def test_the_recent_service_times_are_read_as_tuples_and_come_out_the_same(service, clock, monkeypatch):
    """Each place in line (the issue's, the slip's) reads the service's last 20 service times: from the rows as
    tuples, not made dicts first (27 -> 19 us a read), the same seconds to the last bit."""
    for i in range(30):
        service.issue(visitor(name=f"V{i}", service="AB"[i % 2]), printed=False)
    for i in range(24):
        service.counter_action(2, "call-next", {}, "budi")  # Loket 2 serves A and B
        clock.advance(seconds=7 + i * 13, microseconds=i * 37_001)
        service.counter_action(2, "start", {}, "budi")
        clock.advance(minutes=3 + i % 5, microseconds=i * 999_983)
        service.counter_action(2, "resolve", {"solution": "Selesai", "category": "pertanyaan"}, "budi")
    from server.store.base import SERVED_SQL, TxBase

    def reference(tx, code, limit=20):
        rows = tx.rows(
            "SELECT first_called_at, finished_at FROM tickets WHERE service = ? AND status IN"
            f" ({SERVED_SQL}) AND first_called_at IS NOT NULL AND finished_at IS NOT NULL"
            " ORDER BY finished_at DESC LIMIT ?",
            [code, limit],
        )
        return [
            (datetime.fromisoformat(r["finished_at"]) - datetime.fromisoformat(r["first_called_at"])).total_seconds()
            for r in rows
        ]

    with service.store.read() as tx:
        expected = {(code, limit): reference(tx, code, limit) for code in "ABC" for limit in (1, 5, 20)}
        dicts = []
        real = TxBase.rows
        monkeypatch.setattr(TxBase, "rows", lambda self, *a: dicts.append(a) or real(self, *a))
        got = {(code, limit): tx.recent_service_seconds(code, limit) for code in "ABC" for limit in (1, 5, 20)}
    assert dicts == []
    assert got == expected
    assert len(expected["A", 20]) == 12 and len(expected["B", 20]) == 12 and expected["C", 20] == []
    assert len(set(expected["A", 20])) == 12  # every one its own duration


def test_the_session_cookies_signer_is_made_once_and_signs_as_flasks_own(app, monkeypatch):
    """Every request opens the session (the kiosk's too): its signer is made once for the app's keys, not once a
    request (5 us each), and signs and reads the cookies Flask's own interface does; new keys, a new signer."""
    from conftest import login
    from flask.sessions import SecureCookieSessionInterface
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    client = app.test_client()
    headers = login(app, client, "budi")
    made = []
    real = URLSafeTimedSerializer.__init__
    monkeypatch.setattr(URLSafeTimedSerializer, "__init__", lambda self, *a, **k: made.append(a) or real(self, *a, **k))
    for _ in range(5):
        assert client.get("/api/me").get_json()["user"]["username"] == "budi"
        assert client.post("/api/tickets", json=visitor(), headers=headers).status_code == 201
    assert made == []
    flasks = SecureCookieSessionInterface().get_signing_serializer(app)
    ours = app.session_interface.get_signing_serializer(app)
    assert ours is app.session_interface.get_signing_serializer(app)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert ours.loads(cookie) == flasks.loads(cookie) and flasks.loads(cookie)["uid"]
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_764_900_000)
    assert ours.dumps({"user_id": 7, "csrf": "x"}) == flasks.dumps({"user_id": 7, "csrf": "x"})
    old = flasks.dumps({"user_id": 7})
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [app.secret_key])
    monkeypatch.setattr(app, "secret_key", "a new key")
    renewed = app.session_interface.get_signing_serializer(app)
    assert renewed is not ours and renewed.loads(old) == {"user_id": 7}
    assert renewed.dumps({"user_id": 7}) == SecureCookieSessionInterface().get_signing_serializer(app).dumps(
        {"user_id": 7}
    )


def line_plans(tx, services: list[str], ticket: Ticket | None) -> list[tuple[str, str]]:
    """(statement, its plan) of the place in line's read of the line (Tx.line_services: with the services' codes and
    with marks of their own, before `ticket` or the whole line) and of the playout's (Tx.waiting_line)."""
    statements: list[str] = []
    lane = None if ticket is None else int(ticket.priority_lane)
    position = None if ticket is None else ticket.position
    tx.db.conn.set_trace_callback(statements.append)
    try:
        tx.line_services(DAY, services, None, lane, position)
        tx.line_services(DAY, services, [chr(0x100 + i) for i in range(len(services))], lane, position)
        tx.waiting_line(DAY, services)
    finally:
        tx.db.conn.set_trace_callback(None)
    assert len(statements) == 3, statements
    return [(s, " / ".join(r[-1] for r in tx.db.execute(f"EXPLAIN QUERY PLAN {s}"))) for s in statements]


def calling_order(tickets: list[Ticket], services: list[str]) -> list[Ticket]:
    """The day's waiting tickets of `services` in calling order (priority lane first, then position), from the rows."""
    line = [t for t in tickets if t.day == DAY and t.status == core.WAITING and t.service in services]
    return sorted(line, key=lambda t: (-int(t.priority_lane), t.position))


@pytest.mark.parametrize("seed", range(4))
def test_the_line_is_read_in_calling_order_from_its_index_without_a_sort(tmp_path, seed):
    """The place in line (the issue's answer, the slip's `ahead`) reads the line before a ticket in calling order:
    from the waiting tickets' index (m034, idx_tickets_line) alone, not their rows gathered by service from the
    queue index and sorted (a temporary B-tree: most of 0.7-1.3 ms at 1,500 waiting). The same strings as the rows'
    order (docs/performance.md, "The line read in order")."""
    rng = random.Random(seed)
    store = Store(tmp_path / "q.db")
    tickets = make_line(store, rng, 80)
    with store.read() as tx:
        for services in (["A"], ["A", "C"], ["A", "B", "C"]):
            line = calling_order(tickets, services)
            for ticket in [None, *rng.sample(line, min(4, len(line)))]:
                for sql, plan in line_plans(tx, services, ticket):
                    assert "TEMP B-TREE" not in plan and "USING COVERING INDEX idx_tickets_line" in plan, (sql, plan)
                before = line if ticket is None else line[: line.index(ticket)]
                lane = None if ticket is None else int(ticket.priority_lane)
                position = None if ticket is None else ticket.position
                assert tx.line_services(DAY, services, None, lane, position) == ("".join(t.service for t in before), 0)
            assert tx.waiting_line(DAY, services) == [(t.id, t.service) for t in line]
    store.close()


def test_a_database_of_the_release_before_gets_the_line_index_when_the_server_starts(tmp_path):
    """m034 on a database in use (its line waiting): the line is read from the new index at once, the same."""
    from sqlite_utils import Database

    from server.store import migrations
    from server.store.tickets import ticket_to_row

    path = tmp_path / "antrian.db"
    rng = random.Random(7)
    with closing(Database(path)) as db:
        migrations.apply(db, stop_before="m034_line_index")
        assert "idx_tickets_line" not in {index.name for index in db["tickets"].indexes}
        positions = rng.sample(range(1, 300), 60)
        for i, position in enumerate(positions):
            lane = rng.random() < 0.2
            status = rng.choice([core.WAITING] * 4 + [core.RESOLVED])
            ticket = Ticket(
                id=None,
                day=DAY,
                service="ABC"[i % 3],
                number=i + 1,
                label=f"X-{i + 1:03d}",
                token=f"tok{i}",
                status=status,
                priority=lane,
                priority_lane=lane,
                position=position / 2,
                created_at=datetime(2026, 11, 28, 2, tzinfo=UTC),
            )
            db["tickets"].insert(ticket_to_row(ticket))
        db.conn.commit()
    store = Store(path)
    try:
        with store.read() as tx:
            tickets = [ticket for ticket in map(tx.ticket, range(1, 61)) if ticket is not None]
            assert len(tickets) == 60
            line = calling_order(tickets, ["A", "B", "C"])
            for sql, plan in line_plans(tx, ["A", "B", "C"], line[len(line) // 2]):
                assert "TEMP B-TREE" not in plan and "idx_tickets_line" in plan, (sql, plan)
            assert tx.line_services(DAY, ["A", "B", "C"], None, None, None) == ("".join(t.service for t in line), 0)
    finally:
        store.close()
    assert (tmp_path / "antrian.db.before-m034_line_index").exists()  # the upgrade's copy, as every migration's


# Services of one, two and three letters (m034's line is read by code, or by a mark of one character each), and a
# service the line asked for does not have.
_CODES = ["A", "B", "C", "DD", "EEE"]


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(_CODES),
            st.sampled_from([core.WAITING] * 3 + [core.CALLED, core.RESOLVED]),
            st.booleans(),
            st.booleans(),
            st.integers(0, 9),
        ),
        max_size=40,
    ),
    asked=st.lists(st.sampled_from(_CODES), min_size=1, max_size=4, unique=True),
    pick=st.integers(0, 1000),
    marked=st.booleans(),
)
def test_the_line_read_by_two_ranges_without_an_in_is_the_rows_calling_order(rows, asked, pick, marked):
    """Tx.line_services: each service written as its mark or left out (NULL), and the line before a ticket read as two
    ranges of the index, says for generated lines (lanes, served and called tickets, another day's, services not
    asked for, codes of two and three letters written as marks) what the rows in calling order say."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp, closing(Store(Path(tmp) / "q.db")) as store:
        tickets = []
        with store.write() as tx:
            for i, (code, status, lane, today, gap) in enumerate(rows):
                ticket = Ticket(
                    id=None,
                    day=DAY if today or i % 5 else "2026-11-27",
                    service=code,
                    number=i + 1,
                    label=f"{code}-{i + 1:03d}",
                    token=f"tok{i}",
                    status=status,
                    priority=lane,
                    priority_lane=lane,
                    position=i * 10 + gap / 10 + 1,
                    created_at=datetime(2026, 11, 28, 2, tzinfo=UTC),
                )
                tickets.append(
                    tx.insert_ticket(ticket, {"name": "x", "agency": "y", "address": "z", "phone": "0", "problem": "p"})
                )
        marks = [chr(0x100 + i) for i in range(len(asked))] if marked else None
        written = dict(zip(asked, marks or asked, strict=True))
        line = calling_order(tickets, asked)
        with store.read() as tx:
            for ticket in [None, *line[pick % len(line) :][:1]] if line else [None]:
                before = line if ticket is None else line[: line.index(ticket)]
                lane = None if ticket is None else int(ticket.priority_lane)
                position = None if ticket is None else ticket.position
                if not marked and any(len(code) > 1 for code in asked):
                    continue  # (codes are written as they are only when each is one letter: Views.place_in_line)
                want = "".join(written[t.service] for t in before)
                assert tx.line_services(DAY, asked, marks, lane, position) == (want, 0)


def test_the_line_before_a_ticket_is_read_as_two_ranges_and_no_in_at_each_row(tmp_path):
    """The line before a ticket (the issue's answer, the slip's `ahead`) is read from idx_tickets_line as the lanes
    before its own, then its own lane up to its position, two ranges of the index; each service written as its mark
    by a CASE, not filtered by an `IN` looked up at each row (at 1,500 waiting 335-345 µs before, 255-290 now;
    docs/performance.md, "The slip's line from its issue")."""
    rng = random.Random(5)
    store = Store(tmp_path / "q.db")
    tickets = make_line(store, rng, 60)
    with store.read() as tx:
        ticket = calling_order(tickets, ["A", "B", "C"])[-1]
        for sql, plan in line_plans(tx, ["A", "B", "C"], ticket)[:2]:
            assert "idx_tickets_line (day=? AND priority_lane>?)" in plan, plan
            assert "idx_tickets_line (day=? AND priority_lane=? AND position<?)" in plan, plan
            assert "service IN" not in sql.split("(SELECT COUNT(*)")[0], sql
    store.close()


class _Room:
    """The parts of a Flask-SocketIO server that server.fanout's broadcast uses, around python-socketio's real Packet:
    one long-polling session in the room `public` (its packets handed to engineio's queue, recorded here)."""

    def __init__(self):
        from types import SimpleNamespace

        from socketio import packet as sio_packet

        self.queued: list = []
        self.fallback: list = []
        sock = SimpleNamespace(closed=False, closing=False, last_ping=0, queue=SimpleNamespace(qsize=lambda: 0))
        self.server = SimpleNamespace(
            eio=SimpleNamespace(_async={}, sockets={"e1": sock}, ping_timeout=10),
            manager=SimpleNamespace(
                rooms={"/": {"public": {}}},
                get_participants=lambda ns, room: [("s1", "e1")] if room == "public" else [],
            ),
            packet_class=sio_packet.Packet,
            _send_eio_packet=lambda eio_sid, pkt: self.queued.append(pkt.encode()),
        )
        self.async_mode = "gevent"

    def emit(self, event, data, to):
        self.fallback.append((event, data, to))


# JSON as the events are: text (any of Unicode), numbers, nesting; dict keys text
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


def test_a_broadcasts_packet_is_encoded_without_looking_through_its_data_for_bytes(monkeypatch):
    """A broadcast (every event to the TVs, the counters, a visitor's phone) is encoded as python-socketio's Packet
    encodes it, the same bytes, without the Packet's look through the whole of the data for bytes first (a list
    made at each dict and list: twice the cost of the JSON, docs/performance.md "The broadcast and the request").
    Data with bytes is still sent python-socketio's own way (a binary packet), in its place. A room nobody is in (a
    visitor's own, `ticket:<token>`, told of each finish, with no phone page open) has nothing encoded."""
    from socketio import packet as sio_packet

    from server.fanout import FanOut

    looks = []
    real = sio_packet.Packet.data_is_binary.__func__
    monkeypatch.setattr(
        sio_packet.Packet, "data_is_binary", classmethod(lambda cls, d: looks.append(1) or real(cls, d))
    )
    room = _Room()
    fan = FanOut(room)
    message = {"seq": 7, "type": "called", "ticket": {"label": "A-001", "name": "Dédé ☕"}, "waiting": {"A": 3}}
    fan.emit("event", message, "public")
    fan.emit("events", [message, {**message, "seq": 8}], "public")
    fan.emit("event", message, "ticket:nobody")
    fan.emit("event", {"clip": b"\x00"}, "ticket:nobody")
    assert looks == []
    assert room.queued == [
        "4" + sio_packet.Packet(sio_packet.EVENT, namespace="/", data=["event", message]).encode(),
        "4"
        + sio_packet.Packet(
            sio_packet.EVENT, namespace="/", data=["events", [message, {**message, "seq": 8}]]
        ).encode(),
    ]
    assert room.fallback == []
    binary = {"seq": 9, "clip": [b"\x00\x01"]}
    fan.emit("event", binary, "public")
    assert room.fallback == [("event", binary, "public")] and len(room.queued) == 2


@settings(max_examples=200, deadline=None)
@given(event=st.sampled_from(["event", "events", "snapshot", "Dédé"]), data=_JSON)
def test_a_broadcasts_packet_is_python_socketios_packet_byte_for_byte(event, data):
    from socketio import packet as sio_packet

    from server.fanout import event_packet

    assert (
        event_packet(sio_packet.Packet, event, data)
        == sio_packet.Packet(sio_packet.EVENT, namespace="/", data=[event, data]).encode()
    )


def test_data_a_broadcasts_json_cannot_say_goes_to_python_socketio_and_fails_there_as_before():
    """bytes anywhere (a binary packet: python-socketio's), or a value JSON cannot say (its TypeError, as before)."""
    from socketio import packet as sio_packet

    from server.fanout import event_packet

    for data in ({"a": [1, {"b": b"x"}]}, [b"x"], bytearray(b"x")):
        assert event_packet(sio_packet.Packet, "event", data) is None
        assert isinstance(sio_packet.Packet(sio_packet.EVENT, namespace="/", data=["event", data]).encode(), list)
    assert event_packet(sio_packet.Packet, "event", {"a": {1, 2}}) is None
    with pytest.raises(TypeError):
        sio_packet.Packet(sio_packet.EVENT, namespace="/", data=["event", {"a": {1, 2}}]).encode()

    class Own(sio_packet.Packet):  # a server made with a packet class of its own: asked, as before
        def encode(self):
            return "own"

    assert event_packet(Own, "event", {"a": 1}) == "own"
