"""The printable recap (/counter/recap) in real Chromium, as it prints on A4 landscape.

Set ANTRIAN_SCREENSHOTS=1 to refresh docs/screenshots/recap.png.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
import requests
from conftest import ROOT, visitor, write_config
from live import LiveServer

PASSWORD = "rahasia-123"
OFFICER = "Budi Santoso, S.Kom."
A4_LANDSCAPE = {"width": 1123, "height": 794}  # 297 x 210 mm at 96 px per inch
HEADINGS = ["No", "Nama", "Alamat", "Permasalahan", "Solusi", "Keterangan", "Tanggal", "No. Antrian", "Petugas"]
VISITORS = [
    # name, agency, address, problem, outcome, text
    (
        "Rudi Hartono",
        "PT Karya Mandiri",
        "Jl. Sudirman No. 12, Kota Contoh",
        "Lupa kata sandi akun penyedia SPSE.",
        "resolve",
        "Kata sandi direset; pengguna berhasil masuk.",
    ),
    (
        "Siti Aminah",
        "Dinas PUPR Kabupaten Contoh",
        "Jl. Merdeka No. 5, Kota Contoh",
        "Paket tender tidak muncul di daftar Pokja.",
        "escalate",
        "Paket sudah diumumkan; perlu dicek LKPP apakah sinkronisasi gagal.",
    ),
    (
        "Agus Salim",
        "CV Sinar Jaya",
        "Jl. Diponegoro No. 3",
        "Cara mengunggah dokumen kualifikasi yang lebih dari 20 MB.",
        "resolve",
        "Dokumen dipecah per bagian dan dikompresi; unggah berhasil.",
    ),
    (
        "Dewi Lestari",
        "PT Baru Jaya",
        "Jl. Gatot Subroto Km 4",
        "Verifikasi akun penyedia belum disetujui.",
        "resolve",
        "Berkas verifikasi dilengkapi; akun diverifikasi hari ini.",
    ),
]


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("recap")
    server = LiveServer(write_config(tmp)).start()
    server.add_user("budi", "officer")
    server.db = tmp / "antrian.db"
    yield server
    server.stop()


@pytest.fixture(scope="module")
def two_days(office):
    """Four consultations served today, the first two then moved to yesterday, by an officer with a full name
    (the name their forms are signed with, m027)."""
    with sqlite3.connect(office.db, timeout=10) as db:
        db.execute("UPDATE users SET full_name = ? WHERE username = 'budi'", [OFFICER])
    db.close()
    officer = office.session("budi", PASSWORD)
    labels = []
    for name, agency, address, problem, outcome, text in VISITORS:
        r = requests.post(
            office.url + "/api/tickets",
            timeout=5,
            json={
                "service": "A",
                "name": name,
                "agency": agency,
                "address": address,
                "phone": "081234567890",
                "problem": problem,
            },
        )
        assert r.status_code == 201, r.text
        labels.append(r.json()["ticket"]["label"])
        payload = {"solution": text} if outcome == "resolve" else {"note": text, "category": "pengaduan"}
        for action, data in (("call-next", {}), ("start", {}), (outcome, payload)):
            r = officer.post(f"{office.url}/api/counters/1/{action}", json=data, timeout=5)
            assert r.status_code == 200, r.text
    today = officer.get(office.url + "/api/state", timeout=5).json().get("day")
    assert today, "the state names the office's day"
    yesterday = (datetime.fromisoformat(today) - timedelta(days=1)).date().isoformat()
    with sqlite3.connect(office.db, timeout=10) as db:
        for label in labels[:2]:  # as if served yesterday: of that day
            db.execute(
                "UPDATE tickets SET day = ?, finished_at = ? WHERE day = ? AND label = ?",
                [yesterday, (datetime.now(UTC) - timedelta(days=1)).isoformat(), today, label],
            )
    db.close()
    return yesterday, today


def recap_page(browser, office, day_from: str, day_to: str, **context_options):
    context = browser.new_context(viewport=A4_LANDSCAPE, locale="id-ID", timezone_id="UTC", **context_options)
    r = context.request.post(office.url + "/api/login", data={"username": "budi", "password": PASSWORD})
    assert r.ok, r.text()
    page = context.new_page()
    page.goto(f"{office.url}/counter/recap?from={day_from}&to={day_to}")
    page.emulate_media(media="print")
    return page


def test_the_printed_recap_has_the_date_label_and_officer_and_no_heading_broken(browser, office, two_days):
    yesterday, today = two_days
    page = recap_page(browser, office, yesterday, today)
    heads = page.locator("table.recap thead tr:first-child th")
    assert heads.all_inner_texts() == HEADINGS
    rows = page.locator("table.recap tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )

    def dmy(day: str) -> str:
        return datetime.fromisoformat(day).strftime("%d/%m/%Y")

    assert [(r[0], r[1], r[6], r[7], r[8]) for r in rows] == [
        ("1", "Rudi Hartono", dmy(yesterday), "A-001", OFFICER),
        ("2", "Siti Aminah", dmy(yesterday), "A-002", OFFICER),
        ("3", "Agus Salim", dmy(today), "A-003", OFFICER),
        ("4", "Dewi Lestari", dmy(today), "A-004", OFFICER),
    ]
    # Each heading breaks only between words: "No" is one line (it was "N" over "o" on the screen), on
    # the counter laptop's screen, on a phone, and printed on A4.
    for media, width in (("screen", 1366), ("screen", 360), ("print", A4_LANDSCAPE["width"])):
        page.emulate_media(media=media)
        page.set_viewport_size({"width": width, "height": A4_LANDSCAPE["height"]})
        lines = heads.evaluate_all(
            "ths => ths.map(th => { const r = document.createRange(); r.selectNodeContents(th);"
            " return [th.textContent, new Set([...r.getClientRects()].map(x => Math.round(x.top))).size]; })"
        )
        assert lines[0] == ["No", 1], (media, width)
        for text, count in lines:
            assert count <= len(text.split()), f"{text!r} is broken inside a word ({count} lines, {media} {width})"
    # The day and the ticket label stay on one line each.
    cells = page.locator("table.recap tbody tr:first-child td").evaluate_all(
        "tds => tds.slice(6, 8).map(td => { const r = document.createRange(); r.selectNodeContents(td);"
        " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; })"
    )
    assert cells == [1, 1]
    # The nine columns fit the A4 page's width (277 mm between the margins, here the whole viewport).
    assert page.evaluate("() => document.querySelector('table.recap').scrollWidth <= innerWidth")
    if os.environ.get("ANTRIAN_SCREENSHOTS"):  # refresh docs/screenshots only when asked
        # The page as it prints: the A4 sheet's margins (@page: 12 mm by 10 mm) around the content.
        page.evaluate(
            "() => { document.body.style.padding = '12mm 10mm'; document.body.style.boxSizing = 'border-box'; }"
        )
        page.screenshot(path=str(ROOT / "docs" / "screenshots" / "recap.png"))
    page.context.close()


LONG_OFFICER = "Dr. Ir. Eko Prasetyo Wibisono Hadikusumo Mangkunegoro Suryadiningrat, S.Kom., M.T., M.Kom., CISA"
LONG_VISITOR = "Raden Mas Muhammad Abdurrahman Wicaksono Hadiningrat"


@pytest.fixture(scope="module")
def long_names(office):
    """A consultation served by an officer whose full name with titles is 97 characters, three days ago."""
    office.add_user("eko", "officer")
    with sqlite3.connect(office.db, timeout=10) as db:  # the name the form is signed with when it is served
        db.execute("UPDATE users SET full_name = ? WHERE username = 'eko'", [LONG_OFFICER])
    db.close()
    eko = office.session("eko", PASSWORD)
    r = requests.post(
        office.url + "/api/tickets",
        timeout=5,
        json={
            "service": "A",
            "name": LONG_VISITOR,
            "agency": "CV Eko",
            "address": "Jl. Pemuda No. 2",
            "phone": "081234567890",
            "problem": "Akun terkunci.",
        },
    )
    assert r.status_code == 201, r.text
    label = r.json()["ticket"]["label"]
    for action, data in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Akun dibuka."})):
        r = eko.post(f"{office.url}/api/counters/2/{action}", json=data, timeout=5)
        assert r.status_code == 200, r.text
    today = eko.get(office.url + "/api/state", timeout=5).json()["day"]
    earlier = (datetime.fromisoformat(today) - timedelta(days=3)).date().isoformat()
    with sqlite3.connect(office.db, timeout=10) as db:
        db.execute("UPDATE tickets SET day = ? WHERE day = ? AND label = ?", [earlier, today, label])
    db.close()
    return earlier


# Where the browser broke a cell's text into lines: for each line after the first, the characters
# just before and at the break (the text node's characters' boxes; a space at a line's end has none).
BREAKS = """td => {
  const text = td.firstChild, tops = [];
  for (let i = 0; i < text.length; i++) {
    const r = document.createRange(); r.setStart(text, i); r.setEnd(text, i + 1);
    const box = [...r.getClientRects()].find(b => b.width > 0);
    tops.push(box ? Math.round(box.top) : null);
  }
  const breaks = []; let last = null;
  tops.forEach((top, i) => {
    if (top === null) return;
    if (last !== null && top > last) breaks.push(text.data.slice(Math.max(0, i - 1), i + 1));
    last = top;
  });
  return breaks;
}"""


def test_a_long_officers_name_breaks_between_words_only_and_keeps_its_row_short(browser, office, long_names):
    page = recap_page(browser, office, long_names, long_names)
    cells = page.locator("table.recap tbody tr:first-child td")
    assert cells.nth(8).inner_text() == LONG_OFFICER and cells.nth(1).inner_text() == LONG_VISITOR
    for column in (1, 8):  # Nama, Petugas
        breaks = cells.nth(column).evaluate(BREAKS)
        assert breaks, "the long name takes several lines"
        # each line ends at a space: never "Mangkunegor|o" (the printed recap broke it so)
        assert all(pair[0] == " " for pair in breaks), (column, breaks)
    # 6 lines at most for the officer's 97 characters (it took 9, and its row did not fit below a page's rows)
    assert len(cells.nth(8).evaluate(BREAKS)) + 1 <= 6
    page.context.close()


# A cell's text: its lines (the distinct tops of its text's boxes) and whether it fits inside the cell.
CELL_LINES_JS = """(td) => { const r = document.createRange(); r.selectNodeContents(td);
  return [new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size, td.scrollWidth <= td.clientWidth]; }"""


def test_a_row_number_of_three_or_four_digits_prints_on_one_line(browser, office, two_days):
    """A month's 100th row printed its number as "10" over "0" (the No column's 9 mm, less its paddings, holds two
    digits), and so did every row after it: a month of the office's 295 consultations read 10/0, 10/1 ... 29/5.
    The number of any row the page shows (at most 2,000) is one line inside its cell, on paper as on screen."""
    yesterday, today = two_days
    page = recap_page(browser, office, yesterday, today)
    cell = page.locator("table.recap tbody tr:first-child td").first
    for media in ("print", "screen"):
        page.emulate_media(media=media)
        for number in ("100", "295", "1999", "2000"):  # what the page writes in row `number`'s first cell
            cell.evaluate("(td, n) => { td.textContent = n; }", number)
            assert cell.evaluate(CELL_LINES_JS) == [1, True], (media, number)
    page.context.close()


# ---- the printed pages: numbered, and a signature block at the end -----------------------------------
MANY = 20  # consultations of one day: three A4 landscape pages


@pytest.fixture(scope="module")
def many_rows(office):
    """MANY consultations served today at Loket 1, then moved to ten days ago (a day of their own)."""
    officer = office.session("budi", PASSWORD)
    labels = []
    for i in range(1, MANY + 1):
        r = requests.post(
            office.url + "/api/tickets",
            timeout=5,
            json=visitor(
                name=f"Tamu Ke-{i}",
                agency="PT Contoh",
                address=f"Jl. Contoh No. {i}, Kota Contoh",
                problem=f"Masalah SPSE nomor {i}: dokumen penawaran tidak dapat diunggah sebelum batas waktu.",
            ),
        )
        assert r.status_code == 201, r.text
        labels.append(r.json()["ticket"]["label"])
        solution = {"solution": f"Solusi {i}: berkas dikompres dan diunggah ulang; unggahan berhasil."}
        for action, data in (("call-next", {}), ("start", {}), ("resolve", solution)):
            r = officer.post(f"{office.url}/api/counters/1/{action}", json=data, timeout=5)
            assert r.status_code == 200, r.text
    today = officer.get(office.url + "/api/state", timeout=5).json()["day"]
    earlier = (datetime.fromisoformat(today) - timedelta(days=10)).date().isoformat()
    with sqlite3.connect(office.db, timeout=10) as db:
        db.executemany(
            "UPDATE tickets SET day = ? WHERE day = ? AND label = ?", [(earlier, today, label) for label in labels]
        )
    db.close()
    return earlier, today


def printed(page, path) -> list[str]:
    """The page printed to PDF as the browser's Print does (A4 landscape, @page), and each sheet's text."""
    page.pdf(path=str(path), prefer_css_page_size=True, print_background=True)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return [" ".join(sheet.split()) for sheet in text.stdout.split("\f") if sheet.strip()]


# the signature block's lines (the date filled in), and a page's number: Indonesian in either language of
# the page, as the SOP's form they end (its title and columns) is
SIGNED = (
    ["LPSE Kabupaten Contoh, {date}", "Mengetahui,", "Kepala LPSE Kabupaten Contoh", "NIP."],
    "Halaman {} dari {}",
)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_printed_recap_numbers_its_pages_and_ends_with_a_signature_block(
    browser, office, many_rows, lang, tmp_path
):
    from shared.dates import month_names

    day, today = many_rows
    page = recap_page(browser, office, day, day)
    page.goto(f"{office.url}/counter/recap?from={day}&to={day}&lang={lang}")
    sheets = printed(page, tmp_path / "recap.pdf")
    count = len(sheets)
    assert count >= 3, count
    lines, number = SIGNED
    for i, sheet in enumerate(sheets, 1):  # "Halaman 2 dari 3" at the foot of each sheet, once
        assert sheet.count(number.format(i, count)) == 1, (i, sheet[-200:])
        assert sheet.endswith(number.format(i, count)), sheet[-200:]
    # The signature block after the last row, whole on the last sheet, dated the office's today
    d = datetime.fromisoformat(today)
    lines = [line.format(date=f"{d.day} {month_names('id')[d.month - 1]} {d.year}") for line in lines]
    last = sheets[-1]
    at = [last.find(line) for line in lines]
    assert -1 not in at and at == sorted(at), (lines, last)
    assert last.find(f"Tamu Ke-{MANY}") < at[0]
    assert not any(line in sheet for sheet in sheets[:-1] for line in lines[1:])
    assert last.count("(....") == 1  # no head's name in config.toml: dots to write it in, and the NIP's
    # On the screen, no signature block under the table
    page.emulate_media(media="screen")
    assert page.locator("#sign-block").is_hidden()
    page.context.close()


def test_the_column_numbers_are_under_the_headings_on_every_printed_sheet(browser, office, many_rows, tmp_path):
    """As the SOP's recap form and Indonesian government tables have it: a row numbering the columns, 1 to 9, right
    under the headings, and both atop every printed sheet (the XLSX has it too: tests/test_reports.py)."""
    day, _ = many_rows
    page = recap_page(browser, office, day, day)
    head = page.locator("table.recap thead tr")
    assert head.nth(0).locator("th").all_inner_texts() == HEADINGS
    assert head.nth(1).locator("th").all_inner_texts() == [str(n) for n in range(1, 10)]
    assert page.locator("table.recap tbody tr").first.locator("td").first.inner_text() == "1"
    sheets = printed(page, tmp_path / "recap-numbers.pdf")
    assert len(sheets) >= 3, len(sheets)
    # each sheet: the headings ("No. Antrian" on two lines in its narrow column), then the numbers, then its rows
    under = "No Nama Alamat Permasalahan Solusi Keterangan Tanggal No. Petugas Antrian 1 2 3 4 5 6 7 8 9"
    for i, sheet in enumerate(sheets, 1):
        assert sheet.count(under) == 1, (i, sheet[:400])
        assert sheet.find(under) < sheet.find("Tamu Ke-"), (i, sheet[:400])
    page.context.close()


def test_the_signature_block_is_never_split_between_two_sheets(browser, office, many_rows, tmp_path):
    """Moved down the last sheet a step at a time (a taller margin above it), the block is whole on one
    sheet at every step: where it would cross the sheet's foot, it starts the next sheet instead."""
    day, _ = many_rows
    page = recap_page(browser, office, day, day)
    lines = SIGNED[0][1:]  # "Mengetahui," ... "NIP."
    seen = set()
    for step in range(0, 181, 15):  # mm: the block's top from just under the last row to past the sheet's foot
        page.locator("#sign-block").evaluate("(block, mm) => { block.style.marginTop = mm + 'mm'; }", step)
        sheets = printed(page, tmp_path / f"recap-{step}.pdf")
        holding = [i for i, sheet in enumerate(sheets) if any(line in sheet for line in lines)]
        assert len(holding) == 1, (step, holding)
        assert all(line in sheets[holding[0]] for line in lines), (step, sheets[holding[0]][-300:])
        seen.add(len(sheets))
    assert len(seen) == 2, seen  # at some step the block went on to a sheet of its own
    page.context.close()
