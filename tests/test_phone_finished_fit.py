"""The visitor's phone page once the ticket is finished, on small phones (360x640, 320x568). Found by helper-350's
brief: served, the survey's invitation had its title and text on the first screen but its "Isi survei" button
started under the screen's bottom (the number's card stayed full size); after a survey with a 2,000-character
complaint the thanks card's "Ubah jawaban" sat under the visitor's own text, screens down. A real server process and
real Chromium as the phone."""

from __future__ import annotations

import requests
from conftest import visitor, write_config
from live import LiveServer
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import counter_actions

SIZES = ({"width": 360, "height": 640}, {"width": 320, "height": 568})
# the longest of the demo's service names: three lines under the number at 320 px before
SERVICE_B = "Konsultasi Non-Penyedia (PPK/Pokja/PP)"


def issue(server, service: str) -> dict:
    r = requests.post(f"{server.url}/api/tickets", json=visitor(service=service), timeout=5)
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def phone_context(browser, size: dict):
    return browser.new_context(viewport=size, is_mobile=True, has_touch=True, device_scale_factor=2)


def open_phone(context, server, token: str, query: str = ""):
    page = context.new_page()
    page.goto(f"{server.url}/t/{token}{query}")
    page.wait_for_function("() => window.antrianPhone && antrianPhone.connected()", polling=50)
    return page


def whole_on_first_screen(page, selector: str, size: dict) -> None:
    assert page.evaluate("scrollY") == 0
    box = page.locator(selector).bounding_box()
    assert box is not None and box["y"] >= 0, (selector, box)
    assert box["y"] + box["height"] <= size["height"], (selector, box, size)


def test_the_survey_button_is_whole_on_the_first_screen_once_served(browser, tmp_path):
    """Served at Loket 2, the vendor's page (opened while waiting) turns to the survey's invitation: "Isi survei" is
    whole on the first screen, under the number's card (drawn smaller) and the note, in both languages, at 360x640
    and 320x568; opened again from the slip's code too."""
    server = LiveServer(write_config(tmp_path)).start()
    try:
        server.add_user("petugas", "officer")
        officer = counter_actions(server, "petugas", counter=2)
        mine = issue(server, "B")
        for size in SIZES:
            context = phone_context(browser, size)
            try:
                page = open_phone(context, server, mine["token"])
                if size is SIZES[0]:  # live: waiting, called, served, done
                    expect(page.locator("#status")).to_have_text("menunggu")
                    officer("call-next")
                    expect(page.locator("#called")).to_be_visible()
                    officer("start")
                    officer("resolve")
                expect(page.locator("#status")).to_have_text("selesai")
                expect(page.locator("#service")).to_have_text(SERVICE_B)
                for lang, start in (("id", "Isi survei"), ("en", "Take the survey")):
                    if lang == "en":
                        page.tap("#lang-toggle")
                    expect(page.locator("#survey-start")).to_have_text(start)
                    expect(page.locator("#survey-invite")).to_be_visible()
                    expect(page.locator("#label")).to_have_text(mine["label"])
                    whole_on_first_screen(page, "#survey-start", size)
                    keep_shot(page, f"phone-finished-{size['width']}-{lang}.png")
            finally:
                context.close()
    finally:
        server.stop()


def answer_survey(page, suggestion: str) -> None:
    page.tap("#survey-start")
    for code in ("U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9"):
        page.tap(f'[data-field="answers.{code}"] [data-score="2"]')
    page.tap('[data-field="profile.sex"] [data-code="L"]')
    page.fill("#survey-age", "41")
    page.tap('[data-field="profile.education"] [data-code="s1"]')
    page.tap('[data-field="profile.occupation"] [data-code="swasta"]')
    page.fill("#survey-suggestion", suggestion)
    page.tap("#survey-submit")
    expect(page.locator("#survey-done")).to_be_visible()


def height(page, selector: str) -> float:
    return page.locator(selector).bounding_box()["height"]


def test_a_long_complaint_is_folded_with_a_show_all_toggle_and_ubah_jawaban_stays_near(browser, tmp_path):
    """A 2,000-character complaint: on the thanks card it takes its first lines and "Tampilkan semua" (a button:
    aria-expanded, Enter and Space), and "Ubah jawaban" is on the screen the card opens at. Opened, the whole text;
    folded again, the lines. A short text after a correction has no toggle."""
    size = SIZES[0]
    server = LiveServer(write_config(tmp_path)).start()
    context = phone_context(browser, size)
    try:
        server.add_user("petugas", "officer")
        officer = counter_actions(server, "petugas")
        mine = issue(server, "C")
        page = open_phone(context, server, mine["token"])
        officer("call-next")
        officer("start")
        officer("resolve")
        expect(page.locator("#survey-invite")).to_be_visible()
        complaint = ("Verifikasi akun SPSE perusahaan kami tertunda tiga minggu tanpa kabar dari petugas. " * 30)[:2000]
        answer_survey(page, complaint)

        own = page.locator("#survey-own-text")
        more = page.get_by_role("button", name="Tampilkan semua")
        expect(own).to_have_text(complaint)  # whole in the page: a screen reader reads it all
        expect(more).to_be_visible()
        expect(more).to_have_attribute("aria-expanded", "false")
        expect(more).to_have_attribute("aria-controls", "survey-own-text")
        line = float(own.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))
        folded = height(page, "#survey-own-text")
        assert folded <= 4 * line + 2, (folded, line)
        done = page.locator("#survey-done")
        done.evaluate("el => el.scrollIntoView({block: 'start'})")
        top = done.bounding_box()["y"]
        edit = page.locator("#survey-edit").bounding_box()
        assert edit["y"] + edit["height"] <= top + size["height"], (top, edit)  # near: on the card's first screen
        keep_shot(page, "phone-own-folded.png")

        more.tap()
        less = page.get_by_role("button", name="Tampilkan lebih sedikit")
        expect(less).to_have_attribute("aria-expanded", "true")
        opened = height(page, "#survey-own-text")
        assert abs(opened - own.evaluate("el => el.scrollHeight")) < 1 and opened > 10 * folded, (opened, folded)
        keep_shot(page, "phone-own-open.png", full_page=True)

        less.focus()  # the keyboard: Enter folds it, Space opens it
        page.keyboard.press("Enter")
        expect(more).to_have_attribute("aria-expanded", "false")
        assert height(page, "#survey-own-text") == folded
        more_box = more.bounding_box()
        assert 0 <= more_box["y"] and more_box["y"] + more_box["height"] <= size["height"]  # not left far below it
        page.keyboard.press("Space")
        expect(less).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("Enter")
        expect(more).to_be_focused()

        page.tap("#lang-toggle")
        expect(page.get_by_role("button", name="Show all")).to_have_attribute("aria-expanded", "false")
        page.tap("#lang-toggle")

        page.tap("#survey-edit")  # corrected with a short text: nothing to fold, no toggle
        page.fill("#survey-suggestion", "Mohon dipercepat.")
        page.tap("#survey-submit")
        expect(own).to_have_text("Mohon dipercepat.")
        expect(page.locator("#survey-own-more")).to_be_hidden()
        assert "folded" not in (own.get_attribute("class") or "")
    finally:
        context.close()
        server.stop()
