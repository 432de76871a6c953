"""Administration without editing files: changes validated like config.toml, applied live, logged, kept."""

from __future__ import annotations

import json
import re

from conftest import add_user, login, visitor, write_config
from live import server_command

from server.app import create_app


def refused_start(config_path, clock, match: str) -> None:
    """create_app refuses to start (a ConfigError matching `match`), and closes the database it opened before
    refusing (it left that Store open: Python 3.13 warned of its connection, garbage-collected unclosed, in
    whichever test it was collected)."""
    import pytest

    from server.config import ConfigError
    from server.store import Store

    opened: list[Store] = []

    class Kept(Store):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            opened.append(self)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("server.app.Store", Kept)
        with pytest.raises(ConfigError, match=match):
            create_app(config_path, workers=False, clock=clock)
    assert opened, "create_app opened no store"
    for store in opened:
        assert store._all == [], "the refused start left its database open"  # every connection it opened, closed


def put(client, h, section, value):
    return client.put(f"/api/admin/settings/{section}", json={"value": value}, headers=h)


def test_services_and_counters_change_live_and_survive_a_restart(app, client, config_path, clock):
    h = login(app, client, "boss", "admin")
    services = client.get("/api/admin/settings", headers=h).get_json()["services"]
    services[0]["name"] = "Konsultasi Penyedia (Vendor)"
    services.append({"code": "D", "name": "Pengaduan Layanan", "prefix": "D"})
    assert put(client, h, "services", services).status_code == 200
    counters = client.get("/api/admin/settings", headers=h).get_json()["counters"]
    counters[0]["services"] = ["A", "D"]
    assert put(client, h, "counters", counters).status_code == 200
    state = client.get("/api/state").get_json()
    assert state["services"][0]["name"] == "Konsultasi Penyedia (Vendor)"
    assert [s["code"] for s in state["services"]] == ["A", "B", "C", "D"]
    assert state["counters"][0]["services"] == ["A", "D"]
    r = client.post("/api/tickets", json=visitor(service="D"))
    assert r.status_code == 201 and r.get_json()["ticket"]["label"] == "D-001"
    officer = app.test_client()
    oh = login(app, officer, "budi")
    assert officer.post("/api/counters/1/call-next", headers=oh).get_json()["ticket"]["label"] == "D-001"
    with app.extensions["antrian"].store.read() as tx:
        logged = tx.rows("SELECT actor, data FROM events WHERE type = 'settings_changed'")
    assert [r["actor"] for r in logged] == ["boss", "boss"]
    app.extensions["antrian"].stop()
    again = create_app(config_path, workers=False, clock=clock)  # a restart keeps what the admin changed
    assert [s.code for s in again.extensions["antrian"].settings.services] == ["A", "B", "C", "D"]
    again.extensions["antrian"].stop()
    again.extensions["antrian"].store.close()


def test_bad_values_are_refused_naming_the_key(app, client):
    h = login(app, client, "boss", "admin")
    r = put(client, h, "services", [{"code": "a1", "name": "x"}])
    assert r.status_code == 422 and "services[0].code" in r.get_json()["fields"]
    r = put(client, h, "queue", {"max_calls": 0})
    assert r.status_code == 422 and "queue.max_calls" in r.get_json()["fields"]
    r = put(client, h, "printers", {})
    assert r.status_code == 422 and r.get_json()["error"] == "not_editable_section"
    assert r.get_json()["message"].startswith("[printers] tidak bisa diubah di sini, hanya di config.toml")
    r = put(client, h, "office", {"timezone": "Asia/Jayapura"})
    assert r.status_code == 422 and r.get_json()["fields"] == {
        "timezone": "Bagian ini tidak bisa diubah dari halaman admin."
    }
    assert r.get_json()["message"] == (
        "office.timezone tidak bisa diubah di sini, hanya di config.toml (lalu jalankan ulang server). "
        "Dari [office], yang bisa: name, address, public_url, language."
    )
    assert client.get("/api/state").get_json()["services"][0]["name"] == "Konsultasi Penyedia"


def _refused_cases(current: dict) -> list[tuple[str, object, str, str, str, str, str]]:
    """(section, value, key in `fields`, Indonesian message and field text, English message and field text)."""
    counters = [dict(c) for c in current["counters"]]
    counters[0]["services"] = ["A", "X"]
    services = [dict(s) for s in current["services"]]
    services[1]["prefix"] = "A"
    hours = dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"), "")
    hours |= {"monday": "25:00-26:00", "holidays": [], "last_ticket_minutes": 0}
    return [
        (
            "counters",
            counters,
            "counters[0].services",
            "Pengaturan tidak valid: Loket baris 1, layanan: layanan 'X' tidak dikenal",
            "layanan 'X' tidak dikenal",
            "Invalid setting: Counter row 1, services: unknown service 'X'",
            "unknown service 'X'",
        ),
        (
            "services",
            services,
            "services[1].prefix",
            "Pengaturan tidak valid: Layanan baris 2, awalan nomor: awalan 'A' dipakai dua kali",
            "awalan 'A' dipakai dua kali",
            "Invalid setting: Service row 2, number prefix: duplicate prefix 'A'",
            "duplicate prefix 'A'",
        ),
        (
            "hours",
            hours,
            "hours.monday",
            "Pengaturan tidak valid: Senin: '25:00-26:00' bukan jam yang ada (00:00-24:00)",
            "'25:00-26:00' bukan jam yang ada (00:00-24:00)",
            "Invalid setting: Monday: '25:00-26:00' is not a time of day (00:00-24:00)",
            "'25:00-26:00' is not a time of day (00:00-24:00)",
        ),
        (
            "queue",
            {"max_calls": 99},
            "queue.max_calls",
            "Pengaturan tidak valid: Panggilan per tiket: harus 1-10 (isian: 99)",
            "harus 1-10 (isian: 99)",
            "Invalid setting: Calls per ticket: must be 1-10 (got 99)",
            "must be 1-10 (got 99)",
        ),
        (
            "kiosk",
            {"addresses": ["192.168.1.20", "192.168.1.300"]},
            "kiosk.addresses",
            "Pengaturan tidak valid: Alamat IP kios: '192.168.1.300' bukan alamat IP atau jaringan (mis. 192.168.1.0/24)",
            "'192.168.1.300' bukan alamat IP atau jaringan (mis. 192.168.1.0/24)",
            "Invalid setting: Kiosk IP addresses: '192.168.1.300' is not an IP address or network (e.g. 192.168.1.0/24)",
            "'192.168.1.300' is not an IP address or network (e.g. 192.168.1.0/24)",
        ),
        (
            "kiosk",
            {"idle_seconds": 60, "idle": 5},
            "kiosk.idle",
            "Pengaturan tidak valid: Kios, idle: kunci tidak dikenal",
            "kunci tidak dikenal",
            "Invalid setting: Kiosk, idle: unknown key",
            "unknown key",
        ),
    ]


