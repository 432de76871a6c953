"""Service-time figures against the SOP's standard times (Mutu Baku: Waktu, config [sla]).

Six measures per ticket, in milliseconds, in the SOP's order:

- form: the visitor's time over the form at the kiosk (SOP steps 2-6), from the first tap that leaves
  its welcome screen to the number, as the kiosk timed it (form_seconds, whole seconds), against
  form_minutes (5). A ticket without it (registered by the front office, or issued before the kiosk
  sent it) is not measured: `unmeasured` counts them;
- waiting: issued (created_at) to the first call (first_called_at), against waiting_minutes; a ticket
  never called (cancelled first, expired still waiting, or waiting now) is not measured: `unmeasured`;
- response: first call to the start of service (first_started_at), no standard;
- service: start to end of service (finished_at), against service_minutes (30); a ticket transferred
  to another service counts every stretch it was served (served_before_ms, then started_at on), with the
  officer and service it ended at; one never served at the new service has its time per service under
  the service it was sent on from (Tx.figure_sums; docs/reports.md, "Transfers");
- escalation: end of service to the moment the case reached LKPP, against escalation_minutes (5):
  the escalation mail's sent_at or, with the e-mail off or failing, when the officer recorded the
  TTS ticket number LKPP gave (the first `lkpp_ticket` event), whichever came first. An escalation
  with neither is not measured; `unsent` counts those and `no_mail` those of them that never had a
  mail (escalated while [escalation] e-mail was off), so the dashboard can say why;
- copy: end of service to the first print of the visitor's copy of the form on a counter printer
  (SOP step 12; copy_printed_at, kept when a form print job is done), against copy_minutes (10). The
  hand-over itself is not recorded, nor an A4 copy printed from the browser: a served ticket with no
  printed copy is not measured (`unmeasured`), `unprinted` of them asked for and not printed.

plus no-shows and requeues. Tickets belong to the office's local day they were issued on; groups
are days, ISO weeks, months, officers or services. `figures()` asks the store for the sums, computed
in SQL (Tx.figure_sums: a past day's kept in figure_days, m025, the other days' from their tickets),
and rolls them up here. The store keeps waiting,
response, service and copy as integer milliseconds on the ticket row (`waiting_ms`, `response_ms`,
`service_ms`, `copy_ms`, derived by `store.ticket_to_row` through `migrations.duration_ms`; migrations
m008, m019, m023) and the form's whole seconds as the kiosk sent them (`form_seconds`, m023);
escalation is computed from the mail's sent_at and the event log, for escalated tickets only. The
tests check the SQL against a pure path that sums ticket rows with timestamps (tests/figures_oracle.py),
written apart from this module and the store, which it imports nothing from.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from server import xlsx
from server.config import HoursSettings, SlaSettings
from server.i18n import t
from shared.dates import MONTHS_ID, month_names

GROUPS = ("day", "week", "month", "officer", "service")
# In the SOP's order: the form (steps 2-6), the wait (7), the call answered, the service (9), the
# escalation (11), the visitor's copy of the form (12).
MEASURES = ("form", "waiting", "response", "service", "escalation", "copy")
STANDARD_MEASURES = ("form", "waiting", "service", "escalation", "copy")
# every ticket is one of served (escalated among them), no-show, cancelled, expired (not served by its day's
# end: still waiting, or called and never skipped) or still in play (waiting, called or being served:
# today's, or one whose service was never finished): the counts add up, and the waits never measured are
# in sight
COUNTS = ("tickets", "served", "escalated", "no_show", "cancelled", "expired", "in_play", "requeued", "requeues")
MONTHS_SHORT_ID = month_names("id", short=True)
# The dashboard's names of the measures and groups are Indonesian, in the catalogue (`figures.*`).
MEASURE_NAMES_ID = {m: t(f"figures.measure.{m}") for m in MEASURES}


def limits_ms(sla: SlaSettings) -> dict[str, int]:
    """The standard of each measure that has one, in milliseconds."""
    return {
        "form": sla.form_minutes * 60_000,
        "waiting": sla.waiting_minutes * 60_000,
        "service": sla.service_minutes * 60_000,
        "escalation": sla.escalation_minutes * 60_000,
        "copy": sla.copy_minutes * 60_000,
    }


def empty_sums(key: str) -> dict[str, Any]:
    """A group's sums before any ticket: the shape the store's SQL answers (Tx.figure_sums)."""
    sums: dict[str, Any] = {"key": key, **dict.fromkeys(COUNTS, 0)}
    for m in MEASURES:
        sums.update({f"{m}_n": 0, f"{m}_sum": 0, f"{m}_max": None})
        if m in STANDARD_MEASURES:
            sums[f"{m}_within"] = 0
    sums["escalation_no_mail"] = 0  # escalations not measured that had no mail at all (e-mail off)
    sums["copy_unprinted"] = 0  # served, copy not measured: asked for on a counter printer, not printed
    return sums


def added_up(key: str, group_sums: list[dict[str, Any]]) -> dict[str, Any]:
    """Several groups' sums as one (days into a week, groups into the total), column by column: the
    dashboard of ten years per day adds up 2,600 groups."""
    out = empty_sums(key)
    for k in group_sums[0] if group_sums else ():
        if k in ("key", "day"):
            continue
        values = [s[k] for s in group_sums]
        if k.endswith("_max"):
            out[k] = max((v for v in values if v is not None), default=None)
        else:
            out[k] = sum(values)
    return out


def iso_week(day: str) -> str:
    """The ISO week of a local day, e.g. "2026-W48"."""
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


def week_sums(day_sums: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Day sums rolled up into ISO weeks."""
    weeks: dict[str, list[dict[str, Any]]] = {}
    for s in day_sums:
        weeks.setdefault(iso_week(s["key"]), []).append(s)
    return [added_up(k, weeks[k]) for k in sorted(weeks)]


