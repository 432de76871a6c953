"""The server PC's clock is wrong, or is stepped while the server runs (docs/operations.md, "Jam PC server"), on a real
server whose clock a test moves both ways (tests/clockserver.py):

- stepped BACK an hour during the day (NTP correcting a PC's clock that ran fast, an admin's hand), tickets already
  called and served: a service that ended "before" it started, a visitor called "before" the number was taken, kept
  negative durations that the dashboard averaged (a mean service time of -16 minutes, counted within the SOP's
  standard), exported in its CSV and XLSX, and that shortened the visitors' estimated wait. Such a time is now not
  measured. The calling order (by queue position) and the labels (per day) never depended on the clock; the guest
  book, "in the order the numbers were taken", listed the numbers taken after the step first (by their time);
- a clock behind the newest record by more than 10 minutes is said at the start (`serve`'s output, the log) and on
  every staff page (counter, front office, admin), Indonesian first, with both times and what to do, and goes away by
  itself once the clock is right; a few minutes behind is not said;
- a server started on a dead CMOS battery's date (years behind yesterday's tickets): nothing said anywhere, and the
  kiosk issued numbers "of 2000" that the day's turn expired, their visitors still waiting, once NTP set the clock
  right (its next number was A-001 again, a label already in someone's hand). Now no number is issued while the
  server's date is before 2026-01-01 (409 clock_wrong), and issuing goes on once it is right; a date behind the newest
  record but after that is said only (records made while the clock ran ahead look the same, and must not stop the
  office until their date).
"""

from __future__ import annotations

import csv
import io
import time
from datetime import datetime

import pytest
import requests
from conftest import visitor, write_config
from live import ClockedServer
from playwright.sync_api import expect
from staffpages import PASSWORD, open_front, sign_in, staffed

LOOK = {"workers.DISK_SECONDS": 0.3}  # the maintenance loop's look at the disk and the clock: 30 s in production
YEARS_BACK = (26 * 365 + 7) * 86400  # a PC booted on its BIOS's date, 26 years and a few days before today


def until(what, seconds: float = 10.0):
    """`what()` once it is truthy, asked again until `seconds` have passed (then the last answer, for the assert)."""
    deadline = time.monotonic() + seconds
    while True:
        answer = what()
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


def staff_clock(server, session) -> dict | None:
    """The staff state's `disk.clock` now (None: the clock is not behind)."""
    return session.get(server.url + "/api/staff/state", timeout=5).json()["disk"]["clock"]


def act(session, server, action: str, counter: int = 1, **body) -> dict:
    r = session.post(f"{server.url}/api/counters/{counter}/{action}", json=body, timeout=5)
    assert r.status_code == 200, r.text
    return r.json()["ticket"]


def measures(figures: dict) -> dict[str, dict]:
    """The day's measures of the figures' total that have a mean (waiting, response, service ...)."""
    return {name: m for name, m in figures["total"].items() if isinstance(m, dict) and "mean_s" in m}


@pytest.fixture
def stepped(tmp_path):
    server = staffed(ClockedServer(write_config(tmp_path), tick=0.1, numbers=LOOK).start())
    yield server
    server.stop()


