"""The public HTTP API (DESIGN.md). Each handler: parse, call the queue service, answer."""

from __future__ import annotations

import errno
import json
import logging
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import accumulate
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, send_file, session
from werkzeug.datastructures import LanguageAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header
from werkzeug.wsgi import ClosingIterator

from server import limits, reports
from server.auth import (
    DEVICE_COOKIE,
    DEVICE_DAYS,
    PASSWORD_MAX,
    PASSWORD_MIN,
    check_login,
    csrf_token,
    current_user,
    ended_reason,
    renew_session,
    require,
    start_session,
)
from server.errors import (
    AntrianError,
    BadRequest,
    Forbidden,
    FormIncomplete,
    Localized,
    LoginRequired,
    NotFound,
    QueueError,
    TooMany,
)
from server.forms import LIMITS, clean_text, text_problem
from server.messages import field_message, message
from server.passwords import ChecksBusy
from server.service.unit import Kind, Outcome
from server.service.upkeep import damaged
from server.store import DatabaseOverwritten
from server.tts import MEDIA_TYPES

bp = Blueprint("api", __name__, url_prefix="/api")
kiosk_log = logging.getLogger("antrian.kiosk")
# A login refused because the password checks are busy (429 login_busy): someone is guessing from many addresses.
# One line a minute at most, naming an address, with how many more (the office finds the device by it).
busy_logins = limits.SparseLog(logging.getLogger("antrian"), "login refused, the password checks busy (429 login_busy)")


# The status of each kind of refusal (server/errors.py); a kind not listed has its nearest ancestor's.
ERROR_STATUS: dict[type[AntrianError], int] = {
    AntrianError: 409,
    BadRequest: 400,
    LoginRequired: 401,
    Forbidden: 403,
    NotFound: 404,
    QueueError: 409,
    FormIncomplete: 422,
    TooMany: 429,
}


def error_status(err: AntrianError) -> int:
    """The HTTP status of a refusal: that of the nearest of its classes in ERROR_STATUS."""
    return next(ERROR_STATUS[cls] for cls in type(err).__mro__ if cls in ERROR_STATUS)


# What of a request's Accept-Language and Content-Type is read: a browser's are a few dozen characters
# ("id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7", "application/json"). Parsed whole, a header of 30 KB ("a,a,a,…", within
# server.httpserver.MAX_HEADER_BYTES) cost 40-100 ms of the event loop at every error answer (lang, below), and a
# Content-Type of 30 KB ("application/json;a=b;a=b;…") 5-10 ms at every body read, against 1 ms for the whole
# request: one device with no password, within its request budget, kept the kiosks' tickets waiting a second.
ACCEPT_LANGUAGE_MAX = 256
CONTENT_TYPE_MAX = 256


def lang() -> str:
    """'en' when the client asks for English (?lang=en or Accept-Language), else 'id'. Of Accept-Language only
    its first ACCEPT_LANGUAGE_MAX characters are read (its whole entries: the first and most wanted)."""
    asked = request.args.get("lang") or request.headers.get("X-Lang")
    if asked in ("id", "en"):
        return asked
    header = request.headers.get("Accept-Language", "")
    if len(header) > ACCEPT_LANGUAGE_MAX:
        header = header[: ACCEPT_LANGUAGE_MAX + 1].rpartition(",")[0]
    best = parse_accept_header(header, LanguageAccept).best_match(["id", "en"])
    return "en" if best == "en" else "id"


def error_response(
    http_status: int,
    code: str,
    fields: dict[str, str | Localized] | None = None,
    problems: list[tuple[str, Localized, Localized]] | None = None,
    /,
    **params: object,
) -> Response:
    """The one shape of every error: {error, message, fields}; a refusal naming several values (config_invalid)
    adds `problems`, each {field, label, message} in the answer's language, in the order the message says them."""
    lg = lang()
    body: dict[str, object] = {
        "error": code,
        "message": message(code, lg, **params),
        "fields": {k: field_message(v, lg) for k, v in (fields or {}).items()},
    }
    if problems:
        body["problems"] = [
            {"field": k, "label": field_message(name, lg), "message": field_message(said, lg)}
            for k, name, said in problems
        ]
    resp = jsonify(body)
    resp.status_code = http_status
    return resp


