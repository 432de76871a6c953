"""A counter press with no answer while the page's live connection stays up (brief h373), on a real server and a
Chromium page.

The officer presses Selesai (Lewati, Panggil berikutnya, Panggil ulang…); the request is lost on the Wi-Fi, or its
answer is. The page said "“Selesai” untuk A-005 belum pasti tercatat … halaman memeriksanya sendiri saat ada kabar
dari server", but with the socket up and nobody else acting no news came: the officer stared at that notice with the
visitor in front of them. Now the page finds out by itself within seconds: Selesai, Eskalasi, Alihkan and Lewati are
sent again with their request_id (done now, or the server's first answer: one action either way); a call not shown
done is asked of a fresh snapshot ("tidak sampai ke server: tidak ada yang berubah"). Never a second action: the
server's history holds exactly one, and a visitor finished meanwhile in another tab is not finished twice.

The press's request is dropped (or its answer held) with Playwright routing; the Socket.IO connection is untouched.
The page's clock (Playwright's) is paused once the page is live and moved on by the test past the page's own wait
before it asks again (counter.js ASK_AGAIN_MS: 1, 2, 4, 8 s): the test does not wait those seconds out, and a loaded
machine's seconds do not bring that ask on early. Its server never pings (pageclock.CALM_NUMBERS), so such a move never
times out the page's socket.
"""

from __future__ import annotations

import pytest
from conftest import hold_first, until_on_page, write_config
from live import LiveServer
from pageclock import CALM_NUMBERS
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import PASSWORD, issue, paused_counter_page, staffed

ASK_AGAIN_MS = [1000, 2000, 4000, 8000]  # counter.js: an unanswered press asked again after these (then every 15 s)


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    config = write_config(tmp_path_factory.mktemp("press-unanswered"))
    server = staffed(LiveServer(config, numbers=CALM_NUMBERS).start())
    yield server
    server.stop()


@pytest.fixture
def page(browser, office):
    """staffpages.counter_page's page (budi at counter 1) on an emptied queue, its clock installed before it loads and
    paused once it is live (staffpages.paused_counter_page): a press's next ask comes only as the test moves the clock.
    On a running clock a loaded machine's second between a lost press and the check of its "belum pasti tercatat"
    let the page's ask again (1 s on) come first, and the notice said how it ended instead."""
    with paused_counter_page(browser, office) as page:
        yield page


def solution(server, label: str) -> str:
    budi = server.session("budi", PASSWORD)
    tickets = budi.get(f"{server.url}/api/tickets", timeout=5).json()["tickets"]
    return next(t for t in tickets if t["label"] == label)["solution"]


def events(server, token: str, type_: str) -> list[dict]:
    budi = server.session("budi", PASSWORD)
    history = budi.get(f"{server.url}/api/tickets/{token}/history", timeout=5).json()["events"]
    return [e for e in history if e["type"] == type_]


def drop_first(page, action: str) -> list[str]:
    """The page's next request to `action` is lost on the network before it reaches the server; the live
    connection stays up. The list gets the URL once it was dropped."""
    dropped: list[str] = []

    def handle(route):
        dropped.append(route.request.url)
        route.abort("connectionreset")

    page.route(f"**/api/counters/1/{action}", handle, times=1)
    return dropped


def held_notice(page, what: str) -> None:
    expect(page.locator("#notice")).to_contain_text(
        f"{what} belum pasti tercatat: jawaban server tidak sampai (jaringan)."
    )
    expect(page.locator("#live-status")).to_have_attribute("data-state", "on")  # the socket never dropped


def serve(page, ticket: dict) -> None:
    page.click("#btn-call-next")
    expect(page.locator("#t-label")).to_have_text(ticket["label"])
    page.click("#btn-start")
    expect(page.locator("#solution")).to_be_enabled()


def fill_answer(page, text: str) -> None:
    page.fill("#solution", text)
    page.select_option("#category", index=1)
    page.locator("input[name=priority_class]").first.check()


