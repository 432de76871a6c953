"""The kiosk's idle reset while the server is out of reach: a visitor who waits, as the red bar asks, keeps the form.

Before, a visitor who had typed a long form on the screen's keys waited without a touch while the server restarted
(or its switch was down), as the kiosk told them to; at `[kiosk] idle_seconds` the idle reset cleared it all, and
once the server was back they typed it again. Now "Masih di sini?" comes as ever and stays over the form (the next
person sees none of it), saying it is kept until the server is back; back online, the idle time starts again from
then, counted down on that cover, and only then is the form cleared. A form left OFFLINE_KEEP_S without a touch is
cleared all the same.

That cover asks instead of going at any touch: the one who typed may have walked away (to the staff, home), and the
next person's first touch showed the whole form, name, phone, agency and problem, up to OFFLINE_KEEP_S after they
left. Only "Ya, lanjutkan isian saya" brings it back; "Bukan saya — mulai dari awal" clears it at once; a touch
beside the two does nothing (as "Hapus isian formulir?" does), not even keep the form longer.

"Ya" itself was that hole again: any passer-by who pressed it read the name, phone, address and problem of the one
who had gone. Now, the form's phone holding 4 digits or more, "Ya" asks for its last 4 on a pad of the cover's own
(no keyboard on a kiosk): the right ones bring the form back whole, 3 wrong answers clear it (said why, then the
welcome screen); nothing of the form is in the page meanwhile. A phone of fewer digits: "Ya" as before.

A real server process, stopped and started again on its port; the page's clock (Playwright's) paused and moved on
as the test says. The server never pings its pages (pageclock.CALM_NUMBERS): none of this is about the socket's
heartbeat, and the clock moves on by the idle time in one call instead of 5 s a ping (tests/pageclock.py).
"""

from __future__ import annotations

import pytest
from conftest import write_config
from kioskui import (
    LONGEST,
    NARROW,
    PORTRAIT,
    SMALL,
    SQUARE,
    assert_seen,
    fill_fast,
    kiosk_pages,
    shot,
    small_targets,
    tap,
)
from live import LiveServer
from pageclock import CALM_NUMBERS, reconnect_on_clock, watch_tries
from playwright.sync_api import expect

IDLE = 30  # ?idle=: "Masih di sini?" 10 s before it (kiosk.js IDLE_WARNING_SECONDS)
WARNING_S = 10
OFFLINE_GRACE_MS = 2_000  # kiosk.js OFFLINE_GRACE_MS: the socket gone this long before the red bar
SOCKETIO_DELAY_MAX_MS = 5_000  # Socket.IO's longest pause between its own tries (reconnectionDelayMax)
OFFLINE_KEEP_S = 15 * 60  # kiosk.js OFFLINE_KEEP_SECONDS
FORM = {
    "name": "Siti Rahmawati",
    "agency": "CV Karya Mandiri Sejahtera",
    "address": "Jl. Ahmad Yani No. 45, RT 03/RW 05, Kel. Sukajadi",
    "phone": "081234567890",
    "problem": "Tidak dapat mengunggah dokumen penawaran pada paket tender jalan lingkungan: "
    "muncul pesan galat setelah unggahan mencapai 100 persen, sudah dicoba tiga kali.",
}
KEPT_ID = "Kios sedang tidak tersambung ke server. Isian Anda disimpan sampai server tersambung kembali."
KEPT_EN = "This kiosk is not connected to the server. What you entered is kept until the server is back."
ASK = {
    "id": "Apakah Anda yang sedang mengisi formulir di kios ini?",
    "en": "Were you filling in the form on this kiosk?",
}
MINE = {"id": "Ya, lanjutkan isian saya", "en": "Yes, continue my form"}
NOT_MINE = {"id": "Bukan saya — mulai dari awal", "en": "Not me — start over"}
DISMISS_MS = 700  # idlewarning.js: an open warning goes this long after a touch that was no tap
PIN_ASK = {
    "id": "Ketik 4 angka terakhir nomor telepon yang Anda isi",
    "en": "Type the last 4 digits of the phone number you entered",
}
PIN_WRONG = {"id": "Angka tidak cocok.", "en": "The digits do not match."}
PIN_LAST = {
    "id": "Angka tidak cocok. Jika salah sekali lagi, isian dihapus.",
    "en": "The digits do not match. One more wrong try clears the form.",
}
CLEARED = {
    "id": "Isian dihapus untuk menjaga data pengunjung.",
    "en": "The form was cleared to protect the visitor's details.",
}
BACK = {"id": "Kembali", "en": "Back"}
DELETE = {"id": "Hapus", "en": "Delete"}
CLEARED_NOTE_S = 6  # kiosk.js CLEARED_NOTE_SECONDS


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The module's own server (stopped and started by the tests), never pinging its pages (CALM_NUMBERS)."""
    s = LiveServer(write_config(tmp_path_factory.mktemp("idle-offline")), numbers=CALM_NUMBERS).start()
    yield s
    s.stop()


