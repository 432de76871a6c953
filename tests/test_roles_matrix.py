"""Who may do what: every HTTP route and every Socket.IO event against one table of roles, and what a staff
login of a lower role gets when it tries for more (the insider's review; tests/test_hostile*.py played a
device with no password).

ROUTES names, for each (method, rule) of the app, the roles that may use it and what such a role gets; a
route the app has and the table lacks fails test_every_route_and_event_has_a_row, so a new route needs a
decision. Each role then sends every route, on an office of its own: an allowed role gets the declared
answer, a refused one 401 (no login) or 403 (a login of another role), or a staff page's redirect to the
login, with nothing but the error's {error, message, fields} and nothing changed. SOCKET_ROLES and
SOCKET_EVENTS do the same for the Socket.IO identities (rooms) and event handlers (Flask-SocketIO's test
client, on the same app). The rest: an officer at another counter, a form copy on another counter's
printer, a correction of another officer's record, an account's own role and name, an admin disabled or
demoted (its cookie and its socket), and the CSRF header and JSON body every write needs.
"""

from __future__ import annotations

import base64
import io
import re
import sqlite3
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from conftest import VISITOR, add_user, login, visitor, write_config

ANON, OFFICER, FRONT, ADMIN = "anonymous", "officer", "frontoffice", "admin"
ROLES = (ANON, OFFICER, FRONT, ADMIN)
ANYONE = frozenset(ROLES)
STAFF = frozenset({OFFICER, FRONT, ADMIN})
OFFICERS = frozenset({OFFICER, ADMIN})
FRONT_OFFICE = frozenset({FRONT, ADMIN})
ADMINS = frozenset({ADMIN})
# The accounts each role's requests are sent as (an unbound officer), and the admin that sets the office up.
ACCOUNTS = {OFFICER: "budi", FRONT: "rina", ADMIN: "kepala"}
PREP = "boss"
AGENT_ENV, AGENT_TOKEN = "ANTRIAN_TEST_ROLES_AGENT", "agent-token-roles-matrix-0123"
# Counters 4..39 (every service, the kiosk printer): each sample of a counter action or form copy has one of
# its own, nobody holding it.
EXTRA_COUNTERS = range(4, 40)
ANSWERS = {f"U{i}": 3 for i in range(1, 10)}
DAY = "2026-11-28"  # conftest.Clock's day
# A refused request changes none of these (Office.footprint), nor the event log.
USER_COLUMNS = "username, role, counter_id, active, session_version, password_hash, full_name, nip"
COUNTED = ("print_jobs", "settings_overrides", "requests", "forms", "survey_responses", "drafts")


@pytest.fixture
def config_path(tmp_path, monkeypatch):
    """The demo config with counters 4..39 and a print agent's token for the kiosk printer."""
    monkeypatch.setenv(AGENT_ENV, AGENT_TOKEN)
    counters = "".join(
        f'\n[[counters]]\nid = {i}\nname = "Loket {i}"\nservices = ["A", "B", "C"]\nprinter = "kiosk"\n'
        for i in EXTRA_COUNTERS
    )
    return write_config(tmp_path, {"[agents]\n": f'[agents]\nkiosk = "{AGENT_ENV}"\n'}, counters)


def wav_bytes() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes(b"\x01\x00" * 2205)
    return out.getvalue()


@dataclass
class Req:
    """One request of a route's sample: its path (with the query) and JSON body."""

    path: str
    json: Any = None


class Office:
    """An office set up by an admin of its own (PREP), and the state each route's sample needs."""

    def __init__(self, app):
        self.app = app
        self.service = app.extensions["antrian"]
        self.prep = app.test_client()
        self.ph = login(app, self.prep, PREP, ADMIN)
        for name in ("cadangan", "target"):
            add_user(app, name, OFFICER)
        self.counters = iter(EXTRA_COUNTERS)
        for _ in range(6):  # a line for call-next
            self.issue()

    def post(self, path: str, json: Any = None, status: int | tuple[int, ...] = 200) -> Any:
        r = self.prep.post(path, json=json if json is not None else {}, headers=self.ph)
        assert r.status_code in ((status,) if isinstance(status, int) else status), (path, r.status_code, r.data)
        return r.get_json(silent=True)

    def issue(self, service: str = "A", **form) -> dict:
        return self.post("/api/tickets", visitor(service=service, **form), 201)["ticket"]

    def counter(self) -> int:
        return next(self.counters)

    def at(self, counter: int, label: str, *steps: tuple[str, dict] | str) -> None:
        """The admin calls `label` at `counter` (an admin holds no counter), then takes `steps` there."""
        self.post(f"/api/counters/{counter}/call", {"ticket": label})
        for step in steps:
            action, body = (step, {}) if isinstance(step, str) else step
            self.post(f"/api/counters/{counter}/{action}", body)

    def ticket(self, *steps: tuple[str, dict] | str, service: str = "A", **form) -> dict:
        """A new ticket taken through `steps` at a counter of its own."""
        t = self.issue(service, **form)
        self.at(self.counter(), t["label"], *steps)
        return t

    def resolved(self, **form) -> dict:
        return self.ticket("start", ("resolve", {"solution": "Reset kata sandi"}), **form)

    def escalated(self) -> dict:
        return self.ticket("start", ("escalate", {"note": "Butuh LKPP"}))

    def closed(self) -> dict:
        """An escalated case LKPP's answer closed (by the admin)."""
        t = self.escalated()
        self.post(f"/api/tickets/{t['label']}/close", {"answer": "Jawaban LKPP"})
        return t

    def complaint(self) -> int:
        t = self.resolved()
        answer = {"token": t["token"], "answers": ANSWERS, "suggestion": "Antrean terlalu lama"}
        assert self.prep.post("/api/survey", json=answer).status_code == 201
        listed = self.prep.get("/api/complaints").get_json()["complaints"]
        return next(c["id"] for c in listed if c["label"] == t["label"])

    def footprint(self) -> tuple:
        """What any change leaves: the event log's last seq, the accounts, print jobs, stored settings,
        stored answers, the voice packs' files."""
        with self.service.store.read() as tx:
            seq = tx.last_seq()
            users = tx.rows(f"SELECT {USER_COLUMNS} FROM users ORDER BY id")
            counts = [tx.rows(f"SELECT COUNT(*) AS n FROM {t}")[0]["n"] for t in COUNTED]
        voices = self.service.settings.source.resolve().parent / "voices"
        files = sorted(str(p) for p in voices.rglob("*")) if voices.exists() else []
        return seq, [dict(u) for u in users], counts, files


