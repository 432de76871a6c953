"""Group commit under gevent (server.service.unit._Group): the commands ready in one turn of the event loop share
one transaction and one COMMIT, each answering once that COMMIT is on disk; each runs as it would alone, one after
the other, and a refused one is refused alone (docs/performance.md, "A savepoint less and a COMMIT shared"). Run in
a process of its own, with gevent's patches, as the server."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading

import requests
from conftest import ROOT, visitor, write_config
from live import LiveServer

PRELUDE = textwrap.dedent(
    """
    from gevent import monkey
    monkey.patch_all()
    import json, sqlite3, sys, gevent
    sys.path.insert(0, "tests")
    from conftest import Clock, visitor, write_config
    from pathlib import Path
    from server.config import load_settings
    from server.errors import AntrianError
    from server.service import Outcome, QueueService
    from server.store import Store

    settings = load_settings(write_config(Path(sys.argv[1])))
    store = Store(settings.server.database)
    svc = QueueService(settings, store, Clock())  # 09:00 at the office: open
    published = []
    svc.unit.hooks.publish = published.extend
    commits = []
    real_connect = store._connect

    def traced_connect():
        db = real_connect()
        db.conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
        return db

    store._connect = traced_connect
    for db in store._all:
        db.conn.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    outside = sqlite3.connect(settings.server.database)  # another connection: sees only what is committed

    def on_disk(label):
        return outside.execute("SELECT COUNT(*) FROM tickets WHERE label = ?", [label]).fetchone()[0] == 1

    def breaks_after_writing(tx, now):  # a command that fails after it wrote (its event): its transaction rolled back
        tx.add_event("issued", now, svc.unit.day(now), None, None, "test", {"broken": True})
        raise RuntimeError("after a write")

    def broken(results):  # breaks_after_writing run as a command, its error kept in results["broken"]
        try:
            svc.unit.run(None, breaks_after_writing)
        except RuntimeError as err:
            results["broken"] = str(err)
    """
)


def run(tmp_path, body: str) -> dict:
    script = PRELUDE + textwrap.dedent(body)
    r = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_commands_ready_together_share_one_commit_and_each_answers_once_it_is_on_disk(tmp_path):
    """Five kiosks' numbers taken in the same turn of the loop (and a sixth refused for its empty form among them):
    one COMMIT for the five, each number answered only once it is on disk (another connection reads it), in the
    order they came, and each one's event told the line as it was right after it, as five commits did."""
    out = run(
        tmp_path,
        """
        answers = {}

        def kiosk(i, form):
            try:
                label = svc.issue(form, printed=False).body["ticket"]["label"]
                answers[i] = (label, on_disk(label))
            except AntrianError as refusal:
                answers[i] = refusal.code

        svc.issue(visitor(name="first"), printed=False)  # the service's first look (and its own commit)
        before = len(commits)
        forms = [visitor(name=f"V{i}") for i in range(6)]
        forms[3] = visitor(name="")  # refused: no name
        gevent.joinall([gevent.spawn(kiosk, i, f) for i, f in enumerate(forms)], raise_error=True)
        waiting = [ev["waiting"]["A"] for ev in published if ev["type"] == "issued"]
        seqs = [ev["seq"] for ev in published]
        print(json.dumps({"answers": answers, "commits": len(commits) - before, "waiting": waiting, "seqs": seqs}))
        """,
    )
    assert out["commits"] == 1
    assert out["answers"] == {
        "0": ["A-002", True],
        "1": ["A-003", True],
        "2": ["A-004", True],
        "3": "form_incomplete",
        "4": ["A-005", True],
        "5": ["A-006", True],
    }
    assert out["waiting"] == [1, 2, 3, 4, 5, 6]  # each event counts the line right after its own number
    assert out["seqs"] == sorted(out["seqs"]) == list(range(out["seqs"][0], out["seqs"][0] + 6))


