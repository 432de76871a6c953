"""One server per database: `serve` holds an exclusive lock on `<database>.lock` while it runs.

Two servers on one database would both print every ticket and both announce every call; a
restore under a running server would pull its database away. The lock is an `flock` on a small
file next to the database: the kernel drops it when the process ends, even by `kill -9`, so a
crash never leaves a stale lock behind. The file holds the server's pid, for the message.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


class ServerRunning(Exception):
    """Another process holds the database's server lock."""

    def __init__(self, path: Path, pid: int | None):
        self.path, self.pid = path, pid
        who = f"pid {pid}" if pid else "another process"
        super().__init__(f"an Antrian server ({who}) is already running on this database (lock {path})")


def lock_path(database: Path) -> Path:
    """The lock file of a database."""
    database = Path(database)
    return database.with_name(database.name + ".lock")


def hold(database: Path) -> IO[str]:
    """Take the lock for this process (keep the returned file open); ServerRunning if it is taken."""
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    f = open(path, "a+", encoding="ascii")  # noqa: SIM115  (held open for the life of the server)
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pid = _pid_in(f)
        f.close()
        raise ServerRunning(path, pid) from None
    f.seek(0)
    f.truncate()
    f.write(f"{os.getpid()}\n")
    f.flush()
    return f


@contextmanager
def held(database: Path) -> Iterator[None]:
    """The lock held for a command's work on the database (restore, go-live, demo): a server started
    meanwhile (systemd restarting it, `make run` in another terminal) is refused instead of opening a
    database that is being replaced or emptied. ServerRunning if a server holds it."""
    f = hold(database)
    try:
        yield
    finally:
        f.close()


def holder(database: Path) -> int | None:
    """None when no server holds the database's lock; else its pid (0 when unknown)."""
    path = lock_path(database)
    if not path.exists():
        return None
    with open(path, "a+", encoding="ascii") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _pid_in(f) or 0
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)
        return None


def _pid_in(f: IO[str]) -> int | None:
    f.seek(0)
    text = f.read().strip()
    return int(text) if text.isdigit() else None
