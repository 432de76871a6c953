"""Command line: python -m server serve | users add | demo (see server/cli.py)."""

import sys


def _command(argv: list[str]) -> str | None:
    args = iter(argv)
    for arg in args:
        if arg == "--config":
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


if _command(sys.argv[1:]) == "serve":
    # gevent must patch the standard library before anything else imports it.
    from gevent import monkey

    monkey.patch_all()

from server.cli import main  # noqa: E402

sys.exit(main())
