"""The front office's lines of slips not printed, or printed late, named the printer by its config.toml name: "Slip
tidak dicetak di printer kiosk" on the Indonesian page (an English word, helper-302's bad morning), beside the
failure's "Printer kios: kertas habis" and the paper's "Kertas printer kios hampir habis" about the same printer. They
name it as those do: "printer kios" in Indonesian, "the kiosk printer" in English (the page config's
`printer_names`). A real server whose kiosk printer nobody listens for, real Chromium."""

from __future__ import annotations

import pytest
from conftest import write_config
from live import ClockedServer, free_port
from playwright.sync_api import expect
from staffpages import PASSWORD, issue, open_front, reload_front


@pytest.fixture
def live(tmp_path):
    """The server at 09:00 office time; its kiosk printer a network printer nobody listens for; rina."""
    kiosk = f'[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\nport = {free_port()}\ntimeout = 1'
    config = write_config(tmp_path, {'[printers.kiosk]\ntype = "dummy"': kiosk})
    server = ClockedServer(config, tick=0.1, dated=True).start()
    server.add_user("rina", "frontoffice")
    yield server
    server.stop()


def test_a_slip_not_printed_is_said_of_the_kiosk_printer_in_the_pages_language(browser, live):
    rina = live.session("rina", PASSWORD)
    ticket = issue(live, "Agus Salim")
    job = live.print_job_when(rina, "retrying")  # its first try failed: the visitor and the front office told
    assert job["label"] == ticket["label"] and job["status"] == "retrying", job
    page = open_front(browser, live)
    rina.post(f"{live.url}/api/tickets/{ticket['token']}/cancel", json={}, timeout=5).raise_for_status()
    line = page.locator("#alerts li[data-type=print_skipped]")
    said = f"Slip tidak dicetak di printer kios, tidak diperlukan lagi: {ticket['label']} (tiket sudah dibatalkan)."
    for loaded in (False, True):  # live, from its event; then loaded from the print jobs
        if loaded:
            reload_front(page)
        expect(line).to_contain_text(said)
        page.click("#lang-toggle")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(line).to_contain_text(f"Slips not printed on the kiosk printer, no longer needed: {ticket['label']} (")
        page.click("#lang-toggle")
        expect(page.locator("html")).to_have_attribute("lang", "id")
        expect(line).to_contain_text(said)
    page.context.close()
