"""The front office's form and alerts, end to end (a real server, real Chromium): nothing typed is lost on a
reload, Back or a link; nothing is cut at a field's limit without a word; an alert closed stays closed; a
correction of a ticket finished elsewhere is closed at once; slips that print after having failed are said."""

from __future__ import annotations

import os
import re

import pytest
from conftest import write_config
from fakeprinter import FakeNetworkPrinter
from live import ClockedServer, free_port
from playwright.sync_api import expect
from staffpages import FRONT_VISITOR, PASSWORD, fill_front, issue, reload_front, sign_in

from server.outbox import print_backoff_seconds
from server.service.jobs import KIOSK_SCREEN_SECONDS

VIEWPORT = {"width": 1366, "height": 768}
VISITOR = FRONT_VISITOR


@pytest.fixture(scope="module")
def kiosk_port():
    """The kiosk printer's port: nothing listens there (a printer out of paper, off) until a test starts one."""
    return free_port()


@pytest.fixture(scope="module")
def live(tmp_path_factory, kiosk_port):
    """The module's server at 09:00 office time, its kiosk printer a network printer that is off."""
    config = write_config(
        tmp_path_factory.mktemp("front-form"),
        {
            '[printers.kiosk]\ntype = "dummy"': f'[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\n'
            f'port = {kiosk_port}\ntimeout = 1\nprofile = "TM-T20II"'
        },
    )
    server = ClockedServer(config, dated=True).start()
    for name, role in (("rina", "frontoffice"), ("budi", "officer"), ("kepala", "admin")):
        server.add_user(name, role)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def clean_queue(live):
    """Every test starts with no open ticket and free counters."""
    admin = live.session("kepala", PASSWORD)
    state = admin.get(live.url + "/api/staff/state", timeout=5).json()
    for ticket in state["tickets"]:
        if ticket["status"] == "serving":
            url = f"{live.url}/api/counters/{ticket['counter_id']}/resolve"
            admin.post(url, json={"solution": "Dibersihkan oleh tes."}, timeout=5).raise_for_status()
        else:
            admin.post(f"{live.url}/api/tickets/{ticket['token']}/cancel", json={}, timeout=5).raise_for_status()
    for counter in state["counters"]:
        admin.post(f"{live.url}/api/counters/{counter['id']}/release", json={}, timeout=5).raise_for_status()
    yield


def front(browser, live):
    context = browser.new_context(viewport=VIEWPORT, locale="id-ID")
    return sign_in(context.new_page(), live, "/counter/front", "rina")


def expect_form(page, values: dict) -> None:
    for field, value in values.items():
        expect(page.locator(f"#r-{field}")).to_have_value(value)


def test_a_half_typed_visitor_outlives_a_reload_back_and_a_link_until_issued_or_cleared(browser, live):
    page = front(browser, live)
    page.select_option("#r-service", "B")
    fill_front(page, VISITOR)
    page.check("#r-priority")
    reload_front(page)  # F5
    expect_form(page, VISITOR)
    expect(page.locator("#r-service")).to_have_value("B")
    assert page.locator("#r-priority").is_checked()
    expect(page.locator("#draft-row")).to_be_visible()
    expect(page.locator("#draft-row")).to_contain_text("Isian pengunjung yang belum diterbitkan dipulihkan.")

    page.click(".staff-nav a[href='/counter/recap']")  # a link of the navigation bar, then Back
    page.wait_for_url("**/counter/recap")
    page.go_back()
    expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
    expect_form(page, VISITOR)

    page.click("#btn-draft-clear")  # Kosongkan: the form is empty, and stays so after a reload
    expect_form(page, dict.fromkeys(VISITOR, ""))
    expect(page.locator("#draft-row")).to_be_hidden()
    reload_front(page)
    expect_form(page, dict.fromkeys(VISITOR, ""))
    expect(page.locator("#draft-row")).to_be_hidden()

    # Issued: nothing of that visitor comes back.
    fill_front(page, VISITOR)
    page.click("#btn-register")
    expect(page.locator("#reg-notice")).to_contain_text("diterbitkan")
    reload_front(page)
    expect_form(page, dict.fromkeys(VISITOR, ""))
    expect(page.locator("#draft-row")).to_be_hidden()
    page.context.close()


