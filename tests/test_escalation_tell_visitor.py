"""After LKPP's answer is recorded, the visitor is told it by phone (their phone page says so: "Petugas LPSE akan
menyampaikan jawabannya kepada Anda (lewat telepon …)"), and the case's card, which showed the phone, leaves the page
(helper-326). A real server process and real Chromium, as in tests/test_escalations_page.py."""

from __future__ import annotations

from playwright.sync_api import expect
from test_escalations_page import (  # noqa: F401  (no_open_cases, office, officer, smtp: its live server's fixtures)
    card,
    escalate,
    no_open_cases,
    office,
    officer,
    open_page,
    smtp,
)


def test_the_close_notice_says_to_tell_the_visitor_the_answer_by_phone(browser, office, officer):  # noqa: F811
    """helper-326: the notice said only "A-001 (…) ditutup: jawaban LKPP dicatat." and the card with the visitor's
    phone was gone: nothing said what was left to do, nor whom to call at which number."""
    case = escalate(office, officer, "Rina Wati", "CV Maju", "Paket tidak bisa diunggah.", "Perlu dicek LKPP.")
    page = open_page(browser, office, "budi")
    try:
        box = card(page, case)
        box.locator("form.f-close textarea").fill("Sudah diperbaiki LKPP; silakan unggah ulang.")
        box.locator("form.f-close button").click()
        expect(box).to_have_count(0)
        notice = page.locator("#page-notice")
        expect(notice).to_contain_text(f"{case['label']} (")
        expect(notice).to_contain_text("Sampaikan jawabannya kepada pengunjung, Rina Wati, lewat telepon 081234567890.")
    finally:
        page.context.close()
