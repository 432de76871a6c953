"""Sessions end for good: logout, a new password, disabling (and enabling), a new role, a working day.
And the login throttle counts an attempt before its password is hashed, whatever the concurrency."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from conftest import add_user, login

from server.auth import SESSION_HOURS, LoginThrottle, session_ends

WIB = ZoneInfo("Asia/Jakarta")


def _cookie_client(app, client):
    """A second browser holding a copy of `client`'s session cookie as it is now."""
    kept = app.test_client()
    kept.set_cookie("session", client.get_cookie("session").value)
    return kept


def test_a_cookie_kept_from_before_logout_is_dead(app, client):
    h = login(app, client, "budi")
    kept = _cookie_client(app, client)
    assert kept.get("/api/me").status_code == 200
    assert client.post("/api/logout", headers=h).status_code == 200
    assert kept.get("/api/me").status_code == 401
    assert kept.post("/api/counters/1/call-next", headers=h).status_code == 401
    # logging in again works, with a new session
    r = client.post("/api/login", json={"username": "budi", "password": "rahasia-123"})
    assert r.status_code == 200
    assert kept.get("/api/me").status_code == 401


def test_a_password_reset_ends_the_old_sessions(app, client):
    oh = login(app, client, "budi")
    officer = _cookie_client(app, client)
    admin = app.test_client()
    ah = login(app, admin, "boss", role="admin")
    assert (
        admin.post("/api/admin/users/budi/password", json={"password": "sandi-baru-22"}, headers=ah).status_code == 200
    )
    assert officer.get("/api/me").status_code == 401
    assert officer.post("/api/counters/1/call-next", headers=oh).status_code == 401
    assert admin.get("/api/me").status_code == 200  # the admin's own session is not touched


def test_disable_then_enable_does_not_revive_old_cookies(app, client):
    login(app, client, "budi")
    officer = _cookie_client(app, client)
    admin = app.test_client()
    ah = login(app, admin, "boss", role="admin")
    assert admin.post("/api/admin/users/budi/active", json={"active": False}, headers=ah).status_code == 200
    assert officer.get("/api/me").status_code == 401
    assert admin.post("/api/admin/users/budi/active", json={"active": True}, headers=ah).status_code == 200
    assert officer.get("/api/me").status_code == 401


def test_a_new_role_ends_the_old_sessions(app, client):
    login(app, client, "budi")
    with app.extensions["antrian"].store.write() as tx:
        tx.update_user("budi", role="frontoffice")
    assert client.get("/api/me").status_code == 401


def test_a_new_counter_binding_keeps_the_session(app, client):
    login(app, client, "budi")
    with app.extensions["antrian"].store.write() as tx:
        tx.update_user("budi", counter_id=2)
    assert client.get("/api/me").get_json()["user"]["counter_id"] == 2


def test_a_session_lasts_a_working_day_at_most(app, client):
    login(app, client, "budi")
    assert client.get("/api/me").status_code == 200
    with client.session_transaction() as s:
        s["iat"] = int(time.time() - (SESSION_HOURS * 3600 + 60))
    assert client.get("/api/me").status_code == 401


def test_a_session_from_before_the_upgrade_must_log_in_again(app, client):
    add_user(app, "budi", "officer")
    with app.extensions["antrian"].store.read() as tx:
        uid = tx.user("budi")["id"]
    with client.session_transaction() as s:  # what a 12-hour cookie of the previous version held
        s["uid"] = uid
        s["csrf"] = "x"
    assert client.get("/api/me").status_code == 401


def test_a_session_ends_at_the_offices_midnight():
    evening = datetime(2026, 12, 1, 22, 30, tzinfo=WIB).timestamp()
    assert session_ends(evening, WIB) == datetime(2026, 12, 2, 0, 0, tzinfo=WIB).timestamp()
    morning = datetime(2026, 12, 1, 7, 30, tzinfo=WIB).timestamp()
    assert session_ends(morning, WIB) == morning + SESSION_HOURS * 3600


