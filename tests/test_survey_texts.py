"""The survey's pages (the phone's /t/<token>, the exit tablet's /survey) carry the words of every refusal the
survey's routes can answer them with, in both languages, to say it again after the language toggle, and no
others (server.survey_api.SURVEY_REFUSALS): the whole `error.*` section was 14.5 KB of a page a visitor
opens on mobile data.

The routes are driven through their refusals with the Flask test client, each refusal's codes read where
the server makes its answer (server.api.error_response: the answer's `error` and its fields' codes, which
the answer itself carries as words); then with Hypothesis, any JSON body and any token.
"""

from __future__ import annotations

import errno
import json
import re
import sqlite3
from urllib.parse import quote

import pytest
from conftest import login, visitor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import RequestTimeout

from server import api, httpserver
from server.i18n import LANGS, catalogue
from server.survey_api import SURVEY_REFUSALS

I18N = re.compile(r'<script type="application/json" id="i18n">(.*?)</script>', re.DOTALL)
ANSWERS = {f"U{i}": 3 for i in range(1, 10)}
LAST4 = visitor()["phone"][-4:]


@pytest.fixture
def said(monkeypatch) -> list[tuple[int, str, dict]]:
    """Every refusal answered, as (status, code, {field: code}), in order."""
    made: list[tuple[int, str, dict]] = []
    real = api.error_response

    def recording(http_status, code, fields=None, problems=None, /, **params):
        made.append((http_status, code, dict(fields or {})))
        return real(http_status, code, fields, problems, **params)

    monkeypatch.setattr(api, "error_response", recording)
    return made


def codes(refusals) -> set[str]:
    return {code for _, error, fields in refusals for code in (error, *fields.values())}


def page_words(client, token: str) -> dict[str, dict[str, dict[str, str]]]:
    """Each survey page's words ({"id": {...}, "en": {...}}), as served."""
    pages = {}
    for name, url in (("phone", f"/t/{token}"), ("tablet", "/survey/")):
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        pages[name] = json.loads(I18N.search(r.get_data(as_text=True)).group(1))
    return pages


def missing(pages, found: set[str]) -> list[str]:
    """The `error.<code>` keys of `found` that a page lacks in a language."""
    return sorted(
        f"{name} {lang}: error.{code}"
        for name, words in pages.items()
        for lang in LANGS
        for code in found
        if f"error.{code}" not in words[lang]
    )


def raw_code(answer: bytes) -> str:
    """The `error` of an answer server.httpserver writes itself, before the app (status line, headers, JSON)."""
    return json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"]


def issue(client) -> dict:
    r = client.post("/api/tickets", json=visitor())
    assert r.status_code == 201, r.get_json()
    return r.json["ticket"]


def serve(app, ticket: dict) -> None:
    """An officer, on a client of their own (the survey's calls stay anonymous), serves `ticket` at counter 1."""
    staff = app.test_client()
    headers = login(app, staff, "budi")
    assert staff.post("/api/counters/1/call-next", headers=headers).json["ticket"]["label"] == ticket["label"]
    assert staff.post("/api/counters/1/start", headers=headers).status_code == 200
    assert staff.post("/api/counters/1/resolve", json={"solution": "Reset"}, headers=headers).status_code == 200


class SlowBody:
    """A request body sent too slowly: server.httpserver's reader raises RequestTimeout (its 408)."""

    def read(self, *args):
        raise RequestTimeout()

    readline = read

    def tell(self):
        return 0

    def seek(self, *args):
        return 0


