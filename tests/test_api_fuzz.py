"""Property-based fuzzing of the HTTP API from its OpenAPI document (Schemathesis, in-process WSGI).

Every operation of GET /api/openapi.json, anonymous and as an officer, a front-office clerk and an
admin (each with their session cookie and X-CSRFToken), gets data that fits its schema and data that
does not. Each answer must be a documented status, never a 5xx, fit the documented response schema
and content type (every error the shared {error, message, fields}); a role the operation does not
allow gets 401 login_required or 403 forbidden, and a 404 to any role but the admin is one the admin
gets too (no such thing), never a refusal in disguise (each role also sends one case at a ticket,
counter or account that exists); and a 4xx writes nothing: the event log's last seq, every ticket and
account row, and the number of forms, print jobs, mails, stored answers and settings are the same after.

Then test_hostile_values sends, to every operation, the values that generation from a schema seldom
makes but that break parsers and databases (a lone surrogate, a list or object where text goes, a
number past SQLite's integers, digits of other scripts, week dates, 30,000 "[", NaN, invalid UTF-8),
each in place of one path parameter, query parameter, header or body field (nested ones too) of an
otherwise fitting request, aimed at a ticket or counter in the state the operation needs. The same
checks apply, and a hostile query value must be refused with a 4xx.

Bounded for CI: a few examples per operation and role, no deadline, derandomized (the same cases
every run), no example database, no fsync.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import re
import traceback
from contextlib import suppress

import pytest
import schemathesis
from conftest import Clock, write_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.security import generate_password_hash

from server.errors import AntrianError
from server.openapi import SPEC

MAX_EXAMPLES = 4  # per operation, as admin and (public operations) anonymous
ROLE_EXAMPLES = 2  # per operation, as an officer or a front-office clerk who may call it
PASSWORD = "fuzz-password-1"
ROLES = ("anonymous", "officer", "frontoffice", "admin")
OPERATIONS = sorted(
    (path, method.upper()) for path, item in SPEC["paths"].items() for method in item if method != "parameters"
)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# What a refused request must not add or change: every row of these (compared whole) ...
COMPARED = ("tickets", "users")
# ... and how many rows these have (they are only added to). Counter claims are left out on purpose: an
# officer's first action on a counter claims it, even when the action itself is then refused (Office.hold).
COUNTED = ("forms", "print_jobs", "mails", "requests", "settings_overrides")
# The refusals kept for their request_id (server.errors.Changed): the one refusal that writes, its `requests` row.
KEPT_REFUSALS = ("ticket_changed", "counter_changed")


class Office:
    """One app for the whole module, a few tickets in every state, and a logged-in session per role."""

    def __init__(self, tmp):
        from server.app import create_app

        self.app = create_app(write_config(tmp), workers=False, clock=Clock(), synchronous="OFF")  # no fsync: speed
        self.app.config["TESTING"] = True
        self.store = self.app.extensions["antrian"].store
        self.errors: list[logging.LogRecord] = []
        handler = logging.Handler()
        handler.emit = self.errors.append  # the traceback of every 500, for the failure message
        self.app.logger.addHandler(handler)
        self.sessions: dict[str, tuple[str, str]] = {}
        self.call_kwargs: dict = {}  # e.g. data=: a raw body in place of the case's
        with self.store.write() as tx:
            cheap = generate_password_hash(PASSWORD, "pbkdf2:sha256:1")  # logging in again must not cost a scrypt
            for role in ROLES[1:]:
                tx.add_user(f"fz-{role}", cheap, role, Clock()(), None)
            tx.add_user("budi", cheap, "officer", Clock()(), None)  # the spec's example account, for the fuzzer
        for role in ROLES[1:]:
            self.login(role)
        self.seed()

    def login(self, role: str) -> None:
        client = self.app.test_client()
        # from an address of its own: the fuzzed logins' failures must not throttle these
        r = client.post(
            "/api/login",
            json={"username": f"fz-{role}", "password": PASSWORD},
            environ_base={"REMOTE_ADDR": "127.0.0.2"},
        )
        assert r.status_code == 200, r.get_json()
        self.sessions[role] = (client.get_cookie("session").value, r.get_json()["csrf_token"])

    def seed(self) -> None:
        """Waiting tickets, one serving at counter 1, one called at counter 2, one resolved, one escalated."""
        client = self.app.test_client()
        form = {"name": "Budi", "agency": "CV Maju", "address": "Jl. A 1", "phone": "081234567890", "problem": "Lupa"}
        for service in ("A", "B", "C", "A", "B", "A", "C", "B"):
            assert client.post("/api/tickets", json={"service": service, **form}).status_code == 201
        cookie, csrf = self.sessions["officer"]
        client.set_cookie("session", cookie)
        h = {"X-CSRFToken": csrf}
        for action, body in (
            ("call-next", None),
            ("start", None),
            ("resolve", {"solution": "Reset sandi"}),
            ("call-next", None),
            ("start", None),
            ("escalate", {"note": "Ke LKPP"}),
            ("call-next", None),
            ("start", None),
        ):
            assert client.post(f"/api/counters/1/{action}", json=body, headers=h).status_code == 200
        assert client.post("/api/counters/2/call-next", headers=h).status_code == 200
        client.post("/api/counters/1/release", headers=h)
        client.post("/api/counters/2/release", headers=h)
        with self.store.read() as tx:
            tickets = tx.rows("SELECT id, label, token FROM tickets")
        self.labels = sorted(t["label"] for t in tickets)
        # path parameters that name real things, so that the fuzzer also gets past the 404s
        self.pools = {
            "counter_id": [c.id for c in self.app.extensions["antrian"].settings.counters],
            "ref": sorted(
                {t["label"] for t in tickets} | {t["token"] for t in tickets} | {str(t["id"]) for t in tickets}
            ),
            "token": sorted(t["token"] for t in tickets),
            "username": ["budi"],
            "key": ["0" * 64],  # no speech is made here: an unknown key
            "complaint_id": [1],  # none is made here: an unknown complaint (tests/test_skm.py answers real ones)
        }

    def _staff(self, method: str, url: str, body: dict | None = None) -> dict:
        client = self.app.test_client()
        cookie, csrf = self.sessions["admin"]
        client.set_cookie("session", cookie)
        r = client.open(url, method=method, json=body, headers={"X-CSRFToken": csrf})
        assert r.status_code in (200, 201, 204), (url, r.status_code, r.get_data(as_text=True))
        return r.get_json(silent=True) or {}

    def issue(self, service: str) -> str:
        form = {"name": "Siti", "agency": "CV Baru", "address": "Jl. B 2", "phone": "081234567891", "problem": "Sandi"}
        # past a daily quota the fuzzer may have set (the office's hours never stop a login)
        body = {"service": service, **form, "override_quota": True}
        return self._staff("POST", "/api/tickets", body)["ticket"]["label"]

    def ensure_serving(self, counter_id: int) -> None:
        """Counter `counter_id` holds a ticket being served (resumed, if the fuzzer paused it)."""
        self._staff("POST", f"/api/counters/{counter_id}/resume")
        with self.store.read() as tx:
            ticket = tx.counter_ticket(counter_id)
        if ticket is not None and ticket.status == "serving":
            return
        if ticket is None:
            counter = self.app.extensions["antrian"].settings.counter(counter_id)
            self.issue(counter.services[0])
            self._staff("POST", f"/api/counters/{counter_id}/call-next")
        self._staff("POST", f"/api/counters/{counter_id}/start")

    def ticket_in(self, status: str) -> str:
        """Today's label of a ticket in `status` (waiting, resolved or escalated), made when there is none."""
        with self.store.read() as tx:
            row = tx.one("SELECT label FROM tickets WHERE status = ? ORDER BY id DESC LIMIT 1", (status,))
        if row:
            return row["label"]
        if status == "waiting":
            return self.issue("B")
        self.ensure_serving(3)
        action, body = ("escalate", {"note": "Ke LKPP"}) if status == "escalated" else ("resolve", {"solution": "Ok"})
        return self._staff("POST", f"/api/counters/3/{action}", body)["ticket"]["label"]

    def hold(self, counter_id) -> None:
        """The officer holds counter `counter_id`, when there is one: an officer's first action on a counter claims
        it, even one then refused, and that claim is no write of the refused action's."""
        if counter_id not in self.pools["counter_id"]:
            return
        with self.store.read() as tx:
            user = tx.one("SELECT id, username, role, counter_id FROM users WHERE username = 'fz-officer'")
        with suppress(AntrianError):  # taken by another officer: the case's answer says so
            self.app.extensions["antrian"].claim_counter(counter_id, dict(user))

    def footprint(self) -> tuple:
        """The event log's last seq, the row counts and a digest of the rows a refused request must leave alone."""
        with self.store.read() as tx:
            digest = hashlib.sha256()
            for table in COMPARED:
                digest.update(json.dumps(tx.rows(f"SELECT * FROM {table} ORDER BY rowid"), default=str).encode())
            counts = {t: tx.one(f"SELECT count(*) AS n, max(rowid) AS last FROM {t}") for t in COMPARED + COUNTED}
            return tx.last_seq(), counts, digest.hexdigest()

    def close(self) -> None:
        self.app.extensions["antrian"].stop()
        self.store.close()


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        # new passwords and unknown accounts' logins cost a scrypt hash each (0.1 s): a cheap one here
        mp.setattr("server.passwords.generate_password_hash", lambda pw: generate_password_hash(pw, "pbkdf2:sha256:1"))
        office = Office(tmp_path_factory.mktemp("fuzz"))
        yield office
        office.close()


