"""The office admin changes things at 11:00 while the office runs, against a real server and real Chromium: what
the staff pages open then show afterwards.

The module shares one live server; an autouse fixture puts back every settings section a test changed.
"""

from __future__ import annotations

import pytest
from adminpages import restore_settings as restore_settings  # autouse fixture: what a test changed put back
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import FRONT_VISITOR, admin_session, counter_actions, fill_front, issue, open_front


@pytest.fixture(scope="module")
def boss(live):
    """adminpages.boss's admin, and the front office "rina" whose page the test opens: not the shared one."""
    session = admin_session(live, "kepala", "budi")
    live.add_user("rina", "frontoffice")
    return session


def rename_service(live, boss, code: str, name: str) -> None:
    services = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["services"]
    for row in services:
        if row["code"] == code:
            row["name"] = name
    r = boss.put(f"{live.url}/api/admin/settings/services", json={"value": services}, timeout=5)
    assert r.status_code == 200, r.text


def service_names(page) -> list[str]:
    return page.locator("#r-service option").all_inner_texts()


def test_a_change_made_while_the_front_office_typed_is_taken_once_the_number_is_issued(browser, live, boss):
    """11:00: the front office is typing a visitor's details when the admin renames service B and sets the daily
    calls before a skip to 2. The page kept the form and said "Pengaturan diubah admin; muat ulang halaman."; the
    number issued then took that notice's place and the page kept the old service names and 3 calls all day (its
    form offered "Konsultasi Non-Penyedia (PPK/Pokja/PP)", gone from the kiosk and the TV). Once the ticket is
    issued the page now reloads: the new names, the max_calls in force, the number issued said still."""
    calling = issue(live, "Wawan Setiawan", "A")
    counter_actions(live, "budi", 1)("call-next")  # Loket 1 calls it: the list says its calls, "(1/3)"
    page = open_front(browser, live)
    label = calling["label"]
    called = page.locator(f"#tickets tr[data-label='{label}'] td.status")
    expect(called).to_contain_text("(1/3)")
    assert "B · Konsultasi Non-Penyedia (PPK/Pokja/PP)" in service_names(page)
    page.select_option("#r-service", "B")
    fill_front(page, {**FRONT_VISITOR, "phone": "0813-1111-2222"})  # not the caller's phone: no second number asked
    rename_service(live, boss, "B", "Konsultasi PPK dan Pokja")
    r = boss.put(f"{live.url}/api/admin/settings/queue", json={"value": {"max_calls": 2}}, timeout=5)
    assert r.status_code == 200, r.text
    notice = page.locator("#reg-notice")
    expect(notice).to_have_text("Pengaturan diubah admin; muat ulang halaman.")
    expect(page.locator("#r-name")).to_have_value(FRONT_VISITOR["name"])  # nothing typed is lost
    page.click("#btn-register")
    expect(notice).to_contain_text("Nomor antrian B-")
    expect(notice).to_contain_text("diterbitkan")
    expect(page.locator("#r-service")).to_have_value("B")  # the next visitor's service, as after any number
    expect(page.locator("#r-service option[value=B]")).to_have_text("B · Konsultasi PPK dan Pokja")
    assert "B · Konsultasi Non-Penyedia (PPK/Pokja/PP)" not in service_names(page)
    expect(page.locator("#r-name")).to_have_value("")
    expect(called).to_contain_text("(1/2)")  # called once of the 2 calls now in force
    keep_shot(page, "front-after-change.png")
    page.context.close()
