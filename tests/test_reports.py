"""Recap filters and exports, service-time figures, and the recap and dashboard pages."""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import UTC, date, datetime, timedelta

import figures_oracle as oracle
import pytest
from conftest import ROOT, empty_database, login, visitor, write_config

from server import figures
from server.config import SlaSettings
from server.service import Kind

DAY = "2026-11-28"
SOP_SIX = ["No", "Nama", "Alamat", "Permasalahan", "Solusi", "Keterangan"]
SLA = SlaSettings()  # waiting 5, service 30, escalation 5 minutes


def at(hhmm: str) -> datetime:
    """An instant of the seeded day, given in WIB (UTC+7)."""
    h, m = map(int, hhmm.split(":"))
    return datetime(2026, 11, 28, h - 7, m, tzinfo=UTC)


@pytest.fixture
def mail_config(tmp_path):
    return write_config(tmp_path, {"enabled = false\nhost": "enabled = true\nhost"})


@pytest.fixture
def app(mail_config, clock):
    """The app with escalation e-mail on (nothing is sent: workers are off; the test records the sending)."""
    yield from made_app(mail_config, clock)


def made_app(config, clock):
    """An app of `config` on an empty database of its own, no workers, no fsync (speed), closed after."""
    import os

    from server.app import create_app

    os.environ.pop("ANTRIAN_SECRET_KEY", None)
    empty_database(config.parent / "antrian.db")
    application = create_app(config, workers=False, clock=clock, synchronous="OFF")
    application.config["TESTING"] = True
    yield application
    application.extensions["antrian"].stop()
    application.extensions["antrian"].store.close()


@pytest.fixture
def seeded(app, clock):
    """A day whose recap and figures are known in advance (times in WIB).

    T1 A Ani   pertanyaan  issued 09:00, called 09:03, started 09:04, resolved 09:20 by budi at Loket 1
    T2 B Budi  pengaduan   issued 09:02, called 09:10, started 09:11, escalated 09:51 by siti at Loket 3,
                           escalation mail sent 09:54
    T3 A Citra konsultasi  issued 09:04, called 09:21, started 09:22, resolved 09:50 by budi
    T4 C Dedi  pertanyaan  issued 09:05, called 09:51 and twice more, skipped (requeued), called 3x again,
                           skipped: no-show
    """
    service = app.extensions["antrian"]

    def step(hhmm, fn, *args):
        clock.now = at(hhmm)
        out = fn(*args)
        assert out.kind in (Kind.DONE, Kind.CREATED), out
        return out.body

    def act(counter, action, payload=None, officer="budi"):
        return lambda: service.counter_action(counter, action, payload or {}, officer)

    people = [
        ("09:00", "A", "Ani", "Jl. Satu", "Lupa sandi", "pertanyaan"),
        ("09:02", "B", "Budi", "Jl. Dua", "Paket terkunci", "pengaduan"),
        ("09:04", "A", "Citra", "Jl. Tiga", "Cara unggah", "konsultasi"),
        ("09:05", "C", "Dedi", "Jl. Empat", "Verifikasi akun", "pertanyaan"),
    ]
    for hhmm, svc, name, address, problem, category in people[:2]:
        step(
            hhmm,
            lambda s=svc, n=name, a=address, p=problem, c=category: service.issue(
                visitor(service=s, name=n, address=a, problem=p, category=c)
            ),
        )
    step("09:03", act(1, "call-next"))
    step("09:04", act(1, "start"))
    for hhmm, svc, name, address, problem, category in people[2:]:
        step(
            hhmm,
            lambda s=svc, n=name, a=address, p=problem, c=category: service.issue(
                visitor(service=s, name=n, address=a, problem=p, category=c)
            ),
        )
    step("09:10", act(3, "call-next", officer="siti"))
    step("09:11", act(3, "start", officer="siti"))
    step("09:20", act(1, "resolve", {"solution": "Reset sandi"}))
    step("09:21", act(1, "call-next"))
    step("09:22", act(1, "start"))
    step("09:50", act(1, "resolve", {"solution": "Unggah ulang"}))
    body = step("09:51", act(3, "escalate", {"note": "Ke LKPP"}, officer="siti"))
    assert body["escalation"]["mail"]["status"] == "queued"
    clock.now = at("09:54")
    with service.store.read() as tx:
        mail = tx.mail_of_ticket(body["ticket"]["id"])
    service.mail_result(mail, None)
    for _ in range(2):
        step("09:51", act(1, "call-next"))
        step("09:52", act(1, "recall"))
        step("09:53", act(1, "recall"))
        step("09:55", act(1, "skip"))
    clock.now = at("16:00")
    return service


EXPECTED_RECAP = [
    {
        "No": 1,
        "Nama": "Ani",
        "Alamat": "Jl. Satu",
        "Permasalahan": "Lupa sandi",
        "Solusi": "Reset sandi",
        "Keterangan": "Pertanyaan; Selesai",
        "Tanggal": DAY,
        "No. Antrian": "A-001",
        "Petugas": "budi",
    },
    {
        "No": 2,
        "Nama": "Citra",
        "Alamat": "Jl. Tiga",
        "Permasalahan": "Cara unggah",
        "Solusi": "Unggah ulang",
        "Keterangan": "Konsultasi; Selesai",
        "Tanggal": DAY,
        "No. Antrian": "A-002",
        "Petugas": "budi",
    },
    {
        "No": 3,
        "Nama": "Budi",
        "Alamat": "Jl. Dua",
        "Permasalahan": "Paket terkunci",
        "Solusi": "Ke LKPP",
        "Keterangan": "Pengaduan; Eskalasi ke Helpdesk LKPP",
        "Tanggal": DAY,
        "No. Antrian": "B-001",
        "Petugas": "siti",
    },
]


def recap(client, headers, **params):
    query = "&".join(f"{k}={v}" for k, v in {"from": DAY, "to": DAY, **params}.items())
    return client.get(f"/api/recap?{query}", headers=headers)


# -- recap -----------------------------------------------------------------------------------------
def test_seeded_day_recap_matches_row_by_row(app, client, seeded):
    h = login(app, client, "kepala", "frontoffice")
    assert recap(client, h).get_json()["rows"] == EXPECTED_RECAP


@pytest.mark.parametrize(
    "params,names",
    [
        ({"service": "A"}, ["Ani", "Citra"]),
        ({"officer": "siti"}, ["Budi"]),
        ({"category": "konsultasi"}, ["Citra"]),
        ({"outcome": "escalated"}, ["Budi"]),
        ({"outcome": "resolved", "officer": "budi"}, ["Ani", "Citra"]),
        ({"outcome": "closed"}, []),
        ({"service": "C"}, []),  # Dedi never came: a no-show is not a handled problem
    ],
)
def test_recap_filters_pick_the_matching_rows_numbered_from_one(app, client, seeded, params, names):
    h = login(app, client, "kepala", "frontoffice")
    rows = recap(client, h, **params).get_json()["rows"]
    assert [r["Nama"] for r in rows] == names
    assert [r["No"] for r in rows] == list(range(1, len(names) + 1))


@pytest.mark.parametrize(
    "params,field",
    [
        ({"service": "Z"}, "service"),
        ({"category": "gosip"}, "category"),
        ({"outcome": "lost"}, "outcome"),
        ({"officer": "x" * 101}, "officer"),
        ({"format": "pdf"}, "format"),
    ],
)
def test_recap_bad_filter_is_422_naming_the_field(app, client, params, field):
    h = login(app, client, "kepala", "frontoffice")
    r = recap(client, h, **params)
    assert r.status_code == 422
    assert list(r.get_json()["fields"]) == [field]


def test_recap_csv_parses_to_the_same_rows_with_a_bom(app, client, seeded):
    h = login(app, client, "kepala", "frontoffice")
    r = recap(client, h, format="csv")
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"  # once (it was "…; charset=utf-8; charset=utf-8")
    raw = r.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows == [{k: str(v) for k, v in r.items()} for r in EXPECTED_RECAP]


def test_recap_xlsx_has_title_period_bold_headers_and_the_rows(app, client, seeded):
    from openpyxl import load_workbook

    h = login(app, client, "kepala", "frontoffice")
    r = recap(client, h, format="xlsx")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == f'attachment; filename="rekap-{DAY}-{DAY}.xlsx"'
    ws = load_workbook(io.BytesIO(r.get_data())).active
    values = [list(row) for row in ws.iter_rows(values_only=True)]
    assert values[0][0] == "Rekap Penanganan Permasalahan Pelelangan Secara Elektronik di LPSE"
    assert values[1][0] == "LPSE Kabupaten Contoh"
    assert values[2][0] == "Periode: 28 November 2026"
    assert values[3] == [*SOP_SIX, "Tanggal", "No. Antrian", "Petugas"]
    assert values[4] == [1, 2, 3, 4, 5, 6, 7, 8, 9]  # the columns' numbers under the headings, as the SOP's form
    assert all(cell.font.bold for cell in ws[4])
    assert not ws["B6"].font.bold and ws["D6"].alignment.wrap_text
    assert values[5:] == [[*r.values()][:6] + [datetime(2026, 11, 28), *[*r.values()][7:]] for r in EXPECTED_RECAP]
    assert ws.column_dimensions["D"].width == 48
    assert ws.page_setup.orientation == "landscape"
    # all nine columns on each A4 sheet (they are 236 characters wide: Nama and Solusi were on two sheets)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)


def test_the_recap_xlsx_numbers_its_columns_under_the_headings_atop_every_printed_page(app, client, seeded):
    """Indonesian government tables carry a row of column numbers under their headings, as the SOP's recap form
    does ("1" under No … "6" under Keterangan, its key "1 = No Urut Pencatatan …"), and the printable page has
    it: the workbook had none. Row 5 numbers the nine columns (number cells, centred, bordered, not bold),
    printed with the headings atop every page and frozen with them; the records start in row 6."""
    from openpyxl import load_workbook

    h = login(app, client, "kepala", "frontoffice")
    ws = load_workbook(io.BytesIO(recap(client, h, format="xlsx").get_data())).active
    assert [c.value for c in ws[4]] == [*SOP_SIX, "Tanggal", "No. Antrian", "Petugas"]
    numbers = ws[5]
    assert [c.value for c in numbers] == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    for c in numbers:
        assert c.data_type == "n" and c.number_format == "0" and not c.font.b, c.coordinate
        assert c.alignment.horizontal == "center" and c.border.top.style == c.border.bottom.style == "thin"
    assert ws.print_title_rows == "$4:$5"  # the headings and their numbers atop every printed page
    assert ws.freeze_panes == "A6"  # ... and on screen, the records scrolling under them
    assert ws["A6"].value == 1 and ws["B6"].value == EXPECTED_RECAP[0]["Nama"]


def test_xlsx_keeps_formula_looking_text_as_text(app, client):
    from openpyxl import load_workbook

    from server.reports import recap_xlsx

    row = {
        "No": 1,
        "Nama": '=HYPERLINK("http://x")',
        "Alamat": "+62",
        "Permasalahan": "-",
        "Solusi": "",
        "Keterangan": "@a",
        "Tanggal": DAY,
        "No. Antrian": "A-001",
        "Petugas": "+budi",
    }
    ws = load_workbook(io.BytesIO(recap_xlsx([row], "LPSE X", DAY, "2026-11-30"))).active
    assert ws["B6"].value == '=HYPERLINK("http://x")' and ws["B6"].data_type == "s"
    assert ws["I6"].value == "+budi" and ws["I6"].data_type == "s"
    assert ws["A3"].value == "Periode: 28 November 2026 s.d. 30 November 2026"


COLUMNS = [*SOP_SIX, "Tanggal", "No. Antrian", "Petugas"]
TRICKY = {
    "Nama": '=HYPERLINK("http://x","klik")',  # a formula to a spreadsheet, were it not text
    "Alamat": "Jl. <Satu> & \"Dua\" 'Tiga'",
    "Permasalahan": "Lupa sandi 🔑 lagi 😀, 中文, تجربة",
    "Solusi": "baris 1\r\nbaris 2\n\tbaris 3 ",  # a CR, a tab, a trailing space
    "Keterangan": "a\x00b\x0bc\x1bd\x7f\ufffee",  # controls XML 1.0 cannot hold (and DEL, which it can)
    "No. Antrian": "_x0041_",  # literal: not the escape of "A"
    "Petugas": " budi",
}


