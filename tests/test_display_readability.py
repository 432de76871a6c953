"""The TV is read from across a room: what it shows is measured in a real Chromium, in live states.

- The called number and every "latest calls" row keep a WCAG contrast of at least 7:1 against the
  background they are actually drawn on, in every frame of a live call's flash (its first and last
  blink: the same blinks between them are skipped, FLASH_SKIP_TO), after it settles,
  and in every frame of the first second after the page loads (no black blink).
- A counter name that fits is shown whole; the latest-calls rows share their columns; no text is cut
  sideways, on a landscape TV or on one on its side (portrait: its own layout).
- Six counters (two columns of tiles) with long service names and the longest counter name, at
  1920x1080, 1366x768, 1024x768, 1280x1024 and on its side, and the longest name on the 4:3 and 5:4
  monitors with three: every text of every tile whole, inside its tile, over no other, the number
  at least twice the size of any of them (assert_tiles_whole).
- Times (clock, call times) are the office's, whatever zone the TV's browser is set to.
- A paused counter reads "ISTIRAHAT" / "On break" (POST /api/counters/<id>/pause), "—" or its
  number again on resume; a server that sends no `paused` (or events the page does not know) is
  shown as usual.

- No text a visitor reads is under 24 px (READABLE_PX), whole, over no other, on no scrolled page: eight counters,
  long names, a recall, a break, the latest calls full, in Indonesian and English, at 1366x768 and 1280x720 (a cheap
  office TV, read from 4 to 6 m: 17 to 23 px before), 1920x1080 and on its side, during a call's flash, after it
  and a minute on; what gives where it does not all fit is said in test_every_text_a_visitor_reads_... .

Set ANTRIAN_SCREENSHOTS=1 to refresh docs/screenshots/display-*.png from these live states (and to keep the eight
counters' states as checked, in the test's tmp directory: otherwise taken only when a check of theirs fails).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import datetime, timedelta
from itertools import combinations, pairwise
from zoneinfo import ZoneInfo

import pytest
import requests
from conftest import ROOT, visitor, write_config
from live import LiveServer
from pageclock import CALM_NUMBERS, install_clock, pause_clock
from shots import keep_shot

OFFICERS = {1: "loket1", 2: "loket2", 3: "loket3"}
LONG_NAME = "Loket 3 – Registrasi & Verifikasi"
SIZES = [(1920, 1080), (1280, 720)]
OFFICE_ZONE = ZoneInfo("Asia/Jakarta")
MIN_CONTRAST = 7.0
# A call's flash (display.js FLASH_MS, display.css .flash) blinks ten times over 5 s, each blink the
# same two steps of a quarter of a second, stepped by a timer of the page (stepFlash), which ends it.
# Its frames are sampled through its first blink (from its first frame, ms) and from its last blink on
# (the last half second: the flash's end, the page settled after it), the eight blinks between
# skipped: the page's clock (Playwright's) moved on over them.
FLASH_SAMPLED, FLASH_SKIP_TO = 500, 4500

# Installed before the page's own script: WCAG contrast of an element's text against the colour it
# is really drawn on (the first non-transparent background up the tree, translucent layers
# composited, and any layer an element draws under or over its texts (::before, ::after), as they are in the
# frame), and a sampler that records it in every animation frame.
CONTRAST_JS = """
(() => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) throw new Error("unexpected colour " + c);
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a),
    g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a),
    a: 1,
  });
  // A layer an element draws over its box (::before under its texts, ::after over them: a call's flash drew two
  // before a timer stepped it), its colour's alpha times its opacity as it is in this frame; null when it draws none.
  const layer = (n, pseudo) => {
    const s = getComputedStyle(n, pseudo);
    if (s.content === "none" || s.display === "none" || s.position !== "absolute") return null;
    const c = parse(s.backgroundColor);
    if (!["normal", "difference"].includes(s.mixBlendMode)) throw new Error("unexpected blend " + s.mixBlendMode);
    return { ...c, a: c.a * Number(s.opacity), blend: s.mixBlendMode };
  };
  const blend = (top, under) => {
    if (top.blend !== "difference") return over(top, under);
    const d = (k) => Math.abs(under[k] - top[k]);
    return over({ r: d("r"), g: d("g"), b: d("b"), a: top.a }, under);
  };
  // What an element's text is drawn on: the first non-transparent background up the tree, translucent layers
  // and the ancestors' ::before layers composited; `tops`, the ancestors' ::after layers over their texts.
  const stack = (el) => {
    const layers = [];
    const tops = [];
    let opaque = false;
    for (let n = el; n; n = n.parentElement) {
      const after = n === el ? null : layer(n, "::after");
      if (after && after.a > 0) tops.push(after);
      if (opaque) continue;
      const before = n === el ? null : layer(n, "::before");
      if (before && before.a > 0) layers.push(before);
      const bg = parse(getComputedStyle(n).backgroundColor);
      if (bg.a > 0) layers.push(bg);
      opaque = bg.a >= 1 || (before !== null && before.a >= 1);
    }
    let color = { r: 255, g: 255, b: 255, a: 1 }; // the canvas under everything
    for (const l of layers.reverse()) color = blend(l, color);
    return { under: color, tops };
  };
  const luminance = (c) => {
    const lin = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  };
  const rgb = (c) => `rgb(${Math.round(c.r)}, ${Math.round(c.g)}, ${Math.round(c.b)})`;
  const ratio = (el) => {
    const { under, tops } = stack(el);
    const bg = tops.reduce((c, t) => blend(t, c), under);
    const fg = tops.reduce((c, t) => blend(t, c), over(parse(getComputedStyle(el).color), under));
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    return { ratio: (hi + 0.05) / (lo + 0.05), fg: getComputedStyle(el).color,
             fgDrawn: rgb(fg), bg: rgb(bg) };
  };
  // Every text the sampler measures: the numbers (and ISTIRAHAT) on the tiles, each cell of each
  // latest-calls row.
  const texts = () => {
    const out = [];
    for (const e of document.querySelectorAll(".counter .ticket-label")) out.push(["number", e]);
    for (const li of document.querySelectorAll("#recent li")) {
      const cells = li.children.length ? [...li.children] : [li];
      for (const e of cells) if (e.textContent.trim()) out.push(["recent", e]);
    }
    return out;
  };
  const measure = () => texts().map(([kind, e]) => ({ kind, text: e.textContent, ...ratio(e) }));
  // Frames from the first one `ready()` holds in, for `ms` milliseconds (or until `until()`): each with its time from
  // that first frame (t) and the page's clock (at: Date.now(), Playwright's when installed).
  const sample = (ready, ms, until) => new Promise((resolve) => {
    const frames = [];
    let start = null;
    const step = () => {
      const now = performance.now();
      if (start === null && ready()) start = now;
      if (start !== null) {
        frames.push({ t: now - start, at: Date.now(), items: measure() });
        if (now - start >= ms || (until && until())) return resolve(frames);
      }
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
  window.readability = { ratio, measure, sample };
})();
"""

# On a fresh load: sample from the first frame the tiles exist, through the first second.
LOAD_SAMPLER = """
window.loadFrames = null;
addEventListener("DOMContentLoaded", () => {
  readability.sample(() => document.querySelector(".counter .ticket-label"), 1000)
    .then((frames) => { window.loadFrames = frames; });
});
"""

# Nothing moves any more but the running text: no flash, no announcement.
SETTLED = """() => !document.querySelector('.counter.flash, .counter.calling')
    && document.getAnimations().every((a) => a.playState !== 'running' || a.animationName === 'marquee')"""


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A real server (speech off: each call is the chime alone), Loket 3 with a long name."""
    config = write_config(
        tmp_path_factory.mktemp("readability"),
        {"[tts]\nenabled = true": "[tts]\nenabled = false", 'name = "Loket 3"': f'name = "{LONG_NAME}"'},
    )
    server = LiveServer(config).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def officers(live):
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
        return r.json().get("ticket")

    yield run
    for counter_id in OFFICERS:
        officers[counter_id].post(f"{live.url}/api/counters/{counter_id}/resume", timeout=5)
        current = next(c for c in state(live)["counters"] if c["id"] == counter_id)["ticket"]
        if current:
            if current["status"] == "called":
                run(counter_id, "start")
            run(counter_id, "resolve", solution="Selesai dijelaskan", category="pertanyaan", priority_class="P3")


def issue(live, service: str) -> str:
    r = requests.post(f"{live.url}/api/tickets", json=visitor(service=service), timeout=5)
    assert r.status_code == 201, r.text
    return r.json()["ticket"]["label"]


def state(live) -> dict:
    return requests.get(f"{live.url}/api/state", timeout=5).json()


def new_page(browser, size, **context):
    width, height = size
    ctx = browser.new_context(viewport={"width": width, "height": height}, init_scripts=(CONTRAST_JS,), **context)
    return ctx.new_page()


def open_display(page, live, query: str = ""):
    page.goto(f"{live.url}/display/{query}")
    page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)
    return page


