"""The admin page (/counter/admin) end to end: a real server process, real Chromium.

The module shares one live server; an autouse fixture puts back every settings section a test
changed. Set ANTRIAN_SCREENSHOTS=1 to refresh docs/screenshots/admin.png.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from adminpages import boss as boss  # fixture: the module's admin (tests/adminpages.py)
from adminpages import error_at, key
from adminpages import restore_settings as restore_settings  # autouse fixture: what a test changed put back
from conftest import ROOT, SocketGate
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import empty_queue, first_snapshot_read, issue, put_settings, sign_in

PASSWORD = "rahasia-123"
VIEWPORT = {"width": 1366, "height": 768}
# the admin page's panels (counter/templates/counter/admin.html), each measured on a laptop's screen
PANELS = {
    "sec-office", "sec-services", "sec-counters", "sec-live", "sec-queue", "sec-kiosk", "sec-priority_classes",
    "sec-hours", "sec-users", "sec-survey", "sec-voice", "sec-announcement",
}  # fmt: skip


def open_page(browser, live, path: str, username: str, form: bool = False):
    """A new browser logged in as `username` on `path` (through the login form when `form`)."""
    page = browser.new_context(viewport=VIEWPORT, locale="id-ID").new_page()
    return sign_in(page, live, path, username, check_name=not form, form=form)


def admin_page(browser, live):
    """The admin page of kepala once its live socket's first snapshot has read the settings again (a test's save or
    edit before that read's answer is taken over by it on a loaded run: tests/staffpages.py first_snapshot_read)."""
    page = browser.new_context(viewport=VIEWPORT, locale="id-ID").new_page()
    with first_snapshot_read(page):
        sign_in(page, live, "/counter/admin", "kepala")
    expect(page.locator('[data-key="office.name"]')).to_have_value("LPSE Kabupaten Contoh")
    return page


def state(live) -> dict:
    return requests.get(f"{live.url}/api/state", timeout=5).json()


def login_status(live, username: str, password: str) -> int:
    return requests.post(
        f"{live.url}/api/login", json={"username": username, "password": password}, timeout=5
    ).status_code


def test_a_renamed_and_an_added_service_are_live_at_once_on_the_display_and_counter_pages(browser, live, boss):
    display = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    display.goto(f"{live.url}/display/")
    display.wait_for_function("() => window.antrianDisplay && antrianDisplay.state.synced", polling=50)
    expect(display.locator('#waiting li[data-service="A"] .name')).to_have_text("Konsultasi Penyedia")
    counter = open_page(browser, live, "/counter/", "budi")
    page = admin_page(browser, live)

    key(page, "services[0].name").fill("Konsultasi Penyedia (Vendor)")
    page.click("#sec-services button.add")
    key(page, "services[3].code").fill("D")
    key(page, "services[3].name").fill("Pengaduan & <Keluhan>")
    expect(page.locator("#sec-services .notice")).to_have_attribute("data-kind", "dirty")
    page.click("#sec-services button.save")
    expect(page.locator("#sec-services .notice")).to_have_text(
        re.compile(r"^Tersimpan\. Belum dilayani loket mana pun: D ")
    )

    services = state(live)["services"]  # no restart: the public state has it at once
    assert [(s["code"], s["name"]) for s in services] == [
        ("A", "Konsultasi Penyedia (Vendor)"),
        ("B", "Konsultasi Non-Penyedia (PPK/Pokja/PP)"),
        ("C", "Registrasi & Verifikasi Akun"),
        ("D", "Pengaduan & <Keluhan>"),
    ]
    # The new service is a checkbox for every counter, re-rendered from the answer.
    expect(page.locator('[data-key="counters[0].services"] input[value="D"]')).not_to_be_checked()
    # The open display re-snapshots on settings_changed: the new name, and D as text, not markup.
    expect(display.locator('#waiting li[data-service="A"] .name')).to_have_text("Konsultasi Penyedia (Vendor)")
    expect(display.locator('#waiting li[data-service="D"] .name')).to_have_text("Pengaduan & <Keluhan>")
    # The idle counter page reloads its config.
    counter.wait_for_function(
        "() => JSON.parse(document.getElementById('page-config').textContent).services.some(s => s.code === 'D')",
        polling=50,
    )
    for p in (display, counter, page):
        p.context.close()


