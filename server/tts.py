"""Queue-call announcements: the spoken phrase and its speech, cached as WAV or Ogg Vorbis files.

`announcement_text` turns a ticket label and a counter name into the sentence to speak.
`Speech` renders a sentence to a WAV file with pyttsx3 on espeak-ng (and, for the displays,
to Ogg Vorbis with sox, about a seventh of the size). pyttsx3 is not thread-safe and keeps one
engine per process, so synthesis runs in a long-lived child process (`server/tts_worker.py`)
that the parent feeds one request at a time. All waiting goes through `selectors` and
`subprocess`, which gevent patches, so a slow or hung worker never blocks the event loop; a
request that takes too long kills the worker.

`SpeechCache` keeps the files within `[tts] cache_mb`: the least recently used go first, never
one being served or played, nor one just made or reused for a call the TVs have yet to fetch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import selectors
import shutil
import string
import subprocess
import sys
import threading
import time
import unicodedata
import uuid
import wave
import weakref
from collections import Counter, OrderedDict
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from num2words import num2words

from shared.runtime import run_command

if TYPE_CHECKING:
    from server.voice import Pack

log = logging.getLogger(__name__)

TEMPLATE_ID = "Nomor antrian, {letter}, {number}. Silakan menuju, {counter}."
TEMPLATE_EN = "Queue number, {letter}, {number}. Please go to, {counter}."
TEMPLATES = {"id": TEMPLATE_ID, "en": TEMPLATE_EN}
PLACEHOLDERS = frozenset({"letter", "number", "counter"})

# Said before a recall, so that a visitor who missed the first call hears which call this is: the TV writes
# the same ("Panggilan ke-2", "Panggilan ke-3 (terakhir)"; server/i18n display.call_nth, display.call_last).
# A first call has none. The last call a ticket gets ([queue] max_calls) is the last, whatever its number.
RECALL_NTH = {"id": "Panggilan {nth}.", "en": "{Nth} call."}
RECALL_LAST = {"id": "Panggilan terakhir.", "en": "Last call."}
# A ticket on its last chance (skipped and requeued [queue] max_requeues times: one more skip is a no-show; the public
# ticket's `last_chance`) says so before each of its calls, as the TV writes it ("Kesempatan terakhir", "Panggilan
# ke-2 (kesempatan terakhir)"; display.last_chance, display.call_last_chance): its count then, never "terakhir" twice.
LAST_CHANCE = {"id": "Kesempatan terakhir.", "en": "Last chance."}
LAST_CHANCE_NTH = {"id": "Panggilan {nth}, kesempatan terakhir.", "en": "{Nth} call, last chance."}
# Said first in the admin's sound check ("Putar di layar TV", POST /api/admin/voice/test-call), before a recall's or a
# last chance's words: the TV writes "TES SUARA" (display.test_call), but a visitor holding that number heard a real
# call and could walk to the counter. Said like a recall's words, before the call each time (server.announce).
SOUND_TEST = {"id": "Tes suara.", "en": "Sound test."}

_LABEL = re.compile(r"([A-Za-z]+)-(\d+)")
_DIGITS = re.compile(r"\d+")
_AMPERSAND = re.compile(r"\s*&\s*")
_SLASH = re.compile(r"\s*/\s*")  # "PPK/Pokja": espeak-ng's Indonesian says "/" as "garis miring" (slanted line)
# A run of digits in a counter's name longer than this is said digit by digit ("0211234567": "nol dua satu …"), as
# a phone or extension number is read out: num2words named it in "miliar" and "oktiliun", and one of 37 digits or more
# it cannot say at all (OverflowError: the call said nothing).
NUMBER_DIGITS_MAX = 6
_HASH = re.compile(r"#\s*(?=\d)")  # "Loket #3": espeak-ng's Indonesian says "#" as "pagar" (a fence)
# A word of two or more capitals, not part of a longer word ("LPSE", "CS", "BAPPEDA", "LOKET").
_CAPITALS = re.compile(r"(?<![^\W_])[A-Z]{2,}(?![^\W_])")
# A word of capitals, in a name written all in capitals ("LOKET LPSE", "MEJA PPK 2") or not ("Bagian BAPPEDA", "Dinas
# PUPR"), is said as a word when Indonesian can say it as written, else spelled as an acronym. Said as written: syllables of an onset (none; one consonant; the digraphs ng,
# ny, kh, sy; or a cluster of a loanword's syllable, as in "prioritas", "blangko", "struktur", "kwitansi"), a vowel,
# and a coda (none, one consonant, or ng): "LOKET" lo-ket, "BAPPEDA" bap-pe-da, "KOMINFO" ko-min-fo, "SIM" sim; not
# "LPSE" (no syllable begins "lps"), "UKPBJ" or "ULP" (none ends "kpbj", "lp"), "PPK" (no vowel).
_SAY_CLUSTER = r"(?:s[kp]r|str|[pbtdkgf]r|[pbkgfs]l|s[kpmntw]|[kd]w)"
_SAYABLE = re.compile(rf"(?:(?:ng|ny|kh|sy|{_SAY_CLUSTER}|[b-df-hj-np-tv-z])?[aeiou](?:ng|[b-df-hj-np-tv-z])?)+")
# A syllable that begins with a cluster belongs to a longer word ("BLANGKO", "PROGRAM"): a word of one vowel that begins
# with one is an acronym ("BRI"). A word of two letters is an acronym too ("TU", "IT", "PU", as "Meja IT" is), but for
# the two such words a counter's name may hold, "DI" and "KE".
_SAY_CLUSTER_START = re.compile(_SAY_CLUSTER)
_SAY_SHORT = frozenset({"di", "ke"})
# Loanwords of service counters kept as they were borrowed, with an ending Indonesian syllables do not have: a rule
# that let them be said would let "ULP" (the "lp" of "help"), "UPT" or "ASN" be said too. Said as words; an office
# adds its own with [tts] say_as_word. Among them LPSE's own services, e-Purchasing and e-Procurement: "LOKET
# E-PURCHASING" was "loket E-P U R C H A S I N G", ten letters.
_SAY_LOANWORDS = frozenset(
    {"help", "helpdesk", "desk", "front", "bank", "call", "purchasing", "procurement", "technical", "support", "point"}
)
# Acronyms Indonesian could say as written but that offices and their visitors spell, in Indonesian letter names:
# "KUA" is "ka u a" (not "kua"), "NIK" "en i ka", "RUP" "er u pe", "DAK" and "DAU" "de a ka", "de a u", "PAD" "pe a
# de", "ITE" "i te e", "TIK" "te i ka", "KIP" and "KIS" (Kartu Indonesia Pintar, Sehat), "VIP". An office adds its own
# with [tts] spell_out (and says one of these as a word with say_as_word).
SPELLED_ACRONYMS = frozenset({"kua", "nik", "nib", "rup", "dak", "dau", "pad", "ite", "tik", "kip", "kis", "vip"})
# A Roman numeral of two or more of I, V and X (II to XXXIX): how an office numbers counters ("Loket II").
_ROMAN = re.compile(r"X{0,3}(?:IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
# English: a lone capital A before another word is said as the article ("uh"), not the letter; joined to the
# next word by a hyphen ("A-two", "A-S N") espeak-ng says the letter, and a voice pack still finds `a` and `two`.
_LONE_A = re.compile(r"(?<![^\W_])A (?=[^\W_])")
AND_WORDS = {"id": "dan", "en": "and"}  # what "&" in a counter name is said as
# A range of numbers in a counter's name, "Loket 1-3", "1–3" (an en dash) or "1 s/d 3" ("s.d.", sampai dengan), each
# number of at most NUMBER_DIGITS_MAX digits: "Loket satu sampai tiga" (espeak-ng's Indonesian said "satu-tiga" as one
# word, "satutiga", the en dash as no word at all and "s/d" as "es garis miring de"). A hyphen beside a letter is no
# range ("CS-2", "E-Purchasing", "Non-Penyedia"), nor is a run of three numbers ("1-2-3": a code, said as it was).
RANGE_WORDS = {"id": "sampai", "en": "to"}
_RANGE_SIGN = r"(?:[\-\u2013]|s\s*[./]\s*d\.?)"
_RANGE = re.compile(
    rf"(?<![\d\-\u2013])(\d{{1,{NUMBER_DIGITS_MAX}}})\s*{_RANGE_SIGN}\s*"
    rf"(?=\d{{1,{NUMBER_DIGITS_MAX}}}(?![\d\-\u2013]))",
    re.IGNORECASE,
)
# Abbreviations an office writes on its signs, said as the words they stand for: "Loket No. 3" was "loket no tiga",
# "Lt. 2" "el te dua" (in English "lieutenant two"), "R. Rapat" "er rapat", "Ged. B" "ged be". With their full stop;
# "No" and "Lt" without one only before a number ("No 3", "Lt 2"). The words are the office's language's: the English
# voice says "number three", "floor two".
ABBREVIATIONS = {
    "no": {"id": "nomor", "en": "number"},
    "lt": {"id": "lantai", "en": "floor"},
    "r": {"id": "ruang", "en": "room"},
    "ged": {"id": "gedung", "en": "building"},
}
_ABBREVIATION = re.compile(r"(?<![^\W_])(?:(no|lt|r|ged)\.|(no|lt)(?=\s*\d))\s*", re.IGNORECASE)
# What espeak-ng names rather than reads, and so is not said of a counter's name (the TV still shows it): a symbol or
# an emoji (Unicode's "So" and "Sk": "Loket Prioritas ♿" was "… simbol kursi roda", "😀" "wajah gembira", "👍" "jempol
# ke atas", "🇮🇩" "bendera Indonesia", "®" "terdaftar", "™" "merek dagang"), and a letter of a script other than the
# Latin one, which the Indonesian voice hands to the English one letter by letter ("مكتب": "arabic mim, arabic kaf,
# arabic ta, arabic ba"; Cyrillic, Chinese "kode huruf"). Marks (harakat, an emoji's variation selector; a Latin
# letter keeps an accent NFC joins to it) and format characters (what joins an emoji's parts, a soft hyphen) go
# without a trace: "Verifi\u00adkasi" stays one word.
_UNSAID_CATEGORIES = frozenset({"So", "Sk"})
_TRACELESS = frozenset({"Mn", "Mc", "Me", "Cf"})
_UNSAID_RUN = re.compile(r"\s*\x00[\x00\s]*")

WORKER_SCRIPT = Path(__file__).with_name("tts_worker.py")
# Bumped when the audio a key stands for changes, so old cache files are not reused.
_CACHE_VERSION = "1"

# The formats a speech file is kept in (its extension) and their media types.
MEDIA_TYPES = {"wav": "audio/wav", "ogg": "audio/ogg"}
# sox's Ogg Vorbis quality (-C, 0-10): about 48 kbit/s for espeak-ng's 22050 Hz mono, 1/7 of the WAV.
VORBIS_QUALITY = 4
MB = 1024 * 1024
# A file made or reused for a call is kept this long whatever the cache's size: a TV fetches the
# speech of a call when its turn in the TV's own queue of announcements comes, which can be minutes.
FRESH_SECONDS = 300.0
# Temporary files of a synthesis (the server stopped in the middle of one) older than this are removed.
STALE_TEMP_SECONDS = 60.0
_CACHE_FILE = re.compile(r"^[0-9a-f]{64}\.(?:wav|ogg)$")
_TEMP_FILE = re.compile(r"^[0-9a-f]{64}\.[0-9a-f]{32}(?:\.ogg)?\.tmp$")


class TemplateError(ValueError):
    """validate_template's refusal: str() says it in English; `code` names the problem (the catalogue's
    `config.template.<code>`, what config.toml's refusal says in both languages) and `params` fill it."""

    def __init__(self, message: str, code: str, **params: str):
        super().__init__(message)
        self.code = code
        self.params = params


