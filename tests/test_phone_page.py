"""The visitor's phone page (/t/<token>) as a visitor lives it, from a review of a whole visit: every call
rings, also after a skip; what a skip means is said; a lost connection is said at the top; the sound
button tells the truth; the language stays. A real server process and real Chromium as a phone.

The module shares one server; counter 1 (services A and C) is the officer's, and every test leaves it
free with nothing waiting: the `officer` fixture empties the queue after each test, also one that failed half-way
(a counter left calling made every test after it fail)."""

from __future__ import annotations

import math
import re

import pytest
import requests
from conftest import hold_first, until_on_page, visitor, write_config
from live import ClockedServer, LiveServer
from pageclock import CALM_NUMBERS, install_clock
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import counter_actions, empty_queue

PHONE = {"width": 360, "height": 640}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# A phone's browser: no sound before the visitor's first tap (Chrome on Android). Headless Chromium lets a
# page play at once, so the rule is played here: the AudioContext says "suspended" and resume() never
# settles until a real tap (tests/test_display_page.py plays the same for the TV).
AUTOPLAY_BLOCKED = """
let unlocked = false;
addEventListener("pointerdown", (e) => { if (e.isTrusted) unlocked = true; }, true);
const Context = window.AudioContext;
window.AudioContext = class extends Context {
  get state() { return unlocked ? super.state : "suspended"; }
  resume() { return unlocked ? super.resume() : new Promise(() => {}); }
};
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = LiveServer(write_config(tmp_path_factory.mktemp("phone"))).start()
    server.add_user("petugas", "officer")
    server.add_user("kepala", "admin")  # empty_queue's
    yield server
    server.stop()


@pytest.fixture
def officer(live):
    yield counter_actions(live, "petugas")
    empty_queue(live)


def issue(live, service: str = "C") -> dict:
    r = requests.post(f"{live.url}/api/tickets", json=visitor(service=service), timeout=5)
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


@pytest.fixture
def phone(browser, live):
    contexts = []

    def open_phone(token: str, init: str = "", query: str = "", before=None, viewport: dict | None = None):
        context = browser.new_context(viewport=viewport or PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        contexts.append(context)
        context.add_init_script("window.__vibrations = []; navigator.vibrate = p => (__vibrations.push(p), true);")
        if init:
            context.add_init_script(init)
        page = context.new_page()
        if before:
            before(page)  # routes set before the page loads
        page.goto(f"{live.url}/t/{token}{query}")
        page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
        return page

    yield open_phone
    for context in contexts:
        context.close()


def read_after_an_event(page, live, held: list) -> None:
    """Another visitor takes a number: every phone reads its own ticket again, the read held in `held`. A phone
    whose connection dropped meanwhile (a loaded machine) gets a snapshot instead, which carries its ticket and
    reads nothing: one more number then, up to three."""
    for _ in range(3):
        issue(live, "B")
        try:
            until_on_page(page, lambda: held, "the page did not read its ticket after an event", timeout=5)
            return
        except AssertionError:
            continue
    until_on_page(page, lambda: held, "the page did not read its ticket after three events")


def rung(page, n: int) -> None:
    """Wait until the phone has vibrated for `n` calls."""
    page.wait_for_function(f"() => __vibrations.length >= {n}", polling=50)
    assert page.evaluate("__vibrations.length") == n


def test_every_call_rings_also_the_one_that_follows_a_skip_in_the_same_moment(phone, live, officer):
    """The visitor is the only one waiting: called three times, then "call next" skips them and calls them
    again at once (one commit: the skip and a call that counts from 1). That call and its recalls ring;
    before, the page counted calls and stayed silent until the visitor was a no-show."""
    mine = issue(live)
    page = phone(mine["token"])
    assert officer("call-next")["label"] == mine["label"]
    rung(page, 1)
    officer("recall")
    rung(page, 2)
    officer("recall")
    rung(page, 3)
    again = officer("call-next")
    assert (again["label"], again["calls"], again["requeues"]) == (mine["label"], 1, 1)
    rung(page, 4)
    expect(page.locator("#called-go")).to_have_text("Silakan menuju Loket 1")
    officer("recall")
    rung(page, 5)
    officer("start")
    officer("resolve")
    expect(page.locator("#status")).to_have_text("selesai")
    assert page.evaluate("__vibrations.length") == 5


def test_an_answer_read_before_the_call_but_arriving_after_it_does_not_undo_the_call(phone, live, officer):
    """Every event makes the page read its ticket again; on a weak signal an answer read while the visitor
    still waited may arrive after the call's event. It is older than the call (its seq): dropped, and
    the call shows and rings (before, the page went back to "Menunggu" and never rang)."""
    mine = issue(live)
    page = phone(mine["token"])
    held = hold_first(page, f"**/api/tickets/{mine['token']}?*")  # read now (waiting), delivered later
    read_after_an_event(page, live, held)
    officer("call-next")
    rung(page, 1)
    route, answer = held[0]
    route.fulfill(response=answer)  # the stale answer arrives now
    issue(live, "B")  # one more event, whose own read is answered after the stale one
    seq = requests.get(f"{live.url}/api/state", timeout=5).json()["seq"]
    page.wait_for_function(f"() => antrianPhone.seq() >= {seq}", polling=50)
    expect(page.locator("#status")).to_have_text("dipanggil")
    assert page.evaluate("__vibrations.length") == 1
    officer("start")
    officer("resolve")


def test_a_visitor_passed_over_is_told_so_and_that_one_more_miss_makes_the_number_a_no_show(phone, live, officer):
    """The last chance says what the rules do after one more miss (server/core.py skip, max_requeues): the
    number is marked "tidak hadir" (no_show) and not called again; it is not cancelled ("dibatalkan" is
    the front office's act, and the page said so wrongly)."""
    mine = issue(live)
    page = phone(mine["token"])
    for n, action in enumerate(("call-next", "recall", "recall"), start=1):
        officer(action)
        rung(page, n)  # an officer recalls seconds apart (calls within 0.4 s of each other ring once)
    other = issue(live)
    assert officer("call-next")["label"] == other["label"]  # mine requeued right behind it
    expect(page.locator("#status")).to_have_text("menunggu")
    expect(page.locator("#skipped")).to_have_text(
        "Nomor Anda sudah dilewati karena tidak datang saat dipanggil. Anda akan dipanggil sekali lagi; "
        "jika tidak datang, nomor Anda dicatat tidak hadir dan tidak dipanggil lagi."
    )
    assert page.locator("#skipped").bounding_box()["y"] < 640  # in the first screen, not below the fold
    expect(page.locator("#position")).to_have_text("Posisi Anda: ke-1 · Tidak ada antrian di depan Anda")
    # nobody ahead, but the one counter with an officer is busy with the other visitor: not "segera"
    expect(page.locator("#wait")).to_have_text(re.compile(r"^Perkiraan waktu tunggu: ±\s\d+\smenit$"))
    assert "ke-0" not in page.locator("#facts").inner_text()
    officer("start")
    officer("resolve")
    assert officer("call-next")["label"] == mine["label"]
    rung(page, 4)
    # One more miss, as the page said: all the calls, then the skip makes it a no-show, not a cancel.
    for n in (5, 6):
        officer("recall")
        rung(page, n)
    assert officer("skip")["status"] == "no_show"
    expect(page.locator("#status")).to_have_text("tidak hadir")
    expect(page.locator("#skipped")).to_be_hidden()
    page.tap("#lang-toggle")
    expect(page.locator("#status")).to_have_text("no show")


def test_a_call_says_which_is_the_last_and_that_missing_it_after_a_skip_makes_a_no_show(phone, live, officer):
    """The TV marks a ticket's last call ("Panggilan ke-3 (terakhir)"); the phone said only "Nomor C-001
    dipanggil (panggilan ke-3)", and at the call after a skip (the visitor's last chance) the plain "Nomor
    C-001 dipanggil": the warning the waiting page gave ("jika tidak datang, ... tidak hadir") was gone at
    the one moment it matters (found playing a visit through, helper-141)."""
    mine = issue(live)
    label = mine["label"]
    page = phone(mine["token"])
    sub, miss = page.locator("#called-sub"), page.locator("#called-miss")
    officer("call-next")
    rung(page, 1)
    expect(sub).to_have_text(f"Nomor {label} dipanggil")
    expect(miss).to_be_hidden()
    officer("recall")
    rung(page, 2)
    expect(sub).to_have_text(f"Nomor {label} dipanggil (panggilan ke-2)")
    expect(miss).to_be_hidden()
    officer("recall")
    rung(page, 3)
    # the third of max_calls = 3, as the TV marks it, and what a miss does in this first round
    expect(sub).to_have_text(f"Nomor {label} dipanggil (panggilan ke-3, terakhir)")
    expect(miss).to_have_text(
        "Panggilan terakhir: jika Anda tidak datang, nomor Anda dilewati dan dipanggil lagi nanti."
    )
    assert officer("skip")["status"] == "waiting"
    expect(miss).to_be_hidden()
    assert officer("call-next")["label"] == label  # nobody else waits: called again at once
    rung(page, 4)
    # the last chance's first call: no "terakhir" in the count yet, but a miss now is a no-show
    expect(sub).to_have_text(f"Nomor {label} dipanggil")
    expect(miss).to_have_text("Kesempatan terakhir: jika Anda tidak datang, nomor Anda dicatat tidak hadir.")
    box = miss.bounding_box()
    assert box and box["y"] + box["height"] <= PHONE["height"], box  # on the first screen, under the call
    page.tap("#lang-toggle")
    expect(miss).to_have_text("Last chance: if you do not come, your number is marked as a no-show.")
    expect(sub).to_have_text(f"Number {label} is called")
    page.tap("#lang-toggle")
    officer("start")
    expect(miss).to_be_hidden()
    officer("resolve")


def test_every_call_and_what_missing_it_does_is_on_the_first_screen_of_a_small_phone(phone, live, officer):
    """At the third call, the last of its round, the call's box says which call it is on two lines and what a miss
    does on four: under the number's card it ran past the bottom of a 360x640 screen (11 px), and of a 320x568 one
    by more than 100 px, the warning cut in two, at the one call it is written for. The call comes first, under
    the bar, whole on the first screen in both languages; the number's card follows."""
    mine = issue(live)  # "Registrasi & Verifikasi Akun": two lines at 320 px
    sizes = ({"width": 360, "height": 640}, {"width": 320, "height": 568})
    pages = [phone(mine["token"], viewport=size, query=query) for size in sizes for query in ("", "?lang=en")]

    def whole_on_the_first_screen(calls: int) -> None:
        for page in pages:
            expect(page.locator("#called-sub")).to_contain_text(mine["label"])
            page.wait_for_function(f"() => antrianPhone.ticket().calls === {calls}", polling=50)
            box = page.locator("#called").bounding_box()
            size = page.viewport_size
            assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], (size, page.url, calls, box)

    officer("call-next")
    whole_on_the_first_screen(1)
    officer("recall")
    officer("recall")  # the last of the round: "(panggilan ke-3, terakhir)" and "Panggilan terakhir: ..."
    whole_on_the_first_screen(3)
    expect(pages[-1].locator("#called-miss")).to_be_visible()
    officer("skip")
    officer("call-next")  # the last chance: "Kesempatan terakhir: ..."
    whole_on_the_first_screen(1)
    officer("recall")
    officer("recall")
    whole_on_the_first_screen(3)
    officer("start")
    officer("resolve")


