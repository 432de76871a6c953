"""The officer typed the answer online, then more while the network was down (the page's red bar). Back online, the
socket live again, the server still had the old draft: a save that failed offline went again only at the next key or
when the page was hidden, so a counter PC dying right then lost the text typed offline (the PC beside opened the old
one). Now a failed or pending save goes again once the page is live (its reconnect's snapshot), once, by the draft
versions' rules (a draft saved elsewhere meanwhile: both texts shown, this page's kept on the server too). And the
escalation's analysis, whose 4,000 characters were as silent as the answer's had been, says its length as the answer
does. Real server process, real SQLite, Chromium offline (context.set_offline) with its socket closed under it."""

from __future__ import annotations

import pytest
from conftest import write_config
from live import LiveServer
from playwright.sync_api import expect
from staffpages import PASSWORD, empty_queue, issue, open_counter, resize, staffed
from test_counter_draft_live import draft_url, server_draft

ONLINE = "Akun penyedia dikunci: dibuka lewat menu Pengguna."
OFFLINE = ONLINE + " Diketik saat jaringan putus: kata sandi baru dikirim ke e-mail terdaftar."
BESIDE = "Disimpan dari PC sebelah saat halaman ini terputus."


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    server = staffed(LiveServer(write_config(tmp_path_factory.mktemp("counter-draft-reconnect"))).start())
    yield server
    server.stop()


def is_save(request) -> bool:
    return request.url.endswith("/api/counters/1/draft") and request.method == "POST"


def is_ask(response) -> bool:
    return response.url.endswith("/api/counters/1/draft") and response.request.method == "GET"


def serving_page(browser, office):
    page = open_counter(browser, office)
    page.click("#btn-call-next")
    expect(page.locator("#btn-start")).to_be_enabled()
    page.click("#btn-start")
    expect(page.locator("#solution")).to_be_enabled()
    return page.context, page


def saved_online(page, text: str) -> None:
    with page.expect_response(lambda r: is_save(r.request)) as answer:
        page.fill("#solution", text)
    assert answer.value.status == 200, answer.value.text()


def go_offline(page) -> None:
    """The network gone: Chromium offline, and the socket closed under the page (Chromium's offline mode does not stop
    a new WebSocket: socket.io would be live again at its first retry)."""
    page.context.set_offline(True)
    page.evaluate("antrianCounter.live.socket.disconnect()")
    expect(page.locator("#offline-bar")).to_be_visible()


def type_offline(page, text: str) -> None:
    """Typed offline: the save after the pause is tried, and fails on the way."""
    with page.expect_event("requestfailed", lambda r: is_save(r), timeout=10000):
        page.fill("#solution", text)


def come_back(page) -> None:
    page.context.set_offline(False)
    page.evaluate("antrianCounter.live.socket.connect()")
    expect(page.locator("#offline-bar")).to_be_hidden()


def test_text_typed_offline_reaches_the_server_once_the_page_is_live_without_another_key(browser, office):
    empty_queue(office)
    issue(office, "Ani")
    budi = office.session("budi", PASSWORD)
    context, page = serving_page(browser, office)
    try:
        saved_online(page, ONLINE)
        go_offline(page)
        type_offline(page, OFFLINE)
        saves: list[str] = []
        page.on("request", lambda r: saves.append(r.post_data or "") if is_save(r) else None)
        come_back(page)
        # no key pressed: the save that failed goes again, and the server has what was typed offline
        body = server_draft(budi, office, lambda b: b["draft"] and b["draft"]["solution"] == OFFLINE)
        assert body["draft"] and body["draft"]["solution"] == OFFLINE, body
        expect(page.locator("#solution")).to_have_value(OFFLINE)
        # its own older draft is no "draft saved elsewhere": nothing shown beside the form
        expect(page.locator("#kept-draft")).to_be_hidden()
        assert len(saves) == 1, saves
        # live again with nothing new typed: no save (a reconnect sends only what the server lacks)
        go_offline(page)
        with page.expect_response(is_ask) as asked:
            come_back(page)
        assert asked.value.status == 200
        expect(page.locator("#solution")).to_have_value(OFFLINE)
        assert len(saves) == 1, saves
        assert budi.get(draft_url(office), timeout=5).json()["draft"]["solution"] == OFFLINE
    finally:
        context.close()


