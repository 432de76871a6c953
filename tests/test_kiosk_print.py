"""A kiosk printer that fails: the visitor is told on the kiosk (and has time to note the number), the
ticket's status says how its print went, and the front office reads in Indonesian which printer, what
is wrong and what to do. Real failing printers: a file printer whose path is a folder, a closed port,
a printer that reports no paper or an open cover.
"""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path

import pytest
import requests
from conftest import write_config
from fakeprinter import FakeNetworkPrinter, FakeUsbPrinter
from kioskui import (
    LONGEST,
    ORIENTATIONS,
    PORTRAIT,
    SMALL,
    assert_actions_visible,
    assert_one_line,
    assert_seen,
    done,
    fill_fast,
    kiosk_pages,
    shot,
    shot_name,
)
from live import LiveServer, closed_port
from pageclock import CALM_NUMBERS, pause_clock
from playwright.sync_api import expect
from staffpages import sign_in

from printers import PrinterConfig, PrinterError, TicketSlip, print_ticket
from server.advice import failure_advice, failure_kind
from server.config import load_settings

FAILED_ID = "Tiket tidak tercetak — catat nomor Anda / foto kode QR"
FAILED_EN = "Ticket not printed — write down your number / take a photo of the QR code"
VISITOR = {
    "service": "A",
    "name": "Budi Santoso",
    "agency": "CV Maju Bersama",
    "address": "Jl. Sudirman No. 12",
    "phone": "081234567890",
    "problem": "Lupa kata sandi akun penyedia SPSE",
}


def broken_printer_server(tmp: Path, **server_kw) -> LiveServer:
    """A server whose kiosk printer is a file printer whose path goes through a file: every print fails
    (a path that is a folder is refused when the config is read)."""
    (tmp / "not-a-folder").write_text("")
    path = tmp / "not-a-folder" / "printer.bin"
    config = write_config(
        tmp, {'[printers.kiosk]\ntype = "dummy"': f'[printers.kiosk]\ntype = "file"\npath = "{path}"'}
    )
    server = LiveServer(config, **server_kw).start()
    server.add_user("rina", "frontoffice")
    return server


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    # its kiosks hear no ping (pageclock.CALM_NUMBERS): a test moves a kiosk's clock on by a look's 13 s or the ticket
    # screen's 20 s in one call (page.clock.fast_forward), its socket's heartbeat far off. Pinged every 7 s, 20 s at
    # once dropped the connection (the kiosk went offline); pinged every quarter second, moved in steps of 4 s each
    # after a ping (pageclock.run_clock_for), the test of a late print waited out some 25 pings (7-19 s).
    server = broken_printer_server(tmp_path_factory.mktemp("broken-printer"), numbers=CALM_NUMBERS)
    yield server
    server.stop()


@pytest.fixture
def kiosk(browser, live):
    with kiosk_pages(browser, live) as open_kiosk:
        yield open_kiosk


def ticket_status(live, token: str) -> dict:
    return requests.get(f"{live.url}/api/tickets/{token}", timeout=5).json()["ticket"]


