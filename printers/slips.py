"""What goes on paper: the queue ticket and the consultation-form copy, as ESC/POS or as plain text."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, partial

import qrcode
from PIL import Image

from printers._escpos import CAPABILITIES, Dummy, Escpos, constants
from shared.dates import format_date_id, format_datetime_id, format_time_id
from shared.words import word

# Columns of Font A and Font B per paper width (the common 203 dpi printers); fewer where the printer's profile
# says so (paper_columns).
COLUMNS: dict[int, tuple[int, int]] = {58: (32, 42), 80: (48, 64)}
# A profile's font columns below this are not a receipt printer's line (python-escpos's NT-80-V-UL gives its
# fonts' widths in dots, 12 and 9, as columns): the paper's are kept.
MIN_PROFILE_COLUMNS = 24
# python-escpos's generic profiles (no profile set, "simple"): their 42 and 56 columns say nothing of the printer.
_GENERIC_PROFILES = tuple(CAPABILITIES["profiles"][name] for name in ("default", "simple"))

# The printed words are the catalogue's (server/i18n/*.json, `slip.*`), read through shared/words.py
# (printers/ never imports server/); a slip is printed in Indonesian, as its dates are.
SLIP_LANG = "id"

QR_SIZE = 6  # dots per module of a QR code (at most: one drawn as an image is made smaller to fit)
QR_BORDER = 4  # the quiet zone, in modules, of a QR code drawn as an image (ISO/IEC 18004 asks for 4)
LABEL_SIZE = 4  # GS ! magnification of the queue number

# Dots across the printable width of each paper (the common 203 dpi printers), when the profile does not say.
PAPER_DOTS: dict[int, int] = {58: 384, 80: 576}

GS_V0 = b"\x1dv0\x00"  # GS v 0, normal density: a raster image follows (width in bytes, height in dots)
# ESC t 0: code page 0, PC437, which every ESC/POS printer has, selected at the start of each slip: its text is
# ASCII (to_ascii), the same in every code page. python-escpos's encoder picked the first page of the profile's list
# by its number read as text: ESC t 1 (CP932, Japanese, where "\\" is a yen sign) for POS-5890 and NT-5890K, which a
# cheap printer with PC437 alone takes as a page it does not have.
CODE_PAGE_437 = b"\x1bt\x00"

# Characters NFKD leaves alone (or makes) but that have an obvious ASCII stand-in: what phones, word processors and
# pasted text put in for quotes, apostrophes, hyphens, dashes, bullets and a few signs ("?" read as a question).
_ASCII_STANDINS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u2039": "'",
        "\u203a": "'",
        "\u02bb": "'",
        "\u02bc": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2043": "-",
        "\u2212": "-",
        "\u2022": "-",
        "\u2023": "-",
        "\u25aa": "-",
        "\u25cf": "-",
        "\u2044": "/",
        "\u00f7": "/",
        "\u00d7": "x",
        "\u2192": "->",
        "\u2190": "<-",
        "\u2713": "v",
        "\u2714": "v",
        "\u00b0": "o",
        "\u00a9": "(c)",
        "\u00ae": "(R)",
        "\u20ac": "EUR",
        "\u2026": "...",
        "\u00a0": " ",
        "\t": " ",
        "\u00df": "ss",
        "\u00e6": "ae",
        "\u00c6": "AE",
        "\u00f8": "o",
        "\u00d8": "O",
        "\u0142": "l",
        "\u0141": "L",
        # the marks of Arabic names' ain and hamza as Indonesians transliterate them ("Maʿruf", "Syafiʾi"), and
        # the other apostrophe-like letters and primes of a pasted text
        "\u02be": "'",
        "\u02bf": "'",
        "\u02bd": "'",
        "\u02b9": "'",
        "\u02c8": "'",
        "\u02ca": "'",
        "\u02cb": "'",
        "\u2035": "'",
        "\u05f3": "'",
        "\u02ba": '"',
        "\u02ee": '"',
        "\u05f4": '"',
        "\u2e3a": "-",
        "\u2e3b": "-",
        "\u301c": "~",
        "\u00b7": "-",
        "\u2194": "<->",
        "\u2717": "x",
        "\u2718": "x",
        "\u00a1": "!",
        "\u00bf": "?",
        "\u00a2": "c",
        # letters without an accent to drop, NFKD leaves as they are
        "\u0111": "d",
        "\u0110": "D",
        "\u00f0": "d",
        "\u00d0": "D",
        "\u0127": "h",
        "\u0126": "H",
        "\u0131": "i",
        "\u0153": "oe",
        "\u0152": "OE",
        "\u00fe": "th",
        "\u00de": "Th",
        "\u0259": "e",
        "\u018f": "E",
        "\u1e9e": "SS",
    }
)


@dataclass(frozen=True, kw_only=True)
class TicketSlip:
    """The queue ticket a visitor takes from the kiosk."""

    office_name: str
    office_address: str
    label: str
    service_name: str
    issued_at: datetime
    ahead: int
    qr_url: str
    footer: str = ""
    priority: bool = False
    reprint: bool = False


@dataclass(frozen=True, kw_only=True)
class FormCopy:
    """The visitor's copy of the filled-in consultation form (SOP step 12)."""

    office_name: str
    label: str
    consulted_at: datetime
    name: str
    agency: str
    address: str
    phone: str
    problem: str
    category: str
    solution: str = ""
    escalation_note: str = ""
    lkpp_ticket: str = ""
    lkpp_answer: str = ""  # LKPP's answer to an escalated case, once recorded (closed)
    officer: str = ""  # who signs the copy (the one who explained): the account's full name, else the login name
    officer_nip: str = ""  # the officer's NIP as written ("19850101 201001 1 001"); none: left out
    counter_name: str = ""
    survey_url: str = ""  # the satisfaction survey of this visit, as a QR code at the foot (none: left out)


