"""The shell around the server: it only parses arguments and calls the library."""

from __future__ import annotations

import argparse
import contextlib
import csv
import errno
import gc
import getpass
import logging
import os
import random
import sqlite3
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from server.argv import Parser, helped, int_between, one_line
from server.auth import ROLES, validate_new_user
from server.config import (
    ConfigError,
    Settings,
    check_storage,
    database_error,
    load_settings,
    printer_ignored,
    storage_error,
)
from server.errors import Localized
from server.forms import LIMITS, clean_nip, clean_text
from server.i18n import both
from server.service.accounts import FIRST_ADMIN
from server.store import DatabaseMoved, DatabaseRescued, NewerDatabase, Store, UpgradeCopyFailed
from shared.logs import LOG_FORMAT, OfficeTimeFormatter
from shared.runtime import on_gevent

DATA = Path(__file__).parent / "data"
MAX_DEMO_VISITORS = 1000
DEMO_DAY, DEMO_PACED = 24, 20  # demo: yesterday's visitors at the demo's pace; above it, 20 visitors' time
MAX_VOICE_NUMBER = 9999  # as [services] daily_quota's highest; each number costs the check memory and time
# `serve`'s exit code on a config error (sysexits' EX_CONFIG; the other commands exit 2): the unit of
# `make service` names it in RestartPreventExitStatus=, so that systemd does not start a server that
# cannot start every 3 seconds for ever. Its other refusals (2: a server holding the database while
# go-live or restore works, a port in use) pass, and systemd tries again.
EXIT_CONFIG = 78
# Any command's exit code when the database stayed locked by another program, or its disk is full: nothing
# the command line can mend, and it may pass by itself (`serve`: systemd starts it again 3 s later)
EXIT_TRY_AGAIN = 1


# -- what the command line says: the catalogue's `cli.*` (server/i18n), Indonesian first, then English --
def words(key: str, /, **params: object) -> Localized:
    """The catalogue's `cli.<key>` in both languages, its {placeholders} filled (a Localized param in the
    language of each text)."""
    return both(f"cli.{key}", **params)


def counted(noun: str, n: int) -> Localized:
    """A count and what it counts, the catalogue's `cli.count.<noun>`: "3 tickets", and "1 ticket" in English
    (`cli.count.<noun>.one`; Indonesian has no plural: "1 tiket", "3 tiket"), for the command line's sentences
    that count more than one thing ("it holds 1 ticket, …", "demo: 1 consultation yesterday, …")."""
    return words(f"count.{noun}.one" if n == 1 else f"count.{noun}", n=n)


def joined(*parts: Localized, sep: str = ": ") -> Localized:
    """Parts said one after the other, in each language."""
    return Localized(sep.join(p.id_text for p in parts), sep.join(p.en_text for p in parts))


def bilingual(text: Localized, prefix: str | None = None) -> str:
    """Two lines, the office's language first, then English (as a config error is said), each after the
    catalogue's `cli.<prefix>` ("kesalahan: …", "error: …") when given."""
    if prefix is None:
        return f"{text.id_text}\n{text.en_text}"
    label = words(prefix)
    return f"{label.id_text}: {text.id_text}\n{label.en_text}: {text.en_text}"


def say(text: Localized, file: Any = None) -> None:
    """What a command did, on stdout (or `file`): Indonesian, then English."""
    print(bilingual(text), file=file)


def say_error(text: Localized, prefix: str = "error") -> None:
    """Why a command stopped, on stderr: "kesalahan: …", then "error: …"."""
    print(bilingual(text, prefix), file=sys.stderr)


def say_config_error(err: ConfigError) -> None:
    """A config error: a key's problem in Indonesian first ("kesalahan konfigurasi: key: …"), then the
    message in English ("config error: …"); an error without one (a file, a printer) in English alone."""
    label = words("config_error")
    if err.key and err.problem is not None:
        print(f"{label.id_text}: {err.where.id_text}: {err.problem.id_text}", file=sys.stderr)
    print(f"{label.en_text}: {err}", file=sys.stderr)


def config_said(err: ConfigError) -> Localized:
    """A config error's message in both languages: the key's problem in Indonesian when it has one (else the
    English in both)."""
    if err.key and err.problem is not None:
        return Localized(f"{err.where.id_text}: {err.problem.id_text}", str(err))
    return Localized(str(err), str(err))


def server_running(err: Any) -> Localized:
    """serverlock.ServerRunning said: which server holds the database, and its lock file."""
    who = words("server_running.pid", pid=err.pid) if err.pid else words("server_running.unknown")
    return words("server_running", who=who, lock=err.path)


def stop_first(err: Any, command: str, forced: bool = False) -> Localized:
    """What a command that needs the server stopped (demo, go-live, restore, repair) says when one runs: stop it
    first, and for a restore why (the running server would number tickets again and send the TVs back).
    Never "or --force": the lock is the kernel's, held by a live server only, and no --force passes it;
    `forced` (--force given) says so."""
    said = joined(server_running(err), words("stop_first"))
    if command == "restore":
        said = joined(said, words("stop_first.restore"), sep="; ")
    if forced:
        said = joined(said, words(f"stop_first.force.{command.replace('-', '_')}", days=TRIAL_DAYS), sep="; ")
    return said


def _parser() -> argparse.ArgumentParser:
    # a plain parser: its "options" group joins each command's own, which Parser then names in both languages
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=argparse.SUPPRESS, help=helped("config"))
    p = Parser(prog="python -m server", description=one_line(words("help.description")), parents=[common])
    sub = p.add_subparsers(dest="command", required=True)

    def command(parent: Any, name: str, key: str, **params: object) -> argparse.ArgumentParser:
        """A sub-command: the catalogue's words for it are its line in the parent's help and top its own."""
        said = one_line(words(f"help.{key}", **params))  # a description is not %-formatted, a help is
        return parent.add_parser(name, parents=[common], help=helped(key, **params), description=said)

    s = command(sub, "serve", "serve")
    s.add_argument("--host", help=helped("serve.host"))
    s.add_argument("--port", type=int_between(1, 65535), help=helped("serve.port"))
    s.add_argument("--sync", default="FULL", choices=["FULL", "NORMAL"], help=argparse.SUPPRESS)
    u = command(sub, "users", "users")
    usub = u.add_subparsers(dest="users_command", required=True)
    ua = command(usub, "add", "users.add")
    ua.add_argument("name", help=helped("users.name"))
    ua.add_argument("--role", required=True, choices=ROLES, help=helped("users.add.role"))
    ua.add_argument("--counter", type=int, help=helped("users.add.counter"))
    ua.add_argument("--full-name", default="", help=helped("users.add.full_name"))
    ua.add_argument("--nip", default="", help=helped("users.add.nip"))
    up = command(usub, "passwd", "users.passwd")
    up.add_argument("name", help=helped("users.name"))
    ul = command(usub, "list", "users.list")
    ul.add_argument("--json", action="store_true", help=helped("users.list.json"))
    for verb in ("disable", "enable"):
        uv = command(usub, verb, f"users.{verb}")
        uv.add_argument("name", help=helped("users.name"))
    st = command(sub, "settings", "settings")
    ssub = st.add_subparsers(dest="settings_command", required=True)
    command(ssub, "show", "settings.show")
    ss = command(ssub, "set", "settings.set", example="""queue '{"max_calls": 2}'""")
    ss.add_argument("section", help=helped("settings.section"))
    ss.add_argument("value", help=helped("settings.value"))
    sr = command(ssub, "reset", "settings.reset")
    sr.add_argument("section", help=helped("settings.section"))
    d = command(sub, "demo", "demo")
    d.add_argument("--if-empty", action="store_true", help=helped("demo.if_empty"))
    d.add_argument("--force", action="store_true", help=helped("demo.force"))
    d.add_argument(
        "--visitors",
        type=int_between(0, MAX_DEMO_VISITORS),
        default=24,
        help=helped("demo.visitors", max=MAX_DEMO_VISITORS),
    )
    _report_parsers(sub, command)
    vo = command(sub, "voice", "voice")
    vsub = vo.add_subparsers(dest="voice_command", required=True)
    vc = command(vsub, "check", "voice.check")
    vc.add_argument("--clips", help=helped("voice.clips"))
    vc.add_argument("--up-to", type=int_between(1, MAX_VOICE_NUMBER), help=helped("voice.up_to", max=MAX_VOICE_NUMBER))
    pr = command(sub, "printer", "printer")
    prsub = pr.add_subparsers(dest="printer_command", required=True)
    pt = command(prsub, "test", "printer.test")
    pt.add_argument("name", help=helped("printer.name"))
    pt.add_argument("--local", action="store_true", help=helped("printer.local"))
    sd = command(sub, "systemd-unit", "systemd_unit")
    sd.add_argument("--user", help=helped("systemd_unit.user"))
    return p


EXIT_INTERRUPTED = 130  # a command stopped by Ctrl+C (128 + SIGINT, as the shell says it)