def test_a_command_that_fails_after_writing_leaves_nothing_and_the_others_run_as_if_alone(tmp_path):
    """A command of the shared transaction fails after it wrote (its event): the transaction is rolled back, its
    caller gets its error (it ran once, on the state it would have found alone) and the others run again, each
    alone: its write is gone, theirs are done once each, their events published once each, in order, and the
    call among them is said once, after its COMMIT (the speech is started after it, never at the first try)."""
    out = run(
        tmp_path,
        """
        results = {}
        ran = []
        said = []  # (label, whether it was on disk when its speech started)

        def announcer(ticket, counter_id):
            return {"text": ticket.label}, lambda: said.append((ticket.label, on_disk(ticket.label, "called")))

        svc.unit.hooks.announcer = announcer

        def on_disk(label, status="waiting"):
            row = outside.execute("SELECT status FROM tickets WHERE label = ?", [label]).fetchone()
            return row is not None and row[0] == status

        def breaks_after_writing(tx, now):
            ran.append(now)
            tx.add_event("issued", now, svc.unit.day(now), None, None, "test", {"broken": True})
            raise RuntimeError("after a write")

        def kiosk(i):
            try:
                results[i] = svc.issue(visitor(name=f"V{i}"), printed=False).body["ticket"]["label"]
            except Exception as err:
                results[i] = repr(err)

        def broken():
            try:
                svc.unit.run(None, breaks_after_writing)
            except RuntimeError as err:
                results["broken"] = str(err)

        def call():
            results["call"] = svc.counter_action(1, "call-next", {}, "admin").body["ticket"]["label"]

        svc.issue(visitor(name="first"), printed=False)
        published.clear()
        jobs = [gevent.spawn(kiosk, 0), gevent.spawn(call), gevent.spawn(broken), gevent.spawn(kiosk, 1)]
        gevent.joinall(jobs, raise_error=True)
        broken_rows = outside.execute("SELECT COUNT(*) FROM events WHERE data LIKE '%broken%'").fetchone()[0]
        print(json.dumps({"results": results, "broken_rows": broken_rows, "ran": len(ran), "said": said,
                          "published": [(ev["type"], ev["seq"]) for ev in published]}))
        """,
    )
    assert out["results"] == {"0": "A-002", "call": "A-001", "broken": "after a write", "1": "A-003"}
    assert out["broken_rows"] == 0
    assert out["ran"] == 1  # not run again: alone, after the ones before it, it would have failed the same
    assert out["said"] == [["A-001", True]]  # once, and only once its call was on disk
    types = [t for t, _ in out["published"]]
    seqs = [s for _, s in out["published"]]
    assert types == ["issued", "called", "issued"] and seqs == sorted(seqs)


def test_the_new_days_turn_leads_its_first_transaction_and_goes_with_it_when_it_is_rolled_back(tmp_path):
    """The office's new day is written by the first transaction on it, before its commands' events (the day
    before's leftovers expired, then `day_changed`): in a shared transaction whose second command fails after
    writing, it is rolled back with the rest, and written once, by the first command run again alone; a command
    refused first on a new day (before writing anything) leaves it written. The first transaction after a start
    only notes the day."""
    out = run(
        tmp_path,
        """
        results = {}

        def breaks_after_writing(tx, now):
            tx.add_event("issued", now, svc.unit.day(now), None, None, "test", {"broken": True})
            raise RuntimeError("after a write")

        def kiosk(i):
            results[i] = svc.issue(visitor(name=f"V{i}"), printed=False).body["ticket"]["label"]

        def broken():
            try:
                svc.unit.run(None, breaks_after_writing)
            except RuntimeError as err:
                results["broken"] = str(err)

        svc.issue(visitor(name="first"), printed=False)
        first = [ev["type"] for ev in published]
        published.clear()
        svc.clock.advance(days=1)
        gevent.joinall([gevent.spawn(kiosk, 0), gevent.spawn(broken), gevent.spawn(kiosk, 1)], raise_error=True)
        shared = [(ev["type"], ev["seq"]) for ev in published]
        published.clear()
        svc.clock.advance(days=1)
        try:
            svc.cancel("Z-999", "depan")
        except AntrianError as refusal:
            results["cancel"] = refusal.code
        refused = [ev["type"] for ev in published]
        turns = outside.execute(
            "SELECT day, json_extract(data, '$.before') FROM events WHERE type = 'day_changed' ORDER BY seq"
        ).fetchall()
        print(json.dumps({"results": results, "first": first, "shared": shared, "refused": refused, "turns": turns}))
        """,
    )
    assert out["first"] == ["issued"]
    assert out["results"] == {"0": "A-001", "broken": "after a write", "1": "A-002", "cancel": "ticket_not_found"}
    assert [t for t, _ in out["shared"]] == ["expired", "day_changed", "issued", "issued"]
    assert [s for _, s in out["shared"]] == sorted(s for _, s in out["shared"])
    assert out["refused"] == ["expired", "expired", "day_changed"]
    assert out["turns"] == [["2026-11-29", "2026-11-28"], ["2026-11-30", "2026-11-29"]]


