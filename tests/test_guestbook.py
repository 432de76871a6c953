"""The guest book (buku tamu, SOP step 1): every visitor who took a number on a day or a month, whatever became
of the visit, as JSON, CSV and XLSX (GET /api/guestbook), as the printable page /counter/guestbook, and in the
monthly archive."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime

import pytest
import requests
from conftest import login, visitor, write_config
from live import LiveServer

from server import archive

DAY = "2026-11-28"  # the tests' clock starts at 09:00 WIB on this day (conftest.Clock)
A, B, C = "Konsultasi Penyedia", "Konsultasi Non-Penyedia (PPK/Pokja/PP)", "Registrasi & Verifikasi Akun"
COLUMNS = [
    "No",
    "Tanggal",
    "Jam",
    "No. Antrian",
    "Layanan",
    "Nama",
    "Instansi/Perusahaan",
    "Alamat",
    "Telepon",
    "Keterangan",
]
# (label, Jam, Layanan, Nama, Keterangan) of the day the `day_of_visits` fixture plays through the HTTP API
EXPECTED = [
    ("A-001", "09.01", A, "Ani", "dilayani — selesai"),
    ("A-002", "09.05", A, "Bayu", "dilayani — eskalasi ke Helpdesk LKPP"),
    ("A-003", "09.09", A, "Citra", "dilayani — eskalasi ke Helpdesk LKPP, dijawab LKPP"),
    ("A-004", "09.13", A, "Dedi", "tidak hadir saat dipanggil"),
    ("A-005", "09.22", A, "Eka", "dibatalkan"),
    ("A-006", "09.23", A, "Fajar", f"dialihkan ke {B}; dilayani — selesai"),
    ("A-007", "09.30", A, "Gita", f"dialihkan ke {B}; kedaluwarsa (tutup hari)"),
    ("C-001", "09.34", C, "=Hadi+1", "kedaluwarsa (tutup hari)"),
]


def guestbook(client, day_from=DAY, day_to=DAY, **params):
    query = "&".join(f"{k}={v}" for k, v in {"from": day_from, "to": day_to, **params}.items())
    return client.get(f"/api/guestbook?{query}")


@pytest.fixture
def day_of_visits(app, client, clock):
    """One day with every kind of outcome, each ticket issued at the kiosk and driven through the HTTP API:
    served, escalated, escalated and answered by LKPP, a no-show, cancelled by the front office, transferred
    and served at the other service, transferred and never called there, and one never called (those two
    expire at the day's end). Then a visitor of the next day."""
    budi = login(app, client, "budi")  # Loket 1 (A, C)
    siti_client = app.test_client()
    siti = login(app, siti_client, "siti")  # Loket 3 (B, C)
    front_client = app.test_client()
    front = login(app, front_client, "meja", "frontoffice")

    def issue(name, service="A", **form):
        clock.advance(minutes=1)
        r = app.test_client().post("/api/tickets", json=visitor(service=service, name=name, **form))
        assert r.status_code == 201, r.get_json()
        return r.get_json()["ticket"]["label"]

    def act(action, payload=None, counter=1, who=(client, budi)):
        clock.advance(minutes=1)
        http, headers = who
        r = http.post(f"/api/counters/{counter}/{action}", json=payload or {}, headers=headers)
        assert r.status_code == 200, (action, r.get_json())
        return r.get_json()

    issue("Ani")
    for action, payload in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Sandi direset"})):
        act(action, payload)
    issue("Bayu")
    for action, payload in (("call-next", {}), ("start", {}), ("escalate", {"note": "Ke LKPP"})):
        act(action, payload)
    citra = issue("Citra")
    for action, payload in (("call-next", {}), ("start", {}), ("escalate", {"note": "Ke LKPP juga"})):
        act(action, payload)
    r = client.post(f"/api/tickets/{citra}/close", json={"answer": "Sudah", "lkpp_ticket": "TTS-9"}, headers=budi)
    assert r.status_code == 200, r.get_json()
    issue("Dedi")
    for _ in range(2):  # three calls, skipped and requeued; three more, skipped again: no-show
        for action in ("call-next", "recall", "recall", "skip"):
            act(action)
    eka = issue("Eka")
    r = front_client.post(f"/api/tickets/{eka}/cancel", headers=front)
    assert r.status_code == 200 and r.get_json()["ticket"]["status"] == "cancelled"
    issue("Fajar")
    for action, payload in (("call-next", {}), ("start", {}), ("transfer", {"service": "B"})):
        act(action, payload)
    for action, payload in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Beres di B"})):
        act(action, payload, counter=3, who=(siti_client, siti))
    issue("Gita")
    for action, payload in (("call-next", {}), ("start", {}), ("transfer", {"service": "B"})):
        act(action, payload)
    issue("=Hadi+1", service="C", agency="@Dinas")  # never called; text a spreadsheet would run as a formula
    clock.now = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)  # 08:00 WIB the next day
    assert app.extensions["antrian"].expire_old() == 2  # Gita (at B) and Hadi
    issue("Joko")
    return app


