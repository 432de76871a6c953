"""The office admin's afternoon: setting up the office on the admin page, and a name longer than its limit.

The admin names the office, its counters, its services and its officers on /counter/admin, at 1366x768 and on the
old 1024x768 monitor. A name longer than the server takes must be refused at its input, naming the field, its length
and the limit, with the whole of what was typed still there to shorten: the page's inputs held a `maxlength`, and the
browser cut at it without a word (a counter's name of 117 characters was saved as its first 100, mid-word), and at
limits lower than the server's too (an office address cut at 300 characters where 500 are taken, a priority class's
name at 60 where 100 are).

A real server process (tests/live.py), real HTTP, headless Chromium. Set ANTRIAN_SCREENSHOTS=1 to write the
screenshots to the pytest temporary folder named in the output.
"""

from __future__ import annotations

import os

import pytest
import requests
from adminpages import boss as boss  # fixture: the module's admin (tests/adminpages.py)
from adminpages import error_at, key, settings
from adminpages import restore_settings as restore_settings  # autouse fixture: what a test changed put back
from playwright.sync_api import expect
from staffpages import sign_in

VIEWPORTS = ({"width": 1366, "height": 768}, {"width": 1024, "height": 768})

# a counter's name as an office writes it, 117 characters: the server takes 100
LONG_COUNTER = (
    "Loket Konsultasi Pengadaan Barang dan Jasa Pemerintah Kabupaten Sukamaju "
    "Bagian Layanan Pengadaan Secara Elektronik X"
)


def admin_page(browser, live, viewport):
    page = browser.new_context(viewport=viewport, locale="id-ID").new_page()
    sign_in(page, live, "/counter/admin", "kepala")
    expect(page.locator('[data-key="office.name"]')).to_have_value("LPSE Kabupaten Contoh")
    return page


def shot(page, tmp_path, name: str) -> None:
    if os.environ.get("ANTRIAN_SCREENSHOTS"):
        path = tmp_path / f"{name}-{page.viewport_size['width']}.png"
        page.screenshot(path=str(path), full_page=False)
        print(f"screenshot: {path}")


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
def test_a_counter_name_too_long_is_refused_at_its_input_kept_whole_and_saved_once_shortened(
    browser, live, boss, tmp_path, viewport
):
    assert len(LONG_COUNTER) == 117
    before = settings(live, boss)["counters"]
    page = admin_page(browser, live, viewport)
    try:
        section = page.locator("#sec-counters")
        name = key(page, "counters[0].name")
        name.fill(LONG_COUNTER)
        expect(name).to_have_value(LONG_COUNTER)  # the whole of it, not the first 100 characters
        section.locator("button.save").click()
        expect(section.locator(".notice")).to_contain_text(
            "Pengaturan tidak valid: Loket baris 1, nama: terlalu panjang (117 karakter; paling banyak 100)"
        )
        expect(error_at(page, "counters[0].name")).to_have_text("terlalu panjang (117 karakter; paling banyak 100)")
        expect(name).to_have_attribute("aria-invalid", "true")
        expect(name).to_have_value(LONG_COUNTER)  # nothing typed lost
        section.scroll_into_view_if_needed()
        shot(page, tmp_path, "counter-name-too-long")
        assert settings(live, boss)["counters"] == before  # nothing saved, nothing cut

        shorter = LONG_COUNTER.replace("Pengadaan Barang dan Jasa Pemerintah ", "")
        assert len(shorter) <= 100
        name.fill(shorter)
        section.locator("button.save").click()
        expect(section.locator(".notice")).to_have_text("Tersimpan.")
        assert settings(live, boss)["counters"][0]["name"] == shorter
    finally:
        page.context.close()


