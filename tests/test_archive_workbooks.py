"""The month's workbooks as an office PC opens them: a wrapped cell's row is as tall as its lines.

LibreOffice (7.4, the Debian office PC's) takes a row's height from the file and does not grow it for a
wrapped text: the recap's and the guest book's rows had the default one line, their problems, solutions,
addresses and services printed over the next rows or cut (checked by converting the month's archive to PDF
with `soffice --convert-to pdf`), and the figures' headings ("Standar SOP (menit)") showed one word in three."""

from __future__ import annotations

import io
import math
import zipfile
from datetime import UTC, datetime

from conftest import visitor
from openpyxl import load_workbook

from server import archive, figures, reports, xlsx
from server.service import Kind

LINE = 15  # points: one line of Calibri 11, the workbooks' default row


def went_on_below(values: list[list], texts: dict[int, str]) -> None:
    """The first record's long texts (column: text) went on in the rows under it, up to the next record (the last row):
    a part's row holds those texts' parts and nothing else, each text whole across its parts, the first one in more
    than one row."""
    parts = values[1:-1]
    assert parts
    for r in parts:
        assert [v for n, v in enumerate(r) if n not in texts] == [None] * (len(r) - len(texts)), r

    def bare(pieces):  # the space or line break where a part ends is the row's end
        return "".join("".join(t for t in pieces if t).split())

    for column, text in texts.items():
        assert bare(r[column] for r in values[:-1]) == bare([text]), column
    first = min(texts)
    assert sum(r[first] is not None for r in values[:-1]) > 1  # the text itself took more than one row


def least_lines(text: str, width: float) -> int:
    """The fewest lines `text` takes in a column `width` characters wide, however narrow the font: every
    character as wide as a "0" (the width's unit), each line filled to the last character."""
    return sum(max(1, math.ceil(len(part) / width)) for part in text.split("\n"))


def check_heights(sheet, widths, first_row: int) -> int:
    """Every row from `first_row` on is tall enough for its longest text cell; returns how many needed more
    than one line."""
    return check_heights_of(sheet, widths, sheet.iter_rows(min_row=first_row))


def check_heights_of(sheet, widths, rows) -> int:
    """check_heights of the given rows."""
    tall = 0
    for row in rows:
        lines = max(
            (least_lines(c.value, widths[c.column - 1]) for c in row if isinstance(c.value, str) and c.value),
            default=1,
        )
        height = sheet.row_dimensions[row[0].row].height or LINE
        assert height >= lines * LINE, (row[0].row, lines, height, [c.value for c in row])
        tall += lines > 1
    return tall


def test_the_archives_workbooks_rows_are_as_tall_as_their_wrapped_texts(app, clock, tmp_path):
    service = app.extensions["antrian"]
    problem = "Gagal mengunggah dokumen penawaran menjelang batas waktu; " * 4
    solution = "Ukuran berkas melebihi batas.\nBerkas dipecah dan dikompres lalu diunggah ulang.\nSelesai."
    clock.now = datetime(2026, 11, 2, 2, tzinfo=UTC)
    for name, form, done in (
        ("Tamu Pendek", {}, "Reset."),
        ("Tamu Panjang", {"problem": problem, "service": "B", "address": "Jl. Sudirman No. 12, " * 3}, solution),
    ):
        assert service.issue(visitor(name=name, **form)).kind is Kind.CREATED
        counter = 1 if form.get("service", "A") == "A" else 3
        for action, payload in (("call-next", {}), ("start", {}), ("resolve", {"solution": done})):
            clock.advance(minutes=3)
            assert service.counter_action(counter, action, payload, "budi").kind is Kind.DONE
    made = archive.make_month_archive(service.store, "2026-11", "LPSE Kabupaten Contoh", tmp_path)
    with zipfile.ZipFile(made.path) as zf:
        recap = load_workbook(io.BytesIO(zf.read("rekap-2026-11.xlsx"))).active
        guests = load_workbook(io.BytesIO(zf.read("bukutamu-2026-11.xlsx"))).active

    widths = list(reports.XLSX_WIDTHS.values())
    assert check_heights(recap, widths, 6) == 1  # the long one; the short one keeps the default row
    assert recap.row_dimensions[6].height is None
    assert check_heights(guests, list(reports.GUESTBOOK_XLSX_WIDTHS.values()), 5) == 1  # its address, its service


