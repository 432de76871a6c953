"""A thermal printer's paper near-end sensor: the roll nearly used up. Its status answer (DLE EOT 4, bits 2 and 3)
said so at every ticket and nobody was told, so the roll ran out in the middle of the morning and tickets stopped.
Now the front office reads a calm warning ("Kertas printer kios hampir habis: siapkan gulungan baru.") while the
tickets still print: once while it lasts, staff only, gone by itself once the printer no longer says it (a new
roll). Real transports on the tests' fake printers (tests/fakeprinter.py), a real server, real Chromium."""

from __future__ import annotations

import os
import re
import threading
import time
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
import requests
import socketio
from conftest import in_order, write_config
from fakeprinter import PAPER_IN, PAPER_NEAR_END, PAPER_OUT, STATUS_ONLINE, STATUS_PAPER, FakeNetworkPrinter
from live import ClockedServer, closed_port, free_port, server_command
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import PASSWORD, issue, open_front, resize, sign_in
from test_printer_status import STATUS, TICKET, arrived, plug, status_clock  # noqa: F401 (plug, status_clock: fixtures)

from printers import PrinterConfig, PrinterError, send_bytes, transport
from printers.transport import STATUS_RETRY_SECONDS
from server.config import load_settings

KIOSK_WARNING = "Kertas printer kios hampir habis: siapkan gulungan baru."
KIOSK_WARNING_EN = "The kiosk printer's paper is nearly out: have a new roll ready."


# --- the transport: the near-end answer read, nothing failed ------------------------------------------------------


@pytest.mark.parametrize("kind", ["network", "serial", "usb"])
@pytest.mark.parametrize("check_status", [True, "auto"])
def test_a_printer_nearly_out_of_paper_prints_and_its_answer_is_kept_until_a_new_roll(plug, kind, check_status):  # noqa: F811
    """The near-end answer is no failure: the ticket goes out once, nothing held; what the printer said is kept
    (paper_state "low"), "ok" after a new roll, "out" when it runs out (that ticket failing, as before)."""
    printer = plug(kind, paper=PAPER_NEAR_END)
    cfg = printer.config(check_status=check_status, timeout=1)
    send_bytes(cfg, TICKET)
    assert arrived(printer, 1, STATUS + TICKET + STATUS).count(TICKET) == 1
    assert not printer.held
    assert transport.paper_state(cfg) == transport.PAPER_LOW
    printer.answers[STATUS_PAPER] = PAPER_IN  # a new roll
    send_bytes(cfg, TICKET)
    assert arrived(printer, 2, (STATUS + TICKET + STATUS) * 2).count(TICKET) == 2
    assert transport.paper_state(cfg) == transport.PAPER_OK
    printer.answers[STATUS_PAPER] = PAPER_OUT  # near-end and roll end both set: out
    with pytest.raises(PrinterError, match="out of paper"):
        send_bytes(cfg, TICKET)
    assert transport.paper_state(cfg) == transport.PAPER_OUT
    assert transport.paper_state(printer.config(check_status=check_status, timeout=2)) is None  # another link


def test_the_paper_is_asked_alone_only_of_a_printer_whose_status_is_asked(plug):  # noqa: F811
    """check_paper (the idle worker's, while the paper is nearly out) sends DLE EOT 4 alone; nothing to a printer
    of check_status = false, nor to an "auto" one nobody learnt answering; nothing raised for one unreachable."""
    printer = plug("network", paper=PAPER_NEAR_END)
    cfg = printer.config(check_status=True, timeout=1)
    assert transport.check_paper(cfg) == transport.PAPER_LOW
    printer.answers[STATUS_PAPER] = PAPER_IN
    assert transport.check_paper(cfg) == transport.PAPER_OK
    assert printer.wait_for_closes(2) == STATUS_PAPER * 2
    assert transport.check_paper(printer.config(check_status=False)) is None
    assert transport.check_paper(printer.config(check_status="auto", timeout=1.5)) is None  # nothing learnt yet
    assert printer.wait_for_closes(2) == STATUS_PAPER * 2  # neither was asked
    assert transport.check_paper(printer.config(port=free_port(), check_status=True, timeout=1)) is None