def test_the_registration_notices_follow_the_language_switch(browser, live):
    """What the page said of a registration is said again in the new language, and back: the number issued, a
    correction opened, and the page's own words for a request that never reached the server (its `network`
    refusal); a refusal in the server's words keeps the language it was asked in, its kind kept."""
    page = front(browser, live)
    notice = page.locator("#reg-notice")
    fill_front(page, VISITOR)
    page.click("#btn-register")
    expect(notice).to_have_text(re.compile(r"^Nomor antrian (A-\d+) diterbitkan \(posisi (\d+)\)\.$"))
    label, position = re.match(r"Nomor antrian (\S+) diterbitkan \(posisi (\d+)\)", notice.inner_text()).groups()
    page.click("#lang-toggle")
    expect(notice).to_have_text(f"Queue number {label} issued (position {position}).")
    expect(notice).to_have_attribute("data-kind", "info")
    page.click("#lang-toggle")
    expect(notice).to_have_text(f"Nomor antrian {label} diterbitkan (posisi {position}).")

    # Ubah data: the notice naming the ticket being corrected, and the save button, in English
    page.locator(f"#tickets tr[data-label='{label}'] [data-act=edit]").click()
    expect(notice).to_contain_text(f"Mengubah data {label}")
    page.click("#lang-toggle")
    expect(notice).to_have_text(
        f"Editing {label}'s details: correct them, then save. The ticket keeps its place in the line."
    )
    expect(page.locator("#btn-register")).to_have_text(f"Save changes to {label}")
    page.click("#lang-toggle")
    expect(notice).to_contain_text(f"Mengubah data {label}")
    page.click("#btn-cancel-edit")
    expect(notice).to_be_empty()

    # The server cannot be reached: the page's own words, in the language switched to.
    page.route("**/api/tickets", lambda route: route.abort() if route.request.method == "POST" else route.fallback())
    fill_front(page, VISITOR)
    page.click("#btn-register")
    expect(notice).to_have_text("Server tidak dapat dihubungi. Periksa jaringan lalu coba lagi.")
    expect(notice).to_have_attribute("data-kind", "error")
    page.click("#lang-toggle")
    expect(notice).to_have_text("The server cannot be reached. Check the network and try again.")
    expect(notice).to_have_attribute("data-kind", "error")
    page.click("#lang-toggle")
    expect(notice).to_have_text("Server tidak dapat dihubungi. Periksa jaringan lalu coba lagi.")
    page.unroute("**/api/tickets")

    # A refusal in the server's words (asked in Indonesian): kept as it was said.
    page.fill("#r-name", "")
    page.click("#btn-register")
    expect(page.locator(".field-error[data-field=name]")).to_have_text("Wajib diisi.")
    refused = notice.inner_text()
    assert refused
    page.click("#lang-toggle")
    expect(page.locator("#btn-register")).to_have_text("Issue a queue number")
    expect(notice).to_have_text(refused)
    expect(notice).to_have_attribute("data-kind", "error")
    page.context.close()


def test_a_correction_not_saved_is_asked_about_before_the_page_goes(browser, live):
    ticket = issue(live, "Rina Kartka")
    page = front(browser, live)
    page.locator(f"#tickets tr[data-label='{ticket['label']}'] [data-act=edit]").click()
    page.fill("#r-name", "Rina Kartika")
    asked: list[str] = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.evaluate("() => location.reload()")
    expect(page.locator("#r-name")).to_have_value("Rina Kartika")
    assert asked == ["beforeunload"]
    page.remove_listener("dialog", answer)
    page.context.close()


def test_a_long_paper_form_is_said_at_the_limit_and_the_address_has_room(browser, live):
    page = front(browser, live)
    agency = (
        "Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah (Bappelitbangda) "
        "Kabupaten Contoh, Provinsi Jawa Barat, Bidang Infrastruktur dan Pengembangan Wilayah"
    )
    assert len(agency) == 167
    count = page.locator(".field-count[data-count=agency]")
    page.click("#r-agency")
    page.keyboard.type(agency[:140])
    expect(count).to_have_text("140/150")  # near the limit: the count
    page.keyboard.type(agency[140:])
    assert page.input_value("#r-agency") == agency[:150]
    expect(count).to_have_text("150/150: batas tercapai, ketikan selebihnya tidak masuk. Singkat isiannya.")
    page.click("#lang-toggle")
    expect(count).to_have_text("150/150: the limit is reached, anything more typed is left out. Shorten it.")
    page.click("#lang-toggle")
    page.fill("#r-agency", "Dinas PUPR")
    expect(count).to_be_hidden()

    # The address: a box of several lines, as long an address is on paper, whose Enter does what it does in
    # the other fields (the form is sent: here it lacks the name) and puts no line break in it.
    address = page.locator("#r-address")
    assert address.evaluate("el => el.tagName") == "TEXTAREA"
    assert address.evaluate("el => el.rows") >= 2
    page.fill("#r-phone", "0812-3456-7890")
    page.fill("#r-problem", "Lupa kata sandi.")
    page.click("#r-address")
    page.keyboard.type("Jl. Ahmad Yani No. 7, RT 03/RW 05, Kelurahan Sukamaju")
    page.keyboard.press("Enter")
    expect(page.locator(".field-error[data-field=name]")).to_have_text("Wajib diisi.")
    assert "\n" not in page.input_value("#r-address")
    page.context.close()


