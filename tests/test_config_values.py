"""Every config value, by property: any TOML value in place of any key config.toml takes, and any JSON value for any
field the admin settings API edits, is taken or refused with a clear error naming its key in Indonesian and
English; never another exception, a traceback or a 500, and a refused save changes nothing.

The tables and keys are derived from server/config.py's dataclasses (and printers/config.py's for [printers.*]), so a
new key is covered without editing this file. Bounded and derandomized for CI: no example database, no deadline."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import tomllib
import typing
from datetime import date, datetime, time

import pytest
from adminpages import boss as boss  # fixture: the module's admin (tests/adminpages.py)
from conftest import write_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from printers.config import PrinterConfig, table_keys
from server import admin, config
from server.config import ConfigError, Settings, load_settings, parse_settings

FUZZ = settings(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))


def _tables() -> dict[str, type]:
    """Each table of config.toml that is a dataclass of settings (an entry's, for an array of tables), by name."""
    out = {}
    for name, kind in typing.get_type_hints(Settings).items():
        inner = typing.get_args(kind)[0] if typing.get_origin(kind) is tuple else kind
        if dataclasses.is_dataclass(inner):
            out[name] = inner
    return out


TABLES = _tables()
KEYS = sorted((table, key) for table, cls in TABLES.items() for key in config._keys(cls))
# one printer of each type, as the kiosk's: every key of [printers.NAME] is tried on each
PRINTERS = {
    "network": {"type": "network", "host": "192.168.1.50"},
    "usb": {"type": "usb", "vendor_id": 0x0416, "product_id": 0x5011},
    "serial": {"type": "serial", "device": "/dev/ttyUSB0"},
    "file": {"type": "file", "path": "tickets.bin"},
    "cups": {"type": "cups", "cups_printer": "kasir"},
    "dummy": {"type": "dummy"},
}
WEEK = {day: "08:00-16:00" for day in config.WEEKDAYS}


def test_the_keys_are_every_tables():
    assert {"office", "server", "queue", "services", "counters", "kiosk", "tts", "limits", "hours"} <= set(TABLES)
    assert ("office", "public_url") in KEYS and ("escalation", "from") in KEYS and ("hours", "monday") in KEYS


# -- any TOML value ----------------------------------------------------------------------------------------------
_TEXT = st.text(st.characters(exclude_categories=("Cs",)))  # TOML is UTF-8: no lone surrogate in a file
_SCALARS = st.one_of(
    _TEXT,
    st.text(st.characters(max_codepoint=0x9F, exclude_categories=("Cs",))),  # control characters, often
    st.sampled_from(["", " ", "x" * 100_000, "\x00", "\u2028", "08:00-16:00", "A", "0.0.0.0", "http://a.b", "id"]),
    st.integers(),
    st.sampled_from([0, -1, 2**63, -(2**63) - 1, 2**63 - 1, 10**30, 65536]),
    st.floats(),
    st.sampled_from([math.nan, math.inf, -math.inf, 0.05, 1e-300]),
    st.booleans(),
    st.dates(),
    st.times(),
    st.datetimes(),
)
TOML_VALUES = st.recursive(
    _SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=3), max_leaves=6
)


