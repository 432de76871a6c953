"""Keluar with a visitor at the counter (review 86): the counter page asks first, a called ticket goes back to
the line at its place at logout (a served one stays at the counter), and the front office can send back a
ticket called at a counter nobody holds. A real server process and real Chromium."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect
from staffpages import PASSWORD, empty_queue, issue, open_counter, sign_in, staffed

VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def office(live):
    return staffed(live)


@pytest.fixture(autouse=True)
def clean_queue(office):
    """Every test starts with an empty queue and free counters (one server for the module)."""
    empty_queue(office)
    yield


def server_ticket(live, token: str) -> dict:
    return requests.get(f"{live.url}/api/tickets/{token}", timeout=5).json()["ticket"]


def logged_in(page, live) -> bool:
    return page.context.request.get(live.url + "/api/me").status == 200


def test_keluar_while_calling_asks_first_and_the_ticket_goes_back_to_the_line(browser, office):
    first = issue(office, "Rahmat Hidayat", "B")
    second = issue(office, "Dewi Lestari", "B")
    budi = open_counter(browser, office, "budi", 2)
    budi.click("#btn-call-next")
    expect(budi.locator("#t-label")).to_have_text(first["label"])
    rina = sign_in(browser.new_context(viewport=VIEWPORT, locale="id-ID").new_page(), office, "/counter/front", "rina")
    expect(rina.locator("#counter-rows tr[data-counter='2']")).to_contain_text("budi")

    dialog = budi.locator("#leave-dialog")
    budi.click("#logout")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#leave-text")).to_have_text(
        f"{first['label']} sedang dipanggil di Loket 2. Jika keluar, tiket kembali ke antrian di tempatnya."
    )
    expect(dialog.locator("button")).to_have_text(["Keluar", "Batal"])
    budi.keyboard.press("n")  # the page's shortcuts are off under the dialog: nobody else is called
    budi.keyboard.press("Escape")  # Esc keeps the session
    expect(dialog).to_be_hidden()
    assert logged_in(budi, office)
    assert server_ticket(office, second["token"])["status"] == "waiting"
    budi.click("#logout")
    expect(dialog).to_be_visible()
    budi.click("#leave-cancel")  # so does Batal, by mouse
    expect(dialog).to_be_hidden()
    expect(budi.locator("#t-label")).to_have_text(first["label"])
    assert logged_in(budi, office)

    budi.click("#logout")
    budi.click("#leave-confirm")
    expect(budi.locator("#login-form")).to_be_visible()
    assert not logged_in(budi, office)
    ticket = server_ticket(office, first["token"])
    assert (ticket["status"], ticket["counter_id"]) == ("waiting", None)
    # the front office sees it happen; another counter of the service calls that visitor first, at its place
    expect(rina.locator("#counter-notice")).to_have_text(
        f"budi keluar dari Loket 2: tiket {first['label']} yang dipanggil kembali menunggu di tempatnya."
    )
    row = rina.locator("#counter-rows tr[data-counter='2']")
    expect(row).to_contain_text("kosong")
    expect(row).to_contain_text("tidak ada tiket")
    expect(rina.locator(f"#tickets tr[data-label='{first['label']}'] .status")).to_have_text("menunggu")
    sari = office.session("sari", PASSWORD)
    r = sari.post(f"{office.url}/api/counters/3/call-next", json={}, timeout=5)
    assert r.json()["ticket"]["label"] == first["label"]
    budi.context.close()
    rina.context.close()


def test_keluar_while_serving_says_the_ticket_stays_at_the_counter_in_english_too(browser, office):
    lina = issue(office, "Lina Marlina", "B")
    budi = open_counter(browser, office, "budi", 2)
    budi.click("#btn-call-next")
    budi.click("#btn-start")
    expect(budi.locator("#t-status")).to_have_text("dilayani")
    budi.click("#logout")
    dialog = budi.locator("#leave-dialog")
    expect(dialog.locator("#leave-text")).to_have_text(
        f"{lina['label']} sedang dilayani di Loket 2. Jika keluar, tiket tetap di Loket 2 untuk petugas berikutnya di "
        "sana. Sebaiknya selesaikan dulu (Selesai atau Eskalasi)."
    )
    budi.click("#leave-cancel")
    expect(dialog).to_be_hidden()
    budi.click("#lang-toggle")
    expect(budi.locator("#logout")).to_have_text("Log out")
    budi.click("#logout")
    expect(dialog.locator("#leave-title")).to_have_text("Log out now?")
    expect(dialog.locator("#leave-text")).to_have_text(
        f"{lina['label']} is being served at Loket 2. If you log out, the ticket stays at Loket 2 for the next "
        "officer there. Better finish it first (Resolve or Escalate)."
    )
    expect(dialog.locator("button")).to_have_text(["Log out", "Cancel"])
    budi.click("#leave-cancel")
    assert logged_in(budi, office)
    budi.click("#logout")
    budi.click("#leave-confirm")
    expect(budi.locator("#login-form")).to_be_visible()
    ticket = server_ticket(office, lina["token"])
    assert (ticket["status"], ticket["counter_id"]) == ("serving", 2)  # the next officer there finishes it
    budi.context.close()


def test_keluar_right_after_typing_takes_the_last_words_to_the_next_pc(browser, office):
    """Keluar and its Keluar pressed within the draft's two-second pause: the last words were saved only as the page
    went, after the logout, refused; the officer's next PC restored the answer without them, and this PC, logged in
    again, showed its own older save as another text in the kept-draft box."""
    lina = issue(office, "Lina Marlina", "B")
    budi = open_counter(browser, office, "budi", 2)
    budi.click("#btn-call-next")
    budi.click("#btn-start")
    expect(budi.locator("#solution")).to_be_focused()
    budi.keyboard.type("Reset kata sandi lewat admin agency. ")
    expect(budi.locator("#draft-state")).to_contain_text("Tersimpan di server")
    budi.keyboard.type("Lalu verifikasi ulang akun penyedia.")
    budi.click("#logout")
    budi.click("#leave-confirm")  # at once: the pause's save not gone yet
    expect(budi.locator("#login-form")).to_be_visible()
    whole = "Reset kata sandi lewat admin agency. Lalu verifikasi ulang akun penyedia."
    answer = office.session("budi", PASSWORD).get(f"{office.url}/api/counters/2/draft", timeout=5).json()
    assert (answer["draft"] or {}).get("solution") == whole, answer
    budi.fill("#login-form [name=username]", "budi")  # the same PC again: nothing else to show
    budi.fill("#login-form [name=password]", PASSWORD)
    budi.click("#login-form button[type=submit]")
    expect(budi.locator("#t-label")).to_have_text(lina["label"])
    expect(budi.locator("#solution")).to_have_value(whole)
    expect(budi.locator("#draft-state")).to_contain_text("Tersimpan di server")
    expect(budi.locator("#kept-draft")).to_be_hidden()
    budi.context.close()


def test_keluar_with_no_ticket_logs_out_at_once(browser, office):
    budi = open_counter(browser, office, "budi", 2)
    budi.click("#logout")
    expect(budi.locator("#login-form")).to_be_visible()
    expect(budi.locator("#leave-dialog")).to_be_hidden()
    budi.context.close()


def test_the_front_office_sends_back_a_ticket_called_at_a_counter_nobody_holds(browser, office):
    dedi = issue(office, "Dedi Kurniawan", "B")
    admin = office.session("kepala", PASSWORD)  # an admin calls at any counter without holding it
    r = admin.post(f"{office.url}/api/counters/2/call-next", json={}, timeout=5)
    assert r.json()["ticket"]["label"] == dedi["label"]
    rina = sign_in(browser.new_context(viewport=VIEWPORT, locale="id-ID").new_page(), office, "/counter/front", "rina")
    row = rina.locator("#counter-rows tr[data-counter='2']")
    expect(row).to_contain_text("kosong")
    expect(row).to_contain_text(f"{dedi['label']} · dipanggil")
    button = row.locator("button[data-act=release]")
    expect(button).to_have_text("Lepas")
    expect(button).to_have_attribute(
        "title", f"Loket 2 tanpa petugas: kembalikan {dedi['label']} yang dipanggil ke antrian di tempatnya"
    )
    expect(rina.locator("#counter-rows tr[data-counter='1'] button[data-act=release]")).to_have_count(0)
    button.click()
    expect(button).to_have_text("Yakin lepas?")
    button.click()
    expect(rina.locator("#counter-notice")).to_have_text(
        f"{dedi['label']} kembali menunggu di antrian di tempatnya (Loket 2 tanpa petugas)."
    )
    expect(row).to_contain_text("tidak ada tiket")
    expect(button).to_have_count(0)
    expect(rina.locator(f"#tickets tr[data-label='{dedi['label']}'] .status")).to_have_text("menunggu")
    ticket = server_ticket(office, dedi["token"])
    assert (ticket["status"], ticket["calls"], ticket["counter_id"]) == ("waiting", 0, None)
    public = requests.get(office.url + "/api/state", timeout=5).json()
    assert next(c for c in public["counters"] if c["id"] == 2)["ticket"] is None  # the TV no longer calls it

    # called again while the page is open: its event does not make the admin the counter's holder
    r = admin.post(f"{office.url}/api/counters/2/call", json={"ticket": dedi["label"]}, timeout=5)
    assert r.status_code == 200, r.text
    expect(row).to_contain_text(f"{dedi['label']} · dipanggil")
    expect(row).to_contain_text("kosong")
    expect(button).to_have_attribute(
        "title", f"Loket 2 tanpa petugas: kembalikan {dedi['label']} yang dipanggil ke antrian di tempatnya"
    )
    rina.context.close()


def test_an_officers_page_on_a_counter_nobody_holds_is_told_the_ticket_went_back_not_that_it_lost_it(browser, office):
    """The front office sends back a ticket an admin called at Loket 2 while budi's counter page is open there,
    not holding it: budi's page says what happened and stays on Loket 2 ("Loket 2 dilepas oleh rina … Pilih
    loket Anda" told him he lost a counter he never had, and sent him back to the counter choice)."""
    eka = issue(office, "Eka Putri", "B")
    budi = open_counter(browser, office, "budi", 2)
    admin = office.session("kepala", PASSWORD)
    r = admin.post(f"{office.url}/api/counters/2/call-next", json={}, timeout=5)
    assert r.json()["ticket"]["label"] == eka["label"]
    expect(budi.locator("#t-label")).to_have_text(eka["label"])  # called at this counter: shown here
    rina = office.session("rina", PASSWORD)
    rina.post(f"{office.url}/api/counters/2/release", json={}, timeout=5).raise_for_status()
    expect(budi.locator("#notice")).to_have_text(
        f"Tiket {eka['label']} yang dipanggil di Loket 2 dikembalikan ke antrian di tempatnya oleh front office (rina)."
    )
    expect(budi.locator("#counter-select")).to_have_value("2")  # still at Loket 2: nothing was taken from him
    expect(budi.locator("#t-label")).to_have_text("—")
    assert server_ticket(office, eka["token"])["status"] == "waiting"
    budi.click("#lang-toggle")
    expect(budi.locator("#notice")).to_have_text(
        f"Ticket {eka['label']}, called at Loket 2, was sent back to the line at its place by the front office (rina)."
    )
    budi.click("#btn-call-next")  # the page works on: its officer calls that visitor, at their place
    expect(budi.locator("#t-label")).to_have_text(eka["label"])
    assert server_ticket(office, eka["token"])["counter_id"] == 2

    admin.post(f"{office.url}/api/counters/2/release", json={}, timeout=5).raise_for_status()  # budi's own now
    expect(budi.locator("#notice")).to_have_text(  # and where the visitor he called waits now
        f"Loket 2 was released by kepala. The called ticket {eka['label']} is waiting in line B again at its place:"
        " number 1. Pick your counter to go on."
    )
    expect(budi.locator("#counter-select")).to_have_value("")
    budi.context.close()


