"""The counter's press whose answer was lost (brief h358), on a real server killed with SIGKILL right after the press's
commit, and a Chromium page that stays open.

Found by a power-cut walk (tests/test_power_cut.py): an officer presses "Panggil berikutnya"; the request reaches the
server and is done (the visitor called, the TV says it), but its answer is lost: the server is killed right after its
commit, or the network cut. Live again, the page said "Tindakan terakhir tidak sampai ke server" while it showed the
visitor that press called: the officer pressed again (a second visitor called) or distrusted the page. Now the page
finds out what became of its last unanswered press and says the truth: done ("Panggilan A-001 sudah sampai ke
server"), for Panggil berikutnya, Panggil ulang and Pengunjung datang (the ticket's history) and for Selesai, Lewati and
Alihkan (the same request sent again: the server's remembered answer), Selesai's visitor's form copy offered; or not
done, in the words it had.

Here the press's request goes to the server (Playwright's route.fetch: the server answers, so it committed), the server
is killed before the page gets the answer (the route aborted), and it starts again on the same database and port.
"""

from __future__ import annotations

import re

import pytest
import requests
from conftest import until_on_page, write_config
from live import LiveServer
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import PASSWORD, counter_page, empty_queue, issue, staffed

UNSENT = "Tersambung kembali. Tindakan terakhir tidak sampai ke server: periksa keadaannya, lalu ulangi bila perlu."


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    server = staffed(LiveServer(write_config(tmp_path_factory.mktemp("lost-answer"))).start())
    yield server
    server.stop()


@pytest.fixture
def page(browser, office):
    empty_queue(office)
    with counter_page(browser, office, routed=True) as page:  # the routes below in effect at once
        yield page


def power_cut_after(page, server, action: str, press, reach: bool = True) -> None:
    """`press` on the page; its request to `action` goes to the server (when `reach`: it is done and committed, the
    server's answer in hand), then the server is killed (SIGKILL) and the page's request fails without an answer.
    The server then starts again on the same database and port, and the page is live again.

    Every request to `action` until then is cut: the press's committed change reaches the page live before the kill
    can (its event goes out before the answer), and the page asks the server again at once with the same request_id
    (counter.js settleSeen). That second request, let through, was answered by the server still up (CI, stop 61:
    Alihkan said done, never "belum pasti")."""
    cut = []

    def handle(route):
        if cut:  # the page asking again, the server killed or being killed: its answer lost as well
            route.abort("connectionreset")
            return
        cut.append(route.request.url)
        if reach:
            answer = route.fetch()
            assert answer.status == 200, answer.text()
        server.kill()
        route.abort("connectionreset")

    pattern = f"**/api/counters/1/{action}"
    page.route(pattern, handle)
    press()
    until_on_page(page, lambda: cut, f"the page's {action}")
    expect(page.locator("#notice")).to_contain_text(
        "belum pasti tercatat: jawaban server tidak sampai (jaringan).", timeout=15000
    )
    expect(page.locator("#live-status")).to_have_attribute("data-state", "off")
    page.unroute(pattern, handle)
    server.start()
    expect(page.locator("#live-status")).to_have_attribute("data-state", "on", timeout=20000)


def events(server, token: str, type_: str) -> list[dict]:
    budi = server.session("budi", PASSWORD)
    history = budi.get(f"{server.url}/api/tickets/{token}/history", timeout=5).json()["events"]
    return [e for e in history if e["type"] == type_]


def test_a_call_done_whose_answer_was_lost_is_said_done_once_back(page, office):
    server = office
    ani, bayu = issue(server, "Ani Wijaya"), issue(server, "Bayu Pratama")
    expect(page.locator("#btn-call-next")).to_be_enabled()
    power_cut_after(page, server, "call-next", lambda: page.click("#btn-call-next"))

    notice = page.locator("#notice")
    expect(notice).to_have_text(
        f"Tersambung kembali. Panggilan {ani['label']} sudah sampai ke server: {ani['label']} dipanggil di loket ini, "
        "tidak perlu menekan lagi.",
        timeout=15000,
    )
    expect(notice).to_have_attribute("data-kind", "info")
    keep_shot(page, "call-next-done.png")
    expect(page.locator("#t-label")).to_have_text(ani["label"])
    expect(page.locator("#t-status")).to_have_text("dipanggil")
    expect(page.locator("#btn-start")).to_be_enabled()  # the officer's next step: the visitor sits down
    # one visitor called, once; the next one still waits
    assert len(events(server, ani["token"], "called")) == 1
    state = requests.get(f"{server.url}/api/state", timeout=5).json()
    assert [(c["id"], c["ticket"] and c["ticket"]["label"]) for c in state["counters"]][0] == (1, ani["label"])
    assert events(server, bayu["token"], "called") == []
    page.click("#lang-toggle")
    expect(notice).to_have_text(
        f"Connected again. The call of {ani['label']} did reach the server: {ani['label']} is called at this counter, "
        "no need to press again."
    )
    page.click("#lang-toggle")

    # Panggil ulang, its answer lost the same way: said done, "panggilan 2 dari 3"
    power_cut_after(page, server, "recall", lambda: page.click("#btn-recall"))
    expect(notice).to_have_text(
        f"Tersambung kembali. Panggilan ulang {ani['label']} sudah sampai ke server (2 dari 3), tidak perlu menekan lagi.",
        timeout=15000,
    )
    expect(page.locator("#t-calls")).to_contain_text("panggilan 2 dari 3")
    assert len(events(server, ani["token"], "recalled")) == 1
    keep_shot(page, "recall-done.png")

    # Pengunjung datang, the same: said done, the answer's field open
    power_cut_after(page, server, "start", lambda: page.click("#btn-start"))
    expect(notice).to_have_text(
        f"Tersambung kembali. Mulai pelayanan {ani['label']} (Pengunjung datang) sudah sampai ke server: "
        f"{ani['label']} sedang dilayani, tidak perlu menekan lagi.",
        timeout=15000,
    )
    expect(page.locator("#solution")).to_be_enabled()
    assert len(events(server, ani["token"], "started")) == 1