@pytest.fixture
def kiosk(browser, server):
    """`open_kiosk(viewport)`: a kiosk page at its welcome screen, live, its clock paused; the server running again
    at the end, whatever the test did to it."""
    try:
        with kiosk_pages(browser, server) as opener:
            yield lambda viewport=PORTRAIT: opener(viewport, f"?idle={IDLE}", clock="paused")
    finally:
        if server.proc is None or server.proc.poll() is not None:
            server.start()


def field_values(page) -> dict[str, str]:
    return page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('#visitor-form input, #visitor-form textarea')]"
        ".map(e => [e.name, e.value]))"
    )


def opaque(page) -> bool:
    """The cover's background has no transparency."""
    return page.evaluate("getComputedStyle(document.getElementById('idle-warning')).backgroundColor").startswith("rgb(")


def typed_form(page) -> None:
    tap(page, "#start")
    tap(page, '[data-service="A"]')
    expect(page.locator("#screen-form")).to_be_visible()
    fill_fast(page, FORM)
    tap(page, "#f-problem")  # the visitor's last touch: the idle time runs from here
    assert page.evaluate("antrianKiosk.resetIn") == IDLE


def server_gone(page, server: LiveServer) -> None:
    """The server stopped; the page's socket drops at once and the red bar comes after OFFLINE_GRACE_MS."""
    watch_tries(page)  # its reconnection tries flagged from now (server_back)
    server.stop()
    page.wait_for_function("() => !antrianKiosk.socket.connected", polling=50)
    page.clock.run_for(OFFLINE_GRACE_MS)
    expect(page.locator("#offline-notice")).to_be_visible()


def server_back(page, server: LiveServer) -> None:
    """The server started again on its port; Socket.IO's next try (at most SOCKETIO_DELAY_MAX_MS of the page's time
    away) connects. The page's clock moved a second at a time between its tries, no further once connected: a try
    under way as the server came up (its failure known only later, in real time) is waited for, as it sets the next
    one on that paused clock (pageclock.reconnect_on_clock)."""
    server.start()
    reconnect_on_clock(page, "antrianKiosk.socket.connected && !antrianKiosk.offline", max_ms=4 * SOCKETIO_DELAY_MAX_MS)


def kept_cover(page, server: LiveServer) -> None:
    """A form typed, the server gone, the idle time passed: the cover over the kept form, asking."""
    typed_form(page)
    server_gone(page, server)
    page.clock.fast_forward(IDLE * 1000)
    expect(page.locator("#idle-warning")).to_be_visible()
    expect(page.locator("#idle-count")).to_have_text(KEPT_ID)


def asking(page, lang: str = "id") -> None:
    """The cover asks: its question and two buttons, no "Sentuh layar untuk melanjutkan"."""
    expect(page.locator("#idle-ask")).to_have_text(ASK[lang])
    expect(page.locator("#idle-mine")).to_have_text(MINE[lang])
    expect(page.locator("#idle-not-mine")).to_have_text(NOT_MINE[lang])
    for sel in ("#idle-ask", "#idle-mine", "#idle-not-mine"):
        expect(page.locator(sel)).to_be_visible()
    expect(page.locator("#idle-warning .idle-touch")).to_be_hidden()


def still_under(page, screen: str) -> None:
    """The screen the form was kept on is still the page's, under the cover (which keeps it from being drawn)."""
    expect(page.locator("body")).to_have_attribute("data-current", screen)
    expect(page.locator(f"#screen-{screen}")).not_to_have_attribute("hidden", "")


def last_digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())[-4:]


def press_pin(page, digits: str) -> None:
    for key in digits:
        tap(page, f'#pin-pad [data-pin="{key}"]')


def press_delete(page) -> None:
    tap(page, '#pin-pad [data-pin="delete"]')


def answer_mine(page, phone: str = FORM["phone"]) -> None:
    """ "Ya, lanjutkan isian saya", and the phone's last 4 digits on the pad (asked when it has 4 or more)."""
    tap(page, "#idle-mine")
    if len(last_digits(phone)) == 4:
        expect(page.locator("#pin-ask")).to_be_visible()
        press_pin(page, last_digits(phone))


