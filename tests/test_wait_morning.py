"""A visitor's wait through the morning, against a live server on tests/clockserver.py's clock.

An office of four counters, every one serving every service, where three officers work (Loket 4 has nobody). The day
before, the three took Loket 1, 2 and 3. This morning ten visitors take numbers at 07:55, before anyone is in; the
officers sit down one by one from 08:00. What the 1st, 5th and 10th visitors' phones (GET /api/tickets/<token>), the
kiosk's button (GET /api/state) and the front office's list (GET /api/tickets) say:

- before, at 07:55 the four counters counted (Loket 4's too, which nobody staffs): ~15 and ~30 minutes for the 5th
  and 10th; at 08:00 the first officer took Loket 1 and the same phones said ~60 and ~135 minutes (one counter);
  at 08:10 the others came and they said ~7 and ~30 again;
- now the counters taken the day before count in the morning (server/service/views.py at_posts): ~15 and ~45 minutes
  from 07:55, unchanged as the officers sit down; and half an hour after the first counter was taken, the officer
  who has not come no longer counts (an honest ~30 and ~60 minutes with two officers), until they take theirs.
"""

from __future__ import annotations

import pytest
import requests
from conftest import write_config
from live import ClockedServer
from staffpages import issue

PASSWORD = "rahasia-123"
OFFICERS = {1: "budi", 2: "siti", 3: "andi"}  # Loket 4: nobody
ONE_LINE = {f"services = {s}": 'services = ["A", "B", "C"]' for s in ('["A", "C"]', '["A", "B"]', '["B", "C"]')}
FOURTH = '\n[[counters]]\nid = 4\nname = "Loket 4"\nservices = ["A", "B", "C"]\n'
MINUTE = 60


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    # counters taken through the API, with no counter page open: kept all day, not freed after 10 minutes
    replace = {**ONE_LINE, "counter_release_minutes = 10": "counter_release_minutes = 1440"}
    server = ClockedServer(write_config(tmp_path_factory.mktemp("morning"), replace, FOURTH), tick=0.1).start()
    for name in OFFICERS.values():
        server.add_user(name, "officer", PASSWORD)
    server.add_user("rina", "frontoffice", PASSWORD)
    yield server
    server.stop()


def test_the_wait_does_not_swing_as_the_officers_sit_down_one_by_one(office):
    sessions = {cid: office.session(name, PASSWORD) for cid, name in OFFICERS.items()}
    rina = office.session("rina", PASSWORD)

    def take(cid: int) -> None:
        """The officer takes their counter (an action at it claims it; a resume without a break changes nothing)."""
        r = sessions[cid].post(f"{office.url}/api/counters/{cid}/resume", json={}, timeout=5)
        assert r.status_code == 200, r.text

    # yesterday (the clock's start, 09:00): the three took their counters, worked, and left at the end of the day
    for cid in OFFICERS:
        take(cid)
        r = sessions[cid].post(f"{office.url}/api/counters/{cid}/release", json={}, timeout=5)
        assert r.status_code == 200, r.text
    office.advance(24 * 60 * MINUTE - 65 * MINUTE)  # today, 07:55
    tickets = [issue(office, f"Tamu {n}") for n in range(1, 11)]

    def told() -> dict[str, int]:
        """Minutes each of the 1st, 5th and 10th visitors' phones says, and the kiosk's button for a new number (all
        of them as the front office's list says them too)."""
        phones = {}
        for n in (1, 5, 10):
            ticket = requests.get(f"{office.url}/api/tickets/{tickets[n - 1]['token']}", timeout=5).json()["ticket"]
            phones[f"#{n}"] = ticket["estimated_wait_s"]
        listed = {
            t["label"]: t["place"]["estimated_wait_s"]
            for t in rina.get(f"{office.url}/api/tickets", timeout=5).json()["tickets"]
        }
        assert {f"#{n}": listed[tickets[n - 1]["label"]] for n in (1, 5, 10)} == phones
        state = requests.get(f"{office.url}/api/state", timeout=5).json()
        phones["kiosk"] = next(s["estimated_wait_s"] for s in state["services"] if s["code"] == "A")
        return {who: seconds // MINUTE for who, seconds in phones.items()}

    three = {"#1": 0, "#5": 15, "#10": 45, "kiosk": 45}  # three counters: 10 ahead of a new number, 15 minutes each
    steps = {"07:55, nobody in yet": told()}
    office.advance(5 * MINUTE)
    take(1)
    steps["08:00, budi takes Loket 1"] = told()
    office.advance(5 * MINUTE)
    take(2)
    steps["08:05, siti takes Loket 2"] = told()
    office.advance(26 * MINUTE)
    steps["08:31, andi not in yet"] = told()
    office.advance(4 * MINUTE)
    take(3)
    steps["08:35, andi takes Loket 3"] = told()
    assert steps == {
        "07:55, nobody in yet": three,  # Loket 4, which nobody took yesterday, does not make the waits short
        "08:00, budi takes Loket 1": three,  # before: ~60 and ~135 minutes, one counter of four
        "08:05, siti takes Loket 2": three,
        # half an hour after the first counter taken, only those with an officer: two counters
        "08:31, andi not in yet": {"#1": 0, "#5": 30, "#10": 60, "kiosk": 75},
        "08:35, andi takes Loket 3": three,
    }
