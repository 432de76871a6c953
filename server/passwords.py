"""Password hashing for the officers' accounts (salted scrypt), off the event loop under gevent.

No Flask: the service (server/service/accounts.py) hashes a new password for the admin API and the
command line alike, and server/auth.py checks a login with the same functions."""

from __future__ import annotations

from collections.abc import Callable
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
