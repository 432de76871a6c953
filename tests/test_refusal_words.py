"""A refusal says what is wrong and what is accepted (helper-244): a typed field past its limit was answered
"Terlalu panjang." / "Too long." with no limit (only the admin's accounts said "at most 100 characters; 120
typed"), and a report's bad period "Tidak valid." / "Invalid." whether its date was not written YYYY-MM-DD,
was no day of the calendar, ended before it began or ran past the longest period. Now every text past its
limit says the limit and the length typed (server.forms.clean_text, one place), its code still `too_long`,
and every report route's from/to (the recap, the guest book, the figures, the SKM report, the complaints)
says which of those is wrong, in Indonesian and English. Real requests through the app's test client, and
the command line as a process."""

from __future__ import annotations

import pytest
from conftest import login, visitor, write_config
from live import server_command

from server import api
from server.i18n import t


def too_long_words(limit: int, typed: int) -> dict[str, str]:
    return {
        "id": f"Terlalu panjang: paling banyak {limit} karakter; yang diketik {typed}.",
        "en": f"Too long: at most {limit} characters; this has {typed}.",
    }


def fields_of(client, method: str, url: str, lang: str, **kw) -> dict[str, str]:
    r = getattr(client, method)(url, headers={**kw.pop("headers", {}), "Accept-Language": lang}, **kw)
    assert r.status_code == 422, (url, r.status_code, r.get_data(as_text=True)[:300])
    body = r.get_json()
    assert body["error"] == "form_incomplete", body
    return body["fields"]


@pytest.fixture
def said(monkeypatch) -> list[dict]:
    """The `fields` of every refusal as the server made it (codes, before they become words)."""
    made: list[dict] = []
    real = api.error_response

    def recording(http_status, code, fields=None, problems=None, /, **params):
        made.append(dict(fields or {}))
        return real(http_status, code, fields, problems, **params)

    monkeypatch.setattr(api, "error_response", recording)
    return made


# -- a text past its limit -----------------------------------------------------------------------------

# (case, field named, its limit, the request: (method, url, body other than the field, role to log in as))
TEXTS = [
    ("kiosk-name", "name", 100, ("post", "/api/tickets", visitor(), None)),
    ("kiosk-agency", "agency", 150, ("post", "/api/tickets", visitor(), None)),
    ("kiosk-address", "address", 300, ("post", "/api/tickets", visitor(), None)),
    ("kiosk-phone", "phone", 40, ("post", "/api/tickets", visitor(), None)),  # as typed, before it is read
    ("kiosk-problem", "problem", 2000, ("post", "/api/tickets", visitor(), None)),
    ("front-form-name", "name", 100, ("post", "/api/tickets/A-001/form", visitor(), "frontoffice")),
    ("resolve-solution", "solution", 4000, ("post", "/api/counters/1/resolve", {}, "officer")),
    ("survey-suggestion", "suggestion", 2000, ("post", "/api/survey", {"token": "t" * 16}, None)),
    ("complaint-answer", "answer", 4000, ("post", "/api/complaints/1/answer", {}, "officer")),
    ("admin-full-name", "full_name", 100, ("post", "/api/admin/users/budi/profile", {}, "admin")),
    ("login-username", "username", 64, ("post", "/api/login", {"password": "rahasia-123"}, None)),
]


@pytest.mark.parametrize("name,field,limit,request_", TEXTS, ids=[c[0] for c in TEXTS])
def test_a_text_past_its_limit_says_the_limit_and_the_length_typed(app, client, said, name, field, limit, request_):
    method, url, other, role = request_
    headers = {}
    if role:
        headers = login(app, client, "budi", role)
        if url == "/api/tickets/A-001/form":
            assert client.post("/api/tickets", json=visitor()).status_code == 201
        if url.startswith("/api/counters/1/"):
            assert client.post("/api/tickets", json=visitor()).status_code == 201
            assert client.post("/api/counters/1/call-next", headers=headers).status_code == 200
            assert client.post("/api/counters/1/start", headers=headers).status_code == 200
    typed = limit + 7
    value = "8" * typed if field == "phone" else "x" * typed
    for lang in ("id", "en"):
        fields = fields_of(client, method, url, lang, json={**other, field: value}, headers=headers)
        assert fields[field] == too_long_words(limit, typed)[lang], (lang, fields)
    # the code stays the documented `too_long` (docs/api.md); the words carry the numbers
    assert said[-1][field] == "too_long" and said[-1][field].params == {"max": limit, "n": typed}


def test_a_text_at_its_limit_is_taken(app, client):
    r = client.post("/api/tickets", json=visitor(name="x" * 100, problem="p" * 2000))
    assert r.status_code == 201, r.get_json()


def test_the_recaps_officer_filter_says_its_limit(app, client):
    h = login(app, client, "budi", "officer")
    url = "/api/recap?from=2026-11-01&to=2026-11-30&officer=" + "b" * 101
    for lang in ("id", "en"):
        assert fields_of(client, "get", url, lang, headers=h) == {"officer": too_long_words(100, 101)[lang]}


