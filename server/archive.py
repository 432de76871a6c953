"""Keeping records: the monthly archive (SOP step 12's "arsip"), retention, backup and restore.

The shell is server/cli.py; everything here takes a Store or paths and returns what it did.
Backup and restore use SQLite's online backup API, which copies a consistent snapshot even while
the server keeps writing (WAL: readers never block the writer).
"""

from __future__ import annotations

import calendar
import errno
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import zipfile
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from server import reports
from server.core import CALLED, SERVED, SERVING, WAITING, local_day
from server.errors import Localized
from server.forms import parse_day
from server.i18n import both
from server.migrations import migrations, unknown_applied
from server.store import PRIVATE, Store, Tx, create_private

SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file

ANONYMISED = "(dianonimkan)"
IN_PLAY = (WAITING, CALLED, SERVING)  # not finished: no recap row yet (a visitor served past midnight, too)
NAMED_IN_PLAY = 10  # the tickets in play a message names; the rest are counted ("dan 4 lainnya")
MAX_RETENTION_MONTHS = 1200  # a hundred years; past the calendar's year 1, date() itself would fail


class ArchiveError(Exception):
    """An archive, retention, backup or restore request that cannot be done: the catalogue's
    `cli.archive.<key>` with `params` (a Localized one in each text's language). `said` is it in Indonesian
    and English (the command line prints both); str() is the English (the logs, the backup alert)."""

    def __init__(self, key: str, /, **params: object):
        self.said = both(f"cli.archive.{key}", **params)
        super().__init__(self.said.en_text)


def month_range(month: str) -> tuple[str, str]:
    """First and last local day of a YYYY-MM month; ArchiveError when it is not one."""
    first = parse_day(f"{month}-01") if isinstance(month, str) else None  # the one strict date parser
    if first is None:
        raise ArchiveError("month_format", month=repr(month))
    return first.isoformat(), first.replace(day=calendar.monthrange(first.year, first.month)[1]).isoformat()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class MonthArchive:
    """What `make_month_archive` wrote."""

    path: Path
    tickets: int  # the month's tickets in it
    recap_rows: int  # the rows of its recap: the consultations served, and those transferred, then not served
    day_from: str
    day_to: str
    replaced: int | None = None  # the tickets of the archive it replaced (--replace), else None
    # the month's tickets not finished when it was made (`unfinished`): (label, day, status), by day
    in_play: tuple[tuple[str, str, str], ...] = ()
    # of them, the visitors served (resolved, escalated, closed): the recap's rows but for those served, then
    # transferred and never served at the other service (a row each, not served: docs/reports.md)
    served: int = 0


def check_month(month: str, today: str, unfinished: bool = False) -> None:
    """ArchiveError for a month after `today`'s (nothing happened yet), and for `today`'s own month unless
    `unfinished` (its archive would lack the days still to come, and block the whole month's)."""
    day_from, _ = month_range(month)
    if day_from[:7] > today[:7]:
        raise ArchiveError("month_future", month=month, today=today)
    if day_from[:7] == today[:7] and not unfinished:
        raise ArchiveError("month_unfinished", month=month, today=today)


def in_play_said(in_play: tuple[tuple[str, str, str], ...]) -> dict[str, object]:
    """The params of a message naming the tickets in play: `count`, `tickets` ("A-078 (2026-12-31,
    dilayani), …", the first NAMED_IN_PLAY, then "dan 4 lainnya") and `stale`, the clause that those still
    waiting or called expire by themselves once the server runs (empty when none is): an earlier day's."""
    named = [
        both("cli.archive.ticket_in_play", label=label, day=day, status=both(f"status.{status}"))
        for label, day, status in in_play[:NAMED_IN_PLAY]
    ]
    if len(in_play) > NAMED_IN_PLAY:
        named.append(both("cli.archive.more_tickets", count=len(in_play) - NAMED_IN_PLAY))
    tickets = Localized(", ".join(n.id_text for n in named), ", ".join(n.en_text for n in named))
    waits = any(status != SERVING for _, _, status in in_play)
    stale = both("cli.archive.in_play_stale") if waits else ""
    return {"count": len(in_play), "tickets": tickets, "stale": stale}


def named_tickets(document: dict[str, Any]) -> int:
    """The tickets of an archive's JSON whose visitor's name is still there (not anonymised by retention)."""
    return sum(1 for t in document.get("tickets") or () if t.get("name") and t["name"] != ANONYMISED)


