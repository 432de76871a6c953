"""The TV's calling outline (.calling: a yellow edge round a tile) on a real server in Chromium: it marks the counter
whose call is being said now, from the chime's first sound to the phrase's end, one tile at most, and only while the
called ticket is still that tile's.

It was put on when an announcement's turn came and taken off when it ended, whatever happened meanwhile: a ticket
finished, skipped or transferred while its call was said (or the next one called there) kept the outline over an
empty tile or another visitor's number, for the rest of the phrase and, on a TV that had lost its connection, over
the number shown at the reconnect; a TV waiting for a tap (sound not allowed yet: an Android TV box before its OK)
outlined the first call's tile until somebody tapped, all day if nobody did.

The chime is the office's own ([tts] chime), a silent one of CHIME_S seconds, so that an announcement lasts long
enough for an officer's press to land inside it; the speech is off (each announcement is the chime alone).
"""

from __future__ import annotations

import threading

import pytest
import requests
from conftest import visitor, write_config
from live import LiveServer
from pageclock import install_clock, pause_clock
from test_display_page import AUTOPLAY_BLOCKED, short_wav

CHIME_S = 6
OFFICERS = {1: "garis1", 2: "garis2", 3: "garis3"}
DONE = {"solution": "Selesai dijelaskan", "category": "pertanyaan", "priority_class": "P3"}

# Every change of a tile's classes or ticket, checked as it happens: a tile outlined must be the one whose call is
# being said (antrianDisplay.current) and still show that call's ticket; never two.
WATCH = """() => {
  window.outlineFaults = [];
  const check = () => {
    const on = [...document.querySelectorAll('.counter.calling')]
      .map((t) => [Number(t.dataset.counter), t.dataset.ticket || null]);
    const cur = antrianDisplay.current;
    const ok = !on.length || (on.length === 1 && cur && !cur.test && cur.counter_id === on[0][0]
      && cur.label === on[0][1]);
    if (!ok) outlineFaults.push({on, current: cur && [cur.counter_id, cur.label]});
  };
  new MutationObserver(check).observe(document.getElementById('counters'),
    {subtree: true, attributes: true, attributeFilter: ['class', 'data-ticket']});
}"""


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("outline")
    (tmp / "chime.wav").write_bytes(short_wav(CHIME_S))
    config = write_config(
        tmp,
        {
            "[tts]\nenabled = true": "[tts]\nenabled = false",
            "cache_mb = 200 ": 'chime = "chime.wav"\ncache_mb = 200 ',
            "counter_release_minutes = 10": "counter_release_minutes = 1440",  # no officer's page is open
        },
    )
    server = LiveServer(config).start()
    server.sessions = {}
    for counter_id, name in OFFICERS.items():
        server.add_user(name, "officer")
        server.sessions[counter_id] = server.session(name, "rahasia-123")
    yield server
    server.stop()


def state(live) -> dict:
    return requests.get(f"{live.url}/api/state", timeout=5).json()


@pytest.fixture
def act(live):
    """act(counter_id, action, **payload) -> the answer's ticket; frees every counter afterwards."""

    def run(counter_id: int, action: str, **payload):
        r = live.sessions[counter_id].post(f"{live.url}/api/counters/{counter_id}/{action}", json=payload, timeout=5)
        assert r.status_code == 200, (action, r.status_code, r.text)
        return r.json()["ticket"]

    yield run
    for counter_id in OFFICERS:
        current = next(c for c in state(live)["counters"] if c["id"] == counter_id)["ticket"]
        if current:
            if current["status"] == "called":
                run(counter_id, "start")
            run(counter_id, "resolve", **DONE)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    yield context.new_page()
    context.close()


def issue(live, service: str) -> str:
    r = requests.post(f"{live.url}/api/tickets", json=visitor(service=service), timeout=5)
    assert r.status_code == 201, r.text
    return r.json()["ticket"]["label"]


def open_display(page, live):
    page.goto(f"{live.url}/display/")
    page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)
    page.evaluate(WATCH)
    return page


def caught_up(page, live) -> None:
    seq = state(live)["seq"]
    page.wait_for_function(f"() => antrianDisplay.state.synced && antrianDisplay.state.seq >= {seq}", polling=50)


