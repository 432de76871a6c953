"""The satisfaction survey's and complaints' HTTP API (docs/api.md "Survey, SKM and complaints").

Anonymous: the questionnaire, a ticket's survey state and the response itself (rate limited per address
like the kiosk's POST /api/tickets, with a budget of its own). Staff: the SKM report and the complaints;
admin: the questionnaire's wording.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from server import reports
from server.api import answer, body, request_key, service
from server.auth import RateLimiter, current_user, require
from server.errors import FormIncomplete, NotFound, TooMany
from server.forms import parse_id
from server.limits import device_key
from server.service.survey import CHANNELS, COMPLAINT_STATES

bp = Blueprint("survey_api", __name__, url_prefix="/api")
SKM_FORMATS = ("json", "csv", "xlsx")

# Every refusal the survey's pages can be answered with, as message codes: the `error.<code>` keys those
# pages carry (kiosk._survey_page_texts), so that a refusal shown there, above the button or at its question,
# is said again after the language toggle. The pages are the phone's (/t/<token>, phone.js) and the exit
# tablet's (/survey, survey.js); they call GET /api/survey, GET /api/survey/<token>, POST /api/survey/lookup
# and POST /api/survey, below. Only these: the whole `error.*` section was 14.5 KB of the phone's page, which a
# visitor opens on mobile data. A refusal added to those routes, or to what they call, belongs here:
# tests/test_survey_texts.py drives them through their refusals and names a code missing.
SURVEY_REFUSALS: tuple[str, ...] = (
    # the answer's `error` (its `message`, above the button or the pads)
    "form_incomplete",  # 422: the fields below, at their questions
    "ticket_not_found",  # 404: a token no ticket has (GET /api/survey/<token>, POST by token)
    "survey_ticket_not_found",  # 404: label or phone digits wrong (alike), or this device locked out
    "survey_not_served",  # 409: the ticket is not served yet
    "survey_closed",  # 409: its day is over
    "survey_corrections_spent",  # 409: corrected CORRECTIONS_MAX times
    "rate_limited",  # 429: the address's survey budget (_limit)
    "bad_json",  # 400: a body that is not one JSON object (server.api.body)
    "bad_request_id",  # 400: server.api.request_key
    "not_found",  # 404: no route: a scanned or ?t= token with "/" in it (the tablet's /api/survey/a%2Fb)
    "too_large",  # 413: a body past MAX_CONTENT_LENGTH
    "request_timeout",  # 408: a body sent too slowly (server.httpserver; a weak signal)
    "too_many_requests",  # 429 or 503: the HTTP server's budget of the address (a guest Wi-Fi), or its connections
    "internal",  # 500
    "db_busy",  # 503: the database held by another process
    "disk_full",  # 507
    # the fields' codes (`fields`: each at its question, or above the button)
    "required",
    "invalid",  # also what any other code or HTTP status says (server.messages.message, server.api)
    "not_object",
    "unknown_field",
    "survey_score",
    "survey_age",
    "phone_last4",
    "not_text",  # the suggestion's (server.forms.clean_text) ...
    "too_long",
    "control_chars",
    "invalid_unicode",
)
# Not listed, as the pages' requests cannot be answered with them: method_not_allowed (each page uses its
# routes' own methods), bad_http_request and headers_too_large (a browser's requests are well-formed HTTP,
# their headers far from server.httpserver.MAX_HEADER_BYTES and their cookies from MAX_COOKIES), and every refusal of
# staff routes.


def register(app: Any) -> None:
    """Add the routes, and the anonymous survey's rate limit (the kiosk's rate, its own budget)."""
    svc = app.extensions["antrian"]
    limiter = RateLimiter(svc.settings.queue.rate_limit_per_minute)
    app.extensions["antrian.survey_limiter"] = limiter

    def settings_changed(new: Any) -> None:
        limiter.limit = new.queue.rate_limit_per_minute

    svc.on_settings.append(settings_changed)
    app.register_blueprint(bp)


def _limit() -> None:
    """Anonymous callers spend one of their address's survey budget (429 when it is spent)."""
    if current_user() is None and not current_app.extensions["antrian.survey_limiter"].allow(
        device_key(request.remote_addr or "?")
    ):
        raise TooMany()


@bp.get("/survey")
def questionnaire():
    """The questionnaire: nine elements with their questions and four choices (id and en), the profile's
    choices, the suggestion's length limit."""
    return jsonify(service().survey.questionnaire())


@bp.post("/survey")
def submit_survey():
    """A visitor's response: 201 the first time, 200 for a correction on the same day."""
    data = body()
    _limit()
    channel = data.get("channel")
    if channel is not None and channel not in CHANNELS:
        raise FormIncomplete({"channel": "invalid"})
    if channel is None:
        channel = "phone" if "token" in data else "tablet"
    token = data.get("token")
    if isinstance(token, str):
        scope = f"survey:{token[:64]}"
    else:
        scope = f"survey:{str(data.get('ticket'))[:16]}:{str(data.get('phone_last4'))[:4]}"
    who = device_key(request.remote_addr or "?")
    return answer(service().survey.submit(data, request_key(scope, data), channel, who))


