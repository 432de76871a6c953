"""Pages left open all day keep what an event brings within a bound: a real server process, real Chromium.

bench/bench_page_growth.py measures every long-lived page over thousands of events, reconnects and days
(JS heap, DOM nodes, listeners, timers); here a few hundred events check what it found.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import requests
from playwright.sync_api import expect
from staffpages import PASSWORD, sign_in


def test_the_counter_page_keeps_the_facts_of_the_last_tickets_that_left_it_only(browser, live):
    """The counter page keeps what happened to a ticket that left its counter (its notice, a kept draft, the next
    snapshot ask about it): it kept one, with the visitor's form, for every ticket of the day, as long as the page
    was open. 60 tickets through counter 1 (about 250 events), the page keeps its last LEFT_KEPT and still says
    what happened to the newest."""
    live.add_user("growth", "officer")
    officer = live.session("growth", PASSWORD)
    page = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID").new_page()
    sign_in(page, live, "/counter/", "growth")
    page.select_option("#counter-select", "1")
    page.wait_for_function("() => window.antrianCounter && window.antrianCounter.live.synced()", polling=50)

    def act(action: str, **data) -> dict:
        r = officer.post(
            f"{live.url}/api/counters/1/{action}", json={"request_id": str(uuid.uuid4()), **data}, timeout=10
        )
        assert r.status_code == 200, r.text
        return r.json()

    # The 60 visitors take their numbers together (the kiosks' requests at once), then counter 1 serves them
    # one by one: each ticket leaves the page as it did one at a time, without 60 round trips waited in turn.
    def take(i: int) -> None:
        r = requests.post(
            f"{live.url}/api/tickets",
            timeout=10,
            json={
                "service": "A",
                "name": f"Pengunjung {i}",
                "agency": "CV Maju Bersama",
                "address": f"Jl. Sudirman No. {i}",
                "phone": "081234567890",
                "problem": "Lupa kata sandi akun penyedia SPSE",
            },
        )
        assert r.status_code == 201, r.text

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(take, range(60)))
    for _ in range(60):
        label = act("call-next")["ticket"]["label"]
        act("start")
        act("resolve", solution="Kata sandi direset.")  # from the API: "another tab" to the page
    seq = requests.get(f"{live.url}/api/state", timeout=5).json()["seq"]
    page.wait_for_function("(seq) => antrianCounter.live.seq() >= seq", arg=seq, polling=50)

    kept = page.evaluate("antrianCounter.kept()")
    assert kept["left"] == kept["gone"] == kept["max"] < 60, kept  # 60 without the bound
    # the newest is among those kept: its notice says how it left (finished by this officer in another tab)
    expect(page.locator("#notice")).to_contain_text(f"Tiket {label} sudah diselesaikan di halaman lain")
    page.context.close()