@pytest.fixture(scope="module")
def schema(office):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", office.app)


def _explain(case, response, office: Office, problem: str) -> str:
    lines = [problem, f"request: {case.method} {response.request.url}"]
    if response.request.body:
        body = response.request.body
        lines.append(f"body: {body[:300]!r}{'…' if len(body) > 300 else ''}")
    lines.append(f"answer: {response.status_code} {response.text[:300]}")
    for record in office.errors[-1:]:
        if record.exc_info:
            lines.append("".join(traceback.format_exception(*record.exc_info)[-3:]))
    return "\n".join(lines)


def strategy(office: Office, operation, path: str, method: str, aimed: bool = False):
    """Cases that fit the schema, cases that do not, and fitting ones aimed at real tickets, counters and
    accounts, with the document's example body. `aimed`: only the last, at a ticket, counter or account that
    exists, so that a 404 cannot pass for a missing thing: one that hides a role's refusal, or refuses a role
    the operation allows (no complaint or speech is made here: those stay unknown)."""
    positive, negative = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
    parts = [operation.as_strategy(positive), operation.as_strategy(negative)]
    names = re.findall(r"\{(\w+)\}", path)
    op = SPEC["paths"][path][method.lower()]
    schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    example = {k: v["examples"][0] for k, v in schema.get("properties", {}).items() if "examples" in v}
    real = st.fixed_dictionaries({n: st.sampled_from(office.pools[n]) for n in names}) if names else st.none()
    if aimed:  # a ticket's label, not its id: most routes take a label or a token only
        real = st.just({n: office.labels[0] if n == "ref" else office.pools[n][0] for n in names})
    if names:
        parts.append(real.flatmap(lambda params: operation.as_strategy(positive, path_parameters=params)))
    if example:
        parts.append(real.flatmap(lambda params: operation.as_strategy(positive, path_parameters=params, body=example)))
    if aimed and names:
        return parts[-1]
    return st.one_of(parts)