def test_a_finish_lost_on_the_way_is_done_by_itself_within_seconds(page, office):
    server = office
    dewi = issue(server, "Dewi Anggraini")
    serve(page, dewi)
    fill_answer(page, "Kata sandi direset lewat menu Pengguna.")
    dropped = drop_first(page, "resolve")
    page.click("#btn-resolve")
    expect(page.locator("#notice")).to_contain_text("belum pasti tercatat")
    assert len(dropped) == 1
    held_notice(page, f"“Selesai” untuk {dewi['label']}")
    keep_shot(page, "resolve-held.png")
    # no one else acts, no live change comes: the page asks by itself (the same request_id), and it is done once
    page.clock.run_for(ASK_AGAIN_MS[0])
    notice = page.locator("#notice")
    expect(notice).to_have_text(f"{dewi['label']} selesai.", timeout=8000)
    keep_shot(page, "resolve-done.png")
    expect(page.locator("#btn-print-form")).to_contain_text(dewi["label"])  # that visitor's form copy offered
    expect(page.locator("#t-label")).to_have_text("—")
    resolved = events(server, dewi["token"], "resolved")
    assert len(resolved) == 1
    assert solution(server, dewi["label"]) == "Kata sandi direset lewat menu Pengguna."


def test_a_finish_whose_answer_is_held_is_said_done(page, office):
    """The request reached the server (done, its live event came) and its answer never comes back."""
    server = office
    eko = issue(server, "Eko Saputra")
    serve(page, eko)
    fill_answer(page, "Dokumen penawaran diunggah ulang.")
    held = hold_first(page, "**/api/counters/1/resolve")  # done on the server; its answer never given
    page.click("#btn-resolve")
    expect(page.locator("#t-label")).to_have_text("—")  # the live event: the visitor left the counter
    assert [answer.status for _, answer in held] == [200]
    # settled from the live state (asked again with its request_id), within 10 s: not the answer's 15 s give-up
    expect(page.locator("#notice")).to_have_text(f"{eko['label']} selesai.", timeout=10_000)
    expect(page.locator("#btn-print-form")).to_contain_text(eko["label"])
    assert len(events(server, eko["token"], "resolved")) == 1


def test_a_skip_lost_on_the_way_is_done_by_itself(page, office):
    server = office
    fajar, gita = issue(server, "Fajar Nugroho"), issue(server, "Gita Permata")
    page.click("#btn-call-next")
    expect(page.locator("#t-label")).to_have_text(fajar["label"])
    for n in (2, 3):
        page.click("#btn-recall")
        expect(page.locator("#t-calls")).to_contain_text(f"panggilan {n} dari 3")
    drop_first(page, "skip")
    page.click("#btn-skip")
    held_notice(page, f"“Lewati” untuk {fajar['label']}")
    page.clock.run_for(ASK_AGAIN_MS[0])
    expect(page.locator("#notice")).to_have_text(
        f"{fajar['label']} dilewati; dipanggil lagi setelah pengunjung berikutnya.", timeout=8000
    )
    assert len(events(server, fajar["token"], "skipped")) == 1
    assert events(server, gita["token"], "called") == []


