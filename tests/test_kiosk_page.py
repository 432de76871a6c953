"""The kiosk touchscreen and the visitor's phone page, end to end: a real server and a real Chromium.

The complete form is typed by tapping the on-screen keys, as a visitor at a kiosk without a keyboard
would; the other tests tap what they are about (the phone number on its pad, a name left half-typed) and
put the rest straight into the fields (tests/test_kiosk_fit.py counts a whole form's taps).
The tests also refresh the screenshots in docs/screenshots/.
"""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from kioskui import (
    LONGEST,
    SMALL,
    TICKET_DONE_GUARD_MS,
    Keys,
    assert_actions_visible,
    assert_seen,
    done,
    fill_fast,
    kiosk_pages,
    shot,
    tap,
)
from pageclock import CALM_NUMBERS, PING_NUMBERS, install_clock, pause_clock
from playwright.sync_api import expect

from server.messages import message

PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
FORM = {
    "name": "Budi Santoso",
    "agency": "CV Maju Bersama",
    "address": "Jl. Sudirman No. 12",
    "phone": "081234567890",
    "problem": "Lupa kata sandi akun penyedia SPSE",
}
SHORT = {"name": "Ani", "agency": "CV A", "address": "Jl. B", "phone": "0812345678", "problem": "Tes"}
# kiosk/static/kiosk.js: the first look at a ticket's print job (PRINT_POLLS[0]); the socket gone this long
# before the kiosk says it is offline (OFFLINE_GRACE_MS); its pause before connecting again after the
# server closed the socket (reconnectPause); and Socket.IO's longest delay between its own tries
# (reconnectionDelayMax, its default).
FIRST_PRINT_LOOK_MS = 1_000
OFFLINE_GRACE_MS = 2_000
RECONNECT_PAUSE_MS = 2_000
SOCKETIO_DELAY_MAX_MS = 5_000


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """conftest's `live`, pinging every quarter second (pageclock.PING_NUMBERS): a kiosk whose running clock a test
    moves on by seconds (page.clock.run_for) hears a ping within its heartbeat. A test moving it on further uses
    `calm`, and moves it at once."""
    from conftest import write_config
    from live import LiveServer

    server = LiveServer(write_config(tmp_path_factory.mktemp("live")), numbers=PING_NUMBERS)
    yield server.start()
    server.stop()


@pytest.fixture(scope="module")
def calm(tmp_path_factory):
    """A server whose kiosks hear no ping (pageclock.CALM_NUMBERS): a test moving a kiosk's clock on by minutes at
    once keeps its connection (a jump past the heartbeat dropped it, and the kiosk then went offline)."""
    from conftest import write_config
    from live import LiveServer

    server = LiveServer(write_config(tmp_path_factory.mktemp("calm")), numbers=CALM_NUMBERS)
    yield server.start()
    server.stop()


@pytest.fixture
def kiosk(browser, live):
    with kiosk_pages(browser, live) as open_kiosk:
        yield open_kiosk


def waiting(live, service: str = "A") -> int:
    services = requests.get(f"{live.url}/api/state", timeout=5).json()["services"]
    return next(s["waiting"] for s in services if s["code"] == service)


def tap_text(page, text: str) -> None:
    """Type `text` into the active field by tapping the visible on-screen keys, shift included, each key once the
    one before is in the field (taps sent back to back lost the phone's first "0" on a loaded machine: counted as a
    double tap's second within the kiosk's screen-change guard, tests/test_kiosk_fast_taps.py)."""
    keys = Keys(page)
    shifted = page.locator("#osk-letters [data-key=shift]").get_attribute("aria-pressed") == "true"
    typed = page.evaluate("document.activeElement.value.length")
    for ch in text:
        key = "space" if ch == " " else ch.lower()
        if ch.isalpha() and ch.isupper() != shifted:
            keys.tap("shift")
            shifted = not shifted
        keys.tap(key)
        typed += 1
        page.wait_for_function("(n) => document.activeElement.value.length >= n", arg=typed, polling=20)
        if ch.isalpha():
            shifted = False  # shift holds for one letter


def fill(page, **values: str) -> None:
    for key, text in values.items():
        page.click(f"#f-{key}")
        tap_text(page, text)


def start_form(page, service: str = "A") -> None:
    page.click("#start")
    page.click(f'[data-service="{service}"]')
    expect(page.locator("#screen-form")).to_be_visible()


def field_values(page) -> dict[str, str]:
    return page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('#visitor-form input, #visitor-form textarea')]"
        ".map(e => [e.name, e.value]))"
    )


