"""The public-satisfaction survey (SKM): the index's arithmetic against docs/skm.md's worked example and
the regulation's table, Krejcie and Morgan's sample, and the survey, SKM and complaints API."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import zipfile
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from conftest import ROOT, login, visitor
from hypothesis import given, settings
from hypothesis import strategies as st

from server import archive, skm

# docs/skm.md's worked example: five respondents' nine scores.
WORKED = [
    [3, 3, 3, 4, 3, 4, 4, 3, 3],
    [4, 3, 2, 4, 3, 4, 4, 3, 3],
    [3, 4, 3, 4, 4, 3, 4, 3, 2],
    [3, 3, 3, 4, 3, 4, 3, 3, 3],
    [3, 4, 3, 4, 3, 3, 4, 3, 4],
]
# Krejcie and Morgan's published table (population: sample), which the regulation refers to.
KM_TABLE = {
    10: 10, 15: 14, 20: 19, 25: 24, 30: 28, 35: 32, 40: 36, 45: 40, 50: 44, 55: 48, 60: 52, 65: 56, 70: 59,
    75: 63, 80: 66, 85: 70, 90: 73, 95: 76, 100: 80, 110: 86, 120: 92, 130: 97, 140: 103, 150: 108, 160: 113,
    170: 118, 180: 123, 190: 127, 200: 132, 210: 136, 220: 140, 230: 144, 240: 148, 250: 152, 260: 155,
    270: 159, 280: 162, 290: 165, 300: 169, 320: 175, 340: 181, 360: 186, 380: 191, 400: 196, 420: 201,
    440: 205, 460: 210, 480: 214, 500: 217, 550: 226, 600: 234, 650: 242, 700: 248, 750: 254, 800: 260,
    850: 265, 900: 269, 950: 274, 1000: 278, 1100: 285, 1200: 291, 1300: 297, 1400: 302, 1500: 306,
    1600: 310, 1700: 313, 1800: 317, 1900: 320, 2000: 322, 2200: 327, 2400: 331, 2600: 335, 2800: 338,
    3000: 341, 3500: 346, 4000: 351, 4500: 354, 5000: 357, 6000: 361, 7000: 364, 8000: 367, 9000: 368,
    10000: 370, 15000: 375, 20000: 377, 30000: 379, 40000: 380, 50000: 381, 75000: 382, 1000000: 384,
}  # fmt: skip


def as_response(scores: list[int]) -> dict[str, int]:
    return dict(zip(skm.ELEMENTS, scores, strict=True))


# -- the arithmetic ------------------------------------------------------------------------------


def test_the_worked_example_of_docs_skm_md():
    index = skm.index_of(as_response(r) for r in WORKED)
    sums = [e.total for e in index.elements]
    assert sums == [16, 17, 14, 20, 16, 18, 19, 15, 15]
    assert [e.nrr for e in index.elements] == [Fraction(s, 5) for s in sums]
    assert index.ikm_unit == Fraction(150, 45) == Fraction(10, 3)
    assert index.ikm == Decimal("83.33") and (index.mutu, index.kinerja) == ("B", "Baik")
    view = index.view()
    assert view["nrr"] == {
        "U1": 3.2,
        "U2": 3.4,
        "U3": 2.8,
        "U4": 4.0,
        "U5": 3.2,
        "U6": 3.6,
        "U7": 3.8,
        "U8": 3.0,
        "U9": 3.0,
    }
    assert list(view["nrr_weighted"].values()) == [0.356, 0.378, 0.311, 0.444, 0.356, 0.4, 0.422, 0.333, 0.333]
    assert (view["ikm_unit"], view["ikm"], view["respondents"]) == (3.3333, 83.33, 5)
    # the page says the same
    doc = (ROOT / "docs" / "skm.md").read_text("utf-8")
    for row in WORKED:
        assert "| " + " | ".join(map(str, row)) + " |" in doc
    assert "83.33" in doc and "3.3333" in doc and "| 16 | 17 | 14 | 20 | 16 | 18 | 19 | 15 | 15 |" in doc


@pytest.mark.parametrize(
    "ikm,mutu,kinerja",
    [
        ("25.00", "D", "Tidak baik"),
        ("64.99", "D", "Tidak baik"),
        ("65.00", "C", "Kurang baik"),
        ("76.60", "C", "Kurang baik"),
        ("76.61", "B", "Baik"),
        ("88.30", "B", "Baik"),
        ("88.31", "A", "Sangat baik"),
        ("100.00", "A", "Sangat baik"),
    ],
)
def test_the_regulations_table_at_its_edges(ikm, mutu, kinerja):
    assert skm.grade(Decimal(ikm)) == (mutu, kinerja)


def test_out_of_range_is_no_grade():
    for bad in ("24.99", "100.01"):
        with pytest.raises(ValueError):
            skm.grade(Decimal(bad))


def test_the_ikm_is_rounded_half_up_to_two_decimals_before_grading():
    # 5,000 respondents, each element summing to 15,321: NRR 3.0642, IKM unit 3.0642, × 25 = 76.605 exactly
    index = skm.index_from_sums(5000, dict.fromkeys(skm.ELEMENTS, 15321), dict.fromkeys(skm.ELEMENTS, 5000))
    assert index.ikm_unit * 25 == Fraction(76605, 1000)
    assert index.ikm == Decimal("76.61") and index.mutu == "B"
    lower = skm.index_from_sums(
        5000, {**dict.fromkeys(skm.ELEMENTS, 15321), "U1": 15320}, dict.fromkeys(skm.ELEMENTS, 5000)
    )
    assert lower.ikm == Decimal("76.60") and lower.mutu == "C"


def test_no_answers_is_no_index():
    index = skm.index_of([])
    view = index.view()
    assert view["ikm"] is None and view["mutu"] is None and view["nrr"]["U1"] is None and view["respondents"] == 0


def test_elements_may_have_different_numbers_of_answers():
    index = skm.index_of([{**as_response([4] * 9), "U4": None}, as_response([2] * 9)])
    assert index.elements[3].answers == 1 and index.elements[3].nrr == 2
    assert index.elements[0].nrr == 3
    with pytest.raises(ValueError):
        skm.index_of([as_response([5] * 9)])


def test_krejcie_and_morgans_table_is_the_formula_to_the_nearest_respondent():
    assert skm.min_sample(100) == 80 and skm.min_sample(1000) == 278 and skm.min_sample(0) == 0
    assert {n: skm.min_sample(n) for n in KM_TABLE} == KM_TABLE
    # the table's one other row: 100,000 is printed 384, the formula gives 382.6 (docs/skm.md)
    assert skm.min_sample(100_000) == 383
    with pytest.raises(ValueError):
        skm.min_sample(-1)


scores = st.lists(st.integers(1, 4), min_size=9, max_size=9)


@settings(max_examples=200, deadline=None)
@given(st.lists(scores, min_size=1, max_size=40))
def test_the_index_stays_in_range_and_ignores_order(rows):
    index = skm.index_of(as_response(r) for r in rows)
    assert 1 <= index.ikm_unit <= 4 and Decimal(25) <= index.ikm <= Decimal(100)
    assert index.ikm_unit == Fraction(sum(map(sum, rows)), 9 * len(rows))
    assert skm.index_of(as_response(r) for r in reversed(rows)).ikm == index.ikm
    assert index.mutu == skm.grade(index.ikm)[0]


@settings(max_examples=200, deadline=None)
@given(st.lists(scores, min_size=1, max_size=20), st.integers(0, 19), st.integers(0, 8))
def test_a_better_score_never_lowers_the_index(rows, who, element):
    who %= len(rows)
    before = skm.index_of(as_response(r) for r in rows)
    if rows[who][element] < 4:
        rows[who][element] += 1
    after = skm.index_of(as_response(r) for r in rows)
    assert after.ikm_unit >= before.ikm_unit


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 10**7))
def test_the_minimum_sample_never_exceeds_the_population_and_grows_with_it(n):
    s = skm.min_sample(n)
    assert 1 <= s <= n and s <= 384
    assert skm.min_sample(n + 1) >= s


@given(st.integers(1, 4))
def test_everyone_giving_the_same_score_k_gives_25k(k):
    assert skm.index_of([as_response([k] * 9)] * 3).ikm == Decimal(25 * k)


# -- the API --------------------------------------------------------------------------------------

ANSWERS = as_response([3, 3, 3, 4, 3, 4, 4, 3, 3])


def serve(client, headers, **form):
    """Issue a ticket and have sari serve it at counter 1 (resolved); its ticket view. Sari, on a client of
    her own, not the officer `headers` is for (budi): the officer a complaint is about may not answer or
    close it, and these tests answer and close complaints as budi."""
    del headers
    ticket = client.post("/api/tickets", json=visitor(**form)).get_json()["ticket"]
    app = client.application
    if "sari" not in app.config:
        colleague = app.test_client()
        app.config["sari"] = (colleague, login(app, colleague, "sari"))
    colleague, sari = app.config["sari"]
    assert colleague.post("/api/counters/1/call-next", headers=sari).status_code == 200
    assert colleague.post("/api/counters/1/start", headers=sari).status_code == 200
    assert colleague.post("/api/counters/1/resolve", json={"solution": "Reset"}, headers=sari).status_code == 200
    return ticket


def serve_as(client, headers, **form):
    """Issue a ticket and serve it at counter 1 as the officer of `client` and `headers`."""
    ticket = client.post("/api/tickets", json=visitor(**form)).get_json()["ticket"]
    assert client.post("/api/counters/1/call-next", headers=headers).status_code == 200
    assert client.post("/api/counters/1/start", headers=headers).status_code == 200
    assert client.post("/api/counters/1/resolve", json={"solution": "Reset"}, headers=headers).status_code == 200
    return ticket


@pytest.fixture
def officer(app, client):
    return login(app, client, "budi")


def events_of(app, type_):
    with app.extensions["antrian"].store.read() as tx:
        return tx.rows("SELECT * FROM events WHERE type = ? ORDER BY seq", [type_])


def test_the_questionnaire_is_public_in_both_languages(client):
    q = client.get("/api/survey").get_json()
    assert [e["code"] for e in q["elements"]] == list(skm.ELEMENTS)
    u8 = q["elements"][7]
    assert u8["name"]["id"].startswith("Penanganan pengaduan") and "complaints" in u8["question"]["en"]
    assert [c["score"] for c in u8["choices"]] == [1, 2, 3, 4] and u8["choices"][3]["id"] == "Dikelola dengan baik"
    assert [s["code"] for s in q["profile"]["sex"]] == ["L", "P"] and q["suggestion_max"] == 2000


def test_answer_then_correct_within_the_day(app, client, officer):
    ticket = serve(client, officer)
    state = client.get(f"/api/survey/{ticket['token']}").get_json()["survey"]
    assert (state["open"], state["reason"], state["answered"], state["response"]) == (True, None, False, None)
    r = client.post(
        "/api/survey", json={"token": ticket["token"], "answers": ANSWERS, "profile": {"sex": "P", "age": 41}}
    )
    assert r.status_code == 201
    survey = r.get_json()["survey"]
    assert survey["answered"] and survey["response"]["answers"] == ANSWERS and survey["response"]["channel"] == "phone"
    assert survey["response"]["profile"] == {"sex": "P", "age": 41, "education": None, "occupation": None}
    r = client.post(
        "/api/survey",
        json={"token": ticket["token"], "answers": {**ANSWERS, "U3": 1}, "suggestion": " Antrean lama\r\n"},
    )
    assert r.status_code == 200
    again = client.get(f"/api/survey/{ticket['token']}").get_json()["survey"]["response"]
    assert again["answers"]["U3"] == 1 and again["suggestion"] == "Antrean lama" and again["profile"]["sex"] is None
    with app.extensions["antrian"].store.read() as tx:
        assert tx.one("SELECT COUNT(*) AS n FROM survey_responses")["n"] == 1
    kinds = [json.loads(e["data"]) for e in events_of(app, "survey_answered")]
    assert [(k["corrected"], k["complaint"]) for k in kinds] == [(False, False), (True, True)]


def test_a_resubmission_by_token_that_changes_nothing_is_answered_as_unchanged(client, officer):
    """A helper resent a correction that changed nothing and read "Jawaban Anda sudah diperbarui": the server answered
    200 as if it updated. It says `unchanged` (to a repeat of that request too), so the page says nothing changed;
    by label and digits it does not (the tablet is never told what a ticket answered)."""
    ticket = serve(client, officer, phone="+62 812-3456-7890")
    body = {"token": ticket["token"], "answers": ANSWERS, "profile": {"sex": "P"}, "suggestion": "Kursi kurang"}
    first = client.post("/api/survey", json=body)
    assert first.status_code == 201 and "unchanged" not in first.get_json()
    for extra in ({}, {"suggestion": ""}, {"channel": "tablet"}, {"request_id": "same-1"}, {"request_id": "same-1"}):
        r = client.post("/api/survey", json={**body, **extra})
        assert r.status_code == 200 and r.get_json()["unchanged"] is True, extra
    changed = client.post("/api/survey", json={**body, "answers": {**ANSWERS, "U1": 1}, "request_id": "changed-1"})
    assert changed.status_code == 200 and "unchanged" not in changed.get_json()
    again = client.post("/api/survey", json={**body, "answers": {**ANSWERS, "U1": 1}, "request_id": "changed-1"})
    assert again.get_json() == changed.get_json()  # a repeat of a real correction is no "unchanged"
    by_digits = {
        "ticket": ticket["label"],
        "phone_last4": "7890",
        "answers": {**ANSWERS, "U1": 1},
        "profile": {"sex": "P"},
    }
    r = client.post("/api/survey", json=by_digits)
    assert r.status_code == 200 and "unchanged" not in r.get_json() and r.get_json()["survey"]["response"] is None


def test_the_tablet_names_the_ticket_by_label_and_the_phones_last_four_digits(client, officer):
    ticket = serve(client, officer, phone="+62 812-3456-7890")
    for typed in (ticket["label"].lower(), "A1", "a 01", "A-0001"):
        found = client.post("/api/survey/lookup", json={"ticket": typed, "phone_last4": "7890"})
        assert found.status_code == 200 and found.get_json()["survey"]["ticket"]["label"] == ticket["label"] == "A-001"
    for body in ({"ticket": ticket["label"], "phone_last4": "7891"}, {"ticket": "A-999", "phone_last4": "7890"}):
        r = client.post("/api/survey", json={**body, "answers": ANSWERS})
        assert r.status_code == 404 and r.get_json()["error"] == "survey_ticket_not_found"
        assert client.post("/api/survey/lookup", json=body).status_code == 404
    r = client.post("/api/survey", json={"ticket": ticket["label"], "phone_last4": "7890", "answers": ANSWERS})
    assert r.status_code == 201 and r.get_json()["survey"]["answered"] is True
    assert client.get(f"/api/survey/{ticket['token']}").get_json()["survey"]["response"]["channel"] == "tablet"
    bad = client.post("/api/survey/lookup", json={"ticket": ticket["label"], "phone_last4": 7890})
    assert bad.status_code == 422 and set(bad.get_json()["fields"]) == {"phone_last4"}


def test_the_tablet_never_shows_what_a_ticket_answered_and_ten_wrong_digits_lock_it_for_the_day(client, officer, clock):
    """Label and four digits are a weak secret on a public device: they tell whether the survey was
    answered, never the answers, the complaint or the office's reply; guessing the digits locks the
    ticket out for the guessing device for the day (its phone page, and other devices, still work)."""
    ticket = serve(client, officer, phone="081234567890")
    body = {"token": ticket["token"], "answers": ANSWERS, "suggestion": "Petugas loket 2 tidak ramah"}
    assert client.post("/api/survey", json=body).status_code == 201
    by_label = {"ticket": ticket["label"], "phone_last4": "7890"}
    seen = client.post("/api/survey/lookup", json=by_label).get_json()["survey"]
    assert seen["answered"] is True and seen["response"] is None
    assert "tidak ramah" not in json.dumps(seen)
    corrected = client.post("/api/survey", json={**by_label, "answers": {**ANSWERS, "U7": 1}})
    assert corrected.status_code == 200 and corrected.get_json()["survey"]["response"] is None
    assert client.get(f"/api/survey/{ticket['token']}").get_json()["survey"]["response"]["answers"]["U7"] == 1
    other = serve(client, officer, phone="081200001111")
    for guess in range(10):  # wrong digits for `ticket`
        r = client.post("/api/survey/lookup", json={"ticket": ticket["label"], "phone_last4": f"{guess:04d}"})
        assert r.status_code == 404
    for_ticket = client.post("/api/survey/lookup", json=by_label)
    assert (
        for_ticket.status_code == 404 and for_ticket.get_json()["error"] == "survey_ticket_not_found"
    )  # the right ones too
    assert client.post("/api/survey/lookup", json={"ticket": other["label"], "phone_last4": "1111"}).status_code == 200
    assert client.get(f"/api/survey/{ticket['token']}").status_code == 200  # the phone page is not locked out
    # The lock is the guessing device's own: the exit tablet, another address, still finds the ticket (one
    # phone on the guest Wi-Fi locked every ticket of the day for everyone)
    tablet = client.post("/api/survey/lookup", json=by_label, environ_base={"REMOTE_ADDR": "192.168.1.50"})
    assert tablet.status_code == 200 and tablet.get_json()["survey"]["answered"] is True
    # ... until LOOKUP_MISSES_ALL wrong digits in all (three guessing devices): then for every device
    from server.service.survey import LOOKUP_MISSES_ALL

    for device in range(LOOKUP_MISSES_ALL // 10 - 1):
        for guess in range(10):
            wrong = {"ticket": ticket["label"], "phone_last4": f"{guess:04d}"}
            assert (
                client.post(
                    "/api/survey/lookup", json=wrong, environ_base={"REMOTE_ADDR": f"10.0.0.{device}"}
                ).status_code
                == 404
            )
    tablet = client.post("/api/survey/lookup", json=by_label, environ_base={"REMOTE_ADDR": "192.168.1.50"})
    assert tablet.status_code == 404
    # ... but the office's own devices, named in [kiosk] addresses: thirty guesses from anyone who read the
    # labels on the TV shut the exit tablet out of the ticket (its own ten misses still lock it)
    service = client.application.extensions["antrian"]
    kiosk = dataclasses.replace(service.settings.kiosk, addresses=("192.168.1.50",))
    service.unit.settings = dataclasses.replace(service.settings, kiosk=kiosk)
    tablet = client.post("/api/survey/lookup", json=by_label, environ_base={"REMOTE_ADDR": "192.168.1.50"})
    assert tablet.status_code == 200 and tablet.get_json()["survey"]["answered"] is True
    for guess in range(10):
        wrong = {"ticket": ticket["label"], "phone_last4": f"{guess:04d}"}
        client.post("/api/survey/lookup", json=wrong, environ_base={"REMOTE_ADDR": "192.168.1.50"})
    tablet = client.post("/api/survey/lookup", json=by_label, environ_base={"REMOTE_ADDR": "192.168.1.50"})
    assert tablet.status_code == 404
    stranger = client.post("/api/survey/lookup", json=by_label, environ_base={"REMOTE_ADDR": "192.168.1.77"})
    assert stranger.status_code == 404


def test_the_all_devices_lock_holds_when_the_per_device_counts_are_full(client, officer, monkeypatch):
    """The per-device counts are bounded; past the bound a new device's misses are not counted alone, but
    always in the ticket's count from all devices: many addresses cannot turn the lock off."""
    from server.service.survey import LOOKUP_MISSES_ALL

    monkeypatch.setattr("server.service.survey.LOOKUP_MISSES_KEPT", 2)
    ticket = serve(client, officer, phone="081234567890")
    for i in range(LOOKUP_MISSES_ALL):
        wrong = {"ticket": ticket["label"], "phone_last4": "0000"}
        r = client.post("/api/survey/lookup", json=wrong, environ_base={"REMOTE_ADDR": f"10.1.{i // 200}.{i % 200}"})
        assert r.status_code == 404
    right = {"ticket": ticket["label"], "phone_last4": "7890"}
    assert client.post("/api/survey/lookup", json=right, environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 404


def test_an_office_devices_own_ten_misses_lock_it_even_when_the_per_device_counts_are_full(
    client, officer, monkeypatch
):
    """The exit tablet, named in [kiosk] addresses, is not locked by others' misses: its own ten are its only
    lock, so they are counted whatever others filled the table with; a network named there is not one device
    (the diff review, helper-122)."""
    from server.service.survey import LOOKUP_MISSES_ALL

    monkeypatch.setattr("server.service.survey.LOOKUP_MISSES_KEPT", 2)
    ticket = serve(client, officer, phone="081234567890")
    service = client.application.extensions["antrian"]
    kiosk = dataclasses.replace(service.settings.kiosk, addresses=("192.168.1.50/32", "10.5.0.0/24"))
    service.unit.settings = dataclasses.replace(service.settings, kiosk=kiosk)
    wrong = {"ticket": ticket["label"], "phone_last4": "0000"}
    right = {"ticket": ticket["label"], "phone_last4": "7890"}
    for i in range(2):  # the table is full
        client.post("/api/survey/lookup", json=wrong, environ_base={"REMOTE_ADDR": f"10.2.0.{i}"})
    for _ in range(10):
        assert (
            client.post("/api/survey/lookup", json=wrong, environ_base={"REMOTE_ADDR": "192.168.1.50"}).status_code
            == 404
        )
    assert (
        client.post("/api/survey/lookup", json=right, environ_base={"REMOTE_ADDR": "192.168.1.50"}).status_code == 404
    )
    for i in range(LOOKUP_MISSES_ALL):  # a network's addresses are strangers: the lock for all holds for them
        client.post("/api/survey/lookup", json=wrong, environ_base={"REMOTE_ADDR": f"10.5.0.{i % 200 + 1}"})
    assert client.post("/api/survey/lookup", json=right, environ_base={"REMOTE_ADDR": "10.5.0.250"}).status_code == 404


def test_409_before_the_ticket_is_served_and_after_its_day(client, officer, clock):
    waiting = client.post("/api/tickets", json=visitor()).get_json()["ticket"]
    r = client.post("/api/survey", json={"token": waiting["token"], "answers": ANSWERS})
    assert r.status_code == 409 and r.get_json()["error"] == "survey_not_served"
    assert waiting["label"] in r.get_json()["message"]
    assert client.get(f"/api/survey/{waiting['token']}").get_json()["survey"]["reason"] == "not_served"
    for action, body in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Reset"})):
        assert client.post(f"/api/counters/1/{action}", json=body, headers=officer).status_code == 200
    served = waiting
    assert client.post("/api/survey", json={"token": served["token"], "answers": ANSWERS}).status_code == 201
    clock.advance(days=1)
    r = client.post("/api/survey", json={"token": served["token"], "answers": ANSWERS}, headers={"X-Lang": "en"})
    assert r.status_code == 409 and r.get_json()["error"] == "survey_closed" and "closed" in r.get_json()["message"]
    state = client.get(f"/api/survey/{served['token']}").get_json()["survey"]
    assert (state["open"], state["reason"], state["answered"]) == (False, "day_over", True)


def test_after_its_day_the_tickets_link_shows_that_it_was_answered_and_the_reply_not_the_scores_or_profile(
    client, officer, clock
):
    """A slip in a bin: its QR code's link read back, days later and to anyone, the visitor's nine scores and
    profile (sex, age, education, occupation), which nobody may correct any more. Once the survey is closed the
    link says it was answered, with the visitor's own text and the office's reply (the phone page's thanks card),
    and nothing else; a repeat of the phone's last POST (its request id) says no more."""
    ticket = serve(client, officer)
    profile = {"sex": "P", "age": 67, "education": "sd", "occupation": "lainnya"}
    body = {"token": ticket["token"], "answers": ANSWERS, "profile": profile, "suggestion": "Kursi kurang"}
    r = client.post("/api/survey", json={**body, "request_id": "phone-after-day"})
    assert r.status_code == 201 and r.get_json()["survey"]["response"]["profile"] == profile  # today: to correct
    cid = r.get_json()["survey"]["response"]["id"]
    clock.advance(days=2)
    reply = "Kursi sudah kami tambah."
    assert client.post(f"/api/complaints/{cid}/answer", json={"answer": reply}, headers=officer).status_code == 200
    for r in (
        client.get(f"/api/survey/{ticket['token']}"),
        client.post("/api/survey", json={**body, "request_id": "phone-after-day"}),
    ):
        state = r.get_json()["survey"]
        assert (state["open"], state["reason"], state["answered"]) == (False, "day_over", True), r.text
        said = state["response"]
        assert set(said) == {"id", "suggestion", "answer", "answered_at"}, said
        assert (said["id"], said["suggestion"], said["answer"]) == (cid, "Kursi kurang", reply)
        assert "67" not in r.text and '"sd"' not in r.text


def test_a_visit_that_ran_past_midnight_may_still_be_rated_that_night(app, clock):
    """Issued 23:40, resolved 00:10 (office time): the survey is open after the service, not closed at once."""
    service = app.extensions["antrian"]
    clock.now = datetime(2026, 11, 30, 16, 40, tzinfo=UTC)  # 23:40 WIB
    ticket = service.issue(visitor()).body["ticket"]
    service.counter_action(1, "call-next", {}, "budi")
    service.counter_action(1, "start", {}, "budi")
    clock.now = datetime(2026, 11, 30, 17, 10, tzinfo=UTC)  # 00:10 WIB, 1 December
    service.counter_action(1, "resolve", {"solution": "Reset"}, "budi")
    client = app.test_client()
    assert client.get(f"/api/survey/{ticket['token']}").get_json()["survey"]["open"] is True
    assert client.post("/api/survey", json={"token": ticket["token"], "answers": ANSWERS}).status_code == 201
    clock.advance(days=1)  # the next day it closes, as any survey
    assert client.get(f"/api/survey/{ticket['token']}").get_json()["survey"]["reason"] == "day_over"


def test_a_visitor_served_before_a_transfer_has_a_survey_and_one_never_served_has_none_on_any_day(app, clock):
    """Served at A, sent on to B and cancelled there: served all the same (the recap lists him), his survey is
    open and counted where he was served; one cancelled before anyone served him has none, and a day later is
    still told he was not served, not that his survey closed."""
    service = app.extensions["antrian"]
    partly = service.issue(visitor()).body["ticket"]
    never = service.issue(visitor()).body["ticket"]
    service.counter_action(1, "call-next", {}, "budi")
    service.counter_action(1, "start", {}, "budi")
    clock.advance(minutes=10)
    service.counter_action(1, "transfer", {"service": "B"}, "budi")
    service.cancel(partly["token"], "depan")
    service.cancel(never["token"], "depan")
    client = app.test_client()

    def reason(ticket):
        return client.get(f"/api/survey/{ticket['token']}").get_json()["survey"]["reason"]

    assert (reason(partly), reason(never)) == (None, "not_served")
    assert client.post("/api/survey", json={"token": partly["token"], "answers": ANSWERS}).status_code == 201
    r = client.post("/api/survey", json={"token": never["token"], "answers": ANSWERS})
    assert r.status_code == 409 and r.get_json()["error"] == "survey_not_served"
    with service.store.read() as tx:
        row = tx.survey_response(tx.ticket_by_token(partly["token"]).id)
    assert (row["service"], row["counter_id"]) == ("A", 1)
    day = partly["day"]
    for where in (("A", 1), ("A", None), (None, 1)):  # in the population where he is a respondent
        figures = service.survey.skm(day, day, *where)
        assert (figures["respondents"], figures["population"]) == (1, 1), where
    assert service.survey.skm(day, day, "B")["population"] == 0
    clock.advance(days=1)
    assert (reason(partly), reason(never)) == ("day_over", "not_served")


def test_a_visitor_sent_on_and_left_waiting_at_closing_is_not_asked_the_next_day(app, clock):
    """Served at A, sent on to B and still waiting there when the day ended: the night's expiry ends his ticket
    the next day (its finished_at), which opened his survey for all of that day, a visit of the day before,
    counted in that day's SKM after it was over. His survey is open on his day, as a served visitor's is
    (helper-217)."""
    service = app.extensions["antrian"]
    ticket = service.issue(visitor()).body["ticket"]
    service.counter_action(1, "call-next", {}, "budi")
    service.counter_action(1, "start", {}, "budi")
    clock.advance(minutes=10)
    service.counter_action(1, "transfer", {"service": "B"}, "budi")
    client = app.test_client()
    clock.advance(days=1)
    assert service.expire_old() == 1
    state = client.get(f"/api/survey/{ticket['token']}").get_json()["survey"]
    assert (state["ticket"]["status"], state["open"], state["reason"]) == ("expired", False, "day_over")
    r = client.post("/api/survey", json={"token": ticket["token"], "answers": ANSWERS})
    assert r.status_code == 409 and r.get_json()["error"] == "survey_closed", r.text


@pytest.mark.parametrize(
    "changes,field,text",
    [
        ({"answers": None}, "answers", "Wajib diisi"),
        ({"answers": [3] * 9}, "answers", "objek JSON"),
        ({"answers": {**ANSWERS, "U3": 5}}, "answers.U3", "1 sampai 4"),
        ({"answers": {**ANSWERS, "U3": 0}}, "answers.U3", "1 sampai 4"),
        ({"answers": {**ANSWERS, "U3": 2.5}}, "answers.U3", "1 sampai 4"),
        ({"answers": {**ANSWERS, "U3": True}}, "answers.U3", "1 sampai 4"),
        ({"answers": {**ANSWERS, "U3": "3"}}, "answers.U3", "1 sampai 4"),
        ({"answers": {k: v for k, v in ANSWERS.items() if k != "U9"}}, "answers.U9", "Wajib diisi"),
        ({"answers": {**ANSWERS, "U10": 3}}, "answers.U10", "tidak dikenal"),
        ({"profile": "L"}, "profile", "objek JSON"),
        ({"profile": {"sex": "M"}}, "profile.sex", "Tidak valid"),
        ({"profile": {"age": 9}}, "profile.age", "10–120"),
        ({"profile": {"age": "33"}}, "profile.age", "10–120"),
        ({"profile": {"education": "s3"}}, "profile.education", "Tidak valid"),
        ({"profile": {"occupation": "artis"}}, "profile.occupation", "Tidak valid"),
        ({"profile": {"name": "Budi"}}, "profile.name", "tidak dikenal"),
        ({"suggestion": 42}, "suggestion", "teks"),
        ({"suggestion": "x" * 2001}, "suggestion", "Terlalu panjang: paling banyak 2000 karakter; yang diketik 2001."),
        ({"suggestion": "a\x00b"}, "suggestion", "tidak diizinkan"),
        ({"token": 5}, "token", "Tidak valid"),
        ({"channel": "kiosk"}, "channel", "Tidak valid"),
    ],
)
def test_422_names_each_bad_field(app, client, changes, field, text):
    body = {"token": "t" * 16, "answers": ANSWERS, **changes}
    r = client.post("/api/survey", json=body)
    assert r.status_code == 422, r.get_json()
    assert text in r.get_json()["fields"][field]
    assert events_of(app, "survey_answered") == []


def test_every_bad_field_at_once_and_both_ways_of_naming_the_ticket(client):
    r = client.post("/api/survey", json={"answers": {"U1": 9}, "profile": {"age": 200}})
    fields = r.get_json()["fields"]
    assert r.status_code == 422 and {"token", "ticket", "answers.U1", "answers.U2", "profile.age"} <= set(fields)
    r = client.post("/api/survey", json={"ticket": "A-001", "answers": ANSWERS})
    assert r.status_code == 422 and set(r.get_json()["fields"]) == {"phone_last4"}


def test_unknown_tickets_are_404(client):
    r = client.post("/api/survey", json={"token": "nope" * 4, "answers": ANSWERS})
    assert r.status_code == 404 and r.get_json()["error"] == "ticket_not_found"
    assert client.get("/api/survey/nope").status_code == 404
    assert client.get("/api/survey/" + "x" * 65).status_code == 404


def test_request_id_repeats_the_first_answer(app, client, officer):
    ticket = serve(client, officer)
    body = {"token": ticket["token"], "answers": ANSWERS, "request_id": "s-1"}
    first = client.post("/api/survey", json=body)
    second = client.post("/api/survey", json={**body, "answers": {**ANSWERS, "U1": 1}})
    assert (first.status_code, second.status_code) == (201, 201) and first.get_json() == second.get_json()
    assert len(events_of(app, "survey_answered")) == 1


def test_anonymous_answers_are_rate_limited_like_the_kiosk(app, client, officer):
    ticket = serve(client, officer)
    app.extensions["antrian.survey_limiter"].limit = 2
    body = {"token": ticket["token"], "answers": ANSWERS}
    phone = app.test_client()  # no login: a visitor
    assert phone.post("/api/survey", json=body).status_code == 201
    assert phone.post("/api/survey/lookup", json={"ticket": ticket["label"], "phone_last4": "7890"}).status_code == 200
    r = phone.post("/api/survey", json=body)
    assert r.status_code == 429 and r.get_json()["error"] == "rate_limited"
    assert phone.post("/api/tickets", json=visitor()).status_code == 201  # the kiosk's budget is its own
    assert client.post("/api/survey", json=body).status_code == 200  # staff are not limited


# -- the SKM report -------------------------------------------------------------------------------


def answer_worked_example(client, officer):
    """Five served tickets answering docs/skm.md's example, one more served without an answer."""
    tickets = []
    for i, row in enumerate(WORKED):
        t = serve(client, officer, service="A" if i < 3 else "C")
        body = {"token": t["token"], "answers": as_response(row), "profile": {"sex": "LP"[i % 2], "age": 20 + 10 * i}}
        if i == 1:
            body["suggestion"] = '=HYPERLINK("http://x")'
        if i == 4:
            body["suggestion"] = "Mohon tambah kursi tunggu"
        assert client.post("/api/survey", json=body).status_code == 201
        tickets.append(t)
    serve(client, officer)
    return tickets


def test_skm_json_reproduces_the_worked_example(client, officer):
    answer_worked_example(client, officer)
    r = client.get("/api/skm?from=2026-11-28&to=2026-11-28")
    assert r.status_code == 200
    s = r.get_json()
    assert (s["respondents"], s["population"], s["min_sample"], s["sample_enough"]) == (5, 6, 6, False)
    assert (s["ikm_unit"], s["ikm"], s["mutu"], s["kinerja"]) == (3.3333, 83.33, "B", "Baik")
    assert s["nrr"]["U3"] == 2.8 and [e["sum"] for e in s["elements"]] == [16, 17, 14, 20, 16, 18, 19, 15, 15]
    by_service = {g["service"]: g for g in s["by_service"]}
    assert (by_service["A"]["respondents"], by_service["A"]["population"]) == (3, 4)
    assert by_service["C"]["respondents"] == 2 and by_service["C"]["service_name"]
    assert [g["counter_id"] for g in s["by_counter"]] == [1] and s["by_counter"][0]["respondents"] == 5
    sex = {r["code"]: r["count"] for r in s["profile"]["sex"]}
    assert sex == {"L": 3, "P": 2, "unknown": 0}
    ages = {r["code"]: r["count"] for r in s["profile"]["age"]}
    assert ages == {"lt20": 0, "20_29": 1, "30_39": 1, "40_49": 1, "50_59": 1, "60": 1, "unknown": 0}
    assert [x["text"] for x in s["suggestions"]] == ['=HYPERLINK("http://x")', "Mohon tambah kursi tunggu"]
    assert not any(k in json.dumps(s) for k in ("Budi Santoso", "081234567890", "token"))
    only_c = client.get("/api/skm?from=2026-11-28&to=2026-11-28&service=C").get_json()
    assert only_c["respondents"] == 2 and only_c["filters"] == {"service": "C"}
    assert client.get("/api/skm?from=2026-11-28&to=2026-11-28&counter=1").get_json()["respondents"] == 5
    empty = client.get("/api/skm?from=2026-11-27&to=2026-11-27").get_json()
    assert (empty["respondents"], empty["ikm"], empty["mutu"], empty["min_sample"]) == (0, None, None, 0)


def test_skm_csv_and_xlsx(client, officer):
    from openpyxl import load_workbook

    answer_worked_example(client, officer)
    r = client.get("/api/skm?from=2026-11-28&to=2026-11-28&format=csv")
    assert r.status_code == 200 and r.mimetype == "text/csv" and "skm-2026-11-28" in r.headers["Content-Disposition"]
    text = r.data.decode("utf-8")
    assert text.startswith("\ufeffLaporan Survei Kepuasan Masyarakat")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert ["U3", "Waktu penyelesaian", "14", "5", "2.8", "0.311"] in rows
    assert ["IKM (konversi)", "83.33"] in rows and ["Mutu pelayanan", "B"] in rows
    assert any(row[3:4] == ['\'=HYPERLINK("http://x")'] for row in rows)
    # a complaint not answered yet says so, as the page does, not a blank cell
    assert next(row for row in rows if row[3:4] == ["Mohon tambah kursi tunggu"])[4:] == ["Belum dijawab"]
    # the profile's Persentase is a percentage, as the page shows it: each item's add up to 100
    heads = [i for i, row in enumerate(rows) if row[1:3] == ["Jumlah", "Persentase"]]
    assert heads
    for i in heads:
        block = []
        for row in rows[i + 1 :]:
            if len(row) != 3 or row[1:3] == ["Jumlah", "Persentase"]:
                break
            block.append(float(row[2]))
        assert abs(sum(block) - 100) < 0.5, block
    r = client.get("/api/skm?from=2026-11-28&to=2026-11-28&format=xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ["SKM", "Saran", "Data"]
    for name in ("SKM", "Saran"):  # printed as wide as an A4 sheet, not cut over two
        setup = wb[name].page_setup
        assert wb[name].sheet_properties.pageSetUpPr.fitToPage and (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    report = [[c for c in row] for row in wb["SKM"].iter_rows(values_only=True)]
    assert report[0][0] == "Laporan Survei Kepuasan Masyarakat (SKM)" and report[2][0] == "Periode: 28 November 2026"
    assert ("IKM (konversi)", 83.33) in [tuple(row[:2]) for row in report]
    saran = list(wb["Saran"].iter_rows(values_only=True))
    cell = next(c for c in wb["Saran"]["D"] if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert cell.data_type == "s" and any("Mohon tambah kursi" in str(row) for row in saran)
    assert [row[4] for row in saran[5:]] == ["Belum dijawab", "Belum dijawab"]  # neither answered yet
    data = list(wb["Data"].iter_rows(values_only=True))
    assert [row[4:] for row in data[5:]] == [tuple(r) for r in WORKED]
    assert all(isinstance(row[1], datetime) and row[1].date().isoformat() == "2026-11-28" for row in data[5:])


def test_a_profiles_percentage_is_its_count_over_the_respondents_rounded_once():
    # 14 of 17 is 82.35…%: 82.4, not 82.3 (82.35, from a share rounded to 0.8235, rounded again); 4 of 21
    # is 19.04…%: 19.0, not 19.1; 1 of 16 is 6.25 %: 6.3, half up as every figure of the report
    assert skm.percent(14, 17) == Decimal("82.4") and skm.percent(4, 21) == Decimal("19.0")
    assert skm.percent(1, 16) == Decimal("6.3") and skm.percent(10, 136) == Decimal("7.4")
    assert skm.percent(0, 5) == Decimal("0.0") and skm.percent(0, 0) is None


def test_the_profiles_percentages_on_the_page_and_in_the_files_are_rounded_once(client, officer):
    """A month of 136 respondents, 10 of them with a diploma (7.35…%), showed 7,3% on the page, its print,
    the CSV and the XLSX: the 4-decimal share 0.0735 times 100, rounded again (and a float's 7.35 rounds
    down). Here 14 of 17 respondents (82.35…%) and 3 who left it out (17.6…%)."""
    from openpyxl import load_workbook

    for i in range(17):
        t = serve(client, officer)
        profile = {"education": "s1"} if i < 14 else {}
        body = {"token": t["token"], "answers": ANSWERS, "profile": profile}
        assert client.post("/api/survey", json=body).status_code == 201
    query = "from=2026-11-28&to=2026-11-28"
    education = {r["code"]: r for r in client.get(f"/api/skm?{query}").get_json()["profile"]["education"]}
    assert (education["s1"]["count"], education["unknown"]["count"]) == (14, 3)
    for lang, s1, unknown in (("id", "82,4%", "17,6%"), ("en", "82.4%", "17.6%")):
        page = client.get(f"/counter/skm?{query}&lang={lang}").data.decode("utf-8")
        table = page[page.index('data-item="education"') :]
        cells = re.findall(
            r'<tr data-code="(\w+)">.*?<td class="num">(\d+)</td><td class="num">([^<]*)</td>', table, re.S
        )
        shown = {code: (count, pct) for code, count, pct in cells[:7]}
        assert shown["s1"] == ("14", s1) and shown["unknown"] == ("3", unknown), shown
    rows = list(csv.reader(io.StringIO(client.get(f"/api/skm?{query}&format=csv").data.decode("utf-8-sig"))))
    assert ["S1", "14", "82.4"] in rows, [r for r in rows if len(r) == 3]
    wb = load_workbook(io.BytesIO(client.get(f"/api/skm?{query}&format=xlsx").data))
    report = [tuple(row[:3]) for row in wb["SKM"].iter_rows(values_only=True)]
    assert ("S1", 14, 82.4) in report


def test_a_grade_has_one_word_wherever_it_is_shown_in_either_language(client, officer):
    """The English SKM page named grade C "Poor" in its tables while its legend said "C (fair) … D (poor)",
    and D "Not good", milder than C's word. A grade's word is the regulation's (PermenPANRB 14/2017: Sangat
    baik, Baik, Kurang baik, Tidak baik), in English one rendering of it, and the same on the page (the index,
    per service and per counter, the legend), the dashboard, the CSV and the XLSX: checked at each grade."""
    from openpyxl import load_workbook

    from server.i18n import catalogue

    words = {lang: {g: catalogue(lang)[f"skm.kinerja.{g.lower()}"] for g in "ABCD"} for lang in ("id", "en")}
    assert words["id"] == {mutu: kinerja for _, mutu, kinerja in skm.GRADES}
    assert words["en"] == {"A": "Very good", "B": "Good", "C": "Fair", "D": "Poor"}
    day = "2026-11-28"
    seen: set[str] = set()

    def check() -> None:
        for lang in ("id", "en"):
            page = client.get(f"/counter/skm?from={day}&to={day}&lang={lang}").data.decode("utf-8")
            note = re.search(r'<p class="note">(.*?)</p>', page, re.S).group(1)
            assert dict(re.findall(r"\b([A-D]) \(([^)]+)\)", note)) == words[lang], note
            shown = re.findall(r'<dd id="mutu">([A-D])</dd>\s*<dt>[^<]*</dt><dd id="kinerja">([^<]*)</dd>', page)
            assert len(shown) == 1
            groups = re.findall(r'<td class="c">([A-D])</td>\s*<td>([^<]*)</td>', page)  # per service, per counter
            assert len(groups) == 3
            dashboard = client.get(f"/counter/dashboard?from={day}&to={day}&lang={lang}").data.decode("utf-8")
            shown += re.findall(r'class="mutu">([A-D]) \(([^)]*)\)</strong>', dashboard)
            assert len(shown) == 2
            for grade, word in shown + groups:
                assert word == words[lang][grade], (lang, grade, word)
                seen.add(grade)
        rows = list(csv.reader(io.StringIO(client.get(f"/api/skm?from={day}&to={day}&format=csv").data.decode())))
        wb = load_workbook(io.BytesIO(client.get(f"/api/skm?from={day}&to={day}&format=xlsx").data))
        for table in (rows, [list(r) for r in wb["SKM"].iter_rows(values_only=True)]):
            grade = next(r[1] for r in table if r[:1] == ["Mutu pelayanan"])
            assert next(r[1] for r in table if r[:1] == ["Kinerja unit pelayanan"]) == words["id"][grade]

    def respond(service: str, score: int) -> None:
        ticket = serve(client, officer, service=service)
        body = {"token": ticket["token"], "answers": as_response([score] * 9)}
        assert client.post("/api/survey", json=body).status_code == 201

    respond("A", 2)  # A: 50.00, D
    respond("C", 3)  # C: 75.00, C; the office: 62.50, D
    check()
    for service in ("A", "A", "C", "C"):
        respond(service, 4)  # A: 83.33, B; C: 91.67, A; the office: 87.50, B
    check()
    assert seen == set("ABCD")


def test_skm_files_name_the_office_freeze_their_heads_and_show_the_figures_decimals(app, client, officer):
    """The month-end review: the CSV named no office; no sheet kept its head on screen; the Data sheet had
    no column widths; the NRRs were numbers without a format (3.26 where the page shows 3,260)."""
    from openpyxl import load_workbook

    office = app.extensions["antrian"].settings.office.name
    answer_worked_example(client, officer)
    text = client.get("/api/skm?from=2026-11-28&to=2026-11-28&format=csv").data.decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[:3] == [["Laporan Survei Kepuasan Masyarakat (SKM)"], [office], ["Periode: 28 November 2026"]]
    assert ["U3", "Waktu penyelesaian", "14", "5", "2.8", "0.311"] in rows  # the figures stay plain numbers
    wb = load_workbook(io.BytesIO(client.get("/api/skm?from=2026-11-28&to=2026-11-28&format=xlsx").data))
    assert [wb[name].freeze_panes for name in ("SKM", "Saran", "Data")] == ["A4", "A6", "A6"]
    assert wb["Saran"].print_title_rows == wb["Data"].print_title_rows == "$5:$5"
    assert wb["SKM"]["A2"].value == office and wb["Data"]["E5"].value == "U1"
    widths = {col: wb["Data"].column_dimensions[col].width for col in "ABCDEM"}
    assert widths["C"] >= 24 and widths["B"] >= 11 and all(widths.values()), widths
    formats = {}
    for row in wb["SKM"].iter_rows():
        label = row[0].value
        if label == "U3" and "nrr" not in formats:  # the elements' table (the wordings' section names U3 too)
            formats["nrr"], formats["weighted"] = (
                (row[4].value, row[4].number_format),
                (row[5].value, row[5].number_format),
            )
        elif label in ("IKM unit pelayanan", "IKM (konversi)"):
            formats[label] = (row[1].value, row[1].number_format)
        elif label == "Konsultasi Penyedia" and isinstance(row[4].value, float):  # per service: U1's NRR, the IKM
            formats["service"] = (row[4].number_format, row[13].number_format)
    assert formats == {
        "nrr": (2.8, "0.000"),
        "weighted": (0.311, "0.000"),
        "IKM unit pelayanan": (3.3333, "0.0000"),
        "IKM (konversi)": (83.33, "0.00"),
        "service": ("0.000", "0.00"),
    }, formats


def test_skm_export_of_a_period_with_no_answers_has_the_report_with_no_shares(client, officer):
    """The 1st of a month, or a service nobody rated: no respondents, so no share of each profile answer
    (the page shows "—", and so does the export now; it answered 500: None * 100)."""
    from openpyxl import load_workbook

    r = client.get("/api/skm?from=2026-11-27&to=2026-11-27&format=csv")
    assert r.status_code == 200, r.data[:300]
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8").lstrip("\ufeff"))))
    heads = [i for i, row in enumerate(rows) if row[1:3] == ["Jumlah", "Persentase"]]
    assert heads and all(rows[i + 1][1:3] == ["0", "—"] for i in heads)
    r = client.get("/api/skm?from=2026-11-27&to=2026-11-27&format=xlsx")
    assert r.status_code == 200
    report = list(load_workbook(io.BytesIO(r.data))["SKM"].iter_rows(values_only=True))
    assert any(row[1:3] == (0, "—") for row in report)


@pytest.mark.parametrize(
    "query,field",
    [
        ("from=2026-11-28", "to"),
        ("from=2026-11-28&to=2026-11-27", "to"),
        ("from=2026-11-28&to=2026-11-28&format=pdf", "format"),
        ("from=2026-11-28&to=2026-11-28&service=Z", "service"),
        ("from=2026-11-28&to=2026-11-28&counter=99", "counter"),
        ("from=2026-11-28&to=2026-11-28&counter=x", "counter"),
    ],
)
def test_skm_422_names_the_bad_parameter(client, officer, query, field):
    r = client.get(f"/api/skm?{query}")
    assert r.status_code == 422 and field in r.get_json()["fields"]


def test_skm_and_complaints_are_for_staff(app, client):
    for path in ("/api/skm?from=2026-11-28&to=2026-11-28", "/api/complaints"):
        assert client.get(path).status_code == 401
    assert client.post("/api/complaints/1/answer", json={"answer": "x"}).status_code == 401
    login(app, client, "fo", "frontoffice")
    assert client.get("/api/skm?from=2026-11-28&to=2026-11-28").status_code == 200
    assert client.get("/api/admin/survey").status_code == 403


# -- complaints -----------------------------------------------------------------------------------


def test_complaints_are_listed_answered_and_pushed(app, client, officer, clock):
    tickets = answer_worked_example(client, officer)
    listed = client.get("/api/complaints").get_json()["complaints"]
    assert [c["text"] for c in listed] == ['=HYPERLINK("http://x")', "Mohon tambah kursi tunggu"]
    first = listed[0]
    assert first["status"] == "open" and first["label"] == tickets[1]["label"] and first["answered_by"] is None
    assert "name" not in first and "phone" not in first
    clock.advance(minutes=90)
    assert client.get("/api/complaints?status=open").get_json()["complaints"][0]["age_s"] == 5400
    r = client.post(
        f"/api/complaints/{first['id']}/answer", json={"answer": "Terima kasih, sudah kami tindak lanjuti."}
    )
    assert r.status_code == 403  # no CSRF header
    r = client.post(
        f"/api/complaints/{first['id']}/answer",
        json={"answer": "Terima kasih, sudah kami tindak lanjuti."},
        headers=officer,
    )
    assert r.status_code == 200
    done = r.get_json()["complaint"]
    assert (done["status"], done["answered_by"], done["age_s"]) == ("answered", "budi", 5400)
    listed = client.get("/api/complaints").get_json()["complaints"]
    assert [c["status"] for c in listed] == ["open", "answered"]
    assert [c["id"] for c in client.get("/api/complaints?status=answered").get_json()["complaints"]] == [first["id"]]
    events = events_of(app, "complaint_answered")
    assert len(events) == 1 and json.loads(events[0]["data"]) == {"complaint_id": first["id"], "again": False}
    # the visitor's phone sees the office's answer
    state = client.get(f"/api/survey/{tickets[1]['token']}").get_json()["survey"]
    assert state["response"]["answer"].startswith("Terima kasih")


def test_complaint_answer_errors(app, client, officer):
    answer_worked_example(client, officer)
    without_text = client.get("/api/complaints").get_json()["complaints"][0]["id"] - 1
    for ref in (str(without_text), "999", "abc"):
        r = client.post(f"/api/complaints/{ref}/answer", json={"answer": "x"}, headers=officer)
        assert r.status_code == 404 and r.get_json()["error"] == "complaint_not_found"
    cid = client.get("/api/complaints").get_json()["complaints"][0]["id"]
    r = client.post(f"/api/complaints/{cid}/answer", json={"answer": "  "}, headers=officer)
    assert r.status_code == 422 and r.get_json()["fields"] == {"answer": "Wajib diisi."}
    r = client.get("/api/complaints?status=maybe&from=2026-11-28")
    assert r.status_code == 422 and set(r.get_json()["fields"]) == {"status", "to"}


# -- complaints kept whole: corrections, replies, closes, the list's bound --------------------------


def complaint(client, response_id: int) -> dict:
    return next(c for c in client.get("/api/complaints").get_json()["complaints"] if c["id"] == response_id)


def test_a_correction_without_text_keeps_the_complaint_given_before(app, client, officer):
    """A complaint written on the phone, then the survey answered again at the tablet with the text box
    left empty (as the tablet never shows the earlier text): the complaint stays, open, with its text."""
    ticket = serve(client, officer, phone="+62 812-3456-7890")
    body = {"token": ticket["token"], "answers": ANSWERS, "suggestion": "Toilet kotor dan tidak ada air"}
    cid = client.post("/api/survey", json=body).get_json()["survey"]["response"]["id"]
    tablet = {"channel": "tablet", "ticket": ticket["label"], "phone_last4": "7890", "profile": {}}
    for i, text in enumerate(({"suggestion": ""}, {"suggestion": None}, {}, {"suggestion": " \n "})):
        r = client.post("/api/survey", json={**tablet, "answers": {**ANSWERS, "U9": 1 + i}, **text})
        assert r.status_code == 200, r.get_json()
    kept = complaint(client, cid)
    assert (kept["status"], kept["text"], kept["history"]) == ("open", "Toilet kotor dan tidak ada air", [])
    assert [c["id"] for c in client.get("/api/complaints?status=open").get_json()["complaints"]] == [cid]
    response = client.get(f"/api/survey/{ticket['token']}").get_json()["survey"]["response"]
    assert response["suggestion"] == "Toilet kotor dan tidak ada air" and response["answers"]["U9"] == 4
    s = client.get("/api/skm?from=2026-11-28&to=2026-11-28").get_json()
    assert [x["text"] for x in s["suggestions"]] == ["Toilet kotor dan tidak ada air"]
    kinds = [json.loads(e["data"]) for e in events_of(app, "survey_answered")]
    assert [(k["complaint"], k["text_changed"]) for k in kinds] == [(True, True)] + [(True, False)] * 4


def test_a_changed_text_reopens_the_complaint_and_keeps_the_earlier_text_and_its_answer(app, client, officer, clock):
    """Answered "AC sudah diperbaiki", then the visitor writes something else: it is open again with the new
    text, its age counted from the change; the earlier text and the answer to it are in its history, and the
    visitor's phone no longer shows that answer under a text it did not answer."""
    ticket = serve(client, officer)
    body = {"token": ticket["token"], "answers": ANSWERS, "suggestion": "AC mati"}
    cid = client.post("/api/survey", json=body).get_json()["survey"]["response"]["id"]
    written = clock.now.isoformat()
    clock.advance(minutes=10)
    r = client.post(f"/api/complaints/{cid}/answer", json={"answer": "AC sudah diperbaiki"}, headers=officer)
    assert r.status_code == 200 and r.get_json()["complaint"]["status"] == "answered"
    answered_at = clock.now.isoformat()
    clock.advance(minutes=20)
    bribe = "Petugas loket 1 membentak saya, minta uang Rp50.000"
    assert client.post("/api/survey", json={**body, "suggestion": bribe}).status_code == 200
    changed_at = clock.now.isoformat()
    clock.advance(minutes=5)
    open_ = client.get("/api/complaints?status=open").get_json()["complaints"]
    assert [c["text"] for c in open_] == [bribe]
    assert client.get("/api/complaints?status=answered").get_json()["complaints"] == []
    now = open_[0]
    assert (now["status"], now["answer"], now["answered_by"], now["answered_at"]) == ("open", None, None, None)
    assert (now["text_at"], now["age_s"]) == (changed_at, 300)
    assert now["history"] == [
        {"kind": "text", "text": "AC mati", "by": None, "by_name": None, "at": written, "replaced_at": changed_at},
        {
            "kind": "answer",
            "text": "AC sudah diperbaiki",
            "by": "budi",
            "by_name": "budi",
            "at": answered_at,
            "replaced_at": changed_at,
        },
    ]
    phone = client.get(f"/api/survey/{ticket['token']}").get_json()["survey"]["response"]
    assert (phone["suggestion"], phone["answer"]) == (bribe, None)
    assert json.loads(events_of(app, "survey_answered")[-1]["data"])["text_changed"] is True
    # answered again, the new answer is for the new text; the history keeps the first
    r = client.post(f"/api/complaints/{cid}/answer", json={"answer": "Kami periksa hari ini."}, headers=officer)
    done = r.get_json()["complaint"]
    assert (done["status"], done["text"], done["answer"], len(done["history"])) == (
        "answered",
        bribe,
        "Kami periksa hari ini.",
        2,
    )


def test_every_answer_is_kept_with_who_and_when(app, client, officer, clock):
    ticket = serve(client, officer)
    body = {"token": ticket["token"], "answers": ANSWERS, "suggestion": "Antrian lama"}
    cid = client.post("/api/survey", json=body).get_json()["survey"]["response"]["id"]
    client.post(f"/api/complaints/{cid}/answer", json={"answer": "Jawaban pertama"}, headers=officer)
    first_at = clock.now.isoformat()
    clock.advance(minutes=3)
    dewi = login(app, client, "dewi")
    r = client.post(f"/api/complaints/{cid}/answer", json={"answer": "Jawaban kedua"}, headers=dewi)
    assert r.status_code == 200
    done, now = r.get_json()["complaint"], clock.now.isoformat()
    assert (done["answer"], done["answered_by"], done["answered_at"]) == ("Jawaban kedua", "dewi", now)
    first = {
        "kind": "answer",
        "text": "Jawaban pertama",
        "by": "budi",
        "by_name": "budi",
        "at": first_at,
        "replaced_at": now,
    }
    assert done["history"] == [first]
    assert complaint(client, cid)["history"] == done["history"]
    # the same answer again changes nothing and tells nobody
    again = client.post(f"/api/complaints/{cid}/answer", json={"answer": "Jawaban kedua"}, headers=dewi)
    assert again.status_code == 200 and again.get_json()["complaint"] == done
    assert [json.loads(e["data"])["again"] for e in events_of(app, "complaint_answered")] == [False, True]
    with app.extensions["antrian"].store.read() as tx:
        assert tx.one("SELECT COUNT(*) AS n FROM complaint_history")["n"] == 1


def test_a_text_needing_no_reply_is_closed_with_who_and_when_and_can_be_reopened(app, client, officer, clock):
    ticket = serve(client, officer)
    body = {"token": ticket["token"], "answers": ANSWERS, "suggestion": "Terima kasih, pelayanan bagus"}
    cid = client.post("/api/survey", json=body).get_json()["survey"]["response"]["id"]
    assert client.post(f"/api/complaints/{cid}/close").status_code == 403  # no CSRF header
    clock.advance(minutes=2)
    r = client.post(f"/api/complaints/{cid}/close", headers=officer)
    assert r.status_code == 200
    closed = r.get_json()["complaint"]
    closed_at = clock.now.isoformat()
    assert (closed["status"], closed["closed_by"], closed["closed_at"], closed["answer"]) == (
        "closed",
        "budi",
        closed_at,
        None,
    )
    assert closed["age_s"] == 120
    assert client.get("/api/complaints?status=open").get_json()["complaints"] == []
    listed = client.get("/api/complaints?status=closed").get_json()
    assert [c["id"] for c in listed["complaints"]] == [cid]
    assert listed["counts"] == {"open": 0, "answered": 0, "closed": 1}
    assert client.post(f"/api/complaints/{cid}/close", json={}, headers=officer).get_json()["complaint"] == closed
    assert [json.loads(e["data"]) for e in events_of(app, "complaint_closed")] == [{"complaint_id": cid}]
    assert events_of(app, "complaint_closed")[0]["actor"] == "budi"
    # the SKM report's suggestions say it needed no reply, not that it waits for one
    report = client.get("/api/skm?from=2026-11-28&to=2026-11-28").get_json()
    assert [(x["text"], x["answer"], x["closed_at"]) for x in report["suggestions"]] == [
        ("Terima kasih, pelayanan bagus", None, closed_at)
    ]
    csv_text = client.get("/api/skm?from=2026-11-28&to=2026-11-28&format=csv").data.decode("utf-8")
    assert '"Terima kasih, pelayanan bagus",Ditutup: tidak perlu dijawab' in csv_text
    # reopened: the close stays in the history
    clock.advance(minutes=1)
    r = client.post(f"/api/complaints/{cid}/reopen", json={"request_id": "re-1"}, headers=officer)
    reopened = r.get_json()["complaint"]
    assert (r.status_code, reopened["status"], reopened["closed_by"]) == (200, "open", None)
    assert reopened["history"] == [
        {
            "kind": "closed",
            "text": None,
            "by": "budi",
            "by_name": "budi",
            "at": closed_at,
            "replaced_at": clock.now.isoformat(),
        }
    ]
    assert len(events_of(app, "complaint_reopened")) == 1
    # closed again then answered: the answer replaces the close; an answered one is not closed or reopened
    client.post(f"/api/complaints/{cid}/close", headers=officer)
    r = client.post(f"/api/complaints/{cid}/answer", json={"answer": "Terima kasih kembali."}, headers=officer)
    done = r.get_json()["complaint"]
    assert (done["status"], done["closed_at"], [h["kind"] for h in done["history"]]) == (
        "answered",
        None,
        ["closed", "closed"],
    )
    for action in ("close", "reopen"):
        r = client.post(f"/api/complaints/{cid}/{action}", headers=officer)
        assert r.status_code == 409 and r.get_json()["error"] == "complaint_already_answered"
        assert "sudah dijawab" in r.get_json()["message"]
    for ref in ("999", "abc"):
        r = client.post(f"/api/complaints/{ref}/close", headers=officer)
        assert r.status_code == 404 and r.get_json()["error"] == "complaint_not_found"
    anonymous = app.test_client()
    assert anonymous.post(f"/api/complaints/{cid}/reopen", json={}).status_code == 401


def test_the_officer_a_complaint_is_about_neither_answers_nor_closes_it(app, client, officer):
    """ "Tidak perlu dijawab", or an answer of ".", by the officer a complaint is about would bury it: the
    front office or another officer answers or closes it. He may open it again (back among the open ones)."""
    ticket = serve_as(client, officer)
    body = {"token": ticket["token"], "answers": ANSWERS, "suggestion": "Petugasnya kurang ramah"}
    cid = client.post("/api/survey", json=body).get_json()["survey"]["response"]["id"]
    assert [(c["id"], c["own"]) for c in client.get("/api/complaints").get_json()["complaints"]] == [(cid, True)]
    for action, payload in (("close", {}), ("answer", {"answer": "."})):
        r = client.post(f"/api/complaints/{cid}/{action}", json=payload, headers=officer)
        assert r.status_code == 403 and r.get_json()["error"] == "complaint_own_service", action
        assert "layanan Anda sendiri" in r.get_json()["message"]
    assert events_of(app, "complaint_closed") == events_of(app, "complaint_answered") == []
    assert client.get("/api/complaints?status=open").get_json()["counts"] == {"open": 1, "answered": 0, "closed": 0}

    front = app.test_client()
    front_headers = login(app, front, "rina", role="frontoffice")
    assert [c["own"] for c in front.get("/api/complaints").get_json()["complaints"]] == [False]
    r = front.post(f"/api/complaints/{cid}/close", headers=front_headers)
    assert r.status_code == 200
    assert (r.get_json()["complaint"]["closed_by"], r.get_json()["complaint"]["own"]) == ("rina", False)
    r = client.post(f"/api/complaints/{cid}/reopen", headers=officer)  # back among the open ones: allowed
    assert (r.status_code, r.get_json()["complaint"]["status"], r.get_json()["complaint"]["own"]) == (200, "open", True)
    reply = {"answer": "Mohon maaf, sudah kami sampaikan ke petugas."}
    r = front.post(f"/api/complaints/{cid}/answer", json=reply, headers=front_headers)
    assert (r.status_code, r.get_json()["complaint"]["answered_by"]) == (200, "rina")
    r = client.post(f"/api/complaints/{cid}/answer", json={"answer": "Tidak benar."}, headers=officer)
    assert r.status_code == 403  # nor does he change the office's answer


def test_the_first_officer_of_a_transferred_ticket_neither_answers_nor_closes_a_complaint_about_it(
    app, client, officer
):
    """budi served the visitor at service A and sent them on to C, where eko finished: the ticket's officer is
    eko, but a complaint about the visit is about budi's service too (the diff review, helper-122)."""
    ticket = client.post("/api/tickets", json=visitor()).get_json()["ticket"]
    for action, body in (("call-next", {}), ("start", {}), ("transfer", {"service": "C"})):
        assert client.post(f"/api/counters/1/{action}", json=body, headers=officer).status_code == 200
    other = app.test_client()
    eko = login(app, other, "eko")
    for action, body in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Reset"})):
        assert other.post(f"/api/counters/3/{action}", json=body, headers=eko).status_code == 200
    body = {"token": ticket["token"], "answers": ANSWERS, "suggestion": "Dioper ke sana kemari"}
    cid = client.post("/api/survey", json=body).get_json()["survey"]["response"]["id"]
    for who, headers, own in ((client, officer, True), (other, eko, True)):
        assert [(c["id"], c["own"]) for c in who.get("/api/complaints").get_json()["complaints"]] == [(cid, own)]
        for action, payload in (("close", {}), ("answer", {"answer": "."})):
            r = who.post(f"/api/complaints/{cid}/{action}", json=payload, headers=headers)
            assert r.status_code == 403 and r.get_json()["error"] == "complaint_own_service", action
    front = app.test_client()
    front_headers = login(app, front, "rina", role="frontoffice")
    assert [c["own"] for c in front.get("/api/complaints").get_json()["complaints"]] == [False]
    r = front.post(f"/api/complaints/{cid}/answer", json={"answer": "Mohon maaf."}, headers=front_headers)
    assert (r.status_code, r.get_json()["complaint"]["own"]) == (200, False)


def test_a_new_complaint_is_listed_however_many_are_open_and_the_true_counts_are_given(
    app, client, officer, clock, monkeypatch
):
    """Past the list's limit the open ones listed are the newest (shown oldest first), and the counts say
    how many there are: a new complaint is never silently missing."""
    monkeypatch.setattr("server.service.survey.COMPLAINTS_LIMIT", 3)
    ids = []
    for i in range(4):
        t = serve(client, officer)
        body = {"token": t["token"], "answers": ANSWERS, "suggestion": f"Terima kasih {i}"}
        ids.append(client.post("/api/survey", json=body).get_json()["survey"]["response"]["id"])
        clock.advance(minutes=1)
    t = serve(client, officer)
    body = {"token": t["token"], "answers": ANSWERS, "suggestion": "URGENT: akun saya dibajak"}
    new = client.post("/api/survey", json=body).get_json()["survey"]["response"]["id"]
    for status in ("all", "open"):
        listed = client.get(f"/api/complaints?status={status}").get_json()
        assert [c["id"] for c in listed["complaints"]] == [ids[2], ids[3], new]  # the oldest two left out
        assert (listed["counts"], listed["limit"]) == ({"open": 5, "answered": 0, "closed": 0}, 3)
    front = app.test_client()  # budi served them all: the front office closes them
    front_headers = login(app, front, "rina", role="frontoffice")
    for cid in ids[:3]:
        assert front.post(f"/api/complaints/{cid}/close", headers=front_headers).status_code == 200
        clock.advance(minutes=1)
    listed = client.get("/api/complaints").get_json()
    assert [c["id"] for c in listed["complaints"]] == [ids[3], new, ids[2], ids[1], ids[0]]
    assert listed["counts"] == {"open": 2, "answered": 0, "closed": 3}
    dated = client.get("/api/complaints?from=2026-11-29&to=2026-11-30").get_json()
    assert (dated["complaints"], dated["counts"]) == ([], {"open": 0, "answered": 0, "closed": 0})


def test_a_resubmission_that_changes_nothing_writes_nothing_and_corrections_are_bounded(app, client, officer, clock):
    from server.service.survey import CORRECTIONS_MAX

    ticket = serve(client, officer)
    body = first_body = {
        "token": ticket["token"],
        "answers": ANSWERS,
        "profile": {"sex": "P"},
        "suggestion": "Kursi kurang",
    }
    first = client.post("/api/survey", json=body).get_json()["survey"]
    assert first["corrections_left"] == CORRECTIONS_MAX == 5
    published: list[dict] = []
    app.extensions["antrian"].publish = published.extend
    clock.advance(minutes=1)
    stored = app.extensions["antrian"].store
    for extra in ({}, {"suggestion": ""}, {"channel": "tablet"}, *({"request_id": f"new-{i}"} for i in range(5))):
        r = client.post("/api/survey", json={**body, **extra})
        assert r.status_code == 200 and r.get_json()["survey"] == first  # updated_at unchanged too
    assert published == [] and len(events_of(app, "survey_answered")) == 1
    with stored.read() as tx:  # a request_id keeps the ticket's reference, not the 25 KB state it answers
        kept = tx.rows("SELECT key, body FROM requests WHERE key LIKE '%new-%'")
    assert len(kept) == 5 and all(len(r["body"]) < 60 for r in kept), kept
    # five real corrections; the scores alone do not make the complaints pages fetch their list again
    for i in range(CORRECTIONS_MAX):
        r = client.post("/api/survey", json={**body, "answers": {**ANSWERS, "U1": 1 + i % 4}, "profile": {}})
        assert r.status_code == 200 and r.get_json()["survey"]["corrections_left"] == CORRECTIONS_MAX - 1 - i
        body = {**body, "answers": {**ANSWERS, "U1": 1 + i % 4}, "profile": {}}
    assert [e["data"]["text_changed"] for e in published] == [False] * CORRECTIONS_MAX
    r = client.post("/api/survey", json={**body, "suggestion": "Teks baru"})
    assert r.status_code == 409 and r.get_json()["error"] == "survey_corrections_spent"
    assert ticket["label"] in r.get_json()["message"] and "5 kali" in r.get_json()["message"]
    r = client.post("/api/survey", json={**body, "suggestion": "Teks baru"}, headers={"X-Lang": "en"})
    assert "corrected 5 times" in r.get_json()["message"]
    assert client.post("/api/survey", json=body).status_code == 200  # changing nothing is still fine
    assert len(events_of(app, "survey_answered")) == 1 + CORRECTIONS_MAX
    state = client.get(f"/api/survey/{ticket['token']}").get_json()["survey"]
    assert (state["corrections_left"], state["response"]["suggestion"]) == (0, "Kursi kurang")
    # a late retry of a resubmission that changed nothing (new-0, sent before the corrections) answers
    # today's state and takes none of them back
    r = client.post("/api/survey", json={**first_body, "request_id": "new-0"})
    assert r.status_code == 200 and r.get_json()["survey"] == state
    assert r.get_json()["survey"]["response"]["answers"]["U1"] == body["answers"]["U1"] != ANSWERS["U1"]


def test_the_migration_keeps_complaints_of_the_previous_release(tmp_path):
    from sqlite_utils import Database

    from server.store import Store, migrations

    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m020_complaint_history")
    scores = ", ".join(["3"] * 9)
    for rid, text, answer in ((1, "AC mati", "Sudah diperbaiki"), (2, "Antrian lama", None), (3, None, None)):
        db.execute(
            "INSERT INTO survey_responses (id, day, service, counter_id, channel, u1, u2, u3, u4, u5, u6, u7, u8, u9,"
            f" suggestion, created_at, updated_at, answer, answered_by, answered_at) VALUES (?, '2026-11-28', 'A',"
            f" 1, 'phone', {scores}, ?, '2026-11-28T03:00:00+00:00', '2026-11-28T03:05:00+00:00', ?, ?, ?)",
            [rid, text, answer, "budi" if answer else None, "2026-11-28T04:00:00+00:00" if answer else None],
        )
    db.conn.commit()
    db.close()
    store = Store(path)
    with store.read() as tx:
        rows = tx.rows("SELECT id, text_at, closed_at, corrections FROM survey_responses ORDER BY id")
        assert rows == [
            {"id": 1, "text_at": "2026-11-28T03:00:00+00:00", "closed_at": None, "corrections": 0},
            {"id": 2, "text_at": "2026-11-28T03:00:00+00:00", "closed_at": None, "corrections": 0},
            {"id": 3, "text_at": None, "closed_at": None, "corrections": 0},
        ]
        assert [r["id"] for r in tx.complaints("open")] == [2] and [r["id"] for r in tx.complaints("answered")] == [1]
        assert tx.complaint_counts() == {"open": 1, "answered": 1, "closed": 0}
    store.close()


def test_the_migration_keeps_the_wording_of_the_previous_release_for_the_answers_given_under_it(tmp_path, monkeypatch):
    """m021 on a database of the previous release: the wording in use is kept as the first; the responses
    given or corrected since the survey's wording last changed (an element's row, or the change's event)
    are tied to it, those before to no wording (not recorded: nobody kept it); never changed, all are.
    The model questionnaire it records is the one of m021's release (server/data/m021_model_wording.json),
    whatever the catalogue says by the time a database is upgraded."""
    from sqlite_utils import Database

    from server.service import survey
    from server.store import Store, migrations

    model = json.loads((ROOT / "server" / "data" / "m021_model_wording.json").read_text(encoding="utf-8"))

    def default_texts(code: str) -> dict:
        return model[code]

    later = {"question": {"id": "Kata-kata rilis berikutnya?", "en": "A later release's words?"}, "choices": []}
    monkeypatch.setattr(survey, "default_texts", lambda code: later)  # the catalogue changed since

    custom_u4 = {"question": {"id": "Biaya?", "en": "Cost?"}, "choices": U4_NEW["choices"]}
    for changed in (True, False):
        path = tmp_path / f"old-{changed}.db"
        db = Database(path)
        migrations.apply(db, stop_before="m021_survey_wordings")
        scores = ", ".join(["3"] * 9)
        for rid, updated in ((1, "2026-11-28T02:00:00+00:00"), (2, "2026-11-28T04:00:00+00:00")):
            db.execute(
                "INSERT INTO survey_responses (id, day, service, counter_id, channel, u1, u2, u3, u4, u5, u6, u7, u8,"
                f" u9, created_at, updated_at) VALUES (?, '2026-11-28', 'A', 1, 'phone', {scores},"
                " '2026-11-28T02:00:00+00:00', ?)",
                [rid, updated],
            )
        if changed:
            db.execute(
                "INSERT INTO survey_texts (element, value, updated_at, actor) VALUES ('U4', ?, ?, 'kepala')",
                [json.dumps(custom_u4), "2026-11-28T03:00:00+00:00"],
            )
            # U9 was changed later and put back: only its event says so
            db.execute(
                "INSERT INTO events (at, day, type, actor, data) VALUES (?, '2026-11-28', 'settings_changed',"
                " 'wakil', ?)",
                ["2026-11-28T03:30:00+00:00", json.dumps({"section": "survey", "elements": ["U9"]})],
            )
            db.execute(
                "INSERT INTO events (at, day, type, actor, data) VALUES ('2026-11-28T05:00:00+00:00',"
                " '2026-11-28', 'settings_changed', 'kepala', '{\"section\": \"hours\"}')"
            )
        db.conn.commit()
        db.close()
        store = Store(path)
        with store.read() as tx:
            (kept,) = tx.rows("SELECT * FROM survey_wordings")
            texts = json.loads(kept["texts"])
            assert texts["U4"] == (custom_u4 if changed else default_texts("U4"))
            assert texts["U1"] == default_texts("U1")
            if changed:
                assert (kept["set_at"], kept["actor"], json.loads(kept["custom"])) == (
                    "2026-11-28T03:30:00+00:00",
                    "wakil",
                    ["U4"],
                )
            else:
                assert (kept["set_at"], kept["actor"], json.loads(kept["custom"])) == (None, None, [])
            wordings = [r["wording"] for r in tx.rows("SELECT wording FROM survey_responses ORDER BY id")]
            assert wordings == ([None, 1] if changed else [1, 1])
            counts = tx.skm_wording_counts("2026-11-28", "2026-11-28")
            assert [(c["wording"], c["responses"]) for c in counts] == ([(None, 1), (1, 1)] if changed else [(1, 2)])
        store.close()


# -- the admin's wording --------------------------------------------------------------------------


def test_the_admin_changes_a_question_and_puts_it_back(app, client):
    headers = login(app, client, "admin", "admin")
    texts = client.get("/api/admin/survey").get_json()["elements"]
    assert texts[0]["default"] and texts[0]["question"] == texts[0]["defaults"]["question"]
    new = {"question": {"id": "Apakah syaratnya jelas?", "en": "Are the requirements clear?"}}
    new["choices"] = [{"id": f"Pilihan {i}", "en": f"Choice {i}"} for i in range(1, 5)]
    r = client.put("/api/admin/survey", json={"elements": {"U1": new}}, headers=headers)
    assert r.status_code == 200 and r.get_json()["elements"][0]["default"] is False
    q = client.get("/api/survey").get_json()["elements"][0]
    assert q["question"]["en"] == "Are the requirements clear?" and q["choices"][3] == {
        "score": 4,
        "id": "Pilihan 4",
        "en": "Choice 4",
    }
    # the event names the elements and the whole wording now kept (the model questionnaire was the first)
    assert json.loads(events_of(app, "settings_changed")[-1]["data"]) == {
        "section": "survey",
        "elements": ["U1"],
        "wording": 2,
    }
    assert client.get("/api/survey").get_json()["wording"] == 2
    bad = {"U1": {"question": {"id": "", "en": "x"}, "choices": [{"id": "a", "en": "b"}] * 3}, "U10": None}
    r = client.put("/api/admin/survey", json={"elements": bad}, headers=headers)
    assert r.status_code == 422
    assert set(r.get_json()["fields"]) == {"elements.U1.question.id", "elements.U1.choices", "elements.U10"}
    assert client.put("/api/admin/survey", json={}, headers=headers).status_code == 422
    assert client.put("/api/admin/survey", json={"elements": {"U1": None}}, headers=headers).status_code == 200
    assert client.get("/api/survey").get_json()["elements"][0]["question"]["id"].startswith("Bagaimana pendapat")


U4_NEW = {
    "question": {"id": "Apakah ada biaya yang Saudara bayar?", "en": "Did you pay anything?"},
    "choices": [
        {"id": "Ya, dan tidak wajar", "en": "Yes, and unfairly"},
        {"id": "Ya, cukup wajar", "en": "Yes, fairly"},
        {"id": "Ya, sesuai tarif resmi", "en": "Yes, the official fee"},
        {"id": "Tidak ada biaya", "en": "Nothing"},
    ],
}


def test_each_answer_keeps_the_wording_it_was_given_under_and_the_report_says_which(app, client, officer, clock):
    """An admin changes U4 mid-period: the answers before keep the model questionnaire's wording, those
    after the new one; GET /api/skm, the page, the CSV and the XLSX say which wordings the period's answers
    were given under, how many each, and both texts of U4 (the report printed today's U4 over all)."""
    from openpyxl import load_workbook

    admin = app.test_client()
    headers = login(app, admin, "kepala", "admin")
    model_u4 = client.get("/api/survey").get_json()["elements"][3]
    before = [serve(client, officer) for _ in range(2)]
    for t in before:
        assert client.post("/api/survey", json={"token": t["token"], "answers": ANSWERS}).status_code == 201
    late = serve(client, officer)  # served before the change, answered after it on a page drawn before it
    clock.advance(hours=1)  # 10:00 WIB
    r = admin.put("/api/admin/survey", json={"elements": {"U4": U4_NEW}}, headers=headers)
    assert r.status_code == 200
    changed_at = clock.now.isoformat()
    assert client.get("/api/survey").get_json()["wording"] == 2
    after = [serve(client, officer) for _ in range(3)]
    for t in after:
        body = {"token": t["token"], "answers": {**ANSWERS, "U4": 2}, "wording": 2}
        assert client.post("/api/survey", json=body).status_code == 201
    # a page still showing the model's words says so, and its answers are kept as given under them
    r = client.post("/api/survey", json={"token": late["token"], "answers": ANSWERS, "wording": 1})
    assert r.status_code == 201 and r.get_json()["survey"]["response"]["wording"] == 1
    for bad in (99, "2", True, 0):
        r = client.post("/api/survey", json={"token": late["token"], "answers": ANSWERS, "wording": bad})
        assert r.status_code == 422 and set(r.get_json()["fields"]) == {"wording"}, bad
    # a visitor correcting an answer given under the old words is asked U4 again ("Ubah jawaban")
    state = client.get(f"/api/survey/{before[0]['token']}").get_json()["survey"]["response"]
    assert (state["wording"], state["wording_changed"]) == (1, ["U4"])
    state = client.get(f"/api/survey/{after[0]['token']}").get_json()["survey"]["response"]
    assert (state["wording"], state["wording_changed"]) == (2, [])

    s = client.get("/api/skm?from=2026-11-28&to=2026-11-28").get_json()
    assert s["wordings"] == [
        {
            "id": 1,
            "set_at": None,
            "by": None,
            "model": True,
            "changed": [],
            "responses": 3,
            "first_day": "2026-11-28",
            "last_day": "2026-11-28",
        },
        {
            "id": 2,
            "set_at": changed_at,
            "by": "kepala",
            "model": False,
            "changed": ["U4"],
            "responses": 3,
            "first_day": "2026-11-28",
            "last_day": "2026-11-28",
        },
    ]
    elements = {e["code"]: e for e in s["elements"]}
    u4 = elements["U4"]["texts"]
    assert [x["wordings"] for x in u4] == [[1], [2]]
    assert u4[0]["question"] == model_u4["question"] and u4[0]["choices"] == model_u4["choices"]
    assert u4[1]["question"] == U4_NEW["question"] and [c["id"] for c in u4[1]["choices"]][3] == "Tidak ada biaya"
    assert [x["wordings"] for x in elements["U1"]["texts"]] == [[1, 2]]
    # one service's report counts its own
    only_c = client.get("/api/skm?from=2026-11-28&to=2026-11-28&service=C").get_json()
    assert only_c["wordings"] == [] and [x["wordings"] for x in only_c["elements"][3]["texts"]] == [[]]

    note = (
        "Kuesioner diubah pada 28 November 2026 10.00 (U4): 3 jawaban dengan teks 1, 3 jawaban dengan teks 2."
        " Teks yang berbeda tertera pada unsurnya."
    )
    page = client.get("/counter/skm?from=2026-11-28&to=2026-11-28").data.decode("utf-8")
    assert page.count('id="wording-note"') == 1 and note in page
    row = page[page.index('<tr data-code="U4">') : page.index('<tr data-code="U5">')]
    assert model_u4["question"]["id"] in row and U4_NEW["question"]["id"] in row
    assert "1 Sangat mahal · 2 Cukup mahal · 3 Murah · 4 Gratis" in row and "4 Tidak ada biaya" in row
    assert "Teks 1:" in row and "Teks 2:" in row
    english = client.get("/counter/skm?from=2026-11-28&to=2026-11-28&lang=en").data.decode("utf-8")
    assert "The questionnaire was changed on 28 November 2026 10:00 (U4): 3 answers under wording 1" in english
    u1 = page[page.index('<tr data-code="U1">') : page.index('<tr data-code="U2">')]
    assert u1.count('class="question"') == 1 and "Teks 1" not in u1

    rows = list(csv.reader(io.StringIO(client.get("/api/skm?from=2026-11-28&to=2026-11-28&format=csv").data.decode())))
    assert rows[3] == [note]  # under the title, the office and the period
    assert ["teks 1 (kuesioner model)", "sejak awal", "", "", "3", "2026-11-28", "2026-11-28"] in rows
    assert ["teks 2", "28 November 2026 10.00", "kepala", "U4", "3", "2026-11-28", "2026-11-28"] in rows
    assert ["U4", "teks 2", U4_NEW["question"]["id"], *(c["id"] for c in U4_NEW["choices"])] in rows
    assert ["U4", "teks 1", model_u4["question"]["id"], "Sangat mahal", "Cukup mahal", "Murah", "Gratis"] in rows
    assert next(r for r in rows if r[:1] == ["U1"] and len(r) == 7)[1] == "teks 1, teks 2"
    wb = load_workbook(io.BytesIO(client.get("/api/skm?from=2026-11-28&to=2026-11-28&format=xlsx").data))
    report = [row[0] for row in wb["SKM"].iter_rows(values_only=True)]
    assert report[4] == note and "Teks kuesioner yang dijawab" in report

    # a month of one wording has no note; a period with no answers shows the wording now
    one = client.get("/api/skm?from=2026-11-27&to=2026-11-27").get_json()
    assert one["wordings"] == [] and one["elements"][3]["texts"][0]["question"] == U4_NEW["question"]
    assert 'id="wording-note"' not in client.get("/counter/skm?from=2026-11-27&to=2026-11-27").data.decode()


def test_a_wording_put_back_as_it_was_is_no_change_between_the_answers(app, client, officer, clock):
    admin = app.test_client()
    headers = login(app, admin, "kepala", "admin")
    for change in (U4_NEW, None, None):  # the third changes nothing: no wording is kept for it
        t = serve(client, officer)
        assert client.post("/api/survey", json={"token": t["token"], "answers": ANSWERS}).status_code == 201
        clock.advance(minutes=5)
        assert admin.put("/api/admin/survey", json={"elements": {"U4": change}}, headers=headers).status_code == 200
    s = client.get("/api/skm?from=2026-11-28&to=2026-11-28").get_json()
    assert [(w["id"], w["changed"], w["responses"]) for w in s["wordings"]] == [
        (1, [], 1),
        (2, ["U4"], 1),
        (3, ["U4"], 1),
    ]
    assert [x["wordings"] for x in s["elements"][3]["texts"]] == [[1, 3], [2]]
    with app.extensions["antrian"].store.read() as tx:
        assert tx.one("SELECT COUNT(*) AS n FROM survey_wordings")["n"] == 3
    # answers under 1 and 3 only: the same words, no note
    from server import skm_report

    s["wordings"] = [s["wordings"][0], s["wordings"][2] | {"changed": []}]
    assert skm_report.wording_note(s, "Asia/Jakarta") is None


@pytest.mark.parametrize(
    "order,field",
    [
        ([4, 3, 2, 1], "elements.U4.choices"),  # the reviewer's: "Gratis" as choice 1
        ([1, 3, 2, 4], "elements.U4.choices"),  # two swapped
        ([2, 1, 3, 4], "elements.U4.choices"),
    ],
)
def test_the_model_choices_in_another_order_are_refused(app, client, order, field):
    """Choice 1 must be the worst and 4 the best: the model questionnaire's own choices of an element in
    another order are refused (422 at the element's choices, naming them), and nothing is kept."""
    headers = login(app, client, "admin", "admin")
    u4 = client.get("/api/admin/survey").get_json()["elements"][3]
    choices = [u4["choices"][i - 1] for i in order]
    r = client.put(
        "/api/admin/survey",
        json={"elements": {"U4": {"question": u4["question"], "choices": choices}}},
        headers=headers,
    )
    assert r.status_code == 422 and set(r.get_json()["fields"]) == {field}
    text = r.get_json()["fields"][field]
    assert "Pilihan 1 = paling buruk (nilai 1), pilihan 4 = paling baik (nilai 4)" in text
    if order == [4, 3, 2, 1]:
        assert text.startswith("Urutan pilihan terbalik: “Gratis” (nilai 4 di kuesioner model) ada di pilihan 1,")
        english = client.put(
            "/api/admin/survey",
            json={"elements": {"U4": {"question": u4["question"], "choices": choices}}},
            headers={**headers, "X-Lang": "en"},
        )
        assert "“Gratis” (score 4 in the model questionnaire) is choice 1" in english.get_json()["fields"][field]
    assert client.get("/api/survey").get_json()["elements"][3]["choices"][3]["id"] == "Gratis"
    assert events_of(app, "settings_changed") == []


def test_a_shifted_scale_passes_and_case_or_spaces_do_not_hide_a_reversed_one(app, client):
    headers = login(app, client, "admin", "admin")
    u1 = client.get("/api/admin/survey").get_json()["elements"][0]
    # a worse choice of the admin's own before three of the model's, still worst to best: taken
    shifted = [{"id": "Sangat tidak sesuai", "en": "Not at all"}] + u1["choices"][:2] + [u1["choices"][3]]
    body = {"elements": {"U1": {"question": u1["question"], "choices": shifted}}}
    assert client.put("/api/admin/survey", json=body, headers=headers).status_code == 200
    # the model's best as choice 1 in English only, in other case, spaces and a full stop: refused
    spaced = [dict(c) for c in u1["choices"]]
    spaced[0]["en"], spaced[3]["en"] = "  very SUITABLE. ", spaced[0]["en"]
    body = {"elements": {"U1": {"question": u1["question"], "choices": spaced}}}
    r = client.put("/api/admin/survey", json=body, headers={**headers, "X-Lang": "en"})
    assert r.status_code == 422
    assert r.get_json()["fields"]["elements.U1.choices"].startswith(
        "The choices run the wrong way: “Very suitable” (score 4 in the model questionnaire) is choice 1,"
    )


# -- retention and the archive --------------------------------------------------------------------


def test_retention_cuts_the_link_and_keeps_the_scores(app, client, officer, clock):
    tickets = answer_worked_example(client, officer)
    service = app.extensions["antrian"]
    later = datetime(2027, 6, 28, 2, tzinfo=UTC)
    result = archive.apply_retention(service.store, 6, later, service.settings.office.tz)
    assert result.survey == 5
    with service.store.read() as tx:
        assert tx.one("SELECT COUNT(*) AS n FROM survey_responses WHERE ticket_id IS NOT NULL")["n"] == 0
    s = client.get("/api/skm?from=2026-11-28&to=2026-11-28").get_json()
    assert (s["respondents"], s["ikm"]) == (5, 83.33)
    assert {c["label"] for c in client.get("/api/complaints").get_json()["complaints"]} == {None}
    clock.now = later
    state = client.get(f"/api/survey/{tickets[0]['token']}").get_json()["survey"]
    assert state["answered"] is False and state["open"] is False


def test_the_monthly_archive_keeps_the_responses_and_complaints(app, client, officer, tmp_path):
    answer_worked_example(client, officer)
    service = app.extensions["antrian"]
    path = archive.write_month_archive(service.store, "2026-11", "LPSE", tmp_path)
    with zipfile.ZipFile(path) as zf:
        doc = json.loads(zf.read("antrian-2026-11.json"))
    responses = doc["survey_responses"]
    assert len(responses) == 5 and [r["u3"] for r in responses] == [r[2] for r in WORKED]
    assert responses[4]["suggestion"] == "Mohon tambah kursi tunggu" and re.match(r"A-\d{3}", responses[0]["label"])
    # and the wording they were given under, whole
    assert {r["wording"] for r in responses} == {1} and [w["id"] for w in doc["survey_wordings"]] == [1]
    assert json.loads(doc["survey_wordings"][0]["texts"])["U8"]["choices"][3]["id"] == "Dikelola dengan baik"
    assert archive.verify_month_archive(path) == []


def test_the_monthly_archive_keeps_what_replaced_texts_and_answers_had(app, client, officer, tmp_path):
    tickets = answer_worked_example(client, officer)
    cid = client.get("/api/complaints").get_json()["complaints"][-1]["id"]
    client.post(f"/api/complaints/{cid}/answer", json={"answer": "Kursi ditambah"}, headers=officer)
    body = {"token": tickets[4]["token"], "answers": as_response(WORKED[4]), "suggestion": "Kursi masih kurang"}
    assert client.post("/api/survey", json=body).status_code == 200
    path = archive.write_month_archive(app.extensions["antrian"].store, "2026-11", "LPSE", tmp_path)
    with zipfile.ZipFile(path) as zf:
        doc = json.loads(zf.read("antrian-2026-11.json"))
    kept = [(h["response_id"], h["kind"], h["text"]) for h in doc["complaint_history"]]
    assert kept == [(cid, "text", "Mohon tambah kursi tunggu"), (cid, "answer", "Kursi ditambah")]
    assert [r["suggestion"] for r in doc["survey_responses"] if r["id"] == cid] == ["Kursi masih kurang"]


def test_a_long_workbook_is_made_in_a_child_process_under_gevent(client, officer, monkeypatch):
    from openpyxl import load_workbook

    answer_worked_example(client, officer)
    monkeypatch.setattr("server.report_job.on_gevent", lambda: True)
    r = client.get("/api/skm?from=2026-10-01&to=2026-11-30&format=xlsx")  # 61 days: off the event loop
    assert r.status_code == 200
    data = list(load_workbook(io.BytesIO(r.data))["Data"].iter_rows(values_only=True))
    assert [row[4:] for row in data[5:]] == [tuple(r) for r in WORKED] and data[5][3] == "Loket 1"


def test_responses_and_answers_are_pushed_to_the_staff_without_their_text_in_public(app, client, officer):
    from server.realtime import public_message, public_room, staff_message

    ticket = serve(client, officer)
    published: list[dict] = []
    app.extensions["antrian"].publish = published.extend
    body = {"token": ticket["token"], "answers": ANSWERS, "suggestion": "Ruang tunggu panas"}
    assert client.post("/api/survey", json=body).status_code == 201
    cid = client.get("/api/complaints").get_json()["complaints"][0]["id"]
    assert (
        client.post(f"/api/complaints/{cid}/answer", json={"answer": "AC diperbaiki"}, headers=officer).status_code
        == 200
    )
    answered, replied = published
    assert (answered["type"], replied["type"]) == ("survey_answered", "complaint_answered")
    staff = staff_message(answered)
    assert staff["data"] == {"response_id": cid, "corrected": False, "complaint": True, "text_changed": True}
    assert staff["actor"] == "phone"
    assert staff_message(replied)["data"] == {"complaint_id": cid, "again": False}
    # Its public shape (to the visitor's own phone page alone, realtime.public_room) names only the response (that
    # page holds the id), not the ticket; the public room gets neither (tests/test_realtime.py).
    assert public_message(replied)["data"] == {"complaint_id": cid} and public_message(replied)["ticket"] is None
    assert public_room(answered) == public_room(replied) == f"ticket:{ticket['token']}"
    for event in published:
        public = json.dumps(public_message(event))
        assert "Ruang tunggu" not in public and "AC diperbaiki" not in public and "Budi Santoso" not in public


def test_who_answered_or_closed_a_complaint_is_named_by_the_full_name(app, client, officer):
    """The complaints page said "oleh dewi" while the recap names "Dewi Lestari": who answered, closed or
    was replaced is also given as a person reads it (the account's full name, else the login name)."""
    answer_worked_example(client, officer)
    first, second = client.get("/api/complaints").get_json()["complaints"]
    answered = {"answer": "Terima kasih, sudah kami tindak lanjuti."}
    done = client.post(f"/api/complaints/{first['id']}/answer", json=answered, headers=officer).get_json()["complaint"]
    assert (done["answered_by"], done["answered_by_name"]) == ("budi", "budi")  # no full name yet
    front = app.test_client()  # budi served it: the front office closes it
    front_headers = login(app, front, "dewi", role="frontoffice")
    with app.extensions["antrian"].store.write() as tx:
        tx.update_user("budi", full_name="Budi Santoso, S.Kom.")
        tx.update_user("dewi", full_name="Dewi Lestari")
    assert front.post(f"/api/complaints/{second['id']}/close", json={}, headers=front_headers).status_code == 200
    again = {"answer": "Kursi tunggu sudah ditambah."}
    client.post(f"/api/complaints/{first['id']}/answer", json=again, headers=officer)
    listed = {c["id"]: c for c in client.get("/api/complaints").get_json()["complaints"]}
    assert listed[first["id"]]["answered_by_name"] == "Budi Santoso, S.Kom."
    assert [h["by_name"] for h in listed[first["id"]]["history"]] == ["Budi Santoso, S.Kom."]
    assert (listed[second["id"]]["closed_by"], listed[second["id"]]["closed_by_name"]) == ("dewi", "Dewi Lestari")
