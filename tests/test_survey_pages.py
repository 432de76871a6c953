"""The satisfaction survey (SKM) where visitors answer it, end to end in Chromium against a real server:
the phone page (/t/<token>) once the ticket is served, and the tablet by the exit (/survey/), typed on
its on-screen pads. The tests also refresh docs/screenshots/survey-phone.png and survey-tablet.png
(ANTRIAN_SCREENSHOTS=1).
"""

from __future__ import annotations

import json
import re
import subprocess
from contextlib import contextmanager
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from conftest import until_on_page, write_config
from kioskui import Keys, assert_actions_visible, shot, tap
from live import ClockedServer, LiveServer
from playwright.sync_api import expect

from server.i18n import t
from server.messages import message

PASSWORD = "rahasia-123"
PHONE = {"width": 360, "height": 740}
TABLET_PORTRAIT = {"width": 800, "height": 1280}
TABLET_LANDSCAPE = {"width": 1280, "height": 800}
TABLET_SMALL = {"width": 1024, "height": 600}  # a cheap 7" tablet on its side
VISITOR = {
    "service": "A",
    "name": "Budi Santoso",
    "agency": "CV Maju Bersama",
    "address": "Jl. Sudirman No. 12",
    "phone": "081234567890",
    "problem": "Lupa kata sandi akun penyedia SPSE",
}
SCORES = {"U1": 4, "U2": 3, "U3": 4, "U4": 2, "U5": 3, "U6": 4, "U7": 4, "U8": 3, "U9": 4}
ADVANCE_MS = 350  # kiosk/static/survey.js: a chosen answer shows this long before the next question
SETTLE_MS = 700  # kiosk/static/survey.js: a tap this soon after a new screen of questions is not taken


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    server = LiveServer(write_config(tmp_path_factory.mktemp("survey"))).start()
    server.add_user("petugas", "officer")
    server.add_user("kepala", "admin")
    yield server
    server.stop()


def issue(server, **changes) -> dict:
    r = requests.post(f"{server.url}/api/tickets", json={**VISITOR, **changes}, timeout=5)
    assert r.status_code == 201, r.text
    return r.json()["ticket"]


def serve(server, ticket: dict) -> None:
    """An officer at counter 1 calls, serves and resolves tickets until `ticket` is resolved."""
    officer = server.session("petugas", PASSWORD)
    for _ in range(30):
        r = officer.post(f"{server.url}/api/counters/1/call-next", json={}, timeout=5)
        assert r.status_code == 200, r.text
        label = r.json()["ticket"]["label"]
        started = officer.post(f"{server.url}/api/counters/1/start", json={}, timeout=5)
        if started.status_code == 409:
            # After a ClockedServer's next_day the counter, held since "yesterday" with no counter page open,
            # is freed by the maintenance loop (counter_release_minutes) within a second, its called ticket
            # back in line: called again next time round.
            continue
        started.raise_for_status()
        resolved = officer.post(f"{server.url}/api/counters/1/resolve", json={"solution": "Selesai."}, timeout=5)
        resolved.raise_for_status()
        if label == ticket["label"]:
            return
    raise AssertionError(f"{ticket['label']} was never called")


def survey_of(server, token: str) -> dict:
    r = requests.get(f"{server.url}/api/survey/{token}", timeout=5)
    assert r.status_code == 200, r.text
    return r.json()["survey"]


def small_targets(page) -> list:
    """The visible buttons smaller than a fingertip (48 CSS px, as the kiosk's)."""
    return page.evaluate(
        "() => [...document.querySelectorAll('button')].filter(b => b.checkVisibility())"
        ".map(b => [b.textContent.trim(), b.getBoundingClientRect().width, b.getBoundingClientRect().height])"
        ".filter(([, w, h]) => w < 48 || h < 48)"
    )


def no_sideways_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def phone(browser):
    contexts = []

    def open_phone(server, token: str, query: str = "", before=None):
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        contexts.append(context)
        page = context.new_page()
        if before is not None:  # e.g. a route, set before the page loads
            before(page)
        page.goto(f"{server.url}/t/{token}{query}")
        return page

    yield open_phone
    for context in contexts:
        context.close()


def answer_phone(page, scores: dict[str, int]) -> None:
    for code, score in scores.items():
        tap(page, f'[data-field="answers.{code}"] [data-score="{score}"]')


# -- the phone page ------------------------------------------------------------------------------