def test_a_page_on_a_counter_another_officer_holds_is_told_when_the_front_office_sends_their_ticket_back(
    browser, office
):
    """sari holds Loket 2 and calls a visitor; budi's page is open there (told it is taken). The front office
    frees Loket 2: budi's page says the ticket went back, in words, and stays at Loket 2, now free."""
    fajar = issue(office, "Fajar Nugroho", "B")
    sari = office.session("sari", PASSWORD)
    assert (
        sari.post(f"{office.url}/api/counters/2/call-next", json={}, timeout=5).json()["ticket"]["label"]
        == fajar["label"]
    )
    budi = open_counter(browser, office, "budi", 2)
    expect(budi.locator("#t-label")).to_have_text("—")  # sari's visitor is not shown as budi's
    office.session("rina", PASSWORD).post(f"{office.url}/api/counters/2/release", json={}, timeout=5).raise_for_status()
    expect(budi.locator("#notice")).to_have_text(
        f"Tiket {fajar['label']} yang dipanggil di Loket 2 dikembalikan ke antrian di tempatnya oleh front office (rina)."
    )
    expect(budi.locator("#counter-select")).to_have_value("2")
    budi.click("#btn-call-next")  # free now: budi takes it and calls that visitor
    expect(budi.locator("#t-label")).to_have_text(fajar["label"])
    budi.context.close()


