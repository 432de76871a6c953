"""The one catalogue of words (server/i18n/id.json, en.json): the two agree, and no page keeps its own table."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

from server import i18n, messages, reports

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = {lang: json.loads((ROOT / "server" / "i18n" / f"{lang}.json").read_text("utf-8")) for lang in i18n.LANGS}
KEY = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")
# The names the pages' old word tables had: none may come back.
OLD_TABLES = (
    re.compile(r"\baddTexts\s*\("),  # counter/static/*.js
    re.compile(r"\bSTRINGS\s*=\s*\{"),  # kiosk.js, phone.js
    re.compile(r"\b(TEXT|TEXTS|WORDS|MESSAGES)\s*=\s*\{"),
)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_both_catalogues_have_the_same_keys():
    assert set(CATALOGUES["id"]) == set(CATALOGUES["en"])
    assert list(CATALOGUES["id"]) == list(CATALOGUES["en"]), "keep the keys in the same order"


def test_every_key_has_a_page_prefix_and_a_text():
    for lang, words in CATALOGUES.items():
        for key, text in words.items():
            assert KEY.match(key), key
            assert isinstance(text, str) and text, (lang, key)


@pytest.mark.parametrize("key", sorted(CATALOGUES["id"]))
def test_the_same_placeholders_in_both_languages(key):
    assert placeholders(CATALOGUES["id"][key]) == placeholders(CATALOGUES["en"][key])


@pytest.mark.parametrize(
    "path",
    sorted(p.relative_to(ROOT).as_posix() for d in ("kiosk", "display", "counter") for p in (ROOT / d).rglob("*.js")),
)
def test_no_page_script_keeps_its_own_table_of_words(path):
    source = (ROOT / path).read_text("utf-8")
    for pattern in OLD_TABLES:
        assert not pattern.search(source), f"{path}: words belong in server/i18n/*.json ({pattern.pattern})"


def test_python_readers_take_their_words_from_the_catalogue():
    import display

    assert messages.message("login_throttled", "en", minutes=5) == "Too many failed logins. Try again in 5 minutes."
    assert messages.message("invalid_transition", "id", label="A-001", status="called") == (
        "Tiket A-001 berstatus dipanggil; tindakan ini tidak bisa dilakukan."
    )
    assert display.TEXT["en"]["title"] == "Queue Display" and display.TEXT["id"]["title"] == "Layar Antrian"
    assert reports.RECAP_COLUMNS[:2] == ("No", "Nama") and reports.RECAP_TITLE == i18n.t("recap.title")
    for name in ("display/__init__.py", "server/messages.py", "server/reports.py"):
        source = (ROOT / name).read_text("utf-8")
        assert "Layar Antrian" not in source and "Wajib diisi" not in source and "Eskalasi ke Helpdesk" not in source


def test_t_fills_placeholders_and_falls_back_to_the_key():
    assert i18n.t("error.counter_taken", "en", officer="budi") == "This counter is in use by budi."
    assert i18n.t("error.counter_taken", "xx", officer="budi") == "Loket ini sedang dipakai oleh budi."
    assert i18n.t("no.such.key", "id") == "no.such.key"


def test_a_staff_page_gets_the_shared_words_and_its_own():
    words = i18n.page_pairs("front")
    assert words["status.waiting"] == ["menunggu", "waiting"]
    assert words["login.title"] == ["Masuk", "Log in"]
    assert words["login.wrong_role"] == [
        CATALOGUES["id"]["front.login.wrong_role"],
        CATALOGUES["en"]["front.login.wrong_role"],
    ]
