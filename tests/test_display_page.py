"""The waiting-room TV page (/display/) against a real server process and a real Chromium.

The module shares one live server, so every test frees the counters it used before it ends.
Legibility (contrast, names, columns, time zone, paused counters) and the screenshots in
docs/screenshots/display-*.png: tests/test_display_readability.py.
"""

from __future__ import annotations

import io
import re
import threading
import wave
from pathlib import Path

import pytest
import requests
from conftest import visitor, write_config
from live import ClockedServer, LiveServer
from pageclock import PING_NUMBERS, install_clock, run_clock_for
from playwright.sync_api import expect
from test_display_office_name import SETTINGS_RESYNC_MS

OFFICERS = {1: "loket1", 2: "loket2", 3: "loket3"}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The real server with speech off: calls carry no `announce`, so each announcement is the chime
    alone; speech files go through the same queue (tested below). The chime is the office's own
    ([tts] chime), a tenth of a second long instead of the built-in 1.3 s: the order, the gaps and the
    waits between announcements are what is tested here, a dozen of them (tests/test_display_speech.py
    plays the built-in chime)."""
    tmp = tmp_path_factory.mktemp("display")
    (tmp / "chime.wav").write_bytes(short_wav(0.1))
    config = write_config(
        tmp,
        {"[tts]\nenabled = true": "[tts]\nenabled = false", "cache_mb = 200 ": 'chime = "chime.wav"\ncache_mb = 200 '},
    )
    # pings every quarter second (PING_S), not every seven: a TV's clock is moved on past SETTINGS_RESYNC_MS in steps within
    # its heartbeat, each just after a ping (pageclock.run_clock_for)
    server = LiveServer(config, numbers=PING_NUMBERS).start()
    assert "/api/tts/chime.wav" in requests.get(f"{server.url}/display/", timeout=5).text
    yield server
    server.stop()


@pytest.fixture(scope="module")
def officers(live):
    """One logged-in officer session per counter (a counter is held by one officer)."""
    sessions = {}
    for counter_id, name in OFFICERS.items():
        live.add_user(name, "officer")
        sessions[counter_id] = live.session(name, "rahasia-123")
    return sessions


@pytest.fixture
def act(live, officers):
    """act(counter_id, action, **payload) -> the answer's ticket; frees every counter afterwards."""

    def run(counter_id: int, action: str, **payload):
        r = officers[counter_id].post(f"{live.url}/api/counters/{counter_id}/{action}", json=payload, timeout=5)
        assert r.status_code == 200, (action, r.status_code, r.text)
        return r.json()["ticket"]

    yield run
    for counter_id in OFFICERS:
        current = next(c for c in state(live)["counters"] if c["id"] == counter_id)["ticket"]
        if current:
            if current["status"] == "called":
                run(counter_id, "start")
            run(counter_id, "resolve", solution="Selesai dijelaskan", category="pertanyaan", priority_class="P3")


@pytest.fixture
def page(browser, live):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    yield context.new_page()
    context.close()


def issue(live, service: str = "A") -> str:
    r = requests.post(f"{live.url}/api/tickets", json=visitor(service=service), timeout=5)
    assert r.status_code == 201, r.text
    return r.json()["ticket"]["label"]


def state(live) -> dict:
    return requests.get(f"{live.url}/api/state", timeout=5).json()


def open_display(page, live, query: str = ""):
    page.goto(f"{live.url}/display/{query}")
    page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)
    return page


def caught_up(page, live) -> int:
    """Wait until the page has applied every change the server has made; the seq it reached."""
    seq = state(live)["seq"]
    page.wait_for_function(f"() => antrianDisplay.state.synced && antrianDisplay.state.seq >= {seq}", polling=50)
    return seq


def label_at(page, counter_id: int) -> str:
    return page.locator(f'.counter[data-counter="{counter_id}"] .ticket-label').inner_text()


def waiting_count(page, service: str) -> str:
    return page.locator(f'#waiting li[data-service="{service}"] .count').evaluate("e => e.firstChild.textContent")


def announcements_done(page, n: int, timeout: float = 10_000) -> list[dict]:
    """Wait until `n` announcements have played to their end; the page's log of them."""
    try:
        page.wait_for_function(
            f"() => antrianDisplay.log.length >= {n} && antrianDisplay.log.every(e => e.end !== null)",
            timeout=timeout,
            polling=50,
        )
    except Exception as err:
        raise AssertionError(f"not {n} announcements: {page.evaluate('antrianDisplay.log')}") from err
    return page.evaluate("antrianDisplay.log")


def test_a_call_shows_at_its_counter_and_waiting_counts_follow(page, live, act):
    open_display(page, live)
    first, second = issue(live), issue(live)
    caught_up(page, live)
    assert waiting_count(page, "A") == str(state(live)["services"][0]["waiting"])
    before = int(waiting_count(page, "A"))

    assert act(1, "call-next")["label"] == first
    page.wait_for_function(
        f"() => document.querySelector('.counter[data-counter=\"1\"]').dataset.ticket === '{first}'", polling=50
    )
    assert label_at(page, 1) == first
    assert waiting_count(page, "A") == str(before - 1)
    assert page.locator("#recent li").first.inner_text().startswith(first)
    assert page.locator('.counter[data-counter="1"] .counter-status').text_content() == "Dipanggil"

    act(1, "start")
    act(1, "resolve", solution="Selesai dijelaskan", category="pertanyaan", priority_class="P3")
    caught_up(page, live)
    assert label_at(page, 1) == "—"
    assert waiting_count(page, "A") == str(before - 1), f"{second} is still waiting"


