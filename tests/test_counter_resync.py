"""The officer's counter page reads some of what it shows over HTTP (who holds which counter at its start, what
the printer did with its form copy, what became of an escalation's mail) and hears of the changes after from its live socket. What changed between
that read and the socket's start (a late socket), or while the socket was away (a reconnect), is in no event
the page gets: the socket's snapshot must bring it, and an answer older than a live event must not undo it.

One real server on a clock the tests move on (a form copy's or a mail's next try), Loket 2's printer off until a
test switches a FakeNetworkPrinter on at its port, the mail server off until a test starts it; the socket (or an
HTTP answer) held back with page.route until the test lets it through.
"""

from __future__ import annotations

import re
import time

import pytest
from conftest import write_config
from fakeprinter import FakeNetworkPrinter
from live import ClockedServer, free_port
from playwright.sync_api import expect
from smtp import SmtpServer
from staffpages import PASSWORD, empty_queue, issue, open_counter, put_settings, settings_kept, sign_in, staffed

from server.outbox import mail_backoff_seconds, print_backoff_seconds

VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def off_port():
    """Loket 2's printer: nothing listens there until a test starts a FakeNetworkPrinter on it."""
    return free_port()


@pytest.fixture(scope="module")
def smtp():
    server = SmtpServer(free_port())  # not listening until a test starts it
    yield server
    server.stop()


@pytest.fixture(scope="module")
def office(tmp_path_factory, off_port, smtp):
    config = write_config(
        tmp_path_factory.mktemp("counter-resync"),
        {
            'services = ["A", "B"]': 'services = ["A", "B"]\nprinter = "loket2"',
            'enabled = false\nhost = "127.0.0.1"\nport = 25': f'enabled = true\nhost = "127.0.0.1"\nport = {smtp.port}',
        },
        extra=f'\n[printers.loket2]\ntype = "network"\nhost = "127.0.0.1"\nport = {off_port}\n'
        'timeout = 1\nprofile = "TM-T20II"\n',
    )
    server = ClockedServer(config).start()
    staffed(server)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def clean_queue(office):
    empty_queue(office)
    yield


def pump_until(page, ready, seconds: float = 30.0) -> None:
    """Until `ready()`: the page's route handlers run while a Playwright call waits (no time passes here). Bounded
    by time, not by a count of calls (a thousand before): the calls go at Playwright's pace, which is not that of
    the server's snapshot and the page's request after it on a busy machine."""
    deadline = time.monotonic() + seconds
    while not ready():
        assert time.monotonic() < deadline, f"the page did not ask within {seconds:g} s"
        page.evaluate("0")


def new_page(browser):
    return browser.new_context(viewport=VIEWPORT, locale="id-ID").new_page()


def test_a_counter_freed_before_the_socket_was_in_is_said_and_not_held_on_to(browser, office):
    """The page takes the counter the server says the officer holds (GET /api/me) and says "you still hold it".
    Freed by an admin before the socket was in, the release's event was missed, and the snapshot's `released`
    was read only for a counter the page took from its own storage: the page stayed on a counter that was no
    longer the officer's, still saying so, its called visitor back in the line without a word."""
    lina = issue(office, "Lina Marlina", service="B")
    first = open_counter(browser, office, counter="3")
    first.click("#btn-call-next")
    expect(first.locator("#t-label")).to_have_text(lina["label"])
    first.context.close()  # the browser closed: no logout, the counter stays held

    page = new_page(browser)  # another browser: nothing of the page's storage there
    held = []
    page.route("**/socket.io/**", lambda route: held.append(route))  # the socket does not get through yet
    sign_in(page, office, "/counter/", "budi", check_name=False)
    expect(page.locator("#officer-name")).to_have_text("budi")
    expect(page.locator("#counter-select")).to_have_value("3")
    expect(page.locator("#notice")).to_have_text("Anda masih memegang Loket 3; lanjutkan di sini.")
    assert held, "the socket did not try to connect"

    admin = office.session("kepala", PASSWORD)
    admin.post(f"{office.url}/api/counters/3/release", json={}, timeout=5).raise_for_status()

    page.unroute("**/socket.io/**")  # the held requests go on to the server
    expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
    expect(page.locator("#notice")).to_have_text(
        re.compile(
            rf"^Loket 3 dilepas oleh kepala pukul \d\d\.\d\d\. Tiket {lina['label']} yang dipanggil kembali menunggu"
            r" di antrian\. Pilih loket Anda untuk melanjutkan\.$"
        )
    )
    expect(page.locator("#counter-select")).to_have_value("")
    expect(page.locator("#t-label")).to_have_text("—")
    page.context.close()