def pad_asks(page, lang: str = "id") -> None:
    """The cover's pad is up: its words, four boxes, ten digits and Hapus, Kembali; the question and "Ya" gone."""
    expect(page.locator("#pin-ask")).to_have_text(PIN_ASK[lang])
    expect(page.locator("#pin-boxes > span")).to_have_count(4)
    expect(page.locator("#pin-pad [data-pin]")).to_have_count(11)
    for sel in ("#pin-ask", "#pin-boxes", "#pin-pad", "#pin-back", "#idle-title", "#idle-count"):
        expect(page.locator(sel)).to_be_visible()
    expect(page.locator("#pin-back")).to_have_text(BACK[lang])
    expect(page.locator('#pin-pad [data-pin="delete"]')).to_have_text(DELETE[lang])
    for sel in ("#idle-ask", "#idle-mine", "#idle-not-mine"):
        expect(page.locator(sel)).to_be_hidden()


def filled_boxes(page) -> int:
    return page.locator("#pin-boxes > span.filled").count()


def nothing_of_the_form_in_the_page(page, form: dict[str, str]) -> None:
    """Neither the page's text (what is drawn, what a screen reader reads) nor any attribute holds a word of the form
    or the digits the pad waits for."""
    text = page.evaluate("document.body.innerText")
    for key in ("name", "agency", "address", "problem"):
        assert form[key] not in text, key
    digits = last_digits(form["phone"])
    assert form["phone"] not in text and digits not in text.replace(" ", "")
    attributes = page.evaluate(
        "() => [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.value))"
    )
    assert not [a for a in attributes if digits in a or form["name"] in a], attributes


def form_unseen(page) -> None:
    """Nothing of the form can be seen: the cover up over the whole screen, opaque, on top at every field."""
    warning = page.locator("#idle-warning")
    expect(warning).to_be_visible()
    assert warning.bounding_box() == {"x": 0, "y": 0, **page.viewport_size}
    assert opaque(page)
    on_top = page.evaluate(
        """() => [...document.querySelectorAll('#visitor-form input, #visitor-form textarea')].map((e) => {
             const r = e.getBoundingClientRect();
             return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2).closest('#idle-warning')
               !== null; })"""
    )
    assert on_top and all(on_top), on_top


def touches_beside(page) -> list[tuple[float, float]]:
    """Where a finger touches the cover beside its two buttons: its title, its words, the dark edge of the screen,
    where the previous visitor's name and phone are under it, the gap between the buttons, under them in the card."""
    boxes = page.evaluate(
        """() => Object.fromEntries(['idle-title', 'idle-count', 'f-name', 'f-phone', 'idle-mine', 'idle-not-mine']
             .filter((id) => document.getElementById(id))
             .map((id) => { const r = document.getElementById(id).getBoundingClientRect();
                            return [id, [r.left, r.top, r.right, r.bottom]]; }))"""
    )
    centre = lambda b: ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)  # noqa: E731
    points = [centre(boxes["idle-title"]), centre(boxes["idle-count"]), (8, 8)]
    points += [centre(boxes["f-name"]), centre(boxes["f-phone"])]
    if "idle-mine" in boxes:  # (none before: a touch anywhere answered)
        mine, other = boxes["idle-mine"], boxes["idle-not-mine"]
        if other[0] >= mine[2]:  # side by side: between them
            points.append(((mine[2] + other[0]) / 2, (mine[1] + mine[3]) / 2))
        else:  # one over the other
            points.append(((mine[0] + mine[2]) / 2, (mine[3] + other[1]) / 2))
        points.append(((other[0] + other[2]) / 2, max(mine[3], other[3]) + 12))
    return points


