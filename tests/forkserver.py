"""Starts the test servers and commands of one pytest process by forking a process that has already
imported them.

    python tests/forkserver.py serve | command    (started by tests/live.py; requests on stdin, answers on stdout)

`python -m server serve` spends 0.6 s of CPU importing Flask, Flask-SocketIO, gevent, python-escpos
and the server before it serves, and every other command about as much before it starts; a test run
starts about a hundred servers and as many commands. This process imports all of that once, as the
command would (`serve`: gevent's patches first; `command`: no patches, as `python -m server users`
and the other commands run), and then forks a child for each server or command a test starts. The
child is the same program from there on: it takes its own argv, environment, working folder, input
and output files, and runs server/cli.py's `main` (or a script such as tests/clockserver.py) as the
command would, until it is signalled or ends (its servers share one cache of compiled page
templates, below; and a server that LiveServer marks so hashes the passwords it sets at one
PBKDF2 round instead of scrypt's 0.1 s). So a test's server is still a real process of its own on
TCP, killed for real by SIGKILL, and its exit code is reported.

One JSON request per line, one JSON answer per line:
    {"op": "spawn", "argv": [...], "env": {...}, "cwd": "...", "umask": N, "stdin": path | null,
     "stdout": path, "stderr": path}  ->  {"pid": N}
    {"op": "poll", "pid": N}  ->  {"returncode": null | int}   (negative: ended by that signal)
Any failure: {"error": "traceback"}. At the end of its input it stops the children still running.
"""

from __future__ import annotations

import sys

SERVE = sys.argv[1:] == ["serve"]
if SERVE:
    from gevent import monkey

    monkey.patch_all()  # as `python -m server serve` does, before anything imports sockets or threads

import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import runpy  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# What a server imports before it answers its first request (the lazy imports of server.cli.serve and
# of create_app included), or what the commands import, so that none of it is read again in a child.
import importlib  # noqa: E402

import server.cli  # noqa: E402

COMMANDS = ["server.app", "server.admin", "server.service", "server.serverlock", "server.versions"]
SERVER = ["counter", "display", "kiosk", "printers.slips", "printers.transport", "server.httpserver", "server.workers"]
for name in COMMANDS + (SERVER + ["simple_websocket"] if SERVE else []):
    importlib.import_module(name)

# The tests' fake printers print at once: a slip's wait before its paper is asked again (printers/transport.py
# PRINTING_SECONDS, 3 s in production) is 0.02 s (tests/conftest.py TEST_PRINTING_SECONDS) in every test server
# and command; a test of that wait gives its own (ClockedServer's numbers: printers.transport.PRINTING_SECONDS).
import printers.transport  # noqa: E402

printers.transport.PRINTING_SECONDS = 0.02

TEMPLATES: str | None = None
if SERVE:
    # Jinja compiles a template (2-38 ms) the first time a server renders it, in every server. Its
    # bytecode cache keeps the compiled code in a folder, by template and source checksum (written
    # whole, then renamed): this process's children share one, so each page is compiled once per
    # test worker and loaded by the servers after. What each server renders is the same.
    import tempfile

    import flask
    from jinja2 import FileSystemBytecodeCache

    TEMPLATES = tempfile.mkdtemp(prefix="antrian-templates-")
    flask.Flask.jinja_options = {**flask.Flask.jinja_options, "bytecode_cache": FileSystemBytecodeCache(TEMPLATES)}

    def _one_app_made() -> None:
        """Make and close one app here, on a throwaway database, before any child is forked: what every server's
        create_app would otherwise do again on its own (werkzeug's URL builders, written as Python source and
        compiled, tests/urlbuilders.py; the modules create_app imports at its first call) is done once, and each
        child takes it over. Each server still makes its own app, store and database; no connection, thread or
        greenlet of this one is left for a child."""
        import re
        import shutil

        from urlbuilders import made_once

        from server.app import create_app
        from server.cli import stop_service

        made_once()
        folder = Path(tempfile.mkdtemp(prefix="antrian-warm-"))
        try:
            text = (ROOT / "config.toml").read_text(encoding="utf-8")
            text = text.replace('database = "var/antrian.db"', f'database = "{folder / "antrian.db"}"')
            text = text.replace('data_dir = "var"', f'data_dir = "{folder / "data"}"')
            text = text.replace('backup_dir = "var/backups"', f'backup_dir = "{folder / "backups"}"')
            text = re.sub(r"\[printers\.kiosk\][^\[]*", '[printers.kiosk]\ntype = "dummy"\n\n', text)
            (folder / "config.toml").write_text(text, encoding="utf-8")
            app = create_app(folder / "config.toml", async_mode="gevent", workers=False, synchronous="OFF")
            stop_service(app.extensions["antrian"])
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    _one_app_made()

    from gevent.os import fork_gevent as fork  # the child's gevent hub made anew

    waitpid = monkey.get_original("os", "waitpid")  # the real one: children are reaped only when asked
