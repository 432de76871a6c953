"""Announcements of calls: the phrase on the event, real espeak-ng speech served as Ogg Vorbis to displays."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import wave
from pathlib import Path

import pytest
from conftest import login, speak_queued, visitor, write_config

from server.announce import Announcer
from server.config import load_settings
from server.tts import Speech, speech_voice


def call_first(app):
    client = app.test_client()
    client.post("/api/tickets", json=visitor())
    h = login(app, client, "budi")
    events = []
    app.extensions["antrian"].publish = events.extend
    r = client.post("/api/counters/2/call-next", headers=h)
    assert r.status_code == 200
    return client, h, events


def test_call_event_carries_the_indonesian_phrase_and_audio_url(app):
    client, h, events = call_first(app)
    called = next(e for e in events if e["type"] == "called")
    assert called["announce"]["text"] == "Nomor antrian, A, satu. Silakan menuju, Loket dua."
    assert called["announce"]["repeat"] == 1
    url = called["announce"]["audio"]
    announcer = app.extensions["antrian.announcer"]
    assert announcer.run_once(block=False)
    r = client.get(url)
    assert url.endswith(".ogg") and r.status_code == 200 and r.mimetype == "audio/ogg"
    assert r.data[:4] == b"OggS"
    path = announcer.speech.path_for(url.rsplit("/", 1)[1].removesuffix(".ogg"))
    assert announcer.speech.cache.held(path.name) == 1  # kept in the cache until the answer is sent
    r.close()
    assert announcer.speech.cache.held(path.name) == 0
    for headers, status in (({"If-None-Match": r.headers["ETag"]}, 304), ({"Range": "bytes=0-3"}, 206)):
        again = client.get(url, headers=headers)
        assert again.status_code == status and announcer.speech.cache.held(path.name) == 1
        again.close()
        assert announcer.speech.cache.held(path.name) == 0
    info = subprocess.run(["soxi", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Vorbis" in info and "22050" in info and ": 1\n" in info  # espeak-ng's 22050 Hz mono, as Vorbis
    assert client.get(url.removesuffix(".ogg") + ".wav").status_code == 404  # no WAV is made for the TVs
    assert called["announce"]["intro"] is None  # a first call is said as it is
    made = announcer.speech.synth_count
    # each recall is announced again: the same phrase (a cache hit that synthesises nothing), after its own
    # intro ("Panggilan kedua."), made once for every recall of the day
    client.post("/api/counters/2/recall", headers=h)
    recalled = next(e for e in events if e["type"] == "recalled")
    assert recalled["announce"]["audio"] == url
    assert recalled["announce"]["text"] == "Panggilan kedua. Nomor antrian, A, satu. Silakan menuju, Loket dua."
    speak_queued(announcer)
    assert announcer.speech.synth_count == made + 1 and announcer.speech.hit_count >= 1


def test_unknown_or_malformed_audio_key_is_404(client):
    assert client.get("/api/tts/" + "0" * 64 + ".wav").status_code == 404
    assert client.get("/api/tts/" + "0" * 64 + ".ogg").status_code == 404
    assert client.get("/api/tts/..%2Fsecret_key.wav").status_code == 404
    assert client.get("/api/tts/..%2Fsecret_key.ogg").status_code == 404


def test_a_wav_cached_before_ogg_is_still_served(app, client):
    announcer = app.extensions["antrian.announcer"]
    with Speech(announcer.speech.cache_dir) as old:  # the WAV a server before Ogg Vorbis made
        path = old.synthesize("Nomor antrian, A, satu. Silakan menuju, Loket dua.")
    r = client.get(f"/api/tts/{path.stem}.wav")
    assert r.status_code == 200 and r.mimetype == "audio/wav" and r.data[:4] == b"RIFF"
    r.close()


def test_a_file_being_served_is_not_removed_from_a_full_cache(app, tmp_path):
    """A TV still downloading a call's speech keeps it, however full the cache; once sent it may go."""
    announcer = app.extensions["antrian.announcer"]
    announcer.speech.close()
    # nothing is kept for being fresh here, so only the serve protects the file
    announcer.speech = Speech(tmp_path / "sp", audio_format="ogg", fresh_seconds=0)
    client, h, events = call_first(app)
    announcer.run_once(block=False)
    url = next(e for e in events if e["type"] == "called")["announce"]["audio"]
    served = announcer.speech.path_for(url.rsplit("/", 1)[1].removesuffix(".ogg"))
    announcer.speech.cache.limit = int(served.stat().st_size * 2.5)  # room for two such phrases
    r = client.get(url)  # streamed: the body is not read yet
    assert r.status_code == 200
    others = [
        announcer.speech.synthesize(f"Nomor antrian, B, {n}. Silakan menuju, Loket satu.")
        for n in ("satu", "dua", "tiga")
    ]
    assert served.exists() and r.data[:4] == b"OggS"
    assert not others[0].exists() and others[-1].exists()  # the least recently used went instead
    r.close()
    announcer.speech.synthesize("Nomor antrian, C, satu. Silakan menuju, Loket tiga.")
    assert not served.exists()  # sent, it is the least recently used
    assert announcer.speech.cache.total <= announcer.speech.cache.limit