# --- a real server: the staff are told once, the public never ----------------------------------------------------


@pytest.fixture
def kiosk():
    """The kiosk printer: a network printer that answers its status, its roll nearly used up."""
    printer = FakeNetworkPrinter(paper=PAPER_NEAR_END)
    yield printer
    printer.stop()


@pytest.fixture
def live(tmp_path, kiosk):
    """The server at 09:00 office time, its kiosk printer `kiosk` (check_status = true)."""
    config = write_config(tmp_path, kiosk.as_kiosk(timeout=1, check_status=True, profile="TM-T20II"))
    server = ClockedServer(config, tick=0.1, dated=True).start()
    server.add_user("rina", "frontoffice")
    yield server
    server.stop()


class Listener:
    """A Socket.IO client of one room ("staff" with a login's cookie, or the kiosk's public one), keeping the
    `printers` messages it gets and the events' types."""

    def __init__(self, live, role: str, session: requests.Session | None = None):
        self.printers: list[list[dict]] = []
        self.events: list[str] = []
        self.came = threading.Condition()
        self.sio = in_order(socketio.Client(reconnection=False))
        self.sio.on("printers", self._printers)
        self.sio.on("event", lambda ev: self._event([ev]))
        self.sio.on("events", self._event)
        self.sio.on("snapshot", lambda snap: self._event(["snapshot"]))
        cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items()) if session else ""
        self.sio.connect(live.url, auth={"role": role}, headers={"Cookie": cookie}, transports=["websocket"])
        self.wait(lambda: "snapshot" in self.events)

    def _printers(self, data):
        with self.came:
            self.printers.append(data)
            self.came.notify_all()

    def _event(self, evs):
        with self.came:
            self.events += [ev if isinstance(ev, str) else ev["type"] for ev in evs]
            self.came.notify_all()

    def wait(self, done, seconds: float = 10.0) -> None:
        with self.came:
            assert self.came.wait_for(done, seconds), f"printers {self.printers}, events {self.events}"

    def close(self) -> None:
        self.sio.disconnect()


def printed(session, live, count: int) -> list[dict]:
    """Today's print jobs once `count` of them printed (the test asserts on them)."""
    deadline = time.monotonic() + 15
    while True:
        jobs = session.get(f"{live.url}/api/print-jobs", timeout=5).json()["jobs"]
        if sum(j["status"] == "printed" for j in jobs) >= count or time.monotonic() > deadline:
            return jobs
        time.sleep(0.05)


def staff_printers(session, live, done) -> list[dict]:
    """The staff state's `printers` once `done(printers)` (the test asserts on them)."""
    deadline = time.monotonic() + 15
    while True:
        notices = session.get(f"{live.url}/api/staff/state", timeout=5).json()["printers"]
        if done(notices) or time.monotonic() > deadline:
            return notices
        time.sleep(0.05)


