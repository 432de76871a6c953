"""What the staff pages say when something changes under them, and how they are moved between.

A real server process and real Chromium, several pages at once: the front office cancels the ticket an
officer is calling, another tab resolves the ticket a draft was typed for, an admin or the front office
frees a counter, an officer calls a ticket out of turn or pauses; the navigation bar and the way back
after a login; times in the office's timezone in a browser set to another. Set ANTRIAN_SCREENSHOTS=1 to
refresh docs/screenshots/counter-paused.png.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from conftest import write_config
from kioskui import LONGEST
from live import ClockedServer
from pageclock import pause_clock
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import PASSWORD, empty_queue, issue, open_counter, resize, settings_kept, sign_in, staffed

SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}
WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture(scope="module")
def office(live):
    return staffed(live)


@pytest.fixture(autouse=True)
def clean_queue(office):
    """Every test starts with an empty queue and free, unpaused counters (one server for the module)."""
    empty_queue(office)
    yield


def new_page(browser, **options):
    return browser.new_context(viewport=VIEWPORT, locale="id-ID", **options).new_page()


def log_in(browser, live, path: str, username: str, **options):
    return sign_in(new_page(browser, **options), live, path, username)


def server_ticket(live, token: str) -> dict:
    return requests.get(f"{live.url}/api/tickets/{token}", timeout=5).json()["ticket"]


def visible_nav(page) -> list[str]:
    return page.locator(".staff-nav a[data-roles]:visible").all_inner_texts()


# ---- finding 7: one navigation bar, and back to the page asked for after the login ---------------
def test_a_recap_asked_for_while_logged_out_opens_after_the_login(browser, office):
    page = new_page(browser)
    page.goto(office.url + "/counter/recap?from=2026-11-01&to=2026-11-28")
    expect(page.locator("#login-form")).to_be_visible()
    assert "/counter/?next=" in page.url
    sign_in(page, office, None, "budi", check_name=False)
    page.wait_for_url(re.compile(r"/counter/recap\?from=2026-11-01&to=2026-11-28$"))
    expect(page.locator("h1")).to_contain_text("Rekap Penanganan")
    expect(page.locator(".staff-nav a[aria-current=page]")).to_have_text("Rekap")
    assert visible_nav(page) == ["Loket", "Eskalasi", "Pengaduan", "Rekap", "Buku tamu", "Dasbor", "SKM"]
    page.click(".staff-nav >> text=Dasbor")
    page.wait_for_url(re.compile(r"/counter/dashboard$"))
    expect(page.locator(".staff-nav a[aria-current=page]")).to_have_text("Dasbor")
    # the printable pages say who is logged in, and Keluar ends the session there too (a shared PC)
    expect(page.locator(".staff-nav .nav-user")).to_have_text("budi")
    page.click(".staff-nav >> text=Loket")
    expect(page.locator("#officer-name")).to_have_text("budi")
    expect(page.locator(".staff-nav a[aria-current=page]")).to_have_text("Loket")
    page.goto(office.url + "/counter/skm")
    page.click("#nav-logout")
    expect(page.locator("#login-form")).to_be_visible()
    assert page.context.request.get(office.url + "/api/me").status == 401
    page.goto(office.url + "/counter/dashboard")
    expect(page.locator("#login-form")).to_be_visible()  # not the dashboard: the session is over
    page.context.close()


def test_a_page_elsewhere_is_never_where_the_login_goes(browser, office):
    page = new_page(browser)
    page.goto(office.url + "/counter/?next=" + requests.utils.quote("//example.org/counter/", safe=""))
    sign_in(page, office, None, "budi")
    assert page.url.startswith(office.url + "/counter/")
    page.context.close()


@pytest.mark.parametrize(
    "username,path,links,current",
    [
        (
            "rina",
            "/counter/front",
            ["Front office", "Eskalasi", "Pengaduan", "Rekap", "Buku tamu", "Dasbor", "SKM"],
            "Front office",
        ),
        (
            "kepala",
            "/counter/admin",
            ["Loket", "Front office", "Eskalasi", "Pengaduan", "Rekap", "Buku tamu", "Dasbor", "SKM", "Admin"],
            "Admin",
        ),
        (
            "budi",
            "/counter/escalations",
            ["Loket", "Eskalasi", "Pengaduan", "Rekap", "Buku tamu", "Dasbor", "SKM"],
            "Eskalasi",
        ),
    ],
)
def test_the_navigation_bar_shows_the_pages_of_the_role_that_logs_in(browser, office, username, path, links, current):
    page = log_in(browser, office, path, username)
    assert visible_nav(page) == links
    expect(page.locator(".staff-nav a[aria-current=page]")).to_have_text(current)
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")  # fits 1366 px
    page.context.close()


def test_a_page_of_another_role_refuses_and_leads_to_this_roles_pages(browser, office):
    page = new_page(browser)
    sign_in(page, office, "/counter/", "rina", check_name=False)
    expect(page.locator("#forbidden")).to_have_text("Halaman ini untuk petugas helpdesk (peran officer).")
    assert visible_nav(page) == ["Front office", "Eskalasi", "Pengaduan", "Rekap", "Buku tamu", "Dasbor", "SKM"]
    page.click(".staff-nav >> text=Front office")
    expect(page.locator("#officer-name")).to_have_text("rina")
    expect(page.locator("#r-name")).to_be_visible()
    page.context.close()


# ---- finding 9: nothing on the counter page changes silently -------------------------------------
def test_a_called_ticket_cancelled_by_the_front_office_is_said_on_the_counter_page(browser, office):
    fajar, gita = issue(office, "Fajar Nugroho"), issue(office, "Gita Permata")
    budi = open_counter(browser, office, "budi", 1)
    budi.click("#btn-call-next")
    expect(budi.locator("#t-label")).to_have_text(fajar["label"])
    # called, not served yet: the answer and the note take no cursor and no letter
    for field in ("#solution", "#note", "#category", "#transfer-service"):
        expect(budi.locator(field)).to_be_disabled()
    budi.locator("#solution").click(force=True)
    expect(budi.locator("#solution")).not_to_be_focused()

    rina = log_in(browser, office, "/counter/front", "rina")
    row = rina.locator(f"#tickets tr[data-label='{fajar['label']}']")
    row.locator("button[data-act=cancel]").click()
    row.locator("button[data-act=cancel]").click()  # the second click confirms
    expect(row.locator(".status")).to_have_text("dibatalkan")

    expect(budi.locator("#t-label")).to_have_text("—")
    expect(budi.locator("#notice")).to_have_text(f"Tiket {fajar['label']} dibatalkan oleh front office (rina).")
    expect(budi.locator("#notice")).to_have_attribute("data-kind", "warn")
    budi.set_viewport_size({"width": 1024, "height": 768})
    keep_shot(budi, "counter-cancelled.png")
    budi.keyboard.press("n")  # a key again: the next visitor, no "n" typed anywhere
    expect(budi.locator("#t-label")).to_have_text(gita["label"])
    expect(budi.locator("#solution")).to_have_value("")
    budi.context.close()
    rina.context.close()


def test_a_draft_is_kept_when_another_tab_resolves_its_ticket(browser, office):
    gita, hana = issue(office, "Gita Permata"), issue(office, "Hana Pertiwi")
    first = open_counter(browser, office, "budi", 1)
    first.click("#btn-call-next")
    first.click("#btn-start")
    expect(first.locator("#t-status")).to_have_text("dilayani")
    second = first.context.new_page()  # the same officer, a second tab
    second.goto(office.url + "/counter/")
    expect(second.locator("#t-label")).to_have_text(gita["label"])

    draft = "Langkah: 1) reset kata sandi lewat menu Lupa Password; 2) cek e-mail terdaftar di SPSE."
    first.fill("#solution", draft)
    first.fill("#note", "Kalau tetap gagal: eskalasi ke LKPP.")
    second.fill("#solution", "Kata sandi direset; pengguna berhasil masuk.")
    second.click("#btn-resolve")
    expect(second.locator("#notice")).to_have_text(f"{gita['label']} selesai.")

    kept = first.locator("#kept-draft")
    expect(kept).to_be_visible()
    expect(first.locator("#kept-note")).to_contain_text(f"Tiket {gita['label']} sudah diselesaikan di halaman lain.")
    expect(first.locator("#kept-solution")).to_have_value(draft)
    expect(first.locator("#kept-note-text")).to_have_value("Kalau tetap gagal: eskalasi ke LKPP.")
    expect(first.locator("#solution")).to_have_value("")  # the form is free for the next visitor
    # the cursor was in the note: out of it, the fields off until the next visitor is served, N a key again
    expect(first.locator("#note")).not_to_be_focused()
    expect(first.locator("#solution")).to_be_disabled()
    expect(first.locator("#note")).to_be_disabled()
    first.set_viewport_size({"width": 1024, "height": 768})
    keep_shot(first, "counter-resolved-elsewhere.png")
    first.keyboard.press("n")
    expect(first.locator("#t-label")).to_have_text(hana["label"])
    expect(first.locator("#solution")).to_have_value("")
    expect(second.locator("#kept-draft")).to_be_hidden()  # the tab that resolved keeps nothing
    assert server_ticket(office, gita["token"])["status"] == "resolved"

    first.reload()  # kept until dismissed, a reload included
    expect(first.locator("#kept-solution")).to_have_value(draft)
    expect(first.locator("#t-label")).to_have_text(hana["label"])
    first.click("#kept-dismiss")
    expect(kept).to_be_hidden()
    first.reload()
    expect(first.locator("#officer-name")).to_have_text("budi")
    expect(kept).to_be_hidden()
    first.context.close()


def test_the_front_offices_correction_of_the_called_visitor_is_said_and_marked_until_the_next_action(browser, office):
    citra = issue(office, "Citra Lestar")  # a typo in the name, and someone else's phone
    budi = open_counter(browser, office, "budi", 1)
    budi.set_viewport_size({"width": 1024, "height": 768})
    budi.keyboard.press("n")
    expect(budi.locator("#f-name")).to_have_text("Citra Lestar")

    rina = office.session("rina", PASSWORD)
    staff = rina.get(office.url + "/api/staff/state", timeout=5).json()
    form = next(x for x in staff["tickets"] if x["label"] == citra["label"])["form"]
    fixed = {**form, "name": "Citra Lestari", "phone": "0857-1111-2222"}
    r = rina.post(f"{office.url}/api/tickets/{citra['token']}/form", json=fixed, timeout=5)
    assert r.status_code == 200 and sorted(r.json()["changed"]) == ["name", "phone"], r.text

    label = citra["label"]
    expect(budi.locator("#notice")).to_have_text(f"Data {label} diubah oleh front office (rina): nama, telepon.")
    expect(budi.locator("#notice")).to_have_attribute("data-kind", "warn")
    expect(budi.locator("#f-name")).to_have_text("Citra Lestari")
    expect(budi.locator("#f-phone")).to_have_text("085711112222")
    assert budi.locator(".form-grid dd.changed").evaluate_all("dds => dds.map((dd) => dd.id)") == ["f-name", "f-phone"]
    keep_shot(budi, "counter-corrected.png")
    budi.click("#lang-toggle")
    expect(budi.locator("#notice")).to_have_text(
        f"{label}'s details were changed by the front office (rina): name, phone."
    )
    budi.click("#lang-toggle")

    budi.keyboard.press("r")  # the officer's next action: the marks go, the new values stay
    expect(budi.locator("#t-calls")).to_have_text("panggilan 2 dari 3")
    expect(budi.locator(".form-grid dd.changed")).to_have_count(0)
    expect(budi.locator("#f-name")).to_have_text("Citra Lestari")
    budi.context.close()


def test_a_draft_survives_a_trip_to_another_staff_page(browser, office):
    hadi = issue(office, "Hadi Kurniawan")
    page = open_counter(browser, office, "budi", 1)
    page.click("#btn-call-next")
    page.click("#btn-start")
    page.fill("#solution", "Sedang ditulis: langkah unggah dokumen penawaran.")
    page.click(".staff-nav >> text=Eskalasi")
    page.wait_for_url(re.compile(r"/counter/escalations$"))
    page.click(".staff-nav >> text=Loket")
    expect(page.locator("#t-label")).to_have_text(hadi["label"])
    expect(page.locator("#solution")).to_have_value("Sedang ditulis: langkah unggah dokumen penawaran.")
    page.context.close()


# ---- finding 2: a counter freed by someone else, and one taken back after a new login ------------
def test_a_counter_freed_by_the_front_office_tells_its_officer_and_its_called_ticket_waits_again(browser, office):
    indah = issue(office, "Indah Sari")
    budi = open_counter(browser, office, "budi", 2)
    budi.click("#btn-call-next")
    expect(budi.locator("#t-label")).to_have_text(indah["label"])

    rina = log_in(browser, office, "/counter/front", "rina")
    row = rina.locator("#counter-rows tr[data-counter='2']")
    expect(row).to_contain_text("budi")
    expect(row).to_contain_text(f"{indah['label']} · dipanggil")
    expect(rina.locator("#counter-rows tr[data-counter='1'] button[data-act=release]")).to_have_count(0)
    row.locator("button[data-act=release]").click()
    expect(row.locator("button[data-act=release]")).to_have_text("Yakin lepas?")
    row.locator("button[data-act=release]").click()
    # the ticket it was calling is named: back in the line at its place
    expect(rina.locator("#counter-notice")).to_have_text(
        f"Loket 2 dilepas dari budi. {indah['label']} yang dipanggil kembali menunggu di antrian di tempatnya."
    )
    expect(row.locator("button[data-act=release]")).to_have_count(0)

    # and the officer is told where that visitor waits now (it said only "Loket 2 dilepas oleh rina.")
    expect(budi.locator("#notice")).to_have_text(
        f"Loket 2 dilepas oleh rina. Tiket {indah['label']} yang dipanggil kembali menunggu di antrian A di tempatnya:"
        " urutan ke-1. Pilih loket Anda untuk melanjutkan."
    )
    expect(budi.locator("#counter-select")).to_have_value("")
    expect(budi.locator("#t-label")).to_have_text("—")
    assert server_ticket(office, indah["token"])["status"] == "waiting"
    expect(rina.locator(f"#tickets tr[data-label='{indah['label']}'] .status")).to_have_text("menunggu")
    budi.context.close()
    rina.context.close()


def test_the_officer_bound_to_a_counter_the_admin_frees_then_removes_is_told_the_truth_at_each_step(browser, office):
    """dewi, bound to Loket 2, is calling A-002 when the admin frees Loket 2 on the admin page, then removes it. Her
    page said "Loket 2 dilepas oleh kepala. Tindakan berikutnya mengambilnya lagi." both times: nothing of the visitor
    she called (back in the line, second), and after the removal a counter that no longer exists to take again."""
    first, called = issue(office, "Ani Wijaya"), issue(office, "Indah Sari")
    admin = office.session("kepala", PASSWORD)
    bound = {"username": "dewi", "password": PASSWORD, "role": "officer", "counter_id": 2}
    assert admin.post(f"{office.url}/api/admin/users", json=bound, timeout=10).status_code in (201, 409)
    with settings_kept(office, admin):
        dewi = log_in(browser, office, "/counter/", "dewi")
        expect(dewi.locator("#counter-select")).to_have_value("2")
        dewi.locator(f"#line button[data-call='{called['label']}']").click()
        expect(dewi.locator("#t-label")).to_have_text(called["label"])
        boss = log_in(browser, office, "/counter/admin", "kepala")
        release = boss.locator("#live-counters tr[data-counter='2'] button[data-act=release]")
        release.click()
        release.click()
        notice = dewi.locator("#notice")
        freed = (
            f"Loket 2 dilepas oleh kepala. Tiket {called['label']} yang dipanggil kembali menunggu di antrian A di"
            " tempatnya: urutan ke-2."
        )
        expect(notice).to_have_text(f"{freed} Tindakan berikutnya mengambilnya lagi.")
        expect(dewi.locator("#line li").nth(1)).to_contain_text(called["label"])  # the line's second, as said
        assert server_ticket(office, first["token"])["status"] == "waiting"
        boss.locator("#sec-counters tbody tr").nth(1).locator("button.remove").click()  # Loket 2's row
        boss.locator("#sec-counters button.save").click()
        removed = "Loket 2 dihapus dari pengaturan oleh admin (kepala). Pilih loket lain untuk melanjutkan."
        expect(notice).to_have_text(f"{freed} {removed}")  # carried over the page's reload for the change
        expect(dewi.locator("#counter-select")).to_have_value("")
        expect(dewi.locator("#counter-select")).to_be_enabled()  # unbound: she picks another counter
        dewi.click("#lang-toggle")
        expect(notice).to_have_text(
            f"Loket 2 was released by kepala. The called ticket {called['label']} is waiting in line A again at its"
            " place: number 2. Loket 2 was removed from the settings by the admin kepala. Pick another counter to go on."
        )
        dewi.context.close()
        boss.context.close()


def test_a_counter_freed_while_its_page_was_disconnected_is_said_when_it_reconnects(browser, office):
    lina = issue(office, "Lina Marlina")
    budi = open_counter(browser, office, "budi", 2)
    budi.click("#btn-call-next")
    expect(budi.locator("#t-label")).to_have_text(lina["label"])
    budi.evaluate("() => antrianCounter.live.socket.disconnect()")  # a laptop asleep, a cable out
    expect(budi.locator("#live-status")).to_have_attribute("data-state", "off")
    admin = office.session("kepala", PASSWORD)
    admin.post(f"{office.url}/api/counters/2/release", json={}, timeout=5).raise_for_status()
    budi.evaluate("() => antrianCounter.live.socket.connect()")  # the event is missed; the snapshot tells
    expect(budi.locator("#notice")).to_have_text(
        "Loket 2 dilepas saat halaman ini terputus dari server. Pilih loket Anda untuk melanjutkan."
    )
    expect(budi.locator("#counter-select")).to_have_value("")
    expect(budi.locator("#t-label")).to_have_text("—")
    assert server_ticket(office, lina["token"])["status"] == "waiting"  # back in the line at its place
    budi.context.close()


def test_an_admins_recall_at_an_officers_counter_leaves_the_officers_page_as_it_was(browser, office):
    """An admin acts at any counter without holding it: budi's page must not take the admin for the holder
    (it showed "Loket 1 sedang dipakai oleh kepala", hid budi's visitor and turned every button off)."""
    pia = issue(office, "Pia Lestari")
    budi = open_counter(browser, office, "budi", 1)
    budi.click("#btn-call-next")
    expect(budi.locator("#t-label")).to_have_text(pia["label"])
    admin = office.session("kepala", PASSWORD)
    r = admin.post(f"{office.url}/api/counters/1/recall", json={}, timeout=5)
    assert r.status_code == 200 and r.json()["ticket"]["calls"] == 2
    expect(budi.locator("#t-calls")).to_have_text("panggilan 2 dari 3")  # the admin's recall, seen live
    expect(budi.locator("#taken")).to_be_hidden()
    expect(budi.locator("#t-label")).to_have_text(pia["label"])
    expect(budi.locator("#btn-recall")).to_be_enabled()
    state = admin.get(office.url + "/api/staff/state", timeout=5).json()
    assert next(c for c in state["counters"] if c["id"] == 1)["officer"] == "budi"
    budi.context.close()


def test_a_ticket_cancelled_while_the_page_was_disconnected_is_said_with_who_cancelled_it(browser, office):
    """The cancel's event is missed; the fresh snapshot only shows the ticket gone, and the page asks the
    ticket's history how, instead of leaving "changed while the connection was down"."""
    omar = issue(office, "Omar Bakri")
    budi = open_counter(browser, office, "budi", 1)
    budi.click("#btn-call-next")
    expect(budi.locator("#t-label")).to_have_text(omar["label"])
    budi.evaluate("() => antrianCounter.live.socket.disconnect()")
    expect(budi.locator("#live-status")).to_have_attribute("data-state", "off")
    rina = office.session("rina", PASSWORD)
    rina.post(f"{office.url}/api/tickets/{omar['token']}/cancel", json={}, timeout=5).raise_for_status()
    budi.evaluate("() => antrianCounter.live.socket.connect()")
    expect(budi.locator("#notice")).to_have_text(f"Tiket {omar['label']} dibatalkan oleh front office (rina).")
    expect(budi.locator("#t-label")).to_have_text("—")
    budi.context.close()


def test_an_officer_who_logs_in_again_gets_the_counter_they_hold_back(browser, office):
    joko = issue(office, "Joko Widodo", service="B")
    first = open_counter(browser, office, "budi", 3)
    first.click("#btn-call-next")
    expect(first.locator("#t-label")).to_have_text(joko["label"])
    first.context.close()  # the browser closed: no logout, the counter stays held

    again = log_in(browser, office, "/counter/", "budi")  # another browser: nothing remembered there
    expect(again.locator("#counter-select")).to_have_value("3")
    expect(again.locator("#t-label")).to_have_text(joko["label"])
    expect(again.locator("#notice")).to_have_text("Anda masih memegang Loket 3; lanjutkan di sini.")
    again.context.close()


def test_a_visitor_another_officer_started_serving_here_says_whose_and_since_when(browser, office):
    """A shared PC at a change of shift: budi started serving and logged out; sari, opening the same counter,
    sees the visitor being served and by whom since when, not a visitor that looks like her own."""
    nina = issue(office, "Nina Kartika")
    budi = office.session("budi", PASSWORD)
    for action in ("call-next", "start"):
        budi.post(f"{office.url}/api/counters/1/{action}", json={}, timeout=5).raise_for_status()
    budi.post(f"{office.url}/api/logout", json={}, timeout=5).raise_for_status()
    page = open_counter(browser, office, "sari", 1)
    expect(page.locator("#t-label")).to_have_text(nina["label"])
    expect(page.locator("#t-status")).to_have_text("dilayani")
    expect(page.locator("#hint")).to_have_text(re.compile(r"^Dilayani budi sejak \d\d[.:]\d\d\. Tulis solusi"))
    page.click("#lang-toggle")
    expect(page.locator("#hint")).to_have_text(re.compile(r"^Served by budi since \d\d[.:]\d\d\. Write the solution"))
    page.click("#lang-toggle")
    page.fill("#solution", "Dilanjutkan sari.")
    page.click("#btn-resolve")
    expect(page.locator("#hint")).not_to_contain_text("budi")
    today = office.session("kepala", PASSWORD).get(office.url + "/api/tickets", timeout=5).json()["tickets"]
    assert next(x for x in today if x["label"] == nina["label"])["officer"] == "sari"  # the one who finished it
    page.context.close()


# ---- new: call a chosen ticket out of turn, and pause --------------------------------------------
def test_an_officer_calls_a_chosen_waiting_ticket_and_sees_the_servers_refusal(browser, office):
    first, second, third = issue(office, "Kiki Amalia"), issue(office, "Lina Marlina"), issue(office, "Maya Sari")
    other = issue(office, "Nina Zahra", service="B")  # not served at counter 1
    page = open_counter(browser, office, "budi", 1)
    expect(page.locator("#line section[data-service='A'] li")).to_have_count(3)
    expect(page.locator("#line section[data-service='B'] button.call")).to_have_count(0)

    page.locator(f"#line li[data-label='{third['label']}'] button.call").click()
    expect(page.locator("#t-label")).to_have_text(third["label"])
    expect(page.locator("#notice")).to_have_text(f"{third['label']} dipanggil (di luar urutan).")
    expect(page.locator(f"#line li[data-label='{first['label']}'] button.call")).to_be_disabled()  # one at a time
    assert server_ticket(office, third["token"])["status"] == "called"
    page.click("#btn-start")
    page.fill("#solution", "Selesai.")
    page.click("#btn-resolve")
    expect(page.locator(f"#line li[data-label='{first['label']}'] button.call")).to_be_enabled()

    # Whatever the server refuses, the page says its words: here a ticket of a service counter 1 does not serve.
    page.route(
        "**/api/counters/1/call",
        lambda route: route.continue_(post_data=json.dumps({"ticket": other["label"], "request_id": "t-refused"})),
    )
    page.locator(f"#line li[data-label='{second['label']}'] button.call").click()
    expect(page.locator("#notice")).to_have_attribute("data-kind", "error")
    refusal = page.locator("#notice").inner_text()
    r = office.session("budi", PASSWORD).post(f"{office.url}/api/counters/1/call", json={"ticket": other["label"]})
    assert r.status_code == 409 and refusal == r.json()["message"]
    expect(page.locator("#t-label")).to_have_text("—")
    page.context.close()


def test_a_paused_counter_calls_nobody_until_it_resumes(browser, office):
    first = issue(office, "Oki Setiawan")
    page = open_counter(browser, office, "budi", 1)
    expect(page.locator("#btn-call-next")).to_be_enabled()
    page.click("#btn-pause")
    expect(page.locator("#t-paused")).to_be_visible()
    expect(page.locator("#t-paused")).to_have_text("Istirahat")
    expect(page.locator("#btn-pause")).to_contain_text("Lanjut")
    expect(page.locator("#btn-pause")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#btn-call-next")).to_be_disabled()
    expect(page.locator(f"#line li[data-label='{first['label']}'] button.call")).to_be_disabled()
    expect(page.locator("#hint")).to_contain_text("Loket sedang istirahat")
    expect(page.locator("#notice")).to_have_text("Loket 1 istirahat.")
    staff = office.session("kepala", PASSWORD).get(office.url + "/api/staff/state", timeout=5).json()
    assert next(c for c in staff["counters"] if c["id"] == 1)["paused"] is True
    page.keyboard.press("n")  # the shortcut calls nobody either
    assert server_ticket(office, first["token"])["status"] == "waiting"

    sari = log_in(browser, office, "/counter/front", "rina")  # the front office sees it
    expect(sari.locator("#counter-rows tr[data-counter='1']")).to_contain_text("istirahat")
    if os.environ.get("ANTRIAN_SCREENSHOTS"):  # refresh docs/screenshots only when asked
        page.screenshot(path=str(SHOTS / "counter-paused.png"))

    page.keyboard.press("i")  # Lanjut
    expect(page.locator("#t-paused")).to_be_hidden()
    expect(page.locator("#btn-pause")).to_contain_text("Istirahat")
    expect(page.locator("#btn-call-next")).to_be_enabled()
    expect(sari.locator("#counter-rows tr[data-counter='1']")).not_to_contain_text("istirahat")
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(first["label"])
    page.context.close()
    sari.context.close()


def test_a_counter_on_a_break_is_said_in_the_other_counters_list(browser, office):
    """helper-140: Loket 1 on a break read "Loket 1 kosong — budi" (idle) on Loket 2's page, as if it would call
    the next visitor: the list of the other counters never looked at `paused`, which the TV (ISTIRAHAT) and the
    front office show. Now it says Istirahat, from the live event and from a fresh snapshot, in English too, and
    drops it once the counter resumes."""
    first = issue(office, "Putri Ayu")
    budi = office.session("budi", PASSWORD)
    page = open_counter(browser, office, "sari", 2)
    row = page.locator("#counters li").filter(has_text="Loket 1")
    expect(row).to_have_text("Loket 1 kosong")
    budi.post(f"{office.url}/api/counters/1/pause", json={}, timeout=5).raise_for_status()
    expect(row).to_have_text("Loket 1 Istirahat — budi")  # live: the counter_paused event
    expect(row.locator(".tag.paused")).to_be_visible()
    page.reload()  # the staff state's `paused`
    expect(page.locator("#live-status")).to_have_attribute("data-state", "on")
    expect(row).to_have_text("Loket 1 Istirahat — budi")

    budi.post(f"{office.url}/api/counters/1/resume", json={}, timeout=5).raise_for_status()
    expect(row).to_have_text("Loket 1 kosong — budi")
    budi.post(f"{office.url}/api/counters/1/call-next", json={}, timeout=5).raise_for_status()
    # a break with a visitor called
    budi.post(f"{office.url}/api/counters/1/pause", json={}, timeout=5).raise_for_status()
    expect(row).to_have_text(f"Loket 1 {first['label']} · dipanggil Istirahat — budi")
    page.click("#lang-toggle")
    expect(row).to_have_text(f"Loket 1 {first['label']} · called Paused — budi")
    budi.post(f"{office.url}/api/counters/1/resume", json={}, timeout=5).raise_for_status()
    expect(row).to_have_text(f"Loket 1 {first['label']} · called — budi")
    page.context.close()


def test_a_skip_with_nobody_else_waiting_says_the_visitor_is_called_again(browser, office):
    """helper-140: with nobody else waiting for the counter a skipped visitor is its next (server/core.py
    requeue_place): N after the third call called the same ticket again and said "A-001 dilewati; A-001 dipanggil.",
    and S said "dipanggil lagi setelah pengunjung berikutnya" when no next visitor was there. Now both say that
    nobody else is waiting, and what happens."""
    first = issue(office, "Rudi Hartono")
    page = open_counter(browser, office, "budi", 1)
    label = first["label"]

    def three_calls():
        for n in (2, 3):  # each R once the page has the last answer (a key pressed while an action runs is ignored)
            expect(page.locator("#btn-recall")).to_be_enabled()
            page.keyboard.press("r")
            expect(page.locator("#t-calls")).to_contain_text(f"panggilan {n} dari 3")

    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(label)
    three_calls()
    page.keyboard.press("n")  # skips it, and calls it again: nobody else waits
    notice = page.locator("#notice")
    expect(notice).to_have_text(
        f"{label} dilewati, tetapi tidak ada pengunjung lain yang menunggu: {label} dipanggil lagi."
    )
    expect(page.locator("#t-calls")).to_have_text("panggilan 1 dari 3 · sudah dilewati 1×")
    ticket = server_ticket(office, first["token"])
    assert (ticket["status"], ticket["calls"], ticket["counter_id"]) == ("called", 1, 1)
    page.keyboard.press("d")
    page.fill("#solution", "Kata sandi direset.")
    page.keyboard.press("Control+Enter")
    expect(notice).to_have_text(f"{label} selesai.")

    second = issue(office, "Sinta Maharani")
    expect(page.locator(f"#line li[data-label='{second['label']}']")).to_be_visible()  # the page knows it waits
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(second["label"])
    three_calls()
    page.keyboard.press("s")
    expect(notice).to_have_text(
        f"{second['label']} dilewati; tidak ada pengunjung lain yang menunggu, jadi Panggil berikutnya (N) memanggilnya lagi."
    )
    assert server_ticket(office, second["token"])["status"] == "waiting"
    page.click("#lang-toggle")
    expect(notice).to_have_text(f"{second['label']} skipped; nobody else is waiting, so Call next (N) calls it again.")
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(second["label"])
    page.context.close()


# ---- helper-143: the line marks who "Panggil berikutnya" calls next, as the server says it --------------
def test_the_line_marks_the_ticket_call_next_takes_and_n_calls_exactly_that_one(browser, office):
    """At a counter serving A and C the waiting line is grouped by service; which ticket N calls next (the
    server's rules: priority lane, arrival order across the services, a skipped ticket right behind the next
    one, a transfer ahead of the line) is marked "Berikutnya", by the server's word (the staff snapshot's and
    the events' `next`). Each time N is pressed the ticket called is the one marked; the mark moves live when
    another counter calls the marked ticket or sends a visitor over."""
    page = open_counter(browser, office, "budi", 1)  # A and C
    budi = office.session("budi", PASSWORD)
    sari = office.session("sari", PASSWORD)
    mark = page.locator("#line li.next")

    def marked() -> str:
        expect(mark).to_have_count(1)
        expect(mark.locator(".tag.next")).to_have_text("Berikutnya")
        return mark.get_attribute("data-label")

    def expect_marked(label: str) -> None:
        expect(mark).to_have_count(1)
        expect(mark).to_have_attribute("data-label", label)

    def n_calls_the_marked() -> str:
        label = marked()
        expect(page.locator("#btn-call-next")).to_be_enabled()
        page.keyboard.press("n")
        expect(page.locator("#t-label")).to_have_text(label)
        return label

    def finish() -> None:
        budi.post(f"{office.url}/api/counters/1/start", json={}, timeout=5).raise_for_status()
        r = budi.post(f"{office.url}/api/counters/1/resolve", json={"solution": "Dijelaskan."}, timeout=5)
        r.raise_for_status()
        expect(page.locator("#t-label")).to_have_text("—")

    def take(name: str, service: str, priority: bool = False) -> str:
        label = issue(office, name, service, priority)["label"]
        if service in ("A", "C"):  # counter 1's services: listed with their visitors
            expect(page.locator(f"#line li[data-label='{label}']")).to_be_visible()
        return label

    expect(mark).to_have_count(0)  # nobody waits: nothing marked
    # two services: the one who came first, whichever service's list it is in
    ani, citra = take("Ani Lestari", "A"), take("Citra Dewi", "C")
    expect_marked(ani)
    expect(page.locator("#line section[data-service='A'] li.next")).to_have_count(1)
    assert n_calls_the_marked() == ani
    finish()
    # a priority visitor is called before those who came earlier
    expect_marked(citra)
    dedi, eka = take("Dedi Kurnia", "A"), take("Eka Putri", "C", priority=True)
    expect_marked(eka)
    assert n_calls_the_marked() == eka
    finish()
    # three calls without an answer, then S: requeued right behind the next one, ahead of a later visitor
    expect_marked(citra)
    assert n_calls_the_marked() == citra
    fajar = take("Fajar Nugroho", "A")
    for n in (2, 3):  # each R once the page has the last answer (a key pressed while an action runs is ignored)
        expect(page.locator("#btn-recall")).to_be_enabled()
        page.keyboard.press("r")
        expect(page.locator("#t-calls")).to_contain_text(f"panggilan {n} dari 3")
    page.keyboard.press("s")
    expect(page.locator(f"#line li[data-label='{citra}']")).to_contain_text("dilewati")
    expect_marked(dedi)
    assert n_calls_the_marked() == dedi
    finish()
    expect_marked(citra)  # behind Dedi, before Fajar who came after her first turn but before the skip
    assert n_calls_the_marked() == citra
    finish()
    expect_marked(fajar)
    # a visitor another service sends over comes before the whole line: the mark moves live
    gita = take("Gita Permata", "B")
    r = sari.post(f"{office.url}/api/counters/3/call-next", json={}, timeout=5)
    assert r.json()["ticket"]["label"] == gita, r.text
    sari.post(f"{office.url}/api/counters/3/start", json={}, timeout=5).raise_for_status()
    r = sari.post(f"{office.url}/api/counters/3/transfer", json={"service": "A"}, timeout=5)
    r.raise_for_status()
    expect_marked(gita)
    expect(mark).to_contain_text("dialihkan dari B")
    assert n_calls_the_marked() == gita
    finish()
    # another counter calls the marked visitor: the mark moves on at once, and N calls that one
    hadi = take("Hadi Saputra", "C")
    expect_marked(fajar)
    r = sari.post(f"{office.url}/api/counters/2/call-next", json={}, timeout=5)
    assert r.json()["ticket"]["label"] == fajar, r.text
    expect(page.locator(f"#line li[data-label='{fajar}']")).to_have_count(0)
    expect_marked(hadi)
    page.click("#lang-toggle")
    expect(mark.locator(".tag.next")).to_have_text("Next")
    expect(mark.locator(".tag.next")).to_have_attribute("title", f"Call next (N) calls {hadi}")
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(hadi)
    expect(mark).to_have_count(0)
    page.context.close()


def test_calling_a_ticket_another_counter_called_first_says_which_counter(browser, office):
    """helper-140: an officer whose line still showed a visitor (its live events late, here: its connection
    down) pressed Panggil on them after another counter called them, and heard only "tidak sedang menunggu
    (berstatus dipanggil)". The refusal now names the counter that has them."""
    first, second = issue(office, "Intan Permatasari"), issue(office, "Joko Susilo")
    page = open_counter(browser, office, "budi", 1)
    expect(page.locator(f"#line li[data-label='{second['label']}'] button.call")).to_be_enabled()
    page.evaluate("() => antrianCounter.live.socket.disconnect()")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "off")
    sari = office.session("sari", PASSWORD)
    r = sari.post(f"{office.url}/api/counters/2/call", json={"ticket": second["label"]}, timeout=5)
    assert r.status_code == 200, r.text
    page.locator(f"#line li[data-label='{second['label']}'] button.call").click()
    expect(page.locator("#notice")).to_have_text(
        f"Tiket {second['label']} tidak sedang menunggu (berstatus dipanggil) — sudah dipanggil di Loket 2; hanya"
        " tiket yang menunggu dapat dipanggil."
    )
    expect(page.locator("#notice")).to_have_attribute("data-kind", "error")
    page.evaluate("() => antrianCounter.live.socket.connect()")  # the refusal's 409 also asks for the truth
    expect(page.locator(f"#line li[data-label='{second['label']}']")).to_have_count(0)
    expect(page.locator("#line li.next")).to_have_attribute("data-label", first["label"])
    page.context.close()


# ---- finding 10: the office's time, whatever the browser's timezone ------------------------------
def wib(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(WIB).strftime("%H.%M")


def clock_texts() -> set[str]:
    """The clock's text now, or a few seconds ago: the page redraws it every 5 s, from a server time
    read to the second (the Date header)."""
    now = datetime.now(WIB)
    return {(now - timedelta(seconds=s)).strftime("%H.%M WIB") for s in (0, 7)}


def test_staff_pages_show_the_offices_time_in_a_browser_set_to_utc(browser, office):
    ticket = issue(office, "Putri Ayu")
    front = log_in(browser, office, "/counter/front", "rina", timezone_id="UTC")
    assert front.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone") in ("UTC", "Etc/UTC")
    row = front.locator(f"#tickets tr[data-label='{ticket['label']}']")
    staff = office.session("rina", PASSWORD).get(office.url + "/api/staff/state", timeout=5).json()
    created = wib(next(t for t in staff["tickets"] if t["label"] == ticket["label"])["created_at"])
    expect(row.locator("td").nth(5)).to_have_text(created)
    before = clock_texts()
    text = front.locator("#clock").inner_text()
    assert text in before | clock_texts(), text

    counter = log_in(browser, office, "/counter/", "budi", timezone_id="UTC")
    counter.select_option("#counter-select", "1")
    expect(counter.locator(f"#line li[data-label='{ticket['label']}'] .time")).to_have_text(created)
    assert counter.locator("#clock").inner_text() in before | clock_texts()

    admin = log_in(browser, office, "/counter/admin", "kepala", timezone_id="UTC")
    assert admin.locator("#clock").inner_text() in before | clock_texts()
    for page in (front, counter, admin):
        page.context.close()


# ---- finding 11: the front office's labels never wrap ----------------------------------------------
def test_front_office_ticket_labels_stay_on_one_line(browser, office):
    for i in range(3):
        r = requests.post(
            office.url + "/api/tickets",
            timeout=5,
            json={
                "service": "B",
                "name": f"Raden Mas Bagus Prasetyo Adiwijaya Kusumanegara {i}",
                "agency": "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Contoh Bagian Pengadaan",
                "address": "Jl. Sudirman No. 12",
                "phone": "081234567890",
                "problem": "Tidak bisa masuk.",
                "priority": True,
            },
        )
        assert r.status_code == 201, r.text
    page = log_in(browser, office, "/counter/front", "rina")
    expect(page.locator("#tickets tr[data-label]:not([data-group=done])")).to_have_count(3)  # the module's others: done
    lines = page.locator("#tickets td.label").evaluate_all(
        """cells => cells.map(td => {
            const range = document.createRange();
            range.selectNodeContents(td.firstChild);
            return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
        })"""
    )
    assert lines and set(lines) == {1}
    page.context.close()


def test_a_live_event_redraws_only_the_front_office_rows_it_changed(browser, office):
    """A day's list holds hundreds of tickets: an event redraws the row of its ticket (and a new ticket's
    row goes in at the top), the others stay the same elements; a change of language redraws them all."""
    tickets = [issue(office, f"Pengunjung {i}") for i in range(3)]
    labels = [x["label"] for x in tickets]
    page = log_in(browser, office, "/counter/front", "rina")
    rows = page.locator("#tickets tr[data-label]:not([data-group=done])")  # the module's earlier ones: done
    expect(rows).to_have_count(3)
    page.evaluate(
        "() => { window.before = [...document.querySelectorAll('#tickets tr[data-label]:not([data-group=done])')]; }"
    )

    called = office.session("budi", PASSWORD).post(f"{office.url}/api/counters/1/call-next", json={}, timeout=5)
    assert called.status_code == 200, called.text
    label = called.json()["ticket"]["label"]
    assert label == labels[0]  # the oldest
    newest = issue(office, "Pengunjung 3")["label"]
    expect(rows).to_have_count(4)
    expect(page.locator(f"#tickets tr[data-label='{label}'] td.status")).to_have_text("dipanggil (1/3)")

    kept = page.evaluate(
        """() => [...document.querySelectorAll('#tickets tr[data-label]:not([data-group=done])')].map(
            (tr) => [tr.dataset.label, window.before.includes(tr)])"""
    )
    # the called one at its counter first, then the line in calling order, the new ticket at its end (the
    # places behind the call change in their cells, the rows stay)
    assert kept == [[label, False], [labels[1], True], [labels[2], True], [newest, False]]

    # A cancel's first click asks to confirm, and after 4 s of no second click the row is as it was.
    # The page's time stands still once installed (a quarter second on), moved only by the test: on a running clock a
    # loaded machine's 4 s between the click and the check of "Klik lagi" disarmed it first.
    page.clock.install()
    pause_clock(page, 0.25)
    cancel = page.locator(f"#tickets tr[data-label='{labels[1]}'] button[data-act=cancel]")
    cancel.click()
    expect(cancel).to_have_attribute("aria-label", f"Klik lagi untuk membatalkan {labels[1]}")
    page.clock.run_for(4000)
    expect(cancel).to_have_accessible_name("Batalkan")  # the hidden "Klik lagi" only keeps its width
    assert server_ticket(office, tickets[1]["token"])["status"] == "waiting"

    page.click("#lang-toggle")
    expect(page.locator(f"#tickets tr[data-label='{label}'] td.status")).to_have_text("called (1/3)")
    expect(page.locator(f"#tickets tr[data-label='{labels[1]}'] td.status")).to_have_text("waiting")
    assert (
        page.evaluate(
            "() => [...document.querySelectorAll('#tickets tr[data-label]:not([data-group=done])')].some((tr) => window.before.includes(tr))"
        )
        is False
    )
    page.context.close()


# ---- review of the counter page: a stray key while serving, a session that ends mid-serve ---------
def test_letters_typed_while_serving_go_into_the_answer_and_a_transfer_needs_a_chosen_service(browser, office):
    rudi = issue(office, "Rudi Hartono")
    page = open_counter(browser, office, "budi", 1)
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(rudi["label"])
    expect(page.locator("#btn-start")).to_be_enabled()
    page.keyboard.press("d")
    expect(page.locator("#t-status")).to_have_text("dilayani")
    expect(page.locator("#solution")).to_be_focused()  # serving started: the keys go to the answer
    page.keyboard.type("Akun ")
    page.locator("#f-name").click()  # a click beside the form: the cursor is out of the answer
    expect(page.locator("#solution")).not_to_be_focused()
    # once E escalated, A transferred, I paused, S, N, D and P were buttons: now letters of the answer
    page.keyboard.type("diaktifkan; sandi direset")
    expect(page.locator("#solution")).to_have_value("Akun diaktifkan; sandi direset")
    page.check("input[name=priority_class][value=P3]")
    page.keyboard.press("Enter")  # on the class's radio button: no Selesai (that is Ctrl+Enter)
    page.keyboard.press("Escape")
    page.keyboard.press("e")  # the cursor back in the answer, the letter with it
    expect(page.locator("#solution")).to_have_value("Akun diaktifkan; sandi diresete")
    page.keyboard.press("Backspace")
    assert server_ticket(office, rudi["token"])["status"] == "serving"
    staff = office.session("kepala", PASSWORD).get(office.url + "/api/staff/state", timeout=5).json()
    assert next(c for c in staff["counters"] if c["id"] == 1)["paused"] is False

    # Alihkan: no service is chosen beforehand (two others), and no key presses it.
    expect(page.locator("#transfer-service")).to_have_value("")
    expect(page.locator("#btn-transfer")).to_be_disabled()
    page.select_option("#transfer-service", "C")
    page.click("#btn-transfer")
    expect(page.locator("#notice")).to_have_text(f"{rudi['label']} dialihkan ke layanan Registrasi & Verifikasi Akun.")
    # what was typed for the visitor sent away is kept, and comes back with the ticket if it returns here
    expect(page.locator("#kept-note")).to_contain_text(
        f"Tiket {rudi['label']} Anda alihkan ke layanan Registrasi & Verifikasi Akun."
    )
    expect(page.locator("#kept-solution")).to_have_value("Akun diaktifkan; sandi direset")
    moved = server_ticket(office, rudi["token"])
    assert moved["status"] == "waiting" and moved["service"] == "C"
    expect(page.locator("#f-transfer-box")).to_be_hidden()
    expect(page.locator("#btn-call-next")).to_be_enabled()
    page.keyboard.press("n")  # counter 1 serves C too: the same visitor, ahead of C's line
    expect(page.locator("#t-label")).to_have_text(rudi["label"])
    expect(page.locator("#solution")).to_have_value("Akun diaktifkan; sandi direset")
    # what was typed went along as the transfer's note: the officer at C reads where from, and why
    expect(page.locator("#f-transfer-from")).to_have_text(
        "Dialihkan dari Konsultasi Penyedia — catatan petugas sebelumnya"
    )
    expect(page.locator("#f-transfer-note")).to_have_text("Akun diaktifkan; sandi direset")
    staff = office.session("kepala", PASSWORD).get(office.url + "/api/tickets", timeout=5).json()["tickets"]
    assert next(x for x in staff if x["label"] == rudi["label"])["transfer_note"] == "Akun diaktifkan; sandi direset"
    page.context.close()


# ---- an officer's day played through: a kept draft, a correction missed offline, a counter without a printer ---
# The lowest of Selesai, Eskalasi and Alihkan, the room under it, and whether the page scrolls.
ROOM_UNDER = """() => ({
    room: innerHeight - Math.max(...['btn-resolve', 'btn-escalate', 'btn-transfer', 'solution', 'note']
        .map((id) => document.getElementById(id).getBoundingClientRect().bottom)),
    scrolls: document.documentElement.scrollHeight > innerHeight,
})"""


def test_a_draft_kept_after_a_transfer_is_one_line_beside_the_next_visitor_in_the_pages_language(browser, office):
    """After Alihkan, the box with what was typed stayed whole through every later visitor and put Eskalasi and
    Alihkan under a 768 px screen (851 px); its sentence was stored in Indonesian and read half so in English;
    when the visitor came back to the same officer the text showed three times. Now the box is one line while
    another visitor is called or served (Lihat draf opens it), is said in the page's language (a reload too),
    and goes when the ticket comes back with its draft and its note."""
    eka, rudi = issue(office, "Eka Putri"), issue(office, "Rudi Hartono")
    r = requests.post(office.url + "/api/tickets", json={"service": "B", **LONGEST}, timeout=5)
    assert r.status_code == 201, r.text
    longest = r.json()["ticket"]
    page = open_counter(browser, office, "budi", 1)  # A and C
    resize(page, {"width": 1024, "height": 768})
    page.keyboard.press("n")  # a visitor finished first: the form copy's button and Formulir A4 take their row
    expect(page.locator("#t-label")).to_have_text(eka["label"])
    expect(page.locator("#btn-start")).to_be_enabled()
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    page.keyboard.type("Dijelaskan.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#notice")).to_have_text(f"{eka['label']} selesai.")
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(rudi["label"])
    expect(page.locator("#btn-start")).to_be_enabled()
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    draft = "Akun roaming belum aktif; perlu dicek verifikator."
    page.keyboard.type(draft)
    page.select_option("#transfer-service", "C")
    page.click("#btn-transfer")
    box, short = page.locator("#kept-draft"), page.locator("#kept-short")
    said = f"Tiket {rudi['label']} Anda alihkan ke layanan Registrasi & Verifikasi Akun."
    expect(page.locator("#kept-note")).to_have_text(
        f"{said} Draf yang Anda ketik disimpan di bawah sampai Anda menutupnya."
    )
    expect(short).to_be_visible()  # idle: one line too (tests/test_counter_small_things.py)
    page.click("#kept-open")
    expect(page.locator("#kept-solution")).to_be_visible()

    # the next visitor, the longest form, sent on from B by Sari with the longest note: the draft is one line,
    # the serving controls stay on the screen
    sari = office.session("sari", PASSWORD)
    for action in ("call", "start"):
        r = sari.post(f"{office.url}/api/counters/2/{action}", json={"ticket": longest["label"]}, timeout=5)
        assert r.status_code == 200, r.text
    note = ("Sudah dicek di sisi PPK; masalahnya di akun penyedia, mohon verifikasi ulang berkasnya. " * 50)[:4000]
    r = sari.post(f"{office.url}/api/counters/2/transfer", json={"service": "A", "note": note}, timeout=5)
    assert r.status_code == 200, r.text
    page.locator(f"#line li[data-label='{longest['label']}'] button.call").click()
    expect(page.locator("#t-label")).to_have_text(longest["label"])
    expect(box).to_have_class(re.compile(r"\bcollapsed\b"))
    expect(short).to_have_text(f"Draf Anda untuk {rudi['label']} disimpan")
    expect(short).to_have_attribute("title", said)
    expect(page.locator("#kept-solution")).to_be_hidden()
    expect(page.locator("#kept-note")).to_be_hidden()
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    expect(page.locator("#f-transfer-box")).to_be_visible()
    expect(page.locator("#link-form-a4")).to_be_visible()
    page.evaluate("document.fonts.ready")
    for width in (1024, 1366):
        resize(page, {"width": width, "height": 768})
        m = page.evaluate(ROOM_UNDER)
        assert m["room"] >= 24 and not m["scrolls"], (width, m)
        assert box.bounding_box()["height"] < 40, width  # one line
        keep_shot(page, f"kept-{width}x768.png")
    resize(page, {"width": 1024, "height": 768})
    page.click("#kept-open")  # the texts on demand, one line again with the next visitor
    expect(page.locator("#kept-solution")).to_have_value(draft)
    expect(page.locator("#kept-solution")).to_be_visible()
    expect(page.locator("#kept-open")).to_have_attribute("aria-expanded", "true")
    page.click("#kept-open")
    expect(page.locator("#kept-solution")).to_be_hidden()

    page.reload()  # one line still (from the ticket at the counter, not from a click)
    expect(page.locator("#t-label")).to_have_text(longest["label"])
    expect(short).to_have_attribute("title", said)

    page.fill("#solution", "Dokumen diunggah ulang setelah sesi diperbarui.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#notice")).to_have_text(f"{longest['label']} selesai.")
    expect(page.locator("#kept-note")).to_have_text(re.compile("^" + re.escape(said)))  # no ticket: one line still
    # Rudi comes back to this counter (it serves C): his draft is in the answer, his note under his form, and
    # the box goes instead of saying it a third time
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(rudi["label"])
    expect(page.locator("#f-transfer-note")).to_have_text(draft)
    expect(page.locator("#solution")).to_have_value(draft)
    expect(box).to_be_hidden()
    page.reload()
    expect(page.locator("#t-label")).to_have_text(rudi["label"])
    expect(box).to_be_hidden()
    page.context.close()