def test_the_recap_xlsx_written_row_by_row_keeps_its_layout_and_every_text(tmp_path):
    """The recap's workbook is written by server/xlsx.py, not openpyxl (ten years took 28-31 s): read back
    by openpyxl it has every property the openpyxl-made file had, each part is well-formed XML, every
    part the package names is in it, and text of any kind comes back as it was typed, always as text."""
    import xml.etree.ElementTree as ET
    import zipfile

    from openpyxl import load_workbook

    from server.reports import recap_xlsx
    from server.xlsx import MAX_CELL_TEXT, decode_xstring

    long_text = "Sandi lupa. " * 400 + "😀" * 20_000  # 4,800 + 40,000 UTF-16 units: over a cell's 32,767
    rows = [
        {**dict.fromkeys(SOP_SIX, ""), "No": 1, **TRICKY, "Tanggal": DAY},
        dict(zip(COLUMNS, (2, "Ani", None, long_text, "", "Selesai", "2026-11-30", "A-002", ""), strict=True)),
    ]
    data = recap_xlsx(iter(rows), "LPSE <Kota> & Kab.", DAY, "2026-11-30")

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        names = set(zf.namelist())
        parts = {name: ET.fromstring(zf.read(name)) for name in names}  # each part well-formed XML 1.0
    ns = {
        "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
        "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    }
    overrides = [o.get("PartName").lstrip("/") for o in parts["[Content_Types].xml"].findall("ct:Override", ns)]
    assert set(overrides) == names - {"[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels"}
    for rels, base in (("_rels/.rels", ""), ("xl/_rels/workbook.xml.rels", "xl/")):
        assert all(base + r.get("Target") in names for r in parts[rels].findall("rel:Relationship", ns))

    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Rekap"]
    ws = wb.active
    title, office, period = ws["A1"], ws["A2"], ws["A3"]
    assert title.value == "Rekap Penanganan Permasalahan Pelelangan Secara Elektronik di LPSE"
    assert (title.font.b, title.font.sz, office.value, office.font.b, office.font.sz) == (
        True, 14, "LPSE <Kota> & Kab.", True, 12
    )  # fmt: skip
    assert period.value == "Periode: 28 November 2026 s.d. 30 November 2026" and not period.font.b
    thin = ("thin", "thin", "thin", "thin")

    def box(cell):
        return (cell.border.left.style, cell.border.right.style, cell.border.top.style, cell.border.bottom.style)

    assert [c.value for c in ws[4]] == COLUMNS
    for c in ws[4]:
        assert c.font.b and (c.alignment.horizontal, c.alignment.vertical) == ("center", "center") and box(c) == thin
    widths = {k: ws.column_dimensions[k].width for k in "ABCDEFGHI"}
    assert widths == {"A": 6, "B": 24, "C": 32, "D": 48, "E": 48, "F": 30, "G": 12, "H": 12, "I": 24}
    for row in (6, 7):
        no, day = ws[f"A{row}"], ws[f"G{row}"]
        assert no.data_type == "n" and no.number_format == "0" and no.alignment.horizontal == "center"
        assert day.is_date and day.number_format == "DD/MM/YYYY" and day.alignment.horizontal == "center"
        for c in ws[row]:
            assert box(c) == thin and c.alignment.vertical == "top" and not c.font.b
        for col in "BCDEFHI":
            assert ws[f"{col}{row}"].alignment.wrap_text
    assert (ws["A6"].value, ws["A7"].value) == (1, 2)
    assert (ws["G6"].value, ws["G7"].value) == (datetime(2026, 11, 28), datetime(2026, 11, 30))
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$4:$5" and ws.freeze_panes == "A6"

    # text stays text and comes back as typed; XML 1.0's forbidden controls as ECMA-376's _xHHHH_,
    # which Excel and LibreOffice decode (openpyxl does not: decode_xstring does it here)
    for col, key in zip("BCDEFHI", (*SOP_SIX[1:], "No. Antrian", "Petugas"), strict=True):
        cell = ws[f"{col}6"]
        assert cell.data_type == "s" and decode_xstring(cell.value) == TRICKY[key], key
    assert ws["B6"].value == TRICKY["Nama"] and ws["E6"].value == TRICKY["Solusi"]  # no escape needed there
    assert ws["F6"].value == "a_x0000_b_x000B_c_x001B_d\x7f_xFFFE_e"
    # a text taller than a row may be (409 points) goes on in the rows under it (tests/test_archive_workbooks.py):
    # the whole of it, each part far within a cell's 32,767 characters (it was cut there), never half an emoji;
    # empty cells keep their style
    assert ws["C7"].value is None and ws["E7"].value is None and ws["I7"].value is None
    parts = [ws[f"D{row}"].value for row in range(7, ws.max_row + 1)]
    assert len(parts) > 2 and all(len(part.encode("utf-16-le")) // 2 < MAX_CELL_TEXT for part in parts)
    assert "".join(parts).replace(" ", "") == long_text.replace(" ", "")


def test_the_recap_xlsx_streams_its_rows():
    """The rows are written as they come: 2,000 rows of 5,000 characters (10 MB of sheet XML) take far less
    memory than the rows themselves would (the bench's ten years: docs/reports.md)."""
    import tracemalloc

    from server.reports import recap_xlsx

    def rows():
        for i in range(1, 2_001):
            values = (i, f"Pengunjung {i}", "Jl. Merdeka", "x" * 5000, "Reset", "Selesai", DAY, "A-001", "budi")
            yield dict(zip(COLUMNS, values, strict=True))

    tracemalloc.start()
    try:
        data = recap_xlsx(rows(), "LPSE X", DAY, DAY)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_500_000 + len(data), peak


# -- the recap's date, ticket and officer columns (issue 12, finding 8) ----------------------------
DAY2 = "2026-11-29"


def serve_one(service, clock, when, name, officer="budi", outcome="resolve"):
    """One visitor issued at `when`, called, served and resolved (or escalated) at counter 1."""
    clock.now = when
    out = service.issue(visitor(service="A", name=name))
    assert out.kind is Kind.CREATED, out
    payload = {"solution": f"Solusi {name}"} if outcome == "resolve" else {"note": f"Analisis {name}"}
    for action, data in (("call-next", {}), ("start", {}), (outcome, payload)):
        clock.advance(minutes=1)
        out = service.counter_action(1, action, data, officer)
        assert out.kind is Kind.DONE, out
    return out.body["ticket"]


@pytest.fixture
def two_days(app, clock):
    """A-001 on 28 November and A-001 again on 29 November: the same label on two days."""
    service = app.extensions["antrian"]
    serve_one(service, clock, at("09:00"), "Ani")
    serve_one(service, clock, datetime(2026, 11, 29, 3, 0, tzinfo=UTC), "Bayu", officer="siti")
    clock.now = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    return service


def test_a_two_day_recap_tells_the_days_apart_in_json_after_the_six_columns(app, client, two_days):
    h = login(app, client, "kepala", "frontoffice")
    data = recap(client, h, to=DAY2).get_json()
    assert data["columns"] == [*SOP_SIX, "Tanggal", "No. Antrian", "Petugas"]
    assert [(r["No"], r["Nama"], r["Tanggal"], r["No. Antrian"], r["Petugas"]) for r in data["rows"]] == [
        (1, "Ani", DAY, "A-001", "budi"),
        (2, "Bayu", DAY2, "A-001", "siti"),
    ]
    assert [list(r)[:6] for r in data["rows"]] == [SOP_SIX, SOP_SIX]  # the SOP's six first, in its order


def test_a_two_day_recap_tells_the_days_apart_in_csv(app, client, two_days):
    h = login(app, client, "kepala", "frontoffice")
    rows = list(csv.reader(io.StringIO(recap(client, h, to=DAY2, format="csv").get_data().decode("utf-8-sig"))))
    assert rows[0] == [*SOP_SIX, "Tanggal", "No. Antrian", "Petugas"]
    assert [(r[0], r[1], r[6], r[7], r[8]) for r in rows[1:]] == [
        ("1", "Ani", DAY, "A-001", "budi"),
        ("2", "Bayu", DAY2, "A-001", "siti"),
    ]


def xlsx_rows(content: bytes):
    """The recap workbook's sheet, and its headings (row 4) and records (from row 6: row 5 numbers the columns)."""
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(content)).active
    rows = [list(row) for row in ws.iter_rows(min_row=4, values_only=True)]
    assert rows[1] == list(range(1, len(rows[0]) + 1)), rows[1]
    return ws, [rows[0], *rows[2:]]


def test_a_two_day_xlsx_has_real_dates_and_no_as_a_number(app, client, two_days):
    h = login(app, client, "kepala", "frontoffice")
    ws, rows = xlsx_rows(recap(client, h, to=DAY2, format="xlsx").get_data())
    assert rows[0] == [*SOP_SIX, "Tanggal", "No. Antrian", "Petugas"]
    assert [(r[0], r[1], r[6], r[7], r[8]) for r in rows[1:]] == [
        (1, "Ani", datetime(2026, 11, 28), "A-001", "budi"),
        (2, "Bayu", datetime(2026, 11, 29), "A-001", "siti"),
    ]
    for row in (6, 7):
        no, day = ws[f"A{row}"], ws[f"G{row}"]
        assert no.data_type == "n" and type(no.value) is int and no.number_format == "0"
        assert day.is_date and day.number_format == "DD/MM/YYYY"
        assert ws[f"H{row}"].data_type == "s" and ws[f"I{row}"].data_type == "s"
    assert ws["A4"].value == "No" and ws.column_dimensions["G"].width == 12


def test_the_child_process_xlsx_has_the_same_typed_cells(app, two_days):
    """A long range's XLSX is made by `python -m server.report_job`: the same cells, typed alike."""
    from server import report_job

    job = {"from": DAY, "to": DAY2, "filters": {}, "format": "xlsx", "office": "LPSE X"}
    here = xlsx_rows(report_job.recap_file(two_days.store, job))[1]
    ws, there = xlsx_rows(report_job.in_child(two_days.store, {**job, "kind": "recap"}, 60))
    assert there == here and ws["A6"].data_type == "n" and ws["G7"].is_date


def test_recap_names_the_officer_by_full_name_when_the_account_has_one(app, client, two_days):
    """Petugas: the account's full name (optional, m014), else the username."""
    from conftest import add_user

    add_user(app, "budi", "officer")
    add_user(app, "siti", "officer")
    with two_days.store.write() as tx:
        if "full_name" not in {c["name"] for c in tx.rows("PRAGMA table_info(users)")}:
            tx.db.execute("ALTER TABLE users ADD COLUMN full_name TEXT")  # what m014 adds
        tx.db.execute("UPDATE users SET full_name = 'Budi Santoso, S.Kom.' WHERE username = 'budi'")
        tx.db.execute("UPDATE users SET full_name = '  ' WHERE username = 'siti'")
    h = login(app, client, "kepala", "frontoffice")
    rows = recap(client, h, to=DAY2).get_json()["rows"]
    assert [r["Petugas"] for r in rows] == ["Budi Santoso, S.Kom.", "siti"]
    assert [r["Nama"] for r in recap(client, h, to=DAY2, officer="budi").get_json()["rows"]] == ["Ani"]
    # the filter takes what the recap shows (the full name, any case) as well as the username
    for typed in ("Budi Santoso, S.Kom.", "budi santoso, s.kom. ", "BUDI"):
        assert [r["Nama"] for r in recap(client, h, to=DAY2, officer=typed).get_json()["rows"]] == ["Ani"], typed
    assert recap(client, h, to=DAY2, officer="Budi").get_json()["rows"][0]["Petugas"] == "Budi Santoso, S.Kom."
    # and the dashboard's officers are named as the recap names them
    groups = client.get(f"/api/figures?from={DAY}&to={DAY2}&group=officer", headers=h).get_json()["groups"]
    assert sorted((g["key"], g["label"]) for g in groups) == [("budi", "Budi Santoso, S.Kom."), ("siti", "siti")]


def test_a_corrected_record_says_who_corrected_it_in_its_remarks_in_every_form_of_the_recap(app, client, clock):
    """Petugas names who served; a solution corrected later by a colleague or the admin read as that officer's
    own words. Keterangan now ends "dikoreksi oleh …" (full names, in the order they first corrected it). An
    officer's correction of their own record is named too: the signed, archived recap showed such a row as first
    recorded (no "dikoreksi"), though its text was not."""
    from conftest import add_user

    service = app.extensions["antrian"]
    ani = serve_one(service, clock, at("09:00"), "Ani")
    bayu = serve_one(service, clock, at("10:00"), "Bayu")
    serve_one(service, clock, at("11:00"), "Cici")
    add_user(app, "sari", "officer")
    with service.store.write() as tx:
        if "full_name" not in {c["name"] for c in tx.rows("PRAGMA table_info(users)")}:
            tx.db.execute("ALTER TABLE users ADD COLUMN full_name TEXT")  # what m014 adds
        tx.db.execute("UPDATE users SET full_name = 'Sari Dewi' WHERE username = 'sari'")
    clock.advance(minutes=5)
    assert service.correct(ani["token"], {"solution": "Solusi Ani, dilengkapi"}, "budi").kind is Kind.DONE
    for n, who in enumerate(("sari", "kepala", "sari", "budi")):
        out = service.correct(bayu["token"], {"solution": f"Solusi Bayu, koreksi {n}"}, who)
        assert out.kind is Kind.DONE, out
    h = login(app, client, "kepala", "frontoffice")
    remarks = {r["Nama"]: r["Keterangan"] for r in recap(client, h).get_json()["rows"]}
    assert "dikoreksi" not in remarks["Cici"]
    assert remarks["Ani"].endswith("; dikoreksi oleh budi"), remarks["Ani"]  # her officer's own correction
    assert remarks["Bayu"].endswith("; dikoreksi oleh Sari Dewi, kepala, budi"), remarks["Bayu"]
    text = recap(client, h, format="csv").get_data(as_text=True)
    assert text.count("dikoreksi oleh Sari Dewi, kepala, budi") == 1 and text.count("dikoreksi oleh budi") == 1
    sheet = xlsx_rows(recap(client, h, format="xlsx").get_data())[1]
    cells = [str(cell) for row in sheet for cell in row]
    assert sum("dikoreksi oleh Sari Dewi, kepala, budi" in c for c in cells) == 1
    assert sum(c.endswith("; dikoreksi oleh budi") for c in cells) == 1


def test_recap_officer_is_the_username_when_accounts_have_no_full_name(app, client, two_days):
    h = login(app, client, "kepala", "frontoffice")
    assert [r["Petugas"] for r in recap(client, h, to=DAY2).get_json()["rows"]] == ["budi", "siti"]


def test_a_filtered_recap_names_its_filters_on_the_page_in_the_xlsx_and_in_the_files_names(
    app, client, clock, two_days
):
    """Budi's escalations are not the whole month's recap: the page, the workbook and the file names say so."""
    from conftest import add_user
    from openpyxl import load_workbook

    add_user(app, "budi", "officer")
    with two_days.store.write() as tx:
        tx.db.execute("UPDATE users SET full_name = 'Budi Santoso, S.Kom.' WHERE username = 'budi'")
    serve_one(two_days, clock, datetime(2026, 11, 29, 4, 0, tzinfo=UTC), "Cici", outcome="escalate")
    h = login(app, client, "kepala", "frontoffice")
    period = "Periode: 28 November 2026 s.d. 29 November 2026"
    said = "Petugas: Budi Santoso, S.Kom. · Hasil: Eskalasi ke Helpdesk LKPP"
    r = recap(client, h, to=DAY2, officer="budi", outcome="escalated", format="xlsx")
    assert r.headers["Content-Disposition"] == f'attachment; filename="rekap-{DAY}-{DAY2}-budi-eskalasi.xlsx"'
    ws = load_workbook(io.BytesIO(r.get_data())).active
    assert ws["A3"].value == f"{period} · {said}" and ws["B6"].value == "Cici" and ws["B7"].value is None
    r = recap(client, h, to=DAY2, officer="budi", outcome="escalated", format="csv")
    assert r.headers["Content-Disposition"] == f'attachment; filename="rekap-{DAY}-{DAY2}-budi-eskalasi.csv"'
    r = recap(client, h, to=DAY2, service="A", category="pertanyaan", officer="Budi Santoso, S.Kom.", format="csv")
    name = f"rekap-{DAY}-{DAY2}-konsultasi-penyedia-budi-santoso-s-kom-pertanyaan.csv"
    assert r.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert recap(client, h, to=DAY2).get_json()["filters_label"] == ""
    assert recap(client, h, to=DAY2, service="A", category="pertanyaan").get_json()["filters_label"] == (
        "Layanan: Konsultasi Penyedia · Jenis: Pertanyaan"
    )
    # a name the filter matches no account by stays as typed
    assert recap(client, h, to=DAY2, officer="Rina").get_json()["filters_label"] == "Petugas: Rina"
    # the whole recap keeps its plain name and period row
    r = recap(client, h, to=DAY2, format="xlsx")
    assert r.headers["Content-Disposition"] == f'attachment; filename="rekap-{DAY}-{DAY2}.xlsx"'
    assert load_workbook(io.BytesIO(r.get_data())).active["A3"].value == period

    html = client.get(f"/counter/recap?from={DAY}&to={DAY2}&officer=budi&outcome=escalated").get_data(as_text=True)
    assert f'{period}<span class="filters"> · {said}</span></p>' in html
    title = html.split("<title>")[1].split("</title>")[0]
    assert title == f"Rekap 28 November 2026 s.d. 29 November 2026 · {said} — LPSE Kabupaten Contoh"
    html = client.get(f"/counter/recap?from={DAY}&to={DAY2}").get_data(as_text=True)
    assert 'class="filters"' not in html and f"{period}</p>" in html


def test_recap_page_shows_the_day_label_and_officer_after_the_six(app, client, two_days):
    login(app, client, "kepala", "frontoffice")
    html = client.get(f"/counter/recap?from={DAY}&to={DAY2}").get_data(as_text=True)
    heads = [h.split("</th>")[0] for h in html.split('<th scope="col">')[1:]]
    assert heads == [*SOP_SIX, "Tanggal", "No. Antrian", "Petugas"]
    assert "<td>28/11/2026</td><td>A-001</td><td>budi</td>" in html
    assert "<td>29/11/2026</td><td>A-001</td><td>siti</td>" in html
    assert html.count("<col ") == 9


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_recap_page_ends_its_table_with_the_sop_forms_key_to_the_columns(app, client, two_days, lang):
    """The seed's recap form ends with "Keterangan :" and what each numbered column holds (1 = No Urut
    Pencatatan … 6 = Keterangan): the page says the same under the table, in Indonesian as the recap, in the
    columns' order and numbers (the headings' second row), then what our three columns hold."""
    from server.reports import RECAP_COLUMNS

    login(app, client, "kepala", "frontoffice")
    html = client.get(f"/counter/recap?from={DAY}&to={DAY2}&lang={lang}").get_data(as_text=True)
    legend = html.split('<p class="legend" id="legend" lang="id">')[1].split("</p>")[0]
    assert legend.startswith("Keterangan:")
    entries = re.findall(r"<span>(\d+) = ([^<;.]+)[;.]</span>", legend)
    assert entries[:6] == [
        ("1", "No Urut Pencatatan"),
        ("2", "Nama Pengguna"),
        ("3", "Alamat Pengguna"),
        ("4", "Pengaduan, Pertanyaan atau Konsultasi"),
        ("5", "Jawaban solusi dari permasalahan"),
        ("6", "Keterangan"),
    ]
    assert [n for n, _ in entries] == [str(i) for i in range(1, len(RECAP_COLUMNS) + 1)]  # one per column
    assert html.index("</table>") < html.index('id="legend"') < html.index('id="sign-block"')


# -- figures: pure functions on a synthetic day --------------------------------------------------
def row(
    day,
    status,
    created,
    called=None,
    started=None,
    finished=None,
    sent=None,
    officer="",
    service="A",
    requeues=0,
    form=None,
    copy=None,
):
    def iso(hhmmss):
        return f"{day}T{hhmmss}+00:00" if hhmmss else None

    return {
        "day": day,
        "status": status,
        "officer": officer,
        "service": service,
        "requeues": requeues,
        "created_at": iso(created),
        "first_called_at": iso(called),
        "started_at": iso(started),
        "finished_at": iso(finished),
        "mail_sent_at": iso(sent),
        "form_seconds": form,
        "copy_printed_at": iso(copy),
    }


SYNTHETIC = [
    # waiting exactly 300 s is within the 5-minute standard; service exactly 1800 s within 30 minutes; the
    # form's 300 s within its 5 minutes, the copy printed exactly 10 minutes after the end within its 10
    row(
        "2026-11-29",
        "resolved",
        "01:00:00",
        "01:05:00",
        "01:05:30",
        "01:35:30",
        officer="budi",
        form=300,
        copy="01:45:30",
    ),
    row(
        "2026-11-29",
        "escalated",
        "01:00:00",
        "01:05:01",
        "01:06:01",
        "01:40:00",
        "01:45:01",
        officer="siti",
        service="B",
        form=301,  # a second over
        copy="01:50:00.001",  # a millisecond over
    ),
    # registered at the front office (no form time), its copy never printed
    row("2026-11-30", "closed", "02:00:00", "02:01:00", "02:02:00", "02:10:00", "02:15:00", officer="budi"),
    row("2026-11-30", "no_show", "02:00:00", "02:20:00", finished="02:30:00", requeues=1, form=45),
    row("2026-11-30", "waiting", "03:00:00"),
]


def test_ticket_durations_are_exact_milliseconds():
    assert oracle.ticket_durations(SYNTHETIC[1]) == {
        "form": 301_000,
        "waiting": 301_000,
        "response": 60_000,
        "service": 2_039_000,
        "escalation": 301_000,
        "copy": 600_001,
    }
    assert oracle.ticket_durations(SYNTHETIC[3]) == {
        "form": 45_000,
        "waiting": 1_200_000,
        "response": None,
        "service": None,
        "escalation": None,
        "copy": None,
    }


def test_figures_per_day_count_the_standard_inclusively():
    out = figures.report(oracle.sums_by_group(SYNTHETIC, "day", SLA), SLA, "day")
    sun, mon = out["groups"]
    assert (sun["key"], sun["label"], mon["label"]) == ("2026-11-29", "29 Nov 2026", "30 Nov 2026")
    assert sun["waiting"] == {
        "n": 2,
        "within": 1,
        "share": 0.5,
        "mean_s": 300.5,
        "max_s": 301.0,
        "standard_s": 300,
        "unmeasured": 0,
    }
    assert sun["service"] == {"n": 2, "within": 1, "share": 0.5, "mean_s": 1919.5, "max_s": 2039.0, "standard_s": 1800}
    assert sun["escalation"] == {
        "n": 1,
        "within": 0,
        "share": 0.0,
        "mean_s": 301.0,
        "max_s": 301.0,
        "standard_s": 300,
        "unsent": 0,
        "no_mail": 0,
    }
    assert (mon["tickets"], mon["served"], mon["no_show"], mon["requeued"], mon["requeues"]) == (3, 1, 1, 1, 1)
    assert mon["waiting"]["n"] == 2 and mon["waiting"]["share"] == 0.5  # the waiting ticket is not measured
    assert mon["escalation"]["share"] == 1.0 and mon["response"] == {"n": 1, "mean_s": 60.0, "max_s": 60.0}
    assert out["total"]["waiting"]["within"] == 2 and out["total"]["waiting"]["share"] == 0.5
    assert out["total"]["tickets"] == 5
    # the form and the copy: within the standard up to it, to the millisecond, like the others
    assert sun["form"] == {
        "n": 2,
        "within": 1,
        "share": 0.5,
        "mean_s": 300.5,
        "max_s": 301.0,
        "standard_s": 300,
        "unmeasured": 0,
    }
    assert sun["copy"] == {
        "n": 2,
        "within": 1,
        "share": 0.5,
        # 10 minutes and a millisecond: over the standard, never shown at it (figures.over_shown)
        "mean_s": 600.1,
        "max_s": 600.1,
        "standard_s": 600,
        "unmeasured": 0,
        "unprinted": 0,
    }
    # not measured: a form without the kiosk's time, the waiting ticket's too; a served visitor's copy
    # never printed (the no-show has none to measure)
    assert (mon["form"]["n"], mon["form"]["within"], mon["form"]["unmeasured"]) == (1, 1, 2)
    assert (mon["copy"]["n"], mon["copy"]["share"], mon["copy"]["unmeasured"]) == (0, None, 1)
    assert out["total"]["form"]["unmeasured"] == 2 and out["total"]["copy"]["unmeasured"] == 1


def test_days_roll_up_into_iso_weeks_and_months():
    days = oracle.sums_by_group(SYNTHETIC, "day", SLA)
    assert figures.week_sums(days) == oracle.sums_by_group(SYNTHETIC, "week", SLA)  # Sunday 29th, Monday 30th
    weeks = figures.report(figures.week_sums(days), SLA, "week")["groups"]
    assert [(w["key"], w["label"], w["tickets"]) for w in weeks] == [
        ("2026-W48", "Minggu 48 / 2026", 2),
        ("2026-W49", "Minggu 49 / 2026", 3),
    ]
    months = figures.report(oracle.sums_by_group(SYNTHETIC, "month", SLA), SLA, "month")["groups"]
    assert [(m["label"], m["tickets"]) for m in months] == [("November 2026", 5)]


def test_a_week_or_a_month_cut_by_the_range_says_which_of_its_days_it_holds():
    """Grouped by week, November's "Minggu 49 / 2026" held only the 30th (the range's last day) but read
    like a whole week: a week or a month the range cuts names its days, in both languages."""
    november = ("2026-11-01", "2026-11-30")
    assert figures.label("week", "2026-W49", span=november) == "Minggu 49 / 2026 (sebagian: 30 Nov)"
    assert figures.label("week", "2026-W44", span=november) == "Minggu 44 / 2026 (sebagian: 1 Nov)"
    assert figures.label("week", "2026-W48", span=november) == "Minggu 48 / 2026"  # 23-29 Nov: whole
    assert figures.label("week", "2026-W49", lang="en", span=november) == "Week 49 / 2026 (partial: 30 Nov)"
    assert figures.label("week", "2026-W49", span=("2026-11-25", "2026-12-02")) == (
        "Minggu 49 / 2026 (sebagian: 30 Nov – 2 Des)"
    )
    assert figures.label("week", "2026-W53", lang="en", span=("2026-12-30", "2027-01-02")) == (
        "Week 53 / 2026 (partial: 30 Dec 2026 – 2 Jan 2027)"
    )
    later = ("2026-11-04", "2026-12-31")
    assert figures.label("month", "2026-11", span=later) == "November 2026 (sebagian: 4–30 Nov)"
    assert figures.label("month", "2026-11", lang="en", span=later) == "November 2026 (partial: 4–30 Nov)"
    assert figures.label("month", "2026-12", span=later) == "Desember 2026"
    assert figures.label("month", "2027-02", span=("2027-02-01", "2027-02-28")) == "Februari 2027"
    assert figures.label("week", "2026-W49") == "Minggu 49 / 2026"  # no range: the week as such
    days = oracle.sums_by_group(SYNTHETIC, "day", SLA)
    weeks = figures.report(figures.week_sums(days), SLA, "week", span=("2026-11-28", "2026-11-30"))["groups"]
    assert [w["label"] for w in weeks] == [
        "Minggu 48 / 2026 (sebagian: 28–29 Nov)",
        "Minggu 49 / 2026 (sebagian: 30 Nov)",
    ]


def test_the_dashboard_and_its_api_mark_a_week_cut_by_the_range(app, client, seeded):
    login(app, client, "kepala", "officer")
    html = client.get(f"/counter/dashboard?from={DAY}&to={DAY}&group=week").get_data(as_text=True)
    assert html.count("Minggu 48 / 2026 (sebagian: 28 Nov)") >= 2  # under its bars, and in the table per group
    assert "Minggu 48 / 2026<" not in html
    client.set_cookie("antrian_lang", "en")
    html = client.get(f"/counter/dashboard?from={DAY}&to={DAY}&group=month").get_data(as_text=True)
    assert "November 2026 (partial: 28 Nov)" in html
    answer = client.get(f"/api/figures?from={DAY}&to={DAY}&group=week").get_json()
    assert [g["label"] for g in answer["groups"]] == ["Minggu 48 / 2026 (sebagian: 28 Nov)"]


def test_figures_by_officer_put_unserved_tickets_apart():
    groups = figures.report(oracle.sums_by_group(SYNTHETIC, "officer", SLA), SLA, "officer")["groups"]
    assert [(g["label"], g["tickets"], g["served"]) for g in groups] == [
        ("(tanpa petugas)", 2, 0),
        ("budi", 2, 2),
        ("siti", 1, 1),
    ]
    assert groups[1]["service"]["share"] == 1.0


# -- figures from the store ----------------------------------------------------------------------
def test_seeded_day_figures_from_the_api(app, client, seeded):
    h = login(app, client, "kepala", "officer")
    data = client.get(f"/api/figures?from={DAY}&to={DAY}&group=day", headers=h).get_json()
    day = data["groups"][0]
    assert (day["tickets"], day["served"], day["escalated"], day["no_show"], day["requeued"]) == (4, 3, 1, 1, 1)
    # waiting 180, 480, 1020, 2760 s; service 960, 2400, 1680 s; escalation mail 180 s after the escalation
    assert day["waiting"] == {
        "n": 4,
        "within": 1,
        "share": 0.25,
        "mean_s": 1110.0,
        "max_s": 2760.0,
        "standard_s": 300,
        "unmeasured": 0,
    }
    assert day["service"] == {
        "n": 3,
        "within": 2,
        "share": 0.6667,
        "mean_s": 1680.0,
        "max_s": 2400.0,
        "standard_s": 1800,
    }
    assert day["response"] == {"n": 3, "mean_s": 60.0, "max_s": 60.0}
    assert day["escalation"] == {
        "n": 1,
        "within": 1,
        "share": 1.0,
        "mean_s": 180.0,
        "max_s": 180.0,
        "standard_s": 300,
        "unsent": 0,
        "no_mail": 0,
    }
    assert data["open_days"] == 1
    nine = data["arrivals"][9]  # four tickets between 09:00 and 09:05 WIB (02:00 UTC)
    assert nine == {"hour": 9, "tickets": 4, "per_day": 4.0, "days": 1}
    assert sum(a["tickets"] for a in data["arrivals"]) == 4


# The office's calendar: a full day Monday to Thursday, Friday's short hours (the morning only), a holiday.
HALF_DAYS = """
[hours]
monday = "08:00-16:00"
tuesday = "08:00-16:00"
wednesday = "08:00-16:00"
thursday = "08:00-16:00"
friday = "08:00-11:30"
saturday = ""
sunday = ""
holidays = ["2026-11-25"]
"""


@pytest.fixture
def half_days(tmp_path, clock):
    """An office of HALF_DAYS whose tickets (WIB) are: Wednesday 25 November, a holiday, one registered by the
    front office at 10:30; Thursday 26th, a full day, 09:10, 09:40, 14:10, 14:20; Friday 27th, a half day,
    09:15, 09:20, 10:05, and one registered at 15:00, after its closing."""
    for application in made_app(write_config(tmp_path, extra=HALF_DAYS), clock):
        service = application.extensions["antrian"]
        for day, times in (("25", ["10:30"]), ("26", ["09:10", "09:40", "14:10", "14:20"]),
                           ("27", ["09:15", "09:20", "10:05", "15:00"])):  # fmt: skip
            for hhmm in times:
                h, m = map(int, hhmm.split(":"))
                clock.now = datetime(2026, 11, int(day), h - 7, m, tzinfo=UTC)
                assert service.issue(visitor(name=f"Tamu {day} {hhmm}")).kind is Kind.CREATED
        clock.now = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
        yield application


def test_arrivals_per_hour_average_over_the_days_open_in_that_hour(half_days):
    """Arrivals per hour tell the head of office how many counters to open when. A Friday closing at 11:30 is open
    in the morning's hours only: its closed afternoon is no afternoon without visitors. Each hour's tickets are
    averaged over the days the office was open in that hour ([hours]: a range overlaps it), and any day with a
    ticket in it (the front office registers after closing, on a holiday); before, over every day with visitors, so
    Thursday's two arrivals at 14.00 read 0.67 a day, as if the office had been open then on three days."""
    client = half_days.test_client()
    h = login(half_days, client, "kepala", "officer")
    data = client.get("/api/figures?from=2026-11-25&to=2026-11-27&group=day", headers=h).get_json()
    assert data["open_days"] == 3
    per_day = {a["hour"]: a["per_day"] for a in data["arrivals"]}
    assert (per_day[14], per_day[9], per_day[10], per_day[15]) == (2.0, 2.0, 0.67, 0.5)
    by_hour = {a["hour"]: (a["tickets"], a["days"], a["per_day"]) for a in data["arrivals"]}
    assert by_hour[14] == (2, 1, 2.0)  # Thursday alone was open at 14.00
    assert by_hour[9] == (4, 2, 2.0)  # Thursday and Friday, not the holiday
    assert by_hour[10] == (2, 3, 0.67)  # and the holiday's registration at 10.30
    assert by_hour[12] == (0, 1, 0.0)  # Friday closed at 11.30: Thursday's noon, without a visitor
    assert by_hour[15] == (1, 2, 0.5)  # Thursday, and Friday's registration after closing
    assert by_hour[7] == by_hour[20] == (0, 0, 0.0)  # closed every day
    # the same from the kept days (figure_days) as from the tickets, and from the child process's JSON job
    service = half_days.extensions["antrian"]
    with service.store.write() as tx:
        assert tx.keep_figure_days("2026-11-28", figures.limits_ms(service.settings.sla), 5)
    assert client.get("/api/figures?from=2026-11-25&to=2026-11-27&group=day", headers=h).get_json() == data
    import json

    from server.report_job import figures_job, figures_of

    job = json.loads(json.dumps(figures_job(service.settings, "2026-11-25", "2026-11-27", "day")))
    assert figures_of(service.store, job)["arrivals"] == data["arrivals"]
    # the dashboard's bar says over how many days
    html = client.get("/counter/dashboard?from=2026-11-25&to=2026-11-27").get_data(as_text=True)
    assert "<title>14.00: 2,00 tiket/hari (2 total, 1 hari buka)</title>" in html
    assert "Kedatangan per jam (rata-rata tiket per hari buka pada jam itu)" in html


@pytest.mark.parametrize("group", ["day", "month", "officer", "service"])
def test_store_sums_equal_the_pure_path(app, seeded, group):
    with seeded.store.read() as tx:
        sql = tx.figure_sums(DAY, DAY, group, figures.limits_ms(SLA))
        pure = oracle.sums_by_group(oracle.ticket_times(tx, DAY, DAY), group, SLA)
    for s in sql:
        for k in list(s):
            if k.endswith(("_sum", "_max")) and s[k] is not None:
                s[k] = int(s[k])
    assert sql == pure


def test_figures_by_service_use_the_service_names(app, client, seeded):
    h = login(app, client, "kepala", "officer")
    groups = client.get(f"/api/figures?from={DAY}&to={DAY}&group=service", headers=h).get_json()["groups"]
    assert [(g["key"], g["label"], g["tickets"]) for g in groups] == [
        ("A", "Konsultasi Penyedia", 2),
        ("B", "Konsultasi Non-Penyedia (PPK/Pokja/PP)", 1),
        ("C", "Registrasi & Verifikasi Akun", 1),
    ]


@pytest.mark.parametrize(
    "query,field", [("from=2026-11-28&to=2026-11-28&group=year", "group"), ("from=2026-11-28", "to")]
)
def test_figures_bad_query_is_422(app, client, query, field):
    h = login(app, client, "kepala", "officer")
    r = client.get(f"/api/figures?{query}", headers=h)
    assert r.status_code == 422 and field in r.get_json()["fields"]


def test_figures_need_login(client):
    assert client.get(f"/api/figures?from={DAY}&to={DAY}").status_code == 401


# -- figures as files (GET /api/figures?format=xlsx|csv; the month-end review: only Print took them out) --------
EXPORT_HEADINGS = [
    "Kelompok",
    "Kode",
    "Ukuran",
    "Standar SOP (menit)",
    "Diukur",
    "Tidak diukur",
    "Dalam standar",
    "% dalam standar",
    "Rata-rata (menit)",
    "Terlama (menit)",
]
GROUP_WORDS = {"day": "hari", "week": "minggu", "month": "bulan", "officer": "petugas", "service": "layanan"}


def expected_export_rows(data):
    """The JSON's figures as the files' rows should hold them: per group, then the total, a row per measure
    in the SOP's order (the durations in seconds here: the test turns the files' minutes back)."""
    rows = []
    for g in [*data["groups"], data["total"]]:
        for m in figures.MEASURES:
            f = g[m]
            left_out = f.get("unsent") if m == "escalation" else f.get("unmeasured")
            rows.append(
                [
                    g["label"],
                    g["key"],
                    figures.MEASURE_NAMES_ID[m],
                    None if "standard_s" not in f else f["standard_s"] / 60,
                    f["n"],
                    left_out,
                    f.get("within"),
                    f.get("share"),
                    f["mean_s"],
                    f["max_s"],
                ]
            )
    return rows


def seconds(minutes):
    """A file's minutes back in the JSON's seconds (to the tenth), None for an empty cell."""
    return None if minutes in (None, "") else round(float(minutes) * 60, 1)


@pytest.mark.parametrize("group", figures.GROUPS)
def test_the_figures_xlsx_holds_the_jsons_numbers_as_numbers(app, client, seeded, group):
    from openpyxl import load_workbook

    h = login(app, client, "kepala", "frontoffice")
    data = client.get(f"/api/figures?from={DAY}&to={DAY}&group={group}", headers=h).get_json()
    r = client.get(f"/api/figures?from={DAY}&to={DAY}&group={group}&format=xlsx", headers=h)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = f"waktu-layanan-{DAY}-{DAY}-{GROUP_WORDS[group]}.xlsx"
    assert r.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    wb = load_workbook(io.BytesIO(r.get_data()))
    assert wb.sheetnames == ["Waktu Layanan"]
    ws = wb.active
    assert ws["A1"].value == "Waktu Layanan terhadap Standar Waktu SOP" and ws["A1"].font.b
    assert ws["A2"].value == "LPSE Kabupaten Contoh" and ws["A2"].font.b
    assert ws["A3"].value == f"Periode: 28 November 2026 · dikelompokkan per {GROUP_WORDS[group]}"
    assert [c.value for c in ws[4]] == EXPORT_HEADINGS and all(c.font.b for c in ws[4])
    assert ws.freeze_panes == "A5"  # the headings stay on screen
    expected = expected_export_rows(data)
    got = [list(row) for row in ws.iter_rows(min_row=5, values_only=True)]
    assert len(got) == len(expected) == 6 * (len(data["groups"]) + 1) > 6
    for row, want in zip(got, expected, strict=True):
        # label, code (the total's and "(tanpa petugas)"'s empty; a day's a date cell), measure, standard in
        # minutes, counts, the share
        code = row[1].date().isoformat() if group == "day" and row[1] is not None else row[1] or ""
        assert [row[0], code, *row[2:8]] == want[:8], row
        assert [seconds(row[8]), seconds(row[9])] == want[8:], row  # mean and longest: minutes of the seconds
    assert got[-6][0] == "Total" and ws.cell(len(got) + 4, 1).font.b  # the total's rows, last
    waiting = next(i for i, row in enumerate(got, start=5) if row[2] == "Waktu tunggu")
    cells = {c.column_letter: c for c in ws[waiting]}
    for letter, number_format in (
        ("D", "#,##0"),
        ("E", "#,##0"),
        ("G", "#,##0"),
        ("H", "0.00%"),
        ("I", "0.0"),
        ("J", "0.0"),
    ):
        assert cells[letter].data_type == "n" and cells[letter].number_format == number_format, letter
    if group == "day":  # 4 waits: 180, 480, 1020 and 2760 s, one within 5 minutes
        assert got[waiting - 5][3:] == [5, 4, 0, 1, 0.25, 18.5, 46]


@pytest.mark.parametrize("group", ["day", "officer"])
def test_the_figures_csv_parses_to_the_jsons_numbers(app, client, seeded, group):
    h = login(app, client, "kepala", "officer")
    data = client.get(f"/api/figures?from={DAY}&to={DAY}&group={group}", headers=h).get_json()
    r = client.get(f"/api/figures?from={DAY}&to={DAY}&group={group}&format=csv", headers=h)
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
    name = f"waktu-layanan-{DAY}-{DAY}-{GROUP_WORDS[group]}.csv"
    assert r.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    raw = r.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == EXPORT_HEADINGS  # one table: its headings in the first line, as the recap's CSV
    expected = expected_export_rows(data)
    assert len(rows) - 1 == len(expected)
    for row, want in zip(rows[1:], expected, strict=True):
        assert row[:3] == want[:3]
        numbers = [None if v == "" else float(v) for v in row[3:8]]
        share = want[7]
        assert numbers == [*want[3:7], None if share is None else round(share * 100, 2)], row  # 66.67 (%)
        assert [seconds(row[8]), seconds(row[9])] == want[8:], row
    if group == "day":  # 4 waits: 180, 480, 1020 and 2760 s, one within 5 minutes; a point before the decimals
        waiting = next(row for row in rows if row[0] == "28 Nov 2026" and row[2] == "Waktu tunggu")
        assert waiting[1:] == [DAY, "Waktu tunggu", "5", "4", "0", "1", "25.0", "18.5", "46.0"]


def test_a_days_code_in_the_figures_xlsx_is_a_date_cell_and_the_csv_keeps_its_iso_text():
    """A day's Kode was ISO text ("2026-11-29") while the recap's Tanggal is a date: a spreadsheet could not sort or
    filter the days as dates. It is a date cell now, shown DD/MM/YYYY as the recap's; a week's and a month's code
    stay text ("2026-W48", "2026-11"); the CSV keeps the ISO text, for a program to read."""
    from openpyxl import load_workbook

    days = oracle.sums_by_group(SYNTHETIC, "day", SLA)  # Sunday 29 and Monday 30 November 2026
    for group, sums, codes in (
        ("day", days, [datetime(2026, 11, 29), datetime(2026, 11, 30)]),
        ("week", figures.week_sums(days), ["2026-W48", "2026-W49"]),
        ("month", oracle.sums_by_group(SYNTHETIC, "month", SLA), ["2026-11"]),
    ):
        data = {"from": "2026-11-29", "to": "2026-11-30", "group": group}
        data.update(figures.report(sums, SLA, group))
        csv_before = figures.figures_csv(data)
        ws = load_workbook(io.BytesIO(figures.figures_xlsx(data, "LPSE"))).active
        cells = [ws.cell(n, 2) for n in range(5, ws.max_row + 1)]
        assert len(cells) == 6 * (len(codes) + 1)
        *rows, total = [cells[i : i + 6] for i in range(0, len(cells), 6)]  # a group's six measures, the total's
        assert all(c.value is None for c in total), group  # the total has no code
        for code, measures in zip(codes, rows, strict=True):
            for cell in measures:
                assert cell.value == code, (group, cell.coordinate, cell.value)
                if group == "day":
                    assert cell.is_date and cell.data_type == "d" and cell.number_format == "DD/MM/YYYY", cell.value
                    assert cell.border.left.style == "thin" and cell.alignment.vertical == "top"
                else:
                    assert cell.data_type == "s" and not cell.is_date, cell.value
        assert figures.figures_csv(data) == csv_before  # the workbook changed nothing the CSV is made from
        rows = list(csv.reader(io.StringIO(csv_before.decode("utf-8-sig"))))
        expected = [c.date().isoformat() if group == "day" else c for c in codes for _ in range(6)]
        assert [r[1] for r in rows[1:]] == [*expected, *[""] * 6], group  # ISO text, as before


def test_the_figures_files_keep_a_name_that_looks_like_a_formula_as_text():
    from openpyxl import load_workbook

    data = {"from": DAY, "to": DAY, "group": "service"}
    data.update(figures.report(oracle.sums_by_group(SYNTHETIC, "service", SLA), SLA, "service"))
    data["groups"][0]["label"] = '=HYPERLINK("http://x")'
    text = figures.figures_csv(data).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1][0] == '\'=HYPERLINK("http://x")'
    ws = load_workbook(io.BytesIO(figures.figures_xlsx(data, "+LPSE"))).active
    assert ws["A5"].value == '=HYPERLINK("http://x")' and ws["A5"].data_type == "s"
    assert ws["A2"].value == "+LPSE" and ws["A2"].data_type == "s"


