"""The front office on an old office PC's 1024x768 screen, four counters and sixty visitors waiting: the list of the
day, the receptionist's view of who waits, showed two or three tickets. The alerts' panel took ~108 px to say
"Tidak ada peringatan…", the four counters' table 177 px, each ticket of the list ~77 px (its buttons a line of
their own under its name). Now the empty alerts are one line, the counters' table and the list's rows denser on a
short screen, and the list shows at least ROWS whole tickets (before: 2); at 1920x1080 the list keeps its look.
One real server process, real Chromium."""

from __future__ import annotations

import pytest
import requests
from conftest import write_config
from live import LiveServer
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import PASSWORD, counter_actions, open_front, staffed

ROWS = 6  # whole tickets in the list's box at 1024x768 (before: 2)
FOURTH = '\n[[counters]]\nid = 4\nname = "Loket 4"\nservices = ["A", "B", "C"]\n'


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """Four counters, two of them serving, and sixty visitors waiting (names and agencies of an ordinary day)."""
    tmp = tmp_path_factory.mktemp("front1024rows")
    server = staffed(LiveServer(write_config(tmp, extra=FOURTH)).start())
    try:
        for i in range(62):
            r = requests.post(
                server.url + "/api/tickets",
                timeout=5,
                json={"service": "ABC"[i % 3], "name": f"Pengunjung Nomor {i + 1}", "agency": "Dinas PUPR Kabupaten Contoh",
                      "address": "Jl. Sudirman No. 12", "phone": "081234567890", "problem": "Lupa kata sandi.",
                      "priority": i == 5},
            )  # fmt: skip
            assert r.status_code == 201, r.text
        for officer, counter in (("budi", 1), ("sari", 2)):
            act = counter_actions(server, officer, counter)
            act("call-next")
            act("start")
        waiting = server.session("rina", PASSWORD).get(server.url + "/api/staff/state", timeout=5).json()["tickets"]
        assert sum(t["status"] == "waiting" for t in waiting) == 60
        yield server
    finally:
        server.stop()


# The list's box as it is: how many tickets' rows are whole in its visible part (under its sticky headings), and the
# first row's height; each cell of those rows whole (nothing cut sideways or under its edge).
LIST = """() => {
  const box = document.getElementById('ticket-box'), b = box.getBoundingClientRect();
  const head = box.querySelector('thead').getBoundingClientRect();
  const top = head.bottom - 0.5, bottom = b.top + box.clientTop + box.clientHeight + 0.5;
  const rows = [...box.querySelectorAll('#tickets tr[data-label]')];
  const whole = rows.filter((tr) => { const r = tr.getBoundingClientRect(); return r.top >= top && r.bottom <= bottom; });
  const cut = [];
  for (const tr of whole) for (const td of tr.cells)
    if (td.scrollWidth > td.clientWidth + 1 || td.scrollHeight > td.clientHeight + 1) cut.push([tr.dataset.label, td.className]);
  return {whole: whole.length, rows: rows.length, rowHeight: rows.length ? Math.round(rows[0].getBoundingClientRect().height) : 0,
          box: Math.round(bottom - top), sideways: box.scrollWidth > box.clientWidth + 1, cut,
          alerts: Math.round(document.querySelector('.front-grid > .right > .panel').getBoundingClientRect().height),
          counters: Math.round(document.querySelector('.counters-panel').getBoundingClientRect().height)};
}"""


def measured(page) -> dict:
    page.evaluate("document.fonts.ready")
    return page.evaluate(LIST)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_at_1024x768_the_list_shows_many_waiting_visitors_whole(browser, office, lang):
    page = open_front(browser, office, {"width": 1024, "height": 768})
    if lang == "en":
        page.click("#lang-toggle")
        expect(page.locator("#alerts-empty")).to_contain_text("No printer or e-mail alerts")
    expect(page.locator("#tickets tr[data-label]")).to_have_count(62)
    expect(page.locator("#counter-rows tr")).to_have_count(4)
    expect(page.locator("#counter-rows")).to_contain_text("budi")
    got = measured(page)
    keep_shot(page, f"front-1024x768-{lang}.png")
    assert got["whole"] >= ROWS, got
    assert got["cut"] == [] and not got["sideways"], got
    # the counters' four rows, each cell whole and in sight; the empty alerts' words whole
    for cell in page.locator("#counter-rows td").all():
        expect(cell).to_be_in_viewport(ratio=1)
    expect(page.locator("#alerts-empty")).to_be_in_viewport(ratio=1)
    # the row's buttons still whole, in the box, and what a click at their middle lands on
    first = page.locator("#tickets tr[data-label][data-status=waiting]").first
    for button in first.locator(".acts > *").all():
        expect(button).to_be_in_viewport(ratio=1)
        assert button.evaluate(
            "b => { const r = b.getBoundingClientRect(); return document.elementFromPoint(r.left + r.width / 2,"
            " r.top + r.height / 2).closest('[data-act]') === b; }"
        )
    if lang == "en":
        page.click("#lang-toggle")  # back to Indonesian (the browser's choice)
    page.context.close()


def test_at_1920x1080_the_list_keeps_its_rows(browser, office):
    """A large screen: the counters' table and the list's rows as they were (only the empty alerts now one line)."""
    page = open_front(browser, office, {"width": 1920, "height": 1080})
    expect(page.locator("#tickets tr[data-label]")).to_have_count(62)
    got = measured(page)
    keep_shot(page, "front-1920x1080.png")
    assert got["cut"] == [] and not got["sideways"], got
    assert got["rowHeight"] <= 52 and got["whole"] >= 11, got  # as before: a row 49 px (name over agency), 11 whole
    page.context.close()