def test_missing_field_is_marked_at_the_field_in_indonesian_and_issues_no_ticket(kiosk, live):
    page = kiosk()
    shot(page, "kiosk-welcome")
    page.click("#start")
    expect(page.locator("#screen-service")).to_be_visible()
    shot(page, "kiosk-service")
    page.click('[data-service="A"]')
    # The inputs never ask the OS for its keyboard.
    assert page.locator("#f-name").get_attribute("inputmode") == "none"
    assert page.locator("#f-phone").get_attribute("inputmode") == "none"
    without_problem = {k: v for k, v in FORM.items() if k != "problem"}
    fill_fast(page, without_problem)
    assert field_values(page) == {**without_problem, "problem": ""}
    page.click("#f-problem")
    before = waiting(live)

    page.click("#to-review")

    expect(page.locator("#e-problem")).to_have_text("Wajib diisi.")
    expect(page.locator('.field[data-field="problem"]')).to_have_class(re.compile(r"\binvalid\b"))
    expect(page.locator("#screen-form")).to_be_visible()
    for key in ("name", "agency", "address", "phone"):
        expect(page.locator(f"#e-{key}")).to_have_text("")
    shot(page, "kiosk-form-error")
    assert waiting(live) == before


def test_once_every_refused_field_is_typed_the_form_no_longer_says_it_is_incomplete(kiosk):
    """A visitor in a hurry taps Lanjut too soon: every field is marked and the form says it is incomplete.
    Typing each field (taps on the keys) clears its mark; the last one typed, nothing is missing any more, and
    the notice above the form goes too (it stayed, "Formulir belum lengkap", over a complete form) in either
    language. A refusal left at a field keeps it."""
    page = kiosk()
    start_form(page)
    page.click("#to-review")
    summary = page.locator("#form-summary")
    expect(summary).to_have_text("Belum diisi: Nama, Instansi / perusahaan, Alamat, Nomor telepon / HP, Permasalahan.")
    fill(page, name="Ani", agency="CV A", address="Jl. B", phone="0812345678")
    expect(page.locator("#e-name")).to_have_text("")
    expect(summary).to_be_visible()  # the problem is still missing: true
    page.click("#lang-toggle")
    expect(summary).to_have_text("Not filled in: Problem.")  # the fields typed since named no more
    fill(page, problem="Tes")
    expect(page.locator("#e-problem")).to_have_text("")
    expect(summary).to_be_hidden()
    page.click("#lang-toggle")
    expect(summary).to_be_hidden()
    page.click("#to-review")
    expect(page.locator("#screen-review")).to_be_visible()


def printed(live, token: str, seconds: float = 10.0) -> None:
    """The server's (dummy) kiosk printer has printed the ticket: its print job is done."""
    deadline = time.monotonic() + seconds
    while requests.get(f"{live.url}/api/tickets/{token}", timeout=5).json()["ticket"]["print"] != "printed":
        assert time.monotonic() < deadline, f"ticket {token} not printed in {seconds} s"
        time.sleep(0.02)


def test_complete_form_shows_the_servers_number_large_with_a_qr_code(kiosk, live):
    page = kiosk(clock=True)  # the kiosk's look at the print job moved on to, not waited out
    start_form(page)
    fill(page, **FORM)
    page.click('[data-category="pertanyaan"]')
    page.click("#to-review")
    expect(page.locator("#screen-review")).to_be_visible()
    expect(page.locator("#review")).to_contain_text("Budi Santoso")
    expect(page.locator("#review")).to_contain_text("Pertanyaan")
    # (docs/screenshots/kiosk-review*.png: tests/test_kiosk_fit.py, with the longest inputs)
    before = waiting(live)

    page.click("#submit")

    expect(page.locator("#screen-ticket")).to_be_visible()
    label = page.locator("#ticket-label").inner_text()
    status_url = parse_qs(urlparse(page.locator("#ticket-qr").get_attribute("src")).query)["data"][0]
    token = status_url.rsplit("/t/", 1)[1]
    server = requests.get(f"{live.url}/api/tickets/{token}", timeout=5).json()["ticket"]
    assert label == server["label"] and label.startswith("A-")
    assert waiting(live) == before + 1
    expect(page.locator("#ticket-service")).to_have_text("Konsultasi Penyedia")
    ahead = server["ahead"]
    expect(page.locator("#ticket-ahead")).to_have_text(
        f"{ahead} orang di depan Anda" if ahead else "Tidak ada antrian di depan Anda"
    )
    expect(page.locator("#ticket-wait")).to_contain_text("Perkiraan waktu tunggu")
    # One hint, not two near-identical ones: the paper ticket, and the QR code for the phone. The slip
    # printed, the kiosk says so at its first look at the print job.
    printed(live, token)
    page.clock.run_for(FIRST_PRINT_LOOK_MS)
    expect(page.locator("#ticket-hint")).to_have_text(
        f"Ambil tiket kertas Anda, nomor {label}, dari printer. Pindai kode QR dengan ponsel untuk memantau antrian Anda."
    )
    assert page.locator("#screen-ticket p:visible", has_text="QR").count() == 1
    expect(page.locator("#ticket-print-failed")).to_be_hidden()
    page.wait_for_function("() => document.getElementById('ticket-qr').naturalWidth > 0", polling=50)
    size = page.evaluate("() => getComputedStyle(document.getElementById('ticket-label')).fontSize")
    assert float(size.removesuffix("px")) >= 100
    shot(page, "kiosk-ticket")


