"""A staff page's action and someone else's change, crossing: the officer's "start" or the front office's
correction is answered while another change to the same ticket is on its way, and its events reach the page
before the answer (the answer slowed on the office's network). The answer carries the ticket as it was when the
action was done; taken last, it put back the older ticket (the visitor's old name at the counter, "menunggu" for a
visitor being called at the front office) until the next event. Now an answer whose `seq` the page's live events
are past already changes nothing the events drew (tests/test_answer_seq.py for the `seq` itself).

One real server for the module; each answer held with page.route (`route.fetch()`: the server's answer as it was
then) and given to the page after the other change's event."""

from __future__ import annotations

import pytest
from conftest import hold_first, until_on_page, write_config
from live import LiveServer
from playwright.sync_api import expect
from staffpages import PASSWORD, empty_queue, issue, open_front, sign_in, staffed

VIEWPORT = {"width": 1366, "height": 768}
FORM = {"agency": "CV Maju Bersama", "address": "Jl. Sudirman No. 12", "phone": "081234567890"}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    server = staffed(LiveServer(write_config(tmp_path_factory.mktemp("answer-seq"))).start())
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def clean_queue(office):
    empty_queue(office)
    yield


def correct_name(office, ticket: dict, was: str, name: str) -> None:
    """The front office corrects the name of a visitor `issue` registered as `was`, from another PC (POST
    /api/tickets/<token>/form: the whole form)."""
    front = office.session("rina", PASSWORD)
    body = {"name": name, "problem": f"{was}: lupa kata sandi akun penyedia SPSE", **FORM}
    r = front.post(f"{office.url}/api/tickets/{ticket['token']}/form", json=body, timeout=5)
    assert r.status_code == 200, r.text


def test_the_counter_keeps_a_name_corrected_while_its_start_was_answered(browser, office):
    visitor = issue(office, "Ani Wijaya")
    officer = office.session("budi", PASSWORD)
    officer.post(f"{office.url}/api/counters/1/call-next", json={}, timeout=5).raise_for_status()
    page = browser.new_context(viewport=VIEWPORT, locale="id-ID").new_page()
    sign_in(page, office, "/counter/", "budi")
    page.select_option("#counter-select", "1")
    expect(page.locator("#f-name")).to_have_text("Ani Wijaya")
    expect(page.locator("#t-status")).to_have_text("dipanggil")

    held = hold_first(page, "**/api/counters/1/start")
    page.click("#btn-start")
    until_on_page(page, lambda: held, "the page did not start")  # done on the server: the answer says "Ani Wijaya"
    expect(page.locator("#t-status")).to_have_text("dilayani")  # the start's own event
    correct_name(office, visitor, "Ani Wijaya", "Ani Wijaya Kusumawardani")
    expect(page.locator("#f-name")).to_have_text("Ani Wijaya Kusumawardani")  # its event, before the answer

    route, answer = held[0]
    assert answer.json()["ticket"]["form"]["name"] == "Ani Wijaya"  # the ticket as the start left it
    route.fulfill(response=answer)
    expect(page.locator("#solution")).to_be_focused()  # the answer taken: the visitor sits down, the cursor goes
    expect(page.locator("#f-name")).to_have_text("Ani Wijaya Kusumawardani")
    expect(page.locator("#t-status")).to_have_text("dilayani")
    page.context.close()


def test_the_front_office_keeps_a_call_made_while_its_correction_was_answered(browser, office):
    visitor = issue(office, "Bayu Pratama")
    page = open_front(browser, office)
    row = page.locator(f"#tickets tr[data-label='{visitor['label']}']")
    expect(row).to_contain_text("menunggu")

    row.locator("[data-act=edit]").click()
    page.fill("#r-name", "Bayu Pratama Nugroho")
    held = hold_first(page, "**/form")
    # the page's reads of the whole list (GET /api/tickets, after each change) kept unanswered until the end: what
    # the page shows of the ticket is what the events and the answer said
    lists = []
    page.route("**/api/tickets", lambda r: lists.append(r) if r.request.method == "GET" else r.fallback())
    page.click("#btn-register")
    until_on_page(page, lambda: held, "the page did not save the correction")
    officer = office.session("budi", PASSWORD)
    r = officer.post(f"{office.url}/api/counters/1/call-next", json={}, timeout=5)
    assert r.status_code == 200 and r.json()["ticket"]["label"] == visitor["label"], r.text
    expect(row).to_contain_text("dipanggil")  # the call's event, before the correction's answer

    route, answer = held[0]
    assert answer.json()["ticket"]["status"] == "waiting"  # the ticket as the correction left it
    route.fulfill(response=answer)
    expect(page.locator("#reg-notice")).to_contain_text(visitor["label"])  # the answer taken
    expect(page.locator("#btn-register")).to_have_text("Terbitkan nomor antrian")
    expect(row).to_have_attribute("data-status", "called")
    expect(row).to_contain_text("dipanggil")
    expect(row).to_contain_text("Bayu Pratama Nugroho")
    assert lists, "the page read no list after the changes"
    page.unroute("**/api/tickets")  # the reads held let go: they say the same
    expect(row).to_have_attribute("data-status", "called")
    page.context.close()
