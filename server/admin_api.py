"""The admin's HTTP API: /api/admin/settings, /api/admin/users and /api/admin/voice (role admin)."""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
import time
import uuid
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from server import admin, voice
from server.api import STATUS, body, lang
from server.auth import current_user, password_problem, require, validate_new_user
from server.errors import FormIncomplete, Localized, QueueError, TooMany
from server.forms import LIMITS, clean_nip, clean_text
from server.i18n import both
from server.service.unit import Outcome

bp = Blueprint("admin_api", __name__, url_prefix="/api/admin")
log = logging.getLogger("antrian.admin")
LABEL = re.compile(r"[A-Za-z]{1,3}-\d{1,4}")


def service():
    return current_app.extensions["antrian"]


def _settings_answer(settings) -> Response:
    """The editable settings as the admin page shows them, with `overridden`: each value saved here that is
    used instead of config.toml's ({key, file, value}; the page marks its field), and `versions`: each
    section's version token, the `base` a PUT or DELETE of it sends back."""
    return jsonify(
        {**admin.view(settings), "overridden": admin.hidden_values(service()), "versions": admin.versions(service())}
    )


@bp.get("/settings")
@require("admin", csrf=False)
def get_settings():
    """The editable settings (office, queue, services, counters, priority table, kiosk, hours, voice)."""
    return _settings_answer(service().settings)


@bp.put("/settings/<section>")
@require("admin")
def put_settings(section: str):
    """Change one section (a table's keys given, a list whole); validated like config.toml, what differs
    from config.toml stored, applied live, logged. With `base` (the section's version the page loaded),
    409 settings_changed_meanwhile and nothing saved when the section changed since."""
    data = body()
    if "value" not in data:
        raise FormIncomplete({"value": "required"})
    user = current_user()["username"]
    new = admin.change_settings(service(), section, data["value"], user, base=data.get("base"))
    return _settings_answer(new)


@bp.delete("/settings/<section>")
@require("admin")
def reset_settings(section: str):
    """Back to config.toml's values of one section: every value saved for it dropped, as `settings reset
    SECTION` does (logged, applied live); refused like a save when a service with tickets waiting today or a
    counter holding a ticket would go. Nothing saved: the same answer, nothing logged. An optional body's
    `base` as a PUT's: a section changed since the page loaded it is not reset (409)."""
    base = body().get("base")
    admin.reset_settings(service(), section, current_user()["username"], checked=True, base=base)
    return _settings_answer(service().settings)


def _user_view(u: dict) -> dict:
    return {
        "username": u["username"],
        "role": u["role"],
        "counter_id": u["counter_id"],
        "active": bool(u["active"]),
        "full_name": u.get("full_name") or None,
        "nip": u.get("nip") or None,
    }


def _profile(data: dict, bad: dict) -> dict[str, str | None]:
    """The optional full name and NIP of an account from a request (absent keys left out; "" or null clears)."""
    fields: dict[str, str | None] = {}
    if "full_name" in data:
        full_name = clean_text(data, "full_name", LIMITS["full_name"], False, bad)  # too long: says its limit
        fields["full_name"] = full_name or None
    if "nip" in data:
        fields["nip"] = clean_nip(data, "nip", bad) or None
    return fields


def _counter_choice() -> Localized:
    """What a bad counter number is answered with: the counters there are, by number and name."""
    counters = service().settings.counters
    return both("error.counter_choice", counters=", ".join(f"{c.id} ({c.name})" for c in counters) or "—")


@bp.get("/users")
@require("admin", csrf=False)
def list_users():
    """Every account (no password hashes)."""
    return jsonify({"users": [_user_view(u) for u in service().accounts.users()]})


@bp.post("/users")
@require("admin")
def add_user():
    """Add an account: {username, password, role, counter_id?, full_name?, nip?}. Each bad field is named with
    what it accepts (the username's characters and length, the password's length, the roles, the counters)."""
    data = body()
    cleaned: dict[str, str] = {}
    username = clean_text(data, "username", LIMITS["username"], True, cleaned).lower()
    password, role = data.get("password"), data.get("role")
    bad: dict = validate_new_user(username, password, role)
    if cleaned.get("username") in ("required", "not_text", "invalid_unicode"):  # say more than the name's rule
        bad["username"] = cleaned["username"]
    profile = _profile(data, bad)
    counter_id = data.get("counter_id")
    if counter_id is not None and (
        not isinstance(counter_id, int)
        or isinstance(counter_id, bool)
        or service().settings.counter(counter_id) is None
    ):
        bad["counter_id"] = _counter_choice()
    if bad:
        raise FormIncomplete(bad)
    actor = current_user()["username"]
    added = service().accounts.add_user(username, password, role, actor, counter_id, **profile)
    return _user_answer(added)