def test_a_share_to_four_decimals_is_never_all_or_none_when_it_is_not():
    """19,999 waits of 20,000 within 5 minutes (a few years' figures) is 0.99995 of them: four decimals made it
    1.0, and the API, the CSV ("100.0") and the XLSX ("100.00%") said every visitor was called in time. One of
    30,000 within is no 0 % either."""
    from openpyxl import load_workbook

    sums = oracle.no_sums(DAY)
    sums.update(tickets=30_000, served=30_000, waiting_n=20_000, waiting_within=19_999, waiting_sum=20_000 * 60_000)
    sums.update(waiting_max=400_000, service_n=30_000, service_within=1, service_sum=30_000 * 2_400_000)
    sums.update(service_max=2_400_000)
    data = {"from": DAY, "to": DAY, "group": "day"}
    data.update(figures.report([sums], SLA, "day"))
    (group,) = data["groups"]
    assert (group["waiting"]["share"], group["service"]["share"]) == (0.9999, 0.0001)
    assert data["total"]["waiting"]["share"] == 0.9999
    rows = list(csv.reader(io.StringIO(figures.figures_csv(data).decode("utf-8-sig"))))
    header = rows[0]
    waits = [r[header.index("% dalam standar")] for r in rows if r[2] == "Waktu tunggu"]
    assert waits == ["99.99", "99.99"]  # the day's and the total's
    ws = load_workbook(io.BytesIO(figures.figures_xlsx(data, "LPSE"))).active
    shares = [row[7] for row in ws.iter_rows(min_row=5, values_only=True) if row[2] == "Waktu tunggu"]
    assert shares == [0.9999, 0.9999]
    assert figures.share_of(20_000, 20_000) == 1.0 and figures.share_of(0, 20_000) == 0.0
    assert figures.share_of(2, 3) == 0.6667 and figures.share_of(0, 0) is None


