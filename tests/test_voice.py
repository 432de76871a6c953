"""Recorded voice packs ([tts] engine = "clips"): real WAV clips (made by espeak-ng with the repository's
script, or tones made by sox), joined into the phrases the TVs play, espeak-ng for what a pack lacks."""

from __future__ import annotations

import base64
import json
import shutil
import struct
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from conftest import ROOT, login, speak_queued, visitor, write_config

from server import voice
from server.announce import Announcer
from server.config import ConfigError, load_settings

SCRIPT = ROOT / "voices" / "make_espeak_pack.py"
PHRASE = "Nomor antrian, A, seratus dua puluh tiga. Silakan menuju, Loket dua."


@pytest.fixture(scope="module")
def espeak_pack(tmp_path_factory) -> Path:
    """A whole pack for the demo office, made by voices/make_espeak_pack.py (numbers up to 999)."""
    base = tmp_path_factory.mktemp("pack")
    config = write_config(base)
    folder = base / "voices" / "espeak-id"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(folder), "--config", str(config)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return folder


def copy_pack(source: Path, target: Path, leave_out: tuple[str, ...] = ()) -> Path:
    shutil.copytree(source, target)
    for name in leave_out:
        (target / f"{name}.wav").unlink()
    return target


def tone(path: Path, seconds: float = 0.3, volume: float = 0.5, rate: int = 22050, channels: int = 1, pad=(0, 0)):
    """A real WAV of a sine tone made by sox, with `pad` seconds of silence before and after."""
    path.parent.mkdir(parents=True, exist_ok=True)
    command = ["sox", "-n", "-r", str(rate), "-b", "16", "-c", str(channels), str(path), "synth", str(seconds)]
    command += ["sine", "440", "vol", str(volume), "pad", str(pad[0]), str(pad[1])]
    subprocess.run(command, check=True, capture_output=True)
    return path


def frames_of(path: Path) -> bytes:
    with wave.open(str(path), "rb") as w:
        return w.readframes(w.getnframes())


# -- phrases into clips ---------------------------------------------------------------------


def test_the_longest_run_of_words_with_a_clip_is_taken_first():
    names = {"nomor", "antrian", "nomor-antrian", "a", "satu"}
    parts, missing = voice.plan("Nomor antrian, A, satu.", names)
    assert parts == ["nomor-antrian", None, "a", None, "satu"] and missing == []
    assert voice.plan("Nomor antrian", {"nomor", "antrian"})[0] == ["nomor", "antrian"]


def test_a_run_of_words_never_crosses_a_pause():
    parts, missing = voice.plan("nomor, antrian", {"nomor-antrian"})
    assert parts == [None] and missing == ["nomor", "antrian"]


def test_counter_names_and_service_letters_are_words_like_any_other():
    parts, missing = voice.plan("Silakan menuju, Meja Informasi.", {"silakan-menuju", "meja", "informasi"})
    assert parts == ["silakan-menuju", None, "meja", "informasi"] and missing == []
    assert voice.tokens("A B, Loket dua.") == ["a", "b", None, "loket", "dua"]


def test_a_counter_named_with_a_number_and_a_letter_finds_the_letters_clip():
    """ "Loket 12B" is said "Loket dua belas B": the pack's b.wav says its letter (not a missing "belasb")."""
    from server.tts import TEMPLATE_ID, announcement_text

    text = announcement_text("A-1", "Loket 12B", TEMPLATE_ID)
    names = {"nomor-antrian", "a", "b", "satu", "silakan-menuju", "loket", "dua", "belas"}
    parts, missing = voice.plan(text, names)
    assert missing == [] and parts[-3:] == ["dua", "belas", "b"]


def test_an_ampersand_is_the_packs_word_for_and_and_an_english_thousand_has_no_pause(tmp_path):
    """ "Registrasi & Verifikasi" needs `dan.wav` (it was left out of the call unsaid), the office's list
    of clips has it, and an English number past a thousand is one run of words, no pause inside it."""
    from server.tts import TEMPLATE_EN, TEMPLATE_ID, announcement_text

    names = {"nomor-antrian", "a", "dua", "belas", "silakan-menuju", "loket", "registrasi", "verifikasi"}
    text = announcement_text("A-12", "Loket 2 – Registrasi & Verifikasi", TEMPLATE_ID)
    assert voice.plan(text, names)[1] == ["dan"]  # espeak-ng says the call until the pack has it
    parts, missing = voice.plan(text, names | {"dan"})
    assert missing == [] and parts[-5:] == ["loket", "dua", "registrasi", "dan", "verifikasi"]
    names = {"queue-number", "a", "one", "thousand", "hundred", "please-go-to", "registrasi", "and", "verifikasi"}
    text = announcement_text("A-1100", "Registrasi & Verifikasi", TEMPLATE_EN, lang="en")
    parts, missing = voice.plan(text, names)
    assert missing == [] and parts == [
        "queue-number", None, "a", None, "one", "thousand", "one", "hundred", None,
        "please-go-to", None, "registrasi", "and", "verifikasi",
    ]  # fmt: skip
    settings = load_settings(write_config(tmp_path, {'name = "Loket 3"': 'name = "Loket 3 – Registrasi & Akun"'}))
    assert {"loket", "tiga", "registrasi", "dan", "akun"} <= set(voice.office_clips(settings))


def test_an_acronym_and_a_roman_numeral_in_a_counter_name_need_only_the_letters_and_numbers_clips(tmp_path):
    """ "Helpdesk LPSE" and "Loket II" are said from the pack's letters and numbers (`l` `p` `s` `e`, `dua`): a
    pack lacked `lpse` and `ii`, so espeak-ng said every call to those counters."""
    from server.tts import TEMPLATE_ID, announcement_text

    names = {"nomor-antrian", "a", "satu", "silakan-menuju", "helpdesk", "loket", "dua", "l", "p", "s", "e"}
    for counter, said in [("Helpdesk LPSE", ["helpdesk", "l", "p", "s", "e"]), ("Loket II", ["loket", "dua"])]:
        parts, missing = voice.plan(announcement_text("A-1", counter, TEMPLATE_ID), names)
        assert missing == [] and parts[-len(said) :] == said
    settings = load_settings(write_config(tmp_path, {'name = "Loket 3"': 'name = "Helpdesk LPSE"'}))
    assert "lpse" not in voice.office_clips(settings) and {"l", "p", "s", "e"} <= set(voice.office_clips(settings))


def test_the_template_gives_one_clip_per_run_of_fixed_words():
    runs = voice.template_runs("Nomor antrian, {letter}, {number}. Silakan menuju, {counter}.")
    assert runs == ["nomor-antrian", "silakan-menuju"]


# -- joining ------------------------------------------------------------------------------


def test_clips_of_one_format_are_joined_bit_for_bit_with_pauses_of_silence(tmp_path):
    folder = tmp_path / "pack"
    for name, seconds in (("nomor-antrian", 0.5), ("a", 0.2), ("satu", 0.3)):
        tone(folder / f"{name}.wav", seconds)
    pack = voice.load(folder, tmp_path / "work", trim_db=0, pause_ms=250)
    assert pack.converted == 0 and pack.adjusted == {} and pack.errors == {}
    wav = pack.render("Nomor antrian, A, satu.")
    out = tmp_path / "out.wav"
    out.write_bytes(wav)
    pause = b"\x00\x00" * round(22050 * 0.25)
    expected = pause.join(frames_of(folder / f"{n}.wav") for n in ("nomor-antrian", "a", "satu"))
    with wave.open(str(out), "rb") as w:
        assert (w.getframerate(), w.getsampwidth(), w.getnchannels()) == (22050, 2, 1)
        assert w.readframes(w.getnframes()) == expected


def test_pause_ms_sets_the_length_of_each_pause(tmp_path):
    folder = tmp_path / "pack"
    tone(folder / "a.wav", 0.2)
    tone(folder / "b.wav", 0.2)
    short = voice.load(folder, tmp_path / "work", trim_db=0, pause_ms=0).render("a. b")
    long = voice.load(folder, tmp_path / "work", trim_db=0, pause_ms=500).render("a. b")
    assert len(long) - len(short) == 2 * round(22050 * 0.5)