# What the config parser says in English: none of it may reach an Indonesian admin.
ENGLISH = re.compile(r"\b(must|missing|unknown|duplicate|got|already|integer|string|row|not a|is not|too long)\b")


def test_a_refused_setting_is_said_in_the_admins_language_naming_the_row_as_the_page_numbers_it(app, client):
    """An Indonesian admin read "Pengaturan tidak valid: counters[0].services: unknown service 'X'": the
    parser's English and a row numbered from 0. The refusal names the field as the page labels it, rows
    from 1, in the page's language; `fields` keeps the key (the page marks that input) with the problem."""
    h = login(app, client, "boss", "admin")
    current = client.get("/api/admin/settings", headers=h).get_json()
    for section, value, key, id_message, id_field, en_message, en_field in _refused_cases(current):
        for lang, text, field in (("id", id_message, id_field), ("en", en_message, en_field)):
            r = client.put(f"/api/admin/settings/{section}", json={"value": value}, headers={**h, "X-Lang": lang})
            assert r.status_code == 422, r.get_json()
            body = r.get_json()
            problems = [{"field": key, "label": text.split(": ", 2)[1], "message": text.split(": ", 1)[1]}]
            assert body == {"error": "config_invalid", "message": text, "fields": {key: field}, "problems": problems}, (
                body
            )
            if lang == "id":
                assert not ENGLISH.search(body["message"]), body
        r = client.put(f"/api/admin/settings/{section}", json={"value": value}, headers=h)  # no language asked
        assert r.get_json()["message"] == id_message
    assert client.get("/api/admin/settings", headers=h).get_json() == current  # nothing was changed


def test_the_command_line_names_the_key_as_config_toml_does_and_no_error_code(config_path):
    """`settings set` said "kesalahan: config_invalid: …": the program's code in the admin's sentence. It says
    that nothing was changed, and why, naming the key as config.toml does; the code is for a script, which has
    the exit status."""
    counters = '[{"id": 1, "name": "Loket 1", "services": ["A", "X"]}]'
    r = server_command(["settings", "set", "counters", counters, "--config", str(config_path)])
    assert r.returncode == 2
    english = "error: settings not changed: the 1st [[counters]] (id = 1), key services: unknown service 'X'"
    indonesian, said = r.stderr.splitlines()
    assert said == english, r.stderr
    assert (
        indonesian
        == "kesalahan: pengaturan tidak diubah: [[counters]] ke-1 (id = 1), kunci services: layanan 'X' tidak dikenal"
    )
    for args in (
        ["set", "services", '[{"code": "d1", "name": "d"}]'],
        ["set", "printers", "{}"],
        ["reset", "printers"],
    ):
        r = server_command(["settings", *args, "--config", str(config_path)])
        assert r.returncode == 2 and r.stdout == "", r
        indonesian, english = r.stderr.splitlines()
        assert indonesian.startswith("kesalahan: pengaturan tidak diubah: "), r.stderr
        assert english.startswith("error: settings not changed: "), r.stderr
        assert not re.search(r"\b[a-z]+_[a-z_]+:", r.stderr), r.stderr  # config_invalid:, not_editable_section:
    assert "hanya di config.toml" in indonesian and "only in config.toml" in english  # and what to do


def test_a_service_with_waiting_tickets_keeps_a_counter_and_cannot_be_removed(app, client):
    """Its visitors would wait for a call that never comes: the last counter serving it cannot drop it
    (and a service still named by a counter cannot go), until they are served or cancelled."""
    ticket = client.post("/api/tickets", json=visitor(service="C")).get_json()["ticket"]
    h = login(app, client, "boss", "admin")
    services = client.get("/api/admin/settings", headers=h).get_json()["services"][:2]
    counters = [{"id": 1, "name": "Loket 1", "services": ["A"]}, {"id": 2, "name": "Loket 2", "services": ["B"]}]
    r = put(client, h, "counters", counters)
    assert r.status_code == 409 and r.get_json()["error"] == "service_unserved"
    assert r.get_json()["message"].startswith("Layanan Registrasi & Verifikasi Akun masih punya antrian menunggu")
    r = put(client, h, "services", services)  # Loket 1 and 3 still serve C, whose visitor waits: both said
    assert r.status_code == 409 and r.get_json()["error"] == "service_in_use", r.get_json()
    assert "Layanan C juga masih dilayani Loket 1, Loket 3: setelah antriannya habis," in r.get_json()["message"]
    assert client.get("/api/state").get_json()["services"][2]["served"] is True  # nothing changed
    assert client.post(f"/api/tickets/{ticket['token']}/cancel", json={}, headers=h).status_code == 200
    assert put(client, h, "counters", counters).status_code == 200
    assert put(client, h, "services", services).status_code == 200


def test_a_prefix_cannot_change_once_today_s_numbers_carry_it(app, client):
    client.post("/api/tickets", json=visitor(service="B"))
    h = login(app, client, "boss", "admin")
    services = client.get("/api/admin/settings", headers=h).get_json()["services"]
    services[1]["prefix"] = "X"
    r = put(client, h, "services", services)
    assert r.status_code == 409 and r.get_json()["error"] == "prefix_change_today"
    assert "services[1].prefix" in r.get_json()["fields"]
    services[2]["prefix"] = "Y"  # C has no ticket today: its prefix may change
    services[1]["prefix"] = "B"
    assert put(client, h, "services", services).status_code == 200


