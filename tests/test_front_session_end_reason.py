"""Why a staff session ended, said on the front office's page as the counter page says it (helper-349 gave the counter
page GET /api/me's `ended`): the front office's login said a bare "Sesi Anda sudah berakhir" whether the clerk had
logged out on another PC, an admin had set a new password or disabled the account. And on either page the language
switch on that login redrew everything but those words: the reason stayed in the language it was first said in.
A real server process (its maintenance loop every 0.1 s), real Chromium, the session ended as it happens in the office.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write_config
from live import ClockedServer
from playwright.sync_api import expect
from staffpages import FRONT_VIEWPORT, FRONT_VISITOR, PASSWORD, fill_front, open_front, sign_in, staffed

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = {lang: json.loads((ROOT / "server" / "i18n" / f"{lang}.json").read_text("utf-8")) for lang in ("id", "en")}
REASONS = ("logout", "expired", "disabled", "password", "role", "restore")
WHY_ID = {
    "logout": "Sesi Anda berakhir: akun ini keluar (logout) di PC lain.",
    "password": "Sesi Anda berakhir: kata sandi akun ini diganti.",
    "disabled": "Sesi Anda berakhir: akun ini dinonaktifkan oleh admin.",
}
WHY_EN = {
    "logout": "Your session ended: this account logged out on another PC.",
    "password": "Your session ended: this account's password was changed.",
    "disabled": "Your session ended: an admin disabled this account.",
}
AGAIN = {"id": "Masuk lagi untuk melanjutkan.", "en": "Log in again to continue."}
KEPT = {"id": "Isian pengunjung yang belum diterbitkan masih ada.", "en": "The unissued visitor's details are kept."}
_names = iter(f"loket{n}" for n in range(100))


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = ClockedServer(write_config(tmp_path_factory.mktemp("front-reason")), tick=0.1).start()
    staffed(server)
    yield server
    server.stop()


def account(live, role: str) -> str:
    """A new account of this test alone (its sessions ended by nothing else)."""
    name = next(_names)
    live.add_user(name, role, password=PASSWORD)
    return name


def end(live, reason: str, name: str) -> None:
    """End `name`'s sessions for `reason`, as it happens in the office."""
    admin = live.session("kepala", PASSWORD)
    if reason == "logout":  # the clerk logs out on the other PC
        r = live.session(name, PASSWORD).post(live.url + "/api/logout", json={}, timeout=5)
    elif reason == "password":  # the admin sets a new password
        r = admin.post(f"{live.url}/api/admin/users/{name}/password", json={"password": "sandi-baru-123"}, timeout=5)
    else:
        r = admin.post(f"{live.url}/api/admin/users/{name}/active", json={"active": False}, timeout=5)
    r.raise_for_status()


def test_the_front_office_says_the_reasons_in_the_counter_pages_words():
    for lang in ("id", "en"):
        words = CATALOGUE[lang]
        for reason in REASONS:
            assert words[f"front.ended.why.{reason}"] == words[f"counter.ended.why.{reason}"], (lang, reason)
        assert words["front.ended.again"] == words["counter.ended.again"], lang


@pytest.mark.parametrize("reason", ["logout", "password", "disabled"])
def test_the_front_office_says_why_its_session_ended_and_says_it_again_in_english(live, browser, reason):
    """The session ends under the open page (the socket closed by the server): its login says why, and that the
    half-typed visitor is kept; the language switch says all of it in English, and back."""
    name = account(live, "frontoffice")
    page = open_front(browser, live, username=name)
    fill_front(page, {"name": "Rahmat Hidayat", "agency": "CV Sinar Jaya"})  # the next visitor, half typed
    end(live, reason, name)
    error = page.locator("#login-error")
    expect(error).to_have_text(f"{WHY_ID[reason]} {AGAIN['id']} {KEPT['id']}", timeout=20_000)
    # the name kept, as at the counter: the password is what is typed
    expect(page.locator("#login-form [name=username]")).to_have_value(name)
    expect(page.locator("#login-form [name=password]")).to_be_focused()
    page.click("#lang-toggle")
    expect(page.locator("#lang-toggle")).to_have_text("Bahasa Indonesia")
    expect(error).to_have_text(f"{WHY_EN[reason]} {AGAIN['en']} {KEPT['en']}")
    page.click("#lang-toggle")
    expect(error).to_have_text(f"{WHY_ID[reason]} {AGAIN['id']} {KEPT['id']}")
    page.context.close()


