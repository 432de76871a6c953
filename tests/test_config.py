"""config.toml: the demo file loads; a bad or missing value stops the start naming the key."""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT, login, mounted_tmpfs, write_config
from live import server_command

from server import admin, config, i18n
from server.config import ConfigError, load_settings
from server.errors import FormIncomplete


def test_demo_config_is_the_realistic_office():
    s = load_settings(ROOT / "config.toml")
    assert [(x.code, x.name) for x in s.services] == [
        ("A", "Konsultasi Penyedia"),
        ("B", "Konsultasi Non-Penyedia (PPK/Pokja/PP)"),
        ("C", "Registrasi & Verifikasi Akun"),
    ]
    assert [(c.name, c.services) for c in s.counters] == [
        ("Loket 1", ("A", "C")),
        ("Loket 2", ("A", "B")),
        ("Loket 3", ("B", "C")),
    ]
    assert (s.queue.max_calls, s.queue.max_requeues, s.office.timezone) == (3, 1, "Asia/Jakarta")
    assert s.sla.service_minutes == 30
    assert s.printers["kiosk"].type == "file" and s.printers["kiosk"].path.startswith(str(ROOT))


BAD = [
    ({"max_calls = 3 ": "max_calls = 0 "}, "queue.max_calls"),
    ({"max_calls = 3 ": 'max_calls = "tiga" '}, "queue.max_calls"),
    ({'timezone = "Asia/Jakarta"': 'timezone = "Asia/Atlantis"'}, "office.timezone"),
    ({'public_url = "http://127.0.0.1:8080"': 'public_url = "lpse.local"'}, "office.public_url"),
    ({'services = ["A", "C"]': 'services = ["A", "Z"]'}, "the 1st [[counters]] (id = 1), key services"),
    ({"id = 2\n": "id = 1\n"}, "the 2nd [[counters]] (id = 1), key id"),
    ({'code = "B"': 'code = "A"'}, 'the 2nd [[services]] (code = "A"), key code'),
    ({'code = "C"': 'code = "c1"'}, 'the 3rd [[services]] (code = "c1"), key code'),
    ({'printer = "kiosk"': 'printer = "lantai2"'}, "kiosk.printer"),
    ({'type = "dummy"': 'type = "laser"'}, "printers.kiosk"),
    ({'security = "none"': 'security = "tls"'}, "escalation.security"),
    ({"rate = 150": "rate = 5"}, "tts.rate"),
    ({"rate = 150": 'rate = 150\nplayer = "aplay -D null"'}, "tts.player"),  # a list of words, not a line
    ({"rate = 150": 'rate = 150\nplayer = ["aplay", " "]'}, "tts.player"),
    (
        {'template = "Nomor antrian, {letter}, {number}. Silakan menuju, {counter}."': 'template = "Nomor {nomor}"'},
        "tts.template",
    ),
    ({"service_minutes = 30": "service_minutes = -1"}, "sla.service_minutes"),
    ({"port = 8080": "port = 70000"}, "server.port"),
    (
        {"target_minutes = 60": "target_minutes = true"},
        'the 1st [[priority_classes]] (code = "P1"), key target_minutes',
    ),
    ({"[queue]": "[queue]\nmax_call = 3"}, "queue.max_call"),
    ({'public_url = "http://127.0.0.1:8080"': 'public_url = "http://"'}, "office.public_url"),
    ({'public_url = "http://127.0.0.1:8080"': 'public_url = "http://lpse kota.local"'}, "office.public_url"),
    ({'public_url = "http://127.0.0.1:8080"': 'public_url = "http://127.0.0.1:80x80"'}, "office.public_url"),
    ({"[escalation]": '[escalation]\npassword_env = "kata sandi"'}, "escalation.password_env"),
    ({"exempt = []": "exempt = [3232235777]"}, "limits.exempt"),  # a number is not an address
    ({"addresses = []": "addresses = [1]"}, "kiosk.addresses"),
    (
        {'name = "Konsultasi Non-Penyedia (PPK/Pokja/PP)"': 'name = "konsultasi penyedia"'},
        'the 2nd [[services]] (code = "B"), key name',
    ),
    ({'name = "Loket 2"': 'name = "LOKET 1"'}, "the 2nd [[counters]] (id = 2), key name"),
    ({'services = ["A", "C"]': 'services = ["A", "A"]'}, "the 1st [[counters]] (id = 1), key services"),
    ({'[printers.kiosk]\ntype = "dummy"': '[printers.kiosk]\ntype = "network"\nhost = "   "'}, "printers.kiosk.host"),
    ({'[printers.kiosk]\ntype = "dummy"': '[printers.kiosk]\ntype = "network"\nhost = "a b"'}, "printers.kiosk.host"),
    ({'[printers.kiosk]\ntype = "dummy"': '[printers.kiosk]\ntype = "file"\npath = "/tmp"'}, "printers.kiosk.path"),
]


@pytest.mark.parametrize("replace,key", BAD, ids=[k for _, k in BAD])
def test_bad_value_names_its_key(tmp_path, replace, key):
    path = write_config(tmp_path, replace)
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert str(err.value).startswith(key), str(err.value)


def test_a_time_zone_written_as_wib_says_what_to_write(tmp_path):
    """config.toml's comment and every Indonesian say "WIB": the refusal names the zone to write."""
    with pytest.raises(ConfigError) as err:
        load_settings(write_config(tmp_path, {'timezone = "Asia/Jakarta"': 'timezone = "WIB"'}))
    assert str(err.value).startswith("office.timezone: unknown time zone 'WIB'")
    assert '"Asia/Jakarta" for WIB' in str(err.value) and '"Asia/Makassar" for WITA' in str(err.value)
    assert '"Asia/Jakarta" untuk WIB' in err.value.problem.id_text


# (template, its Indonesian problem, its English one): the placeholder named the same way in both
TEMPLATES_REFUSED = [
    (
        "Nomor {nomor}",
        "penanda {nomor} tidak dikenal; pakai hanya {letter}, {number} dan {counter}",
        "unknown placeholder {nomor}; use only {letter}, {number} and {counter}",
    ),
    ("Nomor {letter} {number:03d} {counter}", "penanda {number:03d} tidak dikenal", "unknown placeholder {number:03d}"),
    ("Nomor {letter} {number} {counter", "kurung kurawalnya tidak berpasangan", "has unbalanced braces"),
    (
        "Nomor {{x}} {letter} {number} {counter}",
        "kurung kurawal hanya boleh mengapit {letter}, {number} dan {counter}",
        "braces are only allowed around {letter}, {number} and {counter}",
    ),
    ("Nomor {number}", "belum memuat {counter}, {letter}", "is missing {counter}, {letter}"),
]


@pytest.mark.parametrize("key", ["template", "template_en"])
@pytest.mark.parametrize(
    ("template", "id_words", "en_words"), TEMPLATES_REFUSED, ids=[t for t, _, _ in TEMPLATES_REFUSED]
)
def test_a_bad_announcement_template_is_refused_in_both_languages(tmp_path, key, template, id_words, en_words):
    """[tts] template's refusal (server.tts.validate_template) was said in English alone, on the
    Indonesian line too."""
    raw = demo_raw()
    raw["tts"][key] = template
    with pytest.raises(ConfigError) as err:
        config.parse_settings(raw, base_dir=tmp_path)
    assert str(err.value).startswith(f"tts.{key}: announcement template {template!r}"), str(err.value)
    assert en_words in str(err.value), str(err.value)
    assert err.value.key == f"tts.{key}" and err.value.problem is not None
    said = err.value.problem.id_text
    assert said.startswith(f"templat pengumuman {template!r}") and id_words in said, said