def test_simultaneous_calls_are_announced_in_order_without_overlap_and_a_recall_again(page, live, act):
    open_display(page, live)
    issue(live, "C"), issue(live, "B")  # Loket 1 serves A and C, Loket 2 A and B: one ticket each, no race
    caught_up(page, live)
    calls = {}
    threads = [threading.Thread(target=lambda c=c: calls.__setitem__(c, act(c, "call-next"))) for c in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    first, second = announcements_done(page, 2)
    assert first["seq"] < second["seq"]
    assert second["start"] >= first["end"], "two announcements talked over each other"
    assert {first["label"], second["label"]} == {calls[1]["label"], calls[2]["label"]}
    assert all(p["ok"] for e in (first, second) for p in e["parts"]), "the chime did not play to its end"

    act(1, "recall")
    *_, recall = announcements_done(page, 3)
    assert recall["label"] == calls[1]["label"] and recall["seq"] > second["seq"]
    played = page.evaluate("antrianDisplay.played")
    assert played == sorted(played) and len(played) == len(set(played)) == 3


def test_a_recall_says_which_call_it_is_on_its_tile_and_row_and_the_last_one(browser, page, live, act):
    """A recall is not a first call again: its tile and its row say "Panggilan ke-2", then "Panggilan ke-3
    (terakhir)" ([queue] max_calls = 3); the announcement is the same call's."""
    open_display(page, live)
    issue(live, "C")
    label = act(1, "call-next")["label"]
    caught_up(page, live)
    sub = page.locator('.counter[data-counter="1"] .ticket-sub')
    first_row = page.locator("#recent li").first
    expect(sub).to_have_text("")
    expect(first_row.locator(".nth")).to_have_count(0)
    act(1, "recall")
    expect(sub).to_have_text("Panggilan ke-2")
    expect(first_row).to_have_attribute("data-seq", str(state(live)["seq"]))
    expect(first_row.locator(".label")).to_have_text(label)
    expect(first_row.locator(".nth")).to_have_text("Panggilan ke-2")
    act(1, "recall")
    expect(sub).to_have_text("Panggilan ke-3 (terakhir)")
    expect(first_row.locator(".nth")).to_have_text("Panggilan ke-3 (terakhir)")
    # one row per ticket: the rows read in one step of the page (the TV redraws its list at every event, and a list
    # read in two steps could meet a redraw between them)
    rows = page.evaluate("() => [...document.querySelectorAll('#recent li')].map((li) => li.innerText)")
    assert rows.count(rows[0]) == 1, rows
    entries = announcements_done(page, 3)
    assert [e["label"] for e in entries[-3:]] == [label] * 3
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:  # a page opened now has it from the snapshot; in English
        english = open_display(context.new_page(), live, "?lang=en")
        expect(english.locator('.counter[data-counter="1"] .ticket-sub')).to_have_text("Call 3 (last)")
        expect(english.locator("#recent li").first.locator(".nth")).to_have_text("Call 3 (last)")
    finally:
        context.close()
    act(1, "start")  # served: no call to count any more
    expect(sub).to_have_text("")


def test_a_call_over_keeps_its_number_and_counter_in_its_row_but_not_its_recall_line(browser, page, live, act):
    """A recall's "Panggilan ke-3 (terakhir)" goes from its row once its ticket has left its counter (served, skipped):
    that call calls nobody any more. Before, the row stayed twice as tall, taking an older call's room."""
    open_display(page, live)
    issue(live, "C")
    label = act(1, "call-next")["label"]
    act(1, "recall"), act(1, "recall")
    row = page.locator("#recent li").first
    expect(row.locator(".nth")).to_have_text("Panggilan ke-3 (terakhir)")
    act(1, "start")
    act(1, "resolve", solution="Selesai dijelaskan", category="pertanyaan", priority_class="P3")
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:  # the TV left open, and one opened now
        for tv in (page, open_display(context.new_page(), live)):
            row = tv.locator("#recent li").first
            expect(row).to_have_attribute("data-over", "")
            expect(row.locator(".label")).to_have_text(label)
            expect(row.locator(".to")).to_contain_text("Loket 1")
            expect(row.locator(".nth")).to_have_count(0)
    finally:
        context.close()


def test_a_call_answered_keeps_its_row_but_not_its_recall_line(browser, page, live, act):
    """A recall's "Panggilan ke-3 (terakhir)" goes from its row once its visitor is at the counter (Mulai: being served),
    as from its tile: "the last call" sends nobody anywhere then. Before, the row kept it while the tile read
    "Dilayani", and on a 1366x768 TV with ten long counter names it took the row's fourth line."""
    open_display(page, live)
    issue(live, "C")
    label = act(1, "call-next")["label"]
    act(1, "recall"), act(1, "recall")
    row = page.locator("#recent li").first
    expect(row.locator(".nth")).to_have_text("Panggilan ke-3 (terakhir)")
    act(1, "start")
    caught_up(page, live)
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:  # the TV left open, and one opened now
        for tv in (page, open_display(context.new_page(), live)):
            row = tv.locator("#recent li").first
            expect(tv.locator('.counter[data-counter="1"] .counter-status')).to_have_text("Dilayani")
            expect(row.locator(".label")).to_have_text(label)
            expect(row).not_to_have_attribute("data-over", "")  # still at its counter
            expect(row.locator(".to")).to_contain_text("Loket 1")
            expect(row.locator(".nth")).to_have_count(0)
    finally:
        context.close()


def test_a_call_at_a_counter_the_page_thinks_paused_shows_the_call(page, live, act):
    """The server refuses a call at a paused counter: a `called` event there means its break is over, even
    one the page never heard end (yesterday's, ended by the office's day)."""
    open_display(page, live)
    page.evaluate("antrianDisplay.state.counters.find((c) => c.id === 2).paused = true")
    issue(live, "B")  # Loket 2 serves A and B
    tile = page.locator('.counter[data-counter="2"]')
    expect(tile).to_have_class(re.compile(r"\bpaused\b"))
    label = act(2, "call-next")["label"]
    expect(tile.locator(".ticket-label")).to_have_text(label)
    expect(tile.locator(".counter-status")).to_have_text("Dipanggil")
    expect(tile).not_to_have_class(re.compile(r"\bpaused\b"))


def test_a_display_limited_to_counter_2_ignores_counter_1(page, live, act):
    open_display(page, live, "?counters=2")
    assert page.locator(".counter").count() == 1
    issue(live, "A"), issue(live, "B")
    one = act(1, "call-next")["label"]
    caught_up(page, live)
    assert page.evaluate("antrianDisplay.played") == []
    assert one not in page.locator("#recent").inner_text()

    two = act(2, "call-next")["label"]
    announcements_done(page, 1)
    assert label_at(page, 2) == two
    assert page.locator("#recent li").first.inner_text().startswith(two)
    assert [e["label"] for e in page.evaluate("antrianDisplay.log")] == [two]
    # Counter 2 serves A and B, counter 1's C is not its business.
    assert page.locator("#waiting li").evaluate_all("els => els.map(e => e.dataset.service)") == ["A", "B"]


def test_a_missed_event_makes_the_page_take_a_fresh_snapshot(page, live, act):
    open_display(page, live)
    issue(live, "A"), issue(live, "B")
    caught_up(page, live)  # both numbers drawn: the call below is the one event the page misses
    # The page misses one event (as on a flaky network), then sees the next one: a gap in the seqs.
    page.evaluate(
        "window.heard = antrianDisplay.socket.listeners('event'); window.heardMany = antrianDisplay.socket.listeners('events');"
        " antrianDisplay.socket.off('event'); antrianDisplay.socket.off('events');"
        " window.missed = []; antrianDisplay.socket.onAny((name, data) => missed.push(...[].concat(data)))"
    )
    hidden = act(1, "call-next")["label"]
    # the call reached the page and nobody heard it (not a fixed wait: a late one would be heard, no gap at all)
    page.wait_for_function("() => missed.some((ev) => ev && ev.type === 'called')", polling=20)
    page.evaluate(
        "antrianDisplay.socket.offAny();"
        " window.heard.forEach(h => antrianDisplay.socket.on('event', h));"
        " window.heardMany.forEach(h => antrianDisplay.socket.on('events', h))"
    )
    seen = act(2, "call-next")["label"]
    caught_up(page, live)
    assert label_at(page, 1) == hidden and label_at(page, 2) == seen
    assert [e["label"] for e in announcements_done(page, 2)] == [hidden, seen]
    assert len(set(page.evaluate("antrianDisplay.played"))) == 2


def overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_after_a_disconnect_the_page_says_offline_then_shows_the_missed_call_without_replaying(
    page, live, act, clients
):
    open_display(page, live)
    issue(live, "A"), issue(live, "B")
    before = act(1, "call-next")["label"]
    announcements_done(page, 1)
    badge = page.locator("#status-badge")
    assert not badge.is_visible()

    page.context.set_offline(True)
    page.evaluate("antrianDisplay.socket.io.engine.close()")  # the network is gone: the transport drops
    badge.wait_for(state="visible")
    assert "OFFLINE" in badge.inner_text() and "Terputus" in badge.inner_text()
    # In the header beside the clock: never over the office's name or the clock.
    box = badge.bounding_box()
    for other in ("#office-name", "#clock"):
        assert not overlap(box, page.locator(other).bounding_box()), f"the badge covers {other}"
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), "the badge widened the page"
    page.evaluate("window.failedTries = 0; antrianDisplay.socket.on('connect_error', () => { failedTries += 1; })")
    witness = clients(live.url, {"role": "display"})  # a TV that stays online: it hears the call the page misses
    witness.snapshot()
    missed = act(2, "call-next")["label"]
    assert witness.event("called")["ticket"]["label"] == missed  # told to every TV online now
    # and the page tried to connect again after it, and failed (or it is back, its snapshot taken): it had its chance
    tries = page.evaluate("failedTries")
    page.wait_for_function(f"() => failedTries > {tries} || antrianDisplay.state.synced", timeout=15_000, polling=50)
    assert label_at(page, 2) != missed, "an offline page showed a call"

    page.context.set_offline(False)
    badge.wait_for(state="hidden", timeout=15_000)
    caught_up(page, live)
    assert label_at(page, 1) == before and label_at(page, 2) == missed
    log = announcements_done(page, 2)
    assert [e["label"] for e in log] == [before, missed], "a call was replayed or the missed one not announced"


