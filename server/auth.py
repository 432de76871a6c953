"""Officers' login: hashed passwords, a session cookie, a CSRF token header, role checks."""

from __future__ import annotations

import hmac
import re
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import wraps
from typing import Any, NamedTuple

from flask import current_app, g, request, session

from server.errors import Forbidden, Localized, LoginRequired
from server.forms import text_problem
from server.i18n import both
from server.passwords import check_password, hash_password

ROLES = ("officer", "frontoffice", "admin")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
PASSWORD_MIN, PASSWORD_MAX = 8, 200  # characters of a new password (`users passwd` asks the same)


class LoginAttempt(NamedTuple):
    """One password check's place in the throttle (LoginThrottle.reserve)."""

    wait: int  # 0: it may be checked (and is counted); else the seconds until one may be
    mine: bool  # refused by a count of its own address (its guesses there), not only by the account's
    keys: tuple[Any, ...] = ()  # the counts it was added to: the address's, the name's there, the account's
    at: float = 0.0  # when


class Strangers(NamedTuple):
    """The key of the failed logins at `username` from the devices the account never logged in from, whatever
    their addresses (LoginThrottle.reserve's `stranger`)."""

    username: str


class LoginThrottle:
    """Failed password checks, counted before the password is hashed, whatever the concurrency. Each
    attempt counts for the name tried from its address, (address, username): `limit` (10) in any `window`
    (5 minutes) and that name is refused there, unchecked, until the oldest is `window` old; and for the
    address itself: `address_limit` (30) and every name is. A success clears its name's count at that
    address (an officer who mistyped goes on from zero) but takes from the address's count only its own
    attempt: the address's other failures stay, so logging in to one's own account between guesses at
    another's gains no guesses. An account's own password change (POST /api/me/password) counts for the
    account too, whatever the address (`limit`; a session taken elsewhere guesses no faster). A login from a
    device the account never logged in from (no device cookie for it: DeviceTrust.trusted) counts for that name's
    strangers too, whatever their addresses (`stranger`, the key Strangers(name)): `address_limit` in all, as many
    as one device may fail, and then every stranger is refused that name. Before, a device that claims many
    addresses of its network had `limit` guesses at one officer's password on each, bounded only by the line of
    password checks (some 3,000 in 5 minutes). A success takes only its own attempt from the strangers' count, as
    from its address's: the officer logging in from a new PC gives the guessers nothing. A refusal
    counts nowhere: a key that refuses does not use up another's. Attempts from one address are checked
    one after the other (`turn`), so a burst from one device waits behind itself and never queues
    another device's login behind it; at most `address_limit` of them wait.

    At most `size` counts are kept, the least recently seen forgotten first (it starts again from zero, as a
    new address would). Before, past 10,000 each attempt looked through the whole table for idle ones, and
    none was idle when they all came within the window: failed logins from 30,000 addresses (one device, its
    subnet's or its link's IPv6 addresses) took 30-50 ms each instead of 1.5, the table growing with each."""

    def __init__(self, limit: int = 10, window: float = 300.0, address_limit: int | None = None, size: int = 10000):
        self.limit = limit
        self.window = window
        self.address_limit = address_limit if address_limit is not None else 3 * limit
        self.size = size
        # address, (address, username), "account:<id>" -> times, the least recently seen first
        self.failures: OrderedDict[Any, deque[float]] = OrderedDict()
        self.turns: dict[str, list[Any]] = {}  # address -> [its lock, attempts holding or awaiting it]
        self.lock = threading.Lock()

    def reserve(self, address: str, username: str, account: str | None = None, stranger: bool = False) -> LoginAttempt:
        """Count an attempt at `username`'s password from `address` (and at `account`'s, given; and among the name's
        strangers', `stranger`) before it is checked; or, when one of its counts is full, refuse it and count it
        nowhere."""
        now = time.monotonic()
        keys: tuple[Any, ...] = (address, (address, username))
        limits = [self.address_limit, self.limit]
        if account:
            keys, limits = (*keys, account), [*limits, self.limit]
        if stranger:
            keys, limits = (*keys, Strangers(username)), [*limits, self.address_limit]
        with self.lock:
            waits = []
            for key, limit in zip(keys, limits, strict=False):
                q = self.failures.get(key)
                if q is not None:
                    self.failures.move_to_end(key)
                while q and now - q[0] > self.window:
                    q.popleft()
                waits.append(max(1, int(self.window - (now - q[0])) + 1) if q and len(q) >= limit else 0)
            if any(waits):
                return LoginAttempt(max(waits), mine=any(waits[:2]))
            for key in keys:
                q = self.failures.get(key)
                if q is None:
                    q = self.failures[key] = deque()
                q.append(now)
            while len(self.failures) > self.size:  # the least recently seen goes
                self.failures.popitem(last=False)
        return LoginAttempt(0, mine=False, keys=keys, at=now)

    @contextmanager
    def turn(self, key: str) -> Iterator[None]:
        """Hold `key`'s one place in the password check (at most `address_limit` attempts ever wait for it)."""
        with self.lock:
            entry = self.turns.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self.lock:
                entry[1] -= 1
                if not entry[1]:
                    self.turns.pop(key, None)

    def cancel(self, attempt: LoginAttempt) -> None:
        """An attempt that was not checked after all (refused busy, server/passwords.py ChecksBusy): it counts
        nowhere, as a refusal."""
        with self.lock:
            for key in attempt.keys:
                self._uncount(key, attempt.at)

    def done(self, attempt: LoginAttempt, ok: bool) -> None:
        """A failure stays counted. A success clears its name's count at its address (and its account's)
        and takes its own attempt, and no other, from its address's count."""
        if not ok or not attempt.keys:
            return
        address, *others = attempt.keys
        with self.lock:
            for key in others:
                if isinstance(key, Strangers):  # the name's other strangers' failures stay, as the address's
                    self._uncount(key, attempt.at)
                else:
                    self.failures.pop(key, None)
            self._uncount(address, attempt.at)

    def _uncount(self, key: Any, at: float) -> None:
        """The failure counted at `at` taken from `key`'s count (under the lock)."""
        q = self.failures.get(key)
        if q is not None:
            with suppress(ValueError):  # already out of the window
                q.remove(at)
            if not q:
                del self.failures[key]


