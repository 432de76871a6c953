"""The SKM workbook printed from Excel numbers its pages at each sheet's foot, right ("Halaman 2 dari 7"), as the
recap's, guest book's and figures' workbooks do (tests/test_recap_head.py); before, the head of office's printed SKM
report, suggestions and data sheets had no page number, and a dropped pile could not be put back in order."""

from __future__ import annotations

import io

import openpyxl
from conftest import login, visitor


def test_every_sheet_of_the_skm_workbook_says_page_of_pages_at_its_foot(app, client, clock):
    service = app.extensions["antrian"]
    assert service.issue(visitor(service="A")).body["ticket"]["label"] == "A-001"  # a day with a visitor
    login(app, client, "kepala", "frontoffice")
    day = service.day(clock.now)
    r = client.get(f"/api/skm?from={day}&to={day}&format=xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet"), r.get_data(as_text=True)[:300]
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ["SKM", "Saran", "Data"]
    for ws in wb.worksheets:
        # Excel's &P (this page) and &N (the pages), right-aligned: the words of the recap's footer
        assert ws.oddFooter.right.text == "Halaman &P dari &N", (ws.title, ws.oddFooter.right.text)
        assert not ws.oddFooter.left.text and not ws.oddFooter.center.text, ws.title
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9, ws.title  # A4 as before


def test_the_footer_is_the_same_words_as_the_recaps_workbook(app, client, clock):
    """One catalogue entry (page.recap.page_of) for every workbook's footer: the SKM's reads as the recap's."""
    login(app, client, "kepala", "frontoffice")
    day = app.extensions["antrian"].day(clock.now)
    recap = client.get(f"/api/recap?from={day}&to={day}&format=xlsx")
    skm = client.get(f"/api/skm?from={day}&to={day}&format=xlsx")
    assert recap.status_code == 200 and skm.status_code == 200
    recap_footer = openpyxl.load_workbook(io.BytesIO(recap.data)).active.oddFooter.right.text
    for ws in openpyxl.load_workbook(io.BytesIO(skm.data)).worksheets:
        assert ws.oddFooter.right.text == recap_footer, ws.title
