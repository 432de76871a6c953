"""Announcement phrases and their speech: real espeak-ng through the worker process."""

from __future__ import annotations

import dataclasses
import gc
import logging
import os
import subprocess
import sys
import textwrap
import threading
import time
import wave
from pathlib import Path

import pytest
from conftest import speak_queued, write_config
from fakespeech import FakeSpeech
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from num2words import num2words

from server import tts_worker
from server.announce import Announcer
from server.config import ConfigError, load_settings
from server.tts import (
    MB,
    SPELLED_ACRONYMS,
    TEMPLATE_EN,
    TEMPLATE_ID,
    Speech,
    announcement_text,
    counter_words,
    letter_a,
    roman_value,
    sayable,
    speech_voice,
    validate_template,
)

ROOT = Path(__file__).resolve().parent.parent
PHRASE = "Nomor antrian, A, dua belas. Silakan menuju, Loket dua."
EXITS_AT_ONCE = [sys.executable, "-c", "raise SystemExit(3)"]
NEVER_ANSWERS = [sys.executable, "-c", "import time; time.sleep(60)"]


@pytest.fixture
def speech(tmp_path):
    with Speech(tmp_path / "tts") as speech:
        yield speech


def errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "server.tts" and r.levelno >= logging.ERROR]


def wav_facts(path: Path) -> tuple[int, int, int, float]:
    with wave.open(str(path), "rb") as audio:
        return (
            audio.getnchannels(),
            audio.getsampwidth(),
            audio.getframerate(),
            audio.getnframes() / audio.getframerate(),
        )


# -- the phrase -----------------------------------------------------------------------------


def test_default_template_calls_ticket_to_counter():
    assert announcement_text("A-012", "Loket 2", TEMPLATE_ID) == PHRASE


@pytest.mark.parametrize(
    ("label", "counter", "number", "counter_number"),
    [
        ("A-001", "Loket 1", 1, 1),
        ("B-020", "Loket 3", 20, 3),
        ("C-115", "Meja 10", 115, 10),
        ("D-999", "Loket 2", 999, 2),
    ],
)
def test_numbers_in_label_and_counter_are_num2words_indonesian(label, counter, number, counter_number):
    expected_counter = counter.split()[0] + " " + num2words(counter_number, lang="id")
    assert announcement_text(label, counter, TEMPLATE_ID) == (
        f"Nomor antrian, {label[0]}, {num2words(number, lang='id')}. Silakan menuju, {expected_counter}."
    )


def test_every_number_from_1_to_999_is_spoken_as_num2words_says():
    counters = {"Loket 1": "Loket satu", "Loket 2": "Loket dua", "Loket 3": "Loket tiga", "Meja 10": "Meja sepuluh"}
    for n in range(1, 1000):
        for counter, spoken in counters.items():
            text = announcement_text(f"A-{n:03d}", counter, TEMPLATE_ID)
            assert text == f"Nomor antrian, A, {num2words(n, lang='id')}. Silakan menuju, {spoken}."


@pytest.mark.parametrize(("label", "letters"), [("AB-003", "A B"), ("XYZ-7", "X Y Z"), ("b-10", "B")])
def test_prefix_is_spelled_letter_by_letter(label, letters):
    assert announcement_text(label, "Loket 1", "{letter}|{number}|{counter}").split("|")[0] == letters


@pytest.mark.parametrize(
    ("counter", "spoken"),
    [
        ("Loket 2", "Loket dua"),
        ("Meja 10", "Meja sepuluh"),
        ("Loket Prioritas", "Loket Prioritas"),
        # a letter beside a number is its own word, as a pack's clip of it is (not "belasB", "satuA")
        ("Loket 12B", "Loket dua belas B"),
        ("Meja 1A", "Meja satu A"),
        ("Loket2", "Loket dua"),
        ("Loket 3 – Registrasi", "Loket tiga – Registrasi"),
        ("Ruang 101", "Ruang seratus satu"),
        ("Loket 999999", "Loket sembilan ratus sembilan puluh sembilan ribu sembilan ratus sembilan puluh sembilan"),
        # a longer run of digits (a phone or extension number) is said digit by digit: num2words named it in
        # "oktiliun", and one of 37 digits or more (the admin page takes a name of them) raised OverflowError, the call
        # said nothing
        ("Loket 0211234567", "Loket nol dua satu satu dua tiga empat lima enam tujuh"),
        ("Loket " + "9" * 40, "Loket " + " ".join(["sembilan"] * 40)),
    ],
)
def test_digits_in_counter_name_become_words(counter, spoken):
    assert announcement_text("A-1", counter, "{letter} {number} {counter}") == f"A satu {spoken}"


def test_a_counter_named_with_a_number_and_a_letter_is_said_with_the_letter_as_a_word():
    text = announcement_text("A-123", "Loket 12B", TEMPLATE_ID)
    assert text == "Nomor antrian, A, seratus dua puluh tiga. Silakan menuju, Loket dua belas B."
    assert (
        announcement_text("B-7", "Meja 1A", TEMPLATE_EN, lang="en")
        == "Queue number, B, seven. Please go to, Meja one A."
    )


def test_english_template_uses_english_number_words():
    text = announcement_text("AB-021", "Meja 10", TEMPLATE_EN, lang="en")
    assert text == "Queue number, A-B, twenty-one. Please go to, Meja ten."  # "A B" was "uh bee": see below


# -- the number words, checked against a spelling written here without num2words --------------

ID_ONES = ["", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]
EN_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
    " seventeen eighteen nineteen"
).split()
EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def indonesian(n: int) -> str:
    """0-999999 in Indonesian words as a school book has them: se- for one ten, hundred and thousand,
    "sebelas", "dua belas", "dua puluh satu", "seratus satu", "seribu", "dua ribu"."""

    def below_1000(n: int) -> list[str]:
        hundreds, rest = divmod(n, 100)
        words = ["seratus"] if hundreds == 1 else [ID_ONES[hundreds], "ratus"] if hundreds else []
        tens, ones = divmod(rest, 10)
        if rest == 10:
            words.append("sepuluh")
        elif rest == 11:
            words.append("sebelas")
        elif tens == 1:
            words += [ID_ONES[ones], "belas"]
        else:
            words += [ID_ONES[tens], "puluh"] if tens else []
            words += [ID_ONES[ones]] if ones else []
        return words

    if n == 0:
        return "nol"
    thousands, rest = divmod(n, 1000)
    words = ["seribu"] if thousands == 1 else [*below_1000(thousands), "ribu"] if thousands else []
    return " ".join(words + below_1000(rest))


