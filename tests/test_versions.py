"""The libraries whose internals the server uses: their installed versions are checked (server/versions.py)."""

from __future__ import annotations

import re
import tomllib

import pytest
from conftest import ROOT

from server import cli, versions


def _pyproject_specs() -> dict[str, str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    specs = {}
    for dep in deps:
        name, spec = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*(.*)", dep).groups()
        specs[name.lower()] = spec.replace(" ", "")
    return specs


def _locked(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text(encoding="utf-8")
    return {m[1].lower(): m[2] for m in re.finditer(r"(?m)^([A-Za-z0-9_.-]+)==(\S+)", text)}


def test_the_installed_versions_are_supported():
    assert versions.check_versions() == []


def test_the_ranges_are_pyprojects():
    specs = _pyproject_specs()
    assert {p: specs.get(p) for p in versions.SUPPORTED} == {p: s for p, (s, _) in versions.SUPPORTED.items()}


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-test.lock", "requirements-bench.lock"])
def test_the_lock_files_pin_supported_versions(lock):
    pins = _locked(lock)
    for package, (spec, _) in versions.SUPPORTED.items():
        assert package in pins, f"{lock} does not pin {package}"
        assert versions.in_range(pins[package], spec), f"{lock}: {package}=={pins[package]} is outside {spec}"


def test_the_runtime_lock_has_the_test_locks_versions():
    test_pins = _locked("requirements-test.lock")
    assert {p: v for p, v in _locked("requirements.lock").items() if test_pins.get(p) != v} == {}


def test_the_bench_lock_is_the_test_lock_and_aiohttp():
    """The benches add aiohttp to what the tests run on, at the same versions (make lock); the tests
    do without it (python-engineio imports it in every process whenever it is installed)."""
    test_pins, bench_pins = _locked("requirements-test.lock"), _locked("requirements-bench.lock")
    assert {p: v for p, v in test_pins.items() if bench_pins.get(p) != v} == {}
    assert "aiohttp" in bench_pins and "aiohttp" not in test_pins


@pytest.mark.parametrize(
    ("version", "ok"),
    [("4.9", True), ("4.9.0", True), ("4.15.1", True), ("4.15.99.post1", True), ("4.8.9", False), ("4.16.0", False)],
)
def test_in_range(version, ok):
    assert versions.in_range(version, ">=4.9,<4.16") is ok


def _fake(monkeypatch, **fake: str | None) -> None:
    real = versions.installed
    monkeypatch.setattr(versions, "installed", lambda p: fake[p] if p in fake else real(p))


def test_an_unsupported_version_is_named_with_the_supported_range(monkeypatch):
    _fake(monkeypatch, **{"python-engineio": "4.16.0"})
    [problem] = versions.check_versions()
    assert problem.en_text.startswith(
        "python-engineio 4.16.0 is installed; Antrian supports python-engineio>=4.9,<4.16 only"
    )
    assert problem.id_text.startswith(
        "python-engineio 4.16.0 terpasang; Antrian hanya mendukung python-engineio>=4.9,<4.16, karena memakai"
    )
    assert "server/fanout.py" in problem.id_text and "server/fanout.py" in problem.en_text


def test_a_missing_package_is_named(monkeypatch):
    _fake(monkeypatch, openpyxl=None)
    [problem] = versions.check_versions()
    assert problem.id_text == "openpyxl belum terpasang; Antrian memerlukan openpyxl>=3.1,<3.2"
    assert problem.en_text == "openpyxl is not installed; Antrian needs openpyxl>=3.1,<3.2"


def test_serve_exits_with_the_message_before_starting(monkeypatch):
    _fake(monkeypatch, gevent="27.1.0")
    with pytest.raises(SystemExit) as exit_:
        cli.serve(None, "127.0.0.1", 1)  # no settings needed: it stops before looking at them
    message = str(exit_.value.code)
    # each problem in Indonesian, then English on the line under it
    assert "\n  - gevent 27.1.0 terpasang; Antrian hanya mendukung gevent>=24.2,<27, karena" in message
    assert "\n    gevent 27.1.0 is installed; Antrian supports gevent>=24.2,<27 only" in message
    assert "requirements-test.lock" in message
    assert message.startswith("kesalahan: versi pustaka yang tidak didukung / error: unsupported library versions:")
    assert (
        "pasang versi yang sudah diuji / install the tested versions: .venv/bin/pip install -r requirements.lock"
        in message
    )
