"""The counter page saves what the officer types for the visitor being served on the server (2 s after typing stops,
failed saves again after 2, 4, 8, 16, then every 30 s), and said nothing of it: on a flaky Wi-Fi the officer typed a
long answer, the PC died, and the text was lost, the officer never knowing it was not saved. Now a quiet cue at the
right of the answer's label says it, true at every moment (checked against the server's GET of the draft): "Belum
tersimpan" while typing, "Menyimpan ke server…", "Tersimpan di server 10.42", "Belum tersimpan — dicoba lagi dalam
8 dtk" while a failed save waits; a screen reader hears, politely, a save failing and its text saved again, not each
key; the cue moves nothing at 1024x768 and 1366x768. And a press whose answer never came says which press it is and
that the page finds out by itself, not "Server tidak dapat dihubungi. Periksa jaringan lalu coba lagi.".

A real server process and real SQLite; Chromium, its draft saves failed by Playwright's page.route (503, lost on the
network) or the whole browser offline (context.set_offline, its socket closed under it). The page's clock
(Playwright's page.clock, installed before it loads) is moved past the save's 2 s pause and the retries' waits, not
waited out: stopped (pageclock.pause_clock) where the test reads the cue at every moment; its server never pings
(pageclock.CALM_NUMBERS), so that no heartbeat ends its connection as its clock jumps."""

from __future__ import annotations

import re

import pytest
from conftest import write_config
from live import LiveServer
from pageclock import CALM_NUMBERS, install_clock, pause_clock
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import COUNTER_VIEWPORT, PASSWORD, counter_actions, empty_queue, issue, resize, sign_in, staffed
from test_counter_draft_live import draft_url
from test_counter_draft_reconnect import come_back, go_offline, is_ask, is_save

FIRST = "Akun penyedia dikunci karena salah kata sandi lima kali."
MORE = FIRST + " Dibuka lewat menu Pengguna, kata sandi baru dikirim ke e-mail terdaftar."
OFFLINE = MORE + " Diketik saat Wi-Fi putus: pengguna diminta masuk ulang."
DRAFT = "**/api/counters/1/draft"
FAILED = '{"error": "unavailable", "message": "Service Unavailable"}'
SAVED = re.compile(r"^Tersimpan di server \d\d\.\d\d$")
RETRY = re.compile(r"^Belum tersimpan — dicoba lagi dalam \d+ dtk$")
# counter.js DRAFT_SAVE_MS: the draft's save goes this long after typing stops. The tests move the page's clock on by
# it (page.clock.run_for), not wait it out.
DRAFT_SAVE_MS = 2_000


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    # its pages' clocks are moved on by seconds at a time (the saves' waits): a server that never pings them
    config = write_config(tmp_path_factory.mktemp("counter-draft-cue"))
    server = staffed(LiveServer(config, numbers=CALM_NUMBERS).start())
    yield server
    server.stop()


def serving_page(browser, office, *scripts: str):
    """test_counter_draft_reconnect's page serving the next visitor (budi at counter 1), its clock installed before it
    loaded (pageclock.install_clock; its server must never ping: CALM_NUMBERS), and `scripts` added before it."""
    context = browser.new_context(viewport=COUNTER_VIEWPORT, locale="id-ID")
    try:
        page = context.new_page()
        install_clock(page)
        for script in scripts:
            page.add_init_script(script)
        sign_in(page, office, "/counter/", "budi")
        page.select_option("#counter-select", "1")
        press(page, "#btn-call-next")
        start(page)
    except BaseException:
        context.close()
        raise
    return context, page


def start(page, held: int = 0) -> None:
    """Mulai pressed; back once the page has the server's draft of its visitor (its GET answered, taken: no call on its
    way but the `held` ones): what the test types next is saved on top of it, as at an officer's pace (the page asks as
    the visitor is shown; the moved clock has the save go a moment after the keys, not 2 s)."""
    with page.expect_response(is_ask):
        press(page, "#btn-start")
    page.wait_for_function("(held) => window.antrianApi.inFlight() === held", arg=held, polling=20)
    expect(page.locator("#solution")).to_be_enabled()