def _served(o: Office) -> list[Req]:
    return [Req(f"/counter/form/{o.resolved()['token']}")]


def _counter_actions(o: Office) -> list[Req]:
    """Every action of POST /api/counters/<id>/<action>, each at a counter of its own in the state it needs."""
    waiting = o.issue("C")["label"]
    out = [Req(f"/api/counters/{o.counter()}/call-next"), Req(f"/api/counters/{o.counter()}/call", {"ticket": waiting})]
    for action, steps, body in (
        ("recall", (), {}),
        ("skip", ("recall", "recall"), {}),
        ("start", (), {}),
        ("resolve", ("start",), {"solution": "Reset kata sandi"}),
        ("escalate", ("start",), {"note": "Butuh LKPP"}),
        ("transfer", ("start",), {"service": "B"}),
    ):
        counter = o.counter()
        o.at(counter, o.issue()["label"], *steps)
        out.append(Req(f"/api/counters/{counter}/{action}", body))
    out += [Req(f"/api/counters/{o.counter()}/pause")]
    paused = o.counter()
    o.post(f"/api/counters/{paused}/pause")
    return [*out, Req(f"/api/counters/{paused}/resume")]


def _draft(o: Office) -> list[Req]:
    """What is typed for the ticket being served at a counter of its own (POST /api/counters/<id>/draft)."""
    counter = o.counter()
    o.post(f"/api/counters/{counter}/call", {"ticket": o.issue()["label"]})
    served = o.post(f"/api/counters/{counter}/start")["ticket"]
    return [Req(f"/api/counters/{counter}/draft", {"ticket_id": served["id"], "solution": "Sedang dicek"})]


def _survey(o: Office) -> list[Req]:
    return [Req("/api/survey", {"token": o.resolved()["token"], "answers": ANSWERS})]


def _lookup(o: Office) -> list[Req]:
    t = o.resolved()
    return [Req("/api/survey/lookup", {"ticket": t["label"], "phone_last4": VISITOR["phone"][-4:]})]


def _form(o: Office) -> list[Req]:
    fields = {k: VISITOR[k] for k in ("name", "agency", "address", "phone", "problem")}
    return [Req(f"/api/tickets/{o.issue()['label']}/form", {**fields, "name": "Budi S."})]


def _clip(o: Office) -> list[Req]:
    return [
        Req(
            "/api/admin/voice/clips",
            {"pack": "kantor", "name": "dua.wav", "data": base64.b64encode(wav_bytes()).decode()},
        )
    ]


@dataclass(frozen=True)
class Route:
    """A row of the table: who may use the route, what they get, and the requests that try it."""

    allowed: frozenset[str]
    ok: int  # the status an allowed role gets (a public route's 404: what anyone gets)
    sample: Callable[[Office], list[Req]] = field(compare=False)
    page: bool = False  # a staff page drawn by the server: without a login, a redirect to the login form


def _one(path: str, json: Any = None) -> Callable[[Office], list[Req]]:
    return lambda o: [Req(path, json)]