def test_a_draft_kept_after_a_transfer_is_said_in_english_on_an_english_page_also_after_a_reload(browser, office):
    """The kept draft's sentence was stored once, in Indonesian: in English it read "Tiket A-009 Anda alihkan ke
    layanan … What you typed is kept…", a reload too. The facts are kept (the ticket, the service) and said in
    the page's language."""
    rudi, sinta = issue(office, "Rudi Hartono"), issue(office, "Sinta Dewi")
    page = open_counter(browser, office, "budi", 1)
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(rudi["label"])
    expect(page.locator("#btn-start")).to_be_enabled()
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    page.keyboard.type("Perlu verifikasi ulang.")
    page.select_option("#transfer-service", "B")
    page.click("#btn-transfer")
    note = page.locator("#kept-note")
    expect(note).to_have_text(
        f"Tiket {rudi['label']} Anda alihkan ke layanan Konsultasi Non-Penyedia (PPK/Pokja/PP)."
        " Draf yang Anda ketik disimpan di bawah sampai Anda menutupnya."
    )
    page.click("#lang-toggle")
    english = f"You transferred ticket {rudi['label']} to Konsultasi Non-Penyedia (PPK/Pokja/PP)."
    expect(note).to_have_text(f"{english} What you typed is kept below until you dismiss it.")
    page.reload()
    expect(page.locator("#officer-name")).to_have_text("budi")
    expect(note).to_have_text(f"{english} What you typed is kept below until you dismiss it.")
    expect(page.locator("#counter-select")).to_have_value("1")  # the counter held, taken back after the reload
    expect(page.locator("#live-status")).to_have_attribute("data-state", "on")  # N before the snapshot: nobody
    page.keyboard.press("n")  # the next visitor: the line's words in English too
    expect(page.locator("#t-label")).to_have_text(sinta["label"])
    expect(page.locator("#kept-short")).to_have_text(f"Your draft for {rudi['label']} is kept")
    expect(page.locator("#kept-short")).to_have_attribute("title", english)
    page.click("#lang-toggle")
    expect(page.locator("#kept-short")).to_have_attribute(
        "title", f"Tiket {rudi['label']} Anda alihkan ke layanan Konsultasi Non-Penyedia (PPK/Pokja/PP)."
    )
    page.context.close()


