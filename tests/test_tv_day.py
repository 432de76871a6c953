"""The waiting-room TV through an office's day and into the next, as a visitor across the room sees it, on a real
server and in Chromium:

- ten counters, two of them with the longest name the admin form accepts (100 characters), each calling or
  serving a ticket, a long-named one on a recall: every tile's number is whole, inside its tile and drawn over by
  nothing, at 1366x768, 1920x1080, 1280x720 and on a TV on its side (1080x1920). Such a name, cut with "…"
  on as few lines as it takes, gives way to the number, which is what the TV is for;
- outside the service hours (before opening, after closing) the running text says first that no numbers are
  given now and when they are again: its welcome alone ("Silakan ambil nomor antrian di kios") sent visitors to
  a kiosk that gives none, and nothing else on the TV said so;
- a ticket an officer left "serving" at midnight is not shown the next day: that day's numbers start again at
  A-001, and the counter that showed yesterday's A-002 beside today's A-002 at another counter sent two
  visitors to two counters;
- the new day's first call, made before the maintenance loop's look, is on its counter and announced, after the
  `day_changed` its transaction writes first: the TV held it to yesterday and never said it (the soak bench's
  missed calls), when the call came before `day_changed`.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import requests
from conftest import visitor, write_config
from live import ClockedServer, LiveServer
from playwright.sync_api import expect
from test_display_readability import TILE_TEXTS, caught_up, inside, new_page, open_display, overlap, state, tile

from shared.dates import day_names, month_names

LONGEST = "Loket Pelayanan Registrasi dan Verifikasi Akun Penyedia Barang Jasa Pemerintah Kabupaten Contoh Ti {}"
LONG_NAMED = (2, 7)
NAMES = {i: LONGEST.format(i) if i in LONG_NAMED else f"Loket {i}" for i in range(1, 11)}
NO_SPEECH = {"[tts]\nenabled = true": "[tts]\nenabled = false"}


@pytest.fixture(scope="module")
def ten(tmp_path_factory):
    """Ten counters serving A, B and C, Loket 2 and 7 named with 100 characters: every one calling a ticket,
    Loket 2 on its second call and 7 on its third, Loket 3 and 4 serving."""
    assert all(len(NAMES[i]) == 100 for i in LONG_NAMED)
    counters = "".join(
        f'\n[[counters]]\nid = {i}\nname = "{NAMES[i]}"\nservices = ["A", "B", "C"]\n' for i in range(4, 11)
    )
    config = write_config(
        tmp_path_factory.mktemp("tv-ten"),
        {
            **NO_SPEECH,
            "counter_release_minutes = 10": "counter_release_minutes = 1440",  # no officer's page is open
            'name = "Loket 2"': f'name = "{NAMES[2]}"',
        },
        counters,
    )
    server = LiveServer(config).start()
    for service in "ABC" * 5:
        assert requests.post(f"{server.url}/api/tickets", json=visitor(service=service), timeout=5).status_code == 201
    sessions = {}
    for counter_id in range(1, 11):
        server.add_user(f"tv{counter_id}", "officer")
        sessions[counter_id] = server.session(f"tv{counter_id}", "rahasia-123")
    steps = [*((i, "call-next") for i in range(1, 11)), (7, "recall"), (7, "recall"), (2, "recall")]
    for counter_id, action in [*steps, (3, "start"), (4, "start")]:
        r = sessions[counter_id].post(f"{server.url}/api/counters/{counter_id}/{action}", json={}, timeout=5)
        assert r.status_code == 200, (counter_id, action, r.text)
    yield server
    server.stop()


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080), (1280, 720), (1080, 1920)])
def test_ten_counters_with_the_longest_names_keep_every_number_whole(browser, ten, size):
    page = new_page(browser, size)
    try:
        open_display(page, ten)
        caught_up(page, ten)
        unit = min(size) / 54
        counters = {c["id"]: c for c in state(ten)["counters"]}
        tiles = page.evaluate(TILE_TEXTS)
        assert sorted(t["id"] for t in tiles) == list(range(1, 11))
        for t in tiles:
            where = f"{size[0]}x{size[1]}, Loket {t['id']}"
            parts = {p["part"]: p for p in t["parts"]}
            number = parts["number"]
            assert number["text"] == counters[t["id"]]["ticket"]["label"], where
            assert not number["cut"], f"{where}: the number is cut sideways {number['scroll']}"
            for rect in number["rects"]:
                assert inside(rect, t["box"]), f"{where}: the number {rect} past its tile {t['box']}"
                for p in t["parts"]:
                    if p is not number:
                        drawn = max((overlap(rect, q) for q in p["rects"]), default=0)
                        assert drawn < 1, f"{where}: the {p['part']} drawn over the number"
            assert number["px"] >= 2 * unit - 0.2, f"{where}: number {number['px']} px"
            assert number["px"] >= 2 * parts["name"]["px"] - 0.5, f"{where}: number {number['px']} px, {parts['name']}"
            # the name is there, on one line at least, no smaller than the smallest a long name may be
            assert parts["name"]["text"] == NAMES[t["id"]], where
            assert parts["name"]["px"] >= 1.2 * unit - 0.2, f"{where}: name {parts['name']['px']} px"
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def overnight(tmp_path_factory):
    server = ClockedServer(write_config(tmp_path_factory.mktemp("tv-overnight"), NO_SPEECH), tick=0.1).start()
    yield server
    server.stop()


def test_a_ticket_left_serving_overnight_is_not_on_the_tv_the_next_day(browser, overnight):
    server = overnight
    server.add_user("malam", "officer")
    officer = server.session("malam", "rahasia-123")
    for _ in range(2):
        assert requests.post(f"{server.url}/api/tickets", json=visitor(service="A"), timeout=5).status_code == 201
    for action in ("call-next", "start"):
        r = officer.post(f"{server.url}/api/counters/2/{action}", json={}, timeout=5)
        assert r.status_code == 200, r.text
    left = r.json()["ticket"]
    page = new_page(browser, (1366, 768))
    try:
        open_display(page, server)
        assert page.get_attribute(tile(2), "data-ticket") == left["label"]
        yesterday = state(server)["day"]
        server.next_day()
        page.wait_for_function(f"() => antrianDisplay.state.synced && antrianDisplay.state.day > '{yesterday}'")
        caught_up(page, server)
        # the server still has it at its counter (the officer finishes it), of the day before
        held = next(c for c in state(server)["counters"] if c["id"] == 2)["ticket"]
        assert held and held["label"] == left["label"] and held["day"] == yesterday, held
        assert page.get_attribute(tile(2), "data-ticket") is None
        assert page.locator(f"{tile(2)} .ticket-label").inner_text() == "—"
        # today's A-001 called at Loket 1 is the only A-number on the TV
        assert requests.post(f"{server.url}/api/tickets", json=visitor(service="A"), timeout=5).status_code == 201
        server.add_user("pagi", "officer")
        r = server.session("pagi", "rahasia-123").post(f"{server.url}/api/counters/1/call-next", json={}, timeout=5)
        assert r.status_code == 200 and r.json()["ticket"]["label"] == "A-001", r.text
        caught_up(page, server)
        shown = page.eval_on_selector_all(".counter[data-ticket]", "es => es.map((e) => e.dataset.ticket)")
        assert shown == ["A-001"]
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def late_midnight(tmp_path_factory):
    """A server whose maintenance loop looks once a minute: it writes `day_changed` up to a minute after the
    office's midnight (within a second in production), so the new day's first call comes before it."""
    server = ClockedServer(write_config(tmp_path_factory.mktemp("tv-late-midnight"), NO_SPEECH), tick=60.0).start()
    yield server
    server.stop()


def test_a_call_that_comes_before_the_day_changed_event_is_shown_and_announced(browser, late_midnight):
    """The TV held the new day's tickets to its own day until `day_changed` came: a call made before it was on
    no counter, was dropped from the announcements, and the snapshot after `day_changed` (past that call's seq)
    did not announce it either. The soak bench lost the first calls of a day so (docs/performance.md). Since the
    first command of a day writes its `day_changed` (e99cc94) the call comes after it here: this checks that order
    and the call shown and said; display.js's later ticket's day is no longer reached by this server."""
    server = late_midnight
    server.add_user("subuh", "officer")
    officer = server.session("subuh", "rahasia-123")
    page = new_page(browser, (1366, 768))
    try:
        open_display(page, server)
        page.evaluate(
            "() => { window.seen = []; antrianDisplay.socket.on('event', (e) => seen.push(e.type));"
            " antrianDisplay.socket.on('events', (list) => list.forEach((e) => seen.push(e.type))); }"
        )
        yesterday = state(server)["day"]
        server.next_day()
        assert requests.post(f"{server.url}/api/tickets", json=visitor(service="A"), timeout=5).status_code == 201
        r = officer.post(f"{server.url}/api/counters/1/call-next", json={}, timeout=5)
        assert r.status_code == 200, r.text
        called = r.json()["ticket"]
        assert called["label"] == "A-001" and called["day"] > yesterday, called
        caught_up(page, server)
        # the server now writes the new day's turn in the first transaction of that day (UnitOfWork._turn): the
        # day_changed comes first, as one message with the number's events (which `seen` once missed, 'events')
        seen = page.evaluate("seen")
        assert "called" in seen and "day_changed" in seen and seen.index("day_changed") < seen.index("called"), seen
        assert page.get_attribute(tile(1), "data-ticket") == "A-001"
        page.wait_for_function(
            "() => antrianDisplay.log.some((e) => e.label === 'A-001' && e.counter_id === 1 && e.end !== null)",
            polling=50,
            timeout=15000,
        )
    finally:
        page.context.close()


DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MARQUEE = "() => document.getElementById('marquee-text').textContent"


@pytest.fixture(scope="module")
def hours(tmp_path_factory):
    """Service hours 10:00-16:00 every day, on a clock that starts at 09:00 office time (its Date too: the TV's)."""
    extra = "\n[hours]\n" + "".join(f'{day} = "10:00-16:00"\n' for day in DAYS)
    config = write_config(tmp_path_factory.mktemp("tv-hours"), NO_SPEECH, extra)
    server = ClockedServer(config, tick=0.1, dated=True).start()
    yield server
    server.stop()


def test_outside_the_hours_the_running_text_says_the_office_is_closed_and_when_it_opens(browser, hours):
    welcome = "Selamat datang di LPSE Kabupaten Contoh."
    page = new_page(browser, (1366, 768))
    try:
        open_display(page, hours)
        assert state(hours)["office"]["open"] is False
        text = page.evaluate(MARQUEE)
        closed = "Layanan tutup: nomor antrian tidak dapat diambil saat ini."
        assert text.startswith(f"{closed} Buka kembali pukul 10.00 WIB."), text
        assert welcome in text, text  # the admin's running text (here the default) still follows
        assert "ambil nomor antrian di kios" not in text, text  # the default's words for an open office: not now
        hours.advance(3600)  # 10:00: open (office_opened)
        page.wait_for_function(f"() => ({MARQUEE})().startsWith({welcome!r})", timeout=15_000)
        hours.advance(7 * 3600)  # 17:00: closed until tomorrow (office_closed)
        page.wait_for_function(f"() => ({MARQUEE})().startsWith({closed!r})", timeout=15_000)
        text = page.evaluate(MARQUEE)
        assert "Buka kembali pukul" not in text and text.endswith(
            "pukul 10.00 WIB.", 0, text.index(" \u00a0·\u00a0 ")
        ), text
        english = new_page(browser, (1280, 720))
        try:
            open_display(english, hours, "?lang=en")
            text = english.evaluate(MARQUEE)
            assert text.startswith("Closed: no queue numbers can be taken now. Opens again "), text
            assert " at 10:00 WIB. " in text and "Welcome to LPSE Kabupaten Contoh." in text, text
            assert "take a queue number at the kiosk" not in text, text
        finally:
            english.context.close()

        # The next morning, 09:00: closed, opening at 10.00 today (the day's turn gives the TV a fresh snapshot). The
        # server PC's clock is then stepped on eight hours at once (NTP finding it that far behind, the TV connected
        # all along): the server's look saw closed before and closed after, told nothing, and the TV named this
        # morning's 10.00 as the next opening all evening, until midnight.
        hours.advance(16 * 3600, looked=True)
        day = date.fromisoformat(state(hours)["day"])
        page.wait_for_function(f"() => antrianDisplay.state.day === {day.isoformat()!r}", polling=50)
        expect(page.locator("#marquee-text")).to_contain_text(f"{closed} Buka kembali ")
        expect(page.locator("#marquee-text")).to_contain_text(" pukul 10.00 WIB.")
        hours.advance(8 * 3600, looked=True)  # 17:00 in one step: no look at the day's hours in between
        tomorrow = day + timedelta(days=1)
        on = f"{day_names('id')[tomorrow.weekday()]}, {tomorrow.day} {month_names('id')[tomorrow.month - 1]}"
        expect(page.locator("#marquee-text")).to_contain_text(f"{closed} Buka kembali {on} {tomorrow.year} pukul 10.00")
    finally:
        page.context.close()
