"""The public pages (the visitor's phone, the TV, the kiosk) when their socket comes late, or comes back after
changes made while it was away: what the page read over HTTP before the socket was in, and what it heard of
live after, must not leave it showing an old state until a reload. A real server process and Chromium.

The module shares one server; counter 1 (services A and C) is the phone tests' officer's, counters 2 and 3 the
TV test's, and every test leaves its counters free.
"""

from __future__ import annotations

import json

import pytest
import requests
from conftest import SocketGate, hold_first, until_on_page, visitor, write_config
from kioskui import tap
from live import LiveServer
from playwright.sync_api import expect
from staffpages import issue
from test_display_page import short_wav

PASSWORD = "rahasia-123"
PHONE = {"width": 360, "height": 740}
SCORES = {f"U{i}": 4 for i in range(1, 10)}
SOCKET = "**/socket.io/**"  # socket.io's requests (its script, /static/vendor/socket.io.min.js, is not held)
# The TV's sounds, where what is tested is which calls it announces, not how they sound: a WAV of 1 ms for the chime
# (1 s) and the phrase (some 4 s at the demo config's rate), routed on the page (the announcement waited them out).
BLIP = short_wav(0.001)
TV_SOUNDS = ("**/display/static/chime.wav", "**/api/tts/**")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = LiveServer(write_config(tmp_path_factory.mktemp("public-resync"))).start()
    server.add_user("petugas", "officer")
    server.add_user("kepala", "admin")
    yield server
    server.stop()


@pytest.fixture
def context(browser):
    contexts = []

    def new(**options):
        contexts.append(browser.new_context(**options))
        return contexts[-1]

    yield new
    for c in contexts:
        c.close()


def serve(live, ticket: dict) -> None:
    """The officer at counter 1 calls, serves and resolves tickets until `ticket` is resolved."""
    officer = live.session("petugas", PASSWORD)
    for _ in range(30):
        r = officer.post(f"{live.url}/api/counters/1/call-next", json={}, timeout=5)
        assert r.status_code == 200, r.text
        label = r.json()["ticket"]["label"]
        for action in ("start", "resolve"):
            r = officer.post(f"{live.url}/api/counters/1/{action}", json={"solution": "Selesai."}, timeout=5)
            assert r.status_code == 200, (action, r.text)
        if label == ticket["label"]:
            return
    raise AssertionError(f"{ticket['label']} was never called")


def survey_of(live, token: str) -> dict:
    r = requests.get(f"{live.url}/api/survey/{token}", timeout=5)
    assert r.status_code == 200, r.text
    return r.json()["survey"]


def open_phone(context, live, token: str, hold_socket: bool = False):
    page = context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    held = []
    if hold_socket:
        page.route(SOCKET, lambda route: held.append(route))  # the socket does not get through yet
    page.goto(f"{live.url}/t/{token}")
    return page, held


# -- the visitor's phone ------------------------------------------------------------------------------


def test_a_survey_answered_on_the_tablet_before_the_phones_socket_was_in_is_read_at_its_snapshot(context, live):
    """A served ticket's phone page reads its survey over HTTP when it opens, and hears of an answer after that
    from its socket (`survey_answered`). An answer given on the tablet between that read and the socket's start
    was in neither: the phone kept inviting to a survey already answered (also after a reconnect). The survey
    is read again at each snapshot of the socket."""
    ticket = issue(live, "Pengunjung")
    serve(live, ticket)
    page, held = open_phone(context, live, ticket["token"], hold_socket=True)
    expect(page.locator("#status")).to_have_text("selesai")
    expect(page.locator("#survey-invite")).to_be_visible()  # read over HTTP: open, not answered
    assert held, "the socket did not try to connect"

    r = requests.post(
        f"{live.url}/api/survey",
        json={"token": ticket["token"], "answers": SCORES, "channel": "tablet"},
        timeout=5,
    )
    assert r.status_code == 201, r.text
    assert survey_of(live, ticket["token"])["answered"]

    page.unroute(SOCKET)  # the held requests go on to the server
    page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
    expect(page.locator("#survey-done")).to_be_visible()
    expect(page.locator("#survey-invite")).to_be_hidden()


