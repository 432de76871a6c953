"""config.toml parsed into frozen, typed settings; a bad value names its key.

A table's settings are the fields of its dataclass, each declared once with `setting()`: its default,
its check and what the error says when the check fails. The keys a table accepts (`_keys`) and the way
each is read (`_get`, `_parse`) come from those fields; a table's parser says by hand only what one
value cannot: a default taken from another key, a check against the printers or another setting, the
paths under the config's folder, the order some values are checked in."""

from __future__ import annotations

import copy
import errno
import json
import os
import re
import sqlite3
import stat
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import MISSING, Field, dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.errors import Localized
from server.i18n import both
from shared.runtime import python_command


class ConfigError(Exception):
    """A missing or bad configuration value; the message names the key, in English (what config.toml's
    readers see: the start, the command line). Made by `_bad`, it also carries `key`, what is at fault (a
    key, or config.toml's path for a fault of the file: not found, not UTF-8, not TOML), and `problem`, the
    problem without its key in Indonesian and English (the catalogue's `config.*`): what the command line
    says in two lines, and the admin page in its own words. An error made without them (None) is said in
    English alone.

    `key` is the program's name of the key (`counters[0].name`: the admin page marks that input); `where`
    names it as an admin reading config.toml does, in Indonesian and English: an entry of an array of tables
    counted from 1, with its id ("the 1st [[counters]] (id = 1), key name"; see _entry), else the key."""

    def __init__(
        self, message: str, key: str | None = None, problem: Localized | None = None, where: Localized | None = None
    ):
        super().__init__(message)
        self.key = key
        self.problem = problem
        self.where = where if where is not None else Localized(key or "", key or "")

    def said(self) -> Localized:
        """The message in Indonesian and English ("key: problem" in each); the English in both without one."""
        if self.key and self.problem is not None:
            return Localized(f"{self.where.id_text}: {self.problem.id_text}", str(self))
        return Localized(str(self), str(self))


def _words(code: str, /, **params: object) -> Localized:
    """The catalogue's `config.<code>` in both languages, its {placeholders} filled (a Localized param in
    the language of each text)."""
    return both(f"config.{code}", **params)


def _bad(key: str, code: str, /, **params: object) -> ConfigError:
    """The error of `key`: "{key}: {problem}", the problem the catalogue's `config.<code>`."""
    return _said(key, _words(code, **params))


def _shown(value: Any) -> str:
    """A value in an error: repr (a lone surrogate stays printable), JSON's null as the admin wrote it, not None."""
    return "null" if value is None else repr(value)


def _said(key: str, problem: Localized) -> ConfigError:
    """The error of `key` whose problem is already in both languages."""
    return ConfigError(f"{key}: {problem.en_text}", key, problem)


def setting(
    default: Any = MISSING,
    *,
    check: Any = None,
    why: str = "",
    between: tuple[int, int] | None = None,
    choices: tuple[str, ...] | None = None,
    convert: Any = None,
    key: str | None = None,
    keys: tuple[str, ...] | None = None,
    file_default: Any = MISSING,
) -> Any:
    """A dataclass field that is a config.toml setting, read as its annotation says (see _KINDS).

    default: its value when the key is absent (none: the key is required), or `file_default` for a
    field that cannot have a default because a required one follows it. check: a test of the value,
    `why` what the error says when it fails (the catalogue's `config.why.<why>`, in both languages);
    between=(lo, hi) and choices=(...) give both. convert(key, value): the value as the settings hold it
    (ConfigError naming `key` if it cannot be). key: its name in config.toml when not the field's; keys:
    when it is read by hand from several keys, or none (())."""
    said = _words(f"why.{why}") if why else None
    if between is not None:
        lo, hi = between
        check, said = (lambda v: lo <= v <= hi), _words("why.between", lo=lo, hi=hi)
    if choices is not None:
        check, said = (lambda v: v in choices), _words("why.choices", choices=", ".join(choices[:-1]), last=choices[-1])
    metadata = {"check": check, "why": said, "convert": convert, "key": key, "keys": keys, "file_default": file_default}
    return field(default=default, metadata=metadata)


def _nonempty(v: str) -> bool:
    return bool(v)


_FILLED = {"check": _nonempty, "why": "filled"}
_CODE = re.compile(r"^[A-Z]{1,3}$")
_CAPITALS = {"check": _CODE.match, "why": "capitals"}
_HOST = re.compile(r"^[A-Za-z0-9._:\[\]-]+$")
_NO_PRINTER = _words("why.no_printer")


_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


def _is_url(value: str) -> bool:
    """An http(s) address with a host (and a port that is a number), no spaces, in ASCII: an address of other letters
    (é, 😀) takes up to 4 bytes each in every ticket's QR code, and 2,000 of them held more than any QR code can, so
    that no ticket printed on a printer drawing its QR code as a picture (an IDN host is written xn--…)."""
    from urllib.parse import urlsplit

    if not value.isascii() or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number 0-65535
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


_HOST_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def _listen_host(value: str) -> bool:
    """What [server] host can be: an IP address ("0.0.0.0", "::", "192.168.1.10") or a host name ("localhost"),
    with no port, scheme or spaces ("0.0.0.0:8080", "http://192.168.1.10" were taken as a host name to look up,
    and the start failed with "Name or service not known", an exit systemd restarts every 3 s for ever)."""
    import ipaddress

    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        pass
    labels = value.removesuffix(".").split(".")
    # a name's last label is not a number: "192.168.1" is an address missing a part (and the C library
    # would take it for 192.168.0.1)
    return not labels[-1].isdigit() and all(_HOST_LABEL.match(label) for label in labels)


