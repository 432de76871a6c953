"""Housekeeping of the maintenance loop and the end of the process: the free disk space, old stored
answers, stopping the workers."""

from __future__ import annotations

import logging
import os
import re
import secrets
import sqlite3
import time
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from server import core
from server.config import ServerSettings
from server.errors import Localized
from server.i18n import LANGS, both, t
from server.store import REQUESTS_KEPT, DatabaseOverwritten
from shared.dates import long_datetime
from shared.runtime import python_command

if TYPE_CHECKING:
    from server.service.unit import UnitOfWork

log = logging.getLogger("antrian.upkeep")


def _off_loop(fn: Any, *args: Any) -> Any:
    """`fn(*args)` in a native thread under gevent (SQLite's backup of a large file takes seconds, with the
    GIL released), so that the event loop serves every screen meanwhile; directly elsewhere."""
    from shared.runtime import on_gevent

    if not on_gevent():
        return fn(*args)
    from gevent.threadpool import ThreadPool

    def call() -> tuple[bool, Any]:
        try:
            return True, fn(*args)
        except Exception as err:  # handed back, raised below: gevent's pool would print its traceback first
            return False, err

    pool = ThreadPool(1)
    try:
        done, value = pool.apply(call)
    finally:
        pool.kill()
    if not done:
        raise value
    return value


# Stored answers older than REQUESTS_KEPT (server.store) are dropped by the maintenance loop
# (forget_old_requests) in batches of FORGET_BATCH, then their pages are given back to the disk
# FREE_PAGES_STEP at a time: each batch a write transaction of a few milliseconds.
FORGET_BATCH = 200
FREE_PAGES_STEP = 256  # 1 MB of 4 KB pages
# The figures of past days kept for the dashboard (figure_days, m025) are made FIGURE_DAYS_STEP days per
# tick of the maintenance loop (a few milliseconds each): ten years after the upgrade in about nine minutes,
# then each day once it is over, and a past day again once anything it is made of changed.
FIGURE_DAYS_STEP = 5
# How far the server's clock may be behind the newest record before the staff pages and the start say so: NTP
# correcting a clock that ran a few minutes fast is no news; a PC booted on a dead CMOS battery's date is
# (docs/operations.md, "Jam PC server").
CLOCK_BEHIND_SECONDS = 600.0


def _existing(folder: Path) -> Path:
    """The folder, or its nearest ancestor that exists (a data folder not made yet is on that disk)."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def disk_view(server: ServerSettings) -> dict[str, Any]:
    """The free space of the disk, among the database's and the data folder's, with the least of it (os.statvfs:
    what this user may still write), and whether it is below min_free_mb, with the alert the front office and
    admin pages show then (Indonesian and English)."""
    least: tuple[int, Path] | None = None
    seen: set[int] = set()
    for folder in (server.database.parent, server.data_dir):
        folder = _existing(folder)
        device = os.stat(folder).st_dev
        if device in seen:  # one disk: named by the database's folder, not by whichever had a byte less
            continue
        seen.add(device)
        st = os.statvfs(folder)
        free = st.f_bavail * st.f_frsize
        if least is None or free < least[0]:
            least = (free, folder)
    free, folder = least
    free_mb = free // 2**20
    low = free_mb < server.min_free_mb
    message = None
    if low:
        message = {lang: t("upkeep.disk_low", lang, free_mb=free_mb, folder=folder) for lang in LANGS}
    return {"low": low, "free_mb": free_mb, "min_free_mb": server.min_free_mb, "path": str(folder), "message": message}


BACKUP_NAME = re.compile(r"antrian-(\d{4}-\d{2}-\d{2})\.db")
# a daily copy of another database, kept aside when today's was made again (UpkeepService.daily_backup)
REPLACED_NAME = re.compile(r"antrian-(\d{4}-\d{2}-\d{2})\.replaced-\d{6}(?:-\d+)?\.db")
BACKUP_RETRY_SECONDS = 600.0  # a daily copy that failed (a USB stick not mounted) is tried again this often
RESCUE_SECONDS = 600  # a database file deleted while the server runs: its data written out again this often
MARKS = 2**31 - 1  # a daily copy's mark: 1 to this (PRAGMA user_version, a signed 32-bit number); 0 is none


def clock_message(behind: dict[str, Any], tz: Any) -> dict[str, str]:
    """The staff pages' and the start's words for a clock behind the newest record (Upkeep.clock_behind), in each
    language: what the server's clock says, the newest record's time, what to do, and whether numbers are issued
    (not while its date is before core.EARLIEST_DAY: QueueCommands.issue)."""
    now = datetime.fromisoformat(behind["now"])
    if behind["newest"] is None:  # before core.EARLIEST_DAY: no record needed to know it is wrong
        return {lang: t("upkeep.clock_wrong", lang, now=long_datetime(now.astimezone(tz), lang)) for lang in LANGS}
    newest = datetime.fromisoformat(behind["newest"])
    key = "upkeep.clock_behind.day" if behind["refusing"] else "upkeep.clock_behind"
    now, newest = now.astimezone(tz), newest.astimezone(tz)
    return {lang: t(key, lang, now=long_datetime(now, lang), newest=long_datetime(newest, lang)) for lang in LANGS}


def damaged(err: BaseException) -> bool:
    """True for SQLite's word that the database is damaged (SQLITE_CORRUPT, "database disk image is
    malformed"; SQLITE_NOTADB, "file is not a database")."""
    name = getattr(err, "sqlite_errorname", "") or ""
    return isinstance(err, sqlite3.DatabaseError) and name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))


