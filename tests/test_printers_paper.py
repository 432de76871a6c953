"""The ticket and the form copy on a cheap thermal printer's paper: the ESC/POS bytes a printer receives read back
line by line, each line measured in the columns of the font it is printed in, with the longest values the forms
and config.toml allow, and the text people really type or paste."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import qrcode
from fakeprinter import FakeNetworkPrinter
from hypothesis import given, settings
from hypothesis import strategies as st

from printers import (
    FormCopy,
    TicketSlip,
    form_copy_bytes,
    form_copy_text,
    print_form_copy,
    print_ticket,
    slip_text,
    ticket_bytes,
)
from printers.slips import MAX_SPELLED, to_ascii
from server.config import _TEXT_LIMITS, _TEXT_MAX
from server.forms import LIMITS

WIB = ZoneInfo("Asia/Jakarta")
ESC, GS = 0x1B, 0x1D

# (profile, paper, its columns of Font A and Font B): the cheap printers of an office: python-escpos's default (no
# profile set), a 203 dpi 80 mm (TM-T20II, Xprinter XP-80), a 58 mm without a QR command (POS-5890, Xprinter XP-58),
# and 180 dpi 80 mm ones with 42 columns (Epson TM-T81, TM-T88 to V and their clones: TM-T88V; an Epson in its 42-column
# mode)
PRINTERS = [
    (None, 58, (32, 42)),
    (None, 80, (48, 64)),
    ("TM-T20II", 80, (48, 64)),
    ("POS-5890", 58, (32, 42)),
    ("TM-T88V", 80, (42, 56)),
    ("TM-T20II-42col", 80, (42, 60)),
    # the docs' profile for a printer without a QR command on an 80 mm one: the paper's columns, not a 58 mm printer's
    ("POS-5890", 80, (48, 64)),
    ("simple", 58, (32, 42)),  # python-escpos's profile of a printer it knows nothing of: no QR command, no cutter
    ("simple", 80, (48, 64)),
]
PRINTER_IDS = [f"{profile or 'default'}-{width}mm" for profile, width, _ in PRINTERS]
DOTS = {None: None, "TM-T88V": 512, "TM-T20II-42col": 546}  # dots across, where not the paper's (384, 576)

WORDS = "Pengadaan Barang/Jasa Pemerintah Kabupaten Kepulauan Selatan Dinas Pekerjaan Umum dan Penataan Ruang".split()


def text_of(length: int, start: int = 0) -> str:
    """Indonesian words up to `length` characters, no word cut."""
    out: list[str] = []
    i = start
    while len(" ".join([*out, WORDS[i % len(WORDS)]])) <= length:
        out.append(WORDS[i % len(WORDS)])
        i += 1
    return " ".join(out)


def longest_slip() -> TicketSlip:
    return TicketSlip(
        office_name=text_of(_TEXT_LIMITS["office.name"]),
        office_address=text_of(_TEXT_LIMITS["office.address"], 3),
        label="ABC-9999",  # a prefix of 3 capitals, a number past 999
        service_name=text_of(_TEXT_LIMITS["services.name"], 5),
        issued_at=datetime(2026, 9, 30, 23, 59, tzinfo=WIB),  # "Rabu, 30 September 2026 23.59 WIB"
        ahead=999,
        qr_url="https://antrian.lpse.kabupatenkepulauanselatan.go.id:8443/t/AbCdEfGhIjKlMnOp",
        footer=text_of(_TEXT_LIMITS["kiosk.footer"], 7),
        priority=True,
        reprint=True,
    )


def longest_form() -> FormCopy:
    return FormCopy(
        office_name=text_of(_TEXT_LIMITS["office.name"]),
        label="ABC-9999",
        consulted_at=datetime(2026, 9, 30, 23, 59, tzinfo=WIB),
        name=text_of(LIMITS["name"], 1),
        agency=text_of(LIMITS["agency"], 2),
        address=text_of(LIMITS["address"], 4),
        phone="+62 (0)812-3456-7890",
        problem=text_of(LIMITS["problem"], 6),
        category="Pertanyaan",
        solution=text_of(LIMITS["solution"], 2),
        escalation_note=text_of(LIMITS["escalation_note"], 3),
        lkpp_ticket=text_of(LIMITS["lkpp_ticket"], 8),
        lkpp_answer=text_of(LIMITS["answer"], 4),
        officer=text_of(LIMITS["full_name"], 8),
        officer_nip="19850101 201001 1 001",
        counter_name=text_of(_TEXT_LIMITS["counters.name"], 9),
        survey_url="https://antrian.lpse.kabupatenkepulauanselatan.go.id:8443/t/AbCdEfGhIjKlMnOp?survey=1",
    )


def qr_dots(data: bytes, module: int) -> int:
    """How many dots across a printer draws the QR code of `data` (GS ( k) at `module` dots a module: the smallest
    version that holds it as bytes at error correction L, as python-escpos asks, with no quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=0)
    code.add_data(qrcode.util.QRData(data, mode=qrcode.util.MODE_8BIT_BYTE))
    code.make(fit=True)
    return (17 + 4 * code.version) * module