def test_trimming_cuts_the_silence_around_a_clip_and_keeps_its_samples(tmp_path):
    folder = tmp_path / "pack"
    tone(folder / "a.wav", 0.3, pad=(0.6, 0.8))
    pack = voice.load(folder, tmp_path / "work", trim_db=-45, pause_ms=250)
    kept = pack.clips["a"]
    seconds = len(kept) / 2 / 22050
    assert 0.3 <= seconds <= 0.3 + 2 * voice.MARGIN_SECONDS + 0.01
    assert kept in frames_of(folder / "a.wav")  # cut, not changed


def test_a_trimmed_espeak_clip_keeps_20_ms_of_silence_at_each_end(espeak_pack, tmp_path):
    """docs/display.md: each clip's silence before and after is cut below `trim_db`, keeping 20 ms. Measured on the
    real espeak-ng pack: in every clip, the first and the last sample over -45 dBFS lie exactly 441 frames (20 ms at
    espeak-ng's 22,050 Hz) from the clip's start and end, or as far as the recording had (espeak-ng starts some words
    with less than 20 ms of silence). No tolerance: 0.02 s x 22,050 Hz is 441.0 frames, nothing to round, and the
    clips are cut in whole frames of their own format (no conversion: every clip is 22,050 Hz 16 bit mono), so a
    frame more or less is a defect; a margin dropped at either end is 441 frames off. The tone test above passes
    with no margin at all."""
    pack = voice.load(espeak_pack, tmp_path / "work", trim_db=-45, pause_ms=250)
    limit = 32768 * 10 ** (-45 / 20)  # -45 dBFS of 16-bit samples: 184.3
    margin = 441
    assert round(22050 * voice.MARGIN_SECONDS, 9) == margin  # the documented 20 ms

    def loud(frames: bytes) -> tuple[int, int, int]:
        """(frames before the first sample over -45 dBFS, frames after the last, all frames) of 16-bit mono."""
        values = struct.unpack(f"<{len(frames) // 2}h", frames)
        over = [i for i, v in enumerate(values) if abs(v) > limit]
        return over[0], len(values) - 1 - over[-1], len(values)

    both_whole = []  # clips whose recording had 20 ms of silence or more at both ends
    for path in sorted(espeak_pack.glob("*.wav")):
        with wave.open(str(path), "rb") as w:
            assert (w.getframerate(), w.getsampwidth(), w.getnchannels()) == (22050, 2, 1), path.name
            source = w.readframes(w.getnframes())
        before, after, frames = loud(source)
        start, end = before - min(before, margin), frames - after + min(after, margin)
        kept = pack.clips[path.stem]
        kept_frames = len(kept) // 2
        assert kept_frames == end - start, (path.name, before, after)  # a gain keeps the length
        if before >= margin and after >= margin:
            both_whole.append(path.stem)
        if path.stem in pack.adjusted:  # made louder or quieter: which samples pass -45 dBFS changed
            continue
        cut_there = kept == source[2 * start : 2 * end]  # not changed (the bytes not printed: 20,000 of them)
        assert cut_there, path.name
        assert loud(kept)[:2] == (min(before, margin), min(after, margin)), path.name
    unchanged = [name for name in both_whole if name not in pack.adjusted]
    assert len(unchanged) >= 3, (both_whole, pack.adjusted)  # both margins whole, measured in the clip itself


def test_a_quiet_recording_is_brought_to_the_loudness_of_the_others(tmp_path):
    folder = tmp_path / "pack"
    for name in ("a", "b", "c"):
        tone(folder / f"{name}.wav", volume=0.4)
    tone(folder / "quiet.wav", volume=0.04)
    pack = voice.load(folder, tmp_path / "work", trim_db=0, pause_ms=250)
    assert set(pack.adjusted) == {"quiet"} and pack.adjusted["quiet"] == pytest.approx(20, abs=0.5)
    loud, _ = voice.level_db(pack.clips["a"], pack.fmt)
    quiet, _ = voice.level_db(pack.clips["quiet"], pack.fmt)
    assert abs(loud - quiet) < 0.5
    assert pack.clips["a"] == frames_of(folder / "a.wav")  # the others are left as they are


def test_a_clip_of_another_format_is_converted_once_and_the_conversion_cached(tmp_path):
    folder = tmp_path / "pack"
    tone(folder / "a.wav")
    tone(folder / "b.wav")
    tone(folder / "stereo.wav", rate=44100, channels=2)
    work = tmp_path / "work"
    pack = voice.load(folder, work, trim_db=0, pause_ms=250)
    assert pack.fmt == voice.Format(22050, 2, 1) and pack.converted == 1
    (cached,) = (work / "converted").iterdir()
    inode = cached.stat().st_ino
    tone(folder / "c.wav")  # the pack changed: prepared again, the converted clip reused
    again = voice.load(folder, work, trim_db=0, pause_ms=250)
    assert "c" in again.clips and again.clips["stereo"] == pack.clips["stereo"]
    assert [p.stat().st_ino for p in (work / "converted").iterdir()] == [inode]
    assert len(list(work.glob("*.pcm"))) == 1  # the older preparation is removed


def test_recorders_24_bit_and_float_files_are_read_and_a_float_one_converted(tmp_path):
    folder = tmp_path / "pack"
    for name in ("a", "b"):  # sox writes 24 bit as WAVE_FORMAT_EXTENSIBLE, as recorders do
        tone(folder / f"{name}.wav").unlink()
        subprocess.run(
            [
                "sox",
                "-n",
                "-r",
                "48000",
                "-b",
                "24",
                "-c",
                "1",
                str(folder / f"{name}.wav"),
                "synth",
                "0.3",
                "sine",
                "440",
            ],
            check=True,
        )
    command = ["sox", "-n", "-r", "48000", "-e", "floating-point", "-b", "32", "-c", "1", str(folder / "c.wav")]
    subprocess.run([*command, "synth", "0.3", "sine", "440", "vol", "0.5"], check=True)
    pack = voice.load(folder, tmp_path / "work", trim_db=0, pause_ms=100)
    assert pack.fmt == voice.Format(48000, 3, 1) and pack.errors == {} and pack.converted == 1
    assert pack.clips["a"] == voice.parse_wav((folder / "a.wav").read_bytes())[1]  # 24-bit samples as they are
    assert len(pack.clips["c"]) == len(pack.clips["a"])
    out = tmp_path / "out.wav"
    out.write_bytes(pack.render("a, b, c"))
    info = subprocess.run(["soxi", str(out)], capture_output=True, text=True, check=True).stdout
    assert "48000" in info and "24-bit" in info


def said(pack: voice.Pack) -> dict[str, tuple[str, str]]:
    """Each unusable file of `pack` with why, in Indonesian and in English."""
    return {name: (why.id_text, why.en_text) for name, why in pack.errors.items()}


NOT_WAV = ("bukan berkas WAV (tidak ada header RIFF/WAVE)", "not a WAV file (no RIFF/WAVE header)")


def test_a_clip_that_is_not_a_readable_wav_is_reported_by_name_in_both_languages(tmp_path):
    folder = tmp_path / "pack"
    tone(folder / "a.wav")
    tone(folder / "sunyi.wav", volume=0.001)  # -60 dBFS: all of it under trim_db
    (folder / "rusak.wav").write_bytes(b"RIFF\x00\x00not really a wav")
    (folder / "Bad Name.wav").write_bytes((folder / "a.wav").read_bytes())
    pack = voice.load(folder, tmp_path / "work", trim_db=-45, pause_ms=250)
    assert set(pack.clips) == {"a"}
    assert said(pack) == {
        "rusak.wav": NOT_WAV,
        "Bad Name.wav": (
            "bukan nama klip: kata huruf kecil a-z dan 0-9 (paling banyak 8 kata) digabung dengan '-', lalu .wav",
            "not a clip name: lowercase words of a-z and 0-9 (at most 8 words) joined by '-', then .wav",
        ),
        "sunyi.wav": ("senyap (tidak ada yang lebih keras dari -45 dBFS)", "is silent (nothing louder than -45 dBFS)"),
    }
    (manifest,) = (tmp_path / "work").glob("*.json")  # what a later load in either language reads
    errors = json.loads(manifest.read_text(encoding="utf-8"))["errors"]
    assert errors["rusak.wav"] == {"code": "not_wav", "params": {}}
    assert errors["sunyi.wav"] == {"code": "silent", "params": {"db": -45}}
    assert pack.status("en")["errors"]["rusak.wav"] == NOT_WAV[1]
    assert pack.status("id")["errors"]["rusak.wav"] == NOT_WAV[0]


