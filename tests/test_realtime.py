"""Socket.IO with real python-socketio clients over TCP on 127.0.0.1 against a real server process."""

from __future__ import annotations

import os
import queue
import signal
import socket
import threading
import time

import pytest
import requests
import socketio
import websocket
from conftest import VISITOR, in_order, visitor, write_config
from live import LiveServer, free_port
from smtp import SmtpServer

PERSONAL = ("Budi Santoso", "081234567890", "Jl. Sudirman", "Lupa kata sandi")


class Client:
    """A Socket.IO client that keeps its snapshot and every event, in order."""

    def __init__(self, url: str, auth: dict, headers: dict | None = None):
        self.sio = in_order(socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=0.5))
        self.snapshots: queue.Queue = queue.Queue()
        self.events: queue.Queue = queue.Queue()
        self.all_events: list[dict] = []
        self.sio.on("snapshot", lambda data: self.snapshots.put(data))
        self.sio.on("event", self._event)
        self.sio.on("events", lambda batch: [self._event(ev) for ev in batch])
        self.sio.connect(url, auth=auth, headers=headers or {}, transports=["websocket"], wait_timeout=10)

    def _event(self, data):
        self.all_events.append(data)
        self.events.put(data)

    def snapshot(self, timeout: float = 15) -> dict:
        return self.snapshots.get(timeout=timeout)

    def event(self, type_: str | None = None, timeout: float = 15) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            ev = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            if type_ is None or ev["type"] == type_:
                return ev

    def until_issued(self, label: str, timeout: float = 10) -> None:
        """Take events until ticket `label`'s `issued` (a marker made after what a test watches: all of that is in
        `all_events` then)."""
        deadline = time.monotonic() + timeout
        while self.event("issued", timeout=max(0.01, deadline - time.monotonic()))["ticket"]["label"] != label:
            continue

    def close(self):
        """Disconnect, or stop reconnecting: a client whose server a test stopped first keeps trying
        (disconnect() alone leaves that loop running, drawing from `random` under other modules' tests)."""
        self.sio.shutdown()


@pytest.fixture(scope="module")
def officer(live):
    live.add_user("budi", "officer")
    return live.session("budi", "rahasia-123")


def cookie_header(session: requests.Session) -> dict:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in session.cookies.items())}


def test_display_gets_snapshot_then_numbered_events_without_personal_data(live, officer, clients):
    display = clients(live.url, {"role": "display"})
    snap = display.snapshot()
    assert snap == requests.get(live.url + "/api/state").json()
    r = requests.post(live.url + "/api/tickets", json=visitor())
    label = r.json()["ticket"]["label"]
    issued = display.event("issued")
    assert issued["seq"] == snap["seq"] + 1 and issued["ticket"]["label"] == label
    officer.post(live.url + "/api/counters/1/call-next").raise_for_status()
    called = display.event("called")
    seqs = [ev["seq"] for ev in display.all_events]
    assert seqs == list(range(snap["seq"] + 1, called["seq"] + 1))  # every seq, none skipped
    assert called["ticket"]["counter_id"] == 1 and called["counter_id"] == 1
    for ev in display.all_events:
        text = repr(ev)
        assert not any(p in text for p in PERSONAL), text
    # tidy up the counter for the next test
    officer.post(live.url + "/api/counters/1/start")
    officer.post(live.url + "/api/counters/1/resolve", json={"solution": "ok"})


def test_counter_room_gets_the_whole_form(live, officer, clients):
    staff = clients(live.url, {"role": "counter"}, cookie_header(officer))
    snap = staff.snapshot()
    assert "tickets" in snap
    requests.post(live.url + "/api/tickets", json=visitor()).raise_for_status()
    ev = staff.event("issued")
    assert ev["ticket"]["form"]["name"] == VISITOR["name"]
    assert ev["ticket"]["form"]["phone"] == VISITOR["phone"]


def test_counter_role_without_login_is_refused(live):
    sio = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(live.url, auth={"role": "counter"}, transports=["websocket"], wait_timeout=5)