def caught_up(page, live) -> None:
    seq = state(live)["seq"]
    page.wait_for_function(f"() => antrianDisplay.state.synced && antrianDisplay.state.seq >= {seq}", polling=50)


def tile(counter_id: int) -> str:
    return f'.counter[data-counter="{counter_id}"]'


def too_low(frames: list[dict]) -> list[dict]:
    """The measurements under 7:1, each with the frame's time (ms from the first sampled frame)."""
    return [{"t": round(f["t"]), **i} for f in frames for i in f["items"] if i["ratio"] < MIN_CONTRAST]


@contextmanager
def shot(page, path):
    """A screenshot of the page as the checks in the block found it, at `path`: when one of them fails (to look at),
    or always when asked (ANTRIAN_SCREENSHOTS=1); not on every passing run (a second of a busy machine's each)."""
    try:
        yield
    except BaseException:
        page.screenshot(path=str(path))
        raise
    if os.environ.get("ANTRIAN_SCREENSHOTS"):
        page.screenshot(path=str(path))


def save_screenshot(page, name: str) -> None:
    """docs/screenshots/`name` from the page as it is, only when asked (ANTRIAN_SCREENSHOTS=1)."""
    if os.environ.get("ANTRIAN_SCREENSHOTS"):
        target = ROOT / "docs" / "screenshots" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target))


@pytest.mark.parametrize("size", SIZES, ids=["1080p", "720p"])
def test_a_live_call_is_legible_while_it_flashes_and_after_it_settles(browser, live, act, size):
    for service in "ABC":  # Loket 1 serves A and C, Loket 2 A and B, Loket 3 B and C
        issue(live, service)
    act(1, "call-next"), act(2, "call-next")  # called before the page opens: it shows them settled
    page = new_page(browser, size)
    page.clock.install()  # its timers (the flash's end) can be moved on with the flash itself (FLASH_SKIP_TO)
    open_display(page, live)
    page.wait_for_function(SETTLED, timeout=10_000, polling=50)

    # The live call: every frame from the moment its tile starts flashing until the flash is over
    # (but for the blinks FLASH_SKIP_TO skips).
    page.evaluate(
        """() => {
            window.callFrames = null;
            window.flashBegan = null;
            new MutationObserver((_, seen) => {
              if (!document.querySelector('.counter[data-counter="3"].flash')) return;
              window.flashBegan = antrianDisplay.flashStart(3);
              seen.disconnect();
            }).observe(document.getElementById("counters"), { subtree: true, attributes: true,
                                                            attributeFilter: ["class"] });
            readability.sample(() => document.querySelector('.counter[data-counter="3"].flash'), 8000,
                               () => !document.querySelector('.counter[data-counter="3"].flash'))
              .then((frames) => { window.callFrames = frames; });
        }"""
    )
    label = act(3, "call-next")["label"]
    page.wait_for_function(
        f"() => document.querySelector('{tile(3)} .ticket-label').textContent === '{label}'", polling=50
    )
    # the page's clock when its tile began to flash, as the page keeps it (display.js flashCall), read as the tile
    # takes .flash: the observer's own Date.now() came after the render of that task, on a loaded machine half a
    # second later, and the clock moved on to the "last blink" then landed past the flash's end ("the flash's last
    # blink was not sampled")
    began = page.evaluate("window.flashBegan")
    assert began is not None, "the tile did not flash"
    if size == (1920, 1080):  # the yellow step of the blink
        page.wait_for_function(
            f"() => readability.ratio(document.querySelector('{tile(3)} .ticket-label')).bg === 'rgb(255, 212, 0)'"
        )  # at every frame (its default): a step of the blink lasts a quarter of a second
        save_screenshot(page, "display-during-call.png")
    # Its first blink sampled, the page's clock moves on to the flash's last blink (the timer that steps the flash
    # is the page's: display.js stepFlash), which is sampled to the flash's end and past it.
    since = f"Date.now() - {began}"
    page.wait_for_function(f"() => {since} >= {FLASH_SAMPLED}", polling=50)
    skip = page.evaluate(f"(skip) => Math.max(0, skip - ({since}))", FLASH_SKIP_TO)
    if skip:
        page.clock.fast_forward(skip)
    page.wait_for_function("() => window.callFrames", timeout=15_000, polling=50)
    frames = page.evaluate("window.callFrames")
    assert len(frames) >= 10, f"only {len(frames)} frames sampled during the call"
    # on the page's clock from the flash's start (the sampler's first frame may come half a second after it on a
    # loaded machine: "t" from that frame ended at 4496 ms, though the flash's last blink was sampled)
    assert frames[-1]["at"] - began > FLASH_SKIP_TO, "the flash's last blink was not sampled"
    numbers = [i for f in frames for i in f["items"] if i["kind"] == "number" and i["text"] == label]
    assert len({i["bg"] for i in numbers}) >= 2, "the call did not flash (one background only)"
    assert not too_low(frames), f"under {MIN_CONTRAST}:1 during the call: {too_low(frames)[:6]}"

    # Settled: no flash, the announcement over; the number stays as legible.
    page.wait_for_function(SETTLED, timeout=10_000, polling=50)
    settled = page.evaluate("readability.measure()")
    called = next(i for i in settled if i["kind"] == "number" and i["text"] == label)
    assert called["ratio"] >= MIN_CONTRAST, f"settled number {called}"
    assert not [i for i in settled if i["ratio"] < MIN_CONTRAST], settled
    # Three rows at 1080p; at 720p two, its texts at 24 px or more (test_every_text_a_visitor_reads_...): the rows
    # that do not fit whole give way, the newest first kept.
    rows = 3 if size[1] >= 1080 else 2
    assert len([i for i in settled if i["kind"] == "recent"]) >= 2 * rows, f"{rows} rows of latest calls expected"

    # The long counter name fits whole (wrapped if need be), on its tile and nothing cut.
    name = page.locator(f"{tile(3)} .counter-name")
    assert name.text_content() == LONG_NAME
    fits = name.evaluate("e => [e.scrollWidth, e.clientWidth, e.scrollHeight, e.clientHeight]")
    assert fits[0] <= fits[1] and fits[2] <= fits[3], f"'{LONG_NAME}' is cut: scroll/client w, h = {fits}"

    # The latest-calls rows line up: each column's text starts at one x in every row.
    columns = page.evaluate(
        """() => [...document.querySelectorAll('#recent li')].map((li) => [...li.children].map((cell) => {
            const range = document.createRange();
            range.selectNodeContents(cell);
            return Math.round(range.getBoundingClientRect().left);
        }))"""
    )
    assert len(columns) >= rows and len({len(row) for row in columns}) == 1, columns
    for i in range(len(columns[0])):
        xs = [row[i] for row in columns]
        assert max(xs) - min(xs) <= 1, f"column {i} of the latest calls starts at {xs}"
    save_screenshot(page, f"display-{size[1]}p.png")
    page.context.close()


@pytest.mark.parametrize("size", SIZES, ids=["1080p", "720p"])
def test_a_fresh_load_never_blinks_the_numbers(browser, live, act, size):
    issue(live, "A")
    act(1, "call-next")  # one number and two idle "—"
    page = new_page(browser, size)
    page.add_init_script(LOAD_SAMPLER)
    open_display(page, live)
    page.wait_for_function("() => window.loadFrames", timeout=10_000, polling=50)
    frames = page.evaluate("window.loadFrames")
    assert len(frames) >= 10, f"only {len(frames)} frames in the first second"
    assert any(i["text"] not in ("—", "") for f in frames for i in f["items"] if i["kind"] == "number")
    assert not too_low(frames), f"under {MIN_CONTRAST}:1 after loading: {too_low(frames)[:6]}"
    page.context.close()


def office_time(at: datetime) -> str:
    return at.astimezone(OFFICE_ZONE).strftime("%H.%M")