def test_phone_survey_appears_live_once_served_and_its_answers_reach_the_server_then_a_correction(phone, office):
    ticket = issue(office)
    page = phone(office, ticket["token"])
    expect(page.locator("#status")).to_have_text("menunggu")
    expect(page.locator("#survey")).to_be_hidden()

    serve(office, ticket)

    expect(page.locator("#status")).to_have_text("selesai")
    expect(page.locator("#survey-invite")).to_be_visible()
    expect(page.locator("#survey-invite h2")).to_have_text("Bagaimana pelayanan kami?")
    tap(page, "#survey-start")
    expect(page.locator("#survey-form")).to_be_visible()
    expect(page.locator("#survey-form .q")).to_have_count(9)
    expect(page.locator('[data-field="answers.U1"] .q-text')).to_have_text(t("skm.question.u1", "id"))
    expect(page.locator('[data-field="answers.U8"] [data-score="4"]')).to_contain_text("Dikelola dengan baik")
    answer_phone(page, SCORES)
    tap(page, '[data-field="profile.sex"] [data-code="P"]')
    page.fill("#survey-age", "34")
    tap(page, '[data-field="profile.education"] [data-code="s1"]')
    tap(page, '[data-field="profile.occupation"] [data-code="swasta"]')
    page.fill("#survey-suggestion", "Mohon tambah kursi tunggu.\nTerima kasih.")
    expect(page.locator(".chars")).to_have_text("40/2000 karakter")
    assert no_sideways_scroll(page)
    assert small_targets(page) == []
    page.evaluate(
        "() => window.scrollTo(0, document.getElementById('survey-form').getBoundingClientRect().top + scrollY - 8)"
    )
    shot(page, "survey-phone")

    tap(page, "#survey-submit")

    expect(page.locator("#survey-done")).to_be_visible()
    expect(page.locator("#survey-done-text")).to_have_text(t("survey.thanks_text", "id"))
    expect(page.locator("#survey-form")).to_be_hidden()
    state = survey_of(office, ticket["token"])
    assert state["answered"] and state["response"]["answers"] == SCORES
    assert state["response"]["profile"] == {"sex": "P", "age": 34, "education": "s1", "occupation": "swasta"}
    assert state["response"]["suggestion"] == "Mohon tambah kursi tunggu.\nTerima kasih."
    assert state["response"]["channel"] == "phone"
    officer = office.session("petugas", PASSWORD)
    skm = officer.get(f"{office.url}/api/skm", params={"from": state["ticket"]["day"], "to": state["ticket"]["day"]})
    assert skm.status_code == 200 and skm.json()["respondents"] >= 1
    first_id = state["response"]["id"]

    # "Ubah jawaban": the form comes back with the server's answers, one is changed, 200.
    tap(page, "#survey-edit")
    expect(page.locator('[data-field="answers.U4"] [data-score="2"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator('[data-field="profile.occupation"] [data-code="swasta"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("#survey-age")).to_have_value("34")
    tap(page, '[data-field="answers.U4"] [data-score="3"]')
    tap(page, "#survey-submit")

    expect(page.locator("#survey-done-text")).to_have_text(t("survey.updated_text", "id"))
    corrected = survey_of(office, ticket["token"])["response"]
    assert corrected["id"] == first_id
    assert corrected["answers"] == {**SCORES, "U4": 3}
    assert corrected["suggestion"] == "Mohon tambah kursi tunggu.\nTerima kasih."

    # A reload shows the thanks (answered), in English with the page's toggle.
    page.reload()
    expect(page.locator("#survey-done")).to_be_visible()
    tap(page, "#lang-toggle")
    expect(page.locator("#survey-done h2")).to_have_text("Thank you!")
    expect(page.locator("#survey-edit")).to_have_text("Change my answers")
    tap(page, "#survey-edit")
    expect(page.locator('[data-field="answers.U1"] .q-text')).to_have_text(t("skm.question.u1", "en"))
    assert no_sideways_scroll(page)

    # Five corrections a ticket: once they are spent the page offers none (the answers stay as given).
    left = survey_of(office, ticket["token"])["corrections_left"]
    for i in range(left):
        scores = {**SCORES, "U4": 1 + i % 4, "U5": 1 + (i + 1) % 4}
        r = requests.post(f"{office.url}/api/survey", json={"token": ticket["token"], "answers": scores}, timeout=5)
        assert r.status_code == 200, r.text
    assert survey_of(office, ticket["token"])["corrections_left"] == 0
    page.reload()
    expect(page.locator("#survey-done")).to_be_visible()
    expect(page.locator("#survey-edit")).to_be_hidden()

    # The office's reply to the suggestion reaches the open page at once: the public complaint_answered
    # names no ticket, only the response, which this page holds.
    expect(page.locator("#survey-reply")).to_be_hidden()
    head = office.session("kepala", PASSWORD)  # petugas served it: another answers a complaint about him
    r = head.post(f"{office.url}/api/complaints/{first_id}/answer", json={"answer": "Kursi sudah ditambah."})
    assert r.status_code == 200, r.text
    expect(page.locator("#survey-reply-text")).to_have_text("Kursi sudah ditambah.")
    expect(page.locator("#survey-reply")).to_be_visible()


NEW_U2 = {
    "question": {"id": "Apakah prosedurnya mudah diikuti?", "en": "Was the procedure easy to follow?"},
    "choices": [{"id": f"Pilihan {i}", "en": f"Choice {i}"} for i in range(1, 5)],
}


@contextmanager
def new_u2_wording(office):
    """The admin gives question U2 NEW_U2's wording, and the model questionnaire's back at the end (the
    module's other tests read it)."""
    admin = office.session("kepala", PASSWORD)
    r = admin.put(f"{office.url}/api/admin/survey", json={"elements": {"U2": NEW_U2}}, timeout=5)
    assert r.status_code == 200, r.text
    try:
        yield
    finally:
        r = admin.put(f"{office.url}/api/admin/survey", json={"elements": {"U2": None}}, timeout=5)
        assert r.status_code == 200, r.text


def test_an_open_phone_survey_takes_the_admins_new_wording_live(phone, office):
    ticket = issue(office)
    serve(office, ticket)
    page = phone(office, ticket["token"], "?survey=1")
    question = page.locator('[data-field="answers.U2"] .q-text')
    expect(question).to_have_text(t("skm.question.u2", "id"))
    answer_phone(page, {"U1": 4, "U2": 3})
    changed = page.locator('[data-field="answers.U2"] .q-changed')
    with new_u2_wording(office):
        expect(question).to_have_text(NEW_U2["question"]["id"])
        expect(page.locator('[data-field="answers.U2"] [data-score="4"]')).to_contain_text("Pilihan 4")
        # the score chosen under U2's old words answers nothing now: cleared, and the question says so;
        # the answer to U1, whose words stayed, stays
        expect(page.locator('[data-field="answers.U2"] [aria-pressed="true"]')).to_have_count(0)
        expect(changed).to_have_text(t("survey.question_changed", "id"))
        expect(page.locator('[data-field="answers.U1"] [data-score="4"]')).to_have_attribute("aria-pressed", "true")
        tap(page, '[data-field="answers.U2"] [data-score="2"]')
        expect(changed).to_be_hidden()
        # sent, the answers are kept as given under the new wording
        wording = requests.get(f"{office.url}/api/survey", timeout=5).json()["wording"]
        answer_phone(page, {k: v for k, v in SCORES.items() if k not in ("U1", "U2")})
        tap(page, "#survey-submit")
        expect(page.locator("#survey-done")).to_be_visible()
        response = survey_of(office, ticket["token"])["response"]
        assert (response["wording"], response["answers"]["U1"], response["answers"]["U2"]) == (wording, 4, 2)
    expect(question).to_have_text(t("skm.question.u2", "id"))


def test_a_phone_that_connects_after_a_wording_change_takes_it_from_its_snapshot(phone, office):
    """The change's event went out before the page's socket was there: the snapshot the page gets when
    it connects is newer than the page, so it fetches the questionnaire again."""
    ticket = issue(office)
    serve(office, ticket)
    held: list = []  # the socket's requests, held until the wording has changed

    def hold(route):
        if hold.done:
            route.continue_()
        else:
            held.append(route)

    hold.done = False
    page = phone(office, ticket["token"], "?survey=1", before=lambda p: p.route("**/socket.io/**", hold))
    question = page.locator('[data-field="answers.U2"] .q-text')
    expect(question).to_have_text(t("skm.question.u2", "id"))
    until_on_page(page, lambda: held, "the page's socket asking to connect")  # held, not answered
    with new_u2_wording(office):
        hold.done = True
        for route in held:
            route.continue_()
        expect(question).to_have_text(NEW_U2["question"]["id"])


def test_phone_survey_shows_the_servers_refusals_at_their_questions(phone, office):
    ticket = issue(office)
    serve(office, ticket)
    page = phone(office, ticket["token"], "?survey=1")
    # From the QR code on the form copy (?survey=1): the questions at once, no invitation first.
    expect(page.locator("#survey-form")).to_be_visible()
    expect(page.locator("#survey-invite")).to_be_hidden()
    answer_phone(page, {k: v for k, v in SCORES.items() if k != "U9"})
    page.fill("#survey-age", "5")

    tap(page, "#survey-submit")

    expect(page.locator('[data-error="answers.U9"]')).to_have_text(message("required", "id"))
    expect(page.locator('[data-field="answers.U9"]')).to_have_class(re.compile(r"\binvalid\b"))
    expect(page.locator('[data-error="profile.age"]')).to_have_text(message("survey_age", "id"))
    expect(page.locator('[data-error="answers.U1"]')).to_have_text("")
    expect(page.locator("#survey-error")).to_have_text(message("form_incomplete", "id"))
    assert survey_of(office, ticket["token"])["answered"] is False
    # Corrected where the server said, the same form is taken.
    tap(page, '[data-field="answers.U9"] [data-score="1"]')
    expect(page.locator('[data-error="answers.U9"]')).to_have_text("")
    page.fill("#survey-age", "")
    tap(page, "#survey-submit")
    expect(page.locator("#survey-done")).to_be_visible()
    assert survey_of(office, ticket["token"])["response"]["answers"]["U9"] == 1


SMALL_PHONE = {"width": 320, "height": 568}


def losing_answers(page, times: int = 1) -> list:
    """POST /api/survey reaches the server (which stores the answers) but its answer never reaches the page, `times`
    times (a weak signal drops it on the way back); the answers the page never got."""
    lost: list = []

    def handle(route):
        if route.request.method == "POST" and len(lost) < times:
            lost.append(route.fetch())  # sent to the server, its answer kept here
            route.abort()
        else:
            route.continue_()

    page.route("**/api/survey", handle)
    return lost


def test_phone_survey_says_thanks_on_its_own_event_when_the_answer_to_its_answers_was_lost(phone, office):
    """A helper saw the answers stored but their HTTP answer lost on the way back: the page said it could not reach
    the server and stayed on the form, though the ticket's own survey_answered event came (a retry with the same
    request id thanked). The event now says the thanks, for a first answer and for a correction."""
    ticket = issue(office)
    serve(office, ticket)
    page = phone(office, ticket["token"], "?survey=1")
    page.set_viewport_size(SMALL_PHONE)
    page.wait_for_function("() => antrianPhone.connected()", polling=50)
    lost = losing_answers(page, times=2)
    answer_phone(page, SCORES)
    page.fill("#survey-suggestion", "Mohon tambah kursi tunggu.")

    tap(page, "#survey-submit")

    expect(page.locator("#survey-done")).to_be_visible()
    expect(page.locator("#survey-done-text")).to_have_text(t("survey.thanks_text", "id"))
    expect(page.locator("#survey-error")).to_be_hidden()
    assert [r.status for r in lost] == [201]
    assert survey_of(office, ticket["token"])["response"]["answers"] == SCORES

    # A correction whose answer is lost too: its event says it was updated.
    tap(page, "#survey-edit")
    tap(page, '[data-field="answers.U4"] [data-score="3"]')
    tap(page, "#survey-submit")
    expect(page.locator("#survey-done-text")).to_have_text(t("survey.updated_text", "id"))
    expect(page.locator("#survey-error")).to_be_hidden()
    assert [r.status for r in lost] == [201, 200]
    assert survey_of(office, ticket["token"])["response"]["answers"] == {**SCORES, "U4": 3}
    expect(page.locator("#survey-form")).to_be_hidden()


def test_phone_survey_says_a_correction_changed_nothing_and_shows_the_visitors_own_text(phone, office):
    """Sent again unchanged, a correction said "Jawaban Anda sudah diperbarui" (the server wrote nothing); and the
    thanks showed the office's reply to the visitor's suggestion but not the suggestion. Both in either language."""
    ticket = issue(office)
    serve(office, ticket)
    page = phone(office, ticket["token"], "?survey=1")
    page.set_viewport_size(SMALL_PHONE)
    answer_phone(page, SCORES)
    text = "Antrian di loket dua lama.\nMohon tambah kursi."
    page.fill("#survey-suggestion", text)
    tap(page, "#survey-submit")
    expect(page.locator("#survey-done-text")).to_have_text(t("survey.thanks_text", "id"))
    expect(page.locator("#survey-own")).to_be_visible()
    expect(page.locator("#survey-own .caption")).to_have_text(t("phone.survey_own", "id"))
    expect(page.locator("#survey-own-text")).to_have_text(text)  # its line break kept

    tap(page, "#survey-edit")  # "Ubah jawaban", then sent as it is
    tap(page, "#survey-submit")
    expect(page.locator("#survey-done-text")).to_have_text(t("survey.unchanged_text", "id"))
    expect(page.locator("#survey-own-text")).to_have_text(text)
    assert survey_of(office, ticket["token"])["corrections_left"] == 5  # nothing was written
    head = office.session("kepala", PASSWORD)
    response_id = survey_of(office, ticket["token"])["response"]["id"]
    r = head.post(f"{office.url}/api/complaints/{response_id}/answer", json={"answer": "Kursi sudah ditambah."})
    assert r.status_code == 200, r.text
    expect(page.locator("#survey-reply-text")).to_have_text("Kursi sudah ditambah.")
    assert no_sideways_scroll(page)
    tap(page, "#lang-toggle")
    expect(page.locator("#survey-done-text")).to_have_text(t("survey.unchanged_text", "en"))
    expect(page.locator("#survey-own .caption")).to_have_text(t("phone.survey_own", "en"))

    # A real correction says it was updated; a correction without text keeps the text, and shows it.
    tap(page, "#survey-edit")
    page.fill("#survey-suggestion", "")
    tap(page, '[data-field="answers.U4"] [data-score="1"]')
    tap(page, "#survey-submit")
    expect(page.locator("#survey-done-text")).to_have_text(t("survey.updated_text", "en"))
    expect(page.locator("#survey-own-text")).to_have_text(text)
    # Another visitor's page shows no text of this one's: its own ticket's survey, unanswered.
    other = issue(office)
    serve(office, other)
    page2 = phone(office, other["token"])
    expect(page2.locator("#survey-invite")).to_be_visible()
    expect(page2.locator("#survey-own")).to_be_hidden()


# The words of a button drawn on more than one line, and whether its text runs out of it.
SPLIT_WORDS = """b => {
  const split = [];
  const walker = document.createTreeWalker(b, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    for (const m of n.data.matchAll(/\\S+/g)) {
      const r = document.createRange();
      r.setStart(n, m.index);
      r.setEnd(n, m.index + m[0].length);
      const lines = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
      if (lines.size > 1) split.push(m[0]);
    }
  }
  const all = document.createRange();
  all.selectNodeContents(b);
  const text = all.getBoundingClientRect(), box = b.getBoundingClientRect();
  return {split, out: text.left < box.left || text.right > box.right};
}"""

# Each button chosen in turn (clicked unless it is already), and measured chosen, ✓ and all.
EACH_CHOSEN = f"""buttons => {{
  const measure = {SPLIT_WORDS};
  return buttons.map(b => {{
    if (b.getAttribute("aria-pressed") !== "true") b.click();
    return {{text: b.innerText, pressed: b.getAttribute("aria-pressed") === "true", ...measure(b)}};
  }});
}}"""


def test_phone_survey_choices_never_break_inside_a_word_on_a_small_phone_in_either_language(phone, office):
    """At 360 px a chosen profile choice broke mid-word ("Perempua / n", "D1/D2/D3/ D4"): the text could
    break anywhere, and the ✓ after it took the word's room. Each choice, chosen, at 360 and 320 px wide."""
    ticket = issue(office)
    serve(office, ticket)
    page = phone(office, ticket["token"], "?survey=1")
    expect(page.locator("#survey-form")).to_be_visible()
    for width in (360, 320):
        page.set_viewport_size({"width": width, "height": 740})
        for lang in ("id", "en"):
            if page.evaluate("document.documentElement.lang") != lang:
                tap(page, "#lang-toggle")
            female = page.locator('[data-field="profile.sex"] [data-code="P"]')
            expect(female).to_have_text(t("skm.sex.p", lang))
            buttons = page.locator(".pchoice, .choice")
            assert buttons.count() == 14 + 9 * 4
            # a finger's tap chooses (a sex not chosen yet); the page's own click handler for the others, in one call
            other = page.locator('[data-field="profile.sex"] .pchoice[aria-pressed="false"]').first
            code = other.get_attribute("data-code")
            other.tap()
            expect(page.locator(f'[data-field="profile.sex"] [data-code="{code}"]')).to_have_attribute(
                "aria-pressed", "true"
            )
            seen = buttons.evaluate_all(EACH_CHOSEN)
            assert [b for b in seen if not b["pressed"]] == [], (width, lang)
            assert [b for b in seen if b["split"] or b["out"]] == [], (width, lang)
            assert no_sideways_scroll(page), (width, lang)


def test_phone_survey_is_never_required_and_closes_with_the_day_in_the_servers_words(browser, tmp_path):
    # Two answers a minute per address (the kiosk's rate): the third try is refused, in the server's words.
    config = write_config(tmp_path, {"rate_limit_per_minute = 120": "rate_limit_per_minute = 2"})
    server = ClockedServer(config).start()
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        server.add_user("petugas", "officer")
        ticket = issue(server)
        serve(server, ticket)
        page = context.new_page()
        page.goto(f"{server.url}/t/{ticket['token']}")
        expect(page.locator("#survey-invite")).to_be_visible()
        tap(page, "#survey-later")  # "Nanti saja": a small way back, nothing asked again
        expect(page.locator("#survey-invite")).to_be_hidden()
        expect(page.locator("#survey-form")).to_be_hidden()
        tap(page, "#survey-reopen")
        answer_phone(page, SCORES)
        tap(page, "#survey-not-now")
        expect(page.locator("#survey-form")).to_be_hidden()
        tap(page, "#survey-reopen")
        expect(page.locator('[data-field="answers.U9"] [data-score="4"]')).to_have_attribute("aria-pressed", "true")

        server.next_day()
        tap(page, "#survey-submit")

        # Refused (the day is over): the form goes, and the page says the survey is closed (before, the
        # form stayed, with its button, under the refusal).
        expect(page.locator("#survey-closed")).to_have_text(t("survey.day_over", "id"))
        expect(page.locator("#survey-form")).to_be_hidden()
        assert survey_of(server, ticket["token"])["answered"] is False

        # A third try within the minute (this one, a first answer, a correction), in the server's words.
        today = issue(server)
        serve(server, today)
        page.goto(f"{server.url}/t/{today['token']}?survey=1")
        answer_phone(page, SCORES)
        tap(page, "#survey-submit")
        expect(page.locator("#survey-done")).to_be_visible()
        tap(page, "#survey-edit")
        tap(page, '[data-field="answers.U4"] [data-score="3"]')
        # The window is 60 s of real time: on a loaded machine the refused try may have left it by now. Two more
        # tries from this address (refused or not, whatever they are) make the page's correction a third within it.
        for _ in range(2):
            requests.post(f"{server.url}/api/survey", json={"token": today["token"], "answers": {}}, timeout=5)
        tap(page, "#survey-submit")
        expect(page.locator("#survey-error")).to_have_text(message("rate_limited", "id"))

        # The survey's code scanned at home the next day: the page says the survey is closed, not nothing.
        page.goto(f"{server.url}/t/{ticket['token']}?survey=1")
        expect(page.locator("#survey-closed")).to_have_text(t("survey.day_over", "id"))
        expect(page.locator("#survey-invite")).to_be_hidden()
        expect(page.locator("#survey-form")).to_be_hidden()
    finally:
        context.close()
        server.stop()


# -- the tablet by the exit ----------------------------------------------------------------------


@pytest.fixture
def tablet(browser):
    """Open the tablet's page on Playwright's clock, installed before the page loads and standing still:
    the page's own timers (the next question after an answer, the return to the start) fire only when
    a test moves the clock on (`page.clock.run_for`), at the time they were set for, never waited out."""
    pages = []

    def open_tablet(server, viewport=TABLET_PORTRAIT, query: str = ""):
        page = browser.new_page(viewport=viewport, has_touch=True)
        pages.append(page)
        now = datetime.now()
        page.clock.install(time=now)
        page.clock.pause_at(now + timedelta(minutes=1))
        page.goto(f"{server.url}/survey/{query}")
        return page

    yield open_tablet
    for page in pages:
        page.close()


def pad(page, keys: str) -> None:
    for ch in keys:
        tap(page, f'#id-pad [data-digit="{ch}"]')


def read(page) -> None:
    """The visitor reads the screen just shown (the page's clock moved on by SETTLE_MS): a tap sooner is
    taken for the last screen's finger, not an answer."""
    page.clock.run_for(SETTLE_MS)


def next_step(page) -> None:
    """Lanjut, and the next screen read."""
    tap(page, "#step-next")
    read(page)


def answer_tablet(page, code: str, score: int) -> None:
    """Reads the question and taps an answer on the tablet: it shows, chosen, on its question until the
    page's own timer (ADVANCE_MS on the page's clock, moved on here) goes on to the next screen."""
    question = page.locator(f'[data-field="answers.{code}"]')
    expect(question).to_be_visible()  # shown (a lookup answered), then read
    read(page)
    tap(page, f'[data-field="answers.{code}"] [data-score="{score}"]')
    expect(question.locator(f'[data-score="{score}"]')).to_have_attribute("aria-pressed", "true")
    expect(question).to_be_visible()
    page.clock.run_for(ADVANCE_MS)


def test_tablet_takes_the_survey_by_ticket_number_on_its_pads_and_forgets_it_when_idle(tablet, office):
    ticket = issue(office, phone="0812-3456-7890")
    serve(office, ticket)
    prefix, number = ticket["label"].split("-")
    page = tablet(office, query="?idle=6")
    expect(page.locator("#screen-start")).to_be_visible()
    tap(page, "#start")
    expect(page.locator("#screen-identify")).to_be_visible()
    # The physical keyboard is not needed: the prefix, the number and the digits are tapped.
    tap(page, f'[data-prefix="{prefix}"]')
    pad(page, str(int(number)))
    expect(page.locator("#f-ticket")).to_have_text(f"{prefix}-{int(number)}")
    tap(page, "#id-pad-next")
    pad(page, "1111")
    tap(page, "#identify-next")
    expect(page.locator("#identify-error")).to_have_text(message("survey_ticket_not_found", "id"))
    expect(page.locator("#screen-identify")).to_be_visible()
    for _ in range(4):
        tap(page, "#id-pad [data-del]")
    pad(page, "7890")

    tap(page, "#identify-next")

    expect(page.locator("#screen-question")).to_be_visible()
    expect(page.locator("#bar-ticket")).to_have_text(f"Tiket {ticket['label']}")
    expect(page.locator("#progress-text")).to_have_text("Pertanyaan 1 dari 9")
    shot(page, "survey-tablet")
    for i, (code, score) in enumerate(SCORES.items(), start=1):
        expect(page.locator("#progress-text")).to_have_text(f"Pertanyaan {i} dari 9")
        answer_tablet(page, code, score)
    expect(page.locator('[data-field="profile.sex"]')).to_be_visible()
    read(page)
    tap(page, '[data-field="profile.sex"] [data-code="L"]')
    tap(page, '#age-pad [data-age="4"]')
    tap(page, '#age-pad [data-age="5"]')
    expect(page.locator("#survey-age")).to_have_value("45")
    next_step(page)
    tap(page, '[data-field="profile.education"] [data-code="diploma"]')
    next_step(page)
    expect(page.locator("#osk")).to_be_visible()
    # An empty text starts with a capital (Shift on by itself), as the kiosk's fields do.
    expect(page.locator('#osk [data-key="shift"]')).to_have_attribute("aria-pressed", "true")
    for key in ("a", "c", "space", "d", "i", "n", "g", "i", "n", "."):
        tap(page, f'#osk [data-key="{key}"]')
    expect(page.locator("#survey-suggestion")).to_have_value("Ac dingin.")
    # Nothing of the visitor's form is on the tablet: only the ticket's label.
    body = page.locator("body").inner_text()
    for private in (VISITOR["name"], VISITOR["agency"], "7890", VISITOR["problem"]):
        assert private not in body

    tap(page, "#submit")

    expect(page.locator("#screen-thanks")).to_be_visible()
    expect(page.locator("#thanks-ticket")).to_have_text(f"Tiket {ticket['label']}")
    response = survey_of(office, ticket["token"])["response"]
    assert response["answers"] == SCORES and response["channel"] == "tablet"
    assert response["profile"] == {"sex": "L", "age": 45, "education": "diploma", "occupation": None}
    assert response["suggestion"] == "Ac dingin."

    # Left alone, the tablet goes back to the start and keeps nothing of this visitor: the thanks stay
    # for the idle time (6 s here, under THANKS_SECONDS) on the page's clock, then its own timer resets it.
    assert page.evaluate("antrianSurvey.resetIn") == 6
    page.clock.run_for(6_000 - 1)
    expect(page.locator("#screen-thanks")).to_be_visible()
    expect(page.locator("#thanks-ticket")).to_have_text(f"Tiket {ticket['label']}")
    page.clock.run_for(1)
    expect(page.locator("#screen-start")).to_be_visible()
    expect(page.locator("#bar-ticket")).to_have_text("")
    assert page.locator("#survey-suggestion").input_value() == ""
    assert page.locator("#survey-age").input_value() == ""
    assert page.locator("[aria-pressed=true]").count() == 0
    tap(page, "#start")
    expect(page.locator("#f-ticket")).to_have_text("")
    expect(page.locator("#identify-error")).to_be_hidden()

    # The same ticket again: the tablet says it was answered, and shows none of the answers given.
    tap(page, f'[data-prefix="{prefix}"]')
    pad(page, number)
    tap(page, "#id-pad-next")
    pad(page, "7890")
    tap(page, "#identify-next")
    expect(page.locator("#answered-note")).to_have_text(t("survey.answered_note", "id"))
    assert page.locator("#screen-question [aria-pressed=true]").count() == 0
    assert page.locator("#survey-suggestion").input_value() == ""
    # Answered again with the text box left empty: the form sends no text, and the one written stays.
    for code in SCORES:
        answer_tablet(page, code, 2)
    read(page)
    next_step(page)
    next_step(page)
    expect(page.locator("#osk")).to_be_visible()
    with page.expect_request("**/api/survey") as sent:
        tap(page, "#submit")
    assert "suggestion" not in sent.value.post_data_json
    expect(page.locator("#screen-thanks")).to_be_visible()
    response = survey_of(office, ticket["token"])["response"]
    assert response["answers"] == dict.fromkeys(SCORES, 2) and response["suggestion"] == "Ac dingin."


def centre(page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_tablet_sends_its_answers_again_when_their_answer_was_lost_and_says_a_resent_one_changed_nothing(
    tablet, office
):
    """The tablet has no live connection to hear of its answers stored: their HTTP answer lost on the way back, it
    said it could not reach the server and stayed on the form. It sends them again by itself, with the same request
    id (nothing written twice), and thanks. The same answers sent again by the ticket's token say nothing changed."""
    ticket = issue(office)
    serve(office, ticket)
    page = tablet(office, TABLET_PORTRAIT, f"?t={ticket['token']}")
    lost = losing_answers(page)
    for code, score in SCORES.items():
        answer_tablet(page, code, score)
    read(page)
    next_step(page)
    next_step(page)
    tap(page, "#submit")
    expect(page.locator("#submit-error")).to_have_text(t("survey.kept_text", "id"))
    assert [r.status for r in lost] == [201]
    assert survey_of(office, ticket["token"])["response"]["answers"] == SCORES
    page.clock.run_for(2000)  # the tablet's own try again
    expect(page.locator("#screen-thanks")).to_be_visible()
    expect(page.locator("#thanks-text")).to_have_text(t("survey.thanks_text", "id"))
    assert survey_of(office, ticket["token"])["corrections_left"] == 5  # the retry wrote nothing

    page.goto(f"{office.url}/survey/?t={ticket['token']}")  # the same ticket scanned again, the same answers
    for code, score in SCORES.items():
        answer_tablet(page, code, score)
    read(page)
    next_step(page)
    next_step(page)
    tap(page, "#submit")
    expect(page.locator("#thanks-text")).to_have_text(t("survey.unchanged_text", "id"))
    tap(page, "#lang-toggle")
    expect(page.locator("#thanks-text")).to_have_text(t("survey.unchanged_text", "en"))
    assert survey_of(office, ticket["token"])["corrections_left"] == 5


def test_tablet_keeps_answers_sent_while_the_wifi_is_down_and_sends_them_once_after_the_visitor_left(tablet, office):
    """The Wi-Fi down for a minute as the visitor taps Kirim: the tablet tried three times in 17 s, told the visitor to
    "check the connection and try again", and the next return to the start cleared the answers: lost, nobody told.
    Now they are said to be kept, and are sent (once) when the network is back, after the visitor has gone."""
    ticket = issue(office)
    serve(office, ticket)
    page = tablet(office, TABLET_LANDSCAPE, f"?t={ticket['token']}&idle=30")
    failed, stored = [], []
    page.on("requestfailed", lambda r: failed.append(r) if r.method == "POST" else None)
    page.on("response", lambda r: stored.append(r.status) if r.request.method == "POST" else None)
    for code, score in SCORES.items():
        answer_tablet(page, code, score)
    read(page)
    next_step(page)
    next_step(page)
    page.context.set_offline(True)
    tap(page, "#submit")
    until_on_page(page, lambda: len(failed) == 1, "the answers' POST failing")
    expect(page.locator("#submit-error")).to_have_text(t("survey.kept_text", "id"))
    for tries, wait in enumerate((2000, 5000, 10000), start=2):  # the tablet's own tries, each failing
        page.clock.run_for(wait)
        until_on_page(page, lambda n=tries: len(failed) == n, f"try {tries}")
    page.clock.run_for(3000)  # 20 s after the tap: "Masih di sini?", which says the answers stay
    expect(page.locator("#idle-count")).to_have_text(t("survey.idle_countdown_kept", "id", n=10))
    page.clock.run_for(10_000)  # the visitor has gone: the start, nothing of theirs on the screen
    expect(page.locator("#screen-start")).to_be_visible()
    assert page.locator("[aria-pressed=true]").count() == 0
    assert page.evaluate("antrianSurvey.kept") == 1
    assert survey_of(office, ticket["token"])["answered"] is False

    page.context.set_offline(False)
    page.clock.run_for(15_000)
    until_on_page(page, lambda: stored, "the kept answers sent")
    page.wait_for_function("() => antrianSurvey.kept === 0", polling=50)
    state = survey_of(office, ticket["token"])
    assert (state["response"]["answers"], state["response"]["channel"], state["corrections_left"]) == (
        SCORES,
        "tablet",
        5,
    )
    page.clock.run_for(60_000)  # nothing sent again
    assert stored == [201]


STORE_KEY = "antrian-survey-outbox"  # kiosk/static/survey.js: the outbox in the tablet's localStorage


def sent_from_the_tablet(page, scores: dict[str, int]) -> None:
    """The questions on the screen answered, the profile and text left empty, and Kirim jawaban tapped."""
    for code, score in scores.items():
        answer_tablet(page, code, score)
    read(page)
    next_step(page)
    next_step(page)
    tap(page, "#submit")


def test_tablet_answers_kept_while_the_wifi_is_down_outlast_a_reload_and_a_new_page_and_reach_the_server_once(
    browser, office
):
    """The outbox was in memory only: the tablet's browser killed and opened again by its OS, or a power cut, while
    the Wi-Fi was down lost answers its visitors had been told were kept, and nobody knew. Now they are in the tablet's
    localStorage too (the answers as sent: no name, phone or problem of the visitor), read back by the next page of the
    same browser, never shown to the next visitor, and sent once the network is back: each stored once, a repeat of
    answers that had reached the server answered from its record."""
    first, second = issue(office), issue(office, phone="0812-3456-4321")
    serve(office, first)
    serve(office, second)
    again = {code: 5 - score for code, score in SCORES.items()}
    prefix, number = second["label"].split("-")
    context = browser.new_context(viewport=TABLET_PORTRAIT, has_touch=True)
    now = datetime.now()
    context.clock.install(time=now)
    context.clock.pause_at(now + timedelta(minutes=1))
    wifi = {"up": False, "lost": 1}  # down; the first answers reach the server, their answer lost on the way back
    reached = []  # (request_id, status): the POSTs the server answered
    errors = []

    def network(route):
        if route.request.method != "POST":
            return route.continue_()
        if not wifi["up"] and not wifi["lost"]:
            return route.abort("internetdisconnected")
        answered = route.fetch()
        reached.append((route.request.post_data_json["request_id"], answered.status))
        if wifi["up"]:
            return route.fulfill(response=answered)
        wifi["lost"] -= 1
        return route.abort("internetdisconnected")

    context.route("**/api/survey", network)  # the pages themselves load (a reload, a new page)
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(e))
        page.goto(f"{office.url}/survey/?t={first['token']}")
        sent_from_the_tablet(page, SCORES)
        expect(page.locator("#submit-error")).to_have_text(t("survey.kept_text", "id"))
        assert [status for _, status in reached] == [201]

        page.reload()  # the browser killed and opened again, the visitor at the screen or not
        expect(page.locator("#screen-start")).to_be_visible()
        page.wait_for_function("() => window.antrianSurvey", polling=50)
        assert page.evaluate("antrianSurvey.kept") == 1
        # The next visitor reads nothing of them; the storage holds the answers as sent, nothing of the visitor's form.
        assert first["label"] not in page.locator("body").inner_text()
        assert page.locator("[aria-pressed=true]").count() == 0
        stored = page.evaluate(f"localStorage.getItem('{STORE_KEY}')")
        for private in (VISITOR["name"], VISITOR["agency"], VISITOR["address"], VISITOR["phone"], VISITOR["problem"]):
            assert private not in stored
        [kept] = json.loads(stored)["kept"]
        assert (kept["answers"], kept["token"], kept["request_id"]) == (SCORES, first["token"], reached[0][0])

        # The next visitor, by number and digits, while the Wi-Fi is still down (the first answers tried again, failing),
        # then leaves: their answers join the first in the outbox.
        tap(page, "#start")
        tap(page, f'[data-prefix="{prefix}"]')
        pad(page, str(int(number)))
        tap(page, "#id-pad-next")
        pad(page, "4321")
        tap(page, "#identify-next")
        sent_from_the_tablet(page, again)
        expect(page.locator("#submit-error")).to_have_text(t("survey.kept_text", "id"))
        tap(page, "#not-mine")
        page.clock.run_for(SETTLE_MS)
        tap(page, "#restart-yes")
        expect(page.locator("#screen-start")).to_be_visible()
        assert page.evaluate("antrianSurvey.kept") == 2
        page.close()  # the tablet's browser closed (a power cut); a new page of the same browser

        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(e))
        page.goto(f"{office.url}/survey/")
        expect(page.locator("#screen-start")).to_be_visible()
        assert page.evaluate("antrianSurvey.kept") == 2
        assert second["label"] not in page.locator("body").inner_text()
        assert [status for _, status in reached] == [201]  # nothing else reached the server meanwhile

        wifi["up"] = True
        until_on_page(
            page,
            lambda: page.clock.run_for(1000) or page.evaluate("antrianSurvey.kept") == 0,
            lambda: f"the kept answers sent: {reached}",
        )
        assert page.evaluate(f"localStorage.getItem('{STORE_KEY}')") is None
        # The first answers' repeat answered from the server's record (nothing written twice), the second's stored.
        ids = [rid for rid, _ in reached]
        assert ids[:2] == [kept["request_id"]] * 2 and len(ids) == 3 and ids[2] != ids[0]
        assert [status for _, status in reached] == [201, 201, 201]
        for ticket, scores in ((first, SCORES), (second, again)):
            state = survey_of(office, ticket["token"])
            assert (state["response"]["answers"], state["response"]["channel"], state["corrections_left"]) == (
                scores,
                "tablet",
                5,
            )
        page.clock.run_for(60_000)  # nothing sent again
        page.reload()
        expect(page.locator("#screen-start")).to_be_visible()
        page.clock.run_for(60_000)
        assert len(reached) == 3 and page.evaluate("antrianSurvey.kept") == 0

        # A value the tablet did not write (corrupt, another page's, a stranger's fields) is ignored, not a crash.
        for foreign in ("{not json", '{"v": 1, "kept": [5, null, {"channel": "tablet", "name": "Budi"}]}', "[]"):
            page.evaluate(f"v => localStorage.setItem('{STORE_KEY}', v)", foreign)
            page.reload()
            expect(page.locator("#screen-start")).to_be_visible()
            assert page.evaluate("antrianSurvey.kept") == 0
            assert page.evaluate(f"localStorage.getItem('{STORE_KEY}')") is None
        tap(page, "#start")
        expect(page.locator("#screen-identify")).to_be_visible()
        assert errors == []
    finally:
        context.close()


def test_tablet_a_slow_double_tap_answers_only_the_question_the_visitor_saw(tablet, office):
    """Question 2's choices sit where question 1's were: a finger's second tap, a moment after the first,
    must not answer question 2 unseen (its score would enter the IKM) and jump to question 3."""
    ticket = issue(office)
    serve(office, ticket)
    page = tablet(office, TABLET_LANDSCAPE, f"?t={ticket['token']}")
    expect(page.locator("#progress-text")).to_have_text("Pertanyaan 1 dari 9")
    read(page)
    x, y = centre(page, '[data-field="answers.U1"] [data-score="2"]')
    page.touchscreen.tap(x, y)
    expect(page.locator('[data-field="answers.U1"] [data-score="2"]')).to_have_attribute("aria-pressed", "true")
    # The same answer tapped again while it shows: nothing changes, the next question comes on time.
    page.clock.run_for(200)
    page.touchscreen.tap(x, y)
    page.clock.run_for(ADVANCE_MS - 200)
    expect(page.locator("#progress-text")).to_have_text("Pertanyaan 2 dari 9")
    assert centre(page, '[data-field="answers.U2"] [data-score="2"]') == (x, y)
    # 0.45 s after the first tap (0.1 s after question 2 appeared), the finger comes down again: taken for
    # nothing, and nothing looks chosen.
    page.clock.run_for(100)
    page.touchscreen.tap(x, y)
    expect(page.locator("#screen-question")).to_have_class(re.compile(r"\bsettling\b"))
    assert page.locator('[data-field="answers.U2"] [aria-pressed="true"]').count() == 0
    page.clock.run_for(ADVANCE_MS)
    expect(page.locator("#progress-text")).to_have_text("Pertanyaan 2 dari 9")
    assert page.locator('[data-field="answers.U2"] [aria-pressed="true"]').count() == 0
    # Read, question 2 takes a tap as soon as the moment is over, and goes on as before.
    page.clock.run_for(SETTLE_MS - 100 - ADVANCE_MS)
    expect(page.locator("#screen-question")).not_to_have_class(re.compile(r"\bsettling\b"))
    page.touchscreen.tap(x, y)
    expect(page.locator('[data-field="answers.U2"] [data-score="2"]')).to_have_attribute("aria-pressed", "true")
    page.clock.run_for(ADVANCE_MS)
    expect(page.locator("#progress-text")).to_have_text("Pertanyaan 3 dari 9")
    for code in ("U3", "U4", "U5", "U6", "U7", "U8", "U9"):
        answer_tablet(page, code, 3)
    read(page)
    next_step(page)
    next_step(page)
    with page.expect_request("**/api/survey") as sent:
        tap(page, "#submit")
    assert sent.value.post_data_json["answers"] == {"U1": 2, "U2": 2, **{f"U{i}": 3 for i in range(3, 10)}}


def identify_by_pad(page, label: str, last4: str) -> None:
    prefix, number = label.split("-")
    tap(page, f'[data-prefix="{prefix}"]')
    pad(page, str(int(number)))
    tap(page, "#id-pad-next")
    pad(page, last4)
    tap(page, "#identify-next")


def test_tablet_says_at_once_that_answers_corrected_five_times_stay_and_its_refusals_follow_the_language(
    tablet, office
):
    ticket = issue(office)
    serve(office, ticket)
    for i in range(6):  # the answers, then the five corrections a ticket may have
        scores = {**SCORES, "U4": 1 + i % 4}
        r = requests.post(f"{office.url}/api/survey", json={"token": ticket["token"], "answers": scores}, timeout=5)
        assert r.status_code in (200, 201), r.text
    assert survey_of(office, ticket["token"])["corrections_left"] == 0
    page = tablet(office, TABLET_PORTRAIT)
    error = page.locator("#identify-error")
    tap(page, "#start")
    identify_by_pad(page, ticket["label"], "1111")
    expect(error).to_have_text(message("survey_ticket_not_found", "id"))
    # The server's refusal, said in Indonesian, follows the language toggle, and back.
    tap(page, "#lang-toggle")
    expect(error).to_have_text(message("survey_ticket_not_found", "en"))
    tap(page, "#lang-toggle")
    expect(error).to_have_text(message("survey_ticket_not_found", "id"))
    # The toggle tapped while the refusal is on its way: asked in Indonesian, it is shown in English.
    tap(page, "#id-pad [data-del]")
    pad(page, "1")
    expect(error).to_have_text("")  # an edit clears it
    page.evaluate(
        "() => { document.getElementById('identify-next').click(); document.getElementById('lang-toggle').click(); }"
    )
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(error).to_have_text(message("survey_ticket_not_found", "en"))
    tap(page, "#lang-toggle")
    expect(error).to_have_text(message("survey_ticket_not_found", "id"))
    for _ in range(4):
        tap(page, "#id-pad [data-del]")
    pad(page, "7890")
    tap(page, "#identify-next")
    # Said here, before nine answers and a typed complaint, not at "Kirim jawaban" (409).
    expect(error).to_have_text(t("survey.corrections_spent", "id", label=ticket["label"]))
    expect(page.locator("#screen-identify")).to_be_visible()
    tap(page, "#lang-toggle")
    expect(error).to_have_text(t("survey.corrections_spent", "en", label=ticket["label"]))
    assert_actions_visible(page, "corrections spent", must=("#screen-identify [data-action=home]",))
    shot(page, "survey-tablet-corrections-spent")


def test_tablet_asks_masih_di_sini_with_a_countdown_before_it_forgets_the_answers(tablet, office):
    ticket = issue(office)
    serve(office, ticket)
    page = tablet(office, TABLET_LANDSCAPE, f"?t={ticket['token']}&idle=30")
    warning, count = page.locator("#idle-warning"), page.locator("#idle-count")
    for code in ("U1", "U2", "U3"):
        answer_tablet(page, code, 4)
    expect(page.locator("#progress-text")).to_have_text("Pertanyaan 4 dari 9")
    # 30 s idle: asked 10 s before, across the whole screen, counting down on the page's clock.
    assert page.evaluate("antrianSurvey.warnIn") == 20
    page.clock.run_for(20_000 - ADVANCE_MS - 1)  # counted from the last touch, the answer to question 3
    expect(warning).to_be_hidden()
    page.clock.run_for(1)
    expect(warning).to_be_visible()
    # over a ticket's questions it names the ticket: someone else who comes to the tablet knows it is not theirs
    expect(page.locator("#idle-title")).to_have_text(t("survey.idle_title_ticket", "id", label=ticket["label"]))
    expect(count).to_have_text(t("survey.idle_countdown", "id", n=10))
    page.clock.run_for(3_000)
    expect(count).to_have_text(t("survey.idle_countdown", "id", n=7))
    shot(page, "survey-tablet-still-there")
    # A touch where question 4's first choice is keeps every answer, and chooses nothing.
    page.touchscreen.tap(*centre(page, '[data-field="answers.U4"] [data-score="1"]'))
    expect(warning).to_be_hidden()
    expect(page.locator("#progress-text")).to_have_text("Pertanyaan 4 dari 9")
    assert page.locator('[data-field="answers.U4"] [aria-pressed="true"]').count() == 0
    assert page.evaluate("antrianSurvey.resetIn") == 30
    tap(page, "#step-back")
    read(page)
    expect(page.locator('[data-field="answers.U3"] [data-score="4"]')).to_have_attribute("aria-pressed", "true")
    # Left alone again: asked again, then back to the start with nothing kept.
    page.clock.run_for(20_000)
    expect(warning).to_be_visible()
    page.clock.run_for(10_000)
    expect(page.locator("#screen-start")).to_be_visible()
    expect(warning).to_be_hidden()
    assert page.locator("[aria-pressed=true]").count() == 0


def test_tablet_the_next_visitor_says_not_my_ticket_and_starts_over(tablet, office):
    """A visitor who walked away half-way left their survey on the screen, "Tiket A-001" in its bar, for up to the idle
    time, and any touch kept it: the next visitor's only way out was Kembali back to question 1, then Batal, or to
    answer (and send) someone else's survey. "Masih di sini?" names the ticket, and beside its label on every question
    screen "Bukan tiket saya" asks once (not answered by a double tap's second touch), then clears it all."""
    ticket = issue(office)
    serve(office, ticket)
    page = tablet(office, TABLET_PORTRAIT, f"?t={ticket['token']}&idle=30")
    not_mine, confirm = page.locator("#not-mine"), page.locator("#restart-confirm")
    for code in ("U1", "U2", "U3"):
        answer_tablet(page, code, 4)
    # The visitor has gone; the next one comes as "Masih di sini?" asks, and reads whose survey it is.
    page.clock.run_for(20_000)
    expect(page.locator("#idle-warning")).to_be_visible()
    expect(page.locator("#idle-title")).to_have_text(t("survey.idle_title_ticket", "id", label=ticket["label"]))
    tap(page, "#idle-title")
    expect(page.locator("#idle-warning")).to_be_hidden()
    expect(page.locator("#bar-ticket")).to_have_text(f"Tiket {ticket['label']}")
    expect(not_mine).to_have_text(t("survey.not_mine", "id"))
    # A double tap on it: the question comes over the whole screen, the second touch lands beside its card, and
    # its buttons take no tap for a moment.
    x, y = centre(page, "#not-mine")
    page.touchscreen.tap(x, y)
    expect(confirm).to_be_visible()
    expect(page.locator("#restart-title")).to_have_text(t("survey.not_mine_title", "id", label=ticket["label"]))
    page.touchscreen.tap(x, y)
    page.touchscreen.tap(*centre(page, "#restart-yes"))
    expect(confirm).to_be_visible()
    expect(page.locator("#progress-text")).to_have_text("Pertanyaan 4 dari 9")
    # "Tidak, ini tiket saya": everything as it was.
    read(page)
    tap(page, "#restart-no")
    expect(confirm).to_be_hidden()
    tap(page, "#step-back")
    read(page)
    expect(page.locator('[data-field="answers.U3"] [data-score="4"]')).to_have_attribute("aria-pressed", "true")
    # Asked in English; "Ya": the start, in the office's language, nothing of the ticket kept, nothing sent.
    tap(page, "#lang-toggle")
    tap(page, "#not-mine")
    expect(page.locator("#restart-title")).to_have_text(t("survey.not_mine_title", "en", label=ticket["label"]))
    expect(page.locator("#restart-yes")).to_have_text(t("survey.not_mine_yes", "en"))
    read(page)
    tap(page, "#restart-yes")
    expect(page.locator("#screen-start")).to_be_visible()
    expect(confirm).to_be_hidden()
    expect(not_mine).to_be_hidden()
    expect(page.locator("#bar-ticket")).to_have_text("")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    assert page.locator("[aria-pressed=true]").count() == 0
    assert survey_of(office, ticket["token"])["answered"] is False
    # Not on the number pads (no ticket yet): Batal is there.
    tap(page, "#start")
    expect(page.locator("#screen-identify")).to_be_visible()
    expect(not_mine).to_be_hidden()


def test_tablet_left_at_its_start_asks_the_next_visitor_the_admins_new_wording(tablet, office):
    """The tablet read the questionnaire only on its way back to the start: one left there all morning asked the
    first visitor after an admin's change the old questions (their answers counted under the old words)."""
    ticket = issue(office, phone="081233334444")
    serve(office, ticket)
    page = tablet(office, TABLET_LANDSCAPE)
    page.wait_for_function("() => antrianSurvey.wordingLooks === 1", polling=50)  # its read at the start
    question = page.locator('[data-field="answers.U2"] .q-text')
    with new_u2_wording(office):
        wording = requests.get(f"{office.url}/api/survey", timeout=5).json()["wording"]
        # Left alone at its start, it takes the new words within a minute, with nobody there.
        page.clock.run_for(60_000)
        page.wait_for_function("() => antrianSurvey.wordingLooks === 2", polling=50)
        expect(question).to_have_text(NEW_U2["question"]["id"])
    # The wording changed back while it waits: the next visitor's tap on the start reads it.
    tap(page, "#start")
    identify_by_pad(page, ticket["label"], "4444")
    for code in ("U1",):
        answer_tablet(page, code, 3)
    expect(question).to_have_text(t("skm.question.u2", "id"))
    assert wording != requests.get(f"{office.url}/api/survey", timeout=5).json()["wording"]


def test_tablet_start_in_english_goes_back_to_the_offices_language_when_left(tablet, office):
    page = tablet(office, TABLET_PORTRAIT, "?idle=5")
    title = page.locator(".start-title")
    expect(title).to_have_text(t("survey.start_title", "id"))
    assert page.evaluate("antrianSurvey.resetIn") is None  # in the office's language the start just waits
    tap(page, "#lang-toggle")
    expect(title).to_have_text(t("survey.start_title", "en"))
    page.clock.run_for(5_000 - 1)
    expect(title).to_have_text(t("survey.start_title", "en"))
    page.clock.run_for(1)
    expect(title).to_have_text(t("survey.start_title", "id"))
    expect(page.locator("html")).to_have_attribute("lang", "id")
    assert page.evaluate("antrianSurvey.resetIn") is None


# The caret's line in the suggestion's box, in the box's own coordinates (from the top of its text), with
# the box's scroll and its visible height, and where that line is on the screen against the questions'
# area: a copy of the text up to the caret, wrapped as the box wraps it.
CARET_LINE = """() => {
  const el = document.getElementById('survey-suggestion'), cs = getComputedStyle(el);
  const m = document.createElement('div');
  const padX = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight);
  m.style.cssText = `position:absolute;visibility:hidden;white-space:pre-wrap;overflow-wrap:break-word;` +
    `width:${el.clientWidth - padX}px;font:${cs.font};line-height:${cs.lineHeight};padding:0;border:0`;
  m.textContent = el.value.slice(0, el.selectionEnd);
  const mark = document.createElement('span');
  mark.textContent = '\\u200b';
  m.appendChild(mark);
  document.body.appendChild(m);
  const top = parseFloat(cs.paddingTop) + mark.offsetTop, line = parseFloat(cs.lineHeight);
  m.remove();
  const box = el.getBoundingClientRect(), area = document.getElementById('step').getBoundingClientRect();
  const onScreen = box.top + el.clientTop + top - el.scrollTop;
  return {
    inBox: top >= el.scrollTop - 0.5 && top + line <= el.scrollTop + el.clientHeight + 0.5,
    onScreen: onScreen >= area.top - 0.5 && onScreen + line <= area.bottom + 0.5,
    lines: el.clientHeight / line,
    roomBelow: document.getElementById('osk').getBoundingClientRect().top - box.bottom,
  };
}"""
# How far the suggestion's hint ends above its box's focus ring (the ring's spread, the box's box-shadow), in px: below
# 0, the ring is drawn over the hint's letters.
HINT_CLEAR = """() => {
  const hint = document.getElementById('survey-suggestion-hint'), box = document.getElementById('survey-suggestion');
  const range = document.createRange();
  range.selectNodeContents(hint);
  const bottom = Math.max(...[...range.getClientRects()].map(r => r.bottom));
  const spread = Math.max(0, ...(getComputedStyle(box).boxShadow.match(/-?[0-9.]+px/g) || []).map(parseFloat));
  return box.getBoundingClientRect().top - spread - bottom;
}"""
LONG_TEXT = (
    "Antrian cukup lama karena hanya dua loket yang buka pada jam sibuk. Petugas ramah, tetapi ruang tunggu "
    "panas (AC mati) dan colokan listrik untuk laptop tidak ada. Mohon ditambah loket pada hari batas akhir "
    "penawaran, dan sediakan wifi tamu yang stabil. Juga suara panggilan kurang keras dari ruang tunggu "
) * 2


@pytest.mark.parametrize("viewport", [TABLET_LANDSCAPE, TABLET_PORTRAIT], ids=["landscape", "portrait"])
def test_tablet_suggestion_box_uses_the_room_and_keeps_the_typed_line_in_sight(tablet, office, viewport):
    ticket = issue(office)
    serve(office, ticket)
    page = tablet(office, viewport, f"?t={ticket['token']}")
    for code in SCORES:
        answer_tablet(page, code, 3)
    read(page)
    next_step(page)
    next_step(page)
    expect(page.locator("#osk")).to_be_visible()
    caret = page.evaluate(CARET_LINE)
    # The box takes the room between its hint and the keyboard: over 4 lines across (2.8 before), over
    # 12 upright (5.5, with 370 px left empty under it).
    assert caret["lines"] >= (4 if viewport is TABLET_LANDSCAPE else 12), caret
    assert caret["roomBelow"] < 60, caret
    # The hint's last line whole above the box and its focus ring: on its side, the ring (the box has the focus)
    # was drawn over the hint's second line, its letters' tails cut ("petugas akan menanggapinya").
    assert page.evaluate(HINT_CLEAR) >= 0
    # A long text, its start in the box: each key tapped shows the line it types.
    page.evaluate(
        "(text) => { const el = document.getElementById('survey-suggestion');"
        " el.value = text; el.setSelectionRange(text.length, text.length); el.scrollTop = 0; }",
        LONG_TEXT,
    )
    keys = Keys(page)
    for key in ("space", "a", "c", "enter"):
        keys.tap(key)
        caret = page.evaluate(CARET_LINE)
        assert caret["inBox"] and caret["onScreen"], (key, caret)
    shot(page, "survey-tablet-suggestion" + ("" if viewport is TABLET_PORTRAIT else "-landscape"))
    # With the server out of reach, its error above the buttons: the box is smaller, still three lines,
    # and the typed line still in sight.
    page.route("**/api/survey", lambda route: route.abort())
    tap(page, "#submit")
    expect(page.locator("#submit-error")).to_have_text(t("survey.kept_text", "id"))
    keys.moved()  # the keyboard moved up over the error
    for key in ("o", "k", "enter", "b"):
        keys.tap(key)
        caret = page.evaluate(CARET_LINE)
        assert caret["inBox"] and caret["onScreen"], (key, caret)
    assert caret["lines"] >= 3, caret
    # The page's own words follow the language toggle too.
    tap(page, "#lang-toggle")
    expect(page.locator("#submit-error")).to_have_text(t("survey.kept_text", "en"))


def longest_wording(code: str) -> dict:
    question = ("Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan dengan standar pelayanan? " * 6)[:500]
    choice = ("Sangat sesuai dengan standar pelayanan yang diumumkan di ruang tunggu " * 2)[:100]
    return {code: {"question": {"id": question, "en": question}, "choices": [{"id": choice, "en": choice}] * 4}}


@pytest.mark.parametrize(
    "viewport", [TABLET_PORTRAIT, TABLET_LANDSCAPE, TABLET_SMALL], ids=["portrait", "landscape", "7-inch"]
)
def test_tablet_screens_keep_every_button_on_screen_with_the_longest_wording_and_texts(tablet, office, viewport):
    admin = office.session("kepala", PASSWORD)
    r = admin.put(f"{office.url}/api/admin/survey", json={"elements": longest_wording("U5")}, timeout=5)
    assert r.status_code == 200, r.text
    try:
        ticket = issue(office)
        serve(office, ticket)
        page = tablet(office, viewport)
        tap(page, "#start")
        tap(page, '[data-prefix="A"]')
        pad(page, "1234")
        tap(page, "#id-pad-next")
        pad(page, "7890")
        assert_actions_visible(page, "identify, longest number", must=("#identify-next", "#lang-toggle"))
        assert small_targets(page) == []
        page.goto(f"{office.url}/survey/?t={ticket['token']}")  # the ticket's QR code scanned
        expect(page.locator("#screen-question")).to_be_visible()
        assert "t=" not in page.url  # the token leaves the address bar for the next visitor
        for code in ("U1", "U2", "U3", "U4"):
            answer_tablet(page, code, 3)
        expect(page.locator("#progress-text")).to_have_text("Pertanyaan 5 dari 9")
        expect(page.locator('[data-field="answers.U5"] .q-text')).to_have_text(
            longest_wording("U5")["U5"]["question"]["id"]
        )
        assert_actions_visible(page, "the longest question", must=("#step-back", "#step-next"))
        assert small_targets(page) == []
        if viewport is TABLET_SMALL:
            shot(page, "survey-tablet-7-inch-longest")
        tap(page, "#lang-toggle")
        assert_actions_visible(page, "the longest question in English", must=("#step-back", "#step-next"))
        tap(page, "#lang-toggle")
        for code in ("U5", "U6", "U7", "U8", "U9"):
            answer_tablet(page, code, 2)
            page.wait_for_function(
                "(code) => !document.querySelector(`[data-field='answers.${code}']`).checkVisibility()",
                arg=code,
                polling=50,
            )
        assert_actions_visible(page, "profile: sex and age", must=("#step-next", "#age-pad [data-age=del]"))
        assert small_targets(page) == []
        read(page)
        next_step(page)
        assert_actions_visible(page, "profile: education and occupation", must=("#step-next",))
        next_step(page)
        page.fill("#survey-suggestion", ("Antrian di loket dua terlalu lama, mohon ditambah petugas. " * 40)[:2000])
        expect(page.locator(".chars")).to_have_text("2000/2000 karakter")
        assert_actions_visible(page, "suggestion, the longest", must=("#submit", "#osk [data-key=space]"))
        assert small_targets(page) == []
        assert no_sideways_scroll(page)
        tap(page, "#submit")
        expect(page.locator("#screen-thanks")).to_be_visible()
        assert_actions_visible(page, "thanks", must=("#screen-thanks [data-action=home]",))
        assert survey_of(office, ticket["token"])["response"]["answers"]["U5"] == 2
    finally:
        admin.put(f"{office.url}/api/admin/survey", json={"elements": {"U5": None}}, timeout=5)


# -- the form copy's QR code ---------------------------------------------------------------------


def test_form_copy_carries_a_qr_code_to_the_phone_survey_of_its_ticket_and_stays_one_a4_page(browser, office):
    ticket = issue(office)
    serve(office, ticket)
    officer = office.session("petugas", PASSWORD)
    page = officer.get(f"{office.url}/counter/form/{ticket['token']}", timeout=5).text
    assert "Isi survei kepuasan" in page
    src = re.search(r'<img class="survey-qr"[^>]* src="([^"]+)"', page).group(1).replace("&amp;", "&")
    # the office's public address (config.toml [office] public_url), the phone page with its questions at once
    assert parse_qs(urlparse(src).query)["data"] == [f"http://127.0.0.1:8080/t/{ticket['token']}?survey=1"]
    svg = officer.get(office.url + src, timeout=5)
    assert svg.status_code == 200 and svg.headers["Content-Type"].startswith("image/svg+xml")
    # Printed, the copy is still one A4 sheet, the QR code drawn.
    context = browser.new_context()
    try:
        context.add_cookies([{"name": c.name, "value": c.value, "url": office.url} for c in officer.cookies])
        printed = context.new_page()
        printed.goto(f"{office.url}/counter/form/{ticket['token']}")
        printed.wait_for_function("() => document.querySelector('.survey-qr').naturalWidth > 0", polling=50)
        pdf = printed.pdf(format="A4", prefer_css_page_size=True)
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    finally:
        context.close()


def test_a_form_copy_over_several_pages_keeps_its_signatures_whole_and_its_number_on_each_page(browser, office):
    """The longest name, agency, address and problem a visitor may give: the copy takes more than one A4
    page. The signatures are the last row of the form's table, never broken from their names and NIP,
    and each page starts with the ticket's number (the table's header row, repeated when printed)."""
    longest = {
        "name": ("Nama Sangat Panjang " * 6)[:100],
        "agency": ("Dinas Pekerjaan Umum dan Penataan Ruang " * 4)[:150],
        "address": ("Jl. Panjang Sekali No. 123 RT 01 RW 02 " * 8)[:300],
        "problem": ("Tidak bisa mengunggah dokumen penawaran karena ukuran berkas terlalu besar. " * 30)[:2000],
    }
    ticket = issue(office, **longest)
    serve(office, ticket)
    officer = office.session("petugas", PASSWORD)
    context = browser.new_context()
    try:
        context.add_cookies([{"name": c.name, "value": c.value, "url": office.url} for c in officer.cookies])
        page = context.new_page()
        page.goto(f"{office.url}/counter/form/{ticket['token']}")
        pdf = page.pdf(format="A4", prefer_css_page_size=True)
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 2
        # The printed pages' own text (poppler's pdftotext, pages split by form feeds): the number heads the
        # form's table on the first page and the second page, and the last holds both signatures with the
        # officer's name and NIP.
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
        pages = [p for p in text.decode().split("\f") if p.strip()]
        assert len(pages) == 2
        number = f"No. antrian {ticket['label']}"
        assert number in pages[0] and pages[1].lstrip().startswith(number), pages
        assert "Pemberi Penjelasan" not in pages[0]
        last = pages[1]
        assert "Pemberi Penjelasan" in last and "NIP" in last and longest["name"].split()[0] in last
        expect(page.locator("thead.running")).to_be_hidden()  # on screen: the number is in the form already
        page.emulate_media(media="print")
        expect(page.locator("thead.running")).to_have_text(re.compile(rf"^No\. antrian {ticket['label']} · "))
        row = page.locator("table.form > tbody > tr").last
        assert row.get_attribute("class") == "sign-row" and "Pemberi Penjelasan" in row.inner_text()
        assert row.evaluate("e => getComputedStyle(e).breakInside") == "avoid"
    finally:
        context.close()


# -- words that follow the language toggle ---------------------------------------------------------


def test_phone_survey_refusals_follow_the_language_toggle(phone, office):
    """ "Wajib diisi." at a question stayed Indonesian after the toggle, the form's own words around it
    English: the phone's word list had no `error.*` to say it again (the kiosk's and the tablet's did)."""
    ticket = issue(office)
    serve(office, ticket)
    page = phone(office, ticket["token"], "?survey=1")
    answer_phone(page, {k: v for k, v in SCORES.items() if k != "U9"})
    page.fill("#survey-age", "5")
    tap(page, "#survey-submit")
    required, age, summary = (
        page.locator('[data-error="answers.U9"]'),
        page.locator('[data-error="profile.age"]'),
        page.locator("#survey-error"),
    )
    expect(required).to_have_text(message("required", "id"))
    for lang in ("en", "id"):
        tap(page, "#lang-toggle")
        expect(page.locator('[data-field="answers.U1"] .q-text')).to_have_text(t("skm.question.u1", lang))
        expect(required).to_have_text(message("required", lang))
        expect(age).to_have_text(message("survey_age", lang))
        expect(summary).to_have_text(message("form_incomplete", lang))
    # said in English, the next refusal follows the toggle back as well
    tap(page, "#lang-toggle")
    tap(page, "#survey-submit")
    expect(summary).to_have_text(message("form_incomplete", "en"))
    tap(page, "#lang-toggle")
    expect(summary).to_have_text(message("form_incomplete", "id"))
    expect(required).to_have_text(message("required", "id"))
    # the toggle tapped while the refusal is on its way: it comes in the language it was asked in (English)
    # and is shown in the page's (Indonesian), at its question and above the button
    tap(page, "#lang-toggle")
    page.evaluate(
        "() => { document.getElementById('survey-submit').click(); document.getElementById('lang-toggle').click(); }"
    )
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("#survey-submit")).to_be_enabled()
    expect(summary).to_have_text(message("form_incomplete", "id"))
    expect(required).to_have_text(message("required", "id"))
    expect(age).to_have_text(message("survey_age", "id"))