def _in(said: Localized, lang: str) -> str:
    return said.en_text if lang == "en" else said.id_text


def _os_said(err: OSError) -> Localized:
    """An OSError of the daily copy as its cause's words in each language, naming the file."""
    from server import archive

    cause = archive.cause_words(err)
    if not isinstance(cause, Localized):  # a cause with no words of its own: as the OS said it
        return Localized(str(err), str(err))
    if err.filename is None:
        return cause
    return both("cli.archive.cannot_write", path=os.fsdecode(err.filename), cause=cause)


def daily_backups(folder: Path) -> list[Path]:
    """The daily copies in `folder` (antrian-YYYY-MM-DD.db), oldest first; [] when it is not there."""
    try:
        names = sorted(p.name for p in folder.iterdir() if BACKUP_NAME.fullmatch(p.name))
    except OSError:
        return []
    return [folder / n for n in names]


def _replaced_before(folder: Path, day: str) -> list[Path]:
    """The daily copies of another database kept aside in `folder` whose day is before `day`."""
    try:
        return [p for p in folder.iterdir() if (m := REPLACED_NAME.fullmatch(p.name)) and m[1] < day]
    except OSError:
        return []


# Where removable disks are mounted, and the table of the PC's mount points: an empty folder there with no
# disk on it is a disk not plugged in.
REMOVABLE_ROOTS = (Path("/media"), Path("/mnt"), Path("/run/media"))
FSTAB = Path("/etc/fstab")


