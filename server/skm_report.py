"""The SKM report as files: CSV (its sections one under the other) and XLSX in the customary layout of an
SKM report (the element table, the index, the population and sample, per service and counter, the
respondent profile, the questionnaire's wordings the answers were given under; the suggestions and the
anonymous data table on sheets of their own). The words are the catalogue's (`skm.*`, Indonesian); cells
that a spreadsheet would run as formulas are text."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from server import skm, xlsx
from server.i18n import t
from server.reports import _cell, period_id, print_on_a4


def _element_name(code: str) -> str:
    return t(f"skm.element.{code.lower()}")


def _choice_name(item: str, code: str) -> str:
    if code == skm.UNKNOWN:
        return t("skm.unknown")
    return t(f"skm.{item}.{code.lower()}")


def _kinerja(summary: dict[str, Any]) -> str:
    return t(f"skm.kinerja.{summary['mutu'].lower()}") if summary.get("mutu") else ""


def wording_label(wording_id: int | None, lang: str = "id") -> str:
    """A wording as the report names it: "teks 2" (its id), or "teks yang tidak tercatat"."""
    return t("skm.wording.label", lang, n=wording_id) if wording_id is not None else t("skm.wording.unrecorded", lang)


def _zone(tz: tzinfo | str) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def wording_since(set_at: str | None, tz: tzinfo | str, lang: str = "id") -> str:
    """When a wording came in use, in the office's time: "15 November 2026 10.30" ("sejak awal": always)."""
    from shared.dates import long_datetime

    if not set_at:
        return t("skm.wording.since_start", lang)
    return long_datetime(datetime.fromisoformat(set_at).astimezone(_zone(tz)), lang)


def wording_note(summary: dict[str, Any], tz: tzinfo | str, lang: str = "id") -> str | None:
    """One sentence for a period whose answers were given under more than one wording, different in some
    element (None otherwise):
    "Kuesioner diubah pada 15 November 2026 10.30 (U4): 12 jawaban dengan teks 1, 5 jawaban dengan teks 2.
    Teks yang berbeda tertera pada unsurnya." """
    listed = summary.get("wordings") or []
    changes = [
        t(
            "skm.wording.change",
            lang,
            when=wording_since(w["set_at"], tz, lang),
            elements=", ".join(w["changed"]) if w["changed"] is not None else "?",
        )
        for w in listed[1:]
        if w["changed"] != []  # a wording put back as it was before is no change between these answers
    ]
    if not changes:
        return None
    joined = (
        changes[0] if len(changes) == 1 else f"{', '.join(changes[:-1])} {t('skm.wording.and', lang)} {changes[-1]}"
    )
    counts = ", ".join(
        # "1 answer under wording 2", as cli.py says "1 row"
        t(
            "skm.wording.count.one" if w["responses"] == 1 else "skm.wording.count",
            lang,
            n=w["responses"],
            wording=wording_label(w["id"], lang),
        )
        for w in listed
    )
    return t("skm.wording.note", lang, changes=joined, counts=counts)


def _wording_rows(summary: dict[str, Any], tz: tzinfo | str, question_first: bool = False) -> list[list[Any]]:
    """The wordings section: each wording the answers were given under (when it came in use, who set it,
    the elements that differ from the one before, its respondents and days), then each element's
    question and four choices as asked, once per different text. `question_first`: the question before the
    wordings that asked it (the XLSX, where the second column is the wide one)."""
    rows: list[list[Any]] = [[t("skm.wordings")]]
    heads = ("wording", "since", "by", "differs", "respondents", "first_day", "last_day")
    rows.append([t(f"skm.header.{k}") for k in heads])
    for w in summary.get("wordings") or []:
        label = wording_label(w["id"])
        if w["model"]:
            label += f" ({t('skm.wording.model')})"
        differs = ", ".join(w["changed"]) if w["changed"] else "" if w["changed"] is not None else "?"
        rows.append(
            [
                label,
                wording_since(w["set_at"], tz) if w["id"] is not None else "",
                w["by"] or "",
                differs,
                w["responses"],
                w["first_day"],
                w["last_day"],
            ]
        )

    def ordered(element: Any, wording: Any, question: Any) -> list[Any]:
        return [element, question, wording] if question_first else [element, wording, question]

    rows.append(
        ordered(t("skm.header.element"), t("skm.header.wording"), t("skm.header.question"))
        + [t("skm.header.choice", score=score) for score in skm.SCORES]
    )
    for e in summary["elements"]:
        for x in e.get("texts") or []:
            label = ", ".join(wording_label(i) for i in x["wordings"]) or t("skm.wording.current")
            rows.append([*ordered(e["code"], label, x["question"]["id"]), *(c["id"] for c in x["choices"])])
    return rows


