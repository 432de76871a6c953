"""The pages in English as a person who reads English sees them (and in Indonesian, where the same fault was):
the kiosk's ticket screen on a landscape touchscreen, and the staff pages' browser tab and navigation bar.

Found reviewing every page in English, live, at its real sizes (helper-238): on a 1366×768 or 1024×768 kiosk
the hint beside the QR code broke the visitor's number after its hyphen ("… number A-" / "014, from the
printer …"), in either language; and the staff pages built on base.html kept their Indonesian name in the
browser's tab ("Pengaduan · LPSE …", "Eskalasi", "Loket", "Ganti kata sandi") and their navigation bar's label
for screen readers ("Halaman staf") in English, switched or opened so; the complaints' and escalations' cards
kept their text's label for screen readers ("Saran/pengaduan", "Teks untuk TTS / e-mail ke Helpdesk LKPP") in
the language the page was opened in.
"""

from __future__ import annotations

import pytest
import requests
from kioskui import LONGEST, SMALL, SQUARE, fill_fast, kiosk_pages
from playwright.sync_api import expect
from staffpages import PASSWORD, issue, sign_in, staffed

from server.i18n import t

# How many lines the first `label` of #ticket-hint's text is drawn on (null: not in it), whatever elements
# the text is made of.
LABEL_LINES_JS = """(label) => {
  const hint = document.getElementById('ticket-hint');
  const walker = document.createTreeWalker(hint, NodeFilter.SHOW_TEXT);
  const chars = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) for (let i = 0; i < n.length; i++) chars.push([n, i]);
  const at = chars.map(([n, i]) => n.data[i]).join('').indexOf(label);
  if (at < 0) return null;
  const tops = new Set();
  for (let k = at; k < at + label.length; k++) {
    const r = document.createRange();
    r.setStart(chars[k][0], chars[k][1]);
    r.setEnd(chars[k][0], chars[k][1] + 1);
    for (const rect of r.getClientRects()) if (rect.width > 0) tops.add(Math.round(rect.top));
  }
  return tops.size;
}"""

HINT = {"id": "Ambil tiket kertas Anda, nomor {label}, dari printer.", "en": "Take your paper ticket, number {label},"}


@pytest.fixture
def kiosk(browser, live):
    with kiosk_pages(browser, live) as open_kiosk:
        yield open_kiosk


@pytest.mark.parametrize("lang", ["en", "id"])
@pytest.mark.parametrize("name, viewport", [("small", SMALL), ("4x3", SQUARE)])
def test_the_kiosk_ticket_hint_never_breaks_the_number_after_its_hyphen(kiosk, name, viewport, lang):
    """Landscape, the hint beside the QR code is narrow: "number A-014," fell at its line's end and the browser
    broke it after the hyphen, the rest of the number on the next line (in Indonesian too: "nomor A-" / "013")."""
    page = kiosk(viewport)
    if lang == "en":
        page.click("#lang-toggle")
        expect(page.locator("#start")).to_contain_text("Touch the screen")
    page.click("#start")
    page.click('[data-service="A"]')
    fill_fast(page, LONGEST)
    page.click('[data-category="konsultasi"]')
    page.click("#to-review")
    page.click("#submit")
    expect(page.locator("#screen-ticket")).to_be_visible()
    label = page.locator("#ticket-label").text_content()
    # the dummy printer printed it: the hint names the number
    expect(page.locator("#ticket-hint")).to_contain_text(HINT[lang].format(label=label))
    assert page.evaluate(LABEL_LINES_JS, label) == 1, f"{name} ({lang}): {label} broken across lines in the hint"
    if lang == "en":  # and after a switch back, in the other language's words
        page.click("#lang-toggle")
        expect(page.locator("#ticket-hint")).to_contain_text(HINT["id"].format(label=label))
        assert page.evaluate(LABEL_LINES_JS, label) == 1, f"{name}: {label} broken in the hint, back in Indonesian"


@pytest.fixture(scope="module")
def office(live):
    return staffed(live)


# The staff pages built on base.html: who opens them, and their name in the browser's tab in each language.
TABS = [
    ("/counter/", "budi", "Loket", "Counter"),
    ("/counter/front", "rina", "Front Office", "Front office"),
    ("/counter/escalations", "budi", "Eskalasi", "Escalations"),
    ("/counter/complaints", "rina", "Pengaduan", "Complaints"),
    ("/counter/password", "budi", "Ganti kata sandi", "Change password"),
    ("/counter/admin", "kepala", "Admin", "Admin"),
]
NAV_LABEL = {"id": "Halaman staf", "en": "Staff pages"}
OFFICE = "LPSE Kabupaten Contoh"