def validate_template(template: str) -> None:
    """Raise TemplateError (a ValueError) unless `template` uses exactly {letter}, {number} and {counter}."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as error:
        raise TemplateError(
            f"announcement template {template!r} has unbalanced braces", "unbalanced", template=repr(template)
        ) from error
    seen: set[str] = set()
    for literal, field, spec, conversion in parts:
        if "{" in literal or "}" in literal:
            raise TemplateError(
                f"announcement template {template!r}: braces are only allowed around "
                "{letter}, {number} and {counter}",
                "stray_brace",
                template=repr(template),
            )
        if field is None:
            continue
        if field not in PLACEHOLDERS or spec or conversion:
            shown = "{" + field + (f"!{conversion}" if conversion else "")
            shown += (f":{spec}" if spec else "") + "}"
            raise TemplateError(
                f"announcement template {template!r}: unknown placeholder {shown}; "
                "use only {letter}, {number} and {counter}",
                "unknown_placeholder",
                template=repr(template),
                placeholder=shown,
            )
        seen.add(field)
    missing = sorted(PLACEHOLDERS - seen)
    if missing:
        names = ", ".join("{" + name + "}" for name in missing)
        raise TemplateError(
            f"announcement template {template!r} is missing {names}", "missing", template=repr(template), names=names
        )


def number_words(number: int, lang: str = "id") -> str:
    """Spell `number` in words of `lang` with num2words, as one phrase: num2words' English puts a comma
    after the thousands ("one thousand, one hundred"), which espeak-ng and a voice pack say as a pause
    in the middle of the number."""
    try:
        return num2words(number, lang=lang).replace(",", "")
    except NotImplementedError as error:
        raise ValueError(f"no number words for language {lang!r}") from error


def spell_letters(prefix: str, lang: str = "id") -> str:
    """Spell a label prefix letter by letter: "AB" -> "A B" (in English "A-B": see `letter_a`)."""
    return letter_a(" ".join(prefix.upper()), lang)


def letter_a(said: str, lang: str) -> str:
    """In English, a lone capital "A" before another word joined to it by a hyphen ("A B" -> "A-B", "A two" ->
    "A-two"): espeak-ng's English says "A B" as "uh bee", the article, and "A-B" as the letters."""
    return _LONE_A.sub("A-", said) if lang == "en" else said