def _archived(path: Path) -> dict[str, Any] | None:
    """The JSON document of the archive at `path` (None when it is no archive this code can read)."""
    try:
        with zipfile.ZipFile(path) as zf:
            name = next(n for n in zf.namelist() if n.startswith("antrian-") and n.endswith(".json"))
            document = json.loads(zf.read(name))
    except (OSError, StopIteration, ValueError, zipfile.BadZipFile, KeyError):
        return None
    return document if isinstance(document, dict) else None


def write_month_archive(store: Store, month: str, office_name: str, out_dir: Path, make_parents: bool = True) -> Path:
    """make_month_archive's file, where no archive of that month is yet."""
    return make_month_archive(store, month, office_name, out_dir, make_parents).path


def make_month_archive(
    store: Store,
    month: str,
    office_name: str,
    out_dir: Path,
    make_parents: bool = True,
    replace: bool = False,
    unfinished: bool = False,
    tz: Any = None,
    services: dict[str, str] | None = None,
    counters: dict[int, str] | None = None,
) -> MonthArchive:
    """A ZIP of one month: the recap CSV and XLSX, the guest book (buku tamu: every ticket issued, and what
    became of it) as CSV and XLSX, the tickets with forms and events as JSON (with the month's survey
    responses and complaints, `survey_responses`, what replaced texts, replies and closes they had,
    `complaint_history`, and the questionnaire's wordings they were answered under, `survey_wordings`), and
    SHA256SUMS. The guest book gives each number's time in `tz` (the office's; None: Asia/Jakarta,
    config.toml's default) and its service by `services`' names ({code: name}; None: the codes); the recap
    says where a transferred visitor came from by those and `counters`' names ({id: name}). `out_dir`
    is made when absent; its parents too only with `make_parents` (an --out on a USB stick that is not
    mounted must not land on the PC's disk).

    An archive of the month already there is never overwritten unless `replace`; and never, `replace` or
    not, by one that holds fewer visitors' names (made after `retention` anonymised them: the archive with
    the names is the SOP's record). Every time in the ZIP and its workbook is the month's last day, so an
    archive made again from unchanged data is the same bytes (the same SHA-256).

    A month with tickets still in play (waiting, called or being served: a visitor of the 31st served past
    midnight) is refused unless `unfinished`: their consultations are not recap rows yet, and the archive
    would leave them out saying nothing. With `unfinished` it is made as it is, naming them (`in_play`)."""
    day_from, day_to = month_range(month)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ArchiveError("not_folder", path=out_dir)
    if not make_parents and not out_dir.exists():
        _existing_folder(out_dir.parent)
    path = out_dir / f"arsip-{month}.zip"
    if path.is_dir():  # a folder of the archive's name (an archive unpacked in place): never replaced, --replace or not
        raise ArchiveError("zip_is_folder", path=path)
    if (path.exists() or path.is_symlink()) and not replace:
        raise ArchiveError("exists", path=path, month=month)
    with store.read() as tx:
        recap = list(reports.iter_recap_rows(tx.recap_iter(day_from, day_to), services, counters))
        zone = tz if tz is not None else ZoneInfo("Asia/Jakarta")
        guests = list(reports.iter_guestbook_rows(tx.guestbook_iter(day_from, day_to), zone, services or {}))
        rows = tx.archive_rows(day_from, day_to)
        rows["survey_responses"] = tx.survey_archive_rows(day_from, day_to)
        rows["complaint_history"] = tx.complaint_history_archive_rows(day_from, day_to)
        rows["survey_wordings"] = tx.survey_wording_archive_rows(day_from, day_to)
    # read with the recap, in one transaction: a ticket finished meanwhile is in both or in neither
    in_play = tuple((t["label"], t["day"], t["status"]) for t in rows["tickets"] if t["status"] in IN_PLAY)
    if in_play and not unfinished:
        raise ArchiveError("in_play", month=month, **in_play_said(in_play))
    document = {"office": office_name, "month": month, "from": day_from, "to": day_to, **rows}
    replaced = None
    if path.is_file():  # with `replace`: never by an archive that lost names the file has
        old = _archived(path)
        if old is not None:
            replaced = len(old.get("tickets") or ())
            had, has = named_tickets(old), named_tickets(document)
            if has < had:
                raise ArchiveError("fewer_names", path=path, had=had, has=has)
    json_bytes = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    end = (int(day_to[:4]), int(day_to[5:7]), int(day_to[8:]), 0, 0, 0)  # the month's last day, 00:00
    members = {
        f"rekap-{month}.csv": reports.recap_csv(recap),
        # the same recap as a workbook: Excel set to Indonesian splits CSV on ";", not ","
        f"rekap-{month}.xlsx": reports.recap_xlsx(recap, office_name, day_from, day_to, datetime(*end, tzinfo=UTC)),
        # the guest book of the month: every visitor who took a number, served or not (SOP step 1)
        f"bukutamu-{month}.csv": reports.guestbook_csv(guests),
        f"bukutamu-{month}.xlsx": reports.guestbook_xlsx(
            guests, office_name, day_from, day_to, datetime(*end, tzinfo=UTC)
        ),
        f"antrian-{month}.json": json_bytes,
    }
    sums = "".join(f"{_sha256(data)}  {name}\n" for name, data in members.items())
    members["SHA256SUMS"] = sums.encode("ascii")
    tmp = path.with_suffix(".zip.tmp")
    try:
        out_dir.mkdir(parents=make_parents, exist_ok=True)
        tmp.unlink(missing_ok=True)
        # 0600: the archive holds the month's visitors' names, phones and problems.
        with (
            os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE), "wb") as f,
            zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as zf,
        ):
            for name, data in members.items():
                info = zipfile.ZipInfo(name, date_time=end)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
        os.replace(tmp, path)
    except OSError as err:
        _remove(tmp)
        # the disk full, read-only, …: in each language's words (the OS's strerror is English), else as it came
        cause = cause_words(err)
        raise ArchiveError("cannot_write", path=path, cause=err.strerror or err if cause is err else cause) from err
    except BaseException:
        _remove(tmp)
        raise
    served = sum(t["status"] in SERVED for t in document["tickets"])
    return MonthArchive(path, len(document["tickets"]), len(recap), day_from, day_to, replaced, in_play, served)