def test_an_account_bound_to_a_removed_counter_is_unbound_and_can_work(app, client):
    add_user(app, "sari", "officer", counter_id=3)
    h = login(app, client, "boss", "admin")
    counters = client.get("/api/admin/settings", headers=h).get_json()["counters"][:2]
    counters[0]["services"] = ["A", "C"]
    counters[1]["services"] = ["A", "B"]
    assert put(client, h, "counters", counters).status_code == 200
    users = {u["username"]: u for u in client.get("/api/admin/users", headers=h).get_json()["users"]}
    assert users["sari"]["counter_id"] is None
    with app.extensions["antrian"].store.read() as tx:
        logged = tx.rows("SELECT actor, data FROM events WHERE type = 'user_changed' ORDER BY seq")
    assert [(r["actor"], json.loads(r["data"])) for r in logged][-1] == (
        "boss",
        {"username": "sari", "change": "counter", "counter_id": None},
    )
    sari = app.test_client()
    r = sari.post("/api/login", json={"username": "sari", "password": "rahasia-123"})
    hs = {"X-CSRFToken": r.get_json()["csrf_token"]}
    client.post("/api/tickets", json=visitor())
    r = sari.post("/api/counters/2/call-next", json={}, headers=hs)  # bound to Loket 3 she got 403 on every counter
    assert r.status_code == 200 and r.get_json()["ticket"]["label"] == "A-001"


def test_max_calls_change_applies_at_once(app, client):
    client.post("/api/tickets", json=visitor())
    h = login(app, client, "boss", "admin")
    assert put(client, h, "queue", {"max_calls": 2}).status_code == 200
    client.post("/api/counters/1/call-next", headers=h)
    assert client.post("/api/counters/1/recall", headers=h).status_code == 200
    assert client.post("/api/counters/1/recall", headers=h).get_json()["error"] == "calls_exhausted"


def test_users_are_added_reset_and_disabled_by_an_admin_only(app, client):
    h = login(app, client, "boss", "admin")
    r = client.post(
        "/api/admin/users", json={"username": "Dewi", "password": "sandi-awal-1", "role": "officer"}, headers=h
    )
    assert r.status_code == 201 and r.get_json()["user"]["username"] == "dewi"
    assert (
        client.post(
            "/api/admin/users", json={"username": "dewi", "password": "sandi-awal-1", "role": "officer"}, headers=h
        ).status_code
        == 409
    )
    assert client.post(
        "/api/admin/users", json={"username": "x", "password": "1", "role": "king"}, headers=h
    ).get_json()["fields"].keys() == {"username", "password", "role"}
    dewi = app.test_client()
    assert dewi.post("/api/login", json={"username": "dewi", "password": "sandi-awal-1"}).status_code == 200
    assert (
        client.post("/api/admin/users/dewi/password", json={"password": "sandi-baru-22"}, headers=h).status_code == 200
    )
    assert (
        app.test_client().post("/api/login", json={"username": "dewi", "password": "sandi-baru-22"}).status_code == 200
    )
    assert client.post("/api/admin/users/dewi/active", json={"active": False}, headers=h).status_code == 200
    assert dewi.get("/api/me").status_code == 401  # a disabled account's session stops at once
    assert client.post("/api/admin/users/boss/active", json={"active": False}, headers=h).status_code == 409
    names = [u["username"] for u in client.get("/api/admin/users", headers=h).get_json()["users"]]
    assert names == ["boss", "dewi"]
    officer = app.test_client()
    oh = login(app, officer, "budi")
    assert officer.get("/api/admin/users", headers=oh).status_code == 403
    assert officer.put("/api/admin/settings/queue", json={"value": {}}, headers=oh).status_code == 403


def test_command_line_changes_settings_and_a_running_server_picks_them_up(app, client, config_path):
    svc = app.extensions["antrian"]
    assert svc.reload_settings_if_changed() is False  # the first look
    events = []
    svc.publish = events.extend
    r = server_command(["settings", "set", "office", '{"name": "LPSE Kota Baru"}', "--config", str(config_path)])
    assert r.returncode == 0, r.stderr
    assert svc.reload_settings_if_changed() is True
    assert client.get("/api/state").get_json()["office"]["name"] == "LPSE Kota Baru"
    assert [e["type"] for e in events] == ["settings_changed"]
    r = server_command(["settings", "set", "queue", '{"max_calls": 99}', "--config", str(config_path)], timeout=60)
    assert r.returncode == 2 and "queue.max_calls" in r.stderr
    r = server_command(["settings", "show", "--config", str(config_path)], timeout=60)
    assert '"name": "LPSE Kota Baru"' in r.stdout


def test_command_line_disables_and_enables_an_account(app, client, config_path):
    h = login(app, client, "budi")
    assert h
    # enabling again does not revive the old session: its officer logs in again
    for verb, code in (("disable", 401), ("enable", 401)):
        r = server_command(["users", verb, "budi", "--config", str(config_path)], timeout=60)
        assert r.returncode == 0, r.stderr
        assert client.get("/api/me").status_code == code
    assert client.post("/api/login", json={"username": "budi", "password": "rahasia-123"}).status_code == 200


def test_a_service_removed_from_the_file_while_its_tickets_wait_stops_the_start(app, client, config_path, clock):
    label = client.post("/api/tickets", json=visitor(service="C")).get_json()["ticket"]["label"]
    app.extensions["antrian"].stop()
    text = config_path.read_text(encoding="utf-8")
    text = text.replace('[[services]]\ncode = "C"\nname = "Registrasi & Verifikasi Akun"\nprefix = "C"\n', "")
    text = text.replace('services = ["A", "C"]', 'services = ["A"]').replace(
        'services = ["B", "C"]', 'services = ["B"]'
    )
    config_path.write_text(text, encoding="utf-8")
    refused_start(config_path, clock, r"services: C \(1 waiting\) removed.*put it back")
    with app.extensions["antrian"].store.read() as tx:  # nothing lost
        assert tx.one("SELECT status FROM tickets WHERE label = ?", [label])["status"] == "waiting"
    clock.advance(days=1)  # the next day its tickets are no longer waiting today: it starts
    again = create_app(config_path, workers=False, clock=clock)
    assert [s.code for s in again.extensions["antrian"].settings.services] == ["A", "B"]
    again.extensions["antrian"].stop()
    again.extensions["antrian"].store.close()


