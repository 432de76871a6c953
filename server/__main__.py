"""Command line: python -m server serve | users add | demo (see server/cli.py)."""

import sys

from server.argv import command_name

if command_name(sys.argv[1:]) == "serve":
    # gevent must patch the standard library before anything else imports it.
    from gevent import monkey

    monkey.patch_all()

import os  # noqa: E402

from server.cli import main  # noqa: E402

try:
    sys.exit(main())
except BrokenPipeError:
    # Its output piped into a reader that stopped reading (`voice check | head`): not an error of the command. Python
    # would write a traceback, and flushing stdout at exit another; as other command-line programs, stop quietly.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(141)  # 128 + SIGPIPE, as a shell reports a program a broken pipe stopped