# A moment the tile blinks in the step `step` (display.js stepFlash: .lit, its black on yellow; without, yellow on
# navy): the newest row of the latest calls (the same call's), and the step each of the two is in.
TILE_AND_ROW_FLASH = """([counter, step]) => {
    const tile = document.querySelector(`.counter[data-counter="${counter}"]`);
    const at = (e) => !e.classList.contains('flash') ? 'still' : e.classList.contains('lit') ? 'lit' : 'dark';
    if (!tile || at(tile) !== step) return null;
    const row = document.querySelector('#recent li');
    return { label: row.querySelector('.label').textContent, row: at(row), tile: at(tile) };
}"""


def test_a_call_made_while_the_tv_was_away_flashes_its_row_with_its_tile_at_the_reconnect(page, live, act):
    """A call the TV learns of from the snapshot at its reconnect (announced then, docs/display.md "Connection")
    blinks its row in the latest calls with its tile, as a live call does, and both stop. Before, only its tile
    blinked: the row, where a visitor looks to see whether they missed their number, stood still. The page's clock
    is moved on past the flash's 5 s (pageclock.run_clock_for), not waited out in real time."""
    install_clock(page)
    open_display(page, live)
    issue(live, "B")
    page.context.set_offline(True)
    page.evaluate("antrianDisplay.socket.io.engine.close()")  # the network is gone: the transport drops
    page.locator("#status-badge").wait_for(state="visible")
    missed = act(2, "call-next")["label"]
    page.context.set_offline(False)
    # Both blink, in step: each step of the tile's, the row's the same.
    for step in ("lit", "dark"):
        flashing = page.wait_for_function(TILE_AND_ROW_FLASH, arg=[2, step], timeout=20_000, polling=20).json_value()
        assert flashing == {"label": missed, "row": step, "tile": step}, flashing
    announcements_done(page, 1)  # its chime played to its end (on the page's clock as it runs), then the flash's end
    # Both end with a call's 5 s, the row still the newest, and no timer of the flash is left.
    run_clock_for(page, 5000)
    page.wait_for_function("() => !document.querySelector('.counter.flash, #recent li.flash')", timeout=10_000)
    assert page.evaluate("antrianDisplay.flashTimer") is None
    assert page.locator("#recent li").first.inner_text().startswith(missed)


