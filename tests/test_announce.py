"""Announcements of calls: the phrase on the event, real espeak-ng speech served as WAV to displays."""

from __future__ import annotations

import logging
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
    assert r.status_code == 200 and r.mimetype == "audio/wav"
    assert r.data[:4] == b"RIFF" and r.data[8:12] == b"WAVE"
    r.close()
    made = announcer.speech.synth_count
    # each recall is announced again: same phrase, a cache hit that synthesises nothing
    client.post("/api/counters/2/recall", headers=h)
    recalled = next(e for e in events if e["type"] == "recalled")
    assert recalled["announce"]["audio"] == url
    announcer.run_once(block=False)
    assert announcer.speech.synth_count == made and announcer.speech.hit_count >= 1


def test_unknown_or_malformed_audio_key_is_404(client):
    assert client.get("/api/tts/" + "0" * 64 + ".wav").status_code == 404
    assert client.get("/api/tts/..%2Fsecret_key.wav").status_code == 404


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