def test_double_tap_on_submit_issues_one_ticket(kiosk, live):
    page = kiosk()
    start_form(page)
    fill_fast(page, SHORT)
    page.click("#to-review")
    before = waiting(live)

    page.dblclick("#submit")

    expect(page.locator("#screen-ticket")).to_be_visible()
    assert waiting(live) == before + 1


def test_bad_phone_on_the_numeric_pad_shows_the_servers_message_at_the_phone_field(kiosk, live):
    page = kiosk()
    start_form(page)
    fill_fast(page, {k: v for k, v in SHORT.items() if k != "phone"})
    fill(page, phone="12345")
    expect(page.locator("#osk-numpad")).to_be_visible()
    expect(page.locator("#osk-letters")).to_be_hidden()
    before = waiting(live)

    page.click("#to-review")  # caught at Lanjut, in the server's words (tests/test_kiosk_longest_day.py)

    expect(page.locator("#screen-form")).to_be_visible()
    expect(page.locator("#e-phone")).to_have_text(message("phone_invalid", "id"))
    expect(page.locator("#e-name")).to_have_text("")
    assert waiting(live) == before
    # The server's refusal follows the language toggle, both ways.
    page.click("#lang-toggle")
    expect(page.locator("#e-phone")).to_have_text(message("phone_invalid", "en"))
    expect(page.locator("#form-summary")).to_have_text("To correct: Phone / mobile number.")
    page.click("#lang-toggle")
    expect(page.locator("#e-phone")).to_have_text(message("phone_invalid", "id"))
    expect(page.locator("#form-summary")).to_have_text("Perlu diperbaiki: Nomor telepon / HP.")
    # Corrected on the pad, the same form now gets its number.
    page.click("#f-phone")
    for _ in range(5):
        page.click("#osk-numpad [data-key=backspace]")
    tap_text(page, "081234567890")
    expect(page.locator("#e-phone")).to_have_text("")
    page.click("#to-review")
    page.click("#submit")
    expect(page.locator("#screen-ticket")).to_be_visible()


def test_idle_returns_to_welcome_and_clears_every_field_and_the_ticket(kiosk, live):
    page = kiosk(query="?idle=2", clock=True)
    # the page's time stands still but as the test moves it: on a busy machine the form's taps took over the idle 2 s
    # of real time, and its "Masih di sini?" came over the form
    pause_clock(page)
    start_form(page)
    fill_fast(page, SHORT)
    page.click('[data-category="pengaduan"]')
    page.click("#priority")
    page.click("#to-review")
    page.click("#submit")
    expect(page.locator("#screen-ticket")).to_be_visible()
    expect(page.locator("#ticket-label")).not_to_have_text("")
    # The ticket stays on screen for the idle time (2 s here), then the page's own timer resets it:
    # the clock is moved past it instead of waiting it out, once the kiosk knows the slip printed (one still
    # printing keeps the screen: tests/test_kiosk_print.py). The server's dummy printer has printed it first, so the
    # kiosk's first look (or the one a "printed" event asks for at once) says so: moved on look by look, each
    # waited out up to 3 s of real time for a slip not printed yet.
    qr = page.locator("#ticket-qr").get_attribute("src")
    printed(live, parse_qs(urlparse(qr).query)["data"][0].rsplit("/t/", 1)[1])
    page.clock.run_for(FIRST_PRINT_LOOK_MS)
    expect(page.locator("#screen-ticket")).to_have_attribute("data-print", "printed")
    assert page.evaluate("antrianKiosk.resetIn") == 2
    assert page.evaluate("antrianKiosk.warnIn") is None  # the ticket screen goes back by itself: no "Masih di sini?"
    page.clock.fast_forward(2000)
    expect(page.locator("#screen-welcome")).to_be_visible()

    assert field_values(page) == dict.fromkeys(SHORT, "")
    assert page.locator("[aria-pressed=true]").count() == 0
    for key in ("ticket-label", "ticket-service", "ticket-ahead", "ticket-wait", "review", "form-service"):
        assert page.locator(f"#{key}").inner_text() == ""
    assert page.locator("#ticket-qr").get_attribute("src") is None
    # A half-filled form is cleared too.
    start_form(page)
    fill(page, name="Ani")
    assert page.evaluate("antrianKiosk.resetIn") == 2
    page.clock.fast_forward(2000)
    expect(page.locator("#screen-welcome")).to_be_visible()
    assert field_values(page)["name"] == ""