# --- text helpers -------------------------------------------------------------------------------


# The emoji of the Basic Multilingual Plane outside the blocks _emoji takes whole, which a phone's keyboard sends
# alone (no U+FE0F after them): watch, hourglass, media keys, alarm clock, white squares.
_BMP_EMOJI = frozenset(
    "\u231a\u231b\u2328\u23cf\u23e9\u23ea\u23eb\u23ec\u23ed\u23ee\u23ef\u23f0\u23f1\u23f2\u23f3\u23f8\u23f9\u23fa\u25fd\u25fe"
)
EMOJI_STYLE = "\ufe0f"  # VS16: the character before it drawn as an emoji ("\u25b6\ufe0f", "\u21a9\ufe0f")


def _emoji(ch: str) -> bool:
    """A phone keyboard's emoji (pictographs, dingbats, flags' letters, skin tones), which no receipt font has."""
    point = ord(ch)
    return 0x1F000 <= point <= 0x1FAFF or 0x2600 <= point <= 0x27BF or 0x2B00 <= point <= 0x2BFF or ch in _BMP_EMOJI


# The most characters one character may print as: NFKD spells a few ligatures and squared words out at length
# (U+FDFA, an Arabic phrase of one character, as 18), so a form of such characters took paper past its fields' limits.
MAX_SPELLED = 4


@lru_cache(maxsize=4096)
def _decomposed(ch: str) -> str:
    """One character as NFKD spells it ("é" -> "e" and its accent), or "?" when that is longer than MAX_SPELLED."""
    spelled = unicodedata.normalize("NFKD", ch)
    return spelled if len(spelled) <= MAX_SPELLED else "?"


