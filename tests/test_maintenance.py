"""The server's maintenance loop (server/workers.py) runs each of its tasks on its own: one that fails every second
is logged once, and the others go on. A real server, a real database that another program wrote a row into."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing

import requests
from conftest import write_config
from live import ClockedServer, server_command

from server.config import load_settings


def test_an_expiry_that_fails_every_second_stops_none_of_the_loops_other_work(tmp_path):
    """A waiting visitor of an earlier day written by another program with its time in Unix seconds: the expiry
    of earlier days' leftovers (once a second) cannot read it and fails each time. It took the loop's other tasks
    with it, for as long as the row stayed: here the settings the command line changes (the office renamed, never
    taken), as much as the automatic recalls, the office's hours and the release of idle counters."""
    server = ClockedServer(write_config(tmp_path), tick=0.1).start()  # the loop's round every 0.1 s, not 1 s
    try:
        with closing(sqlite3.connect(load_settings(server.config).server.database, isolation_level=None)) as db:
            db.execute("PRAGMA busy_timeout = 10000")
            db.execute(
                "INSERT INTO tickets (day, service, number, label, token, status, priority, position, created_at)"
                " VALUES ('2026-01-05', 'A', 99, 'A-099', 'dari-program-lain', 'waiting', 0, 99.0, 1767600000)"
            )
        deadline = time.monotonic() + 10
        while "Invalid isoformat string" not in server.log():  # the expiry failed, the first time
            assert time.monotonic() < deadline, server.log()
            time.sleep(0.05)
        r = server_command(["settings", "set", "office", '{"name": "LPSE Kota Baru"}', "--config", str(server.config)])
        assert r.returncode == 0, r.stderr
        deadline = time.monotonic() + 10
        while requests.get(server.url + "/api/state", timeout=5).json()["office"]["name"] != "LPSE Kota Baru":
            assert time.monotonic() < deadline, "the command line's settings were never taken"
            time.sleep(0.05)
        log = server.log()
        assert log.count("maintenance: expiry failed") == 1, log  # once, though it failed every round
        assert "ValueError: Invalid isoformat string: '1767600000'" in log
        # the kept figures of that day are made all the same (the row in no hour of it), not tried every second
        assert "maintenance: figures failed" not in log, log
    finally:
        server.stop()
