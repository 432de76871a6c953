"""The figures kept per past day (figure_days, m025): the dashboard adds up those rows instead of every
ticket of the days they cover, so they must give exactly the figures the tickets give, whatever changed
since they were made (a ticket, an escalation mail, an LKPP number, a form copy's print job, the
standard times) and however far the maintenance loop got in making them."""

from __future__ import annotations

import random
import shutil
import sys
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT, visitor, write_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server import figures
from server.config import SlaSettings, load_settings
from server.service import Kind

sys.path.insert(0, str(ROOT / "bench"))
from bench_reports import build  # noqa: E402

TODAY = "2026-12-01"  # the days before it are past: the maintenance loop keeps them
TENTH_YEAR = ("2016-12-01", "2026-11-30")
SLA = SlaSettings()
OTHER_SLA = SlaSettings(waiting_minutes=20, service_minutes=45, escalation_minutes=60, form_minutes=3, copy_minutes=2)
STATUSES = ("resolved", "escalated", "closed", "no_show", "cancelled", "expired", "waiting", "serving")


class Undo(Exception):
    """Raised to roll a write transaction back."""


def without_kept_days(store, make):
    """make(tx) with no day kept: inside a write transaction that drops every figure_days row and is then
    rolled back (Undo), so that every sum comes from the tickets themselves."""
    made = []
    with suppress(Undo), store.write() as tx:
        tx.db.execute("DELETE FROM figure_days")
        made.append(make(tx))
        raise Undo
    return made[0]


def from_tickets(store, day_from: str, day_to: str, group: str, sla: SlaSettings = SLA) -> dict:
    """The dashboard's figures with no day kept."""
    return without_kept_days(store, lambda tx: figures.figures(tx, day_from, day_to, group, sla, _TZ))


def service_from_tickets(service, day_from: str, day_to: str, group: str) -> dict:
    """service.figures (names and all) with no day kept: its read joins the write transaction's connection."""
    return without_kept_days(service.store, lambda tx: service.figures(day_from, day_to, group))


def dashboard(store, day_from: str, day_to: str, group: str, sla: SlaSettings = SLA) -> dict:
    with store.read() as tx:
        return figures.figures(tx, day_from, day_to, group, sla, _TZ)


def keep_all(store, sla: SlaSettings = SLA, step: int = 400) -> int:
    made = 0
    while True:
        with store.write() as tx:
            days = tx.keep_figure_days(TODAY, figures.limits_ms(sla), step)
        if not days:
            return made
        made += len(days)


def kept_rows(store, day: str) -> int:
    with store.read() as tx:
        return tx.one("SELECT COUNT(*) AS n FROM figure_days WHERE day = ?", [day])["n"]


def is_stale(store, day: str) -> bool:
    with store.read() as tx:
        return tx.one("SELECT COUNT(*) AS n FROM figure_stale WHERE day = ?", [day])["n"] == 1


