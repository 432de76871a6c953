"""The complaints by period (GET /api/complaints `from`/`to`, and its first view without them: every one
still open and those answered or closed this month), the list as a file for the month's report
(`format=csv|xlsx`: every row, never cut at the list's limit, formula-safe), and the complaints page's
period, URL, counts, export links and print in real Chromium (docs/skm.md "Complaints")."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import subprocess
import zipfile
from datetime import datetime, timedelta

import pytest
import requests
from conftest import login, visitor, write_config
from live import LiveServer
from playwright.sync_api import expect
from staffpages import issue, sign_in

from server.i18n import t

ANSWERS = {f"U{i}": 3 for i in range(1, 10)}
FORMULA = '=HYPERLINK("http://contoh.test","klik")'


# -- in process: the API ------------------------------------------------------------------------------


def complaint(client, app, text: str) -> int:
    """A visitor served at counter 1 by sari (not budi, who answers complaints here), then their survey
    with `text`: the complaint's id."""
    ticket = client.post("/api/tickets", json=visitor()).get_json()["ticket"]
    if "sari" not in app.config:
        colleague = app.test_client()
        app.config["sari"] = (colleague, login(app, colleague, "sari"))
    colleague, sari = app.config["sari"]
    for action, data in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Reset"})):
        assert colleague.post(f"/api/counters/1/{action}", json=data, headers=sari).status_code == 200
    body = {"token": ticket["token"], "answers": ANSWERS, "suggestion": text}
    r = client.post("/api/survey", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["survey"]["response"]["id"]


def set_row(app, cid: int, **values) -> None:
    """Write a complaint's columns as if it had come in (or been answered, closed) another day."""
    with app.extensions["antrian"].store.write() as tx:
        sets = ", ".join(f"{k} = ?" for k in values)
        tx.db.execute(f"UPDATE survey_responses SET {sets} WHERE id = ?", [*values.values(), cid])


@pytest.fixture
def seeded(app, client):
    """Six complaints (the clock: 28 November 2026, 09:00 WIB), by when they came in and were done:

    c1 October, open · c2 October, answered in October (its text looks like a formula) · c3 the 30th of
    October, answered 1 November 00:30 WIB (31 October 17:30 UTC) · c6 the 31st of October, answered
    23:59:59 WIB that day (its answer starts with "-") · c4 today, closed by rina · c5 today, open."""
    headers = login(app, client, "budi")
    with app.extensions["antrian"].store.write() as tx:
        tx.update_user("budi", full_name="Budi Santoso, S.Kom.")
    ids = {n: complaint(client, app, text) for n, text in enumerate(
        ["AC ruang tunggu mati", FORMULA, "Antrian sore lama", "Terima kasih, cepat", "Kursi kurang", "Parkir sempit"],
        start=1,
    )}  # fmt: skip
    c = ids
    set_row(app, c[1], day="2026-10-15", created_at="2026-10-15T03:00:00+00:00", text_at="2026-10-15T03:00:00+00:00")
    set_row(
        app, c[2], day="2026-10-20", created_at="2026-10-20T02:00:00+00:00", text_at="2026-10-20T02:00:00+00:00",
        answer="@budi: sudah kami teruskan", answered_by="budi", answered_at="2026-10-21T04:00:00+00:00",
    )  # fmt: skip
    set_row(
        app, c[3], day="2026-10-30", created_at="2026-10-30T08:00:00+00:00", text_at="2026-10-30T08:00:00+00:00",
        answer="Petugas sore ditambah.", answered_by="budi", answered_at="2026-10-31T17:30:00+00:00",
    )  # fmt: skip
    set_row(
        app, c[6], day="2026-10-31", created_at="2026-10-31T05:00:00+00:00", text_at="2026-10-31T05:00:00+00:00",
        answer="-parkir motor dipindah", answered_by="budi", answered_at="2026-10-31T16:59:59+00:00",
    )  # fmt: skip
    front = app.test_client()
    rina = login(app, front, "rina", role="frontoffice")
    assert front.post(f"/api/complaints/{c[4]}/close", json={}, headers=rina).status_code == 200
    return {"ids": c, "headers": headers}


def listing(client, query: str = "") -> dict:
    r = client.get("/api/complaints" + query)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_without_a_period_every_open_complaint_and_this_months_answered_and_closed_are_listed(client, seeded):
    c = seeded["ids"]
    body = listing(client)
    assert (body["from"], body["to"], body["by"]) == ("2026-11-01", "2026-11-28", "handled")
    # the October one still open is there; of the done ones, those done in November (WIB): c3 was answered
    # at 00:30 WIB on the 1st (still 31 October in UTC), c6 at 23:59:59 WIB on the 31st
    assert [x["id"] for x in body["complaints"]] == [c[1], c[5], c[4], c[3]]
    assert body["counts"] == {"open": 2, "answered": 1, "closed": 1}
    assert listing(client, "?status=answered")["counts"] == body["counts"]
    assert [x["id"] for x in listing(client, "?status=answered")["complaints"]] == [c[3]]


def test_a_period_lists_the_complaints_received_in_it_whatever_their_state(client, seeded):
    c = seeded["ids"]
    october = listing(client, "?from=2026-10-01&to=2026-10-31")
    assert (october["from"], october["to"], october["by"]) == ("2026-10-01", "2026-10-31", "received")
    assert [x["id"] for x in october["complaints"]] == [c[1], c[3], c[6], c[2]]  # open, then latest done first
    assert october["counts"] == {"open": 1, "answered": 3, "closed": 0}
    november = listing(client, "?from=2026-11-01&to=2026-11-30")
    assert [x["id"] for x in november["complaints"]] == [c[5], c[4]]
    assert november["counts"] == {"open": 1, "answered": 0, "closed": 1}
    one_day = listing(client, "?from=2026-10-31&to=2026-10-31&status=open")  # c6 came in that day, answered
    assert (one_day["complaints"], one_day["counts"]) == ([], {"open": 0, "answered": 1, "closed": 0})


def read_xlsx(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data)).active