def test_a_correction_made_while_the_counter_page_was_offline_is_said_and_marked_when_it_is_back(browser, office):
    """The front office corrected the served visitor while the counter's laptop was offline: on reconnect the
    new values appeared silently. Now the fresh snapshot is compared with what the page showed: the fields
    that changed are said and marked, by whom when the ticket's history tells, else "while disconnected"."""
    citra = issue(office, "Citra Lestar")
    budi = open_counter(browser, office, "budi", 1)
    budi.keyboard.press("n")
    expect(budi.locator("#t-label")).to_have_text(citra["label"])
    expect(budi.locator("#btn-start")).to_be_enabled()
    budi.keyboard.press("d")
    expect(budi.locator("#solution")).to_be_focused()
    budi.keyboard.type("Bisa dengan surat kuasa")
    label, rina = citra["label"], office.session("rina", PASSWORD)

    def correct_offline(**changes) -> None:
        budi.evaluate("() => antrianCounter.live.socket.disconnect()")  # a laptop asleep, a cable out
        expect(budi.locator("#live-status")).to_have_attribute("data-state", "off")
        form = server_ticket_form(citra["label"])
        r = rina.post(f"{office.url}/api/tickets/{citra['token']}/form", json={**form, **changes}, timeout=5)
        assert r.status_code == 200 and sorted(r.json()["changed"]) == sorted(changes), r.text
        budi.evaluate("() => antrianCounter.live.socket.connect()")  # the event is missed; the snapshot has it
        expect(budi.locator("#live-status")).to_have_attribute("data-state", "on")

    def server_ticket_form(label: str) -> dict:
        staff = rina.get(office.url + "/api/staff/state", timeout=5).json()
        return next(x for x in staff["tickets"] if x["label"] == label)["form"]

    # the ticket's history out of reach: said as changed while disconnected
    budi.route("**/history", lambda route: route.abort())
    correct_offline(name="Citra Lestari", phone="0857-1111-2222")
    expect(budi.locator("#notice")).to_have_text(f"Data {label} diubah selama sambungan terputus: nama, telepon.")
    expect(budi.locator("#notice")).to_have_attribute("data-kind", "warn")
    expect(budi.locator("#f-name")).to_have_text("Citra Lestari")
    assert budi.locator(".form-grid dd.changed").evaluate_all("dds => dds.map((dd) => dd.id)") == ["f-name", "f-phone"]
    expect(budi.locator("#f-name")).to_have_attribute("title", "Diubah selama sambungan terputus")
    budi.unroute("**/history")

    # with the history: who did it
    correct_offline(agency="CV Maju Bersama Sejahtera")
    expect(budi.locator("#notice")).to_have_text(
        f"Data {label} diubah oleh front office (rina): instansi / perusahaan."
    )
    expect(budi.locator("#f-agency")).to_have_class(re.compile(r"\bchanged\b"))
    expect(budi.locator("#f-agency")).to_have_attribute("title", "Baru diubah oleh rina")
    keep_shot(budi, "counter-corrected-offline.png")
    expect(budi.locator("#solution")).to_have_value("Bisa dengan surat kuasa")  # the answer as it was
    budi.click("#lang-toggle")
    expect(budi.locator("#notice")).to_have_text(
        f"{label}'s details were changed by the front office (rina): agency / company."
    )
    budi.click("#lang-toggle")
    budi.evaluate("() => antrianCounter.live.socket.disconnect()")  # a reconnect with nothing changed: silent
    expect(budi.locator("#live-status")).to_have_attribute("data-state", "off")
    budi.evaluate("() => antrianCounter.live.socket.connect()")
    expect(budi.locator("#live-status")).to_have_attribute("data-state", "on")
    expect(budi.locator("#notice")).to_be_empty()
    budi.fill("#solution", "Bisa dengan surat kuasa bermeterai.")
    budi.keyboard.press("Control+Enter")
    expect(budi.locator("#notice")).to_have_text(f"{label} selesai.")
    budi.context.close()


