"""Screenshots a test takes for a person to look at, not for its checks: taken only when ANTRIAN_SHOTS names a folder
(a run by hand: `ANTRIAN_SHOTS=/tmp/shots pytest tests/test_x.py`), one folder per test module under it; else none.

Each cost Chromium 0.13 s of CPU at 1366x768 and 0.3 s at 1920x1080 (a PNG encoded), and Playwright its carrying,
and the suite took them by the hundred into temporary folders nobody opened (docs/performance.md, the forty-first
round). A screenshot a test reads (its pixels) or one refreshing docs/screenshots (ANTRIAN_SCREENSHOTS) is taken as
before, not through here."""

from __future__ import annotations

import os
from pathlib import Path


def keep_shot(target, name, **options) -> Path | None:
    """`target.screenshot` (a page or a locator) as ANTRIAN_SHOTS/<test module>/<the file name of `name`>, when
    ANTRIAN_SHOTS is set; where it went (None: not taken)."""
    folder = os.environ.get("ANTRIAN_SHOTS")
    if not folder:
        return None
    module = Path(os.environ.get("PYTEST_CURRENT_TEST", "tests").split("::")[0]).stem
    path = Path(folder) / module / Path(str(name)).name
    path.parent.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(path), **options)
    return path
