"""An account's full name and NIP (m014): set by the admin API and the command line, signing the A4 form."""

from __future__ import annotations

import subprocess

import pytest
from conftest import login, visitor, write_config
from live import server_command

from server.config import load_settings
from server.forms import clean_nip, format_nip
from server.i18n import both
from server.messages import field_message
from server.store import Store

NIP = "198501012010011001"


@pytest.mark.parametrize(
    "raw,stored",
    [
        (NIP, NIP),
        ("19850101 201001 1 001", NIP),
        ("19850101-201001-1-001", NIP),
        ("  19850101 201001 1 001  ", NIP),
        ("", ""),
        (None, ""),
    ],
)
def test_a_nip_is_18_digits_written_with_or_without_its_spaces(raw, stored):
    bad: dict[str, str] = {}
    assert clean_nip({"nip": raw}, "nip", bad) == stored
    assert bad == {}


@pytest.mark.parametrize(
    "raw,code",
    [
        ("19850101201001100", "nip_invalid"),  # 17 digits
        ("1985010120100110012", "nip_invalid"),  # 19 digits
        ("19851301201001 1 001", "nip_invalid"),  # month 13: not a birth date
        ("1985O101201001l001", "nip_invalid"),  # letters for digits
        ("١٩٨٥٠١٠١٢٠١٠٠١١٠٠١", "nip_invalid"),  # digits of another script
        (198501012010011001, "not_text"),
    ],
)
def test_a_wrong_nip_is_named(raw, code):
    bad: dict[str, str] = {}
    assert clean_nip({"nip": raw}, "nip", bad) == ""
    assert bad == {"nip": code}


def test_a_nip_is_shown_as_it_is_written():
    assert format_nip(NIP) == "19850101 201001 1 001"
    assert format_nip(None) == ""


