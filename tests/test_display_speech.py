"""The TV plays the server's real speech: espeak-ng WAVs fetched from /api/tts, one call after another."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from conftest import visitor, write_config
from live import LiveServer


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    """A real server with speech on (a quick rate keeps the module short)."""
    config = write_config(tmp_path_factory.mktemp("speech"), {"rate = 150": "rate = 300"})
    server = LiveServer(config).start()
    sessions = {}
    for counter_id in (1, 2):
        server.add_user(f"loket{counter_id}", "officer")
        sessions[counter_id] = server.session(f"loket{counter_id}", "rahasia-123")
    yield server, sessions
    server.stop()


def test_two_near_simultaneous_calls_fetch_and_play_real_speech_in_order(browser, spoken):
    server, sessions = spoken
    for service in ("C", "B"):  # Loket 1 serves A and C, Loket 2 A and B: one ticket for each
        requests.post(f"{server.url}/api/tickets", json=visitor(service=service), timeout=5).raise_for_status()
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    fetched: list[str] = []
    page.on("response", lambda r: fetched.append(r.url) if "/api/tts/" in r.url and r.status in (200, 206) else None)
    try:
        page.goto(f"{server.url}/display/")
        page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced")
        labels = {}

        def call(counter_id: int) -> None:
            r = sessions[counter_id].post(f"{server.url}/api/counters/{counter_id}/call-next", timeout=10)
            labels[counter_id] = r.json()["ticket"]["label"]

        threads = [threading.Thread(target=call, args=(c,)) for c in (1, 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        page.wait_for_function(
            "() => antrianDisplay.log.length >= 2 && antrianDisplay.log.every(e => e.end !== null)", timeout=30_000
        )
        log = page.evaluate("antrianDisplay.log")
        first, second = log[0], log[1]
        assert first["seq"] < second["seq"] and second["start"] >= first["end"]  # never over each other
        assert {first["label"], second["label"]} == set(labels.values())
        for entry in (first, second):
            kinds = [(p["kind"], p["ok"]) for p in entry["parts"]]
            assert kinds == [("chime", True), ("speech", True)], entry
            speech = entry["parts"][1]
            assert "/api/tts/" in speech["url"] and speech["end"] - speech["start"] > 1000  # a real phrase
        assert len({u for u in fetched}) == 2  # two phrases, each fetched from the server
    finally:
        context.close()


def test_output_server_plays_each_call_on_the_servers_own_sound_output_with_aplay(tmp_path):
    """[tts] output = "server": the server itself runs the player on the call's WAV, `repeat` times.

    The player is the real aplay on ALSA's null device (no sound card here); aplay names the WAV's
    format on stderr, which a shell wrapper appends to a log the test reads."""
    played = tmp_path / "played.log"
    player = f'["sh", "-c", "aplay -D null \\"$0\\" 2>> {played}"]'
    config = write_config(
        tmp_path,
        {"rate = 150": "rate = 300", 'output = "display"': 'output = "server"', "repeat = 1 ": "repeat = 2 "},
    )
    text = config.read_text(encoding="utf-8").replace('output = "server"', f'output = "server"\nplayer = {player}', 1)
    config.write_text(text, encoding="utf-8")
    server = LiveServer(config).start()
    try:
        server.add_user("loket1", "officer")
        officer = server.session("loket1", "rahasia-123")
        requests.post(f"{server.url}/api/tickets", json=visitor(service="A"), timeout=5).raise_for_status()
        r = officer.post(f"{server.url}/api/counters/1/call-next", timeout=10)
        assert r.status_code == 200, r.text
        lines: list[str] = []
        deadline = time.monotonic() + 30
        while len(lines) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
            lines = played.read_text().splitlines() if played.exists() else []
        assert len(lines) == 2, lines  # repeat = 2
        wavs = list((tmp_path / "data" / "speech").glob("*.wav"))
        assert len(wavs) == 1  # one phrase, made once, played twice
        expected = f"Playing WAVE '{wavs[0]}' : Signed 16 bit Little Endian, Rate 22050 Hz, Mono"
        assert lines == [expected, expected]
    finally:
        server.stop()
