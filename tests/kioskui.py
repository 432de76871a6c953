"""Helpers for the kiosk's browser tests: the longest inputs, typing by taps, and what is on screen."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from pageclock import install_clock, pause_clock
from playwright.sync_api import expect

from server.forms import LIMITS

SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
SMALL = {"width": 1366, "height": 768}  # a cheap 15.6" touchscreen on its side
SQUARE = {"width": 1024, "height": 768}  # a 4:3 touch monitor (the cheap POS screen) on its side
# Upright and narrow: the 1366x768 all-in-one stood on its side, and the common 800x1280 and 720x1280
# tablets (kiosk.css draws the 1080x1920 layout smaller on them)
NARROW = [
    ("portrait-768", {"width": 768, "height": 1366}),
    ("portrait-800", {"width": 800, "height": 1280}),
    ("portrait-720", {"width": 720, "height": 1280}),
]
ORIENTATIONS = [("portrait", PORTRAIT), ("landscape", LANDSCAPE), ("small", SMALL), ("4x3", SQUARE), *NARROW]


def _longest(text: str, key: str) -> str:
    """`text` repeated to exactly the longest length the server accepts for `key` (no trailing space)."""
    limit = LIMITS[key]
    out = (text * (limit // len(text) + 1))[:limit]
    return out[:-1] + "." if out.endswith(" ") else out


# The longest form a visitor may fill (server/forms.py LIMITS), in realistic words, wide capitals too.
LONGEST = {
    "name": _longest("Prof. Dr. Ir. H. MUHAMMAD ABDURRAHMAN WIRAWAN KUSUMANEGARA, S.T., M.T. ", "name"),
    "agency": _longest("DINAS PEKERJAAN UMUM & PENATAAN RUANG, PERUMAHAN DAN KAWASAN PERMUKIMAN — ", "agency"),
    "address": _longest(
        "Jl. Jend. Sudirman No. 12/B, RT 03/RW 05, Kel. Sukamaju, Kec. Sukajadi, Kota Contoh; ", "address"
    ),
    "phone": "+62 (812) 3456-78901",
    "problem": _longest(
        "Saat mengunggah dokumen penawaran di SPSE muncul pesan galat \u201cSesi berakhir\u201d dan berkas "
        "tidak tersimpan, padahal batas waktu unggah tinggal dua jam. ",
        "problem",
    ),
}
assert len(LONGEST["phone"]) == LIMITS["phone"]


def shot(page, name: str) -> None:
    """Refresh docs/screenshots only when asked (ANTRIAN_SCREENSHOTS=1), so test runs leave the tree clean."""
    if not os.environ.get("ANTRIAN_SCREENSHOTS"):
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def shot_name(base: str, orientation: str) -> str:
    """docs/screenshots' name of a screen at one of ORIENTATIONS: "kiosk-review", "kiosk-review-landscape", ..."""
    return base if orientation == "portrait" else f"{base}-{orientation}"


TICKET_DONE_GUARD_MS = 1_500  # kiosk/static/kiosk.js: Selesai takes no tap this long after the ticket appeared


def done(page) -> None:
    """Selesai on the ticket screen, once it takes a tap: kiosk.js drops one for TICKET_DONE_GUARD_MS after the
    ticket appeared (a second tap on Ambil nomor antrian, under it upright, is not meant for it). A test whose
    Playwright clock is paused moves it on first (page.clock.fast_forward(TICKET_DONE_GUARD_MS))."""
    page.wait_for_function("() => antrianKiosk.doneReady", polling=50)
    page.click("#screen-ticket [data-action=home]")


def fill_fast(page, values: dict[str, str]) -> None:
    """Put text straight into the fields (the tap-by-tap typing is tested elsewhere; 2000 taps are slow)."""
    for key, text in values.items():
        page.fill(f"#f-{key}", text)