def test_a_new_days_turn_that_fails_in_a_shared_transaction_is_rolled_back_alone_and_its_commands_commit(tmp_path):
    """The new day's turn fails in a shared transaction (a row of the day before written by another program, which
    the expiry cannot read): only the turn is rolled back (to its savepoint), once, and the five numbers ready
    together are issued in that one COMMIT after `day_changed`, written alone; the turn is owed and said. It spoilt
    the transaction: each command ran again alone and failed the same way, and the office issued nothing that day."""
    out = run(
        tmp_path,
        """
        answers = {}

        def kiosk(i):
            answers[i] = svc.issue(visitor(name=f"V{i}"), printed=False).body["ticket"]["label"]

        svc.issue(visitor(name="kemarin"), printed=False)
        with store.write() as tx:
            tx.db.execute(
                "INSERT INTO tickets (day, service, number, label, token, status, priority, position, created_at)"
                " VALUES (?, 'A', 99, 'A-099', 'lain', 'waiting', 0, 99.0, '1796364000')",
                [svc.unit.day()],
            )
        svc.clock.advance(days=1)
        tries = []
        turn = svc.unit.new_day
        svc.unit.new_day = lambda tx, now, day, before: tries.append(before) or turn(tx, now, day, before)
        published.clear()
        before = len(commits)
        gevent.joinall([gevent.spawn(kiosk, i) for i in range(5)], raise_error=True)
        waiting = outside.execute("SELECT COUNT(*) FROM tickets WHERE day = '2026-11-28' AND status = 'waiting'")
        print(json.dumps({
            "answers": answers,
            "commits": len(commits) - before,
            "types": [ev["type"] for ev in published],
            "tries": tries,
            "trouble": svc.unit.turn_trouble(),
            "left": waiting.fetchone()[0],
        }))
        """,
    )
    assert out["answers"] == {str(i): f"A-{i + 1:03d}" for i in range(5)}
    assert out["commits"] == 1
    assert out["types"] == ["day_changed"] + ["issued"] * 5
    assert out["tries"] == ["2026-11-28"]  # once: the commands after it in the transaction do not try it again
    assert out["trouble"] == {"day": "2026-11-29", "error": "ValueError: Invalid isoformat string: '1796364000'"}
    assert out["left"] == 2  # yesterday's leftovers wait for the turn's try again


