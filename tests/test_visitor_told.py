"""Two things the visitor was not told, on a real server (its clock moved by the test) and real Chromium.

1. The kiosk: Kembali on the form goes back to the services and keeps the form (a service chosen returns to it;
   Batal asks "Hapus isian formulir?"), but the service screen did not say so: a visitor who only wanted another
   service feared typing it all again, or tapped Batal thinking it was the way back. Said there now, above the
   services, whole on the screen upright (1080x1920) and on its side (1920x1080) with the longest service names
   the settings allow; gone once the form is cleared (Batal answered "Ya, hapus", the idle reset, a ticket taken).
2. The visitor's phone: a call withdrawn (the status view's `withdrawn`) said the same words for every reason.
   Each reason is said in the visitor's terms, naming nobody, then what stays true (the number keeps its place
   and is called again): idle (no counter page open for [queue] counter_release_minutes: the server's clock
   moved on), freed (the front office freed the counter), signed_out (the officer signed out).
"""

from __future__ import annotations

import pytest
import requests
from conftest import write_config
from kioskui import LANDSCAPE, PORTRAIT, assert_actions_visible, assert_seen, fill_fast, tap
from live import ClockedServer, LiveServer
from pageclock import CALM_NUMBERS, install_clock, pause_clock
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import counter_actions, issue

from server.config import _TEXT_LIMITS as CONFIG_LIMITS

PASSWORD = "rahasia-123"
PHONE = {"width": 360, "height": 640}
MINUTES = 10  # config.toml's [queue] counter_release_minutes


def _longest_name(words: str) -> str:
    """`words` repeated to the longest service name the settings accept (server/config.py LIMITS)."""
    limit = CONFIG_LIMITS["services.name"]
    out = (words * (limit // len(words) + 1))[:limit].rstrip()
    assert len(out) >= limit - 1
    return out


LONG_NAMES = {
    "Konsultasi Penyedia": _longest_name("Konsultasi Penyedia Barang/Jasa dan Pelaku Usaha Mikro & Kecil "),
    "Konsultasi Non-Penyedia (PPK/Pokja/PP)": _longest_name("Konsultasi Non-Penyedia (PPK/Pokja Pemilihan/PP) "),
    "Registrasi & Verifikasi Akun": _longest_name("Registrasi & Verifikasi Akun Penyedia pada SPSE Versi 4.5 "),
}
KEPT = {
    "id": "Isian formulir Anda tetap tersimpan: pilih layanan untuk melanjutkan.",
    "en": "Your form is kept: choose a service to continue.",
}
STAYS = {
    "id": "Nomor Anda tidak dilewati: Anda tetap di tempat antrian Anda dan akan dipanggil lagi.",
    "en": "Your number was not passed over: you keep your place in the line and will be called again.",
}
WITHDRAWN = {
    "idle": {
        "id": "Panggilan dibatalkan: Loket 1 yang memanggil Anda tidak aktif.",
        "en": "The call was withdrawn: Loket 1, which called you, is not active.",
    },
    "freed": {
        "id": "Panggilan ke Loket 1 dibatalkan oleh petugas.",
        "en": "The call to Loket 1 was cancelled by the staff.",
    },
    "signed_out": {
        "id": "Panggilan dibatalkan: petugas Loket 1 telah selesai bertugas.",
        "en": "The call was withdrawn: the officer at Loket 1 has finished their shift.",
    },
}


@pytest.fixture(scope="module")
def kiosk_office(tmp_path_factory):
    """The demo office with the longest service names the settings allow, never pinging its pages (CALM_NUMBERS):
    a kiosk's paused clock is moved past its idle time in one call, not 5 s a ping of every 7 s (pageclock)."""
    replace = {f'name = "{old}"': f'name = "{new}"' for old, new in LONG_NAMES.items()}
    server = LiveServer(write_config(tmp_path_factory.mktemp("kiosk"), replace), numbers=CALM_NUMBERS).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """The demo office on a clock the test moves (a counter left idle), an officer and a front office."""
    config = write_config(tmp_path_factory.mktemp("phone"))
    assert f"counter_release_minutes = {MINUTES}" in config.read_text()
    server = ClockedServer(config, tick=0.1).start()  # an idle counter freed within 0.1 s of the clock's move
    server.add_user("budi", "officer")
    server.add_user("rina", "frontoffice")
    yield server
    server.stop()


def field_values(page) -> dict[str, str]:
    return page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('#visitor-form input, #visitor-form textarea')]"
        ".map(e => [e.name, e.value]))"
    )