def test_a_display_opened_after_calls_shows_the_current_state_at_once(page, live, act):
    issue(live, "A"), issue(live, "C")
    one, three = act(1, "call-next")["label"], act(3, "call-next")["label"]
    act(3, "start")
    open_display(page, live)
    assert label_at(page, 1) == one and label_at(page, 3) == three
    assert label_at(page, 2) == "—"
    assert page.locator('.counter[data-counter="3"] .counter-status').text_content() == "Dilayani"
    assert page.locator("#recent li").first.inner_text().startswith(three)
    snapshot = state(live)
    for s in snapshot["services"]:
        assert waiting_count(page, s["code"]) == str(s["waiting"])
    # The next call is the page's first announcement, played to its end: an old one announced on opening (or on
    # the next event) would have been queued, and played, before it.
    issue(live, "B")
    two = act(2, "call-next")
    log = announcements_done(page, 1)
    assert [e["label"] for e in log] == [two["label"]], "an old call was announced on opening"
    assert page.evaluate("antrianDisplay.played") == [log[0]["seq"]], "an old call was announced on opening"


ROW_LABELS = "() => [...document.querySelectorAll('#recent li .label')].map((e) => e.textContent)"


def served(live, act, counter_id: int, service: str, recalls: int = 0) -> dict:
    """A number of `service` issued, then called at `counter_id` (recalled `recalls` times), served and resolved:
    the ticket called (an older one left waiting by a test before, maybe)."""
    issue(live, service)
    ticket = act(counter_id, "call-next")
    for _ in range(recalls):
        act(counter_id, "recall")
    act(counter_id, "start")
    act(counter_id, "resolve", solution="Selesai dijelaskan", category="pertanyaan", priority_class="P3")
    return ticket


def settled_rows(page, live) -> list[str]:
    """The latest calls' labels once the TV has every event and no row flashes."""
    caught_up(page, live)
    page.wait_for_function("() => !document.querySelector('#recent li.flash')", polling=100, timeout=15_000)
    return page.evaluate(ROW_LABELS)


def rows_after_reconnect(page) -> list[str]:
    """The latest calls' labels of a TV left open, after its socket reconnects: the snapshot's (its list emptied
    first, to see them come)."""
    page.evaluate("antrianDisplay.state.recent.length = 0; antrianDisplay.socket.disconnect().connect()")
    page.wait_for_function("() => antrianDisplay.state.synced && antrianDisplay.state.recent.length", polling=50)
    return page.evaluate(ROW_LABELS)


SERVES = {1: "A", 2: "B", 3: "C"}  # a service each counter serves (config.toml)


def test_a_tv_opened_after_recalls_shows_the_latest_calls_of_one_left_open(browser, live, act):
    """A TV opened (or back from a cut) at 10:00 reads the latest calls like one that stayed open: the snapshot
    holds the newest call of each of the last ten tickets called. Before, its last ten calls and recalls: after three
    numbers recalled twice each it knew four numbers, and showed four rows where the open TV showed five (1280x1024:
    room for five rows)."""
    size = {"width": 1280, "height": 1024}
    open_tv, fresh_tv = browser.new_context(viewport=size), browser.new_context(viewport=size)
    try:
        page = open_display(open_tv.new_page(), live)
        for round_ in range(3):
            for counter_id, service in SERVES.items():
                served(
                    live, act, counter_id, service, recalls=2 if round_ == 2 else 0
                )  # the last round: to the last call
        kept = settled_rows(page, live)
        assert len(kept) == 5, kept
        # what each TV has for its rows: the newest call of each of the last RECENT_SHOWN * 2 tickets
        known = "() => [...new Set(antrianDisplay.state.recent.map((r) => r.label))].slice(0, 10)"
        fresh = open_display(fresh_tv.new_page(), live)
        assert fresh.evaluate(known) == page.evaluate(known)
        assert fresh.evaluate(ROW_LABELS) == kept
    finally:
        open_tv.close(), fresh_tv.close()


def test_a_tv_limited_to_two_counters_reopened_or_reconnected_shows_their_latest_calls(browser, live, act, clients):
    """A TV of a second waiting room (`?counters=2,3`) opened or reconnected after a busy counter 1 shows the latest
    calls of one left open: it names its counters at its connect, and its snapshot holds the last ten tickets called
    there. Before, the office's last ten, none of them its own: "Belum ada panggilan" where the open TV showed five;
    and after 40 calls at counter 1 (the calls a TV keeps) the TV left open had none of its own either."""
    size = {"width": 1280, "height": 1024}
    open_tv, fresh_tv = browser.new_context(viewport=size), browser.new_context(viewport=size)
    try:
        page = open_display(open_tv.new_page(), live, "?counters=2,3")
        for counter_id, service in ((2, "B"), (3, "C")) * 5 + ((1, "A"),) * 40:
            served(live, act, counter_id, service)
        kept = settled_rows(page, live)
        assert len(kept) == 5, kept
        known = "() => [...new Set(antrianDisplay.state.recent.filter((r) => r.counter_id !== 1).map((r) => r.label))]"
        fresh = open_display(fresh_tv.new_page(), live, "?counters=2,3")
        assert fresh.evaluate(known) == page.evaluate(known)[:10]
        assert fresh.evaluate(ROW_LABELS) == kept
        assert rows_after_reconnect(page) == kept  # the TV left open, after a reconnect
        # what the server sends: ten tickets of those counters; counters it cannot read are ignored (the office's)
        recent = clients(live.url, {"role": "display", "counters": [3, 2]}).snapshot()["recent"]
        assert len(recent) == 10 and {r["counter_id"] for r in recent} == {2, 3}, recent
        office = [r["label"] for r in state(live)["recent"]]
        for wrong in ("2,3", [2, "3"], [0], [True], list(range(1, 200))):
            ignored = clients(live.url, {"role": "display", "counters": wrong}).snapshot()["recent"]
            assert [r["label"] for r in ignored] == office, wrong
    finally:
        open_tv.close(), fresh_tv.close()