def test_times_are_the_offices_in_a_browser_set_to_utc(browser, live, act):
    issue(live, "A")
    page = open_display(new_page(browser, SIZES[0], timezone_id="UTC"), live)
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "UTC"
    now = datetime.now(OFFICE_ZONE)
    clock = page.locator("#clock").inner_text()
    assert clock in {f"{office_time(now + timedelta(minutes=m))} WIB" for m in (-1, 0, 1)}, clock

    act(1, "call-next")
    caught_up(page, live)
    call = state(live)["recent"][0]
    at = datetime.fromisoformat(call["at"])
    row = page.locator("#recent li").first
    assert row.locator(".label").inner_text() == call["label"]
    assert row.locator(".time").inner_text(timeout=5000) == office_time(at), "the call time is not the office's"
    page.context.close()


def test_a_paused_counter_reads_istirahat_and_its_number_comes_back_on_resume(browser, live, act):
    issue(live, "A"), issue(live, "C")
    act(1, "call-next"), act(3, "call-next")  # the other two counters busy, as on a working day
    page = open_display(new_page(browser, SIZES[0]), live)  # opened after: they are shown settled
    caught_up(page, live)
    page.wait_for_function(SETTLED, timeout=15_000, polling=50)
    number, sub = page.locator(f"{tile(2)} .ticket-label"), page.locator(f"{tile(2)} .ticket-sub")
    assert number.inner_text() == "—" and not page.locator(f"{tile(2)}.paused").count()

    assert act(2, "pause") is None  # POST /api/counters/2/pause: the server broadcasts counter_paused
    page.locator(f"{tile(2)}.paused").wait_for()
    assert number.inner_text() == "ISTIRAHAT" and sub.inner_text() == "On break"
    for element in (number, sub):
        measured = element.evaluate("e => readability.ratio(e)")
        assert measured["ratio"] >= MIN_CONTRAST, measured
    fits = number.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert fits[0] <= fits[1], f"ISTIRAHAT is cut: {fits}"
    save_screenshot(page, "display-paused.png")

    # A page opened during the break shows it too (the snapshot's `paused`).
    fresh = open_display(new_page(browser, SIZES[1]), live)
    assert fresh.locator(f"{tile(2)} .ticket-label").inner_text() == "ISTIRAHAT"
    fresh.context.close()

    act(2, "resume")
    page.wait_for_function(f"() => !document.querySelector('{tile(2)}.paused')", polling=50)
    assert number.inner_text() == "—" and not sub.inner_text().strip()
    page.context.close()


def test_a_server_without_pause_fields_or_with_unknown_events_is_shown_as_usual(browser, live, act):
    """An older server sends no `paused`; a newer one may send event types this page does not know."""
    issue(live, "A")
    label = act(1, "call-next")["label"]
    page = new_page(browser, SIZES[1])
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    open_display(page, live)
    snap = state(live)
    for counter in snap["counters"]:
        counter.pop("paused", None)
    page.evaluate("(snap) => antrianDisplay.socket.listeners('snapshot').forEach((h) => h(snap))", snap)
    unknown = {"seq": snap["seq"] + 1, "type": "counter_renamed", "at": snap["recent"][0]["at"], "counter_id": 2}
    page.evaluate("(ev) => antrianDisplay.socket.listeners('event').forEach((h) => h(ev))", unknown)
    assert page.evaluate("antrianDisplay.state.seq") == snap["seq"] + 1
    assert page.locator(f"{tile(1)} .ticket-label").inner_text() == label
    assert page.locator(".counter.paused").count() == 0
    assert [page.locator(f"{tile(c)} .ticket-label").inner_text() for c in (2, 3)] == ["—", "—"]
    assert not errors, errors
    page.context.close()


# ---- the longest name a counter may have (server/config.py: counters.name, 100 characters) --------
LONGEST_NAME = "Loket 3 – Registrasi & Verifikasi Akun Penyedia, Non-Penyedia, Pokja Pemilihan dan Pejabat Pengadaan"

# Each text of tile 3 and of the latest-calls rows: its box, its size, how many lines it shows and how
# many it needs (its whole height at its line height), whether it is clamped (display.js could not fit it).
LONG_NAME_BOXES = """() => {
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
    const box = (e) => {
        const r = e.getBoundingClientRect(), cs = getComputedStyle(e), line = parseFloat(cs.lineHeight);
        return { text: e.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                 px: parseFloat(cs.fontSize), rem: parseFloat(cs.fontSize) / rem,
                 shown: Math.round(e.clientHeight / line), needed: Math.round(e.scrollHeight / line),
                 cut: e.scrollHeight > e.clientHeight + 0.5 || e.scrollWidth > e.clientWidth + 0.5,
                 clamp: cs.webkitLineClamp };
    };
    const tile = document.querySelector('.counter[data-counter="3"]');
    const visible = (e) => e && getComputedStyle(e).display !== 'none' && e.textContent.trim() !== '';
    const panel = document.querySelector('#recent').parentElement.getBoundingClientRect();
    return {
        rem,
        tile: { rect: box(tile), stacked: tile.classList.contains('stacked'), name: box(tile.querySelector('.counter-name')),
                head: box(tile.querySelector('.counter-head')),
                parts: [...tile.querySelector('.counter-head').children].filter(visible).map(box) },
        panel: { left: panel.left, right: panel.right, bottom: panel.bottom },
        rows: [...document.querySelectorAll('#recent li')].map((li) => ({
            row: box(li), label: box(li.querySelector('.label')), to: box(li.querySelector('.to')),
            time: box(li.querySelector('.time')), svc: li.querySelector('.svc') && box(li.querySelector('.svc')),
            keyed: li.querySelector('.to').classList.contains('keyed') })),
    };
}"""


@pytest.fixture(scope="module")
def longest(tmp_path_factory):
    """A second server whose Loket 3 has the longest name the settings allow; officers at 1 and 3."""
    from server.config import _TEXT_LIMITS

    assert len(LONGEST_NAME) == _TEXT_LIMITS["counters.name"] == 100
    config = write_config(
        tmp_path_factory.mktemp("longest"),
        {"[tts]\nenabled = true": "[tts]\nenabled = false", 'name = "Loket 3"': f'name = "{LONGEST_NAME}"'},
    )
    server = LiveServer(config).start()
    server.sessions = {}
    for counter_id in (1, 3):
        server.add_user(f"panjang{counter_id}", "officer")
        server.sessions[counter_id] = server.session(f"panjang{counter_id}", "rahasia-123")
    for service in "CAB":  # Loket 3 calls C-001 (then finishes it) and B-001; Loket 1 calls A-001
        issue(server, service)
    for counter_id, action in ((3, "call-next"), (3, "start"), (1, "call-next"), (3, "resolve"), (3, "call-next")):
        payload = {"solution": "Selesai dijelaskan", "category": "pertanyaan", "priority_class": "P3"}
        r = server.sessions[counter_id].post(
            f"{server.url}/api/counters/{counter_id}/{action}", json=payload if action == "resolve" else {}, timeout=5
        )
        assert r.status_code == 200, (action, r.text)
    yield server
    server.stop()


# Every text of the header, the tiles and the panels that is wider than its own box, or that reaches
# past the screen's edge: a word cut sideways. The office's name and the date may end in "…" (their
# text-overflow) when the whole line does not fit; nothing else may.
CUT_SIDEWAYS = """() => {
    const out = [];
    const sel = '.top *, .counter *, .panel h2, .recent li > *, .waiting li > *, .waiting .count > *';
    for (const e of document.querySelectorAll(sel)) {
        const cs = getComputedStyle(e);
        if (cs.display === 'none' || e.closest('[hidden]') || !e.textContent.trim()) continue;
        const r = e.getBoundingClientRect();
        const ellipsis = cs.textOverflow === 'ellipsis' && cs.whiteSpace === 'nowrap';
        const wider = e.scrollWidth > e.clientWidth + 1 && cs.overflowX !== 'visible' && !ellipsis;
        if (wider || r.left < -0.5 || r.right > innerWidth + 0.5)
            out.push({ sel: e.className || e.tagName, text: e.textContent.slice(0, 40),
                       box: [Math.round(r.left), Math.round(r.right)], scroll: e.scrollWidth, client: e.clientWidth });
    }
    return out;
}"""


