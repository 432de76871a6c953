"""Printer settings from one [printers.NAME] table, and the one error every device failure becomes."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from printers._escpos import PROFILE_NAMES
from shared.words import word

PRINTER_TYPES: tuple[str, ...] = ("usb", "network", "serial", "file", "cups", "dummy")

# Transports that can answer a DLE EOT status query.
STATUS_TYPES = ("network", "usb", "serial")
# check_status's values: ask the printer's status before and after every job (True), never (False), or learn at
# the printer's first job whether it answers and ask from then on only if it did ("auto", the default).
STATUS_AUTO = "auto"


class PrinterError(Exception):
    """A printer could not be reached or did not take the job; the message is short and human (English: the log,
    the print job's record, which server/advice.py reads). `said`, when the catalogue has words for it
    (`printer.reason.*`, `printer.while.*`): the failure without its "printer NAME: " in Indonesian and English,
    (id_text, en_text); else None, and the English message is all there is."""

    def __init__(self, message: str, said: tuple[str, str] | None = None):
        super().__init__(message)
        self.said = said


class PrinterConfigError(ValueError):
    """A bad [printers.NAME] table or value. str() is the English "key: problem"; `key` names it, and
    `id_text` and `en_text` are the problem in Indonesian and English: the catalogue's `config.printer.*`
    (or a `config.*` the other tables say too), read through shared/words.py, as printers/ may not import
    server/ (the print agent reads config.toml on a kiosk PC). server/config.py makes it a ConfigError."""

    def __init__(self, key: str, code: str, /, **params: object):
        self.key = key
        self.id_text, self.en_text = (word(f"config.{code}", lang).format(**params) for lang in ("id", "en"))
        super().__init__(f"{key}: {self.en_text}")


_BRACKETED_PORT = re.compile(r"\[[0-9A-Fa-f:.%\w]+\]:\d+")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _status_ok(v: Any) -> bool:
    return v is True or v is False or v == STATUS_AUTO


def _profile_ok(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v in PROFILE_NAMES)


def _endpoint_ok(direction_in: bool) -> Callable[[Any], bool]:
    """An endpoint address of one direction (bit 7: 1 IN, 0 OUT) with a number 1-15; None: the device's own."""
    base = 0x80 if direction_in else 0x00
    return lambda v: v is None or (_is_int(v) and base + 0x01 <= v <= base + 0x0F)


# Each key's check, and the catalogue's `config.printer.<code>` its error says (with the types for `type`).
_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "type": (lambda v: v in PRINTER_TYPES, "type"),
    "profile": (_profile_ok, "profile"),
    "width_mm": (lambda v: _is_int(v) and v in (58, 80), "width_mm"),
    "host": (lambda v: isinstance(v, str), "string"),
    "port": (lambda v: _is_int(v) and 1 <= v <= 65535, "port"),
    # at least 0.1 s: a usb printer's is given in whole milliseconds, and 0 there is no timeout at all (a stalled
    # printer held the print worker for ever); a network printer's smaller failed every ticket at once
    "timeout": (lambda v: _is_number(v) and 0.1 <= v <= 300, "timeout"),
    "vendor_id": (lambda v: _is_int(v) and 0 <= v <= 0xFFFF, "usb_id"),
    "product_id": (lambda v: _is_int(v) and 0 <= v <= 0xFFFF, "usb_id"),
    "out_ep": (_endpoint_ok(False), "out_ep"),
    "in_ep": (_endpoint_ok(True), "in_ep"),
    "device": (lambda v: isinstance(v, str), "string"),
    "baudrate": (lambda v: _is_int(v) and 50 <= v <= 4_000_000, "baudrate"),
    "path": (lambda v: isinstance(v, str), "string"),
    "cups_printer": (lambda v: isinstance(v, str), "string"),
    "check_status": (_status_ok, "check_status"),
    "echo": (lambda v: isinstance(v, bool), "bool"),
}
_TYPES = ", ".join(PRINTER_TYPES)

# The keys one transport reads and the others do not (the rest every printer reads: type, profile, width_mm, timeout,
# check_status, echo): another type's key in a table is ignored (PrinterConfig.ignored).
TYPE_KEYS: dict[str, tuple[str, ...]] = {
    "network": ("host", "port"),
    "usb": ("vendor_id", "product_id", "out_ep", "in_ep"),
    "serial": ("device", "baudrate"),
    "file": ("path",),
    "cups": ("cups_printer",),
    "dummy": (),
}