def test_the_number_is_asked_for_with_the_visitors_time_over_the_form_and_a_reset_starts_it_again(kiosk, calm):
    """SOP steps 2-6, timed by the kiosk: from the visitor's first tap (the one leaving the welcome screen)
    to Ambil nomor antrian, in whole seconds, sent with the number as form_seconds and kept by the server
    for the figures. A visitor who leaves (Batal, the idle reset) takes their time along: the next one's
    starts at their own tap. Playwright's clock is paused, so the page's time moves only as the test moves
    it: the seconds are exact. Its server never pings (`calm`): each move of minutes passed the socket's
    heartbeat, the kiosk went offline, and its idle reset kept the half-filled form as in an outage."""
    page = kiosk(query="?idle=600", clock=True, server=calm)
    page.wait_for_function("() => antrianKiosk.live", polling=50)
    pause_clock(page)  # a second on
    sent = []

    def issued(request):
        if request.method == "POST" and urlparse(request.url).path == "/api/tickets":
            sent.append(request.post_data_json)

    page.on("request", issued)
    page.clock.fast_forward(30_000)  # the kiosk idle at its welcome screen: nobody's time
    page.click("#start")
    page.clock.fast_forward(100_000)
    page.click("#screen-service [data-action=home]")  # Batal: this visitor gives up
    expect(page.locator("#screen-welcome")).to_be_visible()
    page.clock.fast_forward(40_000)
    start_form(page)  # the next visitor
    fill_fast(page, SHORT)
    page.clock.fast_forward(94_400)
    assert page.evaluate("[antrianKiosk.live, antrianKiosk.offline]") == [True, False]  # its socket not dropped
    page.click("#to-review")
    page.click("#submit")
    expect(page.locator("#screen-ticket")).to_be_visible()
    assert len(sent) == 1 and sent[0]["form_seconds"] == 94  # the nearest whole second
    label = page.locator("#ticket-label").inner_text()

    # A form left half-filled until the idle reset: the next visitor's time starts afresh.
    page.clock.fast_forward(TICKET_DONE_GUARD_MS)  # Selesai takes a tap once the number can have been seen
    done(page)
    start_form(page)
    fill_fast(page, {"name": "Ani"})
    page.clock.fast_forward(600_000)
    expect(page.locator("#screen-welcome")).to_be_visible()
    assert page.evaluate("[antrianKiosk.live, antrianKiosk.offline]") == [True, False]  # connected throughout
    page.clock.fast_forward(5_000)
    start_form(page)
    fill_fast(page, SHORT)
    page.clock.fast_forward(7_000)
    page.click("#to-review")
    page.click("#submit")
    expect(page.locator("#screen-ticket")).to_be_visible()
    assert [s["form_seconds"] for s in sent] == [94, 7]

    calm.add_user("petugas-form", "officer")
    staff = calm.session("petugas-form", "rahasia-123")
    tickets = {t["label"]: t for t in staff.get(f"{calm.url}/api/tickets", timeout=5).json()["tickets"]}
    assert tickets[label]["form_seconds"] == 94
    assert tickets[page.locator("#ticket-label").inner_text()]["form_seconds"] == 7


def test_english_toggle_changes_the_labels(kiosk):
    page = kiosk()
    expect(page.locator(".welcome-cta")).to_have_text("Sentuh layar untuk mengambil nomor antrian")
    page.click("#lang-toggle")
    expect(page.locator(".welcome-cta")).to_have_text("Touch the screen to take a queue number")
    start_form(page)
    expect(page.locator('label[for="f-name"]')).to_have_text("Name")
    expect(page.locator('label[for="f-agency"]')).to_have_text("Agency / company")
    expect(page.locator('[data-category="pengaduan"]')).to_have_text("Complaint")
    page.click("#to-review")
    expect(page.locator("#e-name")).to_have_text("Required.")
    page.click("#lang-toggle")
    expect(page.locator('label[for="f-name"]')).to_have_text("Nama")
    expect(page.locator("#e-name")).to_have_text("Wajib diisi.")  # the refusals shown follow too
    expect(page.locator("#form-summary")).to_have_text(
        "Belum diisi: Nama, Instansi / perusahaan, Alamat, Nomor telepon / HP, Permasalahan."
    )
    expect(page.locator("#lang-toggle")).to_have_text("English")