def test_the_recaps_longest_problem_and_solution_go_on_below_whole(app, clock, tmp_path):
    """The month's recap in the archive (rekap-2026-11.xlsx, the SOP's record the head signs; the page's XLSX is
    the same writer): a row may be 409 points at most, so a problem of 2,000 characters (the form's most) and a
    solution of 4,000 were cut at the row's foot, in LibreOffice (its PDF of a month ended the problem at "aplikasi
    SPSE menampilkan") and Excel alike. They go on in the rows under it, as the complaints' workbook's: No, the
    day, the name and every other short cell only in the first; the next consultation in the row after the last
    part, No 2."""
    from server import forms

    service = app.extensions["antrian"]
    clock.now = datetime(2026, 11, 2, 2, tzinfo=UTC)
    problem = ("Dokumen penawaran gagal diunggah ke SPSE menjelang batas waktu; pesan galat muncul berulang. " * 30)[
        : forms.LIMITS["problem"]
    ]
    solution = (
        "Berkas diperiksa.\nUkuran berkas dipecah dan dikompres, lalu diunggah ulang dengan peramban lain. " * 50
    )[: forms.LIMITS["solution"]]
    for form, done in (({"problem": problem}, solution), ({"name": "Tamu Pendek"}, "Reset.")):
        assert service.issue(visitor(**form)).kind is Kind.CREATED
        for action, payload in (("call-next", {}), ("start", {}), ("resolve", {"solution": done})):
            clock.advance(minutes=3)
            assert service.counter_action(1, action, payload, "budi").kind is Kind.DONE
    made = archive.make_month_archive(service.store, "2026-11", "LPSE Kabupaten Contoh", tmp_path)
    with zipfile.ZipFile(made.path) as zf:
        recap = load_workbook(io.BytesIO(zf.read("rekap-2026-11.xlsx"))).active

    widths = list(reports.XLSX_WIDTHS.values())
    rows = list(recap.iter_rows(min_row=6))
    check_heights_of(recap, widths, rows)  # every part's row tall enough for its text
    assert all((recap.row_dimensions[r[0].row].height or LINE) <= xlsx.MAX_ROW_POINTS for r in rows)
    values = [[c.value for c in r] for r in rows]
    assert values[0][0] == 1 and values[0][1] == visitor()["name"] and values[0][6] == datetime(2026, 11, 2)
    assert values[-1][0] == 2 and values[-1][1] == "Tamu Pendek"  # the next consultation, after the last part
    went_on_below(values, {3: problem, 4: solution})  # the problem and the solution, nothing else in their parts


def test_the_figures_headings_and_a_long_service_name_are_whole(app, clock):
    """The figures' XLSX of a month per service: its wrapped headings ("Standar SOP (menit)", "% dalam standar")
    and a service named "Konsultasi Non-Penyedia (PPK/Pokja/PP)" (cut at "(PPK/Pokja/P" by the next column)."""
    service = app.extensions["antrian"]
    clock.now = datetime(2026, 11, 2, 2, tzinfo=UTC)
    assert service.issue(visitor(service="B")).kind is Kind.CREATED
    for action, payload in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Dijelaskan."})):
        clock.advance(minutes=3)
        assert service.counter_action(3, action, payload, "budi").kind is Kind.DONE
    data = service.figures("2026-11-01", "2026-11-30", "service")
    sheet = load_workbook(io.BytesIO(figures.figures_xlsx(data, "LPSE Kabupaten Contoh"))).active
    assert sheet.cell(5, 1).value == "Konsultasi Non-Penyedia (PPK/Pokja/PP)"
    assert check_heights(sheet, list(figures.XLSX_WIDTHS), 4) == 1 + 6  # the headings, the service's six rows


