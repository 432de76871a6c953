"""Housekeeping of the maintenance loop and the end of the process: the free disk space, old stored
answers, stopping the workers."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from server.config import ServerSettings
from server.i18n import LANGS, t
from server.store import REQUESTS_KEPT

if TYPE_CHECKING:
    from server.service.unit import UnitOfWork

# Stored answers older than REQUESTS_KEPT (server.store) are dropped by the maintenance loop
# (forget_old_requests) in batches of FORGET_BATCH, then their pages are given back to the disk
# FREE_PAGES_STEP at a time: each batch a write transaction of a few milliseconds.
FORGET_BATCH = 200
FREE_PAGES_STEP = 256  # 1 MB of 4 KB pages


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


class Upkeep:
    """The disk, old answers, stopping."""

    def __init__(self, unit: UnitOfWork):
        self.unit = unit
        self._disk: dict[str, Any] | None = None  # the last look at the free disk space (check_disk)

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

    def check_disk(self) -> dict[str, Any]:
        """Look at the free space of the database's and the data folder's disks (the maintenance loop, every
        30 s); staff pages are told when it is or was below [server] min_free_mb. Nothing is refused for
        it: tickets are issued for as long as SQLite can write."""
        view = disk_view(self.unit.settings.server)
        old, self._disk = self._disk, view
        if view != old and (view["low"] or (old is not None and old["low"])):
            self.unit.hooks.tell_staff("disk", view)
        return view

    def disk_status(self) -> dict[str, Any]:
        """The last look at the free disk space (one now if none yet): the staff state's `disk`."""
        return self._disk or self.check_disk()