def printed_lines(data: bytes) -> list[tuple[str, int, int]]:
    """What the printer prints, line by line: (text, the columns it takes, the font: 0 A or 1 B)."""
    return read_paper(data)[0]


def read_paper(data: bytes) -> tuple[list[tuple[str, int, int]], list[int]]:
    """What the printer prints: its lines (printed_lines) and the width in dots of each picture and QR code, read
    from the ESC/POS commands this package sends (a command it does not send fails the reading)."""
    lines: list[tuple[str, int, int]] = []
    widths: list[int] = []
    module = 3  # GS ( k's default module size
    font, size, text = 0, 1, bytearray()
    i = 0
    while i < len(data):
        b = data[i]
        if b == ESC:
            command = data[i + 1 : i + 2]
            if command == b"@":
                font, size, i = 0, 1, i + 2
                continue
            assert command in (b"a", b"E", b"M", b"t", b"d"), f"ESC {command!r} at {i}"
            # code page 0 (PC437), the one every printer has: ESC t 1 is CP932 (Japanese) on a POS-5890
            assert command != b"t" or data[i + 2] == 0, f"ESC t {data[i + 2]} at {i}"
            if command == b"M":
                font = data[i + 2] & 1
            i += 3
        elif b == GS:
            command = data[i + 1 : i + 2]
            if command == b"!":
                size, i = (data[i + 2] >> 4) + 1, i + 3
            elif command == b"V":
                i += 3 if data[i + 2] in (0, 1, 48, 49) else 4
            elif command == b"(":  # GS ( k: a QR code command: fn 67 its module size, fn 80 its data
                end = i + 5 + int.from_bytes(data[i + 3 : i + 5], "little")
                if data[i + 6 : i + 7] == b"C":
                    module = data[i + 7]
                elif data[i + 6 : i + 7] == b"P":
                    widths.append(qr_dots(data[i + 8 : end], module))
                i = end
            elif command == b"v":  # GS v 0: a raster image
                width, height = (
                    int.from_bytes(data[i + 4 : i + 6], "little"),
                    int.from_bytes(data[i + 6 : i + 8], "little"),
                )
                widths.append(width * 8)
                i += 8 + width * height
            else:
                raise AssertionError(f"GS {command!r} at {i}")
        elif b == 0x0A:
            lines.append((text.decode("ascii"), len(text) * size, font))
            text, i = bytearray(), i + 1
        else:
            assert 0x20 <= b <= 0x7E, f"byte {b:#x} at {i} printed as text"
            text.append(b)
            i += 1
    assert not text, "text after the last line feed is never printed"
    return lines, widths


@pytest.mark.parametrize(("profile", "width", "columns"), PRINTERS, ids=PRINTER_IDS)
def test_every_line_of_the_longest_ticket_and_form_copy_fits_the_printers_columns(profile, width, columns):
    """Every text at its longest allowed length (the forms' LIMITS, config.toml's), on each printer: no line
    takes more columns than the printer has in its font, so the printer never breaks one itself (mid-word, or a
    rule of dashes on two lines). A 180 dpi Epson TM-T88 (or a clone) has 42 columns on 80 mm paper, not
    48: the 48-column lines of a TM-T88V profile each came out as two, the second holding a word's tail."""
    dots = DOTS.get(profile) or {58: 384, 80: 576}[width]
    for data in (ticket_bytes(longest_slip(), profile, width), form_copy_bytes(longest_form(), profile, width)):
        lines, pictures = read_paper(data)
        too_long = [(line, used, font) for line, used, font in lines if used > columns[font]]
        assert too_long == [], f"{columns}: {too_long[:3]}"
        assert ("-" * columns[0], columns[0], 0) in lines  # the rule: the paper's whole width, on one line
        assert len(pictures) == 1 and pictures[0] <= dots  # the QR code (a command or a picture) fits across