def test_the_visitors_own_answers_stand_over_a_read_of_the_survey_sent_before_them(context, live):
    """The phone reads its survey again when the visitor comes back to its tab (and at each snapshot of the
    socket). That read, slowed on the guest Wi-Fi, was answered after the visitor had filled in the survey and its
    "terima kasih" showed: it said "not answered yet", and the invite came back in place of the thanks (a visitor
    would answer again). A state with no response after one with a response is older, and dropped."""
    ticket = issue(live, "Pengunjung")
    serve(live, ticket)
    page, _ = open_phone(context, live, ticket["token"])
    expect(page.locator("#survey-invite")).to_be_visible()
    page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
    # the first read from here answered by the server at once and its answer kept; the later ones (the one the
    # visitor's own `survey_answered` event asks for) held until the end: what the page shows is that answer's
    held, later = [], []
    reads = f"**/api/survey/{ticket['token']}*"
    page.route(reads, lambda r: later.append(r) if held else held.append((r, r.fetch())))
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # back to the tab: read again
    until_on_page(page, lambda: held, "the phone did not read its survey again")
    assert held[0][1].json()["survey"]["answered"] is False

    tap(page, "#survey-start")
    for code, score in SCORES.items():
        tap(page, f'[data-field="answers.{code}"] [data-score="{score}"]')
    tap(page, "#survey-submit")
    expect(page.locator("#survey-done")).to_be_visible()
    assert survey_of(live, ticket["token"])["answered"]

    taken = page.evaluate("antrianPhone.looks.survey")
    route, answer = held[0]
    route.fulfill(response=answer)  # the read from before the answers comes last
    page.wait_for_function(f"() => antrianPhone.looks.survey > {taken}", polling=50)
    expect(page.locator("#survey-done")).to_be_visible()
    expect(page.locator("#survey-invite")).to_be_hidden()
    # the read its `survey_answered` asks for comes when that event does, maybe after the answer's own 201
    until_on_page(page, lambda: later, "the visitor's answer asked for no read")
    page.unroute(reads)  # the later reads go on: answered, as the page says
    page.wait_for_function(f"() => antrianPhone.looks.survey > {taken + 1}", polling=50)
    expect(page.locator("#survey-done")).to_be_visible()


def test_the_offices_reply_given_while_the_phone_was_cut_off_shows_when_it_is_back(context, live):
    """The office's reply to a visitor's suggestion reaches an open phone page by its `complaint_answered`
    event. Given while the phone's connection was away, the page kept showing no reply after it reconnected."""
    ticket = issue(live, "Pengunjung")
    serve(live, ticket)
    r = requests.post(
        f"{live.url}/api/survey",
        json={"token": ticket["token"], "answers": SCORES, "suggestion": "Mohon tambah kursi tunggu."},
        timeout=5,
    )
    assert r.status_code == 201, r.text
    response_id = r.json()["survey"]["response"]["id"]
    page, _ = open_phone(context, live, ticket["token"])
    page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
    expect(page.locator("#survey-done")).to_be_visible()
    expect(page.locator("#survey-reply")).to_be_hidden()

    page.context.set_offline(True)
    page.evaluate("antrianPhone.socket.io.engine.close()")  # the Wi-Fi is gone: the transport drops
    expect(page.locator("#conn")).not_to_be_empty()
    head = live.session("kepala", PASSWORD)  # petugas served it: another answers a complaint about him
    r = head.post(f"{live.url}/api/complaints/{response_id}/answer", json={"answer": "Kursi sudah ditambah."})
    assert r.status_code == 200, r.text

    page.context.set_offline(False)
    expect(page.locator("#conn")).to_be_empty()
    expect(page.locator("#survey-reply-text")).to_have_text("Kursi sudah ditambah.")
    expect(page.locator("#survey-reply")).to_be_visible()


# -- the TV ----------------------------------------------------------------------------------------------