@pytest.mark.parametrize("path, username, indonesian, english", TABS)
def test_a_staff_pages_tab_and_navigation_bar_are_named_in_the_language_shown(
    browser, office, path, username, indonesian, english
):
    """The tab (the page's name, then the office's) and the bar's label follow the language switch, live and
    after a reload, as the page's own words do."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    try:
        sign_in(page, office, path, username, check_name=False)
        expect(page.locator("#lang-toggle")).to_have_text("English")
        expect(page).to_have_title(f"{indonesian} · {OFFICE}")
        nav = page.locator("header nav.staff-nav")
        expect(nav).to_have_attribute("aria-label", NAV_LABEL["id"])

        page.click("#lang-toggle")
        expect(page.locator("#lang-toggle")).to_have_text("Bahasa Indonesia")
        expect(page).to_have_title(f"{english} · {OFFICE}")
        expect(nav).to_have_attribute("aria-label", NAV_LABEL["en"])

        page.reload()  # the choice is kept: opened in English
        expect(page.locator("#lang-toggle")).to_have_text("Bahasa Indonesia")
        expect(page).to_have_title(f"{english} · {OFFICE}")
        expect(nav).to_have_attribute("aria-label", NAV_LABEL["en"])

        page.click("#lang-toggle")
        expect(page).to_have_title(f"{indonesian} · {OFFICE}")
        expect(nav).to_have_attribute("aria-label", NAV_LABEL["id"])
    finally:
        page.close()


def test_a_page_on_base_html_with_no_english_title_is_drawn_named_in_indonesian(app):
    """A staff page built on base.html whose template gives its title in Indonesian alone (no `title_en` block,
    as a new page's may not) is drawn, its tab named so in either language: base.html read the block `title_en`
    of every page, and a page without one was a 500 (jinja2 UndefinedError) for everyone who opened it."""
    from flask import render_template_string

    with app.test_request_context("/counter/"):
        page = '{% extends "counter/base.html" %}{% block title %}Laporan{% endblock %}'
        html = render_template_string(page, page={"language": "id"})  # as the password page's view gives it
    assert f"<title>Laporan · {OFFICE}</title>" in html
    assert """<meta name="antrian-title" data-i18n-pair='["Laporan", "Laporan"]'>""" in html


def serve_at_counter_1(office, session, label: str, last: str, body: dict | None = None) -> None:
    """`label` called out of turn at counter 1 by `session`'s officer, served, then `last` (resolve, escalate)."""
    steps = (("call", {"ticket": label}), ("start", {}), (last, body or {}))
    for action, data in steps:
        r = session.post(f"{office.url}/api/counters/1/{action}", json=data, timeout=5)
        assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    "path, username, selector, key",
    [
        ("/counter/complaints", "rina", "li.complaint p.text", "complaints.item.text"),
        ("/counter/escalations", "budi", "textarea.copy-text", "escalations.copy.label"),
    ],
)
def test_a_cards_label_for_screen_readers_follows_the_language_switch(browser, office, path, username, selector, key):
    """A complaint's text and an escalation's text to copy are labelled for screen readers; the label was set
    when the card was drawn and stayed Indonesian once the page was switched to English (and the other way)."""
    budi = office.session("budi", PASSWORD)
    if path.endswith("complaints"):
        ticket = issue(office, "Rudi Hartono")
        serve_at_counter_1(office, budi, ticket["label"], "resolve", {"solution": "Kata sandi direset."})
        answers = {"token": ticket["token"], "answers": {f"U{i}": 3 for i in range(1, 10)}, "suggestion": "Antre lama."}
        r = requests.post(office.url + "/api/survey", json=answers, timeout=5)
        assert r.status_code == 201, r.text
    else:
        ticket = issue(office, "Dewi Lestari")
        serve_at_counter_1(office, budi, ticket["label"], "escalate", {"note": "Perlu dicek LKPP."})
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    try:
        sign_in(page, office, path, username, check_name=False)
        card = page.locator(selector).first
        expect(card).to_have_attribute("aria-label", t(key, "id"))
        page.click("#lang-toggle")
        expect(page.locator("#lang-toggle")).to_have_text("Bahasa Indonesia")
        expect(card).to_have_attribute("aria-label", t(key, "en"))
        page.click("#lang-toggle")
        expect(card).to_have_attribute("aria-label", t(key, "id"))
    finally:
        page.close()


