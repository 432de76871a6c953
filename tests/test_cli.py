"""The command line of DESIGN.md: users add, demo, --config before or after the command."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import socket
import sqlite3
import string
import subprocess
import sys
import threading
import urllib.request
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT, mounted_tmpfs, visitor, write_config
from live import NUMBERS, server_command

from server import serverlock
from server.auth import check_login
from server.config import load_settings
from server.service import QueueService
from server.store import Store


def cli(*args, stdin: str = "") -> subprocess.CompletedProcess:
    return server_command(list(args), input=stdin)


def test_users_add_reads_the_password_from_stdin_and_hashes_it(tmp_path):
    cfg = write_config(tmp_path)
    r = cli("--config", str(cfg), "users", "add", "Budi", "--role", "officer", stdin="kata-sandi-rahasia\n")
    assert r.returncode == 0, r.stderr
    with Store(load_settings(cfg).server.database) as store, store.read() as tx:
        user = tx.user("budi")
    assert user["role"] == "officer" and "kata-sandi-rahasia" not in user["password_hash"]
    r = cli("users", "add", "budi", "--role", "officer", "--config", str(cfg), stdin="kata-sandi-rahasia\n")
    refused(r, "user budi exists", indonesian=("pengguna budi sudah ada",))


@pytest.mark.parametrize(
    "args,stdin,msg,pesan",
    [
        (["users", "add", "siti", "--role", "officer"], "pendek\n", "password invalid", "kata sandi tidak sah"),
        (
            ["users", "add", "a b", "--role", "officer"],
            "cukup-panjang\n",
            "username invalid",
            "nama pengguna tidak sah",
        ),
        (
            ["users", "add", "siti", "--role", "officer", "--counter", "9"],
            "cukup-panjang\n",
            "no counter 9 in config (its counters: 1, 2, 3)",  # the numbers to choose from
            "tidak ada loket 9 di config (loketnya: 1, 2, 3)",
        ),
        (
            ["users", "add", "siti", "--role", "officer", "--nip", "123"],
            "cukup-panjang\n",
            "--nip: not a valid NIP (full name: up to 100 characters; NIP: 18 digits)",
            "--nip: bukan NIP yang sah (nama lengkap: paling banyak 100 karakter; NIP: 18 angka)",
        ),
    ],
)
def test_users_add_refuses_bad_input(tmp_path, args, stdin, msg, pesan):
    r = cli(*args, "--config", str(write_config(tmp_path)), stdin=stdin)
    refused(r, msg, indonesian=(pesan,))


def test_role_must_be_known(tmp_path):
    r = cli("users", "add", "siti", "--role", "boss", "--config", str(write_config(tmp_path)), stdin="x" * 10)
    usage_error(
        r, "argument --role: invalid choice: 'boss'", indonesian=("argumen --role: pilihan tidak dikenal: 'boss'",)
    )


def test_an_unknown_or_taken_name_is_said_before_any_password_is_asked(tmp_path):
    """`users passwd nobody` and `users add` of a name taken asked the password twice, then said "no user" or
    "exists" (with nothing typed, "the password must be 8-200 characters"): the name is checked first."""
    cfg = str(write_config(tmp_path))
    assert cli("users", "add", "siti", "--role", "officer", "--config", cfg, stdin="kata-sandi-1\n").returncode == 0
    r = cli("users", "passwd", "nobody", "--config", cfg, stdin="")
    refused(r, "no user nobody", indonesian=("tidak ada pengguna nobody",))
    r = cli("users", "add", "siti", "--role", "officer", "--config", cfg, stdin="")
    refused(r, "user siti exists", indonesian=("pengguna siti sudah ada",))
    r = cli("users", "add", "budi santoso", "--role", "officer", "--config", cfg, stdin="")  # a name no login takes
    assert r.returncode == 2 and "\nerror: username invalid (" in r.stderr, r.stderr  # not "username, password"


def test_a_persons_name_typed_as_the_login_is_said_with_the_rule_and_where_the_full_name_goes(tmp_path):
    """`users add "Budi Santoso"` said "username invalid (password: 8+ characters; name: 2-32 of a-z 0-9 . _ -)":
    a password rule though none was asked, and not what was wrong (helper-275). The rule it breaks is said as on
    the admin page, and a name with spaces gets the command with a login and --full-name."""
    cfg = str(write_config(tmp_path))
    r = cli("users", "add", "Budi Santoso", "--role", "officer", "--counter", "2", "--config", cfg, stdin="")
    command = ".venv/bin/python -m server users add budi.santoso --role officer --counter 2 --full-name 'Budi Santoso'"
    assert r.returncode == 2 and r.stderr.splitlines() == [
        "kesalahan: nama pengguna tidak sah ('budi santoso'): Nama pengguna hanya boleh berisi huruf a–z, angka 0–9,"
        " titik (.), garis bawah (_) dan tanda hubung (-): spasi tidak boleh. Nama lengkap, dengan spasi, ditulis di"
        f" --full-name: {command}",
        "error: username invalid ('budi santoso'): A username may hold only letters a–z, digits 0–9, dots (.),"
        " underscores (_) and hyphens (-): a space is not allowed. A full name, with its spaces, goes in --full-name:"
        f" {command}",
    ], r.stderr
    r = cli("users", "add", "b", "--role", "officer", "--config", cfg, stdin="")
    assert r.returncode == 2 and r.stderr.splitlines() == [
        "kesalahan: nama pengguna tidak sah ('b'): Nama pengguna harus 2–32 karakter; yang diketik 1 karakter.",
        "error: username invalid ('b'): A username must be 2–32 characters long; this one has 1.",
    ], r.stderr


def test_account_changes_are_logged_as_the_admin_api_logs_them(tmp_path):
    """users add / passwd / disable / enable go through the admin API's account functions: each a
    `user_changed` event by "cli", as the admin page's changes are by their admin."""
    cfg = str(write_config(tmp_path))
    said = [
        cli("users", "add", "siti", "--role", "frontoffice", "--config", cfg, stdin="kata-sandi-1\n"),
        cli("users", "passwd", "siti", "--config", cfg, stdin="kata-sandi-2\n"),
        cli("users", "disable", "siti", "--config", cfg),
        cli("users", "enable", "siti", "--config", cfg),
    ]
    assert [(r.returncode, r.stdout) for r in said] == [  # the office's language first
        (0, "pengguna siti ditambahkan (frontoffice)\nuser siti added (frontoffice)\n"),
        (0, "kata sandi siti diganti\npassword of siti changed\n"),
        (0, "pengguna siti dinonaktifkan\nuser siti disabled\n"),
        (0, "pengguna siti diaktifkan\nuser siti enabled\n"),
    ]
    r = cli("users", "passwd", "nobody", "--config", cfg, stdin="kata-sandi-3\n")
    refused(r, "no user nobody", indonesian=("tidak ada pengguna nobody",))
    r = cli("users", "passwd", "siti", "--config", cfg, stdin="pendek\n")
    refused(r, "password must be 8-200 characters", indonesian=("kata sandi harus 8-200 karakter",))
    with Store(load_settings(cfg).server.database) as store, store.read() as tx:
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
    indonesian, english = r.stdout.splitlines()
    assert "visitors waiting today" in english and "pengunjung menunggu hari ini" in indonesian
    store = Store(load_settings(cfg).server.database)
    with store.read() as tx:
        done = tx.one("SELECT COUNT(*) AS n FROM tickets WHERE status IN ('resolved', 'escalated')")["n"]
        waiting = tx.one("SELECT COUNT(*) AS n FROM tickets WHERE status = 'waiting'")["n"]
        jobs = tx.one("SELECT COUNT(*) AS n FROM print_jobs")["n"]
        surveyed = tx.one("SELECT COUNT(*) AS n FROM survey_responses WHERE ticket_id IS NOT NULL")["n"]
        day = tx.one("SELECT MIN(day) AS d FROM tickets")["d"]
        timed = tx.one("SELECT COUNT(form_seconds) AS n, MIN(form_seconds) AS lo FROM tickets WHERE day = ?", [day])
    assert done >= 10 and waiting == 6
    assert timed["n"] >= 10 and timed["lo"] >= 90  # yesterday's kiosk visitors have the dashboard's form time
    assert jobs == 0  # demo visitors print nothing when the server starts
    assert 0 < surveyed < done  # most of yesterday's visitors answered the survey: the SKM report has figures
    skm = QueueService(load_settings(cfg), store).survey.skm(day, day)
    assert skm["respondents"] == surveyed and skm["mutu"] in ("A", "B", "C", "D")
    store.close()
    r = cli("demo", "--if-empty", "--config", str(cfg))
    assert r.stdout.splitlines() == [
        "demo: database sudah berisi tiket; tidak ada yang ditambahkan",
        "demo: database already has tickets; nothing added",
    ]


def test_go_live_deletes_the_trial_queue_keeps_accounts_and_settings_and_happens_once(tmp_path):
    """The admin tried everything on the demo (an account, a setting), then goes live: the tickets and all
    that hangs on them go, a copy of the database stays beside it, the next number is 1, and neither
    go-live nor the demo touch the database again."""
    cfg = write_config(tmp_path)
    assert cli("demo", "--visitors", "4", "--config", str(cfg)).returncode == 0
    r = cli("users", "add", "kepala", "--role", "admin", "--config", str(cfg), stdin="kata-sandi-rahasia\n")
    assert r.returncode == 0, r.stderr
    assert cli("settings", "set", "queue", '{"max_calls": 2}', "--config", str(cfg)).returncode == 0
    settings = load_settings(cfg)
    db = settings.server.database
    trial = Store(db)  # a number taken at the kiosk while trying it out: its slip is print job 1
    assert QueueService(settings, trial).issue(visitor()).body["ticket"]["print_job"] == 1
    trial.close()
    with Store(db) as store, store.read() as tx:
        tickets, accounts = (
            tx.one("SELECT COUNT(*) AS n FROM tickets")["n"],
            tx.one("SELECT COUNT(*) AS n FROM users")["n"],
        )
        last_seq = tx.last_seq()
    assert tickets == 11  # 4 served yesterday, 6 waiting today, the kiosk's try

    r = cli("go-live", "--config", str(cfg))  # says what would go, deletes nothing
    assert r.returncode == 0, r.stderr
    assert accounts == 1  # kepala's: "1 account", not "1 accounts" (helper-160)
    assert "go-live would delete 11 tickets (" in r.stdout and "kept: 1 account, " in r.stdout
    assert r.stdout.startswith("go-live akan menghapus 11 tiket (") and "tetap disimpan: 1 akun, " in r.stdout
    assert "settings (queue)" in r.stdout and "--yes" in r.stdout
    lock = serverlock.hold(db)
    try:
        # the office running it under `make service` is told how to stop it (killing it: systemd starts it again)
        r = cli("go-live", "--yes", "--config", str(cfg))
        refused(
            r,
            "stop it first",
            "sudo systemctl stop antrian",
            indonesian=("hentikan dulu", "sudo systemctl stop antrian"),
        )
    finally:
        lock.close()
    with Store(db) as store, store.read() as tx:
        assert tx.one("SELECT COUNT(*) AS n FROM tickets")["n"] == 11

    r = cli("go-live", "--yes", "--config", str(cfg))
    assert r.returncode == 0, r.stderr
    copy = Path(re.search(r"kept in (\S+)\. ", r.stdout).group(1))
    assert copy.name.startswith("antrian.db.before-go-live-") and copy.stat().st_mode & 0o777 == 0o600
    with closing(sqlite3.connect(copy)) as old:
        assert old.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 11
    store = Store(db)
    with store.read() as tx:
        counts = {t: tx.one(f"SELECT COUNT(*) AS n FROM {t}")["n"] for t in ("tickets", "forms", "survey_responses")}
        kinds = {r["type"] for r in tx.rows("SELECT DISTINCT type FROM events")}
        went = tx.last_event("went_live")
        assert tx.user("kepala") is not None and tx.settings_overrides() == {"queue": {"max_calls": 2}}
    assert counts == {"tickets": 0, "forms": 0, "survey_responses": 0}
    assert kinds == {"user_changed", "settings_changed", "went_live"}
    assert went["seq"] == last_seq + 1  # an open TV page takes the next calls as new
    service = QueueService(load_settings(cfg), store)
    assert service.issue(visitor()).body["ticket"]["label"] == "A-001"
    with store.read() as tx:  # a print agent's journal of the trial's job ids never meets a new job's
        jobs = tx.rows("SELECT id FROM print_jobs WHERE ticket_id IS NOT NULL")
    with closing(sqlite3.connect(copy)) as old:
        last_trial_job = old.execute("SELECT MAX(id) FROM print_jobs").fetchone()[0]
    assert last_trial_job and [j["id"] for j in jobs] == [last_trial_job + 1]
    store.close()

    refused(
        cli("go-live", "--yes", "--config", str(cfg)),
        "went live on",
        "nothing deleted",
        indonesian=("sudah go-live pada", "tidak ada yang dihapus"),
    )
    r = cli("demo", "--if-empty", "--config", str(cfg))  # make run after going live adds nothing
    assert r.returncode == 0 and "went live on" in r.stderr.splitlines()[1]
    assert "sudah go-live pada" in r.stderr.splitlines()[0]
    refused(cli("demo", "--config", str(cfg)), "went live on", indonesian=("pengunjung rekaan",))
    with Store(db) as store, store.read() as tx:
        assert tx.one("SELECT COUNT(*) AS n FROM tickets")["n"] == 1


def test_go_live_restore_and_demo_hold_the_server_lock_while_they_work(tmp_path, monkeypatch):
    """A server started while go-live empties the database, a restore replaces it or the demo fills it
    (systemd restarting it, `make run` in another terminal) is refused: each command holds the lock."""
    from server import archive
    from server import cli as cli_module

    cfg = write_config(tmp_path)
    db = load_settings(cfg).server.database
    seen: list[tuple[str, int | None]] = []

    def watching(name: str, real):
        def run(*args, **kw):
            seen.append((name, serverlock.holder(db)))
            with pytest.raises(serverlock.ServerRunning):  # what `serve` meets meanwhile
                serverlock.hold(db)
            return real(*args, **kw)

        return run

    monkeypatch.setattr(cli_module, "_demo_visitors", watching("demo", cli_module._demo_visitors))
    assert cli_module.main(["demo", "--visitors", "2", "--config", str(cfg)]) == 0
    backup = tmp_path / "copy.db"
    assert cli_module.main(["backup", str(backup), "--config", str(cfg)]) == 0
    monkeypatch.setattr(archive, "restore", watching("restore", archive.restore))
    assert cli_module.main(["restore", str(backup), "--config", str(cfg)]) == 0
    monkeypatch.setattr(archive, "go_live", watching("go-live", archive.go_live))
    assert cli_module.main(["go-live", "--yes", "--config", str(cfg)]) == 0
    assert seen == [("demo", os.getpid()), ("restore", os.getpid()), ("go-live", os.getpid())]
    assert serverlock.holder(db) is None  # and let go after