def test_the_front_office_is_told_once_while_the_kiosk_paper_is_nearly_out_and_no_ticket_fails(live, kiosk):
    """A roll already nearly used up when the server starts: its print worker asks the paper (DLE EOT 4) at its
    first round, with no ticket, so the staff state has the warning before the office opens (it came at the first
    visitor's ticket). Three tickets on that roll: all printed at the first try, no print_failed, no `printers`
    message (not one per ticket). A new roll: the idle worker asks the paper within a minute (no ticket needed),
    the warning goes ([]), and tickets go on printing with no message; the next roll nearly used up is told at
    the ticket that reads it (one `printers` message naming the kiosk printer). The public state and room never."""
    rina = live.session("rina", PASSWORD)
    (notice,) = staff_printers(rina, live, bool)  # no ticket yet
    assert notice["printer"] == "kiosk" and notice["paper"] == "low" and notice["counters"] == []
    assert notice["message"] == {"id": KIOSK_WARNING, "en": KIOSK_WARNING_EN}
    assert kiosk.wait_for_closes(1) == STATUS_PAPER  # asked alone, once
    staff = Listener(live, "frontoffice", rina)
    public = Listener(live, "kiosk")
    try:
        labels = [issue(live, f"Pengunjung {i}")["label"] for i in range(3)]
        jobs = printed(rina, live, 3)
        assert sorted((j["label"], j["status"], j["attempts"]) for j in jobs) == [(x, "printed", 1) for x in labels]
        staff.wait(lambda: staff.events.count("issued") == 3)
        assert rina.get(f"{live.url}/api/staff/state", timeout=5).json()["printers"] == [notice]
        assert "printers" not in requests.get(f"{live.url}/api/state", timeout=5).json()
        assert staff.printers == []  # not said again at each ticket
        assert "print_failed" not in staff.events

        kiosk.answers[STATUS_PAPER] = PAPER_IN  # a new roll, and no visitor for a while
        live.advance(61)
        staff.wait(lambda: len(staff.printers) == 1)
        assert staff.printers[0] == []
        assert rina.get(f"{live.url}/api/staff/state", timeout=5).json()["printers"] == []
        issue(live, "Pengunjung 4")
        printed(rina, live, 4)
        staff.wait(lambda: staff.events.count("issued") == 4)
        assert len(staff.printers) == 1

        kiosk.answers[STATUS_PAPER] = PAPER_NEAR_END  # the new roll nearly used up in the afternoon
        issue(live, "Pengunjung 5")
        staff.wait(lambda: len(staff.printers) == 2)
        (again,) = staff.printers[1]
        assert again["printer"] == "kiosk" and again["message"] == notice["message"]
        assert again["since"] > notice["since"]
        public.wait(lambda: public.events.count("issued") == 5)
        assert public.printers == []  # staff only
    finally:
        staff.close()
        public.close()
    assert "paper nearly out" in live.log()


# --- the front office page ---------------------------------------------------------------------------------------


def test_the_front_office_page_shows_the_warning_calmly_until_a_new_roll_is_in(browser, live, kiosk, tmp_path):
    """At 1024x768: a ticket printed on a nearly used-up roll brings one calm line (not a print failure) with
    since when; it is there after a reload too, in English when switched, and goes by itself after a new roll."""
    page = open_front(browser, live, {"width": 1024, "height": 768})
    issue(live, "Pengunjung 1")
    line = page.locator("#alerts li[data-type=paper_low]")
    expect(line).to_have_count(1)
    expect(line).to_have_attribute("data-printer", "kiosk")
    expect(line).to_contain_text(KIOSK_WARNING)
    expect(line.locator("strong")).to_have_text("sejak 09.00")
    expect(page.locator("#alerts li")).to_have_count(1)  # no failure beside it
    expect(page.locator("#alerts-empty")).to_be_hidden()
    assert line.evaluate("li => getComputedStyle(li).backgroundColor") != page.locator("#alerts").evaluate(
        "ul => { const li = document.createElement('li'); li.dataset.type = 'print_failed'; ul.append(li);"
        " const c = getComputedStyle(li).backgroundColor; li.remove(); return c; }"
    )  # not dressed as a failure
    shot = os.environ.get("PAPER_LOW_SHOT") or str(tmp_path / "paper-low.png")
    keep_shot(page, shot)
    issue(live, "Pengunjung 2")
    page.reload()
    expect(page.locator("#alerts")).to_have_attribute("data-loaded", "true")
    expect(line).to_have_count(1)
    expect(line).to_contain_text(KIOSK_WARNING)
    page.click("#lang-toggle")
    expect(line).to_contain_text(KIOSK_WARNING_EN)
    page.click("#lang-toggle")
    kiosk.answers[STATUS_PAPER] = PAPER_IN
    live.advance(61)
    expect(line).to_have_count(0)
    expect(page.locator("#alerts-empty")).to_be_visible()
    kiosk.answers[STATUS_PAPER] = PAPER_NEAR_END  # the next roll nearly used up: said again
    live.advance(600)
    issue(live, "Pengunjung 3")
    expect(line).to_contain_text(KIOSK_WARNING)
    expect(line.locator("strong")).to_have_text("sejak 09.11")
    line.locator("button", has_text="Tutup").click()  # closed: in this page, after a reload, until it is said again
    expect(line).to_have_count(0)
    page.reload()
    expect(page.locator("#alerts")).to_have_attribute("data-loaded", "true")
    expect(page.locator("#alerts-empty")).to_be_visible()
    expect(line).to_have_count(0)
    page.context.close()


