"""A call of the counter page (Panggil berikutnya, Panggil) settled from what the page sees live, on a real server and
a Chromium page.

The call reached the server and was done (the TV said it, the page's live event showed the visitor called at its
counter), and its answer was held on the network: the page kept its buttons off ("Pengunjung datang" too) until the
answer came or its 15 s were up. Now, as soon as the live state shows a visitor called at the counter, the page asks
the server with the same request_id: its first answer when it was this press ("A-001 dipanggil."), at once. Another
tab of the same officer (or an admin) calling while this press was still on its way reads the same live event; the
history's "called by budi at Loket 1" took it for this press ("Panggilan A-001 sudah sampai ke server"). The server
now tells them apart: a call carries `holding` (the ticket the counter held when pressed, null: none) and is refused,
409 counter_changed, once the counter holds another; so the page says "sudah dipanggil di halaman lain" and its own
request, still on its way, calls nobody when it comes. Under max_calls = 1 a call sent again used to skip the visitor
the other tab had just called and call the next one.

The answers are held with Playwright routing (the Socket.IO connection untouched), and the page's clock is paused once
it is live: nothing is settled by the answer's 15 s.
"""

from __future__ import annotations

import pytest
from conftest import hold_first, until_on_page, write_config
from live import LiveServer
from pageclock import PING_NUMBERS, run_clock_for
from playwright.sync_api import expect
from staffpages import PASSWORD, empty_queue, issue, paused_counter_page, put_settings, settings_kept, staffed

SOON = 2_000  # ms: the page settles on the live state within this, not at the answer's 15 s


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    config = write_config(tmp_path_factory.mktemp("call-settled"))
    server = staffed(LiveServer(config, numbers=PING_NUMBERS).start())  # pings every quarter second: the clock moved on
    yield server
    server.stop()


@pytest.fixture
def page(browser, office):
    """budi's counter page at Loket 1, 1366x768, its clock paused once it is live; its requests routed from the start
    (the routes the tests add are in effect for the next request)."""
    with paused_counter_page(browser, office) as page:
        yield page


@pytest.fixture
def one_call(office):
    """[queue] max_calls = 1 for the test, put back after it."""
    admin = office.session("kepala", PASSWORD)
    with settings_kept(office, admin):
        put_settings(office, admin, "queue", {"max_calls": 1})
        yield


@pytest.fixture(params=[3, 1], ids=["max_calls_3", "max_calls_1"])
def max_calls(request, office):
    """[queue] max_calls for the test (the config's 3, or 1), set before the page opens; put back after it."""
    if request.param == 1:
        request.getfixturevalue("one_call")
    return request.param


def events(server, token: str, type_: str) -> list[dict]:
    budi = server.session("budi", PASSWORD)
    history = budi.get(f"{server.url}/api/tickets/{token}/history", timeout=5).json()["events"]
    return [e for e in history if e["type"] == type_]


def ticket(server, label: str) -> dict:
    budi = server.session("budi", PASSWORD)
    return next(t for t in budi.get(f"{server.url}/api/tickets", timeout=5).json()["tickets"] if t["label"] == label)


def on_its_way(page, action: str) -> list:
    """The page's first request to `action` kept on its way (not sent) for the test to send later (`continue_()`);
    the requests after it go through. The route takes its place in the list before anything else."""
    sent: list = []

    def route(r):
        sent.append(r)
        if len(sent) > 1:
            r.continue_()

    page.route(f"**/api/counters/1/{action}", route)
    return sent