def _timezone(key: str, value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise _bad(key, "time_zone", value=repr(value)) from err
    return value


def _as_path(key: str, value: str) -> Path:
    """A path as written; parse_settings puts a relative one under the config's folder."""
    return Path(value)


def _addresses(key: str, items: list) -> tuple[str, ...]:
    """IP addresses ("192.168.1.20"), checked and written alike."""
    import ipaddress

    out = []
    for item in items:
        try:
            if not isinstance(item, str):  # ip_address(3232235777) is 192.168.1.1: a number is a typo here
                raise TypeError(item)
            out.append(str(ipaddress.ip_address(item)))
        except (TypeError, ValueError) as err:
            raise _bad(key, "not_ip", value=_shown(item)) from err
    return tuple(out)


def _networks(key: str, items: list) -> tuple[str, ...]:
    """IP addresses or networks ("192.168.1.20", "192.168.1.0/28"), checked and written alike."""
    import ipaddress

    out = []
    for item in items:
        try:
            if not isinstance(item, str):
                raise TypeError(item)
            out.append(str(ipaddress.ip_network(item, strict=False)))
        except (TypeError, ValueError) as err:
            raise _bad(key, "not_network", value=_shown(item)) from err
    return tuple(out)


def _at_most(limit: int, convert: Any) -> Any:
    """`convert` of a list setting, its items counted first: more than `limit` is refused naming the key (in both
    languages), before any item is read."""

    def bounded(key: str, items: list) -> Any:
        if len(items) > limit:
            raise _bad(key, "too_many", count=len(items), limit=limit)
        return convert(key, items)

    return bounded


# The most items a list setting may hold: far past what an office writes, short of what slows each request. A
# holiday is looked for in the list on every ticket (hours.py), an exempt address on every Socket.IO connection
# (realtime.py), and the kiosk's networks are each parsed and matched on every kiosk request (KioskSettings.allows:
# 1,000 of them took some 2.5 ms a request, 100,000 a quarter of a second). An office has some 20 holidays a year
# (1,000 is decades of them), a few devices to exempt and one or two proxies, and one or a few networks for its kiosk.
_LIST_MAX = 1000
_NETWORKS_MAX = 256
# The longest word of [tts] player, in characters: a path is at most 4,096 bytes (PATH_MAX), and Linux refuses to
# start a program with one argument past 128 KiB (E2BIG), so that no call would be heard, every one of them.
_PLAYER_WORD_MAX = 4096


# A word of [tts] say_as_word or spell_out: letters alone, as a counter's name writes it in capitals ("BAPPEDA").
_ACRONYM = re.compile(r"[A-Za-z]{2,40}")


def _acronyms(key: str, items: list) -> tuple[str, ...]:
    """[tts] say_as_word's or spell_out's words, each of 2 to 40 letters A-Z, kept in capitals, each once."""
    for item in items:
        if not isinstance(item, str) or not _ACRONYM.fullmatch(item):
            raise _bad(key, "not_acronym", value=_shown(item))
    return tuple(dict.fromkeys(item.upper() for item in items))


def _player(key: str, items: list) -> tuple[str, ...]:
    """[tts] player's words (checked by its `check`), each within _PLAYER_WORD_MAX characters."""
    for item in items:
        if len(item) > _PLAYER_WORD_MAX:
            raise _bad(key, "too_long", length=len(item), limit=_PLAYER_WORD_MAX)
    return tuple(items)


_DAY_LIKE = re.compile(r"(?<![\w.:-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w.:-])", re.ASCII)


def day_problem(text: str) -> Localized | None:
    """What is wrong with the first day written like YYYY-MM-DD in `text` that is no day of the calendar (a month 13,
    a 32nd, a 29th of February of a year without one) or not written with two digits each ("2026-1-5"), in
    Indonesian and English; None when every one is a day (or none is written so)."""
    import calendar
    from datetime import date

    from shared.dates import month_names

    for m in _DAY_LIKE.finditer(text):
        year, month, day = (int(part) for part in m.groups())
        written = m.group(0)
        if not 1 <= month <= 12:
            why = _words("why.no_month", month=m.group(2))
        elif not 1 <= day <= calendar.monthrange(max(year, 1), month)[1]:
            days = calendar.monthrange(max(year, 1), month)[1]
            names = Localized(month_names("id")[month - 1], month_names("en")[month - 1])
            why = _words("why.no_day", month=names, year=year, days=days)
        elif year < 1:
            why = _words("why.no_year")
        elif len(m.group(2)) < 2 or len(m.group(3)) < 2:
            return _words("day_digits", value=written, example=date(year, month, day).isoformat())
        else:
            continue
        return _words("not_a_day", value=written, why=why)
    return None


def _dates(key: str, items: list) -> tuple[str, ...]:
    """Days written YYYY-MM-DD, in order, each once; a TOML date (written without quotes) is one too."""
    from datetime import date, datetime

    from server.forms import parse_day

    days = []
    for item in items:
        if isinstance(item, date) and not isinstance(item, datetime):
            item = item.isoformat()
        if not isinstance(item, str) or parse_day(item) is None:
            shown = _shown(item) if isinstance(item, str | None) else str(item)  # a lone surrogate stays printable
            why = day_problem(item) if isinstance(item, str) else None
            if why is not None:  # "2026-12-32": written as a day, but no day of the calendar
                raise _said(key, why)
            raise _bad(key, "not_day", value=shown)
        days.append(item)
    return tuple(sorted(set(days)))


@dataclass(frozen=True)
class Office:
    name: str = setting(**_FILLED)
    address: str = setting(file_default="")
    timezone: str = setting(file_default="Asia/Jakarta", convert=_timezone)
    public_url: str = setting(
        check=lambda v: _is_url(v),
        why="public_url",
        convert=lambda key, v: v.rstrip("/"),
    )
    language: str = setting("id", choices=("id", "en"))

    @property
    def tz(self) -> ZoneInfo:
        """The office's time zone."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Service:
    code: str = setting(**_CAPITALS)
    name: str = setting(**_FILLED)
    prefix: str = setting(**_CAPITALS)  # absent: the code (_services)
    # numbers a day (cancelled ones not counted); None (absent, or null from the admin page): no limit
    daily_quota: int | None = setting(None, check=lambda v: 1 <= v <= 9999, why="quota")


@dataclass(frozen=True)
class Counter:
    id: int = setting(between=(1, 999))
    name: str = setting(**_FILLED)
    services: tuple[str, ...] = setting(check=lambda v: len(v) > 0, why="counter_services")
    printer: str = setting("")  # a [printers.NAME] or "" (checked by _counters)


@dataclass(frozen=True)
class QueueSettings:
    max_calls: int = setting(3, between=(1, 10))
    max_requeues: int = setting(1, between=(0, 10))
    auto_recall_seconds: int = setting(0, check=lambda v: v == 0 or 5 <= v <= 3600, why="auto_recall")
    rate_limit_per_minute: int = setting(120, check=lambda v: v >= 1, why="at_least_one")
    # a counter whose officer has no counter page open this long is freed
    counter_release_minutes: int = setting(10, between=(1, 1440))


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class HoursSettings:
    """Service hours ([hours]): per weekday (Monday first) its opening ranges in minutes after local midnight,
    the holidays (YYYY-MM-DD), and how long before each close the kiosk stops issuing numbers. Without an
    [hours] table (`enabled` False) the office is always open."""

    enabled: bool = setting(False, keys=())  # True when config.toml has an [hours] table
    days: tuple[tuple[tuple[int, int], ...], ...] = setting(((),) * 7, keys=WEEKDAYS)  # monday = "08:00-12:00"
    holidays: tuple[str, ...] = setting((), convert=_at_most(_LIST_MAX, _dates))
    last_ticket_minutes: int = setting(0, between=(0, 240))


@dataclass(frozen=True)
class ServerSettings:
    host: str = setting("127.0.0.1", check=_listen_host, why="listen_host")
    port: int = setting(8080, between=(1, 65535))
    database: Path = setting(Path("var/antrian.db"), convert=_as_path, **_FILLED)  # relative: to config.toml
    data_dir: Path = setting(Path("var"), convert=_as_path, **_FILLED)
    # Below this much free space on the database's or the data folder's disk, the front office and
    # admin pages warn (tickets are still issued for as long as SQLite can write); 0: no warning.
    min_free_mb: int = setting(500, check=lambda v: v >= 0, why="min_free_mb")
    # A copy of the database each day, made the first minute the server runs on that day (a PC switched
    # off at night makes it in the morning, with the day before whole), as antrian-YYYY-MM-DD.db in
    # backup_dir (relative: to config.toml; best on another disk or a USB stick); the newest
    # backup_keep are kept, 0: no daily copies.
    backup_dir: Path = setting(Path("var/backups"), convert=_as_path, **_FILLED)
    backup_keep: int = setting(14, between=(0, 3650))


@dataclass(frozen=True)
class LimitSettings:
    """What one device (an address) may hold and ask of the server (docs/operations.md, "Security")."""

    connections_per_address: int = setting(64, between=(8, 10000))
    # live Socket.IO sessions (a TV, a counter page, a phone's ticket page: one each)
    sessions_per_address: int = setting(64, between=(4, 10000))
    # of every device together (exempt addresses aside; some 17 KB each): past it a new page takes the place of the
    # oldest session of the device holding the most, or is refused when none holds more than its own share
    sessions_total: int = setting(4000, between=(16, 1_000_000))
    requests_per_minute: int = setting(1200, between=(60, 1_000_000))
    # addresses with no per-address limits
    exempt: tuple[str, ...] = setting((), convert=_at_most(_LIST_MAX, _addresses))
    # reverse proxies (on this PC): their connections are not counted per address, and a request through
    # one is its client's, the last address the proxy put in X-Forwarded-For
    proxies: tuple[str, ...] = setting((), convert=_at_most(_LIST_MAX, _addresses))
    # a connection with no request line this long after it opened or was answered
    idle_seconds: int = setting(15, between=(1, 600))
    header_seconds: int = setting(10, between=(1, 600))  # from the request line to the end of the headers
    body_seconds: int = setting(30, between=(1, 600))  # a whole request body
    # a connection past connections_per_address waits this long, unread, for its 503 (0: at once)
    hold_seconds: int = setting(10, between=(0, 120))


@dataclass(frozen=True)
class KioskSettings:
    printer: str = setting("")  # a [printers.NAME] or "" (checked by parse_settings)
    idle_seconds: int = setting(60, between=(10, 3600))
    footer: str = setting("")
    # networks that may take a number without a login; () = any
    addresses: tuple[str, ...] = setting((), convert=_at_most(_NETWORKS_MAX, _networks))

    def allows(self, address: str | None) -> bool:
        """True when a device at `address` may take a number without a login."""
        if not self.addresses:
            return True
        import ipaddress

        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(n) for n in self.addresses)


def _day_or_none(value: str) -> bool:
    """A day as YYYY-MM-DD (a real one), or "" (none)."""
    if value == "":
        return True
    try:
        return re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None and bool(date.fromisoformat(value))
    except ValueError:
        return False


@dataclass(frozen=True)
class AnnouncementSettings:
    """The office's announcement of the day (the admin page's *Pengumuman*, the front office's): first in every TV's
    running text, in a band on the kiosk's first screen. Blank: none."""

    text: str = setting("")
    text_en: str = setting("")  # "" : the Indonesian text on an English page too
    # the office's last day it is shown on ("" : until removed); a save from the pages sets today's unless kept
    until: str = setting("", check=_day_or_none, why="day_or_none")

    def shown(self, day: str) -> dict[str, str] | None:
        """{text, text_en, until} while it is shown on the office's `day`, else None (blank, or its day over)."""
        if not (self.text or self.text_en) or (self.until and self.until < day):
            return None
        return {"text": self.text, "text_en": self.text_en, "until": self.until}


@dataclass(frozen=True)
class TtsSettings:
    enabled: bool = setting(True)
    voice: str = setting("id", **_FILLED)
    rate: int = setting(150, between=(60, 400))
    repeat: int = setting(1, between=(1, 3))
    output: str = setting("display", choices=("display", "server"))
    # output = "server": the command before the WAV's path; () = aplay or paplay
    player: tuple[str, ...] = setting(
        (),
        check=lambda v: len(v) <= 20 and all(isinstance(a, str) and a.strip() for a in v),
        why="player",
        convert=_player,
    )
    # the placeholders are checked by _tts (server.tts.validate_template)
    template: str = setting("Nomor antrian, {letter}, {number}. Silakan menuju, {counter}.")
    template_en: str = setting("Queue number, {letter}, {number}. Please go to, {counter}.")
    cache_mb: int = setting(
        200, between=(1, 100_000)
    )  # the speech files kept on disk, least recently used removed first
    # "clips": joined from a recorded voice pack (server/voice.py), espeak-ng for a phrase it lacks a word of
    engine: str = setting("espeak", choices=("espeak", "clips"))
    # the pack's folder (relative: under the config's folder); checked by _tts, required by engine = "clips"
    clips: str = setting("")
    pause_ms: int = setting(250, between=(0, 2000))  # the silence a comma or a full stop becomes
    trim_db: int = setting(-45, between=(-90, 0))  # clips' silence below this (dBFS) is trimmed; 0 = none
    chime: str = setting("")  # a WAV played before each call (checked by _tts); "" = the built-in chime
    # words of capitals in counters' names said as words though the syllable rule spells them ("PANRB"), and spelled
    # though Indonesian could say them ("NIP"): server.tts.sayable; a word in both is refused by _tts
    say_as_word: tuple[str, ...] = setting((), convert=_at_most(_LIST_MAX, _acronyms))
    spell_out: tuple[str, ...] = setting((), convert=_at_most(_LIST_MAX, _acronyms))


@dataclass(frozen=True)
class EscalationSettings:
    enabled: bool = setting(False)
    host: str = setting("127.0.0.1", check=_HOST.match, why="host")
    port: int = setting(25, between=(1, 65535))
    security: str = setting("none", choices=("none", "starttls", "ssl"))
    username: str = setting("")
    sender: str = setting("", key="from")  # from and to: an e-mail address, checked by _escalation
    to: str = setting("")
    password_env: str = setting("ANTRIAN_SMTP_PASSWORD", check=lambda v: _ENV_NAME.match(v), why="env_name")


_MINUTES = {"between": (1, 1440)}


@dataclass(frozen=True)
class SlaSettings:
    form_minutes: int = setting(5, **_MINUTES)
    waiting_minutes: int = setting(5, **_MINUTES)
    service_minutes: int = setting(30, **_MINUTES)
    escalation_minutes: int = setting(5, **_MINUTES)
    copy_minutes: int = setting(10, **_MINUTES)


@dataclass(frozen=True)
class PriorityClass:
    code: str = setting(**_FILLED)
    name: str = setting(**_FILLED)
    description: str = setting(file_default="")
    target_minutes: int = setting(check=lambda v: v >= 1, why="at_least_one")


@dataclass(frozen=True)
class Settings:
    """The whole config.toml: a field per top-level table (printers and agents are tables of tables)."""

    office: Office
    server: ServerSettings
    queue: QueueSettings
    services: tuple[Service, ...]
    counters: tuple[Counter, ...]
    kiosk: KioskSettings
    printers: dict[str, Any] = field(default_factory=dict)
    tts: TtsSettings = TtsSettings()
    escalation: EscalationSettings = EscalationSettings()
    sla: SlaSettings = SlaSettings()
    priority_classes: tuple[PriorityClass, ...] = ()
    agents: dict[str, str] = field(default_factory=dict)  # printer name -> env var of its agent's token
    limits: LimitSettings = LimitSettings()
    hours: HoursSettings = HoursSettings()
    announcement: AnnouncementSettings = AnnouncementSettings()
    source: Path | None = field(default=None, metadata={"keys": ()})  # the file read (not a key of it)

    def service(self, code: str) -> Service | None:
        """The service with this code, or None."""
        return next((s for s in self.services if s.code == code), None)

    def served(self, code: str) -> bool:
        """Whether some counter serves the service (else its tickets would wait for a call that never comes)."""
        return any(code in c.services for c in self.counters)

    def sharing(self, code: str) -> tuple[str, ...]:
        """The services whose tickets a counter serving `code` may call before one of `code` (it calls the
        earliest across all its services): every service of every counter that serves `code`, `code` too."""
        out = {code}
        for c in self.counters:
            if code in c.services:
                out.update(c.services)
        return tuple(sorted(out))

    def counter(self, counter_id: int) -> Counter | None:
        """The counter with this id, or None."""
        return next((c for c in self.counters if c.id == counter_id), None)


# Control characters (C0, DEL, C1) and Unicode's line and paragraph separators. No setting is more than
# one line of text: a CR LF in the office name would end every escalation mail's Subject header, an ESC
# in a footer would reach the printer as a command, a NUL would cut a file name or an argument short.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def check_single_line(key: str, value: str) -> str:
    """`value` when it is one line of text without control characters; else ConfigError naming `key`."""
    if _CONTROL.search(value):
        raise _bad(key, "one_line", value=repr(value))
    return value


# The longest text a setting may hold, in characters (keys without their list index); others _TEXT_MAX.
_TEXT_LIMITS = {
    "office.name": 200,
    "office.address": 500,
    "services.name": 100,
    "counters.name": 100,
    "kiosk.footer": 500,
    "priority_classes.name": 100,
    "priority_classes.description": 1000,
    "announcement.text": 300,
    "announcement.text_en": 300,
}
_TEXT_MAX = 2000


def _text_setting(key: str, value: str) -> str:
    """A text setting as server/forms.py cleans what people type: valid Unicode (an admin's JSON can
    hold a lone surrogate, which SQLite cannot store), NFC, within its length limit."""
    import unicodedata

    from server.forms import text_problem

    if text_problem(value) == "invalid_unicode":
        raise _bad(key, "invalid_unicode")
    limit = _TEXT_LIMITS.get(re.sub(r"\[\d+\]", "", key), _TEXT_MAX)
    if len(value) > limit:
        raise _bad(key, "too_long", length=len(value), limit=limit)
    return unicodedata.normalize("NFC", value)


_NUMBER_TEXT = re.compile(r"[+-]?(\d[\d_]*(\.\d+)?|0x[0-9a-fA-F_]+)", re.ASCII)
_BOOL_TEXT = {"true": "true", "false": "false", "ya": "true", "yes": "true", "tidak": "false", "no": "false"}


def _toml_string(text: str) -> str:
    """`text` as a TOML string: in quotes, escaped where needed (a lone surrogate, which an admin API's JSON can carry
    and no answer can encode, as its \\u escape)."""
    quoted = json.dumps(text, ensure_ascii=False)
    try:
        quoted.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(text)
    return quoted


def _wrong_kind(key: str, name: str, kind: type, value: Any) -> ConfigError:
    """`key`'s value is not of `kind`: said with what to write instead when it is that kind written as text in
    quotes (port = "8080", enabled = "true", services = "A, C"), the line as config.toml holds it."""
    shown = repr(value)
    if value is None:
        # JSON's null (an admin's PUT or `settings set`), said as the admin wrote it, not as Python's None
        return _bad(key, "null", kind=_words(f"kind.{kind.__name__}"))
    if isinstance(value, str):
        text = value.strip()
        if kind in (int, float) and _NUMBER_TEXT.fullmatch(text) and (kind is float or "." not in text):
            # without its leading zeros ("08080" is no TOML number either), a long one as it is
            digits = text.replace("_", "")
            plain = kind is int and digits.lstrip("+-").isdigit() and len(digits) <= 20
            example = f"{name} = {int(digits) if plain else text}"
            return _bad(key, "kind_quoted", kind=_words(f"kind.{kind.__name__}"), value=shown, example=example)
        if kind is bool and text.lower() in _BOOL_TEXT:
            example = f"{name} = {_BOOL_TEXT[text.lower()]}"
            return _bad(key, "kind_quoted", kind=_words("kind.bool"), value=shown, example=example)
        if kind is list:
            items = [part.strip().strip("'\"") for part in text.split(",")]
            example = f"{name} = [" + ", ".join(_toml_string(item) for item in items if item) + "]"
            return _bad(key, "kind_text_list", value=shown, example=example)
    return _bad(key, "kind", kind=_words(f"kind.{kind.__name__}"), value=shown)


class _Table:
    """Reads typed values out of one TOML table, naming the key on error."""

    def __init__(self, data: Any, path: str, required: bool = True):
        if data is None and not required:
            data = {}
        if not isinstance(data, dict):
            raise _bad(path, "table")
        self.data = data
        self.path = path

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def get(self, name: str, kind: type, default: Any = ..., check=None, why: Localized | None = None) -> Any:
        if name not in self.data:
            if default is ...:
                raise _bad(self.key(name), "missing")
            return default
        value = self.data[name]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            raise _wrong_kind(self.key(name), name, kind, value)
        if kind is str:
            value = check_single_line(self.key(name), _text_setting(self.key(name), value.strip()))
        if kind is list:
            for item in value:
                if isinstance(item, str):
                    check_single_line(self.key(name), item)
        if check is not None and not check(value):
            raise _bad(self.key(name), "got", why=why, value=_shown(value))
        return value

    def unknown(self, allowed: set[str]) -> None:
        """Refuse a key the table does not take, naming the one it most likely misspells: a typo of a
        required key would otherwise be reported as that key missing."""
        extra = sorted(set(self.data) - allowed, key=str)
        if extra:
            import difflib

            typo = str(extra[0])
            homes = _homes_of(typo, self.data[extra[0]], self.path)
            if homes:  # a key of another table, its line under the wrong heading (or before the first)
                raise _elsewhere(self.key(typo), homes)
            like = difflib.get_close_matches(typo.lower(), sorted(allowed), n=1, cutoff=0.6)
            code = "unknown_section" if not self.path else "unknown_key"
            if like:
                raise _bad(self.key(typo), f"{code}_like", like=like[0])
            raise _bad(self.key(typo), code)


def _headings() -> tuple[tuple[str, set[str]], ...]:
    """Each table's heading as config.toml writes it, in the file's order, with the keys it takes."""
    from printers.config import table_keys

    return (
        ("office", _keys(Office)),
        ("server", _keys(ServerSettings)),
        ("limits", _keys(LimitSettings)),
        ("queue", _keys(QueueSettings)),
        ("[services]", _keys(Service)),
        ("[counters]", _keys(Counter)),
        ("hours", _keys(HoursSettings)),
        ("kiosk", _keys(KioskSettings)),
        ("printers.*", table_keys()),
        ("tts", _keys(TtsSettings)),
        ("escalation", _keys(EscalationSettings)),
        ("sla", _keys(SlaSettings)),
        ("[priority_classes]", _keys(PriorityClass)),
        ("announcement", _keys(AnnouncementSettings)),
    )


def _homes_of(key: str, value: Any, path: str) -> tuple[str, ...]:
    """The headings ("[server]", "[[counters]]") of the other tables that take `key`, when its `value` is a
    value and not a table of its own: a line an admin wrote under the wrong heading, or appended at the end
    of the file (into the last table, [agents]), which "unknown key" alone sends looking for a typo."""
    if isinstance(value, dict) or (isinstance(value, list) and value and all(isinstance(v, dict) for v in value)):
        return ()
    here = re.sub(r"\[\d+\]$", "", path)
    here = here.split(".")[0] + ".*" if here.startswith("printers.") else here
    return tuple(f"[{h}]" for h, keys in _headings() if key in keys and h.strip("[]") != here)


def _elsewhere(key: str, homes: tuple[str, ...]) -> ConfigError:
    """The error of `key`, a key of the tables `homes` written elsewhere: where it belongs."""
    tables = homes[0] if len(homes) == 1 else _words("tables_or", choices=", ".join(homes[:-1]), last=homes[-1])
    return _bad(key, "unknown_key_elsewhere", tables=tables)


# The TOML type a field is read as, by its annotation: a tuple is written as a list, a path as a string.
_KINDS = {"str": str, "int": int, "bool": bool, "int | None": int, "Path": str, "tuple[str, ...]": list}


def _keys(cls: type) -> set[str]:
    """The keys config.toml's table for `cls` may hold: a field's name, or its `key`, or its `keys`."""
    out: set[str] = set()
    for f in fields(cls):
        named = f.metadata.get("keys")
        out.update((f.metadata.get("key") or f.name,) if named is None else named)
    return out


def _field(cls: type, name: str) -> Field:
    return next(f for f in fields(cls) if f.name == name)


def _get(t: _Table, cls: type, name: str, default: Any = MISSING, check=None, why: Localized | None = None) -> Any:
    """Field `name` of `cls` read from table `t` as its setting() declares; `default`, and `check` with
    `why`, given here for a default taken from another key or a check that needs other settings."""
    f = _field(cls, name)
    meta = f.metadata
    key = meta["key"] or name
    if default is MISSING:
        default = f.default if f.default is not MISSING else meta["file_default"]
    if check is None:
        check, why = meta["check"], meta["why"]
    value = t.get(key, _KINDS[f.type], ... if default is MISSING else default, check, why)
    if key in t.data:
        if meta["convert"] is not None:
            value = meta["convert"](t.key(key), value)
        elif isinstance(value, list):
            value = tuple(value)
    return value


def _parse(cls: type, t: _Table, checks: dict[str, tuple[Any, Localized]] | None = None, **given: Any) -> Any:
    """`cls` read from table `t` field by field, in their order (`_get`), but for the values `given`
    (read before, by hand); `checks`: a field's (check, why) when it needs other settings."""
    checks = checks or {}
    return cls(
        **{
            f.name: given[f.name] if f.name in given else _get(t, cls, f.name, MISSING, *checks.get(f.name, ()))
            for f in fields(cls)
        }
    )


def _in_printers(printers: dict[str, Any]) -> tuple[Any, Localized]:
    """The check of a setting naming a printer: one of [printers.*], or "" for none."""
    return (lambda v: v == "" or v in printers), _NO_PRINTER


def _limits(data: Any) -> LimitSettings:
    t = _Table(data, "limits", required=False)
    t.unknown(_keys(LimitSettings))
    exempt = _get(t, LimitSettings, "exempt")  # checked first: of several bad values, it is the one named
    return _parse(LimitSettings, t, exempt=exempt)


def printer_ignored(printer: Any) -> Localized:
    """The keys of a [printers.NAME] table its type does not read (a usb printer's that kept the demo's path), ignored
    as they always were: said, with the types that read them (the server's start, `printer test`, the print agent)."""
    from printers.config import TYPE_KEYS

    types = sorted({t for key in printer.ignored for t, keys in TYPE_KEYS.items() if key in keys})
    them = both("cli.banner.printer_ignored." + ("one" if len(printer.ignored) == 1 else "more"))
    keys = ", ".join(printer.ignored)
    return both(
        "cli.banner.printer_ignored", name=printer.name, type=printer.type, keys=keys, them=them, types=", ".join(types)
    )


def load_settings(path: str | Path) -> Settings:
    """Read and check config.toml; raises ConfigError naming the bad key."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as err:
        raise _bad(str(path), "file.not_found") from err
    except IsADirectoryError as err:
        raise _bad(str(path), "file.is_folder") from err
    except PermissionError as err:
        raise _bad(str(path), "file.not_readable", user=_user()) from err
    except OSError as err:
        raise _bad(str(path), "file.cannot_read", cause=err.strerror or err) from err
    return parse_settings(_toml(path, data), base_dir=path.resolve().parent, source=path)


def _toml(path: Path, data: bytes) -> dict[str, Any]:
    """config.toml's bytes as parsed TOML; ConfigError saying what is wrong with the text (the file's
    path its key), in Indonesian and English."""
    try:
        text = data.decode("utf-8-sig")  # a BOM, as Windows Notepad may save it, is no part of the TOML
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise _bad(str(path), "file.not_utf8", line=line) from err
    conflict = merge_conflict(text)
    if conflict:
        raise _said(str(path), conflict)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        error = str(err)
        raise _bad(str(path), "toml.invalid", error=_parser_words(error), hint=toml_hint(text, error)) from err
    for name, value in raw.items():  # [[office]]: a section headed as a list's entry (it said "must be a table")
        if name in _SECTIONS and isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            raise _bad(name, "toml.one_section", name=name)
    _usb_ids_in_hex(text)
    return raw


_PRINTER_HEADER = re.compile(r"""^\s*\[\s*printers\s*\.\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*\]""")
_ANY_HEADER = re.compile(r"^\s*\[")
_DECIMAL_USB_ID = re.compile(r"^\s*(vendor_id|product_id)\s*=\s*(\d{1,4})\s*(?:#.*)?$", re.ASCII)


def _usb_ids_in_hex(text: str) -> None:
    """A USB id of a [printers.NAME] table written as lsusb shows it but without its 0x (product_id = 5011) is the
    decimal 5011, 0x1393: the printer was "not found", and `printer test` asked for an ID 0416:1393 lsusb never
    shows. One of up to four decimal digits, as lsusb's are, is refused naming its line; one of more is no
    lsusb id and is taken as written."""
    table = None
    for n, line in enumerate(text.splitlines(), 1):
        if _ANY_HEADER.match(line):
            header = _PRINTER_HEADER.match(line)
            table = next((name for name in header.groups() if name is not None), None) if header else None
            continue
        found = _DECIMAL_USB_ID.match(line) if table is not None else None
        if found:
            key, value = found[1], found[2]
            raise _bad(
                f"printers.{table}.{key}",
                "printer.usb_id_decimal",
                n=n,
                line=line.strip(),
                name=key,
                value=value,
                hex=f"0x{int(value):04x}",
            )


# What the TOML parser's words mean for the lines an office's admin writes, with the line as written.
_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
_ASSIGNMENT = re.compile(r"^\s*[A-Za-z0-9_.-]+\s*=\s*(.+)$")
_NOT_TEXT = re.compile(r'^(".*"|\[.*|\{.*|true|false|[+-]?\d[\d_]*(\.\d+)?)$')  # a value TOML reads
_COMMENT = re.compile(r"\s+#.*$")  # a comment after a value not in quotes: a "#" after a space
_CURLY = re.compile("[\u201c\u201d\u201e\u201f\u2018\u2019\u00ab\u00bb]")  # “ ” „ ‟ ‘ ’ « »: word processors' quotes
_LEADING_ZERO = re.compile(r"0\d[\d_]{0,17}", re.ASCII)  # 0416: an integer TOML refuses (a USB id as lsusb writes it)
_HEX = re.compile(r"[+-]?0[xX][0-9A-Za-z_]*", re.ASCII)  # 0x04G6, 0X0416: a hex number TOML refuses
_DAYS_ONLY = re.compile(r"[\[\]\d\s,:.T+-]*", re.ASCII)  # days (and times) in a list, no text: holidays = [2026-12-32]
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')  # a text in quotes, whatever it holds
# The TOML parser's (tomllib's) words an admin meets most, and the catalogue's `config.toml.parser.<code>`
# that says them in Indonesian (its words for what is found in the line: {char}, {name}).
_PARSER_WORDS = (
    (re.compile(r"Invalid value"), "invalid_value"),
    (re.compile(r"Invalid statement"), "invalid_statement"),
    (re.compile(r"Cannot overwrite a value"), "overwrite"),
    (re.compile(r"Expected '=' after a key in a key/value pair"), "expected_equals"),
    (re.compile(r"Expected newline or end of document after a statement"), "expected_newline"),
    (re.compile(r"Expected '\]' at the end of a table declaration"), "table_end"),
    (re.compile(r"Expected '\]\]' at the end of an array declaration"), "array_end"),
    (re.compile(r"Unclosed array"), "unclosed_array"),
    (re.compile(r"Unclosed inline table"), "unclosed_table"),
    (re.compile(r"Unterminated string"), "unterminated"),
    (re.compile(r"Illegal character (?P<char>.+)"), "illegal_character"),
    (re.compile(r"Cannot declare (?P<name>.+) twice"), "declared_twice"),
    (re.compile(r"Unescaped '\\' in a string"), "unescaped_backslash"),
    (re.compile(r"Invalid date or datetime"), "invalid_date"),
)
_KEY_TUPLE = re.compile(r"\((?:'[^']*'|\"[^\"]*\")(?:, (?:'[^']*'|\"[^\"]*\"))*,?\)")  # ('tts',): tomllib's key
_BAD_ESCAPE = re.compile(r'\\(?![btnfr"\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})')  # a \ that starts no TOML escape


def _parser_words(error: str) -> Localized:
    """The TOML parser's error ("Invalid value (at line 3, column 14)") in Indonesian and English: its own
    words (English) in the English, and in the Indonesian the catalogue's for them when it has them (else
    the parser's) and where it points ("(baris 3, kolom 14)")."""
    at = _TOML_AT.search(error)
    what = error[: at.start()].strip() if at else error
    said, english = what, error
    for pattern, code in _PARSER_WORDS:
        if m := pattern.fullmatch(what):
            found = m.groupdict()
            if code == "declared_twice" and _KEY_TUPLE.fullmatch(found["name"]):
                # tomllib names the table as a Python tuple, ('tts',): as the file writes it, [tts]
                import ast

                found["name"] = "[" + ".".join(ast.literal_eval(found["name"])) + "]"
                english = _words(f"toml.parser.{code}", **found).en_text + (error[at.start() - 1 :] if at else "")
            said = _words(f"toml.parser.{code}", **found).id_text
            break
    if at:
        said += " " + _words("toml.at", line=at[1], column=at[2]).id_text + error[at.end() :]
    return Localized(said, english)


