"""The one catalogue of words: server/i18n/id.json (Indonesian, the first language) and en.json.

Flat keys with a prefix naming where the words are read: `error.*` (refusals, server/messages.py),
`config.*` (the config parser's problems, server/config.py: the admin page's, and those the start and the
command line print), `cli.*` (the command line's messages, server/cli.py), `status.*` (ticket states), `display.*` (the TV page), `staff.*`
(every staff page, common.js) and `counter.*`, `front.*`, `escalations.*`, `admin.*` (one staff page
each). {placeholders} are filled by `t(key, lang, **params)`; the staff pages get their part as JSON
(`page_pairs`) and fill them in the browser. A translator edits these two files only;
tests/test_i18n.py checks they agree. The files are read by shared/words.py, which the printers'
slips and shared/dates.py read them through too.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from shared.words import LANGS, catalogue

if TYPE_CHECKING:
    from server.errors import Localized

__all__ = ["LANGS", "catalogue", "t", "word", "section", "pairs", "page_pairs"]


def t(key: str, lang: str = "id", **params: object) -> str:
    """The text for `key` in `lang`, its {placeholders} filled; the key itself when it is not in the catalogue."""
    text = catalogue(lang).get(key, key)
    if not params:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text


def word(key: str, lang: str = "id", **params: object) -> str:
    """As `t`, for the words a template renders itself (`tr` in the pages' templates): a KeyError when
    the catalogue lacks the key, so a typo fails the page (and its test) instead of showing the key."""
    text = catalogue(lang)[key]
    return text.format(**params) if params else text


def both(key: str, /, **params: object) -> Localized:
    """`word(key)` in Indonesian and English, its {placeholders} filled; a Localized param is put in the
    language of each text (what the command line, the config's refusals and the store's say in two lines)."""
    from server.errors import Localized

    def text(lang: str) -> str:
        filled = {
            k: (v.en_text if lang == "en" else v.id_text) if isinstance(v, Localized) else v for k, v in params.items()
        }
        return word(key, lang, **filled)

    return Localized(text("id"), text("en"))


def section(prefix: str, lang: str) -> dict[str, str]:
    """The keys under `prefix.`, without it: section("display", "en") -> {"title": "Queue Display", ...}."""
    start = prefix + "."
    return {k[len(start) :]: v for k, v in catalogue(lang).items() if k.startswith(start)}


def pairs(prefix: str) -> dict[str, list[str]]:
    """The keys under `prefix.` (without it) as [Indonesian, English] pairs, as the staff pages read them."""
    id_words, en_words = section(prefix, "id"), section(prefix, "en")
    return {k: [v, en_words.get(k, v)] for k, v in id_words.items()}


# The words of other parts a staff page reads too, full keys: the front office says why a slip was not printed
# as the print jobs do (`printer.skipped.*`), of its ticket as it is now.
PAGE_EXTRA = {"front": ("printer.skipped",)}


@cache  # read-only: made once per page, not per request (an anonymous client can load a page in a loop)
def page_pairs(page: str) -> dict[str, list[str]]:
    """What one staff page reads: the ticket states (`status.*`, full keys), the words of every staff page
    (`staff.*`) and its own (`<page>.*`, winning over the shared ones); PAGE_EXTRA's, full keys."""
    out = {f"status.{k}": v for k, v in pairs("status").items()}
    for prefix in PAGE_EXTRA.get(page, ()):
        out.update({f"{prefix}.{k}": v for k, v in pairs(prefix).items()})
    out.update(pairs("staff"))
    if page != "staff":
        out.update(pairs(page))
    return out