def test_a_call_next_whose_answer_is_slow_is_settled_when_the_call_shows(page, office):
    server = office
    ani, bayu = issue(server, "Ani Wijaya"), issue(server, "Bayu Pratama")
    held = hold_first(page, "**/api/counters/1/call-next")  # done on the server; its answer held
    page.click("#btn-call-next")
    expect(page.locator("#t-label")).to_have_text(ani["label"])  # the live event: Ani called here
    notice = page.locator("#notice")
    # settled then, the page's clock not moved (the answer's 15 s never come): said as its answer says it
    expect(notice).to_have_text(f"{ani['label']} dipanggil.", timeout=SOON)
    expect(notice).to_have_attribute("data-kind", "info")
    expect(page.locator("#btn-start")).to_be_enabled(timeout=SOON)  # the officer's next step: the visitor sits down
    assert [answer.status for _, answer in held] == [200]
    route, answer = held[0]
    route.fulfill(response=answer)  # the late answer: nothing more to say
    run_clock_for(page, 1_000)
    expect(notice).to_have_text(f"{ani['label']} dipanggil.")
    page.click("#btn-start")  # and the page goes on as after any call
    expect(page.locator("#solution")).to_be_enabled()
    # asked again with its request_id: called once, the next visitor still waiting
    assert len(events(server, ani["token"], "called")) == 1
    assert events(server, bayu["token"], "called") == []


def test_a_call_out_of_turn_whose_answer_is_slow_is_settled_when_the_call_shows(page, office):
    server = office
    citra, dodi = issue(server, "Citra Lestari"), issue(server, "Dodi Kurniawan")
    held = hold_first(page, "**/api/counters/1/call")
    page.locator(f"#line li[data-label='{dodi['label']}'] button.call").click()
    expect(page.locator("#t-label")).to_have_text(dodi["label"])
    notice = page.locator("#notice")
    expect(notice).to_have_text(f"{dodi['label']} dipanggil (di luar urutan).", timeout=SOON)
    expect(page.locator("#btn-start")).to_be_enabled(timeout=SOON)
    assert [answer.status for _, answer in held] == [200]
    assert len(events(server, dodi["token"], "called")) == 1
    assert events(server, citra["token"], "called") == []


def test_another_tabs_call_while_this_ones_is_on_its_way_is_said_called_there(max_calls, page, office):
    """N slow on its way to the server (not there yet), the same officer calling in another tab: the live event is the
    same as this press's would be. The page asks with the same request_id: refused (the counter holds a visitor it did
    not hold when N was pressed), said called in the other tab, not as this press; its request, when it comes, calls
    nobody. Under max_calls = 1 the visitor called there has had all its calls: the question skipped that one and
    called the next."""
    server = office
    eka, fajar = issue(server, "Eka Putri"), issue(server, "Fajar Nugroho")
    expect(page.locator("#btn-call-next")).to_be_enabled()
    sent = on_its_way(page, "call-next")
    page.click("#btn-call-next")
    other = server.session("budi", PASSWORD)  # budi's other tab
    r = other.post(f"{server.url}/api/counters/1/call-next", json={}, timeout=5)
    assert r.status_code == 200 and r.json()["ticket"]["label"] == eka["label"], r.text
    expect(page.locator("#t-label")).to_have_text(eka["label"])
    notice = page.locator("#notice")
    said = f"{eka['label']} sudah dipanggil di halaman lain: “Panggil berikutnya” di halaman ini tidak dijalankan."
    expect(notice).to_have_text(said, timeout=SOON)
    expect(notice).to_have_attribute("data-kind", "warn")
    expect(page.locator("#btn-start")).to_be_enabled(timeout=SOON)
    until_on_page(page, lambda: len(sent) >= 2, "this press and its question held")
    assert len(sent) == 2
    if max_calls == 3:
        page.click("#lang-toggle")
        expect(notice).to_have_text(
            f"{eka['label']} was called on another page: “Call next” on this page was not done."
        )
        page.click("#lang-toggle")
    sent[0].continue_()  # the press reaches the server now: refused too (counter_changed), nothing said over the words
    run_clock_for(page, 1_000)
    expect(notice).to_have_text(said)
    expect(page.locator("#t-label")).to_have_text(eka["label"])
    assert ticket(server, eka["label"])["status"] == "called"
    assert len(events(server, eka["token"], "called")) == 1
    assert events(server, eka["token"], "skipped") + events(server, eka["token"], "no_show") == []
    assert events(server, fajar["token"], "called") == []  # nobody else called by this press
    assert ticket(server, fajar["label"])["status"] == "waiting"