def test_an_office_address_and_a_priority_name_as_long_as_the_server_takes_are_saved_whole(browser, live, boss):
    """The page's own limits were lower than the server's: 300 characters of an address, 60 of a class's name."""
    address = ("Gedung Pelayanan Terpadu Lantai 2, Jl. Jenderal Sudirman No. 45, Kelurahan Sukamaju, " * 6)[:449] + "."
    assert len(address) == 450
    page = admin_page(browser, live, VIEWPORTS[0])
    try:
        key(page, "office.address").fill(address)
        expect(key(page, "office.address")).to_have_value(address)
        page.locator("#sec-office button.save").click()
        expect(page.locator("#sec-office .notice")).to_have_text("Tersimpan.")
        assert settings(live, boss)["office"]["address"] == address

        priority = "Permasalahan akun penyedia yang menghambat pemasukan penawaran tender"  # 69 characters
        key(page, "priority_classes[0].name").fill(priority)
        page.locator("#sec-priority_classes button.save").click()
        expect(page.locator("#sec-priority_classes .notice")).to_have_text("Tersimpan.")
        assert settings(live, boss)["priority_classes"][0]["name"] == priority

        over = address + " Kota Sukamaju" * 4  # 506: over the server's 500
        assert len(over) == 506
        key(page, "office.address").fill(over)
        page.locator("#sec-office button.save").click()
        expect(error_at(page, "office.address")).to_have_text("terlalu panjang (506 karakter; paling banyak 500)")
        expect(key(page, "office.address")).to_have_value(over)
        assert settings(live, boss)["office"]["address"] == address
    finally:
        page.context.close()


def test_an_officers_full_name_too_long_is_refused_at_its_input_and_kept_whole(browser, live, boss, tmp_path):
    full = "Siti Aminah Rahmawati Kusumaningrum Wijayakusuma Prasetyaningsih, S.Kom., M.T., Ahli Pengadaan Madya X"
    assert len(full) > 100
    page = admin_page(browser, live, VIEWPORTS[1])
    try:
        form = page.locator("#add-user")
        form.locator("[name=username]").fill("siti")
        form.locator("[name=password]").fill("rahasia-siti-123")
        form.locator("[name=full_name]").fill(full)
        form.locator("button[type=submit]").click()
        expect(error_at(page, "full_name")).to_contain_text("100")
        expect(form.locator("[name=full_name]")).to_have_value(full)
        expect(form.locator("[name=username]")).to_have_value("siti")
        shot(page, tmp_path, "full-name-too-long")
        users = boss.get(f"{live.url}/api/admin/users", timeout=5).json()
        assert "siti" not in {u["username"] for u in users["users"]}, users

        form.locator("[name=full_name]").fill("Siti Aminah, S.Kom.")
        form.locator("button[type=submit]").click()
        expect(page.locator("#users")).to_contain_text("Siti Aminah, S.Kom.")
    finally:
        page.context.close()


def test_a_service_added_with_no_counter_serving_it_is_said_so_with_where_to_tick_it(browser, live, boss, tmp_path):
    """The kiosk greys out a service no counter serves: the page that added it said only "Tersimpan.". Once a
    counter serves it, that notice says so no more."""
    page = admin_page(browser, live, VIEWPORTS[1])
    try:
        services = page.locator("#sec-services")
        services.locator("button.add").click()
        key(page, "services[3].code").fill("E")
        key(page, "services[3].name").fill("Pendaftaran Akun")
        services.locator("button.save").click()
        expect(services.locator(".notice")).to_have_text(
            "Tersimpan. Belum dilayani loket mana pun: E (Pendaftaran Akun). Kios menampilkannya abu-abu dan tidak "
            "memberi nomornya sampai kodenya dicentang pada sebuah loket di bagian Loket (lalu Simpan)."
        )
        services.scroll_into_view_if_needed()
        shot(page, tmp_path, "service-unserved")
        state = requests.get(f"{live.url}/api/state", timeout=5).json()
        assert "E" in {s["code"] for s in state["services"]}, state["services"]  # saved: the kiosk has it, greyed

        counters = page.locator("#sec-counters")
        key(page, "counters[0].services").locator('input[value="E"]').check()
        counters.locator("button.save").click()
        expect(counters.locator(".notice")).to_have_text("Tersimpan.")  # every service served now
        # and the services' notice no longer says E is served nowhere (it did, until the page was reloaded)
        expect(services.locator(".notice")).to_have_text("Tersimpan.")
        assert "E" in settings(live, boss)["counters"][0]["services"]
    finally:
        page.context.close()


