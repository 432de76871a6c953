"""What the officer typed for the visitor being served (Jawaban / solusi, the escalation analysis, the kind, the class)
is kept on the server too, not only in the tab's sessionStorage: the tab closed by mistake, the browser crashed or the
counter PC died (the same account opened on the next PC) lost minutes of typing while the visitor stood there, and the
other PC showed the same ticket with an empty form. Real server process (on tests/clockserver.py's clock for the day's
turn), real SQLite, Chromium for the page (a second browser context as the other PC). The pages' clocks are
Playwright's (installed before they load, running): the pause after typing that a draft is saved at is moved past on
them (test_counter_draft_live.after_pause), not waited out; the server never pings (pageclock.CALM_NUMBERS), so a
page's heartbeat is not due however far its clock is moved."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing

import pytest
import requests
from conftest import write_config
from live import ClockedServer
from pageclock import CALM_NUMBERS
from playwright.sync_api import expect
from staffpages import PASSWORD, empty_queue, issue, sign_in, staffed
from test_counter_draft_live import after_pause

VIEWPORT = {"width": 1366, "height": 768}
ANSWER = "Akun dibuka kuncinya lewat menu Pengguna; kata sandi baru dikirim ke e-mail terdaftar."
NOTE = "Perlu dicek LKPP: riwayat login ganda."


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("counter-draft-server")
    server = ClockedServer(write_config(tmp), numbers=CALM_NUMBERS).start()  # never pings: a page's clock moved on
    server.database = tmp / "antrian.db"
    staffed(server)
    yield server
    server.stop()


def drafts_kept(office) -> int:
    with closing(sqlite3.connect(office.database)) as conn:
        return conn.execute("SELECT COUNT(*) FROM drafts").fetchone()[0]


def draft_when(session, office, check, seconds: float = 10.0):
    """GET /api/counters/1/draft's draft once `check(draft)` holds (the page's save on its way), or as it stands."""
    deadline = time.monotonic() + seconds
    while True:
        draft = session.get(f"{office.url}/api/counters/1/draft", timeout=5).json()["draft"]
        if check(draft) or time.monotonic() > deadline:
            return draft
        time.sleep(0.05)


def serve(session, office) -> dict:
    """budi calls the next visitor at Loket 1 and starts serving: the ticket."""
    for action in ("call-next", "start"):
        r = session.post(f"{office.url}/api/counters/1/{action}", json={}, timeout=5)
        assert r.status_code == 200, r.text
    return r.json()["ticket"]


def saved(response) -> bool:
    return response.url.endswith("/api/counters/1/draft") and response.request.method == "POST"


def test_a_closed_tab_and_another_pc_get_the_typed_answer_back(browser, office):
    empty_queue(office)
    ani = issue(office, "Ani")
    budi = office.session("budi", PASSWORD)
    context = browser.new_context(viewport=VIEWPORT, locale="id-ID")
    other_pc = browser.new_context(viewport=VIEWPORT, locale="id-ID")
    try:
        for pc in (context, other_pc):
            pc.clock.install()  # running in real time: moved on only by after_pause
        page = sign_in(context.new_page(), office, "/counter/", "budi")
        page.select_option("#counter-select", "1")
        page.click("#btn-call-next")
        expect(page.locator("#btn-start")).to_be_enabled()
        page.click("#btn-start")
        expect(page.locator("#solution")).to_be_enabled()
        # saved a couple of seconds after typing stops: the server's answer waited for, not a sleep
        with page.expect_response(saved) as answer:
            page.fill("#solution", ANSWER)
            after_pause(page)
        assert answer.value.status == 200
        assert draft_when(budi, office, bool)["solution"] == ANSWER
        # typed, and the tab closed at once: sent as the page goes (fetch keepalive), not after the pause
        page.fill("#note", NOTE)
        page.close(run_before_unload=True)
        kept = draft_when(budi, office, lambda d: d and d["note"] == NOTE)
        assert kept and kept["note"] == NOTE and kept["label"] == ani["label"], kept
        # the tab opened again (its sessionStorage is new): the form has what was typed
        again = context.new_page()
        again.goto(office.url + "/counter/")
        expect(again.locator("#counter-select")).to_have_value("1")
        expect(again.locator("#t-label")).to_have_text(ani["label"])
        expect(again.locator("#solution")).to_have_value(ANSWER)
        expect(again.locator("#note")).to_have_value(NOTE)
        expect(again.locator("#notice")).to_contain_text(f"Draf {ani['label']} dipulihkan dari server")
        # the counter PC dead, the same account on the next PC: the same ticket, and its form filled
        there = sign_in(other_pc.new_page(), office, "/counter/", "budi")
        expect(there.locator("#t-label")).to_have_text(ani["label"])
        expect(there.locator("#solution")).to_have_value(ANSWER)
        # text the page has is never overwritten: typed in the tab too, its save lost on the way (a network blip),
        # while the other PC changed the answer: the tab keeps its own and says that the server's differs (shown
        # below it, to copy), after a reload too, until the officer closes it
        mine = ANSWER + " Sudah dicek di tab ini."
        again.route("**/api/counters/1/draft", lambda r: r.abort() if r.request.method == "POST" else r.continue_())
        with again.expect_request(lambda r: r.url.endswith("/api/counters/1/draft") and r.method == "POST"):
            again.fill("#solution", mine)
            after_pause(again)
        changed = "Jawaban dari PC kedua: unggah ulang dokumen kualifikasi."
        with there.expect_response(saved) as answer:
            there.fill("#solution", changed)
            after_pause(there)
        assert answer.value.status == 200
        expect(again.locator("#kept-solution")).to_have_value(changed)
        # the network back (nothing routed from here on: the save sent as the page goes reaches the server, as in
        # the office): the tab's failed save goes again by itself, based on the draft it has shown, and the server
        # keeps the tab's text; the other PC's answer is then in the box alone, which a reload dropped (the tab's own
        # draft restored was taken for its text coming back): the answer was gone, nobody having closed it
        stored: list[int] = []
        again.on("response", lambda r: stored.append(r.status) if saved(r) else None)
        again.unroute("**/api/counters/1/draft")
        for _ in range(40):  # past the retry's wait (2 to 30 s on the page's clock), never while a save is on its way
            if stored:
                break
            after_pause(again, 1000)
        assert stored == [200], stored
        assert draft_when(budi, office, lambda d: d and d["solution"] == mine)["solution"] == mine
        again.reload()
        expect(again.locator("#draft-state")).to_contain_text("Tersimpan di server")  # the server's draft fetched
        expect(again.locator("#kept-draft")).to_be_visible()
        expect(again.locator("#kept-note")).to_contain_text(f"Draf {ani['label']} yang tersimpan di server")
        # the text below is the server's, not what this page typed
        expect(again.locator("#kept-note")).to_contain_text("Draf dari server ditampilkan di bawah")
        expect(again.locator("#kept-note")).not_to_contain_text("Draf yang Anda ketik")
        expect(again.locator("#kept-solution")).to_have_value(changed)
        expect(again.locator("#solution")).to_have_value(mine)
        # finished on the other PC: the draft is gone from the server; the tab says "on another page"
        there.click("#btn-resolve")
        expect(there.locator("#btn-call-next")).to_be_visible()
        expect(again.locator("#notice")).to_contain_text(f"Tiket {ani['label']} sudah diselesaikan di halaman lain.")
        assert budi.get(f"{office.url}/api/counters/1/draft", timeout=5).json() == {"draft": None, "version": 0}
        assert drafts_kept(office) == 0
    finally:
        context.close()
        other_pc.close()


def test_only_the_counters_officer_keeps_and_reads_it_and_a_killed_server_loses_nothing(office):
    empty_queue(office)
    issue(office, "Bayu")
    waiting = issue(office, "Cici")
    budi = office.session("budi", PASSWORD)
    ticket = serve(budi, office)
    url = f"{office.url}/api/counters/1/draft"
    seq = budi.get(f"{office.url}/api/staff/state", timeout=5).json()["seq"]
    r = budi.post(url, json={"ticket_id": ticket["id"], "solution": ANSWER, "category": "pertanyaan"}, timeout=5)
    assert r.status_code == 200 and r.json()["ticket_id"] == ticket["id"], r.text
    # no event (no socket hears of it), nothing in an anonymous answer
    assert budi.get(f"{office.url}/api/staff/state", timeout=5).json()["seq"] == seq
    for public in (f"{office.url}/api/state", f"{office.url}/api/tickets/{waiting['token']}"):
        assert ANSWER not in requests.get(public, timeout=5).text
    # nobody else: no login, the front office, another officer while budi holds Loket 1
    assert requests.get(url, timeout=5).status_code == 401
    assert requests.post(url, json={"ticket_id": ticket["id"], "solution": "x"}, timeout=5).status_code in (401, 403)
    for name, status in (("rina", 403), ("sari", 409)):
        other = office.session(name, PASSWORD)
        for answer in (other.get(url, timeout=5), other.post(url, json={"ticket_id": ticket["id"]}, timeout=5)):
            assert answer.status_code == status and ANSWER not in answer.text, (name, answer.text)
    # the finish's limits and checks, said clearly
    too_long = budi.post(url, json={"ticket_id": ticket["id"], "solution": "s" * 4001}, timeout=5)
    assert too_long.status_code == 422 and "solution" in too_long.json()["fields"], too_long.text
    bad = budi.post(url, json={"ticket_id": ticket["id"], "category": "gosip", "priority_class": "P9"}, timeout=5)
    assert bad.status_code == 422 and set(bad.json()["fields"]) == {"category"}, bad.text
    huge = budi.post(url, json={"ticket_id": ticket["id"], "solution": "s" * 70_000}, timeout=5)
    assert huge.status_code == 413, huge.text
    broken = budi.post(url, data=b'{"ticket_id": ', headers={"Content-Type": "application/json"}, timeout=5)
    assert broken.status_code == 400, broken.text
    gone = budi.post(url, json={"ticket_id": ticket["id"] + 1, "solution": "x"}, timeout=5)
    assert gone.status_code == 409 and gone.json()["error"] == "draft_not_served", gone.text
    # nothing refused changed the kept draft; killed (a power cut) after the save's answer: still there
    office.kill()
    office.start()
    budi = office.session("budi", PASSWORD)
    draft = budi.get(url, timeout=5).json()["draft"]
    assert (draft["solution"], draft["category"], draft["ticket_id"]) == (ANSWER, "pertanyaan", ticket["id"])
    # sent away (Alihkan): dropped
    r = budi.post(f"{office.url}/api/counters/1/transfer", json={"service": "B"}, timeout=5)
    assert r.status_code == 200, r.text
    assert budi.get(url, timeout=5).json() == {"draft": None, "version": 0} and drafts_kept(office) == 0


def test_a_class_taken_out_of_the_priority_table_does_not_stop_the_answer_being_kept(office):
    """The admin took P1 out of the priority table while an officer's form had it chosen (the page still offers it):
    each save of the draft was refused whole (422 priority_class), and the answer typed after it was no longer kept
    on the server ("Belum tersimpan: server menolaknya"). It is kept without the class, and the answer says so."""
    empty_queue(office)
    issue(office, "Dodi")
    budi = office.session("budi", PASSWORD)
    ticket = serve(budi, office)
    url = f"{office.url}/api/counters/1/draft"
    r = budi.post(url, json={"ticket_id": ticket["id"], "solution": ANSWER, "priority_class": "P-dihapus"}, timeout=5)
    assert r.status_code == 200 and r.json()["dropped"] == ["priority_class"], r.text
    draft = budi.get(url, timeout=5).json()["draft"]
    assert (draft["solution"], draft["priority_class"]) == (ANSWER, ""), draft
    not_text = budi.post(url, json={"ticket_id": ticket["id"], "solution": "x", "priority_class": 7}, timeout=5)
    assert not_text.status_code == 422 and set(not_text.json()["fields"]) == {"priority_class"}, not_text.text
    assert budi.get(url, timeout=5).json()["draft"]["solution"] == ANSWER  # the refused save changed nothing


def test_a_ticket_id_that_is_no_whole_number_is_said_to_be_invalid(office):
    """`ticket_id` is the ticket's number: "12", 12.0 or true was answered "Harus berupa teks." (must be text), which
    the string "12" already is (helper-321)."""
    empty_queue(office)
    issue(office, "Gita")
    budi = office.session("budi", PASSWORD)
    ticket = serve(budi, office)
    url = f"{office.url}/api/counters/1/draft"
    for wrong in (str(ticket["id"]), float(ticket["id"]), True):
        r = budi.post(url, json={"ticket_id": wrong, "solution": "x"}, timeout=5)
        assert r.status_code == 422 and r.json()["fields"] == {"ticket_id": "Tidak valid."}, (wrong, r.text)
    assert drafts_kept(office) == 0


def test_a_page_in_a_loop_is_stopped_by_its_sessions_budget(office):
    empty_queue(office)
    issue(office, "Dewi")
    budi = office.session("budi", PASSWORD)
    ticket = serve(budi, office)
    url = f"{office.url}/api/counters/1/draft"
    answers = [budi.post(url, json={"ticket_id": ticket["id"], "solution": f"v{i}"}, timeout=5) for i in range(40)]
    codes = [a.status_code for a in answers]
    assert codes[:20] == [200] * 20 and 429 in codes, codes
    assert answers[codes.index(429)].json()["error"] == "rate_limited"
    # another session (the next PC) has its own budget
    assert office.session("budi", PASSWORD).post(url, json={"ticket_id": ticket["id"], "solution": "x"}).ok
    assert drafts_kept(office) == 1  # one row per ticket being served, however often it is saved


def test_the_days_turn_purges_the_drafts(office):
    empty_queue(office)
    issue(office, "Eko")
    budi = office.session("budi", PASSWORD)
    ticket = serve(budi, office)
    r = budi.post(f"{office.url}/api/counters/1/draft", json={"ticket_id": ticket["id"], "note": NOTE}, timeout=5)
    assert r.status_code == 200 and drafts_kept(office) == 1
    office.next_day()
    issue(office, "Fajar")  # the new day's first command turns the day
    assert drafts_kept(office) == 0