def test_a_bad_service_code_is_shown_at_that_rows_input_and_changes_nothing(browser, live, boss):
    page = admin_page(browser, live)
    page.click("#sec-services button.add")
    key(page, "services[3].code").fill("d1")
    key(page, "services[3].name").fill("Pengaduan")
    page.click("#sec-services button.save")

    # in the page's language, the row numbered as the page shows it (the fourth row, services[3])
    expect(error_at(page, "services[3].code")).to_have_text("harus 1-3 huruf kapital (isian: 'd1')")
    expect(key(page, "services[3].code")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#sec-services .notice")).to_have_attribute("data-kind", "error")
    expect(page.locator("#sec-services .notice")).to_have_text(
        "Pengaturan tidak valid: Layanan baris 4, kode: harus 1-3 huruf kapital (isian: 'd1')"
    )
    expect(error_at(page, "services[0].code")).to_have_text("")
    assert [s["code"] for s in state(live)["services"]] == ["A", "B", "C"]
    page.context.close()


def test_a_service_its_counters_still_serve_is_refused_naming_them_and_the_way_out(browser, live, boss):
    """The admin removed service B in Layanan and saved: "Pengaturan tidak valid: Loket baris 2, layanan: layanan
    'B' tidak dikenal", a counters row's problem on the services' table (B was known: the counters still named it),
    nothing under the table and no word of what to do, nor that B's visitors were waiting (helper-325)."""
    empty_queue(live)
    page = admin_page(browser, live)
    page.locator("#sec-services tbody tr").nth(1).locator("button.remove").click()
    page.click("#sec-services button.save")
    notice = page.locator("#sec-services .notice")
    expect(notice).to_have_text(
        "Layanan B tidak bisa dihapus: Loket 2, Loket 3 masih melayaninya. Hapus centang B pada loket itu di bagian "
        "Loket dan simpan, lalu hapus layanannya di sini."
    )
    expect(error_at(page, "services")).to_have_text(
        "Layanan B masih dilayani Loket 2, Loket 3: hapus dulu centang B pada loket itu di bagian Loket."
    )
    # a visitor waiting for B: said too, at once, and when B may go. Unticking B at its last counter is refused while
    # B's visitors wait (service_unserved): "untick B first" alone sent the admin there, to be refused again.
    ticket = issue(live, "Rahmat", "B")
    page.click("#sec-services button.save")
    expect(notice).to_have_text(
        "Belum disimpan; ada 2 hal yang menahannya:\n"
        "Layanan B masih punya antrian menunggu hari ini: hapus setelah semua antriannya dilayani (atau dibatalkan di "
        "Front office), atau besok.\n"
        "Layanan B juga masih dilayani Loket 2, Loket 3: setelah antriannya habis, hapus centang B pada loket itu di "
        "bagian Loket dan simpan, lalu hapus layanannya di sini (sebelum itu, loket terakhir yang melayaninya tidak "
        "bisa melepasnya)."
    )
    expect(error_at(page, "services")).to_have_text(
        "Layanan B masih punya antrian menunggu hari ini: bisa dihapus setelah antriannya habis, atau besok.\n"
        "Layanan B masih dilayani Loket 2, Loket 3: setelah antriannya habis, hapus centang B pada loket itu di "
        "bagian Loket."
    )
    assert [s["code"] for s in state(live)["services"]] == ["A", "B", "C"]
    english = boss.put(
        f"{live.url}/api/admin/settings/services",
        json={
            "value": [
                s for s in boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["services"] if s["code"] != "B"
            ]
        },
        headers={"X-Lang": "en"},
        timeout=5,
    )
    assert english.status_code == 409 and english.json()["error"] == "service_in_use", english.text
    message = english.json()["message"]
    assert "Service B is also still served by Loket 2, Loket 3: once its line is empty," in message
    assert "remove it once they have all been served (or cancelled at the front office), or tomorrow." in message
    cancel = boss.post(f"{live.url}/api/tickets/{ticket['token']}/cancel", json={}, timeout=5)
    assert cancel.status_code == 200, cancel.text
    page.context.close()


def test_queue_max_calls_is_saved_and_a_bad_number_is_named(browser, live, boss):
    page = admin_page(browser, live)
    key(page, "queue.max_calls").fill("0")
    page.click("#sec-queue button.save")
    expect(error_at(page, "queue.max_calls")).not_to_have_text("")
    assert boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["queue"]["max_calls"] == 3

    key(page, "queue.max_calls").fill("2")
    page.click("#sec-queue button.save")
    expect(page.locator("#sec-queue .notice")).to_have_text("Tersimpan.")
    expect(error_at(page, "queue.max_calls")).to_have_text("")
    assert boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["queue"]["max_calls"] == 2
    page.context.close()


def test_a_save_sends_only_the_fields_the_admin_changed_and_hours_take_the_pages_dots(browser, live, boss):
    """Simpan of Kantor sent all four keys after only the name was changed, and the saved public_url then
    hid config.toml's for good. Of a table the page sends what the admin changed; the hours are written
    as the pages show times (13.00) and come back in config.toml's form."""
    page = admin_page(browser, live)

    def saved(section: str, value) -> None:
        with page.expect_request(lambda r: r.method == "PUT" and r.url.endswith(f"/settings/{section}")) as sent:
            page.click(f"#sec-{section} button.save")
        expect(page.locator(f"#sec-{section} .notice")).to_contain_text("Tersimpan.")
        body = sent.value.post_data_json
        assert body == {"value": value, "base": body["base"]} and isinstance(body["base"], str)

    key(page, "office.name").fill("LPSE Kota Baru")
    saved("office", {"name": "LPSE Kota Baru"})
    # the page's own bar and title take the new name (they kept the old one until the page was reloaded)
    expect(page.locator(".brand .office")).to_have_text("LPSE Kota Baru")
    expect(page).to_have_title(re.compile(r" · LPSE Kota Baru$"))
    key(page, "office.address").fill("Jl. Baru No. 1")
    saved("office", {"address": "Jl. Baru No. 1"})
    office = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["office"]
    assert (office["name"], office["address"]) == ("LPSE Kota Baru", "Jl. Baru No. 1")
    key(page, "queue.max_calls").fill("2")
    saved("queue", {"max_calls": 2})
    key(page, "hours").uncheck()
    key(page, "hours.monday").fill("08.00-12.00, 13.00 – 16.00")
    with page.expect_response(lambda r: r.request.method == "PUT" and r.url.endswith("/settings/hours")) as answer:
        page.click("#sec-hours button.save")
    assert answer.value.ok, answer.value.text()
    expect(key(page, "hours.monday")).to_have_value("08:00-12:00, 13:00-16:00")
    assert boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["hours"]["monday"] == "08:00-12:00, 13:00-16:00"
    page.context.close()


def test_service_hours_and_a_daily_quota_are_set_here_and_a_bad_range_is_named(browser, live, boss):
    page = admin_page(browser, live)
    expect(key(page, "hours")).to_be_checked()  # no [hours] in the demo config: always open
    expect(key(page, "hours.monday")).to_be_disabled()
    if os.environ.get("ANTRIAN_SCREENSHOTS"):  # docs/admin.md: the section as a new office finds it
        page.locator("#sec-hours").screenshot(path=str(ROOT / "docs" / "screenshots" / "admin-hours.png"))
    key(page, "hours").uncheck()
    key(page, "hours.monday").fill("08:00-12:00")
    with page.expect_response(lambda r: r.request.method == "PUT" and r.url.endswith("/settings/hours")) as answer:
        page.click("#sec-hours button.save")
    assert answer.value.ok, answer.value.text()  # saved: the state below is the new hours'
    said = (
        "Jam layanan disimpan: Senin 08.00\u201312.00; Selasa\u2013Minggu tutup."  # what is in force, not "Tersimpan."
    )
    if state(live)["office"]["open"]:  # a Monday morning, office time
        expect(page.locator("#sec-hours .notice")).to_have_text(said)
    else:  # the new hours closed the office this minute: the admin is told, not only "saved"
        expect(page.locator("#sec-hours .notice")).to_have_text(
            f"{said} Layanan sekarang tutup: kios menampilkan “Layanan tutup” dan tidak memberi nomor."
        )
    hours = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["hours"]
    assert hours["monday"] == "08:00-12:00" and hours["tuesday"] == "" and hours["holidays"] == []
    # Open only on Monday mornings now: the public state's next change falls on a Monday, office time.
    office = state(live)["office"]
    at = office["closes_at"] if office["open"] else office["next_opening"]
    tz = ZoneInfo(boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["office"]["timezone"])
    assert datetime.fromisoformat(at).astimezone(tz).weekday() == 0

    key(page, "services[0].daily_quota").fill("50")
    page.click("#sec-services button.save")
    expect(page.locator("#sec-services .notice")).to_have_text("Tersimpan.")
    quotas = {s["code"]: s["quota"] for s in state(live)["services"]}
    assert quotas == {"A": 50, "B": None, "C": None}

    key(page, "hours.monday").fill("25:00-26:00")
    page.click("#sec-hours button.save")
    expect(error_at(page, "hours.monday")).to_have_text("'25:00-26:00' bukan jam yang ada (00:00-24:00)")
    expect(page.locator("#sec-hours .notice")).to_contain_text("Senin: '25:00-26:00' bukan jam yang ada")
    expect(key(page, "hours.monday")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#sec-hours .notice")).to_have_attribute("data-kind", "error")
    expect(error_at(page, "hours.tuesday")).to_have_text("")
    assert boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["hours"] == hours
    page.context.close()


def test_a_daily_quota_set_below_todays_numbers_says_the_kiosk_gives_none_more_today(browser, live, boss):
    """Three C numbers given, the admin sets C's daily quota to 2: the page said only "Tersimpan.", and the kiosk then
    refused C, the admin learning it from a visitor turned away. It says it after the save, as the hours section says
    the office closed now: which service, how many given of how many, what the kiosk does."""
    empty_queue(live)
    for name in ("Rahmat", "Sinta", "Taufik"):
        issue(live, name, "C")
    try:
        page = admin_page(browser, live)
        key(page, "services[2].daily_quota").fill("2")
        page.click("#sec-services button.save")
        notice = page.locator("#sec-services .notice")
        expect(notice).to_have_text(
            "Tersimpan. Kuota C hari ini sudah tercapai (3 dari 2): kios tidak memberi nomor C lagi hari ini."
        )
        keep_shot(page, "quota-reached-id.png")
        c = next(s for s in state(live)["services"] if s["code"] == "C")
        assert (c["quota"], c["left"], c["issued"]) == (2, 0, 3)
        # a quota with numbers left, and a save that changes no quota: "Tersimpan." alone
        key(page, "services[2].daily_quota").fill("5")
        page.click("#sec-services button.save")
        expect(notice).to_have_text("Tersimpan.")
        key(page, "services[0].name").fill("Konsultasi Penyedia (Vendor)")
        page.click("#sec-services button.save")
        expect(notice).to_have_text("Tersimpan.")
        page.click("#lang-toggle")
        key(page, "services[2].daily_quota").fill("3")
        page.click("#sec-services button.save")
        expect(notice).to_have_text(
            "Saved. Today's quota of C is reached (3 of 3): the kiosk gives no more C numbers today."
        )
        keep_shot(page, "quota-reached-en.png")
        page.context.close()
    finally:
        empty_queue(live)  # cancelled: not counted by C's quota any more


def test_an_officer_account_is_added_reset_and_disabled(browser, live, boss):
    page = admin_page(browser, live)
    form = page.locator("#add-user")
    form.locator("[name=username]").fill("dewi")
    form.locator("[name=password]").fill("sandi-awal-1")
    form.locator("[name=role]").select_option("officer")
    form.locator("[name=counter_id]").select_option("2")
    form.locator("button[type=submit]").click()
    expect(page.locator("#sec-users .notice")).to_have_text("Pengguna dewi ditambahkan.")
    row = page.locator('#users tr[data-user="dewi"]')
    expect(row).to_contain_text("Petugas loket")
    expect(row).to_contain_text("Loket 2")
    assert login_status(live, "dewi", "sandi-awal-1") == 200

    form.locator("[name=username]").fill("dewi")
    form.locator("[name=password]").fill("pendek")
    form.locator("button[type=submit]").click()
    expect(error_at(page, "password")).not_to_have_text("")
    expect(page.locator("#sec-users .notice")).to_have_attribute("data-kind", "error")

    row.locator('[data-act="reset"]').click()
    row.locator("input[name=new-password]").fill("sandi-baru-22")
    row.locator("form.reset button").click()
    expect(page.locator("#sec-users .notice")).to_have_text("Kata sandi dewi diganti.")
    assert login_status(live, "dewi", "sandi-baru-22") == 200
    assert login_status(live, "dewi", "sandi-awal-1") != 200

    row.locator('[data-act="active"]').click()
    expect(row.locator(".badge")).to_have_text("Nonaktif")
    assert login_status(live, "dewi", "sandi-baru-22") != 200
    users = {u["username"]: u for u in boss.get(f"{live.url}/api/admin/users", timeout=5).json()["users"]}
    assert users["dewi"] == {
        "username": "dewi",
        "role": "officer",
        "counter_id": 2,
        "active": False,
        "full_name": None,
        "nip": None,
    }
    # The admin cannot disable itself: its own button is off.
    expect(page.locator('#users tr[data-user="kepala"] [data-act="active"]')).to_be_disabled()
    page.context.close()


def test_disabling_an_officer_serving_a_visitor_asks_first_and_says_where_the_visitor_is_left(browser, live, boss):
    """An officer serving a visitor at Loket 3: the admin's Nonaktifkan ended the session and freed the counter at once,
    the visitor left sitting at a counter with nobody, and the page said only "fajar dinonaktifkan." The first click
    now says who is at which counter and what will become of them, and changes nothing; the second disables, and the
    notice says where the visitor is left."""
    empty_queue(live)
    live.add_user("fajar", "officer")
    served = issue(live, "Rahmat", "B")
    officer = live.session("fajar", PASSWORD)
    for action in ("call-next", "start"):
        r = officer.post(f"{live.url}/api/counters/3/{action}", json={}, timeout=5)
        assert r.status_code == 200, r.text
    page = admin_page(browser, live)
    expect(page.locator("#live-counters tr[data-counter='3']")).to_contain_text(f"{served['label']} · dilayani")
    row = page.locator('#users tr[data-user="fajar"]')
    notice = page.locator("#sec-users .notice")
    row.locator('[data-act="active"]').click()
    expect(notice).to_have_attribute("data-kind", "warn")
    expect(notice).to_contain_text(
        f"fajar masih memegang loket dengan pengunjung: {served['label']} sedang dilayani di Loket 3"
    )
    expect(row.locator('[data-act="active"]')).to_have_text("Yakin nonaktifkan?")
    expect(row.locator(".badge")).to_have_text("Aktif")
    assert officer.get(f"{live.url}/api/me", timeout=5).status_code == 200  # nothing done yet
    row.locator('[data-act="active"]').click()
    expect(row.locator(".badge")).to_have_text("Nonaktif")
    expect(notice).to_have_text(
        f"fajar dinonaktifkan. Loket 3 dilepas: {served['label']} menunggu petugas lain memilih Loket 3 untuk"
        " melanjutkan layanannya."
    )
    counter = next(c for c in boss.get(f"{live.url}/api/staff/state", timeout=5).json()["counters"] if c["id"] == 3)
    assert counter["officer"] is None and counter["ticket"]["label"] == served["label"], counter
    assert counter["ticket"]["status"] == "serving"
    page.context.close()
    empty_queue(live)


# what covers each of the accounts' buttons, the button's label: [] when every one is in reach (what a click finds at
# its middle, scrolled to the middle of the screen, is the button itself)
COVERED_BUTTONS = """() => [...document.querySelectorAll('#users button')].filter((b) => {
  b.scrollIntoView({ block: 'center' });
  const r = b.getBoundingClientRect();
  const there = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return !b.contains(there);
}).map((b) => b.textContent)"""


def test_a_rows_new_password_form_on_a_1024_screen_leaves_every_button_in_reach(browser, live, boss):
    """On the office's old 1024x768 PC, Ganti kata sandi opened a row's new-password input and the accounts' table grew
    under the Tambah pengguna form: Setel lay under that form (every row's Ganti kata sandi and Nonaktifkan at its
    edge), a click landing in its inputs (helper-325). The form goes under the table when the table needs the room."""
    live.add_user("wawan", "officer")
    page = browser.new_context(viewport={"width": 1024, "height": 768}, locale="id-ID").new_page()
    sign_in(page, live, "/counter/admin", "kepala")
    row = page.locator('#users tr[data-user="wawan"]')
    assert page.evaluate(COVERED_BUTTONS) == []
    row.locator('[data-act="reset"]').click()
    row.locator("input[name=new-password]").fill("sandi-baru-123")
    assert page.evaluate(COVERED_BUTTONS) == []
    row.locator("button[type=submit]").click(timeout=5000)
    expect(page.locator("#sec-users .notice")).to_contain_text("wawan")
    assert login_status(live, "wawan", "sandi-baru-123") == 200
    row.locator('[data-act="profile"]').click()  # a name and NIP being changed: in reach too
    assert page.evaluate(COVERED_BUTTONS) == []
    page.context.close()


def test_an_officer_sees_a_refusal_and_a_visitor_the_login_form(browser, live, boss):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(f"{live.url}/counter/admin")
    expect(page.locator("#login-form")).to_be_visible()
    expect(page.locator("#app-view")).to_be_hidden()
    context.close()

    page = open_page(browser, live, "/counter/admin", "budi", form=True)
    expect(page.locator("#forbidden")).to_have_text("Halaman ini hanya untuk admin (peran admin).")
    expect(page.locator("#app-view")).to_be_hidden()
    page.context.close()


def test_the_page_fits_a_laptop_and_switches_to_english(browser, live, boss):
    page = admin_page(browser, live)
    expect(page.locator("#office-timezone")).to_have_value("Asia/Jakarta")
    expect(page.locator("#users tr")).not_to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    # The services' and counters' names are whole in their inputs ("Konsultasi Non-Penyedia (PPK/Pokja/PP)"
    # was cut to "Konsultasi Non-"), and no panel is wider than its place: the live counters, queue and
    # kiosk keep to their column, nothing runs into a neighbour.
    cut = page.evaluate(
        """() => [...document.querySelectorAll('#sec-services input[data-key$=".name"], #sec-counters input[data-key$=".name"]')]
            .filter((i) => i.scrollWidth > i.clientWidth).map((i) => i.value)"""
    )
    assert page.locator('#sec-services input[data-key$=".name"]').count() == 3 and not cut, cut
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.admin-grid .panel')].filter((e) => e.offsetParent).map((e) => {
            const r = e.getBoundingClientRect(), up = e.parentElement.closest('.stack');
            const column = up ? up.getBoundingClientRect() : r;
            return { id: e.id, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                     inColumn: r.left >= column.left - 0.5 && r.right <= column.right + 0.5,
                     overflow: e.scrollWidth - e.clientWidth };
        })"""
    )
    assert {a["id"] for a in boxes} == PANELS, boxes  # every panel measured: none missing from the page's grid
    for i, a in enumerate(boxes):
        assert a["inColumn"] and a["overflow"] <= 0, a
        for b in boxes[i + 1 :]:
            apart = (
                a["right"] <= b["left"] + 0.5
                or b["right"] <= a["left"] + 0.5
                or a["bottom"] <= b["top"] + 0.5
                or b["bottom"] <= a["top"] + 0.5
            )
            assert apart, (a, b)
    keep_shot(page, "admin-settings.png")  # docs/screenshots/admin.png: the accounts, below
    page.click("#lang-toggle")
    expect(page.locator("#sec-services h2")).to_have_text("Services")
    expect(page.locator("#sec-services th").first).to_have_text("Code")
    page.context.close()


def test_a_kiosk_takes_a_changed_service_between_two_visitors_never_in_the_middle_of_one(browser, live, boss):
    fresh = "() => window.antrianKiosk && antrianKiosk.live && !window.drawnBefore"  # a reloaded page, live again

    def kiosk_page():
        page = browser.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True).new_page()
        page.goto(f"{live.url}/kiosk/")
        page.wait_for_function("() => window.antrianKiosk && antrianKiosk.live", polling=50)
        page.evaluate("window.drawnBefore = true")
        return page

    idle, busy = kiosk_page(), kiosk_page()
    busy.click("#start")  # a visitor is choosing a service
    name = busy.locator('[data-service="A"] .service-name')
    expect(name).to_have_text("Konsultasi Penyedia")
    # what the busy kiosk hears and asks for from now on: its state's looks when the change came, its requests
    busy.evaluate(
        "antrianKiosk.socket.onAny((name, data) => {"
        " if ([].concat(data).some((ev) => ev && ev.type === 'settings_changed'))"
        " window.looksAtChange = antrianKiosk.stateLooks; })"
    )
    asked = []
    busy.on("request", lambda request: asked.append(request.url))

    services = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["services"]
    services[0]["name"] = "Konsultasi Penyedia (Vendor)"
    r = boss.put(f"{live.url}/api/admin/settings/services", json={"value": services}, timeout=5)
    assert r.status_code == 200, r.text

    # The kiosk at its welcome screen reloads by itself and offers the new name.
    idle.wait_for_function(fresh, polling=50)
    idle.click("#start")
    expect(idle.locator('[data-service="A"] .service-name')).to_have_text("Konsultasi Penyedia (Vendor)")
    # The one in use keeps its page until the visitor is done, then reloads. It heard the change (a reload would
    # start there: a look at its own address, then the reload) and took the fresh state that follows it (or it is
    # a new page already).
    busy.wait_for_function(
        "() => !window.drawnBefore || (window.looksAtChange !== undefined && antrianKiosk.stateLooks > looksAtChange)",
        polling=50,
    )
    assert f"{live.url}/kiosk/" not in asked, "the kiosk in use went for a fresh page"
    assert busy.evaluate("window.drawnBefore") is True
    expect(busy.locator("#screen-service")).to_be_visible()
    expect(name).to_have_text("Konsultasi Penyedia")
    busy.click('#screen-service [data-action="home"]')
    busy.wait_for_function(fresh, polling=50)
    busy.click("#start")
    expect(name).to_have_text("Konsultasi Penyedia (Vendor)")
    for p in (idle, busy):
        p.context.close()


def test_a_kiosk_that_was_offline_during_a_change_takes_it_when_it_reconnects(browser, live, boss, clients):
    context = browser.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True)
    page = context.new_page()
    page.goto(f"{live.url}/kiosk/")
    page.wait_for_function("() => window.antrianKiosk && antrianKiosk.live", polling=50)
    page.evaluate("window.drawnBefore = true")
    witness = clients(live.url, {"role": "display"})  # a screen that stays online: it hears the change
    witness.snapshot()
    context.set_offline(True)  # the kiosk PC's cable is out: it misses the settings_changed event
    page.wait_for_function("() => !antrianKiosk.live", timeout=30_000, polling=50)  # its live connection has dropped
    # its tries to connect again, each failed (after the kiosk's own handler of the failure ran)
    page.evaluate("window.failedTries = 0; antrianKiosk.socket.on('connect_error', () => { failedTries += 1; })")
    services = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["services"]
    services[1]["name"] = "Konsultasi PPK, Pokja dan PP"
    r = boss.put(f"{live.url}/api/admin/settings/services", json={"value": services}, timeout=5)
    assert r.status_code == 200, r.text
    witness.event("settings_changed")  # told to every screen online now
    # and the kiosk tried to reach the server after it, and failed: it had its chance to learn of the change
    tries = page.evaluate("failedTries")
    page.wait_for_function(f"() => !window.drawnBefore || window.failedTries > {tries}", timeout=15_000, polling=50)
    assert page.evaluate("window.drawnBefore") is True, "the kiosk reloaded offline"  # nothing to reload from
    context.set_offline(False)
    # Back online: the snapshot's services differ from the page's, so the idle kiosk reloads.
    page.wait_for_function(
        "() => window.antrianKiosk && antrianKiosk.live && !window.drawnBefore", timeout=30_000, polling=50
    )
    expect(page.locator('[data-service="B"] .service-name')).to_have_text("Konsultasi PPK, Pokja dan PP")
    context.close()


def test_a_kiosk_reloaded_for_one_change_takes_a_second_saved_as_it_reloads(browser, live, boss):
    """Two saves a second apart (the services, then the office's language): the kiosk reloads for the first,
    its new page is drawn before the second, whose event its new connection's snapshot already covers. It
    stayed in the old language all day: the snapshot's language was not compared, and a page that differed
    from its snapshot within a minute of a reload never reloaded again (a guard against a reload loop)."""
    context = browser.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True)
    page = context.new_page()
    page.goto(f"{live.url}/kiosk/")
    page.wait_for_function("() => window.antrianKiosk && antrianKiosk.live", polling=50)
    expect(page.locator("html")).to_have_attribute("lang", "id")
    page.evaluate("window.drawnBefore = true")
    saved = []

    def second_save_as_the_page_is_drawn(route):
        if route.request.resource_type != "document" or saved:
            return route.continue_()
        drawn = route.fetch()  # the page as the server draws it now: after the first save
        r = boss.put(f"{live.url}/api/admin/settings/office", json={"value": {"language": "en"}}, timeout=5)
        saved.append(r.status_code)
        route.fulfill(response=drawn)

    page.route("**/kiosk/", second_save_as_the_page_is_drawn)
    services = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["services"]
    services[1]["name"] = "Konsultasi PPK, Pokja dan PP"
    assert boss.put(f"{live.url}/api/admin/settings/services", json={"value": services}, timeout=5).ok
    expect(page.locator("#lang-toggle")).to_have_text("Bahasa Indonesia", timeout=15_000)  # an English page
    assert saved == [200]
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#start").click()
    expect(page.locator('[data-service="B"] .service-name')).to_have_text("Konsultasi PPK, Pokja dan PP")
    context.close()


def test_a_counter_page_calling_a_visitor_takes_the_admins_new_max_calls_at_once(browser, live, boss):
    """[queue] max_calls from 3 to 2 while a visitor is on the second call: the counter page (busy: it reloads
    only after the ticket) said "panggilan 2 dari 3" beside a greyed Panggil ulang, and "Sudah 3 kali
    dipanggil" after two calls. Its fresh snapshot carries the new number."""
    ticket = issue(live, "Rahmat", "B")
    page = open_page(browser, live, "/counter/", "budi")
    page.select_option("#counter-select", "2")
    page.click("#btn-call-next")
    expect(page.locator("#t-label")).to_have_text(ticket["label"])
    page.click("#btn-recall")
    expect(page.locator("#t-calls")).to_have_text("panggilan 2 dari 3")
    page.evaluate("window.drawnBefore = true")
    r = boss.put(f"{live.url}/api/admin/settings/queue", json={"value": {"max_calls": 2}}, timeout=5)
    assert r.status_code == 200, r.text
    expect(page.locator("#t-calls")).to_have_text("panggilan 2 dari 2")
    expect(page.locator("#hint")).to_contain_text("Sudah 2 kali dipanggil")
    expect(page.locator("#btn-recall")).to_be_disabled()
    assert page.evaluate("window.drawnBefore") is True  # the same page: no reload while it holds a ticket
    boss.post(f"{live.url}/api/tickets/{ticket['token']}/cancel", json={}, timeout=5).raise_for_status()
    page.context.close()


NIP = "19850101 201001 1 001"


def test_an_accounts_full_name_and_nip_are_set_here_and_sign_the_a4_form(browser, live, boss):
    live.add_user("eko", "officer")
    page = admin_page(browser, live)
    form = page.locator("#add-user")
    form.locator("[name=username]").fill("fitri")
    form.locator("[name=password]").fill("sandi-awal-1")
    form.locator("[name=full_name]").fill("Fitri Handayani, S.E.")
    form.locator("[name=nip]").fill("19900315 201503 2 002")
    form.locator("button[type=submit]").click()
    expect(page.locator("#sec-users .notice")).to_have_text("Pengguna fitri ditambahkan.")
    row = page.locator('#users tr[data-user="fitri"]')
    expect(row.locator(".full-name")).to_have_text("Fitri Handayani, S.E.")
    expect(row.locator(".nip")).to_have_text("NIP 19900315 201503 2 002")

    eko = page.locator('#users tr[data-user="eko"]')
    expect(eko.locator("td.person")).to_contain_text("belum diisi")
    eko.locator('[data-act="profile"]').click()
    eko.locator("input[name=full_name]").fill("Eko Prasetyo, S.Kom.")
    eko.locator("input[name=nip]").fill("12345")
    eko.locator("form.profile button").click()
    expect(eko.locator('.field-error[data-for="nip"]')).to_have_text(
        "NIP harus 18 angka (mis. 19850101 201001 1 001), diawali tanggal lahir."
    )
    expect(eko.locator("input[name=nip]")).to_have_attribute("aria-invalid", "true")
    eko.locator("input[name=nip]").fill(NIP)
    eko.locator("form.profile button").click()
    expect(page.locator("#sec-users .notice")).to_have_text("Nama dan NIP eko disimpan.")
    expect(eko.locator(".full-name")).to_have_text("Eko Prasetyo, S.Kom.")
    expect(eko.locator(".nip")).to_have_text(f"NIP {NIP}")
    users = {u["username"]: u for u in boss.get(f"{live.url}/api/admin/users", timeout=5).json()["users"]}
    assert (users["eko"]["full_name"], users["eko"]["nip"]) == ("Eko Prasetyo, S.Kom.", "198501012010011001")
    page.evaluate("() => document.getElementById('sec-users').scrollIntoView()")
    keep_shot(page, "admin.png")
    if os.environ.get("ANTRIAN_SCREENSHOTS"):
        page.screenshot(path=str(ROOT / "docs" / "screenshots" / "admin.png"))

    # The A4 consultation form eko's visitor takes home is signed with that name and NIP.
    r = requests.post(
        f"{live.url}/api/tickets",
        timeout=5,
        json={
            "service": "B",
            "name": "Gilang Ramadhan",
            "agency": "Dinas PUPR",
            "address": "Jl. Mawar 3",
            "phone": "081234567890",
            "problem": "Tidak bisa unggah dokumen.",
        },
    )
    assert r.status_code == 201, r.text
    officer = live.session("eko", PASSWORD)
    for action, data in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Ukuran berkas diperkecil."})):
        r = officer.post(f"{live.url}/api/counters/3/{action}", json=data, timeout=5)
        assert r.status_code == 200, r.text
    officer.post(f"{live.url}/api/counters/3/release", json={}, timeout=5).raise_for_status()
    page.goto(f"{live.url}/counter/form/{r.json()['ticket']['token']}")
    expect(page.locator(".officer-sign")).to_contain_text("( Eko Prasetyo, S.Kom. )")
    expect(page.locator(".officer-sign .nip")).to_have_text(f"NIP. {NIP}")
    expect(page.locator(".visitor-sign")).to_contain_text("( Gilang Ramadhan )")
    page.context.close()


def test_an_admin_frees_a_counter_its_officer_left(browser, live, boss):
    officer = live.session("budi", PASSWORD)
    officer.post(f"{live.url}/api/counters/2/pause", json={}, timeout=5).raise_for_status()  # takes counter 2
    page = admin_page(browser, live)
    row = page.locator("#live-counters tr[data-counter='2']")
    expect(row).to_contain_text("budi")
    expect(row).to_contain_text("istirahat")
    expect(page.locator("#live-counters tr[data-counter='1'] button[data-act=release]")).to_have_count(0)
    row.locator("button[data-act=release]").click()
    row.locator("button[data-act=release]").click()  # the second click confirms
    expect(page.locator("#sec-live .notice")).to_have_text("Loket 2 dilepas dari budi.")
    expect(row.locator("button[data-act=release]")).to_have_count(0)
    expect(row).to_contain_text("kosong")
    staff = boss.get(f"{live.url}/api/staff/state", timeout=5).json()
    counter = next(c for c in staff["counters"] if c["id"] == 2)
    assert counter["officer"] is None
    if counter["paused"]:  # a freed counter's pause is the next officer's to end
        boss.post(f"{live.url}/api/counters/2/resume", json={}, timeout=5).raise_for_status()
    page.context.close()


def test_lepas_of_a_counter_whose_officer_was_calling_says_where_the_ticket_waits_now(browser, live, boss):
    """Lepas of a counter whose officer was calling a visitor said only "Loket 2 dilepas dari budi.": the officer's page
    and the front office said where that ticket waits, the admin who sent it back was told nothing of it. The page says
    it from the release's event (`data.returned`, `data.place`), in both languages."""
    empty_queue(live)
    first, second = issue(live, "Rudi Hartono"), issue(live, "Sari Wulandari")
    officer = live.session("budi", PASSWORD)
    page = admin_page(browser, live)
    row = page.locator("#live-counters tr[data-counter='2']")
    release = row.locator("button[data-act=release]")
    for lang, words in (
        ("id", "Loket 2 dilepas dari budi. Tiket {label} yang dipanggil kembali menunggu di antrian A di tempatnya: "
               "urutan ke-1."),
        ("en", "Loket 2 released from budi. The called ticket {label} is waiting in line A again at its place: number 1."),
    ):  # fmt: skip
        r = officer.post(f"{live.url}/api/counters/2/call-next", json={}, timeout=5)
        assert r.json()["ticket"]["label"] == first["label"], r.text  # takes counter 2
        expect(row).to_contain_text(f"{first['label']} · ")
        expect(row).to_contain_text("budi")
        if lang == "en":
            page.click("#lang-toggle")
        release.click()
        release.click()  # the second click confirms
        expect(page.locator("#sec-live .notice")).to_have_text(words.format(label=first["label"]))
        expect(release).to_have_count(0)
        ticket = requests.get(f"{live.url}/api/tickets/{first['token']}", timeout=5).json()["ticket"]
        assert (ticket["status"], ticket["counter_id"]) == ("waiting", None)
    assert requests.get(f"{live.url}/api/tickets/{second['token']}", timeout=5).json()["ticket"]["status"] == "waiting"
    keep_shot(page, "admin-release-returned.png")
    empty_queue(live)
    page.context.close()


def test_a_counter_added_or_removed_shows_at_once_under_loket_sekarang(browser, live, boss):
    """Loket sekarang listed the counters of the page's staff snapshot: one added on the page stayed missing
    (no officer, no Lepas) until the page reconnected, and one removed stayed listed."""
    page = admin_page(browser, live)
    expect(page.locator("#live-counters tr")).to_have_count(3)
    page.click("#sec-counters button.add")
    key(page, "counters[3].id").fill("4")
    key(page, "counters[3].name").fill("Loket 4")
    key(page, "counters[3].services").locator('input[value="A"]').check()
    page.click("#sec-counters button.save")
    expect(page.locator("#sec-counters .notice")).to_have_text("Tersimpan.")
    row = page.locator("#live-counters tr[data-counter='4']")
    expect(row).to_contain_text("Loket 4")
    expect(row).to_contain_text("kosong")
    officer = live.session("budi", PASSWORD)
    officer.post(f"{live.url}/api/counters/4/pause", json={}, timeout=5).raise_for_status()  # takes counter 4
    expect(row).to_contain_text("budi")
    expect(row.locator("button[data-act=release]")).to_have_count(1)
    row.locator("button[data-act=release]").click()
    row.locator("button[data-act=release]").click()
    expect(row).to_contain_text("kosong")
    boss.post(f"{live.url}/api/counters/4/resume", json={}, timeout=5).raise_for_status()
    # an officer bound to counter 4 (added by another admin: the page is told of it): unbound by its removal here, and
    # Pengguna says so at once; it went on naming the removed counter by its number ("4") until the page was reloaded
    live.add_user("wakil4", "admin")
    added = {"username": "wati4", "password": PASSWORD, "role": "officer", "counter_id": 4}
    live.session("wakil4", PASSWORD).post(f"{live.url}/api/admin/users", json=added, timeout=5).raise_for_status()
    counter_of_wati = page.locator('#users tr[data-user="wati4"] td').nth(3)
    expect(counter_of_wati).to_have_text("Loket 4")
    page.locator("#sec-counters tbody tr").nth(3).locator("button.remove").click()
    page.click("#sec-counters button.save")
    expect(page.locator("#sec-counters .notice")).to_have_text("Tersimpan.")
    expect(page.locator("#live-counters tr")).to_have_count(3)
    expect(counter_of_wati).to_have_text("")
    page.context.close()


def test_an_admin_sends_back_a_ticket_called_at_a_counter_nobody_holds(browser, live, boss):
    """A ticket called at a counter nobody holds (an admin called it, which takes no counter; or its officer
    logged out before it went back) waits for nobody: the admin's Lepas sends it back to the line, as the
    front office's does, in the same words and with the same second click."""
    r = requests.post(
        f"{live.url}/api/tickets",
        json={
            "service": "B",
            "name": "Dedi Kurniawan",
            "agency": "CV Maju Bersama",
            "address": "Jl. Sudirman No. 12",
            "phone": "081234567890",
            "problem": "Lupa kata sandi akun penyedia SPSE",
        },
        timeout=5,
    )
    assert r.status_code == 201, r.text
    dedi = r.json()["ticket"]
    page = admin_page(browser, live)
    row = page.locator("#live-counters tr[data-counter='2']")
    expect(row).to_contain_text("tidak ada tiket")
    r = boss.post(f"{live.url}/api/counters/2/call", json={"ticket": dedi["label"]}, timeout=5)
    assert r.json()["ticket"]["label"] == dedi["label"], r.text
    expect(row).to_contain_text(f"{dedi['label']} · dipanggil")  # live, from the call's event
    expect(row).to_contain_text("kosong")  # the admin's call holds no counter: nobody is named
    expect(row).to_have_attribute("data-held", "false")
    button = row.locator("button[data-act=release]")
    expect(button).to_have_text("Lepas")
    expect(button).to_have_attribute(
        "title", f"Loket 2 tanpa petugas: kembalikan {dedi['label']} yang dipanggil ke antrian di tempatnya"
    )
    expect(page.locator("#live-counters tr[data-counter='1'] button[data-act=release]")).to_have_count(0)
    button.click()
    expect(button).to_have_text("Yakin lepas?")
    assert requests.get(f"{live.url}/api/tickets/{dedi['token']}", timeout=5).json()["ticket"]["status"] == "called"
    button.click()  # the second click confirms
    expect(page.locator("#sec-live .notice")).to_have_text(
        f"{dedi['label']} kembali menunggu di antrian di tempatnya (Loket 2 tanpa petugas)."
    )
    expect(row).to_contain_text("tidak ada tiket")
    expect(button).to_have_count(0)
    ticket = requests.get(f"{live.url}/api/tickets/{dedi['token']}", timeout=5).json()["ticket"]
    assert (ticket["status"], ticket["calls"], ticket["counter_id"]) == ("waiting", 0, None)
    assert next(c for c in state(live)["counters"] if c["id"] == 2)["ticket"] is None  # the TV calls nobody there

    # a page opened while such a ticket is called offers it too, from the snapshot; in English
    boss.post(f"{live.url}/api/counters/2/call", json={"ticket": dedi["label"]}, timeout=5).raise_for_status()
    expect(row).to_contain_text(f"{dedi['label']} · dipanggil")
    page.click("#lang-toggle")
    page.reload()
    row = page.locator("#live-counters tr[data-counter='2']")
    button = row.locator("button[data-act=release]")
    expect(button).to_have_text("Release")
    expect(button).to_have_attribute(
        "title", f"Loket 2 has no officer: send the called {dedi['label']} back to the line at its place"
    )
    button.click()
    button.click()
    expect(page.locator("#sec-live .notice")).to_have_text(
        f"{dedi['label']} is waiting again in the line at its place (Loket 2 had no officer)."
    )
    boss.post(f"{live.url}/api/tickets/{dedi['token']}/cancel", json={}, timeout=5).raise_for_status()
    page.context.close()


@pytest.mark.parametrize("told_by", ["save", "socket"])
def test_an_edit_is_kept_over_a_session_that_ended_and_comes_back_after_the_login(browser, live, boss, told_by):
    """The admin types a new address; meanwhile the session ends (another admin set a new password). The
    save answered 401 and the page reloaded to the login: the edit was gone. It comes back, unsaved, whichever
    tells the page first: the save's 401 (its live connection cut before, as a network that is gone), or the
    server closing its live connection at the password change (the page goes to the login by itself; the test
    had raced the two, and its click on Simpan then timed out on a page already at the login)."""
    user = f"kepala-{told_by}"
    live.add_user(user, "admin")
    page = browser.new_context(viewport=VIEWPORT, locale="id-ID").new_page()
    gate = SocketGate(page) if told_by == "save" else None
    sign_in(page, live, "/counter/admin", user)
    expect(key(page, "office.address")).to_be_visible()
    key(page, "office.address").fill("Jl. Melati No. 7, Kota Contoh")
    if gate is not None:
        gate.cut()
    r = boss.post(f"{live.url}/api/admin/users/{user}/password", json={"password": "sandi-baru-123"}, timeout=5)
    assert r.status_code == 200, r.text
    if told_by == "save":
        page.locator("#sec-office .save").click()
    expect(page.locator("body")).to_have_attribute("data-view", "login", timeout=15000)
    page.fill("#login-form [name=username]", user)
    page.fill("#login-form [name=password]", "sandi-baru-123")
    page.locator("#login-form [type=submit]").click()
    expect(key(page, "office.address")).to_have_value("Jl. Melati No. 7, Kota Contoh")
    expect(page.locator("#sec-office .notice")).to_contain_text("Isian yang belum tersimpan dipulihkan")
    assert (
        boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["office"]["address"]
        != "Jl. Melati No. 7, Kota Contoh"
    )
    page.locator("#sec-office .save").click()
    expect(page.locator("#sec-office .notice")).to_have_text("Tersimpan.")
    assert (
        boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["office"]["address"]
        == "Jl. Melati No. 7, Kota Contoh"
    )
    page.context.close()


def test_the_voice_previews_counters_follow_a_rename_saved_on_the_page(browser, live, boss):
    page = admin_page(browser, live)
    expect(page.locator("#voice-counter option").first).to_have_text("Loket 1")
    key(page, "counters[0].name").fill("Loket Satu")
    page.click("#sec-counters button.save")
    expect(page.locator("#sec-counters .notice")).to_have_text("Tersimpan.")
    expect(page.locator("#voice-counter option").first).to_have_text("Loket Satu")  # it kept "Loket 1"
    page.context.close()


def test_the_kiosks_addresses_are_set_here_a_bad_one_is_named_and_a_kiosk_named_is_let_in_at_once(browser, live, boss):
    """[kiosk] addresses on the page, one a line: a bad address named at its input; a kiosk PC newly named
    leaves its red "not registered" screen by itself, without a restart; the saved list is marked as hiding
    config.toml's, and Kembali ke config.toml (twice) goes back to it, live for the kiosks too."""
    page = admin_page(browser, live)
    addresses = key(page, "kiosk.addresses")
    expect(addresses).to_have_value("")  # the demo's [] : any device
    expect(page.locator("#sec-kiosk .kept")).to_have_count(0)
    expect(page.locator("#sec-kiosk .reset-section")).to_have_count(0)

    addresses.fill("192.168.1.20\n192.168.1.300")
    page.click("#sec-kiosk button.save")
    bad = "'192.168.1.300' bukan alamat IP atau jaringan (mis. 192.168.1.0/24)"
    expect(error_at(page, "kiosk.addresses")).to_have_text(bad)
    expect(page.locator("#sec-kiosk .notice")).to_have_text(f"Pengaturan tidak valid: Alamat IP kios: {bad}")
    expect(addresses).to_have_attribute("aria-invalid", "true")
    assert boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["kiosk"]["addresses"] == []

    addresses.fill("192.168.1.20")
    page.click("#sec-kiosk button.save")
    expect(page.locator("#sec-kiosk .notice")).to_have_text("Tersimpan.")
    expect(addresses).to_have_value("192.168.1.20")  # as written: not the server's 192.168.1.20/32
    expect(page.locator('#sec-kiosk .kept[data-kept="kiosk.addresses"]')).to_have_text(
        "Disimpan di halaman ini; config.toml berisi: (kosong)"
    )
    # This browser (127.0.0.1) is not one of the kiosks now: the kiosk page says so, and where to add it.
    kiosk = browser.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True).new_page()
    kiosk.goto(f"{live.url}/kiosk/")
    expect(kiosk.locator("#screen-unregistered")).to_be_visible()
    expect(kiosk.locator("#unregistered-add")).to_contain_text("127.0.0.1 di halaman admin (/counter/admin")
    kiosk.wait_for_function("() => window.antrianKiosk && antrianKiosk.live", polling=50)

    addresses.fill("192.168.1.20\n127.0.0.1")
    page.click("#sec-kiosk button.save")
    expect(page.locator("#sec-kiosk .notice")).to_have_text("Tersimpan.")
    expect(kiosk.locator("#screen-welcome")).to_be_visible()  # reloaded by itself: no restart
    expect(kiosk.locator("#screen-unregistered")).to_be_hidden()
    kiosk.wait_for_function("() => window.antrianKiosk && antrianKiosk.live", polling=50)
    kiosk.evaluate("window.drawnBefore = true")

    reset = page.locator("#sec-kiosk .reset-section")
    expect(reset).to_have_text("Kembali ke config.toml")
    reset.click()
    expect(reset).to_have_text("Yakin? Klik lagi")  # the first click only asks
    assert boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["overridden"] != []
    reset.click()
    expect(page.locator("#sec-kiosk .notice")).to_have_text("Nilai config.toml dipakai lagi.")
    expect(addresses).to_have_value("")
    expect(page.locator("#sec-kiosk .kept")).to_have_count(0)
    expect(reset).to_have_count(0)
    saved = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()
    assert (saved["kiosk"]["addresses"], saved["overridden"]) == ([], [])
    # the kiosk took the reset's settings_changed (it reloads at its welcome screen)
    kiosk.wait_for_function("() => window.antrianKiosk && antrianKiosk.live && !window.drawnBefore", polling=50)
    for p in (kiosk, page):
        p.context.close()