def test_a_stored_change_that_no_longer_fits_the_file_is_named_and_reset_from_the_command_line(config_path, clock):
    """An admin's stored counters name service C; then config.toml loses C. Every command said only the
    key: the message names the stored change and the way back, and `settings` still runs to take it."""
    counters = '[{"id": 1, "name": "Loket 1", "services": ["A", "C"]}, {"id": 2, "name": "Loket 2", "services": ["B"]}]'
    r = server_command(["settings", "set", "counters", counters, "--config", str(config_path)])
    assert r.returncode == 0, r.stderr
    text = config_path.read_text(encoding="utf-8")
    text = text.replace('[[services]]\ncode = "C"\nname = "Registrasi & Verifikasi Akun"\nprefix = "C"\n', "")
    text = text.replace('services = ["A", "C"]', 'services = ["A"]').replace(
        'services = ["B", "C"]', 'services = ["B"]'
    )
    config_path.write_text(text, encoding="utf-8")
    from shared.runtime import python_command  # the Python the command line names (.venv/bin/python)

    python = python_command()
    way_back = f"from the change of [counters] saved on the admin page; to use config.toml's again: {python} -m server settings reset counters"
    r = server_command(["users", "list", "--config", str(config_path)])
    where = "the 1st [[counters]] (id = 1), key services"
    assert r.returncode == 2 and f"\nconfig error: {where}: " in r.stderr and way_back in r.stderr
    assert r.stderr.startswith("kesalahan konfigurasi: [[counters]] ke-1 (id = 1), kunci services: "), r.stderr
    first = r.stderr.splitlines()[0]  # the way back in Indonesian too
    assert first.endswith(
        f"(dari perubahan [counters] yang disimpan di halaman admin; untuk memakai nilai config.toml lagi: {python} -m server settings reset counters)"
    ), first
    refused_start(config_path, clock, r"settings reset counters")
    r = server_command(["settings", "show", "--config", str(config_path)])
    assert r.returncode == 0 and way_back in r.stderr and '"Loket 3"' in r.stdout  # the file's counters meanwhile
    assert r.stderr.startswith("catatan: [[counters]] ke-1 (id = 1), kunci services: "), r.stderr
    assert f"\nnote: {where}: " in r.stderr, r.stderr
    r = server_command(["settings", "reset", "counters", "--config", str(config_path)])
    assert r.returncode == 0 and "counters is config.toml's again" in r.stdout, r.stderr
    assert r.stdout.startswith("pengaturan: counters kembali ke nilai config.toml"), r.stdout
    r = server_command(["users", "list", "--config", str(config_path)])
    assert r.returncode == 0, r.stderr
    r = server_command(["settings", "reset", "counters", "--config", str(config_path)])
    assert r.returncode == 0 and "has no stored change" in r.stdout
    r = server_command(["settings", "reset", "printers", "--config", str(config_path)])
    assert r.returncode == 2 and "error: settings not changed: [printers] cannot be changed here" in r.stderr
    r = server_command(["settings", "set", "office", '{"timezone": "Asia/Jayapura"}', "--config", str(config_path)])
    assert r.returncode == 2, r.stdout
    assert "error: settings not changed: office.timezone cannot be changed here, only in config.toml" in r.stderr
    app = create_app(config_path, workers=False, clock=clock)
    try:
        with app.extensions["antrian"].store.read() as tx:
            logged = tx.rows("SELECT actor, data FROM events WHERE type = 'settings_changed' ORDER BY seq")
        assert [(r["actor"], {k: v for k, v in json.loads(r["data"]).items() if k != "changes"}) for r in logged] == [
            ("cli", {"section": "counters"}),
            ("cli", {"section": "counters", "reset": True}),
        ]
    finally:
        app.extensions["antrian"].stop()
        app.extensions["antrian"].store.close()


