"""A workbook of one sheet, written as SpreadsheetML (ECMA-376, the .xlsx format) straight into its ZIP,
row by row.

openpyxl makes a Python object per cell and serialises it through its XML layer: for the ten-year
recap (90,000 rows of nine cells) that was about 96 % of the export's 31-36 s (docs/reports.md). Here
each row is one piece of text written to the sheet's ZIP entry as it comes (64 KB of rows to a
write), so memory stays flat whatever the range: what grows is the compressed file alone. What it writes is what the
recap needs and no more: one sheet, inline strings (no shared-string table, which would grow with
the rows), a small fixed style sheet of the few styles used, column widths, frozen rows, print
titles and an A4 page setup.

Text is always a string cell (t="inlineStr"): "=..." typed by a visitor never becomes a formula.
It is escaped for XML and for the format's own `_xHHHH_` notation (ST_Xstring): & < > as entities,
a carriage return as `&#13;` (an XML parser reads a raw one as a line feed), the characters XML 1.0
cannot hold (C0 controls but tab and line feed, U+FFFE, U+FFFF) as `_xHHHH_`, which Excel and
LibreOffice read back as the character, a literal `_xHHHH_` in the text as `_x005F_xHHHH_` so that
it stays as typed, and a lone surrogate (no UTF-8 can hold one) as U+FFFD. A text longer than a
spreadsheet cell holds (32,767 UTF-16 units, Excel's limit; Excel calls a longer one damaged) is cut
there. openpyxl does not decode `_xHHHH_` when it reads (tests/test_reports.py decodes it itself).
"""

from __future__ import annotations

import math
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

MAX_CELL_TEXT = 32_767  # UTF-16 units in one cell (Excel's limit)
_CHUNK_CHARS = 64 * 1024  # rows joined into one write to the ZIP entry, about 100 of the recap's

_SPECIAL = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]|_(?=x[0-9A-Fa-f]{4}_)")
_special = _SPECIAL.search
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;", "_": "_x005F_"}


def _escape_one(match: re.Match[str]) -> str:
    ch = match.group()
    escaped = _ESCAPES.get(ch)
    if escaped is not None:
        return escaped
    if "\ud800" <= ch <= "\udfff":
        return "\ufffd"
    return f"_x{ord(ch):04X}_"


def fit_cell(value: str) -> str:
    """value cut to MAX_CELL_TEXT UTF-16 units (a character beyond U+FFFF counts two), never in a pair."""
    if len(value) <= MAX_CELL_TEXT // 2:
        return value
    units = 0
    for i, ch in enumerate(value):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > MAX_CELL_TEXT:
            return value[:i]
    return value


def text_xml(value: str) -> str:
    """A text as the content of a <t> element (see the module's docstring)."""
    if _SPECIAL.search(value) is None:
        return value
    return _SPECIAL.sub(_escape_one, value)


def attr_xml(value: str) -> str:
    """A text as an attribute's value in double quotes."""
    return text_xml(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def decode_xstring(value: str) -> str:
    """The text a spreadsheet program reads from a cell's <t> content: `_xHHHH_` decoded (for tests and
    readers such as openpyxl that leave it as it is)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


_EXCEL_EPOCH = date(1899, 12, 30).toordinal()  # serial 1 is 1 January 1900 (with Lotus's 29 February)


def serial(value: date) -> int | float:
    """A date (or a naive datetime) as a spreadsheet's day number."""
    days = value.toordinal() - _EXCEL_EPOCH
    if isinstance(value, datetime):
        t = value.time()
        return days + (t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6) / 86400
    return days


@dataclass(frozen=True)
class Style:
    """A cell's look: the font (Calibri), a thin border on all four sides, alignment, number format."""

    bold: bool = False
    size: int = 11
    italic: bool = False
    border: bool = False
    horizontal: str | None = None  # left, center, right
    vertical: str | None = None  # top, center, bottom (a spreadsheet's default: bottom)
    wrap: bool = False
    number_format: str | None = None  # "0", "DD/MM/YYYY", …; None: General


_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}