def test_a_settings_change_has_a_transaction_of_its_own_and_is_not_refused_when_a_neighbour_fails(tmp_path):
    """The admin's settings change applies the new settings in the process before its COMMIT, so it never shares
    a transaction (a rollback of a shared one would leave them applied, and its run again would find its own
    change and refuse it as made meanwhile): among two kiosks' numbers and a command that fails after writing,
    it is saved, in a COMMIT of its own, and the numbers share theirs."""
    out = run(
        tmp_path,
        """
        from server import admin
        results = {}

        def kiosk(i):
            results[i] = svc.issue(visitor(name=f"V{i}"), printed=False).body["ticket"]["label"]

        def change(base):
            try:
                admin.change_settings(svc, "office", {"name": f"Kantor {base[:4]}"}, "admin", base=base)
                results["settings"] = "saved"
            except AntrianError as refusal:
                results["settings"] = refusal.code

        svc.issue(visitor(name="first"), printed=False)
        base = admin.versions(svc)["office"]  # (a read: its COMMIT before the count)
        before = len(commits)
        jobs = [gevent.spawn(kiosk, 0), gevent.spawn(kiosk, 1), gevent.spawn(change, base)]
        gevent.joinall(jobs, raise_error=True)
        shared = len(commits) - before
        base = admin.versions(svc)["office"]
        jobs = [gevent.spawn(kiosk, 2), gevent.spawn(change, base), gevent.spawn(broken, results)]
        gevent.joinall(jobs, raise_error=True)
        stored = outside.execute("SELECT COUNT(*) FROM settings_overrides").fetchone()[0]
        print(json.dumps({"results": results, "commits": shared, "name": svc.settings.office.name,
                          "stored": stored}))
        """,
    )
    assert out["commits"] == 2  # the two numbers in one, the settings in their own
    assert out["results"] == {"0": "A-002", "1": "A-003", "settings": "saved", "2": "A-004", "broken": "after a write"}
    assert out["name"].startswith("Kantor ") and out["stored"] == 1


def test_a_failed_commit_fails_its_commands_but_a_refusal_stays_and_a_failing_publish_stops_no_other(tmp_path):
    """The shared COMMIT fails (a full disk): each command of it gets that error, none published, but one refused
    before it wrote keeps its refusal, as alone. Then a committed batch whose first publish fails (the socket
    layer): the others' events are published all the same, and every caller has its answer."""
    out = run(
        tmp_path,
        """
        from contextlib import contextmanager
        results = {}

        def kiosk(i):
            try:
                results[i] = svc.issue(visitor(name=f"V{i}"), printed=False).body["ticket"]["label"]
            except Exception as err:
                results[i] = repr(err)

        def recall():
            try:
                svc.counter_action(1, "recall", {}, "admin")
                results["recall"] = "done"
            except AntrianError as refusal:
                results["recall"] = refusal.code

        svc.issue(visitor(name="first"), printed=False)
        real_write = store.write

        @contextmanager
        def full_disk():
            with real_write() as tx:
                yield tx
                raise sqlite3.OperationalError("database or disk is full")

        store.write = full_disk
        published.clear()
        gevent.joinall([gevent.spawn(kiosk, 0), gevent.spawn(recall)], raise_error=True)
        failed = dict(results, published=len(published))
        store.write = real_write
        results.clear()
        calls = []

        def publish(events):
            calls.append([ev["type"] for ev in events])
            if len(calls) == 1:
                raise RuntimeError("the socket layer")

        svc.unit.hooks.publish = publish
        gevent.joinall([gevent.spawn(kiosk, 1), gevent.spawn(kiosk, 2)], raise_error=True)
        print(json.dumps({"failed": failed, "then": results, "calls": calls}))
        """,
    )
    assert out["failed"] == {
        "0": "OperationalError('database or disk is full')",
        "recall": "no_ticket",
        "published": 0,
    }
    assert out["then"] == {"1": "A-002", "2": "A-003"}
    assert out["calls"] == [["issued"], ["issued"]]


ORDER = {"waiting": 0, "called": 1, "serving": 2, "resolved": 3}


