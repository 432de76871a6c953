"""The front office's list of today's tickets on an old office PC's 1024x768 screen and on a 1366x768 laptop, a busy
day: thirty tickets of every status, the visitors' long names and agencies, the counters' long names. At 1024 px
the list's box is 535 px wide and the table took about 790 px, more with those names: the row's Ubah data,
Batalkan and Cetak ulang were out of sight, reached only by scrolling the box sideways (and at 1366 px Cetak ulang
was cut off the same way). Each row's facts and its buttons are now inside the box, in both languages; at 1024 px
a row's buttons are a line of their own under its name, at 1366 px beside it as before; the registration form
and the counters beside the list still fit. A real server process and real Chromium."""

from __future__ import annotations

import pytest
import requests
from conftest import write_config
from live import LiveServer
from playwright.sync_api import expect
from staffpages import PASSWORD, open_front, staffed

NAME = "Dra. Hj. Siti Nurhaliza Binti Abdullah"
AGENCY = "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Kepulauan Seribu"
COUNTERS = {i: f"Loket Konsultasi Pengadaan 1{i}" for i in (1, 2, 3)}
STATUSES = {"waiting", "called", "serving", "resolved", "escalated", "no_show", "cancelled"}

# Every row measured in the box as it is (never scrolled sideways): each of its cells whole (nothing cut), each
# button and link inside the box, and the one a click at its middle lands on once the row is scrolled into
# sight (up or down only).
ROWS = """() => {
  const box = document.getElementById('ticket-box');
  const head = box.querySelector('thead').getBoundingClientRect();
  const out = {box: box.clientWidth, scroll: box.scrollWidth, rows: [], missed: [], cut: [], outside: []};
  for (const tr of box.querySelectorAll('#tickets tr[data-label]')) {
    const label = tr.dataset.label;
    out.rows.push([label, tr.dataset.status]);
    for (const td of tr.cells) if (td.scrollWidth > td.clientWidth + 1) out.cut.push([label, td.className]);
    const r = tr.getBoundingClientRect();
    box.scrollTop += r.top - box.getBoundingClientRect().top - (head.bottom - head.top) - 4;
    const edge = box.getBoundingClientRect();
    for (const b of tr.querySelectorAll('.acts > *')) {
      const rect = b.getBoundingClientRect();
      if (rect.left < edge.left - 0.5 || rect.right > edge.left + box.clientWidth + 0.5) {
        out.outside.push([label, b.dataset.act, Math.round(rect.right - edge.left)]);
        continue;
      }
      const hit = document.elementFromPoint(rect.left + rect.width / 2, rect.top + rect.height / 2);
      if (!hit || hit.closest('[data-act]') !== b) out.missed.push([label, b.dataset.act]);
    }
  }
  out.left = box.scrollLeft;
  box.scrollTop = 0;
  return out;
}"""