@bp.post("/users/<username>/password")
@require("admin")
def reset_password(username: str):
    """Set a new password: {password} (8-200 characters: `password_length`)."""
    data = body()
    if (problem := password_problem(data.get("password"))) is not None:
        raise FormIncomplete({"password": problem})
    return _user_answer(service().accounts.set_password(username, data["password"], current_user()["username"]))


@bp.post("/users/<username>/profile")
@require("admin")
def set_profile(username: str):
    """Set an account's full name and NIP (what the A4 form is signed with): {full_name?, nip?}; "" or null
    clears one. The account's sessions go on."""
    data = body()
    bad: dict = {}
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


# -- the voice: engine and pack are the `tts` settings section; here the pack's clips and a preview --

UPLOAD_BYTES = 3 * 1024 * 1024  # a clip of MAX_CLIP_BYTES as base64 in JSON
MAX_PACKS = 50  # folders in voices/ an upload may make


def _announcer():
    return current_app.extensions["antrian.announcer"]


def _voices_root() -> Path:
    """The folder of the packs: voices/ beside config.toml."""
    settings = service().settings
    if settings.source is None:
        raise QueueError("no_config_file")
    return settings.source.resolve().parent / "voices"


@bp.get("/voice")
@require("admin", csrf=False)
def voice_status():
    """The speech engine, the voice pack as loaded (clips, format, unusable files and why, in the answer's
    language), the words it lacks for this office's calls (numbers up to 999) and for calls made, and the
    packs in voices/."""
    out = _announcer().voice_status(lang())
    packs = []
    try:
        root = _voices_root()
        folders = (
            sorted(p for p in root.iterdir() if p.is_dir() and voice.CLIP_NAME.match(p.name)) if root.is_dir() else []
        )
    except (QueueError, OSError):
        root, folders = None, []
    for folder in folders[:100]:
        packs.append({"name": folder.name, "clips": f"voices/{folder.name}", "path": str(folder)})
    return jsonify({**out, "packs": packs})


@bp.post("/voice/clips")
@require("admin")
def upload_clip():
    """Add or replace one clip of a pack in voices/: {pack, name ("dua.wav"), data (the WAV, base64)}."""
    request.max_content_length = UPLOAD_BYTES
    data = body()
    bad: dict = {}
    pack = data.get("pack")
    if not isinstance(pack, str) or not voice.CLIP_NAME.match(pack) or len(pack) > 50:
        bad["pack"] = "pack_name_invalid"
    name = data.get("name")
    try:
        if not isinstance(name, str):
            raise ValueError("no name")
        stem = voice.check_clip_name(name)
    except ValueError:
        bad["name"] = both("error.clip_name_invalid", max_run=voice.MAX_RUN)
    raw = data.get("data")
    wav = None
    if not isinstance(raw, str) or not raw:
        bad["data"] = "required"
    else:
        try:
            wav = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            bad["data"] = "invalid"
    if bad:
        raise FormIncomplete(bad)
    try:
        fmt, frames = voice.read_clip(wav)
    except ValueError as err:
        raise FormIncomplete({"data": "invalid"}, "clip_invalid", detail=str(err)) from None
    root = _voices_root()
    folder = root / pack
    target = folder / f"{stem}.wav"
    if not target.exists():  # what uploads may add is bounded: packs, and clips in a pack
        if not folder.is_dir() and root.is_dir() and sum(p.is_dir() for p in root.iterdir()) >= MAX_PACKS:
            raise FormIncomplete({"pack": "invalid"}, "clip_invalid", detail=f"voices/ holds {MAX_PACKS} packs already")
        if folder.is_dir() and len(voice.source_files(folder)) >= voice.MAX_CLIPS:
            raise FormIncomplete({"name": "invalid"}, "clip_invalid", detail=f"the pack has {voice.MAX_CLIPS} clips")
    temp = folder / f".{stem}.{uuid.uuid4().hex}.upload"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temp.write_bytes(wav)
        os.replace(temp, target)
    except OSError as err:
        raise FormIncomplete({"pack": "invalid"}, "clip_invalid", detail=f"cannot write {target}: {err}") from None
    finally:
        temp.unlink(missing_ok=True)
    log.info("voice pack %s: clip %s uploaded by %s", folder, target.name, current_user()["username"])
    current = service().settings.tts.clips
    if current and Path(current).resolve() == folder.resolve():
        _announcer().reload_voice()
    seconds = round(len(frames) / fmt.frame_bytes / fmt.rate, 2)
    resp = jsonify({"pack": pack, "name": target.name, "format": fmt.describe(), "seconds": seconds})
    resp.status_code = 201
    return resp


