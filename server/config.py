"""config.toml parsed into frozen, typed settings; a bad value names its key."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(Exception):
    """A missing or bad configuration value; the message names the key."""


@dataclass(frozen=True)
class Office:
    name: str
    address: str
    timezone: str
    public_url: str
    language: str = "id"

    @property
    def tz(self) -> ZoneInfo:
        """The office's time zone."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    prefix: str
    daily_quota: int | None = None  # numbers a day (cancelled ones not counted); None: no limit


@dataclass(frozen=True)
class Counter:
    id: int
    name: str
    services: tuple[str, ...]
    printer: str = ""


@dataclass(frozen=True)
class QueueSettings:
    max_calls: int = 3
    max_requeues: int = 1
    auto_recall_seconds: int = 0
    rate_limit_per_minute: int = 120
    counter_release_minutes: int = 10  # a counter whose officer has no counter page open this long is freed


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class HoursSettings:
    """Service hours ([hours]): per weekday (Monday first) its opening ranges in minutes after local midnight,
    the holidays (YYYY-MM-DD), and how long before each close the kiosk stops issuing numbers. Without an
    [hours] table (`enabled` False) the office is always open."""

    enabled: bool = False
    days: tuple[tuple[tuple[int, int], ...], ...] = ((),) * 7
    holidays: tuple[str, ...] = ()
    last_ticket_minutes: int = 0


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    database: Path
    data_dir: Path
    # Below this much free space on the database's or the data folder's disk, the front office and
    # admin pages warn (tickets are still issued for as long as SQLite can write); 0: no warning.
    min_free_mb: int = 500


@dataclass(frozen=True)
class LimitSettings:
    """What one device (an address) may hold and ask of the server (docs/operations.md, "Security")."""

    connections_per_address: int = 64
    requests_per_minute: int = 1200
    exempt: tuple[str, ...] = ()  # addresses with no per-address limits: a reverse proxy on this PC
    idle_seconds: int = 15  # a connection with no request line this long after it opened or was answered
    header_seconds: int = 10  # from the request line to the end of the headers
    body_seconds: int = 30  # a whole request body


@dataclass(frozen=True)
class KioskSettings:
    printer: str = ""
    idle_seconds: int = 60
    footer: str = ""
    addresses: tuple[str, ...] = ()  # networks that may take a number without a login; () = any

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


@dataclass(frozen=True)
class TtsSettings:
    enabled: bool = True
    voice: str = "id"
    rate: int = 150
    repeat: int = 1
    output: str = "display"
    player: tuple[str, ...] = ()  # output = "server": the command before the WAV's path; () = aplay or paplay
    template: str = "Nomor antrian, {letter}, {number}. Silakan menuju, {counter}."
    template_en: str = "Queue number, {letter}, {number}. Please go to, {counter}."
    cache_mb: int = 200  # the speech files kept on disk, least recently used removed first


@dataclass(frozen=True)
class EscalationSettings:
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 25
    security: str = "none"
    username: str = ""
    sender: str = ""
    to: str = ""
    password_env: str = "ANTRIAN_SMTP_PASSWORD"


@dataclass(frozen=True)
class SlaSettings:
    form_minutes: int = 5
    waiting_minutes: int = 5
    service_minutes: int = 30
    escalation_minutes: int = 5
    copy_minutes: int = 10


@dataclass(frozen=True)
class PriorityClass:
    code: str
    name: str
    description: str
    target_minutes: int


@dataclass(frozen=True)
class Settings:
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
    source: Path | None = None

    def service(self, code: str) -> Service | None:
        """The service with this code, or None."""
        return next((s for s in self.services if s.code == code), None)

    def counter(self, counter_id: int) -> Counter | None:
        """The counter with this id, or None."""
        return next((c for c in self.counters if c.id == counter_id), None)


_CODE = re.compile(r"^[A-Z]{1,3}$")

# Control characters (C0, DEL, C1) and Unicode's line and paragraph separators. No setting is more than
# one line of text: a CR LF in the office name would end every escalation mail's Subject header, an ESC
# in a footer would reach the printer as a command, a NUL would cut a file name or an argument short.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_ONE_LINE = "must be one line of text without control characters (line break, tab, NUL, ESC)"