# The decimals each figure is shown with, on the page and in the XLSX's number formats (docs/skm.md,
# "Rounding"): the NRR and weighted NRR three, the IKM unit four, the converted IKM two (as the
# regulation's table of grades reads it), a profile's share (a percentage) one.
PLACES = {"nrr": 3, "weighted": 3, "ikm_unit": 4, "ikm": 2, "share": 1}


def _plain(value: Any, kind: str) -> Any:
    """A figure as the CSV writes it: the number as it is (a program reads "3.26", not "3,260")."""
    return value


def _sections(
    summary: dict[str, Any], tz: tzinfo | str, num: Callable[[Any, str], Any] = _plain, question_first: bool = False
) -> list[list[Any]]:
    """The report as rows of cells, section after section (the CSV, and the XLSX's first sheet). `num(value,
    kind)` is each figure's cell (kind a key of PLACES): the XLSX gives it its number format; `question_first`,
    _wording_rows'."""
    rows: list[list[Any]] = [[t("skm.elements")]]
    rows.append([t(f"skm.header.{k}") for k in ("element", "name", "sum", "answers", "nrr", "weighted")])
    for e in summary["elements"]:
        code = e["code"]
        rows.append(
            [
                code,
                _element_name(code),
                e["sum"],
                e["answers"],
                num(summary["nrr"][code], "nrr"),
                num(summary["nrr_weighted"][code], "weighted"),
            ]
        )
    rows.append([])
    rows.append([t("skm.ikm_unit"), num(summary["ikm_unit"], "ikm_unit")])
    rows.append([t("skm.ikm"), num(summary["ikm"], "ikm")])
    rows.append([t("skm.mutu"), summary["mutu"] or ""])
    rows.append([t("skm.kinerja"), _kinerja(summary)])
    rows.append([t("skm.respondents"), summary["respondents"]])
    rows.append([t("skm.population"), summary["population"]])
    rows.append([t("skm.min_sample"), summary["min_sample"]])
    for title, entries, key in (
        ("skm.by_service", summary["by_service"], "service_name"),
        ("skm.by_counter", summary["by_counter"], "counter_name"),
    ):
        rows.append([])
        rows.append([t(title)])
        head = "skm.header.service" if key == "service_name" else "skm.header.counter"
        rows.append(
            [
                t(head),
                t("skm.respondents"),
                t("skm.population"),
                t("skm.min_sample"),
                *skm.ELEMENTS,
                t("skm.ikm"),
                t("skm.mutu"),
            ]
        )
        for g in entries:
            rows.append(
                [
                    g[key] or "-",
                    g["respondents"],
                    g["population"],
                    g["min_sample"],
                    *(num(g["nrr"][c], "nrr") for c in skm.ELEMENTS),
                    num(g["ikm"], "ikm"),
                    g["mutu"] or "",
                ]
            )
    rows.append([])
    rows.append([t("skm.profile")])
    for item, entries in summary["profile"].items():
        rows.append([t(f"skm.profile.{item}"), t("skm.header.count"), t("skm.header.share")])
        for r in entries:
            # "Persentase": a percentage (25.0), as the page shows it, not the fraction (0.25 read as 0.25 %),
            # computed from the counts (skm.percent), not from the 4-decimal `share` rounded again; none: "—"
            pct = skm.percent(r["count"], summary["respondents"])
            share = "—" if pct is None else num(float(pct), "share")
            rows.append([_choice_name(item, r["code"]), r["count"], share])
    rows.append([])
    rows.extend(_wording_rows(summary, tz, question_first))
    return rows


def _answer(suggestion: dict[str, Any]) -> str:
    """The office's reply to a suggestion, or that it was closed as needing none (praise), or that it is not
    answered yet, as the page says each ("Belum dijawab": a blank cell could be read as a reply lost)."""
    if suggestion["answer"]:
        return suggestion["answer"]
    return t("skm.closed_no_reply") if suggestion.get("closed_at") else t("skm.page.not_answered")