def test_a_value_saved_here_is_marked_with_config_tomls_in_both_languages_and_a_list_goes_back_whole(
    browser, live, boss
):
    """The server's start and `settings show` listed the config.toml values a saved one hides; the page did
    not. Each such field says so with config.toml's value, a list section under its table."""
    r = boss.put(
        f"{live.url}/api/admin/settings/office", json={"value": {"public_url": "http://10.0.0.5:8080"}}, timeout=5
    )
    assert r.status_code == 200, r.text
    services = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["services"]
    file_name = services[1]["name"]
    services[1]["name"] = "Konsultasi PPK, Pokja dan PP"
    r = boss.put(f"{live.url}/api/admin/settings/services", json={"value": services}, timeout=5)
    assert r.status_code == 200, r.text

    page = admin_page(browser, live)
    url_note = page.locator('#sec-office .kept[data-kept="office.public_url"]')
    expect(url_note).to_have_text("Disimpan di halaman ini; config.toml berisi: http://127.0.0.1:8080")
    expect(page.locator("#sec-office .kept")).to_have_count(1)  # the name, address, language: config.toml's
    services_note = page.locator('#sec-services .kept[data-kept="services"]')
    expect(services_note).to_have_text(
        "Disimpan di halaman ini; config.toml berisi: 3 baris (A, B, C), baris 2 berbeda"
    )
    expect(page.locator("#sec-queue .kept, #sec-counters .kept, #sec-hours .kept")).to_have_count(0)
    page.click("#lang-toggle")
    expect(url_note).to_have_text("Saved on this page; config.toml has: http://127.0.0.1:8080")
    expect(services_note).to_have_text("Saved on this page; config.toml has: 3 rows (A, B, C), row 2 differs")
    reset = page.locator("#sec-services .reset-section")
    expect(reset).to_have_text("Back to config.toml")
    reset.click()
    reset.click()
    expect(page.locator("#sec-services .notice")).to_have_text("config.toml's values are in use again.")
    expect(key(page, "services[1].name")).to_have_value(file_name)
    expect(services_note).to_have_count(0)
    expect(url_note).to_be_visible()  # another section's saved value stays
    assert state(live)["services"][1]["name"] == file_name  # live, without a restart
    page.context.close()


