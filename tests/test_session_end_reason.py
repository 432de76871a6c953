"""Why a staff session ended, said to the browser that held it: GET /api/me's 401 adds `ended` (a logout on another
PC, an admin's new password, the account's own new password elsewhere, disabled, a new role, the working day's end,
a `restore`), and the counter page's login says it in the officer's words. A request without a cookie, with a forged
or tampered one, or with another account's valid one learns nothing (no `ended`). A real server process (a clocked
one for the day's end), the command line's own processes, real Chromium.

A page whose session ends under it asks why 2 s after the server closed its socket (counter/static/common.js
connectLive's pause): the pages' clocks are Playwright's (installed before they load, running) and that pause is moved
past on them once the socket is closed (asked_why), not waited out. The servers never ping (pageclock.CALM_NUMBERS):
a page's heartbeat is not due however far its clock is moved."""

from __future__ import annotations

import pytest
import requests
from conftest import cheap_hash, write_config
from flask import Flask
from live import ClockedServer, LiveServer, restored_from_backup
from pageclock import CALM_NUMBERS
from playwright.sync_api import expect
from staffpages import PASSWORD, sign_in, staffed

from server.config import load_settings

VIEWPORT = {"width": 1366, "height": 768}
ERROR_KEYS = {"error", "message", "fields"}  # the one shape of every error (tests/test_roles_matrix.py)
WORDS = {  # the login's words after the session ended under the page
    "logout": "Sesi Anda berakhir: akun ini keluar (logout) di PC lain. Masuk lagi untuk melanjutkan.",
    "password": "Sesi Anda berakhir: kata sandi akun ini diganti. Masuk lagi untuk melanjutkan.",
    "disabled": "Sesi Anda berakhir: akun ini dinonaktifkan oleh admin. Masuk lagi untuk melanjutkan.",
    "role": "Sesi Anda berakhir: peran (role) akun ini diubah. Masuk lagi untuk melanjutkan.",
    "expired": "Sesi Anda berakhir: sesi berlaku sampai tengah malam, paling lama 10 jam setelah masuk. Masuk lagi"
    " untuk melanjutkan.",
}
_names = iter(f"petugas{n}" for n in range(100))
CLOSED_PAUSE_MS = 2000  # counter/static/common.js connectLive: the socket closed by the server, /api/me asked after it


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The module's server, its maintenance loop every 0.1 s: the command line's changes are taken within it."""
    config = write_config(tmp_path_factory.mktemp("reason"))
    server = ClockedServer(config, tick=0.1, numbers=CALM_NUMBERS).start()  # never pings: a page's clock moved on
    staffed(server)
    yield server
    server.stop()


def officer(live) -> str:
    """A new officer of this test alone (its sessions ended by nothing else)."""
    name = next(_names)
    live.add_user(name, "officer")
    return name


def me(s: requests.Session, live) -> requests.Response:
    return s.get(live.url + "/api/me", timeout=5)


def ended_of(s: requests.Session, live) -> str | None:
    """GET /api/me's `ended`, its 401 in the one error shape plus `ended` and nothing else."""
    r = me(s, live)
    assert r.status_code == 401, r.text
    body = r.json()
    assert body["error"] == "login_required", body
    assert set(body) - ERROR_KEYS <= {"ended"}, body
    assert ERROR_KEYS <= set(body), body
    return body.get("ended")


def end(live, reason: str, name: str, s: requests.Session | None = None) -> None:
    """End `name`'s sessions for `reason`, as it happens in the office."""
    admin = live.session("kepala", PASSWORD)
    if reason == "logout":  # the officer logs out on the other PC
        r = live.session(name, PASSWORD).post(live.url + "/api/logout", json={}, timeout=5)
    elif reason == "password":  # the admin sets a new password
        r = admin.post(f"{live.url}/api/admin/users/{name}/password", json={"password": "sandi-baru-123"}, timeout=5)
    elif reason == "disabled":
        r = admin.post(f"{live.url}/api/admin/users/{name}/active", json={"active": False}, timeout=5)
    elif reason == "role":  # no route changes a role today: as the command line changes an account (`users …`)
        with live._accounts(load_settings(live.config), cheap_hash) as accounts:
            accounts.change_user(name, "role", "cli", role="frontoffice")
        return
    r.raise_for_status()


@pytest.mark.parametrize("reason", ["logout", "password", "disabled", "role"])
def test_me_says_why_the_session_ended_to_the_browser_that_held_it(live, reason):
    name = officer(live)
    s = live.session(name, PASSWORD)
    assert me(s, live).status_code == 200
    end(live, reason, name)
    assert ended_of(s, live) == reason
    assert ended_of(s, live) == reason  # asked again: the same (the cookie is kept)


def test_a_disabled_account_enabled_again_says_disabled_and_a_password_comes_first(live):
    """Disabled and enabled again: the session ended by the disabling. A new password and a logout since the
    sign-in: the new password is what signing in again needs."""
    admin = live.session("kepala", PASSWORD)
    name = officer(live)
    s = live.session(name, PASSWORD)
    for active in (False, True):
        r = admin.post(f"{live.url}/api/admin/users/{name}/active", json={"active": active}, timeout=5)
        r.raise_for_status()
    assert ended_of(s, live) == "disabled"

    name = officer(live)
    s = live.session(name, PASSWORD)
    live.session(name, PASSWORD).post(live.url + "/api/logout", json={}, timeout=5).raise_for_status()
    r = admin.post(f"{live.url}/api/admin/users/{name}/password", json={"password": "sandi-baru-123"}, timeout=5)
    r.raise_for_status()
    assert ended_of(s, live) == "password"