@pytest.mark.parametrize(
    "auth",
    [
        None,
        {},
        {"role": "wizard"},
        {"role": "ticket", "token": "nope"},
        {"role": "agent", "printer": "kiosk", "token": "x"},
        {"role": ["display"]},
    ],
)
def test_unknown_or_bad_identities_are_refused(live, auth):
    sio = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(live.url, auth=auth, transports=["websocket"], wait_timeout=5)


def test_phone_sees_its_own_ticket(live, clients):
    ticket = requests.post(live.url + "/api/tickets", json=visitor(service="C")).json()["ticket"]
    phone = clients(live.url, {"role": "ticket", "token": ticket["token"]})
    snap = phone.snapshot()
    assert snap["ticket"]["label"] == ticket["label"] and snap["ticket"]["status"] == "waiting"
    assert "name" not in snap["ticket"]


def test_client_asking_for_a_snapshot_gets_a_fresh_one(live, clients):
    display = clients(live.url, {"role": "display"})
    first = display.snapshot()
    requests.post(live.url + "/api/tickets", json=visitor(service="B")).raise_for_status()
    display.event("issued")
    display.sio.emit("snapshot")
    again = display.snapshot()
    assert again["seq"] > first["seq"]


def test_many_clients_see_every_seq_in_order(live, officer, clients):
    displays = [clients(live.url, {"role": "display"}) for _ in range(5)]
    start = [d.snapshot()["seq"] for d in displays]
    for _ in range(4):
        requests.post(live.url + "/api/tickets", json=visitor(service="B")).raise_for_status()
    for d, s in zip(displays, start, strict=True):
        seqs = [d.event()["seq"] for _ in range(4)]
        assert seqs == list(range(s + 1, s + 5))


SCORES = {f"U{i}": 4 for i in range(1, 10)}
OWN_EVENTS = {"survey_answered", "complaint_answered", "complaint_closed", "complaint_reopened"}


def serve_at_counter_1(live, officer, ticket: dict) -> None:
    """Counter 1 calls, serves and resolves tickets until `ticket` is resolved (the earlier ones of its line too)."""
    for _ in range(50):
        r = officer.post(live.url + "/api/counters/1/call-next", json={}, timeout=5)
        assert r.status_code == 200, r.text
        label = r.json()["ticket"]["label"]
        for action in ("start", "resolve"):
            officer.post(live.url + f"/api/counters/1/{action}", json={"solution": "ok"}, timeout=5).raise_for_status()
        if label == ticket["label"]:
            return
    raise AssertionError(f"{ticket['label']} was never called")


def take_like_a_page(snap: dict, events: list[dict]) -> int:
    """The live client's rule (server/static/live.js): the number of snapshots it would ask for, going through
    `events` in order from `snap`. A public message past what the page shows by more than one is a gap only
    when its `prev` is past it too."""
    seq, asked = snap["seq"], 0
    for ev in events:
        if ev["seq"] <= seq:
            continue
        if (ev["prev"] if isinstance(ev.get("prev"), int) else ev["seq"] - 1) > seq:
            asked += 1
        seq = ev["seq"]
    return asked