def press(page, selector: str) -> None:
    """A click on the button `selector` once it is enabled: the mouse's own click, without Playwright's wait for the
    button to stand still for two frames and be the element under the pointer (0.05-0.15 s a click on this machine,
    some 100 clicks in a day's test)."""
    expect(page.locator(selector)).to_be_enabled()
    page.click(selector, force=True)


def stored(session, office) -> str | None:
    draft = session.get(draft_url(office), timeout=5).json()["draft"]
    return draft["solution"] if draft else None


class FailedSaves:
    """The page's draft saves answered 503 (or lost on the network: `abort`) while `fail`; let through after."""

    def __init__(self, page, abort: bool = False):
        self.fail = True
        self.abort = abort
        self.count = 0
        page.route(DRAFT, self.route)

    def route(self, route) -> None:
        if route.request.method != "POST" or not self.fail:
            return route.continue_()
        self.count += 1
        if self.abort:
            route.abort("connectionreset")
        else:
            route.fulfill(status=503, content_type="application/json", body=FAILED)


WATCH_STEP_MS = 250
# the cue's words ("" when hidden), the answer's box, and the page's calls on their way: read at one moment
READ = """() => { const cue = document.getElementById('draft-state');
    return [cue.checkVisibility() ? cue.innerText : '', document.getElementById('solution').value,
            window.antrianApi.inFlight()]; }"""


def watch_truth(page, session, office, seconds: float) -> list[str]:
    """The cue read again and again while the page's (stopped) clock moves on by `seconds`, WATCH_STEP_MS at a time,
    each save's answer taken before the next step: each time it says saved, the server holds the box's text (the
    server asked after the page was read and before it is read again: a save can only add to what it held)."""
    seen = []
    for _ in range(round(seconds * 1000 / WATCH_STEP_MS)):
        said, value, busy = page.evaluate(READ)
        if said.startswith("Tersimpan"):
            assert stored(session, office) == value, (said, value)
        seen.append(said)
        if busy:
            page.wait_for_function("() => window.antrianApi.inFlight() === 0", polling=20)
        page.clock.run_for(WATCH_STEP_MS)
    return seen


def test_the_cue_says_whether_the_typed_answer_is_on_the_server_at_every_moment(browser, office):
    empty_queue(office)
    issue(office, "Ani Wijaya")
    budi = office.session("budi", PASSWORD)
    context, page = serving_page(browser, office)
    state = page.locator("#draft-state")
    said = page.locator("#draft-said")
    try:
        pause_clock(page)  # its clock moves as the test moves it: typing, then the pause
        expect(state).to_have_count(1)
        expect(state).to_be_hidden()  # nothing typed, nothing on the server: nothing to say
        # the cue is not live itself (its count changes every second); the quiet region is
        assert state.get_attribute("aria-live") is None and state.get_attribute("role") is None
        assert said.get_attribute("aria-live") == "polite"

        page.click("#solution")
        page.keyboard.type(FIRST[:20])
        expect(state).to_have_text("Belum tersimpan")  # typing: its save goes at the pause
        expect(state).to_have_attribute("data-state", "pending")
        assert stored(budi, office) is None
        keep_shot(page, "cue-typing.png")
        page.keyboard.type(FIRST[20:])
        page.clock.run_for(DRAFT_SAVE_MS)
        expect(state).to_have_text(SAVED, timeout=10_000)
        assert stored(budi, office) == FIRST
        keep_shot(page, "cue-saved.png")
        assert said.inner_text() == ""  # an ordinary save is not read out

        # the Wi-Fi fails the saves (the socket up): typed on, the cue never says saved for text the server lacks
        failed = FailedSaves(page)
        page.fill("#solution", MORE)
        expect(state).to_have_text("Belum tersimpan")
        seen = watch_truth(page, budi, office, 7)
        assert failed.count >= 1 and stored(budi, office) == FIRST, (failed.count, seen)
        expect(state).to_have_text(RETRY)
        expect(state).to_have_attribute("data-state", "retry")
        assert not any(s.startswith("Tersimpan") for s in seen), seen  # the server holds FIRST, the box MORE
        assert any(RETRY.match(s) for s in seen), seen
        expect(said).to_have_text("Draf jawaban belum tersimpan di server; halaman mencobanya lagi sendiri.")
        keep_shot(page, "cue-failing.png")
        # the count goes down with the seconds, and grows with the tries (2, 4, 8 s)
        counts = [int(re.search(r"\d+", s).group()) for s in seen if RETRY.match(s)]
        assert max(counts) >= 3, seen

        page.click("#lang-toggle")
        expect(state).to_have_text(re.compile(r"^Not saved — trying again in \d+ s$"))
        page.click("#lang-toggle")

        failed.fail = False  # the server answers again: saved on the next try, no key pressed
        page.clock.run_for(8_000)  # its wait: 8 s at most (the third)
        expect(state).to_have_text(SAVED, timeout=10_000)
        assert stored(budi, office) == MORE
        expect(said).to_have_text(re.compile(r"^Draf jawaban sudah tersimpan di server, pukul \d\d\.\d\d\.$"))
        keep_shot(page, "cue-back.png")
    finally:
        context.close()