def english(n: int) -> str:
    """0-999999 in British English words, one phrase (no comma: a comma is a pause when spoken)."""

    def below_100(n: int) -> str:
        return EN_ONES[n] if n < 20 else EN_TENS[n // 10] + (f"-{EN_ONES[n % 10]}" if n % 10 else "")

    def below_1000(n: int) -> str:
        hundreds, rest = divmod(n, 100)
        if not hundreds:
            return below_100(rest)
        return f"{EN_ONES[hundreds]} hundred" + (f" and {below_100(rest)}" if rest else "")

    thousands, rest = divmod(n, 1000)
    if not thousands:
        return below_1000(rest)
    return f"{below_1000(thousands)} thousand" + ((" and " if rest < 100 else " ") + below_1000(rest) if rest else "")


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (1, "satu"),
        (11, "sebelas"),
        (12, "dua belas"),
        (20, "dua puluh"),
        (21, "dua puluh satu"),
        (100, "seratus"),
        (101, "seratus satu"),
        (111, "seratus sebelas"),
        (200, "dua ratus"),
        (999, "sembilan ratus sembilan puluh sembilan"),
        (1000, "seribu"),
        (1100, "seribu seratus"),
        (2024, "dua ribu dua puluh empat"),
    ],
)
def test_the_independent_spelling_says_the_numbers_an_office_meets(n, words):
    assert indonesian(n) == words


@settings(max_examples=400, deadline=None)
@given(number=st.integers(0, 999_999), counter=st.integers(1, 999), width=st.sampled_from([1, 3, 4]))
@example(number=7, counter=1, width=3).via("A-007")
@example(number=1100, counter=20, width=3).via("a pause in English")
@example(number=9999, counter=20, width=3).via("the highest daily quota")
def test_every_label_and_counter_number_is_said_in_the_words_of_each_language(number, counter, width):
    """The label's number (zero-padded or not) and the counter's number, in Indonesian and in English,
    as a spelling written here says them; English thousands with no comma (a pause inside the number)."""
    label = f"A-{number:0{width}d}"
    said = announcement_text(label, f"Loket {counter}", "{letter}|{number}|{counter}")
    assert said == f"A|{indonesian(number)}|Loket {indonesian(counter)}"
    said = announcement_text(label, f"Loket {counter}", "{letter}|{number}|{counter}", lang="en")
    assert said == f"A|{english(number)}|Loket {english(counter)}"


def test_an_english_call_past_a_thousand_has_no_pause_inside_its_number():
    text = announcement_text("B-1100", "Loket 2", TEMPLATE_EN, lang="en")
    assert text == "Queue number, B, one thousand one hundred. Please go to, Loket two."


@pytest.mark.parametrize(
    ("counter", "lang", "spoken"),
    [
        ("Loket 4 – Registrasi & Verifikasi Akun", "id", "Loket empat – Registrasi dan Verifikasi Akun"),
        ("Loket 4 – Registrasi & Verifikasi Akun", "en", "Loket four – Registrasi and Verifikasi Akun"),
        ("Meja R&D", "id", "Meja R dan D"),
        ("Loket 2&3", "id", "Loket dua dan tiga"),
    ],
)
def test_an_ampersand_in_a_counter_name_is_said_as_the_word_and(counter, lang, spoken):
    """espeak-ng's Indonesian says "&" as "tanda dan" ("and sign"), and a voice pack left it out."""
    assert announcement_text("A-1", counter, "{letter} {number}: {counter}", lang=lang).split(": ")[1] == spoken


@pytest.mark.parametrize(
    ("counter", "lang", "spoken"),
    [
        # a symbol or an emoji: espeak-ng said what it shows ("simbol kursi roda", "wajah gembira", "bendera Indonesia")
        ("Loket Prioritas ♿", "id", "Loket Prioritas"),
        ("♿ Loket Disabilitas", "id", "Loket Disabilitas"),
        ("Loket 😀 Ramah", "id", "Loket Ramah"),
        ("Loket😀Ramah", "id", "Loket Ramah"),
        ("Loket 👨\u200d👩\u200d👧 Keluarga", "id", "Loket Keluarga"),  # one emoji of three joined
        ("Loket 1️⃣", "id", "Loket satu"),  # a keycap: the digit, its selector and the keycap unsaid
        ("Helpdesk LPSE® 🇮🇩", "id", "Helpdesk L P S E"),
        ("Counter 2 ★", "en", "Counter two"),
        # a letter of another script: the English voice named it ("arabic zain, arabic kaf, …")
        ("Loket Zakat زكاة", "id", "Loket Zakat"),
        ("Loket Zakat زَكَاة 2", "en", "Loket Zakat two"),
        ("Café Pengaduan", "id", "Café Pengaduan"),  # a Latin letter with its accent is said
        # what a character stands for: "Ⅱ" is one character, espeak-ng said "kode huruf dua satu tujuh satu"
        ("Loket Ⅱ", "id", "Loket dua"),
        ("Loket ③", "id", "Loket tiga"),
        ("Loket ３", "id", "Loket tiga"),
    ],
)
def test_a_symbol_an_emoji_or_another_script_in_a_counter_name_is_not_said(counter, lang, spoken):
    """What espeak-ng names rather than reads is left out of the phrase; the TV still shows the name as written."""
    assert announcement_text("A-1", counter, "{letter} {number}: {counter}", lang=lang).split(": ")[1] == spoken


@pytest.mark.parametrize(
    ("counter", "lang", "spoken"),
    [
        # a range of counters: espeak-ng's Indonesian said "satu-tiga" as one word, "satutiga"
        ("Loket 1-3", "id", "Loket satu sampai tiga"),
        ("Loket 1–3", "id", "Loket satu sampai tiga"),  # an en dash: said as no word at all, "satu tiga"
        ("Loket 1 - 3", "id", "Loket satu sampai tiga"),
        ("Loket 1 s/d 3", "id", "Loket satu sampai tiga"),  # "sampai dengan": was "es garis miring de"
        ("Loket 1 s.d. 3", "id", "Loket satu sampai tiga"),
        ("LOKET 10-12", "id", "loket sepuluh sampai dua belas"),
        ("Loket 1-3", "en", "Loket one to three"),
        ("Loket 1–3", "en", "Loket one to three"),
        # a hyphen beside a letter is no range, nor a label's, nor a dash before a word; a code of three numbers stays
        ("Loket CS-2", "id", "Loket C S-dua"),
        ("LOKET E-PURCHASING", "id", "loket E-purchasing"),
        ("Layanan E-Purchasing", "id", "Layanan E-Purchasing"),
        ("Loket 3 – Registrasi", "id", "Loket tiga – Registrasi"),
        ("Loket 1-2-3", "id", "Loket satu-dua-tiga"),
    ],
)
def test_a_range_of_counters_is_said_from_one_number_to_the_other(counter, lang, spoken):
    assert counter_words(counter, lang) == spoken


@pytest.mark.parametrize(
    ("counter", "lang", "spoken"),
    [
        # what an office writes on its signs, said as the words: espeak-ng said "no", "el te", "er", "ged"
        ("Loket No. 3", "id", "Loket nomor tiga"),
        ("Loket No.3", "id", "Loket nomor tiga"),
        ("Loket No 3", "id", "Loket nomor tiga"),
        ("LOKET NO. 3", "id", "loket nomor tiga"),
        ("Helpdesk Lt. 2", "id", "Helpdesk lantai dua"),
        ("Helpdesk Lt 2", "id", "Helpdesk lantai dua"),
        ("LOKET DI LT. 2", "id", "loket di lantai dua"),  # still a name all in capitals: "di" is a word
        ("R. Rapat", "id", "ruang Rapat"),
        ("Meja Ged. B Lt. 2", "id", "Meja gedung B lantai dua"),
        ("Loket No. 3", "en", "Loket number three"),
        ("Helpdesk Lt. 2", "en", "Helpdesk floor two"),  # espeak-ng's English said "lieutenant two"
        # not an abbreviation: a word that begins so, "No" or "Lt" without a full stop before a word, a lone letter
        ("Loket Nomor 3", "id", "Loket Nomor tiga"),
        ("Loket Notaris", "id", "Loket Notaris"),
        ("Meja R&D", "id", "Meja R dan D"),
        ("Loket R 2", "id", "Loket R dua"),
    ],
)
def test_an_abbreviation_on_an_office_sign_is_said_as_its_word(counter, lang, spoken):
    assert counter_words(counter, lang) == spoken