def test_a_periods_complaints_as_xlsx_every_row_formula_safe_with_its_period_and_counts(client, seeded, monkeypatch):
    monkeypatch.setattr("server.service.survey.COMPLAINTS_LIMIT", 2)  # the list is cut at 2; the file never
    assert len(listing(client, "?from=2026-10-01&to=2026-10-31")["complaints"]) == 3
    r = client.get("/api/complaints?from=2026-10-01&to=2026-10-31&format=xlsx")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert r.headers["Content-Disposition"] == 'attachment; filename="pengaduan-2026-10-01-2026-10-31.xlsx"'
    ws = read_xlsx(r.data)
    assert ws.title == "Pengaduan"
    assert [ws[f"A{n}"].value for n in (1, 3, 4)] == [
        "Rekap Saran dan Pengaduan",
        "Pengaduan yang diterima 1 Oktober 2026 s.d. 31 Oktober 2026",
        "Jumlah: 4 · menunggu jawaban 1 · dijawab 3 · ditutup tanpa jawaban 0",
    ]
    rows = [list(row) for row in ws.iter_rows(min_row=5, values_only=True)]
    assert rows[0] == [
        "No", "Diterima (WIB)", "Tiket", "Layanan", "Saran/pengaduan", "Status", "Jawaban", "Dijawab oleh",
        "Dijawab pada (WIB)", "Ditutup oleh", "Ditutup pada (WIB)",
    ]  # fmt: skip
    assert [row[0] for row in rows[1:]] == [1, 2, 3, 4]  # all four, in the order received
    assert [row[4] for row in rows[1:]] == ["AC ruang tunggu mati", FORMULA, "Antrian sore lama", "Parkir sempit"]
    first, second, third, fourth = rows[1:]
    assert first[1] == datetime(2026, 10, 15, 10, 0) and first[5:] == ["Menunggu jawaban", None, None, None, None, None]
    assert re.fullmatch(r"A-\d{3}", first[2]) and first[3] == "Konsultasi Penyedia"
    assert third[5:9] == ["Dijawab", "Petugas sore ditambah.", "Budi Santoso, S.Kom.", datetime(2026, 11, 1, 0, 30)]
    assert fourth[8] == datetime(2026, 10, 31, 23, 59, 59)
    # text is text: the visitor's "=…" and the answer's "@…" and "-…" are no formulas, and stay as written
    assert ws["E7"].value == FORMULA and ws["E7"].data_type == "s"
    assert second[6] == "@budi: sudah kami teruskan" and fourth[6] == "-parkir motor dipindah"
    with zipfile.ZipFile(io.BytesIO(r.data)) as zf:
        assert "<f>" not in zf.read("xl/worksheets/sheet1.xml").decode()
    assert ws["B6"].number_format == "DD/MM/YYYY HH:MM" and ws["B6"].is_date
    assert ws.freeze_panes == "A6" and ws.page_setup.orientation == "landscape"


