"""The office's queue service, one module per concern:

- unit.py      the unit of work (`UnitOfWork.run`: one command, one transaction, then publish), the
               `Outcome` commands answer, the hooks set from outside, the settings in force
- queue.py     queue commands: issue, counter actions, cancel, correct, close, expiry, auto-recall
- views.py     read views: snapshot, ticket status, today's tickets, escalations, history, reports
- accounts.py  counter claims, and staff accounts (the admin API and the command line alike)
- jobs.py      print and mail bookkeeping
- office.py    service hours and settings (applied live, reloaded from the command line's changes)
- upkeep.py    the disk, old stored answers, the daily copy of the database, stopping
- shapes.py    what answers and events carry of a ticket
- survey.py    the satisfaction survey (SKM): the questionnaire, responses, the index, complaints

`QueueService` puts them together behind the one object the app keeps (app.extensions["antrian"]):
its attributes forward to the part that holds them.
"""

from __future__ import annotations

from dataclasses import asdict
from operator import attrgetter
from typing import Any

from server.config import Settings
from server.service.accounts import Accounts, CounterClaims
from server.service.jobs import Jobs
from server.service.office import Office
from server.service.queue import QueueCommands
from server.service.survey import Survey
from server.service.unit import Clock, Kind, Outcome, UnitOfWork, utcnow
from server.service.upkeep import Upkeep
from server.service.views import Views
from server.store import Store

__all__ = ["Clock", "Kind", "Outcome", "QueueService", "UnitOfWork", "utcnow"]


class _Shared:
    """A value kept by a part (`path`: "unit", "unit.hooks"), read and set through the facade."""

    def __init__(self, path: str):
        self.get_part = attrgetter(path)

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        return self if obj is None else getattr(self.get_part(obj), self.name)

    def __set__(self, obj: Any, value: Any) -> None:
        setattr(self.get_part(obj), self.name, value)


class _Method:
    """A part's method (`name`: when the part calls it otherwise), called through the facade."""

    def __init__(self, path: str, name: str | None = None):
        self.get_part = attrgetter(path)
        self.name = name

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = self.name or name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        return self if obj is None else getattr(self.get_part(obj), self.name)


class QueueService:
    """The office's queue: its parts, and their attributes and methods under one name."""

    def __init__(self, settings: Settings, store: Store, clock: Clock = utcnow):
        self.unit = UnitOfWork(settings, store, clock)
        self.office = Office(self.unit)
        self.upkeep = Upkeep(self.unit)
        self.jobs = Jobs(self.unit)
        self.views = Views(self.unit, self.office.office_view, self.upkeep.disk_status)
        self.queue = QueueCommands(self.unit, self.views, self.office, self.jobs)
        self.claims = CounterClaims(self.unit)
        self.accounts = Accounts(self.unit, self.claims)
        self.survey = Survey(self.unit)  # called as service.survey.submit(...), like service.accounts
        with store.write() as tx:
            tx.sync_counters([asdict(c) for c in settings.counters])

    # -- the unit of work and what it keeps ---------------------------------------------
    settings = _Shared("unit")
    store = _Shared("unit")
    clock = _Shared("unit")
    rules = _Shared("unit")
    lock = _Shared("unit")
    run_command = _Method("unit", "run")  # admin.py: one transaction, then publish
    day = _Method("unit")
    counter_name = _Method("unit")
    # -- hooks set by app.py, realtime.py, workers.py -----------------------------------
    publish = _Shared("unit.hooks")
    announcer = _Shared("unit.hooks")
    check_sessions = _Shared("unit.hooks")
    tell_staff = _Shared("unit.hooks")
    tell_displays = _Shared("unit.hooks")
    tell_counter = _Shared("unit.hooks")
    counters_shown = _Shared("unit.hooks")
    print_workers = _Shared("unit.hooks")
    mail_worker = _Shared("unit.hooks")
    stopping = _Shared("unit.hooks")
    closers = _Shared("unit.hooks")
    tasks = _Shared("unit.hooks")
    on_settings = _Shared("unit.hooks")
    # -- queue commands -------------------------------------------------------------------
    issue = _Method("queue")
    counter_action = _Method("queue")
    cancel = _Method("queue")
    close_escalation = _Method("queue")
    reopen_escalation = _Method("queue")
    correct = _Method("queue")
    correct_form = _Method("queue")
    record_lkpp_ticket = _Method("queue")
    expire_old = _Method("queue")
    draft = _Method("queue")
    save_draft = _Method("queue")
    draft_version = _Method("queue")
    auto_recall = _Method("queue")
    # -- read views -----------------------------------------------------------------------
    public_ticket = _Method("views")
    full_ticket = _Method("views")
    ticket_status = _Method("views")
    ticket_status_view = _Method("views")
    snapshot = _Method("views")
    page_config = _Method("views")
    today_tickets = _Method("views")
    today_list = _Method("views")
    history = _Method("views")
    earlier_visits = _Method("views")
    escalations = _Method("views")
    closed_escalations = _Method("views")
    has_tickets = _Method("views")
    form_copy = _Method("views")
    recap_page_rows = _Method("views")
    recap_file = _Method("views")
    recap_filter_names = _Method("views")
    guestbook_page_rows = _Method("views")
    guestbook_file = _Method("views")
    figures = _Method("views")
    # -- counter claims and sessions ------------------------------------------------------
    claim_counter = _Method("claims")
    check_counter = _Method("claims")
    release_counter = _Method("claims")
    release_counters = _Method("claims")
    release_idle_counters = _Method("claims")
    release_ended = _Method("claims")
    publish_cli_releases = _Method("claims")
    held_counters = _Method("claims")
    last_finished = _Method("claims")
    end_sessions = _Method("accounts")
    # -- print and mail -------------------------------------------------------------------
    wake_printer = _Method("jobs")
    reprint = _Method("jobs")
    print_form_copy = _Method("jobs")
    print_results = _Method("jobs")
    print_jobs = _Method("jobs")
    mail_result = _Method("jobs")
    requeue_refused_mails = _Method("jobs")
    resend_mail = _Method("jobs")
    correction_sent = _Method("jobs")
    # -- service hours and settings ---------------------------------------------------------
    office_status = _Method("office")
    check_office = _Method("office")
    apply_settings = _Method("office")
    reload_settings_if_changed = _Method("office")
    # -- upkeep -----------------------------------------------------------------------------
    check_disk = _Method("upkeep")
    watch_database_file = _Method("upkeep")
    clock_behind = _Method("upkeep")
    disk_status = _Method("upkeep")
    forget_old_requests = _Method("upkeep")
    keep_figures = _Method("upkeep")
    daily_backup = _Method("upkeep")
    database_damaged = _Method("upkeep")
    stop = _Method("upkeep")
    join = _Method("upkeep")