def test_a_tv_limited_to_a_service_or_both_ways_reopened_or_reconnected_shows_its_latest_calls(
    browser, live, act, clients
):
    """A waiting room for one service (`?services=B`: counters 2 and 3) and a TV limited both ways (`?counters=1,2&
    services=A`) opened or reconnected after a busy morning of C show the latest calls of one left open: they name
    their services at their connect, and their snapshots hold the last ten tickets they show called. Before, the
    office's last ten, all C: "Belum ada panggilan" where the TVs left open showed five."""
    size = {"width": 1280, "height": 1024}
    limits = ("?services=B", "?counters=1,2&services=A")
    opened = [browser.new_context(viewport=size) for _ in limits]
    fresh = [browser.new_context(viewport=size) for _ in limits]
    try:
        pages = [open_display(context.new_page(), live, query) for context, query in zip(opened, limits, strict=True)]
        calls = []  # (counter, service, label), newest first; ten of C push the others out of the office's last ten
        for counter_id, service in ((2, "B"), (1, "A"), (3, "B"), (2, "A")) * 3 + ((1, "C"), (3, "C")) * 5:
            ticket = served(live, act, counter_id, service)
            calls.insert(0, (counter_id, ticket["service"], ticket["label"]))

        def called(counters, services):
            return [label for c, s, label in calls if c in counters and s in services]

        known = "() => [...new Set(antrianDisplay.state.recent.map((r) => r.label))]"
        for page, context, query, service in zip(pages, fresh, limits, "BA", strict=True):
            kept = settled_rows(page, live)
            assert kept == called({1, 2, 3}, service)[:5], (query, kept)
            reopened = open_display(context.new_page(), live, query)
            assert reopened.evaluate(known) == page.evaluate(known)[:10], query
            assert reopened.evaluate(ROW_LABELS) == kept, query
            assert rows_after_reconnect(page) == kept, query  # the TV left open, after a reconnect
        # what the server sends: the tickets of those services (at those counters); a code the office has not is
        # dropped, a `services` it cannot read is ignored (the office's latest calls)
        for auth, services, counters in (
            ({"services": ["B"]}, "B", {2, 3}),
            ({"services": ["B", "Z"]}, "B", {2, 3}),
            ({"counters": [2, 1], "services": ["A"]}, "A", {1, 2}),
            ({"counters": [1, 2], "services": "B"}, "ABC", {1, 2}),  # as if it named its counters alone
        ):
            recent = clients(live.url, {"role": "display", **auth}).snapshot()["recent"]
            labels, mine = [r["label"] for r in recent], called(counters, services)[:10]  # the newest of the day
            assert len(mine) >= 5 and len(recent) <= 10 and labels[: len(mine)] == mine, (auth, labels)
            assert {r["service"] for r in recent} <= set(services), auth
            assert {r["counter_id"] for r in recent} <= counters, auth
        office = [r["label"] for r in state(live)["recent"]]
        for wrong in ("B", ["b"], ["B", 2], ["ABCD"], [], [None], ["Z"], ["B"] * 101, {"B": 1}):
            ignored = clients(live.url, {"role": "display", "services": wrong}).snapshot()["recent"]
            assert [r["label"] for r in ignored] == office, wrong
    finally:
        for context in opened + fresh:
            context.close()