RANGE = f"?from={DAY}&to={DAY}"
# (method, rule) -> Route, in the order each role sends them (a route's sample may use what came before; the
# login, then the logout, last: the logout ends the account's sessions).
ROUTES: dict[tuple[str, str], Route] = {
    # -- anyone: the devices (kiosk, TV, phone, survey tablet), the pages' files, the login ----------------
    ("GET", "/healthz"): Route(ANYONE, 200, _one("/healthz")),
    ("GET", "/api/openapi.json"): Route(ANYONE, 200, _one("/api/openapi.json")),
    ("GET", "/api/state"): Route(ANYONE, 200, _one("/api/state")),
    ("GET", "/api/announcement"): Route(ANYONE, 200, _one("/api/announcement")),
    ("PUT", "/api/announcement"): Route(FRONT_OFFICE, 200, _one("/api/announcement", {"text": "Loket 2 istirahat"})),
    ("GET", "/api/tickets/<token>"): Route(ANYONE, 200, lambda o: [Req(f"/api/tickets/{o.issue()['token']}")]),
    ("POST", "/api/tickets"): Route(ANYONE, 201, _one("/api/tickets", visitor(service="B"))),
    ("GET", "/api/tts/<key>.ogg"): Route(ANYONE, 404, _one("/api/tts/" + "0" * 40 + ".ogg")),
    ("GET", "/api/tts/<key>.wav"): Route(ANYONE, 404, _one("/api/tts/" + "0" * 40 + ".wav")),
    ("GET", "/api/tts/chime.wav"): Route(ANYONE, 404, _one("/api/tts/chime.wav")),  # none set
    ("GET", "/api/survey"): Route(ANYONE, 200, _one("/api/survey")),
    ("GET", "/api/survey/<token>"): Route(ANYONE, 200, lambda o: [Req(f"/api/survey/{o.issue()['token']}")]),
    ("POST", "/api/survey/lookup"): Route(ANYONE, 200, _lookup),
    ("POST", "/api/survey"): Route(ANYONE, 201, _survey),
    ("GET", "/kiosk/"): Route(ANYONE, 200, _one("/kiosk/")),
    ("GET", "/kiosk/qr.svg"): Route(
        ANYONE, 200, lambda o: [Req("/kiosk/qr.svg?data=" + o.issue()["status_url"].replace(":", "%3A"))]
    ),
    ("GET", "/kiosk/static/<path:filename>"): Route(ANYONE, 200, _one("/kiosk/static/kiosk.js")),
    ("GET", "/display/"): Route(ANYONE, 200, _one("/display/")),
    ("GET", "/display/static/<path:filename>"): Route(ANYONE, 200, _one("/display/static/display.js")),
    ("GET", "/static/<path:filename>"): Route(ANYONE, 200, _one("/static/vendor/socket.io.min.js")),
    ("GET", "/counter/static/<path:filename>"): Route(ANYONE, 200, _one("/counter/static/common.js")),
    ("GET", "/survey/"): Route(ANYONE, 200, _one("/survey/")),
    ("GET", "/t/"): Route(ANYONE, 404, _one("/t/")),
    ("GET", "/t/<token>"): Route(ANYONE, 200, lambda o: [Req(f"/t/{o.issue()['token']}")]),
    # the staff pages whose data comes from the API: their login form to anyone
    ("GET", "/counter/"): Route(ANYONE, 200, _one("/counter/")),
    ("GET", "/counter/front"): Route(ANYONE, 200, _one("/counter/front")),
    ("GET", "/counter/admin"): Route(ANYONE, 200, _one("/counter/admin")),
    ("GET", "/counter/escalations"): Route(ANYONE, 200, _one("/counter/escalations")),
    ("GET", "/counter/complaints"): Route(ANYONE, 200, _one("/counter/complaints")),
    ("GET", "/counter/password"): Route(ANYONE, 200, _one("/counter/password")),
    # -- every staff login: the pages the server draws with visitors' data, the day's lists, the reports ----
    ("GET", "/counter/form/<token>"): Route(STAFF, 200, _served, page=True),
    ("GET", "/counter/recap"): Route(STAFF, 200, _one("/counter/recap" + RANGE), page=True),
    ("GET", "/counter/guestbook"): Route(STAFF, 200, _one("/counter/guestbook" + RANGE), page=True),
    ("GET", "/counter/dashboard"): Route(STAFF, 200, _one("/counter/dashboard" + RANGE), page=True),
    ("GET", "/counter/skm"): Route(STAFF, 200, _one("/counter/skm" + RANGE), page=True),
    ("GET", "/api/me"): Route(STAFF, 200, _one("/api/me")),
    ("GET", "/api/tickets"): Route(STAFF, 200, _one("/api/tickets")),
    ("GET", "/api/staff/state"): Route(STAFF, 200, _one("/api/staff/state")),
    ("GET", "/api/print-jobs"): Route(STAFF, 200, _one("/api/print-jobs")),
    ("GET", "/api/tickets/<ref>/history"): Route(
        STAFF, 200, lambda o: [Req(f"/api/tickets/{o.issue()['label']}/history")]
    ),
    ("GET", "/api/tickets/<ref>/earlier"): Route(
        STAFF, 200, lambda o: [Req(f"/api/tickets/{o.issue()['label']}/earlier")]
    ),
    ("GET", "/api/escalations"): Route(STAFF, 200, _one("/api/escalations")),
    ("GET", "/api/recap"): Route(STAFF, 200, _one("/api/recap" + RANGE)),
    ("GET", "/api/guestbook"): Route(STAFF, 200, _one("/api/guestbook" + RANGE + "&format=csv")),
    ("GET", "/api/figures"): Route(STAFF, 200, _one("/api/figures" + RANGE)),
    ("GET", "/api/skm"): Route(STAFF, 200, _one("/api/skm" + RANGE + "&format=xlsx")),
    ("GET", "/api/complaints"): Route(STAFF, 200, _one("/api/complaints")),
    ("POST", "/api/complaints/<complaint_id>/answer"): Route(
        STAFF, 200, lambda o: [Req(f"/api/complaints/{o.complaint()}/answer", {"answer": "Loket ditambah."})]
    ),
    ("POST", "/api/complaints/<complaint_id>/close"): Route(
        STAFF, 200, lambda o: [Req(f"/api/complaints/{o.complaint()}/close")]
    ),
    ("POST", "/api/complaints/<complaint_id>/reopen"): Route(STAFF, 200, lambda o: _reopen(o)),
    ("POST", "/api/tickets/<ref>/form"): Route(STAFF, 200, _form),
    ("POST", "/api/counters/<int:counter_id>/release"): Route(
        STAFF, 200, lambda o: [Req(f"/api/counters/{o.counter()}/release")]
    ),
    # -- officers (an admin acts at any counter) ------------------------------------------------------------
    ("POST", "/api/counters/<int:counter_id>/<action>"): Route(OFFICERS, 200, _counter_actions),
    ("GET", "/api/counters/<int:counter_id>/last-finished"): Route(
        OFFICERS, 200, lambda o: [Req(f"/api/counters/{o.counter()}/last-finished")]
    ),
    ("GET", "/api/counters/<int:counter_id>/draft"): Route(
        OFFICERS, 200, lambda o: [Req(f"/api/counters/{o.counter()}/draft")]
    ),
    ("POST", "/api/counters/<int:counter_id>/draft"): Route(OFFICERS, 200, _draft),
    ("POST", "/api/tickets/<ref>/print-form"): Route(
        OFFICERS, 202, lambda o: [Req(f"/api/tickets/{o.resolved()['label']}/print-form", {"counter_id": o.counter()})]
    ),
    ("POST", "/api/tickets/<ref>/correct"): Route(
        OFFICERS, 200, lambda o: [Req(f"/api/tickets/{o.resolved()['label']}/correct", {"solution": "Dibetulkan"})]
    ),
    # mail off in this office: the case has no mail to send again (409 no_mail); tests/test_mail_requeue.py sends one
    ("POST", "/api/escalations/<ref>/resend"): Route(
        STAFF, 409, lambda o: [Req(f"/api/escalations/{o.escalated()['label']}/resend")]
    ),
    # mail off in this office: no mail went, no correction LKPP lacks (409 no_correction_pending);
    # tests/test_escalation_reopen_pages.py records one
    ("POST", "/api/escalations/<ref>/correction-sent"): Route(
        STAFF, 409, lambda o: [Req(f"/api/escalations/{o.escalated()['label']}/correction-sent")]
    ),
    ("POST", "/api/tickets/<ref>/lkpp-ticket"): Route(
        OFFICERS, 200, lambda o: [Req(f"/api/tickets/{o.escalated()['label']}/lkpp-ticket", {"lkpp_ticket": "TTS-1"})]
    ),
    ("POST", "/api/tickets/<ref>/close"): Route(
        OFFICERS, 200, lambda o: [Req(f"/api/tickets/{o.escalated()['label']}/close", {"answer": "Selesai"})]
    ),
    # a close made by mistake undone: officers and the front office alike
    ("POST", "/api/tickets/<ref>/reopen"): Route(
        STAFF, 200, lambda o: [Req(f"/api/tickets/{o.closed()['label']}/reopen")]
    ),
    # -- the front office ----------------------------------------------------------------------------------
    ("POST", "/api/tickets/<ref>/cancel"): Route(
        FRONT_OFFICE, 200, lambda o: [Req(f"/api/tickets/{o.issue()['label']}/cancel")]
    ),
    ("POST", "/api/tickets/<ref>/reprint"): Route(
        FRONT_OFFICE, 202, lambda o: [Req(f"/api/tickets/{o.issue()['label']}/reprint")]
    ),
    # -- admins --------------------------------------------------------------------------------------------
    ("GET", "/api/admin/settings"): Route(ADMINS, 200, _one("/api/admin/settings")),
    ("PUT", "/api/admin/settings/<section>"): Route(
        ADMINS, 200, _one("/api/admin/settings/office", {"value": {"name": "LPSE Uji"}})
    ),
    ("DELETE", "/api/admin/settings/<section>"): Route(ADMINS, 200, _one("/api/admin/settings/kiosk")),
    ("GET", "/api/admin/users"): Route(ADMINS, 200, _one("/api/admin/users")),
    ("POST", "/api/admin/users"): Route(
        ADMINS, 201, _one("/api/admin/users", {"username": "baru", "password": "sandi-baru-1", "role": ADMIN})
    ),
    ("POST", "/api/admin/users/<username>/password"): Route(
        ADMINS, 200, _one("/api/admin/users/target/password", {"password": "sandi-baru-2"})
    ),
    ("POST", "/api/admin/users/<username>/profile"): Route(
        ADMINS, 200, _one("/api/admin/users/target/profile", {"full_name": "Target, S.Kom."})
    ),
    ("POST", "/api/admin/users/<username>/active"): Route(
        ADMINS, 200, _one("/api/admin/users/target/active", {"active": False})
    ),
    ("GET", "/api/admin/voice"): Route(ADMINS, 200, _one("/api/admin/voice")),
    ("POST", "/api/admin/voice/clips"): Route(ADMINS, 201, _clip),
    ("POST", "/api/admin/voice/preview"): Route(
        ADMINS, 200, _one("/api/admin/voice/preview", {"label": "A-1", "counter_id": 1})
    ),
    ("POST", "/api/admin/voice/test-call"): Route(
        ADMINS, 200, _one("/api/admin/voice/test-call", {"label": "A-1", "counter_id": 1})
    ),
    ("GET", "/api/admin/survey"): Route(ADMINS, 200, _one("/api/admin/survey")),
    ("PUT", "/api/admin/survey"): Route(ADMINS, 200, _one("/api/admin/survey", {"elements": {"U1": None}})),
    # -- every staff login, its own password only (its other sessions end, the one sending it goes on) -------
    ("POST", "/api/me/password"): Route(
        STAFF, 200, _one("/api/me/password", {"current": "rahasia-123", "new": "sandi-sendiri-2"})
    ),
    # -- last: a login (on a copy of the role's cookie), then the logout ------------------------------------
    ("POST", "/api/login"): Route(ANYONE, 200, _one("/api/login", {"username": "cadangan", "password": "rahasia-123"})),
    ("POST", "/api/logout"): Route(STAFF, 200, _one("/api/logout")),
}