# Device cookies (OWASP's "device cookies", against lockout and denial of service): a browser where an account
# logged in gets a signed cookie naming the account, and its password checks for that account go ahead of the
# checks of devices the account never logged in from (server/passwords.py CheckQueue), whose line is bounded
# (CHECKS_WAITING, then 429 login_busy at once). Before, 100 addresses sending one wrong password each at once made
# an officer's login wait 10 s. The cookie holds no secret: the accounts' ids and creation times (the session
# cookie's binding: an account made after a restore with another's id is not it) and a random name for each entry,
# signed with the app's secret key; it is sent to POST /api/login alone (its path), HttpOnly, SameSite=Strict.
DEVICE_COOKIE = "antrian_device"
DEVICE_DAYS = 365  # how long a cookie is good for, from this browser's last login
DEVICE_ACCOUNTS = 8  # the accounts one browser's cookie names (a shared PC), the most recent logins
DEVICE_FAILURES = 5  # wrong passwords under one entry (or one session) in DeviceTrust.window: then a stranger's
DEVICE_AT_ONCE = 1  # checks of one entry (or session) ahead of the others at a time; more wait as strangers'
ACCOUNT_AT_ONCE = 2  # checks of one account ahead of the others at a time, whatever the cookies


class DeviceTrust:
    """Which password checks go ahead of the others (`ahead`): those whose request carries a valid device cookie
    entry for the account tried (`key`), or, for POST /api/me/password, its session. What a thief of one (a copied
    cookie, a session left open) gains is bounded: the entry helps only with its own account, one check at a time
    (DEVICE_AT_ONCE), two for the account whatever the cookies (ACCOUNT_AT_ONCE: an officer minting cookies with
    logins of their own cannot fill the line ahead), and after DEVICE_FAILURES wrong passwords within `window`
    it is a stranger's until they are `window` old. A cookie cannot be forged without the secret key, nor made
    by anyone but a login that succeeded. At most `size` entries' failures are kept (the least recently seen
    forgotten first)."""

    def __init__(self, secret_key: str | bytes, window: float = 300.0, size: int = 10000):
        from itsdangerous import URLSafeTimedSerializer

        self.signer = URLSafeTimedSerializer(secret_key, salt="antrian.device")
        self.window = window
        self.size = size
        self.failures: OrderedDict[Any, deque[float]] = OrderedDict()  # key -> times, the least recently seen first
        self.busy: dict[Any, int] = {}  # key, ("account", id) -> its checks ahead of the others now
        self.lock = threading.Lock()

    def entries(self, raw: str | None) -> list[list[Any]]:
        """The accounts a cookie names, [[id, created_at, name], ...]; [] for none, a forged or an expired one."""
        if not raw or len(raw) > 4096:
            return []
        try:
            data = self.signer.loads(raw, max_age=DEVICE_DAYS * 86400)
        except Exception:  # BadSignature (SignatureExpired is one), or not its JSON
            return []
        listed = data.get("a") if isinstance(data, dict) else None
        if not isinstance(listed, list):
            return []
        return [e for e in listed if isinstance(e, list) and len(e) == 3 and isinstance(e[2], str)]

    def key(self, raw: str | None, user: dict[str, Any] | None) -> tuple[str, str] | None:
        """The key of the cookie's entry for `user` (its id and creation time), or None: no cookie, a cookie of
        other accounts only, a forged one, an account that is not the one the cookie was given for."""
        if user is None:
            return None
        for uid, made, name in self.entries(raw):
            if uid == user["id"] and made == user["created_at"]:
                return ("cookie", name)
        return None

    def issue(self, raw: str | None, user: dict[str, Any]) -> str:
        """The cookie once `user` logged in on this browser: its entry new (a new name: the old one's failures
        are not its), first, and the other accounts' kept, at most DEVICE_ACCOUNTS in all."""
        kept = [e for e in self.entries(raw) if e[0] != user["id"]]
        entry = [user["id"], user["created_at"], secrets.token_urlsafe(12)]
        return self.signer.dumps({"a": [entry, *kept][:DEVICE_ACCOUNTS]})

    @contextmanager
    def ahead(self, key: Any, uid: int | None) -> Iterator[bool]:
        """Whether this check goes ahead of the strangers' (counted until the block ends): `key` is an entry (or a
        session) not spent by its failures, with no check ahead now, and its account has fewer than
        ACCOUNT_AT_ONCE."""
        account = ("account", uid)
        with self.lock:
            go = (
                key is not None
                and not self._spent(key)
                and self.busy.get(key, 0) < DEVICE_AT_ONCE
                and self.busy.get(account, 0) < ACCOUNT_AT_ONCE
            )
            if go:
                for k in (key, account):
                    self.busy[k] = self.busy.get(k, 0) + 1
        try:
            yield go
        finally:
            if go:
                with self.lock:
                    for k in (key, account):
                        self.busy[k] -= 1
                        if not self.busy[k]:
                            del self.busy[k]

    def trusted(self, key: Any) -> bool:
        """Whether `key` (DeviceTrust.key's, or None) is an entry whose logins are no stranger's (LoginThrottle's
        `stranger`): it names the account, and its wrong passwords have not spent it."""
        if key is None:
            return False
        with self.lock:
            return not self._spent(key)

    def _spent(self, key: Any) -> bool:
        q = self.failures.get(key)
        if q is None:
            return False
        now = time.monotonic()
        while q and now - q[0] > self.window:
            q.popleft()
        return len(q) >= DEVICE_FAILURES

    def done(self, key: Any, ok: bool) -> None:
        """A wrong password under `key` counts against it; a right one forgets its failures."""
        if key is None:
            return
        with self.lock:
            if ok:
                self.failures.pop(key, None)
                return
            q = self.failures.get(key)
            if q is None:
                q = self.failures[key] = deque(maxlen=DEVICE_FAILURES)  # the latest: enough to tell
            else:
                self.failures.move_to_end(key)
            q.append(time.monotonic())
            while len(self.failures) > self.size:
                self.failures.popitem(last=False)


