"""An office that upgrades (docs/operations.md "Upgrading"): a database made by an earlier release and filled the
way that release filled it, for days, then opened by today's code, end to end.

The rows are written as that release's own code wrote them, not as today's would: the first release (schema
m001 only; commit 354022a, server/store.py Tx.insert_ticket/save_ticket/add_event and server/commands.py
QueueService._change) kept no durations, no lanes, no first start, no mails; a transfer cleared started_at and
started the service afresh at the new service; the end of the day expired what was waiting or called, the next
morning. The release before m019 (fe06aa3) added mails, accounts' full names, the survey and its complaints.
Both were checked once against databases their own code filled (git archive of those commits, driven through
their QueueService and HTTP API): today's pages read them alike.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest
from conftest import Clock, cheap_hash, visitor, write_config
from live import server_command
from sqlite_utils import Database

from server.app import create_app
from server.core import visitor_key
from server.store import migrations

A, B, C = "Konsultasi Penyedia", "Konsultasi Non-Penyedia (PPK/Pokja/PP)", "Registrasi & Verifikasi Akun"
COUNTERS = ((1, "Loket 1", ["A", "C"]), (2, "Loket 2", ["A", "B"]), (3, "Loket 3", ["B", "C"]))
TODAY = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)  # 09:00 WIB, months after the last day of the old release
PASSWORDS = {"admin": "rahasia-admin", "budi": "rahasia-budi", "sari": "rahasia-sari", "rina": "rahasia-rina"}


def utc(day: str, hh_mm: str) -> str:
    """A local (WIB) time of `day` as the store writes it: UTC, isoformat."""
    local = datetime.fromisoformat(f"{day}T{hh_mm}:00+07:00")
    return local.astimezone(UTC).isoformat()


class OldRelease:
    """Writes rows as an earlier release's store did: each ticket change is an UPDATE of the row (version + 1)
    and an event whose data is {"from", "to", "calls", ...} (QueueService._change); the columns of later
    migrations are left as the migrations found them."""

    def __init__(self, db: Database, derived: bool = False):
        self.db = db
        self.derived = derived  # the release before m019 wrote m008's durations and m013's lanes with each row

    def event(self, type_: str, at: str, day: str, ticket_id: int | None, counter_id: int | None, actor: str, data):
        self.db.execute(
            "INSERT INTO events (at, day, type, ticket_id, counter_id, actor, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [at, day, type_, ticket_id, counter_id, actor, json.dumps(data, ensure_ascii=False)],
        )

    def issue(self, day: str, service: str, number: int, at: str, name: str, **kw) -> int:
        (position,) = self.db.execute(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM tickets WHERE day = ?", [day]
        ).fetchone()
        row = {
            "day": day,
            "service": service,
            "number": number,
            "label": f"{service}-{number:03d}",
            "token": f"tok{day.replace('-', '')}{service}{number}",
            "status": "waiting",
            "priority": int(kw.get("priority", False)),
            "position": float(position),
            "calls": 0,
            "requeues": 0,
            "counter_id": None,
            "created_at": at,
            "category": kw.get("category", "pertanyaan"),
            **{k: None for k in ("first_called_at", "last_called_at", "started_at", "finished_at", "closed_at")},
            **{k: "" for k in ("priority_class", "solution", "officer", "escalation_note", "lkpp_ticket")},
            **{k: "" for k in ("lkpp_answer", "transferred_from")},
        }
        cur = self.db.execute(
            f"INSERT INTO tickets ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values())
        )
        tid = cur.lastrowid
        self.db.execute(
            "INSERT INTO forms (ticket_id, name, agency, address, phone, problem) VALUES (?, ?, ?, ?, ?, ?)",
            [tid, name, "Dinas PU", "Jl. Mawar 3", "081234567890", f"Masalah {name}"],
        )
        self.event("issued", at, day, tid, None, "kiosk", {})
        job = self.db.execute(
            "INSERT INTO print_jobs (ticket_id, printer, kind, status, attempts, next_attempt_at, created_at,"
            " printed_at) VALUES (?, 'kiosk', 'ticket', 'printed', 1, ?, ?, ?)",
            [tid, at, at, at],
        ).lastrowid
        self.event(
            "printed",
            at,
            day,
            tid,
            None,
            "printer",
            {"job": job, "printer": "kiosk", "kind": "ticket", "error": None, "attempts": 1, "final": False},
        )
        return tid

    def change(self, tid: int, type_: str, at: str, counter: int | None, actor: str, data=None, day=None, **fields):
        """One command's change of a ticket, logged on the office's day it ran (`day`; the ticket's by default)."""
        status, ticket_day = self.db.execute("SELECT status, day FROM tickets WHERE id = ?", [tid]).fetchone()
        if fields:
            sets = ", ".join(f"{k} = ?" for k in fields)
            self.db.execute(f"UPDATE tickets SET {sets}, version = version + 1 WHERE id = ?", [*fields.values(), tid])
        new = self.db.execute("SELECT status, calls FROM tickets WHERE id = ?", [tid]).fetchone()
        if self.derived:  # as that release's ticket_to_row: m008's durations, m013's lanes, on every write
            self.db.execute(
                "UPDATE tickets SET waiting_ms = CAST(ROUND((julianday(first_called_at) - julianday(created_at))"
                " * 86400000) AS INTEGER), response_ms = CAST(ROUND((julianday(started_at) -"
                " julianday(first_called_at)) * 86400000) AS INTEGER), service_ms = CAST(ROUND((julianday(finished_at)"
                " - julianday(started_at)) * 86400000) AS INTEGER), priority_lane = priority, queue_requeues ="
                " requeues WHERE id = ?",
                [tid],
            )
        self.event(
            type_,
            at,
            day or ticket_day,
            tid,
            counter,
            actor,
            {"from": status, "to": new[0], "calls": new[1], **(data or {})},
        )

    # the counter's actions, as core.py of that release changed the ticket
    def call(self, tid, counter, at, officer, calls=1):
        first = self.db.execute("SELECT first_called_at FROM tickets WHERE id = ?", [tid]).fetchone()[0]
        self.change(
            tid,
            "called",
            at,
            counter,
            officer,
            status="called",
            counter_id=counter,
            calls=calls,
            first_called_at=first or at,
            last_called_at=at,
        )

    def recall(self, tid, counter, at, officer, calls):
        self.change(tid, "recalled", at, counter, officer, calls=calls, last_called_at=at)

    def start(self, tid, counter, at, officer):
        self.change(tid, "started", at, counter, officer, status="serving", started_at=at, officer=officer)

    def finish(self, tid, counter, at, officer, status, **fields):
        self.change(tid, status, at, counter, officer, status=status, finished_at=at, **fields)

    def transfer(self, tid, counter, at, officer, frm, to, position=None):
        if position is None:  # the first release's core.front_position: ahead of the new service's line (ties too)
            (day,) = self.db.execute("SELECT day FROM tickets WHERE id = ?", [tid]).fetchone()
            (head,) = self.db.execute(
                "SELECT MIN(position) FROM tickets WHERE day = ? AND service = ? AND status = 'waiting'", [day, to]
            ).fetchone()
            position = head - 1.0 if head is not None else 0.0
        self.change(
            tid,
            "transferred",
            at,
            counter,
            officer,
            {"service_from": frm, "service_to": to},
            status="waiting",
            service=to,
            counter_id=None,
            calls=0,
            position=position,
            started_at=None,
            transferred_from=frm,
        )


def old_database(path, stop_before: str, derived: bool = False) -> tuple[Database, OldRelease]:
    db = Database(path)
    migrations.apply(db, stop_before=stop_before)
    for i, name, services in COUNTERS:  # Tx.sync_counters
        db.execute("INSERT INTO counters (id, name, services) VALUES (?, ?, ?)", [i, name, json.dumps(services)])
    for username, role in (("admin", "admin"), ("budi", "officer"), ("sari", "officer"), ("rina", "frontoffice")):
        db.execute(  # a werkzeug hash, as the first release's hash_password (its default method; a cheap one here)
            "INSERT INTO users (username, password_hash, role, counter_id, active, created_at) VALUES (?, ?, ?, ?,"
            " 1, ?)",
            [username, cheap_hash(PASSWORDS[username]), role, None, "2026-08-31T02:00:00+00:00"],
        )
    return db, OldRelease(db, derived)


def first_release_day(old: OldRelease, day: str, last: bool = False) -> None:
    """One day of the first release: every way a visit ended. The last day before the upgrade was never
    expired (the server was stopped that evening and upgraded)."""
    t = lambda hh_mm: utc(day, hh_mm)  # noqa: E731
    a1 = old.issue(day, "A", 1, t("08:00"), "Ani")
    b1 = old.issue(day, "B", 1, t("08:01"), "Bayu", category="pengaduan")
    b2 = old.issue(day, "B", 2, t("08:02"), "Citra")
    c1 = old.issue(day, "C", 1, t("08:03"), "Dedi", priority=True)
    a2 = old.issue(day, "A", 2, t("08:04"), "Eka")
    a3 = old.issue(day, "A", 3, t("08:05"), "Fajar")
    a4 = old.issue(day, "A", 4, t("08:06"), "Gita")
    c2 = old.issue(day, "C", 2, t("08:07"), "Hadi")
    b3 = old.issue(day, "B", 3, t("08:08"), "Intan")
    # resolved, and the visitor's copy printed on the counter's printer a minute later
    old.call(c1, 1, t("08:10"), "budi")
    old.start(c1, 1, t("08:11"), "budi")
    old.finish(
        c1, 1, t("08:22"), "budi", "resolved", solution="Akun diverifikasi", category="konsultasi", priority_class="P3"
    )
    job = old.db.execute(
        "INSERT INTO print_jobs (ticket_id, printer, kind, status, attempts, next_attempt_at, created_at, printed_at)"
        " VALUES (?, 'loket', 'form', 'printed', 1, ?, ?, ?)",
        [c1, t("08:22"), t("08:22"), t("08:23")],
    ).lastrowid
    old.event("form_print", t("08:22"), day, c1, 1, "budi", {"job": job})
    old.call(a1, 2, t("08:20"), "sari")
    old.start(a1, 2, t("08:21"), "sari")
    old.finish(a1, 2, t("08:29"), "sari", "resolved", solution="Dijelaskan tata cara", priority_class="P2")
    # escalated, then closed with LKPP's answer and number; escalated and still open
    old.call(b1, 3, t("08:30"), "budi")
    old.start(b1, 3, t("08:31"), "budi")
    old.finish(
        b1, 3, t("08:52"), "budi", "escalated", escalation_note="Perlu LKPP", category="pengaduan", priority_class="P1"
    )
    old.change(
        b1,
        "closed",
        t("08:53"),
        None,
        "rina",
        status="closed",
        lkpp_answer="Sudah diperbaiki LKPP",
        lkpp_ticket="TTS-0099",
        closed_at=t("08:53"),
    )
    old.call(b2, 3, t("08:53"), "budi")
    old.start(b2, 3, t("08:54"), "budi")
    old.finish(b2, 3, t("09:00"), "budi", "escalated", escalation_note="Menunggu LKPP")
    # called three times, skipped (requeued behind the next), called three times again: no-show
    old.call(a2, 1, t("09:01"), "budi")
    old.recall(a2, 1, t("09:02"), "budi", 2)
    old.recall(a2, 1, t("09:03"), "budi", 3)
    old.change(
        a2,
        "skipped",
        t("09:04"),
        1,
        "budi",
        {"requeues": 1},
        status="waiting",
        counter_id=None,
        calls=0,
        requeues=1,
        position=6.5,
    )
    # served at A for 4 minutes, transferred to C (ahead of C's line), served there for 10 and resolved
    old.call(a3, 1, t("09:05"), "budi")
    old.start(a3, 1, t("09:06"), "budi")
    old.transfer(a3, 1, t("09:10"), "budi", "A", "C")  # C-002's place less one: A-004's (a tie, m013)
    old.call(a3, 3, t("09:30"), "budi")
    old.start(a3, 3, t("09:31"), "budi")
    old.finish(a3, 3, t("09:41"), "budi", "resolved", solution="Diteruskan dan selesai")
    # served at A for 7 minutes, transferred to B, called there and never came
    old.call(a4, 2, t("09:11"), "sari")
    old.start(a4, 2, t("09:12"), "sari")
    old.transfer(a4, 2, t("09:19"), "sari", "A", "B")
    old.call(a2, 1, t("09:20"), "budi")
    old.recall(a2, 1, t("09:21"), "budi", 2)
    old.recall(a2, 1, t("09:22"), "budi", 3)
    old.change(
        a2, "no_show", t("09:23"), 1, "budi", {"requeues": 1}, status="no_show", counter_id=None, finished_at=t("09:23")
    )
    old.call(a4, 3, t("09:45"), "budi")
    old.change(c2, "cancelled", t("09:46"), None, "rina", status="cancelled", counter_id=None, finished_at=t("09:46"))
    if last:
        return  # b3 waiting and a4 called when the server was stopped for the upgrade
    morning = (datetime.fromisoformat(day) + timedelta(days=1)).date().isoformat()
    for tid in (a4, b3):  # QueueService.expire_old, the next morning
        at = utc(morning, "07:30")
        (counter,) = old.db.execute("SELECT counter_id FROM tickets WHERE id = ?", [tid]).fetchone()
        old.change(
            tid, "expired", at, counter, "system", day=morning, status="expired", counter_id=None, finished_at=at
        )


def counts(path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables if not t.startswith("_")}


def upgraded_app(tmp_path):
    """Today's app on the old database (its first start: the pending migrations, after a copy)."""
    cfg = write_config(tmp_path)
    clock = Clock()
    clock.now = TODAY
    app = create_app(cfg, workers=False, clock=clock)
    made.append(app)
    return app, cfg


made: list = []  # the apps upgraded_app made: stopped and their database closed after the test


@pytest.fixture(autouse=True)
def _close_upgraded_apps():
    yield
    while made:
        service = made.pop().extensions["antrian"]
        service.stop()
        service.store.close()


def rows_of(path, sql: str, params=()) -> list[tuple]:
    """The rows of a query on the database file, on a connection of its own, closed."""
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql, params).fetchall()