@pytest.mark.parametrize("length", [330, _TEXT_MAX])  # public_url: some 300 characters, the longest allowed
@pytest.mark.parametrize(("profile", "width", "columns"), PRINTERS, ids=PRINTER_IDS)
def test_the_qr_code_of_a_long_public_url_fits_the_paper(profile, width, columns, length):
    """A printer's own QR code (GS ( k) was drawn 6 dots a module whatever its length: from some 300 characters
    of public_url on, the code was wider than 58 mm paper's 384 dots, and a printer leaves such a code out (Epson)
    or cuts it. Its modules are made smaller to fit, as a QR code drawn as a picture's are."""
    dots = DOTS.get(profile) or {58: 384, 80: 576}[width]
    url = ("https://antrian.lpse.example.go.id/" + "x" * length)[:length] + "/t/AbCdEfGhIjKlMnOp"
    for data in (
        ticket_bytes(dataclasses.replace(longest_slip(), qr_url=url), profile, width),
        form_copy_bytes(dataclasses.replace(longest_form(), survey_url=url + "?survey=1"), profile, width),
    ):
        pictures = read_paper(data)[1]
        assert len(pictures) == 1 and pictures[0] <= dots, pictures


@pytest.mark.parametrize(("profile", "width", "columns"), PRINTERS, ids=PRINTER_IDS)
def test_no_word_of_the_longest_texts_is_cut_and_nothing_is_left_out(profile, width, columns):
    """Each word of every field is on the paper whole, in its order: lines are broken at spaces only (the words
    are shorter than a line), and no field is shortened."""
    form = longest_form()
    printed = " ".join(line for line, _, _ in printed_lines(form_copy_bytes(form, profile, width)))
    words = printed.split()
    for value in (form.name, form.agency, form.address, form.problem, form.solution, form.escalation_note):
        assert " ".join(value.split()) in " ".join(words), value[:40]
    slip = longest_slip()
    printed = " ".join(" ".join(line.split()) for line, _, _ in printed_lines(ticket_bytes(slip, profile, width)))
    for value in (slip.office_name, slip.office_address, slip.service_name, slip.footer):
        assert value in printed, value[:40]
    assert "ABC-9999" in printed


@pytest.fixture(scope="module")
def network_printer():
    printer = FakeNetworkPrinter()
    yield printer
    printer.stop()


@pytest.mark.parametrize(("profile", "width", "columns"), PRINTERS, ids=PRINTER_IDS)
def test_every_paper_through_a_network_printer_selects_pc437_fills_the_paper_and_ends_in_a_cut(
    network_printer, profile, width, columns
):
    """The kiosk's ticket, the front office's reprint and the counter's form copy, with the longest real inputs and
    what phones type, sent over TCP to a printer of each profile at each width, read back from the bytes it got: the
    code page selected once, PC437 (ESC t 0: python-escpos's encoder chose ESC t 1, CP932, for a POS-5890); lines of
    the paper's columns (a POS-5890 profile on 80 mm paper printed 32 of its 48: each slip a third longer); a QR
    code drawn by a printer whose profile has the command, else as a picture; no "?" for a character of an ASCII
    form; the cut at the end (none went to a POS-5890 or "simple" printer); no blank line fed after a last QR code."""
    cfg = network_printer.config(profile=profile, width_mm=width, check_status=False)
    typed = "Siti Nur\u2019aini Ma\u02bfruf \u2014 \u201cIbu\u201d Ni\u00f1o D\u00e9d\u00e9 \U0001f44d\U0001f3fd \u23f0"
    form = dataclasses.replace(longest_form(), name=typed[:100], problem=f"{typed} {longest_form().problem}"[:2000])
    slip = longest_slip()
    native = profile not in ("POS-5890", "simple")
    for send, paper in (
        (print_ticket, dataclasses.replace(slip, reprint=False, priority=False)),
        (print_ticket, slip),  # the reprint
        (print_form_copy, form),
    ):
        before, closes = len(network_printer.received), network_printer.closes
        send(cfg, paper)
        data = network_printer.wait_for_closes(closes + 1)[before:]
        assert data.startswith(b"\x1b@") and b"\x1bt\x00" in data
        lines, pictures = read_paper(data)  # no ESC t but 0
        assert ("-" * columns[0], columns[0], 0) in lines
        assert max(used for _, used, font in lines if font == 0) > columns[0] - 8  # the paper's width is used
        assert [line for line in lines if line[1] > columns[line[2]]] == []
        assert not any("?" in line for line, _, _ in lines)
        assert (b"\x1d(k" in data) is native and len(pictures) == 1
        assert data.endswith(b"\x1bd\x06\x1dV\x00")
    printed = " ".join(" ".join(line for line, _, _ in lines).split())
    assert "a. Nama: Siti Nur'aini Ma'ruf - \"Ibu\" Nino Dede b. Nama Instansi" in printed
    # the survey's QR code is the last thing: the feed before the cut follows it, no blank line (one goes before it)
    if native:
        after = data[data.rindex(b"\x1d(k\x03\x001Q0") + 8 :]
    else:
        at = data.index(b"\x1dv0\x00")  # the one picture, its header before its rows
        after = data[
            at + 8 + int.from_bytes(data[at + 4 : at + 6], "little") * int.from_bytes(data[at + 6 : at + 8], "little") :
        ]
    assert b"\n" not in after and after.endswith(b"\x1bd\x06\x1dV\x00"), after


