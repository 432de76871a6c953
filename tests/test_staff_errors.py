"""Every refusal a staff member gets says what is wrong and what is accepted, next to the field, in Indonesian
and English, and nothing typed is lost (helper-241): the admin page's accounts answered a bad new account, a
short new password, an unknown role or counter with "Tidak valid." / "Invalid." (or "Terlalu panjang." with
no limit), a name taken only at the top of the section, and a row's new password refused in the section's
notice alone; the voice preview's label, counter and call, and a service prefix the day's tickets hold, the
same. And the dashboard's note on what was not measured read "1 of 1 escalations not measured"."""

from __future__ import annotations

import pytest
from adminpages import boss as boss  # fixture: the module's admin (tests/adminpages.py)
from adminpages import error_at
from conftest import login, visitor, write_config
from playwright.sync_api import expect
from test_reports import DAY, at, made_app, serve_one

from server.service.unit import Kind

GOOD = {"username": "dewi", "password": "sandi-awal-1", "role": "officer"}
COUNTERS = "1 (Loket 1), 2 (Loket 2), 3 (Loket 3)"

# (case, what differs from GOOD (None: left out), the field named, its words in Indonesian, in English)
ADD_CASES = [
    (
        "username-one-character",
        {"username": "a"},
        "username",
        "Nama pengguna harus 2–32 karakter; yang diketik 1 karakter.",
        "A username must be 2–32 characters long; this one has 1.",
    ),
    (
        "username-forty-characters",
        {"username": "x" * 40},
        "username",
        "Nama pengguna harus 2–32 karakter; yang diketik 40 karakter.",
        "A username must be 2–32 characters long; this one has 40.",
    ),
    (
        "username-past-the-cleaning-limit",  # was "Terlalu panjang." / "Too long."
        {"username": "x" * 65},
        "username",
        "Nama pengguna harus 2–32 karakter; yang diketik 65 karakter.",
        "A username must be 2–32 characters long; this one has 65.",
    ),
    (
        "username-with-a-space",
        {"username": "Budi Santoso"},
        "username",
        "Nama pengguna hanya boleh berisi huruf a–z, angka 0–9, titik (.), garis bawah (_) dan tanda hubung (-): "
        "spasi tidak boleh.",
        "A username may hold only letters a–z, digits 0–9, dots (.), underscores (_) and hyphens (-): "
        "a space is not allowed.",
    ),
    (
        "username-with-an-at-sign",
        {"username": "budi@lpse"},
        "username",
        "Nama pengguna hanya boleh berisi huruf a–z, angka 0–9, titik (.), garis bawah (_) dan tanda hubung (-): "
        "“@” tidak boleh.",
        "A username may hold only letters a–z, digits 0–9, dots (.), underscores (_) and hyphens (-): "
        "“@” is not allowed.",
    ),
    (
        "username-with-a-control-character",  # was "Mengandung karakter yang tidak diizinkan."
        {"username": "de\x07wi"},
        "username",
        "Nama pengguna hanya boleh berisi huruf a–z, angka 0–9, titik (.), garis bawah (_) dan tanda hubung (-): "
        "karakter kendali (tak terlihat) tidak boleh.",
        "A username may hold only letters a–z, digits 0–9, dots (.), underscores (_) and hyphens (-): "
        "an invisible control character is not allowed.",
    ),
    (
        "username-starting-with-a-dot",
        {"username": ".dewi"},
        "username",
        "Nama pengguna harus diawali huruf a–z atau angka 0–9, bukan “.”.",
        "A username must begin with a letter a–z or a digit 0–9, not “.”.",
    ),
    (
        "password-short",
        {"password": "pendek"},
        "password",
        "Kata sandi harus 8–200 karakter.",
        "The password must be 8–200 characters.",
    ),
    ("password-missing", {"password": None}, "password", "Wajib diisi.", "Required."),
    (
        "role-unknown",
        {"role": "king"},
        "role",
        "Peran harus salah satu dari: officer (petugas loket), frontoffice (front office) atau admin.",
        "The role must be one of: officer (counter officer), frontoffice (front office) or admin.",
    ),
    (
        "counter-unknown",
        {"counter_id": 99},
        "counter_id",
        f"Tidak ada loket itu. Pilih salah satu: {COUNTERS}.",
        f"No such counter. Choose one of: {COUNTERS}.",
    ),
    (
        "full-name-too-long",
        {"full_name": "x" * 101},
        "full_name",
        "Terlalu panjang: paling banyak 100 karakter; yang diketik 101.",
        "Too long: at most 100 characters; this has 101.",
    ),
]


