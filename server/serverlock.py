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


def record_file(lock: IO[str], identity: tuple[int, int] | None) -> None:
    """Write beside the server's pid the database file it opened, (device, inode): a command (another process's
    Store) finding the file at the path not that one, deleted or replaced while the server runs, is refused
    (server_file), as SQLite would pair a new file there with the server's -wal."""
    lock.seek(0)
    lock.truncate()
    lock.write(f"{os.getpid()}\n" + (f"{identity[0]}:{identity[1]}\n" if identity else ""))
    lock.flush()


def server_file(database: Path) -> tuple[int, tuple[int, int] | None] | None:
    """The pid of the server holding the database's lock (0 when unknown) and the database file it opened
    (record_file; None when not recorded); None when no server holds the lock."""
    path = lock_path(database)
    if not path.is_file():
        return None
    try:
        f = open(path, encoding="ascii")  # noqa: SIM115  (closed below)
    except OSError:  # not this process's to read (another account's): nothing known (serve says it when it starts)
        return None
    with f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            lines = f.read().split()
            pid = int(lines[0]) if lines and lines[0].isdigit() else 0
            dev, _, ino = (lines[1] if len(lines) > 1 else "").partition(":")
            return pid, (int(dev), int(ino)) if dev.isdigit() and ino.isdigit() else None
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)
        return None


def holder(database: Path) -> int | None:
    """None when no server holds the database's lock; else its pid (0 when unknown)."""
    path = lock_path(database)
    if not path.is_file():  # none, or a folder where it should be (serve says so)
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
    lines = f.read().split()
    return int(lines[0]) if lines and lines[0].isdigit() else None
