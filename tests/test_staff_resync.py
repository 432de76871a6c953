"""The admin page after its live socket came late or was away, in Chromium against a real server.

The page reads the settings, the accounts, the survey's wording and the voice over HTTP when it starts, and hears
of another admin's later change from its socket. A change made between those reads' answers and the socket's
start, or while the socket was away (a reconnect), was in neither: the page showed the old values until a reload
(and a save of a section it showed was refused as changed meanwhile). They are read again at each snapshot of the
socket. (The escalations and complaints pages read their lists at their start and at each snapshot:
counter/static/livelist.js.)

The module shares one live server; every test puts back what it changed.
"""

from __future__ import annotations

from contextlib import contextmanager

from adminpages import boss as boss  # fixture: the module's admin (tests/adminpages.py)
from adminpages import key
from adminpages import restore_settings as restore_settings  # autouse fixture: what a test changed put back
from conftest import visitor
from playwright.sync_api import expect
from staffpages import PASSWORD, put_settings, sign_in

VIEWPORT = {"width": 1366, "height": 768}
SOCKET = "**/socket.io/**"


@contextmanager
def wording_kept(live, boss, code: str):
    """The survey element `code` back to the model questionnaire's wording afterwards."""
    try:
        yield
    finally:
        r = boss.put(f"{live.url}/api/admin/survey", json={"elements": {code: None}}, timeout=5)
        assert r.status_code == 200, r.text


@contextmanager
def voice_kept(live, boss):
    """[tts] back to config.toml's afterwards."""
    try:
        yield
    finally:
        boss.delete(f"{live.url}/api/admin/settings/tts", json={}, timeout=5).raise_for_status()


def user_row(page, username: str):
    return page.locator(f'#users tr[data-user="{username}"]')


def add_user(live, boss, username: str) -> None:
    data = {"username": username, "password": PASSWORD, "role": "officer"}
    r = boss.post(f"{live.url}/api/admin/users", json=data, timeout=5)
    assert r.status_code in (200, 201), r.text


def set_active(live, boss, username: str, active: bool) -> None:
    r = boss.post(f"{live.url}/api/admin/users/{username}/active", json={"active": active}, timeout=5)
    assert r.status_code == 200, r.text


def open_admin(browser, live, username: str, held: list | None = None):
    """The admin page of `username`; with `held`, its socket's requests are kept there (not sent) until unrouted."""
    page = browser.new_context(viewport=VIEWPORT, locale="id-ID").new_page()
    if held is not None:
        page.route(SOCKET, lambda route: held.append(route))
    sign_in(page, live, "/counter/admin", username, check_name=held is None)
    expect(page.locator("#officer-name")).to_have_text(username)
    expect(key(page, "office.name")).to_have_value("LPSE Kabupaten Contoh")
    expect(user_row(page, "budi")).to_have_attribute("data-active", "true")
    expect(page.locator("#sec-survey details")).to_have_count(9)
    expect(page.locator("#voice-engine")).to_have_value("espeak")
    return page