def test_a_visitor_waiting_for_the_server_keeps_the_form_past_the_idle_time(kiosk, server):
    page = kiosk()
    typed_form(page)
    warning, count = page.locator("#idle-warning"), page.locator("#idle-count")
    server_gone(page, server)

    # The idle time passes, and three times more, with no touch: the form is kept, covered, the cover says why.
    page.clock.fast_forward(IDLE * 1000)
    still_under(page, "form")  # before: the welcome screen, every field cleared
    assert field_values(page) == FORM
    assert page.evaluate("[antrianKiosk.kept, antrianKiosk.resetIn]") == [True, OFFLINE_KEEP_S]
    expect(warning).to_be_visible()
    expect(page.locator("#idle-title")).to_have_text("Masih di sini?")
    expect(count).to_have_text(KEPT_ID)
    asking(page)  # whoever stands there now is asked, two buttons
    form_unseen(page)  # the whole screen, opaque (the usual warning lets the form show at .85)
    page.clock.fast_forward(3 * IDLE * 1000)
    still_under(page, "form")
    assert field_values(page) == FORM
    expect(warning).to_be_visible()
    expect(count).to_have_text(KEPT_ID)  # no countdown to a clearing that does not come

    # "Ya, lanjutkan isian saya" brings the form back; unanswered, the cover comes again at the idle time.
    answer_mine(page)
    expect(warning).to_be_hidden()
    assert field_values(page) == FORM
    expect(page.locator("#offline-notice")).to_be_visible()
    page.clock.fast_forward(IDLE * 1000)
    expect(warning).to_be_visible()
    expect(count).to_have_text(KEPT_ID)

    # The server back: the cover stays over the form and counts down the whole idle time from then.
    server_back(page, server)
    expect(page.locator("#offline-notice")).to_be_hidden()
    expect(warning).to_be_visible()
    expect(count).to_have_text(f"Isian Anda akan dihapus dalam {IDLE} detik")
    assert page.evaluate("[antrianKiosk.kept, antrianKiosk.resetIn, antrianKiosk.warnIn]") == [False, IDLE, 0]
    form_unseen(page)  # still hiding the form from whoever stands there now, and still asking
    asking(page)
    assert field_values(page) == FORM
    page.clock.run_for((IDLE - 1) * 1000)
    expect(count).to_have_text("Isian Anda akan dihapus dalam 1 detik")
    still_under(page, "form")
    assert field_values(page) == FORM
    # Nobody touched it: cleared for the next visitor, as the idle reset always did.
    page.clock.run_for(1000)
    expect(page.locator("#screen-welcome")).to_be_visible()
    expect(warning).to_be_hidden()
    assert field_values(page) == dict.fromkeys(FORM, "")


def test_back_online_after_a_touch_the_idle_time_runs_again_from_then(kiosk, server):
    """The visitor touched the cover while the server was away (the form shown, no cover): back online, the normal
    idle time from that moment, its warning and countdown, before anything is cleared."""
    page = kiosk()
    typed_form(page)
    server_gone(page, server)
    page.clock.fast_forward(IDLE * 1000)
    answer_mine(page)
    expect(page.locator("#idle-warning")).to_be_hidden()
    # a while on (the cover comes again 20 s after the touch: server_back moves the clock up to 5 s more)
    page.clock.fast_forward((IDLE - WARNING_S - 1) * 1000 - SOCKETIO_DELAY_MAX_MS)
    server_back(page, server)
    assert page.evaluate("[antrianKiosk.kept, antrianKiosk.resetIn, antrianKiosk.warnIn]") == [
        False,
        IDLE,
        IDLE - WARNING_S,
    ]
    expect(page.locator("#idle-warning")).to_be_hidden()
    page.clock.run_for((IDLE - WARNING_S) * 1000)
    expect(page.locator("#idle-warning")).to_be_visible()
    expect(page.locator("#idle-count")).to_have_text(f"Isian Anda akan dihapus dalam {WARNING_S} detik")
    assert not opaque(page)  # the usual warning, as ever: any touch keeps the form
    expect(page.locator("#idle-warning .idle-touch")).to_have_text("Sentuh layar untuk melanjutkan")
    expect(page.locator("#idle-mine")).to_be_hidden()
    assert field_values(page) == FORM
    page.clock.run_for(WARNING_S * 1000)
    expect(page.locator("#screen-welcome")).to_be_visible()
    assert field_values(page) == dict.fromkeys(FORM, "")


def test_a_form_left_long_while_the_server_is_away_is_cleared_all_the_same(kiosk, server):
    """OFFLINE_KEEP_S without a touch: cleared for the next visitor, server or not (a touch starts it again)."""
    page = kiosk()
    typed_form(page)
    server_gone(page, server)
    page.clock.fast_forward(10 * 60 * 1000)
    expect(page.locator("#idle-warning")).to_be_visible()
    answer_mine(page)  # ten minutes on, the visitor is there: fifteen again from this answer
    expect(page.locator("#idle-warning")).to_be_hidden()
    page.clock.fast_forward((OFFLINE_KEEP_S - 1) * 1000)
    expect(page.locator("#idle-warning")).to_be_visible()
    still_under(page, "form")
    assert field_values(page) == FORM
    page.clock.fast_forward(1000)
    expect(page.locator("#screen-welcome")).to_be_visible()
    expect(page.locator("#idle-warning")).to_be_hidden()
    assert field_values(page) == dict.fromkeys(FORM, "")