@pytest.mark.parametrize(
    ("answers", "indonesian", "english"),
    [
        (  # the printer's web page port, or another device at its address
            {"online": b"HTTP/1.1 400 Bad Request\r\n"},
            "pengaturannya salah (config.toml) (bukan printer ESC/POS di {target}: jawabannya atas permintaan status"
            " b'HTTP/1.1 400 Bad')",
            "set up wrong (config.toml) (not an ESC/POS printer at {target}: its answer to the status query was"
            " b'HTTP/1.1 400 Bad')",
        ),
        (
            {"online": b"\x1a"},  # bit 3: offline (its cover open)
            "tidak siap (penutup terbuka, kertas habis atau macet) di {target}",
            "not ready (cover open, out of paper or jammed) (offline (cover open, paper out or error) at {target})",
        ),
        ({"paper": b"\x72"}, "kertas habis di {target}", "out of paper at {target}"),
    ],
    ids=["not-escpos", "offline", "paper-out"],
)
def test_printer_test_of_a_printer_that_answers_it_is_not_ready_says_so_in_indonesian(
    tmp_path, answers, indonesian, english
):
    """The admin setting up the kiosk's network printer ran `printer test kiosk` (README, "Going live"): a printer out
    of paper, one with its cover open, and the printer's web page's port were said in the Indonesian line in the
    driver's English (*"kertas habis (out of paper at 192.168.1.50:9100)"*)."""
    from conftest import write_config
    from fakeprinter import FakeNetworkPrinter
    from live import server_command

    fake = FakeNetworkPrinter(**answers)
    try:
        cfg = write_config(tmp_path, {'[printers.kiosk]\ntype = "dummy"': fake.table("kiosk")})
        r = server_command(["printer", "test", "kiosk", "--config", str(cfg)])
    finally:
        fake.stop()
    target = f"127.0.0.1:{fake.port}"
    said = r.stderr.splitlines()
    assert r.returncode == 1 and len(said) == 2, (r.returncode, r.stdout, r.stderr)
    assert said[0].startswith(f"kesalahan: printer kiosk: {indonesian.format(target=target)}"), said[0]
    assert said[1].startswith(f"error: printer kiosk: {english.format(target=target)}"), said[1]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
def test_a_password_too_short_is_said_at_the_top_of_the_accounts_not_only_form_incomplete(
    browser, live, boss, tmp_path, viewport
):
    """The top of the accounts said "Formulir belum lengkap atau ada isian yang salah." alone: what was wrong was under
    the password's input, out of sight on the old PC's screen. It says it at the top too, as the other sections do."""
    page = admin_page(browser, live, viewport)
    try:
        form = page.locator("#add-user")
        form.locator("[name=username]").fill("wati")
        form.locator("[name=password]").fill("abc12")
        form.locator("button[type=submit]").click()
        top = page.locator("#sec-users > .notice")
        expect(top).to_have_text("Kata sandi harus 8–200 karakter.")
        expect(error_at(page, "password")).to_have_text("Kata sandi harus 8–200 karakter.")
        expect(form.locator("[name=password]")).to_have_attribute("aria-invalid", "true")
        expect(form.locator("[name=password]")).to_have_value("abc12")
        top.scroll_into_view_if_needed()
        shot(page, tmp_path, "password-too-short")

        # two fields at fault: each named as its label says, a line each, in the form's order
        form.locator("[name=username]").fill("")
        form.locator("button[type=submit]").click()
        expect(top).to_have_text("Nama pengguna: Wajib diisi.\nKata sandi harus 8–200 karakter.")
        users = boss.get(f"{live.url}/api/admin/users", timeout=5).json()
        assert "wati" not in {u["username"] for u in users["users"]}, users

        # a row's new password: the same
        row = page.locator('#users tr[data-user="budi"]')
        row.locator("button", has_text="Ganti kata sandi").click()
        row.locator("[name=new-password]").fill("pendek")
        row.locator("form.reset button[type=submit]").click()
        expect(top).to_have_text("Kata sandi baru: Kata sandi harus 8–200 karakter.")
    finally:
        page.context.close()


