"""What the process runs on: `serve` patches the standard library with gevent, tests and scripts do not."""

from __future__ import annotations

import sys


def on_gevent() -> bool:
    """True in the server process (gevent's monkey patches applied): one event loop serves every
    request, so CPU-heavy work must leave it (a native thread or a child process)."""
    if "gevent" not in sys.modules:
        return False
    from gevent import monkey

    return monkey.is_module_patched("threading")
