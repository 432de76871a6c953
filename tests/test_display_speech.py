"""The TV plays the server's real speech: espeak-ng WAVs fetched from /api/tts, one call after another.

The page plays every sound through one Web Audio context (fetched, decoded, played by a buffer
source): its memory must not grow with each new phrase (bench/bench_tv_audio.py), nor its own
lists with each call."""

from __future__ import annotations

import threading
import time
import wave
from pathlib import Path

import pytest
import requests
from conftest import visitor, write_config
from live import LiveServer
from pageclock import PING_NUMBERS, install_clock, run_clock_for
from test_display_page import AUTOPLAY_BLOCKED, short_wav

from server.tts import announcement_text

# The spoken phrase of most tests here: a real espeak-ng phrase made by the server, but short (about
# 0.6 s: "C, satu. Loket satu." at espeak-ng's fastest rate the settings allow) where what is tested
# is the order, the failures or the lists, not the phrase. The tap test plays the real one.
BRIEF = {
    "rate = 150": "rate = 400",
    "Nomor antrian, {letter}, {number}. Silakan menuju, {counter}.": "{letter}, {number}. {counter}.",
}
# display/static/display.js RESUME_WAIT_MS: a sound context still suspended after this waits for a tap
RESUME_WAIT_MS = 500
# A routed stand-in for a sound that is not what a test tests: 8 samples, 1 ms. The page takes about
# 10 ms to play a sound however short it is (its audio output's period); 20 ms of sound took 22 ms.
BLIP = short_wav(0.001)
# display/static/display.js FETCH_WAIT_MS, FETCH_TRIES: a sound's request refused at once (the server out of reach)
# is tried again when its wait is over, the wait doubling: an unreachable file costs its part 2 + 4 s, then "network"
FETCH_WAIT_MS, FETCH_TRIES = 2000, 3
UNREACHABLE_MS = sum(FETCH_WAIT_MS * 2**n for n in range(FETCH_TRIES - 1))


def speech_server(tmp, replace: dict[str, str], numbers: dict | None = None):
    """A real server with speech on, officers at Loket 1 and Loket 2: (server, sessions)."""
    server = LiveServer(write_config(tmp, replace), numbers=numbers).start()
    sessions = {}
    for counter_id in (1, 2):
        server.add_user(f"loket{counter_id}", "officer")
        sessions[counter_id] = server.session(f"loket{counter_id}", "rahasia-123")
    return server, sessions


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    """The server of most tests here: a short phrase (BRIEF). It pings its pages every quarter second (PING_NUMBERS),
    so a test may move a page's clock on by seconds (pageclock.run_clock_for) without the page taking its
    connection for dead."""
    server, sessions = speech_server(tmp_path_factory.mktemp("speech"), BRIEF, PING_NUMBERS)
    yield server, sessions
    server.stop()


@pytest.fixture(scope="module")
def phrased(tmp_path_factory):
    """A server that speaks the whole phrase of the demo config.toml ("Nomor antrian, C, satu. Silakan
    menuju, Loket satu."), at a quick rate (300, about 2.2 s)."""
    server, sessions = speech_server(tmp_path_factory.mktemp("phrased"), {"rate = 150": "rate = 300"})
    yield server, sessions
    server.stop()


def free_counters(server: LiveServer, sessions: dict) -> None:
    """Start and resolve whatever ticket is at a counter, so that the next call-next there may call."""
    for c in requests.get(f"{server.url}/api/state", timeout=5).json()["counters"]:
        if c["ticket"]:
            steps = [("start", {})] if c["ticket"]["status"] == "called" else []
            steps.append(("resolve", {"solution": "Selesai", "category": "pertanyaan", "priority_class": "P3"}))
            for action, payload in steps:
                r = sessions[c["id"]].post(f"{server.url}/api/counters/{c['id']}/{action}", json=payload, timeout=5)
                assert r.status_code == 200, r.text