def to_ascii(text: str) -> str:
    """Printable ASCII for any text: accents dropped ("Dédé" -> "Dede"), quotes, dashes and bullets as their ASCII
    stand-ins, control bytes made spaces, what takes no room dropped (zero-width characters, direction marks, soft
    hyphens, variation selectors: they had printed as spaces or "?" inside words) and emoji too (a "?" after a
    visitor's name read as a question), with the space before or after it ("SPSE 👍 \u23f0 ya" as
    "SPSE ya"); any other character "?", the mark that one was there. The stand-ins are looked up before NFKD as well
    as after: NFKD spells an acute accent typed as an apostrophe ("Jum\u00b4at") as a space and the accent."""
    text = "".join(_decomposed(ch) for ch in str(text).translate(_ASCII_STANDINS)).translate(_ASCII_STANDINS)
    out = []
    dropped = False
    for i, ch in enumerate(text):
        if ch == "\n" or " " <= ch <= "~":
            out.append(ch)
            continue
        kind = unicodedata.category(ch)
        if kind in ("Cf", "Mn", "Me"):
            continue
        if _emoji(ch) or text[i + 1 : i + 2] == EMOJI_STYLE:  # a symbol drawn as an emoji ("\u25b6\ufe0f")
            out.append("\0")
            dropped = True
        elif kind[0] in "CZ":
            # Control and separator characters (ESC among them) must never reach the printer.
            out.append(" ")
        else:
            out.append("?")
    ascii_text = "".join(out)
    return _EMOJI_GAP.sub("", ascii_text) if dropped else ascii_text


# The emoji to_ascii leaves out (marked NUL): each run of them with one space beside it, so that no gap is left.
_EMOJI_GAP = re.compile(r"(?:^|(?<=[ \n]))\0+ ?|\0+")


def wrap(text: str, columns: int, indent: str = "") -> list[str]:
    """Wrap text to columns, keeping its own line breaks; later lines get indent."""
    lines: list[str] = []
    for paragraph in to_ascii(text).split("\n"):
        paragraph = paragraph.rstrip()
        if not paragraph:
            lines.append("")
            continue
        lines.extend(textwrap.wrap(paragraph, columns, subsequent_indent=indent) or [""])
    return lines


# --- layout: one description of the paper, rendered to ESC/POS or to text -----------------------


@dataclass(frozen=True)
class _Style:
    align: str = "left"
    bold: bool = False
    size: int = 1
    small: bool = False  # Font B where the printer has it


@dataclass(frozen=True)
class _Text:
    text: str
    style: _Style
    indent: str = ""
    fixed: bool = False  # the same on every slip (the office, a printed word): its wrapped lines are kept


@lru_cache(maxsize=64)
def _wrapped(text: str, columns: int, indent: str) -> tuple[str, ...]:
    """wrap() of a text that is the same on every slip (_Text.fixed), made once: a third of a slip's rendering."""
    return tuple(wrap(text, columns, indent))


@dataclass(frozen=True)
class _Rule:
    pass


@dataclass(frozen=True)
class _Qr:
    data: str


_Item = _Text | _Rule | _Qr

_PLAIN = _Style()
_CENTER = _Style(align="center")
_CENTER_BOLD = _Style(align="center", bold=True)
_BOLD = _Style(bold=True)


def _columns(width_mm: int) -> tuple[int, int]:
    try:
        return COLUMNS[width_mm]
    except KeyError:
        raise ValueError(f"paper width must be 58 or 80 mm, not {width_mm!r}") from None


def paper_columns(width_mm: int, profile: str | dict | None = None) -> tuple[int, int]:
    """The columns of Font A and Font B a line may take on this paper and printer (`profile`: its python-escpos
    profile, by name or its data): the paper's (COLUMNS), or the profile's where it says fewer. A 180 dpi printer
    (Epson TM-T81, the TM-T88 up to the TM-T88V and their clones: 512 dots across 80 mm paper) has 42 and 56: a
    48-column line sent to it was broken by the printer itself at the 42nd character, mid-word, its last 6 on a
    line of their own, and each rule of dashes took two lines. Generic profiles (none set, "simple") keep the
    paper's."""
    cols, small = _columns(width_mm)
    data = CAPABILITIES["profiles"].get(profile) if isinstance(profile, str) else profile
    if not data or any(data is generic for generic in _GENERIC_PROFILES) or _narrower_paper(data, width_mm):
        return cols, small
    fonts = data.get("fonts") or {}

    def said(font: str, paper: int) -> int:
        entry = fonts.get(font)
        columns = entry.get("columns") if isinstance(entry, dict) else None
        return min(paper, columns) if isinstance(columns, int) and columns >= MIN_PROFILE_COLUMNS else paper

    return said("0", cols), said("1", small)