@pytest.mark.parametrize("fmt", ["pdf", "XLSX", ""])
def test_the_figures_in_a_format_it_does_not_make_is_422_naming_format(app, client, fmt):
    h = login(app, client, "kepala", "officer")
    r = client.get(f"/api/figures?from={DAY}&to={DAY}&format={fmt}", headers=h)
    assert r.status_code == 422 and list(r.get_json()["fields"]) == ["format"]


# -- escalation time: what it measures, and why a case is not measured (issue 12, finding 6) -------
@pytest.fixture
def mail_off_app(tmp_path, clock):
    """The demo config as it ships: escalation e-mail off."""
    yield from made_app(write_config(tmp_path), clock)


def test_without_email_the_escalation_time_runs_to_the_recorded_lkpp_ticket_number(mail_off_app, clock):
    app = mail_off_app
    service = app.extensions["antrian"]
    serve_one(service, clock, at("09:00"), "Ani", outcome="escalate")  # escalated 09:03
    clock.now = at("09:07")  # forwarded by hand through the TTS; its number recorded 4 minutes later
    out = service.record_lkpp_ticket("A-001", {"lkpp_ticket": "TTS-2026-0042"}, "budi")
    assert out.kind is Kind.DONE, out
    serve_one(service, clock, at("09:10"), "Bayu", outcome="escalate")  # not forwarded yet
    clock.now = at("16:00")
    client = app.test_client()
    login(app, client, "kepala", "officer")
    esc = client.get(f"/api/figures?from={DAY}&to={DAY}").get_json()["total"]["escalation"]
    assert esc == {
        "n": 1,
        "within": 1,
        "share": 1.0,
        "mean_s": 240.0,
        "max_s": 240.0,
        "standard_s": 300,
        "unsent": 1,
        "no_mail": 1,
    }
    with service.store.read() as tx:
        for group in ("day", "officer"):
            sql = tx.figure_sums(DAY, DAY, group, figures.limits_ms(SLA))
            assert sql == oracle.sums_by_group(oracle.ticket_times(tx, DAY, DAY), group, SLA)
    html = client.get(f"/counter/dashboard?from={DAY}&to={DAY}").get_data(as_text=True)
    assert "(1 tidak diukur*)" in html
    why = html.split('id="escalation-why">')[1].split("</p>")[0]
    assert "1 dari 2 eskalasi tidak diukur" in why
    assert "1 tanpa e-mail (e-mail eskalasi tidak aktif saat dieskalasi)" in why
    # in the head of office's words; config.toml's key small after them, for the admin
    assert "E-mail eskalasi belum diaktifkan oleh admin</strong> <small>" in why and "nomor tiket TTS dicatat" in why


def test_with_email_the_escalation_time_ends_at_the_mail_or_an_earlier_lkpp_number(app, client, clock):
    service = app.extensions["antrian"]
    first = serve_one(service, clock, at("09:00"), "Ani", outcome="escalate")  # escalated 09:03
    clock.now = at("09:05")
    assert service.record_lkpp_ticket("A-001", {"lkpp_ticket": "TTS-1"}, "budi").kind is Kind.DONE
    clock.now = at("09:09")
    with service.store.read() as tx:
        mail = tx.mail_of_ticket(first["id"])
    service.mail_result(mail, None)  # sent after the number was recorded: the number counts (120 s)
    serve_one(service, clock, at("09:20"), "Bayu", outcome="escalate")  # its mail never goes out
    clock.now = at("16:00")
    login(app, client, "kepala", "officer")
    esc = client.get(f"/api/figures?from={DAY}&to={DAY}").get_json()["total"]["escalation"]
    assert (esc["n"], esc["mean_s"], esc["unsent"], esc["no_mail"]) == (1, 120.0, 1, 0)
    why = client.get(f"/counter/dashboard?from={DAY}&to={DAY}").get_data(as_text=True)
    why = why.split('id="escalation-why">')[1].split("</p>")[0]
    assert "1 dengan e-mail yang belum atau gagal terkirim dan tanpa nomor tiket LKPP" in why
    assert "E-mail eskalasi belum diaktifkan" not in why


def test_forwarded_at_is_the_earlier_of_mail_and_lkpp_number():
    r = {"status": "escalated", "finished_at": "2026-11-28T02:00:00+00:00"}
    assert oracle.ticket_durations(r)["escalation"] is None
    r["lkpp_ticket_at"] = "2026-11-28T02:03:00+00:00"
    assert oracle.ticket_durations(r)["escalation"] == 180_000
    r["mail_sent_at"] = "2026-11-28T02:01:00.5+00:00"
    assert oracle.ticket_durations(r)["escalation"] == 60_500


# -- pages ---------------------------------------------------------------------------------------
def test_recap_page_prints_the_table_for_staff(app, client, seeded):
    login(app, client, "kepala", "frontoffice")
    r = client.get(f"/counter/recap?from={DAY}&to={DAY}&service=A")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Rekap Penanganan Permasalahan Pelelangan Secara Elektronik di LPSE" in html
    assert "Periode: 28 November 2026" in html and "/counter/static/recap.css" in html
    with client.get("/counter/static/recap.css") as css:
        assert "size: A4 landscape" in css.get_data(as_text=True)
    assert html.count('<th scope="col">') == 9
    assert "<td>Reset sandi</td>" in html and "<td>Citra</td>" in html and "<td>Budi</td>" not in html


