"""Announcements of calls: the phrase on the event, real espeak-ng speech served as Ogg Vorbis to displays."""

from __future__ import annotations

import logging
import subprocess
import sys

from conftest import login, visitor

from server.tts import Speech


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
    made = announcer.speech.synth_count
    # each recall is announced again: same phrase, a cache hit that synthesises nothing
    client.post("/api/counters/2/recall", headers=h)
    recalled = next(e for e in events if e["type"] == "recalled")
    assert recalled["announce"]["audio"] == url
    announcer.run_once(block=False)
    assert announcer.speech.synth_count == made and announcer.speech.hit_count >= 1


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
        announcer.run_once(block=False)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    url = next(e for e in events if e["type"] == "called")["announce"]["audio"]
    assert client.get(url).status_code == 404  # the display chimes and shows, without voice
    snap = client.get("/api/state").get_json()
    assert snap["counters"][1]["ticket"]["calls"] == 2
