"""Two small cuts on the staff pages at a laptop's 1024x768 and 1366x768 (a real server, real Chromium): the front
office's form notice read whole without scrolling it, and the counter page's failed form copy's link without an
indented start of a line."""

from __future__ import annotations

import pytest
from conftest import write_config
from live import LiveServer, free_port
from playwright.sync_api import expect
from staffpages import (
    PASSWORD,
    empty_queue,
    issue,
    put_settings,
    resize,
    second_number_asked,
    settings_kept,
    sign_in,
    staffed,
)

WIDTHS = (1024, 1366)


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """A server of its own: the staff of staffpages, and a Loket 2 whose form copies go to a network printer that is
    off (nothing listens there)."""
    config = write_config(
        tmp_path_factory.mktemp("small-cuts"),
        {'services = ["A", "B"]': 'services = ["A", "B"]\nprinter = "loket2"'},
        extra=f'\n[printers.loket2]\ntype = "network"\nhost = "127.0.0.1"\nport = {free_port()}\n'
        'timeout = 1\nprofile = "TM-T20II"\n',
    )
    server = staffed(LiveServer(config).start())
    yield server
    server.stop()


# The form's notice as the clerk sees it: all its words inside its box (nothing to scroll), the box on the screen
# in its panel's shown part above the sticky issue button, and the tick beside it shown too. Read after the next
# frame: the page brings a said notice in sight in a requestAnimationFrame (front.js sayNotice), which a loaded
# machine ran after the words were in (the box read still under the button: 1 run in a full suite).
FORM_NOTICE = """async () => {
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const box = (el) => el.getBoundingClientRect();
  const notice = document.querySelector('#reg-notice'), panel = notice.closest('.panel');
  const n = box(notice), p = box(panel), tick = box(document.querySelector('#duplicate-row'));
  const button = box(document.querySelector('#btn-register'));
  return {scrolls: notice.scrollHeight > notice.clientHeight + 1, notice: [n.top, n.bottom], panel: [p.top, p.bottom],
          tick: [tick.top, tick.bottom], button: [button.top, button.bottom], height: innerHeight,
          fields: box(document.querySelector('#r-problem')).height, text: notice.textContent};
}"""


def assert_form_notice_whole(page, where: str) -> None:
    m = page.evaluate(FORM_NOTICE)
    assert not m["scrolls"], (where, m)  # was 10 px of its last line under the box's edge: scrolled to be read
    top, bottom = m["panel"]
    assert top <= m["tick"][0] and m["tick"][1] <= m["notice"][0], (where, m)  # the tick in sight, above it
    assert m["notice"][1] <= m["button"][0] and m["button"][1] <= min(bottom, m["height"]), (where, m)
    assert m["fields"] > 40, (where, m)  # the problem's box not squeezed by it


def test_the_second_numbers_question_and_an_admins_change_are_read_whole_in_the_form(browser, office):
    """The form's notice holding the second number's question and then "Pengaturan diubah admin; muat ulang
    halaman." after it is six lines at 1024 and 1366 px: its box stopped at 8.5rem and the clerk scrolled the
    notice to read its last words. It is whole now, with the tick above it and the issue button under it."""
    live = office
    empty_queue(live)
    admin = live.session("kepala", PASSWORD)
    page, question, _ = second_number_asked(browser, live, {"width": WIDTHS[0], "height": 768})
    asked = question.text_content()
    with settings_kept(live, admin):
        counters = admin.get(f"{live.url}/api/admin/settings", timeout=5).json()["counters"]
        counters[2]["name"] = "Loket 3 Verifikasi"
        put_settings(live, admin, "counters", counters)
        expect(question).to_have_text(f"{asked} Pengaturan diubah admin; muat ulang halaman.")
        page.evaluate("document.fonts.ready")
        assert_form_notice_whole(page, "1024x768")
        resize(page, {"width": WIDTHS[1], "height": 768})
        assert_form_notice_whole(page, "1366x768")
        page.click("#lang-toggle")
        expect(question).to_contain_text("Settings changed by an admin; reload the page.")
        assert_form_notice_whole(page, "1366x768, English")
        resize(page, {"width": WIDTHS[0], "height": 768})
        assert_form_notice_whole(page, "1024x768, English")
    page.context.close()