def test_an_admins_new_number_of_calls_reaches_an_open_phone_page(phone, live, officer):
    """[queue] max_calls changed on the admin page while a visitor's phone is open: its last call is the one
    the TV marks now, not the one of the page's drawing."""
    admin = live.session("kepala", "rahasia-123")

    def max_calls(n: int) -> None:
        r = admin.put(f"{live.url}/api/admin/settings/queue", json={"value": {"max_calls": n}}, timeout=5)
        assert r.status_code == 200, r.text

    mine = issue(live)
    page = phone(mine["token"])
    try:
        max_calls(2)
        officer("call-next")
        rung(page, 1)
        officer("recall")
        rung(page, 2)
        expect(page.locator("#called-sub")).to_have_text(f"Nomor {mine['label']} dipanggil (panggilan ke-2, terakhir)")
        expect(page.locator("#called-miss")).to_be_visible()
    finally:
        max_calls(3)
    officer("start")
    officer("resolve")


def test_a_lost_connection_is_said_at_the_top_and_what_may_be_old_is_greyed(phone, live, officer):
    mine = issue(live)
    page = phone(mine["token"])
    banner = page.locator("#conn")
    expect(banner).to_be_hidden()
    page.context.set_offline(True)
    page.evaluate("antrianPhone.socket.io.engine.close()")  # the Wi-Fi is gone: the transport drops
    expect(banner).to_have_text("Koneksi terputus, mencoba menyambung kembali…")
    box = banner.bounding_box()
    assert box["y"] < 120 and box["height"] > 30, box  # at the top, in sight, not a line below the fold
    # greyed, still readable (tests/test_accessibility.py measures its contrast)
    assert page.evaluate("getComputedStyle(document.getElementById('position')).color") == "rgb(91, 100, 117)"
    officer("call-next")  # called while cut off
    page.context.set_offline(False)
    expect(page.locator("#called-go")).to_have_text("Silakan menuju Loket 1")  # the snapshot brings it
    expect(banner).to_be_hidden()
    rung(page, 1)
    officer("start")
    officer("resolve")


