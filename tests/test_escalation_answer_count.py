"""The Eskalasi page's box for LKPP's answer takes 4,000 characters (the server's limit, its maxlength): a longer answer
pasted from LKPP's e-mail was cut there and nothing said so, and the case closed with the end of the answer missing.
It now says what the counter's answer and analysis boxes say (common.js lengthCount, one helper for both pages):
from 3,600 characters "3.650 / 4.000 karakter", in red at the limit that the box is full, and that a paste was cut,
until the box's next change; in English too.

A real server process (tests/live.py), real HTTP, headless Chromium, pasting from the real clipboard.
Set ANTRIAN_SCREENSHOTS=1 to write screenshots of the box at 1366x768 and 1024x768 to the pytest temporary folder.
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect
from staffpages import PASSWORD, empty_queue, issue, resize, sign_in, staffed

LAPTOP = {"width": 1366, "height": 768}
LINE = "Jawaban LKPP: akun penyedia sudah dibuka kembali, silakan login ulang dan ganti kata sandi segera. "


@pytest.fixture(scope="module")
def office(live):
    return staffed(live)


@pytest.fixture(autouse=True)
def no_open_cases(office):
    empty_queue(office)
    officer = office.session("budi", PASSWORD)
    for case in officer.get(office.url + "/api/escalations", timeout=5).json()["escalations"]:
        r = officer.post(f"{office.url}/api/tickets/{case['id']}/close", json={"answer": "Dibersihkan."}, timeout=5)
        assert r.status_code == 200, r.text


def escalated(office, name: str) -> dict:
    """A visitor served at Loket 1 by budi and escalated: the open case."""
    ticket = issue(office, name, "A")
    officer = office.session("budi", PASSWORD)
    for action, data in (("call-next", {}), ("start", {}), ("escalate", {"note": "Akun terkunci, perlu LKPP."})):
        r = officer.post(f"{office.url}/api/counters/1/{action}", json=data, timeout=5)
        assert r.status_code == 200, r.text
    return ticket


def shot(page, tmp_path, name: str) -> None:
    if os.environ.get("ANTRIAN_SCREENSHOTS"):
        path = tmp_path / f"{name}-{page.viewport_size['width']}.png"
        page.screenshot(path=str(path))
        print(f"screenshot: {path}")


def paste(page, text: str) -> None:
    """`text` pasted into the focused box with Ctrl+V, from the clipboard, as the officer pastes LKPP's e-mail."""
    page.evaluate("(text) => navigator.clipboard.writeText(text)", text)
    page.keyboard.press("Control+v")


def test_the_answer_box_says_its_length_near_4000_and_a_paste_cut_there(browser, office, tmp_path):
    ticket = escalated(office, "Sri Wahyuni")
    context = browser.new_context(viewport=LAPTOP, locale="id-ID")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=office.url)
    page = sign_in(context.new_page(), office, "/counter/escalations", "budi")
    try:
        card = page.locator(f"#cases li.case[data-label='{ticket['label']}']")
        answer = card.locator("textarea[name=answer]")
        count = card.locator("form.f-close .char-count")
        expect(answer).to_have_attribute("maxlength", "4000")
        answer.click()
        page.keyboard.type("Akun sudah dibuka. ")
        expect(count).to_be_hidden()  # a short answer is not counted

        answer.fill((LINE * 40)[:3640])
        page.keyboard.type("Lanjut.")  # 3,647: past 90 % of the limit
        expect(count).to_be_visible()
        expect(count).to_have_text("3.647 / 4.000 karakter")
        expect(count).not_to_have_class("char-count full")

        page.keyboard.type("x" * 400)  # past the limit: the box took 353 of the letters
        assert answer.evaluate("e => e.value.length") == 4000
        expect(count).to_have_text("4.000 / 4.000 karakter: penuh, ketikan tidak masuk lagi")
        expect(count).to_have_class("char-count full")

        answer.fill("")
        expect(count).to_be_hidden()
        paste(page, LINE * 50)  # about 5,000 characters from LKPP's e-mail
        assert answer.evaluate("e => e.value.length") == 4000
        expect(count).to_have_text("Tempelan terpotong: hanya 4.000 karakter yang masuk")
        expect(count).to_have_class("char-count full")
        for size in (LAPTOP, {"width": 1024, "height": 768}):  # the count under the box, Tutup kasus beside it
            resize(page, size)
            said, box = count.bounding_box(), answer.bounding_box()
            assert said["y"] >= box["y"] + box["height"] - 1, (size, said, box)
            assert said["x"] + said["width"] <= card.bounding_box()["x"] + card.bounding_box()["width"], (size, said)
            expect(card.locator("button.close-case")).to_be_visible()
            count.scroll_into_view_if_needed()
            shot(page, tmp_path, "escalation-answer-cut")
        resize(page, LAPTOP)

        page.keyboard.press("Backspace")  # shortened: the count again, not the cut
        expect(count).to_have_text("3.999 / 4.000 karakter")
        page.click("#lang-toggle")
        expect(count).to_have_text("3,999 / 4,000 characters")
        answer.focus()  # back in the box, at its end
        page.keyboard.press("Control+End")
        page.keyboard.type("y")
        expect(count).to_have_text("4,000 / 4,000 characters: full, typing goes no further")
        paste(page, LINE)  # nothing fits: a paste cut, in English
        expect(count).to_have_text("Paste cut: only 4,000 characters fit")
        page.click("#lang-toggle")
        expect(count).to_have_text("Tempelan terpotong: hanya 4.000 karakter yang masuk")
    finally:
        context.close()