def test_a_survey_answer_and_its_complaints_reply_reach_the_staff_and_its_own_phone_alone(live, officer, clients):
    """The public feed named the ticket beside its survey answer (`survey_answered`, its label) and the office's
    reply to a complaint (`complaint_answered`, the response's id): a TV, a kiosk or anyone's phone page, no login,
    saw that A-012 answered the survey and when its complaint was answered. They now reach the staff, and the
    visitor's own phone page (its ticket's room); the others' numbers jump over them with no gap (`prev`)."""
    live.add_user("kepala", "admin")  # budi serves them: another answers a complaint about him
    head = live.session("kepala", "rahasia-123")
    ticket = requests.post(live.url + "/api/tickets", json=visitor(), timeout=5).json()["ticket"]
    alone = requests.post(live.url + "/api/tickets", json=visitor(), timeout=5).json()["ticket"]  # no phone open
    serve_at_counter_1(live, officer, alone)
    other = requests.post(live.url + "/api/tickets", json=visitor(service="C"), timeout=5).json()["ticket"]
    public = {
        "display": clients(live.url, {"role": "display"}),
        "kiosk": clients(live.url, {"role": "kiosk"}),
        "another phone": clients(live.url, {"role": "ticket", "token": other["token"]}),
    }
    own = clients(live.url, {"role": "ticket", "token": ticket["token"]})
    staff = clients(live.url, {"role": "counter"}, cookie_header(officer))
    snaps = {name: c.snapshot() for name, c in public.items()}
    own_snap, staff_snap = own.snapshot(), staff.snapshot()

    body = {"token": ticket["token"], "answers": SCORES, "suggestion": "Kursi tunggu kurang", "channel": "tablet"}
    r = requests.post(live.url + "/api/survey", json=body, timeout=5)
    assert r.status_code == 201, r.text
    response_id = r.json()["survey"]["response"]["id"]
    r = requests.post(live.url + "/api/survey", json={**body, "token": alone["token"]}, timeout=5)
    assert r.status_code == 201, r.text  # its ticket's room has no one in it
    r = head.post(live.url + f"/api/complaints/{response_id}/answer", json={"answer": "Kursi ditambah."}, timeout=5)
    assert r.status_code == 200, r.text
    marker = requests.post(live.url + "/api/tickets", json=visitor(service="C"), timeout=5).json()["ticket"]

    for name, c in public.items():
        c.until_issued(marker["label"])
        got = c.all_events
        assert not [ev["type"] for ev in got if ev["type"] in OWN_EVENTS], name
        assert not [ev for ev in got if ticket["label"] in repr(ev) or alone["label"] in repr(ev)], name
        assert not [ev for ev in got if "complaint_id" in repr(ev) or "response_id" in repr(ev)], name
        assert take_like_a_page(snaps[name], got) == 0, name  # no snapshot asked for: the seqs jumped, no gap
        assert got[-1]["seq"] == got[-1]["prev"] + 4, name  # jumped over the three, which are not public
    # The staff, every seq, whole.
    answered, answered_alone = staff.event("survey_answered"), staff.event("survey_answered")
    assert answered["ticket"]["label"] == ticket["label"] and answered["data"]["response_id"] == response_id
    assert answered_alone["ticket"]["label"] == alone["label"]
    assert staff.event("complaint_answered")["data"]["complaint_id"] == response_id
    staff.event("issued")
    seqs = [ev["seq"] for ev in staff.all_events]
    assert seqs == list(range(staff_snap["seq"] + 1, seqs[-1] + 1))
    # The visitor's own phone: both, in their place among the public messages, and no gap either.
    mine = own.event("survey_answered")
    assert mine["ticket"]["label"] == ticket["label"] and "data" not in mine  # no response id beside its label
    assert own.event("complaint_answered")["data"] == {"complaint_id": response_id}
    own.until_issued(marker["label"])
    assert [ev["seq"] for ev in own.all_events] == sorted(ev["seq"] for ev in own.all_events)
    assert take_like_a_page(own_snap, own.all_events) == 0
    assert not [ev for ev in own.all_events if "Kursi" in repr(ev) or "Budi" in repr(ev)]