# Every button a visitor may need on the screen shown (and the header's) must be whole on the screen:
# inside the viewport, not clipped by a scrolling area it sits in (scrolled away or cut at its edge),
# and not covered: its centre and the points just inside the middle of its four edges hit the button.
# The same holds for what a screen is there to say (assert_seen): the ticket's number, a notice.
_ACTIONS = "header button, section[data-screen]:not([hidden]) button"
_ON_SCREEN_JS = """(selector) => {
  const vw = window.innerWidth, vh = window.innerHeight;
  const buttons = [...document.querySelectorAll(selector)];
  return buttons.filter(b => b.getClientRects().length > 0).map(b => {
    const r = b.getBoundingClientRect();
    let clipped = null;
    for (let a = b.parentElement; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
      const c = a.getBoundingClientRect();
      if (r.top < c.top - 0.5 || r.bottom > c.bottom + 0.5 || r.left < c.left - 0.5 || r.right > c.right + 0.5) {
        clipped = (a.id || a.className || a.tagName).toString();
        break;
      }
    }
    const inset = Math.min(6, r.width / 4, r.height / 4), cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    const points = [[cx, cy], [cx, r.top + inset], [cx, r.bottom - inset], [r.left + inset, cy], [r.right - inset, cy]];
    const covered = points.filter(([x, y]) => { const hit = document.elementFromPoint(x, y); return !hit || !b.contains(hit); });
    return {
      text: (b.textContent || b.getAttribute('aria-label') || b.id).trim().slice(0, 40),
      top: Math.round(r.top), bottom: Math.round(r.bottom), left: Math.round(r.left), right: Math.round(r.right),
      inside: r.top >= -0.5 && r.left >= -0.5 && r.bottom <= vh + 0.5 && r.right <= vw + 0.5,
      clipped: clipped,
      covered: covered.length,
    };
  });
}"""


def offscreen_actions(page) -> list[dict]:
    """The buttons of the current screen that a visitor cannot see whole without scrolling."""
    buttons = page.evaluate(_ON_SCREEN_JS, _ACTIONS)
    assert buttons, "no buttons on this screen"
    return [b for b in buttons if not b["inside"] or b["clipped"] or b["covered"]]


def assert_seen(page, where: str, selectors: tuple[str, ...]) -> None:
    """Each of `selectors` (text a visitor must read: the ticket's number, a notice) is shown whole on the
    screen, as buttons must be: inside the viewport, not cut by a scrolling area, nothing drawn over it."""
    for selector in selectors:
        found = page.evaluate(_ON_SCREEN_JS, selector)
        assert found, f"{where}: {selector} is not shown"
        bad = [b for b in found if not b["inside"] or b["clipped"] or b["covered"]]
        assert not bad, f"{where}: {selector} out of sight: {bad}"


def assert_actions_visible(page, where: str, must: tuple[str, ...] = ()) -> None:
    """Every button of the screen shown is inside the viewport and not hidden; `must` are among them."""
    bad = offscreen_actions(page)
    assert not bad, f"{where}: buttons out of sight: {bad}"
    for selector in must:
        expect(page.locator(selector)).to_be_visible()
        box = page.locator(selector).bounding_box()
        vp = page.viewport_size
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= vp["height"], f"{where}: {selector} {box}"


_LINES_JS = """(selector) => {
  const el = document.querySelector(selector), range = document.createRange();
  range.selectNodeContents(el);
  const text = range.getBoundingClientRect(), room = el.parentElement.getBoundingClientRect();
  return {
    text: el.textContent, lines: new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size,
    left: text.left, right: text.right, roomLeft: room.left, roomRight: room.right, vw: innerWidth,
  };
}"""


def assert_one_line(page, where: str, selector: str) -> None:
    """The text of `selector` (the ticket's number) is on one line, inside its parent's box and the screen."""
    got = page.evaluate(_LINES_JS, selector)
    assert got["text"] and got["lines"] == 1, f"{where}: {selector} on {got['lines']} lines: {got}"
    inside = got["left"] >= max(got["roomLeft"], 0) - 0.5 and got["right"] <= min(got["roomRight"], got["vw"]) + 0.5
    assert inside, f"{where}: {selector} wider than its room: {got}"


_SMALL_TARGETS_JS = """() => [...document.querySelectorAll('button')].filter((b) => b.getClientRects().length)
    .map((b) => { const r = b.getBoundingClientRect(); return [(b.textContent || b.dataset.key || '').trim(), r.width, r.height]; })
    .filter(([, w, h]) => w < 48 || h < 48)"""