def test_the_command_line_says_a_bad_template_in_indonesian_first_and_exits_2(tmp_path):
    old = 'template = "Nomor antrian, {letter}, {number}. Silakan menuju, {counter}."'
    cfg = write_config(tmp_path, {old: 'template = "Nomor {nomor}, {letter} {number} {counter}"'})
    r = server_command(["users", "list", "--config", str(cfg)])
    assert r.returncode == 2 and "Traceback" not in r.stderr, (r.returncode, r.stderr)
    assert r.stderr.splitlines() == [
        "kesalahan konfigurasi: tts.template: templat pengumuman 'Nomor {nomor}, {letter} {number} {counter}':"
        " penanda {nomor} tidak dikenal; pakai hanya {letter}, {number} dan {counter}",
        "config error: tts.template: announcement template 'Nomor {nomor}, {letter} {number} {counter}':"
        " unknown placeholder {nomor}; use only {letter}, {number} and {counter}",
    ], r.stderr


def test_the_server_side_player_is_a_command_as_words(tmp_path):
    assert load_settings(write_config(tmp_path)).tts.player == ()  # aplay or paplay, found at run time
    path = write_config(tmp_path, {"rate = 150": 'rate = 150\nplayer = ["aplay", "-q", "-D", "plughw:1,0"]'})
    assert load_settings(path).tts.player == ("aplay", "-q", "-D", "plughw:1,0")


def test_missing_section_and_key(tmp_path):
    path = write_config(tmp_path)
    text = path.read_text()
    path.write_text(text.replace('name = "LPSE Kabupaten Contoh"\n', ""))
    with pytest.raises(ConfigError, match=r"^office\.name: missing"):
        load_settings(path)
    path.write_text("\n".join(line for line in text.splitlines() if not line.startswith("[[counters]]")))
    with pytest.raises(ConfigError):
        load_settings(path)


@pytest.mark.parametrize(
    ("replace", "expected", "indonesian"),
    [
        # a line under the wrong heading: the key is right, its table is not
        (
            {"port = 8080": 'port = 8080\ntimezone = "Asia/Makassar"'},
            "server.timezone: not known here: this key belongs under [office]",
            "server.timezone: tidak dikenal di sini: kunci ini tempatnya di bawah [office]",
        ),
        (
            {'language = "id"': 'language = "id"\nsaturday = ""'},
            "office.saturday: not known here: this key belongs under [hours]",
            "office.saturday: tidak dikenal di sini: kunci ini tempatnya di bawah [hours]",
        ),
        (
            {'services = ["A", "C"]': 'services = ["A", "C"]\ndaily_quota = 3'},
            "the 1st [[counters]] (id = 1), key daily_quota: not known here: this key belongs under [[services]]",
            "[[counters]] ke-1 (id = 1), kunci daily_quota: tidak dikenal di sini: kunci ini tempatnya di bawah"
            " [[services]]",
        ),
        (
            {'language = "id"': 'language = "id"\nhost = "0.0.0.0"'},
            "office.host: not known here: this key belongs under [server], [printers.*] or [escalation]",
            "office.host: tidak dikenal di sini: kunci ini tempatnya di bawah [server], [printers.*] atau [escalation]",
        ),
        # before the first heading
        (
            {"[office]": 'timezone = "Asia/Makassar"\n[office]'},
            "timezone: not known here: this key belongs under [office]",
            "timezone: tidak dikenal di sini: kunci ini tempatnya di bawah [office]",
        ),
        # appended at the end of the file: into [agents], its last table, which took it for a printer's name
        (
            {'# kiosk = "ANTRIAN_AGENT_TOKEN"': '# kiosk = "ANTRIAN_AGENT_TOKEN"\nbackup_dir = "/mnt/usb/antrian"'},
            "agents.backup_dir: not known here: this key belongs under [server]",
            "agents.backup_dir: tidak dikenal di sini: kunci ini tempatnya di bawah [server]",
        ),
    ],
    ids=["server.timezone", "office.saturday", "counters.daily_quota", "office.host", "top", "agents.backup_dir"],
)
def test_a_key_under_the_wrong_heading_is_told_where_it_belongs(tmp_path, replace, expected, indonesian):
    """An admin adding a line (backup_dir, timezone, a day's hours) under another table's heading, or at the end
    of config.toml, was told "unknown key", or "names no [printers.*] table" in [agents], and went looking for a
    typo in a key written right: the refusal names the table the key belongs under."""
    with pytest.raises(ConfigError) as err:
        load_settings(write_config(tmp_path, replace))
    assert str(err.value) == expected
    assert err.value.said().id_text == indonesian


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        ("0.0.0.0", True),
        ("::", True),
        ("192.168.1.10", True),
        ("localhost", True),
        ("lpse-server.local", True),
        ("0.0.0.0:8080", False),
        ("http://192.168.1.10", False),
        ("127.0.0.1 8080", False),
        ("192.168.1", False),  # an address missing a part, which the C library takes for 192.168.0.1
        ("[::]", False),
        ("", False),
    ],
)
def test_the_servers_host_is_an_address_or_a_name_without_a_port(tmp_path, host, ok):
    """[server] host = "0.0.0.0:8080" (or an address with http://) was looked up as a host name at the start:
    "Name or service not known", exit 2, which systemd restarts every 3 s for ever, the key not named."""
    path = write_config(tmp_path, {'host = "127.0.0.1"\nport': f'host = "{host}"\nport'})
    if ok:
        assert load_settings(path).server.host == host
        return
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert str(err.value).startswith("server.host: must be an IP address of this PC or a host name, with no port")
    assert err.value.problem.id_text.startswith("harus alamat IP PC ini atau nama host, tanpa port")


def test_serve_refuses_a_host_with_a_port_as_a_config_error(tmp_path):
    """Exit 78, which the unit of `make service` does not restart, naming the key in Indonesian first."""
    path = write_config(tmp_path, {'host = "127.0.0.1"\nport': 'host = "0.0.0.0:8080"\nport'})
    r = server_command(["serve", "--config", str(path)], timeout=30)
    assert r.returncode == 78, r.stderr
    said = r.stderr.splitlines()
    assert said[0].startswith("kesalahan konfigurasi: server.host: harus alamat IP PC ini atau nama host"), r.stderr
    assert said[1].startswith("config error: server.host: must be an IP address"), r.stderr
    assert len(said) == 2 and "Traceback" not in r.stderr


def test_serve_names_a_bad_counter_as_the_admin_counts_the_files_counters(tmp_path):
    """The third [[counters]] of config.toml, a name left empty, was named "counters[2].name": counted from 0,
    which an admin counting the headings reads as the second. Named from 1, with its id, in both languages."""
    path = write_config(tmp_path, {'name = "Loket 3"': 'name = ""'})
    r = server_command(["serve", "--config", str(path)], timeout=30)
    assert r.returncode == 78, r.stderr
    assert r.stderr.splitlines() == [
        "kesalahan konfigurasi: [[counters]] ke-3 (id = 3), kunci name: tidak boleh kosong (isian: '')",
        "config error: the 3rd [[counters]] (id = 3), key name: must not be empty (got '')",
    ], r.stderr


@pytest.mark.parametrize(
    ("table", "index", "item", "indonesian", "english"),
    [
        ("counters", 0, {"name": "Loket 1"}, "[[counters]] ke-1, kunci name", "the 1st [[counters]], key name"),
        ("counters", 1, {"id": 2}, "[[counters]] ke-2 (id = 2), kunci name", "the 2nd [[counters]] (id = 2), key name"),
        (
            "services",
            10,
            {"code": "K"},
            '[[services]] ke-11 (code = "K"), kunci name',
            'the 11th [[services]] (code = "K"), key name',
        ),
        ("services", 11, {}, "[[services]] ke-12, kunci name", "the 12th [[services]], key name"),
        (
            "priority_classes",
            12,
            [],
            "[[priority_classes]] ke-13, kunci name",
            "the 13th [[priority_classes]], key name",
        ),
        (
            "services",
            20,
            {"code": 5},
            "[[services]] ke-21 (code = 5), kunci name",
            "the 21st [[services]] (code = 5), key name",
        ),
        ("counters", 22, {"id": True}, "[[counters]] ke-23, kunci name", "the 23rd [[counters]], key name"),
    ],
)
def test_an_entry_of_an_array_of_tables_is_counted_from_one_with_its_id(table, index, item, indonesian, english):
    where = config._entry_where(table, index, item, ".name")
    assert where.id_text == indonesian
    assert where.en_text == english