def send(office: Office, case, role: str):
    """The answer to one case sent as `role` (its session cookie and X-CSRFToken; none when anonymous)."""
    headers, cookies = {}, {}
    if role != "anonymous":
        cookie, csrf = office.sessions[role]
        headers["X-CSRFToken"] = csrf
        cookies["session"] = cookie
    # a fresh werkzeug client each call: a Set-Cookie of one case never reaches the next
    return case.call(session=office.app.test_client(), headers=headers, cookies=cookies, **office.call_kwargs)


def exercise(office: Office, case, role: str) -> int:
    """Send one generated case as `role` and check its answer (AssertionError says what is wrong); its status."""
    path, method = case.operation.path, case.method
    allowed = SPEC["paths"][path][method.lower()].get("x-roles")
    if role == "officer" and "counter_id" in (case.path_parameters or {}):
        office.hold(case.path_parameters["counter_id"])
    before = office.footprint()
    office.errors.clear()
    response = send(office, case, role)
    status = response.status_code
    try:
        case.validate_response(response, checks=CHECKS)
    except (Exception, BaseExceptionGroup) as err:  # schemathesis' FailureGroup is a BaseExceptionGroup
        raise AssertionError(_explain(case, response, office, f"{type(err).__name__}: {err}")) from None
    if 400 <= status < 500:
        after = office.footprint()
        if status == 409 and response.json().get("error") in KEPT_REFUSALS:
            # kept for its request_id (docs/api.md, "Idempotency"): one row of `requests` at most (none for a repeat
            # of a request_id already kept), and none without a request_id; nothing else
            seq, counts, digest = after
            added = counts["requests"]["n"] - before[1]["requests"]["n"]
            keyed = (isinstance(case.body, dict) and "request_id" in case.body) or "X-Request-ID" in (
                case.headers or {}
            )
            assert added in ((0, 1) if keyed else (0,)), _explain(case, response, office, f"{added} requests kept")
            after = (seq, {**counts, "requests": before[1]["requests"]}, digest)
        assert after == before, _explain(case, response, office, "a refused request wrote")
    missing = False  # a 404 whoever asks: no such route, or no such ticket, counter, account …
    if status == 404 and allowed is not None and role != "admin":
        # Which role got what: the admin may call every operation, so the same request as the admin tells a
        # missing thing (404 again, nothing written) from one this role was told is missing while the admin
        # gets it: a refusal hidden behind a 404 (a role not in x-roles must get the documented 401 or 403),
        # or a role that may call the operation refused with a 404.
        office.errors.clear()
        as_admin = send(office, case, "admin")
        problem = f"{role} got 404 where the admin gets {as_admin.status_code} {as_admin.text[:200]}"
        assert as_admin.status_code == 404, _explain(case, response, office, problem)
        assert office.footprint() == before, _explain(case, as_admin, office, "the admin's 404 wrote")
        missing = True
    if allowed is not None and role not in allowed and not missing:
        expected, code = (401, "login_required") if role == "anonymous" else (403, "forbidden")
        error = response.json().get("error") if status == expected else None
        assert (status, error) == (expected, code), _explain(
            case, response, office, f"role {role} is not in x-roles {allowed}: {expected} {code} expected"
        )
    if status < 300 and (path == "/api/logout" or path.startswith("/api/admin/users/")):
        for other in ROLES[1:]:  # the fuzzer may have ended a session (logout, a new password, disabled)
            office.login(other)
    return status