def test_a_call_whose_answer_the_network_lost_is_said_done_without_a_reconnect(page, office):
    """The server up, only the answer lost on the network (the page's connection never dropped)."""
    server = office
    gita = issue(server, "Gita Permata")
    lost = []

    def handle(route):
        lost.append(route.fetch().status)
        route.abort("connectionreset")

    page.route("**/api/counters/1/call-next", handle, times=1)
    page.click("#btn-call-next")
    # asked again with its request_id once the answer is lost, or once the live event shows the visitor called here
    # while the answer is still on its way (the same request's first answer either way): both words are true
    label = re.escape(gita["label"])
    expect(page.locator("#notice")).to_have_text(
        re.compile(
            rf"^(Panggilan {label} sudah sampai ke server: {label} dipanggil di loket ini, tidak perlu menekan lagi\.|"
            rf"{label} dipanggil\.)$"
        )
    )
    until_on_page(page, lambda: lost, "the call's answer fetched")
    assert lost == [200]
    expect(page.locator("#t-label")).to_have_text(gita["label"])
    assert len(events(server, gita["token"], "called")) == 1


def test_a_call_that_never_reached_the_server_is_said_not_done(page, office):
    server = office
    citra = issue(server, "Citra Lestari")
    expect(page.locator("#btn-call-next")).to_be_enabled()
    power_cut_after(page, server, "call-next", lambda: page.click("#btn-call-next"), reach=False)
    expect(page.locator("#notice")).to_have_text(UNSENT, timeout=15000)
    expect(page.locator("#t-label")).to_have_text("—")  # nobody called: the counter is empty
    expect(page.locator("#btn-call-next")).to_be_enabled()  # its press to be made again
    assert events(server, citra["token"], "called") == []
    assert requests.get(f"{server.url}/api/state", timeout=5).json()["counters"][0]["ticket"] is None


REACHED = "Tersambung kembali. Tindakan terakhir sudah sampai ke server: "


def call_and_serve(page, ticket: dict) -> None:
    page.click("#btn-call-next")
    expect(page.locator("#t-label")).to_have_text(ticket["label"])
    page.click("#btn-start")
    expect(page.locator("#solution")).to_be_enabled()


def test_a_finish_done_whose_answer_was_lost_is_said_done_once_back(page, office):
    server = office
    dewi = issue(server, "Dewi Anggraini")
    call_and_serve(page, dewi)
    page.fill("#solution", "Kata sandi direset lewat menu Pengguna.")
    page.select_option("#category", index=1)
    page.locator("input[name=priority_class]").first.check()
    power_cut_after(page, server, "resolve", lambda: page.click("#btn-resolve"))
    expect(page.locator("#notice")).to_have_text(f"{REACHED}{dewi['label']} selesai.", timeout=15000)
    expect(page.locator("#btn-print-form")).to_contain_text(dewi["label"])  # that visitor's form copy offered
    keep_shot(page, "resolve-done.png")
    assert len(events(server, dewi["token"], "resolved")) == 1
    page.click("#lang-toggle")
    expect(page.locator("#notice")).to_have_text(
        f"Connected again. The last action did reach the server: {dewi['label']} resolved."
    )


def test_a_skip_and_a_transfer_done_whose_answers_were_lost_are_said_done_once_back(page, office):
    server = office
    eko, fajar = issue(server, "Eko Saputra"), issue(server, "Fajar Nugroho")
    page.click("#btn-call-next")
    expect(page.locator("#t-label")).to_have_text(eko["label"])
    for n in (2, 3):  # Lewati once the visitor was called three times
        page.click("#btn-recall")
        expect(page.locator("#t-calls")).to_contain_text(f"panggilan {n} dari 3")
    power_cut_after(page, server, "skip", lambda: page.click("#btn-skip"))
    expect(page.locator("#notice")).to_have_text(
        f"{REACHED}{eko['label']} dilewati; dipanggil lagi setelah pengunjung berikutnya.", timeout=15000
    )
    assert len(events(server, eko["token"], "skipped")) == 1

    call_and_serve(page, fajar)
    page.fill("#solution", "Perlu verifikasi akun.")
    page.select_option("#transfer-service", "C")
    power_cut_after(page, server, "transfer", lambda: page.click("#btn-transfer"))
    expect(page.locator("#notice")).to_have_text(
        f"{REACHED}{fajar['label']} dialihkan ke layanan Registrasi & Verifikasi Akun.", timeout=15000
    )
    assert len(events(server, fajar["token"], "transferred")) == 1
