"""Accounts: who holds which counter (claims, releases, the automatic release of an idle counter), and the
staff accounts themselves (add, new password, profile, disable or enable, sessions). The admin API and
the command line both change accounts here, and an account its own password (POST /api/me/password), each
change logged as a `user_changed` event."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from server import core
from server.errors import Forbidden, LoginRequired, NotFound, QueueError
from server.service.unit import Kind, Outcome, utcnow
from server.store import Tx

if TYPE_CHECKING:
    from server.service.unit import UnitOfWork

# the account the first start makes, its password shown on that start only (Accounts.ensure_first_admin)
FIRST_ADMIN = "admin"


class CounterClaims:
    """Which officer holds which counter."""

    def __init__(self, unit: UnitOfWork):
        self.unit = unit
        # A counter whose holder has no counter page open (hooks.counters_shown) for [queue]
        # counter_release_minutes is freed by the maintenance loop (release_idle_counters).
        self._seen: dict[int, tuple[int, datetime]] = {}  # counter id -> (its holder, last seen on a page)
        self._started = unit.clock()  # after a restart every holder has the whole time to reconnect
        self._cli_seen: int | None = None  # the newest seq at the last look for the command line's releases

    def claim_counter(self, counter_id: int, user: dict[str, Any]) -> None:
        """An officer takes a counter; refused when bound elsewhere or held by another officer."""
        unit = self.unit
        unit.counter(counter_id)
        if user["role"] == "admin":
            return
        if user["counter_id"] and user["counter_id"] != counter_id:
            raise Forbidden("counter_bound", counter_id=user["counter_id"])
        with unit.store.read() as tx:
            claim = tx.counter_claim(counter_id)
        if claim and claim["officer_id"] == user["id"]:
            # its holder acting at it is at it, page open or not: its idle time starts again (release_idle_counters)
            self._seen[counter_id] = (user["id"], unit.clock())
            return

        def run(tx: Tx, now: datetime) -> Outcome:
            claim = tx.counter_claim(counter_id)
            if claim and claim["officer_id"] and claim["officer_id"] != user["id"]:
                raise QueueError("counter_taken", officer=claim["officer_name"])
            if claim and claim["officer_id"] == user["id"]:
                return Outcome()  # this officer's other tab took it meanwhile
            tx.claim_counter(counter_id, user["id"], user["username"], now)
            # the other pages learn who holds it now, also when the action that took it changes nothing (N
            # with nobody waiting): an officer bound to it sees at once that it is taken
            data = {"counter_id": counter_id}
            tx.add_event("counter_claimed", now, unit.day(now), None, counter_id, user["username"], data)
            return Outcome()

        unit.run(None, run)

    def check_counter(self, counter_id: int, user: dict[str, Any]) -> None:
        """Refuse an officer a counter they may not act at, without claiming it (a form copy on its printer):
        bound to another counter (403 counter_bound) or held by another officer (409 counter_taken), as
        claim_counter refuses them. An admin acts at any counter. NotFound for no such counter."""
        self.unit.counter(counter_id)
        if user["role"] == "admin":
            return
        if user["counter_id"] and user["counter_id"] != counter_id:
            raise Forbidden("counter_bound", counter_id=user["counter_id"])
        with self.unit.store.read() as tx:
            claim = tx.counter_claim(counter_id)
        if claim and claim["officer_id"] and claim["officer_id"] != user["id"]:
            raise QueueError("counter_taken", officer=claim["officer_name"])

    def release_counter(self, counter_id: int, user: dict[str, Any]) -> dict[str, Any]:
        """Free a counter: its holder, or an admin or the front office whoever holds it. Freed by someone
        else than its holder, the counter's called ticket goes back to the line at its place
        (core.return_to_line); a `counter_released` event tells the holder's page. An officer's release of
        a counter nobody holds changes nothing: an officer frees only their own, and a ticket called there
        (an admin's call) is not theirs to send back."""
        self.unit.counter(counter_id)

        def run(tx: Tx, now: datetime) -> Outcome:
            claim = tx.counter_claim(counter_id) or {}
            holder = claim.get("officer_id")
            frees_any = user["role"] in ("admin", "frontoffice")
            if holder not in (None, user["id"]) and not frees_any:
                raise QueueError("counter_taken", officer=claim["officer_name"])
            by, role = user["username"], user["role"]
            return_called = holder != user["id"] and frees_any
            self._release(tx, now, counter_id, claim, by, return_called=return_called, role=role)
            return Outcome({"ok": True})

        return self.unit.run(None, run, seq=True).body  # {"ok": true, "seq": N}: pages keep newer events' state

    def _release(
        self,
        tx: Tx,
        now: datetime,
        counter_id: int,
        claim: dict[str, Any],
        by: str,
        return_called: bool,
        role: str | None = None,
        reason: str | None = None,
    ) -> None:
        """Free a counter (`claim`: its row) and log `counter_released` {counter_id, officer, by, returned, place}
        when it had a holder or gave a ticket back. `return_called` (not its holder: an admin, the front
        office, "auto"; or its holder's logout): a called ticket at the counter waits again at its place; a
        ticket being served stays (its visitor is at the counter: whoever takes the counter next finishes it).
        `role`: the role of `by` (a release through the API), kept as `data.role` for the counter page's words
        ("… sent back to the line by the front office (rina)"). `reason`: why its holder's session ended, kept as
        `data.reason` (`password`, `disabled`, `session_ended`, `restore`: the holder's page, opened again, says
        it). A break the holder took ends with the hold."""
        returned = None
        if return_called:
            current = tx.counter_ticket(counter_id)
            if current is not None and current.status == core.CALLED:
                returned = core.return_to_line(current)
                tx.save_ticket(returned, current)
        officer = claim.get("officer_name")
        if claim.get("officer_id") is not None:
            tx.claim_counter(counter_id, None, None, None)
            self._end_break(tx, now, counter_id, by)
        elif returned is None:
            return
        data: dict[str, Any] = {"counter_id": counter_id, "officer": officer, "by": by, "returned": None}
        if role:
            data["role"] = role
        if reason:
            data["reason"] = reason
        if by == "auto":  # the time without a counter page after which it was freed, for the pages to say
            data["minutes"] = self.unit.settings.queue.counter_release_minutes
        if returned is not None:
            data.update({"returned": returned.label, "from": core.CALLED, "to": returned.status, "calls": 0})
            # its place in its service's line now (1: called next), as the counter pages number that line: the
            # holder's page says where the visitor waits ("… urutan ke-1 di A")
            if returned.position is not None:
                data["place"] = tx.ahead_count(returned) + 1
        ticket_id = returned.id if returned is not None else None
        tx.add_event("counter_released", now, self.unit.day(now), ticket_id, counter_id, by, data)
        self._seen.pop(counter_id, None)

    def _end_break(self, tx: Tx, now: datetime, counter_id: int, by: str) -> None:
        """A freed counter's break ends with its officer's hold: the TV and the next officer find it open (a
        `counter_resumed` event, `by` as its actor, before the `counter_released`), not ISTIRAHAT for nobody."""
        at = tx.counter_paused_at(counter_id)
        if at is None:
            return
        tx.set_counter_paused(counter_id, None)
        if self.unit.day(at) == self.unit.day(now):  # a pause of an earlier day was over already
            tx.add_event("counter_resumed", now, self.unit.day(now), None, counter_id, by, {"counter_id": counter_id})

    def held_counters(self, user_id: int) -> list[int]:
        """The counters an officer holds (GET /api/me: a page opened again takes its counter back)."""
        with self.unit.store.read() as tx:
            claims = tx.counter_claims()
        settings = self.unit.settings
        return sorted(cid for cid, c in claims.items() if c["officer_id"] == user_id and settings.counter(cid))

    def last_finished(self, counter_id: int, user: dict[str, Any]) -> dict[str, Any] | None:
        """The ticket last finished (Selesai, Eskalasi) at a counter today, for its form copy (SOP step 12) on a
        counter page opened after the finish (a second tab, another PC): {seq, id, label, token, day}, None when
        none. Only to an officer who may act there (check_counter: not bound elsewhere, not another's counter)."""
        self.check_counter(counter_id, user)
        unit = self.unit
        with unit.store.read() as tx:
            return tx.last_finished_at(counter_id, unit.day())

    @staticmethod
    def _present(holder: int, counter_id: int, shown: set[tuple[int, int | None]], claims: dict[int, Any]) -> bool:
        """Whether the holder has a counter page open on the counter: one that shows it, or names no counter,
        or shows a counter they do not hold (it switched counters since it connected: it shows theirs)."""
        for uid, cid in shown:
            if uid == holder and (cid in (counter_id, None) or (claims.get(cid) or {}).get("officer_id") != holder):
                return True
        return False

    def release_idle_counters(self) -> int:
        """Free each counter whose holder has had no counter page open on it (counters_shown) nor acted at it for
        [queue] counter_release_minutes, by="auto" (the maintenance loop, every second). Returns how many."""
        unit = self.unit
        now = unit.clock()
        shown = unit.hooks.counters_shown()
        with unit.store.read() as tx:
            claims = tx.counter_claims()
        idle = []
        for cid, claim in claims.items():
            holder = claim["officer_id"]
            if holder is None or unit.settings.counter(cid) is None:
                self._seen.pop(cid, None)
                continue
            if self._present(holder, cid, shown, claims):
                self._seen[cid] = (holder, now)
                continue
            if self._idle(cid, claim, now):
                idle.append((cid, holder))
        if not idle:
            return 0

        def run(tx: Tx, now: datetime) -> Outcome:
            done = 0
            for cid, holder in idle:
                claim = tx.counter_claim(cid) or {}
                # nobody took it meanwhile, and its holder did not act at it since it was found idle
                if claim.get("officer_id") == holder and self._idle(cid, claim, now):
                    self._release(tx, now, cid, claim, "auto", return_called=True)
                    done += 1
            return Outcome(done)

        return unit.run(None, run).body

    def _idle(self, cid: int, claim: dict[str, Any], now: datetime) -> bool:
        """Whether counter `cid`'s holder (its `claim`) has been away from it for [queue] counter_release_minutes:
        since this server started, the holder's page last showed it or the holder last acted at it (_seen), or
        it was claimed, whichever is latest."""
        holder, seen = claim["officer_id"], self._seen.get(cid)
        since = [self._started]
        if seen is not None and seen[0] == holder:
            since.append(seen[1])
        if claim["claimed_at"]:
            since.append(datetime.fromisoformat(claim["claimed_at"]))
        return (now - max(since)).total_seconds() >= self.unit.settings.queue.counter_release_minutes * 60

    def release_counters(self, user: dict[str, Any]) -> None:
        """Free every counter this officer holds (at logout), each with a `counter_released` event. A ticket
        one of them is calling waits again at its place, as at a release by the front office (nobody is left
        to serve that visitor there, and the other counters can call them); a ticket being served stays: its
        visitor is at the counter, and the next officer there finishes it."""

        def run(tx: Tx, now: datetime) -> Outcome:
            self.release_held(tx, now, user["id"], user["username"])
            return Outcome()

        self.unit.run(None, run)

    def release_held(self, tx: Tx, now: datetime, user_id: int, by: str, reason: str | None = None) -> None:
        """In `tx`: free every counter the account `user_id` holds, as at its logout (release_counters);
        `reason`: why its session ended (_release)."""
        for cid, claim in tx.counter_claims().items():
            if claim["officer_id"] == user_id:
                self._release(tx, now, cid, claim, by, return_called=True, reason=reason)

    def release_ended(self, user_id: int) -> None:
        """Free the counters of an account whose session ended under its open page, past its end (the office's
        midnight, or SESSION_HOURS after its sign-in: server.realtime's check_sessions, when the account has no
        other page open), as at its logout and in its name: nobody is left signed in to serve there, and the TV
        would show its break or its called visitor until [queue] counter_release_minutes had passed."""

        def run(tx: Tx, now: datetime) -> Outcome:
            row = tx.user_by_id(user_id)
            if row is not None:
                self.release_held(tx, now, user_id, row["username"], reason="session_ended")
            return Outcome()

        self.unit.run(None, run)

    def release_all(self, by: str, reason: str | None = None) -> None:
        """Free every counter held, as at its holder's logout (`restore`: every session signed in before it has
        ended, and the backup's holders, breaks and called visitors are of the time it was made)."""

        def run(tx: Tx, now: datetime) -> Outcome:
            for cid, claim in tx.counter_claims().items():
                if claim["officer_id"] is not None:
                    self._release(tx, now, cid, claim, by, return_called=True, reason=reason)
            return Outcome()

        self.unit.run(None, run)

    def publish_cli_releases(self) -> bool:
        """Publish the counters the command line freed while this server runs (`users disable` or `users passwd`
        of an account holding one: Accounts.change_user, in the command line's process, which publishes nothing).
        As the command line's settings changes are (Office.reload_settings_if_changed): each of its
        `counter_resumed` and `counter_released` goes out again as an event of this server's own, with a fresh
        seq, its actor and its `data` with `data.applies` (the seq of its row), so that the TVs (which see no gap
        in the numbers of the events they are sent) and the staff pages take it at once. The maintenance loop,
        every second; the first look only notes where the log is. True when something went out."""
        unit = self.unit
        with unit.store.read() as tx:
            newest = tx.last_seq()
            rows = tx.cli_counter_events(self._cli_seen, newest) if self._cli_seen is not None else []
        seen, self._cli_seen = self._cli_seen, newest
        if not rows:
            return False

        def run(tx: Tx, now: datetime) -> Outcome:
            day = unit.day(now)
            for r in rows:
                data = {**r["data"], "applies": r["seq"]}
                tx.add_event(r["type"], now, day, r["ticket_id"], r["counter_id"], r["actor"], data)
            return Outcome()

        try:
            unit.run(None, run)
        except BaseException:  # not committed: the next look tries again
            self._cli_seen = seen
            raise
        return True


class Accounts:
    """Staff accounts and their sessions. Passwords come in plain and are hashed here, before the
    transaction (scrypt yields under gevent: never inside one, server.passwords._off_loop)."""

    def __init__(self, unit: UnitOfWork, claims: CounterClaims | None = None):
        self.unit = unit
        self.claims = claims if claims is not None else CounterClaims(unit)

    # -- reading ---------------------------------------------------------------------
    def users(self) -> list[dict[str, Any]]:
        """Every account (no password hashes), by username."""
        with self.unit.store.read() as tx:
            return tx.users()

    def user(self, username: str) -> dict[str, Any] | None:
        """An account by username (with its password hash: for the login), or None."""
        with self.unit.store.read() as tx:
            return tx.user(username)

    def user_by_id(self, user_id: int) -> dict[str, Any] | None:
        """An account by id, or None (a session's account)."""
        with self.unit.store.read() as tx:
            return tx.user_by_id(user_id)

    def session_account(self, user_id: int) -> dict[str, Any] | None:
        """A session's account by id with the database's session epoch (`session_epoch`), or None."""
        with self.unit.store.read() as tx:
            return tx.session_account(user_id)

    def session_epoch(self) -> str:
        """The database's session epoch ("" until a `restore`): what a new session carries."""
        with self.unit.store.read() as tx:
            return tx.session_epoch()

    def session_mark(self) -> tuple[str, int]:
        """What a new session carries of the database: its session epoch and the event log's last seq."""
        with self.unit.store.read() as tx:
            return tx.session_epoch(), tx.last_seq()

    def session_changes(self, username: str, after: int) -> list[str]:
        """The changes (`data.change`) of the account's `user_changed` events after seq `after`, oldest first:
        what ended its sessions signed in at that seq (server.auth.session_end_reason)."""
        with self.unit.store.read() as tx:
            rows = tx.events_between(("user_changed",), after, tx.last_seq())
        return [r["data"].get("change") for r in rows if r["data"].get("username") == username]

    def session_states(self) -> dict[int, tuple[int, bool]]:
        """Each account's (session_version, active), by id: what a staff socket is checked against."""
        with self.unit.store.read() as tx:
            return tx.session_states()

    # -- changes ---------------------------------------------------------------------
    def _log(self, tx: Tx, now: datetime, username: str, change: str, actor: str, **more: Any) -> None:
        """A `user_changed` event: whose account, what changed, and (as actor) who did it."""
        data = {"username": username, "change": change, **more}
        tx.add_event("user_changed", now, self.unit.day(now), None, None, actor, data)

    def add_user(
        self,
        username: str,
        password: str,
        role: str,
        actor: str,
        counter_id: int | None = None,
        full_name: str | None = None,
        nip: str | None = None,
    ) -> Outcome:
        """Add an account (checked by the caller: server.admin_api, server.auth.validate_new_user); its row,
        CREATED. QueueError user_exists when the name is taken, its `fields` naming `username` (the admin page
        says it there)."""
        from server.passwords import hash_password

        password_hash = hash_password(password)
        profile = {k: v for k, v in (("full_name", full_name), ("nip", nip)) if v is not None}

        def run(tx: Tx, now: datetime) -> Outcome:
            if tx.user(username):
                raise QueueError("user_exists", {"username": "username_taken"}, username=username)
            tx.add_user(username, password_hash, role, now, counter_id, **profile)
            self._log(tx, now, username, "added", actor, role=role)
            return Outcome(tx.user(username), Kind.CREATED)

        return self.unit.run(None, run)

    def change_user(self, username: str, change: str, actor: str, **fields: Any) -> Outcome:
        """Change an account (`fields` as Tx.update_user takes them) and log `change`; its row. NotFound
        for no such account. A new password, role or active flag ends its sessions and staff sockets, and
        frees the counters it holds, as its logout does."""

        def run(tx: Tx, now: datetime) -> Outcome:
            row = tx.user(username)
            if not row:
                raise NotFound("not_found")
            tx.update_user(username, **fields)
            self._log(tx, now, username, change, actor)
            if set(fields) & {"password_hash", "role", "active"}:
                # its sessions end (disabled, a new password or role): the counters it holds are freed now, as at
                # its logout (a called ticket waits again at its place, one being served stays, a break ends), not
                # after counter_release_minutes with its break or its called visitor on the TV, its counter refused
                # to the others, and nobody signed in there to serve
                reason = change if change in ("password", "disabled") else None  # a role: none (no route changes one)
                self.claims.release_held(tx, now, row["id"], actor, reason=reason)
            return Outcome(tx.user(username))

        outcome = self.unit.run(None, run)
        self.unit.hooks.check_sessions()  # a new password or a disabled account: its open staff sockets go now
        return outcome

    def set_password(self, username: str, password: str, actor: str) -> Outcome:
        """A new password (checked by the caller), logged as change "password"."""
        from server.passwords import hash_password

        return self.change_user(username, "password", actor, password_hash=hash_password(password))

    def set_own_password(self, user: dict[str, Any], password: str) -> Outcome:
        """An account's own new password (its current one checked by the caller: POST /api/me/password, at a
        login's cost and under its throttle), logged as change "password" with the account itself as actor;
        the account's row. Its sessions end, the caller keeps its own (server.auth.renew_session). `user`
        is the row the check was made against: an account changed since (a new password, role or state,
        a logout elsewhere: its session_version went up) is refused, LoginRequired, as its session is."""
        from server.passwords import hash_password

        password_hash = hash_password(password)  # outside the transaction: under gevent it yields

        def run(tx: Tx, now: datetime) -> Outcome:
            row = tx.user_by_id(user["id"])
            same = row is not None and all(row[k] == user[k] for k in ("session_version", "password_hash"))
            if not same or not row["active"]:
                raise LoginRequired()
            tx.update_user(row["username"], password_hash=password_hash)
            self._log(tx, now, row["username"], "password", row["username"])
            return Outcome(tx.user_by_id(row["id"]))

        outcome = self.unit.run(None, run)
        self.unit.hooks.check_sessions()  # the account's staff sockets go now (this browser's connect again)
        return outcome

    def set_active(self, username: str, active: bool, actor: str) -> Outcome:
        """Disable or enable an account, logged as "disabled" or "enabled"."""
        return self.change_user(username, "enabled" if active else "disabled", actor, active=int(active))

    def set_profile(self, username: str, actor: str, **fields: str | None) -> Outcome:
        """The full name and NIP the A4 form is signed with (None clears one); the sessions go on."""
        return self.change_user(username, "profile", actor, **fields)

    def end_sessions(self, user_id: int) -> None:
        """End every session of an account (logout) and disconnect its staff sockets now."""
        with self.unit.lock, self.unit.store.write() as tx:
            tx.end_sessions(user_id)
        self.unit.hooks.check_sessions()

    def ensure_first_admin(self) -> tuple[str, str] | None:
        """With no account yet, make FIRST_ADMIN with a generated password; returns (name, password) once."""
        from server.passwords import hash_password

        store = self.unit.store
        with store.read() as tx:
            if tx.user_count():
                return None
        password = secrets.token_urlsafe(9)
        password_hash = hash_password(password)  # outside any transaction: under gevent it yields
        with store.write() as tx:
            if tx.user_count():  # someone made an account meanwhile
                return None
            tx.add_user(FIRST_ADMIN, password_hash, "admin", utcnow(), None)
            return FIRST_ADMIN, password
