"""The Eskalasi page as the officer following up LKPP cases uses it (helper-333): long texts show what they hold (the
answer's box grows, then scrolls with a cue), every case says its next step (an overdue case with its LKPP number:
follow up citing it, phone the visitor), and the cases closed lately keep the visitor's phone, for staff only.

A real server process with escalation e-mail on and real Chromium, as in tests/test_escalations_page.py (its
fixtures). Set ANTRIAN_SCREENSHOTS=1 to keep the screenshots in docs/screenshots/."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from datetime import timedelta

import pytest
import requests
import socketio
from conftest import ROOT
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import SELECTED, select_text
from test_escalations_page import (  # noqa: F401  (no_open_cases, office, officer, smtp: its live server's fixtures)
    backdate,
    card,
    escalate,
    no_open_cases,
    office,
    officer,
    open_page,
    smtp,
)

SIZES = {"1024x768": {"width": 1024, "height": 768}, "1920x1080": {"width": 1920, "height": 1080}}
LONG_NOTE = "\n".join(
    f"{i}. Langkah analisis ke-{i}: dicoba di peramban lain, cache dibersihkan, galat tetap muncul."
    for i in range(1, 19)
)
LONG_ANSWER = "\n".join(
    f"Baris jawaban LKPP ke-{i}: data paket disinkronkan ulang dari server pusat." for i in range(1, 61)
)
SHORT_ANSWER = "\n".join(f"Baris {i} jawaban." for i in range(1, 7))  # 6 lines: more than the box's 3

# A box's sizes as drawn: what it holds, what shows, where it is scrolled to, the line height
BOX = """(b) => !b.isConnected ? null : ({ scroll: b.scrollHeight, client: b.clientHeight, top: b.scrollTop,
  line: parseFloat(getComputedStyle(b).lineHeight) || parseFloat(getComputedStyle(b).fontSize) * 1.2,
  height: b.getBoundingClientRect().height, more: b.dataset.more || null })"""


def measure(loc) -> dict:
    """BOX of `loc`, measured again when a live redraw of its card (renderInfo) replaced the box between Playwright
    finding it and measuring it: a box taken out of the page measured 0 with no line height (a loaded CI run)."""
    for _ in range(50):
        box = loc.evaluate(BOX)
        if box is not None:
            return box
    raise AssertionError(f"{loc} was replaced 50 times in a row")


def shot(page, name: str) -> None:
    """A screenshot, looked at while writing this: into docs/screenshots/ with ANTRIAN_SCREENSHOTS=1, else kept only
    when asked (shots.keep_shot)."""
    if os.environ.get("ANTRIAN_SCREENSHOTS"):
        page.screenshot(path=str(ROOT / "docs" / "screenshots" / name), full_page=False)
    else:
        keep_shot(page, name, full_page=False)


def page_at(browser, live, username: str, size: dict):
    """The page signed in, at `size` (open_page's context is 1366x768), drawn again at that size."""
    page = open_page(browser, live, username)
    page.set_viewport_size(size)
    page.reload()
    return page


def set_phone(live, case: dict, phone: str) -> None:
    with sqlite3.connect(live.db, timeout=10) as db:
        db.execute("UPDATE forms SET phone = ? WHERE ticket_id = ?", [phone, case["id"]])
    db.close()


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_long_texts_grow_to_what_they_hold_then_scroll_with_a_cue(browser, office, officer, size):  # noqa: F811
    """The analysis showed 3 lines of 18 with nothing to say there were more; the answer's box stayed 2-3 lines
    whatever was pasted in it, the rest hidden."""
    case = escalate(office, officer, "Dewi Lestari", "Dinas Kominfo", "Paket tidak tampil.", LONG_NOTE)
    page = page_at(browser, office, "budi", SIZES[size])
    try:
        c = card(page, case)
        note, problem = c.locator("dd.note"), c.locator("dd.problem")
        expect(note).to_have_attribute("data-more", "true")
        box = measure(note)
        assert box["client"] >= 6 * box["line"], box  # grown past 3 lines: ~7 of them show
        assert box["client"] < box["scroll"], box  # then it scrolls
        assert box["height"] <= SIZES[size]["height"] / 3, box  # not the whole card's height
        cue = note.locator("xpath=following-sibling::dd[1]")
        expect(cue).to_be_visible()
        expect(cue).to_contain_text("Teks berlanjut")
        # a short text: all of it, and no cue
        expect(problem).to_have_attribute("data-more", "false")
        expect(problem.locator("xpath=following-sibling::dd[1]")).to_be_hidden()
        shot(page, f"escalations-long-note-{size}.png")
        # read to its end: the cue goes. Scrolled from the card, which stays over a live redraw (renderInfo), when the
        # scroll is done: the box itself, found by Playwright just before a redraw replaced it, was scrolled out of the
        # page (a loaded CI run), and the new box stayed at its top, its cue still shown
        c.evaluate("card => { const b = card.querySelector('dd.note'); b.scrollTop = b.scrollHeight; }")
        expect(note).to_have_attribute("data-more", "false")
        expect(cue).to_be_hidden()

        answer = c.locator("textarea[name=answer]")
        answer_cue = c.locator("form.f-close .more-cue")
        three = measure(answer)
        answer.fill(SHORT_ANSWER)
        box = measure(answer)
        assert box["scroll"] <= box["client"] + 1, box  # the 6 lines all show: the box grew to them
        assert box["height"] > three["height"] + 2 * box["line"], (three, box)
        expect(answer).to_have_attribute("data-more", "false")
        expect(answer_cue).to_be_hidden()
        answer.fill(LONG_ANSWER)  # a long answer pasted: the box grows to its cap, scrolls, and says there is more
        box = measure(answer)
        assert 10 * box["line"] < box["height"] <= SIZES[size]["height"] * 0.45 + 1, box
        assert box["scroll"] > box["client"], box
        expect(answer).to_have_attribute("data-more", "true")
        expect(answer_cue).to_be_visible()
        expect(answer_cue).to_have_text(
            "▲▼ Jawaban lebih panjang dari kotaknya — gulir di dalam kotak untuk membaca semuanya."
        )
        answer.evaluate("b => b.scrollIntoView({ block: 'center' })")
        shot(page, f"escalations-long-answer-{size}.png")
        answer.fill("Sudah beres.")  # emptied back to a line: the box shrinks again
        assert measure(answer)["height"] <= three["height"] + 1
        expect(answer_cue).to_be_hidden()
    finally:
        page.context.close()


def test_each_case_says_its_next_step_and_an_overdue_one_with_its_number_says_follow_up_and_phone(
    browser,
    office,  # noqa: F811
    officer,  # noqa: F811
):
    """An overdue case with its LKPP ticket number showed the number and "LEWAT TARGET", and nothing of what to do."""
    waiting = escalate(office, officer, "Agus", "CV Satu", "Tidak bisa login.", "Cek akun.", priority_class="P2")
    numbered = escalate(office, officer, "Budi", "CV Dua", "Dokumen hilang.", "Cek berkas.", priority_class="P2")
    late = escalate(office, officer, "Citra", "CV Tiga", "Jadwal kosong.", "Cek jadwal.", priority_class="P1")
    late_bare = escalate(office, officer, "Dodi", "CV Empat", "Paket ganda.", "Cek paket.", priority_class="P1")
    for case, number in ((numbered, "TTS-2026-0101"), (late, "TTS-2026-0102")):
        r = officer.post(f"{office.url}/api/tickets/{case['id']}/lkpp-ticket", json={"lkpp_ticket": number}, timeout=5)
        assert r.status_code == 200, r.text
    # a case past its target whose mail never went (the mail server down since Monday, then refused):
    # "Tunggu e-mail eskalasi terkirim" in red for days, or "Teruskan …" naming no visitor to tell
    unsent = escalate(office, officer, "Eka", "CV Lima", "Akun terkunci.", "Cek akun.", priority_class="P1")
    set_phone(office, late, "0813-2222-7788")
    set_phone(office, late_bare, "")
    set_phone(office, unsent, "0274-555123")
    for case in (late, late_bare, unsent):
        backdate(office, case["id"], timedelta(hours=2))  # P1: a 1-hour target
    with sqlite3.connect(office.db, timeout=10) as db:  # given up: the worker leaves a failed mail alone
        db.execute(
            "UPDATE mails SET status = 'failed', sent_at = NULL, error = 'connection refused' WHERE ticket_id = ?",
            [unsent["id"]],
        )
    db.close()
    page = page_at(browser, office, "budi", SIZES["1024x768"])
    try:
        nxt = {
            k: card(page, c).locator("dd.next")
            for k, c in (("w", waiting), ("n", numbered), ("l", late), ("b", late_bare))
        }
        expect(nxt["w"]).to_have_attribute("data-step", "wait_number")
        expect(nxt["w"]).to_have_text("Tunggu nomor tiket dari LKPP (balasan e-mail atau TTS), lalu simpan di sini.")
        expect(nxt["n"]).to_have_attribute("data-step", "wait_answer")
        expect(nxt["n"]).to_contain_text("Tunggu jawaban LKPP atas tiket TTS-2026-0101")
        expect(nxt["l"]).to_have_attribute("data-step", "follow_up")
        expect(nxt["l"]).to_have_attribute("data-urgent", "true")
        expect(nxt["l"]).to_have_text(
            "Lewat target: tindak lanjuti ke Helpdesk LKPP dengan menyebut tiket TTS-2026-0102, dan telepon"
            " pengunjung di 0813-2222-7788 bahwa kasusnya masih diproses."
        )
        expect(nxt["b"]).to_have_attribute("data-step", "chase_number")
        expect(nxt["b"]).to_contain_text("kabari pengunjung (nomor teleponnya tidak tercatat)")
        expect(nxt["n"]).to_have_attribute("data-urgent", "false")
        late_unsent = card(page, unsent).locator("dd.next")
        expect(late_unsent).to_have_attribute("data-step", "forward_late")
        expect(late_unsent).to_have_attribute("data-urgent", "true")
        expect(late_unsent).to_have_text(
            "Lewat target dan kasus ini belum sampai ke LKPP: teruskan sekarang lewat TTS / e-mail (“Salin untuk"
            " TTS/e-mail”), simpan nomor tiketnya di sini, dan telepon pengunjung di 0274-555123 bahwa kasusnya masih"
            " diproses."
        )
        card(page, late).scroll_into_view_if_needed()
        shot(page, "escalations-next-step-1024x768.png")
        # the states the page's mail line has, as the page's own function says them
        said = page.evaluate(
            """async () => { const m = await import('/counter/static/escalations.js');
              const c = await import('/counter/static/common.js');  // the page's own catalogue (one module)
              const x = { lkpp_ticket: '', form: { phone: '0812' } };
              return ['off', 'failed', 'queued', 'retrying', 'corrected', 'sent'].map((k) => m.nextStep(x, k, false, false)[0])
                .concat([m.nextStep({ ...x, lkpp_ticket: 'T-1' }, 'forwarded', true, false)[0],
                         m.nextStep(x, 'sent', true, true)[0]])
                .concat(['off', 'failed', 'queued', 'retrying', 'corrected', 'sent'].map((k) => {
                  const [step, key, p] = m.nextStep(x, k, true, false); return step + ': ' + c.t(key, p); })); }"""
        )
        told = "telepon pengunjung di 0812 bahwa kasusnya masih diproses."
        assert said[:8] == [
            "forward",
            "forward",
            "wait_mail",
            "wait_mail",
            "correction",
            "wait_number",
            "follow_up",
            "closed",
        ]
        # past its target, whatever the mail's state: what to do now, and the visitor to tell
        assert [s.split(": ")[0] for s in said[8:]] == ["forward_late"] * 4 + ["correction_late", "chase_number"]
        assert all(s.endswith(told) for s in said[8:]), said[8:]
        page.click("#lang-toggle")
        expect(nxt["l"]).to_have_text(
            "Past its target: follow up with the LKPP helpdesk citing ticket TTS-2026-0102, and phone the visitor at"
            " 0813-2222-7788 that the case is still in hand."
        )
        page.click("#lang-toggle")
    finally:
        page.context.close()


@pytest.mark.parametrize("who", ["budi", "rina"])
def test_a_closed_row_keeps_the_visitors_phone_after_a_reload(browser, office, officer, who):  # noqa: F811
    """The close's notice says to phone the visitor; after a reload the closed row had no phone to call."""
    case = escalate(office, officer, "Eko Prasetyo", "Dinas PU", "Tender gagal.", "Cek LKPP.")
    set_phone(office, case, "0812-3456-0001")
    r = officer.post(
        f"{office.url}/api/tickets/{case['id']}/close",
        json={"answer": "Sudah diperbaiki LKPP.", "lkpp_ticket": "TTS-2026-0200"},
        timeout=5,
    )
    assert r.status_code == 200, r.text
    page = page_at(browser, office, who, SIZES["1024x768"])
    try:
        page.locator("#recent summary").click()
        row = page.locator(f"#recent-list li.closed-case[data-id='{case['id']}']")
        expect(row.locator(".phone")).to_have_text("Telepon: 0812-3456-0001")
        expect(row.locator(".phone a")).to_have_attribute("href", "tel:081234560001")
        # in the page's own script, once: a live event's refresh may draw the closed rows anew meanwhile (a mail's
        # state), and Playwright's scroll of a row drawn anew failed "not attached to the DOM" (a CI failure)
        row.evaluate("(e) => e.scrollIntoView({ block: 'nearest' })")
        shot(page, f"escalations-closed-phone-{who}.png")
    finally:
        page.context.close()


def test_no_anonymous_display_or_ticket_client_gets_a_closed_cases_phone(office, officer):  # noqa: F811
    """The closed rows' phone is served on the staff's list only: not to a client without a login (GET
    /api/escalations), nor to a TV's or the visitor's phone page's Socket.IO connection, before or at the close."""
    phone = "0857-9911-4433"
    case = escalate(office, officer, "Fajar", "CV Lima", "Akun terkunci.", "Cek LKPP.")
    set_phone(office, case, phone)
    token = sqlite3.connect(office.db).execute("SELECT token FROM tickets WHERE id = ?", [case["id"]]).fetchone()[0]
    heard: dict[str, list] = {"display": [], "ticket": []}
    closed = threading.Event()
    clients = []

    def heard_event(role: str, ev: dict) -> None:
        heard[role].append(("event", ev))
        if role == "ticket" and ev.get("type") == "closed":
            closed.set()

    for role, auth in (("display", {"role": "display"}), ("ticket", {"role": "ticket", "token": token})):
        sio = socketio.Client(reconnection=False)
        for name in ("snapshot", "events", "ticket"):
            sio.on(name, lambda data, role=role, name=name: heard[role].append((name, data)))
        sio.on("event", lambda ev, role=role: heard_event(role, ev))
        sio.connect(office.url, auth=auth, transports=["websocket"], wait_timeout=10)
        clients.append(sio)
    try:
        r = officer.post(f"{office.url}/api/tickets/{case['id']}/close", json={"answer": "Dibuka LKPP."}, timeout=5)
        assert r.status_code == 200, r.text
        staff = officer.get(f"{office.url}/api/escalations", timeout=5).json()["closed"]
        assert next(c for c in staff if c["id"] == case["id"])["form"]["phone"] == phone  # the staff's list has it
        assert closed.wait(10), heard["ticket"]  # the visitor's page heard of the close
        for sio in clients:
            sio.emit("snapshot")  # asked again after the close

        # both snapshots (the connect's, the one asked for) reach each client on its own thread: waited for before
        # what they hold is looked at, else the one after the close went unread
        def snapshots(role: str) -> list[str]:
            return [name for name, _ in heard[role] if name == "snapshot"]

        deadline = time.monotonic() + 15
        while not all(len(snapshots(role)) >= 2 for role in heard) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert all(len(snapshots(role)) >= 2 for role in heard), {role: snapshots(role) for role in heard}
        anonymous = requests.get(f"{office.url}/api/escalations", timeout=5)
        assert anonymous.status_code == 401, anonymous.text
        assert phone not in anonymous.text and "9911" not in anonymous.text
        state = requests.get(f"{office.url}/api/state", timeout=5)
        assert state.status_code == 200 and "9911" not in state.text
        for role, got in heard.items():
            assert got, role
            said = json.dumps(got, ensure_ascii=False)
            assert phone not in said and "9911" not in said, (role, said[:2000])
    finally:
        for sio in clients:
            sio.disconnect()


def test_a_phone_number_selected_or_a_buka_lagi_focused_stays_over_a_live_refresh_of_other_cases(
    browser,
    office,  # noqa: F811
    officer,  # noqa: F811
):
    """The closed rows ("Baru ditutup") and the open cases' facts were drawn anew at every live event: a visitor's phone
    number being selected to copy lost its selection, and a focused Buka lagi its focus, when a colleague saved another
    case's LKPP number or closed another case."""
    closed = escalate(office, officer, "Gita", "CV Enam", "Paket hilang.", "Cek LKPP.")
    set_phone(office, closed, "0812-5550-1234")
    r = officer.post(f"{office.url}/api/tickets/{closed['id']}/close", json={"answer": "Beres."}, timeout=5)
    assert r.status_code == 200, r.text
    kept = escalate(office, officer, "Hadi", "CV Tujuh", "Akun ganda.", "Cek akun.")
    set_phone(office, kept, "0813-4440-9876")
    other = escalate(office, officer, "Indra", "CV Delapan", "Jadwal salah.", "Cek jadwal.")
    later = escalate(office, officer, "Joko", "CV Sembilan", "Dokumen rusak.", "Cek dokumen.")
    page = page_at(browser, office, "budi", SIZES["1024x768"])
    try:
        page.locator("#recent summary").click()
        row = page.locator(f"#recent-list li.closed-case[data-id='{closed['id']}']")
        expect(row.locator(".phone a")).to_have_text("0812-5550-1234")
        expect(card(page, kept).locator("dd.phone a")).to_have_text("0813-4440-9876")
        expect(page.locator("#case-count")).to_have_text("3")

        saved = [""]

        def number_saved(number: str) -> None:  # a colleague's save on another case: a live event, a refresh
            said = {"lkpp_ticket": number, "lkpp_ticket_base": saved[-1]}
            r = officer.post(f"{office.url}/api/tickets/{other['id']}/lkpp-ticket", json=said, timeout=5)
            assert r.status_code == 200, r.text
            saved.append(number)
            expect(card(page, other).locator(".top .lkpp")).to_contain_text(number)  # the refresh, drawn

        # the closed row's phone, selected: another case's number saved, then another case closed (a row on top)
        select_text(row.locator(".phone a"))
        row.evaluate("(e) => { window.row = e; }")
        number_saved("TTS-2026-0301")
        assert page.evaluate(SELECTED) == {"text": "0812-5550-1234", "inKept": True}
        r = officer.post(f"{office.url}/api/tickets/{later['id']}/close", json={"answer": "Selesai."}, timeout=5)
        assert r.status_code == 200, r.text
        expect(page.locator("#recent-list li.closed-case").first).to_have_attribute("data-id", str(later["id"]))
        expect(page.locator("#case-count")).to_have_text("2")
        assert page.evaluate(SELECTED) == {"text": "0812-5550-1234", "inKept": True}
        assert row.evaluate("(e) => e === window.row"), "the closed row was drawn anew"
        # an open case's phone, selected
        select_text(card(page, kept).locator("dd.phone a"))
        number_saved("TTS-2026-0302")
        assert page.evaluate(SELECTED) == {"text": "0813-4440-9876", "inKept": True}
        # Buka lagi, focused (tabbed to, about to be pressed)
        row.locator("button.reopen").focus()
        page.evaluate("() => { window.kept = document.activeElement; }")
        number_saved("TTS-2026-0303")
        assert page.evaluate("() => document.activeElement === window.kept && window.kept.isConnected")
        expect(row.locator("button.reopen")).to_be_focused()
    finally:
        page.context.close()