def test_recap_page_over_its_row_limit_points_to_the_files(app, client, seeded, monkeypatch):
    import counter

    login(app, client, "kepala", "frontoffice")
    shown = client.get(f"/counter/recap?from={DAY}&to={DAY}").get_data(as_text=True).count("<tr><td>")
    assert shown >= 2
    monkeypatch.setattr(counter, "PAGE_ROWS", shown - 1)  # the office's own data, one row over
    html = client.get(f"/counter/recap?from={DAY}&to={DAY}").get_data(as_text=True)
    assert "<tr><td>" not in html and 'id="too-many"' in html
    assert f"{shown} penanganan pada periode ini" in html and "unduh XLSX / CSV" in html
    assert f"/api/recap?from={DAY}&amp;to={DAY}&amp;format=xlsx" in html


def test_recap_page_with_a_bad_filter_says_so(app, client):
    login(app, client, "kepala", "frontoffice")
    r = client.get(f"/counter/recap?from={DAY}&to={DAY}&outcome=lost")
    assert r.status_code == 422 and "outcome" in r.get_data(as_text=True)


def test_dashboard_draws_svg_charts_for_staff(app, client, seeded):
    login(app, client, "kepala", "officer")
    r = client.get(f"/counter/dashboard?from={DAY}&to={DAY}&group=officer")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert html.count("<svg") == 6  # form, waiting, service, escalation, copy shares; arrivals per hour
    assert "Kedatangan per jam" in html and "budi" in html and "(tanpa petugas)" in html
    # the charts are the server's SVG: no chart library, nothing from elsewhere; the scripts are the Print
    # button's, the page's own reload while its period holds today, and the bar's Keluar
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/counter/static/print.js" defer>',
        '<script src="/counter/static/dashboard.js" defer>',
        '<script src="/counter/static/nav.js" defer>',
    ]
    assert "http://cdn" not in html and "https://" not in html
    # service within 30 minutes: budi 2 of 2 -> a full 200-pixel bar
    assert 'height="200.0"' in html
    day = client.get(f"/counter/dashboard?from={DAY}&to={DAY}&group=day").get_data(as_text=True)
    # shares never rounded up past what they are (2 of 3 is 66,6 %, not 67), in Indonesian decimals
    assert "25% (1/4)" in day and "66,6% (2/3)" in day and "66.7" not in day
    assert "Persentase dibulatkan ke bawah" in day  # and the page says so
    # each bar says its share above it, "—" where there was nothing to measure (a 0% bar looks the same)
    assert '<text class="value"' in html and ">100%</text>" in html and ">—</text>" in html
    assert "18,5 menit" in day  # the mean wait: 1,110 s


def test_the_arrivals_bars_say_their_tickets_a_day_in_the_pages_decimals(app, client, seeded):
    """Hovering an arrivals bar said "09.00: 4.0 tiket/hari (4 total)" on the Indonesian page, whose axis says
    "4,0": in Indonesian 4.0 is not four. Each bar's figure is written as the page's other numbers are."""
    login(app, client, "kepala", "officer")
    html = client.get(f"/counter/dashboard?from={DAY}&to={DAY}").get_data(as_text=True)
    assert "<title>09.00: 4,00 tiket/hari (4 total, 1 hari buka)</title>" in html
    assert "<title>10.00: 0,00 tiket/hari (0 total, 1 hari buka)</title>" in html
    assert not re.search(r"\d\.\d+ tiket/hari", html)
    html = client.get(f"/counter/dashboard?from={DAY}&to={DAY}&lang=en").get_data(as_text=True)
    assert "<title>09.00: 4.00 tickets/day (4 in all; days open: 1)</title>" in html


def test_the_dashboard_links_its_periods_figures_as_xlsx_for_excel_then_csv(app, client, seeded):
    """The month-end review: the dashboard's figures left the system only through the browser's Print. The
    page now links the XLSX (first: the file for Excel) and the CSV (for other programs) of the period and
    grouping it shows, and prints with a button, as the recap page does."""
    login(app, client, "kepala", "officer")
    html = client.get(f"/counter/dashboard?from={DAY}&to=2026-11-30&group=week").get_data(as_text=True)
    links = re.findall(r'<a id="figures-(xlsx|csv)" href="([^"]+)">([^<]+)</a>', html)
    query = f"from={DAY}&amp;to=2026-11-30&amp;group=week"
    assert links == [
        ("xlsx", f"/api/figures?{query}&amp;format=xlsx", "Unduh XLSX (untuk Excel)"),
        ("csv", f"/api/figures?{query}&amp;format=csv", "Unduh CSV (untuk program lain)"),
    ]
    assert '<button type="button" data-print>Cetak</button>' in html
    for kind, href, _ in links:  # the links answer the file of that period and grouping
        r = client.get(href.replace("&amp;", "&"))
        assert r.status_code == 200
        assert f'filename="waktu-layanan-{DAY}-2026-11-30-minggu.{kind}"' in r.headers["Content-Disposition"]
    # without a period: the page's own (the last 30 days, per day) in the links
    today = app.extensions["antrian"].day()
    start = (date.fromisoformat(today) - timedelta(days=29)).isoformat()
    html = client.get("/counter/dashboard").get_data(as_text=True)
    assert f'href="/api/figures?from={start}&amp;to={today}&amp;group=day&amp;format=xlsx"' in html
    client.set_cookie("antrian_lang", "en")
    html = client.get(f"/counter/dashboard?from={DAY}&to={DAY}&group=officer").get_data(as_text=True)
    assert f'href="/api/figures?from={DAY}&amp;to={DAY}&amp;group=officer&amp;format=csv">' in html
    assert ">Download XLSX (for Excel)</a>" in html and ">Download CSV (for other programs)</a>" in html
    # a period the page refuses has no files to link
    html = client.get(f"/counter/dashboard?from={DAY}&to=2026-11-01").get_data(as_text=True)
    assert 'id="problems"' in html and "figures-xlsx" not in html and "/api/figures" not in html


def test_the_dashboards_totals_line_reads_right_in_english_for_one_day_and_one_skip(app, client, seeded):
    """One day, one ticket requeued once: the English line read "1 tickets (1 times) · 1 days with visits"."""
    login(app, client, "kepala", "officer")
    client.set_cookie("antrian_lang", "en")
    html = client.get(f"/counter/dashboard?from={DAY}&to={DAY}").get_data(as_text=True)
    line = re.search(r"<p>Tickets: <strong>4</strong> · ([^<]*)</p>", html).group(1)
    assert line == (
        "served 3 · escalated 1 · no-show 1 · cancelled 0 · not served by the end of their day 0 · still in play 0"
        " · skipped and queued again 1 (skips: 1) · days with visits: 1."
    )
    client.set_cookie("antrian_lang", "id")
    html = client.get(f"/counter/dashboard?from={DAY}&to={DAY}").get_data(as_text=True)
    assert "dilewati lalu diantrikan lagi 1 tiket (1 kali) · 1 hari dengan kunjungan." in html


def test_the_recap_and_skm_pages_say_the_xlsx_is_for_excel_and_the_csv_for_other_programs(app, client, seeded):
    """Excel set to Indonesian misreads their CSV ("," between cells, "." before decimals); the XLSX is right."""
    login(app, client, "kepala", "officer")
    for page, api in (("recap", "recap"), ("skm", "skm")):
        html = client.get(f"/counter/{page}?from={DAY}&to={DAY}").get_data(as_text=True)
        links = re.findall(rf'<a [^>]*href="/api/{api}\?[^"]*format=(xlsx|csv)">([^<]+)</a>', html)
        assert links == [("xlsx", "Unduh XLSX (untuk Excel)"), ("csv", "Unduh CSV (untuk program lain)")], page
    client.set_cookie("antrian_lang", "en")
    for page in ("recap", "skm"):
        html = client.get(f"/counter/{page}?from={DAY}&to={DAY}").get_data(as_text=True)
        assert ">Download XLSX (for Excel)</a>" in html and ">Download CSV (for other programs)</a>" in html, page


def served_then_lost_at_b(service, clock) -> str:
    """A-001 served by budi at counter 1 from 08:02 to 08:22 and sent to service B, where it is a no-show at counter
    3 (siti: two rounds of three calls, skipped); its label."""
    clock.now = at("08:00")
    label = service.issue(visitor(service="A")).body["ticket"]["label"]
    clock.now = at("08:02")
    service.counter_action(1, "call-next", {}, "budi")
    service.counter_action(1, "start", {}, "budi")
    clock.now = at("08:22")
    service.counter_action(1, "transfer", {"service": "B"}, "budi")
    clock.now = at("08:30")
    for _ in range(2):  # counter 3 (B, C): three calls, skipped; back, three calls, a no-show
        service.counter_action(3, "call-next", {}, "siti")
        for _ in range(2):
            service.counter_action(3, "recall", {}, "siti")
        service.counter_action(3, "skip", {}, "siti")
    return label


def test_a_visitor_served_then_transferred_who_never_reaches_the_new_service_is_in_the_recap(app, client, clock):
    """Budi served A-001 for 20 minutes and sent it to service B, where the visitor never came when called
    (two rounds of three calls: a no-show). The consultation happened: it is a recap row saying so, and
    its 20 minutes are a service time within the standard; the ticket still counts as a no-show."""
    service = app.extensions["antrian"]
    label = served_then_lost_at_b(service, clock)
    h = login(app, client, "kepala", "frontoffice")
    (row,) = recap(client, h).get_json()["rows"]
    assert (row["No. Antrian"], row["Petugas"], row["Solusi"]) == (label, "budi", "")
    assert (
        row["Keterangan"]
        == "Pertanyaan; Dialihkan ke Konsultasi Non-Penyedia (PPK/Pokja/PP), tidak hadir saat dipanggil di sana"
    )
    day = client.get(f"/api/figures?from={DAY}&to={DAY}&group=day", headers=h).get_json()["groups"][0]
    assert (day["tickets"], day["served"], day["no_show"]) == (1, 0, 1)
    assert (day["service"]["n"], day["service"]["mean_s"], day["service"]["within"]) == (1, 1200.0, 1)
    assert recap(client, h, outcome="resolved").get_json()["rows"] == []  # an outcome filter: served ones only


def test_every_recap_row_is_found_by_one_outcome_of_the_filter(app, client, clock):
    """A visitor served, sent on to another service and never served there is a recap row, but the recap's outcome
    filter offered only Selesai, Eskalasi and dijawab: a month of 266 rows read 214 + 24 + 26 = 264 by outcome, and
    no choice showed the two others. "Dialihkan, tidak dilayani di sana" finds them, on the page, in the API and
    its files, named as the other filters are."""
    service = app.extensions["antrian"]
    moved = served_then_lost_at_b(service, clock)
    clock.now = at("09:00")
    resolved = serve_one(service, clock, at("09:00"), "Ani")["label"]
    h = login(app, client, "kepala", "frontoffice")
    whole = [row["No. Antrian"] for row in recap(client, h).get_json()["rows"]]
    assert sorted(whole) == sorted([moved, resolved])
    by_outcome = {}
    for outcome in ("resolved", "escalated", "closed", "transferred"):
        r = recap(client, h, outcome=outcome)
        assert r.status_code == 200, (outcome, r.get_data(as_text=True))
        by_outcome[outcome] = [row["No. Antrian"] for row in r.get_json()["rows"]]
    assert by_outcome == {"resolved": [resolved], "escalated": [], "closed": [], "transferred": [moved]}
    answer = recap(client, h, outcome="transferred").get_json()
    assert answer["filters_label"] == "Hasil: Dialihkan ke layanan lain, tidak dilayani di sana"
    assert answer["rows"][0]["Keterangan"].endswith(
        "Dialihkan ke Konsultasi Non-Penyedia (PPK/Pokja/PP), tidak hadir saat dipanggil di sana"
    )
    r = recap(client, h, outcome="transferred", format="csv")
    assert f"rekap-{DAY}-{DAY}-dialihkan.csv" in r.headers["Content-Disposition"]
    page = client.get(f"/counter/recap?from={DAY}&to={DAY}&outcome=transferred").get_data(as_text=True)
    assert '<option value="transferred" selected>Dialihkan ke layanan lain, tidak dilayani di sana</option>' in page
    assert moved in page and resolved not in page


def test_a_visitor_sent_on_and_never_served_there_has_its_service_time_at_the_service_that_served_it(
    app, client, clock
):
    """Budi served A-001 at A for 20 minutes and sent it to B, where the visitor never came. Per service, the
    20 minutes were counted under B, which never served them: they are A's now, the no-show stays B's. Per
    officer they are budi's, who served them; a visitor served at both is the last officer's and service's
    whole (20 + 15 minutes: the SOP's 30 minutes are the visitor's, docs/reports.md)."""
    service = app.extensions["antrian"]
    clock.now = at("08:00")
    service.issue(visitor(service="A", name="Ani"))
    service.issue(visitor(service="A", name="Bayu"))
    for counter, action, officer, when, payload in (
        (1, "call-next", "budi", "08:01", {}),
        (1, "start", "budi", "08:02", {}),
        (1, "transfer", "budi", "08:22", {"service": "B"}),  # A-001 to B
        (3, "call-next", "siti", "08:23", {}),
        (3, "start", "siti", "08:24", {}),
        (3, "resolve", "siti", "08:39", {"solution": "Selesai"}),  # served 20 + 15 minutes
        (1, "call-next", "budi", "08:40", {}),
        (1, "start", "budi", "08:41", {}),
        (1, "transfer", "budi", "09:01", {"service": "B"}),  # A-002 to B: 20 minutes, then never there
    ):
        clock.now = at(when)
        assert service.counter_action(counter, action, payload, officer).kind is Kind.DONE
    for _ in range(2):
        service.counter_action(3, "call-next", {}, "siti")
        for _ in range(2):
            service.counter_action(3, "recall", {}, "siti")
        service.counter_action(3, "skip", {}, "siti")
    h = login(app, client, "kepala", "officer")

    def groups(group):
        answer = client.get(f"/api/figures?from={DAY}&to={DAY}&group={group}", headers=h).get_json()["groups"]
        return {
            g["key"]: (g["tickets"], g["served"], g["no_show"], g["service"]["n"], g["service"]["mean_s"])
            for g in answer
        }

    assert groups("service") == {"A": (0, 0, 0, 1, 1200.0), "B": (2, 1, 1, 1, 2100.0)}
    assert groups("officer") == {"budi": (1, 0, 1, 1, 1200.0), "siti": (1, 1, 0, 1, 2100.0)}
    assert groups("day")[DAY] == (2, 1, 1, 2, 1650.0)
    html = client.get(f"/counter/dashboard?from={DAY}&to={DAY}&group=service").get_data(as_text=True)
    assert "Konsultasi Penyedia" in html  # A's group, with a service time and no ticket
    for fmt in ("csv", "xlsx"):
        assert client.get(f"/api/figures?from={DAY}&to={DAY}&group=service&format={fmt}").status_code == 200


