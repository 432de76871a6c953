"""The front office page and the server's rules (real server, real Chromium): Cetak ulang only on a number
still to be called, a second number for one visitor said before it is issued (and issued when ticked), and
Ubah data fixing a waiting ticket's service and priority, locked once it is called."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect
from staffpages import FRONT_VISITOR, PASSWORD, issue, sign_in

VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture(scope="module", autouse=True)
def staff(live):
    live.add_user("rina", "frontoffice")
    live.add_user("sari", "officer")


def test_front_office_reprints_only_numbers_in_line_warns_of_a_second_number_and_fixes_service_and_priority(
    browser, live
):
    front = live.session("rina", PASSWORD)
    gita, hadi, ika = issue(live, "Gita Permata"), issue(live, "Hadi Kurniawan"), issue(live, "Ika Lestari")
    assert front.post(f"{live.url}/api/tickets/{hadi['token']}/cancel", json={}, timeout=5).status_code == 200

    context = browser.new_context(viewport=VIEWPORT, locale="id-ID")
    page = sign_in(context.new_page(), live, "/counter/front", "rina")
    row = lambda label: page.locator(f"#tickets tr[data-label='{label}']")  # noqa: E731
    expect(row(hadi["label"])).to_contain_text("dibatalkan")
    expect(row(hadi["label"]).locator("button[data-act=reprint]")).to_have_count(0)
    expect(row(gita["label"]).locator("button[data-act=reprint]")).to_have_count(1)

    # Gita again, her phone written with spaces: said, with her number, before a second one is issued
    page.select_option("#r-service", "A")
    page.fill("#r-name", "Gita Permata")
    page.fill("#r-agency", "CV Lain")
    page.fill("#r-address", "Jl. Merdeka 1")
    page.fill("#r-phone", "0812 3456 7890")
    page.fill("#r-problem", "Pertanyaan kedua")
    page.click("#btn-register")
    expect(page.locator("#reg-notice")).to_contain_text(f"sudah punya nomor {gita['label']} hari ini")
    expect(page.locator("#duplicate-row")).to_be_visible()
    page.check("#r-duplicate")
    page.click("#btn-register")
    expect(page.locator("#reg-notice")).to_contain_text("diterbitkan")
    expect(page.locator("#duplicate-row")).to_be_hidden()

    # Ika chose A at the kiosk but needs B, and is pregnant: fixed in Ubah data, her place kept
    row(ika["label"]).locator("button[data-act=edit]").click()
    expect(page.locator("#r-service")).to_be_enabled()
    expect(page.locator("#r-priority")).to_be_enabled()
    page.select_option("#r-service", "B")
    page.check("#r-priority")
    page.click("#btn-register")
    expect(page.locator("#reg-notice")).to_contain_text(
        f"Data {ika['label']} disimpan: kini di antrian B · Konsultasi Non-Penyedia (PPK/Pokja/PP), jalur prioritas."
    )  # and her slip to reprint (tests/test_front_morning_review.py)
    staff = front.get(f"{live.url}/api/tickets", timeout=5).json()["tickets"]
    mine = next(t for t in staff if t["label"] == ika["label"])
    assert (mine["service"], mine["priority"]) == ("B", True)
    expect(row(ika["label"]).locator(".tag.prio")).to_have_count(1)

    # Gita is called: her service and priority are locked in Ubah data
    r = live.session("sari", PASSWORD).post(f"{live.url}/api/counters/1/call-next", json={}, timeout=5)
    assert r.status_code == 200 and r.json()["ticket"]["label"] == gita["label"], r.text
    expect(row(gita["label"])).to_contain_text("dipanggil")
    row(gita["label"]).locator("button[data-act=edit]").click()
    expect(page.locator("#r-service")).to_be_disabled()
    expect(page.locator("#r-priority")).to_be_disabled()
    expect(page.locator("#r-name")).to_be_enabled()
    context.close()
    assert requests.get(f"{live.url}/api/tickets/{gita['token']}", timeout=5).json()["ticket"]["status"] == "called"


FOCUSED = "document.activeElement.id"


def test_the_keyboard_goes_on_after_the_second_number_question_a_correction_and_batal_mengubah(browser, live):
    """A morning queue at the desk, typed without the mouse: the issue button, disabled while the form is sent, lost
    the focus to the page's body after an answer marking no field, and after a correction saved; Space and Enter then
    did nothing, and the next visitor's name was a click away."""
    issue(live, FRONT_VISITOR["name"])  # the same phone as FRONT_VISITOR's, written otherwise below
    page = sign_in(browser.new_context(viewport=VIEWPORT, locale="id-ID").new_page(), live, "/counter/front", "rina")
    kb = page.keyboard
    expect(page.locator("#r-name")).to_be_focused()
    for field in ("name", "agency", "address"):
        kb.type(FRONT_VISITOR[field])
        kb.press("Tab")
    kb.type("+62 812-3456-7890")
    kb.press("Tab")  # Jenis
    kb.press("Tab")
    kb.type("Pertanyaan kedua")
    kb.press("Tab")  # Prioritas
    kb.press("Tab")
    kb.press("Enter")
    notice = page.locator("#reg-notice")
    expect(notice).to_contain_text("sudah punya nomor")
    # the question's tick has the focus: Space ticks it, Enter issues the second number
    expect(page.locator("#r-duplicate")).to_be_focused()
    kb.press("Space")
    kb.press("Enter")
    expect(notice).to_contain_text("diterbitkan")
    second = notice.text_content().split()[2]
    expect(page.locator("#r-name")).to_be_focused()

    # a wrong service corrected by keyboard (Ubah data, the service, Simpan): the next visitor's name has the focus
    page.locator(f"#tickets tr[data-label='{second}'] button[data-act=edit]").focus()
    kb.press("Enter")
    expect(page.locator("#r-name")).to_be_focused()
    kb.press("Shift+Tab")
    kb.type("B")
    expect(page.locator("#r-service")).to_have_value("B")
    kb.press("Enter")  # on the service's list, as in the name or the address: saved
    expect(notice).to_contain_text(f"Data {second} disimpan: kini di antrian B")
    expect(page.locator("#r-name")).to_be_focused()
    kb.type("Nur'aini")  # the next visitor, at once
    expect(page.locator("#r-name")).to_have_value("Nur'aini")

    # Batal mengubah (its button hidden with it): the name again, with what was being typed put back
    page.locator(f"#tickets tr[data-label='{second}'] button[data-act=edit]").focus()
    kb.press("Enter")
    page.locator("#btn-cancel-edit").focus()
    kb.press("Enter")
    expect(page.locator("#r-name")).to_have_value("Nur'aini")
    expect(page.locator("#r-name")).to_be_focused()
    assert page.evaluate(FOCUSED) == "r-name"
    page.context.close()
