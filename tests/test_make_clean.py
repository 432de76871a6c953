"""`make clean`: the caches the build and the tests leave, never the office's data."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_make_clean_removes_caches_and_keeps_the_office_s_database_and_backups(tmp_path):
    """It removed var/ whole: with the shipped config.toml, the database, its daily copies (var/backups), the
    archives and the secret key, so an admin tidying up lost every record and every copy of them."""
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    kept = [tmp_path / "var" / "antrian.db", tmp_path / "var" / "backups" / "antrian-2026-12-04.db"]
    kept.append(tmp_path / "var" / "__pycache__" / "keep.pyc")  # inside var/: not a cache of the code's
    caches = [tmp_path / ".pytest_cache" / "v" / "x", tmp_path / "server" / "__pycache__" / "app.pyc"]
    caches.append(tmp_path / ".venv" / "pycache" / "x.pyc")
    for path in kept + caches:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"data")
    done = subprocess.run(["make", "-s", "--no-print-directory", "-C", str(tmp_path), "clean"], capture_output=True)
    assert done.returncode == 0, done.stderr
    assert [p for p in kept if not p.exists()] == []
    assert [p for p in caches if p.exists()] == []
    assert (tmp_path / "server").is_dir()  # only the cache folder inside it
