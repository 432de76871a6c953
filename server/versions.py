"""The releases of the libraries whose private internals Antrian uses, checked at server start.

A release outside the range tested may change those internals without notice, and the failure
would show only under load or on the first printed ticket; the server refuses to start instead,
naming the package, the version installed and the range supported. The ranges are pyproject.toml's
(tests/test_versions.py keeps the two in step); `make` installs the exact versions of
requirements-test.lock. Raise a bound only after the tests pass on the new release.
"""

from __future__ import annotations

import re
from importlib import metadata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from server.errors import Localized

# package -> (supported range, what of it the code relies on)
SUPPORTED: dict[str, tuple[str, str]] = {
    "python-engineio": (
        ">=4.9,<4.16",
        "server/fanout.py: Server._async, async_drivers.gevent.WebSocketWSGI (SimpleWebSocketWSGI's app, "
        "server_args, ws), Socket.queue/upgraded/upgrading; server/realtime.py: Server.handlers, sockets, _async (quiet_close)",
    ),
    "python-socketio": (
        ">=5.11,<5.19",
        "server/fanout.py: Server._send_eio_packet, packet_class (Packet.json), manager.rooms; server/realtime.py: "
        "Server.environ",
    ),
    "simple-websocket": (
        ">=1.0,<1.2",
        "server/fanout.py: Server._handle_events, input_buffer, event, ws (wsproto), sock",
    ),
    "gevent": (
        ">=24.2,<27",
        "server/fanout.py: socket._sock; server/httpserver.py: WSGIHandler._handle_client_error, "
        "_connection_upgrade_requested, read_requestline, StreamServer.do_read, socket._accept",
    ),
    "openpyxl": (">=3.1,<3.2", "server/skm_report.py: a write-only sheet's row_dimensions (its rows' heights)"),
    "python-escpos": (
        ">=3.1,<3.2",
        "printers/transport.py: Escpos._device, _raw, Serial._read, Network/File.open; printers/slips.py: _raw; "
        "printers/_escpos.py: escpos.printer modules' logging",
    ),
    "pyttsx3": (">=2.90,<3", "server/tts_worker.py: pyttsx3.drivers._espeak"),
}


def installed(package: str) -> str | None:
    """The installed version of `package`, or None when it is not installed."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def release(version: str) -> tuple[int, ...]:
    """The release numbers of a version: "4.15.1" -> (4, 15, 1), "26.9.0.post1" -> (26, 9, 0)."""
    found = re.match(r"\d+(?:\.\d+)*", version.strip())
    if not found:
        raise ValueError(f"not a version: {version!r}")
    return tuple(int(n) for n in found.group().split("."))


def _compare(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    n = max(len(a), len(b))
    a, b = a + (0,) * (n - len(a)), b + (0,) * (n - len(b))
    return (a > b) - (a < b)


def in_range(version: str, spec: str) -> bool:
    """Whether `version` fits `spec`, a comma-separated list of ">=X" and "<Y" (all that SUPPORTED uses)."""
    have = release(version)
    for clause in spec.split(","):
        clause = clause.strip()
        if clause.startswith(">="):
            ok = _compare(have, release(clause[2:])) >= 0
        elif clause.startswith("<") and not clause.startswith("<="):
            ok = _compare(have, release(clause[1:])) < 0
        else:
            raise ValueError(f"unsupported version clause {clause!r} (only >= and <)")
        if not ok:
            return False
    return True


def check_versions() -> list[Localized]:
    """One message, in both languages, for each package whose installed version is outside its supported
    range (`uses`, what of its internals we rely on, names code: said as it is)."""
    from server.i18n import both

    problems = []
    for package, (spec, uses) in SUPPORTED.items():
        version = installed(package)
        if version is None:
            problems.append(both("cli.versions.missing", package=package, spec=spec))
        elif not in_range(version, spec):
            problems.append(both("cli.versions.outside", package=package, version=version, spec=spec, uses=uses))
    return problems


def require_supported() -> None:
    """Exit with the problems of check_versions(), if any, and how to install the tested versions."""
    problems = check_versions()
    if problems:
        from server.i18n import both

        def said(key: str) -> str:  # the office's language first, then English, on one line
            text = both(f"cli.versions.{key}")
            return f"{text.id_text} / {text.en_text}"

        raise SystemExit(
            f"{said('unsupported')}:\n"
            + "\n".join(f"  - {p.id_text}\n    {p.en_text}" for p in problems)
            + f"\n{said('install')}: .venv/bin/pip install -r requirements.lock"
            " (make run; make test: requirements-test.lock)"
        )
