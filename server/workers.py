"""Background work: end-of-day expiry, automatic recall, print jobs, speech. Never inside a request."""

from __future__ import annotations

import logging
import time

from flask import Flask

from server.service.upkeep import damaged
from server.store import DatabaseOverwritten

log = logging.getLogger("antrian.workers")

DISK_SECONDS = 30.0  # how often the free disk space is looked at ([server] min_free_mb)
FORGET_SECONDS = 300.0  # how often old idempotency answers are dropped (QueueService.forget_old_requests)


def _attempt(service, failures: dict[str, int], what: str, task) -> None:
    """Run `task()`; a failure is logged once until it works again (`failures`: how many in a row, by `what`): a
    task that fails every second would otherwise fill the log."""
    try:
        task()
        failures[what] = 0
    except Exception as err:
        failures[what] = failures.get(what, 0) + 1
        if isinstance(err, DatabaseOverwritten) or service.store.written_over():
            pass  # a backup copied into the database file: said once, in one line (Store.check_file)
        elif damaged(err):  # the staff pages' alert, and one line in the log once (Upkeep.database_damaged)
            service.database_damaged(err)
        elif failures[what] == 1:
            log.exception("%s failed (logged once until it works again)", what)


def _every(service, interval: float, step, what: str) -> None:
    """Run `step()` every `interval` seconds until the service stops (_attempt)."""
    failures: dict[str, int] = {}
    while not service.stopping.is_set():
        _attempt(service, failures, what, step)
        service.stopping.wait(interval)


def maintenance_loop(service, interval: float = 1.0) -> None:
    """Expire yesterday's leftovers, run automatic recalls, announce the office opening or closing, free
    counters whose officer left and keep the figures of past days, once a second, forever; look at the
    free disk space every 30 s and drop old idempotency answers every 5 minutes (both at once at start)."""
    due = {"disk": time.monotonic(), "forget": time.monotonic()}
    # Each task on its own: one that fails (an expiry that cannot read a row of an earlier day, every second) is
    # logged once and the others run all the same; in one step, it had stopped the automatic recalls, the office's
    # hours, the release of idle counters and the settings from the command line with it, for as long as it failed.
    tasks = (
        ("the database file", "watch_database_file"),  # deleted or replaced while the server runs: at once
        ("expiry", "expire_old"),
        ("automatic recall", "auto_recall"),
        ("settings from the command line", "reload_settings_if_changed"),
        ("sessions", "check_sessions"),  # an account changed from the command line: its sockets go
        ("the command line's releases", "publish_cli_releases"),  # and the counters it freed go out
        ("the office's hours", "check_office"),  # office_opened / office_closed at the hours' edges
        ("idle counters", "release_idle_counters"),  # no counter page of its officer open for a while
        ("figures", "keep_figures"),  # the dashboard's figures of past days (figure_days), a few days a tick
    )
    failures: dict[str, int] = {}

    def step() -> None:
        now = time.monotonic()
        if now >= due["disk"]:  # first: it matters most when the disk is full and writes fail
            due["disk"] = now + DISK_SECONDS
            _attempt(service, failures, "maintenance: disk", service.check_disk)
        for what, name in tasks:  # looked up each time: server.realtime sets check_sessions after the start
            _attempt(service, failures, f"maintenance: {what}", getattr(service, name))
        if now >= due["forget"]:
            due["forget"] = now + FORGET_SECONDS
            _attempt(service, failures, "maintenance: old answers", service.forget_old_requests)

    _every(service, interval, step, "maintenance")


BACKUP_SECONDS = 60.0  # how often the backup loop asks whether today's copy of the database is made


def backup_loop(service, interval: float = BACKUP_SECONDS) -> None:
    """Today's copy of the database ([server] backup_dir), looked for at start and every minute: in a
    loop of its own, so that a copy of a large database never holds up expiry, recalls or the hours."""
    _every(service, interval, service.daily_backup, "daily backup")


def start_workers(app: Flask) -> None:
    """Start the background tasks of this app on its Socket.IO async mode."""
    socketio = app.extensions["antrian.socketio"]
    service = app.extensions["antrian"]
    tasks = service.tasks  # waited for at a stop (Upkeep.join)
    tasks.append(socketio.start_background_task(maintenance_loop, service))
    tasks.append(socketio.start_background_task(backup_loop, service))
    tasks.append(socketio.start_background_task(service.store.disk_loop, service.stopping))
    announcer = app.extensions["antrian.announcer"]
    tasks.append(socketio.start_background_task(announcer.loop, service.stopping))
    from server.printing import start_print_workers

    start_print_workers(socketio, service)
    if service.settings.escalation.enabled:
        from server.mail import MailWorker

        # a mail refused for good waited for the admin to mend config.toml and restart: this start sends it again
        # (the first start after its refusal; a later one if [escalation], the password or the mail changed)
        again = service.requeue_refused_mails(app.secret_key)
        if again:
            # on the console and in the journal (the server sets no log level: warnings show)
            logging.getLogger("antrian.mail").warning(
                "%d escalation mail(s) the mail server refused: queued again", again
            )
        service.mail_worker = MailWorker(service)
        tasks.append(socketio.start_background_task(service.mail_worker.loop))
