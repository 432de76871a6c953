"""The SKM page's figures where rounding could mislead (docs/skm.md "Rounding"): each element's bar is coloured
by the grade its exact NRR has as an index (not by its 3-decimal NRR rounded again), and the page says that its
figures are rounded only when shown, so the weighted NRRs shown need not add up to the IKM unit shown; and the
report's index, in total and per service, is the regulation's computed by hand, for any responses (Hypothesis).
In process (the real page, the real SQLite); the responses are written as rows, as a busy month leaves them."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pytest
from conftest import login
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server import skm

DAY = "2026-11-28"


def add_responses(app, service: str, rows: list[list[int]]) -> None:
    """Responses of DAY to `service` at counter 1, each its nine scores (no ticket: as retention leaves them)."""
    cols = ", ".join(f"u{i}" for i in range(1, 10))
    with app.extensions["antrian"].store.write() as tx:
        for scores in rows:
            tx.db.execute(
                f"INSERT INTO survey_responses (day, service, counter_id, channel, {cols}, created_at, updated_at)"
                f" VALUES (?, ?, 1, 'tablet', {', '.join('?' * 9)}, ?, ?)",
                [DAY, service, *scores, f"{DAY}T03:00:00+00:00", f"{DAY}T03:00:00+00:00"],
            )


def bars(page: str) -> dict[str, str]:
    """Each element's bar on the page: its grade class (a..d)."""
    return {code: grade for grade, code in re.findall(r'<rect class="bar g-([a-d])" data-code="(U\d)"', page)}


@pytest.fixture
def officer(app, client):
    return login(app, client, "budi")


def test_a_bars_colour_is_the_grade_of_its_exact_nrr_not_of_the_nrr_rounded_to_three_decimals(app, client, officer):
    """U1 of service A: 109 answers summing to 334, NRR 3.06422…, as an index 76.6055 -> 76.61, grade B; the bar
    was orange (C), graded from the NRR shown, 3.064 (76.60). U1 of service C: 62 answers summing to 219, NRR
    3.53225…, 88.306 -> 88.31, grade A; the bar was blue (B), from 3.532 (88.30)."""
    add_responses(app, "A", [[4] + [3] * 8] * 7 + [[3] * 9] * 102)
    add_responses(app, "C", [[4] + [3] * 8] * 33 + [[3] * 9] * 29)
    for service, nrr, grade in (("A", Fraction(334, 109), "b"), ("C", Fraction(219, 62), "a")):
        data = client.get(f"/api/skm?from={DAY}&to={DAY}&service={service}").get_json()
        assert data["elements"][0]["sum"] == nrr.numerator and data["elements"][0]["answers"] == nrr.denominator
        assert skm.grade(skm.round_half_up(nrr * 25, 2))[0].lower() == grade
        page = client.get(f"/counter/skm?from={DAY}&to={DAY}&service={service}").data.decode("utf-8")
        assert bars(page)["U1"] == grade, (service, bars(page))
        assert bars(page)["U2"] == "c"  # NRR 3.000: 75.00


