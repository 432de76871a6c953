"""A day at the counter on the officer's 1366x768 laptop, by keyboard, on a real server in real Chromium: what
got in the officer's way (helper-338)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from staffpages import PASSWORD, empty_queue, issue, open_counter, resize, sign_in, staffed

LAPTOP = {"width": 1366, "height": 768}
STEP = "Langkah: buka menu Lupa Kata Sandi, masukkan e-mail terdaftar di SPSE, lalu ikuti tautan yang dikirim. "


@pytest.fixture(scope="module")
def office(live):
    return staffed(live)


@pytest.fixture(autouse=True)
def clean(office):
    empty_queue(office)


def serving(browser, live):
    """budi's counter page at Loket 1 on the laptop, a visitor served (N, then D), the cursor in the answer."""
    issue(live, "Sri Wahyuni", "A")
    page = open_counter(browser, live, viewport=LAPTOP)
    context = page.context
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.url)
    page.keyboard.press("n")
    expect(page.locator("#t-status")).to_have_attribute("data-status", "called")
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    return context, page


def paste(page, text: str) -> None:
    """`text` pasted into the focused field with Ctrl+V, from the clipboard, as the officer pastes from a document."""
    page.evaluate("(text) => navigator.clipboard.writeText(text)", text)
    page.keyboard.press("Control+v")


def beside_selesai(page) -> None:
    """The count in two lines at most beside Selesai, in the answer's column, at 1366 and 1024 px: Selesai's row
    keeps its height, and nothing under it moves."""
    for size in (LAPTOP, {"width": 1024, "height": 768}):
        resize(page, size)
        said, button = page.locator("#solution-count").bounding_box(), page.locator("#btn-resolve").bounding_box()
        assert said["height"] <= button["height"], (size, said, button)
        answer = page.locator("#solution").bounding_box()
        assert said["x"] + said["width"] <= answer["x"] + answer["width"] + 1, (size, said, answer)
    resize(page, LAPTOP)


def test_a_long_answer_says_how_near_it_is_to_its_4000_characters(browser, office):
    """A solution typed to its end (4,000 characters, the server's limit) ran into the box's maxlength: the letters
    typed after it, and the end of a longer text pasted from a document, went nowhere, and nothing said so. Beside
    Selesai the page now counts from 3,600 characters (*3.650 / 4.000 karakter*), says in red when the box is full
    and that a paste was cut; the count goes with the next ticket, and Selesai and every control stay on screen."""
    live = office
    context, page = serving(browser, live)
    try:
        count = page.locator("#solution-count")
        page.keyboard.type("Sudah dicek. ")
        expect(count).to_be_hidden()  # a short answer is not counted
        page.fill("#solution", (STEP * 40)[:3640])
        page.keyboard.type("Lanjut.")
        expect(count).to_be_visible()
        expect(count).to_have_text("3.647 / 4.000 karakter")
        expect(count).not_to_have_class("char-count full")

        page.keyboard.type("x" * 400)  # 47 letters past the limit: the box took 353 of them
        assert page.eval_on_selector("#solution", "e => e.value.length") == 4000
        expect(count).to_have_text("4.000 / 4.000 karakter: penuh, ketikan tidak masuk lagi")
        expect(count).to_have_class("char-count full")
        beside_selesai(page)

        page.fill("#solution", "")
        paste(page, STEP * 50)  # 5,150 characters from a document
        assert page.eval_on_selector("#solution", "e => e.value.length") == 4000
        expect(count).to_have_text("Tempelan terpotong: hanya 4.000 karakter yang masuk")
        expect(count).to_have_class("char-count full")
        for selector in ("#btn-resolve", "#btn-escalate", "#btn-transfer", "#category"):
            box = page.locator(selector).bounding_box()
            assert box and box["y"] + box["height"] <= LAPTOP["height"], (selector, box)
        assert page.evaluate("document.scrollingElement.scrollHeight <= innerHeight")
        beside_selesai(page)

        page.keyboard.press("Backspace")  # shortened: the count again, not the cut
        expect(count).to_have_text("3.999 / 4.000 karakter")

        page.click("#lang-toggle")
        expect(count).to_have_text("3,999 / 4,000 characters")
        page.click("#lang-toggle")

        page.keyboard.press("Control+Enter")  # Selesai with the whole answer: the next ticket's box is not counted
        expect(page.locator("#notice")).to_contain_text("selesai")
        expect(count).to_be_hidden()
    finally:
        context.close()


def test_after_the_session_ended_under_the_page_only_the_password_is_asked(browser, office):
    """The session ended under the counter page (the officer logged out on the other PC): the login asked for the
    name again, the cursor in it, while the page knew whose session it was. It now keeps the officer's name and
    puts the cursor in the password: typing it and Enter brings the ticket back with what was typed."""
    live = office
    context, page = serving(browser, live)
    other = browser.new_context(viewport=LAPTOP, locale="id-ID")
    try:
        page.keyboard.type("Akun sudah diverifikasi ulang")
        elsewhere = sign_in(other.new_page(), live, "/counter/", "budi")
        elsewhere.click("#logout")  # a ticket served there too: the page asks first
        elsewhere.click("#leave-confirm")
        expect(page.locator("#login-form")).to_be_visible(timeout=20000)
        expect(page.locator("#login-error")).to_contain_text("Sesi Anda berakhir: akun ini keluar (logout) di PC lain.")
        expect(page.locator("#login-form [name=username]")).to_have_value("budi")
        expect(page.locator("#login-form [name=password]")).to_be_focused()

        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        expect(page.locator("#officer-name")).to_have_text("budi")
        expect(page.locator("#solution")).to_have_value("Akun sudah diverifikasi ulang")
    finally:
        other.close()
        context.close()


def test_a_fresh_login_still_asks_for_the_name(browser, office):
    """The name is kept only after a session that ended under the page: a login page opened anew is empty, the
    cursor in the name (another officer may sit at this PC)."""
    context = browser.new_context(viewport=LAPTOP, locale="id-ID")
    try:
        page = context.new_page()
        page.goto(office.url + "/counter/")
        expect(page.locator("#login-form [name=username]")).to_be_focused()
        expect(page.locator("#login-form [name=username]")).to_have_value("")
    finally:
        context.close()
