"""What the process runs on, and running a program from it without blocking gevent's event loop.

`serve` patches the standard library with gevent (server/__main__.py); tests and scripts do not.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import suppress


def on_gevent() -> bool:
    """True in the server process (gevent's monkey patches applied): one event loop serves every
    request, so CPU-heavy work must leave it (a native thread or a child process) and a program is
    waited for cooperatively (`run_command`)."""
    if "gevent" not in sys.modules:
        return False
    from gevent import monkey

    return monkey.is_module_patched("threading")


def python_command() -> str:
    """The Python to type for Antrian's commands (`… -m server restore FILE`): the project's
    .venv/bin/python as run from its folder (Debian has no `python`, and its python3 lacks the
    packages), else this interpreter's path. Every message naming a command names it: the command
    line's (server/cli.py) and those its library makes (server/config.py, server/store)."""
    from pathlib import Path

    here = Path(sys.executable)
    local = Path(".venv/bin/python")
    return str(local) if local.exists() and os.path.samefile(local, here) else str(here)


def run_command(argv: list[str], data: bytes = b"", timeout: float = 10.0) -> tuple[int, str]:
    """Run a program (found on PATH) with `data` on its stdin; (exit code, stdout and stderr as text).

    Under gevent it is started with posix_spawn and waited for cooperatively: gevent's subprocess
    forks, and a fork copies the page tables of the whole server, a pause of every screen of about
    5 ms per command (measured at 80 MB). Raises FileNotFoundError without the program, TimeoutError
    after `timeout` seconds (the program is killed).
    """
    path = shutil.which(argv[0])
    if path is None:
        raise FileNotFoundError(argv[0])
    if not on_gevent():
        try:
            done = subprocess.run(
                argv, executable=path, input=data, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            raise TimeoutError(argv[0]) from None
        return done.returncode, done.stdout.decode(errors="replace")
    import gevent
    import gevent.os

    # gevent's posix_spawn watches the child for its SIGCHLD, but installs the handler of SIGCHLD only
    # then: a program that ended before that (espeak-ng --voices at a server's start, the first program
    # the process ran) sent a SIGCHLD nothing heard, and gevent's waitpid said "still running" for ever.
    gevent.get_hub().loop.install_sigchld()
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    try:
        pid = os.posix_spawn(
            path,
            argv,
            os.environ,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, in_r, 0),
                (os.POSIX_SPAWN_DUP2, out_w, 1),
                (os.POSIX_SPAWN_DUP2, out_w, 2),
            ],
        )
    except BaseException:
        os.close(in_w)
        os.close(out_r)
        raise
    finally:
        os.close(in_r)
        os.close(out_w)
    gevent.os.make_nonblocking(in_w)
    gevent.os.make_nonblocking(out_r)

    def feed() -> None:
        view = memoryview(data)
        try:
            with suppress(OSError):  # the program stopped reading: its exit code tells
                while view:
                    view = view[gevent.os.nb_write(in_w, view) :]
        finally:
            os.close(in_w)

    feeder = gevent.spawn(feed)
    chunks: list[bytes] = []
    status = None
    try:
        with gevent.Timeout(timeout, TimeoutError(argv[0])):
            while chunk := gevent.os.nb_read(out_r, 65536):
                chunks.append(chunk)
            feeder.join()
            while True:
                reaped, status = os.waitpid(pid, os.WNOHANG)
                if reaped:
                    break
                gevent.sleep(0.002)
    finally:
        os.close(out_r)
        if status is None:
            feeder.kill()
            with suppress(OSError):
                os.kill(pid, 9)
            _reap(pid)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode(errors="replace")


def _reap(pid: int, within: float = 5.0) -> None:
    """Collect a killed program's exit under gevent, polling for at most `within` seconds: a wait that
    cannot end (gevent's blocking waitpid for a SIGCHLD that went by unheard hung a server's start for
    good: tests/live.py's stack dumps showed it) stops the caller for a bounded time at most."""
    import time

    import gevent

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return
        except ChildProcessError:  # reaped already
            return
        gevent.sleep(0.002)