def test_a_phone_back_on_its_screen_shows_a_call_its_silently_dead_socket_never_brought(phone, live, officer):
    """The visitor locks the phone while waiting; meanwhile the guest Wi-Fi hands it over to mobile data and the
    socket's connection is dead without a word: no close reaches either end. The number is called. Unlocked, the
    page said "Menunggu", with no word of a lost connection, until socket.io's ping timeout (36 s measured, up to
    45) while the officer called, recalled and passed the number over. Back on the screen it reads its ticket
    over HTTP at once: the call shows, and rings."""
    silent = []  # once set, the socket's messages go nowhere, either way

    def black_hole(page) -> None:
        def route(ws) -> None:
            server = ws.connect_to_server()
            ws.on_message(lambda m: silent or server.send(m))
            server.on_message(lambda m: silent or ws.send(m))

        page.route_web_socket("**/socket.io/**", route)

    mine = issue(live)
    page = phone(mine["token"], before=black_hole)
    page.wait_for_function("() => antrianPhone.socket.io.engine.transport.name === 'websocket'", polling=50)
    silent.append(True)  # the Wi-Fi handed over: the old connection is gone, unknown to both ends
    officer("call-next")
    expect(page.locator("#status")).to_have_text("menunggu")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # the screen comes on
    expect(page.locator("#called-go")).to_have_text("Silakan menuju Loket 1")
    expect(page.locator("#status")).to_have_text("dipanggil")
    rung(page, 1)
    officer("start")
    officer("resolve")