def test_a_clock_stepped_back_an_hour_leaves_no_negative_time_and_is_said_while_it_lasts(stepped):
    server = stepped
    officer = server.session("budi", PASSWORD)
    admin = server.session("kepala", PASSWORD)
    for name in ("Satu", "Dua"):
        assert requests.post(server.url + "/api/tickets", json=visitor(name=name), timeout=5).status_code == 201
    assert act(officer, server, "call-next")["label"] == "A-001"
    server.advance(120)
    act(officer, server, "start")
    server.advance(600)
    server.advance(-3600)  # NTP steps back a clock an hour fast: A-001's service "ends" 50 minutes before it started
    act(officer, server, "resolve", solution="Kata sandi direset.")
    r = requests.post(server.url + "/api/tickets", json=visitor(name="Tiga"), timeout=5)
    assert r.status_code == 201 and r.json()["ticket"]["label"] == "A-003", r.text  # an hour behind: still issued
    nxt = act(officer, server, "call-next")  # "called" 50 minutes before its number was taken
    assert nxt["label"] == "A-002"  # the order is the queue's positions, not the times
    act(officer, server, "start")
    server.advance(300)
    act(officer, server, "resolve", solution="Dijelaskan.")

    day = officer.get(server.url + "/api/staff/state", timeout=5).json()["day"]
    figures = officer.get(f"{server.url}/api/figures?from={day}&to={day}", timeout=5).json()
    got = measures(figures)
    for name, m in got.items():
        assert all(v is None or v >= 0 for v in (m["mean_s"], m["max_s"])), (name, m)
    # A-001's service and A-002's wait are not known: not measured, not averaged as negatives
    assert got["service"]["n"] == 1 and got["service"]["mean_s"] == pytest.approx(300, abs=2)
    assert got["waiting"]["n"] == 1 and got["waiting"]["mean_s"] == pytest.approx(0, abs=2)
    table = officer.get(f"{server.url}/api/figures?from={day}&to={day}&format=csv", timeout=5).text
    for row in csv.reader(io.StringIO(table.lstrip("\ufeff"))):
        assert not any(cell.startswith("-") for cell in row), row
    # the guest book in the order the numbers were taken (A-003's "08.xx" after A-002's "09.00"), as it says
    book = officer.get(f"{server.url}/api/guestbook?from={day}&to={day}", timeout=5).json()["rows"]
    assert [row["No. Antrian"] for row in book] == ["A-001", "A-002", "A-003"], book
    # the phone's estimated wait is made of the recent service times: none negative among them
    wait = requests.get(server.url + "/api/state", timeout=5).json()["services"][0]["estimated_wait_s"]
    assert wait > 0

    # an hour behind the newest record: the staff are told, in both languages, with both times
    behind = until(lambda: staff_clock(server, admin))
    assert behind is not None and behind["refusing"] is False, behind
    assert "Jam PC server tertinggal" in behind["message"]["id"]
    assert "Periksa tanggal dan jam PC server" in behind["message"]["id"]
    assert "The server PC's clock is behind" in behind["message"]["en"]
    # five minutes behind (NTP's usual correction) is not said: the notice goes once the clock is that close
    gap = datetime.fromisoformat(behind["newest"]) - datetime.fromisoformat(behind["now"])
    server.advance(gap.total_seconds() - 300)
    assert until(lambda: staff_clock(server, admin) is None), staff_clock(server, admin)
    assert "the server PC's clock is right again" in server.log()


@pytest.mark.browser
def test_a_server_started_years_behind_its_records_says_so_issues_no_number_and_recovers_by_itself(tmp_path, browser):
    config = write_config(tmp_path)
    first = staffed(ClockedServer(config, numbers=LOOK).start())
    for name in ("Kemarin Satu", "Kemarin Dua"):  # still waiting when the PC was switched off
        assert requests.post(first.url + "/api/tickets", json=visitor(name=name), timeout=5).status_code == 201
    first.stop()

    server = ClockedServer(config, tick=0.1, dated=True, numbers=LOOK)
    server.advance(-YEARS_BACK)  # the PC boots on its BIOS's date; the server starts before the network
    server.start()
    try:
        # said at the start, in Indonesian first, and in the log
        out = " ".join(server.log().split())  # the lines wrapped to a terminal's 80 columns, joined
        assert "Jam PC server tertinggal" in out and "The server PC's clock is behind" in out, out
        assert out.index("Jam PC server tertinggal") < out.index("The server PC's clock is behind")
        assert "Nomor antrian tidak dikeluarkan sampai tanggalnya benar" in out
        assert "is behind the newest record" in out  # the log's warning
        admin = server.session("kepala", PASSWORD)
        behind = staff_clock(server, admin)
        assert behind is not None and behind["refusing"] is True and behind["newest_day"] > behind["day"], behind
        # no number of that wrong day: it would be expired, its visitor waiting, once the clock is set right
        r = requests.post(server.url + "/api/tickets", json=visitor(name="Pagi"), timeout=5)
        assert r.status_code == 409 and r.json()["error"] == "clock_wrong", r.text

        said = "Jam PC server tertinggal"
        counter = sign_in(browser.new_page(viewport={"width": 1366, "height": 768}), server, "/counter/", "budi")
        expect(counter.locator("#clock-alert")).to_be_visible()
        expect(counter.locator("#clock-alert")).to_contain_text(said)
        expect(counter.locator("#clock-alert")).to_contain_text("tanggal dan jam PC server")
        front = open_front(browser, server)
        expect(front.locator("#alerts")).to_contain_text(said)
        admin_page = sign_in(
            browser.new_page(viewport={"width": 1366, "height": 768}), server, "/counter/admin", "kepala"
        )
        expect(admin_page.locator("#disk-alert")).to_contain_text(said)

        server.advance(YEARS_BACK)  # timesyncd steps the clock to the true date
        expect(counter.locator("#clock-alert")).to_be_hidden(timeout=10000)  # by itself: no reload, no restart
        expect(counter.locator("body")).to_have_attribute("data-view", "app")  # gone from the page, not logged out
        expect(admin_page.locator("#disk-alert")).to_be_empty(timeout=10000)
        expect(admin_page.locator("body")).to_have_attribute("data-view", "app")
        expect(front.locator("#alerts")).not_to_contain_text(said, timeout=10000)
        r = requests.post(server.url + "/api/tickets", json=visitor(name="Pagi"), timeout=5)
        assert r.status_code == 201 and r.json()["ticket"]["label"] == "A-003", r.text  # after yesterday's two
        for page in (counter, front, admin_page):
            page.context.close()
    finally:
        server.stop()