_HEADING = re.compile(r"\s*\[\[?\s*(?P<name>[A-Za-z0-9_.-]+)\s*\]\]?\s*")  # a table's heading, [x] or [[x]]
# The sections that are lists, each entry under a heading [[name]] of its own: [[services]], [[counters]]
_LISTS = frozenset(f.name for f in fields(Settings) if str(f.type).startswith("tuple["))
# The sections of one table each, under one heading [name] ([printers] and [agents] too: tables of tables)
_SECTIONS = frozenset(f.name for f in fields(Settings) if f.name != "source") - _LISTS


def _wrong_heading(lines: list[str], name: str) -> tuple[str, int] | None:
    """A heading of `name` written with the wrong brackets, as (the hint's catalogue code, its line): [counters]
    for a list's entry ([[counters]]), [[office]] for a section ([office]); None when every one is right."""
    double = name not in _LISTS  # what a wrong one is: [[office]], or [counters]
    for n, text in enumerate(lines, 1):
        m = _HEADING.fullmatch(_COMMENT.sub("", text))
        if m and m["name"] == name and text.strip().startswith("[[") == double:
            return ("toml.one_heading" if double else "toml.list_heading"), n
    return None


def toml_hint(text: str, error: str) -> Localized:
    """The line a TOML error points at and what is probably wrong with it, in Indonesian and English
    (empty when nothing useful)."""
    at = _TOML_AT.search(error)
    if not at:
        return Localized("", "")
    lines = text.splitlines()
    n = int(at.group(1))
    line = lines[n - 1].strip() if 0 < n <= len(lines) else ""
    bare = _ASSIGNMENT.match(line)
    value = _COMMENT.sub("", bare.group(1)).strip() if bare else ""
    if (heading := _HEADING.fullmatch(_COMMENT.sub("", line))) and (wrong := _wrong_heading(lines, heading["name"])):
        # [counters] beside [[counters]] (a counter added by hand), or [[office]] beside [office]: the two kinds
        # of heading of one name, which TOML calls a section or key declared twice
        why = _words(wrong[0], name=heading["name"], line=wrong[1])
    elif error.startswith("Cannot overwrite a value"):
        why = _words("toml.key_twice")
    elif error.startswith("Cannot declare"):
        why = _words("toml.section_twice")
    elif bare and _CURLY.search(value):
        # a line copied out of Word or WhatsApp, or typed on a phone: its quotes are not TOML's
        key = line.partition("=")[0].strip()
        comment = bare.group(1)[len(value) :].strip()
        example = f'{key} = "{_CURLY.sub("", value).strip()}"' + (f" {comment}" if comment else "")
        why = _words("toml.curly_quotes", example=example)
    elif error.startswith("Illegal character '\\n'") or (line.count('"') % 2 and error.startswith("Illegal")):
        why = _words("toml.closing_quote")
    elif error.startswith("Unescaped '\\'") and bare and (quoted := re.match(r'"(.*)"', value)):
        # a Windows path or a backslash in a text: in double quotes TOML reads \ as the start of a code
        key, text = line.partition("=")[0].strip(), _BAD_ESCAPE.sub(r"\\\\", quoted[1])
        why = _words("toml.backslash", example=f'{key} = "{text}"')
    elif bare and _DAYS_ONLY.fullmatch(unquoted := _QUOTED.sub("", value)) and (why_day := day_problem(unquoted)):
        # holidays = [2026-12-32]: TOML reads no such day, and said only that the list was not closed
        why = why_day
    elif bare and _HEX.fullmatch(value) and not re.fullmatch(r"0x[0-9A-Fa-f]+(_[0-9A-Fa-f]+)*", value):
        # vendor_id = 0x04G6 (a typo of lsusb's 0416): in quotes it is refused as text; say a hex number's digits
        key = line.partition("=")[0].strip()
        example = {"in_ep": "0x81", "out_ep": "0x03"}.get(key, "0x0416" if key.endswith("_id") else "0x1f")
        if value.startswith("0X") and re.fullmatch(r"[0-9A-Fa-f]+", value[2:]):
            why = _words("toml.hex_prefix", example=f"{key} = 0x{value[2:]}")
        else:
            bad = next((c for c in value[2:] if c not in "0123456789abcdefABCDEF_"), "")
            char = _words("toml.hex_char", char=bad) if bad else _words("toml.hex_none")
            why = _words("toml.hex_digits", char=char, example=f"{key} = {example}")
    elif bare and _LEADING_ZERO.fullmatch(value):
        # vendor_id = 0416 as lsusb shows it: TOML reads no number with a leading 0
        key = line.partition("=")[0].strip()
        if key.endswith("_id"):
            why = _words("toml.leading_zero_usb", example=f"{key} = 0x{value}")
        else:
            why = _words("toml.leading_zero", example=f"{key} = {int(value.replace('_', ''))}")
    elif bare and value and not _NOT_TEXT.match(value):
        # the value in quotes, and its comment (what config.toml's lines have) after them, not in them
        key = line.partition("=")[0].strip()
        comment = bare.group(1)[len(value) :].strip()
        quoted = value.replace('"', "").strip("'")
        example = f'{key} = "{quoted}"' + (f" {comment}" if comment else "")
        why = _words("toml.quote_text", example=example)
    else:
        return _words("toml.line", n=n, line=line) if line else Localized("", "")
    return _words("toml.line_why", n=n, line=line, why=why)