def test_whether_a_case_was_resolved_or_escalated_is_told_the_staff_and_its_own_phone_alone(live, officer, clients):
    """The public feed said how each visitor's case ended: `resolved` or `escalated`, its ticket's status too. Any
    phone on the office's Wi-Fi, no login, opened as a TV read that C-001 had to go to LKPP and C-002 was solved
    here. `public` now says `served` (the TV frees its counter all the same); the real message goes first to the
    ticket's own phone page, with the same seq. (So does a slip's `printed` that comes after its ticket was served.)"""
    escalated = requests.post(live.url + "/api/tickets", json=visitor(service="C"), timeout=5).json()["ticket"]
    resolved = requests.post(live.url + "/api/tickets", json=visitor(service="C"), timeout=5).json()["ticket"]
    other = requests.post(live.url + "/api/tickets", json=visitor(service="B"), timeout=5).json()["ticket"]
    public = {
        "display": clients(live.url, {"role": "display"}),
        "kiosk": clients(live.url, {"role": "kiosk"}),
        "another phone": clients(live.url, {"role": "ticket", "token": other["token"]}),
    }
    own = {t["label"]: clients(live.url, {"role": "ticket", "token": t["token"]}) for t in (escalated, resolved)}
    staff = clients(live.url, {"role": "counter"}, cookie_header(officer))
    snaps = {name: c.snapshot() for name, c in public.items()}
    own_snaps = {label: c.snapshot() for label, c in own.items()}
    staff.snapshot()
    for ticket, action, body in (
        (escalated, "escalate", {"note": "Perlu dicek LKPP", "category": "pengaduan"}),
        (resolved, "resolve", {"solution": "ok"}),
    ):
        called = officer.post(f"{live.url}/api/counters/1/call-next", json={}, timeout=5).json()["ticket"]
        while called["label"] != ticket["label"]:  # one left waiting by an earlier test of this module's server
            for earlier in ("start", "resolve"):
                officer.post(f"{live.url}/api/counters/1/{earlier}", json={"solution": "ok"}, timeout=5)
            called = officer.post(f"{live.url}/api/counters/1/call-next", json={}, timeout=5).json()["ticket"]
        officer.post(live.url + "/api/counters/1/start", json={}, timeout=5).raise_for_status()
        officer.post(live.url + f"/api/counters/1/{action}", json=body, timeout=5).raise_for_status()
    marker = requests.post(live.url + "/api/tickets", json=visitor(service="B"), timeout=5).json()["ticket"]

    staff.until_issued(marker["label"])
    ours = (escalated["label"], resolved["label"])
    told = [(ev["type"], ev["ticket"]["label"], ev["ticket"]["status"]) for ev in staff.all_events if ev.get("ticket")]
    ends = [end for end in told if end[1] in ours and end[0] in ("resolved", "escalated")]
    assert ends == [("escalated", ours[0], "escalated"), ("resolved", ours[1], "resolved")]  # the staff, as before
    for name, c in public.items():
        c.until_issued(marker["label"])
        got = c.all_events
        assert not [ev for ev in got if "resolved" in repr(ev) or "escalated" in repr(ev)], name
        ended = [(ev["type"], ev["ticket"]["label"], ev["ticket"]["status"]) for ev in got if ev.get("ticket")]
        assert ("served", escalated["label"], "served") in ended and ("served", resolved["label"], "served") in ended
        assert take_like_a_page(snaps[name], got) == 0, name
    for ticket, status in ((escalated, "escalated"), (resolved, "resolved")):
        phone = own[ticket["label"]]
        phone.until_issued(marker["label"])
        mine = [ev for ev in phone.all_events if (ev.get("ticket") or {}).get("label") == ticket["label"]]
        ends = [(ev["type"], ev["ticket"]["status"]) for ev in mine if ev["type"] in (status, "served")]
        assert ends == [(status, status), ("served", "served")], ends  # the real one first, then the public one
        real, public_one = (ev for ev in mine if ev["type"] in (status, "served"))
        assert real["seq"] == public_one["seq"] and real["prev"] == public_one["prev"]
        assert take_like_a_page(own_snaps[ticket["label"]], phone.all_events) == 0
        assert requests.get(f"{live.url}/api/tickets/{ticket['token']}", timeout=5).json()["ticket"]["status"] == status
    from server.realtime import outcome_hidden

    late = {"seq": 9, "type": "printed", "ticket": {"label": "C-001", "status": "closed"}}  # a slip printed late
    assert outcome_hidden(late) == {**late, "ticket": {"label": "C-001", "status": "served"}}
    assert outcome_hidden({"seq": 9, "type": "called", "ticket": {"label": "C-003", "status": "called"}}) is None


