"""Keeping records: the monthly archive (SOP step 12's "arsip"), retention, backup and restore.

The shell is server/cli.py; everything here takes a Store or paths and returns what it did.
Backup and restore use SQLite's online backup API, which copies a consistent snapshot even while
the server keeps writing (WAL: readers never block the writer).
"""

from __future__ import annotations

import calendar
import hashlib
import json
import os
import sqlite3
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from server import reports
from server.core import local_day
from server.forms import parse_day
from server.store import PRIVATE, Store, create_private

ANONYMISED = "(dianonimkan)"
MAX_RETENTION_MONTHS = 1200  # a hundred years; past the calendar's year 1, date() itself would fail


class ArchiveError(Exception):
    """An archive, retention, backup or restore request that cannot be done; the message says why."""


def month_range(month: str) -> tuple[str, str]:
    """First and last local day of a YYYY-MM month; ArchiveError when it is not one."""
    first = parse_day(f"{month}-01") if isinstance(month, str) else None  # the one strict date parser
    if first is None:
        raise ArchiveError(f"--month must be YYYY-MM, not {month!r}")
    return first.isoformat(), first.replace(day=calendar.monthrange(first.year, first.month)[1]).isoformat()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_month_archive(store: Store, month: str, office_name: str, out_dir: Path) -> Path:
    """A ZIP of one month: the recap CSV, the tickets with forms and events as JSON (with the month's survey
    responses and complaints, `survey_responses`), and SHA256SUMS."""
    day_from, day_to = month_range(month)
    with store.read() as tx:
        csv_bytes = reports.recap_csv(reports.iter_recap_rows(tx.recap_iter(day_from, day_to)))
        rows = tx.archive_rows(day_from, day_to)
        rows["survey_responses"] = tx.survey_archive_rows(day_from, day_to)
    document = {"office": office_name, "month": month, "from": day_from, "to": day_to, **rows}
    json_bytes = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    members = {f"rekap-{month}.csv": csv_bytes, f"antrian-{month}.json": json_bytes}
    sums = "".join(f"{_sha256(data)}  {name}\n" for name, data in members.items())
    members["SHA256SUMS"] = sums.encode("ascii")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"arsip-{month}.zip"
    tmp = path.with_suffix(".zip.tmp")
    tmp.unlink(missing_ok=True)
    # 0600: the archive holds the month's visitors' names, phones and problems.
    with (
        os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE), "wb") as f,
        zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as zf,
    ):
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(int(day_to[:4]), int(day_to[5:7]), int(day_to[8:]), 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    os.replace(tmp, path)
    return path


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


def apply_retention(store: Store, months: int, now: datetime, tz: Any, actor: str = "retention") -> RetentionResult:
    """Replace name, phone and address of tickets older than `months` months with ANONYMISED, and cut the
    link of their survey responses to them (the scores, service, counter and day stay for the index); one
    event."""
    if not 1 <= months <= MAX_RETENTION_MONTHS:
        raise ArchiveError(f"--months must be 1-{MAX_RETENTION_MONTHS}")
    today = local_day(now, tz)
    cutoff = months_before(today, months)
    cutoff_start = datetime.fromisoformat(cutoff).replace(tzinfo=tz)
    with store.write() as tx:
        forms = tx.anonymise_forms_before(cutoff, ANONYMISED)
        dropped = tx.forget_requests_before(cutoff_start)
        survey = tx.unlink_survey_before(cutoff)
        tx.add_event(
            "retention",
            now,
            today,
            actor=actor,
            data={"months": months, "before": cutoff, "forms": forms, "requests": dropped, "survey": survey},
        )
    return RetentionResult(cutoff, forms, dropped, survey)


def _check_database(path: Path) -> None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        ok = conn.execute("PRAGMA quick_check").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as err:
        raise ArchiveError(f"{path}: not an SQLite database ({err})") from err
    finally:
        conn.close()
    if ok != "ok":
        raise ArchiveError(f"{path}: damaged ({ok})")
    if not {"tickets", "forms", "events"} <= tables:
        raise ArchiveError(f"{path}: not an Antrian database")


def backup(database: Path, target: Path) -> Path:
    """Copy the live database to `target` with SQLite's online backup API (safe while the server writes)."""
    if not Path(database).exists():
        raise ArchiveError(f"{database}: no database")
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(database, timeout=30.0)
    create_private(tmp)  # 0600 before SQLite writes visitors' data and password hashes into it
    dst = sqlite3.connect(tmp)
    try:
        src.execute("PRAGMA busy_timeout = 30000")
        # pages=-1: one step under one read snapshot, so writes made meanwhile never restart the copy.
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()
    _check_database(tmp)
    os.replace(tmp, target)
    return target


def restore(source: Path, database: Path) -> None:
    """Replace the database's content with a backup (checked first). Stop the server before calling this
    (the command line checks the server lock, server/serverlock.py)."""
    source = Path(source)
    if not source.exists():
        raise ArchiveError(f"{source}: no such file")
    _check_database(source)
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    create_private(database)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(database, timeout=30.0)
    try:
        dst.execute("PRAGMA busy_timeout = 30000")
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        dst.close()
        src.close()


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
