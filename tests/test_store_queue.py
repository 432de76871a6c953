"""The store narrows the waiting line to a few rows; the core's choice over them equals its choice over all."""

from __future__ import annotations

import math
import random
import sqlite3
import sys
from contextlib import closing
from datetime import UTC, datetime

import pytest

from server import core
from server.core import Ticket
from server.store import Store

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
DAY = "2026-11-28"


def make_line(store: Store, rng: random.Random, n: int) -> list[Ticket]:
    tickets = []
    positions = rng.sample(range(1, 4 * n + 2), n)  # unique per day (and so overall)
    with store.write() as tx:
        for i in range(1, n + 1):
            service = rng.choice("ABC")
            status = rng.choice([core.WAITING] * 4 + [core.RESOLVED, core.CALLED])
            priority = rng.random() < 0.2
            t = Ticket(
                id=None,
                day=rng.choice([DAY, DAY, DAY, "2026-11-27"]),
                service=service,
                number=i,
                label=f"{service}-{i:03d}",
                token=f"tok{i}",
                status=status,
                priority=priority,
                priority_lane=priority if rng.random() < 0.7 else not priority,  # some requeued into the other lane
                position=positions[i - 1] / 4,
                created_at=NOW,
            )
            tickets.append(
                tx.insert_ticket(t, {"name": "x", "agency": "y", "address": "z", "phone": "081", "problem": "p"})
            )
    return tickets


@pytest.mark.parametrize("seed", range(12))
def test_heads_give_the_same_next_ahead_and_requeue_place_as_the_whole_line(tmp_path, seed):
    rng = random.Random(seed)
    store = Store(tmp_path / "q.db")
    # seed 0: a day with no ticket, nobody next for any counter (no seed of the twelve drew one)
    tickets = make_line(store, rng, rng.randint(0, 60) if seed else 0)
    today = [t for t in tickets if t.day == DAY]
    waiting = [t for t in today if t.status == core.WAITING]
    with store.read() as tx:
        for services in (["A"], ["A", "C"], ["B", "C"], ["A", "B", "C"]):
            heads = tx.queue_heads(DAY, services)
            assert core.next_for(heads, services) == core.next_for(waiting, services)
            nxt = core.next_for(heads, services)
            skipped = Ticket(
                id=10_000,
                day=DAY,
                service=services[0],
                number=999,
                label="X-999",
                token="s",
                status=core.CALLED,
                priority=False,
                position=0.5,
                created_at=NOW,
                calls=3,
            )
            after = tx.position_after(DAY, nxt.position) if nxt else None
            place = core.requeue_place(skipped, nxt, after)
            if nxt is None:
                assert place == (False, 0.5)
                continue
            # right behind the next in its lane and in the line: no ticket of the day (any status) between
            lane, position = place
            assert lane == nxt.priority_lane
            assert not [t for t in today if nxt.position < t.position <= position]
            back = skipped.replace(status=core.WAITING, priority_lane=lane, position=position)
            order = sorted([*waiting, back], key=core.order_key)
            mine = [t.id for t in order if t.service in services]
            assert mine[mine.index(nxt.id) + 1] == back.id
        for t in waiting:
            mine = core.order_key(t)
            expected = sum(1 for o in waiting if o.service == t.service and o.id != t.id and core.order_key(o) < mine)
            assert tx.ahead_count(t) == expected
            shared = {t.service, "B"}  # with the services its counters also serve
            expected = sum(1 for o in waiting if o.service in shared and o.id != t.id and core.order_key(o) < mine)
            assert tx.ahead_count(t, sorted(shared)) == expected
        for service in "ABC":
            line = [t.position for t in waiting if t.service == service]
            head = min((t.position for t in tx.queue_heads(DAY, [service])), default=None)
            assert head == min(line, default=None)
            if head is None:
                first = tx.first_position(DAY)
                assert first == min((t.position for t in today), default=None)
                continue
            before = tx.position_before(DAY, head)
            assert before == max((t.position for t in today if t.position < head), default=None)
            position = core.transfer_position(head, before, None)
            assert all(position < p for p in line)
            assert not [t for t in today if position <= t.position < head]
    store.close()


def test_a_days_positions_are_unique(tmp_path):
    store = Store(tmp_path / "q.db")
    t = Ticket(None, DAY, "A", 1, "A-001", "t1", core.WAITING, False, 3.0, NOW)
    form = {"name": "x", "agency": "y", "address": "z", "phone": "081", "problem": "p"}
    with store.write() as tx:
        tx.insert_ticket(t, form)
        tx.insert_ticket(t.replace(day="2026-11-27", token="t2"), form)  # another day: another line
    with pytest.raises(sqlite3.IntegrityError, match=r"tickets\.day, tickets\.position"), store.write() as tx:
        tx.insert_ticket(t.replace(number=2, label="A-002", token="t3"), form)
    store.close()