def outlined(page) -> list[list]:
    """The outlined tiles, each [counter, its ticket], and the announcement being said ([counter, ticket] or None),
    read in one step of the page."""
    return page.evaluate(
        """() => [[...document.querySelectorAll('.counter.calling')]
                   .map((t) => [Number(t.dataset.counter), t.dataset.ticket || null]),
                  antrianDisplay.current && [antrianDisplay.current.counter_id, antrianDisplay.current.label]]"""
    )


def wait_outline(page, counter_id: int, label: str) -> None:
    page.wait_for_function(
        f"""() => {{ const t = document.querySelector('.counter[data-counter="{counter_id}"]');
                    return t.classList.contains('calling') && t.dataset.ticket === '{label}'; }}""",
        timeout=3 * CHIME_S * 1000,
        polling=20,
    )


def sounding(page, label: str) -> bool:
    """The announcement of `label` is still being said (its chime has not ended)."""
    return page.evaluate(
        f"() => !!antrianDisplay.current && antrianDisplay.current.label === '{label}'"
        " && antrianDisplay.log[antrianDisplay.log.length - 1].end === null"
    )


def cut_short(page, label: str) -> bool:
    """`label`'s (first) announcement was stopped when its ticket left: its chime cut short, nothing said after it
    (tests/test_display_speech_cut.py: the speech too)."""
    page.wait_for_function(
        f"() => antrianDisplay.log.some((e) => e.label === '{label}' && e.end !== null)",
        polling=20,
        timeout=3 * CHIME_S * 1000,
    )
    entry = page.evaluate(f"() => antrianDisplay.log.find((e) => e.label === '{label}')")
    return [(p["kind"], p["why"]) for p in entry["parts"]] == [("chime", "left")] and (
        entry["parts"][0]["end"] - entry["parts"][0]["start"] < (CHIME_S - 1) * 1000
    )


def faults(page) -> list:
    return page.evaluate("outlineFaults")


@pytest.mark.parametrize(
    "presses",
    [("recall", "recall", "skip"), ("start", "resolve"), ("start", "transfer"), ("start", "resolve", "call-next")],
    ids=["skipped", "finished", "transferred", "next-called"],
)
def test_a_tiles_outline_goes_when_its_ticket_leaves_while_its_call_is_said(page, live, act, presses):
    """Loket 1 calls a visitor; before the chime is over the officer skips them, finishes with them, sends them to
    another service, or finishes and calls the next (a visitor is skipped after their third call: the officer recalls
    twice, the recalls waiting their turn, then skips): the outline leaves the tile at once, and the old call stops
    then (its chime cut short), and the outline is not over the tile's next number until that number's own call is
    said."""
    open_display(page, live)
    issue(live, "C"), issue(live, "C")
    caught_up(page, live)
    called = act(1, "call-next")["label"]
    wait_outline(page, 1, called)
    assert outlined(page) == [[[1, called]], [1, called]]
    nxt = None
    for press in presses:
        payload = {
            "start": {},
            "recall": {},
            "skip": {},
            "resolve": DONE,
            "transfer": {"service": "B"},
            "call-next": {},
        }[press]
        ticket = act(1, press, **payload)
        if press in ("start", "recall"):  # still the tile's ticket (recalled, served): outlined while its call is said
            caught_up(page, live)
            assert outlined(page)[0] == [[1, called]]
        if press == "call-next":
            nxt = ticket["label"]
    caught_up(page, live)
    # the outline went with the ticket (WATCH: never over another number), and so did the call's sound: not at the
    # end of its chime
    assert cut_short(page, called), page.evaluate("antrianDisplay.log")
    if not nxt:
        page.wait_for_function("() => !document.querySelector('.counter.calling')", polling=20)
    else:  # the next call, waiting its turn, is outlined once its own chime sounds
        wait_outline(page, 1, nxt)
        assert outlined(page) == [[[1, nxt]], [1, nxt]]
    assert faults(page) == []