@pytest.mark.parametrize(
    ("section", "key", "typo", "expected"),
    [
        ("office", "name", "nme", "office.nme: unknown key (did you mean name?)"),  # not "office.name: missing"
        ("office", "public_url", "Public_URL", "office.Public_URL: unknown key (did you mean public_url?)"),
        ("queue", "max_calls", "max_call", "queue.max_call: unknown key (did you mean max_calls?)"),
        ("queue", None, "zzz", "queue.zzz: unknown key"),
        ("", "office", "ofice", "ofice: unknown section (did you mean [office]?)"),
        ("", None, "zzz", "zzz: unknown section"),
    ],
)
def test_a_misspelt_key_or_section_is_named_with_the_one_it_misspells(tmp_path, section, key, typo, expected):
    """A key written wrong is named with the key it most likely misspells; a misspelt required key was
    reported as that key missing, which sent the admin looking for a line that is there."""
    raw = demo_raw()
    table = raw[section] if section else raw
    table[typo] = table.pop(key) if key else {"x": 1}
    with pytest.raises(ConfigError) as err:
        config.parse_settings(raw, base_dir=tmp_path)
    assert str(err.value) == expected
    assert err.value.problem.id_text.startswith(("kunci tidak dikenal", "bagian tidak dikenal"))


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        (
            "[server]\nhost = 0.0.0.0\n",
            "line 2: host = 0.0.0.0 — a text value goes in double quotes (a number or true/false without),"
            ' e.g. host = "0.0.0.0"',
        ),
        ("[office]\nname = LPSE Kota\n", 'e.g. name = "LPSE Kota"'),
        # config.toml's lines end in a comment: it stays after the closing quote, not inside the quotes
        (
            "[office]\npublic_url = http://127.0.0.1:8080   # what the QR code on the ticket points to\n",
            'e.g. public_url = "http://127.0.0.1:8080" # what the QR code on the ticket points to',
        ),
        ("[server]\nhost = 0.0.0.0 #all\n", 'e.g. host = "0.0.0.0" #all'),
        ("[office]\nname = 'O'Brien'\n", 'e.g. name = "O\'Brien"'),
        ("[server]\nport = 8080\nport = 8081\n", "line 3: port = 8081 — this key is written twice"),
        ("[office]\n[office]\n", "line 2: [office] — this [section] is written twice"),
        ('[office]\nname = "LPSE\n', "a text's closing quote is missing"),
        ("[office\n", "line 1: [office"),
        # a line copied out of Word or WhatsApp: its curly quotes were kept in the example ("“LPSE Kota”")
        ("[office]\nname = \u201cLPSE Kota\u201d\n", 'type them again as straight quotes ", e.g. name = "LPSE Kota"'),
        ("[office]\nname = \u2018LPSE\u2019   # nama\n", 'e.g. name = "LPSE" # nama'),
        # the USB id as lsusb shows it (ID 0416:5011): the line alone was shown, with nothing to write instead
        (
            '[printers.kiosk]\ntype = "usb"\nvendor_id = 0416\n',
            "line 3: vendor_id = 0416 — a number does not start with 0: a USB id from lsusb (ID 0416:5011) is written in"
            " hexadecimal with 0x before it, no quotes, e.g. vendor_id = 0x0416",
        ),
        ("[server]\nport = 08080\n", "line 2: port = 08080 — a number does not start with 0: write port = 8080"),
        # a leading zero before thousands of digits: int() refused them, a traceback in place of the error (helper-268)
        ("[server]\nport = 0" + "9" * 5000 + "\n", "line 2: port = 0999"),
    ],
)
def test_a_toml_mistake_is_said_with_its_line_and_what_to_write(tmp_path, text, hint):
    """The TOML parser's own words ("Invalid value", "Cannot overwrite a value") mean little to an office's
    admin: the error also shows the line and what is probably wrong with it."""
    bad = tmp_path / "config.toml"
    bad.write_text(text)
    with pytest.raises(ConfigError, match="not valid TOML") as err:
        load_settings(bad)
    assert hint in str(err.value)
    assert str(err.value).endswith(hint) or not hint.startswith("e.g."), str(err.value)  # nothing after the comment
    # and in Indonesian: the same line, what is probably wrong with it in Indonesian, the same example
    assert err.value.key == str(bad) and err.value.problem.id_text.startswith("bukan TOML yang sah: ")
    indonesian = err.value.problem.id_text
    assert "baris " in indonesian and "(at line" not in indonesian and " — a text" not in indonesian, indonesian
    if "e.g. " in hint:
        assert "mis. " + hint.partition("e.g. ")[2] in indonesian, indonesian


@pytest.mark.parametrize(("key", "value", "meant"), [("product_id", "5011", "0x5011"), ("vendor_id", "1046", "0x1046")])
def test_a_usb_id_copied_from_lsusb_without_0x_is_refused_naming_its_line(tmp_path, key, value, meant):
    """product_id = 5011, lsusb's ID 0416:5011 written without its 0x, was taken as the decimal 5011 (0x1393): the
    server started, and `printer test` said the printer was not found and to check that lsusb shows 0416:1393, an id
    the admin never wrote. It is refused, naming its line and what to write; a decimal of five digits, which lsusb
    never shows, is taken as written."""
    ids = {"vendor_id": "0x0416", "product_id": "0x5011", key: value}
    table = '[printers.kiosk]\ntype = "usb"\n' + "".join(f"{k} = {v}  # lsusb\n" for k, v in ids.items())
    path = write_config(tmp_path, {'[printers.kiosk]\ntype = "dummy"': table})
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    said = err.value.said()
    assert str(err.value).startswith(f"printers.kiosk.{key}: line "), str(err.value)
    assert f"{key} = {value}  # lsusb — without 0x" in said.en_text, said.en_text
    assert f"write {key} = {meant}" in said.en_text, said.en_text
    assert said.id_text.startswith(f"printers.kiosk.{key}: baris ") and f"tulis {key} = {meant}" in said.id_text
    decimal = write_config(
        tmp_path, {'[printers.kiosk]\ntype = "dummy"': table.replace(f"{key} = {value}", f"{key} = 20497")}
    )
    assert getattr(load_settings(decimal).printers["kiosk"], key) == 0x5011