def _rows(page, section: str):
    return page.locator(f"#sec-{section} tbody tr")


def test_two_admins_adding_a_counter_the_second_save_is_refused_and_its_edit_kept_until_it_reloads(browser, live, boss):
    """The same admin on two PCs (so no live notice: its own change), each adds a counter to the page it
    loaded: the first save goes; the second is refused (409), its new row stays on screen with the server's
    words and a Reload this section button, and nothing of it is saved. Reloaded, both counters are there to
    add to; its own again, saved."""
    first, second = admin_page(browser, live), admin_page(browser, live)
    n = _rows(first, "counters").count()
    assert n == _rows(second, "counters").count()
    ids = [c["id"] for c in boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["counters"]]

    first.click("#sec-counters button.add")
    key(first, f"counters[{n}].name").fill("Loket Pertama")
    key(first, f"counters[{n}].services").locator('input[value="A"]').check()
    first.click("#sec-counters button.save")
    expect(first.locator("#sec-counters .notice")).to_have_text("Tersimpan.")

    second.click("#sec-counters button.add")
    key(second, f"counters[{n}].id").fill(str(max(ids) + 2))
    key(second, f"counters[{n}].name").fill("Loket Kedua")
    key(second, f"counters[{n}].services").locator('input[value="B"]').check()
    second.click("#sec-counters button.save")
    notice = second.locator("#sec-counters .notice")
    expect(notice).to_have_attribute("data-kind", "error")
    expect(notice).to_contain_text("Loket sudah diubah oleh kepala pada ")
    expect(notice).to_contain_text("perubahan Anda tidak disimpan")
    expect(key(second, f"counters[{n}].name")).to_have_value("Loket Kedua")  # the edit is still there
    expect(_rows(second, "counters")).to_have_count(n + 1)
    saved = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["counters"]
    assert [c["name"] for c in saved][n:] == ["Loket Pertama"]  # the first's counter kept, nothing of the second
    reload = second.locator("#sec-counters .reload-section")
    expect(reload).to_have_text("Muat ulang bagian ini")
    # A second try of the same draft is refused too: its version is still the one it was made on.
    second.click("#sec-counters button.save")
    expect(notice).to_have_attribute("data-kind", "error")
    assert len(boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["counters"]) == n + 1

    reload.click()
    expect(notice).to_have_text("Dimuat ulang: ini nilai yang berlaku sekarang.")
    expect(reload).to_have_count(0)
    expect(key(second, f"counters[{n}].name")).to_have_value("Loket Pertama")
    second.click("#sec-counters button.add")
    key(second, f"counters[{n + 1}].name").fill("Loket Kedua")
    key(second, f"counters[{n + 1}].services").locator('input[value="B"]').check()
    second.click("#sec-counters button.save")
    expect(notice).to_have_text("Tersimpan.")
    saved = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["counters"]
    assert [c["name"] for c in saved][n:] == ["Loket Pertama", "Loket Kedua"]
    for p in (first, second):
        p.context.close()