def test_the_guest_book_lists_every_visitor_of_the_day_with_what_became_of_the_visit(client, day_of_visits):
    login(day_of_visits, client, "kepala", "frontoffice")
    body = guestbook(client).get_json()
    assert body["from"] == body["to"] == DAY and body["columns"] == COLUMNS
    rows = body["rows"]
    assert [(r["No. Antrian"], r["Jam"], r["Layanan"], r["Nama"], r["Keterangan"]) for r in rows] == EXPECTED
    assert [r["No"] for r in rows] == list(range(1, 9))
    assert {r["Tanggal"] for r in rows} == {DAY}
    assert rows[0] == {
        "No": 1,
        "Tanggal": DAY,
        "Jam": "09.01",
        "No. Antrian": "A-001",
        "Layanan": A,
        "Nama": "Ani",
        "Instansi/Perusahaan": "CV Maju Bersama",
        "Alamat": "Jl. Sudirman No. 12",
        "Telepon": "081234567890",
        "Keterangan": "dilayani — selesai",
    }
    # two days: the next day's visitor after them, numbered on
    both = guestbook(client, DAY, "2026-11-29").get_json()["rows"]
    assert [(r["No"], r["Tanggal"], r["Jam"], r["Nama"]) for r in both[-2:]] == [
        (8, DAY, "09.34", "=Hadi+1"),
        (9, "2026-11-29", "08.01", "Joko"),
    ]


def test_the_guest_book_files_hold_the_same_rows_csv_guarded_and_xlsx_typed(client, day_of_visits):
    from openpyxl import load_workbook

    login(day_of_visits, client, "budi2")  # an officer may take them too
    r = guestbook(client, format="csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.headers["Content-Disposition"] == f'attachment; filename="bukutamu-{DAY}-{DAY}.csv"'
    assert r.data.startswith("\ufeff".encode())  # the BOM: Excel reads the accents and the dash right
    rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert list(rows[0]) == COLUMNS
    assert [(row["No. Antrian"], row["Jam"], row["Layanan"], row["Keterangan"]) for row in rows] == [
        (label, time.replace(".", ":"), service, remarks) for label, time, service, _, remarks in EXPECTED
    ]  # the hour "09:01", which a spreadsheet does not take for the number 9.01
    # what a spreadsheet would run as a formula gets a leading '
    assert (rows[-1]["Nama"], rows[-1]["Instansi/Perusahaan"]) == ("'=Hadi+1", "'@Dinas")

    r = guestbook(client, format="xlsx")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == f'attachment; filename="bukutamu-{DAY}-{DAY}.xlsx"'
    book = load_workbook(io.BytesIO(r.data))
    sheet = book.active
    assert sheet.title == "Buku Tamu"
    assert [sheet.cell(row=n, column=1).value for n in (1, 2, 3)] == [
        "Buku Tamu",
        "LPSE Kabupaten Contoh",
        "Periode: 28 November 2026",
    ]
    assert [c.value for c in sheet[4]] == COLUMNS
    body = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    assert len(body) == 8
    assert body[0][:2] == [1, datetime(2026, 11, 28)]  # a number and a real date
    assert [(row[3], row[9]) for row in body] == [(label, remarks) for label, _, _, _, remarks in EXPECTED]
    last = sheet.cell(row=12, column=6)
    assert (last.value, last.data_type) == ("=Hadi+1", "s")  # text, never a formula
    assert sheet.freeze_panes == "A5" and sheet.page_setup.orientation == "landscape"


# What Excel and LibreOffice, opening a CSV, take for a number (the leading 0 then lost, 13 digits shown 8.12E+11,
# "10.00" shown 10): digits, with a sign, decimals or thousands, an exponent, a percent sign.
SPREADSHEET_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)*(?:[eE][+-]?[0-9]+)?%?")


