"""config.toml: the demo file loads; a bad or missing value stops the start naming the key."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT, write_config

from server.config import ConfigError, load_settings


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
    ({'services = ["A", "C"]': 'services = ["A", "Z"]'}, "counters[0].services"),
    ({"id = 2\n": "id = 1\n"}, "counters[1].id"),
    ({'code = "B"': 'code = "A"'}, "services[1].code"),
    ({'code = "C"': 'code = "c1"'}, "services[2].code"),
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
    ({"target_minutes = 60": "target_minutes = true"}, "priority_classes[0].target_minutes"),
    ({"[queue]": "[queue]\nmax_call = 3"}, "queue.max_call"),
]


@pytest.mark.parametrize("replace,key", BAD, ids=[k for _, k in BAD])
def test_bad_value_names_its_key(tmp_path, replace, key):
    path = write_config(tmp_path, replace)
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert str(err.value).startswith(key), str(err.value)


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


def test_not_toml_and_no_file(tmp_path):
    bad = tmp_path / "x.toml"
    bad.write_text("[office\nname=")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad)
    with pytest.raises(ConfigError, match="file not found"):
        load_settings(tmp_path / "nope.toml")


def test_escalation_enabled_needs_addresses(tmp_path):
    path = write_config(
        tmp_path, {"enabled = false\nhost": "enabled = true\nhost", 'to = "helpdesk@lkpp.go.id"': 'to = ""'}
    )
    with pytest.raises(ConfigError, match=r"^escalation\.to"):
        load_settings(path)


def test_serve_with_bad_config_stops_with_the_key(tmp_path):
    path = write_config(tmp_path, {"max_requeues = 1": "max_requeues = -2"})
    r = subprocess.run(
        [sys.executable, "-m", "server", "serve", "--config", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode == 2
    assert "queue.max_requeues" in r.stderr