def test_throttle_reserves_before_the_check_whatever_the_concurrency():
    throttle = LoginThrottle(limit=10, window=300)
    answers: list[int] = []
    start = threading.Barrier(50)

    def attempt():
        start.wait()
        answers.append(throttle.reserve("10.0.0.66", "budi").wait)

    threads = [threading.Thread(target=attempt) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers.count(0) == 10  # ten attempts may be checked in the window, however many come at once
    assert all(a > 0 for a in answers if a)
    assert throttle.reserve("10.0.0.7", "budi").wait == 0  # another device is not affected


def test_one_devices_attempts_wait_for_each_other_not_for_another_device():
    throttle = LoginThrottle()
    same_entered = threading.Event()

    def same_device():
        with throttle.turn("10.0.0.66"):
            same_entered.set()

    with throttle.turn("10.0.0.66"):
        waiting = threading.Thread(target=same_device)
        waiting.start()
        with throttle.turn("10.0.0.7"):  # another device goes straight in
            assert not same_entered.is_set()  # while the same device still waits for its own attempt
    assert same_entered.wait(15)
    waiting.join()
    assert throttle.turns == {}  # nothing kept once nobody waits


def test_a_success_clears_its_names_count_and_only_its_own_attempt_of_the_addresss():
    throttle = LoginThrottle(limit=3, window=300, address_limit=5)
    for _ in range(2):
        throttle.done(throttle.reserve("a", "budi"), False)
    throttle.done(throttle.reserve("a", "sari"), False)
    ok = throttle.reserve("a", "budi")
    assert ok.wait == 0
    throttle.done(ok, True)
    assert ("a", "budi") not in throttle.failures and len(throttle.failures[("a", "sari")]) == 1
    assert len(throttle.failures["a"]) == 3  # the address keeps its three failures, not the success
    for _ in range(2):
        throttle.done(throttle.reserve("a", "budi"), False)
    refused = throttle.reserve("a", "budi")  # five failures from the address: every name waits
    assert refused.wait > 0 and refused.mine and len(throttle.failures["a"]) == 5  # and counts nowhere
    assert throttle.reserve("a", "dewi").wait > 0
    assert throttle.reserve("b", "dewi").wait == 0  # another address is not affected


def test_a_refusal_by_the_accounts_count_counts_nothing_for_the_address():
    throttle = LoginThrottle(limit=3, window=300)
    for _ in range(3):
        throttle.done(throttle.reserve("thief", "budi", "account:1"), False)
    refused = throttle.reserve("owner", "budi", "account:1")
    assert refused.wait > 0 and not refused.mine  # the account's count alone: not this address's doing
    assert "owner" not in throttle.failures and ("owner", "budi") not in throttle.failures
    assert throttle.reserve("owner", "budi").wait == 0  # its login goes on


def test_the_login_throttle_keeps_at_most_its_size_of_counts_however_many_addresses_fail_within_the_window():
    """Past 10,000 counts each failed login looked through them all for idle ones, and none was idle when they all
    came within the five minutes: failed logins from 30,000 loopback addresses (real POST /api/login, the server's
    table growing with each) took 30-50 ms each instead of 1.5 and the server's memory grew by 35 MB. Now the least
    recently seen count goes first: the table holds `size`, and a device guessing meanwhile keeps its count."""
    throttle = LoginThrottle(limit=3, window=300)
    for _ in range(3):
        throttle.done(throttle.reserve("10.9.9.9", "budi"), False)  # a device at its limit for budi
    for i in range(12_000):
        throttle.done(throttle.reserve(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", "tamu"), False)
        if i % 1000 == 999:
            assert throttle.reserve("10.9.9.9", "budi").wait > 0  # it asks again: its count is kept
    assert len(throttle.failures) == 10_000 and "10.0.0.0" not in throttle.failures  # the first ones, forgotten
    latest = "10.0.46.223"  # among the last: its count is kept, and its limit holds
    assert [throttle.reserve(latest, "tamu").wait > 0 for _ in range(3)] == [False, False, True]


def test_login_refused_early_while_throttled_hashes_nothing(app, client, monkeypatch):
    add_user(app, "budi", "officer")
    hashed = []
    import server.auth as auth

    real = auth.check_password
    monkeypatch.setattr(auth, "check_password", lambda h, p: hashed.append(1) or real(h, p))
    statuses = [
        client.post("/api/login", json={"username": "budi", "password": "salah-salah"}).status_code for _ in range(15)
    ]
    assert statuses == [401] * 10 + [429] * 5
    assert len(hashed) == 10


def test_an_empty_secret_key_file_left_by_a_power_cut_is_made_again(config_path, clock):
    """The first start made the key file and died before its text reached the disk: every login was a 500."""
    from server.app import create_app

    data = config_path.parent / "data"
    data.mkdir()
    (data / "secret_key").write_text("")
    app = create_app(config_path, workers=False, clock=clock)
    try:
        key = (data / "secret_key").read_text()
        assert len(key) >= 32 and app.config["SECRET_KEY"] == key
        assert (data / "secret_key").stat().st_mode & 0o777 == 0o600
        assert not list(data.glob("secret_key.*"))  # no temporary file left beside it
        client = app.test_client()
        add_user(app, "budi", "officer")
        assert client.post("/api/login", json={"username": "budi", "password": "rahasia-123"}).status_code == 200
    finally:
        app.extensions["antrian"].stop()
        app.extensions["antrian"].store.close()