def test_offline_the_cue_says_not_saved_and_saved_once_back(browser, office):
    empty_queue(office)
    issue(office, "Bayu Pratama")
    budi = office.session("budi", PASSWORD)
    context, page = serving_page(browser, office)
    state = page.locator("#draft-state")
    try:
        page.fill("#solution", MORE)
        with page.expect_response(lambda r: is_save(r.request)):
            page.clock.run_for(DRAFT_SAVE_MS)
        expect(state).to_have_text(SAVED)
        go_offline(page)
        page.fill("#solution", OFFLINE)
        with page.expect_event("requestfailed", lambda r: is_save(r), timeout=10_000):
            page.clock.run_for(DRAFT_SAVE_MS)
        expect(state).to_have_text(RETRY)
        assert stored(budi, office) == MORE
        keep_shot(page, "cue-offline.png")
        come_back(page)
        expect(state).to_have_text(SAVED, timeout=15_000)
        assert stored(budi, office) == OFFLINE
        keep_shot(page, "cue-online-again.png")
    finally:
        context.close()


def test_a_draft_saved_on_another_pc_is_said_as_the_server_holds_it(browser, office):
    """The officer's other PC saves its own text. Nothing typed here since this page's save: its text takes the form's
    place, and it is on the server. Typed here too, this page's save failing: both kept, and the cue never says saved
    for this page's text, which the server does not hold."""
    empty_queue(office)
    issue(office, "Citra Lestari")
    budi = office.session("budi", PASSWORD)
    beside = office.session("budi", PASSWORD)
    context, page = serving_page(browser, office)
    state = page.locator("#draft-state")

    def save_beside(text: str) -> None:
        answer = budi.get(draft_url(office), timeout=5).json()
        body = {"ticket_id": answer["draft"]["ticket_id"], "solution": text, "version": answer["version"]}
        assert beside.post(draft_url(office), json=body, timeout=5).status_code == 200

    try:
        pause_clock(page)
        page.fill("#solution", FIRST)
        with page.expect_response(lambda r: is_save(r.request)):
            page.clock.run_for(DRAFT_SAVE_MS)
        expect(state).to_have_text(SAVED)
        save_beside("Dari PC sebelah.")
        expect(page.locator("#solution")).to_have_value("Dari PC sebelah.")
        expect(state).to_have_text(SAVED)
        assert stored(budi, office) == "Dari PC sebelah."

        FailedSaves(page)
        page.fill("#solution", MORE)
        page.clock.run_for(DRAFT_SAVE_MS)
        expect(state).to_have_text(RETRY, timeout=10_000)
        save_beside("Lagi dari PC sebelah.")
        expect(page.locator("#kept-draft")).to_be_visible()  # the other text shown beside this one
        expect(page.locator("#kept-solution")).to_have_value("Lagi dari PC sebelah.")
        seen = watch_truth(page, budi, office, 3)
        assert not any(s.startswith("Tersimpan") for s in seen), seen
        assert stored(budi, office) == "Lagi dari PC sebelah."
    finally:
        context.close()