def test_the_csv_writes_the_phone_and_the_hour_as_a_spreadsheet_keeps_them_not_as_numbers(app, client, clock):
    """Opened in Excel or LibreOffice, "081234567890" was 81234567890 (its 0 lost), a 13-digit mobile
    8.12346E+11, and Jam "10.00" was 10. The CSV writes the phone in groups and the hour with a colon; the XLSX
    keeps the digits as text, the JSON the form as stored."""
    from openpyxl import load_workbook

    phones = {
        "Ani": ("+62 812-3456-7890", "0812 3456 7890"),
        "Bayu": ("0812 3456 78901", "0812 3456 78901"),  # 13 digits, past Excel's 11 shown in full
        "Citra": ("(021) 555-1234", "021 5551234"),
        "Dedi": ("0274 555123", "0274 555123"),
    }
    clock.advance(hours=1)  # 10.00 WIB
    for name, (typed, _) in phones.items():
        assert app.test_client().post("/api/tickets", json=visitor(name=name, phone=typed)).status_code == 201
    login(app, client, "kepala", "frontoffice")

    data = guestbook(client, format="csv").data  # the bytes a spreadsheet opens
    assert data.startswith("\ufeff".encode())
    first = b"1,2026-11-28,10:00,A-001,Konsultasi Penyedia,Ani,CV Maju Bersama,Jl. Sudirman No. 12,0812 3456 7890,"
    assert data.split(b"\r\n")[1].startswith(first)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(row["Nama"], row["Telepon"], row["Jam"]) for row in rows] == [
        (name, written, "10:00") for name, (_, written) in phones.items()
    ]
    for row in rows:  # no cell but No is one a spreadsheet makes a number of (Tanggal is a date: meant)
        numbers = [k for k, v in row.items() if k != "No" and SPREADSHEET_NUMBER.fullmatch(v)]
        assert not numbers, row

    assert [r["Telepon"] for r in guestbook(client).get_json()["rows"]] == [
        "081234567890",
        "0812345678901",
        "0215551234",
        "0274555123",
    ]
    sheet = load_workbook(io.BytesIO(guestbook(client, format="xlsx").data)).active
    cells = [(sheet.cell(row=n, column=9), sheet.cell(row=n, column=3)) for n in range(5, 9)]
    assert [(phone.value, phone.data_type, jam.value, jam.data_type) for phone, jam in cells] == [
        (digits, "s", "10.00", "s") for digits in ("081234567890", "0812345678901", "0215551234", "0274555123")
    ]


def test_a_long_period_made_in_a_child_process_is_the_same_file(day_of_visits):
    """Over 31 days under gevent the file is made by `python -m server.report_job`: the same bytes."""
    from server import report_job

    service = day_of_visits.extensions["antrian"]
    job = service.views.guestbook_job("2026-01-01", "2026-12-31", "csv")
    here = report_job.guestbook_file(service.store, job)
    assert here.decode("utf-8-sig").count("\n") == 1 + 9  # the headings, then every visitor
    assert report_job.in_child(service.store, {**job, "kind": "guestbook"}, 60) == here