@pytest.mark.parametrize("name, viewport", ORIENTATIONS)
def test_the_kiosk_tells_the_visitor_the_ticket_did_not_print_and_stays_longer(kiosk, name, viewport):
    page = kiosk(viewport)
    page.click("#start")
    page.click('[data-service="B"]')
    fill_fast(page, LONGEST)
    page.click("#priority")
    page.click("#to-review")
    page.click("#submit")
    expect(page.locator("#screen-ticket")).to_be_visible()

    alert = page.locator("#ticket-print-failed")
    expect(alert).to_be_visible(timeout=10000)
    expect(alert.locator(".print-failed-title")).to_have_text(FAILED_ID)
    expect(alert).to_have_attribute("role", "alert")
    expect(page.locator("#ticket-hint")).to_contain_text("kode QR")
    expect(page.locator("#ticket-hint")).not_to_contain_text("tiket kertas")  # no paper came out
    # Not the 20 s of a printed ticket: a minute to write the number down or photograph the QR code.
    assert page.evaluate("() => window.antrianKiosk.resetIn") == 60
    page.wait_for_function("() => document.getElementById('ticket-qr').naturalWidth > 0", polling=50)
    assert_actions_visible(page, f"ticket, printer failed ({name})", must=("#screen-ticket [data-action=home]",))
    # what the visitor must write down or photograph, and why: whole, nothing over it (at 768 px upright
    # Selesai once covered the QR code, and the number broke in two)
    seen = ("#ticket-label", "#ticket-service", "#ticket-print-failed", "#ticket-ahead", "#ticket-wait", "#ticket-qr")
    assert_seen(page, f"ticket, printer failed ({name})", (*seen, "#ticket-hint"))
    assert_one_line(page, f"ticket, printer failed ({name})", "#ticket-label")
    shot(page, shot_name("kiosk-printer-failed", name))
    page.click("#lang-toggle")
    expect(alert.locator(".print-failed-title")).to_have_text(FAILED_EN)
    assert_actions_visible(page, f"ticket, printer failed, English ({name})")
    assert_seen(page, f"ticket, printer failed, English ({name})", (*seen, "#ticket-hint"))
    # Selesai: the next visitor sees nothing of it.
    done(page)
    expect(page.locator("#screen-welcome")).to_be_visible()
    expect(alert).to_be_hidden()
    assert page.evaluate("() => window.antrianKiosk.resetIn") is None


PRINTING_ID = "Tiket sedang dicetak… Pindai kode QR dengan ponsel untuk memantau antrian Anda."
PRINTING_EN = "Printing your ticket… Scan the QR code with your phone to follow your queue."
# (naming the number: a slip printed late for the visitor before may lie in the tray)
TAKE_PAPER_ID = (
    "Ambil tiket kertas Anda, nomor {label}, dari printer. Pindai kode QR dengan ponsel untuk memantau antrian Anda."
)


def print_state_from_the_test(page) -> dict:
    """The kiosk reads its ticket's print state as the test sets it (`said["print"]`): the number is issued by
    the server as always, the state of its print job (here a broken printer's) is the test's."""
    said = {"print": "queued", "looks": 0}

    def issued(route):
        answer = route.fetch()
        body = answer.json()
        if answer.status in (200, 201):
            body["ticket"]["print"] = "queued"  # just issued: its job not tried yet
        route.fulfill(response=answer, json=body)

    def status(route):
        answer = route.fetch()
        body = answer.json()
        body["ticket"]["print"] = said["print"]
        said["looks"] += 1
        route.fulfill(response=answer, json=body)

    page.route("**/api/tickets", issued)
    page.route(re.compile(r".*/api/tickets/[^/?]+$"), status)
    return said


def take_a_number(page) -> None:
    page.click("#start")
    page.click('[data-service="A"]')
    fill_fast(page, {k: v for k, v in VISITOR.items() if k != "service"})
    page.click("#to-review")
    page.click("#submit")
    expect(page.locator("#screen-ticket")).to_be_visible()


