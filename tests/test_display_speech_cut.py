"""A call's speech stops when its ticket leaves during the call, on a real server with real espeak-ng WAVs, in Chromium.

A visitor whose ticket was cancelled at the front office, served and closed at once, or transferred to another
service while the TV was still saying their call lost the tile's outline, but the rest of the call was still said:
"… silakan menuju, Loket satu" (and its repeat) for a ticket that was gone, the next visitor's call waiting behind
it. Now the sound playing stops at once and the call's parts still to come are not played; another ticket's call
is never cut, and the next call plays whole.

What is played is watched at the Web Audio sources themselves (an init script wraps AudioBufferSourceNode's
start and stop): each sound's length, when it started, and whether it ended on its own or was stopped. The
phrases are the server's own espeak-ng WAVs (`[tts] repeat = 2`: each call's phrase twice), their lengths read
from the files the server serves.

The sounds play in real time, so they are short: the phrase at espeak-ng's fastest rate the settings allow (400:
about 1.5 s), and the chime the office's own `[tts] chime`, a silent WAV of CHIME_S (test_display_page.short_chime;
the built-in one is 1 s).
A whole call was 1 + 2 x 3.75 s of sound, and each test waited for one or two of them.
"""

from __future__ import annotations

import io
import struct
import wave

import pytest
import requests
from conftest import visitor, write_config
from live import LiveServer
from test_display_page import short_chime

DONE = {"solution": "Selesai dijelaskan", "category": "pertanyaan", "priority_class": "P3"}
CHIME_S = 0.1  # the test's chime ([tts] chime): this long
# A call's phrase has been heard this long (s) when its ticket leaves (mid_phrase); it is stopped at least half a
# second before its end (about 1.5 s) all the same.
HEARD_S = 0.25

# Every sound the page starts: its buffer's length (s), when it started and ended (page ms), how long it played by the
# audio clock (s), and whether it was stopped before its end.
SOUNDS = """
window.sounds = [];
(() => {
  const proto = AudioBufferSourceNode.prototype, start = proto.start, stop = proto.stop;
  proto.start = function (...args) {
    const s = {duration: this.buffer ? this.buffer.duration : null, start: performance.now(), end: null,
               played: null, stopped: false};
    const from = this.context.currentTime;
    const over = () => {
      if (s.end !== null) return;
      s.end = performance.now();
      s.played = this.context.currentTime - from;
      s.stopped = s.played < s.duration - 0.05;
    };
    this.__over = over;
    sounds.push(s);
    this.addEventListener('ended', over);
    return start.apply(this, args);
  };
  proto.stop = function (...args) {
    if (this.__over) this.__over();
    return stop.apply(this, args);
  };
})();
"""


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """Speech on (rate 400: the phrase about 1.5 s), said twice, after a chime of CHIME_S; officers at Loket 1 and
    2, a front office."""
    tmp = tmp_path_factory.mktemp("speech-cut")
    config = write_config(
        tmp,
        {
            "rate = 150": "rate = 400",
            "repeat = 1 ": "repeat = 2 ",
            **short_chime(tmp, CHIME_S),
            "counter_release_minutes = 10": "counter_release_minutes = 1440",  # no officer's page is open
        },
    )
    server = LiveServer(config).start()
    server.sessions = {}
    for counter_id in (1, 2):
        server.add_user(f"suara{counter_id}", "officer")
        server.sessions[counter_id] = server.session(f"suara{counter_id}", "rahasia-123")
    server.add_user("depan", "frontoffice")
    server.front = server.session("depan", "rahasia-123")
    yield server
    server.stop()


def state(office) -> dict:
    return requests.get(f"{office.url}/api/state", timeout=5).json()


