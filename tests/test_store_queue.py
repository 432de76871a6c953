"""The store narrows the waiting line to a few rows; the core's choice over them equals its choice over all."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from server import core
from server.core import Ticket
from server.store import Store

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
DAY = "2026-11-28"


def make_line(store: Store, rng: random.Random, n: int) -> list[Ticket]:
    tickets = []
    with store.write() as tx:
        for i in range(1, n + 1):
            service = rng.choice("ABC")
            t = Ticket(
                id=None,
                day=rng.choice([DAY, DAY, DAY, "2026-11-27"]),
                service=service,
                number=i,
                label=f"{service}-{i:03d}",
                token=f"tok{i}",
                status=rng.choice([core.WAITING] * 4 + [core.RESOLVED]),
                priority=rng.random() < 0.2,
                position=rng.choice([float(i), rng.uniform(0, n)]),
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
    tickets = make_line(store, rng, rng.randint(0, 60))
    waiting = [t for t in tickets if t.day == DAY and t.status == core.WAITING]
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
            behind = tx.first_waiting_after(DAY, nxt.position) if nxt else None
            narrowed = core.requeue_position(skipped, heads + ([behind] if behind else []), services)
            assert narrowed == core.requeue_position(skipped, waiting, services)
        for t in waiting:
            mine = core.order_key(t)
            expected = sum(1 for o in waiting if o.service == t.service and o.id != t.id and core.order_key(o) < mine)
            assert tx.ahead_count(t) == expected
        for service in "ABC":
            assert core.front_position(tx.queue_heads(DAY, [service]), service) == core.front_position(waiting, service)
    store.close()