def toml_value(value) -> str:
    """`value` written as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + "".join(f"\\u{ord(c):04x}" if c in '"\\' or not c.isprintable() else c for c in value) + '"'
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, int | date | time | datetime):
        return value.isoformat() if not isinstance(value, int) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{toml_value(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_document(raw: dict) -> str:
    """The parsed document `raw` written back as TOML (tables, arrays of tables, the rest inline)."""
    lines = []
    for name, value in raw.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for entry in value:
                lines.append(f"[[{name}]]")
                lines += [f"{toml_value(k)} = {toml_value(v)}" for k, v in entry.items()]
        elif isinstance(value, dict) and name == "printers":
            for printer, table in value.items():
                lines.append(f"[printers.{toml_value(printer)}]")
                lines += [f"{toml_value(k)} = {toml_value(v)}" for k, v in table.items()]
        elif isinstance(value, dict):
            lines.append(f"[{name}]")
            lines += [f"{toml_value(k)} = {toml_value(v)}" for k, v in value.items()]
        else:
            lines.insert(0, f"{toml_value(name)} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """The demo config (its files in a temp folder) as parsed TOML, with service hours, and its folder."""
    folder = tmp_path_factory.mktemp("values")
    raw = tomllib.loads(write_config(folder).read_text(encoding="utf-8"))
    raw["hours"] = dict(WEEK)
    return raw, folder


def with_value(raw: dict, table: str, key: str, value) -> dict:
    """`raw` with `key` of `table` (of its first entry, for an array of tables) set to `value`."""
    out = copy.deepcopy(raw)
    target = out.setdefault(table, {})
    if isinstance(target, list):
        target = target[0]
    target[key] = value
    return out


def assert_said(err: ConfigError, *names: str) -> None:
    """The error names each of `names` (the table, the key) in its Indonesian and its English, and says its
    problem in both languages, not English alone."""
    said = err.said()
    assert err.problem is not None, str(err)
    for name in names:
        assert name in said.id_text and name in said.en_text, (name, said)
    assert said.id_text != said.en_text, said


@settings(FUZZ, max_examples=400)
@given(case=st.sampled_from(KEYS), value=TOML_VALUES)
def test_any_value_of_any_key_is_taken_or_refused_naming_its_key(base, case, value):
    raw, folder = base
    table, key = case
    try:
        parse_settings(with_value(raw, table, key, value), folder, folder / "config.toml")
    except ConfigError as err:  # anything else fails the test with its traceback
        assert_said(err, table, key)


@settings(FUZZ, max_examples=250)
@given(kind=st.sampled_from(sorted(PRINTERS)), key=st.sampled_from(sorted(table_keys())), value=TOML_VALUES)
def test_any_value_of_any_printer_key_is_taken_or_refused_naming_it(base, kind, key, value):
    raw, folder = base
    raw = copy.deepcopy(raw)
    raw["printers"]["kiosk"] = {**PRINTERS[kind], key: value}
    try:
        parse_settings(raw, folder, folder / "config.toml")
    except ConfigError as err:
        assert_said(err, "printers.kiosk", key)


@pytest.mark.parametrize("value", [[], {}, ["usb"], {"usb": True}])
def test_a_printer_type_that_is_a_list_or_a_table_is_refused_naming_it(base, value):
    """type = [] (or { }) in a [printers.NAME] table stopped the start with a traceback (TypeError: unhashable)."""
    raw, folder = base
    raw = copy.deepcopy(raw)
    raw["printers"]["kiosk"] = {"type": value}
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw, folder, folder / "config.toml")
    assert_said(caught.value, "printers.kiosk.type")


@pytest.mark.parametrize("timeout", [0.0005, 0.05, 1e-149])
def test_a_printer_timeout_below_a_tenth_of_a_second_is_refused(base, timeout):
    """A usb printer's timeout is given to libusb in whole milliseconds, and 0 there waits for ever: timeout =
    0.0005 (under a millisecond) had a stalled printer hold the print worker for good, and a network printer's
    failed every ticket at once. At least 0.1 s, said in both languages."""
    raw, folder = base
    for kind in ("usb", "network"):
        raw2 = copy.deepcopy(raw)
        raw2["printers"]["kiosk"] = {**PRINTERS[kind], "timeout": timeout}
        with pytest.raises(ConfigError) as caught:
            parse_settings(raw2, folder, folder / "config.toml")
        assert_said(caught.value, "printers.kiosk.timeout")
        assert "0,1" in caught.value.said().id_text and "0.1" in str(caught.value)
    assert PrinterConfig.from_dict("kiosk", {**PRINTERS["usb"], "timeout": 0.1}).timeout == 0.1


def test_a_public_url_of_other_letters_than_ascii_is_refused(base):
    """2,000 characters of é in public_url (within its length) were taken, and every ticket's QR code then held
    more bytes than any QR code can: no ticket printed on a printer drawing the code as a picture (POS-5890)."""
    raw, folder = base
    for url in (
        "http://192.168.1.10:8080/" + "\u00e9" * 1900,
        "http://lpse.contoh.id/antri\u00e1n",
        "http://l\u00e9pse.id",
    ):
        with pytest.raises(ConfigError) as caught:
            parse_settings(with_value(raw, "office", "public_url", url), folder, folder / "config.toml")
        assert_said(caught.value, "office.public_url")
        assert "ASCII" in caught.value.said().id_text
    for url in ("http://xn--lpse-bpa.id", "https://lpse.contoh.go.id/antrian/%C3%A9", "http://[::1]:8080"):
        parse_settings(with_value(raw, "office", "public_url", url), folder, folder / "config.toml")


@settings(FUZZ, max_examples=8)
@given(case=st.sampled_from(KEYS), value=TOML_VALUES.filter(lambda v: not isinstance(v, str) or len(v) < 1000))
def test_the_command_line_says_a_bad_value_without_a_traceback(base, tmp_path_factory, case, value):
    """`settings show` (which loads config.toml as every command does) exits 0, or 2 naming the key in both
    languages; no traceback. The command is forked from tests/forkserver.py (tests/live.py server_command: the same
    server.cli main, its own process, exit code and output, without a new interpreter's 0.6 CPU-s of imports at each
    example); tests/test_cli.py runs the real `python -m server` for what its start adds."""
    from live import server_command

    raw, folder = base
    table, key = case
    path = tmp_path_factory.mktemp("cli") / "config.toml"
    path.write_text(toml_document(with_value(raw, table, key, value)), encoding="utf-8")
    done = server_command(["settings", "show", "--config", str(path)])
    assert "Traceback" not in done.stderr, done.stderr
    try:
        load_settings(path)
    except ConfigError:
        assert done.returncode == 2, done.stderr
        assert key in done.stderr, done.stderr
    else:
        assert done.returncode == 0, done.stderr


# -- any JSON value through the admin settings API, on a real server ------------------------------------------------
SECTION_KEYS = {
    section: admin.OFFICE_KEYS
    if section == "office"
    else admin.TTS_KEYS
    if section == "tts"
    else tuple(sorted(config._keys(TABLES[section])))
    for section in admin.EDITABLE
}
FIELDS = sorted((section, key) for section, keys in SECTION_KEYS.items() for key in keys)
_JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([0, -1, 2**63, -(2**63) - 1, 10**30, 1e308, -0.0, 0.5]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=300),  # lone surrogates too: JSON's \ud800
    st.text(st.characters(max_codepoint=0x9F), max_size=50),
    st.sampled_from(["", " ", "x" * 10_000, "\x00", "\u2028", "08.00-16.00", "A", "http://a.b", "en", "clips"]),
)
JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    from live import LiveServer

    server = LiveServer(write_config(tmp_path_factory.mktemp("admin_values")))
    yield server.start()
    server.stop()


def shown(live, boss) -> dict:
    """The editable sections as GET /api/admin/settings answers them."""
    r = boss.get(f"{live.url}/api/admin/settings", timeout=5)
    assert r.status_code == 200, r.text
    return {section: r.json()[section] for section in admin.EDITABLE}


def change(now: dict, section: str, key: str, value):
    """The PUT's value: the table's key alone, a whole week of [hours] with that key, or the list with its first
    entry's key set."""
    if section == "hours":
        return {**(now["hours"] or WEEK), key: value}
    if isinstance(now[section], list):
        rows = copy.deepcopy(now[section])
        rows[0][key] = value
        return rows
    return {key: value}


