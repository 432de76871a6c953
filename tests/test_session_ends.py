"""Every way an officer's session ends frees the counters they hold, as a logout does: an admin's new password for
the account, `users disable` and `users passwd` from the command line while the server runs, the session's end (a
working day), a `restore`. The called ticket waits again at its place, a break ends (`counter_resumed`, then
`counter_released`), and the TV hears of it at once: it showed ISTIRAHAT, or a visitor called to the counter, with
nobody signed in there for [queue] counter_release_minutes (10). A real server process, real Socket.IO clients."""

from __future__ import annotations

import queue

import pytest
import requests
from conftest import visitor, write_config
from live import ClockedServer, LiveServer, restored_from_backup, server_command
from staffpages import empty_queue
from test_clock_steps import until
from test_realtime import Client, cookie_header

PASSWORD = "rahasia-123"


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    # the maintenance loop every 0.1 s, not 1 s: the command line's changes are taken (and told) within 0.1 s
    server = ClockedServer(write_config(tmp_path_factory.mktemp("ends")), tick=0.1).start()
    server.add_user("kepala", "admin")
    yield server
    server.stop()


def issue(server: LiveServer, service: str = "B") -> dict:
    r = requests.post(server.url + "/api/tickets", json=visitor(service=service), timeout=5)
    r.raise_for_status()
    return r.json()["ticket"]


def at_work(server: LiveServer, username: str) -> tuple[requests.Session, dict]:
    """`username` (a new officer) calls a visitor at Loket 2 and takes a break at Loket 3: the called ticket."""
    server.add_user(username, "officer")
    officer = server.session(username, PASSWORD)
    ticket = issue(server)
    r = officer.post(server.url + "/api/counters/2/call-next", json={}, timeout=5)
    assert r.json()["ticket"]["label"] == ticket["label"], r.text
    officer.post(server.url + "/api/counters/3/pause", json={}, timeout=5).raise_for_status()
    tv = requests.get(server.url + "/api/state", timeout=5).json()["counters"]
    assert [(c["ticket"] or {}).get("label") for c in tv if c["id"] == 2] == [ticket["label"]]
    assert [c["paused"] for c in tv if c["id"] == 3] == [True]
    return officer, ticket


def freed_on_the_tv(display: Client, server: LiveServer, ticket: dict, timeout: float = 15) -> list[dict]:
    """The TV's events up to Loket 2's and Loket 3's `counter_released` (within `timeout` each): Loket 3's break
    ended before its release, Loket 2's called ticket waits again; the TV's state (GET /api/state) says so too."""
    got = []
    while sum(1 for ev in got if ev["type"] == "counter_released") < 2:
        try:
            got.append(display.event(timeout=timeout))
        except queue.Empty:
            pytest.fail(f"the TV was not told: {[(ev['type'], ev['counter_id']) for ev in got]}")
    counters = [(ev["type"], ev["counter_id"]) for ev in got if ev["type"].startswith("counter_")]
    assert counters.index(("counter_resumed", 3)) < counters.index(("counter_released", 3)), counters
    (released,) = [ev for ev in got if ev["type"] == "counter_released" and ev["counter_id"] == 2]
    assert (released["ticket"]["label"], released["ticket"]["status"]) == (ticket["label"], "waiting")
    assert released["ticket"]["counter_id"] is None
    tv = {c["id"]: c for c in requests.get(server.url + "/api/state", timeout=5).json()["counters"]}
    assert (tv[2]["ticket"], tv[3]["paused"]) == (None, False)
    return got


def holders(server: LiveServer, admin: requests.Session) -> dict[int, str | None]:
    return {c["id"]: c["officer"] for c in admin.get(server.url + "/api/staff/state", timeout=5).json()["counters"]}


def test_an_admins_new_password_for_an_officer_frees_the_counters_as_a_logout(office, clients):
    """budi is calling a visitor at Loket 2 and on a break at Loket 3; the admin sets him a new password (his
    sessions end, his counter page is sent to the login): both counters are freed at once."""
    empty_queue(office)
    budi, ticket = at_work(office, "budi")
    page = clients(office.url, {"role": "counter", "counter_id": 2}, cookie_header(budi))
    page.snapshot()
    display = clients(office.url, {"role": "display"})
    display.snapshot()
    admin = office.session("kepala", PASSWORD)
    r = admin.post(office.url + "/api/admin/users/budi/password", json={"password": "sandi-baru-123"}, timeout=5)
    assert r.status_code == 200, r.text
    freed_on_the_tv(display, office, ticket)
    assert holders(office, admin)[2] is None and holders(office, admin)[3] is None
    released = [ev for ev in admin.get(office.url + "/api/staff/state", timeout=5).json()["counters"] if ev["id"] == 2]
    assert released[0]["released"]["by"] == "kepala"
    # his own new password (POST /api/me/password) keeps his session, and his counter
    budi = office.session("budi", "sandi-baru-123")
    budi.post(office.url + "/api/counters/2/call-next", json={}, timeout=5).raise_for_status()
    r = budi.post(
        office.url + "/api/me/password", json={"current": "sandi-baru-123", "new": "sandi-lagi-456"}, timeout=5
    )
    assert r.status_code == 200, r.text
    assert holders(office, admin)[2] == "budi"
    assert requests.get(f"{office.url}/api/tickets/{ticket['token']}", timeout=5).json()["ticket"]["status"] == "called"