def test_the_admin_adds_an_account_with_its_full_name_and_nip_and_changes_them(app, client):
    h = login(app, client, "kepala", "admin")
    r = client.post(
        "/api/admin/users",
        json={
            "username": "siti",
            "password": "rahasia-123",
            "role": "officer",
            "full_name": "  Siti   Rahmawati, S.Kom. ",
            "nip": "19850101 201001 1 001",
        },
        headers=h,
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["user"] == {
        "username": "siti",
        "role": "officer",
        "counter_id": None,
        "active": True,
        "full_name": "Siti Rahmawati, S.Kom.",
        "nip": NIP,
    }
    # a full name alone: the NIP stays; "" clears one
    r = client.post("/api/admin/users/siti/profile", json={"full_name": "Siti Rahmawati"}, headers=h)
    assert r.status_code == 200 and r.get_json()["user"]["full_name"] == "Siti Rahmawati"
    assert r.get_json()["user"]["nip"] == NIP
    r = client.post("/api/admin/users/siti/profile", json={"nip": ""}, headers=h)
    assert r.status_code == 200 and r.get_json()["user"]["nip"] is None
    users = {u["username"]: u for u in client.get("/api/admin/users", headers=h).get_json()["users"]}
    assert users["siti"]["full_name"] == "Siti Rahmawati" and users["siti"]["nip"] is None
    assert users["kepala"]["full_name"] is None
    with app.extensions["antrian"].store.read() as tx:
        changes = [r["data"] for r in tx.rows("SELECT data FROM events WHERE type = 'user_changed'")]
    assert sum('"profile"' in c for c in changes) == 2


def test_a_profile_change_keeps_the_accounts_session(app, client):
    h = login(app, client, "kepala", "admin")
    officer = app.test_client()
    login(app, officer, "budi")
    r = client.post("/api/admin/users/budi/profile", json={"full_name": "Budi Santoso", "nip": NIP}, headers=h)
    assert r.status_code == 200
    assert officer.get("/api/me").status_code == 200


@pytest.mark.parametrize(
    "body,fields",
    [
        ({"nip": "12345"}, {"nip": "nip_invalid"}),
        ({"full_name": "x" * 101}, {"full_name": both("error.too_long", max=100, n=101)}),
        ({"full_name": "Budi\u0007"}, {"full_name": "control_chars"}),
        ({"full_name": 7}, {"full_name": "not_text"}),
        ({}, {"full_name": "required"}),
    ],
)
def test_a_bad_full_name_or_nip_is_refused_with_its_field(app, client, body, fields):
    h = login(app, client, "kepala", "admin")
    login(app, app.test_client(), "budi")
    r = client.post("/api/admin/users/budi/profile", json=body, headers=h)
    assert r.status_code == 422 and r.get_json()["fields"] == {k: field_message(v) for k, v in fields.items()}
    r = client.post(
        "/api/admin/users", json={"username": "dewi", "password": "rahasia-123", "role": "officer", **body}, headers=h
    )
    assert r.status_code == (201 if not body else 422)


def test_the_profile_route_is_for_admins_only_and_names_a_real_account(app, client):
    h = login(app, client, "budi")
    assert client.post("/api/admin/users/budi/profile", json={"full_name": "Budi"}, headers=h).status_code == 403
    boss = app.test_client()
    bh = login(app, boss, "kepala", "admin")
    assert boss.post("/api/admin/users/nobody/profile", json={"full_name": "X"}, headers=bh).status_code == 404


def test_the_a4_form_is_signed_with_the_full_name_and_nip_and_has_a_line_for_the_visitor(app, client):
    client.post("/api/tickets", json=visitor(name="Ani Wijaya"))
    h = login(app, client, "budi")
    token = None
    for action, data in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Kata sandi direset."})):
        r = client.post(f"/api/counters/1/{action}", json=data, headers=h)
        assert r.status_code == 200
        token = r.get_json()["ticket"]["token"]
    page = client.get(f"/counter/form/{token}").get_data(as_text=True)
    assert "( budi )" in page and "NIP. ......" in page  # no full name yet: the login name, a NIP to write in
    assert "Pengguna SPSE" in page and "( Ani Wijaya )" in page
    with app.extensions["antrian"].store.write() as tx:
        tx.update_user("budi", full_name="Budi Santoso, S.T.", nip=NIP)
    # the form signed before stays as it was signed (m027); the next one is signed with the full name and NIP
    assert "( budi )" in client.get(f"/counter/form/{token}").get_data(as_text=True)
    client.post("/api/tickets", json=visitor(name="Ani Wijaya"))
    for action, data in (("call-next", {}), ("start", {}), ("resolve", {"solution": "Kata sandi direset."})):
        r = client.post(f"/api/counters/1/{action}", json=data, headers=h)
        assert r.status_code == 200
        token = r.get_json()["ticket"]["token"]
    page = client.get(f"/counter/form/{token}").get_data(as_text=True)
    assert "( Budi Santoso, S.T. )" in page and "NIP. 19850101 201001 1 001" in page
    assert "( budi )" not in page
    assert page.index("Pengguna SPSE") < page.index("Pemberi Penjelasan")  # the visitor signs on the left


def cli(*args, stdin: str = "") -> subprocess.CompletedProcess:
    return server_command(list(args), input=stdin)


def test_users_add_takes_a_full_name_and_nip(tmp_path):
    cfg = write_config(tmp_path)
    r = cli(
        "users",
        "add",
        "siti",
        "--role",
        "officer",
        "--full-name",
        "Siti Rahmawati",
        "--nip",
        "19850101 201001 1 001",
        "--config",
        str(cfg),
        stdin="kata-sandi-rahasia\n",
    )
    assert r.returncode == 0, r.stderr
    with Store(load_settings(cfg).server.database) as store, store.read() as tx:
        user = tx.user("siti")
    assert (user["full_name"], user["nip"]) == ("Siti Rahmawati", NIP)
    r = cli("users", "list", "--config", str(cfg))
    assert "Siti Rahmawati" in r.stdout and NIP in r.stdout
    r = cli("users", "add", "dewi", "--role", "officer", "--nip", "123", "--config", str(cfg), stdin="x" * 12 + "\n")
    assert r.returncode == 2 and "nip" in r.stderr


def test_accounts_of_a_database_made_before_m014_get_no_name_and_no_nip(tmp_path):
    from sqlite_utils import Database

    from server.store import migrations

    path = tmp_path / "antrian.db"
    db = Database(path)
    migrations.apply(db, stop_before="m014_account_names")  # a database of the previous release
    db.execute(
        "INSERT INTO users (username, password_hash, role, active, created_at)"
        " VALUES ('budi', 'x', 'officer', 1, '2026-11-28T02:00:00+00:00')"
    )
    db.conn.commit()
    db.close()
    store = Store(path)
    with store.read() as tx:
        user = tx.user("budi")
    assert (user["full_name"], user["nip"]) == (None, None)
    with store.write() as tx:
        tx.update_user("budi", full_name="Budi Santoso", nip=NIP)
        assert tx.user("budi")["session_version"] == user["session_version"]  # a name is no new login
    store.close()
