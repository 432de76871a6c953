"""Housekeeping of the maintenance loop and the end of the process: the free disk space, old stored
answers, stopping the workers."""

from __future__ import annotations

import logging
import os
import re
import time
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from server.config import ServerSettings
from server.i18n import LANGS, t
from server.store import REQUESTS_KEPT

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

    pool = ThreadPool(1)
    try:
        return pool.apply(fn, args)
    finally:
        pool.kill()


# Stored answers older than REQUESTS_KEPT (server.store) are dropped by the maintenance loop
# (forget_old_requests) in batches of FORGET_BATCH, then their pages are given back to the disk
# FREE_PAGES_STEP at a time: each batch a write transaction of a few milliseconds.
FORGET_BATCH = 200
FREE_PAGES_STEP = 256  # 1 MB of 4 KB pages
# The figures of past days kept for the dashboard (figure_days, m025) are made FIGURE_DAYS_STEP days per
# tick of the maintenance loop (a few milliseconds each): ten years after the upgrade in about nine minutes,
# then each day once it is over, and a past day again once anything it is made of changed.
FIGURE_DAYS_STEP = 5


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
BACKUP_RETRY_SECONDS = 600.0  # a daily copy that failed (a USB stick not mounted) is tried again this often


def daily_backups(folder: Path) -> list[Path]:
    """The daily copies in `folder` (antrian-YYYY-MM-DD.db), oldest first; [] when it is not there."""
    try:
        names = sorted(p.name for p in folder.iterdir() if BACKUP_NAME.fullmatch(p.name))
    except OSError:
        return []
    return [folder / n for n in names]


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


class Upkeep:
    """The disk, old answers, the daily copy of the database, stopping."""

    def __init__(self, unit: UnitOfWork):
        self.unit = unit
        self._disk: dict[str, Any] | None = None  # the last look at the free disk space (check_disk)
        self._backup_day: str | None = None  # the office day whose copy is made
        self._backup_retry = 0.0  # monotonic time before which a failed copy is not tried again
        self._backup_failed_day: str | None = None  # the day whose failure is logged (once a day)
        self._backup_failed: str | None = None  # why the last try failed (None: it worked, or none yet)
        self._figure_limits: dict[str, int] | None = None  # the standard times the kept figures are made for

    def stop(self) -> None:
        """Ask the background workers to finish (tests, shutdown)."""
        hooks = self.unit.hooks
        hooks.stopping.set()
        for worker in [*hooks.print_workers.values(), hooks.mail_worker]:
            if worker is not None:
                worker.wake.set()
        for close in hooks.closers:
            close()

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

    def check_disk(self) -> dict[str, Any]:
        """Look at the free space of the database's and the data folder's disks (the maintenance loop, every
        30 s), with whether the daily copy of the database failed; staff pages are told when either is or
        was to be said (`message`). Nothing is refused for it: tickets are issued for as long as SQLite
        can write."""
        view = disk_view(self.unit.settings.server)
        view["backup_failed"] = failed = self._backup_failed
        if failed is not None:  # the daily copy of the database failed: said beside a low disk, or alone
            note = {lang: t("upkeep.backup_failed", lang, error=failed) for lang in LANGS}
            low = view["message"]
            view["message"] = note if low is None else {lang: f"{low[lang]} · {note[lang]}" for lang in LANGS}
        old, self._disk = self._disk, view
        if view != old and (view["message"] or (old is not None and old["message"])):
            self.unit.hooks.tell_staff("disk", view)
        return view

    def daily_backup(self) -> Path | None:
        """Today's copy of the database into [server] backup_dir, unless it is there already (the backup
        loop asks every minute); then only the newest backup_keep copies are kept. The copy is SQLite's
        online backup (server.archive.backup: safe while tickets are issued), made in a native thread
        under gevent. A copy that fails (the folder's disk absent or full) is logged once a day and tried
        again every BACKUP_RETRY_SECONDS. Returns the copy made, or None."""
        from server import archive

        server = self.unit.settings.server
        day = self.unit.day()
        if server.backup_keep == 0 or self._backup_day == day or time.monotonic() < self._backup_retry:
            return None
        folder = server.backup_dir
        target = folder / f"antrian-{day}.db"
        try:
            if not target.exists():
                if not folder.is_dir():
                    _check_backup_parent(folder.parent)
                    folder.mkdir(mode=0o700)
                _off_loop(archive.backup, server.database, target)
                log.info("daily backup: %s", target)
            else:
                target = None
            self._backup_day = day
            if self._backup_failed is not None:
                self._backup_failed = None
                self.check_disk()  # the alert goes
        except (archive.ArchiveError, OSError) as err:
            self._backup_retry = time.monotonic() + BACKUP_RETRY_SECONDS
            if self._backup_failed != str(err):
                self._backup_failed = str(err)
                self.check_disk()  # the front office and admin pages say it (or its new reason) at once
            if self._backup_failed_day != day:
                self._backup_failed_day = day
                log.warning(
                    "daily backup into %s failed: %s (tried again every %d min)",
                    folder,
                    err,
                    BACKUP_RETRY_SECONDS // 60,
                )
            return None
        for old in daily_backups(folder)[: -server.backup_keep]:
            with suppress(OSError):
                old.unlink()
        return target

    def disk_status(self) -> dict[str, Any]:
        """The last look at the free disk space (one now if none yet): the staff state's `disk`."""
        return self._disk or self.check_disk()