def test_another_tabs_call_while_this_ones_answer_was_lost_is_not_taken_for_this_press(page, office):
    """N lost on the network before it reached the server ("belum pasti tercatat"), then the same officer calls in
    another tab: the history's `called` by budi at Loket 1 after the press read as this press ("Panggilan A-001 sudah
    sampai ke server"). Asked with its request_id, the server refuses it: said called in the other tab."""
    server = office
    gita, hadi = issue(server, "Gita Permata"), issue(server, "Hadi Santoso")
    page.route("**/api/counters/1/call-next", lambda r: r.abort("connectionreset"), times=1)
    page.click("#btn-call-next")
    notice = page.locator("#notice")
    expect(notice).to_contain_text("belum pasti tercatat: jawaban server tidak sampai (jaringan).")
    other = server.session("budi", PASSWORD)
    r = other.post(f"{server.url}/api/counters/1/call-next", json={}, timeout=5)
    assert r.status_code == 200 and r.json()["ticket"]["label"] == gita["label"], r.text
    expect(page.locator("#t-label")).to_have_text(gita["label"])
    expect(notice).to_have_text(
        f"{gita['label']} sudah dipanggil di halaman lain: “Panggil berikutnya” di halaman ini tidak dijalankan."
    )
    assert len(events(server, gita["token"], "called")) == 1
    assert events(server, hadi["token"], "called") == []


def test_a_call_says_what_the_counter_held_when_pressed_and_is_refused_once_it_holds_another(office, one_call):
    """The API: `holding` on call-next and call. Under max_calls = 1 the counter's called visitor has had all its
    calls, and call-next skips it: a call pressed while the counter held none is refused once it holds one (409
    counter_changed, nobody skipped or called); one pressed for that visitor skips it as before. A repeat of a done
    request_id still answers its first answer."""
    server = office
    empty_queue(server)
    budi = server.session("budi", PASSWORD)
    url = f"{server.url}/api/counters/1"
    ika, joko, kiki = issue(server, "Ika"), issue(server, "Joko"), issue(server, "Kiki")
    first = budi.post(f"{url}/call-next", json={"holding": None, "request_id": "first-call"}, timeout=5)
    assert first.status_code == 200 and first.json()["ticket"]["label"] == ika["label"], first.text

    for action, extra in (("call-next", {}), ("call", {"ticket": kiki["label"]})):
        r = budi.post(f"{url}/{action}", json={"holding": None, **extra}, timeout=5)
        assert r.status_code == 409 and r.json()["error"] == "counter_changed", (action, r.text)
        assert r.json()["message"] == (
            f"Loket kini memanggil {ika['label']}, tidak seperti saat tombol ditekan: panggilan ini tidak dijalankan. "
            "Tidak ada yang diubah."
        )
    assert ticket(server, ika["label"])["status"] == "called"
    assert [ticket(server, x["label"])["status"] for x in (joko, kiki)] == ["waiting", "waiting"]
    assert events(server, ika["token"], "skipped") == []

    # the first call sent again with its request_id: its first answer, though the counter holds Ika now
    again = budi.post(f"{url}/call-next", json={"holding": None, "request_id": "first-call"}, timeout=5)
    assert again.status_code == 200 and again.json()["ticket"]["label"] == ika["label"], again.text
    assert again.json()["seq"] == first.json()["seq"]

    for bad in ("1", True, 0, -3):
        r = budi.post(f"{url}/call-next", json={"holding": bad}, timeout=5)
        assert r.status_code == 422 and "holding" in r.json()["fields"], (bad, r.text)

    # pressed for Ika (all her calls made): skipped, and Joko called
    r = budi.post(f"{url}/call-next", json={"holding": first.json()["ticket"]["id"]}, timeout=5)
    assert r.status_code == 200, r.text
    assert (r.json()["skipped"]["label"], r.json()["ticket"]["label"]) == (ika["label"], joko["label"])
    # without `holding`, as before
    r = budi.post(f"{url}/call", json={"ticket": kiki["label"]}, timeout=5)
    assert r.status_code == 200 and r.json()["ticket"]["label"] == kiki["label"], r.text