@pytest.mark.parametrize(
    ("section", "column", "typed", "said"),
    [
        ("services", "code", "KONS", "Layanan baris 1, kode: harus 1-3 huruf kapital (isian: 'KONS')"),
        ("services", "prefix", "ABCD", "Layanan baris 1, awalan nomor: harus 1-3 huruf kapital (isian: 'ABCD')"),
    ],
    ids=["service-code", "service-prefix"],
)
def test_a_service_code_longer_than_three_letters_is_refused_whole_not_cut_as_typed(
    browser, live, boss, tmp_path, section, column, typed, said
):
    """The code's input had maxlength 3: "KONS" was "KON" as typed, without a word, and saved so."""
    before = settings(live, boss)[section]
    page = admin_page(browser, live, VIEWPORTS[1])
    try:
        code = key(page, f"{section}[0].{column}")
        code.fill(typed)
        expect(code).to_have_value(typed)  # whole: not cut at 3
        page.locator(f"#sec-{section} button.save").click()
        expect(page.locator(f"#sec-{section} .notice")).to_have_text(f"Pengaturan tidak valid: {said}")
        expect(code).to_have_attribute("aria-invalid", "true")
        expect(code).to_have_value(typed)
        page.locator(f"#sec-{section}").scroll_into_view_if_needed()
        shot(page, tmp_path, f"{section}-{column}-too-long")
        assert settings(live, boss)[section] == before
    finally:
        page.context.close()


def test_a_priority_class_code_longer_than_ten_characters_is_saved_whole(browser, live, boss):
    """The code's input had maxlength 10 where the server takes any code: "P1-MENDESAK" was saved "P1-MENDESA"."""
    page = admin_page(browser, live, VIEWPORTS[1])
    try:
        code = key(page, "priority_classes[0].code")
        code.fill("P1-MENDESAK")
        expect(code).to_have_value("P1-MENDESAK")
        page.locator("#sec-priority_classes button.save").click()
        expect(page.locator("#sec-priority_classes .notice")).to_have_text("Tersimpan.")
        assert settings(live, boss)["priority_classes"][0]["code"] == "P1-MENDESAK"
    finally:
        page.context.close()


# the room a text has in an input: its content box, less a number input's spin buttons (Chromium keeps their place)
ROOM = """(input) => {
  const style = getComputedStyle(input);
  const context = document.createElement("canvas").getContext("2d");
  context.font = style.font;
  const spin = input.type === "number" ? 16 : 0;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - spin;
  return { text: input.placeholder, needs: context.measureText(input.placeholder).width, room };
}"""


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}x{v['height']}")
@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_daily_quotas_placeholder_is_whole_in_its_input_and_no_other_column_is_cut(
    browser, live, boss, tmp_path, viewport, lang
):
    """On the old 1024x768 monitor the empty daily quota's placeholder was cut ("tanp…"): what an empty one means
    was not to be read. Whole, in both languages, and the services table still within its panel."""
    page = admin_page(browser, live, viewport)
    try:
        if lang == "en":
            page.locator("#lang-toggle").click()
            expect(page.locator("#sec-services th").nth(3)).to_have_text("Daily quota")
        services = page.locator("#sec-services")
        quotas = services.locator('[data-key$=".daily_quota"]')
        expect(quotas).to_have_count(3)
        for i in range(3):
            fit = quotas.nth(i).evaluate(ROOM)
            assert fit["text"] and fit["needs"] <= fit["room"], fit
            assert quotas.nth(i).get_attribute("title"), "the placeholder's meaning in full, on hover"
        for column in ("code", "name", "prefix"):
            fit = key(page, f"services[0].{column}").evaluate("(x) => [x.scrollWidth, x.clientWidth]")
            assert fit[0] <= fit[1], (column, fit)
        prefix = key(page, "services[0].prefix").evaluate(ROOM)
        assert prefix["needs"] <= prefix["room"], prefix
        name = key(page, "services[0].name").evaluate("(x) => x.clientWidth")
        assert name >= 120, name  # a name still has room to be read
        table = services.locator("table").evaluate("(t) => [t.scrollWidth, t.parentElement.clientWidth]")
        assert table[0] <= table[1], table
        services.scroll_into_view_if_needed()
        shot(page, tmp_path, f"services-quota-{lang}")
    finally:
        page.context.close()