def test_a_periods_complaints_as_csv_one_table_with_formula_looking_text_quoted(client, seeded):
    r = client.get("/api/complaints?from=2026-10-01&to=2026-10-31&format=csv")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"] == 'attachment; filename="pengaduan-2026-10-01-2026-10-31.csv"'
    assert r.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["No", "Diterima (WIB)", "Tiket"] and len(rows) == 5
    assert [row[1] for row in rows[1:]] == [
        "2026-10-15 10:00",
        "2026-10-20 09:00",
        "2026-10-30 15:00",
        "2026-10-31 12:00",
    ]
    assert rows[2][4] == "'" + FORMULA  # a spreadsheet opening the CSV would run it
    assert rows[2][6] == "'@budi: sudah kami teruskan" and rows[4][6] == "'-parkir motor dipindah"
    assert rows[3][5:9] == ["Dijawab", "Petugas sore ditambah.", "Budi Santoso, S.Kom.", "2026-11-01 00:30"]


def test_the_first_views_file_has_every_open_one_and_this_months_done_and_says_so(client, seeded):
    c = seeded["ids"]
    r = client.get("/api/complaints?format=csv")
    name = "pengaduan-2026-11-01-2026-11-28-terbuka-dan-ditangani.csv"
    assert r.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    texts = [row[4] for row in list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))[1:]]
    assert texts == ["AC ruang tunggu mati", "Antrian sore lama", "Terima kasih, cepat", "Kursi kurang"]
    ws = read_xlsx(client.get("/api/complaints?format=xlsx").data)
    assert ws["A3"].value == (
        "Semua pengaduan yang masih menunggu jawaban, dan yang dijawab atau ditutup 1 November 2026 s.d. 28 November 2026"
    )
    assert ws["A4"].value == "Jumlah: 4 · menunggu jawaban 2 · dijawab 1 · ditutup tanpa jawaban 1"
    closed = next(row for row in ws.iter_rows(min_row=6, values_only=True) if row[4] == "Terima kasih, cepat")
    assert closed[5] == "Ditutup: tidak perlu dijawab" and closed[9] == "rina" and isinstance(closed[10], datetime)
    # a status is named in the file and its name
    r = client.get("/api/complaints?from=2026-10-01&to=2026-10-31&status=open&format=xlsx")
    assert r.headers["Content-Disposition"] == 'attachment; filename="pengaduan-2026-10-01-2026-10-31-menunggu.xlsx"'
    ws = read_xlsx(r.data)
    assert ws["A3"].value.endswith(" · hanya: Menunggu jawaban") and ws["A7"].value is None and ws["A6"].value == 1
    assert [x["id"] for x in listing(client, "?from=2026-10-01&to=2026-10-31&status=open")["complaints"]] == [c[1]]


