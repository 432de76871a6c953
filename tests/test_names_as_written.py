"""A counter's or a service's name the admin saves is shown as written on every page, whatever it holds: the pages
fill their texts' {placeholders} in one pass, so a name with "{by}" or "{n}" in it is not filled again. A real server
process and real Chromium."""

from __future__ import annotations

import html
import re

import requests
from conftest import visitor, write_config
from live import LiveServer
from playwright.sync_api import expect
from staffpages import PASSWORD, admin_session, put_settings, sign_in

# every placeholder the counter page's and the phone's texts fill beside a counter's name, and replace() patterns
NAME = "Loket {by} {time} {label} {counter} {n} $& {}"


def test_a_counter_named_with_placeholders_is_shown_as_written(browser, tmp_path):
    """Counter 2 renamed "Loket {by} {time} …" by the admin: when the admin freed it, its officer's page said
    "Loket kepala 10.15 … dilepas oleh kepala", the name filled with the words that came after it."""
    server = LiveServer(write_config(tmp_path)).start()
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    try:
        boss = admin_session(server, "kepala", "budi")
        rows = boss.get(f"{server.url}/api/admin/settings", timeout=5).json()["counters"]
        row = next(r for r in rows if r["id"] == 2)
        row["name"] = NAME
        put_settings(server, boss, "counters", rows)
        ticket = requests.post(f"{server.url}/api/tickets", json=visitor(service=row["services"][0]), timeout=5)
        assert ticket.status_code == 201, ticket.text
        token = ticket.json()["ticket"]["token"]

        budi = sign_in(context.new_page(), server, "/counter/", "budi")
        budi.select_option("#counter-select", "2")
        budi.click("#btn-call-next")
        expect(budi.locator("#t-label")).to_have_text(ticket.json()["ticket"]["label"])
        page = requests.get(f"{server.url}/t/{token}?lite=1", timeout=5).text  # the phone without its script
        assert NAME in " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())

        r = server.session("kepala", PASSWORD).post(f"{server.url}/api/counters/2/release", json={}, timeout=5)
        assert r.status_code == 200, r.text
        expect(budi.locator("#notice")).to_contain_text(f"{NAME} dilepas oleh kepala")
    finally:
        context.close()
        server.stop()