# A profile whose printable width is at most this many mm is a 58 mm printer's (POS-5890 57.5, RP-F10-58mm 54,
# ZJ-5870 48); an 80 mm printer's is some 64-80 (TM-P80-42col 63.6, TM-T20II 72, TM-T88V 80).
PROFILE_58_MM = 60


def _narrower_paper(data: dict, width_mm: int) -> bool:
    """Whether a profile (its data) is of a 58 mm printer and the paper 80 mm: its columns and dots are those of the
    narrower paper, not of this printer's. The docs' profile for a printer without a QR command, POS-5890, set on an
    80 mm printer printed 32-column lines and a QR code 384 dots wide on 48 columns' (576 dots') paper: each slip
    half as long again as it needed."""
    try:
        return width_mm > 58 and float(data["media"]["width"]["mm"]) <= PROFILE_58_MM
    except (KeyError, TypeError, ValueError):  # "Unknown" in the generic profiles
        return False


def _word(key: str) -> str:
    """A printed word of the catalogue (`slip.<key>`)."""
    return word(f"slip.{key}", SLIP_LANG)


def _ticket_layout(slip: TicketSlip, cols: int) -> Iterator[_Item]:
    """The ticket's items for a paper of `cols` columns of Font A."""
    yield _Text(slip.office_name, _CENTER_BOLD, fixed=True)
    if slip.office_address:
        yield _Text(slip.office_address, _Style(align="center", small=True), fixed=True)
    yield _Rule()
    if slip.reprint:
        yield _Text(_word("reprint"), _CENTER_BOLD, fixed=True)
    yield _Text(_word("queue_number"), _CENTER, fixed=True)
    label = to_ascii(slip.label)
    size = next((s for s in (LABEL_SIZE, 3, 2) if len(label) * s <= cols), 1)
    yield _Text(label, _Style(align="center", bold=True, size=size))
    yield _Text(slip.service_name, _CENTER_BOLD, fixed=True)
    if slip.priority:
        yield _Text(_word("priority"), _Style(align="center", bold=True, size=2), fixed=True)
    when = format_datetime_id(slip.issued_at)
    if len(when) <= cols:
        yield _Text(when, _CENTER)
    else:
        yield _Text(format_date_id(slip.issued_at), _CENTER)
        yield _Text(format_time_id(slip.issued_at), _CENTER)
    yield _Text(_word("ahead").format(ahead=slip.ahead), _CENTER)
    if slip.qr_url:
        yield _Qr(slip.qr_url)
    if slip.footer:
        yield _Text(slip.footer, _CENTER, fixed=True)


_BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n)+")


def _block(text: str) -> str:
    """What a person typed, as printed: trimmed, each run of blank lines one blank line (a text pasted from a
    document or a chat with a dozen empty lines between its parts fed a dozen empty lines of paper each); ""
    when nothing of it prints (emoji alone), so that the field says "-" as an empty one does."""
    text = _BLANK_LINES.sub("\n\n", text.strip())
    return text if to_ascii(text).strip() else ""


def _field(label: str, value: str) -> _Text:
    return _Text(f"{label}: {_block(value) or '-'}", _PLAIN, indent="  ")


