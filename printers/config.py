"""Printer settings from one [printers.NAME] table, and the one error every device failure becomes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from printers._escpos import PROFILE_NAMES

PRINTER_TYPES: tuple[str, ...] = ("usb", "network", "serial", "file", "cups", "dummy")

# Transports that can answer a DLE EOT status query.
_STATUS_TYPES = ("network", "usb", "serial")


class PrinterError(Exception):
    """A printer could not be reached or did not take the job; the message is short and human."""


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _profile_ok(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v in PROFILE_NAMES)


def _endpoint_ok(direction_in: bool) -> Callable[[Any], bool]:
    """An endpoint address of one direction (bit 7: 1 IN, 0 OUT) with a number 1-15; None: the device's own."""
    base = 0x80 if direction_in else 0x00
    return lambda v: v is None or (_is_int(v) and base + 0x01 <= v <= base + 0x0F)


_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "type": (lambda v: v in PRINTER_TYPES, "must be one of " + ", ".join(PRINTER_TYPES)),
    "profile": (_profile_ok, "must be a python-escpos profile name such as TM-T20II or POS-5890"),
    "width_mm": (lambda v: _is_int(v) and v in (58, 80), "must be 58 or 80"),
    "host": (lambda v: isinstance(v, str), "must be a string"),
    "port": (lambda v: _is_int(v) and 1 <= v <= 65535, "must be an integer 1-65535"),
    "timeout": (lambda v: _is_number(v) and 0 < v <= 300, "must be a number of seconds, above 0 and at most 300"),
    "vendor_id": (lambda v: _is_int(v) and 0 <= v <= 0xFFFF, "must be an integer 0-0xffff"),
    "product_id": (lambda v: _is_int(v) and 0 <= v <= 0xFFFF, "must be an integer 0-0xffff"),
    "out_ep": (
        _endpoint_ok(False),
        "must be a USB OUT endpoint address 0x01-0x0f such as 0x03 (lsusb -v: bEndpointAddress … EP 3 OUT);"
        " leave it out to take the printer's own",
    ),
    "in_ep": (
        _endpoint_ok(True),
        "must be a USB IN endpoint address 0x81-0x8f such as 0x81 (lsusb -v: bEndpointAddress … EP 1 IN);"
        " leave it out to take the printer's own",
    ),
    "device": (lambda v: isinstance(v, str), "must be a string"),
    "baudrate": (lambda v: _is_int(v) and 50 <= v <= 4_000_000, "must be an integer baud rate such as 9600"),
    "path": (lambda v: isinstance(v, str), "must be a string"),
    "cups_printer": (lambda v: isinstance(v, str), "must be a string"),
    "check_status": (lambda v: isinstance(v, bool), "must be true or false"),
    "echo": (lambda v: isinstance(v, bool), "must be true or false"),
}

# What each transport cannot work without.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "network": ("host",),
    "usb": ("vendor_id", "product_id"),
    "serial": ("device",),
    "file": ("path",),
}


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
    check_status: bool = False
    echo: bool = False

    def __post_init__(self) -> None:
        """Check every value; a bad one raises ValueError naming its key."""
        if not isinstance(self.name, str) or not self.name:
            raise ValueError("printers: a printer needs a non-empty name")
        for key, (ok, why) in _RULES.items():
            if not ok(getattr(self, key)):
                raise ValueError(f"{self.config_key(key)}: {why}")
        for key in _REQUIRED.get(self.type, ()):
            value = getattr(self, key)
            if not value or (isinstance(value, str) and not value.strip()):
                raise ValueError(f"{self.config_key(key)}: required for a {self.type} printer")
        if self.type == "network" and any(c.isspace() for c in self.host):
            raise ValueError(f"{self.config_key('host')}: must be a host name or an IP address (no spaces)")
        for key in ("out_ep", "in_ep"):
            if getattr(self, key) is not None and self.type != "usb":
                raise ValueError(f"{self.config_key(key)}: only a usb printer has USB endpoints")
        if self.check_status and self.type not in _STATUS_TYPES:
            raise ValueError(
                f"{self.config_key('check_status')}: only {', '.join(_STATUS_TYPES)} printers answer a status query"
            )

    def config_key(self, key: str) -> str:
        """The dotted config key of one setting, as used in error messages."""
        return f"printers.{self.name}.{key}"

    @classmethod
    def from_dict(cls, name: str, d: Mapping[str, Any]) -> PrinterConfig:
        """Build from a TOML [printers.NAME] table; ValueError names the bad key."""
        if not isinstance(d, Mapping):
            raise ValueError(f"printers.{name}: must be a table")
        known = {f.name for f in fields(cls)} - {"name"}
        for key in d:
            if key not in known:
                raise ValueError(f"printers.{name}.{key}: unknown key (known: {', '.join(sorted(known))})")
        if "type" not in d:
            raise ValueError(f"printers.{name}.type: missing; " + _RULES["type"][1])
        values = dict(d)
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