_TZ = load_settings(ROOT / "config.toml").office.tz


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A database of 600 tickets over ten years (bench/bench_reports.py's), with what the bench lacks:
    LKPP numbers recorded on some escalations, and form copies whose print job failed or waits."""
    from server.store import Store

    folder = tmp_path_factory.mktemp("figure_days")
    settings = load_settings(write_config(folder))
    store = Store(settings.server.database, synchronous="OFF")
    build(store, 600)
    rng = random.Random(3)
    with store.write() as tx:
        escalated = tx.rows("SELECT id, day, finished_at FROM tickets WHERE status IN ('escalated', 'closed')")
        for t in escalated[::2]:
            at = datetime.fromisoformat(t["finished_at"]) + timedelta(minutes=rng.randint(1, 90))
            tx.db.execute(
                "INSERT INTO events (at, day, type, ticket_id, actor, data) VALUES (?, ?, 'lkpp_ticket', ?, 'budi', '{}')",
                [at.isoformat(), t["day"], t["id"]],
            )
        served = tx.rows("SELECT id, finished_at FROM tickets WHERE status = 'resolved' AND copy_ms IS NULL LIMIT 40")
        for i, t in enumerate(served):
            tx.db.execute(
                "INSERT INTO print_jobs (ticket_id, printer, kind, status, attempts, created_at, next_attempt_at)"
                " VALUES (?, 'loket1', 'form', ?, 1, ?, ?)",
                [t["id"], ("failed", "retrying", "queued")[i % 3], t["finished_at"], t["finished_at"]],
            )
    store.close()
    return Path(settings.server.database)


@pytest.fixture
def store(template, tmp_path):
    from server.store import Store

    path = tmp_path / "antrian.db"
    shutil.copy(template, path)
    s = Store(path, synchronous="OFF")
    yield s
    s.close()


def test_every_day_with_tickets_starts_stale_and_none_is_kept(store):
    with store.read() as tx:
        days = {r["day"] for r in tx.rows("SELECT DISTINCT day FROM tickets")}
        assert {r["day"] for r in tx.rows("SELECT day FROM figure_stale")} == days
        assert tx.one("SELECT COUNT(*) AS n FROM figure_days")["n"] == 0


@pytest.mark.parametrize("group", figures.GROUPS)
def test_ten_years_kept_give_the_figures_the_tickets_give(store, group):
    before = from_tickets(store, *TENTH_YEAR, group)
    assert keep_all(store) > 500
    with store.read() as tx:
        assert tx.one("SELECT COUNT(*) AS n FROM figure_stale WHERE day < ?", [TODAY])["n"] == 0
    assert dashboard(store, *TENTH_YEAR, group) == before
    for day_from, day_to in (("2021-03-04", "2023-07-19"), ("2026-11-02", "2026-11-30"), ("2018-05-05", "2018-05-05")):
        assert dashboard(store, day_from, day_to, group) == from_tickets(store, day_from, day_to, group)


def test_the_rows_are_read_for_the_standard_times_they_were_made_for(store):
    keep_all(store)
    assert dashboard(store, *TENTH_YEAR, "month", OTHER_SLA) == from_tickets(store, *TENTH_YEAR, "month", OTHER_SLA)
    with store.write() as tx:
        restaled = tx.restale_figure_days(figures.limits_ms(OTHER_SLA))
        assert restaled > 500
    keep_all(store, OTHER_SLA)
    with store.read() as tx:
        made_for = {r["limits"] for r in tx.rows("SELECT DISTINCT limits FROM figure_days")}
    assert len(made_for) == 1
    assert dashboard(store, *TENTH_YEAR, "day", OTHER_SLA) == from_tickets(store, *TENTH_YEAR, "day", OTHER_SLA)
    assert dashboard(store, *TENTH_YEAR, "day") == from_tickets(store, *TENTH_YEAR, "day")


def _ticket_of(tx, n: int) -> dict:
    rows = tx.rows("SELECT id, day, finished_at FROM tickets ORDER BY id")
    return rows[n % len(rows)]


def _change(store, what: str, n: int, value: int) -> str:
    """One change of what a past day's figures are made of, as the server's writes make it (the same
    tables and columns); returns the day it touched."""
    with store.write() as tx:
        t = _ticket_of(tx, n)
        finished = t["finished_at"] or "2026-11-30T03:00:00+00:00"
        later = (datetime.fromisoformat(finished) + timedelta(minutes=value)).isoformat()
        if what == "status":
            tx.db.execute("UPDATE tickets SET status = ? WHERE id = ?", [STATUSES[value % len(STATUSES)], t["id"]])
        elif what == "durations":
            tx.db.execute(
                "UPDATE tickets SET waiting_ms = ?, service_ms = ?, requeues = ? WHERE id = ?",
                [value * 61_000, value * 97_000, value % 3, t["id"]],
            )
        elif what == "officer":
            tx.db.execute(
                "UPDATE tickets SET officer = ? WHERE id = ?", [("budi", "siti", "", None)[value % 4], t["id"]]
            )
        elif what == "mail":
            tx.db.execute(
                "INSERT INTO mails (ticket_id, kind, status, attempts, subject, next_attempt_at, created_at, sent_at)"
                " VALUES (?, 'escalation', ?, 1, 's', ?, ?, ?)",
                [t["id"], "sent" if value % 2 else "retrying", finished, finished, later if value % 2 else None],
            )
        elif what == "mail_sent":
            tx.db.execute(
                "UPDATE mails SET status = 'sent', sent_at = ? WHERE kind = 'escalation' AND ticket_id = ?",
                [later, t["id"]],
            )
        elif what == "lkpp":
            tx.db.execute(
                "INSERT INTO events (at, day, type, ticket_id, actor, data) VALUES (?, ?, 'lkpp_ticket', ?, 'budi', '{}')",
                [later, TODAY, t["id"]],
            )
        elif what == "lkpp_gone":
            tx.db.execute("DELETE FROM events WHERE type = 'lkpp_ticket' AND ticket_id = ?", [t["id"]])
        elif what == "print":
            tx.db.execute(
                "INSERT INTO print_jobs (ticket_id, printer, kind, status, attempts, created_at, next_attempt_at)"
                " VALUES (?, 'loket1', 'form', ?, 1, ?, ?)",
                [t["id"], ("failed", "queued", "retrying")[value % 3], finished, later],
            )
        elif what == "printed":
            tx.db.execute(
                "UPDATE print_jobs SET status = 'printed', printed_at = ? WHERE ticket_id = ? AND kind = 'form'",
                [later, t["id"]],
            )
            tx.db.execute("UPDATE tickets SET copy_ms = ? WHERE id = ?", [value * 60_000, t["id"]])
        elif what == "deleted":
            for table in ("forms", "events", "mails", "print_jobs"):
                tx.db.execute(f"DELETE FROM {table} WHERE ticket_id = ?", [t["id"]])
            tx.db.execute("DELETE FROM tickets WHERE id = ?", [t["id"]])
        elif what == "issued":  # a ticket added to a past day (the front office's late registration)
            # the day's next number: two late ones with the same `value` on one day are two tickets
            (number,) = tx.db.execute(
                "SELECT MAX(900, COALESCE(MAX(number), 0)) + 1 FROM tickets WHERE day = ? AND service = 'A'", [t["day"]]
            ).fetchone()
            tx.db.execute(
                "INSERT INTO tickets (day, service, number, label, token, status, created_at, officer, waiting_ms)"
                " VALUES (?, 'A', ?, ?, ?, 'resolved', ?, 'budi', ?)",
                [t["day"], number, f"A-{number}", f"late-{t['day']}-{number}", finished, value * 1000],
            )
        else:
            raise AssertionError(what)
        return t["day"]


CHANGES = (
    "status",
    "durations",
    "officer",
    "mail",
    "mail_sent",
    "lkpp",
    "lkpp_gone",
    "print",
    "printed",
    "deleted",
    "issued",
)


# The tickets each change acts on (one with an escalation by default).
ACTED_ON = {
    "mail_sent": "id IN (SELECT ticket_id FROM mails WHERE kind = 'escalation')",
    "lkpp_gone": "id IN (SELECT ticket_id FROM events WHERE type = 'lkpp_ticket')",
    "printed": "id IN (SELECT ticket_id FROM print_jobs WHERE kind = 'form')",
}


@pytest.mark.parametrize("what", CHANGES)
def test_a_change_to_a_kept_day_drops_its_rows_until_it_is_made_again(store, what):
    keep_all(store)
    with store.read() as tx:
        which = ACTED_ON.get(what, "status = 'escalated'")
        n = [r["id"] for r in tx.rows("SELECT id FROM tickets ORDER BY id")].index(
            tx.one(f"SELECT id FROM tickets WHERE {which} ORDER BY id")["id"]
        )
    day = _change(store, what, n, 7)
    assert kept_rows(store, day) == 0 and is_stale(store, day)
    for group in figures.GROUPS:
        assert dashboard(store, *TENTH_YEAR, group) == from_tickets(store, *TENTH_YEAR, group)
    assert keep_all(store) >= 1
    assert not is_stale(store, day)
    for group in ("day", "officer"):
        assert dashboard(store, *TENTH_YEAR, group) == from_tickets(store, *TENTH_YEAR, group)


def test_a_change_elsewhere_leaves_the_kept_days_alone(store):
    keep_all(store)
    with store.read() as tx:
        kept = tx.one("SELECT COUNT(*) AS n FROM figure_days")["n"]
        t = _ticket_of(tx, 5)
    with store.write() as tx:  # events of other types, a ticket slip's print job, a mail of another kind
        tx.db.execute(
            "INSERT INTO events (at, day, type, ticket_id, actor, data) VALUES (?, ?, 'printed', ?, 'x', '{}')",
            [TODAY + "T01:00:00+00:00", TODAY, t["id"]],
        )
        tx.db.execute(
            "INSERT INTO print_jobs (ticket_id, printer, kind, status, attempts, created_at, next_attempt_at)"
            " VALUES (?, 'kiosk', 'ticket', 'failed', 1, ?, ?)",
            [t["id"], TODAY, TODAY],
        )
    with store.read() as tx:
        assert tx.one("SELECT COUNT(*) AS n FROM figure_days")["n"] == kept
    assert not is_stale(store, t["day"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("keep"), st.integers(1, 300), st.just(0)),
            st.tuples(st.sampled_from(CHANGES), st.integers(0, 10**6), st.integers(0, 200)),
            st.tuples(st.just("standards"), st.booleans(), st.just(0)),
        ),
        max_size=10,
    ),
    ranges=st.lists(
        st.tuples(st.integers(0, 3700), st.integers(0, 3700)).map(sorted),
        min_size=1,
        max_size=3,
    ),
    other=st.booleans(),
)
def test_kept_and_counted_figures_agree_after_any_changes_and_any_progress(template, tmp_path, steps, ranges, other):
    """Any mix of changes, of the maintenance loop's progress (a few days, or all) and of changed
    standard times: every group's figures over any range are those of the tickets alone."""
    from server.store import Store

    path = tmp_path / f"h{random.getrandbits(64)}.db"
    shutil.copy(template, path)
    store = Store(path, synchronous="OFF")
    try:
        sla = SLA
        for what, a, b in steps:
            if what == "keep":
                with store.write() as tx:
                    tx.keep_figure_days(TODAY, figures.limits_ms(sla), a)
            elif what == "standards":
                sla = OTHER_SLA if a else SLA
                with store.write() as tx:
                    tx.restale_figure_days(figures.limits_ms(sla))
            else:
                _change(store, what, a, b)
        asked = OTHER_SLA if other else SLA
        first = datetime(2016, 11, 20, tzinfo=UTC).date()
        for lo, hi in ranges:
            day_from, day_to = (first + timedelta(days=lo)).isoformat(), (first + timedelta(days=hi)).isoformat()
            for group in figures.GROUPS:
                assert dashboard(store, day_from, day_to, group, asked) == from_tickets(
                    store, day_from, day_to, group, asked
                ), (day_from, day_to, group)
    finally:
        store.close()
        path.unlink()


# -- through the service: the maintenance loop's step, today, the settings ------------------------------
def _served(service, clock, when: datetime, name: str, outcome: str = "resolve") -> dict:
    clock.now = when
    assert service.issue(visitor(service="A", name=name)).kind is Kind.CREATED
    payload = {"solution": f"Solusi {name}"} if outcome == "resolve" else {"note": f"Analisis {name}"}
    for action, data in (("call-next", {}), ("start", {}), (outcome, payload)):
        clock.advance(minutes=7)
        out = service.counter_action(1, action, data, "budi")
        assert out.kind is Kind.DONE, out
    return out.body["ticket"]


def test_the_maintenance_step_keeps_past_days_never_today_and_follows_the_standard_times(app, clock):
    from dataclasses import replace

    service = app.extensions["antrian"]
    store = service.store
    _served(service, clock, datetime(2026, 11, 27, 2, 0, tzinfo=UTC), "Ani")
    escalated = _served(service, clock, datetime(2026, 11, 27, 3, 0, tzinfo=UTC), "Bayu", "escalate")
    _served(service, clock, datetime(2026, 11, 28, 2, 0, tzinfo=UTC), "Citra")  # the clock's day: today
    days = ("2026-11-27", "2026-11-28")
    asked = {g: service.figures(*days, g) for g in figures.GROUPS}

    assert service.keep_figures() == 1  # the 27th only: the 28th is today
    assert kept_rows(store, "2026-11-27") == 3 and kept_rows(store, "2026-11-28") == 0  # day, officer, service
    assert service.keep_figures() == 0
    assert {g: service.figures(*days, g) for g in figures.GROUPS} == asked

    # The LKPP number of the 27th's escalation, recorded today: that day's rows go, its figures follow
    clock.advance(minutes=30)
    assert service.record_lkpp_ticket(escalated["token"], {"lkpp_ticket": "TTS-1"}, "budi").kind is Kind.DONE
    assert kept_rows(store, "2026-11-27") == 0 and is_stale(store, "2026-11-27")
    assert service.keep_figures() == 1
    after = {g: service.figures(*days, g) for g in figures.GROUPS}
    assert after["day"]["groups"][0]["escalation"]["n"] == asked["day"]["groups"][0]["escalation"]["n"] + 1
    for g in figures.GROUPS:
        assert after[g] == service_from_tickets(service, *days, g)

    # Other standard times ([sla] changed live): the kept days are made again for them
    service.apply_settings(replace(service.unit.settings, sla=OTHER_SLA))
    assert service.keep_figures() == 1
    with store.read() as tx:
        assert {r["limits"] for r in tx.rows("SELECT limits FROM figure_days")} == {
            ",".join(f"{k}={v}" for k, v in sorted(figures.limits_ms(OTHER_SLA).items()))
        }
    for g in figures.GROUPS:
        assert service.figures(*days, g) == service_from_tickets(service, *days, g)

    # The next day: yesterday is kept at the next step
    clock.now = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    service.expire_old()
    assert service.keep_figures() == 1
    assert kept_rows(store, "2026-11-28") == 3


def test_m025_marks_every_day_of_an_older_database_stale(tmp_path):
    from sqlite_utils import Database

    from server.store import Store, migrations

    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m025_figure_days")
    for i, day in enumerate(("2026-11-26", "2026-11-26", "2026-11-27"), 1):
        db.execute(
            "INSERT INTO tickets (id, day, service, number, label, token, status, created_at)"
            " VALUES (?, ?, 'A', ?, ?, ?, 'resolved', ?)",
            [i, day, i, f"A-{i:03d}", f"t{i}", f"{day}T02:00:00+00:00"],
        )
    db.conn.commit()
    db.close()
    store = Store(path)
    try:
        with store.read() as tx:
            assert [r["day"] for r in tx.rows("SELECT day FROM figure_stale ORDER BY day")] == [
                "2026-11-26",
                "2026-11-27",
            ]
            triggers = {r["name"] for r in tx.rows("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert {
            f"figure_stale_{t}_{v}"
            for t in ("tickets", "mails", "events", "print_jobs")
            for v in ("insert", "update", "delete")
        } <= triggers
        with store.write() as tx:
            assert tx.keep_figure_days(TODAY, figures.limits_ms(SLA), 10) == ["2026-11-27", "2026-11-26"]
    finally:
        store.close()
