"""The admin page's refusals and its last words in the browser's language, as an office admin meets them.

A save the server refuses names every bad value of that save at once (the parser stops at the first; the admin who
made three mistakes fixed one, saved, was told the next, and so on), in `fields`, in the message a line each and in
`problems`; the page marks each input. The voice upload's file picker says its words in the page's language, not
Chromium's "Choose Files" / "No file chosen". A save of the service hours says what is now in force.

A real server process (tests/live.py), real HTTP, headless Chromium. Set ANTRIAN_SCREENSHOTS=1 to write the
screenshots of each (1024x768 and 1920x1080) to the pytest temporary folder named in the output.
"""

from __future__ import annotations

import os

from adminpages import boss as boss  # fixture: the module's admin (tests/adminpages.py)
from adminpages import key, settings
from adminpages import restore_settings as restore_settings  # autouse fixture: what a test changed put back
from playwright.sync_api import expect
from staffpages import sign_in

VIEWPORTS = ({"width": 1024, "height": 768}, {"width": 1920, "height": 1080})


def put(live, boss, section: str, value, lang: str = "id"):
    return boss.put(
        f"{live.url}/api/admin/settings/{section}", json={"value": value}, headers={"X-Lang": lang}, timeout=5
    )


def admin_page(browser, live, viewport=VIEWPORTS[0]):
    page = browser.new_context(viewport=viewport, locale="id-ID").new_page()
    sign_in(page, live, "/counter/admin", "kepala")
    expect(page.locator('[data-key="office.name"]')).to_have_value("LPSE Kabupaten Contoh")
    return page


def shot(page, tmp_path, name: str) -> None:
    if os.environ.get("ANTRIAN_SCREENSHOTS"):
        width = page.viewport_size["width"]
        page.screenshot(path=str(tmp_path / f"{name}-{width}.png"), full_page=False)
        print(f"screenshot: {tmp_path / f'{name}-{width}.png'}")


# ---- 1. every refused value of a save, at once -----------------------------------------------------------------


def test_a_save_with_three_bad_values_names_all_three_in_fields_message_and_problems(live, boss):
    before = settings(live, boss)
    r = put(live, boss, "queue", {"max_calls": 0, "max_requeues": 99, "counter_release_minutes": 0})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "config_invalid", body
    assert set(body["fields"]) == {"queue.max_calls", "queue.max_requeues", "queue.counter_release_minutes"}, body
    assert [p["field"] for p in body["problems"]] == [
        "queue.max_calls",
        "queue.max_requeues",
        "queue.counter_release_minutes",
    ]
    lines = body["message"].split("\n")
    assert lines[0] == "Pengaturan tidak valid: 3 isian salah; belum ada yang disimpan:", lines
    for problem, line in zip(body["problems"], lines[1:], strict=True):
        assert line == problem["message"] and line.startswith(f"{problem['label']}: "), (problem, line)
        assert problem["message"].endswith(body["fields"][problem["field"]]), problem
    assert body["problems"][0]["label"] == "Panggilan per tiket", body
    assert settings(live, boss)["queue"] == before["queue"]  # nothing saved

    english = put(live, boss, "queue", {"max_calls": 0, "max_requeues": 99}, lang="en").json()
    assert english["message"].startswith("Invalid setting: 2 values are wrong; nothing was saved:\n"), english
    assert len(english["problems"]) == 2 and set(english["fields"]) == {"queue.max_calls", "queue.max_requeues"}


def test_every_bad_field_of_a_list_section_is_named_two_in_one_row_and_one_in_another(live, boss):
    """Rows: the parser stops at a row's first bad field; the others of the row and the next rows are named too."""
    services = settings(live, boss)["services"]
    rows = [dict(s) for s in services]
    rows[0]["code"] = "a1"  # not capitals
    rows[0]["daily_quota"] = 0  # and the same row's quota
    rows[2]["name"] = ""  # another row's name
    r = put(live, boss, "services", rows)
    assert r.status_code == 422, r.text
    body = r.json()
    assert list(body["fields"]) == ["services[0].code", "services[0].daily_quota", "services[2].name"], body
    assert [p["label"] for p in body["problems"]] == [
        "Layanan baris 1, kode",
        "Layanan baris 1, kuota harian",
        "Layanan baris 3, nama",
    ], body["problems"]
    assert settings(live, boss)["services"] == services


