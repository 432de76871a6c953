"""Benchmark of the satisfaction survey (SKM): 10,000 responses summarised, as JSON, CSV and XLSX.

    python bench/bench_skm.py [--responses 10000] [--json]

Builds a database in the real schema (`Store` applies the migrations) with N served tickets over a
year of working days (about 40 a day, ending 2026-11-30), each with its form and a survey response
(random scores, profile, a suggestion on one in ten), inserted in bulk with plain SQL. Then it times,
through the same service the API calls (`service.survey`), the summary of the whole year (JSON: the
index, per service and counter, the profile, the suggestions), one month of it, the CSV and the XLSX,
and a single response submitted through the command (one transaction, its event). Target: the
year's summary under a second (issue #14). It reports and never asserts (exit 0). docs/skm.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import write_bench_config  # noqa: E402

from server import skm  # noqa: E402
from server.config import load_settings  # noqa: E402
from server.service import QueueService  # noqa: E402
from server.store import Store  # noqa: E402

LAST_DAY = date(2026, 11, 30)
TARGET_SUMMARY_S = 1.0
SUGGESTIONS = (
    "Mohon tambah kursi di ruang tunggu",
    "Petugas sangat membantu, terima kasih",
    "Antrean terlalu lama pada jam 10-11",
    "Mohon disediakan panduan tertulis untuk registrasi akun penyedia",
)


def working_days(n: int) -> list[date]:
    days, d = [], LAST_DAY
    while len(days) < n:
        if d.weekday() < 5:
            days.append(d)
        d -= timedelta(days=1)
    return sorted(days)


def fill(store: Store, responses: int, rng: random.Random) -> tuple[str, str]:
    """N served tickets with forms and survey responses; the first and last day."""
    days = working_days(max(1, responses // 40))
    db = store.db
    tickets, forms, answers = [], [], []
    for i in range(responses):
        day = days[i * len(days) // responses]
        number = i - (i * len(days) // responses) * responses // len(days) + 1
        service = "ABC"[i % 3]
        created = datetime(day.year, day.month, day.day, 2, tzinfo=UTC) + timedelta(seconds=i % 28000)
        finished = created + timedelta(minutes=20)
        tid = i + 1
        counter = 1 + i % 3
        tickets.append(
            (tid, day.isoformat(), service, number, f"{service}-{tid:06d}", f"tok{tid:013d}", "resolved", 0,
             float(tid), 1, counter, created.isoformat(), finished.isoformat(), "Reset", "budi")
        )  # fmt: skip
        forms.append((tid, "Budi", "CV Maju", "Jl. Sudirman", f"0812{tid:08d}", "Lupa kata sandi"))
        scores = [rng.choices((1, 2, 3, 4), weights=(1, 3, 10, 8))[0] for _ in skm.ELEMENTS]
        text = rng.choice(SUGGESTIONS) if rng.random() < 0.1 else None
        answers.append(
            (tid, day.isoformat(), service, counter, "phone", *scores, rng.choice((*skm.SEXES, None)),
             rng.randint(18, 65), rng.choice((*skm.EDUCATIONS, None)), rng.choice((*skm.OCCUPATIONS, None)),
             text, finished.isoformat(), finished.isoformat())
        )  # fmt: skip
    db.execute("BEGIN")
    db.conn.executemany(
        "INSERT INTO tickets (id, day, service, number, label, token, status, priority, position, calls,"
        " counter_id, created_at, finished_at, solution, officer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        tickets,
    )
    db.conn.executemany(
        "INSERT INTO forms (ticket_id, name, agency, address, phone, problem) VALUES (?, ?, ?, ?, ?, ?)", forms
    )
    db.conn.executemany(
        "INSERT INTO survey_responses (ticket_id, day, service, counter_id, channel, u1, u2, u3, u4, u5, u6, u7,"
        " u8, u9, sex, age, education, occupation, suggestion, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        answers,
    )
    db.execute("COMMIT")
    db.execute("ANALYZE")
    return days[0].isoformat(), days[-1].isoformat()


def timed(fn, repeat: int = 5) -> tuple[float, object]:
    """The median of `repeat` runs (seconds) and the last result."""
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    rng = random.Random(14)
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(write_bench_config(Path(tmp), 3))
        store = Store(settings.server.database, synchronous="OFF")
        day_from, day_to = fill(store, args.responses, rng)
        month_from = f"{day_to[:7]}-01"
        now = datetime(2026, 11, 30, 3, tzinfo=UTC)
        service = QueueService(settings, store, clock=lambda: now)
        survey = service.survey
        summary_s, summary = timed(lambda: survey.skm(day_from, day_to))
        json_s, body = timed(lambda: survey.skm_file(day_from, day_to, None, None, "json"))
        month_s, _ = timed(lambda: survey.skm(month_from, day_to))
        service_s, _ = timed(lambda: survey.skm(day_from, day_to, "A", None))
        csv_s, csv_bytes = timed(lambda: survey.skm_file(day_from, day_to, None, None, "csv"), repeat=3)
        xlsx_s, xlsx_bytes = timed(lambda: survey.skm_file(day_from, day_to, None, None, "xlsx"), repeat=3)
        complaints_s, complaints = timed(lambda: survey.complaints("all"))
        # one response submitted through the command, to each of 20 tickets of the bench's "today" (a
        # new response, or a correction with a new text: a repeat of the same one writes nothing)
        rows = store.db.execute("SELECT token FROM tickets WHERE day = ? ORDER BY id DESC LIMIT 20", [day_to])
        tokens = iter([row[0] for row in rows.fetchall()])
        answers = dict.fromkeys(skm.ELEMENTS, 3)

        def submit_one():
            token = next(tokens)
            return survey.submit({"token": token, "answers": answers, "suggestion": f"Bagus {token[:6]}"})

        submit_s, _ = timed(submit_one, 20)  # a refusal would raise (AntrianError)
        service.stop()
        store.close()
    figures = {
        "responses": args.responses,
        "range": [day_from, day_to],
        "summary_year_s": round(summary_s, 4),
        "summary_json_bytes_s": round(json_s, 4),
        "summary_month_s": round(month_s, 4),
        "summary_one_service_s": round(service_s, 4),
        "csv_s": round(csv_s, 4),
        "xlsx_s": round(xlsx_s, 4),
        "complaints_list_s": round(complaints_s, 4),
        "submit_one_s": round(submit_s, 4),
        "json_kb": len(body) // 1024,
        "csv_kb": len(csv_bytes) // 1024,
        "xlsx_kb": len(xlsx_bytes) // 1024,
        "suggestions": len(summary["suggestions"]),
        "complaints_listed": len(complaints),
        "ikm": summary["ikm"],
        "mutu": summary["mutu"],
        "target_summary_s": TARGET_SUMMARY_S,
        "summary_within_target": json_s < TARGET_SUMMARY_S,
        "python": platform.python_version(),
    }
    if args.json:
        print(json.dumps(figures, indent=1))
        return 0
    print(f"SKM bench: {args.responses} responses, {day_from} .. {day_to} (Python {figures['python']})")
    print(f"  summary, the year (dict)       {summary_s * 1000:8.1f} ms")
    print(f"  summary, the year (JSON bytes) {json_s * 1000:8.1f} ms   {figures['json_kb']} KB   target < 1 s:"
          f" {'yes' if figures['summary_within_target'] else 'NO'}")  # fmt: skip
    print(f"  summary, one month             {month_s * 1000:8.1f} ms")
    print(f"  summary, one service           {service_s * 1000:8.1f} ms")
    print(f"  CSV                            {csv_s * 1000:8.1f} ms   {figures['csv_kb']} KB")
    print(f"  XLSX (SKM, Saran, Data sheets) {xlsx_s * 1000:8.1f} ms   {figures['xlsx_kb']} KB")
    print(f"  complaints list                {complaints_s * 1000:8.1f} ms   {len(complaints)} listed")
    print(f"  one response submitted         {submit_s * 1000:8.1f} ms")
    print(f"  IKM {summary['ikm']} ({summary['mutu']}), {len(summary['suggestions'])} suggestions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
