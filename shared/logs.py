"""How the server's and the print agent's log lines look: their time in the office's zone, named."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from shared.dates import zone_abbreviation

LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"  # the server's (server/cli.py) and the print agent's


class OfficeTimeFormatter(logging.Formatter):
    """The log's time in the office's time zone, with its name ("2026-12-05 08:15:02,123 WIB"): the PC's own zone
    (a server or kiosk PC left on UTC) gave log times hours off the tickets' and the screens'."""

    def __init__(self, fmt: str, tz: Any):
        super().__init__(fmt)
        self.tz = tz

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging's name)
        at = datetime.fromtimestamp(record.created, self.tz)
        return f"{at:%Y-%m-%d %H:%M:%S},{int(record.msecs):03d} {zone_abbreviation(at)}"
