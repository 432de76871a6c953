"""The server on a clock a test or a bench moves forward (tests/live.py ClockedServer).

    python tests/clockserver.py --config C --port P --clock-file F [--tick S] [--dated] [--set M.NAME=S ...]

Its time starts at 09:00 of today in the office's timezone, whatever the real hour (a test never crosses
midnight or the office's hours by chance), and runs at the real pace; F holds seconds added to it (missing
or empty: 0; fewer than before: the clock is stepped back, as NTP steps a PC's clock that ran fast; far below
0 before the start: a PC booted on a dead CMOS battery's date), and after them the number of the move that wrote
them (ClockedServer.advance counts its moves), re-read when the file changes (write it whole: a new file moved
over the old one). F.looked holds the number of the newest move a round of the maintenance loop had seen when it
began, written once that round is over: ClockedServer.looked waits for it, so that a test which moves the clock
again knows the loop looked at the hours, the day and the idle counters in between (a loaded machine's loop can
otherwise look only after the next move, and never see what lay between). Office
days pass in minutes this way (tests/test_days.py, bench/bench_soak.py) and a counter's idle release
in none (tests/test_counter_autorelease.py). --tick sets how often the maintenance loop and the idle print
and mail workers look (default 1 s, as in production): a test that moves the clock a day on sees that day's
expiry within a tenth of a second, and one that moves it past a print's backoff its next try as soon
(server/outbox.py OutboxWorker.IDLE_SECONDS). --dated puts that clock in the Date of its answers too, which
the staff pages take as the server's time (counter/static/common.js officeNow): a page then sees the day
the server is on, as it does with a real server, whose Date is its clock (without it the Date is the real
time, as gevent writes it). Everything else is `python -m server serve` (server/cli.py `serve`, reached
with a clock from here only): the production command has no such option and always runs on the real clock.
--set realtime.SESSION_PENALTY_SECONDS=1 gives a named number of a server module (an UPPER_CASE float it
has, read where it is used) another value in this process: a test waits one second for what production
waits five (a refused device's penalty, a hung device print's margin: printing.HANG_MARGIN_SECONDS).
--sessions-on-clock counts the staff sessions' sign-ins and ends (server/auth.py session_ends, server/realtime.py
check_sessions, which read time.time()) on that clock too: a test ends a session by moving the clock past its end
(auth.SESSION_HOURS, or the office's midnight) instead of waiting for it in real seconds.
"""

from __future__ import annotations

from gevent import monkey

if __name__ == "__main__":  # imported (tests/forkserver.py: set_module_number in a command), no patches of its own
    monkey.patch_all()  # before anything imports the standard library's sockets and threads

import argparse  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from datetime import time as day_time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.cli import serve  # noqa: E402
from server.config import ConfigError, check_storage, load_settings  # noqa: E402


class MovedClock:
    """09:00 office time today, plus the time since the start, plus the seconds in `path`."""

    def __init__(self, path: Path, tz) -> None:
        self.path = path
        self.start = datetime.combine(datetime.now(tz).date(), day_time(9, 0), tz).astimezone(UTC)
        self.began = time.monotonic()
        self.stamp: tuple[int, int, int] | None = None
        self.offset = 0.0
        self.move = 0  # the number of the move that wrote the file (its second field; none: 0)

    def __call__(self) -> datetime:
        try:
            st = os.stat(self.path)
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)  # the file is replaced whole (os.replace)
        except FileNotFoundError:
            stamp = None
        if stamp != self.stamp:
            self.stamp = stamp
            try:
                fields = (self.path.read_text() if stamp is not None else "").split()
                # back too: a clock stepped back (tests/test_clock_steps.py)
                self.offset = float(fields[0]) if fields else 0.0
                self.move = int(fields[1]) if len(fields) > 1 else 0
            except (OSError, ValueError):
                self.stamp = None  # half-written: read again at the next call
        return self.start + timedelta(seconds=time.monotonic() - self.began + self.offset)