def test_back_to_config_toml_drops_a_sections_saved_values_live_for_an_admin_only(app, client):
    """DELETE /api/admin/settings/<section> (the admin page's Kembali ke config.toml) is `settings reset
    SECTION`: what was saved goes, config.toml's values are in use at once (no reload left for the server's
    maintenance loop to make), logged; the settings' `overridden` names what a saved value hides."""
    svc = app.extensions["antrian"]
    assert svc.reload_settings_if_changed() is False  # the maintenance loop's first look
    anonymous, officer = app.test_client(), app.test_client()
    oh = login(app, officer, "budi")
    for who, headers, refused in ((anonymous, {}, 401), (officer, oh, 403)):
        assert who.delete("/api/admin/settings/kiosk", headers=headers).status_code == refused
        assert who.get("/api/admin/settings", headers=headers).status_code == refused
    h = login(app, client, "boss", "admin")
    assert client.delete("/api/admin/settings/kiosk").get_json()["error"] == "csrf"  # a write: its CSRF header

    def elsewhere():  # a device that is not one of the kiosks
        return anonymous.post("/api/tickets", json=visitor(), environ_base={"REMOTE_ADDR": "192.168.1.66"})

    r = put(client, h, "kiosk", {"addresses": ["192.168.1.20"]})
    assert r.get_json()["overridden"] == [{"key": "kiosk.addresses", "file": [], "value": ["192.168.1.20/32"]}]
    assert elsewhere().status_code == 403
    assert svc.reload_settings_if_changed() is False  # applied by the save itself
    r = put(client, h, "office", {"public_url": "http://192.168.1.10:8080"})
    assert [x["key"] for x in r.get_json()["overridden"]] == ["office.public_url", "kiosk.addresses"]

    r = client.delete("/api/admin/settings/kiosk", headers=h)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["kiosk"]["addresses"] == []
    assert r.get_json()["overridden"] == [
        {"key": "office.public_url", "file": "http://127.0.0.1:8080", "value": "http://192.168.1.10:8080"}
    ]
    assert svc.settings.kiosk.addresses == () and elsewhere().status_code == 201  # live, at once
    assert svc.settings.office.public_url == "http://192.168.1.10:8080"  # the other section's saved value stays
    assert svc.reload_settings_if_changed() is False  # nothing left for the maintenance loop to apply
    assert _saved(app) == {"office": {"public_url": "http://192.168.1.10:8080"}}
    assert client.delete("/api/admin/settings/kiosk", headers=h).status_code == 200  # nothing saved: the same
    r = client.delete("/api/admin/settings/printers", headers=h)
    assert r.status_code == 422 and r.get_json()["error"] == "not_editable_section"

    # Refused as a save is when config.toml's list would strand today's tickets: service D is not in it.
    services = client.get("/api/admin/settings", headers=h).get_json()["services"]
    assert put(client, h, "services", [*services, {"code": "D", "name": "Pengaduan"}]).status_code == 200
    counters = client.get("/api/admin/settings", headers=h).get_json()["counters"]
    counters[0]["services"] = [*counters[0]["services"], "D"]
    assert put(client, h, "counters", counters).status_code == 200
    assert anonymous.post("/api/tickets", json=visitor(service="D")).status_code == 201
    r = client.delete("/api/admin/settings/counters", headers=h)
    assert r.status_code == 409 and r.get_json()["error"] == "service_unserved", r.get_json()
    assert "D" in svc.settings.counter(1).services and "counters" in _saved(app)  # nothing changed
    # Nor does a reset that would leave another saved section unfit for config.toml (the saved counters name
    # D, which only the saved services have): it answered as done, with nothing applied; now it says why.
    r = client.delete("/api/admin/settings/services", headers=h)
    assert r.status_code == 422 and r.get_json()["error"] == "config_invalid", r.get_json()
    assert any(k.startswith("counters") for k in r.get_json()["fields"]), r.get_json()
    assert "services" in _saved(app) and any(s.code == "D" for s in svc.settings.services)  # nothing changed
    with svc.store.read() as tx:
        logged = tx.rows("SELECT actor, data FROM events WHERE type = 'settings_changed' ORDER BY seq")
    # (what changed, `changes`: tests/test_admin_midday.py)
    assert [(r["actor"], {k: v for k, v in json.loads(r["data"]).items() if k != "changes"}) for r in logged] == [
        ("boss", {"section": "kiosk"}),
        ("boss", {"section": "office"}),
        ("boss", {"section": "kiosk", "reset": True}),
        ("boss", {"section": "services"}),
        ("boss", {"section": "counters"}),
    ]


def _saved(app) -> dict:
    with app.extensions["antrian"].store.read() as tx:
        return tx.settings_overrides()


def test_a_save_keeps_only_what_differs_from_config_toml_so_a_later_edit_of_the_file_shows(
    app, client, config_path, clock
):
    """An admin renamed the office on the page, whose save sent all four keys; later public_url was set in
    config.toml and the server restarted: the tickets' QR codes kept 127.0.0.1, the saved section winning
    over the file. Only what differs from config.toml is stored, and a table's keys not sent keep their
    saved value (the page sends the changed keys only)."""
    h = login(app, client, "boss", "admin")
    current = client.get("/api/admin/settings", headers=h).get_json()
    office = {k: v for k, v in current["office"].items() if k != "timezone"}
    assert put(client, h, "office", {**office, "name": "LPSE Kota Baru"}).status_code == 200
    assert _saved(app) == {"office": {"name": "LPSE Kota Baru"}}
    assert put(client, h, "office", {"address": "Jl. Baru No. 1"}).status_code == 200
    assert _saved(app) == {"office": {"name": "LPSE Kota Baru", "address": "Jl. Baru No. 1"}}
    r = put(client, h, "office", {"address": office["address"]})  # config.toml's value again: not kept
    assert r.status_code == 200 and r.get_json()["office"]["name"] == "LPSE Kota Baru"
    assert _saved(app) == {"office": {"name": "LPSE Kota Baru"}}
    assert put(client, h, "queue", current["queue"]).status_code == 200  # all of it the file's: nothing kept
    assert put(client, h, "services", current["services"]).status_code == 200
    assert _saved(app) == {"office": {"name": "LPSE Kota Baru"}}
    with app.extensions["antrian"].store.read() as tx:  # the three that changed something are logged, not the two
        assert len(tx.rows("SELECT seq FROM events WHERE type = 'settings_changed'")) == 3
    app.extensions["antrian"].stop()
    text = config_path.read_text(encoding="utf-8")
    config_path.write_text(text.replace("http://127.0.0.1:8080", "http://192.168.1.10:8080"), encoding="utf-8")
    again = create_app(config_path, workers=False, clock=clock)  # README step 1: config.toml, a restart
    try:
        office = again.extensions["antrian"].settings.office
        assert (office.name, office.public_url) == ("LPSE Kota Baru", "http://192.168.1.10:8080")
        ticket = again.test_client().post("/api/tickets", json=visitor()).get_json()["ticket"]
        assert ticket["status_url"].startswith("http://192.168.1.10:8080/t/"), ticket
    finally:
        again.extensions["antrian"].stop()
        again.extensions["antrian"].store.close()


