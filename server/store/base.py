"""What every family of queries stands on: the transaction's connection, rows as dicts, and the
stored form of timestamps (ISO 8601 in UTC)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from server.core import ESCALATIONS, SERVED


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def sql_words(words: Iterable[str]) -> str:
    """The core's fixed words (status names) as SQL literals for an IN list, built once at import time:
    "'resolved', 'escalated'". Never for values from a request (those go in as parameters)."""
    out = []
    for word in words:
        if not word.replace("_", "").isalnum():
            raise ValueError(f"not a plain word: {word!r}")
        out.append(f"'{word}'")
    return ", ".join(out)


# The core's status sets as SQL literals (`status IN (...)`), built once.
SERVED_SQL = sql_words(SERVED)
ESCALATIONS_SQL = sql_words(ESCALATIONS)


class TxBase:
    """One transaction's connection, and the events it appended (published once it commits)."""

    def __init__(self, db: Database):
        self.db = db
        self.events: list[dict[str, Any]] = []
        # What starts once the transaction is committed, never before (server.service.unit: a call's speech)
        self.after: list[Callable[[], None]] = []

    def rows(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """Every row of a query, as dicts."""
        cur = self.db.execute(sql, params)
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        """The first row of a query, or None."""
        rows = self.rows(sql, params)
        return rows[0] if rows else None
