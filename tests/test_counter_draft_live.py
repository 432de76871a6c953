"""A counter page ALREADY open was not told when its counter's draft changed on another PC or tab: the officer moved
to the PC beside, typed there, came back, and the first page still showed its old text, and its next save overwrote
the newer draft typed there. Now a save is told (no text: its version and time) to the pages showing that counter
only, which fetch it over the API; a save names the version it is based on and a stale one is refused (409
draft_stale), the page then showing both texts. Real server process, real SQLite, real Socket.IO clients, Chromium
(two browser contexts: two PCs of one officer).

A page's clock is Playwright's where its saves are waited for (clocked_counter_page: installed before it loads,
running): the pause after typing (DRAFT_SAVE_MS) is moved past on it (after_pause), not waited out; the server never
pings (pageclock.CALM_NUMBERS), so a page's heartbeat is not due however far its clock is moved."""

from __future__ import annotations

import math
import queue
import time

import pytest
import requests
import socketio
from conftest import in_order, write_config
from live import LiveServer
from pageclock import CALM_NUMBERS
from playwright.sync_api import expect
from staffpages import PASSWORD, clocked_counter_page, empty_queue, issue, staffed

FIRST = "Akun penyedia dikunci: buka lewat menu Pengguna."
BESIDE = "Diketik di PC sebelah: akun dibuka, kata sandi baru dikirim ke e-mail terdaftar."
HERE = "Diketik di halaman ini saat PC sebelah juga menyimpan."
ELSEWHERE = "Disimpan dari tab lain pada saat yang sama."
DRAFT_SAVE_MS = 2000  # counter/static/counter.js: a draft goes to the server this long after typing stops


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    config = write_config(tmp_path_factory.mktemp("counter-draft-live"))
    server = staffed(LiveServer(config, numbers=CALM_NUMBERS).start())  # never pings: a page's clock moved on
    yield server
    server.stop()


class Listener:
    """A Socket.IO client keeping every `draft` message it hears (and its snapshot: connected)."""

    def __init__(self, url: str, auth: dict, cookies: requests.Session | None = None):
        self.sio = in_order(socketio.Client(reconnection=False))
        self.drafts: queue.Queue = queue.Queue()
        self.snapshots: queue.Queue = queue.Queue()
        self.sio.on("draft", self.drafts.put)
        self.sio.on("snapshot", self.snapshots.put)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.cookies.items())} if cookies else {}
        self.sio.connect(url, auth=auth, headers=headers, transports=["websocket"], wait_timeout=10)
        self.snapshots.get(timeout=10)

    def heard(self) -> list[dict]:
        out = []
        while not self.drafts.empty():
            out.append(self.drafts.get_nowait())
        return out

    def wait_for(self, ticket_id: int, version: int, timeout: float = 10.0) -> list[dict]:
        """Every message of `ticket_id` heard until the one of `version`."""
        out, deadline = [], time.monotonic() + timeout
        while not out or out[-1]["version"] != version:
            message = self.drafts.get(timeout=max(0.01, deadline - time.monotonic()))
            if message["ticket_id"] == ticket_id:  # not one held for its turn from an earlier test's ticket
                out.append(message)
        return out


def after_pause(page, ms: int = DRAFT_SAVE_MS) -> None:
    """The page's clock (clocked_counter_page) moved on `ms`, by default past the pause after typing that its draft is
    saved at, once none of its requests is on its way (a save's own 15 s timeout is never moved past)."""
    page.wait_for_function("() => window.antrianApi.inFlight() === 0", polling=20)
    page.clock.run_for(ms)


def serve(session, office) -> dict:
    for action in ("call-next", "start"):
        r = session.post(f"{office.url}/api/counters/1/{action}", json={}, timeout=5)
        assert r.status_code == 200, r.text
    return r.json()["ticket"]


def draft_url(office) -> str:
    return f"{office.url}/api/counters/1/draft"


def saved(response) -> bool:
    return response.url.endswith("/api/counters/1/draft") and response.request.method == "POST"