def test_the_lkpp_number_says_a_paste_cut_at_its_100_characters(browser, office, tmp_path):
    """LKPP's whole reply line pasted into the LKPP number (100 characters, the server's limit, its
    maxlength) was cut at 100 and nothing said so; saved, the number was the cut one. The field now says it as the
    answer's box does, at 1024x768 as at 1366x768, and nothing once the number is saved and the field empty."""
    ticket = escalated(office, "Rudi Hartono")
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="id-ID")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=office.url)
    page = sign_in(context.new_page(), office, "/counter/escalations", "budi")
    try:
        card = page.locator(f"#cases li.case[data-label='{ticket['label']}']")
        number = card.locator("input[name=lkpp_ticket]")
        count = card.locator("form.f-lkpp .char-count")
        expect(number).to_have_attribute("maxlength", "100")
        number.click()
        reply = "Terima kasih, laporan Anda sudah kami terima dengan nomor tiket TTS-2026-12070001; mohon menunggu"
        paste(page, reply + " tindak lanjut dari tim kami.")  # 126 characters
        assert number.evaluate("e => e.value.length") == 100
        expect(count).to_have_text("Tempelan terpotong: hanya 100 karakter yang masuk")
        expect(count).to_have_class("char-count full")
        said, field = count.bounding_box(), number.bounding_box()
        assert said["y"] >= field["y"] + field["height"] - 1, (said, field)
        assert said["x"] + said["width"] <= card.bounding_box()["x"] + card.bounding_box()["width"], said
        shot(page, tmp_path, "escalation-lkpp-cut")
        number.fill("TTS-2026-12070001")
        expect(count).to_be_hidden()
        number.fill("T" * 95)
        expect(count).to_have_text("95 / 100 karakter")
        card.locator("button.save-lkpp").click()
        expect(card.locator(".lkpp")).to_have_text("Tiket LKPP: " + "T" * 95)
        expect(number).to_have_value("")
        expect(count).to_be_hidden()  # the field emptied by the save: no count left under it
    finally:
        context.close()


def test_the_counter_boxes_still_say_theirs_through_the_shared_helper(browser, office):
    """The counter's answer box, moved onto the same helper: its count and its cut paste as before."""
    issue(office, "Budi Hartono", "A")
    context = browser.new_context(viewport=LAPTOP, locale="id-ID")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=office.url)
    page = sign_in(context.new_page(), office, "/counter/", "budi")
    try:
        page.select_option("#counter-select", "1")
        page.keyboard.press("n")
        expect(page.locator("#t-status")).to_have_attribute("data-status", "called")
        page.keyboard.press("d")
        expect(page.locator("#solution")).to_be_focused()
        count = page.locator("#solution-count")
        page.fill("#solution", (LINE * 40)[:3700])
        page.keyboard.type("a")
        expect(count).to_have_text("3.701 / 4.000 karakter")
        page.fill("#solution", "")
        paste(page, LINE * 50)
        expect(count).to_have_text("Tempelan terpotong: hanya 4.000 karakter yang masuk")
        page.focus("#note")
        paste(page, LINE * 50)
        expect(page.locator("#note-count")).to_have_text("Tempelan terpotong: hanya 4.000 karakter yang masuk")
    finally:
        context.close()