# The lines git writes around a conflict it could not merge (`git pull --autostash`, `git pull`): the start,
# the base (diff3 style), the middle and the end, each at the start of its line.
_CONFLICT = re.compile(r"^(<{7}|\|{7}|={7}|>{7})(?:[ \t](.*))?$")


def merge_conflict(text: str) -> Localized | None:
    """What to do about git's conflict markers left in config.toml by an upgrade (in Indonesian and
    English), or None without any.

    A line "=======" alone may be text in a multi-line string: it counts only beside a start or end
    marker, which no TOML document has at the start of a line."""
    marks = []
    for n, line in enumerate(text.splitlines(), 1):
        m = _CONFLICT.match(line.rstrip())
        if m:
            marks.append((n, m.group(1)[0], (m.group(2) or "").strip()))
    if not any(kind in "<>" for _, kind, _ in marks):
        return None
    line = marks[0][0]
    conflicts = sum(kind == "<" for _, kind, _ in marks)
    start = next((label for _, kind, label in marks if kind == "<"), "")
    after = Localized("", "")
    if start == "Updated upstream":  # git pull --autostash (or git stash pop): yours are the stashed lines
        sides = _words("conflict.stash")
        # git keeps the stash and the file unmerged: the next upgrade's `git pull` refused until both are settled
        after = _words("conflict.stash_after")
    elif start == "HEAD":  # git pull over edits committed here: yours are HEAD's
        sides = _words("conflict.head")
    else:
        sides = _words("conflict.other")
    if conflicts > 2:
        more = _words("conflict.more", n=conflicts - 1)
    else:
        more = _words("conflict.one_more") if conflicts == 2 else Localized("", "")
    return _words("conflict", line=line, more=more, sides=sides, after=after)


