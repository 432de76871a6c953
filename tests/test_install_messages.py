"""What the office's admin meets when following README.md on a fresh PC and making the usual mistakes: a
config.toml edited by hand (a counter added with the wrong brackets), an upgrade whose `git pull --autostash`
left a conflict (docs/operations.md, "Upgrading"), `make run` on a Debian whose account has no sudo, and a network
printer's address that leads to a web page. Each message says what to do, and doing it works."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, write_config
from live import server_command

from server.config import ConfigError, load_settings

# A fourth counter added by copying the third's lines, its heading typed with one bracket each side
FOURTH = '\n[counters]\nid = 4\nname = "Loket 4"\nservices = ["A"]\n'


def said(r: subprocess.CompletedProcess) -> tuple[str, str]:
    """The start's two lines of a config error: Indonesian, then English."""
    assert r.returncode == 78, (r.returncode, r.stderr)
    indonesian, english = r.stderr.splitlines()
    assert indonesian.startswith("kesalahan konfigurasi: ") and english.startswith("config error: "), r.stderr
    return indonesian, english


def test_a_counter_added_under_single_brackets_is_told_to_take_two(tmp_path):
    """A counter added below the others as `[counters]`: the start said "this [section] is written twice: put its
    keys under one heading", which makes one counter of four. It names the line and the brackets to write."""
    path = write_config(tmp_path, {"# Service hours: outside": FOURTH + "\n# Service hours: outside"})
    line = path.read_text(encoding="utf-8").splitlines().index("[counters]") + 1
    indonesian, english = said(server_command(["serve", "--config", str(path)], timeout=30))
    assert f"line {line}: [counters] — counters is a list: each of its entries starts with [[counters]]" in english
    assert f"line {line} has [counters]: write [[counters]] there" in english
    assert "put its keys under one heading" not in english
    assert f"baris {line} berisi [counters]: tulis [[counters]] di sana" in indonesian
    # done as it says, the office starts with four counters
    path.write_text(path.read_text(encoding="utf-8").replace("\n[counters]\n", "\n[[counters]]\n"), encoding="utf-8")
    assert [c.name for c in load_settings(path).counters] == ["Loket 1", "Loket 2", "Loket 3", "Loket 4"]


def test_a_list_entry_above_the_others_under_single_brackets_names_that_line(tmp_path):
    """`[counters]` above the `[[counters]]` entries: TOML stops at the next [[counters]] ("Cannot overwrite a
    value"), and the hint said "this key is written twice", of a line with no key. It names the single one."""
    path = write_config(tmp_path, {'[[counters]]\nid = 1\nname = "Loket 1"': '[counters]\nid = 1\nname = "Loket 1"'})
    lines = path.read_text(encoding="utf-8").splitlines()
    single, stopped = lines.index("[counters]") + 1, lines.index("[[counters]]") + 1
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    english, indonesian = caught.value.problem.en_text, caught.value.problem.id_text
    assert f"line {stopped}: [[counters]] — counters is a list" in english, english
    assert f"line {single} has [counters]: write [[counters]] there" in english, english
    assert "this key is written twice" not in english
    assert f"baris {single} berisi [counters]: tulis [[counters]] di sana" in indonesian, indonesian


@pytest.mark.parametrize(
    ("replace", "english", "indonesian"),
    [
        (  # the only heading of a section written as a list's: "office: must be a table"
            {"[office]\n": "[[office]]\n"},
            "office: [office] is one section: write its heading with one square bracket each side, [office], not "
            "[[office]]",
            "[office] adalah satu bagian: tulis judulnya dengan satu kurung siku di tiap sisi, [office], bukan "
            "[[office]]",
        ),
        (  # written again as [[office]] under it: "this key is written twice"
            {"[office]\n": "[office]\n[[office]]\n"},
            "[office] is one section: its heading has one square bracket each side, [office], and comes once; line "
            "{line} has [[office]]",
            "baris {line} berisi [[office]]: tulis kunci-kuncinya di bawah [office] yang satu itu",
        ),
    ],
)
def test_a_section_headed_as_a_list_is_told_its_one_bracket(tmp_path, replace, english, indonesian):
    path = write_config(tmp_path, replace)
    line = path.read_text(encoding="utf-8").splitlines().index("[[office]]") + 1
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert english.format(line=line) in str(caught.value), str(caught.value)
    assert indonesian.format(line=line) in caught.value.problem.id_text, caught.value.problem.id_text


