"""The server PC's clock behind its data and two thermal printers nearly out of paper, on a busy morning, as the
front office's clerk and an officer see them together (each notice was looked at alone when it was made): a real
server on a clock stepped back an hour (tests/clockserver.py), its kiosk printer's roll and Loket 1's form-copy
printer's roll nearly used up, then the kiosk's cover open (every slip fails), its escalation mail refused by the
relay, three officers; real Chromium at 1024x768, 1366x768 and an officer's phone (360x740).

- The front office at 1024x768: the clock's line, the most serious, leads the alerts, and the alerts' box gives up
  its height to the day's list down to 9rem; the clock's four lines showed three and a half there, the last under
  the box's edge. It is whole now, the column still does not scroll, and the list keeps a row.
- The counter page: the clock's red box above the ticket took three to five lines of its column; with the form
  copy's paper line and a mail failure's notice, Eskalasi and Alihkan were under a 1024x768 (80 px) and a
  1366x768 screen while the longest visitor was served, the page scrolling. The box is above the waiting line on a
  laptop now, and first on a phone."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import requests
from conftest import write_config
from fakeprinter import PAPER_NEAR_END, STATUS_ONLINE, FakeNetworkPrinter
from kioskui import LONGEST
from live import ClockedServer, free_port
from playwright.sync_api import expect
from smtp import MAIL_OFF, GreetingRefused
from staffpages import PASSWORD, issue, open_front, resize, sign_in, staffed
from test_clock_steps import until
from test_counter_page import assert_room_under_the_buttons
from test_printer_paper_low import staff_printers

LOOK = {"workers.DISK_SECONDS": 0.3}  # the maintenance loop's look at the clock: 30 s in production
SMALL, LAPTOP, PHONE = {"width": 1024, "height": 768}, {"width": 1366, "height": 768}, {"width": 360, "height": 740}
CLOCK_SAID = "Jam PC server tertinggal"


@pytest.fixture(scope="module")
def morning(tmp_path_factory):
    """The morning, once for the module: both rolls nearly used up (asked at the print workers' start), then the
    kiosk's cover open and ten visitors (their slips failed, two of them called: not needed any more), Sari and Dedi
    calling, Budi escalating C-001 (its mail refused for good at the relay's greeting), the longest visitor's form
    taken, and the server's clock stepped back an hour (NTP correcting a PC that ran fast)."""
    tmp = tmp_path_factory.mktemp("morning")
    kiosk, loket1 = FakeNetworkPrinter(paper=PAPER_NEAR_END), FakeNetworkPrinter(paper=PAPER_NEAR_END)
    relay = GreetingRefused(free_port(), "554 5.7.1 Client host rejected: blocklisted")
    relay.start()
    printer = 'type = "network"\nhost = "127.0.0.1"\nport = {}\ntimeout = 1\ncheck_status = true\nprofile = "TM-T20II"'
    config = write_config(
        tmp,
        {
            '[printers.kiosk]\ntype = "dummy"': "[printers.kiosk]\n" + printer.format(kiosk.port),
            MAIL_OFF: f'enabled = true\nhost = "127.0.0.1"\nport = {relay.controller.port}',
            'services = ["A", "C"]': 'services = ["A", "C"]\nprinter = "loket1"',  # Loket 1's form copies
        },
        extra="\n[printers.loket1]\n" + printer.format(loket1.port) + "\n",
    )
    server = staffed(ClockedServer(config, tick=0.1, dated=True, numbers=LOOK).start())
    try:
        server.add_user("dedi", "officer")
        rina = server.session("rina", PASSWORD)
        assert len(staff_printers(rina, server, lambda notices: len(notices) == 2)) == 2
        kiosk.answers[STATUS_ONLINE] = b"\x1a"  # DLE EOT 1: offline (cover open)
        tickets = [issue(server, f"Pengunjung Pagi {i}", "ABC"[i % 3]) for i in range(10)]
        for officer, counter in (("sari", 2), ("dedi", 3), ("budi", 1)):
            r = server.session(officer, PASSWORD).post(
                f"{server.url}/api/counters/{counter}/call-next", json={}, timeout=5
            )
            assert r.status_code == 200, r.text
        budi = server.session("budi", PASSWORD)
        escalated = budi.post(f"{server.url}/api/counters/1/start", json={}, timeout=5).json()["ticket"]["label"]
        r = budi.post(f"{server.url}/api/counters/1/escalate", json={"note": "Kunci publik paket rusak."}, timeout=5)
        assert r.status_code == 200, r.text
        r = requests.post(f"{server.url}/api/tickets", json={"service": "A", **LONGEST}, timeout=5)
        assert r.status_code == 201, r.text
        longest = r.json()["ticket"]["label"]

        def mail_status():
            cases = rina.get(f"{server.url}/api/escalations", timeout=5).json()["escalations"]
            return next((c["mail"] or {}).get("status") for c in cases if c["label"] == escalated)

        assert until(lambda: mail_status() == "failed"), mail_status()
        server.advance(-3600)
        state = lambda: rina.get(f"{server.url}/api/staff/state", timeout=5).json()  # noqa: E731
        assert until(lambda: state()["disk"]["clock"]), state()["disk"]
        assert len(state()["printers"]) == 2  # both still nearly out
        yield SimpleNamespace(server=server, tickets=tickets, escalated=escalated, longest=longest)
    finally:
        server.stop()
        for device in (kiosk, loket1, relay):
            device.stop()


# The front office's right column in one read: the alerts' box and its first line, the panels, the notices, the list.
FRONT = """(label) => {
  const box = (el) => el.getBoundingClientRect();
  const right = document.querySelector('.front-grid > .right');
  const alerts = document.querySelector('#alerts'), a = box(alerts);
  const first = alerts.firstElementChild, disk = box(first);
  const list = document.querySelector('#ticket-box');
  const row = [...list.querySelectorAll('#tickets tr')].find((tr) => tr.dataset.label === label);
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
  return {columnScrolls: right.scrollHeight > right.clientHeight + 1, height: innerHeight, first: first.dataset.type,
          disk: [disk.top, disk.bottom], shown: [a.top + alerts.clientTop, a.top + alerts.clientTop + alerts.clientHeight],
          title: box(alerts.previousElementSibling).top, alertsPanel: box(alerts.parentElement).bottom,
          countersPanel: box(document.querySelector('.counters-panel')).top,
          notices: [...document.querySelectorAll('#counter-notice .notice, #list-notice')].map((n) => box(n).bottom),
          listPanel: box(list.closest('.tickets')).height / rem,
          listRoom: list.clientHeight - box(list.querySelector('thead')).height, row: box(row).height};
}"""


def test_the_clock_line_is_whole_at_the_head_of_a_busy_mornings_alerts_and_the_list_keeps_a_row(browser, morning):
    """At 1024x768 the alerts (the clock behind, the kiosk printer out, slips to reprint, the refused mail, both
    printers nearly out of paper, slips no longer needed), two counters freed and a cancel's answer: the clock's
    line first, whole in the alerts' box (three and a half of its four lines showed, the last under the box's
    edge); the column does not scroll, the panels do not overlap, every notice is on the screen, and the day's
    list keeps its 14rem and room for a row. At 1366x768 too."""
    live = morning.server
    page = open_front(browser, live, SMALL)
    expect(page.locator('#alerts > li[data-type="disk_low"]')).to_contain_text(CLOCK_SAID)
    expect(page.locator('#alerts > li[data-type="paper_low"]')).to_have_count(2)
    for kind in ("print_failed", "mail_failed", "print_skipped"):
        expect(page.locator(f'#alerts > li[data-type="{kind}"]')).not_to_have_count(0)
    for name in ("Loket 2", "Loket 3"):  # Lepas, then its confirmation
        release = page.locator("#counter-rows tr", has_text=name).get_by_role("button")
        release.click()
        expect(release).to_have_text("Yakin lepas?")
        release.click()
        expect(page.locator("#counter-rows tr", has_text=name)).to_contain_text("kosong")
    expect(page.locator("#counter-notice .notice")).to_have_count(2)
    waiting = morning.tickets[6]["label"]
    row = page.locator("#tickets tr", has_text=waiting)
    row.get_by_role("button", name="Batalkan").click()
    row.get_by_role("button", name="Klik lagi").click()
    expect(page.locator("#list-notice")).to_have_text(f"{waiting} dibatalkan.")
    page.evaluate("document.fonts.ready")
    for size in (SMALL, LAPTOP):
        resize(page, size)
        page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
        m = page.evaluate(FRONT, morning.tickets[9]["label"])  # a waiting visitor's row, with its buttons
        where = f"{size['width']}x{size['height']}"
        assert not m["columnScrolls"], (where, m)
        assert m["first"] == "disk_low" and m["title"] >= 0, (where, m)
        top, bottom = m["disk"]
        assert m["shown"][0] - 0.5 <= top and bottom <= m["shown"][1] + 0.5, (where, m)  # whole in its box
        assert 0 <= top and bottom <= m["height"], (where, m)
        assert m["alertsPanel"] <= m["countersPanel"], (where, m)
        assert all(bottom <= m["height"] for bottom in m["notices"]), (where, m)
        assert m["listPanel"] >= 14 - 0.01 and m["listRoom"] >= m["row"], (where, m)
    page.context.close()


# The counter page in one read: its scrolls, the clock's box, the columns, and the answer's controls.
COUNTER = """() => {
  const r = (s) => { const b = document.querySelector(s).getBoundingClientRect();
                     return {top: b.top, bottom: b.bottom, left: b.left, right: b.right}; };
  return {width: innerWidth, height: innerHeight, wider: document.documentElement.scrollWidth > innerWidth,
          scrolls: document.documentElement.scrollHeight > innerHeight, clock: r('#clock-alert'),
          current: r('.current'), line: r('aside.line'),
          controls: ['#solution', '#btn-resolve', '#note', '#btn-escalate', '#btn-transfer'].map(r)};
}"""


def apart(a: dict, b: dict) -> bool:
    """Whether boxes `a` and `b` do not overlap."""
    return max(a["top"], b["top"]) >= min(a["bottom"], b["bottom"]) - 0.5 or (
        max(a["left"], b["left"]) >= min(a["right"], b["right"]) - 0.5
    )


def test_the_longest_visitor_is_answered_on_screen_beside_the_clock_the_paper_line_and_a_mail_failure(browser, morning):
    """Budi serves the longest form at Loket 1 while the clock is behind, Loket 1's form-copy printer is nearly out
    of paper, and the front office's Kirim ulang of his earlier escalation's mail is refused again (its notice, two
    lines at 1024 px): at 1024x768 and 1366x768 the page does not scroll, Selesai, Eskalasi and Alihkan keep their
    24 px under them, and the clock's box is whole on the screen beside the ticket, over nothing (Eskalasi was 80 px
    under a 1024x768 screen); in English too. On a phone the box comes first, nothing wider than the screen."""
    live = morning.server
    page = browser.new_context(viewport=LAPTOP, locale="id-ID").new_page()
    sign_in(page, live, "/counter/", "budi")
    clock, notice = page.locator("#clock-alert"), page.locator("#notice")
    expect(clock).to_contain_text(CLOCK_SAID)
    expect(page.locator("#copy-paper")).to_contain_text("Kertas printer salinan formulir hampir habis")
    page.locator(f"#line li[data-label='{morning.longest}'] button.call").click()
    expect(page.locator("#t-label")).to_have_text(morning.longest)
    expect(page.locator("#btn-start")).to_be_enabled()
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    rina = live.session("rina", PASSWORD)
    r = rina.post(f"{live.url}/api/escalations/{morning.escalated}/resend", json={}, timeout=5)
    assert r.status_code == 202, r.text  # queued again, tried at once
    refused = f"E-mail eskalasi {morning.escalated} tidak terkirim: server e-mail menolak sambungan dari kantor ini."
    expect(notice).to_contain_text(refused)
    expect(notice).to_have_attribute("data-kind", "error")
    expect(page.locator("#copy-paper")).to_be_visible()
    page.evaluate("document.fonts.ready")
    for size, lang in ((LAPTOP, "id"), (SMALL, "id"), (SMALL, "en")):
        resize(page, size)
        if lang == "en":
            page.click("#lang-toggle")
            expect(clock).to_contain_text("The server PC's clock is behind")
            expect(notice).to_contain_text(
                f"Escalation e-mail {morning.escalated} not sent: the mail server refuses this office's connection."
            )
        m = page.evaluate(COUNTER)
        where = f"{size['width']}x{size['height']} {lang}"
        assert not m["wider"] and not m["scrolls"], (where, m)
        box = m["clock"]
        assert 0 <= box["top"] and box["bottom"] <= m["height"] and box["right"] <= m["width"], (where, m)
        assert apart(box, m["current"]) and apart(box, m["line"]), (where, m)
        assert all(c["bottom"] <= m["height"] for c in m["controls"]), (where, m)
        if lang == "id":
            assert_room_under_the_buttons(page, where)

    resize(page, PHONE)
    page.evaluate("window.scrollTo(0, 0)")
    m = page.evaluate(COUNTER)
    assert not m["wider"], m
    box = m["clock"]
    assert box["bottom"] <= m["current"]["top"] and 0 <= box["left"] and box["right"] <= m["width"], m  # first
    assert all(0 <= c["left"] and c["right"] <= m["width"] for c in m["controls"]), m
    page.context.close()
