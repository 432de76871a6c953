"""Staff accounts and their sessions: a login carries the account's session_version, and a new
password, role or active flag, or a logout, ends the sessions signed before (m012)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.store.base import TxBase, _iso

# the newest restore's epoch (idx_events_type_seq: a few index entries read)
_EPOCH = "SELECT json_extract(data, '$.epoch') FROM events WHERE type = 'restored' ORDER BY seq DESC LIMIT 1"


class AccountQueries(TxBase):
    """Accounts (users) and their session versions."""

    def add_user(
        self,
        username: str,
        password_hash: str,
        role: str,
        now: datetime,
        counter_id: int | None,
        full_name: str | None = None,
        nip: str | None = None,
    ) -> int:
        """Add an account (full name and NIP optional: None or ""); its id."""
        row = {
            "username": username,
            "password_hash": password_hash,
            "role": role,
            "counter_id": counter_id,
            "active": 1,
            "created_at": _iso(now),
            "full_name": full_name or None,
            "nip": nip or None,
        }
        return self.db["users"].insert(row).last_rowid

    def user(self, username: str) -> dict[str, Any] | None:
        """An account by username, or None."""
        return next(self.db["users"].rows_where("username = ?", [username]), None)

    def user_by_id(self, user_id: int) -> dict[str, Any] | None:
        """An account by id, or None (every staff request asks: one statement)."""
        return self.one("SELECT * FROM users WHERE id = ?", [user_id])

    def session_account(self, user_id: int) -> dict[str, Any] | None:
        """A session's account by id, with the database's `session_epoch` (session_epoch()), or None: one
        statement, as every staff request asks."""
        return self.one(f"SELECT *, ({_EPOCH}) AS session_epoch FROM users WHERE id = ?", [user_id])

    def session_epoch(self) -> str:
        """The database's session epoch: the newest `restored` event's random `data.epoch` ("" before any).
        A session carries the epoch it was signed in under; `restore` writes a new one, so that every
        session signed before the restore ends (its account's id may be another account's by then)."""
        return self.one(f"SELECT ({_EPOCH}) AS e")["e"] or ""

    def user_count(self) -> int:
        """How many accounts exist."""
        return self.one("SELECT COUNT(*) AS n FROM users")["n"]

    def users(self) -> list[dict[str, Any]]:
        """Every account (no password hashes)."""
        return self.rows(
            "SELECT id, username, role, counter_id, active, created_at, full_name, nip FROM users ORDER BY username"
        )

    def update_user(self, username: str, **fields: Any) -> None:
        """Change an account's password hash, active flag, role, counter, full name or NIP. A new password,
        role or active flag ends the account's existing sessions (its session_version goes up)."""
        allowed = {"password_hash", "active", "role", "counter_id", "full_name", "nip"}
        if not set(fields) <= allowed:
            raise ValueError(f"cannot change {sorted(set(fields) - allowed)}")
        sets = ", ".join(f"{k} = ?" for k in fields)
        if set(fields) & {"password_hash", "active", "role"}:
            sets += ", session_version = session_version + 1"
        self.db.execute(f"UPDATE users SET {sets} WHERE username = ?", [*fields.values(), username])

    def end_sessions(self, user_id: int) -> None:
        """End every session of an account (logout): cookies and sockets signed before stop working."""
        self.db.execute("UPDATE users SET session_version = session_version + 1 WHERE id = ?", [user_id])

    def session_states(self) -> dict[int, tuple[int, bool]]:
        """Each account's (session_version, active), by id: what a staff socket is checked against."""
        return {
            r["id"]: (r["session_version"], bool(r["active"]))
            for r in self.rows("SELECT id, session_version, active FROM users")
        }
