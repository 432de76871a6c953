"""The command line of DESIGN.md: users add, demo, --config before or after the command."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT, write_config
from live import server_command

from server.config import load_settings
from server.service import QueueService
from server.store import Store


def cli(*args, stdin: str = "") -> subprocess.CompletedProcess:
    return server_command(list(args), input=stdin)


def test_users_add_reads_the_password_from_stdin_and_hashes_it(tmp_path):
    cfg = write_config(tmp_path)
    r = cli("--config", str(cfg), "users", "add", "Budi", "--role", "officer", stdin="kata-sandi-rahasia\n")
    assert r.returncode == 0, r.stderr
    store = Store(load_settings(cfg).server.database)
    with store.read() as tx:
        user = tx.user("budi")
    assert user["role"] == "officer" and "kata-sandi-rahasia" not in user["password_hash"]
    r = cli("users", "add", "budi", "--role", "officer", "--config", str(cfg), stdin="kata-sandi-rahasia\n")
    assert r.returncode == 2 and "exists" in r.stderr


@pytest.mark.parametrize(
    "args,stdin,msg",
    [
        (["users", "add", "siti", "--role", "officer"], "pendek\n", "password"),
        (["users", "add", "a b", "--role", "officer"], "cukup-panjang\n", "username"),
        (["users", "add", "siti", "--role", "officer", "--counter", "9"], "cukup-panjang\n", "no counter 9"),
    ],
)
def test_users_add_refuses_bad_input(tmp_path, args, stdin, msg):
    r = cli(*args, "--config", str(write_config(tmp_path)), stdin=stdin)
    assert r.returncode == 2 and msg in r.stderr


def test_role_must_be_known(tmp_path):
    r = cli("users", "add", "siti", "--role", "boss", "--config", str(write_config(tmp_path)), stdin="x" * 10)
    assert r.returncode != 0 and "invalid choice" in r.stderr


def test_account_changes_are_logged_as_the_admin_api_logs_them(tmp_path):
    """users add / passwd / disable / enable go through the admin API's account functions: each a
    `user_changed` event by "cli", as the admin page's changes are by their admin."""
    cfg = str(write_config(tmp_path))
    assert cli("users", "add", "siti", "--role", "frontoffice", "--config", cfg, stdin="kata-sandi-1\n").returncode == 0
    assert cli("users", "passwd", "siti", "--config", cfg, stdin="kata-sandi-2\n").returncode == 0
    assert cli("users", "disable", "siti", "--config", cfg).returncode == 0
    assert cli("users", "enable", "siti", "--config", cfg).returncode == 0
    r = cli("users", "passwd", "nobody", "--config", cfg, stdin="kata-sandi-3\n")
    assert r.returncode == 2 and "no user nobody" in r.stderr
    with Store(load_settings(cfg).server.database).read() as tx:
        events = tx.rows("SELECT actor, data FROM events WHERE type = 'user_changed' ORDER BY seq")
    assert [(e["actor"], json.loads(e["data"])) for e in events] == [
        ("cli", {"username": "siti", "change": "added", "role": "frontoffice"}),
        ("cli", {"username": "siti", "change": "password"}),
        ("cli", {"username": "siti", "change": "disabled"}),
        ("cli", {"username": "siti", "change": "enabled"}),
    ]


def test_demo_fills_yesterday_and_today_once(tmp_path):
    cfg = write_config(tmp_path)
    r = cli("demo", "--config", str(cfg))
    assert r.returncode == 0, r.stderr
    assert "visitors waiting today" in r.stdout
    store = Store(load_settings(cfg).server.database)
    with store.read() as tx:
        done = tx.one("SELECT COUNT(*) AS n FROM tickets WHERE status IN ('resolved', 'escalated')")["n"]
        waiting = tx.one("SELECT COUNT(*) AS n FROM tickets WHERE status = 'waiting'")["n"]
        jobs = tx.one("SELECT COUNT(*) AS n FROM print_jobs")["n"]
        surveyed = tx.one("SELECT COUNT(*) AS n FROM survey_responses WHERE ticket_id IS NOT NULL")["n"]
        day = tx.one("SELECT MIN(day) AS d FROM tickets")["d"]
    assert done >= 10 and waiting == 6
    assert jobs == 0  # demo visitors print nothing when the server starts
    assert 0 < surveyed < done  # most of yesterday's visitors answered the survey: the SKM report has figures
    skm = QueueService(load_settings(cfg), store).survey.skm(day, day)
    assert skm["respondents"] == surveyed and skm["mutu"] in ("A", "B", "C", "D")
    store.close()
    r = cli("demo", "--if-empty", "--config", str(cfg))
    assert "nothing added" in r.stdout


def test_systemd_unit_starts_this_checkout_and_is_valid_for_systemd(tmp_path):
    import shutil

    config = write_config(tmp_path)
    r = cli("systemd-unit", "--config", str(config), "--user", "lpse")
    assert r.returncode == 0, r.stderr
    unit = r.stdout
    lines = set(unit.splitlines())
    assert f'ExecStart="{sys.executable}" -m server serve --config "{config}"' in lines
    assert {f"WorkingDirectory={ROOT}", "User=lpse", "Restart=always", "WantedBy=multi-user.target"} <= lines
    path = tmp_path / "antrian.service"
    path.write_text(unit, encoding="utf-8")
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed here")
    check = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60)
    problems = [line for line in check.stderr.splitlines() if str(path) in line]
    assert check.returncode == 0 and not problems, check.stderr


def test_serve_says_where_each_page_is_and_warns_when_any_device_may_take_a_number(tmp_path):
    """The start's banner: the pages, the first account once, and, on the network with no kiosk
    addresses named (the demo's default), that any device may take a number."""
    from server.cli import banner

    open_to_all = load_settings(write_config(tmp_path))
    assert open_to_all.kiosk.addresses == ()
    lines = banner(open_to_all, "0.0.0.0", 8080, ("admin", "Xy7_secret"))
    assert "  Kiosk / kios:            http://127.0.0.1:8080/kiosk/" in lines
    assert "  First account (shown once): user 'admin', password 'Xy7_secret'" in lines
    assert any("[kiosk] addresses" in line for line in lines)
    assert not any("[kiosk] addresses" in line for line in banner(open_to_all, "127.0.0.1", 8080, None))
    (tmp_path / "named").mkdir()
    named = load_settings(write_config(tmp_path / "named", {"addresses = []": 'addresses = ["192.168.1.20"]'}))
    assert named.kiosk.addresses and not any(
        "[kiosk] addresses" in line for line in banner(named, "0.0.0.0", 8080, None)
    )