def parse_settings(raw: dict, base_dir: Path, source: Path | None = None) -> Settings:
    """Turn a parsed TOML document into Settings; raises ConfigError naming the key."""
    top = _Table(raw, "")
    top.unknown(_keys(Settings))

    t = _Table(raw.get("office"), "office")
    # The time zone is checked first, then unknown keys (a misspelt required key is named as such).
    timezone = _get(t, Office, "timezone")
    t.unknown(_keys(Office))
    office = _parse(Office, t, timezone=timezone)

    t = _Table(raw.get("server"), "server", required=False)
    t.unknown(_keys(ServerSettings))
    server = _parse(ServerSettings, t)
    server = replace(
        server,
        database=_path(base_dir, server.database),
        data_dir=_path(base_dir, server.data_dir),
        backup_dir=_path(base_dir, server.backup_dir),
    )

    t = _Table(raw.get("queue"), "queue", required=False)
    t.unknown(_keys(QueueSettings))
    queue = _parse(QueueSettings, t)

    services = _services(raw.get("services"))
    codes = {s.code for s in services}
    printers = _printers(raw.get("printers"), base_dir)
    counters = _counters(raw.get("counters"), codes, printers)

    t = _Table(raw.get("kiosk"), "kiosk", required=False)
    t.unknown(_keys(KioskSettings))
    kiosk = _parse(KioskSettings, t, {"printer": _in_printers(printers)})

    tts = _tts(raw.get("tts"), base_dir)
    escalation = _escalation(raw.get("escalation"))

    t = _Table(raw.get("sla"), "sla", required=False)
    t.unknown(_keys(SlaSettings))
    sla = _parse(SlaSettings, t)

    t = _Table(raw.get("announcement"), "announcement", required=False)
    t.unknown(_keys(AnnouncementSettings))
    announcement = _parse(AnnouncementSettings, t)

    return Settings(
        office=office,
        server=server,
        queue=queue,
        services=services,
        counters=counters,
        kiosk=kiosk,
        printers=printers,
        tts=tts,
        escalation=escalation,
        sla=sla,
        priority_classes=_priority_classes(raw.get("priority_classes")),
        agents=_agents(raw.get("agents"), printers),
        limits=_limits(raw.get("limits")),
        hours=_hours(raw.get("hours")),
        announcement=announcement,
        source=source,
    )


