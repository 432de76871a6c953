"""Announcement phrases and their speech: real espeak-ng through the worker process."""

from __future__ import annotations

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
from num2words import num2words

from server import tts_worker
from server.tts import (
    TEMPLATE_EN,
    TEMPLATE_ID,
    FakeSpeech,
    Speech,
    announcement_text,
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
    [("Loket 2", "Loket dua"), ("Meja 10", "Meja sepuluh"), ("Loket Prioritas", "Loket Prioritas")],
)
def test_digits_in_counter_name_become_words(counter, spoken):
    assert announcement_text("A-1", counter, "{letter} {number} {counter}") == f"A satu {spoken}"


def test_english_template_uses_english_number_words():
    text = announcement_text("AB-021", "Meja 10", TEMPLATE_EN, lang="en")
    assert text == "Queue number, A B, twenty-one. Please go to, Meja ten."


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
    deadline = time.monotonic() + 5
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
    assert int(waited) > 20, "the event loop stalled while the worker was silent"
    assert made == "True"


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