# Each phone number of the guest book's column (its 9th): its text, the lines it is drawn on, whether it fits.
PHONE_CELLS_JS = """() => [...document.querySelectorAll('table.guestbook tbody td:nth-child(9)')].map((td) => {
  const r = document.createRange();
  r.selectNodeContents(td);
  return [td.textContent, new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size,
          td.scrollWidth <= td.clientWidth];
})"""


def test_the_guest_books_longest_phone_number_stays_on_one_line(browser, office):
    """A mobile number of 13 digits (the most one may have, server/forms.py) was one digit too wide for the guest
    book's Telepon column: "081234567890" over "1", on the screen and on the printed A4 (the page in English; the
    book itself is Indonesian in either)."""
    r = requests.post(
        office.url + "/api/tickets",
        timeout=5,
        json={
            "service": "C",
            "name": "Wulan Sari",
            "agency": "CV Maju Bersama",
            "address": "Jl. Sudirman No. 12",
            "phone": "0812-3456-78901",
            "problem": "Verifikasi akun penyedia.",
        },
    )
    assert r.status_code == 201, r.text
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    try:
        sign_in(page, office, "/counter/guestbook?lang=en", "rina", check_name=False)
        expect(page.locator("table.guestbook")).to_contain_text("0812345678901")
        for media in ("screen", "print"):
            page.emulate_media(media=media)
            cells = page.evaluate(PHONE_CELLS_JS)
            assert ["0812345678901", 1, True] in cells, (media, cells)
            assert all(lines == 1 and fits for _, lines, fits in cells), (media, cells)
    finally:
        page.close()


# Each placeholder shown: its field, its text, and how many pixels of it the field does not show (0: whole), as the
# field draws it. The check measured the text's width against the field's width less its paddings, and passed while a
# 1024 px screenshot showed the front office's search field say "Cari nomor, nama, telepo…": a search field's room
# for its text is narrower than that by its clear button (✕, drawn once something is typed, its room kept while
# empty). Now the field's own editing box says: its text set, for a moment, to the placeholder's words in the
# placeholder's font, scrolled to its end (sideways, or down in a text area that wraps them), and put back.
PLACEHOLDERS_JS = """() => [...document.querySelectorAll('input[placeholder]:placeholder-shown, textarea[placeholder]:placeholder-shown')]
  .filter((e) => e.getClientRects().length && e.placeholder)
  .map((e) => {
    const ph = getComputedStyle(e, '::placeholder'), style = e.style.cssText, value = e.value;
    for (const k of ['fontStyle', 'fontWeight', 'fontSize', 'fontFamily', 'letterSpacing', 'wordSpacing']) e.style[k] = ph[k];
    e.value = e.placeholder;
    e.scrollLeft = 1e6; e.scrollTop = 1e6;
    const hidden = Math.max(e.scrollLeft, e.scrollTop, e.scrollWidth - e.clientWidth, e.scrollHeight - e.clientHeight);
    e.value = value; e.style.cssText = style; e.scrollLeft = 0; e.scrollTop = 0;
    return [e.id || e.dataset.key, e.placeholder, Math.round(hidden)];
  })"""  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "id"])
@pytest.mark.parametrize("width", [1366, 1024])
def test_no_placeholder_of_the_admin_and_front_office_pages_is_cut(browser, office, width, lang):
    """The front office's search field said "Search a number or a nam" (its Indonesian "Cari nomor atau nama"
    fits), and a new service row's empty number prefix "= cod" ("= kod": what an empty prefix means)."""
    for path, username in (("/counter/front", "rina"), ("/counter/admin", "kepala")):
        page = browser.new_page(viewport={"width": width, "height": 768})
        try:
            sign_in(page, office, path, username, check_name=False)
            if lang == "en":
                page.click("#lang-toggle")
            expect(page.locator("#lang-toggle")).to_have_text("Bahasa Indonesia" if lang == "en" else "English")
            if path.endswith("admin"):
                page.click("#sec-services button.add")  # an empty row: its placeholders shown
                field = "services[3].prefix"
                expect(page.locator(f'#sec-services [data-key="{field}"]')).to_be_visible()
            else:
                field = "ticket-search"
                expect(page.locator(f"#{field}")).to_be_visible()
            page.evaluate("document.fonts.ready")
            shown = page.evaluate(PLACEHOLDERS_JS)  # [field, placeholder, the pixels of it not shown]
            assert field in [name for name, *_ in shown], (path, shown)  # the one this test is about, measured
            assert [p for p in shown if p[2] > 0] == [], (path, width, lang)
        finally:
            page.close()
