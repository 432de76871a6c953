"""The front office is told of every counter freed, not only of the last: counters come free in bursts (`users
disable` of an officer holding two counters, the automatic release of two counters left idle, the sessions that
end at the office's midnight), and the one line under the counters said the last of them only. Each is a line of
its own, the newest first, each closed by its ✕, at most three shown and "+N lagi" for the others, at most twelve
kept; in Indonesian, in English after the switch. A real server process (on tests/clockserver.py's clock), the
command line's own process, and real Chromium."""

from __future__ import annotations

import re

import pytest
import requests
from conftest import write_config
from live import ClockedServer, server_command
from playwright.sync_api import expect
from staffpages import PASSWORD, empty_queue, issue, sign_in, staffed

TIME = r"\d\d[.:]\d\d"
MINUTES = 10  # config.toml's [queue] counter_release_minutes


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    server = ClockedServer(write_config(tmp_path_factory.mktemp("notices")), tick=0.1).start()
    staffed(server)
    yield server
    server.stop()


@pytest.fixture
def clean_queue(office):
    empty_queue(office)


def front(browser, office, size=(1366, 768)):
    page = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="id-ID").new_page()
    return sign_in(page, office, "/counter/front", "rina")


def hold(office, name: str, counters) -> None:
    """`name` takes each of `counters` from his own session (a break there: the first action takes a counter)."""
    officer = office.session(name, PASSWORD)
    for counter in counters:
        r = officer.post(f"{office.url}/api/counters/{counter}/pause", json={}, timeout=5)
        assert r.status_code == 200, r.text


def newest_first(office, counters) -> list[int]:
    """`counters` in the order of their last releases, the newest first (the staff state's `released`)."""
    rina = office.session("rina", PASSWORD)
    state = {c["id"]: c for c in rina.get(office.url + "/api/staff/state", timeout=5).json()["counters"]}
    return sorted(counters, key=lambda c: -state[c]["released"]["seq"])


def test_an_officer_disabled_while_holding_two_counters_is_said_of_both(browser, office, clean_queue):
    """`users disable` of an officer holding Loket 1 and Loket 2: the front office was told of Loket 2 alone (the
    line said the last release; Loket 1's, a moment before, was gone). Both are said, the newest on top, in
    both languages, and again after a login when the page's session ended; ✕ closes one and leaves the other."""
    ticket = issue(office, "Fajar Nugroho")
    office.add_user("ganda", "officer")
    hold(office, "ganda", (1, 2))
    rina = front(browser, office)
    for counter in (1, 2):
        expect(rina.locator(f"#counter-rows tr[data-counter='{counter}']")).to_contain_text("ganda")
    r = server_command(["users", "disable", "ganda", "--config", str(office.config)])
    assert r.returncode == 0, r.stderr

    box = rina.locator("#counter-notice")
    for counter in (1, 2):  # both said (the one line said Loket 2's alone)
        expect(box).to_contain_text(f"Loket {counter} dilepas dari ganda pukul")
    lines = box.locator(".notice")
    expect(lines).to_have_count(2)
    order = newest_first(office, (1, 2))
    said = [
        rf"^Loket {c} dilepas dari ganda pukul {TIME}: admin \(baris perintah\) menonaktifkan akun ganda\.$"
        for c in order
    ]
    for line, words in zip(lines.all(), said, strict=True):
        expect(line.locator(".notice-text")).to_have_text(re.compile(words))
        expect(line).to_have_attribute("data-kind", "warn")
    expect(box).to_have_attribute("data-kind", "warn")
    expect(box.locator(".notice-more")).to_have_count(0)  # two: no "+N lagi"

    rina.click("#lang-toggle")
    for line, counter in zip(lines.all(), order, strict=True):
        expect(line.locator(".notice-text")).to_have_text(
            re.compile(rf"^Loket {counter} was released from ganda at {TIME}: an admin \(command line\) disabled the")
        )
        expect(line.locator(".notice-close")).to_have_attribute("aria-label", "Dismiss")
    rina.click("#lang-toggle")
    expect(lines.first.locator(".notice-close")).to_have_attribute("aria-label", "Tutup")

    rina.context.clear_cookies()  # the session ended: the next action goes to the login, and after it both are back
    rina.click(f'#tickets tr[data-label="{ticket["label"]}"] [data-act="reprint"]')
    expect(rina.locator("#login-form")).to_be_visible()
    rina.fill("#login-form [name=username]", "rina")
    rina.fill("#login-form [name=password]", PASSWORD)
    rina.click("#login-form button[type=submit]")
    expect(rina.locator("#live-status")).to_have_attribute("data-state", "on")
    expect(lines.locator(".notice-text")).to_have_text([re.compile(words) for words in said])

    lines.first.locator(".notice-close").click()  # the newest closed: the other stays, and takes the focus
    expect(lines).to_have_count(1)
    expect(lines.first.locator(".notice-text")).to_have_text(re.compile(said[1]))
    expect(lines.first.locator(".notice-close")).to_be_focused()
    rina.keyboard.press("Enter")
    expect(lines).to_have_count(0)
    expect(box).to_have_text("")
    rina.context.close()