@pytest.mark.parametrize("viewport, name", [(PORTRAIT, "kiosk-form"), (LANDSCAPE, "kiosk-form-landscape")])
def test_form_and_keyboard_fit_the_screen_with_big_touch_targets(kiosk, viewport, name):
    page = kiosk(viewport)
    start_form(page)
    fill(page, name="Siti")
    for selector in ("#osk", "#to-review", "#f-name", "#priority"):
        box = page.locator(selector).bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], selector
    sizes = page.evaluate(
        "() => [...document.querySelectorAll('button')].filter(b => b.offsetParent)"
        ".map(b => [b.textContent.trim(), b.getBoundingClientRect().width, b.getBoundingClientRect().height])"
    )
    small = [s for s in sizes if s[1] < 48 or s[2] < 48]
    assert not small
    shot(page, name)


def test_phone_page_shows_only_its_ticket_and_the_call_live(browser, live):
    other = requests.post(f"{live.url}/api/tickets", json={**FORM, "service": "A"}, timeout=5).json()["ticket"]
    priority_c = {**FORM, "service": "C", "priority": True}
    mine = requests.post(f"{live.url}/api/tickets", json=priority_c, timeout=5).json()["ticket"]
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    context.add_init_script("window.__vibrations = []; navigator.vibrate = p => (window.__vibrations.push(p), true);")
    page = context.new_page()
    try:
        page.goto(f"{live.url}/t/{mine['token']}")
        expect(page.locator("#label")).to_have_text(mine["label"])
        expect(page.locator("#status")).to_have_text("menunggu")
        expect(page.locator("#position")).to_contain_text("Posisi Anda: ke-")
        expect(page.locator("#wait")).to_contain_text("Perkiraan waktu tunggu")
        page.wait_for_function("() => document.getElementById('conn').textContent === ''", polling=50)
        shot(page, "phone-waiting")

        live.add_user("petugas-hp", "officer")
        officer = live.session("petugas-hp", "rahasia-123")
        for _ in range(10):  # earlier tickets of counter 1's services may come first
            called = officer.post(f"{live.url}/api/counters/1/call-next", json={}, timeout=5).json()["ticket"]
            if called["label"] == mine["label"]:
                break
            officer.post(f"{live.url}/api/counters/1/start", json={}, timeout=5).raise_for_status()
            officer.post(f"{live.url}/api/counters/1/resolve", json={"solution": "Selesai."}, timeout=5)

        expect(page.locator("#called-go")).to_have_text("Silakan menuju Loket 1")
        expect(page.locator("#status")).to_have_text("dipanggil")
        page.wait_for_function("() => window.__vibrations.length >= 1", polling=50)  # rung (0.4 s after)
        assert other["label"] not in page.locator("body").inner_text()
        expect(page.locator("#sound")).to_be_visible()
        shot(page, "phone-called")

        # Done: no call will come, so no "call sound" button is left on the page.
        officer.post(f"{live.url}/api/counters/1/start", json={}, timeout=5).raise_for_status()
        r = officer.post(f"{live.url}/api/counters/1/resolve", json={"solution": "Kata sandi direset."}, timeout=5)
        r.raise_for_status()
        expect(page.locator("#status")).to_have_text("selesai")
        expect(page.locator("#note")).to_have_text("Layanan selesai. Terima kasih atas kunjungan Anda.")
        expect(page.locator("#sound")).to_be_hidden()
        page.reload()
        expect(page.locator("#status")).to_have_text("selesai")
        expect(page.locator("#sound")).to_be_hidden()
    finally:
        context.close()


def test_unknown_ticket_token_gives_an_indonesian_404_page(live):
    r = requests.get(f"{live.url}/t/tidak-ada-tiket-ini", timeout=5)
    assert r.status_code == 404
    assert "Tiket tidak ditemukan" in r.text


def test_qr_code_is_drawn_only_for_this_offices_ticket_urls(live):
    ticket = requests.post(f"{live.url}/api/tickets", json={**FORM, "service": "B"}, timeout=5).json()["ticket"]
    ok = requests.get(f"{live.url}/kiosk/qr.svg", params={"data": ticket["status_url"]}, timeout=5)
    assert ok.status_code == 200 and ok.headers["Content-Type"].startswith("image/svg+xml")
    assert "<svg" in ok.text
    foreign = requests.get(f"{live.url}/kiosk/qr.svg", params={"data": "https://example.com/t/x"}, timeout=5)
    assert foreign.status_code == 400
    # Drawing a code costs the server's loop tens of ms: not for any text a device sends, only for a
    # ticket there is (the A4 form's survey link adds "?survey=1"); the same code twice is the same.
    url = ticket["status_url"]
    prefix = url[: url.index("/t/")]
    for data, status in [
        (url + "?survey=1", 200),
        (prefix + "/t/" + "A" * 270, 400),
        (url + "?survey=1&x=" + "A" * 200, 400),
        (url + "x", 404),
        (prefix + "/t/tidak-ada-tiket-ini", 404),
    ]:
        r = requests.get(f"{live.url}/kiosk/qr.svg", params={"data": data}, timeout=5)
        assert r.status_code == status, (data, r.status_code)
    again = requests.get(f"{live.url}/kiosk/qr.svg", params={"data": url}, timeout=5)
    assert again.status_code == 200 and again.content == ok.content


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_the_welcome_button_pulses_unless_the_kiosk_is_set_to_reduced_motion(browser, live, motion):
    context = browser.new_context(viewport=PORTRAIT, has_touch=True, reduced_motion=motion)
    try:
        page = context.new_page()
        page.goto(f"{live.url}/kiosk/")
        expect(page.locator("#screen-welcome")).to_be_visible()
        endless = page.evaluate(
            "() => document.getAnimations().filter((a) => a.playState === 'running'"
            " && a.effect.getComputedTiming().iterations === Infinity).map((a) => a.animationName)"
        )
        assert endless == (["pulse"] if motion == "no-preference" else [])
    finally:
        context.close()


