"""A real server process on 127.0.0.1 for end-to-end tests (python -m server serve, gevent)."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
FORKED_HASH = "ANTRIAN_TEST_FORKED_HASH"  # see LiveServer: the hash method of a forked test server
NUMBERS = "ANTRIAN_TEST_NUMBERS"  # see LiveServer: `numbers` of a forked test server (tests/forkserver.py)


# Ports of 127.0.0.1 for this test process's servers and fake printers: a lane of its own below the range the
# kernel picks from (for bind(0) and every outgoing connection's own port), one lane per xdist worker. A port
# from bind(0) is free only until the socket closes: another worker's bind(0), or a client's connection, could
# take it before the server binds it, and a server started there answered for the other (CI once logged a test
# in to another worker's server: 401).
LANE_PORTS, LANES_FROM = 1000, 20000


def _lane() -> tuple[int, int] | None:
    """This process's ports [first, end), or None when the kernel's own range leaves no room below it."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    # an xdist worker's lane by its number; a lone process (a bench, pytest -p no:xdist) one of four more by pid
    index = int(worker[2:]) % 8 if worker[2:].isdigit() else 8 + os.getpid() % 4
    first = LANES_FROM + index * LANE_PORTS
    return (first, first + LANE_PORTS) if first + LANE_PORTS <= low else None


_LANE = _lane()
# from a point of the lane of this process's own: two runs at once (a lead's and a helper's) share the lanes
_next_port = [(os.getpid() * 7919 + time.time_ns() // 1000) % LANE_PORTS]


def free_port() -> int:
    """A port of 127.0.0.1 nothing is bound to now, from this process's lane (each port of it in turn), else
    the kernel's pick."""
    if _LANE is not None:
        first, end = _LANE
        for _ in range(end - first):
            port = first + _next_port[0] % (end - first)
            _next_port[0] += 1
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))  # no SO_REUSEADDR: a port with a connection in TIME_WAIT is passed
                except OSError:
                    continue
                return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PortTaken(RuntimeError):
    """The server could not listen: another process holds its port."""


def listens(pid: int, port: int) -> bool:
    """Whether process `pid` holds the socket listening on 127.0.0.1:`port` (Linux's /proc; True elsewhere)."""
    try:
        table = Path("/proc/net/tcp").read_text().splitlines()[1:]
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return True
    wanted = f"0100007F:{port:04X}"
    inodes = {f"socket:[{f[9]}]" for f in (line.split() for line in table) if f[1] == wanted and f[3] == "0A"}
    for fd in fds:
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                return True
    return False


def closed_port() -> int:
    """A port of 127.0.0.1 nothing listens on (a printer switched off): a connection there is refused."""
    return free_port()


def wait_for(check, seconds: float = 10.0) -> bool:
    """Whether `check()` holds within `seconds` of real time: looked at every 50 ms, and once more at the end."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


_HASHES: dict[str, str] = {}


def scrypt_hash(password: str) -> str:
    """werkzeug's default (scrypt) hash of `password`, made once per test process: the hash, its
    check and its cost at login are the production ones; only the 0.1 s of making it is saved."""
    if password not in _HASHES:
        from werkzeug.security import generate_password_hash

        _HASHES[password] = generate_password_hash(password)
    return _HASHES[password]


class ForkServer:
    """tests/forkserver.py for this process, started at first need, one for servers (`serve`, gevent's
    patches applied) and one for the other commands (`command`): each server or command is forked from
    it, already past the 0.6 s of imports a new interpreter spends."""

    _running: dict[str, ForkServer] = {}
    _lock = threading.Lock()

    def __init__(self, mode: str):
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "forkserver.py"), mode],
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.lock = threading.Lock()
        atexit.register(self.close)

    @classmethod
    def get(cls, mode: str) -> ForkServer:
        with cls._lock:
            running = cls._running.get(mode)
            if running is None or running.proc.poll() is not None:
                running = cls._running[mode] = ForkServer(mode)
            return running

    def ask(self, request: dict) -> dict:
        with self.lock:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"tests/forkserver.py ended (exit code {self.proc.poll()})")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"tests/forkserver.py: {answer['error']}")
        return answer

    def close(self) -> None:
        """End its input: it stops the servers still running and exits."""
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class Forked:
    """A process forked by tests/forkserver.py from `args` ([python, -m, server, ...] or [python,
    script, ...]), with the part of subprocess.Popen's interface the tests use (pid, poll, wait,
    send_signal, terminate, kill, returncode). Its input and output are files; its umask is this
    process's at the start, as a child's would be."""

    def __init__(self, mode: str, args: list[str], env: dict[str, str], stdout: Path, stderr: Path, stdin=None):
        self.forkserver = ForkServer.get(mode)
        self.args = args
        request = {
            "op": "spawn",
            "argv": args[1:],
            "env": env,
            "cwd": str(ROOT),
            "umask": current_umask(),
            "stdin": None if stdin is None else str(stdin),
            "stdout": str(stdout),
            "stderr": str(stderr),
        }
        self.pid: int = self.forkserver.ask(request)["pid"]
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.forkserver.ask({"op": "poll", "pid": self.pid})["returncode"]
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(self.args, timeout)
            time.sleep(0.005)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def server_command(
    args: list[str], input: str | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """`python -m server ARGS...` (args without the interpreter: ["users", "add", ...]), as
    subprocess.run(..., capture_output=True, text=True) would run it from the project's folder:
    forked from tests/forkserver.py's `command` process, which has the server imported already (its
    `serve` process for `serve`, which python -m server starts with gevent's patches)."""
    import tempfile

    command = [sys.executable, "-m", "server", *args]
    from server.argv import command_name

    mode = "serve" if command_name(args) == "serve" else "command"
    with tempfile.TemporaryDirectory(prefix="antrian-command-") as tmp:
        folder = Path(tmp)
        stdin = None
        if input is not None:
            stdin = folder / "stdin"
            stdin.write_text(input, encoding="utf-8")
        out, err = folder / "stdout", folder / "stderr"
        proc = Forked(mode, command, env if env is not None else dict(os.environ), out, err, stdin)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
        return subprocess.CompletedProcess(
            command, proc.returncode, out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8")
        )