def test_two_counters_left_idle_freed_together_are_two_lines(browser, office, clean_queue):
    """budi called a visitor at Loket 1 and one at Loket 2 and left (no counter page open): the server frees both in
    one round, ten minutes on; both lines are said, each with its visitor back in the line."""
    first, second = issue(office, "Andi Wijaya"), issue(office, "Bayu Saputra")
    budi = office.session("budi", PASSWORD)
    for counter, ticket in ((1, first), (2, second)):
        r = budi.post(f"{office.url}/api/counters/{counter}/call", json={"ticket": ticket["label"]}, timeout=5)
        assert r.status_code == 200, r.text
    rina = front(browser, office)
    expect(rina.locator("#counter-rows tr[data-counter='2']")).to_contain_text("budi")
    office.advance((MINUTES + 1) * 60)
    for counter in (1, 2):  # both said (the one line said the last alone)
        expect(rina.locator("#counter-notice")).to_contain_text(f"Loket {counter} dilepas otomatis dari budi pukul")
    lines = rina.locator("#counter-notice .notice-text")
    expect(lines).to_have_count(2)
    labels = {1: first["label"], 2: second["label"]}
    for line, counter in zip(lines.all(), newest_first(office, (1, 2)), strict=True):
        expect(line).to_have_text(
            re.compile(
                rf"^Loket {counter} dilepas otomatis dari budi pukul {TIME}: tidak ada halaman loket budi yang terbuka"
                rf" selama {MINUTES} menit\. Tiket {labels[counter]} yang dipanggil kembali menunggu\.$"
            )
        )
    for ticket in (first, second):
        now = requests.get(f"{office.url}/api/tickets/{ticket['token']}", timeout=5).json()["ticket"]
        assert now["status"] == "waiting", now
    rina.context.close()


def test_a_page_open_for_weeks_shows_the_lines_its_box_holds_and_keeps_twelve(browser, office, clean_queue):
    """Five officers one after the other call a visitor at each of the three counters and log out: fifteen
    counters freed, each visitor back in the line. As many lines are shown as their box holds whole (three at most:
    two of these at 1366x768, the third was cut at the box's edge) and "+10 lagi" (twelve kept, the oldest three
    dropped), which shows them all; closed one by one, "+N lagi" goes with the fourth. At 1366x768 and at 1024x768
    the ticket list stays in sight below them."""
    tickets = {
        1: issue(office, "Citra Lestari", "A"),
        2: issue(office, "Dedi Pratama", "B"),
        3: issue(office, "Eka Sari", "C"),
    }
    names = [f"giliran{i}" for i in range(5)]
    for name in names:  # before the page opens: an account added from outside the server is a gap in its events
        office.add_user(name, "officer")
    rina = front(browser, office)
    for name in names:
        officer = office.session(name, PASSWORD)
        for counter, ticket in tickets.items():
            r = officer.post(f"{office.url}/api/counters/{counter}/call", json={"ticket": ticket["label"]}, timeout=5)
            assert r.status_code == 200, r.text
        expect(rina.locator("#counter-rows tr[data-counter='3']")).to_contain_text(name)
        officer.post(f"{office.url}/api/logout", json={}, timeout=5).raise_for_status()
        expect(rina.locator("#counter-notice .notice-text").first).to_contain_text(f"{name} keluar dari Loket")
    lines = rina.locator("#counter-notice .notice")
    more = rina.locator("#counter-notice .notice-more")
    expect(lines).to_have_count(2)  # whole in the box
    expect(more).to_have_text("+10 lagi")
    assert rina.locator("#counter-notice").evaluate("(b) => b.scrollHeight <= b.clientHeight")
    said = rf"^{names[-1]} keluar dari Loket \d: tiket [A-C]-\d+ yang dipanggil kembali menunggu di tempatnya\.$"
    expect(lines.locator(".notice-text")).to_have_text([re.compile(said)] * 2)
    for width in (1366, 1024):
        rina.set_viewport_size({"width": width, "height": 768})
        box = rina.locator("#ticket-box").bounding_box()
        assert box["y"] + 100 < 768, box  # the list's first rows below the lines, on the screen
    rina.click("#lang-toggle")
    expect(more).to_have_text("+11 more")  # at 1024 px, in English: one whole line
    more.click()
    expect(lines).to_have_count(12)  # the newest twelve: the first officer's three are gone
    expect(more).to_have_count(0)
    expect(lines.last.locator(".notice-text")).to_contain_text(f"{names[1]} logged out of Loket")
    expect(rina.locator("#counter-notice")).not_to_contain_text(names[0])
    for left in range(11, 3, -1):
        lines.first.locator(".notice-close").click()
        expect(lines).to_have_count(left)
    lines.first.locator(".notice-close").click()  # three left: all shown, nothing behind "+N more"
    expect(lines).to_have_count(3)
    expect(more).to_have_count(0)
    rina.context.close()