def test_another_admins_save_of_a_section_being_edited_is_said_there_and_the_edit_is_not_lost(browser, live, boss):
    """An admin edits the office's address; another admin saves the office's name. The first page keeps the
    address typed, says in that section who changed it, and offers to reload it; a save of the draft is
    refused (409), the other admin's name stays."""
    live.add_user("kepala3", "admin")
    editing = open_page(browser, live, "/counter/admin", "kepala3")
    expect(key(editing, "office.address")).to_be_visible()
    other = admin_page(browser, live)
    key(editing, "office.address").fill("Jl. Kenanga No. 3")
    expect(editing.locator("#sec-office .notice")).to_have_attribute("data-kind", "dirty")
    key(other, "office.name").fill("LPSE Kabupaten Baru")
    other.click("#sec-office button.save")
    expect(other.locator("#sec-office .notice")).to_have_text("Tersimpan.")

    notice = editing.locator("#sec-office .notice")
    expect(notice).to_contain_text("Kantor baru saja diubah oleh kepala. Isian Anda yang belum disimpan tetap di sini")
    expect(editing.locator("#page-notice")).to_contain_text("isian Anda di bagian itu belum disimpan dan tetap ada")
    expect(key(editing, "office.address")).to_have_value("Jl. Kenanga No. 3")
    expect(editing.locator("#sec-office .reload-section")).to_be_visible()
    key(editing, "office.address").fill("Jl. Kenanga No. 5")  # typing on keeps the warning
    expect(notice).to_contain_text("baru saja diubah oleh kepala")
    editing.click("#sec-office button.save")
    expect(notice).to_have_attribute("data-kind", "error")
    expect(notice).to_contain_text("Kantor sudah diubah oleh kepala pada ")
    office = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["office"]
    assert (office["name"], office["address"]) != ("LPSE Kabupaten Baru", "Jl. Kenanga No. 5")
    assert office["name"] == "LPSE Kabupaten Baru"
    editing.locator("#sec-office .reload-section").click()
    expect(key(editing, "office.name")).to_have_value("LPSE Kabupaten Baru")
    expect(key(editing, "office.address")).to_have_value(office["address"])
    for p in (editing, other):
        p.context.close()