def test_the_print_jobs_answer_older_than_the_printed_event_leaves_no_failed_copy(browser, office, off_port):
    """At each snapshot (a reconnect) the page asks the print jobs what became of its form copy. When the copy
    printed while that answer was on its way, the event said so first and the answer (read before the print)
    put the red "belum tercetak" line back beside "sudah tercetak", kept for the day."""
    eka = issue(office, "Eka Putri")
    page = open_counter(browser, office, counter="2")
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(eka["label"])
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    page.keyboard.type("Dijelaskan langkah unggah dokumen kualifikasi.")
    page.keyboard.press("Control+Enter")
    notice, alert = page.locator("#notice"), page.locator("#copy-alert")
    expect(notice).to_have_text(f"{eka['label']} selesai.")
    page.keyboard.press("p")  # Loket 2's printer is off
    expect(alert).to_contain_text(f"Salinan formulir {eka['label']} belum tercetak")

    asked = []
    page.route("**/api/print-jobs", lambda route: asked.append(route))  # the answer is held on its way
    checks = page.evaluate("() => antrianCounter.copyChecks()")
    page.evaluate("() => antrianCounter.live.socket.disconnect()")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "off")
    page.evaluate("() => antrianCounter.live.socket.connect()")  # its snapshot asks the print jobs
    expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
    pump_until(page, lambda: asked)
    answer = asked[0].fetch()  # what the server says now: the copy waits for its next try
    assert any(j["status"] == "retrying" for j in answer.json()["jobs"])

    printer = FakeNetworkPrinter(port=off_port)  # switched on: the next try prints it
    try:
        office.advance(print_backoff_seconds(1) + 1)
        expect(notice).to_have_text(f"Salinan formulir {eka['label']} sudah tercetak.")
        expect(alert).to_be_hidden()
        asked[0].fulfill(response=answer)  # the older answer comes after the event
        page.wait_for_function(f"() => antrianCounter.copyChecks() > {checks}")
        expect(alert).to_be_hidden()
        expect(notice).to_have_text(f"Salinan formulir {eka['label']} sudah tercetak.")
    finally:
        printer.stop()
    page.unroute("**/api/print-jobs")
    page.context.close()


def test_an_escalation_mail_sent_while_the_page_reloaded_for_an_admins_change_is_said_sent(browser, office, smtp):
    """An admin's change while a visitor is served reloads the page once the ticket is done, the last notice
    carried over the reload: the escalation's, its mail "not sent yet". The mail sent before the reloaded page's
    socket was in is in no event the page gets: the notice said "not sent" (or "failed") for good."""
    admin = office.session("kepala", PASSWORD)
    hana = issue(office, "Hana Pertiwi")
    page = open_counter(browser, office, counter="1")
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(hana["label"])
    page.keyboard.press("d")
    expect(page.locator("#t-status")).to_have_text("dilayani")
    page.fill("#note", "Kunci publik paket rusak. Mohon dicek LKPP.")
    notice = page.locator("#notice")
    with settings_kept(office, admin):
        counters = admin.get(office.url + "/api/admin/settings", timeout=5).json()["counters"]
        renamed = [dict(c, name="Loket 1 Prioritas") if c["id"] == 1 else c for c in counters]
        put_settings(office, admin, "counters", renamed)
        expect(notice).to_contain_text("halaman ini dimuat ulang sendiri setelah tiket")

        held = []
        page.route("**/socket.io/**", lambda route: held.append(route))  # the reloaded page's socket waits
        with page.expect_event("load"):  # the page reloads by itself once the ticket is done
            page.click("#btn-escalate")  # the mail server is not there: the mail waits for its next try
        expect(page.locator("#officer-name")).to_have_text("budi")
        expect(notice).to_contain_text(hana["label"])  # the escalation's notice, carried over the reload
        expect(notice).not_to_contain_text("terkirim.")
        pump_until(page, lambda: held)
        smtp.start()
        office.advance(mail_backoff_seconds(1) + 1)
        smtp.wait_for_mail(1, timeout=10)  # sent while the page's socket was not in

        page.unroute("**/socket.io/**")
        expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
        label = re.escape(hana["label"])
        expect(notice).to_have_text(
            re.compile(
                rf"^({label} dieskalasi; e-mail ke helpdesk@lkpp\.go\.id: terkirim\.|E-mail eskalasi {label} sudah terkirim\.)$"
            )
        )
    page.context.close()


CONFIG_TEXT = "(document.getElementById('page-config') || {}).textContent || ''"  # a page reloading has none a while


@pytest.mark.parametrize("path, username", [("/counter/", "budi"), ("/counter/front", "rina")])
def test_a_settings_change_made_before_the_socket_was_in_reloads_the_page(browser, office, path, username):
    """An admin's change reloads an officer's or the front office's page (when nothing would be lost) by its
    `settings_changed` event. Made before the page's socket was in (or while it was away), that event was never
    the page's: it kept the counters' printers, the priority classes and the service minutes it was drawn with,
    which the snapshot does not carry. The staff snapshot's `page` stamp says which settings are in force."""
    admin = office.session("kepala", PASSWORD)
    with settings_kept(office, admin):
        classes = admin.get(f"{office.url}/api/admin/settings", timeout=5).json()["priority_classes"]
        page = new_page(browser)
        held = []
        page.route("**/socket.io/**", lambda route: held.append(route))  # the socket does not get through yet
        sign_in(page, office, path, username, check_name=False)
        expect(page.locator("#officer-name")).to_have_text(username)
        drawn = page.evaluate(f"() => {CONFIG_TEXT}")  # the settings the page is drawn with
        assert "priority_classes" in drawn and "(diubah)" not in drawn
        assert held, "the socket did not try to connect"
        put_settings(
            office, admin, "priority_classes", [{**classes[0], "name": classes[0]["name"] + " (diubah)"}, *classes[1:]]
        )
        page.unroute("**/socket.io/**")  # the held requests go on to the server
        page.wait_for_function(f"() => ({CONFIG_TEXT}).includes('(diubah)')", polling=50)  # drawn again, as in force
        expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
        page.context.close()
