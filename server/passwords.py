"""Password hashing for the officers' accounts (salted scrypt), off the event loop under gevent.

No Flask: the service (server/service/accounts.py) hashes a new password for the admin API and the
command line alike, and server/auth.py checks a login with the same functions. The checks of logins and of
password changes take their turn in one line (CheckQueue), known devices first."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.security import check_password_hash, generate_password_hash


def hash_password(password: str) -> str:
    """A salted scrypt hash (off the event loop under gevent, see `_off_loop`)."""
    return _off_loop(generate_password_hash, password)


def check_password(password_hash: str, password: str) -> bool:
    """True when the password matches the stored hash (off the event loop under gevent)."""
    return _off_loop(check_password_hash, password_hash, password)


def _off_loop(fn: Callable[..., Any], *args: Any) -> Any:
    """Run a CPU-heavy call that releases the GIL (scrypt: about 0.1 s) in a native thread when the
    server runs on gevent, so that a login does not stop every display, kiosk and counter for that
    long; elsewhere (tests, the command line) call it directly. Never call it inside a store
    transaction: the greenlet yields while it waits, and another one's BEGIN IMMEDIATE would then
    wait for that transaction with the whole event loop (SQLite's busy wait is not cooperative)."""
    from shared.runtime import on_gevent

    if not on_gevent():
        return fn(*args)
    global _hashing_pool
    if _hashing_pool is None:
        from gevent.threadpool import ThreadPool

        _hashing_pool = ThreadPool(1)  # one hash at a time: a burst of logins never takes both cores
    return _hashing_pool.apply(fn, args)


_hashing_pool: Any = None


# Password checks of devices not known to the account they try (no device cookie for it) that may wait for the
# hashing thread; past them such a check is refused at once (POST /api/login: 429 login_busy). Eight: the eight
# officers' PCs of an office logging in at the same moment all wait (under a second), none is refused.
CHECKS_WAITING = 8


class ChecksBusy(Exception):
    """A password check from a device not known to the account was refused: CheckQueue.waiting_max wait already."""


class CheckQueue:
    """The password checks (a login's, a password change's), one at a time as the hashing thread does them,
    those of a known device (`known`: a device cookie of the account tried, server/auth.py DeviceTrust) first, in
    their order, then the others in theirs. At most `waiting_max` others wait (they are refused at once past
    that, ChecksBusy); the known ones are bounded by their callers (per cookie, per account). Before, every
    check waited in one line, first come first served: 100 addresses sending one wrong password each at once
    made an officer's login wait 10 s, and longer the more addresses (bench/bench_logins.py)."""

    def __init__(self, waiting_max: int | None = None):
        self.waiting_max = waiting_max  # None: CHECKS_WAITING, read at each check
        self.cond = threading.Condition()
        self.known: deque[object] = deque()
        self.others: deque[object] = deque()
        self.running = 0

    def _first(self) -> object | None:
        return self.known[0] if self.known else self.others[0] if self.others else None

    @contextmanager
    def turn(self, known: bool) -> Iterator[None]:
        """Wait for this check's turn and hold it; ChecksBusy at once when it is not `known` and the others'
        line is full."""
        me, line = object(), self.known if known else self.others
        with self.cond:
            if not known:
                limit = CHECKS_WAITING if self.waiting_max is None else self.waiting_max
                if len(self.others) >= limit and (self.running or self.known or self.others):
                    raise ChecksBusy(f"{len(self.others)} checks of other devices waiting")
            line.append(me)
            try:
                while self.running or self._first() is not me:
                    self.cond.wait()
            except BaseException:
                line.remove(me)
                self.cond.notify_all()
                raise
            line.popleft()
            self.running += 1
        try:
            yield
        finally:
            with self.cond:
                self.running -= 1
                self.cond.notify_all()

    def waiting(self) -> tuple[int, int]:
        """(known, others) waiting now."""
        with self.cond:
            return len(self.known), len(self.others)