def test_what_changed_before_the_socket_was_in_is_read_at_its_snapshot(browser, live, boss):
    """The page read the settings, the accounts, the wording and the voice; another admin then renames the
    office, adds an account and disables one, rewords a question and picks a recorded voice, all before the
    page's socket got through. Once it does, the page shows all of it (it kept the old values: none of these
    changes was in an event it got)."""
    live.add_user("kepala2", "admin")
    held = []
    page = open_admin(browser, live, "kepala2", held)
    assert held, "the socket did not try to connect"
    expect(page.locator("#live-status")).not_to_have_attribute("data-state", "on")

    survey = boss.get(f"{live.url}/api/admin/survey", timeout=5).json()["elements"]
    u1 = next(e for e in survey if e["code"] == "U1")
    question = {"id": "Bagaimana persyaratan layanan di LPSE ini?", "en": "How are this LPSE's service requirements?"}
    pack = live.config.parent / "voices" / "kantor"
    pack.mkdir(parents=True, exist_ok=True)
    with wording_kept(live, boss, "U1"), voice_kept(live, boss):
        put_settings(live, boss, "office", {"name": "LPSE Kabupaten Baru"})  # a table: the keys given change
        add_user(live, boss, "sinta")
        set_active(live, boss, "budi", False)
        r = boss.put(
            f"{live.url}/api/admin/survey",
            json={"elements": {"U1": {"question": question, "choices": u1["choices"]}}},
            timeout=5,
        )
        assert r.status_code == 200, r.text
        put_settings(live, boss, "tts", {"engine": "clips", "clips": "voices/kantor"})
        try:
            page.unroute(SOCKET)  # the held requests go on to the server
            expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
            expect(key(page, "office.name")).to_have_value("LPSE Kabupaten Baru")
            expect(user_row(page, "sinta")).to_have_count(1)
            expect(user_row(page, "budi")).to_have_attribute("data-active", "false")
            expect(key(page, "elements.U1.question.id")).to_have_value(question["id"])
            expect(page.locator('#sec-survey details[data-code="U1"] .badge')).to_have_text("diubah")
            expect(page.locator("#voice-engine")).to_have_value("clips")
            expect(page.locator("#voice-pack option:checked")).to_have_text("kantor")
            expect(page.locator("#sec-office .notice")).to_have_text("")  # nothing was being edited: nothing to say
        finally:
            set_active(live, boss, "budi", True)
            page.context.close()


def test_what_changed_while_the_socket_was_away_is_read_at_its_reconnect(browser, live, boss):
    """The page is live, the admin types a new address; the socket goes away (a laptop asleep, a cable out) and
    meanwhile another admin renames the office, sets the queue's calls, adds an account and rewords a question.
    Back, the page shows the queue, the account and the wording as they are now; the office section keeps the
    address typed, says it changed elsewhere and offers to reload it (its save would be refused)."""
    live.add_user("kepala3", "admin")
    page = open_admin(browser, live, "kepala3")
    key(page, "office.address").fill("Jl. Kenanga No. 3")
    notice = page.locator("#sec-office .notice")
    expect(notice).to_have_attribute("data-kind", "dirty")
    page.evaluate("() => antrianAdmin.live.socket.disconnect()")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "off")

    settings = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()
    calls = settings["queue"]["max_calls"] + 2
    survey = boss.get(f"{live.url}/api/admin/survey", timeout=5).json()["elements"]
    u2 = next(e for e in survey if e["code"] == "U2")
    question = {"id": "Bagaimana prosedur layanan di LPSE ini?", "en": "How is this LPSE's service procedure?"}
    with wording_kept(live, boss, "U2"):
        put_settings(live, boss, "office", {"name": "LPSE Kabupaten Lain"})
        put_settings(live, boss, "queue", {"max_calls": calls})
        add_user(live, boss, "tono")
        r = boss.put(
            f"{live.url}/api/admin/survey",
            json={"elements": {"U2": {"question": question, "choices": u2["choices"]}}},
            timeout=5,
        )
        assert r.status_code == 200, r.text

        page.evaluate("() => antrianAdmin.live.socket.connect()")
        expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
        expect(key(page, "queue.max_calls")).to_have_value(str(calls))
        expect(user_row(page, "tono")).to_have_count(1)
        expect(key(page, "elements.U2.question.id")).to_have_value(question["id"])
        # the edit stays, and the section says it changed meanwhile, as a live event of it would have
        expect(key(page, "office.address")).to_have_value("Jl. Kenanga No. 3")
        expect(key(page, "office.name")).to_have_value("LPSE Kabupaten Contoh")
        expect(notice).to_have_attribute("data-kind", "dirty")
        expect(notice).to_contain_text("Kantor diubah di tempat lain selagi halaman ini tidak tersambung.")
        reload = page.locator("#sec-office .reload-section")
        expect(reload).to_be_visible()
        reload.click()
        expect(key(page, "office.name")).to_have_value("LPSE Kabupaten Lain")
        expect(reload).to_have_count(0)
        page.context.close()