# What a TV-side watcher read of one visitor's case from the public feed: its LKPP ticket number recorded, its
# escalation mail sent or failed, its form or record corrected, its slip reprinted and its form copy printed.
STAFF_EVENTS = {"lkpp_ticket", "mail_sent", "mail_failed", "form_corrected", "corrected", "reprint", "form_print"}


def test_a_cases_escalation_mail_lkpp_number_corrections_and_close_are_told_no_page_without_a_login(tmp_path, clients):
    """Besides the survey's, the events of one visitor's case went to every public page with its ticket's label:
    anyone on the office's network could tell that A-012 was given an LKPP ticket number, when its escalation mail
    went or failed, that its form and its record were corrected, its slip reprinted, its form copy printed, and
    when the LKPP's answer closed it. No page without a login does anything with those: they now go to the staff
    alone; the close to the staff and the visitor's own phone page (which says "ditutup"). The other pages' next
    message jumps over them with no gap (`prev`)."""
    smtp = SmtpServer(free_port())  # not listening at first: the first escalation's mail fails
    cfg = write_config(
        tmp_path,
        {
            'services = ["A", "C"]': 'services = ["A", "C"]\nprinter = "kiosk"',  # Loket 1's form copies
            'enabled = false\nhost = "127.0.0.1"\nport = 25': f'enabled = true\nhost = "127.0.0.1"\nport = {smtp.port}',
        },
    )
    server = LiveServer(cfg).start()
    try:
        url = server.url
        server.add_user("budi", "officer")
        server.add_user("kepala", "admin")
        officer, head = server.session("budi", "rahasia-123"), server.session("kepala", "rahasia-123")
        ticket = requests.post(url + "/api/tickets", json=visitor(), timeout=5).json()["ticket"]
        other = requests.post(url + "/api/tickets", json=visitor(service="B"), timeout=5).json()["ticket"]
        public = {
            "display": clients(url, {"role": "display"}),
            "kiosk": clients(url, {"role": "kiosk"}),
            "another phone": clients(url, {"role": "ticket", "token": other["token"]}),
        }
        own = clients(url, {"role": "ticket", "token": ticket["token"]})
        staff = clients(url, {"role": "counter"}, cookie_header(officer))
        snaps = {name: c.snapshot() for name, c in public.items()}
        own_snap = own.snapshot()
        staff.snapshot()

        label = ticket["label"]
        head.post(f"{url}/api/tickets/{label}/reprint", json={}, timeout=5).raise_for_status()
        form = {k: VISITOR[k] for k in ("name", "agency", "address", "phone", "problem")}
        r = head.post(f"{url}/api/tickets/{label}/form", json={**form, "name": "Budi Santosa"}, timeout=5)
        assert r.status_code == 200 and r.json()["changed"] == ["name"], r.text
        assert officer.post(url + "/api/counters/1/call-next", json={}, timeout=5).json()["ticket"]["label"] == label
        officer.post(url + "/api/counters/1/start", json={}, timeout=5).raise_for_status()
        escalation = {"note": "Perlu dicek LKPP", "category": "pengaduan"}
        officer.post(url + "/api/counters/1/escalate", json=escalation, timeout=5).raise_for_status()
        staff.event("mail_failed", timeout=15)  # nothing listens at the mail server's port yet
        r = officer.post(f"{url}/api/tickets/{label}/print-form", json={"counter_id": 1}, timeout=5)
        assert r.status_code in (200, 202), r.text
        r = officer.post(f"{url}/api/tickets/{label}/lkpp-ticket", json={"lkpp_ticket": "TTS-0042"}, timeout=5)
        assert r.status_code == 200, r.text
        r = officer.post(f"{url}/api/tickets/{label}/correct", json={"escalation_note": "Kunci paket rusak"}, timeout=5)
        assert r.status_code == 200, r.text
        smtp.start()  # a second case's mail goes at once
        alone = requests.post(url + "/api/tickets", json=visitor(), timeout=5).json()["ticket"]
        assert (
            officer.post(url + "/api/counters/1/call-next", json={}, timeout=5).json()["ticket"]["label"]
            == alone["label"]
        )
        officer.post(url + "/api/counters/1/start", json={}, timeout=5).raise_for_status()
        officer.post(url + "/api/counters/1/escalate", json=escalation, timeout=5).raise_for_status()
        staff.event("mail_sent", timeout=15)
        r = officer.post(f"{url}/api/tickets/{label}/close", json={"answer": "Sudah diperbaiki LKPP."}, timeout=5)
        assert r.status_code == 200, r.text
        marker = requests.post(url + "/api/tickets", json=visitor(service="B"), timeout=5).json()["ticket"]

        staff.until_issued(marker["label"])
        told = {ev["type"] for ev in staff.all_events}
        assert STAFF_EVENTS | {"closed"} <= told, STAFF_EVENTS - told  # the staff, whole, as before
        for name, c in public.items():
            c.until_issued(marker["label"])
            got = c.all_events
            assert not [ev["type"] for ev in got if ev["type"] in STAFF_EVENTS | {"closed"}], name
            assert "served" in [ev["type"] for ev in got], name  # its counter is free again: the TV hears it
            assert take_like_a_page(snaps[name], got) == 0, name  # no snapshot asked for: the seqs jumped, no gap
        # The visitor's own phone: its case's close (its page says "ditutup" at once), nothing of the staff's.
        own.until_issued(marker["label"])
        mine = [ev for ev in own.all_events if ev["type"] == "closed"]
        assert [(ev["ticket"]["label"], ev["ticket"]["status"]) for ev in mine] == [(label, "closed")]
        assert not [ev["type"] for ev in own.all_events if ev["type"] in STAFF_EVENTS]
        assert not [ev for ev in own.all_events if "TTS-0042" in repr(ev) or "LKPP." in repr(ev)]
        assert take_like_a_page(own_snap, own.all_events) == 0
    finally:
        server.stop()
        smtp.stop()


