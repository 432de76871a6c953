"""The front office's notices of counters freed, on an old office PC's 1024x768 screen, a busy day's list beside them:
six releases (an officer holding the three counters, with long names, disabled twice), three lines shown and
"+3 lagi" for the others. The three lines are taller than their box there, and "+3 lagi" was below its edge,
out of sight, the third line cut: nothing said there were more. It stays at the box's foot, in sight, and a click on
it shows them all. With three releases (no "+N lagi" then) the third line was still cut at the box's edge, a sliver
of it in sight: the box now shows as many lines as it holds whole, "+N lagi" under them for the others. A real server
process, the command line's own process, and real Chromium."""

from __future__ import annotations

import requests
from conftest import write_config
from live import LiveServer, server_command
from playwright.sync_api import expect
from staffpages import PASSWORD, open_front, staffed

COUNTERS = {i: f"Loket Konsultasi Pengadaan 1{i}" for i in (1, 2, 3)}

# Where "+N lagi" is against its box's visible part, and what a click at its middle lands on; how many lines are shown,
# and whether each is whole in the box's visible part (none cut at its edge) with nothing more to scroll to.
MORE = """() => {
  const box = document.getElementById('counter-notice');
  const more = box.querySelector('.notice-more');
  const e = box.getBoundingClientRect();
  const inBox = (x) => { const b = x.getBoundingClientRect();
                         return b.top >= e.top - 0.5 && b.bottom <= e.top + box.clientTop + box.clientHeight + 0.5; };
  const lines = [...box.querySelectorAll('.notice')];
  const got = {lines: lines.length, whole: lines.every(inBox), overflows: box.scrollHeight > box.clientHeight + 0.5,
               more: more ? more.textContent : null};
  if (!more) return got;
  const b = more.getBoundingClientRect();
  const hit = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
  return {...got, inside: inBox(more), hit: hit === more};
}"""


def test_only_whole_lines_and_more_in_sight_when_three_fill_the_box_at_1024(browser, tmp_path):
    config = write_config(tmp_path, {f'name = "Loket {i}"': f'name = "{name}"' for i, name in COUNTERS.items()})
    server = staffed(LiveServer(config).start())
    try:
        for i in range(12):  # a list beside the notices
            r = requests.post(
                server.url + "/api/tickets",
                timeout=5,
                json={"service": "ABC"[i % 3], "name": f"Siti Nurhaliza {i + 1}", "agency": "Dinas PUPR",
                      "address": "Jl. Sudirman No. 12", "phone": "081234567890", "problem": "Lupa kata sandi."},
            )  # fmt: skip
            assert r.status_code == 201, r.text
        server.add_user("ganda", "officer")
        page = open_front(browser, server, viewport={"width": 1024, "height": 768})
        expect(page.locator("#tickets tr[data-label]")).to_have_count(12)
        box = page.locator("#counter-notice")
        for round_ in range(2):  # ganda holds the three counters and is disabled: three releases, twice
            if round_:
                r = server_command(["users", "enable", "ganda", "--config", str(server.config)])
                assert r.returncode == 0, r.stderr
            ganda = server.session("ganda", PASSWORD)
            for counter in COUNTERS:
                r = ganda.post(f"{server.url}/api/counters/{counter}/pause", json={}, timeout=5)
                assert r.status_code == 200, r.text
            r = server_command(["users", "disable", "ganda", "--config", str(server.config)])
            assert r.returncode == 0, r.stderr
            releases = 3 * (round_ + 1)
            said = """(n) => { const box = document.getElementById('counter-notice'), more = box.querySelector('.notice-more');
                return box.querySelectorAll('.notice').length + (more ? parseInt(more.textContent.slice(1), 10) : 0) === n; }"""
            page.wait_for_function(said, arg=releases, polling=50)  # every release said, shown or counted
            page.evaluate("document.fonts.ready")
            got = page.evaluate(MORE)
            # at 1024x768 three lines are taller than the box: fewer are shown, each whole, "+N lagi" for the others
            assert 1 <= got["lines"] < 3 and got["whole"] and not got["overflows"], (releases, got)
            assert got["more"] == f"+{releases - got['lines']} lagi", (releases, got)
            assert got["inside"] and got["hit"], (releases, got)  # in the box's visible part, not under a line
        more = box.locator(".notice-more")
        expect(more).to_be_in_viewport()
        # the day's list below keeps rows in sight: the notices' box was up to 30vh, and with three lines of long
        # names it left the list a box of one row (154 px)
        rows = page.locator(".front-grid .ticket-box").evaluate("b => b.clientHeight")
        assert rows >= 200, rows
        box_top = box.evaluate("b => b.scrollTop")
        more.click()
        expect(box.locator(".notice")).to_have_count(6)
        expect(more).to_have_count(0)
        assert box_top == 0  # nothing was scrolled to show it
    finally:
        server.stop()