def small_targets(page) -> list:
    """The buttons shown smaller than 48 px (as drawn on the screen, a CSS zoom included) in either direction."""
    return page.evaluate(_SMALL_TARGETS_JS)


_KEY_CENTRES_JS = """() => Object.fromEntries([...document.querySelectorAll('.osk > div:not([hidden]) [data-key]')]
    .map((k) => { const r = k.getBoundingClientRect(); return [k.dataset.key, [r.x + r.width / 2, r.y + r.height / 2]]; }))"""


class Keys:
    """Taps the on-screen keyboard's keys as a finger does: a touch at the key's centre, through
    Chromium's own touch input (the page gets the touch and then the click). Where the keys are is read
    once per layer shown (letters, or the phone field's digits): `page.click` checks the key again
    before every tap, which cost more CPU than the tap itself (a form is a hundred or more taps).
    Call `moved()` after going to another field: its layer may be another."""

    def __init__(self, page):
        self.page = page
        self.centres: dict[str, list[float]] | None = None

    def moved(self) -> None:
        self.centres = None

    def tap(self, key: str) -> None:
        if self.centres is None:
            self.centres = self.page.evaluate(_KEY_CENTRES_JS)
        x, y = self.centres[key]
        self.page.touchscreen.tap(x, y)


# Where a finger touches the one element `selector` (plain CSS) finds, when it is ready for one: shown,
# enabled, its centre inside the viewport (scrolled into view first if it is not whole there) and the
# element (or what is inside it) the topmost thing there. null when it is not (yet) so, or the selector
# finds none or several, or is not plain CSS.
_TAP_POINT_JS = """(selector) => {
  let found;
  try { found = document.querySelectorAll(selector); } catch (e) { return null; }  // not plain CSS
  if (found.length !== 1) return null;  // none yet, or more than one (Playwright's strictness says which)
  const el = found[0];
  if (!el.checkVisibility({visibilityProperty: true, opacityProperty: false})) return null;
  if (el.matches(':disabled') || el.closest('[aria-disabled="true"]')) return null;
  let r = el.getBoundingClientRect();
  if (r.width <= 0 || r.height <= 0) return null;
  const out = (r) => r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth;
  if (out(r)) {  // as Playwright does: scrolled into view first (a long phone page, a scrolling list)
    el.scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'});
    r = el.getBoundingClientRect();
  }
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return null;
  const hit = document.elementFromPoint(x, y);
  return hit && (hit === el || el.contains(hit)) ? [x, y] : null;
}"""


def tap(page, selector: str) -> None:
    """`page.tap(selector)`, a finger's touch through Chromium's own touch input, for a page whose buttons
    do not move: where the element is ready for a finger (see _TAP_POINT_JS) it is touched at its centre
    at once; otherwise `page.tap` waits for it and taps it (or says why it cannot). `page.tap` alone
    first waits for the element to stand still over two animation frames, every time: about 35 of its
    50 ms a tap, and a tablet's survey is a hundred taps."""
    point = page.evaluate(_TAP_POINT_JS, selector)
    if point is None:
        page.tap(selector)
    else:
        page.touchscreen.tap(*point)


@contextmanager
def kiosk_pages(browser, live, clock: bool = False):
    """`open_kiosk(viewport, query, clock, server)`: a kiosk page with touch, at its welcome screen, on `live` (or
    `server`); every one closed at the end. `clock`: Playwright's clock installed before the page loads (the real
    pace until a test moves it); "paused": and paused once the page is live, moved on only by the test
    (pageclock.run_clock_for). The kiosk modules' `kiosk` fixture."""
    pages = []

    def open_kiosk(viewport=PORTRAIT, query="", clock=clock, server=None):
        page = browser.new_page(viewport=viewport, has_touch=True)
        pages.append(page)
        if clock:
            install_clock(page)  # with its socket's pings counted: pageclock.run_clock_for keeps it connected
        page.goto(f"{(server or live).url}/kiosk/{query}")
        expect(page.locator("#screen-welcome")).to_be_visible()
        if clock == "paused":
            page.wait_for_function("() => antrianKiosk.live", polling=50)
            pause_clock(page)
        return page

    try:
        yield open_kiosk
    finally:
        for page in pages:
            page.close()
