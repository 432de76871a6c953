"""An officer whose counter an end of his session freed (tests/test_session_ends.py) is told why, in words, once he
is back: the session that ran out (its release is in his own name, as a logout's, and said nothing), an admin's new
password or disabling of his account, from the command line too (said "dilepas oleh cli"), a `restore`. The front
office, watching, is told too. `counter_released` carries `data.reason` (docs/api.md). A real server process, the
command line's own processes, and real Chromium."""

from __future__ import annotations

import re

import pytest
import requests
from conftest import SocketGate, write_config
from live import ClockedServer, LiveServer, restored_from_backup, server_command
from playwright.sync_api import expect
from staffpages import PASSWORD, empty_queue, issue, sign_in, staffed

VIEWPORT = {"width": 1366, "height": 768}
TIME = r"\d\d[.:]\d\d"
NEW_PASSWORD = "sandi-baru-123"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The module's server, its maintenance loop every 0.1 s, not 1 s: the command line's changes are taken (and
    told) within 0.1 s."""
    server = ClockedServer(write_config(tmp_path_factory.mktemp("live")), tick=0.1).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def office(live):
    return staffed(live)


@pytest.fixture
def clean_queue(office):
    """A test on the module's server starts with an empty queue and free counters."""
    empty_queue(office)


def new_page(browser):
    return browser.new_context(viewport=VIEWPORT, locale="id-ID").new_page()


def open_counter(browser, server, username: str, counter_id: int):
    page = sign_in(new_page(browser), server, "/counter/", username)
    page.select_option("#counter-select", str(counter_id))
    return page


def log_in_again(page, username: str, password: str = PASSWORD) -> None:
    """The officer signs in again on the login his page went to (the form, as he does)."""
    expect(page.locator("#login-form")).to_be_visible()
    page.fill("#login-form [name=username]", username)
    page.fill("#login-form [name=password]", password)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "on")


def waiting_again(server, ticket: dict) -> None:
    now = requests.get(f"{server.url}/api/tickets/{ticket['token']}", timeout=5).json()["ticket"]
    assert (now["status"], now["counter_id"]) == ("waiting", None)


def test_an_officer_whose_session_ran_out_is_told_which_ticket_went_back_and_why(tmp_path, browser):
    """A session lasts a working day (auth.SESSION_HOURS, here 72 seconds of the server's clock, which the test moves
    past its end: --sessions-on-clock). budi's ran out while he was calling a
    visitor at Loket 2: the server freed his counter in his own name, as his logout would, and his page, signed in
    again, said nothing of the visitor he was calling (his own release is old news), nor why; the front office
    read it as his logout ("budi keluar dari Loket 2")."""
    # the maintenance loop (its check of the sessions) every 0.1 s: budi's counter is freed within 0.1 s of his end
    server = ClockedServer(
        write_config(tmp_path), tick=0.1, numbers={"auth.SESSION_HOURS": 0.02}, sessions_on_clock=True
    ).start()
    try:
        staffed(server)
        ticket = issue(server, "Rahmat Hidayat", "B")
        budi = open_counter(browser, server, "budi", 2)
        budi.click("#btn-call-next")
        expect(budi.locator("#t-label")).to_have_text(ticket["label"])
        # rina signs in at the front office 30 seconds after him: hers outlives his by that much, and her page hears
        # of his counter
        server.advance(30)
        rina = sign_in(new_page(browser), server, "/counter/front", "rina")
        expect(rina.locator("#counter-rows tr[data-counter='2']")).to_contain_text("budi")

        ended = (
            "Sesi Anda berakhir: sesi berlaku sampai tengah malam, paling lama 10 jam setelah masuk. Masuk lagi untuk"
            " melanjutkan."
        )
        server.advance(72 - 30 + 1)  # past his session's end; hers is 29 s on, less the seconds her sign-in took
        expect(budi.locator("#login-error")).to_have_text(ended, timeout=30_000)
        expect(rina.locator("#counter-notice")).to_have_text(
            re.compile(
                rf"^Loket 2 dilepas dari budi pukul {TIME}: sesi budi berakhir \(tengah malam, atau 10 jam setelah"
                rf" masuk\)\. Tiket {ticket['label']} yang dipanggil kembali menunggu\.$"
            )
        )
        waiting_again(server, ticket)

        log_in_again(budi, "budi")
        notice = budi.locator("#notice")
        expect(notice).to_have_text(
            re.compile(
                rf"^Sesi Anda berakhir pukul {TIME} \(sesi berlaku sampai tengah malam, paling lama 10 jam setelah"
                rf" masuk\), jadi Loket 2 dilepas\. Tiket {ticket['label']} yang dipanggil kembali menunggu di"
                r" antrian\. Pilih loket Anda untuk melanjutkan\.$"
            )
        )
        expect(notice).to_have_attribute("data-kind", "warn")
        expect(budi.locator("#counter-select")).to_have_value("")
        budi.click("#lang-toggle")
        expect(notice).to_have_text(
            re.compile(
                rf"^Your session ended at {TIME} \(a session lasts until midnight, at most 10 hours after the"
                rf" login\), so Loket 2 was released\. The called ticket {ticket['label']} is waiting in the line"
                r" again\. Pick your counter to go on\.$"
            )
        )
        budi.click("#lang-toggle")
        budi.reload()  # said once: not again on the next load
        expect(budi.locator("#live-status")).to_have_attribute("data-state", "on")
        expect(budi.locator("#line section[data-service='B'] .count")).to_have_text("1")
        expect(notice).to_have_text("")
    finally:
        server.stop()