@pytest.mark.parametrize("name, viewport", [("portrait", PORTRAIT), ("small", SMALL)])
def test_until_the_server_says_printed_the_kiosk_says_printing_not_take_your_paper_ticket(kiosk, name, viewport):
    """A printer that hangs (takes the connection, never answers) fails only after its timeout: the screen said
    "Ambil tiket kertas Anda dari printer" for ~8 s before "Tiket tidak tercetak", and a visitor who went to
    the printer meanwhile left without a slip and without the number. While the job is still queued the kiosk
    says it is printing; "Ambil tiket kertas Anda" comes once the server reports the ticket printed."""
    page = kiosk(viewport, clock=True)
    said = print_state_from_the_test(page)
    take_a_number(page)
    hint = page.locator("#ticket-hint")
    expect(hint).to_have_text(PRINTING_ID)
    expect(page.locator("#screen-ticket")).to_have_attribute("data-print", "queued")
    expect(page.locator("#ticket-print-failed")).to_be_hidden()
    expect(page.locator("#ticket-label")).to_have_text(re.compile(r"^A-\d{3}$"))  # the number, as always
    page.wait_for_function("() => antrianKiosk.printLooks >= 1", polling=50)  # looked: still queued
    expect(hint).to_have_text(PRINTING_ID)
    page.wait_for_function("() => document.getElementById('ticket-qr').naturalWidth > 0", polling=50)
    seen = ("#ticket-label", "#ticket-service", "#ticket-ahead", "#ticket-wait", "#ticket-qr", "#ticket-hint")
    assert_seen(page, f"ticket, printing ({name})", seen)
    assert_actions_visible(page, f"ticket, printing ({name})", must=("#screen-ticket [data-action=home]",))
    shot(page, shot_name("kiosk-printing", name))
    page.click("#lang-toggle")
    expect(hint).to_have_text(PRINTING_EN)
    page.click("#lang-toggle")

    said["print"] = "printed"
    looks = page.evaluate("antrianKiosk.printLooks")
    page.clock.fast_forward(page.evaluate("antrianKiosk.printNextIn") * 1000)
    page.wait_for_function(f"() => antrianKiosk.printLooks > {looks}", polling=50)
    expect(hint).to_have_text(TAKE_PAPER_ID.format(label=page.locator("#ticket-label").inner_text()))
    expect(page.locator("#screen-ticket")).to_have_attribute("data-print", "printed")
    assert page.evaluate("antrianKiosk.printNextIn") is None  # printed: no more looks


def test_a_slip_still_printing_when_the_ticket_screens_time_is_up_keeps_the_number_on_the_screen(kiosk):
    """A printer that takes its timeout to fail (a USB one whose status is learnt waits twice its timeout and 5 s, a
    CUPS queue may be given a longer one, a print agent's answer may be on its way) had its slip still printing
    when the ticket screen's 20 s were up: the kiosk went back to the start with "Tiket sedang dicetak…" on it,
    and the failure came once the visitor had left, the number not noted. The screen now stays while the slip
    is printing, up to the minute a failed one has, and says the failure when it comes."""
    page = kiosk(PORTRAIT, clock=True)
    said = print_state_from_the_test(page)
    take_a_number(page)
    assert page.evaluate("antrianKiosk.resetIn") == 20
    page.clock.fast_forward(20_000)
    assert page.evaluate("antrianKiosk.live")  # its connection kept
    expect(page.locator("#screen-ticket")).to_be_visible()
    expect(page.locator("#ticket-hint")).to_have_text(PRINTING_ID)
    assert page.evaluate("antrianKiosk.resetIn") == 40  # the rest of the minute

    said["print"] = "failed"  # the printer's timeout passed: the server says so
    page.wait_for_function("() => antrianKiosk.printNextIn !== null", polling=50)
    looks = page.evaluate("antrianKiosk.printLooks")
    page.clock.fast_forward(page.evaluate("antrianKiosk.printNextIn") * 1000)
    page.wait_for_function(f"() => antrianKiosk.printLooks > {looks}", polling=50)
    expect(page.locator("#ticket-print-failed")).to_be_visible()
    assert page.evaluate("antrianKiosk.resetIn") == 60  # a minute to note the number