def test_a_demo_of_many_visitors_serves_them_all_yesterday(tmp_path):
    """More than 24 visitors one after another at the demo's pace ran past midnight into today: the demo stopped
    with a traceback (survey_closed), its database half filled. They are served yesterday, closer together."""
    cfg = write_config(tmp_path)
    r = cli("demo", "--visitors", "60", "--config", str(cfg))
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    settings = load_settings(cfg)
    today = datetime.now(settings.office.tz).date().isoformat()
    with Store(settings.server.database) as store, store.read() as tx:
        days = tx.db.execute("SELECT day, status, COUNT(*) FROM tickets GROUP BY day, status").fetchall()
    yesterday = (date.fromisoformat(today) - timedelta(days=1)).isoformat()
    # every visitor's number yesterday (one whose counter did not serve his service waited, and expired), and
    # today only the demo's six waiting
    assert sum(n for day, _, n in days if day == yesterday) == 60, days
    assert [(status, n) for day, status, n in days if day != yesterday] == [("waiting", 6)], days
    assert sum(n for day, status, n in days if status in ("resolved", "escalated")) > 40, days


def test_go_live_refuses_tickets_spanning_more_than_a_trial_unless_forced(tmp_path):
    """An office that ran an earlier release for months has no went-live mark: its records are not taken
    for a trial's."""
    cfg = write_config(tmp_path)
    settings = load_settings(cfg)
    store = Store(settings.server.database)
    when = [datetime(2026, 10, 1, 2, 0, tzinfo=UTC)]
    service = QueueService(settings, store, clock=lambda: when[0])
    service.issue(visitor(), printed=False)
    when[0] += timedelta(days=40)
    service.issue(visitor(), printed=False)
    store.close()
    refused(
        cli("go-live", "--yes", "--config", str(cfg)),
        "span 41 days (2026-10-01 to 2026-11-10)",
        "--force",
        indonesian=("mencakup 41 hari (2026-10-01 s.d. 2026-11-10)", "--force"),
    )
    with Store(settings.server.database) as store, store.read() as tx:
        assert tx.one("SELECT COUNT(*) AS n FROM tickets")["n"] == 2
    r = cli("go-live", "--yes", "--force", "--config", str(cfg))
    assert r.returncode == 0 and "deleted 2 tickets" in r.stdout, r.stderr
    with Store(settings.server.database) as store, store.read() as tx:
        assert tx.one("SELECT COUNT(*) AS n FROM tickets")["n"] == 0


def test_no_force_restores_or_goes_live_under_a_running_server(tmp_path):
    """The lock is the kernel's, held by a live server only. A restore under one (the message offered
    "or add --force") had ticket numbers issued again and the TVs' event numbers go backwards: the refusal
    says why and offers no --force, and --force is refused the same, saying it skips nothing of this;
    go-live --force (a trial over 31 days) and demo --force (a database with tickets) say what they skip."""
    from server import archive

    cfg, db = office(tmp_path, "Asli")
    backup = archive.backup(db, tmp_path / "copy.db")
    office(tmp_path, "Asli", "Baru")  # the live database moved on after the backup
    lock = serverlock.hold(db)  # as `serve` holds it
    try:
        for forced in ((), ("--force",)):
            r = cli("restore", str(backup), *forced, "--config", str(cfg))
            refused(
                r,
                f"an Antrian server (pid {os.getpid()}) is already running on this database",
                "stop it first",
                "the ticket numbers already given out are issued again and the TVs see the events' numbers go"
                " backwards, which breaks them",
                *(("--force does not skip this check: nothing can while a server runs",) if forced else ()),
                indonesian=(
                    "hentikan dulu",
                    "nomor antrian yang sudah diberikan terbit lagi",
                    *(("--force tidak melewati pemeriksaan ini",) if forced else ()),
                ),
            )
            assert "or add --force" not in r.stderr and "atau tambahkan --force" not in r.stderr
            assert r.stderr.count("--force") == len(forced) * 2, r.stderr
        r = cli("go-live", "--yes", "--force", "--config", str(cfg))
        refused(
            r,
            "stop it first",
            "--force only lets go-live delete tickets spanning more than 31 days; it does not skip this check",
            indonesian=(
                "hentikan dulu",
                "--force hanya mengizinkan go-live menghapus tiket yang mencakup lebih dari 31",
            ),
        )
        r = cli("go-live", "--yes", "--config", str(cfg))
        refused(r, "stop it first", indonesian=("hentikan dulu",))
        assert "--force" not in r.stderr
        r = cli("demo", "--force", "--visitors", "1", "--config", str(cfg))
        refused(r, "--force only lets the demo add to a database with tickets; it does not skip this check")
    finally:
        lock.close()
    assert visitors(db) == ["Asli", "Asli", "Baru"] and not list(tmp_path.glob("antrian.db.before-*"))
    # the server stopped: the same command restores (--force accepted, and nothing else to it)
    r = cli("restore", str(backup), "--force", "--config", str(cfg))
    assert r.returncode == 0, r.stderr
    assert visitors(db) == ["Asli"]


def test_systemd_unit_starts_this_checkout_and_is_valid_for_systemd(tmp_path):
    import shutil

    config = write_config(tmp_path)
    r = cli("systemd-unit", "--config", str(config), "--user", "lpse")
    assert r.returncode == 0, r.stderr
    unit = r.stdout
    lines = set(unit.splitlines())
    assert f'ExecStart="{sys.executable}" -m server serve --config "{config}"' in lines
    assert {f"WorkingDirectory={ROOT}", "User=lpse", "Restart=always", "WantedBy=multi-user.target"} <= lines
    # but not after a config error (serve's exit code for it), which only mending config.toml ends
    from server.cli import EXIT_CONFIG

    assert f"RestartPreventExitStatus={EXIT_CONFIG}" in lines
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
    assert re.fullmatch(r"  Kios / Kiosk: +http://127\.0\.0\.1:8080/kiosk/", lines[1]), lines
    assert [x for x in lines if "First account" in x] == [  # `grep "First account"` (docs/operations.md)
        "  Akun pertama / First account:  admin, kata sandi / password 'Xy7_secret'"
    ]
    assert "[kiosk] addresses" in unwrapped(lines) and "any device may take a number" in unwrapped(lines)
    assert "Kios: perangkat apa pun dapat mengambil nomor" in unwrapped(lines)
    assert "[kiosk] addresses" not in unwrapped(banner(open_to_all, "127.0.0.1", 8080, None))
    # on every interface: the address the other devices type, and the demo's loopback public_url is said
    # to be one only this PC can open (the tickets' QR codes)
    lines = banner(open_to_all, "0.0.0.0", 8080, None, lan="192.168.1.10")
    assert any(line.endswith("http://192.168.1.10:8080/…") for line in lines)
    assert (
        "public_url adalah http://127.0.0.1:8080: kode QR pada tiket hanya terbuka di PC ini;"
        " atur ke http://192.168.1.10:8080 di config.toml"
    ) in unwrapped(lines)
    assert (
        "public_url is http://127.0.0.1:8080: the tickets' QR codes open on this PC only;"
        " set it to http://192.168.1.10:8080 in config.toml"
    ) in unwrapped(lines)
    (tmp_path / "lan").mkdir()
    on_lan = load_settings(
        write_config(
            tmp_path / "lan", {'public_url = "http://127.0.0.1:8080"': 'public_url = "http://192.168.1.10:8080"'}
        )
    )
    assert not any("public_url" in line for line in banner(on_lan, "0.0.0.0", 8080, None, lan="192.168.1.10"))
    assert not any("public_url" in line for line in banner(open_to_all, "127.0.0.1", 8080, None))
    (tmp_path / "named").mkdir()
    named = load_settings(write_config(tmp_path / "named", {"addresses = []": 'addresses = ["192.168.1.20"]'}))
    assert named.kiosk.addresses and not any(
        "[kiosk] addresses" in line for line in banner(named, "0.0.0.0", 8080, None)
    )
    # the demo's printers left after going live: a dummy and a file are said; a file under /dev is a printer
    assert "Printer 'kiosk' tidak mencetak ke mana pun, seperti demo: atur [printers.kiosk]" in unwrapped(lines)
    assert "Printer 'kiosk' prints nowhere, not to a printer (as the demo does): set [printers.kiosk]" in unwrapped(
        lines
    )
    for path, warned in (("var/tickets.prn", True), ("/dev/usb/lp0", False)):
        (tmp_path / "p").mkdir(exist_ok=True)
        filed = load_settings(
            write_config(tmp_path / "p", extra=f'\n[printers.front]\ntype = "file"\npath = "{path}"\n')
        )
        told = unwrapped(banner(filed, "127.0.0.1", 8080, None))
        assert (f"{path}, not to a printer (as the demo does): set [printers.front]" in told) == warned, told
        assert (f"{path}, bukan ke printer, seperti demo: atur [printers.front]" in told) == warned, told


@pytest.mark.parametrize(
    ("zone", "warned"),
    [("UTC", True), ("Asia/Singapore", True), ("Europe/London", True), ("Asia/Makassar", False)],
)
def test_the_start_says_an_office_time_zone_outside_indonesia(tmp_path, zone, warned):
    """A zone tzdata knows but no LPSE office is in (the PC's "UTC", a neighbour's city) was taken without a
    word: every time on the tickets and reports, and the day's turn of the numbers, hours off (helper-275)."""
    from server.cli import banner

    settings = load_settings(write_config(tmp_path, {'timezone = "Asia/Jakarta"': f'timezone = "{zone}"'}))
    told = unwrapped(banner(settings, "127.0.0.1", 8080, None))
    indonesian = f'Zona waktu [office] timezone = "{zone}" bukan zona waktu Indonesia (jam kantor menurut zona itu'
    english = f'The time zone [office] timezone = "{zone}" is not one of Indonesia\'s'
    assert (indonesian in told) == warned, told
    assert (english in told) == warned, told
    if warned:  # what to write instead, in both languages
        assert 'tulis "Asia/Jakarta" (WIB), "Asia/Makassar" (WITA) atau "Asia/Jayapura" (WIT) di config.toml' in told
        assert 'write "Asia/Jakarta" (WIB), "Asia/Makassar" (WITA) or "Asia/Jayapura" (WIT) in config.toml' in told
        assert told.index(indonesian) < told.index(english)
        assert re.search(r"menurut zona itu sekarang \d\d\.\d\d\)", told) and re.search(r"now: \d\d:\d\d\)", told)


@pytest.mark.parametrize(("zone", "warned"), [("UTC", True), ("Asia/Makassar", False)])
def test_settings_show_says_an_office_time_zone_outside_indonesia_too(tmp_path, zone, warned):
    """The warning of a time zone outside Indonesia was the start's alone (helper-275), and an admin looking at
    the settings in force with `settings show` saw "timezone": "UTC" without a word (helper-279): it says it
    too, on stderr, stdout staying the JSON a script reads."""
    cfg = write_config(tmp_path, {'timezone = "Asia/Jakarta"': f'timezone = "{zone}"'})
    r = cli("settings", "show", "--config", str(cfg))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["office"]["timezone"] == zone
    said = r.stderr.splitlines()
    if not warned:
        assert said == [], r.stderr
        return
    assert len(said) == 2, r.stderr
    assert said[0].startswith(f'Zona waktu [office] timezone = "{zone}" bukan zona waktu Indonesia'), r.stderr
    assert said[1].startswith(f'The time zone [office] timezone = "{zone}" is not one of Indonesia\'s'), r.stderr
    assert re.search(r"now: \d\d:\d\d\)", said[1]), r.stderr


def test_the_servers_log_lines_carry_the_offices_time_with_its_zone(tmp_path):
    """The log's time was the PC's zone's: a server PC left on UTC wrote journal lines hours off the tickets'
    times, with no zone to tell (helper-279). Each line carries the office's time and its zone's name (WIT for
    an office in Jayapura, whatever the PC's zone)."""
    from zoneinfo import ZoneInfo

    from live import LiveServer

    cfg = write_config(tmp_path, {'timezone = "Asia/Jakarta"': 'timezone = "Asia/Jayapura"'})
    server = LiveServer(cfg, env={"TZ": "UTC"}).start()
    try:
        line = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),\d{3} (\S+) INFO ", re.M)
        deadline = datetime.now(UTC) + timedelta(seconds=20)
        while not line.search(server.log()) and datetime.now(UTC) < deadline:
            threading.Event().wait(0.05)  # the start's INFO lines (the daily copy, the open files) come within it
        found = line.search(server.log())
    finally:
        server.stop()
    assert found, server.log()
    at, zone = found.groups()
    assert zone == "WIT", found.group(0)
    office_now = datetime.now(ZoneInfo("Asia/Jayapura")).replace(tzinfo=None)
    assert abs(datetime.fromisoformat(at) - office_now) < timedelta(minutes=2), (at, office_now)


def test_the_start_says_an_smtp_login_without_its_password_in_the_environment(tmp_path, monkeypatch):
    """[escalation] with a username and ANTRIAN_SMTP_PASSWORD unset (`make run`, which reads no
    /etc/antrian.env, or the variable misspelt there) started without a word, and the first escalation's mail
    was refused at its login to the mail server (helper-275): the start says it, with where the password goes."""
    from server.cli import banner

    cfg = write_config(
        tmp_path,
        {
            'enabled = false\nhost = "127.0.0.1"\nport = 25': 'enabled = true\nhost = "smtp.contoh.go.id"\nport = 25',
            'username = ""': 'username = "lpse@contoh.go.id"',
        },
    )
    settings = load_settings(cfg)
    monkeypatch.delenv("ANTRIAN_SMTP_PASSWORD", raising=False)
    told = unwrapped(banner(settings, "127.0.0.1", 8080, None))
    indonesian = (
        '[escalation] username = "lpse@contoh.go.id", tetapi ANTRIAN_SMTP_PASSWORD tidak diisi di lingkungan server'
        " ini: surat eskalasi ke LKPP akan ditolak saat login ke smtp.contoh.go.id; isi ANTRIAN_SMTP_PASSWORD=… di"
        " /etc/antrian.env"
    )
    english = (
        '[escalation] username = "lpse@contoh.go.id", but ANTRIAN_SMTP_PASSWORD is not set in this server\'s'
        " environment: escalation mails to LKPP will be refused at the login to smtp.contoh.go.id; put"
        " ANTRIAN_SMTP_PASSWORD=… in /etc/antrian.env"
    )
    assert indonesian in told and english in told and told.index(indonesian) < told.index(english), told
    monkeypatch.setenv("ANTRIAN_SMTP_PASSWORD", "rahasia-smtp")
    assert "[escalation]" not in unwrapped(banner(settings, "127.0.0.1", 8080, None))
    # no login (a relay that takes the office's address), or escalation off: nothing to say
    monkeypatch.delenv("ANTRIAN_SMTP_PASSWORD")
    for replace in (
        {'enabled = false\nhost = "127.0.0.1"\nport = 25': 'enabled = true\nhost = "127.0.0.1"\nport = 25'},
        {'username = ""': 'username = "lpse@contoh.go.id"'},
    ):
        (tmp_path / "o").mkdir(exist_ok=True)
        other = load_settings(write_config(tmp_path / "o", replace))
        assert "[escalation]" not in unwrapped(banner(other, "127.0.0.1", 8080, None))