@pytest.fixture
def counters(live):
    """act(counter_id, action) -> the answer's ticket, by that counter's officer; frees the counters after."""
    sessions = {}

    def act(counter_id: int, action: str) -> dict:
        if counter_id not in sessions:
            name = f"tv{counter_id}"
            live.add_user(name, "officer")
            sessions[counter_id] = live.session(name, PASSWORD)
        r = sessions[counter_id].post(
            f"{live.url}/api/counters/{counter_id}/{action}", json={"solution": "Selesai."}, timeout=5
        )
        assert r.status_code == 200, (action, r.text)
        return r.json()["ticket"]

    yield act
    for counter_id in list(sessions):
        state = requests.get(f"{live.url}/api/state", timeout=5).json()
        current = next(c for c in state["counters"] if c["id"] == counter_id)["ticket"]
        if current:
            if current["status"] == "called":
                act(counter_id, "start")
            act(counter_id, "resolve")


def tile(page, counter_id: int):
    return page.locator(f'.counter[data-counter="{counter_id}"]')


def test_after_an_outage_the_tv_shows_every_current_call_and_chimes_only_for_those_still_called(
    context, live, counters
):
    """Calls made while the TV was cut off come with the snapshot when it is back: on its tiles and in its latest
    calls. Of those, the one still waiting for its visitor is announced; one whose visitor is already at the
    counter (being served) is not: after a long outage the TV chimed, and flashed, for every visitor served
    meanwhile, calling no one."""
    page = context(viewport={"width": 1920, "height": 1080}).new_page()
    for sound in TV_SOUNDS:
        page.route(sound, lambda route: route.fulfill(body=BLIP, content_type="audio/wav"))
    gate = SocketGate(page)
    page.goto(f"{live.url}/display/")
    page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)
    expect(page.locator("body")).to_have_class("online")

    gate.cut()
    expect(page.locator("#status-badge")).to_be_visible()  # OFFLINE · Terputus
    issue(live, "Pengunjung", service="C")
    served = counters(3, "call-next")["label"]  # called and served while the TV was away ...
    counters(3, "start")
    issue(live, "Pengunjung", service="B")
    called = counters(2, "call-next")["label"]  # ... and called, its visitor not there yet

    gate.open = True  # the TV reconnects by itself
    expect(page.locator("#status-badge")).to_be_hidden(timeout=15_000)
    expect(tile(page, 3).locator(".ticket-label")).to_have_text(served)
    expect(tile(page, 3).locator(".counter-status")).to_have_text("Dilayani")
    expect(tile(page, 2).locator(".ticket-label")).to_have_text(called)
    expect(page.locator("#recent li .label").nth(0)).to_have_text(called)  # the latest calls, newest first
    expect(page.locator("#recent li .label").nth(1)).to_have_text(served)
    page.wait_for_function(
        "() => antrianDisplay.log.length >= 1 && antrianDisplay.log.every(e => e.end !== null)"
        " && !antrianDisplay.queue.length && !antrianDisplay.current",
        polling=50,
    )
    log = page.evaluate("antrianDisplay.log")
    assert [e["label"] for e in log] == [called]
    assert [(p["kind"], p["ok"]) for p in log[0]["parts"]] == [("chime", True), ("speech", True)], log  # announced


def tv_hearing(context, live):
    """A TV page, synced, and the text frames its WebSocket receives (what a page without a login is told)."""
    tv = context(viewport={"width": 1920, "height": 1080}).new_page()
    frames: list[str] = []
    tv.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(f if isinstance(f, str) else "")))
    tv.goto(f"{live.url}/display/")
    tv.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)
    return tv, frames


def seqs_heard(frames: list[str]) -> set[int]:
    """The seqs of the numbered changes in the Socket.IO messages among `frames` ('42["event",{...}]', '42["events",
    [...]]', '42["snapshot",{...}]')."""
    seqs = set()
    for f in frames:
        if f.startswith("42["):
            data = (json.loads(f[2:]) + [None])[1]  # [name, data], or [name] alone
            seqs.update(
                d["seq"] for d in (data if isinstance(data, list) else [data]) if isinstance(d, dict) and "seq" in d
            )
    return seqs