def test_a_ticket_that_prints_late_while_the_failure_is_shown_switches_to_take_your_paper_ticket(kiosk):
    """The kiosk looked at the print for ~32 s (1, 2, 3, 5, 8, 13 s), but the failure stays on screen 60 s and
    the server's last retry comes at ~62 s: a printer back at 40 s printed the slip while the screen still
    said "Tiket tidak tercetak". The kiosk keeps looking (every 13 s) as long as the ticket screen is shown."""
    page = kiosk(PORTRAIT, clock=True)
    said = print_state_from_the_test(page)
    said["print"] = "failed"  # its first try failed: retried by the server
    issued_at = page.evaluate("Date.now()")
    take_a_number(page)
    expect(page.locator("#ticket-print-failed")).to_be_visible()
    assert page.evaluate("antrianKiosk.resetIn") == 60
    # the page's time from here moves only as the test moves it: the looks until the printer is back take 57 s of
    # the screen's 60, and a clock running with the machine's added a busy machine's seconds (its minute ran out
    # before that look, the screen back at the start). The pause may fire a look: its answer taken first.
    pause_clock(page)
    page.wait_for_function("() => antrianKiosk.printNextIn !== null", polling=50)

    def next_look() -> int:
        looks, wait = page.evaluate("[antrianKiosk.printLooks, antrianKiosk.printNextIn]")
        assert wait is not None, f"the kiosk stopped looking at the print after {looks} looks"
        page.clock.fast_forward(wait * 1000)
        page.wait_for_function(f"() => antrianKiosk.printLooks > {looks}", polling=50)
        return wait

    waits = []
    while page.evaluate("Date.now()") - issued_at < 40_000:  # past the ~32 s the kiosk once gave up after
        waits.append(next_look())
    assert waits[-2:] == [13, 13], waits  # then as often as the last of the first looks
    expect(page.locator("#screen-ticket")).to_be_visible()
    expect(page.locator("#ticket-print-failed")).to_be_visible()

    said["print"] = "printed"  # the printer is back: the retry printed it
    next_look()
    expect(page.locator("#ticket-print-failed")).to_be_hidden()
    expect(page.locator("#ticket-hint")).to_have_text(
        TAKE_PAPER_ID.format(label=page.locator("#ticket-label").inner_text())
    )
    assert page.evaluate("[antrianKiosk.resetIn, antrianKiosk.printNextIn]") == [20, None]
    looks = said["looks"]
    page.clock.fast_forward(20_000)  # back to the welcome screen: nothing more is asked about it
    expect(page.locator("#screen-welcome")).to_be_visible()
    assert page.evaluate("antrianKiosk.printNextIn") is None and said["looks"] == looks


@pytest.fixture
def own_live(tmp_path):
    """A broken printer's server for one test: the module's slips give up 62 s after their first try (six tries),
    and their printer's line then says what to do for them ("… lalu tekan Cetak ulang"), not the retries' words,
    once the module's earlier tests took that long (a busy machine)."""
    server = broken_printer_server(tmp_path)
    yield server
    server.stop()


def test_the_ticket_status_says_how_its_print_went_and_the_front_office_reads_what_to_do(own_live, browser):
    live = own_live
    r = requests.post(f"{live.url}/api/tickets", json=VISITOR, timeout=5)
    assert r.status_code == 201
    ticket = r.json()["ticket"]
    assert ticket["print"] in ("queued", "failed")  # the worker may already have tried
    deadline = time.monotonic() + 10
    while ticket_status(live, ticket["token"])["print"] != "failed":
        assert time.monotonic() < deadline, "the failed print never showed in the ticket's status"
        time.sleep(0.2)

    rina = live.session("rina", "rahasia-123")
    jobs = rina.get(f"{live.url}/api/print-jobs", timeout=5).json()["jobs"]
    job = next(j for j in jobs if j["label"] == ticket["label"])
    assert "not a directory" in job["error"]  # the printer's own words stay for the admin
    assert job["advice"]["kind"] == "setup"
    assert job["advice"]["id"].startswith("Printer kios: pengaturannya salah (config.toml) — minta admin memperbaiki")

    # The front office's page, live: an Indonesian sentence naming the printer and what to do.
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        sign_in(page, live, "/counter/front", "rina")
        expect(page.locator("#r-name")).to_be_visible()
        page.wait_for_function("() => !!window.antrianFront", polling=50)
        fresh = requests.post(f"{live.url}/api/tickets", json={**VISITOR, "service": "C"}, timeout=5).json()["ticket"]
        # the printer's line, naming the ticket among its slips not printed yet (past six, "+N lagi" names them all)
        alert = page.locator("#alerts li[data-type=print_failed]").first
        expect(alert).to_contain_text(
            "Printer kios: pengaturannya salah (config.toml) — minta admin memperbaiki pengaturan printer;"
            " tiket dicetak lagi otomatis",
            timeout=10000,
        )
        page.wait_for_function(
            """label => {
                const line = document.querySelector('#alerts li[data-type=print_failed]');
                const more = line && line.querySelector('.slip-more');
                if (more) more.click();
                return !!(line && line.querySelector(`.slip-label[data-label='${label}']`));
            }""",
            arg=fresh["label"],
            polling=100,
            timeout=10000,
        )
        expect(alert.locator(".alert-detail")).to_contain_text("not a directory")
    finally:
        context.close()