def test_m029_makes_again_the_kept_days_that_held_a_transferred_visitors_time_under_the_new_service(tmp_path):
    """A day kept before m029 has the no-show's 20 minutes under B, the service it was sent to: m029 drops
    that day's kept rows and marks it stale, so the dashboard sums it from its tickets until it is made again;
    a day without such a visitor stays as it was kept."""
    from sqlite_utils import Database

    from server.store import Store, migrations

    path = tmp_path / "antrian.db"
    db = Database(path)
    migrations.apply(db, stop_before="m029_served_before_transfer_per_service")
    base = {"service": "B", "priority": 0, "status": "no_show", "served_before_ms": 1_200_000, "service_ms": 1_200_000}
    base["created_at"] = "2026-11-28T01:00:00+00:00"
    db["tickets"].insert({**base, "day": DAY, "label": "A-001", "number": 1, "token": "t1", "transferred_from": "A"})
    db["tickets"].insert({**base, "day": DAY2, "label": "B-001", "number": 1, "token": "t2", "served_before_ms": 0})
    db.execute("DELETE FROM figure_stale")
    for day in (DAY, DAY2):  # kept as the code before m029 made them: the 20 minutes under B
        db.execute(
            "INSERT INTO figure_days (grp, day, key, limits, tickets, service_n) VALUES ('service', ?, 'B', 'x', 1, 1)",
            [day],
        )
    db.conn.commit()
    db.close()
    store = Store(path)
    with store.read() as tx:
        assert [r["day"] for r in tx.rows("SELECT day FROM figure_stale")] == [DAY]
        assert [r["day"] for r in tx.rows("SELECT day FROM figure_days")] == [DAY2]
        sums = tx.figure_sums(DAY, DAY, "service", figures.limits_ms(SLA))
        assert sums == oracle.sums_by_group(oracle.ticket_times(tx, DAY, DAY), "service", SLA)
        assert [(s["key"], s["tickets"], s["service_n"]) for s in sums] == [("A", 0, 1), ("B", 1, 0)]
    store.close()


def test_the_dashboard_says_why_more_service_times_were_measured_than_visitors_served(app, client, clock):
    """The month-end review: 295 service times measured, "dilayani 288" beside them and an SKM population
    of 288, with nothing to say that the 7 between are visitors transferred and never served at the new
    service. The dashboard now says so where the two numbers meet, in both languages."""
    service = app.extensions["antrian"]
    clock.now = at("08:00")
    service.issue(visitor(service="A"))
    clock.now = at("08:02")
    service.counter_action(1, "call-next", {}, "budi")
    service.counter_action(1, "start", {}, "budi")
    clock.now = at("08:12")
    service.counter_action(1, "resolve", {"solution": "Dijelaskan", "category": "pertanyaan"}, "budi")
    login(app, client, "kepala", "officer")
    page = f"/counter/dashboard?from={DAY}&to={DAY}"
    html = client.get(page).get_data(as_text=True)
    assert 'id="service-why"' not in html and "dialihkan" not in html  # as many measured as served: nothing to say
    clock.now = at("08:20")
    service.issue(visitor(service="A"))
    service.counter_action(1, "call-next", {}, "budi")
    service.counter_action(1, "start", {}, "budi")
    clock.now = at("08:40")
    service.counter_action(1, "transfer", {"service": "B"}, "budi")
    clock.now = at("08:45")
    for _ in range(2):  # at B: three calls, skipped; back, three calls, a no-show
        service.counter_action(3, "call-next", {}, "siti")
        for _ in range(2):
            service.counter_action(3, "recall", {}, "siti")
        service.counter_action(3, "skip", {}, "siti")
    html = client.get(page).get_data(as_text=True)
    row = html.split('id="row-service">')[1].split("</tr>")[0]
    assert '<td>2 <a class="why" href="#service-why">(termasuk 1 dialihkan*)</a></td>' in row
    why = html.split('id="service-why">')[1].split("</p>")[0]
    assert (
        "Waktu layanan diukur: 2; pengunjung dilayani: 1. Selisihnya (1): pengunjung yang dilayani lalu dialihkan"
        in why
    )
    # he was served all the same: in the SKM's population, and asked the survey (docs/skm.md)
    assert "baris di rekap (2 baris)" in why and "dalam populasi SKM (2)" in why
    client.set_cookie("antrian_lang", "en")
    html = client.get(page).get_data(as_text=True)
    assert "(including 1 transferred*)" in html
    assert (
        "Service times measured: 2; visitors served: 1. The difference (1): visitors served, then transferred" in html
    )


def test_m022_gives_a_transferred_no_show_of_an_older_version_its_service_time(tmp_path):
    from sqlite_utils import Database

    from server.store import Store, migrations

    path = tmp_path / "antrian.db"
    db = Database(path)
    migrations.apply(db, stop_before="m022_partly_served")
    base = {"day": DAY, "service": "B", "priority": 0, "created_at": "2026-11-28T01:00:00+00:00"}
    for i, (status, before) in enumerate((("no_show", 1_200_000), ("expired", 0), ("resolved", 600_000)), start=1):
        db["tickets"].insert(
            {**base, "label": f"B-00{i}", "number": i, "status": status, "served_before_ms": before, "token": f"t{i}"}
        )
    db.close()
    store = Store(path)
    with store.read() as tx:
        assert [r["service_ms"] for r in tx.rows("SELECT service_ms FROM tickets ORDER BY id")] == [
            1_200_000,
            None,
            None,
        ]
    store.close()


@pytest.mark.parametrize("path", ["/counter/recap", "/counter/dashboard"])
def test_report_pages_send_visitors_without_login_to_the_counter_login(client, path):
    r = client.get(path)
    # ... and back to the page after the login (?next=, see test_counter_page.py)
    assert r.status_code == 302 and r.headers["Location"].endswith("/counter/?next=" + path.replace("/", "%2F"))


# -- stored durations (m008) -----------------------------------------------------------------------
STORED = ("waiting_ms", "response_ms", "service_ms")


def stored_and_computed(tx, where="1 = 1", params=()):
    rows = tx.rows(f"SELECT * FROM tickets WHERE {where} ORDER BY id", params)
    stored = [{m: r[f"{m}_ms"] for m in ("waiting", "response", "service")} for r in rows]
    computed = [
        {
            m: v
            for m, v in oracle.ticket_durations({**r, "status": "resolved"}).items()
            if m in ("waiting", "response", "service")
        }
        for r in rows
    ]
    return stored, computed


def test_durations_written_through_the_normal_path_equal_the_timestamps(app, clock):
    from datetime import timedelta

    service = app.extensions["antrian"]
    base = at("10:00")
    steps = [
        (timedelta(microseconds=123_456), lambda: service.issue(visitor(service="A"))),
        (timedelta(minutes=5, microseconds=124_000), lambda: service.counter_action(1, "call-next", {}, "budi")),
        (timedelta(minutes=6, seconds=7, microseconds=999_501), lambda: service.counter_action(1, "start", {}, "budi")),
        (
            timedelta(minutes=36, seconds=7, microseconds=999_999),
            lambda: service.counter_action(1, "resolve", {"solution": "Selesai"}, "budi"),
        ),
    ]
    seen = []
    for offset, action in steps:
        clock.now = base + offset
        out = action()
        assert out.kind in (Kind.DONE, Kind.CREATED), out
        with service.store.read() as tx:
            stored, computed = stored_and_computed(tx)
        assert stored == computed
        seen.append(stored[0])
    assert seen[0] == {"waiting": None, "response": None, "service": None}
    assert seen[-1] == {"waiting": 300_001, "response": 67_876, "service": 1_800_000}
    with service.store.read() as tx:
        ticket = tx.ticket(tx.one("SELECT id FROM tickets")["id"])  # the extra columns are not Ticket fields
        assert ticket.status == "resolved" and ticket.solution == "Selesai"
        sums = tx.figure_sums(DAY, DAY, "day", figures.limits_ms(SLA))
        assert sums == oracle.sums_by_group(oracle.ticket_times(tx, DAY, DAY), "day", SLA)
        assert sums[0]["service_within"] == 1  # 1,800,000 ms: within the 30 minutes, to the millisecond


def test_seeded_day_stores_the_durations_it_shows(app, seeded):
    with seeded.store.read() as tx:
        stored, computed = stored_and_computed(tx)
    assert stored == computed
    assert [s["waiting"] for s in stored] == [180_000, 480_000, 1_020_000, 2_760_000]


def test_migration_backfills_the_durations_of_existing_rows(tmp_path):
    from sqlite_utils import Database

    from server.store import Store, migrations

    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m008_ticket_durations")
    assert "waiting_ms" not in db["tickets"].columns_dict
    old = [
        # day, created, first called, started, finished (UTC, as the store writes them)
        (
            DAY,
            "2026-11-28T02:00:00.250000+00:00",
            "2026-11-28T02:05:00.750500+00:00",
            "2026-11-28T02:06:01+00:00",
            "2026-11-28T02:36:00.999999+00:00",
        ),
        (DAY, "2026-11-28T03:00:00+00:00", "2026-11-28T03:20:00.000001+00:00", None, None),
        (DAY, "2026-11-28T04:00:00.000500+00:00", None, None, None),
    ]
    for i, (day, created, called, started, finished) in enumerate(old, start=1):
        db.execute(
            "INSERT INTO tickets (day, service, number, label, token, status, created_at, first_called_at,"
            " started_at, finished_at) VALUES (?, 'A', ?, ?, ?, ?, ?, ?, ?, ?)",
            [day, i, f"A-{i:03d}", f"t{i}", "resolved" if finished else "waiting", created, called, started, finished],
        )
    db.conn.commit()
    db.close()

    store = Store(path)
    with store.read() as tx:
        stored, computed = stored_and_computed(tx)
        assert stored == computed
        assert stored == [
            {"waiting": 300_500, "response": 60_250, "service": 1_800_000},
            {"waiting": 1_200_000, "response": None, "service": None},
            {"waiting": None, "response": None, "service": None},
        ]
        for group in ("day", "month", "officer", "service"):
            sql = tx.figure_sums(DAY, DAY, group, figures.limits_ms(SLA))
            assert sql == oracle.sums_by_group(oracle.ticket_times(tx, DAY, DAY), group, SLA)
        index = tx.rows("PRAGMA index_info(idx_tickets_figures)")
        assert {"waiting_ms", "response_ms", "service_ms"} <= {c["name"] for c in index}
    store.close()


@pytest.mark.parametrize("offset", [420, 480, 540, 330, -210, 0])
def test_arrivals_per_hour_equal_strftime_at_any_fixed_offset(app, seeded, offset):
    with seeded.store.read() as tx:
        rows = tx.rows(
            "SELECT CAST(strftime('%H', created_at, ?) AS INTEGER) AS h, COUNT(*) AS n FROM tickets"
            " WHERE day BETWEEN ? AND ? GROUP BY h",
            [f"{offset:+d} minutes", DAY, DAY],
        )
        assert tx.arrivals_by_hour(DAY, DAY, offset) == {r["h"]: r["n"] for r in rows}
        assert tx.arrival_hours(DAY, DAY, offset) == {DAY: sum(1 << r["h"] for r in rows)}  # the hours with any
    with seeded.store.write() as tx:  # the same from the kept day's hours (figure_days, per UTC hour)
        assert tx.keep_figure_days("2026-11-29", figures.limits_ms(SLA), 5) == [DAY]
    with seeded.store.read() as tx:
        assert tx.arrivals_by_hour(DAY, DAY, offset) == {r["h"]: r["n"] for r in rows}
        assert tx.arrival_hours(DAY, DAY, offset) == {DAY: sum(1 << r["h"] for r in rows)}


# -- long exports are made beside the server ------------------------------------------------------


def test_a_ten_year_xlsx_is_made_beside_the_server_which_keeps_answering_meanwhile(tmp_path, ten_years):
    """A recap longer than a month is made by a child process (server/report_job.py): building its
    rows of XLSX takes seconds of CPU, which on the server's event loop would stop every screen.
    5,000 tickets over ten years keep the export long enough to poll through (bench/bench_reports.py
    times 20,000)."""
    import threading
    import time

    import openpyxl
    import requests
    from live import LiveServer

    from server.config import load_settings
    from server.store import Store

    config = write_config(tmp_path)
    ten_years(5_000, config)
    store = Store(load_settings(config).server.database)
    with store.read() as tx:
        span = tx.one("SELECT MIN(day) AS a, MAX(day) AS b FROM tickets")
        expected = tx.one("SELECT COUNT(*) AS n FROM tickets WHERE status IN ('resolved', 'escalated', 'closed')")["n"]
    store.close()
    server = LiveServer(config).start(timeout=30)
    try:
        server.add_user("budi", "officer")
        officer = server.session("budi", "rahasia-123")
        answer = {}

        def export() -> None:
            url = f"{server.url}/api/recap?from={span['a']}&to={span['b']}&format=xlsx"
            answer["r"] = officer.get(url, timeout=120)

        worker = threading.Thread(target=export)
        slowest, polls, began = 0.0, 0, time.perf_counter()
        with requests.Session() as http:
            http.get(f"{server.url}/api/state", timeout=5)
            worker.start()
            while worker.is_alive():
                t0 = time.perf_counter()
                assert http.get(f"{server.url}/api/state", timeout=5).status_code == 200
                slowest, polls = max(slowest, time.perf_counter() - t0), polls + 1
                time.sleep(0.01)  # a screen asks now and then, not in a loop (a loop would be throttled)
        worker.join()
        took = time.perf_counter() - began
        r = answer["r"]
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)["Rekap"]
        assert sum(1 for _ in sheet.iter_rows(min_row=6)) == expected  # title, office, period, header, column numbers
        assert polls > 10, polls  # the export took a while, and the server answered all along
        # made on the event loop, the export would hold one answer for about its whole time; beside it,
        # no answer waits more than a fraction of it (a busy machine makes both slower alike)
        assert slowest < min(1.0, took / 3), (
            f"the server stopped answering for {slowest:.2f} s of the {took:.2f} s export"
        )
    finally:
        server.stop()


def test_the_child_process_answers_exactly_what_the_request_would(tmp_path, ten_years):
    """server/report_job.py run as a child (as the server does for long ranges) gives the same
    figures, per group, and the same recap bytes as the in-process functions."""
    import json

    from server import report_job
    from server.config import load_settings
    from server.store import Store

    config = write_config(tmp_path)
    settings = load_settings(config)
    ten_years(5_000, config)
    store = Store(settings.server.database)
    with store.read() as tx:
        span = tx.one("SELECT MIN(day) AS a, MAX(day) AS b FROM tickets")
    for group in figures.GROUPS:
        job = report_job.figures_job(settings, span["a"], span["b"], group)
        here = report_job.figures_of(store, job)
        assert here["groups"]  # ten years of figures, not an empty answer
        assert json.loads(report_job.in_child(store, {**job, "kind": "figures"}, 120)) == here
    recap = {"from": span["a"], "to": span["b"], "filters": {"service": "A"}, "format": "csv", "office": "LPSE"}
    here = report_job.recap_file(store, recap)
    assert here.count(b"\n") > 1000
    assert report_job.in_child(store, {**recap, "kind": "recap"}, 120) == here
    store.close()


# -- service across a transfer (m019) ---------------------------------------------------------------
def test_a_transferred_visitors_service_counts_every_stretch_and_the_response_ends_at_the_first_start(app, clock):
    """Called 10:01, started 10:02 at A, transferred 10:27, started at B 10:29, resolved 10:39: served
    25 + 10 = 35 minutes (over the 30 of the SOP), response 1 minute. It was 10 and 26."""
    service = app.extensions["antrian"]
    steps = [
        ("10:00", lambda: service.issue(visitor(service="A"))),
        ("10:01", lambda: service.counter_action(1, "call-next", {}, "rina")),
        ("10:02", lambda: service.counter_action(1, "start", {}, "rina")),
        ("10:27", lambda: service.counter_action(1, "transfer", {"service": "B"}, "rina")),
        ("10:28", lambda: service.counter_action(2, "call-next", {}, "siti")),
        ("10:29", lambda: service.counter_action(2, "start", {}, "siti")),
        ("10:39", lambda: service.counter_action(2, "resolve", {"solution": "Selesai"}, "siti")),
    ]
    for hhmm, action in steps:
        clock.now = at(hhmm)
        assert action().kind in (Kind.DONE, Kind.CREATED)
    with service.store.read() as tx:
        stored, computed = stored_and_computed(tx)
        assert stored == computed == [{"waiting": 60_000, "response": 60_000, "service": 2_100_000}]
        sums = tx.figure_sums(DAY, DAY, "day", figures.limits_ms(SLA))
        assert sums == oracle.sums_by_group(oracle.ticket_times(tx, DAY, DAY), "day", SLA)
        assert sums[0]["service_within"] == 0  # 35 minutes: over the standard


