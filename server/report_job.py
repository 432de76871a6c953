"""Recaps and figures made in a child process: a long report must never stop the queue.

The server runs every request on one gevent event loop. Building ten years' recap as XLSX takes
seconds of CPU (a year's, under half a second; docs/reports.md); done in the request, every
display, kiosk and counter would wait that long. Under gevent a recap of more than
`IN_PROCESS_DAYS` days is therefore made by `python -m server.report_job` (reading the same SQLite
file, which WAL lets it do while the server writes), on the machine's other core, while the loop
waits for it cooperatively. A month or less (a few thousand rows at most in an office) is made at
once in the request, as are all recaps outside the server (the test client, scripts): the same
function either way; the guest book (buku tamu) likewise. The dashboard's figures go the same way
beyond `FIGURES_IN_PROCESS_DAYS` (a year with its days kept, figure_days: 3-11 ms; ten years 30-110 ms,
and 300 ms or more before the maintenance loop made them).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from typing import Any

from server import reports
from shared.runtime import on_gevent

MIMETYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
IN_PROCESS_DAYS = 31
FIGURES_IN_PROCESS_DAYS = 366


class ReportFailed(RuntimeError):
    """The child process could not make the file."""


def recap_file(store: Any, job: dict[str, Any]) -> bytes:
    """The recap as JSON, CSV or XLSX bytes. job: from, to, filters, format, office, filters_label (the filters
    in words, reports.filter_label: the workbook's period row names them), services and counters (their names,
    {code: name} and {"1": name}: where a transferred visitor came from)."""
    with store.read() as tx:
        names = {"services": job.get("services"), "counters": job.get("counters")}
        rows = reports.iter_recap_rows(tx.recap_iter(job["from"], job["to"], **job["filters"]), **names)
        if job["format"] == "csv":
            return reports.recap_csv(rows)
        if job["format"] == "xlsx":
            label = job.get("filters_label", "")
            return reports.recap_xlsx(rows, job["office"], job["from"], job["to"], filters_label=label)
        answer = {
            "from": job["from"],
            "to": job["to"],
            "filters": {k: v for k, v in job["filters"].items() if v},
            "filters_label": job.get("filters_label", ""),
            "columns": list(reports.RECAP_COLUMNS),
            "rows": list(rows),
        }
        return json.dumps(answer, ensure_ascii=False).encode()


def make_recap_file(store: Any, job: dict[str, Any], timeout: float = 600.0) -> bytes:
    """recap_file; in a child process when the server runs on gevent and the range is long."""
    if _days(job) <= IN_PROCESS_DAYS or not on_gevent():
        return recap_file(store, job)
    return in_child(store, {**job, "kind": "recap"}, timeout)


def guestbook_file(store: Any, job: dict[str, Any]) -> bytes:
    """The guest book (buku tamu) as JSON, CSV or XLSX bytes. job: from, to, format, office, timezone (the
    office's, for each number's time), services ({code: name}: the services by name)."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(job["timezone"])
    with store.read() as tx:
        rows = reports.iter_guestbook_rows(tx.guestbook_iter(job["from"], job["to"]), tz, job["services"])
        if job["format"] == "csv":
            return reports.guestbook_csv(rows)
        if job["format"] == "xlsx":
            return reports.guestbook_xlsx(rows, job["office"], job["from"], job["to"])
        answer = {"from": job["from"], "to": job["to"], "columns": list(reports.GUESTBOOK_COLUMNS), "rows": list(rows)}
        return json.dumps(answer, ensure_ascii=False).encode()


def make_guestbook_file(store: Any, job: dict[str, Any], timeout: float = 600.0) -> bytes:
    """guestbook_file; in a child process when the server runs on gevent and the range is long."""
    if _days(job) <= IN_PROCESS_DAYS or not on_gevent():
        return guestbook_file(store, job)
    return in_child(store, {**job, "kind": "guestbook"}, timeout)