def test_a_correction_of_a_ticket_cancelled_elsewhere_is_closed_at_once_with_the_text_kept(browser, live):
    ticket, other = issue(live, "Yusuf Maulana"), issue(live, "Wulan Sari", service="B")
    page = front(browser, live)
    page.locator(f"#tickets tr[data-label='{ticket['label']}'] [data-act=edit]").click()
    page.fill("#r-phone", "0857-1111-2222")
    # The counter (or another tab) cancels it meanwhile.
    admin = live.session("kepala", PASSWORD)
    admin.post(f"{live.url}/api/tickets/{ticket['token']}/cancel", json={}, timeout=5).raise_for_status()
    notice = page.locator("#reg-notice")
    expect(notice).to_contain_text(f"Tiket {ticket['label']} kini dibatalkan")
    expect(notice).to_have_attribute("data-kind", "warn")
    expect(page.locator("#btn-register")).to_be_disabled()
    expect(page.locator("#r-phone")).to_have_value("0857-1111-2222")  # kept to copy
    assert page.locator("#r-phone").evaluate("el => el.readOnly")
    page.click("#btn-cancel-edit")
    expect(page.locator("#btn-register")).to_be_enabled()
    expect(page.locator("#btn-register")).to_have_text("Terbitkan nomor antrian")
    expect(page.locator("#r-phone")).to_have_value("")

    # Called to a counter meanwhile: still correctable, and said.
    page.locator(f"#tickets tr[data-label='{other['label']}'] [data-act=edit]").click()
    budi = live.session("budi", PASSWORD)
    budi.post(f"{live.url}/api/counters/2/call-next", json={}, timeout=5).raise_for_status()
    expect(notice).to_contain_text(f"{other['label']} dipanggil ke Loket 2 selagi diubah")
    expect(page.locator("#btn-register")).to_be_enabled()
    page.context.close()


def alert_of(page, label: str):
    """The kiosk printer's line naming this ticket among the slips it failed."""
    return page.locator("#alerts li[data-type=print_failed]").filter(
        has=page.locator(f".slip-label[data-label='{label}']")
    )


def test_an_alert_closed_stays_closed_after_a_reload_and_in_another_tab_until_it_changes(browser, live):
    """The two slips the kiosk printer failed are one line; Tutup closes it in every tab and after a reload, and it
    is back, naming both, once one of them changes (it gave up: a reprint is needed)."""
    first, second = issue(live, "Ayu Lestari"), issue(live, "Bambang Wijaya", service="B")  # the printer is off
    page = front(browser, live)
    line = alert_of(page, first["label"])
    expect(line).to_have_count(1)
    expect(alert_of(page, second["label"])).to_have_count(1)
    expect(page.locator("#alerts li[data-type=print_failed]")).to_have_count(1)  # one line for the printer
    line.locator("button", has_text="Tutup").click()
    expect(alert_of(page, first["label"])).to_have_count(0)
    expect(alert_of(page, second["label"])).to_have_count(0)
    reload_front(page)  # the page's alerts are loaded again, but the line was closed
    expect(page.locator("#alerts li[data-type=print_failed]")).to_have_count(0)
    other = page.context.new_page()  # another tab of the same browser
    other.goto(live.url + "/counter/front")
    expect(other.locator("#live-status")).to_have_attribute("data-state", "on")
    expect(other.locator("#alerts")).to_have_attribute("data-loaded", "true")
    expect(other.locator("#alerts li[data-type=print_failed]")).to_have_count(0)
    # The alert changes (the slip gave up: a reprint is needed): the line is back, naming both.
    rina = live.session("rina", PASSWORD)
    job = next(
        j for j in rina.get(f"{live.url}/api/print-jobs", timeout=5).json()["jobs"] if j["label"] == first["label"]
    )
    advice = {
        "kind": job["advice"]["kind"],
        **{
            lang: text.replace("tiket dicetak lagi otomatis", "lalu tekan Cetak ulang")
            for lang, text in job["advice"].items()
            if lang != "kind"
        },
    }
    page.evaluate(
        "([label, job, error, advice]) => window.antrianFront.onEvent({seq: 0, type: 'print_failed',"
        " at: new Date().toISOString(), ticket: {label}, data: {kind: 'ticket', printer: 'kiosk', job, error,"
        " final: true, attempts: 6, advice}})",
        [first["label"], job["id"], job["error"], advice],
    )
    expect(alert_of(page, first["label"])).to_contain_text("lalu tekan Cetak ulang")
    expect(alert_of(page, first["label"]).locator(f".slip-label[data-label='{first['label']}']")).to_have_attribute(
        "data-final", "true"
    )
    expect(alert_of(page, second["label"])).to_have_count(1)
    page.context.close()


