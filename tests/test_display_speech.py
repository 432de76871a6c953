"""The TV plays the server's real speech: espeak-ng WAVs fetched from /api/tts, one call after another."""

from __future__ import annotations

import threading

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
        page.wait_for_function("window.antrianDisplay && antrianDisplay.state.synced")
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
            "antrianDisplay.log.length >= 2 && antrianDisplay.log.every(e => e.end !== null)", timeout=30_000
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