def test_a_clip_sox_cannot_convert_and_one_too_many_are_said_in_both_languages(tmp_path, monkeypatch):
    folder = tmp_path / "pack"
    for name in ("a", "b"):
        tone(folder / f"{name}.wav")
    tone(folder / "c.wav", rate=16000)  # the odd one out: converted by sox
    tone(folder / "d.wav")
    monkeypatch.setattr(voice, "MAX_CLIPS", 3)  # d.wav is the fourth
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))  # no sox
    pack = voice.load(folder, tmp_path / "work", trim_db=-45, pause_ms=250)
    assert set(pack.clips) == {"a", "b"}
    assert said(pack) == {
        "c.wav": (
            "formatnya berbeda dan sox, yang mengubahnya, belum terpasang",
            "is in another format and sox, which converts it, is not installed",
        ),
        "d.wav": ("lebih dari 3 klip dalam paket", "more than 3 clips in the pack"),
    }


def test_a_pack_prepared_by_the_previous_version_shows_its_reasons_as_they_are(tmp_path, capsys):
    """Before, a manifest kept each reason as English text; a pack whose files did not change is not
    prepared again (the same fingerprint), so that manifest is read as it is, its reasons said once."""
    from server.cli import main

    folder = tmp_path / "voices" / "lama"
    tone(folder / "a.wav")
    (folder / "rusak.wav").write_bytes(b"not a wav")
    work = tmp_path / "data" / "voice"  # the config's data_dir: where `voice check` prepares it
    voice.load(folder, work, trim_db=-45, pause_ms=250)
    (manifest,) = work.glob("*.json")
    old = json.loads(manifest.read_text(encoding="utf-8"))
    old["errors"] = {"rusak.wav": "not a WAV file (no RIFF/WAVE header)"}
    manifest.write_text(json.dumps(old), encoding="utf-8")

    pack = voice.load(folder, work, trim_db=-45, pause_ms=250)
    assert said(pack) == {"rusak.wav": (NOT_WAV[1], NOT_WAV[1])}
    assert pack.status("id")["errors"] == {"rusak.wav": NOT_WAV[1]}
    config = write_config(tmp_path)
    assert load_settings(config).server.data_dir == tmp_path / "data"
    assert main(["voice", "check", "--config", str(config), "--clips", str(folder), "--up-to", "1"]) == 1
    assert f"\n  rusak.wav: {NOT_WAV[1]}\n" in capsys.readouterr().out
    assert list(work.glob("*.json")) == [manifest]  # not prepared again


def test_a_pack_without_a_usable_clip_is_refused(tmp_path):
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "a.wav").write_bytes(b"nothing")
    with pytest.raises(voice.VoiceError, match="no usable clip"):
        voice.load(folder, tmp_path / "work", trim_db=-45, pause_ms=250)


def test_a_pack_of_silent_clips_alone_is_refused_with_each_file_said(tmp_path, capsys):
    """Every file a readable WAV, none louder than trim_db: the pack "loaded" with 0 clips (the admin page and
    `voice check` said "0 clips" and espeak-ng spoke every call); it is refused as a pack of no usable clip,
    each file with why."""
    from server.cli import main

    folder = tmp_path / "voices" / "sunyi"
    for word in ("satu", "dua"):
        tone(folder / f"{word}.wav", volume=0.001)  # -60 dBFS: all of it under trim_db
    with pytest.raises(voice.VoiceError) as refused:
        voice.load(folder, tmp_path / "work", trim_db=-45, pause_ms=250)
    assert refused.value.code == "no_clip_unusable"
    assert set(refused.value.errors) == {"satu.wav", "dua.wav"}
    config = write_config(tmp_path)
    assert main(["voice", "check", "--config", str(config), "--clips", str(folder), "--up-to", "1"]) == 2
    err = capsys.readouterr().err
    assert "\n  dua.wav: senyap (tidak ada yang lebih keras dari -45 dBFS)\n" in err, err
    assert "\n  satu.wav: senyap (tidak ada yang lebih keras dari -45 dBFS)\n" in err, err