def test_the_review_at_1366x768_in_english_kept_and_nothing_typed_goes_back_as_ever(kiosk, server):
    """The review in English on a small landscape kiosk: kept, the cover in English. Only a choice of service, nothing
    typed: the idle reset goes back to the welcome screen as ever, offline or not."""
    page = kiosk(SMALL)
    typed_form(page)
    tap(page, "#to-review")
    expect(page.locator("#screen-review")).to_be_visible()
    tap(page, "#lang-toggle")
    server_gone(page, server)
    page.clock.fast_forward(2 * IDLE * 1000)
    expect(page.locator("#idle-title")).to_have_text("Still there?")
    expect(page.locator("#idle-count")).to_have_text(KEPT_EN)
    asking(page, "en")
    form_unseen(page)
    nothing_of_the_form_in_the_page(page, FORM)  # (the review's list held it all, under the cover)
    tap(page, "#idle-mine")
    pad_asks(page, "en")
    nothing_of_the_form_in_the_page(page, FORM)
    press_pin(page, last_digits(FORM["phone"]))
    expect(page.locator("#screen-review")).to_be_visible()
    expect(page.locator("#review")).to_contain_text(FORM["problem"])
    expect(page.locator("#submit")).to_be_disabled()

    tap(page, "#screen-review [data-action=form]")  # Ubah
    tap(page, "#screen-form [data-action=service]")  # Kembali: the form kept
    expect(page.locator("#screen-service")).to_be_visible()
    tap(page, "#screen-service h1")  # (a tap of its own, not a double tap's second)
    tap(page, "#screen-service [data-action=home]")  # Batal, and "Ya, hapus": cleared by the visitor's own choice
    tap(page, "#clear-yes")
    expect(page.locator("#screen-welcome")).to_be_visible()
    tap(page, "#start")
    tap(page, '[data-service="A"]')  # a service, nothing typed
    expect(page.locator("#screen-form")).to_be_visible()
    assert page.evaluate("antrianKiosk.kept") is False
    page.clock.fast_forward(IDLE * 1000)
    expect(page.locator("#screen-welcome")).to_be_visible()


def test_the_next_visitors_touch_on_the_cover_shows_nothing_of_the_form(kiosk, server):
    """The visitor who typed has walked away during the outage. Minutes later the next person touches the cover, as
    "Masih di sini?" used to ask: before, the form came back, every field of the one who left; now the cover stays,
    asking, opaque, and the form under it is untouched. The same once the server is back, its countdown running."""
    page = kiosk()
    kept_cover(page, server)
    page.clock.fast_forward(5 * 60 * 1000)
    for point in touches_beside(page)[:2]:  # the title, the words: where a finger answers "Masih di sini?"
        page.touchscreen.tap(*point)
        page.clock.run_for(DISMISS_MS + 300)
        form_unseen(page)  # before: the warning gone, the form shown with every field of the one who left
        asking(page)
    still_under(page, "form")
    assert field_values(page) == FORM

    server_back(page, server)
    expect(page.locator("#idle-count")).to_have_text(f"Isian Anda akan dihapus dalam {IDLE} detik")
    page.touchscreen.tap(*touches_beside(page)[0])
    page.clock.run_for(DISMISS_MS + 300)
    form_unseen(page)
    asking(page)
    expect(page.locator("#idle-count")).to_have_text(f"Isian Anda akan dihapus dalam {IDLE - 1} detik")
    # unanswered, the countdown clears it at its end, as committed
    page.clock.run_for((IDLE - 1) * 1000)
    expect(page.locator("#screen-welcome")).to_be_visible()
    expect(page.locator("#idle-warning")).to_be_hidden()
    assert field_values(page) == dict.fromkeys(FORM, "")


def test_bukan_saya_clears_the_form_at_once(kiosk, server):
    """ "Bukan saya — mulai dari awal": the welcome screen at once (the page's clock stands still), every field
    cleared, in the kiosk's own language; the same on the countdown once the server is back."""
    page = kiosk()
    typed_form(page)
    tap(page, "#lang-toggle")  # the visitor who typed read it in English
    server_gone(page, server)
    page.clock.fast_forward(IDLE * 1000)
    asking(page, "en")
    tap(page, "#idle-not-mine")
    expect(page.locator("#screen-welcome")).to_be_visible()  # before: no such button, the cover stayed
    expect(page.locator("#idle-warning")).to_be_hidden()
    assert field_values(page) == dict.fromkeys(FORM, "")
    assert page.evaluate("[antrianKiosk.kept, antrianKiosk.resetIn]") == [False, None]
    expect(page.locator("#start")).to_contain_text("Selamat datang")  # back in Indonesian for the next visitor
    tap(page, "#start")
    tap(page, '[data-service="A"]')
    still_under(page, "form")
    assert field_values(page) == dict.fromkeys(FORM, "")  # nothing of the one before

    # Back online, the cover counting down: "Bukan saya" does not wait for the end either.
    fill_fast(page, FORM)
    tap(page, "#f-problem")
    page.clock.fast_forward(IDLE * 1000)
    expect(page.locator("#idle-count")).to_have_text(KEPT_ID)
    server_back(page, server)
    expect(page.locator("#idle-count")).to_have_text(f"Isian Anda akan dihapus dalam {IDLE} detik")
    tap(page, "#idle-not-mine")
    expect(page.locator("#screen-welcome")).to_be_visible()
    expect(page.locator("#idle-warning")).to_be_hidden()
    assert field_values(page) == dict.fromkeys(FORM, "")