@pytest.mark.parametrize(
    ("text", "english", "indonesian"),
    [
        # an invalid day without quotes: tomllib read no date and said only "Unclosed array" (helper-279)
        (
            "[hours]\nholidays = [2026-12-32]\n",
            "Unclosed array (at line 2, column 17); line 2: holidays = [2026-12-32] — 2026-12-32 is no day of the"
            " calendar: December 2026 has 31 days",
            "daftar [...] tidak ditutup (baris 2, kolom 17); baris 2: holidays = [2026-12-32] — 2026-12-32 bukan"
            " tanggal yang ada: Desember 2026 hanya punya 31 hari",
        ),
        (
            "[hours]\nholidays = [2026-12-25, 2027-02-29]\n",
            "Invalid date or datetime (at line 2, column 25); line 2: holidays = [2026-12-25, 2027-02-29] — 2027-02-29"
            " is no day of the calendar: February 2027 has 28 days",
            "tanggal atau waktu tidak sah (baris 2, kolom 25); baris 2: holidays = [2026-12-25, 2027-02-29] —"
            " 2027-02-29 bukan tanggal yang ada: Februari 2027 hanya punya 28 hari",
        ),
        (
            "[hours]\nholidays = [2026-13-01]\n",
            "line 2: holidays = [2026-13-01] — 2026-13-01 is no day of the calendar: there is no month 13 (01-12)",
            "baris 2: holidays = [2026-13-01] — 2026-13-01 bukan tanggal yang ada: bulan 13 tidak ada (01-12)",
        ),
        (
            "[hours]\nholidays = [2026-1-5]\n",
            "line 2: holidays = [2026-1-5] — the month and the day take two digits each: 2026-01-05, not 2026-1-5",
            "baris 2: holidays = [2026-1-5] — bulan dan hari ditulis dua angka: 2026-01-05, bukan 2026-1-5",
        ),
        # a USB id's typo: advised to be quoted as text (vendor_id = "0x04G6"), which is then refused (helper-279)
        (
            '[printers.kiosk]\ntype = "usb"\nvendor_id = 0x04G6\n',
            "line 3: vendor_id = 0x04G6 — a hexadecimal number takes only the digits 0-9 and the letters a-f after 0x:"
            " G is not one of them; check the number again (a USB id as lsusb shows it, ID 0416:5011), without"
            " quotes, e.g. vendor_id = 0x0416",
            "baris 3: vendor_id = 0x04G6 — angka heksadesimal hanya memakai angka 0-9 dan huruf a-f sesudah 0x: G"
            " bukan salah satunya; periksa angkanya lagi (ID USB seperti yang ditampilkan lsusb, ID 0416:5011), tanpa"
            " tanda kutip, mis. vendor_id = 0x0416",
        ),
        (
            '[printers.kiosk]\ntype = "usb"\nproduct_id = 0X5011\n',
            "line 3: product_id = 0X5011 — 0x takes a small x, without quotes: product_id = 0x5011",
            "baris 3: product_id = 0X5011 — 0x ditulis dengan x kecil, tanpa tanda kutip: product_id = 0x5011",
        ),
    ],
)
def test_a_day_of_no_calendar_or_a_hex_typo_is_said_as_what_it_is(tmp_path, text, english, indonesian):
    """`holidays = [2026-12-32]` was said as a list not closed, and `vendor_id = 0x04G6` was advised to be quoted
    as text, which the printer's check then refuses (helper-279): the day that is none and why, the digits a
    hexadecimal number takes, in Indonesian and English."""
    bad = tmp_path / "config.toml"
    bad.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_settings(bad)
    assert err.value.problem.en_text.endswith(english), err.value.problem.en_text
    assert err.value.problem.id_text.endswith(indonesian), err.value.problem.id_text
    assert '"0x04G6"' not in str(err.value) and "Unclosed" not in err.value.problem.id_text


@pytest.mark.parametrize(
    ("day", "english", "indonesian"),
    [
        (
            "2026-12-32",
            "2026-12-32 is no day of the calendar: December 2026 has 31 days",
            "Desember 2026 hanya punya 31",
        ),
        (
            "2026-02-29",
            "2026-02-29 is no day of the calendar: February 2026 has 28 days",
            "Februari 2026 hanya punya 28",
        ),
        (
            "2026-1-5",
            "the month and the day take two digits each: 2026-01-05, not 2026-1-5",
            "2026-01-05, bukan 2026-1-5",
        ),
    ],
)
def test_a_quoted_holiday_of_no_calendar_says_why(tmp_path, day, english, indonesian):
    """In quotes, "2026-12-32" was said not to be written YYYY-MM-DD, which it is: the day it is not, and why."""
    raw = demo_raw()
    raw["hours"]["holidays"] = [day]
    with pytest.raises(ConfigError) as err:
        config.parse_settings(raw, base_dir=tmp_path)
    assert str(err.value) == f"hours.holidays: {english}"
    assert indonesian in err.value.problem.id_text


@pytest.mark.parametrize(
    ("section", "value", "field", "indonesian", "english"),
    [
        ("queue", {"max_calls": None}, "queue.max_calls", "bilangan bulat, bukan null", "an integer, not null"),
        ("office", {"name": None}, "office.name", "teks, bukan null (nilai kosong)", "a string, not null (no value)"),
        ("kiosk", {"addresses": None}, "kiosk.addresses", "daftar, bukan null", "a list, not null"),
        ("kiosk", {"addresses": [None]}, "kiosk.addresses", "null bukan alamat IP", "null is not an IP address"),
        ("hours", {"monday": None}, "hours.monday", "teks, bukan null", "a string, not null"),
    ],
)
def test_a_null_in_a_settings_field_is_said_as_the_admin_wrote_it(
    app, client, section, value, field, indonesian, english
):
    """A null in a PUT /api/admin/settings/<section> body was refused with Python's word ("harus berupa teks, bukan
    None"), which the admin never wrote (helper-279): null, Indonesian then English."""
    h = login(app, client, "boss", "admin")
    if section == "hours":
        value = dict.fromkeys(config.WEEKDAYS, "") | value
    for lang, words in (("id", indonesian), ("en", english)):
        r = client.put(f"/api/admin/settings/{section}", json={"value": value}, headers={**h, "Accept-Language": lang})
        body = r.get_json()
        assert r.status_code == 422 and body["error"] == "config_invalid", body
        assert words in body["fields"][field] and words in body["message"], body
        assert "None" not in body["message"], body


@pytest.mark.parametrize(
    ("replace", "key", "indonesian", "english"),
    [
        (
            {"port = 8080": 'port = "8080"'},
            "server.port",
            "harus berupa bilangan bulat, bukan teks '8080': tulis tanpa tanda kutip, mis. port = 8080",
            "must be an integer, not the text '8080': write it without quotes, e.g. port = 8080",
        ),
        (  # with its leading zero, the example was "port = 08080", which TOML refuses too (helper-268)
            {"port = 8080": 'port = "08080"'},
            "server.port",
            "harus berupa bilangan bulat, bukan teks '08080': tulis tanpa tanda kutip, mis. port = 8080",
            "must be an integer, not the text '08080': write it without quotes, e.g. port = 8080",
        ),
        (
            {"max_calls = 3 ": 'max_calls = "3" '},
            "queue.max_calls",
            "harus berupa bilangan bulat, bukan teks '3': tulis tanpa tanda kutip, mis. max_calls = 3",
            "must be an integer, not the text '3': write it without quotes, e.g. max_calls = 3",
        ),
        (
            {"[tts]\nenabled = true": '[tts]\nenabled = "ya"'},
            "tts.enabled",
            "harus berupa true atau false, bukan teks 'ya': tulis tanpa tanda kutip, mis. enabled = true",
            "must be true or false, not the text 'ya': write it without quotes, e.g. enabled = true",
        ),
        (
            {"addresses = []": 'addresses = "192.168.1.20"'},
            "kiosk.addresses",
            "harus berupa daftar, bukan teks '192.168.1.20': tulis di antara [ dan ], setiap teks di antara tanda"
            ' kutip, mis. addresses = ["192.168.1.20"]',
            "must be a list, not the text '192.168.1.20': write it between [ and ], each text in quotes, e.g."
            ' addresses = ["192.168.1.20"]',
        ),
        (
            {'services = ["A", "C"]': 'services = "A, C"'},
            "the 1st [[counters]] (id = 1), key services",
            "harus berupa daftar, bukan teks 'A, C': tulis di antara [ dan ], setiap teks di antara tanda kutip, mis."
            ' services = ["A", "C"]',
            "must be a list, not the text 'A, C': write it between [ and ], each text in quotes, e.g."
            ' services = ["A", "C"]',
        ),
    ],
)
def test_a_number_true_or_a_list_written_as_text_says_the_line_to_write(tmp_path, replace, key, indonesian, english):
    """`port = "8080"` was "must be an integer, not '8080'": the admin, who sees 8080, did not see that the quotes
    were the mistake; `services = "A, C"` (the advice for `services = A, C`) was "must be a list". Each says the
    line to write, in Indonesian and English."""
    with pytest.raises(ConfigError) as err:
        load_settings(write_config(tmp_path, replace))
    assert str(err.value) == f"{key}: {english}"
    assert err.value.problem.id_text == indonesian


def test_not_toml_and_no_file(tmp_path):
    bad = tmp_path / "x.toml"
    bad.write_text("[office\nname=")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad)
    with pytest.raises(ConfigError, match="file not found") as err:
        load_settings(tmp_path / "nope.toml")
    assert err.value.problem.id_text == "berkas tidak ditemukan"