def short_wav(seconds: float = 0.2) -> bytes:
    """A short silent WAV, standing in for the server's speech file."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * int(8000 * seconds))
    return out.getvalue()


def short_chime(folder: Path, seconds: float = 0.1) -> dict[str, str]:
    """The office's own `[tts] chime`, a silent WAV of `seconds` (the built-in one is 1 s) written into `folder` (the
    config's): write_config's replacement that names it. For a TV test that waits out a call, not its sound."""
    (folder / "chime.wav").write_bytes(short_wav(seconds))
    return {"cache_mb = 200 ": 'chime = "chime.wav"\ncache_mb = 200 '}


def test_speech_plays_repeat_times_after_the_chime_and_a_missing_file_is_skipped(page, live, act):
    open_display(page, live)
    issue(live, "A")
    label = act(1, "call-next")["label"]
    caught_up(page, live)  # a queued call whose ticket is not (or no more) at its counter is dropped
    # Served from the page's own origin, as speech files are (the page's policy plays no data: URL).
    page.route("**/test-speech/short.wav", lambda route: route.fulfill(body=short_wav(), content_type="audio/wav"))
    page.evaluate(
        """([label, speech]) => {
            antrianDisplay.enqueue({seq: 1e9, label, counter_id: 1, announce: {audio: '/api/tts/nope.wav', repeat: 1}});
            antrianDisplay.enqueue({seq: 1e9 + 1, label, counter_id: 1, announce: {audio: speech, repeat: 2}});
        }""",
        [label, "/test-speech/short.wav"],
    )
    call, missing, spoken = announcements_done(page, 3)
    assert call["label"] == label and [p["kind"] for p in call["parts"]] == ["chime"]
    assert [(p["kind"], p["ok"]) for p in missing["parts"]] == [("chime", True), ("speech", False)]
    assert [(p["kind"], p["ok"]) for p in spoken["parts"]] == [("chime", True), ("speech", True), ("speech", True)]
    parts = [p for e in (call, missing, spoken) for p in e["parts"]]
    assert all(b["start"] >= a["end"] for a, b in zip(parts, parts[1:], strict=False)), "two sounds overlapped"


# Headless Chromium lets every page play sound whatever --autoplay-policy says (and Playwright's
# evaluate() counts as a gesture), so the policy of a TV browser without the kiosk flag is played
# here: until the first real tap or key an AudioContext stays suspended (resume() never settles) and
# a media element's play() refuses.
AUTOPLAY_BLOCKED = """
let unlocked = false;
for (const type of ["pointerdown", "keydown"]) {
  addEventListener(type, (e) => { if (e.isTrusted) unlocked = true; }, true);
}
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  if (!unlocked) return Promise.reject(new DOMException("play() needs a user gesture", "NotAllowedError"));
  return play.call(this);
};
const Context = window.AudioContext;
window.AudioContext = class extends Context {
  constructor(...args) {
    super(...args);
    if (!unlocked) Context.prototype.suspend.call(this);
  }
  get state() {
    return unlocked ? super.state : "suspended";
  }
  resume() {
    return unlocked ? super.resume() : new Promise(() => {});
  }
};
"""


def test_blocked_sound_shows_the_tap_banner_and_plays_after_a_tap(page, live, act):
    page.add_init_script(AUTOPLAY_BLOCKED)
    open_display(page, live)
    banner = page.locator("#sound-banner")
    assert not banner.is_visible()
    issue(live, "A")
    label = act(1, "call-next")["label"]
    banner.wait_for(state="visible")
    assert banner.inner_text().strip() == "Ketuk layar untuk mengaktifkan suara"
    # On one line, whole on the screen (not held to the half of the screen right of its centre).
    lines, left, right = page.evaluate(
        """() => { const b = document.getElementById('sound-banner'), r = b.getBoundingClientRect();
            const text = b.querySelector('span'), size = parseFloat(getComputedStyle(text).fontSize);
            return [Math.round(text.getBoundingClientRect().height / (size * 1.2)), r.left, r.right]; }"""
    )
    assert lines == 1 and 0 <= left and right <= page.viewport_size["width"], (lines, left, right)
    assert label_at(page, 1) == label, "the call must show while the sound waits"
    # The banner is the page's word that the announcement waits for a tap (shown as it starts waiting): the
    # announcement is not over, and it ends, its chime played, only after the tap (the page's own times).
    assert page.evaluate("antrianDisplay.log[0].end") is None, "the announcement did not wait for the tap"
    page.evaluate("addEventListener('pointerdown', () => { window.tappedAt = performance.now(); }, true)")
    page.mouse.click(960, 540)
    (entry,) = announcements_done(page, 1)
    assert entry["parts"][0]["ok"] and not banner.is_visible()
    assert entry["end"] > page.evaluate("tappedAt"), "the announcement ended before the tap"


def test_clock_and_labels_are_indonesian_and_english_on_request(page, live):
    open_display(page, live, "?text=Hari%20ini%20layanan%20sampai%20pukul%2015.00")
    assert re.fullmatch(r"\d{2}\.\d{2} WIB", page.locator("#clock").inner_text())
    assert re.fullmatch(
        r"(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), \d{1,2} [A-Z][a-z]+ \d{4}", page.locator("#date").inner_text()
    )
    assert page.locator("h2").all_inner_texts()[:2] == ["PANGGILAN TERAKHIR", "MENUNGGU"]
    assert page.locator("#marquee-text").inner_text() == "Hari ini layanan sampai pukul 15.00"
    assert page.locator("#office-name").inner_text() == "LPSE Kabupaten Contoh"

    open_display(page, live, "?lang=en")
    assert page.locator("h2").all_inner_texts()[:2] == ["LATEST CALLS", "WAITING"]
    assert re.fullmatch(r"\d{2}:\d{2} WIB", page.locator("#clock").inner_text())
    assert "Welcome to LPSE Kabupaten Contoh" in page.locator("#marquee-text").inner_text()


def test_a_waiting_count_of_one_says_person_in_english(page, live):
    """The waiting counts' unit: "1 person", "2 people" in English, "orang" for both in Indonesian (the TV said
    "1 people", found sweeping the pages in both languages, helper-156). The tickets are taken in a service
    nobody waits in, and cancelled at the end: the other tests' calls find the queue as before."""
    live.add_user("tv_frontoffice", "frontoffice")
    front = live.session("tv_frontoffice", "rahasia-123")
    service = next(s["code"] for s in state(live)["services"] if s["waiting"] == 0)
    issued = []

    def take():
        r = requests.post(f"{live.url}/api/tickets", json=visitor(service=service), timeout=5)
        assert r.status_code == 201, r.text
        issued.append(r.json()["ticket"]["token"])

    def unit(row) -> str:
        return row.locator(".unit").inner_text()

    try:
        take()
        open_display(page, live, "?lang=en")
        caught_up(page, live)
        row = page.locator(f'#waiting li[data-service="{service}"]')
        assert waiting_count(page, service) == "1" and unit(row) == "person"
        take()
        caught_up(page, live)
        assert waiting_count(page, service) == "2" and unit(row) == "people"
        open_display(page, live)
        assert unit(page.locator(f'#waiting li[data-service="{service}"]')) == "orang"
    finally:
        for token in issued:
            front.post(f"{live.url}/api/tickets/{token}/cancel", json={}, timeout=5).raise_for_status()


def test_an_office_renamed_by_the_admin_reaches_the_header_and_the_running_text(page, live):
    install_clock(page)
    open_display(page, live)
    live.add_user("kepala", "admin")
    admin = live.session("kepala", "rahasia-123")
    before = admin.get(f"{live.url}/api/admin/settings", timeout=5).json()["office"]
    r = admin.put(f"{live.url}/api/admin/settings/office", json={"value": {"name": "LPSE Kota Baru"}}, timeout=5)
    assert r.status_code == 200, r.text
    try:
        expect(page.locator("#office-name")).to_have_text("LPSE Kota Baru")  # live, no reload
        expect(page.locator("#marquee-text")).to_contain_text("LPSE Kota Baru")
        expect(page.locator("#marquee-text")).not_to_contain_text("LPSE Kabupaten Contoh")
    finally:
        r = admin.put(f"{live.url}/api/admin/settings/office", json={"value": {"name": before["name"]}}, timeout=5)
        assert r.status_code == 200, r.text
    # a save within SETTINGS_RESYNC_MS (10 s) of the one before: the TV's snapshot for it comes when they are up
    # (it came at once only while the account added above, its event not broadcast, looked like a gap)
    caught_up(page, live)
    run_clock_for(page, SETTINGS_RESYNC_MS)
    expect(page.locator("#office-name")).to_have_text(before["name"], timeout=15_000)


