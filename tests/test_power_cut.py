"""A power cut mid-morning, as the office lives it (brief h354), on a real server, Chromium pages and a fake TCP
ESC/POS printer: 10:00, twelve visitors waiting, Loket 1 serving (the officer's answer typed, not finished), Loket 2
just called (the TV saying it), a visitor half-way through the kiosk's form, a slip waiting for its printer. The
server is killed (SIGKILL: no shutdown), and comes back on the same database and port while the pages stay open.

Found: the call made as the power went (A-002 at Loket 2) was chimed and never said: its phrase's request found
nobody on the port, its tries ran out while the server was away (longer than their 2 + 4 + 8 s), and the TV counted
the call as announced, so that back online it showed A-002 called and said nothing of it (docs/display.md: a call
still called when the TV is back is announced once). Now such a call is said once the TV is back, and only it: the
call announced before the cut is not said again.

Checked as each person sees it, besides: every ticket and call the server had acknowledged is there after the start
(the queue, Loket 1 serving, Loket 2 calling); the counter page's red bar comes and goes, and its answer typed before
the cut is in its form and on the server; the kiosk's offline bar comes and goes, the form stays as typed and the
visitor takes a number once back, its slip printed; the slip waiting for the printer prints once, when the printer
and the server are back; the front office's page is live again and lists the new visitor.
"""

from __future__ import annotations

import pytest
import requests
from conftest import until_on_page, visitor, write_config
from fakeprinter import STATUS_ONLINE, FakeNetworkPrinter
from live import LiveServer
from playwright.sync_api import expect
from staffpages import PASSWORD, sign_in, staffed
from test_counter_draft_live import draft_url, server_draft
from test_display_speech import BRIEF

ANSWER = "Akun penyedia terkunci setelah lima kali salah kata sandi: dibuka lewat menu Pengguna."
OFFLINE = b"\x1a"  # the printer's answer to DLE EOT 1: off-line (bit 3)
KIOSK = {"name": "Siti Aminah", "agency": "Dinas Pekerjaan Umum"}  # typed before the cut
REST = {"address": "Jl. Merdeka No. 5", "phone": "081298765432", "problem": "Tidak bisa masuk ke SPSE."}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """The office's server (speech on, a short phrase), its kiosk printer on the fake TCP printer, the staff of
    tests/staffpages.py; the speech engine warmed by a call already served (its first phrase takes seconds)."""
    printer = FakeNetworkPrinter()
    config = write_config(
        tmp_path_factory.mktemp("power-cut"),
        {**BRIEF, **printer.as_kiosk(timeout=1), "counter_release_minutes = 10": "counter_release_minutes = 1440"},
    )
    server = staffed(LiveServer(config).start())
    requests.post(f"{server.url}/api/tickets", json=visitor(service="B"), timeout=5).raise_for_status()
    sari = server.session("sari", PASSWORD)
    sari.post(f"{server.url}/api/counters/2/call-next", json={}, timeout=5).raise_for_status()
    audio = requests.get(f"{server.url}/api/state", timeout=5).json()["recent"][0]["announce"]["audio"]
    assert requests.get(server.url + audio, timeout=30).ok
    sari.post(f"{server.url}/api/counters/2/start", json={}, timeout=5).raise_for_status()
    done = {"solution": "Selesai.", "category": "pertanyaan", "priority_class": "P3"}
    sari.post(f"{server.url}/api/counters/2/resolve", json=done, timeout=5).raise_for_status()
    yield server, printer
    server.stop()


def announced(tv, label: str) -> list[list]:
    """The TV's announcements of `label`, each as its parts' (kind, ok, why), those ended."""
    return tv.evaluate(
        """(label) => antrianDisplay.log.filter((e) => e.label === label && e.end !== null)
            .map((e) => e.parts.map((p) => [p.kind, p.ok, p.why]))""",
        label,
    )


