"""The kiosk at the sizes its screens have (1080×1920 upright, 1920×1080 on its side, the small 1366×768 and
1024×768 ones, and upright narrow: 768×1366, 800×1280, 720×1280), with the longest form the server accepts:
on every screen every button is whole on the screen, never below it in a scrolling area; the ticket's
number on one line, nothing over its QR code; and the on-screen keyboard types what an Indonesian agency
and address need, in few taps.
"""

from __future__ import annotations

import pytest
import requests
from conftest import visitor
from kioskui import (
    LANDSCAPE,
    LONGEST,
    NARROW,
    ORIENTATIONS,
    PORTRAIT,
    SMALL,
    Keys,
    assert_actions_visible,
    assert_one_line,
    assert_seen,
    fill_fast,
    kiosk_pages,
    offscreen_actions,
    shot,
    shot_name,
    small_targets,
)
from playwright.sync_api import expect

LONG_REFUSAL = (
    "Layanan sedang tidak dapat menerbitkan nomor antrian karena gangguan pada server. Silakan coba lagi "
    "beberapa saat lagi atau hubungi petugas front office yang berada di dekat pintu masuk ruang layanan."
)


# kiosk/static/kiosk.js OFFLINE_GRACE_MS: the socket gone this long before the kiosk says it is offline
OFFLINE_GRACE_MS = 2_000

# What of the form is wider than the form (at 768 px upright its choices once ran 60 px past the screen)
FORM_OVERFLOW_JS = (
    """() => { const f = document.getElementById('visitor-form'); return f.scrollWidth - f.clientWidth; }"""
)

# The keyboard's keys whose label is wider than the key ("Berikutnya" at 1366 px once was)
CUT_KEYS_JS = """() => [...document.querySelectorAll('.osk .key')]
    .filter((k) => k.getClientRects().length && k.scrollWidth > k.clientWidth + 1).map((k) => k.textContent.trim())"""


@pytest.fixture
def kiosk(browser, live):
    with kiosk_pages(browser, live) as open_kiosk:
        yield open_kiosk


