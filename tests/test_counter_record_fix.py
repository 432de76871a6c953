"""Koreksi catatan: an officer corrects a finished record from the counter page (POST /api/tickets/<ref>/correct),
and a correction made meanwhile by someone else is refused, naming who, instead of overwritten unseen (`base`).

The API's rules on the app's test client; the page on one real server (counter 1's form copies on a TCP fake
printer) in real Chromium: budi at Loket 1 and the head of the office (an admin, who may act at any counter) on
the same counter's page."""

from __future__ import annotations

import time

import pytest
from conftest import login, visitor, write_config
from fakeprinter import FakeNetworkPrinter
from live import LiveServer
from playwright.sync_api import expect
from shots import keep_shot
from staffpages import PASSWORD, empty_queue, issue, open_counter, resize, staffed

# -- the API ------------------------------------------------------------------------------------------------------


def resolved(app, client, solution="Reset kata sandi lewat admn"):
    client.post("/api/tickets", json=visitor())
    h = login(app, client, "budi")
    for action, data in (
        ("call-next", {}),
        ("start", {}),
        ("resolve", {"solution": solution, "category": "pertanyaan"}),
    ):
        assert client.post(f"/api/counters/1/{action}", json=data, headers=h).status_code == 200
    return h


def test_a_correction_on_a_record_corrected_meanwhile_is_refused_naming_who(app, client):
    """Two officers with the same record open: the second save named the record as it was shown (`base`) and
    silently put back the first one's fields. Now it is 409 correction_conflict naming who changed what, nothing
    saved; sent again on the record as it is now, it is saved."""
    budi = resolved(app, client)
    shown = {
        "solution": "Reset kata sandi lewat admn",
        "escalation_note": "",
        "category": "pertanyaan",
        "priority_class": "",
    }
    other = app.test_client()
    sari = login(app, other, "sari")
    r = other.post("/api/tickets/A-001/correct", json={"category": "konsultasi", "base": shown}, headers=sari)
    assert r.status_code == 200, r.get_json()
    r = client.post(
        "/api/tickets/A-001/correct",
        json={**shown, "solution": "Reset kata sandi lewat admin", "base": shown},
        headers=budi,
    )
    assert r.status_code == 409
    body = r.get_json()
    assert body["error"] == "correction_conflict" and body["fields"] == {"category": "Sudah diubah di tempat lain."}
    assert "sudah dikoreksi oleh sari pada" in body["message"] and "(jenis permasalahan)" in body["message"]
    events = client.get("/api/tickets/A-001/history", headers=budi).get_json()["events"]
    assert [e["actor"] for e in events if e["type"] == "corrected"] == ["sari"]  # nothing saved
    now = {**shown, "category": "konsultasi"}
    r = client.post(
        "/api/tickets/A-001/correct",
        json={**now, "solution": "Reset kata sandi lewat admin", "base": now},
        headers={**budi, "Accept-Language": "en"},
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["changes"] == {
        "solution": {"old": "Reset kata sandi lewat admn", "new": "Reset kata sandi lewat admin"}
    }
    assert r.get_json()["ticket"]["category"] == "konsultasi"  # the colleague's correction stays


def test_a_correction_base_must_name_the_records_fields_as_text(app, client):
    h = resolved(app, client)
    for base in ("x", {"officer": "budi"}, {"solution": 3}, {"solution": "x" * 4001}):
        r = client.post("/api/tickets/A-001/correct", json={"solution": "Baru", "base": base}, headers=h)
        assert r.status_code == 422 and r.get_json()["fields"] == {"base": "Tidak valid."}, base
    # without a base (an API client of before): saved as it comes
    assert client.post("/api/tickets/A-001/correct", json={"solution": "Baru"}, headers=h).status_code == 200


# -- the counter page ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def printer():
    p = FakeNetworkPrinter()
    yield p
    p.stop()


@pytest.fixture(scope="module")
def office(tmp_path_factory, printer):
    cfg = write_config(
        tmp_path_factory.mktemp("record-fix"),
        {'services = ["A", "C"]': 'services = ["A", "C"]\nprinter = "loket1"'},
        extra=f'\n[printers.loket1]\ntype = "network"\nhost = "127.0.0.1"\nport = {printer.port}\n'
        'timeout = 1\nprofile = "TM-T20II"\n',
    )
    server = staffed(LiveServer(cfg).start())
    yield server
    server.stop()


def printed(printer, text: bytes, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while text not in printer.received:
        assert time.monotonic() < deadline, bytes(printer.received[-400:])
        time.sleep(0.05)


def test_an_officer_corrects_the_record_of_the_visitor_just_served(browser, office, printer):
    """Selesai with a typo in the answer ("lewat admn"): no page offered to correct it, the visitor's copy, the
    recap and the archive kept it. Now Koreksi catatan beside the form copy opens the record, prefilled; a save
    that changes nothing or empties the answer is refused in the dialog with the text kept; a colleague's
    correction meanwhile is said live and refuses the save once, naming them; the saved correction is said by its
    fields, the copy printed before is said to have the old text with Cetak ulang, and the other page hears it."""
    empty_queue(office)
    rudi = issue(office, "Rudi Hartono")
    label = rudi["label"]
    page = open_counter(browser, office)
    try:
        page.keyboard.press("n")
        expect(page.locator("#btn-start")).to_be_enabled()
        page.keyboard.press("d")
        expect(page.locator("#solution")).to_be_focused()
        page.fill("#solution", "Reset kata sandi lewat admn")
        page.select_option("#category", "pertanyaan")
        page.locator("input[name=priority_class]").first.check()
        page.keyboard.press("Control+Enter")
        expect(page.locator("#btn-print-form")).to_contain_text(label)
        page.keyboard.press("p")  # the visitor's copy, with the typo
        printed(printer, b"lewat admn")
        expect(page.locator("#btn-fix")).to_be_visible()
        expect(page.locator("#btn-fix")).to_have_text("Koreksi catatan")

        # the head of the office on the same counter's page: the counter's last record is theirs to correct too
        head = open_counter(browser, office, "kepala", "1")
        expect(head.locator("#btn-fix")).to_be_visible()

        page.click("#btn-fix")
        dialog = page.locator("#fix-dialog")
        expect(dialog).to_be_visible()
        expect(page.locator("#fix-title")).to_have_text(f"Koreksi catatan {label}")
        expect(page.locator("#fix-solution")).to_have_value("Reset kata sandi lewat admn")
        expect(page.locator("#fix-solution")).to_be_focused()
        expect(page.locator("#fix-category")).to_have_value("pertanyaan")
        cls = page.locator("#fix-class").input_value()
        assert cls, "the class chosen at Selesai"
        expect(page.locator("#fix-note-box")).to_be_hidden()  # resolved: no analysis to correct

        # nothing changed: said in the dialog, which stays
        page.click("#fix-save")
        expect(page.locator("#fix-said")).to_have_text(f"Koreksi {label} tidak disimpan: Tidak ada yang berubah.")
        expect(dialog).to_be_visible()
        # the answer emptied: refused under it
        page.fill("#fix-solution", "")
        page.keyboard.press("Control+Enter")
        expect(page.locator('#fix-dialog .field-error[data-fix="solution"]')).to_have_text("Wajib diisi.")
        expect(dialog).to_be_visible()
        expect(page.locator("#t-label")).to_have_text("—")  # Ctrl+Enter in the dialog is never Selesai

        # the colleague corrects the kind of problem meanwhile, from their page
        head.click("#btn-fix")
        head.select_option("#fix-category", "konsultasi")
        head.click("#fix-save")
        expect(head.locator("#notice")).to_have_text(f"Catatan {label} dikoreksi: jenis permasalahan.")
        expect(head.locator("#fix-dialog")).to_be_hidden()
        # budi's dialog hears it live, above the text being typed
        expect(page.locator("#fix-said")).to_contain_text("baru saja mengoreksi catatan ini: jenis permasalahan.")
        page.fill("#fix-solution", "Reset kata sandi lewat admin agency")
        page.keyboard.press("Control+Enter")
        said = page.locator("#fix-said")
        expect(said).to_contain_text(f"Koreksi {label} tidak disimpan: Catatan {label} sudah dikoreksi oleh kepala")
        expect(page.locator("#fix-solution")).to_have_value("Reset kata sandi lewat admin agency")  # kept
        expect(page.locator("#fix-category")).to_have_value("konsultasi")  # left as it was: the colleague's value now
        keep_shot(page, "conflict-1366.png")
        page.click("#fix-save")  # saved again, knowing it
        expect(dialog).to_be_hidden()
        expect(page.locator("#notice")).to_have_text(f"Catatan {label} dikoreksi: jawaban.")
        expect(page.locator("#btn-fix")).to_be_focused()
        line = page.locator("#fix-reprint")
        expect(line).to_contain_text(f"Salinan formulir {label} yang sudah dicetak untuk pengunjung memuat teks lama.")
        # the other page hears it
        expect(head.locator("#notice")).to_have_text(f"Catatan {label} baru saja dikoreksi oleh budi: jawaban.")

        # the API's record and its history
        officer = office.session("budi", PASSWORD)
        events = officer.get(f"{office.url}/api/tickets/{rudi['token']}/history", timeout=5).json()["events"]
        fixes = [(e["actor"], e["data"]["changes"]) for e in events if e["type"] == "corrected"]
        assert fixes == [
            ("kepala", {"category": {"old": "pertanyaan", "new": "konsultasi"}}),
            (
                "budi",
                {"solution": {"old": "Reset kata sandi lewat admn", "new": "Reset kata sandi lewat admin agency"}},
            ),
        ]
        tickets = officer.get(f"{office.url}/api/tickets", timeout=5).json()["tickets"]
        record = next(t for t in tickets if t["token"] == rudi["token"])
        assert (record["solution"], record["category"], record["priority_class"]) == (
            "Reset kata sandi lewat admin agency",
            "konsultasi",
            cls,
        )

        # Cetak ulang: the copy again, with the corrected text; the line is gone
        page.click("#fix-reprint-btn")
        printed(printer, b"lewat admin agency")
        expect(line).to_be_hidden()

        # English, on the laptop's screen: the dialog fits, Esc closes it, the cursor back on its button
        resize(page, {"width": 1024, "height": 768})
        page.click("#lang-toggle")
        expect(page.locator("#btn-fix")).to_have_text("Correct the record")
        page.click("#btn-fix")
        expect(page.locator("#fix-title")).to_have_text(f"Correct the record of {label}")
        box = dialog.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 768 and box["x"] + box["width"] <= 1024, box
        keep_shot(page, "dialog-1024-en.png")
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(page.locator("#btn-fix")).to_be_focused()
        # the next visitor served: the record before stays offered, and Resolve and Escalate stay on the screen
        ani = issue(office, "Ani Wijaya")
        page.click("#btn-call-next")
        expect(page.locator("#t-label")).to_have_text(ani["label"])
        page.click("#btn-start")
        expect(page.locator("#solution")).to_be_focused()
        for size in ({"width": 1024, "height": 768}, {"width": 1366, "height": 768}):
            resize(page, size)
            expect(page.locator("#btn-fix")).to_be_in_viewport(ratio=1)
            for button in ("#btn-resolve", "#btn-escalate"):
                expect(page.locator(button)).to_be_in_viewport(ratio=1)
            keep_shot(page, f"serving-{size['width']}.png")
        head.context.close()
    finally:
        page.context.close()