def _form_layout(form: FormCopy, cols: int) -> Iterator[_Item]:
    """The form copy's items (the same on any paper)."""
    yield _Text(_word("form_title"), _Style(align="center", bold=True, size=2))
    yield _Text(form.office_name, _CENTER)
    yield _Rule()
    # the paper form's first two lines, in its words: the day and date of the consultation, then its time
    yield _field(_word("date"), format_date_id(form.consulted_at))
    yield _field(_word("time"), format_time_id(form.consulted_at))
    yield _field(_word("label"), form.label)
    if form.counter_name:
        yield _field(_word("counter"), form.counter_name)
    yield _Rule()
    yield _Text(_word("identity"), _BOLD)
    yield _field(_word("name"), form.name)
    yield _field(_word("agency"), form.agency)
    yield _field(_word("address"), form.address)
    yield _field(_word("phone"), form.phone)
    yield _Text("", _PLAIN)
    yield _Text(_word("problem"), _BOLD)
    if form.category:
        yield _field(_word("category"), form.category)
    yield _Text(_block(form.problem) or "-", _PLAIN)
    yield _Text("", _PLAIN)
    yield _Text(_word("solution"), _BOLD)
    escalated = bool(form.escalation_note.strip() or form.lkpp_ticket.strip())
    if solution := _block(form.solution):
        yield _Text(solution, _PLAIN)
    elif not escalated:
        yield _Text("-", _PLAIN)
    if escalated:
        yield _Text(_word("escalated"), _BOLD)
        if note := _block(form.escalation_note):
            yield _Text(note, _PLAIN)
        if form.lkpp_ticket.strip():
            yield _field(_word("lkpp_ticket"), form.lkpp_ticket)
        if form.lkpp_answer.strip():
            yield _field(_word("lkpp_answer"), form.lkpp_answer)
    yield _Rule()
    yield _Text(_word("officer"), _PLAIN)
    yield _Text("\n\n", _PLAIN)  # room for the signature
    yield _Text(f"( {form.officer.strip() or '.' * 20} )", _PLAIN)
    if form.officer_nip.strip():
        yield _Text(f"{_word('nip')} {form.officer_nip.strip()}", _PLAIN)
    if form.survey_url:
        yield _Rule()
        yield _Text(_word("survey"), _CENTER)
        yield _Qr(form.survey_url)


def qr_command(profile: str | None) -> bool:
    """Whether a printer of the profile is sent the QR code as the printer's own command (GS ( k), not as a picture."""
    return Dummy(profile=profile).profile.supports("qrCode")


def no_qr_hint(name: str) -> str:
    """The test slip's line for a printer sent the QR command: what to write when no QR code came out above it."""
    return _word("test_no_qr").format(name=name)


def paper_dots(printer: Escpos, width_mm: int) -> int:
    """How many dots across an image may be on this paper: the paper's, or the profile's if narrower."""
    dots = PAPER_DOTS[width_mm]
    if _narrower_paper(printer.profile.profile_data, width_mm):
        return dots
    try:
        return min(dots, int(printer.profile.profile_data["media"]["width"]["pixels"]))
    except (KeyError, TypeError, ValueError):  # "Unknown" in the generic profiles
        return dots


@lru_cache(maxsize=64)
def _qr_modules(length: int) -> int:
    """Modules across the smallest QR code (error correction L, python-escpos's) holding `length` bytes."""
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(qrcode.util.QRData(b"a" * length, mode=qrcode.util.MODE_8BIT_BYTE))
    try:
        return 17 + 4 * code.best_fit()
    except (qrcode.exceptions.DataOverflowError, ValueError):  # more than any QR code holds: the largest's
        return 17 + 4 * 40