@pytest.mark.parametrize("name, viewport", ORIENTATIONS)
def test_every_screens_buttons_are_on_screen_with_the_longest_inputs(kiosk, name, viewport):
    page = kiosk(viewport)
    assert_actions_visible(page, "welcome", must=("#start", "#lang-toggle"))
    page.click("#start")
    assert_actions_visible(page, "service", must=("#screen-service [data-action=home]",))
    page.click('[data-service="B"]')  # the longest service name
    assert_actions_visible(page, "form, empty", must=("#to-review", "#screen-form [data-action=service]"))
    expect(page.locator("#form-more")).to_be_hidden()  # every field on the screen: nothing "below"
    cut = page.evaluate(CUT_KEYS_JS)
    assert not cut, f"keys whose label does not fit them: {cut}"
    page.click("#to-review")  # every field marked, and the summary above the form
    expect(page.locator("#e-name")).to_have_text("Wajib diisi.")
    if name == "small":
        # 768 px: the refusals under the fields push the category and the priority down; the form
        # scrolls and says so over Kembali/Lanjut, and a touch on that brings them up.
        expect(page.locator("#form-more")).to_be_visible()
        hidden = offscreen_actions(page)
        assert hidden and all(b["clipped"] == "visitor-form" for b in hidden), hidden  # only in the form's list
        assert not {"Kembali", "Lanjut"} & {b["text"] for b in hidden}
        shot(page, "kiosk-form-refused-small")
        page.click("#form-more")
    expect(page.locator("#form-more")).to_be_hidden()
    assert_actions_visible(page, "form, every field refused", must=("#to-review", "#priority"))
    fill_fast(page, LONGEST)
    page.click("#f-problem")
    page.click('[data-category="konsultasi"]')
    page.click("#priority")
    expect(page.locator("#form-more")).to_be_hidden()
    assert_actions_visible(page, "form, longest inputs", must=("#to-review", "#priority"))
    assert page.evaluate(FORM_OVERFLOW_JS) <= 1, "the form is wider than its box"
    if viewport["height"] > viewport["width"]:  # upright: every target over 48 px (the small landscape ones: docs)
        assert not small_targets(page), small_targets(page)
    if name in dict(NARROW):
        shot(page, shot_name("kiosk-form-longest", name))

    page.click("#to-review")
    expect(page.locator("#screen-review")).to_be_visible()
    expect(page.locator("#review")).to_contain_text(LONGEST["problem"][:40])
    review_buttons = ("#screen-review [data-action=form]", "#submit")
    assert_actions_visible(page, "review, longest inputs", must=review_buttons)
    shot(page, shot_name("kiosk-review", name))
    page.click("#lang-toggle")
    expect(page.locator("#submit")).to_have_text("Take a queue number")
    assert_actions_visible(page, "review in English", must=review_buttons)
    page.click("#lang-toggle")

    # A refusal shown above the buttons does not push them away either.
    page.route(
        "**/api/tickets",
        lambda route: route.fulfill(status=503, json={"error": "unavailable", "message": LONG_REFUSAL}),
    )
    page.click("#submit")
    expect(page.locator("#submit-error")).to_have_text(LONG_REFUSAL)
    assert_actions_visible(page, "review with a refusal", must=review_buttons)
    page.unroute("**/api/tickets")

    page.click("#submit")
    expect(page.locator("#screen-ticket")).to_be_visible()
    expect(page.locator("#ticket-label")).not_to_have_text("")
    expect(page.locator("#ticket-priority")).to_be_visible()
    page.wait_for_function("() => document.getElementById('ticket-qr').naturalWidth > 0", polling=50)
    assert_actions_visible(page, "ticket", must=("#screen-ticket [data-action=home]", "#ticket-qr"))
    seen = ("#ticket-label", "#ticket-service", "#ticket-priority", "#ticket-ahead", "#ticket-wait", "#ticket-qr")
    assert_seen(page, "ticket", (*seen, "#ticket-hint"))  # nothing over the QR code or the hint (Selesai once was)
    assert_one_line(page, "ticket", "#ticket-label")  # not "B-" over "001"
    page.click("#lang-toggle")
    assert_actions_visible(page, "ticket in English", must=("#screen-ticket [data-action=home]", "#ticket-qr"))
    assert_seen(page, "ticket in English", (*seen, "#ticket-hint"))


@pytest.mark.parametrize("name, viewport", ORIENTATIONS)
def test_the_widest_ticket_number_stays_on_one_line(kiosk, name, viewport):
    """A three-letter prefix and four digits ("WWW-9999": the widest capitals a prefix may have, a day past
    999 numbers) on one line, inside the screen, smaller than "A-001" is drawn but whole."""
    page = kiosk(viewport)

    def widest(route):
        answer = route.fetch()
        body = answer.json()
        body["ticket"]["label"] = "WWW-9999"
        route.fulfill(response=answer, json=body)

    page.route("**/api/tickets", widest)
    page.click("#start")
    page.click('[data-service="B"]')
    fill_fast(page, {k: v for k, v in visitor().items() if k not in ("service", "category")})
    page.click("#to-review")
    page.click("#submit")
    expect(page.locator("#ticket-label")).to_have_text("WWW-9999")
    page.wait_for_function("() => document.getElementById('ticket-qr').naturalWidth > 0", polling=50)
    assert_one_line(page, f"ticket WWW-9999 ({name})", "#ticket-label")
    assert_seen(page, f"ticket WWW-9999 ({name})", ("#ticket-label", "#ticket-qr", "#ticket-hint"))
    assert_actions_visible(page, f"ticket WWW-9999 ({name})", must=("#screen-ticket [data-action=home]",))


