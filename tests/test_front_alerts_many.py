"""A printer out for a busy hour fails a slip per visitor: one line for the printer, naming them. The front office's
list of today's tickets stays in sight at 1366x768, as on a day without alerts: ten alerts, one per slip, had
pushed the counters and the whole ticket list below the screen (then scrolled in their own box, still ten lines
to read for one cause)."""

from __future__ import annotations

import pytest
from conftest import write_config
from live import LiveServer, free_port
from playwright.sync_api import expect
from staffpages import issue, sign_in

VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture
def live(tmp_path):
    """The kiosk printer a network printer nobody listens for: every slip fails (and is retried)."""
    config = write_config(
        tmp_path,
        {
            '[printers.kiosk]\ntype = "dummy"': f'[printers.kiosk]\ntype = "network"\nhost = "127.0.0.1"\n'
            f'port = {free_port()}\ntimeout = 1\nprofile = "TM-T20II"'
        },
    )
    server = LiveServer(config).start()
    server.add_user("rina", "frontoffice")
    yield server
    server.stop()


def test_many_failed_slips_are_one_line_and_the_ticket_list_stays_in_sight(browser, live):
    labels = [issue(live, f"Pengunjung {i + 1}", service="ABC"[i % 3])["label"] for i in range(10)]
    page = browser.new_context(viewport=VIEWPORT, locale="id-ID").new_page()
    sign_in(page, live, "/counter/front", "rina")
    line = page.locator("#alerts li[data-type=print_failed]")
    expect(line.locator(".slip-label")).to_have_count(6, timeout=20_000)  # six named, then "+4 lagi"
    expect(line).to_have_count(1)
    expect(line).to_contain_text("Belum ada slip (10)")
    line.locator(".slip-more").click()
    expect(line.locator(".slip-label")).to_have_text(labels)  # all ten, as issued
    box = page.locator("#ticket-box")
    # the list's box starts on screen with room for rows, without scrolling anything
    assert box.bounding_box()["y"] + 120 <= VIEWPORT["height"]
    for label in labels[0], labels[3]:  # the first rows of the list, under their service's heading
        row = page.locator(f"#tickets tr[data-label='{label}']")
        expect(row).to_be_visible()
        assert row.bounding_box()["y"] + row.bounding_box()["height"] <= VIEWPORT["height"]
    assert page.locator(".front-grid > .right").evaluate("r => r.scrollTop") == 0
    assert page.evaluate("document.scrollingElement.scrollHeight") <= VIEWPORT["height"]  # the page does not scroll
    expect(line).to_be_in_viewport()  # whole, in the alerts' box
    assert page.locator("#alerts").evaluate("a => a.scrollHeight <= a.clientHeight")
    page.context.close()