def test_a_touch_beside_the_buttons_does_nothing(kiosk, server):
    """As "Hapus isian formulir?": a touch on the cover beside "Ya" and "Bukan saya" (its words, the gap between the
    two, the card under them, the screen's edge, where the name and the phone are under it) or a key of a keyboard
    plugged in answers nothing: the cover stays, nothing under it is pressed or typed, and the form is not kept any
    longer for it: cleared OFFLINE_KEEP_S after the visitor's own last touch."""
    page = kiosk()
    kept_cover(page, server)
    since = OFFLINE_GRACE_MS + IDLE * 1000  # since the visitor's last touch (typed_form)
    for point in touches_beside(page):
        page.touchscreen.tap(*point)
        page.clock.run_for(DISMISS_MS + 300)
        since += DISMISS_MS + 300
        form_unseen(page)
        asking(page)
    page.keyboard.press("x")
    page.keyboard.press("Enter")
    page.clock.run_for(DISMISS_MS + 300)
    since += DISMISS_MS + 300
    form_unseen(page)
    asking(page)
    still_under(page, "form")
    assert field_values(page) == FORM  # no letter typed, no field touched under the cover
    assert page.evaluate("antrianKiosk.kept") is True

    page.clock.fast_forward((OFFLINE_KEEP_S - 1) * 1000 - since)
    still_under(page, "form")
    page.clock.fast_forward(1000)  # no touch beside the buttons kept it longer
    expect(page.locator("#screen-welcome")).to_be_visible()
    expect(page.locator("#idle-warning")).to_be_hidden()
    assert field_values(page) == dict.fromkeys(FORM, "")


LAYOUTS = [("portrait", PORTRAIT), ("small", SMALL), ("4x3", SQUARE), NARROW[-1]]


def test_the_cover_asks_in_words_that_fit_every_kiosk_screen(kiosk, server):
    """Upright (1080x1920, 720x1280) and on its side (1366x768, 1024x768), in Indonesian (the longer words) and
    English, over the longest form: the question, the note and both buttons whole on the screen, each button's words
    inside it, the buttons large for a finger."""
    pages = []
    for orientation, viewport in LAYOUTS:
        for lang in ("id", "en"):
            page = kiosk(viewport)
            tap(page, "#start")
            tap(page, '[data-service="A"]')
            fill_fast(page, LONGEST)
            tap(page, "#f-problem")
            if lang == "en":
                tap(page, "#lang-toggle")
            pages.append((f"{orientation}-{lang}", page, lang))
    server.stop()
    for _, page, _ in pages:
        page.wait_for_function("() => !antrianKiosk.socket.connected", polling=50)
        page.clock.run_for(OFFLINE_GRACE_MS)
        page.clock.fast_forward(IDLE * 1000)
    for where, page, lang in pages:
        asking(page, lang)
        form_unseen(page)
        assert_seen(page, where, ("#idle-title", "#idle-ask", "#idle-count", "#idle-mine", "#idle-not-mine"))
        fit = page.evaluate(
            """() => ['idle-mine', 'idle-not-mine'].map((id) => {
                 const b = document.getElementById(id);
                 return [id, b.scrollWidth <= b.clientWidth && b.scrollHeight <= b.clientHeight]; })"""
        )
        assert all(inside for _, inside in fit), (where, fit)  # each button's words inside it
        assert not [b for b in small_targets(page) if b[0] in (MINE[lang], NOT_MINE[lang])], where
        if where == "portrait-id":
            shot(page, "kiosk-idle-offline")
        elif where == "small-en":
            shot(page, "kiosk-idle-offline-small")

        # "Ya": the pad, whole on the screen beside or under its words, its keys large for a finger (64 px and more
        # at 1080x1920 and 1366x768, where the page is drawn at its own size; over 48 px drawn on the smaller ones)
        tap(page, "#idle-mine")
        pad_asks(page, lang)
        press_pin(page, "1")
        assert_seen(
            page, where, ("#idle-title", "#pin-ask", "#pin-boxes", "#idle-count", "#pin-pad [data-pin]", "#pin-back")
        )
        keys = page.evaluate(
            """() => [...document.querySelectorAll('#pin-pad [data-pin], #pin-back')].map((b) => {
                 const r = b.getBoundingClientRect();
                 return [b.dataset.pin || b.id, r.width, r.height, b.scrollWidth <= b.clientWidth]; })"""
        )
        least = 64 if where.rsplit("-", 1)[0] in ("portrait", "small") else 48
        assert all(w >= least and h >= least and fits for _, w, h, fits in keys), (where, keys)
        form_unseen(page)
        # the key tapped looks pressed a moment (Chromium holds a tap's :active some 0.15 s), then not, and no tap
        # highlight stays over it (kiosk.css: it looked like a key held down): the pad as it stays
        page.wait_for_function("() => !document.querySelector('#pin-pad :active')", polling=50, timeout=5_000)
        tapped = page.locator('#pin-pad [data-pin="1"]')
        assert tapped.evaluate("(b) => getComputedStyle(b).webkitTapHighlightColor") == "rgba(0, 0, 0, 0)"
        if where in ("portrait-id", "small-en"):
            shot(page, "kiosk-idle-offline-pad" + ("" if where == "portrait-id" else "-small"))