_DUMMY_HASH: list[str] = []


def check_login(user: dict[str, Any] | None, password: str) -> bool:
    """True when `user` is an active account and `password` is its password. An unknown or disabled
    account costs one hash too, so the answer's time does not tell which accounts exist."""
    if user is None or not user["active"]:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(hash_password(secrets.token_urlsafe(16)))
        check_password(_DUMMY_HASH[0], password)
        return False
    return check_password(user["password_hash"], password)


# A session lasts until the office's midnight and at most this long after its sign-in: a working day.
SESSION_HOURS = 10.0  # a float: tests/clockserver.py --set auth.SESSION_HOURS=… ends a session within seconds


def start_session(user: dict[str, Any]) -> None:
    """Sign `user` in on this request's session cookie: its id, session_version and creation time (the id
    of an account made after a restore may be another's of before), and the database's session epoch
    (a `restore` renews it: every session signed before the restore ends), and the event log's last seq (what
    changed the account after it: session_end_reason)."""
    epoch, seq = current_app.extensions["antrian"].accounts.session_mark()
    session.clear()
    session["uid"] = user["id"]
    session["sv"] = user["session_version"]
    session["ca"] = user["created_at"]
    session["ep"] = epoch
    session["iat"] = int(time.time())
    session["sq"] = seq  # the event log's last seq: the account's `user_changed` after it say why it ended
    session.permanent = True


