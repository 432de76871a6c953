"""The office's new day reaches every client before any change of that day, on a real server whose maintenance loop
looks late (once a minute; within a second in production, or not at all for as long as its look fails):

- the new day's first number and call, made before that look, are published after the expiry of the day before's
  leftovers and `day_changed`, written in their own transaction (server/service/unit.py UnitOfWork._turn). They came
  first, and `day_changed` up to the look later: each page was left to compare days;
- so the counter page lists only today's waiting visitors once today's first number is taken: it listed yesterday's
  still waiting beside it (their count said 0 or 1, their Panggil button called today's ticket of that label, or
  none) until the look.
"""

from __future__ import annotations

import requests
from conftest import visitor
from playwright.sync_api import expect
from staffpages import PASSWORD, sign_in
from test_office_live import clients  # noqa: F401 (a fixture)
from test_tv_day import late_midnight  # noqa: F401 (a fixture)

TURN = ("expired", "day_changed", "issued", "called")


def test_the_new_days_first_number_and_call_come_after_its_day_changed(late_midnight, clients):  # noqa: F811
    server = late_midnight
    server.add_user("fajar", "officer")
    server.add_user("hadi", "officer")
    officer = server.session("fajar", PASSWORD)
    for name in ("Kemarin Satu", "Kemarin Dua"):  # one called and left at Loket 2, one still waiting
        assert requests.post(f"{server.url}/api/tickets", json=visitor(name=name), timeout=5).status_code == 201
    assert officer.post(f"{server.url}/api/counters/2/call-next", json={}, timeout=5).status_code == 200
    tv = clients(server.url, {"role": "display"})
    yesterday = tv.snapshots.get(timeout=5)["day"]
    server.next_day()
    r = requests.post(f"{server.url}/api/tickets", json=visitor(name="Pagi"), timeout=5)
    assert r.status_code == 201 and r.json()["ticket"]["label"] == "A-001", r.text
    r = server.session("hadi", PASSWORD).post(f"{server.url}/api/counters/1/call-next", json={}, timeout=5)
    assert r.status_code == 200 and r.json()["ticket"]["label"] == "A-001", r.text
    today = r.json()["ticket"]["day"]
    assert today > yesterday
    seen = []
    while not seen or seen[-1]["type"] != "called":
        ev = tv.events.get(timeout=5)
        if ev["type"] in TURN:
            seen.append(ev)
    assert [(ev["type"], (ev.get("ticket") or {}).get("day")) for ev in seen] == [
        ("expired", yesterday),
        ("expired", yesterday),
        ("day_changed", None),
        ("issued", today),
        ("called", today),
    ]
    assert seen[2]["data"] == {"day": today}
    assert [ev["seq"] for ev in seen] == sorted(ev["seq"] for ev in seen)


def test_the_counter_page_lists_only_todays_visitors_once_todays_first_number_is_taken(
    browser,
    late_midnight,  # noqa: F811
):
    server = late_midnight
    server.add_user("gilang", "officer")
    assert requests.post(f"{server.url}/api/tickets", json=visitor(name="Masih Kemarin"), timeout=5).status_code == 201
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    try:
        page = sign_in(context.new_page(), server, "/counter/", "gilang")
        page.select_option("#counter-select", "1")
        names = page.locator('#line section[data-service="A"] li[data-label] .name')
        expect(names).to_have_text(["Masih Kemarin"])
        server.next_day()
        r = requests.post(f"{server.url}/api/tickets", json=visitor(name="Pagi Ini"), timeout=5)
        assert r.status_code == 201 and r.json()["ticket"]["label"] == "A-001", r.text
        expect(names).to_have_text(["Pagi Ini"])
        expect(page.locator('#line section[data-service="A"] .count')).to_have_text("1")
    finally:
        context.close()