def verify_month_archive(path: Path) -> list[str]:
    """The members whose SHA-256 does not match the archive's SHA256SUMS (empty when intact)."""
    with zipfile.ZipFile(path) as zf:
        sums = zf.read("SHA256SUMS").decode("ascii").splitlines()
        bad = []
        for line in sums:
            digest, name = line.split("  ", 1)
            if _sha256(zf.read(name)) != digest:
                bad.append(name)
        return bad


def months_before(day: str, months: int) -> str:
    """The local day `months` months before `day` (the month's last day when it is shorter)."""
    d = date.fromisoformat(day)
    total = d.year * 12 + d.month - 1 - months
    year, mon = divmod(total, 12)
    mon += 1
    return date(year, mon, min(d.day, calendar.monthrange(year, mon)[1])).isoformat()


@dataclass(frozen=True)
class RetentionResult:
    cutoff: str  # tickets of local days before this one were anonymised
    forms: int  # forms changed by this run
    requests: int  # stored idempotency answers dropped
    survey: int = 0  # survey responses whose link to their ticket was cut (the scores stay)
    open_cases: int = 0  # escalations older than the cutoff still open with LKPP: their forms kept until closed


def apply_retention(store: Store, months: int, now: datetime, tz: Any, actor: str = "retention") -> RetentionResult:
    """Replace name, phone and address of tickets older than `months` months with ANONYMISED, and cut the
    link of their survey responses to them (the scores, service, counter and day stay for the index); one
    event. A case still open with LKPP keeps its visitor's name, phone and address until a run after its close."""
    if not 1 <= months <= MAX_RETENTION_MONTHS:
        raise ArchiveError("months_range", max=MAX_RETENTION_MONTHS)
    today = local_day(now, tz)
    cutoff = months_before(today, months)
    cutoff_start = datetime.fromisoformat(cutoff).replace(tzinfo=tz)
    with store.write() as tx:
        forms = tx.anonymise_forms_before(cutoff, ANONYMISED)
        dropped = tx.forget_requests_before(cutoff_start)
        survey = tx.unlink_survey_before(cutoff)
        kept = tx.open_cases_before(cutoff)
        data = {"months": months, "before": cutoff, "forms": forms, "requests": dropped, "survey": survey}
        tx.add_event("retention", now, today, actor=actor, data={**data, "open_cases": kept} if kept else data)
    return RetentionResult(cutoff, forms, dropped, survey, kept)


def _read_only_uri(path: Path) -> str:
    return f"{Path(path).resolve().as_uri()}?mode=ro"  # as_uri escapes a "?" or "#" in the path


def database_damage(path: Path) -> list[str]:
    """What PRAGMA quick_check finds wrong in the database at `path`, read-only (empty: nothing, or it
    could not be read at all: that is said by whoever opens it)."""
    try:
        return _quick_check(path)
    except sqlite3.Error:
        return []