def check_single_line(key: str, value: str) -> str:
    """`value` when it is one line of text without control characters; else ConfigError naming `key`."""
    if _CONTROL.search(value):
        raise ConfigError(f"{key}: {_ONE_LINE} (got {value!r})")
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
}
_TEXT_MAX = 2000


def _text_setting(key: str, value: str) -> str:
    """A text setting as server/forms.py cleans what people type: valid Unicode (an admin's JSON can
    hold a lone surrogate, which SQLite cannot store), NFC, within its length limit."""
    import unicodedata

    from server.forms import text_problem

    if text_problem(value) == "invalid_unicode":
        raise ConfigError(f"{key}: not valid Unicode text (a lone surrogate such as \\ud800)")
    limit = _TEXT_LIMITS.get(re.sub(r"\[\d+\]", "", key), _TEXT_MAX)
    if len(value) > limit:
        raise ConfigError(f"{key}: too long ({len(value)} characters; at most {limit})")
    return unicodedata.normalize("NFC", value)


class _Table:
    """Reads typed values out of one TOML table, naming the key on error."""

    def __init__(self, data: Any, path: str, required: bool = True):
        if data is None and not required:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: must be a table")
        self.data = data
        self.path = path

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def get(self, name: str, kind: type, default: Any = ..., check=None, why: str = "") -> Any:
        if name not in self.data:
            if default is ...:
                raise ConfigError(f"{self.key(name)}: missing")
            return default
        value = self.data[name]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            raise ConfigError(f"{self.key(name)}: must be {_KIND_NAMES[kind]}, not {value!r}")
        if kind is str:
            value = check_single_line(self.key(name), _text_setting(self.key(name), value.strip()))
        if kind is list:
            for item in value:
                if isinstance(item, str):
                    check_single_line(self.key(name), item)
        if check is not None and not check(value):
            raise ConfigError(f"{self.key(name)}: {why} (got {value!r})")
        return value

    def unknown(self, allowed: set[str]) -> None:
        extra = sorted(set(self.data) - allowed)
        if extra:
            raise ConfigError(f"{self.key(extra[0])}: unknown key")


_KIND_NAMES = {str: "a string", int: "an integer", bool: "true or false", float: "a number", list: "a list"}


def _nonempty(v: str) -> bool:
    return bool(v)


def _networks(items: list, key: str) -> tuple[str, ...]:
    """IP addresses or networks ("192.168.1.20", "192.168.1.0/28"), checked and written alike."""
    import ipaddress

    out = []
    for item in items:
        try:
            out.append(str(ipaddress.ip_network(item, strict=False)))
        except (TypeError, ValueError) as err:
            raise ConfigError(f"{key}: {item!r} is not an IP address or network") from err
    return tuple(out)


def _limits(data: Any) -> LimitSettings:
    import ipaddress

    t = _Table(data, "limits", required=False)
    t.unknown(
        {"connections_per_address", "requests_per_minute", "exempt", "idle_seconds", "header_seconds", "body_seconds"}
    )
    exempt = t.get("exempt", list, [])
    for item in exempt:
        try:
            ipaddress.ip_address(item)
        except (TypeError, ValueError) as err:
            raise ConfigError(f"limits.exempt: {item!r} is not an IP address") from err
    return LimitSettings(
        connections_per_address=t.get(
            "connections_per_address", int, 64, check=lambda v: 8 <= v <= 10000, why="must be 8-10000"
        ),
        requests_per_minute=t.get(
            "requests_per_minute", int, 1200, check=lambda v: 60 <= v <= 1_000_000, why="must be 60-1000000"
        ),
        exempt=tuple(str(ipaddress.ip_address(a)) for a in exempt),
        idle_seconds=t.get("idle_seconds", int, 15, check=lambda v: 1 <= v <= 600, why="must be 1-600"),
        header_seconds=t.get("header_seconds", int, 10, check=lambda v: 1 <= v <= 600, why="must be 1-600"),
        body_seconds=t.get("body_seconds", int, 30, check=lambda v: 1 <= v <= 600, why="must be 1-600"),
    )


