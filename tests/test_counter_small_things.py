"""Small things at the counter page a reviewer found, on a real server in real Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import empty_queue, issue, open_counter, resize, staffed

SIZES = ({"width": 1366, "height": 768}, {"width": 1024, "height": 768})


@pytest.fixture(scope="module")
def office(live):
    return staffed(live)


@pytest.fixture(autouse=True)
def clean(office):
    empty_queue(office)


def test_after_a_transfer_with_nobody_waiting_the_idle_page_does_not_scroll(browser, office):
    """After Alihkan with no next visitor, the kept-draft box stood whole under the idle counter and the page
    scrolled 32 px at 1366x768 until the next call. Now the box is its one line while the counter is idle as
    beside another visitor (Lihat draf opens it, Salin teks and Tutup draf stay), and the page does not scroll."""
    rudi = issue(office, "Rudi Hartono")
    page = open_counter(browser, office, viewport=SIZES[0])
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(rudi["label"])
    expect(page.locator("#btn-start")).to_be_enabled()
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    draft = "Akun roaming belum aktif; perlu dicek verifikator. " * 3
    page.fill("#solution", draft)
    page.fill("#note", "Analisis: data NPWP di SIKaP berbeda dengan AHU Online.")
    page.select_option("#transfer-service", "B")  # counter 1 serves A and C: nobody is next
    page.click("#btn-transfer")
    expect(page.locator("#notice")).to_contain_text(f"{rudi['label']} dialihkan")
    box, short = page.locator("#kept-draft"), page.locator("#kept-short")
    expect(box).to_be_visible()
    expect(page.locator("#t-label")).to_have_text("—")
    expect(short).to_have_text(f"Draf Anda untuk {rudi['label']} disimpan")
    page.evaluate("document.fonts.ready")
    for size in SIZES:
        resize(page, size)
        scrolls = page.evaluate("document.scrollingElement.scrollHeight - innerHeight")
        keep_shot(page, f"kept-idle-{size['width']}x768.png")
        assert scrolls <= 0, (size, scrolls)
        assert box.bounding_box()["height"] < 40, size  # one line
    expect(short).to_be_visible()
    # what it keeps is kept: opened on demand, copied, dismissed
    page.click("#kept-open")
    expect(page.locator("#kept-solution")).to_be_visible()
    expect(page.locator("#kept-solution")).to_have_value(draft)
    expect(page.locator("#kept-open")).to_have_attribute("aria-expanded", "true")
    keep_shot(page, "kept-idle-opened-1024x768.png")
    page.click("#kept-open")
    expect(page.locator("#kept-solution")).to_be_hidden()
    page.reload()  # one line still after a reload
    expect(short).to_be_visible()
    expect(box).to_have_class(re.compile(r"\bcollapsed\b"))
    page.click("#kept-dismiss")
    expect(box).to_be_hidden()
    page.context.close()


def test_the_answer_typed_before_eskalasi_is_kept_not_dropped(browser, office):
    """Eskalasi records the analysis alone: the answer the officer had typed before turning to it (what was tried)
    went nowhere, said nowhere, and the kept-draft box stayed empty. Now it is kept as a transfer's draft is, saying
    it was not recorded, and the same for an analysis begun before Selesai; a finish with nothing left over keeps
    nothing."""
    ani, budi, cici = issue(office, "Ani Suryani"), issue(office, "Budi Santoso"), issue(office, "Cici Paramida")
    page = open_counter(browser, office, viewport=SIZES[0])
    box, short = page.locator("#kept-draft"), page.locator("#kept-short")
    tried = "Sudah dicoba reset kata sandi dan hapus cache peramban, tetap gagal."
    for visitor, answer, note, button in (
        (ani, tried, "Akun terkunci di SPSE pusat; perlu dibuka oleh LKPP.", "#btn-escalate"),
        (budi, "Reset kata sandi lewat admin agency.", "Analisis awal: dikira akun terkunci.", "#btn-resolve"),
    ):
        page.keyboard.press("n")
        expect(page.locator("#t-label")).to_have_text(visitor["label"])
        expect(page.locator("#btn-start")).to_be_enabled()
        page.keyboard.press("d")
        expect(page.locator("#solution")).to_be_focused()
        page.fill("#solution", answer)
        page.fill("#note", note)
        page.click(button)
        expect(page.locator("#t-label")).to_have_text("—")
        expect(box).to_be_visible()
        expect(short).to_have_text(f"Draf Anda untuk {visitor['label']} disimpan")
        page.click("#kept-open")
        if button == "#btn-escalate":
            expect(page.locator("#kept-note")).to_contain_text(
                f"{visitor['label']} dieskalasi dengan analisis petugas saja: Jawaban / solusi yang Anda ketik tidak "
                "ikut tercatat."
            )
            expect(page.locator("#kept-solution")).to_have_value(answer)
            expect(page.locator("#kept-note-text")).to_be_hidden()  # the analysis is the record's
        else:
            expect(page.locator("#kept-note")).to_contain_text("analisis eskalasi yang Anda ketik tidak ikut tercatat")
            expect(page.locator("#kept-note-text")).to_have_value(note)
            expect(page.locator("#kept-solution")).to_be_hidden()
        page.click("#kept-dismiss")
        expect(box).to_be_hidden()
    page.keyboard.press("n")  # nothing left over: nothing kept
    expect(page.locator("#t-label")).to_have_text(cici["label"])
    expect(page.locator("#btn-start")).to_be_enabled()
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    page.fill("#solution", "Dijelaskan cara unggah dokumen.")
    page.click("#btn-resolve")
    expect(page.locator("#notice")).to_have_text(f"{cici['label']} selesai.")
    expect(box).to_be_hidden()
    page.context.close()