def answer(client, h, url: str, data: dict, lang: str):
    r = client.post(url, json=data, headers={**h, "X-Lang": lang})
    return r.status_code, r.get_json()


def usernames(client, h) -> list[str]:
    return [u["username"] for u in client.get("/api/admin/users", headers=h).get_json()["users"]]


@pytest.mark.parametrize("case,changes,field,id_text,en_text", ADD_CASES, ids=[c[0] for c in ADD_CASES])
def test_a_bad_new_account_names_its_field_and_what_it_accepts_in_both_languages(
    app, client, case, changes, field, id_text, en_text
):
    h = login(app, client, "kepala", "admin")
    before = usernames(client, h)
    data = {k: v for k, v in {**GOOD, **changes}.items() if v is not None}
    for lang, text in (("id", id_text), ("en", en_text)):
        status, body = answer(client, h, "/api/admin/users", data, lang)
        assert (status, body["error"], body["fields"]) == (422, "form_incomplete", {field: text}), body
    assert usernames(client, h) == before


def test_a_name_taken_is_said_at_the_name_as_well_as_at_the_top(app, client):
    h = login(app, client, "kepala", "admin")
    login(app, app.test_client(), "budi")
    status, body = answer(client, h, "/api/admin/users", {**GOOD, "username": " Budi "}, "id")
    assert (status, body["error"]) == (409, "user_exists"), body
    assert body["message"] == "Nama pengguna budi sudah dipakai akun lain; pilih nama lain."
    assert body["fields"] == {"username": "Nama ini sudah dipakai akun lain; pilih nama lain."}
    status, body = answer(client, h, "/api/admin/users", {**GOOD, "username": "budi"}, "en")
    assert body["message"] == "The username budi is already taken by another account; choose another."
    assert body["fields"] == {"username": "This name is already taken by another account; choose another."}


@pytest.mark.parametrize(
    "password,id_text,en_text",
    [
        ("pendek", "Kata sandi harus 8–200 karakter.", "The password must be 8–200 characters."),
        ("", "Wajib diisi.", "Required."),
        (12345678, "Harus berupa teks.", "Must be text."),
    ],
)
def test_an_admins_new_password_for_an_account_says_why_it_is_refused(app, client, password, id_text, en_text):
    h = login(app, client, "kepala", "admin")
    login(app, app.test_client(), "budi")
    for lang, text in (("id", id_text), ("en", en_text)):
        status, body = answer(client, h, "/api/admin/users/budi/password", {"password": password}, lang)
        assert (status, body["fields"]) == (422, {"password": text}), body
    assert app.test_client().post("/api/login", json={"username": "budi", "password": "rahasia-123"}).status_code == 200


def test_the_voice_previews_label_counter_and_call_say_what_they_accept(app, client):
    h = login(app, client, "kepala", "admin")
    status, body = answer(client, h, "/api/admin/voice/preview", {"label": "123", "counter_id": 9, "calls": 5}, "id")
    assert status == 422 and body["fields"] == {
        "label": "Tulis nomor antrian sebagai huruf layanan, tanda hubung, lalu angka, mis. A-123 (1–3 huruf, 1–4 angka).",
        "counter_id": f"Tidak ada loket itu. Pilih salah satu: {COUNTERS}.",
        "calls": "Panggilan ke berapa: bilangan bulat 1–3 ([queue] max_calls).",
    }, body
    status, body = answer(client, h, "/api/admin/voice/preview", {"label": "A-1", "counter_id": 1, "calls": 0}, "en")
    assert body["fields"] == {"calls": "Which call: a whole number from 1 to 3 ([queue] max_calls)."}, body