def drive(app, client, clock, monkeypatch, said) -> set[str]:
    """Every kind of refusal of the survey's four routes, and of the HTTP server before them: their codes."""
    served, waiting = issue(client), issue(client)
    serve(app, served)
    token = served["token"]
    by_label = {"ticket": served["label"], "phone_last4": LAST4}
    bodies = [
        # the body itself (server.api.body, request_key)
        {"data": "token=x", "content_type": "application/x-www-form-urlencoded"},
        {"data": "{", "content_type": "application/json"},
        {"json": [token]},
        {"data": "[" * 40 + "]" * 40, "content_type": "application/json"},
        {"json": {"token": token, "answers": ANSWERS, "x": [[] for _ in range(70)]}},
        {"json": {"token": token, "answers": ANSWERS, "request_id": ""}},
        {"json": {"token": token, "answers": ANSWERS, "request_id": "a\x1b"}},
        {"data": '{"suggestion": "' + "x" * 70_000 + '"}', "content_type": "application/json"},
        # the ticket named
        {"json": {}},
        {"json": {"token": 7, "answers": ANSWERS}},
        {"json": {"token": "t" * 65, "answers": ANSWERS}},
        {"json": {"token": "a\x00b", "answers": ANSWERS}},
        {"json": {"ticket": 12, "phone_last4": 7890, "answers": ANSWERS}},
        {"json": {"ticket": "\ud800", "phone_last4": "78", "answers": ANSWERS}},
        {"json": {"phone_last4": LAST4, "answers": ANSWERS}},
        {"json": {"token": "no-such-ticket", "answers": ANSWERS}},
        {"json": {**by_label, "phone_last4": "0000", "answers": ANSWERS}},
        {"json": {"ticket": "Z-999", "phone_last4": LAST4, "answers": ANSWERS}},
        {"json": {"token": waiting["token"], "answers": ANSWERS}},
        # the answers, the profile, the suggestion
        {"json": {"token": token, "answers": [3] * 9}},
        {"json": {"token": token, "answers": {**ANSWERS, "U10": 3}}},
        {"json": {"token": token, "answers": {**ANSWERS, "U1": 5, "U2": True, "U3": "3", "U4": None}}},
        {"json": {"token": token, "answers": ANSWERS, "profile": ["L"]}},
        {"json": {"token": token, "answers": ANSWERS, "profile": {"sex": "X", "name": "Budi", "age": 130}}},
        {"json": {"token": token, "answers": ANSWERS, "profile": {"education": 3, "occupation": "raja", "age": "41"}}},
        {"json": {"token": token, "answers": ANSWERS, "suggestion": ["Bagus"]}},
        {"json": {"token": token, "answers": ANSWERS, "suggestion": "x" * 2001}},
        {"json": {"token": token, "answers": ANSWERS, "suggestion": "Antri\x07lama"}},
        {"json": {"token": token, "answers": ANSWERS, "suggestion": "\udc00"}},
        {"json": {"token": token, "answers": ANSWERS, "wording": "1"}},
        {"json": {"token": token, "answers": ANSWERS, "wording": 10**6}},  # never kept: refused once found
        {"json": {"token": token, "answers": ANSWERS, "channel": "fax"}},
    ]
    for kw in bodies:
        if "json" in kw:  # as a browser's JSON.stringify writes it: a lone surrogate as its \u escape
            kw = {"data": json.dumps(kw["json"]), "content_type": "application/json"}
        for route in ("/api/survey", "/api/survey/lookup"):
            before = len(said)
            r = client.post(route, **kw)
            assert r.status_code >= 400 and len(said) == before + 1, (route, kw, r.status_code, r.get_data()[:200])
    for path in ("no-such-ticket", "t" * 65, "lookup", "a%2Fb", ""):  # a scanned or ?t= token, on the tablet
        assert client.get(f"/api/survey/{path}").status_code == 404
    # corrected until no correction is left
    for i in range(6):
        r = client.post("/api/survey", json={"token": token, "answers": {**ANSWERS, "U1": 1 + i % 4}})
        assert r.status_code < 300, r.json
    r = client.post("/api/survey", json={"token": token, "answers": {**ANSWERS, "U1": 4}})
    assert r.json["error"] == "survey_corrections_spent"
    # a body sent too slowly
    slow = {"wsgi.input": SlowBody(), "CONTENT_LENGTH": "100"}
    assert client.post("/api/survey", content_type="application/json", environ_overrides=slow).status_code == 408
    # the address's survey budget spent; the server's faults: the database held by another process, the
    # disk full, a bug
    with monkeypatch.context() as m:
        m.setattr(app.extensions["antrian.survey_limiter"], "limit", 0)
        assert client.post("/api/survey/lookup", json=by_label).status_code == 429
    survey = app.extensions["antrian"].survey
    for fault, status in (
        (sqlite3.OperationalError("database is locked"), 503),
        (OSError(errno.ENOSPC, "No space left on device"), 507),
        (RuntimeError("a bug"), 500),
    ):

        def fail(*args, fault=fault, **kwargs):
            raise fault

        with monkeypatch.context() as m:
            m.setattr(survey, "state", fail)
            assert client.get(f"/api/survey/{token}").status_code == status
    # the next day, the survey of yesterday's ticket is closed
    clock.advance(days=1)
    assert client.post("/api/survey", json={"token": token, "answers": ANSWERS}).json["error"] == "survey_closed"
    # what the HTTP server answers itself, before the app: the address's budget spent (429), its connections
    # full (503), the request's headers too slow (408); a browser's requests are never malformed HTTP nor
    # their headers 32 KiB (bad_http_request, headers_too_large)
    monkeypatch.setattr(httpserver, "TARPIT_SECONDS", 0)
    tarpit = json.loads(b"".join(httpserver._too_many({}, lambda *a: None)))["error"]
    return codes(said) | {tarpit, raw_code(httpserver._BUSY), raw_code(httpserver._TIMEOUT_ANSWER[1])}


