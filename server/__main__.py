"""Command line: python -m server serve | users add | demo (see server/cli.py)."""

import sys

from server.argv import command_name

if command_name(sys.argv[1:]) == "serve":
    # gevent must patch the standard library before anything else imports it.
    from gevent import monkey

    monkey.patch_all()

from server.cli import main  # noqa: E402

sys.exit(main())