@pytest.mark.parametrize("name, viewport", NARROW)
def test_on_a_narrow_upright_screen_the_notices_leave_every_button_whole(kiosk, live, name, viewport):
    """Both bars above the form with the longest inputs (the server out of reach, and the chosen service's
    quota used up while the visitor types, in the longest words the notice has): the fields make room,
    Kembali and Lanjut stay whole, and so does the review's Ambil nomor antrian."""
    page = kiosk(viewport, clock=True)  # the kiosk's grace before it says it is offline: moved on, not waited
    page.wait_for_function("() => antrianKiosk.live", polling=50)
    page.click("#start")
    page.click('[data-service="B"]')
    fill_fast(page, LONGEST)
    state = requests.get(f"{live.url}/api/state", timeout=5).json()
    for sv in state["services"]:
        sv["left"] = 0 if sv["code"] == "B" else 5  # B's used up, another open: "choose another service"
    page.route("**/api/state", lambda route: route.fulfill(json=state))
    # a number issued elsewhere: the kiosk looks at the state again
    assert requests.post(f"{live.url}/api/tickets", json=visitor(service="A"), timeout=5).status_code == 201
    expect(page.locator("#office-notice")).to_be_visible()
    page.context.set_offline(True)
    page.evaluate("() => antrianKiosk.socket.io.engine.close()")  # as a cable pulled: the socket drops
    page.clock.run_for(OFFLINE_GRACE_MS)
    expect(page.locator("#offline-notice")).to_be_visible()
    hidden = offscreen_actions(page)  # only inside the form's own list, which scrolls and says so
    assert all(b["clipped"] == "visitor-form" for b in hidden), hidden
    if hidden:
        expect(page.locator("#form-more")).to_be_visible()
    whole = ("#to-review", "#screen-form [data-action=service]", "#offline-notice", "#office-notice")
    assert_seen(page, f"form, both notices ({name})", whole)
    page.click("#to-review")
    expect(page.locator("#screen-review")).to_be_visible()
    review_buttons = ("#screen-review [data-action=form]", "#submit")
    assert_actions_visible(page, f"review, both notices ({name})", must=review_buttons)
    assert_seen(page, f"review, both notices ({name})", ("#offline-notice", "#office-notice"))


# The problem's box as drawn (getBoundingClientRect: a CSS zoom in it), against the form's: the rows of text in sight,
# what of its text it hides (scrolled inside it), whether the end of its text is in sight, and the room the form leaves
# empty under the priority, above Kembali/Lanjut.
PROBLEM_BOX_JS = """() => {
  const el = document.getElementById('f-problem'), s = getComputedStyle(el), r = el.getBoundingClientRect();
  const scale = r.height / el.offsetHeight;  // drawn px per CSS px (the narrow screens' zoom)
  const frame = ['paddingTop', 'paddingBottom', 'borderTopWidth', 'borderBottomWidth']
    .reduce((sum, k) => sum + parseFloat(s[k]), 0);
  const form = document.getElementById('visitor-form'), last = form.lastElementChild.getBoundingClientRect();
  return {
    height: r.height, rows: (r.height / scale - frame) / parseFloat(s.lineHeight),
    hidden: (el.scrollHeight - el.clientHeight) * scale, end: el.scrollTop + el.clientHeight >= el.scrollHeight - 1,
    room: form.getBoundingClientRect().bottom - last.bottom, scrolls: form.scrollHeight - form.clientHeight,
  };
}"""

# what the form's refusals, its own padding and the last field's margin leave under the priority: not room
FORM_EDGE_PX = 16