def test_ya_asks_the_phones_last_digits_and_the_right_ones_bring_the_form_back_whole(kiosk, server):
    """ "Ya" on the cover over a form with a phone: before, the form came back to whoever pressed it (the next visitor,
    curious, read the name, phone, address and problem of the one who had gone). Now the cover asks for the last 4
    digits of the phone typed, on its own pad, the form still covered and nowhere in the page; Hapus takes a digit
    back; the right 4 bring the form back as it was, its idle time as after "Ya" before."""
    page = kiosk()
    kept_cover(page, server)
    nothing_of_the_form_in_the_page(page, FORM)
    tap(page, "#idle-mine")
    pad_asks(page)  # before: the cover gone, the whole form shown
    form_unseen(page)
    nothing_of_the_form_in_the_page(page, FORM)
    still_under(page, "form")
    digits = last_digits(FORM["phone"])
    problem, caret = FORM["problem"], page.evaluate("document.getElementById('f-problem').selectionStart")
    assert 0 < caret < len(problem)
    press_pin(page, digits[:2])
    assert filled_boxes(page) == 2
    press_delete(page)
    assert filled_boxes(page) == 1
    nothing_of_the_form_in_the_page(page, FORM)  # nor the digits typed
    press_pin(page, digits[1:])
    expect(page.locator("#idle-warning")).to_be_hidden()
    expect(page.locator("#screen-form")).to_be_visible()
    assert field_values(page) == FORM
    expect(page.locator(".field.active")).to_have_attribute("data-field", "problem")  # where the visitor was
    tap(page, '.osk [data-key="x"]')  # the screen's keys type on where the visitor left off (their last tap)
    assert field_values(page) == {**FORM, "problem": problem[:caret] + "x" + problem[caret:]}
    assert page.evaluate("[antrianKiosk.kept, antrianKiosk.resetIn]") == [True, OFFLINE_KEEP_S]
    expect(page.locator("#offline-notice")).to_be_visible()
    # unanswered, the cover comes again at the idle time, asking from the start, the pad closed, nothing typed in it
    page.clock.fast_forward(IDLE * 1000)
    expect(page.locator("#idle-count")).to_have_text(KEPT_ID)
    asking(page)
    expect(page.locator("#pin-pad")).to_be_hidden()
    tap(page, "#idle-mine")
    pad_asks(page)
    assert filled_boxes(page) == 0
    expect(page.locator("#pin-said")).to_have_text("")


