"""Starts the test servers of one pytest process by forking a process that has already imported them.

    python tests/forkserver.py        (started by tests/live.py; requests on stdin, answers on stdout)

`python -m server serve` spends 0.6 s of CPU importing Flask, Flask-SocketIO, gevent, python-escpos
and the server before it serves; a test run starts about a hundred servers. This process imports all
of that once, as `python -m server serve` would (gevent's patches first), and then forks a child for
each server a test starts. The child is the same program from there on: it sets its own argv,
environment, working folder and log, and runs server/cli.py's `main` (or tests/clockserver.py) as the
command would, on its own port and database, until it is signalled or ends. So a test's server is still
a real process of its own on TCP, killed for real by SIGKILL, and its exit code is reported.

One JSON request per line, one JSON answer per line:
    {"op": "spawn", "argv": [...], "env": {...}, "cwd": "...", "log": "..."}  ->  {"pid": N}
    {"op": "poll", "pid": N}  ->  {"returncode": null | int}   (negative: ended by that signal)
Any failure: {"error": "traceback"}. At the end of its input it stops the children still running.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()  # as `python -m server serve` does, before anything imports sockets or threads

import json  # noqa: E402
import os  # noqa: E402
import runpy  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402

from gevent.os import fork_gevent  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# What a server imports before it answers its first request (the lazy imports of server.cli.serve and
# of create_app included), so that none of it is read again in a child.
import counter  # noqa: E402, F401
import display  # noqa: E402, F401
import kiosk  # noqa: E402, F401
import printers.slips  # noqa: E402, F401
import printers.transport  # noqa: E402, F401
import server.app  # noqa: E402, F401
import server.cli  # noqa: E402
import server.httpserver  # noqa: E402, F401
import server.serverlock  # noqa: E402, F401
import server.versions  # noqa: E402, F401
import server.workers  # noqa: E402, F401
import simple_websocket  # noqa: E402, F401

waitpid = monkey.get_original("os", "waitpid")  # the real one: children are reaped only when asked


def run_child(request: dict, channels: tuple[int, int]) -> None:
    """In the forked child: become the command `request` describes, then exit with its code."""
    code = 1
    try:
        for fd in channels:
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        os.close(null)
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
                pid = fork_gevent()
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