def test_one_sections_edits_are_discarded_and_the_other_sections_edits_kept(browser, live, boss):
    """A section edited but not saved said so with no way back but a reload of the page, which dropped every other
    section's edits as well. "Batalkan perubahan", shown while the section has edits, puts it back as in force, by
    mouse or keyboard, the focus on its first field; the other sections keep what was typed. The values are read
    afresh: a change this page was not told of (its own account's, on another PC) is there, and a save after it
    goes. A section another admin changed meanwhile has "Muat ulang bagian ini" instead (the same, one button)."""
    live.add_user("kepala5", "admin")
    page = admin_page(browser, live)
    sec = {s: page.locator(f"#sec-{s}") for s in ("counters", "services", "office")}
    expect(page.locator(".discard-section")).to_have_count(0)
    key(page, "counters[1].name").fill("Loket Duaa")  # a typo
    key(page, "services[0].name").fill("Konsultasi Penyedia Jasa")
    discard = sec["counters"].locator(".discard-section")
    expect(discard).to_have_text("Batalkan perubahan")
    expect(sec["services"].locator(".discard-section")).to_have_text("Batalkan perubahan")
    expect(sec["office"].locator(".discard-section")).to_have_count(0)
    keep_shot(sec["counters"], "admin-discard.png")

    key(page, "counters[1].name").focus()  # by keyboard: Tab on to the button, then Enter
    for _ in range(40):
        page.keyboard.press("Tab")
        if discard.evaluate("b => b === document.activeElement"):
            break
    expect(discard).to_be_focused()
    page.keyboard.press("Enter")
    expect(sec["counters"].locator(".notice")).to_have_text("Perubahan dibatalkan: ini nilai yang berlaku sekarang.")
    expect(key(page, "counters[1].name")).to_have_value("Loket 2")
    expect(discard).to_have_count(0)
    expect(key(page, "counters[0].id")).to_be_focused()
    expect(key(page, "services[0].name")).to_have_value("Konsultasi Penyedia Jasa")  # the other section's edit stays
    expect(sec["services"].locator(".notice")).to_have_attribute("data-kind", "dirty")

    # the same account changes the services on another PC: this page is not told (its own change), and its draft
    # started before it; discarded, the section shows that change, and a save after it is not refused
    services = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["services"]
    renamed = [{**s, "name": "Registrasi Akun SPSE"} if s["code"] == "C" else s for s in services]
    put_settings(live, boss, "services", renamed)
    sec["services"].locator(".discard-section").click()
    expect(key(page, "services[2].name")).to_have_value("Registrasi Akun SPSE")
    expect(key(page, "services[0].name")).to_have_value(services[0]["name"])
    key(page, "services[1].daily_quota").fill("40")
    sec["services"].locator("button.save").click()
    expect(sec["services"].locator(".notice")).to_have_text("Tersimpan.")
    saved = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["services"]
    assert [(s["name"], s["daily_quota"]) for s in saved][1:] == [
        (services[1]["name"], 40),
        ("Registrasi Akun SPSE", None),
    ]

    # another admin saves Loket while it is being edited: one way back there, Muat ulang bagian ini
    key(page, "counters[2].name").fill("Loket Tigaa")
    counters = boss.get(f"{live.url}/api/admin/settings", timeout=5).json()["counters"]
    other = live.session("kepala5", PASSWORD)
    put_settings(live, other, "counters", [{**c, "name": "Loket Tiga"} if c["id"] == 3 else c for c in counters])
    expect(sec["counters"].locator(".notice")).to_contain_text("Loket baru saja diubah oleh kepala5")
    expect(sec["counters"].locator(".reload-section")).to_be_visible()
    expect(discard).to_have_count(0)
    sec["counters"].locator(".reload-section").click()
    expect(key(page, "counters[2].name")).to_have_value("Loket Tiga")

    # in English
    key(page, "office.address").fill("Jl. Kenanga No. 3")
    page.click("#lang-toggle")
    expect(sec["office"].locator(".discard-section")).to_have_text("Discard changes")
    sec["office"].locator(".discard-section").click()
    expect(sec["office"].locator(".notice")).to_have_text("Changes discarded: these are the values in force now.")
    expect(key(page, "office.name")).to_be_focused()
    page.context.close()