def test_a_call_lost_on_the_way_is_said_not_done_within_seconds(page, office):
    server = office
    hadi = issue(server, "Hadi Santoso")
    expect(page.locator("#btn-call-next")).to_be_enabled()
    drop_first(page, "call-next")
    page.click("#btn-call-next")
    held_notice(page, "“Panggil berikutnya”")
    page.clock.run_for(ASK_AGAIN_MS[0])
    notice = page.locator("#notice")
    expect(notice).to_have_text(
        "“Panggil berikutnya” tidak sampai ke server: tidak ada yang berubah. Tekan lagi bila perlu.", timeout=8000
    )
    keep_shot(page, "call-next-unsent.png")
    expect(notice).to_have_attribute("data-kind", "warn")
    expect(page.locator("#t-label")).to_have_text("—")
    assert events(server, hadi["token"], "called") == []
    page.click("#lang-toggle")
    expect(notice).to_have_text("“Call next” did not reach the server: nothing changed. Press it again if needed.")
    page.click("#lang-toggle")
    # pressed again: one call
    page.click("#btn-call-next")
    expect(page.locator("#t-label")).to_have_text(hadi["label"])
    expect(notice).to_contain_text(hadi["label"])
    assert len(events(server, hadi["token"], "called")) == 1

    # Panggil ulang lost the same way: said not done, the calls as they were
    drop_first(page, "recall")
    page.click("#btn-recall")
    held_notice(page, f"“Panggil ulang” untuk {hadi['label']}")
    page.clock.run_for(ASK_AGAIN_MS[0])
    expect(notice).to_have_text(
        f"“Panggil ulang” untuk {hadi['label']} tidak sampai ke server: tidak ada yang berubah. Tekan lagi bila perlu.",
        timeout=8000,
    )
    expect(page.locator("#t-calls")).to_contain_text("panggilan 1 dari 3")
    assert events(server, hadi["token"], "recalled") == []


def test_a_finish_done_meanwhile_in_another_tab_is_not_done_twice(page, office):
    """Selesai lost on the network, and lost again when asked (the Wi-Fi still bad); the same officer finishes the
    visitor in another tab meanwhile. Once the page's request goes through it is refused (no visitor at the
    counter): the page says the visitor was finished elsewhere, and the server holds one finish."""
    server = office
    indah = issue(server, "Indah Lestari")
    serve(page, indah)
    fill_answer(page, "Jawaban dari tab ini.")
    dropped = []

    def handle(route):
        dropped.append(route.request.url)
        route.abort("connectionreset")

    page.route("**/api/counters/1/resolve", handle)
    page.click("#btn-resolve")
    held_notice(page, f"“Selesai” untuk {indah['label']}")
    other = server.session("budi", PASSWORD)
    # the page asks again by itself (after 1 s): its second try is lost too
    page.clock.run_for(ASK_AGAIN_MS[0])
    until_on_page(page, lambda: len(dropped) >= 2, "the page's second try")
    notice = page.locator("#notice")
    expect(notice).to_contain_text("belum pasti tercatat")
    r = other.post(f"{server.url}/api/counters/1/resolve", json={"solution": "Jawaban dari tab lain."}, timeout=5)
    assert r.status_code == 200, r.text
    expect(page.locator("#t-label")).to_have_text("—")
    page.unroute("**/api/counters/1/resolve")
    # its next try (2, 4 or 8 s after the last lost one, as many were lost meanwhile) goes through now
    page.clock.run_for(ASK_AGAIN_MS[3])
    expect(notice).to_have_text(f"Tiket {indah['label']} sudah diselesaikan di halaman lain.", timeout=20000)
    expect(page.locator("#kept-solution")).to_have_value("Jawaban dari tab ini.")  # this tab's typing kept
    resolved = events(server, indah["token"], "resolved")
    assert len(resolved) == 1
    assert solution(server, indah["label"]) == "Jawaban dari tab lain."


def held_route(page, action: str, drop: int) -> list:
    """The page's first `drop` requests to `action` are lost on the network; the next one is held on its way (the
    test lets it go on to the server with route.continue_()); those after it go through."""
    seen: list = []
    held: list = []

    def handle(route):
        seen.append(route.request.url)
        if len(seen) <= drop:
            route.abort("connectionreset")
        elif not held:
            held.append(route)
        else:
            route.continue_()

    page.route(f"**/api/counters/1/{action}", handle)
    return held


def finished_elsewhere_and_next_started(server, done: dict, nxt: dict) -> None:
    """Another tab of the same officer finishes `done` and calls and starts `nxt`."""
    other = server.session("budi", PASSWORD)
    r = other.post(f"{server.url}/api/counters/1/resolve", json={"solution": "Jawaban dari tab lain."}, timeout=5)
    assert r.status_code == 200, r.text
    for action in ("call-next", "start"):
        r = other.post(f"{server.url}/api/counters/1/{action}", json={}, timeout=5)
        assert r.status_code == 200, r.text
        assert r.json()["ticket"]["label"] == nxt["label"]