def call_at(served: tuple, counter_id: int) -> str:
    """The label of a new ticket called at `counter_id` of the server `served` (server, sessions)."""
    server, sessions = served
    service = {1: "C", 2: "B"}[counter_id]  # a service only that counter serves
    requests.post(f"{server.url}/api/tickets", json=visitor(service=service), timeout=5).raise_for_status()
    r = sessions[counter_id].post(f"{server.url}/api/counters/{counter_id}/call-next", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["ticket"]["label"]


@pytest.fixture
def call(spoken):
    """call(counter_id) -> the label of a new ticket called there; the counters start and end free."""
    free_counters(*spoken)
    yield lambda counter_id: call_at(spoken, counter_id)
    free_counters(*spoken)


@pytest.fixture
def tv(browser):
    """A page of its own for the TV (not opened yet: a test may route or script it first)."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    yield context.new_page()
    context.close()


def open_display(page, server: LiveServer):
    page.goto(f"{server.url}/display/")
    page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)
    return page


def ended(page, n: int, timeout: float = 30_000) -> list[dict]:
    """Wait until `n` announcements have played to their end; the page's log of them."""
    page.wait_for_function(
        f"() => antrianDisplay.log.length >= {n} && antrianDisplay.log.every(e => e.end !== null)",
        timeout=timeout,
        polling=50,
    )
    return page.evaluate("antrianDisplay.log")


def parts(entry: dict) -> list[tuple]:
    return [(p["kind"], p["ok"], p["why"]) for p in entry["parts"]]


def test_two_near_simultaneous_calls_fetch_and_play_real_speech_in_order(browser, spoken):
    server, sessions = spoken
    for service in ("C", "B"):  # Loket 1 serves A and C, Loket 2 A and B: one ticket for each
        requests.post(f"{server.url}/api/tickets", json=visitor(service=service), timeout=5).raise_for_status()
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    # The speech is tested here, not the chime (the tap test below plays the real one with the whole phrase).
    page.route("**/display/static/chime.wav", lambda route: route.fulfill(body=BLIP, content_type="audio/wav"))
    fetched: list[str] = []
    page.on("response", lambda r: fetched.append(r.url) if "/api/tts/" in r.url and r.status in (200, 206) else None)
    try:
        page.goto(f"{server.url}/display/")
        page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)
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
            "() => antrianDisplay.log.length >= 2 && antrianDisplay.log.every(e => e.end !== null)",
            timeout=30_000,
            polling=50,
        )
        log = page.evaluate("antrianDisplay.log")
        first, second = log[0], log[1]
        assert first["seq"] < second["seq"] and second["start"] >= first["end"]  # never over each other
        assert {first["label"], second["label"]} == set(labels.values())
        for entry in (first, second):
            kinds = [(p["kind"], p["ok"]) for p in entry["parts"]]
            assert kinds == [("chime", True), ("speech", True)], entry
            speech = entry["parts"][1]
            assert "/api/tts/" in speech["url"] and speech["end"] - speech["start"] > 400  # a real (BRIEF) phrase
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


def test_output_server_says_a_recalls_intro_before_the_call_on_the_servers_output(tmp_path):
    """[tts] output = "server": a recall plays "Panggilan kedua." (a WAV of its own) then the call's WAV, with
    the real aplay on ALSA's null device."""
    played = tmp_path / "played.log"
    player = f'["sh", "-c", "echo \\"$0\\" >> {played}; aplay -q -D null \\"$0\\""]'
    config = write_config(tmp_path, {"rate = 150": "rate = 400", 'output = "display"': 'output = "server"'})
    text = config.read_text(encoding="utf-8").replace('output = "server"', f'output = "server"\nplayer = {player}', 1)
    config.write_text(text, encoding="utf-8")
    server = LiveServer(config).start()
    try:
        server.add_user("loket1", "officer")
        officer = server.session("loket1", "rahasia-123")
        requests.post(f"{server.url}/api/tickets", json=visitor(service="A"), timeout=5).raise_for_status()
        for action in ("call-next", "recall"):
            r = officer.post(f"{server.url}/api/counters/1/{action}", timeout=10)
            assert r.status_code == 200, r.text
        lines: list[str] = []
        deadline = time.monotonic() + 30
        while len(lines) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
            lines = played.read_text().splitlines() if played.exists() else []
        call, intro, again = lines
        assert again == call != intro and Path(intro).parent == Path(call).parent == tmp_path / "data" / "speech"
        with wave.open(intro, "rb") as audio:  # espeak-ng's "Panggilan kedua.", at rate 400
            assert 0.3 < audio.getnframes() / audio.getframerate() < 2
    finally:
        server.stop()


