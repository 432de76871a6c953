"""A counter press whose answer is slow, settled by what the page sees live, on a real server and a
Chromium page.

The request reached the server and was done (its live event came), and its answer is held on the network. The page
kept its buttons off until the answer's 15 s were up; then Istirahat said "Server tidak dapat dihubungi" under a
counter shown on its break, and Selesai "belum pasti tercatat" under a counter shown free. Now a pause or a resume is
settled as soon as the live state shows it, and Selesai (Panggil ulang, …) as soon as the visitor pressed for is shown
gone (called again): the page asks the server with the same request_id, whose answer says whether it was this press
(its first answer) or another tab's (refused: "sudah diselesaikan di halaman lain").

The answers are held with Playwright routing (the Socket.IO connection untouched), and the page's clock is paused
once it is live: nothing is settled by the answer's 15 s unless the test moves the clock on (page.clock.run_for). The
server never pings (pageclock.CALM_NUMBERS): the page's heartbeat is not due while the test runs, so its clock moves
the answer's 16 s in one call (run_clock_for's steps each waited for a ping).
"""

from __future__ import annotations

import pytest
from conftest import hold_first, until_on_page, write_config
from live import LiveServer
from pageclock import CALM_NUMBERS
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import PASSWORD, issue, paused_counter_page, staffed

FAILED = "Server tidak dapat dihubungi"


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    config = write_config(tmp_path_factory.mktemp("slow-answer"))
    server = staffed(LiveServer(config, numbers=CALM_NUMBERS).start())  # never pings: the clock moved on in one call
    yield server
    server.stop()


@pytest.fixture
def page(browser, office):
    """budi's counter page at Loket 1, 1366x768, its clock paused once it is live."""
    with paused_counter_page(browser, office) as page:
        yield page


def events(server, token: str, type_: str) -> list[dict]:
    budi = server.session("budi", PASSWORD)
    history = budi.get(f"{server.url}/api/tickets/{token}/history", timeout=5).json()["events"]
    return [e for e in history if e["type"] == type_]


def ticket(server, label: str) -> dict:
    budi = server.session("budi", PASSWORD)
    return next(t for t in budi.get(f"{server.url}/api/tickets", timeout=5).json()["tickets"] if t["label"] == label)


def paused(server) -> bool:
    state = server.session("kepala", PASSWORD).get(f"{server.url}/api/staff/state", timeout=5).json()
    return next(c for c in state["counters"] if c["id"] == 1)["paused"]


def serve(page, visitor: dict, answer: str) -> None:
    page.click("#btn-call-next")
    expect(page.locator("#t-label")).to_have_text(visitor["label"])
    page.click("#btn-start")
    expect(page.locator("#solution")).to_be_enabled()
    page.fill("#solution", answer)
    page.select_option("#category", index=1)
    page.locator("input[name=priority_class]").first.check()


def test_a_break_whose_answer_is_slow_is_settled_by_the_live_state(page, office):
    server = office
    notice, button = page.locator("#notice"), page.locator("#btn-pause")
    held = hold_first(page, "**/api/counters/1/pause")  # done on the server; its answer held
    button.click()
    expect(page.locator("#t-paused")).to_be_visible()  # the live event: the counter on its break
    assert [answer.status for _, answer in held] == [200]
    page.clock.run_for(16_000)  # past the answer's 15 s: its answer still not come
    expect(notice).to_have_text("Loket 1 istirahat.")  # as its answer says it
    expect(notice).to_have_attribute("data-kind", "info")
    expect(button).to_contain_text("Lanjut")
    expect(button).to_be_enabled()
    assert FAILED not in notice.inner_text()
    keep_shot(page, "pause-slow-answer.png")
    assert paused(server)

    # Lanjut, its answer held too: settled as the counter is shown open, the late answer says nothing more
    held = hold_first(page, "**/api/counters/1/resume")
    button.click()
    expect(page.locator("#t-paused")).to_be_hidden()
    expect(notice).to_have_text("Loket 1 melayani lagi.")
    expect(button).to_contain_text("Istirahat")
    expect(button).to_be_enabled()
    route, answer = held[0]
    route.fulfill(response=answer)
    page.clock.run_for(16_000)
    expect(notice).to_have_text("Loket 1 melayani lagi.")
    expect(button).to_contain_text("Istirahat")
    assert not paused(server)