def test_acknowledged_tickets_and_calls_survive_kill_9(tmp_path, clients):
    server = LiveServer(write_config(tmp_path)).start()
    try:
        server.add_user("dewi", "officer")
        s = server.session("dewi", "rahasia-123")
        labels = []
        stop = threading.Event()

        def kiosk():
            while not stop.is_set():
                try:
                    r = requests.post(server.url + "/api/tickets", json=visitor(), timeout=2)
                except requests.RequestException:
                    return
                if r.status_code == 201:
                    labels.append(r.json()["ticket"]["label"])

        def until(enough: int) -> None:  # polled: a fixed wait gave a busy machine too few tickets
            deadline = time.monotonic() + 15
            while len(labels) < enough and time.monotonic() < deadline:
                time.sleep(0.01)

        t = threading.Thread(target=kiosk)
        t.start()
        until(3)
        called = s.post(server.url + "/api/counters/2/call-next").json()["ticket"]["label"]
        until(len(labels) + 5)  # more tickets acknowledged after the call
        server.kill()  # SIGKILL mid-work
        stop.set()
        t.join()
        assert len(labels) > 5
        server.start()
        state = requests.get(server.url + "/api/state").json()
        staff = server.session("dewi", "rahasia-123").get(server.url + "/api/staff/state").json()
        known = {t["label"] for t in staff["tickets"]}
        assert set(labels) <= known  # every acknowledged ticket is there
        assert next(c for c in state["counters"] if c["id"] == 2)["ticket"]["label"] == called
        # numbering goes on with no duplicate
        nxt = requests.post(server.url + "/api/tickets", json=visitor()).json()["ticket"]["label"]
        assert nxt not in known
        # a reconnected client's snapshot equals GET /api/state
        display = clients(server.url, {"role": "display"})
        assert display.snapshot() == requests.get(server.url + "/api/state").json()
    finally:
        server.stop()


