"""The front office says why it cancels a number (/counter/front): an armed Batalkan offers the three common reasons
and "Lainnya" with a text box, by mouse, touch and keyboard, Indonesian first; the second click cancels with the one
chosen (or none, as before), and the list says the reason under "dibatalkan". The box is a strip under its row that
pushes the rows below down, covering none of them; Esc closes it. Real server, real Chromium at 1366x768 and
1024x768."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from conftest import write_config
from live import LiveServer
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import PASSWORD, empty_queue, issue, open_front, sign_in, staffed

# Not docs/screenshots: the page shows the clock, so each run's pictures differ and `make test` left the tree changed.
SHOTS = Path(os.environ.get("ANTRIAN_SHOT_DIR", Path(tempfile.gettempdir()) / "antrian-shots"))


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    server = staffed(LiveServer(write_config(tmp_path_factory.mktemp("cancel_reason"))).start())
    yield server
    server.stop()


def reasons_of(office) -> dict[str, str | None]:
    tickets = office.session("rina", PASSWORD).get(office.url + "/api/tickets", timeout=5).json()["tickets"]
    return {x["label"]: x.get("cancel_reason") for x in tickets if x["status"] == "cancelled"}


def row(page, label):
    return page.locator(f"#tickets tr[data-label='{label}']")


def test_a_reason_chosen_by_mouse_then_klik_lagi_and_the_list_says_it(browser, office):
    empty_queue(office)
    first, aim, last = (issue(office, name)["label"] for name in ("Agus", "Bayu", "Citra"))
    page = open_front(browser, office, viewport={"width": 1366, "height": 768})
    button = row(page, aim).locator("[data-act=cancel]")
    below = row(page, last).bounding_box()["y"]
    button.click()
    box = page.locator(f".cancel-why[data-ticket='{aim}']")
    expect(box).to_be_visible()
    expect(box.locator("legend")).to_have_text(f"Alasan membatalkan {aim} (boleh dikosongkan)")
    expect(box.locator(".why-choice")).to_have_text(
        ["Pengunjung pulang / tidak jadi", "Nomor ganda", "Salah layanan (diambil ulang)", "Lainnya"]
    )
    expect(page.locator("#list-notice")).to_have_text(f"Klik lagi untuk membatalkan {aim}")
    # the box is under the row, the armed button not under it; the row below it moved down under the box
    assert box.bounding_box()["y"] >= button.bounding_box()["y"] + button.bounding_box()["height"]
    assert row(page, last).bounding_box()["y"] >= box.bounding_box()["y"] + box.bounding_box()["height"] > below
    box.locator(".why-choice", has_text="Nomor ganda").click()
    page.screenshot(path=str(SHOTS / "front-cancel-reason-1366.png"))
    button.click()  # Klik lagi: cancelled with the reason chosen
    expect(page.locator("#list-notice")).to_have_text(f"{aim} dibatalkan (alasan: Nomor ganda).")
    expect(row(page, aim).locator(".status")).to_have_text("dibatalkanAlasan: Nomor ganda")
    expect(page.locator(".cancel-why")).to_have_count(0)
    assert reasons_of(office)[aim] == "Nomor ganda"
    # seen again after a reload (the server's list); in English a preset reason in its English words
    page.reload()
    expect(row(page, aim).locator(".status .why")).to_have_text("Alasan: Nomor ganda")
    page.click("#lang-toggle")
    expect(row(page, aim).locator(".status .why")).to_have_text("Reason: Duplicate number")  # a preset in its words
    page.click("#lang-toggle")
    # two clicks with no choice cancel as before, with no reason
    row(page, first).locator("[data-act=cancel]").click()
    row(page, first).locator("[data-act=cancel]").click()
    expect(page.locator("#list-notice")).to_have_text(f"{first} dibatalkan.")
    expect(row(page, first).locator(".status")).to_have_text("dibatalkan")
    assert [reasons_of(office)[x] for x in (aim, first)] == ["Nomor ganda", None]
    page.context.close()


def test_by_keyboard_at_1024_lainnya_typed_and_enter_and_escape_leaves_it(browser, office):
    empty_queue(office)
    twice, kept, aim = (issue(office, name)["label"] for name in ("Cahya", "Dedi", "Eka"))
    page = open_front(browser, office, viewport={"width": 1024, "height": 768})
    # Enter twice on Batalkan cancels: the focus stays on the armed button, drawn anew (it went to the page's body)
    row(page, twice).locator("[data-act=cancel]").focus()
    page.keyboard.press("Enter")
    expect(row(page, twice).locator("[data-act=cancel]")).to_have_class("small armed")
    expect(row(page, twice).locator("[data-act=cancel]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#list-notice")).to_have_text(f"{twice} dibatalkan.")
    # Escape closes the box, the ticket not cancelled, the focus back on its Batalkan
    row(page, kept).locator("[data-act=cancel]").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f".cancel-why[data-ticket='{kept}']")).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(page.locator(".cancel-why")).to_have_count(0)
    expect(page.locator("#list-notice")).to_be_empty()
    expect(row(page, kept).locator("[data-act=cancel]")).to_be_focused()

    button = row(page, aim).locator("[data-act=cancel]")
    button.focus()
    page.keyboard.press("Enter")  # armed
    box = page.locator(f".cancel-why[data-ticket='{aim}']")
    expect(box).to_be_visible()
    fits = page.evaluate(
        "() => { const b = document.querySelector('.cancel-why').getBoundingClientRect();"
        " const r = document.getElementById('ticket-box').getBoundingClientRect();"
        " return b.left >= r.left && b.right <= r.right; }"
    )
    assert fits  # within the list's box at 1024 px: nothing off its side
    page.keyboard.press("Tab")  # the choices come right after the armed button
    expect(box.locator("input[value=left]")).to_be_focused()
    for _ in range(3):
        page.keyboard.press("ArrowDown")  # Lainnya: its text box takes the focus
    other = box.locator(".why-other")
    expect(other).to_be_focused()
    page.keyboard.press("Enter")  # nothing typed: said, still armed
    expect(page.locator("#list-notice")).to_have_text("Tulis alasan lainnya, atau pilih alasan lain.")
    expect(other).to_be_focused()
    page.keyboard.type("Datang lagi besok   dengan  berkas")
    page.screenshot(path=str(SHOTS / "front-cancel-reason-1024.png"))
    page.keyboard.press("Enter")
    expect(page.locator("#list-notice")).to_have_text(f"{aim} dibatalkan (alasan: Datang lagi besok dengan berkas).")
    expect(row(page, aim).locator(".status .why")).to_have_text("Alasan: Datang lagi besok dengan berkas")
    assert reasons_of(office)[aim] == "Datang lagi besok dengan berkas"
    assert kept not in reasons_of(office)  # left by Escape: not cancelled
    page.context.close()


# Every other row's buttons, each row in turn in the middle of the list's box: those the cancel's box covers (what is
# at the centre of each is not the button), as "A-006 reprint".
COVERED = """(aim) => {
  const out = [];
  for (const tr of document.querySelectorAll("#tickets tr[data-label]")) {
    if (tr.dataset.label === aim) continue;
    tr.scrollIntoView({ block: "center" });
    for (const b of tr.querySelectorAll(".acts > [data-act]")) {
      const r = b.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      if (!hit || !b.contains(hit)) out.push(`${tr.dataset.label} ${b.dataset.act}`);
    }
  }
  return out;
}"""


@pytest.mark.parametrize("width", [1366, 1024])
def test_the_open_box_covers_none_of_the_other_rows_and_esc_closes_it(browser, office, width):
    """Ten waiting, Batalkan pressed on the fifth: the box covered the next four rows (at 1366 below it, at 1024 the
    four above it, opened upwards at the list box's foot), their Ubah data, Batalkan and Cetak ulang out of sight and
    reach while it was open. Now it is a strip under its row, the rows below it pushed down, in both languages."""
    empty_queue(office)
    labels = [issue(office, f"Tamu {n}")["label"] for n in range(1, 11)]
    aim = labels[4]
    page = open_front(browser, office, viewport={"width": width, "height": 768})
    row(page, aim).scroll_into_view_if_needed()
    button = row(page, aim).locator("[data-act=cancel]")
    button.click()
    box = page.locator(f".cancel-why[data-ticket='{aim}']")
    expect(box).to_be_visible()
    keep_shot(page, f"front-cancel-reason-ten-{width}.png")
    assert page.evaluate(COVERED, aim) == []
    # under its row, within the list's width; the next row under it
    inside = page.evaluate(
        """(aim) => { const b = document.querySelector('.cancel-why').getBoundingClientRect();
           const r = document.getElementById('ticket-box').getBoundingClientRect();
           const own = document.querySelector(`#tickets tr[data-label='${aim}'] .acts`).getBoundingClientRect();
           const next = document.querySelector(`#tickets tr[data-label='${aim}'] + tr`).getBoundingClientRect();
           return [b.left >= r.left, b.right <= r.right, b.top >= own.bottom, next.top >= b.bottom]; }""",
        aim,
    )
    assert inside == [True, True, True, True]
    page.click("#lang-toggle")  # its words in English, their lines wrapping anew: still nothing covered
    expect(box.locator("legend")).to_have_text(f"Reason for cancelling {aim} (optional)")
    assert page.evaluate(COVERED, aim) == []
    page.click("#lang-toggle")
    expect(box.locator("legend")).to_have_text(f"Alasan membatalkan {aim} (boleh dikosongkan)")
    # the next row's buttons are pressed while it is open: its Batalkan takes the box over
    nxt = labels[5]
    row(page, nxt).locator("[data-act=cancel]").click()
    expect(page.locator(".cancel-why")).to_have_count(1)
    expect(page.locator(f".cancel-why[data-ticket='{nxt}']")).to_be_visible()
    expect(button).not_to_have_class("small armed")
    # Esc with the focus on the armed button (by the keyboard: before Tab took it into the box) closes it too
    row(page, nxt).locator("[data-act=cancel]").focus()
    page.keyboard.press("Escape")
    expect(page.locator(".cancel-why")).to_have_count(0)
    expect(row(page, nxt).locator("[data-act=cancel]")).to_be_focused()
    expect(page.locator("#list-notice")).to_be_empty()
    assert not {aim, nxt} & set(reasons_of(office))  # neither cancelled
    page.context.close()


def test_in_english_a_common_reason_is_kept_in_indonesian_by_touch(browser, office):
    """The records (guest book, recap) are Indonesian: a common reason chosen on the English page is sent in its
    Indonesian words; a tap on the choice's line picks it."""
    empty_queue(office)
    aim = issue(office, "Fajar")["label"]
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID", has_touch=True)
    page = context.new_page()
    sign_in(page, office, "/counter/front", "rina")
    page.click("#lang-toggle")
    button = row(page, aim).locator("[data-act=cancel]")
    button.tap()
    box = page.locator(f".cancel-why[data-ticket='{aim}']")
    expect(box.locator("legend")).to_have_text(f"Reason for cancelling {aim} (optional)")
    box.locator(".why-choice", has_text="Wrong service").tap()
    box.locator("[data-act=cancel-confirm]").tap()
    # said in the page's language, kept in Indonesian
    expect(page.locator("#list-notice")).to_have_text(f"{aim} cancelled (reason: Wrong service (number taken again)).")
    assert reasons_of(office)[aim] == "Salah layanan (diambil ulang)"
    context.close()