def test_an_invisible_character_in_a_counter_name_splits_no_word():
    """A soft hyphen pasted from a document, or a zero-width joiner, is no gap between words (a symbol's place is)."""
    assert counter_words("Loket Verifi\u00adkasi 2").replace("\u00ad", "") == "Loket Verifikasi dua"
    assert len(counter_words("Layanan\u200dInformasi").split()) == 1


@pytest.mark.parametrize(
    ("counter", "lang", "spoken"),
    [
        # a word of capitals among small letters is an acronym: its letters, as an office says it
        ("Helpdesk LPSE", "id", "Helpdesk L P S E"),
        ("Loket UKPBJ 2", "id", "Loket U K P B J dua"),
        ("Loket CS-2", "id", "Loket C S-dua"),
        ("Konsultasi Non-Penyedia (PPK/Pokja/PP)", "id", "Konsultasi Non-Penyedia (P P K, Pokja, P P)"),
        ("Loket KTP-el", "id", "Loket K T P-el"),
        ("Helpdesk LPSE", "en", "Helpdesk L P S E"),
        # a word of capitals among small letters Indonesian can say as written is a word, as in a name of capitals
        ("Bagian BAPPEDA", "id", "Bagian bappeda"),
        ("Loket DISDUKCAPIL", "id", "Loket disdukcapil"),
        ("Sekretariat POKJA 2", "en", "Sekretariat pokja two"),
        ("Loket UMUM", "id", "Loket umum"),
        ("Layanan E-PURCHASING", "id", "Layanan E-purchasing"),
        ("Dinas PUPR", "id", "Dinas P U P R"),
        ("Kantor KUA", "id", "Kantor K U A"),  # a word Indonesians spell though they could say it: "ka u a"
        ("Layanan VIP", "id", "Layanan V I P"),
        ("Kanwil DI Yogyakarta", "id", "Kanwil D I Yogyakarta"),  # "di" and "ke" are words in capitals alone
        # a word with small letters is said as a word
        ("Loket SIKaP", "id", "Loket SIKaP"),
        # a name all in capitals: a word Indonesian can say as written is a word, in small letters; the rest spelled
        ("LOKET LPSE", "id", "loket L P S E"),
        ("LOKET LPSE", "en", "loket L P S E"),
        ("MEJA PPK 2", "id", "meja P P K dua"),
        ("LOKET UKPBJ", "id", "loket U K P B J"),
        ("HELPDESK SPSE", "id", "helpdesk S P S E"),
        ("BAGIAN BAPPEDA", "id", "bagian bappeda"),
        ("DINAS KOMINFO", "en", "dinas kominfo"),
        ("LOKET PENGADUAN", "id", "loket pengaduan"),
        ("LAYANAN PRIORITAS", "id", "layanan prioritas"),
        ("KONSULTASI NON-PENYEDIA (PPK/POKJA/PP)", "id", "konsultasi non-penyedia (P P K, pokja, P P)"),
        ("LKPP", "id", "L K P P"),
        ("LOKET BKD / DPRD", "id", "loket B K D, D P R D"),
        ("LOKET ULP", "id", "loket U L P"),
        ("MEJA IT", "id", "meja I T"),  # two letters: an acronym, as "Meja IT" ("TU", "PU"), but "di" and "ke"
        ("LOKET BANK BRI", "id", "loket bank B R I"),  # a loanword; one vowel after a cluster: an acronym
        ("LOKET KAS", "id", "loket kas"),
        ("LOKET KUA", "id", "loket K U A"),
        ("LOKET NIK & RUP", "id", "loket N I K dan R U P"),
        ("LOKET DI LANTAI 2", "id", "loket di lantai dua"),
        ("LOKET ASN", "en", "loket A-S N"),
        ("Meja R&D", "id", "Meja R dan D"),
        # a Roman numeral is its number, in capitals or not
        ("Loket II", "id", "Loket dua"),
        ("LOKET IV", "id", "loket empat"),
        ("Loket XIV", "en", "Loket fourteen"),
        ("Loket II", "en", "Loket two"),
        ("Loket XL", "id", "Loket X L"),  # not I, V and X alone: letters
        # "/" is a pause, "#" before a number is not said
        ("Meja PPK/Pokja", "id", "Meja P P K, Pokja"),
        ("Loket 2/3", "en", "Loket two, three"),
        ("Loket #3", "id", "Loket tiga"),
        ("Loket #12B", "en", "Loket twelve B"),
        # English: a lone A before a word is joined to it, else espeak-ng says the article "uh"
        ("Loket A2", "en", "Loket A-two"),
        ("Loket ASN", "en", "Loket A-S N"),
        ("Meja 3A", "en", "Meja three A"),
        ("Loket A2", "id", "Loket A dua"),
    ],
)
def test_a_counter_name_is_said_as_the_office_reads_it(counter, lang, spoken):
    assert announcement_text("A-1", counter, "{letter} {number}: {counter}", lang=lang).split(": ")[1] == spoken


# An independent statement of the rule for a name in capitals: Indonesian syllables, built here, are said as words.
CONSONANTS = "BCDFGHJKLMNPQRSTVWXYZ"
ONSETS = [*CONSONANTS, "NG", "NY", "KH", "SY"]
CLUSTERS = "PR BR TR DR KR GR FR PL BL KL GL FL SL SP SK ST SM SN SW KW DW STR SPR SKR".split()
CODAS = [*CONSONANTS, "NG"]


@st.composite
def indonesian_words(draw, syllables: tuple[int, int] = (2, 5)) -> str:
    """A word of `syllables` Indonesian syllables in capitals: (onset) vowel (coda)."""
    word = ""
    for _ in range(draw(st.integers(*syllables))):
        onset = draw(st.sampled_from(["", *ONSETS, *CLUSTERS]))
        word += onset + draw(st.sampled_from("AEIOU")) + draw(st.sampled_from(["", *CODAS]))
    assume(roman_value(word) is None)
    return word


def said_in_capitals(word: str, lang: str) -> str:
    """How a word alone in a name of capitals is said: "LOKET <word>" said, "loket " taken off."""
    said = announcement_text("A-1", f"LOKET {word}", "{letter}|{number}|{counter}", lang=lang).split("|")[2]
    assert said.startswith("loket ")
    return said.removeprefix("loket ")