def group_days(group: str, key: str) -> tuple[date, date] | None:
    """The first and last day of a week's or a month's group ("2026-W49": 30 Nov to 6 Dec 2026); None for
    the other groups."""
    if group == "week":
        year, week = key.split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
        return monday, monday + timedelta(days=6)
    if group == "month":
        first = date(int(key[:4]), int(key[5:7]), 1)
        after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return first, after - timedelta(days=1)
    return None


def days_span(first: date, last: date, lang: str = "id") -> str:
    """A few days in short: "30 Nov", "1–6 Des", "28 Nov – 2 Des", "30 Des 2026 – 3 Jan 2027"."""
    months = MONTHS_SHORT_ID if lang == "id" else month_names(lang, short=True)
    if first == last:
        return f"{first.day} {months[first.month - 1]}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {months[last.month - 1]}"
    if first.year == last.year:
        return f"{first.day} {months[first.month - 1]} – {last.day} {months[last.month - 1]}"
    return f"{first.day} {months[first.month - 1]} {first.year} – {last.day} {months[last.month - 1]} {last.year}"


def label(
    group: str,
    key: str,
    names: dict[str, str] | None = None,
    lang: str = "id",
    span: tuple[str, str] | None = None,
) -> str:
    """A group's label, in Indonesian unless `lang`: "28 Nov 2026", "Minggu 48 / 2026", "November 2026", a name.
    A week or a month that the range `span` (its first and last day) cuts says which of its days it holds:
    "Minggu 49 / 2026 (sebagian: 30 Nov)", "Desember 2026 (sebagian: 1–15 Des)"."""
    if group == "day":
        d = date.fromisoformat(key)
        months = MONTHS_SHORT_ID if lang == "id" else month_names(lang, short=True)
        return f"{d.day} {months[d.month - 1]} {d.year}"
    if group in ("week", "month"):
        if group == "week":
            year, week = key.split("-W")
            text = t("figures.week", lang, week=int(week), year=year)
        else:
            months = MONTHS_ID if lang == "id" else month_names(lang)
            text = f"{months[int(key[5:7]) - 1]} {key[:4]}"
        whole = group_days(group, key)
        if span is None or whole is None:
            return text
        first, last = max(whole[0], date.fromisoformat(span[0])), min(whole[1], date.fromisoformat(span[1]))
        if (first, last) == whole:
            return text
        return t("figures.partial", lang, label=text, days=days_span(first, last, lang))
    if group == "officer" and not key:
        return t("figures.no_officer", lang)
    return (names or {}).get(key, key)


# Each measure's keys in a group's sums, named once (2,600 groups in ten years per day).
_MEASURE_KEYS = tuple((m, (f"{m}_n", f"{m}_sum", f"{m}_max", f"{m}_within")) for m in MEASURES)