def test_renumbering_keeps_the_order_and_makes_room(tmp_path):
    store = Store(tmp_path / "q.db")
    form = {"name": "x", "agency": "y", "address": "z", "phone": "081", "problem": "p"}
    low = 1000.0
    positions = [low, math.nextafter(low, 2000.0), -3.0, 7.25, 5000.0]
    with store.write() as tx:
        for i, p in enumerate(positions, start=1):
            tx.insert_ticket(Ticket(None, DAY, "A", i, f"A-{i:03d}", f"t{i}", core.WAITING, False, p, NOW), form)
        tx.insert_ticket(Ticket(None, "2026-11-27", "A", 1, "A-001", "old", core.WAITING, False, low, NOW), form)
        assert core.between(low, tx.position_after(DAY, low)) is None
        tx.renumber_positions(DAY)
        rows = tx.rows("SELECT label, position, day FROM tickets ORDER BY id")
    assert [(r["label"], r["position"]) for r in rows if r["day"] == DAY] == [
        ("A-001", 3.0),
        ("A-002", 4.0),
        ("A-003", 1.0),
        ("A-004", 2.0),
        ("A-005", 5.0),
    ]
    assert [r["position"] for r in rows if r["day"] != DAY] == [low]  # other days untouched
    store.close()


def test_the_migration_renumbers_tied_days_and_fills_the_lanes(tmp_path):
    from sqlite_utils import Database

    from server.store import migrations

    path = tmp_path / "antrian.db"
    db = Database(path)
    migrations.apply(db, stop_before="m013_queue_lanes_unique_positions")  # a database of the previous release
    rows = [  # day, label, priority, requeues, position: the 27th has a tie (a transfer's min - 1.0)
        ("2026-11-27", "A-001", 0, 0, 2.0),
        ("2026-11-27", "B-001", 1, 1, 1.0),
        ("2026-11-27", "C-001", 0, 0, 2.0),
        ("2026-11-27", "A-002", 0, 0, 3.0),
        ("2026-11-28", "A-001", 1, 0, 1.0),
        ("2026-11-28", "A-002", 0, 0, 2.5),
    ]
    for i, (day, label, priority, requeues, position) in enumerate(rows, start=1):
        db.execute(
            "INSERT INTO tickets (day, service, number, label, token, status, priority, requeues, position,"
            " created_at) VALUES (?, ?, ?, ?, ?, 'waiting', ?, ?, ?, '2026-11-28T02:00:00+00:00')",
            [day, label[0], int(label[2:]), label, f"t{i}", priority, requeues, position],
        )
    db.conn.commit()
    db.close()
    store = Store(path)
    with store.read() as tx:
        got = [
            (r["day"], r["label"], r["position"], r["priority_lane"], r["queue_requeues"])
            for r in tx.rows("SELECT * FROM tickets ORDER BY id")
        ]
        indexes = {r["name"]: r["unique"] for r in tx.rows("SELECT name, \"unique\" FROM pragma_index_list('tickets')")}
        queue = [r["name"] for r in tx.rows("SELECT name FROM pragma_index_info('idx_tickets_queue')")]
    assert got == [
        ("2026-11-27", "A-001", 2.0, 0, 0),  # renumbered in the order the tie was called in (id)
        ("2026-11-27", "B-001", 1.0, 1, 1),
        ("2026-11-27", "C-001", 3.0, 0, 0),
        ("2026-11-27", "A-002", 4.0, 0, 0),
        ("2026-11-28", "A-001", 1.0, 1, 0),  # a day without a tie keeps its positions
        ("2026-11-28", "A-002", 2.5, 0, 0),
    ]
    assert indexes["idx_tickets_day_position"] == 1
    assert queue == ["day", "status", "service", "priority_lane", "position"]
    store.close()