@pytest.mark.parametrize("size", [*SIZES, (1080, 1920), (768, 1366)], ids=["1080p", "720p", "portrait", "768x1366"])
def test_the_longest_counter_name_is_whole_on_its_tile_and_readable_in_the_latest_calls(browser, longest, size):
    """In landscape and on a TV on its side (portrait: its own layout in display.css, 1080x1920 and a cheap upright
    768x1366 monitor). On its side the service its tile leaves out is said under its row's counter, no larger than
    the counter's name there and starting under it (at 768x1366 it was larger, and began under the number)."""
    page = open_display(new_page(browser, size), longest)
    caught_up(page, longest)
    page.wait_for_function(SETTLED, timeout=15_000, polling=50)
    page.evaluate("document.fonts.ready")
    m = page.evaluate(LONG_NAME_BOXES)
    # display.css: the root size follows the screen's height (held to 84rem across on a squarer screen), its
    # width on a TV on its side; the smallest sizes display.js shrinks a text to are in the landscape's unit
    # (the short side / 54) everywhere, the same pixels whichever way the TV stands.
    width, height = size
    assert m["rem"] == pytest.approx(min(height / 54, width / 84) if width > height else width / 40, abs=0.01)
    unit = min(size) / 54
    assert page.evaluate(CUT_SIDEWAYS) == []
    assert page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]") == [
        *size
    ]

    # The tile (B-001 called there): the whole name, in four lines at most, no smaller than 1.4 units, inside
    # its tile and above the status (nothing drawn over it).
    name, head = m["tile"]["name"], m["tile"]["head"]
    assert name["text"] == LONGEST_NAME
    assert not name["cut"] and name["shown"] == name["needed"] <= 4, {**name, "head": head}
    assert name["px"] >= 1.4 * unit - 0.2, name
    assert head["top"] - 0.5 <= name["top"] and name["bottom"] <= head["bottom"] + 0.5, (name, head)
    parts = m["tile"]["parts"]
    if m["tile"]["stacked"]:  # 1280x720: over its number, the status after its last word (24 px texts)
        assert_tiles_whole(page, longest, size)
    else:
        for upper, lower in pairwise(parts):
            assert upper["bottom"] <= lower["top"] + 0.5, f"{upper['text']!r} runs into {lower['text']!r}"
    assert parts[-1]["text"].upper() == "DIPANGGIL"

    # The latest calls: newest first, B-001 and C-001 to Loket 3, A-001 to Loket 1, on whole rows that
    # do not overlap and keep their columns.
    rows = m["rows"]
    labels = [r["label"]["text"] for r in rows]
    assert labels[:2] == ["B-001", "A-001"] or labels[:2] == ["B-001", "C-001"], labels
    long_rows = [r for r in rows if "Loket 3" in r["to"]["text"]]
    assert long_rows and long_rows[0]["label"]["text"] == "B-001"
    for upper, lower in pairwise(rows):
        assert upper["row"]["bottom"] <= lower["row"]["top"] + 0.5, (upper["label"], lower["label"])
    for r in rows:
        assert r["row"]["bottom"] <= m["panel"]["bottom"], r["row"]  # whole rows only
        assert m["panel"]["left"] <= r["label"]["left"] and r["time"]["right"] <= m["panel"]["right"]
        assert r["label"]["right"] <= r["to"]["left"] and r["to"]["right"] <= r["time"]["left"], r
    for column in ("label", "to", "time"):
        xs = [round(r[column]["left"]) for r in rows]
        assert max(xs) - min(xs) <= 1, f"the {column} column starts at {xs}"

    # The long name in a row: never smaller than 1.6 units (about 3% of the screen's short side), given a third
    # line (the row grows); cut, with an ellipsis, only because even three lines at that size cannot hold
    # it (it needs more: it is whole on its tile).
    for r in long_rows:
        to = r["to"]
        assert to["text"] == "→\u00a0" + LONGEST_NAME
        assert to["px"] >= 1.6 * unit - 0.2, to
        if r["keyed"]:  # 768x1366, a panel short of room for its rows: "→ Loket 3 – Registrasi…" on one line
            assert size == (768, 1366) and to["shown"] == 1 and to["text"].startswith("→\u00a0Loket 3"), to
            continue
        assert to["shown"] == 3, to
        if to["cut"]:
            assert to["needed"] > 3 and to["clamp"] == "3", to
    short = [r for r in rows if r["to"]["text"] == "→\u00a0Loket 1"]
    assert short and not short[0]["to"]["cut"] and short[0]["to"]["shown"] == 1
    # the service of B-001 (its tile left it out, on its side): under the counter, at most the counter's size
    for r in [r for r in rows if r["svc"]]:
        assert r["svc"]["px"] <= r["to"]["px"] + 0.05 and r["svc"]["left"] >= r["to"]["left"] - 0.5, (r["svc"], r["to"])
    if size[1] > size[0]:
        assert any(r["svc"] for r in rows[:1]), "the newest row says no service"
    keep_shot(page, f"longest-{size[0]}x{size[1]}.png")
    if size == (1080, 1920):
        save_screenshot(page, "display-portrait.png")
    page.context.close()


@pytest.mark.parametrize("size", [(1024, 768), (1280, 1024)], ids=["1024x768", "1280x1024"])
def test_an_old_4_3_monitor_shows_the_longest_counter_name_whole_and_the_latest_calls_on_one_line(
    browser, longest, size
):
    """A squarer screen (1024x768, 1280x1024): the root size is held to 84rem across and the side column is
    wider (display.css), so "→ Loket 1" is not broken into "→ Lo / ket 1"; nothing is cut sideways. The
    longest counter name does not fit beside its number there even on four lines: its tile puts it over
    the number (.stacked), whole; its service gives way on the 1024x768 one (24 px texts)."""
    page = open_display(new_page(browser, size), longest)
    caught_up(page, longest)
    page.wait_for_function(SETTLED, timeout=15_000, polling=50)
    page.evaluate("document.fonts.ready")
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") == pytest.approx(
        size[0] / 84, abs=0.01
    )
    assert page.evaluate(CUT_SIDEWAYS) == []
    rows = page.evaluate(
        """() => [...document.querySelectorAll('#recent .to')].map((e) => [e.textContent,
            Math.round(e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight))])"""
    )
    short = [lines for text, lines in rows if text == "→\u00a0Loket 1"]
    assert short and all(lines == 1 for lines in short), rows
    tiles = {t["id"]: t for t in assert_tiles_whole(page, longest, size)}
    assert tiles[3]["layout"] == "stacked" and tiles[1]["layout"] == "side", tiles
    if size == (1024, 768):
        save_screenshot(page, "display-4-3.png")
    page.context.close()


# ---- more than four counters: two columns of tiles ------------------------------------------------
# Service A's name as long as an office might make one (60 characters; B keeps the demo's longest).
SERVICE_60 = "Konsultasi Penyedia dan Registrasi & Verifikasi Akun SPSE v4"
DEMO_LONGEST_SERVICE = "Konsultasi Non-Penyedia (PPK/Pokja/PP)"
CROWDED = [(1920, 1080), (1366, 768), (1024, 768), (1280, 1024)]

# Each tile's texts: the part, its size, its boxes (one per line of a name flowing beside the status),
# and whether it is cut (wider or taller than its own box, which hides the rest: "…" or not); the
# tile's and its head's inner boxes, which hide what passes them.
TILE_TEXTS = """() => {
    const rects = (e) => [...e.getClientRects()].map((r) => ({ left: r.left, right: r.right, top: r.top, bottom: r.bottom }));
    const inner = (e) => {
        const r = e.getBoundingClientRect(), cs = getComputedStyle(e), px = (name) => parseFloat(cs[name]);
        return { left: r.left + px('borderLeftWidth'), right: r.right - px('borderRightWidth'),
                 top: r.top + px('borderTopWidth'), bottom: r.bottom - px('borderBottomWidth') };
    };
    const parts = { name: '.counter-name', status: '.counter-status', meta: '.counter-meta',
                    number: '.ticket-label', sub: '.ticket-sub' };
    return [...document.querySelectorAll('.counter')].map((tile) => ({
        id: Number(tile.dataset.counter),
        layout: tile.classList.contains('stacked') ? 'stacked' : 'side',
        // what gives when its texts at 24 px do not fit: the service (.no-meta), the rest of a long name after
        // its identity (.keyed: the identity is the name's part here, whole)
        noMeta: tile.classList.contains('no-meta'), keyed: tile.classList.contains('keyed'),
        box: inner(tile),
        head: inner(tile.querySelector('.counter-head')),
        parts: Object.entries(parts).flatMap(([part, sel]) => {
            const keyed = part === 'name' && tile.classList.contains('keyed');
            const e = tile.querySelector(keyed ? '.name-key' : sel), cs = getComputedStyle(e);
            if (cs.display === 'none' || !e.textContent.trim()) return [];
            const clips = cs.display !== 'inline' && (cs.overflowX !== 'visible' || cs.overflowY !== 'visible');
            // The number's line is 1 em high, its glyphs' box 1.17 em (taller than its digits): only its width.
            const wide = e.scrollWidth > e.clientWidth + 0.5;
            const tall = part !== 'number' && e.scrollHeight > e.clientHeight + 0.5;
            return [{ part, text: e.textContent, px: parseFloat(cs.fontSize), rects: rects(e), cut: clips && (wide || tall),
                      scroll: [e.scrollWidth, e.clientWidth, e.scrollHeight, e.clientHeight] }];
        }),
    }));
}"""
HEAD_PARTS = ("name", "status", "meta")