# What an admin changed live (server/admin.py) or the command line stored: overrides in the database,
# a section of config.toml given anew, put on top of the file and checked by the same parser.
def file_raw(settings: Settings) -> dict[str, Any]:
    """config.toml as parsed TOML (the base that overrides sit on)."""
    if settings.source is None:
        from server.errors import QueueError

        raise QueueError("no_config_file")
    try:
        data = settings.source.read_bytes()
    except OSError as err:
        raise _bad(str(settings.source), "file.cannot_read", cause=err.strerror or err) from err
    return _toml(settings.source, data)


def merged(raw: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """The file's TOML with the stored overrides on top (tables merged, lists replaced)."""
    out = copy.deepcopy(raw)
    for section, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(section), dict):
            out[section] = {**out[section], **value}
        else:
            out[section] = value
    return out


def file_settings(settings: Settings) -> Settings:
    """The settings of config.toml alone, as it is now (without what was saved on the admin page)."""
    if settings.source is None:
        return settings
    return parse_settings(file_raw(settings), settings.source.resolve().parent, settings.source)


def override_error(err: ConfigError, overrides: dict[str, Any]) -> ConfigError:
    """A config error met with the admin page's stored changes on top of the file, saying which stored
    change it comes from and how to go back to the file's value (config.toml edited since, typically)."""
    section = re.match(r"[a-z_]*", err.key or str(err)).group(0)
    if section in overrides:
        # the way back is a command, typed with the Python the rest of the command line names
        hint = _words("override_from", section=section, python=python_command())
    else:
        hint = _words("override_with", sections=", ".join(sorted(overrides)))
    # the way back in both languages: the English in the message, the Indonesian after the key's problem
    problem = err.problem
    if problem is not None:
        problem = Localized(f"{problem.id_text} ({hint.id_text})", f"{problem.en_text} ({hint.en_text})")
    return ConfigError(f"{err} ({hint.en_text})", err.key, problem, err.where)


def effective_settings(settings: Settings, overrides: dict[str, Any]) -> Settings:
    """Settings from the file plus the database's overrides; ConfigError names a bad key."""
    if not overrides or settings.source is None:
        return settings
    return parse_settings(merged(file_raw(settings), overrides), settings.source.resolve().parent, settings.source)


def check_storage(server: ServerSettings) -> None:
    """The database file and the data folder can be used by this user; else ConfigError naming the key.

    Checked before anything opens them, so that a database path that is a folder, lies under a file,
    or sits in a folder this user cannot write (SQLite writes its -wal and -shm files beside the
    database) stops a command with one line instead of a traceback."""
    db = server.database
    key = "server.database"
    if db.is_dir():
        raise _bad(key, "db_is_folder", path=db, example=db / "antrian.db")
    _check_folder(key, db.parent, "database_folder")
    if db.exists():
        if not db.is_file():
            raise _bad(key, "not_regular_file", path=db)
        if not os.access(db, os.R_OK | os.W_OK):
            raise _bad(key, "not_read_write", path=db, user=_user())
        with open(db, "rb") as f:
            head = f.read(16)
        if head and head != b"SQLite format 3\x00":
            raise _bad(key, "not_sqlite", path=db)
    if server.data_dir.exists() and not server.data_dir.is_dir():
        raise _bad("server.data_dir", "not_folder", path=server.data_dir)
    _check_folder("server.data_dir", server.data_dir, "data_folder")