def _read_password(prompt: Localized) -> str:
    if sys.stdin.isatty():
        repeat = words("repeat_prompt")
        try:
            first = getpass.getpass(f"{prompt.id_text} / {prompt.en_text}: ")
            second = getpass.getpass(f"{repeat.id_text} / {repeat.en_text}: ")
        except (KeyboardInterrupt, EOFError) as err:  # Ctrl+C, Ctrl+D: the admin changed their mind
            print(file=sys.stderr)  # the prompt's line ended
            say_error(words("password_cancelled"))
            raise SystemExit(EXIT_INTERRUPTED if isinstance(err, KeyboardInterrupt) else 2) from None
        if second != first:  # refused input: exit code 2, as every refusal
            say_error(words("passwords_differ"))
            raise SystemExit(2)
        return first
    # one line; its end "\n", "\r\n" (a pipe from Windows) or "\r" is not part of the password
    return sys.stdin.readline().removesuffix("\n").removesuffix("\r")


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    args = _parser().parse_args(argv)
    config = getattr(args, "config", "config.toml")
    overrides: dict[str, Any] = {}
    try:
        file = settings = load_settings(config)
        # `printer test --local` runs on a kiosk PC too, which has config.toml but not the server's database;
        # `systemd-unit` only prints text, and neither checks, opens nor upgrades the database
        local = (args.command == "printer" and args.local) or args.command == "systemd-unit"
        if not local:
            check_storage(settings.server)
        # `repair` opens a damaged database itself: read-only until it is salvaged
        if args.command not in ("restore", "backup", "repair") and not local:
            from server import serverlock
            from server.config import effective_settings, override_error
            from server.store import adopt_rescued

            with contextlib.suppress(OSError):  # a lock file it cannot read: serve says so, and adopts nothing
                if serverlock.holder(settings.server.database) is None:  # beside a running server: its files
                    adopt_rescued(settings.server.database)
            try:
                store = Store(settings.server.database)
                try:
                    with store.read() as tx:
                        overrides = tx.settings_overrides()
                        if args.command == "serve":  # damaged inside, past the header: refused as a header is
                            tx.check_intact()  # PRAGMA quick_check, every page read once (docs/performance.md)
                finally:
                    store.close()  # `serve` opens its own: this one left open kept the WAL at the stop
            except (NewerDatabase, UpgradeCopyFailed, DatabaseRescued, DatabaseMoved) as err:  # refused: said why
                raise ConfigError(f"server.database: {err}", "server.database", err.said) from err
            except (sqlite3.DatabaseError, OSError) as err:
                problem = storage_error(settings.server, err)
                if problem is None and isinstance(err, sqlite3.DatabaseError):
                    said = passing(settings, err)
                    if said is None:
                        raise
                    say_error(said)  # locked by another program, a full disk: the next try may pass
                    return EXIT_TRY_AGAIN
                raise (problem or database_error(settings.server, err)) from err
            try:
                settings = effective_settings(settings, overrides)
            except ConfigError as err:
                if args.command != "settings":
                    raise override_error(err, overrides) from err
                # `settings` is the way out: it runs on config.toml alone, and says why
                note = words("settings.file_meanwhile", problem=config_said(override_error(err, overrides)))
                print(bilingual(note, "settings.note"), file=sys.stderr)
    except ConfigError as err:
        say_config_error(err)
        return EXIT_CONFIG if args.command == "serve" else 2
    try:
        return _run_command(args, config, settings, file, overrides)
    except KeyboardInterrupt:  # Ctrl+C while a command works (`serve` ends its serving by itself): no traceback
        print(file=sys.stderr)
        say_error(words("interrupted"))
        return EXIT_INTERRUPTED
    except sqlite3.DatabaseError as err:
        # a database damaged past the pages the preamble read: named as `serve` names it, not a traceback
        problem = storage_error(settings.server, err)
        if problem is None:
            said = passing(settings, err)
            if said is None:
                raise
            say_error(said)  # locked by another program, a full disk: may pass by itself
            return EXIT_TRY_AGAIN
        say_config_error(problem)
        return EXIT_CONFIG if args.command == "serve" else 2
    except OSError as err:  # the database's disk full: its lock file's pid not written (restore, go-live, demo)
        said = passing(settings, err)
        if said is None:
            raise
        say_error(said)
        return EXIT_TRY_AGAIN