def roman_value(word: str) -> int | None:
    """The number a Roman numeral of two or more of I, V and X says ("II" -> 2, "XIV" -> 14), else None."""
    if len(word) < 2 or not _ROMAN.fullmatch(word):
        return None
    values = [_ROMAN_VALUES[c] for c in word]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def sayable(word: str, in_capitals: bool = True, said: Collection[str] = (), spelled: Collection[str] = ()) -> bool:
    """Whether a word of capitals is said as a word ("LOKET", "BAPPEDA", "KOMINFO", "HELPDESK") rather than spelled as
    an acronym ("LPSE", "PPK", "UKPBJ", "SPSE", "ULP", "BRI", "TU", "KUA"): see _SAYABLE and SPELLED_ACRONYMS. `said`
    and `spelled`: the office's own words ([tts] say_as_word, spell_out, in capitals), before the built-in ones.
    "DI" and "KE" are words only in a name written all in capitals (`in_capitals`): "LOKET DI LANTAI 2", but
    "Kanwil DI Yogyakarta" spells "D I" (Daerah Istimewa)."""
    if word.upper() in said:
        return True
    word = word.lower()
    if word.upper() in spelled or word in SPELLED_ACRONYMS:
        return False
    if word in _SAY_LOANWORDS or (in_capitals and word in _SAY_SHORT):
        return True
    if len(word) < 3 or not _SAYABLE.fullmatch(word):
        return False
    return sum(c in "aeiou" for c in word) > 1 or not _SAY_CLUSTER_START.match(word)