def test_a_double_tap_picks_nothing_on_the_next_screen_and_typed_text_stays_in_sight(kiosk, live):
    """From a review as visitors: the second tap of a double tap landed on the next screen's button under
    the finger (a service under Mulai); and keys insert text without scrolling the field, so the end of
    a long name went out of sight."""
    page = kiosk(SMALL)
    page.locator("#start").dblclick()
    expect(page.locator("#screen-service")).to_be_visible()  # the second tap chose no service
    page.locator('[data-service="A"]').click()
    expect(page.locator("#screen-form")).to_be_visible()
    page.click("#f-name")
    tap_text(page, "Raden Ajeng Siti Nurhaliza Kusumawardhani Putri")
    seen = page.evaluate(
        "() => { const e = document.getElementById('f-name');"
        " return [e.scrollWidth > e.clientWidth, e.scrollLeft + e.clientWidth >= e.scrollWidth - 2]; }"
    )
    assert seen == [True, True]  # longer than the field, and scrolled to its end where the caret is


def test_a_full_field_says_so_at_the_field_when_a_key_adds_nothing(kiosk, live):
    """A visitor typing on into a full field (the name's 100 characters, the phone's 20 on its pad): the keys did
    nothing and nothing said why, the text's end scrolled out of sight. The field now says it is full, in the
    language shown, until a letter is deleted."""
    page = kiosk(SMALL)
    start_form(page)
    fill_fast(page, {"name": LONGEST["name"]})
    page.click("#f-name")
    keys = Keys(page)
    keys.tap("a")
    assert page.input_value("#f-name") == LONGEST["name"]
    expect(page.locator("#e-name")).to_have_text("Isian ini sudah penuh: paling banyak 100 karakter.")
    assert_actions_visible(page, "a full name at 1366x768", ("#to-review",))
    page.click("#lang-toggle")
    expect(page.locator("#e-name")).to_have_text("This field is full: 100 characters at most.")
    page.click("#lang-toggle")
    keys.tap("backspace")  # the mistake corrected where the field was touched: a letter deleted, another typed
    expect(page.locator("#e-name")).to_have_text("")
    keys.tap("x")
    corrected = page.input_value("#f-name")
    assert len(corrected) == 100 and "x" in corrected and corrected != LONGEST["name"]
    expect(page.locator("#e-name")).to_have_text("")  # a key that went in says nothing

    page.tap("#f-phone")  # a touch far from the keys: the next key's tap is no double tap's second
    keys.moved()
    for ch in "+62812345678901234567":  # 20 on the pad, then one more (no key twice in a row: a tap of a test's
        keys.tap(ch)  # speed on the same key at once is taken for a double tap's second)
    assert page.input_value("#f-phone") == "+6281234567890123456"
    expect(page.locator("#e-phone")).to_have_text("Isian ini sudah penuh: paling banyak 20 karakter.")
    expect(page.locator("#e-name")).to_have_text("")


def test_a_lost_answer_then_a_corrected_letter_gets_the_ticket_already_issued(kiosk, live):
    """The answer to Ambil nomor is lost (the ticket was issued); the visitor corrects a letter and taps
    again: the retry keeps its request_id and shows that ticket, not a second one nobody takes."""
    page = kiosk()
    start_form(page)
    fill_fast(page, FORM)
    page.click("#to-review")
    before = waiting(live)

    def lose_the_answer(route):
        route.fetch()  # issued
        route.abort()

    page.route("**/api/tickets", lose_the_answer)
    page.click("#submit")
    expect(page.locator("#submit-error")).to_be_visible()
    page.unroute("**/api/tickets")
    page.click("#screen-review [data-action=form]")
    page.click("#f-name")
    tap_text(page, "a")
    page.click("#to-review")
    page.click("#submit")
    expect(page.locator("#screen-ticket")).to_be_visible()
    assert waiting(live) == before + 1


