"""Every command closes the database connections it opens (server/cli.py): Python 3.13 warns
(ResourceWarning "unclosed database in <sqlite3.Connection ...>") of one left to the garbage collector,
and until then it holds the database's -wal and -shm files open."""

from __future__ import annotations

import io
import sqlite3
import sys
from datetime import UTC, datetime

import pytest
from conftest import write_config

from server import cli
from server.store import Store


@pytest.fixture
def connections(monkeypatch):
    """Every sqlite3 connection opened from here on, held (so that no garbage collection closes one)."""
    opened: list[sqlite3.Connection] = []
    real = sqlite3.connect

    def connect(*args, **kwargs):
        conn = real(*args, **kwargs)
        opened.append(conn)
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect)
    return opened


def still_open(conns: list[sqlite3.Connection]) -> int:
    n = 0
    for conn in conns:
        try:
            conn.total_changes  # noqa: B018 (ProgrammingError once closed)
        except sqlite3.ProgrammingError:
            continue
        n += 1
    return n


def test_each_command_closes_every_database_connection_it_opens(tmp_path, monkeypatch, connections):
    """users, settings, demo, go-live, archive, retention, backup and restore, on their usual path and on a
    refusal: none leaves a connection open once it returns."""
    cfg = str(write_config(tmp_path))
    now = datetime.now(UTC)
    last_month = f"{now.year - 1}-12" if now.month == 1 else f"{now.year}-{now.month - 1:02d}"
    copy = str(tmp_path / "copy.db")
    steps = [
        (["users", "add", "budi", "--role", "officer"], 0),
        (["users", "add", "budi", "--role", "officer"], 2),  # user_exists
        (["users", "list"], 0),
        (["users", "disable", "budi"], 0),
        (["users", "enable", "nobody"], 2),
        (["users", "passwd", "budi"], 0),
        (["settings", "show"], 0),
        (["settings", "set", "queue", '{"max_calls": 2}'], 0),
        (["settings", "set", "queue", '{"max_calls": -1}'], 2),  # refused by the admin page's rules
        (["settings", "reset", "queue"], 0),
        (["settings", "reset", "queue"], 0),  # nothing stored
        (["demo", "--visitors", "3"], 0),
        (["demo"], 2),  # has tickets
        (["demo", "--if-empty"], 0),
        (["archive", "--month", last_month], 0),
        (["retention", "--months", "12"], 0),
        (["backup", copy], 0),
        (["restore", copy], 0),
        (["go-live"], 0),  # says what would go
        (["go-live", "--yes"], 0),
        (["go-live", "--yes"], 2),  # went live already
    ]
    left: dict[str, int] = {}
    codes: dict[str, int] = {}
    for argv, code in steps:
        monkeypatch.setattr(sys, "stdin", io.StringIO("kata-sandi-rahasia\n"))
        before = len(connections)
        name = " ".join(argv)
        codes[name] = cli.main([*argv, "--config", cfg])
        assert codes[name] == code, name
        assert len(connections) > before, f"{name} opened no database: nothing checked"
        if still_open(connections[before:]):
            left[name] = still_open(connections[before:])
    assert left == {}


def test_a_store_used_in_a_with_block_is_closed_at_its_end(tmp_path, connections):
    with pytest.raises(RuntimeError), Store(tmp_path / "antrian.db") as store:
        with store.read() as tx:
            tx.settings_overrides()
        _ = store.db  # the connection for scripts too
        assert still_open(connections) == 2
        raise RuntimeError("the block ends with an error")
    assert connections and still_open(connections) == 0