def test_the_command_lines_full_name_says_its_limit(tmp_path):
    cfg = write_config(tmp_path)
    r = server_command(
        ["users", "add", "dewi", "--role", "officer", "--full-name", "x" * 120, "--config", str(cfg)],
        input="kata-sandi-rahasia\n",
    )
    assert r.returncode == 2, r.stderr
    # the limit is the line's own (cli.profile_invalid); the length typed was not said
    assert "--full-name: terlalu panjang: yang diketik 120 karakter (nama lengkap: paling banyak 100 karakter;" in (
        r.stderr
    )
    assert "--full-name: too long: this has 120 characters (full name: up to 100 characters;" in r.stderr


# -- a report's period ----------------------------------------------------------------------------------

ROUTES = ["/api/recap", "/api/guestbook", "/api/figures", "/api/skm", "/api/complaints"]

# (case, query, {field: (Indonesian, English)}): what is wrong and what is accepted, word for word
PERIODS = [
    (
        "to-missing",
        "from=2026-11-01",
        {
            "to": (
                "Wajib diisi: tanggal YYYY-MM-DD (tahun-bulan-hari), mis. 2026-12-05.",
                "Required: a date as YYYY-MM-DD (year-month-day), e.g. 2026-12-05.",
            )
        },
    ),
    (
        "from-not-written-yyyy-mm-dd",
        "from=1.11.2026&to=2026-11-30",
        {
            "from": (
                "Bukan tanggal: tulis YYYY-MM-DD (tahun-bulan-hari), mis. 2026-12-05.",
                "Not a date: write YYYY-MM-DD (year-month-day), e.g. 2026-12-05.",
            )
        },
    ),
    (
        "from-a-week-date",
        "from=2026-W44-1&to=2026-11-30",
        {
            "from": (
                "Bukan tanggal: tulis YYYY-MM-DD (tahun-bulan-hari), mis. 2026-12-05.",
                "Not a date: write YYYY-MM-DD (year-month-day), e.g. 2026-12-05.",
            )
        },
    ),
    (
        "to-no-such-day",
        "from=2026-02-01&to=2026-02-30",
        {
            "to": (
                "Tanggal 2026-02-30 tidak ada di kalender: tulis tanggal yang ada, YYYY-MM-DD (tahun-bulan-hari).",
                "There is no 2026-02-30 in the calendar: write a real date as YYYY-MM-DD (year-month-day).",
            )
        },
    ),
    (
        "reversed",
        "from=2026-11-30&to=2026-11-01",
        {
            "to": (
                "Tanggal akhir (2026-11-01) sebelum tanggal awal (2026-11-30): tanggal akhir harus sama dengan atau"
                " sesudah tanggal awal.",
                "The end date (2026-11-01) is before the start date (2026-11-30): the end date must be the start date"
                " or after it.",
            )
        },
    ),
    (
        "one-day-too-long",  # reports.MAX_RANGE_DAYS is 3660: 2016-01-01 + 3660 days is 2026-01-08
        "from=2016-01-01&to=2026-01-09",
        {
            "to": (
                "Periode terlalu panjang: tanggal akhir paling lambat 3660 hari sesudah tanggal awal (2026-01-08);"
                " yang diminta 3661 hari sesudahnya.",
                "The period is too long: the end date may be at most 3660 days after the start date (2026-01-08);"
                " this one is 3661 days after it.",
            )
        },
    ),
    (
        "both-bad",
        "from=&to=31-11-2026",
        {
            "from": (
                "Wajib diisi: tanggal YYYY-MM-DD (tahun-bulan-hari), mis. 2026-12-05.",
                "Required: a date as YYYY-MM-DD (year-month-day), e.g. 2026-12-05.",
            ),
            "to": (
                "Bukan tanggal: tulis YYYY-MM-DD (tahun-bulan-hari), mis. 2026-12-05.",
                "Not a date: write YYYY-MM-DD (year-month-day), e.g. 2026-12-05.",
            ),
        },
    ),
]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("case,query,words", PERIODS, ids=[p[0] for p in PERIODS])
def test_a_bad_period_says_what_is_wrong_and_what_is_accepted(app, client, route, case, query, words):
    h = login(app, client, "budi", "officer")
    for i, lang in enumerate(("id", "en")):
        fields = fields_of(client, "get", f"{route}?{query}", lang, headers=h)
        assert fields == {k: pair[i] for k, pair in words.items()}, (route, lang)
        assert "Tidak valid." not in fields.values() and "Invalid." not in fields.values()


def test_the_longest_period_is_taken_and_the_words_say_it(app, client):
    """The range the words name as the longest is the one the routes take: 3660 days after `from`."""
    h = login(app, client, "budi", "officer")
    r = client.get("/api/complaints?from=2016-01-01&to=2026-01-08", headers=h)
    assert r.status_code == 200, r.get_json()
    r = client.get("/api/complaints?from=2016-01-01&to=2026-01-09", headers=h)
    assert r.status_code == 422 and "(2026-01-08)" in r.get_json()["fields"]["to"]


def test_every_code_a_period_is_refused_with_has_its_words_in_both_catalogues():
    for code in ("day_required", "day_format", "day_unknown", "range_reversed", "range_too_long", "too_long"):
        for lang in ("id", "en"):
            assert t(f"error.{code}", lang) != f"error.{code}", (code, lang)