def passing(settings: Settings, err: sqlite3.DatabaseError | OSError) -> Localized | None:
    """What the admin reads of a database error that may pass by itself, in place of SQLite's traceback: the
    database locked by another program past the store's wait, or its disk full; None for any other."""
    from server.store import BUSY_SECONDS

    db = settings.server.database
    if isinstance(err, OSError):  # the disk of the database (its folder, its lock file) full; another's is not
        beside = err.filename is None or Path(os.fsdecode(err.filename)).parent == db.parent
        if err.errno in (errno.ENOSPC, errno.EDQUOT) and beside:
            return words("database_full", database=db, folder=db.parent)
        return None
    name = getattr(err, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(err):
        return words("database_busy", database=db, seconds=f"{BUSY_SECONDS:g}")
    if name.startswith("SQLITE_FULL") or "disk is full" in str(err):
        return words("database_full", database=db, folder=db.parent)
    if name.startswith("SQLITE_IOERR"):  # a full disk too, when the -shm could not grow ("disk I/O error")
        try:
            disk = os.statvfs(db.parent)
            room = disk.f_bavail * disk.f_frsize
        except OSError:
            room = None
        if room is not None and room < 1 << 20:
            return words("database_full", database=db, folder=db.parent)
        return words("database_io", database=db, cause=err)
    return None


def _run_command(
    args: argparse.Namespace, config: str, settings: Settings, file: Settings, overrides: dict[str, Any]
) -> int:
    """Run the command `args` names, on the settings the preamble of `main` loaded."""
    if args.command == "settings":
        lines = saved_lines(settings, file, overrides) if args.settings_command == "show" else []
        if lines:  # the JSON on stdout, what the saved values hide of config.toml on stderr
            print("\n".join(lines), file=sys.stderr)
        return settings_command(settings, args)
    if args.command == "serve":
        return serve(settings, args.host, args.port, args.sync, saved=(file, overrides))
    if args.command == "users":
        return users(settings, args)
    if args.command == "demo":
        return demo(settings, args.visitors, args.if_empty, args.force)
    if args.command in ("archive", "retention", "backup", "restore", "go-live"):
        return records(settings, args)
    if args.command == "repair":
        return repair(settings)
    if args.command == "printer":
        # the QR code's address in use: config.toml's, or the one the admin page saved over it
        saved_url = settings.office.public_url != file.office.public_url
        return printer_test(settings, args.name, local=args.local, url_saved=saved_url)
    if args.command == "systemd-unit":
        try:
            print(systemd_unit(Path(config).resolve(), args.user), end="")
        except ValueError as err:  # its words: a Localized
            said = err.args[0]
            say_error(said if isinstance(said, Localized) else Localized(str(err), str(err)))
            return 2
        return 0
    if args.command == "voice":
        return voice_check(settings, args.clips, args.up_to)
    return 2


def voice_check(settings: Settings, clips: str | None, up_to: int | None) -> int:
    """Print every word this office's calls need that the voice pack lacks (exit code 1 if any), the
    pack's unreadable clips (exit code 1 too), or that it lacks none (0); and, as a warning only (0), the
    words the recalls say before the call ("Panggilan kedua.") that it lacks: a pack recorded before
    them says a recall as its first call, in its own voice, until they are recorded."""
    from zoneinfo import ZoneInfo

    from server import voice

    folder = Path(clips) if clips else Path(settings.tts.clips) if settings.tts.clips else None
    if folder is None:
        say_error(words("voice.no_pack"))
        return 2
    if not folder.is_dir():  # a path mistyped: said here in both languages (the pack's own error is English)
        say_error(words("voice.no_folder", folder=folder))
        return 2
    if up_to is None:
        day = datetime.now(ZoneInfo(settings.office.timezone)).date().isoformat()
        store = Store(settings.server.database)
        try:
            with store.read() as tx:
                highest = max((tx.next_number(day, s.prefix) - 1 for s in settings.services), default=0)
        finally:
            store.close()
        up_to = max(999, highest)
    work = settings.server.data_dir / "voice"
    try:
        pack = voice.load(folder, work, settings.tts.trim_db, settings.tts.pause_ms)
    except voice.VoiceError as err:  # in the catalogue's words, and the files it could not use, each with why
        say_error(words("voice.unusable_pack", cause=err.said))
        _clip_problems({name: voice.reason(why) for name, why in err.errors.items()}, file=sys.stderr)
        return 2
    except OSError as err:  # where the pack is prepared: its folder not writable, its disk full
        from server.archive import cause_words

        where = err.filename if err.filename is not None else work
        if err.errno in (errno.EEXIST, errno.ENOTDIR):  # a file where its folder (or one above) should be
            say_error(words("voice.work_not_folder", work=where))
            return 2
        cause = cause_words(err)
        said = cause if cause is not err else Localized(err.strerror or str(err), err.strerror or str(err))
        say_error(words("voice.cannot_prepare", work=where, cause=said))
        return 2
    say(words("voice.pack", folder=folder, clips=counted("clips", len(pack.clips)), format=pack.fmt.said()))
    if pack.errors:
        say(words("voice.unusable_clips", count=len(pack.errors)))
        _clip_problems(pack.errors)
    missing, intro_missing = voice.missing_words(pack, settings, up_to)
    if missing:  # each word's line as it was: a file name and an example (the pack's maker reads them)
        say(words("voice.missing", count=counted("words", len(missing)), up_to=up_to))
        for name, example in missing.items():
            print(f'  {name}.wav   e.g. "{example}"')
    else:
        say(words("voice.none_missing", up_to=up_to))
    if intro_missing:  # a warning: every call is still said in the pack's voice, a recall as its first call
        intros = " / ".join(f'"{intro}"' for intro in voice.recall_intros(settings) if pack.missing(intro))
        said = words("voice.intro_missing", intros=intros, count=counted("words", len(intro_missing)))
        print(bilingual(said, "warning"))
        for name, example in intro_missing.items():
            print(f'  {name}.wav   e.g. "{example}"')
    return 1 if missing or pack.errors else 0


def _clip_problems(errors: dict[str, Localized], file: Any = None) -> None:
    """A voice pack's files it cannot use, by name, each with why: in Indonesian, then English under it (once
    when the two are the same)."""
    for name, why in sorted(errors.items()):
        print(f"  {name}: {why.id_text}", file=file)
        if why.en_text != why.id_text:
            print(" " * (len(name) + 4) + why.en_text, file=file)


def systemd_unit(config: Path, user: str | None = None) -> str:
    """A unit for this checkout: started with the PC, restarted 3 s after any exit (a crash, a kill,
    a power cut's aftermath) but a config error's (EXIT_CONFIG, which only mending config.toml ends); the
    database lock keeps a second copy from starting beside it."""
    import os
    import re

    given = user
    user = user or os.environ.get("SUDO_USER") or getpass.getuser()
    if not given and user == "root":
        # run as root itself (no sudo to name the account behind it): the server would run as root, and
        # every file it makes (the database, its backups, the lock) be root's; --user root says it is meant
        from server.config import owner_name

        owner = owner_name(Path(__file__).resolve().parent.parent)
        example = owner if owner and owner != "root" else words("unit.name")
        print(bilingual(words("unit.root_user", example=example), "warning"), file=sys.stderr)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?", user):
        raise ValueError(words("unit.bad_user", user=repr(user)))
    root = Path(__file__).resolve().parent.parent
    for what, path in (("root", root), ("config", config), ("python", sys.executable)):
        if any(c in str(path) for c in '\n\r"\\'):
            raise ValueError(words("unit.bad_path", what=words(f"unit.{what}"), path=repr(str(path))))
    root, config, python = (str(p).replace("%", "%%") for p in (root, config, sys.executable))  # systemd's specifiers
    return f"""[Unit]
Description=Antrian, the helpdesk queue of the LPSE office
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User={user}
WorkingDirectory={root}
ExecStart="{python}" -m server serve --config "{config}"
Restart=always
RestartSec=3
# A config error (exit {EXIT_CONFIG}) stays until config.toml is mended: no start every 3 s for ever; after
# mending it, `sudo systemctl restart antrian` (journalctl -u antrian says what it was)
RestartPreventExitStatus={EXIT_CONFIG}
# Every kiosk, TV, counter and phone holds connections: room for thousands (the server keeps a share
# per device, docs/operations.md "Security"); systemd's default soft limit is 1024.
LimitNOFILE=65536
Environment=PYTHONUNBUFFERED=1
# Secrets (ANTRIAN_SMTP_PASSWORD, ANTRIAN_SECRET_KEY) in a file only root and this user can read:
EnvironmentFile=-/etc/antrian.env

[Install]
WantedBy=multi-user.target
"""


def _python() -> str:
    """The Python to type for the commands: the project's .venv/bin/python as run from its folder (Debian
    has no `python`, and its python3 lacks the packages), else this interpreter's path: shared/runtime.py's,
    which the messages the library makes (server/config.py, server/store) name too."""
    from shared.runtime import python_command

    return python_command()


def lan_address() -> str | None:
    """This PC's address on the office network (the interface of its default route), or None without one.
    Nothing is sent: connecting a UDP socket only picks the route."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 9))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def saved_lines(settings: Settings, file: Settings, overrides: dict[str, Any]) -> list[str]:
    """What the values saved on the admin page (or by `settings set`) hide of config.toml: each key with
    config.toml's value and the one in use; a list section by its rows, the admin page's said to be the one in use,
    then each difference on a line under it (a row by its code or number, each value that differs with both sides,
    a row only one side has, the order); and the way back, in Indonesian, then in English. [] when they hide
    nothing. `settings`: in use; `file`: config.toml's alone. (A list section was said "config.toml 3 baris (baris 1
    berbeda), halaman admin 3 baris (baris 1 berbeda)": the same words on both sides, neither which one was in use
    nor what differed.)"""
    from server.admin import EDITABLE, overridden

    found = overridden(settings, file, overrides) if overrides else []
    if not found:
        return []

    lines: list[Localized] = [words("settings.saved")]
    for key, was, now in found:
        if isinstance(now, list) and isinstance(was, list):
            lines.append(words("settings.hidden_rows", name=key, file=_rows(was), saved=_rows(now)))
            lines += _rows_differ(key, was, now)
        else:
            lines.append(words("settings.hidden", name=key, file=_shown(key, was), saved=_shown(key, now)))
    sections = sorted({key.partition(".")[0] for key, _, _ in found}, key=EDITABLE.index)
    resets = " · ".join(f"{_python()} -m server settings reset {section}" for section in sections)
    lines.append(words("settings.way_back", resets=resets))
    # Indonesian, then the same in English: each language's lines together, each value once a line
    return [text.id_text for text in lines] + [text.en_text for text in lines]


_ROW_KEY = {"services": "code", "counters": "id", "priority_classes": "code"}  # what tells a row from another
_DIFFER_LINES = 8  # a list's differing values said at most, then how many more


def _shown(key: str, value: Any) -> Localized:
    import json

    if key == "hours":
        return words("settings.hours" if value else "settings.no_hours")
    text = json.dumps(value, ensure_ascii=False)
    return Localized(text, text)


def _rows(value: list) -> Localized:
    return words("settings.row" if len(value) == 1 else "settings.rows", n=len(value))


def _rows_differ(section: str, was: list, now: list) -> list[Localized]:
    """The rows of list `section` that differ between config.toml's (`was`) and the one in use (`now`), matched by
    their code (a counter by its number): each value that differs, a row only one side has, the order."""
    from server.admin import label

    ident = _ROW_KEY.get(section)

    def key_of(row: Any, i: int) -> Any:
        return row.get(ident, ("row", i)) if isinstance(row, dict) and ident else ("row", i)

    def row_name(i: int, row: Any) -> Localized:
        shown = key_of(row, i)
        names = [label(f"{section}[{i}]", lang) for lang in ("id", "en")]
        if not isinstance(shown, tuple):
            names = [f"{name} ({shown})" for name in names]
        return Localized(*names)

    def column(i: int, name: str) -> Localized:
        return Localized(*(label(f"{section}[{i}].{name}", lang).partition(", ")[2] for lang in ("id", "en")))

    old = {key_of(row, j): (j, row) for j, row in enumerate(was)}
    out: list[Localized] = []
    for i, row in enumerate(now):
        k = key_of(row, i)
        if k not in old:
            out.append(words("settings.row_only_saved", row=row_name(i, row)))
            continue
        before = old[k][1]
        if not (isinstance(row, dict) and isinstance(before, dict)):
            continue
        for name in [*row, *(n for n in before if n not in row)]:
            if row.get(name) != before.get(name):
                out.append(
                    words(
                        "settings.row_field",
                        row=row_name(i, row),
                        column=column(i, name),
                        saved=_shown(name, row.get(name)),
                        file=_shown(name, before.get(name)),
                    )
                )
    mine = {key_of(row, i) for i, row in enumerate(now)}
    out += [words("settings.row_only_file", row=row_name(j, row)) for k, (j, row) in old.items() if k not in mine]
    order_now = [key_of(row, i) for i, row in enumerate(now) if key_of(row, i) in old]
    order_was = [k for k in old if k in mine]
    if order_now != order_was and not any(isinstance(k, tuple) for k in order_now):
        saved, file = (", ".join(str(k) for k in keys) for keys in (order_now, order_was))
        out.append(words("settings.row_order", saved=saved, file=file))
    if len(out) > _DIFFER_LINES:
        out = [*out[: _DIFFER_LINES - 1], words("settings.more", n=len(out) - _DIFFER_LINES + 1)]
    return out


# the pages the start names, each on a line of its own: the catalogue's `cli.banner.<key>` and its path
BANNER_PAGES = (
    ("kiosk", "/kiosk/"),
    ("display", "/display/"),
    ("counter", "/counter/"),
    ("front", "/counter/front"),
    ("survey", "/survey/"),
    ("skm", "/counter/skm"),
    ("complaints", "/counter/complaints"),
    ("recap", "/counter/recap"),
    ("guestbook", "/counter/guestbook"),
    ("dashboard", "/counter/dashboard"),
    ("admin", "/counter/admin"),
    ("api_state", "/api/state"),
)


def banner(
    settings: Settings,
    host: str,
    port: int,
    first: tuple[str, str] | None,
    lan: str | None = None,
    saved: frozenset[str] = frozenset(),
    admins: tuple[str, ...] = (),
) -> list[str]:
    """What `serve` prints at its start: where each page is, how to log in, and what to set up. `lan`:
    this PC's address on the office network, when the server listens on every interface; `saved`: the keys
    whose value saved on the admin page is used instead of config.toml's (saved_lines); `admins`: the
    active admin accounts, on a later start (`first` None)."""
    import textwrap
    from urllib.parse import urlsplit

    def label(key: str) -> str:
        return one_line(words(f"banner.{key}"))

    def advice(text: Localized) -> list[str]:
        """A sentence of advice, Indonesian then English, each wrapped to an 80-column terminal (a URL or a
        path whole)."""
        return [
            line
            for said in (text.id_text, text.en_text)
            for line in textwrap.wrap(
                said, 79, initial_indent="  ", subsequent_indent="    ", break_long_words=False, break_on_hyphens=False
            )
        ]

    everywhere = host in ("0.0.0.0", "::")
    base = f"http://{'127.0.0.1' if everywhere else host}:{port}"
    # (label, value): the labels in a column, "" under one for its value's second line
    rows = [(label(key), f"{base}{path}") for key, path in BANNER_PAGES]
    if everywhere and lan:
        rows += [(label("other_devices"), f"http://{lan}:{port}/…"), ("", f"({label('other_devices.which')})")]
    if first:  # the first account's line keeps "First account" and ends with the password (`grep "First account"`)
        rows += [
            (label("first_account"), f"{first[0]}, {label('password')} '{first[1]}'"),
            ("", f"({label('shown_once')})"),
        ]
    width = max(len(name) for name, _ in rows) + 1  # the longest label and its colon
    lines = [f"Antrian — {settings.office.name}"]
    lines += [f"  {f'{name}:' if name else '':<{width}} {value}" for name, value in rows]
    # a command on a line of its own, whole, to copy
    if first:
        lines += [f"  {label('add_officers')}:", f"    {_python()} -m server users add NAME --role officer"]
    elif FIRST_ADMIN in admins:
        # the first account's password went by on the first start's screen (the tickets printed as text
        # below it push it away): the way to a new one, with the account's name to type
        missed = words("banner.first_password_missed", name=FIRST_ADMIN)
        lines += [
            f"  {label('log_in')}.",
            f"  {missed.id_text}",
            f"  {missed.en_text}",
            f"    {_python()} -m server users passwd {FIRST_ADMIN}",
        ]
    else:
        lines += [
            f"  {label('log_in')}.",
            f"  {label('reset_password')}:",
            f"    {_python()} -m server users passwd NAME",
        ]
    public = urlsplit(settings.office.public_url)
    public_host = public.hostname or ""
    loopback = public_host in ("localhost", "::1") or public_host.startswith("127.")
    where = words("banner.public_url.admin_page" if "office.public_url" in saved else "banner.public_url.config")
    if everywhere and loopback:  # its advice names this server's port too
        address = Localized(lan, lan) if lan else words("banner.this_pc")
        target = Localized(f"http://{address.id_text}:{port}", f"http://{address.en_text}:{port}")
        lines += advice(words("banner.public_url", url=settings.office.public_url, target=target, where=where))
    elif loopback or public_host in {lan, host} - {None, "0.0.0.0", "::"}:
        # public_url names this PC on another port than this server's (the port changed in [server] port or
        # --port, public_url left on the old one): every ticket's QR code leads to another program, or none
        said = public.port or (443 if public.scheme == "https" else 80)
        if said != port:
            shown = f"[{public_host}]" if ":" in public_host else public_host
            # http: the server itself speaks no https (a proxy's, which the advice names, aside)
            target = f"http://{shown}:{port}{public.path.rstrip('/')}"
            url = settings.office.public_url
            lines += advice(words("banner.public_url_port", url=url, said=said, port=port, target=target, where=where))
    for name, printer in sorted(settings.printers.items()):
        # the demo's printers (a file beside the database, or nothing at all) left in place after going live
        # print every ticket "successfully" where nobody sees it; a file under /dev is a real printer
        if printer.type == "dummy":
            lines += advice(words("banner.printer_nowhere", name=name))
        elif printer.type == "file" and not printer.path.startswith("/dev/"):
            lines += advice(words("banner.printer_file", name=name, path=printer.path))
        if printer.ignored:
            lines += advice(printer_ignored(printer))
    if not settings.kiosk.addresses and host not in ("127.0.0.1", "::1", "localhost"):
        # the demo's default: any device on the network (a phone on the Wi-Fi) can take numbers
        lines += advice(words("banner.kiosks_open"))
    esc = settings.escalation
    if esc.enabled and esc.username and not os.environ.get(esc.password_env):
        # /etc/antrian.env is read by the unit of make service alone: under make run, or a variable misspelt
        # there, the first escalation's mail was refused at its login, and nothing said it before
        said = words("banner.smtp_password_unset", username=esc.username, env=esc.password_env, host=esc.host)
        lines += advice(said)
    foreign = timezone_foreign(settings)
    if foreign is not None:
        lines += advice(foreign)
    return lines


def timezone_foreign(settings: Settings) -> Localized | None:
    """The warning of an [office] timezone outside Indonesia, with the office's time in it now; None for one of
    Indonesia's. Said at `serve`'s start and by `settings show`."""
    zone = settings.office.timezone
    if zone in INDONESIAN_ZONES:
        return None
    # a zone tzdata knows but no LPSE office is in ("UTC", "Asia/Singapore", "Europe/London"): taken
    # without a word, every time and the day's turn were hours off
    now = datetime.now(settings.office.tz)
    said = Localized(now.strftime("%H.%M"), now.strftime("%H:%M"))  # 10.05 as Indonesians write it
    return words("banner.timezone_foreign", zone=zone, now=said)


# The zones of Indonesia in tzdata (WIB: Jakarta, Pontianak; WITA: Makassar, its old name Ujung_Pandang; WIT)
INDONESIAN_ZONES = frozenset(("Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Ujung_Pandang", "Asia/Jayapura"))


def log_lines(tz: Any = None) -> None:
    """The server's own log (logger "antrian" and its children, the printers' too) on stderr from INFO up, each
    line with its time and level: the terminal of `make run`, the journal of `make service`. Without it only its
    warnings reached stderr, bare (Python's last resort), and its INFO lines went nowhere: a printer not reached at
    the start, a printer that answers its status again, the daily copy made, a voice pack loaded, which
    docs/operations.md tells the admin to find in the log. Once per process."""
    logger = logging.getLogger("antrian")
    if any(getattr(h, "antrian", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(OfficeTimeFormatter(LOG_FORMAT, tz) if tz is not None else logging.Formatter(LOG_FORMAT))
    handler.antrian = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def serve(
    settings: Settings,
    host: str | None,
    port: int | None,
    sync: str = "FULL",
    clock=None,
    saved: tuple[Settings, dict[str, Any]] | None = None,
) -> int:
    """Run the server with gevent's WSGI server (real WebSockets, no Werkzeug dev server).

    `clock` is for tests/clockserver.py only (office days run in minutes); the command line has no
    way to set it, so `python -m server serve` always runs on the real clock. `saved`: config.toml's
    settings alone and the admin page's saved changes, to say which of the file's values they hide."""
    import faulthandler
    import signal

    from server import serverlock, versions
    from server.app import create_app

    # `kill -USR1 PID` writes every thread's stack to the log: what a server that does not answer is doing
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    if on_gevent():
        # ... and `kill -USR2 PID` every greenlet's: a request or the start waiting inside gevent's loop
        # shows as the loop alone in the threads' stacks
        import gevent
        import gevent.util

        gevent.signal_handler(signal.SIGUSR2, lambda: gevent.util.print_run_info(file=sys.stderr))
        # SIGCHLD heard from the start: gevent starts listening only when it first watches a child, so the
        # first program the server runs could end unheard, and waiting for it never ended (shared/runtime.py)
        gevent.get_hub().loop.install_sigchld()
    versions.require_supported()  # exits naming any library outside the range whose internals we use
    log_lines(settings.office.tz)  # each line's time the office's, as its tickets' (its zone named)
    from server.httpserver import listen, serve_forever

    host = host or settings.server.host
    port = settings.server.port if port is None else port
    from server.tts import espeak_voices

    voices = espeak_voices() if settings.tts.enabled else None  # else the worker refuses it at each call
    voice = settings.tts.voice
    if voices is not None and voice.lower() not in voices:
        problem = words("tts_voice", voice=repr(voice))
        say_config_error(ConfigError(f"tts.voice: {problem.en_text}", "tts.voice", problem))
        return EXIT_CONFIG
    try:
        lock = serverlock.hold(settings.server.database)  # held until this process ends
        from server.store import adopt_rescued

        adopt_rescued(settings.server.database)  # the data of a file deleted under the last server, if any
    except serverlock.ServerRunning as err:  # make run in a second terminal, or beside make service
        say_error(joined(server_running(err), words("serve_twice"), sep="; "))
        return 2
    except OSError as err:  # the lock file of another account (a command run with sudo made it), a folder
        problem = storage_error(settings.server, err)
        if problem is None:
            raise
        say_config_error(problem)
        return EXIT_CONFIG
    try:
        # Bound before anything is made or printed: a port in use stops the start before a first
        # account's password is shown for a server that never ran.
        listener = listen(host, port)
    except OSError as err:
        import socket

        said = words("cannot_listen", host=host, port=port, cause=err.strerror or err)
        hint = {errno.EADDRINUSE: "in_use", errno.EADDRNOTAVAIL: "not_here"}.get(err.errno)
        if isinstance(err, socket.gaierror):  # a host name this PC cannot resolve: "Name or service not known"
            hint = "unknown_name"
        if hint:  # in use: most often this server already running (make run, make service)
            hint = words(f"cannot_listen.{hint}")
            said = Localized(f"{said.id_text} ({hint.id_text})", f"{said.en_text} ({hint.en_text})")
        say_error(said)
        lock.close()
        return 2
    extra = {"clock": clock} if clock is not None else {}
    app = None
    try:
        app = create_app(settings, async_mode="gevent", synchronous=sync, **extra)
        serverlock.record_file(lock, app.extensions["antrian"].store.identity)  # a command is told if it goes
        first = app.extensions["antrian"].accounts.ensure_first_admin()
        users = [] if first else app.extensions["antrian"].accounts.users()
    except (ConfigError, sqlite3.DatabaseError, OSError) as err:
        # what config.toml took away that today's queue still holds, a damaged database, a file of another
        # account: config errors too (exit 78), which systemd does not restart every 3 s for ever
        problem = err if isinstance(err, ConfigError) else storage_error(settings.server, err)
        if problem is None:
            raise
        if app is not None:
            stop_service(app.extensions["antrian"])
        say_config_error(problem)
        listener.close()
        lock.close()
        return EXIT_CONFIG
    socketio = app.extensions["antrian.socketio"]
    hidden, keys = [], frozenset()
    if saved and saved[1]:
        from server.admin import overridden

        hidden, keys = saved_lines(settings, *saved), frozenset(k for k, _, _ in overridden(settings, *saved))
    admins = tuple(u["username"] for u in users if u["role"] == "admin" and u["active"])
    lines = banner(settings, host, port, first, lan_address() if host in ("0.0.0.0", "::") else None, keys, admins)
    print("\n".join(lines + hidden + clock_lines(app.extensions["antrian"].clock_behind())), flush=True)
    del socketio  # served below by gevent's WSGI server, as socketio.run() would, with TCP_NODELAY
    # Whatever start-up made (Flask, templates, modules: ~80,000 objects) lives as long as the
    # process; keep it out of the garbage collector's full passes, each of which otherwise walked it
    # all in 30-35 ms, a pause of every screen at once (docs/performance.md).
    gc.collect()
    gc.freeze()
    # Ctrl+C on `make run` (SIGINT) and `systemctl stop` (SIGTERM) end serving the same way
    # (server/httpserver.py STOP_SIGNALS): a word, not a traceback, and exit code 0
    with contextlib.suppress(KeyboardInterrupt):  # one that came before serving began
        serve_forever(app, host, port, settings.limits, listener)
    stop_service(app.extensions["antrian"])
    print("Antrian dihentikan / stopped", flush=True)
    lock.close()
    return 0


def clock_lines(behind: dict[str, Any] | None) -> list[str]:
    """The start's warning of a server PC's clock behind the newest record (Upkeep.clock_behind), framed to be seen
    among the banner's lines: Indonesian, then English, each wrapped to an 80-column terminal. [] when it is not."""
    import textwrap

    if behind is None:
        return []
    rule = "  " + "!" * 77
    lines = [rule]
    for lang in ("id", "en"):
        lines += textwrap.wrap(
            behind["message"][lang], 79, initial_indent="  ", subsequent_indent="    ", break_long_words=False
        )
    return [*lines, rule]


STOP_WAIT_SECONDS = 5.0  # a stop waits this long at most for a print or a mail on its way


def stop_service(service: Any) -> None:
    """What `serve` does once serving ended: the background workers asked to finish, the speech worker
    stopped, and the workers waited for (a print or a mail on its way finished and its result recorded, up to
    STOP_WAIT_SECONDS), then the database closed (its WAL folded into the file when no other connection holds
    it). A second Ctrl+C meanwhile leaves the rest to the process's end."""
    with contextlib.suppress(KeyboardInterrupt):
        service.stop()
        left = service.join(STOP_WAIT_SECONDS)
        if left:
            logging.getLogger("antrian").warning(
                "%d background task(s) still busy after %.0f s: stopping without them", len(left), STOP_WAIT_SECONDS
            )
        service.store.close()


class _StatusUnheardLogged(logging.Filter):
    """Drops the printers' English log line of a printer that gave no status answer: `printer test` says it in
    both languages."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "gave no status answer" not in str(record.msg)


def printer_test(settings: Settings, name: str, local: bool = False, url_saved: bool = False) -> int:
    """Print a test slip ("TES", not a queue number) on one printer, as a ticket prints: the office's name,
    the time, the paper's width, and a QR code of public_url, which a phone on the office's Wi-Fi should
    open. Exit 1 with the printer's problem when it fails. It says too whether the printer answered its
    status query (check_status), which tells the admin whether "auto" asks it before every ticket, and when
    its answer said the paper is nearly out (the near-end sensor: a new roll wanted soon).

    A printer the server sends to a kiosk PC's agent ([agents]) is plugged into that PC: the test is
    refused here, naming the command that works there; `local` prints through this PC's own transport
    whatever [agents] says (on the kiosk PC, with the same config.toml).

    A public_url of this PC's own (127.0.0.1, localhost: the demo's) makes a QR code no phone opens: the success
    says so, with where to set it (`url_saved`: the admin page saved the one in use), not that a phone should."""
    from urllib.parse import urlsplit
    from zoneinfo import ZoneInfo

    import printers

    cfg = settings.printers.get(name)
    if cfg is None:
        known = ", ".join(sorted(settings.printers)) or words("no_printers")
        say_error(words("no_printer", name=name, known=known))
        return 2
    if name in settings.agents and not local:
        command = f".venv/bin/python -m server printer test {name} --local"
        say_error(words("printer_on_kiosk_pc", name=name, command=command))
        return 2
    url = settings.office.public_url
    slip = printers.TicketSlip(
        office_name=settings.office.name,
        office_address=settings.office.address,
        label="TES",
        service_name="Tes printer / printer test",
        issued_at=datetime.now(ZoneInfo(settings.office.timezone)),
        ahead=0,
        qr_url=url,
        footer=f"Bukan nomor antrian. Printer {name}: {cfg.type}, kertas {cfg.width_mm} mm, profil"
        f" {cfg.profile or 'default'}.\nKode QR: {url}"
        # a cheap printer without the QR command prints garbage or nothing where it should be: the line that mends it
        + (f"\n{printers.slips.no_qr_hint(name)}" if printers.slips.qr_command(cfg.profile) else ""),
    )
    if cfg.ignored:
        say(printer_ignored(cfg))
    unheard = _StatusUnheardLogged()
    logging.getLogger("antrian.printers").addFilter(unheard)
    try:
        printers.print_ticket(cfg, slip)
    except printers.PrinterError as err:
        from server.advice import failure_kind

        # the front office's words for its kind of failure (server/advice.py), the printer's own after them
        kind = failure_kind(str(err))
        detail = str(err).removeprefix(f"printer {name}: ")
        fix = _printer_fix(name, cfg, kind, detail)
        say_error(words("printer_failed", name=name, failure=_printer_failure(kind, detail, err.said), fix=fix))
        return 1
    finally:
        logging.getLogger("antrian.printers").removeFilter(unheard)
    host = urlsplit(url).hostname or ""
    if host in ("localhost", "::1") or host.startswith("127."):
        where = words("banner.public_url.admin_page" if url_saved else "banner.public_url.config")
        sent = "printer_sent_local_loopback" if local else "printer_sent_loopback"
        say(words(sent, name=name, target=cfg.target, url=url, where=where))
    else:
        say(words("printer_sent_local" if local else "printer_sent", name=name, target=cfg.target))
    # whether it answers a status query (check_status): the admin learns which kind of printer it is
    mode = cfg.status_mode
    if mode == "on" or (mode == "auto" and printers.status_answered(cfg)):
        setting = "true" if mode == "on" else '"auto"'
        say(words("printer_status.answered", name=name, setting=setting))
    elif mode == "auto":
        say(words("printer_status.silent", name=name, seconds=f"{cfg.timeout:g}"))
    elif cfg.type in printers.STATUS_TYPES:
        say(words("printer_status.off", name=name))
    if printers.transport.paper_state(cfg) == printers.transport.PAPER_LOW:
        say(words("printer_paper_low", name=name))  # its near-end sensor: the roll nearly used up
    if not local:
        # a server running on this database read its printers at its start (docs/admin.md): the slip came
        # out of the [printers.NAME] just edited, the tickets still go to the one it read
        from server import serverlock

        pid = None
        with contextlib.suppress(OSError):  # a lock file this account may not open: nothing to add
            pid = serverlock.holder(settings.server.database)
        if pid is not None:
            who = words("server_running.pid", pid=pid) if pid else words("server_running.unknown")
            say(words("printer_server_running", name=name, who=who))
    return 0


def _printer_failure(kind: str, detail: str, said: tuple[str, str] | None) -> Localized:
    """A failed `printer test` in each language: the front office's word for its kind, the printer's own words in
    brackets after it, in that language where the catalogue has them (printers' `PrinterError.said`), else the
    driver's English; the printer's words alone when they begin with the kind's ("not found (unplugged or switched
    off?) while opening …", not "not found (not found (unplugged …"."""
    problem = both(f"printer.problem.{kind}")
    details = Localized(*said) if said else Localized(detail, detail)

    def one(problem: str, detail: str) -> str:
        return detail if detail.lower().startswith(problem.lower()) else f"{problem} ({detail})"

    return Localized(one(problem.id_text, details.id_text), one(problem.en_text, details.en_text))


def _printer_fix(name: str, cfg: Any, kind: str, detail: str) -> Localized:
    """What the admin checks for a `printer test` that failed, by its kind and the printer's type: the front
    office's words ("minta admin …") are for the staff, and the admin running the test is the one asked."""
    if kind == "not_found" and cfg.type == "usb":
        return words("printer_fix.not_found.usb", id=f"{cfg.vendor_id:04x}:{cfg.product_id:04x}")
    if kind == "not_found" and cfg.type in ("serial", "file"):
        return words("printer_fix.not_found.device", device=cfg.target)
    if kind == "permission":
        return words("printer_fix.permission", user=getpass.getuser())
    if kind == "unreachable" and cfg.type == "network":
        return words("printer_fix.unreachable", host=cfg.host, port=cfg.port)
    if kind == "unknown_host":
        return words("printer_fix.unknown_host", name=name)
    if kind == "setup" and cfg.type == "network" and "not an esc/pos printer" in detail.lower():
        return words("printer_fix.not_escpos", name=name, host=cfg.host)
    if kind == "setup" and cfg.type == "cups" and "does not exist" in detail:
        return words("printer_fix.setup.cups", name=name)
    return Localized("", "")


def settings_command(settings: Settings, args: argparse.Namespace) -> int:
    """settings show / set SECTION JSON / reset SECTION: the admin page's changes, from the shell."""
    import json

    from server import admin
    from server.errors import AntrianError
    from server.service import QueueService

    if args.settings_command == "show":
        print(json.dumps(admin.view(settings), indent=2, ensure_ascii=False))
        foreign = timezone_foreign(settings)
        if foreign is not None:  # on stderr: stdout stays the JSON a script reads
            say(foreign, file=sys.stderr)
        return 0
    from dataclasses import fields

    known = {field.name for field in fields(Settings)} - {"source"}  # config.toml's sections
    if args.section not in known:
        # a typo (`settings set kios …`) was said to be a section "changed only in config.toml", which has none such
        import difflib

        like = difflib.get_close_matches(args.section.lower(), sorted(admin.EDITABLE), n=1, cutoff=0.6)
        guess = words("settings.unknown_section_like", like=like[0]) if like else Localized("", "")
        said = words("settings.unknown_section", section=args.section, like=guess, sections=", ".join(admin.EDITABLE))
        say_error(words("settings.refused", detail=said))
        return 2
    value = None
    if args.settings_command == "set":
        try:
            value = json.loads(args.value)
        except (ValueError, RecursionError) as err:
            # where the JSON stops being JSON, not Python's exception: most often the shell took its quotes away
            at = isinstance(err, json.JSONDecodeError)
            where = words("settings.json_at", line=err.lineno, column=err.colno) if at else words("settings.json_deep")
            example = f"""{_python()} -m server settings set queue '{{"max_calls": 2}}'"""
            say_error(words("settings.not_json", section=args.section, where=where, example=example))
            return 2
    with Store(settings.server.database) as store:
        service = QueueService(settings, store)
        try:
            if args.settings_command == "reset":
                if not admin.reset_settings(service, args.section, actor="cli"):
                    say(words("settings.nothing_stored", section=args.section))
                    return 0
                say(words("settings.reset", section=args.section))
                return 0
            before = service.settings
            after = admin.change_settings(service, args.section, value, actor="cli")
        except AntrianError as err:
            # what is wrong and what to do, not the error's code: a script has the exit code
            say_error(words("settings.refused", detail=_refusal(err)))
            return 2
    # the value in force already: nothing saved nor logged (change_settings gives the settings it found back)
    say(words("settings.unchanged" if after is before else "settings.changed", section=args.section))
    return 0


def _refusal(err: Any) -> Localized:
    """Why the admin page's rules refused a `settings` change (an AntrianError), in both languages: the
    parser's words naming the key as config.toml does, else the message of its code."""
    from server.messages import message

    if isinstance(err.__cause__, ConfigError):
        return config_said(err.__cause__)

    def text(lang: str) -> str:
        detail = err.params.get("detail")
        if isinstance(detail, Localized):
            detail = detail.en_text if lang == "en" else detail.id_text
        detail = detail or (message(err.code, lang, **err.params) if err.params else "")
        return detail or ", ".join(f"{k}: {v}" for k, v in err.fields.items()) or message(err.code, lang)

    return Localized(text("id"), text("en"))


def users(settings: Settings, args: argparse.Namespace) -> int:
    """users add / passwd / list / disable / enable: the admin API's account changes (server.service.accounts),
    each logged as a `user_changed` event by "cli"."""
    from server.service.accounts import Accounts
    from server.service.unit import UnitOfWork

    with Store(settings.server.database) as store:
        return _users(settings, args, Accounts(UnitOfWork(settings, store)))


def _users(settings: Settings, args: argparse.Namespace, accounts: Any) -> int:
    """`users`, on the store's `accounts` (server.service.accounts.Accounts)."""
    from server.errors import NotFound, QueueError

    if args.users_command in ("disable", "enable"):
        name = args.name.strip().lower()
        try:
            accounts.set_active(name, args.users_command == "enable", "cli")
        except NotFound:
            say_error(words("no_user", name=name))
            return 2
        say(words(f"user_{args.users_command}d", name=name))
        return 0
    if args.users_command == "list":
        return _users_list(accounts.users(), args.json)
    name = args.name.strip().lower()
    if args.users_command == "add":
        if args.counter is not None and settings.counter(args.counter) is None:
            known = ", ".join(str(c.id) for c in settings.counters)  # the numbers to choose from
            say_error(words("no_counter", counter=args.counter, known=known))
            return 2
        profile_bad: dict[str, str] = {}
        full_name = clean_text({"full_name": args.full_name}, "full_name", LIMITS["full_name"], False, profile_bad)
        nip = clean_nip({"nip": args.nip}, "nip", profile_bad)
        if profile_bad:
            fields = joined(
                *(
                    joined(words(f"field.{k}"), words(f"problem.{v}", **getattr(v, "params", {})))
                    for k, v in profile_bad.items()
                ),
                sep=", ",
            )
            say_error(words("profile_invalid", fields=fields))
            return 2
        if validate_new_user(name, "x" * 8, args.role).get("username"):  # said before the password is asked twice
            from server.auth import username_problem

            # which rule, as the admin page says it; a person's name typed as the login: where it goes instead
            said = words("username_invalid", name=repr(name), problem=username_problem(name) or "")
            if " " in name and not args.full_name:
                import shlex

                login = ".".join(name.split())
                counter = f" --counter {args.counter}" if args.counter is not None else ""
                full = shlex.quote(" ".join(args.name.split()))
                example = f"{_python()} -m server users add {login} --role {args.role}{counter} --full-name {full}"
                said = joined(said, words("username_full_name", example=example), sep="")
            say_error(said)
            return 2
        if accounts.user(name) is not None:  # said before the password is asked twice for nothing
            say_error(words("user_exists", name=name))
            return 2
        password = _read_password(words("password_prompt", name=name))
        bad = validate_new_user(name, password, args.role)
        if bad:
            fields = joined(*(words(f"field.{k}") for k in bad), sep=", ")
            say_error(words("user_invalid", fields=fields))
            return 2
        try:
            accounts.add_user(name, password, args.role, "cli", args.counter, full_name, nip)
        except QueueError:  # user_exists
            say_error(words("user_exists", name=name))
            return 2
        say(words("user_added", name=name, role=args.role))
        return 0
    if accounts.user(name) is None:  # said before the new password is asked twice for nothing
        say_error(words("no_user", name=name))
        return 2
    password = _read_password(words("new_password_prompt", name=name))
    if validate_new_user(name, password, "admin").get("password"):
        say_error(words("password_length"))
        return 2
    try:
        accounts.set_password(name, password, "cli")
    except NotFound:
        say_error(words("no_user", name=name))
        return 2
    say(words("password_changed", name=name))
    return 0


def _demo_people(rng: random.Random) -> list[dict[str, str]]:
    with open(DATA / "agencies.csv", encoding="utf-8") as f:
        agencies = list(csv.DictReader(f))
    with open(DATA / "spse-problems.csv", encoding="utf-8") as f:
        problems = list(csv.DictReader(f))
    first = [
        "Budi",
        "Siti",
        "Agus",
        "Dewi",
        "Ma'ruf",
        "Ni Luh Putu Ayu",
        "Dédé",
        "Rahmat",
        "Yohanes",
        "Fitri",
        "Andi",
        "Made",
        "Hendra",
        "Nur",
        "Teguh",
        "Ratna",
    ]
    last = ["Santoso", "Rahayu", "Saputra", "Lestari", "Hidayat", "Wibowo", "Siregar", "Pratama", ""]
    people = []
    for p in problems:
        a = rng.choice(agencies)
        people.append(
            {
                **p,
                "agency": a["name"],
                "address": a["address"],
                "name": f"{rng.choice(first)} {rng.choice(last)}".strip(),
                "phone": f"08{rng.randint(11, 99)}{rng.randint(10000000, 99999999)}",
            }
        )
    return people


def _demo_form(p: dict[str, str]) -> dict[str, str]:
    return {k: p[k] for k in ("service", "name", "agency", "address", "phone", "problem", "category")}


_DEMO_SUGGESTIONS = (
    "Mohon tambah kursi di ruang tunggu.",
    "Petugas sangat membantu, terima kasih.",
    "Wi-Fi ruang tunggu sering putus.",
    "Antrean sore terlalu lama, mohon tambah petugas.",
)


def _demo_survey(rng: random.Random, token: str) -> dict:
    """A demo visitor's survey answers: mostly 3s and 4s, a profile, now and then a suggestion."""
    from server import skm

    answers = {code: rng.choices((2, 3, 4), (1, 5, 4))[0] for code in skm.ELEMENTS}
    answers["U4"] = 4  # the service is free of charge
    profile = {
        "sex": rng.choice(skm.SEXES),
        "age": rng.randint(22, 58),
        "education": rng.choice(("sma", "diploma", "s1", "s1", "s2")),
        "occupation": rng.choice(("pns", "swasta", "wirausaha")),
    }
    data = {"token": token, "answers": answers, "profile": profile}
    if rng.random() < 0.25:
        data["suggestion"] = rng.choice(_DEMO_SUGGESTIONS)
    return data


def _users_list(users: list[dict[str, Any]], as_json: bool) -> int:
    """`users list`: for a person, a table under a header in both languages, each account's state in words
    ("aktif / active", "nonaktif / disabled"), its full name last (it has spaces); with `as_json`, for a script,
    the admin API's `{"users": [...]}` (docs/api.md), whose fields do not change with the words."""
    import json

    if as_json:  # as server/admin_api.py `_user_view` shows each (a profile not given: null)
        keys = ("username", "role", "counter_id")
        shown = [
            {
                **{k: u[k] for k in keys},
                "active": bool(u["active"]),
                "full_name": u["full_name"] or None,
                "nip": u["nip"] or None,
            }
            for u in users
        ]
        print(json.dumps({"users": shown}, ensure_ascii=False, indent=1))
        return 0
    state = {True: one_line(words("users.list.active")), False: one_line(words("users.list.disabled"))}
    order = ("username", "role", "counter_id", "active", "nip", "full_name")
    rows = [[one_line(words(f"users.list.{k}")) for k in order]]
    for u in users:
        cells = {**u, "active": state[bool(u["active"])]}
        rows.append([str(cells[k]) if cells[k] not in (None, "") else "-" for k in order])
    widths = [max(len(row[i]) for row in rows) for i in range(len(order) - 1)]
    for row in rows:
        print("  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]]))
    return 0


def demo(settings: Settings, visitors: int, if_empty: bool, force: bool = False) -> int:
    """Yesterday served in full (for the recap and the SKM report), and a few visitors waiting today.
    Refused on a database with tickets (an office's real records) unless `force`, and while a server runs."""
    with Store(settings.server.database) as store:
        return _demo(settings, store, visitors, if_empty, force)


def _demo(settings: Settings, store: Store, visitors: int, if_empty: bool, force: bool) -> int:
    """`demo` on the database's `store`."""
    from server import serverlock
    from server.service import QueueService

    tz = settings.office.tz
    today = datetime.now(tz).replace(hour=8, minute=0, second=0, microsecond=0)
    clock_now = [today - timedelta(days=1)]
    service = QueueService(settings, store, clock=lambda: clock_now[0].astimezone(UTC))
    with store.read() as tx:
        went_live = tx.last_event("went_live")
    if went_live is not None and not force:  # the office's own records from that day on
        if if_empty:
            say(words("demo.went_live_nothing", day=went_live["day"]), file=sys.stderr)
            return 0
        say_error(words("demo.went_live", day=went_live["day"]))
        return 2
    if service.has_tickets():
        if if_empty:
            say(words("demo.has_tickets_nothing"))
            return 0
        if not force:
            say_error(words("demo.has_tickets", database=settings.server.database))
            return 2
    try:
        with serverlock.held(settings.server.database):  # no server starts while the visitors are added
            served, waiting = _demo_visitors(settings, service, visitors, clock_now)
    except serverlock.ServerRunning as err:
        say_error(stop_first(err, "demo", forced=force))
        return 2
    say(words("demo.done", served=counted("consultations", served), waiting=counted("visitors", waiting)))
    return 0


def _demo_visitors(settings: Settings, service: Any, visitors: int, clock_now: list[datetime]) -> tuple[int, int]:
    """The demo's days: `visitors` served yesterday, six waiting today; (served, waiting)."""
    tz = settings.office.tz
    rng = random.Random(7)
    people = _demo_people(rng)
    counters = list(settings.counters)
    # One after another at the demo's pace (about 37 minutes a visitor from 08:00), more than DEMO_DAY visitors
    # ran past midnight into today: their survey was closed and the demo stopped half done. Above it, the same
    # draws closer together, so that yesterday holds them all; up to it (the default), as before.
    pace = 1.0 if visitors <= DEMO_DAY else DEMO_PACED / visitors

    def later(lo: int, hi: int) -> None:
        clock_now[0] += timedelta(minutes=rng.randint(lo, hi) * pace)

    served = 0
    for i in range(visitors):
        later(5, 15)
        p = people[i % len(people)]
        # at the kiosk, timed from the first tap to the number (SOP steps 2-6: the dashboard's form time)
        form = {**_demo_form(p), "form_seconds": rng.randint(90, 420)}
        service.issue(form, actor="demo", printed=False, override_quota=True, backdated=True)
        counter = counters[i % len(counters)]
        body = service.counter_action(counter.id, "call-next", {}, "demo").body
        if not body.get("ticket"):
            continue
        later(1, 4)
        service.counter_action(counter.id, "start", {}, "demo")
        later(8, 40)
        problem = next((q for q in people if q["problem"] == body["ticket"]["form"]["problem"]), p)
        if problem["escalate"] == "yes":
            service.counter_action(counter.id, "escalate", {"note": problem["solution"]}, "demo")
        else:
            service.counter_action(counter.id, "resolve", {"solution": problem["solution"]}, "demo")
        served += 1
        if rng.random() < 0.7:  # most answer the satisfaction survey on their phone (docs/skm.md)
            clock_now[0] += timedelta(minutes=pace)
            service.survey.submit(_demo_survey(rng, body["ticket"]["token"]), None, "phone")
    clock_now[0] = datetime.now(tz)
    waiting = 0
    for p in people[:6]:
        service.issue(_demo_form(p), actor="demo", printed=False, override_quota=True, backdated=True)
        waiting += 1
    service.expire_old()
    return served, waiting


# -- records: archive, retention, backup, restore (server/archive.py) -----------------------------
def _report_parsers(sub: Any, command: Any) -> None:
    """archive, retention, backup, restore, go-live: `command(sub, name, key)` adds each (_parser)."""
    from server.archive import MAX_RETENTION_MONTHS

    a = command(sub, "archive", "archive")
    a.add_argument("--month", required=True, help=helped("archive.month"))
    a.add_argument("--out", default=None, help=helped("archive.out"))
    a.add_argument("--replace", action="store_true", help=helped("archive.replace"))
    a.add_argument("--unfinished", action="store_true", help=helped("archive.unfinished_as_now"))
    r = command(sub, "retention", "retention")
    # one rule, said one way for 0 and for 99999: argparse's refusal of a number out of its range, as --up-to's
    months = int_between(1, MAX_RETENTION_MONTHS)
    r.add_argument("--months", type=months, required=True, help=helped("retention.months", max=MAX_RETENTION_MONTHS))
    b = command(sub, "backup", "backup")
    b.add_argument("file", help=helped("backup.file"))
    s = command(sub, "restore", "restore")
    s.add_argument("file", help=helped("restore.file"))
    s.add_argument("--force", action="store_true", help=helped("restore.force"))
    command(sub, "repair", "repair")
    g = command(sub, "go-live", "go_live")
    g.add_argument("--yes", action="store_true", help=helped("go_live.yes"))
    g.add_argument("--force", action="store_true", help=helped("go_live.force", days=TRIAL_DAYS))


TRIAL_DAYS = 31  # a trial longer than this is more likely an office's records from before go-live existed


def go_live(settings: Settings, yes: bool, force: bool = False) -> int:
    """go-live [--yes]: the trial queue deleted before the first real day (server/archive.py go_live)."""
    from server import archive, serverlock

    db = settings.server.database
    with Store(db) as store:
        summary = archive.go_live_summary(store)
    if summary.went_live:
        raise archive.ArchiveError("went_live", day=summary.went_live["day"])
    days = (
        (date.fromisoformat(summary.last_day) - date.fromisoformat(summary.first_day)).days + 1
        if summary.first_day and summary.last_day
        else 0
    )
    if yes and days > TRIAL_DAYS and not force:
        # an office that ran a release without go-live has no mark of its first real day
        raise archive.ArchiveError(
            "too_long", days=days, first=summary.first_day, last=summary.last_day, trial=TRIAL_DAYS
        )
    counts = {"tickets": counted("tickets", summary.tickets), "survey": counted("survey_answers", summary.survey)}
    what = (
        words("go_live.what_span", first=summary.first_day, last=summary.last_day, **counts)
        if summary.tickets
        else words("go_live.what", **counts)
    )
    changed = Localized(", ".join(summary.settings), ", ".join(summary.settings)) if summary.settings else None
    accounts = counted("accounts", summary.accounts)
    kept = words("go_live.kept", accounts=accounts, settings=changed or words("go_live.none_changed"))
    if not yes:
        say(words("go_live.would", what=what, kept=kept))
        say(words("go_live.run_again"))
        return 0
    with serverlock.held(db):  # no server starts on the database while it is copied and emptied (records says so)
        copy = archive.keep_before_restore(db, datetime.now(settings.office.tz), why="go-live")
        with Store(db) as store:
            archive.go_live(store, datetime.now(UTC), settings.office.tz)
    say(words("go_live.deleted", what=what, kept=kept))
    say(words("go_live.copy", copy=copy))
    return 0


def month_archive(settings: Settings, args: argparse.Namespace) -> int:
    """archive --month YYYY-MM [--out DIR] [--replace] [--unfinished]: a past month's ZIP (server/archive.py);
    this month's only with --unfinished, a later one never; an archive there already only with --replace.
    A month with tickets still in play (a visitor of its last day still being served) only with --unfinished,
    which then names them: they are not in its recap yet."""
    from server import archive
    from server.core import local_day

    today = local_day(datetime.now(UTC), settings.office.tz)
    archive.check_month(args.month, today, args.unfinished)
    out = Path(args.out) if args.out else settings.server.data_dir / "archive"
    with Store(settings.server.database) as store:
        made = archive.make_month_archive(
            store,
            args.month,
            settings.office.name,
            out,
            args.out is None,
            args.replace,
            args.unfinished,
            tz=settings.office.tz,  # the guest book's times and services, as the office's pages say them
            services={s.code: s.name for s in settings.services},
            counters={c.id: c.name for c in settings.counters},
        )
    say(words("archive.written", path=made.path, sha=archive.sha256_file(made.path)))
    # this month's (--unfinished) holds its days so far: the range it names ends today, not on the month's last
    # day, which its warning below says it does not hold
    end = min(made.day_to, today)
    if made.tickets and made.served != made.recap_rows:  # rows of visitors transferred, then not served there
        held = {"tickets": counted("tickets", made.tickets), "start": made.day_from, "end": end}
        transferred = made.recap_rows - made.served
        rows = counted("recap_rows", made.recap_rows)
        say(words("archive.holds_transferred", **held, rows=rows, served=made.served, transferred=transferred))
    elif made.tickets:
        held = {"tickets": counted("tickets", made.tickets), "start": made.day_from, "end": end}
        say(words("archive.holds", **held, rows=made.recap_rows))
    else:
        say(words("archive.empty", month=args.month, start=made.day_from, end=end))
    if made.replaced is not None:
        say(words("archive.replaced", tickets=counted("tickets", made.replaced)))
    if made.day_to >= today:  # --unfinished: this month, so far
        say_error(words("archive.unfinished_made", month=args.month, today=today), prefix="warning")
    if made.in_play:  # --unfinished: the tickets not in its recap yet
        say_error(words("archive.in_play_made", **archive.in_play_said(made.in_play)), prefix="warning")
    return 0


class _UpgradeLogged(logging.Filter):
    """Drops the store's English log line of an upgrade's schema changes: `restore` says it in both languages."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "schema changes of this version" not in str(record.msg)


def _free_counters(settings: Settings) -> None:
    """After a restore: free the counters its backup has held, as their holders' logout would (each session
    ended with the restore). Kept, the TV showed each one's break or called visitor, with nobody signed in
    there, for [queue] counter_release_minutes after the server's start."""
    from server.service.accounts import CounterClaims
    from server.service.unit import UnitOfWork

    with Store(settings.server.database) as store:
        CounterClaims(UnitOfWork(settings, store)).release_all("cli", reason="restore")


def restore(settings: Settings, file: str) -> int:
    """restore FILE (in `records`, which says its refusals): the backup put back, the server's lock held
    meanwhile; then what it holds, in Indonesian, then English: its tickets, its office's name beside
    config.toml's, an older version's schema brought up to date, everyone signed out; and warnings when
    it is older than today or another office's, or holds escalation mails not sent yet."""
    from server import archive, serverlock

    db, tz = settings.server.database, settings.office.tz
    now = datetime.now(tz)
    upgrade_line = _UpgradeLogged()
    logging.getLogger("antrian.store").addFilter(upgrade_line)
    wal = archive.wal_left_behind(Path(file))  # looked at before the restore: its -wal is not made by it
    try:
        with serverlock.held(db):
            done = archive.restore(Path(file), db, now)
            _free_counters(settings)
    finally:
        logging.getLogger("antrian.store").removeFilter(upgrade_line)
    held = done.summary

    def local(at: datetime | None) -> str:
        return at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if at else "-"

    if done.kept:
        say(words("restore.kept", kept=done.kept))
    say(words("restore.done", database=db, file=file))
    if held.tickets:
        span = {"first": held.first_day, "last": held.last_day, "newest": local(held.newest)}
        say(words("restore.holds", tickets=counted("tickets", held.tickets), **span))
    else:
        say(words("restore.holds_none"))
    office = settings.office.name  # config.toml's (restore reads no saved value)
    if held.office is None:
        say(words("restore.office_file", config=office))
    else:
        say(words("restore.office_saved", name=held.office, config=office))
    if held.pending:  # an older version's backup: the store kept it as it was before changing its schema
        copy = db.with_name(f"{db.name}.before-{held.pending[0]}")
        say(words("restore.upgraded", names=", ".join(held.pending), copy=copy))
    say(words("restore.sessions"))
    today = now.date().isoformat()
    if held.last_change is None:  # a copy of a new database (no event yet): its time unknown, not "-"
        say_error(words("restore.no_change", today=today), prefix="warning")
    elif held.last_change.astimezone(tz).date().isoformat() < today:
        say_error(words("restore.older", at=local(held.last_change), today=today), prefix="warning")
    elif held.today_labels:  # a copy of today: the numbers issued after it are issued again
        say_error(words("restore.today", labels=", ".join(held.today_labels), at=local(held.last_change)), "warning")
    else:
        say_error(words("restore.today_none", at=local(held.last_change)), prefix="warning")
    if held.office is not None and held.office != office:
        say_error(words("restore.other_office", name=held.office, config=office), prefix="warning")
    if held.unsent_mails:  # queued or retrying in the copy: this server sends them, the dead PC may have already
        labels = ", ".join(label if day == today else f"{day} {label}" for label, day in held.unsent_mails)
        mails = counted("escalation_mails", len(held.unsent_mails))
        say_error(words("restore.unsent_mails", mails=mails, labels=labels), prefix="warning")
    if wal is not None:  # a server's own file copied off its disk without its -wal: its last changes not in it
        name = Path(file).name
        say_error(words("restore.no_wal", file=file, wal=wal, name=name), prefix="warning")
    return 0


def repair(settings: Settings) -> int:
    """repair: a database damaged inside salvaged into a new file that takes its place, the damaged one kept
    beside it (server/archive.py repair), the server's lock held meanwhile; then what it holds. Exit 2 when
    it cannot be salvaged (nothing changed): the way back is then the newest daily copy (`restore`)."""
    from server import archive, serverlock

    db = settings.server.database
    try:
        with serverlock.held(db):  # no server starts on the database while it is replaced
            done = archive.repair(db, datetime.now(settings.office.tz))
    except serverlock.ServerRunning as err:
        say_error(stop_first(err, "repair"))
        return 2
    except archive.ArchiveError as err:
        say_error(joined(err.said, words("repair.restore", backups=settings.server.backup_dir), sep="; "))
        return 2
    if not done.found:
        say(words("repair.intact", database=db))
        return 0
    more = f" (+{len(done.found) - 1})" if len(done.found) > 1 else ""
    say(words("repair.salvaged", database=db, found=done.found[0] + more))
    say(words("repair.kept", kept=done.kept))
    held = done.summary
    if held.tickets:
        newest = held.newest.astimezone(settings.office.tz).strftime("%Y-%m-%d %H:%M") if held.newest else "-"
        span = {"first": held.first_day, "last": held.last_day, "newest": newest}
        say(words("repair.holds", tickets=counted("tickets", held.tickets), **span))
    else:
        say(words("repair.holds_none"))
    say(words("repair.next"))
    return 0


def records(settings: Settings, args: argparse.Namespace) -> int:
    """archive / retention / backup / restore."""
    from server import archive, serverlock

    db = settings.server.database
    try:
        if args.command == "archive":
            return month_archive(settings, args)
        elif args.command == "retention":
            with Store(db) as store:
                result = archive.apply_retention(store, args.months, datetime.now(UTC), settings.office.tz)
            # the stored answers dropped (the server's copies of its answers to a device's requests, kept for a
            # request sent twice) are not said: nothing the admin knows or acts on (the event keeps their count)
            counts = {"forms": counted("forms", result.forms), "survey": counted("survey_responses", result.survey)}
            say(words("retention.done", cutoff=result.cutoff, **counts))
            if result.open_cases:  # their visitors' data kept: said, so that the admin knows why, and runs it again
                say(words("retention.open_cases", cases=counted("open_cases", result.open_cases)))
        elif args.command == "go-live":
            return go_live(settings, args.yes, args.force)
        elif args.command == "backup":
            if args.file.endswith(("/", os.sep)) and not Path(args.file).is_dir():
                # "/media/lpse/USB/" names a folder (Path() would drop the slash and write a file "USB")
                raise archive.ArchiveError("no_folder_given", path=args.file)
            target = Path(args.file)
            if not db.exists():  # not made yet, or config.toml naming another place: what to check (the daily
                # copy's alert says archive's words alone: its server runs on that database)
                missing = archive.ArchiveError("no_database", path=db).said
                say_error(joined(missing, words("backup.no_database", python=_python()), sep="; "))
                return 2
            # a file there is replaced (the same name each day, a stick's last copy): said, with when it was made;
            # only a database, an earlier copy, not config.toml or an archive named by a slip of the keyboard (the
            # daily copy's own file is always one)
            was = target.stat() if target.is_file() else None
            if was is not None and was.st_size and not archive.has_sqlite_header(target):
                raise archive.ArchiveError("backup_not_database", path=target)
            path = archive.backup(db, target)
            say(words("backup.done", path=path, sha=archive.sha256_file(path)))
            if was is not None:
                at = datetime.fromtimestamp(was.st_mtime, settings.office.tz).strftime("%Y-%m-%d %H:%M")
                say(words("backup.replaced", at=at))
        else:
            # Held while the database is replaced and migrated: a server started meanwhile is refused.
            # Never skipped, --force or not: the lock is held by a live server only (the kernel drops
            # it when the process ends), and a database replaced under it had its numbers issued again
            # and its TVs' events go backwards. --force is accepted (the command line of DESIGN.md)
            # and skips nothing: restore has no check but the server's and the backup's own.
            return restore(settings, args.file)
    except archive.ArchiveError as err:
        say_error(err.said)
        return 2
    except serverlock.ServerRunning as err:  # go-live, restore: a server holds the database
        say_error(stop_first(err, args.command, forced=getattr(args, "force", False)))
        return 2
    return 0