# Each bad query and the fields its 422 names (their codes and the values their words name; `fields` gives them
# in words: a period's say what is wrong and what is accepted, not "Tidak valid."). The period's own checks are
# the list's (reports.check_range); a file asked for with one is refused the same way, never made of a period
# it cannot read.
BAD_QUERIES = [
    ("?format=pdf", {"format": ("invalid", {})}),
    ("?format=XLSX&from=2026-11-01&to=2026-11-30", {"format": ("invalid", {})}),
    ("?status=maybe&format=xml&from=1.11.2026&to=2026-11-30", {"status": ("invalid", {}), "format": ("invalid", {}), "from": ("day_format", {})}),
    ("?from=2026-11-31&to=2026-11-30&format=xlsx", {"from": ("day_unknown", {"day": "2026-11-31"})}),
    ("?from=2026-11-30&to=2026-11-01&format=csv", {"to": ("range_reversed", {"start": "2026-11-30", "end": "2026-11-01"})}),
    ("?from=2026-11-01&format=xlsx", {"to": ("day_required", {})}),
    ("?to=2026-11-01&format=csv", {"from": ("day_required", {})}),
    # over reports.MAX_RANGE_DAYS: the last day it may end, and how far it went
    ("?from=2016-01-01&to=2026-11-30&format=xlsx", {"to": ("range_too_long", {"max": 3660, "days": 3986, "last": "2026-01-08"})}),
    ("?from=2026-W44-1&to=2026-11-30&format=csv", {"from": ("day_format", {})}),
]  # fmt: skip


def test_a_bad_period_status_or_format_is_refused_naming_each_field(client, seeded):
    for query, fields in BAD_QUERIES:
        r = client.get("/api/complaints" + query)
        assert (r.status_code, r.get_json()["error"]) == (422, "form_incomplete"), query
        assert r.get_json()["fields"] == {k: t(f"error.{v}", **params) for k, (v, params) in fields.items()}, query
        assert "Content-Disposition" not in r.headers and r.content_type == "application/json"


def test_the_files_are_for_the_staff_as_the_list_is(app, client):
    """The officer, the front office and the admin get the files; nobody else does."""
    for name, role in (("budi", "officer"), ("rina", "frontoffice"), ("kepala", "admin")):
        staff = app.test_client()
        login(app, staff, name, role=role)
        r = staff.get("/api/complaints?from=2026-11-01&to=2026-11-30&format=csv")
        assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment;"), role
    for query in ("?format=csv", "?from=2026-11-01&to=2026-11-30&format=xlsx"):
        assert client.get("/api/complaints" + query).status_code == 401


# -- in Chromium: the complaints page --------------------------------------------------------------------

PASSWORD = "rahasia-123"
LAPTOP = {"width": 1366, "height": 768}
SMALL = {"width": 1024, "height": 768}
TEXTS = {
    "a": "Toilet lantai dua kotor.",  # last month, open
    "b": "Formulir sulit dibaca.",  # last month, answered last month
    "c": "Antrian pagi terlalu lama.",  # last month, answered today
    "d": "Mohon tambah kursi tunggu.",  # today, open
    "e": "Terima kasih, pelayanan cepat.",  # today, closed (no reply needed)
}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("complaints-period")
    server = LiveServer(write_config(tmp)).start()
    for name, role in (("budi", "officer"), ("sari", "officer"), ("rina", "frontoffice")):
        server.add_user(name, role)
    server.db = tmp / "antrian.db"
    yield server
    server.stop()


def served_complaint(office, sari, text: str) -> int:
    """A visitor served by sari at counter 1 who then writes `text` on their phone: the complaint's id."""
    ticket = issue(office, "Rudi Hartono", "A")
    for action, data in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Kata sandi direset."})):
        assert sari.post(f"{office.url}/api/counters/1/{action}", json=data, timeout=5).status_code == 200
    body = {"token": ticket["token"], "answers": ANSWERS, "suggestion": text}
    r = requests.post(office.url + "/api/survey", json=body, timeout=5)
    assert r.status_code == 201, r.text
    return r.json()["survey"]["response"]["id"]