def test_settings_show_says_what_saved_values_hide_in_indonesian_then_english(tmp_path):
    """The lines listing each config.toml value a saved one hides ("service hours", "none (always open)",
    "3 rows", "admin page") were English alone between the headings of both languages:
    the Indonesian lines first, then the same in English; stdout stays the JSON."""
    from server.cli import _python
    from server.config import WEEKDAYS

    cfg = write_config(tmp_path)
    services = load_settings(cfg).services
    rows = [{"code": s.code, "name": s.name, "prefix": s.prefix} for s in services]
    rows[1]["name"] = "Konsultasi Lainnya"
    week = dict.fromkeys(WEEKDAYS, "") | {"monday": "08:00-12:00"}
    for section, value in (("office", {"public_url": "http://127.0.0.1:9999"}), ("services", rows), ("hours", week)):
        r = cli("settings", "set", section, json.dumps(value), "--config", str(cfg))
        assert r.returncode == 0, r.stderr
    r = cli("settings", "show", "--config", str(cfg))
    assert r.returncode == 0 and json.loads(r.stdout)["office"]["public_url"] == "http://127.0.0.1:9999"
    lines = r.stderr.splitlines()
    resets = " · ".join(f"{_python()} -m server settings reset {s}" for s in ("office", "services", "hours"))
    assert lines == [
        "Disimpan di halaman admin, dipakai menggantikan config.toml:",
        '  office.public_url: config.toml "http://127.0.0.1:8080", halaman admin "http://127.0.0.1:9999"',
        "  services: config.toml 3 baris, halaman admin 3 baris (yang dipakai); yang berbeda:",
        '    Layanan baris 2 (B), nama: config.toml "Konsultasi Non-Penyedia (PPK/Pokja/PP)", halaman admin "Konsultasi Lainnya"',
        "  hours: config.toml tidak ada (selalu buka), halaman admin jam layanan",
        f"  Kembali ke config.toml: {resets} (semua nilai yang disimpan untuk bagian itu), atau simpan nilai"
        " config.toml di halaman admin (nilai yang sama dengan config.toml tidak disimpan)",
        "Saved on the admin page, used instead of config.toml:",
        '  office.public_url: config.toml "http://127.0.0.1:8080", admin page "http://127.0.0.1:9999"',
        "  services: config.toml 3 rows, admin page 3 rows (the one in use); what differs:",
        '    Service row 2 (B), name: config.toml "Konsultasi Non-Penyedia (PPK/Pokja/PP)", admin page "Konsultasi Lainnya"',
        "  hours: config.toml none (always open), admin page service hours",
        f"  Back to config.toml: {resets} (every value saved for that section), or save config.toml's value"
        " on the admin page (a value equal to config.toml's is not kept)",
    ], r.stderr


def test_settings_set_of_a_value_that_is_not_json_says_where_and_how_to_quote_it_not_pythons_error(tmp_path):
    """`settings set queue {"max_calls":2}` typed without the quotes (the shell takes the double ones away) said
    "VALUE bukan JSON: JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char
    1)": Python's exception, in English, in the Indonesian line. It says where the JSON stops, and an example
    in single quotes."""
    cfg = write_config(tmp_path)
    for value, id_where, en_where in (
        ("{max_calls:2}", "baris 1, kolom 2", "line 1, column 2"),
        ("[" * 5000, "bertingkat terlalu dalam", "nested too deeply"),
    ):
        r = cli("settings", "set", "queue", value, "--config", str(cfg))
        refused(
            r,
            f"the value for queue is not valid JSON ({en_where}); write it as JSON inside single quotes, e.g. ",
            indonesian=(f"nilai untuk queue bukan JSON yang sah ({id_where}); tulis nilainya sebagai JSON",),
        )
        assert r.stderr.count(""" -m server settings set queue '{"max_calls": 2}'\n""") == 2, r.stderr
        assert not re.search(r"Error|Expecting|char \d", r.stderr), r.stderr


def test_settings_set_says_a_table_written_as_null_and_a_value_already_in_force(tmp_path):
    """`settings set queue null` changed nothing and said "queue diubah"; `office null` said "office: not_object",
    a code. A table is refused in words with an example, and a value already in force is said unchanged (nothing is
    saved nor logged: server/admin.py change_settings)."""
    cfg = str(write_config(tmp_path))
    r = cli("settings", "set", "queue", "null", "--config", cfg)
    refused(
        r,
        'settings not changed: [queue] is written as a JSON object of its keys, e.g. {"max_calls": 3}; the keys not'
        " written stay.",
        indonesian=(
            'pengaturan tidak diubah: [queue] ditulis sebagai objek JSON dengan kuncinya, mis. {"max_calls": 3}',
        ),
    )
    assert "not_object" not in cli("settings", "set", "office", "null", "--config", cfg).stderr
    said = [cli("settings", "set", "queue", '{"max_calls": 2}', "--config", cfg).stdout for _ in range(2)]
    assert "settings: queue changed" in said[0] and "unchanged" not in said[0], said
    assert "settings: queue unchanged (its value is the one in force already); nothing saved" in said[1], said
    assert "pengaturan: queue tidak berubah" in said[1], said


def test_settings_of_a_misspelt_section_names_the_likely_one_not_config_toml(tmp_path):
    """`settings set kios …` (docs/operations.md's command typed by hand) was refused as "[kios] can be changed only
    in config.toml", which has no such section (helper-275): it says there is none, and the likely one."""
    cfg = str(write_config(tmp_path))
    editable = "office, queue, services, counters, priority_classes, kiosk, hours, tts"
    r = cli("settings", "set", "kios", '{"addresses": ["192.168.1.20"]}', "--config", cfg)
    refused(
        r,
        f"settings not changed: [kios] is no section of Antrian's settings (did you mean kiosk?); these can be"
        f" changed here: {editable}",
        indonesian=(
            f"pengaturan tidak diubah: [kios] bukan bagian pengaturan Antrian (maksudnya kiosk?); yang bisa diubah di"
            f" sini: {editable}",
        ),
    )
    r = cli("settings", "reset", "xyz", "--config", cfg)
    refused(r, "settings not changed: [xyz] is no section of Antrian's settings; these can be changed here: ")
    # a section of config.toml alone is still said to be changed there
    r = cli("settings", "reset", "printers", "--config", cfg)
    refused(r, "settings not changed: [printers] cannot be changed here, only in config.toml")


def test_serve_says_at_its_start_which_config_toml_values_saved_ones_hide_and_the_way_back(tmp_path):
    """public_url set in config.toml (README step 1) after the admin page saved [office]: the start names
    each config.toml value a saved one is used instead of, with both, and `settings reset`; the banner's
    public_url advice then points at the admin page, where the value in use is."""
    from live import LiveServer

    from server.cli import banner

    cfg = write_config(tmp_path)
    r = cli("settings", "set", "office", '{"public_url": "http://127.0.0.1:9999"}', "--config", str(cfg))
    assert r.returncode == 0, r.stderr
    cfg.write_text(cfg.read_text().replace("http://127.0.0.1:8080", "http://192.168.1.10:8080"), encoding="utf-8")
    server = LiveServer(cfg).start()
    try:
        log = server.log()
    finally:
        server.stop()
    assert 'office.public_url: config.toml "http://192.168.1.10:8080", admin page "http://127.0.0.1:9999"' in log
    assert "-m server settings reset office" in log, log
    from dataclasses import replace

    file = load_settings(cfg)
    in_use = replace(file, office=replace(file.office, public_url="http://127.0.0.1:9999"))
    saved = frozenset({"office.public_url"})
    hint = unwrapped(banner(in_use, "0.0.0.0", 8080, None, "192.168.1.10", saved))
    assert hint.count("public_url") == 2, hint  # once in each language
    assert "atur ke http://192.168.1.10:8080 di halaman admin (Kantor), tempat nilainya disimpan" in hint
    assert (
        "set it to http://192.168.1.10:8080 on the admin page (Kantor), where it was saved over config.toml's"
    ) in hint


def test_serve_warns_when_public_url_names_this_pc_on_another_port_than_it_listens_on(tmp_path):
    """8080 taken by another program, the admin set [server] port = 8081 and left public_url on
    http://192.0.2.2:8080: every ticket's QR code led to the other program. The start says so, in both
    languages, naming the address to set, when public_url's host is this PC (loopback, localhost, the LAN
    address, the bound host) and its port (written, or 80/443 by its scheme) is not the one listened on;
    another PC's address (a proxy there) is not this server's to judge."""
    from dataclasses import replace

    from server.cli import banner

    file = load_settings(write_config(tmp_path))

    def said(url: str, host: str, port: int, lan: str | None = None, saved=frozenset()) -> str:
        settings = replace(file, office=replace(file.office, public_url=url))
        lines = banner(settings, host, port, None, lan, saved)
        assert all(len(line) <= 80 for line in lines), lines
        return unwrapped(lines)

    told = said("http://192.0.2.2:8080", "0.0.0.0", 8081, lan="192.0.2.2")
    assert (
        "[office] public_url is http://192.0.2.2:8080: port 8080 of this PC, but this server listens on port 8081,"
        " so the tickets' QR codes lead to another program or to nothing; set it to http://192.0.2.2:8081 in"
        " config.toml (unless a reverse proxy on port 8080 forwards to this server)"
    ) in told, told
    assert (
        "[office] public_url adalah http://192.0.2.2:8080: port 8080 di PC ini, padahal server ini mendengarkan"
        " di port 8081, sehingga kode QR pada tiket mengarah ke program lain atau tidak ke mana pun; atur ke"
        " http://192.0.2.2:8081 di config.toml (kecuali bila reverse proxy di port 8080 meneruskan ke server ini)"
    ) in told, told
    assert told.index("public_url adalah") < told.index("public_url is")  # Indonesian first
    # the same port: nothing said; another PC's address: not this PC's port to judge
    assert "public_url" not in said("http://192.0.2.2:8081", "0.0.0.0", 8081, lan="192.0.2.2")
    assert "public_url" not in said("http://192.0.2.9:8080", "0.0.0.0", 8081, lan="192.0.2.2")
    assert "public_url" not in said("http://192.0.2.2:8080", "0.0.0.0", 8081)  # no LAN address known
    # the port a URL without one means: 80 for http, 443 for https (the server itself speaks http)
    assert "port 80 of this PC" in said("http://192.0.2.2", "0.0.0.0", 8080, lan="192.0.2.2")
    assert "public_url" not in said("http://192.0.2.2", "0.0.0.0", 80, lan="192.0.2.2")
    told = said("https://192.0.2.2", "0.0.0.0", 8080, lan="192.0.2.2")
    assert "port 443 of this PC" in told and "set it to http://192.0.2.2:8080 in config.toml" in told, told
    # this PC by its loopback names or the host it is bound to, and where the value in use was saved
    for url, host, target in (
        ("http://127.0.0.1:8080", "127.0.0.1", "http://127.0.0.1:8081"),
        ("http://localhost:8080/", "127.0.0.1", "http://localhost:8081"),
        ("http://192.0.2.2:8080", "192.0.2.2", "http://192.0.2.2:8081"),
        ("http://[::1]:8080", "::1", "http://[::1]:8081"),
    ):
        assert f"set it to {target} in config.toml" in said(url, host, 8081), (url, host)
    told = said("http://127.0.0.1:8080", "127.0.0.1", 8081, saved=frozenset({"office.public_url"}))
    assert "set it to http://127.0.0.1:8081 on the admin page (Kantor)" in told, told
    # a loopback public_url on every interface: the advice already given names the port, once
    told = said("http://127.0.0.1:8080", "0.0.0.0", 8081, lan="192.0.2.2")
    assert told.count("public_url") == 2 and "set it to http://192.0.2.2:8081 in config.toml" in told, told


# -- the command line's own words: argparse's help and refusals, in both languages ------------------------
def parser_tree() -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every parser of the real command line with the words that reach it: () the top, ("users", "add")…"""
    from server.cli import _parser

    found, todo = [], [((), _parser())]
    while todo:
        path, parser = todo.pop(0)
        found.append((path, parser))
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                todo += [((*path, name), sub) for name, sub in action.choices.items()]
    return found


def catalogue_pattern(text: str) -> str:
    """A regex of a catalogue text, its {placeholders} anything."""
    return "".join(
        re.escape(literal) + (".+" if name is not None else "")
        for literal, name, _, _ in string.Formatter().parse(text)
    )


def test_every_command_and_option_says_its_help_in_indonesian_then_english():
    """Each parser's description, each sub-command's line and each argument's help (-h's too) is a pair of
    the catalogue's `cli.help.*`: "Indonesian / English", two different texts; an argument without help fails."""
    from server.i18n import section

    ids, ens = section("cli.help", "id"), section("cli.help", "en")
    pairs = [f"(?:{catalogue_pattern(ids[k])}) / (?:{catalogue_pattern(ens[k])})" for k in ids if ids[k] != ens[k]]
    bilingual = re.compile("|".join(pairs))
    tree = parser_tree()
    commands = {" ".join(path) for path, _ in tree}
    assert {"", "serve", "users add", "users passwd", "settings set", "demo", "go-live", "printer test"} <= commands
    texts = []
    for path, parser in tree:
        texts.append((path, "description", parser.description))
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):  # its line lists the commands; theirs say them
                texts += [(path, choice.dest, choice.help) for choice in action._choices_actions]
            elif action.help != argparse.SUPPRESS:  # --sync: for the tests' servers only
                texts.append((path, action.dest, action.help))
    assert len(texts) > 100, len(texts)
    wrong = [(path, what, text) for path, what, text in texts if not text or not bilingual.fullmatch(text)]
    assert wrong == []
    serve = dict(tree)[("serve",)]
    assert (
        serve.description
        == "jalankan server (HTTP + Socket.IO + pekerja) / run the server (HTTP + Socket.IO + workers)"
    )


def test_help_says_its_headings_in_both_languages():
    r = cli("serve", "--help")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert r.stdout.startswith("pemakaian / usage: python -m server serve [-h] [--config CONFIG]"), r.stdout
    # one "options" heading: --config, which every command takes, is with the command's own
    assert r.stdout.count("\nopsi / options:\n") == 1 and "argumen / positional arguments" not in r.stdout, r.stdout
    text = " ".join(r.stdout.split())
    assert "-h, --help tampilkan bantuan ini lalu keluar / show this help message and exit" in text
    assert "--port PORT port 1-65535 (bawaan: [server] port) / port 1-65535 (default: [server] port)" in text
    assert "--config CONFIG berkas konfigurasi (bawaan: config.toml) / config file (default: config.toml)" in text
    top = " ".join(cli("--help").stdout.split())
    assert "argumen / positional arguments: {serve,users," in top and "users kelola akun / manage accounts" in top


ROLES_SAID = "'officer', 'frontoffice', 'admin'"
COMMANDS = (
    "serve users settings demo archive retention backup restore repair go-live voice printer systemd-unit".split()
)


def invalid_choice(value: str, choices: list[str]) -> str:
    """argparse's own English for `value` not among `choices`, as this Python's argparse words it: the
    choices quoted ('officer', 'admin') on 3.11, 3.12.0-3.12.7 and 3.13.0, bare (officer, admin) from 3.12.8
    and 3.13.1 (Debian 13's 3.13.5); the Indonesian of server/argv.py lists them quoted on every Python."""
    parser = argparse.ArgumentParser(exit_on_error=False)
    parser.add_argument("x", choices=choices)
    with pytest.raises(argparse.ArgumentError) as refused:
        parser.parse_args([value])
    said = refused.value.message
    quoted = f"invalid choice: {value!r} (choose from {', '.join(map(repr, choices))})"
    assert said in (quoted, f"invalid choice: {value!r} (choose from {', '.join(choices)})"), said
    assert sys.version_info >= (3, 12) or said == quoted, said
    return said