def test_kiosk_keyboard_keys_are_named_in_the_language_shown(browser, office):
    """The keys drawn as signs (⇧, ⌫, ⇪ ABC) and the keyboard itself kept their Indonesian names for a
    screen reader after the toggle to English."""
    page = browser.new_page(viewport={"width": 1080, "height": 1920}, has_touch=True)
    try:
        page.goto(f"{office.url}/kiosk/")
        shift, caps = page.locator('#osk [data-key="shift"]'), page.locator('#osk [data-key="capslock"]')
        deletes, keyboard = page.locator('#osk [data-key="backspace"]'), page.locator("#osk")
        expect(deletes).to_have_count(2)  # the letters' and the phone number's pad
        for lang in ("id", "en", "id"):
            if lang != page.evaluate("document.documentElement.lang"):
                tap(page, "#lang-toggle")
            expect(page.locator("html")).to_have_attribute("lang", lang)
            expect(shift).to_have_attribute("aria-label", t("kiosk.key_shift", lang))
            expect(caps).to_have_attribute("aria-label", t("kiosk.key_caps", lang))
            for i in range(2):
                expect(deletes.nth(i)).to_have_attribute("aria-label", t("kiosk.key_delete", lang))
            expect(keyboard).to_have_attribute("aria-label", t("kiosk.keyboard", lang))
    finally:
        page.close()