# Android's navigator.connection, whose `type` a test sets: Chromium on a PC has no `type` (nor a network to change)
NETWORK = """
const network = new EventTarget();
network.type = "wifi";
Object.defineProperty(Navigator.prototype, "connection", { get: () => network, configurable: true });
window.__switchNetwork = (type) => { network.type = type; network.dispatchEvent(new Event("change")); };
"""


def test_a_phone_moved_from_the_wifi_to_mobile_data_shows_the_call_and_connects_anew(phone, live, officer):
    """The visitor watches the page while the phone leaves the guest Wi-Fi for mobile data: the socket's connection
    stays on the old network, dead without a word, and the page looked current ("Menunggu", no word of a lost
    connection) until socket.io's ping timeout, while the officer called. On the network's change it reads its
    ticket at once and its socket connects anew: the call shows and rings, and the recall comes live."""
    dead: list[bool] = []  # the connections of the old network: their messages go nowhere, either way

    def old_network(page) -> None:
        def route(ws) -> None:
            gone = len(dead)  # this connection dies with the network it was made on
            server = ws.connect_to_server()
            ws.on_message(lambda m: len(dead) > gone or server.send(m))
            server.on_message(lambda m: len(dead) > gone or ws.send(m))

        page.route_web_socket("**/socket.io/**", route)

    mine = issue(live)
    page = phone(mine["token"], init=NETWORK, before=old_network)
    page.wait_for_function("() => antrianPhone.socket.io.engine.transport.name === 'websocket'", polling=50)
    page.evaluate("antrianPhone.socket.io.engine.on('close', () => { window.__closed = true; })")
    dead.append(True)
    officer("call-next")
    expect(page.locator("#status")).to_have_text("menunggu")
    page.evaluate("__switchNetwork('cellular')")
    expect(page.locator("#called-go")).to_have_text("Silakan menuju Loket 1")
    rung(page, 1)
    page.wait_for_function("() => window.__closed && antrianPhone.connected()", polling=50)
    officer("recall")  # through the new connection
    expect(page.locator("#called-sub")).to_have_text(f"Nomor {mine['label']} dipanggil (panggilan ke-2)")
    rung(page, 2)
    officer("start")
    officer("resolve")