def test_the_guest_book_needs_a_staff_login_and_a_good_period(app, client, day_of_visits):
    kiosk = app.test_client()  # the kiosk and the survey tablet have no login
    assert kiosk.post("/api/tickets", json=visitor(name="Kios")).status_code == 201
    assert kiosk.get("/api/survey").status_code == 200  # the survey tablet's questionnaire
    r = guestbook(kiosk)
    assert r.status_code == 401 and r.get_json()["error"] == "login_required"
    assert guestbook(kiosk, format="csv").status_code == 401
    for role in ("officer", "frontoffice", "admin"):
        staff = app.test_client()
        login(app, staff, f"staf-{role}", role)
        assert len(guestbook(staff).get_json()["rows"]) == 8, role
    login(app, client, "kepala", "frontoffice")
    for params, field in (
        ({"day_to": "2026-11-27"}, "to"),  # before its start
        ({"day_from": "2026-11-28", "day_to": "2036-12-31"}, "to"),  # over MAX_RANGE_DAYS
        ({"day_from": "28-11-2026"}, "from"),
        ({"day_from": ""}, "from"),
        ({"format": "pdf"}, "format"),
    ):
        r = guestbook(client, **params)
        assert r.status_code == 422 and list(r.get_json()["fields"]) == [field], params


def test_an_anonymised_visitor_shows_as_the_store_keeps_the_form(app, client, clock):
    clock.now = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
    assert app.test_client().post("/api/tickets", json=visitor(name="Lama")).status_code == 201
    with app.extensions["antrian"].store.write() as tx:
        assert tx.anonymise_forms_before("2026-11-03", archive.ANONYMISED) == 1
    login(app, client, "kepala", "frontoffice")
    (row,) = guestbook(client, "2026-11-01", "2026-11-30").get_json()["rows"]
    assert [row[k] for k in ("Nama", "Alamat", "Telepon", "Instansi/Perusahaan")] == [
        archive.ANONYMISED,
        archive.ANONYMISED,
        archive.ANONYMISED,
        "CV Maju Bersama",
    ]
    assert row["Keterangan"] == "menunggu dipanggil"  # issued today (the clock's), not yet called


def test_a_visitor_sent_on_twice_names_both_services_and_one_without_its_events_the_rows_last():
    from zoneinfo import ZoneInfo

    from server import reports

    row = {
        "day": DAY,
        "created_at": "2026-11-28T02:05:00+00:00",
        "label": "A-009",
        "service": "C",
        "status": "no_show",
        "transferred_from": "B",
        "transfers": '[["A", "B"], ["B", "C"]]',
        "name": "Ika",
        "agency": None,  # a ticket without a form: empty cells, not "None"
        "address": None,
        "phone": None,
    }
    names = {"A": A, "B": B, "C": C}
    got = reports.guestbook_row(3, row, ZoneInfo("Asia/Jakarta"), names)
    assert (got["No"], got["Jam"], got["Layanan"], got["Instansi/Perusahaan"], got["Telepon"]) == (
        3,
        "09.05",
        A,
        "",
        "",
    )
    assert got["Keterangan"] == f"dialihkan ke {B}, lalu ke {C}; tidak hadir saat dipanggil"
    got = reports.guestbook_row(3, {**row, "transfers": None}, ZoneInfo("Asia/Jakarta"), names)
    assert (got["Layanan"], got["Keterangan"]) == (B, f"dialihkan ke {C}; tidak hadir saat dipanggil")
    got = reports.guestbook_row(3, {**row, "service": "Z", "transfers": None, "transferred_from": ""}, UTC, names)
    assert (got["Jam"], got["Layanan"]) == ("02.05", "Z")  # a service since removed: its code