LAPTOPS = ({"width": 1366, "height": 768}, {"width": 1024, "height": 768})
PLACES = """() => Object.fromEntries(['solution', 'btn-resolve', 'btn-escalate', 'btn-transfer', 'note', 'draft-state']
    .map((id) => {
        const r = document.getElementById(id).getBoundingClientRect();
        return [id, { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height }];
    }).concat([['label', (() => { const r = document.querySelector('label[for=solution]').getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, right: r.right, height: r.height }; })()]]))"""


def test_the_cue_moves_nothing_and_says_little_to_a_screen_reader(browser, office):
    empty_queue(office)
    issue(office, "Dewi Anggraini")
    context, page = serving_page(browser, office)
    state = page.locator("#draft-state")
    try:
        before = {}
        for size in LAPTOPS:
            resize(page, size)
            before[size["width"]] = page.evaluate(PLACES)
        page.evaluate("""() => { window.saidChanges = 0;
            new MutationObserver(() => window.saidChanges++).observe(document.getElementById('draft-said'),
                {childList: true, characterData: true, subtree: true}); }""")
        pause_clock(page)
        page.click("#solution")
        page.keyboard.type("Pengguna diminta mengatur ulang kata sandi.")  # key by key (the clock stopped meanwhile)
        page.clock.run_for(DRAFT_SAVE_MS)
        expect(state).to_have_text(SAVED, timeout=10_000)
        failed = FailedSaves(page, abort=True)
        page.keyboard.type(" Lalu masuk lagi.")
        page.clock.run_for(DRAFT_SAVE_MS)
        expect(state).to_have_text(RETRY, timeout=10_000)
        page.keyboard.type(" Sudah bisa.")  # typed on while failing: said once, not at each key
        with page.expect_event("requestfailed", is_save, timeout=10_000):
            page.clock.run_for(DRAFT_SAVE_MS)  # a second failed try, its count ticking meanwhile
        assert failed.count >= 2
        expect(state).to_have_text(RETRY)
        assert page.evaluate("window.saidChanges") == 1
        for lang in ("id", "en"):
            if lang == "en":
                page.click("#lang-toggle")  # the longest words: English, the retry
                expect(state).to_have_text(re.compile(r"^Not saved — trying again in \d+ s$"))
            for size in LAPTOPS:
                resize(page, size)
                now = page.evaluate(PLACES)
                was = before[size["width"]]
                if lang == "id":
                    # nothing moved: (the notice above says other things meanwhile) the places from the label's
                    assert now["label"]["height"] == was["label"]["height"], (size, now["label"], was["label"])
                    shift = now["label"]["top"] - was["label"]["top"]
                    for key in ("solution", "btn-resolve", "btn-escalate", "btn-transfer", "note"):
                        moved = {k: now[key][k] - was[key][k] for k in ("top", "bottom", "left", "right")}
                        assert moved == {"top": shift, "bottom": shift, "left": 0, "right": 0}, (size, key, now, was)
                cue_box, button, box = now["draft-state"], now["btn-resolve"], now["solution"]
                # in Selesai's row, at its right, no taller than the button, within the answer's width, its words whole
                assert button["right"] <= cue_box["left"] and cue_box["right"] <= box["right"] + 1, (size, now)
                assert button["top"] - 1 <= cue_box["top"] and cue_box["bottom"] <= button["bottom"] + 1, (size, now)
                assert page.eval_on_selector("#draft-state", "e => e.scrollHeight <= e.clientHeight + 1"), size
                assert page.evaluate("document.scrollingElement.scrollHeight <= innerHeight"), size
                keep_shot(page, f"cue-retry-{lang}-{size['width']}.png")
        page.click("#lang-toggle")
        failed.fail = False
        page.clock.run_for(8_000)  # its next try: 8 s at most
        expect(state).to_have_text(SAVED, timeout=10_000)
        assert page.evaluate("window.saidChanges") == 2  # failed, then saved: two things said
    finally:
        context.close()