def test_a_prefix_the_days_tickets_hold_says_why_under_its_input(app, client):
    assert client.post("/api/tickets", json=visitor(service="A")).status_code == 201
    assert client.post("/api/tickets", json=visitor(service="B")).status_code == 201
    h = login(app, client, "kepala", "admin")
    services = client.get("/api/admin/settings", headers=h).get_json()["services"]
    swapped = [{**s, "prefix": {"A": "B", "B": "A"}.get(s["code"], s["prefix"])} for s in services]
    r = client.put("/api/admin/settings/services", json={"value": swapped}, headers=h)
    assert (r.status_code, r.get_json()["error"]) == (409, "prefix_in_use")
    assert r.get_json()["fields"] == {
        "services[0].prefix": "Awalan B sudah ada pada tiket layanan lain hari ini: pilih awalan lain, atau ubah besok."
    }
    moved = [{**s, "prefix": "X" if s["code"] == "A" else s["prefix"]} for s in services]
    r = client.put("/api/admin/settings/services", json={"value": moved}, headers={**h, "X-Lang": "en"})
    assert (r.status_code, r.get_json()["error"]) == (409, "prefix_change_today")
    assert r.get_json()["fields"] == {
        "services[0].prefix": "Today's numbers already carry the prefix A: change it tomorrow."
    }


DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@pytest.fixture
def open_8_to_16_app(tmp_path, clock):
    """The demo config with service hours, 08:00-16:00 every day."""
    days = "".join(f'{day} = "08:00-16:00"\n' for day in DAYS)
    yield from made_app(write_config(tmp_path, extra=f"\n[hours]\n{days}"), clock)


def test_a_prefix_the_days_tickets_hold_is_said_to_wait_for_tomorrow_not_for_the_close(open_8_to_16_app, clock):
    """The refusal lasts the office's day, past the close: at 18:00 it said "Ubah setelah layanan tutup" / "change
    it after closing time" to an admin who had waited for the close to change it (helper-242)."""
    app = open_8_to_16_app
    client = app.test_client()
    assert client.post("/api/tickets", json=visitor(service="A")).status_code == 201  # 09:00
    clock.advance(hours=9)  # 18:00, two hours after the close
    h = login(app, client, "kepala", "admin")
    services = client.get("/api/admin/settings", headers=h).get_json()["services"]
    moved = [{**s, "prefix": "X" if s["code"] == "A" else s["prefix"]} for s in services]
    said = {}
    for lang in ("id", "en"):
        r = client.put("/api/admin/settings/services", json={"value": moved}, headers={**h, "X-Lang": lang})
        assert (r.status_code, r.get_json()["error"]) == (409, "prefix_change_today")
        said[lang] = (r.get_json()["message"], r.get_json()["fields"]["services[0].prefix"])
    assert said == {
        "id": (
            "Awalan layanan Konsultasi Penyedia tidak dapat diubah hari ini: nomor hari ini sudah memakai awalan A. "
            "Ubah besok.",
            "Nomor hari ini sudah berawalan A: awalan ini bisa diubah besok.",
        ),
        "en": (
            "The prefix of Konsultasi Penyedia cannot change today: today's numbers already carry the prefix A. "
            "Change it tomorrow.",
            "Today's numbers already carry the prefix A: change it tomorrow.",
        ),
    }
    clock.advance(hours=15)  # 09:00 the next day: as said
    r = client.put("/api/admin/settings/services", json={"value": moved}, headers=h)
    assert r.status_code == 200, r.get_json()


# -- the dashboard's note on what was not measured --------------------------------------------------
@pytest.fixture
def mail_off_app(tmp_path, clock):
    """The demo config as it ships: escalation e-mail off."""
    yield from made_app(write_config(tmp_path), clock)


def notes(app, lang: str) -> dict[str, str]:
    """The dashboard's notes on the escalation time and the form copy's, under their tables, in `lang`."""
    client = app.test_client()
    if "reader" not in app.config:
        login(app, client, "kepala", "officer")
        app.config["reader"] = client
    html = app.config["reader"].get(f"/counter/dashboard?from={DAY}&to={DAY}&lang={lang}").get_data(as_text=True)
    return {key: html.split(f'id="{key}-why">')[1].split("</p>")[0] for key in ("escalation", "copy")}


def test_the_dashboard_says_the_periods_only_escalation_was_not_measured_not_1_of_1(mail_off_app, clock):
    service = mail_off_app.extensions["antrian"]
    serve_one(service, clock, at("09:00"), "Ani", outcome="escalate")
    clock.now = at("16:00")
    id_notes, en_notes = notes(mail_off_app, "id"), notes(mail_off_app, "en")
    assert (
        "Satu-satunya eskalasi dalam periode ini tidak diukur: tanpa e-mail (e-mail eskalasi tidak aktif saat "
        "dieskalasi) dan tanpa nomor tiket LKPP yang dicatat sebelum jawaban LKPP." in id_notes["escalation"]
    ), id_notes
    assert (
        "The period's only escalation was not measured: no e-mail was made (escalation e-mail was off when "
        "escalated) and no LKPP ticket number was noted before LKPP's answer."
        in en_notes["escalation"].replace("&#39;", "'")
    ), en_notes
    assert "The period's only visitor served was not measured: no copy from a counter printer" in en_notes[
        "copy"
    ].replace("&#39;", "'")
    for text in (*id_notes.values(), *en_notes.values()):
        assert "1 dari 1" not in text and "1 of 1" not in text, text


