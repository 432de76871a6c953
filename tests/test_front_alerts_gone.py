"""A slip that gave up (its retries ran out: "… lalu tekan Cetak ulang") is not asked to be printed again once its
ticket has left the line: the front office was told to reprint a slip for a visitor already at a counter or gone.
A real server whose kiosk printer (and counter 1's form copies) is off, on a clock moved on so that the retries
run out, and two front-office pages (two PCs) in real Chromium; over a day, the printer back on (a real ESC/POS
printer on TCP loopback)."""

from __future__ import annotations

import re
import time
from datetime import datetime

import pytest
from conftest import office_zone, write_config
from fakeprinter import FakeNetworkPrinter
from live import ClockedServer, free_port
from playwright.sync_api import expect
from staffpages import PASSWORD, issue, open_front, reload_front

from server.outbox import PRINT_MAX_ATTEMPTS, print_backoff_seconds

GAVE_UP = "lalu tekan Cetak ulang"  # the printer's line, once a slip of it gave up


@pytest.fixture
def live(tmp_path):
    """The server at 09:00 office time; the kiosk printer, also counter 1's, a network printer nobody listens for.
    Its print workers look for due retries every 0.1 s, not every second: the clock moved past a backoff, the
    next try comes at once."""
    config = write_config(
        tmp_path,
        {
            '[printers.kiosk]\ntype = "dummy"': f'[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\n'
            f'port = {free_port()}\ntimeout = 1\nprofile = "TM-T20II"',
            'services = ["A", "C"]': 'services = ["A", "C"]\nprinter = "kiosk"',
        },
    )
    server = ClockedServer(config, tick=0.1, dated=True).start()
    for name, role in (("rina", "frontoffice"), ("budi", "officer"), ("sari", "officer")):
        server.add_user(name, role)
    yield server
    server.stop()


def jobs(session, live) -> dict[int, dict]:
    return {j["id"]: j for j in session.get(f"{live.url}/api/print-jobs", timeout=5).json()["jobs"]}