@pytest.mark.parametrize(("profile", "width"), [(None, 58), ("POS-5890", 80)])
def test_the_cli_test_slip_names_the_profile_and_the_line_for_a_printer_without_a_qr_command(
    network_printer, tmp_path, profile, width
):
    """`printer test`, the admin's first slip from a cheap printer, through the real CLI over TCP: it named the
    paper's width alone, and on a printer whose firmware has no QR command (GS ( k) the QR code came out as garbage
    or nothing, and nothing on the paper said which setting mends it. It now names the profile, and while the QR
    code is sent as the printer's command, the line to write if none came out; as a picture (POS-5890), no such
    line."""
    from conftest import write_config
    from live import server_command

    table = f'type = "network"\nhost = "127.0.0.1"\nport = {network_printer.port}\nwidth_mm = {width}'
    table += "\ncheck_status = false" + (f'\nprofile = "{profile}"' if profile else "")
    cfg = write_config(tmp_path, {'[printers.kiosk]\ntype = "dummy"': f"[printers.kiosk]\n{table}"})
    before, closes = len(network_printer.received), network_printer.closes
    r = server_command(["printer", "test", "kiosk", "--config", str(cfg)])
    assert r.returncode == 0, r.stderr
    data = network_printer.wait_for_closes(closes + 1)[before:]
    lines, pictures = read_paper(data)
    printed = " ".join(" ".join(line for line, _, _ in lines).split())
    assert f"kertas {width} mm, profil {profile or 'default'}." in printed
    hint = "Tidak ada kode QR di atas (kosong atau huruf acak)? Printer ini tidak punya perintah kode QR: tulis"
    hint += ' profile = "POS-5890" di [printers.kiosk].'
    assert (hint in printed) is (profile is None)
    assert len(pictures) == 1 and (b"\x1d(k" in data) is (profile is None)
    assert data.endswith(b"\x1bd\x06\x1dV\x00")


@pytest.mark.parametrize(("profile", "width", "columns"), PRINTERS, ids=PRINTER_IDS)
def test_the_plain_text_copy_is_as_wide_as_the_paper(profile, width, columns):
    """The text the console shows (echo) and a print agent's preview has the paper's columns of that printer."""
    for text in (slip_text(longest_slip(), width, profile), form_copy_text(longest_form(), width, profile)):
        assert max(len(line) for line in text.splitlines()) == columns[0]


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("Jum\u2019at \u2018pagi\u2019", "Jum'at 'pagi'"),  # a phone's curly apostrophe and quotes
        ("\u201cCV Maju\u201d \u00abJaya\u00bb", '"CV Maju" "Jaya"'),
        ("08.00\u201316.00 \u2014 istirahat", "08.00-16.00 - istirahat"),
        ("e\u2011katalog, non\u2010tender", "e-katalog, non-tender"),  # a word processor's (non-breaking) hyphens
        ("Andr\u00e9 M\u00fcller", "Andre Muller"),
        ("Andre\u0301 Mu\u0308ller", "Andre Muller"),  # combining accents
        ("Rp\u00a01.500.000", "Rp 1.500.000"),  # a non-breaking space
        ("\u2022 satu \u2022 dua", "- satu - dua"),  # bullets pasted from a document
        ("Terima kasih \U0001f64f\U0001f3fd", "Terima kasih"),  # emoji (with a skin tone): no "?" after it
        ("Budi \u2764\ufe0f\U0001f600 Santoso", "Budi Santoso"),  # no gap where they were
        ("Rapat \u23f0 10.00 \u25b6\ufe0f Zoom", "Rapat 10.00 Zoom"),  # a phone's emoji of the BMP ("?" before)
        ("Ma\u02bfruf Syafi\u02bei Nur\u02bcaini", "Ma'ruf Syafi'i Nur'aini"),  # an Arabic name's ain and hamza marks
        ("Jum\u00b4at", "Jum'at"),  # an acute accent typed as the apostrophe (a space before)
        ("Nguy\u1ec5n \u0110\u1ee9c \u0152uvre", "Nguyen Duc OEuvre"),  # letters NFKD has no accent to drop from
        ("peng\u00adadaan da\u200bta", "pengadaan data"),  # a soft hyphen, a zero-width space: no room taken
        ("\u200fAhmad\u200e \ufeffYusuf\u2060", "Ahmad Yusuf"),  # direction marks, a byte-order mark, a joiner
        ("ukuran \u00bd MB \u00d7 2", "ukuran 1/2 MB x 2"),
        ("\u4e2d\u6587 Nama", "?? Nama"),  # no stand-in: a "?" marks each character not printed
        ("\U0001f600\u200d\U0001f44d", "-"),  # nothing of it prints: the dash of an empty field
    ],
)
def test_what_people_type_or_paste_prints_readable_ascii(typed, printed):
    out = form_copy_bytes(dataclasses.replace(longest_form(), name=typed), "POS-5890", 58)
    lines = [line for line, _, _ in printed_lines(out)]
    assert f"a. Nama: {printed}".rstrip() in lines