def tv_heard(tv, frames: list[str], seq: int) -> None:
    """Until the TV's page shows the change `seq` and its frame has reached this side too: the page's state can be
    there a moment before Playwright hands the test the frame it came in (events of the browser's network, not
    of the page's JavaScript), so counting the frames after the page alone raced the last one."""
    tv.wait_for_function(f"() => antrianDisplay.state.seq >= {seq}", polling=50)
    until_on_page(tv, lambda: seq in seqs_heard(frames), lambda: f"the TV's frame of seq {seq} not heard: {frames}")


def test_the_tv_hears_nothing_of_a_visitors_survey_and_asks_no_snapshot_for_what_it_was_not_told(context, live):
    """A survey answer and the office's reply to its complaint went to every public page, the TV too, naming the
    ticket (anyone on the office's network saw that A-012 answered the survey). They now reach the visitor's own
    phone page alone (and the staff), live as before; the TV's next message comes past the seqs it was not told
    of, and it does not take that for a gap: no fresh snapshot for each visitor's answer."""
    ticket = issue(live, "Pengunjung")
    serve(live, ticket)
    tv, frames = tv_hearing(context, live)
    phone, _ = open_phone(context, live, ticket["token"])
    phone.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
    expect(phone.locator("#survey-invite")).to_be_visible()

    body = {"token": ticket["token"], "answers": SCORES, "suggestion": "Mohon tambah kursi.", "channel": "tablet"}
    r = requests.post(f"{live.url}/api/survey", json=body, timeout=5)
    assert r.status_code == 201, r.text
    expect(phone.locator("#survey-done")).to_be_visible()  # answered on the tablet: its own page hears of it
    head = live.session("kepala", PASSWORD)  # petugas served it: another answers a complaint about him
    r = head.post(f"{live.url}/api/complaints/{r.json()['survey']['response']['id']}/answer", json={"answer": "Siap."})
    assert r.status_code == 200, r.text
    expect(phone.locator("#survey-reply-text")).to_have_text("Siap.")

    r = requests.post(f"{live.url}/api/tickets", json=visitor(service="C"), timeout=5)  # then a public change
    assert r.status_code == 201, r.text
    tv_heard(tv, frames, r.json()["seq"])
    events = [f for f in frames if f.startswith(('42["event"', '42["events"'))]
    assert events and not [f for f in events if "survey_answered" in f or "complaint_" in f or ticket["label"] in f]
    assert len([f for f in frames if f.startswith('42["snapshot"')]) == 1  # the one at its connect
    head.post(f"{live.url}/api/tickets/{r.json()['ticket']['token']}/cancel", json={}, timeout=5).raise_for_status()