def test_the_form_copy_of_a_counter_without_a_printer_names_the_missing_setting_and_the_a4_form(browser, office):
    """P said only "Tidak ada printer yang diatur untuk ini." on a counter without a printer, and the button
    offered P. Now the button shows no key there and its tooltip, like the answer to P or a click, names the
    counter's printer setting and the A4 form beside it."""
    tono = issue(office, "Tono Wibowo")
    page = open_counter(browser, office, "budi", 1)
    page.keyboard.press("n")
    expect(page.locator("#btn-start")).to_be_enabled()
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()  # else the letters typed are shortcuts
    page.keyboard.type("Dijelaskan.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#notice")).to_have_text(f"{tono['label']} selesai.")
    copy = page.locator("#btn-print-form")
    expect(copy).to_be_enabled()
    expect(copy.locator("kbd:visible")).to_have_count(0)
    expect(copy).to_have_attribute(
        "title", re.compile(r"^Loket 1 belum diberi printer untuk salinan formulir .*Formulir A4")
    )
    said = (
        f"Salinan formulir {tono['label']} tidak dicetak: Loket 1 belum diberi printer (admin mengaturnya di halaman"
        " Admin, bagian Loket, kolom Printer). Cetak lewat Formulir A4 di samping tombol ini."
    )
    page.keyboard.press("p")  # the key still does what the button does
    expect(page.locator("#notice")).to_have_text(said)
    expect(page.locator("#notice")).to_have_attribute("data-kind", "error")
    page.evaluate("() => { document.getElementById('notice').textContent = ''; }")
    copy.click()
    expect(page.locator("#notice")).to_have_text(said)
    expect(page.locator("#link-form-a4")).to_be_visible()
    expect(page.locator("#link-form-a4")).to_have_attribute("href", f"/counter/form/{tono['token']}")
    page.set_viewport_size({"width": 1024, "height": 768})
    keep_shot(page, "counter-no-printer.png")
    page.click("#lang-toggle")
    expect(copy).to_have_attribute("title", re.compile(r"^Loket 1 has no printer for form copies"))
    page.click("#lang-toggle")
    page.context.close()