def test_records_made_while_the_clock_ran_ahead_do_not_stop_the_office_once_it_is_set_right(stepped):
    """An admin typed the date a month ahead (`sudo date -s "2027-…"`), a visitor took a number, and the date was set
    right: every number was then refused (409) until that date a month later, the staff told the clock was behind
    when it was right (helper-257's review). Numbers are issued; the notice says the record may be of a clock that
    ran ahead, and stays until its time has passed."""
    server = stepped
    server.advance(30 * 86400)
    assert requests.post(server.url + "/api/tickets", json=visitor(name="Bulan Depan"), timeout=5).status_code == 201
    server.advance(-30 * 86400)
    r = requests.post(server.url + "/api/tickets", json=visitor(name="Hari Ini"), timeout=5)
    assert r.status_code == 201, r.text
    admin = server.session("kepala", PASSWORD)
    behind = until(lambda: staff_clock(server, admin))
    assert behind is not None and behind["refusing"] is False, behind
    assert "bila sudah benar, data itu dibuat saat jam terlalu cepat" in behind["message"]["id"], behind


def test_a_new_install_on_a_dead_batterys_date_issues_no_number_though_it_has_no_record_yet(tmp_path):
    """The day of the install: the database holds no ticket to compare the clock with, and a PC booted on its BIOS's
    date issued the whole first day's numbers "of 2000" (filed under 2000 in the recap, expired with their visitors
    waiting once NTP set the clock). A date before this version existed (core.EARLIEST_DAY) is wrong whatever the
    data: said, and no number issued (409 clock_wrong), until the clock is right."""
    server = ClockedServer(write_config(tmp_path), tick=0.1, dated=True, numbers=LOOK)
    server.advance(-YEARS_BACK)
    staffed(server.start())
    try:
        out = " ".join(server.log().split())
        assert "Jam PC server salah" in out and "The server PC's clock is wrong" in out, out
        behind = staff_clock(server, server.session("kepala", PASSWORD))
        assert behind is not None and behind["refusing"] is True and behind["newest"] is None, behind
        assert behind["day"] < "2026-01-01" and "sebelum versi Antrian ini dibuat" in behind["message"]["id"], behind
        r = requests.post(server.url + "/api/tickets", json=visitor(name="Pertama"), timeout=5)
        assert r.status_code == 409 and r.json()["error"] == "clock_wrong", r.text
        assert "pasti salah" in r.json()["message"], r.text
        server.advance(YEARS_BACK)  # the clock set right: the first number is the day's first, of today
        admin = server.session("kepala", PASSWORD)  # the login of "2000" ended at the step
        assert until(lambda: staff_clock(server, admin) is None), staff_clock(server, admin)
        r = requests.post(server.url + "/api/tickets", json=visitor(name="Pertama"), timeout=5)
        assert r.status_code == 201 and r.json()["ticket"]["label"] == "A-001", r.text
    finally:
        server.stop()


