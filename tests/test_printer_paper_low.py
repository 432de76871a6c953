"""A thermal printer's paper near-end sensor: the roll nearly used up. Its status answer (DLE EOT 4, bits 2 and 3)
said so at every ticket and nobody was told, so the roll ran out in the middle of the morning and tickets stopped.
Now the front office reads a calm warning ("Kertas printer kios hampir habis: siapkan gulungan baru.") while the
tickets still print: once while it lasts, staff only, gone by itself once the printer no longer says it (a new
roll). Real transports on the tests' fake printers (tests/fakeprinter.py), a real server, real Chromium."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
import requests
import socketio
from conftest import write_config
from fakeprinter import PAPER_IN, PAPER_NEAR_END, PAPER_OUT, STATUS_PAPER, FakeNetworkPrinter
from live import ClockedServer, free_port
from playwright.sync_api import expect
from staffpages import PASSWORD, issue, open_front
from test_printer_status import STATUS, TICKET, arrived, plug  # noqa: F401 (plug: a fixture)

from printers import PrinterError, send_bytes, transport
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
    config = write_config(
        tmp_path,
        {
            '[printers.kiosk]\ntype = "dummy"': f'[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\n'
            f'port = {kiosk.port}\ntimeout = 1\ncheck_status = true\nprofile = "TM-T20II"',
        },
    )
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
        self.sio = socketio.Client(reconnection=False)
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


def test_the_front_office_is_told_once_while_the_kiosk_paper_is_nearly_out_and_no_ticket_fails(live, kiosk):
    """Three tickets printed on a nearly used-up roll: all printed at the first try, no print_failed; the staff
    room gets one `printers` message naming the kiosk printer (not one per ticket), the staff state has it, the
    public state and room nothing. A new roll: the idle worker asks the paper within a minute (no ticket needed),
    the warning goes ([]), and tickets go on printing with no message."""
    rina = live.session("rina", PASSWORD)
    staff = Listener(live, "frontoffice", rina)
    public = Listener(live, "kiosk")
    try:
        labels = [issue(live, f"Pengunjung {i}")["label"] for i in range(3)]
        jobs = printed(rina, live, 3)
        assert sorted((j["label"], j["status"], j["attempts"]) for j in jobs) == [(x, "printed", 1) for x in labels]
        staff.wait(lambda: len(staff.printers) == 1)
        (notice,) = staff.printers[0]
        assert notice["printer"] == "kiosk" and notice["paper"] == "low"
        assert notice["message"] == {"id": KIOSK_WARNING, "en": KIOSK_WARNING_EN}
        state = rina.get(f"{live.url}/api/staff/state", timeout=5).json()
        assert state["printers"] == [notice]
        assert "printers" not in requests.get(f"{live.url}/api/state", timeout=5).json()
        issue(live, "Pengunjung 3")
        printed(rina, live, 4)
        staff.wait(lambda: staff.events.count("issued") == 4)
        assert len(staff.printers) == 1  # not repeated at the fourth ticket
        assert "print_failed" not in staff.events

        kiosk.answers[STATUS_PAPER] = PAPER_IN  # a new roll, and no visitor for a while
        live.advance(61)
        staff.wait(lambda: len(staff.printers) == 2)
        assert staff.printers[1] == []
        assert rina.get(f"{live.url}/api/staff/state", timeout=5).json()["printers"] == []
        issue(live, "Pengunjung 4")
        printed(rina, live, 5)
        staff.wait(lambda: staff.events.count("issued") == 5)
        public.wait(lambda: public.events.count("issued") == 5)
        assert len(staff.printers) == 2
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
    page.screenshot(path=shot)
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
    workers = {"loket1": SimpleNamespace(paper_low_since=since), "kiosk": SimpleNamespace(paper_low_since=None)}
    assert paper_notices(settings, workers) == [
        {"printer": "loket1", "paper": "low", "since": "2026-11-28T02:05:00+00:00",
         "message": paper_low_message(settings, "loket1")}
    ]  # fmt: skip