def test_show_and_the_start_name_each_config_toml_value_a_saved_one_hides_and_the_way_back(app, config_path):
    """`settings show` (on stderr: stdout stays JSON) names each config.toml value a saved one is used
    instead of, with both values, and `settings reset SECTION`; a reset reaches a running server."""
    svc = app.extensions["antrian"]
    assert svc.reload_settings_if_changed() is False  # the first look
    r = server_command(
        ["settings", "set", "office", '{"public_url": "http://127.0.0.1:9999"}', "--config", str(config_path)]
    )
    assert r.returncode == 0, r.stderr
    assert (
        server_command(["settings", "set", "queue", '{"max_calls": 2}', "--config", str(config_path)]).returncode == 0
    )
    text = config_path.read_text(encoding="utf-8")
    config_path.write_text(text.replace("http://127.0.0.1:8080", "http://192.168.1.10:8080"), encoding="utf-8")
    r = server_command(["settings", "show", "--config", str(config_path)])
    assert r.returncode == 0 and json.loads(r.stdout)["office"]["public_url"] == "http://127.0.0.1:9999"
    assert 'office.public_url: config.toml "http://192.168.1.10:8080", admin page "http://127.0.0.1:9999"' in r.stderr
    assert "queue.max_calls: config.toml 3, admin page 2" in r.stderr
    assert "settings reset office" in r.stderr and "settings reset queue" in r.stderr
    assert "office.name" not in r.stderr  # not saved: config.toml's
    assert svc.reload_settings_if_changed() is True
    for section in ("office", "queue"):  # the last one too: config.toml's alone again, live
        assert server_command(["settings", "reset", section, "--config", str(config_path)]).returncode == 0
        assert svc.reload_settings_if_changed() is True
    assert (svc.settings.office.public_url, svc.settings.queue.max_calls) == ("http://192.168.1.10:8080", 3)
    r = server_command(["settings", "show", "--config", str(config_path)])
    assert r.returncode == 0 and r.stderr == ""


def test_saved_service_hours_are_kept_whole_so_the_start_needs_no_hours_in_config_toml(tmp_path, clock):
    """The days of [hours] have no defaults: kept alone (the one day changed), the saved week stopped the start
    once config.toml lost its [hours] (the office always open again), where the whole week had started."""
    from test_office_rules import HOURS

    from server.config import effective_settings, load_settings

    config = write_config(tmp_path, extra=HOURS)
    application = create_app(config, workers=False, clock=clock, synchronous="OFF")
    try:
        client = application.test_client()
        h = login(application, client, "boss", "admin")
        week = client.get("/api/admin/settings", headers=h).get_json()["hours"]
        assert put(client, h, "hours", {**week, "monday": "08.00-15.00"}).status_code == 200
        saved = _saved(application)["hours"]
        assert saved["monday"] == "08:00-15:00" and saved["tuesday"] == "08:00-12:00, 13:00-16:00", saved
        overrides = _saved(application)
    finally:
        application.extensions["antrian"].stop()
        application.extensions["antrian"].store.close()
    config.write_text(config.read_text(encoding="utf-8").replace(HOURS, ""), encoding="utf-8")
    started = effective_settings(load_settings(config), overrides)
    assert started.hours.enabled and started.hours.days[0] == ((480, 900),)


# -- two admins on the same section: optimistic concurrency (`versions`, `base`) -------------------------------


def _loaded(client, h) -> dict:
    r = client.get("/api/admin/settings", headers=h)
    assert r.status_code == 200
    return r.get_json()


def test_two_admins_adding_a_counter_on_the_same_load_the_second_is_told_and_nothing_is_lost(app, client, clock):
    """Both admins loaded the page, each added a counter: the first save goes, the second (its `base` the
    version both loaded) is refused with 409 naming who changed the section and when, and saves nothing;
    loaded again, its counter goes in beside the first one's."""
    h1 = login(app, client, "boss", "admin")
    other = app.test_client()
    h2 = login(app, other, "siti", "admin")
    first, second = _loaded(client, h1), _loaded(other, h2)
    assert set(first["versions"]) == {
        "office",
        "queue",
        "services",
        "counters",
        "priority_classes",
        "kiosk",
        "hours",
        "tts",
        "announcement",
    }
    assert first["versions"] == second["versions"]
    base = first["versions"]["counters"]
    ids = [c["id"] for c in first["counters"]]
    n = max(ids) + 1
    mine = [*first["counters"], {"id": n, "name": f"Loket {n}", "services": ["A"]}]
    r = client.put("/api/admin/settings/counters", json={"value": mine, "base": base}, headers=h1)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["versions"]["counters"] != base  # the answer carries the new version
    assert r.get_json()["versions"]["services"] == first["versions"]["services"]  # the others' stay
    theirs = [*second["counters"], {"id": n + 1, "name": f"Loket {n + 1}", "services": ["B"]}]
    r = other.put("/api/admin/settings/counters?lang=en", json={"value": theirs, "base": base}, headers=h2)
    assert r.status_code == 409, r.get_json()
    answer = r.get_json()
    assert answer["error"] == "settings_changed_meanwhile" and answer["fields"] == {
        "base": "Changed elsewhere meanwhile."
    }
    when = clock().astimezone(app.extensions["antrian"].settings.office.tz)
    assert answer["message"] == (
        f"Counters was changed by boss on {when:%A}, {when.day} {when:%B} {when.year} at {when:%H:%M} WIB since this"
        " page loaded it; your change was not saved. Reload the section to see its values now, then make your"
        " change again."
    )
    r = other.put("/api/admin/settings/counters", json={"value": theirs, "base": base}, headers=h2)
    assert r.status_code == 409 and r.get_json()["message"].startswith("Loket sudah diubah oleh boss pada ")
    counters = [c["id"] for c in _loaded(other, h2)["counters"]]
    assert counters == [*ids, n]  # the first's counter kept, the second's not saved
    assert [c.id for c in app.extensions["antrian"].settings.counters] == [*ids, n]
    with app.extensions["antrian"].store.read() as tx:
        assert len(tx.rows("SELECT seq FROM events WHERE type = 'settings_changed'")) == 1
    again = _loaded(other, h2)  # the page's "reload this section", then the change made again
    value = [*again["counters"], {"id": n + 1, "name": f"Loket {n + 1}", "services": ["B"]}]
    r = other.put(
        "/api/admin/settings/counters", json={"value": value, "base": again["versions"]["counters"]}, headers=h2
    )
    assert r.status_code == 200, r.get_json()
    assert [c["id"] for c in r.get_json()["counters"]] == [*ids, n, n + 1]