def test_the_sound_button_says_on_only_once_a_tap_allowed_sound_and_beeps_then(phone, live, officer):
    mine = issue(live)
    page = phone(mine["token"], init=AUTOPLAY_BLOCKED)
    sound = page.locator("#sound")
    expect(sound).to_have_text("Aktifkan suara panggilan")
    officer("call-next")  # the call tries to ring: the browser keeps the sound off
    rung(page, 1)
    expect(sound).to_have_text("Aktifkan suara panggilan")  # before: "Suara panggilan aktif", yet silent
    page.evaluate("""() => {
        window.__beeps = 0;
        const start = OscillatorNode.prototype.start;
        OscillatorNode.prototype.start = function (...a) { __beeps++; return start.apply(this, a); };
    }""")
    sound.tap()
    expect(sound).to_have_text("Suara panggilan aktif")
    assert page.evaluate("__beeps") == 1  # one beep on the tap: the visitor hears how loud a call will be
    officer("start")
    officer("resolve")


def test_the_language_stays_after_a_reload_and_a_bare_t_is_the_phone_404(phone, live, officer):
    mine = issue(live, "A")
    page = phone(mine["token"])
    page.locator("#lang-toggle").tap()
    expect(page.locator("#status")).to_have_text("waiting")
    assert "lang=en" in page.url
    page.reload()
    expect(page.locator("#status")).to_have_text("waiting")
    assert officer("call-next")["label"] == mine["label"]  # leaves nothing waiting
    officer("start")
    officer("resolve")
    r = requests.get(f"{live.url}/t/", timeout=5)
    assert r.status_code == 404 and "Tiket tidak ditemukan" in r.text and "Periksa alamat" in r.text


def test_a_counter_named_with_dollar_signs_is_written_as_it_is(browser, tmp_path):
    """phone.js filled "{counter}" with String.replace and a string, which reads "$&" (what was found) and "$$"
    ("$") in it: "Loket $& $$ 2" came out "Loket {counter} $ 2". The staff pages' filler (common.js t, with
    replaceAll) did the same. A value goes in as it is now."""
    from staffpages import sign_in

    name = "Loket $& $$ 2"
    server = LiveServer(write_config(tmp_path, {'name = "Loket 1"': f'name = "{name}"'})).start()
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        server.add_user("petugas", "officer")
        session = server.session("petugas", "rahasia-123")
        mine = issue(server)
        for action in ("call-next", "start"):
            r = session.post(f"{server.url}/api/counters/1/{action}", json={}, timeout=5)
            assert r.status_code == 200, r.text
        page = context.new_page()
        page.goto(f"{server.url}/t/{mine['token']}")
        page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
        expect(page.locator("#note")).to_have_text(f"Anda sedang dilayani di {name}.")
        page.locator("#lang-toggle").tap()
        expect(page.locator("#note")).to_have_text(f"You are being served at {name}.")
        staff = sign_in(context.new_page(), server, "/counter/", "petugas")
        filled = staff.evaluate(
            "async (name) => (await import('/counter/static/common.js')).t('{counter} · {counter}', {counter: name})",
            name,
        )
        assert filled == f"{name} · {name}"
    finally:
        context.close()
        server.stop()


def test_a_number_left_waiting_at_the_days_end_says_what_to_do_now(browser, tmp_path):
    """A visitor who went out (to smoke, to lunch) and whose number was still waiting at the office's midnight
    opens the page, live or from the slip's QR code the next morning: "Kedaluwarsa" and only "Nomor antrian ini
    sudah tidak berlaku." left them guessing whether to wait, come back or ask. The note says why (the day ended
    before they were served) and what to do (take a new number), in both languages."""
    server = ClockedServer(write_config(tmp_path)).start()
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        mine = issue(server, "A")
        page = context.new_page()
        page.goto(f"{server.url}/t/{mine['token']}")
        page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
        server.next_day()  # the page is open, live, over the day's turn
        expect(page.locator("#status")).to_have_text("kedaluwarsa")
        note = page.locator("#note")
        expect(note).to_contain_text("hari layanannya sudah berakhir")
        expect(note).to_contain_text("ambil nomor antrian baru")
        page.goto(f"{server.url}/t/{mine['token']}?lang=en")  # the slip's QR code again, in English
        expect(page.locator("#status")).to_have_text("expired")
        expect(page.locator("#note")).to_contain_text("take a new queue number")
        assert note.bounding_box()["y"] + note.bounding_box()["height"] <= PHONE["height"]  # on the first screen
    finally:
        context.close()
        server.stop()