def test_an_upgrade_whose_copy_cannot_be_written_changes_nothing_and_says_to_free_space(tmp_path, capsys):
    """A full disk at the first start of a new version: the copy from before the upgrade fails, and the
    database is left as it was, with no half copy beside it and a line saying what to do, in Indonesian then
    in English (it said
    "cannot be opened: disk I/O error" and left a temporary file)."""
    import resource
    import signal

    from conftest import write_config
    from sqlite_utils import Database

    from server import cli
    from server.store import UpgradeCopyFailed, migrations

    cfg = write_config(tmp_path)
    path = tmp_path / "antrian.db"
    db = Database(path)
    migrations.apply(db, stop_before="m021_survey_wordings")  # a database of the release before m021
    db.close()
    size = path.stat().st_size
    before = sorted(p.name for p in tmp_path.iterdir())
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    xfsz = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    # No bytecode written meanwhile: a module the command imports for the first time (server.archive) had its
    # .pyc cut at the limit and kept, and every later import of it failed ("marshal data too short")
    dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    resource.setrlimit(resource.RLIMIT_FSIZE, (size // 4, hard))  # files stop growing: as a full disk
    try:
        with pytest.raises(UpgradeCopyFailed, match=r"was not upgraded: its copy .* nothing was changed"):
            Store(path)
        assert cli.main(["users", "list", "--config", str(cfg)]) == 2
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, xfsz)
        sys.dont_write_bytecode = dont_write
    err = capsys.readouterr().err
    indonesian, english = err.splitlines()
    assert err.count("\n") == 2 and "was not upgraded" in english and "Free about 1 MB beside it" in english, err
    assert indonesian.startswith("kesalahan konfigurasi: server.database: ") and "tidak ditingkatkan" in indonesian
    assert "Kosongkan sekitar 1 MB" in indonesian and english.startswith("config error: server.database: ")
    assert "cannot be opened" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no copy, no temporary file
    with closing(Database(path)) as db:
        assert [m.name for m in migrations.applied(db)][-1] == "m020_complaint_history"
    Store(path).close()  # room again: the upgrade goes through, its copy kept
    assert (tmp_path / "antrian.db.before-m021_survey_wordings").exists()


def test_an_upgrade_keeps_the_database_as_it_was_and_a_newer_database_is_refused(tmp_path, caplog):
    """The first open by a version with new migrations copies the database first (the way back from an
    upgrade gone wrong); the newest three such copies stay. A database a newer version has migrated is
    refused by this one, at the command line with a line saying what to do, in Indonesian then in English."""
    from conftest import write_config
    from live import server_command
    from sqlite_utils import Database

    from server.store import KEPT_BEFORE_UPGRADE, NewerDatabase, migrations

    path = tmp_path / "antrian.db"
    db = Database(path)
    migrations.apply(db, stop_before="m021_survey_wordings")  # a database of the release before m021
    db.execute("INSERT INTO users (username, password_hash, role, created_at) VALUES ('lama', 'x', 'admin', 'now')")
    db.conn.commit()
    db.close()
    caplog.set_level("WARNING", logger="antrian.store")
    Store(path).close()
    kept = tmp_path / "antrian.db.before-m021_survey_wordings"
    assert kept.stat().st_mode & 0o777 == 0o600
    old = Database(kept)
    assert [m.name for m in migrations.applied(old)][-1] == "m020_complaint_history"
    assert [r[0] for r in old.execute("SELECT username FROM users")] == ["lama"]
    old.close()
    assert f"the database as it was is kept in {kept}" in caplog.text
    Store(path).close()  # nothing pending: no copy
    assert [p.name for p in tmp_path.iterdir() if ".before-" in p.name] == [kept.name]
    store = Store(path)
    with store._connection() as conn:
        for name in ("m022_a", "m023_b", "m024_c"):
            store._keep_before_upgrade(conn, name)
    store.close()
    assert sorted(p.name for p in tmp_path.iterdir() if ".before-" in p.name) == [
        f"antrian.db.before-{n}" for n in ("m022_a", "m023_b", "m024_c")[-KEPT_BEFORE_UPGRADE:]
    ]

    db = Database(path)
    db["_sqlite_migrations"].insert({"migration_set": "antrian", "name": "m099_future", "applied_at": "later"})
    db.close()
    with pytest.raises(NewerDatabase, match="m099_future, which this version does not know"):
        Store(path)
    r = server_command(["users", "list", "--config", str(write_config(tmp_path))])
    assert r.returncode == 2 and r.stderr.count("\n") == 2, r.stderr
    indonesian, english = r.stderr.splitlines()
    assert "was last used by a newer version of Antrian" in english and "restore" in english
    assert (
        indonesian.startswith("kesalahan konfigurasi: server.database: ")
        and "versi Antrian yang lebih baru" in indonesian
    )
    # the way back names the Python the rest of the command line names (Debian has no `python`)
    from shared.runtime import python_command

    assert f"({python_command()} -m server restore FILE;" in english, english
    assert f"({python_command()} -m server restore BERKAS;" in indonesian, indonesian