@settings(max_examples=300, deadline=None)
@given(word=indonesian_words(), lang=st.sampled_from(["id", "en"]))
@example(word="BAPPEDA", lang="id").via("bap-pe-da")
@example(word="KOMINFO", lang="en").via("ko-min-fo")
@example(word="DISDUKCAPIL", lang="id").via("dis-duk-ca-pil")
@example(word="STRUKTUR", lang="id").via("a cluster at the start")
def test_a_word_of_indonesian_syllables_in_a_name_of_capitals_is_said_as_a_word(word, lang):
    assume(len(word) > 2)  # two letters are an acronym (below)
    assume(word.lower() not in SPELLED_ACRONYMS)  # "KUA": spelled, below
    assert said_in_capitals(word, lang) == word.lower()


def said_among_small_letters(word: str, lang: str) -> str:
    """How a word of capitals is said in a name with small letters: "Loket <word>" said, "Loket " taken off."""
    said = announcement_text("A-1", f"Loket {word}", "{letter}|{number}|{counter}", lang=lang).split("|")[2]
    assert said.startswith("Loket ")
    return said.removeprefix("Loket ")


@settings(max_examples=300, deadline=None)
@given(
    word=st.one_of(indonesian_words((1, 4)), st.text(CONSONANTS + "AEIOU", min_size=2, max_size=9)),
    lang=st.sampled_from(["id", "en"]),
)
@example(word="BAPPEDA", lang="id").via("Bagian BAPPEDA: bappeda, as BAGIAN BAPPEDA")
@example(word="PUPR", lang="id").via("Dinas PUPR: spelled, as DINAS PUPR")
@example(word="KUA", lang="id").via("Kantor KUA: spelled, as KANTOR KUA")
@example(word="II", lang="en").via("a Roman numeral")
def test_a_word_of_capitals_is_said_alike_in_a_name_of_capitals_and_in_one_with_small_letters(word, lang):
    """One rule for a word of capitals, whatever the rest of the name is written in: a word (in small letters) or its
    letters, each a letter of the word, never nothing; "DI" and "KE" alone are words only among capitals."""
    said = said_among_small_letters(word, lang)
    value = roman_value(word)
    if value is not None:
        assert said == num2words(value, lang=lang)
    elif word in ("DI", "KE"):
        assert said == " ".join(word)
    else:
        assert said == said_in_capitals(word, lang)
        assert said in (word.lower(), letter_a(" ".join(word), lang)), said
        assert (said == word.lower()) == sayable(word)


@pytest.mark.parametrize("word", sorted(SPELLED_ACRONYMS))
def test_the_acronyms_indonesians_spell_are_spelled_though_the_rule_could_say_them(word):
    word = word.upper()
    assert said_in_capitals(word, "id") == said_among_small_letters(word, "id") == " ".join(word)
    assert sayable(word, said=(word,))  # an office that says it as a word: [tts] say_as_word


@settings(max_examples=300, deadline=None)
@given(word=st.text(CONSONANTS, min_size=1, max_size=7), lang=st.sampled_from(["id", "en"]))
@example(word="PPK", lang="id")
@example(word="LKPP", lang="id")
@example(word="DPRD", lang="en")
def test_a_word_of_capitals_without_a_vowel_is_spelled(word, lang):
    assume(roman_value(word) is None)
    assert said_in_capitals(word, lang) == " ".join(word)


@settings(max_examples=300, deadline=None)
@given(
    cluster=st.text(CONSONANTS, min_size=2, max_size=4),
    vowel=st.sampled_from("AEIOU"),
    rest=indonesian_words((0, 3)),
    at_end=st.booleans(),
    lang=st.sampled_from(["id", "en"]),
)
@example(cluster="LPS", vowel="E", rest="", at_end=False, lang="id").via("LPSE")
@example(cluster="SPS", vowel="E", rest="", at_end=False, lang="en").via("SPSE")
@example(cluster="KPBJ", vowel="U", rest="", at_end=True, lang="id").via("UKPBJ")
@example(cluster="LP", vowel="U", rest="", at_end=True, lang="en").via("ULP")
def test_a_word_that_begins_or_ends_with_a_cluster_indonesian_syllables_lack_is_spelled(
    cluster, vowel, rest, at_end, lang
):
    """Consonants before the first vowel that are no onset ("LPSE"), or after the last that are more than one
    consonant and not "ng" ("ULP", "UKPBJ"): the word is an acronym, said letter by letter, in English too ("A"
    joined: "A-S N")."""
    if at_end:
        assume(cluster != "NG")
        word = rest + vowel + cluster
    else:
        assume(cluster not in ONSETS + CLUSTERS)
        word = cluster + vowel + rest
    assume(
        word
        not in {"HELP", "DESK", "BANK", "CALL", "FRONT", "SUPPORT", "POINT", "PURCHASING", "PROCUREMENT", "TECHNICAL"}
    )
    assert said_in_capitals(word, lang) == letter_a(" ".join(word), lang)
    assert said_among_small_letters(word, lang) == letter_a(" ".join(word), lang)


@pytest.mark.parametrize(
    ("word", "spoken"),
    [
        # a cluster begins a syllable of a longer word ("PROGRAM"); a word of one vowel after one is an acronym
        ("PROGRAM", "program"),
        ("BRI", "B R I"),
        ("SKA", "S K A"),
        # a word of one vowel with one consonant before it is a word: "LOKET KAS", "SIM", "POS"
        ("SIM", "sim"),
        ("POS", "pos"),
        # two letters: an acronym, but for the words "di" and "ke"
        ("TU", "T U"),
        ("IT", "I T"),
        ("DI", "di"),
        ("KE", "ke"),
        # loanwords of signs whose ending Indonesian syllables lack ("lp" is also ULP's, "nt" UPT's, "sk" ASK's)
        ("HELPDESK", "helpdesk"),
        ("HELP", "help"),
        ("FRONT", "front"),
        ("BANK", "bank"),
        ("CALL", "call"),
        # LPSE's services, e-Purchasing and e-Procurement, and a desk's "TECHNICAL SUPPORT", "INFO POINT": spelled before
        ("PURCHASING", "purchasing"),
        ("E-PURCHASING", "E-purchasing"),
        ("E-PROCUREMENT", "E-procurement"),
        ("TECHNICAL SUPPORT", "technical support"),
        ("POINT", "point"),
        # a Roman numeral is still its number
        ("XII", "dua belas"),
    ],
)
def test_a_short_word_in_a_name_of_capitals(word, spoken):
    assert said_in_capitals(word, "id") == spoken


def espeak_phonemes(text: str, voice: str) -> str:
    """What espeak-ng says for `text`, in its phoneme mnemonics on one line (`espeak-ng -x`)."""
    out = subprocess.run(
        ["espeak-ng", "-q", "-x", "-v", voice, text], capture_output=True, text=True, timeout=10, check=True
    )
    return " ".join(out.stdout.split())