def renew_session(user: dict[str, Any]) -> None:
    """Keep this request's session signed in after a change of its own account that ended the account's
    sessions (its own new password, POST /api/me/password): the cookie carries the account's new
    session_version, and the rest as it was: the sign-in time (the working day's end does not move), the
    database's epoch and the CSRF token the page holds; the event log's seq is now's (this change did not end it).
    The other sessions of the account stay ended."""
    session["sv"] = user["session_version"]
    session["sq"] = current_app.extensions["antrian"].accounts.session_mark()[1]  # its own new password is not why
    g.pop("user", None)


def session_ends(signed_in: float, tz: Any) -> float:
    """When a session signed in at `signed_in` (epoch seconds) ends: the office's next midnight, at
    most SESSION_HOURS later."""
    from datetime import datetime, timedelta

    local = datetime.fromtimestamp(signed_in, tz)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return min(midnight.timestamp(), signed_in + SESSION_HOURS * 3600)


def session_user(sess: Any, lookup: Callable[[int], dict[str, Any] | None], tz: Any) -> dict[str, Any] | None:
    """The account a session cookie stands for, or None when it ended: logged out, a new password,
    disabled (or re-enabled), a new role, or past its end; signed in before a `restore` (the database's
    session epoch, `lookup`'s `session_epoch`, is another), or for another account that had its id (the
    database copied back by hand: not the account made at that time)."""
    uid, sv, iat = sess.get("uid"), sess.get("sv"), sess.get("iat")
    if not isinstance(uid, int) or not isinstance(sv, int) or not isinstance(iat, int):
        return None
    if time.time() >= session_ends(iat, tz):
        return None
    user = lookup(uid)
    if user is None or not user["active"] or user["session_version"] != sv:
        return None
    if sess.get("ca") != user["created_at"] or sess.get("ep") != (user.get("session_epoch") or ""):
        return None
    return user


# Why a session ended, as GET /api/me's 401 says it (`ended`) to the browser that held it: a `user_changed` event's
# change -> the reason, the first of ENDED_FIRST found among the account's changes after the sign-in (a new password
# first: it is what the officer needs to know to sign in again)
ENDED_CHANGES = {"password": "password", "disabled": "disabled", "enabled": "disabled", "role": "role"}
ENDED_FIRST = ("password", "disabled", "role")


def session_end_reason(
    sess: Any,
    lookup: Callable[[int], dict[str, Any] | None],
    changes: Callable[[str, int], list[str]],
    tz: Any,
) -> str | None:
    """Why the staff session of a cookie ended (the cookie is signed with the app's key: its browser held that
    session), or None when it did not, or names none. `restore`: signed in before a `restore` (another session
    epoch), or its account's id is now no account or another one (the database copied back by hand); `disabled`:
    the account is disabled now, or was disabled (and enabled again) since the sign-in; `password`, `role`: a new
    one since (the account's `user_changed` events after the sign-in's seq, `changes(username, seq)`); `expired`:
    past its end (the office's midnight, SESSION_HOURS); else `logout`: a logout (which logs no event) ended the
    account's sessions. A change after the session's end is said before its end: it is what signing in again
    meets. A cookie of before `sq` was carried says `logout` for a new password or role."""
    uid, sv, iat = sess.get("uid"), sess.get("sv"), sess.get("iat")
    if not isinstance(uid, int) or not isinstance(sv, int) or not isinstance(iat, int):
        return None
    user = lookup(uid)
    if user is None or sess.get("ca") != user["created_at"] or sess.get("ep") != (user.get("session_epoch") or ""):
        return "restore"
    if not user["active"]:
        return "disabled"
    changed = user["session_version"] != sv
    seq = sess.get("sq")
    if changed and isinstance(seq, int):
        found = {ENDED_CHANGES.get(c) for c in changes(user["username"], seq)}
        for reason in ENDED_FIRST:
            if reason in found:
                return reason
    if time.time() >= session_ends(iat, tz):
        return "expired"
    return "logout" if changed else None


def ended_reason() -> str | None:
    """Why this request's signed staff session ended (session_end_reason), None without one or while it lasts."""
    if "uid" not in session:
        return None
    accounts = current_app.extensions["antrian"].accounts
    tz = current_app.extensions["antrian.settings"].office.tz
    return session_end_reason(session, accounts.session_account, accounts.session_changes, tz)


# The characters of a username (USERNAME): a-z, 0-9, ".", "_", "-"; the first a letter or a digit; its lengths.
_NAME_START = "abcdefghijklmnopqrstuvwxyz0123456789"
_NAME_CHARS = _NAME_START + "._-"
USERNAME_MIN, USERNAME_MAX = 2, 32


