"""The office's state over time: its service hours (open, closed, the next opening) and the settings in
force (an admin's change applied live, or one the command line stored)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from server.config import Settings, effective_settings, file_settings
from server.errors import Localized, QueueError
from server.i18n import LANGS, t
from server.service.unit import Outcome, rules_of
from server.store import Tx

if TYPE_CHECKING:
    from server.service.unit import UnitOfWork


class Office:
    """Service hours and settings."""

    def __init__(self, unit: UnitOfWork):
        self.unit = unit
        self._office_cache: tuple[Any, datetime, Any] | None = None  # (hours, computed at, status)
        self._office_seen: tuple[Any, Any] | None = None  # ([hours], the status) at the last look (check_office)
        self._overrides_seen: dict[str, Any] | None = None
        self._changes_seen = 0  # the newest settings_changed event's seq at the last look (reload_settings_if_changed)

    # -- service hours -------------------------------------------------------------------
    def office_status(self, now: datetime | None = None):
        """Whether numbers are issued now ([hours]), until when, and the next opening (server.hours),
        worked out again only when it can have changed (or the settings did)."""
        from server import hours

        settings = self.unit.settings
        now = now or self.unit.clock()
        cached = self._office_cache
        if cached is not None and cached[0] is settings.hours and cached[1] <= now:
            change = cached[2].changes_at()
            if change is None or now < change:
                return cached[2]
        status = hours.status(settings.hours, now, settings.office.tz)
        self._office_cache = (settings.hours, now, status)
        return status

    def office_view(self, now: datetime | None = None) -> dict[str, Any]:
        """The snapshot's `office` {open, next_opening, closes_at}."""
        return self.office_status(now).view()

    def check_open(self, now: datetime) -> None:
        """Refuse a kiosk's number outside the service hours, naming the next opening."""
        from server.hours import when

        status = self.office_status(now)
        if status.open:
            return
        at, tz = status.next_opening, self.unit.settings.office.tz
        if at is None:
            opening = Localized(*(" " + t("hours.no_reopening", lang) for lang in LANGS))
        else:
            opening = Localized(*(" " + t("hours.reopens", lang, when=when(at, tz, lang)) for lang in LANGS))
        raise QueueError("office_closed", opening=opening)

    def check_office(self) -> bool:
        """Publish `office_opened` / `office_closed` when the office opened or closed since the last look
        (the maintenance loop, every second), so kiosks switch without a reload. The first look after a
        start only notes the state (screens take it from their snapshot). True when an event went out.

        A clock stepped past two edges between two looks (NTP setting right a server PC hours behind or ahead,
        the screens connected all along) finds the state it left, with another opening or close: its event goes
        out again with the new times. The TV said "Buka kembali pukul 10.00" all evening, an opening hours past,
        and the kiosk and the front office the same, until midnight. New [hours] of an admin's are not told here
        (their `settings_changed` is)."""
        hours = self.unit.settings.hours
        status = self.office_status()
        seen, self._office_seen = self._office_seen, (hours, status)
        if seen is None or status == seen[1]:
            return False
        if status.open == seen[1].open and hours != seen[0]:
            return False

        def run(tx: Tx, now: datetime) -> Outcome:
            kind = "office_opened" if status.open else "office_closed"
            tx.add_event(kind, now, self.unit.day(now), None, None, "system", status.view())
            return Outcome()

        self.unit.run(None, run)
        return True

    # -- settings ------------------------------------------------------------------------
    def apply_settings(self, settings: Settings) -> None:
        """Swap in changed settings (admin), for this service and whoever subscribed."""
        self.unit.settings = settings
        self.unit.rules = rules_of(settings)
        for listener in self.unit.hooks.on_settings:
            listener(settings)

    def reload_settings_if_changed(self) -> bool:
        """Apply settings another process (the command line) changed; True when something changed.

        The change goes out as a `settings_changed` event of this server's own, committed with the new
        settings in force, for each section the command line changed (its actor, its `data`, and
        `data.applies`: the seq of its row): a fresh seq, so that every page takes it whatever was committed
        between the command line's change and this look (a ticket issued in that second, or a snapshot taken
        then with the old settings), where the command line's own row, below what they show, was dropped.
        """
        unit = self.unit
        with unit.store.read() as tx:
            overrides = tx.settings_overrides()
            last = tx.last_event("settings_changed")
        newest = last["seq"] if last is not None else 0
        seen, self._overrides_seen = self._overrides_seen, overrides
        before, self._changes_seen = self._changes_seen, newest
        if seen is None or overrides == seen:  # the first look, or nothing new
            return False
        # none left (the last one reset, or saved back to config.toml's values): the file's alone again
        new = effective_settings(unit.settings, overrides) if overrides else file_settings(unit.settings)
        if new == unit.settings:
            return False
        old = unit.settings

        def run(tx: Tx, now: datetime) -> Outcome:
            rows = tx.settings_changes(before, newest)
            # the command line's (an admin's change on this server in the same second was published already)
            rows = [r for r in rows if r["actor"] == "cli"] or rows[-1:]
            latest = {r["data"].get("section"): r for r in rows}  # one event a section, its newest change
            day = unit.day(now)
            for r in sorted(latest.values(), key=lambda r: r["seq"]):
                tx.add_event("settings_changed", now, day, None, None, r["actor"], {**r["data"], "applies": r["seq"]})
            if not rows:  # a change with no row (the database edited by hand): the pages re-read all the same
                tx.add_event("settings_changed", now, day, None, None, "system", {})
            self.apply_settings(new)  # before the COMMIT: the event's clients re-read the new state
            return Outcome()

        try:
            unit.run(None, run, alone=True)
        except BaseException:  # not committed: the old settings, and the next look tries again
            if unit.settings is not old:
                self.apply_settings(old)
            self._overrides_seen, self._changes_seen = seen, before
            raise
        return True
