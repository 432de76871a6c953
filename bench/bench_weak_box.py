"""The TV and the kiosk on a weak box: how fast a call shows and a key takes with Chromium's CPU slowed down.

A cheap TV stick, an old mini PC or a cheap touchscreen PC runs the pages several times slower than a desktop
core. `--page tv` (the default) opens /display/ in headless Chromium against a real server with N counters (three with long names, as the crowded
readability tests have them), slows the page's CPU with DevTools' `Emulation.setCPUThrottlingRate` (1 = this
machine, 4 and 6 a weak box), and has officers call, recall (a third of the calls, when the counter has a ticket
called) and serve through the API. For each call it measures in the page:

- **to tile**: from the WebSocket message that carries the call to the moment the tile shows the number, or a
  recall's "Panggilan ke-2" (a MutationObserver on the tile), then to the next animation frame (the first paint
  that can show it);
- the **long tasks** (PerformanceObserver `longtask`, 50 ms or more of the main thread at once) in the second
  after the call: their sum and the longest, the stalls a viewer sees as a stutter of the flash or the clock.

`--page kiosk` opens /kiosk/ (upright, 1080x1920, a touchscreen), starts a form and types the visitor's name on
the on-screen keyboard with touches, through Chromium's own touch input; per key: from the touch to the field
showing the letter, then to the next animation frame.

    .venv/bin/python bench/bench_weak_box.py [--page tv|kiosk] [--counters 10] [--calls 30] [--keys 60]
                                             [--rates 1,4,6] [--size 1920x1080] [--json]

It reports; it does not assert. Speech is off (the sound's cost is bench/bench_tv_audio.py's); the chime plays.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import requests
from common import write_bench_config  # tests/ on sys.path too

PASSWORD = "rahasia-123"
LONG = {4: "Loket 4 – Registrasi & Verifikasi Akun", 5: "Loket 5 – Registrasi & Verifikasi Akun"}

# In the page, before its own scripts: the arrival time of each WebSocket message naming a call, the long tasks.
PROBE = """
window.__probe = { messages: [], long: [] };
const Socket0 = window.WebSocket;
window.WebSocket = function (...args) {
  const ws = new Socket0(...args);
  ws.addEventListener("message", (m) => {
    const call = typeof m.data === "string" && (m.data.includes('"called"') || m.data.includes('"recalled"'));
    if (call) window.__probe.messages.push(performance.now());
  });
  return ws;
};
window.WebSocket.prototype = Socket0.prototype;
Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__probe.long.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });
"""

# Resolves when the tile of `counter` shows `label` (and the next frame after): [shown, painted] in page time.
WATCH = """([counter, label]) => new Promise((resolve) => {
  const tile = document.querySelector(`.counter[data-counter="${counter}"]`);
  const done = () => { const shown = performance.now(); requestAnimationFrame(() => resolve([shown, performance.now()])); };
  if (tile.textContent.includes(label)) return done();
  const watch = new MutationObserver(() => { if (tile.textContent.includes(label)) { watch.disconnect(); done(); } });
  watch.observe(tile, { childList: true, subtree: true, characterData: true });
})"""


def config_for(tmp: Path, counters: int) -> Path:
    path = write_bench_config(tmp, counters)
    text = path.read_text(encoding="utf-8").replace("[tts]\nenabled = true", "[tts]\nenabled = false")
    for i, name in LONG.items():
        if i <= counters:
            text = text.replace(f'name = "Loket {i}"\n', f'name = "{name}"\n')
    path.write_text(text, encoding="utf-8")
    return path


def visitor(n: int) -> dict:
    return {
        "service": "ABC"[n % 3],
        "name": f"Pengunjung {n}",
        "agency": "Dinas Pekerjaan Umum Kabupaten Contoh",
        "address": f"Jl. Jenderal Sudirman No. {n}",
        "phone": "081234567890",
        "problem": "Tidak dapat mengunggah dokumen penawaran.",
        "request_id": str(uuid.uuid4()),
    }


# In the kiosk page: per touch, [to the letter in the name field, to the next frame after it] in ms.
TAP_PROBE = """
window.__taps = [];
document.addEventListener("touchstart", () => {
  const t0 = performance.now(), field = document.getElementById("f-name"), before = field.value;
  const check = () => {
    if (field.value === before) return requestAnimationFrame(check);
    const shown = performance.now();
    requestAnimationFrame(() => window.__taps.push([shown - t0, performance.now() - t0]));
  };
  requestAnimationFrame(check);
}, true);
"""
KEY_CENTRES = """() => Object.fromEntries([...document.querySelectorAll('.osk > div:not([hidden]) [data-key]')]
    .map((k) => { const r = k.getBoundingClientRect(); return [k.dataset.key, [r.x + r.width / 2, r.y + r.height / 2]]; }))"""


def kiosk_run(args) -> list[dict]:
    from conftest import CHROMIUM, CHROMIUM_FLAGS
    from live import LiveServer
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="antrian-kiosk-weak-"))
    server = LiveServer(config_for(tmp, 3)).start()
    rows = []
    letters = "budisantosowirawan"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            context = browser.new_context(
                viewport={"width": 1080, "height": 1920}, locale="id-ID", has_touch=True, is_mobile=False
            )
            context.add_init_script(TAP_PROBE)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            for rate in args.rates:
                page.goto(server.url + "/kiosk/")
                page.click("#start")
                page.click('[data-service="A"]')
                page.wait_for_selector("#screen-form", state="visible")
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
                keys = page.evaluate(KEY_CENTRES)
                for i in range(args.keys):
                    x, y = keys[letters[i % len(letters)]]
                    page.touchscreen.tap(x, y)
                    page.wait_for_function(f"() => window.__taps.length > {i}", polling=20)
                    time.sleep(0.15)  # a finger's pace: about six keys a second
                taps = page.evaluate("window.__taps")
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
                shown, framed = [t[0] for t in taps], [t[1] for t in taps]
                rows.append(
                    {
                        "rate": rate,
                        "keys": len(taps),
                        "to_letter_p50": statistics.median(shown),
                        "to_letter_max": max(shown),
                        "to_frame_p50": statistics.median(framed),
                        "to_frame_max": max(framed),
                    }
                )
                r = rows[-1]
                print(
                    f"CPU x{rate}: touch to letter p50 {r['to_letter_p50']:.0f} / max {r['to_letter_max']:.0f} ms, "
                    f"to the next frame p50 {r['to_frame_p50']:.0f} / max {r['to_frame_max']:.0f} ms "
                    f"({r['keys']} keys)",
                    flush=True,
                )
            browser.close()
    finally:
        server.stop()
    return rows


def run(args) -> list[dict]:
    from conftest import CHROMIUM, CHROMIUM_FLAGS
    from live import LiveServer
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="antrian-tv-weak-"))
    server = LiveServer(config_for(tmp, args.counters)).start()
    rows = []
    try:
        server.add_user("kepala", "admin", scrypt=True)
        admin = server.session("kepala", PASSWORD)
        for n in range(args.calls * len(args.rates) + args.counters):
            requests.post(server.url + "/api/tickets", json=visitor(n), timeout=30).raise_for_status()
        width, height = args.size
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
            context.add_init_script(PROBE)
            page = context.new_page()
            page.goto(server.url + "/display/")
            page.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)
            cdp = context.new_cdp_session(page)
            busy = {}  # counter -> its ticket is called (resolve it before the counter's next call)

            def act(counter: int, action: str, **data) -> dict:
                r = admin.post(f"{server.url}/api/counters/{counter}/{action}", json=data, timeout=30)
                r.raise_for_status()
                return r.json() if r.status_code == 200 else {}

            for rate in args.rates:
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
                page.evaluate("window.__probe.messages.length = 0; window.__probe.long.length = 0")
                to_tile, to_paint, long_sum, long_max = [], [], [], []
                for i in range(args.calls):
                    counter = i % args.counters + 1
                    before = page.evaluate("window.__probe.messages.length")
                    if busy.get(counter) and i % 3 == 2:  # a recall: its tile says "Panggilan ke-2"
                        answer = act(counter, "recall")
                        text = f"Panggilan ke-{answer['ticket']['calls']}"
                    else:
                        if busy.get(counter):
                            act(counter, "start")
                            act(counter, "resolve", solution="Selesai.")
                        text = act(counter, "call-next")["ticket"]["label"]
                    busy[counter] = True
                    shown, painted = page.evaluate(WATCH, [counter, text])
                    page.wait_for_function(f"() => window.__probe.messages.length > {before}", polling=20)
                    arrived = page.evaluate(f"window.__probe.messages[{before}]")
                    time.sleep(1.0)  # the call's flash and whatever it sets off, inside the window measured
                    tasks = page.evaluate(
                        f"window.__probe.long.filter(([s]) => s >= {arrived} && s < {arrived} + 1000).map(([, d]) => d)"
                    )
                    to_tile.append(shown - arrived)
                    to_paint.append(painted - arrived)
                    long_sum.append(sum(tasks))
                    long_max.append(max(tasks, default=0.0))
                rows.append(
                    {
                        "rate": rate,
                        "calls": args.calls,
                        "to_tile_p50": statistics.median(to_tile),
                        "to_tile_max": max(to_tile),
                        "to_paint_p50": statistics.median(to_paint),
                        "to_paint_max": max(to_paint),
                        "long_sum_p50": statistics.median(long_sum),
                        "long_sum_max": max(long_sum),
                        "long_max": max(long_max),
                    }
                )
                r = rows[-1]
                print(
                    f"CPU x{rate}: to tile p50 {r['to_tile_p50']:.0f} / max {r['to_tile_max']:.0f} ms, "
                    f"to paint p50 {r['to_paint_p50']:.0f} / max {r['to_paint_max']:.0f} ms; long tasks in the "
                    f"second after a call: sum p50 {r['long_sum_p50']:.0f} / max {r['long_sum_max']:.0f} ms, "
                    f"longest {r['long_max']:.0f} ms",
                    flush=True,
                )
            browser.close()
    finally:
        server.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", choices=("tv", "kiosk"), default="tv")
    parser.add_argument("--counters", type=int, default=10)
    parser.add_argument("--keys", type=int, default=60, help="--page kiosk: keys typed at each rate")
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--rates", default="1,4,6", help="CPU slow-down factors, comma-separated")
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.rates = [float(x) for x in args.rates.split(",")]
    args.size = tuple(int(x) for x in args.size.lower().split("x"))
    rows = kiosk_run(args) if args.page == "kiosk" else run(args)
    if args.json:
        print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
