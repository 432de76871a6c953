"""Input that once answered 500 (issue 11, finding 7): each is a 4xx with its error code, and nothing
is written (the event log's last seq is unchanged)."""

from __future__ import annotations

import json

import pytest
from conftest import login, visitor

DEEP = "[" * 30_000  # json's RecursionError
BIG_REF = "9" * 19  # past SQLite's 64-bit integer (2**63 - 1 is 9223372036854775807)
SUPERSCRIPT_TWO = "\u00b2"  # str.isdigit() says yes; int() says no


def raw(payload: dict) -> str:
    """JSON text with non-ASCII as \\u escapes: a lone surrogate goes as the escape \\ud800."""
    return json.dumps(payload)


# (name, method, url, body as JSON text or None, status, error code, {field: code} expected)
CASES = [
    ("deep-json-tickets", "post", "/api/tickets", DEEP, 400, "bad_json", {}),
    ("deep-json-login", "post", "/api/login", DEEP, 400, "bad_json", {}),
    ("deep-json-resolve", "post", "/api/counters/1/resolve", DEEP, 400, "bad_json", {}),
    (  # parsed, but the error message's repr() of it recursed too deep
        "nesting-too-deep",
        "put",
        "/api/admin/settings/office",
        '{"value": {"name": ' + "[" * 980 + "]" * 980 + "}}",
        400,
        "bad_json",
        {},
    ),
    ("nan-is-not-json", "post", "/api/counters/1/resolve", '{"solution": NaN}', 400, "bad_json", {}),
    ("invalid-utf8", "post", "/api/tickets", b'{"name": "\xff\xfe"}', 400, "bad_json", {}),
    (
        "surrogate-name",
        "post",
        "/api/tickets",
        raw(visitor(name="Budi \ud800")),
        422,
        "form_incomplete",
        {"name": "invalid_unicode"},
    ),
    (
        "surrogate-problem",
        "post",
        "/api/tickets",
        raw(visitor(problem="Lupa\ud800 sandi")),
        422,
        "form_incomplete",
        {"problem": "invalid_unicode"},
    ),
    (
        "surrogate-solution",
        "post",
        "/api/counters/1/resolve",
        raw({"solution": "Reset \udfff sandi"}),
        422,
        "form_incomplete",
        {"solution": "invalid_unicode"},
    ),
    (
        "surrogate-username",
        "post",
        "/api/login",
        raw({"username": "budi\ud800", "password": "rahasia-123"}),
        422,
        "form_incomplete",
        {"username": "invalid_unicode"},
    ),
    (
        "surrogate-password",
        "post",
        "/api/login",
        raw({"username": "budi", "password": "rahasia-123\ud800"}),
        422,
        "form_incomplete",
        {"password": "invalid_unicode"},
    ),
    (
        "surrogate-request-id",
        "post",
        "/api/tickets",
        raw({**visitor(), "request_id": "r-\ud800"}),
        400,
        "bad_request_id",
        {},
    ),
    (
        "priority-class-list",
        "post",
        "/api/counters/1/escalate",
        raw({"note": "Perlu LKPP", "priority_class": ["P1"]}),
        422,
        "form_incomplete",
        {"priority_class": "priority_class_invalid"},
    ),
    (
        "category-object",
        "post",
        "/api/counters/1/resolve",
        raw({"solution": "Sudah", "category": {"x": 1}}),
        422,
        "form_incomplete",
        {"category": "category_invalid"},
    ),
    ("big-ref-history", "get", f"/api/tickets/{BIG_REF}/history", None, 404, "ticket_not_found", {}),
    ("huge-ref-history", "get", f"/api/tickets/{'9' * 60}/history", None, 404, "ticket_not_found", {}),
    ("superscript-ref-history", "get", f"/api/tickets/{SUPERSCRIPT_TWO}/history", None, 404, "ticket_not_found", {}),
    ("big-ref-close", "post", f"/api/tickets/{BIG_REF}/close", raw({"answer": "x"}), 404, "ticket_not_found", {}),
    ("superscript-counter", "post", "/api/counters/%C2%B2/call-next", None, 404, "not_found", {}),
    ("huge-counter", "post", "/api/counters/" + "9" * 5000 + "/call-next", None, 404, "not_found", {}),
    (
        "admin-user-surrogate-password",
        "post",
        "/api/admin/users",
        raw({"username": "dewi", "password": "sandi-awal-1\ud800", "role": "officer"}),
        422,
        "form_incomplete",
        {"password": "invalid_unicode"},
    ),
    (
        "admin-user-counter-true",
        "post",
        "/api/admin/users",
        raw({"username": "dewi", "password": "sandi-awal-1", "role": "officer", "counter_id": True}),
        422,
        "form_incomplete",
        {"counter_id": "invalid"},
    ),
    (
        "admin-settings-surrogate",
        "put",
        "/api/admin/settings/office",
        raw({"value": {"name": "LPSE \ud800"}}),
        422,
        "config_invalid",
        {"office.name": "invalid"},
    ),
]


@pytest.fixture
def serving(app, client):
    """An admin (who may act at any counter) serving A-001 at counter 1; the headers for writes."""
    h = login(app, client, "budi", "admin")
    assert client.post("/api/tickets", json=visitor()).status_code == 201
    assert client.post("/api/counters/1/call-next", headers=h).status_code == 200
    assert client.post("/api/counters/1/start", headers=h).status_code == 200
    return h


def last_seq(app) -> int:
    with app.extensions["antrian"].store.read() as tx:
        return tx.last_seq()


@pytest.mark.parametrize("name,method,url,data,status,code,fields", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_a_4xx_and_writes_nothing(app, client, serving, name, method, url, data, status, code, fields):
    from server.messages import message

    before = last_seq(app)
    kw = {"headers": {**serving, "Accept-Language": "en"}}
    if data is not None:
        kw.update(data=data, content_type="application/json")
    r = getattr(client, method)(url, **kw)
    assert r.status_code == status, r.get_data(as_text=True)[:500]
    body = r.get_json()
    assert body["error"] == code, body
    assert body["fields"] == {k: message(v, "en") for k, v in fields.items()}, body
    assert last_seq(app) == before


@pytest.mark.parametrize("value", ["%C2%B2", "9" * 5000, "1,x", "0", "1000", "-1", "%2B1", "%D9%A1"])
def test_display_counters_parameter_is_parsed_strictly(app, client, value):
    before = last_seq(app)
    r = client.get(f"/display/?counters={value}")
    assert r.status_code == 400
    assert "counters" in r.get_data(as_text=True)
    assert last_seq(app) == before


def test_display_good_counters_and_any_media_seconds_still_work(app, client):
    assert client.get("/display/?counters=1,3").status_code == 200
    for seconds in ("5", "%C2%B2", "9" * 5000, "abc"):
        assert client.get(f"/display/?media_seconds={seconds}").status_code == 200


def test_a_ticket_id_is_still_found_by_its_number(app, client, serving):
    client.post("/api/counters/1/resolve", headers=serving, json={"solution": "Sandi direset"})
    r = client.get("/api/tickets/1/history", headers=serving)
    assert r.status_code == 200 and r.get_json()["events"][0]["type"] == "issued"
