"""The recap row of a visitor sent on from one counter to another (the counter's "Alihkan") and served there says
where the visitor came from: "Dialihkan dari Loket 1 / Konsultasi Penyedia" in Keterangan, between the category and
the outcome. Before, the row read "Pertanyaan; Selesai" like any other, and the head of office reading the recap could
not see that the visitor had been served at another counter first. Every format says it (the JSON, the CSV, the XLSX,
the printable page, the month's archive, and a long recap made in a child process); the nine columns stay.

The counters and services as the demo config.toml names them: Loket 1 serves A and C, Loket 3 serves B and C."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime

import openpyxl
from conftest import login, visitor
from live import server_command

from server import report_job
from server.service import Kind

DAY = "2026-11-28"
NINE = ["No", "Nama", "Alamat", "Permasalahan", "Solusi", "Keterangan", "Tanggal", "No. Antrian", "Petugas"]
FROM_1_A = "Dialihkan dari Loket 1 / Konsultasi Penyedia"
FROM_1_A_THEN_3_B = f"{FROM_1_A}, lalu dari Loket 3 / Konsultasi Non-Penyedia (PPK/Pokja/PP)"


def at(hhmm: str) -> datetime:
    """An instant of 28 November 2026, given in WIB (UTC+7)."""
    h, m = map(int, hhmm.split(":"))
    return datetime(2026, 11, 28, h - 7, m, tzinfo=UTC)


def act(service, clock, hhmm, counter, action, officer, payload=None):
    clock.now = at(hhmm)
    out = service.counter_action(counter, action, payload or {}, officer)
    assert out.kind is Kind.DONE, (action, out)
    return out.body


def visit_day(service, clock) -> None:
    """Ani (A) served at Loket 1 by budi, sent to B, resolved at Loket 3 by siti; Bayu (A) served at Loket 1, sent to
    B, served at Loket 3, sent to C, resolved at Loket 1; Citra (A) resolved at Loket 1, never transferred."""
    for hhmm, name in (("08:00", "Ani"), ("08:01", "Bayu"), ("08:02", "Citra")):
        clock.now = at(hhmm)
        assert service.issue(visitor(service="A", name=name, category="pertanyaan")).kind is Kind.CREATED
    act(service, clock, "08:05", 1, "call-next", "budi")
    act(service, clock, "08:06", 1, "start", "budi")
    act(service, clock, "08:10", 1, "transfer", "budi", {"service": "B", "note": "Soal PPK"})
    act(service, clock, "08:11", 3, "call-next", "siti")  # Ani, ahead of B's line
    act(service, clock, "08:12", 3, "start", "siti")
    act(service, clock, "08:20", 3, "resolve", "siti", {"solution": "Dijelaskan"})
    act(service, clock, "08:21", 1, "call-next", "budi")  # Bayu
    act(service, clock, "08:22", 1, "start", "budi")
    act(service, clock, "08:25", 1, "transfer", "budi", {"service": "B"})
    act(service, clock, "08:26", 3, "call-next", "siti")
    act(service, clock, "08:27", 3, "start", "siti")
    act(service, clock, "08:30", 3, "transfer", "siti", {"service": "C"})
    act(service, clock, "08:31", 1, "call-next", "budi")  # Bayu again, ahead of Citra
    act(service, clock, "08:32", 1, "start", "budi")
    act(service, clock, "08:40", 1, "resolve", "budi", {"solution": "Akun diverifikasi"})
    act(service, clock, "08:41", 1, "call-next", "budi")  # Citra
    act(service, clock, "08:42", 1, "start", "budi")
    act(service, clock, "08:50", 1, "resolve", "budi", {"solution": "Sandi direset"})
    clock.now = at("09:00")


EXPECTED = {
    "Ani": f"Pertanyaan; {FROM_1_A}; Selesai",
    "Bayu": f"Pertanyaan; {FROM_1_A_THEN_3_B}; Selesai",
    "Citra": "Pertanyaan; Selesai",  # never transferred: as before
}


def remarks(rows) -> dict[str, str]:
    return {r["Nama"]: r["Keterangan"] for r in rows}


def test_the_recap_says_a_transferred_visitor_came_from_which_counter_and_service(app, client, clock):
    service = app.extensions["antrian"]
    visit_day(service, clock)
    login(app, client, "kepala", "frontoffice")
    data = client.get(f"/api/recap?from={DAY}&to={DAY}").get_json()
    assert data["columns"] == NINE  # the nine columns, in their order, as before
    assert remarks(data["rows"]) == EXPECTED
    assert {r["Nama"]: (r["Petugas"], r["Solusi"]) for r in data["rows"]} == {
        "Ani": ("siti", "Dijelaskan"),
        "Bayu": ("budi", "Akun diverifikasi"),
        "Citra": ("budi", "Sandi direset"),
    }

    text = client.get(f"/api/recap?from={DAY}&to={DAY}&format=csv").data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == NINE and remarks(rows) == EXPECTED

    r = client.get(f"/api/recap?from={DAY}&to={DAY}&format=xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(r.data)).active
    head = [c.value for c in ws[4]]
    assert head == NINE
    said = {row[1]: row[5] for row in ws.iter_rows(min_row=6, values_only=True)}
    assert said == EXPECTED

    page = client.get(f"/counter/recap?from={DAY}&to={DAY}").get_data(as_text=True)
    for text in EXPECTED.values():
        assert f">{text}<" in page, text


def test_the_filters_still_find_the_transferred_and_served_as_resolved(app, client, clock):
    """A visitor transferred and then served is still a resolved row (not "Dialihkan, tidak dilayani di sana")."""
    visit_day(app.extensions["antrian"], clock)
    login(app, client, "kepala", "frontoffice")
    resolved = client.get(f"/api/recap?from={DAY}&to={DAY}&outcome=resolved").get_json()["rows"]
    assert remarks(resolved) == EXPECTED
    assert client.get(f"/api/recap?from={DAY}&to={DAY}&outcome=transferred").get_json()["rows"] == []


def test_a_long_recap_made_in_a_child_process_says_it_too(app, clock):
    """Past a month under gevent the recap is made by `python -m server.report_job` from a JSON job: the counters'
    names go with it (their ids as JSON's text keys)."""
    service = app.extensions["antrian"]
    visit_day(service, clock)
    job = {
        "from": "2026-10-01",
        "to": DAY,
        "filters": {"service": None, "officer": None, "category": None, "outcome": None},
        "format": "json",
        "office": service.settings.office.name,
        "filters_label": "",
        "services": {s.code: s.name for s in service.settings.services},
        "counters": {str(c.id): c.name for c in service.settings.counters},
    }
    out = json.loads(report_job.in_child(service.store, {**job, "kind": "recap"}, 120))
    assert remarks(out["rows"]) == EXPECTED


def test_the_months_archive_says_it_in_its_recap(app, clock, config_path, tmp_path):
    """`python -m server archive --month 2026-11`: its recap CSV and XLSX, the SOP's record of the month."""
    visit_day(app.extensions["antrian"], clock)
    out = tmp_path / "arsip"
    r = server_command(["archive", "--month", "2026-11", "--out", str(out), "--config", str(config_path)], timeout=120)
    assert r.returncode == 0, r.stderr
    with zipfile.ZipFile(out / "arsip-2026-11.zip") as z:
        rows = list(csv.DictReader(io.StringIO(z.read("rekap-2026-11.csv").decode("utf-8-sig"))))
        ws = openpyxl.load_workbook(io.BytesIO(z.read("rekap-2026-11.xlsx"))).active
    assert remarks(rows) == EXPECTED
    assert {row[1]: row[5] for row in ws.iter_rows(min_row=6, values_only=True)} == EXPECTED


def test_a_counter_since_removed_is_left_out_and_the_service_still_named(app, client, clock):
    """The names are the settings in force: Loket 1 removed on the admin page since, the rows it sent on name the
    service they had there, not a counter that is no longer one; Loket 3 is still named."""
    visit_day(app.extensions["antrian"], clock)
    h = login(app, client, "kepala", "admin")
    counters = client.get("/api/admin/settings", headers=h).get_json()["counters"]
    r = client.put("/api/admin/settings/counters", json={"value": counters[1:]}, headers=h)
    assert r.status_code == 200, r.get_json()
    said = remarks(client.get(f"/api/recap?from={DAY}&to={DAY}").get_json()["rows"])
    assert said["Ani"] == "Pertanyaan; Dialihkan dari Konsultasi Penyedia; Selesai", said
    assert said["Bayu"] == (
        "Pertanyaan; Dialihkan dari Konsultasi Penyedia, lalu dari Loket 3 / Konsultasi Non-Penyedia (PPK/Pokja/PP);"
        " Selesai"
    ), said