def test_a_counters_printer_is_named_by_its_counters_and_another_by_its_name(tmp_path):
    """The warning names the printer as the front office knows it: the kiosk's; a counter's form-copy printer by
    its counters ("Kertas printer Loket 1 hampir habis"); any other by its name in config.toml."""
    from server.printing import paper_low_message, paper_notices

    config = write_config(
        tmp_path,
        {'services = ["A", "C"]': 'services = ["A", "C"]\nprinter = "loket1"'},
        extra='\n[printers.loket1]\ntype = "dummy"\n',
    )
    settings = load_settings(config)
    assert paper_low_message(settings, "kiosk") == {"id": KIOSK_WARNING, "en": KIOSK_WARNING_EN}
    assert paper_low_message(settings, "loket1") == {
        "id": "Kertas printer Loket 1 hampir habis: siapkan gulungan baru.",
        "en": "The paper of the Loket 1 printer is nearly out: have a new roll ready.",
    }
    assert paper_low_message(settings, "gudang")["id"] == "Kertas printer gudang hampir habis: siapkan gulungan baru."
    since = datetime(2026, 11, 28, 2, 5, tzinfo=UTC)
    workers = {
        "loket1": SimpleNamespace(paper_low_since=since, paper_shown="low"),
        "kiosk": SimpleNamespace(paper_low_since=None, paper_shown=None),
    }
    assert paper_notices(settings, workers) == [
        {"printer": "loket1", "paper": "low", "since": "2026-11-28T02:05:00+00:00", "counters": [1],
         "message": paper_low_message(settings, "loket1")}
    ]  # fmt: skip


# --- asked where no visitor waits: a roll nearly used up is known before the first ticket ------------------------


@pytest.mark.parametrize("kind", ["network", "serial", "usb"])
def test_a_printer_that_answers_its_status_is_asked_its_paper_too_when_its_worker_starts(plug, kind):  # noqa: F811
    """check_status = "auto": the worker's (or agent's) asking at its start (learn_status) asked DLE EOT 1 alone, so a
    roll already nearly used up in the morning was seen at the first visitor's ticket. A printer that answers it is
    asked DLE EOT 4 too, in the same connection; one that does not answer is asked nothing more."""
    printer = plug(kind, paper=PAPER_NEAR_END)
    cfg = printer.config(timeout=1)
    assert transport.learn_status(cfg) is True
    assert arrived(printer, 1, STATUS) == STATUS
    assert transport.paper_state(cfg) == transport.PAPER_LOW and not transport.paper_due(cfg)
    silent = plug("network", online=b"", paper=b"")
    quiet = silent.config(timeout=0.5)
    assert transport.learn_status(quiet) is False
    assert silent.wait_for_closes(1) == STATUS_ONLINE  # no paper query to a printer that does not answer
    assert transport.paper_state(quiet) is None and not transport.paper_due(quiet)