def test_hours_with_two_bad_days_and_a_bad_holiday_are_named_together(live, boss):
    value = {day: "08:00-15:00" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")}
    value |= {"saturday": "25:00-26:00", "sunday": "09:00-08:00", "holidays": ["2026-13-40"]}
    body = put(live, boss, "hours", value).json()
    assert body["error"] == "config_invalid", body
    assert set(body["fields"]) == {"hours.saturday", "hours.sunday", "hours.holidays"}, body


def test_one_bad_value_is_said_as_before_with_its_one_problem(live, boss):
    body = put(live, boss, "queue", {"max_calls": 0, "max_requeues": 1}).json()
    assert list(body["fields"]) == ["queue.max_calls"], body
    assert "\n" not in body["message"] and body["message"].startswith("Pengaturan tidak valid: "), body
    assert [p["field"] for p in body["problems"]] == ["queue.max_calls"]


def test_the_page_marks_every_refused_field_and_says_them_all(browser, live, tmp_path):
    for viewport in VIEWPORTS:
        page = admin_page(browser, live, viewport)
        key(page, "queue.max_calls").fill("0")
        key(page, "queue.max_requeues").fill("99")
        key(page, "queue.counter_release_minutes").fill("0")
        page.click("#sec-queue button.save")
        notice = page.locator("#sec-queue .notice")
        expect(notice).to_have_attribute("data-kind", "error")
        expect(notice).to_contain_text("3 isian salah")
        for name in ("queue.max_calls", "queue.max_requeues", "queue.counter_release_minutes"):
            expect(key(page, name)).to_have_attribute("aria-invalid", "true")
            expect(page.locator(f'.field-error[data-for="{name}"]')).not_to_be_empty()
        expect(key(page, "queue.auto_recall_seconds")).not_to_have_attribute("aria-invalid", "true")
        assert notice.inner_text().count("\n") == 3, notice.inner_text()  # the count's line, then one a value
        page.locator("#sec-queue").scroll_into_view_if_needed()
        shot(page, tmp_path, "admin-refusals")
        page.context.close()


def test_a_refused_questionnaire_says_each_problem_at_the_top_naming_its_element(browser, live, boss, tmp_path):
    """Kuesioner SKM's refusal said only "Formulir belum lengkap atau ada isian yang salah." at the top, each reason
    under its element alone: U9's is a screen below the button, and the top line said neither which nor why."""
    page = admin_page(browser, live)
    survey = page.locator("#sec-survey")
    u1, u9 = survey.locator("details[data-code=U1]"), survey.locator("details[data-code=U9]")
    u1.locator("summary").click()
    u1.locator('[data-key="elements.U1.choices.4.en"]').fill("")
    u9.locator("summary").click()
    worst, best = (u9.locator(f'[data-key="elements.U9.choices.{n}.id"]') for n in (1, 4))
    worst_text, best_text = worst.input_value(), best.input_value()
    worst.fill(best_text)  # the model's choices upside down: refused (a choice's place is its score)
    best.fill(worst_text)
    survey.locator("button.save").click()
    notice = survey.locator(".notice").first
    expect(notice).to_have_attribute("data-kind", "error")
    expect(notice).to_have_text(
        "U1 Nilai 4 (Inggris): Wajib diisi.\n"
        f"U9 Sarana dan prasarana: Urutan pilihan terbalik: “{best_text}” (nilai 4 di kuesioner model) ada di pilihan 1, "
        f"“{worst_text}” (nilai 1) di pilihan 4. Pilihan 1 = paling buruk (nilai 1), pilihan 4 = paling baik (nilai 4)."
    )
    survey.scroll_into_view_if_needed()
    shot(page, tmp_path, "admin-survey-refused")
    assert boss.get(f"{live.url}/api/admin/survey", timeout=5).json()["elements"][8]["default"]  # nothing saved
    page.context.close()


# ---- 2. the voice upload's file picker in the page's language -------------------------------------------------


def test_the_voice_upload_picker_speaks_the_pages_language_and_takes_the_keyboard(browser, live, tmp_path):
    for viewport in VIEWPORTS:
        page = admin_page(browser, live, viewport)
        button = page.locator("#voice-files-button")
        chosen = page.locator("#voice-files-chosen")
        expect(button).to_have_text("Pilih berkas WAV…")
        expect(chosen).to_have_text("Belum ada berkas dipilih.")
        files = page.locator("#voice-files")
        assert files.bounding_box()["width"] <= 1  # Chromium's own "Choose Files" / "No file chosen" not shown
        # the keyboard: Tab from the pack's name reaches the file input, Space opens the dialog
        key(page, "voice.pack").focus()
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "voice-files"
        with page.expect_file_chooser() as by_mouse:  # a click on the label as well
            button.click()
        by_mouse.value.set_files([])
        with page.expect_file_chooser() as chooser:
            files.focus()
            page.keyboard.press(" ")
        chooser.value.set_files(
            [
                {"name": "dua.wav", "mimeType": "audio/wav", "buffer": b"RIFF"},
                {"name": "tiga.wav", "mimeType": "audio/wav", "buffer": b"RIFF"},
            ]
        )
        expect(chosen).to_have_text("2 berkas dipilih: dua.wav, tiga.wav")
        page.locator("#sec-voice").scroll_into_view_if_needed()
        shot(page, tmp_path, "admin-voice-picker")
        page.click("#lang-toggle")
        expect(button).to_have_text("Choose WAV files…")
        expect(chosen).to_have_text("2 file(s) chosen: dua.wav, tiga.wav")
        page.click("#lang-toggle")
        page.context.close()


# ---- 3. the service hours saved, said as they are in force -----------------------------------------------------


def test_saving_the_service_hours_says_the_days_and_hours_now_in_force(browser, live, boss, tmp_path):
    for viewport in VIEWPORTS:
        page = admin_page(browser, live, viewport)
        if key(page, "hours").is_checked():
            key(page, "hours").uncheck()
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday"):
            key(page, f"hours.{day}").fill("08.00-15.00")
        for day in ("saturday", "sunday"):
            key(page, f"hours.{day}").fill("")
        key(page, "hours.holidays").fill("2026-12-25")
        key(page, "hours.last_ticket_minutes").fill("30")
        page.click("#sec-hours button.save")
        notice = page.locator("#sec-hours .notice")
        expect(notice).to_have_attribute("data-kind", "info")
        expect(notice).to_contain_text(
            "Jam layanan disimpan: Senin\u2013Jumat 08.00\u201315.00; Sabtu\u2013Minggu tutup; libur 2026-12-25; "
            "nomor terakhir 30 menit sebelum tutup."
        )
        page.locator("#sec-hours").scroll_into_view_if_needed()
        shot(page, tmp_path, "admin-hours-saved")
        page.click("#lang-toggle")
        key(page, "hours.friday").fill("08:00-11:00")
        page.click("#sec-hours button.save")
        expect(notice).to_contain_text(
            "Service hours saved: Monday\u2013Thursday 08:00\u201315:00; Friday 08:00\u201311:00; "
            "Saturday\u2013Sunday closed; holidays 2026-12-25; last number 30 minutes before closing."
        )
        key(page, "hours").check()
        page.click("#sec-hours button.save")
        expect(notice).to_contain_text("Service hours saved: always open (no service hours).")
        page.click("#lang-toggle")
        assert settings(live, boss)["hours"] is None
        page.context.close()