# How the note is drawn: its letters' size on the screen (a CSS zoom included) and its lines
NOTE_LOOK = """() => {
  const el = document.getElementById('form-kept'), style = getComputedStyle(el);
  const zoom = parseFloat(getComputedStyle(document.documentElement).zoom) || 1;
  const range = document.createRange();
  range.selectNodeContents(el);
  const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
  return {size: parseFloat(style.fontSize) * zoom, lines};
}"""


@pytest.mark.parametrize("name, viewport", [("portrait", PORTRAIT), ("landscape", LANDSCAPE)])
def test_the_service_screen_says_the_form_is_kept_until_it_is_cleared(browser, kiosk_office, name, viewport):
    page = browser.new_page(viewport=viewport, has_touch=True)
    try:
        install_clock(page)
        page.goto(f"{kiosk_office.url}/kiosk/?idle=10")
        page.wait_for_function("() => antrianKiosk.live", polling=50)
        pause_clock(page)
        kept = page.locator("#form-kept")
        batal = "#screen-service [data-action=home]"
        kembali = "#screen-form [data-action=service]"
        typed = {"name": "Ani Wulandari", "agency": "", "address": "", "phone": "", "problem": "Lupa sandi SPSE"}

        def choose(code: str) -> None:
            tap(page, "#screen-service h1")  # a tap of its own first: a double tap's second is dropped (kiosk.js)
            tap(page, f'[data-service="{code}"]')

        def back_with_a_form() -> None:
            choose("B")
            expect(page.locator("#screen-form")).to_be_visible()
            fill_fast(page, {"name": typed["name"], "problem": typed["problem"]})
            tap(page, kembali)
            expect(page.locator("#screen-service")).to_be_visible()

        # Nothing typed yet: nothing to keep, nothing said
        tap(page, "#start")
        expect(page.locator("#screen-service")).to_be_visible()
        expect(kept).to_be_hidden()
        choose("A")
        tap(page, kembali)
        expect(page.locator("#screen-service")).to_be_visible()
        expect(kept).to_be_hidden()

        # Back from a typed form: said, whole on the screen above the services, in letters a standing visitor reads
        back_with_a_form()
        expect(kept).to_be_visible()
        expect(kept).to_have_text(KEPT["id"])
        assert_seen(page, f"{name}: the form kept", ("#form-kept",))
        assert_actions_visible(page, f"{name}: services with the note", must=(batal,))
        for code in "ABC":
            assert (
                page.locator(f'[data-service="{code}"] .service-name')
                .text_content()
                .startswith(LONG_NAMES_BY_CODE[code][:30])
            )
        look = page.evaluate(NOTE_LOOK)
        assert look["size"] >= 22 and look["lines"] <= 2, look
        keep_shot(page, f"kiosk-form-kept-{name}.png")
        tap(page, "#lang-toggle")
        expect(kept).to_have_text(KEPT["en"])
        assert_seen(page, f"{name}: the form kept, in English", ("#form-kept",))
        keep_shot(page, f"kiosk-form-kept-{name}-en.png")
        tap(page, "#lang-toggle")
        expect(kept).to_have_text(KEPT["id"])

        # What it says holds: a service chosen returns to the form as it was
        choose("C")
        expect(page.locator("#screen-form")).to_be_visible()
        assert field_values(page) == typed
        tap(page, kembali)
        expect(kept).to_be_visible()

        # Batal asked and answered "Tidak": still kept, still said; "Ya, hapus": cleared, not said again
        tap(page, batal)
        expect(page.locator("#confirm-clear")).to_be_visible()
        tap(page, "#clear-keep")
        expect(page.locator("#confirm-clear")).to_be_hidden()
        expect(kept).to_be_visible()
        tap(page, batal)
        tap(page, "#clear-yes")
        expect(page.locator("#screen-welcome")).to_be_visible()
        tap(page, "#start")
        expect(page.locator("#screen-service")).to_be_visible()
        expect(kept).to_be_hidden()

        # The idle reset clears the form: the next visitor is not told of a form that is gone
        back_with_a_form()
        expect(kept).to_be_visible()
        assert page.evaluate("antrianKiosk.resetIn") == 10
        page.clock.fast_forward(10_000)
        expect(page.locator("#screen-welcome")).to_be_visible()
        tap(page, "#start")
        expect(kept).to_be_hidden()

        # A ticket taken with the kept form: the next visitor's service screen says nothing of it
        back_with_a_form()
        expect(kept).to_be_visible()
        choose("A")
        fill_fast(page, {"agency": "CV Maju", "address": "Jl. Merdeka 1", "phone": "081234567890"})
        tap(page, '[data-category="pertanyaan"]')
        tap(page, "#to-review")
        expect(page.locator("#screen-review")).to_be_visible()
        tap(page, "#submit")
        expect(page.locator("#screen-ticket")).to_be_visible()
        expect(page.locator("#ticket-label")).not_to_have_text("")
        page.clock.fast_forward(1_500)  # Selesai takes a tap (kiosk.js TICKET_DONE_GUARD_MS)
        page.wait_for_function("() => antrianKiosk.doneReady", polling=50)
        tap(page, "#screen-ticket [data-action=home]")
        expect(page.locator("#screen-welcome")).to_be_visible()
        tap(page, "#start")
        expect(page.locator("#screen-service")).to_be_visible()
        expect(kept).to_be_hidden()
    finally:
        page.close()