def unsaid(char: str) -> bool:
    """Whether a character of a counter's name is left unsaid: a symbol, an emoji or a letter of a script other than the
    Latin one, which espeak-ng would name ("simbol kursi roda", "arabic mim": see _UNSAID_CATEGORIES)."""
    category = unicodedata.category(char)
    if category in _UNSAID_CATEGORIES:
        return True
    return category.startswith("L") and "LATIN" not in unicodedata.name(char, "")


def sayable_part(name: str) -> str:
    """`name` without what `unsaid` leaves out: "Loket Prioritas ♿" -> "Loket Prioritas", "Loket😀Ramah" -> "Loket
    Ramah", "Loket Zakat زكاة" -> "Loket Zakat"; a run of them (and the spaces about it) is one space. The rest in
    the letters and digits it stands for (NFKC): "Loket Ⅱ" (one character, which espeak-ng said as "kode huruf dua
    satu tujuh satu") -> "Loket II", "Loket ③" and a full-width "Loket ３" -> "Loket 3"."""
    name = unicodedata.normalize("NFC", name)
    marked = "".join("" if unicodedata.category(c) in _TRACELESS else "\x00" if unsaid(c) else c for c in name)
    if "\x00" in marked:
        marked = _UNSAID_RUN.sub(" ", marked)
    return unicodedata.normalize("NFKC", marked)


def counter_words(
    counter_name: str, lang: str = "id", said: Collection[str] = (), spelled: Collection[str] = ()
) -> str:
    """Say the digits in a counter name as words: "Loket 2" -> "Loket dua". A letter next to a number is
    a word of its own: "Loket 12B" -> "Loket dua belas B" (not "belasB"), which a voice pack's `b.wav` says.
    "&" is the word for "and" ("Registrasi & Verifikasi" -> "Registrasi dan Verifikasi"): espeak-ng's
    Indonesian says it as "tanda dan" and a voice pack would leave it out. "#" before a number is not said
    ("Loket #3" -> "Loket tiga", not "Loket pagar tiga"), and "/" is a pause ("PPK/Pokja" -> "P P K, Pokja", not
    "garis miring"). A range is said as one ("Loket 1-3", "1–3", "1 s/d 3" -> "Loket satu sampai tiga", not "satutiga":
    RANGE_WORDS) and a sign's abbreviation as its word ("No. 3" -> "nomor tiga", "Lt. 2" -> "lantai dua", not "el te":
    ABBREVIATIONS), in `lang`.

    A Roman numeral is said as its number ("Loket II" -> "Loket dua": espeak-ng's English said "Loket roman two"
    and a voice pack has no clip `ii`). A word of capitals Indonesian can say as written is a word, in small letters,
    the rest spelled letter by letter (`sayable`, with the office's `said` and `spelled` words), in a name written all
    in capitals or not: "LOKET LPSE" -> "loket L P S E", "Helpdesk LPSE" -> "Helpdesk L P S E", "CS-1" -> "C
    S-satu" (espeak-ng read "LPSE" as a word, "lpsé", and "ULP", "PPID", "IT" too), "Bagian BAPPEDA" -> "Bagian
    bappeda", "DINAS KOMINFO" -> "dinas kominfo", "Kantor KUA" -> "Kantor K U A". The same in English: the name is
    the office's sign, whatever the voice. A symbol, an emoji or a letter of another script than the Latin one is not
    said ("Loket Prioritas ♿" -> "Loket Prioritas", not "… simbol kursi roda": `sayable_part`)."""

    name = _HASH.sub("", sayable_part(counter_name))
    in_capitals = not any(c.islower() for c in name)  # of the name as written, before an abbreviation's words

    def abbreviation(m: re.Match[str]) -> str:
        said = ABBREVIATIONS["".join(g for g in m.groups() if g).lower()]
        return f"{said.get(lang, said['id'])} "

    range_word = RANGE_WORDS.get(lang, RANGE_WORDS["id"])
    name = _RANGE.sub(rf"\1 {range_word} ", _ABBREVIATION.sub(abbreviation, name))

    def say(m: re.Match[str]) -> str:
        before = " " if m.start() > 0 and name[m.start() - 1].isalpha() else ""
        after = " " if m.end() < len(name) and name[m.end()].isalpha() else ""
        digits = m.group()
        if len(digits) > NUMBER_DIGITS_MAX:  # a phone or extension number: digit by digit
            return before + " ".join(number_words(int(d), lang) for d in digits) + after
        return before + number_words(int(digits), lang) + after

    def capitals(m: re.Match[str]) -> str:
        value = roman_value(m.group())
        if value is not None:
            return number_words(value, lang)
        if not sayable(m.group(), in_capitals, said, spelled):
            return " ".join(m.group())
        return m.group().lower()

    words = _DIGITS.sub(say, name)
    words = _CAPITALS.sub(capitals, words)
    words = _AMPERSAND.sub(f" {AND_WORDS.get(lang, AND_WORDS['id'])} ", words)
    return letter_a(_SLASH.sub(", ", words).strip(" ,"), lang)