def git(folder: Path, *args: str) -> str:
    """git in `folder` as a fresh office PC has it: no name, e-mail or settings of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env |= {"HOME": str(folder.parent), "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"}
    env |= {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@b"}
    r = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, env=env, timeout=60)
    return f"{r.returncode}\n{r.stdout}{r.stderr}"


def release(upstream: Path, old: str, new: str) -> None:
    """A new version of Antrian, whose config.toml changes a line."""
    path = upstream / "config.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    assert git(upstream, "commit", "-qam", "release").startswith("0\n")


def test_an_upgrade_conflict_is_settled_by_doing_what_the_start_says(tmp_path):
    """docs/operations.md, "Upgrading": `git pull --autostash` over the admin's public_url left a conflict. The
    start said to keep one's lines, delete the markers and start again; done so, the next upgrade's `git pull`
    failed ("Pulling is not possible because you have unmerged files"): git keeps the file unmerged and the stash.
    The start names the git command too, and after it the next upgrade goes through with the admin's line kept."""
    upstream, office = tmp_path / "upstream", tmp_path / "antrian"
    upstream.mkdir()
    (upstream / "config.toml").write_text(write_config(tmp_path).read_text(encoding="utf-8"), encoding="utf-8")
    assert git(upstream, "init", "-q").startswith("0\n")
    assert git(upstream, "add", "config.toml").startswith("0\n")
    assert git(upstream, "commit", "-qm", "first").startswith("0\n")
    assert git(tmp_path, "clone", "-q", str(upstream), str(office)).startswith("0\n")
    config = office / "config.toml"
    mine = 'public_url = "http://192.168.1.10:8080"'
    config.write_text(re.sub(r"^public_url = .*$", mine, config.read_text(encoding="utf-8"), count=1, flags=re.M))
    release(upstream, "# what the QR code on the ticket points to", "# the QR code on each ticket leads here")
    pulled = git(office, "pull", "--autostash")
    assert "Applying autostash resulted in conflicts" in pulled, pulled

    indonesian, english = said(server_command(["serve", "--config", str(config)], timeout=30))
    command = re.search(r"then, in the project folder, (git [^(]+?) \(", english)
    assert command, english
    assert command[1] == "git reset -q && git stash drop", english
    assert ", lalu, di folder proyek, git reset -q && git stash drop (" in indonesian, indonesian

    # The admin keeps their line, deletes the others and the markers, and runs what the start said
    kept, skip = [], False
    for line in config.read_text(encoding="utf-8").splitlines():
        if line.startswith("<<<<<<<"):
            skip = True
        elif line.startswith("======="):
            skip = False
        elif not skip and not line.startswith(">>>>>>>"):
            kept.append(line)
    config.write_text("\n".join(kept) + "\n", encoding="utf-8")
    for step in command[1].split(" && "):
        assert git(office, *step.split()[1:]).startswith("0\n")
    assert load_settings(config).office.public_url == "http://192.168.1.10:8080"

    release(upstream, "language = ", "language  = ")
    pulled = git(office, "pull", "--autostash")
    assert pulled.startswith("0\n"), pulled
    assert mine in config.read_text(encoding="utf-8")
    assert "language  = " in config.read_text(encoding="utf-8")


NOT_IN_SUDOERS = """#!/bin/sh
# Debian's sudo for an account a Debian installed with a root password did not put in the sudo group
echo "[sudo] password for lpse: " >&2
echo "lpse is not in the sudoers file." >&2
exit 1
"""


@pytest.mark.parametrize("sudo", ["not in sudoers", "no sudo"])
def test_make_run_without_sudo_says_the_command_to_run_as_root(tmp_path, sudo):
    """`make run` installs the missing Debian packages with sudo: on a Debian installed with a root password
    (no sudo, or none for this account) it stopped at "sudo: command not found" or "lpse is not in the sudoers
    file", with no word of what to do. It names the missing packages and the one command to run as root. (The
    stand-in sudo fails before any apt-get runs: nothing is installed here.)"""
    command = tmp_path / "sudo"
    if sudo == "not in sudoers":
        command.write_text(NOT_IN_SUDOERS)
        command.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS")}
    r = subprocess.run(
        ["make", "-s", "--no-print-directory", "-C", str(ROOT), "debs"]
        + ["PACKAGES=espeak-ng antrian-test-absent ?antrian-test-optional", f"SUDO={command}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode != 0, r.stdout + r.stderr
    said = r.stderr
    assert "Paket Debian ini belum terpasang: antrian-test-absent;" in said, said
    assert "Pasang sekali sebagai root, lalu jalankan make lagi:" in said, said
    assert "These Debian packages are missing: antrian-test-absent;" in said, said
    assert "Install them once as root, then run make again:" in said, said
    # the installed one and the optional one (skipped where the distribution lacks it) are not in the command
    assert "\n  su -c 'apt-get update && apt-get install -y antrian-test-absent'\n" in said, said


@pytest.fixture
def web_page():
    """A device on the network that is not a receipt printer: a web server (the printer's own settings page on
    port 80, or another machine), answering whatever it is sent with an HTTP error, then closing."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)  # to see `stop` at the end of the test
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    if conn.recv(1024):
                        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        while conn.recv(1024):  # what else it is sent, until the printer's side closes
                            pass
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(timeout=10)
    listener.close()


def test_a_printer_address_that_leads_to_a_web_page_is_said_so(tmp_path, web_page):
    """`host` and `port` of [printers.kiosk] written as the admin found the printer, by its web page (port 80),
    or another device's address: its answer to the status query ("HTTP/1.1 400 …") was read as a status byte, and
    `printer test` said "not ready (cover open, out of paper or jammed)": the admin checked a printer that was
    fine. It says the address leads to no receipt printer, and what host and port to check."""
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        '[printers.kiosk]\ntype = "dummy"', f'[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\nport = {web_page}'
    )
    path.write_text(text, encoding="utf-8")
    r = server_command(["printer", "test", "kiosk", "--config", str(path)], timeout=60)
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    indonesian, english = r.stderr.splitlines()
    assert "cover open" not in english and "penutup terbuka" not in indonesian, r.stderr
    assert english.startswith("error: printer kiosk: set up wrong (config.toml) (not an ESC/POS printer at "), english
    assert f"127.0.0.1:{web_page}: its answer to the status query was b'HTTP/1.1 400 Bad'" in english, english
    assert "check that host and port in [printers.kiosk] are the receipt printer's: 127.0.0.1" in english, english
    assert "its raw printing port, usually 9100, not the port of a web page (80)" in english, english
    assert indonesian.startswith("kesalahan: printer kiosk: pengaturannya salah (config.toml)"), indonesian
    assert "port cetak langsungnya (raw), biasanya 9100, bukan port halaman web (80)" in indonesian, indonesian
