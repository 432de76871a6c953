"""How big the database grows per visitor and per month, with and without the idempotency answers,
and how long the one VACUUM takes that switches an older database to auto_vacuum=INCREMENTAL.

    python bench/bench_dbsize.py [--days 22] [--visitors 200] [--json]

Runs N office days of V visitors each through QueueService (the code behind the API) on a fake clock,
as the pages do it: every visitor takes a number at the kiosk, is called, started and resolved at one of
the counters (one in ten escalated, one in five recalled once, one in twenty a no-show after three
calls), each of those with a request_id as the kiosk and counter pages send one; the forms are the
demo's (server/data). Then it measures the file (after a checkpoint) and each table's share (dbstat),
drops the answers older than a day as the maintenance loop does (forget_old_requests), and measures
again. Last, the database is made as an older version left it (auto_vacuum=NONE, a month of answers)
and Store.make_incremental is timed on it. See docs/operations.md, "Database size".
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import write_bench_config  # noqa: E402

from server.cli import _demo_form, _demo_people  # noqa: E402
from server.config import load_settings  # noqa: E402
from server.service import QueueService  # noqa: E402
from server.store import REQUESTS_KEPT, Store  # noqa: E402

FIRST_DAY = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)  # a Monday, 08:00 WIB


def fill(service: QueueService, clock: list[datetime], days: int, visitors: int, seed: int = 7) -> int:
    """`days` office days of `visitors` each; how many requests were answered (each stored)."""
    rng = random.Random(seed)
    people = _demo_people(rng)
    counters = [c.id for c in service.settings.counters]
    requests = 0

    def rid() -> str:
        nonlocal requests
        requests += 1
        return f"{rng.getrandbits(64):016x}"

    for d in range(days):
        clock[0] = FIRST_DAY + timedelta(days=d + 2 * (d // 5))  # Monday to Friday
        step = timedelta(seconds=7 * 3600 / visitors)
        for i in range(visitors):
            clock[0] += step
            p = people[rng.randrange(len(people))]
            service.issue(_demo_form(p), rid(), actor="kiosk", printed=True, kiosk=False, override_quota=True)
            counter = counters[i % len(counters)]
            body = service.counter_action(counter, "call-next", {}, "budi", rid()).body
            if not body.get("ticket"):
                continue
            roll = rng.random()
            if roll < 0.05:
                for _ in range(2):
                    service.counter_action(counter, "recall", {}, "budi", rid())
                service.counter_action(counter, "skip", {}, "budi", rid())
                continue
            if roll < 0.25:
                service.counter_action(counter, "recall", {}, "budi", rid())
            service.counter_action(counter, "start", {}, "budi", rid())
            if roll > 0.9:
                service.counter_action(counter, "escalate", {"note": p["solution"]}, "budi", rid())
            else:
                service.counter_action(counter, "resolve", {"solution": p["solution"]}, "budi", rid())
        clock[0] += timedelta(hours=17)
        service.expire_old()
    return requests


def measure(path: Path) -> dict:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    tables = {}
    for name, size in conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"):
        table = conn.execute("SELECT tbl_name FROM sqlite_master WHERE name = ?", [name]).fetchone()
        key = table[0] if table else name
        tables[key] = tables.get(key, 0) + size
    out = {
        "file_bytes": path.stat().st_size,
        "free_pages": conn.execute("PRAGMA freelist_count").fetchone()[0],
        "tables": dict(sorted(tables.items(), key=lambda kv: -kv[1])),
        "tickets": conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0],
        "requests": conn.execute("SELECT COUNT(*) FROM requests").fetchone()[0],
    }
    conn.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--days", type=int, default=22, help="office days (22: a month)")
    ap.add_argument("--visitors", type=int, default=200, help="visitors a day")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    os.umask(0o077)  # the copies private like the database (no warning from make_private)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        settings = load_settings(write_bench_config(tmp, counters=4))
        path = settings.server.database
        clock = [FIRST_DAY]
        service = QueueService(settings, Store(path, synchronous="OFF"), clock=lambda: clock[0])
        started = time.monotonic()
        answered = fill(service, clock, args.days, args.visitors)
        filled_s = time.monotonic() - started
        with_answers = measure(path)
        # As an older version left it (auto_vacuum=NONE, every answer kept), copied before they are dropped.
        old, plain = tmp / "old.db", tmp / "plain.db"
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("VACUUM INTO ?", [str(old)])
        conn.close()
        conn = sqlite3.connect(old, isolation_level=None)
        conn.execute("PRAGMA auto_vacuum = NONE")
        conn.execute("VACUUM")
        conn.execute("VACUUM INTO ?", [str(plain)])
        conn.close()
        for db in (old, plain):
            sqlite3.connect(db, isolation_level=None).execute("PRAGMA journal_mode = WAL").connection.close()
        old_bytes = old.stat().st_size
        # The maintenance loop a day after the last visitor: every answer is older than REQUESTS_KEPT.
        clock[0] += REQUESTS_KEPT
        started = time.monotonic()
        dropped = service.forget_old_requests()
        forget_s = time.monotonic() - started
        without = measure(path)
        service.store.close()
        # The switch at the first start of this version (its answers are all months old by the real clock) ...
        started = time.monotonic()
        Store(old).close()
        switch_s = time.monotonic() - started
        # ... and, for comparison, a VACUUM of the whole file with the answers in it.
        conn = sqlite3.connect(plain, isolation_level=None)
        started = time.monotonic()
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        vacuum_s = time.monotonic() - started
        conn.close()
        result = {
            "days": args.days,
            "visitors_a_day": args.visitors,
            "visitors": with_answers["tickets"],
            "requests_answered": answered,
            "fill_s": round(filled_s, 1),
            "with_answers": with_answers,
            "answers_dropped": dropped,
            "forget_s": round(forget_s, 2),
            "without_answers": without,
            "bytes_per_visitor_with_answers": round(with_answers["file_bytes"] / with_answers["tickets"]),
            "bytes_per_visitor_without_answers": round(without["file_bytes"] / without["tickets"]),
            "old_db_bytes": old_bytes,
            "switch_s": round(switch_s, 2),
            "switched_db_bytes": old.stat().st_size,
            "full_vacuum_s": round(vacuum_s, 2),
        }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    mb = 2**20
    per_month = 22 * args.visitors
    print(
        f"{result['visitors']} visitors over {args.days} days ({answered} answered requests), filled in {filled_s:.0f} s"
    )
    for label, m in (("with every answer", with_answers), ("answers > 1 day dropped", without)):
        share = ", ".join(f"{k} {v / mb:.2f}" for k, v in m["tables"].items() if v >= mb / 100)
        print(f"  {label:24} file {m['file_bytes'] / mb:6.2f} MB  ({share} MB)")
    for key, label in (
        ("bytes_per_visitor_with_answers", "with answers"),
        ("bytes_per_visitor_without_answers", "without"),
    ):
        b = result[key]
        print(f"  per visitor {label:13} {b:6d} B  per month of {per_month} visitors {b * per_month / mb:6.1f} MB")
    print(f"  forget_old_requests: {dropped} answers in {forget_s:.2f} s")
    print(
        f"  older database of {old_bytes / mb:.1f} MB switched to incremental at start in {switch_s:.2f} s"
        f" -> {result['switched_db_bytes'] / mb:.1f} MB (a VACUUM with every answer kept: {vacuum_s:.2f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