def inside(rect: dict, box: dict) -> bool:
    return (
        rect["left"] >= box["left"] - 0.5
        and rect["right"] <= box["right"] + 0.5
        and rect["top"] >= box["top"] - 0.5
        and rect["bottom"] <= box["bottom"] + 0.5
    )


def overlap(a: dict, b: dict) -> float:
    return max(0, min(a["right"], b["right"]) - max(a["left"], b["left"])) * max(
        0, min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    )


def assert_tiles_whole(page, server, size, long_names=(3,)) -> list[dict]:
    """Every tile shows its counter's name, its ticket's service and status whole (nothing cut, nothing
    past its tile or over another text), its number at least twice as large as any of them; the
    smallest sizes: names 1.4 units (1.2 for a counter in `long_names`, whose service may give way),
    services 1.2, numbers 3.5 units (2.5 beside a long name). A unit: the screen's short side / 54. Under 1080 px
    (1.2 units under READABLE_PX) a service may give way on any tile, and the rest of a long name after its
    identity ("Loket 3 – …") on its tile, the identity whole."""
    unit = min(size) / 54
    snap = state(server)
    services = {s["code"]: s["name"] for s in snap["services"]}
    counters = {c["id"]: c for c in snap["counters"]}
    tiles = page.evaluate(TILE_TEXTS)
    assert sorted(t["id"] for t in tiles) == sorted(counters)
    for tile in tiles:
        parts = {p["part"]: p for p in tile["parts"]}
        counter, long = counters[tile["id"]], tile["id"] in long_names
        where = f"{size[0]}x{size[1]}, Loket {tile['id']} ({tile['layout']})"
        assert [p for p in tile["parts"] if p["cut"]] == [], f"{where}: cut"
        small = 1.2 * unit < READABLE_PX
        if tile["keyed"]:
            assert small and long and counter["name"].startswith(parts["name"]["text"]), where
        else:
            assert parts["name"]["text"] == counter["name"], where
        ticket = counter["ticket"]
        if ticket:
            assert parts["number"]["text"] == ticket["label"] and parts["status"]["text"], where
            if not long and not (small and tile["noMeta"]):
                assert parts.get("meta", {}).get("text") == services[ticket["service"]], f"{where}: no service"
            if "meta" in parts:
                assert parts["meta"]["text"] == services[ticket["service"]], where
        for p in tile["parts"]:
            for rect in p["rects"]:
                assert inside(rect, tile["box"]), f"{where}: {p['part']} {rect} past the tile {tile['box']}"
                if p["part"] in HEAD_PARTS:
                    assert inside(rect, tile["head"]), f"{where}: {p['part']} {rect} past {tile['head']}"
        for a, b in combinations(tile["parts"], 2):
            drawn = max(overlap(r, q) for r in a["rects"] for q in b["rects"])
            assert drawn < 1, f"{where}: {a['part']} drawn over {b['part']}"
        number = parts["number"]
        for p in tile["parts"]:
            assert p is number or number["px"] >= 2 * p["px"] - 0.5, (
                f"{where}: {p['part']} {p['px']} px, number {number}"
            )
        assert number["px"] >= (2.5 if long else 3.5) * unit - 0.2, f"{where}: number {number['px']} px"
        assert parts["name"]["px"] >= (1.2 if long else 1.4) * unit - 0.2, f"{where}: name {parts['name']['px']} px"
        if "meta" in parts:
            assert parts["meta"]["px"] >= 1.2 * unit - 0.2, f"{where}: service {parts['meta']['px']} px"
    return tiles


@pytest.fixture(scope="module")
def six(tmp_path_factory):
    """A server with six counters, each calling a ticket: Loket 3 has the longest name a counter may have,
    service A a name of 60 characters, B the demo's longest (Loket 1, 4 and 6 call A, 2 and 3 B, 5 C)."""
    from server.config import load_settings

    assert max((s.name for s in load_settings(ROOT / "config.toml").services), key=len) == DEMO_LONGEST_SERVICE
    assert len(SERVICE_60) == 60
    extra = "".join(f'\n[[counters]]\nid = {i}\nname = "Loket {i}"\nservices = ["A", "B", "C"]\n' for i in (4, 5, 6))
    names = {'name = "Loket 3"': f'name = "{LONGEST_NAME}"', 'name = "Konsultasi Penyedia"': f'name = "{SERVICE_60}"'}
    config = write_config(
        tmp_path_factory.mktemp("six"), {"[tts]\nenabled = true": "[tts]\nenabled = false", **names}, extra
    )
    server = LiveServer(config).start()
    for service in "ABABCA":
        issue(server, service)
    server.sessions = {}
    for counter_id in range(1, 7):
        server.add_user(f"enam{counter_id}", "officer")
        server.sessions[counter_id] = session = server.session(f"enam{counter_id}", "rahasia-123")
        r = session.post(f"{server.url}/api/counters/{counter_id}/call-next", json={}, timeout=5)
        assert r.status_code == 200, r.text
    yield server
    server.stop()


@pytest.mark.parametrize("size", CROWDED, ids=["1080p", "1366x768", "1024x768", "1280x1024"])
def test_six_counters_show_every_name_and_service_whole(browser, six, size):
    """Two columns of tiles, each with its name, status and service over its number: the services of 60
    characters and the demo's longest whole, the counter name of 100 characters too (its service gives
    way), on a wide TV and on an old 4:3 or 5:4 monitor. At 1366x768, a recall on the longest name's
    tile: its "Panggilan ke-2" is on it (beside its number), whole, during the flash and after it, and
    the tiles are otherwise the same as before it."""
    page = new_page(browser, size)
    recall = size == (1366, 768)
    if recall:
        page.clock.install()  # the flash's end (a timer of the page) is moved on, not waited for
    open_display(page, six)
    caught_up(page, six)
    page.wait_for_function(SETTLED, timeout=15_000, polling=50)
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.getElementById('counters').dataset.cols") == "2"
    assert page.evaluate(CUT_SIDEWAYS) == []
    tiles = assert_tiles_whole(page, six, size)
    assert {t["layout"] for t in tiles} == {"stacked"}
    if size == (1920, 1080):
        save_screenshot(page, "display-six-counters.png")
    if recall:
        pause_clock(page, 0.25)  # the flash ends only as the test moves the clock, not in a loaded machine's 5 s
        r = six.sessions[3].post(f"{six.url}/api/counters/3/recall", json={}, timeout=5)
        assert r.status_code == 200, r.text
        page.locator(f"{tile(3)}.flash").wait_for()
        caught_up(page, six)
        during = assert_tiles_whole(page, six, size)
        page.clock.fast_forward(6000)
        page.wait_for_function(SETTLED, timeout=10_000, polling=50)
        after = assert_tiles_whole(page, six, size)
        assert after == during
        marker = [p["text"] for t in after for p in t["parts"] if p["part"] == "sub"]
        assert marker == ["Panggilan ke-2"], after

        def texts(tiles):  # each text but the marker: its words, size and place (the number moves aside)
            parts = [p for t in tiles for p in t["parts"] if p["part"] != "sub"]
            return [(p["part"], p["text"], p["px"], p["part"] != "number" and p["rects"]) for p in parts]

        assert texts(after) == texts(tiles)
    page.context.close()