def test_a_printer_of_check_status_true_is_asked_its_paper_at_the_start_and_again_while_it_is_off(plug, status_clock):  # noqa: F811
    """check_status = true is never learnt (learn_status is for "auto"): its paper is due (paper_due) until
    something read it, so the worker asks it at its first round; a printer off then is asked again
    STATUS_RETRY_SECONDS later, not at every round. false is never asked."""
    port = closed_port()
    cfg = PrinterConfig.from_dict("kiosk", {"type": "network", "host": "127.0.0.1", "port": port, "check_status": True})
    assert transport.paper_due(cfg)
    assert transport.check_paper(cfg) is None  # switched off
    assert not transport.paper_due(cfg)
    status_clock[0] += STATUS_RETRY_SECONDS - 1
    assert not transport.paper_due(cfg)
    status_clock[0] += 1
    assert transport.paper_due(cfg)
    printer = plug("network", port=port, paper=PAPER_NEAR_END)  # switched on
    assert transport.check_paper(cfg) == transport.PAPER_LOW
    assert printer.wait_for_closes(1) == STATUS_PAPER
    assert not transport.paper_due(cfg)
    assert not transport.paper_due(printer.config(check_status=False))
    assert not transport.paper_due(printer.config(check_status="auto", timeout=3))  # learnt first (learn_status)


# --- printer test -----------------------------------------------------------------------------------------------


def test_printer_test_says_when_the_paper_is_nearly_out(tmp_path):
    """`python -m server printer test NAME` on a printer whose near-end sensor is on: the slip prints, and the admin
    is told, in both languages, that a new roll is wanted; nothing of it with paper enough."""
    said = {}
    for paper in (PAPER_NEAR_END, PAPER_IN):
        printer = FakeNetworkPrinter(paper=paper)
        try:
            folder = tmp_path / paper.hex()
            folder.mkdir()
            path = write_config(
                folder,
                {
                    '[printers.kiosk]\ntype = "dummy"': '[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\n'
                    f"port = {printer.port}\ntimeout = 5"
                },
            )
            r = server_command(["printer", "test", "kiosk", "--config", str(path)])
            assert r.returncode == 0 and r.stderr == "", r.stderr
            said[paper] = r.stdout.splitlines()
            assert printer.wait_for_closes(1).count(b"TES") >= 1
        finally:
            printer.stop()
    low = [
        "printer kiosk: kertasnya hampir habis (sensor near-end): siapkan gulungan baru; tiket tetap tercetak sampai"
        " kertas habis",
        "printer kiosk: its paper is nearly out (its near-end sensor): have a new roll ready; tickets print until the"
        " paper runs out",
    ]
    assert said[PAPER_NEAR_END][4:6] == low, said[PAPER_NEAR_END]
    assert said[PAPER_NEAR_END][2:4] == said[PAPER_IN][2:4]  # the slip went, and the printer answered its status
    assert said[PAPER_NEAR_END][2].startswith('printer kiosk menjawab permintaan status (check_status = "auto")')
    assert not any("hampir habis" in line or "nearly out" in line for line in said[PAPER_IN])


# --- the counter page: its own printer of form copies ------------------------------------------------------------

COUNTER_WARNING = "Kertas printer salinan formulir hampir habis (sejak 09.00): siapkan gulungan baru."
COUNTER_WARNING_EN = "The form-copy printer's paper is nearly out (since 09:00): have a new roll ready."


@pytest.fixture
def loket1():
    """Loket 1's printer of form copies: a network printer that answers its status, its roll nearly used up."""
    printer = FakeNetworkPrinter(paper=PAPER_NEAR_END)
    yield printer
    printer.stop()


@pytest.fixture
def counters_live(tmp_path, loket1):
    """The server at 09:00 office time, Loket 1's form copies on `loket1` (check_status = true), the kiosk's on a
    dummy; the officer budi."""
    config = write_config(
        tmp_path,
        {'services = ["A", "C"]': 'services = ["A", "C"]\nprinter = "loket1"'},
        extra="\n" + loket1.table("loket1", timeout=1, check_status=True, profile="TM-T20II") + "\n",
    )
    server = ClockedServer(config, tick=0.1, dated=True).start()
    server.add_user("budi", "officer")
    yield server
    server.stop()