def test_a_call_withdrawn_when_its_counter_is_freed_is_said_until_the_next_call(phone, live, officer):
    """The visitor is called to Loket 1 and walks there; the front office frees the counter (its officer gone):
    the call goes back to the line at its place (core.return_to_line). The page went back to "Menunggu, ke-1"
    without a word, the visitor left wondering whether they missed it or lost their place. It says the call was
    withdrawn, that the number was not passed over and keeps its place, in the card, after a reload too, and the
    page without script says it; the next call ends it (found by helper-316's walk through a morning)."""
    live.add_user("fo318", "frontoffice")
    front = live.session("fo318", "rahasia-123")
    mine = issue(live)
    page = phone(mine["token"])
    officer("call-next")
    rung(page, 1)
    front.post(f"{live.url}/api/counters/1/release", json={}, timeout=5).raise_for_status()
    said = page.locator("#withdrawn")
    expect(said).to_have_text(
        "Panggilan ke Loket 1 dibatalkan oleh petugas. Nomor Anda tidak dilewati: Anda tetap di tempat antrian Anda "
        "dan akan dipanggil lagi."
    )
    expect(page.locator("#status")).to_have_text("menunggu")
    expect(page.locator("#position")).to_have_text("Posisi Anda: ke-1 · Tidak ada antrian di depan Anda")
    expect(page.locator("#skipped")).to_be_hidden()
    box = said.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box  # on the first screen
    keep_shot(page, "phone-withdrawn.png")
    view = requests.get(f"{live.url}/api/tickets/{mine['token']}", timeout=5).json()["ticket"]
    assert view["withdrawn"]["counter_name"] == "Loket 1" and view["withdrawn"]["reason"] == "freed"
    assert "fo318" not in str(view) and "petugas" not in str(view)  # nothing of who
    lite = requests.get(f"{live.url}/t/{mine['token']}?lite=1", timeout=5).text
    assert "Panggilan ke Loket 1 dibatalkan" in lite
    page.goto(f"{live.url}/t/{mine['token']}?lang=en")  # reopened: the server knows it
    expect(said).to_have_text(
        "The call to Loket 1 was cancelled by the staff. Your number was not passed over: you keep your place in "
        "the line and will be called again."
    )
    page.wait_for_function("() => antrianPhone.connected()", polling=50)
    assert officer("call-next")["label"] == mine["label"]  # the officer back: called again, all its calls anew
    expect(page.locator("#called-go")).to_have_text("Please go to Loket 1")
    officer("recall")
    officer("recall")
    officer("skip")  # passed over this time: the skip's note, not the withdrawn call's
    expect(page.locator("#skipped")).to_be_visible()
    expect(said).to_be_hidden()
    assert officer("call-next")["label"] == mine["label"]
    officer("start")
    officer("resolve")


def test_the_wait_counts_down_from_when_it_was_estimated_and_stops_at_soon(browser, tmp_path):
    """The estimate ("± 8 menit") changed only at an event that moved the line: a page left open 40 minutes into
    the wait still said what it said at the start. It counts down on the page's clock from when the estimate was
    made; an event that leaves it as it was (another service's visitor takes a number) does not start it again;
    past its end it says "segera", never a negative or zero minute."""
    # CALM_NUMBERS: the server never pings, so the page's clock moves the 16 s to its next look at the wait in one
    # call (run_clock_for's steps each waited for a ping of the server: half the test's time)
    server = LiveServer(write_config(tmp_path), numbers=CALM_NUMBERS).start()
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        server.add_user("petugas", "officer")
        officer = counter_actions(server, "petugas")
        issue(server)
        officer("call-next")
        officer("start")  # the one counter at work is busy with that visitor
        mine = issue(server)
        estimate = requests.get(f"{server.url}/api/tickets/{mine['token']}", timeout=5).json()["ticket"]
        minutes = math.ceil(estimate["estimated_wait_s"] / 60)
        assert minutes > 6, estimate
        page = context.new_page()
        install_clock(page)
        page.goto(f"{server.url}/t/{mine['token']}")
        page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
        wait = page.locator("#wait")
        expect(wait).to_have_text(re.compile(rf"^Perkiraan waktu tunggu: ±\s{minutes}\smenit$"))

        def later(seconds: int) -> None:
            page.clock.set_system_time(page.evaluate("Date.now()") / 1000 + seconds)  # Python's: in seconds
            page.clock.run_for(16_000)  # the page's next look at its wait

        left = estimate["estimated_wait_s"] - 4 * 60 - 16
        later(4 * 60)  # 4 min 16 s since the estimate, and the seconds the test took
        counted = re.compile(
            rf"^Perkiraan waktu tunggu: ±\s({math.ceil((left - 20) / 60)}|{math.ceil(left / 60)})\smenit$"
        )
        expect(wait).to_have_text(counted)
        issue(server, "B")  # an event: the phone reads its ticket again, the same estimate
        seq = requests.get(f"{server.url}/api/state", timeout=5).json()["seq"]
        page.wait_for_function(f"() => antrianPhone.seq() >= {seq}", polling=50)
        assert page.evaluate("antrianPhone.ticket().estimated_wait_s") == estimate["estimated_wait_s"]
        page.clock.run_for(16_000)
        expect(wait).to_have_text(counted)  # not back to the start
        later(40 * 60)
        expect(wait).to_have_text("Perkiraan waktu tunggu: segera")
        keep_shot(page, "phone-wait-over.png")
    finally:
        context.close()
        server.stop()