def test_slips_printed_after_failing_are_said_until_closed(browser, live, kiosk_port):
    """The visitors were told at the kiosk that their number did not print; when the paper is back, over a
    minute later (the kiosks' screens have gone back to the start), the retries print them all, and the front
    office is told which slips wait at the kiosk printer."""
    first, second = issue(live, "Citra Dewi"), issue(live, "Dedi Kurnia", service="B")
    page = front(browser, live)
    expect(alert_of(page, first["label"])).to_have_count(1)
    expect(alert_of(page, second["label"])).to_have_count(1)
    live.advance(KIOSK_SCREEN_SECONDS + 1)
    printer = FakeNetworkPrinter(port=kiosk_port)  # paper loaded: the next retries print
    try:
        late = page.locator("#alerts li[data-type=print_late]")
        expect(late).to_contain_text(first["label"], timeout=40_000)
        expect(late).to_contain_text(second["label"], timeout=40_000)
        expect(alert_of(page, first["label"])).to_have_count(0)
        expect(late).to_contain_text("tercetak di printer kios setelah gagal: ambil dan serahkan ke pengunjungnya.")
        assert re.search(rf"Slip (.+, )?{first['label']}, (.+, )?{second['label']}\b", late.inner_text())
        reload_front(page)  # loaded again from the print jobs
        expect(late).to_contain_text(first["label"])
        expect(late).to_contain_text(second["label"])
        late.locator("button").click()
        expect(late).to_have_count(0)
        reload_front(page)  # closed: not back (a slip of an earlier test printing later would be a line of its own)
        for label in (first["label"], second["label"]):
            expect(alert_of(page, label)).to_have_count(0)
            expect(page.locator("#alerts li[data-type=print_late]", has_text=label)).to_have_count(0)
    finally:
        printer.stop()
    page.context.close()


def late_line(page):
    return page.locator("#alerts li[data-type=print_late]")


def test_the_late_slips_name_only_those_nobody_took_for_visitors_still_waiting(browser, live, kiosk_port):
    """A review's front office was told to hand over a slip printed a second after the printer came back, that
    its visitor took at the kiosk ("Ambil tiket kertas Anda"), and slips of tickets called or cancelled since.
    Now a slip out within the kiosk's minute is its visitor's, and a ticket leaves the line once it no longer
    waits (called, cancelled), live and after a reload."""
    budi, rina = live.session("budi", PASSWORD), live.session("rina", PASSWORD)
    taken = issue(live, "Eka Putri")
    page = front(browser, live)
    expect(alert_of(page, taken["label"])).to_have_count(1)
    printer = FakeNetworkPrinter(port=kiosk_port)  # back a few seconds later: the visitor is still at the kiosk
    live.advance(print_backoff_seconds(1))  # the slip's next try (2 s after the first) is due: not waited out
    try:
        expect(alert_of(page, taken["label"])).to_have_count(0, timeout=20_000)  # printed (the `printed` event)
        expect(late_line(page).filter(has_text=taken["label"])).to_have_count(0)
        job = next(
            j for j in rina.get(f"{live.url}/api/print-jobs", timeout=5).json()["jobs"] if j["label"] == taken["label"]
        )
        assert (job["status"], job["late"]) == ("printed", False), job
    finally:
        printer.stop()

    cancelled, called = issue(live, "Fajar Nugroho"), issue(live, "Gina Lestari", service="B")
    expect(alert_of(page, cancelled["label"])).to_have_count(1)
    expect(alert_of(page, called["label"])).to_have_count(1)
    live.advance(KIOSK_SCREEN_SECONDS + 1)  # the kiosk's screen has gone back to the start
    printer = FakeNetworkPrinter(port=kiosk_port)
    try:
        expect(late_line(page)).to_contain_text(cancelled["label"], timeout=40_000)
        expect(late_line(page)).to_contain_text(called["label"], timeout=40_000)
    finally:
        printer.stop()
    expect(late_line(page)).not_to_contain_text(taken["label"])
    rina.post(f"{live.url}/api/tickets/{cancelled['token']}/cancel", json={}, timeout=5).raise_for_status()
    expect(late_line(page)).not_to_contain_text(cancelled["label"])
    expect(late_line(page)).to_contain_text(called["label"])
    rina.post(f"{live.url}/api/tickets/{taken['token']}/cancel", json={}, timeout=5).raise_for_status()  # first in line
    r = budi.post(f"{live.url}/api/counters/2/call-next", json={}, timeout=5)
    assert r.json()["ticket"]["label"] == called["label"], r.text
    expect(late_line(page)).to_have_count(0)
    reload_front(page)  # loaded again from the print jobs: none of them waits any more
    expect(page.locator("#tickets tr", has_text=called["label"])).to_have_count(1)
    expect(late_line(page)).to_have_count(0)
    page.context.close()


