"""Input that once answered 500 (issue 11, finding 7): each is a 4xx with its error code, and nothing
is written (the event log's last seq is unchanged)."""

from __future__ import annotations

import json

import pytest
from conftest import login, visitor
from hypothesis import given, settings
from hypothesis import strategies as st

from server.errors import Localized

DEEP = "[" * 30_000  # json's RecursionError
BIG_REF = "9" * 19  # past SQLite's 64-bit integer (2**63 - 1 is 9223372036854775807)
SUPERSCRIPT_TWO = "\u00b2"  # str.isdigit() says yes; int() says no


def raw(payload: dict) -> str:
    """JSON text with non-ASCII as \\u escapes: a lone surrogate goes as the escape \\ud800."""
    return json.dumps(payload)


# (name, method, url, body as JSON text or None, status, error code, {field: code, or its words} expected)
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
    (  # looked up by the tablet without a login: 500 and a traceback each, before
        "survey-label-surrogate",
        "post",
        "/api/survey/lookup",
        raw({"ticket": "A-\ud800", "phone_last4": "7890"}),
        422,
        "form_incomplete",
        {"ticket": "invalid"},
    ),
    (
        "survey-token-surrogate",
        "post",
        "/api/survey",
        raw({"token": "\ud800", "answers": {f"U{i}": 4 for i in range(1, 10)}}),
        422,
        "form_incomplete",
        {"token": "invalid"},
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
        {"counter_id": Localized("", "No such counter. Choose one of: 1 (Loket 1), 2 (Loket 2), 3 (Loket 3).")},
    ),
    (
        "admin-settings-surrogate",
        "put",
        "/api/admin/settings/office",
        raw({"value": {"name": "LPSE \ud800"}}),
        422,
        "config_invalid",
        {
            "office.name": Localized(  # the config parser's words for the field, not a code's
                "bukan teks Unicode yang sah (ada surrogate tunggal seperti \\ud800)",
                "not valid Unicode text (a lone surrogate such as \\ud800)",
            )
        },
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
    from server.messages import field_message

    before = last_seq(app)
    kw = {"headers": {**serving, "Accept-Language": "en"}}
    if data is not None:
        kw.update(data=data, content_type="application/json")
    r = getattr(client, method)(url, **kw)
    assert r.status_code == status, r.get_data(as_text=True)[:500]
    body = r.get_json()
    assert body["error"] == code, body
    assert body["fields"] == {k: field_message(v, "en") for k, v in fields.items()}, body
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


def test_a_body_without_a_login_holds_few_lists_and_objects_whatever_its_strings_hold(app):
    """A device with no login cannot make the server build thousands of lists or objects (a 64 KiB body
    of 21,000 empty lists cost 34 ms to parse and walk): past MAX_ANONYMOUS_CONTAINERS it is 400
    bad_json before parsing, and nothing is written. Brackets inside strings are text, not counted."""
    from server.api import MAX_ANONYMOUS_CONTAINERS

    kiosk = app.test_client()
    before = last_seq(app)
    many = {**visitor(), "extra": [[] for _ in range(MAX_ANONYMOUS_CONTAINERS - 1)]}  # + the list + the body
    r = kiosk.post("/api/tickets", data=json.dumps(many), content_type="application/json")
    assert r.status_code == 400 and r.get_json()["error"] == "bad_json", r.get_data(as_text=True)
    bomb = '{"username": "admin", "password": "x", "a": [' + ",".join(["[]"] * 21_000) + "]}"
    r = kiosk.post("/api/login", data=bomb, content_type="application/json")
    assert r.status_code == 400 and r.get_json()["error"] == "bad_json"
    assert last_seq(app) == before

    bracketed = visitor(problem='Galat [500] {"kode": [1, 2]} di halaman [x] ' * 40)
    r = kiosk.post("/api/tickets", data=json.dumps(bracketed), content_type="application/json")
    assert r.status_code == 201, r.get_data(as_text=True)
    fitting = {**visitor(name="Sari"), "extra": [[] for _ in range(MAX_ANONYMOUS_CONTAINERS - 2)]}
    r = kiosk.post("/api/tickets", data=json.dumps(fitting), content_type="application/json")
    assert r.status_code == 201, r.get_data(as_text=True)


def test_a_logged_in_body_may_hold_many_lists_and_objects(app, client):
    """The cap is for devices without a login: an admin's settings may hold hundreds of tables. This
    body is refused for what it says (a name is text), not as bad JSON."""
    h = login(app, client, "budi", "admin")
    value = {"value": {"name": [{"x": []} for _ in range(300)]}}
    r = client.put("/api/admin/settings/office", headers=h, data=json.dumps(value), content_type="application/json")
    assert r.status_code == 422 and r.get_json()["error"] == "config_invalid", r.get_data(as_text=True)


def _depth_and_containers(value) -> tuple[int, int]:
    if isinstance(value, dict | list):
        children = [_depth_and_containers(v) for v in (value.values() if isinstance(value, dict) else value)]
        return 1 + max((d for d, _ in children), default=0), 1 + sum(c for _, c in children)
    return 0, 0


JSON_TEXT = st.text(alphabet=st.sampled_from('[]{}"\\ax\u00e9\U0001f600\n'), max_size=8)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | JSON_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(JSON_TEXT, inner, max_size=4),
    max_leaves=60,
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(value=JSON_VALUES, ascii_only=st.booleans(), cap=st.integers(0, 40))
def test_the_bodys_nesting_and_lists_are_read_from_its_bytes_as_the_parser_would_build_them(value, ascii_only, cap):
    """server.api._too_complex reads depth and count from the bytes, strings (brackets, quotes and
    backslashes in them, escaped or not) left out: the same answer as the parsed value's."""
    from server import api

    raw = json.dumps(value, ensure_ascii=ascii_only).encode()
    depth, containers = _depth_and_containers(value)
    assert api._too_complex(raw, None) == (depth > api.MAX_JSON_DEPTH)
    assert api._too_complex(raw, cap) == (depth > api.MAX_JSON_DEPTH or containers > cap)
    deep = ("[" * (api.MAX_JSON_DEPTH - 1)) + raw.decode() + ("]" * (api.MAX_JSON_DEPTH - 1))
    assert api._too_complex(deep.encode(), None) == (depth + api.MAX_JSON_DEPTH - 1 > api.MAX_JSON_DEPTH)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(raw=st.binary(max_size=40).map(lambda b: bytes(b'"\\a[\n\xc3'[x % 6] for x in b)))
def test_a_string_that_starts_in_the_body_is_read_to_its_end_in_one_go_whatever_follows(raw):
    """Each string of the body is one match, to its closing quote or the end of the body (a lone backslash
    last, too): a match that could fail was tried again from every quote of an open string of escaped
    quotes, 16 s of the event loop for one 64 KiB request."""
    from server import api

    for pos in (i for i, byte in enumerate(raw) if byte == ord('"')):
        assert api._JSON_STRING.match(raw, pos) is not None


def test_a_body_of_one_open_string_of_escaped_quotes_is_one_string_and_refused_as_bad_json(client):
    from server import api

    raw = b'"' + b'\\"' * 32_000  # 64,001 bytes: under the size cap
    assert [m.span() for m in api._JSON_STRING.finditer(raw)] == [(0, len(raw))]
    for path in ("/api/survey/lookup", "/api/tickets", "/api/login"):
        r = client.post(path, data=raw, content_type="application/json")
        assert r.status_code == 400 and r.get_json()["error"] == "bad_json", (path, r.get_data(as_text=True))