def test_an_address_and_a_language_changed_by_the_admin_reach_an_open_tv(browser, page, live):
    """The header's address and, on a TV opened without ?lang=, its words, date and clock follow the admin
    page's [office] address and language without a reload (a reload would want another tap for sound)."""
    install_clock(page)
    open_display(page, live)
    fixed = browser.new_context(viewport={"width": 1920, "height": 1080})
    indonesian = open_display(fixed.new_page(), live, "?lang=id")
    page.evaluate("window.notReloaded = true")
    live.add_user("kepala-alamat", "admin")
    admin = live.session("kepala-alamat", "rahasia-123")
    before = admin.get(f"{live.url}/api/admin/settings", timeout=5).json()["office"]
    assert before["language"] == "id"
    change = {"address": "Jl. Pahlawan No. 7, Kota Baru", "language": "en"}
    r = admin.put(f"{live.url}/api/admin/settings/office", json={"value": change}, timeout=5)
    assert r.status_code == 200, r.text
    try:
        expect(page.locator("#office-address")).to_have_text("Jl. Pahlawan No. 7, Kota Baru")
        expect(page.locator("h2")).to_have_text(["Latest Calls", "Waiting"])
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("#clock")).to_have_text(re.compile(r"^\d{2}:\d{2} WIB$"))
        expect(page.locator("#date")).to_have_text(re.compile(r"^[A-Z][a-z]+day, \d{1,2} [A-Z][a-z]+ \d{4}$"))
        expect(page.locator("#marquee-text")).to_contain_text("Welcome to LPSE Kabupaten Contoh")
        expect(page.locator("footer.marquee")).to_have_attribute("aria-label", "running text")
        # the waiting counts' unit too ("orang" stayed until the count changed)
        expect(page.locator("#waiting .unit").first).to_have_text(re.compile(r"^(person|people)$"))
        assert page.evaluate("window.notReloaded === true")
        # a TV whose address names its language keeps it; the address changes there too
        expect(indonesian.locator("#office-address")).to_have_text("Jl. Pahlawan No. 7, Kota Baru")
        expect(indonesian.locator("h2")).to_have_text(["Panggilan Terakhir", "Menunggu"])
    finally:
        r = admin.put(
            f"{live.url}/api/admin/settings/office", json={"value": {k: before[k] for k in change}}, timeout=5
        )
        assert r.status_code == 200, r.text
        fixed.close()
    # within SETTINGS_RESYNC_MS of the save before: its snapshot comes when they are up (as above)
    caught_up(page, live)
    run_clock_for(page, SETTINGS_RESYNC_MS)
    expect(page.locator("h2")).to_have_text(["Panggilan Terakhir", "Menunggu"], timeout=15_000)
    expect(page.locator("#office-address")).to_have_text(before["address"])
    expect(page.locator("#clock")).to_have_text(re.compile(r"^\d{2}\.\d{2} WIB$"))
    expect(page.locator("#waiting .unit").first).to_have_text("orang")


@pytest.mark.parametrize("width,height", [(1920, 1080), (1280, 720)])
def test_the_page_fits_the_screen_with_large_numbers(browser, live, act, width, height):
    for service in "AABBCCA":
        issue(live, service)
    for counter_id in (1, 2, 3):
        act(counter_id, "call-next")
    act(2, "start")
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = open_display(context.new_page(), live)
        assert page.evaluate("document.documentElement.scrollHeight <= innerHeight")
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        label_px = page.locator('.counter[data-counter="1"] .ticket-label').evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)"
        )
        assert label_px >= height * 0.12, "the ticket number is too small to read from 8 m"
        for counter_id in (1, 2, 3):
            box = page.locator(f'.counter[data-counter="{counter_id}"] .ticket-label').bounding_box()
            assert box["y"] + box["height"] <= height and box["x"] + box["width"] <= width
    finally:
        context.close()


# The animations that never end (the running text, the offline badge's blink), by name.
ENDLESS = """() => document.getAnimations()
    .filter((a) => a.playState === 'running' && a.effect.getComputedTiming().iterations === Infinity)
    .map((a) => a.animationName)"""


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_the_running_text_moves_unless_the_tv_is_set_to_reduced_motion(browser, live, motion):
    text = "Layanan helpdesk LPSE buka Senin sampai Jumat pukul 08.00 sampai 16.00 WIB; " * 3
    context = browser.new_context(viewport={"width": 1280, "height": 720}, reduced_motion=motion)
    try:
        page = open_display(context.new_page(), live, "?text=" + requests.utils.quote(text.strip()))
        if motion == "no-preference":
            assert page.evaluate(ENDLESS) == ["marquee"]
            return
        assert page.evaluate(ENDLESS) == []
        # Standing still, its start is on the screen and its lines inside the bar, none cut in half.
        bar = page.locator(".marquee").bounding_box()
        box = page.locator("#marquee-text").bounding_box()
        assert bar["x"] <= box["x"] < bar["x"] + 100 and box["x"] + box["width"] <= bar["x"] + bar["width"]
        assert bar["y"] <= box["y"] and box["y"] + box["height"] <= bar["y"] + bar["height"] + 0.5, (bar, box)
        lines = page.locator("#marquee-text").evaluate(
            "e => Math.round(e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight))"
        )
        assert lines == 2
    finally:
        context.close()


def test_the_admins_sound_check_chimes_on_the_tv_marked_as_a_test_and_leaves_the_queue_alone(page, live, act):
    """POST /api/admin/voice/test-call: every connected TV plays a call's announcement (here the chime:
    speech is off in this module) with "TES SUARA" over the screen while it plays; nothing is issued,
    called or logged (no seq), the latest calls stay as they were, and a real call still plays after."""
    live.add_user("kepala-tes", "admin")
    admin = live.session("kepala-tes", "rahasia-123")
    open_display(page, live)
    before = state(live)
    recent = page.locator("#recent").inner_text()
    page.evaluate("""() => {
        window.testSeen = [];
        new MutationObserver(() => {
            const box = document.getElementById("test-call");
            if (!box.hidden) testSeen.push(box.innerText);
        }).observe(document.getElementById("test-call"), {attributes: true, childList: true, subtree: true});
    }""")
    r = admin.post(f"{live.url}/api/admin/voice/test-call", json={"label": "B-7", "counter_id": 2}, timeout=5)
    assert r.status_code == 200, r.text
    assert r.json() == {"announce": None, "displays": 1}
    (entry,) = announcements_done(page, 1)
    assert entry["test"] and entry["label"] == "B-7" and [p["kind"] for p in entry["parts"]] == ["chime"]
    seen = page.evaluate("testSeen")
    assert seen and "TES SUARA" in seen[0] and "B-7 · Loket 2" in seen[0] and "Bukan panggilan" in seen[0], seen
    expect(page.locator("#test-call")).to_be_hidden()
    assert page.evaluate("antrianDisplay.played") == []  # not remembered as a call played
    assert page.locator("#recent").inner_text() == recent
    after = state(live)
    assert after["seq"] == before["seq"] and after["counters"] == before["counters"]
    # One every 3 s; an officer may not.
    again = admin.post(f"{live.url}/api/admin/voice/test-call", json={"label": "B-7", "counter_id": 2}, timeout=5)
    assert again.status_code == 429 and again.json()["error"] == "rate_limited"
    officer = live.session(OFFICERS[1], "rahasia-123")
    refused = officer.post(f"{live.url}/api/admin/voice/test-call", json={"label": "B-7", "counter_id": 2}, timeout=5)
    assert refused.status_code == 403
    bad = admin.post(f"{live.url}/api/admin/voice/test-call", json={"label": "B7", "counter_id": 99}, timeout=5)
    assert bad.status_code == 422 and set(bad.json()["fields"]) == {"label", "counter_id"}
    # A real call after it is announced as before.
    issue(live, "A")
    label = act(1, "call-next")["label"]
    calls = announcements_done(page, 2)
    assert calls[1]["label"] == label and not calls[1].get("test")