def test_d_pressed_at_once_after_n_is_not_lost(browser, office):
    """N then D in one go, as an officer who sees the visitor coming: D lands while the call is in flight
    (the page was busy, and the key was dropped: the visitor stayed "dipanggil"); it is done after the call."""
    vina = issue(office, "Vina Panjaitan")
    page = open_counter(browser, office, "budi", 1)
    page.keyboard.press("n")
    page.keyboard.press("d")
    expect(page.locator("#t-label")).to_have_text(vina["label"])
    expect(page.locator("#t-status")).to_have_text("dilayani")
    expect(page.locator("#solution")).to_be_focused()
    assert server_ticket(office, vina["token"])["status"] == "serving"
    page.keyboard.type("Selesai dijelaskan.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#notice")).to_have_text(f"{vina['label']} selesai.")
    page.context.close()


def test_alt_p_prints_the_last_form_copy_while_the_next_visitor_is_served(browser, office):
    """While a visitor is served P is a letter of the answer; Alt+P prints the last visitor's form copy
    then (and in every state), also from inside the answer, which it leaves as it was. The button shows
    the key that works at the moment."""
    tono, umi = issue(office, "Tono Wibowo"), issue(office, "Umi Kalsum")
    page = open_counter(browser, office, "budi", 1)
    copy = page.locator("#btn-print-form")
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(tono["label"])
    expect(page.locator("#btn-start")).to_be_enabled()
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    page.keyboard.type("Dijelaskan.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#notice")).to_have_text(f"{tono['label']} selesai.")
    # this office's counters have no printer: no key advertised (tests/test_counter_page.py: a counter with one)
    expect(copy.locator("kbd:visible")).to_have_count(0)

    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(umi["label"])
    expect(page.locator("#btn-start")).to_be_enabled()  # the call's answer is in (the live event can come first)
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    page.keyboard.type("Akun ")
    page.keyboard.press("Alt+p")  # the cursor in the answer: the copy of Tono's form, nothing typed
    # the server's refusal, said with what is missing, says the key reached it
    expect(page.locator("#notice")).to_contain_text(f"Salinan formulir {tono['label']} tidak dicetak: Loket 1")
    expect(page.locator("#solution")).to_have_value("Akun ")
    expect(page.locator("#solution")).to_be_focused()
    page.locator("#f-name").click()  # outside the answer, P alone is still a letter of it
    page.keyboard.press("p")
    expect(page.locator("#solution")).to_have_value("Akun p")
    assert server_ticket(office, umi["token"])["status"] == "serving"
    page.context.close()


