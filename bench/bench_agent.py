"""What a print agent's backlog costs the server: a kiosk PC off for days, then back.

    python bench/bench_agent.py [--per-day 400] [--days 5] [--json]

Queues `days` office days of `per-day` tickets for a printer of a print agent ([agents]) that never
connects, through QueueService (the code behind the API) on a fake clock, then times the agent
printer's worker (server/printing.py, AgentPrintWorker) as its loop runs it: a round while no agent is
connected, the round that gives up the jobs of earlier days, a round that pushes (at most
PUSH_PER_ROUND jobs, each read and rendered in its own transaction, the loop yielding between), a
round with everything already pushed, and the longest single transaction of a pushing round (what
another request can wait for). The messages go to a list, as socketio.emit would queue them.
"""

from __future__ import annotations

import argparse
import json
import os
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
from server.printing import AgentPrintWorker  # noqa: E402
from server.service import QueueService  # noqa: E402
from server.store import Store  # noqa: E402

FIRST_DAY = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)  # a Monday, 08:00 WIB


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    out = fn()
    return (time.perf_counter() - started) * 1000, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-day", type=int, default=400, help="tickets a day")
    ap.add_argument("--days", type=int, default=5, help="days the agent stays away")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    os.umask(0o077)
    import random

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cfg = write_bench_config(tmp, counters=2)
        text = cfg.read_text(encoding="utf-8").replace('[agents]\n# kiosk = "', '[agents]\nkiosk = "')
        assert '\nkiosk = "ANTRIAN_AGENT_TOKEN"' in text, "config.toml's [agents] example has changed"
        cfg.write_text(text, encoding="utf-8")
        settings = load_settings(cfg)
        clock = [FIRST_DAY]
        service = QueueService(settings, Store(settings.server.database, synchronous="OFF"), clock=lambda: clock[0])
        people = _demo_people(random.Random(7))
        for d in range(args.days):
            clock[0] = FIRST_DAY + timedelta(days=d)
            for i in range(args.per_day):
                clock[0] += timedelta(seconds=60)
                p = people[i % len(people)]
                service.issue(_demo_form(p), None, actor="kiosk", printed=True, kiosk=False, override_quota=True)
        with service.store.read() as tx:
            queued = tx.one("SELECT COUNT(*) AS n FROM print_jobs WHERE status = 'queued'")["n"]
        pushed: list[dict] = []
        here = {"agent": False}
        worker = AgentPrintWorker(
            service,
            "kiosk",
            settings.printers["kiosk"],
            lambda event, msg, to: pushed.append(msg),
            present=lambda: here["agent"],
        )
        # The agent away: the worker's first round (its day's expiry included) and a steady one.
        worker._expired_up_to = service.unit.day()  # today's jobs stay: time the expiry below, on its own
        absent_ms, _ = timed(worker.run_once)
        clock[0] += timedelta(days=1)  # the next morning: the days before are given up
        expire_ms, expired = timed(worker.expire_stale)
        for i in range(args.per_day // 2):  # a morning's tickets while the agent is still away
            clock[0] += timedelta(seconds=30)
            service.issue(_demo_form(people[i % len(people)]), None, actor="kiosk", printed=True, kiosk=False)
        here["agent"] = True
        worker.resend()
        longest_tx = 0.0
        tx_ms: list[float] = []
        read = service.store.read

        def timed_read():  # the longest one transaction of a round: what a request can wait behind
            class Timed:
                def __enter__(self):
                    self.ctx = read()
                    self.started = time.perf_counter()
                    return self.ctx.__enter__()

                def __exit__(self, *exc):
                    nonlocal longest_tx
                    out = self.ctx.__exit__(*exc)
                    tx_ms.append((time.perf_counter() - self.started) * 1000)
                    longest_tx = max(longest_tx, tx_ms[-1])
                    return out

            return Timed()

        service.store.read = timed_read
        push_ms, first = timed(worker.run_once)
        rounds, pushing_ms = 1, [push_ms]
        while worker.wake.is_set():
            worker.wake.clear()
            ms, _ = timed(worker.run_once)
            pushing_ms.append(ms)
            rounds += 1
        idle_ms, again = timed(worker.run_once)
        service.store.read = read
        figures = {
            "queued_before": queued,
            "absent_round_ms": round(absent_ms, 2),
            "expired": expired,
            "expiry_ms": round(expire_ms, 1),
            "pending_after_expiry": len(pushed),
            "push_per_round": worker.PUSH_PER_ROUND,
            "pushing_rounds": rounds,
            "pushing_round_ms_max": round(max(pushing_ms), 1),
            "longest_transaction_ms": round(longest_tx, 2),
            "median_transaction_ms": round(sorted(tx_ms)[len(tx_ms) // 2], 2),
            "round_all_sent_ms": round(idle_ms, 2),
            "pushed_again": again,
        }
        service.store.close()
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"queued for an agent away {args.days} days: {queued} jobs")
        print(f"a round while no agent is connected: {figures['absent_round_ms']} ms")
        print(f"the next morning: {expired} jobs of earlier days given up in {figures['expiry_ms']} ms")
        print(
            f"agent back: {figures['pending_after_expiry']} of today's jobs pushed in {rounds} rounds of at most "
            f"{worker.PUSH_PER_ROUND}, longest round {figures['pushing_round_ms_max']} ms, longest transaction "
            f"{figures['longest_transaction_ms']} ms (median {figures['median_transaction_ms']} ms)"
        )
        print(f"a round with everything sent: {figures['round_all_sent_ms']} ms ({again} pushed again)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
