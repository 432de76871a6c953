"""Checks on what visitors and officers type, as the SOP's front office would check the paper form."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from server.core import CATEGORIES, folded
from server.errors import FormIncomplete, too_long

# The longest text each field may hold (characters, once cleaned): the visitor's form, then what
# officers type (solution, escalation analysis, LKPP's answer and ticket number, a login name).
LIMITS = {
    "name": 100,
    "agency": 150,
    "address": 300,
    "phone": 20,
    "problem": 2000,
    "solution": 4000,
    "note": 4000,
    "escalation_note": 4000,
    "answer": 4000,
    "lkpp_ticket": 100,
    "username": 64,
    "full_name": 100,
    "reason": 200,  # why the front office cancelled a number (POST /api/tickets/<ref>/cancel), one line
}
REQUIRED = ("name", "agency", "address", "phone", "problem")
# How long a visitor took over the form at the kiosk (form_seconds, whole seconds): a day at most. The
# kiosk resets itself after an idle minute, so a real form takes minutes; a larger number is no time.
FORM_SECONDS_MAX = 86_400

_PHONE_CHARS = re.compile(r"^\+?[0-9 ()\-.]+$")


@dataclass(frozen=True)
class VisitorForm:
    """The consultation form's identity part and problem, cleaned."""

    service: str
    name: str
    agency: str
    address: str
    phone: str
    problem: str
    category: str
    priority: bool
    form_seconds: int | None = None  # SOP steps 2-6 as the kiosk timed them; None: not measured


def normalize_phone(raw: str) -> str | None:
    """An Indonesian phone number as digits starting with 0 (08…, 021…), or None if it is not one.

    Accepts 08…, +62 8…, 62 8…, and landlines such as 021-555 1234; after the country code also the
    trunk 0 written as many write it, "+62 (0)812 …" or "+62 0812 …" (no number goes on 62 0: the 0 is
    dropped, as a phone dialling +62 does).
    """
    if not _PHONE_CHARS.match(raw):
        return None
    digits = re.sub(r"[^0-9]", "", raw)
    if raw.startswith("+"):
        if not digits.startswith("62"):
            return None
        digits = "0" + digits[2:].removeprefix("0")
    elif digits.startswith("620") and len(digits) >= 12:
        digits = digits[2:]
    elif digits.startswith("62") and len(digits) >= 11:
        digits = "0" + digits[2:]
    if not digits.startswith("0") or digits.startswith("00"):
        return None
    if digits.startswith("08"):
        return digits if 10 <= len(digits) <= 13 else None
    return digits if 9 <= len(digits) <= 12 else None


_LINE_BREAKS = str.maketrans("", "", "\n\t")  # what multi-line text may hold of the control characters


def text_problem(value: str, multiline: bool = False) -> str | None:
    """Why `value` cannot be stored as text, as a message code, or None when it can.

    'invalid_unicode': lone surrogates (a JSON "\\ud800" escape), which no UTF-8 text, SQLite row, mail
    or printer can hold. 'control_chars': NUL, ESC, DEL and the other control characters (a newline
    or a tab only in multi-line text).
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "invalid_unicode"
    # no control character at all but the line breaks and tabs allowed (every control character is unprintable):
    # most text, told at C speed without a look-up per character
    if (value.translate(_LINE_BREAKS) if multiline else value).isprintable():
        return None
    allowed = "\n\t" if multiline else ""
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
        return "control_chars"
    return None


def clean_text(data: dict, key: str, limit: int, required: bool, bad: dict[str, str], multiline: bool = False) -> str:
    """One trimmed text field; records a message code in `bad` when it is missing or wrong.

    The one cleaning of everything people type: NFC, line breaks as \\n (multi-line) or whitespace runs
    as one space (one line), at most `limit` characters, no control characters or lone surrogates. A text
    past its limit is `too_long` with the limit and the length typed (server.errors.too_long), which its
    words say.
    """
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            bad[key] = "required"
        return ""
    if not isinstance(value, str):
        bad[key] = "not_text"
        return ""
    if text_problem(value, multiline=True) == "invalid_unicode":
        bad[key] = "invalid_unicode"
        return ""
    value = unicodedata.normalize("NFC", value.strip())
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    else:
        value = re.sub(r"\s+", " ", value)
    if len(value) > limit:
        bad[key] = too_long(limit, len(value))
    elif text_problem(value, multiline=multiline):
        bad[key] = "control_chars"
    return value


def clean_texts(data: Any, multiline: dict[str, bool]) -> Any:
    """`data` with each text field named in `multiline` (name -> may it hold line breaks) cleaned by
    clean_text, limits from LIMITS; FormIncomplete naming every bad field. A field that is absent or
    not text is left as it is, for the rules' own checks (required, not_text)."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    bad: dict[str, str] = {}
    for key, lines in multiline.items():
        if isinstance(data.get(key), str):
            out[key] = clean_text(data, key, LIMITS[key], False, bad, multiline=lines)
    if bad:
        raise FormIncomplete(bad)
    return out