@pytest.fixture(scope="module")
def months(office):
    """The five complaints of TEXTS; {key: id}, today and last month's first and last days."""
    sari, budi = office.session("sari", PASSWORD), office.session("budi", PASSWORD)
    rina = office.session("rina", PASSWORD)
    today = budi.get(office.url + "/api/state", timeout=5).json()["day"]
    first = datetime.fromisoformat(today).replace(day=1)
    last_month_end = first - timedelta(days=1)
    last_month = last_month_end.replace(day=1)
    ids = {key: served_complaint(office, sari, text) for key, text in TEXTS.items()}
    day = last_month.replace(day=10).date().isoformat()
    with sqlite3.connect(office.db, timeout=10) as db:
        for key in "abc":
            at = f"{day}T03:00:00+00:00"
            db.execute(
                "UPDATE survey_responses SET day = ?, created_at = ?, updated_at = ?, text_at = ? WHERE id = ?",
                [day, at, at, at, ids[key]],
            )
        db.execute(
            "UPDATE survey_responses SET answer = 'Formulir dicetak lebih besar.', answered_by = 'budi',"
            " answered_at = ? WHERE id = ?",
            [f"{day}T06:00:00+00:00", ids["b"]],
        )
    db.close()
    r = budi.post(f"{office.url}/api/complaints/{ids['c']}/answer", json={"answer": "Petugas pagi ditambah."})
    assert r.status_code == 200, r.text
    assert rina.post(f"{office.url}/api/complaints/{ids['e']}/close", json={}, timeout=5).status_code == 200
    return {
        "ids": ids,
        "today": today,
        "this_month": first.date().isoformat(),
        "from": last_month.date().isoformat(),
        "to": last_month_end.date().isoformat(),
    }


def open_page(browser, office, viewport=LAPTOP, path: str = "/counter/complaints"):
    context = browser.new_context(viewport=viewport, locale="id-ID")
    return sign_in(context.new_page(), office, path, "budi")


def listed(page) -> set[str]:
    return set(page.locator("li.complaint .text").all_inner_texts())


def period_id(day_from: str, day_to: str) -> str:
    from server.reports import period_id

    return period_id(day_from, day_to)