def jobs_when(session, live, done, seconds: float = 20.0) -> dict[int, dict]:
    """The print jobs once `done(jobs)`, or as they stand after `seconds` (the caller asserts on them)."""
    deadline = time.monotonic() + seconds
    while True:
        found = jobs(session, live)
        if done(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def give_up(live, session, labels: set[str]) -> None:
    """The server's clock moved on try by try until the slips of these tickets have given up (failed)."""
    for attempt in range(2, PRINT_MAX_ATTEMPTS + 1):
        live.advance(print_backoff_seconds(attempt - 1) + 1)  # the next try is due: the worker makes it

        def tried(found, attempt=attempt):
            return all(j["attempts"] >= attempt for j in found.values() if j["label"] in labels)

        assert tried(jobs_when(session, live, tried)), "the retries did not run"
    found = jobs(session, live)
    assert {j["label"]: j["status"] for j in found.values() if j["label"] in labels} == dict.fromkeys(labels, "failed")


def slip_alert(page, label: str):
    """The printer's line naming a ticket whose slip failed (a form copy's is a line of its own)."""
    return page.locator("#alerts li[data-type=print_failed][data-paper=slip]").filter(
        has=page.locator(f".slip-label[data-label='{label}']")
    )


def form_alert(page, label: str):
    return page.locator("#alerts li[data-type=print_failed][data-paper=form]").filter(
        has=page.locator(f".slip-label[data-label='{label}']")
    )


def gave_up(page, label: str):
    """A ticket named in its printer's line among the slips given up (a reprint is asked for)."""
    return page.locator(f"#alerts li[data-type=print_failed] .slip-label[data-label='{label}'][data-final=true]")


def test_a_slip_that_gave_up_is_no_longer_asked_for_once_its_ticket_left_the_line(browser, live):
    """A review found the red "… lalu tekan Cetak ulang (gagal, perlu cetak ulang/tindakan)" of a slip that gave
    up still there after its ticket was cancelled, called or finished (a reprint is then refused: not in line).
    Each such alert now gives way to the line "Slip tidak dicetak …, tidak diperlukan lagi: A-001 (tiket sudah
    dibatalkan)" on every front-office page, live and after a reload; the slip of a ticket still waiting keeps its
    alert, and the form copy of a visitor served meanwhile (not a slip) keeps its own."""
    rina, budi, sari = (live.session(name, PASSWORD) for name in ("rina", "budi", "sari"))
    cancelled, called = issue(live, "Agus Salim"), issue(live, "Bunga Citra", service="B")
    served, waiting = issue(live, "Candra Wijaya", service="C"), issue(live, "Dewi Lestari")
    labels = {x["label"] for x in (cancelled, called, served, waiting)}
    first = open_front(browser, live)  # open all along: it sees the changes live
    for label in labels:
        expect(slip_alert(first, label)).to_have_count(1)
    give_up(live, rina, labels)
    for label in labels:  # each slip gave up: a reprint is asked for
        expect(slip_alert(first, label)).to_contain_text(GAVE_UP)
        expect(gave_up(first, label)).to_have_count(1)
    second = open_front(browser, live)  # another front-office PC, opened now: its alerts loaded from the print jobs
    for label in labels:
        expect(slip_alert(second, label)).to_contain_text(GAVE_UP)
        expect(gave_up(second, label)).to_have_count(1)

    # The tickets leave the line: one cancelled, one called, one served and its form copy asked for (it fails too)
    rina.post(f"{live.url}/api/tickets/{cancelled['token']}/cancel", json={}, timeout=5).raise_for_status()
    r = sari.post(f"{live.url}/api/counters/3/call-next", json={}, timeout=5)  # B and C: the B ticket is first
    assert r.json()["ticket"]["label"] == called["label"], r.text
    r = budi.post(f"{live.url}/api/counters/1/call", json={"ticket": served["label"]}, timeout=5)
    assert r.status_code == 200, r.text
    for action, data in (("start", {}), ("resolve", {"solution": "Reset kata sandi."})):
        budi.post(f"{live.url}/api/counters/1/{action}", json=data, timeout=5).raise_for_status()
    r = budi.post(f"{live.url}/api/tickets/{served['token']}/print-form", json={"counter_id": 1}, timeout=5)
    assert r.status_code == 202, r.text

    for page in (first, second):
        skipped = page.locator("#alerts li[data-type=print_skipped]")
        expect(skipped).to_contain_text(f"{cancelled['label']} (tiket sudah dibatalkan)")
        expect(skipped).to_contain_text(f"{called['label']} (nomornya sudah dipanggil)")
        # called, then served: said as it is now
        expect(skipped).to_contain_text(f"{served['label']} (pengunjungnya sudah selesai dilayani)")
        expect(skipped).to_contain_text("Slip tidak dicetak di printer kios, tidak diperlukan lagi: ")
        for label in (cancelled["label"], called["label"], served["label"]):
            expect(slip_alert(page, label)).to_have_count(0)
        expect(form_alert(page, served["label"])).to_have_count(1)  # the served visitor's copy: another paper
        expect(slip_alert(page, waiting["label"])).to_contain_text(GAVE_UP)
        expect(gave_up(page, waiting["label"])).to_have_count(1)
    found = {(j["label"], j["kind"]): j for j in jobs(rina, live).values()}
    assert [found[(x["label"], "ticket")]["status"] for x in (cancelled, called, served, waiting)] == [
        "skipped",
        "skipped",
        "skipped",
        "failed",
    ]
    assert found[(cancelled["label"], "ticket")]["attempts"] == PRINT_MAX_ATTEMPTS  # its tries are kept
    assert found[(cancelled["label"], "ticket")]["reason"]["kind"] == "cancelled"

    line = first.locator("#alerts li[data-type=print_skipped]").text_content()
    reload_front(first)  # loaded again from the print jobs: the same
    expect(first.locator("#alerts li[data-type=print_skipped]")).to_have_text(line)
    for label in (cancelled["label"], called["label"], served["label"]):
        expect(slip_alert(first, label)).to_have_count(0)
    expect(form_alert(first, served["label"])).to_have_count(1)
    expect(slip_alert(first, waiting["label"])).to_contain_text(GAVE_UP)
    for page in (first, second):
        page.context.close()


def test_a_slip_that_gave_up_says_when_it_did_the_same_live_and_after_a_reload(browser, live):
    """A review found a slip's final failure said 09.01 on a page open when it gave up (the time of the failure,
    its print_failed event) and 09.00 once that page was reloaded (its job's creation, from /api/print-jobs):
    the same alert, two times. Both now say when it failed, which is what the front office needs."""
    rina = live.session("rina", PASSWORD)
    label = issue(live, "Agus Salim")["label"]
    page = open_front(browser, live)
    expect(slip_alert(page, label)).to_have_count(1)  # its first try failed at once
    live.advance(240)  # the printer stays off: the slip gives up minutes after its number was taken
    give_up(live, rina, {label})
    alert = slip_alert(page, label)
    expect(alert).to_contain_text(GAVE_UP)
    at = alert.locator("strong").text_content().removeprefix("sejak ")  # its line's since: the only slip's failure
    (job,) = [j for j in jobs(rina, live).values() if j["label"] == label]
    issued = datetime.fromisoformat(job["created_at"]).astimezone(office_zone())
    assert re.fullmatch(r"\d\d[.:]\d\d", at) and at[:2] + at[3:] != issued.strftime("%H%M"), (at, issued)
    reload_front(page)
    expect(slip_alert(page, label)).to_contain_text(GAVE_UP)
    expect(slip_alert(page, label).locator("strong")).to_have_text(f"sejak {at}")
    other = open_front(browser, live)  # another front-office PC, opened after it gave up
    expect(slip_alert(other, label).locator("strong")).to_have_text(f"sejak {at}")
    for p in (page, other):
        p.context.close()


def test_a_skipped_slips_note_follows_its_ticket_after_the_skip(browser, live):
    """A slip skipped because its number was called said "(nomornya sudah dipanggil)" beside it for the rest of
    the day: after the front office cancelled that ticket, or its visitor was served, the note no longer held.
    It now says what became of the ticket (the ticket's state now, as the list has it), live, after a reload and
    in English."""
    rina, budi = (live.session(name, PASSWORD) for name in ("rina", "budi"))
    cancelled, served = issue(live, "Agus Salim"), issue(live, "Candra Wijaya", service="C")
    labels = {cancelled["label"], served["label"]}
    page = open_front(browser, live)
    give_up(live, rina, labels)
    skipped = page.locator("#alerts li[data-type=print_skipped]")
    for ticket in (cancelled, served):  # both called (at Loket 1): their slips are not needed any more
        r = budi.post(f"{live.url}/api/counters/1/call", json={"ticket": ticket["label"]}, timeout=5)
        assert r.status_code == 200, r.text
        expect(skipped).to_contain_text(f"{ticket['label']} (nomornya sudah dipanggil)")
        if ticket is cancelled:  # the visitor had gone home: the front office cancels the called number
            rina.post(f"{live.url}/api/tickets/{ticket['token']}/cancel", json={}, timeout=5).raise_for_status()
            expect(skipped).to_contain_text(f"{ticket['label']} (tiket sudah dibatalkan)")
    budi.post(f"{live.url}/api/counters/1/start", json={}, timeout=5).raise_for_status()
    expect(skipped).to_contain_text(f"{served['label']} (pengunjungnya sedang dilayani di loket)")
    r = budi.post(f"{live.url}/api/counters/1/resolve", json={"solution": "Reset kata sandi."}, timeout=5)
    r.raise_for_status()
    expected = (
        f"Slip tidak dicetak di printer kios, tidak diperlukan lagi: {cancelled['label']} (tiket sudah dibatalkan);"
        f" {served['label']} (pengunjungnya sudah selesai dilayani)."
    )
    expect(skipped.locator(":scope > span")).to_have_text(expected)
    assert "dipanggil" not in skipped.text_content()
    reload_front(page)  # the print jobs say why each was skipped then; the list says what the ticket is now
    expect(skipped.locator(":scope > span")).to_have_text(expected)
    page.locator("#lang-toggle").click()
    expect(skipped).to_contain_text(f"{cancelled['label']} (the ticket was cancelled)")
    expect(skipped).to_contain_text(f"{served['label']} (its visitor has been served)")
    page.context.close()


def serve(live, officer, counter: int, ticket) -> None:
    """`ticket` called at `counter`, served and finished there."""
    r = officer.post(f"{live.url}/api/counters/{counter}/call", json={"ticket": ticket["label"]}, timeout=5)
    assert r.status_code == 200, r.text
    for action, data in (("start", {}), ("resolve", {"solution": "Reset kata sandi."})):
        officer.post(f"{live.url}/api/counters/{counter}/{action}", json=data, timeout=5).raise_for_status()


def test_a_mornings_slips_not_needed_read_once_per_reason_and_go_once_their_visitors_have_long_left(browser, live):
    """A review lived a day with the kiosk printer off in the morning: "Slip tidak dicetak …, tidak diperlukan lagi"
    said "(pengunjungnya sudah selesai dilayani)" after every number served meanwhile (ten visitors: five lines of it),
    and was still there in the afternoon, until midnight, for visitors served hours before: nothing left to do. Its
    numbers are now named once per reason, and a visitor served or gone leaves the note half an hour later (live and
    after a reload); a visitor still at a counter stays in it."""
    rina, budi, sari = (live.session(name, PASSWORD) for name in ("rina", "budi", "sari"))
    cancelled, served, served2 = issue(live, "Agus Salim"), issue(live, "Bunga Citra", "C"), issue(live, "Candra", "B")
    serving = issue(live, "Dewi Lestari")
    give_up(live, rina, {x["label"] for x in (cancelled, served, served2, serving)})
    page = open_front(browser, live)
    rina.post(f"{live.url}/api/tickets/{cancelled['token']}/cancel", json={}, timeout=5).raise_for_status()
    serve(live, budi, 1, served)
    serve(live, sari, 3, served2)
    r = budi.post(f"{live.url}/api/counters/1/call", json={"ticket": serving["label"]}, timeout=5)
    assert r.status_code == 200, r.text
    budi.post(f"{live.url}/api/counters/1/start", json={}, timeout=5).raise_for_status()  # a long consultation
    note = page.locator("#alerts li[data-type=print_skipped] > span")
    expect(note).to_have_text(
        f"Slip tidak dicetak di printer kios, tidak diperlukan lagi: {cancelled['label']} (tiket sudah dibatalkan);"
        f" {served['label']}, {served2['label']} (pengunjungnya sudah selesai dilayani);"
        f" {serving['label']} (pengunjungnya sedang dilayani di loket)."
    )
    live.advance(29 * 60)
    issue(live, "Eko Prasetyo")  # the day goes on: the page hears of it (and of the server's time)
    expect(page.locator("#tickets tr[data-label='A-003']")).to_have_count(1)
    expect(note).to_contain_text(f"{served['label']}, {served2['label']} (pengunjungnya")  # half an hour not yet
    live.advance(2 * 60)
    issue(live, "Fajar Nugroho")
    expect(page.locator("#tickets tr[data-label='A-004']")).to_have_count(1)
    expect(note).to_have_text(
        f"Slip tidak dicetak di printer kios, tidak diperlukan lagi: {serving['label']} (pengunjungnya sedang dilayani di loket)."
    )
    reload_front(page)
    expect(note).to_have_text(
        f"Slip tidak dicetak di printer kios, tidak diperlukan lagi: {serving['label']} (pengunjungnya sedang dilayani di loket)."
    )
    page.context.close()


def test_a_mornings_slip_to_reprint_is_still_asked_for_after_fifty_prints(browser, live):
    """A slip that gave up at 09.00 for a visitor still waiting was missing from the front office's alerts once fifty
    slips and form copies had printed after it (GET /api/print-jobs listed the newest 50): on a page reloaded, or
    reconnected after a Wi-Fi drop, or opened on another PC, nobody was asked to reprint it any more. Every job of
    the day is listed now."""
    rina = live.session("rina", PASSWORD)
    waiting = issue(live, "Agus Salim")
    give_up(live, rina, {waiting["label"]})
    port = int(re.search(r"\[printers\.kiosk\][^\[]*?port = (\d+)", live.config.read_text()).group(1))
    printer = FakeNetworkPrinter(port=port)  # switched on again
    try:
        labels = {issue(live, f"Pengunjung {i}", "BC"[i % 2])["label"] for i in range(50)}
        printed = jobs_when(rina, live, lambda f: sum(j["status"] == "printed" for j in f.values()) >= 50, 60)
        assert {j["label"] for j in printed.values() if j["status"] == "printed"} == labels
    finally:
        printer.stop()
    page = open_front(browser, live)  # a PC opened in the afternoon
    # the printer has printed since: it says so, and that this slip is still to be reprinted (not "nyalakan printer")
    expect(slip_alert(page, waiting["label"])).to_contain_text("Printer kios sudah mencetak lagi pukul")
    expect(slip_alert(page, waiting["label"])).to_contain_text("tekan Cetak ulang bila pengunjungnya perlu slip")
    expect(gave_up(page, waiting["label"])).to_have_count(1)
    expect(page.locator("#alerts li[data-type=print_failed]")).to_have_count(1)  # the fifty printed: no alert
    page.context.close()
