"""The monthly archive, retention (anonymising old forms), and online backup and restore."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import threading
import time
import zipfile
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest
from conftest import add_user, login, visitor, write_config
from live import server_command

from server import archive, serverlock
from server.config import load_settings
from server.service import Kind
from server.service.upkeep import BACKUP_RETRY_SECONDS, daily_backups
from server.store import Store
from shared.runtime import python_command


def cli(*args) -> subprocess.CompletedProcess:
    return server_command(list(args), timeout=120)


def serve_one(service, clock, when: datetime, name: str, solution: str = "Selesai", **form) -> None:
    """Issue a ticket at `when` and serve it at Loket 1 a few minutes later."""
    clock.now = when
    assert service.issue(visitor(name=name, **form)).kind is Kind.CREATED
    for action, payload in (("call-next", {}), ("start", {}), ("resolve", {"solution": solution})):
        clock.advance(minutes=3)
        assert service.counter_action(1, action, payload, "budi").kind is Kind.DONE


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- archive -------------------------------------------------------------------------------------
def test_month_archive_holds_that_months_recap_tickets_events_and_checksums(app, clock, config_path, tmp_path):
    service = app.extensions["antrian"]
    serve_one(service, clock, utc(2026, 10, 31, 2), "Oktober")
    serve_one(service, clock, utc(2026, 11, 1, 2), "Awal", "Reset")
    serve_one(service, clock, utc(2026, 11, 30, 16, 30), "Akhir")  # 23:30 WIB, still 30 November
    serve_one(service, clock, utc(2026, 11, 30, 16, 52), "Larut")  # 23:52 WIB, served from 23:58, resolved at 00:01
    serve_one(service, clock, utc(2026, 11, 30, 17, 30), "Desember")  # 00:30 WIB, 1 December
    out = tmp_path / "arsip"
    r = cli("archive", "--month", "2026-11", "--out", str(out), "--config", str(config_path))
    assert r.returncode == 0, r.stderr
    path = out / "arsip-2026-11.zip"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert r.stdout.splitlines() == [
        f"arsip: {path}  sha256 {digest}",
        f"archive: {path}  sha256 {digest}",
        "isinya 3 tiket, 2026-11-01 s.d. 2026-11-30 (3 di antaranya dilayani: baris rekap)",
        "it holds 3 tickets, 2026-11-01 to 2026-11-30 (3 of them served: the recap's rows)",
    ]
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == [
            "SHA256SUMS",
            "antrian-2026-11.json",
            "bukutamu-2026-11.csv",
            "bukutamu-2026-11.xlsx",
            "rekap-2026-11.csv",
            "rekap-2026-11.xlsx",
        ]
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(zf.read("rekap-2026-11.xlsx"))).active
        cells = [value for row in sheet.iter_rows(values_only=True) for value in row]
        assert cells.count("Awal") == 1 and cells.count("Akhir") == 1 and "Oktober" not in cells
        rows = list(csv.DictReader(io.StringIO(zf.read("rekap-2026-11.csv").decode("utf-8-sig"))))
        guests = list(csv.DictReader(io.StringIO(zf.read("bukutamu-2026-11.csv").decode("utf-8-sig"))))
        doc = json.loads(zf.read("antrian-2026-11.json"))
        sums = zf.read("SHA256SUMS").decode()
    # the guest book: every visitor of the month, at the office's time (the CSV's "09:00": reports.guestbook_csv),
    # the service by the name config.toml gives
    assert [(g["Tanggal"], g["Jam"], g["Layanan"], g["Nama"], g["Keterangan"]) for g in guests] == [
        ("2026-11-01", "09:00", "Konsultasi Penyedia", "Awal", "dilayani — selesai"),
        ("2026-11-30", "23:30", "Konsultasi Penyedia", "Akhir", "dilayani — selesai"),
        ("2026-11-30", "23:52", "Konsultasi Penyedia", "Larut", "dilayani — selesai"),
    ]
    assert [(r["No"], r["Nama"], r["Solusi"]) for r in rows] == [
        ("1", "Awal", "Reset"),
        ("2", "Akhir", "Selesai"),
        ("3", "Larut", "Selesai"),
    ]
    assert [t["name"] for t in doc["tickets"]] == ["Awal", "Akhir", "Larut"]
    # each ticket's whole history, its resolution after midnight (an event of 1 December) included
    larut = doc["tickets"][2]["id"]
    assert [(e["type"], e["day"]) for e in doc["events"] if e["ticket_id"] == larut][-1] == ("resolved", "2026-12-01")
    assert doc["tickets"][0]["phone"] == "081234567890" and doc["office"] == "LPSE Kabupaten Contoh"
    # and the office's days' turns (`day_changed`, no ticket's), as the server writes them each midnight
    assert {e["type"] for e in doc["events"]} == {"issued", "called", "started", "resolved", "day_changed"}
    assert {e["ticket_id"] for e in doc["events"] if e["type"] != "day_changed"} == {t["id"] for t in doc["tickets"]}
    assert len(sums.splitlines()) == 5 and archive.verify_month_archive(path) == []


def test_the_archive_counts_a_visitor_transferred_and_not_served_there_as_a_recap_row_not_as_served(
    app, clock, config_path, tmp_path
):
    """A visitor served, transferred to another service and never served there is a recap row but not one of
    the served (the dashboard's "dilayani"): the archive's summary said "2 di antaranya dilayani" for 1."""
    service = app.extensions["antrian"]
    serve_one(service, clock, utc(2026, 11, 2, 2), "Awal")
    clock.now = utc(2026, 11, 3, 2)
    assert service.issue(visitor(name="Pindah")).kind is Kind.CREATED
    for action, payload in (("call-next", {}), ("start", {}), ("transfer", {"service": "B"})):
        clock.advance(minutes=3)
        assert service.counter_action(1, action, payload, "budi").kind is Kind.DONE
    clock.now = utc(2026, 11, 4, 2)
    assert service.expire_old() == 1  # never called at B: its day is over
    r = cli("archive", "--month", "2026-11", "--out", str(tmp_path), "--config", str(config_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[2:] == [
        "isinya 2 tiket, 2026-11-01 s.d. 2026-11-30 (1 di antaranya dilayani; 2 baris rekap: juga 1 yang dilayani"
        " lalu dialihkan ke layanan lain dan tidak dilayani di sana)",
        "it holds 2 tickets, 2026-11-01 to 2026-11-30 (1 of them served; 2 recap rows: also 1 served, then"
        " transferred to another service and not served there)",
    ]
    with zipfile.ZipFile(tmp_path / "arsip-2026-11.zip") as zf:
        rows = list(csv.DictReader(io.StringIO(zf.read("rekap-2026-11.csv").decode("utf-8-sig"))))
    assert [row["Nama"] for row in rows] == ["Awal", "Pindah"]


def test_a_changed_archive_member_fails_verification(app, tmp_path):
    path = archive.write_month_archive(app.extensions["antrian"].store, "2026-11", "LPSE X", tmp_path)
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["rekap-2026-11.csv"] += b"1,Palsu,,,,\r\n"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    assert archive.verify_month_archive(path) == ["rekap-2026-11.csv"]


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "November", "2026/11"])
def test_archive_refuses_a_bad_month(config_path, month):
    r = cli("archive", "--month", month, "--config", str(config_path))
    assert r.returncode == 2 and r.stderr.splitlines() == [
        f"kesalahan: --month harus YYYY-MM, bukan {month!r}",
        f"error: --month must be YYYY-MM, not {month!r}",
    ]


def test_an_archive_there_is_never_overwritten_and_one_made_again_is_the_same_bytes(app, clock, config_path, tmp_path):
    service = app.extensions["antrian"]
    serve_one(service, clock, utc(2026, 11, 2, 2), "Awal")
    serve_one(service, clock, utc(2026, 11, 20, 2), "Tengah")
    out = tmp_path / "arsip"
    path = out / "arsip-2026-11.zip"
    r = cli("archive", "--month", "2026-11", "--out", str(out), "--config", str(config_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[2:] == [
        "isinya 2 tiket, 2026-11-01 s.d. 2026-11-30 (2 di antaranya dilayani: baris rekap)",
        "it holds 2 tickets, 2026-11-01 to 2026-11-30 (2 of them served: the recap's rows)",
    ]
    first = path.read_bytes()
    r = cli("archive", "--month", "2026-11", "--out", str(out), "--config", str(config_path))
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.splitlines() == [
        f"kesalahan: {path} sudah ada: arsip itu tidak ditimpa. Untuk menyimpan keduanya, beri --out folder lain;"
        " untuk menggantinya, tambahkan --replace",
        f"error: {path} exists already: that archive is not overwritten. To keep both, give --out another folder;"
        " to replace it, add --replace",
    ]
    assert path.read_bytes() == first
    r = cli("archive", "--month", "2026-11", "--out", str(out), "--replace", "--config", str(config_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-2:] == [
        "arsip sebelumnya (2 tiket) diganti",
        "the archive before (2 tickets) was replaced",
    ]
    assert path.read_bytes() == first  # unchanged data, made again: the same SHA-256

    # Retention anonymised November's visitors: the archive with their names is the record, kept.
    clock.now = utc(2027, 6, 1, 2)
    assert archive.apply_retention(service.store, 6, clock.now, service.settings.office.tz).forms == 2
    r = cli("archive", "--month", "2026-11", "--out", str(out), "--replace", "--config", str(config_path))
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.splitlines() == [
        f"kesalahan: {path} memuat nama 2 pengunjung, arsip baru hanya 0 (sisanya sudah dianonimkan oleh retention,"
        " atau tiketnya tidak ada lagi): arsip itu tidak diganti, juga dengan --replace. Simpan yang baru di tempat"
        " lain dengan --out, atau pindahkan berkas itu dulu bila memang ingin diganti",
        f"error: {path} holds 2 visitors' names, the new archive only 0 (the others anonymised by retention, or"
        " their tickets gone): that archive is not replaced, --replace or not. Keep the new one elsewhere with"
        " --out, or move that file away first if it must be replaced",
    ]
    assert path.read_bytes() == first and [p.name for p in out.iterdir()] == ["arsip-2026-11.zip"]
    other = tmp_path / "arsip-baru"
    r = cli("archive", "--month", "2026-11", "--out", str(other), "--config", str(config_path))
    assert r.returncode == 0, r.stderr
    with zipfile.ZipFile(other / "arsip-2026-11.zip") as zf:
        assert {t["name"] for t in json.loads(zf.read("antrian-2026-11.json"))["tickets"]} == {archive.ANONYMISED}
    with zipfile.ZipFile(path) as zf:
        assert [t["name"] for t in json.loads(zf.read("antrian-2026-11.json"))["tickets"]] == ["Awal", "Tengah"]


def test_a_folder_of_the_archives_name_is_said_and_kept(app, clock, config_path, tmp_path):
    """A folder named arsip-2026-11.zip (an archive unpacked in place) ended the command in "tidak dapat ditulis
    (Is a directory)", the OS's English, with --replace too: it says what is there and what to do, and keeps it."""
    serve_one(app.extensions["antrian"], clock, utc(2026, 11, 2, 2), "Awal")
    out = tmp_path / "arsip"
    folder = out / "arsip-2026-11.zip"
    (folder / "x").mkdir(parents=True)
    for more in ((), ("--replace",)):
        r = cli("archive", "--month", "2026-11", "--out", str(out), *more, "--config", str(config_path))
        assert (
            r.returncode == 2
            and r.stdout == ""
            and r.stderr.splitlines()
            == [
                f"kesalahan: {folder} adalah folder, bukan arsip (arsip yang diekstrak di situ?): folder itu tidak"
                " diganti; pindahkan atau ganti namanya, atau beri --out folder lain",
                f"error: {folder} is a folder, not an archive (an archive unpacked there?): it is not replaced; move it"
                " away or rename it, or give --out another folder",
            ]
        ), r.stderr
        assert [p.name for p in out.iterdir()] == [folder.name] and (folder / "x").is_dir()


def test_the_archives_workbook_carries_the_months_end_not_the_time_it_was_made(app, clock, tmp_path, monkeypatch):
    from server import xlsx

    service = app.extensions["antrian"]
    serve_one(service, clock, utc(2026, 11, 2, 2), "Awal")
    made = []
    for i, when in enumerate((utc(2026, 12, 1, 1, 2, 3), utc(2027, 3, 4, 5, 6, 7))):

        class Later(datetime):
            @classmethod
            def now(cls, tz=None, when=when):
                return when

        monkeypatch.setattr(xlsx, "datetime", Later)
        path = archive.make_month_archive(service.store, "2026-11", "LPSE X", tmp_path / str(i)).path
        made.append(path.read_bytes())
        with zipfile.ZipFile(path) as zf:
            book = zipfile.ZipFile(io.BytesIO(zf.read("rekap-2026-11.xlsx")))
            core = book.read("docProps/core.xml").decode()
            assert {m.date_time for m in book.infolist()} == {(2026, 11, 30, 0, 0, 0)}
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2026-11-30T00:00:00Z</dcterms:created>' in core
    assert '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-11-30T00:00:00Z</dcterms:modified>' in core
    assert made[0] == made[1]


def test_archive_refuses_a_month_to_come_and_this_one_unless_asked_and_says_an_empty_one(
    app, clock, config_path, tmp_path
):
    from zoneinfo import ZoneInfo

    from conftest import office_zone

    now = datetime.now(office_zone())
    assert office_zone() == ZoneInfo(str(app.extensions["antrian"].settings.office.tz))
    today, month = now.date().isoformat(), now.strftime("%Y-%m")
    later = (now.date().replace(day=28) + timedelta(days=5)).strftime("%Y-%m")
    out = tmp_path / "arsip"
    r = cli("archive", "--month", later, "--out", str(out), "--config", str(config_path))
    assert r.returncode == 2 and r.stderr.splitlines() == [
        f"kesalahan: bulan {later} belum tiba (hari ini {today}): tidak ada arsip",
        f"error: the month {later} has not come yet (today is {today}): no archive",
    ]
    r = cli("archive", "--month", month, "--out", str(out), "--config", str(config_path))
    assert r.returncode == 2 and r.stderr.splitlines() == [
        f"kesalahan: bulan {month} belum selesai (hari ini {today}): arsipnya dibuat setelah bulan berakhir;"
        " tambahkan --unfinished untuk arsip sampai saat ini",
        f"error: the month {month} is not over (today is {today}): its archive is made after the month ends;"
        " add --unfinished for an archive of it so far",
    ]
    assert not out.exists()
    clock.now = datetime.now(UTC)
    assert app.extensions["antrian"].issue(visitor(name="Hari Ini")).kind is Kind.CREATED
    r = cli("archive", "--month", month, "--out", str(out), "--unfinished", "--config", str(config_path))
    assert r.returncode == 0, r.stderr
    # the visitor waits: a ticket, not yet a recap's row; the days it holds end today, as its warning says (it
    # named the month's last day, which it does not hold); "1 ticket", not "1 tickets"
    assert r.stdout.splitlines()[2:] == [
        f"isinya 1 tiket, {month}-01 s.d. {today} (0 di antaranya dilayani: baris rekap)",
        f"it holds 1 ticket, {month}-01 to {today} (0 of them served: the recap's rows)",
    ]
    assert r.stderr.splitlines() == [
        f"peringatan: bulan {month} belum selesai (hari ini {today}): arsip ini hanya sampai saat ini;"
        " buat lagi setelah bulan berakhir dengan --replace",
        f"warning: the month {month} is not over (today is {today}): this archive holds it so far only;"
        " make it again after the month ends with --replace",
        "peringatan: arsip ini memuat bulan itu seperti saat ini: 1 tiket belum selesai dan belum masuk"
        f" rekapnya: A-001 ({today}, menunggu); setelah selesai, buat lagi dengan --replace agar arsipnya utuh",
        "warning: this archive holds the month as it is now: tickets not finished yet, not in its recap (1):"
        f" A-001 ({today}, waiting); once they are, make it again with --replace to have it whole",
    ]
    r = cli("archive", "--month", "2020-09", "--out", str(out), "--config", str(config_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[2:] == [
        "bulan 2020-09 (2020-09-01 s.d. 2020-09-30) tidak punya tiket: arsip ini kosong",
        "the month 2020-09 (2020-09-01 to 2020-09-30) has no tickets: this archive is empty",
    ]
    assert sorted(p.name for p in out.iterdir()) == ["arsip-2020-09.zip", f"arsip-{month}.zip"]


IN_PLAY_NAMED = "A-002 (2026-11-30, {}), A-003 (2026-11-30, {}), A-004 (2026-11-30, {})"


def test_a_month_with_tickets_still_in_play_is_refused_unless_unfinished_which_names_them(
    app, clock, config_path, tmp_path
):
    """Archived on 1 December while a visitor of 30 November is still being served (past midnight): the
    archive left that consultation out of its recap saying nothing. It is refused, naming the tickets;
    --unfinished makes it as it is, naming them again, and --replace later makes it whole."""
    service = app.extensions["antrian"]
    serve_one(service, clock, utc(2026, 11, 30, 8), "Pagi")  # 15:00 WIB, served: A-001
    clock.now = utc(2026, 11, 30, 16, 40)  # 23:40 WIB
    for name in ("Larut", "Dipanggil", "Menunggu"):
        assert service.issue(visitor(name=name)).kind is Kind.CREATED
    for counter, action in ((1, "call-next"), (1, "start"), (2, "call-next")):
        clock.advance(minutes=2)
        assert service.counter_action(counter, action, {}, "budi").kind is Kind.DONE
    clock.now = utc(2026, 11, 30, 17, 5)  # 00:05 WIB on 1 December: Larut still being served
    out = tmp_path / "arsip"
    path = out / "arsip-2026-11.zip"
    r = cli("archive", "--month", "2026-11", "--out", str(out), "--config", str(config_path))
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.splitlines() == [
        "kesalahan: bulan 2026-11 masih punya 3 tiket yang belum selesai: "
        + IN_PLAY_NAMED.format("dilayani", "dipanggil", "menunggu")
        + ". Arsip sekarang akan melewatkannya dari rekap: selesaikan dulu di loket (yang masih menunggu atau"
        " dipanggil kedaluwarsa sendiri begitu server berjalan: harinya sudah lewat), lalu jalankan lagi;"
        " atau tambahkan --unfinished untuk arsip seperti saat ini",
        "error: the month 2026-11 has tickets not finished yet (3): "
        + IN_PLAY_NAMED.format("being served", "called", "waiting")
        + ". An archive now would leave them out of its recap: finish them at the counter first (those still"
        " waiting or called expire by themselves once the server runs: their day is over), then run this"
        " again; or add --unfinished for an archive as it is now",
    ]
    assert not out.exists()
    # --unfinished: the month as it is now, the tickets not in its recap named
    r = cli("archive", "--month", "2026-11", "--out", str(out), "--unfinished", "--config", str(config_path))
    assert r.returncode == 0, r.stderr
    assert (
        r.stdout.splitlines()[2] == "isinya 4 tiket, 2026-11-01 s.d. 2026-11-30 (1 di antaranya dilayani: baris rekap)"
    )
    assert r.stderr.splitlines() == [
        "peringatan: arsip ini memuat bulan itu seperti saat ini: 3 tiket belum selesai dan belum masuk rekapnya: "
        + IN_PLAY_NAMED.format("dilayani", "dipanggil", "menunggu")
        + "; setelah selesai, buat lagi dengan --replace agar arsipnya utuh",
        "warning: this archive holds the month as it is now: tickets not finished yet, not in its recap (3): "
        + IN_PLAY_NAMED.format("being served", "called", "waiting")
        + "; once they are, make it again with --replace to have it whole",
    ]
    with zipfile.ZipFile(path) as zf:
        assert [
            row["Nama"] for row in csv.DictReader(io.StringIO(zf.read("rekap-2026-11.csv").decode("utf-8-sig")))
        ] == ["Pagi"]
    # the server's end of day expires the two still waiting or called; Larut is resolved at 00:10
    assert service.expire_old() == 2
    clock.now = utc(2026, 11, 30, 17, 10)
    assert service.counter_action(1, "resolve", {"solution": "Selesai"}, "budi").kind is Kind.DONE
    r = cli("archive", "--month", "2026-11", "--out", str(out), "--replace", "--config", str(config_path))
    assert r.returncode == 0, r.stderr
    assert r.stderr == "" and r.stdout.splitlines()[2:] == [
        "isinya 4 tiket, 2026-11-01 s.d. 2026-11-30 (2 di antaranya dilayani: baris rekap)",
        "it holds 4 tickets, 2026-11-01 to 2026-11-30 (2 of them served: the recap's rows)",
        "arsip sebelumnya (4 tiket) diganti",
        "the archive before (4 tickets) was replaced",
    ]
    with zipfile.ZipFile(path) as zf:
        rows = list(csv.DictReader(io.StringIO(zf.read("rekap-2026-11.csv").decode("utf-8-sig"))))
    assert [row["Nama"] for row in rows] == ["Pagi", "Larut"]


def test_the_tickets_in_play_a_refusal_names_are_the_first_ten_then_counted(app, clock, tmp_path):
    service = app.extensions["antrian"]
    clock.now = utc(2026, 11, 30, 3)
    for i in range(12):
        assert service.issue(visitor(name=f"Tamu {i}")).kind is Kind.CREATED
    with pytest.raises(archive.ArchiveError) as refused:
        archive.make_month_archive(service.store, "2026-11", "LPSE X", tmp_path / "arsip")
    said = refused.value.said
    assert "(12): A-001 (2026-11-30, waiting), A-002 (2026-11-30, waiting)," in said.en_text
    assert said.en_text.count("(2026-11-30, waiting)") == 10
    assert "A-010 (2026-11-30, waiting), and 2 more. An archive now" in said.en_text
    assert "A-010 (2026-11-30, menunggu), dan 2 lainnya. Arsip sekarang" in said.id_text
    assert not (tmp_path / "arsip").exists()
    made = archive.make_month_archive(service.store, "2026-11", "LPSE X", tmp_path / "arsip", unfinished=True)
    assert (made.recap_rows, len(made.in_play), made.in_play[11]) == (0, 12, ("A-012", "2026-11-30", "waiting"))


# -- retention -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "day,months,expected",
    [
        ("2026-11-28", 6, "2026-05-28"),
        ("2026-03-31", 1, "2026-02-28"),
        ("2026-01-15", 1, "2025-12-15"),
        ("2026-11-28", 24, "2024-11-28"),
    ],
)
def test_months_before_keeps_the_day_or_the_months_last(day, months, expected):
    assert archive.months_before(day, months) == expected


def test_retention_anonymises_exactly_the_tickets_older_than_n_months(app, clock):
    service = app.extensions["antrian"]
    # local days 27, 28 and 29 May 2026; the 27th ends at 16:59:59 UTC
    for when, name in (
        (utc(2026, 5, 27, 16, 50), "Lama"),
        (utc(2026, 5, 27, 17, 10), "Batas"),
        (utc(2026, 5, 29, 2), "Baru"),
    ):
        clock.now = when
        service.issue(visitor(name=name), request_key=f"issue:{name}")
    clock.now = utc(2026, 11, 28, 2)
    result = archive.apply_retention(service.store, 6, clock.now, service.settings.office.tz)
    assert (result.cutoff, result.forms, result.requests) == ("2026-05-28", 1, 1)
    with service.store.read() as tx:
        forms = tx.rows("SELECT t.day, f.* FROM forms f JOIN tickets t ON t.id = f.ticket_id ORDER BY t.id")
        events = tx.rows("SELECT * FROM events WHERE type = 'retention'")
        keys = [r["key"] for r in tx.rows("SELECT key FROM requests ORDER BY key")]
    gone = archive.ANONYMISED
    assert [(f["day"], f["name"], f["phone"], f["address"]) for f in forms] == [
        ("2026-05-27", gone, gone, gone),
        ("2026-05-28", "Batas", "081234567890", "Jl. Sudirman No. 12"),
        ("2026-05-29", "Baru", "081234567890", "Jl. Sudirman No. 12"),
    ]
    assert forms[0]["agency"] == "CV Maju Bersama" and forms[0]["problem"].startswith("Lupa kata sandi")
    assert len(events) == 1 and json.loads(events[0]["data"]) == {
        "months": 6,
        "before": "2026-05-28",
        "forms": 1,
        "requests": 1,
        "survey": 0,
    }
    assert keys == ["issue:Baru", "issue:Batas"]
    again = archive.apply_retention(service.store, 6, clock.now, service.settings.office.tz)
    assert again.forms == 0


def test_retention_keeps_the_visitor_of_a_case_still_open_with_lkpp_until_its_close(app, clock):
    """A case escalated months ago and still open with LKPP: its officer calls the visitor back with LKPP's answer,
    and Kirim ulang sends its mail again with the visitor's details. Retention anonymised its form all the same, and
    both had "(dianonimkan)" for the phone to call. It is kept, counted in the run's event, and anonymised by the
    first run after its close."""
    service = app.extensions["antrian"]
    serve_one(service, clock, utc(2026, 5, 4, 2), "Selesai Lama")
    clock.now = utc(2026, 5, 5, 2)
    assert service.issue(visitor(name="Masih Terbuka", phone="081298765432")).kind is Kind.CREATED
    for action, payload in (("call-next", {}), ("start", {}), ("escalate", {"note": "Perlu LKPP: data hilang"})):
        clock.advance(minutes=3)
        assert service.counter_action(1, action, payload, "budi").kind is Kind.DONE
    clock.now = utc(2026, 11, 28, 2)
    result = archive.apply_retention(service.store, 6, clock.now, service.settings.office.tz)

    def forms():
        with service.store.read() as tx:
            rows = tx.rows(
                "SELECT t.status, f.name, f.phone FROM forms f JOIN tickets t ON t.id = f.ticket_id ORDER BY t.id"
            )
            events = [json.loads(e["data"]) for e in tx.rows("SELECT data FROM events WHERE type = 'retention'")]
        return [tuple(r.values()) for r in rows], events

    gone = archive.ANONYMISED
    rows, events = forms()
    assert rows == [("resolved", gone, gone), ("escalated", "Masih Terbuka", "081298765432")]
    assert (result.forms, result.open_cases) == (1, 1)
    assert events[-1]["open_cases"] == 1 and events[-1]["forms"] == 1
    with service.store.read() as tx:
        case = tx.rows("SELECT id FROM tickets WHERE status = 'escalated'")[0]["id"]
    closed = service.close_escalation(str(case), {"answer": "Data dipulihkan LKPP.", "lkpp_ticket": "TTS-1"}, "budi")
    assert closed.kind is Kind.DONE, closed
    again = archive.apply_retention(service.store, 6, clock.now, service.settings.office.tz)
    assert (again.forms, again.open_cases) == (1, 0)
    rows, events = forms()
    assert rows == [("resolved", gone, gone), ("closed", gone, gone)]
    assert "open_cases" not in events[-1]


def test_retention_command_says_its_one_range_of_months_the_same_way_below_and_above_it(config_path):
    """0 said "--months harus 1 atau lebih", 99999 "--months harus 1-1200": one rule in two words. Each is refused
    as argparse refuses any bounded option (--up-to, --visitors): the range, and the number given."""
    for months in ("0", "-3", "1201", "99999"):
        r = cli("retention", "--months", months, "--config", str(config_path))
        said = r.stderr.splitlines()
        assert (
            r.returncode == 2
            and r.stdout == ""
            and said[-3:-1]
            == [
                f"kesalahan: argumen --months: harus 1-1200, bukan {months}",
                f"error: argument --months: must be 1-1200, not {months}",
            ]
        ), r.stderr
    r = cli("retention", "--months", "enam", "--config", str(config_path))
    assert r.returncode == 2 and "error: argument --months: must be a whole number 1-1200, not 'enam'" in r.stderr
    assert cli("retention", "--config", str(config_path)).returncode == 2


def test_retention_command_keeps_this_months_visitors(app, clock, config_path):
    service = app.extensions["antrian"]
    clock.now = utc(2020, 1, 15, 2)
    service.issue(visitor(name="Dulu"), backdated=True)  # a day before any real one (core.EARLIEST_DAY), on purpose
    clock.now = datetime.now(UTC)
    service.issue(visitor(name="Sekarang"))
    r = cli("retention", "--months", "1", "--config", str(config_path))
    assert r.returncode == 0, r.stderr
    indonesian, english = r.stdout.splitlines()
    # what it did in the admin's words: not "N jawaban tersimpan dihapus" (the server's stored answers to devices)
    cutoff = archive.months_before(datetime.now(service.settings.office.tz).date().isoformat(), 1)
    assert (
        indonesian == f"retensi: 1 formulir dianonimkan (hari sebelum {cutoff}), 0 jawaban survei dilepas dari tiketnya"
    )
    assert english == f"retention: 1 form anonymised (days before {cutoff}), 0 survey responses unlinked"
    with service.store.read() as tx:
        assert [f["name"] for f in tx.rows("SELECT name FROM forms ORDER BY ticket_id")] == [
            archive.ANONYMISED,
            "Sekarang",
        ]


# -- backup and restore ----------------------------------------------------------------------------
def snapshot_counts(path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {
            "tickets": conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0],
            "forms": conn.execute("SELECT COUNT(*) FROM forms").fetchone()[0],
            "issued": conn.execute("SELECT COUNT(*) FROM events WHERE type = 'issued'").fetchone()[0],
            "holes": conn.execute(
                "SELECT COUNT(*) FROM (SELECT service, MAX(number) - COUNT(*) AS gap"
                " FROM tickets GROUP BY day, service) WHERE gap != 0"
            ).fetchone()[0],
        }
    finally:
        conn.close()


def test_backup_while_tickets_are_issued_is_consistent_and_restores_intact(app, client, tmp_path, config_path):
    service = app.extensions["antrian"]
    db = service.settings.server.database
    for i in range(10):
        assert client.post("/api/tickets", json=visitor(name=f"Awal {i}")).status_code == 201
    add_user(app, "depan", "frontoffice")  # logged-in front office: no rate limit
    stop = threading.Event()
    issued: list[int] = []
    errors: list[str] = []

    def issue_until_stopped(who: str) -> None:
        c = app.test_client()
        assert c.post("/api/login", json={"username": "depan", "password": "rahasia-123"}).status_code == 200
        n = 0
        while not stop.is_set():
            r = c.post("/api/tickets", json=visitor(name=f"{who} {n}", service="AB"[n % 2]))
            if r.status_code != 201:
                errors.append(r.get_data(as_text=True))
                return
            n += 1
        issued.append(n)

    threads = [threading.Thread(target=issue_until_stopped, args=(w,)) for w in ("kiri", "kanan")]
    for t in threads:
        t.start()
    counts = []
    try:
        for i in range(6):
            before = snapshot_counts(db)["tickets"]
            while snapshot_counts(db)["tickets"] < before + 3 and not errors:
                time.sleep(0.005)  # let some tickets land between backups
            archive.backup(db, tmp_path / f"b{i}.db")
            counts.append(snapshot_counts(tmp_path / f"b{i}.db"))
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert errors == []
    final = snapshot_counts(db)
    assert final["tickets"] == 10 + sum(issued)
    for c in counts:  # every backup a transaction-consistent snapshot: each ticket with its form and event
        assert c["tickets"] == c["forms"] == c["issued"] and c["holes"] == 0
    assert [c["tickets"] for c in counts] == sorted(c["tickets"] for c in counts)
    assert 10 < counts[0]["tickets"] and counts[-1]["tickets"] < final["tickets"]
    assert not (tmp_path / "b5.db-wal").exists()

    chosen = tmp_path / "b2.db"
    with closing(sqlite3.connect(chosen)) as conn:
        kept = conn.execute(
            "SELECT t.label, f.name FROM tickets t JOIN forms f ON f.ticket_id = t.id ORDER BY t.id"
        ).fetchall()
    service.stop()
    service.store.close()
    r = cli("restore", str(chosen), "--config", str(config_path))
    assert r.returncode == 0, r.stderr
    with closing(sqlite3.connect(db)) as conn:
        assert (
            conn.execute(
                "SELECT t.label, f.name FROM tickets t JOIN forms f ON f.ticket_id = t.id ORDER BY t.id"
            ).fetchall()
            == kept
        )
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    restored = Store(db)
    with restored.read() as tx:
        assert tx.one("SELECT COUNT(*) AS n FROM tickets")["n"] == len(kept)
    restored.close()


def test_backup_command_writes_a_checked_copy(app, client, config_path, tmp_path):
    client.post("/api/tickets", json=visitor())
    (tmp_path / "copy").mkdir()  # never made by backup (tests/test_cli.py)
    copy = tmp_path / "copy" / "antrian.db"
    r = cli("backup", str(copy), "--config", str(config_path))
    assert r.returncode == 0, r.stderr
    assert snapshot_counts(copy)["tickets"] == 1
    assert len(r.stdout.splitlines()) == 2, r.stdout  # "cadangan: …", "backup: …": nothing was there
    # A file there is replaced (the same name every day, a stick's only copy): it said nothing of it
    os.utime(copy, (0, datetime(2026, 12, 4, 10, 0, tzinfo=UTC).timestamp()))  # 17:00 WIB
    client.post("/api/tickets", json=visitor())
    r = cli("backup", str(copy), "--config", str(config_path))
    assert r.returncode == 0 and snapshot_counts(copy)["tickets"] == 2, r.stderr
    assert r.stdout.splitlines()[2:] == [
        "berkas yang sudah ada di situ (terakhir diubah 2026-12-04 17:00) diganti dengan cadangan ini",
        "the file that was there (last changed 2026-12-04 17:00) was replaced by this backup",
    ]


def test_backup_never_replaces_a_file_that_is_no_database(app, config_path, tmp_path):
    """`backup config.toml` (a slip of the keyboard for the copy's name) replaced config.toml with a database: a file
    there is replaced only when it is one (an earlier copy; an empty file too), anything else is refused, kept."""
    notes = tmp_path / "catatan.txt"
    notes.write_text("jangan ditimpa", encoding="utf-8")
    for target in (config_path, notes):
        before = target.read_bytes()
        r = cli("backup", str(target), "--config", str(config_path))
        assert (
            r.returncode == 2
            and r.stdout == ""
            and r.stderr.splitlines()
            == [
                f"kesalahan: {target} sudah ada dan bukan database (salinan akan menggantinya): tidak ada yang ditulis;"
                " beri nama lain untuk cadangannya, mis. antrian-$(date +%F).db",
                f"error: {target} is there already and is no database (a copy would replace it): nothing was written;"
                " give the backup another name, e.g. antrian-$(date +%F).db",
            ]
        ), r.stderr
        assert target.read_bytes() == before and not target.with_name(target.name + ".tmp").exists()
    empty = tmp_path / "kosong.db"
    empty.touch()
    assert cli("backup", str(empty), "--config", str(config_path)).returncode == 0
    assert snapshot_counts(empty)["tickets"] == 0


def test_backup_without_a_database_says_what_to_check(tmp_path):
    """`backup` before the server ever ran (or with config.toml naming another place) said only "…: tidak ada
    database": nothing to do about it. It says where the database's place is set, and when it is made."""
    cfg = write_config(tmp_path)
    db = load_settings(cfg).server.database
    r = cli("backup", str(tmp_path / "b.db"), "--config", str(cfg))
    python = python_command()
    assert (
        r.returncode == 2
        and r.stdout == ""
        and r.stderr.splitlines()
        == [
            f"kesalahan: {db}: tidak ada database; periksa [server] database di config.toml (dan --config, bila"
            f" diberikan): database dibuat saat server pertama kali dijalankan ({python} -m server serve, atau make run)",
            f"error: {db}: no database; check [server] database in config.toml (and --config, if you gave one): the"
            f" database is made when the server first starts ({python} -m server serve, or make run)",
        ]
    ), r.stderr
    assert not db.exists() and not (tmp_path / "b.db").exists()


def test_a_copy_a_day_once_the_newest_kept_and_a_missing_disk_tried_again(app, client, clock, caplog, monkeypatch):
    """[server] backup_dir: the first minute of each office day makes antrian-DAY.db (the local day: 06:30
    WIB on the 2nd is the 2nd), once; only the newest backup_keep stay. A folder whose disk is not there
    is not made: logged once a day, tried again every 10 minutes."""
    service = app.extensions["antrian"]
    folder = service.settings.server.backup_dir
    assert service.settings.server.backup_keep == 14
    client.post("/api/tickets", json=visitor())
    clock.now = utc(2026, 12, 1, 23, 30)  # 06:30 WIB on 2 December
    assert service.daily_backup() == folder / "antrian-2026-12-02.db"
    assert service.daily_backup() is None  # once a day
    assert snapshot_counts(folder / "antrian-2026-12-02.db")["tickets"] == 1
    assert (folder.stat().st_mode & 0o777, (folder / "antrian-2026-12-02.db").stat().st_mode & 0o777) == (0o700, 0o600)
    for day in range(3, 20):
        clock.now = utc(2026, 12, day, 1)
        assert service.daily_backup() == folder / f"antrian-2026-12-{day:02d}.db"
    assert [p.name for p in daily_backups(folder)] == [f"antrian-2026-12-{d:02d}.db" for d in range(6, 20)]
    (folder / "notes.txt").write_text("kept")  # not a daily copy: never removed
    # A restart on a day whose copy is there makes none.
    service.upkeep._backup_day = None
    assert service.daily_backup() is None and len(daily_backups(folder)) == 14

    gone = folder.parent / "usb" / "antrian"  # the stick not mounted: its mount point is not there
    service.unit.settings = dataclasses.replace(
        service.settings, server=dataclasses.replace(service.settings.server, backup_dir=gone)
    )
    clock.now = utc(2026, 12, 20, 1)
    caplog.set_level("WARNING", logger="antrian.upkeep")
    assert service.daily_backup() is None and service.daily_backup() is None
    assert not gone.parent.exists()
    assert [r.getMessage() for r in caplog.records] == [
        f"daily backup into {gone} failed: {gone.parent} does not exist (a disk not mounted?) (tried again every 10 min)"
    ]
    disk = client.get("/api/staff/state", headers=login(app, client, "rina", "frontoffice")).get_json()["disk"]
    assert disk["backup_failed"] == f"{gone.parent} does not exist (a disk not mounted?)"
    assert disk["message"] == {  # each language its own words, the cause's too
        "id": f"Cadangan harian database gagal: {gone.parent} tidak ada (disk belum terpasang?). Dicoba lagi setiap"
        " 10 menit; periksa disk atau USB cadangan",
        "en": f"The daily backup of the database failed: {gone.parent} does not exist (a disk not mounted?). Tried"
        " again every 10 minutes; check the backup disk or USB stick",
    }
    gone.parent.mkdir()  # an fstab mount point with the stick out: there, empty, no disk on it
    fstab = folder.parent / "fstab"
    fstab.write_text(f"# the stick\nUUID=1234-ABCD {gone.parent} vfat noauto,nofail 0 0\n")
    monkeypatch.setattr("server.service.upkeep.FSTAB", fstab)
    assert service.daily_backup() is None  # not before the 10 minutes
    later = [time.monotonic() + BACKUP_RETRY_SECONDS]
    monkeypatch.setattr(time, "monotonic", lambda: later[0])
    assert service.daily_backup() is None and not gone.exists()  # not made on the PC's own disk
    assert service.disk_status()["backup_failed"] == (
        f"{gone.parent} is empty and no disk is mounted on it (a disk not mounted?)"
    )
    (gone.parent / "LAPORAN.xlsx").write_text("a stick's files")  # the stick is in (here: not empty)
    later[0] += BACKUP_RETRY_SECONDS
    assert service.daily_backup() == gone / "antrian-2026-12-20.db"
    assert service.disk_status()["backup_failed"] is None and service.disk_status()["message"] is None
    assert (folder / "notes.txt").exists()


def test_a_running_server_holds_its_database_restore_and_a_second_server_are_refused(tmp_path):
    from live import LiveServer, free_port

    cfg = write_config(tmp_path)
    db = load_settings(cfg).server.database
    server = LiveServer(cfg).start(timeout=30)
    try:
        # The day's copy, made at the start (in a native thread of the gevent server).
        deadline = time.monotonic() + 30
        while not daily_backups(tmp_path / "backups") and time.monotonic() < deadline:
            time.sleep(0.05)
        (made,) = daily_backups(tmp_path / "backups")
        assert snapshot_counts(made)["tickets"] == 0
        archive.backup(db, tmp_path / "b.db")
        r = cli("restore", str(tmp_path / "b.db"), "--config", str(cfg))
        assert r.returncode == 2 and "stop it first" in r.stderr and f"pid {server.proc.pid}" in r.stderr
        # A second server on the same database (another port) would print every ticket twice.
        second = server_command(["serve", "--config", str(cfg), "--port", str(free_port())], timeout=60)
        assert second.returncode == 2 and second.stderr.splitlines() == [  # the office's language first
            f"kesalahan: server Antrian (pid {server.proc.pid}) sudah berjalan pada database ini (kunci {db}.lock);"
            " cukup satu server untuk satu database: halamannya sudah dapat dibuka di alamat yang dicetaknya saat"
            " mulai; untuk menjalankannya ulang: Ctrl+C di terminalnya lalu jalankan lagi (layanan dari make service:"
            " sudo systemctl restart antrian)",
            f"error: an Antrian server (pid {server.proc.pid}) is already running on this database (lock {db}.lock);"
            " one server per database: its pages are open already at the addresses it printed at its start; to"
            " restart it: Ctrl+C in its terminal, then start it again (the service of make service: sudo systemctl"
            " restart antrian)",
        ], second.stderr
    finally:
        server.stop()
    # Stopped (the kernel dropped the lock with the process): the restore goes through.
    r = cli("restore", str(tmp_path / "b.db"), "--config", str(cfg))
    assert r.returncode == 0, r.stderr


def test_a_server_killed_with_sigkill_leaves_no_stale_lock(tmp_path):
    from live import LiveServer

    cfg = write_config(tmp_path)
    server = LiveServer(cfg).start(timeout=30)
    server.proc.kill()
    server.proc.wait(10)
    assert serverlock.holder(load_settings(cfg).server.database) is None
    LiveServer(cfg).start(timeout=30).stop()  # and the next one starts


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100])
def test_restore_refuses_a_file_that_is_not_an_antrian_database(tmp_path, content):
    bad = tmp_path / "bad.db"
    bad.write_bytes(content)
    target = tmp_path / "antrian.db"
    with pytest.raises(archive.ArchiveError):
        archive.restore(bad, target)
    assert not target.exists() or target.stat().st_size == 0


def test_an_empty_folder_is_refused_for_the_backup_only_where_disks_are_mounted(tmp_path, monkeypatch):
    """/home/lpse/cadangan, empty, is a folder like any other; an empty /mnt/usb (or a mount point of
    /etc/fstab) with no disk on it is a stick that is out."""
    from server.service import upkeep

    plain, media, listed = (tmp_path / name for name in ("cadangan", "media", "usb"))
    for folder in (plain, media / "lpse", listed):
        folder.mkdir(parents=True)
    fstab = tmp_path / "fstab"
    fstab.write_text(f"/dev/sdb1 {listed} vfat noauto 0 0\n")
    monkeypatch.setattr(upkeep, "FSTAB", fstab)
    monkeypatch.setattr(upkeep, "REMOVABLE_ROOTS", (media,))
    upkeep._check_backup_parent(plain)  # no error
    for folder in (media / "lpse", listed):
        with pytest.raises(archive.ArchiveError, match="is empty and no disk is mounted on it"):
            upkeep._check_backup_parent(folder)
    (listed / "LAPORAN.xlsx").write_text("x")  # the stick is in
    upkeep._check_backup_parent(listed)