@pytest.mark.parametrize(
    "argv,command,indonesian,english",
    [
        (  # missing
            ["users", "add", "siti"],
            "users add",
            "argumen ini wajib diberikan: --role",
            "the following arguments are required: --role",
        ),
        (["backup"], "backup", "argumen ini wajib diberikan: file", "the following arguments are required: file"),
        (  # invalid choice, of an option and of a command
            ["users", "add", "siti", "--role", "boss"],
            "users add",
            f"argumen --role: pilihan tidak dikenal: 'boss' (pilih salah satu dari {ROLES_SAID})",
            "argument --role: " + invalid_choice("boss", ["officer", "frontoffice", "admin"]),
        ),
        (
            ["bogus"],
            "",
            "argumen perintah: pilihan tidak dikenal: 'bogus' (pilih salah satu dari 'serve', 'users', 'settings',"
            " 'demo', 'archive', 'retention', 'backup', 'restore', 'repair', 'go-live', 'voice', 'printer',"
            " 'systemd-unit')",
            "argument command: " + invalid_choice("bogus", COMMANDS),
        ),
        (  # bad type: argparse's int, and the bounded numbers' own (server/argv.py `int_between`)
            ["retention", "--months", "abc"],
            "retention",
            "argumen --months: harus bilangan bulat 1-1200, bukan 'abc'",
            "argument --months: must be a whole number 1-1200, not 'abc'",
        ),
        (
            ["users", "add", "siti", "--role", "officer", "--counter", "satu"],
            "users add",
            "argumen --counter: harus bilangan bulat, bukan 'satu'",
            "argument --counter: invalid int value: 'satu'",
        ),
        (
            ["serve", "--port", "abc"],
            "serve",
            "argumen --port: harus bilangan bulat 1-65535, bukan 'abc'",
            "argument --port: must be a whole number 1-65535, not 'abc'",
        ),
        (
            ["serve", "--port", "0"],
            "serve",
            "argumen --port: harus 1-65535, bukan 0",
            "argument --port: must be 1-65535, not 0",
        ),
        (
            ["voice", "check", "--up-to", "x"],
            "voice check",
            "argumen --up-to: harus bilangan bulat 1-9999, bukan 'x'",
            "argument --up-to: must be a whole number 1-9999, not 'x'",
        ),
        (  # unknown argument: said by the top parser, as argparse does
            ["demo", "--nope"],
            "",
            "argumen tidak dikenal: --nope",
            "unrecognized arguments: --nope",
        ),
        (  # one argument expected
            ["serve", "--port"],
            "serve",
            "argumen --port: perlu satu nilai sesudahnya",
            "argument --port: expected one argument",
        ),
        (
            ["archive", "--month"],
            "archive",
            "argumen --month: perlu satu nilai sesudahnya",
            "argument --month: expected one argument",
        ),
        (  # an abbreviation of two options, a value given to a flag
            ["users", "add", "siti", "--co", "1"],
            "users add",
            "opsi --co kurang lengkap: bisa berarti --config, --counter",
            "ambiguous option: --co could match --config, --counter",
        ),
        (
            ["archive", "--month", "2024-01", "--replace=ya"],
            "archive",
            "argumen --replace: opsi ini tanpa nilai, tetapi diberi 'ya'",
            "argument --replace: ignored explicit argument 'ya'",
        ),
    ],
)
def test_a_bad_command_line_says_kesalahan_then_error_and_where_its_help_is(capsys, argv, command, indonesian, english):
    """argparse's refusal (server/argv.py `Parser.error`): the usage, its words in Indonesian ("kesalahan:
    …", the catalogue's `cli.argv.*`), then argparse's own English ("error: …") as every other error of the
    command line is said, and the help to read; exit code 2 as argparse's."""
    from server.cli import main

    with pytest.raises(SystemExit) as stop:
        main([*argv, "--config", "no-such-config.toml"])
    assert stop.value.code == 2
    out, err = capsys.readouterr()
    prog = f"python -m server {command}".rstrip()
    assert out == "" and err.startswith(f"pemakaian / usage: {prog} [-h]"), err
    assert err.splitlines()[-3:] == [f"kesalahan: {indonesian}", f"error: {english}", f"lihat / see: {prog} --help"]


def test_a_missing_or_mistyped_sub_command_is_named_as_the_admin_types_it_in_every_command_group(capsys):
    """`python -m server users` said "argumen ini wajib diberikan: users_command", argparse's dest that nobody
    types (helper-160): every command group's missing sub-command is "perintah {add,passwd,…}" / "command
    {add,passwd,…}", its choices as its usage line names them, and a mistyped one is "argumen perintah" /
    "argument command" with the choices argparse lists (server/argv.py `Parser`)."""
    from server.cli import _parser, main

    groups: list[tuple[list[str], list[str]]] = []

    def walk(parser: argparse.ArgumentParser, path: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                groups.append((path, list(action.choices)))
                for name, sub in action.choices.items():
                    walk(sub, [*path, name])

    walk(_parser(), [])
    assert [path for path, _ in groups] == [[], ["users"], ["settings"], ["voice"], ["printer"]]
    for path, choices in groups:
        prog = " ".join(["python -m server", *path])
        named = "{" + ",".join(choices) + "}"
        listed = ", ".join(f"'{c}'" for c in choices)
        for argv, indonesian, english in (
            (
                path,
                f"argumen ini wajib diberikan: perintah {named}",
                f"the following arguments are required: command {named}",
            ),
            (
                [*path, "bogus"],
                f"argumen perintah: pilihan tidak dikenal: 'bogus' (pilih salah satu dari {listed})",
                f"argument command: {invalid_choice('bogus', choices)}",
            ),
        ):
            with pytest.raises(SystemExit) as stop:
                main([*argv, "--config", "no-such-config.toml"])
            assert stop.value.code == 2
            out, err = capsys.readouterr()
            assert out == "" and err.startswith(f"pemakaian / usage: {prog} [-h]"), err
            assert f"{named} ..." in " ".join(err.split()), err  # the usage names the sub-commands as before
            assert err.splitlines()[-3:] == [
                f"kesalahan: {indonesian}",
                f"error: {english}",
                f"lihat / see: {prog} --help",
            ]
            assert "_command" not in err, err


def test_counts_of_one_read_right_in_english_on_the_command_line(tmp_path):
    """English has plurals, Indonesian none: a restore, a go-live and the demo counting 1 said "1 ticket",
    "1 account", "1 consultation", not "1 tickets" (server/cli.py `counted`: the catalogue's `cli.count.*`)."""
    cfg = write_config(tmp_path)
    settings = load_settings(cfg)
    store = Store(settings.server.database)
    QueueService(settings, store).issue(visitor(name="Satu"), actor="test", printed=False)
    store.close()
    assert cli("backup", str(tmp_path / "satu.db"), "--config", str(cfg)).returncode == 0
    r = cli("restore", str(tmp_path / "satu.db"), "--config", str(cfg))
    assert r.returncode == 0, r.stderr
    day = datetime.now(settings.office.tz).date().isoformat()
    assert f"\npemulihan: isinya 1 tiket, {day} s.d. {day}; tiket terakhir terbit {day} " in r.stdout, r.stdout
    assert f"\nrestore: it holds 1 ticket, {day} to {day}; the newest one issued {day} " in r.stdout, r.stdout
    r = cli("users", "add", "kepala", "--role", "admin", "--config", str(cfg), stdin="kata-sandi-rahasia\n")
    assert r.returncode == 0, r.stderr
    r = cli("go-live", "--config", str(cfg))
    assert r.returncode == 0, r.stderr
    indonesian, english = r.stdout.splitlines()[:2]
    assert indonesian == (
        f"go-live akan menghapus 1 tiket ({day} s.d. {day}) beserta formulir, panggilan, cetakan dan suratnya, dan"
        " 0 jawaban survei beserta pengaduannya; tetap disimpan: 1 akun, pengaturan halaman admin (tidak ada yang"
        " diubah) dan teks kuesioner."
    )
    assert english == (
        f"go-live would delete 1 ticket ({day} to {day}) with the forms, calls, print jobs and mails, and 0 survey"
        " answers with the complaints; kept: 1 account, the admin page's settings (none changed) and the"
        " questionnaire's wording."
    )
    demo = tmp_path / "demo"
    demo.mkdir()
    r = cli("demo", "--visitors", "1", "--config", str(write_config(demo)))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "demo: 1 konsultasi kemarin, 6 pengunjung menunggu hari ini",
        "demo: 1 consultation yesterday, 6 visitors waiting today",
    ]


def test_a_refusal_of_another_pythons_argparse_is_said_in_english_twice():
    """A message worded otherwise than Python 3.11's argparse (a newer Python's) is not lost: English in
    both lines; a nested one is still translated as far as its words are known."""
    from server.argv import translated

    said = translated("argument --port: expected exactly one value")
    assert (said.id_text, said.en_text) == (
        "argumen --port: expected exactly one value",
        "argument --port: expected exactly one value",
    )
    assert translated("something else entirely").id_text == "something else entirely"


ROLE_BOSS = "argument --role: invalid choice: 'boss' (choose from {})"


@pytest.mark.parametrize(
    "argparse_said,indonesian,english",
    [
        (  # Python 3.11, 3.12.0-3.12.7, 3.13.0: each choice quoted
            ROLE_BOSS.format(ROLES_SAID),
            f"argumen --role: pilihan tidak dikenal: 'boss' (pilih salah satu dari {ROLES_SAID})",
            ROLE_BOSS.format(ROLES_SAID),
        ),
        (  # 3.12.8 and later, 3.13.1 and later (Debian 13's 3.13.5): bare
            ROLE_BOSS.format("officer, frontoffice, admin"),
            f"argumen --role: pilihan tidak dikenal: 'boss' (pilih salah satu dari {ROLES_SAID})",
            ROLE_BOSS.format("officer, frontoffice, admin"),
        ),
        (  # a sub-command, named "command" (server/argv.py `Parser`)
            "argument {add,passwd}: invalid choice: 'bogus' (choose from add, passwd)",
            "argumen perintah: pilihan tidak dikenal: 'bogus' (pilih salah satu dari 'add', 'passwd')",
            "argument command: invalid choice: 'bogus' (choose from add, passwd)",
        ),
        (  # a choice with a quote in it, quoted as Python 3.11 quotes it
            "argument x: invalid choice: 'b' (choose from it's, a)",
            """argumen x: pilihan tidak dikenal: 'b' (pilih salah satu dari "it's", 'a')""",
            "argument x: invalid choice: 'b' (choose from it's, a)",
        ),
        (  # 3.14's suggest_on_error (3.15's default): the closest choice named first
            "argument {serve,users}: invalid choice: 'user', maybe you meant 'users'? (choose from serve, users)",
            "argumen perintah: pilihan tidak dikenal: 'user', mungkin maksudnya 'users'? (pilih salah satu dari"
            " 'serve', 'users')",
            "argument command: invalid choice: 'user', maybe you meant 'users'? (choose from serve, users)",
        ),
    ],
)
def test_an_invalid_choice_is_said_alike_in_indonesian_whatever_pythons_argparse_lists(
    argparse_said, indonesian, english
):
    """Python 3.12.8 and 3.13.1 list an invalid choice's choices bare ("choose from officer, admin"), 3.11
    quoted: the Indonesian is the same on each (the choices quoted), the English argparse's own
    (server/argv.py `_choices`); the words of 3.14's suggestion are the catalogue's too."""
    from server.argv import translated

    said = translated(argparse_said)
    assert (said.id_text, said.en_text) == (indonesian, english)


def test_an_sqlite_connection_left_unclosed_fails_the_suite_on_python_3_13(monkeypatch):
    """Python 3.13's sqlite3 warns of a connection garbage-collected unclosed (ResourceWarning "unclosed
    database in <sqlite3.Connection object at 0x…>", 3.11 and 3.12 say nothing). It once failed tests and
    commands on Debian 13 that dropped a Store unclosed, and pyproject.toml ignored it; now the commands
    close their stores, the tests close theirs (`with Store(...) as store`, contextlib.closing), and the
    suite's "error" filter makes such a drop a failure again: nothing in filterwarnings lets it pass."""
    import gc
    import tomllib
    import warnings

    with open(ROOT / "pyproject.toml", "rb") as f:
        filters = tomllib.load(f)["tool"]["pytest"]["ini_options"]["filterwarnings"]
    assert filters[0] == "error"
    assert not [f for f in filters[1:] if "ResourceWarning" in f or "unclosed" in f or "sqlite3" in f]
    if sys.version_info < (3, 13):
        return
    conn = sqlite3.connect(":memory:")
    conn.execute("SELECT 1")
    ours, raised = id(conn), []
    others = sys.unraisablehook  # pytest's: any other object's, as ever

    def hook(unraisable):
        if id(unraisable.object) == ours:
            raised.append(unraisable.exc_value)
        else:
            others(unraisable)

    with monkeypatch.context() as m, warnings.catch_warnings():
        m.setattr(sys, "unraisablehook", hook)
        warnings.simplefilter("error")  # as the suite's filter
        del conn
        gc.collect()  # it is in a reference cycle (its own statement cache): collected, not freed at once
    assert len(raised) == 1 and isinstance(raised[0], ResourceWarning)
    assert str(raised[0]).startswith("unclosed database in <sqlite3.Connection")


def test_the_banner_names_each_page_in_indonesian_then_english_in_one_column(tmp_path):
    """The start's labels: each page's the catalogue's `cli.banner.*` ("Indonesian / English", once when
    the same), the URLs in one column, every line but a long path or command within 80 columns."""
    from server.cli import BANNER_PAGES, _python, banner
    from server.i18n import both

    settings = load_settings(write_config(tmp_path))
    lines = banner(settings, "0.0.0.0", 8080, ("admin", "Xy7_secret12"), lan="192.168.100.200")
    assert lines[0] == "Antrian — LPSE Kabupaten Contoh"
    rows = lines[1 : 1 + len(BANNER_PAGES)]
    column = rows[0].index("http://")
    names = [both(f"cli.banner.{key}") for key, _ in BANNER_PAGES]
    assert sum(name.id_text != name.en_text for name in names) >= 8  # Kios / Kiosk, Layar TV / TV display, …
    for name, (_, path), line in zip(names, BANNER_PAGES, rows, strict=True):
        label = name.id_text if name.id_text == name.en_text else f"{name.id_text} / {name.en_text}"
        assert line == f"  {label + ':':<{column - 3}} http://127.0.0.1:8080{path}"
    assert rows[:2] == [
        "  Kios / Kiosk:                   http://127.0.0.1:8080/kiosk/",
        "  Layar TV / TV display:          http://127.0.0.1:8080/display/",
    ]
    assert lines[1 + len(BANNER_PAGES) :][:6] == [
        "  Perangkat lain / Other devices: http://192.168.100.200:8080/…",
        "                                  (PC kios, TV, laptop / kiosk PC, TV, laptops)",
        "  Akun pertama / First account:   admin, kata sandi / password 'Xy7_secret12'",
        "                                  (sekali tampil / shown once)",
        "  Tambah petugas / Add officers:",
        f"    {_python()} -m server users add NAME --role officer",
    ]
    wide = [x for x in lines if len(x) > 80 and str(tmp_path) not in x and _python() not in x]
    assert wide == []
    again = banner(settings, "127.0.0.1", 8080, None)
    assert again[1 + len(BANNER_PAGES) :][:3] == [
        "  Masuk dengan akun Anda / Log in with your account.",
        "  Ganti kata sandi / Reset a password:",
        f"    {_python()} -m server users passwd NAME",
    ]
    assert again == banner(settings, "127.0.0.1", 8080, None, admins=("kepala",))  # the first account gone
    # a later start with the first account there: where its password was, and the command to set a new one
    later = banner(settings, "127.0.0.1", 8080, None, admins=("admin", "kepala"))
    assert later[1 + len(BANNER_PAGES) :][:4] == [
        "  Masuk dengan akun Anda / Log in with your account.",
        "  Kata sandi admin tampil sekali, saat pertama dijalankan; bila lupa, buat baru:",
        "  admin's password was shown once, at the first start; forgotten? Set a new one:",
        f"    {_python()} -m server users passwd admin",
    ]
    assert [x for x in later if len(x) > 80 and _python() not in x] == []