def _check_folder(key: str, folder: Path, what: str) -> None:
    """`folder` exists and is writable, or can be made: its nearest existing ancestor is a writable folder.
    `what`: the catalogue's `config.what.<what>`, the folder's name in the message."""
    base = folder
    while not base.exists() and base != base.parent:
        base = base.parent
    if not base.is_dir():
        raise _bad(key, "parent_is_file", base=base, what=_words(f"what.{what}"), folder=folder)
    if not os.access(base, os.W_OK | os.X_OK):
        raise _not_writable(key, base, folder)


# Folders the system and every account share: the folders at the top (/srv, /opt), and right under /usr,
# /var (/var/lib), /home (another account's home) and the mount points. A database put right in one is
# not told to give it to the server's account (`chown -R` of /var/lib breaks the system), but to make
# the server a folder of its own there.
_SHARED_PARENTS = frozenset(
    Path(p) for p in ("/", "/usr", "/usr/local", "/var", "/home", "/media", "/mnt", "/run/media")
)


def _not_writable(key: str, base: Path, folder: Path) -> ConfigError:
    """The error of a folder this account cannot write (`base`, where `folder` is or is to be made): who
    owns it and the command that lets the server write there, as a file of another account's is said
    (storage_error, `not_yours`). A folder on a disk mounted read-only (one the kernel remounted so after errors,
    a locked stick) is said so: no chmod or chown mends that."""
    if _read_only_disk(base):
        return _bad(key, "folder_read_only", base=base)
    try:
        st = base.stat()
    except OSError:
        st = None
    me = _account()
    if st is None:  # whose it is cannot be read
        if base == folder:
            return _bad(key, "folder_not_writable", base=base, user=_user())
        return _bad(key, "folder_not_writable_to_make", base=base, user=_user(), folder=folder)
    owner = _name(st.st_uid)
    if owner == me:  # its own, without the right to write
        return _bad(key, "folder_no_write", base=base, user=_user(), mode=f"{stat.S_IMODE(st.st_mode):04o}")
    if base != folder:  # made for the server's account; what is above it stays as it is
        return _bad(key, "folder_not_yours_to_make", base=base, user=_user(), folder=folder, owner=owner, me=me)
    if base.parent == base or base.parent in _SHARED_PARENTS:
        return _bad(key, "folder_of_the_system", base=base, user=_user(), owner=owner, me=me, example=base / "antrian")
    return _bad(key, "folder_not_yours", base=base, user=_user(), owner=owner, me=me)


def _read_only_disk(folder: Path) -> bool:
    """True when `folder`'s file system is mounted read-only."""
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


# What an OSError on one of the server's own files at a start means that no restart mends: the admin
# must (a file of another account, a folder where a file belongs, a read-only disk)
_NOT_MENDED_BY_A_RESTART = (errno.EACCES, errno.EPERM, errno.EROFS, errno.EISDIR, errno.ENOTDIR, errno.ELOOP)


def storage_error(server: ServerSettings, err: BaseException) -> ConfigError | None:
    """The config error of a database or data folder that passed check_storage but could not be used
    at a start: the database damaged or not opened (naming SQLite's cause), or a file of its own (the
    database's -wal, -shm or .lock, a file in the data folder) that a command run as another account
    made and this one may not open. None for anything else, and for what may pass by itself (a database
    another program holds locked, a full disk, a read error): the next start (systemd's, 3 s later) tries
    again, and comes back once the disk has room."""
    db = server.database
    if isinstance(err, sqlite3.DatabaseError):
        name = getattr(err, "sqlite_errorname", "") or ""
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_IOERR")) or "locked" in str(err):
            return None  # another program's lock, a full disk, a read error: may pass; systemd tries again
        if name.startswith("SQLITE_CORRUPT"):  # inside, past the header: `repair` may salvage every row
            return _bad("server.database", "damaged_inside", path=db, cause=err, backups=server.backup_dir)
        if name.startswith("SQLITE_NOTADB"):
            return _bad("server.database", "damaged", path=db, cause=err, backups=server.backup_dir)
        return database_error(server, err)
    if not isinstance(err, OSError) or not err.filename or err.errno not in _NOT_MENDED_BY_A_RESTART:
        return None
    path = Path(os.fsdecode(err.filename))
    if path.parent == db.parent and path.name.startswith(db.name):  # the database, its -wal, -shm, .lock
        key = "server.database"
    elif path.is_relative_to(server.data_dir):
        key = "server.data_dir"
    else:
        return None
    cause = err.strerror or str(err)
    owner = owner_name(path)
    if isinstance(err, PermissionError) and owner is not None and owner != _account():
        return _bad(key, "not_yours", path=path, cause=cause, owner=owner, me=_account())
    return _bad(key, "cannot_open", path=path, cause=cause)


def database_error(server: ServerSettings, cause: object) -> ConfigError:
    """The config error of a database that could not be opened, naming its path and the cause."""
    return _bad("server.database", "cannot_open", path=server.database, cause=cause)


def _account() -> str:
    """The name of the account this process runs as: its effective uid's (the uid when it has none)."""
    return _name(os.geteuid())


def owner_name(path: Path) -> str | None:
    """The name of the account owning `path` (its uid when it has none); None when it cannot be read."""
    try:
        return _name(path.stat().st_uid)
    except OSError:
        return None


def _name(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _user() -> Localized:
    return _words("user", name=_account())


def _path(base: Path, value: str) -> Path:
    p = Path(value)
    return p if p.is_absolute() else base / p


def _list(data: Any, key: str) -> list:
    if data is None:
        raise _bad(key, "list_missing", section=key)
    if not isinstance(data, list) or not data:
        raise _bad(key, "list_empty", section=key)
    return data


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, …"""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# What names an entry of an array of tables beside its number ("(id = 1)"), when written: its id, or its code.
_ENTRY_NAMES = {"services": "code", "counters": "id", "priority_classes": "code"}


def _entry_where(table: str, i: int, item: Any, rest: str) -> Localized:
    """The key `{table}[{i}]{rest}` as an admin reading config.toml names it, in Indonesian and English: the
    entry counted from 1 as the file lists its [[table]] headings, with its id or code as written when it has
    one, then the key: "[[counters]] ke-1 (id = 1), kunci name", "the 1st [[counters]] (id = 1), key name"."""
    params: dict[str, Any] = {"table": table, "nth": Localized(str(i + 1), _ordinal(i + 1))}  # "ke-1", "the 1st"
    name = _ENTRY_NAMES[table]
    value = item.get(name) if isinstance(item, dict) else None
    if isinstance(value, int) and not isinstance(value, bool):
        entry = _words("entry_named", **params, name=f"{name} = {value}")
    elif isinstance(value, str) and value.strip() and len(value) <= 40 and not _CONTROL.search(value):
        entry = _words("entry_named", **params, name=f"{name} = {json.dumps(value.strip(), ensure_ascii=False)}")
    else:
        entry = _words("entry", **params)
    if not rest:
        return entry
    return _words("entry_key", entry=entry, name=rest.removeprefix("."))


@contextmanager
def _entry(table: str, i: int, item: Any) -> Iterator[None]:
    """A config error of the i-th entry of [[table]] (its key `table[i]…`, as the parser and the admin page's
    inputs name it, counted from 0) said the admin's way (_entry_where); the key stays as it is."""
    try:
        yield
    except ConfigError as err:
        prefix = f"{table}[{i}]"
        if err.key is None or err.problem is None or not err.key.startswith(prefix):
            raise
        where = _entry_where(table, i, item, err.key[len(prefix) :])
        raise ConfigError(f"{where.en_text}: {err.problem.en_text}", err.key, err.problem, where) from err


def _services(data: Any) -> tuple[Service, ...]:
    out: list[Service] = []
    # what the rows before took, looked up in a set: an any() over them made a list of 1,000 rows (_LIST_MAX) a
    # quarter of a second of the server's CPU, spent 30 times by a refused save (server.admin.every_config_error)
    codes, names, prefixes = set(), set(), set()
    for i, item in enumerate(_list(data, "services")):
        with _entry("services", i, item):
            t = _Table(item, f"services[{i}]")
            t.unknown(_keys(Service))
            code = _get(t, Service, "code")
            if code in codes:
                raise _bad(f"services[{i}].code", "duplicate_code", code=repr(code))
            name = _get(t, Service, "name")
            if name.casefold() in names:
                raise _bad(f"services[{i}].name", "service_name_taken", name=repr(name))
            prefix = _get(t, Service, "prefix", code)
            if prefix in prefixes:
                raise _bad(f"services[{i}].prefix", "duplicate_prefix", prefix=repr(prefix))
            codes.add(code)
            names.add(name.casefold())
            prefixes.add(prefix)
            quota = None
            if t.data.get("daily_quota") is not None:  # null (the admin page's "none") is as absent
                quota = _get(t, Service, "daily_quota")
            out.append(_parse(Service, t, code=code, prefix=prefix, daily_quota=quota))
    return tuple(out)


# A time as config.toml writes it (13:00), or as the pages show it (13.00, the Indonesian way); the dash
# may be an en dash (08.00–12.00) and have spaces around it.
_RANGE = re.compile(r"^(\d{1,2})[:.](\d{2})\s*[-\u2013]\s*(\d{1,2})[:.](\d{2})$")


def _day_ranges(key: str, text: str) -> tuple[tuple[int, int], ...]:
    """ "08:00-12:00, 13:00-16:00" (or "08.00-12.00, 13.00-16.00") as ((480, 720), (780, 960)); "" is
    closed all day. Ranges in order, none overlapping, each ending after it starts, 24:00 the latest end."""
    if not text.strip():
        return ()
    out: list[tuple[int, int]] = []
    for part in text.split(","):
        m = _RANGE.match(part.strip())
        if not m:
            raise _bad(key, "not_range", range=repr(part.strip()))
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise _bad(key, "not_time", range=repr(part.strip()))
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            raise _bad(key, "range_backwards", range=repr(part.strip()))
        if out and start < out[-1][1]:
            raise _bad(key, "range_order", range=repr(part.strip()))
        out.append((start, end))
    return tuple(out)


def format_day_ranges(ranges: tuple[tuple[int, int], ...]) -> str:
    """The ranges as config.toml writes them: "08:00-12:00, 13:00-16:00" ("" for closed)."""
    return ", ".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in ranges)