def test_voice_check_says_a_stereo_pack_s_format_in_each_language(tmp_path, capsys):
    from server.cli import main

    folder = tmp_path / "voices" / "stereo"
    tone(folder / "a.wav", rate=16000, channels=2)
    config = write_config(tmp_path)
    main(["voice", "check", "--config", str(config), "--clips", str(folder), "--up-to", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert f"{folder}: 1 klip, 16000 Hz, 16 bit, 2 kanal" in lines, lines
    assert f"{folder}: 1 clip, 16000 Hz, 16 bit, 2 channels" in lines, lines


def test_a_pack_too_large_is_said_in_each_language_with_what_to_do(tmp_path, monkeypatch, capsys):
    """A pack's refusal was English alone ("…: the clips take 64 MB, over 64"), in `voice check`'s Indonesian line
    too; it is the catalogue's, in each language, with what to do (its size rounded up: never "64 MB, over 64")."""
    from server.cli import main

    monkeypatch.setattr(voice, "MAX_PACK_BYTES", 1024 * 1024)
    folder = tmp_path / "voices" / "panjang"
    for word in ("satu", "dua"):
        tone(folder / f"{word}.wav", seconds=9, rate=44100)  # 794 KB each: 1.6 MB
    with pytest.raises(voice.VoiceError) as refused:
        voice.load(folder, tmp_path / "work", trim_db=-45, pause_ms=250)
    assert str(refused.value) == f"{folder}: the clips take 2 MB, over 1"  # the log's
    said = refused.value.said
    assert said.id_text.startswith(f"{folder}: klip-klipnya 2 MB, lebih dari 1 MB yang dapat dimuat satu paket: "), said
    assert said.en_text.startswith(f"{folder}: its clips take 2 MB, over the 1 MB a pack may hold: "), said
    config = write_config(tmp_path)
    assert main(["voice", "check", "--config", str(config), "--clips", str(folder), "--up-to", "1"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"kesalahan: paket suara tidak dapat dipakai: {said.id_text}",
        f"error: the voice pack cannot be used: {said.en_text}",
    ]


def test_the_espeak_pack_says_every_call_of_the_demo_office(espeak_pack, tmp_path):
    settings = load_settings(write_config(tmp_path))
    pack = voice.load(espeak_pack, tmp_path / "work", trim_db=-45, pause_ms=250)
    assert voice.office_missing(pack, settings, 999) == {}
    wav = pack.render(PHRASE)
    assert wav is not None and wav[:4] == b"RIFF"


# -- the announcer and the served audio ------------------------------------------------------


def clips_config(tmp_path: Path, pack: Path, extra: str = "") -> Path:
    return write_config(tmp_path, {"cache_mb = 200 ": f'engine = "clips"\nclips = "{pack}"\n{extra}cache_mb = 200 '})


def test_a_call_is_joined_from_the_pack_and_served_by_the_same_route(espeak_pack, tmp_path):
    from server.app import create_app

    app = create_app(clips_config(tmp_path, espeak_pack), workers=False, synchronous="OFF")
    try:
        announcer = app.extensions["antrian.announcer"]
        assert announcer.refresh_voice() and announcer.pack is not None
        client = app.test_client()
        client.post("/api/tickets", json=visitor())
        h = login(app, client, "budi")
        events = []
        app.extensions["antrian"].publish = events.extend
        assert client.post("/api/counters/2/call-next", headers=h).status_code == 200
        announce = next(e for e in events if e["type"] == "called")["announce"]
        assert announce["text"] == "Nomor antrian, A, satu. Silakan menuju, Loket dua."
        assert announce["audio"] == f"/api/tts/{announcer.speech.key(announce['text'], announcer.pack)}.ogg"
        assert announcer.run_once(block=False)
        assert (announcer.speech.joined_count, announcer.speech.synth_count) == (1, 0)  # no espeak-ng
        r = client.get(announce["audio"])
        assert r.status_code == 200 and r.data[:4] == b"OggS"
        r.close()
    finally:
        app.extensions["antrian"].stop()
        app.extensions["antrian"].store.close()


def test_a_phrase_with_a_word_the_pack_lacks_is_spoken_whole_by_espeak(espeak_pack, tmp_path):
    pack = copy_pack(espeak_pack, tmp_path / "voices" / "partial", leave_out=("sebelas",))
    announcer = Announcer(load_settings(clips_config(tmp_path, pack)))
    try:
        announcer.refresh_voice()
        joined = announcer.announce("A-12", "Loket 1")
        espoken = announcer.announce("A-11", "Loket 1")
        assert joined["audio"] != espoken["audio"]
        assert espoken["audio"] == f"/api/tts/{announcer.speech.key(espoken['text'])}.ogg"  # espeak-ng's key
        announcer.run_once(block=False)
        announcer.run_once(block=False)
        assert (announcer.speech.joined_count, announcer.speech.synth_count) == (1, 1)
        assert announcer.voice_status()["missing"] == ["sebelas"]
        assert announcer.preview("B-11", "Loket 3")["engine"] == "espeak"
        assert announcer.preview("B-12", "Loket 3")["engine"] == "clips"
    finally:
        announcer.speech.close()


def announced(announcer: Announcer, calls: int, label: str = "A-12", counter: str = "Loket 1") -> dict:
    """The announcement of `label`'s `calls`-th call at `counter`, its speech made."""
    out, start = announcer.announce_later(label, counter, calls)
    start()
    speak_queued(announcer)
    return out


RECALL_WORDS = ("panggilan", "kedua", "terakhir")


def test_a_recall_is_joined_from_the_pack_with_its_intro_in_the_packs_voice(espeak_pack, tmp_path):
    """A pack with the recalls' words (voices/make_espeak_pack.py makes them too) says "Panggilan kedua." and
    "Panggilan terakhir." before the call, each joined from its clips; espeak-ng says nothing."""
    announcer = Announcer(load_settings(clips_config(tmp_path, espeak_pack)))
    try:
        announcer.refresh_voice()
        pack = announcer.pack
        assert set(RECALL_WORDS) <= pack.names
        first, second, last = (announced(announcer, n) for n in (1, 2, 3))
        call = "Nomor antrian, A, dua belas. Silakan menuju, Loket satu."
        assert [first["text"], second["text"], last["text"]] == [
            call,
            f"Panggilan kedua. {call}",
            f"Panggilan terakhir. {call}",
        ]
        assert first["audio"] == second["audio"] == last["audio"] == f"/api/tts/{announcer.speech.key(call, pack)}.ogg"
        assert first["intro"] is None
        assert second["intro"] == f"/api/tts/{announcer.speech.key('Panggilan kedua.', pack)}.ogg"
        assert last["intro"] == f"/api/tts/{announcer.speech.key('Panggilan terakhir.', pack)}.ogg"
        assert (announcer.speech.joined_count, announcer.speech.synth_count) == (3, 0)
        for url in (second["intro"], last["intro"]):
            path = announcer.speech.path_for(url.rsplit("/", 1)[1].removesuffix(".ogg"))
            assert path.read_bytes()[:4] == b"OggS"
        assert announcer.voice_status()["missing"] == [] and announcer.office_missing() == {}
    finally:
        announcer.speech.close()


def test_a_pack_without_the_recalls_words_says_a_recall_as_its_first_call(espeak_pack, tmp_path, capsys):
    """A pack recorded before recalls said which call they are (no panggilan.wav, kedua.wav, terakhir.wav) still
    says every call in its own voice: a recall as its first call, without the intro (the TV still writes
    "Panggilan ke-2"); the words are listed for the admin page and by `voice check`."""
    from server.cli import main

    pack = copy_pack(espeak_pack, tmp_path / "voices" / "old", leave_out=RECALL_WORDS)
    config = clips_config(tmp_path, pack)
    announcer = Announcer(load_settings(config))
    try:
        announcer.refresh_voice()
        first, second, last = (announced(announcer, n) for n in (1, 2, 3))
        call = "Nomor antrian, A, dua belas. Silakan menuju, Loket satu."
        assert first["text"] == second["text"] == last["text"] == call
        assert first["intro"] is second["intro"] is last["intro"] is None
        assert second["audio"] == first["audio"] == f"/api/tts/{announcer.speech.key(call, announcer.pack)}.ogg"
        assert (announcer.speech.joined_count, announcer.speech.synth_count) == (1, 0)  # no espeak-ng
        example = "Nomor antrian, A, satu. Silakan menuju, Loket satu."
        status = announcer.voice_status()  # the admin page's: the words apart from those espeak-ng says calls for
        assert (status["missing"], status["office_missing"]) == ([], {})
        assert status["intro_missing"] == {
            "panggilan": f"Panggilan kedua. {example}",
            "kedua": f"Panggilan kedua. {example}",
            "terakhir": f"Panggilan terakhir. {example}",
        }
    finally:
        announcer.speech.close()
    # `voice check`: a warning, not a failure (exit 0): every call is said, the words to record named
    assert main(["voice", "check", "--config", str(config), "--up-to", "20"]) == 0
    out = capsys.readouterr().out
    intros = (
        '"Panggilan kedua." / "Panggilan terakhir." / "Kesempatan terakhir." / "Panggilan kedua, kesempatan'
        ' terakhir." / "Panggilan ketiga, kesempatan terakhir."'
    )
    assert out.endswith(
        "tidak ada kata yang kurang untuk layanan, loket dan nomor sampai 20\n"
        "no word missing for the services, counters and numbers up to 20\n"
        f"peringatan: panggilan ulang dan kesempatan terakhir diucapkan tanpa {intros} di depannya, seperti panggilan"
        " pertama (tetap dari rekaman), sampai kata ini direkam (3 kata):\n"
        f"warning: recalls and last chances are said without {intros} before the call, as a first call (still from"
        " the recordings), until these words are recorded (3 words):\n"
        f'  panggilan.wav   e.g. "Panggilan kedua. {example}"\n'
        f'  kedua.wav   e.g. "Panggilan kedua. {example}"\n'
        f'  terakhir.wav   e.g. "Panggilan terakhir. {example}"\n'
    ), out


def test_a_pack_without_the_last_chances_word_says_it_as_a_first_call_and_says_recalls_whole(
    espeak_pack, tmp_path, capsys
):
    """A pack recorded before last chances were said (no kesempatan.wav) still says every call in its own voice: a
    ticket on its last chance without "Kesempatan terakhir." before the call (the TV still writes it), its recalls
    plain, as the TV's first call; other tickets' recalls keep their intros. The word is listed for the admin page
    and by `voice check`, a warning naming the intros that lack it."""
    from server.cli import main

    pack = copy_pack(espeak_pack, tmp_path / "voices" / "before", leave_out=("kesempatan",))
    config = clips_config(tmp_path, pack)
    announcer = Announcer(load_settings(config))
    call = "Nomor antrian, A, dua belas. Silakan menuju, Loket satu."

    def chance(calls: int) -> dict:
        out, start = announcer.announce_later("A-12", "Loket 1", calls, last_chance=True)
        start()
        speak_queued(announcer)
        return out

    try:
        announcer.refresh_voice()
        said = [chance(n) for n in (1, 2, 3)]
        assert [s["text"] for s in said] == [call] * 3 and [s["intro"] for s in said] == [None] * 3
        assert said[0]["audio"] == f"/api/tts/{announcer.speech.key(call, announcer.pack)}.ogg"  # the pack's
        assert (
            announced(announcer, 2)["intro"]
            == f"/api/tts/{announcer.speech.key('Panggilan kedua.', pack=announcer.pack)}.ogg"
        )
        assert (announcer.speech.joined_count, announcer.speech.synth_count) == (2, 0)  # no espeak-ng
        example = "Nomor antrian, A, satu. Silakan menuju, Loket satu."
        status = announcer.voice_status()
        assert (status["missing"], status["office_missing"]) == ([], {})
        assert status["intro_missing"] == {"kesempatan": f"Kesempatan terakhir. {example}"}
    finally:
        announcer.speech.close()
    assert main(["voice", "check", "--config", str(config), "--up-to", "20"]) == 0
    out = capsys.readouterr().out
    intros = (
        '"Kesempatan terakhir." / "Panggilan kedua, kesempatan terakhir." / "Panggilan ketiga, kesempatan terakhir."'
    )
    assert out.endswith(
        f"warning: recalls and last chances are said without {intros} before the call, as a first call (still from"
        " the recordings), until these words are recorded (1 word):\n"
        f'  kesempatan.wav   e.g. "Kesempatan terakhir. {example}"\n'
    ), out


def test_voice_check_fails_for_a_word_a_call_needs_beside_the_recalls_warning(espeak_pack, tmp_path, capsys):
    """The recalls' words alone are a warning; a word a call cannot be said without still fails the check (1),
    each listed under its own heading."""
    from server.cli import main

    pack = copy_pack(espeak_pack, tmp_path / "voices" / "old", leave_out=("terakhir", "sebelas"))
    assert main(["voice", "check", "--config", str(write_config(tmp_path)), "--clips", str(pack)]) == 1
    out = capsys.readouterr().out
    assert "kurang (1 kata, nomor sampai 999):\nmissing (1 word, numbers up to 999):\n  sebelas.wav   e.g." in out
    assert "\nwarning: recalls and last chances are said without " in out and "(1 word):\n  terakhir.wav   e.g." in out
    assert out.count(".wav   e.g.") == 2


def test_a_recall_the_pack_cannot_say_is_said_whole_by_espeak_ng_intro_and_all(espeak_pack, tmp_path):
    """Never half a call in each voice: a recall of a number the pack lacks a word of is espeak-ng's, its
    intro too."""
    pack = copy_pack(espeak_pack, tmp_path / "voices" / "partial", leave_out=("sebelas",))
    announcer = Announcer(load_settings(clips_config(tmp_path, pack)))
    try:
        announcer.refresh_voice()
        out = announced(announcer, 2, "A-11")
        assert out["text"] == "Panggilan kedua. Nomor antrian, A, sebelas. Silakan menuju, Loket satu."
        assert out["intro"] == f"/api/tts/{announcer.speech.key('Panggilan kedua.')}.ogg"  # espeak-ng's key
        assert (announcer.speech.joined_count, announcer.speech.synth_count) == (0, 2)
        assert (
            announced(announcer, 2, "A-12")["intro"]
            == f"/api/tts/{announcer.speech.key('Panggilan kedua.', announcer.pack)}.ogg"
        )
    finally:
        announcer.speech.close()


def test_a_preview_is_never_played_on_the_servers_speakers(espeak_pack, tmp_path):
    played = tmp_path / "played.txt"
    player = f'player = ["sh", "-c", "echo $0 >> {played}"]\n'
    config = write_config(
        tmp_path, {'output = "display" ': 'output = "server" ', "cache_mb = 200 ": f"{player}cache_mb = 200 "}
    )
    announcer = Announcer(load_settings(config))
    try:
        announcer.preview("A-5", "Loket 1")
        assert announcer.run_once(block=False) and not played.exists()  # made, not played
        announcer.announce("A-6", "Loket 1")
        assert announcer.run_once(block=False) and len(played.read_text().splitlines()) == 1
    finally:
        announcer.speech.close()


def test_a_pack_that_cannot_be_loaded_leaves_espeak_speaking(tmp_path, caplog):
    """Why, for the admin page, in the language asked (`voice check`'s words); in English in the log."""
    from server.i18n import both

    folder = tmp_path / "voices" / "empty"
    folder.mkdir(parents=True)
    announcer = Announcer(load_settings(clips_config(tmp_path, folder)))
    announcer.refresh_voice()
    status = announcer.voice_status()
    said = both("cli.voice.pack.no_clip", folder=folder)
    assert status["pack"] is None and status["error"] == said.id_text and status["error_clips"] == {}
    assert announcer.voice_status("en")["error"] == said.en_text
    out = announcer.announce("A-1", "Loket 1")
    assert out["audio"] == f"/api/tts/{announcer.speech.key(out['text'])}.ogg"
    assert f"espeak-ng speaks instead: {folder} holds no usable clip\n" in caplog.text + "\n"


def test_the_admin_page_is_not_told_to_run_a_command_again():
    """`voice check`'s words for a damaged prepared pack end "then run this command again": the admin page says its
    own (restart the server); every other problem in the command line's words."""
    from server.announce import pack_words

    damaged = voice.VoiceError("the prepared pack is too large", "prepared_too_large", work=Path("/d/voice"), max=64)
    said = pack_words(damaged)
    assert said.id_text.startswith("paket yang disiapkan di /d/voice lebih dari 64 MB (rusak?): kosongkan folder itu")
    assert "jalankan ulang server" in said.id_text and "restart the server" in said.en_text
    assert "this command" not in said.en_text and "perintah ini" not in said.id_text
    assert "perintah ini" in damaged.said.id_text  # the command line's, as it was
    missing = voice.VoiceError("/p is not a folder", "not_folder", folder=Path("/p"))
    assert (pack_words(missing).id_text, pack_words(missing).en_text) == ("/p bukan folder", "/p is not a folder")


def test_why_a_pack_cannot_be_used_crosses_the_child_that_prepares_it_under_gevent(tmp_path):
    """Under gevent (the server) the pack is prepared in a child process, which printed its English alone: the
    admin page said a pack's problem in English on an Indonesian page. Its code, values and files come across;
    a problem without a code (the work folder a file) is its English, as it was."""
    unusable, missing, work_file = tmp_path / "rusak", tmp_path / "none", tmp_path / "file"
    unusable.mkdir()
    (unusable / "rusak.wav").write_bytes(b"not a wav")
    work_file.write_text("a file where the work folder should be")
    script = f"""
from gevent import monkey; monkey.patch_all()
import json
from pathlib import Path
from server import voice
for folder, work in (({str(unusable)!r}, {str(tmp_path / "work")!r}), ({str(missing)!r}, {str(tmp_path / "work")!r}),
                     ({str(unusable)!r}, {str(work_file)!r})):
    try:
        voice.load(Path(folder), Path(work), -45, 250)
    except voice.VoiceError as err:
        print(json.dumps([str(err), err.code, err.params, err.errors, err.said.id_text]))
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    told = [json.loads(line) for line in done.stdout.splitlines()]
    assert told[0][:4] == [
        f"{unusable} holds no usable clip (1 unreadable)",
        "no_clip_unusable",
        {"folder": str(unusable)},
        {"rusak.wav": {"code": "not_wav", "params": {}}},
    ]
    assert told[0][4].startswith(f"{unusable} tidak berisi klip yang dapat dipakai: tidak satu pun berkasnya"), told
    assert told[1][1:3] == ["not_folder", {"folder": str(missing)}] and told[1][4] == f"{missing} bukan folder"
    assert told[2][1:4] == [None, {}, {}] and told[2][0] == told[2][4] and str(work_file) in told[2][0], told


def test_preparing_a_pack_under_gevent_runs_in_a_child_and_leaves_the_loop_free(espeak_pack, tmp_path):
    script = f"""
from gevent import monkey; monkey.patch_all()
import gevent, os
from pathlib import Path
from server import voice
ticks = 0
def tick():
    global ticks
    while True:
        ticks += 1
        gevent.sleep(0.005)
ticker = gevent.spawn(tick)
pack = voice.load(Path({str(espeak_pack)!r}), Path({str(tmp_path / "work")!r}), -45, 250)
ticker.kill()
print(len(pack.clips), ticks)
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    clips, ticks = map(int, done.stdout.split())
    assert clips == len(list(espeak_pack.glob("*.wav")))
    assert ticks > 10, "the event loop stalled while the pack was prepared"


# -- settings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lines, message",
    [
        ('engine = "festival"\n', r"^tts\.engine: must be espeak or clips"),
        ('engine = "clips"\n', r"^tts\.clips: must name a folder of clips"),
        ('clips = "voices/none"\n', r"^tts\.clips: .*voices/none is not a folder"),
        ("pause_ms = 5000\n", r"^tts\.pause_ms: must be 0-2000"),
        ("trim_db = 3\n", r"^tts\.trim_db: must be -90-0"),
        ('chime = "config.toml"\n', r"^tts\.chime: .*config\.toml is not a usable WAV file"),
        ('chime = "none.wav"\n', r"^tts\.chime: .*none\.wav is not a usable WAV file"),
    ],
)
def test_bad_voice_settings_are_refused_naming_the_key(tmp_path, lines, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(write_config(tmp_path, {"cache_mb = 200 ": f"{lines}cache_mb = 200 "}))


@pytest.mark.parametrize(
    ("make", "id_words", "en_words"),
    [
        (
            lambda d: d / "config.toml",
            "bukan berkas WAV (tidak ada header RIFF/WAVE)",
            "not a WAV file (no RIFF/WAVE header)",
        ),
        (lambda d: d / "none.wav", "berkas tidak ditemukan", "file not found"),
        (lambda d: d, "sebuah folder, bukan berkas", "a folder, not a file"),
        (lambda d: tone(d / "long.wav", seconds=11, rate=8000), "lebih panjang dari 10 detik", "longer than 10 s"),
        (
            lambda d: tone(d / "mono.wav", rate=4000),
            "format tidak lazim (4000 Hz, 16 bit, 1 kanal): pakai 8000-96000 Hz, 8-32 bit, mono atau stereo",
            "unusual format (4000 Hz, 16 bit, 1 channel(s)): use 8000-96000 Hz, 8-32 bit, mono or stereo",
        ),
    ],
    ids=["not-wav", "missing", "folder", "too-long", "rate"],
)
def test_an_unusable_chime_is_refused_in_both_languages(tmp_path, make, id_words, en_words):
    """[tts] chime's refusal was said in English alone ("is not a usable WAV file: [Errno 2] …"), on the
    Indonesian line too."""
    cfg = write_config(tmp_path)
    chime = make(tmp_path)
    text = cfg.read_text(encoding="utf-8").replace("cache_mb = 200 ", f'chime = "{chime}"\ncache_mb = 200 ')
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    assert str(err.value) == f"tts.chime: {chime} is not a usable WAV file: {en_words}"
    assert err.value.key == "tts.chime"
    assert err.value.problem.id_text == f"{chime} bukan berkas WAV yang dapat dipakai: {id_words}"


def test_serve_says_an_unusable_chime_in_indonesian_first_and_exits_78(tmp_path):
    from live import server_command

    cfg = write_config(tmp_path, {"cache_mb = 200 ": 'chime = "none.wav"\ncache_mb = 200 '})
    r = server_command(["serve", "--config", str(cfg)])
    assert r.returncode == 78 and "Traceback" not in r.stderr, (r.returncode, r.stderr)
    chime = tmp_path / "none.wav"
    assert r.stderr.splitlines() == [
        f"kesalahan konfigurasi: tts.chime: {chime} bukan berkas WAV yang dapat dipakai: berkas tidak ditemukan",
        f"config error: tts.chime: {chime} is not a usable WAV file: file not found",
    ], r.stderr


def test_the_default_engine_is_espeak_and_a_relative_pack_is_under_the_configs_folder(tmp_path):
    assert load_settings(write_config(tmp_path)).tts.engine == "espeak"
    tone(tmp_path / "voices" / "mine" / "a.wav")
    tts = load_settings(clips_config(tmp_path, Path("voices/mine"))).tts
    assert tts.engine == "clips" and tts.clips == str(tmp_path / "voices" / "mine")


def test_an_own_chime_is_what_the_display_page_fetches(tmp_path):
    from server.app import create_app

    chime = tone(tmp_path / "voices" / "mine" / "chime.wav", 0.5)
    config = write_config(tmp_path, {"cache_mb = 200 ": 'chime = "voices/mine/chime.wav"\ncache_mb = 200 '})
    app = create_app(config, workers=False, synchronous="OFF")
    try:
        client = app.test_client()
        with app.test_request_context("/display/"):
            from display import page_config

            url = page_config()["chime"]
        assert url.startswith("/api/tts/chime.wav?v=")
        r = client.get(url)
        assert r.status_code == 200 and r.mimetype == "audio/wav" and r.data == chime.read_bytes()
        r.close()
    finally:
        app.extensions["antrian"].stop()
        app.extensions["antrian"].store.close()


def test_without_an_own_chime_the_built_in_one_plays(client, app):
    with app.test_request_context("/display/"):
        from display import page_config

        assert page_config()["chime"] == "/display/static/chime.wav"
    assert client.get("/api/tts/chime.wav").status_code == 404


# -- the command line -----------------------------------------------------------------------


def test_voice_check_lists_every_word_the_pack_lacks_for_this_office(espeak_pack, tmp_path, capsys):
    from server.cli import main

    config = write_config(tmp_path)
    pack = copy_pack(espeak_pack, tmp_path / "voices" / "partial", leave_out=("loket", "sembilan"))
    (pack / "rusak.wav").write_bytes(b"not a wav")
    assert main(["voice", "check", "--config", str(config), "--clips", str(pack)]) == 1
    out = capsys.readouterr().out
    assert "loket.wav" in out and "sembilan.wav" in out and "\n  rusak.wav: " in out
    assert "klip yang tidak dapat dipakai (1):\nunusable clips (1):\n" in out
    assert "kurang (2 kata, nomor sampai 999):\nmissing (2 words, numbers up to 999):\n" in out
    assert main(["voice", "check", "--config", str(config), "--clips", str(espeak_pack)]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "tidak ada kata yang kurang untuk layanan, loket dan nomor sampai 999",
        "no word missing for the services, counters and numbers up to 999",
    ]


def test_voice_check_says_why_each_clip_is_unusable_in_indonesian_then_english(tmp_path, capsys):
    from server.cli import main

    folder = tmp_path / "voices" / "kantor"
    tone(folder / "a.wav")
    (folder / "rusak.wav").write_bytes(b"not a wav")
    config = write_config(tmp_path)
    assert main(["voice", "check", "--config", str(config), "--clips", str(folder), "--up-to", "1"]) == 1
    out = capsys.readouterr().out
    assert (
        "klip yang tidak dapat dipakai (1):\nunusable clips (1):\n"
        f"  rusak.wav: {NOT_WAV[0]}\n"
        f"             {NOT_WAV[1]}\n"
    ) in out


# -- the admin API --------------------------------------------------------------------------


@pytest.fixture
def voice_app(espeak_pack, tmp_path):
    from server.app import create_app

    pack = copy_pack(espeak_pack, tmp_path / "voices" / "kantor", leave_out=("sebelas",))
    app = create_app(clips_config(tmp_path, Path("voices/kantor")), workers=False, synchronous="OFF")
    app.extensions["antrian.announcer"].refresh_voice()
    yield app, pack
    app.extensions["antrian.announcer"].speech.close()
    app.extensions["antrian"].stop()
    app.extensions["antrian"].store.close()


def test_choosing_espeak_with_no_pack_takes_a_saved_pack_away(espeak_pack, tmp_path):
    """The admin page sends the pack always ("" for none, counter/static/voice.js): a saved section keeps
    the keys a change does not name, and a pack path kept with espeak would stop the server from starting
    once its folder is deleted."""
    from server.app import create_app
    from server.config import effective_settings

    pack = copy_pack(espeak_pack, tmp_path / "voices" / "kantor")
    app = create_app(write_config(tmp_path), workers=False, synchronous="OFF")  # espeak, no pack in the file
    try:
        client = app.test_client()
        h = login(app, client, "root", "admin")
        value = {"engine": "clips", "clips": "voices/kantor"}
        assert client.put("/api/admin/settings/tts", json={"value": value}, headers=h).status_code == 200
        r = client.put("/api/admin/settings/tts", json={"value": {"engine": "espeak", "clips": ""}}, headers=h)
        assert r.status_code == 200 and r.get_json()["tts"]["clips"] == ""
        service = app.extensions["antrian"]
        with service.store.read() as tx:
            overrides = tx.settings_overrides()
        assert "clips" not in overrides.get("tts", {}), overrides  # config.toml's "" again: nothing kept
        shutil.rmtree(pack)
        assert effective_settings(load_settings(write_config(tmp_path)), overrides).tts.clips == ""
    finally:
        app.extensions["antrian"].stop()
        app.extensions["antrian"].store.close()


def upload(client, h, name, data: bytes, pack="kantor"):
    return client.post(
        "/api/admin/voice/clips",
        json={"pack": pack, "name": name, "data": base64.b64encode(data).decode()},
        headers=h,
    )


def test_admin_sees_the_pack_its_missing_words_and_the_packs(voice_app):
    app, pack = voice_app
    client = app.test_client()
    h = login(app, client, "root", "admin")
    status = client.get("/api/admin/voice", headers=h).get_json()
    assert status["engine"] == "clips" and status["pack"]["clips"] == len(list(pack.glob("*.wav")))
    assert status["office_missing"] == {"sebelas": "Nomor antrian, A, sebelas. Silakan menuju, Loket satu."}
    assert status["packs"] == [{"name": "kantor", "clips": "voices/kantor", "path": str(pack)}]


def test_admin_sees_the_words_only_a_recalls_intro_lacks_apart_from_those_a_call_needs(voice_app):
    """A pack without sebelas.wav and terakhir.wav: a call of eleven is said by espeak-ng (office_missing, and
    `missing` once said), a last call of twelve from the recordings without "Panggilan terakhir." (intro_missing
    alone: never counted as a word espeak-ng said a call for)."""
    app, pack = voice_app
    (pack / "terakhir.wav").unlink()
    announcer = app.extensions["antrian.announcer"]
    announcer.reload_voice()
    assert announcer.refresh_voice()
    client = app.test_client()
    h = login(app, client, "root", "admin")
    example = "Nomor antrian, A, satu. Silakan menuju, Loket satu."
    status = client.get("/api/admin/voice", headers=h).get_json()
    assert status["office_missing"] == {"sebelas": "Nomor antrian, A, sebelas. Silakan menuju, Loket satu."}
    assert status["intro_missing"] == {"terakhir": f"Panggilan terakhir. {example}"}
    assert status["missing"] == []
    last = announced(announcer, 3)  # said from the recordings, as a first call
    assert last["intro"] is None and last["text"] == "Nomor antrian, A, dua belas. Silakan menuju, Loket satu."
    assert client.get("/api/admin/voice", headers=h).get_json()["missing"] == []
    assert announced(announcer, 3, "A-11")["intro"] is not None  # espeak-ng's, all of it
    status = client.get("/api/admin/voice", headers=h).get_json()
    assert status["missing"] == ["sebelas"] and list(status["intro_missing"]) == ["terakhir"]
    preview = client.post("/api/admin/voice/preview", json={"label": "A-12", "counter_id": 2, "calls": 3}, headers=h)
    assert preview.get_json()["missing"] == ["terakhir"]  # the preview still names what its recall lacks
    assert client.get("/api/admin/voice", headers=h).get_json()["missing"] == ["sebelas"]


def test_admin_sees_why_each_clip_is_unusable_in_the_answers_language(voice_app):
    app, pack = voice_app
    (pack / "rusak.wav").write_bytes(b"not a wav")
    announcer = app.extensions["antrian.announcer"]
    announcer.reload_voice()
    assert announcer.refresh_voice()
    client = app.test_client()
    h = login(app, client, "root", "admin")
    for lang, text in zip(("id", "en"), NOT_WAV, strict=True):
        status = client.get("/api/admin/voice", headers={**h, "X-Lang": lang}).get_json()
        assert status["pack"]["errors"] == {"rusak.wav": text}, lang


def test_an_uploaded_clip_completes_the_pack(voice_app, espeak_pack):
    app, pack = voice_app
    client = app.test_client()
    h = login(app, client, "root", "admin")
    r = upload(client, h, "sebelas.wav", (espeak_pack / "sebelas.wav").read_bytes())
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["format"] == "22050 Hz, 16 bit, mono"
    announcer = app.extensions["antrian.announcer"]
    assert announcer.voice_status()["loading"] and announcer.refresh_voice()
    assert client.get("/api/admin/voice").get_json()["office_missing"] == {}
    preview = client.post("/api/admin/voice/preview", json={"label": "A-11", "counter_id": 2}, headers=h).get_json()
    assert preview["engine"] == "clips" and preview["missing"] == []
    assert preview["text"] == "Nomor antrian, A, sebelas. Silakan menuju, Loket dua."
    announcer.run_once(block=False)
    r = client.get(preview["audio"])
    assert r.status_code == 200 and r.data[:4] == b"OggS"
    r.close()
    # The TVs' sound check with no TV connected: the call is made as a real one's, said as a test ("Tes suara."
    # first: it was the bare call, which a visitor holding A-11 could walk to Loket 2 for), and nobody heard it.
    check = client.post("/api/admin/voice/test-call", json={"label": "A-11", "counter_id": 2}, headers=h)
    assert check.status_code == 200 and check.get_json()["displays"] == 0
    said = check.get_json()["announce"]
    assert said["text"] == "Tes suara. Nomor antrian, A, sebelas. Silakan menuju, Loket dua."
    assert (
        said["audio"] == preview["audio"]
        and said["intro"] == f"/api/tts/{announcer.speech.key('Tes suara.', announcer.pack)}.ogg"
    )


def test_the_preview_says_a_second_and_a_last_call_with_its_intro_before_the_call(voice_app):
    """The admin hears a recall as the TVs say it: "Panggilan kedua." (the last "Panggilan terakhir."), a file of its
    own from the pack, played before the call's (the same file as the first call's); the TVs' sound check too."""
    app, pack = voice_app
    client = app.test_client()
    h = login(app, client, "root", "admin")
    announcer = app.extensions["antrian.announcer"]
    key = announcer.speech.key
    call = "Nomor antrian, A, dua belas. Silakan menuju, Loket dua."
    said = {}
    for calls, intro in ((None, ""), (1, ""), (2, "Panggilan kedua."), (3, "Panggilan terakhir.")):
        asked = {"label": "a-12", "counter_id": 2} | ({} if calls is None else {"calls": calls})
        r = client.post("/api/admin/voice/preview", json=asked, headers=h)
        assert r.status_code == 200, r.get_json()
        said[calls] = body = r.get_json()
        assert body["text"] == (f"{intro} {call}" if intro else call)
        assert body["audio"] == f"/api/tts/{key(call, announcer.pack)}.ogg"
        assert body["intro"] == (f"/api/tts/{key(intro, announcer.pack)}.ogg" if intro else None)
        assert (body["engine"], body["missing"]) == ("clips", [])
    speak_queued(announcer)
    for url in (said[2]["intro"], said[3]["intro"], said[3]["audio"]):
        r = client.get(url)
        assert r.status_code == 200 and r.data[:4] == b"OggS"
        r.close()
    assert announcer.speech.synth_count == 0  # the pack said all of it
    check = client.post("/api/admin/voice/test-call", json={"label": "A-12", "counter_id": 2, "calls": 3}, headers=h)
    test_intro = "Tes suara. Panggilan terakhir."  # the recall's words after the test's, one file of the pack's
    assert (
        check.status_code == 200
        and check.get_json()["announce"]["intro"] == f"/api/tts/{key(test_intro, announcer.pack)}.ogg"
    )
    assert check.get_json()["announce"]["text"] == f"{test_intro} {call}"
    assert check.get_json()["announce"]["audio"] == said[3]["audio"]


@pytest.mark.parametrize("calls", [0, 4, "2", True, 2.0, None])
def test_a_preview_of_a_call_past_max_calls_is_refused_naming_the_field(voice_app, calls):
    app, _ = voice_app
    client = app.test_client()
    h = login(app, client, "root", "admin")
    for path in ("/api/admin/voice/preview", "/api/admin/voice/test-call"):
        r = client.post(path, json={"label": "A-12", "counter_id": 2, "calls": calls}, headers=h)
        assert r.status_code == 422 and list(r.get_json()["fields"]) == ["calls"], r.get_json()


def test_the_preview_says_a_last_chance_before_its_first_call_and_its_recalls_the_sound_check_too(voice_app):
    """A ticket on its last chance says so before each call ("Kesempatan terakhir.", "Panggilan kedua, kesempatan
    terakhir.": the commit that made the TVs say it). The admin could hear only a first call and a recall: now the
    preview's `last_chance` says it as the TVs do, its intro a file of the pack's played before the call's (the
    same file as the first call's); false is the ticket's ordinary call. The TVs' sound check says it too."""
    app, pack = voice_app
    client = app.test_client()
    h = login(app, client, "root", "admin")
    announcer = app.extensions["antrian.announcer"]
    key = announcer.speech.key
    call = "Nomor antrian, A, dua belas. Silakan menuju, Loket dua."
    intros = {
        (1, True): "Kesempatan terakhir.",
        (2, True): "Panggilan kedua, kesempatan terakhir.",
        (3, True): "Panggilan ketiga, kesempatan terakhir.",
        (1, False): "",
        (3, False): "Panggilan terakhir.",
    }
    said = {}
    for (calls, chance), intro in intros.items():
        r = client.post(
            "/api/admin/voice/preview",
            json={"label": "A-12", "counter_id": 2, "calls": calls, "last_chance": chance},
            headers=h,
        )
        assert r.status_code == 200, r.get_json()
        said[calls, chance] = body = r.get_json()
        assert body["text"] == (f"{intro} {call}" if intro else call), body
        assert body["audio"] == f"/api/tts/{key(call, announcer.pack)}.ogg"
        assert body["intro"] == (f"/api/tts/{key(intro, announcer.pack)}.ogg" if intro else None)
        assert (body["engine"], body["missing"]) == ("clips", [])
    speak_queued(announcer)
    for calls in (1, 2, 3):
        r = client.get(said[calls, True]["intro"])
        assert r.status_code == 200 and r.data[:4] == b"OggS"
        r.close()
    assert announcer.speech.synth_count == 0  # the pack said all of it
    asked = {"label": "A-12", "counter_id": 2, "calls": 2, "last_chance": True}
    check = client.post("/api/admin/voice/test-call", json=asked, headers=h)
    assert check.status_code == 200, check.get_json()
    test_intro = "Tes suara. Panggilan kedua, kesempatan terakhir."
    assert check.get_json()["announce"]["intro"] == f"/api/tts/{key(test_intro, announcer.pack)}.ogg"
    assert check.get_json()["announce"]["text"] == f"{test_intro} {call}"


@pytest.mark.parametrize("chance", ["true", 1, 0, None, "ya", [True]])
def test_a_preview_whose_last_chance_is_not_true_or_false_is_refused_naming_the_field(voice_app, chance):
    app, _ = voice_app
    client = app.test_client()
    h = login(app, client, "root", "admin")
    for path in ("/api/admin/voice/preview", "/api/admin/voice/test-call"):
        for lang, text in (("id", "Harus ya atau tidak."), ("en", "Must be true or false.")):
            asked = {"label": "A-12", "counter_id": 2, "last_chance": chance}
            r = client.post(path, json=asked, headers={**h, "X-Lang": lang})
            assert r.status_code == 422 and r.get_json()["fields"] == {"last_chance": text}, (path, r.get_json())


CALL_ID = "Nomor antrian, A, dua belas. Silakan menuju, Loket satu."


def test_the_sound_check_says_tes_suara_from_the_pack_or_else_by_espeak_ng_the_call_from_the_pack(
    espeak_pack, tmp_path
):
    """The TVs' sound check begins "Tes suara.": from the pack's `tes.wav` and `suara.wav` (voices/make_espeak_pack.py
    makes them: server.voice.office_clips), and from a pack without them by espeak-ng, never left out as a recall's
    words a pack lacks are (the call alone would be a real call to a visitor holding the number); the call itself is
    the pack's, the file a real call plays."""
    settings = load_settings(clips_config(tmp_path, espeak_pack))
    assert {"tes", "suara"} <= set(voice.office_clips(settings, up_to=1))
    lacking = copy_pack(espeak_pack, tmp_path / "voices" / "tanpa-tes", leave_out=("tes", "suara"))
    for folder, intro_by_pack in ((espeak_pack, True), (lacking, False)):
        (tmp_path / folder.name).mkdir()
        announcer = Announcer(load_settings(clips_config(tmp_path / folder.name, folder)))
        try:
            announcer.refresh_voice()
            pack = announcer.pack
            test, start = announcer.announce_later("A-12", "Loket 1", 2, test=True)
            real, _ = announcer.announce_later("A-12", "Loket 1", 2)
            intro = "Tes suara. Panggilan kedua."
            assert test["text"] == f"{intro} {CALL_ID}" and test["audio"] == real["audio"]
            said_by = pack if intro_by_pack else None
            key = announcer.speech.key(intro, said_by) if said_by else announcer.speech.key(intro, voice="id")
            assert test["intro"] == f"/api/tts/{key}.ogg", folder
            start()
            speak_queued(announcer)
            assert announcer.speech.path_for(key).exists()
            assert (announcer.speech.synth_count, announcer.speech.joined_count) == (
                (0, 2) if intro_by_pack else (1, 1)
            )
            assert announcer.voice_status()["missing"] == []  # no call lacked a word
        finally:
            announcer.speech.close()


@pytest.mark.parametrize(
    ("lang", "calls", "last_chance", "intro", "call"),
    [
        ("id", 3, False, "Panggilan terakhir.", CALL_ID),
        ("id", 1, True, "Kesempatan terakhir.", CALL_ID),
        ("en", 2, True, "Second call, last chance.", "Queue number, A, twelve. Please go to, Loket one."),
    ],
    ids=["recall", "last-chance", "last-chance-en"],
)
def test_the_preview_of_a_recall_or_a_last_chance_with_espeak_ng_says_its_intro_in_espeak_ngs_voice(
    tmp_path, lang, calls, last_chance, intro, call
):
    """No pack: espeak-ng says the intro ("Panggilan terakhir.", "Kesempatan terakhir.", an English office's "Second
    call, last chance.") and the call, each a real file, the intro's said before the call's."""
    from server.tts import speech_voice

    announcer = Announcer(load_settings(write_config(tmp_path, {'language = "id"': f'language = "{lang}"'})))
    try:
        said = announcer.preview("A-12", "Loket 1", calls, last_chance=last_chance)
        assert said["text"] == f"{intro} {call}" and said["engine"] == "espeak", said
        speech = announcer.speech
        key = speech.key(intro, voice=speech_voice(speech.voice, lang))
        assert said["intro"] == f"/api/tts/{key}.{speech.audio_format}"
        speak_queued(announcer)
        assert speech.synth_count == 2
        for url in (said["intro"], said["audio"]):
            data = speech.path_for(url.rsplit("/", 1)[1].split(".")[0]).read_bytes()
            assert data[:4] == (b"OggS" if speech.audio_format == "ogg" else b"RIFF")
    finally:
        announcer.speech.close()


def test_the_preview_of_a_recall_from_a_pack_without_its_words_is_the_first_call_naming_them(espeak_pack, tmp_path):
    """As the waiting room hears it: the recall said as its first call, in the pack's voice, the words to record
    named."""
    pack = copy_pack(espeak_pack, tmp_path / "voices" / "old", leave_out=RECALL_WORDS)
    announcer = Announcer(load_settings(clips_config(tmp_path, pack)))
    try:
        announcer.refresh_voice()
        first, last = announcer.preview("A-12", "Loket 1"), announcer.preview("A-12", "Loket 1", 3)
        assert last["text"] == first["text"] == "Nomor antrian, A, dua belas. Silakan menuju, Loket satu."
        assert last["audio"] == first["audio"] and last["intro"] is None and last["engine"] == "clips"
        assert last["missing"] == ["panggilan", "terakhir"] and first["missing"] == []
    finally:
        announcer.speech.close()


@pytest.mark.parametrize(
    "name, data, field",
    [
        ("../../config.wav", b"", "name"),
        ("Dua.wav", b"", "name"),
        ("dua.mp3", b"", "name"),
        ("dua.wav", b"RIFF....WAVEjunk", "data"),
        ("dua.wav", b"ID3 an mp3", "data"),
    ],
)
def test_a_bad_upload_is_refused_naming_the_field(voice_app, espeak_pack, name, data, field):
    app, pack = voice_app
    client = app.test_client()
    h = login(app, client, "root", "admin")
    data = data or (espeak_pack / "dua.wav").read_bytes()
    before = sorted(p.name for p in pack.parent.rglob("*"))
    r = upload(client, h, name, data)
    assert r.status_code == 422 and field in r.get_json()["fields"]
    assert sorted(p.name for p in pack.parent.rglob("*")) == before


def test_a_bad_pack_name_and_an_oversized_upload_are_refused(voice_app, espeak_pack):
    app, pack = voice_app
    client = app.test_client()
    h = login(app, client, "root", "admin")
    r = upload(client, h, "dua.wav", (espeak_pack / "dua.wav").read_bytes(), pack="../etc")
    assert r.status_code == 422 and "pack" in r.get_json()["fields"]
    assert upload(client, h, "dua.wav", b"RIFF" + bytes(4 * 1024 * 1024)).status_code == 413


def test_only_an_admin_with_the_csrf_token_may_upload(voice_app, espeak_pack):
    app, pack = voice_app
    client = app.test_client()
    wav = (espeak_pack / "sebelas.wav").read_bytes()
    h = login(app, client, "budi")
    assert upload(client, h, "sebelas.wav", wav).status_code == 403
    admin = app.test_client()
    login(app, admin, "root", "admin")
    assert upload(admin, {}, "sebelas.wav", wav).status_code == 403
    assert not (pack / "sebelas.wav").exists()


def test_admin_switches_the_engine_live(voice_app):
    app, _ = voice_app
    client = app.test_client()
    h = login(app, client, "root", "admin")
    r = client.put("/api/admin/settings/tts", json={"value": {"engine": "espeak"}}, headers=h)
    assert r.status_code == 200 and r.get_json()["tts"]["engine"] == "espeak"
    announcer = app.extensions["antrian.announcer"]
    assert announcer.refresh_voice() and announcer.pack is None
    r = client.put("/api/admin/settings/tts", json={"value": {"engine": "clips", "clips": "voices/none"}}, headers=h)
    assert r.status_code == 422 and "tts.clips" in r.get_json()["fields"]
    r = client.put("/api/admin/settings/tts", json={"value": {"voice": "en"}}, headers=h)
    assert r.status_code == 422 and list(r.get_json()["fields"]) == ["voice"]