def test_the_front_office_names_the_reason_beside_what_it_said_before(live, browser):
    """The number just issued (which the clerk is to tell the visitor) is still said, after the reason and in the
    words it was said in; once signed in again, the login's words are gone."""
    name = account(live, "frontoffice")
    page = open_front(browser, live, username=name)
    fill_front(page, FRONT_VISITOR)
    page.click("#btn-register")
    notice = page.locator("#reg-notice")
    expect(notice).to_contain_text("diterbitkan")
    issued = notice.text_content()
    end(live, "logout", name)
    error = page.locator("#login-error")
    expect(error).to_have_text(f"{WHY_ID['logout']} Sebelumnya: {issued} {AGAIN['id']}", timeout=20_000)
    page.click("#lang-toggle")
    expect(error).to_have_text(f"{WHY_EN['logout']} Before that: {issued} {AGAIN['en']}")
    # signed in again: the words go, and the switch brings them back no more
    expect(page.locator("#login-form [name=username]")).to_have_value(name)
    page.fill("#login-form [name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
    expect(error).to_have_text("")
    page.context.close()


def test_the_counter_pages_reason_follows_the_language_switch_on_its_login(live, browser):
    """The counter page said why (helper-349), in Indonesian only: the switch to English left it as it was."""
    name = account(live, "officer")
    page = sign_in(browser.new_context(viewport=FRONT_VIEWPORT, locale="id-ID").new_page(), live, "/counter/", name)
    page.select_option("#counter-select", "2")
    page.evaluate("() => window.antrianCounter.live.socket.disconnect()")  # the page hears nothing: the press finds it
    end(live, "logout", name)
    page.click("#btn-pause")
    error = page.locator("#login-error")
    expect(error).to_have_text(f"{WHY_ID['logout']} “Istirahat” tidak tersimpan. {AGAIN['id']}")
    page.click("#lang-toggle")
    expect(error).to_have_text(f"{WHY_EN['logout']} “Pause” was not saved. {AGAIN['en']}")
    page.click("#lang-toggle")
    expect(error).to_have_text(f"{WHY_ID['logout']} “Istirahat” tidak tersimpan. {AGAIN['id']}")
    page.context.close()


def test_the_announcement_typed_when_the_session_ends_is_back_in_its_dialog(live, browser):
    """The clerk is typing the waiting room's announcement when the session ends (logged out on the other PC): the
    page went to its login and the text was gone with it. Now the login says it is kept, and once signed in the
    dialog is open again with the text as typed, not saved, said so; what was shown stays shown until Simpan."""
    name = account(live, "frontoffice")
    admin = live.session("kepala", PASSWORD)
    shown = {"text": "Loket 2 istirahat sampai pukul 13.00."}
    assert admin.put(f"{live.url}/api/announcement", json=shown, timeout=5).status_code == 200
    page = open_front(browser, live, username=name)
    try:
        page.click("#btn-announcement")
        typed = "SPSE sedang gangguan nasional; pendaftaran tetap dilayani."
        page.fill("#ann-text", typed)
        page.fill("#ann-text-en", "SPSE is down nationwide.")
        page.keyboard.press("Escape")  # closed, the text kept for the next opening (and now past the login)
        end(live, "logout", name)
        error = page.locator("#login-error")
        kept = "Teks pengumuman yang Anda ketik masih ada: setelah masuk, Pengumuman terbuka lagi dengan teks itu, belum disimpan."
        expect(error).to_have_text(f"{WHY_ID['logout']} {AGAIN['id']} {kept}", timeout=20_000)
        page.click("#lang-toggle")
        expect(error).to_contain_text("The announcement text you typed is kept")
        page.click("#lang-toggle")
        page.fill("#login-form [name=password]", PASSWORD)
        page.click("#login-form button[type=submit]")
        expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
        dialog = page.locator("#announcement-dialog")
        expect(dialog).to_be_visible()
        expect(page.locator("#ann-text")).to_have_value(typed)
        expect(page.locator("#ann-text-en")).to_have_value("SPSE is down nationwide.")
        expect(page.locator("#ann-text")).to_be_focused()
        # nothing changed meanwhile: said kept, not "changed on another PC"
        expect(page.locator("#ann-said")).to_have_text(
            "Teks ini Anda ketik sebelum sesi berakhir dan belum disimpan: periksa, lalu Simpan."
        )
        expect(page.locator("#ann-now")).to_have_text("Tampil di TV dan kios sampai pukul 24.00 hari ini.")
        assert admin.get(f"{live.url}/api/announcement", timeout=5).json()["announcement"]["text"] == shown["text"]
        page.click("#ann-save")
        expect(page.locator("#ann-said")).to_have_text("Tersimpan.")
        assert admin.get(f"{live.url}/api/announcement", timeout=5).json()["announcement"]["text"] == typed
        page.keyboard.press("Escape")
        # a later session's end with nothing typed says nothing of it
        end(live, "logout", name)
        expect(error).to_have_text(f"{WHY_ID['logout']} {AGAIN['id']}", timeout=20_000)
    finally:
        page.context.close()
        admin.put(f"{live.url}/api/announcement", json={"text": ""}, timeout=5)