def _reopen(o: Office) -> list[Req]:
    complaint = o.complaint()
    o.service.survey.close_complaint(str(complaint), "kepala2")  # closed by another than its officer
    return [Req(f"/api/complaints/{complaint}/reopen")]


# Socket.IO: each identity a client may connect as (its `auth`), the logins it needs, the rooms it joins.
SOCKET_ROLES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "display": (ANYONE, frozenset({"public", "display"})),
    "kiosk": (ANYONE, frozenset({"public"})),
    "ticket": (ANYONE, frozenset({"public", "ticket:"})),  # its own ticket's room
    "agent": (ANYONE, frozenset({"agent:kiosk"})),  # with its printer's token, whoever is logged in
    "counter": (STAFF, frozenset({"staff"})),
    "frontoffice": (STAFF, frozenset({"staff"})),
    "staff": (STAFF, frozenset({"staff"})),
}
# A counter page's socket naming its counter (`counter_id`): an officer's or an admin's joins that counter's room
# too (its draft saved on another PC or tab, told without its text: server/realtime.py tell_counter), and moves to
# another counter's room when it sends `counter`. Nobody else's socket joins one, nor moves by sending it.
COUNTER_ROOM_ROLES = OFFICERS
# Each event handler and who may send it: a fresh snapshot is the room's (staff: the forms), a print
# acknowledgement and its printer's paper an agent's.
SOCKET_EVENTS = {
    "connect": "SOCKET_ROLES",
    "disconnect": "anyone connected",
    "snapshot": "its rooms'",
    "print_ack": "agent",
    "printer_status": "agent",
    "counter": "a counter page of COUNTER_ROOM_ROLES: its counter's room",
}


def rule_of(rule) -> list[tuple[str, str]]:
    return [(m, rule.rule) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]


def session_of(app, role: str):
    """A test client logged in as `role` (or none), and the headers its writes send."""
    client = app.test_client()
    if role == ANON:
        return client, {}
    return client, login(app, client, ACCOUNTS[role], role)


def send(client, method: str, req: Req, headers: dict):
    if req.json is None and method in ("GET", "DELETE"):
        return client.open(req.path, method=method, headers=headers)
    return client.open(req.path, method=method, json=req.json if req.json is not None else {}, headers=headers)


def assert_refused(resp, role: str, route: Route, where: str) -> None:
    if route.page and role == ANON:
        assert resp.status_code == 302, where
        assert resp.headers["Location"].startswith("/counter/?next="), where
        return
    expected = (401, "login_required") if role == ANON else (403, "forbidden")
    body = resp.get_json(silent=True)
    assert isinstance(body, dict), (where, resp.status_code, resp.data[:300])  # an error, never the data
    assert (resp.status_code, body.get("error")) == expected, (where, body)
    assert set(body) == {"error", "message", "fields"} and body["fields"] == {}, where


# -- the tests ---------------------------------------------------------------------------------------------


def test_every_route_and_event_has_a_row(app):
    routes = {key for rule in app.url_map.iter_rules() for key in rule_of(rule)}
    assert sorted(routes - set(ROUTES)) == [], "a route without a row in ROUTES: who may use it?"
    assert sorted(set(ROUTES) - routes) == [], "a row of ROUTES with no route"
    handlers = set(app.extensions["antrian.socketio"].server.handlers["/"])
    assert handlers == set(SOCKET_EVENTS), "a Socket.IO event without a row in SOCKET_EVENTS"