def styles_xml(styles: Sequence[Style]) -> str:
    """xl/styles.xml whose cell formats are Style() (id 0), then `styles` (ids 1, 2, …)."""
    everything = [Style(), *styles]
    fonts = list(dict.fromkeys((s.bold, s.italic, s.size) for s in everything))
    formats = list(
        dict.fromkeys(s.number_format for s in everything if s.number_format not in (None, *_BUILTIN_FORMATS))
    )
    format_ids = {**_BUILTIN_FORMATS, **{code: 164 + i for i, code in enumerate(formats)}}
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="' + _MAIN + '">']
    if formats:
        out.append(f'<numFmts count="{len(formats)}">')
        out += [f'<numFmt numFmtId="{format_ids[code]}" formatCode="{attr_xml(code)}"/>' for code in formats]
        out.append("</numFmts>")
    out.append(f'<fonts count="{len(fonts)}">')
    for bold, italic, size in fonts:
        out.append(f'<font>{"<b/>" if bold else ""}{"<i/>" if italic else ""}<sz val="{size}"/>')
        out.append('<color rgb="FF000000"/><name val="Calibri"/><family val="2"/></font>')
    out.append('</fonts><fills count="2"><fill><patternFill patternType="none"/></fill>')
    out.append('<fill><patternFill patternType="gray125"/></fill></fills><borders count="2">')
    out.append("<border><left/><right/><top/><bottom/><diagonal/></border>")
    thin = "".join(
        f'<{side} style="thin"><color indexed="64"/></{side}>' for side in ("left", "right", "top", "bottom")
    )
    out.append(f"<border>{thin}<diagonal/></border></borders>")
    out.append('<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>')
    out.append(f'<cellXfs count="{len(everything)}">')
    for s in everything:
        font = fonts.index((s.bold, s.italic, s.size))
        number = format_ids[s.number_format or "General"]
        xf = f'<xf numFmtId="{number}" fontId="{font}" fillId="0" borderId="{int(s.border)}" xfId="0"'
        xf += ' applyNumberFormat="1"' if number else ""
        xf += ' applyFont="1"' if font else ""
        xf += ' applyBorder="1"' if s.border else ""
        align = "".join(
            f' {k}="{v}"' for k, v in (("horizontal", s.horizontal), ("vertical", s.vertical)) if v is not None
        ) + (' wrapText="1"' if s.wrap else "")
        out.append(f'{xf} applyAlignment="1"><alignment{align}/></xf>' if align else f"{xf}/>")
    out.append('</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>')
    out.append('<dxfs count="0"/><tableStyles count="0"/></styleSheet>')
    return "".join(out)


@dataclass(frozen=True)
class Sheet:
    """The sheet's layout. Rows and columns count from 1, as a spreadsheet shows them."""

    name: str  # at most 31 characters, none of : \\ / ? * [ ]
    widths: Sequence[float] = ()  # of columns A, B, … in characters
    styles: Sequence[Style] = ()  # a cell's style id: 0 for the default, i + 1 for styles[i]
    frozen_rows: int = 0  # rows that stay on screen when scrolling
    print_title_rows: tuple[int, int] | None = None  # first and last row printed atop every page
    landscape: bool = False
    paper_size: int = 9  # A4
    fit_to_width: bool = False  # every column on each page, as many pages down as the rows need
    # each printed page's number at its foot, right, as the printable pages print it: "Halaman {page} dari
    # {pages}" (Excel's &P and &N); None: no footer
    page_footer: str | None = None


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES = (
    _HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>'
)
_ROOT_RELS = (
    _HEAD + f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{_PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    _HEAD + f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
)
_APP = (
    _HEAD + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Antrian</Application></Properties>"
)


def _core(now: datetime) -> str:
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        _HEAD + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>Antrian</dc:creator>'
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'
    )