# What each transport cannot work without.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "network": ("host",),
    "usb": ("vendor_id", "product_id"),
    "serial": ("device",),
    "file": ("path",),
}


# The keys an admin writes for the code page a printer's self-test names ("Code page: PC437"): slips are ASCII.
_CODE_PAGE_KEYS = ("codepage", "codetable", "charset", "characterset", "encoding")
_PROFILES_BY_CASE = {profile.lower(): profile for profile in PROFILE_NAMES}


def _line_meant(key: str, value: Any) -> str | None:
    """The line of config.toml a refused value most likely means, or None: a profile's name in other capitals or
    misspelt (profile = "pos-5890", "POS5890"), the paper's width in quotes or with its unit (width_mm = "58 mm"), the
    transport in capitals or misspelt (type = "Network", "netwrok"), the port in quotes (port = "9100")."""
    if key == "profile" and isinstance(value, str):
        lowered = value.strip().lower()
        like = difflib.get_close_matches(lowered, list(_PROFILES_BY_CASE), n=1, cutoff=0.8)
        if like:
            return f'profile = "{_PROFILES_BY_CASE[like[0]]}"'
    if key == "width_mm" and isinstance(value, str | float) and not isinstance(value, bool):
        found = re.fullmatch(r"\s*(58|80)(?:\.0*)?\s*(?:mm)?\s*", str(value), re.IGNORECASE)
        if found:
            return f"width_mm = {found[1]}"
    if key == "type" and isinstance(value, str):  # "Network", "USB", "netwrok": one of the list, misspelt
        like = difflib.get_close_matches(value.strip().lower(), PRINTER_TYPES, n=1, cutoff=0.6)
        if like:
            return f'type = "{like[0]}"'
    if key == "port" and isinstance(value, str | float) and not isinstance(value, bool):  # port = "9100"
        found = re.fullmatch(r"\s*(\d{1,5})(?:\.0*)?\s*", str(value))
        if found and 1 <= int(found[1]) <= 65535:
            return f"port = {int(found[1])}"
    return None


def table_keys() -> set[str]:
    """The keys a [printers.NAME] table takes."""
    return {f.name for f in fields(PrinterConfig) if f.name != "name" and not f.metadata.get("not_a_key")}