def server_draft(session, office, check, seconds: float = 10.0) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        body = session.get(draft_url(office), timeout=5).json()
        if check(body) or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def test_an_open_page_takes_the_draft_typed_on_the_pc_beside_and_its_next_save_builds_on_it(browser, office):
    empty_queue(office)
    ani = issue(office, "Ani")
    budi = office.session("budi", PASSWORD)
    with clocked_counter_page(browser, office) as page:
        page.click("#btn-call-next")
        expect(page.locator("#btn-start")).to_be_enabled()
        page.click("#btn-start")
        expect(page.locator("#solution")).to_be_enabled()
        # the PC beside, open before anything is typed: its form empty
        with clocked_counter_page(browser, office) as other:
            expect(other.locator("#t-label")).to_have_text(ani["label"])
            expect(other.locator("#solution")).to_have_value("")
            with page.expect_response(saved) as answer:
                page.fill("#solution", FIRST)
                after_pause(page)
            assert answer.value.status == 200, answer.value.text()
            # the page beside hears of it and fetches it: its empty form filled
            expect(other.locator("#solution")).to_have_value(FIRST)
            # the officer goes on at the PC beside
            with other.expect_response(saved) as answer:
                other.fill("#solution", BESIDE)
                after_pause(other)
            assert answer.value.status == 200, answer.value.text()
            # and comes back: the first page shows what was typed there, and says so
            expect(page.locator("#solution")).to_have_value(BESIDE)
            expect(page.locator("#notice")).to_contain_text(f"Draf {ani['label']} diperbarui dari halaman lain")
            expect(page.locator("#kept-draft")).to_be_hidden()
            # its next save builds on it: kept, not refused, nothing typed beside lost
            more = BESIDE + " Dicek ulang di PC pertama."
            with page.expect_response(saved) as answer:
                page.fill("#solution", more)
                after_pause(page)
            assert answer.value.status == 200, answer.value.text()
            assert server_draft(budi, office, lambda b: b["draft"])["draft"]["solution"] == more
            expect(other.locator("#solution")).to_have_value(more)


def test_typed_on_both_at_once_each_text_is_kept_and_shown(browser, office):
    empty_queue(office)
    dewi = issue(office, "Dewi")
    budi = office.session("budi", PASSWORD)
    with clocked_counter_page(browser, office) as page:
        page.click("#btn-call-next")
        expect(page.locator("#btn-start")).to_be_enabled()
        page.click("#btn-start")
        expect(page.locator("#solution")).to_be_enabled()
        # this page's save lost on the way (a network blip) while another tab saves its own text
        lost: list[str] = []

        def drop_saves(route):
            if route.request.method == "POST":
                lost.append(route.request.post_data or "")
                route.abort()
            else:
                route.continue_()

        page.route("**/api/counters/1/draft", drop_saves)
        with page.expect_request(lambda r: r.url.endswith("/api/counters/1/draft") and r.method == "POST"):
            page.fill("#solution", HERE)
            after_pause(page)
        version = budi.get(draft_url(office), timeout=5).json()["version"]
        tickets = budi.get(f"{office.url}/api/staff/state", timeout=5).json()["tickets"]
        served = next(t["id"] for t in tickets if t["label"] == dewi["label"])
        r = budi.post(draft_url(office), json={"ticket_id": served, "solution": ELSEWHERE, "version": version})
        assert r.status_code == 200, r.text
        # the page hears of it: its own text stays, the other one shown below it
        expect(page.locator("#kept-draft")).to_be_visible()
        expect(page.locator("#kept-note")).to_contain_text(f"Draf {dewi['label']} yang tersimpan di server")
        expect(page.locator("#kept-solution")).to_have_value(ELSEWHERE)
        expect(page.locator("#solution")).to_have_value(HERE)
        assert lost
        page.unroute("**/api/counters/1/draft")
        # its next save is based on the draft it has shown: kept (the other text stays in the box)
        with page.expect_response(saved) as answer:
            page.fill("#solution", HERE + " Lanjut.")
            after_pause(page)
        assert answer.value.status == 200, answer.value.text()
        assert budi.get(draft_url(office), timeout=5).json()["draft"]["solution"] == HERE + " Lanjut."
        expect(page.locator("#kept-solution")).to_have_value(ELSEWHERE)
        # reloaded: the other text is nowhere else now, and stays below this page's (the reload dropped it, the
        # tab's own draft taken for it coming back), until the officer closes it; closed, it stays closed
        page.reload()
        expect(page.locator("#draft-state")).to_contain_text("Tersimpan di server")  # the server's draft fetched
        expect(page.locator("#solution")).to_have_value(HERE + " Lanjut.")
        expect(page.locator("#kept-draft")).to_be_visible()
        expect(page.locator("#kept-solution")).to_have_value(ELSEWHERE)
        page.click("#kept-dismiss")
        expect(page.locator("#kept-draft")).to_be_hidden()
        page.reload()
        expect(page.locator("#draft-state")).to_contain_text("Tersimpan di server")
        expect(page.locator("#kept-draft")).to_be_hidden()


