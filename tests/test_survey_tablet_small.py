"""The survey's tablet by the exit on the cheap tablets Indonesian offices buy: 1024x600 on its side and
600x1024 upright (7-inch, at device scale 1 and 1.5), and 1280x800 / 800x1280. The whole flow on each,
one page load: the ticket's number and digits on the pads (refused first, with the longest refusal), the
longest question an admin may write with "already answered" over it, the profile, the suggestion with
its keyboard (and the server's error under it), thanks, "Masih di sini?" and the idle reset. Each screen
is measured in both languages, all at once (one page.evaluate): nothing cut off, covered or out of the
screen, no word broken inside a button, no sideways scroll, every button 48 px or more.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import requests
from conftest import write_config
from kioskui import shot, tap
from live import LiveServer
from playwright.sync_api import expect
from test_survey_pages import (
    ADVANCE_MS,
    EACH_CHOSEN,
    PASSWORD,
    SCORES,
    SPLIT_WORDS,
    answer_tablet,
    issue,
    longest_wording,
    next_step,
    pad,
    read,
    serve,
    survey_of,
)

from server.i18n import t

# A real office's long name (LPSE of a regency with a long name): two lines, never over the ticket's label.
OFFICE = "LPSE Pemerintah Kabupaten Kepulauan Siau Tagulandang Biaro"
SIZES = [
    pytest.param({"width": 1024, "height": 600}, 1, id="7-inch-landscape"),
    pytest.param({"width": 600, "height": 1024}, 1.5, id="7-inch-portrait"),
    pytest.param({"width": 1280, "height": 800}, 1, id="landscape"),
    pytest.param({"width": 800, "height": 1280}, 1, id="portrait"),
]

# What a visitor cannot see whole, on the screen shown (or the "Masih di sini?" card): every button inside
# the viewport, not cut by a scrolling area, not covered (its centre and the middles of its edges hit it),
# 48 px or more; every text's lines inside the viewport and not cut by the box it is in (a clamped line
# included); no word of a button broken over two lines; the page not wider than the screen; the header's
# office name, ticket label and language button apart.
PROBLEMS = f"""(roots) => {{
  const vw = innerWidth, vh = innerHeight, out = [];
  const split = {SPLIT_WORDS};
  const name = (el) => (el.id ? '#' + el.id : String(el.className || el.tagName)) + ' "' +
    (el.textContent || el.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' ').slice(0, 40) + '"';
  const cutBy = (el, r) => {{
    for (let a = el; a && a !== document.body; a = a.parentElement) {{
      const s = getComputedStyle(a);
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      const c = a.getBoundingClientRect();
      if (r.top < c.top - 0.5 || r.bottom > c.bottom + 0.5 || r.left < c.left - 0.5 || r.right > c.right + 0.5)
        return a.id || String(a.className) || a.tagName;
    }}
    return null;
  }};
  const inside = (r) => r.top >= -0.5 && r.left >= -0.5 && r.bottom <= vh + 0.5 && r.right <= vw + 0.5;
  const shown = [...document.querySelectorAll(roots)].filter((e) => e.getClientRects().length);
  for (const root of shown) {{
    for (const b of root.querySelectorAll('button')) {{
      if (!b.getClientRects().length) continue;
      const r = b.getBoundingClientRect();
      const inset = Math.min(6, r.width / 4, r.height / 4), cx = r.left + r.width / 2, cy = r.top + r.height / 2;
      const points = [[cx, cy], [cx, r.top + inset], [cx, r.bottom - inset], [r.left + inset, cy], [r.right - inset, cy]];
      const covered = points.some(([x, y]) => {{ const hit = document.elementFromPoint(x, y); return !hit || !b.contains(hit); }});
      const clip = b.parentElement ? cutBy(b.parentElement, r) : null;
      if (!inside(r) || clip || covered) out.push(`button out of sight: ${{name(b)}} (cut by ${{clip}}, covered ${{covered}})`);
      if (r.width < 48 || r.height < 48) out.push(`button under 48 px: ${{name(b)}} ${{Math.round(r.width)}}x${{Math.round(r.height)}}`);
      const words = split(b);
      if (words.split.length || words.out) out.push(`button's words broken or out of it: ${{name(b)}} ${{words.split}}`);
    }}
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {{
      const el = n.parentElement;
      if (!n.data.trim() || !el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      for (const r of range.getClientRects()) {{
        if (r.width === 0) continue;
        const clip = cutBy(el, r);
        if (!inside(r) || clip) {{ out.push(`text cut: ${{name(el)}} (by ${{clip}})`); break; }}
      }}
    }}
  }}
  if (document.documentElement.scrollWidth > vw) out.push(`sideways scroll: ${{document.documentElement.scrollWidth}} > ${{vw}}`);
  const bar = [...document.querySelectorAll('.bar > *')].filter((e) => e.getClientRects().length && e.textContent.trim());
  bar.forEach((a, i) => bar.slice(i + 1).forEach((b) => {{
    const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
    if (p.left < q.right - 0.5 && q.left < p.right - 0.5 && p.top < q.bottom - 0.5 && q.top < p.bottom - 0.5)
      out.push(`header overlaps: ${{name(a)}} and ${{name(b)}}`);
  }}));
  return out;
}}"""
SCREEN = "header, section[data-screen]:not([hidden])"


def problems(page, where: str, roots: str = SCREEN) -> None:
    # each of `roots` is on the screen: else its buttons and texts would go unmeasured, and pass
    shown = page.evaluate(
        "(roots) => roots.split(',').map((r) => [...document.querySelectorAll(r)].filter((e) => e.getClientRects().length).length)",
        roots,
    )
    assert all(shown), f"{where}: nothing shown of {roots!r} ({shown})"
    found = page.evaluate(PROBLEMS, roots)
    assert found == [], f"{where} ({page.viewport_size}, {page.evaluate('document.documentElement.lang')}): {found}"


def both_languages(page, where: str, each_chosen: bool = False) -> None:
    """The screen shown, measured in Indonesian and in English (the toggle), and back to Indonesian; with
    `each_chosen`, each profile choice shown is also measured chosen, ✓ and all (the last of each group
    stays chosen)."""
    for lang in ("id", "en"):
        if lang == "en":
            tap(page, "#lang-toggle")
            expect(page.locator("html")).to_have_attribute("lang", "en")
        problems(page, where)
        if each_chosen:
            seen = page.locator(".pgroup:not([hidden]) .pchoice").evaluate_all(EACH_CHOSEN)
            assert seen and all(b["pressed"] for b in seen), (where, lang, seen)
            assert [b for b in seen if b["split"] or b["out"]] == [], (where, lang, page.viewport_size)
    tap(page, "#lang-toggle")
    expect(page.locator("html")).to_have_attribute("lang", "id")


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    config = write_config(
        tmp_path_factory.mktemp("survey-small"), {'name = "LPSE Kabupaten Contoh"': f'name = "{OFFICE}"'}
    )
    server = LiveServer(config).start()
    server.add_user("petugas", "officer")
    server.add_user("kepala", "admin")
    admin = server.session("kepala", PASSWORD)
    # The longest question and choices an admin may write, for the first question (under "already answered")
    # and the fifth.
    r = admin.put(
        f"{server.url}/api/admin/survey",
        json={"elements": {**longest_wording("U1"), **longest_wording("U5")}},
        timeout=5,
    )
    assert r.status_code == 200, r.text
    yield server
    server.stop()


def answered(server, times: int) -> dict:
    """A served ticket whose survey was answered (once, or with every correction a ticket may have)."""
    ticket = issue(server)
    serve(server, ticket)
    for i in range(times):
        scores = {**SCORES, "U4": 1 + i % 4}
        r = requests.post(f"{server.url}/api/survey", json={"token": ticket["token"], "answers": scores}, timeout=5)
        assert r.status_code in (200, 201), r.text
    return ticket


def type_label(page, label: str, last4: str) -> None:
    prefix, number = label.split("-")
    tap(page, f'[data-prefix="{prefix}"]')
    pad(page, str(int(number)))
    tap(page, "#id-pad-next")
    pad(page, last4)


@pytest.mark.parametrize(("viewport", "scale"), SIZES)
def test_the_whole_survey_fits_a_cheap_tablet_in_both_languages(browser, office, viewport, scale):
    spent = answered(office, 6)  # corrected as often as a ticket may: the longest refusal at the pads
    ticket = answered(office, 1)  # answered once: "already answered" over the longest first question
    assert survey_of(office, spent["token"])["corrections_left"] == 0
    context = browser.new_context(viewport=viewport, device_scale_factor=scale, has_touch=True)
    try:
        page = context.new_page()
        now = datetime.now()
        page.clock.install(time=now)
        page.clock.pause_at(now + timedelta(minutes=1))
        page.goto(f"{office.url}/survey/?idle=30")
        both_languages(page, "start")

        tap(page, "#start")
        type_label(page, spent["label"], "7890")
        both_languages(page, "identify, typed")
        tap(page, "#identify-next")
        error = page.locator("#identify-error")
        expect(error).to_have_text(t("survey.corrections_spent", "id", label=spent["label"]))
        both_languages(page, "identify, the longest refusal")
        for _ in range(4 + len(str(int(spent["label"].split("-")[1]))) + 1):
            tap(page, "#id-pad [data-del]")
        type_label(page, ticket["label"], "7890")
        tap(page, "#identify-next")

        expect(page.locator("#answered-note")).to_be_visible()
        expect(page.locator('[data-field="answers.U1"] .q-text')).to_have_text(
            longest_wording("U1")["U1"]["question"]["id"]
        )
        read(page)
        both_languages(page, "the longest first question, already answered")
        shot(page, f"survey-tablet-{viewport['width']}x{viewport['height']}-longest")
        # "Bukan tiket saya" (beside the label, measured with the header) asks over the screen, in either language.
        for lang in ("id", "en"):
            if lang == "en":
                tap(page, "#lang-toggle")
            tap(page, "#not-mine")
            read(page)
            problems(page, f"Bukan tiket saya? ({lang})", "#restart-confirm")
            tap(page, "#restart-no")
            expect(page.locator("#restart-confirm")).to_be_hidden()
        tap(page, "#lang-toggle")
        for code in ("U1", "U2", "U3", "U4"):
            answer_tablet(page, code, 3)
        expect(page.locator("#progress-text")).to_have_text("Pertanyaan 5 dari 9")
        read(page)
        both_languages(page, "the longest fifth question")
        for code in ("U5", "U6", "U7", "U8"):
            answer_tablet(page, code, 2)
        expect(page.locator("#progress-text")).to_have_text("Pertanyaan 9 dari 9")
        read(page)
        both_languages(page, "a short question after long ones")  # its number and words from the top
        answer_tablet(page, "U9", 4)

        expect(page.locator('[data-field="profile.sex"]')).to_be_visible()
        expect(page.locator("#not-mine")).to_be_visible()
        read(page)
        tap(page, '[data-field="profile.sex"] [data-code="P"]')
        for digit in "45":
            tap(page, f'#age-pad [data-age="{digit}"]')
        both_languages(page, "profile: sex and age", each_chosen=True)
        next_step(page)
        tap(page, '[data-field="profile.education"] [data-code="diploma"]')
        tap(page, '[data-field="profile.occupation"] [data-code="swasta"]')
        both_languages(page, "profile: education and occupation", each_chosen=True)
        next_step(page)

        expect(page.locator("#osk")).to_be_visible()
        expect(page.locator("#not-mine")).to_be_visible()
        both_languages(page, "suggestion, empty")
        page.fill("#survey-suggestion", ("Antrian di loket dua terlalu lama, mohon ditambah petugas. " * 40)[:1999])
        tap(page, '#osk [data-key="space"]')  # the 2000th character, typed: the box follows the caret
        expect(page.locator(".chars")).to_have_text("2000/2000 karakter")
        both_languages(page, "suggestion, the longest")
        page.route("**/api/survey", lambda route: route.abort())
        tap(page, "#submit")
        expect(page.locator("#submit-error")).to_have_text(t("survey.kept_text", "id"))
        both_languages(page, "suggestion, the longest, with the server out of reach")
        shot(page, f"survey-tablet-{viewport['width']}x{viewport['height']}-suggestion")
        page.unroute("**/api/survey")
        tap(page, "#submit")

        expect(page.locator("#screen-thanks")).to_be_visible()
        expect(page.locator("#not-mine")).to_be_hidden()  # Selesai is there
        both_languages(page, "thanks")
        assert survey_of(office, ticket["token"])["response"]["answers"]["U9"] == 4

        # "Masih di sini?" over the pads, in either language, then the start again with nothing kept.
        tap(page, "#screen-thanks [data-action=home]")
        tap(page, "#start")
        warning = page.locator("#idle-warning")
        for lang in ("id", "en"):
            if lang == "en":
                tap(page, "#lang-toggle")
            page.clock.run_for(20_000)
            expect(warning).to_be_visible()
            expect(page.locator("#idle-title")).to_have_text(t("survey.idle_title", lang))
            problems(page, f"Masih di sini? ({lang})", "#idle-warning")
            if lang == "id":
                tap(page, "#idle-title")  # a touch keeps the visitor's screen
                expect(warning).to_be_hidden()
        page.clock.run_for(10_000)
        expect(page.locator("#screen-start")).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "id")
        expect(page.locator("#bar-ticket")).to_have_text("")
        problems(page, "the start again")
    finally:
        context.close()


def test_a_step_scrolled_down_starts_the_next_question_at_its_top(browser, office):
    """The longest question scrolled to its last choice (a finger, or a tablet too small for it): the next
    question was shown scrolled as far, its number and first words above the area's edge."""
    ticket = answered(office, 0)
    context = browser.new_context(viewport={"width": 1024, "height": 600}, has_touch=True)
    try:
        page = context.new_page()
        now = datetime.now()
        page.clock.install(time=now)
        page.clock.pause_at(now + timedelta(minutes=1))
        page.goto(f"{office.url}/survey/?t={ticket['token']}")
        expect(page.locator('[data-field="answers.U1"]')).to_be_visible()
        read(page)
        # The area made smaller than the question (as on a smaller screen still), scrolled down, answered.
        page.evaluate(
            "() => { const s = document.getElementById('step'); s.style.maxHeight = '120px'; s.scrollTop = 400; }"
        )
        assert page.evaluate("document.getElementById('step').scrollTop") > 0
        tap(page, '[data-field="answers.U1"] [data-score="3"]')
        page.clock.run_for(ADVANCE_MS)
        expect(page.locator("#progress-text")).to_have_text("Pertanyaan 2 dari 9")
        assert page.evaluate("document.getElementById('step').scrollTop") == 0
    finally:
        context.close()


def test_the_tablets_shift_and_enter_keys_are_named_in_the_language_shown(browser, office):
    ticket = answered(office, 0)
    context = browser.new_context(viewport={"width": 1024, "height": 600}, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{office.url}/survey/?t={ticket['token']}")
        expect(page.locator('[data-field="answers.U1"]')).to_be_visible()
        shift, enter = page.locator('#osk [data-key="shift"]'), page.locator('#osk [data-key="enter"]')
        expect(shift).to_have_attribute("aria-label", t("survey.key_shift", "id"))
        expect(enter).to_have_attribute("aria-label", t("survey.key_enter", "id"))
        tap(page, "#lang-toggle")
        expect(shift).to_have_attribute("aria-label", t("survey.key_shift", "en"))
        expect(enter).to_have_attribute("aria-label", t("survey.key_enter", "en"))
        expect(page.locator('#osk [data-key="backspace"]')).to_have_attribute(
            "aria-label", t("survey.key_delete", "en")
        )
    finally:
        context.close()
