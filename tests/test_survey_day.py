"""The satisfaction survey (SKM) through a visitor's day, in Chromium against a real server: what the phone
page keeps when the visitor's phone reloads it halfway through the questions, what the exit tablet says
to a visitor whose ticket ended without being served (docs/skm.md, "Pages"), and the office's SKM report
as printed, in either language.
"""

from __future__ import annotations

import pytest
import requests
from conftest import write_config
from kioskui import tap
from live import LiveServer
from playwright.sync_api import expect
from test_skm_pages import A4_PORTRAIT, staff_context
from test_survey_pages import PASSWORD, PHONE, SCORES, TABLET_LANDSCAPE, identify_by_pad, issue, serve, survey_of

from server.i18n import t


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    server = LiveServer(write_config(tmp_path_factory.mktemp("survey-day"))).start()
    server.add_user("petugas", "officer")
    server.add_user("depan", "frontoffice")
    yield server
    server.stop()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def pressed(page, code: str) -> list[str]:
    return page.locator(f'[data-field="answers.{code}"] [aria-pressed="true"]').evaluate_all(
        "bs => bs.map(b => b.dataset.score)"
    )


def test_a_phone_survey_half_answered_survives_the_phone_reloading_its_page(office, phone_page):
    # A phone reloads a tab left in the background (the visitor copies an error message from another app into
    # the complaint): the page came back with its invitation, the answers and the half-typed complaint gone.
    ticket = issue(office, phone="081255554444")
    serve(office, ticket)
    page = phone_page
    page.goto(f"{office.url}/t/{ticket['token']}")
    tap(page, "#survey-start")
    first = dict(list(SCORES.items())[:5])
    for code, score in first.items():
        tap(page, f'[data-field="answers.{code}"] [data-score="{score}"]')
    tap(page, '[data-field="profile.sex"] [data-code="P"]')
    page.fill("#survey-age", "41")
    text = "AC di ruang tunggu mati 🥵\nMohon diperbaiki."
    page.fill("#survey-suggestion", text)

    page.reload()

    expect(page.locator("#survey-form")).to_be_visible()
    expect(page.locator("#survey-invite")).to_be_hidden()
    for code, score in first.items():
        assert pressed(page, code) == [str(score)], code
    assert pressed(page, "U6") == []
    expect(page.locator('[data-field="profile.sex"] [data-code="P"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#survey-age")).to_have_value("41")
    expect(page.locator("#survey-suggestion")).to_have_value(text)
    for code, score in list(SCORES.items())[5:]:
        tap(page, f'[data-field="answers.{code}"] [data-score="{score}"]')
    tap(page, "#survey-submit")
    expect(page.locator("#survey-done")).to_be_visible()
    response = survey_of(office, ticket["token"])["response"]
    assert response["answers"] == SCORES and response["suggestion"] == text
    assert response["profile"]["sex"] == "P" and response["profile"]["age"] == 41

    # Sent: nothing is kept any more, a reload shows the thanks.
    assert page.evaluate("() => sessionStorage.length") == 0
    page.reload()
    expect(page.locator("#survey-done")).to_be_visible()

    # A correction under way comes back as a correction ("Batal" keeps the answers given), and its cancel
    # leaves the answers as they were.
    tap(page, "#survey-edit")
    tap(page, '[data-field="answers.U1"] [data-score="1"]')
    page.reload()
    expect(page.locator("#survey-form")).to_be_visible()
    assert pressed(page, "U1") == ["1"]
    expect(page.locator("#survey-not-now")).to_have_text(t("phone.survey_cancel_edit", "id"))
    tap(page, "#survey-not-now")
    expect(page.locator("#survey-done")).to_be_visible()
    page.reload()
    expect(page.locator("#survey-done")).to_be_visible()
    assert survey_of(office, ticket["token"])["response"]["answers"] == SCORES


def test_the_tablet_tells_a_cancelled_ticket_it_has_no_survey_rather_than_to_come_back_once_served(office, browser):
    waiting = issue(office, phone="081200002222")
    cancelled = issue(office, phone="081200001111")
    front = office.session("depan", PASSWORD)
    r = front.post(f"{office.url}/api/tickets/{cancelled['token']}/cancel", json={}, timeout=5)
    assert r.status_code == 200, r.text
    page = browser.new_page(viewport=TABLET_LANDSCAPE, has_touch=True)
    try:
        error = page.locator("#identify-error")
        page.goto(f"{office.url}/survey/")
        tap(page, "#start")
        identify_by_pad(page, cancelled["label"], "1111")
        expect(error).to_have_text(t("survey.not_served_ended", "id", label=cancelled["label"]))
        tap(page, "#lang-toggle")
        expect(error).to_have_text(t("survey.not_served_ended", "en", label=cancelled["label"]))
        tap(page, "#lang-toggle")

        # A ticket still in line is asked to come back once served, as before.
        tap(page, "#screen-identify [data-action=home]")
        tap(page, "#start")
        identify_by_pad(page, waiting["label"], "2222")
        expect(error).to_have_text(t("survey.not_served", "id"))
    finally:
        page.close()
    assert requests.get(f"{office.url}/api/survey/{cancelled['token']}", timeout=5).json()["survey"]["open"] is False


def test_the_skm_reports_headings_and_figures_are_never_cut_off_in_either_language_on_screen_or_a4(office, browser):
    # "Element" ran over into "Description" and "Respondents" was cut at the IKM per service and per counter
    # tables in English: the column was measured for "Unsur".
    ticket = issue(office, phone="081200003333")
    serve(office, ticket)
    r = requests.post(f"{office.url}/api/survey", json={"token": ticket["token"], "answers": SCORES}, timeout=5)
    assert r.status_code == 201, r.text
    context = staff_context(browser, office, "petugas", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        for lang in ("id", "en"):
            page.goto(f"{office.url}/counter/skm?lang={lang}")
            expect(page.locator("table.elements")).to_be_visible()
            for media, viewport in (("screen", {"width": 1366, "height": 768}), ("print", A4_PORTRAIT)):
                page.set_viewport_size(viewport)
                page.emulate_media(media=media)
                cut = page.evaluate(
                    "() => [...document.querySelectorAll('table.skm th, table.skm td')]"
                    ".filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent.trim().slice(0, 40))"
                )
                assert cut == [], (lang, media, cut)
    finally:
        context.close()
