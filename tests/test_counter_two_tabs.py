"""One officer's counter page open in two tabs (the page opened again in a new tab, the first left open): the form copy's
button (SOP step 12) names the visitor last finished at the counter in both. It named the visitor the tab itself had
finished: the first tab said "Cetak salinan formulir A-001" while the second had finished A-002 and served A-003, and P
there printed A-001's copy again. Real server, Chromium, and Loket 1's printer a closed port (its copies fail)."""

from __future__ import annotations

import pytest
import requests
from conftest import write_config
from live import LiveServer, free_port
from playwright.sync_api import expect
from staffpages import PASSWORD, counter_page, empty_queue, issue, sign_in, staffed

VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    config = write_config(
        tmp_path_factory.mktemp("counter-two-tabs"),
        {'name = "Loket 1"\nservices = ["A", "C"]': 'name = "Loket 1"\nservices = ["A", "C"]\nprinter = "loket1"'},
        extra=f'\n[printers.loket1]\ntype = "network"\nhost = "127.0.0.1"\nport = {free_port()}\ntimeout = 1\n',
    )
    server = LiveServer(config).start()
    staffed(server)
    yield server
    server.stop()


def finish(page, solution: str) -> None:
    """Call the next visitor, start serving and finish (Selesai) on `page`."""
    page.click("#btn-call-next")
    expect(page.locator("#btn-start")).to_be_enabled()
    page.click("#btn-start")
    page.fill("#solution", solution)
    page.click("#btn-resolve")
    expect(page.locator("#btn-call-next")).to_be_enabled()


def names(page, label: str, token: str) -> None:
    """`page`'s form copy button and its A4 link are `label`'s."""
    expect(page.locator("#btn-print-form [data-label]")).to_have_text(label)
    expect(page.locator("#btn-print-form")).to_be_enabled()
    expect(page.locator("#link-form-a4")).to_have_attribute("href", f"/counter/form/{token}")


def test_both_tabs_of_a_counter_name_the_visitor_last_finished_there(browser, office):
    ani, bayu, cici = (issue(office, name) for name in ("Ani", "Bayu", "Cici"))
    with counter_page(browser, office) as first:
        finish(first, "Kata sandi direset.")
        names(first, ani["label"], ani["token"])
        # the page opened again in a new tab, the same login (the counter is the browser's, the form copy the tab's)
        second = first.context.new_page()
        second.goto(office.url + "/counter/")
        expect(second.locator("#live-status")).to_have_attribute("data-state", "on")
        expect(second.locator("#counter-select")).to_have_value("1")
        finish(second, "Akun diverifikasi.")
        names(second, bayu["label"], bayu["token"])
        names(first, bayu["label"], bayu["token"])  # it said A-001
        # the next visitor served in the second tab: both still give Bayu's copy, not Ani's
        second.click("#btn-call-next")
        expect(second.locator("#t-label")).to_have_text(cici["label"])
        second.click("#btn-start")
        expect(first.locator("#t-label")).to_have_text(cici["label"])
        names(first, bayu["label"], bayu["token"])
        # Bayu's copy sent from the second tab, its printer off: the first says so too, of Bayu's copy
        second.click("#btn-print-form")
        for page in (second, first):
            expect(page.locator("#copy-alert")).to_be_visible(timeout=15000)
            expect(page.locator("#copy-alert-text")).to_contain_text(f"Salinan formulir {bayu['label']} belum tercetak")
        # Cici finished in the first tab: the second names her
        first.fill("#solution", "Dokumen dikompres lalu diunggah.")
        first.click("#btn-resolve")
        names(first, cici["label"], cici["token"])
        names(second, cici["label"], cici["token"])
        expect(second.locator("#copy-alert")).to_be_hidden()  # Cici's copy: not sent yet
        # Bayu's copy, still not printed, listed under it in both, with its Cetak ulang
        for page in (first, second):
            expect(page.locator(f"#copy-earlier li[data-label='{bayu['label']}']")).to_be_visible()


def test_a_counter_page_opened_after_the_finish_offers_that_visitors_copy(browser, office):
    """The counter's tab closed by mistake after Selesai, opened again (or the page opened on another PC): the button
    named nobody until the next finish, and the officer could not print the copy of the visitor still standing at the
    counter (SOP step 12). The server's last finish at the counter today is offered, to the counter's staff only."""
    empty_queue(office)
    dewi = issue(office, "Dewi")
    issue(office, "Eko")  # the next visitor waits (Panggil berikutnya stays on after the finish)
    context = browser.new_context(viewport=VIEWPORT, locale="id-ID")
    other_pc = browser.new_context(viewport=VIEWPORT, locale="id-ID")
    try:
        page = sign_in(context.new_page(), office, "/counter/", "budi")
        page.select_option("#counter-select", "1")
        finish(page, "Kata sandi direset.")
        names(page, dewi["label"], dewi["token"])
        page.close()  # closed by mistake
        again = context.new_page()
        again.goto(office.url + "/counter/")
        expect(again.locator("#live-status")).to_have_attribute("data-state", "on")
        expect(again.locator("#counter-select")).to_have_value("1")
        names(again, dewi["label"], dewi["token"])  # it named nobody
        # the same account on another PC: the counter it holds, and that visitor's copy
        there = sign_in(other_pc.new_page(), office, "/counter/", "budi")
        expect(there.locator("#counter-select")).to_have_value("1")
        names(there, dewi["label"], dewi["token"])
    finally:
        context.close()
        other_pc.close()
    url = f"{office.url}/api/counters/1/last-finished"
    # nobody else learns the visitor: no login, the front office, another officer while budi holds Loket 1
    anonymous = requests.get(url, timeout=5)
    assert anonymous.status_code == 401 and dewi["label"] not in anonymous.text and dewi["token"] not in anonymous.text
    for name, status in (("rina", 403), ("sari", 409)):
        answer = office.session(name, PASSWORD).get(url, timeout=5)
        assert answer.status_code == status, answer.text
        assert dewi["label"] not in answer.text and dewi["token"] not in answer.text
    mine = office.session("budi", PASSWORD).get(url, timeout=5).json()["ticket"]
    assert (mine["label"], mine["token"]) == (dewi["label"], dewi["token"])