def sign_in(app, username: str):
    client = app.test_client()
    r = client.post("/api/login", json={"username": username, "password": PASSWORDS[username]})
    assert r.status_code == 200, r.get_json()  # the old release's password hash still opens the account
    return client, {"X-CSRFToken": r.get_json()["csrf_token"]}


def serve_today(app) -> None:
    """The queue works on after the upgrade: a number taken at the kiosk, called, served, resolved."""
    kiosk = app.test_client()
    r = kiosk.post("/api/tickets", json=visitor())
    assert r.status_code == 201, r.get_json()
    ticket = r.get_json()["ticket"]
    assert (ticket["label"], ticket["day"]) == ("A-001", "2026-12-04")  # today's numbering starts afresh
    client, h = sign_in(app, "budi")
    for action, body in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Selesai hari ini"})):
        r = client.post(f"/api/counters/1/{action}", json=body, headers=h)
        assert r.status_code == 200 and r.get_json()["ticket"]["label"] == "A-001", (action, r.get_json())
    recap = client.get("/api/recap?from=2026-12-04&to=2026-12-04").get_json()["rows"]
    assert [(r["No. Antrian"], r["Solusi"]) for r in recap] == [("A-001", "Selesai hari ini")]


DAYS = ("2026-09-01", "2026-09-02")
GUESTBOOK = [  # (No. Antrian, Layanan, Keterangan) of each day, in the order the numbers were taken
    ("A-001", A, "dilayani — selesai"),
    ("B-001", B, "dilayani — eskalasi ke Helpdesk LKPP, dijawab LKPP"),
    ("B-002", B, "dilayani — eskalasi ke Helpdesk LKPP"),
    ("C-001", C, "dilayani — selesai"),
    ("A-002", A, "tidak hadir saat dipanggil"),
    ("A-003", A, f"dialihkan ke {C}; dilayani — selesai"),
    ("A-004", A, f"dialihkan ke {B}; kedaluwarsa (tutup hari)"),
    ("C-002", C, "dibatalkan"),
    ("B-003", B, "kedaluwarsa (tutup hari)"),
]