def test_the_page_is_in_the_staff_nav_after_the_recap_and_switches_language_but_not_the_book(client, day_of_visits):
    login(day_of_visits, client, "kepala", "frontoffice")
    html = client.get(f"/counter/guestbook?from={DAY}&to={DAY}").get_data(as_text=True)
    nav = html[html.index('<nav class="staff-nav') : html.index("</nav>")]
    assert nav.index(">Rekap</a>") < nav.index('aria-current="page">Buku tamu</a>') < nav.index(">Dasbor</a>")
    assert '<h1 lang="id">Buku Tamu</h1>' in html and ">Tampilkan<" in html
    assert f'href="/api/guestbook?from={DAY}&amp;to={DAY}&amp;format=xlsx"' in html
    english = client.get(f"/counter/guestbook?from={DAY}&to={DAY}&lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and ">Guest book</a>" in english and ">Show<" in english
    assert '<h1 lang="id">Buku Tamu</h1>' in english and "Periode: 28 November 2026" in english
    assert "dialihkan ke Konsultasi Non-Penyedia" in english  # the book itself stays Indonesian
    r = client.get("/counter/guestbook?from=2026-11-30&to=2026-11-01&lang=en")
    assert r.status_code == 422 and "The end date (2026-11-01) is before the start date" in r.get_data(as_text=True)
    assert day_of_visits.test_client().get("/counter/guestbook").status_code == 302  # to the login form


def test_the_months_archive_holds_its_guest_book_as_csv_and_xlsx(client, clock, day_of_visits, tmp_path):
    from openpyxl import load_workbook

    service = day_of_visits.extensions["antrian"]
    clock.now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert service.expire_old() == 1  # Joko, never called on the 29th: November is over
    names = {s.code: s.name for s in service.settings.services}
    made = [
        archive.make_month_archive(
            service.store, "2026-11", "LPSE X", tmp_path / str(i), tz=service.settings.office.tz, services=names
        ).path.read_bytes()
        for i in range(2)
    ]
    assert made[0] == made[1]  # made again from the same data: the same bytes
    path = tmp_path / "0" / "arsip-2026-11.zip"
    assert archive.verify_month_archive(path) == []
    with zipfile.ZipFile(path) as zf:
        assert {"bukutamu-2026-11.csv", "bukutamu-2026-11.xlsx"} <= set(zf.namelist())
        sums = zf.read("SHA256SUMS").decode()
        rows = list(csv.DictReader(io.StringIO(zf.read("bukutamu-2026-11.csv").decode("utf-8-sig"))))
        sheet = load_workbook(io.BytesIO(zf.read("bukutamu-2026-11.xlsx"))).active
    assert "  bukutamu-2026-11.csv\n" in sums and "  bukutamu-2026-11.xlsx\n" in sums
    # November's visitors only (Joko came on the 29th, still November): every one, whatever became of them
    assert [(row["No. Antrian"], row["Keterangan"]) for row in rows] == [
        *((label, remarks) for label, _, _, _, remarks in EXPECTED),
        ("A-001", "kedaluwarsa (tutup hari)"),
    ]
    assert [row["Tanggal"] for row in rows][-2:] == [DAY, "2026-11-29"]
    assert sheet.cell(row=1, column=1).value == "Buku Tamu"
    assert sheet.cell(row=3, column=1).value == "Periode: 1 November 2026 s.d. 30 November 2026"
    names = [name for _, _, _, name, _ in EXPECTED] + ["Joko"]
    assert [sheet.cell(row=n, column=6).value for n in range(5, 5 + len(rows))] == names  # text, never a formula
    assert [row["Nama"] for row in rows] == [*names[:7], "'=Hadi+1", "Joko"]  # the CSV's guard


# -- the page in Chromium ------------------------------------------------------------------------------------
A4_LANDSCAPE = {"width": 1123, "height": 794}  # 297 x 210 mm at 96 px per inch


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("guestbook")
    server = LiveServer(write_config(tmp)).start()
    server.add_user("budi", "officer")
    yield server
    server.stop()


def test_the_printed_guest_book_shows_every_visitor_on_a4_with_its_page_numbers(browser, office):
    from playwright.sync_api import expect

    officer = office.session("budi", "rahasia-123")
    for name in ("Rudi Hartono", "Siti Aminah"):
        r = requests.post(office.url + "/api/tickets", timeout=5, json=visitor(name=name))
        assert r.status_code == 201, r.text
    for action, payload in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Selesai"})):
        r = officer.post(f"{office.url}/api/counters/1/{action}", json=payload, timeout=5)
        assert r.status_code == 200, r.text
    today = officer.get(office.url + "/api/state", timeout=5).json()["day"]
    context = browser.new_context(viewport=A4_LANDSCAPE, locale="id-ID")
    r = context.request.post(office.url + "/api/login", data={"username": "budi", "password": "rahasia-123"})
    assert r.ok, r.text()
    page = context.new_page()
    page.goto(f"{office.url}/counter/guestbook")  # today, by default
    rows = page.locator("table.guestbook tbody tr")
    expect(rows).to_have_count(2)
    cells = rows.evaluate_all("rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    dmy = date.fromisoformat(today).strftime("%d/%m/%Y")
    assert [(r[0], r[1], r[3], r[5], r[9]) for r in cells] == [
        ("1", dmy, "A-001", "Rudi Hartono", "dilayani — selesai"),
        ("2", dmy, "A-002", "Siti Aminah", "menunggu dipanggil"),
    ]
    assert page.locator("table.guestbook thead th").all_inner_texts() == COLUMNS
    page.emulate_media(media="print")
    expect(page.locator("form.toolbar")).to_be_hidden()  # on paper: the book alone
    expect(page.locator("h1")).to_have_text("Buku Tamu")
    # each printed page numbered at its foot (print.js's @page rule, the catalogue's words)
    rule = page.evaluate(
        """() => [...document.styleSheets].flatMap((s) => { try { return [...s.cssRules]; } catch (e) { return []; } })
            .map((r) => r.cssText).find((t) => t.includes('counter(pages)')) || ''"""
    )
    assert '"Halaman " counter(page) " dari " counter(pages)' in rule
    # nothing wider than the A4 page: the ten columns fit its 277 mm
    width = page.evaluate("document.querySelector('table.guestbook').getBoundingClientRect().right")
    assert width <= A4_LANDSCAPE["width"]
    context.close()


def test_a_row_number_of_three_or_four_digits_prints_on_one_line(browser, office):
    """The guest book's 100th visitor printed as "10" over "0" in the No column (9 mm, less its paddings: two
    digits), and every visitor after it: a month's book has hundreds. Any row the page shows (at most 2,000) keeps
    its number on one line inside its cell, on paper as on screen."""
    r = requests.post(office.url + "/api/tickets", timeout=5, json=visitor(name="Wulan Sari"))
    assert r.status_code == 201, r.text
    context = browser.new_context(viewport=A4_LANDSCAPE, locale="id-ID")
    r = context.request.post(office.url + "/api/login", data={"username": "budi", "password": "rahasia-123"})
    assert r.ok, r.text()
    page = context.new_page()
    page.goto(f"{office.url}/counter/guestbook")
    cell = page.locator("table.guestbook tbody tr:first-child td").first
    cell.wait_for()
    lines_js = """(td) => { const r = document.createRange(); r.selectNodeContents(td);
      return [new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size, td.scrollWidth <= td.clientWidth]; }"""
    for media in ("print", "screen"):
        page.emulate_media(media=media)
        for number in ("100", "298", "1999", "2000"):  # what the page writes in row `number`'s first cell
            cell.evaluate("(td, n) => { td.textContent = n; }", number)
            assert cell.evaluate(lines_js) == [1, True], (media, number)
    context.close()


def test_the_ten_columns_fit_a_1024_pixel_screen_in_english_too(browser, office):
    """The head of office's 1024×768 laptop: the book's columns were set in millimetres adding up to A4's 277 mm,
    1,047 px, so the table stood 24 px past the window's right edge and Keterangan ("dialihkan ke …; dilayani —
    selesai") was cut at the screen's edge, the page scrolling sideways. The columns now share the window's width
    in the same proportions (on A4 the same 277 mm), and the cells that never wrap (No, the day, the time, the
    ticket label, a 13-digit mobile) still hold their text."""
    r = requests.post(office.url + "/api/tickets", timeout=5, json=visitor(name="Yusuf Hadi", phone="0812345678901"))
    assert r.status_code == 201, r.text
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-US")
    r = context.request.post(office.url + "/api/login", data={"username": "budi", "password": "rahasia-123"})
    assert r.ok, r.text()
    page = context.new_page()
    page.goto(f"{office.url}/counter/guestbook?lang=en")
    cell = page.locator("table.guestbook tbody tr:last-child td").first
    cell.wait_for()
    assert page.locator("form.toolbar button").first.inner_text() == "Show"  # the page around the book in English
    right = page.evaluate("document.querySelector('table.guestbook').getBoundingClientRect().right")
    assert right <= 1024, f"the table ends at {right:.0f} px, past the 1024 px window"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    held = page.locator("table.guestbook tbody tr:last-child td").evaluate_all(
        "tds => [0, 1, 2, 3, 8].map(i => [tds[i].textContent, tds[i].scrollWidth <= tds[i].clientWidth])"
    )
    assert all(fits for _, fits in held), held
    assert held[4][0] == "0812345678901"
    context.close()