def test_the_start_says_which_of_a_list_sections_values_is_in_use_and_what_differs_from_config_toml(tmp_path):
    """At the server's start (and `settings show`) a list section saved on the admin page was said
    "services: config.toml 3 baris (baris 1 berbeda), halaman admin 3 baris (baris 1 berbeda)": the same words on
    both sides, neither which one was in use nor what differed. The admin page's marked as the one in use; each differing
    value of a row (the row by its code), a row only one side has, with both sides."""
    import json

    from conftest import write_config
    from live import server_command

    from server.config import load_settings

    cfg = write_config(tmp_path)
    settings = load_settings(cfg)
    services = [{"code": s.code, "name": s.name, "prefix": s.prefix} for s in settings.services]
    file_name = services[0]["name"]
    services[0]["name"] = "Konsultasi Penyedia Jasa"
    services[2]["prefix"] = "R"
    services.append({"code": "E", "name": "Pendaftaran Akun"})
    counters = [{"id": c.id, "name": c.name, "services": list(c.services)} for c in settings.counters]
    file_services = counters[1]["services"]
    counters[1]["services"] = [*file_services, "E"]
    del counters[2]
    for section, value in (("services", services), ("counters", counters)):
        r = server_command(["settings", "set", section, json.dumps(value), "--config", str(cfg)])
        assert r.returncode == 0, r.stderr
    r = server_command(["settings", "show", "--config", str(cfg)])
    assert r.returncode == 0, r.stderr
    said = r.stderr.splitlines()
    n = len(said) // 2
    assert said[: n - 1] == [
        "Disimpan di halaman admin, dipakai menggantikan config.toml:",
        "  services: config.toml 3 baris, halaman admin 4 baris (yang dipakai); yang berbeda:",
        f'    Layanan baris 1 (A), nama: config.toml "{file_name}", halaman admin "Konsultasi Penyedia Jasa"',
        '    Layanan baris 3 (C), awalan nomor: config.toml "C", halaman admin "R"',
        "    Layanan baris 4 (E): hanya di halaman admin",
        "  counters: config.toml 3 baris, halaman admin 2 baris (yang dipakai); yang berbeda:",
        f"    Loket baris 2 (2), layanan: config.toml {json.dumps(file_services)},"
        f" halaman admin {json.dumps([*file_services, 'E'])}",
        "    Loket baris 3 (3) di config.toml: tidak ada di halaman admin, tidak dipakai",
    ], said
    assert said[n : 2 * n - 1] == [
        "Saved on the admin page, used instead of config.toml:",
        "  services: config.toml 3 rows, admin page 4 rows (the one in use); what differs:",
        f'    Service row 1 (A), name: config.toml "{file_name}", admin page "Konsultasi Penyedia Jasa"',
        '    Service row 3 (C), number prefix: config.toml "C", admin page "R"',
        "    Service row 4 (E): on the admin page only",
        "  counters: config.toml 3 rows, admin page 2 rows (the one in use); what differs:",
        f"    Counter row 2 (2), services: config.toml {json.dumps(file_services)},"
        f" admin page {json.dumps([*file_services, 'E'])}",
        "    Counter row 3 (3) in config.toml: not on the admin page, not in use",
    ], said
    assert "berbeda)" not in r.stderr and "differs)" not in r.stderr