def test_a_database_of_the_first_release_with_its_days_is_read_whole_by_every_page_and_the_queue_goes_on(tmp_path):
    path = tmp_path / "antrian.db"
    db, old = old_database(path, "m002_escalation_mail")
    first_release_day(old, DAYS[0])
    first_release_day(old, DAYS[1], last=True)
    db.conn.commit()
    db.close()
    before = counts(path)
    forms_before = rows_of(path, "SELECT * FROM forms ORDER BY ticket_id")

    app, cfg = upgraded_app(tmp_path)
    after = counts(path)
    assert {t: after[t] for t in before} == before  # nothing lost
    forms_after = rows_of(path, "SELECT * FROM forms ORDER BY ticket_id")
    assert [f[:6] for f in forms_after] == forms_before  # the visitors' words as they were written
    # m028: each form's folded name and agency, for the counter's earlier visits
    assert [f[6] for f in forms_after] == [visitor_key(f[1], f[2]) for f in forms_before]
    assert (tmp_path / "antrian.db.before-m002_escalation_mail").exists()
    service = app.extensions["antrian"]
    assert service.queue.expire_old() == 2  # the last old day's waiting and called tickets, at the first start

    # the durations and stretches the migrations derived from the old rows and events
    rows = {
        (r[0], r[1]): r[2:]
        for r in rows_of(
            path,
            "SELECT day, label, status, service, first_started_at, served_before_ms, response_ms, service_ms, copy_ms"
            " FROM tickets",
        )
    }
    for day in DAYS:
        assert rows[(day, "A-003")] == ("resolved", "C", utc(day, "09:06"), 240_000, 60_000, 840_000, None)
        assert rows[(day, "A-004")][:2] == ("expired", "B") and rows[(day, "A-004")][3:] == (
            420_000,
            60_000,
            420_000,
            None,
        )
        assert rows[(day, "C-001")][-1] == 60_000  # the copy's time from its form print job (m023)

    client, _ = sign_in(app, "sari")
    span = f"from={DAYS[0]}&to={DAYS[1]}"
    # the recap: the served, and those served before a transfer and never at the new service
    recap = client.get(f"/api/recap?{span}").get_json()["rows"]
    served = ["C-001", "A-001", "B-001", "B-002", "A-003", "A-004"]
    assert [(r["Tanggal"], r["No. Antrian"]) for r in recap] == [(d, label) for d in DAYS for label in served]
    closed = next(r for r in recap if r["No. Antrian"] == "B-001")
    assert closed["Solusi"] == "Perlu LKPP\nJawaban LKPP: Sudah diperbaiki LKPP"
    assert closed["Keterangan"] == "Pengaduan; Eskalasi LKPP, dijawab; Tiket LKPP TTS-0099"
    assert closed["Petugas"] == "budi"
    # the guest book: every visitor, the service they came for, what became of the visit
    book = client.get(f"/api/guestbook?{span}").get_json()["rows"]
    assert [(r["Tanggal"], r["No. Antrian"], r["Layanan"], r["Keterangan"]) for r in book] == [
        (d, *row) for d in DAYS for row in GUESTBOOK
    ]
    assert book[0]["Jam"] == "08.00" and book[0]["Nama"] == "Ani"
    recap_page = client.get(f"/counter/recap?{span}").get_data(as_text=True)
    assert "Fajar" in recap_page and "TTS-0099" in recap_page
    book_page = client.get(f"/counter/guestbook?{span}").get_data(as_text=True)
    assert "Intan" in book_page and "dialihkan ke Registrasi &amp; Verifikasi Akun" in book_page

    # the figures, summed from the tickets and then from the kept days: the same
    def figures():
        return client.get(f"/api/figures?{span}&group=day").get_json()

    summed = figures()
    for g in summed["groups"]:
        got = {k: g[k] for k in ("tickets", "served", "no_show", "cancelled", "expired", "in_play", "requeued")}
        assert got == {
            "tickets": 9,
            "served": 5,
            "no_show": 1,
            "cancelled": 1,
            "expired": 2,
            "in_play": 0,
            "requeued": 1,
        }, g["key"]
        assert (g["escalated"], g["service"]["n"], g["copy"]["n"], g["response"]["n"]) == (2, 6, 1, 6)
    assert service.upkeep.keep_figures() == 2
    assert figures() == summed
    dashboard = client.get(f"/counter/dashboard?{span}").get_data(as_text=True)
    assert "dibatalkan 2 · tidak terlayani sampai tutup hari itu 4 · masih berjalan 0" in dashboard

    # the A4 form of the case LKPP answered; a transferred ticket's history
    token = f"tok{DAYS[0].replace('-', '')}B1"
    form = client.get(f"/counter/form/{token}").get_data(as_text=True)
    for text in ("Masalah Bayu", "Perlu LKPP", "TTS-0099", "Sudah diperbaiki LKPP", "budi", "Loket 3"):
        assert text in form, text
    history = client.get(f"/api/tickets/tok{DAYS[0].replace('-', '')}A3/history").get_json()["events"]
    assert [e["type"] for e in history] == [
        "issued",
        "printed",
        "called",
        "started",
        "transferred",
        "called",
        "started",
        "resolved",
    ]
    assert history[4]["data"]["service_to"] == "C"
    # the open escalations (no mail in that release), SKM and complaints with no survey yet
    open_cases = client.get("/api/escalations").get_json()["escalations"]
    assert [(e["day"], e["label"], e["mail"]) for e in open_cases] == [(d, "B-002", None) for d in DAYS]
    assert client.get(f"/api/skm?{span}").get_json()["respondents"] == 0
    assert client.get(f"/api/complaints?{span}").get_json()["complaints"] == []
    for page in ("/counter/", "/counter/front", "/counter/escalations", "/counter/skm", "/counter/complaints"):
        assert client.get(page).status_code == 200, page

    # the monthly archive of those days
    out = tmp_path / "arsip"
    r = server_command(["archive", "--month", "2026-09", "--out", str(out), "--config", str(cfg)], timeout=120)
    assert r.returncode == 0, r.stderr
    assert "it holds 18 tickets" in r.stdout and "12 recap rows" in r.stdout, r.stdout
    with zipfile.ZipFile(out / "arsip-2026-09.zip") as zf:
        assert {"rekap-2026-09.csv", "bukutamu-2026-09.xlsx", "antrian-2026-09.json"} <= set(zf.namelist())
        kept = json.loads(zf.read("antrian-2026-09.json"))
        assert len(kept["tickets"]) == 18
        assert "Registrasi & Verifikasi Akun" in zf.read("bukutamu-2026-09.csv").decode("utf-8-sig")

    serve_today(app)