def test_the_answer_typed_at_once_after_d_is_kept_while_the_start_is_on_its_way(page, office):
    """D, then the answer typed at once and Ctrl+Enter, the start's request still on its way: the letters came while
    the answer's box was still off, and each was a key of the page (I paused the counter, P printed the last visitor's
    form copy, N was kept to call the next), none in the answer. Now they wait for the start and go in the answer,
    and Ctrl+Enter finishes the visitor with it once served; a second D before any letter is the same press."""
    server = office
    eka = issue(server, "Eka Saputra")
    page.click("#btn-call-next")
    expect(page.locator("#t-label")).to_have_text(eka["label"])
    expect(page.locator("#btn-start")).to_be_enabled()
    sent = on_its_way(page, "start")
    prints: list = []
    page.on("request", lambda r: prints.append(r.url) if r.url.endswith("/print-form") else None)
    page.keyboard.press("d")
    page.wait_for_function("() => document.querySelector('#btn-start').disabled")  # the start on its way
    until_on_page(page, lambda: sent, "the request held on its way")
    assert len(sent) == 1
    page.keyboard.press("d")  # pressed twice: not a letter of the answer
    answer = "Dijelaskan: isi NPWP, lalu klik Simpan pada menu Pokja."
    page.keyboard.type(answer + "x")
    page.keyboard.press("Backspace")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#solution")).to_be_disabled()  # nothing typed in it yet: the visitor is not served yet
    sent[0].continue_()
    expect(page.locator("#notice")).to_have_text(f"{eka['label']} selesai.")
    done = ticket(server, eka["label"])
    assert (done["status"], done["solution"]) == ("resolved", answer)
    counter = server.session("budi", PASSWORD).get(f"{server.url}/api/state", timeout=5).json()["counters"]
    assert not next(c for c in counter if c["id"] == 1).get("paused")  # "i" paused nothing
    assert prints == []  # "p" asked for no form copy (the last visitor's)


def test_the_answer_typed_and_finished_while_the_call_is_on_its_way_is_served_once_with_it(page, office):
    """A keyboard morning, the counter chosen in the top bar's drop-down (the cursor stays on it): N, D, the answer
    typed at once, Ctrl+Enter and N, the call still on its way. The answer's first space opened the drop-down, which
    took the rest of the answer and Ctrl+Enter; and Ctrl+Enter, pressed while the call was on its way, took the queued
    start's place: the visitor was left called, the answer dropped, nothing said. Now the visitor is served, finished
    with the whole answer, and the next one called, each once; the counter stays the one chosen."""
    server = office
    eka, fajar, gita = issue(server, "Eka Lestari"), issue(server, "Fajar Hidayat"), issue(server, "Gita Ayu")
    page.focus("#counter-select")  # chosen there with the arrow keys: the cursor is on it
    sent = on_its_way(page, "call-next")
    page.keyboard.press("n")
    page.wait_for_function("() => document.querySelector('#btn-call-next').disabled")  # the call on its way
    until_on_page(page, lambda: sent, "the request held on its way")
    assert len(sent) == 1
    page.keyboard.press("d")
    answer = "Dijelaskan: isi NPWP lalu klik Simpan."
    page.keyboard.type(answer)
    page.keyboard.press("Control+Enter")
    page.keyboard.press("n")  # the next visitor, once this one is done
    sent[0].continue_()
    expect(page.locator("#t-label")).to_have_text(fajar["label"])
    expect(page.locator("#notice")).to_have_text(f"{fajar['label']} dipanggil.", timeout=SOON)
    done = ticket(server, eka["label"])
    assert (done["status"], done["solution"]) == ("resolved", answer)
    assert ticket(server, fajar["label"])["status"] == "called"
    assert len(events(server, fajar["token"], "called")) == 1
    assert ticket(server, gita["label"])["status"] == "waiting"
    assert page.locator("#counter-select").input_value() == "1"