def test_a_print_retried_across_a_clock_stepped_back_is_tried_again_at_its_time_not_an_hour_later(tmp_path):
    """The kiosk printer out of paper: the ticket's first try fails, its next due 2 s later on the server's clock.
    NTP then steps the clock back an hour, and the paper is loaded: the retry waited for the clock to reach its
    time again, the visitor's ticket unprinted for an hour. A next try further ahead than any wait is due now."""
    from fakeprinter import STATUS_PAPER, FakeNetworkPrinter

    printer = FakeNetworkPrinter(paper=b"\x72")  # out of paper
    config = write_config(tmp_path, printer.as_kiosk(timeout=1, check_status=True))
    server = staffed(ClockedServer(config, tick=0.1).start())
    try:
        front = server.session("rina", PASSWORD)
        r = requests.post(server.url + "/api/tickets", json=visitor(name="Kertas"), timeout=5)
        assert r.status_code == 201, r.text
        job = server.print_job_when(front, "retrying")
        assert job["status"] == "retrying" and job["attempts"] >= 1, job
        server.advance(-3600)
        printer.answers[STATUS_PAPER] = b"\x12"  # a new roll
        job = server.print_job_when(front, "printed", seconds=20)
        assert job["status"] == "printed", job
        assert r.json()["ticket"]["label"].encode() in bytes(printer.received)
    finally:
        server.stop()
        printer.stop()


def test_no_wait_between_two_tries_is_as_long_as_a_step_back_is_told_by():
    """A next try further ahead than LONGEST_WAIT_SECONDS is taken for a clock stepped back: no real wait between
    two tries of a print or a mail may be that long, or such a row would be tried before its time."""
    from server.outbox import mail_backoff_seconds, print_backoff_seconds
    from server.store.outbox import LONGEST_WAIT_SECONDS

    longest = max(backoff(n) for backoff in (print_backoff_seconds, mail_backoff_seconds) for n in range(1, 64))
    assert 0 < longest < LONGEST_WAIT_SECONDS, (longest, LONGEST_WAIT_SECONDS)


def test_m031_clears_the_negative_times_kept_before_and_marks_their_days_to_be_summed_again(tmp_path):
    """A database of the release before: a service that "ended" 50 minutes before it started, and a transferred
    visitor's last stretch negative after 20 minutes served before the transfer. Their times are not measured after
    the upgrade (the transfer's 20 minutes with them: the whole is not known), the day is summed again, and the
    times that were right stay."""
    from sqlite_utils import Database

    from server.store import Store, migrations

    path = tmp_path / "antrian.db"
    db = Database(path)
    migrations.apply(db, stop_before="m031_no_negative_durations")
    base = {"service": "A", "priority": 0, "status": "resolved", "day": "2026-11-28", "served_before_ms": 0}
    base["created_at"] = "2026-11-28T01:00:00+00:00"
    rows = [
        {"label": "A-001", "waiting_ms": 60_000, "response_ms": 0, "service_ms": -3_000_000, "copy_ms": -5_000},
        {"label": "A-002", "waiting_ms": -2_880_000, "response_ms": 1_000, "service_ms": 300_000, "copy_ms": None},
        {"label": "A-003", "waiting_ms": 0, "served_before_ms": 1_200_000, "service_ms": 1_200_000 - 600_000},
    ]
    for n, row in enumerate(rows, 1):
        db["tickets"].insert({**base, **row, "number": n, "token": f"t{n}"})
    db.execute("DELETE FROM figure_stale")
    db.conn.commit()
    db.close()
    store = Store(path)
    with store.read() as tx:
        got = tx.rows("SELECT label, waiting_ms, response_ms, service_ms, copy_ms FROM tickets ORDER BY label")
        assert [(r["label"], r["waiting_ms"], r["response_ms"], r["service_ms"], r["copy_ms"]) for r in got] == [
            ("A-001", 60_000, 0, None, None),
            ("A-002", None, 1_000, 300_000, None),
            ("A-003", 0, None, None, None),
        ]
        assert [r["day"] for r in tx.rows("SELECT day FROM figure_stale")] == ["2026-11-28"]
    store.close()