def said_twice(r, path: Path, indonesian: str, english: str) -> None:
    """A config error of config.toml itself, said as a key's is: "kesalahan konfigurasi: <path>: <Indonesian>",
    then "config error: <path>: <English>", and nothing else."""
    lines = r.stderr.splitlines()
    assert len(lines) == 2 and r.stderr.endswith("\n"), r.stderr
    assert lines[0].startswith(f"kesalahan konfigurasi: {path}: {indonesian}"), r.stderr
    assert lines[1].startswith(f"config error: {path}: {english}"), r.stderr


@pytest.mark.parametrize(
    ("text", "indonesian", "english"),
    [
        (  # a missing quote
            '[office]\nname = "LPSE\n',
            "bukan TOML yang sah: karakter tidak sah '\\n' (baris 2, kolom 13); baris 2: name = \"LPSE — tanda kutip"
            " penutup teks tidak ada",
            "not valid TOML: Illegal character '\\n' (at line 2, column 13); line 2: name = \"LPSE — a text's closing"
            " quote is missing",
        ),
        (  # a key written twice
            "[server]\nport = 8080\nport = 8081\n",
            "bukan TOML yang sah: nilai tidak dapat ditimpa (baris 3, kolom 12); baris 3: port = 8081 — kunci ini"
            " ditulis dua kali",
            "not valid TOML: Cannot overwrite a value (at line 3, column 12); line 3: port = 8081 — this key is written"
            " twice",
        ),
        (  # a value not in quotes
            "[server]\nhost = 0.0.0.0\n",
            "bukan TOML yang sah: seharusnya baris baru atau akhir berkas setelah pernyataan (baris 2, kolom 11); baris"
            " 2: host = 0.0.0.0 — nilai teks ditulis di antara tanda kutip ganda (angka atau true/false tanpa kutip),"
            ' mis. host = "0.0.0.0"',
            "not valid TOML: Expected newline or end of document after a statement (at line 2, column 11); line 2:"
            ' host = 0.0.0.0 — a text value goes in double quotes (a number or true/false without), e.g. host = "0.0.0.0"',
        ),
        ("[office\n", "bukan TOML yang sah: tanda ']' tidak ada", "not valid TOML: Expected ']' at the end"),
        # the parser's English in the Indonesian line, and its Python tuple for the table (helper-275)
        ("[[counters]\nid = 1\n", "bukan TOML yang sah: tanda ']]' tidak ada", "not valid TOML: Expected ']]' at the"),
        (
            "[tts]\nrate = 150\n[tts]\n",
            "bukan TOML yang sah: [tts] ditulis dua kali (baris 3, kolom 5); baris 3: [tts] — [bagian] ini",
            "not valid TOML: Cannot declare [tts] twice (at line 3, column 5); line 3: [tts] — this [section]",
        ),
        (  # a backslash in a text: TOML reads it as the start of a code such as \n
            '[kiosk]\nfooter = "Simpan tiket ini \\ pindai QR\\n"\n',
            "bukan TOML yang sah: tanda \\ yang tidak sah di dalam teks (baris 2, kolom 30); baris 2: footer ="
            ' "Simpan tiket ini \\ pindai QR\\n" — di antara tanda kutip ganda, tanda \\ memulai kode khusus (\\n, \\t):'
            " tulis \\\\ untuk satu \\ (atau teksnya di antara tanda kutip tunggal ' '), mis."
            ' footer = "Simpan tiket ini \\\\ pindai QR\\n"',
            "not valid TOML: Unescaped '\\' in a string (at line 2, column 30); line 2: footer = \"Simpan tiket ini \\"
            ' pindai QR\\n" — in double quotes a \\ starts a special code',
        ),
    ],
)
def test_a_toml_mistake_is_said_in_indonesian_then_english(tmp_path, text, indonesian, english):
    """A config.toml that is not TOML was said in English alone ("config error: …: not valid TOML: …")."""
    path = tmp_path / "config.toml"
    path.write_text(text)
    r = server_command(["serve", "--config", str(path)], timeout=30)
    assert r.returncode == 78, (r.returncode, r.stderr)
    said_twice(r, path, indonesian, english)


def test_a_missing_config_file_is_said_in_indonesian_then_english(tmp_path):
    path = tmp_path / "nope.toml"
    r = server_command(["serve", "--config", str(path)], timeout=30)
    assert r.returncode == 78, (r.returncode, r.stderr)
    said_twice(r, path, "berkas tidak ditemukan", "file not found")
    r = server_command(["users", "list", "--config", str(path)], timeout=30)
    assert r.returncode == 2
    said_twice(r, path, "berkas tidak ditemukan", "file not found")