def _quick_check(path: Path, uri: str | None = None) -> list[str]:
    """database_damage (read through `uri` when given), raising the sqlite3.Error of a database that could
    not be read for another cause than damage (locked by another program, a read error)."""
    try:
        with closing(sqlite3.connect(uri or _read_only_uri(path), uri=True, timeout=30.0)) as conn:
            found = [str(r[0]) for r in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as err:
        name = getattr(err, "sqlite_errorname", "") or ""
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            return [str(err)]
        raise
    lines = [line.strip() for text in found for line in text.splitlines()]
    found = [line for line in lines if line and line != "ok" and not line.startswith("*** in database")]
    return found


def backup_mark(path: Path) -> int | None:
    """The mark of the daily copy a database file carries (PRAGMA user_version, server.store's
    set_backup_mark), read-only; None when the file cannot be read as a database."""
    try:
        with closing(sqlite3.connect(_read_only_uri(path), uri=True, timeout=5.0)) as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0]
    except (OSError, sqlite3.Error):
        return None


def _check_database(path: Path) -> None:
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True)
    except sqlite3.Error as err:
        raise ArchiveError("cannot_open", path=path, cause=err) from err
    try:
        ok = conn.execute("PRAGMA quick_check").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as err:
        # a database cut short (a copy broken off, a stick pulled out) still starts with SQLite's header
        raise ArchiveError("damaged" if has_sqlite_header(path) else "not_sqlite", path=path, cause=err) from err
    finally:
        conn.close()
    if ok != "ok":
        raise ArchiveError("damaged", path=path, cause=ok)
    if not {"tickets", "forms", "events"} <= tables:
        raise ArchiveError("not_antrian", path=path)