# how each end is made, what the front office says of it, and what the officer's page says once he is back
ENDS = {
    "passwd": ("admin (baris perintah) mengganti kata sandi {name}", "an admin (command line) set a new password for {name}",
               "admin (baris perintah) mengganti kata sandi akun Anda", "an admin (command line) set a new password for your account"),
    "disable": ("admin (baris perintah) menonaktifkan akun {name}", "an admin (command line) disabled the account of {name}",
                "admin (baris perintah) menonaktifkan akun Anda", "an admin (command line) disabled your account"),
    "admin": ("admin (kepala) mengganti kata sandi {name}", "the admin kepala set a new password for {name}",
              "admin (kepala) mengganti kata sandi akun Anda", "the admin kepala set a new password for your account"),
}  # fmt: skip


@pytest.mark.parametrize("end", list(ENDS))
def test_the_command_line_or_an_admin_ending_the_session_is_said_in_words(browser, office, clean_queue, end):
    """`users passwd` or `users disable` from the command line (then `users enable`), or the admin page's new
    password, while the officer is calling a visitor at Loket 2: the front office is told at once why the counter
    was freed (it said nothing), and the officer, signed in again, is told in words, not "dilepas oleh cli"."""
    name = f"akhir{end}"
    office.add_user(name, "officer")
    ticket = issue(office, "Dewi Lestari", "B")
    officer = open_counter(browser, office, name, 2)
    officer.click("#btn-call-next")
    expect(officer.locator("#t-label")).to_have_text(ticket["label"])
    rina = sign_in(new_page(browser), office, "/counter/front", "rina")
    expect(rina.locator("#counter-rows tr[data-counter='2']")).to_contain_text(name)

    password = PASSWORD
    if end == "admin":
        admin = office.session("kepala", PASSWORD)
        r = admin.post(f"{office.url}/api/admin/users/{name}/password", json={"password": NEW_PASSWORD}, timeout=5)
        assert r.status_code == 200, r.text
        password = NEW_PASSWORD
    else:
        r = server_command(["users", end, name, "--config", str(office.config)], input=NEW_PASSWORD + "\n")
        assert r.returncode == 0, r.stderr
        password = NEW_PASSWORD if end == "passwd" else PASSWORD
    front_id, front_en, page_id, page_en = (re.escape(words.format(name=name)) for words in ENDS[end])
    label = ticket["label"]
    front = rina.locator("#counter-notice")
    expect(front).to_have_text(
        re.compile(
            rf"^Loket 2 dilepas dari {name} pukul {TIME}: {front_id}\. Tiket {label} yang dipanggil kembali menunggu\.$"
        )
    )
    rina.click("#lang-toggle")
    expect(front).to_have_text(
        re.compile(
            rf"^Loket 2 was released from {name} at {TIME}: {front_en}\. The called ticket {label} waits again\.$"
        )
    )
    waiting_again(office, ticket)

    expect(officer.locator("#login-form")).to_be_visible()
    if end == "disable":
        r = server_command(["users", "enable", name, "--config", str(office.config)])
        assert r.returncode == 0, r.stderr
    log_in_again(officer, name, password)
    notice = officer.locator("#notice")
    expect(notice).to_have_text(
        re.compile(
            rf"^Loket 2 dilepas pukul {TIME}: {page_id}, jadi sesi Anda berakhir\. Tiket {label} yang dipanggil kembali"
            r" menunggu di antrian\. Pilih loket Anda untuk melanjutkan\.$"
        )
    )
    officer.click("#lang-toggle")
    expect(notice).to_have_text(
        re.compile(
            rf"^Loket 2 was released at {TIME}: {page_en}, so your session ended\. The called ticket {label} is"
            r" waiting in the line again\. Pick your counter to go on\.$"
        )
    )
    officer.context.close()
    rina.context.close()


