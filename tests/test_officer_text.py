"""What officers and admins type is cleaned as the visitor's form is (issue 11, finding 10): NFC, no
control characters (NUL, ESC), no lone surrogates, a length limit; a bad value is a 422 naming the
field, and nothing is written."""

from __future__ import annotations

import json

import pytest
from conftest import login, visitor

from server.i18n import both
from server.messages import field_message, message

BAD = {
    "nul": ("abc\x00def", "control_chars"),
    "esc": ("abc\x1b[31mdef", "control_chars"),
    "surrogate": ("abc\ud800def", "invalid_unicode"),
    "too-long": (None, "too_long"),  # limit + 1 characters: said with the limit and the length typed
}

# A new account's name refused says what a username may hold (server.auth.username_problem), not "Too long."
USERNAME_WORDS = {
    "nul": both("error.username_chars", char=both("error.char.control")),
    "esc": both("error.username_chars", char=both("error.char.control")),
    "too-long": both("error.username_length", min=2, max=32, n=65),
}

# (name, method, url, field sent, field named in the answer, limit)
FIELDS = [
    ("resolve-solution", "post", "/api/counters/1/resolve", "solution", "solution", 4000),
    ("escalate-note", "post", "/api/counters/1/escalate", "note", "note", 4000),
    ("correct-solution", "post", "/api/tickets/A-001/correct", "solution", "solution", 4000),
    ("correct-escalation-note", "post", "/api/tickets/A-002/correct", "escalation_note", "escalation_note", 4000),
    ("lkpp-ticket", "post", "/api/tickets/A-002/lkpp-ticket", "lkpp_ticket", "lkpp_ticket", 100),
    ("close-answer", "post", "/api/tickets/A-002/close", "answer", "answer", 4000),
    ("close-lkpp-ticket", "post", "/api/tickets/A-002/close", "lkpp_ticket", "lkpp_ticket", 100),
    ("login-username", "post", "/api/login", "username", "username", 64),
    ("admin-add-username", "post", "/api/admin/users", "username", "username", 64),
]

OTHER = {  # the rest of each request, valid
    "close-answer": {},
    "close-lkpp-ticket": {"answer": "Sudah diperbaiki LKPP"},
    "login-username": {"password": "rahasia-123"},
    "admin-add-username": {"password": "sandi-awal-1", "role": "officer"},
}


@pytest.fixture
def desk(app, client):
    """A-001 resolved, A-002 escalated, A-003 being served at counter 1 (by an admin, who may do it all)."""
    h = login(app, client, "budi", "admin")
    for _ in range(3):
        assert client.post("/api/tickets", json=visitor()).status_code == 201
    for end, data in (("resolve", {"solution": "Sandi direset"}), ("escalate", {"note": "Perlu LKPP"}), (None, None)):
        assert client.post("/api/counters/1/call-next", headers=h).status_code == 200
        assert client.post("/api/counters/1/start", headers=h).status_code == 200
        if end:
            assert client.post(f"/api/counters/1/{end}", headers=h, json=data).status_code == 200
    return h


def snapshot(app) -> tuple:
    with app.extensions["antrian"].store.read() as tx:
        return (
            tx.last_seq(),
            tx.rows("SELECT * FROM tickets ORDER BY id"),
            tx.rows("SELECT username FROM users ORDER BY id"),
            tx.settings_overrides(),
        )


@pytest.mark.parametrize("kind", BAD, ids=list(BAD))
@pytest.mark.parametrize("name,method,url,field,named,limit", FIELDS, ids=[f[0] for f in FIELDS])
def test_officer_text_is_cleaned_or_refused(app, client, desk, name, method, url, field, named, limit, kind):
    value, code = BAD[kind]
    if value is None:
        value = "x" * (limit + 1)
    before = snapshot(app)
    r = getattr(client, method)(
        url,
        data=json.dumps({**OTHER.get(name, {}), field: value}),  # a surrogate as the JSON escape \ud800
        content_type="application/json",
        headers={**desk, "Accept-Language": "en"},
    )
    assert r.status_code == 422, r.get_json()
    body = r.get_json()
    assert body["error"] == "form_incomplete"
    words = USERNAME_WORDS.get(kind) if name == "admin-add-username" else None  # what a username accepts
    said = {"max": limit, "n": limit + 1} if kind == "too-long" else {}  # "Too long: at most 4000 characters; …"
    assert body["fields"] == {named: field_message(words, "en") if words else message(code, "en", **said)}
    assert snapshot(app) == before


SETTINGS = [  # (section, value with {bad} where the bad text goes, key named, limit)
    ("office", {"name": "{bad}"}, "office.name", 200),
    ("office", {"address": "{bad}"}, "office.address", 500),
    ("services", "services", "services[1].name", 100),
    ("counters", "counters", "counters[2].name", 100),
    ("kiosk", {"printer": "kiosk", "footer": "{bad}"}, "kiosk.footer", 500),
    ("priority_classes", "priority_name", "priority_classes[0].name", 100),
    ("priority_classes", "priority_description", "priority_classes[0].description", 1000),
]


def _setting_value(client, h, section, shape, bad):
    current = client.get("/api/admin/settings", headers=h).get_json()
    if isinstance(shape, dict):
        return {k: (bad if v == "{bad}" else v) for k, v in shape.items()}
    if shape == "services":
        return [{**s, "name": bad} if i == 1 else s for i, s in enumerate(current["services"])]
    if shape == "counters":
        return [{**c, "name": bad} if i == 2 else c for i, c in enumerate(current["counters"])]
    key = "name" if shape == "priority_name" else "description"
    return [{**p, key: bad} if i == 0 else p for i, p in enumerate(current["priority_classes"])]


@pytest.mark.parametrize("kind", BAD, ids=list(BAD))
@pytest.mark.parametrize("section,shape,key,limit", SETTINGS, ids=[s[2] for s in SETTINGS])
def test_admin_setting_texts_are_refused_naming_the_key(app, client, section, shape, key, limit, kind):
    h = login(app, client, "boss", "admin")
    value, _ = BAD[kind]
    if value is None:
        value = "x" * (limit + 1)
    before = snapshot(app)
    r = client.put(
        f"/api/admin/settings/{section}",
        data=json.dumps({"value": _setting_value(client, h, section, shape, value)}),
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == 422, r.get_json()
    body = r.get_json()
    assert body["error"] == "config_invalid" and list(body["fields"]) == [key], body
    assert snapshot(app) == before


def test_setting_texts_at_their_limit_are_kept_in_nfc(app, client):
    h = login(app, client, "boss", "admin")
    name = "Cafe\u0301 " + "x" * 194  # 200 characters once "e" and its accent are one
    r = client.put("/api/admin/settings/office", json={"value": {"name": name}}, headers=h)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["office"]["name"] == "Caf\u00e9 " + "x" * 194


def test_officer_text_is_stored_in_nfc_with_plain_line_breaks(app, client, desk):
    r = client.post(
        "/api/counters/1/resolve", headers=desk, json={"solution": "  Langkah 1\r\nLangkah 2\rcafe\u0301\t(ok)  "}
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["ticket"]["solution"] == "Langkah 1\nLangkah 2\ncaf\u00e9\t(ok)"
    r = client.post("/api/tickets/A-002/lkpp-ticket", headers=desk, json={"lkpp_ticket": "  TTS\t 2026 / 123 "})
    assert r.status_code == 200 and r.get_json()["ticket"]["lkpp_ticket"] == "TTS 2026 / 123"