def test_three_wrong_answers_clear_the_form_and_say_why(kiosk, server):
    """A wrong answer: "Angka tidak cocok.", the boxes empty; Kembali and "Ya" again do not start the count over; the
    second says one more clears it, in the language shown, switched live; the third clears the form as "Bukan saya"
    does and says why, then the welcome screen: no "Ya" left to press, nothing of the form anywhere."""
    page = kiosk()
    kept_cover(page, server)
    tap(page, "#idle-mine")
    pad_asks(page)
    press_pin(page, "1111")
    expect(page.locator("#pin-said")).to_have_text(PIN_WRONG["id"])
    assert filled_boxes(page) == 0
    pad_asks(page)
    still_under(page, "form")
    tap(page, "#pin-back")  # back to the question
    asking(page)
    expect(page.locator("#pin-pad")).to_be_hidden()
    tap(page, "#idle-mine")
    pad_asks(page)
    press_pin(page, "2222")
    expect(page.locator("#pin-said")).to_have_text(PIN_LAST["id"])
    page.evaluate("document.getElementById('lang-toggle').click()")  # the language switched under the cover
    pad_asks(page, "en")
    expect(page.locator("#pin-said")).to_have_text(PIN_LAST["en"])
    page.evaluate("document.getElementById('lang-toggle').click()")
    expect(page.locator("#pin-said")).to_have_text(PIN_LAST["id"])
    assert field_values(page) == FORM
    nothing_of_the_form_in_the_page(page, FORM)

    press_pin(page, "3333")
    note = page.locator("#cleared-note")
    expect(note).to_be_visible()
    expect(note).to_have_text(CLEARED["id"])
    assert note.bounding_box() == {"x": 0, "y": 0, **page.viewport_size}
    assert_seen(page, "the note", ("#cleared-note .idle-sub",))
    assert field_values(page) == dict.fromkeys(FORM, "")
    expect(page.locator("#idle-warning")).to_be_hidden()
    expect(page.locator("#idle-mine")).to_be_hidden()  # no "Ya" left
    assert page.evaluate("[antrianKiosk.kept, antrianKiosk.resetIn]") == [False, None]
    expect(page.locator("body")).to_have_attribute("data-current", "welcome")
    page.clock.run_for((CLEARED_NOTE_S - 1) * 1000)
    expect(note).to_be_visible()
    page.clock.run_for(1000)
    expect(note).to_be_hidden()
    expect(page.locator("#screen-welcome")).to_be_visible()
    tap(page, "#start")
    tap(page, '[data-service="A"]')
    expect(page.locator("#screen-form")).to_be_visible()
    assert field_values(page) == dict.fromkeys(FORM, "")  # nothing of the one before

    # The next form kept has its three tries afresh; a touch takes the note away at once.
    fill_fast(page, FORM)
    tap(page, "#f-problem")
    page.clock.fast_forward(IDLE * 1000)
    tap(page, "#idle-mine")
    press_pin(page, "0000")
    expect(page.locator("#pin-said")).to_have_text(PIN_WRONG["id"])
    press_pin(page, "00000000")
    expect(note).to_be_visible()
    tap(page, "#cleared-note")
    expect(note).to_be_hidden()
    expect(page.locator("#screen-welcome")).to_be_visible()


def test_a_phone_of_fewer_than_4_digits_has_nothing_to_ask(kiosk, server):
    """No phone, or one of 3 digits: nothing the visitor alone knows to ask for; "Ya" brings the form back as ever."""
    page = kiosk()
    short = {**FORM, "phone": "+62 1"}
    tap(page, "#start")
    tap(page, '[data-service="A"]')
    fill_fast(page, short)
    tap(page, "#f-problem")
    server_gone(page, server)
    page.clock.fast_forward(IDLE * 1000)
    asking(page)
    tap(page, "#idle-mine")
    expect(page.locator("#idle-warning")).to_be_hidden()
    expect(page.locator("#pin-pad")).to_be_hidden()
    expect(page.locator("#screen-form")).to_be_visible()
    assert field_values(page) == short


def test_a_pad_left_alone_ends_when_the_cover_would_and_its_keys_keep_nothing_longer(kiosk, server):
    """The pad is the cover's: its keys are no touch that keeps the form (a passer-by pressing digits does not keep it
    on the kiosk), its time runs on: cleared OFFLINE_KEEP_S after the visitor's last touch; back online, at the end
    of the idle time counted down on it, however many keys were pressed meanwhile."""
    page = kiosk()
    kept_cover(page, server)
    since = OFFLINE_GRACE_MS + IDLE * 1000
    tap(page, "#idle-mine")
    pad_asks(page)
    press_pin(page, "12")
    page.clock.fast_forward((OFFLINE_KEEP_S - 1) * 1000 - since)
    press_pin(page, "3")
    pad_asks(page)
    assert filled_boxes(page) == 3
    page.clock.fast_forward(1000)
    expect(page.locator("#screen-welcome")).to_be_visible()
    expect(page.locator("#idle-warning")).to_be_hidden()
    expect(page.locator("#cleared-note")).to_be_hidden()  # (no wrong answers: the time ended it)
    assert field_values(page) == dict.fromkeys(FORM, "")

    tap(page, "#start")
    tap(page, '[data-service="A"]')
    fill_fast(page, FORM)
    tap(page, "#f-problem")
    page.clock.fast_forward(IDLE * 1000)
    tap(page, "#idle-mine")
    pad_asks(page)
    server_back(page, server)
    expect(page.locator("#idle-count")).to_have_text(f"Isian Anda akan dihapus dalam {IDLE} detik")
    pad_asks(page)  # still the pad, counting down
    for _ in range(5):
        press_pin(page, "98")
        press_delete(page)
        press_delete(page)
    page.clock.run_for((IDLE - 1) * 1000)
    expect(page.locator("#idle-count")).to_have_text("Isian Anda akan dihapus dalam 1 detik")
    still_under(page, "form")
    page.clock.run_for(1000)
    expect(page.locator("#screen-welcome")).to_be_visible()
    expect(page.locator("#idle-warning")).to_be_hidden()
    assert field_values(page) == dict.fromkeys(FORM, "")