def test_six_counters_on_a_tv_on_its_side_show_each_name_status_and_number_whole(browser, six):
    """Two columns of tiles, each with its name and status above its number (display.css), the numbers
    larger than beside a narrow name would allow, nothing cut sideways nor in a tile."""
    page = open_display(new_page(browser, (1080, 1920)), six)
    caught_up(page, six)
    page.wait_for_function(SETTLED, timeout=15_000, polling=50)
    page.evaluate("document.fonts.ready")
    assert page.evaluate(CUT_SIDEWAYS) == []
    tiles = page.evaluate(
        """() => [...document.querySelectorAll('.counter')].map((t) => {
            const label = t.querySelector('.ticket-label'), head = t.querySelector('.counter-head');
            return { id: Number(t.dataset.counter), label: label.textContent, px: parseFloat(getComputedStyle(label).fontSize),
                     above: head.getBoundingClientRect().bottom <= label.getBoundingClientRect().top + 0.5,
                     status: t.querySelector('.counter-status').textContent };
        })"""
    )
    assert len(tiles) == 6 and page.evaluate("document.getElementById('counters').dataset.cols") == "2"
    for tile in tiles:
        assert tile["label"] != "—" and tile["status"], tile
        assert tile["above"], tile  # the name and status over the number
        if tile["id"] != 3:  # not beside the longest name (assert_tiles_whole: at least 2.5 units there)
            assert tile["px"] >= 4 * 1080 / 54, tile  # at least 4 units (80 px): not squeezed beside the name
    assert_tiles_whole(page, six, (1080, 1920))
    page.context.close()


# ---- the waiting list with the longest service names the settings allow (services.name, 100) --------------
SERVICE_100 = "Konsultasi Penyedia, Registrasi & Verifikasi Akun SPSE, E-Katalog, Tender Cepat dan Non-Tender (PPK)"
SERVICE_97 = "Konsultasi Non-Penyedia (PPK, Pokja Pemilihan, Pejabat Pengadaan) tentang E-Katalog v6 dan Tender"

# Each row of the waiting counts: its service's name (text, size, lines shown and needed, cut or not) and
# the boxes of its letter, name and count; the panel's, the side column's and the latest calls' boxes.
WAITING_ROWS = """() => {
    const box = (e) => { const r = e.getBoundingClientRect();
                         return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }; };
    const rows = [...document.querySelectorAll('#waiting li')].map((li) => {
        const name = li.querySelector('.name'), cs = getComputedStyle(name), line = parseFloat(cs.lineHeight);
        return { service: li.dataset.service, row: box(li), code: box(li.querySelector('.code')),
                 count: box(li.querySelector('.count')), box: box(name), text: name.textContent,
                 px: parseFloat(cs.fontSize), shown: Math.round(name.clientHeight / line),
                 needed: Math.round(name.scrollHeight / line), clamped: name.classList.contains('clamped'),
                 cut: name.scrollHeight > name.clientHeight + 0.5 || name.scrollWidth > name.clientWidth + 0.5 };
    });
    const recent = document.getElementById('recent');
    return { rows, rem: parseFloat(getComputedStyle(document.documentElement).fontSize),
             panel: box(document.getElementById('waiting').parentElement),
             side: box(document.querySelector('.side')),
             recentPanel: box(recent.parentElement), recentRows: [...recent.children].map(box) };
}"""


@pytest.fixture(scope="module")
def long_services(tmp_path_factory):
    """A server whose services A and B have names of 100 and 97 characters (C the demo's 28); Loket 2 calls
    A-001 before any page opens, and each test's call is Loket 1's."""
    from server.config import _TEXT_LIMITS

    assert len(SERVICE_100) == _TEXT_LIMITS["services.name"] == 100 and len(SERVICE_97) == 97
    names = {
        'name = "Konsultasi Penyedia"': f'name = "{SERVICE_100}"',
        f'name = "{DEMO_LONGEST_SERVICE}"': f'name = "{SERVICE_97}"',
    }
    config = write_config(
        tmp_path_factory.mktemp("long-services"), {"[tts]\nenabled = true": "[tts]\nenabled = false", **names}
    )
    server = LiveServer(config).start()
    for service in "AAAABBC":
        issue(server, service)
    server.sessions = {}
    for counter_id in (1, 2):
        server.add_user(f"layanan{counter_id}", "officer")
        server.sessions[counter_id] = server.session(f"layanan{counter_id}", "rahasia-123")
    r = server.sessions[2].post(f"{server.url}/api/counters/2/call-next", json={}, timeout=5)
    assert r.status_code == 200, r.text
    yield server
    server.stop()


def assert_waiting_names_whole(page, server, size, when: str) -> None:
    """Every service's name whole in the waiting counts (none cut, none clamped), no smaller than 1.2 units
    (a long one) and at its CSS size when it fits (1.6rem, 24 px at least); under 1080 px one of more than 90
    characters is on four lines ended in "…" (at 24 px it needs five: the latest calls keep their second row); the rows keep their columns (letter, name,
    count), one under the other, in the panel, which stays in the side column over the running text,
    and the latest calls above it still show whole rows."""
    where = f"{size[0]}x{size[1]}, {when}"
    unit = min(size) / 54
    services = {s["code"]: s["name"] for s in state(server)["services"]}
    m = page.evaluate(WAITING_ROWS)
    rows = m["rows"]
    assert [r["service"] for r in rows] == list(services), where
    for r in rows:
        assert r["text"] == services[r["service"]], where
        if size[1] < 1080 and len(r["text"]) > 90:  # 24 px: its fifth line would take a latest call's row
            assert r["clamped"] and r["shown"] == 4, (where, r)
        else:
            assert not r["cut"] and not r["clamped"] and r["shown"] == r["needed"] <= 4, (where, r)
        assert r["px"] >= 1.2 * unit - 0.2, (where, r)
        assert r["code"]["right"] <= r["box"]["left"] and r["box"]["right"] <= r["count"]["left"], (where, r)
        assert m["panel"]["left"] <= r["code"]["left"] and r["count"]["right"] <= m["panel"]["right"], (where, r)
    short = next(r for r in rows if r["service"] == "C")
    assert short["px"] == pytest.approx(max(READABLE_PX, 1.6 * m["rem"]), abs=0.1), (where, short)
    assert short["shown"] <= (1 if size[1] >= 1080 else 2), (where, short)
    for column in ("code", "count"):
        edges = [round(r[column]["left" if column == "code" else "right"]) for r in rows]
        assert max(edges) - min(edges) <= 1, f"{where}: the {column} column at {edges}"
    for upper, lower in pairwise(rows):
        assert upper["row"]["bottom"] <= lower["row"]["top"] + 0.5, (where, upper["service"], lower["service"])
    assert rows[-1]["row"]["bottom"] <= m["panel"]["bottom"] and m["panel"]["bottom"] <= m["side"]["bottom"] + 0.5
    calls = len({c["label"] for c in state(server)["recent"]})
    assert len(m["recentRows"]) >= min(2, calls), f"{where}: the latest calls have no room: {m['recentRows']}"
    for row in m["recentRows"]:
        assert row["bottom"] <= m["recentPanel"]["bottom"], (where, row)
    assert page.evaluate(CUT_SIDEWAYS) == [], where


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)], ids=["1080p", "1366x768"])
def test_the_longest_service_names_are_whole_in_the_waiting_counts_during_and_after_a_call(
    browser, long_services, size
):
    """The names of 100 and 97 characters get smaller and take a third or fourth line (their rows grow)
    instead of being clamped to two lines with "…" (at 1366x768, at 24 px, four lines ended in "…"); a call (its
    flash, the counts it changes) leaves them as they were."""
    page = new_page(browser, size)
    page.clock.install()  # the flash's end (a timer of the page) is moved on, not waited for
    open_display(page, long_services)
    caught_up(page, long_services)
    page.wait_for_function(SETTLED, timeout=15_000, polling=50)
    page.evaluate("document.fonts.ready")
    pause_clock(page, 0.25)  # from here the flash ends only as the test moves the clock (not a loaded machine's 5 s)
    assert_waiting_names_whole(page, long_services, size, "settled")
    r = long_services.sessions[1].post(f"{long_services.url}/api/counters/1/call-next", json={}, timeout=5)
    assert r.status_code == 200, r.text
    page.locator(f"{tile(1)}.flash").wait_for()
    caught_up(page, long_services)
    assert_waiting_names_whole(page, long_services, size, "during a call")
    keep_shot(page, f"waiting-during-{size[0]}x{size[1]}.png")
    page.clock.fast_forward(6000)
    page.wait_for_function(SETTLED, timeout=10_000, polling=50)
    assert_waiting_names_whole(page, long_services, size, "after a call")
    keep_shot(page, f"waiting-after-{size[0]}x{size[1]}.png")
    page.context.close()
    for action in ("start", "resolve"):  # Loket 1 free for the next size's call
        r = long_services.sessions[1].post(
            f"{long_services.url}/api/counters/1/{action}", json={"solution": "Selesai dijelaskan"}, timeout=5
        )
        assert r.status_code == 200, r.text