def _label_and_counter(data: dict) -> tuple[str, Any, int, bool]:
    """A preview's or a sound check's {label ("A-123"), counter_id, calls, last_chance}: the label in capitals, the
    counter, which call of the ticket it is (`calls`, 1 to [queue] max_calls, 1 when left out: a recall says
    "Panggilan kedua." before the call, the last "Panggilan terakhir.") and whether the ticket is on its last
    chance (`last_chance`, true or false, false when left out: "Kesempatan terakhir." before its first call,
    "Panggilan kedua, kesempatan terakhir." before a recall; server.tts.recall_words)."""
    label = data.get("label")
    counter = service().settings.counter(data.get("counter_id")) if type(data.get("counter_id")) is int else None
    calls = data.get("calls", 1)
    last_chance = data.get("last_chance", False)
    bad = {}
    max_calls = service().settings.queue.max_calls
    if not isinstance(label, str) or not LABEL.fullmatch(label.strip()):
        bad["label"] = "label_invalid"
    if counter is None:
        bad["counter_id"] = _counter_choice()
    if type(calls) is not int or not 1 <= calls <= max_calls:
        bad["calls"] = both("error.calls_range", max_calls=max_calls)
    if type(last_chance) is not bool:
        bad["last_chance"] = "not_boolean"
    if bad:
        raise FormIncomplete(bad)
    return label.strip().upper(), counter, calls, last_chance


@bp.post("/voice/preview")
@require("admin")
def preview_voice():
    """Make an announcement to listen to on this page: {label ("A-123"), counter_id, calls (1: a first call,
    the default; 2 a second, up to [queue] max_calls, the last), last_chance (false, the default; true: the
    ticket is on its last chance)} -> {text, audio, intro (a recall's "Panggilan kedua.", a last chance's
    "Kesempatan terakhir.", played before `audio`; null for an ordinary first call and when the voice pack lacks
    its words), engine, missing}. It is made in the background like a call's (GET the audio URLs; each waits
    while it is made)."""
    label, counter, calls, last_chance = _label_and_counter(body())
    return jsonify(_announcer().preview(label, counter.name, calls, last_chance))


TEST_CALL_SECONDS = 3.0  # one sound check at a time: each plays for a few seconds on every TV


@bp.post("/voice/test-call")
@require("admin")
def test_call():
    """The TVs' sound check: a call announced on every TV display as a real one is (the chime, then the
    speech, or on the server's speakers when calls play there), marked on screen as a test and said as one: "Tes
    suara." ("Sound test.") before it, the `intro` (a recall's or a last chance's words after it). {label,
    counter_id, calls, last_chance (as the preview's)} -> {announce (as in a `called` event, a recall's or a last
    chance's with its intro; null when speech is off: the chime only), displays (how many TV pages are connected
    to hear it)}. The queue is not touched: no ticket, no event, nothing in the TVs' latest calls. One every
    TEST_CALL_SECONDS (429 rate_limited)."""
    label, counter, calls, last_chance = _label_and_counter(body())
    last = current_app.extensions.setdefault("antrian.test_call", [float("-inf")])
    now = time.monotonic()
    if now - last[0] < TEST_CALL_SECONDS:
        raise TooMany()
    last[0] = now
    # with its intro, "Tes suara." first: never a call a visitor holding that number could walk to the counter for
    announce, start = _announcer().announce_later(label, counter.name, calls, last_chance, test=True)
    if start is not None:
        start()
    message = {"label": label, "counter_id": counter.id, "counter_name": counter.name, "announce": announce}
    displays = service().tell_displays("test_call", message)
    log.info(
        "sound check %s at %s sent to %d TV display(s) by %s", label, counter.name, displays, current_user()["username"]
    )
    return jsonify({"announce": announce, "displays": displays})
