"""The recap (Rekap Penanganan Permasalahan): the seed's six columns, then the day, ticket and officer; and the
guest book (buku tamu): every visitor who took a number, and what became of the visit."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from server import core, xlsx
from server.errors import Coded, too_long
from server.forms import LIMITS, parse_day
from server.i18n import t

# The recap is Indonesian (the SOP's form); its words are in the one catalogue (server/i18n/id.json,
# keys `recap.*`). The headings are also the keys of a recap row (and of the JSON export's rows).
SOP_COLUMNS = tuple(t(f"recap.header.{k}") for k in ("no", "name", "address", "problem", "solution", "remarks"))
# After the SOP's six, in every format: a recap of several days needs each row's (local) day, and
# the ticket label and officer tie a row to the queue and to who signed the form.
EXTRA_COLUMNS = tuple(t(f"recap.header.{k}") for k in ("day", "label", "officer"))
RECAP_COLUMNS = SOP_COLUMNS + EXTRA_COLUMNS
NO, NAME, ADDRESS, PROBLEM, SOLUTION, REMARKS, DAY, LABEL, OFFICER = RECAP_COLUMNS
OUTCOME_NAMES = {status: t(f"recap.outcome.{status}") for status in (core.RESOLVED, core.ESCALATED, core.CLOSED)}
# served, then transferred, and never served at the new service (core.partly_served)
# (its row names where it was sent: keterangan, with the services of "recap.outcome.transferred_<status>")
OUTCOME_NAMES[core.PARTLY_SERVED] = t("recap.outcome.transferred")  # the filter's name for those rows, together
# The problem categories by the names the staff pages show (in Indonesian, as the whole recap).
CATEGORY_NAMES = {code: t(f"staff.category.{code}") for code in core.CATEGORIES}


def category_name(code: str | None, none: str = "") -> str:
    """A ticket's kind of problem by its Indonesian name, as the recap, the form copies and the escalation mail
    say it ("pengaduan" -> "Pengaduan"); `none` when none was chosen, a code it does not know as it is."""
    return CATEGORY_NAMES.get(code, code) if code else none


MAX_RANGE_DAYS = 3660  # `to` at most this many days after `from`
_DAY_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def check_range(day_from: object, day_to: object) -> dict[str, str]:
    """Field problems of a from/to pair of YYYY-MM-DD days (empty when fine), as the report routes answer them
    (the recap, the guest book, the figures, the SKM report, the complaints), each saying what is wrong and
    what is accepted: `day_required` (missing), `day_format` (not written YYYY-MM-DD), `day_unknown` (no such
    day: 2026-02-30), and at `to` `range_reversed` (before `from`) or `range_too_long` (more than
    MAX_RANGE_DAYS days after `from`, saying the last day it may be). The report pages key their own words
    on which of from/to is named (counter.range_problems, complaints.js)."""
    bad: dict[str, str] = {}
    parsed = {}
    for key, value in (("from", day_from), ("to", day_to)):
        if not value:
            bad[key] = "day_required"
            continue
        day = parse_day(value)  # exactly YYYY-MM-DD: no week (2026-W49-2), ordinal or compact dates
        if day is not None:
            parsed[key] = day
        elif isinstance(value, str) and _DAY_SHAPE.fullmatch(value):
            bad[key] = Coded("day_unknown", day=value)  # 2026-02-30, month 13, year 0
        else:
            bad[key] = "day_format"
    if bad:
        return bad
    start, end = parsed["from"], parsed["to"]
    if end < start:
        bad["to"] = Coded("range_reversed", start=day_from, end=day_to)
    elif (end - start).days > MAX_RANGE_DAYS:
        last = (start + timedelta(days=MAX_RANGE_DAYS)).isoformat()
        bad["to"] = Coded("range_too_long", max=MAX_RANGE_DAYS, days=(end - start).days, last=last)
    return bad


def transfer_remark(row: dict[str, Any], services: dict[str, str] | None = None, counters: Any = None) -> str:
    """For a visitor sent on from another counter (its "Alihkan") and served at the service it was sent to,
    where from: "Dialihkan dari Loket 1 / Konsultasi Penyedia" (the counter that sent it, then the service it
    was served at there; several transfers ", lalu dari …"). `services` ({code: name}) and `counters`
    ({id: name}) name them as the settings do: a service by its code and a counter left out when not there
    (since removed, or no names given). "" for a ticket never transferred, and for one never served at the
    service it was sent to: its outcome already says where it was transferred (sent_to_outcome)."""
    if row["status"] not in core.SERVED or not row.get("transferred_from"):
        return ""
    moves = json.loads(row["transfers"]) if row.get("transfers") else []
    if not moves:  # its transfers' events not there: the last one, as the row has it
        moves = [[row["transferred_from"], row.get("service"), None]]
    services, counters = services or {}, counters or {}
    places = []
    for move in moves:
        service = services.get(move[0] or "", move[0] or "")
        counter = None if move[2] is None else counters.get(move[2]) or counters.get(str(move[2]))
        places.append(f"{counter} / {service}" if counter else service)
    return t("recap.transferred_from", places=t("recap.transferred_from_then").join(places))


def sent_to_outcome(row: dict[str, Any], services: dict[str, str] | None = None) -> str:
    """The outcome of a visitor served, then transferred and never served at the service it was sent to, naming
    where it was sent, by the names in the settings (a service since removed: its code): "Dialihkan ke Konsultasi
    Penyedia, tidak hadir saat dipanggil di sana"; several transfers "Dialihkan ke A, lalu ke B, …". It read
    "Dialihkan ke layanan lain, …", and the head of the office could not tell where the visitor went."""
    moves = json.loads(row["transfers"]) if row.get("transfers") else []
    sent_to = [move[1] for move in moves if move[1]]
    if not sent_to:  # its transfers' events not there: the last one, as the row has it
        sent_to = [row.get("service") or ""]
    names = services or {}
    places = t("recap.sent_to_then").join(names.get(code, code) for code in sent_to)
    if row["status"] == core.CANCELLED and row.get("cancel_reason"):  # why, as the front office said it
        return t("recap.outcome.transferred_cancelled_reason", services=places, reason=row["cancel_reason"])
    return t(f"recap.outcome.transferred_{row['status']}", services=places)


def keterangan(row: dict[str, Any], services: dict[str, str] | None = None, counters: Any = None) -> str:
    """Remarks: the category, where the visitor was transferred from (transfer_remark), the outcome, for
    escalations the LKPP ticket number, and who corrected the record after it was finished ("dikoreksi oleh
    Sari Dewi"; the officer in Petugas too: a row of the signed recap whose text is not as first recorded)."""
    parts = []
    if row.get("category"):
        parts.append(category_name(row["category"]))
    moved = transfer_remark(row, services, counters)
    if moved:
        parts.append(moved)
    if row["status"] in core.UNSERVED_ENDS:
        parts.append(sent_to_outcome(row, services))
    else:
        parts.append(OUTCOME_NAMES.get(row["status"], row["status"]))
    if row["status"] in core.ESCALATIONS and row.get("lkpp_ticket"):
        parts.append(t("recap.lkpp_ticket", lkpp_ticket=row["lkpp_ticket"]))
    if row.get("corrected_by"):
        parts.append(t("recap.corrected_by", who=row["corrected_by"]))
    return "; ".join(parts)


def _answer_heads() -> re.Pattern[str]:
    """The words the recap puts before LKPP's answer ("Jawaban LKPP:"; the English "LKPP's answer:" too), as
    typed at the start of the answer itself: any case, any spacing, with or without the colon."""
    heads = []
    for lang in ("id", "en"):
        head = t("recap.lkpp_answer", lang, answer="\0").split("\0")[0].strip().rstrip(":").split()
        heads.append(r"\s+".join(re.escape(word) for word in head))
    return re.compile(rf"\s*(?:{'|'.join(heads)})(?![\w'’])\s*[:\-–—]?\s*", re.IGNORECASE)


ANSWER_HEAD = _answer_heads()


def lkpp_answer_text(answer: str) -> str:
    """LKPP's answer without the "Jawaban LKPP:" an officer typed before it himself (once or more): the recap
    puts its own, and read "Jawaban LKPP: Jawaban LKPP: Akun sudah dibuka"."""
    while (head := ANSWER_HEAD.match(answer)) and answer[head.end() :].strip():
        answer = answer[head.end() :]
    return answer.strip()


def solusi(row: dict[str, Any]) -> str:
    """The written solution, or for an escalation the analysis (and a solution written on it by a
    correction) and, once closed, LKPP's answer (said once "Jawaban LKPP:", whatever the officer typed)."""
    if row["status"] == core.RESOLVED:
        return row.get("solution") or ""
    text = "\n".join(part for part in (row.get("escalation_note"), row.get("solution")) if part)
    if row.get("lkpp_answer"):
        text = f"{text}\n{t('recap.lkpp_answer', answer=lkpp_answer_text(row['lkpp_answer']))}".strip()
    return text


def recap_row(
    no: int, r: dict[str, Any], services: dict[str, str] | None = None, counters: Any = None
) -> dict[str, Any]:
    """One store row (ticket joined with its form) as a recap row keyed by the headings.

    Tanggal is the office's local day the ticket was issued (YYYY-MM-DD); Petugas the officer's
    full name when the account has one, else the username (Tx.recap_iter's officer_name). `services` and
    `counters`: their names ({code: name}, {id: name}), for where a transferred visitor came from."""
    return {
        NO: no,
        NAME: r["name"],
        ADDRESS: r["address"],
        PROBLEM: r["problem"],
        SOLUTION: solusi(r),
        REMARKS: keterangan(r, services, counters),
        DAY: r["day"],
        LABEL: r["label"],
        OFFICER: r.get("officer_name") or r.get("officer") or "",
    }


def _cell(value: Any) -> Any:
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def recap_csv(rows: Any) -> bytes:
    """CSV, UTF-8 with a BOM so that Excel opens it right."""
    return table_csv(RECAP_COLUMNS, rows)


def table_csv(columns: tuple[str, ...], rows: Any) -> bytes:
    """A table as CSV (the recap's, the guest book's): its headings in the first line, UTF-8 with a BOM so that
    Excel opens it right, a cell that would run as a formula with a leading "'"."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(columns)
    for r in rows:
        writer.writerow([_cell(r[c]) for c in columns])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


# -- filters, streaming rows and the XLSX export ------------------------------------------------
# the recap's rows by outcome, for its filter: the served tickets' three, and those served, then transferred and
# never served at the new service (without it no outcome chosen showed them: a month's rows by outcome fell short)
OUTCOMES = (*core.SERVED, core.PARTLY_SERVED)
RECAP_TITLE = t("recap.title")
RECAP_FORMATS = ("json", "csv", "xlsx")
XLSX_WIDTHS = {
    NO: 6,
    NAME: 24,
    ADDRESS: 32,
    PROBLEM: 48,
    SOLUTION: 48,
    REMARKS: 30,
    DAY: 12,
    LABEL: 12,
    OFFICER: 24,
}


def check_recap_filters(args: Any, service_codes: set[str]) -> tuple[dict[str, str | None], dict[str, str]]:
    """The recap's optional filters (service, officer, category, outcome) and their field problems."""
    filters = {k: (args.get(k) or None) for k in ("service", "officer", "category", "outcome")}
    bad: dict[str, str] = {}
    if filters["service"] is not None and filters["service"] not in service_codes:
        bad["service"] = "unknown_service"
    # who served them as the recap prints them (an account's full name, titles and all) or by the username
    officer_max = max(LIMITS["username"], LIMITS["full_name"])
    if filters["officer"] is not None and len(filters["officer"]) > officer_max:
        bad["officer"] = too_long(officer_max, len(filters["officer"]))
    if filters["category"] is not None and filters["category"] not in core.CATEGORIES:
        bad["category"] = "category_invalid"
    if filters["outcome"] is not None and filters["outcome"] not in OUTCOMES:
        bad["outcome"] = "invalid"
    return filters, bad


FILE_OUTCOMES = {status: t(f"recap.file.{status}") for status in OUTCOMES}  # a file name's word for each


def filter_label(filters: dict[str, Any], service: str | None = None, officer: str | None = None) -> str:
    """A filtered recap's filters in words, as its page, workbook and title name them after the period (as
    the SKM page names its service): the catalogue's `recap.filter.*` joined by " · ", e.g. the officer's
    full name and the outcome's name; "" when there is none. `service` and `officer` are the names to say
    (the service's, the account's full name), else the filters' own values."""
    parts = []
    if filters.get("service"):
        parts.append(t("recap.filter.service", service=service or filters["service"]))
    if filters.get("officer"):
        parts.append(t("recap.filter.officer", officer=officer or filters["officer"].strip()))
    if filters.get("category"):
        parts.append(t("recap.filter.category", category=category_name(filters["category"])))
    if filters.get("outcome"):
        parts.append(t("recap.filter.outcome", outcome=OUTCOME_NAMES.get(filters["outcome"], filters["outcome"])))
    return " · ".join(parts)


def _slug(text: str) -> str:
    """`text` as a file name's part: a-z, 0-9 and "-" ("Budi Santoso, S.Kom." -> "budi-santoso-s-kom")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:40].strip("-")


def recap_file_name(day_from: str, day_to: str, filters: dict[str, Any], fmt: str, service: str | None = None) -> str:
    """The recap's file name, its filters in it: rekap-2026-11-01-2026-11-30-budi-eskalasi.xlsx (the service by
    `service`, its name, else its code; the officer as typed; the category; the outcome's FILE_OUTCOMES)."""
    parts = [
        service or filters.get("service") or "",
        filters.get("officer") or "",
        filters.get("category") or "",
        FILE_OUTCOMES.get(filters.get("outcome") or "", ""),
    ]
    slugs = [slug for slug in map(_slug, parts) if slug]
    return "-".join(["rekap", day_from, day_to, *slugs]) + f".{fmt}"


def recap_names(settings: Any) -> dict[str, dict[str, str]]:
    """The services and counters by their names in `settings`, for where a transferred visitor came from
    (recap_row): {"services": {code: name}, "counters": {"1": name}} (JSON's keys: server.report_job's job)."""
    return {
        "services": {s.code: s.name for s in settings.services},
        "counters": {str(c.id): c.name for c in settings.counters},
    }


def iter_recap_rows(rows: Any, services: dict[str, str] | None = None, counters: Any = None) -> Any:
    """Store rows (ticket joined with its form, Tx.recap_iter) as recap rows keyed by the headings,
    numbered from 1: one at a time, for an iterable of any length. `services` ({code: name}) and `counters`
    ({id: name}; a JSON job's keys are strings) name where a transferred visitor came from (recap_row)."""
    for i, r in enumerate(rows, start=1):
        yield recap_row(i, r, services, counters)


def day_dmy(day: str) -> str:
    """A local day as the recap page prints it: "28/11/2026"."""
    d = date.fromisoformat(day)
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


# Keterangan's LKPP ticket number ("Tiket LKPP TTS-2026-0001"), up to the next part ("; dikoreksi oleh …") or its end
_LKPP_NUMBER = re.compile(
    rf"(?:^|(?<=; )){re.escape(t('recap.lkpp_ticket', lkpp_ticket=chr(0)).split(chr(0))[0])}(?P<number>.+?)(?=; |$)",
    re.S,
)


def remarks_html(remarks: str) -> Any:
    """Keterangan as the printable page writes it: the text escaped, the LKPP ticket number in a
    `<span class="lkpp">` that recap.css keeps on one line when it fits the column. Chromium broke it at its
    hyphens, "TTS-2026-" on one line and "0001" on the next, the number an officer looks the case up by in
    LKPP's TTS. The files and the JSON keep the plain text."""
    from markupsafe import Markup, escape

    found = _LKPP_NUMBER.search(remarks)
    if not found:
        return escape(remarks)
    start, end = found.span("number")
    return Markup('{}<span class="lkpp">{}</span>{}').format(remarks[:start], remarks[start:end], remarks[end:])


def page_row(row: dict[str, Any]) -> dict[str, Any]:
    """A recap row as the printable page shows it (the day as DD/MM/YYYY, Keterangan's LKPP number whole)."""
    return {**row, DAY: day_dmy(row[DAY]), REMARKS: remarks_html(row[REMARKS])}


def period_id(day_from: str, day_to: str) -> str:
    """The period in Indonesian: "28 November 2026" or "1 November 2026 s.d. 30 November 2026"."""
    from shared.dates import MONTHS_ID

    def one(day: str) -> str:
        d = date.fromisoformat(day)
        return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"

    return one(day_from) if day_from == day_to else t("recap.period_range", start=one(day_from), end=one(day_to))


def print_on_a4(ws: Any, landscape: bool) -> None:
    """A sheet printed on A4, as wide as the page: all its columns on each sheet of paper (the recap's
    236 characters of columns printed over two sheets, Nama on one and Solusi on the other)."""
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need


# The recap's workbook: its styles, by their ids in the sheet (0 is the default: the period row).
_TITLE, _OFFICE, _HEADER, _NUMBER, _BODY, _DAY, _COLUMN_NO = range(1, 8)
RECAP_STYLES = (
    xlsx.Style(bold=True, size=14),  # the title
    xlsx.Style(bold=True, size=12),  # the office
    xlsx.Style(bold=True, border=True, horizontal="center", vertical="center"),  # the headings
    # No is a whole number and Tanggal a real date (sortable, filterable), each with its own format.
    xlsx.Style(border=True, horizontal="center", vertical="top", number_format="0"),
    xlsx.Style(border=True, vertical="top", wrap=True),  # every other body cell
    xlsx.Style(border=True, horizontal="center", vertical="top", number_format="DD/MM/YYYY"),
    # the row of column numbers under the headings ("1", "2", … as the SOP's recap form has it): smaller, centred
    xlsx.Style(size=9, border=True, horizontal="center", vertical="center", number_format="0"),
)


def recap_xlsx(
    rows: Any, office_name: str, day_from: str, day_to: str, when: datetime | None = None, filters_label: str = ""
) -> bytes:
    """The recap as an Excel workbook: title, office and period rows, bold bordered headings and under them the
    row of column numbers (1 … 9, as the SOP's recap form numbers its columns; both printed atop every page,
    frozen on screen), wrapped bordered cells, A4 landscape as wide as the page.

    Written by server/xlsx.py a row at a time (openpyxl took 28-31 s for ten years on the development VM,
    docs/reports.md); text cells are always text, so "=..." typed by a visitor never becomes a formula.
    `filters_label` (filter_label's) follows the period: a filtered recap says which rows it holds."""
    period = t("recap.period", period=period_id(day_from, day_to))
    period_line = f"{period} · {filters_label}" if filters_label else period
    return _report_xlsx(
        t("recap.sheet"),
        RECAP_TITLE,
        RECAP_COLUMNS,
        XLSX_WIDTHS,
        (NO, DAY),
        rows,
        office_name,
        period_line,
        when,
        numbered=True,
    )


def _tall_texts(cells: list[tuple[int, Any]], chars: list[int]) -> Iterator[tuple[int, str]]:
    """The (column, text) of a record's cells that may take more than xlsx.PART_LINES lines of their column's
    `chars`: a paragraph of n characters wraps into at most 2n/chars + 1 lines (two lines together hold a line's
    characters), so a shorter text is passed over without wrapping it (text_parts then says whether it is)."""
    for i, (_, v) in enumerate(cells):
        if isinstance(v, str) and 2 * len(v) + chars[i] * (v.count("\n") + 2) > chars[i] * xlsx.PART_LINES:
            yield i, v


def _report_xlsx(
    sheet_name: str,
    title: str,
    columns: tuple[str, ...],
    widths: dict[str, float],
    no_and_day: tuple[str, str],
    rows: Any,
    office_name: str,
    period_line: str,
    when: datetime | None,
    numbered: bool = False,
) -> bytes:
    """A report's workbook (the recap, the guest book): the title, the office and the period in rows 1-3, the
    bold bordered headings in row 4 (printed atop every page, frozen on screen), a wrapped bordered row per
    record, A4 landscape as wide as the page; its No column a number and its day column a date cell, every
    other cell text (so "=..." typed by a visitor never becomes a formula). Written by server/xlsx.py a row at
    a time (openpyxl took 28-31 s for ten years on the development VM, docs/reports.md); `when`: the file's
    own times (xlsx.write_xlsx), else now. `numbered`: row 5 numbers the columns (1, 2, …, as Indonesian
    government tables do under their headings: the SOP's recap form), printed atop every page and frozen with the
    headings; the records start in row 6."""
    head = 5 if numbered else 4  # the last row of the headings
    sheet = xlsx.Sheet(
        name=sheet_name,
        widths=[widths[c] for c in columns],
        styles=RECAP_STYLES,
        frozen_rows=head,
        print_title_rows=(4, head),
        landscape=True,
        fit_to_width=True,
        page_footer=t("page.recap.page_of"),  # "Halaman 2 dari 7", as the printed recap and guest book
    )
    letters = [xlsx.column_letter(i) for i in range(len(columns))]
    fit = xlsx.RowFit(sheet)  # rows as tall as their wrapped texts (LibreOffice does not grow them)
    no_col, day_col = no_and_day
    no_at, day_at = columns.index(no_col), columns.index(day_col)
    serials: dict[str, int | float] = {}  # a day's number, worked out once per day of the range
    chars = [xlsx.line_chars(widths[c]) for c in columns]

    def body() -> Iterator[str]:
        yield xlsx.row_xml(1, [(_TITLE, title)], letters)
        yield xlsx.row_xml(2, [(_OFFICE, office_name)], letters)
        yield xlsx.row_xml(3, [(0, period_line)], letters)
        yield xlsx.row_xml(4, [(_HEADER, c) for c in columns], letters, fit)
        if numbered:
            yield xlsx.row_xml(5, [(_COLUMN_NO, i) for i in range(1, len(columns) + 1)], letters)
        n = head
        for r in rows:
            day = r[day_col]
            number = serials.get(day)
            if number is None:
                number = serials[day] = xlsx.serial(date.fromisoformat(day))
            cells = [(_BODY, r[c]) for c in columns]
            cells[no_at], cells[day_at] = (_NUMBER, int(r[no_col])), (_DAY, number)
            # A text taller than a row may be (409 points: a problem of 2,000 characters, a solution of 4,000) was
            # cut at the row's foot, in LibreOffice and Excel alike: it goes on in the rows under it, as the
            # complaints' workbook's; those rows hold nothing else.
            parts = {i: xlsx.text_parts(v, chars[i], xlsx.PART_LINES) for i, v in _tall_texts(cells, chars)}
            n += 1
            if not parts:
                yield xlsx.row_xml(n, cells, letters, fit)
                continue
            for part in range(max(len(p) for p in parts.values())):
                if part:
                    n += 1
                    cells = [(_BODY, None)] * len(columns)
                for i, texts in parts.items():
                    cells[i] = (_BODY, texts[part] if part < len(texts) else None)
                yield xlsx.row_xml(n, cells, letters, fit)

    return xlsx.write_xlsx(sheet, body(), when)


# -- the guest book (buku tamu, SOP step 1) ------------------------------------------------------
# Every visitor who took a number, whatever became of the visit: who came (the form's identity), when,
# for which service, and in words what became of it. The SOP's step 1 output ("isian data pengguna SPSE
# pada buku tamu"); an auditor asks for the buku tamu of a day or a month. In Indonesian, as the recap.
GUESTBOOK_TITLE = t("guestbook.title")
GUESTBOOK_COLUMNS = tuple(
    t(f"guestbook.header.{k}")
    for k in ("no", "day", "time", "label", "service", "name", "agency", "address", "phone", "remarks")
)
G_NO, G_DAY, G_TIME, G_LABEL, G_SERVICE, G_NAME, G_AGENCY, G_ADDRESS, G_PHONE, G_REMARKS = GUESTBOOK_COLUMNS
# What became of a visit, by the ticket's status (in play: a visitor of today still in the office).
VISIT_NAMES = {status: t(f"guestbook.visit.{status}") for status in core.STATUSES}
GUESTBOOK_XLSX_WIDTHS = {
    G_NO: 6,
    G_DAY: 12,
    G_TIME: 8,
    G_LABEL: 12,
    G_SERVICE: 22,
    G_NAME: 24,
    G_AGENCY: 28,
    G_ADDRESS: 32,
    G_PHONE: 16,
    G_REMARKS: 40,
}


def visit_remarks(status: str, moves: list[list[str]], service_name: Any, reason: str | None = None) -> str:
    """Keterangan: where the visitor was sent on ("dialihkan ke Konsultasi Teknis, lalu ke …"), then what
    became of the visit ("dilayani — selesai", "tidak hadir saat dipanggil", "dibatalkan", …); a cancel with the
    reason the front office gave, "dibatalkan (alasan: nomor ganda)"."""
    parts = []
    if moves:
        to = t("guestbook.transferred_then").join(service_name(to) for _, to in moves)
        parts.append(t("guestbook.transferred", services=to))
    if status == core.CANCELLED and reason:
        parts.append(t("guestbook.visit.cancelled_reason", reason=reason))
    else:
        parts.append(VISIT_NAMES.get(status, status))
    return "; ".join(parts)


def guestbook_row(no: int, r: dict[str, Any], tz: Any, services: dict[str, str]) -> dict[str, Any]:
    """One store row (Tx.guestbook_iter) as a guest book row keyed by the headings. Tanggal is the office's
    local day the number was taken (YYYY-MM-DD), Jam its time there ("09.05"); Layanan the service it was
    taken for (before any transfer), by its name (a service since removed: its code)."""
    moves = [m for m in json.loads(r["transfers"]) if m[1]] if r.get("transfers") else []
    if not moves and r.get("transferred_from"):  # its transfers' events not there: the last one, as the row has it
        moves = [[r["transferred_from"], r["service"]]]
    taken = datetime.fromisoformat(r["created_at"]).astimezone(tz)

    def service_name(code: str | None) -> str:
        return services.get(code or "", code or "")

    return {
        G_NO: no,
        G_DAY: r["day"],
        G_TIME: f"{taken.hour:02d}.{taken.minute:02d}",
        G_LABEL: r["label"],
        G_SERVICE: service_name(moves[0][0] if moves else r["service"]),
        G_NAME: r.get("name") or "",
        G_AGENCY: r.get("agency") or "",
        G_ADDRESS: r.get("address") or "",
        G_PHONE: r.get("phone") or "",
        G_REMARKS: visit_remarks(r["status"], moves, service_name, r.get("cancel_reason")),
    }


def iter_guestbook_rows(rows: Any, tz: Any, services: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Store rows (Tx.guestbook_iter) as guest book rows, numbered from 1: one at a time."""
    for i, r in enumerate(rows, start=1):
        yield guestbook_row(i, r, tz, services)


def guestbook_page_row(row: dict[str, Any]) -> dict[str, Any]:
    """A guest book row as the printable page shows it (the day as DD/MM/YYYY)."""
    return {**row, G_DAY: day_dmy(row[G_DAY])}


# Indonesia's area codes of two digits after the trunk 0 (Jakarta, Bandung, Semarang, Surabaya, Medan); the
# others have three (0274 Yogyakarta, 0361 Denpasar, 0411 Makassar).
_AREA_CODES_2 = ("021", "022", "024", "031", "061")


def phone_grouped(phone: str) -> str:
    """A stored phone (digits from the trunk 0, forms.normalize_phone) in groups as it is written: a mobile
    by 4, 4 and the rest, "0812 3456 7890", "0812 3456 78901", a landline its area code apart, "021 5551234", "0274 555123"; anything else (an anonymised
    form's text, nothing) as it is. A spreadsheet opening a CSV takes a cell of digits alone for a number (Excel
    and LibreOffice alike: "081234567890" became 81234567890, 13 digits 8.12346E+11); with the spaces it is text."""
    if not phone.isascii() or not phone.isdigit() or not phone.startswith("0"):
        return phone
    if phone.startswith("08"):
        return " ".join(part for part in (phone[:4], phone[4:8], phone[8:]) if part)
    area = 3 if phone.startswith(_AREA_CODES_2) else 4
    return f"{phone[:area]} {phone[area:]}"


def guestbook_csv(rows: Any) -> bytes:
    """The guest book as CSV (UTF-8 with a BOM, formulas guarded), Tanggal as YYYY-MM-DD. What a spreadsheet
    would turn into a number is written as it reads as text or a time: Telepon in groups (phone_grouped), Jam
    "09:05" (Excel and LibreOffice read "09.05" as the number 9.05, "10.00" as 10; "09:05" is a time in Excel
    and text in LibreOffice). The page, the JSON and the XLSX (whose cells are text) keep "09.05" and the digits."""
    written = ({**r, G_TIME: r[G_TIME].replace(".", ":"), G_PHONE: phone_grouped(r[G_PHONE])} for r in rows)
    return table_csv(GUESTBOOK_COLUMNS, written)


def guestbook_file_name(day_from: str, day_to: str, fmt: str) -> str:
    """bukutamu-2026-12-01-2026-12-31.xlsx"""
    return f"bukutamu-{day_from}-{day_to}.{fmt}"


def guestbook_xlsx(rows: Any, office_name: str, day_from: str, day_to: str, when: datetime | None = None) -> bytes:
    """The guest book as an Excel workbook, laid out as the recap's (recap_xlsx): title, office and period
    rows, bold bordered headings (printed atop every page, frozen on screen), wrapped bordered cells, A4
    landscape as wide as the page; No a number, Tanggal a date cell, text always text."""
    period_line = t("recap.period", period=period_id(day_from, day_to))
    return _report_xlsx(
        t("guestbook.sheet"),
        GUESTBOOK_TITLE,
        GUESTBOOK_COLUMNS,
        GUESTBOOK_XLSX_WIDTHS,
        (G_NO, G_DAY),
        rows,
        office_name,
        period_line,
        when,
    )
