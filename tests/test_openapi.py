"""GET /api/openapi.json is a valid OpenAPI 3.1 document that names every /api route, and only those."""

from __future__ import annotations

import json
import re

import pytest
from conftest import login, visitor
from werkzeug.exceptions import HTTPException

from server.admin import EDITABLE
from server.api import COUNTER_ACTIONS
from server.openapi import SPEC

METHODS = ("get", "put", "post", "delete", "patch")


def operations():
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield path, method, op


def test_the_document_is_valid_openapi_3_1_and_served_as_it_is(client):
    from openapi_spec_validator import validate

    validate(SPEC)
    assert SPEC["openapi"].startswith("3.1.")
    r = client.get("/api/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.get_json() == json.loads(json.dumps(SPEC))


def _routes(app) -> set[tuple[str, str]]:
    return {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") or rule.rule == "/healthz"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def _sample_url(path: str, op: dict) -> str:
    """`path` with each {param} filled by a value its schema allows."""
    kinds = {p["name"]: p["schema"].get("type") for p in op.get("parameters", []) if p.get("in") == "path"}
    return re.sub(r"\{(\w+)\}", lambda m: "7" if kinds[m.group(1)] == "integer" else "x", path)


def test_paths_and_methods_are_the_apps_routes_both_ways(app):
    adapter = app.url_map.bind("localhost")
    covered, unrouted, misnamed = set(), [], []
    for path, method, op in operations():
        try:
            rule, args = adapter.match(_sample_url(path, op), method=method.upper(), return_rule=True)
        except HTTPException:
            unrouted.append(f"{method.upper()} {path}")
            continue
        covered.add((rule.rule, method.upper()))
        # every {param} is one of the route's arguments; the route's other arguments are literal segments here
        params = set(re.findall(r"\{(\w+)\}", path))
        literal = {k: v for k, v in args.items() if k not in params}
        if not params <= set(args) or any(f"/{v}" not in path for v in literal.values()):
            misnamed.append(f"{method.upper()} {path} -> {rule.rule}")
    assert unrouted == [], "in the document, but no route answers them"
    assert misnamed == []
    assert sorted(_routes(app) - covered) == [], "routes missing from the document"


def test_each_counter_action_and_settings_section_is_its_own_path():
    actions = {
        p.rsplit("/", 1)[1]
        for p, item in SPEC["paths"].items()
        if p.startswith("/api/counters/{counter_id}/") and "post" in item
    }
    assert actions == {*COUNTER_ACTIONS, "release", "draft"}
    sections = {p.rsplit("/", 1)[1] for p in SPEC["paths"] if p.startswith("/api/admin/settings/")}
    assert sections == set(EDITABLE)


def test_every_error_has_the_shared_shape_and_every_write_its_csrf_and_400():
    problems = []
    for path, method, op in operations():
        where = f"{method.upper()} {path}"
        for status, resp in op["responses"].items():
            if status.startswith(("4", "5")):
                schema = resp.get("content", {}).get("application/json", {}).get("schema")
                if schema != {"$ref": "#/components/schemas/Error"}:
                    problems.append(f"{where} {status}: not the Error schema")
        if "500" not in op["responses"]:
            problems.append(f"{where}: no 500")
        if op["security"]:
            if "401" not in op["responses"]:
                problems.append(f"{where}: no 401")
            if "csrf" in op["security"][0] and "403" not in op["responses"]:
                problems.append(f"{where}: no 403")
        if "requestBody" in op and not {"400", "413"} <= set(op["responses"]):
            problems.append(f"{where}: a body but no 400/413")
    assert problems == []


def _issue_schema() -> dict:
    return SPEC["paths"]["/api/tickets"]["post"]["requestBody"]["content"]["application/json"]["schema"]


@pytest.mark.parametrize("field", ["name", "agency", "address", "problem", "phone"])
def test_the_documented_text_limits_are_the_servers(client, field):
    limit = _issue_schema()["properties"][field]["maxLength"]
    at_limit = "081234567890".ljust(limit, ".") if field == "phone" else "x" * limit
    r = client.post("/api/tickets", json=visitor(**{field: at_limit}))
    assert r.status_code == 201, r.get_json()
    r = client.post("/api/tickets", json=visitor(**{field: at_limit + "x"}))
    assert r.status_code == 422 and field in r.get_json()["fields"]


def test_the_documented_request_id_and_solution_limits_are_the_servers(app, client):
    rid = SPEC["components"]["schemas"]["RequestId"]
    assert client.post("/api/tickets", json=visitor(request_id="r" * rid["maxLength"])).status_code == 201
    assert client.post("/api/tickets", json=visitor(request_id="r" * (rid["maxLength"] + 1))).status_code == 400
    assert client.post("/api/tickets", json=visitor(request_id="")).status_code == 400
    headers = login(app, client, "budi")
    assert client.post("/api/counters/1/call-next", headers=headers).status_code == 200
    assert client.post("/api/counters/1/start", headers=headers).status_code == 200
    resolve = SPEC["paths"]["/api/counters/{counter_id}/resolve"]["post"]["requestBody"]["content"]
    limit = resolve["application/json"]["schema"]["properties"]["solution"]["maxLength"]
    r = client.post("/api/counters/1/resolve", json={"solution": "s" * (limit + 1)}, headers=headers)
    assert r.status_code == 422 and "solution" in r.get_json()["fields"]
    assert client.post("/api/counters/1/resolve", json={"solution": "s" * limit}, headers=headers).status_code == 200


def test_every_route_builds_the_same_url_with_the_url_builders_the_tests_share(app):
    """tests/urlbuilders.py gives rules of the same text one URL builder (werkzeug writes each anew for every app), in
    the tests' processes and their forked servers; what it gives builds, for every route of the app, what werkzeug's
    own would."""
    from werkzeug.routing.rules import Rule

    own = Rule._compile_builder.werkzeug
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 50
    for rule in rules:
        from werkzeug.routing.converters import NumberConverter

        values = {
            name: 7 + i if isinstance(rule._converters.get(name), NumberConverter) else f"v{i}-x y"
            for i, name in enumerate(sorted(rule.arguments))
        }
        for append_unknown in (False, True):
            extra = {"q": "a&b"} if append_unknown else {}
            shared = rule._compile_builder(append_unknown).__get__(rule, None)
            written = own(rule, append_unknown).__get__(rule, None)
            assert shared(**values, **extra) == written(**values, **extra), rule.rule


def test_the_front_offices_list_answers_what_the_document_says_of_it(app, client):
    """GET /api/tickets: the day, the office with its hours' fields (the front office reads its list again at each
    range's end, a lunch break's start too: `range_ends_in_s`), the services and the tickets, every field of each
    documented and no other."""
    from jsonschema import Draft202012Validator

    headers = login(app, client, "rina", role="frontoffice")
    assert client.post("/api/tickets", json=visitor(), headers=headers).status_code == 201
    body = client.get("/api/tickets").get_json()
    schema = SPEC["paths"]["/api/tickets"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    shape = {**schema, "properties": {**schema["properties"], "tickets": {"type": "array"}}}
    assert list(Draft202012Validator(shape).iter_errors(body)) == []
    assert set(body) == set(schema["properties"])
    assert set(body["office"]) == set(schema["properties"]["office"]["properties"])
    assert set(body["services"][0]) == set(schema["properties"]["services"]["items"]["properties"])