def test_a_problem_text_pasted_with_tabs_and_runs_of_blank_lines_prints_one_blank_line_between_its_parts():
    """A problem pasted from a chat or a document: its line breaks kept, a tab a space, but a dozen empty lines
    between two parts (each one a line of paper) only one."""
    problem = "Tidak bisa login.\n\n\n\n\n \n\t\n\n\n\n\n\nPesan:\t\u201cuser terkunci\u201d\r\n\n\n\n\nMohon bantuan."
    form = dataclasses.replace(longest_form(), problem=problem.replace("\r\n", "\n"))  # as the form stores it
    lines = [line for line, _, _ in printed_lines(form_copy_bytes(form, "TM-T20II", 80))]
    start = lines.index("Tidak bisa login.")
    assert lines[start : start + 5] == ["Tidak bisa login.", "", 'Pesan: "user terkunci"', "", "Mohon bantuan."]


def test_a_form_copy_of_every_awkward_character_goes_out_whole_to_a_network_printer():
    """Every character above in every field, and the signature's room kept: the printer receives the whole copy
    as printable ASCII (a code page's unknown character neither stops the print nor loses the copy)."""
    awkward = "Jum\u2019at \u201cCV\u201d \u2013 \u00e9\u00fc\u00a0\t\U0001f64f\u200b\u200f\u0301\u00ad\u4e2d \u2022"
    form = dataclasses.replace(
        longest_form(),
        **{f: awkward for f in ("name", "agency", "address", "problem", "solution", "officer", "counter_name")},
    )
    printer = FakeNetworkPrinter()
    try:
        print_form_copy(printer.config(check_status=False, profile="POS-5890", width_mm=58), form)
        received = printer.wait_for_close()
    finally:
        printer.stop()
    assert received == form_copy_bytes(form, "POS-5890", 58)
    lines = [line for line, _, _ in printed_lines(received)]
    assert 'a. Nama: Jum\'at "CV" - eu  ? -' in lines
    assert re.search(rb"Pemberi Penjelasan:\n\n\n\n\( ", received)  # the room for the signature, as before


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_prints_as_printable_ascii_of_at_most_four_characters_each(text):
    """Whatever is typed or pasted (any Unicode, control characters among it) reaches the printer as printable ASCII
    and line breaks only, never an ESC/POS command, and at most MAX_SPELLED characters for each one typed: NFKD had
    spelled U+FDFA out as 18 ("???? ????? ???? ????"), so that a form of 200 such characters took 3,600 columns."""
    printed = to_ascii(text)
    assert all(ch == "\n" or " " <= ch <= "~" for ch in printed), printed
    assert len(printed) <= MAX_SPELLED * len(text), (text, printed)


def test_a_character_spelled_out_at_length_prints_as_one_mark():
    assert to_ascii("\ufdfa") == "?" and to_ascii("Nama \ufdfb") == "Nama ?"
    assert to_ascii("\u2474 \u2025") == "(1) .."  # short spellings are kept