class MovedTime:
    """The standard library's time module with its time() on `clock` (--sessions-on-clock)."""

    def __init__(self, clock: MovedClock) -> None:
        self.clock = clock

    def time(self) -> float:
        return self.clock().timestamp()

    def __getattr__(self, name: str):
        return getattr(time, name)


def count_looks(clock: MovedClock, path: Path) -> None:
    """After each round of the maintenance loop (server/workers.py maintenance_loop), `path` holds the number of the
    clock's newest move that round saw as it began (MovedClock.move), written whole when it changed: the round's
    office hours, day, idle counters and recalls were looked at on that move's clock or a later one."""
    from server import workers

    every = workers._every  # the loop's rounds: maintenance_loop hands its step to it

    def rounds(service, interval: float, step, what: str) -> None:
        if what != "maintenance":
            return every(service, interval, step, what)
        told: list[int | None] = [None]

        def looked_step() -> None:
            clock()  # the file read again if it changed
            move = clock.move
            step()
            if move != told[0]:
                new = path.with_name(path.name + ".new")  # not the clock file's own clock-offset.new
                new.write_text(str(move))
                os.replace(new, path)
                told[0] = move

        return every(service, interval, looked_step, what)

    workers._every = rounds


def set_module_number(assignment: str) -> None:
    """MODULE.NAME=VALUE: server.MODULE's NAME (printers.MODULE's for printers.MODULE.NAME), an UPPER_CASE float it
    already has, set to VALUE (a typo is an error, not a setting nothing reads)."""
    import importlib

    target, _, value = assignment.partition("=")
    module_name, _, name = target.rpartition(".")
    if not module_name.startswith("printers."):
        module_name = f"server.{module_name}"
    module = importlib.import_module(module_name)
    if not name.isupper() or not isinstance(getattr(module, name, None), float):
        raise SystemExit(f"--set {assignment}: {module_name} has no number {name}")
    setattr(module, name, float(value))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--config", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--clock-file", required=True, type=Path)
    p.add_argument(
        "--tick",
        type=float,
        default=1.0,
        help="seconds between the maintenance loop's rounds and an idle outbox worker's (1 s in production)",
    )
    p.add_argument("--dated", action="store_true", help="the answers' Date header on this clock, not the real one")
    p.add_argument(
        "--sessions-on-clock",
        action="store_true",
        help="the staff sessions' sign-ins and ends counted on this clock, not on time.time()",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="MODULE.NAME=SECONDS",
        help="a server module's named number in this process (realtime.SESSION_PENALTY_SECONDS=1)",
    )
    args = p.parse_args()
    for assignment in args.set:
        set_module_number(assignment)
    if args.tick != 1.0:  # a day's expiry, a retry's turn, seen within a tick of the clock's move, not a second
        import functools

        from server import workers
        from server.outbox import OutboxWorker

        workers.maintenance_loop = functools.partial(workers.maintenance_loop, interval=args.tick)
        OutboxWorker.IDLE_SECONDS = args.tick  # the print and mail workers' wait between two rounds
    try:
        settings = load_settings(args.config)
        check_storage(settings.server)
    except ConfigError as err:
        print(f"config error: {err}", file=sys.stderr)
        return 2
    clock = MovedClock(args.clock_file, settings.office.tz)
    count_looks(clock, args.clock_file.with_name(args.clock_file.name + ".looked"))
    if args.sessions_on_clock:
        from server import auth, realtime

        auth.time = realtime.time = MovedTime(clock)  # their time.time(): a session's sign-in, its end's check
    if args.dated:
        from gevent import pywsgi

        real_date = pywsgi.format_date_time  # what gevent's handler writes as Date (WSGIHandler.finalize_headers)
        pywsgi.format_date_time = lambda _timestamp: real_date(clock().timestamp())
    return serve(settings, args.host, args.port, clock=clock)


if __name__ == "__main__":
    sys.exit(main())