def test_the_migration_gives_older_transferred_tickets_their_stretches_from_the_events(tmp_path):
    from sqlite_utils import Database

    from server.store import Store, migrations

    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m019_service_across_transfers")
    times = {k: f"2026-11-28T03:{m}:00+00:00" for k, m in (("c", "01"), ("s1", "02"), ("t", "27"), ("s2", "29"))}
    done = "2026-11-28T03:39:00+00:00"
    db.execute(
        "INSERT INTO tickets (id, day, service, number, label, token, status, created_at, first_called_at,"
        " started_at, finished_at, transferred_from, waiting_ms, response_ms, service_ms)"
        " VALUES (1, ?, 'B', 1, 'A-001', 't1', 'resolved', '2026-11-28T03:00:00+00:00', ?, ?, ?, 'A', 60000,"
        " 1680000, 600000)",
        [DAY, times["c"], times["s2"], done],
    )
    for kind, when in (("called", "c"), ("started", "s1"), ("transferred", "t"), ("called", "t"), ("started", "s2")):
        db.execute(
            "INSERT INTO events (at, day, type, ticket_id, actor, data) VALUES (?, ?, ?, 1, 'x', '{}')",
            [times[when], DAY, kind],
        )
    db.execute(  # a ticket never transferred: its first start is its start
        "INSERT INTO tickets (id, day, service, number, label, token, status, created_at, first_called_at,"
        " started_at, finished_at, response_ms, service_ms) VALUES (2, ?, 'A', 2, 'A-002', 't2', 'resolved',"
        " ?, ?, ?, ?, 1560000, 720000)",  # as m008 derived them: unchanged
        [DAY, times["c"], times["s1"], times["t"], done],
    )
    db.conn.commit()
    db.close()
    store = Store(path)
    with store.read() as tx:
        rows = tx.rows("SELECT first_started_at, served_before_ms, response_ms, service_ms FROM tickets ORDER BY id")
        assert rows == [
            {
                "first_started_at": times["s1"],
                "served_before_ms": 1_500_000,
                "response_ms": 60_000,
                "service_ms": 2_100_000,
            },
            {"first_started_at": times["t"], "served_before_ms": 0, "response_ms": 1_560_000, "service_ms": 720_000},
        ]
    store.close()


def a_day_of_every_ending(service, clock):
    """28 November, times in WIB: visitors served, escalated (mail sent; mail failed and an LKPP number
    recorded; answered and closed), transferred and served at the new service, transferred and never served
    there (a no-show, cancelled, expired), cancelled and expired never served, a no-show never served.

    A-001 Ani    A, budi 08:02-08:22, sent to B: siti 08:24-08:39 resolved (20 + 15 min)
    A-002 Bayu   A, budi 08:42-08:52, sent to B: three calls twice, a no-show at B
    A-003 Citra  A, budi 09:02-09:12, sent to C: cancelled there 09:13
    A-004 Dedi   A, budi 09:22-09:40 escalated, mail sent 09:43, LKPP answered 11:10 (closed)
    B-001 Eka    B, siti 09:47-10:00 escalated, its mail failed, LKPP number recorded 10:08
    C-001 Fajar  C, cancelled 10:15 uncalled
    B-002 Joko   B, siti 10:18-10:19 escalated, its mail never sent, no LKPP number
    A-005 Gita   A, budi 10:22-10:40, sent to B: still waiting there when the day ends (expired)
    A-006 Indah  A, budi 10:52-11:05 resolved
    C-002 Hadi   C, issued 11:06, never called (expired)
    """

    def do(hhmm, fn, *args, **kwargs):
        clock.now = at(hhmm)
        out = fn(*args, **kwargs)
        assert out.kind in (Kind.DONE, Kind.CREATED), out
        return out.body

    def issue(hhmm, svc, name):
        return do(hhmm, service.issue, visitor(service=svc, name=name))["ticket"]["label"]

    def act(hhmm, counter, action, officer, **payload):
        return do(hhmm, service.counter_action, counter, action, payload, officer)

    def mail_of(body):
        with service.store.read() as tx:
            return tx.mail_of_ticket(body["ticket"]["id"])

    issue("08:00", "A", "Ani")
    act("08:01", 1, "call-next", "budi")
    act("08:02", 1, "start", "budi")
    act("08:22", 1, "transfer", "budi", service="B")
    act("08:23", 3, "call-next", "siti")
    act("08:24", 3, "start", "siti")
    act("08:39", 3, "resolve", "siti", solution="Selesai di B")
    issue("08:40", "A", "Bayu")
    act("08:41", 1, "call-next", "budi")
    act("08:42", 1, "start", "budi")
    act("08:52", 1, "transfer", "budi", service="B")
    for _ in range(2):
        act("08:53", 3, "call-next", "siti")
        act("08:54", 3, "recall", "siti")
        act("08:55", 3, "recall", "siti")
        act("08:56", 3, "skip", "siti")
    issue("09:00", "A", "Citra")
    act("09:01", 1, "call-next", "budi")
    act("09:02", 1, "start", "budi")
    act("09:12", 1, "transfer", "budi", service="C")
    do("09:13", service.cancel, "A-003", actor="rina")
    issue("09:20", "A", "Dedi")
    act("09:21", 1, "call-next", "budi")
    act("09:22", 1, "start", "budi")
    escalated = act("09:40", 1, "escalate", "budi", note="Ke LKPP")
    clock.now = at("09:43")
    service.mail_result(mail_of(escalated), None)
    issue("09:45", "B", "Eka")
    act("09:46", 3, "call-next", "siti")
    act("09:47", 3, "start", "siti")
    escalated = act("10:00", 3, "escalate", "siti", note="Ke LKPP juga")
    clock.now = at("10:02")
    service.mail_result(mail_of(escalated), "connection refused", final=True)
    do("10:08", service.record_lkpp_ticket, "B-001", {"lkpp_ticket": "TTS-7"}, "siti")
    issue("10:10", "C", "Fajar")
    do("10:15", service.cancel, "C-001", actor="rina")
    issue("10:16", "B", "Joko")
    act("10:17", 3, "call-next", "siti")
    act("10:18", 3, "start", "siti")
    act("10:19", 3, "escalate", "siti", note="Belum diteruskan")  # its mail never goes out
    issue("10:20", "A", "Gita")
    act("10:21", 1, "call-next", "budi")
    act("10:22", 1, "start", "budi")
    act("10:40", 1, "transfer", "budi", service="B")
    issue("10:50", "A", "Indah")
    act("10:51", 1, "call-next", "budi")
    act("10:52", 1, "start", "budi")
    act("11:05", 1, "resolve", "budi", solution="Selesai")
    issue("11:06", "C", "Hadi")
    do("11:10", service.close_escalation, "A-004", {"answer": "Sudah diperbaiki", "lkpp_ticket": "TTS-6"}, "budi")
    clock.now = at("07:00") + timedelta(days=1)
    assert service.expire_old() == 2


@pytest.mark.parametrize("kept", [False, True], ids=["from-tickets", "kept-days"])
def test_store_sums_equal_the_oracle_on_a_day_of_every_ending(app, clock, kept):
    """The store's sums (from the tickets, and from the days kept) against the independent oracle, every
    group, on a day with every way a ticket ends, transfers among them."""
    service = app.extensions["antrian"]
    a_day_of_every_ending(service, clock)
    if kept:
        with service.store.write() as tx:
            assert tx.keep_figure_days("2026-11-29", figures.limits_ms(SLA), 5) == [DAY]
    with service.store.read() as tx:
        rows = oracle.ticket_times(tx, DAY, DAY)
        for group in ("day", "month", "officer", "service"):
            sql = tx.figure_sums(DAY, DAY, group, figures.limits_ms(SLA))
            assert sql == oracle.sums_by_group(rows, group, SLA), group
        weeks = figures.week_sums(tx.figure_sums(DAY, DAY, "day", figures.limits_ms(SLA)))
    assert weeks == oracle.sums_by_group(rows, "week", SLA)
    assert [r["status"] for r in rows] == [
        "resolved",
        "no_show",
        "cancelled",
        "closed",
        "escalated",
        "cancelled",
        "escalated",
        "expired",
        "resolved",
        "expired",
    ]


def test_the_counts_add_up_with_cancelled_and_expired_tickets(app, client, clock):
    """Waits never measured (no call) are not hidden: a cancelled ticket and two never called by the end of
    the day are counted, beside the one served."""
    service = app.extensions["antrian"]
    clock.now = at("09:00")
    labels = [service.issue(visitor(service="A")).body["ticket"]["label"] for _ in range(4)]
    clock.now = at("09:01")
    service.counter_action(1, "call-next", {}, "budi")
    service.counter_action(1, "start", {}, "budi")
    service.counter_action(1, "resolve", {"solution": "Selesai"}, "budi")
    service.cancel(labels[1], actor="rina")
    clock.advance(days=1)
    service.expire_old()
    h = login(app, client, "kepala", "officer")
    day = client.get(f"/api/figures?from={DAY}&to={DAY}&group=day", headers=h).get_json()["groups"][0]
    assert (day["tickets"], day["served"], day["no_show"], day["cancelled"], day["expired"]) == (4, 1, 0, 1, 2)
    html = client.get(f"/counter/dashboard?from={DAY}&to={DAY}").get_data(as_text=True)
    assert "dibatalkan 1 · tidak terlayani sampai tutup hari itu 2 · masih berjalan 0" in html


def test_a_ticket_called_and_one_left_in_service_are_counted_and_the_counts_add_up(app, client, clock):
    """A visitor called three times and never skipped when the office closed is not "never called", and
    one still being served (Selesai never pressed) is in no other count: both are counted, and every
    count of a day adds up to its tickets."""
    service = app.extensions["antrian"]
    clock.now = at("15:55")
    for _ in range(3):
        service.issue(visitor(service="A"))
    service.counter_action(1, "call-next", {}, "budi")
    service.counter_action(1, "start", {}, "budi")  # never finished
    service.counter_action(2, "call-next", {}, "sari")  # called, recalled, and the office closes
    service.counter_action(2, "recall", {}, "sari")
    h = login(app, client, "kepala", "officer")
    day = client.get(f"/api/figures?from={DAY}&to={DAY}&group=day", headers=h).get_json()["groups"][0]
    assert (day["tickets"], day["in_play"], day["expired"]) == (3, 3, 0)
    clock.advance(days=1)
    service.expire_old()
    day = client.get(f"/api/figures?from={DAY}&to={DAY}&group=day", headers=h).get_json()["groups"][0]
    parts = ("served", "no_show", "cancelled", "expired", "in_play")
    assert (day["tickets"], *(day[k] for k in parts)) == (3, 0, 0, 0, 2, 1)
    assert day["waiting"]["n"] == 2  # the called one's wait was measured: it was called
    html = client.get(f"/counter/dashboard?from={DAY}&to={DAY}").get_data(as_text=True)
    assert "tidak terlayani sampai tutup hari itu 2 · masih berjalan 1" in html


def test_a_solution_written_on_an_escalated_record_by_a_correction_is_in_its_recap_solusi():
    """A correction may write a solution on an escalated record (core.CORRECTABLE): it was accepted and
    then shown nowhere; Solusi has the note, that solution, and LKPP's answer once closed."""
    from server.reports import solusi

    row = {
        "status": "closed",
        "escalation_note": "Ke LKPP: akun terkunci",
        "solution": "Dibuka oleh admin",
        "lkpp_answer": "Sudah dibuka",
    }
    assert solusi(row) == "Ke LKPP: akun terkunci\nDibuka oleh admin\nJawaban LKPP: Sudah dibuka"
    assert solusi({"status": "escalated", "escalation_note": "Ke LKPP", "solution": ""}) == "Ke LKPP"


@pytest.mark.parametrize(
    "typed",
    [
        "Jawaban LKPP: Akun sudah dibuka",
        "jawaban lkpp:Akun sudah dibuka",
        "  JAWABAN  LKPP :  Akun sudah dibuka",
        "Jawaban LKPP - Akun sudah dibuka",
        "Jawaban LKPP: Jawaban LKPP: Akun sudah dibuka",
        "LKPP's answer: Akun sudah dibuka",
    ],
)
def test_the_recaps_solusi_says_jawaban_lkpp_once_when_the_officer_typed_it_himself(typed):
    """A helper read "Jawaban LKPP: Jawaban LKPP: Akun sudah dibuka" in the recap's Solusi: the officer had typed
    the heading before LKPP's answer himself, and the recap put its own before it. Said once, whatever its case
    and spacing; an answer that only starts with the same words is left as typed."""
    from server.reports import solusi

    row = {"status": "closed", "escalation_note": "Ke LKPP: akun terkunci", "solution": "", "lkpp_answer": typed}
    assert solusi(row) == "Ke LKPP: akun terkunci\nJawaban LKPP: Akun sudah dibuka"
    row["lkpp_answer"] = "Jawaban LKPPnya: akun dibuka"
    assert solusi(row) == "Ke LKPP: akun terkunci\nJawaban LKPP: Jawaban LKPPnya: akun dibuka"


# -- the form (SOP steps 2-6) and the visitor's copy of it (step 12) ---------------------------------
@pytest.fixture
def copy_app(tmp_path, clock):
    """The demo config (e-mail off) with printers at two counters: Loket 1 (A, C) a dummy that always
    prints, Loket 2 (A, B) a network printer nothing answers (each copy fails and waits for a retry)."""
    import socket

    with socket.socket() as s:  # a port nothing listens on: the printer is off
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = write_config(
        tmp_path,
        {
            'services = ["A", "C"]': 'services = ["A", "C"]\nprinter = "loket1"',
            'services = ["A", "B"]': 'services = ["A", "B"]\nprinter = "loket2"',
        },
        extra='\n[printers.loket1]\ntype = "dummy"\n'
        f'\n[printers.loket2]\ntype = "network"\nhost = "127.0.0.1"\nport = {port}\ntimeout = 1\n',
    )
    yield from made_app(config, clock)


def print_round(service, printer):
    """One round of a counter printer's worker: its due jobs printed (or failed) now, as the server does."""
    from server.printing import PrintWorker

    return PrintWorker(service, printer, service.settings.printers[printer]).run_once()


