"""The rooms of the code (docs/architecture.md): the service imports no HTTP, device or admin module, and
the words it took from them read exactly as they did before they moved to the catalogue."""

from __future__ import annotations

import ast
import dataclasses
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from conftest import ROOT

from server.advice import failure_advice
from server.config import load_settings
from server.escalation import escalation_text, minutes_id, priority_class_text, subject_for


@pytest.fixture(scope="module")
def settings():
    return load_settings(ROOT / "config.toml")


def test_the_printer_advice_reads_as_before(settings):
    assert failure_advice(settings, "kiosk", "printer kiosk: out of paper", True) == {
        "kind": "paper_out",
        "id": "Printer kios: kertas habis — isi kertas lalu tekan Cetak ulang",
        "en": "Kiosk printer: out of paper — load paper, then press Reprint",
    }
    assert failure_advice(settings, "lain", "permission denied", False) == {
        "kind": "permission",
        "id": "Printer lain: tidak boleh dibuka oleh server (izin perangkat) — minta admin memberi izin "
        "(grup lp/dialout atau aturan udev); tiket dicetak lagi otomatis",
        "en": "Printer lain: the server may not open it (device permission) — ask the admin to grant access "
        "(lp/dialout group or a udev rule); the ticket is printed again by itself",
    }
    two = dataclasses.replace(
        settings,
        counters=tuple(
            dataclasses.replace(c, printer="loket") if i < 2 else c for i, c in enumerate(settings.counters)
        ),
    )
    assert failure_advice(two, "loket", None, True) == {
        "kind": "other",
        "id": "Printer Loket 1, Loket 2: gagal mencetak — periksa printernya (daya, kertas, kabel) lalu tekan Cetak ulang",
        "en": "Loket 1, Loket 2 printer: failed to print — check it (power, paper, cable), then press Reprint",
    }


def test_the_escalation_text_reads_as_before(settings):
    when = datetime(2026, 11, 28, 2, 7, tzinfo=UTC)
    assert (
        subject_for(settings, "A-001", when)
        == "[Eskalasi] LPSE Kabupaten Contoh - tiket A-001 - Sabtu, 28 November 2026"
    )
    assert [minutes_id(m) for m in (0, 45, 60, 61, 90, 1440, 1500)] == [
        "0 hari",
        "45 menit",
        "1 jam",
        "1 jam 1 menit",
        "1 jam 30 menit",
        "1 hari",
        "25 jam",
    ]
    assert priority_class_text(settings, "P2") == "P2 - Sedang (target penyelesaian 8 jam)"
    assert (priority_class_text(settings, ""), priority_class_text(settings, "PX")) == ("-", "PX")
    ticket = SimpleNamespace(
        label="B-012",
        created_at=when,
        finished_at=None,
        category=None,
        priority_class="P2",
        escalation_note="Analisis {x}",
        officer="budi",
    )
    form = {"name": "Budi {name}", "agency": "CV", "address": "Jl. X", "phone": "0812", "problem": "Lupa\nsandi"}
    assert escalation_text(settings, ticket, form) == (
        "Perihal: [Eskalasi] LPSE Kabupaten Contoh - tiket B-012 - Sabtu, 28 November 2026\n"
        "\n"
        "Yth. Helpdesk LKPP,\n"
        "\n"
        "LPSE Kabupaten Contoh meneruskan permasalahan pengguna SPSE berikut yang belum dapat\n"
        "diselesaikan di LPSE (SOP Penanganan Permasalahan Pengguna, langkah 11).\n"
        "\n"
        "Nomor antrian       : B-012\n"
        "Tanggal             : Sabtu, 28 November 2026 09.07 WIB\n"
        "Jenis               : -\n"
        "Kelas prioritas     : P2 - Sedang (target penyelesaian 8 jam)\n"
        "\n"
        "A. IDENTITAS\n"
        "Nama                : Budi {name}\n"
        "Instansi/Perusahaan : CV\n"
        "Alamat              : Jl. X\n"
        "Telepon             : 0812\n"
        "\n"
        "B. PERMASALAHAN\n"
        "Lupa\n"
        "sandi\n"
        "\n"
        "C. ANALISIS HELPDESK LPSE\n"
        "Analisis {x}\n"
        "\n"
        "Pemberi penjelasan: budi\n"
        "\n"
        "Mohon balasan atau nomor tiket (TTS / LPSE Support) untuk kasus ini.\n"
        "-- \n"  # a signature separator (RFC 3676)
        "LPSE Kabupaten Contoh\n"
        "Jl. Merdeka No. 1, Kota Contoh\n"
    )


# The HTTP layer, the devices' workers and the admin's HTTP side: the service is below them all.
NOT_FOR_THE_SERVICE = (
    "flask",
    "flask_socketio",
    "server.admin",
    "server.admin_api",
    "server.api",
    "server.auth",
    "server.mail",
    "server.messages",
    "server.printing",
    "server.realtime",
)


def imported(path) -> set[str]:
    """Every module a file imports, at its top or inside a function (`from server import x` counts as
    server.x when server/x.py or server/x/ exists)."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            for alias in node.names:
                sub = ROOT.joinpath(*node.module.split("."), alias.name)
                if sub.with_suffix(".py").is_file() or sub.is_dir():
                    names.add(f"{node.module}.{alias.name}")
    return names


def module_file(name: str):
    """The file of one of this repository's modules, or None for another package's."""
    path = ROOT.joinpath(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def test_the_service_imports_no_http_device_or_admin_module():
    """Directly, or through what it imports (docs/architecture.md, the row of server/service/)."""
    todo = [(f"server.service.{p.stem}", p) for p in sorted((ROOT / "server" / "service").glob("*.py"))]
    seen = {name for name, _ in todo}
    wrong = []
    while todo:
        name, path = todo.pop()
        for module in imported(path):
            if any(module == bad or module.startswith(bad + ".") for bad in NOT_FOR_THE_SERVICE):
                wrong.append(f"{name} imports {module}")
            elif module not in seen and (found := module_file(module)) is not None:
                seen.add(module)
                todo.append((module, found))
    assert not wrong, wrong
    assert "server.passwords" in seen and "server.advice" in seen and "server.escalation" in seen
