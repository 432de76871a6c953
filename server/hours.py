"""Service hours: is the office issuing numbers now, until when, and when does it open next.

Plain Python (no Flask, no SQL, no clock of its own). "Open" means the kiosk issues numbers: inside one
of the day's ranges, not within `last_ticket_minutes` of that range's end, and not on a holiday.
Tickets already waiting are not affected: they stay callable until the end of the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from server.config import HoursSettings
from server.i18n import t
from shared.dates import day_names, month_names

# How far ahead the next opening is looked for (a year of holidays and closed weekdays, and a week more).
LOOK_AHEAD_DAYS = 373


@dataclass(frozen=True)
class OfficeStatus:
    """Whether numbers are issued at an instant; `closes_at` (when open) is when issuing stops, and
    `next_opening` (when closed) when it starts again (None: never within a year, or no [hours])."""

    open: bool
    closes_at: datetime | None = None
    next_opening: datetime | None = None

    def changes_at(self) -> datetime | None:
        """The next instant the status can change (None: not within the look-ahead)."""
        return self.closes_at if self.open else self.next_opening

    def view(self) -> dict[str, object]:
        """As the public snapshot carries it (ISO 8601, UTC)."""
        iso = lambda v: v.astimezone(UTC).isoformat() if v else None  # noqa: E731
        return {"open": self.open, "next_opening": iso(self.next_opening), "closes_at": iso(self.closes_at)}


ALWAYS_OPEN = OfficeStatus(open=True)


def windows(hours: HoursSettings, day: date, tz: tzinfo) -> list[tuple[datetime, datetime]]:
    """The day's issuing windows [start, end): each range shortened by last_ticket_minutes; none on a holiday."""
    if day.isoformat() in hours.holidays:
        return []
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    out = []
    for start, end in hours.days[day.weekday()]:
        end -= hours.last_ticket_minutes
        if end > start:
            out.append((midnight + timedelta(minutes=start), midnight + timedelta(minutes=end)))
    return out


def status(hours: HoursSettings, now: datetime, tz: tzinfo) -> OfficeStatus:
    """The office's status at the aware instant `now`."""
    if not hours.enabled:
        return ALWAYS_OPEN
    local = now.astimezone(tz)
    today = local.date()
    for offset in range(LOOK_AHEAD_DAYS):
        day = today + timedelta(days=offset)
        for start, end in windows(hours, day, tz):
            if end <= local:
                continue
            if start <= local:
                return OfficeStatus(open=True, closes_at=_close(hours, end, tz))
            return OfficeStatus(open=False, next_opening=start)
    return OfficeStatus(open=False)


def service_end(hours: HoursSettings, now: datetime, tz: tzinfo) -> datetime | None:
    """The end of the day's range the aware instant `now` is in (the service's close, `last_ticket_minutes` after
    the kiosk stops issuing), or None outside every range, on a holiday, or without [hours]. Within those last
    minutes the office is closed to the kiosk while its counters still serve: the front office says until when."""
    local, ranges = _todays_ranges(hours, now, tz)
    for start, end in ranges:
        if start <= local < end:
            return end
    return None


def day_over(hours: HoursSettings, now: datetime, tz: tzinfo) -> str | None:
    """Whether the office's service is over for the rest of the local day of the aware instant `now`: "closed" (no
    service hours that day: a holiday, or a weekday without ranges), "ended" (its last range has ended); None while one
    of its ranges is running or still to come (before the opening, a break between two ranges), or without [hours].
    The wait a visitor is told says so when no officer is at work either (Views.ticket_status_view `no_service`)."""
    if not hours.enabled:
        return None
    local, ranges = _todays_ranges(hours, now, tz)
    if not ranges:
        return "closed"
    return None if any(local < end for _, end in ranges) else "ended"


def day_over_at(hours: HoursSettings, now: datetime, tz: tzinfo) -> datetime | None:
    """When day_over turns "ended" for the local day of the aware instant `now`: the end of that day's last range,
    while it is still to come; None once it has passed, on a day without ranges (a holiday, a closed weekday: "closed"
    all day), or without [hours]. No event marks it (office_closed is the kiosk's stop, `last_ticket_minutes` before
    it): a waiting visitor's phone is told it (the status view's `service_ends_in_s`) and reads its ticket again then;
    the front office reads its list at every range's end (next_range_end), this one's too."""
    local, ranges = _todays_ranges(hours, now, tz)
    if not ranges:
        return None
    end = max(e for _, e in ranges)
    return end if local < end else None


def next_range_end(hours: HoursSettings, now: datetime, tz: tzinfo) -> datetime | None:
    """The next end of one of the [hours] ranges of the local day of the aware instant `now`: the end of the range now
    in, or, before the opening and in a break, of the next one (a lunch break's start, the day's end); None once the
    day's last range has ended, on a day without ranges, or without [hours]. No event marks a range's end either
    (office_closed is the kiosk's stop, `last_ticket_minutes` before it, and office_opened the next range's start):
    the front office reads its list again then (GET /api/tickets' `office.range_ends_in_s`), its hours line said
    "layanan tutup 11.30" for up to a minute into the break. The day's last one is day_over_at's."""
    local, ranges = _todays_ranges(hours, now, tz)
    return min((end for _, end in ranges if end > local), default=None)


def _todays_ranges(hours: HoursSettings, now: datetime, tz: tzinfo) -> tuple[datetime, list[tuple[datetime, datetime]]]:
    """The aware instant `now` in the office's zone, and the [hours] ranges of its local day as aware start and end
    instants: none on a holiday, a weekday without ranges, or without [hours]."""
    local = now.astimezone(tz)
    if not hours.enabled or local.date().isoformat() in hours.holidays:
        return local, []
    midnight = datetime.combine(local.date(), time(0), tzinfo=tz)
    return local, [
        (midnight + timedelta(minutes=a), midnight + timedelta(minutes=b)) for a, b in hours.days[local.weekday()]
    ]


def _close(hours: HoursSettings, end: datetime, tz: tzinfo) -> datetime:
    """When issuing really stops: a window that ends where the next begins (24:00 and the next day's
    00:00) goes on into it, for a week at most."""
    for _ in range(8 * 4):
        following = [w for w in windows(hours, end.date(), tz) if w[0] == end]
        if not following:
            return end
        end = following[0][1]
    return end


def when(at: datetime, tz: tzinfo, lang: str = "id") -> str:
    """An opening as people read it (`hours.when`): "Senin, 8 Desember 2026 pukul 08.00 WIB",
    "Monday, 8 December 2026 at 08:00 WIB"."""
    d = at.astimezone(tz)
    return t(
        "hours.when",
        lang,
        weekday=day_names(lang)[d.weekday()],
        day=d.day,
        month=month_names(lang)[d.month - 1],
        year=d.year,
        hour=f"{d:%H}",
        minute=f"{d:%M}",
        zone=d.tzname(),
    )


def when_id(at: datetime, tz: tzinfo) -> str:
    """ "Senin, 8 Desember 2026 pukul 08.00 WIB" """
    return when(at, tz, "id")


def when_en(at: datetime, tz: tzinfo) -> str:
    """ "Monday, 8 December 2026 at 08:00 WIB" """
    return when(at, tz, "en")