def test_n_pressed_after_ctrl_enter_while_the_start_is_on_its_way_calls_the_next_not_a_letter(page, office):
    """D, the answer typed at once, Ctrl+Enter, then N for the next visitor, the start still on its way: the N was the
    answer's last letter ("… Simpan.n" saved as the visitor's answer), and nobody was called. Now the answer is as
    typed and N calls the next visitor once the first is finished; a letter after Ctrl+Enter is no key (I, P).
    The same with the answer typed in its box, Selesai on its way: the N was an "n" typed after the answer sent (the
    page leaves the box once the answer comes), and nobody was called. Now it calls the next visitor after it."""
    server = office
    hadi, ika, joko = issue(server, "Hadi Santoso"), issue(server, "Ika Rahma"), issue(server, "Joko Susilo")
    page.click("#btn-call-next")
    expect(page.locator("#t-label")).to_have_text(hadi["label"])
    expect(page.locator("#btn-start")).to_be_enabled()
    sent = on_its_way(page, "start")
    page.keyboard.press("d")
    page.wait_for_function("() => document.querySelector('#btn-start').disabled")  # the start on its way
    answer = "Akun dibuka kembali, lalu klik Simpan."
    page.keyboard.type(answer)
    page.keyboard.press("Control+Enter")
    page.keyboard.press("i")  # neither a letter of the answer nor Istirahat
    page.keyboard.press("n")
    until_on_page(page, lambda: sent, "the request held on its way")
    assert len(sent) == 1
    sent[0].continue_()
    expect(page.locator("#t-label")).to_have_text(ika["label"])
    expect(page.locator("#notice")).to_have_text(f"{ika['label']} dipanggil.", timeout=SOON)
    done = ticket(server, hadi["label"])
    assert (done["status"], done["solution"]) == ("resolved", answer)
    assert len(events(server, ika["token"], "called")) == 1
    counter = server.session("budi", PASSWORD).get(f"{server.url}/api/state", timeout=5).json()["counters"]
    assert not next(c for c in counter if c["id"] == 1).get("paused")

    page.click("#btn-start")
    page.fill("#solution", "Dijelaskan.")  # the cursor in the answer's box
    finish = on_its_way(page, "resolve")
    page.keyboard.press("Control+Enter")
    until_on_page(page, lambda: finish, "the finish held on its way")
    page.keyboard.press("i")
    page.keyboard.press("n")  # the next visitor, Selesai still on its way
    assert page.locator("#solution").input_value() == "Dijelaskan."
    finish[0].continue_()
    expect(page.locator("#t-label")).to_have_text(joko["label"])
    expect(page.locator("#notice")).to_have_text(f"{joko['label']} dipanggil.", timeout=SOON)
    done = ticket(server, ika["label"])
    assert (done["status"], done["solution"]) == ("resolved", "Dijelaskan.")


def test_d_pressed_while_the_form_copy_is_on_its_way_serves_the_visitor_after_it(page, office):
    """Alt+P for the last visitor's form copy, then D for the visitor now called, the copy's request still on its way:
    the D was kept for after an action that never came, so it did nothing, the answer typed after it went nowhere (each
    letter kept for it, no key working), and the next press (R) served the visitor unasked. Now D serves the visitor
    once the copy's answer is in, and the answer typed meanwhile is in its box."""
    server = office
    joko, kiki = issue(server, "Joko Susilo"), issue(server, "Kiki Amalia")
    page.click("#btn-call-next")
    expect(page.locator("#btn-start")).to_be_enabled()
    page.click("#btn-start")
    page.fill("#solution", "Dijelaskan.")
    page.click("#btn-resolve")
    expect(page.locator("#notice")).to_have_text(f"{joko['label']} selesai.")
    page.click("#btn-call-next")
    expect(page.locator("#t-label")).to_have_text(kiki["label"])
    expect(page.locator("#btn-start")).to_be_enabled()
    copies: list = []
    page.route("**/api/tickets/*/print-form", lambda r: copies.append(r))
    page.keyboard.press("Alt+p")
    page.wait_for_function("() => document.querySelector('#btn-start').disabled")  # the copy on its way
    page.keyboard.press("d")
    page.keyboard.type("Reset")
    assert len(copies) == 1
    copies[0].continue_()
    expect(page.locator("#solution")).to_have_value("Reset", timeout=SOON)
    expect(page.locator("#solution")).to_be_focused()
    assert ticket(server, kiki["label"])["status"] == "serving"
    assert events(server, kiki["token"], "recalled") == []