def test_the_tv_says_a_recall_as_the_second_then_the_last_call(tv, spoken, call):
    """The TV's announcements of a ticket's calls 1, 2 and 3 ([queue] max_calls = 3): the call; "Panggilan
    kedua." then the same call; "Panggilan terakhir." then it again: the server's real espeak-ng files, each
    fetched and played to its end, one after the other (the TV writes "Panggilan ke-2", "… (terakhir)"). Skipped
    and called again on its last chance: "Kesempatan terakhir." then the call."""
    tv.route("**/display/static/chime.wav", lambda route: route.fulfill(body=BLIP, content_type="audio/wav"))
    server, sessions = spoken
    open_display(tv, server)
    label = call(1)
    ended(tv, 1)
    for n in (2, 3):
        r = sessions[1].post(f"{server.url}/api/counters/1/recall", timeout=10)
        assert r.status_code == 200, r.text
        ended(tv, n)
    log = tv.evaluate("antrianDisplay.log")
    phrase = announcement_text(label, "Loket 1", "{letter}, {number}. {counter}.")
    assert [e["text"] for e in log] == [phrase, f"Panggilan kedua. {phrase}", f"Panggilan terakhir. {phrase}"]
    chime, intro, speech = ("chime", True, "ended"), ("intro", True, "ended"), ("speech", True, "ended")
    assert [parts(e) for e in log] == [[chime, speech], [chime, intro, speech], [chime, intro, speech]]
    assert len({e["parts"][-1]["url"] for e in log}) == 1  # the call's phrase, the same file each time
    intros = [e["parts"][1] for e in log[1:]]
    assert intros[0]["url"] != intros[1]["url"] and all("/api/tts/" in p["url"] for p in intros)
    assert all(p["end"] - p["start"] > 300 for p in intros)  # real speech, not a blip
    every = [p for e in log for p in e["parts"]]
    assert all(b["start"] >= a["end"] for a, b in zip(every, every[1:], strict=False)), "two sounds overlapped"
    # words that cannot be loaded cost only their own part: the call is still said
    tv.evaluate(
        """([label, audio]) => antrianDisplay.enqueue(
            {seq: 1e9, label, counter_id: 1, announce: {audio, intro: '/api/tts/nope.ogg', repeat: 1}})""",
        [label, log[0]["parts"][-1]["url"]],
    )
    assert parts(ended(tv, 4)[-1]) == [chime, ("intro", False, "http 404"), speech]
    # skipped after its three calls and requeued, it is called on its last chance: "Kesempatan terakhir." before
    # the same call (the TV writes "Kesempatan terakhir"), an intro of its own, real speech played to its end
    for action in ("skip", "call-next"):
        r = sessions[1].post(f"{server.url}/api/counters/1/{action}", json={}, timeout=10)
        assert r.status_code == 200, r.text
    assert r.json()["ticket"]["label"] == label
    chance = ended(tv, 5)[-1]
    assert chance["text"] == f"Kesempatan terakhir. {phrase}" and parts(chance) == [chime, intro, speech]
    assert (
        chance["parts"][1]["url"] not in {p["url"] for p in intros}
        and chance["parts"][1]["end"] - chance["parts"][1]["start"] > 300
    )
    assert chance["parts"][2]["url"] == log[0]["parts"][-1]["url"]


def test_a_missing_broken_or_unreachable_speech_file_costs_only_its_own_part(tv, spoken, call):
    # Five announcements, and the chime is not what is tested here (the tap test below plays the real one).
    # The unreachable file's tries wait UNREACHABLE_MS on the page's clock, moved on by the test (it waited them out).
    install_clock(tv)
    tv.route("**/display/static/chime.wav", lambda route: route.fulfill(body=BLIP, content_type="audio/wav"))
    tv.route(
        "**/test-speech/broken.wav", lambda route: route.fulfill(body=b"RIFF, but no sound", content_type="audio/wav")
    )
    tv.route("**/test-speech/gone.wav", lambda route: route.abort())
    open_display(tv, spoken[0])
    label = call(1)
    (first,) = ended(tv, 1)
    assert parts(first) == [("chime", True, "ended"), ("speech", True, "ended")]
    speech = first["parts"][1]["url"]
    tv.evaluate(
        """([label, speech]) => {
            const bad = ['/api/tts/nope.wav', '/test-speech/broken.wav', '/test-speech/gone.wav', speech];
            bad.forEach((audio, i) => antrianDisplay.enqueue(
                {seq: 1e9 + i, label, counter_id: 1, announce: {audio, repeat: i === 3 ? 2 : 1}}));
        }""",
        [label, speech],
    )
    tv.wait_for_function(  # the unreachable file's part has begun: its first try refused
        "() => antrianDisplay.log.length >= 4 && antrianDisplay.log[3].parts.some((p) => p.kind === 'speech')",
        polling=20,
    )
    run_clock_for(tv, UNREACHABLE_MS)
    log = ended(tv, 5)
    chime = ("chime", True, "ended")
    assert [parts(e) for e in log[1:]] == [
        [chime, ("speech", False, "http 404")],
        [chime, ("speech", False, "decode")],
        [chime, ("speech", False, "network")],
        [chime, ("speech", True, "ended"), ("speech", True, "ended")],  # the phrase plays again, twice
    ]
    gone = log[3]["parts"][1]
    assert gone["end"] - gone["start"] >= UNREACHABLE_MS, gone  # tried again after 2 s, then 4 s (the page's clock)
    every = [p for e in log for p in e["parts"]]
    assert all(b["start"] >= a["end"] for a, b in zip(every, every[1:], strict=False)), "two sounds overlapped"