@pytest.mark.parametrize("command", ["disable", "passwd"])
def test_the_command_lines_disable_or_new_password_reaches_the_tv_at_once(office, clients, command):
    """`users disable` / `users passwd` while the server runs: the command line frees the account's counters in
    its own process, which publishes nothing; the server sends its `counter_resumed` and `counter_released` out
    again (as the command line's settings changes), with seqs of its own: the TV, which sees no gap in the events
    it is sent, showed Loket 3's break and Loket 2's called visitor until it was reloaded."""
    name = f"cli{command}"
    empty_queue(office)  # the module's server: nobody waiting, every counter free
    _, ticket = at_work(office, name)
    display = clients(office.url, {"role": "display"})
    snap = display.snapshot()
    front = clients(office.url, {"role": "staff"}, cookie_header(office.session("kepala", PASSWORD)))
    front.snapshot()
    r = server_command(["users", command, name, "--config", str(office.config)], input="sandi-baru-123\n")
    assert r.returncode == 0, r.stderr
    got = freed_on_the_tv(display, office, ticket)
    assert got[0]["prev"] == snap["seq"]  # in line with what the TV has: nothing of it is lost
    staff = [front.event("counter_released", timeout=5) for _ in range(2)]
    assert {ev["counter_id"]: (ev["actor"], ev["data"]["by"], ev["data"]["officer"]) for ev in staff} == {
        2: ("cli", "cli", name),
        3: ("cli", "cli", name),
    }
    assert all(ev["data"]["applies"] < ev["seq"] for ev in staff)  # the command line's own row, told again
    # once: a server's copy is not the command line's again
    issue(office)
    assert front.event("issued", timeout=5)
    assert not [ev for ev in front.all_events if ev["type"] == "counter_released"][2:]
    # and the ticket's history has its return to the line once: the server's copy is not another event of it
    history = office.session("kepala", PASSWORD).get(f"{office.url}/api/tickets/{ticket['label']}/history", timeout=5)
    assert [e["type"] for e in history.json()["events"]].count("counter_released") == 1, history.text


def test_a_session_past_its_end_frees_its_counters_at_once(tmp_path, clients):
    """A session lasts a working day (auth.SESSION_HOURS, here 72 seconds of the server's clock, which the test moves
    past its end: --sessions-on-clock): at its end the server sends the counter page, open on Loket 2, to the login;
    budi's counters are freed then, not counter_release_minutes later. A page that only lost its network keeps its
    counter (test_counter_autorelease.py)."""
    # its check of the sessions every 0.1 s (the maintenance loop's tick): freed within 0.1 s of the end
    server = ClockedServer(
        write_config(tmp_path), tick=0.1, numbers={"auth.SESSION_HOURS": 0.02}, sessions_on_clock=True
    ).start()
    try:
        display = clients(server.url, {"role": "display"})
        display.snapshot()
        budi, ticket = at_work(server, "budi")
        page = clients(server.url, {"role": "counter", "counter_id": 2}, cookie_header(budi))
        page.snapshot()
        server.advance(72 + 1)  # past his session's end
        got = freed_on_the_tv(display, server, ticket, timeout=15)
        # ended: nothing of the day's visitors reaches it (its close may reach the client after the TV's event)
        assert until(lambda: not page.sio.connected, 5)
        assert got[-1]["type"] == "counter_released"
        admin = server.session("admin", server.first_password)
        released = {c["id"]: c["released"] for c in admin.get(server.url + "/api/staff/state").json()["counters"]}
        assert (released[2]["by"], released[2]["officer"], released[2]["returned"]) == ("budi", "budi", ticket["label"])
    finally:
        server.stop()


def test_a_restore_frees_the_counters_its_backup_held(tmp_path):
    """The backup was made while budi called a visitor at Loket 2 and took a break at Loket 3; restored, every
    session has ended: the server starts with both counters free and the visitor waiting, not with the break and
    the call on the TV for counter_release_minutes."""
    cfg = write_config(tmp_path)
    server = LiveServer(cfg).start()
    _, ticket = restored_from_backup(server, cfg, tmp_path / "b.db", lambda: at_work(server, "budi"))
    try:
        tv = {c["id"]: c for c in requests.get(server.url + "/api/state", timeout=5).json()["counters"]}
        assert (tv[2]["ticket"], tv[3]["paused"]) == (None, False)
        waiting = requests.get(f"{server.url}/api/tickets/{ticket['token']}", timeout=5).json()["ticket"]
        assert (waiting["status"], waiting["counter_id"]) == ("waiting", None)
        admin = server.session("admin", server.first_password)
        assert set(holders(server, admin).values()) == {None}
    finally:
        server.stop()