def _mount_points() -> set[Path]:
    """The mount points /etc/fstab names (none when it cannot be read)."""
    try:
        lines = FSTAB.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return set()
    fields = [line.split() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    return {Path(f[1].replace("\\040", " ")) for f in fields if len(f) >= 2}


def _check_backup_parent(parent: Path) -> None:
    """Refuse to make the backup folder where a disk that is not mounted would put it on the PC's own disk:
    the stick's mount point absent (/media/NAME/USB with the stick out), or present and empty without a
    disk on it where disks are mounted (an fstab mount point, /mnt/usb, while the stick is out: the copies
    would go to the PC's disk, then hide under the stick when it is back). An empty folder elsewhere is a
    folder like any other."""
    from server import archive

    if not parent.is_dir():
        raise archive.ArchiveError("parent_missing", path=parent)
    where_disks_go = parent in _mount_points() or any(parent.is_relative_to(root) for root in REMOVABLE_ROOTS)
    if where_disks_go and not os.path.ismount(parent) and not any(parent.iterdir()):
        raise archive.ArchiveError("parent_empty", path=parent)


def _running(task: Any) -> bool:
    """Whether a background task (a gevent greenlet, or a thread) has not ended."""
    return not task.ready() if hasattr(task, "ready") else task.is_alive()


class Upkeep:
    """The disk, old answers, the daily copy of the database, stopping."""

    def __init__(self, unit: UnitOfWork):
        self.unit = unit
        self._disk: dict[str, Any] | None = None  # the last look at the free disk space (check_disk)
        self._backup_day: str | None = None  # the office day whose copy is made
        self._backup_retry = 0.0  # monotonic time before which a failed copy is not tried again
        self._backup_logged: set[tuple[str, str]] = set()  # the (day, cause) failures logged: once each
        self._backup_failed: str | None = None  # why the last try failed (None: it worked, or none yet)
        self._backup_failed_said: Localized | None = None  # the same in Indonesian and English
        self._damaged: bool = False  # SQLite found the database damaged while serving (database_damaged)
        self._figure_limits: dict[str, int] | None = None  # the standard times the kept figures are made for
        self._behind: dict[str, Any] | None = None  # the clock behind the newest record at the last look
        # The database file deleted or replaced while the server runs (Store.file_state): when its data was last
        # written out (monotonic; rescue_database), where, and why that failed (None: it worked).
        self._rescued_at: float | None = None
        self._rescue: dict[str, Any] | None = None
        self._relock: Any = None  # the server's lock taken again on a lock file deleted with the database's folder
        # the office's day turn failed (or worked again): said at once, with the clock as last looked at (no read of
        # the store in the middle of the commands' shared transaction)
        unit.turn_alert = lambda: self.check_disk(look=False)

    def stop(self) -> None:
        """Ask the background workers to finish (tests, shutdown)."""
        hooks = self.unit.hooks
        hooks.stopping.set()
        for worker in [*hooks.print_workers.values(), hooks.mail_worker]:
            if worker is not None:
                worker.wake.set()
        for close in hooks.closers:
            close()

    def join(self, timeout: float) -> list[Any]:
        """After stop(): wait up to `timeout` seconds in all for the background tasks to leave their loops (a
        print or a mail on its way is finished and its result recorded, not written after the database is
        closed, nor sent again at the next start); those still running then."""
        deadline = time.monotonic() + timeout
        for task in self.unit.hooks.tasks:
            task.join(max(0.0, deadline - time.monotonic()))
        return [task for task in self.unit.hooks.tasks if _running(task)]

    def forget_old_requests(self) -> int:
        """Drop the stored answers of request_ids older than REQUESTS_KEPT (~1 KB each, several per visitor:
        most of the database otherwise), then give the database's free pages back to the disk. In short
        write transactions with a yield between them: under gevent this runs on the event loop, and a
        first run after an upgrade may have months of answers to drop. Returns how many were dropped."""
        unit = self.unit
        before = unit.clock() - REQUESTS_KEPT
        dropped = 0
        while not unit.hooks.stopping.is_set():
            with unit.store.write() as tx:
                n = tx.forget_requests(before, FORGET_BATCH)
            dropped += n
            if n < FORGET_BATCH:
                break
            time.sleep(0)  # gevent: let requests in between two batches
        while not unit.hooks.stopping.is_set():
            with unit.store.write() as tx:
                left = tx.free_pages(FREE_PAGES_STEP)
            if not left:
                break
            time.sleep(0)
        return dropped

    def keep_figures(self) -> int:
        """Make the kept figures (figure_days) of up to FIGURE_DAYS_STEP past days that lack them: days
        before today, latest first. Standard times changed since the last look ([sla], live) mark every
        kept day stale first. Returns how many days were made."""
        from server.figures import limits_ms

        unit = self.unit
        limits = limits_ms(unit.settings.sla)
        if limits != self._figure_limits:
            with unit.store.write() as tx:
                tx.restale_figure_days(limits)
            self._figure_limits = limits
        today = unit.day()
        with unit.store.read() as tx:
            if not tx.stale_figure_days(today):
                return 0
        with unit.store.write() as tx:
            return len(tx.keep_figure_days(today, limits, FIGURE_DAYS_STEP))

    def check_disk(self, look: bool = True) -> dict[str, Any]:
        """Look at the free space of the database's and the data folder's disks (the maintenance loop, every
        30 s), with whether the daily copy of the database failed or the office's day turn did (told by the unit
        at once: UnitOfWork.turn_alert); staff pages are told when any is or was to be said (`message`). Nothing
        is refused for it: tickets are issued for as long as SQLite can write. `look`: False to say the server's clock
        as the last look found it (_look_at_clock), without reading the store."""
        view = disk_view(self.unit.settings.server)
        view["backup_failed"] = self._backup_failed
        notes = [view["message"]] if view["message"] else []
        behind = self._look_at_clock() if look else self._behind
        view["clock"] = behind
        if behind is not None:  # the server PC's clock behind the newest record: every recorded time is wrong
            notes.insert(0, behind["message"])
        said = self._backup_failed_said
        if said is not None:  # the daily copy of the database failed: said beside a low disk, or alone
            notes.append({lang: t("upkeep.backup_failed", lang, error=_in(said, lang)) for lang in LANGS})
        turn = self.unit.turn_trouble()
        if turn is not None:  # the office's day turn failed (UnitOfWork._turn): yesterday's leftovers still wait
            notes.append({lang: t("upkeep.day_turn_failed", lang, **turn) for lang in LANGS})
        if self._damaged:  # first: nothing matters more
            notes.insert(0, {lang: t("upkeep.database_damaged", lang) for lang in LANGS})
        gone = self.rescue_database() if look else self._rescue
        view["database_file"] = gone
        if gone is not None:  # the database file deleted or replaced while the server runs: before anything else
            notes.insert(0, gone["message"])
        view["message"] = {lang: " · ".join(n[lang] for n in notes) for lang in LANGS} if notes else None
        old, self._disk = self._disk, view
        if view != old and (view["message"] or (old is not None and old["message"])):
            self.unit.hooks.tell_staff("disk", view)
        return view

    def watch_database_file(self) -> None:
        """Each second (the maintenance loop): whether the database file is still the one opened (one stat); a
        change is looked at, said and its data written out at once (check_disk), not at the next look at the disk
        (30 s) during which a command or the dashboard's report child would have made a new empty database at the
        path."""
        store = self.unit.store
        if store.overwritten is None:  # a backup copied into the file, seen without waiting for a write (Store)
            with suppress(DatabaseOverwritten):
                store.check_file()
            store.check_content()
        state = store.file_state()
        if state != (self._rescue or {}).get("state"):
            self.check_disk()

    def rescue_database(self) -> dict[str, Any] | None:
        """The database file deleted or replaced while the server runs (Store.file_state: an admin tidying up
        the data folder, a backup copied over it by hand): its data, still open here, is written out at once and
        again every RESCUE_SECONDS (Store.rescue: a power cut then loses no more than that), and put back at its
        path when the server stops or by the next start. {state, path, copy, at, error, message ({id, en})} while
        it lasts, else None; logged when it starts and when a write-out fails."""
        store = self.unit.store
        state = store.file_state()
        if state is None:
            self._rescue = self._rescued_at = None
            return None
        if state == "overwritten":  # nothing to write out: what this server had is partly in the file copied over
            if (self._rescue or {}).get("state") != state:
                params = {"path": store.path, "python": python_command()}
                message = {lang: t("upkeep.database_overwritten", lang, **params) for lang in LANGS}
                self._rescue = {"state": state, "path": str(store.path), "copy": None, "at": None, "error": None}
                self._rescue["message"] = message
            return self._rescue
        now = time.monotonic()
        rescue = self._rescue if self._rescue is not None and self._rescue["state"] == state else None
        if rescue is None or self._rescued_at is None or now - self._rescued_at >= RESCUE_SECONDS:
            copy, error = store.rescue_path(state), None
            try:
                self._hold_lock_again(store.path)
                store.rescue()
            except (OSError, sqlite3.Error) as err:
                error = _os_said(err) if isinstance(err, OSError) else Localized(str(err), str(err))
                log.error(
                    "the database file %s was %s while the server runs; its data could not be written to %s: %s",
                    store.path,
                    state,
                    copy,
                    error.en_text,
                )
            else:
                if rescue is None:
                    log.warning(
                        "the database file %s was %s while the server runs; its data is written to %s"
                        " (every %d min, and at the stop)",
                        store.path,
                        state,
                        copy,
                        RESCUE_SECONDS // 60,
                    )
            at = self.unit.clock().astimezone(self.unit.settings.office.tz).strftime("%H.%M")
            if error is not None and rescue is not None and rescue["error"] is None:
                at = rescue["at"]  # the last write-out that worked
            self._rescued_at = now
            key = f"upkeep.database_{state}" + ("_unsaved" if error is not None else "")
            params = {"path": store.path, "copy": copy, "at": at, "minutes": RESCUE_SECONDS // 60}
            message = {lang: t(key, lang, **params, error=_in(error, lang) if error else "") for lang in LANGS}
            self._rescue = {
                "state": state,
                "path": str(store.path),
                "copy": str(copy),
                "at": at,
                "error": error.en_text if error else None,
                "message": message,
            }
        return self._rescue

    def _hold_lock_again(self, database: Path) -> None:
        """The server's lock file deleted with the database's folder (`rm -rf var`): taken again, so that a second
        server, `demo` or `restore` is still refused, and a command does not take the rescued copy (adopt_rescued)
        from under this server."""
        from server import serverlock

        if self._relock is None and not serverlock.lock_path(database).exists():
            try:
                self._relock = serverlock.hold(database)
            except serverlock.ServerRunning:  # another process took it meanwhile: nothing to hold
                log.error("the server lock of %s was taken by another process while this server runs", database)
                return
            serverlock.record_file(self._relock, self.unit.store.identity)

    def clock_behind(self) -> dict[str, Any] | None:
        """Whether the server's clock is more than CLOCK_BEHIND_SECONDS behind the newest record (a ticket issued,
        called or finished, on the newest day with tickets): {now, newest (ISO), day (the server's office day),
        newest_day, refusing (its day is before core.EARLIEST_DAY: no numbers are issued, QueueCommands.issue),
        message ({id, en})}, else None; a date before core.EARLIEST_DAY is behind even with no record ahead of it
        (newest and newest_day None, refusing). A PC booted on a dead CMOS battery's date (2000-01-01, the BIOS's date)
        before NTP set it, or a clock set back by hand: the staff pages say it (the staff state's
        `disk.clock`) and the start prints it, until the clock is right again (docs/operations.md)."""
        unit = self.unit
        now = unit.clock()
        day = unit.day(now)
        with unit.store.read() as tx:
            newest_day, newest = tx.newest_record()
        if newest is None or (datetime.fromisoformat(newest) - now).total_seconds() <= CLOCK_BEHIND_SECONDS:
            if day >= core.EARLIEST_DAY:
                return None
            # wrong whatever the data (none yet, on the day of the install)
            newest_day = newest = None
        behind = {"now": now.isoformat(), "newest": newest, "day": day, "newest_day": newest_day}
        behind["refusing"] = day < core.EARLIEST_DAY  # QueueCommands.issue: no number of a day before any real one
        behind["message"] = clock_message(behind, unit.settings.office.tz)
        return behind

    def _look_at_clock(self) -> dict[str, Any] | None:
        """clock_behind, logged when it starts and when it ends (once each, not at every look)."""
        try:
            behind = self.clock_behind()
        except sqlite3.Error:  # a database that cannot be read is said otherwise (database_damaged, a full disk)
            return self._behind
        was, self._behind = self._behind, behind
        if behind is not None and was is None and behind["newest"] is None:
            log.warning(
                "the server PC's clock (%s) is wrong: its date is before %s, before this version of Antrian existed;"
                " no numbers are issued until its date is right",
                behind["now"],
                core.EARLIEST_DAY,
            )
        elif behind is not None and was is None:
            log.warning(
                "the server PC's clock (%s) is behind the newest record (%s, day %s): check the PC's date and time%s",
                behind["now"],
                behind["newest"],
                behind["newest_day"],
                "; no numbers are issued until its date is right" if behind["refusing"] else "",
            )
        elif behind is None and was is not None:
            log.warning("the server PC's clock is right again (%s)", self.unit.clock().isoformat())
        return behind

    def daily_backup(self) -> Path | None:
        """Today's copy of the database into [server] backup_dir, unless it is there already, made from this
        database (the backup loop asks every minute); then only the newest backup_keep copies are kept. The
        copy is SQLite's online backup (server.archive.backup: safe while tickets are issued), made in a
        native thread under gevent.

        Each copy carries a mark, written in the database just before it is copied (Tx.set_backup_mark):
        today's file whose mark is not the database's (another database's copy: the one replaced by a
        `restore`, or the demo's before `go-live`) is made again; the file there is kept aside as
        antrian-DAY.replaced-HHMMSS.db (never taken for a daily copy): after a restore of an older copy it
        may be the only one of the days between. It ages out as that day's copy would have: once its day is
        older than every daily copy kept (it holds visitors' data as they do). A copy that fails (the folder's disk
        absent, full or read-only) is said on the staff pages in each language, logged as one line once
        a day for each cause, and tried again every BACKUP_RETRY_SECONDS. Returns the copy made, or None."""
        from server import archive

        server = self.unit.settings.server
        day = self.unit.day()
        if server.backup_keep == 0 or self._backup_day == day or time.monotonic() < self._backup_retry:
            return None
        if self.unit.store.file_state() is not None:  # no file to copy: rescue_database writes its data out
            return None
        folder = server.backup_dir
        target = folder / f"antrian-{day}.db"
        try:
            if self._made_from_this_database(target):
                target = None
            else:
                if not folder.is_dir():
                    _check_backup_parent(folder.parent)
                    try:
                        folder.mkdir(mode=0o700)
                    except OSError as err:
                        raise archive.ArchiveError("cannot_write", path=folder, cause=archive.cause_words(err)) from err
                with suppress(sqlite3.OperationalError):  # the database's own disk full: copied with its last mark
                    with self.unit.store.write() as tx:
                        mark = before = tx.backup_mark()
                        while mark == before:  # a new mark for each copy: a restored older copy never matches today's
                            mark = secrets.randbelow(MARKS) + 1
                        tx.set_backup_mark(mark)
                if target.is_file():  # another database's copy (the one a restore replaced, the demo's): kept aside
                    at = self.unit.clock().astimezone(self.unit.settings.office.tz).strftime("%H%M%S")  # as `day`
                    aside = target.with_name(f"antrian-{day}.replaced-{at}.db")
                    n = 1
                    while aside.exists():  # never over another kept aside (it may be the only copy of some days)
                        n += 1
                        aside = target.with_name(f"antrian-{day}.replaced-{at}-{n}.db")
                    os.replace(target, aside)
                    log.warning("daily backup: %s was made from another database, kept as %s", target, aside.name)
                _off_loop(archive.backup, server.database, target)
                log.info("daily backup: %s", target)
            self._backup_day = day
            if self._backup_failed is not None:
                self._backup_failed = self._backup_failed_said = None
                self.check_disk()  # the alert goes
        except (archive.ArchiveError, OSError) as err:
            self._backup_retry = time.monotonic() + BACKUP_RETRY_SECONDS
            said = err.said if isinstance(err, archive.ArchiveError) else _os_said(err)
            if damaged(err.__cause__):  # the copy was damaged because the database is: said first, apart
                self.database_damaged(err.__cause__)
            if self._backup_failed != said.en_text:
                self._backup_failed, self._backup_failed_said = said.en_text, said
                self.check_disk()  # the front office and admin pages say it (or its new reason) at once
            if (day, said.en_text) not in self._backup_logged:  # one line a day for each cause, no traceback
                self._backup_logged = {(d, c) for d, c in self._backup_logged if d == day} | {(day, said.en_text)}
                log.warning(
                    "daily backup into %s failed: %s (tried again every %d min)",
                    folder,
                    said.en_text,
                    BACKUP_RETRY_SECONDS // 60,
                )
            return None
        copies = daily_backups(folder)
        for old in copies[: -server.backup_keep]:
            with suppress(OSError):
                old.unlink()
        kept = copies[-server.backup_keep :]
        if kept and (oldest := BACKUP_NAME.fullmatch(kept[0].name)):
            for aside in _replaced_before(folder, oldest[1]):
                with suppress(OSError):
                    aside.unlink()
        return target

    def _made_from_this_database(self, target: Path) -> bool:
        """True when `target` is there and carries the mark of the database's last daily copy (read from
        the file read-only, off the event loop: the file may be on a slow USB stick)."""
        from server import archive

        if not target.is_file():
            return False
        with self.unit.store.read() as tx:
            mark = tx.backup_mark()
        return mark != 0 and _off_loop(archive.backup_mark, target) == mark

    def database_damaged(self, err: BaseException) -> None:
        """SQLite found the database damaged (SQLITE_CORRUPT: "database disk image is malformed") while
        serving: the front office and admin pages say so until the server stops (a restore needs a stop),
        and the log says it in one line, once, instead of a traceback for every request."""
        if self._damaged or self.unit.store.overwritten is not None:  # a file copied into it: said as that
            return
        self._damaged = True
        log.error(
            "the database %s is damaged (%s): stop the server, then run `repair` or restore a good copy",
            self.unit.store.path,
            err,
        )
        self.check_disk()

    def disk_status(self) -> dict[str, Any]:
        """The last look at the free disk space (one now if none yet): the staff state's `disk`."""
        return self._disk or self.check_disk()
