"""Socket.IO: who a client is, which rooms it joins, its snapshot, and the numbered events after it.

Every committed change goes to two rooms: `public` (displays, kiosks, phones) gets the ticket
without name, phone, address or problem; `staff` (counters, front office) gets the whole form.
Both see every seq, so a client that notices a gap knows it missed something and asks
for a fresh snapshot.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections import deque
from typing import Any

from flask import request
from flask_socketio import SocketIO, join_room
from flask_socketio import emit as reply

from server.auth import current_user
from server.fanout import FanOut

PUBLIC_ROLES = ("display", "kiosk")
MAX_BATCH = 20  # events in one `events` message


def public_message(event: dict[str, Any]) -> dict[str, Any]:
    """The event as displays and phones receive it."""
    msg = {
        "seq": event["seq"],
        "type": event["type"],
        "at": event["at"],
        "counter_id": event["counter_id"],
        "ticket": event.get("ticket"),
        "waiting": event.get("waiting"),
    }
    if event.get("announce"):
        msg["announce"] = event["announce"]
    data = event.get("data") or {}
    if "calls" in data:
        msg["calls"] = data["calls"]
    return msg


def staff_message(event: dict[str, Any]) -> dict[str, Any]:
    """The event as counters and the front office receive it: with the whole form."""
    msg = public_message(event)
    msg["ticket"] = event.get("ticket_full") or event.get("ticket")
    msg["actor"] = event.get("actor")
    msg["data"] = event.get("data")
    return msg


def register(socketio: SocketIO, service: Any, agent_tokens: dict[str, str]) -> None:
    """Attach the connection handlers and make `service.publish` broadcast after each commit."""

    fanout = FanOut(socketio)
    socketio.antrian_fanout = fanout
    pending: deque[dict[str, Any]] = deque()
    wake = threading.Event()
    started = threading.Lock()
    running: list[bool] = []

    def send(batch: list[dict[str, Any]]) -> None:
        if len(batch) == 1:
            fanout.emit("event", public_message(batch[0]), "public")
            fanout.emit("event", staff_message(batch[0]), "staff")
        else:  # one WebSocket frame per client for many changes: the fan-out is most of the cost
            fanout.emit("events", [public_message(ev) for ev in batch], "public")
            time.sleep(0)
            fanout.emit("events", [staff_message(ev) for ev in batch], "staff")

    def publisher() -> None:
        while True:
            wake.wait()
            wake.clear()
            while pending:
                batch = []
                while pending and len(batch) < MAX_BATCH:
                    batch.append(pending.popleft())
                send(batch)
                time.sleep(0)  # under gevent: let requests run between two batches

    def publish(events: list[dict[str, Any]]) -> None:
        """Called in commit order (under the service's lock): queue for the publisher, in that order."""
        pending.extend(events)
        if not running:
            with started:
                if not running:
                    running.append(True)
                    socketio.start_background_task(publisher)
        wake.set()

    service.publish = publish

    @socketio.on("connect")
    def on_connect(auth: Any = None):
        auth = auth if isinstance(auth, dict) else {}
        role = auth.get("role")
        if role in PUBLIC_ROLES:
            join_room("public")
            reply("snapshot", service.snapshot(staff=False))
            return True
        if role == "ticket":
            token = auth.get("token")
            try:
                view = service.ticket_status(token)
            except Exception:
                return False
            join_room("public")
            join_room(f"ticket:{token}")
            reply("snapshot", {"ticket": view, **service.snapshot(staff=False)})
            return True
        if role == "agent":
            printer, token = auth.get("printer"), auth.get("token")
            expected = agent_tokens.get(printer) if isinstance(printer, str) else None
            if not expected or not isinstance(token, str) or not hmac.compare_digest(token, expected):
                return False
            join_room(f"agent:{printer}")
            reply("snapshot", {"seq": service.snapshot(staff=False)["seq"], "printer": printer})
            worker = service.print_workers.get(printer)
            if worker is not None and hasattr(worker, "resend"):
                worker.resend()
            return True
        if role in ("counter", "frontoffice", "staff"):
            user = current_user()
            if user is None:
                return False
            join_room("staff")
            reply("snapshot", service.snapshot(staff=True))
            return True
        return False

    @socketio.on("snapshot")
    def on_snapshot(data: Any = None):
        """A client that noticed a gap asks for a fresh snapshot."""
        rooms = socketio.server.rooms(request.sid)
        staff = "staff" in rooms
        snap = service.snapshot(staff=staff)
        token = next((r.split(":", 1)[1] for r in rooms if r.startswith("ticket:")), None)
        if token:
            try:
                snap["ticket"] = service.ticket_status(token)
            except Exception:
                snap["ticket"] = None
        reply("snapshot", snap)

    @socketio.on("print_ack")
    def on_print_ack(data: Any = None):
        """A print agent says how a job went: {job, ok, error?}."""
        rooms = socketio.server.rooms(request.sid)
        printer = next((r.split(":", 1)[1] for r in rooms if r.startswith("agent:")), None)
        worker = service.print_workers.get(printer) if printer else None
        if worker is None or not hasattr(worker, "acknowledge"):
            return {"ok": False, "error": "not_agent"}
        if not isinstance(data, dict) or not isinstance(data.get("job"), int) or not isinstance(data.get("ok"), bool):
            return {"ok": False, "error": "invalid"}
        error = None if data["ok"] else str(data.get("error") or "agent reported a failure")[:500]
        return {"ok": worker.acknowledge(data["job"], error)}

    @socketio.on_error_default
    def on_error(err: Exception):
        socketio.server.logger.warning("socket event failed: %r", err)
        return {"error": "invalid"}