@pytest.fixture
def act(office):
    """act(counter_id, action, **payload) -> the answer's ticket; every counter is freed afterwards."""

    def run(counter_id: int, action: str, **payload) -> dict:
        s = office.sessions[counter_id]
        r = s.post(f"{office.url}/api/counters/{counter_id}/{action}", json=payload, timeout=10)
        assert r.status_code == 200, (action, r.status_code, r.text)
        return r.json()["ticket"]

    yield run
    for c in state(office)["counters"]:
        if c["ticket"]:
            if c["ticket"]["status"] == "called":
                run(c["id"], "start")
            run(c["id"], "resolve", **DONE)


@pytest.fixture
def tv(browser, office):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.add_init_script(SOUNDS)
    page.goto(f"{office.url}/display/")
    page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)
    yield page
    context.close()


def issue(office, service: str) -> str:
    r = requests.post(f"{office.url}/api/tickets", json=visitor(service=service), timeout=5)
    assert r.status_code == 201, r.text
    return r.json()["ticket"]["label"]


def seconds(office, url: str) -> float:
    """The length of a sound the server serves: the chime's WAV, or a phrase's Ogg Vorbis (its last page's granule
    position, in samples, over the rate its identification header names)."""
    r = requests.get(url if url.startswith("http") else office.url + url, timeout=10)
    r.raise_for_status()
    data = r.content
    if data[:4] == b"RIFF":
        with wave.open(io.BytesIO(data), "rb") as w:
            return w.getnframes() / w.getframerate()
    assert data[:4] == b"OggS", data[:16]
    ident = data.index(b"\x01vorbis")
    rate = struct.unpack_from("<I", data, ident + 12)[0]
    samples = struct.unpack_from("<q", data, data.rindex(b"OggS") + 6)[0]
    return samples / rate


def mid_phrase(tv, label: str) -> None:
    """Wait until `label`'s phrase has been heard for HEARD_S (its speech source started, not ended)."""
    tv.wait_for_function(
        """([label, heard]) => {
            const c = antrianDisplay.current, log = antrianDisplay.log, e = log[log.length - 1];
            if (!c || c.label !== label || !e || e.label !== label) return false;
            const p = e.parts[e.parts.length - 1], s = sounds[sounds.length - 1];
            return p.kind === 'speech' && p.end === null && s && s.end === null && s.duration > 1
              && performance.now() - s.start > heard;
        }""",
        arg=[label, HEARD_S * 1000],
        timeout=30_000,
        polling=20,
    )


def announced(tv, label: str) -> dict:
    """`label`'s announcement, once it is over (the page's log entry)."""
    tv.wait_for_function(
        "(label) => antrianDisplay.log.some((e) => e.label === label && e.end !== null)",
        arg=label,
        timeout=60_000,
        polling=50,
    )
    return tv.evaluate("(label) => antrianDisplay.log.find((e) => e.label === label)", label)


def parts(entry: dict) -> list[tuple]:
    return [(p["kind"], p["why"]) for p in entry["parts"]]


def sounds_of(tv, entry: dict) -> list[dict]:
    """The sounds started during `entry` (between its start and its end)."""
    return [s for s in tv.evaluate("sounds") if entry["start"] <= s["start"] <= entry["end"]]


def assert_whole(office, tv, entry: dict) -> None:
    """Its chime and its phrase twice, each played to its end, nothing stopped."""
    assert parts(entry) == [("chime", "ended"), ("speech", "ended"), ("speech", "ended")], entry
    speech = seconds(office, entry["parts"][1]["url"])
    heard = sounds_of(tv, entry)
    chime = seconds(office, entry["parts"][0]["url"])  # the office's own, as served
    assert round(chime, 2) == CHIME_S, chime
    assert [round(s["duration"], 2) for s in heard] == [round(chime, 2)] + [round(speech, 2)] * 2
    assert not any(s["stopped"] for s in heard), heard
    assert all(s["played"] >= s["duration"] - 0.05 for s in heard), heard