def test_the_banner_names_the_guest_book_after_the_recap_as_the_readme_and_the_guide_quote_it(tmp_path):
    """The guest book's page (/counter/guestbook, helper-158) is a staff page the start names, after Rekap
    (helper-160); README's `make run` block and docs/panduan-admin.md quote the pages' lines as printed."""
    from server.cli import BANNER_PAGES, banner

    settings = load_settings(write_config(tmp_path))
    lines = banner(settings, "127.0.0.1", 8080, ("admin", "k3J…"))
    pages = lines[1 : 1 + len(BANNER_PAGES)]
    recap = pages.index("  Rekap / Recap:                 http://127.0.0.1:8080/counter/recap")
    assert pages[recap + 1] == "  Buku tamu / Guest book:        http://127.0.0.1:8080/counter/guestbook"
    for doc in ("README.md", "docs/panduan-admin.md"):
        text = (ROOT / doc).read_text(encoding="utf-8").splitlines()
        start = text.index("Antrian — LPSE Kabupaten Contoh")
        assert text[start + 1 : start + 1 + len(pages)] == pages, doc
        assert text[start + 1 + len(pages)] == lines[1 + len(pages)], doc  # the first account's line next


def test_a_second_start_shows_no_password_and_names_the_command_for_a_new_one(tmp_path):
    """`make run` twice: the first start shows the first account's password; the second shows none (no
    new one, no fixed one) and says how to log in and how to set a new password for that account."""
    from live import LiveServer

    cfg = write_config(tmp_path)
    first = LiveServer(cfg, first_start=True).start(timeout=30)
    try:
        assert first.first_password and f"password '{first.first_password}'" in first.log()
    finally:
        first.stop()
    second = LiveServer(cfg)
    before = len(second.log())  # the same log file when the same free port came up again
    second.start(timeout=30)
    try:
        said = second.log()[before:]
        assert second.session("admin", first.first_password).get(f"{second.url}/api/me", timeout=5).ok
    finally:
        second.stop()
    assert "First account" not in said and "password '" not in said and first.first_password not in said, said
    assert "  Masuk dengan akun Anda / Log in with your account.\n" in said, said
    assert "  admin's password was shown once, at the first start; forgotten? Set a new one:\n" in said, said
    assert " -m server users passwd admin\n" in said, said


# -- refusals: one line on stderr, exit code 2, nothing lost ----------------------------------------
def refused(
    r: subprocess.CompletedProcess,
    *words: str,
    prefix: str = "error: ",
    code: int = 2,
    indonesian: tuple[str, ...] = (),
    english_only: bool = False,
) -> None:
    """The command stopped with exit code 2 (`code`) and said why in the catalogue's words (server/cli.py
    `say_error`, `say_config_error`): a line in Indonesian ("kesalahan: …", "kesalahan konfigurasi: …") naming
    `indonesian`, then the English one naming `words`; `english_only`: that English line alone (a file's
    config error, another program's)."""
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    said = r.stderr.splitlines()
    assert r.stderr.endswith("\n") and len(said) == (1 if english_only else 2), r.stderr
    assert said[-1].startswith(prefix), r.stderr
    for word in words:
        assert word in said[-1], r.stderr
    if not english_only:
        assert said[0].startswith("kesalahan konfigurasi: " if prefix == "config error: " else "kesalahan: "), r.stderr
        for word in indonesian:
            assert word in said[0], r.stderr


def usage_error(r: subprocess.CompletedProcess, *words: str, indonesian: tuple[str, ...] = ()) -> None:
    """argparse refused an argument (server/argv.py `Parser`): exit code 2, its usage, the error in Indonesian
    ("kesalahan: …", naming `indonesian`), then in English ("error: …", naming `words`), and the line naming
    the command's help."""
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    said = r.stderr.splitlines()
    assert "Traceback" not in r.stderr and said[0].startswith("pemakaian / usage: python -m server "), r.stderr
    assert said[-3].startswith("kesalahan: ") and said[-2].startswith("error: "), r.stderr
    assert re.fullmatch(r"lihat / see: python -m server( [a-z-]+)* --help", said[-1]), r.stderr
    for word in words:
        assert word in said[-2], r.stderr
    for word in indonesian:
        assert word in said[-3], r.stderr


def unwrapped(lines: list[str]) -> str:
    """The banner's lines as one text, its wrapping undone: a sentence of advice whole."""
    return " ".join(" ".join(lines).split())


def office(tmp_path: Path, *names: str) -> tuple[Path, Path]:
    """A config in `tmp_path` and its database with one waiting visitor of each of `names`."""
    cfg = write_config(tmp_path)
    settings = load_settings(cfg)
    store = Store(settings.server.database)
    service = QueueService(settings, store)
    for name in names:
        service.issue(visitor(name=name), actor="test", printed=False)
    store.close()
    return cfg, settings.server.database


def visitors(database: Path) -> list[str]:
    """The visitors' names in a database, in ticket order."""
    with closing(sqlite3.connect(database)) as conn:
        return [r[0] for r in conn.execute("SELECT f.name FROM forms f ORDER BY f.ticket_id")]


@pytest.mark.parametrize("target", ["{db}", "{db}-wal", "{db}-shm", "{db}.lock", "{tmp}/data/../antrian.db", "link"])
def test_backup_onto_the_live_database_or_its_files_is_refused(tmp_path, target):
    """A backup written over the database (or its -wal, -shm, .lock) would swap the file under a running
    server; through a symlink or a `..` too."""
    cfg, db = office(tmp_path, "Asli")
    (tmp_path / "data").mkdir()
    if target == "link":
        (tmp_path / "data" / "link.db").symlink_to(db)
        target = str(tmp_path / "data" / "link.db")
    inode = db.stat().st_ino
    r = cli("backup", target.format(db=db, tmp=tmp_path), "--config", str(cfg))
    refused(r, "live database")
    assert db.stat().st_ino == inode and visitors(db) == ["Asli"]
    assert not list(tmp_path.rglob("*.tmp"))


def test_backup_to_a_folder_or_into_a_missing_folder_is_refused(tmp_path):
    """FILE is a file name: an existing folder is refused, and a folder that does not exist (a USB stick
    not mounted) is not made on the PC's disk."""
    cfg, db = office(tmp_path, "Asli")
    (tmp_path / "usb").mkdir()
    refused(cli("backup", str(tmp_path / "usb"), "--config", str(cfg)), "is a folder", indonesian=("adalah folder",))
    r = cli("backup", str(tmp_path / "usb" / "stick" / "antrian.db"), "--config", str(cfg))
    refused(r, "folder does not exist", str(tmp_path / "usb" / "stick"))
    # a folder written with its slash that is not there: not a file named after it
    r = cli("backup", str(tmp_path / "usb" / "stick") + "/", "--config", str(cfg))
    refused(r, "the folder does not exist", str(tmp_path / "usb" / "stick") + "/")
    assert list((tmp_path / "usb").iterdir()) == [] and visitors(db) == ["Asli"]
    refused(cli("backup", "/dev/null", "--config", str(cfg)), "/dev/null: not a regular file")
    assert Path("/dev/null").is_char_device()
    r = cli("backup", str(tmp_path / "usb" / "antrian.db"), "--config", str(cfg))
    assert r.returncode == 0, r.stderr
    assert visitors(tmp_path / "usb" / "antrian.db") == ["Asli"]


def test_a_failed_backup_leaves_no_temporary_file(tmp_path):
    """The copy fails its check (the database is SQLite but not Antrian's): neither FILE nor FILE.tmp remains."""
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE notes (text)")
        conn.commit()
    cfg = write_config(tmp_path, {f'database = "{tmp_path / "antrian.db"}"': f'database = "{other}"'})
    (tmp_path / "usb").mkdir()
    r = cli("backup", str(tmp_path / "usb" / "b.db"), "--config", str(cfg))
    refused(r, "not an Antrian database")
    assert list((tmp_path / "usb").iterdir()) == []


@pytest.mark.parametrize("source", ["live", "folder", "text", "empty", "device"])
def test_restore_of_the_live_database_a_folder_or_not_a_database_is_refused(tmp_path, source):
    """Restoring the database onto itself used to wait forever; a folder or a text file gave a traceback.
    Each stops at once, with the database as it was and no copy of it kept."""
    cfg, db = office(tmp_path, "Asli")
    path = {"live": db, "folder": tmp_path / "backups", "text": tmp_path / "notes.txt", "empty": tmp_path / "e.db"}
    path["device"] = Path("/dev/zero")
    path["folder"].mkdir()
    path["text"].write_text("rapat hari senin\n" * 100)
    path["empty"].write_bytes(b"")
    words = {"live": "live database", "folder": "is a folder", "text": "not an SQLite", "empty": "not an Antrian"}
    words["device"] = "not a regular file"
    r = server_command(["restore", str(path[source]), "--config", str(cfg)], timeout=30)
    refused(r, str(path[source]), words[source])
    assert visitors(db) == ["Asli"]
    assert not list(tmp_path.glob("*before-restore*"))


def test_restore_keeps_the_database_it_replaces(tmp_path):
    """restore saves the database as it was to DATABASE.before-restore-YYYYmmdd-HHMMSS (0600) and says so."""
    cfg, db = office(tmp_path, "Pagi")
    assert cli("backup", str(tmp_path / "pagi.db"), "--config", str(cfg)).returncode == 0
    settings = load_settings(cfg)
    store = Store(db)
    QueueService(settings, store).issue(visitor(name="Siang"), actor="test", printed=False)
    store.close()
    r = cli("restore", str(tmp_path / "pagi.db"), "--config", str(cfg))
    assert r.returncode == 0, r.stderr
    [kept] = tmp_path.glob("antrian.db.before-restore-*")
    assert re.fullmatch(r"antrian\.db\.before-restore-\d{8}-\d{6}", kept.name)
    assert r.stdout.splitlines()[:4] == [  # then what it holds (tests/test_restore.py)
        f"pemulihan: database sebelumnya disimpan di {kept}",
        f"restore: the database as it was is kept in {kept}",
        f"pemulihan: {db} diganti dengan {tmp_path / 'pagi.db'}",
        f"restore: {db} replaced by {tmp_path / 'pagi.db'}",
    ]
    assert visitors(db) == ["Pagi"] and visitors(kept) == ["Pagi", "Siang"]
    assert kept.stat().st_mode & 0o777 == 0o600
    r = cli("restore", str(kept), "--config", str(cfg))  # and back: a second copy, not over the first
    assert r.returncode == 0, r.stderr
    assert visitors(db) == ["Pagi", "Siang"] and len(list(tmp_path.glob("antrian.db.before-restore-*"))) == 2


def test_archive_out_that_is_a_file_or_under_a_missing_folder_is_refused(tmp_path):
    cfg, _ = office(tmp_path, "Asli")
    (tmp_path / "notes.txt").write_text("x")
    r = cli("archive", "--month", "2026-11", "--out", str(tmp_path / "notes.txt"), "--config", str(cfg))
    refused(r, "notes.txt", "not a folder")
    r = cli("archive", "--month", "2026-11", "--out", str(tmp_path / "usb" / "arsip"), "--config", str(cfg))
    refused(r, "folder does not exist")
    assert not (tmp_path / "usb").exists() and (tmp_path / "notes.txt").read_text() == "x"
    (tmp_path / "arsip" / "arsip-2026-11.zip").mkdir(parents=True)  # the ZIP's name taken by a folder
    r = cli("archive", "--month", "2026-11", "--out", str(tmp_path / "arsip"), "--config", str(cfg))
    refused(r, "arsip-2026-11.zip is a folder, not an archive", indonesian=("arsip-2026-11.zip adalah folder",))
    assert [p.name for p in (tmp_path / "arsip").iterdir()] == ["arsip-2026-11.zip"]


LOCK_WAIT_S = 0.5  # the store's wait for a lock another program holds in the commands below (10 s in production)


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs: a USB stick, or the server's disk, that fills up (root only; skipped where mounting is not
    allowed)."""
    yield from mounted_tmpfs(tmp_path / "usb", "2m")


def fill(disk: Path, leave: int = 0) -> None:
    """Fill `disk` (a tmpfs) to its last byte, then give back `leave` bytes."""
    with contextlib.suppress(OSError), open(disk / "filler", "wb", buffering=0) as f:
        while True:
            f.write(b"\0" * 4096)
    if leave:
        with open(disk / "filler", "r+b") as f:
            f.truncate(max(0, f.seek(0, os.SEEK_END) - leave))


def test_an_archive_onto_a_full_or_read_only_disk_says_so_in_each_language(tmp_path, small_disk):
    """The archive's refusal named the OS's English in the Indonesian line too: "tidak dapat ditulis (No space
    left on device)", "(Read-only file system)". Said as the daily copy says them, nothing left behind."""
    cfg, _ = office(tmp_path, "Asli")
    fill(small_disk)
    r = cli("archive", "--month", "2026-11", "--out", str(small_disk), "--config", str(cfg))
    zip_ = small_disk / "arsip-2026-11.zip"
    refused(
        r, f"{zip_}: cannot be written (the disk is full)", indonesian=(f"{zip_}: tidak dapat ditulis (disk penuh)",)
    )
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]
    (small_disk / "filler").unlink()
    (small_disk / "arsip").mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    r = cli("archive", "--month", "2026-11", "--out", str(small_disk / "arsip"), "--config", str(cfg))
    zip_ = small_disk / "arsip" / "arsip-2026-11.zip"
    refused(
        r,
        f"{zip_}: cannot be written (the disk is read-only)",
        indonesian=(f"{zip_}: tidak dapat ditulis (disk hanya dapat dibaca)",),
    )
    assert "Read-only file system" not in r.stderr