# ---- a TV left on overnight -----------------------------------------------------------------------------
@pytest.fixture
def overnight(tmp_path):
    """A server of its own on a clock the test moves a day on (tests/clockserver.py), its maintenance loop
    looking every 0.1 s: the office's midnight is seen at once."""
    config = write_config(tmp_path, {"[tts]\nenabled = true": "[tts]\nenabled = false"})
    server = ClockedServer(config, tick=0.1).start()
    for name in OFFICERS.values():
        server.add_user(name, "officer")
    yield server
    server.stop()


def test_a_tv_left_on_overnight_drops_yesterdays_calls_and_breaks_at_midnight(page, overnight):
    """Nobody does anything after midnight: the server's `day_changed` makes the open TV (no reload) take
    the new day's state, so the morning starts with no latest calls of yesterday and no break of
    yesterday's; the morning's first call at that counter shows as a call."""
    live = overnight
    officers = {c: live.session(name, "rahasia-123") for c, name in OFFICERS.items() if c in (1, 2)}

    def act(counter_id, action):
        r = officers[counter_id].post(f"{live.url}/api/counters/{counter_id}/{action}", json={}, timeout=5)
        assert r.status_code == 200, r.text
        return r.json()

    issue(live, "A"), issue(live, "B")
    act(1, "call-next")
    act(2, "call-next")
    act(2, "pause")  # a break at closing time, never ended
    open_display(page, live)
    tile = page.locator('.counter[data-counter="2"]')
    expect(page.locator("#recent li:not(.none)")).to_have_count(2)
    expect(tile).to_have_class(re.compile(r"\bpaused\b"))
    yesterday = page.evaluate("antrianDisplay.state.day")
    page.evaluate("window.notReloaded = true")

    live.next_day()
    page.wait_for_function(f"() => antrianDisplay.state.day !== {yesterday!r}", polling=50)
    expect(page.locator("#recent li")).to_have_text(["Belum ada panggilan"])
    expect(tile).not_to_have_class(re.compile(r"\bpaused\b"))
    expect(tile.locator(".ticket-label")).to_have_text("—")
    assert page.evaluate("window.notReloaded === true")
    assert page.evaluate("antrianDisplay.state.day") == state(live)["day"]

    label = issue(live, "B")
    act(2, "call-next")
    expect(tile.locator(".ticket-label")).to_have_text(label)
    expect(tile.locator(".counter-status")).to_have_text("Dipanggil")
    expect(page.locator("#recent li")).to_have_count(1)


def test_a_tv_given_only_service_codes_the_office_lacks_is_told_so(live):
    """`?services=Z` (a typo, or a code of another office) was taken silently: a TV that showed no call all day and
    nobody knew why. Answered as a bad `?counters=` is: a 400 naming the codes, and the office's, in Indonesian and
    English. A list naming one of the office's services is taken (one the admin removed later stays in a TV's
    address, and a TV reloading itself keeps showing the others)."""
    codes = ", ".join(s["code"] for s in requests.get(f"{live.url}/api/state", timeout=5).json()["services"])
    for query in ("services=Z", "services=Z,QQ", "services=a", "services=A,b", "services=A,%C2%B2"):
        r = requests.get(f"{live.url}/display/?{query}", timeout=5)
        assert r.status_code == 400, (query, r.text)
        assert r.headers["Content-Type"].startswith("text/plain")
        id_line, en_line = r.text.splitlines()
        assert "tidak ada layanan berkode" in id_line and f"kode layanannya: {codes}" in id_line, r.text
        assert "this office has no service with the code" in en_line and f"its service codes: {codes}" in en_line
    for query in ("services=A", "services=A,C", "services=A,Z", "services=", "services=%20"):
        assert requests.get(f"{live.url}/display/?{query}", timeout=5).status_code == 200, query


def test_a_tv_given_only_counter_numbers_the_office_lacks_is_told_so(live):
    """`?counters=7` for an office of three counters was taken silently: a TV that showed no counter and no call all
    day, nobody knowing why. Answered as an unknown `?services=` is: a 400 naming the numbers, and the office's, in
    Indonesian and English. A list naming one of the office's counters is taken whole (one the admin removed later
    stays in a TV's address, and a TV reloading itself keeps showing the others)."""
    ids = ", ".join(str(c["id"]) for c in requests.get(f"{live.url}/api/state", timeout=5).json()["counters"])
    assert ids == "1, 2, 3"
    for query, named in (("counters=7", "7"), ("counters=9,4", "4, 9"), ("counters=999&services=A", "999")):
        r = requests.get(f"{live.url}/display/?{query}", timeout=5)
        assert r.status_code == 400, (query, r.text)
        assert r.headers["Content-Type"].startswith("text/plain")
        id_line, en_line = r.text.splitlines()
        assert id_line == f"counters: kantor ini tidak punya loket {named}; nomor loketnya: {ids}, mis. ?counters=1,2"
        en = f"counters: this office has no counter {named}; its counter numbers: {ids}, e.g. ?counters=1,2"
        assert en_line == en, r.text
    for query in ("counters=2", "counters=2,7", "counters=1,2,3", "counters=", "counters=%20"):
        assert requests.get(f"{live.url}/display/?{query}", timeout=5).status_code == 200, query
