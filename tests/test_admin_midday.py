"""The admin changes the settings in the middle of a working day, against a real server and real Chromium: a save
whose answer the network lost, and what the event log keeps of each change.

The module shares one live server; an autouse fixture puts back every settings section a test changed.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from adminpages import boss as boss  # fixture: the module's admin (tests/adminpages.py)
from adminpages import restore_settings as restore_settings  # autouse fixture: what a test changed put back
from playwright.sync_api import expect
from staffpages import first_snapshot_read, put_settings, sign_in

from server.config import load_settings

VIEWPORT = {"width": 1366, "height": 768}


def settings_events(live) -> list[tuple[str, str]]:
    """The event log's settings_changed rows (actor, data), read from the server's database file."""
    database = Path(load_settings(live.config).server.database)
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute("SELECT actor, data FROM events WHERE type = 'settings_changed' ORDER BY seq").fetchall()


def admin_page(browser, live):
    """The admin page signed in as kepala, and its office name's input, once the page's live socket's first snapshot
    has read the settings again: that read answered after a test's save (a loaded CI run) found the name saved and
    said Tersimpan. at once, as it should, with no lost answer left for the test to see."""
    page = browser.new_context(viewport=VIEWPORT, locale="id-ID").new_page()
    with first_snapshot_read(page):
        sign_in(page, live, "/counter/admin", "kepala")
    name = page.locator('[data-key="office.name"]')
    expect(name).to_have_value("LPSE Kabupaten Contoh")
    return page, name


def test_a_save_whose_answer_the_network_lost_is_saved_once_and_saving_again_says_so(browser, live, boss):
    """The office's Wi-Fi drops as the admin saves the office's new name: the server saved it, the answer never
    came. The page said the network failed and kept the edit; Simpan again was refused as "Kantor sudah diubah
    oleh kepala … perubahan Anda tidak disimpan", the admin's own save taken for another's, and the name was in
    force all along. Now the second press says Tersimpan., and the log has the one change."""
    page, name = admin_page(browser, live)
    before = len(settings_events(live))

    def lost_answer(route):
        route.fetch()  # the server gets the save and commits it ...
        route.abort("connectionreset")  # ... and its answer is lost on the way back

    page.route("**/api/admin/settings/office", lost_answer)
    name.fill("LPSE Kabupaten Contoh Baru")
    page.click("#sec-office button.save")
    notice = page.locator("#sec-office .notice")
    expect(notice).to_have_attribute("data-kind", "error")
    assert (
        boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["office"]["name"] == "LPSE Kabupaten Contoh Baru"
    )
    page.unroute("**/api/admin/settings/office")

    page.click("#sec-office button.save")
    expect(notice).to_have_text("Tersimpan.")
    expect(page.locator("#sec-office .reload-section")).to_have_count(0)
    expect(name).to_have_value("LPSE Kabupaten Contoh Baru")
    assert len(settings_events(live)) == before + 1  # saved once, not twice
    page.context.close()


def test_a_save_whose_answer_was_lost_after_a_read_found_it_in_force_says_saved(browser, live, boss):
    """A read of the settings (the live socket's snapshot after a reconnect) answered between the save's commit and
    its lost answer found the name in force and took the section as saved; then the lost answer said "the network
    failed" over it, and no later read said otherwise: the admin was told a saved name was not. Now: Tersimpan."""
    page, name = admin_page(browser, live)
    before = len(settings_events(live))

    def read_then_lost_answer(route):
        route.fetch()  # saved by the server ...
        # ... a fresh snapshot's read of the settings taken by the page (the accounts are read after it) ...
        with page.expect_response(lambda r: r.url.endswith("/api/admin/users")):
            page.evaluate("antrianAdmin.live.resync()")
        route.abort("connectionreset")  # ... then the save's answer lost

    page.route("**/api/admin/settings/office", read_then_lost_answer)
    name.fill("LPSE Kabupaten Contoh Siang")
    page.click("#sec-office button.save")
    notice = page.locator("#sec-office .notice")
    expect(notice).to_have_text("Tersimpan.")
    page.unroute("**/api/admin/settings/office")
    expect(name).to_have_value("LPSE Kabupaten Contoh Siang")
    expect(page.locator("#sec-office .reload-section")).to_have_count(0)
    assert len(settings_events(live)) == before + 1
    page.context.close()


def test_a_save_that_another_admin_changed_differently_is_still_refused(live, boss):
    """The retry above is answered as saved only because its value is the one in force: a draft made on the page
    loaded before another admin's different change is still refused (409), nothing of it saved."""
    base = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["versions"]["office"]
    put_settings(live, boss, "office", {"name": "LPSE Kota Lain"})
    r = boss.put(
        f"{live.url}/api/admin/settings/office", json={"value": {"name": "LPSE Kota Saya"}, "base": base}, timeout=5
    )
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "settings_changed_meanwhile"
    assert boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["office"]["name"] == "LPSE Kota Lain"
    # the same value as the one in force, on that old base: nothing to refuse, nothing logged
    before = len(settings_events(live))
    r = boss.put(
        f"{live.url}/api/admin/settings/office", json={"value": {"name": "LPSE Kota Lain"}, "base": base}, timeout=5
    )
    assert r.status_code == 200, r.text
    assert len(settings_events(live)) == before


def test_the_same_value_saved_again_on_the_current_version_changes_and_logs_nothing(live, boss):
    """The page that lost its save's answer often has the section's new version by then (the settings_changed
    event came over its socket): its Simpan again sent the value in force on the current base, and the log had a
    second settings_changed with no change in it (CI, 2026-12-05). Such a save is answered 200 and logged once."""
    put_settings(live, boss, "office", {"name": "LPSE Kota Sama"})
    before = len(settings_events(live))
    for _ in range(2):
        base = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["versions"]["office"]
        r = boss.put(
            f"{live.url}/api/admin/settings/office", json={"value": {"name": "LPSE Kota Sama"}, "base": base}, timeout=5
        )
        assert r.status_code == 200, r.text
        assert boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["versions"]["office"] == base
    r = boss.put(f"{live.url}/api/admin/settings/office", json={"value": {"name": "LPSE Kota Sama"}}, timeout=5)
    assert r.status_code == 200, r.text
    assert len(settings_events(live)) == before


def test_the_event_log_says_who_changed_what_not_only_which_section(live, boss):
    """At 10:30 the admin caps service B at 3 numbers, adds Loket 4 and renames Loket 1, then takes the cap
    back with Kembali ke config.toml. The log said `{"section": "services"}` by kepala: who and where, never
    what; which quota, which counter, from what to what had to be guessed from today's settings."""
    before = len(settings_events(live))
    settings = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()
    services = settings["services"]
    services[1]["daily_quota"] = 3
    put_settings(live, boss, "services", services)
    counters = settings["counters"]
    counters[0]["name"] = "Loket Depan"
    counters.append({"id": 4, "name": "Loket 4", "services": ["A", "B"], "printer": ""})
    put_settings(live, boss, "counters", counters)
    boss.delete(f"{live.url}/api/admin/settings/services", timeout=5).raise_for_status()

    logged = [(actor, json.loads(data)) for actor, data in settings_events(live)[before:]]
    assert logged == [
        ("kepala", {"section": "services", "changes": [{"key": "services[B].daily_quota", "old": None, "new": 3}]}),
        (
            "kepala",
            {
                "section": "counters",
                "changes": [
                    {"key": "counters[1].name", "old": "Loket 1", "new": "Loket Depan"},
                    {"key": "counters[4]", "old": None, "new": counters[3]},
                ],
            },
        ),
        (
            "kepala",
            {
                "section": "services",
                "reset": True,
                "changes": [{"key": "services[B].daily_quota", "old": 3, "new": None}],
            },
        ),
    ]


def test_a_save_whose_answer_was_lost_is_not_said_changed_elsewhere_after_a_reconnect(browser, live, boss):
    """The save's answer lost, and the page's connection gone with it: at the reconnect the page read the settings
    again and said the section was "diubah di tempat lain selagi halaman ini tidak tersambung … menyimpannya akan
    ditolak", of the admin's own save (helper-270). What the page typed is what is in force: it says Tersimpan."""
    page, name = admin_page(browser, live)
    context = page.context

    def lost_answer(route):
        route.fetch()  # saved by the server ...
        route.abort("connectionreset")  # ... its answer lost

    page.route("**/api/admin/settings/office", lost_answer)
    name.fill("LPSE Kabupaten Contoh Malam")
    page.click("#sec-office button.save")
    notice = page.locator("#sec-office .notice")
    expect(notice).to_have_attribute("data-kind", "error")
    page.unroute("**/api/admin/settings/office")
    context.set_offline(True)  # the Wi-Fi gone a while: the live connection drops ...
    expect(page.locator("#live-status")).to_have_attribute("data-state", "off", timeout=30_000)
    context.set_offline(False)  # ... and comes back: its snapshot reads the settings again
    expect(page.locator("#live-status")).to_have_attribute("data-state", "on", timeout=30_000)
    expect(notice).to_have_text("Tersimpan.")
    expect(page.locator("#sec-office .reload-section")).to_have_count(0)
    expect(name).to_have_value("LPSE Kabupaten Contoh Malam")
    context.close()