def speech_voice(voice: str, lang: str = "id") -> str:
    """The espeak-ng voice that says a call in `lang`: `voice` (`[tts] voice`, Indonesian by default) for
    Indonesian, and for English that voice only when it is an English one ("en", "en-us", "gmw/en-US",
    "English_(America)"), else "en": English words in the Indonesian voice are not English."""
    if lang != "en":
        return voice
    name = voice.lower().rsplit("/", 1)[-1]
    return voice if name == "en" or name.startswith(("en-", "english")) else "en"


def recall_words(calls: int, max_calls: int, lang: str = "id", last_chance: bool = False) -> str:
    """What is said before the call of a ticket's `calls`-th call: "" for a first call, "Panggilan kedua." for
    a recall ("Second call."), "Panggilan terakhir." ("Last call.") for its last (`calls` >= `max_calls`).
    A ticket on its `last_chance` (one more skip is a no-show): "Kesempatan terakhir." ("Last chance.") at its
    first call, "Panggilan kedua, kesempatan terakhir." ("Second call, last chance.") at a recall, its count
    whatever `max_calls` (the TV writes "Panggilan ke-3 (kesempatan terakhir)" for its last)."""
    lang = lang if lang in RECALL_NTH else "id"
    if last_chance and calls < 2:
        return LAST_CHANCE[lang]
    if calls < 2:
        return ""
    if calls >= max_calls and not last_chance:
        return RECALL_LAST[lang]
    nth = num2words(calls, lang=lang, to="ordinal")
    return (LAST_CHANCE_NTH if last_chance else RECALL_NTH)[lang].format(nth=nth, Nth=nth[:1].upper() + nth[1:])


def announcement_text(
    label: str,
    counter_name: str,
    template: str,
    lang: str = "id",
    said: Collection[str] = (),
    spelled: Collection[str] = (),
) -> str:
    """The sentence that calls ticket `label` to `counter_name`, numbers spelled in `lang`; `said` and `spelled`: the
    office's words of capitals said as words or spelled ([tts] say_as_word, spell_out: `counter_words`)."""
    validate_template(template)
    match = _LABEL.fullmatch(label.strip())
    if match is None:
        raise ValueError(f"ticket label {label!r} is not letters, a dash and a number")
    prefix, digits = match.groups()
    return template.format(
        letter=spell_letters(prefix, lang),
        number=number_words(int(digits), lang),
        counter=counter_words(counter_name.strip(), lang, said, spelled),
    )


class _OnceLog:
    """Log a failure once; repeats of the same kind are only counted until a success."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.kind: str | None = None
        self.count = 0

    def failure(self, kind: str, message: str) -> None:
        self.count += 1
        if kind != self.kind:
            self.kind = kind
            log.error("%s failed: %s", self.what, message)

    def success(self) -> None:
        if self.count:
            log.info("%s works again after %d failure(s)", self.what, self.count)
        self.kind, self.count = None, 0


class _WorkerError(Exception):
    """A speech request failed; `kind` groups failures for logging once."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class _Worker:
    """One speech worker process and the pipes to it, read and written without blocking."""

    def __init__(self, command: list[str]) -> None:
        child_in, self.to_worker = os.pipe()
        self.from_worker, child_out = os.pipe()
        try:
            self.proc = subprocess.Popen(command, stdin=child_in, stdout=child_out, close_fds=True)
        except OSError as error:
            os.close(self.to_worker)
            os.close(self.from_worker)
            raise _WorkerError("start", f"cannot start {command[0]}: {error}") from error
        finally:
            os.close(child_in)
            os.close(child_out)
        os.set_blocking(self.to_worker, False)
        os.set_blocking(self.from_worker, False)
        self.pending = b""

    def alive(self) -> bool:
        return self.proc.poll() is None

    def ask(self, request: bytes, timeout: float) -> bytes:
        """Send one request line and return the answer line; TimeoutError or EOFError if none."""
        deadline = time.monotonic() + timeout
        view = memoryview(request)
        while view:
            self._wait(self.to_worker, selectors.EVENT_WRITE, deadline)
            try:
                view = view[os.write(self.to_worker, view) :]
            except BlockingIOError:
                continue
        while b"\n" not in self.pending:
            self._wait(self.from_worker, selectors.EVENT_READ, deadline)
            try:
                chunk = os.read(self.from_worker, 65536)
            except BlockingIOError:
                continue
            if not chunk:
                raise EOFError
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        return line

    @staticmethod
    def _wait(fd: int, event: int, deadline: float) -> None:
        # selectors and subprocess are patched by gevent, so this yields to other greenlets.
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        with selectors.DefaultSelector() as selector:
            selector.register(fd, event)
            if not selector.select(remaining):
                raise TimeoutError

    def stop(self, kill: bool = False) -> int:
        """Close the pipes (the worker leaves when its stdin closes), reap it, return its exit code."""
        for fd in (self.to_worker, self.from_worker):
            if fd >= 0:
                os.close(fd)
        self.to_worker = self.from_worker = -1
        if not kill:
            try:
                return self.proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        self.proc.kill()
        return self.proc.wait()