def test_the_power_goes_at_ten_and_the_server_comes_back_first(browser, office):
    server, printer = office
    labels = []
    for i in range(14):
        r = requests.post(f"{server.url}/api/tickets", json=visitor(service="A", name=f"Tamu {i}"), timeout=5)
        assert r.status_code == 201, r.text
        labels.append(r.json()["ticket"]["label"])
    contexts = []

    def context(**options):
        contexts.append(browser.new_context(**options))
        return contexts[-1]

    try:
        # the TV, its clock Playwright's (the real pace until the test moves it: a phrase's tries while the server
        # is away); Loket 2's phrase held, as the power goes between its chime and its words
        tv = context(viewport={"width": 1280, "height": 720}).new_page()
        tv.clock.install()
        held = []
        hold = {"on": False}
        tv.route("**/api/tts/*", lambda route: held.append(route) if hold["on"] and not held else route.continue_())
        tv.goto(f"{server.url}/display/")
        tv.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)
        # Loket 1: budi calls A-001 from his page, starts serving and types the answer (saved on the server)
        counter = sign_in(context(viewport={"width": 1366, "height": 768}, locale="id-ID").new_page(), server,
                          "/counter/", "budi")  # fmt: skip
        counter.select_option("#counter-select", "1")
        counter.click("#btn-call-next")
        expect(counter.locator("#btn-start")).to_be_enabled()
        counter.click("#btn-start")
        expect(counter.locator("#solution")).to_be_enabled()
        counter.fill("#solution", ANSWER)
        budi = server.session("budi", PASSWORD)
        server_draft(budi, server, lambda b: b["draft"] and b["draft"]["solution"] == ANSWER)
        tv.wait_for_function("(l) => antrianDisplay.log.some((e) => e.label === l && e.end !== null)", arg=labels[0])
        assert announced(tv, labels[0]) == [[["chime", True, "ended"], ["speech", True, "ended"]]]
        # the front office, and a visitor half-way through the kiosk's form
        front = sign_in(context(viewport={"width": 1366, "height": 768}, locale="id-ID").new_page(), server,
                        "/counter/front", "rina")  # fmt: skip
        kiosk = context(viewport={"width": 1080, "height": 1920}, has_touch=True).new_page()
        kiosk.goto(f"{server.url}/kiosk/")
        kiosk.wait_for_function("() => antrianKiosk.live", polling=50)
        kiosk.click("#start")
        kiosk.click('[data-service="B"]')
        for key, text in KIOSK.items():
            kiosk.fill(f"#f-{key}", text)
        # a slip waiting for its printer (off-line a moment: the server tries it again)
        printer.answers[STATUS_ONLINE] = OFFLINE
        r = requests.post(f"{server.url}/api/tickets", json=visitor(service="C", name="Slip"), timeout=5)
        assert r.status_code == 201, r.text
        slip = r.json()["ticket"]["label"]
        rina = server.session("rina", PASSWORD)
        assert server.print_job_when(rina, "retrying")["status"] == "retrying"
        expect(front.locator("#alerts")).to_contain_text(slip)  # the front office is told
        # Loket 2: sari calls A-002; the TV chimes, and asks for the phrase as the power goes
        hold["on"] = True
        r = server.session("sari", PASSWORD).post(f"{server.url}/api/counters/2/call-next", json={}, timeout=5)
        assert r.status_code == 200 and r.json()["ticket"]["label"] == labels[1], r.text
        until_on_page(tv, lambda: held, "the phrase of Loket 2's call asked for")
        before = requests.get(f"{server.url}/api/state", timeout=5).json()
        server.kill()

        held[0].continue_()  # to nobody
        expect(counter.locator("#offline-bar")).to_be_visible()
        expect(kiosk.locator("#offline-notice")).to_be_visible()
        expect(front.locator("#live-status")).to_have_attribute("data-state", "off")
        tv.wait_for_function("() => antrianDisplay.state.status === 'offline'", polling=50)
        # the server stays away longer than the phrase's tries (a PC booting): the TV gives the phrase up
        until_on_page(
            tv,
            lambda: announced(tv, labels[1]) or tv.clock.fast_forward(2000),
            lambda: f"Loket 2's announcement to end: {tv.evaluate('antrianDisplay.log')}",
            timeout=20,
        )
        ((chime, speech),) = announced(tv, labels[1])  # refused, or unanswered as the clock moved on
        assert (
            chime == ["chime", True, "ended"]
            and speech[:2] == ["speech", False]
            and speech[2] in ("network", "timeout")
        )
        printer.answers[STATUS_ONLINE] = b"\x12"  # the printer is on again before the server

        server.start()  # the same database and port
        tv.wait_for_function("() => antrianDisplay.state.status === 'online' && antrianDisplay.state.synced")
        # nothing acknowledged was lost: the queue, the call and the service as they were
        after = requests.get(f"{server.url}/api/state", timeout=5).json()
        assert after["counters"] == before["counters"]
        assert [s["waiting"] for s in after["services"]] == [s["waiting"] for s in before["services"]] == [12, 0, 1]
        shown = tv.evaluate("antrianDisplay.state.counters.map((c) => [c.id, c.ticket && c.ticket.label])")
        assert shown == [[1, labels[0]], [2, labels[1]], [3, None]]
        # Loket 2's call, never said, is said once now; Loket 1's, said before the cut, is not said again
        until_on_page(
            tv,
            lambda: len(announced(tv, labels[1])) >= 2,
            lambda: f"{labels[1]} at Loket 2, cut short by the power cut, said once back: {announced(tv, labels[1])}",
            timeout=20,
        )
        assert announced(tv, labels[1])[1] == [["chime", True, "ended"], ["speech", True, "ended"]]
        assert len(announced(tv, labels[0])) == 1

        # the officer: the bar gone, the answer in the form and on the server
        expect(counter.locator("#offline-bar")).to_be_hidden()
        expect(counter.locator("#solution")).to_have_value(ANSWER)
        assert budi.get(draft_url(server), timeout=5).json()["draft"]["solution"] == ANSWER
        # the slip that waited prints once, the printer and the server back
        until_on_page(tv, lambda: slip.encode() in printer.received, f"{slip}'s slip printed")
        # the kiosk's visitor: the bar gone, the form as typed; the number taken and its slip printed
        expect(kiosk.locator("#offline-notice")).to_be_hidden()
        for key, text in KIOSK.items():
            expect(kiosk.locator(f"#f-{key}")).to_have_value(text)
        for key, text in REST.items():
            kiosk.fill(f"#f-{key}", text)
        kiosk.click("#to-review")
        kiosk.click("#submit")
        expect(kiosk.locator("#screen-ticket")).to_have_attribute("data-print", "printed")
        taken = kiosk.locator("#ticket-label").inner_text()
        assert taken == "B-002", taken
        # the front office: live again, the new visitor in its list
        expect(front.locator("#live-status")).to_have_attribute("data-state", "on")
        expect(front.locator("body")).to_contain_text(taken)
        expect(front.locator("#alerts")).not_to_contain_text(slip)  # printed after all: its alert gone
        assert bytes(printer.received).count(slip.encode()) == 1
        assert bytes(printer.received).count(taken.encode()) == 1
    finally:
        for c in contexts:
            c.close()