def leave(office, act, how: str, label: str) -> str | None:
    """The visitor of `label`, called at Loket 1, leaves it: the next label called there, if one is."""
    if how == "cancelled":  # the front office cancels the called ticket
        r = office.front.post(f"{office.url}/api/tickets/{label}/cancel", json={}, timeout=10)
        assert r.status_code == 200, r.text
        return None
    act(1, "start")
    if how == "transferred":
        act(1, "transfer", service="B")
        return None
    act(1, "resolve", **DONE)  # served and closed at once, and the next visitor called
    return act(1, "call-next")["label"]


@pytest.mark.parametrize("how", ["cancelled", "finished", "transferred"])
def test_a_call_stops_at_once_when_its_ticket_leaves_during_its_phrase(office, act, tv, how):
    """Loket 1 calls a visitor; a quarter second into the phrase (HEARD_S) the front office cancels the ticket, the
    officer serves and closes it at once and calls the next, or transfers it to another service. The phrase stops
    then (it is not played to its end), its repeat is not said, and no sound comes until the next call, which is
    played whole."""
    issue(office, "C"), issue(office, "C")  # Loket 1 serves A and C: C is called there only
    called = act(1, "call-next")["label"]
    mid_phrase(tv, called)
    before = tv.evaluate("sounds.length")
    nxt = leave(office, act, how, called)
    entry = announced(tv, called)
    speech = seconds(office, entry["parts"][1]["url"])
    heard = sounds_of(tv, entry)
    assert round(heard[1]["duration"], 2) == round(speech, 2), heard  # its chime, whole; then its phrase
    assert not heard[0]["stopped"] and heard[1]["played"] < speech - 0.5, f"the phrase was said to its end: {heard}"
    assert len(heard) == 2, f"the rest of the call was said after its ticket left: {heard}"
    assert heard[1]["stopped"], heard
    assert entry.get("left") is True and parts(entry) == [("chime", "ended"), ("speech", "left")], entry
    cut = heard[1]
    if not nxt:
        assert tv.evaluate("sounds.length") == before, "a sound started after the ticket left"
        assert tv.evaluate("!document.querySelector('.counter.calling')")
    else:
        nxt_entry = announced(tv, nxt)
        assert nxt_entry["start"] >= entry["end"]
        assert_whole(office, tv, nxt_entry)
        assert [s for s in tv.evaluate("sounds") if s["start"] > cut["start"]] == sounds_of(tv, nxt_entry), (
            "a sound between the call cut and the next one"
        )


@pytest.fixture
def earlier(office, act):
    """Loket 2's visitor, called before the TV opens (requested before `tv`): on its tile, not announced (the test
    waited for its whole call before). Loket 2 serves A and B: B is called there only; one more B waits, and a C
    for Loket 1."""
    issue(office, "B"), issue(office, "B")
    issue(office, "C")
    return act(2, "call-next")["label"]


def test_another_tickets_leaving_never_cuts_a_call(office, act, earlier, tv):
    """Loket 2's visitor (called before) is served and closed, and another Loket 2 call is cancelled before its turn,
    while Loket 1's call is said: Loket 1's call is played whole, and the cancelled one is never said."""
    assert tv.evaluate("document.querySelector('.counter[data-counter=\"2\"]').dataset.ticket") == earlier
    called = act(1, "call-next")["label"]
    mid_phrase(tv, called)
    act(2, "start"), act(2, "resolve", **DONE)
    waiting = act(2, "call-next")["label"]  # its call waits behind Loket 1's
    r = office.front.post(f"{office.url}/api/tickets/{waiting}/cancel", json={}, timeout=10)
    assert r.status_code == 200, r.text
    tv.wait_for_function("() => !document.querySelector('.counter[data-counter=\"2\"]').dataset.ticket", polling=50)
    entry = announced(tv, called)
    assert "left" not in entry
    assert_whole(office, tv, entry)
    assert tv.evaluate("(label) => antrianDisplay.log.every((e) => e.label !== label)", waiting)
