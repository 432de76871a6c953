"""Checks on what visitors and officers type, as the SOP's front office would check the paper form."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from server.core import CATEGORIES, FormIncomplete

LIMITS = {"name": 100, "agency": 150, "address": 300, "phone": 20, "problem": 2000}
REQUIRED = ("name", "agency", "address", "phone", "problem")

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


def normalize_phone(raw: str) -> str | None:
    """An Indonesian phone number as digits starting with 0 (08…, 021…), or None if it is not one.

    Accepts 08…, +62 8…, 62 8…, and landlines such as 021-555 1234.
    """
    if not _PHONE_CHARS.match(raw):
        return None
    digits = re.sub(r"[^0-9]", "", raw)
    if raw.startswith("+"):
        if not digits.startswith("62"):
            return None
        digits = "0" + digits[2:]
    elif digits.startswith("62") and len(digits) >= 11:
        digits = "0" + digits[2:]
    if not digits.startswith("0") or digits.startswith("00"):
        return None
    if digits.startswith("08"):
        return digits if 10 <= len(digits) <= 13 else None
    return digits if 9 <= len(digits) <= 12 else None


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text)


def clean_text(data: dict, key: str, limit: int, required: bool, bad: dict[str, str], multiline: bool = False) -> str:
    """One trimmed text field; records a message code in `bad` when it is missing or wrong."""
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            bad[key] = "required"
        return ""
    if not isinstance(value, str):
        bad[key] = "not_text"
        return ""
    value = unicodedata.normalize("NFC", value.strip())
    if not multiline:
        value = re.sub(r"\s+", " ", value)
    if len(value) > limit:
        bad[key] = "too_long"
    elif _has_control(value):
        bad[key] = "control_chars"
    return value


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
    )