@pytest.mark.parametrize(
    ("label", "counter", "lang", "heard", "not_heard"),
    [
        ("A-1", "Helpdesk LPSE", "id", "'El p'e", "lps'E"),  # "el pe es e", not the word "lpsé"
        ("A-1", "Loket PPID", "id", "p'e p'e 'i d'e", "p'id"),  # not the word "pid"
        ("A-1", "Loket SPSE", "id", "'Es p'e", "sps'E"),
        ("A-1", "LOKET LPSE", "id", "l'ok@t 'El p'e", "lps'E"),  # a sign's capitals: "loket el pe es e"
        ("A-1", "LOKET LPSE", "en", "l'0kI2t 'El p'i:", "'Els'i:"),  # not "loket elsee"
        ("A-1", "Meja IT", "id", "'i t'e", "'it"),
        ("A-1", "Loket #3", "id", "l'ok@t t'iga", "p'agaR"),  # not "Loket pagar tiga"
        ("A-1", "Loket 2/3", "id", "l'ok@t d'ua t'iga", "m'iR2iN"),  # not "dua garis miring tiga"
        ("A-1", "Loket II", "en", "l'0kI2t t'u:", "r,oUm@n"),  # not "Loket roman two"
        ("A-1", "Bagian BAPPEDA", "id", "bag'ian bap'Eda", "b'e 'a p'e"),  # "bappeda", not "be a pe pe e de a"
        ("A-1", "Kantor KUA", "id", "k'antOR k'a 'u 'a", "k'ua"),  # "ka u a", not the word "kua"
        ("A-1", "LOKET KUA", "id", "l'ok@t k'a 'u 'a", "k'ua"),
        ("A-1", "Loket UMUM", "id", "l'ok@t 'umum", "'u 'Em"),  # "umum", not "u em u em"
        ("A-1", "Loket A2", "en", "'eIt'u:", "a#"),  # the letter A, not "Loket uh two"
        ("AB-5", "Loket 1", "en", "'eIb'i:", "a#"),  # "Queue number, ay bee", not "uh bee"
        ("A-1", "LOKET E-PURCHASING", "id", "l'ok@t 'epuRX'asiN", "tS'e h'a"),  # not "E-P U R C H A S I N G"
        ("A-1", "Loket Prioritas ♿", "id", "l'ok@t pR2,iOR2'itas", "k'uRsi"),  # not "… simbol kursi roda"
        ("A-1", "Loket 😀 Ramah", "id", "l'ok@t R2'amah", "w'adZah"),  # not "wajah gembira"
        ("A-1", "Loket Zakat زكاة", "id", "l'ok@t z'akat", "'ar@bIk"),  # not "arabic zain, arabic kaf, …"
        ("A-1", "Loket Ⅱ", "id", "l'ok@t d'ua", "h'uR2uf"),  # not "kode huruf dua satu tujuh satu"
        ("A-1", "Loket 1-3", "id", "s'atu s'ampaI t'iga", "s'atut'iga"),  # not one word, "satutiga"
        ("A-1", "Loket 1–3", "id", "s'atu s'ampaI t'iga", "s'atu t'iga"),
        ("A-1", "Loket 1-3", "en", "w'0n t@ Tr'i:", "w'0nTr'i:"),
        ("A-1", "Loket No. 3", "id", "l'ok@t n'omOR t'iga", "n'o t'iga"),  # "nomor tiga", not "no tiga"
        ("A-1", "Loket Lt. 2", "id", "l'antaI d'ua", "Elt'e"),  # "lantai dua", not "el te dua"
        ("A-1", "Loket Lt. 2", "en", "fl'o@", "Elt'i:"),  # "floor two", not "el tee" (lieutenant)
    ],
)
def test_espeak_ng_says_the_counter_and_the_letters_as_a_visitor_should_hear_them(
    label, counter, lang, heard, not_heard
):
    """The phrase the server builds, said by the real espeak-ng in the voice that says the office's calls."""
    text = announcement_text(label, counter, TEMPLATE_EN if lang == "en" else TEMPLATE_ID, lang=lang)
    said = espeak_phonemes(text, speech_voice("id", lang))
    assert heard in said and not_heard not in said, (text, said)


@pytest.mark.parametrize("template", [TEMPLATE_ID, TEMPLATE_EN, "{counter}: {letter} {number}, {letter} {number}"])
def test_good_templates_pass(template):
    validate_template(template)


@pytest.mark.parametrize(
    ("template", "complaint"),
    [
        ("Nomor {number}. Silakan menuju {counter}.", "missing {letter}"),
        ("Nomor {letter} {nomor} {counter}", "unknown placeholder {nomor}"),
        ("Nomor {letter} {number} {counter} {}", "unknown placeholder {}"),
        ("Nomor {letter} {number:03d} {counter}", "unknown placeholder {number:03d}"),
        ("Nomor {letter!r} {number} {counter}", "unknown placeholder {letter!r}"),
        ("Nomor {letter} {number} {counter", "unbalanced braces"),
        ("Nomor {{letter}} {letter} {number} {counter}", "braces are only allowed"),
        ("", "missing {counter}, {letter}, {number}"),
    ],
)
def test_bad_templates_are_rejected_with_reason(template, complaint):
    with pytest.raises(ValueError, match=complaint.replace("{", r"\{").replace("}", r"\}")):
        validate_template(template)
    with pytest.raises(ValueError):
        announcement_text("A-001", "Loket 1", template)


@pytest.mark.parametrize("label", ["012", "A012", "A-", "-12", "A-1B", "1-12", ""])
def test_malformed_labels_are_rejected(label):
    with pytest.raises(ValueError, match="ticket label"):
        announcement_text(label, "Loket 1", TEMPLATE_ID)


# -- speech ---------------------------------------------------------------------------------


def test_espeak_writes_a_mono_16_bit_wav_of_the_phrase(speech):
    path = speech.synthesize(PHRASE)
    assert path == speech.path_for(speech.key(PHRASE))
    header = path.read_bytes()[:12]
    assert header[:4] == b"RIFF" and header[8:12] == b"WAVE"
    channels, width, rate, seconds = wav_facts(path)
    assert (channels, width, rate) == (1, 2, 22050)
    assert 2 < seconds < 8
    assert speech.synth_count == 1


def test_slower_rate_makes_longer_audio(tmp_path):
    with Speech(tmp_path, rate=100) as slow, Speech(tmp_path, rate=250) as fast:
        assert wav_facts(slow.synthesize(PHRASE))[3] > 1.5 * wav_facts(fast.synthesize(PHRASE))[3]


def test_second_call_is_a_cache_hit_that_synthesises_nothing(speech):
    first = speech.synthesize(PHRASE)
    made = first.stat().st_mtime_ns
    second = speech.synthesize(PHRASE)
    assert second == first
    assert speech.synth_count == 1 and speech.hit_count == 1
    assert second.stat().st_mtime_ns == made


def test_cache_is_shared_by_a_new_speech_with_same_voice_and_rate(tmp_path):
    with Speech(tmp_path) as first:
        path = first.synthesize(PHRASE)
    with Speech(tmp_path, worker_cmd=EXITS_AT_ONCE) as second:
        assert second.synthesize(PHRASE) == path  # a hit never needs the worker
        assert second.synth_count == 0


