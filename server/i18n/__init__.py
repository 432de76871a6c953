"""The one catalogue of words: server/i18n/id.json (Indonesian, the first language) and en.json.

Flat keys with a prefix naming where the words are read: `error.*` (refusals, server/messages.py),
`status.*` (ticket states), `display.*` (the TV page), `staff.*` (every staff page, common.js) and
`counter.*`, `front.*`, `escalations.*`, `admin.*` (one staff page each). {placeholders} are filled
by `t(key, lang, **params)`; the staff pages get their part as JSON (`page_pairs`) and fill them in
the browser. A translator edits these two files only; tests/test_i18n.py checks they agree.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
LANGS = ("id", "en")


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The words of one language, loaded once ('id' for an unknown language)."""
    lang = lang if lang in LANGS else "id"
    with open(HERE / f"{lang}.json", encoding="utf-8") as f:
        return json.load(f)


def t(key: str, lang: str = "id", **params: object) -> str:
    """The text for `key` in `lang`, its {placeholders} filled; the key itself when it is not in the catalogue."""
    text = catalogue(lang).get(key, key)
    if not params:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text


def section(prefix: str, lang: str) -> dict[str, str]:
    """The keys under `prefix.`, without it: section("display", "en") -> {"title": "Queue Display", ...}."""
    start = prefix + "."
    return {k[len(start) :]: v for k, v in catalogue(lang).items() if k.startswith(start)}


def pairs(prefix: str) -> dict[str, list[str]]:
    """The keys under `prefix.` (without it) as [Indonesian, English] pairs, as the staff pages read them."""
    id_words, en_words = section(prefix, "id"), section(prefix, "en")
    return {k: [v, en_words.get(k, v)] for k, v in id_words.items()}


@cache  # read-only: made once per page, not per request (an anonymous client can load a page in a loop)
def page_pairs(page: str) -> dict[str, list[str]]:
    """What one staff page reads: the ticket states (`status.*`, full keys), the words of every staff page
    (`staff.*`) and its own (`<page>.*`, winning over the shared ones)."""
    out = {f"status.{k}": v for k, v in pairs("status").items()}
    out.update(pairs("staff"))
    if page != "staff":
        out.update(pairs(page))
    return out