@pytest.mark.parametrize(
    "name, viewport", [("portrait", PORTRAIT), ("landscape", LANDSCAPE), NARROW[1], ("small", SMALL)]
)
def test_the_problems_box_grows_with_its_text_into_the_room_the_form_leaves(kiosk, name, viewport):
    """A long problem typed: the box grows with it into the room under the priority (at 1080x1920 it stayed three rows
    high over 280 px left empty, a visitor scrolling what they wrote three lines at a time), never further: the form
    does not scroll for it, the category, the priority, Kembali and Lanjut whole. A refusal takes its room back (at
    1366x768, with the refusals that make the form scroll, it keeps its height); deleted, the text leaves it as it was."""
    page = kiosk(viewport)
    page.click("#start")
    page.click('[data-service="B"]')  # the longest service name
    fill_fast(page, {k: v for k, v in LONGEST.items() if k != "problem"})
    page.click("#f-problem")
    keys = Keys(page)
    empty = page.evaluate(PROBLEM_BOX_JS)
    actions = ("#to-review", "#screen-form [data-action=service]", "#priority")

    fill_fast(page, {"problem": LONGEST["problem"][:180]})  # a few lines: the box as tall as they are, whole
    box = page.evaluate(PROBLEM_BOX_JS)
    assert box["hidden"] <= 1 and box["height"] > empty["height"], f"{name}: a few lines scrolled in the box: {box}"

    last = LONGEST["problem"].rindex(" galat") + 1  # its last word typed on the keys, the rest put in
    fill_fast(page, {"problem": LONGEST["problem"][:last]})
    for key in "galat":
        keys.tap(key)
    assert page.input_value("#f-problem") == LONGEST["problem"][: last + 5]
    box = page.evaluate(PROBLEM_BOX_JS)
    assert box["rows"] > 3, f"{name}: the box shows {box['rows']:.1f} rows of a long problem: {box}"
    assert box["room"] <= FORM_EDGE_PX and box["scrolls"] <= 1, f"{name}: room left unused, or the form pushed: {box}"
    assert box["end"], f"{name}: the end of the text typed is out of sight: {box}"
    expect(page.locator("#form-more")).to_be_hidden()
    assert_actions_visible(page, f"form, a long problem ({name})", must=actions)
    if name == "portrait":
        shot(page, "kiosk-form-long-problem")

    # The phone's pad (upright taller than the letters) and back: the box makes it room, and takes it again
    page.click("#f-phone")
    expect(page.locator("#osk-numpad")).to_be_visible()
    box = page.evaluate(PROBLEM_BOX_JS)
    assert box["scrolls"] <= 1 and box["room"] <= FORM_EDGE_PX, f"{name}: the phone's pad: {box}"
    assert_actions_visible(page, f"form, a long problem, the phone's pad ({name})", must=actions)
    page.click("#f-problem")
    assert page.evaluate(PROBLEM_BOX_JS)["room"] <= FORM_EDGE_PX

    # A refusal (the name cleared) and the summary above the form: the box gives back their room
    fill_fast(page, {"name": ""})
    page.click("#to-review")
    expect(page.locator("#e-name")).to_have_text("Wajib diisi.")
    box = page.evaluate(PROBLEM_BOX_JS)
    assert box["scrolls"] <= 1 and box["height"] > empty["height"], f"{name}: one refusal: {box}"
    expect(page.locator("#form-more")).to_be_hidden()
    assert_actions_visible(page, f"form, a long problem, one refusal ({name})", must=actions)
    # Four refusals: where the form scrolls all the same (1366x768) the box is as it was, the form no longer for it
    fill_fast(page, {"agency": "", "address": "", "phone": ""})
    page.click("#to-review")
    expect(page.locator("#e-phone")).to_have_text("Wajib diisi.")
    box = page.evaluate(PROBLEM_BOX_JS)
    assert box["scrolls"] <= 1 or box["height"] == empty["height"], f"{name}: four refusals: {box} (empty: {empty})"
    # corrected, the room is the box's again
    fill_fast(page, {k: LONGEST[k] for k in ("name", "agency", "address", "phone")})
    expect(page.locator("#form-summary")).to_be_hidden()
    box = page.evaluate(PROBLEM_BOX_JS)
    assert box["room"] <= FORM_EDGE_PX and box["scrolls"] <= 1, f"{name}: refusals corrected: {box}"
    assert_actions_visible(page, f"form, refusals corrected ({name})", must=actions)

    # Deleted down to a line (⌫ over the text selected): the box as it was empty
    page.click("#f-problem")
    keys.moved()
    page.evaluate("() => { const f = document.getElementById('f-problem'); f.setSelectionRange(30, f.value.length); }")
    keys.tap("backspace")
    assert page.input_value("#f-problem") == LONGEST["problem"][:30]
    assert page.evaluate(PROBLEM_BOX_JS)["height"] == empty["height"]
    assert_actions_visible(page, f"form, the problem deleted ({name})", must=actions)