def register_errors(app) -> None:
    """Map every named failure to one status and message, in one place."""

    @app.errorhandler(AntrianError)
    def _refused(err: AntrianError):
        if isinstance(err, FormIncomplete) and err.fields == {"_": "not_object"}:
            return error_response(400, "bad_json")  # a body that is JSON but not an object
        return error_response(error_status(err), err.code, err.fields, getattr(err, "problems", None), **err.params)

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        if not request.path.startswith("/api/"):
            return err
        code = {
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
            400: "bad_json",
            408: "request_timeout",
        }.get(err.code or 500, "invalid")
        return error_response(err.code or 500, code)

    def _overwritten() -> bool:
        """The database file written over while the server runs (a backup copied into it: Store.check_file): what
        failed, a change refused or a read of the copied file's pages, is that, said once in the log, not a trace."""
        return service().store.written_over()

    @app.errorhandler(sqlite3.OperationalError)
    def _db(err: sqlite3.OperationalError):
        if isinstance(err, DatabaseOverwritten) or _overwritten():
            return error_response(503, "database_overwritten")
        if getattr(err, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(err):
            return _disk_full(err)
        if "locked" not in str(err):  # another process held the write lock past the busy timeout
            current_app.logger.exception("database error")
            return error_response(500, "internal")
        resp = error_response(503, "db_busy")
        resp.headers["Retry-After"] = "2"
        return resp

    @app.errorhandler(sqlite3.DatabaseError)
    def _damaged(err: sqlite3.DatabaseError):
        if _overwritten():
            return error_response(503, "database_overwritten")
        if not damaged(err):
            return _internal(err)
        service().database_damaged(err)  # the staff pages' alert, and one line in the log (not one a request)
        return error_response(500, "internal")

    @app.errorhandler(OSError)
    def _os(err: OSError):
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            return _disk_full(err)
        return _internal(err)

    def _disk_full(err: Exception):
        # Nothing was saved (the transaction rolled back); the admin must free space on the server's disk.
        current_app.logger.error("disk full: %s (%s)", err, service().store.path)
        return error_response(507, "disk_full")

    @app.errorhandler(Exception)
    def _internal(err: Exception):
        current_app.logger.exception("unhandled error")
        return error_response(500, "internal")


def service():
    """The office's QueueService."""
    return current_app.extensions["antrian"]


LOGIN_PENALTY_SECONDS = 1.0  # a refused login: the device's next requests wait this long for a 429
MAX_JSON_DEPTH = 32  # no request nests deeper than a few levels (settings: section, list, table, list)
# Lists and objects in the body of a request without a login: the kiosk's, the survey's and the login's
# bodies hold one to three; a device on the network must not make the server build thousands.
MAX_ANONYMOUS_CONTAINERS = 64
# A string, or one left open to the end of the body (a last lone backslash too): a match that starts never
# fails, and nothing is given back (possessive), so each byte is read once. With its closing quote
# required, a body of one open string of escaped quotes (\"\"\"…) was read again from every quote: 64 KiB
# took 16 s of the event loop, every screen waiting (docs/performance.md, "Abuse bench").
_JSON_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+\\?(?:"|\Z)', re.DOTALL)
_NOT_BRACKET = bytes(range(256)).translate(None, b"[]{}")
_NESTING = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _too_complex(raw: bytes, max_containers: int | None) -> bool:
    """True when the lists and objects of the JSON text `raw` nest deeper than MAX_JSON_DEPTH, or number
    more than `max_containers` (None: any number).

    Read from the bytes, its strings left out, before the parser builds anything, and at C speed: a
    64 KiB body of 21,000 empty lists cost 10 ms to parse and 24 ms to walk in Python on a 2-core VM,
    and 3 ms to read here (docs/performance.md, "Abuse bench"). What is not valid JSON fails the parser
    after."""
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKET)
    if max_containers is not None and brackets.count(b"[") + brackets.count(b"{") > max_containers:
        return True
    if len(brackets) <= MAX_JSON_DEPTH:
        return False
    return max(accumulate(map(_NESTING.__getitem__, brackets))) > MAX_JSON_DEPTH


def body() -> dict[str, Any]:
    """The request's JSON object (an empty body counts as {}); 400 bad_json when it is not one.

    The one reader of request bodies: any parse failure is a 400, not a 500 (invalid UTF-8, NaN or
    Infinity, which JSON does not have), and so is nesting that later code could not walk without
    recursing too deep, and, without a login, more than a few lists and objects.
    """
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    if len(request.headers.get("Content-Type", "")) > CONTENT_TYPE_MAX or not request.is_json:
        raise BadRequest()
    if _too_complex(raw, None if current_user() else MAX_ANONYMOUS_CONTAINERS):
        raise BadRequest()
    try:
        data = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise BadRequest() from None
    if not isinstance(data, dict):
        raise BadRequest()
    return data


def request_key(scope: str, data: dict[str, Any]) -> str | None:
    """The idempotency key of a command: its scope plus the client's request_id, if any."""
    rid = data.get("request_id", request.headers.get("X-Request-ID"))
    if rid is None:
        return None
    if not isinstance(rid, str) or not 1 <= len(rid) <= 100 or text_problem(rid):
        raise BadRequest("bad_request_id")
    return f"{scope}:{rid}"


# What a command did, as an HTTP status.
STATUS = {Kind.DONE: 200, Kind.CREATED: 201, Kind.QUEUED: 202, Kind.NOTHING: 204}


def answer(outcome: Outcome) -> Response:
    """A command's outcome as the HTTP answer: its status, and its body as JSON (none for 204)."""
    status = STATUS[outcome.kind]
    if status == 204:
        return Response(status=204)
    resp = jsonify(outcome.body)
    resp.status_code = status
    return resp


REFUSED_KIOSK_LOG_SECONDS = 3600  # a device refused as a kiosk is logged once an hour at most


def kiosk_device() -> dict[str, Any]:
    """This device as the kiosk page is told of it (its bootstrap data): whether it may take a number
    without a login (no `[kiosk] addresses` named, it is one of them, or staff is logged in) and its own
    address, for the staff to add. Nothing of the list itself, or of any other device. Refused, it is
    logged (refused_kiosk)."""
    address = request.remote_addr or "?"
    allowed = service().settings.kiosk.allows(request.remote_addr) or current_user() is not None
    if not allowed:
        refused_kiosk(address, "opened the kiosk page")
    return {"allowed": allowed, "address": address}


def refused_kiosk(address: str, what: str) -> None:
    """A WARNING that a device not in `[kiosk] addresses` acts as a kiosk: once an hour per address (a
    bounded table; at most as many lines an hour for all addresses), so that an admin reading the log
    finds the kiosk PC whose address changed (DHCP) without a line per request."""
    once = current_app.extensions.setdefault("antrian.refused_kiosks", limits.OncePerKey(REFUSED_KIOSK_LOG_SECONDS))
    if once.due(address):
        kiosk_log.warning(
            "kiosk: device %s %s but is not in [kiosk] addresses, so it cannot take numbers. If it is a kiosk PC,"
            " add %s to [kiosk] addresses (config.toml, then restart the server; or at once with `settings set"
            " kiosk`). Said once an hour per device.",
            address,
            what,
            address,
        )


@bp.post("/tickets")
def issue_ticket():
    """Kiosk or front office: a complete form gets a number."""
    data = body()
    key = request.remote_addr or "?"
    user = current_user()
    # A staff page's request (it carries the X-CSRFToken its login gave it; the kiosk sends none) whose session
    # has ended is a login to renew, never an anonymous kiosk ticket: issued without the duplicate check, not
    # recorded as the front office's, past the kiosk's hours refused as the kiosk's.
    if user is None and request.headers.get("X-CSRFToken"):
        raise LoginRequired()
    if user is None and not service().settings.kiosk.allows(request.remote_addr):
        refused_kiosk(key, "asked for a queue number")
        raise Forbidden("kiosk_only")
    if user is None and not current_app.extensions["antrian.limiter"].allow(limits.device_key(key)):
        raise TooMany()
    actor = f"frontoffice:{user['username']}" if user else "kiosk"
    flags = {}
    for name in ("override_quota", "check_duplicate"):
        flags[name] = data.get(name, False)
        if not isinstance(flags[name], bool):
            raise FormIncomplete({name: "not_boolean"})
    key = request_key("issue", data)
    # without a login (the kiosk): only within the service hours, never past a quota, and never told of
    # another visitor's number (the duplicate check is the front office page's, asked for)
    return answer(
        service().issue(
            data,
            key,
            actor=actor,
            kiosk=user is None,
            override_quota=flags["override_quota"] and bool(user),
            check_duplicate=flags["check_duplicate"] and bool(user),
        )
    )


@bp.get("/tickets")
@require("officer", "frontoffice", csrf=False)
def today_tickets():
    """Today's tickets in every status, in calling order, with their forms, each waiting one's place, the
    office's hours and the waiting per service (front office)."""
    return jsonify(service().today_list())


@bp.get("/tickets/<token>")
def ticket_status(token: str):
    """The visitor's phone: public status, position, estimated wait."""
    return jsonify({"ticket": service().ticket_status(token)})


@bp.get("/state")
def state():
    """Public snapshot: no names, phones, addresses or problems."""
    return jsonify(service().snapshot(staff=False))


def _announcement_now() -> dict[str, str] | None:
    svc = service()
    return svc.settings.announcement.shown(svc.day())


@bp.get("/announcement")
def announcement():
    """The office's announcement as the TVs and the kiosk show it now: {announcement: {text, text_en, until} or
    null (none, or its day over)}."""
    return jsonify({"announcement": _announcement_now()})


@bp.put("/announcement")
@require("frontoffice")
def set_announcement():
    """Set the announcement whole: {text, text_en?, keep?} (blank: none; keep true, admin only: until removed, else
    it ends at the office's midnight). Checked as the settings section `announcement` (300 characters each, one
    line), stored, logged as `settings_changed` and sent to every TV and kiosk (server.admin.change_settings)."""
    from server import admin

    data = body()
    if "text" not in data:
        raise FormIncomplete({"text": "required"})
    user = current_user()
    value = {"text": data["text"], "text_en": data.get("text_en", "")}
    if "keep" in data:
        if data["keep"] is True and user["role"] != "admin":
            raise Forbidden()  # *tetap sampai dihapus* is the admin's
        value["keep"] = data["keep"]
    admin.change_settings(service(), "announcement", value, user["username"])
    return jsonify({"announcement": _announcement_now()})


@bp.get("/staff/state")
@require("officer", "frontoffice")
def staff_state():
    """Officers' snapshot: the public one plus today's open tickets with their forms."""
    return jsonify(service().snapshot(staff=True))


@bp.get("/tts/<key>.ogg")
def tts_audio(key: str):
    """The spoken announcement of a call (made in the background; waits briefly while it is made)."""
    return _speech_file(key, "ogg")


@bp.get("/tts/<key>.wav")
def tts_audio_wav(key: str):
    """The spoken announcement as WAV: with [tts] output = "server", or a file cached before Ogg Vorbis."""
    return _speech_file(key, "wav")


@bp.get("/tts/chime.wav")
def tts_chime():
    """The chime before each call: [tts] chime (the display page asks here only when one is set)."""
    chime = current_app.extensions["antrian.settings"].tts.chime
    if not chime:
        raise NotFound()
    try:
        return send_file(chime, mimetype="audio/wav", max_age=3600)
    except OSError:
        raise NotFound() from None


def _speech_file(key: str, audio_format: str):
    announcer = current_app.extensions["antrian.announcer"]
    path = announcer.hold_audio(key, audio_format)  # the cache keeps it until the answer is sent
    if path is None:
        raise NotFound()
    held = [path]

    def release() -> None:  # once, however often the server closes the answer
        if held:
            announcer.speech.release(held.pop())

    try:
        response = send_file(path, mimetype=MEDIA_TYPES[audio_format], max_age=86400)
    except BaseException:
        release()
        raise
    # send_file's answer passes its file straight to the server, which closes that and not the answer
    response.response = ClosingIterator(response.response, release)
    return response


@bp.post("/login")
def login():
    """Session login; answers the CSRF token that later writes send as X-CSRFToken."""
    data = body()
    username, password = data.get("username"), data.get("password")
    bad = {
        k: "required" for k, v in (("username", username), ("password", password)) if not isinstance(v, str) or not v
    }
    if not bad:
        username = clean_text(data, "username", LIMITS["username"], True, bad)
        if text_problem(password, multiline=True) == "invalid_unicode":  # no hash can be made of it
            bad["password"] = "invalid_unicode"
    if bad:
        raise FormIncomplete(bad)
    throttle = current_app.extensions["antrian.login_throttle"]
    address, username = request.remote_addr or "?", username.strip().lower()
    device = limits.device_key(address)  # an IPv6 device's /64: a fresh address of its own is no fresh guesses
    devices = current_app.extensions["antrian.devices"]
    cookie = request.cookies.get(DEVICE_COOKIE)
    # a browser whose device cookie names the account (not spent by wrong passwords) is no stranger to it: the
    # strangers' failures at a name, from all their addresses together, do not close it to that browser
    trusted = bool(cookie) and devices.trusted(devices.key(cookie, service().accounts.user(username)))
    # counted before the password is hashed, whatever the concurrency
    attempt = throttle.reserve(device, username, stranger=not trusted)
    if attempt.wait:
        if not attempt.mine:  # the name's strangers' failures, not this device's: told to use the account's own PC
            raise TooMany("login_strangers")
        # and the device's next requests wait a second for their 429 in the HTTP server, before any of this
        limits.penalize(current_app, address, LOGIN_PENALTY_SECONDS)
        raise TooMany("login_throttled", minutes=max(1, -(-attempt.wait // 60)))
    with throttle.turn(device):  # one device's attempts one after the other: never ahead of another's
        user = service().accounts.user(username)
        known = devices.key(cookie, user)  # this browser's device cookie names this account: its check goes first
        with _password_turn(attempt, known, user and user["id"]):
            ok = check_login(user, password)
    throttle.done(attempt, ok)
    devices.done(known, ok)
    if not ok:
        raise LoginRequired("login_failed")
    start_session(user)
    answer = jsonify({"user": _user_view(user), "csrf_token": csrf_token()})
    answer.set_cookie(
        DEVICE_COOKIE,
        devices.issue(cookie, user),
        max_age=DEVICE_DAYS * 86400,
        path="/api/login",  # sent to the login alone
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Strict",
    )
    return answer


@contextmanager
def _password_turn(attempt: Any, known: Any, uid: int | None) -> Iterator[None]:
    """Hold a password check's turn in the line of checks (server/passwords.py CheckQueue): ahead of the others
    when `known` (a device cookie's entry for the account, or a session: DeviceTrust.ahead), else among them; when
    their line is full, 429 login_busy at once and the attempt counted nowhere (LoginThrottle.cancel)."""
    with current_app.extensions["antrian.devices"].ahead(known, uid) as ahead:
        try:
            with current_app.extensions["antrian.checks"].turn(ahead):
                yield
        except ChecksBusy as busy:  # raised before the turn: the check itself never raises it
            current_app.extensions["antrian.login_throttle"].cancel(attempt)
            busy_logins(request.remote_addr or "?", busy)
            raise TooMany("login_busy") from None


@bp.post("/logout")
@require("officer", "frontoffice")
def logout():
    """End this account's sessions (every cookie and staff socket signed before) and free the
    counters it held: a ticket one of them is calling waits again at its place, one being served stays."""
    service().release_counters(current_user())
    service().end_sessions(current_user()["id"])
    session.clear()
    return jsonify({"ok": True})


@bp.get("/me")
def me():
    """Who is logged in, with a CSRF token; 401 when nobody is. A signed staff session that ended (its browser
    held it: nobody else learns anything) adds why, `ended` (server.auth.session_end_reason): the counter page
    says it at its login."""
    user = current_user()
    if user is None:
        ended = ended_reason()
        if ended is None:
            raise LoginRequired()
        answer = error_response(401, LoginRequired.code)
        return jsonify({**answer.get_json(), "ended": ended}), 401
    return jsonify({"user": _user_view(user), "csrf_token": csrf_token()})


@bp.post("/me/password")
@require("officer", "frontoffice")
def change_own_password():
    """The logged-in account's own new password: {current, new}. The current password is checked as a
    login checks it, at its cost and under its throttle: a wrong one counts as a failed login of the
    account's name from this address (the login page's counts: ten in five minutes, then 429 login_throttled
    for both) and of this account (whatever the address its session is used from), and a success clears
    both; a refusal by the account's count alone counts nothing for the address. Then the
    account's other sessions end, this one goes on (its cookie renewed), and `user_changed` {change:
    "password"} is logged with the account as actor. 422 form_incomplete with `fields`: current or new
    missing, a new one not 8-200 characters (password_length) or the same as the current one
    (password_same), a current one that is wrong (current_password_wrong, the answer's code too)."""
    data = body()
    current, new = data.get("current"), data.get("new")
    bad: dict[str, str] = {}
    for key, value in (("current", current), ("new", new)):
        if value is None or value == "":
            bad[key] = "required"
        elif not isinstance(value, str):
            bad[key] = "not_text"
        elif text_problem(value, multiline=True) == "invalid_unicode":  # no hash can be made of it
            bad[key] = "invalid_unicode"
    if "new" not in bad and not PASSWORD_MIN <= len(new) <= PASSWORD_MAX:
        bad["new"] = "password_length"
    if not bad and new == current:
        bad["new"] = "password_same"
    if bad:
        raise FormIncomplete(bad)
    user = current_user()
    throttle = current_app.extensions["antrian.login_throttle"]
    address = request.remote_addr or "?"
    device = limits.device_key(address)
    # counted before the hash, as a login, and for the account: a refusal by one count costs nothing in another
    attempt = throttle.reserve(device, user["username"], f"account:{user['id']}")
    if attempt.wait:
        if attempt.mine:  # this address's own guesses; not the account's alone (its owner's PC, a thief's guesses)
            limits.penalize(current_app, address, LOGIN_PENALTY_SECONDS)
        raise TooMany("login_throttled", minutes=max(1, -(-attempt.wait // 60)))
    devices = current_app.extensions["antrian.devices"]
    known = ("session", user["id"], session.get("iat"))  # a signed-in session: its checks go first, as a cookie's
    # the check and the new hash: one at a time per device, in one turn of the password checks
    with throttle.turn(device), _password_turn(attempt, known, user["id"]):
        ok = check_login(user, current)
        throttle.done(attempt, ok)
        devices.done(known, ok)
        if not ok:
            raise FormIncomplete({"current": "current_password_wrong"}, "current_password_wrong")
        changed = service().accounts.set_own_password(user, new).body
    renew_session(changed)
    return jsonify({"user": _user_view(changed), "csrf_token": csrf_token()})


def _user_view(user: dict[str, Any]) -> dict[str, Any]:
    """The account as the pages see it, with the counters it holds (a page opened again takes its counter
    back)."""
    return {
        "id": user["id"],
        "username": user["username"],
        # the name the staff bars show (what the A4 form is signed with), null when the account has none
        "full_name": (user.get("full_name") or "").strip() or None,
        "role": user["role"],
        "counter_id": user["counter_id"],
        "held_counters": service().held_counters(user["id"]),
    }


COUNTER_ACTIONS = ("call-next", "call", "recall", "skip", "start", "resolve", "escalate", "transfer", "pause", "resume")


@bp.post("/counters/<int:counter_id>/release")
@require("officer", "frontoffice")
def release_counter(counter_id: int):
    """Free a counter: its holder, or an admin or the front office whoever holds it."""
    return jsonify(service().release_counter(counter_id, current_user()))


@bp.get("/counters/<int:counter_id>/last-finished")
@require("officer", csrf=False)
def counter_last_finished(counter_id: int):
    """The ticket last finished at a counter today (its form copy: a counter page opened after the finish)."""
    return jsonify({"ticket": service().last_finished(counter_id, current_user())})


# A counter page saves its draft a couple of seconds after typing stops, and once more as it is hidden or closed: a
# session that saves more than DRAFT_BURST in a row, then more than one every DRAFT_SECONDS, is a page in a loop
# (429 rate_limited; the page keeps its own copy and tries again at the next pause).
DRAFT_SECONDS = 2.0
DRAFT_BURST = 30
draft_budget: limits.Buckets[str] = limits.Buckets(1 / DRAFT_SECONDS, DRAFT_BURST)


@bp.get("/counters/<int:counter_id>/draft")
@require("officer", csrf=False)
def counter_draft(counter_id: int):
    """The draft kept for the ticket being served at a counter (a reopened tab, another PC), to the officer who may
    act at that counter only."""
    service().check_counter(counter_id, current_user())
    draft = service().draft(counter_id)
    # `version`: the page's next save names it (an emptied draft has none to show, and keeps its version)
    return jsonify({"draft": draft, "version": draft["version"] if draft else service().draft_version(counter_id)})


@bp.post("/counters/<int:counter_id>/draft")
@require("officer")
def save_counter_draft(counter_id: int):
    """Keep what the officer typed for the ticket being served at a counter they may act at."""
    data = body()
    user = current_user()
    service().check_counter(counter_id, user)
    if not draft_budget.take(f"{user['id']}:{csrf_token()}"):
        raise TooMany()
    saved = service().save_draft(counter_id, data, user["username"])
    # the counter's pages open elsewhere (the PC beside, another tab) fetch it: no text in the message
    service().tell_counter(
        counter_id,
        "draft",
        {
            "counter_id": counter_id,
            "ticket_id": saved["ticket_id"],
            "version": saved["version"],
            "at": saved["saved_at"],
        },
    )
    return jsonify(saved)


@bp.post("/counters/<int:counter_id>/<action>")
@require("officer")
def counter_action(counter_id: int, action: str):
    """An officer's action on a counter they hold."""
    if action not in COUNTER_ACTIONS:
        raise NotFound()
    data = body()
    user = current_user()
    service().claim_counter(counter_id, user)
    key = request_key(f"counter:{counter_id}:{action}", data)
    return answer(service().counter_action(counter_id, action, data, user["username"], key))


def cancel_reason(payload: dict[str, Any]) -> str:
    """A cancel's `reason` as kept ("" when none is given): one line, trimmed, its whitespace runs one space, NFC, at
    most LIMITS["reason"] characters, no control characters. FormIncomplete cancel_reason_invalid naming `reason` (its
    words say which field and what is wrong with it, in both languages) otherwise: nothing is cancelled."""
    bad: dict[str, str] = {}
    reason = clean_text(payload, "reason", LIMITS["reason"], False, bad)
    if bad:
        problem = Localized(field_message(bad["reason"], "id"), field_message(bad["reason"], "en"))
        raise FormIncomplete(bad, "cancel_reason_invalid", problem=problem)
    return reason


@bp.post("/tickets/<ref>/cancel")
@require("frontoffice")
def cancel_ticket(ref: str):
    """Front office cancels a waiting or called ticket (by label of today, or token), with an optional `reason`
    (one line of up to 200 characters) kept for the staff."""
    data = body()
    key = request_key(f"cancel:{ref}", data)
    return answer(service().cancel(ref, current_user()["username"], key, cancel_reason(data)))


@bp.post("/tickets/<ref>/reprint")
@require("frontoffice")
def reprint_ticket(ref: str):
    """Front office: print a ticket again."""
    data = body()
    return answer(service().reprint(ref, current_user()["username"], request_key(f"reprint:{ref}", data)))


@bp.post("/tickets/<ref>/print-form")
@require("officer")
def print_form(ref: str):
    """The visitor's copy of the completed consultation form on a counter's printer."""
    data = body()
    counter_id = data.get("counter_id")
    if not isinstance(counter_id, int) or isinstance(counter_id, bool):
        raise FormIncomplete({"counter_id": "required"})
    key = request_key(f"print-form:{ref}", data)
    # the visitor's whole form on paper at that counter: one the officer may act at (not bound elsewhere,
    # not another officer's), as a counter action; nothing is claimed
    service().check_counter(counter_id, current_user())
    return answer(service().print_form_copy(ref, counter_id, current_user()["username"], key))


@bp.get("/print-jobs")
@require("officer", "frontoffice", csrf=False)
def print_jobs():
    """Recent print jobs (queued, retrying, printed, failed) for the front office's alerts."""
    return jsonify({"jobs": service().print_jobs()})


@bp.post("/tickets/<ref>/correct")
@require("officer")
def correct_ticket(ref: str):
    """Correct a resolved or escalated record: a new version, the old one kept in the event log."""
    data = body()
    return answer(service().correct(ref, data, current_user()["username"], request_key(f"correct:{ref}", data)))


@bp.post("/tickets/<ref>/form")
@require("frontoffice", "officer")
def correct_ticket_form(ref: str):
    """Correct today's visitor's form (name, agency, address, phone, problem), sent whole: a mistyped
    phone or name, fixed without sending the visitor to the back of the line."""
    data = body()
    key = request_key(f"form:{ref}", data)
    user = current_user()
    return answer(service().correct_form(ref, data, user["username"], key, role=user["role"]))


@bp.get("/tickets/<ref>/history")
@require("officer", "frontoffice", csrf=False)
def ticket_history(ref: str):
    """Every event of one ticket: its versions, who and when; and its record as it is now."""
    return jsonify(service().history(ref))


@bp.get("/tickets/<ref>/earlier")
@require("officer", "frontoffice", csrf=False)
def ticket_earlier(ref: str):
    """The ticket's visitor's earlier visits (the same phone, or the same name at the same agency): the newest
    five of the last 365 days, with their outcomes, for the counter page's "Kunjungan sebelumnya"."""
    return jsonify(service().earlier_visits(ref))


@bp.post("/tickets/<ref>/close")
@require("officer")
def close_ticket(ref: str):
    """Record the LKPP helpdesk's answer to an escalated case (by label of today, token or id)."""
    data = body()
    key = request_key(f"close:{ref}", data)
    return answer(service().close_escalation(ref, data, current_user()["username"], key))


@bp.post("/tickets/<ref>/reopen")
@require("officer", "frontoffice")
def reopen_ticket(ref: str):
    """Undo a close made by mistake: the case is escalated again, its answer kept in the event log."""
    data = body()
    key = request_key(f"reopen:{ref}", data)
    user = current_user()
    return answer(service().reopen_escalation(ref, user["username"], key, role=user["role"]))


@bp.get("/escalations")
@require("officer", "frontoffice", csrf=False)
def escalations():
    """Open escalations to the LKPP helpdesk with their age and e-mail state, and those closed lately (`closed`:
    one closed by mistake is opened again from the page)."""
    from server.service.views import CLOSED_SHOWN_DAYS

    closed = service().closed_escalations()
    return jsonify({"escalations": service().escalations(), "closed": closed, "closed_days": CLOSED_SHOWN_DAYS})


@bp.post("/escalations/<ref>/resend")
@require("officer", "frontoffice")
def resend_escalation_mail(ref: str):
    """Kirim ulang: queue a failed escalation mail again now (after the mail server's side was mended)."""
    data = body()
    key = request_key(f"resend:{ref}", data)
    return answer(service().resend_mail(ref, current_user()["username"], key))


@bp.post("/escalations/<ref>/correction-sent")
@require("officer", "frontoffice")
def escalation_correction_sent(ref: str):
    """Koreksi sudah dikirim: the correction LKPP lacked (the case corrected after its mail went) was sent by hand."""
    data = body()
    key = request_key(f"correction-sent:{ref}", data)
    user = current_user()
    return answer(service().correction_sent(ref, user["username"], key, role=user["role"]))


@bp.post("/tickets/<ref>/lkpp-ticket")
@require("officer")
def lkpp_ticket(ref: str):
    """Record the LKPP helpdesk's ticket number (TTS / LPSE Support) for an escalated case."""
    data = body()
    key = request_key(f"lkpp:{ref}", data)
    return answer(service().record_lkpp_ticket(ref, data, current_user()["username"], key))


@bp.get("/recap")
@require("officer", "frontoffice", csrf=False)
def recap():
    """The Rekap Penanganan Permasalahan for a range of the office's local days, as JSON, CSV or XLSX."""
    day_from, day_to, fmt = request.args.get("from"), request.args.get("to"), request.args.get("format", "json")
    bad = reports.check_range(day_from, day_to)
    settings = service().settings
    filters, bad_filters = reports.check_recap_filters(request.args, {s.code for s in settings.services})
    bad.update(bad_filters)
    if fmt not in reports.RECAP_FORMATS:
        bad["format"] = "invalid"
    if bad:
        raise FormIncomplete(bad)
    from server.report_job import MIMETYPES

    content = service().recap_file(day_from, day_to, filters, fmt)  # long ranges are made off the event loop
    if fmt == "json":
        return Response(content, content_type=MIMETYPES[fmt])
    # the filters in the name: a filtered recap saved beside the whole one is never taken for it
    name = reports.recap_file_name(day_from, day_to, filters, fmt, service().recap_filter_names(filters)["service"])
    return Response(
        content, content_type=MIMETYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("/guestbook")
@require("officer", "frontoffice", csrf=False)
def guestbook():
    """The guest book (buku tamu, SOP step 1) of a range of the office's local days: every visitor who took a
    number, and what became of the visit; as JSON, CSV or XLSX."""
    day_from, day_to, fmt = request.args.get("from"), request.args.get("to"), request.args.get("format", "json")
    bad = reports.check_range(day_from, day_to)
    if fmt not in reports.RECAP_FORMATS:
        bad["format"] = "invalid"
    if bad:
        raise FormIncomplete(bad)
    from server.report_job import MIMETYPES

    content = service().guestbook_file(day_from, day_to, fmt)  # long ranges are made off the event loop
    if fmt == "json":
        return Response(content, content_type=MIMETYPES[fmt])
    name = reports.guestbook_file_name(day_from, day_to, fmt)
    return Response(
        content, content_type=MIMETYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("/figures")
@require("officer", "frontoffice", csrf=False)
def service_figures():
    """Service-time figures against the SOP's standard times, per day, week, month, officer or service, as
    JSON, or as an XLSX or CSV table of the same numbers (server/figures.py, figures_xlsx and figures_csv)."""
    from server import figures
    from server.report_job import MIMETYPES

    day_from, day_to, group = request.args.get("from"), request.args.get("to"), request.args.get("group", "day")
    fmt = request.args.get("format", "json")
    bad = reports.check_range(day_from, day_to)
    if group not in figures.GROUPS:
        bad["group"] = "invalid"
    if fmt not in figures.FORMATS:
        bad["format"] = "invalid"
    if bad:
        raise FormIncomplete(bad)
    data = service().figures(day_from, day_to, group)  # over a year: made off the event loop
    if fmt == "json":
        return jsonify(data)
    if fmt == "csv":
        content = figures.figures_csv(data)
    else:
        content = figures.figures_xlsx(data, service().settings.office.name)
    name = figures.file_name(day_from, day_to, group, fmt)
    return Response(
        content, content_type=MIMETYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