def test_sigterm_stops_in_order_and_a_display_resyncs_after_the_restart(tmp_path, clients):
    """`systemctl stop` / `restart` sends SIGTERM: the server takes Ctrl+C's way (a TV's socket open
    meanwhile): it stops serving, closes the database, says it stopped as its last line and exits 0 (it
    used to die at once, without a word). The ticket acknowledged just before is there after the restart,
    and the display reconnects and resyncs."""
    cfg = write_config(tmp_path)
    server = LiveServer(cfg).start()
    try:
        display = clients(server.url, {"role": "display"})
        display.snapshot()
        answer = requests.post(server.url + "/api/tickets", json=visitor())
        answer.raise_for_status()
        ticket = answer.json()["ticket"]
        display.event("issued")
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(10) == 0, server.log()[-2000:]
        log = server.log()
        assert log.splitlines()[-1] == "Antrian dihentikan / stopped" and "Traceback" not in log, log[-2000:]
        server.start()
        again = requests.get(f"{server.url}/api/tickets/{ticket['token']}").json()["ticket"]
        assert (again["label"], again["status"]) == (ticket["label"], "waiting")
        snap = display.snapshot(timeout=10)  # sent again on the automatic reconnect
        assert snap["seq"] >= 1
        assert snap == requests.get(server.url + "/api/state").json()
        requests.post(server.url + "/api/tickets", json=visitor()).raise_for_status()
        assert display.event("issued")["seq"] > snap["seq"]
    finally:
        server.stop()


def _engineio_websocket(server: LiveServer, device: str = "127.0.0.1") -> websocket.WebSocket:
    """A raw Engine.IO connection over WebSocket from `device`, its open packet read."""
    raw = socket.create_connection(("127.0.0.1", server.port), timeout=10, source_address=(device, 0))
    url = f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket"
    try:
        ws = websocket.create_connection(url, socket=raw, timeout=10)
    except BaseException:
        raw.close()
        raise
    try:
        assert ws.recv().startswith("0{")
    except BaseException:
        ws.close()
        raise
    return ws


def test_a_websocket_the_server_closed_keeps_no_socket_open(live):
    """The server's close frame ends a WebSocket of the tests' clients (tests/conftest.py): websocket-client
    answered it and kept its socket open, closed by no close() and by no python-engineio client, until a garbage
    collection in a later test failed that test with a ResourceWarning."""
    ws = _engineio_websocket(live, "127.0.0.81")  # its own device: the server makes it wait after this
    try:
        ws.send("4" + "x" * 70_000)  # past realtime.MAX_PACKET_BYTES: the server closes the connection
        assert ws.recv() == ""  # websocket-client's read of the server's close frame
        assert ws.sock is None
    finally:
        ws.close()


def test_a_websocket_reset_by_its_server_keeps_no_socket_open(tmp_path):
    """A server that dies with bytes of a client unread resets the connection (a server stopped while a
    client reconnected): the client's socket is closed then too, not left to a later garbage collection."""
    server = LiveServer(write_config(tmp_path)).start()
    try:
        ws = _engineio_websocket(server)
        try:
            os.kill(server.proc.pid, signal.SIGSTOP)
            ws.send("3")  # never read: the server's end of the connection is reset as it dies
            server.kill()
            with pytest.raises(ConnectionResetError):
                while True:
                    ws.recv()
            assert ws.sock is None
        finally:
            ws.close()
    finally:
        server.stop()


def test_stopping_the_service_ends_its_publisher_thread(app, client):
    """The thread that broadcasts each commit ends with the service: left waiting, it kept its app
    alive (in the tests' process, one app and its heap per test)."""

    def publishers():
        return [t for t in threading.enumerate() if t.name.endswith("(publisher)")]

    before = set(publishers())
    assert client.post("/api/tickets", json=visitor()).status_code == 201  # the first event starts it
    (mine,) = set(publishers()) - before
    app.extensions["antrian"].stop()
    mine.join(5)
    assert not mine.is_alive()