def share_of(within: int, n: int) -> float | None:
    """`within` of `n` to four decimals (the files' 0.00 % and the CSV's 66.67), but never 100 % while one was
    over the standard, nor 0 % while one was within: 19,999 of 20,000 is 0.99995, which four decimals made
    1.0, and the files of a few years' figures read "100.00%"; it is 0.9999."""
    if not n:
        return None
    share = round(within / n, 4)
    if within < n:
        share = min(share, 0.9999)
    if within > 0:
        share = max(share, 0.0001)
    return share


def over_shown(exact: float, standard: float | None, places: int) -> float:
    """A duration as it is about to be shown to `places` decimals, kept from reading as if it met its standard: a
    figure over `standard` that rounding would show at or below it is rounded up to the next step instead (30 min
    0.1 s is "30,1 menit", not "30,0", which the head of the office read as within the 30 minutes while the share
    counted it over). Any other figure is given back as it is, to be rounded as usual."""
    if standard is not None and exact > standard and round(exact, places) <= standard:
        step = 10**places
        return math.ceil(exact * step) / step
    return exact


def finish(
    sums: dict[str, Any],
    sla: SlaSettings,
    group: str,
    names: dict[str, str] | None = None,
    limits: dict[str, int] | None = None,
    span: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """A group's sums as figures: counts, and per measure n, within, share within standard, mean and max.
    `span`: the range's first and last day, which a week or a month may cut (its label says so)."""
    out: dict[str, Any] = {"key": sums["key"], "label": label(group, sums["key"], names, span=span)}
    out.update({k: sums[k] for k in COUNTS})
    limits = limits if limits is not None else limits_ms(sla)
    for m, (n_key, sum_key, max_key, within_key) in _MEASURE_KEYS:
        n, top = sums[n_key], sums[max_key]
        # to the tenth of a second; one over the standard never shown at it (over_shown)
        standard = limits[m] / 1000 if m in limits else None
        fig: dict[str, Any] = {
            "n": n,
            "mean_s": round(over_shown(sums[sum_key] / n / 1000, standard, 1), 1) if n else None,
            "max_s": round(over_shown(top / 1000, standard, 1), 1) if top is not None else None,
        }
        if m in limits:
            within = sums[within_key]
            fig["standard_s"] = limits[m] // 1000
            fig["within"] = within
            fig["share"] = share_of(within, n)
        out[m] = fig
    # Not measured: neither a mail sent nor an LKPP ticket number recorded; no_mail of them never had
    # a mail (the escalation e-mail was off when they were escalated).
    out["escalation"]["unsent"] = sums["escalated"] - sums["escalation_n"]
    out["escalation"]["no_mail"] = sums["escalation_no_mail"]
    # Not measured: a ticket issued without the kiosk's time over the form (registered by the front
    # office, or before the kiosk sent it); a served visitor whose copy never came out of a counter
    # printer, `unprinted` of them asked for and not printed (failed, or still waiting for the printer).
    out["form"]["unmeasured"] = sums["tickets"] - sums["form_n"]
    # Never called (cancelled before a call, still waiting when the day ended, or still waiting now): no
    # wait to measure, so the share within the standard leaves them out, however long they waited. Said,
    # or a day of visitors left waiting until closing reads "100% within 5 minutes".
    out["waiting"]["unmeasured"] = sums["tickets"] - sums["waiting_n"]
    out["copy"]["unmeasured"] = sums["served"] - sums["copy_n"]
    out["copy"]["unprinted"] = sums["copy_unprinted"]
    return out


def report(
    group_sums: list[dict[str, Any]],
    sla: SlaSettings,
    group: str,
    names: dict[str, str] | None = None,
    span: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """Figures per group plus the total over every group (`span`: the range, see finish)."""
    total = added_up("", group_sums)
    limits = limits_ms(sla)
    fin_total = finish(total, sla, "service", limits=limits)
    fin_total["label"] = t("figures.total")
    return {"groups": [finish(s, sla, group, names, limits, span) for s in group_sums], "total": fin_total}


def arrivals(by_hour: dict[int, int], open_days: int, days_open: list[int] | None = None) -> list[dict[str, Any]]:
    """Tickets per local hour of day, total and averaged over the days the office was open in that hour
    (`days_open`, open_hours_per_hour; without it every day that had visitors, `open_days`, in every hour)."""
    days = days_open if days_open is not None else [open_days] * 24
    return [
        {
            "hour": h,
            "tickets": by_hour.get(h, 0),
            "per_day": round(by_hour.get(h, 0) / days[h], 2) if days[h] else 0.0,
            "days": days[h],
        }
        for h in range(24)
    ]


def open_hours(hours: HoursSettings | None, day: str) -> frozenset[int]:
    """The local hours (0-23) of `day` ("YYYY-MM-DD") the office was open in, by [hours] (HoursSettings: a
    weekday's ranges in minutes after midnight, the holidays): each hour a range of the day overlaps, a half
    hour too (Friday's "08:00-11:30": 8 to 11). None on a holiday or a closed weekday; every hour without
    [hours] (the office always open)."""
    if not hours or not hours.enabled:
        return frozenset(range(24))
    if day in hours.holidays:
        return frozenset()
    ranges = hours.days[date.fromisoformat(day).weekday()]
    return frozenset(h for h in range(24) if any(a < (h + 1) * 60 and b > h * 60 for a, b in ranges))


def open_hours_per_hour(arrival_hours: dict[str, int], hours: HoursSettings | None) -> list[int]:
    """For each local hour (0-23), how many of the days that had visitors (arrival_hours: each day's hours with
    one or more tickets as a mask, bit h the hour h, Tx.arrival_hours) the office was open in it: by [hours]
    (open_hours), and in any hour a ticket was taken (the front office registers at any time; a day of [hours]
    since changed), so that no hour's tickets are divided by none. A half day (a Friday closing at 11:30) counts
    in its morning's hours only: its closed afternoon is not an afternoon without visitors."""
    always = (1 << 24) - 1
    by_kind: dict[tuple[int, bool], int] = {}  # a weekday's (or a holiday's) open hours, as a mask
    masks: Counter[int] = Counter()
    holidays = frozenset(hours.holidays) if hours else frozenset()
    for day, taken in arrival_hours.items():
        opened = always
        if hours and hours.enabled:
            kind = (date.fromisoformat(day).weekday(), day in holidays)
            opened = by_kind.get(kind, -1)
            if opened < 0:
                opened = by_kind[kind] = sum(1 << h for h in open_hours(hours, day))
        masks[opened | taken] += 1
    return [sum(n for mask, n in masks.items() if mask >> h & 1) for h in range(24)]


def utc_offset_minutes(day: str, tz: Any) -> int:
    """The office's UTC offset at noon of a local day (Indonesia's zones have no daylight saving)."""
    noon = datetime.combine(date.fromisoformat(day), datetime.min.time()).replace(hour=12, tzinfo=tz)
    offset = noon.utcoffset() or timedelta(0)
    return int(offset.total_seconds() // 60)


_INT_KEYS = tuple(f"{m}_{x}" for m in MEASURES for x in ("sum", "max"))


def figures(
    tx: Any,
    day_from: str,
    day_to: str,
    group: str,
    sla: SlaSettings,
    tz: Any,
    names: dict[str, str] | None = None,
    hours: HoursSettings | None = None,
) -> dict[str, Any]:
    """The figures of a range from the store (sums computed in SQL over the stored durations,
    Tx.figure_sums), with arrivals per hour, each hour's averaged over the days the office was open in it by
    `hours` (HoursSettings; None or without [hours]: over every day that had visitors)."""
    sql_group = "day" if group == "week" else group
    sums = tx.figure_sums(day_from, day_to, sql_group, limits_ms(sla))
    for s in sums:
        for k in _INT_KEYS:
            if s[k] is not None and not isinstance(s[k], int):
                s[k] = int(s[k])
    if group == "week":
        sums = week_sums(sums)
    out = report(sums, sla, group, names, (day_from, day_to))
    open_days = tx.open_days(day_from, day_to)
    offset = utc_offset_minutes(day_from, tz)
    days_open = (
        open_hours_per_hour(tx.arrival_hours(day_from, day_to, offset), hours) if hours and hours.enabled else None
    )
    out.update(
        {
            "from": day_from,
            "to": day_to,
            "group": group,
            "standards": {
                "form_minutes": sla.form_minutes,
                "waiting_minutes": sla.waiting_minutes,
                "service_minutes": sla.service_minutes,
                "escalation_minutes": sla.escalation_minutes,
                "copy_minutes": sla.copy_minutes,
            },
            "open_days": open_days,
            "arrivals": arrivals(tx.arrivals_by_hour(day_from, day_to, offset), open_days, days_open),
        }
    )
    return out


def bar_layout(
    values: list[float | None], width: float, height: float, top: float | None = None
) -> list[dict[str, float]]:
    """Geometry of a bar chart (x, y, w, h per bar) for values 0..top (default: the largest) in width x height."""
    if not values:
        return []
    top = top or max([v for v in values if v is not None] or [0]) or 1.0
    step = width / len(values)
    bar_w = max(1.0, step * 0.7)
    bars = []
    for i, v in enumerate(values):
        h = (v or 0) / top * height
        bars.append(
            {
                "x": round(i * step + (step - bar_w) / 2, 2),
                "y": round(height - h, 2),
                "w": round(bar_w, 2),
                "h": round(h, 2),
            }
        )
    return bars


# -- the figures as files (GET /api/figures?format=xlsx|csv) -------------------------------------
# One table, a row per group and measure (the dashboard's table of the totals, for each group), then the
# total's rows: the measure's standard, how many it measured and left out, how many within the standard
# and their share, the mean and the longest. In Indonesian, as the recap and the SKM's files are, whatever
# the page's language; the durations in minutes as the dashboard shows them.
FORMATS = ("json", "csv", "xlsx")
EXPORT_COLUMNS = ("group", "key", "measure", "standard", "measured", "unmeasured", "within", "share", "mean", "max")
XLSX_WIDTHS = (30, 12, 24, 11, 9, 9, 10, 11, 11, 11)


def shown_minutes(seconds: float | None, standard_s: int | None, places: int) -> float | None:
    """A duration of the figures (seconds, to the tenth) in minutes to `places` decimals, over its standard
    (seconds) never at or below it (over_shown): the dashboard's "30,1 menit" (1), the files' minutes (4: the
    seconds come back from them to the tenth, 18.5167 minutes are 1111.0 s)."""
    if seconds is None:
        return None
    return round(over_shown(seconds / 60, None if standard_s is None else standard_s / 60, places), places)


def export_rows(data: dict[str, Any]) -> Iterator[tuple[bool, list[Any]]]:
    """The figures (`figures()`'s answer) as the files' rows: (a row of the total, cells in EXPORT_COLUMNS'
    order), per group and measure in the SOP's order, then the total's. A figure there is none of (no
    standard, nothing measured) is None; `unmeasured` is what the JSON counts as left out (the form's and
    the copy's `unmeasured`, the escalations' `unsent`), None for the measures that leave none out; `share`
    is the JSON's fraction (0.6667)."""
    for total, group in [*((False, g) for g in data["groups"]), (True, data["total"])]:
        for m in MEASURES:
            fig = group[m]
            standard = fig.get("standard_s")
            yield (
                total,
                [
                    group["label"],
                    group["key"],
                    MEASURE_NAMES_ID[m],
                    None if standard is None else standard // 60 if standard % 60 == 0 else standard / 60,
                    fig["n"],
                    fig.get("unsent") if m == "escalation" else fig.get("unmeasured"),
                    fig.get("within"),
                    fig.get("share"),
                    shown_minutes(fig["mean_s"], standard, 4),
                    shown_minutes(fig["max_s"], standard, 4),
                ],
            )


def export_headings() -> list[str]:
    return [t(f"figures.export.header.{c}") for c in EXPORT_COLUMNS]


def file_name(day_from: str, day_to: str, group: str, fmt: str) -> str:
    """waktu-layanan-2026-11-01-2026-11-30-hari.xlsx: the period and the grouping, as the recap's names."""
    from server.reports import _slug

    return "-".join([t("figures.export.file"), day_from, day_to, _slug(t(f"page.dashboard.group.{group}"))]) + f".{fmt}"


def figures_csv(data: dict[str, Any]) -> bytes:
    """The figures as CSV, UTF-8 with a BOM, one table with its headings in the first line (as the recap's):
    plain numbers for a program to read (minutes 18.5167, the share as a percentage 66.67, as the SKM's CSV
    writes a share); a label that a spreadsheet would run as a formula (a name an admin typed) gets a "'"."""
    from server.reports import _cell

    share_at = EXPORT_COLUMNS.index("share")
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(export_headings())
    for _, cells in export_rows(data):
        share = cells[share_at]
        cells[share_at] = None if share is None else round(share * 100, 2)
        writer.writerow(["" if v is None else _cell(v) for v in cells])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


# The workbook's styles, by their ids in the sheet (0 is the default: the period row).
_TITLE, _OFFICE, _HEADER, _TEXT, _TOTAL, _COUNT, _MINUTES, _SHARE, _DAY = range(1, 10)
_XLSX_STYLES = (
    xlsx.Style(bold=True, size=14),  # the title
    xlsx.Style(bold=True, size=12),  # the office
    xlsx.Style(bold=True, border=True, horizontal="center", vertical="center", wrap=True),  # the headings
    # group, code, measure: wrapped, as a service's long name ("Konsultasi Non-Penyedia (PPK/Pokja/PP)") needs
    xlsx.Style(border=True, vertical="top", wrap=True),
    xlsx.Style(bold=True, border=True, vertical="top"),  # the total's name
    # counts (and the standard's whole minutes) with their thousands grouped as the reader's Excel writes them:
    # "1.234" when set to Indonesian, "1,234" in English ("0" showed 1234)
    xlsx.Style(border=True, vertical="top", number_format="#,##0"),
    xlsx.Style(border=True, vertical="top", number_format="0.0"),  # minutes, as the dashboard rounds them
    # the share to the hundredth of a percent: the JSON's four decimals as they are (the dashboard rounds
    # down, "never more than reached"; "0.0%" would show 99.95 % as 100.0 %)
    xlsx.Style(border=True, vertical="top", number_format="0.00%"),
    # a day's code: a real date (sortable, filterable as dates), shown as the recap's Tanggal is
    xlsx.Style(border=True, horizontal="center", vertical="top", number_format="DD/MM/YYYY"),
)
_MINUTES_AT = (EXPORT_COLUMNS.index("mean"), EXPORT_COLUMNS.index("max"))
_STANDARD_AT = EXPORT_COLUMNS.index("standard")
_COLUMN_STYLES = (_TEXT, _TEXT, _TEXT, _COUNT, _COUNT, _COUNT, _COUNT, _SHARE, _MINUTES, _MINUTES)


def figures_xlsx(data: dict[str, Any], office_name: str, when: datetime | None = None) -> bytes:
    """The figures as an Excel workbook (server/xlsx.py, as the recap's): the title, the office, the period
    and grouping in rows 1-3, the bold headings in row 4 (frozen on screen, printed atop every page), a
    bordered row per group and measure below, then the total's; the counts, minutes and shares numbers
    with a number format (Excel shows 18,5 and 66,67% when set to Indonesian), a day's code a date cell
    (DD/MM/YYYY, as the recap's Tanggal; a week's and a month's stay text), a figure there is none of an
    empty cell; A4 portrait as wide as the page."""
    from server.reports import period_id

    sheet = xlsx.Sheet(
        name=t("figures.export.sheet"),
        widths=XLSX_WIDTHS,
        styles=_XLSX_STYLES,
        frozen_rows=4,
        print_title_rows=(4, 4),
        fit_to_width=True,
        page_footer=t("page.recap.page_of"),  # "Halaman 2 dari 7" at each printed page's foot
    )
    letters = [xlsx.column_letter(i) for i in range(len(EXPORT_COLUMNS))]
    fit = xlsx.RowFit(sheet)  # rows as tall as their wrapped texts (LibreOffice does not grow them)
    by_day = data["group"] == "day"

    def body() -> Iterator[str]:
        yield xlsx.row_xml(1, [(_TITLE, t("figures.export.title"))], letters)
        yield xlsx.row_xml(2, [(_OFFICE, office_name)], letters)
        period = t("recap.period", period=period_id(data["from"], data["to"]))
        grouping = t("figures.export.grouping", group=t(f"page.dashboard.group.{data['group']}").lower())
        yield xlsx.row_xml(3, [(0, f"{period} · {grouping}")], letters)
        yield xlsx.row_xml(4, [(_HEADER, h) for h in export_headings()], letters, fit)
        for n, (total, cells) in enumerate(export_rows(data), start=5):
            styles = (_TOTAL, *_COLUMN_STYLES[1:]) if total else _COLUMN_STYLES
            # the mean and the longest as the 0.0 format shows them: over the standard never at it (over_shown)
            for at in _MINUTES_AT:
                if cells[at] is not None:
                    cells[at] = over_shown(cells[at], cells[_STANDARD_AT], 1)
            if by_day and cells[1]:  # the CSV keeps the ISO text (2026-11-02) for a program to read
                styles, cells[1] = (styles[0], _DAY, *styles[2:]), date.fromisoformat(cells[1])
            yield xlsx.row_xml(n, zip(styles, cells, strict=True), letters, fit)

    return xlsx.write_xlsx(sheet, body(), when)