def test_a_session_ended_mid_serve_says_so_at_the_login_and_keeps_the_draft_with_its_kind_and_class(browser, office):
    sinta = issue(office, "Sinta Dewi")
    page = open_counter(browser, office, "sari", 2)
    page.click("#btn-call-next")
    page.click("#btn-start")
    expect(page.locator("#solution")).to_be_focused()
    page.keyboard.type("Dijelaskan menu Lupa Password.")
    page.select_option("#category", "pengaduan")
    page.check("input[name=priority_class][value=P2]")
    page.context.clear_cookies()  # the session is gone (a logout elsewhere, a new password)
    page.click("#btn-resolve")
    expect(page.locator("#login-error")).to_have_text(
        "Sesi Anda sudah berakhir, jadi “Selesai” tidak tersimpan. Masuk lagi untuk melanjutkan."
        " Yang Anda ketik untuk tiket ini masih ada."
    )
    assert server_ticket(office, sinta["token"])["status"] == "serving"
    sign_in(page, office, None, "sari")
    expect(page.locator("#t-label")).to_have_text(sinta["label"])
    expect(page.locator("#solution")).to_have_value("Dijelaskan menu Lupa Password.")
    expect(page.locator("#category")).to_have_value("pengaduan")
    expect(page.locator("input[name=priority_class][value=P2]")).to_be_checked()
    expect(page.locator("#notice")).to_have_text(
        "“Selesai” tadi tidak tersimpan karena sesi sudah berakhir: periksa, lalu ulangi bila perlu."
    )
    page.click("#btn-resolve")
    expect(page.locator("#notice")).to_have_text(f"{sinta['label']} selesai.")
    solved = server_ticket(office, sinta["token"])
    assert solved["status"] == "resolved"
    page.context.close()