def test_a_table_key_changed_meanwhile_refuses_a_save_of_the_same_load_and_without_base_it_is_as_before(app, client):
    """A table section (office) changed by one admin: another's save made on the same load is refused, even of
    another key; a save that sends no `base` (a client of before) is merged and saved as it always was."""
    h1 = login(app, client, "boss", "admin")
    other = app.test_client()
    h2 = login(app, other, "siti", "admin")
    base = _loaded(client, h1)["versions"]["office"]
    r = client.put("/api/admin/settings/office", json={"value": {"name": "LPSE Kota Baru"}, "base": base}, headers=h1)
    assert r.status_code == 200, r.get_json()
    r = other.put("/api/admin/settings/office", json={"value": {"address": "Jl. Baru 1"}, "base": base}, headers=h2)
    assert r.status_code == 409 and r.get_json()["error"] == "settings_changed_meanwhile", r.get_json()
    assert app.extensions["antrian"].settings.office.address != "Jl. Baru 1"
    r = put(other, h2, "office", {"address": "Jl. Baru 1"})  # no base: as before
    assert r.status_code == 200, r.get_json()
    office = r.get_json()["office"]
    assert (office["name"], office["address"]) == ("LPSE Kota Baru", "Jl. Baru 1")
    r = put(client, h1, "office", {"name": "LPSE Kota Lama"})  # last writer wins without a base
    assert r.status_code == 200 and r.get_json()["office"]["name"] == "LPSE Kota Lama"
    for bad in (1, ["x"], {"x": 1}, "x" * 101):
        r = client.put("/api/admin/settings/office", json={"value": {}, "base": bad}, headers=h1)
        assert r.status_code == 422 and "base" in r.get_json()["fields"], r.get_json()


def test_back_to_config_toml_on_a_stale_version_is_refused_and_keeps_the_saved_value(app, client):
    h1 = login(app, client, "boss", "admin")
    other = app.test_client()
    h2 = login(app, other, "siti", "admin")
    assert put(client, h1, "queue", {"max_calls": 5}).status_code == 200
    base = _loaded(other, h2)["versions"]["queue"]
    r = client.put("/api/admin/settings/queue", json={"value": {"max_calls": 4}}, headers=h1)
    assert r.status_code == 200
    r = other.delete("/api/admin/settings/queue", json={"base": base}, headers=h2)
    assert r.status_code == 409 and r.get_json()["error"] == "settings_changed_meanwhile", r.get_json()
    assert _saved(app)["queue"] == {"max_calls": 4} and app.extensions["antrian"].settings.queue.max_calls == 4
    r = other.delete("/api/admin/settings/queue", json={"base": _loaded(other, h2)["versions"]["queue"]}, headers=h2)
    assert r.status_code == 200, r.get_json()
    assert "queue" not in _saved(app) and app.extensions["antrian"].settings.queue.max_calls != 4
    assert other.delete("/api/admin/settings/queue", headers=h2).status_code == 200  # no body: as before


def test_a_command_line_settings_set_between_load_and_save_counts_as_a_change(app, client, config_path):
    """`settings set` from the shell (another process) changes the version at once, before this server has
    re-read it: a save on the version loaded before is refused naming the command line; the version loaded
    after it is taken."""
    svc = app.extensions["antrian"]
    assert svc.reload_settings_if_changed() is False  # the maintenance loop's first look, at the start
    h = login(app, client, "boss", "admin")
    loaded = _loaded(client, h)
    r = server_command(
        ["settings", "set", "counters", json.dumps(loaded["counters"][:1]), "--config", str(config_path)]
    )
    assert r.returncode == 0, r.stderr
    n = max(c["id"] for c in loaded["counters"]) + 1
    value = [*loaded["counters"], {"id": n, "name": f"Loket {n}", "services": ["A"]}]
    r = client.put(
        "/api/admin/settings/counters", json={"value": value, "base": loaded["versions"]["counters"]}, headers=h
    )
    assert r.status_code == 409, r.get_json()
    assert r.get_json()["message"].startswith("Loket sudah diubah oleh perintah settings di server pada ")
    assert [c["id"] for c in _saved(app)["counters"]] == [1]  # nothing saved over the command line's
    assert svc.reload_settings_if_changed() is True  # the maintenance loop's next look (or a restart)
    fresh = _loaded(client, h)
    assert fresh["versions"]["counters"] != loaded["versions"]["counters"]
    value = [*fresh["counters"], {"id": n, "name": f"Loket {n}", "services": ["A"]}]
    r = client.put(
        "/api/admin/settings/counters", json={"value": value, "base": fresh["versions"]["counters"]}, headers=h
    )
    assert r.status_code == 200, r.get_json()
    stale = r.get_json()["versions"]["counters"]  # the version of the last save, before the reset
    r = server_command(["settings", "reset", "counters", "--config", str(config_path)])
    assert r.returncode == 0, r.stderr
    r = client.delete("/api/admin/settings/counters", json={"base": stale}, headers=h)
    assert r.status_code == 409 and "perintah settings di server" in r.get_json()["message"], r.get_json()