class SpeechCache:
    """The speech files of one directory, kept within `limit` bytes: the least recently used go first.

    A file's use (made, reused for a call, served, played) is kept in memory and as its access time,
    so the order survives a restart. Never removed: a file held (being served or played) and one made
    or reused for a call less than `fresh_seconds` ago; while only those are left the cache may stay
    over its limit until a later prune. Files of other names are neither counted nor removed, except a
    synthesis's temporary files older than STALE_TEMP_SECONDS (left by a crash).
    """

    def __init__(self, directory: Path, limit: int, fresh_seconds: float = FRESH_SECONDS) -> None:
        if limit <= 0:
            raise ValueError(f"speech cache limit must be positive, not {limit}")
        self.directory = Path(directory)
        self.limit = int(limit)
        self.fresh_seconds = fresh_seconds
        self.clock = time.monotonic  # for `fresh_seconds`
        self.total = 0  # bytes of the indexed files
        self.removed = 0  # files removed to keep within the limit
        self._lock = threading.Lock()
        self._files: OrderedDict[str, int] = OrderedDict()  # name -> size, least recently used first
        self._held: Counter[str] = Counter()
        self._fresh: dict[str, float] = {}  # name -> self.clock() until which it is kept
        self.scan()

    def __len__(self) -> int:
        return len(self._files)

    def names(self) -> list[str]:
        """The indexed files, least recently used first."""
        with self._lock:
            return list(self._files)

    def scan(self) -> int:
        """Index the directory by last use, remove stale temporary files, then prune; the files removed."""
        found: list[tuple[int, str, int]] = []
        stale = time.time() - STALE_TEMP_SECONDS
        try:
            entries = list(os.scandir(self.directory))
        except FileNotFoundError:
            entries = []
        except OSError as error:
            log.warning("cannot read the speech cache %s: %s", self.directory, error)
            entries = []
        for entry in entries:
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                st = entry.stat(follow_symlinks=False)
                if _CACHE_FILE.match(entry.name):
                    found.append((max(st.st_atime_ns, st.st_mtime_ns), entry.name, st.st_size))
                elif _TEMP_FILE.match(entry.name) and st.st_mtime < stale:
                    os.unlink(entry.path)
            except OSError:
                continue
        found.sort()
        with self._lock:
            self._files = OrderedDict((name, size) for _, name, size in found)
            self.total = sum(self._files.values())
        return self.prune()

    def add(self, name: str) -> bool:
        """Index the file `name` as just used for a call (kept `fresh_seconds`), then prune.

        False when there is no such file. Both a new file and a cache hit come here."""
        with self._lock:
            if not self._present(name):
                return False
            if self.fresh_seconds > 0:
                now = self.clock()
                if len(self._fresh) > 256:  # forget expired marks, also while the cache is under its limit
                    self._fresh = {n: until for n, until in self._fresh.items() if until > now}
                self._fresh[name] = now + self.fresh_seconds
        self.prune()
        return True

    def hold(self, name: str) -> bool:
        """Keep the file `name` until `release` (it is being served or played); False when it is gone."""
        with self._lock:
            if not self._present(name):
                return False
            self._held[name] += 1
            return True

    def release(self, name: str) -> None:
        """Undo one `hold`."""
        with self._lock:
            self._held[name] -= 1
            if self._held[name] <= 0:
                del self._held[name]

    def held(self, name: str) -> int:
        """How many serves or plays hold the file `name` now."""
        with self._lock:
            return self._held[name]

    def prune(self) -> int:
        """Remove the least recently used files until the total is within the limit; how many went."""
        removed = 0
        with self._lock:  # unlinked under the lock: a hold never finds a file that is about to go
            excess = self.total - self.limit
            if excess <= 0:
                return 0
            now = self.clock()
            self._fresh = {name: until for name, until in self._fresh.items() if until > now}
            victims = []
            for name, size in self._files.items():
                if excess <= 0:
                    break
                if name in self._held or name in self._fresh:
                    continue
                victims.append(name)
                excess -= size
            for name in victims:
                try:
                    os.unlink(self.directory / name)
                except FileNotFoundError:
                    pass
                except OSError as error:
                    log.warning("cannot remove %s from the speech cache: %s", name, error)
                    continue
                self.total -= self._files.pop(name)
                removed += 1
            self.removed += removed
        if removed:
            log.debug("speech cache: removed %d file(s), %d bytes left", removed, self.total)
        return removed

    def _present(self, name: str) -> bool:
        """Under the lock: whether the file is on disk; if so it becomes the most recently used."""
        path = self.directory / name
        old = self._files.pop(name, None)
        if old is not None:
            self.total -= old
        try:
            st = os.stat(path)
        except OSError:
            return False
        self._files[name] = st.st_size
        self.total += st.st_size
        try:  # the access time records the use; the modification time (and so the ETag) stays
            os.utime(path, ns=(time.time_ns(), st.st_mtime_ns))
        except OSError:
            pass
        return True