# -- the on-screen keyboard ---------------------------------------------------------------------


class Typist:
    """Types by tapping the visible keys as a sensible visitor would, and counts the taps.

    A capital alone: Shift (it holds for one letter). Two or more capitals in a row: the caps lock,
    then the caps lock again before the next small letter. The field's own start (Shift on by
    itself in an empty field) is read from the page.
    """

    def __init__(self, page):
        self.page = page
        self.keys = Keys(page)
        self.taps = 0

    def tap(self, key: str) -> None:
        self.keys.tap(key)
        self.taps += 1
        if key == "next":
            self.keys.moved()

    def pressed(self, key: str) -> bool:
        return self.page.locator(f'#osk-letters [data-key="{key}"]').get_attribute("aria-pressed") == "true"

    def field(self, key: str, text: str, via: str = "tap") -> int:
        """Go to the field (tapping it, or Berikutnya) and type `text`; the taps it cost."""
        before = self.taps
        if via == "next":
            self.tap("next")
        else:
            self.page.click(f"#f-{key}")
            self.keys.moved()
            self.taps += 1
        shift, caps = self.pressed("shift"), self.pressed("capslock")
        letters = [(i, c) for i, c in enumerate(text) if c.isalpha()]
        for i, ch in enumerate(text):
            if ch.isalpha():
                run = 0  # capitals from here up to the next small letter
                for _, c in (x for x in letters if x[0] >= i):
                    if not c.isupper():
                        break
                    run += 1
                upper = caps or shift
                if ch.isupper() and not upper:
                    if run >= 2:
                        self.tap("capslock")
                        caps, shift = True, False
                    else:
                        self.tap("shift")
                        shift = True
                elif not ch.isupper() and upper:
                    if caps:
                        self.tap("capslock")
                        caps, shift = False, False
                    else:
                        self.tap("shift")
                        shift = False
                self.tap(ch.lower())
                shift = False
            else:
                self.tap("space" if ch == " " else ch)
        assert self.page.input_value(f"#f-{key}") == text
        return self.taps - before


SYMBOLS = "&-/.,():#'\"@\u2014_"


def test_every_symbol_an_address_or_agency_needs_has_a_key(kiosk):
    page = kiosk()
    page.click("#start")
    page.click('[data-service="A"]')
    page.click("#f-address")
    typist = Typist(page)
    for ch in SYMBOLS:
        typist.tap(ch)
    assert page.input_value("#f-address") == SYMBOLS
    assert typist.taps == len(SYMBOLS)  # one tap each, no layer to switch to


def test_a_typical_form_costs_few_taps(kiosk):
    page = kiosk()  # upright; on its side the same keys, see the next test
    page.click("#start")
    page.click('[data-service="A"]')
    typist = Typist(page)
    taps = {
        "name": typist.field("name", "Budi Santoso"),
        "agency": typist.field("agency", "Dinas PU & Tata Ruang", via="next"),
        "address": typist.field("address", "Jl. Jend. Sudirman No. 12/B, RT 03/RW 05", via="next"),
        "phone": typist.field("phone", "081234567890", via="next"),
        "problem": typist.field("problem", "Lupa kata sandi akun SPSE: tidak bisa masuk #2", via="next"),
    }
    # Each: the tap to reach the field, one per character, and one per change of case.
    assert taps == {"name": 14, "agency": 25, "address": 45, "phone": 13, "problem": 49}, taps
    # 131 characters in five fields: 146 taps (the old keyboard had no "&" or "#", and no caps lock).
    assert sum(taps.values()) == 146

    # "PUPR" in an empty field: the caps lock and four letters (Shift is on by itself and
    # would cost a tap per capital after the first).
    page.click("#f-agency")
    page.evaluate("() => { const f = document.getElementById('f-agency'); f.value = ''; }")
    page.click("#f-name")
    page.click("#f-agency")
    before = typist.taps
    typist.tap("capslock")
    for ch in "pupr":
        typist.tap(ch)
    assert page.input_value("#f-agency") == "PUPR"
    assert typist.taps - before <= 5
    # The caps lock stays on until tapped again; Shift alone holds for one letter.
    typist.tap("space")
    typist.tap("k")
    assert page.input_value("#f-agency") == "PUPR K"
    typist.tap("capslock")
    typist.tap("shift")
    typist.tap("a")
    typist.tap("b")
    assert page.input_value("#f-agency") == "PUPR KAb"