def test_calls_made_together_are_outlined_one_at_a_time_each_in_its_turn(page, live, act):
    """Loket 1 and Loket 2 call at the same moment: both flash at once, but only the tile being announced is outlined;
    the second gets its outline when its chime sounds, after the first call's end. When Loket 1's officer skips their
    visitor during the first call, that call stops, and neither tile is outlined until Loket 2's call is said."""
    install_clock(page)  # stopped while the two calls' flashes are looked for (below)
    open_display(page, live)
    issue(live, "C"), issue(live, "B")  # Loket 1 serves A and C, Loket 2 A and B: one ticket each
    caught_up(page, live)
    # the page's time stands still from here (a quarter second on) until both flashes are seen: on a running clock a
    # loaded machine's 5 s between the calls' events and the look ended the first call's flash first
    pause_clock(page, 0.25)
    calls = {}
    threads = [threading.Thread(target=lambda c=c: calls.__setitem__(c, act(c, "call-next")["label"])) for c in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    caught_up(page, live)
    page.wait_for_function("() => document.querySelectorAll('.counter.flash').length === 2", polling=20)
    # seen: the page's time runs again from there (the chimes' ends and their lengths, read on it, as before)
    page.clock.resume()
    first = page.evaluate("() => antrianDisplay.log[0].counter_id")
    second = 3 - first
    wait_outline(page, first, calls[first])
    assert outlined(page)[0] == [[first, calls[first]]], "the call waiting its turn is outlined too"
    for press in ("recall", "recall", "skip"):  # skipped after its third call (the recalls wait their turn)
        act(first, press)
    caught_up(page, live)
    assert cut_short(page, calls[first]), "the skipped visitor's call (and outline) went on to its end"
    wait_outline(page, second, calls[second])
    assert page.evaluate("antrianDisplay.log[0].end") is not None, "outlined before its turn"
    assert faults(page) == []


def test_a_tv_waiting_for_a_tap_outlines_no_tile_until_the_call_sounds(page, live, act):
    """Sound not allowed yet (a TV box before its OK): the call shows and flashes, the banner asks for a tap, and no
    tile is outlined while nothing is said; after the tap the chime sounds and its tile is outlined."""
    page.add_init_script(AUTOPLAY_BLOCKED)
    open_display(page, live)
    issue(live, "A")
    called = act(1, "call-next")["label"]
    page.locator("#sound-banner").wait_for(state="visible")
    caught_up(page, live)
    assert outlined(page) == [[], [1, called]], "outlined while the call waits for a tap"
    page.mouse.click(960, 540)
    wait_outline(page, 1, called)
    assert page.locator("#sound-banner").is_hidden()
    assert faults(page) == []


def test_a_tile_whose_ticket_changed_while_the_tv_was_away_loses_its_outline_at_the_reconnect(page, live, act):
    """The TV loses its connection during Loket 1's call; meanwhile the officer finishes with that visitor and calls
    the next. At the reconnect the tile shows the next number, not outlined while the old call is still said (which
    stops then), and outlined once the new call (announced at the reconnect) sounds."""
    open_display(page, live)
    issue(live, "C"), issue(live, "C")
    caught_up(page, live)
    old = act(1, "call-next")["label"]
    wait_outline(page, 1, old)
    page.context.set_offline(True)
    page.evaluate("antrianDisplay.socket.io.engine.close()")  # the network is gone: the transport drops
    page.locator("#status-badge").wait_for(state="visible")
    act(1, "start"), act(1, "resolve", **DONE)
    new = act(1, "call-next")["label"]
    back = page.evaluate("performance.now()")
    page.context.set_offline(False)
    caught_up(page, live)
    page.wait_for_function(
        f"() => document.querySelector('.counter[data-counter=\"1\"]').dataset.ticket === '{new}'", polling=20
    )
    if sounding(page, old):  # the reconnect came within the old call (CHIME_S): its outline went with its ticket
        assert outlined(page)[0] == [], "the old call's outline over the new number"
    # and its sound: stopped when the TV learnt at the reconnect that its ticket had left, not said to its end (when
    # the network came back with 3 s of its chime still to come: the reconnect takes a second or so)
    chime = page.evaluate(f"() => antrianDisplay.log.find((e) => e.label === '{old}').parts[0]")
    if chime["start"] + 3000 > back:
        assert cut_short(page, old), page.evaluate("antrianDisplay.log")
    wait_outline(page, 1, new)
    assert faults(page) == []