@pytest.mark.parametrize("printer", ["kiosk", ""])
def test_the_print_state_follows_the_job(tmp_path, clock, printer):
    """queued until the worker prints it, then printed; null when the kiosk has no printer."""
    from server.app import create_app
    from server.printing import PrintWorker

    app = create_app(
        write_config(tmp_path, {'printer = "kiosk"': f'printer = "{printer}"'}), workers=False, clock=clock
    )
    try:
        client = app.test_client()
        ticket = client.post("/api/tickets", json=VISITOR).get_json()["ticket"]
        status = lambda: client.get(f"/api/tickets/{ticket['token']}").get_json()["ticket"]["print"]  # noqa: E731
        if not printer:
            assert ticket["print"] is None and status() is None
            return
        assert ticket["print"] == "queued" and status() == "queued"
        svc = app.extensions["antrian"]
        assert PrintWorker(svc, "kiosk", svc.settings.printers["kiosk"]).run_once() == 1
        assert status() == "printed"
    finally:
        app.extensions["antrian"].stop()
        app.extensions["antrian"].store.close()


# -- what the front office reads, per kind of failure, from real failing printers ----------------------


def slip() -> TicketSlip:
    from datetime import UTC, datetime

    return TicketSlip(
        office_name="LPSE Kabupaten Contoh",
        office_address="Jl. Merdeka No. 1",
        label="A-001",
        service_name="Konsultasi Penyedia",
        issued_at=datetime(2026, 11, 28, 2, 0, tzinfo=UTC),
        ahead=0,
        qr_url="http://127.0.0.1:8080/t/x",
        footer="",
        priority=False,
    )


def raw_error(cfg: PrinterConfig) -> str:
    with pytest.raises(PrinterError) as caught:
        print_ticket(cfg, slip())
    return str(caught.value)


@pytest.fixture(scope="module")
def settings():
    return load_settings(Path(__file__).resolve().parent.parent / "config.toml")


def test_out_of_paper_reads_as_the_issue_asks(settings):
    printer = FakeNetworkPrinter(paper=b"\x72")
    try:
        error = raw_error(printer.config(check_status=True, timeout=2))
    finally:
        printer.stop()
    assert failure_kind(error) == "paper_out"
    advice = failure_advice(settings, "kiosk", error, final=True)
    assert advice["id"] == "Printer kios: kertas habis — isi kertas lalu tekan Cetak ulang"
    assert advice["en"] == "Kiosk printer: out of paper — load paper, then press Reprint"
    # While the job is still retried, a reprint would print it twice: the fix is enough.
    retrying = failure_advice(settings, "kiosk", error, final=False)
    assert retrying["id"] == "Printer kios: kertas habis — isi kertas; tiket dicetak lagi otomatis"