def test_a_database_locked_by_another_program_or_on_a_full_disk_is_said_not_a_traceback(tmp_path, small_disk):
    """A database another program holds locked (DB Browser for SQLite with unsaved changes, sqlite3 in a
    transaction) past the store's 10 s, or whose disk is full, ended every command in SQLite's traceback
    ("sqlite3.OperationalError: database is locked"). Each says what holds it and what to do, exit code 1:
    nothing the command line mends, and it may pass (run again)."""
    cfg, db = office(tmp_path, "Asli")
    # The store's wait for another process's lock (server/store BUSY_SECONDS, 10 s) is half a second in this
    # command: what it says at its end is the same, with the wait it had; production's 10 s are said below.
    busy = {**os.environ, NUMBERS: json.dumps([f"store.BUSY_SECONDS={LOCK_WAIT_S!r}"])}
    with closing(sqlite3.connect(db, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        r = server_command(["users", "list", "--config", str(cfg)], env=busy)
    refused(
        r,
        f"error: {db} has been locked by another program for over {LOCK_WAIT_S:g} seconds:",
        "close it first, then run this command again",
        code=1,
        indonesian=(
            f"kesalahan: {db} dikunci program lain lebih dari {LOCK_WAIT_S:g} detik:",
            "lalu jalankan lagi perintah ini",
        ),
    )
    assert "Traceback" not in r.stderr
    from server.cli import passing

    said = passing(load_settings(cfg), sqlite3.OperationalError("database is locked"))
    assert f"{db} has been locked by another program for over 10 seconds:" in said.en_text, said
    assert f"{db} dikunci program lain lebih dari 10 detik:" in said.id_text, said
    cfg = write_config(
        tmp_path, {f'database = "{tmp_path / "antrian.db"}"': f'database = "{small_disk / "antrian.db"}"'}
    )
    assert cli("users", "list", "--config", str(cfg)).returncode == 0  # made there
    fill(small_disk)
    r = cli("users", "add", "siti", "--role", "officer", "--config", str(cfg), stdin="kata-sandi-rahasia\n")
    refused(
        r,
        f"error: the disk of {small_disk / 'antrian.db'} is full: free some room in {small_disk}",
        code=1,
        indonesian=(f"kesalahan: disk tempat {small_disk / 'antrian.db'} penuh: kosongkan ruang di {small_disk}",),
    )
    assert "Traceback" not in r.stderr


def test_a_restore_onto_a_full_disk_says_so_in_each_language_and_changes_nothing(tmp_path, small_disk):
    """The database's disk full: the copy kept before a restore failed as "(database or disk is full)", in the
    Indonesian line too; with no room left at all, the server lock's pid was not written and the restore ended in
    a traceback (OSError: [Errno 28] No space left on device)."""
    office(tmp_path, "Cadangan")
    backup = tmp_path / "cadangan.db"
    assert cli("backup", str(backup), "--config", str(tmp_path / "config.toml")).returncode == 0
    (tmp_path / "kantor").mkdir()
    cfg = write_config(
        tmp_path / "kantor",
        {f'database = "{tmp_path / "kantor" / "antrian.db"}"': f'database = "{small_disk / "antrian.db"}"'},
    )
    assert cli("users", "list", "--config", str(cfg)).returncode == 0  # the database there, and its lock file
    live = small_disk / "antrian.db"
    fill(small_disk)  # not a byte left: the lock's pid is not written either
    r = cli("restore", str(backup), "--config", str(cfg))
    refused(
        r,
        f"error: the disk of {live} is full: free some room in {small_disk}",
        code=1,
        indonesian=(f"kesalahan: disk tempat {live} penuh: kosongkan ruang di {small_disk}",),
    )
    fill(small_disk, leave=64 * 1024)  # the lock's pid fits, a copy of the database does not
    r = cli("restore", str(backup), "--config", str(cfg))
    refused(
        r,
        f"error: {live}: no copy could be kept before the restore (the disk is full); nothing changed",
        indonesian=(f"kesalahan: {live}: tidak ada salinan yang dapat disimpan sebelum restore (disk penuh);",),
    )
    (small_disk / "filler").unlink()
    assert sorted(p.name for p in small_disk.iterdir()) == ["antrian.db", "antrian.db.lock"]  # nothing changed
    assert visitors(live) == []


def test_demo_refuses_a_database_with_tickets_unless_forced_and_while_a_server_runs(tmp_path):
    cfg, db = office(tmp_path, "Asli")
    refused(cli("demo", "--config", str(cfg)), "already has tickets", "--force")
    assert visitors(db) == ["Asli"]
    lock = serverlock.hold(db)  # as `serve` holds it
    try:
        refused(
            cli("demo", "--force", "--config", str(cfg)),
            f"an Antrian server (pid {os.getpid()}) is already running on this database",
            "stop it first",
            indonesian=(f"server Antrian (pid {os.getpid()}) sudah berjalan pada database ini", "hentikan dulu"),
        )
    finally:
        lock.close()
    assert visitors(db) == ["Asli"]
    r = cli("demo", "--force", "--visitors", "2", "--config", str(cfg))
    assert r.returncode == 0, r.stderr
    assert visitors(db)[0] == "Asli" and len(visitors(db)) > 1


@pytest.mark.parametrize("visitors_", ["-1", "1001", "1e9", "banyak"])
def test_demo_visitors_is_bounded(tmp_path, visitors_):
    cfg = write_config(tmp_path)
    r = cli("demo", "--visitors", visitors_, "--config", str(cfg))
    usage_error(r, "--visitors", "must be", "0-1000", indonesian=("harus", "bukan"))
    assert not load_settings(cfg).server.database.exists()


@pytest.mark.parametrize("port", ["0", "65536", "83336", "-80", "http"])
def test_serve_port_must_be_1_to_65535(tmp_path, port):
    r = cli("serve", "--port", port, "--config", str(write_config(tmp_path)))
    usage_error(r, "--port", "1-65535", indonesian=("argumen --port: harus", "1-65535, bukan"))


@pytest.mark.parametrize("host", ["127.0.0.1", "203.0.113.7"])
def test_serve_on_a_port_in_use_or_a_foreign_address_stops_before_the_banner_and_the_first_account(tmp_path, host):
    """Bound first: a port in use (or an address of another machine) stops the start with one line,
    before the banner and before a first account's password is made and shown for a server never run."""
    cfg = write_config(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = server_command(["serve", "--host", host, "--port", str(port), "--config", str(cfg)], timeout=60)
    why = "Address already in use" if host == "127.0.0.1" else "Cannot assign requested address"
    # `make run` passes no --port: the port is config.toml's, and public_url's goes with it
    hint = (
        "set another [server] port in config.toml and the same port in [office] public_url;"
        " running python -m server serve by hand: --port"
        if host == "127.0.0.1"
        else "not an address of this PC"
    )
    saran = (
        "atur [server] port lain di config.toml dan port yang sama di [office] public_url;"
        " bila menjalankan python -m server serve sendiri: --port"
        if host == "127.0.0.1"
        else "bukan alamat PC ini"
    )
    refused(r, f"cannot listen on {host} port {port}: {why}", hint, indonesian=(f"{host} port {port}: {why}", saran))
    assert r.stdout == ""
    with closing(sqlite3.connect(load_settings(cfg).server.database)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0


def test_serve_on_a_host_name_this_pc_does_not_know_says_to_write_an_address(tmp_path):
    """[server] host = "server-antrian" (a name the office gave the PC, unknown to it): the start said only
    "Name or service not known", in English, with nothing to do; it says to write an IP address instead."""
    cfg = write_config(tmp_path, {'[server]\nhost = "127.0.0.1"': '[server]\nhost = "antrian-tidak-ada.invalid"'})
    r = server_command(["serve", "--config", str(cfg)], timeout=60)
    refused(
        r,
        "cannot listen on antrian-tidak-ada.invalid port 8080",
        'this PC knows no such name: write an IP address in [server] host, e.g. "0.0.0.0"',
        indonesian=('PC ini tidak mengenal nama itu: tulis alamat IP di [server] host, mis. "0.0.0.0"',),
    )
    assert r.stdout == ""


@pytest.mark.parametrize("up_to", ["0", "-5", "10000", "99999999"])
def test_voice_check_up_to_is_bounded(tmp_path, up_to):
    r = cli("voice", "check", "--clips", str(tmp_path), "--up-to", up_to, "--config", str(write_config(tmp_path)))
    usage_error(r, "--up-to", "1-9999", indonesian=("argumen --up-to: harus", "1-9999, bukan"))


def on_a_terminal(args: list[str], typed: list[tuple[bytes, bytes]]) -> tuple[int, str]:
    """`python -m server ARGS` on a terminal of its own (a pty: getpass reads the password there, as the admin
    types it), each of `typed`'s keys typed once its prompt is shown; (exit code, what the terminal showed)."""
    import pty
    import select
    import signal
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, on the pty
        try:
            # Ctrl+C stops it, as a command a shell starts on its terminal: the tests' process may have SIGINT
            # ignored (started in the background by a shell without job control: `make test &` in a script), an
            # ignore the command kept across exec, and Ctrl+C was then nothing (a 60 s wait, then a SIGHUP)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.chdir(ROOT)
            os.execv(sys.executable, [sys.executable, "-m", "server", *args])
        finally:
            os._exit(127)
    shown = b""

    def read_until(prompt: bytes | None) -> None:
        nonlocal shown
        end = time.monotonic() + 60
        while (prompt is None or prompt not in shown) and time.monotonic() < end:
            if select.select([fd], [], [], 0.5)[0]:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # EIO: the command ended, and its end of the pty closed
                    return
                if not chunk:
                    return
                shown += chunk

    try:
        for prompt, keys in typed:
            read_until(prompt)
            assert prompt in shown, shown
            os.write(fd, keys)
        read_until(None)
    finally:
        os.close(fd)
        code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    return code, shown.decode().replace("\r\n", "\n")


def test_a_password_typed_twice_differently_or_cancelled_at_its_prompt_changes_nothing_and_says_so(tmp_path):
    """On a terminal, two passwords that differ ended `users passwd` with exit code 1 (a refusal is 2), saying
    only "kata sandi tidak sama"; Ctrl+C or Ctrl+D at the prompt, the admin changing their mind, ended it in a
    Python traceback (KeyboardInterrupt, EOFError)."""
    cfg = write_config(tmp_path)
    assert (
        cli("users", "add", "budi", "--role", "officer", "--config", str(cfg), stdin="kata-sandi-lama\n").returncode
        == 0
    )
    passwd = ["users", "passwd", "budi", "--config", str(cfg)]
    prompt = b"Kata sandi baru untuk budi / New password for budi: "
    code, shown = on_a_terminal(passwd, [(prompt, b"kata-sandi-1\n"), (b"Ulangi / Repeat: ", b"kata-sandi-2\n")])
    assert code == 2 and shown.endswith(
        "kesalahan: kata sandi tidak sama; tidak ada yang diubah: jalankan lagi perintah ini dan ketik kata sandi"
        " yang sama dua kali\nerror: passwords differ; nothing changed: run this command again and type the same"
        " password twice\n"
    ), shown
    for keys, exit_code in ((b"\x03", 130), (b"\x04", 2)):  # Ctrl+C, Ctrl+D
        code, shown = on_a_terminal(passwd, [(prompt, keys)])
        assert code == exit_code and "Traceback" not in shown, shown
        assert shown.endswith("\nkesalahan: dibatalkan; tidak ada yang diubah\nerror: cancelled; nothing changed\n"), (
            shown
        )
    with Store(load_settings(cfg).server.database) as store, store.read() as tx:
        assert check_login(tx.user("budi"), "kata-sandi-lama")  # nothing changed indeed
    code, shown = on_a_terminal(passwd, [(prompt, b"kata-sandi-baru\n"), (b"Ulangi / Repeat: ", b"kata-sandi-baru\n")])
    assert code == 0 and shown.endswith("kata sandi budi diganti\npassword of budi changed\n"), shown


def test_voice_check_of_no_pack_or_a_folder_that_is_none_is_refused_in_each_language(tmp_path):
    """A mistyped --clips said "paket suara tidak dapat dipakai: /…/voices/ibu is not a folder": the pack's English
    in the Indonesian line; no pack at all said it without "kesalahan:"/"error:", unlike every other refusal."""
    cfg = write_config(tmp_path)
    refused(
        cli("voice", "check", "--config", str(cfg)),
        "no voice pack: give --clips FOLDER or set [tts] clips",
        indonesian=("kesalahan: tidak ada paket suara: beri --clips FOLDER atau atur [tts] clips",),
    )
    for path in (tmp_path / "voices" / "ibu", cfg):  # none there, a file
        refused(
            cli("voice", "check", "--clips", str(path), "--config", str(cfg)),
            f"error: {path}: not a folder (none there, or a file): give --clips the folder of the voice pack's WAV",
            indonesian=(f"kesalahan: {path}: bukan folder (tidak ada, atau sebuah berkas): beri --clips folder",),
        )


def test_voice_check_of_a_pack_it_cannot_use_says_why_and_what_to_do_in_each_language(tmp_path):
    """The pack's own refusals were English in the Indonesian line too ("paket suara tidak dapat dipakai: … holds no
    usable clip (2 unreadable)"), without which files nor why; a file where the pack is prepared said Python's
    "[Errno 17] File exists: …". Each says what is wrong and what to do, Indonesian first, exit code 2."""
    cfg = write_config(tmp_path)
    empty, broken = tmp_path / "voices" / "kosong", tmp_path / "voices" / "rusak"
    empty.mkdir(parents=True)
    broken.mkdir()
    (broken / "satu.wav").write_bytes(b"bukan wav")
    (broken / "Dua.wav").write_bytes(b"RIFF")
    doc = "docs/display.md, A recorded voice"
    refused(
        cli("voice", "check", "--clips", str(empty), "--config", str(cfg)),
        f"error: the voice pack cannot be used: {empty} holds no WAV clip: record each word as a WAV file named by",
        f"loket.wav; {doc})",
        indonesian=(
            f"kesalahan: paket suara tidak dapat dipakai: {empty} tidak berisi klip WAV: rekam setiap kata sebagai",
            f"loket.wav; {doc})",
        ),
    )
    r = cli("voice", "check", "--clips", str(broken), "--config", str(cfg))
    assert (
        r.returncode == 2
        and r.stdout == ""
        and r.stderr.splitlines()
        == [
            f"kesalahan: paket suara tidak dapat dipakai: {broken} tidak berisi klip yang dapat dipakai: tidak satu pun"
            " berkasnya dapat dipakai (masing-masing dengan alasannya, di bawah); perbaiki, atau rekam lagi sebagai"
            f" berkas WAV PCM yang dinamai dengan kata-katanya ({doc})",
            f"error: the voice pack cannot be used: {broken} holds no usable clip: none of its files can be used (each,"
            " with why, below); mend them, or record them again as PCM WAV files named by their words"
            f" ({doc})",
            "  Dua.wav: bukan nama klip: kata huruf kecil a-z dan 0-9 (paling banyak 8 kata) digabung dengan '-', lalu .wav",
            "           not a clip name: lowercase words of a-z and 0-9 (at most 8 words) joined by '-', then .wav",
            "  satu.wav: bukan berkas WAV (tidak ada header RIFF/WAVE)",
            "            not a WAV file (no RIFF/WAVE header)",
        ]
    ), r.stderr
    work = load_settings(cfg).server.data_dir / "voice"
    work.rmdir()  # made by the tries above, empty
    work.write_text("")  # a file where the pack is prepared
    (broken / "satu.wav").unlink()
    (broken / "Dua.wav").unlink()
    sine = "import math, struct, sys, wave\nw = wave.open(sys.argv[1], 'wb')\nw.setnchannels(1)\nw.setsampwidth(2)\n"
    sine += "w.setframerate(16000)\nw.writeframes(b''.join(struct.pack('<h', int(8000 * math.sin(i / 5))) for i in range(8000)))"
    subprocess.run([sys.executable, "-c", sine, str(broken / "satu.wav")], check=True)
    refused(
        cli("voice", "check", "--clips", str(broken), "--up-to", "1", "--config", str(cfg)),
        f"error: {work} is a file, not a folder: the voice pack is prepared in that folder ([server] data_dir); move",
        indonesian=(f"kesalahan: {work} adalah berkas, bukan folder: paket suara disiapkan di folder itu",),
    )


def test_users_list_is_a_table_for_a_person_and_json_for_a_script(tmp_path):
    """`users list` printed `budi\tofficer\tcounter=1\tactive=False\t…`: Python's True/False and key=value for a
    person to decode, parsed by position by a script. A person reads a table under a header in both languages;
    a script reads --json, the admin API's answer."""
    cfg = write_config(tmp_path)
    for args in (
        ["budi", "--counter", "1"],
        ["eko", "--full-name", "Eko Prasetyo, S.Kom.", "--nip", "19850101 201001 1 001"],
    ):
        assert (
            cli(
                "users", "add", *args, "--role", "officer", "--config", str(cfg), stdin="kata-sandi-rahasia\n"
            ).returncode
            == 0
        )
    assert cli("users", "disable", "budi", "--config", str(cfg)).returncode == 0
    r = cli("users", "list", "--config", str(cfg))
    assert (
        r.returncode == 0
        and r.stderr == ""
        and r.stdout.splitlines()
        == [
            "pengguna / user  peran / role  loket / counter  aktif / active       NIP                 nama lengkap / full name",
            "budi             officer       1                nonaktif / disabled  -                   -",
            "eko              officer       -                aktif / active       198501012010011001  Eko Prasetyo, S.Kom.",
        ]
    ), r.stdout
    r = cli("users", "list", "--json", "--config", str(cfg))
    assert r.returncode == 0 and json.loads(r.stdout) == {
        "users": [
            {"username": "budi", "role": "officer", "counter_id": 1, "active": False, "full_name": None, "nip": None},
            {
                "username": "eko",
                "role": "officer",
                "counter_id": None,
                "active": True,
                "full_name": "Eko Prasetyo, S.Kom.",
                "nip": "198501012010011001",
            },
        ]
    }, r.stdout


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_a_password_from_a_windows_pipe_loses_its_line_end(tmp_path, ending):
    cfg = write_config(tmp_path)
    r = cli("users", "add", "budi", "--role", "officer", "--config", str(cfg), stdin=f"kata-sandi-rahasia{ending}")
    assert r.returncode == 0, r.stderr
    r = cli("users", "passwd", "budi", "--config", str(cfg), stdin=f"sandi-baru-budi{ending}")
    assert r.returncode == 0, r.stderr
    with Store(load_settings(cfg).server.database) as store, store.read() as tx:
        user = tx.user("budi")
    assert check_login(user, "sandi-baru-budi") and not check_login(user, f"sandi-baru-budi{ending}")


# -- voices/make_espeak_pack.py ---------------------------------------------------------------------
def make_pack(*args: str) -> subprocess.CompletedProcess:
    script = ROOT / "voices" / "make_espeak_pack.py"
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=120, cwd=ROOT)


@pytest.fixture
def espeak():
    import shutil

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed here")


def test_make_espeak_pack_keeps_the_clips_already_there_unless_overwrite(tmp_path, espeak):
    """A clip in the folder may be a person's recording: kept, and counted, unless --overwrite."""
    cfg = write_config(tmp_path)
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "satu.wav").write_bytes(b"a recording of the office's own voice")
    r = make_pack(str(pack), "--config", str(cfg), "--up-to", "1")
    assert r.returncode == 0, r.stderr
    assert (pack / "satu.wav").read_bytes() == b"a recording of the office's own voice"
    made = len(list(pack.glob("*.wav")))
    assert r.stdout == f"{made - 1} clips written in {pack}; 1 already there kept (--overwrite to replace them)\n"
    r = make_pack(str(pack), "--config", str(cfg), "--up-to", "1", "--overwrite")
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"{made} clips written in {pack}\n"
    assert (pack / "satu.wav").read_bytes()[:4] == b"RIFF"


def test_make_espeak_pack_names_a_bad_voice_and_a_bad_config_in_one_line(tmp_path, espeak):
    cfg = write_config(tmp_path, {'voice = "id"': 'voice = "xx-tidak-ada"'})
    r = make_pack(str(tmp_path / "pack"), "--config", str(cfg), "--up-to", "1")
    refused(r, "espeak-ng (voice 'xx-tidak-ada') could not say", "[tts] voice", english_only=True)
    assert list((tmp_path / "pack").iterdir()) == []  # no half-made clip
    r = make_pack(str(tmp_path / "pack"), "--config", str(tmp_path / "nope.toml"))
    refused(r, "nope.toml: file not found", prefix="config error: ", english_only=True)


@pytest.mark.parametrize("user", ["lpse\nExecStartPre=/bin/sh -c id", "lp se", "", "lpse;id", "a" * 40])
def test_systemd_unit_refuses_a_user_that_is_not_an_account_name(tmp_path, user):
    """--user goes into the unit as User=: a line break there would add a line of the admin's choosing."""
    r = cli("systemd-unit", "--config", str(write_config(tmp_path)), "--user", user)
    if user == "":  # empty: the account running the command, as without --user
        assert r.returncode == 0 and "\nUser=" in r.stdout
        return
    refused(r, "not an account name", indonesian=("bukan nama akun",))
    assert r.stdout == ""


def test_systemd_unit_run_as_root_warns_that_the_server_would_run_as_root(tmp_path):
    """The server runs as an ordinary user (docs/operations.md): `systemd-unit` (and `make service`) run
    by root itself, no sudo naming the account behind it, writes User=root, and says so on stderr with
    --user NAME; an account named (by --user, sudo's SUDO_USER, or not root) is written without a word."""
    cfg = str(write_config(tmp_path))
    env = {k: v for k, v in os.environ.items() if k != "SUDO_USER"}
    as_root = {**env, "LOGNAME": "root", "USER": "root"}  # getpass.getuser()'s first places to look
    r = server_command(["systemd-unit", "--config", cfg], env=as_root)
    assert r.returncode == 0 and "\nUser=root\n" in r.stdout, r.stderr
    said = r.stderr.splitlines()
    assert len(said) == 2 and said[0].startswith("peringatan: unit ini menjalankan server sebagai root (User=root)")
    assert said[1].startswith(
        "warning: this unit runs the server as root (User=root), and the server is meant to run as an ordinary"
        " user (docs/operations.md): add --user "
    ), said
    assert "tambahkan --user " in said[0] and "make service: run it from that account" in said[1]
    for quiet, user in (
        (["--user", "lpse"], "lpse"),
        (["--user", "root"], "root"),  # asked for: meant
        ([], "lpse"),
    ):
        run_env = as_root if quiet else {**as_root, "SUDO_USER": "lpse"}
        r = server_command(["systemd-unit", "--config", cfg, *quiet], env=run_env)
        assert r.returncode == 0 and f"\nUser={user}\n" in r.stdout and r.stderr == "", (quiet, r.stderr)


SYSTEMCTL = """#!/bin/sh
# systemctl ARGS...: logs what it was asked for
echo "$*" >> "$STUB_LOG"
"""


@pytest.mark.parametrize("config_error", [False, True])
def test_make_service_installs_the_unit_and_a_config_error_leaves_the_installed_one(tmp_path, config_error):
    """`make service` writes the unit of `systemd-unit` and starts it. A config error stops it there, the unit
    already installed untouched and systemctl not asked: piped into tee, the refusal wrote an empty unit over
    it, which systemd takes for masked ("Unit file antrian.service is masked"), and the server no longer
    started with the PC. The Makefile's recipe runs in a folder of this checkout's files, its unit file and
    systemctl (no sudo) stand-ins."""
    replace = {"max_calls = 3 ": "max_calls = 0 "} if config_error else {}
    write_config(tmp_path, replace)
    for name in ("Makefile", "pyproject.toml", "requirements.lock", ".venv"):
        (tmp_path / name).symlink_to(ROOT / name)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "systemctl").write_text(SYSTEMCTL)
    (bin_dir / "systemctl").chmod(0o755)
    unit, log = tmp_path / "antrian.service", tmp_path / "systemctl.log"
    unit.write_text("[Unit]\nDescription=the unit installed before\n")
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "STUB_LOG": str(log)}
    env.pop("MAKEFLAGS", None)
    r = subprocess.run(
        # -o: the .venv is this checkout's, set up already (its stamp not remade)
        ["make", "-s", "--no-print-directory", "-o", ".venv/.installed", "service", f"UNIT_FILE={unit}", "SUDO="],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if config_error:
        assert r.returncode != 0, r.stdout
        assert "kesalahan konfigurasi: queue.max_calls" in r.stderr and "config error: queue.max_calls" in r.stderr
        assert unit.read_text() == "[Unit]\nDescription=the unit installed before\n"
        assert not log.exists(), log.read_text()
        return
    assert r.returncode == 0, r.stderr
    assert f'-m server serve --config "{tmp_path / "config.toml"}"' in unit.read_text()
    assert log.read_text().splitlines() == ["daemon-reload", "enable --now antrian"]


def test_systemd_unit_escapes_a_percent_and_refuses_a_quote_in_a_path(tmp_path):
    folder = tmp_path / "50%"
    folder.mkdir()
    r = cli("systemd-unit", "--config", str(write_config(folder)), "--user", "lpse")
    assert r.returncode == 0, r.stderr
    assert f'--config "{tmp_path}/50%%/config.toml"' in r.stdout  # systemd reads %% as one %
    quoted = tmp_path / 'say "hi"'
    quoted.mkdir()
    (quoted / "config.toml").write_bytes(write_config(tmp_path).read_bytes())
    r = cli("systemd-unit", "--config", str(quoted / "config.toml"), "--user", "lpse")
    refused(r, "the config's path", "a quote")


def test_serve_refuses_a_voice_espeak_ng_does_not_have(tmp_path, espeak):
    """The speech worker refuses an unknown voice at each call, so every call would be a chime alone."""
    from server.tts import espeak_voices

    assert {"id", "indonesian", "poz/id"} <= espeak_voices()  # as tts_worker matches a voice
    cfg = write_config(tmp_path, {'voice = "id"': 'voice = "indonesia"'})
    r = server_command(["serve", "--config", str(cfg)], timeout=60)
    # a config error of `serve`: 78, which systemd does not restart (RestartPreventExitStatus)
    refused(
        r,
        "tts.voice",
        "'indonesia'",
        "espeak-ng --voices",
        prefix="config error: ",
        code=78,
        indonesian=("tts.voice: 'indonesia' bukan suara espeak-ng",),
    )
    assert r.stdout == ""


def test_printer_test_prints_a_slip_that_says_so_on_a_real_printer_and_names_a_failure(tmp_path):
    """`printer test NAME`: the admin's first check of a new printer. A test slip ("TES", not a queue
    number, with the paper's width and a QR code of public_url) as real ESC/POS bytes over TCP; a
    printer that is off is one line naming it, exit 1; an unknown name lists the printers, exit 2."""
    from fakeprinter import FakeNetworkPrinter

    printer = FakeNetworkPrinter()
    try:
        cfg = write_config(
            tmp_path,
            {
                '[printers.kiosk]\ntype = "dummy"': f'[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\nport = {printer.port}'
            },
        )
        r = cli("printer", "test", "kiosk", "--config", str(cfg))
        assert r.returncode == 0, r.stderr
        assert r.stdout.splitlines() == [  # the office's language first
            f"printer kiosk: slip tes terkirim ke 127.0.0.1:{printer.port}; kode QR-nya menuju http://127.0.0.1:8080,"
            " yang hanya terbuka di PC itu sendiri, bukan di ponsel: atur [office] public_url ke alamat server di"
            " jaringan kantor, dengan port-nya (hostname -I di server menampilkannya), di config.toml",
            f"printer kiosk: a test slip went to 127.0.0.1:{printer.port}; its QR code leads to http://127.0.0.1:8080,"
            " which opens on that PC alone, not on a phone: set [office] public_url to the server's address on the"
            " office network, with its port (hostname -I on the server prints it), in config.toml",
            'printer kiosk menjawab permintaan status (check_status = "auto"): printer ditanya sebelum dan sesudah'
            " setiap tiket, dan tiket tidak dikirim selama printer tidak siap (penutup terbuka, galat) atau kehabisan kertas",
            'printer kiosk answered the status query (check_status = "auto"): it is asked before and after every'
            " ticket, and one that is offline or out of paper is not sent it",
        ]
        sent = printer.wait_for_close()
        status = b"\x10\x04\x01\x10\x04\x04"  # DLE EOT 1 and 4: check_status's default "auto" asked it
        assert sent.startswith(status + b"\x1b@") and b"TES" in sent and b"Bukan nomor antrian" in sent
        assert b"http://127.0.0.1:8080" in sent  # the QR code's address, printed under it too
    finally:
        printer.stop()
    r = cli("printer", "test", "kiosk", "--config", str(cfg))  # now off: refused at once, as the front office is told
    refused(
        r,
        "printer kiosk: cannot be reached (connection refused",
        code=1,
        indonesian=("printer kiosk: tidak dapat dihubungi (sambungan ditolak di 127.0.0.1:",),
    )
    r = cli("printer", "test", "lantai2", "--config", str(cfg))
    assert r.returncode == 2 and r.stderr.splitlines() == [
        "kesalahan: tidak ada [printers.lantai2] di config (printernya: kiosk)",
        "error: no [printers.lantai2] in the config (its printers: kiosk)",
    ]


@pytest.mark.parametrize(
    ("printer", "failure", "indonesian", "english"),
    [
        (
            'type = "usb"\nvendor_id = 0x0416\nproduct_id = 0x5011',
            (
                "tidak ditemukan (dicabut atau dimatikan?) saat membuka USB 0416:5011",
                "not found (unplugged or switched off?) while opening USB 0416:5011",
            ),
            "; periksa: printer menyala dan kabel USB-nya terpasang di PC ini, dan lsusb menampilkan ID 0416:5011 (ID"
            " lain: tulis ID itu di vendor_id dan product_id, sebagai 0x…)",
            "; check: the printer is on, its USB cable in this PC, and lsusb shows ID 0416:5011 (another ID: write that"
            " one in vendor_id and product_id, as 0x…)",
        ),
        (
            'type = "file"\npath = "/dev/usb/lp97"',
            ("tidak ditemukan saat membuka /dev/usb/lp97", "not found while opening /dev/usb/lp97"),
            "; periksa: printer menyala dan kabelnya terpasang di PC ini, dan ls -l /dev/usb/lp97 menampilkan"
            " perangkatnya",
            "; check: the printer is on, its cable in this PC, and ls -l /dev/usb/lp97 shows the device",
        ),
        (
            'type = "network"\nhost = "127.0.0.1"\nport = {port}\ntimeout = 2',
            (
                "tidak dapat dihubungi (sambungan ditolak di 127.0.0.1:{port})",
                "cannot be reached (connection refused at 127.0.0.1:{port})",
            ),
            "; periksa: printer menyala dan tersambung ke jaringan kantor, alamatnya 127.0.0.1 (lembar uji mandiri"
            " printer mencetak alamatnya) dan port-nya {port}",
            "; check: the printer is on and on the office network, at the address 127.0.0.1 (the printer's self-test"
            " page prints it) and port {port}",
        ),
    ],
)
def test_printer_test_says_what_the_admin_checks_for_a_printer_not_found_or_not_reached(
    tmp_path, printer, failure, indonesian, english
):
    """`printer test` of a printer not found said only "not found (not found (unplugged or switched off?) while
    opening USB 0416:5011)", and the front office's words ("minta admin …") are no help to the admin running it
    (helper-275): the failure ends with what to check, for its kind and the printer's type. The failure is said
    once (its words doubled: "not found (not found (…"), and the Indonesian line says it in Indonesian, not in
    the driver's English (helper-279)."""
    with closing(socket.socket()) as s:  # a port nothing listens on: a network printer switched off
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    printer, indonesian, english = (x.replace("{port}", str(port)) for x in (printer, indonesian, english))
    failure = tuple(x.replace("{port}", str(port)) for x in failure)
    cfg = write_config(tmp_path, {'[printers.kiosk]\ntype = "dummy"': f"[printers.kiosk]\n{printer}"})
    r = cli("printer", "test", "kiosk", "--config", str(cfg))
    assert r.returncode == 1, (r.returncode, r.stderr)
    said = r.stderr.splitlines()
    assert len(said) == 2 and said[0].startswith("kesalahan: printer kiosk: "), r.stderr
    assert said[0].endswith(indonesian) and said[1].endswith(english), r.stderr
    assert said[0] == f"kesalahan: printer kiosk: {failure[0]}{indonesian}", r.stderr
    assert said[1] == f"error: printer kiosk: {failure[1]}{english}", r.stderr


@pytest.mark.parametrize(
    ("printer", "indonesian", "english"),
    [
        (  # the demo's path left in a usb printer's table (config.toml's comment: "replace the five keys")
            'type = "usb"\nvendor_id = 0x0416\nproduct_id = 0x5011\npath = "var/tickets.prn"',
            "Printer 'kiosk' (type = \"usb\") tidak memakai path di [printers.kiosk]: kunci itu diabaikan; hapus"
            " barisnya, atau tulis type yang memakainya (file) bila itu yang dimaksud",
            "Printer 'kiosk' (type = \"usb\") does not use path in [printers.kiosk]: that key is ignored; remove the"
            " line, or write the type that uses it (file) if that is what was meant",
        ),
        (
            'type = "network"\nhost = "127.0.0.1"\nport = {port}\nvendor_id = 0x0416\ndevice = "/dev/ttyS0"',
            "tidak memakai device, vendor_id di [printers.kiosk]: kunci-kunci itu diabaikan; hapus barisnya, atau"
            " tulis type yang memakainya (serial, usb)",
            "does not use device, vendor_id in [printers.kiosk]: those keys are ignored; remove the line, or write"
            " the type that uses it (serial, usb)",
        ),
        ('type = "file"\npath = "tickets.prn"', None, None),
    ],
)
def test_a_key_the_printers_type_does_not_use_is_said_at_the_start_and_by_printer_test(
    tmp_path, printer, indonesian, english
):
    """A usb printer's table that kept the demo's `path` was taken without a word, the key ignored (helper-279): it
    is still taken (a config that works goes on working), and the start and `printer test` say which key its type
    does not read and which type does."""
    from fakeprinter import FakeNetworkPrinter

    from server.cli import banner

    fake = FakeNetworkPrinter()
    try:
        printer = printer.replace("{port}", str(fake.port))
        cfg = write_config(tmp_path, {'[printers.kiosk]\ntype = "dummy"': f"[printers.kiosk]\n{printer}"})
        told = unwrapped(banner(load_settings(cfg), "127.0.0.1", 8080, None))
        r = cli("printer", "test", "kiosk", "--config", str(cfg))
    finally:
        fake.stop()
    if indonesian is None:
        assert "tidak memakai" not in told and "does not use" not in told, told
        assert r.returncode == 0 and "does not use" not in r.stdout, r.stdout + r.stderr
        return
    assert indonesian in told and english in told and told.index(indonesian) < told.index(english), told
    said = r.stdout.splitlines()
    assert indonesian in said[0] and english in said[1], r.stdout


def test_printer_test_says_a_running_server_uses_a_changed_printer_after_a_restart(tmp_path):
    """The server reads [printers.*] at its start (docs/admin.md): a slip from the edited printer is no
    sign that the tickets go there. With a server on the database (its lock held), the success says it
    and how to restart; without one, the success alone."""
    cfg = write_config(tmp_path)
    db = load_settings(cfg).server.database
    sent = [  # the demo's public_url: a QR code of this PC (test_printer_test_says_a_phone_cannot_open_…)
        "printer kiosk: slip tes terkirim ke dummy; kode QR-nya menuju http://127.0.0.1:8080, yang hanya terbuka di"
        " PC itu sendiri, bukan di ponsel: atur [office] public_url ke alamat server di jaringan kantor, dengan"
        " port-nya (hostname -I di server menampilkannya), di config.toml",
        "printer kiosk: a test slip went to dummy; its QR code leads to http://127.0.0.1:8080, which opens on that"
        " PC alone, not on a phone: set [office] public_url to the server's address on the office network, with its"
        " port (hostname -I on the server prints it), in config.toml",
    ]
    r = cli("printer", "test", "kiosk", "--config", str(cfg))
    assert r.returncode == 0 and r.stdout.splitlines() == sent, r.stderr
    lock = serverlock.hold(db)  # as `serve` holds it
    try:
        r = cli("printer", "test", "kiosk", "--config", str(cfg))
    finally:
        lock.close()
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert r.stdout.splitlines() == [
        *sent,
        f"server yang berjalan pada database ini (pid {os.getpid()}) membaca [printers.kiosk] hanya saat mulai:"
        " perubahan di sana dipakai setelah server dimulai ulang (sudo systemctl restart antrian di bawah make"
        " service, atau Ctrl+C lalu make run lagi)",
        f"the server running on this database (pid {os.getpid()}) reads [printers.kiosk] only at its start: a"
        " change there is used after a restart (sudo systemctl restart antrian under make service, or Ctrl+C and"
        " make run again)",
    ]


def test_printer_test_says_a_phone_cannot_open_a_qr_code_of_this_pcs_own_address(tmp_path):
    """The demo's public_url is http://127.0.0.1:8080, and an office that skipped README's step 1 keeps it: the
    test slip's QR code leads to the PC itself, and `printer test` still said "a phone on the office's Wi-Fi should
    open its QR code": the admin tried with a phone and got nothing, with no word of why. Now it names the address
    and what to set, where it is kept (config.toml, or the admin page that saved it); with the office network's
    address it still says a phone should open it."""
    cfg = write_config(tmp_path)
    r = cli("printer", "test", "kiosk", "--config", str(cfg))
    assert r.returncode == 0 and r.stdout.splitlines() == [
        "printer kiosk: slip tes terkirim ke dummy; kode QR-nya menuju http://127.0.0.1:8080, yang hanya terbuka di"
        " PC itu sendiri, bukan di ponsel: atur [office] public_url ke alamat server di jaringan kantor, dengan"
        " port-nya (hostname -I di server menampilkannya), di config.toml",
        "printer kiosk: a test slip went to dummy; its QR code leads to http://127.0.0.1:8080, which opens on that"
        " PC alone, not on a phone: set [office] public_url to the server's address on the office network, with its"
        " port (hostname -I on the server prints it), in config.toml",
    ], r.stderr
    r = cli("settings", "set", "office", '{"public_url": "http://localhost:8080"}', "--config", str(cfg))
    assert r.returncode == 0, r.stderr
    r = cli("printer", "test", "kiosk", "--config", str(cfg))
    assert r.returncode == 0, r.stderr
    assert "its QR code leads to http://localhost:8080, which opens on that PC alone" in r.stdout
    assert r.stdout.splitlines()[1].endswith("on the admin page (Kantor), where it was saved over config.toml's")
    r = cli("settings", "set", "office", '{"public_url": "http://192.168.1.10:8080"}', "--config", str(cfg))
    assert r.returncode == 0, r.stderr
    r = cli("printer", "test", "kiosk", "--config", str(cfg))
    assert r.returncode == 0 and r.stdout.splitlines() == [
        "printer kiosk: slip tes terkirim ke dummy; ponsel di Wi-Fi kantor semestinya dapat membuka kode QR-nya",
        "printer kiosk: a test slip went to dummy; a phone on the office's Wi-Fi should open its QR code",
    ], r.stderr


def test_printer_test_on_a_kiosk_pc_prints_through_its_own_connection_with_local(tmp_path):
    """A printer of a kiosk PC's agent ([agents]) is plugged into that PC, which has the same config.toml.
    `printer test NAME` refuses it (the server would not reach it), naming the command that works on that
    PC; `printer test NAME --local` there prints through the PC's own connection, as the agent does, and
    leaves the database alone (the server's, not that PC's). Here a POS-5890 (no native QR codes) on a
    loopback TCP port: the QR code comes as a raster image 58 mm paper takes."""
    from fakeprinter import FakeNetworkPrinter

    printer = FakeNetworkPrinter()
    try:
        cfg = write_config(
            tmp_path,
            {
                '[printers.kiosk]\ntype = "dummy"': '[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\n'
                f'port = {printer.port}\nprofile = "POS-5890"\nwidth_mm = 58',
                '# kiosk = "ANTRIAN_AGENT_TOKEN"': 'kiosk = "ANTRIAN_AGENT_TOKEN"',
            },
        )
        database = load_settings(cfg).server.database
        r = cli("printer", "test", "kiosk", "--local", "--config", str(cfg))
        assert r.returncode == 0, r.stderr
        assert f"printer kiosk: a test slip went to 127.0.0.1:{printer.port} from this PC;" in r.stdout
        assert r.stdout.startswith(f"printer kiosk: slip tes terkirim ke 127.0.0.1:{printer.port} dari PC ini;")
        sent = printer.wait_for_close()
        status = b"\x10\x04\x01\x10\x04\x04"  # DLE EOT 1 and 4: check_status's default "auto" asked it
        assert sent.startswith(status + b"\x1b@") and b"TES" in sent and b"Bukan nomor antrian" in sent
        assert b"\x1d(k" not in sent  # no native QR command, which this printer cannot draw
        image = sent.index(b"\x1dv0\x00")
        assert 0 < int.from_bytes(sent[image + 4 : image + 6], "little") * 8 <= 384  # dots across 58 mm paper
        assert not database.exists()
    finally:
        printer.stop()
    r = cli("printer", "test", "kiosk", "--config", str(cfg))
    refused(
        r,
        "printer kiosk is plugged into a kiosk PC",
        "on that PC",
        "python -m server printer test kiosk --local",
        indonesian=("printer kiosk terpasang di PC kios", "python -m server printer test kiosk --local"),
    )


def test_ctrl_c_stops_the_server_with_a_word_not_a_traceback(tmp_path):
    """Ctrl+C on `make run` (SIGINT): the server says it stopped and exits 0; nothing looks like a crash."""
    import signal

    from live import LiveServer

    server = LiveServer(write_config(tmp_path)).start()
    answered = threading.Event()

    def busy() -> None:
        """Requests in flight at the Ctrl+C: it used to raise in a connection's greenlet, with a traceback."""
        while server.proc.poll() is None:
            # a request that meets the server stopping is refused or cut: expected, the next one is tried
            with contextlib.suppress(OSError), urllib.request.urlopen(server.url + "/api/state", timeout=5) as answer:
                answer.read()
                answered.set()

    clients = [threading.Thread(target=busy, daemon=True) for _ in range(3)]
    try:
        for c in clients:
            c.start()
        assert answered.wait(10)
        server.proc.send_signal(signal.SIGINT)
        assert server.proc.wait(10) == 0
    finally:
        server.stop()
        for c in clients:
            c.join(10)
    assert "Antrian dihentikan / stopped" in server.log() and "Traceback" not in server.log(), server.log()[-2000:]


def test_serve_refusing_a_service_removed_while_its_tickets_wait_is_a_config_error_not_a_traceback(tmp_path):
    """The start's own check (server.app.check_no_stranded_tickets) said its ConfigError as a traceback and
    exit 1, which systemd restarts every 3 s: it is said as every config error is, with exit 78."""
    from server.service import QueueService

    cfg = write_config(tmp_path)
    store = Store(load_settings(cfg).server.database)
    QueueService(load_settings(cfg), store).issue(visitor(service="C"))
    store.close()
    text = cfg.read_text(encoding="utf-8")
    text = text.replace('[[services]]\ncode = "C"\nname = "Registrasi & Verifikasi Akun"\nprefix = "C"\n', "")
    text = text.replace('services = ["A", "C"]', 'services = ["A"]').replace(
        'services = ["B", "C"]', 'services = ["B"]'
    )
    cfg.write_text(text, encoding="utf-8")
    from live import free_port

    r = cli("serve", "--port", str(free_port()), "--config", str(cfg))
    assert r.returncode == 78, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr, r.stderr
    lines = r.stderr.splitlines()  # Indonesian first, then English, as every config error
    assert lines[0].startswith("kesalahan konfigurasi: services: C (1 menunggu) dihapus, tetapi"), r.stderr
    assert lines[1].startswith("config error: services: C (1 waiting) removed, but"), r.stderr


def test_the_ways_back_the_library_says_name_the_command_lines_python():
    """Debian has no `python` command: the way back from a saved change that no longer fits config.toml
    (config.override_from) and from a newer version's database (cli.newer_database) said `python -m server
    …`, where every other message names `_python()` (.venv/bin/python run from the project's folder)."""
    from server.cli import _python
    from server.config import ConfigError, override_error
    from server.errors import Localized
    from server.store import NewerDatabase

    python = _python()
    assert python != "python" and "/" in python, python  # a path: .venv/bin/python, or this interpreter's
    problem = Localized("layanan 'C' tidak dikenal", "unknown service 'C'")
    err = override_error(
        ConfigError("counters[0].services: unknown service 'C'", "counters[0].services", problem), {"counters": []}
    )
    assert str(err).endswith(f"to use config.toml's again: {python} -m server settings reset counters)"), str(err)
    assert err.problem.id_text.endswith(f"lagi: {python} -m server settings reset counters)"), err.problem.id_text
    said = NewerDatabase(Path("/srv/antrian/antrian.db"), ["m099_future"]).said
    assert f"({python} -m server restore FILE;" in said.en_text, said.en_text
    assert f"({python} -m server restore BERKAS;" in said.id_text, said.id_text


def test_a_command_piped_into_a_reader_that_stopped_reading_stops_quietly(tmp_path):
    """`python -m server voice check --clips DIR | head`: once `head` had its lines and closed the pipe, the command
    ended with a BrokenPipeError traceback (two: Python flushes stdout again at exit). It stops quietly, with the
    status a shell gives a program a broken pipe stopped (128 + SIGPIPE). The pipe here is closed before the command
    writes its first byte: real `python -m server`, not the tests' fork server, which has no __main__."""
    config = write_config(tmp_path)
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "server", "settings", "show", "--config", str(config)],
            stdout=write,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            timeout=60,
        )
    finally:
        os.close(write)
    assert done.returncode == 141 and b"Traceback" not in done.stderr, done.stderr.decode()
    assert done.stderr == b"", done.stderr.decode()