def test_another_admins_voice_is_shown_at_once_and_named_in_the_pages_words(browser, live, boss):
    """A live page, another admin picks a recorded voice: the voice section shows it (it kept espeak, only the
    counters and the notes of the settings were taken from a fresh read), and the page's notice names the
    section as the page does (it said "sec.tts diubah oleh kepala")."""
    live.add_user("kepala4", "admin")
    page = open_admin(browser, live, "kepala4")
    (live.config.parent / "voices" / "kantor").mkdir(parents=True, exist_ok=True)
    with voice_kept(live, boss):
        put_settings(live, boss, "tts", {"engine": "clips", "clips": "voices/kantor"})
        expect(page.locator("#page-notice")).to_have_text("Suara panggilan diubah oleh kepala; tampilan diperbarui.")
        expect(page.locator("#voice-engine")).to_have_value("clips")
        expect(page.locator("#voice-pack option:checked")).to_have_text("kantor")
    page.context.close()


def test_the_open_cases_are_listed_before_the_socket_is_in(browser, live, boss):
    """The escalations page read its list at each snapshot of its socket, and only then: while the socket was slow
    to come (or refused, its budget spent), the page said "0" over an open case. It reads it at once too."""
    officer = live.session("budi", PASSWORD)
    r = officer.post(f"{live.url}/api/tickets", json=visitor(problem="Dokumen penawaran tidak terunggah"), timeout=5)
    assert r.status_code == 201, r.text
    for action, data in (("call-next", {}), ("start", {}), ("escalate", {"note": "Perlu LKPP."})):
        r = officer.post(f"{live.url}/api/counters/1/{action}", json=data, timeout=5)
        assert r.status_code == 200, r.text
    ticket = r.json()["ticket"]
    try:
        page = browser.new_context(viewport=VIEWPORT, locale="id-ID").new_page()
        held = []
        page.route(SOCKET, lambda route: held.append(route))  # the socket does not get through
        sign_in(page, live, "/counter/escalations", "kepala", check_name=False)
        expect(page.locator("#officer-name")).to_have_text("kepala")
        expect(page.locator(f'#cases li.case[data-id="{ticket["id"]}"]')).to_contain_text("Perlu LKPP.")
        assert held, "the socket did not try to connect"
        expect(page.locator("#live-status")).not_to_have_attribute("data-state", "on")  # listed without it
        page.context.close()
    finally:
        r = officer.post(f"{live.url}/api/tickets/{ticket['id']}/close", json={"answer": "Selesai."}, timeout=5)
        assert r.status_code == 200, r.text


def test_a_reconnect_keeps_the_focus_of_the_input_being_typed_in(browser, live, boss):
    """The settings are read again at each snapshot of the socket; the page drew every section again, each input
    anew, and the one being typed in lost its focus at every reconnect (a Wi-Fi blip): the next keys went nowhere.
    Read again and the same as shown, nothing is drawn again."""
    page = open_admin(browser, live, "kepala")
    name = key(page, "office.name")
    name.click()
    name.press("End")
    page.keyboard.type(" Baru")
    address = key(page, "office.address")
    for typed, focused in ((True, "office.name"), (False, "office.address")):
        if not typed:
            address.click()  # in it, nothing typed yet
        # as at a reconnect: a fresh snapshot, and the settings read again; the accounts are read after the
        # settings' answer was taken
        with page.expect_response(lambda r: r.url.endswith("/api/admin/users")):
            page.evaluate("antrianAdmin.live.resync()")
        assert page.evaluate("document.activeElement.dataset.key") == focused
    page.keyboard.press("Control+A")
    page.keyboard.type("Jl. Baru 1")
    expect(name).to_have_value("LPSE Kabupaten Contoh Baru")
    expect(address).to_have_value("Jl. Baru 1")
    page.context.close()