def load_settings(path: str | Path) -> Settings:
    """Read and check config.toml; raises ConfigError naming the bad key."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ConfigError(f"{path}: file not found") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from err
    return parse_settings(raw, base_dir=path.resolve().parent, source=path)


def parse_settings(raw: dict, base_dir: Path, source: Path | None = None) -> Settings:
    """Turn a parsed TOML document into Settings; raises ConfigError naming the key."""
    top = _Table(raw, "")
    top.unknown(
        {"office", "server", "queue", "services", "counters", "kiosk", "printers", "tts"}
        | {"escalation", "sla", "priority_classes", "agents", "limits", "hours"}
    )

    t = _Table(raw.get("office"), "office")
    tz = t.get("timezone", str, "Asia/Jakarta")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ConfigError(f"office.timezone: unknown time zone {tz!r}") from err
    office = Office(
        name=t.get("name", str, check=_nonempty, why="must not be empty"),
        address=t.get("address", str, ""),
        timezone=tz,
        public_url=t.get(
            "public_url",
            str,
            check=lambda v: v.startswith(("http://", "https://")),
            why="must start with http:// or https://",
        ).rstrip("/"),
        language=t.get("language", str, "id", check=lambda v: v in ("id", "en"), why="must be id or en"),
    )
    t.unknown({"name", "address", "timezone", "public_url", "language"})

    t = _Table(raw.get("server"), "server", required=False)
    t.unknown({"host", "port", "database", "data_dir", "min_free_mb"})
    server = ServerSettings(
        host=t.get("host", str, "127.0.0.1", check=_nonempty, why="must not be empty"),
        port=t.get("port", int, 8080, check=lambda v: 1 <= v <= 65535, why="must be 1-65535"),
        database=_path(base_dir, t.get("database", str, "var/antrian.db", check=_nonempty, why="must not be empty")),
        data_dir=_path(base_dir, t.get("data_dir", str, "var", check=_nonempty, why="must not be empty")),
        min_free_mb=t.get(
            "min_free_mb", int, 500, check=lambda v: v >= 0, why="must be 0 or more (megabytes; 0: no warning)"
        ),
    )

    t = _Table(raw.get("queue"), "queue", required=False)
    t.unknown({"max_calls", "max_requeues", "auto_recall_seconds", "rate_limit_per_minute", "counter_release_minutes"})
    queue = QueueSettings(
        max_calls=t.get("max_calls", int, 3, check=lambda v: 1 <= v <= 10, why="must be 1-10"),
        max_requeues=t.get("max_requeues", int, 1, check=lambda v: 0 <= v <= 10, why="must be 0-10"),
        auto_recall_seconds=t.get(
            "auto_recall_seconds", int, 0, check=lambda v: v == 0 or 5 <= v <= 3600, why="must be 0 or 5-3600"
        ),
        rate_limit_per_minute=t.get(
            "rate_limit_per_minute", int, 120, check=lambda v: v >= 1, why="must be at least 1"
        ),
        counter_release_minutes=t.get(
            "counter_release_minutes", int, 10, check=lambda v: 1 <= v <= 1440, why="must be 1-1440"
        ),
    )

    services = _services(raw.get("services"))
    codes = {s.code for s in services}
    printers = _printers(raw.get("printers"), base_dir)
    counters = _counters(raw.get("counters"), codes, printers)

    t = _Table(raw.get("kiosk"), "kiosk", required=False)
    t.unknown({"printer", "idle_seconds", "footer", "addresses"})
    kiosk = KioskSettings(
        printer=t.get("printer", str, "", check=lambda v: v == "" or v in printers, why="names no [printers.*] table"),
        idle_seconds=t.get("idle_seconds", int, 60, check=lambda v: 10 <= v <= 3600, why="must be 10-3600"),
        footer=t.get("footer", str, ""),
        addresses=_networks(t.get("addresses", list, []), "kiosk.addresses"),
    )

    tts = _tts(raw.get("tts"))
    escalation = _escalation(raw.get("escalation"))

    t = _Table(raw.get("sla"), "sla", required=False)
    names = ("form_minutes", "waiting_minutes", "service_minutes", "escalation_minutes", "copy_minutes")
    t.unknown(set(names))
    sla = SlaSettings(
        **{
            n: t.get(n, int, getattr(SlaSettings, n), check=lambda v: 1 <= v <= 1440, why="must be 1-1440")
            for n in names
        }
    )

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
        source=source,
    )


def check_storage(server: ServerSettings) -> None:
    """The database file and the data folder can be used by this user; else ConfigError naming the key.

    Checked before anything opens them, so that a database path that is a folder, lies under a file,
    or sits in a folder this user cannot write (SQLite writes its -wal and -shm files beside the
    database) stops a command with one line instead of a traceback."""
    db = server.database
    key = "server.database"
    if db.is_dir():
        raise ConfigError(f"{key}: {db} is a folder; give the database file's path, e.g. {db / 'antrian.db'}")
    _check_folder(key, db.parent, "the database's folder")
    if db.exists():
        if not db.is_file():
            raise ConfigError(f"{key}: {db} is not a regular file")
        if not os.access(db, os.R_OK | os.W_OK):
            raise ConfigError(f"{key}: {db} is not readable and writable by {_user()}")
        with open(db, "rb") as f:
            head = f.read(16)
        if head and head != b"SQLite format 3\x00":
            raise ConfigError(f"{key}: {db} is not an SQLite database (another file at that path?)")
    if server.data_dir.exists() and not server.data_dir.is_dir():
        raise ConfigError(f"server.data_dir: {server.data_dir} is a file, not a folder")
    _check_folder("server.data_dir", server.data_dir, "the data folder")


def _check_folder(key: str, folder: Path, what: str) -> None:
    """`folder` exists and is writable, or can be made: its nearest existing ancestor is a writable folder."""
    base = folder
    while not base.exists() and base != base.parent:
        base = base.parent
    if not base.is_dir():
        raise ConfigError(f"{key}: {base} is a file, so {what} {folder} cannot be made")
    if not os.access(base, os.W_OK | os.X_OK):
        made = "" if base == folder else f" (to make {folder})"
        raise ConfigError(f"{key}: the folder {base} is not writable by {_user()}{made}")


def _user() -> str:
    try:
        import getpass

        return f"user {getpass.getuser()}"
    except (KeyError, OSError):
        return f"uid {os.geteuid()}"


def _path(base: Path, value: str) -> Path:
    p = Path(value)
    return p if p.is_absolute() else base / p


def _list(data: Any, key: str) -> list:
    if data is None:
        raise ConfigError(f"{key}: missing (at least one [[{key}]] table)")
    if not isinstance(data, list) or not data:
        raise ConfigError(f"{key}: must be a non-empty list of tables ([[{key}]])")
    return data


def _services(data: Any) -> tuple[Service, ...]:
    out: list[Service] = []
    for i, item in enumerate(_list(data, "services")):
        t = _Table(item, f"services[{i}]")
        t.unknown({"code", "name", "prefix", "daily_quota"})
        code = t.get("code", str, check=_CODE.match, why="must be 1-3 capital letters")
        if any(s.code == code for s in out):
            raise ConfigError(f"services[{i}].code: duplicate code {code!r}")
        prefix = t.get("prefix", str, code, check=_CODE.match, why="must be 1-3 capital letters")
        if any(s.prefix == prefix for s in out):
            raise ConfigError(f"services[{i}].prefix: duplicate prefix {prefix!r}")
        quota = None
        if t.data.get("daily_quota") is not None:  # null (the admin page's "none") is as absent
            quota = t.get("daily_quota", int, check=lambda v: 1 <= v <= 9999, why="must be 1-9999 (or absent: none)")
        out.append(
            Service(
                code=code,
                name=t.get("name", str, check=_nonempty, why="must not be empty"),
                prefix=prefix,
                daily_quota=quota,
            )
        )
    return tuple(out)


_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


def _day_ranges(key: str, text: str) -> tuple[tuple[int, int], ...]:
    """ "08:00-12:00, 13:00-16:00" as ((480, 720), (780, 960)); "" is closed all day. Ranges in order,
    none overlapping, each ending after it starts, 24:00 the latest end."""
    if not text.strip():
        return ()
    out: list[tuple[int, int]] = []
    for part in text.split(","):
        m = _RANGE.match(part.strip())
        if not m:
            raise ConfigError(f'{key}: {part.strip()!r} is not a range like "08:00-12:00" (24-hour HH:MM-HH:MM)')
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise ConfigError(f"{key}: {part.strip()!r} is not a time of day (00:00-24:00)")
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            raise ConfigError(f"{key}: {part.strip()!r} must end after it starts")
        if out and start < out[-1][1]:
            raise ConfigError(f"{key}: {part.strip()!r} starts before the range before it ends (write them in order)")
        out.append((start, end))
    return tuple(out)


def format_day_ranges(ranges: tuple[tuple[int, int], ...]) -> str:
    """The ranges as config.toml writes them: "08:00-12:00, 13:00-16:00" ("" for closed)."""
    return ", ".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in ranges)


def _hours(data: Any) -> HoursSettings:
    if data is None:
        return HoursSettings()
    from server.forms import parse_day

    t = _Table(data, "hours")
    t.unknown({*WEEKDAYS, "holidays", "last_ticket_minutes"})
    days = []
    for day in WEEKDAYS:
        if day not in t.data:
            raise ConfigError(f'hours.{day}: missing (every day of the week is named; "" = closed all day)')
        days.append(_day_ranges(t.key(day), t.get(day, str)))
    holidays = t.get("holidays", list, [])
    for item in holidays:
        if parse_day(item) is None:
            raise ConfigError(f"hours.holidays: {item!r} is not a date written YYYY-MM-DD")
    return HoursSettings(
        enabled=True,
        days=tuple(days),
        holidays=tuple(sorted(set(holidays))),
        last_ticket_minutes=t.get("last_ticket_minutes", int, 0, check=lambda v: 0 <= v <= 240, why="must be 0-240"),
    )


def _counters(data: Any, codes: set[str], printers: dict) -> tuple[Counter, ...]:
    out: list[Counter] = []
    for i, item in enumerate(_list(data, "counters")):
        t = _Table(item, f"counters[{i}]")
        t.unknown({"id", "name", "services", "printer"})
        cid = t.get("id", int, check=lambda v: 1 <= v <= 999, why="must be 1-999")
        if any(c.id == cid for c in out):
            raise ConfigError(f"counters[{i}].id: duplicate id {cid}")
        services = t.get("services", list, check=lambda v: len(v) > 0, why="must name at least one service")
        for s in services:
            if not isinstance(s, str) or s not in codes:
                raise ConfigError(f"counters[{i}].services: unknown service {s!r}")
        out.append(
            Counter(
                id=cid,
                name=t.get("name", str, check=_nonempty, why="must not be empty"),
                services=tuple(services),
                printer=t.get(
                    "printer", str, "", check=lambda v: v == "" or v in printers, why="names no [printers.*] table"
                ),
            )
        )
    return tuple(out)


def _printers(data: Any, base_dir: Path) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError("printers: must be a table of [printers.NAME] tables")
    from printers import PrinterConfig

    out = {}
    for name, table in data.items():
        check_single_line(f"printers.{name!r}", name)
        if not isinstance(table, dict):
            raise ConfigError(f"printers.{name}: must be a table")
        try:
            cfg = PrinterConfig.from_dict(name, table)
        except ValueError as err:
            raise ConfigError(str(err)) from err
        for key in ("host", "device", "path", "cups_printer", "profile"):
            if isinstance(getattr(cfg, key), str):
                check_single_line(cfg.config_key(key), getattr(cfg, key))
        if cfg.type == "file" and not Path(cfg.path).is_absolute():
            cfg = replace(cfg, path=str(base_dir / cfg.path))
        out[name] = cfg
    return out


def _tts(data: Any) -> TtsSettings:
    t = _Table(data, "tts", required=False)
    t.unknown({"enabled", "voice", "rate", "repeat", "output", "player", "template", "template_en", "cache_mb"})
    d = TtsSettings()
    tts = TtsSettings(
        enabled=t.get("enabled", bool, d.enabled),
        voice=t.get("voice", str, d.voice, check=_nonempty, why="must not be empty"),
        rate=t.get("rate", int, d.rate, check=lambda v: 60 <= v <= 400, why="must be 60-400"),
        repeat=t.get("repeat", int, d.repeat, check=lambda v: 1 <= v <= 3, why="must be 1-3"),
        output=t.get(
            "output", str, d.output, check=lambda v: v in ("display", "server"), why="must be display or server"
        ),
        player=tuple(
            t.get(
                "player",
                list,
                list(d.player),
                check=lambda v: len(v) <= 20 and all(isinstance(a, str) and a.strip() for a in v),
                why='must be a command as a list of words, e.g. ["aplay", "-q", "-D", "plughw:1,0"]',
            )
        ),
        template=t.get("template", str, d.template),
        template_en=t.get("template_en", str, d.template_en),
        cache_mb=t.get("cache_mb", int, d.cache_mb, check=lambda v: 1 <= v <= 100_000, why="must be 1-100000"),
    )
    from server.tts import validate_template

    for key in ("template", "template_en"):
        try:
            validate_template(getattr(tts, key))
        except ValueError as err:
            raise ConfigError(f"tts.{key}: {err}") from err
    return tts


# An address as it goes into the From and To headers and the SMTP envelope: ASCII (the mail is sent
# without SMTPUTF8), no display name, no spaces, a dotted domain.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+$")
_ADDRESS_WHY = "must be one e-mail address such as helpdesk@lkpp.go.id (ASCII, no name, no spaces)"
_HOST = re.compile(r"^[A-Za-z0-9._:\[\]-]+$")


def _is_address(value: str) -> bool:
    return len(value) <= 254 and bool(_ADDRESS.match(value))


def _escalation(data: Any) -> EscalationSettings:
    t = _Table(data, "escalation", required=False)
    t.unknown({"enabled", "host", "port", "security", "username", "from", "to", "password_env"})
    enabled = t.get("enabled", bool, False)
    mail_check = (lambda v: _is_address(v)) if enabled else (lambda v: v == "" or _is_address(v))
    return EscalationSettings(
        enabled=enabled,
        host=t.get("host", str, "127.0.0.1", check=_HOST.match, why="must be a host name or an IP address"),
        port=t.get("port", int, 25, check=lambda v: 1 <= v <= 65535, why="must be 1-65535"),
        security=t.get(
            "security",
            str,
            "none",
            check=lambda v: v in ("none", "starttls", "ssl"),
            why="must be none, starttls or ssl",
        ),
        username=t.get("username", str, ""),
        sender=t.get("from", str, "", check=mail_check, why=_ADDRESS_WHY),
        to=t.get("to", str, "", check=mail_check, why=_ADDRESS_WHY),
        password_env=t.get("password_env", str, "ANTRIAN_SMTP_PASSWORD", check=_nonempty, why="must not be empty"),
    )


def _agents(data: Any, printers: dict[str, Any]) -> dict[str, str]:
    t = _Table(data, "agents", required=False)
    env_name = re.compile(r"^[A-Z_][A-Z0-9_]*$")
    out = {}
    for name in t.data:
        if name not in printers:
            raise ConfigError(f"agents.{name}: names no [printers.*] table")
        out[name] = t.get(name, str, check=env_name.match, why="must be the name of an environment variable")
    return out


def _priority_classes(data: Any) -> tuple[PriorityClass, ...]:
    if data is None:
        return ()
    out: list[PriorityClass] = []
    for i, item in enumerate(_list(data, "priority_classes")):
        t = _Table(item, f"priority_classes[{i}]")
        t.unknown({"code", "name", "description", "target_minutes"})
        code = t.get("code", str, check=_nonempty, why="must not be empty")
        if any(p.code == code for p in out):
            raise ConfigError(f"priority_classes[{i}].code: duplicate code {code!r}")
        out.append(
            PriorityClass(
                code=code,
                name=t.get("name", str, check=_nonempty, why="must not be empty"),
                description=t.get("description", str, ""),
                target_minutes=t.get("target_minutes", int, check=lambda v: v >= 1, why="must be at least 1"),
            )
        )
    return tuple(out)