def test_a_stale_save_is_refused_and_changes_nothing(office):
    empty_queue(office)
    issue(office, "Bayu")
    budi = office.session("budi", PASSWORD)
    ticket = serve(budi, office)
    url = draft_url(office)
    assert budi.get(url, timeout=5).json() == {"draft": None, "version": 0}
    first = budi.post(url, json={"ticket_id": ticket["id"], "solution": FIRST, "version": 0}, timeout=5)
    assert first.status_code == 200 and first.json()["version"] == 1, first.text
    beside = office.session("budi", PASSWORD)  # the PC beside, based on what it read
    r = beside.post(url, json={"ticket_id": ticket["id"], "solution": BESIDE, "version": 1}, timeout=5)
    assert r.status_code == 200 and r.json()["version"] == 2, r.text
    # the first PC's save, based on version 1: refused, the draft typed beside kept
    stale = budi.post(url, json={"ticket_id": ticket["id"], "solution": FIRST + " lagi", "version": 1}, timeout=5)
    assert stale.status_code == 409 and stale.json()["error"] == "draft_stale", stale.text
    assert "halaman lain" in stale.json()["message"]
    body = budi.get(url, timeout=5).json()
    assert (body["draft"]["solution"], body["draft"]["version"], body["version"]) == (BESIDE, 2, 2), body
    # emptied on the PC beside: no draft to show, its version kept, so an older base is still refused
    r = beside.post(url, json={"ticket_id": ticket["id"], "solution": "", "version": 2}, timeout=5)
    assert r.status_code == 200 and r.json()["version"] == 3, r.text
    assert budi.get(url, timeout=5).json() == {"draft": None, "version": 3}
    stale = budi.post(url, json={"ticket_id": ticket["id"], "solution": FIRST, "version": 2}, timeout=5)
    assert stale.status_code == 409 and stale.json()["error"] == "draft_stale", stale.text
    for wrong in ("3", -1, 2.5, True):
        bad = budi.post(url, json={"ticket_id": ticket["id"], "solution": "x", "version": wrong}, timeout=5)
        assert bad.status_code == 422 and bad.json()["fields"] == {"version": "Tidak valid."}, (wrong, bad.text)
    assert budi.get(url, timeout=5).json() == {"draft": None, "version": 3}


def test_only_the_counters_pages_hear_of_it_without_its_text_and_boundedly(office):
    empty_queue(office)
    waiting = issue(office, "Cici")
    issue(office, "Eko")
    budi = office.session("budi", PASSWORD)
    ticket = serve(budi, office)
    sari = office.session("sari", PASSWORD)
    rina = office.session("rina", PASSWORD)
    listeners = {
        "counter 1": Listener(office.url, {"role": "counter", "counter_id": 1}, budi),
        "counter 2": Listener(office.url, {"role": "counter", "counter_id": 2}, budi),  # budi's tab of Loket 2
        "sari at 3": Listener(office.url, {"role": "counter", "counter_id": 3}, sari),
        "front office": Listener(office.url, {"role": "frontoffice"}, rina),
        "display": Listener(office.url, {"role": "display"}),
        "kiosk": Listener(office.url, {"role": "kiosk"}),
        "ticket": Listener(office.url, {"role": "ticket", "token": waiting["token"]}),
    }
    try:
        r = budi.post(draft_url(office), json={"ticket_id": ticket["id"], "solution": FIRST, "version": 0}, timeout=5)
        assert r.status_code == 200, r.text
        heard = listeners["counter 1"].wait_for(ticket["id"], r.json()["version"])
        assert heard == [{"counter_id": 1, "ticket_id": ticket["id"], "version": 1, "at": r.json()["saved_at"]}]
        # a burst of saves from two sessions: at most one message a second for the counter, the last one told
        other = office.session("budi", PASSWORD)
        start, version = time.monotonic(), 1
        for i in range(10):
            session = (budi, other)[i % 2]
            r = session.post(
                draft_url(office), json={"ticket_id": ticket["id"], "solution": f"v{i}", "version": version}, timeout=5
            )
            assert r.status_code == 200, r.text
            version = r.json()["version"]
        heard = listeners["counter 1"].wait_for(ticket["id"], version)
        elapsed = time.monotonic() - start
        assert len(heard) <= math.ceil(elapsed) + 1, (len(heard), elapsed)
        assert all(set(m) == {"counter_id", "ticket_id", "version", "at"} for m in heard), heard
        # the tab of Loket 2 picks Loket 1 (its socket named 2 at its connect): it hears of Loket 1's from then on
        assert listeners["counter 2"].heard() == []
        listeners["counter 2"].sio.call("counter", 1, timeout=5)
        r = budi.post(draft_url(office), json={"ticket_id": ticket["id"], "solution": "z", "version": version})
        assert r.status_code == 200, r.text
        for name in ("counter 1", "counter 2"):
            assert listeners[name].wait_for(ticket["id"], r.json()["version"])[-1]["ticket_id"] == ticket["id"], name
        # nobody else: another counter's page, the front office, a TV, a kiosk, a visitor's phone
        for name in ("sari at 3", "front office", "display", "kiosk", "ticket"):
            assert listeners[name].heard() == [], name
    finally:
        for listener in listeners.values():
            listener.sio.disconnect()