def test_the_period_filters_the_list_and_its_counts_stays_in_the_address_and_names_the_files(browser, office, months):
    page = open_page(browser, office)
    # the first view: every open complaint (last month's too) and this month's answered and closed ones
    expect(page.locator("#open-count")).to_have_text("2")
    expect(page.locator("#answered-count")).to_have_text("2")
    assert listed(page) == {TEXTS[k] for k in "adce"}  # not b: answered last month
    expect(page.locator("#period-text")).to_have_text(
        "Semua yang masih menunggu jawaban, dan yang dijawab atau ditutup "
        f"{period_id(months['this_month'], months['today'])}."
    )
    expect(page.locator("#period-hint")).to_have_text(
        "Pilih periode untuk pengaduan yang diterima dalam periode itu (laporan bulanan)."
    )
    expect(page.locator("#period-from")).to_have_value("")
    expect(page.locator("#period-reset")).to_be_hidden()
    expect(page.locator("#export-xlsx")).to_have_attribute("href", "/api/complaints?format=xlsx")
    expect(page.locator("#export-csv")).to_have_attribute("href", "/api/complaints?format=csv")

    # last month: the complaints received in it, whatever their state, and their counts
    page.fill("#period-from", months["from"])
    page.fill("#period-to", months["to"])
    page.click("#period-show")
    query = f"?from={months['from']}&to={months['to']}"
    expect(page).to_have_url(office.url + "/counter/complaints" + query)
    expect(page.locator("#open-count")).to_have_text("1")
    expect(page.locator("#answered-count")).to_have_text("2")
    expect(page.locator("#answered-list li.complaint")).to_have_count(2)
    assert listed(page) == {TEXTS[k] for k in "abc"}
    expect(page.locator("#period-text")).to_have_text(
        f"Pengaduan yang diterima {period_id(months['from'], months['to'])}."
    )
    expect(page.locator("#period-hint")).to_have_text("")
    expect(page.locator("#export-xlsx")).to_have_attribute("href", f"/api/complaints{query}&format=xlsx")
    expect(page.locator("#export-csv")).to_have_attribute("href", f"/api/complaints{query}&format=csv")
    expect(page.locator("#period-reset")).to_be_visible()

    # the files: the same list, named with the period
    from openpyxl import load_workbook

    with page.expect_download() as download:
        page.click("#export-xlsx")
    assert download.value.suggested_filename == f"pengaduan-{months['from']}-{months['to']}.xlsx"
    ws = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert [row[4] for row in ws.iter_rows(min_row=6, values_only=True)] == [TEXTS[k] for k in "abc"]
    assert ws["A4"].value == "Jumlah: 3 · menunggu jawaban 1 · dijawab 2 · ditutup tanpa jawaban 0"
    with page.expect_download() as download:
        page.click("#export-csv")
    assert download.value.suggested_filename == f"pengaduan-{months['from']}-{months['to']}.csv"

    # the address keeps the period: a reload shows it again, back the first view, forward the period
    page.reload()
    expect(page.locator("#period-from")).to_have_value(months["from"])
    expect(page.locator("#period-to")).to_have_value(months["to"])
    expect(page.locator("#open-count")).to_have_text("1")
    page.click("#lang-toggle")
    expect(page.locator("#period-text")).to_have_text(f"Complaints received {en_period(months['from'], months['to'])}.")
    page.click("#lang-toggle")
    page.go_back()
    expect(page).to_have_url(office.url + "/counter/complaints")
    expect(page.locator("#answered-count")).to_have_text("2")
    expect(page.locator("#period-from")).to_have_value("")
    assert TEXTS["b"] not in listed(page)
    page.go_forward()
    expect(page.locator("#open-count")).to_have_text("1")
    page.click("#period-reset")  # back to the first view
    expect(page).to_have_url(office.url + "/counter/complaints")
    expect(page.locator("#open-list li.complaint")).to_have_count(2)
    page.context.close()


def en_period(day_from: str, day_to: str) -> str:
    from shared.dates import month_names

    months = month_names("en")

    def one(day: str) -> str:
        d = datetime.fromisoformat(day)
        return f"{d.day} {months[d.month - 1]} {d.year}"

    return one(day_from) if day_from == day_to else f"{one(day_from)} to {one(day_to)}"


@pytest.mark.parametrize(
    "query,words,english",
    [
        (
            "?from=2026-11-30&to=2026-11-01",
            "Tanggal akhir (2026-11-01) sebelum tanggal awal (2026-11-30): tukar keduanya.",
            "The end date (2026-11-01) is before the start date (2026-11-30): swap them.",
        ),
        ("?from=2000-01-01&to=2026-11-30", "Periode terlalu panjang: paling lama {days} hari.", None),
        ("?from=2026-11-31&to=", "Tanggal awal tidak valid: isi tanggal (tahun-bulan-hari). Tanggal akhir tidak valid: "
         "isi tanggal (tahun-bulan-hari).", None),
    ],
)  # fmt: skip
def test_a_period_the_server_refuses_is_said_in_words_with_no_list_and_no_file(
    browser, office, months, query, words, english
):
    from server.reports import MAX_RANGE_DAYS

    page = open_page(browser, office, path="/counter/complaints" + query)
    problems = page.locator("#period-problems")
    expect(problems).to_have_text(words.format(days=MAX_RANGE_DAYS))
    expect(page.locator("#open-section")).to_be_hidden()
    expect(page.locator("#answered-section")).to_be_hidden()
    expect(page.locator("#export-xlsx")).to_be_hidden()
    expect(page.locator("#period-text")).to_have_text("")
    if english:
        page.click("#lang-toggle")
        expect(problems).to_have_text(english)
    page.context.close()