def cases(role: str) -> list[tuple[str, str, int]]:
    """(path, method, examples) of the operations fuzzed as `role`: every operation as each role that
    may use it; a role that may not gets one example (it must be refused whatever it sends)."""
    out = []
    for path, method in OPERATIONS:
        allowed = SPEC["paths"][path][method.lower()].get("x-roles")
        if allowed is None and role not in ("anonymous", "admin"):
            continue  # a public operation: anonymous and one logged-in role are enough
        if allowed is not None and role not in allowed:
            examples = 1
        else:
            examples = MAX_EXAMPLES if role in ("admin", "anonymous") else ROLE_EXAMPLES
        out.append((path, method, examples))
    return out


@pytest.mark.parametrize(
    ("role", "path", "method", "examples"),
    [(role, *c) for role in ROLES for c in cases(role)],
    ids=[f"{role}-{m}-{p}" for role in ROLES for p, m, _ in cases(role)],
)
def test_fuzz(office, schema, role, path, method, examples):
    operation = schema[path][method]
    runs = [(strategy(office, operation, path, method), examples)]
    if SPEC["paths"][path][method.lower()].get("x-roles") and role != "admin" and "{" in path:
        # and once at things that exist: an officer's, a clerk's or a refused role's few cases seldom name one
        runs.append((strategy(office, operation, path, method, aimed=True), 1))
    for cases, count in runs:

        @settings(
            max_examples=count,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases)
        def run(case):
            exercise(office, case, role)

        run()


# -- hostile values -----------------------------------------------------------------------------------------
# Generation from the schema rarely lands on the values that break parsers and databases; these are
# sent on purpose, each in place of one parameter or body field of an otherwise fitting request.
HOSTILE = ["\ud800", ["x"], {"x": 1}, 10**30, "9" * 19]
RAW_BODIES = ["[" * 30000, '{"a": NaN}', b"\xff\xfe{}", "[]", '"x"', '{"a": ' + "[" * 100 + "]" * 100 + "}"]
HOSTILE_PATH = {
    "ref": ["9" * 19, "9" * 25, "\u0661\u0662", "\u00b2", "x" * 65],
    "token": ["9" * 19, "\u00b2", "x" * 65],
    "counter_id": ["0", "9" * 19, "01"],
    "username": ["x" * 300, "\uff22\uff35\uff24\uff29", "BUDI"],
    "key": ["A" * 64, "0" * 63],
}
BAD_DAYS = ["2026-W49-2", "2026-335", "20261128", "2026-02-30", "\u0662\u0660\u0662\u0666-11-28"]
HOSTILE_QUERY = {
    "from": BAD_DAYS,
    "to": BAD_DAYS + ["2016-01-01", "9999-12-31"],
    "group": ["year", ""],
    "format": ["pdf", ""],
    "service": ["a", "AAAA"],
    "officer": ["x" * 101],
    "category": ["x"],
    "outcome": ["x"],
    "lang": ["xx"],
}
HOSTILE_REQUEST_IDS = ["", "x" * 101]