_NIP = re.compile(r"[0-9]{18}")


def clean_nip(data: dict, key: str, bad: dict[str, str]) -> str:
    """An Indonesian civil servant's NIP (Nomor Induk Pegawai), optional: 18 ASCII digits, written with or
    without the usual spaces ("19850101 201001 1 001"), the first 8 a birth date YYYYMMDD; "" when not
    given. Records `nip_invalid` in `bad` otherwise."""
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if not isinstance(value, str):
        bad[key] = "not_text"
        return ""
    digits = re.sub(r"[ .\-]", "", value.strip())
    if not _NIP.fullmatch(digits) or parse_day(f"{digits[0:4]}-{digits[4:6]}-{digits[6:8]}") is None:
        bad[key] = "nip_invalid"
        return ""
    return digits


def format_nip(digits: str | None) -> str:
    """A stored NIP as it is written: birth date, appointment month, sex, number ("19850101 201001 1 001")."""
    if not digits or not _NIP.fullmatch(digits):
        return digits or ""
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"


_ID = re.compile(r"[0-9]{1,18}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_id(text: object, maximum: int = 2**63 - 1) -> int | None:
    """A whole number 1..`maximum` written in ASCII digits (a row id, a counter number), or None.

    Never int() on what a request says: it takes digits of other scripts ("١٢"), spaces, signs and
    underscores, raises on "²" (which str.isdigit() accepts) and on 5,000 digits; and SQLite holds
    no integer past 2**63 - 1.
    """
    if not isinstance(text, str) or not _ID.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= maximum else None


def parse_day(text: object) -> date | None:
    """A calendar day written exactly YYYY-MM-DD, or None.

    date.fromisoformat() takes more: week dates (2026-W49-2), ordinal dates (2026-335), the compact
    20261201, and, in some versions, text after the date.
    """
    if not isinstance(text, str) or not _DAY.fullmatch(text):
        return None
    try:
        return date(int(text[:4]), int(text[5:7]), int(text[8:]))
    except ValueError:  # 2026-02-30, month 13, year 0
        return None


IDENTITY = ("name", "agency", "address", "phone", "problem")  # the visitor's own words on the form


def validate_identity(data: object) -> dict[str, str]:
    """The visitor's part of a form, sent again to correct it (a mistyped phone, a name): each of
    IDENTITY checked as when the number was taken; raises FormIncomplete naming every bad field."""
    if not isinstance(data, dict):
        raise FormIncomplete({"_": "not_object"})
    bad: dict[str, str] = {}
    out = {key: clean_text(data, key, LIMITS[key], True, bad, multiline=key == "problem") for key in IDENTITY[:-1]}
    out["problem"] = clean_text(data, "problem", LIMITS["problem"], True, bad, multiline=True)
    del out["phone"]
    phone_raw = clean_text(data, "phone", 40, True, bad)
    if phone_raw and "phone" not in bad:
        out["phone"] = normalize_phone(phone_raw) or ""
        if not out["phone"]:
            bad["phone"] = "phone_invalid"
    if bad:
        raise FormIncomplete(bad)
    return {key: out[key] for key in IDENTITY}


def validate_queue_fields(data: object, service_codes: set[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The service and priority sent with a correction of the form (each optional: absent, unchanged):
    ({service?, priority?}, the bad ones' message codes)."""
    out: dict[str, Any] = {}
    bad: dict[str, str] = {}
    if not isinstance(data, dict):
        return out, bad
    if data.get("service") is not None:
        if not isinstance(data["service"], str) or data["service"] not in service_codes:
            bad["service"] = "unknown_service"
        else:
            out["service"] = data["service"]
    if data.get("priority") is not None:
        if not isinstance(data["priority"], bool):
            bad["priority"] = "not_boolean"
        else:
            out["priority"] = data["priority"]
    return out, bad


# A name or an agency as compared for a second registration (and the counter's earlier visits): case, spaces,
# dots and commas aside; the core's, which the store's forms.visitor_key is made with (m028).
_folded = folded


def same_visitor(a: dict[str, str], b: dict[str, str]) -> str | None:
    """Why two forms look like one visitor: 'phone' (the same number, both stored normalised) or
    'name_agency' (the same name at the same agency, case, spaces and dots aside); None when neither."""
    if a.get("phone") and a.get("phone") == b.get("phone"):
        return "phone"
    names = _folded(a.get("name", "")), _folded(b.get("name", ""))
    agencies = _folded(a.get("agency", "")), _folded(b.get("agency", ""))
    if names[0] and names[0] == names[1] and agencies[0] and agencies[0] == agencies[1]:
        return "name_agency"
    return None


def validate_visitor_form(data: object, service_codes: set[str]) -> VisitorForm:
    """Check a ticket request; raises FormIncomplete naming every bad field."""
    if not isinstance(data, dict):
        raise FormIncomplete({"_": "not_object"})
    bad: dict[str, str] = {}
    service = data.get("service")
    if service in (None, ""):
        bad["service"] = "required"
    elif not isinstance(service, str) or service not in service_codes:
        bad["service"] = "unknown_service"
    name = clean_text(data, "name", LIMITS["name"], True, bad)
    agency = clean_text(data, "agency", LIMITS["agency"], True, bad)
    address = clean_text(data, "address", LIMITS["address"], True, bad)
    problem = clean_text(data, "problem", LIMITS["problem"], True, bad, multiline=True)
    phone_raw = clean_text(data, "phone", 40, True, bad)
    phone = ""
    if phone_raw and "phone" not in bad:
        phone = normalize_phone(phone_raw) or ""
        if not phone:
            bad["phone"] = "phone_invalid"
    category = data.get("category") or ""
    if category and category not in CATEGORIES:
        bad["category"] = "category_invalid"
    priority = data.get("priority", False)
    if priority is None:
        priority = False
    if not isinstance(priority, bool):
        bad["priority"] = "not_boolean"
    form_seconds = data.get("form_seconds")
    if form_seconds is not None:
        form_seconds = parse_form_seconds(form_seconds)
        if form_seconds is None:
            bad["form_seconds"] = "form_seconds_invalid"
    if bad:
        raise FormIncomplete(bad)
    return VisitorForm(
        service=service,
        name=name,
        agency=agency,
        address=address,
        phone=phone,
        problem=problem,
        category=category,
        priority=priority,
        form_seconds=form_seconds,
    )


def parse_form_seconds(value: object) -> int | None:
    """A kiosk's time over the form as an int, or None when it is not one: a JSON whole number
    0..FORM_SECONDS_MAX (JSON has one kind of number: 95.0 is 95, as JSON Schema's "integer" has it), not
    true/false (which Python counts as 1 and 0), a fraction, or text ("95")."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None  # NaN and the infinities too (never parsed from a request: JSON has none)
    return int(value) if 0 <= value <= FORM_SECONDS_MAX else None
