"""Benchmark of the reports on ten busy years: recap CSV and XLSX, dashboard figures, memory.

    python bench/bench_reports.py [--consultations 100000] [--json]

Builds a database of N tickets (about 40 a working day over ten years, ending 2026-11-30) in the
real schema (`Store` applies the migrations), inserted in bulk with plain SQL, each with its form,
its events and, for escalations, a sent e-mail; 80 % with the kiosk's form time and 70 % of the served
with a printed form copy (m023). Then it times, through the same functions the API
uses: the recap CSV and XLSX of all ten years, every dashboard query (figures per day, week, month,
officer and service, for one month, one year and ten years: first summed from the tickets, then again
once the maintenance loop's steps made the kept days, figure_days, whose work is timed too), and the
tracemalloc peak of each export per range. It reports against the targets and never asserts (exit 0). See docs/reports.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import write_bench_config  # noqa: E402

from server import figures, reports  # noqa: E402
from server.config import load_settings  # noqa: E402
from server.service.upkeep import FIGURE_DAYS_STEP  # noqa: E402
from server.store import Store, duration_ms  # noqa: E402

LAST_DAY = date(2026, 11, 30)
RANGES = {
    "1 month": ("2026-11-01", "2026-11-30"),
    "1 year": ("2025-12-01", "2026-11-30"),
    "10 years": ("2016-12-01", "2026-11-30"),
}
TARGETS = {"csv_s": 3.0, "xlsx_s": 15.0, "dashboard_ms": 200.0}
OFFICERS = ("budi", "siti", "agus", "dewi", "rahmat", "fitri")
PROBLEMS = (
    "Lupa kata sandi akun penyedia SPSE dan e-mail pemulihan sudah tidak aktif",
    "Dokumen penawaran gagal diunggah, muncul pesan kesalahan saat enkripsi Apendo",
    "Paket tender terkunci setelah perubahan jadwal oleh Pokja Pemilihan",
    "Pertanyaan tentang verifikasi akun penyedia baru dan dokumen yang diperlukan",
    "Konsultasi alur e-purchasing katalog elektronik untuk PPK",
)
SOLUTIONS = (
    "Kata sandi direset, pengguna diminta mengganti kata sandi setelah masuk",
    "Dokumen dienkripsi ulang dengan aplikasi versi terbaru lalu berhasil diunggah",
    "Dijelaskan alur lengkap beserta dokumen yang perlu dibawa saat verifikasi",
)


def working_days(n_days: int) -> list[date]:
    days, d = [], LAST_DAY
    while len(days) < n_days:
        if d.weekday() < 5:
            days.append(d)
        d -= timedelta(days=1)
    return sorted(days)


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat()


def build(store: Store, n: int, seed: int = 7) -> None:
    """N tickets over ten years of working days, with forms, events and escalation mails."""
    rng = random.Random(seed)
    days = working_days(2610)  # ten years of Monday-Friday
    per_day = [0] * len(days)
    for _ in range(n):
        per_day[rng.randrange(len(days))] += 1
    tickets, forms, events, mails = [], [], [], []
    tid = 0
    wib = timedelta(hours=7)
    for day, count in zip(days, per_day, strict=True):
        numbers = {"A": 0, "B": 0, "C": 0}
        opening = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) - wib
        for k in range(count):
            tid += 1
            svc = rng.choice("AABC")
            numbers[svc] += 1
            created = opening + timedelta(seconds=rng.randint(0, 7 * 3600))
            status = rng.choices(("resolved", "escalated", "closed", "no_show", "cancelled"), (80, 4, 6, 6, 4))[0]
            called = created + timedelta(seconds=rng.randint(30, 1500)) if status != "cancelled" else None
            started = (
                called + timedelta(seconds=rng.randint(10, 240))
                if status in ("resolved", "escalated", "closed")
                else None
            )
            finished = started + timedelta(seconds=rng.randint(300, 2700)) if started else None
            if status == "no_show":
                finished = called + timedelta(minutes=6)
            officer = rng.choice(OFFICERS) if started else None
            esc = status in ("escalated", "closed")
            # SOP steps 2-6 as the kiosk times them (m023): most visitors at the kiosk, some registered by
            # the front office (not measured); step 12: most served visitors' copies printed at the counter
            form_seconds = rng.randint(60, 600) if rng.random() < 0.8 else None
            copy_at = finished + timedelta(seconds=rng.randint(5, 900)) if started and rng.random() < 0.7 else None
            tickets.append(
                (
                    tid,
                    day.isoformat(),
                    svc,
                    numbers[svc],
                    f"{svc}-{numbers[svc]:03d}",
                    f"tok{tid}",
                    status,
                    0,
                    float(k + 1),
                    3 if status == "no_show" else 1,
                    1 if status == "no_show" else 0,
                    rng.randint(1, 3),
                    iso(created),
                    called and iso(called),
                    called and iso(called),
                    started and iso(started),
                    finished and iso(finished),
                    iso(finished + timedelta(days=2)) if status == "closed" else None,
                    rng.choice(("pengaduan", "pertanyaan", "konsultasi")),
                    officer,
                    None if esc or not started else rng.choice(SOLUTIONS),
                    "Dieskalasikan ke Helpdesk LKPP" if esc else None,
                    f"TTS-{tid}" if status == "closed" else None,
                    "Dijawab LKPP" if status == "closed" else None,
                    # the durations ticket_to_row derives when the server writes a ticket (m008)
                    duration_ms(iso(created), called and iso(called)),
                    duration_ms(called and iso(called), started and iso(started)),
                    duration_ms(started and iso(started), finished and iso(finished)),
                    form_seconds,
                    copy_at and iso(copy_at),
                    duration_ms(finished and iso(finished), copy_at and iso(copy_at)),
                )
            )
            forms.append(
                (
                    tid,
                    f"Pengunjung {tid}",
                    "CV Maju Bersama",
                    f"Jl. Merdeka No. {tid % 300}",
                    "081234567890",
                    rng.choice(PROBLEMS),
                )
            )
            events.append((iso(created), day.isoformat(), "issued", tid, None, "kiosk", "{}"))
            if called:
                events.append((iso(called), day.isoformat(), "called", tid, 1, "x", '{"calls": 1}'))
            if started:
                events.append((iso(started), day.isoformat(), "started", tid, 1, officer, "{}"))
            if finished:
                events.append((iso(finished), day.isoformat(), "escalated" if esc else status, tid, 1, "x", "{}"))
            if esc:
                sent = finished + timedelta(seconds=rng.randint(5, 600))
                mails.append((tid, "escalation", "sent", 1, "Eskalasi", iso(finished), iso(finished), iso(sent)))
    db = store.db
    db.execute("BEGIN")
    db.conn.executemany(
        "INSERT INTO tickets (id, day, service, number, label, token, status, priority, position, calls, requeues,"
        " counter_id, created_at, first_called_at, last_called_at, started_at, finished_at, closed_at, category,"
        " officer, solution, escalation_note, lkpp_ticket, lkpp_answer, waiting_ms, response_ms, service_ms,"
        " form_seconds, copy_printed_at, copy_ms) VALUES ({})".format(", ".join("?" * 30)),
        tickets,
    )
    db.conn.executemany(
        "INSERT INTO forms (ticket_id, name, agency, address, phone, problem) VALUES (?, ?, ?, ?, ?, ?)", forms
    )
    db.conn.executemany(
        "INSERT INTO events (at, day, type, ticket_id, counter_id, actor, data) VALUES (?, ?, ?, ?, ?, ?, ?)", events
    )
    db.conn.executemany(
        "INSERT INTO mails (ticket_id, kind, status, attempts, subject, next_attempt_at,"
        " created_at, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        mails,
    )
    db.execute("COMMIT")
    db.execute("ANALYZE")


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    """Best wall time of `repeat` runs, in seconds, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--consultations", type=int, default=100_000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(write_bench_config(Path(tmp), 3))
        store = Store(settings.server.database)
        t_build, _ = timed(lambda: build(store, args.consultations))
        sla, tz, office = settings.sla, settings.office.tz, settings.office.name

        def csv_of(day_from, day_to):
            with store.read() as tx:
                return reports.recap_csv(reports.iter_recap_rows(tx.recap_iter(day_from, day_to)))

        def xlsx_of(day_from, day_to):
            with store.read() as tx:
                return reports.recap_xlsx(
                    reports.iter_recap_rows(tx.recap_iter(day_from, day_to)), office, day_from, day_to
                )

        def keep_step(store, limits):
            with store.write() as tx:
                return tx.keep_figure_days("2026-12-01", limits, FIGURE_DAYS_STEP)

        def dashboard(day_from, day_to, group):
            with store.read() as tx:
                return figures.figures(tx, day_from, day_to, group, sla, tz)

        whole = RANGES["10 years"]
        out: dict = {
            "consultations": args.consultations,
            "build_s": round(t_build, 1),
            "db_mb": round(Path(settings.server.database).stat().st_size / 1e6, 1),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
        }
        with store.read() as tx:
            out["recap_rows_10y"] = sum(1 for _ in tx.recap_iter(*whole))
        t, data = timed(lambda: csv_of(*whole), 3)
        out["csv_s"], out["csv_mb"] = round(t, 2), round(len(data) / 1e6, 1)
        t, data = timed(lambda: xlsx_of(*whole))
        out["xlsx_s"], out["xlsx_mb"] = round(t, 2), round(len(data) / 1e6, 1)
        # As the dashboard is before the maintenance loop made the kept days (figure_days, m025): every
        # sum from the tickets. Then the loop's work, step by step, and the dashboard as it is afterwards.
        out["dashboard_counted_ms"] = {
            name: {g: round(timed(lambda r=rng, g=g: dashboard(*r, g), 5)[0] * 1000, 1) for g in figures.GROUPS}
            for name, rng in RANGES.items()
        }
        limits, steps, worst = figures.limits_ms(sla), 0, 0.0
        started = time.perf_counter()
        while True:
            t, made = timed(lambda: keep_step(store, limits))
            worst = max(worst, t)
            if not made:
                break
            steps += 1
        out["keep_s"] = round(time.perf_counter() - started, 2)
        out["keep_steps"], out["keep_worst_step_ms"] = steps, round(worst * 1000, 1)
        out["dashboard_ms"] = {
            name: {g: round(timed(lambda r=rng, g=g: dashboard(*r, g), 5)[0] * 1000, 1) for g in figures.GROUPS}
            for name, rng in RANGES.items()
        }
        out["peak_mb"] = {
            name: {
                "csv": round(peak_mb(lambda r=rng: csv_of(*r)), 1),
                "xlsx": round(peak_mb(lambda r=rng: xlsx_of(*r)), 1),
                "dashboard_day": round(peak_mb(lambda r=rng: dashboard(*r, "day")), 1),
            }
            for name, rng in RANGES.items()
        }
        # What the server does every second on its event loop, whatever the history's size: the
        # end-of-day expiry check, the look for settings changed by the command line, and the look for
        # past days whose kept figures are to be made.
        from server.service import QueueService

        service = QueueService(settings, store)

        def tick():
            service.expire_old()
            service.reload_settings_if_changed()
            service.keep_figures()  # nothing left to make: one look at figure_stale

        service.keep_figures()  # the first look since start compares the standard times (one write)

        out["maintenance_tick_ms"] = round(timed(tick, 20)[0] * 1000, 3)
        store.close()
    worst_dash = max(v for per in out["dashboard_ms"].values() for v in per.values())
    out["verdict"] = {
        "csv_s": out["csv_s"] <= TARGETS["csv_s"],
        "xlsx_s": out["xlsx_s"] <= TARGETS["xlsx_s"],
        "dashboard_ms": worst_dash <= TARGETS["dashboard_ms"],
    }
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    print(
        f"{out['consultations']} consultations, database {out['db_mb']} MB (built in {out['build_s']} s);"
        f" Python {out['python']}, SQLite {out['sqlite']}"
    )
    print(
        f"recap CSV, 10 years ({out['recap_rows_10y']} rows, {out['csv_mb']} MB): {out['csv_s']} s"
        f" (target <= {TARGETS['csv_s']} s)"
    )
    print(f"recap XLSX, 10 years ({out['xlsx_mb']} MB): {out['xlsx_s']} s (target <= {TARGETS['xlsx_s']} s)")
    print("dashboard queries before the kept days are made (every sum from the tickets), ms:")
    for name, per in out["dashboard_counted_ms"].items():
        print(f"  {name:>8}: " + "  ".join(f"{g} {v}" for g, v in per.items()))
    print(
        f"kept days made by the maintenance loop: {out['keep_steps']} steps of {FIGURE_DAYS_STEP} days,"
        f" {out['keep_s']} s of work in all, the longest step {out['keep_worst_step_ms']} ms"
    )
    print(f"dashboard queries with the days kept, ms (target <= {TARGETS['dashboard_ms']} ms each):")
    for name, per in out["dashboard_ms"].items():
        print(f"  {name:>8}: " + "  ".join(f"{g} {v}" for g, v in per.items()))
    tick = out["maintenance_tick_ms"]
    print(f"once-a-second maintenance (expiry, settings and kept days checks), 10 years: {tick} ms")
    print("tracemalloc peak, MB:")
    for name, per in out["peak_mb"].items():
        print(f"  {name:>8}: " + "  ".join(f"{k} {v}" for k, v in per.items()))
    print("verdict: " + ", ".join(f"{k} {'ok' if v else 'MISSED'}" for k, v in out["verdict"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