# ---- read from across the room on a cheap office TV (1366x768, 1280x720): no text a visitor reads under 24 px ----
# 24 px on a 1366x768 or 1280x720 TV of 32 to 43 inches is some 1.2 to 1.5 cm: about the least a visitor reads at 4 to
# 6 m. The header's office name and address, the clock and the date, each tile's name, status, service, number and
# recall ("Panggilan ke-2"), "ISTIRAHAT" and "On break", the latest calls (number, counter, time, "Panggilan ke-3
# (terakhir)"), the panels' titles, the waiting counts (letter, service, count, "orang") and the running text. Not
# the logo's "LPSE" (a picture of the office's logo in its place: decoration).
READABLE_PX = 24
READABLE_SIZES = [(1366, 768), (1280, 720), (1920, 1080), (1080, 1920)]
EIGHT_NAMES = {i: f"Loket {i} – Registrasi & Verifikasi Akun" if i in (4, 5, 8) else f"Loket {i}" for i in range(1, 9)}
OFFICE_REAL = "LPSE Kabupaten Kepulauan Siau Tagulandang Biaro"  # a real office's (tests/test_display_office_name.py)
ADDRESS_REAL = "Jl. Raya Ondong, Kelurahan Bahu, Kecamatan Siau Barat, Kabupaten Kepulauan Siau Tagulandang Biaro"

# Every text drawn on the page (an element with text of its own, shown): its size, the boxes of its own text (its
# lines), whether it is cut (wider or taller than its box, which hides the rest, ended in "…" by display.js, or past
# a box that hides what passes it, or past the screen).
VISITOR_TEXTS = """() => {
    const skip = '.logo, .too-old, noscript, script, style, [hidden]';
    const out = [];
    for (const e of document.body.querySelectorAll('*')) {
        if (e.closest(skip)) continue;
        const own = [...e.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim());
        if (!own.length || !e.getClientRects().length) continue;
        const cs = getComputedStyle(e);
        if (cs.visibility === 'hidden' || Number(cs.opacity) === 0) continue;
        const rects = own.flatMap((n) => {
            const range = document.createRange();
            range.selectNodeContents(n);
            // its lines' boxes: a text's glyph box (1.17 em in DejaVu) trimmed to its line-height, as it is laid out
            const line = parseFloat(cs.lineHeight), trim = (r) => (line < r.height ? (r.height - line) / 2 : 0);
            return [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0)
                .map((r) => ({ left: r.left, right: r.right, top: r.top + trim(r), bottom: r.bottom - trim(r) }));
        });
        const clips = cs.display !== 'inline' && (cs.overflowX !== 'visible' || cs.overflowY !== 'visible');
        const number = e.classList.contains('ticket-label'); // its line 1 em, its glyphs' box 1.17 em: width only
        // a line's glyphs reach a little past a line-height under 1.2: not a line hidden
        const wide = e.scrollWidth > e.clientWidth + 1;
        const tall = !number && e.scrollHeight > e.clientHeight + Math.max(1, parseFloat(cs.fontSize) * 0.2);
        const why = [];
        if (clips && (wide || tall)) why.push('overflows its box');
        if (e.classList.contains('cut-shown') || e.querySelector('.cut-shown')) why.push('ended in …');
        for (const r of rects) {
            if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5)
                why.push('past the screen');
            for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
                const s = getComputedStyle(a);
                if (s.display === 'contents' || (s.overflowX === 'visible' && s.overflowY === 'visible')) continue;
                const b = a.getBoundingClientRect();
                if (r.left < b.left - 0.5 || r.right > b.right + 0.5 || r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5)
                    why.push('past ' + (a.id || a.className || a.tagName));
            }
        }
        // What gives by design: the rest of a long counter name after its identity ("Loket 5 – Registrasi &
        // Verifikasi…", "→ Loket 5 – …") on a tile or in the latest calls short of room, the identity whole; the
        // running text standing on two lines (reduced motion: it does not run); the office's address, which the
        // running text then says whole (assert_readable).
        const gives = !!e.closest('.to.keyed .name-rest, .counter.keyed .name-rest, #office-address')
            || e.id === 'marquee-text';
        out.push({ sel: e.id ? '#' + e.id : (e.className || e.tagName.toLowerCase()), gives,
                   text: e.textContent.trim().slice(0, 60), px: parseFloat(cs.fontSize), rects, cut: [...new Set(why)] });
    }
    const doc = document.documentElement;
    return { texts: out, scroll: [doc.scrollWidth, doc.scrollHeight, innerWidth, innerHeight],
             running: document.getElementById('marquee-text').textContent };
}"""


def crossing(a: dict, b: dict) -> float:
    """How far two boxes cross: the lesser of their overlap's width and height (0: apart)."""
    return max(
        0,
        min(
            min(a["right"], b["right"]) - max(a["left"], b["left"]),
            min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]),
        ),
    )


def assert_readable(page, size, where: str) -> list[dict]:
    """Every text a visitor reads at least READABLE_PX, whole (none cut, none past its box or the screen), none drawn
    over another, the page not scrolled."""
    m = page.evaluate(VISITOR_TEXTS)
    texts = m["texts"]
    where = f"{size[0]}x{size[1]}, {where}"
    assert m["scroll"] == [*size, *size], f"{where}: the page scrolls {m['scroll']}"
    small = [(t["sel"], t["text"], round(t["px"], 1)) for t in texts if t["px"] < READABLE_PX - 0.05]
    assert not small, f"{where}: under {READABLE_PX} px: {small}"
    cut = [(t["sel"], t["text"], t["cut"]) for t in texts if t["cut"] and not t["gives"]]
    assert not cut, f"{where}: cut: {cut}"
    address = [t for t in texts if t["cut"] and "Jl. " in t["text"]]
    assert not address or ADDRESS_REAL in m["running"], f"{where}: the address is whole nowhere: {address}"
    for a, b in combinations(texts, 2):  # lines' boxes crossing by more than 2 px each way (leading aside)
        drawn = [(r, q) for r in a["rects"] for q in b["rects"] if crossing(r, q) >= 2]
        assert not drawn, f"{where}: {a['sel']} {a['text']!r} drawn over {b['sel']} {b['text']!r}: {drawn[0]}"
    return texts


@pytest.fixture(scope="module")
def eight(tmp_path_factory):
    """Eight counters (4, 5 and 8 named "Loket N – Registrasi & Verifikasi Akun"), a real office's long name and
    address, service A of 60 characters and B the demo's longest; Loket 1 and 4 on their second call, 5 on its third
    (the last), 6 serving, 3 on a break with no ticket, ten calls in the latest calls."""
    extra = "".join(
        f'\n[[counters]]\nid = {i}\nname = "{EIGHT_NAMES[i]}"\nservices = ["A", "B", "C"]\n' for i in range(4, 9)
    )
    config = write_config(
        tmp_path_factory.mktemp("eight"),
        {
            "[tts]\nenabled = true": "[tts]\nenabled = false",
            "counter_release_minutes = 10": "counter_release_minutes = 1440",
            'name = "LPSE Kabupaten Contoh"': f'name = "{OFFICE_REAL}"',
            'address = "Jl. Merdeka No. 1, Kota Contoh"': f'address = "{ADDRESS_REAL}"',
            'name = "Konsultasi Penyedia"': f'name = "{SERVICE_60}"',
        },
        extra,
    )
    # Its pages' clocks are moved on a minute at once: it never pings them (pageclock.CALM_NUMBERS), so no heartbeat
    # of theirs runs out meanwhile (a reconnect's snapshot would redraw the page while it is measured).
    server = LiveServer(config, numbers=CALM_NUMBERS).start()
    for service in "ABC" * 12:
        issue(server, service)
    server.sessions = {}
    for counter_id in range(1, 9):
        server.add_user(f"delapan{counter_id}", "officer")
        server.sessions[counter_id] = server.session(f"delapan{counter_id}", "rahasia-123")
    done = {"solution": "Selesai dijelaskan", "category": "pertanyaan", "priority_class": "P3"}
    steps = [(i, "call-next") for i in (2, 7)] + [(i, a) for i in (2, 7) for a in ("start", "resolve")]
    steps += [(i, "call-next") for i in range(1, 9) if i != 3] + [(1, "recall"), (4, "recall"), (5, "recall")]
    steps += [(5, "recall"), (6, "start"), (3, "pause")]
    for counter_id, action in steps:
        r = server.sessions[counter_id].post(
            f"{server.url}/api/counters/{counter_id}/{action}", json=done if action == "resolve" else {}, timeout=5
        )
        assert r.status_code == 200, (counter_id, action, r.text)
    yield server
    server.stop()