class Speech:
    """Text to WAV (or Ogg Vorbis) files with pyttsx3/espeak-ng in a worker process, cached by text,
    voice and rate, the cache kept within `cache_mb` megabytes (MiB)."""

    def __init__(
        self,
        cache_dir: Path,
        voice: str = "id",
        rate: int = 150,
        enabled: bool = True,
        *,
        worker_cmd: list[str] | None = None,
        timeout: float = 10.0,
        player_cmd: list[str] | None = None,
        audio_format: str = "wav",
        cache_mb: float = 200,
        fresh_seconds: float = FRESH_SECONDS,
    ) -> None:
        if int(rate) <= 0:  # espeak-ng clamps the rest to its own 80..450
            raise ValueError(f"speech rate must be positive, not {rate}")
        if audio_format not in MEDIA_TYPES:
            raise ValueError(f"speech format must be one of {', '.join(MEDIA_TYPES)}, not {audio_format!r}")
        self.cache_dir = Path(cache_dir)
        self.audio_format = audio_format
        self.voice = voice
        self.rate = int(rate)
        self.enabled = enabled
        self.worker_cmd = list(worker_cmd or [sys.executable, str(WORKER_SCRIPT)])
        self.timeout = timeout
        self.player_cmd = player_cmd
        self.synth_count = 0  # WAV files actually made by espeak-ng (cache misses that succeeded)
        self.joined_count = 0  # files joined from the clips of a voice pack
        self.hit_count = 0
        self._lock = threading.Lock()
        self._worker: _Worker | None = None
        self._finalizer: weakref.finalize | None = None
        self._synth_failures = _OnceLog("speech synthesis")
        self._play_failures = _OnceLog("speech playback")
        self.cache = SpeechCache(self.cache_dir, int(cache_mb * MB), fresh_seconds)  # pruned at start

    @property
    def worker_pid(self) -> int | None:
        """The process id of the running speech worker, if any."""
        return self._worker.proc.pid if self._worker is not None and self._worker.alive() else None

    @property
    def failure_count(self) -> int:
        """Synthesis failures since the last success."""
        return self._synth_failures.count

    def key(self, text: str, pack: Pack | None = None, voice: str | None = None) -> str:
        """Stable hex digest naming the audio of `text` in `voice` (this speech's by default) and this rate,
        or joined from `pack`."""
        if pack is not None:
            blob = json.dumps([_CACHE_VERSION, "clips", text, pack.digest, pack.pause_ms], ensure_ascii=False)
        else:
            blob = json.dumps([_CACHE_VERSION, text, voice or self.voice, self.rate], ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def path_for(self, key: str, audio_format: str | None = None) -> Path:
        """The cache file for `key` in `audio_format` (this speech's format by default)."""
        return self.cache_dir / f"{key}.{audio_format or self.audio_format}"

    def synthesize(self, text: str, pack: Pack | None = None, voice: str | None = None) -> Path | None:
        """The file speaking `text`, made on a cache miss; None if disabled or it failed. With `pack`,
        joined from its clips (`pack.render`; espeak-ng when a word of `text` has no clip); else said by
        espeak-ng in `voice` (this speech's by default).

        Made or found, the file counts as just used and is kept at least the cache's `fresh_seconds`."""
        if not self.enabled:
            return None
        if not text.strip():
            raise ValueError("nothing to say: the text is empty")
        path = self.path_for(self.key(text, pack, voice))
        if self.cache.add(path.name):
            self.hit_count += 1
            return path
        with self._lock:
            if self.cache.add(path.name):  # another caller made it while we waited
                self.hit_count += 1
                return path
            try:
                self._make(text, path, pack, voice)
            except _WorkerError as error:
                self._synth_failures.failure(error.kind, str(error))
                return None
            if pack is not None:
                self.joined_count += 1
            else:
                self.synth_count += 1
            self._synth_failures.success()
        self.cache.add(path.name)  # indexed, and the oldest files removed beyond the limit
        return path

    def hold(self, path: Path) -> bool:
        """Keep the cache file `path` until `release` (while it is served or played); False if it is gone."""
        return path.parent == self.cache_dir and self.cache.hold(path.name)

    def release(self, path: Path) -> None:
        """Undo one `hold`."""
        self.cache.release(path.name)

    @contextmanager
    def holding(self, path: Path) -> Iterator[bool]:
        """`hold` for the length of a with-block; yields whether the file is there."""
        held = self.hold(path)
        try:
            yield held
        finally:
            if held:
                self.release(path)

    def _make(self, text: str, path: Path, pack: Pack | None = None, voice: str | None = None) -> None:
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise _WorkerError("cache", f"cannot create {self.cache_dir}: {error}") from error
        temp = path.with_name(f"{path.stem}.{uuid.uuid4().hex}.tmp")
        encoded = temp.with_suffix(".ogg.tmp")
        try:
            joined = pack.render(text) if pack is not None else None
            if pack is not None and joined is None:
                raise _WorkerError("clips", f"the voice pack has no clip for {', '.join(pack.missing(text))}")
            if joined is not None:
                try:
                    temp.write_bytes(joined)  # a copy of bytes: no worker, no synthesis
                except OSError as error:
                    raise _WorkerError("cache", f"cannot write {temp}: {error}") from error
            else:
                request = {"text": text, "voice": voice or self.voice, "rate": self.rate, "path": str(temp)}
                answer = self._ask(request)
                if not answer.get("ok"):
                    raise _WorkerError("synthesis", str(answer.get("error", "unknown error")))
            _check_wav(temp)
            if self.audio_format == "ogg":
                self._encode_vorbis(temp, encoded)
                os.replace(encoded, path)
            else:
                os.replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)
            encoded.unlink(missing_ok=True)

    def _encode_vorbis(self, wav: Path, out: Path) -> None:
        command = ["sox", "-t", "wav", str(wav), "-t", "vorbis", "-C", str(VORBIS_QUALITY), str(out)]
        try:
            code, output = run_command(command, timeout=self.timeout)
        except FileNotFoundError as error:
            raise _WorkerError("encode", "sox is not installed (Debian package sox)") from error
        except (OSError, TimeoutError) as error:
            raise _WorkerError("encode", f"sox: {error or 'no answer in time'}") from error
        if code != 0:
            raise _WorkerError("encode", f"sox exited with {code}: {output.strip()}")
        try:
            with open(out, "rb") as file:
                ok = file.read(4) == b"OggS"
        except OSError:
            ok = False
        if not ok:
            raise _WorkerError("encode", "sox wrote no Ogg file")

    def _ask(self, request: dict) -> dict:
        if self._worker is not None and not self._worker.alive():
            self._stop()  # died since the last request
        if self._worker is None:
            self._worker = _Worker(self.worker_cmd)
            self._finalizer = weakref.finalize(self, self._worker.stop)
        try:
            line = self._worker.ask(json.dumps(request).encode("utf-8") + b"\n", self.timeout)
        except TimeoutError as error:
            self._stop(kill=True)
            raise _WorkerError("timeout", f"no answer within {self.timeout:g} s") from error
        except (BrokenPipeError, EOFError) as error:
            code = self._stop()
            raise _WorkerError("exited", f"speech worker exited with code {code}") from error
        try:
            answer = json.loads(line)
            if not isinstance(answer, dict):
                raise ValueError("not an object")
        except ValueError as error:
            self._stop(kill=True)
            raise _WorkerError("protocol", f"bad answer from speech worker: {line!r}") from error
        return answer

    def _stop(self, kill: bool = False) -> int | None:
        worker, self._worker = self._worker, None
        if worker is None:
            return None
        self._finalizer.detach()
        return worker.stop(kill)

    def close(self) -> None:
        """Stop the worker process; the next synthesis starts a new one."""
        with self._lock:
            self._stop()

    def __enter__(self) -> Speech:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- playback on the server ---------------------------------------------------------

    def play(self, path: Path) -> bool:
        """Play a WAV file on this machine's speakers (aplay or paplay); False if it failed."""
        command = self.player_cmd or _find_player()
        if command is None:
            self._play_failures.failure("missing", "no audio player (aplay or paplay) found")
            return False
        try:
            # posix_spawn under gevent: a fork of the server for each call paused every screen
            code, output = run_command([*command, str(path)], timeout=max(self.timeout, _duration(path) + 5))
        except (OSError, TimeoutError) as error:
            self._play_failures.failure(type(error).__name__, f"{command[0]}: {error or 'no answer in time'}")
            return False
        if code != 0:
            self._play_failures.failure("exit", f"{command[0]} exited with {code}: {output.strip()}")
            return False
        self._play_failures.success()
        return True