def test_print_shows_the_list_only(browser, office, months):
    page = open_page(browser, office)
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")  # no dialog
    page.click("#print")  # its listener runs within the click
    assert page.evaluate("window.printed") == 1
    expect(page.locator("#open-list li.complaint")).to_have_count(2)
    page.emulate_media(media="print")
    for hidden in (".bar", "#period-form", ".lead", "#open-list form.f-answer", "#open-list button.close"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator(".print-head h1")).to_have_text("Saran dan Pengaduan")
    expect(page.locator("#period")).to_be_visible()
    expect(page.locator("#open-list li.complaint").first.locator(".text")).to_be_visible()
    expect(page.locator("#answered-list .answer", has_text="Petugas pagi ditambah.")).to_be_visible()
    expect(page.locator("#period-hint")).to_be_hidden()  # the screen's hint to choose a period
    # a list's heading ("Sudah dijawab atau ditutup 5") is never left alone at a sheet's foot, its cards on the next
    for title in ("#open-title", "#answered-title"):
        assert page.evaluate(f"getComputedStyle(document.querySelector('{title}')).breakAfter") == "avoid", title
    page.context.close()


def printed_sheets(page, path, scale: float = 1) -> list[str]:
    """The page printed to PDF as the browser's Print does (A4, its @page rule), each sheet's text as pdftotext
    lays it out."""
    page.pdf(path=str(path), prefer_css_page_size=True, scale=scale)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return [sheet for sheet in text.stdout.split("\f") if sheet.strip()]


def test_the_printed_list_numbers_its_sheets_in_the_pages_language(browser, office, months, tmp_path):
    """The month's complaints printed to hand up with the recap and the SKM report: each sheet says "Halaman 2 dari
    3" at its foot, right, as theirs do (print.js, the catalogue's words), in the language the page shows, switched
    without a reload ("Page 2 of 3"). Before, the complaints' sheets had no number: a dropped pile could not be put
    back in order."""
    page = open_page(browser, office)
    expect(page.locator("#open-list li.complaint")).to_have_count(2)
    sheets = printed_sheets(page, tmp_path / "pengaduan.pdf")
    for n, sheet in enumerate(sheets, start=1):
        assert sheet.strip().splitlines()[-1].strip() == f"Halaman {n} dari {len(sheets)}", sheet[-300:]
    page.click("#lang-toggle")
    expect(page.locator("#period-show")).to_have_text("Show")
    # printed larger, the same list runs over several sheets: each its own number of them all
    sheets = printed_sheets(page, tmp_path / "complaints.pdf", scale=2)
    assert len(sheets) > 1
    for n, sheet in enumerate(sheets, start=1):
        assert sheet.strip().splitlines()[-1].strip() == f"Page {n} of {len(sheets)}", sheet[-300:]
    page.context.close()


@pytest.mark.parametrize("viewport", [LAPTOP, SMALL], ids=["1366x768", "1024x768"])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_period_form_fits_a_laptop_and_a_small_screen_in_either_language(browser, office, months, viewport, lang):
    query = f"?from={months['from']}&to={months['to']}"
    page = open_page(browser, office, viewport, "/counter/complaints" + query)
    if lang == "en":
        page.click("#lang-toggle")
        expect(page.locator("#period-show")).to_have_text("Show")
    expect(page.locator("#open-count")).to_have_text("1")
    controls = ["#period-from", "#period-to", "#period-show", "#period-reset", "#print", "#export-xlsx", "#export-csv"]
    for view in ("period", "first"):
        if view == "first":
            page.click("#period-reset")
            expect(page.locator("#open-count")).to_have_text("2")
            controls.remove("#period-reset")
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        for control in controls:
            box = page.locator(control).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], control
        # the whole form above the list: no control hidden under another or pushed below the first card
        form = page.locator("#period-form").bounding_box()
        assert form["y"] + form["height"] <= page.locator("#open-list li.complaint").first.bounding_box()["y"]
    page.context.close()