def test_a_config_file_with_a_bom_is_read(tmp_path):
    """Windows Notepad may save UTF-8 with a byte order mark: it is no part of the TOML."""
    path = write_config(tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_settings(path).office.name == "LPSE Kabupaten Contoh"
    r = server_command(["users", "list", "--config", str(path)], timeout=30)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("case", ["folder", "latin-1", "unreadable"])
def test_a_config_path_that_is_a_folder_unreadable_or_not_utf8_is_one_line(tmp_path, case):
    path = write_config(tmp_path)
    if case == "folder":
        path = tmp_path / "configs"
        path.mkdir()
        said = ("sebuah folder, bukan berkas konfigurasi", "a folder, not a config file")
    elif case == "latin-1":
        path.write_bytes(
            path.read_text(encoding="utf-8").replace("Contoh", "Contoh Kecamatan Sémbung").encode("latin-1", "replace")
        )
        said = ("bukan teks UTF-8 (baris 7); simpan sebagai UTF-8", "not UTF-8 text (line 7); save it as UTF-8")
    else:
        if os.geteuid() == 0:
            pytest.skip("root reads any file")
        path.chmod(0o000)
        me = __import__("pwd").getpwuid(os.geteuid()).pw_name
        said = (f"tidak dapat dibaca oleh pengguna {me}", f"not readable by user {me}")
    r = server_command(["users", "list", "--config", str(path)], timeout=30)
    assert r.returncode == 2, (r.stdout, r.stderr)
    said_twice(r, path, *said)  # Indonesian first, then English, as a key's problem
    assert r.stderr.splitlines()[0].endswith(said[0]) and r.stderr.splitlines()[1].endswith(said[1]), r.stderr
    assert not (tmp_path / "antrian.db").exists()


def test_escalation_enabled_needs_addresses(tmp_path):
    path = write_config(
        tmp_path, {"enabled = false\nhost": "enabled = true\nhost", 'to = "helpdesk@lkpp.go.id"': 'to = ""'}
    )
    with pytest.raises(ConfigError, match=r"^escalation\.to"):
        load_settings(path)


CONFLICTS = {
    # git pull --autostash (docs/operations.md, "Upgrading"): the admin's lines are stashed
    "stash": ("Updated upstream", "Stashed changes", '"=======" and ">>>>>>> Stashed changes" yours'),
    # git pull over an edit committed here
    "pull": ("HEAD", "4f2a9c1 (Release 1.4)", 'between "<<<<<<< HEAD" and "=======" are your lines'),
    "other": ("ours", "theirs", 'between "<<<<<<<" and "=======" are one version'),
}


@pytest.mark.parametrize("style", CONFLICTS)
def test_git_conflict_markers_left_by_an_upgrade_are_named_with_their_line_and_what_to_do(tmp_path, style):
    """An upgrade's `git stash pop` left conflict markers: the start said only "not valid TOML: Invalid
    statement (at line 15, column 1)". It says where the conflict is, which lines are whose, and what to
    do; `serve` exits 78, which systemd does not restart (the unit of `make service`)."""
    start, end, sides = CONFLICTS[style]
    path = write_config(tmp_path)
    mine = 'public_url = "http://192.168.1.10:8080"'
    text = path.read_text(encoding="utf-8")
    line = text[: text.index("public_url = ")].count("\n") + 1
    ours, theirs = ('public_url = "http://127.0.0.1:8080"', mine) if style == "stash" else (mine, "public_url = 1")
    text = re.sub(
        r"^public_url = .*$",
        f"<<<<<<< {start}\n{ours}\n=======\n{theirs}\n>>>>>>> {end}",
        text,
        count=1,
        flags=re.M,
    )
    path.write_text(text, encoding="utf-8")
    r = server_command(["serve", "--config", str(path)], timeout=30)
    assert r.returncode == 78, (r.returncode, r.stderr)
    said_twice(
        r,
        path,
        f"konflik merge yang ditinggalkan pemutakhiran (git) di baris {line}:",
        f"a merge conflict left by the upgrade (git) at line {line}:",
    )
    indonesian, english = r.stderr.splitlines()
    for words in (sides, "keep your lines", "delete the other lines and the marker lines", "then start again"):
        assert words in english, r.stderr
    for words in ("pertahankan baris Anda", "hapus baris lainnya dan baris penanda", "lalu jalankan lagi"):
        assert words in indonesian, r.stderr
    assert server_command(["users", "list", "--config", str(path)], timeout=30).returncode == 2


def test_conflict_markers_count_only_as_git_writes_them():
    """ "=======" alone may be a line of a multi-line string; a second conflict is counted."""
    assert config.merge_conflict('footer = """\nRuang tunggu\n=======\n"""\n') is None
    assert config.merge_conflict("a = 1\n<<<<<<<<< not a marker\n") is None
    two = "<<<<<<< HEAD\na = 1\n=======\na = 2\n>>>>>>> x\nb = 1\n<<<<<<< HEAD\nc = 1\n=======\n>>>>>>> x\n"
    assert "at line 1 (and 1 more conflict below)" in config.merge_conflict(two).en_text
    assert "di baris 1 (dan 1 konflik lagi di bawahnya)" in config.merge_conflict(two).id_text
    three = two + "<<<<<<< HEAD\nd = 1\n=======\n>>>>>>> x\n"
    assert "at line 1 (and 2 more conflicts below)" in config.merge_conflict(three).en_text
    assert "di baris 1 (dan 2 konflik lagi di bawahnya)" in config.merge_conflict(three).id_text
    assert "at line 2:" in config.merge_conflict("a = 1\n=======\nb = 2\n>>>>>>> Stashed changes\n").en_text


def test_serve_with_bad_config_stops_with_the_key(tmp_path):
    """`serve` exits EXIT_CONFIG (78) on a config error, which the unit of `make service` does not restart
    (RestartPreventExitStatus); the other commands exit 2."""
    from server.cli import EXIT_CONFIG

    path = write_config(tmp_path, {"max_requeues = 1": "max_requeues = -2"})
    r = server_command(["serve", "--config", str(path)], timeout=30)
    assert r.returncode == EXIT_CONFIG == 78
    assert "queue.max_requeues" in r.stderr
    assert server_command(["users", "list", "--config", str(path)], timeout=30).returncode == 2


# ---- the parser comes from the dataclasses (server/config.py: setting(), _keys, _get) ----------------

# config.toml's tables and the dataclass each is read into ([printers.*] and [agents] are tables of tables).
TABLES = {
    "office": config.Office,
    "server": config.ServerSettings,
    "queue": config.QueueSettings,
    "services": config.Service,
    "counters": config.Counter,
    "kiosk": config.KioskSettings,
    "tts": config.TtsSettings,
    "escalation": config.EscalationSettings,
    "sla": config.SlaSettings,
    "priority_classes": config.PriorityClass,
    "limits": config.LimitSettings,
    "hours": config.HoursSettings,
    "announcement": config.AnnouncementSettings,
}


def demo_raw() -> dict:
    """The demo config.toml as parsed TOML, with a dummy printer, every day of [hours] closed and an [announcement]
    (the demo has none: the admin page's, or the front office's, lies over an empty one)."""
    raw = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))
    raw["printers"] = {"kiosk": {"type": "dummy"}}
    raw["hours"] = dict.fromkeys(config.WEEKDAYS, "")
    raw["announcement"] = {"text": "Loket 2 sedang istirahat sholat Jumat", "text_en": "", "until": ""}
    return raw


def table_of(raw: dict, section: str) -> tuple[dict, str]:
    """The table of `section` in `raw` (the first, for a list of tables) and its key in messages."""
    if isinstance(raw[section], list):
        return raw[section][0], f"{section}[0]"
    return raw[section], section


def test_every_table_is_a_dataclass_of_settings():
    assert set(TABLES) == config._keys(config.Settings) - {"printers", "agents"}
    for cls in TABLES.values():
        for f in dataclasses.fields(cls):
            assert "why" in f.metadata, f"{cls.__name__}.{f.name}: declare it with setting()"
            if f.metadata["keys"] is None:  # read by _get: its annotation says how
                assert f.type in config._KINDS, f"{cls.__name__}.{f.name}: no TOML type for {f.type}"


@pytest.mark.parametrize("section", TABLES)
def test_a_table_takes_its_fields_keys_and_reads_each(tmp_path, section):
    """The keys a table accepts are its fields' and each is read: a bad value there names it (so the
    fields and the parser cannot drift apart), and any other key is refused."""
    config.parse_settings(demo_raw(), base_dir=tmp_path)
    keys = config._keys(TABLES[section])
    assert keys, section
    for key in sorted(keys) + ["zzz"]:
        raw = demo_raw()
        table, path = table_of(raw, section)
        table[key] = {"not": "a value"}
        with pytest.raises(ConfigError) as err:
            config.parse_settings(raw, base_dir=tmp_path)
        expected = "unknown key" if key == "zzz" else "must be "
        assert err.value.key == f"{path}.{key}", str(err.value)  # an entry of a list: said from 1, with its id
        assert str(err.value) == f"{err.value.where.en_text}: {err.value.problem.en_text}", str(err.value)
        assert err.value.where.en_text.endswith(key), str(err.value)
        assert err.value.problem.en_text.startswith(expected), str(err.value)


def test_each_default_is_what_an_absent_key_gives():
    base = Path(".")  # a relative path stays as written: var/antrian.db
    raw = demo_raw()
    for section in ("server", "queue", "kiosk", "tts", "escalation", "sla", "limits"):
        raw[section] = {}
    del raw["hours"]
    s = config.parse_settings(raw, base_dir=base)
    for section in ("server", "queue", "kiosk", "tts", "escalation", "sla", "limits", "hours"):
        assert getattr(s, section) == TABLES[section](), section
    # The tables with required keys: each other key absent gives the field's default.
    required = {
        "office": {"name": "X", "public_url": "http://x"},
        "services": [{"code": "A", "name": "A"}],
        "counters": [{"id": 1, "name": "1", "services": ["A"]}],
        "priority_classes": [{"code": "P", "name": "P", "target_minutes": 5}],
    }
    s = config.parse_settings(demo_raw() | required | {"kiosk": {}}, base_dir=base)
    for section, given in required.items():
        value = getattr(s, section)
        value, given = (value[0], given[0]) if isinstance(value, tuple) else (value, given)
        for f in dataclasses.fields(TABLES[section]):
            if f.name in given or (section, f.name) == ("services", "prefix"):  # the prefix is the code
                continue
            default = f.default if f.default is not dataclasses.MISSING else f.metadata["file_default"]
            assert getattr(value, f.name) == default, f"{section}.{f.name}"
    assert s.services[0].prefix == "A"


# ---- the admin page's words: every problem of a section it edits, in Indonesian too ----------------