def has_sqlite_header(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def wal_left_behind(path: Path) -> Path | None:
    """The `-wal` a database file at `path` lacks: a file in WAL mode (byte 18 of its header 2) is a server's own
    database copied as it is (every copy Antrian makes is not in WAL mode), and without its `-wal` beside it the
    changes since its last checkpoint are not in it when its server did not stop cleanly (a crash, a power cut,
    a disk that died). None: not in WAL mode, or its `-wal` is there."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            header = f.read(20)
    except OSError:
        return None
    wal = path.with_name(path.name + "-wal")
    if header[:16] != SQLITE_HEADER or len(header) < 20 or header[18] != 2 or wal.exists():
        return None
    return wal


@dataclass(frozen=True)
class BackupSummary:
    """What a backup holds (inspect_backup), said by `restore` before it is put back."""

    tickets: int
    first_day: str | None  # the local day of its first ticket
    last_day: str | None  # of its last
    newest: datetime | None  # its newest ticket's issue time
    last_change: datetime | None  # its newest event's time: about when the copy was made
    office: str | None  # the office name saved on its admin page (None: config.toml's is used)
    today_labels: list[str]  # the last number of each prefix on `today` (empty: none that day)
    unsent_mails: list[tuple[str, str]]  # its escalation mails queued or retrying: (label, day) of each one's ticket
    newer: list[str]  # the migrations it has that this version does not know (a newer version's)
    pending: list[str]  # the migrations this version adds to it (an older version's; empty: none)


def inspect_backup(path: Path, today: str) -> BackupSummary:
    """Check a backup (ArchiveError when it is no Antrian database or is damaged) and say what it holds,
    reading it only; `today` is the office's local day."""
    path = Path(path)
    _check_database(path)
    with closing(sqlite3.connect(_read_only_uri(path), uri=True)) as conn:
        db = Database(conn)
        newer = unknown_applied(db)
        pending = [m.name for m in migrations.pending(db)] if migrations.applied(db) else []
        facts = Tx(db).backup_summary(today)
    return BackupSummary(
        tickets=facts["tickets"],
        first_day=facts["first_day"],
        last_day=facts["last_day"],
        newest=datetime.fromisoformat(facts["newest"]) if facts["newest"] else None,
        last_change=datetime.fromisoformat(facts["last_change"]) if facts["last_change"] else None,
        office=facts["office"],
        today_labels=facts["today_labels"],
        unsent_mails=facts["unsent_mails"],
        newer=newer,
        pending=pending,
    )


def _is_live(path: Path, database: Path) -> bool:
    """True when `path` (through any link) is the database or a file the server keeps beside it."""
    database = Path(database)
    real = os.path.realpath(path)
    for suffix in ("", "-wal", "-shm", "-journal", ".lock"):
        live = database.with_name(database.name + suffix)
        if os.path.realpath(live) == real:
            return True
        with suppress(OSError):  # either file absent
            if os.path.samefile(path, live):  # a hard link
                return True
    return False


def _existing_folder(folder: Path) -> None:
    """ArchiveError unless `folder` exists and this user can write in it. It is never made: a USB stick's
    mount point with no stick in it is a folder on the PC's own disk, and a copy there is no backup."""
    if not folder.exists():
        raise ArchiveError("no_folder", path=folder)
    if not folder.is_dir():
        raise ArchiveError("not_folder", path=folder)
    if not os.access(folder, os.W_OK | os.X_OK):
        if _read_only_disk(folder):  # a stick mounted read-only (a damaged FAT is remounted so): not the account
            raise ArchiveError("folder_read_only", path=folder)
        raise ArchiveError("folder_not_writable", path=folder)


def _read_only_disk(folder: Path) -> bool:
    """True when `folder`'s file system is mounted read-only."""
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


# Why a copy could not be written, in each language's words (the backup alert of the front office and admin
# pages, Indonesian first): SQLite's result code or the OS's errno. Anything else is said as it came.
_SQLITE_CAUSES = {
    "SQLITE_FULL": "full",
    "SQLITE_READONLY": "read_only",
    "SQLITE_CORRUPT": "damaged_copy",
    "SQLITE_IOERR": "io_error",  # a write the disk refused (a failing stick, a file too large for FAT32)
}
_ERRNO_CAUSES = {
    errno.ENOSPC: "full",
    errno.EDQUOT: "full",
    errno.EROFS: "read_only",
    errno.ENOENT: "no_folder",
    errno.ENOTDIR: "no_folder",
    errno.EACCES: "permission",
    errno.EPERM: "permission",
}


def cause_words(err: BaseException) -> object:
    """`err` (an OSError or an sqlite3.Error) as its cause's words in Indonesian and English (a Localized):
    the disk full, read-only, a folder not there, no permission, a copy damaged; `err` itself otherwise."""
    key = _ERRNO_CAUSES.get(err.errno) if isinstance(err, OSError) else None
    if isinstance(err, sqlite3.Error):
        name = getattr(err, "sqlite_errorname", "") or ""
        key = next((k for code, k in _SQLITE_CAUSES.items() if name.startswith(code)), None)
        if key is None and "disk is full" in str(err):
            key = "full"
    return both(f"cli.archive.cause.{key}") if key else err


def _remove(path: Path) -> None:
    with suppress(OSError):
        path.unlink()


def _sqlite_copy(source: str, target: Path, finish: str, uri: bool = False) -> None:
    """SQLite's online backup API from `source` into `target` (each waiting up to 30 s for a lock), in one
    step under one read snapshot, so writes made meanwhile never restart the copy; then `finish` (a
    PRAGMA) on the target."""
    with (
        closing(sqlite3.connect(source, uri=uri, timeout=30.0)) as src,
        closing(sqlite3.connect(target, timeout=30.0)) as dst,
    ):
        src.execute("PRAGMA busy_timeout = 30000")
        dst.execute("PRAGMA busy_timeout = 30000")
        src.backup(dst, pages=-1)
        dst.execute(finish)


def _copy_database(database: Path, target: Path) -> None:
    """`database` into the new file `target` (0600): one self-contained file, no -wal beside it."""
    create_private(target)  # 0600 before SQLite writes visitors' data and password hashes into it
    _sqlite_copy(str(database), target, "PRAGMA journal_mode = DELETE")


def backup(database: Path, target: Path) -> Path:
    """Copy the live database to the file `target` with SQLite's online backup API (safe while the server
    writes). Its folder must exist; `target` must not be a folder, nor the database or its side files."""
    database, target = Path(database), Path(target)
    if not database.exists():
        raise ArchiveError("no_database", path=database)
    tmp = target.with_name(target.name + ".tmp")
    if _is_live(target, database) or _is_live(tmp, database):
        raise ArchiveError("backup_live", path=target)
    if target.is_dir():
        raise ArchiveError("backup_folder", path=target, example=target / "antrian-DATE.db")
    if target.exists() and not target.is_file():
        raise ArchiveError("not_regular", path=target)  # /dev/null, a pipe: never replaced by a file
    _existing_folder(target.parent)
    try:
        tmp.unlink(missing_ok=True)
        _copy_database(database, tmp)
        try:
            _check_database(tmp)
        except ArchiveError as err:  # the copy is damaged: most often because the database is
            found = database_damage(database)
            if not found:
                raise ArchiveError("backup_failed", path=target, cause=err.said) from err
            from server.store.upkeep import DamagedDatabase

            raise ArchiveError("backup_failed", path=target, cause=both("cli.archive.cause.damaged")) from (
                DamagedDatabase(found)
            )
        os.replace(tmp, target)
    except (OSError, sqlite3.Error) as err:
        _remove(tmp)
        raise ArchiveError("backup_failed", path=target, cause=cause_words(err)) from err
    except BaseException:
        _remove(tmp)
        raise
    return target


def keep_before_restore(database: Path, now: datetime, why: str = "restore") -> Path | None:
    """Copy the database a restore (or `why`: go-live) is about to replace to
    `<database>.before-<why>-YYYYmmdd-HHMMSS` beside it; None when there is none. A damaged one (often why
    one restores) is copied byte for byte."""
    database = Path(database)
    if not database.exists():
        return None
    stem = f"{database.name}.before-{why}-{now:%Y%m%d-%H%M%S}"
    target, n = database.with_name(stem), 1
    while target.exists():
        n += 1
        target = database.with_name(f"{stem}-{n}")
    wal = target.with_name(target.name + "-wal")
    try:
        try:
            _copy_database(database, target)
        except sqlite3.DatabaseError:
            _remove(target)
            for suffix in ("", "-wal"):
                source = database.with_name(database.name + suffix)
                if source.exists():
                    copy = target.with_name(target.name + suffix)
                    create_private(copy)
                    shutil.copyfile(source, copy)
    except (OSError, sqlite3.Error) as err:
        _remove(target)
        _remove(wal)
        raise ArchiveError("no_copy", path=database, why=why, cause=cause_words(err)) from err
    return target


@dataclass(frozen=True)
class GoLive:
    """What `go-live` deletes (or would) and keeps."""

    tickets: int
    first_day: str | None
    last_day: str | None
    survey: int  # survey responses
    accounts: int  # kept
    settings: list[str]  # the admin page's sections, kept
    went_live: dict[str, Any] | None  # the earlier go-live's event, if any


def go_live_summary(store: Store) -> GoLive:
    with store.read() as tx:
        return GoLive(**tx.go_live_counts())


def go_live(store: Store, now: datetime, tz: Any, actor: str = "cli") -> dict[str, int]:
    """Delete the trial queue before the office's first real day: every ticket with its form, calls and
    other events, print jobs, mails, survey responses and complaints, stored answers, and who holds or
    paused each counter. Kept: the accounts, the admin page's settings, the questionnaire's wording, and
    the events of settings and account changes. One `went_live` event (its seq after every earlier one,
    so that an open TV page takes the next calls as new). Refused once the database went live."""
    today = local_day(now, tz)
    with store.write() as tx:
        earlier = tx.last_event("went_live")
        if earlier is not None:
            raise ArchiveError("went_live", day=earlier["day"])
        return tx.clear_queue(now, today, actor)


@dataclass(frozen=True)
class Restored:
    """What `restore` did: the copy of the database it replaced (None when there was none), and what the
    backup it put back holds (as it was before this version brought its schema up to date)."""

    kept: Path | None
    summary: BackupSummary


def restored_numbers(summary: BackupSummary, now: datetime) -> dict[str, Any]:
    """What the front office's page says of a restore (its `restored` event's data): `made`, when the copy was
    made (its newest change, ISO; None: unknown), and `labels`, its last number of each prefix when it is a copy
    of today (`now`'s local day) holding tickets of today: the kiosk gives out again the numbers after them (as
    `restore` warns, cli.restore.today). Empty: today's numbers start again from 1 (an older copy, a copy of
    today made before its first ticket, a copy recording no change)."""
    made = summary.last_change
    same_day = made is not None and made.astimezone(now.tzinfo).date() == now.date()
    return {"made": made.isoformat() if made else None, "labels": list(summary.today_labels) if same_day else []}


def restore(source: Path, database: Path, now: datetime | None = None) -> Restored:
    """Replace the database's content with a backup (checked first, inspect_backup: a newer version's backup
    is refused, nothing replaced), after keeping a copy of the database as it was (keep_before_restore, at
    `now`, whose local day is the office's today). The restored database is brought up to this version's schema and gets a new session
    epoch (a `restored` event): every session signed in before the restore ends, whatever the secret key
    (an account's id in the backup may be another account's in the database replaced).
    Stop the server before calling this: the command line holds the server lock while it works and
    refuses while a server holds it, --force or not (server/serverlock.py; a database replaced under a
    running server had its numbers issued again and its TVs' events go backwards)."""
    source, database = Path(source), Path(database)
    if not source.exists():
        raise ArchiveError("no_file", path=source)
    if source.is_dir():
        raise ArchiveError("restore_folder", path=source)
    if not source.is_file():
        raise ArchiveError("not_regular", path=source)
    if _is_live(source, database):
        raise ArchiveError("restore_live", path=source)
    now = now or datetime.now()
    summary = inspect_backup(source, now.date().isoformat())
    if summary.newer:  # this version would refuse it once put back: nothing is replaced
        raise ArchiveError("restore_newer", path=source, names=", ".join(summary.newer))
    database.parent.mkdir(parents=True, exist_ok=True)
    kept = keep_before_restore(database, now)
    try:
        create_private(database)
        _sqlite_copy(_read_only_uri(source), database, "PRAGMA wal_checkpoint(TRUNCATE)", uri=True)
    except (OSError, sqlite3.Error) as err:
        cause = cause_words(err)  # the disk full, read-only, …: in each language's words
        if kept:
            raise ArchiveError("restore_failed_kept", path=source, cause=cause, kept=kept) from err
        raise ArchiveError("restore_failed", path=source, cause=cause) from err
    store = Store(database)  # an older version's backup: its schema brought up to date (a copy kept first)
    try:
        with store.write() as tx:
            data = {"epoch": secrets.token_urlsafe(16), "file": str(source), "kept": str(kept) if kept else None}
            data.update(restored_numbers(summary, now))
            tx.add_event("restored", now, now.date().isoformat(), actor="cli", data=data)
    finally:
        store.close()
    return Restored(kept, summary)


SIDE_FILES = ("-wal", "-shm", "-journal")  # what SQLite keeps beside a database: it belongs to that file alone


@dataclass(frozen=True)
class Repaired:
    """What `repair` did: what PRAGMA quick_check found wrong (empty: nothing, and nothing was changed), the
    damaged database kept beside the salvaged one (with its -wal and -shm), and what the salvaged one holds."""

    found: list[str]
    kept: Path | None = None
    summary: BackupSummary | None = None


def repair(database: Path, now: datetime) -> Repaired:
    """Salvage a database damaged inside: most often the damage is in an index (junk over one of its pages),
    and every row of every table can still be read. They are written into a new file beside it, read through
    the -wal (the changes not yet copied into the file are kept): by SQLite's VACUUM INTO, or, when it stops
    at a damaged index (it copies each index's pages as they are), table by table with every index built
    anew (_rebuild_into). The new file is checked (PRAGMA quick_check "ok", Antrian's tables, its migrations
    recorded, the store opens it), then the damaged file is kept as `<database>.damaged-YYYYmmdd-HHMMSS` (at
    `now`, the office's local time), with its -wal and -shm, and the salvaged one takes its place with one
    rename. Returns what quick_check found: nothing, and the database is left as it is.

    A table's own pages damaged: its rows past them cannot be read, and Python's sqlite3 has no simple other
    way (the sqlite3 shell's `.recover` is not in it): ArchiveError `repair_failed`, nothing changed; the way
    back is then the newest good copy (`restore`). Stop the server first: the command line holds the server
    lock while this works (server/serverlock.py)."""
    database = Path(database)
    if not database.is_file():
        raise ArchiveError("no_database", path=database)
    source = _read_only_uri(database)
    wal = database.with_name(database.name + "-wal")
    if not (wal.exists() and wal.stat().st_size):
        source += "&immutable=1"  # no changes in a -wal to read: none made (nor a -shm), nothing changed
    try:
        found = _quick_check(database, source)
    except sqlite3.Error as err:
        raise ArchiveError("repair_failed", path=database, cause=cause_words(err)) from err
    if not found:
        return Repaired([])
    stamp = f"{now:%Y%m%d-%H%M%S}"
    tmp = database.with_name(f"{database.name}.repaired-{stamp}.tmp")
    try:
        for suffix in ("", *SIDE_FILES):
            _remove(tmp.with_name(tmp.name + suffix))  # an earlier try's, broken off
        create_private(tmp)  # 0600 before SQLite writes visitors' data into it (VACUUM INTO takes an empty file)
        try:
            with closing(sqlite3.connect(source, uri=True, timeout=30.0)) as src:
                src.execute("VACUUM INTO ?", [str(tmp)])  # SQLite's own copy: every table, every index as it is
        except sqlite3.DatabaseError as err:
            if not (getattr(err, "sqlite_errorname", "") or "").startswith("SQLITE_CORRUPT"):
                raise
            for suffix in ("", *SIDE_FILES):
                _remove(tmp.with_name(tmp.name + suffix))
            create_private(tmp)
            _rebuild_into(source, tmp)  # an index's pages damaged: VACUUM INTO copies them, and stops there
        summary = _salvaged(tmp, now)
        kept = _put_in_place(database, tmp, stamp)
    except BaseException as err:
        for suffix in ("", *SIDE_FILES):
            _remove(tmp.with_name(tmp.name + suffix))
        if isinstance(err, ArchiveError):
            raise ArchiveError("repair_failed", path=database, cause=err.said) from err
        if isinstance(err, OSError | sqlite3.Error):  # NewerDatabase says itself in both languages
            damaged = (getattr(err, "sqlite_errorname", "") or "").startswith("SQLITE_CORRUPT")
            cause = getattr(err, "said", None) or (err if damaged else cause_words(err))  # not "the copy is"
            raise ArchiveError("repair_failed", path=database, cause=cause) from err
        raise
    return Repaired(found, kept, summary)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _rebuild_into(source: str, target: Path) -> None:
    """The database at the URI `source` into the new empty file `target`, without reading its indexes: each
    table made and its rows copied, then its indexes (built anew from those rows), triggers and views made
    as its schema says (sqlite_master), with its page size, auto_vacuum, AUTOINCREMENT counters, user_version
    (the daily copy's mark) and application_id. VACUUM INTO copies each index's pages as they are, and so
    stops at a damaged one."""
    with closing(sqlite3.connect(str(target), uri=True, isolation_level=None, timeout=30.0)) as dst:
        dst.execute("ATTACH DATABASE ? AS old", [source])
        for pragma in ("page_size", "auto_vacuum"):  # before the first table
            dst.execute(f"PRAGMA main.{pragma} = {int(dst.execute(f'PRAGMA old.{pragma}').fetchone()[0])}")
        schema = dst.execute("SELECT type, name, sql FROM old.sqlite_master WHERE sql IS NOT NULL").fetchall()
        tables = [name for kind, name, _ in schema if kind == "table" and not name.startswith("sqlite_")]
        dst.execute("BEGIN")
        for kind, name, sql in schema:
            if kind == "table" and name in tables:
                dst.execute(sql)
        for name in tables:  # a whole table read in its own order: no index of it is read
            dst.execute(f"INSERT INTO main.{_quoted(name)} SELECT * FROM old.{_quoted(name)}")
        if any(name == "sqlite_sequence" for _, name, _ in schema):
            dst.execute("DELETE FROM main.sqlite_sequence")
            dst.execute("INSERT INTO main.sqlite_sequence SELECT * FROM old.sqlite_sequence")
        for kind in ("index", "view", "trigger"):  # triggers last: none fired by the copy
            for each, _, sql in schema:
                if each == kind:
                    dst.execute(sql)
        for pragma in ("user_version", "application_id"):
            dst.execute(f"PRAGMA main.{pragma} = {int(dst.execute(f'PRAGMA old.{pragma}').fetchone()[0])}")
        dst.execute("COMMIT")
        dst.execute("DETACH DATABASE old")


def _salvaged(path: Path, now: datetime) -> BackupSummary:
    """Check the salvaged file at `path` as a backup is checked (quick_check "ok", Antrian's tables) and
    say what it holds; ArchiveError when its migrations are not recorded (the store would build the schema
    again over its tables). The store opens it, as the server will, unless this version has schema changes
    for it (an older version's: the server's start makes them, keeping its copy from before)."""
    summary = inspect_backup(path, now.date().isoformat())
    with closing(sqlite3.connect(_read_only_uri(path), uri=True)) as conn:
        if not migrations.applied(Database(conn)):
            raise ArchiveError("not_antrian", path=path)
    if not summary.pending:
        Store(path).close()  # NewerDatabase for a newer version's
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file: its -wal emptied into it
    return summary


def _put_in_place(database: Path, salvaged: Path, stamp: str) -> Path:
    """Keep the damaged `database` (and its -wal, -shm) as `<database>.damaged-<stamp>`, and rename the
    `salvaged` file over the database. A -wal left beside the new file would be replayed into it (it is the
    damaged file's), so it goes aside first. Anything failing: put back as it was, and raised."""
    kept = database.with_name(f"{database.name}.damaged-{stamp}")
    n = 1
    while any(kept.with_name(kept.name + suffix).exists() for suffix in ("", *SIDE_FILES)):
        n += 1
        kept = database.with_name(f"{database.name}.damaged-{stamp}-{n}")
    fd = os.open(salvaged, os.O_RDONLY)
    try:
        os.fsync(fd)  # on the disk before its name is the database's
    finally:
        os.close(fd)
    try:
        os.link(database, kept)  # the damaged file under its second name: the database's stays until replaced
    except OSError:
        shutil.copy2(database, kept)  # a file system without hard links
    moved: list[str] = []
    try:
        for suffix in SIDE_FILES:
            side = database.with_name(database.name + suffix)
            if side.exists():
                os.replace(side, kept.with_name(kept.name + suffix))
                moved.append(suffix)
        os.replace(salvaged, database)
    except BaseException:
        for suffix in moved:
            os.replace(kept.with_name(kept.name + suffix), database.with_name(database.name + suffix))
        _remove(kept)
        raise
    with suppress(OSError):  # the renames on the disk too
        fd = os.open(database.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return kept


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