# ---- a visitor still served when the office's day ended -------------------------------------------
# ---- the counter page's review C: a transfer's note, notices in the page's language, the last visitor -----------
def test_a_transfer_keeps_the_escalation_analysis_and_says_when_its_note_was_shortened(browser, office):
    """The note sent with a transfer was the answer and the analysis cut to 4,000 characters: with a full answer
    the analysis was lost and nobody was told. The longer part is cut first (the analysis whole), both halves when
    both are long, within the server's limit; the notice says the note was shortened, in either language."""
    rudi, sinta = issue(office, "Rudi Hartono"), issue(office, "Sinta Dewi")
    page = open_counter(browser, office, "budi", 1)  # A and C
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(rudi["label"])
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    answer = ("Sudah dicoba reset kata sandi dan pembaruan sertifikat elektronik, tetap gagal masuk. " * 60)[:4000]
    analysis = "Analisis: akun ganda di SIKaP; perlu penggabungan oleh verifikator di layanan C."
    page.fill("#solution", answer)
    page.fill("#note", analysis)
    page.select_option("#transfer-service", "C")
    page.click("#btn-transfer")
    notice = page.locator("#notice")
    said_id = (
        f"{rudi['label']} dialihkan ke layanan Registrasi & Verifikasi Akun. Catatan untuk petugas di sana "
        "dipendekkan menjadi 4000 karakter: jawaban dipotong (ditandai …), analisis eskalasi utuh."
    )
    expect(notice).to_have_text(said_id)
    expect(notice).to_have_attribute("data-kind", "warn")
    page.click("#lang-toggle")
    expect(notice).to_have_text(
        f"{rudi['label']} transferred to service Registrasi & Verifikasi Akun. The note for the officer there was "
        "shortened to 4000 characters: the solution was cut (marked …), the escalation analysis is whole."
    )
    page.click("#lang-toggle")
    expect(notice).to_have_text(said_id)
    staff = office.session("kepala", PASSWORD)

    def note_of(ticket):
        today = staff.get(office.url + "/api/tickets", timeout=5).json()["tickets"]
        return next(x for x in today if x["label"] == ticket["label"])["transfer_note"]

    note = note_of(rudi)
    assert len(note) == 4000 and note.endswith("\n\n" + analysis), note[-200:]
    cut = note[: -len(analysis) - 2]
    assert cut.endswith("…") and answer.startswith(cut[:-1])

    # both long: each cut to its half, both heads kept (Rudi again, now at C, sent back to A)
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(rudi["label"])
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    long_analysis = ("Analisis lanjutan: data penyedia di SIKaP tidak sinkron dengan SPSE sejak migrasi. " * 60)[:4000]
    page.fill("#solution", answer)
    page.fill("#note", long_analysis)
    page.select_option("#transfer-service", "A")
    page.click("#btn-transfer")
    expect(notice).to_have_text(
        f"{rudi['label']} dialihkan ke layanan Konsultasi Penyedia. Catatan untuk petugas di sana dipendekkan "
        "menjadi 4000 karakter: jawaban dan analisis eskalasi sama-sama dipotong (ditandai …)."
    )
    first, second = note_of(rudi).split("\n\n")
    assert len(first) + 2 + len(second) <= 4000 and min(len(first), len(second)) >= 1990
    assert first.endswith("…") and answer.startswith(first[:-1].rstrip())
    assert second.endswith("…") and long_analysis.startswith(second[:-1].rstrip())
    assert server_ticket(office, sinta["token"])["status"] == "waiting"
    page.context.close()