def test_key_is_stable_and_depends_on_text_voice_and_rate(tmp_path):
    key = Speech(tmp_path).key(PHRASE)
    assert key == Speech(tmp_path).key(PHRASE)
    assert int(key, 16) and len(key) == 64
    others = {
        Speech(tmp_path).key(PHRASE + " "),
        Speech(tmp_path, voice="en").key(PHRASE),
        Speech(tmp_path, rate=151).key(PHRASE),
    }
    assert key not in others and len(others) == 3


def test_disabled_speech_does_nothing(tmp_path):
    speech = Speech(tmp_path / "tts", enabled=False)
    assert speech.synthesize(PHRASE) is None
    assert speech.worker_pid is None and not (tmp_path / "tts").exists()


def test_worker_that_exits_at_once_fails_cleanly_and_logs_once(tmp_path, caplog):
    with Speech(tmp_path, worker_cmd=EXITS_AT_ONCE) as speech:
        assert [speech.synthesize(f"{PHRASE} {n}") for n in range(3)] == [None, None, None]
        assert speech.failure_count == 3
    assert errors(caplog) == ["speech synthesis failed: speech worker exited with code 3"]
    assert list(tmp_path.iterdir()) == []


def test_espeak_without_the_voice_fails_cleanly_and_logs_once(tmp_path, caplog):
    with Speech(tmp_path, voice="no-such-voice") as speech:
        assert speech.synthesize(PHRASE) is None
        assert speech.synthesize(PHRASE + "!") is None
        assert speech.worker_pid is not None  # the worker survives a refused request
    assert len(errors(caplog)) == 1 and "unknown voice 'no-such-voice'" in errors(caplog)[0]


def test_missing_worker_program_fails_cleanly(tmp_path, caplog):
    with Speech(tmp_path, worker_cmd=[str(tmp_path / "no-such-program")]) as speech:
        assert speech.synthesize(PHRASE) is None
        assert speech.synthesize(PHRASE) is None
    assert len(errors(caplog)) == 1 and "cannot start" in errors(caplog)[0]


def test_success_after_failures_resets_the_log_once_state(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="server.tts")
    with Speech(tmp_path) as speech:
        good_cmd, speech.worker_cmd = speech.worker_cmd, EXITS_AT_ONCE
        assert speech.synthesize("satu") is None and speech.synthesize("dua") is None
        speech.worker_cmd = good_cmd
        assert speech.synthesize("tiga") is not None and speech.failure_count == 0
        speech.worker_cmd = EXITS_AT_ONCE
        speech.close()
        assert speech.synthesize("empat") is None
    assert len(errors(caplog)) == 2
    assert any("works again after 2 failure(s)" in r.getMessage() for r in caplog.records)


def test_worker_that_never_answers_is_killed_after_the_timeout(tmp_path, caplog):
    with Speech(tmp_path, worker_cmd=NEVER_ANSWERS, timeout=0.5) as speech:
        started = time.monotonic()
        assert speech.synthesize(PHRASE) is None
        assert time.monotonic() - started < 2
        assert speech.worker_pid is None
    assert errors(caplog) == ["speech synthesis failed: no answer within 0.5 s"]


def test_dead_worker_is_restarted_on_the_next_request(speech):
    assert speech.synthesize("satu")
    first_pid = speech.worker_pid
    os.kill(first_pid, 9)
    deadline = time.monotonic() + 15
    while speech.worker_pid is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert speech.synthesize("dua") is not None
    assert speech.worker_pid not in (None, first_pid)