def test_a_place_whose_reads_failed_half_a_minute_is_read_again_once_a_minute(browser, tmp_path):
    """Passed over, the number waits again; the skip's event has no place in it, and the page reads its ticket for it.
    Those reads refused for half a minute (the guest Wi-Fi's shared address over its request budget, the server
    busy), the page gave up after the fifth try and said "Memperbarui posisi Anda…" until the office's next event,
    minutes later in a quiet hour. It tries again once a minute, until a read comes."""
    server = LiveServer(write_config(tmp_path), numbers=CALM_NUMBERS).start()  # the page's clock moves on in steps
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        server.add_user("petugas", "officer")
        officer = counter_actions(server, "petugas")
        mine = issue(server)
        page = context.new_page()
        install_clock(page)
        refused: list = []

        def route(r) -> None:
            if refusing:
                refused.append(r.request.url)
                r.fulfill(status=503, json={"error": "db_busy"})
            else:
                r.continue_()

        refusing = False
        page.route(f"**/api/tickets/{mine['token']}?*", route)
        page.goto(f"{server.url}/t/{mine['token']}")
        page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
        for action in ("call-next", "recall", "recall"):  # skipped only after its third call
            officer(action)
        expect(page.locator("#called-sub")).to_contain_text("terakhir")
        refusing = True
        officer("skip")
        position = page.locator("#position")
        expect(position).to_have_text("Memperbarui posisi Anda…")

        def on(seconds: int, done) -> bool:
            """The page's clock moved on a second at a time, at most `seconds`, until `done()`; whether it held."""
            for _ in range(seconds):
                if done():
                    return True
                page.clock.run_for(1000)
                page.evaluate("fetch('/healthz').then(() => 0)")  # a round trip: the refused reads' answers handled
            return done()

        assert on(40, lambda: len(refused) >= 6), refused  # the first read and its five tries, within 30 s
        refusing = False
        assert on(70, lambda: position.text_content() != "Memperbarui posisi Anda…"), refused
        expect(position).to_have_text("Posisi Anda: ke-1 · Tidak ada antrian di depan Anda")
    finally:
        context.close()
        server.stop()


def test_an_expired_number_names_when_the_office_opens_next(browser, tmp_path):
    """The expired number's note says to take a new number "pada jam layanan": a visitor reading it at 17.00, the
    office closed, did not know when that is. With [hours] set and the office closed it names the next opening as
    the kiosk does ("Buka kembali Senin, …"), with and without script, in both languages."""
    days = "".join(f'{day} = "08:00-16:00"\n' for day in WEEKDAYS)
    server = ClockedServer(write_config(tmp_path, extra=f"\n[hours]\n{days}")).start()
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        mine = issue(server, "A")  # 09:00, open
        page = context.new_page()
        page.goto(f"{server.url}/t/{mine['token']}")
        page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
        server.advance(86400 + 8 * 3600)  # 17:00 the next day: expired at midnight, the office closed since 16:00
        expect(page.locator("#status")).to_have_text("kedaluwarsa")
        note = page.locator("#note")
        expect(note).to_contain_text("ambil nomor antrian baru")
        expect(note).to_have_text(re.compile(r"Layanan buka kembali \w+, \d+ \w+ \d{4} pukul 08\.00 WIB\.$"))
        box = note.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], box  # on the first screen
        keep_shot(page, "phone-expired-reopens.png")
        lite = requests.get(f"{server.url}/t/{mine['token']}?lite=1", timeout=5).text
        assert "Layanan buka kembali" in lite and "pukul 08.00" in lite
        page.tap("#lang-toggle")
        expect(note).to_have_text(re.compile(r"The office opens again on \w+, \d+ \w+ \d{4} at 08:00 WIB\.$"))
    finally:
        context.close()
        server.stop()