def test_the_table_agrees_with_the_openapi_documents_roles(app):
    """Each /api operation's `x-roles` (none: public) are the table's: the contract and the test say the same."""
    from server.api import COUNTER_ACTIONS
    from server.openapi import SPEC

    adapter = app.url_map.bind("localhost")
    seen = set()
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            filled = re.sub(r"\{(\w+)\}", lambda m: "1" if m.group(1) == "counter_id" else "x", path)
            rule, _ = adapter.match(filled, method.upper(), return_rule=True)
            key = (method.upper(), rule.rule)
            roles = set(op.get("x-roles", ROLES))
            staff_roles = {r for r in ROUTES[key].allowed if r != ANON} if "x-roles" in op else set(ROUTES[key].allowed)
            assert roles == staff_roles, (method, path, roles, ROUTES[key].allowed)
            seen.add(key)
    api = {k for k in ROUTES if k[1].startswith("/api/") or k[1] == "/healthz"}
    assert api - seen == set(), "an API route the OpenAPI document leaves out"
    assert set(COUNTER_ACTIONS) <= {p.rsplit("/", 1)[1] for p in SPEC["paths"] if "/counters/" in p}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_table_says_and_nothing_more(app, role):
    """Every route as `role`: the declared answer when the table allows it, else a refusal that carries no
    data and changes nothing."""
    office = Office(app)
    client, headers = session_of(app, role)
    for (method, rule), route in ROUTES.items():
        for req in route.sample(office):
            where = f"{role} {method} {req.path}"
            sender = client
            if rule == "/api/login":  # on a copy of the role's cookie: the role's own session goes on
                sender = app.test_client()
                if role != ANON:
                    sender.set_cookie("session", client.get_cookie("session").value)
            before = office.footprint()
            resp = send(sender, method, req, headers)
            assert resp.status_code < 500, (where, resp.data[:300])
            if role in route.allowed:
                assert resp.status_code == route.ok, (where, resp.status_code, resp.data[:300])
            else:
                assert_refused(resp, role, route, where)
                assert office.footprint() == before, f"{where}: refused, yet something changed"
            resp.close()


# -- an officer at another counter ----------------------------------------------------------------------


def test_an_officer_acts_only_at_a_counter_they_may_hold(app):
    """Bound to counter 1, every action elsewhere is 403 counter_bound; at a counter another officer holds,
    409 counter_taken (its release too); from one's own counter another counter's ticket cannot be called
    or acted on, whatever the body names; that ticket stays where it is."""
    office = Office(app)
    bound = app.test_client()
    bh = login(app, bound, "dewi", OFFICER, counter_id=1)
    sari = app.test_client()
    sh = login(app, sari, "sari", OFFICER)
    other = app.test_client()
    oh = login(app, other, "eko", OFFICER)
    held = office.counter()
    assert sari.post(f"/api/counters/{held}/pause", headers=sh).status_code == 200  # sari holds it now
    assert sari.post(f"/api/counters/{held}/resume", headers=sh).status_code == 200
    victim = office.issue()["label"]
    office.at(held, victim)
    waiting = office.issue("C")["label"]
    bodies = {
        "call": {"ticket": waiting},
        "resolve": {"solution": "x"},
        "escalate": {"note": "x"},
        "transfer": {"service": "B"},
    }
    from server.api import COUNTER_ACTIONS

    for action in COUNTER_ACTIONS:
        before = office.footprint()
        r = bound.post(f"/api/counters/{held}/{action}", json=bodies.get(action, {}), headers=bh)
        assert (r.status_code, r.get_json()["error"]) == (403, "counter_bound"), action
        r = other.post(f"/api/counters/{held}/{action}", json=bodies.get(action, {}), headers=oh)
        assert (r.status_code, r.get_json()["error"]) == (409, "counter_taken"), action
        assert office.footprint() == before, action
    before = office.footprint()
    r = other.post(f"/api/counters/{held}/release", headers=oh)
    assert (r.status_code, r.get_json()["error"]) == (409, "counter_taken")
    assert office.footprint() == before
    own = office.counter()  # eko's own counter, naming sari's ticket in the body or acting on it from there
    r = other.post(f"/api/counters/{own}/call", json={"ticket": victim}, headers=oh)
    assert (r.status_code, r.get_json()["error"]) == (409, "ticket_not_waiting")
    for action in ("recall", "skip", "start", "resolve", "escalate", "transfer"):
        r = other.post(f"/api/counters/{own}/{action}", json={**bodies.get(action, {}), "ticket": victim}, headers=oh)
        assert (r.status_code, r.get_json()["error"]) == (409, "no_ticket"), action
    state = office.prep.get("/api/staff/state").get_json()
    assert {t["label"]: (t["status"], t["counter_id"]) for t in state["tickets"]}[victim] == ("called", held)


def test_an_officer_cannot_send_back_a_ticket_called_at_a_counter_nobody_holds(app):
    """An officer frees only a counter they hold (docs/api.md, Release): an officer's release of a counter
    nobody holds, where an admin's call waits for its visitor, changes nothing; the front office's sends
    the ticket back to the line, as documented."""
    office = Office(app)
    bound, free = app.test_client(), app.test_client()
    bh = login(app, bound, "dewi", OFFICER, counter_id=1)
    fh = login(app, free, "eko", OFFICER)
    counter = office.counter()
    label = office.issue()["label"]
    office.at(counter, label)  # the admin's call: nobody holds the counter
    for client, h in ((bound, bh), (free, fh)):
        before = office.footprint()
        r = client.post(f"/api/counters/{counter}/release", headers=h)
        assert r.status_code == 200, r.get_json()
        assert office.footprint() == before, "an officer's release of a counter they do not hold changed it"
    front = app.test_client()
    rh = login(app, front, "rina", FRONT)
    assert front.post(f"/api/counters/{counter}/release", headers=rh).status_code == 200
    state = office.prep.get("/api/staff/state").get_json()
    assert {t["label"]: t["status"] for t in state["tickets"]}[label] == "waiting"