# Where a row's parts are: the number's, the name's, the buttons' cell's and the buttons' boxes.
PARTS = """label => {
  const tr = document.querySelector(`#tickets tr[data-label='${label}']`);
  const box = r => { const b = r.getBoundingClientRect(); return {top: b.top, bottom: b.bottom, left: b.left}; };
  return {label: box(tr.querySelector('td.label')), who: box(tr.querySelector('td.who')),
          do: box(tr.querySelector('td.do')), acts: box(tr.querySelector('.acts'))};
}"""


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """The demo office, its three counters with long names, and a busy day on it (every status, long names)."""
    tmp = tmp_path_factory.mktemp("fit")
    config = write_config(tmp, {f'name = "Loket {i}"': f'name = "{name}"' for i, name in COUNTERS.items()})
    server = staffed(LiveServer(config).start())
    server.add_user("andi", "officer")
    try:
        tickets = []
        for i in range(30):
            r = requests.post(
                server.url + "/api/tickets",
                timeout=5,
                json={"service": "ABC"[i % 3], "name": f"{NAME} {i + 1}", "agency": AGENCY, "priority": i % 7 == 0,
                      "address": "Jl. Sudirman No. 12", "phone": "081234567890", "problem": "Lupa kata sandi."},
            )  # fmt: skip
            assert r.status_code == 201, r.text
            tickets.append(r.json()["ticket"])
        rina = server.session("rina", PASSWORD)
        for ticket in tickets[-4:-1]:  # three cancelled before any call
            r = rina.post(f"{server.url}/api/tickets/{ticket['token']}/cancel", json={}, timeout=5)
            assert r.status_code == 200, r.text
        officers = {c: server.session(name, PASSWORD) for c, name in ((1, "budi"), (2, "sari"), (3, "andi"))}

        def act(counter, *actions, **body) -> dict:
            for action in actions:
                r = officers[counter].post(f"{server.url}/api/counters/{counter}/{action}", json=body, timeout=5)
                assert r.status_code == 200, (action, r.text)
            return r.json()["ticket"]

        for counter in COUNTERS:  # one served at each counter
            act(counter, "call-next", "start")
            act(counter, "resolve", solution="Selesai.")
        act(1, "call-next", "start")
        act(1, "escalate", note="Diteruskan ke LKPP.")
        gone = act(3, "call-next", "recall", "recall", "skip")  # skipped: back in the line ("dilewati 1×")
        act(3, "call", ticket=gone["label"])
        assert act(3, "recall", "recall", "skip")["status"] == "no_show"  # skipped again: did not come
        act(2, "call-next", "recall", "recall", "skip")  # skipped once, waiting again
        act(1, "call-next", "start")  # served now
        act(2, "call-next")  # called
        act(3, "call-next", "recall")  # called twice
        state = rina.get(server.url + "/api/staff/state", timeout=5).json()
        assert {"waiting", "called", "serving"} <= {t["status"] for t in state["tickets"]}
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("width", [1024, 1366])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_rows_facts_and_buttons_are_in_the_box_without_scrolling_sideways(browser, office, width, lang):
    page = open_front(browser, office, viewport={"width": width, "height": 768})
    if lang == "en":
        page.click("#lang-toggle")
        expect(page.locator("#lang-toggle")).to_have_text("Bahasa Indonesia")
    rows = page.locator("#tickets tr[data-label]")
    expect(rows).to_have_count(30)
    page.evaluate("document.fonts.ready")
    page.mouse.move(1, 1)  # not over the list (it holds its changes under the pointer)

    got = page.evaluate(ROWS)
    assert STATUSES <= {status for _, status in got["rows"]}, got["rows"]
    assert got["scroll"] <= got["box"], got  # the box does not scroll sideways (1024 px: 535 px, the table 902)
    assert got["outside"] == [], got["outside"]  # every Ubah data, Batalkan, Cetak ulang, Formulir A4 in the box
    assert got["missed"] == [], got["missed"]  # and a click on it lands on it
    assert got["cut"] == [], got["cut"]  # no name, agency, status or counter's name cut
    assert got["left"] == 0
    # nothing of the page wider or taller than the screen; the form and the counters whole beside the list
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    assert page.evaluate("document.scrollingElement.scrollHeight") <= 768
    for panel in (".front-grid > .panel:first-child", ".counters-panel"):
        assert page.locator(panel).evaluate("p => p.scrollWidth <= p.clientWidth"), panel
    expect(page.locator("#btn-register")).to_be_in_viewport()
    buttons = page.locator("#counter-rows button")
    expect(buttons).to_have_count(3)  # a Lepas for each counter held
    for button in buttons.all():
        expect(button).to_be_in_viewport()

    # the first waiting ticket with its three buttons: at 1366 px they are beside its number, as they were; at
    # 1024 px on a line of their own under its name, at the box's left with the name
    label = page.locator("#tickets tr[data-status='waiting']").first.get_attribute("data-label")
    where = page.evaluate(PARTS, label)
    if width == 1366:
        assert abs(where["acts"]["top"] - where["label"]["top"]) <= 6, where
    else:
        assert where["acts"]["top"] >= where["who"]["bottom"] - 1, where
        assert abs(where["do"]["left"] - where["who"]["left"]) <= 1, where
    page.context.close()


def test_at_1024_px_a_click_on_a_rows_batalkan_arms_it_where_it_is(browser, office):
    """The clerk's click on the last waiting ticket's Batalkan, the box scrolled down to it and not sideways: the
    button is there, and armed by the click, naming the ticket."""
    page = open_front(browser, office, viewport={"width": 1024, "height": 768})
    row = page.locator("#tickets tr[data-status='waiting']").last
    label = row.get_attribute("data-label")
    box = page.locator("#ticket-box")
    # scrolled down to it (the finished tickets below it), not sideways
    row.evaluate(
        "tr => { const b = tr.closest('.ticket-box'); b.scrollTop += tr.getBoundingClientRect().top - b.getBoundingClientRect().top - b.clientHeight / 3; }"
    )
    button = row.locator("[data-act=cancel]")
    page.wait_for_function("() => antrianFront.settled()", polling=100)  # a click on moving rows is not taken
    spot = button.bounding_box()
    edge = box.bounding_box()
    assert edge["x"] <= spot["x"] and spot["x"] + spot["width"] <= edge["x"] + edge["width"], (spot, edge)
    assert edge["y"] <= spot["y"] and spot["y"] + spot["height"] <= edge["y"] + edge["height"], (spot, edge)
    page.mouse.click(spot["x"] + spot["width"] / 2, spot["y"] + spot["height"] / 2)
    expect(button).to_have_attribute("aria-label", f"Klik lagi untuk membatalkan {label}")
    expect(page.locator("#list-notice")).to_have_text(f"Klik lagi untuk membatalkan {label}")
    assert box.evaluate("b => b.scrollLeft") == 0
    page.context.close()