def test_a_press_whose_answer_never_came_says_which_press_and_that_the_page_finds_out(browser, office):
    empty_queue(office)
    ani = issue(office, "Eka Saputra")
    context, page = serving_page(browser, office)
    notice = page.locator("#notice")
    try:
        # its clock stopped: the page's own check of the press (1 s after it, counter.js askAgainSoon) waits for the
        # officer's second press, however slow the machine (it sent Selesai again itself first when the words below
        # took over a second, and the second press found no visitor)
        pause_clock(page)
        page.fill("#solution", FIRST)
        page.route("**/api/counters/1/resolve", lambda r: r.abort("connectionreset"), times=1)
        page.click("#btn-resolve")
        label = ani["label"]
        expect(notice).to_have_text(
            f"“Selesai” untuk {label} belum pasti tercatat: jawaban server tidak sampai (jaringan). Ketikan tetap di kotak; "
            "halaman memeriksanya sendiri dalam beberapa detik."
        )
        expect(notice).to_have_attribute("data-kind", "error")
        expect(page.locator("#solution")).to_have_value(FIRST)
        keep_shot(page, "held-press.png")
        page.click("#lang-toggle")
        expect(notice).to_have_text(
            f"“Resolve” for {label} may not be recorded: the server's answer did not arrive (network). What you typed stays "
            "in its box; the page checks by itself within a few seconds."
        )
        page.click("#lang-toggle")
        # it never reached the server (the visitor still here): pressed again, it is done
        page.click("#btn-resolve")
        expect(notice).to_contain_text(f"{label} selesai")
    finally:
        context.close()


def test_beside_the_answers_length_the_cue_is_its_sign_on_the_labels_line(browser, office):
    """Near its 4,000 characters the answer's length takes Selesai's row (two lines): the cue is its sign alone then,
    at the right of the answer's label, its words in its tooltip and to a screen reader; the length keeps its room."""
    empty_queue(office)
    issue(office, "Gilang Ramadhan")
    context, page = serving_page(browser, office)
    state = page.locator("#draft-state")
    step = "Langkah: buka menu Lupa Kata Sandi, masukkan e-mail terdaftar di SPSE, lalu ikuti tautan yang dikirim. "
    try:
        page.fill("#solution", (step * 40)[:3700])
        expect(page.locator("#solution-count")).to_be_visible()
        page.clock.run_for(DRAFT_SAVE_MS)
        expect(state).to_have_text(SAVED, timeout=10_000)  # its words, for a screen reader
        assert SAVED.match(state.get_attribute("title").split(". ")[0])
        for size in LAPTOPS:
            resize(page, size)
            now = page.evaluate(PLACES)
            count = page.locator("#solution-count").bounding_box()
            cue_box, label, box, button = now["draft-state"], now["label"], now["solution"], now["btn-resolve"]
            assert label["right"] <= cue_box["left"] and cue_box["right"] <= box["right"] + 1, (size, now)
            assert label["top"] - 3 <= cue_box["top"] and cue_box["bottom"] <= box["top"] + 1, (size, now)
            assert cue_box["right"] - cue_box["left"] < 30, (size, now)  # a sign, not words
            assert count["height"] <= button["height"], (size, count, button)  # the length's two lines at most
            keep_shot(page, f"cue-beside-count-{size['width']}.png")
    finally:
        context.close()