def test_an_officer_who_goes_on_at_another_pc_is_told_once_that_the_front_office_freed_his_counter(browser, office):
    """Review s34/s4b: budi's PC crashed with a visitor called at Loket 2 (no logout), the front office freed Loket
    2, and budi signed in on another PC's fresh browser, which said only "Pilih loket Anda.": the release was
    told only to a page that had the counter before (its own earlier snapshot, or its browser's storage)."""
    gita = issue(office, "Gita Permata", "B")
    pc_a = open_counter(browser, office, "budi", 2)
    pc_a.click("#btn-call-next")
    expect(pc_a.locator("#t-label")).to_have_text(gita["label"])
    pc_a.context.close()  # the PC crashed: no logout, Loket 2 stays budi's
    office.session("rina", PASSWORD).post(f"{office.url}/api/counters/2/release", json={}, timeout=5).raise_for_status()
    assert server_ticket(office, gita["token"])["status"] == "waiting"

    def fresh_pc(username):
        return sign_in(browser.new_context(viewport=VIEWPORT, locale="id-ID").new_page(), office, "/counter/", username)

    def drawn(page, waiting):  # the page has its first snapshot: the line of B counted from it
        expect(page.locator("#line section[data-service='B'] .count")).to_have_text(str(waiting))

    pc_b = fresh_pc("budi")
    expect(pc_b.locator("#notice")).to_have_text(
        re.compile(
            rf"^Loket 2 dilepas oleh rina pukul \d\d[.:]\d\d\. Tiket {gita['label']} yang dipanggil kembali menunggu"
            r" di antrian\. Pilih loket Anda untuk melanjutkan\.$"
        )
    )
    expect(pc_b.locator("#notice")).to_have_attribute("data-kind", "warn")
    expect(pc_b.locator("#counter-select")).to_have_value("")
    pc_b.click("#lang-toggle")
    expect(pc_b.locator("#notice")).to_have_text(
        re.compile(
            rf"^Loket 2 was released by rina at \d\d[.:]\d\d\. The called ticket {gita['label']} is waiting in the"
            r" line again\. Pick your counter to go on\.$"
        )
    )
    pc_b.click("#lang-toggle")

    pc_b.reload()  # said once: not again on the next load of that browser
    drawn(pc_b, 1)
    expect(pc_b.locator("#notice")).to_have_text("")

    pc_c = fresh_pc("sari")  # another officer is not told of budi's release (of her own, from an earlier test, yes)
    drawn(pc_c, 1)
    expect(pc_c.locator("#notice")).not_to_contain_text("Loket 2")
    expect(pc_c.locator("#notice")).not_to_contain_text(gita["label"])
    pc_c.context.close()

    # budi goes on at Loket 3 and logs out: his own release is his latest, and a third PC says nothing of Loket 2
    pc_b.select_option("#counter-select", "3")
    pc_b.click("#btn-call-next")
    expect(pc_b.locator("#t-label")).to_have_text(gita["label"])
    pc_b.click("#logout")
    pc_b.click("#leave-confirm")
    expect(pc_b.locator("#login-form")).to_be_visible()
    pc_d = fresh_pc("budi")
    drawn(pc_d, 1)
    expect(pc_d.locator("#notice")).to_have_text("")
    pc_b.context.close()
    pc_d.context.close()
