"""Officers' login: hashed passwords, a session cookie, a CSRF token header, role checks."""

from __future__ import annotations

import hmac
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, g, request, session
from werkzeug.security import check_password_hash, generate_password_hash

ROLES = ("officer", "frontoffice", "admin")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")


class AuthError(Exception):
    """Login missing (401) or not allowed (403); `code` picks the message."""

    def __init__(self, code: str, status: int, **params: object):
        super().__init__(code)
        self.code = code
        self.status = status
        self.params = params


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
    from server.runtime import on_gevent

    if not on_gevent():
        return fn(*args)
    global _hashing_pool
    if _hashing_pool is None:
        from gevent.threadpool import ThreadPool

        _hashing_pool = ThreadPool(1)  # one hash at a time: a burst of logins never takes both cores
    return _hashing_pool.apply(fn, args)


_hashing_pool: Any = None


class LoginThrottle:
    """Failed logins per address: after `limit` within `window` seconds, refuse until the oldest ages
    out. A guesser on the office Wi-Fi gets a handful of tries, not thousands; a success clears it."""

    def __init__(self, limit: int = 10, window: float = 300.0):
        self.limit = limit
        self.window = window
        self.failures: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def wait_seconds(self, key: str) -> int:
        """0 when `key` may try; else how many seconds until it may."""
        now = time.monotonic()
        with self.lock:
            q = self.failures.get(key)
            while q and now - q[0] > self.window:
                q.popleft()
            if not q or len(q) < self.limit:
                return 0
            return max(1, int(self.window - (now - q[0])) + 1)

    def failed(self, key: str) -> None:
        now = time.monotonic()
        with self.lock:
            self.failures.setdefault(key, deque()).append(now)
            if len(self.failures) > 10000:  # forget addresses that stopped
                for k in [k for k, v in self.failures.items() if not v or now - v[-1] > self.window]:
                    del self.failures[k]

    def succeeded(self, key: str) -> None:
        with self.lock:
            self.failures.pop(key, None)


def validate_new_user(username: object, password: object, role: object) -> dict[str, str]:
    """Field problems of a new account (empty when it is fine)."""
    bad: dict[str, str] = {}
    if not isinstance(username, str) or not USERNAME.match(username):
        bad["username"] = "invalid"
    if not isinstance(password, str) or len(password) < 8 or len(password) > 200:
        bad["password"] = "invalid"
    if role not in ROLES:
        bad["role"] = "invalid"
    return bad


def current_user() -> dict[str, Any] | None:
    """The logged-in, still active user of this request, or None."""
    if "user" in g:
        return g.user
    uid = session.get("uid")
    user = None
    if uid is not None:
        with current_app.extensions["antrian"].store.read() as tx:
            user = tx.user_by_id(uid)
        if user is not None and not user["active"]:
            user = None
    g.user = user
    return user


def csrf_token() -> str:
    """This session's CSRF token, made on first use."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        session["csrf"] = token
    return token


def require(*roles: str, csrf: bool = True) -> Callable:
    """Decorator: the request needs a login with one of `roles` (admin always passes) and, for writes, the CSRF header."""

    def deco(fn: Callable) -> Callable:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                raise AuthError("login_required", 401)
            if user["role"] != "admin" and user["role"] not in roles:
                raise AuthError("forbidden", 403)
            if csrf and request.method not in ("GET", "HEAD", "OPTIONS"):
                sent = request.headers.get("X-CSRFToken", "")
                if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
                    raise AuthError("csrf", 403)
            return fn(*args, **kwargs)

        return wrapper

    return deco


class RateLimiter:
    """At most `limit` hits per address in any 60 seconds (memory only: a restart forgets)."""

    def __init__(self, limit: int, window: float = 60.0):
        self.limit = limit
        self.window = window
        self.hits: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count a hit; False when the address is over its limit."""
        now = time.monotonic()
        with self.lock:
            q = self.hits.setdefault(key, deque())
            while q and now - q[0] > self.window:
                q.popleft()
            if len(q) >= self.limit:
                return False
            q.append(now)
            if len(self.hits) > 10000:  # forget idle addresses
                for k in [k for k, v in self.hits.items() if not v or now - v[-1] > self.window]:
                    del self.hits[k]
            return True