def test_the_tv_hears_nothing_of_a_cases_lkpp_number_corrections_and_close_and_its_phone_shows_the_close(context, live):
    """Of one visitor's case the TV was told, with its label, that its form was corrected, that it was given an LKPP
    ticket number, that its record was corrected and when the LKPP's answer closed it: a TV-side watcher could
    follow A-012's escalation. The TV does nothing with those; the close now reaches the visitor's own phone page
    alone (it says "ditutup" at once, live as before), the rest only the staff. The TV asks no snapshot for them."""
    ticket = issue(live, "Pengunjung")
    tv, frames = tv_hearing(context, live)
    phone, _ = open_phone(context, live, ticket["token"])
    phone.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
    expect(phone.locator("#status")).to_have_text("menunggu")

    head, officer = live.session("kepala", PASSWORD), live.session("petugas", PASSWORD)
    form = {"name": "Pengunjung Baru", "agency": "CV Maju Bersama", "address": "Jl. Sudirman No. 12"}
    form.update(phone="081234567890", problem="Pengunjung: lupa kata sandi akun penyedia SPSE")
    r = head.post(f"{live.url}/api/tickets/{ticket['label']}/form", json=form, timeout=5)
    assert r.status_code == 200 and r.json()["changed"] == ["name"], r.text
    for _ in range(30):  # counter 1 serves the line before it, then escalates it
        r = officer.post(f"{live.url}/api/counters/1/call-next", json={}, timeout=5)
        assert r.status_code == 200, r.text
        mine = r.json()["ticket"]["label"] == ticket["label"]
        officer.post(f"{live.url}/api/counters/1/start", json={}, timeout=5).raise_for_status()
        end = (
            ("escalate", {"note": "Perlu LKPP", "category": "pengaduan"}) if mine else ("resolve", {"solution": "Ok."})
        )
        officer.post(f"{live.url}/api/counters/1/{end[0]}", json=end[1], timeout=5).raise_for_status()
        if mine:
            break
    expect(phone.locator("#status")).to_have_text("dieskalasi")
    for path, body in (("lkpp-ticket", {"lkpp_ticket": "TTS-0042"}), ("correct", {"escalation_note": "Perlu cek"})):
        r = officer.post(f"{live.url}/api/tickets/{ticket['label']}/{path}", json=body, timeout=5)
        assert r.status_code == 200, (path, r.text)
    r = officer.post(f"{live.url}/api/tickets/{ticket['label']}/close", json={"answer": "Sudah."}, timeout=5)
    assert r.status_code == 200, r.text
    expect(phone.locator("#status")).to_have_text("ditutup")  # live, from its own room
    # how the answer reaches its visitor: "sudah dijawab. Terima kasih." left them asking where it was
    expect(phone.locator("#note")).to_have_text(
        "Helpdesk LKPP sudah menjawab permasalahan Anda. Petugas LPSE akan menyampaikan jawabannya kepada Anda"
        " (lewat telepon, atau saat Anda datang)."
    )

    r = requests.post(f"{live.url}/api/tickets", json=visitor(service="C"), timeout=5)  # then a public change
    assert r.status_code == 201, r.text
    tv_heard(tv, frames, r.json()["seq"])
    events = [f for f in frames if f.startswith(('42["event"', '42["events"'))]
    told = [f for f in events if ticket["label"] in f]
    assert any('"served"' in f for f in told)  # its counter is free again: the TV hears that, not how it ended
    hidden = ('"form_corrected"', '"lkpp_ticket"', '"corrected"', '"closed"', "TTS-0042", '"escalated"', '"resolved"')
    assert not [f for f in events if any(word in f for word in hidden)]
    assert len([f for f in frames if f.startswith('42["snapshot"')]) == 1  # the one at its connect
    head.post(f"{live.url}/api/tickets/{r.json()['ticket']['token']}/cancel", json={}, timeout=5).raise_for_status()


# -- the kiosk -------------------------------------------------------------------------------------------


def test_an_older_look_at_the_state_does_not_put_back_older_waiting_counts(context, live):
    """The kiosk looks at GET /api/state after each number issued anywhere. Two looks can cross (one slowed on the
    office's network): the older answer, taken last, put back the waiting count of before until the next event."""
    page = context(viewport={"width": 1080, "height": 1920}, has_touch=True).new_page()
    page.goto(f"{live.url}/kiosk/")
    expect(page.locator("#screen-welcome")).to_be_visible()
    page.wait_for_function("() => window.antrianKiosk.live", polling=50)
    before = next(
        s["waiting"] for s in requests.get(f"{live.url}/api/state", timeout=5).json()["services"] if s["code"] == "C"
    )
    held = hold_first(page, "**/api/state")  # the first look's answer, given to the page after the next's
    tickets = [issue(live, "Pengunjung", service="C")]
    until_on_page(page, lambda: held, "the kiosk did not look at the state after a number was issued")
    tickets.append(issue(live, "Pengunjung", service="C"))
    info = page.locator('[data-info="C"]')
    expect(info).to_contain_text(f"{before + 2} orang menunggu")  # the second look's answer
    looks = page.evaluate("antrianKiosk.stateLooks")
    route, answer = held[0]
    route.fulfill(response=answer)  # the first look's answer, older, comes last
    page.wait_for_function(f"() => antrianKiosk.stateLooks > {looks}", polling=50)
    expect(info).to_contain_text(f"{before + 2} orang menunggu")
    head = live.session("kepala", PASSWORD)
    for ticket in tickets:  # cancelled: the next tests find the line as it was
        r = head.post(f"{live.url}/api/tickets/{ticket['token']}/cancel", json={}, timeout=5)
        assert r.status_code == 200, r.text