def test_the_skm_workbooks_long_texts_are_whole(app):
    """The SKM workbook (openpyxl) had no wrapped text on its SKM sheet and no row heights on any: in
    LibreOffice a 100-character service's name was cut at "Konsultasi Non-Penyedia (PPK", every question of
    the questionnaire at "Bagaimana pend", "Populasi (pengunjung yang dilayani)" at "Populasi (pengunj", and a
    suggestion of 2,000 characters and its answer were printed over the rows under them."""
    from server import skm_report

    service = app.extensions["antrian"]
    summary = service.survey.skm("2026-11-28", "2026-11-28", None, None)
    name = "Konsultasi Non-Penyedia (PPK/Pokja/PP) serta Pendampingan Penyusunan Dokumen Pemilihan Barang/Jasa"
    for group in summary["by_service"]:
        group["service_name"] = name
    u1 = summary["elements"][0]["texts"][0]
    u1["question"]["id"] = ("Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan? " * 8)[:500]
    for choice in u1["choices"]:
        choice["id"] = ("Sangat sesuai dengan kebutuhan dan mudah dipenuhi oleh penyedia " * 2)[:100]
    text = ("Mohon agar layanan helpdesk menambah petugas pada jam sibuk karena antrean panjang; " * 25)[:2000]
    answer = ("Terima kasih atas masukan Bapak/Ibu. Kami telah menambah satu petugas pada jam sibuk.\n" * 50)[:4000]
    summary["suggestions"] = [
        {"day": "2026-11-28", "service": "B", "service_name": name, "text": text, "answer": answer}
    ]
    scores = [("2026-11-28", "B", 1, *[3] * 9)]
    book = load_workbook(
        io.BytesIO(skm_report.skm_xlsx(summary, scores, "LPSE", lambda _: "Loket 1 " + "x" * 90, "UTC"))
    )
    for sheet, first in ((book["SKM"], 5), (book["Saran"], 6), (book["Data"], 6)):
        widths = [sheet.column_dimensions[xlsx.column_letter(i)].width for i in range(sheet.max_column)]
        # a row that is one cell (a heading, the note) runs on over the empty cells beside it, unwrapped
        rows = [r for r in sheet.iter_rows(min_row=first) if sum(c.value is not None for c in r) > 1]
        for row in rows:
            for c in row:
                if isinstance(c.value, str) and least_lines(c.value, widths[c.column - 1]) > 1:
                    assert c.alignment.wrap_text, (sheet.title, c.coordinate, c.value)
        assert check_heights_of(sheet, widths, rows) > 0, sheet.title
        assert all((sheet.row_dimensions[r[0].row].height or LINE) <= xlsx.MAX_ROW_POINTS for r in rows)
    shown = [c.value for c in book["SKM"]["B"] if isinstance(c.value, str)]
    assert u1["question"]["id"] in shown  # the question in the wide column B
    # the suggestion and its answer, longer than a row may be tall, go on in the rows under them, whole
    saran = list(book["Saran"].iter_rows(min_row=6, values_only=True))
    assert len(saran) > 1 and saran[0][:3] != (None, None, None) and all(r[:3] == (None, None, None) for r in saran[1:])

    def bare(parts):  # the space or line break where a part ends is the row's end
        return "".join("".join(parts).split())

    assert bare(r[3] for r in saran if r[3]) == bare([text]) and bare(r[4] for r in saran if r[4]) == bare([answer])


def test_the_complaints_workbooks_longest_complaint_and_answer_go_on_below_whole(app, clock):
    """The complaints' XLSX (GET /api/complaints?format=xlsx): a row may be 409 points at most, so a
    complaint of 2,000 characters and its answer of 4,000 (the most each may be) were cut at the row's foot,
    in LibreOffice and Excel alike. They go on in the rows under it, as the SKM's Saran sheet's: the number,
    times and other short cells only in the first; the next complaint in the row after the last part."""
    from server.service import survey

    service = app.extensions["antrian"]
    clock.now = datetime(2026, 11, 2, 2, tzinfo=UTC)
    text = ("Mohon agar layanan helpdesk menambah petugas pada jam sibuk karena antrean panjang; " * 25)[
        : survey.SUGGESTION_MAX
    ]
    answer = ("Terima kasih atas masukan Bapak/Ibu.\nKami telah menambah satu petugas pada jam sibuk. " * 50)[
        : survey.ANSWER_MAX
    ]
    ids = []
    for suggestion in (text, "Parkir sempit"):
        ticket = service.issue(visitor()).body["ticket"]
        for action in ("call-next", "start", "resolve"):
            payload = {"solution": "Reset"} if action == "resolve" else {}
            assert service.counter_action(1, action, payload, "sari").kind is Kind.DONE
        body = {"token": ticket["token"], "answers": {f"U{i}": 3 for i in range(1, 10)}, "suggestion": suggestion}
        ids.append(service.survey.submit(body).body["survey"]["response"]["id"])
    assert service.survey.answer_complaint(str(ids[0]), {"answer": answer}, "budi").kind is Kind.DONE
    listed = {c["id"]: c for c in service.survey.complaints()}
    assert (listed[ids[0]]["text"], listed[ids[0]]["answer"]) == (text, answer)  # kept whole, as typed

    data = service.survey.complaint_file("all", "2026-11-01", "2026-11-30", "received", "xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    widths = [sheet.column_dimensions[xlsx.column_letter(i)].width for i in range(sheet.max_column)]
    rows = list(sheet.iter_rows(min_row=6))
    assert check_heights_of(sheet, widths, rows) == len(rows) - 1  # every part's row tall enough; not the short one
    assert all((sheet.row_dimensions[r[0].row].height or LINE) <= xlsx.MAX_ROW_POINTS for r in rows)
    values = [[c.value for c in r] for r in rows]
    assert values[0][0] == 1 and values[0][3] and values[0][5] == "Dijawab" and values[0][7]
    assert values[-1][0] == 2 and values[-1][4] == "Parkir sempit"  # the next complaint, after the last part
    went_on_below(values, {4: text, 6: answer})  # the complaint and the answer, nothing else in their parts