# The failed form copy's line: the first glyph of each of its lines (a collapsed space has no box), where it is and
# whether it is the link's; the left of the line's content; the link's words.
COPY_LINE_STARTS = """() => {
  const alert = document.getElementById('copy-alert'), link = document.getElementById('copy-alert-a4');
  const style = getComputedStyle(alert);
  const left = alert.getBoundingClientRect().left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft);
  const glyphs = [];
  const walker = document.createTreeWalker(alert, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const r = [...range.getClientRects()].find((r) => r.width > 0);
      if (r) glyphs.push({ch: node.data[i], left: r.left, top: r.top, link: link.contains(node)});
    }
  }
  const starts = glyphs.filter((g, i) => i === 0 || g.top > glyphs[i - 1].top + 2);
  return {left, starts, link: link.textContent};
}"""


def copy_line_starts(page, where: str) -> dict:
    m = page.evaluate(COPY_LINE_STARTS)
    assert m["link"] == m["link"].strip(), (where, m)
    for start in m["starts"]:
        assert start["ch"].strip(), f"{where}: a line starts with a space: {m}"
        assert abs(start["left"] - m["left"]) < 1, f"{where}: a line starts indented: {start} in {m}"
    return m


def test_the_failed_copys_link_starts_no_line_with_a_space(browser, office):
    """The line of a form copy that did not print ends with "Cetak Formulir A4 sebagai gantinya": where the link
    starts a line of its own (the line in English at 1024 px, a visitor not yet called) it stood indented by its
    margin, its underline starting after a gap. The space before it is outside the link, and a line starts at the
    line's edge, at 1024 and 1366 px, in both languages, with and without a visitor being served."""
    live = office
    empty_queue(live)
    eka, fajar = issue(live, "Eka Putri"), issue(live, "Fajar Nugroho Adiwijaya")
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 768}, locale="id-ID")
    page = sign_in(context.new_page(), live, "/counter/", "budi")
    page.select_option("#counter-select", "2")
    notice, alert = page.locator("#notice"), page.locator("#copy-alert")
    page.keyboard.press("n")
    expect(page.locator("#t-label")).to_have_text(eka["label"])
    page.keyboard.press("d")
    expect(page.locator("#solution")).to_be_focused()
    page.keyboard.type("Dijelaskan langkah unggah dokumen kualifikasi.")
    page.keyboard.press("Control+Enter")
    expect(notice).to_have_text(f"{eka['label']} selesai.")
    page.keyboard.press("p")
    expect(alert).to_contain_text(f"Salinan formulir {eka['label']} belum tercetak")
    page.evaluate("document.fonts.ready")

    link_starts = []  # where the link's words began a line (or went on to the next): what the test is about
    for serving in (False, True):
        if serving:
            page.keyboard.press("n")
            expect(page.locator("#t-label")).to_have_text(fajar["label"])
            page.keyboard.press("d")
            expect(page.locator("#t-status")).to_have_text("dilayani")
        for lang, link in (("id", "Cetak Formulir A4 sebagai gantinya"), ("en", "Print the A4 form instead")):
            expect(page.locator("#copy-alert-a4")).to_have_text(link)
            for width in WIDTHS:
                resize(page, {"width": width, "height": 768})
                where = f"{width}x768, {lang}, {'serving' if serving else 'between visitors'}"
                m = copy_line_starts(page, where)
                link_starts += [where for start in m["starts"] if start["link"]]
            page.click("#lang-toggle")
    assert link_starts, "the link never began a line: nothing was measured"
    page.context.close()
