"""Dates and times as Indonesians write them: "Sabtu, 28 November 2026", "10.05 WIB"."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from shared.words import word

# The names are the catalogue's (server/i18n/*.json, `date.*`), read through shared/words.py.
_MONTH_KEYS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_DAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def month_names(lang: str = "id", short: bool = False) -> tuple[str, ...]:
    """The month names in `lang`, January first (`short`: Jan, Feb, ...), from the catalogue."""
    section = "date.month_short." if short else "date.month."
    return tuple(word(section + key, lang) for key in _MONTH_KEYS)


def day_names(lang: str = "id") -> tuple[str, ...]:
    """The day names in `lang`, Monday first (as `datetime.weekday()` counts), from the catalogue."""
    return tuple(word("date.day." + key, lang) for key in _DAY_KEYS)


DAYS_ID = day_names("id")
MONTHS_ID = month_names("id")
_ZONE_BY_KEY = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
_ZONE_BY_OFFSET = {timedelta(hours=7): "WIB", timedelta(hours=8): "WITA", timedelta(hours=9): "WIT"}


def zone_abbreviation(dt: datetime) -> str:
    """Indonesian zone name of an aware datetime: WIB, WITA, WIT, or its own tzname otherwise."""
    if dt.tzinfo is None:
        raise ValueError("a ticket time must carry its office time zone")
    key = getattr(dt.tzinfo, "key", None)
    if key in _ZONE_BY_KEY:
        return _ZONE_BY_KEY[key]
    name = dt.tzname() or ""
    if name in ("WIB", "WITA", "WIT"):
        return name
    return _ZONE_BY_OFFSET.get(dt.utcoffset(), name)


def long_date(day: date, lang: str = "id") -> str:
    """A day as people read it, without its weekday: "4 Desember 2026" ("4 December 2026")."""
    return f"{day.day} {month_names(lang)[day.month - 1]} {day.year}"


def long_datetime(at: datetime, lang: str = "id") -> str:
    """A time (in the zone it carries) as people read it: "1 Januari 2000 07.30" ("1 January 2000 07:30")."""
    clock = f"{at.hour:02d}.{at.minute:02d}" if lang == "id" else f"{at.hour:02d}:{at.minute:02d}"
    return f"{long_date(at, lang)} {clock}"


def format_date_id(dt: datetime) -> str:
    """The date in Indonesian, e.g. "Sabtu, 28 November 2026"."""
    return f"{DAYS_ID[dt.weekday()]}, {dt.day} {MONTHS_ID[dt.month - 1]} {dt.year}"


def format_time_id(dt: datetime) -> str:
    """The time as Indonesians write it, with its zone, e.g. "10.05 WIB"."""
    return f"{dt.hour:02d}.{dt.minute:02d} {zone_abbreviation(dt)}"


def format_datetime_id(dt: datetime) -> str:
    """Date and time in Indonesian, e.g. "Sabtu, 28 November 2026 10.05 WIB"."""
    return f"{format_date_id(dt)} {format_time_id(dt)}"