def test_on_its_side_the_kiosk_has_the_same_keys_whole_under_a_finger_and_the_same_taps(kiosk):
    """The keyboard is one template (the same keys at both sizes; CSS lays them out), so the counts above
    hold on a landscape screen when it draws every key whole on the screen under a finger: the letters
    (whole: the first test, on every screen) and the phone field's digits. Two fields typed there then
    cost what they cost upright."""
    page = kiosk(LANDSCAPE)
    page.click("#start")
    page.click('[data-service="A"]')
    hidden = page.locator("#osk-letters [data-key]").evaluate_all(
        "keys => keys.filter(k => k.getClientRects().length === 0).map(k => k.dataset.key)"
    )
    assert hidden == [], f"keys not drawn on its side: {hidden}"
    typist = Typist(page)
    assert typist.field("agency", "Dinas PU & Tata Ruang") == 25
    page.click("#f-phone")
    expect(page.locator("#osk-numpad")).to_be_visible()
    assert_actions_visible(page, "form, the phone field's digits", must=("#osk-numpad [data-key='0']",))
    assert typist.field("phone", "081234567890") == 13


def test_the_services_fit_a_small_landscape_touchscreen_without_scrolling(kiosk):
    """1366x768, the cheap all-in-one touchscreen an office may use as its kiosk: the three services with
    their waiting lines fit above Batal (the second one's text was cut at the bar, behind a scroll)."""
    page = kiosk({"width": 1366, "height": 768})
    page.click("#start")
    expect(page.locator("#screen-service")).to_be_visible()
    height, visible = page.evaluate(
        "() => { const l = document.querySelector('.service-list'); return [l.scrollHeight, l.clientHeight]; }"
    )
    assert height <= visible, (height, visible)
    assert_actions_visible(page, "services at 1366x768", must=("#screen-service [data-action=home]",))
    buttons = page.locator(".service-btn")
    expect(buttons).to_have_count(3)
    for button in buttons.all():
        box = button.bounding_box()
        assert box["y"] >= 80 and box["y"] + box["height"] <= 768 - 80, box  # between the top bar and Batal's bar


def test_at_1366x768_the_form_scrolls_no_longer_once_the_refusals_that_pushed_it_are_corrected(kiosk):
    """1366x768: Lanjut on the empty form marks the five fields and the form scrolls, "Masih ada isian di bawah"
    over Kembali/Lanjut. Corrected one by one, the form fits again with one refusal left: the bar goes, and the
    priority is whole above Kembali. Before, the bar, measured while it took its own room from the form, kept itself
    up, the priority cut at its top (with a long service name too, after "Isian ini sudah penuh" under a field)."""
    page = kiosk(SMALL)
    page.click("#start")
    page.click('[data-service="A"]')
    page.click("#to-review")
    expect(page.locator("#form-more")).to_be_visible()
    keys = Keys(page)
    for key, text in (("name", "budi"), ("agency", "dinas"), ("address", "jl"), ("phone", "081234567890")):
        page.click(f"#f-{key}")
        keys.moved()
        for ch in text:
            keys.tap(ch)
        expect(page.locator(f"#e-{key}")).to_be_empty()
    expect(page.locator("#e-problem")).to_have_text("Wajib diisi.")
    expect(page.locator("#form-more")).to_be_hidden()
    room = page.evaluate(
        "() => { const f = document.getElementById('visitor-form'); return f.scrollHeight - f.clientHeight; }"
    )
    assert room <= 12, f"the form still scrolls {room} px"
    assert_actions_visible(page, "form, one refusal left", must=("#priority", "#to-review"))