def test_form_and_copy_times_are_measured_against_their_standards_to_the_millisecond(copy_app, clock):
    """Four visitors. Three took their number at the kiosk, which sent its time over the form: 300 s
    (within the 5 minutes), 301 s (over) and 0 s; one was registered by the front office (not measured).
    Ani's copy printed exactly 10 minutes after her service ended (within), Citra's 10 minutes and a
    millisecond after (over); Budi's was asked for on a printer that is off (not printed: not measured),
    Dedi's never asked for (not measured). A copy printed again later does not move the first."""
    from datetime import timedelta

    app, service = copy_app, copy_app.extensions["antrian"]
    kiosk = app.test_client()
    people = [("09:00", "A", "Ani", 300), ("09:01", "B", "Budi", 301), ("09:02", "A", "Citra", None)]
    people.append(("09:03", "C", "Dedi", 0))
    for hhmm, svc, name, seconds in people:
        clock.now = at(hhmm)
        if seconds is None:  # the front office registers a visitor by hand: no kiosk, no time over the form
            assert service.issue(visitor(service=svc, name=name), actor="frontoffice:rina").kind is Kind.CREATED
        else:
            r = kiosk.post("/api/tickets", json=visitor(service=svc, name=name, form_seconds=seconds))
            assert r.status_code == 201, r.get_json()

    def act(hhmm, counter, action, officer, payload=None):
        clock.now = at(hhmm)
        out = service.counter_action(counter, action, payload or {}, officer)
        assert out.kind is Kind.DONE, out
        return out.body["ticket"]

    def copy(label, counter):
        out = service.print_form_copy(label, counter, "x")
        assert out.kind is Kind.QUEUED, out

    act("09:05", 1, "call-next", "budi")  # Ani
    act("09:06", 1, "start", "budi")
    act("09:20", 1, "resolve", "budi", {"solution": "Reset sandi"})
    act("09:07", 2, "call-next", "siti")  # Budi
    act("09:08", 2, "start", "siti")
    act("09:25", 2, "escalate", "siti", {"note": "Ke LKPP"})
    clock.now = at("09:26")
    copy("A-001", 1)
    copy("B-001", 2)
    clock.now = at("09:30")  # Ani's copy comes out exactly 10 minutes after her service ended
    assert print_round(service, "loket1") == 1
    assert print_round(service, "loket2") == 1  # tried: the printer is off, the job waits for a retry
    act("09:31", 1, "call-next", "budi")  # Citra
    act("09:32", 1, "start", "budi")
    act("09:40", 1, "resolve", "budi", {"solution": "Unggah ulang"})
    copy("A-002", 1)
    clock.now = at("09:50") + timedelta(milliseconds=1)
    print_round(service, "loket1")
    act("09:51", 1, "call-next", "budi")  # Dedi: his copy never asked for
    act("09:52", 1, "start", "budi")
    act("09:55", 1, "resolve", "budi", {"solution": "Verifikasi"})
    clock.now = at("10:30")
    copy("A-001", 1)  # Ani's copy again: the first print stays the measure
    print_round(service, "loket1")
    clock.now = at("16:00")

    client = app.test_client()
    h = login(app, client, "kepala", "officer")
    data = client.get(f"/api/figures?from={DAY}&to={DAY}&group=officer", headers=h).get_json()
    total = data["total"]
    assert data["standards"] == {
        "form_minutes": 5,
        "waiting_minutes": 5,
        "service_minutes": 30,
        "escalation_minutes": 5,
        "copy_minutes": 10,
    }
    assert total["form"] == {
        "n": 3,
        "within": 2,
        "share": 0.6667,
        "mean_s": 200.3,
        "max_s": 301.0,
        "standard_s": 300,
        "unmeasured": 1,
    }
    assert total["copy"] == {
        "n": 2,
        "within": 1,
        "share": 0.5,
        # 10 minutes and a millisecond: over the standard, never shown at it (figures.over_shown)
        "mean_s": 600.1,
        "max_s": 600.1,
        "standard_s": 600,
        "unmeasured": 2,
        "unprinted": 1,
    }
    budi, siti = data["groups"]
    assert (budi["label"], budi["form"]["n"], budi["form"]["within"], budi["form"]["unmeasured"]) == ("budi", 2, 2, 1)
    assert (budi["copy"]["n"], budi["copy"]["within"], budi["copy"]["unmeasured"], budi["copy"]["unprinted"]) == (
        2,
        1,
        1,
        0,
    )
    assert (siti["form"]["n"], siti["form"]["within"], siti["copy"]["n"], siti["copy"]["unprinted"]) == (1, 0, 0, 1)
    from jsonschema import Draft202012Validator

    from server.openapi import FIGURES

    Draft202012Validator(FIGURES).validate(data)  # the documented contract, new measures included
    by_service = client.get(f"/api/figures?from={DAY}&to={DAY}&group=service", headers=h).get_json()["groups"]
    assert [(g["key"], g["form"]["n"], g["copy"]["n"], g["copy"]["within"]) for g in by_service] == [
        ("A", 1, 2, 1),
        ("B", 1, 0, 0),
        ("C", 1, 0, 0),
    ]
    with service.store.read() as tx:
        for group in ("day", "month", "officer", "service"):
            sql = tx.figure_sums(DAY, DAY, group, figures.limits_ms(SLA))
            assert sql == oracle.sums_by_group(oracle.ticket_times(tx, DAY, DAY), group, SLA), group
        stored = tx.rows("SELECT label, form_seconds, copy_printed_at, copy_ms FROM tickets ORDER BY id")
    assert [(r["label"], r["form_seconds"], r["copy_ms"]) for r in stored] == [
        ("A-001", 300, 600_000),
        ("B-001", 301, None),
        ("A-002", None, 600_001),
        ("C-001", 0, None),
    ]
    assert stored[0]["copy_printed_at"] == at("09:30").isoformat()
    # the staff's ticket carries both
    ticket = next(x for x in client.get("/api/tickets", headers=h).get_json()["tickets"] if x["label"] == "A-001")
    assert (ticket["form_seconds"], ticket["copy_printed_at"]) == (300, at("09:30").isoformat())

    html = client.get(f"/counter/dashboard?from={DAY}&to={DAY}").get_data(as_text=True)
    assert html.count("<svg") == 6
    for m in ("form", "copy"):
        assert f'<tr id="row-{m}">' in html and f'href="#{m}-why"' in html
    form_why = html.split('id="form-why">')[1].split("</p>")[0]
    assert "dari sentuhan pertama yang meninggalkan layar sambutan hingga nomor antrian diberikan" in form_why
    assert "1 dari 4 tiket tidak diukur: didaftarkan petugas di halaman front office" in form_why
    copy_why = html.split('id="copy-why">')[1].split("</p>")[0]
    assert "hingga salinan formulir pengunjung pertama kali tercetak di printer loket" in copy_why
    assert (
        "2 dari 4 pengunjung yang dilayani tidak diukur: 1 salinan diminta di printer loket tetapi belum atau gagal"
        " tercetak; 1 tanpa salinan dari printer loket" in copy_why
    )
    assert "Formulir ≤ standar" in html and "Salinan ≤ standar" in html
    assert "Waktu formulir: persentase dalam standar (5 menit)" in html
    assert "Waktu salinan formulir: persentase dalam standar (10 menit)" in html


def test_a_day_without_form_or_copy_times_says_none_was_measured(app, client, seeded):
    """The seeded day's tickets were issued without the kiosk's time and no copy was printed: nothing
    measured, each ticket counted as not measured, and the dashboard says why."""
    h = login(app, client, "kepala", "officer")
    day = client.get(f"/api/figures?from={DAY}&to={DAY}&group=day", headers=h).get_json()["groups"][0]
    nothing = {"n": 0, "within": 0, "share": None, "mean_s": None, "max_s": None}
    assert day["form"] == {**nothing, "standard_s": 300, "unmeasured": 4}
    assert day["copy"] == {**nothing, "standard_s": 600, "unmeasured": 3, "unprinted": 0}
    html = client.get(f"/counter/dashboard?from={DAY}&to={DAY}").get_data(as_text=True)
    assert "Tidak satu pun dari 4 tiket diukur" in html  # not "4 dari 4 tiket tidak diukur"
    assert "Tidak satu pun dari 3 pengunjung yang dilayani diukur: tanpa salinan dari printer loket" in html
    assert "diminta di printer loket" not in html


def test_m023_takes_older_tickets_copy_times_from_their_printed_form_jobs(tmp_path):
    """A database of the version before: each served ticket's copy time is the first form copy that
    printed (a failed one or a ticket slip is none); no ticket has a form time; the figures' index
    covers both measures."""
    from sqlite_utils import Database

    from server.store import Store, migrations

    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m023_form_and_copy_times")
    assert "copy_ms" not in db["tickets"].columns_dict
    done = "2026-11-28T03:00:00+00:00"
    for i in (1, 2, 3):
        db.execute(
            "INSERT INTO tickets (id, day, service, number, label, token, status, created_at, first_called_at,"
            " started_at, first_started_at, finished_at, officer, waiting_ms, response_ms, service_ms)"
            " VALUES (?, ?, 'A', ?, ?, ?, 'resolved', '2026-11-28T02:00:00+00:00', '2026-11-28T02:01:00+00:00',"
            " '2026-11-28T02:02:00+00:00', '2026-11-28T02:02:00+00:00', ?, 'budi', 60000, 60000, 3480000)",
            [i, DAY, i, f"A-{i:03d}", f"t{i}", done],
        )
    jobs = [
        (1, "ticket", "printed", "2026-11-28T02:00:01+00:00"),  # its slip: no copy
        (1, "form", "printed", "2026-11-28T03:12:00.250000+00:00"),  # printed again later
        (1, "form", "printed", "2026-11-28T03:08:00.500000+00:00"),  # the first copy
        (2, "form", "failed", None),  # never came out
    ]
    for ticket_id, kind, status, printed in jobs:
        db.execute(
            "INSERT INTO print_jobs (ticket_id, printer, kind, status, attempts, created_at, next_attempt_at,"
            " printed_at) VALUES (?, 'loket1', ?, ?, 1, '2026-11-28T02:00:00+00:00', '2026-11-28T02:00:00+00:00', ?)",
            [ticket_id, kind, status, printed],
        )
    db.conn.commit()
    db.close()

    store = Store(path)
    with store.read() as tx:
        rows = tx.rows("SELECT id, form_seconds, copy_printed_at, copy_ms FROM tickets ORDER BY id")
        assert rows == [
            {"id": 1, "form_seconds": None, "copy_printed_at": "2026-11-28T03:08:00.500000+00:00", "copy_ms": 480_500},
            {"id": 2, "form_seconds": None, "copy_printed_at": None, "copy_ms": None},
            {"id": 3, "form_seconds": None, "copy_printed_at": None, "copy_ms": None},
        ]
        assert tx.ticket(1).copy_printed_at == datetime(2026, 11, 28, 3, 8, 0, 500_000, tzinfo=UTC)
        index = {c["name"] for c in tx.rows("PRAGMA index_info(idx_tickets_figures)")}
        assert {"form_seconds", "copy_ms", "waiting_ms", "service_ms"} <= index
        for group in ("day", "officer"):
            sql = tx.figure_sums(DAY, DAY, group, figures.limits_ms(SLA))
            assert sql == oracle.sums_by_group(oracle.ticket_times(tx, DAY, DAY), group, SLA)
        (sums,) = tx.figure_sums(DAY, DAY, "day", figures.limits_ms(SLA))
        assert (sums["copy_n"], sums["copy_within"], sums["copy_unprinted"], sums["form_n"]) == (1, 1, 1, 0)
    store.close()


@pytest.fixture(scope="module")
def ten_years(tmp_path_factory):
    """`ten_years(n, config)`: the database of `config` (a write_config's, not made yet) is bench/bench_reports.py's
    `build(store, n)` (n tickets over ten years, ending with ANALYZE), built once for the module for each n
    (0.2 CPU-s for 2,000 tickets, 0.5 for 5,000) and copied (mode 0600, as the store makes it)."""
    import sys

    from server.config import load_settings
    from server.store import Store

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_reports import build

    built: dict[int, bytes] = {}

    def copy(n: int, config) -> None:
        if n not in built:
            settings = load_settings(write_config(tmp_path_factory.mktemp("ten_years")))
            store = Store(settings.server.database, synchronous="OFF")
            build(store, n)
            store.close()  # the last connection folds the WAL into the file
            built[n] = settings.server.database.read_bytes()
        path = load_settings(config).server.database
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
            f.write(built[n])

    return copy


@pytest.mark.parametrize("kept", [False, True], ids=["counted", "kept"])
@pytest.mark.parametrize("analyzed", [False, True], ids=["as-served", "analyzed"])
def test_every_figures_query_reads_only_its_days(tmp_path, analyzed, kept, ten_years):
    """Each query the dashboard makes reads the range's tickets through an index on the day, never the
    whole history: ordered by the service, the escalations' query once read every ticket ever through
    idx_tickets_service_finished to save a sort (70 ms for one month per service at ten years). The
    plans are SQLite's own (EXPLAIN QUERY PLAN), with and without table statistics; with no day kept
    (figure_days, m025), and with the days before the 20th kept and the rest counted from their tickets."""
    from server.config import load_settings
    from server.store import Store

    config = write_config(tmp_path)
    settings = load_settings(config)
    ten_years(2_000, config)  # bench_reports.build(store, 2_000), which ends with ANALYZE
    store = Store(settings.server.database)
    if not analyzed:
        store.db.execute("DELETE FROM sqlite_stat1")
    if kept:
        with store.write() as tx:
            assert tx.keep_figure_days("2026-11-20", figures.limits_ms(settings.sla), 5000)
    try:
        for group in figures.GROUPS:
            statements: list[str] = []
            with store.read() as tx:
                tx.db.conn.set_trace_callback(statements.append)
                figures.figures(tx, "2026-11-01", "2026-11-30", group, settings.sla, settings.office.tz)
                tx.db.conn.set_trace_callback(None)
                plans = {
                    s: [r[-1] for r in tx.db.execute("EXPLAIN QUERY PLAN " + s).fetchall()]
                    for s in statements
                    if s.lstrip().startswith(("SELECT", "WITH"))
                }
            assert len(plans) >= 4, plans  # the sums, the escalations, the unprinted copies, the hours
            for sql, plan in plans.items():
                full = [step for step in plan if step.startswith("SCAN") and not re.search("subquery|json_each", step)]
                assert not full, f"{group}: {full} in\n{sql}"
                by_day = ("day>? AND day<?)", "(day=?)", "next_attempt_at")
                assert any(w in step for step in plan for w in by_day), (group, plan)
            if kept:  # the kept days' rows were read, and the others' tickets
                assert any("figure_days" in s for s in plans), plans
                assert any("json_each" in s and "tickets" in s for s in plans), plans
    finally:
        store.close()


# -- the dashboard's files and Print in Chromium ------------------------------------------------------
def test_the_dashboards_links_download_its_figures_and_its_print_button_prints(browser, live, tmp_path):
    """In a browser: the XLSX link downloads the workbook of the period and grouping shown (its figures those
    of GET /api/figures), the CSV link the CSV, Cetak opens the browser's print, and on paper the
    buttons and links are left out with the filters."""
    from openpyxl import load_workbook
    from playwright.sync_api import expect
    from staffpages import issue

    live.add_user("kepala", "officer")
    issue(live, "Ani")
    context = browser.new_context(locale="id-ID", accept_downloads=True)
    answer = context.request.post(live.url + "/api/login", data={"username": "kepala", "password": "rahasia-123"})
    assert answer.ok, answer.text()
    day = context.request.get(live.url + "/api/state").json()["day"]
    page = context.new_page()
    page.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    page.goto(f"{live.url}/counter/dashboard?from={day}&to={day}&group=service")
    toolbar = page.locator("form")
    expect(toolbar.get_by_role("link")).to_have_text(["Unduh XLSX (untuk Excel)", "Unduh CSV (untuk program lain)"])
    if os.environ.get("ANTRIAN_SCREENSHOTS"):
        page.screenshot(
            path=str(tmp_path / "dashboard-toolbar.png"), clip={"x": 0, "y": 0, "width": 1280, "height": 200}
        )
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh XLSX (untuk Excel)").click()
    assert download.value.suggested_filename == f"waktu-layanan-{day}-{day}-layanan.xlsx"
    with open(download.value.path(), "rb") as f:
        ws = load_workbook(io.BytesIO(f.read())).active
    data = context.request.get(f"{live.url}/api/figures?from={day}&to={day}&group=service").json()
    rows = [list(row) for row in ws.iter_rows(min_row=5, values_only=True)]
    assert [(r[0], r[2], r[4]) for r in rows] == [(g[0], g[2], g[4]) for g in expected_export_rows(data)]
    assert rows[0][:5] == ["Konsultasi Penyedia", "A", "Waktu formulir", 5, 0]
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh CSV (untuk program lain)").click()
    assert download.value.suggested_filename == f"waktu-layanan-{day}-{day}-layanan.csv"
    with open(download.value.path(), encoding="utf-8-sig") as f:
        assert next(csv.reader(f)) == EXPORT_HEADINGS
    page.get_by_role("button", name="Cetak", exact=True).click()
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")
    expect(page.locator("#figures-xlsx")).to_be_hidden()
    expect(page.get_by_role("button", name="Cetak", exact=True)).to_be_hidden()
    context.close()


def test_recap_page_with_an_officer_filter_past_its_limit_says_the_limit(app, client):
    """A filter typed past its limit (100 characters, as an account's full name: a link kept with a name pasted
    twice) was "Petugas: pilihan tidak dikenal." on the printable page, where the API says its limit and the
    length typed (helper-244's review)."""
    login(app, client, "kepala", "frontoffice")
    r = client.get(f"/counter/recap?from={DAY}&to={DAY}&officer={'b' * 101}")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Petugas: Terlalu panjang: paling banyak 100 karakter; yang diketik 101." in html, html
    assert "pilihan tidak dikenal" not in html