# The page's socket.io connections (pageclock.MANAGERS): each one's engine id and state, another id after a reconnect.
CONNECTION = "() => window.__managers.map((m) => m.engine && [m.engine.id, m.engine.readyState])"


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("size", READABLE_SIZES, ids=["1366x768", "1280x720", "1080p", "portrait"])
def test_every_text_a_visitor_reads_is_24_px_or_more_whole_during_a_call_after_it_and_idle(browser, eight, size, lang):
    """Eight counters, long names, a recall's "Panggilan ke-3 (terakhir)", a break, the latest calls full: every text
    at least 24 px (at 1080p and on its side as large as before, or larger), whole and over no other, during a call's
    flash, after it, and minutes later."""
    page = new_page(browser, size)
    install_clock(page)  # the flash's end and the minutes after it are moved on, not waited for
    open_display(page, eight, f"?lang={lang}")
    caught_up(page, eight)
    page.wait_for_function(SETTLED, timeout=15_000, polling=50)
    page.evaluate("document.fonts.ready")
    pause_clock(page, 0.25)  # from here the flash ends only as the test moves the clock (not a loaded machine's 5 s)
    with shot(page, eight.config.parent / f"readable-settled-{size[0]}x{size[1]}-{lang}.png"):
        assert_readable(page, size, f"{lang}, settled")
    session = eight.sessions[7]  # Loket 7's next call: its tile and its row flash
    for action in ("start", "resolve", "call-next"):
        payload = {"solution": "Selesai dijelaskan", "category": "pertanyaan", "priority_class": "P3"}
        r = session.post(f"{eight.url}/api/counters/7/{action}", json=payload if action == "resolve" else {}, timeout=5)
        assert r.status_code == 200, (action, r.text)
    page.locator(f"{tile(7)}.flash").wait_for()
    caught_up(page, eight)
    with shot(page, eight.config.parent / f"readable-during-{size[0]}x{size[1]}-{lang}.png"):
        texts = assert_readable(page, size, f"{lang}, during a call")
        assert any(t["sel"] == "ticket-sub" for t in texts), "no recall on a tile"
    page.clock.fast_forward(6000)
    page.wait_for_function(SETTLED, timeout=10_000, polling=50)
    assert_readable(page, size, f"{lang}, after the call")
    connection = page.evaluate(CONNECTION)
    assert connection and all(c and c[1] == "open" for c in connection), connection
    page.clock.run_for(60_000)  # idle: what the room sees most of the day (its timers run, one after another)
    page.wait_for_function(SETTLED, timeout=10_000, polling=50)
    with shot(page, eight.config.parent / f"readable-idle-{size[0]}x{size[1]}-{lang}.png"):
        texts = assert_readable(page, size, f"{lang}, a minute on")
        assert page.evaluate(CONNECTION) == connection, "the page reconnected while its clock moved on (redrawn)"
        assert len([t for t in texts if t["sel"] == "label"]) >= 2, "fewer than two latest calls"
    page.context.close()


# Each tile's recall marker as drawn on its tile (none when its tile leaves it out, .no-sub) and each row of the latest
# calls' marker, when the row is whole in its panel.
MARKERS_SAID = """() => {
    const drawn = (e) => !!e && !!e.textContent.trim() && e.getClientRects().length > 0
        && getComputedStyle(e).display !== 'none' && getComputedStyle(e).visibility !== 'hidden';
    const panel = document.getElementById('recent').parentElement.getBoundingClientRect();
    return {
        tiles: [...document.querySelectorAll('.counter')].map((t) => {
            const sub = t.querySelector('.ticket-sub');
            return { id: Number(t.dataset.counter), text: drawn(sub) ? sub.textContent : '' };
        }),
        rows: [...document.querySelectorAll('#recent li:not(.none)')].filter((li) =>
            li.getBoundingClientRect().bottom <= panel.bottom + 0.5 && getComputedStyle(li).display !== 'none')
            .map((li) => ({ label: li.querySelector('.label').textContent,
                            nth: drawn(li.querySelector('.nth')) ? li.querySelector('.nth').textContent : '' })),
    };
}"""
RECALL_MARKER = {"id": ("Panggilan ke-{n}", "Panggilan ke-{n} (terakhir)"), "en": ("Call {n}", "Call {n} (last)")}


def assert_every_recall_said(page, server, size, lang: str, when: str) -> None:
    """Every called ticket on its second call or later has its marker ("Panggilan ke-2", "Panggilan ke-3 (terakhir)")
    on its tile, else on its row of the latest calls: none said nowhere."""
    m = page.evaluate(MARKERS_SAID)
    tiles = {t["id"]: t["text"] for t in m["tiles"]}
    rows = {r["label"]: r["nth"] for r in m["rows"]}
    where = f"{size[0]}x{size[1]}, {lang}, {when}"
    recalled = 0
    for c in state(server)["counters"]:
        ticket = c["ticket"]
        if not ticket or ticket["status"] != "called" or ticket["calls"] < 2:
            continue
        recalled += 1
        said = RECALL_MARKER[lang][ticket["calls"] >= 3].format(n=ticket["calls"])
        assert said in (tiles.get(c["id"]), rows.get(ticket["label"])), (
            f"{where}: Loket {c['id']}'s {said!r} is said nowhere: its tile {tiles.get(c['id'])!r}, rows {rows}"
        )
    assert recalled >= 3, f"{where}: {recalled} recalls"


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)], ids=["1366x768", "1280x720"])
def test_no_recall_is_said_nowhere_among_eight_counters_on_a_cheap_tv(browser, eight, size, lang):
    """Eight counters at 24 px on a 1366x768 or 1280x720 TV, Loket 1 and 4 ("Loket 4 – Registrasi & Verifikasi Akun")
    on a second call, Loket 5 on its last: each recall's marker is on its tile or on its row of the latest calls,
    settled, during a recall's flash (Loket 4's next visitor, called twice) and after it. Loket 4's "Panggilan ke-2" was on
    neither: its tile kept its long name whole, its row had no room among the latest calls (the rest of its name now
    gives way to the marker: "Loket 4 …")."""
    page = new_page(browser, size)
    install_clock(page)
    open_display(page, eight, f"?lang={lang}")
    caught_up(page, eight)
    page.wait_for_function(SETTLED, timeout=15_000, polling=50)
    page.evaluate("document.fonts.ready")
    pause_clock(page, 0.25)  # from here the flash ends only as the test moves the clock (not a loaded machine's 5 s)
    assert_every_recall_said(page, eight, size, lang, "settled")
    try:
        done = {"solution": "Selesai dijelaskan", "category": "pertanyaan", "priority_class": "P3"}
        for action in ("start", "resolve", "call-next", "recall"):  # Loket 4's next visitor, called twice
            r = eight.sessions[4].post(
                f"{eight.url}/api/counters/4/{action}", json=done if action == "resolve" else {}, timeout=5
            )
            assert r.status_code == 200, (action, r.text)
        assert r.json()["ticket"]["calls"] == 2, r.text
        page.locator(f"{tile(4)}.flash").wait_for()
        caught_up(page, eight)
        with shot(page, eight.config.parent / f"recall-during-{size[0]}x{size[1]}-{lang}.png"):
            assert_every_recall_said(page, eight, size, lang, "during Loket 4's recall")
        page.clock.fast_forward(6000)
        page.wait_for_function(SETTLED, timeout=10_000, polling=50)
        with shot(page, eight.config.parent / f"recall-after-{size[0]}x{size[1]}-{lang}.png"):
            assert_every_recall_said(page, eight, size, lang, "after it")
    finally:
        page.context.close()
