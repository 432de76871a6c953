"""The TV's chime and spoken call for a call made while its connection was dead without a word (a router that
dropped its flows, a cable pulled between two switches). The heartbeat notices within 14 s and the reconnect's
snapshot shows the call (tests/test_silent_drop.py), but the call was not heard: the `called` event with its
announcement was lost with the connection, so a TV that had chimed before chimed alone (the phrase was never asked
for), and one that had not chimed yet asked for the chime on one of the browser's idle keep-alive connections, as
dead, and waited until the announcement was cut 20 s later, silent. Now the snapshot brings the announcement of a
call still at its counter, and the TV's requests for sounds give up a dead connection and go again on a live one.
A real server with espeak-ng's speech, real Chromium, and between them the frozen TCP proxy of test_silent_drop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_display_speech import BRIEF, call_at, ended, free_counters, parts, speech_server
from test_silent_drop import HEARTBEAT_MS, NOTICED_MS, FrozenProxy

from server.tts import announcement_text

# From its start (the reconnect's snapshot) to its end: the chime (1.3 s) and the BRIEF phrase (0.6 s; a recall's
# words too), and at most one request given up on a dead connection (display.js FETCH_WAIT_MS, 2 s). Before, the
# chime's request waited for the 20 s the page allows a sound.
ANNOUNCED_MS = 8_000
PHRASE = "{letter}, {number}. {counter}."  # BRIEF's template


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    server, sessions = speech_server(tmp_path_factory.mktemp("dropped"), BRIEF)
    yield server, sessions
    server.stop()


@pytest.fixture
def tv(browser, spoken):
    """A TV page through a proxy that can freeze its connections (not opened yet); the counters free."""
    free_counters(*spoken)
    proxy = FrozenProxy(spoken[0].port)
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.clock.install()  # the heartbeat's seconds are moved on (test_silent_drop)
    yield page, proxy
    context.close()
    proxy.close()
    free_counters(*spoken)


def open_through(page, proxy: FrozenProxy):
    page.goto(f"{proxy.url}/display/")
    page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)


def reconnected(page, label: str) -> None:
    """Let the heartbeat notice the dead connection; wait for the call on its tile and the page online."""
    page.clock.run_for(HEARTBEAT_MS)
    expect(page.locator('.counter[data-counter="1"] .ticket-label')).to_have_text(
        label, timeout=NOTICED_MS - HEARTBEAT_MS
    )
    page.wait_for_function("() => antrianDisplay.state.status === 'online'", polling=50)


def test_a_call_made_while_the_tv_was_silently_cut_off_is_chimed_and_said_at_once(tv, spoken):
    """The page had played nothing yet: its chime is asked for after the reconnect."""
    page, proxy = tv
    open_through(page, proxy)
    proxy.freeze()  # every connection of the TV to the server: gone, unknown to both ends
    label = call_at(spoken, 1)
    reconnected(page, label)
    [entry] = ended(page, 1)
    assert entry["label"] == label
    assert parts(entry) == [("chime", True, "ended"), ("speech", True, "ended")], entry
    assert entry["text"] == announcement_text(label, "Loket 1", PHRASE)  # "C, satu. Loket satu."
    assert entry["end"] - entry["start"] < ANNOUNCED_MS, entry


def test_a_recall_made_while_the_tv_was_silently_cut_off_is_said_as_the_second_call(tv, spoken):
    """The page had announced the first call (its chime decoded, the browser's connections used): the recall
    made while it was cut off is announced again, "Panggilan kedua." and the call, once."""
    page, proxy = tv
    server, sessions = spoken
    open_through(page, proxy)
    label = call_at(spoken, 1)
    [first] = ended(page, 1)
    assert parts(first) == [("chime", True, "ended"), ("speech", True, "ended")], first
    proxy.freeze()
    r = sessions[1].post(f"{server.url}/api/counters/1/recall", timeout=10)
    assert r.status_code == 200, r.text
    reconnected(page, label)
    first, again = ended(page, 2)
    assert again["label"] == label and again["seq"] > first["seq"]
    assert parts(again) == [("chime", True, "ended"), ("intro", True, "ended"), ("speech", True, "ended")], again
    assert again["text"].startswith("Panggilan kedua. ") and again["text"].endswith(first["text"])
    assert again["parts"][2]["url"] == first["parts"][1]["url"]  # the call's phrase, as at its first call
    assert again["end"] - again["start"] < ANNOUNCED_MS, again
    assert len(page.evaluate("antrianDisplay.log")) == 2  # announced once
