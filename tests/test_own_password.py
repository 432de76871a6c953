"""Every staff account changes its own password (POST /api/me/password, the page /counter/password): the current
one checked as a login checks it and counted by the login's throttle, the account's other sessions ended and this
one kept, the change logged; the page reached from the account's name in every staff page's bar."""

from __future__ import annotations

import json

import pytest
from conftest import add_user, login

from server.auth import LoginThrottle

PASSWORD = "rahasia-123"
NEW = "sandi-baru-123"


def change(client, headers, current=PASSWORD, new=NEW, **kw):
    return client.post("/api/me/password", json={"current": current, "new": new}, headers=headers, **kw)


def account(app, username: str = "budi") -> dict:
    with app.extensions["antrian"].store.read() as tx:
        return dict(tx.user(username))


def password_events(app) -> list[dict]:
    with app.extensions["antrian"].store.read() as tx:
        rows = tx.rows("SELECT actor, data FROM events WHERE type = 'user_changed' ORDER BY seq")
    return [{"actor": r["actor"], "data": json.loads(r["data"])} for r in rows]


def last_seq(app) -> int:
    with app.extensions["antrian"].store.read() as tx:
        return tx.last_seq()


@pytest.mark.parametrize("role", ["officer", "frontoffice", "admin"])
def test_an_account_changes_its_own_password_its_other_sessions_end_and_this_one_goes_on(app, client, role):
    h = login(app, client, "budi", role)
    other = app.test_client()  # the same account logged in on another PC
    assert other.post("/api/login", json={"username": "budi", "password": PASSWORD}).status_code == 200
    with client.session_transaction() as s:
        signed_in = s["iat"]
    before = account(app)
    r = change(client, h)
    assert r.status_code == 200, r.get_json()
    answer = r.get_json()
    assert answer["user"]["username"] == "budi" and answer["user"]["role"] == role
    assert answer["csrf_token"] == h["X-CSRFToken"]  # the page's token holds on
    assert "password_hash" not in answer["user"]
    # this session goes on, its writes with the token it had; its working day is not made longer
    assert client.get("/api/me").status_code == 200
    assert client.post("/api/counters/1/release", headers=h).status_code == 200  # a write that needs the token
    with client.session_transaction() as s:
        assert s["iat"] == signed_in
    # the other one is over
    assert other.get("/api/me").status_code == 401
    # the new password is the one now
    fresh = app.test_client()
    assert fresh.post("/api/login", json={"username": "budi", "password": PASSWORD}).status_code == 401
    assert fresh.post("/api/login", json={"username": "budi", "password": NEW}).status_code == 200
    # nothing else of the account changed; the change is logged as an admin's is, by the account itself
    after = account(app)
    assert after["password_hash"] != before["password_hash"]
    assert after["session_version"] == before["session_version"] + 1
    same = ("id", "username", "role", "counter_id", "active", "created_at", "full_name", "nip")
    assert {k: after[k] for k in same} == {k: before[k] for k in same}
    assert password_events(app) == [{"actor": "budi", "data": {"username": "budi", "change": "password"}}]


def test_a_wrong_current_password_is_said_at_its_field_and_counts_as_a_failed_login(app, client, monkeypatch):
    """Ten failures at the account's name from one address in five minutes, at the login page or here, and both
    refuse (429) without checking anything; the password stays as it was."""
    h = login(app, client, "budi")
    hashed = []
    import server.auth as auth

    real = auth.check_password
    monkeypatch.setattr(auth, "check_password", lambda hash_, p: hashed.append(1) or real(hash_, p))
    before, seq = account(app), last_seq(app)
    for _ in range(5):  # five at the login page ...
        r = app.test_client().post("/api/login", json={"username": "budi", "password": "salah-sekali"})
        assert r.status_code == 401
    for lang, words in (("id", "Kata sandi saat ini salah."), ("en", "The current password is wrong.")):
        r = change(client, {**h, "X-Lang": lang}, current="salah-sekali")  # ... and five here
        assert r.status_code == 422
        assert r.get_json() == {"error": "current_password_wrong", "message": words, "fields": {"current": words}}
    for _ in range(3):
        assert change(client, h, current="salah-lagi").status_code == 422
    assert len(hashed) == 10
    r = change(client, h)  # the right one, now refused unchecked
    assert r.status_code == 429 and r.get_json()["error"] == "login_throttled"
    assert r.get_json()["message"] == "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 5 menit."
    r = app.test_client().post("/api/login", json={"username": "budi", "password": PASSWORD})
    assert r.status_code == 429  # the login page's count is the same one
    assert len(hashed) == 10
    assert account(app) == before and last_seq(app) == seq
    assert client.get("/api/me").status_code == 200  # a wrong guess does not end the session