def test_the_counter_page_shows_its_form_copy_printers_paper_nearly_out_by_the_button(
    browser, counters_live, loket1, tmp_path
):
    """The counter page got the staff's `printers` and showed nothing: the officer whose printer of form copies was
    nearly out learnt it when the copies stopped. Now one calm line under the form copy's button, on the page of
    Loket 1 only (not Loket 2's, whose copies go elsewhere), with since when, in English when switched, not hiding
    the answer's buttons while a visitor is served (1366x768 and 1024x768), and gone by itself after a new roll."""
    live = counters_live
    page = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID").new_page()
    sign_in(page, live, "/counter/", "budi")
    page.select_option("#counter-select", "1")
    line = page.locator("#copy-paper")
    expect(line).to_be_visible()
    expect(line).to_have_text(COUNTER_WARNING)
    expect(line).to_have_attribute("data-printer", "loket1")
    assert line.evaluate("p => getComputedStyle(p).backgroundColor") != page.locator("#copy-alert").evaluate(
        "p => getComputedStyle(p).backgroundColor"
    )  # not dressed as the red line of a copy that did not print
    page.select_option("#counter-select", "2")
    expect(line).to_be_hidden()
    page.select_option("#counter-select", "1")
    expect(line).to_be_visible()
    shots = os.environ.get("PAPER_LOW_SHOTS") or str(tmp_path)
    keep_shot(page, f"{shots}/counter-paper-low-idle.png")
    issue(live, "Pengunjung 1")
    page.click("#btn-call-next")
    page.click("#btn-start")
    expect(page.locator("body")).to_have_class(re.compile(r"\bserving\b"))
    for width in (1366, 1024):
        resize(page, {"width": width, "height": 768})
        expect(line).to_be_visible()
        keep_shot(page, f"{shots}/counter-paper-low-{width}.png")
        for button in ("#btn-resolve", "#btn-escalate"):
            box = page.locator(button).bounding_box()
            assert box is not None and box["y"] + box["height"] <= 768, (width, button, box)
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    page.click("#lang-toggle")
    expect(line).to_have_text(COUNTER_WARNING_EN)
    page.click("#lang-toggle")
    page.reload()
    expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
    expect(line).to_have_text(COUNTER_WARNING)  # from the staff state, after a reload
    loket1.answers[STATUS_PAPER] = PAPER_IN  # a new roll
    live.advance(61)
    expect(line).to_be_hidden()
    page.context.close()


def test_a_roll_that_runs_out_with_no_ticket_waiting_is_said_as_out_not_taken_for_a_new_roll(live, kiosk):
    """The last visitor of the afternoon took the roll's end: the idle worker's next look read "out", and the warning
    went, as after a new roll (the log said "no longer nearly out"), with no ticket to fail and say it: the next
    morning's first visitor had none (helper-257's review). The line stays, saying the paper is out, until a roll
    is in."""
    rina = live.session("rina", PASSWORD)
    (notice,) = staff_printers(rina, live, bool)
    assert notice["paper"] == "low", notice
    kiosk.answers[STATUS_PAPER] = PAPER_OUT
    live.advance(61)
    (notice,) = staff_printers(rina, live, lambda n: n and n[0]["paper"] == "out")
    assert notice["paper"] == "out" and notice["message"]["id"].startswith("Kertas printer kios habis"), notice
    kiosk.answers[STATUS_PAPER] = PAPER_IN  # a new roll
    live.advance(61)
    assert staff_printers(rina, live, lambda n: n == []) == []
    # the admin's log says the roll is in, not that a roll that had run out is "no longer nearly out"
    since_out = live.log()[live.log().rindex("paper out, said to the front office") :]
    assert "paper in again" in since_out and "no longer nearly out" not in since_out, since_out


def test_a_new_roll_is_seen_within_the_minute_after_the_clock_was_stepped_back(live, kiosk):
    """NTP stepped the clock back an hour after the printer said nearly out: the idle worker's look a minute later
    waited for the clock to catch up, the warning up for an hour after a new roll (helper-257's review)."""
    rina = live.session("rina", PASSWORD)
    staff_printers(rina, live, bool)
    live.advance(-3600)
    kiosk.answers[STATUS_PAPER] = PAPER_IN
    live.advance(1)
    assert staff_printers(rina, live, lambda n: n == []) == []