def test_a_finish_whose_answer_is_slow_is_settled_when_its_visitor_leaves(page, office):
    server = office
    dewi, eko = issue(server, "Dewi Anggraini"), issue(server, "Eko Saputra")
    serve(page, dewi, "Kata sandi direset lewat menu Pengguna.")
    held = hold_first(page, "**/api/counters/1/resolve")  # done on the server; its answer held
    page.click("#btn-resolve")
    expect(page.locator("#t-label")).to_have_text("—")  # the live event: the visitor left the counter
    assert [answer.status for _, answer in held] == [200]
    # settled then, the page's clock not moved: not at the answer's 15 s
    notice = page.locator("#notice")
    expect(notice).to_have_text(f"{dewi['label']} selesai.")
    expect(page.locator("#btn-print-form")).to_contain_text(dewi["label"])  # that visitor's form copy offered
    expect(page.locator("#btn-call-next")).to_be_enabled()  # Eko waits
    route, answer = held[0]
    route.fulfill(response=answer)  # the late answer: nothing more to say
    page.click("#btn-call-next")
    expect(page.locator("#t-label")).to_have_text(eko["label"])
    expect(notice).to_contain_text(eko["label"])
    assert len(events(server, dewi["token"], "resolved")) == 1
    assert ticket(server, dewi["label"])["solution"] == "Kata sandi direset lewat menu Pengguna."


def test_a_recall_whose_answer_is_slow_is_settled_when_the_call_shows(page, office):
    server = office
    fajar = issue(server, "Fajar Nugroho")
    page.click("#btn-call-next")
    expect(page.locator("#t-label")).to_have_text(fajar["label"])
    held = hold_first(page, "**/api/counters/1/recall")
    page.click("#btn-recall")
    expect(page.locator("#t-calls")).to_contain_text("panggilan 2 dari 3")  # the live event
    expect(page.locator("#notice")).to_have_text(f"{fajar['label']} dipanggil ulang (2 dari 3).")
    expect(page.locator("#btn-recall")).to_be_enabled()
    assert [answer.status for _, answer in held] == [200]
    assert len(events(server, fajar["token"], "recalled")) == 1  # asked again with its request_id: not recalled twice


def test_a_finish_slow_on_its_way_while_another_tab_finished_the_visitor_is_said_done_there(page, office):
    """Selesai slow on its way to the server (not there yet), the same officer finishing the visitor in another tab:
    the live event is the same as this press's would be. The page asks with the same request_id, refused (no visitor
    at the counter): said done in the other tab, this tab's typing kept, at once rather than at the answer."""
    server = office
    gita = issue(server, "Gita Permata")
    serve(page, gita, "Jawaban dari tab ini.")
    sent: list = []

    def route(r):
        sent.append(r)
        if len(sent) > 1:
            r.continue_()  # the page's question goes through; its first request stays on its way

    page.route("**/api/counters/1/resolve", route)
    page.click("#btn-resolve")
    other = server.session("budi", PASSWORD)
    r = other.post(f"{server.url}/api/counters/1/resolve", json={"solution": "Jawaban dari tab lain."}, timeout=5)
    assert r.status_code == 200, r.text
    notice = page.locator("#notice")
    expect(notice).to_have_text(f"Tiket {gita['label']} sudah diselesaikan di halaman lain.")
    expect(page.locator("#kept-solution")).to_have_value("Jawaban dari tab ini.")
    until_on_page(page, lambda: len(sent) >= 2, "the press and its question held")
    assert len(sent) == 2
    sent[0].continue_()  # the first request reaches the server now: refused too, nothing said over the words
    page.clock.run_for(1_000)
    expect(notice).to_have_text(f"Tiket {gita['label']} sudah diselesaikan di halaman lain.")
    assert len(events(server, gita["token"], "resolved")) == 1
    assert ticket(server, gita["label"])["solution"] == "Jawaban dari tab lain."


def test_a_press_lost_says_the_page_checks_within_seconds(page, office):
    server = office
    hadi = issue(server, "Hadi Santoso")
    serve(page, hadi, "Dokumen penawaran diunggah ulang.")
    page.route("**/api/counters/1/resolve", lambda r: r.abort("connectionreset"), times=1)
    page.click("#btn-resolve")
    notice = page.locator("#notice")
    expect(notice).to_have_text(
        f"“Selesai” untuk {hadi['label']} belum pasti tercatat: jawaban server tidak sampai (jaringan). Ketikan tetap "
        "di kotak; halaman memeriksanya sendiri dalam beberapa detik."
    )
    keep_shot(page, "held-within-seconds.png")
    page.click("#lang-toggle")
    expect(notice).to_have_text(
        f"“Resolve” for {hadi['label']} may not be recorded: the server's answer did not arrive (network). What you "
        "typed stays in its box; the page checks by itself within a few seconds."
    )
    keep_shot(page, "held-within-seconds-en.png")
    page.click("#lang-toggle")
    page.clock.run_for(2_000)  # and so it does: sent again with its request_id, done once
    expect(notice).to_have_text(f"{hadi['label']} selesai.")
    assert len(events(server, hadi["token"], "resolved")) == 1