def test_forgotten_speech_stops_its_worker(tmp_path):
    speech = Speech(tmp_path)
    assert speech.synthesize("halo")
    pid = speech.worker_pid
    del speech
    gc.collect()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_two_threads_at_once_both_get_valid_wavs(speech):
    barrier = threading.Barrier(4)
    results: dict[str, Path | None] = {}

    def ask(text):
        barrier.wait()
        results[text] = speech.synthesize(text)

    texts = [PHRASE, "Nomor antrian, B, tiga. Silakan menuju, Loket satu.", PHRASE, "Nomor antrian, C, satu."]
    threads = [threading.Thread(target=ask, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert set(results) == set(texts) and all(results.values())
    for path in results.values():
        channels, width, _, seconds = wav_facts(path)
        assert channels == 1 and width == 2 and seconds > 0.5
    assert speech.synth_count == 3  # the repeated phrase was made once


def test_no_temporary_files_are_left_in_the_cache(tmp_path):
    with Speech(tmp_path) as speech:
        speech.synthesize(PHRASE)
        speech.worker_cmd = EXITS_AT_ONCE
        speech.close()
        speech.synthesize("lain")
    assert [p.name for p in tmp_path.iterdir()] == [speech.path_for(speech.key(PHRASE)).name]


def test_worker_answers_bad_requests_with_an_error():
    state: dict = {}
    assert tts_worker.handle("not json", state)["ok"] is False
    assert "bad request" in tts_worker.handle('{"text": "x"}', state)["error"]


def test_synthesis_under_gevent_does_not_block_the_event_loop(tmp_path):
    script = textwrap.dedent(
        f"""
        from gevent import monkey; monkey.patch_all()
        import sys, gevent
        from pathlib import Path
        from server.tts import Speech
        ticks = 0
        def tick():
            global ticks
            while True:
                ticks += 1
                gevent.sleep(0.01)
        ticker = gevent.spawn(tick)
        with Speech(Path({str(tmp_path)!r}), worker_cmd={NEVER_ANSWERS!r}, timeout=0.5) as stuck:
            assert stuck.synthesize("satu") is None
        waited = ticks
        with Speech(Path({str(tmp_path)!r})) as speech:
            path = speech.synthesize("Nomor antrian, A, dua belas.")
        ticker.kill()
        print(waited, path is not None)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    waited, made = done.stdout.split()
    # ~50 ticks of 10 ms in the 0.5 s idle; 20 on a CI run with both cores busy. A loop blocked by the silent worker
    # gets none until its timeout: at most the one or two of the worker's start.
    assert int(waited) > 5, "the event loop stalled while the worker was silent"
    assert made == "True"


# -- Ogg Vorbis for the displays -----------------------------------------------------------


def sox_facts(path: Path) -> dict[str, str]:
    out = subprocess.run(["soxi", str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines()) if v}


def test_ogg_speech_is_vorbis_of_the_same_audio_at_a_seventh_of_the_size(tmp_path):
    with Speech(tmp_path / "wav") as wav_speech, Speech(tmp_path / "ogg", audio_format="ogg") as ogg_speech:
        wav, ogg = wav_speech.synthesize(PHRASE), ogg_speech.synthesize(PHRASE)
    assert ogg == ogg_speech.path_for(ogg_speech.key(PHRASE)) and ogg.suffix == ".ogg"
    assert ogg.read_bytes()[:4] == b"OggS"
    facts = sox_facts(ogg)
    assert facts["Sample Encoding"] == "Vorbis" and facts["Channels"] == "1" and facts["Sample Rate"] == "22050"
    assert abs(float(facts["Duration"].split()[0].split(":")[-1]) - wav_facts(wav)[3]) < 0.05
    assert ogg.stat().st_size * 5 < wav.stat().st_size  # measured: 42 KB against 306 KB (7 s)
    assert [p.name for p in (tmp_path / "ogg").iterdir()] == [ogg.name]  # no temporary WAV left


def test_ogg_speech_without_sox_fails_cleanly_and_logs_once(tmp_path, caplog, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # the worker is started by its full path
    with Speech(tmp_path / "ogg", audio_format="ogg") as speech:
        assert speech.synthesize(PHRASE) is None and speech.synthesize("dua") is None
    assert errors(caplog) == ["speech synthesis failed: sox is not installed (Debian package sox)"]
    assert list((tmp_path / "ogg").iterdir()) == []


def test_unknown_audio_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="speech format"):
        Speech(tmp_path, audio_format="mp3")


# -- the cache on disk ------------------------------------------------------------------------

PHRASES = [f"Nomor antrian, A, {num2words(n, lang='id')}. Silakan menuju, Loket dua." for n in range(1, 9)]


def on_disk(directory: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in directory.iterdir() if p.suffix == ".wav"}


def test_cache_stays_within_cache_mb_removing_the_least_recently_used_first(tmp_path):
    """With nothing held or fresh, the files kept are always the longest run of the most recently used
    that fits in cache_mb; a phrase used again (a recall) moves to the back of the line."""
    used: list[str] = []  # least recently used first
    sizes: dict[str, int] = {}
    limit = 1 * MB
    with Speech(tmp_path, cache_mb=1, fresh_seconds=0) as speech:
        for text in [*PHRASES[:3], PHRASES[0], *PHRASES[3:], PHRASES[6]]:
            path = speech.synthesize(text)
            assert path is not None
            sizes.setdefault(path.name, path.stat().st_size)
            used = [name for name in used if name != path.name] + [path.name]
            expected, total = set(), 0
            for name in reversed(used):
                if total + sizes[name] > limit:
                    break
                expected.add(name)
                total += sizes[name]
            files = on_disk(tmp_path)
            assert set(files) == expected
            assert sum(files.values()) == speech.cache.total <= limit
        assert speech.synth_count == 8 and speech.cache.removed >= 4  # ~225 KB each: 4 fit
        assert sum(sizes.values()) > 1.5 * limit


def test_a_held_file_is_never_removed_and_goes_first_once_released(tmp_path):
    with Speech(tmp_path, cache_mb=1, fresh_seconds=0) as speech:
        first = speech.synthesize(PHRASES[0])
        assert speech.hold(first) and speech.hold(first)  # two TVs downloading it
        for text in PHRASES[1:6]:
            speech.synthesize(text)
        assert first.exists() and speech.cache.held(first.name) == 2
        assert speech.cache.total - first.stat().st_size <= speech.cache.limit
        speech.release(first)
        speech.synthesize(PHRASES[6])
        assert first.exists()  # one serve still holds it
        speech.release(first)
        assert speech.cache.names()[0] == first.name  # the least recently used
        others = on_disk(tmp_path).keys() - {first.name}
        speech.cache.limit = speech.cache.total - 1  # one byte too many
        assert speech.cache.prune() == 1
        assert not first.exists() and on_disk(tmp_path).keys() == others
        assert not speech.hold(first)  # gone: nothing to serve


def test_a_file_just_made_for_a_call_is_kept_until_the_tvs_had_time_to_fetch_it(tmp_path):
    with Speech(tmp_path, cache_mb=0.1) as speech:  # smaller than one phrase
        now = [1000.0]
        speech.cache.clock = lambda: now[0]
        made = [speech.synthesize(text) for text in PHRASES[:3]]
        assert all(p.exists() for p in made)  # over the limit, but every one is for a call just made
        now[0] += speech.cache.fresh_seconds - 1
        assert speech.synthesize(PHRASES[0]) == made[0]  # a recall: made[0] is fresh again
        now[0] += 2
        newest = speech.synthesize(PHRASES[3])
        assert [p.exists() for p in made] == [True, False, False] and newest.exists()
        now[0] += speech.cache.fresh_seconds
        speech.synthesize(PHRASES[4])
        assert not made[0].exists() and not newest.exists()


def test_start_up_prunes_an_over_full_cache_by_last_use_and_clears_stale_temporary_files(tmp_path):
    with Speech(tmp_path / "made") as speech:
        wav = speech.synthesize(PHRASE)
    size = wav.stat().st_size
    cache = tmp_path / "speech"
    cache.mkdir()
    now = time.time_ns()
    names = [f"{n:064x}.wav" for n in range(10)]
    for age, name in enumerate(names):  # names[0] made last, names[9] first
        (cache / name).write_bytes(wav.read_bytes())
        then = now - (age + 1) * 60 * 10**9
        os.utime(cache / name, ns=(then, then))
    # names[9] is the oldest file but was served a moment ago: its access time records that
    os.utime(cache / names[9], ns=(now, now - 9 * 60 * 10**9))
    stale = cache / f"{'a' * 64}.{'b' * 32}.ogg.tmp"
    recent = cache / f"{'c' * 64}.{'d' * 32}.tmp"
    for temp, age in ((stale, 120), (recent, 0)):
        temp.write_bytes(b"RIFF")
        os.utime(temp, (time.time() - age, time.time() - age))
    foreign = cache / "notes.txt"
    foreign.write_text("not speech")
    (cache / "sub").mkdir()

    restarted = Speech(cache, cache_mb=1)
    kept = set(on_disk(cache))
    fits = MB // size
    assert kept == {names[9], *names[: fits - 1]}
    assert restarted.cache.total == len(kept) * size <= MB and restarted.cache.removed == 10 - fits
    assert not stale.exists() and recent.exists() and foreign.exists() and (cache / "sub").is_dir()
    assert restarted.cache.names()[-1] == names[9]  # the most recently used


def test_use_order_survives_a_restart(tmp_path):
    with Speech(tmp_path) as speech:
        paths = [speech.synthesize(text) for text in PHRASES[:3]]
        assert speech.synthesize(PHRASES[0]) == paths[0]  # used again after the other two were made
    sizes = [p.stat().st_size for p in paths]
    restarted = Speech(tmp_path, cache_mb=(sizes[0] + sizes[2] + 1) / MB)
    assert [p.exists() for p in paths] == [True, False, True]
    assert restarted.cache.names() == [paths[2].name, paths[0].name]


def test_an_english_office_s_calls_are_said_by_the_english_voice(tmp_path):
    """`[office] language = "en"` says the English phrase with espeak-ng's English voice, not the Indonesian
    `[tts] voice` (which reads "Queue number" as Indonesian letters); an Indonesian office keeps its voice."""
    english = load_settings(write_config(tmp_path, {'language = "id"': 'language = "en"'}))
    assert english.tts.voice == "id"
    announcer = Announcer(english, speech=Speech(tmp_path / "speech", voice=english.tts.voice))
    reference = Speech(tmp_path / "reference", voice="en")
    try:
        preview = announcer.preview("A-012", "Loket 2")
        assert preview["text"] == "Queue number, A, twelve. Please go to, Loket two."
        assert announcer.run_once(block=False)
        made = announcer.speech.path_for(preview["audio"].rsplit("/", 1)[-1].split(".")[0])
        assert made.read_bytes() == reference.synthesize(preview["text"]).read_bytes()
        indonesian_office = Announcer(load_settings(write_config(tmp_path)), speech=announcer.speech)
        preview = indonesian_office.preview("A-012", "Loket 2")
        assert preview["audio"] == f"/api/tts/{Speech(tmp_path / 'x', voice='id').key(PHRASE)}.wav"
    finally:
        announcer.speech.close()
        reference.close()


@pytest.mark.parametrize(
    ("lang", "calls", "intro", "call"),
    [
        ("id", 1, "Tes suara.", PHRASE),
        ("id", 2, "Tes suara. Panggilan kedua.", PHRASE),
        ("en", 1, "Sound test.", "Queue number, A, twelve. Please go to, Loket two."),
    ],
)
def test_the_admins_sound_check_says_it_is_a_test_before_the_call(tmp_path, lang, calls, intro, call):
    """ "Putar di layar TV" said a real call ("Nomor antrian, A, dua belas. Silakan menuju, Loket dua."): a visitor
    holding A-12 could walk to Loket 2. It begins "Tes suara." ("Sound test."), an intro file said by espeak-ng
    before the call's (a recall's words after it), the call's file the same as a real call's."""
    settings = load_settings(write_config(tmp_path, {'language = "id"': f'language = "{lang}"'}))
    announcer = Announcer(settings, speech=Speech(tmp_path / "speech", voice=settings.tts.voice))
    try:
        test, start = announcer.announce_later("A-12", "Loket 2", calls, test=True)
        assert test["text"] == f"{intro} {call}"
        real, _ = announcer.announce_later("A-12", "Loket 2", calls)
        assert test["audio"] == real["audio"] and test["intro"] not in (None, real["intro"])
        start()
        assert speak_queued(announcer) == 2
        made = announcer.speech.path_for(test["intro"].rsplit("/", 1)[-1].split(".")[0])
        assert wav_facts(made)[3] > 0.5  # espeak-ng said it
        said = espeak_phonemes(intro, speech_voice("id", lang))
        assert ("t'Es su'aR2a" if lang == "id" else "s'aUnd t'Est") in said, said
    finally:
        announcer.speech.close()


@pytest.mark.parametrize(
    ("voice", "lang", "said_by"),
    [
        ("id", "id", "id"),
        ("id", "en", "en"),
        ("poz/id", "en", "en"),
        ("en-us", "en", "en-us"),
        ("gmw/en-US", "en", "gmw/en-US"),
        ("English_(America)", "en", "English_(America)"),
        ("en-us", "id", "en-us"),  # an office that chose a voice for Indonesian keeps it
    ],
)
def test_the_voice_of_a_call_is_english_for_english_unless_an_english_one_is_set(voice, lang, said_by):
    assert speech_voice(voice, lang) == said_by


def test_cache_mb_reaches_the_speech_of_the_announcer(tmp_path):
    settings = load_settings(write_config(tmp_path, {"cache_mb = 200 ": "cache_mb = 3 "}))
    assert settings.tts.cache_mb == 3
    announcer = Announcer(settings)
    assert announcer.speech.cache.limit == 3 * MB and announcer.speech.audio_format == "ogg"
    assert load_settings(write_config(tmp_path, {"cache_mb = 200 ": ""})).tts.cache_mb == 200  # the default


def test_the_office_says_or_spells_its_own_words_of_capitals(tmp_path):
    """[tts] say_as_word and spell_out: the office's words, before the built-in ones, in the call said, its preview,
    and the words a voice pack needs (server.voice.office_clips)."""
    from server import voice

    extra = 'say_as_word = ["kua", "PANRB"]\nspell_out = ["SIM", "SIM"]\n'
    path = write_config(tmp_path, {"cache_mb = 200 ": "cache_mb = 200 \n" + extra})
    settings = load_settings(path)
    assert (settings.tts.say_as_word, settings.tts.spell_out) == (("KUA", "PANRB"), ("SIM",))
    name = "Kantor KUA, Loket SIM, KEMENTERIAN PANRB"
    settings = dataclasses.replace(settings, counters=(dataclasses.replace(settings.counters[0], name=name),))
    said = "Kantor kua, Loket S I M, kementerian panrb"
    assert counter_words(name) == "Kantor K U A, Loket sim, kementerian P A N R B"  # the built-in rule
    announcer = Announcer(settings, speech=Speech(tmp_path / "speech", enabled=False))  # the words, not the sound
    assert announcer.preview("A-12", name)["text"] == f"Nomor antrian, A, dua belas. Silakan menuju, {said}."
    assert {"kua", "panrb", "s", "i", "m"} <= set(voice.office_clips(settings, up_to=1))


@pytest.mark.parametrize(
    ("lines", "complaint"),
    [
        ('say_as_word = ["P-1"]', r"^tts\.say_as_word: 'P-1' is not one word of 2-40 letters A-Z"),
        ("spell_out = [12]", r"^tts\.spell_out: 12 is not one word of 2-40 letters A-Z"),
        ('spell_out = ["A"]', r"^tts\.spell_out: 'A' is not one word"),
        ('spell_out = "KUA, NIK"', r'^tts\.spell_out: must be a list, .*spell_out = \["KUA", "NIK"\]'),
        ('say_as_word = ["KUA"]\nspell_out = ["kua"]', r"^tts\.spell_out: KUA is in say_as_word too"),
    ],
)
def test_bad_words_said_or_spelled_are_refused_naming_the_key(tmp_path, lines, complaint):
    with pytest.raises(ConfigError, match=complaint) as err:
        load_settings(write_config(tmp_path, {"cache_mb = 200 ": f"cache_mb = 200\n{lines}\n"}))
    assert err.value.problem.id_text != err.value.problem.en_text  # said in Indonesian too


@pytest.mark.parametrize("value", ["0", "-5", "100001", "1.5", '"200"', "true", "[200]"])
def test_bad_cache_mb_is_refused_naming_the_key(tmp_path, value):
    with pytest.raises(ConfigError, match=r"^tts\.cache_mb: must be "):
        load_settings(write_config(tmp_path, {"cache_mb = 200 ": f"cache_mb = {value} "}))


# -- playback -------------------------------------------------------------------------------


def test_play_without_a_player_returns_false_and_logs_once(speech, caplog, monkeypatch):
    path = speech.synthesize(PHRASE)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert speech.play(path) is False and speech.play(path) is False
    assert errors(caplog) == ["speech playback failed: no audio player (aplay or paplay) found"]


def test_play_runs_the_player_on_the_file(speech):
    path = speech.synthesize(PHRASE)
    speech.player_cmd = [sys.executable, "-c", "import sys, wave; assert wave.open(sys.argv[1]).getnframes()"]
    assert speech.play(path) is True
    speech.player_cmd = [sys.executable, "-c", "raise SystemExit(1)"]
    assert speech.play(path) is False


def test_fake_speech_records_what_it_was_asked():
    fake = FakeSpeech()
    assert fake.synthesize(PHRASE) is None and fake.play(Path("x.wav"))
    assert fake.spoken == [PHRASE] and fake.played == [Path("x.wav")]