def _shown_char(ch: str) -> Localized:
    """A character as a refusal names it: “@”, or in words when it shows nothing (a space, a control character)."""
    if ch.isspace():
        return both("error.char.space")
    if not ch.isprintable():
        return both("error.char.control")
    return Localized(f"“{ch}”", f"“{ch}”")


def username_problem(name: str) -> Localized | None:
    """Why a new account's name (trimmed, lowercased) is refused, in words naming the rule it breaks and what it
    accepts; None when USERNAME takes it."""
    if USERNAME.fullmatch(name):
        return None
    wrong = next((ch for ch in name if ch not in _NAME_CHARS), None)
    if wrong is not None:
        return both("error.username_chars", char=_shown_char(wrong))
    if name and name[0] not in _NAME_START:
        return both("error.username_start", char=_shown_char(name[0]))
    return both("error.username_length", min=USERNAME_MIN, max=USERNAME_MAX, n=len(name))


def password_problem(password: object) -> str | None:
    """Why a new password is refused, as a message code naming what is accepted; None when it is taken."""
    if password is None or password == "":
        return "required"
    if not isinstance(password, str):
        return "not_text"
    if text_problem(password, multiline=True) == "invalid_unicode":
        return "invalid_unicode"  # a lone surrogate: no hash can be made of it
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        return "password_length"
    return None


def validate_new_user(username: object, password: object, role: object) -> dict[str, str | Localized]:
    """Field problems of a new account (empty when it is fine), each naming its rule: the admin page says them
    under their fields (server.admin_api), the command line names the fields (`users add`)."""
    bad: dict[str, str | Localized] = {}
    if not isinstance(username, str):
        bad["username"] = "not_text"
    elif (problem := username_problem(username)) is not None:
        bad["username"] = problem
    if (said := password_problem(password)) is not None:
        bad["password"] = said
    if role is None or role == "":
        bad["role"] = "required"
    elif role not in ROLES:
        bad["role"] = "role_invalid"
    return bad


def current_user() -> dict[str, Any] | None:
    """The logged-in, still active user of this request, or None."""
    if "user" in g:
        return g.user
    user = None
    if "uid" in session:
        accounts = current_app.extensions["antrian"].accounts
        tz = current_app.extensions["antrian.settings"].office.tz
        user = session_user(session, accounts.session_account, tz)
    g.user = user
    return user


def csrf_token() -> str:
    """This session's CSRF token, made on first use."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        session["csrf"] = token
    return token


def same_secret(sent: str, expected: str) -> bool:
    """Whether `sent` is `expected` (a CSRF token, a print agent's token), in constant time. As UTF-8 bytes:
    hmac.compare_digest raises TypeError for text with other than ASCII characters (a header of "é" was a
    500 and a traceback for every request sent with it), and a lone surrogate is kept as it is."""
    return hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


def require(*roles: str, csrf: bool = True) -> Callable:
    """Decorator: the request needs a login with one of `roles` (admin always passes) and, for writes, the CSRF header."""

    def deco(fn: Callable) -> Callable:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                raise LoginRequired()
            if user["role"] != "admin" and user["role"] not in roles:
                raise Forbidden()
            if csrf and request.method not in ("GET", "HEAD", "OPTIONS"):
                sent = request.headers.get("X-CSRFToken", "")
                if not sent or not same_secret(sent, session.get("csrf", "")):
                    raise Forbidden("csrf")
            return fn(*args, **kwargs)

        return wrapper

    return deco


class RateLimiter:
    """At most `limit` hits per address in any 60 seconds (memory only: a restart forgets), for at most `size`
    addresses: past them the least recently seen is forgotten (it starts again with its whole budget). Before, past
    10,000 addresses each hit of a new one looked through the whole table for idle ones, and none was idle when they
    all came within the minute: a device with many addresses (its subnet's, an IPv6 device's on the office's link)
    made every anonymous survey and QR code request cost four times as much, the table growing with every one."""

    def __init__(self, limit: int, window: float = 60.0, size: int = 10000):
        self.limit = limit
        self.window = window
        self.size = size
        self.hits: OrderedDict[str, deque[float]] = OrderedDict()  # the least recently seen first
        self.lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count a hit; False when the address is over its limit."""
        now = time.monotonic()
        with self.lock:
            q = self.hits.get(key)
            if q is None:
                q = self.hits[key] = deque()
                if len(self.hits) > self.size:
                    self.hits.popitem(last=False)
            else:
                self.hits.move_to_end(key)
            while q and now - q[0] > self.window:
                q.popleft()
            if len(q) >= self.limit:
                return False
            q.append(now)
            return True