else:
    fork, waitpid = os.fork, os.waitpid


def run_child(request: dict, channels: tuple[int, int]) -> None:
    """In the forked child: become the command `request` describes, then exit with its code."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # as a new interpreter has it
        for fd in channels:
            os.close(fd)
        os.chdir(request["cwd"])
        os.umask(request["umask"])
        os.environ.clear()
        os.environ.update(request["env"])
        for fd, path, flags in (
            (0, request["stdin"] or os.devnull, os.O_RDONLY),
            (1, request["stdout"], os.O_WRONLY | os.O_APPEND | os.O_CREAT),
            (2, request["stderr"], os.O_WRONLY | os.O_APPEND | os.O_CREAT),
        ):
            opened = os.open(path, flags, 0o644)
            os.dup2(opened, fd)
            os.close(opened)
        method = os.environ.pop("ANTRIAN_TEST_FORKED_HASH", None)  # tests/live.py FORKED_HASH
        if method:  # the passwords this server sets, hashed at this method (LiveServer: not scrypt)
            import functools

            from werkzeug.security import generate_password_hash

            from server import passwords

            passwords.generate_password_hash = functools.partial(generate_password_hash, method=method)
        # tests/live.py NUMBERS: a LiveServer's `numbers`, or a command's (tests/test_cli.py: the store's BUSY_SECONDS)
        numbers = os.environ.pop("ANTRIAN_TEST_NUMBERS", None)
        if numbers:
            from clockserver import set_module_number  # imported, it patches nothing: a command stays unpatched

            for assignment in json.loads(numbers):
                set_module_number(assignment)
        argv = request["argv"]
        if argv[:2] == ["-m", "server"]:
            sys.argv = ["server", *argv[2:]]
            code = server.cli.main(argv[2:])
        else:
            sys.argv = argv
            runpy.run_path(argv[0], run_name="__main__")
            code = 0
    except SystemExit as end:
        code = end.code if isinstance(end.code, int) else (0 if end.code is None else 1)
        if isinstance(end.code, str):
            print(end.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code if isinstance(code, int) else 1)


def returncode(pid: int) -> int | None:
    done, status = waitpid(pid, os.WNOHANG)
    if done == 0:
        return None
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def main() -> int:
    # What this process imported lives in every child for good: out of the garbage collector's passes,
    # in the children (whose start-up gc.collect() walked it all, copying each page it touched) and here.
    gc.collect()
    gc.freeze()
    # Ctrl-C in the terminal reaches every process of the run: this one ends at the end of its input
    # (the pytest process's), stopping its children, not halfway through a request.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Requests and answers on their own descriptors; 0, 1 and 2 are what the children take over.
    requests_fd, answers_fd = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    requests = os.fdopen(requests_fd, "r", encoding="utf-8")
    answers = os.fdopen(answers_fd, "w", encoding="utf-8")
    children: dict[int, int | None] = {}
    for line in requests:
        try:
            request = json.loads(line)
            if request["op"] == "spawn":
                pid = fork()
                if pid == 0:
                    run_child(request, (requests_fd, answers_fd))
                children[pid] = None
                answer = {"pid": pid}
            elif request["op"] == "poll":
                pid = request["pid"]
                if children.get(pid) is None:
                    children[pid] = returncode(pid)
                answer = {"returncode": children[pid]}
            else:
                answer = {"error": f"unknown op {request['op']!r}"}
        except Exception:
            answer = {"error": traceback.format_exc()}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
    # The tests' process is gone: leave no server behind (SIGTERM, then SIGKILL after 5 s).
    running = [pid for pid, code in children.items() if code is None and returncode(pid) is None]
    for pid in running:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while running and time.monotonic() < deadline:
        time.sleep(0.05)
        running = [pid for pid in running if returncode(pid) is None]
    for pid in running:
        os.kill(pid, signal.SIGKILL)
        waitpid(pid, 0)
    if TEMPLATES is not None:
        import shutil

        shutil.rmtree(TEMPLATES, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