def normal_hours(value: Any) -> Any:
    """An [hours] section as config.toml writes it: each day's ranges that parse in the stored form
    ("13.00-16.00" is "13:00-16:00"); anything else as it is, for the parser to name."""
    if not isinstance(value, dict):
        return value
    out = dict(value)
    for day in WEEKDAYS:
        if isinstance(out.get(day), str):
            # a day that does not parse stays as typed: the settings' parser names it with its key next
            with suppress(ConfigError):
                out[day] = format_day_ranges(_day_ranges(f"hours.{day}", out[day]))
    return out


def _hours(data: Any) -> HoursSettings:
    if data is None:
        return HoursSettings()
    t = _Table(data, "hours")
    t.unknown(_keys(HoursSettings))
    days = []
    for day in WEEKDAYS:
        if day not in t.data:
            raise _bad(f"hours.{day}", "day_missing")
        days.append(_day_ranges(t.key(day), t.get(day, str)))
    return _parse(HoursSettings, t, enabled=True, days=tuple(days))


def _counters(data: Any, codes: set[str], printers: dict) -> tuple[Counter, ...]:
    out: list[Counter] = []
    ids, names = set(), set()  # the rows before's, in sets (_services)
    for i, item in enumerate(_list(data, "counters")):
        with _entry("counters", i, item):
            t = _Table(item, f"counters[{i}]")
            t.unknown(_keys(Counter))
            cid = _get(t, Counter, "id")
            if cid in ids:
                raise _bad(f"counters[{i}].id", "duplicate_id", id=cid)
            name = _get(t, Counter, "name")
            if name.casefold() in names:
                raise _bad(f"counters[{i}].name", "counter_name_taken", name=repr(name))
            services = _get(t, Counter, "services")
            for s in services:
                if not isinstance(s, str) or s not in codes:
                    raise _bad(f"counters[{i}].services", "unknown_service", service=_shown(s))
            if len(set(services)) != len(services):
                raise _bad(f"counters[{i}].services", "service_twice")
            printer = {"printer": _in_printers(printers)}
            out.append(_parse(Counter, t, printer, id=cid, name=name, services=services))
            ids.add(cid)
            names.add(name.casefold())
    return tuple(out)


def _printers(data: Any, base_dir: Path) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _bad("printers", "printers_table")
    from printers.config import PrinterConfig, PrinterConfigError

    out = {}
    for name, table in data.items():
        check_single_line(f"printers.{name!r}", name)
        if not isinstance(table, dict):
            raise _bad(f"printers.{name}", "table")
        try:
            cfg = PrinterConfig.from_dict(name, table)
        except PrinterConfigError as err:  # printers/ reads the catalogue's words itself (shared/words.py)
            raise _said(err.key, Localized(err.id_text, err.en_text)) from err
        for key in ("host", "device", "path", "cups_printer", "profile"):
            if isinstance(getattr(cfg, key), str):
                check_single_line(cfg.config_key(key), getattr(cfg, key))
        if cfg.type == "file" and not Path(cfg.path).is_absolute():
            cfg = replace(cfg, path=str(base_dir / cfg.path))
        if cfg.type == "file" and Path(cfg.path).is_dir():
            raise _bad(cfg.config_key("path"), "printer.path_is_folder", path=cfg.path)
        out[name] = cfg
    return out


def _tts(data: Any, base_dir: Path) -> TtsSettings:
    t = _Table(data, "tts", required=False)
    t.unknown(_keys(TtsSettings))
    tts = _parse(TtsSettings, t)
    from server.tts import TemplateError, validate_template

    for key in ("template", "template_en"):
        try:
            validate_template(getattr(tts, key))
        except TemplateError as err:
            raise _bad(f"tts.{key}", f"template.{err.code}", **err.params) from err
    both_ways = [word for word in tts.spell_out if word in tts.say_as_word]
    if both_ways:
        raise _bad("tts.spell_out", "acronym_both", word=both_ways[0])
    if tts.engine == "clips" and not tts.clips:
        raise _bad("tts.clips", "clips_required")
    if tts.clips:
        clips = _path(base_dir, tts.clips)
        if not clips.is_dir():
            raise _bad("tts.clips", "not_clips_folder", path=clips)
        tts = replace(tts, clips=str(clips))
    if tts.chime:
        chime = _path(base_dir, tts.chime)
        from server.voice import ClipError, read_clip

        try:
            read_clip(chime.read_bytes())
        except (OSError, ClipError) as err:
            raise _bad("tts.chime", "chime", path=chime, why=_chime_why(err)) from err
        tts = replace(tts, chime=str(chime))
    return tts


def _chime_why(err: Exception) -> Localized:
    """Why [tts] chime's file is not a usable WAV file (read_clip's ClipError, or the file not read), in both
    languages."""
    if isinstance(err, FileNotFoundError):
        return _words("file.not_found")
    if isinstance(err, IsADirectoryError):
        return _words("clip.is_folder")
    if isinstance(err, PermissionError):
        return _words("file.not_readable", user=_user())
    if isinstance(err, OSError):
        return _words("file.cannot_read", cause=err.strerror or err)
    return _words(f"clip.{err.code}", **err.params)


# An address as it goes into the From and To headers and the SMTP envelope: ASCII (the mail is sent
# without SMTPUTF8), no display name, no spaces, a dotted domain.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+$")
_ADDRESS_WHY = _words("why.email")


def _is_address(value: str) -> bool:
    return len(value) <= 254 and bool(_ADDRESS.match(value))


def _escalation(data: Any) -> EscalationSettings:
    t = _Table(data, "escalation", required=False)
    t.unknown(_keys(EscalationSettings))
    enabled = _get(t, EscalationSettings, "enabled")
    mail_check = (lambda v: _is_address(v)) if enabled else (lambda v: v == "" or _is_address(v))
    mail = (mail_check, _ADDRESS_WHY)
    return _parse(EscalationSettings, t, {"sender": mail, "to": mail}, enabled=enabled)


def _agents(data: Any, printers: dict[str, Any]) -> dict[str, str]:
    t = _Table(data, "agents", required=False)
    out = {}
    for name in t.data:
        if name not in printers:
            homes = _homes_of(name, t.data[name], "agents")
            if homes:  # a line appended at the end of config.toml falls into [agents], its last table
                raise _elsewhere(f"agents.{name}", homes)
            raise _bad(f"agents.{name}", "why.no_printer")
        out[name] = t.get(name, str, check=_ENV_NAME.match, why=_words("why.env_name"))
    return out


def _priority_classes(data: Any) -> tuple[PriorityClass, ...]:
    if data is None:
        return ()
    out: list[PriorityClass] = []
    for i, item in enumerate(_list(data, "priority_classes")):
        with _entry("priority_classes", i, item):
            t = _Table(item, f"priority_classes[{i}]")
            t.unknown(_keys(PriorityClass))
            code = _get(t, PriorityClass, "code")
            if any(p.code == code for p in out):
                raise _bad(f"priority_classes[{i}].code", "duplicate_code", code=repr(code))
            out.append(_parse(PriorityClass, t, code=code))
    return tuple(out)