def _arm(office: Office, path: str) -> dict:
    """Path parameters that reach past the 404s and the 409s: the counter or ticket an operation needs,
    in the state it needs (made again after a request that succeeded used it up)."""
    if "{counter_id}" in path:
        action = path.rsplit("/", 1)[1]
        if action in ("resolve", "escalate", "transfer"):
            office.ensure_serving(1)
        return {"counter_id": 1 if action != "release" else 2}
    if "{ref}" in path:
        need = {
            "close": "escalated",
            "lkpp-ticket": "escalated",
            "resend": "escalated",
            "correct": "resolved",
            "cancel": "waiting",
        }
        return {"ref": office.ticket_in(need.get(path.rsplit("/", 1)[1], "resolved"))}
    if "{token}" in path:
        return {"token": office.pools["token"][0]}
    return {n: office.pools[n][0] for n in re.findall(r"\{(\w+)\}", path)}


def hostile_variants(path: str, method: str) -> list[tuple[str, dict]]:
    """(what, changes) for one operation: each hostile value in place of one path parameter, query
    parameter, body field or header, and raw bodies that are not JSON objects."""
    op = SPEC["paths"][path][method.lower()]
    out: list[tuple[str, dict]] = [("as documented", {})]
    for name in re.findall(r"\{(\w+)\}", path):
        out += [(f"path {name}={v!r}", {"path": {name: v}}) for v in HOSTILE_PATH.get(name, [])]
    for param in op.get("parameters", []):
        name = param.get("name") or param["$ref"].rsplit("/", 1)[1]
        if param.get("in", "query") == "query" or name == "lang":
            out += [(f"query {name}={v!r}", {"query": {name: v}}) for v in HOSTILE_QUERY.get(name, [])]
        if name == "XRequestID":
            out += [(f"X-Request-ID {v!r}", {"headers": {"X-Request-ID": v}}) for v in HOSTILE_REQUEST_IDS]
    schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if schema:
        nodes = [(field,) for field in schema.get("properties", {})]
        nodes += list(_inner_nodes(_base(op)[1]))
        for node in nodes:
            out += [(f"body {'.'.join(map(str, node))}={v!r:.40}", {"body": (node, v)}) for v in HOSTILE]
        out += [(f"raw body {raw[:20]!r}", {"raw": raw}) for raw in RAW_BODIES]
    return out


def _inner_nodes(value, where: tuple = ()):
    """The places below the top level of a JSON value (a list's first item only: the others are alike)."""
    items = value.items() if isinstance(value, dict) else [(0, value[0])] if isinstance(value, list) and value else []
    for key, item in items:
        if where:
            yield (*where, key)
        yield from _inner_nodes(item, (*where, key))


def _replaced(body: dict, node: tuple, value) -> dict:
    out = copy.deepcopy(body)
    place = out
    for key in node[:-1]:
        place = place[key]
    place[node[-1]] = value
    return out


def _base(op: dict) -> tuple[dict, dict]:
    """The query and body of a fitting request (the document's examples)."""
    query = {}
    for param in op.get("parameters", []):
        if param.get("required") and param.get("in") == "query":
            query[param["name"]] = param["schema"].get("examples", ["x"])[0]
    schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    body = {k: v["examples"][0] for k, v in schema.get("properties", {}).items() if "examples" in v}
    return query, body


@pytest.mark.parametrize(("path", "method"), [op for op in OPERATIONS if hostile_variants(*op)[1:]])
def test_hostile_values(office, schema, path, method):
    operation = schema[path][method]
    op = SPEC["paths"][path][method.lower()]
    role = "admin" if op.get("x-roles") else "anonymous"
    query, body = _base(op)
    failures = []
    for what, change in hostile_variants(path, method):
        params = {**_arm(office, path), **change.get("path", {})}
        kwargs = {"path_parameters": params, "query": {**query, **change.get("query", {})}}
        if "requestBody" in op:
            kwargs.update(
                body=_replaced(body, *change["body"]) if "body" in change else body, media_type="application/json"
            )
        case = operation.Case(headers=change.get("headers"), **kwargs)
        raw = change.get("raw")
        if "body" in change:  # escaped JSON text: a lone surrogate goes as the \ud800 escape a client may send
            raw = json.dumps(kwargs["body"])
        office.call_kwargs = {"data": raw.encode() if isinstance(raw, str) else raw} if raw is not None else {}
        try:
            status = exercise(office, case, role)
            # a hostile query value is never a valid one (lang is only a preference): it must be refused
            if "query" in change and "lang" not in change["query"]:
                assert 400 <= status < 500, f"accepted with {status}"
        except AssertionError as err:
            failures.append(f"{what}:\n{err}")
        finally:
            office.call_kwargs = {}
    assert failures == [], "\n\n".join(failures)