@bp.post("/survey/lookup")
def lookup_survey():
    """The tablet: a ticket of today by its label and the last four digits of its phone number."""
    from server.service.survey import ticket_ref

    data = body()
    _limit()
    if "token" in data:  # this path is for the label and the phone digits only
        raise FormIncomplete({"token": "unknown_field"})
    ref, last4 = ticket_ref(data)
    return jsonify({"survey": service().survey.state(ref, last4, device_key(request.remote_addr or "?"))})


@bp.get("/survey/<token>")
def survey_state(token: str):
    """The phone page: is the survey of this ticket open, and the response given (to correct it); once closed,
    only that it was answered, its text and the office's reply (service.survey.closed_view)."""
    if len(token) > 64:
        raise NotFound("ticket_not_found")
    return jsonify({"survey": service().survey.state(token)})


@bp.get("/skm")
@require("officer", "frontoffice", csrf=False)
def skm_report():
    """The SKM (IKM) of a range of days, optionally of one service or counter, as JSON, CSV or XLSX."""
    from server.report_job import MIMETYPES

    day_from, day_to, fmt = request.args.get("from"), request.args.get("to"), request.args.get("format", "json")
    bad = reports.check_range(day_from, day_to)
    svc = service()
    code = request.args.get("service") or None
    if code is not None and svc.settings.service(code) is None:
        bad["service"] = "unknown_service"
    counter_arg = request.args.get("counter") or None
    counter_id = parse_id(counter_arg) if counter_arg is not None else None
    if counter_arg is not None and (counter_id is None or svc.settings.counter(counter_id) is None):
        bad["counter"] = "invalid"
    if fmt not in SKM_FORMATS:
        bad["format"] = "invalid"
    if bad:
        raise FormIncomplete(bad)
    content = svc.survey.skm_file(day_from, day_to, code, counter_id, fmt)
    if fmt == "json":
        return Response(content, content_type=MIMETYPES[fmt])
    name = f"skm-{day_from}-{day_to}.{fmt}"
    return Response(
        content, content_type=MIMETYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("/complaints")
@require("officer", "frontoffice", csrf=False)
def complaints():
    """Suggestions and complaints: open ones oldest first (the newest 1,000), then answered and closed ones;
    their age, answer or close, who, and what those replaced; the true counts of each. With `from`/`to`, those
    received in the days (the tickets' days), whatever their state; without, every one still open and those
    answered or closed this month (the complaints page's first view). `format=csv|xlsx`: every one of them
    as a file, never cut at the list's 1,000."""
    from server.report_job import MIMETYPES
    from server.service.survey import COMPLAINT_FORMATS, complaint_file_name

    status = request.args.get("status", "all")
    day_from, day_to = request.args.get("from"), request.args.get("to")
    fmt = request.args.get("format", "json")
    bad: dict[str, str] = {}
    if status not in COMPLAINT_STATES:
        bad["status"] = "invalid"
    if fmt not in COMPLAINT_FORMATS:
        bad["format"] = "invalid"
    by = "received" if day_from is not None or day_to is not None else "handled"
    if by == "received":
        bad.update(reports.check_range(day_from, day_to))
    if bad:
        raise FormIncomplete(bad)
    svc = service()
    if by == "handled":  # this month so far, in the office's days
        day_to = svc.day()
        day_from = day_to[:8] + "01"
    if fmt == "json":
        return jsonify(svc.survey.complaint_list(status, day_from, day_to, current_user()["username"], by))
    content = svc.survey.complaint_file(status, day_from, day_to, by, fmt)
    name = complaint_file_name(day_from, day_to, by, status, fmt)
    return Response(
        content, content_type=MIMETYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.post("/complaints/<complaint_id>/answer")
@require("officer", "frontoffice")
def answer_complaint(complaint_id: str):
    """Record the office's answer to a complaint: {answer}."""
    data = body()
    key = request_key(f"complaint:{complaint_id[:32]}", data)
    return answer(service().survey.answer_complaint(complaint_id, data, current_user()["username"], key))


@bp.post("/complaints/<complaint_id>/close", defaults={"action": "close"})
@bp.post("/complaints/<complaint_id>/reopen", defaults={"action": "reopen"})
@require("officer", "frontoffice")
def close_complaint(complaint_id: str, action: str):
    """Close a complaint that needs no reply ("Tidak perlu dijawab"), or open it again: who and when are kept."""
    data = body()
    key = request_key(f"complaint-{action}:{complaint_id[:32]}", data)
    user = current_user()["username"]
    return answer(service().survey.close_complaint(complaint_id, user, key, closed=action == "close"))


@bp.get("/admin/survey")
@require("admin", csrf=False)
def survey_texts():
    """The questionnaire's wording, each element's with its defaults."""
    return jsonify(service().survey.texts())


@bp.put("/admin/survey")
@require("admin")
def set_survey_texts():
    """Change the wording of some elements: {"elements": {"U1": {"question", "choices"} or null}}."""
    data = body()
    return jsonify(service().survey.set_texts(data.get("elements"), current_user()["username"]).body)
