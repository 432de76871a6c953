"""Socket.IO: who a client is, which rooms it joins, its snapshot, and the numbered events after it.

Every committed change goes to `staff` (counters, front office) with the whole form, and those a page without
a login uses to `public` (displays, kiosks, phones) with the ticket without name, phone, address or problem. A
survey answer, the office's reply to a complaint and the close of an escalation go in public only to the
visitor's own phone page (its `ticket:<token>` room): a page without a login never learns which ticket answered
the survey or complained, or when its case got an answer. What no such page uses (an LKPP ticket number, the
escalation mail's tries, a corrected form or record, a reprint, a form copy's print) goes to the staff alone.
Staff see every seq; a public message names the seq of the public message before it (`prev`). Either way a
client that notices a gap knows it missed something and asks for a fresh snapshot, and a public page does
not take the changes it is not told of for one.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from contextlib import suppress
from typing import Any
from urllib.parse import parse_qs

from engineio import exceptions as eio_exceptions
from flask import request, session
from flask_socketio import SocketIO, join_room
from flask_socketio import emit as reply
from werkzeug.exceptions import RequestTimeout

from printers.transport import PAPER_STATES
from server import core
from server.auth import LoginThrottle, current_user, same_secret, session_ends
from server.fanout import FanOut
from server.limits import Bucket, SparseLog, device_key
from server.security import HEADERS as SECURITY_HEADERS

log = logging.getLogger("antrian.realtime")
PUBLIC_ROLES = ("display", "kiosk")
MAX_DISPLAY_COUNTERS = 100  # the counters a TV limited to some may name (auth.counters)
MAX_DISPLAY_SERVICES = 100  # the services a TV limited to some may name (auth.services)
SERVICE_CODE = re.compile(r"[A-Z]{1,3}")  # a service's code (server.config)
MAX_BATCH = 20  # events in one `events` message
# What one connection may send. A screen sends a handful of packets an hour (its connect, a snapshot
# after a gap); a print agent one acknowledgement per job, many after it reconnects. Past its budget
# a connection is closed: a screen reconnects by itself and starts again from a snapshot.
PACKETS_BURST, PACKETS_PER_SECOND = 20, 1.0
AGENT_PACKETS_BURST, AGENT_PACKETS_PER_SECOND = 500, 50.0
SNAPSHOTS_BURST, SNAPSHOTS_PER_SECOND = 3, 1 / 10  # asked for after a gap: a few a minute at most
# (a logged-in staff page's ask past them waits for its budget instead: `deferred` in register)
# A connect is answered with a snapshot too (a phone's with its ticket's place in line, read twice). A page
# connects once per Engine.IO connection: socket.io closes the connection when its last namespace goes, and
# connects again on a new one. A client that left the namespace ("41") and connected again ("40") on the same
# connection had a snapshot every two packets, past the snapshot budget: ten at once and one every two
# seconds per connection. A connect after a connection's first takes one of its snapshots.
# And a snapshot past a connection's first costs one request of its device's [limits] requests_per_minute,
# as a GET of the state or of a ticket does: a device that opened connection after connection (one request
# each) had four snapshots a request, each with its ticket's view (150 a second from one device, every
# budget kept). Refused for that, the connection is closed (no penalty: the device's requests already wait).
MAX_PACKET_BYTES = 64 * 1024  # nothing a client sends is near this (engineio's default: 1 MB)
# Socket.IO's BINARY_EVENT and BINARY_ACK: no page nor the print agent sends binary data; one that comes (or a
# binary Engine.IO message, an attachment) is a packet the server does not read (_budget_packets).
BINARY_PACKETS = ("5", "6")
# A WebSocket whose Engine.IO session ended (its ping timeout, its client's close packet "1", its session taken back)
# is shut down this long after, if it is still open: engineio's reader waited for the client's next frame with no
# timeout, and a client that sent none held the connection, its descriptor and its greenlets for ever, its session
# long gone from every cap (helper-312: 5 of one device's, each of its addresses up to its connections_per_address,
# until the server's total of connections refused the kiosks). The grace lets the close frames pass first.
CLOSE_GRACE_S = 5.0
# Engine.IO's heartbeat (server/app.py): the server pings every PING_INTERVAL_S and closes a connection whose pong
# has not come PING_TIMEOUT_S later; a client closes its own when no ping came for both together, and reconnects.
# A connection dead without a word (a phone's Wi-Fi handed over, a router that dropped the flow, its screen on) is
# noticed by the page PING_TIMEOUT_S to 14 s after it died: engineio's 25 + 20 s let a phone say "Menunggu" for up
# to 45 s while its visitor was being called, and a TV show none of the calls meanwhile. A WebSocket's ping and
# pong are two small frames (bench/bench_pings.py: the server's CPU for them); a long-polling page (a network
# that blocks WebSockets) makes two requests a ping, about 17 a minute of its device's requests_per_minute
# (1200): 64 such pages behind one address, the default sessions_per_address, stay within it. (A test that moves
# a page's clock on by more than PING_TIMEOUT_S, Playwright's page.clock, fires the page's ping timeout too.)
PING_INTERVAL_S, PING_TIMEOUT_S = 7.0, 7.0  # floats: a test server may set them (tests/clockserver.py --set)
PENALTY_SECONDS = 10.0  # a device whose socket broke its budget: its requests wait this long for a 429
# A device refused a session past [limits] sessions_per_address: its requests wait this long for a 429 (a
# refusal answered at once was asked again at once: 660 handshakes a second, the server busy refusing).
SESSION_PENALTY_SECONDS = 5.0
# A print agent's token, guessed: a guessed one takes its printer's jobs (a counter's are the visitors' whole
# forms). Like a login, a device has AGENT_GUESSES wrong tokens (or printers) in AGENT_GUESS_WINDOW seconds,
# its right one not clearing them (the real agent connecting between guesses gains them none); past them its
# agent connections are refused unchecked, with no penalty on the
# device's other requests (the kiosk page on the agent's PC). Without it one device had 900
# guesses a second (19 a session, under its packet budget, then a new session). An agent refused that long
# comes back by itself (it reconnects).
AGENT_GUESSES, AGENT_GUESS_WINDOW = 10, 300.0
# A counter's draft saved (POST /api/counters/<id>/draft) is told, without its text, to the counter pages showing
# that counter only (their `counter:<id>` room: an officer's page, never a TV, a kiosk or a phone): a page already
# open there (the PC beside, another tab) fetches it over the API. At most one message per counter per
# COUNTER_MESSAGE_SECONDS, the newest kept for its turn, however many sessions save: each save's own budget aside
# (server.api draft_budget), nothing a page sends makes more.
COUNTER_MESSAGE_SECONDS = 1.0
COUNTER_ROLES = ("officer", "admin")  # the accounts whose counter page joins its counter's room


def hears_counter(user: dict[str, Any], counter_id: int) -> bool:
    """Whether `user`'s counter page showing `counter_id` joins its room (`counter:<id>`): an officer or an admin,
    and an officer bound to a counter only at that one. An officer of Loket 1 whose page named Loket 2 (its connect's
    `counter_id`, its `counter` message) heard each save of Loket 2's draft, whose API refuses them (403
    counter_bound)."""
    if user["role"] not in COUNTER_ROLES:
        return False
    return user["role"] == "admin" or not user.get("counter_id") or user["counter_id"] == counter_id


# A reply to a complaint, or its close, names the response only (no ticket: who complained stays private) by
# the id the visitor's own phone page holds.
COMPLAINT_EVENTS = ("complaint_answered", "complaint_closed", "complaint_reopened")
# The visitor's own: besides the staff, only its ticket's phone page hears of them (public_room). In `public` a
# survey answer named its ticket's label and a reply its response: anyone on the office's network saw that
# A-012 answered the survey, and when its complaint was answered. `closed` (the LKPP's answer recorded) too: of
# the pages without a login only the phone shows it ("ditutup"); the TV and the kiosk do nothing with it. So
# `reopened` (a close made by mistake undone): the phone says again that the case is with LKPP.
OWN_EVENTS = ("survey_answered", *COMPLAINT_EVENTS, "closed", "reopened")
# The staff's alone: no page without a login does anything with them (the TV, the kiosk, the phone: neither
# what they show nor the phone's own view changes). In `public` each named its ticket's label: anyone on the
# office's network could tell that A-012's case has an LKPP ticket, when its mail went or failed, that its form
# or its record was corrected, and its slips reprinted or its form copy printed. (`print_failed` and `printed`
# stay public for a slip, `data.kind` "ticket" or "reprint": the kiosk follows its own visitor's slip with them.
# Those of a form copy, FORM_PRINT_KIND, go to the staff alone: a form copy's try that failed at a counter's
# printer named its ticket to every page without a login, as form_print did.)
STAFF_EVENTS = frozenset(
    {
        "lkpp_ticket",
        "mail_sent",
        "mail_failed",
        "mail_requeued",
        "correction_sent",
        "form_corrected",
        "corrected",
        "reprint",
        "form_print",
        "print_skipped",
    }
)
PRINT_EVENTS = ("print_failed", "printed")
FORM_PRINT_KIND = "form"  # the print job of a visitor's form copy at a counter (server.service.jobs)
# How a served case ended is the visitor's own, as its close is: in `public` a `resolved` or `escalated` message
# (and a slip's `printed` that came after its ticket was served, its status) told every TV, kiosk and phone page without a login
# that A-012's problem was solved here or had to go to LKPP. The TV needs only that its counter is free again:
# `public` gets the type and the status SERVED_WORD; the ticket's own phone page (its `ticket:<token>` room) gets
# the real message first, and drops the public one of the same seq.
OUTCOME_EVENTS = (core.RESOLVED, core.ESCALATED)
SERVED_WORD = "served"


def counters_named(value: Any) -> tuple[int, ...] | None:
    """The counters a TV's connect names (`auth.counters`: its page's `?counters=`, whole numbers 1-999, at most
    MAX_DISPLAY_COUNTERS), sorted; None for anything else, which is ignored (the office's latest calls, as before:
    the page itself answers a wrong `?counters=` with a 400)."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_DISPLAY_COUNTERS:
        return None
    if not all(type(c) is int and 1 <= c <= 999 for c in value):
        return None
    return tuple(sorted(set(value)))