def restored_from_backup(server: LiveServer, cfg: Path, copy: Path, before):
    """The office's backup taken and restored, as an admin does it with the command line: with the server running,
    `before()` (what the backup is to hold) and `backup COPY`; the server stopped (also when either failed),
    `restore COPY` over its database; the server started again on the restored copy (a new session epoch: every
    session signed before it ends). Returns what `before()` returned."""
    try:
        made = before()
        r = server_command(["backup", str(copy), "--config", str(cfg)])
        assert r.returncode == 0, r.stderr
    finally:
        server.stop()
    r = server_command(["restore", str(copy), "--config", str(cfg)])
    assert r.returncode == 0, r.stderr
    server.start()
    return made


class LiveServer:
    """Starts `python -m server serve` on a free port with a given config; stops (SIGTERM, then SIGKILL).

    With `fork` (tests/conftest.py sets it for the tests; the benches keep a new interpreter) the
    process is forked from tests/forkserver.py, which has the server's modules imported already: the
    same program, its own process, port and database, without 0.6 s of imports at each start.

    `numbers`: server modules' named numbers set in that process, as ClockedServer's (forked only):
    {"realtime.PING_INTERVAL_S": 0.25} has a module's pages pinged every quarter second, not every seven."""

    fork = False

    def __init__(
        self,
        config: Path,
        port: int | None = None,
        env: dict[str, str] | None = None,
        first_start: bool = False,
        scrypt: bool = False,
        numbers: dict[str, float] | None = None,
    ):
        self.config = config
        self.numbers = numbers or {}
        self.first_start = first_start
        # Forked (under pytest), the server hashes the passwords it sets (the admin page's new accounts
        # and passwords, the stand-in for an unknown account's login) at one PBKDF2 round instead of
        # scrypt's 0.1 s of CPU: tests/forkserver.py reads FORKED_HASH. A login checks whatever hash an
        # account has. `scrypt=True` and the first start's own test keep the production hash.
        self.scrypt = scrypt or first_start
        self.port = port or free_port()
        self.movable = port is None  # a port it chose, until it starts: another if that one is taken meanwhile
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.proc: subprocess.Popen | None = None
        self.log_path = config.parent / f"server-{self.port}.log"
        self.first_password: str | None = None

    def start(self, timeout: float = 20.0) -> LiveServer:
        for _ in range(3):
            if self.fork and not self.first_start:
                self._make_admin()
            with open(self.log_path, "ab") as log:
                self.proc = self._popen(log)
            try:
                ready = self._wait_ready(timeout)
            except PortTaken:
                # another process (another test run's) bound the port since free_port saw it free: a port of its
                # own was this server's to choose, and nobody holds its address yet, so another
                if not self.movable:
                    raise
                self.port = free_port()
                self.url = f"http://127.0.0.1:{self.port}"
                self.log_path = self.config.parent / f"server-{self.port}.log"
                continue
            self.movable = False  # its address is given out now: a restart keeps it
            return ready
        raise RuntimeError(f"no free port for the server: {self.log()}")

    def _make_admin(self) -> None:
        """Under pytest (`fork`): a new database gets its "admin" account before the server's first
        start, made by the first start's own code (Accounts.ensure_first_admin) but hashed at one PBKDF2
        round (conftest.cheap_hash), and `first_password` is its password. The server's first start
        spends 0.12 s of CPU on a scrypt hash for it, at each of some sixty servers a run.
        `first_start=True` leaves it to the server, for the tests of that start."""
        from conftest import cheap_hash, empty_database

        from server.config import load_settings

        settings = load_settings(self.config)
        database = Path(settings.server.database)
        if database.exists():
            return
        database.parent.mkdir(parents=True, exist_ok=True)
        empty_database(database)
        with self._accounts(settings, cheap_hash) as accounts:
            self.first_password = accounts.ensure_first_admin()[1]

    def command(self) -> list[str]:
        """`python -m server serve` on this server's config and port."""
        config, port = str(self.config), str(self.port)
        return [sys.executable, "-m", "server", "serve", "--config", config, "--host", "127.0.0.1", "--port", port]

    def _popen(self, log) -> subprocess.Popen | Forked:
        if self.fork:
            env = self.env if self.scrypt else {**self.env, FORKED_HASH: "pbkdf2:sha256:1"}
            if self.numbers and type(self).command is LiveServer.command:  # ClockedServer's command sets its own
                env[NUMBERS] = json.dumps([f"{name}={value!r}" for name, value in self.numbers.items()])
            return Forked("serve", self.command(), env, self.log_path, self.log_path)
        if self.numbers and type(self).command is LiveServer.command:
            raise ValueError("a LiveServer's numbers are set by tests/forkserver.py: LiveServer.fork (pytest) only")
        return subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def _dump_stacks(self) -> None:
        """Ask a server that does not answer for its threads' and greenlets' stacks (written to its log)."""
        pid = getattr(self.proc, "pid", None)
        if pid is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGUSR1)  # the threads (faulthandler)
            os.kill(pid, signal.SIGUSR2)  # the greenlets (gevent's loop runs the handler)
            time.sleep(1.0)  # the dump is written at once; the log file is read after this

    def _wait_ready(self, timeout: float) -> LiveServer:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                if "Address already in use" in self.log():  # server/cli.py serve's cannot_listen, errno's words
                    raise PortTaken(f"server exited: {self.log()}")
                raise RuntimeError(f"server exited: {self.log()}")
            try:
                answered = requests.get(self.url + "/healthz", timeout=1).ok
            except requests.RequestException:
                answered = False
            # its own answer: another process on this port (which bound it first) answers too
            if answered and listens(self.proc.pid, self.port):
                break
            time.sleep(0.02)  # a forked server answers within a few hundredths of a second
        else:
            self._dump_stacks()  # what it was doing: its stacks in the log (server/cli.py serve, SIGUSR1)
            self.stop()
            raise RuntimeError(f"server did not start within {timeout:g} s: {self.log()}")
        for line in self.log().splitlines():
            if "First account" in line:
                self.first_password = line.rsplit("password '", 1)[1].rstrip("'")
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, as a power cut of the process."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.kill()

    def session(self, username: str, password: str) -> requests.Session:
        """A logged-in requests session whose writes carry the CSRF header."""
        s = requests.Session()
        r = s.post(self.url + "/api/login", json={"username": username, "password": password}, timeout=5)
        r.raise_for_status()
        s.headers["X-CSRFToken"] = r.json()["csrf_token"]
        return s

    def print_job_when(self, session: requests.Session, status: str, seconds: float = 15.0) -> dict:
        """The newest print job (GET /api/print-jobs, as `session` sees it) once its status is `status`, or
        as it stands after `seconds`: the caller asserts on it."""
        deadline = time.monotonic() + seconds
        while True:
            job = session.get(f"{self.url}/api/print-jobs", timeout=5).json()["jobs"][0]
            if job["status"] == status or time.monotonic() > deadline:
                return job
            time.sleep(0.05)

    def ticket_when(self, token: str, status: str, seconds: float = 10.0) -> dict:
        """The ticket's public view (GET /api/tickets/<token>) once its status is `status`, or as it stands
        after `seconds`: the caller asserts on it."""
        deadline = time.monotonic() + seconds
        while True:
            ticket = requests.get(f"{self.url}/api/tickets/{token}", timeout=5).json()["ticket"]
            if ticket["status"] == status or time.monotonic() > deadline:
                return ticket
            time.sleep(0.05)

    def add_user(
        self, username: str, role: str, password: str = "rahasia-123", scrypt: bool = False, hashed=None
    ) -> None:
        """Add an account as `python -m server users add` does (server.service.accounts, logged as by
        "cli"), from this process: no interpreter to start. Its hash is a real werkzeug hash at one
        PBKDF2 round (conftest.cheap_hash), which the server checks as it checks scrypt's
        (check_password_hash reads the method from the hash): scrypt's 0.1 s of CPU on every login was
        over half of what the test servers spent. `scrypt=True` stores the production scrypt hash, for
        tests of what a login costs the server and for every bench; tests/test_cli.py,
        tests/test_admin.py and the admin page make theirs through the production hashing. `hashed`: a
        function of the password that makes its hash (a slower one: tests/test_login_devices.py)."""
        from server.config import load_settings

        if hashed is not None:
            made = hashed
        elif scrypt:
            made = scrypt_hash
        else:
            from conftest import cheap_hash as made  # only under pytest: the benches keep scrypt
        with self._accounts(load_settings(self.config), made) as accounts:
            accounts.add_user(username, password, role, "cli")

    @contextmanager
    def _accounts(self, settings, hash_password):
        """server.service.accounts on this server's database, its passwords hashed by `hash_password`."""
        from unittest import mock

        from server.service.accounts import Accounts
        from server.service.unit import UnitOfWork
        from server.store import Store

        store = Store(settings.server.database)
        try:
            with mock.patch("server.passwords.hash_password", hash_password):
                yield Accounts(UnitOfWork(settings, store))
        finally:
            store.close()