def test_a_counter_holding_a_ticket_is_kept_and_the_refusal_names_the_ticket_and_the_way_out(app, client):
    """Removing a counter with a ticket called there is refused (the visitor walking to it would be lost): the
    admin is told which ticket and what frees it (Lepas sends a called ticket back to its place), and the table's
    own line says so too, not "Tidak valid." (the rows are valid). Served there: the officer's outcome frees it."""
    h = login(app, client, "boss", "admin")
    client.post("/api/tickets", json=visitor(service="B"))
    officer = app.test_client()
    oh = login(app, officer, "budi")
    assert officer.post("/api/counters/2/call-next", headers=oh).get_json()["ticket"]["label"] == "B-001"
    counters = [c for c in client.get("/api/admin/settings", headers=h).get_json()["counters"] if c["id"] != 2]
    counters[0]["services"] = ["A", "B", "C"]  # B stays served
    r = put(client, h, "counters", counters)
    body = r.get_json()
    assert r.status_code == 409 and body["error"] == "counter_in_use", body
    assert body["message"] == (
        "Loket 2 tidak bisa dihapus: B-001 sedang dipanggil di sana. Lepas Loket 2 di Loket sekarang (B-001 kembali "
        "menunggu di antrian di tempatnya), atau tunggu sampai B-001 selesai dilayani, lalu simpan lagi."
    )
    assert body["fields"] == {"counters": "Loket 2 masih memegang B-001: tidak bisa dihapus sekarang."}
    english = client.put(
        "/api/admin/settings/counters", json={"value": counters}, headers={**h, "X-Lang": "en"}
    ).get_json()
    assert english["message"].startswith("Loket 2 cannot be removed: B-001 is being called there. Release Loket 2")
    assert officer.post("/api/counters/2/start", headers=oh).status_code == 200
    body = put(client, h, "counters", counters).get_json()
    assert body["message"] == (
        "Loket 2 tidak bisa dihapus: B-001 sedang dilayani di sana. Simpan lagi setelah petugasnya menyelesaikan, "
        "mengeskalasi, atau mengalihkan B-001."
    )
    assert [c["id"] for c in client.get("/api/state").get_json()["counters"]] == [1, 2, 3]  # nothing changed
    done = officer.post("/api/counters/2/resolve", json={"solution": "Kata sandi direset."}, headers=oh)
    assert done.status_code == 200, done.get_json()
    assert put(client, h, "counters", counters).status_code == 200


def test_a_save_that_may_not_go_names_every_problem_at_once(app, client):
    """helper-273: removing two counters that hold tickets, and with them the last counter serving a service
    whose visitors wait, was refused one problem at a time: the admin fixed it, saved, and was told the next.
    Every problem is named in the one refusal, Indonesian first, under the table as at the top."""
    h = login(app, client, "boss", "admin")
    for service in ("A", "B", "C"):
        client.post("/api/tickets", json=visitor(service=service))
    budi, sari = app.test_client(), app.test_client()
    bh, sh = login(app, budi, "budi"), login(app, sari, "sari")
    assert budi.post("/api/counters/2/call-next", headers=bh).get_json()["ticket"]["label"] == "A-001"
    assert sari.post("/api/counters/3/call-next", headers=sh).get_json()["ticket"]["label"] == "B-001"
    assert sari.post("/api/counters/3/start", headers=sh).status_code == 200
    loket1 = {"id": 1, "name": "Loket 1", "services": ["A"], "printer": ""}  # no counter serves C, whose C-001 waits
    r = put(client, h, "counters", [loket1])
    body = r.get_json()
    assert r.status_code == 409 and body["error"] == "service_unserved", body  # the first problem's code
    assert body["message"].split("\n") == [  # a line each (the admin page keeps the lines)
        "Belum disimpan; ada 3 hal yang menahannya:",
        "Layanan Registrasi & Verifikasi Akun masih punya antrian menunggu hari ini dan tidak ada loket lain yang "
        "melayaninya: biarkan satu loket melayaninya sampai antrian habis.",
        "Loket 2 tidak bisa dihapus: A-001 sedang dipanggil di sana. Lepas Loket 2 di Loket sekarang (A-001 kembali "
        "menunggu di antrian di tempatnya), atau tunggu sampai A-001 selesai dilayani, lalu simpan lagi.",
        "Loket 3 tidak bisa dihapus: B-001 sedang dilayani di sana. Simpan lagi setelah petugasnya menyelesaikan, "
        "mengeskalasi, atau mengalihkan B-001.",
    ]
    assert body["fields"]["counters"].split("\n") == [
        "Biarkan satu loket tetap melayani Registrasi & Verifikasi Akun sampai antriannya habis.",
        "Loket 2 masih memegang A-001: tidak bisa dihapus sekarang.",
        "Loket 3 masih memegang B-001: tidak bisa dihapus sekarang.",
    ]
    assert list(body["fields"]) == ["counters"]
    english = client.put("/api/admin/settings/counters", json={"value": [loket1]}, headers={**h, "X-Lang": "en"})
    lines = english.get_json()["message"].split("\n")
    assert lines[0] == "Not saved; 3 things hold it back:" and len(lines) == 4
    assert lines[1].startswith("Service Registrasi & Verifikasi Akun still has tickets waiting today")
    assert lines[2].startswith("Loket 2 cannot be removed: A-001") and lines[3].startswith("Loket 3 cannot be removed")
    assert [c["id"] for c in client.get("/api/state").get_json()["counters"]] == [1, 2, 3]  # nothing changed
    # one problem left: said alone, as before
    assert budi.post("/api/counters/2/start", headers=bh).status_code == 200
    assert budi.post("/api/counters/2/resolve", json={"solution": "Selesai."}, headers=bh).status_code == 200
    assert sari.post("/api/counters/3/resolve", json={"solution": "Selesai."}, headers=sh).status_code == 200
    body = put(client, h, "counters", [loket1]).get_json()
    assert body["error"] == "service_unserved" and body["message"].startswith("Layanan Registrasi & Verifikasi Akun")


def test_a_counter_or_the_kiosk_with_printer_null_has_no_printer(app, client):
    """helper-273: `"printer": null`, JSON's none, was refused (422 "harus berupa teks, bukan None") where "" is
    "no printer": null is taken as "" now, for a counter's row as for the kiosk."""
    h = login(app, client, "boss", "admin")
    counters = client.get("/api/admin/settings", headers=h).get_json()["counters"]
    counters[0]["printer"] = "kiosk"
    assert put(client, h, "counters", counters).get_json()["counters"][0]["printer"] == "kiosk"
    counters[0]["printer"] = None
    r = put(client, h, "counters", counters)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["counters"][0]["printer"] == ""
    assert r.get_json()["overridden"] == []  # config.toml's counters again: nothing kept
    r = put(client, h, "kiosk", {"printer": None})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["kiosk"]["printer"] == ""
    counters[1]["printer"] = 5  # not a printer's name: refused, as before
    assert put(client, h, "counters", counters).status_code == 422