# The parser's English (en.json's config.*): none of it may reach an Indonesian admin. Values as written
# ('abc', "08:00") are left out of the look.
ENGLISH = re.compile(r"\b(must|missing|unknown|duplicate|got|already|integer|string|not a|is not|too long|such as)\b")
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
# What an admin could send for one key (the page's inputs, or the API by hand), and for a whole section.
SAMPLES = [
    *(None, True, 0, 1, -1, 1.5, 99999, "", " ", "A", "Z", "d1", "abc", "jv", "http://", "clips", "nope"),
    *("Loket 1", "konsultasi penyedia", "x" * 2001, "a\nb", "\ud800", "8-12", "25:00-26:00", "08:00-07:00", "3"),
    *("08:00-12:00, 11:00-13:00", [], ["A", "A"], ["Z"], ["A\tB"], ["2026-13-01"], ["1.2.3.300"], {"a": 1}),
    ["2026-1-5"],
    ["2026-12-25"] * 1001,  # past the bound of [hours] holidays and [kiosk] addresses
]
WHOLE = [None, 3, [], [3], [{}], {}]
# The problems only config.toml's own sections can have (the time zone and [limits] are not edited there).
FILE_ONLY = {"time_zone", "not_ip", "unknown_section", "unknown_section_like"}
# The database's and the data folder's problems (config.check_storage, storage_error: [server], which the admin
# page does not edit), and the words they are made of; tests/test_operations.py meets them
FILE_ONLY |= {"db_is_folder", "not_regular_file", "not_read_write", "not_sqlite", "not_folder", "parent_is_file"}
FILE_ONLY |= {"folder_not_writable", "folder_not_writable_to_make", "cannot_open", "not_yours", "damaged"}
FILE_ONLY |= {"damaged_inside"}
FILE_ONLY |= {"what.database_folder", "what.data_folder", "user"}
# The way back from a saved change that no longer fits config.toml (config.override_error: the command line's
# and the start's words, tests/test_admin.py meets them)
FILE_ONLY |= {"override_from", "override_with"}
# config.toml's own problems (not found, not UTF-8, not TOML, a merge conflict), the [printers.*] tables' (the
# admin page edits neither), and a folder the server's account cannot write (whose it is, and the fix)
FILE_ONLY |= {
    k for k in i18n.section("config", "en") if k.startswith(("file.", "toml.", "conflict", "printer", "folder_"))
}
# [tts] template's and chime's problems (the admin page edits neither: met above and in
# tests/test_voice.py), the print agent's (tests/test_agent.py) and the start's check of the tickets a
# removed service leaves waiting (tests/test_cli.py)
FILE_ONLY |= {k for k in i18n.section("config", "en") if k.startswith(("template.", "chime", "clip.", "stranded"))}
FILE_ONLY |= {"agent_missing"}
# [tts] say_as_word's and spell_out's problems (the admin page edits neither: tests/test_tts.py meets them)
FILE_ONLY |= {"not_acronym", "acronym_both"}
# a key of another table written under a table's heading (the admin page sends each section's own keys only):
# test_a_key_under_the_wrong_heading_is_told_where_it_belongs meets it
FILE_ONLY |= {"unknown_key_elsewhere", "tables_or"}


def editable_keys(section: str) -> list[str]:
    keys = {"office": admin.OFFICE_KEYS, "tts": admin.TTS_KEYS}.get(section)
    if keys:
        return list(keys)
    keys = sorted(config._keys(TABLES[section]))
    return [*keys, "zzz", f"{keys[0]}_x"]  # unknown, and misspelt


def admin_changes():
    """(section, value) as the admin API takes them: each editable key of a section (of its second row for
    a list) set to each sample, and each section set to each whole value."""
    raw = demo_raw() | {"hours": None}  # the demo's office is always open: the page's hours come whole
    for name in admin.EDITABLE:
        keys = editable_keys(name)
        base = raw[name] if raw[name] is not None else dict.fromkeys(config.WEEKDAYS, "")
        for key in keys:
            for bad in SAMPLES:
                if isinstance(base, list):
                    value = [dict(row) for row in base]
                    value[1][key] = bad
                else:  # the keys the page sends ([office] and [tts] take no others)
                    value = {k: v for k, v in base.items() if k in keys} | {key: bad}
                yield raw, name, value
        for bad in WHOLE:
            yield raw, name, bad


def problems() -> dict[str, str]:
    """The catalogue's config.* problems in English (without the checks' words, the kinds' names and the names
    of a list's entries, config._entry_where's)."""
    return {k: v for k, v in i18n.section("config", "en").items() if not k.startswith(("why.", "kind.", "entry"))}


@functools.cache
def problem_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """problems(), the longest first (without their placeholders), each as a pattern whose placeholders take
    any text: made once, not again for each of the 1500 problems the test below reads (half its time)."""
    longest_first = sorted(problems().items(), key=lambda kv: -len(re.sub(r"\{\w+\}", "", kv[1])))
    return tuple(
        (code, re.compile(re.sub(r"\\\{\w+\\\}", ".*", re.escape(text)), re.S)) for code, text in longest_first
    )


def problem_code(en_text: str) -> str | None:
    """The catalogue's config.* problem `en_text` is (the longest one that fits: "got" is in "one_line")."""
    for code, pattern in problem_patterns():
        if pattern.fullmatch(en_text):
            return code
    return None


def test_every_problem_of_a_section_the_admin_page_edits_has_its_indonesian_words():
    """The admin page says a refused value in the admin's language (server/admin.py): each problem the
    parser finds in a section edited there names its key and has its Indonesian, with no English word of
    the parser in it, and its English is config.toml's message; every kind of problem is met here."""
    met = set()
    for raw, name, value in admin_changes():
        try:
            admin.check_change(name, value)
        except FormIncomplete:
            continue  # refused before the parser (not a table)
        try:
            config.parse_settings(config.merged(raw, {name: value}), base_dir=ROOT)
        except ConfigError as err:
            problem = err.problem
            assert err.key is not None and problem is not None, str(err)
            assert str(err) == f"{err.where.en_text}: {problem.en_text}"
            assert not ENGLISH.search(QUOTED.sub("", problem.id_text)), (str(err), problem.id_text)
            assert "[" not in admin.label(err.key, "id") and "[" not in admin.label(err.key, "en"), err.key
            met.add(problem_code(problem.en_text))
    assert met == set(problems()) - FILE_ONLY, sorted(set(problems()) - FILE_ONLY - met)


# ---- [printers.*]: printers/config.py's problems, in Indonesian and English too ----------------------

PRINTER_BAD = [
    ({"type": "dummy", "timout": 5}, "printers.kiosk.timout", "kunci tidak dikenal (maksudnya timeout?)"),
    ({"type": "dummy", "colour": "red"}, "printers.kiosk.colour", "kunci tidak dikenal (yang dikenal: baudrate, "),
    ({"type": "laser"}, "printers.kiosk.type", "harus salah satu dari usb, network, serial, file, cups, dummy"),
    ({}, "printers.kiosk.type", "wajib diisi; harus salah satu dari usb, network"),
    ({"type": "dummy", "width_mm": 76}, "printers.kiosk.width_mm", "harus 58 atau 80"),
    ({"type": "dummy", "profile": "TM-NOPE"}, "printers.kiosk.profile", "harus nama profil python-escpos"),
    ({"type": "network"}, "printers.kiosk.host", "wajib diisi untuk printer network"),
    ({"type": "network", "host": "a b"}, "printers.kiosk.host", "harus nama host atau alamat IP (tanpa spasi)"),
    ({"type": "network", "host": "h", "port": 0}, "printers.kiosk.port", "harus bilangan bulat 1-65535"),
    # the port on the host line, as a printer's web page shows it: "unknown host 192.168.1.50:9100:9100" at each ticket
    (
        {"type": "network", "host": "192.168.1.50:9100"},
        "printers.kiosk.host",
        'harus nama host atau alamat IP saja: port ditulis di barisnya sendiri, host = "192.168.1.50" lalu port = 9100',
    ),
    (  # a port of digits Python reads but no port is ("²"): a ValueError's traceback (helper-268)
        {"type": "network", "host": "192.168.1.50:²"},
        "printers.kiosk.host",
        'harus nama host atau alamat IP saja, tanpa awalan seperti tcp://: tulis host = "192.168.1.50"',
    ),
    (  # an IPv6 address with its port in brackets
        {"type": "network", "host": "[fe80::1]:9100"},
        "printers.kiosk.host",
        'harus nama host atau alamat IP saja: port ditulis di barisnya sendiri, host = "fe80::1" lalu port = 9100',
    ),
    (
        {"type": "network", "host": "tcp://printer-kios"},
        "printers.kiosk.host",
        'harus nama host atau alamat IP saja, tanpa awalan seperti tcp://: tulis host = "printer-kios"',
    ),
    # the USB id in quotes as lsusb shows it: "must be an integer 0-0xffff" did not say how to write it
    (
        {"type": "usb", "vendor_id": "0416", "product_id": 0x5011},
        "printers.kiosk.vendor_id",
        "harus bilangan bulat 0x0000-0xffff, tanpa tanda kutip: ID USB dari lsusb (ID 0416:5011) ditulis vendor_id = 0x0416",
    ),
    ({"type": "network", "host": "h", "out_ep": 3}, "printers.kiosk.out_ep", "hanya printer usb yang punya"),
    ({"type": "file", "path": "x", "check_status": True}, "printers.kiosk.check_status", "hanya printer network, usb"),
    ({"type": "file", "path": "/tmp"}, "printers.kiosk.path", "/tmp adalah folder; tulis nama berkas"),
    ("dummy", "printers.kiosk", "harus berupa tabel"),
]