def qr_module_dots(data: str, dots: int) -> int:
    """The module size of a printer's own QR code (GS ( k) of data: QR_SIZE, or fewer dots for a long address,
    so that it fits the `dots` across the paper. At QR_SIZE a public_url of some 300 characters made a code wider
    than 58 mm paper, which a printer leaves out (Epson) or cuts."""
    return max(1, min(QR_SIZE, dots // _qr_modules(len(data.encode("utf-8")))))


def qr_raster(data: str, dots: int) -> bytes:
    """A QR code of data as one GS v 0 raster image `dots` wide, the code in its middle, for a printer that
    draws no QR code of its own (profile feature qrCode false, e.g. POS-5890): it prints the native
    command GS ( k as garbage or not at all. Each module is QR_SIZE dots, or fewer for a long text, so the
    code with its whole quiet zone (QR_BORDER modules each side, blank rows above and below it in the
    image) always fits the paper: the modules shrink, never the quiet zone (a 58 mm printer's 384 dots
    hold the largest code, version 40, at 2 dots a module). python-escpos's own image QR code refuses
    one wider than the paper and prints a notice on stdout for a profile that does not know its width."""
    code = qrcode.QRCode(border=QR_BORDER, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()  # rows of modules, True dark, the quiet zone included
    modules = len(matrix)
    scale = max(1, min(QR_SIZE, dots // modules))
    small = Image.new("1", (modules, modules))
    small.putdata([255 if dark else 0 for row in matrix for dark in row])  # a set bit prints a dot
    side = modules * scale
    image = Image.new("1", (max(dots, side), side))
    image.paste(small.resize((side, side), Image.Resampling.NEAREST), ((image.width - side) // 2, 0))
    width_bytes = (image.width + 7) // 8  # each row padded to whole bytes, as tobytes() packs them
    header = GS_V0 + width_bytes.to_bytes(2, "little") + image.height.to_bytes(2, "little")
    return header + image.tobytes()


def _render(printer: Escpos, layout: Callable[[int], Iterable[_Item]], width_mm: int) -> None:
    """Write the items of `layout` (of the columns) as ESC/POS onto printer, sending a style byte only when it
    changes."""
    cols, small_cols = paper_columns(width_mm, printer.profile.profile_data)
    items = list(layout(cols))
    has_font_b = "1" in printer.profile.fonts
    printer.hw("INIT")  # ESC @ resets the printer to exactly _Style()
    printer._raw(CODE_PAGE_437)
    current = _Style()

    def line(text: str) -> None:
        # printable ASCII (wrap() made it so), written as it is: the same bytes in every code page
        printer._raw(text.encode("ascii") + b"\n")

    def apply(style: _Style) -> None:
        nonlocal current
        if style.align != current.align:
            printer.set(align=style.align)
        small = style.small and has_font_b
        if small != (current.small and has_font_b):
            printer.set(font="b" if small else "a")
        if style.bold != current.bold:
            printer.set(bold=style.bold)
        if style.size != current.size:
            printer.set(custom_size=True, width=style.size, height=style.size)
        current = style

    for item in items:
        if isinstance(item, _Rule):
            apply(_Style(align="left"))
            line("-" * cols)
        elif isinstance(item, _Qr):
            apply(_CENTER)
            if printer.profile.supports("qrCode"):
                # the printer's own code has no quiet zone: a blank line above it, as the one under it (ISO/IEC
                # 18004's 4 modules; it came some 10 dots under the line before it, and phones misread it)
                printer._raw(b"\n")
                printer.qr(item.data, size=qr_module_dots(item.data, paper_dots(printer, width_mm)), native=True)
            elif printer.profile.supports("bitImageRaster"):
                printer._raw(qr_raster(item.data, paper_dots(printer, width_mm)))
            else:  # a printer that draws neither: the address, to be typed
                data = to_ascii(item.data)
                for i in range(0, len(data), cols):
                    line(data[i : i + cols])
            if item is not items[-1]:  # a line between the code and the text under it; after a last one, the feed
                printer._raw(b"\n")
        else:
            apply(item.style)
            width = (small_cols if item.style.small and has_font_b else cols) // item.style.size
            for text in (_wrapped if item.fixed else wrap)(item.text, width, item.indent):
                line(text)
    apply(_Style())
    printer.cut()  # CUT_FEED_LINES fed, then the cut the profile says the printer makes
    if not (printer.profile.supports("paperFullCut") or printer.profile.supports("paperPartCut")):
        # a profile of a printer without a cutter (POS-5890, "simple"), chosen for its lack of a QR command by an
        # office whose printer has one: python-escpos sends it no cut, and each slip hung on the next one uncut.
        # A printer without a cutter makes nothing of the command.
        printer._raw(constants.PAPER_FULL_CUT)


def _text(layout: Callable[[int], Iterable[_Item]], width_mm: int, profile: str | None = None) -> str:
    """The same layout as the paper would read, in plain text of the paper's column count."""
    cols, _ = paper_columns(width_mm, profile)
    items = layout(cols)
    out: list[str] = []
    for item in items:
        if isinstance(item, _Rule):
            out.append("-" * cols)
        elif isinstance(item, _Qr):
            out.append(_word("qr").center(cols).rstrip())
            data = to_ascii(item.data)
            out.extend(data[i : i + cols].center(cols).rstrip() for i in range(0, len(data), cols))
        else:
            width = cols // item.style.size
            for line in wrap(item.text, width, item.indent):
                out.append(line.center(cols).rstrip() if item.style.align == "center" else line)
    return "\n".join(out) + "\n"


# How many dots of paper a line of text takes: Font A's 24 and a printer's default line spacing, 1/6 inch (some 34
# dots, 4.2 mm, at 203 dpi; printers.transport.TICKET_LINES).
LINE_DOTS = 34
CUT_FEED_LINES = 6  # the lines fed before the cut (python-escpos's cut(): ESC d 6)


def _paper_lines(layout: Callable[[int], Iterable[_Item]], width_mm: int, profile: str | None = None) -> int:
    """About how many lines of text the layout takes on paper: a double-size line as two, a QR code as its height
    (its modules and quiet zone at the dots a module it is drawn with), and the feed before the cut."""
    cols, small_cols = paper_columns(width_mm, profile)
    lines = CUT_FEED_LINES
    items = list(layout(cols))
    for item in items:
        if isinstance(item, _Rule):
            lines += 1
        elif isinstance(item, _Qr):
            modules = _qr_modules(len(item.data.encode("utf-8"))) + 2 * QR_BORDER
            lines += -(-modules * qr_module_dots(item.data, PAPER_DOTS[width_mm]) // LINE_DOTS) + (
                item is not items[-1]
            )
        else:
            width = (small_cols if item.style.small else cols) // item.style.size
            lines += len((_wrapped if item.fixed else wrap)(item.text, width, item.indent)) * item.style.size
    return lines


# --- public rendering ---------------------------------------------------------------------------


def render_ticket(printer: Escpos, slip: TicketSlip, width_mm: int = 80) -> None:
    """Write the queue ticket onto any python-escpos printer, ending with a cut."""
    _render(printer, partial(_ticket_layout, slip), width_mm)


def render_form_copy(printer: Escpos, form: FormCopy, width_mm: int = 80) -> None:
    """Write the consultation-form copy onto any python-escpos printer, ending with a cut."""
    _render(printer, partial(_form_layout, form), width_mm)


def _dummy(profile: str | None) -> Dummy:
    """A byte-collecting printer of the profile."""
    return Dummy(profile=profile)


def ticket_bytes(slip: TicketSlip, profile: str | None = None, width_mm: int = 80) -> bytes:
    """The exact ESC/POS bytes of a ticket for a printer profile."""
    printer = _dummy(profile)
    render_ticket(printer, slip, width_mm)
    return printer.output


def form_copy_bytes(form: FormCopy, profile: str | None = None, width_mm: int = 80) -> bytes:
    """The exact ESC/POS bytes of a consultation-form copy for a printer profile."""
    printer = _dummy(profile)
    render_form_copy(printer, form, width_mm)
    return printer.output


def slip_text(slip: TicketSlip, width_mm: int = 80, profile: str | None = None) -> str:
    """The ticket as plain text, for the console or a preview (`profile`: as on that printer's paper)."""
    return _text(partial(_ticket_layout, slip), width_mm, profile)


def form_copy_text(form: FormCopy, width_mm: int = 80, profile: str | None = None) -> str:
    """The consultation-form copy as plain text, for the console or a preview (`profile`: as on that printer's
    paper)."""
    return _text(partial(_form_layout, form), width_mm, profile)


def slip_lines(slip: TicketSlip | FormCopy, width_mm: int = 80, profile: str | None = None) -> int:
    """About how many lines of text a ticket or a form copy takes on the paper of a printer (`profile`): how long it
    takes to come out (printers.transport.printing_seconds). A ticket is 25-30; a form copy some 40, or hundreds with
    a long problem and answer."""
    layout = partial(_form_layout, slip) if isinstance(slip, FormCopy) else partial(_ticket_layout, slip)
    return _paper_lines(layout, width_mm, profile)