def test_the_own_new_password_ends_the_other_pcs_session_for_password_and_not_its_own_later(live):
    """budi's new password on PC A ends his session on PC B (`password`); A's goes on, and when A's session ends
    later by a logout on a third PC, that is what A is told, not its own new password."""
    name = officer(live)
    a, b = live.session(name, PASSWORD), live.session(name, PASSWORD)
    r = a.post(live.url + "/api/me/password", json={"current": PASSWORD, "new": "sandi-baru-123"}, timeout=5)
    assert r.status_code == 200, r.text
    assert ended_of(b, live) == "password"
    assert me(a, live).status_code == 200
    live.session(name, "sandi-baru-123").post(live.url + "/api/logout", json={}, timeout=5).raise_for_status()
    assert ended_of(a, live) == "logout"


def forged(cookie: str, key: str) -> str:
    """The cookie's own content signed again with `key`, as Flask signs a session."""
    app = Flask("forged")
    app.secret_key = key
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps(serializer.loads_unsafe(cookie)[1])


def test_no_cookie_a_forged_or_tampered_one_or_another_accounts_learns_nothing(live):
    """The reason goes only with a cookie the server signed for that session."""
    name = officer(live)
    s = live.session(name, PASSWORD)
    end(live, "disabled", name)
    assert ended_of(s, live) == "disabled"
    cookie = s.cookies.get("session")
    key = (load_settings(live.config).server.data_dir / "secret_key").read_text().strip()

    assert ended_of(requests.Session(), live) is None  # no cookie
    for raw in (forged(cookie, "another-key-" + "x" * 40), cookie[:-2] + ("AA" if cookie[-2:] != "AA" else "BB")):
        other = requests.Session()
        other.cookies.set("session", raw)
        assert ended_of(other, live) is None, raw
    # the same content signed with the server's own key: the reason (what the forged one lacked is the signature)
    again = requests.Session()
    again.cookies.set("session", forged(cookie, key))
    assert ended_of(again, live) == "disabled"

    rina = live.session("rina", PASSWORD)  # another account's valid session: its own account, nothing ended
    r = me(rina, live)
    assert r.status_code == 200 and "ended" not in r.json() and r.json()["user"]["username"] == "rina"


def test_a_session_past_its_end_says_expired_and_the_page_says_it(tmp_path, browser):
    """A session lasts a working day (auth.SESSION_HOURS, here 72 seconds of the server's clock, moved past)."""
    numbers = {"auth.SESSION_HOURS": 0.02, **CALM_NUMBERS}
    server = ClockedServer(write_config(tmp_path), tick=0.1, numbers=numbers, sessions_on_clock=True).start()
    try:
        staffed(server)
        s = server.session("sari", PASSWORD)
        page = open_counter(browser, server, "budi", clock=True)
        server.advance(80)
        assert ended_of(s, server) == "expired"
        asked_why(page)
        expect(page.locator("#login-error")).to_have_text(WORDS["expired"], timeout=20_000)
        page.context.close()
    finally:
        server.stop()


def test_a_session_signed_in_before_a_restore_says_restore(tmp_path):
    cfg = write_config(tmp_path)
    server = LiveServer(cfg).start()

    def signed_in():
        staffed(server)
        return server.session("budi", PASSWORD)

    s = restored_from_backup(server, cfg, tmp_path / "b.db", signed_in)
    try:
        assert ended_of(s, server) == "restore"
        assert me(server.session("budi", PASSWORD), server).status_code == 200  # signed in again, it goes on
    finally:
        server.stop()


def open_counter(browser, live, name: str, clock: bool = False):
    """`name`'s counter page at Loket 2; with `clock`, Playwright's clock installed before it loads (running)."""
    page = browser.new_context(viewport=VIEWPORT, locale="id-ID").new_page()
    if clock:
        page.clock.install()
    page = sign_in(page, live, "/counter/", name)
    page.select_option("#counter-select", "2")
    return page


def asked_why(page) -> None:
    """Once the server closed the page's socket (its session ended), the page's clock (open_counter's `clock`) moved
    past the pause after which the page asks the server why (CLOSED_PAUSE_MS)."""
    page.wait_for_function("() => !window.antrianCounter.live.socket.connected", polling=20, timeout=20_000)
    page.clock.run_for(CLOSED_PAUSE_MS)


@pytest.mark.parametrize("reason", ["logout", "password", "disabled", "role"])
def test_the_counter_page_says_why_its_session_ended(live, browser, reason):
    """The session ends under the open page: its login says why; the name is kept."""
    name = officer(live)
    page = open_counter(browser, live, name, clock=True)
    end(live, reason, name)
    asked_why(page)
    expect(page.locator("#login-error")).to_have_text(WORDS[reason], timeout=20_000)
    expect(page.locator("#login-form [name=username]")).to_have_value(name)
    page.context.close()


def test_an_action_the_end_refused_is_named_with_the_reason(live, browser):
    """Istirahat pressed after a logout on the other PC (before the socket told the page): the login says why and
    that the break was not taken."""
    name = officer(live)
    page = open_counter(browser, live, name)
    page.evaluate("() => window.antrianCounter.live.socket.disconnect()")  # the page hears nothing: the press finds it
    end(live, "logout", name)
    page.click("#btn-pause")
    expect(page.locator("#login-error")).to_have_text(
        "Sesi Anda berakhir: akun ini keluar (logout) di PC lain. “Istirahat” tidak tersimpan. Masuk lagi untuk"
        " melanjutkan."
    )
    page.context.close()