def test_the_survey_pages_carry_every_refusal_the_survey_can_give_and_no_other(app, client, clock, monkeypatch, said):
    """Each refusal the survey's routes answer, its code and its fields' codes, is in both pages' words in
    both languages; and SURVEY_REFUSALS lists nothing they do not answer, so the pages carry no other
    refusal (a counter's, an admin's)."""
    found = drive(app, client, clock, monkeypatch, said)
    pages = page_words(client, issue(client)["token"])
    assert not missing(pages, found), "not in SURVEY_REFUSALS: " + ", ".join(missing(pages, found))
    listed = {f"error.{code}" for code in SURVEY_REFUSALS}
    for name, words in pages.items():
        for lang in LANGS:
            assert {k for k in words[lang] if k.startswith("error.")} == listed, (name, lang)
            assert "error.counter_taken" not in words[lang] and "error.login_failed" not in words[lang]
            # the page says a refusal in the server's words: the same text as the answer's `message`
            assert all(words[lang][k] == catalogue(lang)[k] for k in listed)
    assert sorted(set(SURVEY_REFUSALS) - found) == [], "listed, but never answered by the survey's routes"
    assert len(SURVEY_REFUSALS) == len(set(SURVEY_REFUSALS))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
FIELDS = ("token", "ticket", "phone_last4", "answers", "profile", "suggestion", "wording", "channel", "request_id")
BODIES = st.dictionaries(
    st.sampled_from(FIELDS) | st.text(max_size=6),
    JSON
    | st.dictionaries(st.sampled_from([*ANSWERS, "sex", "age", "education", "occupation", "U0"]), JSON, max_size=10),
    max_size=6,
)


@settings(max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(
    route=st.sampled_from(["/api/survey", "/api/survey/lookup"]),
    data=BODIES,
    token=st.text(max_size=70),
)
def test_any_body_or_token_is_refused_in_words_the_survey_pages_carry(app, client, said, route, data, token):
    """Whatever a page (or anyone) sends the survey's routes, the refusal's codes are among SURVEY_REFUSALS,
    and none is a 500."""
    app.extensions["antrian.survey_limiter"].limit = 10**9
    said.clear()
    r = client.post(route, data=json.dumps(data), content_type="application/json")
    g = client.get("/api/survey/" + quote(token, safe=""))
    assert r.status_code != 500 and g.status_code != 500, said
    assert codes(said) <= set(SURVEY_REFUSALS), (route, data, token, said)