class ClockedServer(LiveServer):
    """The same server on tests/clockserver.py's clock: 09:00 office time today at the start, moved
    forward (or back) by `advance` (the production command has no way to do that). `dated`: that clock is in
    the Date of its answers too, so the staff pages (whose time is the server's Date) are on it."""

    def __init__(
        self,
        config: Path,
        tick: float = 1.0,
        dated: bool = False,
        numbers: dict[str, float] | None = None,
        sessions_on_clock: bool = False,
        **kw,
    ):
        # numbers: server modules' named numbers set in that process ({"realtime.SESSION_PENALTY_SECONDS": 1.0}):
        # tests/clockserver.py --set; production's are unchanged
        super().__init__(config, numbers=numbers, **kw)
        self.clock_file = config.parent / "clock-offset"
        # the newest move a round of the server's maintenance loop had seen as it began (tests/clockserver.py)
        self.looked_file = config.parent / "clock-offset.looked"
        self.offset = 0.0
        self.moves = 0  # the clock's moves so far, each named in the clock file
        self.tick = tick
        self.dated = dated
        # the staff sessions counted on this clock (tests/clockserver.py --sessions-on-clock): `advance` ends them
        self.sessions_on_clock = sessions_on_clock

    def start(self, timeout: float = 20.0) -> ClockedServer:
        self.looked_file.unlink(missing_ok=True)  # a new process: `looked` waits for a round of its own
        return super().start(timeout)

    def command(self) -> list[str]:
        script = str(ROOT / "tests" / "clockserver.py")
        return [sys.executable, script, "--config", str(self.config), "--port", str(self.port),
                "--clock-file", str(self.clock_file), "--tick", str(self.tick),
                *(["--dated"] if self.dated else []),
                *(["--sessions-on-clock"] if self.sessions_on_clock else []),
                *[f"--set={name}={value!r}" for name, value in self.numbers.items()]]  # fmt: skip

    def advance(self, seconds: float, looked: bool = False) -> None:
        """Move the server's time on (or back, `seconds` below 0: a PC's clock stepped back by NTP or by hand): a
        new file moved over the old one, never read half-written. `looked`: then wait until the server's loop
        has looked at the moved clock (`looked`)."""
        self.offset += seconds
        self.moves += 1
        new = self.clock_file.with_suffix(".new")
        new.write_text(f"{self.offset!r} {self.moves}")
        os.replace(new, self.clock_file)
        if looked:
            self.looked()

    def next_day(self, looked: bool = False) -> None:
        """The next day, at the hour of the day the clock now shows."""
        self.advance(86400, looked)

    def looked(self, timeout: float = 30.0) -> None:
        """Until a round of the server's maintenance loop that began after the clock's last move is over: the
        office's opening or closing, the day's turn, an idle counter's release, an automatic recall of that
        moment have then been seen, and told (server/workers.py). The loop looks every `tick` seconds, so the
        next move does not come before it looked at this one: a loaded machine's loop otherwise may look only
        after it, and never see the state in between (a lunch break's end, and then no close at the next edge).
        At most a tick's wait (a second with the production tick): for a test on a small tick."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                seen = int(self.looked_file.read_text() or 0)
            except (FileNotFoundError, ValueError):  # not yet written (a round not over since the start)
                seen = -1
            if seen >= self.moves:
                return
            if self.proc is None or self.proc.poll() is not None:
                raise RuntimeError(f"the server is not running: {self.log()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the server's loop did not look at move {self.moves} within {timeout:g} s")
            time.sleep(min(0.02, self.tick / 5))