@pytest.mark.parametrize(
    "make, kind, words",
    [
        (lambda tmp: PrinterConfig("kiosk", "file", path=str(tmp)), "setup", "pengaturannya salah"),
        (
            lambda tmp: PrinterConfig("kiosk", "network", host="127.0.0.1", port=closed_port(), timeout=2),
            "unreachable",
            "tidak dapat dihubungi — nyalakan printer dan periksa kabel jaringannya",
        ),
        (
            # a name no resolver knows (RFC 6761's .invalid): "switch it on and check its network cable" was no help
            lambda tmp: PrinterConfig("kiosk", "network", host="printer-kios.invalid", timeout=2),
            "unknown_host",
            "nama host-nya tidak dikenal di jaringan — minta admin menulis alamat IP printer sebagai host-nya",
        ),
        (None, "not_ready", "tidak siap (penutup terbuka, kertas habis atau macet)"),
    ],
    ids=["folder", "closed-port", "unknown-host", "cover-open"],
)
def test_each_kind_of_failure_has_an_indonesian_sentence_with_what_to_do(settings, tmp_path, make, kind, words):
    printer = None
    if make is None:
        printer = FakeNetworkPrinter(online=b"\x1a")  # bit 3: offline (cover open, paper out or error)
        cfg = printer.config(check_status=True, timeout=2)
    else:
        cfg = make(tmp_path)
    try:
        error = raw_error(cfg)
    finally:
        if printer:
            printer.stop()
    assert failure_kind(error) == kind, error
    advice = failure_advice(settings, "kiosk", error, final=True)
    assert advice["id"].startswith("Printer kios: ") and words in advice["id"], advice
    assert advice["id"].endswith(" lalu tekan Cetak ulang")
    assert "printer kiosk" not in advice["id"]  # not the raw English text


def test_a_usb_printers_wrong_endpoint_is_set_up_wrong_not_check_the_cable(settings, monkeypatch):
    """A USB printer written through an endpoint it does not have ("Invalid endpoint address 0x1" from pyusb:
    the POS58 printers' OUT endpoint is 0x03) was told to the front office as "check power, paper and cable".
    It is a setting for the admin: the raw message names the key and the value it should have."""
    from printers import transport

    printer = FakeUsbPrinter()  # USB 0416:5011: OUT 0x03, IN 0x81
    monkeypatch.setattr(transport, "usb_backend", lambda: printer)
    errors = [
        raw_error(printer.config(out_ep=0x01)),
        raw_error(printer.config(in_ep=0x82)),
        "printer kiosk: Invalid endpoint address 0x1 while sending to USB 0416:5011",  # as pyusb said it
    ]
    assert "set out_ep = 0x03 in [printers.kiosk]" in errors[0]
    for error in errors:
        assert failure_kind(error) == "setup", error
        advice = failure_advice(settings, "kiosk", error, final=True)
        assert advice["id"] == (
            "Printer kios: pengaturannya salah (config.toml) — minta admin memperbaiki pengaturan printer"
            " lalu tekan Cetak ulang"
        ), advice
        assert "kabel" not in advice["id"]
    # a socket's own "endpoint" is the network printer's connection, not a setting
    for error in (
        "printer loket1: [Errno 107] Transport endpoint is not connected while sending to 10.0.0.5:9100",
        "printer loket1: [Errno 108] Cannot send after transport endpoint shutdown",
    ):
        assert failure_kind(error) != "setup", error


def test_a_counters_printer_is_named_by_its_counter(settings):
    with_printer = dataclasses.replace(
        settings, counters=(dataclasses.replace(settings.counters[0], printer="loket1"), *settings.counters[1:])
    )
    advice = failure_advice(with_printer, "loket1", "printer loket1: connection refused at 10.0.0.5:9100", True)
    assert advice["id"].startswith("Printer Loket 1: tidak dapat dihubungi")
    assert advice["en"].startswith("Loket 1 printer: cannot be reached")