def test_the_notices_of_a_ticket_or_a_counter_that_left_follow_the_language_switch(browser, office):
    """Said as finished text, "A-002 dieskalasi dan tercatat…", "Tiket … dibatalkan oleh front office (rina).",
    the counter's release and "Tiket … tidak lagi di loket ini" stayed Indonesian on an English page. They are
    kept as facts now, and said again in the page's language at each switch."""
    t = [issue(office, name) for name in ("Ani Wijaya", "Bayu Pratama", "Citra Lestari", "Dedi Kurnia", "Eka Putri")]
    labels = [x["label"] for x in t]
    budi = open_counter(browser, office, "budi", 2)  # A and B
    notice = budi.locator("#notice")
    rina = office.session("rina", PASSWORD)

    def says(id_text, en_text):
        expect(notice).to_have_text(id_text)
        budi.click("#lang-toggle")
        expect(notice).to_have_text(en_text)
        budi.click("#lang-toggle")
        expect(notice).to_have_text(id_text)

    def call_next(label, serve=False):
        budi.keyboard.press("n")
        expect(budi.locator("#t-label")).to_have_text(label)
        if serve:
            budi.keyboard.press("d")
            expect(budi.locator("#solution")).to_be_focused()

    call_next(labels[0], serve=True)
    budi.keyboard.type("Kata sandi direset.")
    budi.keyboard.press("Control+Enter")
    says(f"{labels[0]} selesai.", f"{labels[0]} resolved.")

    call_next(labels[1], serve=True)
    budi.fill("#note", "Jadwal tahapan tidak tampil; perlu dicek Helpdesk LKPP.")
    budi.click("#btn-escalate")
    says(
        f"{labels[1]} dieskalasi dan tercatat. E-mail otomatis tidak aktif: teruskan ke Helpdesk LKPP lewat TTS/e-mail.",
        f"{labels[1]} escalated and recorded. Automatic e-mail is off: forward it to the LKPP helpdesk via TTS/e-mail.",
    )

    call_next(labels[2])  # cancelled by the front office, seen live
    rina.post(f"{office.url}/api/tickets/{t[2]['token']}/cancel", json={}, timeout=5).raise_for_status()
    says(
        f"Tiket {labels[2]} dibatalkan oleh front office (rina).",
        f"Ticket {labels[2]} was cancelled by the front office (rina).",
    )

    call_next(labels[3])  # cancelled while the page was away: the snapshot, then the ticket's history
    budi.evaluate("() => antrianCounter.live.socket.disconnect()")
    expect(budi.locator("#live-status")).to_have_attribute("data-state", "off")
    rina.post(f"{office.url}/api/tickets/{t[3]['token']}/cancel", json={}, timeout=5).raise_for_status()
    budi.click("#lang-toggle")  # English while away: the first words come in English, then the history's
    budi.evaluate("() => antrianCounter.live.socket.connect()")
    expect(notice).to_have_text(f"Ticket {labels[3]} was cancelled by the front office (rina).")
    budi.click("#lang-toggle")
    says(
        f"Tiket {labels[3]} dibatalkan oleh front office (rina).",
        f"Ticket {labels[3]} was cancelled by the front office (rina).",
    )

    call_next(labels[4])  # the counter released by the front office
    rina.post(f"{office.url}/api/counters/2/release", json={}, timeout=5).raise_for_status()
    says(
        f"Loket 2 dilepas oleh rina. Tiket {labels[4]} yang dipanggil kembali menunggu di antrian A di tempatnya:"
        " urutan ke-1. Pilih loket Anda untuk melanjutkan.",
        f"Loket 2 was released by rina. The called ticket {labels[4]} is waiting in line A again at its place:"
        " number 1. Pick your counter to go on.",
    )
    budi.context.close()


def test_the_officer_who_called_a_moment_too_late_is_told_another_counter_took_the_last_visitor(browser, office):
    """Two officers press N for the last visitor at once: the server takes one call at a time and answers the
    second with nobody waiting (204). That officer's page still showed the visitor (the live event not there yet,
    here: its connection down), and said only "Tidak ada pengunjung yang menunggu." Now it says another counter
    was first, and which ticket and where once the page has the fresh picture."""
    last = issue(office, "Gita Permata")
    budi = open_counter(browser, office, "budi", 1)  # A and C
    expect(budi.locator(f"#line li[data-label='{last['label']}']")).to_be_visible()
    budi.evaluate("() => antrianCounter.live.socket.disconnect()")
    expect(budi.locator("#live-status")).to_have_attribute("data-state", "off")
    sari = office.session("sari", PASSWORD)
    r = sari.post(f"{office.url}/api/counters/2/call-next", json={}, timeout=5)  # the other officer, first
    assert r.status_code == 200 and r.json()["ticket"]["label"] == last["label"], r.text
    expect(budi.locator("#btn-call-next")).to_be_enabled()  # budi's page still shows Gita waiting
    budi.keyboard.press("n")
    notice = budi.locator("#notice")
    expect(notice).to_have_text("Tidak ada lagi yang menunggu: loket lain baru saja memanggil pengunjung terakhir.")
    budi.click("#lang-toggle")
    expect(notice).to_have_text("Nobody is waiting any more: another counter just called the last visitor.")
    budi.evaluate("() => antrianCounter.live.socket.connect()")
    expect(notice).to_have_text(f"Nobody is waiting any more: {last['label']} was just called at Loket 2.")
    budi.click("#lang-toggle")
    expect(notice).to_have_text(f"Tidak ada lagi yang menunggu: {last['label']} baru saja dipanggil di Loket 2.")
    expect(budi.locator("#t-label")).to_have_text("—")
    assert server_ticket(office, last["token"])["counter_id"] == 2
    expect(budi.locator("#btn-call-next")).to_be_disabled()  # the fresh picture: nobody waits
    sari.post(f"{office.url}/api/counters/2/start", json={}, timeout=5).raise_for_status()
    r = sari.post(f"{office.url}/api/counters/2/resolve", json={"solution": "Dijelaskan."}, timeout=5)
    assert r.status_code == 200, r.text
    expect(budi.locator("#counters")).to_contain_text("Loket 2 kosong")  # seen live: the words stay as they were
    expect(notice).to_have_text(f"Tidak ada lagi yang menunggu: {last['label']} baru saja dipanggil di Loket 2.")
    budi.context.close()


@pytest.fixture
def next_morning(tmp_path):
    """A server of its own on a clock the test moves a day on (tests/clockserver.py), that clock in the Date
    of its answers too: the counter page's day is the server's, as with a real server."""
    server = ClockedServer(write_config(tmp_path), tick=0.1, dated=True).start()
    server.add_user("budi", "officer")
    yield server
    server.stop()


def test_a_ticket_still_served_when_the_day_ended_shows_its_day_and_is_finished_from_the_page(browser, next_morning):
    """The officer never pressed Selesai: the next morning the counter still holds yesterday's A-001. The
    page says which day it is of, whole, in the timer's place, on the smaller laptop too; Selesai finishes
    it, and today's A-001 (another visitor) is called next."""
    live = next_morning
    ani = issue(live, "Ani Wijaya")
    officer = live.session("budi", PASSWORD)
    for action in ("call-next", "start"):
        officer.post(f"{live.url}/api/counters/1/{action}", json={}, timeout=5).raise_for_status()
    yesterday = requests.get(live.url + "/api/state", timeout=5).json()["day"]
    live.next_day()
    bayu = issue(live, "Bayu Pratama")
    assert bayu["label"] == ani["label"]  # numbering started again: the same label, another day

    page = open_counter(browser, live, viewport={"width": 1024, "height": 768})  # the smaller laptop
    expect(page.locator("#t-label")).to_have_text(ani["label"])
    expect(page.locator("#f-name")).to_have_text("Ani Wijaya")
    expect(page.locator("#t-status")).to_have_text("dilayani")
    y, m, d = yesterday.split("-")
    day = page.locator("#t-calls")
    expect(day).to_have_text(f"tiket hari {d}-{m}-{y}, belum diselesaikan")
    expect(page.locator("#t-timer")).to_be_hidden()  # not the 1440 minutes since
    assert day.evaluate("e => e.scrollWidth <= e.clientWidth && e.getBoundingClientRect().right <= innerWidth")
    today = page.locator(f"#line li[data-label='{bayu['label']}']")
    expect(today).to_contain_text("Bayu Pratama")
    expect(page.locator("#btn-call-next")).to_be_disabled()  # the counter holds yesterday's visitor

    page.fill("#solution", "Kata sandi direset kemarin sore; pengguna sudah bisa masuk.")
    page.click("#btn-resolve")
    expect(page.locator("#notice")).to_have_text(f"{ani['label']} selesai.")
    expect(page.locator("#t-label")).to_have_text("—")
    expect(day).to_have_text("")
    finished = server_ticket(live, ani["token"])
    assert finished["status"] == "resolved" and finished["day"] == yesterday

    page.keyboard.press("n")  # today's A-001
    expect(page.locator("#f-name")).to_have_text("Bayu Pratama")
    expect(day).to_have_text("panggilan 1 dari 3")
    assert server_ticket(live, bayu["token"])["status"] == "called"
    page.context.close()