def test_a_slip_not_printed_because_its_ticket_left_the_line_is_said_with_why_in_place_of_its_alert(
    browser, live, kiosk_port
):
    """The printer is off; one ticket is cancelled and another called meanwhile. Their slips are not printed when
    their turn comes (a review had them printed, and the front office told to hand them out): each failure alert
    gives way to one line naming them with why, in Indonesian and English, also after a reload, until closed."""
    budi, rina = live.session("budi", PASSWORD), live.session("rina", PASSWORD)
    cancelled, called = issue(live, "Hendra Wijaya"), issue(live, "Intan Permata", service="B")
    page = front(browser, live)
    expect(alert_of(page, cancelled["label"])).to_have_count(1)
    expect(alert_of(page, called["label"])).to_have_count(1)
    rina.post(f"{live.url}/api/tickets/{cancelled['token']}/cancel", json={}, timeout=5).raise_for_status()
    r = budi.post(f"{live.url}/api/counters/2/call-next", json={}, timeout=5)
    assert r.json()["ticket"]["label"] == called["label"], r.text
    live.advance(40)  # their next tries are due (the printer still off)
    skipped = page.locator("#alerts li[data-type=print_skipped]")
    expect(skipped).to_contain_text(f"{cancelled['label']} (tiket sudah dibatalkan)", timeout=20_000)
    expect(skipped).to_contain_text(f"{called['label']} (nomornya sudah dipanggil)", timeout=20_000)
    expect(skipped).to_contain_text("Slip tidak dicetak di printer kios, tidak diperlukan lagi: ")
    for label in (cancelled["label"], called["label"]):
        expect(alert_of(page, label)).to_have_count(0)
    jobs = {j["label"]: j for j in rina.get(f"{live.url}/api/print-jobs", timeout=5).json()["jobs"]}
    assert (jobs[cancelled["label"]]["status"], jobs[called["label"]]["status"]) == ("skipped", "skipped")
    if os.environ.get("ANTRIAN_SHOTS_DIR"):
        page.screenshot(path=os.path.join(os.environ["ANTRIAN_SHOTS_DIR"], "front-skipped-id.png"))
    page.click("#lang-toggle")
    expect(skipped).to_contain_text(f"{cancelled['label']} (the ticket was cancelled)")
    expect(skipped).to_contain_text(f"{called['label']} (its number has been called)")
    expect(skipped).to_contain_text("Slips not printed on the kiosk printer, no longer needed: ")
    if os.environ.get("ANTRIAN_SHOTS_DIR"):
        page.screenshot(path=os.path.join(os.environ["ANTRIAN_SHOTS_DIR"], "front-skipped-en.png"))
    page.click("#lang-toggle")
    reload_front(page)  # loaded again from the print jobs, the failures before them not alerted again
    expect(skipped).to_contain_text(f"{cancelled['label']} (tiket sudah dibatalkan)")
    expect(skipped).to_contain_text(f"{called['label']} (nomornya sudah dipanggil)")
    for label in (cancelled["label"], called["label"]):
        expect(alert_of(page, label)).to_have_count(0)
    skipped.locator("button").click()
    expect(skipped).to_have_count(0)
    reload_front(page)
    expect(skipped).to_have_count(0)
    page.context.close()