def test_an_officer_back_after_a_restore_is_told_his_counter_was_freed_by_it(tmp_path, browser):
    """The backup was made while budi called a visitor at Loket 2; restored, every session ended and his counter
    was freed (`by` "cli"): his page, signed in again, said "dilepas oleh cli"."""
    cfg = write_config(tmp_path)
    server = LiveServer(cfg).start()

    def called():
        staffed(server)
        ticket = issue(server, "Gita Permata", "B")
        budi = server.session("budi", PASSWORD)
        r = budi.post(server.url + "/api/counters/2/call-next", json={}, timeout=5)
        assert r.json()["ticket"]["label"] == ticket["label"], r.text
        return ticket

    ticket = restored_from_backup(server, cfg, tmp_path / "b.db", called)
    try:
        page = sign_in(new_page(browser), server, "/counter/", "budi")
        expect(page.locator("#notice")).to_have_text(
            re.compile(
                rf"^Loket 2 dilepas pukul {TIME}: data server dipulihkan dari cadangan \(restore\) oleh admin lewat"
                rf" baris perintah, jadi sesi Anda berakhir\. Tiket {ticket['label']} yang dipanggil kembali menunggu"
                r" di antrian\. Pilih loket Anda untuk melanjutkan\.$"
            )
        )
        page.click("#lang-toggle")
        expect(page.locator("#notice")).to_have_text(
            re.compile(
                rf"^Loket 2 was released at {TIME}: an admin restored the server's data from a backup on the command"
                rf" line, so your session ended\. The called ticket {ticket['label']} is waiting in the line again\."
                r" Pick your counter to go on\.$"
            )
        )
        page.context.close()
    finally:
        server.stop()


def test_the_notice_of_a_freed_counter_outlasts_a_blip_of_the_network(browser, office, clean_queue):
    """The officer, back after an admin's new password, reads why Loket 2 was freed and that the visitor he was
    calling is waiting again: the Wi-Fi drops for a moment and the notice went with the connection, for good (it is
    said once: the snapshot after the reconnect does not say it again). It stays until he picks his counter."""
    name = "akhirblip"
    office.add_user(name, "officer")
    ticket = issue(office, "Wulan Sari", "B")
    page = new_page(browser)
    gate = SocketGate(page)  # the page's WebSocket: dropped below as a blip of the network drops it
    sign_in(page, office, "/counter/", name)
    page.select_option("#counter-select", "2")
    page.click("#btn-call-next")
    expect(page.locator("#t-label")).to_have_text(ticket["label"])
    admin = office.session("kepala", PASSWORD)
    r = admin.post(f"{office.url}/api/admin/users/{name}/password", json={"password": NEW_PASSWORD}, timeout=5)
    assert r.status_code == 200, r.text
    log_in_again(page, name, NEW_PASSWORD)
    # the new sign-in's connection moved over to its WebSocket (it starts polling): a WebSocket closed while it is
    # still being tried is given up, and the connection stays up on polling, no blip at all
    page.wait_for_function("() => antrianCounter.live.socket.io.engine.transport.name === 'websocket'", polling=50)
    notice = page.locator("#notice")
    said = re.compile(
        rf"^Loket 2 dilepas pukul {TIME}: admin \(kepala\) mengganti kata sandi akun Anda, .* Pilih loket"
    )
    expect(notice).to_have_text(said)

    gate.drop()
    live = page.locator("#live-status")
    expect(live).to_have_attribute("data-state", "off")
    expect(live).to_have_attribute("data-state", "on")  # socket.io connects again by itself
    expect(page.locator("#offline-bar")).to_be_hidden()
    expect(notice).to_have_text(said)
    expect(notice).to_have_attribute("data-kind", "warn")
    page.select_option("#counter-select", "2")
    expect(notice).to_have_text("")
    page.context.close()
