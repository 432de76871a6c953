"""Dates and times as Indonesians write them: "Sabtu, 28 November 2026", "10.05 WIB"."""

from __future__ import annotations

from datetime import datetime, timedelta

DAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
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


def format_date_id(dt: datetime) -> str:
    """The date in Indonesian, e.g. "Sabtu, 28 November 2026"."""
    return f"{DAYS_ID[dt.weekday()]}, {dt.day} {MONTHS_ID[dt.month - 1]} {dt.year}"


def format_time_id(dt: datetime) -> str:
    """The time as Indonesians write it, with its zone, e.g. "10.05 WIB"."""
    return f"{dt.hour:02d}.{dt.minute:02d} {zone_abbreviation(dt)}"


def format_datetime_id(dt: datetime) -> str:
    """Date and time in Indonesian, e.g. "Sabtu, 28 November 2026 10.05 WIB"."""
    return f"{format_date_id(dt)} {format_time_id(dt)}"