@settings(FUZZ, max_examples=60)
@given(case=st.sampled_from(FIELDS), value=JSON_VALUES)
def test_any_value_of_any_field_is_saved_or_refused_naming_it_and_nothing_changes(live, boss, case, value):
    section, key = case
    before, file = shown(live, boss), live.config.read_bytes()
    r = boss.put(
        f"{live.url}/api/admin/settings/{section}", json={"value": change(before, section, key, value)}, timeout=10
    )
    assert r.status_code < 500, r.text
    after = shown(live, boss)
    assert live.config.read_bytes() == file  # the file is never written: a save is stored in the database
    if r.status_code == 200:
        assert after == {s: r.json()[s] for s in admin.EDITABLE}  # read back as the save answered
        load_settings(live.config)
    else:
        assert r.status_code in (400, 413, 422), r.text
        assert after == before
        if r.status_code != 413:  # a body past 64 KB is refused before it is read
            body = r.json()
            assert key in json.dumps(body, ensure_ascii=False), body
            assert body["fields"] and body["message"], body


def test_what_was_saved_is_kept_by_a_restart(live, boss):
    """A few saves of every kind of section, then a restart: the settings read back are the same."""
    from staffpages import put_settings

    put_settings(live, boss, "office", {"name": "  Kantor \u00dcji  ", "public_url": "http://192.168.1.10:8080/"})
    put_settings(live, boss, "queue", {"max_calls": 5})
    put_settings(live, boss, "hours", {**WEEK, "monday": "08.00-12.00, 13.00-16.00", "holidays": ["2026-12-25"]})
    rows = shown(live, boss)["counters"]
    rows[0]["name"] = "Loket Satu"
    put_settings(live, boss, "counters", rows)
    saved, file = shown(live, boss), live.config.read_bytes()
    assert saved["office"]["name"] == "Kantor \u00dcji" and saved["hours"]["monday"] == "08:00-12:00, 13:00-16:00"
    live.stop()
    live.start()
    boss2 = live.session("kepala", "rahasia-123")
    assert shown(live, boss2) == saved
    assert live.config.read_bytes() == file
    load_settings(live.config)


