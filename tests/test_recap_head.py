"""The head of the office (Kepala) reads a busy period's figures to sign and report them: the counts are
written as an Indonesian office writes them, "1.000" (a point between the thousands), not "1000"; "1,000" in
English. A real server on a database filled by `python -m server demo --visitors 1000` (1,000 tickets
yesterday, 989 served)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from conftest import ROOT, write_config
from live import LiveServer

PASSWORD = "rahasia-123"
TZ = ZoneInfo("Asia/Jakarta")  # the office of tests/conftest.py's config


@pytest.fixture(scope="module")
def busy(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("busy")
    config = write_config(tmp)
    demo = subprocess.run(
        [sys.executable, "-m", "server", "demo", "--visitors", "1000", "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stderr
    s = LiveServer(config).start()
    s.add_user("kepala", "admin", PASSWORD)
    s.yesterday = str((datetime.now(TZ) - timedelta(days=1)).date())
    yield s
    s.stop()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def cells(html: str, row_id: str) -> list[str]:
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert row, row_id
    return [text_of(c).strip() for c in re.findall(r"<td>(.*?)</td>", row.group(1), re.S)]


def test_the_dashboard_writes_a_thousand_tickets_as_an_indonesian_office_does(busy):
    kepala = busy.session("kepala", PASSWORD)
    day = busy.yesterday
    r = kepala.get(f"{busy.url}/counter/dashboard", params={"from": day, "to": day, "group": "officer"}, timeout=30)
    assert r.status_code == 200, r.text
    page = text_of(r.text)
    assert "Tiket: 1.000 ·" in page, page[:600]
    # the form time measured every one of the 1,000 (the demo's visitors all took their number at the kiosk)
    form = cells(r.text, "row-form")
    assert form[:2] == ["Waktu formulir", "5 menit"], form
    assert form[2] == "1.000", form
    # the note under the table counts the visitors never called out of the 1.000
    assert re.search(r"\* \d+ dari 1\.000 tiket tidak pernah dipanggil", page), page
    # the per-group table: the officer "(tanpa petugas)" has the day's uncalled, the demo's accounts the rest;
    # the day per day has its 1.000 tickets in one row
    r = kepala.get(f"{busy.url}/counter/dashboard", params={"from": day, "to": day, "group": "day"}, timeout=30)
    groups = re.search(r'<table class="groups">(.*?)</table>', r.text, re.S)
    assert groups, r.text[-2000:]
    rows = [
        [text_of(c).strip() for c in re.findall(r"<td>(.*?)</td>", tr, re.S)]
        for tr in re.findall(r"<tr>(.*?)</tr>", groups.group(1), re.S)
    ]
    day_row = next(row for row in rows if row)
    assert day_row[1] == "1.000", day_row
    assert re.fullmatch(r"\d+(,\d)?% \(\d+/(989|1\.000)\)", day_row[3]), day_row  # "… (x/1.000)" per measure


def test_in_english_the_thousands_are_grouped_with_a_comma(busy):
    kepala = busy.session("kepala", PASSWORD)
    day = busy.yesterday
    r = kepala.get(f"{busy.url}/counter/dashboard", params={"from": day, "to": day, "lang": "en"}, timeout=30)
    assert r.status_code == 200, r.text
    page = text_of(r.text)
    assert re.search(r"Tickets: 1,000 ·", page), page[:600]
    assert cells(r.text, "row-form")[2] == "1,000"


def test_the_recap_says_a_period_too_long_for_its_page_in_grouped_numbers():
    """The recap's page shows 2,000 rows at most; a longer period is said in words with its count, and the
    guest book's the same (counter.words_in: what the pages' `tr` is)."""
    sys.path.insert(0, str(ROOT))
    from counter import words_in

    said = words_in("id")("page.recap.too_many", count=2345, limit=2000)
    assert said.startswith("2.345 penanganan pada periode ini"), said
    assert "(paling banyak 2.000)" in said, said
    said = words_in("en")("page.guestbook.too_many", count=12345, limit=2000)
    assert "12,345" in said and "2,000" in said, said


def test_the_figures_workbook_shows_its_counts_with_the_thousands_grouped(busy):
    """The XLSX the head hands on: the counts are number cells (sums, filters) shown "#,##0", which Excel and
    LibreOffice set to Indonesian show as 1.000 ("0" showed 1000); the minutes keep one decimal."""
    import openpyxl

    kepala = busy.session("kepala", PASSWORD)
    day = busy.yesterday
    r = kepala.get(
        f"{busy.url}/api/figures", params={"from": day, "to": day, "group": "day", "format": "xlsx"}, timeout=30
    )
    assert r.status_code == 200, r.text
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    form = next(row for row in ws.iter_rows(min_row=5) if row[0].value == "Total" and row[2].value == "Waktu formulir")
    measured = form[4]  # Diukur
    assert measured.value == 1000 and measured.data_type == "n", measured.value
    assert measured.number_format == "#,##0", measured.number_format
    assert form[8].number_format == "0.0"  # Rata-rata (menit)


@pytest.mark.parametrize("path", ["/api/recap", "/api/guestbook", "/api/figures", "/api/complaints", "/api/skm"])
def test_a_workbook_printed_from_excel_numbers_its_pages_as_the_printed_page_does(busy, path):
    """The head prints the month's XLSX to sign it: each sheet says "Halaman 2 dari 7" at its foot, right, as the
    printable recap and guest book do ("&P" and "&N", Excel's page and pages); before, its pages had no number (the
    complaints' workbook, the month's Rekap Saran dan Pengaduan handed up with the SKM, until 2026-12-07)."""
    import openpyxl

    kepala = busy.session("kepala", PASSWORD)
    day = busy.yesterday
    r = kepala.get(f"{busy.url}{path}", params={"from": day, "to": day, "format": "xlsx"}, timeout=60)
    assert r.status_code == 200, r.text
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert ws.oddFooter.right.text == "Halaman &P dari &N", ws.oddFooter.right.text
    assert not ws.oddFooter.left.text and not ws.oddFooter.center.text