def test_a_server_killed_while_groups_commit_keeps_every_acknowledged_ticket_and_call(tmp_path):
    """The real server (gevent, so group commit) under six kiosks and two officers at once, killed with SIGKILL
    mid-work: after the restart every number a kiosk was answered is there, each ticket at least as far as its
    officer was answered (called, serving, resolved), no label twice, the events' seq with no gap, and the
    numbering goes on after the last one."""
    server = LiveServer(write_config(tmp_path)).start()
    issued: list[str] = []
    acked: dict[str, str] = {}  # label -> the furthest state an officer was answered
    lock = threading.Lock()
    stop = threading.Event()

    def kiosk(i: int) -> None:
        http = requests.Session()
        while not stop.is_set():
            try:
                r = http.post(server.url + "/api/tickets", json=visitor(name=f"Kiosk {i}"), timeout=5)
            except requests.RequestException:
                return
            if r.status_code == 201:
                with lock:
                    issued.append(r.json()["ticket"]["label"])
                    if len(issued) >= 60 and len(acked) >= 6 and not stop.is_set():
                        os.kill(server.proc.pid, signal.SIGKILL)  # right after an answer: its COMMIT is on disk
                        stop.set()

    def officer(name: str, counter: int) -> None:
        s = server.session(name, "rahasia-123")
        base = f"{server.url}/api/counters/{counter}"
        while not stop.is_set():
            try:
                r = s.post(base + "/call-next", timeout=5)
                if r.status_code != 200:
                    continue  # nobody waiting yet
                label = r.json()["ticket"]["label"]
                acked[label] = "called"
                for action, state, body in (("start", "serving", None), ("resolve", "resolved", {"solution": "ok"})):
                    r = s.post(f"{base}/{action}", json=body, timeout=5)
                    assert r.status_code == 200, r.text
                    acked[label] = state
            except requests.RequestException:
                return

    try:
        server.add_user("dewi", "officer")
        server.add_user("budi", "officer")
        threads = [threading.Thread(target=kiosk, args=(i,)) for i in range(6)]
        threads += [threading.Thread(target=officer, args=u) for u in (("dewi", 1), ("budi", 2))]
        for t in threads:
            t.start()
        stop.wait(30)  # a kiosk kills the server (SIGKILL) with requests in flight
        server.kill()  # (reaped)
        stop.set()
        for t in threads:
            t.join(10)
        assert len(issued) >= 60 and len(acked) >= 6, (len(issued), len(acked))

        server.start()
        db = sqlite3.connect(tmp_path / "antrian.db")  # the restarted server has it open, as a report would
        rows = db.execute("SELECT label, status FROM tickets").fetchall()
        seqs = [s for (s,) in db.execute("SELECT seq FROM events ORDER BY seq")]
        db.close()
        status = dict(rows)
        assert len(status) == len(rows)  # no label twice
        assert set(issued) <= set(status)  # every number a kiosk was given
        behind = {
            label: (state, status[label]) for label, state in acked.items() if ORDER[status[label]] < ORDER[state]
        }
        assert behind == {}  # every officer's answered step is kept
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
        nxt = requests.post(server.url + "/api/tickets", json=visitor(), timeout=5).json()["ticket"]["label"]
        assert nxt not in status
    finally:
        stop.set()
        server.stop()


def test_a_refusal_kept_for_its_request_id_is_kept_when_its_shared_transaction_is_rolled_back(tmp_path):
    """A call refused because the counter changed is kept for its request_id in the shared transaction; a neighbour
    that fails after writing rolls that transaction back, and the refusal is run again alone and kept: the same call
    sent again later, once the counter is empty, is refused as the first time and calls nobody."""
    out = run(
        tmp_path,
        """
        results = {}

        def late_call():
            try:
                svc.counter_action(1, "call-next", {"holding": None}, "budi", request_key="call:late")
            except AntrianError as refusal:
                results["late"] = refusal.code

        for name in ("first", "second"):
            svc.issue(visitor(name=name), printed=False)
        svc.counter_action(1, "call-next", {"holding": None}, "budi")
        gevent.joinall([gevent.spawn(late_call), gevent.spawn(broken, results)], raise_error=True)
        for action, payload in (("start", {}), ("resolve", {"solution": "Selesai."})):
            svc.counter_action(1, action, payload, "budi")
        try:
            svc.counter_action(1, "call-next", {"holding": None}, "budi", request_key="call:late")
            results["again"] = "called"
        except AntrianError as refusal:
            results["again"] = refusal.code
        waiting = outside.execute("SELECT COUNT(*) FROM tickets WHERE status = 'waiting'").fetchone()[0]
        print(json.dumps({"results": results, "waiting": waiting}))
        """,
    )
    assert out["results"] == {"late": "counter_changed", "broken": "after a write", "again": "counter_changed"}
    assert out["waiting"] == 1