def espeak_voices() -> set[str] | None:
    """The names a `[tts] voice` may take here, as server/tts_worker.py matches them (lower case): each
    espeak-ng voice's file ("poz/id"), its last part ("id") and its name ("indonesian"); None when
    espeak-ng cannot be asked (not installed: the speech fails with its own message)."""
    try:
        code, out = run_command(["espeak-ng", "--voices"], timeout=10)
    except TimeoutError:
        log.warning("espeak-ng --voices gave no answer within 10 s: the [tts] voice is not checked now")
        return None
    except OSError:  # FileNotFoundError among them
        return None
    if code != 0:
        return None
    names: set[str] = set()
    for line in out.splitlines()[1:]:  # Pty Language Age/Gender VoiceName File Other-Languages
        parts = line.split()
        if len(parts) >= 5:
            names |= {parts[3].lower(), parts[4].lower(), parts[4].rsplit("/", 1)[-1].lower()}
    return names or None


def vorbis_available() -> bool:
    """Whether sox is installed to make Ogg Vorbis speech (Debian's sox writes it)."""
    return shutil.which("sox") is not None


def _find_player() -> list[str] | None:
    if shutil.which("aplay"):
        return ["aplay", "-q"]
    if shutil.which("paplay"):
        return ["paplay"]
    return None


def _duration(path: Path) -> float:
    try:
        with wave.open(str(path), "rb") as audio:
            return audio.getnframes() / audio.getframerate()
    except (OSError, wave.Error, ZeroDivisionError):
        return 0.0


def _check_wav(path: Path) -> None:
    try:
        with wave.open(str(path), "rb") as audio:
            frames = audio.getnframes()
    except (OSError, wave.Error, EOFError) as error:
        raise _WorkerError("output", f"speech worker wrote no valid WAV: {error}") from error
    if frames == 0:
        raise _WorkerError("output", "speech worker wrote an empty WAV")