def test_before_an_idle_reset_a_touch_anywhere_keeps_the_half_filled_form(kiosk, calm):
    """ "Masih di sini?" with a countdown, over the whole screen, some seconds before the idle reset; the
    touch that answers it (here on a key of the keyboard beneath) types nothing and keeps the form."""
    page = kiosk(query="?idle=30", clock="paused", server=calm)  # moved on only by the test
    start_form(page)
    fill(page, name="Ani")
    assert page.evaluate("[antrianKiosk.resetIn, antrianKiosk.warnIn]") == [30, 20]
    warning = page.locator("#idle-warning")
    expect(warning).to_be_hidden()
    # (at once on `calm`'s kiosk, its heartbeat a day off: a jump past it dropped the connection for a moment, and
    # the idle time's end then found the kiosk offline and kept the form, as it does in an outage; moved in steps
    # after the pings of `live`, the test waited out 13 of them)
    page.clock.fast_forward(20_000)
    expect(warning).to_be_visible()
    expect(page.locator("#idle-title")).to_have_text("Masih di sini?")
    expect(page.locator("#idle-count")).to_have_text("Isian Anda akan dihapus dalam 10 detik")
    assert page.locator("#idle-warning").bounding_box() == {"x": 0, "y": 0, **PORTRAIT}  # the whole screen
    shot(page, "kiosk-idle-warning")
    page.clock.run_for(1000)
    expect(page.locator("#idle-count")).to_have_text("Isian Anda akan dihapus dalam 9 detik")

    Keys(page).tap("q")  # under the warning: answers it, types nothing
    expect(warning).to_be_hidden()
    assert field_values(page)["name"] == "Ani"
    assert page.evaluate("[antrianKiosk.resetIn, antrianKiosk.warnIn]") == [30, 20]
    expect(page.locator("#screen-form")).to_be_visible()
    # Unanswered, it ends as the idle reset always did.
    page.clock.fast_forward(30_000)
    expect(page.locator("#screen-welcome")).to_be_visible()
    expect(warning).to_be_hidden()
    assert field_values(page)["name"] == ""


def test_a_kiosk_that_loses_the_server_says_so_and_takes_no_number_until_it_is_back(kiosk, live):
    """The network goes (the socket drops, its reconnections fail): a banner on every screen, Ambil nomor
    disabled; the network back, Socket.IO reconnects by itself, the banner goes and the number comes.
    The kiosk's and Socket.IO's timers run on Playwright's clock, moved on to when they are due."""
    page = kiosk(clock=True)
    page.wait_for_function("() => antrianKiosk.live", polling=50)
    start_form(page)
    fill_fast(page, SHORT)
    page.click("#to-review")
    banner = page.locator("#offline-notice")
    expect(banner).to_be_hidden()
    before = waiting(live)
    page.context.set_offline(True)
    try:
        page.evaluate("() => antrianKiosk.socket.io.engine.close()")  # as a cable pulled: the socket drops
        page.clock.run_for(OFFLINE_GRACE_MS)
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("Kios sedang tidak tersambung ke server")
        expect(page.locator("#submit")).to_be_disabled()
        assert_actions_visible(page, "review, offline", must=("#screen-review [data-action=form]",))
        shot(page, "kiosk-offline")
        page.click("#lang-toggle")
        expect(banner).to_contain_text("This kiosk is not connected to the server")
        page.click("#lang-toggle")
    finally:
        page.context.set_offline(False)
    page.clock.run_for(SOCKETIO_DELAY_MAX_MS)  # Socket.IO's own next try, its delays growing to 5 s
    expect(banner).to_be_hidden(timeout=15_000)
    expect(page.locator("#submit")).to_be_enabled()
    assert waiting(live) == before
    # The server closes the socket (its budget, a restart): Socket.IO does not try again by itself then,
    # and the kiosk stayed behind its bar until someone reloaded it. It now connects again after a pause.
    page.evaluate("() => antrianKiosk.socket.onpacket({type: 1, nsp: '/'})")  # the server's DISCONNECT
    page.wait_for_function("() => !antrianKiosk.socket.connected", polling=50)
    page.clock.run_for(RECONNECT_PAUSE_MS)
    page.wait_for_function("() => antrianKiosk.socket.connected", timeout=10_000)
    expect(page.locator("#submit")).to_be_enabled()
    page.click("#submit")
    expect(page.locator("#screen-ticket")).to_be_visible()
    assert waiting(live) == before + 1


