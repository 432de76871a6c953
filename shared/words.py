"""The reader of the one catalogue of words (server/i18n/id.json and en.json) for every room.

The two files live with the server, but the words are not the server's alone: the slips
(printers/) and the dates (shared/dates.py) print them too, and those may not import server/.
So the files are read here, with the standard library only; server/i18n reads them through
this module as well, so there is one loader and one copy of each language in memory.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "server" / "i18n"
LANGS = ("id", "en")


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The words of one language, loaded once ('id' for an unknown language)."""
    lang = lang if lang in LANGS else "id"
    with open(CATALOGUE_DIR / f"{lang}.json", encoding="utf-8") as f:
        return json.load(f)


def word(key: str, lang: str = "id") -> str:
    """The text of `key` in `lang`, unfilled; a KeyError when the catalogue lacks it (a typo fails loudly)."""
    return catalogue(lang)[key]
