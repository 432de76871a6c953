"""What the head of the office reads in the recap and on the dashboard says what happened: a visitor transferred and
never served at the new service is named where they were sent (the recap page, its JSON, CSV and XLSX), and a time
just over a standard is never shown at it (the dashboard, the figures' JSON, CSV and XLSX)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
from conftest import login, visitor
from test_reports import DAY, at, served_then_lost_at_b  # its no-show at B after a transfer

from server import figures, reports
from server.config import SlaSettings

B_NAME = "Konsultasi Non-Penyedia (PPK/Pokja/PP)"  # service B of the demo config.toml


def test_the_recap_names_the_service_a_transferred_visitor_never_reached(app, client, clock):
    """A-001 was served at Konsultasi Penyedia, sent on to B and never came when called there. Its row read
    "Dialihkan ke layanan lain, tidak hadir saat dipanggil di sana": where the visitor went, nobody could tell. It
    names B as the settings do, on the page, in the JSON, the CSV and the XLSX alike."""
    service = app.extensions["antrian"]
    label = served_then_lost_at_b(service, clock)
    login(app, client, "kepala", "frontoffice")
    said = f"Pertanyaan; Dialihkan ke {B_NAME}, tidak hadir saat dipanggil di sana"
    base = f"/api/recap?from={DAY}&to={DAY}"
    (row,) = client.get(base).get_json()["rows"]
    assert (row["No. Antrian"], row["Keterangan"]) == (label, said)
    (line,) = list(csv.DictReader(io.StringIO(client.get(base + "&format=csv").get_data().decode("utf-8-sig"))))
    assert line["Keterangan"] == said
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(base + "&format=xlsx").get_data())).active
    assert said in [cell.value for r in sheet.iter_rows() for cell in r]
    page = client.get(f"/counter/recap?from={DAY}&to={DAY}").get_data(as_text=True)
    assert said.replace("&", "&amp;") in page, page[page.find("Pertanyaan") - 200 : page.find("Pertanyaan") + 300]


def test_several_transfers_are_named_in_their_order():
    """Served at A, sent to B (served there too), then to C, cancelled there: both places it was sent, in order."""
    row = {
        "status": "cancelled",
        "service": "C",
        "transferred_from": "B",
        "transfers": '[["A", "B", 1], ["B", "C", 3]]',
        "category": None,
    }
    names = {"A": "Konsultasi Penyedia", "B": B_NAME, "C": "Registrasi & Verifikasi Akun"}
    assert (
        reports.keterangan(row, names)
        == f"Dialihkan ke {B_NAME}, lalu ke Registrasi & Verifikasi Akun, lalu dibatalkan"
    )
    assert reports.keterangan(row) == "Dialihkan ke B, lalu ke C, lalu dibatalkan"  # names not given: the codes
    # its transfers' events not there: the service it ended at, as the row has it
    assert reports.keterangan({**row, "transfers": None}, names).startswith(
        "Dialihkan ke Registrasi & Verifikasi Akun,"
    )


def test_a_service_just_over_the_standard_is_never_shown_at_it(app, client, clock):
    """One visitor served 30 minutes and 0.1 s: over the 30-minute standard (0 of 1 within), and the dashboard read
    "Rata-rata 30,0 menit, Terlama 30,0 menit", as if it met it. Over the standard, the shown figure is rounded up
    to the next tenth: 30,1 menit on the dashboard, 1800.1 s in the JSON, above 30 minutes in the CSV and XLSX."""
    service = app.extensions["antrian"]
    clock.now = at("08:00")
    service.issue(visitor(service="A"))
    clock.now = at("08:01")
    service.counter_action(1, "call-next", {}, "budi")
    service.counter_action(1, "start", {}, "budi")
    clock.now = at("08:31") + timedelta(milliseconds=100)
    service.counter_action(1, "resolve", {"solution": "Sudah dijelaskan"}, "budi")
    login(app, client, "kepala", "frontoffice")
    query = f"from={DAY}&to={DAY}&group=day"
    fig = client.get(f"/api/figures?{query}").get_json()["total"]["service"]
    assert (fig["n"], fig["within"], fig["standard_s"]) == (1, 0, 1800)
    assert fig["mean_s"] > 1800 and fig["max_s"] > 1800, fig
    page = client.get(f"/counter/dashboard?{query}").get_data(as_text=True)
    row = page[page.index('<tr id="row-service">') :]
    row = row[: row.index("</tr>")]
    assert row.count("30,1 menit") == 2 and "30,0 menit" not in row, row
    lines = list(csv.reader(io.StringIO(client.get(f"/api/figures?{query}&format=csv").get_data().decode("utf-8-sig"))))
    heads = lines[0]
    measure = figures.MEASURE_NAMES_ID["service"]
    for line in lines[1:]:
        if line[heads.index(figures.export_headings()[2])] == measure:
            mean, longest = (float(line[figures.EXPORT_COLUMNS.index(c)]) for c in ("mean", "max"))
            assert mean > 30 and longest > 30, line
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/api/figures?{query}&format=xlsx").get_data())).active
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=5)]
    service_rows = [r for r in rows if r[2] == measure]
    assert len(service_rows) == 2  # the day's and the total's
    for r in service_rows:
        cells = [r[figures.EXPORT_COLUMNS.index(c)] for c in ("mean", "max")]
        # as its 0.0 format shows them: 30.1, not 30.0
        assert [f"{v:.1f}" for v in cells] == ["30.1", "30.1"], r


def test_a_figure_a_hair_over_the_standard_keeps_over_it_in_the_json():
    """30 min 0.04 s rounded to the tenth of a second was 1800.0 s, the standard itself, counted over it."""
    sums = figures.empty_sums("")
    sums.update({"tickets": 2, "served": 2, "service_n": 2, "service_sum": 3_600_080, "service_max": 1_800_040})
    fig = figures.finish(sums, SlaSettings(), "service")["service"]
    assert (fig["within"], fig["mean_s"], fig["max_s"]) == (0, 1800.1, 1800.1)
    sums.update({"service_sum": 3_599_000, "service_max": 1_800_000, "service_within": 2})  # at it: as it is
    fig = figures.finish(sums, SlaSettings(), "service")["service"]
    assert (fig["within"], fig["mean_s"], fig["max_s"]) == (2, 1799.5, 1800.0)
    assert figures.shown_minutes(1800.1, 1800, 1) == 30.1 and figures.shown_minutes(1800.0, 1800, 1) == 30.0
    assert figures.shown_minutes(1805.0, None, 1) == 30.1 and figures.shown_minutes(1802.0, None, 1) == 30.0