def test_a_form_copy_prints_only_at_a_counter_the_officer_may_hold(app):
    """The visitor's whole form goes on paper at the counter named in the body: an officer bound to another
    counter is refused (403 counter_bound), as is one at a counter another officer holds (409
    counter_taken), with no print job; their own counter, or a free one, prints; an admin prints anywhere."""
    office = Office(app)
    done = office.resolved()["label"]
    bound = app.test_client()
    bh = login(app, bound, "dewi", OFFICER, counter_id=1)
    sari, eko = app.test_client(), app.test_client()
    sh, eh = login(app, sari, "sari", OFFICER), login(app, eko, "eko", OFFICER)
    held = office.counter()
    assert sari.post(f"/api/counters/{held}/pause", headers=sh).status_code == 200
    before = office.footprint()
    r = bound.post(f"/api/tickets/{done}/print-form", json={"counter_id": held}, headers=bh)
    assert (r.status_code, r.get_json()["error"]) == (403, "counter_bound")
    r = eko.post(f"/api/tickets/{done}/print-form", json={"counter_id": held}, headers=eh)
    assert (r.status_code, r.get_json()["error"]) == (409, "counter_taken")
    assert office.footprint() == before, "a refused form copy was queued"
    assert sari.post(f"/api/tickets/{done}/print-form", json={"counter_id": held}, headers=sh).status_code == 202
    assert (
        eko.post(f"/api/tickets/{done}/print-form", json={"counter_id": office.counter()}, headers=eh).status_code
        == 202
    )
    assert office.post(f"/api/tickets/{done}/print-form", {"counter_id": held}, 202)  # the admin


def test_a_correction_of_another_officers_record_is_allowed_and_recorded_with_its_author(app):
    """Any officer corrects a finished record (docs/api.md: the recap is the office's); the `corrected`
    event names who corrected it and each old and new value, and the record keeps its first officer."""
    office = Office(app)
    sari = app.test_client()
    sh = login(app, sari, "sari", OFFICER)
    t = office.issue()
    counter = office.counter()
    assert sari.post(f"/api/counters/{counter}/call", json={"ticket": t["label"]}, headers=sh).status_code == 200
    assert sari.post(f"/api/counters/{counter}/start", headers=sh).status_code == 200
    assert sari.post(f"/api/counters/{counter}/resolve", json={"solution": "Reset"}, headers=sh).status_code == 200
    budi = app.test_client()
    bh = login(app, budi, "budi", OFFICER)
    r = budi.post(f"/api/tickets/{t['label']}/correct", json={"solution": "Reset lewat admin"}, headers=bh)
    assert r.status_code == 200 and r.get_json()["ticket"]["officer"] == "sari"
    events = budi.get(f"/api/tickets/{t['label']}/history").get_json()["events"]
    corrected = [e for e in events if e["type"] == "corrected"]
    assert [(e["actor"], e["data"]["changes"]) for e in corrected] == [
        ("budi", {"solution": {"old": "Reset", "new": "Reset lewat admin"}})
    ]


# -- an account's own role, counter and name -------------------------------------------------------------


@pytest.mark.parametrize("role", [OFFICER, FRONT])
def test_no_account_below_admin_changes_its_own_role_counter_name_or_password(app, role):
    office = Office(app)
    client, h = session_of(app, role)
    me = ACCOUNTS[role]
    before = office.footprint()
    tries = [
        (f"/api/admin/users/{me}/profile", {"full_name": "Kepala Kantor", "nip": "19850101 201001 1 001"}),
        (f"/api/admin/users/{me}/password", {"password": "sandi-sendiri-1"}),
        (f"/api/admin/users/{me}/active", {"active": True}),
        ("/api/admin/users", {"username": me, "password": "sandi-sendiri-1", "role": ADMIN}),
        ("/api/admin/users", {"username": f"{me}2", "password": "sandi-sendiri-1", "role": ADMIN, "counter_id": 2}),
    ]
    for path, body in tries:
        r = client.post(path, json=body, headers=h)
        assert (r.status_code, r.get_json()["error"]) == (403, "forbidden"), path
    counters = [{"id": 1, "name": "Loket 1", "services": ["A"]}]
    r = client.put("/api/admin/settings/counters", json={"value": counters}, headers=h)
    assert (r.status_code, r.get_json()["error"]) == (403, "forbidden")
    assert office.footprint() == before
    user = client.get("/api/me").get_json()["user"]
    assert (user["role"], user["counter_id"], user["full_name"]) == (role, None, None)


# -- an admin disabled or demoted; a staff socket after its session ---------------------------------------


def socket_events(messages: list) -> list:
    """The events among a socket's messages, one by one ("event" carries one, "events" a batch)."""
    return [
        e
        for m in messages
        if m["name"] in ("event", "events")
        for e in (m["args"][0] if m["name"] == "events" else m["args"])
    ]


def connect_snapshot(sock) -> tuple[dict, list]:
    """The one snapshot a socket got on connecting, and the events received with it that it does not hold. The
    socket joins its rooms before its snapshot is sent (server/realtime.py on_connect) and the publisher is a
    thread of its own: under load the events of the office's own setup come before the snapshot, or after it."""
    got = sock.get_received()
    snapshots = [m["args"][0] for m in got if m["name"] == "snapshot"]
    assert len(snapshots) == 1, got
    seq = snapshots[0]["seq"]
    return snapshots[0], [e for e in socket_events(got) if not isinstance(e, dict) or e.get("seq", 1 << 62) > seq]


def staff_socket(app, client):
    socketio = app.extensions["antrian.socketio"]
    sock = socketio.test_client(app, auth={"role": "staff"}, flask_test_client=client)
    assert sock.is_connected()
    snapshot, sock.early = connect_snapshot(sock)  # received_events starts from those it does not hold
    sock.seen_seq = snapshot["seq"]
    return sock


def staff_room(app) -> set[str]:
    """The Engine.IO sessions in the staff room: those that get every visitor's form."""
    server = app.extensions["antrian.socketio"].server
    return {eio_sid for _sid, eio_sid in server.manager.get_participants("/", "staff")}