def test_the_page_says_its_figures_are_rounded_only_when_shown_where_the_column_does_not_add_up(app, client, officer):
    """Four respondents: the weighted NRRs shown, 0,389 + 0,389 + … + 0,333, add up
    to 3,499, and right under them the IKM unit is 3,5000, computed exactly. The page's note said only
    "IKM unit pelayanan = Σ (NRR × 1/9)": a reader adding the column found a figure that did not add up."""
    add_responses(
        app,
        "A",
        [
            [3, 3, 3, 4, 3, 4, 4, 3, 3],
            [4, 3, 2, 4, 3, 4, 4, 3, 3],
            [3, 4, 3, 4, 4, 3, 4, 3, 2],
            [4, 4, 4, 4, 4, 4, 4, 4, 4],
        ],
    )
    data = client.get(f"/api/skm?from={DAY}&to={DAY}").get_json()
    shown = sum(Decimal(str(v)) for v in data["nrr_weighted"].values())
    assert (shown, data["ikm_unit"]) == (Decimal("3.499"), 3.5)
    for lang, words in (
        ("id", "dibulatkan hanya saat ditampilkan"),
        ("en", "rounded only when shown"),
    ):
        page = client.get(f"/counter/skm?from={DAY}&to={DAY}&lang={lang}").data.decode("utf-8")
        note = re.sub(r"\s+", " ", re.search(r'<p class="note">(.*?)</p>', page, re.S).group(1))
        assert words in note, note


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 400), st.data())
def test_every_bar_has_the_grade_its_exact_nrr_has_as_an_index(n, data):
    """The chart's grades, from the report's sums (any number of answers, any sums), are the exact NRR × 25
    rounded once to two decimals and read from the regulation's table, as the IKM is graded."""
    from counter import _skm_chart

    sums = {code: data.draw(st.integers(n, 4 * n), label=code) for code in skm.ELEMENTS}
    index = skm.index_from_sums(n, sums, dict.fromkeys(skm.ELEMENTS, n))
    report = {
        **index.view(),
        "elements": [{"code": e.code, "sum": e.total, "answers": e.answers} for e in index.elements],
    }
    chart = _skm_chart(report)
    for element, bar in zip(index.elements, chart["bars"], strict=True):
        assert bar["code"] == element.code and bar["value"] == report["nrr"][element.code]
        assert bar["grade"] == skm.grade(skm.round_half_up(element.nrr * 25, 2))[0].lower()


def regulation(rows: list[list[int]]) -> dict:
    """PermenPANRB 14/2017 by hand, apart from server/skm.py: each element's NRR (its mean), the converted IKM
    (the nine NRRs × 1/9 summed, × 25) rounded half up to two decimals, and its letter by the conversion
    intervals 25.00-64.99 D, 65.00-76.60 C, 76.61-88.30 B, 88.31-100.00 A."""
    n = len(rows)
    nrr = [Fraction(sum(r[i] for r in rows), n) for i in range(9)]
    hundredths = (sum(nrr, Fraction(0)) / 9 * 25 * 100 + Fraction(1, 2)).__floor__()
    ikm = Decimal(hundredths) / 100
    letter = (
        "D" if ikm <= Decimal("64.99") else "C" if ikm <= Decimal("76.60") else "B" if ikm <= Decimal("88.30") else "A"
    )
    return {"n": n, "nrr": nrr, "ikm": ikm, "mutu": letter}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from("AC"), st.lists(st.integers(1, 4), min_size=9, max_size=9)), max_size=30))
def test_the_reports_index_per_period_and_service_is_the_regulations_computed_by_hand(app, client, officer, answers):
    """Any responses of a day to two services (none, one, many): GET /api/skm and the SKM page give the
    respondents, each NRR to three decimals, the converted IKM to two and its letter, in total and per service,
    as the regulation computes them by hand; no respondents, no index ("—")."""
    with app.extensions["antrian"].store.write() as tx:
        tx.db.execute("DELETE FROM survey_responses")
    for service in "AC":
        add_responses(app, service, [scores for s, scores in answers if s == service])
    data = client.get(f"/api/skm?from={DAY}&to={DAY}").get_json()
    groups = {"": (data, [scores for _, scores in answers])}
    groups |= {g["service"]: (g, [r for s, r in answers if s == g["service"]]) for g in data["by_service"]}
    assert set(groups) == {"", *(s for s, _ in answers)}
    for figures, rows in groups.values():
        assert figures["respondents"] == len(rows)
        if not rows:
            assert figures["ikm"] is None and figures["mutu"] is None
            continue
        hand = regulation(rows)
        assert [figures["nrr"][f"U{i + 1}"] for i in range(9)] == [float(skm.round_half_up(v, 3)) for v in hand["nrr"]]
        assert Decimal(str(figures["ikm"])) == hand["ikm"] and figures["mutu"] == hand["mutu"]
    page = client.get(f"/counter/skm?from={DAY}&to={DAY}").data.decode("utf-8")
    shown = re.search(r'<span class="big" id="ikm">([^<]*)</span>', page).group(1)
    assert shown == ("—" if not answers else f"{regulation(groups[''][1])['ikm']:.2f}".replace(".", ","))