def figures_job(settings: Any, day_from: str, day_to: str, group: str) -> dict[str, Any]:
    """The job figures_of / make_figures take, from the settings in force."""
    from dataclasses import asdict

    names = {s.code: s.name for s in settings.services} if group == "service" else None
    return {
        "from": day_from,
        "to": day_to,
        "group": group,
        "sla": asdict(settings.sla),
        "timezone": settings.office.timezone,
        "names": names,
        "hours": asdict(settings.hours),  # the arrivals per hour: each hour's days open (figures.open_hours)
    }


def figures_of(store: Any, job: dict[str, Any]) -> dict[str, Any]:
    """The dashboard's figures. job: from, to, group, sla (SlaSettings as a dict), timezone, names, hours
    (HoursSettings as a dict, its tuples lists after JSON; absent: the office always open)."""
    from zoneinfo import ZoneInfo

    from server import figures
    from server.config import HoursSettings, SlaSettings

    hours = None
    if job.get("hours"):
        h = job["hours"]
        days = tuple(tuple((start, end) for start, end in ranges) for ranges in h["days"])
        hours = HoursSettings(
            enabled=h["enabled"], days=days, holidays=tuple(h["holidays"]), last_ticket_minutes=h["last_ticket_minutes"]
        )
    with store.read() as tx:
        sla, tz = SlaSettings(**job["sla"]), ZoneInfo(job["timezone"])
        return figures.figures(tx, job["from"], job["to"], job["group"], sla, tz, job.get("names"), hours)


def make_figures(store: Any, job: dict[str, Any], timeout: float = 120.0) -> dict[str, Any]:
    """figures_of; in a child process when the server runs on gevent and the range is over a year."""
    if _days(job) <= FIGURES_IN_PROCESS_DAYS or not on_gevent():
        return figures_of(store, job)
    return json.loads(in_child(store, {**job, "kind": "figures"}, timeout))


def skm_xlsx_of(store: Any, job: dict[str, Any]) -> bytes:
    """The SKM workbook. job: summary (the SKM view), office, tz (the office's time zone), counters ({id as
    text: name}), from, to, service, counter (the filters of the data sheet's rows)."""
    from server import skm_report

    names = job["counters"]
    with store.read() as tx:
        rows = tx.skm_scores_iter(job["from"], job["to"], job.get("service"), job.get("counter"))
        return skm_report.skm_xlsx(job["summary"], rows, job["office"], lambda cid: names.get(str(cid), ""), job["tz"])


def make_skm_xlsx(store: Any, job: dict[str, Any], timeout: float = 600.0) -> bytes:
    """skm_xlsx_of; in a child process when the server runs on gevent and the range is long (openpyxl:
    about a second per 10,000 responses, bench/bench_skm.py)."""
    if _days(job) <= IN_PROCESS_DAYS or not on_gevent():
        return skm_xlsx_of(store, job)
    return in_child(store, {**job, "kind": "skm_xlsx"}, timeout)


def in_child(store: Any, job: dict[str, Any], timeout: float) -> bytes:
    """Run a job in `python -m server.report_job` on the same database; its output's bytes."""
    proc = subprocess.run(
        [sys.executable, "-m", "server.report_job"],
        input=json.dumps({**job, "database": str(store.path)}).encode(),
        capture_output=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise ReportFailed(f"{job['kind']} report failed: {tail[0]}")
    return proc.stdout


def _days(job: dict[str, Any]) -> int:
    return (date.fromisoformat(job["to"]) - date.fromisoformat(job["from"])).days + 1


def main() -> int:
    from server.store import Store

    job = json.loads(sys.stdin.buffer.read())
    store = Store(job["database"])
    try:
        if job["kind"] == "figures":
            out = json.dumps(figures_of(store, job), ensure_ascii=False).encode()
        elif job["kind"] == "skm_xlsx":
            out = skm_xlsx_of(store, job)
        elif job["kind"] == "guestbook":
            out = guestbook_file(store, job)
        else:
            out = recap_file(store, job)
        sys.stdout.buffer.write(out)
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