@pytest.mark.parametrize("viewport, name", [(PORTRAIT, "kiosk-clear-form"), (SMALL, "kiosk-clear-form-small")])
def test_kembali_keeps_the_form_and_batal_asks_before_clearing_it(browser, calm, viewport, name):
    """Found by helper-324: Kembali on the form, then Batal on the service screen (two deliberate taps, each its
    own) cleared a long problem text with no question. Going back keeps what was typed (a service chosen again
    returns to the form with it); Batal asks once, "Hapus isian formulir?", and a second tap where Batal was
    answers nothing; the idle reset still clears everything for the next visitor, the question too. Every tap a
    finger's, the text on the on-screen keys; the page's clock paused and moved on as the test says (on `calm`:
    at once, the socket's heartbeat a day off)."""
    page = browser.new_page(viewport=viewport, has_touch=True)
    try:
        install_clock(page)
        page.goto(f"{calm.url}/kiosk/?idle=10")
        page.wait_for_function("() => antrianKiosk.live", polling=50)
        pause_clock(page)
        batal = "#screen-service [data-action=home]"
        dialog = page.locator("#confirm-clear")

        def back_then_batal() -> None:
            tap(page, "#screen-form [data-action=service]")  # Kembali
            expect(page.locator("#screen-service")).to_be_visible()
            tap(page, "#screen-service h1")  # Batal, a tap of its own (a double tap's second is dropped anyway)
            tap(page, batal)

        tap(page, "#start")
        tap(page, '[data-service="A"]')
        tap(page, "#f-name")
        tap_text(page, "Ani")
        tap(page, "#f-problem")
        tap_text(page, "Lupa sandi SPSE")
        typed = {**dict.fromkeys(SHORT, ""), "name": "Ani", "problem": "Lupa sandi SPSE"}
        back_then_batal()
        expect(page.locator("#screen-service")).to_be_visible()  # before, the welcome screen: the form cleared
        assert field_values(page) == typed
        expect(dialog).to_be_visible()
        expect(page.locator("#confirm-clear-title")).to_have_text("Hapus isian formulir?")
        expect(page.locator("#clear-keep")).to_have_text("Tidak, simpan isian")
        expect(page.locator("#clear-yes")).to_have_text("Ya, hapus")
        assert_seen(page, f"the question at {viewport}", ("#confirm-clear-title", "#clear-keep", "#clear-yes"))
        shot(page, name)
        box = page.locator(batal).bounding_box()
        tap(page, "#confirm-clear-title")
        page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # Batal's place again
        expect(dialog).to_be_visible()
        assert field_values(page) == typed
        tap(page, "#clear-keep")
        expect(dialog).to_be_hidden()
        expect(page.locator("#screen-service")).to_be_visible()
        other = page.locator('[data-service="B"]').get_attribute("data-service-name")
        tap(page, "#screen-service h1")  # (at 1366x768 B lies under "Tidak": a tap of its own, no double tap's)
        tap(page, '[data-service="B"]')  # only the service changed: the form as it was
        expect(page.locator("#screen-form")).to_be_visible()
        expect(page.locator("#form-service")).to_have_text(other)
        assert field_values(page) == typed

        # In English, and "Ya, hapus": the welcome screen, nothing kept, in the office's language again
        tap(page, "#screen-form [data-action=service]")
        tap(page, "#lang-toggle")
        tap(page, batal)
        expect(page.locator("#confirm-clear-title")).to_have_text("Clear the form?")
        expect(page.locator("#clear-keep")).to_have_text("No, keep it")
        expect(page.locator("#clear-yes")).to_have_text("Yes, clear it")
        tap(page, "#clear-yes")
        expect(page.locator("#screen-welcome")).to_be_visible()
        expect(dialog).to_be_hidden()
        expect(page.locator(".welcome-cta")).to_have_text("Sentuh layar untuk mengambil nomor antrian")
        assert field_values(page) == dict.fromkeys(SHORT, "")

        # Nothing typed: Batal goes back at once, as before
        tap(page, "#start")
        tap(page, batal)
        expect(page.locator("#screen-welcome")).to_be_visible()
        expect(dialog).to_be_hidden()

        # The question left unanswered: the idle reset clears the form, and the question, for the next visitor
        tap(page, "#start")
        tap(page, '[data-service="A"]')
        tap(page, "#f-name")
        tap_text(page, "Budi")
        back_then_batal()
        expect(dialog).to_be_visible()
        assert page.evaluate("antrianKiosk.resetIn") == 10
        page.clock.fast_forward(10_000)
        expect(page.locator("#screen-welcome")).to_be_visible()
        expect(dialog).to_be_hidden()
        assert field_values(page) == dict.fromkeys(SHORT, "")
        tap(page, "#start")
        tap(page, '[data-service="A"]')
        assert field_values(page) == dict.fromkeys(SHORT, "")
    finally:
        page.close()