def received_events(sock, until: Callable[[list], bool], seconds: float = 15.0) -> list:
    """The events the socket has received once `until(them)` holds (the publisher is a thread of its own)."""
    got: list = list(sock.early)
    sock.early = []
    deadline = time.monotonic() + seconds
    while True:
        if sock.is_connected():
            evs = socket_events(sock.get_received())
            got += [e for e in evs if not isinstance(e, dict) or e.get("seq", 1 << 62) > sock.seen_seq]
        if until(got) or time.monotonic() > deadline:
            return got
        time.sleep(0.01)


def test_an_admin_disabled_by_another_loses_its_pages_and_its_socket_at_once(app):
    office = Office(app)
    kepala = app.test_client()
    kh = login(app, kepala, "kepala", ADMIN)
    sock = staff_socket(app, kepala)
    watcher = staff_socket(app, office.prep)
    assert office.post("/api/admin/users/kepala/active", {"active": False})["user"]["active"] is False
    assert not sock.is_connected(), "the disabled admin's staff socket stays open"
    assert kepala.get("/api/admin/users").status_code == 401
    r = kepala.post("/api/admin/users/boss/active", json={"active": False}, headers=kh)
    assert r.status_code == 401
    label = office.issue()["label"]
    seen = received_events(watcher, lambda evs: any(e["type"] == "issued" for e in evs))
    assert [e["ticket"]["label"] for e in seen if e["type"] == "issued"] == [label]  # the event went out...
    assert sock.eio_sid not in staff_room(app)  # ... not to the disabled admin


def test_an_admin_demoted_loses_its_session_and_socket_and_logs_in_again_as_what_it_is(app):
    office = Office(app)
    kepala = app.test_client()
    login(app, kepala, "kepala", ADMIN)
    sock = staff_socket(app, kepala)
    assert sock.eio_sid in staff_room(app)
    with app.extensions["antrian"].store.write() as tx:  # no route changes a role: the database, by hand
        tx.update_user("kepala", role=FRONT)
    assert kepala.get("/api/admin/settings").status_code == 401
    app.extensions["antrian"].check_sessions()  # what the maintenance loop does every second
    assert not sock.is_connected() and sock.eio_sid not in staff_room(app)
    r = kepala.post("/api/login", json={"username": "kepala", "password": "rahasia-123"})
    assert r.get_json()["user"]["role"] == FRONT
    h = {"X-CSRFToken": r.get_json()["csrf_token"]}
    assert kepala.get("/api/admin/settings").status_code == 403
    before = office.footprint()
    assert kepala.post("/api/admin/users/boss/active", json={"active": False}, headers=h).status_code == 403
    assert office.footprint() == before


def test_sessions_that_end_together_each_free_their_counters_though_one_release_fails(app, monkeypatch):
    """At the office's midnight several officers' sessions end in the same look (check_sessions): each account's
    counters are freed. One release that failed (the database locked by a command-line job) took the releases of
    the accounts after it along, and nothing tried them again: their sockets were gone."""
    import server.realtime

    office = Office(app)
    socks = []
    for name in ("malam1", "malam2"):
        client = app.test_client()
        login(app, client, name, OFFICER)
        socks.append(staff_socket(app, client))
    svc = office.service
    ids = {svc.accounts.user(name)["id"] for name in ("malam1", "malam2")}
    tried: list[int] = []

    def release_ended(uid: int) -> None:
        tried.append(uid)
        if len(tried) == 1:
            raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(server.realtime, "session_ends", lambda signed_in, tz: 0.0)  # past every session's end
    monkeypatch.setattr(svc, "release_ended", release_ended)
    svc.check_sessions()
    assert not any(sock.is_connected() for sock in socks)
    assert sorted(tried) == sorted(ids), "an account whose session ended had its counters left held"


def test_a_staff_socket_hears_nothing_after_its_logout(app):
    office = Office(app)
    budi = app.test_client()
    bh = login(app, budi, "budi", OFFICER)
    sock = staff_socket(app, budi)
    watcher = staff_socket(app, office.prep)
    assert budi.post("/api/logout", headers=bh).status_code == 200
    assert not sock.is_connected()
    label = office.issue()["label"]
    seen = received_events(watcher, lambda evs: any(e["type"] == "issued" for e in evs))
    assert [e["ticket"]["label"] for e in seen if e["type"] == "issued"] == [label]
    assert sock.eio_sid not in staff_room(app)


# -- Socket.IO: identities, rooms and events -------------------------------------------------------------


def _rooms(app, sock) -> set[str]:
    server = app.extensions["antrian.socketio"].server
    sid = server.manager.sid_from_eio_sid(sock.eio_sid, "/")
    return {r for r in server.rooms(sid, "/") if r != sid}


@pytest.mark.parametrize("role", ROLES)
def test_each_socket_identity_joins_only_its_rooms(app, role):
    office = Office(app)
    token = office.issue()["token"]
    client, _ = session_of(app, role)
    socketio = app.extensions["antrian.socketio"]
    for identity, (allowed, rooms) in SOCKET_ROLES.items():
        auth = {"role": identity}
        if identity == "ticket":
            auth["token"] = token
        if identity == "agent":
            auth.update(printer="kiosk", token=AGENT_TOKEN)
        if identity == "counter":
            auth["counter_id"] = 1
        sock = socketio.test_client(app, auth=auth, flask_test_client=client)
        if role not in allowed:
            assert not sock.is_connected(), (role, identity)
            continue
        assert sock.is_connected(), (role, identity)
        joined = {r.split(":")[0] + ":" if r.startswith("ticket:") else r for r in _rooms(app, sock)}
        own = identity == "counter" and role in COUNTER_ROOM_ROLES
        assert joined == rooms | ({"counter:1"} if own else set()), (role, identity, joined)
        sock.emit("counter", 2)  # the page picked counter 2: only a counter page of those roles moves
        moved = {r.split(":")[0] + ":" if r.startswith("ticket:") else r for r in _rooms(app, sock)}
        assert moved == rooms | ({"counter:2"} if own else set()), (role, identity, moved)
        snapshot, _ = connect_snapshot(sock)
        assert ("tickets" in snapshot) == ("staff" in rooms), (role, identity)  # the forms: the staff's only
        sock.emit("snapshot")
        again = [m["args"][0] for m in sock.get_received() if m["name"] == "snapshot"]
        assert len(again) == 1 and ("tickets" in again[0]) == ("staff" in rooms), (role, identity)
        ack = sock.emit("print_ack", {"job": 1, "ok": True}, callback=True)
        if identity == "agent":  # its printer's job, looked up (the matrix's office queued none for it yet)
            assert ack in ({"ok": True}, {"ok": False}), (role, ack)
        else:
            assert ack == {"ok": False, "error": "not_agent"}, (role, identity)
        told = sock.emit("printer_status", {"paper": "low"}, callback=True)  # its printer's paper, an agent's alone
        assert told == ({"ok": True} if identity == "agent" else {"ok": False, "error": "not_agent"}), (role, told)
        sock.disconnect()
    for wrong in ({"role": "agent", "printer": "kiosk", "token": "x" * 30}, {"role": "ticket", "token": "nope"}):
        assert not socketio.test_client(app, auth=wrong, flask_test_client=client).is_connected(), wrong


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://localhost:9999"])
def test_a_page_of_another_site_cannot_open_a_socket_with_the_staff_cookie(app, origin):
    """A WebSocket or long-polling handshake carries the session cookie whatever page opens it: engineio
    refuses any Origin but the server's own, so another site's page cannot join the staff room."""
    client, _ = session_of(app, OFFICER)
    r = client.get("/socket.io/?EIO=4&transport=polling", headers={"Origin": origin})
    assert r.status_code == 400 and b"Not an accepted origin" in r.data