def test_the_accounts_own_count_holds_from_any_address(app, client):
    """A session taken elsewhere guesses no faster from many addresses: ten wrong current passwords of the
    account and it is refused from every address, while the account's logins are not."""
    app.extensions["antrian.login_throttle"] = LoginThrottle(limit=3, window=300)
    h = login(app, client, "budi")
    cookie = client.get_cookie("session").value
    for i in range(3):
        thief = app.test_client()
        thief.set_cookie("session", cookie)
        r = change(thief, h, current=f"tebakan-{i}", environ_base={"REMOTE_ADDR": f"10.0.0.{i + 1}"})
        assert r.status_code == 422
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    r = change(thief, h, environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert r.status_code == 429  # a new address, the account's count
    assert change(client, h).status_code == 429  # and its own PC too
    r = app.test_client().post(
        "/api/login", json={"username": "budi", "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.0.0.50"}
    )
    assert r.status_code == 200  # its owner still logs in
    throttle = app.extensions["antrian.login_throttle"]
    for q in throttle.failures.values():  # the window passes
        for i in range(len(q)):
            q[i] -= 301
    assert change(client, h).status_code == 200
    assert not throttle.failures.get(f"account:{account(app)['id']}")  # a success clears the count


def test_a_thiefs_guesses_do_not_lock_the_owner_out_of_their_own_pc(app, client, monkeypatch):
    """Budi's session cookie taken to a laptop: ten wrong current passwords there fill the account's count, and
    the owner's changes, refused by that count, count nothing for the owner's PC, which is not penalised either:
    the owner still logs in there. The thief's laptop, over its own count, is."""
    import server.limits as limits

    penalised = []
    monkeypatch.setattr(limits, "penalize", lambda app_, address, seconds: penalised.append(address))
    thief_pc, own_pc = {"REMOTE_ADDR": "10.0.0.66"}, {"REMOTE_ADDR": "10.0.0.5"}
    add_user(app, "budi", "officer")
    thief, owner = app.test_client(), app.test_client()
    hs = []
    for c, env in ((thief, thief_pc), (owner, own_pc)):
        r = c.post("/api/login", json={"username": "budi", "password": PASSWORD}, environ_base=env)
        hs.append({"X-CSRFToken": r.get_json()["csrf_token"]})
    for i in range(10):
        assert change(thief, hs[0], current=f"tebakan-{i}", environ_base=thief_pc).status_code == 422
    for _ in range(12):  # the owner tries again and again with the right one
        r = change(owner, hs[1], environ_base=own_pc)
        assert r.status_code == 429 and r.get_json()["error"] == "login_throttled"
    assert penalised == []
    r = app.test_client().post("/api/login", json={"username": "budi", "password": PASSWORD}, environ_base=own_pc)
    assert r.status_code == 200, r.get_json()
    assert change(thief, hs[0], environ_base=thief_pc).status_code == 429
    assert penalised == ["10.0.0.66"]


def test_the_new_password_is_hashed_in_its_addresss_turn(app, client, monkeypatch):
    """The new password's hash (scrypt, as costly as a check) waits behind the address's other checks too."""
    import server.passwords as passwords

    h = login(app, client, "budi")
    throttle = app.extensions["antrian.login_throttle"]
    held = []
    real = passwords.hash_password

    def hash_password(password, *args, **kwargs):
        entry = throttle.turns.get("127.0.0.1")
        held.append(entry is not None and entry[0].locked())
        return real(password, *args, **kwargs)

    monkeypatch.setattr(passwords, "hash_password", hash_password)
    assert change(client, h).status_code == 200
    assert held == [True]


@pytest.mark.parametrize(
    "sent,fields",
    [
        ({"current": PASSWORD, "new": "pendek"}, {"new": "Kata sandi harus 8–200 karakter."}),
        ({"current": PASSWORD, "new": "x" * 201}, {"new": "Kata sandi harus 8–200 karakter."}),
        (
            {"current": PASSWORD, "new": PASSWORD},
            {"new": "Kata sandi baru sama dengan yang sekarang; pilih yang lain."},
        ),
        ({}, {"current": "Wajib diisi.", "new": "Wajib diisi."}),
        ({"current": "", "new": NEW}, {"current": "Wajib diisi."}),
        ({"current": PASSWORD, "new": 12345678}, {"new": "Harus berupa teks."}),
        (
            {"current": PASSWORD, "new": "\ud800" * 8},
            {"new": "Mengandung karakter yang tidak sah (bukan teks Unicode yang benar)."},
        ),
    ],
)
def test_a_bad_new_password_is_refused_at_its_field_before_anything_is_checked(app, client, sent, fields):
    h = login(app, client, "budi")
    before, seq = account(app), last_seq(app)
    raw = json.dumps(sent)  # a lone surrogate as JSON's \ud800 escape
    r = client.post("/api/me/password", data=raw, content_type="application/json", headers=h)
    assert r.status_code == 422
    assert r.get_json()["error"] == "form_incomplete" and r.get_json()["fields"] == fields
    assert account(app) == before and last_seq(app) == seq
    assert app.extensions["antrian.login_throttle"].failures == {}  # no password was checked: nothing counted


def test_a_new_password_of_8_and_of_200_characters_is_taken(app, client):
    h = login(app, client, "budi")
    assert change(client, h, new="d" * 8).status_code == 200
    assert change(client, h, current="d" * 8, new="é" * 200).status_code == 200
    r = app.test_client().post("/api/login", json={"username": "budi", "password": "é" * 200})
    assert r.status_code == 200


def test_without_its_csrf_header_or_a_login_nothing_changes(app, client):
    h = login(app, client, "budi")
    before, seq = account(app), last_seq(app)
    for sent in ({}, {"X-CSRFToken": "x" * 32}):
        r = change(client, sent)
        assert (r.status_code, r.get_json()["error"]) == (403, "csrf")
    r = change(app.test_client(), h)
    assert (r.status_code, r.get_json()["error"]) == (401, "login_required")
    assert account(app) == before and last_seq(app) == seq


def test_an_account_changed_meanwhile_is_not_given_the_new_password(app):
    """The current password checked, then an admin set another one (or disabled the account) before the new
    one was saved: the session ended with that, and the admin's password stays."""
    from server.errors import LoginRequired

    add_user(app, "budi", "officer")
    accounts = app.extensions["antrian"].accounts
    checked = accounts.user("budi")
    accounts.set_password("budi", "dari-admin-1", "boss")
    admins = account(app)
    with pytest.raises(LoginRequired):
        accounts.set_own_password(checked, NEW)
    assert account(app) == admins
    assert [e["actor"] for e in password_events(app)] == ["boss"]


def test_the_accounts_other_staff_sockets_are_closed_and_this_sessions_connect_again(app, client):
    """The staff room carries every visitor's form: the other PC's socket goes at once; this browser's pages,
    closed too, connect again with the renewed cookie."""
    h = login(app, client, "budi")
    other = app.test_client()
    assert other.post("/api/login", json={"username": "budi", "password": PASSWORD}).status_code == 200
    socketio = app.extensions["antrian.socketio"]
    theirs = socketio.test_client(app, auth={"role": "staff"}, flask_test_client=other)
    assert theirs.is_connected()
    assert change(client, h).status_code == 200
    assert not theirs.is_connected()
    assert not socketio.test_client(app, auth={"role": "staff"}, flask_test_client=other).is_connected()
    mine = socketio.test_client(app, auth={"role": "staff"}, flask_test_client=client)
    assert mine.is_connected()
    # its snapshot; the change's own event may come before it (the socket joins the staff room first, and the
    # publisher is a thread of its own), never one the snapshot does not hold
    got = mine.get_received()
    snapshots = [m["args"][0] for m in got if m["name"] == "snapshot"]
    assert len(snapshots) == 1 and "tickets" in snapshots[0], got
    events = [
        e
        for m in got
        if m["name"] in ("event", "events")
        for e in (m["args"][0] if m["name"] == "events" else m["args"])
    ]
    assert len(got) == 1 + len([m for m in got if m["name"] in ("event", "events")]), got
    assert all(e["seq"] <= snapshots[0]["seq"] for e in events), got
    mine.disconnect()


def test_the_report_pages_bar_leads_from_the_name_to_the_password_page(app, client):
    login(app, client, "budi")
    html = client.get("/counter/recap").get_data(as_text=True)
    assert '<a class="nav-me" href="/counter/password" title="budi — ganti kata sandi">' in html
    client.set_cookie("antrian_lang", "en")
    html = client.get("/counter/dashboard").get_data(as_text=True)
    assert 'href="/counter/password" title="budi — change password"' in html
    page = client.get("/counter/password").get_data(as_text=True)
    assert "<title>Ganti kata sandi · " in page and 'autocomplete="current-password"' in page


# ---- the page, in Chromium: from the name in the bar, by keyboard, in both languages at 1024x768 -----------
FORM = """() => ({
    values: [...document.querySelectorAll('#password-form input:not([type=checkbox])')].map((i) => i.value),
    types: [...document.querySelectorAll('#password-form input:not([type=checkbox])')].map((i) => i.type),
    invalid: [...document.querySelectorAll('#password-form [aria-invalid=true]')].map((i) => i.id),
    focused: document.activeElement && document.activeElement.id,
    wider: document.documentElement.scrollWidth > innerWidth,
})"""


def test_an_officer_changes_their_password_on_the_page_reached_from_their_name(browser, live):
    from playwright.sync_api import expect
    from staffpages import sign_in

    live.add_user("dewi", "officer")
    elsewhere = live.session("dewi", PASSWORD)  # the same account on another PC
    page = browser.new_page(viewport={"width": 1024, "height": 768}, locale="id-ID")
    sign_in(page, live, "/counter/escalations", "dewi")
    link = page.locator(".bar a.account-link")
    expect(link).to_have_attribute("title", "dewi — ganti kata sandi")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(live.url + "/counter/password")
    expect(page.locator("#password-form h1")).to_have_text("Ganti kata sandi")
    expect(page.locator(".bar a.account-link")).to_have_attribute("aria-current", "page")
    expect(page.locator("#password-lead")).to_contain_text("untuk akun dewi.")
    expect(page.locator("#pw-current")).to_be_focused()
    # all by keyboard: the new ones differ, which the page says at the field, and nothing is sent
    page.keyboard.type("salah-sekali")
    page.keyboard.press("Tab")
    page.keyboard.type(NEW)
    page.keyboard.press("Tab")
    page.keyboard.type(NEW + "x")
    page.keyboard.press("Enter")
    expect(page.locator("#pw-repeat-error")).to_have_text("Tidak sama dengan kata sandi baru di atas.")
    form = page.evaluate(FORM)
    assert form["invalid"] == ["pw-repeat"] and form["focused"] == "pw-repeat", form
    page.keyboard.press("Control+A")
    page.keyboard.type(NEW)
    page.keyboard.press("Tab")  # to the show box: Space shows what was typed, Space hides it again
    page.keyboard.press("Space")
    assert page.evaluate(FORM)["types"] == ["text", "text", "text"]
    page.keyboard.press("Space")
    assert page.evaluate(FORM)["types"] == ["password", "password", "password"]
    page.keyboard.press("Enter")
    # the server's words for a wrong current password, at its field, the field ready to type again
    expect(page.locator("#pw-current-error")).to_have_text("Kata sandi saat ini salah.")
    expect(page.locator("#pw-repeat-error")).to_have_text("")
    form = page.evaluate(FORM)
    assert form["invalid"] == ["pw-current"] and form["focused"] == "pw-current" and not form["wider"], form
    page.keyboard.type(PASSWORD)  # the wrong one was selected: typing replaces it
    page.keyboard.press("Enter")
    expect(page.locator("#password-notice")).to_have_text(
        "Kata sandi diganti. Akun ini sudah keluar di perangkat lain; di sini tetap masuk."
    )
    form = page.evaluate(FORM)
    assert form["values"] == ["", "", ""] and form["invalid"] == [] and not form["wider"], form
    assert elsewhere.get(live.url + "/api/me", timeout=5).status_code == 401  # the other PC is logged out
    assert page.context.request.get(live.url + "/api/me").ok  # this one is not
    assert live.session("dewi", NEW).get(live.url + "/api/me", timeout=5).json()["user"]["username"] == "dewi"
    # English: the words of the page and of its notice follow the switch
    page.click("#lang-toggle")
    expect(page.locator("#password-form h1")).to_have_text("Change password")
    expect(page.locator("label[for=pw-current]")).to_have_text("Current password")
    expect(page.locator("#password-notice")).to_have_text(
        "Password changed. This account has been logged out on other devices; here it stays logged in."
    )
    expect(page.locator(".bar a.account-link")).to_have_attribute("title", "dewi — change password")
    page.click("#pw-submit")  # nothing typed: said in English at every field
    for name in ("current", "new", "repeat"):
        expect(page.locator(f"#pw-{name}-error")).to_have_text("Required.")
    assert not page.evaluate(FORM)["wider"]
    page.click("#lang-toggle")  # back to Indonesian for the pages after this one
    expect(page.locator("#pw-current-error")).to_have_text("Wajib diisi.")
    page.context.close()


def test_leaving_the_page_while_the_new_password_is_on_its_way_is_asked_first(browser, live):
    """The officer pressed Simpan and at once the bar's Loket: the page left before the answer, and its cookie, the
    one that keeps this browser signed in with the new password, came; the server had made the change, and the
    counter page was signed out a moment later, "Sesi Anda berakhir: kata sandi akun ini diganti", where the page had
    said "di sini tetap masuk". While the new password is on its way the browser asks first (beforeunload); once it
    is saved, the page is left as any other."""
    from playwright.sync_api import expect
    from staffpages import sign_in

    live.add_user("wulan", "officer")
    page = browser.new_page(viewport={"width": 1024, "height": 768}, locale="id-ID")
    sign_in(page, live, "/counter/password", "wulan", check_name=False)  # a page without a live connection
    expect(page.locator("#pw-current")).to_be_focused()
    held = []
    page.route("**/api/me/password", lambda route: held.append(route))  # the answer not come yet
    asked = []

    def stay(dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()  # "stay on this page"

    page.on("dialog", stay)
    page.fill("#pw-current", PASSWORD)
    page.fill("#pw-new", NEW)
    page.fill("#pw-repeat", NEW)
    page.click("#pw-submit")
    expect(page.locator("#pw-submit")).to_be_disabled()
    page.locator("nav.staff-nav a[href='/counter/']").click(no_wait_after=True)
    while not asked:
        page.wait_for_event("dialog", timeout=10_000)  # none: the page left, the answer dropped
    assert asked == ["beforeunload"] and page.url == live.url + "/counter/password"
    held[0].continue_()  # the answer comes: saved, and this browser keeps its session
    expect(page.locator("#password-notice")).to_contain_text("Kata sandi diganti.")
    page.locator("nav.staff-nav a[href='/counter/']").click()
    page.wait_for_url(live.url + "/counter/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
    assert asked == ["beforeunload"]  # not asked again once saved
    assert page.context.request.get(live.url + "/api/me").ok
    page.context.close()