@dataclass(frozen=True)
class PrinterConfig:
    """One receipt printer: which transport, where it is, and how wide its paper is."""

    name: str
    type: str
    profile: str | None = None
    width_mm: int = 80
    host: str = ""
    port: int = 9100
    timeout: float = 5.0
    vendor_id: int = 0
    product_id: int = 0
    out_ep: int | None = None  # a usb printer's endpoints; None: read from the device when it is opened
    in_ep: int | None = None
    device: str = ""
    baudrate: int = 9600
    path: str = ""
    cups_printer: str = ""
    check_status: bool | str = STATUS_AUTO  # True, False or "auto": see status_mode
    echo: bool = False
    # the keys of the table another type reads and this one does not (a usb printer's table that kept the demo's
    # path): taken as before, and said at the start and by `printer test` (none of config.toml's keys itself)
    ignored: tuple[str, ...] = field(default=(), compare=False, repr=False, metadata={"not_a_key": True})

    def __post_init__(self) -> None:
        """Check every value; a bad one raises ValueError naming its key."""
        if not isinstance(self.name, str) or not self.name:
            raise PrinterConfigError("printers", "printer.no_name")
        for key, (ok, code) in _RULES.items():
            value = getattr(self, key)
            if not ok(value):
                if line := _line_meant(key, value):
                    # the value written as config.toml's other tables' values are not: said with the line to write
                    raise PrinterConfigError(self.config_key(key), f"printer.{code}_like", line=line, types=_TYPES)
                raise PrinterConfigError(self.config_key(key), f"printer.{code}", types=_TYPES)
        for key in _REQUIRED.get(self.type, ()):
            value = getattr(self, key)
            if not value or (isinstance(value, str) and not value.strip()):
                raise PrinterConfigError(self.config_key(key), "printer.required", type=self.type)
        if self.type == "network" and any(c.isspace() for c in self.host):
            raise PrinterConfigError(self.config_key("host"), "printer.host_spaces")
        bracketed = _BRACKETED_PORT.fullmatch(self.host)  # "[fe80::1]:9100": an IPv6 address and a port
        if self.type == "network" and ("://" in self.host or self.host.count(":") == 1 or bracketed):
            # "192.168.1.50:9100" or "tcp://…" (as a printer's web page or a driver writes it): its port went on
            # the host, and every ticket failed with "unknown host 192.168.1.50:9100:9100". An IPv6 address has more.
            bare = self.host.split("://", 1)[-1].strip("/")
            host, _, port = bare.rpartition(":") if bare.count(":") == 1 or bracketed else (bare, "", "")
            host = host.strip("[]")
            if port.isascii() and port.isdigit() and len(port) <= 5:
                raise PrinterConfigError(self.config_key("host"), "printer.host_port", host=host, port=int(port))
            raise PrinterConfigError(self.config_key("host"), "printer.host_url", host=host)
        for key in ("out_ep", "in_ep"):
            if getattr(self, key) is not None and self.type != "usb":
                raise PrinterConfigError(self.config_key(key), "printer.usb_only")
        if self.check_status is True and self.type not in STATUS_TYPES:
            raise PrinterConfigError(
                self.config_key("check_status"), "printer.no_status", types=", ".join(STATUS_TYPES)
            )

    @property
    def status_mode(self) -> str:
        """How a job asks the printer's status (DLE EOT): "on" before and after every job (check_status =
        true), "off" never (false, or "auto" on a printer that cannot answer: file, cups, dummy), "auto" as
        the printer's first job in the process finds (printers/transport.py, send_bytes)."""
        if self.check_status is True:
            return "on"
        if self.check_status == STATUS_AUTO and self.type in STATUS_TYPES:
            return "auto"
        return "off"

    def config_key(self, key: str) -> str:
        """The dotted config key of one setting, as used in error messages."""
        return f"printers.{self.name}.{key}"

    @classmethod
    def from_dict(cls, name: str, d: Mapping[str, Any]) -> PrinterConfig:
        """Build from a TOML [printers.NAME] table; ValueError names the bad key."""
        if not isinstance(d, Mapping):
            raise PrinterConfigError(f"printers.{name}", "table")
        known = sorted(table_keys())
        for key in d:
            if str(key).lower().replace("_", "").replace("-", "") in _CODE_PAGE_KEYS:
                # the printer's self-test page names its code page, and a driver has a setting of it: here there is
                # none to set, which "unknown key" did not say
                raise PrinterConfigError(f"printers.{name}.{key}", "printer.code_page")
            if key not in known:
                # the one it most likely misspells, as the other tables say (server/config.py, _Table.unknown)
                like = difflib.get_close_matches(str(key).lower(), known, n=1, cutoff=0.6)
                if like:
                    raise PrinterConfigError(f"printers.{name}.{key}", "unknown_key_like", like=like[0])
                raise PrinterConfigError(f"printers.{name}.{key}", "printer.unknown_key", known=", ".join(known))
        if "type" not in d:
            raise PrinterConfigError(f"printers.{name}.type", "printer.type_missing", types=_TYPES)
        values = dict(d)
        kind = values["type"] if isinstance(values["type"], str) else None  # type = [] or {}: refused as not a type
        others = {k for keys in TYPE_KEYS.values() for k in keys} - set(TYPE_KEYS.get(kind, ()))
        values["ignored"] = tuple(k for k in known if k in others and k in values)
        if values.get("profile") == "":
            values["profile"] = None  # an empty profile means the library's default
        return cls(name=name, **values)

    @property
    def target(self) -> str:
        """Where the bytes go, for messages ("127.0.0.1:9100", "/dev/usb/lp0", ...)."""
        match self.type:
            case "network":
                return f"{self.host}:{self.port}"
            case "usb":
                return f"USB {self.vendor_id:04x}:{self.product_id:04x}"
            case "serial":
                return self.device
            case "file":
                return self.path
            case "cups":
                return f"CUPS printer {self.cups_printer or '(default)'}"
        return "dummy"