def test_a_draft_saved_elsewhere_meanwhile_is_shown_and_the_offline_text_kept_too(browser, office):
    empty_queue(office)
    dewi = issue(office, "Dewi")
    budi = office.session("budi", PASSWORD)
    context, page = serving_page(browser, office)
    try:
        saved_online(page, ONLINE)
        go_offline(page)
        type_offline(page, OFFLINE)
        # meanwhile the officer's other PC saves its own text, based on the draft it read
        answer = budi.get(draft_url(office), timeout=5).json()
        beside = office.session("budi", PASSWORD)
        r = beside.post(
            draft_url(office),
            json={"ticket_id": answer["draft"]["ticket_id"], "solution": BESIDE, "version": answer["version"]},
            timeout=5,
        )
        assert r.status_code == 200, r.text
        come_back(page)
        # the page's text stays, the other one shown below it; the offline text is kept on the server
        expect(page.locator("#kept-draft")).to_be_visible()
        expect(page.locator("#kept-note")).to_contain_text(f"Draf {dewi['label']} yang tersimpan di server")
        expect(page.locator("#kept-solution")).to_have_value(BESIDE)
        expect(page.locator("#solution")).to_have_value(OFFLINE)
        body = server_draft(budi, office, lambda b: b["draft"] and b["draft"]["solution"] == OFFLINE)
        assert body["draft"] and body["draft"]["solution"] == OFFLINE, body
        expect(page.locator("#kept-solution")).to_have_value(BESIDE)
    finally:
        context.close()


# ---- the escalation's analysis: its length said as the answer's is ---------------------------------------------
STEP = "Langkah: buka menu Lupa Kata Sandi, masukkan e-mail terdaftar di SPSE, lalu ikuti tautan yang dikirim. "
LAPTOPS = ({"width": 1366, "height": 768}, {"width": 1024, "height": 768})
PLACES = """() => Object.fromEntries(['btn-escalate', 'btn-resolve', 'btn-transfer', 'note', 'note-count'].map((id) => {
    const e = document.getElementById(id);
    if (!e) return [id, null];
    const r = e.getBoundingClientRect();
    return [id, { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height }];
}))"""


def places(page) -> dict:
    return page.evaluate(PLACES)


def test_the_analysis_says_how_near_it_is_to_its_4000_characters_moving_nothing(browser, office):
    """The escalation's analysis took 4,000 characters and no more, silently (the answer's box said it since
    helper-337): the officer's last words and the end of a pasted log went nowhere. Under the analysis and Eskalasi
    the page now counts from 3,600 characters, says in red when the box is full and when a paste was cut, and
    Eskalasi, Selesai and Alihkan stay where they were, on the screen, at 1366 and 1024 px."""
    empty_queue(office)
    issue(office, "Sri Wahyuni")
    context, page = serving_page(browser, office)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=office.url)
    try:
        count = page.locator("#note-count")
        before = {}
        for size in LAPTOPS:
            resize(page, size)
            before[size["width"]] = places(page)
        page.fill("#note", "Perlu dicek LKPP. ")
        expect(count).to_be_hidden()  # a short analysis is not counted
        page.fill("#note", (STEP * 40)[:3640])
        page.focus("#note")
        page.keyboard.type("Lanjut.")
        expect(count).to_have_text("3.647 / 4.000 karakter")
        expect(count).not_to_have_class("char-count full")
        expect(page.locator("#solution-count")).to_be_hidden()  # the answer's own count says nothing of it

        page.keyboard.type("x" * 400)
        assert page.eval_on_selector("#note", "e => e.value.length") == 4000
        expect(count).to_have_text("4.000 / 4.000 karakter: penuh, ketikan tidak masuk lagi")
        expect(count).to_have_class("char-count full")

        page.fill("#note", "")
        page.evaluate("(text) => navigator.clipboard.writeText(text)", STEP * 50)  # 5,150 characters of a document
        page.keyboard.press("Control+v")
        assert page.eval_on_selector("#note", "e => e.value.length") == 4000
        expect(count).to_have_text("Tempelan terpotong: hanya 4.000 karakter yang masuk")
        expect(count).to_have_class("char-count full")
        for size in LAPTOPS:
            resize(page, size)
            now = places(page)
            for button in ("btn-escalate", "btn-resolve", "btn-transfer", "note"):
                assert now[button] == before[size["width"]][button], (size, button, now[button])
            said, note, eskalasi = now["note-count"], now["note"], now["btn-escalate"]
            # under the analysis and Eskalasi, in their width, two short lines at most, on the screen
            assert note["bottom"] <= said["top"] and eskalasi["bottom"] <= said["top"] + 8, (size, now)
            assert note["left"] - 1 <= said["left"] and said["right"] <= eskalasi["right"] + 1, (size, now)
            assert said["height"] <= eskalasi["height"] and said["bottom"] <= size["height"], (size, now)
            assert page.evaluate("document.scrollingElement.scrollHeight <= innerHeight"), size

        page.keyboard.press("Backspace")  # shortened: the count again, not the cut
        expect(count).to_have_text("3.999 / 4.000 karakter")
        page.click("#lang-toggle")
        expect(count).to_have_text("3,999 / 4,000 characters")
        page.click("#lang-toggle")
        page.click("#btn-escalate")  # escalated with the whole analysis: the next ticket's box is not counted
        expect(page.locator("#notice")).to_contain_text("dieskalasi")
        expect(count).to_be_hidden()
    finally:
        context.close()
