"""Under gevent, a greenlet that yields inside a transaction never lets another greenlet into it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from conftest import ROOT

SCRIPT = textwrap.dedent(
    """
    from gevent import monkey
    monkey.patch_all()
    import sys, gevent
    from datetime import UTC, datetime
    from server.store import Store

    store = Store(sys.argv[1])
    seen = []

    def reader():
        with store.read() as tx:
            before = tx.user_count()
            gevent.sleep(0.2)  # yields mid-transaction, as a socket or a name lookup would
            seen.append((before, tx.user_count()))  # its own consistent view

    def writer():
        gevent.sleep(0.05)
        with store.write() as tx:
            tx.add_user("budi", "x", "officer", datetime.now(UTC), None)

    gevent.joinall([gevent.spawn(reader), gevent.spawn(writer)], raise_error=True)
    with store.read() as tx:
        print(seen, tx.user_count())
    """
)


def test_a_yield_inside_a_read_does_not_break_a_write_of_another_greenlet(tmp_path):
    r = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "g.db")], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[(0, 0)] 1"