def skm_csv(summary: dict[str, Any], tz: tzinfo | str, office_name: str) -> bytes:
    """The SKM as CSV, UTF-8 with a BOM: title, office, period (and the note of a changed questionnaire),
    the report's sections, then the suggestions, as the XLSX's SKM sheet has them (a report of sections
    one under the other, not one table: the office's line is one more line of its head; the recap's CSV,
    one table, has its header in the first line and no such lines). `tz`: the office's, for when a
    wording came in use. The figures are plain numbers ("3.26"), for a program to read."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([t("skm.title")])
    writer.writerow([_cell(office_name)])
    writer.writerow([t("skm.period", period=period_id(summary["from"], summary["to"]))])
    note = wording_note(summary, tz)
    if note:
        writer.writerow([_cell(note)])
    for row in _sections(summary, tz):
        writer.writerow([_cell(v) for v in row])
    writer.writerow([])
    writer.writerow([t("skm.suggestions")])
    writer.writerow([t(f"skm.header.{k}") for k in ("no", "day", "service", "text", "answer")])
    for i, s in enumerate(summary["suggestions"], start=1):
        writer.writerow([i, s["day"], _cell(s["service_name"]), _cell(s["text"]), _cell(_answer(s))])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


# The most lines of a suggestion or an answer in one row of the Saran sheet (375 points: xlsx.PART_LINES).
_PART_LINES = xlsx.PART_LINES


def skm_xlsx(
    summary: dict[str, Any],
    scores: Iterable[tuple[Any, ...]],
    office_name: str,
    counter_name: Callable[[Any], str],
    tz: tzinfo | str,
) -> bytes:
    """The SKM as an Excel workbook: sheet SKM (the report, with the note of a changed questionnaire under
    the period), Saran (suggestions and complaints with their answers), Data (each response's nine scores,
    no names); A4 landscape, as wide as the page. Each sheet's head (title, office, period) stays on screen
    when scrolling, and on Saran and Data the columns' headings too (printed atop every page). The figures
    are numbers with the decimals the page shows (PLACES: NRR 3,260, IKM 84,89 in an Indonesian
    spreadsheet). `tz`: the office's, for when a wording came in use."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Alignment, Font

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def cell(ws: Any, value: Any, **style: Any) -> Any:
        c = WriteOnlyCell(ws, value=value)
        if isinstance(value, str):
            c.data_type = "s"  # text stays text: "=..." typed by a visitor never becomes a formula
        for k, v in style.items():
            setattr(c, k, v)
        return c

    class Rows:
        """A sheet's rows, each as tall as its wrapped texts: LibreOffice takes a row's height from the file and
        does not grow it for a wrapped text (the Saran sheet's suggestions were printed over each other), as
        the recap's rows (server/xlsx.py wrapped_height counts the lines)."""

        def __init__(self, ws: Any, widths: tuple[float, ...]):
            self.ws, self.widths, self.count = ws, widths, 0
            for n, width in enumerate(widths):
                ws.column_dimensions[xlsx.column_letter(n)].width = width

        def append(self, cells: list[Any]) -> None:
            self.count += 1
            texts = [
                (c.value, self.widths[n], bool(c.font.b), c.font.sz or 11)
                for n, c in enumerate(cells[: len(self.widths)])
                if isinstance(c, Cell) and isinstance(c.value, str) and c.alignment.wrap_text
            ]
            height = xlsx.wrapped_height(texts)
            if height:
                self.ws.row_dimensions[self.count].height = height
            self.ws.append(cells)

    def head(rows: Rows, title: str, frozen: int) -> None:
        """The sheet's first lines; `frozen` of them stay on screen when scrolling."""
        ws = rows.ws
        print_on_a4(ws, landscape=True)
        # "Halaman 2 dari 7" at each printed page's foot, right, as the recap's, guest book's and figures' workbooks
        ws.oddFooter.right.text = xlsx.footer_code(t("page.recap.page_of"))
        ws.freeze_panes = f"A{frozen + 1}"
        rows.append([cell(ws, title, font=Font(bold=True, size=14))])
        rows.append([cell(ws, office_name, font=Font(bold=True, size=12))])
        rows.append([cell(ws, t("skm.period", period=period_id(summary["from"], summary["to"])))])
        rows.append([])

    # The report's columns serve every section: the element and its name (A, B), then the per-service and
    # per-counter tables' respondents, population, sample, U1–U9, IKM and grade. Every text of a row of more
    # than one cell wraps (a service's name of 100 characters, "Populasi (pengunjung yang dilayani)", a question
    # of 500 and its choices of 100: the wordings' questions go in B, the wide one); E and G hold a wording's
    # first and last day ("2026-11-28") on one line.
    report = Rows(wb.create_sheet(t("skm.sheet.report")), (24, 40, 14, 14, 12, 16, 13, 8, 8, 8, 8, 8, 10, 10, 16))
    head(report, t("skm.title"), 3)  # title, office, period: the sections below have headings of their own
    note = wording_note(summary, tz)
    if note:
        report.append([cell(report.ws, note, font=Font(italic=True))])
        report.append([])
    formats = {kind: "0." + "0" * places for kind, places in PLACES.items()}

    def num(value: Any, kind: str) -> Any:
        return cell(report.ws, value, number_format=formats[kind])

    headings = {t("skm.elements"), t("skm.by_service"), t("skm.by_counter"), t("skm.profile"), t("skm.wordings")}
    top = Alignment(vertical="top")  # a figure beside a name of several lines stands at its first line
    for row in _sections(summary, tz, num, question_first=True):
        styled = row and isinstance(row[0], str) and (row[0] in headings or len(row) == 1)
        cells = [
            v if isinstance(v, Cell) else cell(report.ws, v, font=bold) if styled else cell(report.ws, v) for v in row
        ]
        if len(cells) > 1:  # a line of its own runs on over the empty cells beside it
            for c in cells:
                c.alignment = wrap if isinstance(c.value, str) else top
        report.append(cells)

    # A suggestion or an answer longer than a row may be tall (or a page, 25 lines) goes on in the rows under it.
    saran = Rows(wb.create_sheet(t("skm.sheet.suggestions")), (6, 12, 24, 60, 60))
    head(saran, t("skm.suggestions"), 5)  # down to the columns' headings
    saran.ws.print_title_rows = "5:5"
    saran.append([cell(saran.ws, t(f"skm.header.{k}"), font=bold) for k in ("no", "day", "service", "text", "answer")])
    chars = (xlsx.line_chars(saran.widths[3]), xlsx.line_chars(saran.widths[4]))
    for i, s in enumerate(summary["suggestions"], start=1):
        text, answer = (xlsx.text_parts(v, n, _PART_LINES) for v, n in zip((s["text"], _answer(s)), chars, strict=True))
        for part in range(max(len(text), len(answer))):
            cells = [
                cell(saran.ws, i, alignment=top),
                cell(saran.ws, date.fromisoformat(s["day"]), number_format="DD/MM/YYYY", alignment=top),
            ]
            cells.append(cell(saran.ws, s["service_name"], alignment=wrap))
            if part:
                cells = [cell(saran.ws, None) for _ in cells]
            for values in (text, answer):
                cells.append(cell(saran.ws, values[part] if part < len(values) else None, alignment=wrap))
            saran.append(cells)

    data = Rows(wb.create_sheet(t("skm.sheet.data")), (6, 12, 30, 24, *(5,) * len(skm.ELEMENTS)))
    head(data, t("skm.data"), 5)
    data.ws.print_title_rows = "5:5"
    data.append(
        [
            cell(data.ws, v, font=bold)
            for v in (
                t("skm.header.no"),
                t("skm.header.day"),
                t("skm.header.service"),
                t("skm.header.counter"),
                *skm.ELEMENTS,
            )
        ]
    )
    # names an admin typed: a leading = + - @ would make the plain value a formula
    names = {s["service"]: _cell(s["service_name"]) for s in summary["by_service"]}
    counters: dict[Any, str] = {}
    tall: dict[tuple[str, str], bool] = {}
    for i, (day, service, counter_id, *values) in enumerate(scores, start=1):
        if counter_id not in counters:
            counters[counter_id] = _cell(counter_name(counter_id) or "")
        where = (names.get(service) or _cell(service), counters[counter_id])
        if where not in tall:  # a name of more than a line: the row's cells at its top, beside its first line
            tall[where] = (
                xlsx.wrapped_height(zip(where, data.widths[2:4], (False, False), (11, 11), strict=True)) is not None
            )
        row = [i, cell(data.ws, date.fromisoformat(day), number_format="DD/MM/YYYY"), *where, *values]  # a date
        if tall[where]:
            row = [
                cell(data.ws, v, alignment=wrap if isinstance(v, str) else top) if not isinstance(v, Cell) else v
                for v in row
            ]
            row[1].alignment = top
        data.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