def test_a_database_of_the_release_before_m019_with_mails_names_and_surveys_is_read_whole(tmp_path):
    """The release before m019: durations and lanes with each row, mails (one sent, one waiting), an officer's
    full name and NIP, survey responses with a complaint answered before complaints had a history (m020) and
    before wordings were kept (m021)."""
    path = tmp_path / "antrian.db"
    db, old = old_database(path, "m019_service_across_transfers", derived=True)
    db.execute("UPDATE users SET full_name = 'Budi Hartono', nip = '198001012005011001' WHERE username = 'budi'")
    day = "2026-10-05"
    t = lambda hh_mm: utc(day, hh_mm)  # noqa: E731
    a1 = old.issue(day, "A", 1, t("08:00"), "Ani")
    b1 = old.issue(day, "B", 1, t("08:01"), "Bayu")
    b2 = old.issue(day, "B", 2, t("08:02"), "Citra")
    a2 = old.issue(day, "A", 2, t("08:03"), "Dedi")
    old.call(a1, 1, t("08:10"), "budi")
    old.start(a1, 1, t("08:11"), "budi")
    old.finish(a1, 1, t("08:20"), "budi", "resolved", solution="Reset")
    for tid, start, done, note in ((b1, "08:31", "08:40", "Perlu LKPP"), (b2, "08:41", "08:50", "Menunggu LKPP")):
        old.call(tid, 3, t(start), "budi")
        old.start(tid, 3, t(start), "budi")
        old.finish(tid, 3, t(done), "budi", "escalated", escalation_note=note)
        old.db.execute(
            "INSERT INTO mails (ticket_id, kind, status, attempts, subject, next_attempt_at, created_at, sent_at)"
            " VALUES (?, 'escalation', ?, ?, ?, ?, ?, ?)",
            [
                tid,
                "sent" if tid == b1 else "retrying",
                1,
                f"[Eskalasi] {note}",
                t(done),
                t(done),
                t("08:42") if tid == b1 else None,
            ],
        )
    old.change(
        b1,
        "closed",
        t("09:40"),
        None,
        "budi",
        status="closed",
        lkpp_answer="Sudah diperbaiki LKPP",
        closed_at=t("09:40"),
    )
    # served 5 minutes at A, transferred to B, served 10 there (the release before m019 restarted the service)
    old.call(a2, 2, t("09:00"), "sari")
    old.start(a2, 2, t("09:01"), "sari")
    old.transfer(a2, 2, t("09:06"), "sari", "A", "B", 0.5)
    old.call(a2, 3, t("09:10"), "budi")
    old.start(a2, 3, t("09:11"), "budi")
    old.finish(a2, 3, t("09:21"), "budi", "resolved", solution="Selesai di B")
    scores = ", ".join(f"u{i}" for i in range(1, 10))
    for rid, (tid, service, counter, score, text) in enumerate(
        ((a1, "A", 1, 4, "Antrian terlalu lama"), (a2, "B", 3, 3, None)), start=1
    ):
        old.db.execute(
            f"INSERT INTO survey_responses (id, ticket_id, day, service, counter_id, channel, {scores}, suggestion,"
            f" created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'phone', {', '.join('?' * 9)}, ?, ?, ?)",
            [rid, tid, day, service, counter, *[score] * 9, text, t("09:30"), t("09:30")],
        )
        old.event(
            "survey_answered",
            t("09:30"),
            day,
            tid,
            None,
            "visitor",
            {"response_id": rid, "corrected": False, "complaint": bool(text)},
        )
    old.db.execute(
        "UPDATE survey_responses SET answer = 'Mohon maaf, akan kami perbaiki', answered_by = 'admin', answered_at = ?"
        " WHERE id = 1",
        [t("10:00")],
    )
    old.event("complaint_answered", t("10:00"), day, a1, None, "admin", {"complaint_id": 1, "again": False})
    db.conn.commit()
    db.close()
    before = counts(path)

    app, _ = upgraded_app(tmp_path)
    after = counts(path)
    assert {k: after[k] for k in before} == before
    (moved,) = rows_of(
        path, "SELECT first_started_at, served_before_ms, response_ms, service_ms FROM tickets WHERE id = ?", [a2]
    )
    assert moved == (t("09:01"), 300_000, 60_000, 900_000)  # both stretches served (m019)

    client, _ = sign_in(app, "sari")
    span = f"from={day}&to={day}"
    recap = client.get(f"/api/recap?{span}").get_json()["rows"]
    assert [(r["No. Antrian"], r["Petugas"]) for r in recap] == [
        ("A-001", "Budi Hartono"),
        ("B-001", "Budi Hartono"),
        ("B-002", "Budi Hartono"),
        ("A-002", "Budi Hartono"),
    ]
    book = client.get(f"/api/guestbook?{span}").get_json()["rows"]
    assert [(r["No. Antrian"], r["Layanan"], r["Keterangan"]) for r in book][-1] == (
        "A-002",
        A,
        f"dialihkan ke {B}; dilayani — selesai",
    )
    (g,) = client.get(f"/api/figures?{span}&group=day").get_json()["groups"]
    assert (g["served"], g["escalated"], g["escalation"]["n"], g["escalation"]["max_s"]) == (4, 2, 1, 120.0)
    assert (g["service"]["n"], g["service"]["max_s"]) == (4, 900.0)
    # the escalation still waiting for LKPP: its mail's state, signed with the account's name now (m026)
    (case,) = client.get("/api/escalations").get_json()["escalations"]
    assert (case["label"], case["mail"]["status"]) == ("B-002", "retrying")
    assert "Pemberi penjelasan: Budi Hartono (NIP. 19800101 200501 1 001)" in case["copy_text"]
    # SKM and the complaint answered before m020/m021
    skm = client.get(f"/api/skm?{span}").get_json()
    assert (skm["respondents"], skm["ikm"]) == (2, 87.5)
    (complaint,) = client.get(f"/api/complaints?{span}").get_json()["complaints"]
    assert (complaint["label"], complaint["text"], complaint["answer"], complaint["status"]) == (
        "A-001",
        "Antrian terlalu lama",
        "Mohon maaf, akan kami perbaiki",
        "answered",
    )
    assert complaint["text_at"] == t("09:30")
    html = client.get(f"/counter/skm?{span}").get_data(as_text=True)
    assert "Antrian terlalu lama" in html and "Mohon maaf, akan kami perbaiki" in html
    assert client.get("/counter/complaints").status_code == 200

    serve_today(app)
    # who signs the form (m027): the tickets of before kept no signer and are signed as the account is now;
    # today's keeps the name and NIP it was signed with
    with closing(sqlite3.connect(path)) as conn:
        kept = conn.execute("SELECT day, signer_name, signer_nip FROM tickets WHERE signer_name IS NOT NULL").fetchall()
        (today,) = conn.execute("SELECT token FROM tickets WHERE day = '2026-12-04'").fetchone()
    assert kept == [("2026-12-04", "Budi Hartono", "198001012005011001")]
    admin, ah = sign_in(app, "admin")
    r = admin.post("/api/admin/users/budi/profile", json={"full_name": "Budi Hartono Saputra", "nip": ""}, headers=ah)
    assert r.status_code == 200, r.get_json()
    recap = admin.get(f"/api/recap?from={day}&to=2026-12-04").get_json()["rows"]
    assert [r["Petugas"] for r in recap] == ["Budi Hartono Saputra"] * 4 + ["Budi Hartono"]
    page = admin.get(f"/counter/form/{today}").get_data(as_text=True)
    assert "( Budi Hartono )" in page and "NIP. 19800101 200501 1 001" in page
    page = admin.get("/counter/form/tok20261005A1").get_data(as_text=True)
    assert "( Budi Hartono Saputra )" in page and "NIP. ......" in page