def test_the_dashboard_says_none_of_two_escalations_and_one_of_two_in_the_singular(mail_off_app, clock):
    service = mail_off_app.extensions["antrian"]
    serve_one(service, clock, at("09:00"), "Ani", outcome="escalate")
    serve_one(service, clock, at("09:10"), "Bayu", outcome="escalate")
    clock.now = at("16:00")
    en = notes(mail_off_app, "en")["escalation"]
    assert "None of the 2 escalations was measured: no e-mail was made" in en, en
    assert "Tidak satu pun dari 2 eskalasi diukur: tanpa e-mail" in notes(mail_off_app, "id")["escalation"]
    assert service.record_lkpp_ticket("A-001", {"lkpp_ticket": "TTS-2026-0042"}, "budi").kind is Kind.DONE
    en = notes(mail_off_app, "en")["escalation"]
    assert "1 of 2 escalations was not measured: 1 without an e-mail" in en, en


# -- the admin page in Chromium --------------------------------------------------------------------------
def test_the_admin_page_says_each_bad_field_of_a_new_account_and_a_new_password_there_and_keeps_what_was_typed(
    browser, live, boss
):
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID").new_page()
    page.context.request.post(f"{live.url}/api/login", data={"username": "kepala", "password": "rahasia-123"})
    page.goto(f"{live.url}/counter/admin")
    expect(page.locator('#users tr[data-user="budi"]')).to_be_visible()
    form = page.locator("#add-user")
    typed = {"username": "Budi Santoso", "password": "pendek", "full_name": "Budi Santoso, S.Kom."}
    for name, value in typed.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("[name=counter_id]").select_option("2")
    form.locator("button[type=submit]").click()
    expect(error_at(form, "username")).to_have_text(
        "Nama pengguna hanya boleh berisi huruf a–z, angka 0–9, titik (.), garis bawah (_) dan tanda hubung (-): "
        "spasi tidak boleh."
    )
    expect(error_at(form, "password")).to_have_text("Kata sandi harus 8–200 karakter.")
    expect(form.locator("[name=username]")).to_have_attribute("aria-invalid", "true")
    assert page.evaluate("document.activeElement.name") == "username"  # the first field named
    for name, value in typed.items():  # nothing typed is lost
        expect(form.locator(f"[name={name}]")).to_have_value(value)
    expect(form.locator("[name=counter_id]")).to_have_value("2")

    # a name taken: said under the name, not only at the top of the section
    form.locator("[name=username]").fill("budi")
    form.locator("[name=password]").fill("sandi-awal-1")
    form.locator("button[type=submit]").click()
    expect(page.locator("#sec-users .notice")).to_have_text(
        "Nama pengguna budi sudah dipakai akun lain; pilih nama lain."
    )
    expect(error_at(form, "username")).to_have_text("Nama ini sudah dipakai akun lain; pilih nama lain.")
    expect(error_at(form, "password")).to_have_text("")
    expect(form.locator("[name=full_name]")).to_have_value(typed["full_name"])

    # a row's new password: the reason under its input, the password kept there to correct
    row = page.locator('#users tr[data-user="budi"]')
    row.locator('[data-act="reset"]').click()
    row.locator("input[name=new-password]").fill("pendek")
    row.locator("form.reset button").click()
    expect(error_at(row, "password")).to_have_text("Kata sandi harus 8–200 karakter.")
    expect(row.locator("input[name=new-password]")).to_have_value("pendek")
    expect(row.locator("input[name=new-password]")).to_have_attribute("aria-invalid", "true")
    expect(error_at(form, "password")).to_have_text("")  # not under the new account's password
    expect(form.locator("[name=username]")).to_have_value("budi")

    # in English, the server's words in English
    page.click("#lang-toggle")
    form.locator("button[type=submit]").click()
    expect(error_at(form, "username")).to_have_text("This name is already taken by another account; choose another.")
    row.locator("form.reset button").click()
    expect(error_at(row, "password")).to_have_text("The password must be 8–200 characters.")
    page.context.close()
