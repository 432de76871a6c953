"""The office's state kept beside the configuration: the counters (mirrored from config.toml, with who
holds each and since when it is paused) and the sections of config.toml an admin changed live."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from server.store.base import TxBase, _dt, _iso


class OfficeQueries(TxBase):
    """Counters and settings overrides."""

    # The two upserts stay written out: sqlite-utils' Table.upsert, on its first use on a connection,
    # probes for ON CONFLICT by creating and dropping a table, inside the caller's transaction.
    def sync_counters(self, counters: list[dict[str, Any]]) -> None:
        """Mirror the configured counters into the counters table."""
        for c in counters:
            self.db.execute(
                "INSERT INTO counters (id, name, services) VALUES (?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET name = excluded.name, services = excluded.services",
                [c["id"], c["name"], json.dumps(list(c["services"]))],
            )

    def counter_claim(self, counter_id: int) -> dict[str, Any] | None:
        """Who holds a counter, or None."""
        return self.one("SELECT officer_id, officer_name, claimed_at FROM counters WHERE id = ?", [counter_id])

    def claim_counter(self, counter_id: int, user_id: int | None, name: str | None, now: datetime | None) -> None:
        """Record who holds a counter (None frees it)."""
        self.db.execute(
            "UPDATE counters SET officer_id = ?, officer_name = ?, claimed_at = ? WHERE id = ?",
            [user_id, name, _iso(now), counter_id],
        )

    def counter_claims(self) -> dict[int, dict[str, Any]]:
        """Who holds each counter since when, and since when it is paused (None: not), by counter id."""
        return {
            r["id"]: r for r in self.rows("SELECT id, officer_id, officer_name, claimed_at, paused_at FROM counters")
        }

    def set_counter_paused(self, counter_id: int, at: datetime | None) -> None:
        """Pause a counter from `at` (None resumes it)."""
        self.db.execute("UPDATE counters SET paused_at = ? WHERE id = ?", [_iso(at), counter_id])

    def counter_paused_at(self, counter_id: int) -> datetime | None:
        """Since when a counter is paused, or None."""
        row = self.one("SELECT paused_at FROM counters WHERE id = ?", [counter_id])
        return _dt(row["paused_at"]) if row else None

    # -- settings changed live by an admin ---------------------------------------------
    def settings_overrides(self) -> dict[str, Any]:
        """Sections of config.toml an admin replaced, by section name."""
        return {
            r["section"]: json.loads(r["value"]) for r in self.rows("SELECT section, value FROM settings_overrides")
        }

    def drop_settings_override(self, section: str) -> bool:
        """Forget an admin's value for one section (config.toml's again); False when there was none."""
        return self.db.execute("DELETE FROM settings_overrides WHERE section = ?", [section]).rowcount > 0

    def set_settings_override(self, section: str, value: Any, actor: str, now: datetime) -> None:
        """Store an admin's new value for one section of config.toml."""
        self.db.execute(
            "INSERT INTO settings_overrides (section, value, updated_at, actor) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(section) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,"
            " actor = excluded.actor",
            [section, json.dumps(value, ensure_ascii=False), _iso(now), actor],
        )
