"""The HTTP API as an OpenAPI 3.1 document, served at GET /api/openapi.json.

docs/api.md is the prose; this is the same contract for machines: every /api route (and /healthz),
its parameters, its request body with the limits the server enforces, and every status it answers,
each error with the one shape {error, message, fields}. The limits and value lists come from the
modules that enforce them, so they cannot drift apart. tests/test_openapi.py checks the paths and
methods against the app's routes both ways and validates the document; tests/test_api_fuzz.py
fuzzes the app from it (Schemathesis).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import Blueprint, Response, current_app

from server.admin import EDITABLE, OFFICE_KEYS
from server.api import COUNTER_ACTIONS
from server.auth import PASSWORD_MAX, PASSWORD_MIN, ROLES, USERNAME
from server.config import WEEKDAYS
from server.core import CATEGORIES, CORRECTABLE, STATUSES, TICKET_ACTIONS
from server.figures import FORMATS as FIGURE_FORMATS
from server.figures import GROUPS, MEASURES, STANDARD_MEASURES
from server.forms import FORM_SECONDS_MAX, LIMITS
from server.reports import MAX_RANGE_DAYS, OUTCOMES, RECAP_FORMATS
from server.service.views import EARLIER_DAYS
from server.service.views import EARLIER_VISITS as EARLIER_LIMIT
from server.store import EVENT_TYPES

bp = Blueprint("openapi", __name__)

# What officers type: the longest text each field holds once cleaned (server.forms LIMITS).
SOLUTION_MAX = LIMITS.get("solution", 4000)
NOTE_MAX = LIMITS.get("note", 4000)
ANSWER_MAX = LIMITS.get("answer", 4000)
LKPP_TICKET_MAX = LIMITS.get("lkpp_ticket", 100)
# The LKPP number the client showed when the officer typed one: a different number recorded meanwhile is not
# replaced unseen (409 lkpp_ticket_conflict).
LKPP_TICKET_BASE = {
    "type": "string",
    "maxLength": 100,
    "description": 'The LKPP number the client showed when the officer typed ("" for none; left out: none seen). '
    "When the case has another number than this one and than lkpp_ticket, the answer is 409 lkpp_ticket_conflict.",
}
# Limits enforced elsewhere: the phone's raw text (server.forms), request_id (server.api); passwords: server.auth.
PHONE_RAW_MAX = 40
REQUEST_ID_MAX = 100

JSON = "application/json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _files(schema: dict[str, Any]) -> dict[str, Any]:
    """A report's answers by its `format`: JSON (`schema`), or the same as CSV or as an XLSX workbook."""
    return {
        JSON: {"schema": schema},
        "text/csv": {"schema": {"type": "string"}},
        XLSX: {"schema": {"type": "string", "format": "binary"}},
    }


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` or null (OpenAPI 3.1: a type list)."""
    out = dict(schema)
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = [kind, "null"]
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


def _words(**extra: Any) -> dict[str, Any]:
    """Words in both languages, `{"id", "en"}` (an alert, a notice, a refusal's message)."""
    return {
        "type": "object",
        "required": ["id", "en"],
        "properties": {"id": {"type": "string"}, "en": {"type": "string"}},
        **extra,
    }


def _text(max_length: int, description: str = "", min_length: int = 1, example: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"type": "string", "minLength": min_length, "maxLength": max_length}
    if description:
        out["description"] = description
    if example:
        out["examples"] = [example]
    return out


# -- shared parts ------------------------------------------------------------------------------------

ENDED = {
    "type": "string",
    "enum": ["expired", "restore", "disabled", "password", "role", "logout"],
    "description": "GET /api/me's 401 alone: why the session of this request's cookie ended; only with a cookie "
    "the server signed (the browser held that session), never without one or with a forged one. restore: signed "
    "in before a `restore` (or its account's id is another account's now); disabled: the account is disabled, or "
    "was disabled (and enabled again) since the sign-in; password, role: a new one since the sign-in (password "
    "first); expired: past the office's midnight or 10 hours after the sign-in; logout: the account logged out "
    "(on another PC).",
}

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error has this one shape. `message` is Indonesian, English with ?lang=en, "
    "X-Lang: en or Accept-Language: en; `fields` names each bad field (422) and is {} otherwise.",
    "required": ["error", "message", "fields"],
    "properties": {
        "error": {"type": "string", "description": "A stable code, e.g. form_incomplete, login_required."},
        "message": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Each bad field -> what is wrong with it and what it accepts, in the answer's language. "
            'A text past its limit (too_long) says the limit and the length typed: "Terlalu panjang: paling '
            'banyak 100 karakter; yang diketik 120."',
        },
        "ended": ENDED,
    },
}

BAD_JSON = (
    "bad_json: the body is not a JSON object (not JSON, not sent as application/json or with a Content-Type "
    "over 256 characters, nested more than 32 levels, or, without a login, holding more than 64 lists and "
    "objects)."
)
GENERIC_ERRORS = {
    "400": BAD_JSON[:-1] + "; bad_request_id: `request_id` or X-Request-ID is not 1-100 characters of text.",
    "401": "login_required: no session, or it ended (logged out, new password, disabled account, past "
    "the working day).",
    "403": "forbidden: the account's role may not do this; csrf: the X-CSRFToken header is missing or "
    "wrong (writes only).",
    "404": "not_found: no such route, or the named thing does not exist.",
    "408": "request_timeout: the body came too slowly (the server closes the connection).",
    "409": "The queue rules refuse (the `message` says why).",
    "413": "too_large: the body is over 64 KiB.",
    "422": "form_incomplete: bad or missing fields; `fields` names each.",
    "429": "Rate limited.",
    "500": "internal: a server error (a bug); nothing was changed.",
    "503": "db_busy: another process (a command-line job) held the database's write lock for more than "
    "10 s; nothing was changed, and a retry with the same request_id is safe. database_overwritten: the database "
    "file was overwritten (a backup copied into it) while the server runs; nothing is saved until an admin stops "
    "the server and uses `restore`.",
    "507": "disk_full: the server's disk is full; nothing was saved.",
}


def _error(status: str, description: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "description": description or GENERIC_ERRORS[status],
        "content": {JSON: {"schema": _ref("Error")}},
    }
    if status == "503":
        out["headers"] = {"Retry-After": {"description": "Seconds to wait: 2.", "schema": {"type": "string"}}}
    return out


def _ok(description: str, schema: dict[str, Any] | None = None, media: str = JSON) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description}
    if schema is not None:
        out["content"] = {media: {"schema": schema}}
    return out


def _body(properties: dict[str, Any], required: tuple[str, ...] = (), *, command: bool = True, **extra: Any):
    """A JSON object body; `command` adds the optional idempotency key. An empty body counts as {}."""
    props = dict(properties)
    if command:
        props["request_id"] = _ref("RequestId")
    schema: dict[str, Any] = {"type": "object", "properties": props, **extra}
    if required:
        schema["required"] = list(required)
    return {"required": bool(required), "content": {JSON: {"schema": schema}}}


LANG_PARAMS = [{"$ref": "#/components/parameters/lang"}, {"$ref": "#/components/parameters/XLang"}]
REQUEST_ID_PARAM = {"$ref": "#/components/parameters/XRequestID"}


def _path_param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": schema}


def _query(name: str, schema: dict[str, Any], description: str, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def _operation(
    op_id: str,
    summary: str,
    tag: str,
    responses: dict[str, Any],
    errors: dict[str, str | None],
    *,
    roles: tuple[str, ...] | None = None,
    write: bool = False,
    command: bool = False,
    params: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    description: str = "",
) -> dict[str, Any]:
    """One operation. `roles`: who may call it (admin always may; None: anyone, no login); `write`: it
    needs the X-CSRFToken header; `command`: it takes an idempotency key; `errors`: status -> its
    meaning here (None: the generic one). 401, 403 (when it applies) and 500 are added."""
    op: dict[str, Any] = {"operationId": op_id, "summary": summary, "tags": [tag]}
    if description:
        op["description"] = description
    every = [*(params or []), *LANG_PARAMS]
    if command:
        every.append(REQUEST_ID_PARAM)
    op["parameters"] = every
    if body is not None:
        op["requestBody"] = body
    errs = dict(errors)
    if body is not None:
        errs.setdefault("408", None)
    if "503" in errs:  # it writes
        errs.setdefault("507", None)
    if roles is None:
        op["security"] = []
    else:
        op["security"] = [{"session": [], "csrf": []} if write else {"session": []}]
        op["x-roles"] = sorted(set(roles) | {"admin"})
        errs.setdefault("401", None)
        if write or set(op["x-roles"]) != set(ROLES):
            forbidden = []
            if set(op["x-roles"]) != set(ROLES):
                forbidden.append("forbidden: the account's role is not " + " or ".join(op["x-roles"]))
            if write:
                forbidden.append("csrf: the X-CSRFToken header is missing or wrong")
            errs.setdefault("403", "; ".join(forbidden) + ".")
    errs["500"] = None
    out = dict(responses)
    for status, text in sorted(errs.items()):
        out[status] = _error(status, text)
    op["responses"] = out
    return op


# -- schemas -------------------------------------------------------------------------------------------

DATE = {"type": "string", "format": "date", "description": "YYYY-MM-DD", "examples": ["2026-11-28"]}
DATETIME = {"type": "string", "description": "ISO 8601, UTC"}
CATEGORY_IN = {
    "type": ["string", "null"],
    "enum": [*CATEGORIES, "", None],
    "description": "The consultation's kind; empty or null: none (or unchanged).",
}
PRIORITY_CLASS_IN = {
    "type": ["string", "null"],
    "description": "A code of the office's priority table (GET /api/admin/settings priority_classes[].code, "
    "e.g. P1); empty or null: unchanged. Anything else: 422.",
}
ONE_LINE = {"type": "string", "description": "One line of text, no control characters."}

PUBLIC_TICKET = {
    "type": "object",
    "description": "What displays and phones may see of a ticket: no name, phone, address or problem.",
    "required": ["label", "service", "status", "calls", "counter_id", "counter_name", "priority", "day", "last_chance"],
    "properties": {
        "label": {"type": "string", "examples": ["A-001"]},
        "service": {"type": "string"},
        "status": {"type": "string", "enum": list(STATUSES)},
        "calls": {"type": "integer", "minimum": 0},
        "counter_id": {"type": ["integer", "null"]},
        "counter_name": {"type": "string"},
        "priority": {"type": "boolean"},
        "day": DATE,
        "last_chance": {
            "type": "boolean",
            "description": "Skipped and requeued as often as it may be: one more skip is a no-show (the TV marks "
            "its calls 'Kesempatan terakhir').",
        },
    },
}

TICKET_VIEW = {
    "description": "The visitor's own view of a ticket: the public ticket with its place in the queue.",
    "allOf": [
        _ref("PublicTicket"),
        {
            "type": "object",
            "required": ["service_name", "created_at", "position", "ahead", "estimated_wait_s"],
            "properties": {
                "service_name": {"type": "string"},
                "created_at": DATETIME,
                "position": {"type": "integer", "minimum": 0, "description": "0 when not waiting"},
                "ahead": {"type": "integer", "minimum": 0},
                "estimated_wait_s": {
                    "type": ["integer", "null"],
                    "minimum": 0,
                    "description": "null: nobody will call it today (no_service)",
                },
                "no_service": {
                    "type": ["string", "null"],
                    "enum": ["ended", "closed", None],
                    "description": "A waiting ticket nobody will call today: no officer holds a counter and the "
                    "day's service hours ([hours]) have ended (ended) or there are none today, a holiday or a closed "
                    "weekday (closed); null otherwise, and always without [hours].",
                },
                "service_ends_in_s": {
                    "type": ["integer", "null"],
                    "minimum": 0,
                    "description": "A waiting ticket with no_service null: seconds from this answer until the day's "
                    "service hours ([hours]) end, when no_service may begin with no event to say so (the phone reads "
                    "its ticket again then); null otherwise: not waiting, no_service set, the hours over or none today, "
                    "no [hours].",
                },
                "called_at": {
                    "oneOf": [DATETIME, {"type": "null"}],
                    "description": "Its latest call or recall (null: never called).",
                },
                "requeues": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "How often it was skipped and requeued in its current service's line.",
                },
                "withdrawn": {
                    "oneOf": [
                        {
                            "type": "object",
                            "required": ["counter_id", "counter_name", "at", "reason"],
                            "properties": {
                                "counter_id": {"type": ["integer", "null"]},
                                "counter_name": {"type": "string"},
                                "at": DATETIME,
                                "reason": {"type": "string", "enum": ["idle", "freed", "signed_out"]},
                            },
                        },
                        {"type": "null"},
                    ],
                    "description": "A waiting ticket whose latest call was withdrawn: the counter calling it was "
                    "freed (idle: no counter page open for [queue] counter_release_minutes; freed: by the front "
                    "office or an admin; signed_out: its officer's sign-out or session end) and it waits again at "
                    "its place, not called since; null otherwise.",
                },
                "reopens": {
                    "oneOf": [
                        {
                            "type": "object",
                            "required": ["at", "id", "en"],
                            "properties": {"at": DATETIME, "id": {"type": "string"}, "en": {"type": "string"}},
                        },
                        {"type": "null"},
                    ],
                    "description": "An expired, cancelled or no-show ticket, or a waiting one with no_service, the "
                    "office closed now ([hours]): its next opening and the words for it in both languages; null "
                    "otherwise.",
                },
                "past_day": {
                    "type": "boolean",
                    "description": "Whether the ticket is of a day before the office's today (the phone tells the "
                    "visitor of a cancelled or no-show number of an earlier day to take a new one).",
                },
                "seq": {"type": "integer", "description": "GET /api/tickets/{token} only"},
                "token": {"type": "string", "description": "POST /api/tickets only"},
                "status_url": {"type": "string", "description": "POST /api/tickets only"},
                "print_job": {"type": ["integer", "null"], "description": "POST /api/tickets only"},
                "print": {
                    "type": ["string", "null"],
                    "enum": ["queued", "printed", "failed", None],
                    "description": "How the ticket's latest kiosk print (ticket or reprint) went: queued (not yet "
                    "printed), printed, failed (an attempt failed; a retry may still print it); null: no kiosk print "
                    "(none asked for, or its slip skipped: the ticket no longer waited when the printer got to it).",
                },
            },
        },
    ],
}

FORM = {
    "type": "object",
    "description": "The consultation form's identity part and problem (staff only).",
    "required": ["name", "agency", "address", "phone", "problem"],
    "properties": {k: {"type": "string"} for k in ("name", "agency", "address", "phone", "problem")},
}

TICKET = {
    "type": "object",
    "description": "Everything about a ticket, for staff.",
    "required": [
        "id",
        "label",
        "service",
        "status",
        "calls",
        "counter_id",
        "counter_name",
        "day",
        "token",
        "form",
        "actions",
        "skip_final",
    ],
    "properties": {
        "id": {"type": "integer"},
        "day": DATE,
        "service": {"type": "string"},
        "number": {"type": "integer"},
        "label": {"type": "string"},
        "token": {"type": "string"},
        "status": {"type": "string", "enum": list(STATUSES)},
        "priority": {"type": "boolean"},
        "position": {"type": "number", "description": "Place in the day's line, unique per day."},
        "priority_lane": {
            "type": "boolean",
            "description": "Called in the priority lane (first): its priority, or for a requeued ticket the "
            "lane of the ticket it was requeued behind.",
        },
        "created_at": DATETIME,
        "calls": {"type": "integer"},
        "requeues": {"type": "integer", "description": "Every requeue of the ticket."},
        "queue_requeues": {
            "type": "integer",
            "description": "Requeues in its current service's line (a transfer starts from 0): max_requeues counts these.",
        },
        "counter_id": {"type": ["integer", "null"]},
        **{
            k: _nullable(DATETIME)
            for k in ("first_called_at", "last_called_at", "started_at", "first_started_at", "finished_at", "closed_at")
        },
        "served_before_ms": {
            "type": "integer",
            "minimum": 0,
            "description": "How long it was served before its transfers; started_at is the start at its service now, "
            "first_started_at the first start of all.",
        },
        "form_seconds": {
            "type": ["integer", "null"],
            "minimum": 0,
            "maximum": FORM_SECONDS_MAX,
            "description": "The visitor's time over the form at the kiosk (SOP steps 2-6), as the kiosk sent it "
            "with POST /api/tickets; null: not measured (the front office registered the visitor).",
        },
        "copy_printed_at": {
            **_nullable(DATETIME),
            "description": "When the visitor's copy of the form (SOP step 12) first came out of a counter printer "
            "(POST /api/tickets/{ref}/print-form); null: never.",
        },
        **{
            k: {"type": "string"}
            for k in (
                "category",
                "priority_class",
                "solution",
                "officer",
                "escalation_note",
                "lkpp_ticket",
                "lkpp_answer",
                "transferred_from",
                "transfer_note",
                "counter_name",
            )
        },
        "form": _ref("Form"),
        "actions": {
            "type": "array",
            "items": {"type": "string", "enum": list(TICKET_ACTIONS)},
            "uniqueItems": True,
            "description": "The counter actions the queue rules allow on this ticket now (POST "
            "/api/counters/{id}/{action}): `call` for a waiting ticket (out of turn); for the ticket a counter "
            "holds, what that counter may do with it (`call-next` and `call` once it had all its calls: they "
            "skip it first); none for a finished ticket. A paused counter still may not call or recall (`paused` of "
            "its counter).",
        },
        "skip_final": {
            "type": "boolean",
            "description": "Its next skip makes it a no-show (it was requeued max_requeues times in this line) "
            "instead of requeuing it.",
        },
    },
}

ANNOUNCEMENT_SHOWN = {
    "type": ["object", "null"],
    "description": "The office's announcement while it is shown (null: none, or its last day over): first in every "
    "TV's running text (not spoken), in a band on the kiosk's first screen.",
    "required": ["text", "text_en", "until"],
    "properties": {
        "text": {"type": "string", "maxLength": 300, "description": 'Indonesian ("": the English alone).'},
        "text_en": {"type": "string", "maxLength": 300, "description": '"": the Indonesian on an English page too.'},
        "until": {
            "type": "string",
            "description": 'The office\'s last day it is shown on, YYYY-MM-DD ("": until removed).',
            "examples": ["2026-11-28"],
        },
    },
}

STATE = {
    "type": "object",
    "required": ["seq", "day", "office", "max_calls", "services", "counters", "recent"],
    "properties": {
        "seq": {"type": "integer", "description": "The last committed change."},
        "day": DATE,
        "announcement": ANNOUNCEMENT_SHOWN,
        "max_calls": {
            "type": "integer",
            "description": "[queue] max_calls: a ticket's calls, recalls included (the TV marks a call "
            "with as many as the last).",
        },
        "office": {
            "type": "object",
            "required": ["name", "address", "language", "open", "next_opening", "closes_at"],
            "properties": {
                "name": {"type": "string"},
                "address": {"type": "string", "description": '[office] address ("": none); the TV\'s header.'},
                "language": {
                    "type": "string",
                    "enum": ["id", "en"],
                    "description": "[office] language: a TV opened without ?lang= shows its words in it.",
                },
                "open": {
                    "type": "boolean",
                    "description": "The kiosk issues numbers now: within [hours] (always, without it), not within "
                    "last_ticket_minutes of a close, not a holiday.",
                },
                "next_opening": {
                    **_nullable(DATETIME),
                    "description": "When closed: when issuing starts again (null: open, or none within a year).",
                },
                "closes_at": {
                    **_nullable(DATETIME),
                    "description": "When open: when issuing stops (null: closed, or no [hours]).",
                },
            },
        },
        "services": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "code",
                    "name",
                    "prefix",
                    "waiting",
                    "quota",
                    "left",
                    "issued",
                    "served",
                    "estimated_wait_s",
                ],
                "properties": {
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "prefix": {"type": "string", "description": "The letters of its numbers (A-001)."},
                    "waiting": {"type": "integer"},
                    "quota": {"type": ["integer", "null"], "description": "Its daily_quota (null: none)."},
                    "left": {
                        "type": ["integer", "null"],
                        "minimum": 0,
                        "description": "Numbers left today (null: no quota); cancelled tickets are not counted.",
                    },
                    "issued": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "Its numbers given today that its quota counts (cancelled tickets are not "
                        "counted); over `quota` when an admin set the quota below it during the day.",
                    },
                    "served": {
                        "type": "boolean",
                        "description": "Some counter serves it; when none does, no number is given (service_not_served).",
                    },
                    "estimated_wait_s": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "The estimated wait of a number taken now.",
                    },
                },
            },
        },
        "counters": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "services", "ticket", "paused"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "services": {"type": "array", "items": {"type": "string"}},
                    "ticket": {"oneOf": [_ref("PublicTicket"), {"type": "null"}]},
                    "paused": {"type": "boolean", "description": "On a break (the TV shows ISTIRAHAT)."},
                    "officer": {"type": ["string", "null"], "description": "staff state only"},
                    "released": {
                        "description": (
                            "staff state only: the counter's last counter_released event today (null: none), so a "
                            "counter page opened again says why its counter is no longer its officer's"
                        ),
                        "oneOf": [
                            {
                                "type": "object",
                                "properties": {
                                    "seq": {"type": "integer"},
                                    "at": DATETIME,
                                    "by": {
                                        "type": ["string", "null"],
                                        "description": "who freed it: a username, or auto (the server)",
                                    },
                                    "officer": {"type": ["string", "null"], "description": "who held it"},
                                    "returned": {
                                        "type": ["string", "null"],
                                        "description": "the called ticket that went back to waiting",
                                    },
                                    "minutes": {
                                        "type": ["integer", "null"],
                                        "description": "auto: [queue] counter_release_minutes when it was freed",
                                    },
                                    "reason": {
                                        "type": ["string", "null"],
                                        "enum": ["password", "disabled", "session_ended", "restore", None],
                                        "description": (
                                            "why the holder's session ended, freeing it (an admin's new password "
                                            "or disabling, from the command line too; the session's end, by the "
                                            "officer; a restore); null: a logout, a release, auto"
                                        ),
                                    },
                                },
                            },
                            {"type": "null"},
                        ],
                    },
                    "ticket_full": {
                        "oneOf": [_ref("Ticket"), {"type": "null"}],
                        "description": "staff state only",
                    },
                    "next": {
                        "description": (
                            "staff state only: the waiting ticket the counter's call-next would take now (null: "
                            "nobody waits for it); the staff events' `next` keeps it current"
                        ),
                        "oneOf": [
                            {
                                "type": "object",
                                "required": ["id", "label", "service"],
                                "properties": {
                                    "id": {"type": "integer"},
                                    "label": {"type": "string"},
                                    "service": {"type": "string"},
                                },
                            },
                            {"type": "null"},
                        ],
                    },
                },
            },
        },
        "recent": {
            "type": "array",
            "description": "The newest call or recall of each of today's last 10 tickets called, newest first.",
            "items": {
                "type": "object",
                "required": ["seq", "at", "label", "service", "counter_id", "counter_name", "calls"],
                "properties": {
                    "seq": {"type": "integer"},
                    "at": DATETIME,
                    "label": {"type": "string"},
                    "service": {"type": "string"},
                    "counter_id": {"type": ["integer", "null"]},
                    "counter_name": {"type": "string"},
                    "calls": {"type": "integer"},
                    "announce": {
                        "type": "object",
                        "description": "Only on the newest call of a ticket still called at its counter, with speech "
                        "on: its spoken announcement, as in its `called` or `recalled` event (a TV that missed the "
                        "event says the call from here).",
                    },
                },
            },
        },
    },
}

# GET /api/tickets' office: the state's, and what the front office's hours line and its read at the hours' end need
TODAY_OFFICE = {
    "last_ticket_minutes": {
        "type": ["integer", "null"],
        "description": "[hours] last_ticket_minutes: the service ends that long after closes_at; null without [hours].",
    },
    "service_ends_at": {
        **_nullable(DATETIME),
        "description": "The end of the [hours] range now in (in its last last_ticket_minutes, the kiosk stopped, "
        "when the counters stop serving); null outside every range or without [hours].",
    },
    "no_service": {
        "type": ["string", "null"],
        "enum": ["ended", "closed", None],
        "description": "The status view's (GET /api/tickets/{token}): ended or closed when nobody will call a waiting "
        "ticket today, every place's and service's estimated_wait_s null then; null otherwise.",
    },
    "service_ends_in_s": {
        "type": ["integer", "null"],
        "minimum": 0,
        "description": "Seconds from this answer until the day's service hours ([hours]) end, when no_service may "
        "begin with no event to say so (the front office reads its list again then); null once they have ended, on "
        "a day without them, or without [hours].",
    },
    "range_ends_in_s": {
        "type": ["integer", "null"],
        "minimum": 0,
        "description": "Seconds from this answer until the next end of one of today's [hours] ranges (the range now "
        "in, else the next one: a lunch break's start, the day's end), when service_ends_at goes, or no_service may "
        "begin, with no event to say so (the front office reads its list again then); null once the day's last "
        "range has ended, on a day without them, or without [hours].",
    },
}

STAFF_STATE = {
    "allOf": [
        _ref("State"),
        {
            "type": "object",
            "required": ["tickets", "disk", "printers", "priority_classes", "restored"],
            "properties": {
                "restored": {
                    "type": ["object", "null"],
                    "description": "A `restore` of today (its `restored` event; null before any, or after one of an "
                    "earlier day): the kiosk gives out again the numbers issued after the copy was made, and the front "
                    "office's page says so until Tutup or the day's end.",
                    "required": ["at", "made", "labels"],
                    "properties": {
                        "at": DATETIME,
                        "made": {
                            "type": ["string", "null"],
                            "description": "When the copy was made (its newest change); null: not known.",
                        },
                        "labels": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "The copy's last number of each prefix today, when it is a copy of today "
                            "holding tickets of today: the numbers after them are given out again. []: today's "
                            "numbers start again from 1.",
                        },
                    },
                },
                "priority_classes": {
                    "type": "array",
                    "description": "The priority table as the admin has it now, as the counter page's config has "
                    "it: a page busy with a visitor (it reloads after the ticket) offers these classes at once.",
                    "items": {
                        "type": "object",
                        "required": ["code", "name", "description", "target_minutes"],
                        "properties": {
                            "code": {"type": "string"},
                            "name": {"type": "string"},
                            "description": {"type": "string"},
                            "target_minutes": {"type": "integer"},
                        },
                    },
                },
                "printers": {
                    "type": "array",
                    "description": "The printers whose last status answer (DLE EOT 4, asked at each ticket by "
                    "check_status, while idle, or by a kiosk PC's print agent) said their paper is nearly out (the "
                    "near-end sensor; tickets still print) or out, by name, until a roll is in; [] when none. The same list comes as the staff "
                    "room's `printers` message when it changes.",
                    "items": {
                        "type": "object",
                        "required": ["printer", "paper", "since", "counters", "message"],
                        "properties": {
                            "printer": {"type": "string", "description": "Its name in config.toml ([printers.NAME])."},
                            "paper": {"type": "string", "enum": ["low", "out"]},
                            "since": DATETIME,
                            "counters": {
                                "type": "array",
                                "items": {"type": "integer"},
                                "description": "The ids of the counters whose form copies it prints (their pages "
                                "show it by the form copy's button); [] for none.",
                            },
                            "message": _words(
                                description="The front office's warning, e.g. \"Kertas printer kios hampir habis: "
                                'siapkan gulungan baru."',
                            ),
                        },
                    },
                },
                "tickets": {
                    "type": "array",
                    "description": "Today's waiting, called and serving tickets in calling order.",
                    "items": _ref("Ticket"),
                },
                "disk": {
                    "type": "object",
                    "description": "The free space of the database's or the data folder's disk, whichever has "
                    "less, looked at every 30 s; `low` below [server] min_free_mb (tickets are still issued).",
                    "required": ["low", "free_mb", "min_free_mb", "path", "message", "backup_failed"],
                    "properties": {
                        "low": {"type": "boolean"},
                        "backup_failed": {
                            "type": ["string", "null"],
                            "description": "Why the daily copy of the database ([server] backup_dir) last failed; "
                            "null once it works.",
                        },
                        "database_file": {
                            "oneOf": [
                                {
                                    "type": "object",
                                    "required": ["state", "path", "copy", "at", "error", "message"],
                                    "properties": {
                                        "state": {"enum": ["missing", "replaced", "overwritten"]},
                                        "path": {"type": "string"},
                                        "copy": {"type": ["string", "null"]},
                                        "at": {"type": ["string", "null"]},
                                        "error": {"type": ["string", "null"]},
                                        "message": _words(),
                                    },
                                },
                                {"type": "null"},
                            ],
                            "description": "The database file deleted (`missing`) or replaced by another file while "
                            "the server runs; null when it is the file opened. Its data is written to `copy` at once "
                            "and every 10 minutes (`at`: the last time that worked, office time HH.MM; `error`: why "
                            "the last try failed), and put back at its path when the server stops; its message leads "
                            '`message` (docs/operations.md, "Berkas database terhapus"). `overwritten`: another file '
                            "copied into it (`cp backup.db antrian.db`): nothing is written out (`copy` and `at` null), "
                            "every change is refused (503 `database_overwritten`) and nothing more written into it.",
                        },
                        "clock": {
                            "oneOf": [
                                {
                                    "type": "object",
                                    "required": ["now", "newest", "day", "newest_day", "refusing", "message"],
                                    "properties": {
                                        "now": {"type": "string", "format": "date-time"},
                                        "newest": {"type": ["string", "null"], "format": "date-time"},
                                        "day": {"type": "string", "format": "date"},
                                        "newest_day": {"type": ["string", "null"], "format": "date"},
                                        "refusing": {"type": "boolean"},
                                        "message": _words(),
                                    },
                                },
                                {"type": "null"},
                            ],
                            "description": "The server PC's clock (`now`) more than 10 minutes behind the newest "
                            "record (`newest`: a ticket issued, called, started or finished on the newest day with tickets), "
                            "looked at every 30 s; null when it is not. A date before 2026-01-01 (before this version "
                            "existed) is behind whatever the data (`newest` and `newest_day` null when no record is "
                            "ahead), and `refusing`: no number is issued then (error clock_wrong). Its message is "
                            "also in `message` below; the "
                            'counter page shows it alone (docs/operations.md, "Jam PC server").',
                        },
                        "free_mb": {"type": "integer", "minimum": 0},
                        "min_free_mb": {"type": "integer", "minimum": 0},
                        "path": {"type": "string", "description": "The folder on that disk."},
                        "message": {
                            "oneOf": [
                                _words(),
                                {"type": "null"},
                            ],
                            "description": "When low, the daily backup failed, the database was found damaged, or "
                            "the server's clock is behind (`clock`): "
                            "the alert the front office and admin pages show (Indonesian, English).",
                        },
                    },
                },
            },
        },
    ]
}

USER = {
    "type": "object",
    "required": ["id", "username", "role", "counter_id", "held_counters"],
    "properties": {
        "id": {"type": "integer"},
        "username": {"type": "string"},
        "full_name": {
            "type": ["string", "null"],
            "description": "The account's full name (what the A4 form is signed with); null when it has none.",
        },
        "role": {"type": "string", "enum": list(ROLES)},
        "counter_id": {"type": ["integer", "null"]},
        "held_counters": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "The counters this account holds (a page opened again takes its counter back).",
        },
    },
}

ACCOUNT = {
    "type": "object",
    "required": ["username", "role", "counter_id", "active", "full_name", "nip"],
    "properties": {
        "username": {"type": "string"},
        "role": {"type": "string", "enum": list(ROLES)},
        "counter_id": {"type": ["integer", "null"]},
        "active": {"type": "boolean"},
        "full_name": {"type": ["string", "null"], "description": "Signs the A4 consultation form; null: not set."},
        "nip": {
            "type": ["string", "null"],
            "pattern": "^[0-9]{18}$",
            "description": "The NIP, 18 digits; null: not set.",
        },
    },
}

FULL_NAME = {
    "type": ["string", "null"],
    "maxLength": 100,
    "description": 'The officer\'s full name as it signs the A4 consultation form (one line, trimmed); "" or null: none.',
    "examples": ["Siti Rahmawati, S.Kom."],
}
NIP = {
    "type": ["string", "null"],
    "maxLength": 40,
    "description": 'NIP (Nomor Induk Pegawai): 18 digits, spaces allowed ("19850101 201001 1 001"), the first 8 a '
    'birth date; "" or null: none. Refused with nip_invalid.',
    "examples": ["19850101 201001 1 001"],
}

EVENT = {
    "type": "object",
    "required": ["seq", "at", "type", "actor", "counter_id", "data"],
    "properties": {
        "seq": {"type": "integer"},
        "at": DATETIME,
        "type": {"type": "string", "enum": sorted(EVENT_TYPES)},
        "actor": {"type": ["string", "null"]},
        "counter_id": {"type": ["integer", "null"]},
        "data": {"type": "object"},
    },
}

ESCALATION = {
    "type": "object",
    "required": [
        "id",
        "label",
        "day",
        "service",
        "officer",
        "note",
        "lkpp_ticket",
        "escalated_at",
        "age_s",
        "priority_class",
        "target_minutes",
        "overdue",
        "form",
        "copy_text",
    ],
    "properties": {
        "id": {"type": "integer"},
        "label": {"type": "string"},
        "day": DATE,
        "service": {"type": "string"},
        "officer": {"type": ["string", "null"]},
        "officer_name": {
            "type": ["string", "null"],
            "description": "Who escalated, as a person reads it: the account's full name, else the login name.",
        },
        "note": {"type": ["string", "null"]},
        "lkpp_ticket": {"type": "string"},
        "escalated_at": _nullable(DATETIME),
        "age_s": {"type": "integer", "description": "Seconds since the escalation (the end of service)."},
        "priority_class": {
            "type": ["object", "null"],
            "description": "The class chosen, from the priority table in force; null when none was. A class "
            "since removed from the table keeps its code, with name and target_minutes null.",
            "required": ["code", "name", "target_minutes"],
            "properties": {
                "code": {"type": "string"},
                "name": {"type": ["string", "null"]},
                "target_minutes": {"type": ["integer", "null"]},
            },
        },
        "target_minutes": {
            "type": ["integer", "null"],
            "description": "The class's target time; with no class (or one since removed) the longest of the "
            "table; null when the table has none.",
        },
        "overdue": {
            "type": ["boolean", "null"],
            "description": "age_s is over target_minutes; null without a target.",
        },
        "mail": {
            "type": ["object", "null"],
            "description": "{id, status: queued|retrying|sent|failed|withdrawn, attempts, …, failed_at? (a retrying or "
            "failed mail: its latest mail_failed event's time, null without one), corrected_at? (a correction LKPP "
            "lacks), correction_sent? {at, by, by_name, corrected_at} (that correction said sent by hand)}; null when "
            "escalated with the escalation e-mail off.",
        },
        "form": _ref("Form"),
        "copy_text": {
            "type": "string",
            "description": "The escalation to paste into the LKPP's TTS or a mail: 'Perihal: <subject>', a blank "
            "line, then the escalation e-mail's body word for word.",
        },
    },
}

PRINT_JOB = {
    "type": "object",
    "required": ["id", "ticket_id", "printer", "kind", "status"],
    "properties": {
        "id": {"type": "integer"},
        "ticket_id": {"type": ["integer", "null"]},
        "label": {"type": ["string", "null"]},
        "printer": {"type": "string"},
        "kind": {"type": "string", "enum": ["ticket", "reprint", "form"]},
        "status": {"type": "string", "enum": ["queued", "retrying", "printed", "failed", "skipped"]},
        "attempts": {"type": "integer"},
        "error": {"type": ["string", "null"]},
        "created_at": _nullable(DATETIME),
        "printed_at": _nullable(DATETIME),
        "next_attempt_at": _nullable(DATETIME),
        "failed_at": {
            **_nullable(DATETIME),
            "description": "ISO 8601, UTC. A failed or retrying job: when it failed, as its print_failed event (the "
            "front office's alert) said: its first failed try while it is retried, its last once it gave up. Null for "
            "other jobs, and for one without such an event (given up untried at the end of its day).",
        },
        "today": {"type": "boolean", "description": "Queued on the office's day (the front office alerts today's)."},
        "late": {
            "type": "boolean",
            "description": "A printed job: a slip that printed after failing and waits at its printer to be handed "
            "over (a reprint, or a kiosk slip out more than 60 s after its number).",
        },
        "reason": {
            "type": "object",
            "description": "A skipped job (a slip not printed: its ticket no longer waited for a call when the "
            "printer got to it, or left the line after the slip had given up): why, for the front office (e.g. 'tiket sudah dibatalkan'); `kind` is one of "
            "cancelled, called, serving, finished, no_show, expired, past_day.",
            "required": ["kind", "id", "en"],
            "properties": {"kind": {"type": "string"}, "id": {"type": "string"}, "en": {"type": "string"}},
        },
        "advice": {
            "type": "object",
            "description": "A failed or retrying job: which printer, what is wrong and what to do, for the front "
            "office (e.g. 'Printer kios: kertas habis — isi kertas lalu tekan Cetak ulang'); `kind` is one of "
            "paper_out, not_ready, cups_stopped, setup, permission, unreachable, not_found, no_answer, expired (a print "
            "agent's job of a day that is over), other. `back`: the printer printed today after its failures still "
            "open, at that time (ISO 8601): the words say it prints again and this paper is still to be printed.",
            "required": ["kind", "id", "en"],
            "properties": {
                "kind": {"type": "string"},
                "id": {"type": "string"},
                "en": {"type": "string"},
                "back": {"type": "string", "format": "date-time"},
            },
        },
    },
}

RECAP = {
    "type": "object",
    "required": ["from", "to", "columns", "rows"],
    "properties": {
        "from": DATE,
        "to": DATE,
        "columns": {
            "type": "array",
            "items": {"type": "string"},
            "description": "No, Nama, Alamat, Permasalahan, Solusi, Keterangan (the SOP's six), then Tanggal "
            "(the local day, YYYY-MM-DD), No. Antrian (the ticket label) and Petugas (full name, else username).",
        },
        "rows": {
            "type": "array",
            "items": {"type": "object"},
            "description": "One object per row, keyed by the columns.",
        },
        "filters": {"type": "object", "additionalProperties": {"type": "string"}},
        "filters_label": {
            "type": "string",
            "description": "The filters in words, as the page and the XLSX name them after the period "
            '("Petugas: Budi Santoso, S.Kom. · Hasil: Eskalasi ke Helpdesk LKPP"); "" with no filter.',
        },
    },
}

GUESTBOOK = {
    "type": "object",
    "required": ["from", "to", "columns", "rows"],
    "properties": {
        "from": DATE,
        "to": DATE,
        "columns": {
            "type": "array",
            "items": {"type": "string"},
            "description": "No, Tanggal (the local day, YYYY-MM-DD), Jam (the time the number was taken, office "
            "time, HH.MM), No. Antrian, Layanan (the service it was taken for, by name), Nama, Instansi/Perusahaan, "
            "Alamat, Telepon (the form as kept: anonymised by retention, it says so), Keterangan (what became of "
            "the visit, in words: dilayani — selesai, tidak hadir saat dipanggil, dibatalkan, kedaluwarsa (tutup "
            "hari), dialihkan ke …).",
        },
        "rows": {
            "type": "array",
            "items": {"type": "object"},
            "description": "One object per ticket issued, in the order taken, keyed by the columns.",
        },
    },
}

# One measure of a group of the figures: how many tickets it measured and, for one with an SOP standard,
# how many of them were within it; the extra counts say why some were not measured.
FIGURE_COUNTS = ("tickets", "served", "escalated", "no_show", "cancelled", "expired", "in_play", "requeued", "requeues")
_MEASURE_WHY = {
    "form": {
        "unmeasured": "Tickets issued without the kiosk's time over the form (registered by the front office, "
        "or issued before the kiosk sent it): tickets - n.",
    },
    "waiting": {
        "unmeasured": "Tickets never called (cancelled before a call, expired still waiting, or waiting now): "
        "tickets - n; the share within the standard leaves them out.",
    },
    "escalation": {
        "unsent": "Escalations not measured: no escalation e-mail sent and no LKPP ticket number recorded.",
        "no_mail": "Of `unsent`, those with no e-mail at all (escalated while [escalation] enabled = false).",
    },
    "copy": {
        "unmeasured": "Served tickets whose copy of the form never came out of a counter printer (not asked "
        "for, or printed as the A4 page from the browser, which the server does not see): served - n.",
        "unprinted": "Of `unmeasured`, those whose copy was asked for on a counter printer and has not printed "
        "(the print failed, or waits for the printer).",
    },
}


def _measure(name: str) -> dict[str, Any]:
    props: dict[str, Any] = {
        "n": {"type": "integer", "minimum": 0, "description": "Tickets measured."},
        "mean_s": {
            "type": ["number", "null"],
            "description": "Mean, in seconds (one decimal; over its standard, never rounded down to it); null when n = 0.",
        },
        "max_s": {
            "type": ["number", "null"],
            "description": "Longest, in seconds (one decimal; over its standard, never rounded down to it); null when n = 0.",
        },
    }
    required = ["n", "mean_s", "max_s"]
    if name in STANDARD_MEASURES:
        props.update(
            {
                "standard_s": {"type": "integer", "description": "The SOP's standard ([sla]), in seconds."},
                "within": {"type": "integer", "minimum": 0, "description": "Measured ≤ the standard, to the ms."},
                "share": {"type": ["number", "null"], "description": "within / n (4 decimals); null when n = 0."},
            }
        )
        required += ["standard_s", "within", "share"]
    for key, why in _MEASURE_WHY.get(name, {}).items():
        props[key] = {"type": "integer", "minimum": 0, "description": why}
        required.append(key)
    return {"type": "object", "required": required, "properties": props}


FIGURE_GROUP = {
    "type": "object",
    "description": "One group's figures (or the total): the counts, then one object per measure, in the SOP's "
    "order: form (steps 2-6), waiting (7), response, service (9), escalation (11), copy (12).",
    "required": ["key", "label", *FIGURE_COUNTS, *MEASURES],
    "properties": {
        "key": {"type": "string", "description": "The day, ISO week (2026-W48), month (2026-11), officer or service."},
        "label": {"type": "string"},
        **{k: {"type": "integer", "minimum": 0} for k in FIGURE_COUNTS},
        **{m: _measure(m) for m in MEASURES},
    },
}

FIGURES = {
    "type": "object",
    "description": "See docs/reports.md for each measure.",
    "required": ["from", "to", "group", "open_days", "standards", "groups", "total", "arrivals"],
    "properties": {
        "from": DATE,
        "to": DATE,
        "group": {"type": "string", "enum": list(GROUPS)},
        "open_days": {"type": "integer"},
        "standards": {
            "type": "object",
            "description": "[sla], in minutes.",
            "required": [f"{m}_minutes" for m in STANDARD_MEASURES],
            "properties": {f"{m}_minutes": {"type": "integer"} for m in STANDARD_MEASURES},
        },
        "groups": {"type": "array", "items": FIGURE_GROUP},
        "total": FIGURE_GROUP,
        "arrivals": {"type": "array", "minItems": 24, "maxItems": 24, "items": {"type": "object"}},
    },
}

# The admin's sections, each validated by the same parser as config.toml (server.config).
SECTIONS: dict[str, dict[str, Any]] = {
    "office": {
        "type": "object",
        "description": "Only these keys (the time zone stays in config.toml).",
        "properties": {
            "name": {**ONE_LINE, "minLength": 1},
            "address": ONE_LINE,
            "public_url": {**ONE_LINE, "pattern": "^https?://"},
            "language": {"type": "string", "enum": ["id", "en"]},
        },
        "additionalProperties": False,
    },
    "queue": {
        "type": "object",
        "description": "Merged into the current values.",
        "properties": {
            "max_calls": {"type": "integer", "minimum": 1, "maximum": 10},
            "max_requeues": {"type": "integer", "minimum": 0, "maximum": 10},
            "auto_recall_seconds": {
                "anyOf": [{"const": 0}, {"type": "integer", "minimum": 5, "maximum": 3600}],
                "description": "0 (the officer recalls by hand) or 5-3600",
            },
            "rate_limit_per_minute": {"type": "integer", "minimum": 1},
            "counter_release_minutes": {
                "type": "integer",
                "minimum": 1,
                "maximum": 1440,
                "description": "A counter whose officer has no counter page open this long is freed.",
            },
        },
        "additionalProperties": False,
    },
    "services": {
        "type": "array",
        "description": "The whole list. A service with tickets waiting today cannot disappear (409).",
        "minItems": 1,
        "items": {
            "type": "object",
            "required": ["code", "name"],
            "properties": {
                "code": {"type": "string", "pattern": "^[A-Z]{1,3}$"},
                "name": {**ONE_LINE, "minLength": 1},
                "prefix": {"type": "string", "pattern": "^[A-Z]{1,3}$"},
                "daily_quota": {
                    "type": ["integer", "null"],
                    "minimum": 1,
                    "maximum": 9999,
                    "description": "Numbers a day (cancelled ones not counted); null or absent: no limit.",
                },
            },
            "additionalProperties": False,
        },
    },
    "counters": {
        "type": "array",
        "description": "The whole list. A counter holding a ticket cannot disappear (409).",
        "minItems": 1,
        "items": {
            "type": "object",
            "required": ["id", "name", "services"],
            "properties": {
                "id": {"type": "integer", "minimum": 1, "maximum": 999},
                "name": {**ONE_LINE, "minLength": 1},
                "services": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                "printer": {
                    "type": ["string", "null"],
                    "description": 'A [printers.NAME] of config.toml, or empty ("" or null): none.',
                },
            },
            "additionalProperties": False,
        },
    },
    "priority_classes": {
        "type": "array",
        "description": "The whole priority table.",
        "minItems": 1,
        "items": {
            "type": "object",
            "required": ["code", "name", "target_minutes"],
            "properties": {
                "code": {**ONE_LINE, "minLength": 1},
                "name": {**ONE_LINE, "minLength": 1},
                "description": ONE_LINE,
                "target_minutes": {"type": "integer", "minimum": 1},
            },
            "additionalProperties": False,
        },
    },
    "kiosk": {
        "type": "object",
        "properties": {
            "printer": {
                "type": ["string", "null"],
                "description": 'A [printers.NAME] of config.toml, or empty ("" or null): none.',
            },
            "idle_seconds": {"type": "integer", "minimum": 10, "maximum": 3600},
            "footer": ONE_LINE,
        },
        "additionalProperties": False,
    },
    "hours": {
        "type": ["object", "null"],
        "description": "Service hours, merged into the current ones (every weekday must end up named); null: "
        "none, the office is always open.",
        "properties": {
            **{
                day: {
                    "type": "string",
                    "description": '"08:00-12:00, 13:00-16:00": ranges in order, 24-hour; "" = closed all day.',
                }
                for day in WEEKDAYS
            },
            "holidays": {"type": "array", "items": DATE, "description": "Days closed (YYYY-MM-DD)."},
            "last_ticket_minutes": {
                "type": "integer",
                "minimum": 0,
                "maximum": 240,
                "description": "The kiosk stops issuing this long before each close.",
            },
        },
        "additionalProperties": False,
    },
    "announcement": {
        "type": "object",
        "description": "The office's announcement (PUT /api/announcement sets it whole, the front office too). `keep` "
        "true: until removed; else it ends at the office's midnight (`until` today) unless `until` is given.",
        "properties": {
            "text": {**ONE_LINE, "maxLength": 300},
            "text_en": {**ONE_LINE, "maxLength": 300},
            "keep": {"type": "boolean"},
            "until": {"type": "string", "description": 'YYYY-MM-DD: its last day; "": until removed.'},
        },
        "additionalProperties": False,
    },
    "tts": {
        "type": "object",
        "description": "The voice of the announcements, merged into [tts] (its other keys stay in the file).",
        "properties": {
            "engine": {"type": "string", "enum": ["espeak", "clips"]},
            "clips": {"type": "string", "description": 'A voice pack\'s folder, e.g. "voices/kantor"; "" = none.'},
            "pause_ms": {"type": "integer", "minimum": 0, "maximum": 2000},
            "trim_db": {"type": "integer", "minimum": -90, "maximum": 0},
        },
        "additionalProperties": False,
    },
}

SECTION_EXAMPLES: dict[str, Any] = {
    "office": {"name": "LPSE Kabupaten Contoh", "language": "id"},
    "queue": {"max_calls": 3},
    "services": [
        {"code": "A", "name": "Konsultasi Penyedia", "prefix": "A"},
        {"code": "B", "name": "Konsultasi Non-Penyedia (PPK/Pokja/PP)", "prefix": "B"},
        {"code": "C", "name": "Registrasi & Verifikasi Akun", "prefix": "C"},
    ],
    "counters": [
        {"id": 1, "name": "Loket 1", "services": ["A", "C"]},
        {"id": 2, "name": "Loket 2", "services": ["A", "B"]},
        {"id": 3, "name": "Loket 3", "services": ["B", "C"]},
    ],
    "priority_classes": [
        {"code": "P1", "name": "Tinggi", "target_minutes": 60},
        {"code": "P2", "name": "Sedang", "target_minutes": 480},
        {"code": "P3", "name": "Rendah", "target_minutes": 1440},
    ],
    "kiosk": {"idle_seconds": 60},
    "hours": {
        **{day: "08:00-12:00, 13:00-16:00" for day in WEEKDAYS[:4]},
        "friday": "08:00-11:30, 13:30-16:00",
        "saturday": "",
        "sunday": "",
        "holidays": ["2026-12-25"],
        "last_ticket_minutes": 15,
    },
    "tts": {"engine": "clips", "clips": "voices/kantor"},
    "announcement": {"text": "Loket 2 sedang istirahat sholat Jumat", "text_en": "Counter 2 is on Friday prayer break"},
}

SETTINGS = {
    "type": "object",
    "required": [
        "office",
        "queue",
        "services",
        "counters",
        "priority_classes",
        "kiosk",
        "hours",
        "tts",
        "announcement",
        "printers",
        "overridden",
        "versions",
    ],
    "properties": {
        "office": {
            "type": "object",
            "required": [*OFFICE_KEYS, "timezone"],
            "properties": {**{k: {"type": "string"} for k in OFFICE_KEYS}, "timezone": {"type": "string"}},
        },
        "queue": {"type": "object"},
        "services": {"type": "array", "items": {"type": "object"}},
        "counters": {"type": "array", "items": {"type": "object"}},
        "priority_classes": {"type": "array", "items": {"type": "object"}},
        "kiosk": {"type": "object"},
        "hours": {"type": ["object", "null"], "description": "[hours] as config.toml writes it; null: none."},
        "tts": {"type": "object", "description": "engine, clips (the pack's folder), pause_ms, trim_db."},
        "announcement": {"type": "object", "description": 'text, text_en, until ("": until removed).'},
        "printers": {"type": "array", "items": {"type": "string"}},
        "overridden": {
            "type": "array",
            "description": "The values saved on the admin page (or by `settings set`) that are used instead of "
            "config.toml's: key (a table's `office.public_url`, a list section or `hours` whole), file "
            "(config.toml's value), value (the one in use). Not in `settings show`'s JSON.",
            "items": {
                "type": "object",
                "required": ["key", "file", "value"],
                "properties": {"key": {"type": "string", "examples": ["office.public_url"]}, "file": {}, "value": {}},
            },
        },
        "versions": {
            "type": "object",
            "description": "Each editable section's version token (a hash of its value in force and of the value "
            "saved for it): sent back as `base` by a PUT or DELETE of the section, which is refused (409 "
            "settings_changed_meanwhile) when the section changed since. Not in `settings show`'s JSON.",
            "required": list(EDITABLE),
            "properties": {section: {"type": "string"} for section in EDITABLE},
            "examples": [{section: "3f0c9a1b2d4e5f60" for section in EDITABLE}],
        },
    },
}

# -- parameters ------------------------------------------------------------------------------------------

REF_ANY_DAY = _path_param(
    "ref",
    {"type": "string", "minLength": 1, "examples": ["A-001", "1"]},
    "Today's label (A-001, any case), the ticket's token, or (any day) its numeric id. Unknown, or over 64 "
    "characters: 404.",
)
REF_TODAY = _path_param(
    "ref",
    {"type": "string", "minLength": 1, "examples": ["A-001"]},
    "Today's label (A-001, any case) or the ticket's token. Unknown, or over 64 characters: 404.",
)
COUNTER_ID = _path_param(
    "counter_id", {"type": "integer", "minimum": 1, "examples": [1]}, "A counter's id ([[counters]] id)."
)
USERNAME_PARAM = _path_param(
    "username", {"type": "string", "minLength": 1, "examples": ["budi"]}, "The account's name."
)
# What a report's 422 says of its period (server.reports.check_range; docs/api.md, "Periods").
RANGE_WORDS = (
    "`from`/`to` say what is wrong and what is accepted: missing (day_required), not written YYYY-MM-DD "
    "(day_format), no such day (day_unknown), `to` before `from` (range_reversed), or more than "
    f"{MAX_RANGE_DAYS} days after it (range_too_long, naming the last day it may be)."
)
RANGE_PARAMS = [
    _query("from", DATE, "The first of the office's local days.", required=True),
    _query("to", DATE, f"The last day: not before `from`, at most {MAX_RANGE_DAYS} days after it.", required=True),
]

# -- paths -------------------------------------------------------------------------------------------------

SEQ = {
    "type": "integer",
    "minimum": 0,
    "description": "The seq of the last change committed with this answer (its own last event's when it made one; a "
    "repeated request_id answers the first one's): a page whose live events are past it shows all it says already.",
}


def _with_seq(schema: dict[str, Any]) -> dict[str, Any]:
    """A ticket or counter command's answer: `seq` too (UnitOfWork.run's `seq`)."""
    return {**schema, "properties": {**schema["properties"], "seq": SEQ}}


# A case closed lately (GET /api/escalations `closed`): what the Eskalasi page's "Baru ditutup" shows before Buka lagi.
CLOSED_ESCALATION = {
    "type": "object",
    "required": [
        "id",
        "label",
        "day",
        "closed_at",
        "closed_by",
        "closed_by_name",
        "lkpp_ticket",
        "lkpp_answer",
        "form",
    ],
    "properties": {
        "id": {"type": "integer"},
        "label": {"type": "string"},
        "day": DATE,
        "closed_at": DATETIME,
        "closed_by": {"type": "string", "description": "Who recorded the answer (login name)."},
        "closed_by_name": {"type": "string", "description": "Their full name, else the login name."},
        "lkpp_ticket": {"type": "string", "description": 'Its LKPP ticket number; "" for none.'},
        "lkpp_answer": {"type": "string"},
        "form": {
            "type": "object",
            "required": ["name", "agency", "phone"],
            "properties": {
                "name": {"type": "string"},
                "agency": {"type": "string"},
                "phone": {"type": "string", "description": "The visitor's phone, to tell them LKPP's answer."},
            },
        },
    },
}
TICKET_RESPONSE = _with_seq({"type": "object", "required": ["ticket"], "properties": {"ticket": _ref("Ticket")}})
_VISIT_TEXTS = ("problem", "solution", "escalation_note", "lkpp_ticket", "lkpp_answer")
EARLIER_VISIT = {
    "type": "object",
    "description": "One earlier ticket of the visitor, with its form's name, agency and problem and its outcome.",
    "required": [
        "id",
        "token",
        "label",
        "day",
        "created_at",
        "service",
        "service_name",
        "transferred_from",
        "status",
        "name",
        "agency",
        "matched",
        *_VISIT_TEXTS,
        "officer_name",
    ],
    "properties": {
        "id": {"type": "integer"},
        "token": {"type": "string", "description": "Its A4 form is /counter/form/<token>."},
        "label": {"type": "string", "examples": ["A-004"]},
        "day": DATE,
        "created_at": DATETIME,
        "service": {"type": "string", "description": "The service it ended at (after any transfer)."},
        "service_name": {"type": "string", "description": "Its name now; a service since removed: its code."},
        "transferred_from": {"type": "string"},
        "status": {
            "type": "string",
            "enum": list(STATUSES),
            "description": "escalated: sent to LKPP, not answered yet; closed: LKPP answered (lkpp_answer).",
        },
        "name": {"type": "string"},
        "agency": {"type": "string"},
        "matched": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "enum": ["phone", "name_agency"]},
            "description": "What it has of this ticket's form: the phone, the name and agency (folded), or both.",
        },
        **{k: {"type": "string"} for k in _VISIT_TEXTS},
        "officer_name": {
            "type": "string",
            "description": "Who served it, as the form is signed (full name, else login name); empty for none.",
        },
    },
}
EARLIER_RESPONSE = {
    "type": "object",
    "required": ["visits", "more", "limit", "days"],
    "properties": {
        "visits": {"type": "array", "maxItems": EARLIER_LIMIT, "items": EARLIER_VISIT},
        "more": {"type": "boolean", "description": "The visitor has more earlier visits in those days."},
        "limit": {"type": "integer", "const": EARLIER_LIMIT},
        "days": {"type": "integer", "const": EARLIER_DAYS},
    },
}


DRAFT_VERSION = {
    "type": "integer",
    "minimum": 0,
    "description": "The draft's version: one more at each save, an emptied draft's kept (0: none saved).",
}
DRAFT = {
    "type": "object",
    "required": [
        "ticket_id",
        "label",
        "solution",
        "note",
        "category",
        "priority_class",
        "officer",
        "updated_at",
        "version",
    ],
    "properties": {
        "ticket_id": {"type": "integer"},
        "label": {"type": "string", "examples": ["A-005"]},
        "solution": {"type": "string", "description": 'The answer typed so far ("": none).'},
        "note": {"type": "string", "description": 'The escalation analysis typed so far ("": none).'},
        "category": {"type": "string", "description": 'The kind chosen on the page ("": the ticket\'s own).'},
        "priority_class": {"type": "string", "description": 'The class chosen on the page ("": the ticket\'s own).'},
        "officer": {"type": "string", "description": "Who saved it last (login name)."},
        "updated_at": DATETIME,
        "version": DRAFT_VERSION,
    },
}


def _counter_draft() -> dict[str, Any]:
    """GET and POST /api/counters/{counter_id}/draft: the server's copy of what is typed for the ticket served there."""
    errors: dict[str, str | None] = {
        "403": "forbidden: not an officer or admin; counter_bound: the officer is bound to another counter.",
        "404": "counter_not_found: no such counter.",
        "409": "counter_taken: another officer holds the counter.",
    }
    kept = (
        "One row per ticket being served, dropped when the ticket leaves the counter or stops being served (resolved, "
        "escalated, transferred, cancelled, expired) and at the day's turn. Never in a public answer or socket event: a save is told, without its text (`draft`: "
        "counter_id, ticket_id, version, at), to the counter pages showing that counter only, one a second at most."
    )
    return {
        "get": _operation(
            "counter_draft",
            "The draft kept for the ticket being served at the counter",
            "counters",
            {
                "200": _ok(
                    "The draft of the counter's ticket being served (null: none, or no ticket served there): what a "
                    "counter page opened again (a closed tab, another PC) puts into its empty form.",
                    {
                        "type": "object",
                        "required": ["draft", "version"],
                        "properties": {"draft": {"oneOf": [DRAFT, {"type": "null"}]}, "version": DRAFT_VERSION},
                    },
                )
            },
            errors,
            roles=("officer",),
            params=[COUNTER_ID],
            description=kept,
        ),
        "post": _operation(
            "save_counter_draft",
            "Keep what the officer typed for the ticket being served at the counter",
            "counters",
            {
                "200": _ok(
                    "Kept, on disk before the answer (every field empty: the draft is dropped).",
                    {
                        "type": "object",
                        "required": ["ok", "ticket_id", "saved_at", "version"],
                        "properties": {
                            "ok": {"const": True},
                            "ticket_id": {"type": "integer"},
                            "saved_at": DATETIME,
                            "version": DRAFT_VERSION,
                            "dropped": {
                                "type": "array",
                                "items": {"const": "priority_class"},
                                "description": "Fields kept empty: a `priority_class` no longer in the priority table "
                                "(the admin took it out while the form was open). Absent when none.",
                            },
                        },
                    },
                )
            },
            {
                **errors,
                "400": None,
                "409": "counter_taken: another officer holds the counter; draft_not_served: `ticket_id` is not the "
                "ticket being served at the counter (it was finished, sent away or returned meanwhile); draft_stale: "
                "`version` is not the draft's version now (saved from another PC or tab meanwhile: nothing changed).",
                "413": None,
                "422": "The fields at fault, checked as Selesai and Eskalasi check them: solution or note over 4000 "
                "characters (too_long) or with control characters, an unknown category or priority_class, a missing "
                "ticket_id.",
                "429": "rate_limited: more than 30 saves in a row from one session, then more than one every 2 s.",
                "503": None,
            },
            roles=("officer",),
            write=True,
            params=[COUNTER_ID],
            body=_body(
                {
                    "ticket_id": {"type": "integer", "description": "The ticket the page shows served."},
                    "solution": {"type": "string", "maxLength": SOLUTION_MAX},
                    "note": {"type": "string", "maxLength": NOTE_MAX},
                    "category": CATEGORY_IN,
                    "priority_class": PRIORITY_CLASS_IN,
                    "version": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "The version of the server's draft the text is based on (0: none); absent: "
                        "kept as it comes (a page from before it).",
                    },
                },
                ("ticket_id",),
                command=False,
            ),
            description=kept,
        ),
    }


# A counter action on the ticket the counter holds: the ticket it was pressed for. docs/api.md, "Counters".
PRESSED_FOR = {
    "type": "integer",
    "minimum": 1,
    "maximum": 2**63 - 1,
    "description": "Optional: the id of the ticket the action is meant for (the one the page shows at the counter). "
    "When the counter holds another ticket now, or none (another tab, the front office or an admin finished it "
    "and called the next one meanwhile): 409 ticket_changed and nothing changes. Absent: the action acts on "
    "whatever ticket the counter holds. A repeat of a done request_id answers its first answer before this check; "
    "a repeat of one refused so is refused again (its first words), whatever the counter holds by then.",
    "examples": [42],
}


# A call (call-next, call): the ticket the counter held when it was pressed. docs/api.md, "Counters".
HOLDING = {
    "type": ["integer", "null"],
    "minimum": 1,
    "maximum": 2**63 - 1,
    "description": "Optional: the id of the ticket the counter held when the call was pressed, null when it held none. "
    "When the counter holds another ticket now, or one though it held none (another tab or an admin called "
    "meanwhile): 409 counter_changed and nobody is called. Absent: as before. A repeat of a done request_id answers "
    "its first answer before this check; a repeat of one refused so is refused again (its first words), whatever the "
    "counter holds by then.",
    "examples": [None, 42],
}


def _counter_action(action: str) -> dict[str, Any]:
    """POST /api/counters/{counter_id}/{action}: one officer action on a counter (it claims the counter)."""
    bodies: dict[str, dict[str, Any] | None] = {
        "call-next": _body({"holding": HOLDING}),
        "call": _body(
            {
                "holding": HOLDING,
                "ticket": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 64,
                    "description": "Today's label (A-005, any case) or the ticket's token.",
                    "examples": ["A-005"],
                },
            },
            ("ticket",),
        ),
        "pause": _body({}),
        "resume": _body({}),
        "recall": _body({"ticket_id": PRESSED_FOR}),
        "skip": _body({"ticket_id": PRESSED_FOR}),
        "start": _body({"ticket_id": PRESSED_FOR}),
        "resolve": _body(
            {
                "ticket_id": PRESSED_FOR,
                "solution": _text(SOLUTION_MAX, "What solved it (SOP step 10); trimmed.", example="Reset kata sandi"),
                "category": CATEGORY_IN,
                "priority_class": PRIORITY_CLASS_IN,
            },
            ("solution",),
        ),
        "escalate": _body(
            {
                "ticket_id": PRESSED_FOR,
                "note": _text(
                    NOTE_MAX,
                    "The officer's analysis for the LKPP helpdesk; trimmed.",
                    example="Kunci paket hilang",
                ),
                "category": CATEGORY_IN,
                "priority_class": PRIORITY_CLASS_IN,
            },
            ("note",),
        ),
        "transfer": _body(
            {
                "ticket_id": PRESSED_FOR,
                "service": {"type": "string", "description": "Another service's code.", "examples": ["B"]},
                "note": {
                    "type": "string",
                    "maxLength": 4000,
                    "description": "Optional: what the officer at the other service should know (what was "
                    "tried, what is left). Kept as the ticket's `transfer_note`, shown to staff only.",
                },
            },
            ("service",),
        ),
        "release": None,
    }
    ticket = _with_seq(
        {
            "type": "object",
            "required": ["ticket"],
            "properties": {"ticket": _ref("Ticket"), "skipped": {"oneOf": [_ref("PublicTicket"), {"type": "null"}]}},
        }
    )
    summaries = {
        "call-next": "Call the next ticket (skipping the counter's ticket first when all its calls were made)",
        "call": "Call one waiting ticket out of turn (its first call, recorded with the officer)",
        "pause": "Pause the counter (a break): call-next, call and recall are refused until resume",
        "resume": "Resume a paused counter",
        "recall": "Call the counter's ticket again (up to max_calls; not during a break)",
        "skip": "Skip the counter's ticket after all its calls: requeued, or no_show",
        "start": "The visitor arrived: serving starts",
        "resolve": "Resolve the ticket being served with a solution",
        "escalate": "Escalate the ticket being served to the LKPP helpdesk",
        "transfer": "Send the ticket being served to another service, ahead of its queue (behind the tickets sent there before it that still wait at its front)",
        "release": "Free the counter (its officer; an admin or the front office, whoever holds it)",
    }
    responses: dict[str, Any]
    errors: dict[str, str | None] = {
        "403": "forbidden: not an officer or admin; csrf: the X-CSRFToken header is missing or wrong; "
        "counter_bound: the officer is bound to another counter.",
        "404": "counter_not_found: no such counter.",
        "409": "counter_taken: another officer holds the counter; or the queue rules refuse (no_ticket, "
        "calls_exhausted, calls_remaining, counter_serving, counter_calling, counter_paused, ticket_not_waiting, "
        "service_not_at_counter, invalid transition, transfer_same_service).",
    }
    roles: tuple[str, ...] = ("officer",)
    description = "An officer holds a counter from their first action on it until release or logout."
    if action == "release":
        responses = {
            "200": _ok(
                "The counter is free.",
                {"type": "object", "required": ["ok"], "properties": {"ok": {"const": True}, "seq": SEQ}},
            )
        }
        errors["403"] = (
            "forbidden: not an officer, front office or admin; csrf: the X-CSRFToken header is missing or wrong."
        )
        errors["409"] = (
            "counter_taken: another officer holds the counter (an officer frees only their own; one nobody holds: "
            "200, nothing changed)."
        )
        errors["503"] = None
        roles = ("officer", "frontoffice")
        command = False
        description = (
            "Freed by an admin or the front office (not its holder), the counter's called ticket waits again at its "
            "place with calls 0; a counter_released event {counter_id, officer, by, returned} tells the holder's page."
        )
    elif action in ("pause", "resume"):
        command = True
        errors.update({"400": None, "413": None, "503": None})
        responses = {
            "200": _ok(
                "The counter's pause state (unchanged when it already was so).",
                {
                    "type": "object",
                    "required": ["counter"],
                    "properties": {
                        "seq": SEQ,
                        "counter": {
                            "type": "object",
                            "required": ["id", "paused", "paused_at"],
                            "properties": {
                                "id": {"type": "integer"},
                                "paused": {"type": "boolean"},
                                "paused_at": _nullable(DATETIME),
                            },
                        },
                    },
                },
            )
        }
    else:
        command = True
        errors.update({"400": None, "413": None, "503": None})
        if action == "call":
            responses = {
                "200": _ok(
                    "The ticket called (with its form), and `skipped` when the counter's ticket was skipped.", ticket
                )
            }
            errors["404"] = "counter_not_found, or ticket_not_found: no such ticket today."
            errors["422"] = (
                "form_incomplete: `ticket` is missing or not text; `holding` is not a positive integer or null."
            )
        elif action == "call-next":
            responses = {
                "200": _ok(
                    "The ticket called (with its form), and `skipped` when the counter's ticket was skipped.", ticket
                ),
                "204": _ok("Nobody waits for this counter's services."),
            }
            errors["422"] = "form_incomplete: `holding` is not a positive integer or null."
        elif action == "escalate":
            responses = {
                "200": _ok(
                    "The escalated ticket and the escalation (its mail when [escalation] is enabled).",
                    {
                        "type": "object",
                        "required": ["ticket", "escalation"],
                        "properties": {
                            "seq": SEQ,
                            "ticket": _ref("Ticket"),
                            "escalation": {
                                "type": "object",
                                "required": ["ticket_label", "note", "mail"],
                                "properties": {
                                    "ticket_label": {"type": "string"},
                                    "note": {"type": "string"},
                                    "mail": {"type": ["object", "null"]},
                                },
                            },
                        },
                    },
                )
            }
        else:
            responses = {"200": _ok("The counter's ticket after the action.", TICKET_RESPONSE)}
        if action in ("resolve", "escalate", "transfer"):
            errors["422"] = None
        elif action in ("recall", "skip", "start"):
            errors["422"] = "form_incomplete: `ticket_id` is not a positive integer."
        if action in ("call-next", "call"):
            errors["409"] += (
                " counter_changed: the counter holds another ticket than `holding` (another tab or an admin called "
                "meanwhile): nobody called, the message names what the counter holds."
            )
        if action in ("recall", "skip", "start", "resolve", "escalate", "transfer"):
            errors["409"] += (
                " ticket_changed: `ticket_id` is not the ticket the counter holds now (finished, sent away or "
                "returned meanwhile; another called): nothing changed, the message names what the counter holds."
            )
    op = _operation(
        f"counter_{action.replace('-', '_')}",
        summaries[action],
        "counters",
        responses,
        errors,
        roles=roles,
        write=True,
        command=command,
        params=[COUNTER_ID],
        body=bodies[action],
        description=description,
    )
    return {"post": op}


# A settings change's optional `base`: the section's version the change was made on.
SETTINGS_BASE = {
    "type": ["string", "null"],
    "maxLength": 100,
    "description": "The section's version token as GET /api/admin/settings `versions` gave it (the version the "
    "admin page loaded): when the section changed since, 409 settings_changed_meanwhile and nothing is saved. "
    "Absent or null: saved whatever changed meanwhile (a list section replaced whole, a table's keys merged).",
}


def _settings_section(section: str) -> dict[str, Any]:
    value = {**SECTIONS[section], "examples": [SECTION_EXAMPLES[section]]}
    return {
        "put": _operation(
            f"put_settings_{section}",
            f"Replace the `{section}` settings, live",
            "admin",
            {"200": _ok("The new settings.", _ref("Settings"))},
            {
                "400": BAD_JSON,
                "409": "service_in_use / counter_in_use: a service with tickets waiting today, or a counter "
                "holding a ticket, would disappear; service_served: a service a counter still serves would (untick "
                "it at its counters first); service_unserved: the last counter serving a service whose "
                "tickets wait today would stop serving it (every such problem named at once: the first's code, "
                "each one's words in `message` and under its field); prefix_in_use: a service would take a prefix "
                "today's tickets of another service carry; prefix_change_today: a service whose numbers of today carry its "
                "prefix would change it; no_config_file; settings_changed_meanwhile: `base` was given and the "
                "section changed since (saved from another page or the command line, or reset): nothing is saved, "
                "`message` names who changed it and when, `fields` has `base`. An account bound to a counter that "
                "goes is unbound (a `user_changed` event, change `counter`).",
                "413": None,
                "422": "form_incomplete (no `value`, an office key that is not editable, or a `base` that is not a "
                "string of up to 100 characters) or config_invalid: "
                "`fields` names the key, e.g. services[0].code, with the parser's problem in words; `message` "
                "names the field as the admin page labels it, rows from 1 (Pengaturan tidak valid: Layanan baris 1, "
                "kode: …). Every bad value of the save at once: each key in `fields`, `message` how many then a line "
                "each, and `problems` [{field, label, message}] in that order.",
                "503": None,
            },
            roles=("admin",),
            write=True,
            body=_body({"value": value, "base": SETTINGS_BASE}, ("value",), command=False),
            description="Validated by the same parser as config.toml, stored on top of it, logged as a "
            "settings_changed event and applied at once. Other sections (printers, server, …) answer 422. With "
            "`base` (the section's `versions` entry the change was made on), saved only if the section is still "
            "at that version: two admins saving on the same load, the second is told (409) instead of silently "
            "overwriting the first.",
        ),
        "delete": _operation(
            f"reset_settings_{section}",
            f"Back to config.toml's `{section}` settings, live",
            "admin",
            {"200": _ok("The settings now.", _ref("Settings"))},
            {
                "400": BAD_JSON,
                "409": "service_in_use / counter_in_use / service_unserved / prefix_in_use / prefix_change_today: "
                "config.toml's value would strand today's tickets, as a PUT would (see there); "
                "settings_changed_meanwhile: `base` was given and the section changed since (nothing is reset).",
                "413": None,
                "422": "not_editable_section; form_incomplete: a `base` that is not a string of up to 100 characters.",
                "503": None,
            },
            roles=("admin",),
            write=True,
            body=_body({"base": SETTINGS_BASE}, (), command=False),
            description="Every value saved for the section (on the admin page or by `settings set`) is dropped, "
            "as `python -m server settings reset SECTION` does: config.toml's values are used again, logged as a "
            "settings_changed event with data.reset and applied at once. Nothing saved: the same answer, "
            "nothing logged. The body is optional: with `base`, reset only if the section is still at that version.",
        ),
    }


# A voice preview's and a sound check's body: the call to say.
VOICE_CALL_BODY_PROPERTIES = {
    "label": {"type": "string", "pattern": "^[A-Za-z]{1,3}-[0-9]{1,4}$", "examples": ["A-123"]},
    "counter_id": {"type": "integer", "minimum": 1},
    "calls": {
        "type": "integer",
        "minimum": 1,
        "default": 1,
        "description": 'Which call of the ticket, 1 to [queue] max_calls: a recall says "Panggilan kedua." before '
        'the call, the last "Panggilan terakhir.".',
    },
    "last_chance": {
        "type": "boolean",
        "default": False,
        "description": "The ticket is on its last chance (skipped and requeued [queue] max_requeues times): its first "
        'call says "Kesempatan terakhir." before the call, a recall "Panggilan kedua, kesempatan terakhir.".',
    },
}


def _voice_paths() -> dict[str, Any]:
    call_body = _body(VOICE_CALL_BODY_PROPERTIES, ("label", "counter_id"), command=False)
    """The voice pack's admin routes (the engine and pack themselves: PUT /api/admin/settings/tts)."""
    admin_only = ("admin",)
    status = {
        "type": "object",
        "required": [
            "engine",
            "clips",
            "loading",
            "pack",
            "error",
            "error_clips",
            "missing",
            "office_missing",
            "intro_missing",
            "packs",
        ],
        "properties": {
            "engine": {"type": "string", "enum": ["espeak", "clips"]},
            "clips": {"type": ["string", "null"], "description": "The configured pack's folder."},
            "loading": {"type": "boolean", "description": "The pack is being (re)loaded by the speech worker."},
            "pack": {
                "type": ["object", "null"],
                "description": "The loaded pack: folder, clips (a count), format, errors (file -> why it is "
                "left out, in the answer's language), converted (clips sox converted), adjusted (clip -> dB its "
                "loudness was changed by).",
            },
            "error": {
                "type": ["string", "null"],
                "description": "Why the pack cannot be used (espeak-ng speaks), in the answer's language.",
            },
            "error_clips": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "File -> why it cannot be used, in the answer's language: the files of a pack none of "
                "whose files could be used ({} otherwise).",
            },
            "missing": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Words calls needed that no clip says (those calls were spoken by espeak-ng).",
            },
            "office_missing": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "Word -> a phrase needing it: what the services, counters and numbers up to 999 "
                "need that the pack lacks (a call lacking one is spoken by espeak-ng).",
            },
            "intro_missing": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "Word -> a phrase needing it: what only the intros of recalls and last chances "
                '("Panggilan kedua.", "Panggilan terakhir.", "Kesempatan terakhir.") need that the pack lacks: such a '
                "call is then spoken from the recordings without its intro, as a first call.",
            },
            "packs": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "clips": {"type": "string"}, "path": {"type": "string"}},
                },
                "description": "The packs in voices/ beside config.toml.",
            },
        },
    }
    clip_name = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*\\.wav$", "maxLength": 104}
    return {
        "/api/admin/voice": {
            "get": _operation(
                "voice_status",
                "The voice pack: loaded clips, unusable files, missing words, the packs",
                "admin",
                {"200": _ok("The voice.", status)},
                {},
                roles=admin_only,
            )
        },
        "/api/admin/voice/clips": {
            "post": _operation(
                "upload_clip",
                "Add or replace a clip of a pack in voices/",
                "admin",
                {
                    "201": _ok(
                        "Saved; the pack in use is loaded again in the background.",
                        {
                            "type": "object",
                            "properties": {
                                "pack": {"type": "string"},
                                "name": {"type": "string"},
                                "format": {"type": "string"},
                                "seconds": {"type": "number"},
                            },
                        },
                    )
                },
                {
                    "400": BAD_JSON,
                    "409": "no_config_file.",
                    "413": "The body is over 3 MB.",
                    "422": "form_incomplete: `pack` or `name` is not lowercase words of a-z and 0-9 joined by '-' "
                    "(the name ending .wav), or `data` is not base64; clip_invalid: not a readable WAV (PCM or float), over 2 MB "
                    "or 10 s, or of an unusual format.",
                },
                roles=admin_only,
                write=True,
                body=_body(
                    {
                        "pack": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 50},
                        "name": clip_name,
                        "data": {"type": "string", "contentEncoding": "base64", "description": "The WAV file."},
                    },
                    ("pack", "name", "data"),
                    command=False,
                ),
            )
        },
        "/api/admin/voice/preview": {
            "post": _operation(
                "preview_voice",
                "Make an announcement to listen to",
                "admin",
                {
                    "200": _ok(
                        "Made in the background like a call's; GET `audio` (it waits while the file is made), and "
                        "before it the `intro` of a recall or a last chance (null for an ordinary first call and when "
                        "the voice pack lacks its words).",
                        {
                            "type": "object",
                            "properties": {
                                "text": {"type": "string"},
                                "audio": {"type": "string"},
                                "intro": {"type": ["string", "null"]},
                                "engine": {"type": "string", "enum": ["espeak", "clips"]},
                                "missing": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                    )
                },
                {
                    "400": BAD_JSON,
                    "413": None,
                    "422": "form_incomplete: `label` (e.g. A-123), `counter_id`, `calls` or `last_chance` is invalid.",
                },
                roles=admin_only,
                write=True,
                body=call_body,
            )
        },
        "/api/admin/voice/test-call": {
            "post": _operation(
                "test_call",
                "Sound check: a call announced on every TV display, the queue untouched",
                "admin",
                {
                    "200": _ok(
                        "Sent as a `test_call` message (no seq) to the TV displays, which chime and speak it as a "
                        "call and mark it as a test; `announce` is as in a `called` event, its `intro` beginning "
                        '"Tes suara." ("Sound test."), said before the call (null when speech is off: the chime '
                        "only); `displays`: how many TV pages are connected.",
                        {
                            "type": "object",
                            "properties": {
                                "announce": {"type": ["object", "null"]},
                                "displays": {"type": "integer", "minimum": 0},
                            },
                            "required": ["announce", "displays"],
                        },
                    )
                },
                {
                    "400": BAD_JSON,
                    "413": None,
                    "422": "form_incomplete: `label` (e.g. A-123), `counter_id`, `calls` or `last_chance` is invalid.",
                    "429": "rate_limited: one sound check every 3 seconds.",
                },
                roles=admin_only,
                write=True,
                body=call_body,
            )
        },
    }


def build() -> dict[str, Any]:
    """The whole document."""
    staff = ("officer", "frontoffice")
    paths: dict[str, Any] = {
        "/api/tickets": {
            "post": _operation(
                "issue_ticket",
                "Take a number (kiosk, front office)",
                "tickets",
                {
                    "201": _ok(
                        "The new ticket (or, for a repeated request_id, the first answer).", _with_seq(_ticket_view())
                    )
                },
                {
                    "400": None,
                    "401": "login_required: the request carries X-CSRFToken (a staff page's) but its session has "
                    "ended; never issued as the kiosk's.",
                    "403": "kiosk_only: without a login, only the addresses in [kiosk] addresses may take a number.",
                    "409": "office_closed: without a login, outside the service hours "
                    "([hours]; the message names the next opening); quota_reached: the service's daily_quota is used "
                    "up (a login may send override_quota); service_not_served: no counter serves the service now; "
                    "duplicate_visitor: a login sent check_duplicate and a ticket of today still waiting or called "
                    "has the same phone, or the same name and agency (the message names its number); "
                    "clock_wrong: the server's date is before 2026-01-01, before this version existed (its PC's clock is "
                    'wrong: docs/operations.md, "Jam PC server").',
                    "413": None,
                    "422": "form_incomplete: `fields` names each missing or bad field.",
                    "429": "rate_limited: over [queue] rate_limit_per_minute tickets a minute from one address "
                    "without a login.",
                    "503": None,
                },
                command=True,
                body=_body(
                    {
                        "service": {
                            "type": "string",
                            "description": "A service's code (GET /api/state services[].code).",
                            "examples": ["A"],
                        },
                        **{
                            k: _text(
                                LIMITS[k], "Trimmed, runs of white space made one; no control characters.", example=v
                            )
                            for k, v in (
                                ("name", "Budi Santoso"),
                                ("agency", "CV Maju Bersama"),
                                ("address", "Jl. Sudirman 12"),
                            )
                        },
                        "phone": _text(
                            PHONE_RAW_MAX,
                            "An Indonesian number: 08…, +62 8…, 62 8…, +62 (0)8…, or a landline like "
                            "(021) 555-1234; stored as digits from 0.",
                            example="0812-3456-7890",
                        ),
                        "problem": _text(
                            LIMITS["problem"], "Trimmed; may have line breaks and tabs.", example="Lupa kata sandi"
                        ),
                        "category": CATEGORY_IN,
                        "priority": {
                            "type": ["boolean", "null"],
                            "description": "Elderly, disabled or pregnant: called first.",
                        },
                        "override_quota": {
                            "type": "boolean",
                            "description": "The front office (a login) issues past the service's daily quota; "
                            "ignored without a login.",
                        },
                        "check_duplicate": {
                            "type": "boolean",
                            "description": "The front office (a login): refuse (409 duplicate_visitor) a visitor "
                            "who already has a number of today still waiting or called, by phone or by name and "
                            "agency; left out (or false) to issue anyway. Ignored without a login.",
                        },
                        "form_seconds": {
                            "type": ["integer", "null"],
                            "minimum": 0,
                            "maximum": FORM_SECONDS_MAX,
                            "description": "The kiosk: whole seconds from the visitor's first tap (leaving the "
                            "welcome screen) to this request, for the figures' form time (SOP steps 2-6). Optional; "
                            "null or left out: not measured. Not a whole number 0-"
                            f"{FORM_SECONDS_MAX}: 422 form_incomplete, `fields` naming form_seconds.",
                        },
                    },
                    ("service", "name", "agency", "address", "phone", "problem"),
                ),
            ),
            "get": _operation(
                "today_tickets",
                "Today's tickets in every status, in calling order, with their forms",
                "tickets",
                {
                    "200": _ok(
                        "Today's tickets.",
                        {
                            "type": "object",
                            "required": ["day", "office", "services", "tickets"],
                            "properties": {
                                "day": DATE,
                                "office": {
                                    "type": "object",
                                    "description": "The state's office (GET /api/state), with the fields below.",
                                    "required": [
                                        *STATE["properties"]["office"]["required"],
                                        *TODAY_OFFICE,
                                    ],
                                    "properties": {**STATE["properties"]["office"]["properties"], **TODAY_OFFICE},
                                },
                                "services": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["code", "waiting", "estimated_wait_s"],
                                        "properties": {
                                            "code": {"type": "string"},
                                            "waiting": {"type": "integer", "minimum": 0},
                                            "estimated_wait_s": {
                                                "type": ["integer", "null"],
                                                "minimum": 0,
                                                "description": "A number taken now (the state's); null: "
                                                "office.no_service set.",
                                            },
                                        },
                                    },
                                },
                                "tickets": {"type": "array", "items": _ref("Ticket")},
                            },
                        },
                    )
                },
                {},
                roles=staff,
            ),
        },
        "/api/tickets/{token}": {
            "get": _operation(
                "ticket_status",
                "The visitor's phone: a ticket's public status",
                "tickets",
                {"200": _ok("The ticket's public status.", _ticket_view())},
                {"404": "ticket_not_found."},
                params=[_path_param("token", {"type": "string", "minLength": 1}, "The ticket's token (its QR code).")],
            )
        },
        "/api/tickets/{ref}/cancel": {
            "post": _operation(
                "cancel_ticket",
                "Cancel a waiting or called ticket",
                "tickets",
                {"200": _ok("The cancelled ticket, with its `cancel_reason` (null: none given).", TICKET_RESPONSE)},
                {
                    "400": None,
                    "404": "ticket_not_found.",
                    "409": "Not waiting or called.",
                    "413": None,
                    "422": "cancel_reason_invalid: `reason` is not text, longer than 200 characters, or holds control "
                    "characters; `fields.reason` says which, and nothing is cancelled.",
                    "503": None,
                },
                roles=("frontoffice",),
                write=True,
                command=True,
                params=[REF_TODAY],
                body=_body(
                    {
                        "reason": {
                            "type": "string",
                            "maxLength": 200,
                            "description": "Optional: why the number is cancelled, one line (trimmed, whitespace runs "
                            "one space). Kept in the `cancelled` event's data and said to the staff alone: the front "
                            "office's list (`cancel_reason`), the guest book and the recap.",
                            "examples": ["Nomor ganda"],
                        }
                    }
                ),
            )
        },
        "/api/tickets/{ref}/reprint": {
            "post": _operation(
                "reprint_ticket",
                "Print a ticket again on the kiosk printer",
                "tickets",
                {
                    "202": _ok(
                        "The print job is queued; or, with `again`, the ticket's slip that still waits for "
                        "the printer is tried again at once (no second slip).",
                        {
                            "type": "object",
                            "required": ["print_job", "ticket"],
                            "properties": {
                                "print_job": {"type": "integer"},
                                "again": {"type": "boolean", "const": True},
                                "ticket": _ref("PublicTicket"),
                            },
                        },
                    )
                },
                {
                    "400": None,
                    "404": "ticket_not_found.",
                    "409": "no_printer: [kiosk] printer is not set; reprint_not_in_line: the ticket is no longer "
                    "waiting or called (cancelled, expired, being served or finished: its number is not called "
                    "again); not_today: a past day's ticket.",
                    "413": None,
                    "503": None,
                },
                roles=("frontoffice",),
                write=True,
                command=True,
                params=[REF_TODAY],
                body=_body({}),
            )
        },
        "/api/tickets/{ref}/print-form": {
            "post": _operation(
                "print_form",
                "Print the visitor's copy of the completed form on a counter's printer",
                "tickets",
                {
                    "202": _ok(
                        "The print job is queued; `again`: the ticket's copy still waiting for the printer, tried"
                        " again at once (no second copy).",
                        {
                            "type": "object",
                            "required": ["print_job"],
                            "properties": {
                                "print_job": {"type": "integer"},
                                "again": {"type": "boolean", "const": True},
                            },
                        },
                    )
                },
                {
                    "400": None,
                    "403": "forbidden: the account's role is not admin or officer; csrf: the X-CSRFToken header is "
                    "missing or wrong; counter_bound: the officer is bound to another counter.",
                    "404": "ticket_not_found or counter_not_found.",
                    "409": "no_printer (the counter has none), or the ticket is not resolved, escalated or closed; "
                    "counter_taken: another officer holds the counter.",
                    "413": None,
                    "422": "counter_id is missing or not an integer.",
                    "503": None,
                },
                roles=("officer",),
                write=True,
                command=True,
                params=[REF_ANY_DAY],
                body=_body(
                    {"counter_id": {"type": "integer", "description": "The counter whose printer prints it."}},
                    ("counter_id",),
                ),
            )
        },
        "/api/tickets/{ref}/lkpp-ticket": {
            "post": _operation(
                "lkpp_ticket",
                "Record the LKPP helpdesk's ticket number on an escalated case",
                "tickets",
                {"200": _ok("The ticket.", TICKET_RESPONSE)},
                {
                    "400": None,
                    "404": "ticket_not_found.",
                    "409": "invalid_transition: the ticket is not escalated; case_closed: it was closed (the "
                    "message says by whom, when, with which LKPP number); lkpp_ticket_conflict: the case has "
                    "another number, recorded meanwhile (the message says who recorded which), and lkpp_ticket_base "
                    "is not that number: nothing saved.",
                    "413": None,
                    "422": "lkpp_ticket is empty or too long, or lkpp_ticket_base is not text of up to 100 characters.",
                    "503": None,
                },
                roles=("officer",),
                write=True,
                command=True,
                params=[REF_ANY_DAY],
                body=_body(
                    {
                        "lkpp_ticket": _text(
                            LKPP_TICKET_MAX, "The helpdesk's number; trimmed.", example="TTS-2026-0042"
                        ),
                        "lkpp_ticket_base": LKPP_TICKET_BASE,
                    },
                    ("lkpp_ticket",),
                ),
            )
        },
        "/api/tickets/{ref}/correct": {
            "post": _operation(
                "correct_ticket",
                "Correct a finished record (a new version; the old values stay in the event log)",
                "tickets",
                {
                    "200": _ok(
                        "The new version and, per field, the old and new value.",
                        {
                            "type": "object",
                            "required": ["ticket", "changes"],
                            "properties": {
                                "seq": SEQ,
                                "ticket": _ref("Ticket"),
                                "changes": {
                                    "type": "object",
                                    "additionalProperties": {
                                        "type": "object",
                                        "required": ["old", "new"],
                                        "properties": {"old": {"type": "string"}, "new": {"type": "string"}},
                                    },
                                },
                            },
                        },
                    )
                },
                {
                    "400": None,
                    "404": "ticket_not_found.",
                    "409": "The ticket is not resolved, escalated or closed; correction_conflict: a field of `base` "
                    "was corrected meanwhile (the message says who, when and which), nothing saved.",
                    "413": None,
                    "422": "Nothing changed, or a value (or `base`) is bad.",
                    "503": None,
                },
                roles=("officer",),
                write=True,
                command=True,
                params=[REF_ANY_DAY],
                body=_body(
                    {
                        **{
                            k: _text(LIMITS.get(k, 4000), "Trimmed.", min_length=0)
                            for k in CORRECTABLE
                            if k not in ("category", "priority_class")
                        },
                        "category": CATEGORY_IN,
                        "priority_class": PRIORITY_CLASS_IN,
                        "base": {
                            "type": "object",
                            "description": "The record as the page showed it when the officer typed: a field "
                            "corrected since refuses the correction (409 correction_conflict). Absent: saved as it comes.",
                            "additionalProperties": False,
                            "properties": {k: {"type": "string", "maxLength": 4000} for k in CORRECTABLE},
                        },
                    },
                    minProperties=1,
                ),
            )
        },
        "/api/tickets/{ref}/form": {
            "post": _operation(
                "correct_ticket_form",
                "Correct today's visitor's form (name, agency, address, phone, problem), sent whole",
                "tickets",
                {
                    "200": _ok(
                        "The ticket with its form as it is now, and the fields that changed ([] when none: "
                        "nothing written); a `form_corrected` event names them (not their values) and who "
                        "changed them (`actor`, `data.role`). A changed service or priority is a "
                        "`queue_corrected` event (it is not in `changed`).",
                        {
                            "type": "object",
                            "required": ["ticket", "changed"],
                            "properties": {
                                "seq": SEQ,
                                "ticket": _ref("Ticket"),
                                "changed": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                    )
                },
                {
                    "400": None,
                    "404": "ticket_not_found.",
                    "409": "invalid_transition: the ticket was cancelled; queue_fields_locked: a new service "
                    "or priority for a ticket already called; not_today: for a past day's ticket; "
                    "service_not_served: no counter serves the new service.",
                    "413": None,
                    "422": "form_incomplete: `fields` names each missing or bad field.",
                    "503": None,
                },
                roles=("frontoffice", "officer"),
                write=True,
                command=True,
                params=[REF_TODAY],
                body=_body(
                    {
                        **{
                            k: _text(LIMITS[k], "Trimmed, runs of white space made one; no control characters.")
                            for k in ("name", "agency", "address")
                        },
                        "phone": _text(PHONE_RAW_MAX, "An Indonesian number, as when the number was taken."),
                        "problem": _text(LIMITS["problem"], "Trimmed; may have line breaks and tabs."),
                        "service": {
                            "type": ["string", "null"],
                            "description": "Optional: the ticket's service, changed while it waits and was never "
                            "called; it keeps its place (its day's order of arrival) and its label.",
                        },
                        "priority": {
                            "type": ["boolean", "null"],
                            "description": "Optional: the priority flag, changed while the ticket waits and was "
                            "never called (its lane changes with it).",
                        },
                    },
                    ("name", "agency", "address", "phone", "problem"),
                ),
            )
        },
        "/api/tickets/{ref}/history": {
            "get": _operation(
                "ticket_history",
                "A ticket's whole life, oldest first, with every correction",
                "tickets",
                {
                    "200": _ok(
                        "The ticket's events, and its record as it is now (what a correction starts from).",
                        {
                            "type": "object",
                            "required": ["events", "record"],
                            "properties": {
                                "events": {"type": "array", "items": _ref("Event")},
                                "record": {
                                    "type": "object",
                                    "required": [
                                        "id",
                                        "label",
                                        "day",
                                        "status",
                                        "solution",
                                        "escalation_note",
                                        "category",
                                        "priority_class",
                                    ],
                                    "properties": {
                                        "id": {"type": "integer"},
                                        "label": {"type": "string"},
                                        "day": {"type": "string", "format": "date"},
                                        "status": {"type": "string"},
                                        "solution": {"type": "string"},
                                        "escalation_note": {"type": "string"},
                                        "category": {"type": "string"},
                                        "priority_class": {"type": "string"},
                                    },
                                },
                            },
                        },
                    )
                },
                {"404": "ticket_not_found."},
                roles=staff,
                params=[REF_ANY_DAY],
            )
        },
        "/api/tickets/{ref}/earlier": {
            "get": _operation(
                "ticket_earlier",
                "The ticket's visitor's earlier visits: the counter page's Kunjungan sebelumnya",
                "tickets",
                {"200": _ok("The newest of the visitor's earlier tickets, newest first.", EARLIER_RESPONSE)},
                {"404": "ticket_not_found."},
                roles=staff,
                params=[REF_ANY_DAY],
                description="The tickets taken before this one (earlier today too; never this one or a later one) on "
                "the office's last 365 local days whose form is the same visitor's as server/forms.py same_visitor "
                "takes it: the same phone (stored normalised), or the same name at the same agency (case, spaces, "
                "dots and commas aside). The newest five; `more` when there were more. A form that retention "
                "anonymised is nobody's. Read from two indexes (m028), a few rows each, once per ticket a counter "
                "page shows, never per live event.",
            )
        },
        "/api/tickets/{ref}/close": {
            "post": _operation(
                "close_ticket",
                "The LKPP helpdesk answered: close the escalated case",
                "tickets",
                {"200": _ok("The closed ticket.", TICKET_RESPONSE)},
                {
                    "400": None,
                    "404": "ticket_not_found.",
                    "409": "invalid_transition: the ticket is not escalated; case_closed: it was closed already "
                    "(the message says by whom, when, with which LKPP number); lkpp_ticket_conflict: lkpp_ticket "
                    "would replace another number recorded meanwhile (as for lkpp-ticket): the case stays open.",
                    "413": None,
                    "422": "answer is empty or too long, or lkpp_ticket is not text or too long, or lkpp_ticket_base "
                    "is not text of up to 100 characters.",
                    "503": None,
                },
                roles=("officer",),
                write=True,
                command=True,
                params=[REF_ANY_DAY],
                body=_body(
                    {
                        "answer": _text(
                            ANSWER_MAX, "The LKPP helpdesk's answer; trimmed.", example="Kunci paket dibuat ulang"
                        ),
                        "lkpp_ticket": {
                            "type": ["string", "null"],
                            "maxLength": LKPP_TICKET_MAX,
                            "description": "Its TTS number, if not recorded before; trimmed.",
                        },
                        "lkpp_ticket_base": LKPP_TICKET_BASE,
                    },
                    ("answer",),
                ),
            )
        },
        "/api/tickets/{ref}/reopen": {
            "post": _operation(
                "reopen_ticket",
                "Undo a close made by mistake: the case is escalated again",
                "tickets",
                {"200": _ok("The reopened ticket (status escalated, lkpp_answer empty).", TICKET_RESPONSE)},
                {
                    "400": None,
                    "404": "ticket_not_found.",
                    "409": "case_not_closed: the ticket is not a closed case (still open: reopened by a colleague "
                    "meanwhile, or never closed; the message names its status).",
                    "413": None,
                    "503": None,
                },
                roles=("officer", "frontoffice"),
                write=True,
                command=True,
                params=[REF_ANY_DAY],
                body=_body({}),
                description="LKPP's answer recorded on the wrong card, or with the wrong LKPP number: the case is "
                "`escalated` again, back on the Eskalasi page with its LKPP number, the visitor's phone page says it "
                "is with LKPP again, and the recap and the dashboard count it as not answered. The answer is cleared "
                "from the record and kept in the `reopened` event (`data.changes.lkpp_answer` old and new, "
                "`data.closed_at`, `data.closed_by`; `actor`, `data.actor_name`, `data.role` who reopened it). The "
                "escalation mail is as before the close, never sent again: one the close withdrew while still "
                "queued or retried (never sent) is tried again (`data.mail_restored`), unless the LKPP number is "
                "recorded; a mail sent, failed or withdrawn before stays so.",
            )
        },
        "/api/state": {
            "get": _operation(
                "state",
                "The public state: no names, phones, addresses or problems",
                "state",
                {"200": _ok("The state, current to `seq`.", _ref("State"))},
                {},
            )
        },
        "/api/announcement": {
            "get": _operation(
                "get_announcement",
                "The office's announcement as the TVs and the kiosk show it now",
                "state",
                {
                    "200": _ok(
                        "The announcement, null when none is shown.",
                        {
                            "type": "object",
                            "required": ["announcement"],
                            "properties": {"announcement": ANNOUNCEMENT_SHOWN},
                        },
                    )
                },
                {},
            ),
            "put": _operation(
                "set_announcement",
                "Set the office's announcement, live on every TV and kiosk",
                "state",
                {
                    "200": _ok(
                        "The announcement now (null: blank, none shown).",
                        {
                            "type": "object",
                            "required": ["announcement"],
                            "properties": {"announcement": ANNOUNCEMENT_SHOWN},
                        },
                    )
                },
                {
                    "400": BAD_JSON,
                    "403": "forbidden: not staff of the front office or admin, or `keep` true from the front office "
                    "(an announcement kept until removed is the admin's).",
                    "413": None,
                    "422": "form_incomplete: no `text`, or `keep` not true or false; config_invalid: a text longer "
                    "than 300 characters, not a string, or holding a control character (a line break, a tab), "
                    "`fields` naming announcement.text or announcement.text_en and the problem in words, in both "
                    "languages; nothing is saved.",
                    "503": None,
                },
                roles=("frontoffice",),
                write=True,
                body=_body(
                    {
                        "text": {**ONE_LINE, "maxLength": 300, "description": 'Indonesian; "" (both blank): none.'},
                        "text_en": {**ONE_LINE, "maxLength": 300, "description": 'Optional English; "": none.'},
                        "keep": {
                            "type": "boolean",
                            "description": "Admin only: true keeps it until removed; absent or false, it ends at the "
                            "office's midnight by itself.",
                        },
                    },
                    ("text",),
                    command=False,
                ),
                description="The settings section `announcement` (stored as the admin page's settings, logged as "
                "a settings_changed event with data.section `announcement`): every TV and kiosk takes a fresh "
                "snapshot and shows it without a reload; the snapshot's `announcement` carries it to one opened "
                "later. A whole replacement: a text left out is blank.",
            ),
        },
        "/api/staff/state": {
            "get": _operation(
                "staff_state",
                "The public state plus each counter's officer and full ticket, and today's open tickets",
                "state",
                {"200": _ok("The staff state.", _ref("StaffState"))},
                {},
                roles=staff,
            )
        },
        "/api/tts/{key}.ogg": {
            "get": _operation(
                "tts_audio",
                "The spoken announcement of a call",
                "state",
                {
                    "200": _ok(
                        "Ogg Vorbis made by espeak-ng and sox.", {"type": "string", "format": "binary"}, "audio/ogg"
                    )
                },
                {"404": "not_found: unknown, or the speech failed."},
                params=[
                    _path_param(
                        "key",
                        {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                        "From the `announce.audio` of a called or recalled event.",
                    )
                ],
            )
        },
        "/api/tts/{key}.wav": {
            "get": _operation(
                "tts_audio_wav",
                "The spoken announcement of a call, as WAV",
                "state",
                {"200": _ok("A WAV made by espeak-ng.", {"type": "string", "format": "binary"}, "audio/wav")},
                {
                    "404": "not_found: unknown, or the speech failed; or a server whose displays get Ogg Vorbis "
                    "has no WAV of it (only speech cached before that is kept as WAV)."
                },
                params=[
                    _path_param(
                        "key",
                        {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                        "From the `announce.audio` of a called or recalled event.",
                    )
                ],
            )
        },
        "/api/tts/chime.wav": {
            "get": _operation(
                "tts_chime",
                "The office's own chime ([tts] chime)",
                "state",
                {"200": _ok("The WAV file [tts] chime names.", {"type": "string", "format": "binary"}, "audio/wav")},
                {"404": "not_found: no [tts] chime is set (the display page then plays its built-in chime)."},
            )
        },
        "/api/login": {
            "post": _operation(
                "login",
                "Log in: a session cookie and the CSRF token later writes send as X-CSRFToken",
                "login",
                {"200": _ok("Logged in.", _ref("Login"))},
                {
                    "400": BAD_JSON,
                    "401": "login_failed: wrong name or password (or a disabled account).",
                    "413": None,
                    "422": "form_incomplete: username or password missing.",
                    "429": "login_throttled: 10 failed logins at this username from this address, or 30 at any "
                    "from this address, within 5 minutes (a success clears its username's count, not the "
                    "address's); login_strangers: 30 failed logins at this username within 5 minutes from all the "
                    "devices without a device cookie for the account together, answered unchecked to every such "
                    "device (the device is not held back); login_busy: 8 password checks of devices without a "
                    "device cookie for the account already wait, answered at once and counted nowhere.",
                },
                body=_body(
                    {
                        "username": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": LIMITS.get("username", 1000),
                            "description": "Trimmed, any case.",
                            "examples": ["budi"],
                        },
                        "password": {"type": "string", "minLength": 1},
                    },
                    ("username", "password"),
                    command=False,
                ),
                description="A success also sets the device cookie antrian_device (signed, HttpOnly, "
                "SameSite=Strict, Path=/api/login, 365 days; the accounts that logged in on this browser, no "
                "secret): a later login of one of them from this browser is checked ahead of other devices'.",
            )
        },
        "/api/logout": {
            "post": _operation(
                "logout",
                "End this account's sessions and free the counters it held",
                "login",
                {
                    "200": _ok(
                        "Logged out.", {"type": "object", "required": ["ok"], "properties": {"ok": {"const": True}}}
                    )
                },
                {"503": None},
                roles=ROLES,
                write=True,
                description="A ticket one of those counters is calling waits again at its place with calls 0, as "
                "when the front office frees the counter (counter_released with returned); a ticket being served "
                "stays at its counter.",
            )
        },
        "/api/me": {
            "get": _operation(
                "me",
                "The current session's account, with a CSRF token",
                "login",
                {"200": _ok("Logged in.", _ref("Login"))},
                {
                    "401": "login_required: nobody is logged in; a signed session cookie whose session ended adds "
                    "`ended`, why (the counter page's login says it)."
                },
                roles=ROLES,
            )
        },
        "/api/me/password": {
            "post": _operation(
                "change_own_password",
                "Change the logged-in account's own password (its other sessions end, this one goes on)",
                "login",
                {"200": _ok("Changed: the account, and the session's CSRF token (the same as before).", _ref("Login"))},
                {
                    "400": BAD_JSON,
                    "413": None,
                    "422": "form_incomplete: current or new missing or not text, a new one not 8-200 characters "
                    "(password_length) or the same as the current one (password_same); current_password_wrong: "
                    "the current password is wrong (fields.current), counted as a failed login.",
                    "429": "login_throttled: 10 failed logins or wrong current passwords at this account's username "
                    "from this address (or 30 at any), or 10 wrong current passwords of this account from any "
                    "address, within 5 minutes; nothing is checked or counted until then. login_busy: the "
                    "session's checks no longer go first (5 wrong in 5 minutes, or one under way) and 8 others wait.",
                    "503": None,
                },
                roles=ROLES,
                write=True,
                body=_body(
                    {
                        "current": {"type": "string", "minLength": 1, "examples": ["rahasia-123"]},
                        "new": _text(PASSWORD_MAX, min_length=PASSWORD_MIN, example="sandi-baru-123"),
                    },
                    ("current", "new"),
                    command=False,
                ),
                description="The current password is checked as a login checks it (scrypt, one at a time per "
                "address, under the login's throttle). On success the account's session_version goes up: every "
                "other session of the account ends and its staff sockets are closed (this session's pages connect "
                "again), this session's cookie is renewed (its working day is not extended), and `user_changed` "
                '{username, change: "password"} is logged with the account as actor.',
            )
        },
        "/api/escalations": {
            "get": _operation(
                "escalations",
                "Open escalations to the LKPP helpdesk, oldest first",
                "reports",
                {
                    "200": _ok(
                        "Open escalations, and the cases closed in the last `closed_days` days (newest first, at "
                        "most 30): one closed by mistake is reopened from the Eskalasi page (POST "
                        "/api/tickets/{ref}/reopen).",
                        {
                            "type": "object",
                            "required": ["escalations", "closed", "closed_days"],
                            "properties": {
                                "escalations": {"type": "array", "items": _ref("Escalation")},
                                "closed": {"type": "array", "items": CLOSED_ESCALATION},
                                "closed_days": {"type": "integer", "minimum": 1},
                            },
                        },
                    )
                },
                {},
                roles=staff,
            )
        },
        "/api/escalations/{ref}/resend": {
            "post": _operation(
                "resend_escalation_mail",
                "Kirim ulang: queue a failed escalation e-mail again now",
                "tickets",
                {
                    "202": _ok(
                        "The mail is queued again (its attempts kept, its error cleared) and the mail worker woken; "
                        "a `mail_requeued` event tells the staff pages, then `mail_sent` or `mail_failed` the try.",
                        {
                            "type": "object",
                            "required": ["mail", "label", "seq"],
                            "properties": {
                                "mail": {
                                    "type": "object",
                                    "required": ["id", "status", "attempts"],
                                    "properties": {
                                        "id": {"type": "integer"},
                                        "status": {"type": "string", "const": "queued"},
                                        "attempts": {"type": "integer", "minimum": 0},
                                    },
                                },
                                "label": {"type": "string"},
                                "seq": {"type": "integer"},
                            },
                        },
                    )
                },
                {
                    "400": None,
                    "404": "ticket_not_found.",
                    "409": "mail_sent_already: the mail was sent; mail_pending: it is queued or being retried; "
                    "mail_case_closed: the case is closed; mail_forwarded: its LKPP ticket number is recorded (LKPP "
                    "has the case); no_mail: escalated while e-mail was off; mail_off: [escalation] enabled = false; "
                    "mail_just_tried: a Kirim ulang of it less than 30 s ago; "
                    "invalid_transition: the ticket is not escalated.",
                    "413": None,
                    "503": None,
                },
                roles=("officer", "frontoffice"),
                write=True,
                command=True,
                params=[REF_ANY_DAY],
                body=_body({}),
                description="Only a mail `failed` (given up after its tries, or refused for good by the mail server) "
                "of a case still open with no LKPP ticket number: after the mail server's side was mended (the "
                "office's address allowed on the relay, LKPP's mailbox made), without restarting the server.",
            )
        },
        "/api/escalations/{ref}/correction-sent": {
            "post": _operation(
                "escalation_correction_sent",
                "Koreksi sudah dikirim: a correction LKPP lacked was sent to it by hand",
                "tickets",
                {
                    "200": _ok(
                        "Recorded: a `correction_sent` event (staff only) keeps who said it, when, and the correction "
                        "it covers; `GET /api/escalations` then gives the mail's `correction_sent` in place of "
                        "`corrected_at`, until a later correction.",
                        {
                            "type": "object",
                            "required": ["label", "correction_sent", "seq"],
                            "properties": {
                                "label": {"type": "string"},
                                "correction_sent": {
                                    "type": "object",
                                    "required": ["at", "by", "corrected_at"],
                                    "properties": {
                                        "at": {"type": "string", "format": "date-time"},
                                        "by": {"type": "string"},
                                        "corrected_at": {"type": "string", "format": "date-time"},
                                    },
                                },
                                "seq": {"type": "integer"},
                            },
                        },
                    )
                },
                {
                    "400": None,
                    "404": "ticket_not_found.",
                    "409": "no_correction_pending: the case is not open, its mail was not sent, it was not corrected "
                    "after the mail went, or that correction is already recorded as sent.",
                    "413": None,
                    "503": None,
                },
                roles=("officer", "frontoffice"),
                write=True,
                command=True,
                params=[REF_ANY_DAY],
                body=_body({}),
                description="A case corrected after its escalation mail went (`mail.corrected_at`): LKPP has the text "
                "from before the correction. The office sends the correction through the TTS or a mail written by "
                "hand, and says so here: the Eskalasi page's amber line goes, naming who said it and when.",
            )
        },
        "/api/print-jobs": {
            "get": _operation(
                "print_jobs",
                "Recent print jobs, newest first",
                "reports",
                {
                    "200": _ok(
                        "Print jobs.",
                        {
                            "type": "object",
                            "required": ["jobs"],
                            "properties": {"jobs": {"type": "array", "items": _ref("PrintJob")}},
                        },
                    )
                },
                {},
                roles=staff,
            )
        },
        "/api/recap": {
            "get": _operation(
                "recap",
                "The Rekap Penanganan Permasalahan of a range of days",
                "reports",
                {
                    "200": {
                        "description": "One row per resolved, escalated or closed consultation. CSV: UTF-8 with a BOM; "
                        "XLSX: sheet Rekap.",
                        "content": _files(_ref("Recap")),
                    }
                },
                {"422": "form_incomplete: `fields` names a missing or bad from/to, filter or format. " + RANGE_WORDS},
                roles=staff,
                params=[
                    *RANGE_PARAMS,
                    _query(
                        "format",
                        {"type": "string", "enum": list(RECAP_FORMATS), "default": "json"},
                        "The answer's format.",
                    ),
                    _query("service", {"type": "string"}, "Only this service's code."),
                    _query(
                        "officer",
                        {"type": "string", "maxLength": 100},
                        "Only the consultations this officer served: the username, the account's full name or the"
                        " name a form was signed with, any case.",
                    ),
                    _query("category", {"type": "string", "enum": list(CATEGORIES)}, "Only this category."),
                    _query("outcome", {"type": "string", "enum": list(OUTCOMES)}, "Only this outcome."),
                ],
            )
        },
        "/api/guestbook": {
            "get": _operation(
                "guestbook",
                "The guest book (buku tamu) of a range of days: every visitor who took a number",
                "reports",
                {
                    "200": {
                        "description": "One row per ticket issued on the days, whatever became of it, in the order "
                        "taken. CSV: UTF-8 with a BOM; XLSX: sheet Buku Tamu. Content-Disposition names the file "
                        "bukutamu-FROM-TO.xlsx (or .csv).",
                        "content": _files(_ref("Guestbook")),
                    }
                },
                {"422": "form_incomplete: `fields` names a missing or bad from/to or format. " + RANGE_WORDS},
                roles=staff,
                params=[
                    *RANGE_PARAMS,
                    _query(
                        "format",
                        {"type": "string", "enum": list(RECAP_FORMATS), "default": "json"},
                        "The answer's format.",
                    ),
                ],
            )
        },
        "/api/figures": {
            "get": _operation(
                "figures",
                "Service times against the SOP's standard times, per group",
                "reports",
                {
                    "200": {
                        "description": "The figures. XLSX (sheet Waktu Layanan) and CSV (UTF-8 with a BOM): one table "
                        "of the same numbers, a row per group and measure, then the total's; durations in minutes. "
                        "Content-Disposition names the file waktu-layanan-FROM-TO-GROUP.xlsx (or .csv).",
                        "content": _files(_ref("Figures")),
                    }
                },
                {"422": "form_incomplete: `fields` names a missing or bad from/to, group or format. " + RANGE_WORDS},
                roles=staff,
                params=[
                    *RANGE_PARAMS,
                    _query(
                        "group", {"type": "string", "enum": list(GROUPS), "default": "day"}, "How to group the tickets."
                    ),
                    _query(
                        "format",
                        {"type": "string", "enum": list(FIGURE_FORMATS), "default": "json"},
                        "The answer's format.",
                    ),
                ],
            )
        },
        "/api/admin/settings": {
            "get": _operation(
                "get_settings",
                "The editable settings",
                "admin",
                {"200": _ok("The settings.", _ref("Settings"))},
                {},
                roles=("admin",),
            )
        },
        "/api/admin/users": {
            "get": _operation(
                "list_users",
                "Every account (no password hashes)",
                "admin",
                {
                    "200": _ok(
                        "The accounts.",
                        {
                            "type": "object",
                            "required": ["users"],
                            "properties": {"users": {"type": "array", "items": _ref("Account")}},
                        },
                    )
                },
                {},
                roles=("admin",),
            ),
            "post": _operation(
                "add_user",
                "Add an account",
                "admin",
                {
                    "201": _ok(
                        "The new account.",
                        {"type": "object", "required": ["user"], "properties": {"user": _ref("Account")}},
                    )
                },
                {
                    "400": BAD_JSON,
                    "409": "user_exists: the name is taken (`fields.username` says so too).",
                    "413": None,
                    "422": "form_incomplete: a bad username, password, role, counter_id, full_name or nip"
                    " (nip_invalid); each field's text says what it accepts (the username's characters and"
                    " 2-32 length, the password's 8-200 characters, the roles, the counters there are).",
                    "503": None,
                },
                roles=("admin",),
                write=True,
                body=_body(
                    {
                        "username": {
                            "type": "string",
                            "pattern": USERNAME.pattern,
                            "description": "2-32 of a-z 0-9 . _ - (trimmed and lower-cased first).",
                            "examples": ["siti"],
                        },
                        "password": _text(PASSWORD_MAX, min_length=PASSWORD_MIN, example="rahasia-123"),
                        "role": {"type": "string", "enum": list(ROLES)},
                        "counter_id": {"type": ["integer", "null"], "description": "Bind an officer to one counter."},
                        "full_name": FULL_NAME,
                        "nip": NIP,
                    },
                    ("username", "password", "role"),
                    command=False,
                ),
            ),
        },
        "/api/admin/users/{username}/password": {
            "post": _operation(
                "set_password",
                "Set a new password (the account's sessions end)",
                "admin",
                {
                    "200": _ok(
                        "The account.",
                        {"type": "object", "required": ["user"], "properties": {"user": _ref("Account")}},
                    )
                },
                {
                    "400": BAD_JSON,
                    "404": "not_found: no such account.",
                    "413": None,
                    "422": "form_incomplete: a bad password (`fields.password`: 8-200 characters).",
                    "503": None,
                },
                roles=("admin",),
                write=True,
                params=[USERNAME_PARAM],
                body=_body(
                    {"password": _text(PASSWORD_MAX, min_length=PASSWORD_MIN, example="rahasia-123")},
                    ("password",),
                    command=False,
                ),
            )
        },
        "/api/admin/users/{username}/profile": {
            "post": _operation(
                "set_profile",
                "Set an account's full name and NIP (the A4 form's signature; the sessions go on)",
                "admin",
                {
                    "200": _ok(
                        "The account.",
                        {"type": "object", "required": ["user"], "properties": {"user": _ref("Account")}},
                    )
                },
                {
                    "400": BAD_JSON,
                    "404": "not_found: no such account.",
                    "413": None,
                    "422": "form_incomplete: neither key given, a full_name too long or not text, a bad nip"
                    " (nip_invalid).",
                    "503": None,
                },
                roles=("admin",),
                write=True,
                params=[USERNAME_PARAM],
                body=_body({"full_name": FULL_NAME, "nip": NIP}, command=False),
            )
        },
        "/api/admin/users/{username}/active": {
            "post": _operation(
                "set_active",
                "Disable or enable an account (a disabled account's sessions stop at once)",
                "admin",
                {
                    "200": _ok(
                        "The account.",
                        {"type": "object", "required": ["user"], "properties": {"user": _ref("Account")}},
                    )
                },
                {
                    "400": BAD_JSON,
                    "404": "not_found: no such account.",
                    "409": "self_disable: an admin cannot disable itself.",
                    "413": None,
                    "422": "form_incomplete: active is not true or false.",
                    "503": None,
                },
                roles=("admin",),
                write=True,
                params=[USERNAME_PARAM],
                body=_body({"active": {"type": "boolean"}}, ("active",), command=False),
            )
        },
        "/api/openapi.json": {
            "get": _operation(
                "openapi",
                "This document",
                "meta",
                {"200": _ok("The OpenAPI 3.1 description of this API.", {"type": "object"})},
                {},
            )
        },
        "/healthz": {
            "get": _operation(
                "healthz",
                "Liveness, and the last committed change",
                "meta",
                {
                    "200": _ok(
                        "Up.",
                        {
                            "type": "object",
                            "required": ["ok", "seq"],
                            "properties": {"ok": {"const": True}, "seq": {"type": "integer"}},
                        },
                    )
                },
                {},
            )
        },
    }
    for action in (*COUNTER_ACTIONS, "release"):
        paths[f"/api/counters/{{counter_id}}/{action}"] = _counter_action(action)
    paths["/api/counters/{counter_id}/last-finished"] = {
        "get": _operation(
            "counter_last_finished",
            "The ticket last finished at the counter today (its form copy)",
            "counters",
            {
                "200": _ok(
                    "The ticket whose last `resolved` or `escalated` event today was at this counter, still served "
                    "(null: none): what a counter page opened after the finish offers on Cetak salinan formulir.",
                    {
                        "type": "object",
                        "required": ["ticket"],
                        "properties": {
                            "ticket": {
                                "oneOf": [
                                    {
                                        "type": "object",
                                        "required": ["seq", "id", "label", "token", "day"],
                                        "properties": {
                                            "seq": {"type": "integer", "description": "The finishing event's seq."},
                                            "id": {"type": "integer"},
                                            "label": {"type": "string", "examples": ["A-005"]},
                                            "token": {"type": "string"},
                                            "day": {"type": "string", "format": "date"},
                                        },
                                    },
                                    {"type": "null"},
                                ]
                            }
                        },
                    },
                )
            },
            {
                "403": "forbidden: not an officer or admin; counter_bound: the officer is bound to another counter.",
                "404": "counter_not_found: no such counter.",
                "409": "counter_taken: another officer holds the counter.",
            },
            roles=("officer",),
            params=[COUNTER_ID],
        )
    }
    paths["/api/counters/{counter_id}/draft"] = _counter_draft()
    for section in EDITABLE:
        paths[f"/api/admin/settings/{section}"] = _settings_section(section)
    paths.update(_survey_paths())
    paths.update(_voice_paths())

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Antrian API",
            "version": "1",
            "summary": "Queue calling for an LPSE helpdesk: kiosk, displays, counters, recap, administration.",
            "description": "JSON in and out (UTF-8); times are ISO 8601 in UTC; days are the office's local days. "
            "Prose, examples and the Socket.IO events: docs/api.md. Every command (a POST that changes "
            "something) may carry `request_id` in its body or the X-Request-ID header: a repeat returns "
            "the first answer and changes nothing.",
        },
        "tags": [{"name": t} for t in ("tickets", "counters", "state", "login", "reports", "survey", "admin", "meta")],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "session",
                    "description": "The signed session cookie POST /api/login sets (HttpOnly, SameSite=Lax).",
                },
                "csrf": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-CSRFToken",
                    "description": "The csrf_token of POST /api/login or GET /api/me; every write sends it.",
                },
            },
            "parameters": {
                "lang": _query("lang", {"type": "string", "enum": ["id", "en"]}, "The language of error messages."),
                "XLang": {
                    "name": "X-Lang",
                    "in": "header",
                    "required": False,
                    "description": "The language of error messages (as ?lang).",
                    "schema": {"type": "string", "enum": ["id", "en"]},
                },
                "XRequestID": {
                    "name": "X-Request-ID",
                    "in": "header",
                    "required": False,
                    "description": "The idempotency key, when the body has no request_id.",
                    "schema": _ref("RequestId"),
                },
            },
            "schemas": {
                "Error": ERROR_SCHEMA,
                "RequestId": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": REQUEST_ID_MAX,
                    "description": "Idempotency key: a repeat returns the first answer and changes nothing.",
                },
                "PublicTicket": PUBLIC_TICKET,
                "TicketView": TICKET_VIEW,
                "Form": FORM,
                "Ticket": TICKET,
                "State": STATE,
                "StaffState": STAFF_STATE,
                "User": USER,
                "Login": {
                    "type": "object",
                    "required": ["user", "csrf_token"],
                    "properties": {"user": _ref("User"), "csrf_token": {"type": "string"}},
                },
                "Account": ACCOUNT,
                "Event": EVENT,
                "Escalation": ESCALATION,
                "PrintJob": PRINT_JOB,
                "Recap": RECAP,
                "Guestbook": GUESTBOOK,
                "Figures": FIGURES,
                "Settings": SETTINGS,
                **SURVEY_SCHEMAS,
            },
        },
    }


def _ticket_view() -> dict[str, Any]:
    return {"type": "object", "required": ["ticket"], "properties": {"ticket": _ref("TicketView")}}


# -- the satisfaction survey (SKM) and complaints (server/survey_api.py, docs/api.md) ---------------------


def _survey_schemas() -> dict[str, Any]:
    from server import skm
    from server.service.survey import ANSWER_MAX, CHOICE_MAX, CORRECTIONS_MAX, QUESTION_MAX, SUGGESTION_MAX

    words = _words()
    scores = {
        "type": "object",
        "properties": {code: {"type": "integer", "minimum": 1, "maximum": 4} for code in skm.ELEMENTS},
    }
    profile = {
        "type": "object",
        "properties": {
            "sex": {"type": ["string", "null"], "enum": [*skm.SEXES, "", None]},
            "age": {"type": ["integer", "null"], "minimum": skm.AGE_MIN, "maximum": skm.AGE_MAX},
            "education": {"type": ["string", "null"], "enum": [*skm.EDUCATIONS, "", None]},
            "occupation": {"type": ["string", "null"], "enum": [*skm.OCCUPATIONS, "", None]},
        },
    }
    nullable_number = {"type": ["number", "null"]}
    per_element = {"type": "object", "properties": {code: nullable_number for code in skm.ELEMENTS}}
    figures = {
        "respondents": {"type": "integer"},
        "population": {"type": "integer"},
        "min_sample": {"type": "integer"},
        "nrr": per_element,
        "nrr_weighted": per_element,
        "ikm_unit": nullable_number,
        "ikm": nullable_number,
        "mutu": {"type": ["string", "null"], "enum": ["A", "B", "C", "D", None]},
        "kinerja": {"type": ["string", "null"]},
        "elements": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "sum": {"type": "integer"}, "answers": {"type": "integer"}},
            },
        },
    }
    response = {
        "type": ["object", "null"],
        "description": "null until answered, and always by label and digits (the tablet). Once the survey is closed "
        "(`open` false) only id, suggestion, answer and answered_at: never the scores or the profile.",
        "properties": {
            "id": {"type": "integer"},
            "answers": scores,
            "profile": profile,
            "suggestion": {"type": "string"},
            "channel": {"type": "string", "enum": ["phone", "tablet"]},
            "created_at": DATETIME,
            "updated_at": DATETIME,
            "answer": {"type": ["string", "null"]},
            "answered_at": {"type": ["string", "null"]},
            "wording": {
                "type": ["integer", "null"],
                "description": "The questionnaire's wording the answers were given under (null: before wordings "
                "were kept, not recorded).",
            },
            "wording_changed": {
                "type": "array",
                "items": {"type": "string", "enum": list(skm.ELEMENTS)},
                "description": "The elements whose wording is not the one they were answered under any more: a "
                "correction asks them again.",
            },
        },
    }
    wording_texts = {
        "type": "array",
        "description": "The element's question and four choices as the period's answers were given under them: "
        "one entry per different text, `wordings` naming the wordings that had it ([]: no answers in the "
        "period, the wording now).",
        "items": {
            "type": "object",
            "required": ["wordings", "question", "choices"],
            "properties": {
                "wordings": {"type": "array", "items": {"type": "integer"}},
                "question": words,
                "choices": {"type": "array", "items": {"type": "object"}, "minItems": 4, "maxItems": 4},
            },
        },
    }
    wordings = {
        "type": "array",
        "description": "The wordings of the questionnaire the period's answers were given under, oldest first "
        "(id null: answers from before wordings were kept, not recorded).",
        "items": {
            "type": "object",
            "required": ["id", "set_at", "by", "model", "changed", "responses", "first_day", "last_day"],
            "properties": {
                "id": {"type": ["integer", "null"]},
                "set_at": {
                    "type": ["string", "null"],
                    "description": "When it came in use (null: from the start).",
                },
                "by": {"type": ["string", "null"], "description": "The admin who set it (null: none)."},
                "model": {
                    "type": ["boolean", "null"],
                    "description": "Only the model questionnaire's words (PermenPANRB 14/2017).",
                },
                "changed": {
                    "type": ["array", "null"],
                    "items": {"type": "string", "enum": list(skm.ELEMENTS)},
                    "description": "The elements whose wording differs from the one listed before it ([] for the "
                    "first; null next to one not recorded).",
                },
                "responses": {"type": "integer"},
                "first_day": DATE,
                "last_day": DATE,
            },
        },
    }
    return {
        "SurveyScores": scores,
        "SurveyProfile": profile,
        "Survey": {
            "type": "object",
            "required": ["ticket", "open", "reason", "answered", "response"],
            "properties": {
                "ticket": {
                    "type": "object",
                    "properties": {
                        k: {"type": "string"} for k in ("label", "service", "service_name", "status", "day")
                    },
                },
                "open": {"type": "boolean"},
                "reason": {"type": ["string", "null"], "enum": ["not_served", "day_over", None]},
                "answered": {"type": "boolean"},
                "corrections_left": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": CORRECTIONS_MAX,
                    "description": f"How many more corrections the response may have (at most {CORRECTIONS_MAX} per "
                    "ticket; one that changes nothing does not count).",
                },
                "response": response,
            },
        },
        "SurveyAnswer": {
            "type": "object",
            "required": ["survey"],
            "properties": {
                "survey": _ref("Survey"),
                "unchanged": {
                    "type": "boolean",
                    "const": True,
                    "description": "A correction by token that changed nothing (nothing written): the page says so. "
                    "Absent otherwise, and by label and phone digits.",
                },
            },
        },
        "Questionnaire": {
            "type": "object",
            "required": ["elements", "profile", "suggestion_max"],
            "properties": {
                "elements": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "code": {"type": "string", "enum": list(skm.ELEMENTS)},
                            "name": words,
                            "question": words,
                            "choices": {"type": "array", "items": {"type": "object"}, "minItems": 4, "maxItems": 4},
                        },
                    },
                },
                "profile": {"type": "object"},
                "suggestion_max": {"type": "integer", "const": SUGGESTION_MAX},
                "wording": {
                    "type": ["integer", "null"],
                    "description": "The id of this wording, to send back with the answers (null while it is not "
                    "kept yet).",
                },
            },
        },
        "SurveyTexts": {
            "type": "object",
            "required": ["elements"],
            "properties": {"elements": {"type": "array", "items": {"type": "object"}}},
        },
        "SurveyTextsChange": {
            "type": "object",
            "description": f"Per element: question {{id, en}} (at most {QUESTION_MAX} characters each) and four "
            f"choices {{id, en}} (at most {CHOICE_MAX}), choice 1 the worst and 4 the best, or null for the "
            "default wording.",
            "additionalProperties": {"type": ["object", "null"]},
        },
        "Skm": {
            "type": "object",
            "required": ["from", "to", "filters", "respondents", "population", "min_sample", "nrr", "ikm", "mutu"],
            "properties": {
                "from": DATE,
                "to": DATE,
                "filters": {"type": "object"},
                **figures,
                "elements": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "code": {"type": "string"},
                            "sum": {"type": "integer"},
                            "answers": {"type": "integer"},
                            "texts": wording_texts,
                        },
                    },
                },
                "wordings": wordings,
                "sample_enough": {"type": "boolean"},
                "element_names": {"type": "object"},
                "by_service": {"type": "array", "items": {"type": "object", "properties": figures}},
                "by_counter": {"type": "array", "items": {"type": "object", "properties": figures}},
                "profile": {"type": "object"},
                "suggestions": {"type": "array", "items": {"type": "object"}},
            },
        },
        "Complaint": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "day": DATE,
                "label": {"type": ["string", "null"]},
                "service": {"type": "string"},
                "service_name": {"type": "string"},
                "counter_id": {"type": ["integer", "null"]},
                "counter_name": {"type": "string"},
                "text": {"type": "string", "description": "The visitor's text now (earlier ones are in `history`)."},
                "created_at": DATETIME,
                "text_at": {**DATETIME, "description": "When the text now was written (the age counts from it)."},
                "age_s": {"type": "integer", "minimum": 0},
                "status": {"type": "string", "enum": ["open", "answered", "closed"]},
                "own": {
                    "type": "boolean",
                    "description": "About the service the one asking gave (they served its ticket): another "
                    "answers or closes it (403 complaint_own_service).",
                },
                "answer": {"type": ["string", "null"], "maxLength": ANSWER_MAX},
                "answered_by": {"type": ["string", "null"]},
                "answered_by_name": {
                    "type": ["string", "null"],
                    "description": "answered_by as a person reads it: the account's full name, else the login name.",
                },
                "answered_at": {"type": ["string", "null"]},
                "closed_by": {"type": ["string", "null"], "description": "Who closed it as needing no reply."},
                "closed_by_name": {"type": ["string", "null"], "description": "closed_by as a person reads it."},
                "closed_at": {"type": ["string", "null"]},
                "history": {
                    "type": "array",
                    "description": "What a later change replaced, oldest first: the visitor's earlier texts, earlier "
                    "answers, closes undone (`by`: who answered or closed; null for a visitor's text).",
                    "items": {
                        "type": "object",
                        "required": ["kind", "text", "by", "at", "replaced_at"],
                        "properties": {
                            "kind": {"type": "string", "enum": ["text", "answer", "closed"]},
                            "text": {"type": ["string", "null"]},
                            "by": {"type": ["string", "null"]},
                            "by_name": {"type": ["string", "null"], "description": "by as a person reads it."},
                            "at": DATETIME,
                            "replaced_at": DATETIME,
                        },
                    },
                },
            },
        },
    }


SURVEY_SCHEMAS = _survey_schemas()


def _survey_paths() -> dict[str, Any]:
    from server.service.survey import ANSWER_MAX, COMPLAINT_STATES, COMPLAINTS_LIMIT, CORRECTIONS_MAX, SUGGESTION_MAX

    staff = ("officer", "frontoffice")
    ticket_ref = {
        "token": {"type": "string", "minLength": 1, "maxLength": 64, "description": "The ticket's token."},
        "ticket": {"type": "string", "minLength": 1, "maxLength": 16, "description": "Today's label, e.g. A-012."},
        "phone_last4": {"type": "string", "pattern": "^[0-9]{4}$", "description": "The form's phone's last 4 digits."},
    }
    survey_body = _body(
        {
            **ticket_ref,
            "answers": _ref("SurveyScores"),
            "profile": _ref("SurveyProfile"),
            "suggestion": {
                "type": ["string", "null"],
                "maxLength": SUGGESTION_MAX,
                "description": "The suggestion or complaint. Absent, null or empty: none, and in a correction the "
                "text given before stays (a visitor's text is never taken away); a different text replaces it "
                "and opens the complaint again (the earlier text and its answer stay in its history).",
            },
            "channel": {"type": "string", "enum": ["phone", "tablet"]},
            "wording": {
                "type": ["integer", "null"],
                "minimum": 1,
                "description": "The questionnaire's wording the page showed (`wording` of GET /api/survey): the "
                "answers are kept as given under it. Absent or null: the wording in use.",
            },
        },
        ("answers",),
    )
    not_found = (
        "ticket_not_found (unknown token) or survey_ticket_not_found (no such label today, or the digits do not match)."
    )
    return {
        "/api/survey": {
            "get": _operation(
                "survey_questionnaire",
                "The survey's questionnaire: the nine elements, the profile's choices",
                "survey",
                {"200": _ok("The questionnaire.", _ref("Questionnaire"))},
                {},
            ),
            "post": _operation(
                "survey_answer",
                "Answer (201) or correct (200) the survey of a served ticket of today",
                "survey",
                {
                    "200": _ok(
                        "A correction: the response given anew (one that changes nothing writes nothing).",
                        _ref("SurveyAnswer"),
                    ),
                    "201": _ok("The ticket's first response.", _ref("SurveyAnswer")),
                },
                {
                    "400": None,
                    "404": not_found,
                    "409": "survey_not_served: the ticket is not yet served; survey_closed: its day is over; "
                    f"survey_corrections_spent: the response was corrected {CORRECTIONS_MAX} times already.",
                    "413": None,
                    "422": "form_incomplete: `fields` names each bad field (answers.U1 … profile.age, suggestion, "
                    "token, ticket, phone_last4, channel, wording: not one kept).",
                    "429": "rate_limited: the address's survey budget is spent.",
                    "503": None,
                },
                command=True,
                body=survey_body,
            ),
        },
        "/api/survey/lookup": {
            "post": _operation(
                "survey_lookup",
                "The tablet: the survey of today's ticket by its label and the phone's last four digits",
                "survey",
                {"200": _ok("The ticket's survey.", _ref("SurveyAnswer"))},
                {
                    "400": None,
                    "404": "survey_ticket_not_found: no such label today, or the digits do not match.",
                    "413": None,
                    "422": "form_incomplete: `fields` names ticket, phone_last4 (or token, not taken here).",
                    "429": "rate_limited: the address's survey budget is spent.",
                },
                body=_body(
                    {"ticket": ticket_ref["ticket"], "phone_last4": ticket_ref["phone_last4"]},
                    ("ticket", "phone_last4"),
                    command=False,
                ),
            )
        },
        "/api/survey/{token}": {
            "get": _operation(
                "survey_state",
                "The phone page: whether the ticket's survey is open, and the response given",
                "survey",
                {"200": _ok("The ticket's survey.", _ref("SurveyAnswer"))},
                {"404": "ticket_not_found."},
                params=[_path_param("token", {"type": "string"}, "The ticket's token.")],
            )
        },
        "/api/skm": {
            "get": _operation(
                "skm",
                "The public-satisfaction index (IKM) of a range of days, per service and counter",
                "reports",
                {
                    "200": {
                        "description": "The SKM. CSV: UTF-8 with a BOM; XLSX: sheets SKM, Saran, Data.",
                        "content": _files(_ref("Skm")),
                    }
                },
                {
                    "422": "form_incomplete: `fields` names a missing or bad from/to, service, counter or format. "
                    + RANGE_WORDS
                },
                roles=staff,
                params=[
                    *RANGE_PARAMS,
                    _query(
                        "format", {"type": "string", "enum": ["json", "csv", "xlsx"], "default": "json"}, "The format."
                    ),
                    _query("service", {"type": "string"}, "Only this service's code."),
                    _query("counter", {"type": "integer", "minimum": 1}, "Only this counter's id."),
                ],
            )
        },
        "/api/complaints": {
            "get": _operation(
                "complaints",
                "Suggestions and complaints with their age, answer and who answered; of a period, or as a file",
                "reports",
                {
                    "200": {
                        "description": (
                            f"Open ones oldest first (the newest {COMPLAINTS_LIMIT:,} of them: a new one is never left "
                            f"out), then answered and closed ones most recently done first (at most "
                            f"{COMPLAINTS_LIMIT:,}); `counts`: how many there are of each, listed or not. With "
                            "`from`/`to` (`by` received): those received in the days (their tickets' days), whatever "
                            "their state; without (`by` handled): every one still open, and those answered or closed "
                            "this month so far. `format=csv|xlsx`: every one of them as a file (never cut at the "
                            "limit), oldest received first, named pengaduan-FROM-TO[-terbuka-dan-ditangani]"
                            "[-STATUS].csv|xlsx; CSV: UTF-8 with a BOM, formula-looking text with a leading '; XLSX: "
                            "sheet Pengaduan, title, office, period and counts above the headings."
                        ),
                        "content": _files(
                            {
                                "type": "object",
                                "required": ["complaints", "counts", "limit", "from", "to", "by"],
                                "properties": {
                                    "complaints": {"type": "array", "items": _ref("Complaint")},
                                    "counts": {
                                        "type": "object",
                                        "required": ["open", "answered", "closed"],
                                        "properties": {
                                            k: {"type": "integer", "minimum": 0} for k in ("open", "answered", "closed")
                                        },
                                    },
                                    "limit": {"type": "integer", "const": COMPLAINTS_LIMIT},
                                    "from": {**DATE, "description": "The first day listed."},
                                    "to": {**DATE, "description": "The last day listed."},
                                    "by": {
                                        "type": "string",
                                        "enum": ["received", "handled"],
                                        "description": "received: the complaints received in the days; "
                                        "handled: every open one, and those answered or closed in the days.",
                                    },
                                },
                            }
                        ),
                    }
                },
                {
                    "422": "form_incomplete: `fields` names a bad status or format, or a bad from/to (they go together). "
                    + RANGE_WORDS
                },
                roles=staff,
                params=[
                    _query("status", {"type": "string", "enum": list(COMPLAINT_STATES), "default": "all"}, "Which."),
                    _query("from", DATE, "The first local day (with `to`); without both, this month's first."),
                    _query(
                        "to",
                        DATE,
                        f"The last local day (with `from`): not before it, at most {MAX_RANGE_DAYS} days after it; "
                        "without both, today.",
                    ),
                    _query(
                        "format", {"type": "string", "enum": ["json", "csv", "xlsx"], "default": "json"}, "The format."
                    ),
                ],
            )
        },
        "/api/complaints/{complaint_id}/answer": {
            "post": _operation(
                "complaint_answer",
                "Record the office's answer to a complaint",
                "reports",
                {
                    "200": _ok(
                        "Answered.",
                        {"type": "object", "required": ["complaint"], "properties": {"complaint": _ref("Complaint")}},
                    )
                },
                {
                    "400": None,
                    "404": "complaint_not_found.",
                    "413": None,
                    "403": "complaint_own_service: the complaint is about the officer's own service "
                    "(another officer or the front office answers it).",
                    "422": "form_incomplete: answer required or too long.",
                    "503": None,
                },
                roles=staff,
                write=True,
                command=True,
                params=[_path_param("complaint_id", {"type": "integer", "minimum": 1}, "The complaint's id.")],
                body=_body({"answer": _text(ANSWER_MAX)}, ("answer",)),
            )
        },
        **{
            f"/api/complaints/{{complaint_id}}/{action}": {
                "post": _operation(
                    f"complaint_{action}",
                    summary,
                    "reports",
                    {
                        "200": _ok(
                            "Done (or already so: nothing written).",
                            {
                                "type": "object",
                                "required": ["complaint"],
                                "properties": {"complaint": _ref("Complaint")},
                            },
                        )
                    },
                    {
                        "400": None,
                        "403": "complaint_own_service: closing one about the service the officer gave "
                        "(another officer or the front office closes it).",
                        "404": "complaint_not_found.",
                        "409": "complaint_already_answered: it has an answer (change the answer instead).",
                        "413": None,
                        "503": None,
                    },
                    roles=staff,
                    write=True,
                    command=True,
                    params=[_path_param("complaint_id", {"type": "integer", "minimum": 1}, "The complaint's id.")],
                    body=_body({}),
                )
            }
            for action, summary in (
                ("close", "Close a complaint that needs no reply (“Tidak perlu dijawab”), with who and when"),
                ("reopen", "Open again a complaint closed with no reply"),
            )
        },
        "/api/admin/survey": {
            "get": _operation(
                "survey_texts",
                "The questionnaire's wording, with its defaults",
                "admin",
                {"200": _ok("The wording.", _ref("SurveyTexts"))},
                {},
                roles=("admin",),
            ),
            "put": _operation(
                "set_survey_texts",
                "Change the wording of some elements (null: back to the default)",
                "admin",
                {"200": _ok("The wording now.", _ref("SurveyTexts"))},
                {
                    "400": None,
                    "413": None,
                    "422": "form_incomplete: `fields` names each bad field, e.g. elements.U3.choices.2.en; "
                    "elements.U4.choices: the model questionnaire's own choices of the element in another order "
                    "(choice 1 must be the worst, 4 the best).",
                    "503": None,
                },
                roles=("admin",),
                write=True,
                body=_body({"elements": _ref("SurveyTextsChange")}, ("elements",), command=False),
            ),
        },
    }


SPEC = build()


@cache
def _spec_json() -> bytes:
    """SPEC as the app's JSON, made once: 172 KB that took 9 ms to serialize at every request (one
    device asking for it as fast as its budget allows kept the server's loop busy a fifth of the time)."""
    return current_app.json.dumps(SPEC).encode()


@bp.get("/api/openapi.json")
def openapi_json():
    """This API's OpenAPI 3.1 description."""
    return Response(_spec_json(), mimetype="application/json")