def next_untouched(server, done: dict, nxt: dict) -> None:
    assert events(server, nxt["token"], "resolved") == []
    budi = server.session("budi", PASSWORD)
    now = next(
        t for t in budi.get(f"{server.url}/api/tickets", timeout=5).json()["tickets"] if t["label"] == nxt["label"]
    )
    assert (now["status"], now["counter_id"], now["solution"]) == ("serving", 1, "")
    assert len(events(server, done["token"], "resolved")) == 1
    assert solution(server, done["label"]) == "Jawaban dari tab lain."


def test_a_finish_sent_again_after_the_next_visitor_was_started_elsewhere_leaves_that_one_alone(page, office):
    """Selesai lost on the network; the page sends it again (its picture still the visitor at that step) and that
    request is slow on its way: meanwhile another tab finished the visitor and called and started the next one. The
    request acted on whatever ticket the counter held: the next visitor's consultation was closed with the first one's
    answer. Now it names the ticket pressed for: refused (ticket_changed), the next visitor untouched, and the page says
    the visitor was finished elsewhere, its typing kept (brief h375)."""
    server = office
    kiki, lina = issue(server, "Kiki Amalia"), issue(server, "Lina Marlina")
    serve(page, kiki)
    fill_answer(page, "Jawaban untuk Kiki.")
    held = held_route(page, "resolve", drop=1)
    page.click("#btn-resolve")
    held_notice(page, f"“Selesai” untuk {kiki['label']}")
    page.clock.run_for(ASK_AGAIN_MS[0])
    until_on_page(page, lambda: len(held) == 1, "the page's Selesai sent again")
    resent = held[0].request.post_data_json
    assert resent["solution"] == "Jawaban untuk Kiki."
    finished_elsewhere_and_next_started(server, kiki, lina)
    expect(page.locator("#t-label")).to_have_text(lina["label"])
    held[0].continue_()  # the resend reaches the server now, the counter serving Lina
    notice = page.locator("#notice")
    expect(notice).to_have_text(f"Tiket {kiki['label']} sudah diselesaikan di halaman lain.", timeout=10000)
    expect(page.locator("#kept-solution")).to_have_value("Jawaban untuk Kiki.")
    expect(page.locator("#t-label")).to_have_text(lina["label"])
    keep_shot(page, "resend-refused.png")
    next_untouched(server, kiki, lina)


def test_a_finish_slow_on_its_way_while_the_next_visitor_was_started_elsewhere_leaves_that_one_alone(page, office):
    """The press itself slow on its way (no resend): the other tab's finish and the next call reach the page first, and
    the page took the visitor's leaving for its own press. The server refuses it; the page says the visitor was finished
    elsewhere and keeps what was typed, instead of the server's refusal alone with the typing gone."""
    server = office
    mega, nina = issue(server, "Mega Sari"), issue(server, "Nina Kurnia")
    serve(page, mega)
    fill_answer(page, "Jawaban untuk Mega.")
    held = held_route(page, "resolve", drop=0)
    page.click("#btn-resolve")
    until_on_page(page, lambda: len(held) == 1, "the page's Selesai on its way")
    assert held[0].request.post_data_json["solution"] == "Jawaban untuk Mega."
    finished_elsewhere_and_next_started(server, mega, nina)
    expect(page.locator("#t-label")).to_have_text(nina["label"])
    held[0].continue_()
    expect(page.locator("#notice")).to_have_text(f"Tiket {mega['label']} sudah diselesaikan di halaman lain.")
    expect(page.locator("#kept-solution")).to_have_value("Jawaban untuk Mega.")
    expect(page.locator("#solution")).to_have_value("")  # Nina's answer box: not Mega's text
    next_untouched(server, mega, nina)