def services_named(value: Any) -> tuple[str, ...] | None:
    """The services a TV's connect names (`auth.services`: its page's `?services=`, codes of one to three capital
    letters, at most MAX_DISPLAY_SERVICES), sorted; None for anything else, which is ignored as a wrong `counters` is
    (the snapshot keeps those the office has: server.service.views)."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_DISPLAY_SERVICES:
        return None
    if not all(type(c) is str and SERVICE_CODE.fullmatch(c) for c in value):
        return None
    return tuple(sorted(set(value)))


def public_room(event: dict[str, Any]) -> str | None:
    """Where the event's public message goes: `public`, or for the visitor's own (OWN_EVENTS) its ticket's
    room (`ticket:<token>`, which only its phone page joins); None: to the staff only (STAFF_EVENTS, a form
    copy's print_failed and printed, and a complaint whose ticket is gone)."""
    if event["type"] in STAFF_EVENTS:
        return None
    if event["type"] in PRINT_EVENTS and (event.get("data") or {}).get("kind") == FORM_PRINT_KIND:
        return None
    if event["type"] not in OWN_EVENTS:
        return "public"
    # the ticket's token: a survey answer's ticket (UnitOfWork.decorate), a complaint's (service.survey._to_its_visitor)
    token = event.get("owner_token") or (event.get("ticket_full") or {}).get("token")
    return f"ticket:{token}" if token else None


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
    if event.get("left") is not None:  # per service with a daily quota: the numbers left today
        msg["left"] = event["left"]
    if event["type"] in ("office_opened", "office_closed"):  # the snapshot's office.open, next_opening, closes_at
        msg["office"] = {k: data.get(k) for k in ("open", "next_opening", "closes_at")}
    if event["type"] == "day_changed":  # the office's new day: every page takes a fresh snapshot
        msg["data"] = {"day": data.get("day")}
    if event["type"] == "settings_changed" and "section" in data:  # which part: the phone re-reads the survey's
        msg["data"] = {"section": data["section"]}
    if event["type"] in COMPLAINT_EVENTS:  # which response: its phone page shows the reply at once
        msg["data"] = {"complaint_id": data.get("complaint_id")}
    return msg


def outcome_hidden(msg: dict[str, Any]) -> dict[str, Any] | None:
    """A public message with how its case ended said as SERVED_WORD (OUTCOME_EVENTS); None when it tells none."""
    ticket = msg.get("ticket")
    ended = isinstance(ticket, dict) and ticket.get("status") in core.SERVED
    if msg["type"] not in OUTCOME_EVENTS and not ended:
        return None
    hidden = dict(msg)
    if msg["type"] in OUTCOME_EVENTS:
        hidden["type"] = SERVED_WORD
    if ended:
        hidden["ticket"] = {**ticket, "status": SERVED_WORD}
    return hidden


def staff_message(event: dict[str, Any]) -> dict[str, Any]:
    """The event as counters and the front office receive it: with the whole form."""
    msg = public_message(event)
    msg["ticket"] = event.get("ticket_full") or event.get("ticket")
    msg["actor"] = event.get("actor")
    msg["data"] = event.get("data")
    if event.get("next") is not None:  # each counter's next call after the change (the counter page's mark)
        msg["next"] = event["next"]
    return msg


def register(
    socketio: SocketIO,
    service: Any,
    agent_tokens: dict[str, str],
    penalize: Callable[[str, float], None] | None = None,
    spend: Callable[[str], bool] | None = None,
) -> None:
    """Attach the connection handlers and make `service.publish` broadcast after each commit.
    `penalize(address, seconds)`: the HTTP server's penalty for a device whose socket was closed for
    breaking its budget (httpserver.Guard.penalize), so that it cannot reconnect and flood again at once.
    `spend(address)`: one request of the device's HTTP budget, for a snapshot past its connection's first
    (limits.spend); False when none is left."""

    fanout = FanOut(socketio)
    socketio.antrian_fanout = fanout
    for logger in (socketio.server.logger, socketio.server.eio.logger):
        if not any(isinstance(f, _SparseTracebacks) for f in logger.filters):  # one logger for every app
            logger.addFilter(_SparseTracebacks())
    pending: deque[dict[str, Any]] = deque()
    wake = threading.Event()
    started = threading.Lock()
    running: list[bool] = []

    # The seq of the last message sent to `public` (None before the first event this process publishes: none of
    # its clients' snapshots is older than the event before that). Each public message carries it as `prev`: a
    # public page sees a gap when `prev` is past what it shows, not at every change it is not told of.
    last_public: list[int | None] = [None]

    def send(batch: list[dict[str, Any]]) -> None:
        if last_public[0] is None:
            last_public[0] = batch[0]["seq"] - 1
        run: list[dict[str, Any]] = []  # public messages in a row: one frame

        def flush() -> None:
            if len(run) == 1:
                fanout.emit("event", run[0], "public")
            elif run:  # one WebSocket frame per client for many changes: the fan-out is most of the cost
                fanout.emit("events", list(run), "public")
            run.clear()

        for ev in batch:
            room = public_room(ev)
            if room is None:
                continue
            msg = public_message(ev)
            msg["prev"] = last_public[0]
            if room == "public":
                hidden = outcome_hidden(msg)
                if hidden is not None:  # the real one to its own phone page first: it drops the public one
                    token = (ev.get("ticket_full") or {}).get("token")
                    if token:
                        flush()
                        fanout.emit("event", msg, f"ticket:{token}")
                    msg = hidden
                run.append(msg)
                last_public[0] = ev["seq"]
            else:  # the visitor's own page: in its place among the public messages (that page has those too)
                flush()
                fanout.emit("event", msg, room)
        flush()
        if len(batch) == 1:
            fanout.emit("event", staff_message(batch[0]), "staff")
        else:
            time.sleep(0)
            fanout.emit("events", [staff_message(ev) for ev in batch], "staff")

    def failed(batch: list[dict[str, Any]]) -> None:
        """A batch not (wholly) sent: the next public message names its last seq as `prev`, so that every public
        page takes a snapshot (one of its changes may have been public)."""
        last_public[0] = max(last_public[0] or 0, batch[-1]["seq"])

    def publisher() -> None:
        try:
            while not service.stopping.is_set():
                wake.wait()
                wake.clear()
                while pending:
                    batch = []
                    while pending and len(batch) < MAX_BATCH:
                        batch.append(pending.popleft())
                    try:
                        send(batch)
                    except Exception:  # a bug in one message must not stop every later one
                        failed(batch)
                        log.exception("publishing %d event(s) failed; the clients catch up from a snapshot", len(batch))
                    time.sleep(0)  # under gevent: let requests run between two batches
        finally:
            with started:
                running.clear()  # ended (service.stop): a later publish starts it again

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
    # service.stop(): the publisher sends what is pending and ends. Left waiting, it kept the whole
    # app alive (each test's app in the tests' process: hundreds of threads and the heap they hold).
    service.closers.append(wake.set)
    budgets = _budget_packets(socketio, fanout, penalize, spend)
    agent_guesses = LoginThrottle(AGENT_GUESSES, AGENT_GUESS_WINDOW, address_limit=AGENT_GUESSES)
    refused_agents = SparseLog(log, "print agent refused (a wrong token or printer)")
    socketio.antrian_sessions = _cap_sessions(socketio, lambda: service.settings.limits, penalize, budgets.close)
    staff_sockets: dict[str, tuple[int, int, int]] = {}  # sid -> the session's (uid, version, sign-in)
    # sid -> (uid, the counter its counter page shows, or None when it named none): the officer is at that
    # counter (QueueService.release_idle_counters frees a counter whose holder has no such page open)
    counter_pages: dict[str, tuple[int, int | None]] = {}
    service.counters_shown = lambda: set(dict(counter_pages).values())  # a copy: made in one step
    # sid -> the counters and services a TV limited to some (`?counters=2,3`, `?services=B`) named at its connect (None:
    # not limited that way): its snapshots' `recent` is theirs (a reconnected TV showed one or two of its own latest
    # calls where one left open showed five)
    display_limits: dict[str, tuple[tuple[int, ...] | None, tuple[str, ...] | None]] = {}
    # uid -> (session_version, the latest sign-in of its sessions seen on a staff socket): a session of the account
    # still valid (session_ends) whose page is offline for a moment (a Wi-Fi blip) when another of its sessions ends
    signed_latest: dict[int, tuple[int, float]] = {}

    def check_sessions() -> None:
        """Disconnect every staff socket whose session has ended (logout, new password, disabled or
        re-enabled, new role, past its end): it gets no visitor's data after that. A session past its end
        (the office's midnight, or SESSION_HOURS after its sign-in) frees the counters its account holds, as
        a logout does, when no other session of that account is still valid, its page open or not (the other changes
        freed them when they were made); a page that only lost its network keeps its counter ([queue]
        counter_release_minutes)."""
        if not staff_sockets:
            return
        states = service.accounts.session_states()
        now, tz = time.time(), service.settings.office.tz
        for uid in [u for u, (_, signed_in) in signed_latest.items() if session_ends(signed_in, tz) <= now]:
            del signed_latest[uid]
        expired: set[int] = set()
        for sid, (uid, version, signed_in) in list(staff_sockets.items()):
            changed = states.get(uid) != (version, True)
            if changed or now >= session_ends(signed_in, tz):
                staff_sockets.pop(sid, None)
                counter_pages.pop(sid, None)
                socketio.server.leave_room(sid, "staff")
                socketio.server.disconnect(sid)
                if not changed:
                    expired.add(uid)
        for uid in expired - {u for u, _, _ in staff_sockets.values()}:
            if uid in signed_latest and states.get(uid) == (signed_latest[uid][0], True):
                continue  # signed in on another PC too, its session valid, its page offline now: it keeps the counters
            try:  # each on its own: their sockets are gone, so nothing would try again for the accounts after it
                service.release_ended(uid)
            except Exception:
                log.exception("freeing the counters of account %s, whose session ended", uid)

    service.check_sessions = check_sessions
    # A message outside the numbered changes, to staff pages only: the free disk space (`disk`).
    service.tell_staff = lambda name, data: fanout.emit(name, data, "staff")

    def tell_displays(name: str, data: Any) -> int:
        """A message outside the numbered changes to every TV display (the sound check); how many."""
        fanout.emit(name, data, "display")
        return sum(1 for _ in socketio.server.manager.get_participants("/", "display"))

    service.tell_displays = tell_displays
    counter_told: dict[tuple[int, str], float] = {}  # (counter, message) -> when it was last sent (monotonic)
    counter_held: dict[tuple[int, str], Any] = {}  # (counter, message) -> the newest, held for its turn
    counter_lock = threading.Lock()

    def tell_counter(counter_id: int, name: str, data: Any) -> None:
        """A message outside the numbered changes to the counter pages showing one counter (its draft saved): at
        most one per COUNTER_MESSAGE_SECONDS per counter, the newest sent at its turn."""
        key = (counter_id, name)
        with counter_lock:
            if key in counter_held:  # one is waiting for its turn already: it will be this one
                counter_held[key] = data
                return
            wait = counter_told.get(key, -COUNTER_MESSAGE_SECONDS) + COUNTER_MESSAGE_SECONDS - time.monotonic()
            if wait > 0:
                counter_held[key] = data
                socketio.start_background_task(tell_counter_later, key, wait)
                return
            counter_told[key] = time.monotonic()
        fanout.emit(name, data, f"counter:{counter_id}")

    def tell_counter_later(key: tuple[int, str], wait: float) -> None:
        socketio.sleep(wait)
        with counter_lock:
            data = counter_held.pop(key)
            counter_told[key] = time.monotonic()
        try:
            fanout.emit(key[1], data, f"counter:{key[0]}")
        except Exception:
            log.exception("telling counter %s's pages of %s", *key)

    service.tell_counter = tell_counter

    @socketio.on("disconnect")
    def on_disconnect(*_args: Any):
        staff_sockets.pop(request.sid, None)
        counter_pages.pop(request.sid, None)
        display_limits.pop(request.sid, None)

    @socketio.on("connect")
    def on_connect(auth: Any = None):
        auth = auth if isinstance(auth, dict) else {}
        role = auth.get("role")
        if role in PUBLIC_ROLES:
            join_room("public")
            counters = services = None
            if role == "display":
                join_room("display")  # the admin's sound check reaches the TVs only
                counters, services = counters_named(auth.get("counters")), services_named(auth.get("services"))
                if counters or services:
                    display_limits[request.sid] = (counters, services)
            reply("snapshot", service.snapshot(staff=False, for_counters=counters, for_services=services))
            return True
        if role == "ticket":
            token = auth.get("token")
            try:
                service.ticket_status(token)  # an unknown token is refused before it joins anything
            except Exception:
                return False
            join_room("public")
            join_room(f"ticket:{token}")
            # Read after joining, the snapshot first (as on_snapshot): a change made meanwhile is in the ticket read
            # after it or comes as an event past the snapshot's seq. Read before joining, a call landing between
            # the two was in neither, and the phone showed "waiting" to a visitor being called.
            snap = service.snapshot(staff=False)
            try:
                view = service.ticket_status(token)
            except Exception:
                return False
            reply("snapshot", {"ticket": view, **snap})
            return True
        if role == "agent":
            address = request.remote_addr or "?"
            guess = agent_guesses.reserve(device_key(address), "agent")  # counted first, as a login
            if guess.wait:  # its wrong guesses spent: not checked
                return False  # no penalty on the address: a kiosk PC's agent with an old token retries every
                # few seconds, and the kiosk page beside it would wait for 429s (refusing unchecked is enough)
            printer, token = auth.get("printer"), auth.get("token")
            expected = agent_tokens.get(printer) if isinstance(printer, str) else None
            ok = bool(expected) and isinstance(token, str) and same_secret(token, expected)
            agent_guesses.done(guess, ok)
            if not ok:
                refused_agents(address, PermissionError(f"printer {str(printer)[:40]!r}"))
                return False
            eio_sid = socketio.server.manager.eio_sid_from_sid(request.sid, "/")
            budgets.trust(eio_sid)
            fanout.trust(eio_sid, AGENT_PACKETS_PER_SECOND * 2, AGENT_PACKETS_BURST * 2)
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
            shown = auth.get("counter_id")  # the counter page's counter (null: none picked yet)
            if role == "counter" and shown is not None and (type(shown) is not int or not 1 <= shown <= 999):
                return False
            staff_sockets[request.sid] = (user["id"], user["session_version"], session["iat"])
            version, latest = signed_latest.get(user["id"], (None, 0.0))
            if version != user["session_version"] or session["iat"] > latest:
                signed_latest[user["id"]] = (user["session_version"], session["iat"])
            if role == "counter":
                counter_pages[request.sid] = (user["id"], shown)
                if shown is not None and hears_counter(user, shown):
                    join_room(f"counter:{shown}")  # its draft's changes (tell_counter)
            join_room("staff")
            reply("snapshot", service.snapshot(staff=True))
            return True
        return False

    # A logged-in staff page asks for a snapshot because of the server's own events: every `settings_changed` (the
    # counter page and the front office) and every gap in its seq (the command line's `users add`, ...). An admin
    # saving four sections of the admin page in a few seconds made each counter page with a visitor at its counter
    # ask for a fourth: its connection was closed and the officer's PC waited PENALTY_SECONDS for a 429 at every
    # request (Selesai, Panggil berikutnya). Past its budget a staff connection's snapshot is sent when the budget
    # allows (one waiting per connection; an ask while one waits is dropped: the one sent is current then). The
    # packet budget still bounds what a logged-in page may send; a page without a login is closed, as before.
    deferred: set[str] = set()  # the staff sockets (sid) whose snapshot waits for their budget

    def snapshot_for(sid: str) -> dict[str, Any]:
        rooms = socketio.server.rooms(sid)
        counters, services = display_limits.get(sid, (None, None))
        snap = dict(service.snapshot(staff="staff" in rooms, for_counters=counters, for_services=services))
        token = next((r.split(":", 1)[1] for r in rooms if r.startswith("ticket:")), None)
        if token:
            try:
                snap["ticket"] = service.ticket_status(token)
            except Exception:
                snap["ticket"] = None
        return snap

    def send_when_due(sid: str, eio_sid: str) -> None:
        """The deferred snapshot of staff socket `sid`, once its connection's budget has one (not when the socket
        is gone, or its session ended, meanwhile)."""
        try:
            while sid in staff_sockets:
                wait = budgets.snapshot_due(eio_sid)
                if wait <= 0 and budgets.snapshot(eio_sid):
                    if not budgets.paid(eio_sid):  # its device's requests are spent: as on_snapshot
                        budgets.close(eio_sid)
                    else:
                        socketio.emit("snapshot", snapshot_for(sid), to=sid)
                    return
                socketio.sleep(max(wait, 0.05))
        except Exception:
            log.exception("a staff page's deferred snapshot")
        finally:
            deferred.discard(sid)

    @socketio.on("counter")
    def on_counter(data: Any = None):
        """A counter page picked another counter (its socket's `counter_id` was the one shown at its connect): it
        hears of that counter's draft from now on, not of the one it left. Any other socket: nothing."""
        sid = request.sid
        if sid not in counter_pages or type(data) is not int or not 1 <= data <= 999:
            return None
        uid = staff_sockets.get(sid, (None,))[0]
        for room in [r for r in socketio.server.rooms(sid) if r.startswith("counter:")]:
            socketio.server.leave_room(sid, room)
        user = current_user()
        if user is not None and user["id"] == uid and hears_counter(user, data):
            join_room(f"counter:{data}")
        return None

    @socketio.on("snapshot")
    def on_snapshot(data: Any = None):
        """A client that noticed a gap asks for a fresh snapshot (a few a minute; more closes a page without a
        login, and a staff page's waits for its budget)."""
        sid = request.sid
        if sid in deferred:
            return None  # the staff page's snapshot waiting for its budget will be current
        eio_sid = socketio.server.manager.eio_sid_from_sid(sid, "/")
        if not budgets.snapshot(eio_sid):
            if sid in staff_sockets:
                deferred.add(sid)
                socketio.start_background_task(send_when_due, sid, eio_sid)
                return None
            budgets.penalize(eio_sid)
            socketio.server.disconnect(sid)
            return None
        if not budgets.paid(eio_sid):  # its device's requests are spent: it comes back when they are not
            budgets.close(eio_sid)
            return None
        reply("snapshot", snapshot_for(sid))

    def agent_worker() -> Any:
        """The print worker of the agent on this socket (its `agent:NAME` room), None for any other socket."""
        rooms = socketio.server.rooms(request.sid)
        printer = next((r.split(":", 1)[1] for r in rooms if r.startswith("agent:")), None)
        worker = service.print_workers.get(printer) if printer else None
        return worker if hasattr(worker, "acknowledge") else None

    @socketio.on("print_ack")
    def on_print_ack(data: Any = None):
        """A print agent says how a job went: {job, ok, error?, paper?, torn?} (paper: what its printer answered to the
        paper query, "ok", "low" or "out"; absent or null, as from an older agent: nothing known; torn: true with ok
        false, the roll ended in a slip it said printed moments ago: AgentPrintWorker.torn)."""
        worker = agent_worker()
        if worker is None:
            return {"ok": False, "error": "not_agent"}
        if not isinstance(data, dict) or not isinstance(data.get("job"), int) or not isinstance(data.get("ok"), bool):
            return {"ok": False, "error": "invalid"}
        torn = data.get("torn")
        if not isinstance(torn, (bool, type(None))) or (torn and data["ok"]):
            return {"ok": False, "error": "invalid"}
        error = None if data["ok"] else str(data.get("error") or "agent reported a failure")[:500]
        return {"ok": worker.acknowledge(data["job"], error, data.get("paper"), torn=bool(torn))}

    @socketio.on("printer_status")
    def on_printer_status(data: Any = None):
        """A print agent says what its printer answered to the paper query with no job: {paper} ("ok", "low",
        "out"), when it connects and when its idle asking found it changed (a new roll)."""
        worker = agent_worker()
        if worker is None:
            return {"ok": False, "error": "not_agent"}
        paper = data.get("paper") if isinstance(data, dict) else None
        if paper not in PAPER_STATES:
            return {"ok": False, "error": "invalid"}
        worker.paper_reported(paper)
        return {"ok": True}

    @socketio.on_error_default
    def on_error(err: Exception):
        socketio.server.logger.warning("socket event failed: %r", err)
        return {"error": "invalid"}


class _SparseTracebacks(logging.Filter):
    """engineio's and python-socketio's errors with a traceback (a long-polling POST that is not UTF-8,
    a packet they cannot read): a client can set them off at will, each 20-30 lines. The first in a
    minute is logged whole, the others counted into the next one logged."""

    def __init__(self, seconds: float = 60.0):
        super().__init__()
        self.sparse = SparseLog(None, "", seconds)  # its timing and count only

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info:
            return True
        since = self.sparse.due()
        if since is None:
            return False
        if since:
            record.msg = f"{record.msg} ({since} more such errors since the last one logged)"
        return True


def address_kind(address: str) -> str:
    """Which kind of address a client's is, for a log line: "this machine", "local network" (a private or link-local
    address: the office's LAN or Wi-Fi) or "outside the local network" (a public one: a phone on mobile data through
    a proxy or a forwarded port)."""
    import ipaddress

    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if ip.is_loopback:
        return "this machine"
    return "local network" if ip.is_private or ip.is_link_local else "outside the local network"


def _cut_or_slow(error: RequestTimeout) -> Exception:
    """What became of a body server.httpserver answered 408: a read past its time (TimeoutError), or a connection
    closed before its end (gevent's "unexpected end of file")."""
    cause = error.__cause__
    if isinstance(cause, TimeoutError):
        return TimeoutError("its body came too slowly")
    return ConnectionError("its connection closed before the body's end")


class _PacketBudgets:
    """Per Engine.IO connection: a budget of Socket.IO packets (any kind: connect, events, acks) and
    one of snapshots (asked for, or answering a connect after the connection's first). The table lives as
    long as the connections it counts."""

    def __init__(
        self,
        environ: dict[str, Any],
        penalize: Callable[[str, float], None] | None,
        spend: Callable[[str], bool] | None = None,
    ):
        self.packets: dict[str, Bucket] = {}
        self.snapshots: dict[str, Bucket] = {}
        self.connected: set[str] = set()  # the connections that sent their first Socket.IO connect
        self.environ = environ  # python-socketio's WSGI environ of each Engine.IO connection
        self._penalize = penalize
        self._spend = spend
        self.close: Callable[[str], None] = lambda eio_sid: None  # closes a connection (_budget_packets sets it)

    def _address(self, eio_sid: str) -> str | None:
        return (self.environ.get(eio_sid) or {}).get("REMOTE_ADDR")

    def penalize(self, eio_sid: str) -> None:
        """The device behind `eio_sid` waits PENALTY_SECONDS before the server takes it back."""
        address = self._address(eio_sid)
        if self._penalize is not None and address:
            self._penalize(address, PENALTY_SECONDS)

    def paid(self, eio_sid: str) -> bool:
        """One request of the device's budget for a snapshot past its connection's first; False when it has
        none left (nothing spent)."""
        address = self._address(eio_sid)
        return self._spend is None or not address or self._spend(address)

    def packet(self, eio_sid: str) -> bool:
        bucket = self.packets.get(eio_sid)
        if bucket is None:
            bucket = self.packets[eio_sid] = Bucket(PACKETS_PER_SECOND, PACKETS_BURST)
        return bucket.take()

    def snapshot(self, eio_sid: str) -> bool:
        bucket = self.snapshots.get(eio_sid)
        if bucket is None:
            bucket = self.snapshots[eio_sid] = Bucket(SNAPSHOTS_PER_SECOND, SNAPSHOTS_BURST)
        return bucket.take()

    def snapshot_due(self, eio_sid: str) -> float:
        """Seconds until the connection's snapshot budget has one (0: it has one now)."""
        bucket = self.snapshots.get(eio_sid)
        if bucket is None:
            return 0.0
        tokens = min(bucket.burst, bucket.tokens + (time.monotonic() - bucket.stamp) * bucket.rate)
        return max(0.0, (1.0 - tokens) / bucket.rate)

    def connect(self, eio_sid: str) -> str | None:
        """A Socket.IO connect (any namespace, refused or not): a connection's first is free (its handshake
        paid for it); each later one is a snapshot past the first. None when it may be answered; else what it
        is past: "connection" (the connection's snapshots), "device" (its device's requests)."""
        if eio_sid not in self.connected:
            self.connected.add(eio_sid)
            return None
        if not self.snapshot(eio_sid):
            return "connection"
        return None if self.paid(eio_sid) else "device"

    def trust(self, eio_sid: str) -> None:
        """A print agent (its token checked): one acknowledgement per job, many after a reconnect."""
        self.packets[eio_sid] = Bucket(AGENT_PACKETS_PER_SECOND, AGENT_PACKETS_BURST)

    def forget(self, eio_sid: str) -> None:
        self.packets.pop(eio_sid, None)
        self.snapshots.pop(eio_sid, None)
        self.connected.discard(eio_sid)


class _SessionCap:
    """The live Engine.IO sessions of each device (address), at most [limits] sessions_per_address, and of all the
    devices together (those of `exempt` aside) at most [limits] sessions_total.

    A long-polling session holds no connection: a device that opened thousands and never polled them
    again held them until their ping timeout, and when they expired together python-socketio closed
    each by looking through every session's room, thousands times thousands in one turn of the loop
    (the server answered nothing for minutes: the hostile-device review, docs/operations.md,
    "Security"). A handshake past the device's limit is refused (engineio's 401); the table holds
    only the addresses that have a session.

    Each session costs the server some 17 KB, and one device may claim many addresses of its network (every free
    one of a /16 LAN): 1,000 addresses holding 35 sessions each took 600 MB. At the total a new session is taken
    from the device holding the most, its oldest closed, while that device holds more than the newcomer would: a TV,
    a kiosk or a phone that comes while one device fills the table gets in, and the filler loses its own sessions.
    Only when no device holds more than the newcomer's share is the newcomer refused."""

    def __init__(
        self,
        limits: Callable[[], Any],
        penalize: Callable[[str, float], None] | None = None,
        close: Callable[[str], None] | None = None,
    ):
        self.limits = limits
        self.penalize = penalize
        self.close = close  # ends an Engine.IO session taken back at the total (_cap_sessions)
        self.by_address: dict[str, dict[str, None]] = {}  # device -> its sessions' sids, the oldest first
        self.address_of: dict[str, str] = {}  # engineio sid -> its device
        self.exempt: set[str] = set()  # the sids of exempt addresses, not in the total
        self.refused = 0
        self.taken_back = 0  # sessions closed at the total for a newcomer
        self.said = SparseLog(log, "Socket.IO session refused")
        self.said_taken = SparseLog(log, "Socket.IO session closed: the server holds its sessions_total")

    @property
    def total(self) -> int:
        """The sessions counted in sessions_total: every one but the exempt addresses'."""
        return len(self.address_of) - len(self.exempt)

    def admit(self, eio_sid: str, address: str) -> bool:
        limits = self.limits()
        device = device_key(address)  # an IPv6 device from outside the office's own networks: its /64
        n = len(self.by_address.get(device, ()))
        exempt = address in limits.exempt
        if not exempt and n >= limits.sessions_per_address:
            return self._refuse(address, f"the device holds {n} sessions, its limit")
        if not exempt and self.total >= limits.sessions_total:
            victim = self._taken_back_for(device, n)
            if victim is None:
                return self._refuse(
                    address, f"the server holds {self.total} sessions, its total, none more than {n + 1}"
                )
            self.taken_back += 1
            self.said_taken(self.address_of[victim], RuntimeError(f"its oldest, for a session of {address}"))
            self.forget(victim)
            if self.close is not None:
                self.close(victim)
        self.by_address.setdefault(device, {})[eio_sid] = None
        self.address_of[eio_sid] = device
        if exempt:
            self.exempt.add(eio_sid)
        return True

    def _taken_back_for(self, device: str, n: int) -> str | None:
        """The oldest session of the device holding the most (more than n + 1, what `device` would hold with its new
        one; exempt sessions aside), or None."""
        most, victim = n + 1, None
        for other, sids in self.by_address.items():
            if other != device and len(sids) > most:
                oldest = next((sid for sid in sids if sid not in self.exempt), None)
                if oldest is not None:
                    most, victim = len(sids), oldest
        return victim

    def _refuse(self, address: str, why: str) -> bool:
        self.refused += 1
        self.said(address, RuntimeError(why))
        if self.penalize is not None:
            self.penalize(address, SESSION_PENALTY_SECONDS)
        return False

    def forget(self, eio_sid: str) -> None:
        device = self.address_of.pop(eio_sid, None)
        if device is None:
            return
        self.exempt.discard(eio_sid)
        sids = self.by_address.get(device)
        if sids is not None:
            sids.pop(eio_sid, None)
            if not sids:
                del self.by_address[device]


# Engine.IO's answers go around Flask (server.security adds its headers there): a long-polling GET carries the
# staff page's snapshot and events, every visitor's name, phone, address and problem of the day. They had no
# Cache-Control: Chromium kept them in its disk cache (gzipped, under the profile's Cache/Cache_Data) on the front
# office's shared PC, after the logout too. Each answer but a WebSocket's upgrade gets the security headers and
# `Cache-Control: no-store`, as every other answer of the server has them.
ENGINEIO_HEADERS = (("Cache-Control", "no-store"), *SECURITY_HEADERS.items())


def kept_nowhere(start_response: Callable[..., Any]) -> Callable[..., Any]:
    """`start_response` that adds ENGINEIO_HEADERS to an answer that lacks them (not to a 101 upgrade)."""

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        if not status.startswith("101"):
            present = {name.lower() for name, _ in headers}
            headers = [*headers, *((n, v) for n, v in ENGINEIO_HEADERS if n.lower() not in present)]
        return start_response(status, headers) if exc_info is None else start_response(status, headers, exc_info)

    return start


def _cap_sessions(
    socketio: SocketIO,
    limits: Callable[[], Any],
    penalize: Callable[[str, float], None] | None = None,
    close: Callable[[str], None] | None = None,
) -> _SessionCap:
    """Count each Engine.IO session by its device as engineio opens it, before python-socketio (and
    its rooms) know of it, and refuse one past the device's limit (the device then waits
    SESSION_PENALTY_SECONDS, `penalize`), or past the total when no device holds more (one that does has its
    oldest ended, `close`); a session is forgotten when engineio ends it, however it ends."""
    eio = socketio.server.eio
    cap = _SessionCap(limits, penalize, close)
    on_connect, on_disconnect = eio.handlers["connect"], eio.handlers["disconnect"]

    def connect(eio_sid: str, environ: dict[str, Any], *args: Any) -> Any:
        if not cap.admit(eio_sid, environ.get("REMOTE_ADDR") or "?"):  # counted by its device (admit)
            return False
        try:
            result = on_connect(eio_sid, environ, *args)
        except BaseException:
            cap.forget(eio_sid)
            raise
        if result is not None and result is not True:  # refused: engineio ends it without a disconnect
            cap.forget(eio_sid)
        return result

    def disconnect(eio_sid: str, *args: Any) -> Any:
        cap.forget(eio_sid)
        return on_disconnect(eio_sid, *args)

    eio.handlers["connect"], eio.handlers["disconnect"] = connect, disconnect
    return cap


def quiet_close(driver: type) -> type:
    """engineio's WebSocket driver (simple-websocket's), whose close says nothing to a client that is gone.

    As a WebSocket ends, engineio's writer greenlet sends its close frame outside any `try`: when the client had
    reset its connection (RST) and the reader had not yet run to notice, the send raised ConnectionResetError
    (simple-websocket catches BrokenPipeError alone) and gevent printed the greenlet's traceback, 16 lines, 900
    bytes, with no logger's bound (_SparseTracebacks). One device with no password set it off at will: sockets
    that ask past their budget and reset as they are closed (a review: 26 tracebacks in 12 s from one address,
    each closed socket a try). Nothing is to be told to a client that is gone."""
    if getattr(driver, "closes_quietly", False):
        return driver

    class QuietClose(driver):
        closes_quietly = True

        def close(self) -> None:
            with suppress(OSError):
                super().close()

    return QuietClose


def _budget_packets(
    socketio: SocketIO,
    fanout: FanOut,
    penalize: Callable[[str, float], None] | None,
    spend: Callable[[str], bool] | None = None,
) -> _PacketBudgets:
    """Count every packet a client sends before python-socketio handles it, over either transport
    (WebSocket frames, long-polling POSTs): a connection past its budget is closed at once, so one
    client can cost the server only so much, whatever it sends.

    engineio would start a task for every message it reads (async_handlers): a client sending
    100,000 a second made 100,000 tasks before any budget was looked at, and the loop drowned. Here
    the budget is checked inline, as the message is read; python-socketio still runs each event's
    handler as a task of its own."""
    eio = socketio.server.eio
    eio.max_http_buffer_size = MAX_PACKET_BYTES
    eio.async_handlers = False
    eio._async = {**eio._async, "websocket": quiet_close(eio._async["websocket"])}  # this server's alone
    budgets = _PacketBudgets(socketio.server.environ, penalize, spend)
    # (also a bug of a connect handler, which python-socketio runs inline: its type and message are logged)
    bad_packets = SparseLog(log, "Socket.IO packet not handled, its connection closed")
    # A long-polling POST whose body never came whole: a phone on a weak mobile signal, a minute apart at most for
    # one device, thousands over months. engineio logged each as its own error, with a 30-line traceback read as a
    # crash in the journal, and used up the minute in which its real errors are logged whole (_SparseTracebacks).
    cut_posts = SparseLog(log, "long-polling POST not received whole (a weak or lost connection; its session closed)")
    on_message, on_disconnect = eio.handlers["message"], eio.handlers["disconnect"]

    def message(eio_sid: str, data: Any) -> Any:
        sock = eio.sockets.get(eio_sid)
        if sock is None or sock.closed or sock.closing:
            return None  # the rest of a long-polling payload after the connection was closed
        if not budgets.packet(eio_sid):
            budgets.penalize(eio_sid)
            close(eio_sid, sock)
            return None
        if not isinstance(data, str) or data[:1] in BINARY_PACKETS:
            # No client of the app sends binary data. python-socketio kept every message after a binary event's
            # header ("451000000-[…]": up to 999,999,999 attachments) as one of its attachments until the count
            # was reached or the connection ended: a TV's socket held all it sent (helper-309: 40 sockets of one
            # device, 7 KB a second each within every budget, grew the server by 9 MB in 30 s, for hours on end).
            bad_packets(budgets._address(eio_sid) or "?", ValueError("a binary packet (the app takes none)"))
            budgets.penalize(eio_sid)
            close(eio_sid, sock)
            return None
        # a Socket.IO connect ("0…": "40{auth}", "40/other,…") after the connection's first is a snapshot past it
        past = budgets.connect(eio_sid) if data[:1] == "0" else None
        if past is not None:
            if past == "connection":
                budgets.penalize(eio_sid)
            close(eio_sid, sock)
            return None
        try:
            return on_message(eio_sid, data)  # python-socketio decodes the packet here (its handlers run as tasks)
        except Exception as error:  # noqa: BLE001  (not JSON, nested thousands deep, an unknown type...)
            # A packet the server cannot read: the connection closed and its device kept waiting, as past
            # its budget, and one log line a minute for all such (each was a 30-line traceback).
            bad_packets((budgets.environ.get(eio_sid) or {}).get("REMOTE_ADDR", "?"), error)
            budgets.penalize(eio_sid)
            close(eio_sid, sock)
            return None

    def close(eio_sid: str, sock: Any) -> None:
        client = fanout.clients.get(eio_sid)
        if client is not None:
            client.abort()  # the WebSocket under its reader and writer: a client that reads nothing cannot hold us
        sock.close(wait=False, abort=True)

    def close_by_sid(eio_sid: str) -> None:
        sock = eio.sockets.get(eio_sid)
        if sock is not None and not sock.closed:
            close(eio_sid, sock)

    budgets.close = close_by_sid

    def disconnect(eio_sid: str, *args: Any) -> Any:
        budgets.forget(eio_sid)
        client = fanout.clients.get(eio_sid)
        if client is not None:  # its WebSocket, shut down if still open after CLOSE_GRACE_S
            eio.start_background_task(let_go, eio_sid, client)
        return on_disconnect(eio_sid, *args)

    def let_go(eio_sid: str, client: Any) -> None:
        eio.sleep(CLOSE_GRACE_S)
        if fanout.clients.get(eio_sid) is client:  # (its handler drops it from fanout.clients as it ends)
            client.abort()

    eio.handlers["message"], eio.handlers["disconnect"] = message, disconnect

    def drop(sid: str | None = None) -> None:
        """engineio's `disconnect`, without waiting for the client to read what was queued for it.
        engineio calls it on a long-polling POST it refuses (a PING from the client, an unknown packet
        type, a body over MAX_PACKET_BYTES) and waited for a GET that never came: the POST was never
        answered and its connection was held until a restart, up to the device's cap of them."""
        if sid is None:
            return eio_disconnect(sid)
        sock = eio.sockets.pop(sid, None)
        if sock is not None:
            sock.close(wait=False, reason=eio.reason.SERVER_DISCONNECT)
        return None

    eio_disconnect, eio.disconnect = eio.disconnect, drop

    def handle_request(environ: dict[str, Any], start_response: Any) -> Any:
        """engineio's, with a long-polling POST to a session already closed, or to one that collects nothing
        (fanout.MAX_BACKLOG packets waiting for it), answered as one to no session: 400.

        A closed session (the client's own close packet "1", its budget, its ping timeout) stays in engineio's
        table until its service task passes (up to PING_TIMEOUT_S), and engineio's POST raised KeyError on it: a
        500, with gevent's traceback and the request's environ in the log (30 lines) for each. One device at its
        request budget (a handshake, "1", a POST again) wrote 5,700 lines, 390 KB, in 20 s: 1.7 GB a day.
        And a POST's Engine.IO packets other than messages are in no budget: each UPGRADE ("5") queues a NOOP
        for the session's next GET, and one that never GETs (its pong "3" in each POST keeps it alive) grew
        the server by 2.7 MB a minute, for as long as it liked; its queue is now closed at the fan-out's
        backlog, as one that stopped reading broadcasts is. And a WebSocket upgrade of a session that has one open
        already (upgrading: engineio checks only a session upgraded) is a 400: engineio took every such upgrade up,
        each a connection of its own reading the session's packets, and all but the last one (fanout.clients) were
        left open when the session ended (helper-312)."""
        start_response = kept_nowhere(start_response)
        if environ.get("REQUEST_METHOD") == "GET" and "transport=websocket" in environ.get("QUERY_STRING", ""):
            sid = parse_qs(environ.get("QUERY_STRING", "")).get("sid", [None])[0]
            if sid and sid in fanout.clients:  # a second WebSocket of the session: see the docstring
                bad_packets(environ.get("REMOTE_ADDR") or "?", ValueError("a second WebSocket upgrade of its session"))
                start_response("400 BAD REQUEST", [("Content-Type", "text/plain"), ("Connection", "close")])
                return [b"a second upgrade"]
        elif environ.get("REQUEST_METHOD") == "POST":
            sid = parse_qs(environ.get("QUERY_STRING", "")).get("sid", [None])[0]  # as engineio reads it
            sock = eio.sockets.get(sid) if sid else None
            if sock is not None and sock.closed:
                eio.sockets.pop(sid, None)
            elif sock is not None and not fanout.backlogged(sid):  # past it: closed, and gone from the table
                if "handle_post_request" not in vars(sock):
                    sock.handle_post_request = unreadable_payload_closes(sid, sock)
        return eio_handle(environ, start_response)

    def unreadable_payload_closes(sid: str, sock: Any) -> Callable[[dict[str, Any]], None]:
        """engineio's reading of a long-polling POST, with a payload it refuses whole closing the session: more than
        engineio's Payload.max_decode_packets (16) packets was answered 200, none of them read, the session kept and
        engineio's traceback logged (a device could post 32,000 packets a POST, at its request budget, for ever).
        Now as an unreadable packet: the session closed, its device kept waiting, one log line (helper-312)."""
        handle = type(sock).handle_post_request

        def post(environ: dict[str, Any]) -> None:
            try:
                return handle(sock, environ)
            except UnicodeDecodeError:
                raise  # not UTF-8: engineio's own answer (a 200, one traceback a minute: _SparseTracebacks)
            except RequestTimeout as error:  # the body cut off, or too slow (server.httpserver's 408)
                address = budgets._address(sid) or "?"
                cut_posts(f"{device_key(address)} ({address_kind(address)})", _cut_or_slow(error))
                close(sid, sock)  # its packets lost with the body: the page reconnects and catches up
                raise eio_exceptions.EngineIOError() from None  # engineio: a 400 to whoever is still there
            except ValueError as error:  # "Too many packets in payload", a packet engineio cannot read
                bad_packets(budgets._address(sid) or "?", error)
                budgets.penalize(sid)
                close(sid, sock)
                raise eio_exceptions.UnknownPacketError() from error  # engineio: a 400, the session dropped

        return post

    eio_handle, eio.handle_request = eio.handle_request, handle_request
    return budgets