def test_the_survey_and_the_voice_have_batalkan_perubahan_and_their_edits_are_asked_about_before_leaving(
    browser, live, boss
):
    """Kuesioner SKM and Suara panggilan had no "Batalkan perubahan": an admin who changed a question, or the voice's
    engine, and then their mind reloaded the page (every other section's edits gone too) or undid it by hand; the
    voice's change did not even say it was not saved, and a reload, a link or the tab closed dropped either without
    the browser asking. Now both have it as the other sections (shown while edited, by keyboard or click, the focus
    on their first field, both languages), and the browser asks before the page goes with their edits."""
    page = admin_page(browser, live)
    survey, voice = page.locator("#sec-survey"), page.locator("#sec-voice")
    asked: list[str] = []

    def stay(dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", stay)
    u1 = survey.locator("details[data-code=U1]")
    u1.locator("summary").click()
    question = key(page, "elements.U1.question.id")
    said = question.input_value()
    question.fill(f"{said} (salah ketik")
    expect(survey.locator(".notice")).to_have_text("Ada perubahan yang belum disimpan.")
    page.evaluate("() => location.reload()")  # the browser asks; `stay` answers
    expect(question).to_have_value(f"{said} (salah ketik")
    assert asked == ["beforeunload"]
    discard = survey.locator(".discard-section")
    expect(discard).to_have_text("Batalkan perubahan")
    expect(voice.locator(".discard-section")).to_have_count(0)

    engine = page.locator("#voice-engine")
    was = engine.input_value()
    other = "clips" if was == "espeak" else "espeak"
    engine.select_option(other)
    expect(voice.locator(".notice")).to_have_text("Ada perubahan yang belum disimpan.")
    expect(voice.locator("#voice-form .discard-section")).to_have_text("Batalkan perubahan")
    engine.select_option(was)  # picked back: nothing to save, nothing to discard
    expect(voice.locator(".discard-section")).to_have_count(0)
    expect(voice.locator(".notice")).to_have_text("")
    engine.select_option(other)
    for width in (1366, 1024):
        page.set_viewport_size({"width": width, "height": 768})
        keep_shot(survey, f"admin-survey-discard-{width}.png")  # the whole section: its notice, U1 open, the button
        voice.scroll_into_view_if_needed()
        keep_shot(page, f"admin-voice-discard-{width}.png")
        row = voice.locator("#voice-form .save-row")
        assert row.evaluate("r => r.scrollWidth <= r.clientWidth"), width  # Batalkan perubahan beside Simpan, whole
    page.set_viewport_size(VIEWPORT)

    question.focus()  # by keyboard: Tab on to the button, then Enter
    for _ in range(60):
        page.keyboard.press("Tab")
        if discard.evaluate("b => b === document.activeElement"):
            break
    expect(discard).to_be_focused()
    page.keyboard.press("Enter")
    expect(survey.locator(".notice")).to_have_text("Perubahan dibatalkan: ini nilai yang berlaku sekarang.")
    expect(question).to_have_value(said)
    expect(discard).to_have_count(0)
    expect(question).to_be_focused()
    expect(engine).to_have_value(other)  # the other section's edit stays, and is asked about alone
    page.evaluate("() => location.reload()")
    expect(engine).to_have_value(other)
    assert asked == ["beforeunload", "beforeunload"]

    page.click("#lang-toggle")
    voice_discard = voice.locator(".discard-section")
    expect(voice_discard).to_have_text("Discard changes")
    expect(voice_discard).to_have_attribute("title", re.compile(r"^Drop the unsaved edits of Call voice: "))
    voice_discard.click()
    expect(voice.locator(".notice")).to_have_text("Changes discarded: these are the values in force now.")
    expect(engine).to_have_value(was)
    expect(engine).to_be_focused()
    expect(voice_discard).to_have_count(0)
    page.reload()  # nothing left to save: the page goes without asking
    expect(page.locator("#sec-survey details[data-code=U1]")).to_be_attached()
    assert asked == ["beforeunload", "beforeunload"]
    page.remove_listener("dialog", stay)
    page.context.close()
