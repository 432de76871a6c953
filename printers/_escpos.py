"""The one place that imports python-escpos, keeping its import-time logging set-up out of the app
and its printer database parsed once per installation, not once per process."""

import logging
import os
import platform
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path

PICKLE_DIR = "ESCPOS_CAPABILITIES_PICKLE_DIR"


def _cache_dir() -> Path | None:
    """A folder of this user's own (mode 0700) for python-escpos's parsed printer database, named by
    the database file's size and time, so an upgraded python-escpos never reads an older one; None
    when there is no such folder to be had (no home, a read-only disk, someone else's folder)."""
    try:
        database = resources.files("escpos") / "capabilities.json"
        stat = os.stat(str(database))
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        folder = base / "antrian" / f"escpos-{stat.st_size}-{stat.st_mtime_ns}"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        mine = folder.stat()
    except (OSError, RuntimeError, TypeError):
        return None
    if mine.st_uid != os.geteuid() or mine.st_mode & 0o022:
        return None  # a folder others may write to: its pickle could run their code here
    return folder


# escpos.capabilities parses its 1 MB printer database with a YAML parser on import (0.2 s of CPU)
# and pickles it into a new temporary folder each time; and it makes that folder even when told to
# use another. Every server start and every command left one in /tmp. Here the import runs with a
# scratch folder as the temporary folder, removed after it; the pickle is kept in the cache. The
# first process builds it in the scratch folder and moves it in whole, so a process starting at the
# same moment never reads half a file.
# The variable is read by that import only, and taken away after it (a folder an admin set is kept).
_scratch = Path(tempfile.mkdtemp(prefix="antrian-escpos-"))
_ours = PICKLE_DIR not in os.environ
_cache = _cache_dir() if _ours else None
_pickle = _cache / f"{platform.python_version()}.capabilities.pickle" if _cache else None
if _ours:
    os.environ[PICKLE_DIR] = str(_cache if _pickle is not None and _pickle.exists() else _scratch)

# escpos.capabilities calls logging.basicConfig() on import, which would give the
# root logger a stderr handler behind the application's back; put the handlers back.
_root = logging.getLogger()
_saved_handlers = list(_root.handlers)
_saved_tempdir, tempfile.tempdir = tempfile.tempdir, str(_scratch)
try:
    from escpos import constants
    from escpos.capabilities import CAPABILITIES
    from escpos.escpos import Escpos
    from escpos.exceptions import DeviceNotFoundError
    from escpos.printer import Dummy, File, Network, Serial, Usb
finally:
    _root.handlers[:] = _saved_handlers
    tempfile.tempdir = _saved_tempdir
    if _pickle is not None and not _pickle.exists():
        try:
            os.replace(_scratch / _pickle.name, _pickle)
        except OSError:
            pass  # the next process builds it again
    if _ours:
        del os.environ[PICKLE_DIR]
    shutil.rmtree(_scratch, ignore_errors=True)


class _ModuleLog:
    """What an escpos.printer module reaches as `logging`: its `info`, `error` (…) go to a logger of the module's
    name. Each printer's open and close said "Network printer enabled", "Closing File connection …" with the
    logging module's own functions, which on a root logger without handlers call logging.basicConfig(): the
    first ticket printed gave the root logger a stderr handler, and every warning of the server after it
    came out twice on the admin's screen and in the journal, the second bare and in English
    (tests/test_operations.py). A logger of its own calls nothing of the kind; the rest of the module is
    logging's."""

    def __init__(self, name: str) -> None:
        self._log = logging.getLogger(name)

    def __getattr__(self, attr: str):
        if attr in ("debug", "info", "warning", "error", "exception", "critical", "log"):
            return getattr(self._log, attr)
        return getattr(logging, attr)


for _module in [m for name, m in list(sys.modules.items()) if name.startswith("escpos.printer.")]:
    if getattr(_module, "logging", None) is logging:
        _module.logging = _ModuleLog(_module.__name__)  # type: ignore[attr-defined]

PROFILE_NAMES: frozenset[str] = frozenset(CAPABILITIES["profiles"])

__all__ = ["PROFILE_NAMES", "DeviceNotFoundError", "Dummy", "Escpos", "File", "Network", "Serial", "Usb", "constants"]