LONG_NAMES_BY_CODE = dict(zip("ABC", LONG_NAMES.values(), strict=True))


def front_office(office) -> requests.Session:
    return office.session("rina", PASSWORD)


def empty_line(office) -> None:
    """Nobody waiting (an earlier case's number left over): the officer's next call is the test's visitor."""
    rina = front_office(office)
    for ticket in rina.get(office.url + "/api/staff/state", timeout=5).json()["tickets"]:
        if ticket["status"] == "waiting":
            rina.post(f"{office.url}/api/tickets/{ticket['token']}/cancel", json={}, timeout=5).raise_for_status()


@pytest.mark.parametrize("reason", ["idle", "freed", "signed_out"])
def test_the_phone_says_why_a_call_was_withdrawn_in_the_visitors_terms(browser, office, reason):
    empty_line(office)
    officer = counter_actions(office, "budi")
    mine = issue(office, "Dewi Lestari", service="C")
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        page = context.new_page()
        page.goto(f"{office.url}/t/{mine['token']}")
        page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
        assert officer("call-next")["label"] == mine["label"]
        expect(page.locator("#status")).to_have_text("dipanggil")

        if reason == "idle":  # no counter page of budi's open for counter_release_minutes: the server frees it
            office.advance((MINUTES + 1) * 60)
        elif reason == "freed":  # the front office frees the counter
            front_office(office).post(f"{office.url}/api/counters/1/release", json={}, timeout=5).raise_for_status()
        else:  # budi signs out
            budi = office.session("budi", PASSWORD)
            budi.post(f"{office.url}/api/logout", json={}, timeout=5).raise_for_status()

        said = page.locator("#withdrawn")
        expect(said).to_have_text(f"{WITHDRAWN[reason]['id']} {STAYS['id']}", timeout=15_000)
        expect(page.locator("#status")).to_have_text("menunggu")
        keep_shot(page, f"phone-withdrawn-{reason}.png")
        box = said.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], box  # on the first screen
        view = requests.get(f"{office.url}/api/tickets/{mine['token']}", timeout=5).json()["ticket"]
        assert view["withdrawn"]["reason"] == reason, view
        assert "budi" not in str(view) and "rina" not in str(view)  # nothing of who
        # the page without its script says the same
        lite = requests.get(f"{office.url}/t/{mine['token']}?lite=1", timeout=5).text
        assert WITHDRAWN[reason]["id"] in lite
        for other in WITHDRAWN:
            if other != reason:
                assert WITHDRAWN[other]["id"] not in lite
        # and in English, the page opened again
        page.goto(f"{office.url}/t/{mine['token']}?lang=en")
        expect(said).to_have_text(f"{WITHDRAWN[reason]['en']} {STAYS['en']}")
    finally:
        context.close()
        front_office(office).post(f"{office.url}/api/tickets/{mine['token']}/cancel", json={}, timeout=5)