def test_a_number_cancelled_or_a_no_show_says_when_and_where_to_come_back_after_the_day(browser, tmp_path):
    """A visitor whose number was cancelled (with a staff-only reason) or marked a no-show leaves the page open. At
    17.00, the office closed, it said "Silakan hubungi front office" and nothing of when the front office is there;
    the next morning at 07.30 the same, of yesterday's number, which nobody can bring back: the visitor queued at a
    closed front office to ask about it. The office closed, it names the next opening; a number of an earlier day says
    to take a new one, as an expired number does; in both languages, with and without script; never the reason."""
    days = "".join(f'{day} = "08:00-16:00"\n' for day in WEEKDAYS)
    server = ClockedServer(write_config(tmp_path, extra=f"\n[hours]\n{days}")).start()
    server.add_user("rina", "frontoffice")
    server.add_user("petugas", "officer")
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        cancelled, missed = issue(server, "A"), issue(server, "A")
        front = server.session("rina", "rahasia-123")
        reason = "Pengunjung marah-marah di ruang tunggu"
        r = front.post(f"{server.url}/api/tickets/{cancelled['label']}/cancel", json={"reason": reason}, timeout=5)
        assert r.status_code == 200, r.text
        officer = counter_actions(server, "petugas")
        for action in ("call-next", "recall", "recall", "skip", "call-next", "recall", "recall"):
            officer(action)
        assert officer("skip")["status"] == "no_show"
        pages = {}
        for ticket in (cancelled, missed):
            page = pages[ticket["label"]] = context.new_page()
            page.goto(f"{server.url}/t/{ticket['token']}")
            page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
        note, missed_note = pages[cancelled["label"]].locator("#note"), pages[missed["label"]].locator("#note")
        expect(note).to_have_text("Nomor antrian ini dibatalkan. Silakan hubungi front office.")  # 09.00: open
        reopens = re.compile(r" Layanan buka kembali \w+, \d+ \w+ \d{4} pukul 08\.00 WIB\.$")
        server.advance(8 * 3600)  # 17.00 the same day, the office closed since 16.00, the pages left open
        expect(note).to_have_text(
            re.compile(r"^Nomor antrian ini dibatalkan\. Silakan hubungi front office\." + reopens.pattern)
        )
        expect(missed_note).to_have_text(
            re.compile(r"^Nomor Anda dilewati .* Silakan hubungi front office\." + reopens.pattern)
        )
        server.advance(14 * 3600 + 30 * 60)  # 07.30 the next morning, still closed
        take_new = "silakan ambil nomor antrian baru di kios atau front office pada jam layanan."
        expect(note).to_have_text(
            re.compile(r"^Nomor antrian ini dibatalkan, .*" + re.escape(take_new) + reopens.pattern)
        )
        expect(missed_note).to_have_text(re.compile(r"^Nomor Anda dilewati .*" + re.escape(take_new) + reopens.pattern))
        assert "hubungi front office" not in note.inner_text() + missed_note.inner_text()
        for page in pages.values():
            box = page.locator("#note").bounding_box()
            assert box["y"] + box["height"] <= PHONE["height"], box  # on the first screen
        keep_shot(pages[cancelled["label"]], "phone-cancelled-next-morning.png")
        lite = requests.get(f"{server.url}/t/{cancelled['token']}?lite=1", timeout=5).text
        assert take_new in lite and "pukul 08.00" in lite
        pages[missed["label"]].tap("#lang-toggle")
        expect(missed_note).to_have_text(
            re.compile(r"take a new queue number .* opens again on \w+, \d+ \w+ \d{4} at 08:00")
        )
        server.advance(3600)  # 08.30: open; yesterday's number still says to take a new one, no opening named
        expect(note).to_have_text(re.compile(r"^Nomor antrian ini dibatalkan, .*" + re.escape(take_new) + "$"))
        for page in pages.values():  # the front office's reason is its own: never on the visitor's page
            assert reason not in page.content()
        assert reason not in lite
    finally:
        context.close()
        server.stop()