# -- lists with a bound ----------------------------------------------------------------------------------------------
def _days(n: int) -> list[str]:
    from datetime import timedelta

    return [(date(2026, 1, 1) + timedelta(days=i)).isoformat() for i in range(n)]


def _ips(n: int) -> list[str]:
    return [f"10.{i // 250}.{i % 250}.{1 + i % 7}" for i in range(n)]


# each list setting, its bound, and a list of that many good items: one more is refused naming the key
BOUNDED_LISTS = [
    ("hours", "holidays", config._LIST_MAX, _days),
    ("limits", "exempt", config._LIST_MAX, _ips),
    ("limits", "proxies", config._LIST_MAX, _ips),
    ("kiosk", "addresses", config._NETWORKS_MAX, lambda n: [f"10.{i}.0.0/16" for i in range(n)]),
]


@pytest.mark.parametrize(("table", "key", "limit", "items"), BOUNDED_LISTS)
def test_a_list_past_its_bound_is_refused_naming_its_key(base, table, key, limit, items):
    """100,000 holidays, exempt addresses, proxies or kiosk networks were taken, each scanned on every ticket, every
    connection or every kiosk request (the kiosk's networks each parsed again: a quarter of a second a request). A
    bound no office meets, refused with the key named in Indonesian and English; the bound itself is taken."""
    raw, folder = base
    parse_settings(with_value(raw, table, key, items(limit)), folder, folder / "config.toml")
    with pytest.raises(ConfigError) as caught:
        parse_settings(with_value(raw, table, key, items(limit + 1)), folder, folder / "config.toml")
    assert_said(caught.value, f"{table}.{key}")
    assert str(limit) in str(caught.value) and str(limit + 1) in str(caught.value)


def test_a_player_word_past_4096_characters_is_refused(base):
    """[tts] player = ["aplay", "<200,000 characters>"] was taken, and Linux refuses to start a program with an
    argument past 128 KiB: no call heard. A word is at most 4,096 characters (a path's most)."""
    raw, folder = base
    tts = {"output": "server", "player": ["aplay", "-q", "x" * config._PLAYER_WORD_MAX]}
    parse_settings({**raw, "tts": tts}, folder, folder / "config.toml")
    for word in ("x" * (config._PLAYER_WORD_MAX + 1), "x" * 200_000):
        with pytest.raises(ConfigError) as caught:
            parse_settings({**raw, "tts": {**tts, "player": ["aplay", word]}}, folder, folder / "config.toml")
        assert_said(caught.value, "tts.player")


def test_an_agent_token_variable_name_is_bounded(base):
    raw, folder = base
    with pytest.raises(ConfigError) as caught:
        parse_settings({**raw, "agents": {"kiosk": "A" * 5000}}, folder, folder / "config.toml")
    assert_said(caught.value, "agents.kiosk")


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("hours", "holidays", lambda: {**WEEK, "holidays": _days(config._LIST_MAX + 1)}),
        ("kiosk", "addresses", lambda: {"addresses": [f"10.{i}.0.0/16" for i in range(config._NETWORKS_MAX + 1)]}),
    ],
)
def test_the_admin_api_refuses_a_list_past_its_bound(live, boss, section, key, value):
    before, file = shown(live, boss), live.config.read_bytes()
    r = boss.put(f"{live.url}/api/admin/settings/{section}", json={"value": value()}, timeout=10)
    assert r.status_code == 422, r.text
    body = r.json()
    assert f"{section}.{key}" in body["fields"] and "paling banyak" in body["message"], body
    assert shown(live, boss) == before and live.config.read_bytes() == file