def serve_one(page, office, text: str) -> None:
    """The next visitor called and served here, the answer typed and saved (the cue says so)."""
    press(page, "#btn-call-next")
    start(page)
    page.fill("#solution", text)
    page.clock.run_for(DRAFT_SAVE_MS)
    expect(page.locator("#draft-state")).to_have_text(SAVED, timeout=10_000)


def test_a_days_visitors_served_on_one_page_leave_nothing_behind_in_the_drafts_saves(browser, office):
    """The counter page stays open all day. Each ticket served here, its answer saved on the server, then resolved,
    escalated, transferred, or resolved from another page of the same officer: what the page keeps of the drafts'
    saves (serverDraft's maps) held one more entry for every ticket ever saved (its saves on their way counted down
    to 0, never dropped), for the whole day. Now a few at most, after 24 visitors; and the next visitor's cue is right
    (nothing typed, nothing said)."""
    empty_queue(office)
    elsewhere = counter_actions(office, "budi")  # the officer's other tab, through the API
    issue(office, "Dewi Anggraini")
    context, page = serving_page(browser, office)
    try:
        page.fill("#solution", FIRST)
        page.clock.run_for(DRAFT_SAVE_MS)
        expect(page.locator("#draft-state")).to_have_text(SAVED, timeout=10_000)
        press(page, "#btn-resolve")
        for i in range(24):
            issue(office, f"Pengunjung {i}")
            serve_one(page, office, f"{FIRST} ({i})")
            way = i % 4
            if way == 0:
                press(page, "#btn-resolve")
            elif way == 1:
                page.fill("#note", "Perlu dicek LKPP.")
                press(page, "#btn-escalate")
            elif way == 2:
                page.select_option("#transfer-service", index=1)
                press(page, "#btn-transfer")
            else:
                elsewhere("resolve")
            expect(page.locator("#t-label")).to_have_text("—")
            expect(page.locator("#draft-state")).to_be_hidden()
        sizes = page.evaluate("antrianCounter.drafts()")
        assert all(n <= 2 for n in sizes.values()), str(sizes)
    finally:
        context.close()


def test_a_slow_save_answered_once_the_next_visitor_is_served_says_nothing_of_that_visitor(browser, office):
    """The last save of a visitor's answer is slow: the officer pressed Selesai, and called and started the next
    visitor before its answer came. That answer (the server's refusal: the ticket left) changes nothing of the next
    visitor's cue: nothing typed, nothing said; typed, saved as its own; and nothing kept of the old one."""
    empty_queue(office)
    issue(office, "Fajar Nugroho")
    second = issue(office, "Gita Permata")
    context, page = serving_page(browser, office)
    held = []

    def hold(route):
        if route.request.method == "POST" and not held:
            held.append(route)
        else:
            route.continue_()

    state = page.locator("#draft-state")
    try:
        page.route(DRAFT, hold)
        page.fill("#solution", FIRST)
        page.clock.run_for(DRAFT_SAVE_MS)
        expect(state).to_have_text("Menyimpan ke server…", timeout=10_000)
        page.click("#btn-resolve")
        expect(page.locator("#notice")).to_contain_text("selesai")
        serve_one_started(page, second["label"])
        expect(state).to_be_hidden()  # nothing typed for Gita: no "Menyimpan" of Fajar's save
        held[0].continue_()  # Fajar's save answered now
        page.wait_for_function("() => antrianCounter.drafts().flying === 0")
        expect(state).to_be_hidden()
        page.fill("#solution", MORE)
        page.clock.run_for(DRAFT_SAVE_MS)
        expect(state).to_have_text(SAVED, timeout=10_000)
        budi = office.session("budi", PASSWORD)
        assert stored(budi, office) == MORE
        sizes = page.evaluate("antrianCounter.drafts()")
        assert all(n <= 1 for n in sizes.values()), str(sizes)
    finally:
        context.close()


def serve_one_started(page, label: str) -> None:
    expect(page.locator("#btn-call-next")).to_be_enabled()
    page.click("#btn-call-next")
    expect(page.locator("#t-label")).to_have_text(label)
    start(page, held=1)  # the last visitor's save, held