def test_blocked_sound_shows_the_tap_banner_and_after_a_tap_the_chime_and_the_speech_play(tv, phrased):
    """The real chime and the whole phrase of config.toml, as a TV in an office plays them."""
    tv.add_init_script(AUTOPLAY_BLOCKED)
    tv.clock.install()  # the page's timers on Playwright's clock, at the real pace until moved on
    open_display(tv, phrased[0])
    banner = tv.locator("#sound-banner")
    assert not banner.is_visible()
    label = call_at(phrased, 1)
    # The chime started: the page gives the sound context RESUME_WAIT_MS to run before it asks for a tap.
    tv.wait_for_function("() => antrianDisplay.log.length === 1 && antrianDisplay.log[0].parts.length === 1")
    tv.clock.run_for(RESUME_WAIT_MS)
    banner.wait_for(state="visible")
    assert tv.locator(".counter[data-counter='1']").get_attribute("data-ticket") == label  # shown meanwhile
    entry = tv.evaluate("antrianDisplay.log[0]")
    assert entry["end"] is None and [(p["kind"], p["end"]) for p in entry["parts"]] == [("chime", None)]
    tv.mouse.click(640, 360)
    (entry,) = ended(tv, 1)
    assert parts(entry) == [("chime", True, "ended"), ("speech", True, "ended")]
    assert entry["parts"][1]["end"] - entry["parts"][1]["start"] > 1000  # the real phrase, played
    assert not banner.is_visible()
    assert tv.evaluate("antrianDisplay.state.synced")


def test_the_page_keeps_only_its_last_announcements_and_never_replays_an_older_one(tv, spoken, call):
    # Some 300 announcements, one after another: neither their chime nor the first call's speech is tested here.
    for sound in ("**/display/static/chime.wav", "**/api/tts/**"):
        tv.route(sound, lambda route: route.fulfill(body=BLIP, content_type="audio/wav"))
    open_display(tv, spoken[0])
    label = call(1)
    ended(tv, 1)
    kept = tv.evaluate("antrianDisplay.kept")
    assert 100 <= kept <= 1000
    dropped = 5  # the oldest, past `kept`: each costs the test a sound's 10 ms
    n = kept + dropped
    base = 10**9
    enqueue = "([label, seqs]) => seqs.forEach(seq => antrianDisplay.enqueue({seq, label, counter_id: 1}))"
    last_ended = (
        "(seq) => { const l = antrianDisplay.log; return l[l.length - 1].seq === seq && l[l.length - 1].end !== null }"
    )
    tv.evaluate(enqueue, [label, [base + i for i in range(n)]])
    tv.wait_for_function(last_ended, arg=base + n - 1, timeout=60_000, polling=50)
    played, log = tv.evaluate("[antrianDisplay.played, antrianDisplay.log]")
    assert played == [base + i for i in range(dropped, n)]
    assert [e["seq"] for e in log] == played
    # Neither an announcement dropped from the lists nor one still in them plays again.
    tv.evaluate(enqueue, [label, [base, base + dropped - 1, base + n - 1, base + n]])
    tv.wait_for_function(last_ended, arg=base + n, timeout=10_000, polling=50)
    played, log = tv.evaluate("[antrianDisplay.played, antrianDisplay.log]")
    assert played[-2:] == [base + n - 1, base + n] and len(played) == len(log) == kept
    # A server whose numbering started over (a database put back from a copy): what the page
    # played under the old numbers no longer counts.
    tv.evaluate(
        """async () => {
            const snap = await (await fetch('/api/state')).json();
            snap.seq = 1;
            antrianDisplay.socket.listeners('snapshot').forEach((h) => h(snap));
        }"""
    )
    assert tv.evaluate("antrianDisplay.played") == []
    tv.evaluate(enqueue, [label, [base]])
    tv.wait_for_function(last_ended, arg=base, timeout=10_000, polling=50)