def test_a_kiosk_is_its_address_and_any_staff_login_takes_numbers_from_any_device(app):
    """The kiosk's identity is its address ([kiosk] addresses): another device without a login is refused (403
    kiosk_only) and nothing is issued; a staff login on that device registers, as the front office does."""
    office = Office(app)
    r = office.prep.put("/api/admin/settings/kiosk", json={"value": {"addresses": ["10.0.0.5"]}}, headers=office.ph)
    assert r.status_code == 200, r.get_json()
    anon = app.test_client()
    before = office.footprint()
    r = anon.post("/api/tickets", json=visitor())
    assert (r.status_code, r.get_json()["error"]) == (403, "kiosk_only")
    assert office.footprint() == before
    r = anon.post("/api/tickets", json=visitor(), environ_base={"REMOTE_ADDR": "10.0.0.5"})
    assert r.status_code == 201
    for role in (OFFICER, FRONT, ADMIN):
        client, _ = session_of(app, role)
        assert client.post("/api/tickets", json=visitor()).status_code == 201, role


# -- CSRF and content types ------------------------------------------------------------------------------


def _writes() -> list[tuple[str, str]]:
    return [
        key for key, route in ROUTES.items() if key[0] != "GET" and route.allowed != ANYONE and ADMIN in route.allowed
    ]


def test_every_write_of_a_login_needs_its_own_sessions_csrf_header(app):
    """Each write of a login, as an admin (whom every role check lets by): no X-CSRFToken, a wrong one, or
    another session's, is 403 csrf and changes nothing."""
    office = Office(app)
    client, h = session_of(app, ADMIN)
    other = app.test_client()
    oh = login(app, other, "sari", OFFICER)
    assert oh["X-CSRFToken"] != h["X-CSRFToken"]
    writes = _writes()
    assert len(writes) > 20
    for method, rule in writes:
        for req in ROUTES[(method, rule)].sample(office):
            for sent in ({}, {"X-CSRFToken": "x" * 32}, oh, {"X-CSRFToken": ""}):
                before = office.footprint()
                r = send(client, method, req, sent)
                assert (r.status_code, r.get_json()["error"]) == (403, "csrf"), (method, req.path, sent)
                assert office.footprint() == before, (method, req.path)
    assert client.get("/api/me").status_code == 200  # the session itself is untouched


@pytest.mark.parametrize("kind", ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"])
def test_the_writes_without_a_csrf_header_take_json_only(app, kind):
    """The writes that need no CSRF header (the kiosk's, the survey's, the login; the front office's POST
    /api/tickets, which a staff browser's kiosk page sends without one) read only a JSON body: what an HTML
    form of another site can send (form-encoded, multipart, text/plain) is 400 bad_json, and changes
    nothing, with a staff cookie too."""
    office = Office(app)
    staff, _ = session_of(app, FRONT)
    login_body = "username=cadangan&password=rahasia-123"
    for client in (app.test_client(), staff):
        for path, data in (
            ("/api/tickets", "service=A&name=Budi&agency=CV&address=Jl&phone=081234567890&problem=x"),
            ("/api/survey", "token=x&answers=1"),
            ("/api/survey/lookup", "ticket=A-001&phone_last4=7890"),
            ("/api/login", login_body),
        ):
            before = office.footprint()
            r = client.post(path, data=data, headers={"Content-Type": kind})
            assert (r.status_code, r.get_json()["error"]) == (400, "bad_json"), (path, kind)
            assert office.footprint() == before, path
    anon = app.test_client()
    anon.post("/api/login", data=login_body, headers={"Content-Type": kind})
    assert anon.get("/api/me").status_code == 401


@pytest.mark.parametrize("sent", ["é" * 32, "\u2603", "\x80abc"])
def test_a_csrf_header_of_other_characters_is_refused_not_a_server_error(app, sent):
    """hmac.compare_digest refuses str with non-ASCII characters (TypeError): such a header was a 500 and a
    traceback in the log for every request a login sent with it."""
    office = Office(app)
    client, h = session_of(app, OFFICER)
    before = office.footprint()
    r = client.post(f"/api/counters/{office.counter()}/pause", headers={"X-CSRFToken": sent})
    assert (r.status_code, r.get_json()["error"]) == (403, "csrf")
    assert office.footprint() == before


def test_a_print_agents_token_of_other_characters_is_refused_as_a_wrong_one(app, caplog):
    """The same for a print agent's token: refused and logged as a wrong token (the guesses counted), not a
    handler's exception."""
    socketio = app.extensions["antrian.socketio"]
    for token in ("é" * 30, "\ud800" * 20, AGENT_TOKEN[:-1] + "é"):
        with caplog.at_level("WARNING", logger="antrian.realtime"):
            sock = socketio.test_client(app, auth={"role": "agent", "printer": "kiosk", "token": token})
        assert not sock.is_connected()
    assert "print agent refused" in caplog.text
    assert "Traceback" not in caplog.text and "TypeError" not in caplog.text
    assert socketio.test_client(app, auth={"role": "agent", "printer": "kiosk", "token": AGENT_TOKEN}).is_connected()
