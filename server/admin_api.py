"""The admin's HTTP API: /api/admin/settings and /api/admin/users (role admin)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from server import admin
from server.api import STATUS, body
from server.auth import current_user, require, validate_new_user
from server.errors import FormIncomplete, QueueError
from server.forms import LIMITS, clean_nip, clean_text
from server.service.unit import Outcome

bp = Blueprint("admin_api", __name__, url_prefix="/api/admin")


def service():
    return current_app.extensions["antrian"]


@bp.get("/settings")
@require("admin", csrf=False)
def get_settings():
    """The editable settings (office, queue, services, counters, priority table, kiosk)."""
    return jsonify(admin.view(service().settings))


@bp.put("/settings/<section>")
@require("admin")
def put_settings(section: str):
    """Replace one section; validated like config.toml, applied live, logged."""
    data = body()
    if "value" not in data:
        raise FormIncomplete({"value": "required"})
    new = admin.change_settings(service(), section, data["value"], current_user()["username"])
    return jsonify(admin.view(new))


def _user_view(u: dict) -> dict:
    return {
        "username": u["username"],
        "role": u["role"],
        "counter_id": u["counter_id"],
        "active": bool(u["active"]),
        "full_name": u.get("full_name") or None,
        "nip": u.get("nip") or None,
    }


def _profile(data: dict, bad: dict[str, str]) -> dict[str, str | None]:
    """The optional full name and NIP of an account from a request (absent keys left out; "" or null clears)."""
    fields: dict[str, str | None] = {}
    if "full_name" in data:
        fields["full_name"] = clean_text(data, "full_name", LIMITS["full_name"], False, bad) or None
    if "nip" in data:
        fields["nip"] = clean_nip(data, "nip", bad) or None
    return fields


@bp.get("/users")
@require("admin", csrf=False)
def list_users():
    """Every account (no password hashes)."""
    return jsonify({"users": [_user_view(u) for u in service().accounts.users()]})


@bp.post("/users")
@require("admin")
def add_user():
    """Add an account: {username, password, role, counter_id?, full_name?, nip?}."""
    data = body()
    cleaned: dict[str, str] = {}
    username = clean_text(data, "username", LIMITS["username"], True, cleaned).lower() or None
    bad = validate_new_user(username, data.get("password"), data.get("role"))
    bad.update(cleaned)  # required, control_chars, invalid_unicode say more than "invalid"
    profile = _profile(data, bad)
    counter_id = data.get("counter_id")
    if counter_id is not None and (
        not isinstance(counter_id, int)
        or isinstance(counter_id, bool)
        or service().settings.counter(counter_id) is None
    ):
        bad["counter_id"] = "invalid"
    if bad:
        raise FormIncomplete(bad)
    actor = current_user()["username"]
    added = service().accounts.add_user(username, data["password"], data["role"], actor, counter_id, **profile)
    return _user_answer(added)


@bp.post("/users/<username>/password")
@require("admin")
def reset_password(username: str):
    """Set a new password: {password}."""
    data = body()
    if validate_new_user("placeholder", data.get("password"), "admin"):
        raise FormIncomplete({"password": "invalid"})
    return _user_answer(service().accounts.set_password(username, data["password"], current_user()["username"]))


@bp.post("/users/<username>/profile")
@require("admin")
def set_profile(username: str):
    """Set an account's full name and NIP (what the A4 form is signed with): {full_name?, nip?}; "" or null
    clears one. The account's sessions go on."""
    data = body()
    bad: dict[str, str] = {}
    fields = _profile(data, bad)
    if not fields and not bad:
        raise FormIncomplete({"full_name": "required"})
    if bad:
        raise FormIncomplete(bad)
    return _user_answer(service().accounts.set_profile(username, current_user()["username"], **fields))


@bp.post("/users/<username>/active")
@require("admin")
def set_active(username: str):
    """Disable or enable an account: {active: bool}. A disabled account's sessions stop working at once."""
    data = body()
    if not isinstance(data.get("active"), bool):
        raise FormIncomplete({"active": "not_boolean"})
    if username == current_user()["username"] and not data["active"]:
        raise QueueError("self_disable")
    return _user_answer(service().accounts.set_active(username, data["active"], current_user()["username"]))


def _user_answer(outcome: Outcome) -> Response:
    """An account change's outcome: {user} (201 for a new account, else 200). No such account: NotFound,
    404; a name taken: QueueError user_exists, 409 (server.api.register_errors)."""
    resp = jsonify({"user": _user_view(outcome.body)})
    resp.status_code = STATUS[outcome.kind]
    return resp