def test_broken_speech_keeps_the_call_and_logs_once(app, tmp_path, caplog):
    announcer = app.extensions["antrian.announcer"]
    announcer.speech.close()
    announcer.speech = Speech(tmp_path / "sp", worker_cmd=[sys.executable, "-c", "import sys; sys.exit(3)"])
    client, h, events = call_first(app)
    assert any(e["type"] == "called" and e["announce"] for e in events)
    with caplog.at_level(logging.ERROR):
        announcer.run_once(block=False)
        client.post("/api/counters/2/recall", headers=h)
        # the recall's two (its intro, then the call): the call's own left queued, a TV asking for its audio waited
        # the 5 s it may take to be made (Announcer.hold_audio) before its 404
        assert speak_queued(announcer) == 2
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    url = next(e for e in events if e["type"] == "called")["announce"]["audio"]
    assert client.get(url).status_code == 404  # the display chimes and shows, without voice
    snap = client.get("/api/state").get_json()
    assert snap["counters"][1]["ticket"]["calls"] == 2


def test_a_call_whose_words_cannot_be_made_is_still_a_call_shown_without_its_announcement(app, monkeypatch, caplog):
    """The announcement's words are made inside the call's transaction: one that raised (a counter's name of 40
    digits raised num2words' OverflowError) rolled the call back, and Panggil berikutnya at that counter answered
    "Terjadi kesalahan pada server." at every press, nobody callable there. Whatever fails in them now, the call
    is made, shown without its announcement, and the log says why. (A fault put in the words: no name is known to
    raise any more.)"""

    def broken(*args, **kwargs):
        raise ArithmeticError("words of a name")

    monkeypatch.setattr("server.announce.announcement_text", broken)
    with caplog.at_level(logging.ERROR):
        client, h, events = call_first(app)
    called = next(e for e in events if e["type"] == "called")
    assert called["announce"] is None and called["ticket"]["label"] == "A-001"
    (error,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "A-001" in error.getMessage() and "Loket 2" in error.getMessage() and "words of a name" in error.exc_text
    assert client.get("/api/state").get_json()["counters"][1]["ticket"]["label"] == "A-001"  # a TV's snapshot too


# -- a recall says which call it is -------------------------------------------------------------


def office(tmp_path, lang: str = "id", max_calls: int = 3, extra: dict[str, str] | None = None):
    """An announcer of the demo office (WAV speech by real espeak-ng) in `lang`, with `max_calls`."""
    replace = {
        "max_calls = 3 ": f"max_calls = {max_calls} ",
        'language = "id"': f'language = "{lang}"',
        **(extra or {}),
    }
    settings = load_settings(write_config(tmp_path, replace))
    return Announcer(settings, speech=Speech(tmp_path / "speech", voice=settings.tts.voice))


def spoken(announcer: Announcer, url: str | None) -> Path | None:
    """The cache file an announcement's URL names (None for None)."""
    return url and announcer.speech.path_for(url.rsplit("/", 1)[1].split(".")[0])


def announce_now(announcer: Announcer, label: str, counter: str, calls: int, last_chance: bool = False) -> dict:
    """A call's announcement (of a ticket on its `last_chance` when said), its speech made (the worker's queue
    emptied)."""
    out, start = announcer.announce_later(label, counter, calls, last_chance=last_chance)
    start()
    speak_queued(announcer)
    return out


FIRST = {
    "id": "Nomor antrian, A, dua belas. Silakan menuju, Loket dua.",
    "en": "Queue number, A, twelve. Please go to, Loket two.",
}


@pytest.mark.parametrize(
    ("lang", "max_calls", "intros"),
    [
        ("id", 3, ["", "Panggilan kedua.", "Panggilan terakhir."]),
        ("en", 3, ["", "Second call.", "Last call."]),
        ("id", 4, ["", "Panggilan kedua.", "Panggilan ketiga.", "Panggilan terakhir."]),
        ("id", 2, ["", "Panggilan terakhir."]),
    ],
)
def test_a_recall_is_announced_as_the_second_or_the_last_call_in_real_espeak_ng_speech(
    tmp_path, lang, max_calls, intros
):
    """Call 1 is said as it always was; call 2 "Panggilan kedua. Nomor antrian, …", the last allowed one
    ([queue] max_calls) "Panggilan terakhir. …" (the TV writes "Panggilan ke-2", "Panggilan ke-3 (terakhir)");
    an English office "Second call.", "Last call." in espeak-ng's English voice. The intro is a WAV of its own,
    espeak-ng's for those words, and the call's phrase is the first call's file again."""
    announcer = office(tmp_path, lang, max_calls)
    reference = Speech(tmp_path / "reference", voice=speech_voice(announcer.speech.voice, lang))
    try:
        first = FIRST[lang]
        calls = [announce_now(announcer, "A-012", "Loket 2", n) for n in range(1, len(intros) + 1)]
        assert [c["text"] for c in calls] == [f"{intro} {first}".strip() for intro in intros]
        assert calls[0]["intro"] is None and all(c["intro"] for c in calls[1:])
        assert len({c["audio"] for c in calls}) == 1  # the call's phrase: one file for all its calls
        assert spoken(announcer, calls[0]["audio"]).read_bytes() == reference.synthesize(first).read_bytes()
        for call, intro in zip(calls[1:], intros[1:], strict=True):
            made = spoken(announcer, call["intro"])
            assert made.read_bytes()[:4] == b"RIFF"
            assert made.read_bytes() == reference.synthesize(intro).read_bytes()  # espeak-ng said those words
            with wave.open(str(made), "rb") as audio:
                assert 0.4 < audio.getnframes() / audio.getframerate() < 3
        # a call past max_calls (lowered during the day) is the last too
        assert announce_now(announcer, "A-012", "Loket 2", max_calls + 1)["intro"] == calls[-1]["intro"]
    finally:
        announcer.speech.close()
        reference.close()


LAST_CHANCE = {
    "id": ["Kesempatan terakhir.", "Panggilan kedua, kesempatan terakhir.", "Panggilan ketiga, kesempatan terakhir."],
    "en": ["Last chance.", "Second call, last chance.", "Third call, last chance."],
}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_last_chance_says_so_before_each_of_its_calls_in_real_espeak_ng_speech(tmp_path, lang):
    """A ticket skipped and requeued (one more skip is a no-show) says so before every call, as the TV writes it
    ("Kesempatan terakhir", "Panggilan ke-2 (kesempatan terakhir)", "Panggilan ke-3 (kesempatan terakhir)"): an
    intro of its own, espeak-ng's for those words, before the same file of the call's phrase; its last call says its
    count, not "terakhir" twice. The same ticket's plain calls keep their intros."""
    announcer = office(tmp_path, lang)
    reference = Speech(tmp_path / "reference", voice=speech_voice(announcer.speech.voice, lang))
    try:
        first = FIRST[lang]
        chance = [announce_now(announcer, "A-012", "Loket 2", n, last_chance=True) for n in (1, 2, 3)]
        plain = [announce_now(announcer, "A-012", "Loket 2", n) for n in (1, 2, 3)]
        assert [c["text"] for c in chance] == [f"{intro} {first}" for intro in LAST_CHANCE[lang]]
        assert {c["audio"] for c in chance} == {plain[0]["audio"]}  # the call's phrase: one file for all its calls
        assert plain[0]["intro"] is None and all(c["intro"] for c in chance)
        assert len({c["intro"] for c in chance + plain[1:]}) == 5  # one file per distinct intro
        # espeak-ng's, for those words: the reference says what the worker said, in its order (the intro first)
        said = [
            reference.synthesize(text).read_bytes() for text in (LAST_CHANCE[lang][0], first, *LAST_CHANCE[lang][1:])
        ]
        for call, reference_bytes in zip(chance, [said[0], *said[2:]], strict=True):
            made = spoken(announcer, call["intro"])
            assert made.read_bytes() == reference_bytes
            with wave.open(str(made), "rb") as audio:
                assert 0.4 < audio.getnframes() / audio.getframerate() < 4
        # made once: the next last chance's intros are the same files
        again = [announce_now(announcer, "B-003", "Loket 1", n, last_chance=True)["intro"] for n in (1, 2)]
        assert again == [c["intro"] for c in chance[:2]]
    finally:
        announcer.speech.close()
        reference.close()


def test_a_skipped_and_requeued_ticket_is_announced_as_its_last_chance(app):
    """The SOP: three calls with no answer, skipped and requeued; called again it is on its last chance (the TV
    writes "Kesempatan terakhir"), and the speech says so before the call ("Kesempatan terakhir. Nomor antrian,
    …"), then at its recall "Panggilan kedua, kesempatan terakhir. …"; a TV reconnecting meanwhile gets the same
    from its snapshot. Before, the speech said "Nomor antrian, …" and "Panggilan kedua. …" as for anyone."""
    client, h, events = call_first(app)
    announcer = app.extensions["antrian.announcer"]
    for _ in range(2):
        assert client.post("/api/counters/2/recall", headers=h).status_code == 200
    assert client.post("/api/counters/2/skip", headers=h, json={}).status_code == 200
    events.clear()
    assert client.post("/api/counters/2/call-next", headers=h).status_code == 200
    call = "Nomor antrian, A, satu. Silakan menuju, Loket dua."
    called = next(e for e in events if e["type"] == "called")
    assert called["ticket"]["last_chance"] is True and called["ticket"]["calls"] == 1
    assert called["announce"]["text"] == f"Kesempatan terakhir. {call}"
    assert called["announce"]["intro"] is not None
    snap = client.get("/api/state").get_json()
    assert snap["recent"][0]["announce"] == called["announce"]
    assert client.post("/api/counters/2/recall", headers=h).status_code == 200
    recalled = next(e for e in events if e["type"] == "recalled")
    assert recalled["announce"]["text"] == f"Panggilan kedua, kesempatan terakhir. {call}"
    assert recalled["announce"]["audio"] == called["announce"]["audio"]
    speak_queued(announcer)
    for url in (called["announce"]["intro"], recalled["announce"]["intro"]):
        r = client.get(url)
        assert r.status_code == 200 and r.data[:4] == b"OggS"  # real espeak-ng speech
        r.close()


def test_recalls_add_one_speech_file_per_call_count_not_one_per_ticket(tmp_path):
    """The speech cache's entries: one phrase per ticket and counter, as before, and the recalls' intros once
    each (max_calls - 1 of them), however many tickets are recalled."""
    announcer = office(tmp_path, extra={"rate = 150": "rate = 400"})
    try:
        for n in range(1, 9):
            for calls in (1, 2, 3):
                announce_now(announcer, f"B-{n:03d}", "Loket 1", calls)
        assert len(announcer.speech.cache) == 8 + 2
        assert announcer.speech.synth_count == 10
    finally:
        announcer.speech.close()


def test_a_recall_whose_intro_left_the_cache_waits_for_it_to_be_made_again(tmp_path):
    """The intro of every recall is the same file: once the cache dropped it, the next recall makes it again,
    and a TV asking for it meanwhile waits for it (as for any new phrase) instead of a 404 at once."""
    announcer = office(tmp_path, extra={"rate = 150": "rate = 400"})
    try:
        intro = announce_now(announcer, "A-001", "Loket 1", 2)["intro"]
        path = spoken(announcer, intro)
        path.unlink()
        announcer.speech.cache.scan()  # as the cache's pruning leaves it
        out, start = announcer.announce_later("A-002", "Loket 1", 2)
        assert out["intro"] == intro
        start()  # queued, not made yet
        asked, got = threading.Event(), []
        hold = announcer.speech.hold

        def first_hold(p):
            held = hold(p)
            asked.set()
            return held

        announcer.speech.hold = first_hold
        key = path.stem
        tv = threading.Thread(target=lambda: got.append(announcer.hold_audio(key, "wav", wait=30)))
        tv.start()
        assert asked.wait(10)  # the TV's request found no file
        speak_queued(announcer)
        tv.join(30)
        assert got == [path] and path.exists()
        announcer.speech.release(path)
    finally:
        announcer.speech.close()