@pytest.mark.parametrize(("table", "key", "indonesian"), PRINTER_BAD, ids=[k for _, k, _ in PRINTER_BAD])
def test_a_printers_problem_is_said_in_indonesian_and_english(tmp_path, table, key, indonesian):
    """A [printers.*] problem was said in English alone (printers/config.py's own words): it names its key
    with the catalogue's words in both languages, as every other table's does."""
    with pytest.raises(ConfigError) as err:
        config.parse_settings(demo_raw() | {"printers": {"kiosk": table}}, base_dir=tmp_path)
    assert err.value.key == key and err.value.problem is not None, str(err.value)
    assert str(err.value) == f"{key}: {err.value.problem.en_text}"
    assert err.value.problem.id_text.startswith(indonesian), err.value.problem.id_text
    assert not ENGLISH.search(QUOTED.sub("", err.value.problem.id_text)), err.value.problem.id_text


def test_a_misspelt_printer_key_is_named_with_the_one_it_misspells_in_two_lines(tmp_path):
    """`timout` in [printers.kiosk] was "unknown key (known: baudrate, check_status, …)" in English alone; it
    says which key it misspells, as the other tables do, Indonesian first (exit 78 for `serve`)."""
    path = write_config(tmp_path, {'[printers.kiosk]\ntype = "dummy"': '[printers.kiosk]\ntype = "dummy"\ntimout = 5'})
    r = server_command(["serve", "--config", str(path)], timeout=30)
    assert r.returncode == 78, (r.returncode, r.stderr)
    assert r.stderr.splitlines() == [
        "kesalahan konfigurasi: printers.kiosk.timout: kunci tidak dikenal (maksudnya timeout?)",
        "config error: printers.kiosk.timout: unknown key (did you mean timeout?)",
    ], r.stderr
    with pytest.raises(ConfigError, match=r"^printers: must be a table of \[printers.NAME\] tables$") as err:
        config.parse_settings(demo_raw() | {"printers": "kiosk"}, base_dir=tmp_path)
    assert err.value.problem.id_text == "harus berupa tabel berisi tabel-tabel [printers.NAMA]"


# ---- a folder the server's account cannot write: whose it is, and the command that mends it ----------


@pytest.fixture
def unwritable(monkeypatch):
    """The server runs as another account than the one owning the test's folders (whoever runs the test),
    and may not write the folders `blocked` holds."""
    blocked: set[Path] = set()
    real = os.access
    monkeypatch.setattr(config, "_account", lambda: "antrian-test")
    monkeypatch.setattr(config.os, "access", lambda p, mode: Path(p) not in blocked and real(p, mode))
    return blocked


def test_a_folder_the_server_cannot_write_is_named_with_its_owner_and_the_chown(tmp_path, unwritable):
    """docs/operations.md ("Files and permissions"): a folder of another account's is said as a file of
    another account's (config.not_yours) is: who owns it, and the command that gives it to the server."""
    import pwd

    owner = pwd.getpwuid(os.geteuid()).pw_name
    server = config.ServerSettings(database=tmp_path / "var" / "antrian.db", data_dir=tmp_path / "data")
    (tmp_path / "var").mkdir()
    unwritable.add(tmp_path / "var")
    with pytest.raises(ConfigError) as err:
        config.check_storage(server)
    var = tmp_path / "var"
    assert err.value.key == "server.database"
    assert str(err.value) == (
        f"server.database: the folder {var} is not writable by user antrian-test: it belongs to {owner} (made by a"
        f" command run as another account?): sudo chown -R antrian-test: {var}"
    )
    assert err.value.problem.id_text == (
        f"folder {var} tidak dapat ditulisi oleh pengguna antrian-test: folder ini milik {owner} (dibuat oleh"
        f" perintah yang dijalankan dengan akun lain?): sudo chown -R antrian-test: {var}"
    )
    # a folder to be made under one the server cannot write: made for the server, what is above left as it is
    unwritable.clear()
    unwritable.add(tmp_path)
    server = config.ServerSettings(database=tmp_path / "new" / "antrian.db", data_dir=tmp_path / "new")
    with pytest.raises(ConfigError) as err:
        config.check_storage(server)
    new = tmp_path / "new"
    assert str(err.value).endswith(
        f"(to make {new}): it belongs to {owner}; make the folder for the server's account:"
        f" sudo mkdir -p {new} && sudo chown antrian-test: {new}"
    ), str(err.value)
    assert f"folder ini milik {owner}; buat foldernya untuk akun server: sudo mkdir -p {new}" in (
        err.value.problem.id_text
    )


def test_a_system_folder_the_server_cannot_write_is_not_given_to_it(monkeypatch, unwritable):
    """A database right in /var/lib (or /srv, /home): `chown -R` of it would break the system; the server is
    told to make a folder of its own there."""
    unwritable.add(Path("/var/lib"))
    server = config.ServerSettings(database=Path("/var/lib/antrian.db"), data_dir=Path("/var/lib"))
    with pytest.raises(ConfigError) as err:
        config.check_storage(server)
    assert "chown -R" not in str(err.value) and "is a folder of the system" in str(err.value)
    assert str(err.value).endswith(
        "sudo mkdir -p /var/lib/antrian && sudo chown antrian-test: /var/lib/antrian, and write a path in it"
    )
    assert "merupakan folder sistem" in err.value.problem.id_text


def test_a_folder_of_the_servers_own_without_the_right_to_write_is_given_its_mode(tmp_path, monkeypatch):
    import pwd

    me = pwd.getpwuid(os.geteuid()).pw_name
    monkeypatch.setattr(config.os, "access", lambda p, mode: Path(p) != tmp_path / "var")
    (tmp_path / "var").mkdir(mode=0o555)
    server = config.ServerSettings(database=tmp_path / "var" / "antrian.db", data_dir=tmp_path / "data")
    with pytest.raises(ConfigError) as err:
        config.check_storage(server)
    var = tmp_path / "var"
    assert str(err.value) == (
        f"server.database: the folder {var} is not writable by user {me}, its owner (its mode is 0555):"
        f" chmod u+rwx {var}"
    )


def test_a_folder_on_a_read_only_disk_is_said_so_not_given_a_chmod(tmp_path):
    """A disk the kernel remounted read-only (an old PC's failing disk: errors=remount-ro) or a locked stick: no
    chmod mends it (it fails there with "Read-only file system"); the start says the disk is read-only."""
    disk = next(mounted_tmpfs(tmp_path / "disk", "1m"))
    try:
        (disk / "var").mkdir()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        server = config.ServerSettings(database=disk / "var" / "antrian.db", data_dir=disk / "var")
        with pytest.raises(ConfigError) as err:
            config.check_storage(server)
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)
    var = disk / "var"
    assert "chmod u+rwx" not in str(err.value), str(err.value)
    assert str(err.value).startswith(f"server.database: the folder {var} is on a read-only disk"), str(err.value)
    assert err.value.problem.id_text.startswith(f"folder {var} ada di disk yang hanya dapat dibaca"), err.value
