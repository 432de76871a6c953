"""The admin page's Kembali ke config.toml (DELETE /api/admin/settings/<section>) refused: every value it would
leave unfit is named at once, as a refused save names every bad value (`fields`, the message a line each after how
many there are, `problems`), not the first alone (the admin fixed one counter, pressed it again, was told the next).

A reset can fail for several reasons at once only one way: the sections still saved no longer fit config.toml with
the reset section's values back (two counters' saved rows name a service only the saved services have). Its other
refusals are one each: a section that is not editable, one changed meanwhile (409), a service or counter in use
today (check_in_use already names every one of those)."""

from __future__ import annotations

import json

from conftest import login


def put(client, h, section, value):
    return client.put(f"/api/admin/settings/{section}", json={"value": value}, headers=h)


def saved(app) -> dict:
    with app.extensions["antrian"].store.read() as tx:
        return tx.settings_overrides()


def two_counters_name_d(app, client, h) -> None:
    """Service D saved on the page (config.toml has none) and counters 1 and 2 saved serving it."""
    services = client.get("/api/admin/settings", headers=h).get_json()["services"]
    assert put(client, h, "services", [*services, {"code": "D", "name": "Pengaduan", "prefix": "D"}]).status_code == 200
    counters = client.get("/api/admin/settings", headers=h).get_json()["counters"]
    for row in counters[:2]:
        row["services"] = [*row["services"], "D"]
    assert put(client, h, "counters", counters).status_code == 200


def test_a_reset_leaving_two_saved_counters_unfit_names_both(app, client):
    svc = app.extensions["antrian"]
    h = login(app, client, "boss", "admin")
    two_counters_name_d(app, client, h)
    before = saved(app)

    r = client.delete("/api/admin/settings/services", headers=h)
    assert r.status_code == 422, r.get_json()
    body = r.get_json()
    assert body["error"] == "config_invalid", body
    assert list(body["fields"]) == ["counters[0].services", "counters[1].services"], body
    assert [p["field"] for p in body["problems"]] == ["counters[0].services", "counters[1].services"], body
    assert [p["label"] for p in body["problems"]] == ["Loket baris 1, layanan", "Loket baris 2, layanan"], body
    lines = body["message"].split("\n")
    assert lines[0] == "Pengaturan tidak valid: 2 isian salah; belum ada yang disimpan:", lines
    for problem, line in zip(body["problems"], lines[1:], strict=True):
        assert line == problem["message"] and line.startswith(f"{problem['label']}: "), (problem, line)
        assert "'D'" in line, line
    # nothing reset, nothing applied, nothing logged
    assert saved(app) == before and any(s.code == "D" for s in svc.settings.services)
    with svc.store.read() as tx:
        logged = [json.loads(r["data"]) for r in tx.rows("SELECT data FROM events WHERE type = 'settings_changed'")]
    assert not any(d.get("reset") for d in logged), logged

    english = client.delete("/api/admin/settings/services", headers={**h, "X-Lang": "en"}).get_json()
    assert english["message"].startswith("Invalid setting: 2 values are wrong; nothing was saved:\n"), english
    assert len(english["problems"]) == 2, english


def test_a_reset_leaving_one_saved_counter_unfit_is_said_as_before_with_its_one_problem(app, client):
    h = login(app, client, "boss", "admin")
    services = client.get("/api/admin/settings", headers=h).get_json()["services"]
    assert put(client, h, "services", [*services, {"code": "D", "name": "Pengaduan", "prefix": "D"}]).status_code == 200
    counters = client.get("/api/admin/settings", headers=h).get_json()["counters"]
    counters[2]["services"] = ["D"]
    assert put(client, h, "counters", counters).status_code == 200
    body = client.delete("/api/admin/settings/services", headers=h).get_json()
    assert list(body["fields"]) == ["counters[2].services"], body
    assert [p["label"] for p in body["problems"]] == ["Loket baris 3, layanan"], body
    assert "\n" not in body["message"] and body["message"].startswith("Pengaturan tidak valid: "), body


def test_once_the_counters_are_reset_too_the_services_reset_goes_through(app, client):
    """The way out the refusal points to: the counters back to config.toml's first, then the services."""
    svc = app.extensions["antrian"]
    h = login(app, client, "boss", "admin")
    two_counters_name_d(app, client, h)
    assert client.delete("/api/admin/settings/counters", headers=h).status_code == 200
    r = client.delete("/api/admin/settings/services", headers=h)
    assert r.status_code == 200, r.get_json()
    assert saved(app) == {} and [s.code for s in svc.settings.services] == ["A", "B", "C"]
