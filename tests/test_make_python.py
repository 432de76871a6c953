"""`make`'s choice of the Python that .venv is built on, on the distributions an office may have.

The machine here is Debian 12; Ubuntu 22.04 (python3 is 3.10, python3.11 in its package lists) and Debian 11
(3.9, none newer) cannot run here, so their Python 3.10 and their apt are stand-in scripts on PATH; the
Makefile's own recipe runs, and where a Python 3.11+ is needed it is this machine's real one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REAL_PY = Path(sys.executable).resolve()  # the venv's interpreter: 3.11 or newer, with ensurepip here

OLD_PYTHON = """#!/bin/sh
# Ubuntu 22.04's python3
case "$1" in -V|--version) echo "Python 3.10.12";; *) exit 1;; esac
"""

APT_CACHE = """#!/bin/sh
# apt-cache show NAME: found when NAME is in $STUB_APT_HAS
[ "$1" = show ] || exit 2
for name in $STUB_APT_HAS; do [ "$name" = "$2" ] && { echo "Package: $2"; exit 0; }; done
echo "E: No packages found" >&2; exit 100
"""

APT_GET = f"""#!/bin/sh
# apt-get install -y -qq NAME...: logs what it was asked for; python3.X puts a Python 3.11+ at $STUB_APT_DIR,
# python3.X-venv gives the stand-in Python without ensurepip its venv module
echo "$*" >> "$STUB_LOG"
for name in "$@"; do
  case "$name" in
    python3.*-venv) touch "$STUB_APT_DIR/venv-installed";;
    python3.*) ln -sf {REAL_PY} "$STUB_APT_DIR/$name";;
  esac
done
"""

NO_ENSUREPIP = f"""#!/bin/sh
# a Python 3.11 whose pythonX.Y-venv is not installed: `import ensurepip` fails until apt-get installs it
case "$*" in *ensurepip*) [ -e "$STUB_APT_DIR/venv-installed" ] || exit 1;; esac
exec {REAL_PY} "$@"
"""


@pytest.fixture
def machine(tmp_path):
    bin_dir = tmp_path / "bin"
    apt_dir = tmp_path / "apt"
    bin_dir.mkdir()
    apt_dir.mkdir()
    for name, text in (
        ("python3", OLD_PYTHON),
        ("apt-cache", APT_CACHE),
        ("apt-get", APT_GET),
        ("python3.11-no-venv", NO_ENSUREPIP),
    ):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    log = tmp_path / "apt.log"

    def make(target: str, candidates: list[str], apt_has: str = "", **variables: str):
        env = {
            **os.environ,
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "STUB_APT_HAS": apt_has,
            "STUB_APT_DIR": str(apt_dir),
            "STUB_LOG": str(log),
        }
        env.pop("MAKEFLAGS", None)
        args = [f"PY_CANDIDATES={' '.join(candidates)}", f"APT_PYTHON_DIR={apt_dir}", "SUDO="]
        args += [f"{k}={v}" for k, v in variables.items()]
        return subprocess.run(
            ["make", "-s", "--no-print-directory", "-C", str(ROOT), target, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    make.old = str(bin_dir / "python3")
    make.no_venv = str(bin_dir / "python3.11-no-venv")
    make.apt_dir = apt_dir
    make.apt_calls = lambda: log.read_text().splitlines() if log.exists() else []
    return make


def test_a_new_enough_python_is_taken_as_it_is(machine):
    r = machine("base-python", [machine.old, str(REAL_PY)], apt_has="python3.13-venv python3.11-venv")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(REAL_PY)
    assert machine.apt_calls() == []  # nothing installed when the machine has what is needed


def test_ubuntu_22_04_gets_python3_11_and_its_venv_module_from_apt(machine):
    """Ubuntu 22.04: python3 is 3.10; its package lists have python3.11 (universe) but no 3.12 or 3.13."""
    r = machine("base-python", [machine.old], apt_has="python3.11-venv python3.10-venv")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(machine.apt_dir / "python3.11")
    assert machine.apt_calls() == ["install -y -qq python3.11 python3.11-venv"]
    assert "no Python 3.11 or newer: installing python3.11" in r.stderr


def test_the_newest_python_the_package_lists_offer_is_installed(machine):
    r = machine("base-python", [machine.old], apt_has="python3.11-venv python3.12-venv")
    assert r.returncode == 0, r.stderr
    assert machine.apt_calls() == ["install -y -qq python3.12 python3.12-venv"]


def test_a_machine_with_no_python_3_11_anywhere_is_told_what_to_do(machine):
    """Debian 11 or Ubuntu 20.04: no Python 3.11+ installed or installable; make stops before making .venv."""
    r = machine("base-python", [machine.old], apt_has="python3.9-venv")
    assert r.returncode != 0
    assert machine.apt_calls() == []
    assert "Antrian needs Python 3.11 or newer; this machine has: Python 3.10.12" in r.stderr
    assert "Antrian memerlukan Python 3.11 atau lebih baru" in r.stderr
    assert "Debian 12, Ubuntu 22.04 or newer" in r.stderr
    assert r.stdout == ""


def test_a_python_without_its_venv_module_gets_it(machine):
    """Without pythonX.Y-venv, `python -m venv` leaves a .venv with no pip ("No module named pip" later)."""
    r = machine("base-python", [machine.no_venv], apt_has="python3.11-venv")
    assert r.returncode == 0, r.stderr
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert machine.apt_calls() == [f"install -y -qq python{version}-venv"]
    assert r.stdout.strip() == machine.no_venv


def test_a_venv_left_without_pip_is_made_again(machine, tmp_path):
    """A .venv whose python has no pip (made while the venv module was missing) is made again, with pip."""
    venv = tmp_path / "venv"
    subprocess.run([str(REAL_PY), "-m", "venv", "--without-pip", str(venv)], check=True)
    (venv / ".setup.lock").write_text("")  # the lock this runs under (flock): kept, or a second make sets up beside
    r = machine("venv", [str(REAL_PY)], VENV=str(venv))
    assert r.returncode == 0, r.stderr
    assert "made again" in r.stdout
    assert (venv / ".setup.lock").exists()
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and "pip" in done.stdout
    again = machine("venv", [str(REAL_PY)], VENV=str(venv))  # a good one is kept as it is
    assert again.returncode == 0 and again.stdout == ""