def _workbook(sheet: Sheet) -> str:
    names = ""
    if sheet.print_title_rows:
        first, last = sheet.print_title_rows
        quoted = "'" + sheet.name.replace("'", "''") + "'"
        names = (
            '<definedNames><definedName name="_xlnm.Print_Titles" localSheetId="0">'
            f"{text_xml(quoted)}!${first}:${last}</definedName></definedNames>"
        )
    return (
        _HEAD + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView activeTab="0"/></bookViews>'
        f'<sheets><sheet name="{attr_xml(sheet.name)}" sheetId="1" r:id="rId1"/></sheets>{names}</workbook>'
    )


def _sheet_start(sheet: Sheet) -> str:
    out = [_HEAD + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">']
    if sheet.fit_to_width:
        out.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
    if sheet.frozen_rows:
        top = f"A{sheet.frozen_rows + 1}"
        out.append(
            f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{sheet.frozen_rows}" topLeftCell="{top}"'
            f' activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="{top}"'
            f' sqref="{top}"/></sheetView></sheetViews>'
        )
    else:
        out.append('<sheetViews><sheetView workbookViewId="0"/></sheetViews>')
    out.append('<sheetFormatPr defaultRowHeight="15"/>')
    if sheet.widths:
        out.append("<cols>")
        out += [f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>' for i, w in enumerate(sheet.widths, 1)]
        out.append("</cols>")
    out.append("<sheetData>")
    return "".join(out)


def footer_code(words: str) -> str:
    """A page footer's words ("Halaman {page} dari {pages}") in Excel's header/footer code: "Halaman &P dari &N"
    (the page and the pages; a "&" of the words doubled). Without its section: the right one is "&R" before it
    here, openpyxl's `oddFooter.right.text` (the SKM workbook)."""
    return words.replace("&", "&&").replace("{page}", "&P").replace("{pages}", "&N")


def _sheet_end(sheet: Sheet) -> str:
    setup = f'paperSize="{sheet.paper_size}" orientation="{"landscape" if sheet.landscape else "portrait"}"'
    if sheet.fit_to_width:
        setup += ' fitToWidth="1" fitToHeight="0"'
    footer = ""
    if sheet.page_footer:
        words = text_xml("&R" + footer_code(sheet.page_footer))
        footer = f"<headerFooter><oddFooter>{words}</oddFooter></headerFooter>"
    return (
        '</sheetData><pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
        f"<pageSetup {setup}/>{footer}</worksheet>"
    )


# A row's height for its wrapped texts. LibreOffice (7.4, checked by converting a month's archive to PDF) takes
# each row's height from the file and never grows one for a wrapped cell: a problem of three lines was printed
# over the two rows under it. Excel grows a row without a height, and takes one given. The height is the lines
# the longest wrapped text takes in its column, counted with fewer characters a line than the column's width
# (in "0"s of Calibri 11): DejaVu Sans, LibreOffice's stand-in where Calibri and Carlito are missing, is about
# a fifth wider, its bold more. Too tall leaves a line blank at worst; too short would cut the text.
LINE_POINTS = 15.0  # one line of Calibri 11 (the default row's height), in points
MAX_ROW_POINTS = 409.0  # the tallest row Excel takes
# The most lines of a long text in one row, when it goes on in the rows under it (text_parts: the SKM's Saran
# sheet, the complaints' workbook): 375 points, under a row's most and, with the headings' row, within an A4
# landscape page.
PART_LINES = 25
_CHARS_PER_WIDTH = 0.8  # a line's characters per unit of the column's width
_BOLD_CHARS_PER_WIDTH = 0.7


def wrapped_lines(text: str, chars: int) -> int:
    """The lines `text` takes wrapped between words at `chars` characters a line (a word longer than a line
    is broken), each line break of its own starting a line."""
    lines = 0
    for part in text.split("\n"):
        if len(part) <= chars:
            lines += 1
            continue
        lines += 1
        used = -1  # the first word of a line has no space before it
        for word in part.split(" "):
            size = len(word)
            if used >= 0 and used + 1 + size <= chars:
                used += 1 + size
                continue
            if used >= 0:
                lines += 1
            lines += (size - 1) // chars if size > chars else 0
            used = (size - 1) % chars + 1 if size else 0
    return lines


def wrapped(text: str, chars: int) -> list[tuple[str, str]]:
    """The lines of `text` as wrapped_lines counts them, each with what followed it in `text`: "\n", " ", or ""
    (a word longer than a line broken in it; the last line too), so that joining them gives `text` back."""
    out: list[tuple[str, str]] = []
    parts = text.split("\n")
    for n, part in enumerate(parts):
        end = "\n" if n < len(parts) - 1 else ""
        if len(part) <= chars:
            out.append((part, end))
            continue
        line: str | None = None
        for word in part.split(" "):
            if line is not None and len(line) + 1 + len(word) <= chars:
                line += " " + word
                continue
            if line is not None:
                out.append((line, " "))
            while len(word) > chars:
                out.append((word[:chars], ""))
                word = word[chars:]
            line = word
        out.append((line or "", end))
    return out


def text_parts(text: str, chars: int, most: int) -> list[str]:
    """`text` cut into parts of at most `most` lines of `chars` characters (wrapped()), for a text taller than a
    row may be (MAX_ROW_POINTS) or than a printed page: each part goes in a row of its own, under the one before.
    The line break or space between two parts is dropped; a text within `most` lines is one part, itself."""
    lines = wrapped(text, chars)
    if len(lines) <= most:
        return [text]
    groups = [lines[at : at + most] for at in range(0, len(lines), most)]
    return ["".join(line + after for line, after in group[:-1]) + group[-1][0] for group in groups]


def line_chars(width: float, bold: bool = False) -> int:
    """The characters a line of a column `width` wide is counted to hold (a little fewer than fit: see above)."""
    return max(1, int(width * (_BOLD_CHARS_PER_WIDTH if bold else _CHARS_PER_WIDTH)))


def line_points(size: float) -> float:
    """The height of one line of text of font `size` (points), at least the default row's."""
    return LINE_POINTS * max(size, 11) / 11


def wrapped_height(texts: Iterable[tuple[str, float, bool, float]]) -> float | None:
    """The height in points of a row whose wrapped cells hold `texts`, each (text, its column's width, bold,
    font size), when one takes more than a line; else None (the default row). For a sheet written with
    openpyxl (server/skm_report.py); row_xml's sheets have RowFit."""
    tallest = LINE_POINTS
    for text, width, bold, size in texts:
        chars = line_chars(width, bold)
        if len(text) > chars or "\n" in text:
            tallest = max(tallest, wrapped_lines(text, chars) * line_points(size))
    return min(tallest, MAX_ROW_POINTS) if tallest > LINE_POINTS else None


class RowFit:
    """The heights of a sheet's rows with wrapped text (LINE_POINTS a line, row_xml's `fit`): the characters a
    line of each column holds, and which of the sheet's styles wrap (and in what font size)."""

    def __init__(self, sheet: Sheet):
        styles = [Style(), *sheet.styles]
        self.wraps = [s.wrap for s in styles]
        self.line = [line_points(s.size) for s in styles]
        self.chars = [[line_chars(w, s.bold) for w in sheet.widths] for s in styles]

    def height(self, cells: Sequence[tuple[int, Any]]) -> float | None:
        """The row's height in points when a wrapped text in it takes more than one line, else None (the
        default row)."""
        tallest = LINE_POINTS
        for column, (style, value) in enumerate(cells):
            if not (isinstance(value, str) and value and self.wraps[style] and column < len(self.chars[style])):
                continue
            chars = self.chars[style][column]
            if len(value) <= chars and "\n" not in value:
                continue
            tallest = max(tallest, wrapped_lines(value, chars) * self.line[style])
        return min(tallest, MAX_ROW_POINTS) if tallest > LINE_POINTS else None


def row_xml(number: int, cells: Iterable[tuple[int, Any]], letters: Sequence[str], fit: RowFit | None = None) -> str:
    """One <row>: each cell a (style id, value) pair, in columns A, B, …; a value of None is an empty cell
    (its style kept), a str text, an int or a finite float a number, a date a day number (give it a date
    format), anything else its str() as text. With `fit` (the sheet's RowFit), a row whose wrapped text
    takes more than a line is given the height of its lines."""
    height = None
    if fit is not None:
        cells = list(cells)
        height = fit.height(cells)
    out = [f'<row r="{number}">' if height is None else f'<row r="{number}" ht="{height:g}" customHeight="1">']
    for letter, (style, value) in zip(letters, cells, strict=False):
        head = f'<c r="{letter}{number}" s="{style}"' if style else f'<c r="{letter}{number}"'
        if isinstance(value, str):
            if not value:
                out.append(head + "/>")
                continue
            if len(value) > MAX_CELL_TEXT // 2:
                value = fit_cell(value)
            space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
            if _special(value) is not None:  # text_xml, inline: most cells need no escape
                value = _SPECIAL.sub(_escape_one, value)
            out.append(f'{head} t="inlineStr"><is><t{space}>{value}</t></is></c>')
        elif value is None:
            out.append(head + "/>")
        elif isinstance(value, bool):
            out.append(f'{head} t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, int | float) and math.isfinite(value):
            out.append(f"{head}><v>{value!r}</v></c>")
        elif isinstance(value, date):
            out.append(f"{head}><v>{serial(value)!r}</v></c>")
        else:
            out.append(f'{head} t="inlineStr"><is><t>{text_xml(fit_cell(str(value)))}</t></is></c>')
    out.append("</row>")
    return "".join(out)


def write_xlsx(sheet: Sheet, rows: Iterable[str], when: datetime | None = None) -> bytes:
    """The workbook of `sheet` with `rows` (each a <row> element, row_xml's, in order) as its data, made
    in one pass over rows. The ZIP is written to a temporary file and read back once: the bytes returned
    are the only copy of the file in memory. `when` (UTC) is its members' time and the workbook's created
    and modified time (docProps/core.xml), now when not given: the same rows at the same `when` are the
    same bytes (the monthly archive's, made again from unchanged data, has the same SHA-256)."""
    now = (when or datetime.now(UTC)).astimezone(UTC)

    def member(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=now.timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED  # at zlib's default level (6)
        info.external_attr = 0o600 << 16
        return info

    with tempfile.TemporaryFile() as file:
        with zipfile.ZipFile(file, "w") as zf:
            zf.writestr(member("[Content_Types].xml"), _CONTENT_TYPES)
            zf.writestr(member("_rels/.rels"), _ROOT_RELS)
            zf.writestr(member("docProps/app.xml"), _APP)
            zf.writestr(member("docProps/core.xml"), _core(now))
            zf.writestr(member("xl/workbook.xml"), _workbook(sheet))
            zf.writestr(member("xl/_rels/workbook.xml.rels"), _WORKBOOK_RELS)
            zf.writestr(member("xl/styles.xml"), styles_xml(sheet.styles))
            with zf.open(member("xl/worksheets/sheet1.xml"), "w") as out:
                out.write(_sheet_start(sheet).encode())
                chunk: list[str] = []
                size = 0
                for row in rows:
                    chunk.append(row)
                    size += len(row)
                    if size >= _CHUNK_CHARS:
                        out.write("".join(chunk).encode())
                        chunk.clear()
                        size = 0
                out.write(("".join(chunk) + _sheet_end(sheet)).encode())
        file.seek(0)
        return file.read()
